package rules_test

import (
	"fmt"
	"testing"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/filter"
	"github.com/syscope/syscope/rules"
)

// ev is a minimal event for engine tests.
type ev struct {
	typ  event.Type
	proc string
	file string
}

type evResolver struct{}

func (evResolver) Resolve(ref filter.Ref) (filter.Field[*ev], error) {
	if ref.HasArg {
		return filter.Field[*ev]{}, fmt.Errorf("%w: %s takes no argument", filter.ErrFieldArg, ref.Name)
	}
	f := filter.Field[*ev]{Info: filter.FieldInfo{Name: ref.Name, Type: filter.TypeString}}
	switch ref.Name {
	case "evt.type":
		f.Str = func(e *ev, _ int) (string, bool) { return e.typ.String(), true }
	case "evt.num":
		f.Info.Type = filter.TypeUint
		f.Uint = func(*ev, int) (uint64, bool) { return 1, true }
	case "proc.name":
		f.Str = func(e *ev, _ int) (string, bool) { return e.proc, e.proc != "" }
	case "fd.name":
		f.Str = func(e *ev, _ int) (string, bool) { return e.file, e.file != "" }
	default:
		return filter.Field[*ev]{}, fmt.Errorf("%w '%s'", filter.ErrUnknownField, ref)
	}
	return f, nil
}

const engineRules = `
- list: shells
  items: [bash, sh]
- macro: open_read
  condition: evt.type in (open, openat)
- rule: shell reads shadow
  desc: a shell opens /etc/shadow
  condition: open_read and proc.name in (shells) and fd.name = /etc/shadow
  output: "%proc.name read %fd.name"
  priority: WARNING
  tags: [filesystem, shell]
- rule: any shadow open
  desc: anything opens /etc/shadow
  condition: open_read and fd.name = /etc/shadow
  output: "%proc.name opened %fd.name"
  priority: NOTICE
  tags: [filesystem]
- rule: shell execs
  desc: a shell runs a program
  condition: evt.type = execve and proc.name in (shells)
  output: "%proc.name ran"
  priority: DEBUG
  tags: [process]
- rule: disabled one
  desc: never enabled by default
  condition: proc.name = bash
  output: "%proc.name"
  priority: ERROR
  enabled: false
  warn_evttypes: false
`

