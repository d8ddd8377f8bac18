package container

import (
	"strings"
	"unsafe"
)

// HostID is the container id of processes that run in no container.
const HostID = "host"

// FullIDLen is the length of a runc-style container id (64 hex digits).
const FullIDLen = 64

// ShortIDLen is the length of the container id libsinsp reports in
// container.id: the first 12 characters of the full id.
const ShortIDLen = 12

// maxNameIDLen bounds ids that are names (LXC, libvirt, containerd
// namespaces) so a hostile cgroup path cannot make an id arbitrarily long.
const maxNameIDLen = 253

// Match is where FindCgroups found a container id: Type and the byte range
// [Start, End) of the full id inside the scanned text. For the host, Type is
// TypeHost and Start == End == 0.
type Match struct {
	Type       Type
	Start, End int
}

// IsHost reports whether the match says "no container".
func (m Match) IsHost() bool { return m.Type == TypeHost }

// Info is a detected container: its type, its reported id (container.id)
// and its full id (container.full_id). For the host both ids are "host".
type Info struct {
	Type   Type
	ID     string
	FullID string
}

// IsHost reports whether the process runs on the host.
func (i Info) IsHost() bool { return i.Type == TypeHost }

var hostInfo = Info{Type: TypeHost, ID: HostID, FullID: HostID}

// ShortID returns the id libsinsp reports for a full id: its first
// ShortIDLen characters for runc-style ids, the whole id for LXC and libvirt
// names (which are not truncated).
func ShortID(t Type, full string) string {
	if t == TypeLXC || t == TypeLibvirtLXC || t == TypeHost || len(full) <= ShortIDLen {
		return full
	}
	return full[:ShortIDLen]
}

// InfoOf turns a Match over b into an Info, copying the id out of b.
func InfoOf(m Match, b []byte) Info {
	if m.Type == TypeHost || m.End <= m.Start || m.End > len(b) {
		return hostInfo
	}
	full := string(b[m.Start:m.End])
	return Info{Type: m.Type, ID: ShortID(m.Type, full), FullID: full}
}

// FromCgroups detects the container of a process from its cgroup text:
// either the content of /proc/PID/cgroup ("4:memory:/docker/<id>" lines,
// "0::/..." for cgroup v2), or the cgroups parameter of an event (NUL
// separated "cpuset=/docker/<id>" entries). Entries are tried in order and
// the first that names a container wins; no match means the host.
func FromCgroups(b []byte) Info {
	return InfoOf(FindCgroups(b), b)
}

// FromCgroupPath detects the container from one cgroup path such as
// "/kubepods/besteffort/pod<uid>/<id>".
func FromCgroupPath(path string) Info {
	t, s, e, ok := matchPath(path)
	if !ok {
		return hostInfo
	}
	full := path[s:e]
	return Info{Type: t, ID: ShortID(t, full), FullID: full}
}

// FindCgroups is FromCgroups without copying: it returns the position of the
// full id inside b. It does not allocate.
func FindCgroups(b []byte) Match {
	if len(b) == 0 {
		return Match{Type: TypeHost}
	}
	// The string aliases b only for the duration of this call.
	s := unsafe.String(unsafe.SliceData(b), len(b))
	off := 0
	for off < len(s) {
		end := off
		for end < len(s) && s[end] != '\n' && s[end] != 0 {
			end++
		}
		entry := s[off:end]
		// In both layouts ("N:controllers:/path" and "subsys=/path") the
		// path is everything from the first slash: controller and subsystem
		// names never contain one.
		if i := strings.IndexByte(entry, '/'); i >= 0 {
			if t, ms, me, ok := matchPath(entry[i:]); ok {
				base := off + i
				return Match{Type: t, Start: base + ms, End: base + me}
			}
		}
		off = end + 1
	}
	return Match{Type: TypeHost}
}

