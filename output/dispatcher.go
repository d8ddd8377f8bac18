package output

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
)

// DefaultQueueCapacity is the per-sink queue capacity used when none is set.
const DefaultQueueCapacity = 1024

// ErrClosed is returned by AddSink on a closed Dispatcher.
var ErrClosed = errors.New("output: dispatcher closed")

// DispatcherOptions configure a Dispatcher. A nil *DispatcherOptions means
// the defaults.
type DispatcherOptions struct {
	// QueueCapacity is the number of alerts each sink's queue holds; 0 means
	// DefaultQueueCapacity.
	QueueCapacity int
	// OnError, when set, is called with each error a sink returns (from the
	// sink's goroutine; it must not block for long).
	OnError func(sink string, err error)
}

// Dispatcher fans alerts out to sinks. Each sink has a bounded queue and a
// goroutine that drains it; Send never blocks and counts what a full queue
// drops. All methods are safe for concurrent use.
type Dispatcher struct {
	f        *Formatter
	opts     DispatcherOptions
	mu       sync.RWMutex
	closed   bool
	sinks    []*sinkState
	received atomic.Uint64
	ctx      context.Context
	cancel   context.CancelFunc
}

type sinkState struct {
	sink     Sink
	format   Format
	q        chan *envelope
	reopen   atomic.Bool
	done     chan struct{}
	offered  atomic.Uint64
	sent     atomic.Uint64
	failed   atomic.Uint64
	dropped  atomic.Uint64
	lastErr  atomic.Pointer[string]
	closeErr error
}

// envelope is one alert on its way to every sink; each format is rendered at
// most once, by whichever sink needs it first.
type envelope struct {
	a    *Alert
	f    *Formatter
	once [2]sync.Once
	body [2][]byte
}

func (e *envelope) render(fm Format) []byte {
	i := 0
	if fm == FormatJSON {
		i = 1
	}
	e.once[i].Do(func() { e.body[i] = e.f.Append(nil, e.a, fm) })
	return e.body[i]
}

// NewDispatcher returns a dispatcher rendering with f (nil means a formatter
// with default options) and no sinks.
func NewDispatcher(f *Formatter, o *DispatcherOptions) *Dispatcher {
	if f == nil {
		f = NewFormatter(FormatterOptions{})
	}
	d := &Dispatcher{f: f}
	if o != nil {
		d.opts = *o
	}
	if d.opts.QueueCapacity <= 0 {
		d.opts.QueueCapacity = DefaultQueueCapacity
	}
	d.ctx, d.cancel = context.WithCancel(context.Background())
	return d
}

// Formatter returns the dispatcher's formatter.
func (d *Dispatcher) Formatter() *Formatter { return d.f }

// AddSink adds a sink receiving alerts rendered in format and starts its
// goroutine. Sink names must be unique within a dispatcher. The dispatcher
// owns the sink from now on and closes it in Close.
func (d *Dispatcher) AddSink(s Sink, format Format) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return ErrClosed
	}
	for _, o := range d.sinks {
		if o.sink.Name() == s.Name() {
			return fmt.Errorf("output: a sink named %q already exists", s.Name())
		}
	}
	st := &sinkState{
		sink:   s,
		format: format,
		q:      make(chan *envelope, d.opts.QueueCapacity),
		done:   make(chan struct{}),
	}
	d.sinks = append(d.sinks, st)
	go d.run(st)
	return nil
}

func (d *Dispatcher) run(st *sinkState) {
	defer close(st.done)
	for e := range st.q {
		if st.reopen.Swap(false) {
			if r, ok := st.sink.(Reopener); ok {
				if err := r.Reopen(); err != nil {
					d.report(st, err)
				}
			}
		}
		if e.a == nil {
			continue // a wake-up for a reopen request
		}
		if d.ctx.Err() != nil {
			// Past the drain deadline: what is left is dropped.
			st.dropped.Add(1)
			continue
		}
		if err := st.sink.Write(d.ctx, Message{Alert: e.a, Body: e.render(st.format)}); err != nil {
			st.failed.Add(1)
			d.report(st, err)
			continue
		}
		st.sent.Add(1)
	}
	st.closeErr = st.sink.Close()
}

func (d *Dispatcher) report(st *sinkState, err error) {
	msg := err.Error()
	st.lastErr.Store(&msg)
	if d.opts.OnError != nil {
		d.opts.OnError(st.sink.Name(), err)
	}
}

// Send queues a to every sink without blocking and returns how many sinks
// accepted it. A sink whose queue is full drops the alert and counts it; so
// does every sink after Close. a must not be modified afterwards.
func (d *Dispatcher) Send(a *Alert) int {
	d.received.Add(1)
	e := &envelope{a: a, f: d.f}
	d.mu.RLock()
	defer d.mu.RUnlock()
	n := 0
	for _, st := range d.sinks {
		st.offered.Add(1)
		if d.closed {
			st.dropped.Add(1)
			continue
		}
		select {
		case st.q <- e:
			n++
		default:
			st.dropped.Add(1)
		}
	}
	return n
}

// Reopen asks every sink that can to close and reopen its destination (for
// log rotation). It does not wait; each sink reopens before it writes the
// next alert sent after this call.
func (d *Dispatcher) Reopen() {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.closed {
		return
	}
	for _, st := range d.sinks {
		st.reopen.Store(true)
		select {
		case st.q <- &envelope{}: // wake the sink up if it is idle
		default: // the queue is full: the sink is busy and sees the flag next
		}
	}
}

