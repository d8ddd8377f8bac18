package output_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/syscope/syscope/output"
)

func exampleAlert() *output.Alert {
	return &output.Alert{
		Time:     time.Date(2024, 5, 1, 10, 0, 0, 123456789, time.UTC),
		Rule:     "Shell spawned by a service",
		Priority: output.PriorityWarning,
		Source:   "syscall",
		Tags:     []string{"shell", "T1059"},
		Output:   "Shell started by nginx (proc.cmdline=sh -c id user.name=www-data)",
		Fields: map[string]output.Value{
			"proc.cmdline": output.String("sh -c id"),
			"proc.pid":     output.Int(4242),
			"user.name":    output.String("www-data"),
			"container.id": output.String("host"),
			"fd.name":      output.Null(),
		},
	}
}

func ExampleFormatter_Text() {
	f := output.NewFormatter(output.FormatterOptions{Hostname: "node-1", Location: time.UTC})
	fmt.Println(f.Text(exampleAlert()))
	// Output:
	// 10:00:00.123456789: Warning Shell started by nginx (proc.cmdline=sh -c id user.name=www-data)
}

func ExampleFormatter_JSON() {
	f := output.NewFormatter(output.FormatterOptions{Hostname: "node-1", Location: time.UTC})
	fmt.Println(string(f.JSON(exampleAlert())))
	// Output:
	// {"hostname":"node-1","output":"10:00:00.123456789: Warning Shell started by nginx (proc.cmdline=sh -c id user.name=www-data)","output_fields":{"container.id":"host","evt.time":1714557600123456789,"fd.name":null,"proc.cmdline":"sh -c id","proc.pid":4242,"user.name":"www-data"},"priority":"Warning","rule":"Shell spawned by a service","source":"syscall","tags":["T1059","shell"],"time":"2024-05-01T10:00:00.123456789Z"}
}

func ExampleParsePriority() {
	for _, s := range []string{"WARNING", "info", "debug"} {
		p, _ := output.ParsePriority(s)
		fmt.Println(p, uint8(p))
	}
	// Output:
	// Warning 4
	// Informational 6
	// Debug 7
}

func ExampleDispatcher() {
	d := output.NewDispatcher(output.NewFormatter(output.FormatterOptions{Location: time.UTC}), &output.DispatcherOptions{QueueCapacity: 16})
	d.AddSink(output.NewWriterSink("stdout", os.Stdout, false), output.FormatText)
	d.Send(exampleAlert())
	d.Close(context.Background())
	st := d.Stats()
	fmt.Println(st.Sinks[0].Name, "sent", st.Sinks[0].Sent, "dropped", st.Sinks[0].Dropped)
	// Output:
	// 10:00:00.123456789: Warning Shell started by nginx (proc.cmdline=sh -c id user.name=www-data)
	// stdout sent 1 dropped 0
}

func ExampleConfig_SetOption() {
	c := output.DefaultConfig()
	for _, o := range []string{"json_output=true", "http_output.enabled=true", "http_output.url=http://falcosidekick:2801/", "engine.kind=modern_ebpf"} {
		if err := c.SetOption(o); err != nil {
			fmt.Println("error:", err)
		}
	}
	fmt.Println(c.JSONOutput, c.HTTP.Enabled, c.HTTP.URL)
	// Output:
	// error: engine.kind: not an output setting
	// true true http://falcosidekick:2801/
}

func ExampleResolveAppendOutput() {
	entries, _ := output.ParseAppendOutput([]byte(`
- match: {source: syscall}
  extra_output: "on CPU %evt.cpu"
  extra_fields:
    - evt.hostname
    - home_directory: "${HOME}"
`))
	extra, fields := output.ResolveAppendOutput(entries, "Any rule", "syscall", nil)
	fmt.Printf("%q\n", extra)
	for _, f := range fields {
		fmt.Println(f.Name, f.Format, f.Raw)
	}
	// Output:
	// " on CPU %evt.cpu"
	// evt.hostname evt.hostname true
	// home_directory ${HOME} false
}

func ExampleDropMonitor() {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	m := output.NewDropMonitor(output.DefaultDropConfig(), output.RuleEventDrop, "kernel driver", output.DropCounters{})
	m.Check(t0, output.DropCounters{Events: 1000})
	r, ok := m.Check(t0.Add(time.Second), output.DropCounters{Events: 1500, Drops: 200})
	fmt.Println(ok, r.Alert.Priority)
	fmt.Println(r.Message)
	// Output:
	// true Critical
	// Syscope internal: event drop. 200 of 500 events dropped by the kernel driver in the last 1s.
}
