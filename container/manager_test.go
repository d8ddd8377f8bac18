package container

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClient answers from a map; ids it does not hold are not found.
type fakeClient struct {
	name   string
	serves []Type
	mu     sync.Mutex
	data   map[string]*Container
	err    error
	calls  []string
	gate   chan struct{} // when set, Inspect waits for a value or ctx
}

func (f *fakeClient) Name() string { return f.name }
func (f *fakeClient) Serves(t Type) bool {
	for _, s := range f.serves {
		if s == t {
			return true
		}
	}
	return false
}
func (f *fakeClient) Inspect(ctx context.Context, id string) (*Container, error) {
	f.mu.Lock()
	f.calls = append(f.calls, id)
	gate, err := f.gate, f.err
	c := f.data[id]
	f.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if err != nil {
		return nil, err
	}
	if c == nil {
		return nil, fmt.Errorf("%s: %w", f.name, ErrNotFound)
	}
	cp := *c
	cp.Labels = map[string]string{}
	for k, v := range c.Labels {
		cp.Labels[k] = v
	}
	return &cp, nil
}
func (f *fakeClient) callList() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

func waitState(t *testing.T, m *Manager, id string, hint Type) *Container {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		c := m.Lookup(id, hint)
		if c.State != StatePending {
			return c
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s still pending: %+v", id, m.Stats())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestManagerResolves(t *testing.T) {
	dock := &fakeClient{name: "dock", serves: []Type{TypeDocker, TypePodman}, data: map[string]*Container{
		hexB: {FullID: hexB, Type: TypeDocker, Name: "web", Labels: map[string]string{"a": "1", "long": strings.Repeat("x", 101)}},
	}}
	cri := &fakeClient{name: "cri", serves: []Type{TypeCRI, TypeContainerd, TypeCRIO}, data: map[string]*Container{
		hexC: {FullID: hexC, Type: TypeContainerd, Name: "app", Pod: &Pod{Name: "p", Labels: map[string]string{"b": "2", "long": strings.Repeat("y", 200)}}},
	}}
	m := NewManager(Options{Clients: []Client{dock, cri}})
	defer m.Close()

	c := m.Lookup(hexB, TypeDocker)
	if c.State != StatePending || c.ID != hexB[:12] || c.FullID != hexB || c.Type != TypeDocker || c.Name != "" {
		t.Fatalf("first lookup = %+v", c)
	}
	c = waitState(t, m, hexB, TypeDocker)
	if c.State != StateResolved || c.Name != "web" || c.ID != hexB[:12] || c.Label("a") != "1" {
		t.Fatalf("resolved = %+v", c)
	}
	if _, ok := c.Labels["long"]; ok {
		t.Error("label longer than MaxLabelLen kept")
	}
	// A CRI-layout container is asked of the CRI client first, and the
	// docker client is not asked at all once CRI answers.
	c = waitState(t, m, hexC, TypeCRI)
	if c.State != StateResolved || c.Name != "app" || c.Type != TypeContainerd || c.Pod.Labels["b"] != "2" {
		t.Fatalf("cri resolved = %+v", c)
	}
	if _, ok := c.Pod.Labels["long"]; ok {
		t.Error("pod label longer than MaxLabelLen kept")
	}
	for _, id := range dock.callList() {
		if id == hexC {
			t.Error("docker client asked about a container the CRI client knows")
		}
	}
	// Unknown everywhere: both asked, not found.
	c = waitState(t, m, hexA, TypePodman)
	if c.State != StateNotFound || c.Name != "" {
		t.Fatalf("unknown = %+v", c)
	}
	if !contains(dock.callList(), hexA) || !contains(cri.callList(), hexA) {
		t.Errorf("not every client asked: %v %v", dock.callList(), cri.callList())
	}
	s := m.Stats()
	if s.Resolved != 2 || s.NotFound != 1 || s.Failed != 0 || s.Misses != 3 || s.Cached != 3 {
		t.Errorf("stats = %+v", s)
	}
	if got := len(m.Containers()); got != 3 {
		t.Errorf("Containers() has %d records", got)
	}
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

func TestManagerHostAndLXC(t *testing.T) {
	m := NewManager(Options{Clients: []Client{&fakeClient{name: "d", serves: []Type{TypeDocker}}}})
	defer m.Close()
	for _, id := range []string{"", HostID} {
		if c := m.Lookup(id, TypeUnknown); c != HostContainer {
			t.Errorf("Lookup(%q) = %+v", id, c)
		}
	}
	info := FromCgroupPath("/lxc.payload.web01")
	c := m.Lookup(info.FullID, info.Type)
	if c.State != StateNoRuntime || c.ID != "web01" || c.Name != "web01" || c.Type != TypeLXC {
		t.Fatalf("lxc = %+v", c)
	}
	if s := m.Stats(); s.Enqueued != 0 {
		t.Errorf("an lxc container was queued for a docker client: %+v", s)
	}
	// No clients at all: nothing is queued.
	m2 := NewManager(Options{})
	defer m2.Close()
	if c := m2.Lookup(hexB, TypeDocker); c.State != StateNoRuntime || c.ID != hexB[:12] {
		t.Fatalf("no clients = %+v", c)
	}
}

func TestManagerEvicts(t *testing.T) {
	cl := &fakeClient{name: "f", serves: []Type{TypeDocker}, data: map[string]*Container{}}
	m := NewManager(Options{Clients: []Client{cl}, CacheSize: 3})
	defer m.Close()
	ids := make([]string, 5)
	for i := range ids {
		ids[i] = fmt.Sprintf("%064x", i+1)
		m.Lookup(ids[i], TypeDocker)
		if i == 2 {
			m.Lookup(ids[0], TypeDocker) // ids[0] becomes the most recent
		}
	}
	s := m.Stats()
	if s.Cached != 3 || s.Evicted != 2 {
		t.Fatalf("stats = %+v", s)
	}
	if m.Get(ids[0]) == nil || m.Get(ids[1]) != nil || m.Get(ids[2]) != nil || m.Get(ids[4]) == nil {
		t.Errorf("LRU kept the wrong records: %v %v %v %v", m.Get(ids[0]) != nil, m.Get(ids[1]) != nil, m.Get(ids[2]) != nil, m.Get(ids[4]) != nil)
	}
}

func TestManagerQueueBoundAndRetry(t *testing.T) {
	gate := make(chan struct{})
	cl := &fakeClient{name: "slow", serves: []Type{TypeDocker}, gate: gate, err: errors.New("boom")}
	m := NewManager(Options{Clients: []Client{cl}, Workers: 1, QueueSize: 2, RetryAfter: 20 * time.Millisecond})
	defer m.Close()
	for i := range 10 {
		m.Lookup(fmt.Sprintf("%064x", i+1), TypeDocker)
	}
	s := m.Stats()
	// One resolve is in the worker or queued, at most two wait: at least
	// seven were dropped.
	if s.Dropped < 7 || s.Enqueued+s.Dropped != 10 || s.Queued > 2 {
		t.Fatalf("stats = %+v", s)
	}
	close(gate)
	id := fmt.Sprintf("%064x", 1)
	c := waitState(t, m, id, TypeDocker)
	if c.State != StateFailed || !strings.Contains(c.Err, "boom") {
		t.Fatalf("record = %+v", c)
	}
	// A dropped resolve is queued again by a later lookup.
	dropped := fmt.Sprintf("%064x", 10)
	if c := waitState(t, m, dropped, TypeDocker); c.State != StateFailed {
		t.Fatalf("dropped record never resolved: %+v", c)
	}
	// After RetryAfter, a failed record is resolved again.
	before := len(cl.callList())
	deadline := time.Now().Add(20 * time.Second)
	for len(cl.callList()) == before {
		if time.Now().After(deadline) {
			t.Fatal("failed record never retried")
		}
		m.Lookup(id, TypeDocker)
		time.Sleep(10 * time.Millisecond)
	}
	if s := m.Stats(); s.Failed < 2 || s.ClientErrors < s.Failed {
		t.Errorf("stats = %+v", s)
	}
}

func TestManagerAdd(t *testing.T) {
	m := NewManager(Options{})
	defer m.Close()
	m.Add(&Container{ID: hexB[:12], FullID: hexB, Type: TypeDocker, State: StateResolved, Name: "from-capture"})
	m.Add(&Container{ID: HostID})
	if c := m.Lookup(hexB, TypeDocker); c.Name != "from-capture" || c.State != StateResolved {
		t.Fatalf("lookup after Add = %+v", c)
	}
	if s := m.Stats(); s.Cached != 1 || s.Hits != 1 {
		t.Errorf("stats = %+v", s)
	}
}

func BenchmarkManagerLookupHit(b *testing.B) {
	m := NewManager(Options{})
	defer m.Close()
	m.Add(&Container{FullID: hexB, Type: TypeDocker, State: StateResolved})
	b.ReportAllocs()
	for b.Loop() {
		if c := m.Lookup(hexB, TypeDocker); c.FullID != hexB {
			b.Fatal(c)
		}
	}
}

func BenchmarkDetectAndLookup(b *testing.B) {
	m := NewManager(Options{})
	defer m.Close()
	m.Add(&Container{FullID: hexC, Type: TypeCRI, State: StateResolved})
	in := []byte("cpuset=/kubepods/besteffort/pod0c8e/" + hexC + "\x00cpu=/kubepods/besteffort/pod0c8e/" + hexC + "\x00")
	b.ReportAllocs()
	for b.Loop() {
		mt := FindCgroups(in)
		c := m.LookupBytes(in[mt.Start:mt.End], mt.Type)
		if c.State != StateResolved {
			b.Fatal("miss")
		}
	}
}

// fakeWatcher reports the ids sent on its channel, then fails when the
// channel closes.
type fakeWatcher struct {
	ids   chan string
	calls chan struct{}
}

func (w *fakeWatcher) Watch(ctx context.Context, fn func(id string, t Type)) error {
	w.calls <- struct{}{}
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case id, ok := <-w.ids:
			if !ok {
				return errors.New("stream ended")
			}
			fn(id, TypePodman)
		}
	}
}

