package engine_test

import (
	"context"
	"testing"

	"github.com/syscope/syscope/engine"
	"github.com/syscope/syscope/inspect"
	"github.com/syscope/syscope/output"
	"github.com/syscope/syscope/ruleset"
)

var upstreamFiles = []string{"falco_rules.yaml", "falco-incubating_rules.yaml", "falco-sandbox_rules.yaml"}

// The upstream rule files load with the real fields (container.* and
// k8s.* included), separately and together, without errors or warnings,
// and every rule's condition and output compiles.
func TestUpstreamRulesLoad(t *testing.T) {
	cases := [][]string{{upstreamFiles[0]}, {upstreamFiles[1]}, {upstreamFiles[2]}, upstreamFiles}
	wantRules := []int{25, 31, 37, 93}
	for ci, files := range cases {
		var paths []string
		for _, f := range files {
			paths = append(paths, rulesFile(t, f))
		}
		rs, results, err := engine.LoadFiles(nil, paths...)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range results {
			if !r.OK() {
				t.Errorf("%v: %s", files, r)
			}
			if r.HasWarnings() {
				t.Errorf("%v: %s", files, r)
			}
		}
		if rs == nil {
			continue
		}
		if len(rs.Rules) != wantRules[ci] {
			t.Errorf("%v: %d rules, want %d", files, len(rs.Rules), wantRules[ci])
		}
		// Every condition and output compiles against an inspector's fields.
		src := &memSource{md: scenarioMetadata()}
		in, err := inspect.New(src, engine.InspectOptions(nil))
		if err != nil {
			t.Fatal(err)
		}
		d := output.NewDispatcher(output.NewFormatter(output.FormatterOptions{}), nil)
		e, err := engine.New(in, rs, d, nil)
		d.Close(context.Background())
		if err != nil {
			t.Errorf("%v: %v", files, err)
			continue
		}
		t.Logf("%v: %d rules, %d enabled", files, len(rs.Rules), e.Enabled())
	}
}

// The embedded default rules load and compile through the same fields.
func TestDefaultRulesLoad(t *testing.T) {
	rs, results := engine.LoadContents(nil, engine.Content{Name: ruleset.Name, Data: ruleset.Default()})
	for _, r := range results {
		if !r.OK() || r.HasWarnings() {
			t.Errorf("%s", r)
		}
	}
	if rs == nil {
		return
	}
	in, err := inspect.New(&memSource{md: scenarioMetadata()}, engine.InspectOptions(nil))
	if err != nil {
		t.Fatal(err)
	}
	d := output.NewDispatcher(output.NewFormatter(output.FormatterOptions{}), nil)
	defer d.Close(context.Background())
	if _, err := engine.New(in, rs, d, nil); err != nil {
		t.Fatal(err)
	}
}
