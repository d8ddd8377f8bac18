package rules_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/syscope/syscope/filter"
	"github.com/syscope/syscope/rules"
)

type loaderCase struct {
	Name        string            `json:"name"`
	LoadOK      bool              `json:"load_ok"`
	Conditions  map[string]string `json:"conditions"`
	Outputs     map[string]string `json:"outputs"`
	Errors      []string          `json:"errors"`
	Warnings    []string          `json:"warnings"`
	NoWarnings  []string          `json:"no_warnings"`
	Info        map[string]string `json:"info"`
	Rules       string            `json:"rules"`
	Schema      *string           `json:"schema"`
	HasWarnings *bool             `json:"has_warnings"`
}

func syscallOptions(t testing.TB) *rules.Options {
	return &rules.Options{Sources: map[string]filter.Schema{rules.SyscallSource: testSchema(t)}}
}

// checkCase returns what differs between the case's expectations and the
// loader's result.
func checkCase(t *testing.T, c loaderCase, opts *rules.Options) []string {
	rs, res := rules.Load(opts, "rules.yaml", []byte(c.Rules))
	var problems []string
	bad := func(format string, args ...any) {
		problems = append(problems, strings.TrimSpace(sprintf(format, args...)))
	}
	if res.OK() != c.LoadOK {
		bad("load ok = %v, want %v\n%s", res.OK(), c.LoadOK, res)
	}
	messages := func(ms []rules.Message) []string {
		var out []string
		for _, m := range ms {
			out = append(out, m.Message)
		}
		return out
	}
	contains := func(list []string, sub string) bool {
		for _, s := range list {
			if strings.Contains(s, sub) {
				return true
			}
		}
		return false
	}
	errs, warns := messages(res.Errors), messages(res.Warnings)
	for _, e := range c.Errors {
		if !contains(errs, e) {
			bad("no error mentions %q; errors: %q", e, errs)
		}
	}
	for _, w := range c.Warnings {
		if !contains(warns, w) {
			bad("no warning mentions %q; warnings: %q", w, warns)
		}
	}
	for _, w := range c.NoWarnings {
		if contains(warns, w) {
			bad("a warning mentions %q: %q", w, warns)
		}
	}
	if c.HasWarnings != nil && res.HasWarnings() != *c.HasWarnings {
		bad("has warnings = %v, want %v: %q", res.HasWarnings(), *c.HasWarnings, warns)
	}
	if c.Schema != nil {
		want := *c.Schema
		if !strings.HasPrefix(res.Schema, want) {
			bad("schema validation %q, want %q", res.Schema, want)
		}
	}
	if rs == nil {
		if len(c.Conditions) > 0 || len(c.Info) > 0 {
			bad("no ruleset to check conditions")
		}
		return problems
	}
	for name, want := range c.Conditions {
		r := rs.Rule(name)
		if r == nil {
			bad("rule %q missing", name)
			continue
		}
		if got := r.CompiledCondition(); got != want {
			bad("rule %q compiled condition\n got %s\nwant %s", name, got, want)
		}
	}
	for name, want := range c.Outputs {
		if r := rs.Rule(name); r == nil || r.Output != want {
			bad("rule %q output mismatch, want %q", name, want)
		}
	}
	if len(c.Info) > 0 {
		if len(rs.Rules) == 0 {
			bad("no rule for info")
		} else {
			r := rs.Rules[0]
			for k, want := range c.Info {
				var got string
				switch k {
				case "condition":
					got = r.Condition
				case "output":
					got = r.Output
				case "description":
					got = r.Description
				case "priority":
					got = r.Priority.String()
				default:
					bad("unknown info key %q", k)
					continue
				}
				if got != want {
					bad("info %s = %q, want %q", k, got, want)
				}
			}
		}
	}
	return problems
}

