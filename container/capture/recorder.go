package capture

import (
	"fmt"
	"sync"

	"github.com/syscope/syscope/container"
	"github.com/syscope/syscope/event"
)

// EventWriter takes events to write into a capture; *scap.Writer is one.
type EventWriter interface {
	WriteEvent(e *event.Event) error
}

// RecorderOptions configure a Recorder. The zero value (or nil) means the
// defaults.
type RecorderOptions struct {
	// MaxTracked bounds how many containers the Recorder remembers having
	// written (default 4096). A container forgotten when the bound is
	// reached is written again the next time it is observed.
	MaxTracked int
}

// RecorderStats are a Recorder's counters.
type RecorderStats struct {
	// Written counts the container events written.
	Written uint64
	// Sandboxes counts the pod sandbox records written without a record
	// of their own in the Manager (made from what a container says of its
	// pod).
	Sandboxes uint64
	// Skipped counts observed records without metadata (lookup pending,
	// failed, not found), which are not written.
	Skipped uint64
	// Evicted counts containers forgotten because of MaxTracked.
	Evicted uint64
	// Tracked is how many containers are remembered now.
	Tracked int
}

// written is what the Recorder last wrote for one id: the record (or, for
// a sandbox made from a pod, the pod it was made from). Holding the
// pointers keeps their addresses from being reused.
type written struct {
	rec *container.Container
	pod *container.Pod
}

// Recorder writes container events into a capture, as libsinsp does: one
// per known container when the capture starts (Sync), then one whenever a
// container whose event was not written yet, or whose record changed since
// (a lookup finished), is observed (Observe). Only records with metadata
// are written: a container whose lookup has not finished is recognised in
// the capture from its threads' cgroups and shows its id only, as it would
// live. For containers in a Kubernetes pod the pod's sandbox record is
// written too (the Manager's, else one made from the pod), because libsinsp
// 0.29.3 reads pod labels from it.
//
// A Recorder is safe for concurrent use; writes to the EventWriter are
// serialised by it.
type Recorder struct {
	w   EventWriter
	m   *container.Manager
	max int

	mu    sync.Mutex
	done  map[string]written
	buf   []byte
	stats RecorderStats
}

// NewRecorder returns a Recorder writing to w. m is the Manager whose
// records Sync writes and where sandbox records are looked up; it may be
// nil.
func NewRecorder(w EventWriter, m *container.Manager, o *RecorderOptions) *Recorder {
	var opts RecorderOptions
	if o != nil {
		opts = *o
	}
	if opts.MaxTracked <= 0 {
		opts.MaxTracked = 4096
	}
	return &Recorder{w: w, m: m, max: opts.MaxTracked, done: make(map[string]written)}
}

// Stats returns the counters.
func (r *Recorder) Stats() RecorderStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.stats
	s.Tracked = len(r.done)
	return s
}

// Sync writes an event for every record of the Manager that has metadata
// and was not written as it is now, least recently used first, with
// timestamp ts. Call it when a capture starts, and when it ends so that
// lookups that finished late are in the file.
func (r *Recorder) Sync(ts uint64) error {
	if r.m == nil {
		return nil
	}
	cs := r.m.Containers()
	for i := len(cs) - 1; i >= 0; i-- {
		if err := r.Observe(cs[i], ts); err != nil {
			return err
		}
	}
	return nil
}

// Observe writes an event for c (timestamp ts) unless it was written
// already as it is, or has no metadata. Call it for the container of each
// event before writing the event, so that readers know the container when
// they read the event. It does not allocate when there is nothing to
// write.
func (r *Recorder) Observe(c *container.Container, ts uint64) error {
	if c == nil || c == container.HostContainer || c.Type == container.TypeHost {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.observe(c, ts)
}

func hasMeta(c *container.Container) bool {
	return c.State == container.StateResolved || (c.State == container.StateNoRuntime && c.Name != "")
}

func key(c *container.Container) string {
	if c.FullID != "" {
		return c.FullID
	}
	return c.ID
}

// observe is Observe with r.mu held.
func (r *Recorder) observe(c *container.Container, ts uint64) error {
	if !hasMeta(c) {
		r.stats.Skipped++
		return nil
	}
	k := key(c)
	if k == "" || k == container.HostID {
		return nil
	}
	if r.done[k].rec == c {
		return nil
	}
	if p := c.Pod; p != nil && p.SandboxID != "" && !c.IsPodSandbox && p.SandboxID != k {
		if err := r.sandbox(c, p, ts); err != nil {
			return err
		}
	}
	if err := r.write(c, ts); err != nil {
		return err
	}
	r.remember(k, written{rec: c})
	return nil
}

// sandbox writes the record of the pod sandbox of c: the Manager's when it
// has metadata, else one made from the pod.
func (r *Recorder) sandbox(c *container.Container, p *container.Pod, ts uint64) error {
	if r.m != nil {
		if s := r.m.Get(p.SandboxID); s != nil && hasMeta(s) {
			return r.observe(s, ts)
		}
	}
	prev := r.done[p.SandboxID]
	if prev.rec != nil || prev.pod == p {
		return nil // the real record was written, or this pod already
	}
	labels := make(map[string]string, len(p.Labels)+3)
	for k, v := range p.Labels {
		labels[k] = v
	}
	for k, v := range map[string]string{container.LabelPodName: p.Name, container.LabelPodNamespace: p.Namespace, container.LabelPodUID: p.UID} {
		if v != "" {
			labels[k] = v
		}
	}
	s := &container.Container{
		ID: container.ShortID(c.Type, p.SandboxID), FullID: p.SandboxID, Type: c.Type, State: container.StateResolved,
		Name: p.Name, IsPodSandbox: true, HostNetwork: c.HostNetwork, IP: p.IP, CNIJSON: p.CNIJSON,
		Labels: labels, Pod: p,
	}
	if err := r.write(s, ts); err != nil {
		return err
	}
	r.stats.Sandboxes++
	r.remember(p.SandboxID, written{pod: p})
	return nil
}

func (r *Recorder) write(c *container.Container, ts uint64) error {
	var err error
	r.buf, err = AppendEvent(r.buf[:0], c, ts)
	if err != nil {
		return err
	}
	e := event.Event{Raw: r.buf}
	if err := r.w.WriteEvent(&e); err != nil {
		return fmt.Errorf("write container event for %s: %w", c.ID, err)
	}
	r.stats.Written++
	return nil
}

func (r *Recorder) remember(k string, w written) {
	if _, ok := r.done[k]; !ok && len(r.done) >= r.max {
		for old := range r.done {
			delete(r.done, old)
			r.stats.Evicted++
			break
		}
	}
	r.done[k] = w
}
