package format_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/fields"
	"github.com/syscope/syscope/format"
	"github.com/syscope/syscope/state"
)

// fixture returns a resolver over a state with thread 100 ("cat", fd 3 on
// /etc/passwd) and the contexts of a read exit on fd 3 and of an event of
// an unknown thread without fd.
func fixture(t testing.TB) (*fields.Resolver, *state.State) {
	t.Helper()
	st := state.New(nil)
	st.SeedThread(&state.ProcInfo{Tid: 100, Pid: 100, PTid: 1, Comm: "cat", Exe: "cat", VTid: 100, VPid: 100,
		FDs: []state.FDInfo{{Num: 3, Type: state.FDFile, Name: "/etc/passwd"}}})
	st.SeedDone()
	r := fields.NewResolver(nil, &fields.Env{State: st, Compat: fields.Sysdig029, Location: time.UTC})
	return r, st
}

func ev(t testing.TB, f func(b *event.Builder)) *event.Event {
	t.Helper()
	var b event.Builder
	f(&b)
	raw, err := b.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return &event.Event{Raw: append([]byte(nil), raw...), Num: 42, CPU: 1}
}

const ts = uint64(1_534_527_348_514_632_619)

func readExit(t testing.TB, st *state.State) *state.Ctx {
	st.Process(ev(t, func(b *event.Builder) { b.Reset(ts, 100, event.SyscallReadE).I64(3).U32(10) }))
	return st.Process(ev(t, func(b *event.Builder) { b.Reset(ts+10, 100, event.SyscallReadX).I64(2).Raw([]byte("ab")) }))
}

func render(t *testing.T, f *format.Formatter, c *state.Ctx) (string, bool) {
	t.Helper()
	b, ok := f.Append(nil, c)
	return string(b), ok
}

func TestText(t *testing.T) {
	r, st := fixture(t)
	c := readExit(t, st)
	cases := []struct{ tmpl, want string }{
		{format.Default, "42 17:35:48.514632629 1 cat (100) < read res=2 data=ab "},
		{"%evt.num %fd.name %proc.name", "42 /etc/passwd cat"},
		{"[%5evt.num][%2proc.name]", "[42   ][ca]"},
		{"%evt.numx%evt.type", "42xread"},
		{"%proc.aname[0]:%evt.arg[1]:%evt.arg.res", "cat:ab:2"},
		{"no fields at all", "no fields at all"},
		{"%fd.sip", ""},
		{"*%fd.sip %evt.num", "<NA> 42"},
		{"*%4fd.sip|", "<NA>|"},
		{"*%6fd.sip|", "<NA>  |"},
	}
	for _, cs := range cases {
		f, err := format.New(cs.tmpl, r, nil)
		if err != nil {
			t.Errorf("New(%q): %v", cs.tmpl, err)
			continue
		}
		got, ok := render(t, f, c)
		if cs.want == "" {
			if ok {
				t.Errorf("%q printed %q; a missing field should skip the line", cs.tmpl, got)
			}
			continue
		}
		if !ok || got != cs.want {
			t.Errorf("%q = %q (%v), want %q", cs.tmpl, got, ok, cs.want)
		}
	}
}

func TestJSON(t *testing.T) {
	r, st := fixture(t)
	c := readExit(t, st)
	cases := []struct{ tmpl, want string }{
		{format.Default, `{"evt.cpu":1,"evt.dir":"<","evt.info":"res=2 data=ab ","evt.num":42,"evt.outputtime":1534527348514632629,"evt.type":"read","proc.name":"cat","thread.tid":100}`},
		{"%thread.tid text %evt.num %thread.tid", `{"evt.num":42,"thread.tid":100}`},
		{"*%fd.sip %evt.failed %evt.rawtime.ns %evt.reltime", `{"evt.failed":false,"evt.rawtime.ns":514632629,"evt.reltime":1534527348514632629,"fd.sip":null}`},
		{"%fd.sip %evt.num", ""},
		{"%evt.type.is.read %evt.num", ""},
	}
	for _, cs := range cases {
		f, err := format.New(cs.tmpl, r, &format.Options{JSON: true})
		if err != nil {
			t.Errorf("New(%q): %v", cs.tmpl, err)
			continue
		}
		got, ok := render(t, f, c)
		if cs.want == "" {
			if ok {
				t.Errorf("%q printed %s; a null field should skip the line", cs.tmpl, got)
			}
			continue
		}
		if !ok || got != cs.want {
			t.Errorf("%q =\n %s (%v), want\n %s", cs.tmpl, got, ok, cs.want)
		}
	}
}

