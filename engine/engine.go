package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/syscope/syscope/container"
	"github.com/syscope/syscope/event"
	containerfields "github.com/syscope/syscope/fields/container"
	"github.com/syscope/syscope/inspect"
	"github.com/syscope/syscope/output"
	"github.com/syscope/syscope/rules"
	"github.com/syscope/syscope/state"
)

// Toggle enables or disables rules by name (a name or shell pattern) or by
// tag, as Falco's "rules" configuration entries do. Toggles apply in order,
// after each rule's own enabled flag.
type Toggle struct {
	Enable bool
	Rule   string // name or pattern (* ? [...]); empty with Tag set
	Tag    string
}

// Options configure an Engine. The zero value (or nil) evaluates every
// enabled rule, raises the first matching rule of each event, and watches
// no drop counters.
type Options struct {
	// Mode is Falco's rule_matching: first (default) or all.
	Mode rules.MatchMode
	// MinPriority, when set, drops the rules less severe than it.
	MinPriority *rules.Priority
	// Toggles enable or disable rules on top of their enabled flag.
	Toggles []Toggle
	// AppendOutput gives rules extra output fields (Falco's append_output;
	// the extra_output text is applied when loading, see LoadOptions).
	AppendOutput []output.AppendOutput
	// Containers is asked for the metadata of the containers processes run
	// in (container.name, container.image*, k8s.*...); nil detects
	// containers from cgroups without metadata. New attaches a
	// containerfields.Tracker over it to the inspector's fields, unless one
	// is attached already.
	Containers *container.Manager
	// EnterEvents also evaluates rules on system call enter events. Since
	// Falco 0.42 rules see exit events only (the enter events of old
	// captures and the live time-of-check events are merged into their
	// exits and not handed to rules); set it for the older behaviour. The
	// state is updated from every event either way.
	EnterEvents bool

	// Duration stops Run after this long (wall clock); 0 runs until the
	// source ends or the context is done.
	Duration time.Duration
	// Interrupt, when set, is called from another goroutine when Run must
	// stop (context done, duration elapsed, exit action) to unblock a
	// source whose Next blocks: the live driver's Close.
	Interrupt func()

	// EventDrops, when set, returns the source's cumulative event and drop
	// counters (the driver's); EventDropConfig decides what a drop does.
	EventDrops      func() output.DropCounters
	EventDropConfig output.DropConfig
	// AlertDropConfig decides what alerts dropped by full output queues
	// do. Its Actions should not include DropAlert alone: an alert about
	// dropped alerts may itself be dropped.
	AlertDropConfig output.DropConfig
	// CheckInterval is how often drop counters are checked (default 1 s).
	CheckInterval time.Duration
	// OnDrop receives every drop report whose actions include "log".
	OnDrop func(output.DropReport)
	// Now is the clock of drop checks (time.Now when nil).
	Now func() time.Time
}

// ErrDropExit is returned by Run when a drop monitor's actions include
// "exit" and drops passed the threshold.
var ErrDropExit = errors.New("engine: events dropped and syscall_event_drops.actions includes exit")

// Stats count what an Engine did.
type Stats struct {
	// Events is the number of events the rules were evaluated on.
	Events uint64
	// Alerts is the number of alerts raised (rule matches).
	Alerts uint64
	// Rules are the rules engine's counters.
	Rules rules.Stats
	// Inspect are the inspector's counters.
	Inspect inspect.Stats
	// EventDropAlerts and AlertDropAlerts count internal drop alerts sent.
	EventDropAlerts, AlertDropAlerts uint64
}

// Engine evaluates a ruleset over the events of an Inspector and sends the
// alerts to a Dispatcher. Run it from one goroutine; Stats may be called
// from any.
type Engine struct {
	in      *inspect.Inspector
	rs      *rules.Ruleset
	eng     *rules.Engine[*state.Ctx]
	outs    []*RuleOutput // by rule ID
	d       *output.Dispatcher
	opts    Options
	cur     *state.Ctx
	onMatch func(*rules.Rule)
	// skip[t] is set for the event types rules do not see (system call
	// enter events, unless Options.EnterEvents).
	skip []bool

	events                  uint64 // owned by the Run goroutine
	alerts                  atomic.Uint64
	evDropAlerts, alDropAls atomic.Uint64
	mu                      sync.Mutex // guards snapshot
	snapshot                Stats
}

// New compiles the rules of rs and their outputs against the inspector's
// fields. The inspector should use Registry() (see InspectOptions); fields
// resolved on it before New do not see the container tracker New attaches.
func New(in *inspect.Inspector, rs *rules.Ruleset, d *output.Dispatcher, o *Options) (*Engine, error) {
	if in == nil || rs == nil || d == nil {
		return nil, errors.New("engine: nil inspector, ruleset or dispatcher")
	}
	e := &Engine{in: in, rs: rs, d: d}
	if o != nil {
		e.opts = *o
	}
	if containerfields.TrackerOf(in.Env()) == nil {
		containerfields.NewTracker(e.opts.Containers, nil).Attach(in.Env())
	}
	eng, err := rules.NewEngine[*state.Ctx](rs, in.Resolver(), &rules.EngineOptions{Mode: e.opts.Mode})
	if err != nil {
		return nil, fmt.Errorf("engine: %w", err)
	}
	if e.opts.MinPriority != nil {
		eng.SetMinPriority(*e.opts.MinPriority)
	}
	for _, t := range e.opts.Toggles {
		switch {
		case t.Tag != "":
			eng.EnableTag(t.Tag, t.Enable)
		case t.Rule != "":
			eng.Enable(t.Rule, t.Enable)
		}
	}
	e.eng = eng
	e.outs = make([]*RuleOutput, len(rs.Rules))
	for _, r := range rs.Rules {
		_, extra := output.ResolveAppendOutput(e.opts.AppendOutput, r.Name, r.Source, r.Tags)
		ro, err := CompileOutput(r.Output, extra, in.Resolver())
		if err != nil {
			return nil, fmt.Errorf("engine: rule %q: %w", r.Name, err)
		}
		e.outs[r.ID] = ro
	}
	e.onMatch = e.raise
	e.skip = make([]bool, len(event.Types()))
	if !e.opts.EnterEvents {
		for i, info := range event.Types() {
			e.skip[i] = i&1 == 0 && info.Category&event.CatSyscall != 0 // even ids are enter events
		}
	}
	return e, nil
}

