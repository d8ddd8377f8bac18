package capture_test

import (
	"errors"
	"testing"

	"github.com/syscope/syscope/container"
	"github.com/syscope/syscope/container/capture"
	"github.com/syscope/syscope/event"
)

// sink collects the events a Recorder writes.
type sink struct {
	recs []*container.Container
	fail error
}

func (s *sink) WriteEvent(e *event.Event) error {
	if s.fail != nil {
		return s.fail
	}
	c, err := capture.Decode(e)
	if err != nil {
		return err
	}
	s.recs = append(s.recs, c)
	return nil
}

func (s *sink) names() []string {
	var n []string
	for _, c := range s.recs {
		n = append(n, c.Name)
	}
	return n
}

func newManager(t testing.TB, recs ...*container.Container) *container.Manager {
	m := container.NewManager(container.Options{})
	t.Cleanup(func() { m.Close() })
	for _, r := range recs {
		m.Add(r)
	}
	return m
}

func TestRecorderSyncAndObserve(t *testing.T) {
	d, p := dockerRecord(), podmanRecord()
	m := newManager(t, d, p)
	// A container whose lookup has not finished has no metadata to write.
	pending := m.Lookup(dockerID[:10]+"ffffffffffffffffffffffffffffffffffffffffffffffffffffff", container.TypeDocker)
	s := &sink{}
	r := capture.NewRecorder(s, m, nil)
	if err := r.Sync(100); err != nil {
		t.Fatal(err)
	}
	if len(s.recs) != 2 {
		t.Fatalf("sync wrote %v", s.names())
	}
	// Least recently used first: docker was added first.
	if s.recs[0].Name != "web" || s.recs[1].Name != "sc-plain" {
		t.Fatalf("sync order %v", s.names())
	}
	// Observing what was written writes nothing, without allocating.
	if n := testing.AllocsPerRun(100, func() {
		if err := r.Observe(d, 200); err != nil {
			t.Fatal(err)
		}
		r.Observe(container.HostContainer, 200)
		r.Observe(pending, 200)
	}); n != 0 || len(s.recs) != 2 {
		t.Fatalf("re-observing: %.1f allocations, %d events", n, len(s.recs))
	}
	// A new record for the container (a lookup finished again) is written.
	d2 := *d
	d2.Name = "web-renamed"
	m.Add(&d2)
	if err := r.Observe(m.Get(dockerID), 300); err != nil {
		t.Fatal(err)
	}
	if err := r.Sync(400); err != nil {
		t.Fatal(err)
	}
	if len(s.recs) != 3 || s.recs[2].Name != "web-renamed" {
		t.Fatalf("after the update: %v", s.names())
	}
	st := r.Stats()
	if st.Written != 3 || st.Skipped == 0 || st.Tracked != 2 || st.Sandboxes != 0 {
		t.Fatalf("stats %+v", st)
	}
}

