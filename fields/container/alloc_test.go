package containerfields_test

import (
	"testing"

	"github.com/syscope/syscope/fields"
	"github.com/syscope/syscope/filter"
	"github.com/syscope/syscope/state"
)

var allocFields = []string{
	"container.id", "container.full_id", "container.name", "container.image", "container.image.repository",
	"container.type", "container.privileged", "container.mounts", "container.mount[/var/*]",
	"container.mount.dest[/var/run/docker.sock]", "container.healthcheck", "container.start_ts",
	"container.duration", "container.ip", "container.label[app]", "container.labels",
	"proc.is_container_healthcheck", "proc.is_container_readiness_probe",
	"k8s.pod.name", "k8s.ns.name", "k8s.pod.label[app]", "k8s.pod.labels", "k8s.pod.ip",
}

// Extracting a field of a thread whose container is cached does not
// allocate, in filters (typed getters) and in text output.
func TestExtractionDoesNotAllocate(t *testing.T) {
	for _, compat := range []fields.Compat{fields.Current, fields.Sysdig029} {
		w := newWorld(t, compat)
		for _, tid := range []int64{tidCtrShell, tidCRI, tidShell, tidPending, tidHealthKid} {
			c := w.ctx(tid)
			for _, f := range allocFields {
				x := w.extractor(f)
				buf := make([]byte, 0, 1024)
				x.AppendText(buf, c) // warm the caches
				x.AppendJSON(buf, c)
				n := testing.AllocsPerRun(100, func() {
					x.AppendText(buf[:0], c)
					x.AppendJSON(buf[:0], c)
				})
				if n != 0 {
					t.Errorf("compat %d tid %d %s: %.1f allocations per extraction", compat, tid, f, n)
				}
			}
		}
	}
}

func BenchmarkExtract(b *testing.B) {
	for _, f := range []string{"container.id", "container.name", "container.image.repository", "container.privileged",
		"container.mounts", "k8s.ns.name", "proc.is_container_healthcheck"} {
		b.Run(f, func(b *testing.B) {
			w := newWorld(b, fields.Current)
			x := w.extractor(f)
			c := w.ctx(tidHealthKid)
			buf := make([]byte, 0, 256)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				// A new event each time defeats the per-event memo: this
				// is the cost of the first container field of an event.
				c.Evt.Num++
				buf, _ = x.AppendText(buf[:0], c)
			}
		})
	}
}

// BenchmarkEventFields is an output with six container fields for one
// event: one detection and one Manager lookup shared by all.
func BenchmarkEventFields(b *testing.B) {
	w := newWorld(b, fields.Current)
	var xs []*fields.Extractor
	for _, f := range []string{"container.id", "container.name", "container.image.repository", "container.privileged", "k8s.ns.name", "k8s.pod.name"} {
		xs = append(xs, w.extractor(f))
	}
	c := w.ctx(tidCRI)
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.Evt.Num++
		buf = buf[:0]
		for _, x := range xs {
			buf, _ = x.AppendText(buf, c)
		}
	}
}

// A compiled filter over container fields does not allocate either.
func TestFilterDoesNotAllocate(t *testing.T) {
	w := newWorld(t, fields.Current)
	e, err := filter.Parse(`container.id != host and container.privileged = true and container.image.repository in (docker.io/library/nginx) ` +
		`and container.mount.dest[/var/run/docker.sock] exists and not k8s.ns.name = kube-system and proc.is_container_healthcheck = false`)
	if err != nil {
		t.Fatal(err)
	}
	p, err := filter.Compile[*state.Ctx](e, w.res)
	if err != nil {
		t.Fatal(err)
	}
	c := w.ctx(tidCtrShell)
	if !p(c) {
		t.Fatal("filter does not match the docker container's shell")
	}
	if n := testing.AllocsPerRun(200, func() { c.Evt.Num++; p(c) }); n != 0 {
		t.Fatalf("%.1f allocations per evaluation", n)
	}
}