func newEngine(t testing.TB, opts *rules.EngineOptions) *rules.Engine[*ev] {
	t.Helper()
	rs, res := rules.Load(&rules.Options{Sources: map[string]filter.Schema{
		rules.SyscallSource: filter.SchemaOf[*ev](evResolver{}),
	}}, "engine.yaml", []byte(engineRules))
	if !res.OK() {
		t.Fatal(res)
	}
	if res.HasWarnings() {
		t.Fatalf("unexpected warnings: %s", res)
	}
	e, err := rules.NewEngine[*ev](rs, evResolver{}, opts)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func openType(t testing.TB) event.Type {
	for _, ty := range event.TypesByName("openat") {
		if ty.String() == "openat" {
			return ty
		}
	}
	t.Fatal("no openat event type")
	return 0
}

func collect(e *rules.Engine[*ev], x *ev) []string {
	var names []string
	e.Process(x.typ, x, func(r *rules.Rule) { names = append(names, r.Name) })
	return names
}

func TestEngineMatch(t *testing.T) {
	openat := openType(t)
	shadow := &ev{typ: openat, proc: "bash", file: "/etc/shadow"}

	first := newEngine(t, nil)
	if got := collect(first, shadow); len(got) != 1 || got[0] != "shell reads shadow" {
		t.Fatalf("first mode: %q", got)
	}
	all := newEngine(t, &rules.EngineOptions{Mode: rules.MatchAll})
	if got := collect(all, shadow); len(got) != 2 || got[1] != "any shadow open" {
		t.Fatalf("all mode: %q", got)
	}
	if got := collect(all, &ev{typ: openat, proc: "cat", file: "/etc/shadow"}); len(got) != 1 || got[0] != "any shadow open" {
		t.Fatalf("cat: %q", got)
	}
	// indexing: an execve event only reaches the execve rule
	exec := event.TypesByName("execve")[0]
	if n := all.Candidates(exec); n != 1 {
		t.Fatalf("%d candidate rules for execve, want 1", n)
	}
	if n := all.Candidates(openat); n != 2 {
		t.Fatalf("%d candidate rules for openat, want 2", n)
	}

	// enable and disable
	if n := all.Enable("any *", false); n != 1 {
		t.Fatalf("wildcard matched %d rules", n)
	}
	if got := collect(all, shadow); len(got) != 1 {
		t.Fatalf("after disabling: %q", got)
	}
	if n := all.EnableTag("filesystem", false); n != 2 {
		t.Fatalf("tag matched %d rules", n)
	}
	if got := collect(all, shadow); len(got) != 0 {
		t.Fatalf("after disabling by tag: %q", got)
	}
	all.EnableTag("filesystem", true)
	all.Enable("disabled one", true)
	if got := collect(all, shadow); len(got) != 3 || got[2] != "disabled one" {
		t.Fatalf("after enabling: %q", got)
	}
	// priority threshold: keep Warning and more severe
	all.SetMinPriority(rules.Warning)
	if got := collect(all, shadow); len(got) != 2 || got[0] != "shell reads shadow" || got[1] != "disabled one" {
		t.Fatalf("with min priority warning: %q", got)
	}
	if all.Enabled() != 2 {
		t.Fatalf("%d enabled rules, want 2", all.Enabled())
	}
	if st := all.Stats(); st.Matches == 0 || st.Evaluations < st.Matches {
		t.Fatalf("stats %+v", st)
	}
}

func TestEngineEventTypes(t *testing.T) {
	rs, res := rules.Load(nil, "t.yaml", []byte(`
- rule: r1
  desc: d
  condition: evt.type in (open, openat) and not evt.type = open
  output: o
  priority: INFO
- rule: r2
  desc: d
  condition: not (evt.type != close)
  output: o
  priority: INFO
- rule: r3
  desc: d
  condition: proc.name = x or evt.type = close
  output: o
  priority: INFO
- rule: r4
  desc: d
  condition: evt.type = adjtimex
  output: o
  priority: INFO
`))
	if !res.OK() {
		t.Fatal(res)
	}
	names := func(r string) []string { return rs.Rule(r).EventTypes.Names() }
	if got := names("r1"); len(got) != 1 || got[0] != "openat" {
		t.Errorf("r1: %q", got)
	}
	if got := names("r2"); len(got) != 1 || got[0] != "close" {
		t.Errorf("r2: %q", got)
	}
	if n := rs.Rule("r3").EventTypes.Len(); n != rules.AllTypes().Len() {
		t.Errorf("r3 matches %d types, want all", n)
	}
	// adjtimex has no event type of its own: the generic syscall events
	got := names("r4")
	if len(got) != 1 || got[0] != "syscall" {
		t.Errorf("r4: %q", got)
	}
	if !res.HasWarnings() {
		t.Error("r3 should warn about matching too many event types")
	}
}

func TestUnknownEventType(t *testing.T) {
	content := `
- rule: r
  desc: d
  condition: evt.type = mkdirat2 or evt.type = open
  output: o
  priority: INFO
`
	_, res := rules.Load(nil, "t.yaml", []byte(content))
	if res.OK() || len(res.Errors) != 1 {
		t.Fatalf("want one error, got %s", res)
	}
	m := res.Errors[0]
	if m.Code != rules.ErrCompileCondition || m.Message != "unknown event type mkdirat2" {
		t.Fatalf("got %s", m)
	}
	if loc := m.Location(); loc.Line != 4 || loc.Col != 25 {
		t.Fatalf("error at %s, want t.yaml:4:25", loc)
	}
	// skip-if-unknown-filter turns it into a warning and drops the rule
	rs, res := rules.Load(nil, "t.yaml", []byte(content+"  skip-if-unknown-filter: true\n"))
	if !res.OK() || len(rs.Rules) != 0 || len(res.Warnings) != 1 || res.Warnings[0].Code != rules.WarnUnknownFilter {
		t.Fatalf("got %s", res)
	}
}

func BenchmarkEngineProcess(b *testing.B) {
	e := newEngine(b, &rules.EngineOptions{Mode: rules.MatchAll})
	x := &ev{typ: openType(b), proc: "bash", file: "/etc/shadow"}
	n := 0
	fn := func(*rules.Rule) { n++ }
	b.ReportAllocs()
	for b.Loop() {
		e.Process(x.typ, x, fn)
	}
	if n == 0 {
		b.Fatal("no match")
	}
}

func ExampleEngine() {
	rs, res := rules.Load(nil, "example.yaml", []byte(`
- rule: shell opens a file
  desc: example
  condition: evt.type = openat and proc.name = bash
  output: "%proc.name opened %fd.name"
  priority: NOTICE
`))
	if !res.OK() {
		fmt.Println(res)
		return
	}
	eng, err := rules.NewEngine[*ev](rs, evResolver{}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	var openat event.Type
	for _, t := range event.TypesByName("openat") {
		openat = t
	}
	eng.Process(openat, &ev{typ: openat, proc: "bash", file: "/tmp/x"}, func(r *rules.Rule) {
		fmt.Println(r.Priority, r.Name)
	})
	// Output:
	// Notice shell opens a file
}

func TestEnginePlan(t *testing.T) {
	e := newEngine(t, &rules.EngineOptions{Mode: rules.MatchAll})
	// the three enabled rules lose their evt.type checks; the disabled one
	// matches every type and keeps its condition; "proc.name in (bash, sh)"
	// and "fd.name = /etc/shadow" are shared
	if got, want := e.Plan(), (rules.Plan{Pruned: 3, Shared: 2}); got != want {
		t.Errorf("plan %+v, want %+v", got, want)
	}
	for _, r := range e.Rules() {
		if r.Name == "shell reads shadow" && r.CompiledCondition() != "(evt.type in (open, openat) and proc.name in (bash, sh) and fd.name = /etc/shadow)" {
			t.Errorf("compiled condition changed: %s", r.CompiledCondition())
		}
	}
}
