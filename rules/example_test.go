package rules_test

import (
	"fmt"

	"github.com/syscope/syscope/rules"
)

func ExampleLoad() {
	rs, res := rules.Load(nil, "example.yaml", []byte(`
- list: shells
  items: [bash, sh]
- macro: spawned
  condition: evt.type in (execve, execveat)
- rule: shell spawned
  desc: a shell starts
  condition: spawned and proc.name in (shells)
  output: "%proc.name started"
  priority: NOTICE
  exceptions:
    - name: ci
      fields: [proc.pname]
      values:
        - [jenkins]
`))
	fmt.Println(res)
	r := rs.Rule("shell spawned")
	fmt.Println(r.CompiledCondition())
	fmt.Println(r.EventTypes.Names())

	_, res = rules.Load(nil, "bad.yaml", []byte("- rule: r\n  desc: d\n  condition: evt.type = open and\n  output: o\n  priority: INFO\n"))
	fmt.Println(res.Errors[0])
	// Output:
	// example.yaml: Ok
	// ((evt.type in (execve, execveat) and proc.name in (bash, sh)) and not proc.pname = jenkins)
	// [execve execveat]
	// bad.yaml:3:33: LOAD_ERR_COMPILE_CONDITION: expected a blank or '(' after 'and' (in rule 'r')
}