// InspectOptions returns inspector options for a rules engine: the
// engine's field registry (see Registry) and current libsinsp field
// semantics. o, when not nil, is copied and completed.
func InspectOptions(o *inspect.Options) *inspect.Options {
	var r inspect.Options
	if o != nil {
		r = *o
	}
	if r.Registry == nil {
		r.Registry = Registry()
	}
	return &r
}

// Rules returns the rules engine, to enable or disable rules before Run.
func (e *Engine) Rules() *rules.Engine[*state.Ctx] { return e.eng }

// Enabled returns the number of rules that will be evaluated.
func (e *Engine) Enabled() int { return e.eng.Enabled() }

func (e *Engine) raise(r *rules.Rule) {
	a := e.outs[r.ID].Alert(r, e.cur)
	e.alerts.Add(1)
	e.d.Send(a)
}

// Process evaluates the rules on one event context and sends the alerts it
// raises. Run calls it for every event; it is exported for callers that
// drive the inspector themselves.
func (e *Engine) Process(c *state.Ctx) int {
	e.events++
	t := c.Evt.Type()
	if int(t) < len(e.skip) && e.skip[t] {
		return 0
	}
	e.cur = c
	n := e.eng.Process(t, c, e.onMatch)
	e.cur = nil
	return n
}

// Run reads events until the source ends (io.EOF: Run returns nil), ctx is
// done or Duration passes (nil), a drop monitor asks to exit
// (ErrDropExit), or the source fails (its error).
func (e *Engine) Run(ctx context.Context) error {
	if e.opts.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, e.opts.Duration)
		defer cancel()
	}
	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	if e.opts.Interrupt != nil {
		defer context.AfterFunc(ctx, e.opts.Interrupt)()
	}
	var wg sync.WaitGroup
	if e.opts.EventDrops != nil || len(e.opts.AlertDropConfig.Actions) > 0 {
		// The baselines are taken now, before any event is read, so that
		// drops from the first moments count.
		var evMon, alMon *output.DropMonitor
		if e.opts.EventDrops != nil {
			evMon = output.NewDropMonitor(e.opts.EventDropConfig, output.RuleEventDrop, "kernel driver", e.opts.EventDrops())
		}
		if len(e.opts.AlertDropConfig.Actions) > 0 {
			alMon = output.NewDropMonitor(e.opts.AlertDropConfig, output.RuleAlertDrop, "output queues", e.d.DropCounters())
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.monitor(ctx, stop, evMon, alMon)
		}()
	}
	err := e.loop(ctx)
	stop(nil)
	wg.Wait()
	e.refresh()
	if cause := context.Cause(ctx); errors.Is(cause, ErrDropExit) {
		return ErrDropExit
	}
	return err
}

func (e *Engine) loop(ctx context.Context) error {
	done := ctx.Done()
	for i := 0; ; i++ {
		if i&255 == 0 {
			select {
			case <-done:
				return nil
			default:
			}
			if i&(1<<12-1) == 0 {
				e.refresh()
			}
		}
		c, err := e.in.Next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			select {
			case <-done:
				return nil // the source was closed to stop it
			default:
			}
			return fmt.Errorf("engine: %w", err)
		}
		e.Process(c)
	}
}

// monitor checks drop counters until ctx is done.
func (e *Engine) monitor(ctx context.Context, stop context.CancelCauseFunc, evMon, alMon *output.DropMonitor) {
	now := e.opts.Now
	if now == nil {
		now = time.Now
	}
	every := e.opts.CheckInterval
	if every <= 0 {
		every = time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	handle := func(r output.DropReport, counter *atomic.Uint64) {
		if r.Log && e.opts.OnDrop != nil {
			e.opts.OnDrop(r)
		}
		if r.Alert != nil {
			counter.Add(1)
			e.d.Send(r.Alert)
		}
		if r.Exit {
			stop(ErrDropExit)
		}
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		ts := now()
		if evMon != nil {
			if r, ok := evMon.Check(ts, e.opts.EventDrops()); ok {
				handle(r, &e.evDropAlerts)
			}
		}
		if alMon != nil {
			if r, ok := alMon.Check(ts, e.d.DropCounters()); ok {
				handle(r, &e.alDropAls)
			}
		}
	}
}

// refresh copies the counters owned by the Run goroutine into the snapshot
// Stats returns.
func (e *Engine) refresh() {
	s := Stats{Events: e.events, Rules: e.eng.Stats(), Inspect: e.in.Stats()}
	e.mu.Lock()
	e.snapshot = s
	e.mu.Unlock()
}

// Stats returns the engine's counters. The rules and inspector counters
// and Events are as of the last refresh (every 4096 events, and when Run
// returns); Alerts and the drop alerts are current.
func (e *Engine) Stats() Stats {
	e.mu.Lock()
	s := e.snapshot
	e.mu.Unlock()
	s.Alerts = e.alerts.Load()
	s.EventDropAlerts = e.evDropAlerts.Load()
	s.AlertDropAlerts = e.alDropAls.Load()
	return s
}
