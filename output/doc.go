// Package output delivers syscope alerts: it renders an Alert as Falco's text
// line or Falco's alert JSON and fans it out to sinks (stdout, a file, a
// program's stdin, syslog, an HTTP endpoint such as falcosidekick).
//
// The Dispatcher gives every sink its own bounded queue. Send never blocks:
// when a sink's queue is full the alert is dropped for that sink and counted.
// Stats and the Prometheus collector expose, per sink, how many alerts were
// sent, failed and dropped. DropMonitor turns drop counters (the driver's,
// or the dispatcher's own) into rate-limited internal alerts.
//
// Config mirrors Falco's output settings under Falco's names
// (json_output, stdout_output.enabled, file_output.filename,
// http_output.url, …) so that `-o key=value` and a falco.yaml fragment can
// set them.
//
// This package does not evaluate rules and does not render %field format
// strings: an Alert arrives with its output text already rendered and its
// field values already extracted (see packages rules and format).
// AppendOutput only decides which extra output and extra fields apply to a
// rule; rendering them is the format package's job.
//
// A minimal pipeline:
//
//	d := output.NewDispatcher(output.NewFormatter(output.FormatterOptions{}), nil)
//	d.AddSink(output.NewWriterSink("stdout", os.Stdout, false), output.FormatText)
//	d.Send(&output.Alert{Time: t, Rule: "r", Priority: output.PriorityWarning, Source: "syscall", Output: "msg"})
//	d.Close(ctx)
package output
