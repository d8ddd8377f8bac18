package output

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

func TestConfigSet(t *testing.T) {
	c := DefaultConfig()
	opts := []string{
		"json_output=true",
		"json_include_output_property=false",
		"json_include_tags_property=no",
		"json_include_message_property=On",
		"json_include_output_fields_property=FALSE",
		"time_format_iso_8601=yes",
		"buffered_outputs=true",
		"priority=INFO",
		"outputs_queue.capacity=64",
		"output_timeout=1500",
		"stdout_output.enabled=false",
		"syslog_output.enabled=true",
		"syslog_output.address=/run/x.sock",
		"file_output.enabled=true",
		"file_output.keep_alive=true",
		"file_output.filename=/var/log/syscope.txt",
		"program_output.enabled=true",
		"program_output.keep_alive=true",
		`program_output.program=jq '{text: .output}' | curl -d @- -X POST https://hooks.example/x`,
		"http_output.enabled=true",
		`http_output.url="http://127.0.0.1:2801/"`,
		"http_output.user_agent=falcosecurity/falco",
		"http_output.insecure=true",
		"http_output.ca_cert=/etc/ca.pem",
		"http_output.mtls=true",
		"http_output.max_consecutive_timeouts=2",
		"http_output.timeout=750ms",
		"http_output.max_retries=7",
		"http_output.retry_backoff=25",
		"http_output.format=text",
		"http_output.custom_headers.Authorization=Bearer abc=def",
		"http_output.custom_headers[]=X-Env: prod",
		"syscall_event_drops.threshold=.25",
		"syscall_event_drops.actions=[log, exit]",
		"syscall_event_drops.actions[]=alert",
		"syscall_event_drops.rate=2",
		"syscall_event_drops.max_burst=3",
		"syscall_event_drops.priority=warning",
		`append_output[]={match: {source: syscall, tags: [T1]}, extra_output: "on CPU %evt.cpu", extra_fields: [evt.hostname, {home: "${HOME}"}]}`,
	}
	for _, o := range opts {
		if err := c.SetOption(o); err != nil {
			t.Fatalf("%s: %v", o, err)
		}
	}
	if !c.JSONOutput || c.JSONIncludeOutputProperty || c.JSONIncludeTagsProperty || !c.JSONIncludeMessageProperty ||
		c.JSONIncludeOutputFieldsProperty || !c.TimeFormatISO8601 || !c.BufferedOutputs || c.Priority != PriorityInformational ||
		c.QueueCapacity != 64 || c.OutputTimeout != 1500*time.Millisecond {
		t.Errorf("globals: %+v", c)
	}
	if c.Stdout.Enabled || !c.Syslog.Enabled || c.Syslog.Address != "/run/x.sock" {
		t.Errorf("stdout/syslog: %+v %+v", c.Stdout, c.Syslog)
	}
	if c.File != (FileConfig{Enabled: true, KeepAlive: true, Filename: "/var/log/syscope.txt"}) {
		t.Errorf("file: %+v", c.File)
	}
	if !c.Program.Enabled || !c.Program.KeepAlive || c.Program.Program != `jq '{text: .output}' | curl -d @- -X POST https://hooks.example/x` {
		t.Errorf("program: %+v", c.Program)
	}
	h := c.HTTP
	if !h.Enabled || h.URL != "http://127.0.0.1:2801/" || h.UserAgent != "falcosecurity/falco" || !h.Insecure || h.CACert != "/etc/ca.pem" ||
		!h.MTLS || h.MaxConsecutiveTimeouts != 2 || h.Timeout != 750*time.Millisecond || h.MaxRetries != 7 ||
		h.RetryBackoff != 25*time.Millisecond || h.Format != FormatText ||
		h.CustomHeaders["Authorization"] != "Bearer abc=def" || h.CustomHeaders["X-Env"] != "prod" {
		t.Errorf("http: %+v", h)
	}
	dr := c.SyscallEventDrops
	if dr.Threshold != 0.25 || !slices.Equal(dr.Actions, []DropAction{DropLog, DropExit, DropAlert}) || dr.Rate != 2 || dr.MaxBurst != 3 || dr.Priority != PriorityWarning {
		t.Errorf("drops: %+v", dr)
	}
	if len(c.AppendOutput) != 1 {
		t.Fatalf("append_output: %+v", c.AppendOutput)
	}
	a := c.AppendOutput[0]
	if a.Match.Source != "syscall" || !slices.Equal(a.Match.Tags, []string{"T1"}) || a.ExtraOutput != "on CPU %evt.cpu" ||
		!slices.Equal(a.ExtraFields, []ExtraField{{Name: "evt.hostname", Format: "evt.hostname", Raw: true}, {Name: "home", Format: "${HOME}"}}) {
		t.Errorf("append_output: %+v", a)
	}
}

