package output

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// collectSink records what it receives.
type collectSink struct {
	name string
	mu   sync.Mutex
	got  []string
	done chan struct{} // closed by Close
}

func newCollect(name string) *collectSink { return &collectSink{name: name, done: make(chan struct{})} }

func (s *collectSink) Name() string { return s.name }
func (s *collectSink) Write(_ context.Context, m Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.got = append(s.got, string(m.Body))
	return nil
}
func (s *collectSink) Close() error { close(s.done); return nil }
func (s *collectSink) lines() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.got...)
}

// blockSink signals each Write on entered and waits for release (or ctx).
type blockSink struct {
	entered chan struct{}
	release chan struct{}
}

func (s *blockSink) Name() string { return "blocked" }
func (s *blockSink) Write(ctx context.Context, m Message) error {
	s.entered <- struct{}{}
	select {
	case <-s.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
func (s *blockSink) Close() error { return nil }

func alertN(i int) *Alert {
	a := testAlert()
	a.Output = "alert " + string(rune('a'+i))
	return a
}

func TestDispatcherFanOut(t *testing.T) {
	d := NewDispatcher(NewFormatter(FormatterOptions{Hostname: "h", Location: time.UTC}), nil)
	text, js := newCollect("text"), newCollect("json")
	if err := d.AddSink(text, FormatText); err != nil {
		t.Fatal(err)
	}
	if err := d.AddSink(js, FormatJSON); err != nil {
		t.Fatal(err)
	}
	if err := d.AddSink(newCollect("text"), FormatText); err == nil {
		t.Error("duplicate sink name accepted")
	}
	for i := range 3 {
		if n := d.Send(alertN(i)); n != 2 {
			t.Errorf("Send accepted by %d sinks", n)
		}
	}
	if err := d.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	<-text.done
	<-js.done
	tl, jl := text.lines(), js.lines()
	if len(tl) != 3 || len(jl) != 3 {
		t.Fatalf("got %d text and %d json lines", len(tl), len(jl))
	}
	for i := range 3 {
		want := "22:47:11.000004567: Warning alert " + string(rune('a'+i))
		if tl[i] != want {
			t.Errorf("text %d: %q want %q", i, tl[i], want)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(jl[i]), &m); err != nil || m["output"] != want {
			t.Errorf("json %d: %s (%v)", i, jl[i], err)
		}
	}
	st := d.Stats()
	if st.Received != 3 || st.Dropped() != 0 {
		t.Errorf("stats %+v", st)
	}
	for _, k := range st.Sinks {
		if k.Sent != 3 || k.Failed != 0 || k.Dropped != 0 || k.Capacity != DefaultQueueCapacity {
			t.Errorf("sink stats %+v", k)
		}
	}
	// After Close, alerts are dropped and counted, never queued.
	if n := d.Send(alertN(0)); n != 0 {
		t.Errorf("Send after Close accepted by %d", n)
	}
	if st := d.Stats(); st.Dropped() != 2 {
		t.Errorf("drops after close: %d", st.Dropped())
	}
	if err := d.AddSink(newCollect("late"), FormatText); !errors.Is(err, ErrClosed) {
		t.Errorf("AddSink after Close: %v", err)
	}
}

func metricValue(t *testing.T, reg *prometheus.Registry, name, sink string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			lbl := ""
			for _, l := range m.GetLabel() {
				if l.GetName() == "sink" {
					lbl = l.GetValue()
				}
			}
			if lbl != sink {
				continue
			}
			if m.Counter != nil {
				return m.Counter.GetValue()
			}
			return m.Gauge.GetValue()
		}
	}
	t.Fatalf("metric %s{sink=%q} not found", name, sink)
	return 0
}