func TestManagerWatchers(t *testing.T) {
	dock := &fakeClient{name: "dock", serves: []Type{TypeDocker, TypePodman}, data: map[string]*Container{
		hexB: {FullID: hexB, Type: TypePodman, Name: "created"},
	}}
	w := &fakeWatcher{ids: make(chan string), calls: make(chan struct{}, 4)}
	m := NewManager(Options{Clients: []Client{dock}, Watchers: []Watcher{w}})
	defer m.Close()
	<-w.calls

	// A container reported before anyone looked it up is resolved.
	w.ids <- hexB
	deadline := time.Now().Add(20 * time.Second)
	for c := m.Get(hexB); c == nil || c.State != StateResolved; c = m.Get(hexB) {
		if time.Now().After(deadline) {
			t.Fatalf("reported container not resolved: %+v %+v", c, m.Stats())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if c := m.Lookup(hexB, TypePodman); c.Name != "created" {
		t.Fatalf("lookup = %+v", c)
	}
	// Reported again (started): resolved again, the new record replacing
	// the old one.
	dock.mu.Lock()
	dock.data[hexB] = &Container{FullID: hexB, Type: TypePodman, Name: "created", IP: "10.0.0.9"}
	dock.mu.Unlock()
	w.ids <- hexB
	for c := m.Get(hexB); c.IP != "10.0.0.9"; c = m.Get(hexB) {
		if time.Now().After(deadline) {
			t.Fatalf("started container not refreshed: %+v %+v", c, m.Stats())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if n := len(dock.callList()); n != 2 {
		t.Errorf("%d inspections, want 2", n)
	}
	// A stream that ends is counted and followed again.
	close(w.ids)
	select {
	case <-w.calls:
	case <-time.After(20 * time.Second):
		t.Fatal("watcher not followed again")
	}
	if s := m.Stats(); s.Refreshes != 2 || s.WatchErrors == 0 || s.Misses != 0 {
		t.Errorf("stats = %+v", s)
	}
}