func TestLoaderCases(t *testing.T) {
	shared := sharedDir(t)
	data, err := os.ReadFile(filepath.Join(shared, "rules", "loader_cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Count int          `json:"count"`
		Cases []loaderCase `json:"cases"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Cases) != doc.Count || doc.Count == 0 {
		t.Fatalf("%d cases, file says %d", len(doc.Cases), doc.Count)
	}
	opts := syscallOptions(t)
	passed := 0
	for _, c := range doc.Cases {
		t.Run(c.Name, func(t *testing.T) {
			problems := checkCase(t, c, opts)
			for _, p := range problems {
				t.Error(p)
			}
			if len(problems) == 0 {
				passed++
			}
		})
	}
	t.Logf("loader cases: %d/%d passed", passed, len(doc.Cases))
}

func TestUpstreamRules(t *testing.T) {
	shared := sharedDir(t)
	opts := syscallOptions(t)
	files := []string{"falco_rules.yaml", "falco-incubating_rules.yaml", "falco-sandbox_rules.yaml"}
	paths := make([]string, len(files))
	for i, f := range files {
		paths[i] = filepath.Join(shared, "rules", f)
	}
	check := func(name string, paths ...string) *rules.Ruleset {
		rs, results := rules.LoadFiles(opts, paths...)
		for _, r := range results {
			for _, e := range r.Errors {
				t.Errorf("%s: %s", name, e)
			}
		}
		if rs == nil {
			t.Fatalf("%s: no ruleset", name)
		}
		warnings := 0
		for _, r := range results {
			warnings += len(r.Warnings)
		}
		t.Logf("%s: %d rules, %d macros, %d lists, %d warnings", name, len(rs.Rules), len(rs.Macros), len(rs.Lists), warnings)
		return rs
	}
	for _, p := range paths {
		rs := check(filepath.Base(p), p)
		if len(rs.Rules) == 0 {
			t.Errorf("%s: no rules", p)
		}
	}
	all := check("all three", paths...)
	for _, r := range all.Rules {
		if r.Compiled == nil {
			t.Errorf("rule %q has no compiled condition", r.Name)
		}
	}
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

func TestMacroExpansionBound(t *testing.T) {
	var b strings.Builder
	b.WriteString("- macro: m0\n  condition: proc.name = a\n")
	for i := 1; i <= 40; i++ {
		fmt.Fprintf(&b, "- macro: m%d\n  condition: m%d or m%d\n", i, i-1, i-1)
	}
	b.WriteString("- rule: r\n  desc: d\n  condition: evt.type = open and m40\n  output: o\n  priority: INFO\n")
	_, res := rules.Load(nil, "big.yaml", []byte(b.String()))
	if res.OK() || !strings.Contains(res.Errors[0].Message, "too large") {
		t.Fatalf("got %s", res)
	}
}

func TestLoaderLocations(t *testing.T) {
	opts := syscallOptions(t)
	cases := []struct {
		name, content string
		code          rules.Code
		msg, at       string
	}{
		{"syntax", "- rule: r\n  desc: d\n  condition: evt.type = open and (proc.name = x\n  output: o\n  priority: INFO\n",
			rules.ErrCompileCondition, "expected ')'", "f.yaml:3:48"},
		{"unknown field", "- rule: r\n  desc: d\n  condition: evt.type = open and proc.nme = x\n  output: o\n  priority: INFO\n",
			rules.ErrCompileCondition, "unknown field 'proc.nme'", "f.yaml:3:34"},
		{"quoted", "- rule: r\n  desc: d\n  condition: \"evt.type = open and proc.nme = x\"\n  output: o\n  priority: INFO\n",
			rules.ErrCompileCondition, "unknown field", "f.yaml:3:35"},
		{"bad type", "- rule: r\n  desc: d\n  condition: evt.type = open and evt.num contains 1\n  output: o\n  priority: INFO\n",
			rules.ErrCompileCondition, "not supported on numeric fields", "f.yaml:3:34"},
		{"undefined macro", "- rule: r\n  desc: d\n  condition: evt.type = open and nope\n  output: o\n  priority: INFO\n",
			rules.ErrValidate, "Undefined macro 'nope' used in filter.", "f.yaml:3:34"},
		{"macro loop", "- macro: a\n  condition: b\n- macro: b\n  condition: a\n- macro: a\n  condition: b\n",
			rules.ErrValidate, "reference loop in macro", ""},
		{"output field", "- rule: r\n  desc: d\n  condition: evt.type = open\n  output: \"%proc.nme\"\n  priority: INFO\n",
			rules.ErrCompileOutput, "invalid formatting token proc.nme", "f.yaml:4:11"},
		{"priority", "- rule: r\n  desc: d\n  condition: evt.type = open\n  output: o\n  priority: LOUD\n",
			rules.ErrYAMLValidate, "Invalid priority", "f.yaml:5:13"},
		{"not a list", "rule: r\n", rules.ErrYAMLValidate, "not yaml array of objects", "f.yaml"},
		{"yaml", "- rule: [\n", rules.ErrYAMLParse, "yaml:", "f.yaml:1:1"},
		{"engine version", "- required_engine_version: 1.0.0\n", rules.ErrValidate, "Rules require engine version 1.0.0, but engine version is 0.63.0", "f.yaml:1:3"},
	}
	for _, c := range cases {
		_, res := rules.Load(opts, "f.yaml", []byte(c.content))
		if res.OK() {
			t.Errorf("%s: loaded", c.name)
			continue
		}
		m := res.Errors[0]
		if m.Code != c.code || !strings.Contains(m.Message, c.msg) {
			t.Errorf("%s: got %s", c.name, m)
		}
		if c.at != "" && m.Location().String() != c.at {
			t.Errorf("%s: at %s, want %s (%s)", c.name, m.Location(), c.at, m)
		}
		if !strings.Contains(m.String(), string(c.code)) {
			t.Errorf("%s: %q lacks the code", c.name, m.String())
		}
	}
}

func TestLoadFilesAcross(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.yaml")
	b := filepath.Join(dir, "b.yaml")
	os.WriteFile(a, []byte("- list: bins\n  items: [cat]\n- macro: opened\n  condition: evt.type = openat\n- rule: r\n  desc: d\n  condition: opened and proc.name in (bins)\n  output: \"%proc.name\"\n  priority: INFO\n"), 0o644)
	os.WriteFile(b, []byte("- list: bins\n  items: [less]\n  override:\n    items: append\n- rule: r\n  condition: and fd.name = /etc/shadow\n  override:\n    condition: append\n- rule: r2\n  desc: d\n  condition: opened\n  output: o\n  priority: ERROR\n  tags: [b, a, b]\n"), 0o644)
	rs, results := rules.LoadFiles(syscallOptions(t), a, b)
	for _, r := range results {
		if !r.OK() {
			t.Fatal(r)
		}
	}
	if got := rs.Rule("r").CompiledCondition(); got != "(evt.type = openat and proc.name in (cat, less) and fd.name = /etc/shadow)" {
		t.Fatalf("r: %s", got)
	}
	if r2 := rs.Rule("r2"); r2.Priority != rules.Error || strings.Join(r2.Tags, ",") != "a,b" || r2.ID != 1 {
		t.Fatalf("r2: %+v", r2)
	}
	_, results = rules.LoadFiles(syscallOptions(t), filepath.Join(dir, "missing.yaml"))
	if len(results) != 1 || results[0].OK() || results[0].Errors[0].Code != rules.ErrFileRead {
		t.Fatalf("missing file: %v", results)
	}
}

func TestResultRendering(t *testing.T) {
	_, res := rules.Load(nil, "x.yaml", []byte("- list: l\n  items: [a]\n  bogus: 1\n"))
	if !res.OK() || len(res.Warnings) != 2 {
		t.Fatalf("got %s", res)
	}
	s := res.String()
	if !strings.HasPrefix(s, "x.yaml: Ok, with warnings") || !strings.Contains(s, "LOAD_UNKNOWN_KEY") || !strings.Contains(s, "LOAD_UNUSED_LIST") {
		t.Fatalf("text: %s", s)
	}
	data, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		Successful bool `json:"successful"`
		Warnings   []struct {
			Code    string `json:"code"`
			Message string `json:"message"`
			Context struct {
				Locations []struct {
					ItemType string `json:"item_type"`
					Position struct {
						Line int `json:"line"`
					} `json:"position"`
				} `json:"locations"`
			} `json:"context"`
		} `json:"warnings"`
	}
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if !back.Successful || len(back.Warnings) != 2 || back.Warnings[0].Code != "LOAD_UNKNOWN_KEY" {
		t.Fatalf("json: %s", data)
	}
	locs := back.Warnings[0].Context.Locations
	if len(locs) < 2 || locs[len(locs)-1].ItemType != "list" || locs[len(locs)-1].Position.Line != 1 {
		t.Fatalf("json locations: %s", data)
	}
}
