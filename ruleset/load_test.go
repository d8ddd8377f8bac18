package ruleset_test

import (
	"testing"

	"github.com/syscope/syscope/engine"
	"github.com/syscope/syscope/ruleset"
)

// TestDefaultLoads loads the embedded rules through the rules loader with
// the engine's field schema: no error, no warning, every rule compiled.
func TestDefaultLoads(t *testing.T) {
	rs, res := engine.LoadContents(nil, engine.Content{Name: ruleset.Name, Data: ruleset.Default()})
	if len(res) != 1 {
		t.Fatalf("%d results", len(res))
	}
	r := res[0]
	for _, m := range r.Errors {
		t.Errorf("error: %s", m.String())
	}
	for _, m := range r.Warnings {
		t.Errorf("warning: %s", m.String())
	}
	if rs == nil {
		t.Fatal("no ruleset")
	}
	if len(rs.Rules) != 28 {
		t.Errorf("%d rules compiled, want 28", len(rs.Rules))
	}
	for _, rule := range rs.Rules {
		if rule.Name == "" || rule.Output == "" {
			t.Errorf("rule %+v incomplete", rule)
		}
	}
}
