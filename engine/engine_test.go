package engine_test

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/syscope/syscope/engine"
	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/inspect"
	"github.com/syscope/syscope/output"
	"github.com/syscope/syscope/rules"
	"github.com/syscope/syscope/scap"
)

// memSource replays events built in memory.
type memSource struct {
	md   *scap.Metadata
	evs  [][]byte
	i    int
	num  uint64
	stop chan struct{} // when set, Next blocks on it after the last event
	once sync.Once
}

func (s *memSource) Next(e *event.Event) error {
	if s.i >= len(s.evs) {
		if s.stop != nil {
			<-s.stop
		}
		return io.EOF
	}
	s.num++
	*e = event.Event{Raw: s.evs[s.i], Num: s.num}
	s.i++
	return nil
}

func (s *memSource) Close() error {
	if s.stop != nil {
		s.once.Do(func() { close(s.stop) })
	}
	return nil
}

func (s *memSource) Metadata() *scap.Metadata { return s.md }

// Process ids of the synthetic scenario: systemd(1) -> bash(100) -> cat(200).
const (
	tsBase  = uint64(1_700_000_000_000_000_000)
	pidInit = 1
	pidBash = 100
	pidCat  = 200
)

func proc(tid, ptid int64, comm, exe string, args ...string) scap.Process {
	p := scap.NewProcess(tid)
	p.Pid, p.Ptid = tid, ptid
	p.Comm, p.Exe, p.ExePath, p.Args = comm, exe, exe, args
	p.Cwd = "/root/"
	p.UID, p.GID = 0, 0
	p.LoginUID = 1000
	p.Cgroups = []string{"cpuset=/", "memory=/user.slice"}
	return p
}

func scenarioMetadata() *scap.Metadata {
	return &scap.Metadata{
		Machine: &scap.MachineInfo{Hostname: "testhost", NumCPUs: 1},
		Users:   []scap.User{{UID: 0, GID: 0, Name: "root", HomeDir: "/root", Shell: "/bin/bash"}, {UID: 1000, GID: 1000, Name: "alice", HomeDir: "/home/alice", Shell: "/bin/bash"}},
		Groups:  []scap.Group{{GID: 0, Name: "root"}},
		Processes: []scap.Process{
			proc(pidInit, 0, "systemd", "/sbin/init"),
			proc(pidBash, pidInit, "bash", "/bin/bash"),
			proc(pidCat, pidBash, "cat", "/usr/bin/cat", "/etc/shadow"),
		},
	}
}

// openat builds an openat exit event.
func openat(t *testing.T, ts uint64, tid, fd int64, name string, flags uint32) []byte {
	t.Helper()
	var b event.Builder
	b.Reset(ts, tid, event.SyscallOpenatV2X)
	b.I64(fd).I64(-100).Str(name).U32(flags).U32(0).U32(0x803).U64(42)
	raw, err := b.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return append([]byte(nil), raw...)
}

// recorder is an output sink that keeps what it receives.
type recorder struct {
	mu     sync.Mutex
	alerts []*output.Alert
	bodies []string
	got    chan struct{}
}

func newRecorder() *recorder { return &recorder{got: make(chan struct{}, 1024)} }

func (r *recorder) Name() string { return "recorder" }
func (r *recorder) Close() error { return nil }
func (r *recorder) Write(_ context.Context, m output.Message) error {
	r.mu.Lock()
	r.alerts = append(r.alerts, m.Alert)
	r.bodies = append(r.bodies, string(m.Body))
	r.mu.Unlock()
	select {
	case r.got <- struct{}{}:
	default:
	}
	return nil
}

func (r *recorder) snapshot() ([]*output.Alert, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*output.Alert(nil), r.alerts...), append([]string(nil), r.bodies...)
}

// runScenario evaluates rules over events and returns the alerts, each
// with its JSON rendering.
func runScenario(t *testing.T, rs *rules.Ruleset, evs [][]byte, o *engine.Options) ([]*output.Alert, []string) {
	t.Helper()
	src := &memSource{md: scenarioMetadata(), evs: evs}
	in, err := inspect.New(src, engine.InspectOptions(nil))
	if err != nil {
		t.Fatal(err)
	}
	d := output.NewDispatcher(output.NewFormatter(output.FormatterOptions{Hostname: "h"}), nil)
	rec := newRecorder()
	if err := d.AddSink(rec, output.FormatJSON); err != nil {
		t.Fatal(err)
	}
	e, err := engine.New(in, rs, d, o)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	st := e.Stats()
	if st.Events != uint64(len(evs)) {
		t.Errorf("engine saw %d events, want %d", st.Events, len(evs))
	}
	alerts, bodies := rec.snapshot()
	if st.Alerts != uint64(len(alerts)) {
		t.Errorf("Stats.Alerts = %d, recorder got %d", st.Alerts, len(alerts))
	}
	return alerts, bodies
}

