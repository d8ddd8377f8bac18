package engine

import (
	"strings"
	"sync"
	"unsafe"

	"github.com/syscope/syscope/container"
	"github.com/syscope/syscope/fields"
	"github.com/syscope/syscope/filter"
	"github.com/syscope/syscope/state"
)

// ContainerID returns the container id of a thread as container.id reads it
// ("host" for a process in no container), detected from the thread's cgroup
// paths; "" when t is nil. It does not allocate.
func ContainerID(t *state.Thread) string {
	if t == nil {
		return ""
	}
	// cgroup v1 lists the same few paths under many subsystems: check each
	// distinct path once (the last few seen are remembered).
	var seen [4]string
	n := 0
next:
	for i := range t.Cgroups {
		p := t.Cgroups[i].Path
		if len(p) <= 1 {
			continue // "/" or empty: the root names no container
		}
		for j := 0; j < n; j++ {
			if seen[j] == p {
				continue next
			}
		}
		if info := container.FromCgroupPath(p); !info.IsHost() {
			return info.ID
		}
		seen[n%len(seen)] = p
		if n < len(seen) {
			n++
		}
	}
	return container.HostID
}

// containerOf is the fields.Env.ContainerID form of ContainerID: "" for the
// host.
func containerOf(t *state.Thread) string {
	id := ContainerID(t)
	if id == container.HostID {
		return ""
	}
	return id
}

var (
	registryOnce sync.Once
	registry     *fields.Registry
)

// Registry returns the fields rules are evaluated with: every class of
// fields.Default(), plus the container.* and k8s.* fields that no
// registered class provides yet. Those read the way Falco's container
// plugin reads them without runtime metadata: for a process on the host,
// container.id, container.name, container.full_id and container.type are
// "host", the image, mount, label and address strings are empty, the
// privileged and host_* flags are false, and the Kubernetes pod names,
// namespace and labels have no value; for a process in a container only
// container.id (from its cgroups) has a value.
//
// Classes registered in fields.Default() later, after the first call, are
// not seen.
func Registry() *fields.Registry {
	registryOnce.Do(func() {
		registry = fields.NewRegistry()
		for _, c := range fields.Default().Classes() {
			if err := registry.Register(c); err != nil {
				panic(err) // Default holds no duplicates
			}
		}
		for _, c := range fallbackClasses() {
			kept := &fields.Class{Name: c.Name, Desc: c.Desc}
			for _, d := range c.Fields {
				if registry.Lookup(d.Name) == nil {
					kept.Fields = append(kept.Fields, d)
				}
			}
			if len(kept.Fields) == 0 {
				continue
			}
			if err := registry.Register(kept); err != nil {
				panic(err) // filtered against the registry just above
			}
		}
	})
	return registry
}

// hostValue says what a container field reads for a host process.
type hostValue uint8

const (
	hostMissing hostValue = iota // no value
	hostName                     // "host"
	hostEmpty                    // "" (strings), false (booleans)
)

// ctrField describes one container.* or k8s.* field.
type ctrField struct {
	name string
	typ  filter.FieldType
	arg  fields.ArgForm
	host hostValue
	desc string
}

