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