func loadYAML(t *testing.T, doc string) *rules.Ruleset {
	t.Helper()
	rs, res := engine.LoadContents(nil, engine.Content{Name: "test.yaml", Data: []byte(doc)})
	for _, r := range res {
		if !r.OK() {
			t.Fatalf("load: %s", r)
		}
	}
	return rs
}

// A host process reads container.* and k8s.* as Falco's container plugin
// reads them with no runtime: "host" ids and names, empty image strings,
// false flags, no pod. Missing values are <NA> in the text and null in the
// fields.
func TestHostContainerFields(t *testing.T) {
	rs := loadYAML(t, `
- rule: host fields
  desc: d
  condition: evt.type = openat and fd.name = /etc/shadow
  output: "id=%container.id name=%container.name type=%container.type repo=%container.image.repository priv=%container.privileged ns=%k8s.ns.name pod=%k8s.pod.name sandbox=%k8s.pod.sandbox_id"
  priority: WARNING
`)
	alerts, bodies := runScenario(t, rs, [][]byte{openat(t, tsBase, pidCat, 3, "/etc/shadow", 1)}, nil)
	if len(alerts) != 1 {
		t.Fatalf("got %d alerts, want 1", len(alerts))
	}
	a := alerts[0]
	want := "id=host name=host type=host repo= priv=false ns=<NA> pod=<NA> sandbox="
	if a.Output != want {
		t.Errorf("output\n got %q\nwant %q", a.Output, want)
	}
	var j struct {
		OutputFields map[string]any `json:"output_fields"`
	}
	if err := json.Unmarshal([]byte(bodies[0]), &j); err != nil {
		t.Fatalf("%v: %s", err, bodies[0])
	}
	wantFields := map[string]any{
		"container.id": "host", "container.name": "host", "container.type": "host",
		"container.image.repository": "", "container.privileged": false,
		"k8s.ns.name": nil, "k8s.pod.name": nil, "k8s.pod.sandbox_id": "",
	}
	for k, v := range wantFields {
		got, ok := j.OutputFields[k]
		if !ok || got != v {
			t.Errorf("output_fields[%s] = %#v (present %v), want %#v", k, got, ok, v)
		}
	}
}

// The upstream stable rules raise "Read sensitive file untrusted" for cat
// reading /etc/shadow, with Falco's output text and typed output fields.
func TestStableRulesSensitiveRead(t *testing.T) {
	rs, res, err := engine.LoadFiles(nil, rulesFile(t, "falco_rules.yaml"))
	if err != nil || rs == nil {
		t.Fatalf("load: %v %v", err, res)
	}
	evs := [][]byte{
		openat(t, tsBase, pidCat, 3, "/etc/shadow", 1),
		openat(t, tsBase+1000, pidCat, 4, "/etc/hostname", 1), // not sensitive
	}
	alerts, bodies := runScenario(t, rs, evs, nil)
	if len(alerts) != 1 {
		t.Fatalf("got %d alerts, want 1: %v", len(alerts), bodies)
	}
	a := alerts[0]
	if a.Rule != "Read sensitive file untrusted" || a.Priority != output.PriorityWarning || a.Source != "syscall" {
		t.Errorf("alert %q %v %q", a.Rule, a.Priority, a.Source)
	}
	if !a.Time.Equal(time.Unix(0, int64(tsBase))) {
		t.Errorf("time %v", a.Time)
	}
	for _, part := range []string{
		"Sensitive file opened for reading by non-trusted program | file=/etc/shadow gparent=systemd ggparent=<NA>",
		"evt_type=openat user=root user_uid=0 user_loginuid=1000 process=cat proc_exepath=/usr/bin/cat parent=bash command=cat /etc/shadow",
	} {
		if !strings.Contains(a.Output, part) {
			t.Errorf("output lacks %q:\n%s", part, a.Output)
		}
	}
	var j map[string]any
	if err := json.Unmarshal([]byte(bodies[0]), &j); err != nil {
		t.Fatal(err)
	}
	of := j["output_fields"].(map[string]any)
	checks := map[string]any{
		"fd.name": "/etc/shadow", "proc.name": "cat", "proc.pname": "bash", "proc.aname[2]": "systemd",
		"proc.aname[3]": nil, "user.uid": float64(0), "user.loginuid": float64(1000), "evt.type": "openat",
		"evt.time": float64(tsBase),
	}
	for k, v := range checks {
		if got, ok := of[k]; !ok || got != v {
			t.Errorf("output_fields[%s] = %#v (present %v), want %#v", k, got, ok, v)
		}
	}
	if tags, _ := j["tags"].([]any); len(tags) == 0 || tags[0] != "T1555" {
		t.Errorf("tags %v", j["tags"])
	}
}