// containerFields lists the container plugin's fields with what they read
// for host processes.
var containerFields = []ctrField{
	{"container.id", filter.TypeString, fields.ArgNone, hostName, "The container id (first 12 characters of the full id), from the cgroups; \"host\" for processes in no container."},
	{"container.full_id", filter.TypeString, fields.ArgNone, hostName, "The full container id (runtime metadata)."},
	{"container.name", filter.TypeString, fields.ArgNone, hostName, "The container name (runtime metadata); \"host\" on the host."},
	{"container.image", filter.TypeString, fields.ArgNone, hostEmpty, "The container image name (runtime metadata)."},
	{"container.image.id", filter.TypeString, fields.ArgNone, hostEmpty, "The container image id (runtime metadata)."},
	{"container.type", filter.TypeString, fields.ArgNone, hostName, "The container type (docker, cri-o, containerd...); \"host\" on the host."},
	{"container.privileged", filter.TypeBool, fields.ArgNone, hostEmpty, "Whether the container runs privileged (runtime metadata)."},
	{"container.mounts", filter.TypeString, fields.ArgNone, hostEmpty, "The container's mounts, source:dest:mode:rdrw:propagation, comma separated (runtime metadata)."},
	{"container.mount", filter.TypeString, fields.ArgIndexOrKey, hostMissing, "One mount, by index or source (runtime metadata)."},
	{"container.mount.source", filter.TypeString, fields.ArgIndexOrKey, hostMissing, "A mount's source, by index or destination (runtime metadata)."},
	{"container.mount.dest", filter.TypeString, fields.ArgIndexOrKey, hostMissing, "A mount's destination, by index or source (runtime metadata)."},
	{"container.mount.mode", filter.TypeString, fields.ArgIndexOrKey, hostMissing, "A mount's mode, by index or source (runtime metadata)."},
	{"container.mount.rdwr", filter.TypeString, fields.ArgIndexOrKey, hostMissing, "A mount's read/write flag, by index or source (runtime metadata)."},
	{"container.mount.propagation", filter.TypeString, fields.ArgIndexOrKey, hostMissing, "A mount's propagation, by index or source (runtime metadata)."},
	{"container.image.repository", filter.TypeString, fields.ArgNone, hostEmpty, "The container image repository (runtime metadata)."},
	{"container.image.tag", filter.TypeString, fields.ArgNone, hostEmpty, "The container image tag (runtime metadata)."},
	{"container.image.digest", filter.TypeString, fields.ArgNone, hostEmpty, "The container image digest (runtime metadata)."},
	{"container.healthcheck", filter.TypeString, fields.ArgNone, hostMissing, "Deprecated; has no value."},
	{"container.liveness_probe", filter.TypeString, fields.ArgNone, hostMissing, "Deprecated; has no value."},
	{"container.readiness_probe", filter.TypeString, fields.ArgNone, hostMissing, "Deprecated; has no value."},
	{"container.start_ts", filter.TypeAbsTime, fields.ArgNone, hostMissing, "The container's start time, from its pid namespace's init (not tracked yet)."},
	{"container.duration", filter.TypeRelTime, fields.ArgNone, hostMissing, "Nanoseconds since container.start_ts (not tracked yet)."},
	{"container.ip", filter.TypeString, fields.ArgNone, hostEmpty, "The container's primary IPv4 address (runtime metadata)."},
	{"container.cni.json", filter.TypeString, fields.ArgNone, hostEmpty, "The pod's CNI result (runtime metadata)."},
	{"container.host_pid", filter.TypeBool, fields.ArgNone, hostEmpty, "Whether the container shares the host's pid namespace (runtime metadata)."},
	{"container.host_network", filter.TypeBool, fields.ArgNone, hostEmpty, "Whether the container shares the host's network namespace (runtime metadata)."},
	{"container.host_ipc", filter.TypeBool, fields.ArgNone, hostEmpty, "Whether the container shares the host's IPC namespace (runtime metadata)."},
	{"container.label", filter.TypeString, fields.ArgKey, hostMissing, "A container label, container.label.NAME or container.label[NAME] (runtime metadata)."},
	{"container.labels", filter.TypeString, fields.ArgNone, hostEmpty, "The container labels, key:value, comma separated (runtime metadata)."},
	{"proc.is_container_healthcheck", filter.TypeBool, fields.ArgNone, hostMissing, "Deprecated; has no value."},
	{"proc.is_container_liveness_probe", filter.TypeBool, fields.ArgNone, hostMissing, "Deprecated; has no value."},
	{"proc.is_container_readiness_probe", filter.TypeBool, fields.ArgNone, hostMissing, "Deprecated; has no value."},
}