func TestConfigSetErrors(t *testing.T) {
	c := DefaultConfig()
	for _, o := range []string{
		"json_output=maybe", "priority=loud", "outputs_queue.capacity=-1", "output_timeout=soon",
		"syscall_event_drops.actions=[log, shout]", "syscall_event_drops.threshold=x",
		"json_output[]=true", "http_output.format=xml", "http_output.custom_headers=novalue",
		"append_output={match: 3}", "append_output=[{extra_fields: [{a: b, c: d}]}]",
		"append_output={extra_fields: [a, a]}", "noequals",
	} {
		if err := c.SetOption(o); err == nil {
			t.Errorf("%s accepted", o)
		}
	}
	err := c.Set("engine.kind", "modern_ebpf")
	if !errors.Is(err, ErrUnknownKey) {
		t.Errorf("unknown key: %v", err)
	}
	if !reflectEqualDefault(c) {
		t.Errorf("failed settings changed the configuration: %+v", c)
	}
}

func reflectEqualDefault(c Config) bool {
	d := DefaultConfig()
	a, _ := json.Marshal(c)
	b, _ := json.Marshal(d)
	return bytes.Equal(a, b)
}

func TestConfigKeys(t *testing.T) {
	k := Keys()
	for _, want := range []string{"json_output", "stdout_output.enabled", "file_output.filename", "http_output.url", "program_output.program", "syslog_output.enabled", "priority", "buffered_outputs", "json_include_output_property", "json_include_tags_property", "time_format_iso_8601", "append_output"} {
		if k[want] == "" {
			t.Errorf("key %s missing or undocumented", want)
		}
	}
}

const falcoYAML = `
rules_files:
  - /etc/falco/falco_rules.yaml
engine:
  kind: modern_ebpf
json_output: true
json_include_output_property: true
priority: notice
outputs_queue:
  capacity: 10
append_output:
  - match:
      rule: Some Rule
    extra_output: "(%proc.pid)"
  - suggested_output: true
stdout_output:
  enabled: false
file_output:
  enabled: true
  keep_alive: false
  filename: ./events.txt
http_output:
  enabled: true
  url: http://localhost:2801/
  custom_headers:
    X-A: "1"
syscall_event_drops:
  threshold: .1
  actions:
    - log
    - alert
`

