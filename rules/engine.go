package rules

import (
	"fmt"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/filter"
)

// MatchMode says which matching rules an event raises.
type MatchMode uint8

// Match modes (Falco's rule_matching).
const (
	// MatchFirst raises only the first matching rule, in definition order.
	MatchFirst MatchMode = iota
	// MatchAll raises every matching rule.
	MatchAll
)

// EngineOptions configure an Engine. The zero value matches the first rule
// and keeps every priority.
type EngineOptions struct {
	Mode MatchMode
	// MinPriority drops rules less severe than it; the zero value
	// (Emergency) is taken as "keep all" (Debug).
	MinPriority Priority
}

// Engine evaluates the rules of a Ruleset on contexts of type C. Rules are
// compiled once against a Resolver and indexed by the event types they can
// match; Process evaluates only the enabled rules of the event's type, in
// definition order, without allocating.
//
// An Engine is not safe for concurrent use (compiled filters own scratch
// space): use one per goroutine.
type Engine[C any] struct {
	rules   []engineRule[C]
	prog    *filter.Program[C]
	plan    Plan
	byType  [maxTypes][]int32
	dirty   bool
	mode    MatchMode
	minPrio Priority
	evals   uint64
	matches uint64
}

type engineRule[C any] struct {
	rule    *Rule
	pred    func(C) bool
	enabled bool
	matches uint64
}

// NewEngine compiles every rule of rs. opts may be nil.
func NewEngine[C any](rs *Ruleset, r filter.Resolver[C], opts *EngineOptions) (*Engine[C], error) {
	e := &Engine[C]{dirty: true, minPrio: Debug}
	if opts != nil {
		e.mode = opts.Mode
		if opts.MinPriority != Emergency {
			e.minPrio = opts.MinPriority
		}
	}
	// Each rule runs only on the event types it is indexed under, so the
	// evt.type checks those types decide are folded away; the remaining
	// conditions share the evaluation of their common parts per event.
	e.prog = filter.NewProgram(r)
	prunable := evtTypeIsName(r)
	exprs := make([]filter.Expr, len(rs.Rules))
	known := make([]truth, len(rs.Rules))
	for i, rule := range rs.Rules {
		exprs[i] = rule.Compiled
		if prunable {
			exprs[i], known[i] = pruneForTypes(rule.Compiled, rule.EventTypes)
		}
		switch {
		case known[i] != truthUnknown:
			e.plan.Decided++
		case exprs[i] != rule.Compiled:
			e.plan.Pruned++
		}
		if known[i] == truthUnknown {
			e.prog.Add(exprs[i])
		}
	}
	for i, rule := range rs.Rules {
		var pred func(C) bool
		var err error
		switch known[i] {
		case truthTrue:
			pred = func(C) bool { return true }
		case truthFalse:
			pred = func(C) bool { return false }
		}
		if pred == nil {
			pred, err = e.prog.Compile(exprs[i])
		} else {
			// decided: compiled anyway for its errors
			_, err = filter.Compile(rule.Compiled, r)
		}
		if err != nil {
			return nil, fmt.Errorf("compile rule %q: %w", rule.Name, err)
		}
		e.rules = append(e.rules, engineRule[C]{rule: rule, pred: pred, enabled: rule.Enabled})
	}
	e.plan.Shared = e.prog.Shared()
	return e, nil
}

// evtTypeIsName reports whether r binds evt.type as a single string, the
// event's name, whose checks against constants always compile: then the
// checks a rule's event types decide can be pruned without hiding a
// compile error.
func evtTypeIsName[C any](r filter.Resolver[C]) bool {
	f, err := r.Resolve(filter.Ref{Name: "evt.type"})
	return err == nil && f.Valid() && f.Info.Type == filter.TypeString && f.Info.Arity == filter.Scalar
}

// Rules returns the engine's rules in definition order.
func (e *Engine[C]) Rules() []*Rule {
	out := make([]*Rule, len(e.rules))
	for i := range e.rules {
		out[i] = e.rules[i].rule
	}
	return out
}