func TestErrors(t *testing.T) {
	r, _ := fixture(t)
	cases := []struct {
		tmpl string
		want error
		text string
	}{
		{"", format.ErrSyntax, "empty"},
		{"%", format.ErrSyntax, "end with %"},
		{"%evt.num %", format.ErrSyntax, "end with %"},
		{"abc %12", format.ErrSyntax, "width"},
		{"%evt.num %nosuch", format.ErrSyntax, "column 11"},
		{"%fd.ip", fields.ErrFilterOnly, "fd.ip"},
		{"%proc.aname[x]", nil, "proc.aname"},
		{"%evt.arg", nil, "evt.arg"},
	}
	for _, c := range cases {
		_, err := format.New(c.tmpl, r, nil)
		if err == nil {
			t.Errorf("New(%q) succeeded", c.tmpl)
			continue
		}
		if c.want != nil && !errors.Is(err, c.want) {
			t.Errorf("New(%q) = %v, want %v", c.tmpl, err, c.want)
		}
		if !strings.Contains(err.Error(), c.text) {
			t.Errorf("New(%q) = %v, want it to mention %q", c.tmpl, err, c.text)
		}
	}
}

func TestUnescape(t *testing.T) {
	cases := map[string]string{
		`a\nb`:  "a\nb",
		`a\tb`:  "a\tb",
		`\e[0m`: "\x1b[0m",
		`a\\b`:  `a\b`,
		`a\qb`:  `a\qb`,
		`end\`:  `end\`,
		`plain`: `plain`,
	}
	for in, want := range cases {
		if got := format.Unescape(in); got != want {
			t.Errorf("Unescape(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAppendAllocs(t *testing.T) {
	r, st := fixture(t)
	c := readExit(t, st)
	for _, json := range []bool{false, true} {
		f, err := format.New(format.Default, r, &format.Options{JSON: json})
		if err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 0, 1024)
		run := func() { buf, _ = f.Append(buf[:0], c) }
		run()
		if a := testing.AllocsPerRun(100, run); a != 0 {
			t.Errorf("json=%v: Append allocates %.1f times", json, a)
		}
	}
}

// FuzzNew compiles arbitrary templates: they either compile or fail with an
// error, and a compiled template renders without panicking.
func FuzzNew(f *testing.F) {
	for _, s := range []string{format.Default, "*%evt.num %fd.name", "%5evt.num", "%", "%evt.arg[1] %proc.aname[2]",
		"%evt.arg.fd%evt.type.is.open", "%thread.cgroup.cpuacct", "*%fd.ip", "%12", "%proc.env[HOME] %fd.types[0]", "%evt.rawarg.res"} {
		f.Add(s)
	}
	r, st := fixture(f)
	c := readExit(f, st)
	f.Fuzz(func(t *testing.T, tmpl string) {
		for _, json := range []bool{false, true} {
			fm, err := format.New(tmpl, r, &format.Options{JSON: json})
			if err != nil {
				continue
			}
			fm.Append(nil, c)
		}
	})
}

func benchAppend(b *testing.B, tmpl string, json bool) {
	r, st := fixture(b)
	c := readExit(b, st)
	f, err := format.New(tmpl, r, &format.Options{JSON: json})
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = f.Append(buf[:0], c)
	}
}

// BenchmarkAppendDefault renders a read exit in sysdig's default format.
func BenchmarkAppendDefault(b *testing.B) { benchAppend(b, format.Default, false) }

// BenchmarkAppendJSON renders a read exit as sysdig's JSON.
func BenchmarkAppendJSON(b *testing.B) { benchAppend(b, format.Default, true) }

// BenchmarkAppendFields renders a template of process and fd fields.
func BenchmarkAppendFields(b *testing.B) {
	benchAppend(b, "%evt.num %proc.name %proc.cmdline %fd.name %fd.directory %user.uid %evt.res", false)
}
