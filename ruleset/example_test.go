package ruleset_test

import (
	"bytes"
	"fmt"

	"github.com/syscope/syscope/ruleset"
)

func ExampleDefault() {
	rules := ruleset.Default()
	fmt.Println(ruleset.Name)
	fmt.Println(bytes.Count(rules, []byte("\n- rule: ")), "rules")
	// Output:
	// syscope_rules.yaml
	// 28 rules
}