func TestDispatcherOverflow(t *testing.T) {
	const capacity = 4
	d := NewDispatcher(nil, &DispatcherOptions{QueueCapacity: capacity})
	b := &blockSink{entered: make(chan struct{}), release: make(chan struct{})}
	if err := d.AddSink(b, FormatJSON); err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(d)

	d.Send(alertN(0))
	<-b.entered // the sink holds alert 0; its queue is empty
	for i := 1; i <= capacity; i++ {
		if n := d.Send(alertN(i)); n != 1 {
			t.Fatalf("alert %d not queued", i)
		}
	}
	for i := 0; i < 3; i++ {
		if n := d.Send(alertN(9)); n != 0 {
			t.Fatalf("alert queued beyond capacity")
		}
	}
	st := d.Stats().Sinks[0]
	if st.Dropped != 3 || st.Queued != capacity || st.Sent != 0 {
		t.Errorf("while blocked: %+v", st)
	}
	if v := metricValue(t, reg, "syscope_outputs_dropped_total", "blocked"); v != 3 {
		t.Errorf("dropped metric %v", v)
	}
	if v := metricValue(t, reg, "syscope_outputs_queue_length", "blocked"); v != capacity {
		t.Errorf("queue length metric %v", v)
	}
	dc := d.DropCounters()
	if dc.Events != 8 || dc.Drops != 3 || dc.Detail["n_drops_blocked"] != 3 {
		t.Errorf("drop counters %+v", dc)
	}
	// Let everything through.
	go func() {
		for range b.entered {
			b.release <- struct{}{}
		}
	}()
	b.release <- struct{}{}
	if err := d.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	close(b.entered)
	st = d.Stats().Sinks[0]
	if st.Sent != 1+capacity || st.Dropped != 3 || st.Failed != 0 || st.Queued != 0 {
		t.Errorf("after close: %+v", st)
	}
	if v := metricValue(t, reg, "syscope_outputs_sent_total", "blocked"); v != 1+capacity {
		t.Errorf("sent metric %v", v)
	}
	if v := metricValue(t, reg, "syscope_outputs_alerts_total", ""); v != 8 {
		t.Errorf("alerts metric %v", v)
	}
}

func TestDispatcherCloseDeadline(t *testing.T) {
	var errMu sync.Mutex
	var errs []string
	d := NewDispatcher(nil, &DispatcherOptions{OnError: func(sink string, err error) {
		errMu.Lock()
		errs = append(errs, sink+": "+err.Error())
		errMu.Unlock()
	}})
	b := &blockSink{entered: make(chan struct{}), release: make(chan struct{})}
	d.AddSink(b, FormatText)
	for i := range 3 {
		d.Send(alertN(i))
	}
	<-b.entered
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := d.Close(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Close with an expired context: %v", err)
	}
	st := d.Stats().Sinks[0]
	if st.Failed != 1 || st.Dropped != 2 || st.Sent != 0 || !strings.Contains(st.LastError, "canceled") {
		t.Errorf("stats %+v", st)
	}
	errMu.Lock()
	defer errMu.Unlock()
	if len(errs) != 1 || !strings.HasPrefix(errs[0], "blocked: ") {
		t.Errorf("OnError calls %q", errs)
	}
}

func TestDispatcherReopen(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "alerts.txt")
	fs, err := NewFileSink(FileOptions{Path: path, KeepAlive: true})
	if err != nil {
		t.Fatal(err)
	}
	d := NewDispatcher(NewFormatter(FormatterOptions{Location: time.UTC}), nil)
	ns := &notifySink{FileSink: fs, wrote: make(chan struct{}, 8)}
	d.AddSink(ns, FormatText)
	d.Send(alertN(0))
	d.Send(alertN(1))
	<-ns.wrote // both written before rotating
	<-ns.wrote
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	d.Reopen()
	d.Send(alertN(2))
	if err := d.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if old := readLines(t, path+".1"); len(old) != 2 {
		t.Errorf("rotated file has %q", old)
	}
	if cur := readLines(t, path); len(cur) != 1 || !strings.HasSuffix(cur[0], "alert c") {
		t.Errorf("new file has %q", cur)
	}
}

// notifySink signals every completed write of the file sink it wraps.
type notifySink struct {
	*FileSink
	wrote chan struct{}
}

func (s *notifySink) Write(ctx context.Context, m Message) error {
	err := s.FileSink.Write(ctx, m)
	s.wrote <- struct{}{}
	return err
}

// syncBuffer is a bytes.Buffer safe for one writer goroutine and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
