package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/output"
	"github.com/syscope/syscope/scap"
)

// writeCapture writes a capture in which cat (child of bash) opens
// /etc/shadow and then /etc/hostname.
func writeCapture(t *testing.T) string {
	t.Helper()
	md := &scap.Metadata{
		Users: []scap.User{{UID: 0, GID: 0, Name: "root", HomeDir: "/root", Shell: "/bin/bash"}},
	}
	for _, p := range []struct {
		tid, ptid int64
		comm, exe string
		args      []string
	}{
		{1, 0, "systemd", "/sbin/init", nil},
		{100, 1, "bash", "/bin/bash", nil},
		{200, 100, "cat", "/usr/bin/cat", []string{"/etc/shadow"}},
	} {
		pr := scap.NewProcess(p.tid)
		pr.Pid, pr.Ptid, pr.Comm, pr.Exe, pr.ExePath, pr.Args, pr.Cwd = p.tid, p.ptid, p.comm, p.exe, p.exe, p.args, "/"
		md.Processes = append(md.Processes, pr)
	}
	path := filepath.Join(t.TempDir(), "t.scap")
	w, err := scap.Create(path, md, nil)
	if err != nil {
		t.Fatal(err)
	}
	var b event.Builder
	for i, name := range []string{"/etc/shadow", "/etc/hostname"} {
		b.Reset(1_700_000_000_000_000_000+uint64(i), 200, event.SyscallOpenatV2X)
		b.I64(int64(3 + i)).I64(-100).Str(name).U32(1).U32(0).U32(0).U64(0)
		raw, err := b.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		ev := event.Event{Raw: raw, Num: uint64(i + 1)}
		if err := w.WriteEvent(&ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const testRules = `
- rule: shadow
  desc: d
  condition: evt.type = openat and fd.name = /etc/shadow
  output: "read %fd.name by %proc.name parent=%proc.pname container=%container.id"
  priority: WARNING
  tags: [creds]
- rule: any etc
  desc: d
  condition: evt.type = openat and fd.name startswith /etc/
  output: "etc %fd.name"
  priority: INFO
  tags: [etc]
`

func runCLI(t *testing.T, o *runOptions) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := runRun(context.Background(), &out, &errb, o)
	return out.String(), errb.String(), err
}

func TestRunReplay(t *testing.T) {
	capPath := writeCapture(t)
	rules := writeFile(t, "r.yaml", testRules)

	// Text alerts, first match.
	out, errOut, err := runCLI(t, &runOptions{rules: []string{rules}, replay: capPath})
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.HasSuffix(lines[0], ": Warning read /etc/shadow by cat parent=bash container=host") ||
		!strings.HasSuffix(lines[1], ": Informational etc /etc/hostname") {
		t.Errorf("stdout:\n%s", out)
	}
	if !strings.Contains(errOut, "Events detected: 2") || !strings.Contains(errOut, "shadow: 1") {
		t.Errorf("summary:\n%s", errOut)
	}

	// JSON, all matches, priority threshold, append_output.
	out, errOut, err = runCLI(t, &runOptions{rules: []string{rules}, replay: capPath, json: true, options: []string{
		"rule_matching=all", "priority=warning",
		`append_output[]={match: {tags: [creds]}, extra_output: "uid=%user.uid", extra_fields: [proc.pid]}`,
	}})
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	lines = strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 1 {
		t.Fatalf("stdout:\n%s", out)
	}
	var a struct {
		Rule, Output, Priority, Source string
		OutputFields                   map[string]any `json:"output_fields"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &a); err != nil {
		t.Fatal(err)
	}
	if a.Rule != "shadow" || a.Priority != "Warning" || a.Source != "syscall" ||
		!strings.HasSuffix(a.Output, "container=host uid=0") || a.OutputFields["proc.pid"] != float64(200) ||
		a.OutputFields["user.uid"] != float64(0) {
		t.Errorf("alert %+v", a)
	}

	// Disabling by tag and by name.
	out, _, err = runCLI(t, &runOptions{rules: []string{rules}, replay: capPath, disableTag: []string{"creds"}, disable: []string{"any"}})
	if err != nil || out != "" {
		t.Errorf("disabled rules alerted: %v %q", err, out)
	}
	out, _, err = runCLI(t, &runOptions{rules: []string{rules}, replay: capPath, onlyTag: []string{"etc"}})
	if err != nil || strings.Count(out, "\n") != 2 || strings.Contains(out, "Warning") {
		t.Errorf("-t etc: %v %q", err, out)
	}

	// The embedded rules load and run.
	if _, errOut, err := runCLI(t, &runOptions{replay: capPath}); err != nil {
		t.Errorf("embedded rules: %v\n%s", err, errOut)
	}
}

func TestRunErrors(t *testing.T) {
	capPath := writeCapture(t)
	bad := writeFile(t, "bad.yaml", "- rule: x\n  desc: d\n  condition: evt.type = open and nosuch.field = 1\n  output: o\n  priority: WARNING\n")
	cases := []struct {
		name string
		o    runOptions
		want string
	}{
		{"bad rules", runOptions{rules: []string{bad}, replay: capPath}, "nosuch.field"},
		{"missing rules", runOptions{rules: []string{"/nonexistent/rules.yaml"}, replay: capPath}, "LOAD_ERR_FILE_READ"},
		{"unknown option", runOptions{options: []string{"no_such_key=1"}, replay: capPath}, "unknown setting"},
		{"option without value", runOptions{options: []string{"json_output"}, replay: capPath}, "key=value"},
		{"bad value", runOptions{options: []string{"rule_matching=some"}, replay: capPath}, "first or all"},
		{"missing capture", runOptions{replay: "/nonexistent.scap"}, "nonexistent.scap"},
		{"replay without file", runOptions{options: []string{"engine.kind=replay"}}, "capture_file"},
		{"http without url", runOptions{options: []string{"http_output.enabled=true"}, replay: capPath}, "http_output.url"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := runCLI(t, &c.o)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

func TestConfigFile(t *testing.T) {
	rules := writeFile(t, "r.yaml", testRules)
	conf := writeFile(t, "falco.yaml", `
rules_files:
  - `+rules+`
rule_matching: all
json_output: true
priority: informational
rules:
  - disable:
      tag: creds
engine:
  kind: replay
  replay:
    capture_file: `+writeCapture(t)+`
unknown_section:
  key: 1
`)
	var stderr bytes.Buffer
	o := &runOptions{config: conf}
	cfg, err := o.buildConfig(&stderr)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.RulesFiles) != 1 || !cfg.MatchAll || !cfg.Output.JSONOutput || cfg.Output.Priority != output.PriorityInformational ||
		cfg.EngineKind != "replay" || len(cfg.Toggles) != 1 || cfg.Toggles[0].Tag != "creds" {
		t.Errorf("config %+v", cfg)
	}
	if !strings.Contains(stderr.String(), "unknown_section.key") {
		t.Errorf("unknown key not reported: %q", stderr.String())
	}
	out, errOut, err := runCLI(t, o)
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	if strings.Count(out, "\n") != 2 || strings.Contains(out, `"rule":"shadow"`) {
		t.Errorf("stdout:\n%s", out)
	}
	// -o wins over the file.
	o.options = []string{"rule_matching=first", "json_output=false"}
	cfg, err = o.buildConfig(&stderr)
	if err != nil || cfg.MatchAll || cfg.Output.JSONOutput {
		t.Errorf("-o did not override the file: %v %+v", err, cfg)
	}
}

func TestConfigKeys(t *testing.T) {
	c := defaultRunConfig()
	for _, kv := range []string{
		"rules_files=[a.yaml, b.yaml]", "rules_files[]=c.yaml", "rules[].disable.rule=Foo*", "rules[].enable.tag=t",
		"engine.modern_ebpf.buf_size_preset=3", "engine.modern_ebpf.cpus_for_each_buffer=0", "snaplen=256",
		"http_output.url=http://x/", "syscall_event_drops.actions[]=exit",
	} {
		if err := c.SetOption(kv); err != nil {
			t.Errorf("%s: %v", kv, err)
		}
	}
	if strings.Join(c.RulesFiles, ",") != "a.yaml,b.yaml,c.yaml" || len(c.Toggles) != 2 || c.Toggles[0].Rule != "Foo*" ||
		c.Toggles[0].Enable || !c.Toggles[1].Enable || c.RingSize() != 4<<20 || c.CPUsForEachBuffer != 0 || c.Snaplen != 256 ||
		c.Output.HTTP.URL != "http://x/" {
		t.Errorf("%+v", c)
	}
	for _, bad := range []string{"engine.modern_ebpf.buf_size_preset=11", "snaplen=-1", "engine.kind=kmod", "rules_files={"} {
		if err := c.SetOption(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	if h := configHelp(); !strings.Contains(h, "rule_matching") || !strings.Contains(h, "http_output.url") {
		t.Errorf("help lacks keys:\n%s", h)
	}
}

// FuzzRunConfig feeds arbitrary -o options and configuration files to the
// parsers: errors are fine, panics are not.
func FuzzRunConfig(f *testing.F) {
	f.Add("rule_matching=all", []byte("rules_files: [a]\nrules:\n  - disable: {rule: x}\n"))
	f.Add("append_output[]={match: {tags: [a]}}", []byte("engine: {kind: replay}"))
	f.Add("rules[].enable.tag=x", []byte("- a\n- b"))
	f.Fuzz(func(t *testing.T, opt string, doc []byte) {
		c := defaultRunConfig()
		c.SetOption(opt)
		c.LoadYAML(doc)
	})
}