func TestConfigLoadYAML(t *testing.T) {
	c := DefaultConfig()
	unknown, err := c.LoadYAML([]byte(falcoYAML))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(unknown, []string{"engine.kind", "rules_files"}) {
		t.Errorf("unknown keys %q", unknown)
	}
	if !c.JSONOutput || c.Priority != PriorityNotice || c.QueueCapacity != 10 || c.Stdout.Enabled ||
		!c.File.Enabled || c.File.Filename != "./events.txt" || !c.HTTP.Enabled || c.HTTP.URL != "http://localhost:2801/" ||
		c.HTTP.CustomHeaders["X-A"] != "1" || !slices.Equal(c.SyscallEventDrops.Actions, []DropAction{DropLog, DropAlert}) {
		t.Errorf("loaded %+v", c)
	}
	if len(c.AppendOutput) != 2 || c.AppendOutput[0].Match.Rule != "Some Rule" || !c.AppendOutput[1].SuggestedOutput {
		t.Errorf("append_output %+v", c.AppendOutput)
	}
	for _, bad := range []string{"json_output: [1]", "priority: loud", "- a list", "file_output: {enabled: maybe}", ":"} {
		c := DefaultConfig()
		if _, err := c.LoadYAML([]byte(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	c := DefaultConfig()
	c.File.Enabled, c.File.Filename = true, ""
	c.Program.Enabled = true
	c.HTTP.Enabled = true
	err := c.Validate()
	for _, want := range []string{"file_output.filename", "program_output.program", "http_output.url"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate: %v (want mention of %s)", err, want)
		}
	}
	if _, err := New(c, nil); err == nil {
		t.Error("New accepted an invalid configuration")
	}
}

func TestNewFromConfig(t *testing.T) {
	got := make(chan []byte, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- b
	}))
	defer srv.Close()
	dir := t.TempDir()
	file := filepath.Join(dir, "events.txt")
	prog := filepath.Join(dir, "prog.txt")
	c := DefaultConfig()
	for _, o := range []string{
		"file_output.enabled=true", "file_output.filename=" + file,
		"program_output.enabled=true", "program_output.program=cat > '" + prog + "'",
		"http_output.enabled=true", "http_output.url=" + srv.URL,
	} {
		if err := c.SetOption(o); err != nil {
			t.Fatal(err)
		}
	}
	var stdout syncBuffer
	d, err := New(c, &BuildOptions{Hostname: "node-9", Stdout: &stdout})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range d.Stats().Sinks {
		names = append(names, s.Name+"/"+s.Format.String())
	}
	if strings.Join(names, ",") != "stdout/text,file/text,program/text,http/json" {
		t.Errorf("sinks %s", names)
	}
	d.Send(testAlert())
	body := <-got
	if err := d.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	var p sidekickPayload
	if err := json.Unmarshal(body, &p); err != nil || p.Hostname != "node-9" || p.Rule != testAlert().Rule {
		t.Errorf("http body %s (%v)", body, err)
	}
	line := NewFormatter(FormatterOptions{}).Text(testAlert())
	for name, lines := range map[string][]string{"file": readLines(t, file), "program": readLines(t, prog), "stdout": strings.Split(strings.TrimSpace(stdout.String()), "\n")} {
		if len(lines) != 1 || lines[0] != line {
			t.Errorf("%s: %q, want %q", name, lines, line)
		}
	}
	for _, s := range d.Stats().Sinks {
		if s.Sent != 1 {
			t.Errorf("%s sent %d", s.Name, s.Sent)
		}
	}
}

func TestResolveAppendOutput(t *testing.T) {
	entries, err := ParseAppendOutput([]byte(`
- extra_output: "all=%evt.num"
- match: {source: syscall, tags: [container, T1059]}
  extra_output: "img=%container.image.repository"
  extra_fields: [container.id, {where: "%container.name"}]
- match: {rule: Other}
  extra_output: "never"
- match: {source: k8s_audit}
  extra_output: "never either"
- extra_fields: [{where: "%proc.name"}]
`))
	if err != nil {
		t.Fatal(err)
	}
	out, fields := ResolveAppendOutput(entries, "Shell in container", "syscall", []string{"T1059", "container", "shell"})
	if out != " all=%evt.num img=%container.image.repository" {
		t.Errorf("extra output %q", out)
	}
	want := []ExtraField{{Name: "container.id", Format: "container.id", Raw: true}, {Name: "where", Format: "%proc.name"}}
	if !slices.Equal(fields, want) {
		t.Errorf("fields %+v", fields)
	}
	// Missing one of the tags: only the unconditional entries apply.
	out, fields = ResolveAppendOutput(entries, "R", "syscall", []string{"container"})
	if out != " all=%evt.num" || len(fields) != 1 || fields[0].Format != "%proc.name" {
		t.Errorf("partial tags: %q %+v", out, fields)
	}
}

