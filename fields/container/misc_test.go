package containerfields_test

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/syscope/syscope/fields"
	containerfields "github.com/syscope/syscope/fields/container"
	"github.com/syscope/syscope/internal/testenv"
	"github.com/syscope/syscope/state"
)

func sharedDir(t testing.TB) string { return testenv.SharedDir(t) }

// The fields sysdig 0.29.3 lists in its container, k8s and process classes
// that are about containers all resolve.
func TestSysdigFieldsRegistered(t *testing.T) {
	f, err := os.Open(filepath.Join(sharedDir(t), "spec", "sysdig_0.29.3_fields.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	reg := fields.Default()
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 3 {
			continue
		}
		name := cols[2]
		if !strings.HasPrefix(name, "container.") && !strings.HasPrefix(name, "k8s.") && !strings.HasPrefix(name, "proc.is_container_") {
			continue
		}
		n++
		if reg.Lookup(name) == nil {
			t.Errorf("sysdig 0.29.3 field %s is not registered", name)
		}
	}
	if n < 40 {
		t.Fatalf("only %d container/k8s fields in the sysdig list", n)
	}
}

// The fields the upstream Falco rules use resolve.
func TestRuleFieldsRegistered(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(sharedDir(t), "rules", "falco_rules_fields.txt"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(string(b), "\n") {
		name, _, _ := strings.Cut(line, "\t")
		if strings.HasPrefix(name, "container.") || strings.HasPrefix(name, "k8s.") {
			n++
			if fields.Default().Lookup(name) == nil {
				t.Errorf("rules field %s is not registered", name)
			}
		}
	}
	if n == 0 {
		t.Fatal("no container fields in the rules list")
	}
}

// The fields of the Falco container plugin (current Falco) resolve.
func TestPluginFieldsRegistered(t *testing.T) {
	names := []string{
		"container.id", "container.full_id", "container.name", "container.image", "container.image.id",
		"container.type", "container.privileged", "container.mounts", "container.mount", "container.mount.source",
		"container.mount.dest", "container.mount.mode", "container.mount.rdwr", "container.mount.propagation",
		"container.image.repository", "container.image.tag", "container.image.digest", "container.healthcheck",
		"container.liveness_probe", "container.readiness_probe", "container.start_ts", "container.duration",
		"container.ip", "container.cni.json", "container.host_network", "container.label", "container.labels",
		"proc.is_container_healthcheck", "proc.is_container_liveness_probe", "proc.is_container_readiness_probe",
		"k8s.pod.name", "k8s.ns.name", "k8s.pod.id", "k8s.pod.uid", "k8s.pod.sandbox_id", "k8s.pod.full_sandbox_id",
		"k8s.pod.label", "k8s.pod.labels", "k8s.pod.ip", "k8s.pod.cni.json",
	}
	for _, n := range names {
		if fields.Default().Lookup(n) == nil {
			t.Errorf("%s is not registered", n)
		}
	}
}

func TestRegisterTwiceFails(t *testing.T) {
	reg := fields.NewRegistry()
	if err := containerfields.Register(reg); err != nil {
		t.Fatal(err)
	}
	if err := containerfields.Register(reg); err == nil {
		t.Fatal("registering the classes twice succeeded")
	}
	if err := containerfields.Register(fields.Default()); err == nil {
		t.Fatal("the default registry does not hold the classes already")
	}
}

func TestArgumentErrors(t *testing.T) {
	w := newWorld(t, fields.Current)
	for _, f := range []string{"container.mount", "container.label", "k8s.pod.label", "container.mount.dest"} {
		ref, _ := w.res.ParseToken(f)
		if _, err := w.res.Extractor(ref); err == nil {
			t.Errorf("%s without an argument resolved", f)
		}
	}
}

func TestTrackerCache(t *testing.T) {
	w := newWorld(t, fields.Current)
	th := w.st.Thread(tidCtrShell)
	if info := w.tr.Info(th); info.FullID != dockerID {
		t.Fatalf("info = %+v", info)
	}
	s0 := w.tr.Stats()
	w.tr.Info(th)
	s1 := w.tr.Stats()
	if s1.Hits != s0.Hits+1 || s1.Misses != s0.Misses {
		t.Fatalf("second detection was not a hit: %+v then %+v", s0, s1)
	}
	// New cgroups (the thread moved, or its id was reused): detected anew.
	th.Cgroups = cg("/docker/" + pendingID)
	if info := w.tr.Info(th); info.FullID != pendingID {
		t.Fatalf("after the cgroups changed: %+v", info)
	}
	if s2 := w.tr.Stats(); s2.Misses != s1.Misses+1 {
		t.Fatalf("changed cgroups were not detected again: %+v", s2)
	}
	// Same contents in new strings: detected again, same answer.
	th.Cgroups = cg(strings.Clone("/docker/" + pendingID))
	if info := w.tr.Info(th); info.FullID != pendingID {
		t.Fatalf("info = %+v", info)
	}
	w.tr.Forget(tidCtrShell)
	if w.tr.Info(nil).Type.String() != "host" {
		t.Fatal("nil thread is not on the host")
	}
}

func TestTrackerBound(t *testing.T) {
	tr := containerfields.NewTracker(nil, &containerfields.Options{MaxThreads: 8})
	st := state.New(nil)
	for i := int64(1); i <= 50; i++ {
		st.SeedThread(&state.ProcInfo{Tid: i, Pid: i, Comm: "x", Cgroups: cg("/docker/" + dockerID)})
	}
	for i := int64(1); i <= 50; i++ {
		info, rec := tr.Container(st.Thread(i))
		if info.FullID != dockerID || rec != nil {
			t.Fatalf("thread %d: %+v %v (no manager: no record)", i, info, rec)
		}
	}
	s := tr.Stats()
	if s.Cached > 8 || s.Evicted != 42 || s.MaxThreads != 8 {
		t.Fatalf("stats = %+v", s)
	}
}

func TestFnmatch(t *testing.T) {
	cases := []struct {
		pat, s string
		want   bool
	}{
		{"/proc*", "/proc", true},
		{"/proc*", "/proc/sys/kernel", true}, // '*' crosses '/'
		{"/proc*", "/pro", false},
		{"/", "/", true},
		{"/", "/etc", false},
		{"/root*", "/root/.ssh", true},
		{"/var/run/docker.sock", "/var/run/docker.sock", true},
		{"/var/run/docker.soc?", "/var/run/docker.sock", true},
		{"/srv/[a-c]at", "/srv/bat", true},
		{"/srv/[!a-c]at", "/srv/bat", false},
		{"/srv/[^a-c]at", "/srv/rat", true},
		{"/srv/[]x]", "/srv/]", true},
		{"/srv/[a", "/srv/[a", true}, // unterminated set: literal '['
		{`/a\*b`, "/a*b", true},
		{`/a\*b`, "/axb", false},
		{"*a*b*", "xxaxxbxx", true},
		{"*a*b", "xxaxxbxxc", false},
		{"", "", true},
		{"", "x", false},
		{"**", "", true},
	}
	for _, c := range cases {
		if got := containerfields.Fnmatch(c.pat, c.s); got != c.want {
			t.Errorf("Fnmatch(%q, %q) = %v, want %v", c.pat, c.s, got, c.want)
		}
	}
}

// refMatch is a direct recursive reading of fnmatch without flags, to
// check Fnmatch against.
func refMatch(p, s string) bool {
	if p == "" {
		return s == ""
	}
	switch p[0] {
	case '*':
		for i := 0; i <= len(s); i++ {
			if refMatch(p[1:], s[i:]) {
				return true
			}
		}
		return false
	case '?':
		return s != "" && refMatch(p[1:], s[1:])
	case '\\':
		if len(p) == 1 {
			return s != "" && s[0] == '\\' && refMatch(p[1:], s[1:])
		}
		return s != "" && s[0] == p[1] && refMatch(p[2:], s[1:])
	case '[':
		if s == "" {
			return false
		}
		end, neg, ok := refSet(p)
		if !ok {
			return s[0] == '[' && refMatch(p[1:], s[1:])
		}
		in := refIn(p[:end], s[0])
		return in != neg && refMatch(p[end:], s[1:])
	}
	return s != "" && s[0] == p[0] && refMatch(p[1:], s[1:])
}

// refSet finds the end of the set at the start of p.
func refSet(p string) (end int, neg, ok bool) {
	i := 1
	if i < len(p) && (p[i] == '!' || p[i] == '^') {
		neg = true
		i++
	}
	first := true
	for i < len(p) {
		if p[i] == ']' && !first {
			return i + 1, neg, true
		}
		first = false
		if p[i] == '\\' && i+1 < len(p) {
			i++
		}
		i++
		if i+1 < len(p) && p[i] == '-' && p[i+1] != ']' {
			if p[i+1] == '\\' && i+2 < len(p) {
				i++
			}
			i += 2
		}
	}
	return 0, false, false
}

func refIn(set string, c byte) bool {
	i := 1
	if set[i] == '!' || set[i] == '^' {
		i++
	}
	first := true
	for i < len(set) {
		if set[i] == ']' && !first {
			break
		}
		first = false
		lo := set[i]
		if lo == '\\' && i+1 < len(set) {
			i++
			lo = set[i]
		}
		i++
		hi := lo
		if i+1 < len(set) && set[i] == '-' && set[i+1] != ']' {
			hi = set[i+1]
			if hi == '\\' && i+2 < len(set) {
				i++
				hi = set[i+1]
			}
			i += 2
		}
		if lo <= c && c <= hi {
			return true
		}
	}
	return false
}

func FuzzFnmatch(f *testing.F) {
	for _, s := range [][2]string{
		{"/proc*", "/proc/1"}, {"*a?[b-d]", "xxazc"}, {"[!x]*", "y/z"}, {`\[*`, "[abc"}, {"[", "["},
		{"**/x", "a/b/x"}, {"[]-]", "-"}, {"a[\\]]b", "a]b"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pat, s string) {
		if len(pat) > 24 || len(s) > 24 {
			return // the reference is exponential
		}
		if got, want := containerfields.Fnmatch(pat, s), refMatch(pat, s); got != want {
			t.Fatalf("Fnmatch(%q, %q) = %v, reference %v", pat, s, got, want)
		}
	})
}
