package fields_test

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/fields"
	"github.com/syscope/syscope/filter"
	"github.com/syscope/syscope/internal/testenv"
	"github.com/syscope/syscope/state"
)

func sharedDir(t *testing.T) string { return testenv.SharedDir(t, "spec") }

// notImplemented lists the libsinsp fields syscope lacks, with the reason.
// The coverage tests fail on any other missing field, and on a field listed
// here that exists.
var notImplemented = map[string]string{
	"evt.around": "needs a comparison hook in the filter package (its check is a time window, not a value comparison)",
}

// TestCurrentLibsinspFields checks that every field of current libsinsp's
// evt, process, thread, fd, fdlist, fs.path, user, group and util classes
// is registered (or listed in notImplemented).
func TestCurrentLibsinspFields(t *testing.T) {
	shared := sharedDir(t)
	f, err := os.Open(filepath.Join(shared, "spec", "sinsp_fields_current.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	reg := fields.Default()
	classes := map[string]bool{"evt": true, "process": true, "fd": true, "fdlist": true, "fs.path": true, "user": true, "group": true, "util": true}
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 3 || strings.HasPrefix(cols[0], "#") || !classes[cols[1]] {
			continue
		}
		name := cols[2]
		n++
		_, missing := notImplemented[name]
		if d := reg.Lookup(name); d == nil && !missing {
			t.Errorf("libsinsp field %s is not registered", name)
		} else if d != nil && missing {
			t.Errorf("field %s is registered but listed as not implemented", name)
		}
	}
	if n < 200 {
		t.Fatalf("read only %d fields from the spec", n)
	}
}

// TestSysdigFields checks the fields of sysdig 0.29.3 whose data syscope
// has (its container, k8s, mesos, span and evtin classes need metadata
// syscope does not provide here).
func TestSysdigFields(t *testing.T) {
	shared := sharedDir(t)
	f, err := os.Open(filepath.Join(shared, "spec", "sysdig_0.29.3_fields.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	reg := fields.Default()
	skipClass := map[string]bool{"container": true, "k8s": true, "mesos": true, "span": true, "evtin": true}
	skipField := map[string]string{
		"proc.is_container_healthcheck":     "container health probes belong to the container fields",
		"proc.is_container_liveness_probe":  "container health probes belong to the container fields",
		"proc.is_container_readiness_probe": "container health probes belong to the container fields",
	}
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 3 || strings.HasPrefix(cols[0], "#") || skipClass[cols[0]] {
			continue
		}
		name := cols[2]
		if _, ok := skipField[name]; ok {
			continue
		}
		if _, ok := notImplemented[name]; ok {
			continue
		}
		n++
		if reg.Lookup(name) == nil {
			t.Errorf("sysdig 0.29.3 field %s is not registered", name)
		}
	}
	if n < 100 {
		t.Fatalf("read only %d fields", n)
	}
}

// TestDefinitions checks every registered field has a type, a description
// in a sentence, and resolves (with an argument when it needs one).
func TestDefinitions(t *testing.T) {
	r := fields.NewResolver(nil, nil)
	for _, c := range fields.Default().Classes() {
		if c.Desc == "" {
			t.Errorf("class %s has no description", c.Name)
		}
		for i := range c.Fields {
			d := &c.Fields[i]
			if d.Desc == "" || !strings.HasSuffix(d.Desc, ".") {
				t.Errorf("%s: description %q should be a sentence", d.Name, d.Desc)
			}
			ref := filter.Ref{Name: d.Name}
			switch d.Arg {
			case fields.ArgKey, fields.ArgIndexOrKey:
				arg := "fd"
				switch d.Name {
				case "evt.type.is":
					arg = "open"
				case "evt.abspath":
					arg = "src"
				case "thread.cgroup":
					arg = "cpuacct"
				}
				ref = filter.Ref{Name: d.Name + "." + arg}
			}
			x, err := r.Extractor(ref)
			if err != nil {
				t.Errorf("%s: %v", d.Name, err)
				continue
			}
			if x.Info().Type == filter.TypeNone {
				t.Errorf("%s: no type", d.Name)
			}
		}
	}
}

func TestResolveErrors(t *testing.T) {
	r := fields.NewResolver(nil, nil)
	cases := []struct {
		ref  filter.Ref
		want error
	}{
		{filter.Ref{Name: "proc.nosuch"}, filter.ErrUnknownField},
		{filter.Ref{Name: "nosuch"}, filter.ErrUnknownField},
		{filter.Ref{Name: "proc.aname", Arg: "x", HasArg: true}, filter.ErrFieldArg},
		{filter.Ref{Name: "proc.aname", Arg: "-1", HasArg: true}, filter.ErrFieldArg},
		{filter.Ref{Name: "proc.name", Arg: "1", HasArg: true}, filter.ErrFieldArg},
		{filter.Ref{Name: "evt.arg"}, filter.ErrFieldArg},
		{filter.Ref{Name: "evt.arg.nosuchparameter"}, filter.ErrFieldArg},
		{filter.Ref{Name: "evt.rawarg", Arg: "0", HasArg: true}, filter.ErrFieldArg},
		{filter.Ref{Name: "evt.type.is.nosuchevent"}, filter.ErrFieldArg},
		{filter.Ref{Name: "thread.cgroup"}, filter.ErrFieldArg},
		{filter.Ref{Name: "evt.abspath.middle"}, filter.ErrFieldArg},
		{filter.Ref{Name: "evt.arg.fd", Arg: "1", HasArg: true}, filter.ErrFieldArg},
	}
	for _, c := range cases {
		_, err := r.Resolve(c.ref)
		if !errors.Is(err, c.want) {
			t.Errorf("Resolve(%s) = %v, want %v", c.ref, err, c.want)
		}
	}
	ok := []filter.Ref{
		{Name: "proc.aname", Arg: "2", HasArg: true},
		{Name: "proc.aname"},
		{Name: "evt.arg.fd"},
		{Name: "evt.arg", Arg: "0", HasArg: true},
		{Name: "evt.rawarg.res"},
		{Name: "thread.cgroup.cpuacct"},
		{Name: "thread.cgroup", Arg: "cpuacct", HasArg: true},
		{Name: "proc.env", Arg: "HOME", HasArg: true},
		{Name: "fd.types", Arg: "0", HasArg: true},
		{Name: "evt.type.is.3"},
	}
	for _, ref := range ok {
		if _, err := r.Resolve(ref); err != nil {
			t.Errorf("Resolve(%s): %v", ref, err)
		}
	}
	if f, _ := r.Resolve(filter.Ref{Name: "evt.rawarg.res"}); f.Info.Type != filter.TypeInt {
		t.Errorf("evt.rawarg.res type %s, want int64", f.Info.Type)
	}
	if f, _ := r.Resolve(filter.Ref{Name: "evt.rawarg.name"}); f.Info.Type != filter.TypeString {
		t.Errorf("evt.rawarg.name type %s, want string", f.Info.Type)
	}
}

func TestParseToken(t *testing.T) {
	r := fields.NewResolver(nil, nil)
	cases := []struct {
		in      string
		name    string
		arg     string
		hasArg  bool
		n       int
		resolve bool
	}{
		{"evt.num %evt.time", "evt.num", "", false, 7, true},
		{"evt.numfoo", "evt.num", "", false, 7, true},
		{"proc.aname[2])", "proc.aname", "2", true, 13, true},
		{"evt.arg.flags)", "evt.arg.flags", "", false, 13, true},
		{"evt.arg[0] x", "evt.arg", "0", true, 10, true},
		{"thread.cgroup.cpuacct x", "thread.cgroup.cpuacct", "", false, 21, true},
		{"thread.cgroups x", "thread.cgroups", "", false, 14, true},
		{"evt.type.is.open", "evt.type.is.open", "", false, 16, true},
		{"evt.type.x", "evt.type", "", false, 8, true},
		{"fd.name(", "fd.name", "", false, 7, true},
		{"nosuch.field", "", "", false, 0, false},
		{"", "", "", false, 0, false},
	}
	for _, c := range cases {
		ref, n := r.ParseToken(c.in)
		if n != c.n || ref.Name != c.name || ref.Arg != c.arg || ref.HasArg != c.hasArg {
			t.Errorf("ParseToken(%q) = %+v, %d; want %s[%s] %v, %d", c.in, ref, n, c.name, c.arg, c.hasArg, c.n)
			continue
		}
		if c.resolve {
			if _, err := r.Resolve(ref); err != nil {
				t.Errorf("ParseToken(%q): %v", c.in, err)
			}
		}
	}
}

func TestAppendJSONString(t *testing.T) {
	cases := map[string]string{
		"plain /path":   `"plain /path"`,
		"a\"b\\c":       `"a\"b\\c"`,
		"\n\r\t\b\f":    `"\n\r\t\b\f"`,
		"\x01\x1f\x7f":  `"\u0001\u001f` + "\x7f" + `"`,
		"é":             `"\u00e9"`,
		"€":             `"\u20ac"`,
		"😀":             `"\ud83d\ude00"`,
		"\xff":          `"\ufffd"`,
		"\xc3":          `"\ufffd"`,
		"x\xc3\xa9y":    `"x\u00e9y"`,
		"\xe0\x80\x80z": `"\ufffdz"`,
		"\xed\xa0\x80":  `"\ufffd"`,
	}
	for in, want := range cases {
		if got := string(fields.AppendJSONString(nil, in)); got != want {
			t.Errorf("AppendJSONString(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestIsLocal(t *testing.T) {
	env := &fields.Env{Local: []netipAddr{mustAddr("10.0.0.79"), mustAddr("::1"), mustAddr("2600:1f18:262c:6542:9aa6:df7a:9a47:d29e")}}
	cases := map[string]bool{
		"10.0.0.79":                 true,
		"10.0.0.80":                 false,
		"::1":                       true,
		"::":                        true, // first 64 bits match ::1's
		"2600:1f18:262c:6542::1":    true,
		"2001:4860:4860::8888":      false,
		"2600:1f18:262c:6543::dead": false,
	}
	for a, want := range cases {
		if got := env.IsLocal(mustAddr(a)); got != want {
			t.Errorf("IsLocal(%s) = %v, want %v", a, got, want)
		}
	}
}

// testState builds a state with one thread (tid 100, "cat", child of a
// bash with pid 50) with fd 3 open on /etc/passwd.
func testState(t testing.TB) *state.State {
	t.Helper()
	st := state.New(nil)
	st.AddUser(state.User{UID: 1000, GID: 1000, Name: "alice", HomeDir: "/home/alice", Shell: "/bin/bash"})
	st.AddGroup(state.Group{GID: 1000, Name: "staff"})
	st.SeedThread(&state.ProcInfo{Tid: 50, Pid: 50, PTid: 1, Sid: 50, VTid: 50, VPid: 50, VPgid: 50, Comm: "bash", Exe: "bash", ExePath: "/bin/bash", Cwd: "/home/alice/", UID: 1000, GID: 1000, LoginUID: 1000})
	st.SeedThread(&state.ProcInfo{Tid: 100, Pid: 100, PTid: 50, Sid: 50, VTid: 100, VPid: 100, VPgid: 100, Comm: "cat", Exe: "cat", ExePath: "/bin/cat",
		Args: []string{"-n", "/etc/passwd"}, Env: []string{"HOME=/home/alice", "TERM=xterm"}, Cwd: "/tmp/", UID: 1000, GID: 1000, LoginUID: 1000,
		FDLimit: 1024, CapEffective: 1<<0 | 1<<21, Cgroups: []state.Cgroup{{Subsys: "cpuacct", Path: "/user.slice"}},
		FDs: []state.FDInfo{{Num: 3, Type: state.FDFile, Name: "/etc/passwd"}}})
	st.SeedDone()
	return st
}

func build(t testing.TB, f func(b *event.Builder)) *event.Event {
	t.Helper()
	var b event.Builder
	f(&b)
	raw, err := b.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return &event.Event{Raw: append([]byte(nil), raw...), Num: 7, CPU: 1}
}

// TestExtraction runs synthetic events through the state and checks the
// text of a set of fields.
func TestExtraction(t *testing.T) {
	st := testState(t)
	env := &fields.Env{State: st, Compat: fields.Sysdig029, FirstTs: 1_000_000_000, Location: utc}
	r := fields.NewResolver(nil, env)
	ts := uint64(1_534_527_348_514_632_619)
	enter := build(t, func(b *event.Builder) { b.Reset(ts, 100, event.SyscallReadE).I64(3).U32(4096) })
	st.Process(enter)
	exit := build(t, func(b *event.Builder) {
		b.Reset(ts+1500, 100, event.SyscallReadX).I64(5).Raw([]byte("root\n"))
	})
	c := st.Process(exit)
	want := map[string]string{
		"evt.num":               "7",
		"evt.time":              "17:35:48.514634119",
		"evt.datetime":          "2018-08-17 17:35:48.514634119",
		"evt.time.iso8601":      "2018-08-17T17:35:48.514634119+0000",
		"evt.rawtime":           "1534527348514634119",
		"evt.rawtime.ns":        "514634119",
		"evt.dir":               "<",
		"evt.type":              "read",
		"evt.cpu":               "1",
		"evt.args":              "res=5 data=root. ",
		"evt.arg.data":          "root.",
		"evt.arg[0]":            "5",
		"evt.res":               "SUCCESS",
		"evt.rawres":            "5",
		"evt.failed":            "false",
		"evt.is_io":             "true",
		"evt.is_io_read":        "true",
		"evt.io_dir":            "read",
		"evt.category":          "file",
		"evt.buflen":            "5",
		"evt.buffer":            "root.",
		"evt.latency":           "1500",
		"evt.count":             "1",
		"evt.count.exit":        "1",
		"evt.type.is.read":      "<NA>",
		"syscall.type":          "read",
		"thread.tid":            "100",
		"proc.pid":              "100",
		"proc.name":             "cat",
		"proc.exe":              "cat",
		"proc.exepath":          "/bin/cat",
		"proc.args":             "-n /etc/passwd",
		"proc.args[1]":          "/etc/passwd",
		"proc.cmdline":          "cat -n /etc/passwd",
		"proc.exeline":          "cat -n /etc/passwd",
		"proc.env[HOME]":        "/home/alice",
		"proc.cwd":              "/tmp/",
		"proc.ppid":             "50",
		"proc.pname":            "bash",
		"proc.pcmdline":         "bash",
		"proc.aname[1]":         "bash",
		"proc.apid[1]":          "50",
		"proc.aname[2]":         "<NA>",
		"proc.sname":            "bash",
		"proc.loginshellid":     "50",
		"proc.vpid":             "100",
		"proc.fdopencount":      "1",
		"proc.fdlimit":          "1024",
		"thread.cap_effective":  "CAP_CHOWN CAP_SYS_ADMIN",
		"thread.cgroups":        "cpuacct=/user.slice",
		"thread.cgroup.cpuacct": "/user.slice",
		"thread.ismain":         "true",
		"user.uid":              "1000",
		"user.name":             "alice",
		"user.homedir":          "/home/alice",
		"user.loginname":        "alice",
		"group.name":            "staff",
		"fd.num":                "3",
		"fd.name":               "/etc/passwd",
		"fd.type":               "file",
		"fd.typechar":           "f",
		"fd.directory":          "/etc",
		"fd.filename":           "passwd",
		"fd.uid":                "1003",
		"fd.l4proto":            "<NA>",
		"fd.sip":                "<NA>",
		"fd.is_server":          "false",
		"evt.source":            "syscall",
		"evt.is_async":          "false",
	}
	for name, w := range want {
		ref, n := r.ParseToken(name)
		if n != len(name) {
			t.Errorf("%s: parsed %d bytes", name, n)
			continue
		}
		x, err := r.Extractor(ref)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		got, ok := x.AppendText(nil, c)
		if !ok {
			got = []byte("<NA>")
		}
		if string(got) != w {
			t.Errorf("%s = %q, want %q", name, got, w)
		}
	}
}

// TestExtractionAllocs checks that extracting through the filter getters
// and the text and JSON renderers does not allocate.
func TestExtractionAllocs(t *testing.T) {
	st := testState(t)
	env := &fields.Env{State: st, Compat: fields.Sysdig029, Location: utc}
	r := fields.NewResolver(nil, env)
	ts := uint64(1_534_527_348_514_632_619)
	st.Process(build(t, func(b *event.Builder) { b.Reset(ts, 100, event.SyscallReadE).I64(3).U32(4096) }))
	c := st.Process(build(t, func(b *event.Builder) { b.Reset(ts+1500, 100, event.SyscallReadX).I64(5).Raw([]byte("root\n")) }))
	var xs []*fields.Extractor
	for _, n := range []string{"evt.num", "evt.time", "evt.args", "evt.type", "proc.cmdline", "proc.aname[1]", "fd.name", "fd.directory", "user.name", "evt.res", "evt.category", "proc.aname", "thread.cap_effective", "evt.rawarg.res", "fd.types"} {
		ref, _ := r.ParseToken(n)
		x, err := r.Extractor(ref)
		if err != nil {
			t.Fatal(err)
		}
		xs = append(xs, x)
	}
	buf := make([]byte, 0, 4096)
	run := func() {
		for _, x := range xs {
			buf, _ = x.AppendText(buf[:0], c)
			buf, _ = x.AppendJSON(buf[:0], c)
			f := &x.Field
			n := 1
			if f.Len != nil {
				n = f.Len(c)
			}
			for i := 0; i < n; i++ {
				switch f.Info.Type.Kind() {
				case filter.KindString:
					f.Str(c, i)
				case filter.KindInt:
					f.Int(c, i)
				case filter.KindUint:
					f.Uint(c, i)
				case filter.KindBytes:
					f.Bytes(c, i)
				case filter.KindBool:
					f.Bool(c, i)
				case filter.KindIP:
					f.IP(c, i)
				}
			}
		}
	}
	run()
	if a := testing.AllocsPerRun(100, run); a != 0 {
		t.Errorf("extraction allocates %.1f times per run", a)
	}
}

// TestSyslog decodes a write to /dev/log.
func TestSyslog(t *testing.T) {
	st := state.New(nil)
	st.SeedThread(&state.ProcInfo{Tid: 9, Pid: 9, PTid: 1, Comm: "logger", VTid: 9, VPid: 9,
		FDs: []state.FDInfo{{Num: 5, Type: state.FDUnixSock, Name: "/dev/log"}, {Num: 6, Type: state.FDFile, Name: "/tmp/x"}}})
	st.SeedDone()
	env := &fields.Env{State: st, Compat: fields.Sysdig029, Location: utc}
	r := fields.NewResolver(nil, env)
	get := func(name string, c *state.Ctx) string {
		t.Helper()
		ref, _ := r.ParseToken(name)
		x, err := r.Extractor(ref)
		if err != nil {
			t.Fatal(err)
		}
		b, ok := x.AppendText(nil, c)
		if !ok {
			return "<NA>"
		}
		return string(b)
	}
	write := func(fd int64, data string) *state.Ctx {
		st.Process(build(t, func(b *event.Builder) { b.Reset(1, 9, event.SyscallWriteE).I64(fd).U32(uint32(len(data))) }))
		return st.Process(build(t, func(b *event.Builder) { b.Reset(2, 9, event.SyscallWriteX).I64(int64(len(data))).Raw([]byte(data)) }))
	}
	info := get("evt.info", write(5, "<14>hello"))
	c := write(5, "<14>hello")
	// evt.info last: it decodes syslog writes only once a syslog field is bound
	for _, f := range [][2]string{
		{"syslog.facility", "1"}, {"syslog.facility.str", "user"}, {"syslog.severity", "6"},
		{"syslog.severity.str", "info"}, {"syslog.message", "hello"},
		{"evt.info", "syslog sev=info msg=hello"},
	} {
		if got := get(f[0], c); got != f[1] {
			t.Errorf("%s = %q, want %q", f[0], got, f[1])
		}
	}
	if info != "res=9 data=<14>hello " {
		t.Errorf("evt.info before any syslog field = %q", info)
	}
	c = write(6, "<14>hello")
	if got := get("syslog.message", c); got != "<NA>" {
		t.Errorf("write to a file: syslog.message = %q", got)
	}
	c = write(5, "<x4>bad")
	if got := get("syslog.severity", c); got != "<NA>" {
		t.Errorf("bad priority: syslog.severity = %q", got)
	}
	c = write(5, "<191>x")
	if got := get("syslog.facility.str", c) + " " + get("syslog.severity.str", c); got != "local7 debug" {
		t.Errorf("<191>: %q", got)
	}
}
