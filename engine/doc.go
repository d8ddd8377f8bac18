// Package engine is syscope's detection pipeline: it evaluates Falco rules
// over the events of an inspector (a capture file being replayed, or the
// live driver) and delivers the alerts they raise to output sinks.
//
// It ties the other packages together:
//
//   - Registry and Schema give the fields rules are loaded and evaluated
//     with (the fields package's classes, with container.* and k8s.* from
//     package containerfields);
//   - LoadFiles and LoadContents load rules files through that schema,
//     applying append_output's extra text;
//   - CompileOutput renders a rule's output as Falco does: the text with
//     "<NA>" for missing values, and the typed output_fields (null for
//     missing values) plus append_output's extra fields;
//   - an Engine runs the loop (inspector → rules → dispatcher), attaches a
//     container tracker to the inspector's fields, counts what it did, and
//     watches the source's and the output queues' drop counters, raising
//     internal alerts when they pass the threshold.
//
// The package does not parse rules (package rules), extract fields
// (package fields), render alert lines or talk to sinks (package output),
// or open sources (packages scap and driver): the caller builds those and
// hands them over.
//
// A replay of a capture, in short:
//
//	rs, _, err := engine.LoadFiles(nil, "falco_rules.yaml")
//	src, _ := scap.Open("trace.scap")
//	in, _ := inspect.New(src, engine.InspectOptions(nil))
//	d, _ := output.New(output.DefaultConfig(), nil)
//	e, _ := engine.New(in, rs, d, nil)
//	err = e.Run(ctx)
//	d.Close(ctx)
package engine
