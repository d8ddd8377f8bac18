package rules_test

import (
	"testing"

	"github.com/syscope/syscope/rules"
)

// FuzzLoad checks that any rules content loads or fails with positioned
// errors, without panicking, and that a loaded ruleset has compiled,
// renderable conditions.
func FuzzLoad(f *testing.F) {
	for _, s := range []string{
		engineRules,
		"- list: l\n  items: [a, \"b c\"]\n- rule: r\n  desc: d\n  condition: proc.name in (l)\n  output: o\n  priority: INFO\n",
		"- macro: m\n  condition: m\n- rule: r\n  desc: d\n  condition: m\n  output: o\n  priority: INFO\n",
		"- rule: r\n  desc: d\n  condition: evt.type = open\n  output: o\n  priority: INFO\n  exceptions:\n    - name: e\n      fields: [proc.name, fd.name]\n      comps: [=, startswith oneof]\n      values:\n        - [a, [/etc, /tmp]]\n",
		"- rule: r\n  condition: and x\n  override:\n    condition: append\n",
		"- required_engine_version: 0.26.0\n- required_plugin_versions:\n  - name: p\n    version: 1.0.0\n",
		"{a: b}",
		"- [1, 2]\n",
		"--- \n- list: a\n  items: []\n---\n- list: a\n  items: [x]\n  append: true\n",
		"- rule: r\n  desc: d\n  condition: (evt.type = open\n  output: o\n  priority: INFO\n",
		"- rule: r\n  desc: d\n  condition: >\n    evt.type = open and\n    not proc.name in (a, b)\n  output: o\n  priority: nope\n",
		"&a [*a]",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		rs, res := rules.Load(nil, "fuzz.yaml", []byte(s))
		for _, m := range res.Errors {
			if m.Code == "" || m.Message == "" {
				t.Fatalf("%q: empty error %+v", s, m)
			}
		}
		if rs == nil {
			if res.OK() {
				t.Fatalf("%q: no ruleset and no error", s)
			}
			return
		}
		for _, r := range rs.Rules {
			if r.Compiled == nil {
				t.Fatalf("%q: rule %q not compiled", s, r.Name)
			}
			_ = r.CompiledCondition()
		}
	})
}