// Close stops accepting alerts, lets every sink deliver what is queued and
// closes the sinks. When ctx ends first, in-flight deliveries are cancelled
// and the alerts still queued are dropped (and counted). Close returns the
// sinks' close errors, and ctx's error if the drain was cut short.
func (d *Dispatcher) Close(ctx context.Context) error {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return nil
	}
	d.closed = true
	for _, st := range d.sinks {
		close(st.q)
	}
	sinks := d.sinks
	d.mu.Unlock()

	var errs []error
	all := make(chan struct{})
	go func() {
		for _, st := range sinks {
			<-st.done
		}
		close(all)
	}()
	select {
	case <-all:
	case <-ctx.Done():
		errs = append(errs, fmt.Errorf("output: drain cut short: %w", ctx.Err()))
		d.cancel()
		<-all
	}
	d.cancel()
	for _, st := range sinks {
		if st.closeErr != nil {
			errs = append(errs, fmt.Errorf("close %s: %w", st.sink.Name(), st.closeErr))
		}
	}
	return errors.Join(errs...)
}

// SinkStats are one sink's counters.
type SinkStats struct {
	Name   string
	Format Format
	// Sent alerts were delivered; Failed ones were attempted and the sink
	// returned an error; Dropped ones never reached the sink (queue full,
	// or the dispatcher closing).
	Sent, Failed, Dropped uint64
	// Queued is the number of alerts waiting; Capacity the queue's size.
	Queued, Capacity int
	// LastError is the last error the sink returned, or "".
	LastError string
}

// Stats are the dispatcher's counters.
type Stats struct {
	// Received counts Send calls.
	Received uint64
	Sinks    []SinkStats
}

// Dropped returns the total of the sinks' drops.
func (s Stats) Dropped() uint64 {
	var n uint64
	for _, k := range s.Sinks {
		n += k.Dropped
	}
	return n
}

// Stats returns a snapshot of the counters.
func (d *Dispatcher) Stats() Stats {
	d.mu.RLock()
	defer d.mu.RUnlock()
	s := Stats{Received: d.received.Load(), Sinks: make([]SinkStats, 0, len(d.sinks))}
	for _, st := range d.sinks {
		k := SinkStats{
			Name:     st.sink.Name(),
			Format:   st.format,
			Sent:     st.sent.Load(),
			Failed:   st.failed.Load(),
			Dropped:  st.dropped.Load(),
			Queued:   len(st.q),
			Capacity: cap(st.q),
		}
		if p := st.lastErr.Load(); p != nil {
			k.LastError = *p
		}
		s.Sinks = append(s.Sinks, k)
	}
	return s
}

// DropCounters returns the alerts offered to sinks and the alerts dropped,
// cumulative, with one "n_drops_<sink>" detail per sink, for a DropMonitor
// watching the dispatcher itself.
func (d *Dispatcher) DropCounters() DropCounters {
	d.mu.RLock()
	defer d.mu.RUnlock()
	c := DropCounters{Detail: make(map[string]uint64, len(d.sinks))}
	for _, st := range d.sinks {
		off, drop := st.offered.Load(), st.dropped.Load()
		c.Events += off
		c.Drops += drop
		c.Detail["n_drops_"+st.sink.Name()] = drop
	}
	return c
}

var (
	descReceived = prometheus.NewDesc("syscope_outputs_alerts_total",
		"Alerts handed to the output dispatcher.", nil, nil)
	descSent = prometheus.NewDesc("syscope_outputs_sent_total",
		"Alerts a sink delivered.", []string{"sink"}, nil)
	descFailed = prometheus.NewDesc("syscope_outputs_failed_total",
		"Alerts a sink failed to deliver (the sink returned an error).", []string{"sink"}, nil)
	descDropped = prometheus.NewDesc("syscope_outputs_dropped_total",
		"Alerts dropped before reaching a sink because its queue was full or the dispatcher was closing. A security signal: a flood of alerts can hide one.", []string{"sink"}, nil)
	descQueued = prometheus.NewDesc("syscope_outputs_queue_length",
		"Alerts waiting in a sink's queue.", []string{"sink"}, nil)
	descCapacity = prometheus.NewDesc("syscope_outputs_queue_capacity",
		"Size of a sink's queue.", []string{"sink"}, nil)
)

// Describe implements prometheus.Collector.
func (d *Dispatcher) Describe(ch chan<- *prometheus.Desc) {
	for _, x := range []*prometheus.Desc{descReceived, descSent, descFailed, descDropped, descQueued, descCapacity} {
		ch <- x
	}
}

// Collect implements prometheus.Collector.
func (d *Dispatcher) Collect(ch chan<- prometheus.Metric) {
	s := d.Stats()
	ch <- prometheus.MustNewConstMetric(descReceived, prometheus.CounterValue, float64(s.Received))
	for _, k := range s.Sinks {
		ch <- prometheus.MustNewConstMetric(descSent, prometheus.CounterValue, float64(k.Sent), k.Name)
		ch <- prometheus.MustNewConstMetric(descFailed, prometheus.CounterValue, float64(k.Failed), k.Name)
		ch <- prometheus.MustNewConstMetric(descDropped, prometheus.CounterValue, float64(k.Dropped), k.Name)
		ch <- prometheus.MustNewConstMetric(descQueued, prometheus.GaugeValue, float64(k.Queued), k.Name)
		ch <- prometheus.MustNewConstMetric(descCapacity, prometheus.GaugeValue, float64(k.Capacity), k.Name)
	}
}

// closedContext returns an already cancelled context.
func closedContext() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}