var k8sFields = []ctrField{
	{"k8s.pod.name", filter.TypeString, fields.ArgNone, hostMissing, "The Kubernetes pod name (runtime metadata)."},
	{"k8s.ns.name", filter.TypeString, fields.ArgNone, hostMissing, "The Kubernetes namespace name (runtime metadata)."},
	{"k8s.pod.id", filter.TypeString, fields.ArgNone, hostMissing, "Legacy name of k8s.pod.uid."},
	{"k8s.pod.uid", filter.TypeString, fields.ArgNone, hostMissing, "The Kubernetes pod UID (runtime metadata)."},
	{"k8s.pod.sandbox_id", filter.TypeString, fields.ArgNone, hostEmpty, "The pod sandbox id, 12 characters (runtime metadata)."},
	{"k8s.pod.full_sandbox_id", filter.TypeString, fields.ArgNone, hostEmpty, "The full pod sandbox id (runtime metadata)."},
	{"k8s.pod.label", filter.TypeString, fields.ArgKey, hostMissing, "A pod label, k8s.pod.label.NAME or k8s.pod.label[NAME] (runtime metadata)."},
	{"k8s.pod.labels", filter.TypeString, fields.ArgNone, hostEmpty, "The pod labels, key:value, comma separated (runtime metadata)."},
	{"k8s.pod.ip", filter.TypeString, fields.ArgNone, hostMissing, "The pod's IPv4 address (runtime metadata)."},
	{"k8s.pod.cni.json", filter.TypeString, fields.ArgNone, hostMissing, "The pod's CNI result (runtime metadata)."},
	{"k8s.rc.name", filter.TypeString, fields.ArgNone, hostMissing, "Deprecated; has no value."},
	{"k8s.rc.id", filter.TypeString, fields.ArgNone, hostMissing, "Deprecated; has no value."},
	{"k8s.rc.label", filter.TypeString, fields.ArgKey, hostMissing, "Deprecated; has no value."},
	{"k8s.rc.labels", filter.TypeString, fields.ArgNone, hostMissing, "Deprecated; has no value."},
	{"k8s.svc.name", filter.TypeString, fields.ArgNone, hostMissing, "Deprecated; has no value."},
	{"k8s.svc.id", filter.TypeString, fields.ArgNone, hostMissing, "Deprecated; has no value."},
	{"k8s.svc.label", filter.TypeString, fields.ArgKey, hostMissing, "Deprecated; has no value."},
	{"k8s.svc.labels", filter.TypeString, fields.ArgNone, hostMissing, "Deprecated; has no value."},
	{"k8s.ns.id", filter.TypeString, fields.ArgNone, hostMissing, "Deprecated; has no value."},
	{"k8s.ns.label", filter.TypeString, fields.ArgKey, hostMissing, "Deprecated; has no value."},
	{"k8s.ns.labels", filter.TypeString, fields.ArgNone, hostMissing, "Deprecated; has no value."},
	{"k8s.rs.name", filter.TypeString, fields.ArgNone, hostMissing, "Deprecated; has no value."},
	{"k8s.rs.id", filter.TypeString, fields.ArgNone, hostMissing, "Deprecated; has no value."},
	{"k8s.rs.label", filter.TypeString, fields.ArgKey, hostMissing, "Deprecated; has no value."},
	{"k8s.rs.labels", filter.TypeString, fields.ArgNone, hostMissing, "Deprecated; has no value."},
	{"k8s.deployment.name", filter.TypeString, fields.ArgNone, hostMissing, "Deprecated; has no value."},
	{"k8s.deployment.id", filter.TypeString, fields.ArgNone, hostMissing, "Deprecated; has no value."},
	{"k8s.deployment.label", filter.TypeString, fields.ArgKey, hostMissing, "Deprecated; has no value."},
	{"k8s.deployment.labels", filter.TypeString, fields.ArgNone, hostMissing, "Deprecated; has no value."},
}

func fallbackClasses() []*fields.Class {
	return []*fields.Class{
		{Name: "proc", Desc: "Executable details of a process.", Fields: exeFields()},
		{Name: "fd", Desc: "File descriptor details.", Fields: []fields.Def{{
			Name: "fd.name_changed", Type: filter.TypeBool,
			Desc: "Whether the event changed the fd's name (a datagram sent to a new peer); always false here, as the state does not track name changes.",
			Bind: func(*fields.Binding) (*fields.Extractor, error) {
				x := &fields.Extractor{}
				x.Field.Info = filter.FieldInfo{Name: "fd.name_changed", Type: filter.TypeBool}
				x.Field.Bool = func(c fields.Ctx, _ int) (bool, bool) { return false, c != nil && c.FD != nil }
				return x, nil
			},
		}}},
		{Name: "container", Desc: "Container information (container id from cgroups; runtime metadata not available yet).", Fields: defs(containerFields)},
		{Name: "k8s", Desc: "Kubernetes pod information (runtime metadata not available yet).", Fields: defs(k8sFields)},
	}
}

func defs(fs []ctrField) []fields.Def {
	out := make([]fields.Def, len(fs))
	for i, f := range fs {
		f := f
		out[i] = fields.Def{
			Name: f.name,
			Type: f.typ,
			Arg:  f.arg,
			Desc: f.desc,
			Bind: func(*fields.Binding) (*fields.Extractor, error) { return f.bind(), nil },
		}
		if f.typ == filter.TypeAbsTime || f.typ == filter.TypeRelTime {
			out[i].Print = fields.PrintDec
		}
	}
	return out
}

// idCache remembers the container id of the last cgroup set it computed,
// so that the rules evaluated on consecutive events of a process do not
// match the same paths again. It keeps the cgroup entries it compared (and
// with them their strings, so their memory cannot be reused for other
// paths); a thread whose entries are the same strings gets the cached id.
// Each field occurrence has its own cache: getters of one compiled filter
// run on one goroutine at a time.
type idCache struct {
	cg []state.Cgroup
	id string
	ok bool
}

func samePaths(a, b []state.Cgroup) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i].Path) != len(b[i].Path) || unsafe.StringData(a[i].Path) != unsafe.StringData(b[i].Path) {
			return false
		}
	}
	return true
}

func (k *idCache) of(t *state.Thread) string {
	if k.ok && samePaths(t.Cgroups, k.cg) {
		return k.id
	}
	k.id = ContainerID(t)
	k.cg = append(k.cg[:0], t.Cgroups...)
	k.ok = true
	return k.id
}

// onHost reports whether the event's thread is known and runs on the host;
// known is false when the thread is unknown (every field is then missing).
func (k *idCache) onHost(c fields.Ctx) (host, known bool) {
	if c == nil || c.Thread == nil {
		return false, false
	}
	return k.of(c.Thread) == container.HostID, true
}