// isHexID reports whether s is a full runc-style id: 64 hex digits.
func isHexID(s string) bool {
	if len(s) != FullIDLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// runcPrefixes are the cgroup directory name prefixes that runtimes put in
// front of a 64-hex-digit id, with an optional ".scope" suffix (systemd
// cgroup driver) and, for podman under systemd on cgroup v2, a trailing
// "/container" directory.
var runcPrefixes = [...]struct {
	prefix string
	typ    Type
}{
	{"docker-", TypeDocker},
	{"libpod-payload-", TypePodman},
	{"libpod-", TypePodman},
	{"cri-containerd-", TypeContainerd},
	{"crio-", TypeCRIO},
	{"nerdctl-", TypeContainerd},
}

// containerdNamespaces are the containerd namespaces whose cgroupfs layout
// "/<namespace>/<id>" is recognised even when the id is not 64 hex digits
// (containers made with ctr): only well-known names, because any two-level
// host cgroup would look the same.
var containerdNamespaces = [...]string{"default", "k8s.io"}

// matchPath finds a container id in one cgroup path. It returns the type and
// the byte range of the full id inside p.
func matchPath(p string) (Type, int, int, bool) {
	if len(p) == 0 || p[0] != '/' {
		return TypeHost, 0, 0, false
	}
	for len(p) > 1 && p[len(p)-1] == '/' {
		p = p[:len(p)-1]
	}
	if t, s, e, ok := matchRunc(p); ok {
		return t, s, e, true
	}
	if s, e, ok := matchLibvirt(p); ok {
		return TypeLibvirtLXC, s, e, true
	}
	if s, e, ok := matchLXC(p); ok {
		return TypeLXC, s, e, true
	}
	if s, e, ok := matchContainerdNamespace(p); ok {
		return TypeContainerd, s, e, true
	}
	return TypeHost, 0, 0, false
}

// lastElem returns the last element of p and its offset.
func lastElem(p string) (string, int) {
	i := strings.LastIndexByte(p, '/')
	return p[i+1:], i + 1
}

func matchRunc(p string) (Type, int, int, bool) {
	elem, off := lastElem(p)
	parent := p[:max(off-1, 0)]
	if elem == "container" && off > 1 {
		// podman, systemd driver, cgroup v2: .../libpod-<id>.scope/container
		pe, poff := lastElem(parent)
		if strings.HasSuffix(pe, ".scope") {
			elem, off = pe, poff
			parent = p[:max(poff-1, 0)]
		}
	}
	// containerd's CRI plugin without the systemd driver but with a
	// systemd-style cgroupsPath: "<slice>:cri-containerd:<id>".
	if i := strings.LastIndex(elem, ":cri-containerd:"); i >= 0 {
		id := elem[i+len(":cri-containerd:"):]
		if isHexID(id) {
			s := off + i + len(":cri-containerd:")
			return TypeContainerd, s, s + FullIDLen, true
		}
		return TypeHost, 0, 0, false
	}
	name := strings.TrimSuffix(elem, ".scope")
	scoped := len(name) != len(elem)
	for _, rp := range runcPrefixes {
		if strings.HasPrefix(name, rp.prefix) && isHexID(name[len(rp.prefix):]) {
			s := off + len(rp.prefix)
			return rp.typ, s, s + FullIDLen, true
		}
	}
	if scoped || !isHexID(name) {
		return TypeHost, 0, 0, false
	}
	return typeFromAncestors(parent), off, off + FullIDLen, true
}

// typeFromAncestors guesses the runtime of a bare 64-hex-digit cgroup
// directory from the directories above it.
func typeFromAncestors(parent string) Type {
	first := parent
	if len(first) > 0 && first[0] == '/' {
		first = first[1:]
	}
	if i := strings.IndexByte(first, '/'); i >= 0 {
		first = first[:i]
	}
	switch {
	case strings.HasPrefix(first, "kubepods") || strings.Contains(parent, "/kubepods"):
		// containerd and CRI-O lay out cgroupfs pods identically.
		return TypeCRI
	case first == "k8s.io" || first == "default":
		return TypeContainerd
	case first == "libpod_parent" || first == "machine.slice" && strings.Contains(parent, "libpod"):
		return TypePodman
	default:
		// "/docker/<id>" and docker's --cgroup-parent layouts.
		return TypeDocker
	}
}

// lxcMarkers introduce an LXC container name: "/lxc/<name>" (cgroupfs),
// "/lxc.payload/<name>" (systemd) and "/lxc.payload.<name>" (LXC 4).
var lxcMarkers = [...]string{"/lxc/", "/lxc.payload/", "/lxc.payload."}

func matchLXC(p string) (int, int, bool) {
	for _, m := range lxcMarkers {
		i := strings.Index(p, m)
		if i < 0 {
			continue
		}
		s := i + len(m)
		e := s
		for e < len(p) && p[e] != '/' {
			e++
		}
		if e > s && e-s <= maxNameIDLen {
			return s, e, true
		}
	}
	return 0, 0, false
}

func matchLibvirt(p string) (int, int, bool) {
	// legacy: /libvirt/lxc/<name>
	if i := strings.Index(p, "/libvirt/lxc/"); i >= 0 {
		s := i + len("/libvirt/lxc/")
		e := s
		for e < len(p) && p[e] != '/' {
			e++
		}
		if e > s && e-s <= maxNameIDLen {
			return s, e, true
		}
	}
	// cgroupfs: /<name>.libvirt-lxc ; systemd:
	// /machine.slice/machine-lxc\x2d<id>.scope[/libvirt]
	off := 0
	for off < len(p) {
		end := off + 1
		for end < len(p) && p[end] != '/' {
			end++
		}
		elem := p[off+1 : end]
		if name, ok := strings.CutSuffix(elem, ".libvirt-lxc"); ok && name != "" && len(name) <= maxNameIDLen {
			return off + 1, off + 1 + len(name), true
		}
		const sd = `machine-lxc\x2d`
		if strings.HasPrefix(elem, sd) && strings.HasSuffix(elem, ".scope") {
			rest := p[end:]
			if rest == "" || rest == "/libvirt" {
				s := off + 1 + len(sd)
				e := end - len(".scope")
				if e > s && e-s <= maxNameIDLen {
					return s, e, true
				}
			}
		}
		off = end
	}
	return 0, 0, false
}

func matchContainerdNamespace(p string) (int, int, bool) {
	ns, rest, ok := strings.Cut(p[1:], "/")
	if !ok || strings.IndexByte(rest, '/') >= 0 || rest == "" || len(rest) > FullIDLen {
		return 0, 0, false
	}
	known := false
	for _, n := range containerdNamespaces {
		if ns == n {
			known = true
			break
		}
	}
	if !known {
		return 0, 0, false
	}
	if strings.HasSuffix(rest, ".service") || strings.HasSuffix(rest, ".slice") || strings.HasSuffix(rest, ".scope") {
		return 0, 0, false
	}
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return 0, 0, false
		}
	}
	s := 1 + len(ns) + 1
	return s, s + len(rest), true
}
