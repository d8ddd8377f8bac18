// Package capture puts container metadata into capture files and reads it
// back, the way libscap and libsinsp do: as container events
// (PPME_CONTAINER_JSON_2_E, thread id -1, one parameter holding libsinsp's
// container JSON), written when a capture starts and whenever a
// container's metadata becomes known, in the event stream like any other
// event.
//
// The writer side is a Recorder over a scap.Writer (or any EventWriter):
//
//	rec := capture.NewRecorder(w, manager, nil)
//	rec.Sync(firstTs)               // the containers known so far
//	for each event e of the capture:
//		_, c := tracker.Container(thread of e)
//		rec.Observe(c, e.Ts())     // before e: readers see metadata first
//		w.WriteEvent(e)
//	rec.Sync(lastTs)                // lookups that finished late
//
// The reader side is Load (one event) or Source, a scap.Source wrapper
// that loads the container events it passes on into a container.Manager,
// so that a replayed capture shows the container fields it showed live.
// Decode reads the three container event types libsinsp has written:
// the JSON ones and the old fixed one (id, type, name, image).
//
// The JSON is what sysdig 0.29.3 and current Falco read; for containers in
// a Kubernetes pod the Recorder also writes the pod's sandbox record and the
// io.kubernetes.sandbox.id label that libsinsp 0.29.3 uses to find pod
// labels, and it adds the start and creation times in nanoseconds
// (start_ts, created_ts: libsinsp keeps seconds only, and ignores them).
//
// This package does not detect containers or talk to runtimes (see
// package container) and does not decide which events a capture holds.
package capture