const twoRules = `
- rule: first
  desc: d
  condition: evt.type = openat and fd.name startswith /etc
  output: first %fd.name
  priority: NOTICE
  tags: [a]
- rule: second
  desc: d
  condition: evt.type = openat and fd.name = /etc/shadow
  output: second %fd.name
  priority: CRITICAL
  tags: [b]
`

func ruleNames(alerts []*output.Alert) string {
	var n []string
	for _, a := range alerts {
		n = append(n, a.Rule)
	}
	return strings.Join(n, ",")
}

// Rule matching modes, priority threshold and toggles.
func TestSelection(t *testing.T) {
	evs := func() [][]byte { return [][]byte{openat(t, tsBase, pidCat, 3, "/etc/shadow", 1)} }
	crit := rules.Critical
	cases := []struct {
		name string
		o    *engine.Options
		want string
	}{
		{"first", nil, "first"},
		{"all", &engine.Options{Mode: rules.MatchAll}, "first,second"},
		{"priority", &engine.Options{Mode: rules.MatchAll, MinPriority: &crit}, "second"},
		{"disable rule", &engine.Options{Toggles: []engine.Toggle{{Rule: "fir*"}}}, "second"},
		{"disable tag", &engine.Options{Mode: rules.MatchAll, Toggles: []engine.Toggle{{Tag: "b"}}}, "first"},
		{"only tag", &engine.Options{Mode: rules.MatchAll, Toggles: []engine.Toggle{{Rule: "*"}, {Tag: "b", Enable: true}}}, "second"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			alerts, _ := runScenario(t, loadYAML(t, twoRules), evs(), c.o)
			if got := ruleNames(alerts); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

// append_output: extra text at load time, raw and formatted extra fields
// in the engine.
func TestAppendOutput(t *testing.T) {
	ao, err := output.ParseAppendOutput([]byte(`
- match: {tags: [b]}
  extra_output: "pid=%proc.pid"
  extra_fields:
    - proc.pname
    - where: "%proc.cwd on %container.id"
`))
	if err != nil {
		t.Fatal(err)
	}
	rs, res := engine.LoadContents(&engine.LoadOptions{AppendOutput: ao}, engine.Content{Name: "t.yaml", Data: []byte(twoRules)})
	if rs == nil {
		t.Fatal(res)
	}
	alerts, _ := runScenario(t, rs, [][]byte{openat(t, tsBase, pidCat, 3, "/etc/shadow", 1)}, &engine.Options{Mode: rules.MatchAll, AppendOutput: ao})
	if len(alerts) != 2 {
		t.Fatalf("alerts: %s", ruleNames(alerts))
	}
	first, second := alerts[0], alerts[1]
	if first.Output != "first /etc/shadow" || len(first.Fields) != 1 {
		t.Errorf("first: %q %v", first.Output, first.Fields)
	}
	if second.Output != "second /etc/shadow pid=200" {
		t.Errorf("second output %q", second.Output)
	}
	if v := second.Fields["proc.pname"]; v.Kind() != output.KindString || v.Str() != "bash" {
		t.Errorf("raw extra field %v", v)
	}
	if v := second.Fields["where"]; v.Str() != "/root/ on host" {
		t.Errorf("formatted extra field %v", v)
	}
	if v := second.Fields["proc.pid"]; string(v.AppendJSON(nil)) != "200" {
		t.Errorf("proc.pid %s (%v)", v.AppendJSON(nil), v.Kind())
	}
}

// Drops counted by the source raise an internal alert; the exit action
// stops Run with ErrDropExit.
func TestEventDropAlert(t *testing.T) {
	var mu sync.Mutex
	drops := output.DropCounters{Events: 1000, Drops: 0}
	counters := func() output.DropCounters {
		mu.Lock()
		defer mu.Unlock()
		drops.Events += 1000
		drops.Drops += 500
		return drops
	}
	src := &memSource{md: scenarioMetadata(), evs: [][]byte{openat(t, tsBase, pidCat, 3, "/etc/shadow", 1)}, stop: make(chan struct{})}
	in, err := inspect.New(src, engine.InspectOptions(nil))
	if err != nil {
		t.Fatal(err)
	}
	d := output.NewDispatcher(output.NewFormatter(output.FormatterOptions{Hostname: "h"}), nil)
	rec := newRecorder()
	d.AddSink(rec, output.FormatJSON)
	cfg := output.DefaultDropConfig()
	cfg.Actions = []output.DropAction{output.DropLog, output.DropAlert, output.DropExit}
	var logged []string
	e, err := engine.New(in, loadYAML(t, twoRules), d, &engine.Options{
		EventDrops: counters, EventDropConfig: cfg, CheckInterval: time.Millisecond,
		Interrupt: func() { src.Close() },
		OnDrop:    func(r output.DropReport) { logged = append(logged, r.Message) },
	})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- e.Run(context.Background()) }()
	select {
	case err := <-done:
		if err != engine.ErrDropExit {
			t.Fatalf("Run: %v, want ErrDropExit", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("Run did not stop on the exit action")
	}
	d.Close(context.Background())
	alerts, bodies := rec.snapshot()
	var internal *output.Alert
	for _, a := range alerts {
		if a.Rule == output.RuleEventDrop {
			internal = a
		}
	}
	if internal == nil {
		t.Fatalf("no internal alert among %s", ruleNames(alerts))
	}
	if internal.Source != output.SourceInternal || internal.Fields["n_drops"].Uint64() != 500 {
		t.Errorf("internal alert %+v", internal)
	}
	if len(logged) == 0 {
		t.Error("log action not taken")
	}
	if e.Stats().EventDropAlerts == 0 {
		t.Error("EventDropAlerts not counted")
	}
	_ = bodies
}

// Context cancellation stops a blocked live-like source through Interrupt.
func TestRunCancel(t *testing.T) {
	src := &memSource{md: scenarioMetadata(), stop: make(chan struct{})}
	in, _ := inspect.New(src, engine.InspectOptions(nil))
	d := output.NewDispatcher(output.NewFormatter(output.FormatterOptions{}), nil)
	defer d.Close(context.Background())
	e, err := engine.New(in, loadYAML(t, twoRules), d, &engine.Options{Interrupt: func() { src.Close() }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(time.Minute):
		t.Fatal("Run did not return after cancel")
	}
}

func TestParseValue(t *testing.T) {
	cases := []struct {
		in   string
		want output.Value
	}{
		{`"a\"b"`, output.String(`a"b`)},
		{`12`, output.Uint(12)},
		{`-3`, output.Int(-3)},
		{`1.5`, output.Float(1.5)},
		{`true`, output.Bool(true)},
		{`null`, output.Null()},
		{`["x",1]`, output.List(output.String("x"), output.Uint(1))},
		{`18446744073709551615`, output.Uint(18446744073709551615)},
	}
	for _, c := range cases {
		got, err := engine.ParseValue([]byte(c.in))
		if err != nil || !got.Equal(c.want) {
			t.Errorf("ParseValue(%s) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{``, `{`, `1 2`, `"x`} {
		if _, err := engine.ParseValue([]byte(bad)); err == nil {
			t.Errorf("ParseValue(%q): no error", bad)
		}
	}
}

func FuzzParseValue(f *testing.F) {
	for _, s := range []string{`"x"`, `1`, `-1`, `1e3`, `[1,"a",[true]]`, `{"a":1}`, `null`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := engine.ParseValue(b)
		if err != nil {
			return
		}
		// Rendering the value back must give valid JSON.
		if !json.Valid(v.AppendJSON(nil)) {
			t.Fatalf("%q -> invalid JSON %q", b, v.AppendJSON(nil))
		}
	})
}

// blocked is a sink that blocks until released.
type blocked struct{ release chan struct{} }

func (b *blocked) Name() string { return "blocked" }
func (b *blocked) Close() error { return nil }
func (b *blocked) Write(ctx context.Context, _ output.Message) error {
	select {
	case <-b.release:
	case <-ctx.Done():
	}
	return nil
}

// Alerts dropped by a full output queue raise an internal alert, delivered
// by the sinks that still have room.
func TestAlertDropAlert(t *testing.T) {
	var evs [][]byte
	for i := 0; i < 50; i++ {
		evs = append(evs, openat(t, tsBase+uint64(i), pidCat, int64(3+i), "/etc/shadow", 1))
	}
	src := &memSource{md: scenarioMetadata(), evs: evs, stop: make(chan struct{})}
	in, err := inspect.New(src, engine.InspectOptions(nil))
	if err != nil {
		t.Fatal(err)
	}
	d := output.NewDispatcher(output.NewFormatter(output.FormatterOptions{Hostname: "h"}), &output.DispatcherOptions{QueueCapacity: 4})
	stuck := &blocked{release: make(chan struct{})}
	d.AddSink(stuck, output.FormatText)
	rec := newRecorder()
	d.AddSink(rec, output.FormatJSON)
	cfg := output.DefaultDropConfig()
	cfg.Actions = []output.DropAction{output.DropAlert}
	e, err := engine.New(in, loadYAML(t, twoRules), d, &engine.Options{
		AlertDropConfig: cfg, CheckInterval: time.Millisecond, Interrupt: func() { src.Close() },
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	var internal *output.Alert
	deadline := time.After(time.Minute)
	for internal == nil {
		select {
		case <-rec.got:
		case <-deadline:
			t.Fatal("no alert-drop alert")
		}
		alerts, _ := rec.snapshot()
		for _, a := range alerts {
			if a.Rule == output.RuleAlertDrop {
				internal = a
			}
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	close(stuck.release)
	d.Close(context.Background())
	if n := internal.Fields["n_drops_blocked"].Uint64(); n == 0 {
		t.Errorf("alert-drop alert without blocked-sink drops: %v", internal.Fields)
	}
	if e.Stats().AlertDropAlerts == 0 {
		t.Error("AlertDropAlerts not counted")
	}
}

// Rules see exit events only (Falco 0.42), unless EnterEvents is set.
func TestEnterEvents(t *testing.T) {
	var b event.Builder
	b.Reset(tsBase, pidCat, event.SyscallOpenatV2E)
	b.I64(-100).Str("/etc/shadow").U32(1).U32(0)
	raw, err := b.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	enter := append([]byte(nil), raw...)
	rs := loadYAML(t, `
- rule: any openat
  desc: d
  condition: evt.type = openat
  output: "%evt.type %proc.name"
  priority: NOTICE
`)
	evs := func() [][]byte { return [][]byte{enter, openat(t, tsBase+1, pidCat, 3, "/etc/shadow", 1)} }
	if alerts, _ := runScenario(t, rs, evs(), nil); len(alerts) != 1 {
		t.Errorf("exit events only: %d alerts, want 1", len(alerts))
	}
	if alerts, _ := runScenario(t, rs, evs(), &engine.Options{EnterEvents: true}); len(alerts) != 2 {
		t.Errorf("with enter events: %d alerts, want 2", len(alerts))
	}
}

// suggested_output appends the container plugin's suggested fields.
func TestSuggestedOutput(t *testing.T) {
	ao, err := output.ParseAppendOutput([]byte(`[{suggested_output: true}]`))
	if err != nil {
		t.Fatal(err)
	}
	rs, res := engine.LoadContents(&engine.LoadOptions{AppendOutput: ao}, engine.Content{Name: "t.yaml", Data: []byte(twoRules)})
	if rs == nil {
		t.Fatal(res)
	}
	alerts, _ := runScenario(t, rs, [][]byte{openat(t, tsBase, pidCat, 3, "/etc/shadow", 1)}, &engine.Options{AppendOutput: ao})
	want := "first /etc/shadow container_id=host container_name=host container_image_repository= container_image_tag= k8s_pod_name=<NA> k8s_ns_name=<NA>"
	if len(alerts) != 1 || alerts[0].Output != want {
		t.Fatalf("alerts %v, want output %q", alerts, want)
	}
	if v := alerts[0].Fields["k8s.ns.name"]; !v.IsNull() {
		t.Errorf("k8s.ns.name = %v, want null", v)
	}
}
