package engine_test

import (
	"testing"

	"github.com/syscope/syscope/engine"
)

var upstreamFiles = []string{"falco_rules.yaml", "falco-incubating_rules.yaml", "falco-sandbox_rules.yaml"}

// The upstream rule files load with the real fields (container.* and
// k8s.* included), separately and together, without errors.
func TestUpstreamRulesLoad(t *testing.T) {
	cases := [][]string{{upstreamFiles[0]}, {upstreamFiles[1]}, {upstreamFiles[2]}, upstreamFiles}
	for _, files := range cases {
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
				t.Logf("%v: %s", files, r)
			}
		}
		if rs == nil {
			continue
		}
		t.Logf("%v: %d rules", files, len(rs.Rules))
	}
}