func TestRecorderSandbox(t *testing.T) {
	c := criRecord()
	// Without the sandbox's own record, one is made from the pod.
	m := newManager(t, c)
	s := &sink{}
	r := capture.NewRecorder(s, m, nil)
	if err := r.Observe(c, 1); err != nil {
		t.Fatal(err)
	}
	if len(s.recs) != 2 {
		t.Fatalf("wrote %v", s.names())
	}
	sb, ctr := s.recs[0], s.recs[1]
	if !sb.IsPodSandbox || sb.ID != sandboxID[:12] || sb.FullID != sandboxID || sb.Name != "sc-pod" ||
		sb.Label("app") != "sctest" || sb.Label(container.LabelPodNamespace) != "sc-ns" || sb.Type != container.TypeContainerd {
		t.Fatalf("sandbox record %+v", sb)
	}
	if ctr.Label(container.LabelSandboxID) != sandboxID || ctr.Pod == nil || ctr.Pod.Labels["tier"] != "backend" {
		t.Fatalf("container record %+v", ctr)
	}
	// A second container of the pod does not write the sandbox again.
	c2 := criRecord()
	c2.FullID, c2.ID, c2.Name = "a"+c2.FullID[1:], "a"+c2.ID[1:], "sidecar"
	c2.Pod = c.Pod
	if err := r.Observe(c2, 2); err != nil {
		t.Fatal(err)
	}
	if len(s.recs) != 3 || r.Stats().Sandboxes != 1 {
		t.Fatalf("wrote %v, stats %+v", s.names(), r.Stats())
	}

	// With the sandbox's record in the Manager, that one is written.
	real := &container.Container{ID: sandboxID[:12], FullID: sandboxID, Type: container.TypeContainerd, State: container.StateResolved,
		Name: "sc-pod", IsPodSandbox: true, Labels: map[string]string{"app": "sctest", "from": "runtime"}, Pod: c.Pod}
	m2 := newManager(t, c, real)
	s2 := &sink{}
	r2 := capture.NewRecorder(s2, m2, nil)
	if err := r2.Observe(c, 1); err != nil {
		t.Fatal(err)
	}
	if len(s2.recs) != 2 || s2.recs[0].Label("from") != "runtime" || r2.Stats().Sandboxes != 0 {
		t.Fatalf("wrote %+v", s2.recs)
	}
	// Sync afterwards does not write either again.
	if err := r2.Sync(5); err != nil || len(s2.recs) != 2 {
		t.Fatalf("sync: %v, %v", err, s2.names())
	}
}

func TestRecorderBoundAndErrors(t *testing.T) {
	s := &sink{}
	r := capture.NewRecorder(s, nil, &capture.RecorderOptions{MaxTracked: 2})
	if err := r.Sync(1); err != nil { // no manager: nothing to do
		t.Fatal(err)
	}
	recs := []*container.Container{dockerRecord(), podmanRecord(), criRecord()}
	recs[2].Pod = nil
	for _, c := range recs {
		if err := r.Observe(c, 1); err != nil {
			t.Fatal(err)
		}
	}
	st := r.Stats()
	if st.Tracked != 2 || st.Evicted != 1 || st.Written != 3 {
		t.Fatalf("stats %+v", st)
	}
	s.fail = errors.New("disk full")
	d := dockerRecord() // a new record: must be written, and fails
	if err := r.Observe(d, 1); err == nil || !errors.Is(err, s.fail) {
		t.Fatalf("write error = %v", err)
	}
}

func TestLoad(t *testing.T) {
	m := newManager(t)
	for _, c := range []*container.Container{dockerRecord(), criRecord()} {
		raw, _ := capture.AppendEvent(nil, c, 1)
		if ok, err := capture.Load(m, &event.Event{Raw: raw}); !ok || err != nil {
			t.Fatalf("load %s: %v %v", c.Name, ok, err)
		}
	}
	if c := m.Get(dockerID); c == nil || c.Name != "web" || c.State != container.StateResolved {
		t.Fatalf("docker record %+v", c)
	}
	if c := m.Get(criID); c == nil || c.Pod == nil || c.Pod.Namespace != "sc-ns" {
		t.Fatalf("cri record %+v", c)
	}
	// A failed lookup in the capture does not replace metadata.
	failed := &container.Container{ID: dockerID[:12], FullID: dockerID, Type: container.TypeDocker, State: container.StateFailed}
	raw, _ := capture.AppendEvent(nil, failed, 2)
	if ok, err := capture.Load(m, &event.Event{Raw: raw}); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if c := m.Get(dockerID); c.Name != "web" {
		t.Fatalf("failed lookup replaced the record: %+v", c)
	}
	// Other events are not container events.
	raw, _ = event.Encode(nil, 1, 3, event.SyscallGetuidE)
	if ok, err := capture.Load(m, &event.Event{Raw: raw}); ok || err != nil {
		t.Fatal(ok, err)
	}
	bad, _ := event.Encode(nil, 1, -1, event.ContainerJsonV2E, []byte("{\x00"))
	if ok, err := capture.Load(m, &event.Event{Raw: bad}); !ok || err == nil {
		t.Fatalf("bad json: %v %v", ok, err)
	}
}
