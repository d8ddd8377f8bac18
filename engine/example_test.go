package engine_test

import (
	"context"
	"fmt"
	"os"

	"github.com/syscope/syscope/engine"
	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/inspect"
	"github.com/syscope/syscope/output"
)

// exampleRules is a one-rule file.
const exampleRules = `
- rule: Shadow read
  desc: a program read /etc/shadow
  condition: evt.type = openat and fd.name = /etc/shadow
  output: "%proc.name read %fd.name (parent %proc.pname, pod %k8s.pod.name)"
  priority: WARNING
  tags: [example]
`

// exampleEvent is an openat of /etc/shadow by thread tid.
func exampleEvent(tid int64) []byte {
	var b event.Builder
	b.Reset(1_700_000_000_000_000_000, tid, event.SyscallOpenatV2X)
	b.I64(3).I64(-100).Str("/etc/shadow").U32(1).U32(0).U32(0).U64(0)
	raw, _ := b.Bytes()
	return append([]byte(nil), raw...)
}

// Evaluate rules over a source of events and print the alerts on stdout,
// as `syscope run --replay` does with a capture file.
func ExampleEngine_Run() {
	rs, results := engine.LoadContents(nil, engine.Content{Name: "example.yaml", Data: []byte(exampleRules)})
	if rs == nil {
		fmt.Println(results[0])
		return
	}
	// A capture file would be scap.Open(path); here, events built in memory.
	src := &memSource{md: scenarioMetadata(), evs: [][]byte{exampleEvent(pidCat)}}
	in, err := inspect.New(src, engine.InspectOptions(nil))
	if err != nil {
		fmt.Println(err)
		return
	}
	cfg := output.DefaultConfig()
	cfg.TimeFormatISO8601 = true
	d, err := output.New(cfg, &output.BuildOptions{Stdout: os.Stdout, Hostname: "example"})
	if err != nil {
		fmt.Println(err)
		return
	}
	e, err := engine.New(in, rs, d, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := e.Run(context.Background()); err != nil {
		fmt.Println(err)
	}
	d.Close(context.Background())
	fmt.Println("alerts:", e.Stats().Alerts)
	// Output:
	// 2023-11-14T22:13:20.000000000+0000: Warning cat read /etc/shadow (parent bash, pod <NA>)
	// alerts: 1
}

// Render a rule output the way Falco does: <NA> for missing values in the
// text, typed values (null when missing) in the fields.
func ExampleCompileOutput() {
	src := &memSource{md: scenarioMetadata(), evs: [][]byte{exampleEvent(pidCat)}}
	in, _ := inspect.New(src, engine.InspectOptions(nil))
	out, err := engine.CompileOutput("file=%fd.name pid=%proc.pid container=%container.id ns=%k8s.ns.name", nil, in.Resolver())
	if err != nil {
		fmt.Println(err)
		return
	}
	c, _ := in.Next()
	fmt.Println(out.Text(c))
	vals := out.Values(c)
	for _, k := range out.Fields() {
		fmt.Printf("%s=%s\n", k, vals[k].AppendJSON(nil))
	}
	// Output:
	// file=/etc/shadow pid=200 container=host ns=<NA>
	// fd.name="/etc/shadow"
	// proc.pid=200
	// container.id="host"
	// k8s.ns.name=null
}

// Load the upstream rule files as one ruleset, checking them against the
// fields the engine evaluates them with.
func ExampleLoadFiles() {
	rs, results, err := engine.LoadFiles(nil, "/etc/falco/falco_rules.yaml", "/etc/falco/rules.d")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range results {
		if !r.OK() {
			fmt.Println(r) // file:line:col: CODE: message
		}
	}
	if rs != nil {
		fmt.Println(len(rs.Rules), "rules")
	}
}