func (f ctrField) bind() *fields.Extractor {
	x := &fields.Extractor{}
	x.Field.Info = filter.FieldInfo{Name: f.name, Type: f.typ}
	k := &idCache{}
	switch f.typ.Kind() {
	case filter.KindString:
		if f.name == "container.id" {
			x.Field.Str = func(c fields.Ctx, _ int) (string, bool) {
				if c == nil || c.Thread == nil {
					return "", false
				}
				return k.of(c.Thread), true
			}
			break
		}
		x.Field.Str = func(c fields.Ctx, _ int) (string, bool) {
			host, known := k.onHost(c)
			if !known || !host {
				return "", false
			}
			switch f.host {
			case hostName:
				return container.HostID, true
			case hostEmpty:
				return "", true
			}
			return "", false
		}
	case filter.KindBool:
		x.Field.Bool = func(c fields.Ctx, _ int) (bool, bool) {
			host, known := k.onHost(c)
			return false, known && host && f.host == hostEmpty
		}
	case filter.KindUint:
		x.Field.Uint = func(fields.Ctx, int) (uint64, bool) { return 0, false }
	}
	return x
}

// Exec flags (the execve_flags table).
const (
	exeUpperLayer = 2
	exeFromMemfd  = 4
)

// execParam returns parameter name of an execve or execveat exit event,
// or false for other events.
func execParam(c fields.Ctx, name string) (uint64, bool) {
	if c == nil || c.Evt == nil || c.Evt.IsEnter() {
		return 0, false
	}
	info := c.Evt.Info()
	if info == nil || (info.Name != "execve" && info.Name != "execveat") {
		return 0, false
	}
	i := info.ParamIndex(name)
	if i < 0 {
		return 0, false
	}
	return c.Evt.Uint(i)
}

// exeFields are the proc.* executable fields: read from the exec event
// itself (flags, inode times); on other events the memfd flag is derived
// from the executable path, the upper-layer flag is false and the inode
// times have no value.
func exeFields() []fields.Def {
	boolDef := func(name, desc string, bit uint64, fallback func(t *state.Thread) bool) fields.Def {
		return fields.Def{Name: name, Type: filter.TypeBool, Desc: desc,
			Bind: func(*fields.Binding) (*fields.Extractor, error) {
				x := &fields.Extractor{}
				x.Field.Info = filter.FieldInfo{Name: name, Type: filter.TypeBool}
				x.Field.Bool = func(c fields.Ctx, _ int) (bool, bool) {
					if f, ok := execParam(c, "flags"); ok {
						return f&bit != 0, true
					}
					if c == nil || c.Thread == nil {
						return false, false
					}
					return fallback(c.Thread), true
				}
				return x, nil
			}}
	}
	timeDef := func(name, desc string, get func(c fields.Ctx) (uint64, bool)) fields.Def {
		return fields.Def{Name: name, Type: filter.TypeAbsTime, Print: fields.PrintDec, Desc: desc,
			Bind: func(*fields.Binding) (*fields.Extractor, error) {
				x := &fields.Extractor{}
				x.Field.Info = filter.FieldInfo{Name: name, Type: filter.TypeAbsTime}
				x.Field.Uint = func(c fields.Ctx, _ int) (uint64, bool) { return get(c) }
				return x, nil
			}}
	}
	return []fields.Def{
		boolDef("proc.is_exe_from_memfd", "Whether the executable is a memfd (fileless execution).", exeFromMemfd,
			func(t *state.Thread) bool {
				return strings.HasPrefix(t.ExePath, "/memfd:") || strings.HasPrefix(t.ExePath, "memfd:")
			}),
		boolDef("proc.is_exe_upper_layer", "Whether the executable is on the upper layer of an overlayfs (added to a container image).", exeUpperLayer,
			func(*state.Thread) bool { return false }),
		timeDef("proc.exe_ino.ctime", "The executable's inode change time (on exec events).",
			func(c fields.Ctx) (uint64, bool) { return execParam(c, "exe_ino_ctime") }),
		timeDef("proc.exe_ino.mtime", "The executable's inode modification time (on exec events).",
			func(c fields.Ctx) (uint64, bool) { return execParam(c, "exe_ino_mtime") }),
		timeDef("proc.exe_ino.ctime_duration_proc_start", "Nanoseconds between the executable's inode change and the process start (on exec events).",
			func(c fields.Ctx) (uint64, bool) {
				ct, ok := execParam(c, "exe_ino_ctime")
				if !ok || ct == 0 || c.Thread == nil || c.Thread.CloneTs == 0 || c.Thread.CloneTs < ct {
					return 0, false
				}
				return c.Thread.CloneTs - ct, true
			}),
	}
}
