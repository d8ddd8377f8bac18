package output

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Rule names of syscope's internal alerts.
const (
	// RuleEventDrop reports events lost before rules saw them (kernel
	// buffers full, userspace queues full).
	RuleEventDrop = "Syscope internal: event drop"
	// RuleAlertDrop reports alerts lost before a sink delivered them.
	RuleAlertDrop = "Syscope internal: alert drop"
)

// DropAction is what a DropMonitor does about a drop (Falco's
// syscall_event_drops.actions).
type DropAction uint8

// Drop actions.
const (
	DropIgnore DropAction = iota // do nothing
	DropLog                      // log a message (the caller logs DropReport.Message)
	DropAlert                    // raise an internal alert
	DropExit                     // stop (the caller exits)
)

var dropActionNames = [...]string{"ignore", "log", "alert", "exit"}

// String returns the action's configuration name.
func (a DropAction) String() string {
	if int(a) < len(dropActionNames) {
		return dropActionNames[a]
	}
	return "DropAction(" + strconv.Itoa(int(a)) + ")"
}

// ParseDropAction parses "ignore", "log", "alert" or "exit".
func ParseDropAction(s string) (DropAction, error) {
	for i, n := range dropActionNames {
		if strings.EqualFold(strings.TrimSpace(s), n) {
			return DropAction(i), nil
		}
	}
	return 0, fmt.Errorf("unknown drop action %q (want ignore, log, alert or exit)", s)
}

// DropCounters are cumulative counts from something that can lose events:
// how many it handled and how many it dropped, with optional named details
// (per CPU, per cause, per sink) that end up in the alert's fields.
type DropCounters struct {
	Events, Drops uint64
	Detail        map[string]uint64
}

// DropConfig configures a DropMonitor (Falco's syscall_event_drops).
type DropConfig struct {
	// Threshold is the share of dropped events (0..1) in one check interval
	// above which the actions run.
	Threshold float64
	// Actions run when the threshold is passed.
	Actions []DropAction
	// Rate is how many times per second actions may run on average, and
	// MaxBurst how many may run back to back (a token bucket).
	Rate, MaxBurst float64
	// SimulateDrops pretends every check saw one drop, to test the path.
	SimulateDrops bool
	// Priority of the internal alert.
	Priority Priority
}

// DefaultDropConfig returns Falco's defaults (threshold 0.1, log and alert,
// at most one action per 30 s) with a Critical alert: lost events are blind
// spots an attacker can create on purpose.
func DefaultDropConfig() DropConfig {
	return DropConfig{
		Threshold: 0.1,
		Actions:   []DropAction{DropLog, DropAlert},
		Rate:      0.03333,
		MaxBurst:  1,
		Priority:  PriorityCritical,
	}
}

// DropReport is the outcome of a check that found drops above the threshold
// and was allowed by the rate limit.
type DropReport struct {
	// Drops and Events are the counts of the interval.
	Drops, Events uint64
	// Message is the one-line description, for logs.
	Message string
	// Alert is set when the actions include DropAlert.
	Alert *Alert
	// Log and Exit tell the caller which of those actions to take.
	Log, Exit bool
}

// DropMonitor watches cumulative drop counters of one component and turns
// new drops into reports, rate-limited. It is not safe for concurrent use.
type DropMonitor struct {
	cfg        DropConfig
	rule       string
	component  string
	last       DropCounters
	lastTime   time.Time
	tokens     float64
	lastRefill time.Time
	// Counted holds how many checks found drops above the threshold, and
	// Acted how many of those ran the actions.
	Counted, Acted uint64
}

// NewDropMonitor returns a monitor whose alerts carry rule (RuleEventDrop or
// RuleAlertDrop) and name the component ("kernel driver", "output queue").
// baseline is the counters' current value, so that drops from before the
// monitor started are not reported.
func NewDropMonitor(cfg DropConfig, rule, component string, baseline DropCounters) *DropMonitor {
	if cfg.MaxBurst <= 0 {
		cfg.MaxBurst = 1
	}
	return &DropMonitor{cfg: cfg, rule: rule, component: component, last: baseline, tokens: cfg.MaxBurst}
}

// Check compares c with the previous counters. When the interval dropped a
// share of events above the threshold and the rate limit allows, it returns
// a report (and its alert, timed now). Call it periodically, e.g. once a
// second of event time.
func (m *DropMonitor) Check(now time.Time, c DropCounters) (DropReport, bool) {
	prev, prevTime := m.last, m.lastTime
	m.last, m.lastTime = c, now
	dEvents := sub(c.Events, prev.Events)
	dDrops := sub(c.Drops, prev.Drops)
	if m.cfg.SimulateDrops {
		dDrops++
	}
	if dDrops == 0 {
		return DropReport{}, false
	}
	total := dEvents
	if total < dDrops {
		total = dDrops // some sources count drops apart from events
	}
	if !m.cfg.SimulateDrops && float64(dDrops)/float64(total) <= m.cfg.Threshold {
		return DropReport{}, false
	}
	m.Counted++
	if !m.claim(now) {
		return DropReport{}, false
	}
	m.Acted++
	unit := "events"
	if m.rule == RuleAlertDrop {
		unit = "alerts"
	}
	msg := fmt.Sprintf("%s. %d of %d %s dropped by the %s", m.rule, dDrops, total, unit, m.component)
	if !prevTime.IsZero() && now.After(prevTime) {
		msg += " in the last " + now.Sub(prevTime).Round(time.Millisecond).String()
	}
	msg += "."
	r := DropReport{Drops: dDrops, Events: total, Message: msg}
	for _, a := range m.cfg.Actions {
		switch a {
		case DropLog:
			r.Log = true
		case DropExit:
			r.Exit = true
		case DropAlert:
			fields := map[string]Value{
				"component": String(m.component),
				"n_evts":    Uint(total),
				"n_drops":   Uint(dDrops),
			}
			for k, v := range c.Detail {
				fields[k] = Uint(sub(v, prev.Detail[k]))
			}
			r.Alert = &Alert{
				Time:     now,
				Rule:     m.rule,
				Priority: m.cfg.Priority,
				Source:   SourceInternal,
				Output:   msg,
				Fields:   fields,
				Internal: true,
			}
		}
	}
	return r, true
}

func sub(a, b uint64) uint64 {
	if a < b { // the counter was reset
		return a
	}
	return a - b
}

// claim takes one token from the bucket, refilled at Rate per second of now.
func (m *DropMonitor) claim(now time.Time) bool {
	if !m.lastRefill.IsZero() && now.After(m.lastRefill) {
		m.tokens += now.Sub(m.lastRefill).Seconds() * m.cfg.Rate
		if m.tokens > m.cfg.MaxBurst {
			m.tokens = m.cfg.MaxBurst
		}
	}
	m.lastRefill = now
	if m.tokens < 1 {
		return false
	}
	m.tokens--
	return true
}