// Enable enables or disables the rules whose name matches pattern (a rule
// name, or a shell pattern with * ? [...]); it returns how many rules match.
func (e *Engine[C]) Enable(pattern string, on bool) int {
	n := 0
	for i := range e.rules {
		if e.rules[i].rule.Name == pattern || filter.MatchGlob(pattern, e.rules[i].rule.Name) {
			e.rules[i].enabled = on
			n++
		}
	}
	e.dirty = true
	return n
}

// EnableTag enables or disables the rules carrying tag; it returns how many
// rules carry it.
func (e *Engine[C]) EnableTag(tag string, on bool) int {
	n := 0
	for i := range e.rules {
		if e.rules[i].rule.HasTag(tag) {
			e.rules[i].enabled = on
			n++
		}
	}
	e.dirty = true
	return n
}

// SetMinPriority drops the rules less severe than p (Debug keeps all).
func (e *Engine[C]) SetMinPriority(p Priority) {
	e.minPrio = p
	e.dirty = true
}

// Enabled returns the number of rules that are enabled and severe enough.
func (e *Engine[C]) Enabled() int {
	n := 0
	for i := range e.rules {
		if e.active(i) {
			n++
		}
	}
	return n
}

func (e *Engine[C]) active(i int) bool {
	return e.rules[i].enabled && e.rules[i].rule.Priority <= e.minPrio
}

func (e *Engine[C]) reindex() {
	for t := range e.byType {
		e.byType[t] = e.byType[t][:0]
	}
	for i := range e.rules {
		if !e.active(i) {
			continue
		}
		for _, t := range e.rules[i].rule.EventTypes.Types() {
			e.byType[t] = append(e.byType[t], int32(i))
		}
	}
	e.dirty = false
}

// Candidates returns the number of active rules indexed for event type t.
func (e *Engine[C]) Candidates(t event.Type) int {
	if e.dirty {
		e.reindex()
	}
	if int(t) >= maxTypes {
		return 0
	}
	return len(e.byType[t])
}

// Process evaluates the active rules that can match an event of type t on
// c, in definition order, and calls fn for each matching rule (only the
// first one in MatchFirst mode). It returns the number of matches. t must
// be c's event type: each rule is compiled for the types it is indexed
// under.
func (e *Engine[C]) Process(t event.Type, c C, fn func(*Rule)) int {
	if e.dirty {
		e.reindex()
	}
	if int(t) >= maxTypes {
		return 0
	}
	n := 0
	e.prog.Next()
	for _, i := range e.byType[t] {
		r := &e.rules[i]
		e.evals++
		if !r.pred(c) {
			continue
		}
		r.matches++
		e.matches++
		n++
		if fn != nil {
			fn(r.rule)
		}
		if e.mode == MatchFirst {
			break
		}
	}
	return n
}

// Plan says how the engine compiled its rules for evaluation (the rules'
// conditions and their rendering are unchanged).
type Plan struct {
	// Pruned counts rules whose condition lost evt.type checks that the
	// event types the rule is indexed under decide.
	Pruned int
	// Decided counts rules whose whole condition those checks decide.
	Decided int
	// Shared counts the distinct sub-conditions (checks, and/or groups)
	// that occur in several places and are evaluated once per event.
	Shared int
}

// Plan returns how the engine compiled its rules.
func (e *Engine[C]) Plan() Plan { return e.plan }

// Stats are an engine's counters.
type Stats struct {
	Evaluations uint64 // rule conditions evaluated
	Matches     uint64 // rules raised
}

// Stats returns the engine's counters.
func (e *Engine[C]) Stats() Stats { return Stats{Evaluations: e.evals, Matches: e.matches} }

// RuleMatches returns how many times the rule with the given ID matched.
func (e *Engine[C]) RuleMatches(id int) uint64 {
	if id < 0 || id >= len(e.rules) {
		return 0
	}
	return e.rules[id].matches
}