func TestDropMonitor(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	cfg := DefaultDropConfig() // threshold 0.1, log+alert, one action per 30 s
	m := NewDropMonitor(cfg, RuleEventDrop, "kernel driver", DropCounters{Events: 1000, Drops: 50})
	// 100 events, 5 drops in the interval: 5% is under the threshold.
	if _, ok := m.Check(t0, DropCounters{Events: 1100, Drops: 55}); ok {
		t.Error("reported under the threshold")
	}
	// 100 events, 40 drops: reported.
	r, ok := m.Check(t0.Add(time.Second), DropCounters{Events: 1200, Drops: 95, Detail: map[string]uint64{"n_drops_cpu0": 40}})
	if !ok || !r.Log || r.Exit || r.Alert == nil || r.Drops != 40 || r.Events != 100 {
		t.Fatalf("report %+v", r)
	}
	a := r.Alert
	if a.Rule != RuleEventDrop || a.Priority != PriorityCritical || !a.Internal || a.Source != SourceInternal {
		t.Errorf("alert %+v", a)
	}
	if a.Output != "Syscope internal: event drop. 40 of 100 events dropped by the kernel driver in the last 1s." {
		t.Errorf("output %q", a.Output)
	}
	if !a.Fields["n_drops"].Equal(Uint(40)) || !a.Fields["n_evts"].Equal(Uint(100)) || !a.Fields["n_drops_cpu0"].Equal(Uint(40)) {
		t.Errorf("fields %v", a.Fields)
	}
	// Drops again one second later: counted, but the bucket is empty.
	if _, ok := m.Check(t0.Add(2*time.Second), DropCounters{Events: 1300, Drops: 195}); ok {
		t.Error("rate limit not applied")
	}
	// After 31 s the bucket has refilled.
	if _, ok := m.Check(t0.Add(33*time.Second), DropCounters{Events: 1400, Drops: 295}); !ok {
		t.Error("no report after the bucket refilled")
	}
	if m.Counted != 3 || m.Acted != 2 {
		t.Errorf("counted %d acted %d", m.Counted, m.Acted)
	}
	// Simulated drops always report; exit only when asked for.
	cfg.SimulateDrops, cfg.Actions = true, []DropAction{DropExit}
	m = NewDropMonitor(cfg, RuleAlertDrop, "output queue", DropCounters{})
	r, ok = m.Check(t0, DropCounters{})
	if !ok || !r.Exit || r.Alert != nil || r.Log || !strings.Contains(r.Message, "alerts dropped by the output queue") {
		t.Errorf("simulated %+v", r)
	}
}

func TestParseDropAction(t *testing.T) {
	for i, n := range []string{"ignore", "LOG", " alert", "exit"} {
		if a, err := ParseDropAction(n); err != nil || a != DropAction(i) {
			t.Errorf("%q: %v %v", n, a, err)
		}
	}
	if _, err := ParseDropAction("shout"); err == nil {
		t.Error("bad action accepted")
	}
}

func FuzzConfigSet(f *testing.F) {
	for _, o := range []string{"json_output=true", "append_output[]={extra_fields: [a, {b: c}]}", "syscall_event_drops.actions=[log]",
		"http_output.custom_headers={a: b}", "priority=info", "output_timeout=1s", "x.y=z", "a=", "=b"} {
		k, v, _ := strings.Cut(o, "=")
		f.Add(k, v)
	}
	f.Fuzz(func(t *testing.T, k, v string) {
		c := DefaultConfig()
		c.Set(k, v) // must not panic
	})
}

func FuzzLoadYAML(f *testing.F) {
	f.Add([]byte(falcoYAML))
	f.Add([]byte("append_output: [{match: {tags: [[1]]}}]"))
	f.Add([]byte("http_output: {custom_headers: [1, 2]}"))
	f.Fuzz(func(t *testing.T, doc []byte) {
		c := DefaultConfig()
		c.LoadYAML(doc) // must not panic
	})
}

// TestDocsListSettings checks that docs/outputs.md documents every setting
// and every metric.
func TestDocsListSettings(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "docs", "outputs.md"))
	if err != nil {
		t.Fatalf("docs/outputs.md: %v", err)
	}
	doc := string(b)
	for k := range Keys() {
		if !strings.Contains(doc, "| `"+k+"` |") {
			t.Errorf("setting %s missing from the table in docs/outputs.md", k)
		}
	}
	ch := make(chan *prometheus.Desc, 16)
	NewDispatcher(nil, nil).Describe(ch)
	close(ch)
	for d := range ch {
		name := regexp.MustCompile(`fqName: "([^"]+)"`).FindStringSubmatch(d.String())
		if name == nil || !strings.Contains(doc, "`"+name[1]+"`") {
			t.Errorf("metric %v missing from docs/outputs.md", d)
		}
	}
}
