// Package inspect ties an event source (a capture file now, the live driver
// later) to the state engine and the fields: an Inspector reads events,
// keeps the thread and fd tables up to date, applies an optional filter the
// way sysdig interleaves it with state updates, and hands out the per-event
// context that field extractors, formats and rules read.
//
// An Inspector is syscope's counterpart of libsinsp's sinsp object. It does
// not format or print events (see package format), and it does not write
// captures (the caller passes the events it keeps to a scap.Writer).
package inspect

import (
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/fields"
	"github.com/syscope/syscope/filter"
	"github.com/syscope/syscope/scap"
	"github.com/syscope/syscope/state"
)

// Options configure an Inspector. The zero value (or nil) means defaults:
// current libsinsp field semantics, local time, sysdig's text buffer
// rendering.
type Options struct {
	// State configures the state engine's bounds.
	State *state.Options
	// Registry holds the fields (fields.Default() when nil).
	Registry *fields.Registry
	// Compat selects version-specific field behaviour.
	Compat fields.Compat
	// Location is the time zone of evt.time (time.Local when nil).
	Location *time.Location
	// OutputTime is sysdig's -t choice for evt.outputtime ('h' when 0).
	OutputTime byte
	// BufFormat and MaxBufLen control how byte buffers render (see
	// fields.Env).
	BufFormat event.BufFormat
	MaxBufLen int
	// ContainerID names the container of a thread (see fields.Env).
	ContainerID func(t *state.Thread) string
}

// Stats counts what an Inspector did.
type Stats struct {
	// Events is the number of events read from the source.
	Events uint64
	// Kept is the number of events Next returned.
	Kept uint64
	// Filtered is the number of events the filter rejected or the state
	// marked as not to be shown.
	Filtered uint64
	// State is the state engine's counters.
	State state.Stats
}

// Inspector reads events from a source and tracks state. It is not safe
// for concurrent use.
type Inspector struct {
	src   scap.Source
	st    *state.State
	env   *fields.Env
	res   *fields.Resolver
	keep  func(*state.Ctx) bool
	evt   event.Event
	first bool
	stats Stats
}

// New returns an Inspector reading src. The state is seeded from the
// source's metadata (process list, users, groups); the machine's hostname
// and network interfaces go to the fields' environment.
func New(src scap.Source, o *Options) (*Inspector, error) {
	if src == nil {
		return nil, errors.New("inspect: nil source")
	}
	if o == nil {
		o = &Options{}
	}
	st := state.New(o.State)
	env := &fields.Env{
		State:       st,
		Location:    o.Location,
		OutputTime:  o.OutputTime,
		BufFormat:   o.BufFormat,
		MaxBufLen:   o.MaxBufLen,
		Compat:      o.Compat,
		ContainerID: o.ContainerID,
	}
	in := &Inspector{src: src, st: st, env: env, first: true}
	in.res = fields.NewResolver(o.Registry, env)
	md := src.Metadata()
	st.Seed(md)
	in.loadMachine(md)
	return in, nil
}

// loadMachine copies the hostname and interface addresses into the
// environment.
func (in *Inspector) loadMachine(md *scap.Metadata) {
	if md == nil {
		return
	}
	if md.Machine != nil {
		in.env.Hostname = md.Machine.Hostname
	}
	local := make([]netip.Addr, 0, len(md.Interfaces))
	for _, it := range md.Interfaces {
		if it.Addr.IsValid() {
			local = append(local, it.Addr)
		}
	}
	in.env.Local = local
}

// Resolver returns the resolver that binds field names to extractors over
// this inspector's state.
func (in *Inspector) Resolver() *fields.Resolver { return in.res }

// State returns the state engine.
func (in *Inspector) State() *state.State { return in.st }

// Env returns the fields' environment.
func (in *Inspector) Env() *fields.Env { return in.env }

// Source returns the event source.
func (in *Inspector) Source() scap.Source { return in.src }

// SetFilter compiles a filter in the sysdig/Falco language and applies it
// to the events Next returns. An empty text removes the filter.
func (in *Inspector) SetFilter(text string) error {
	if text == "" {
		in.keep = nil
		return nil
	}
	e, err := filter.Parse(text)
	if err != nil {
		return err
	}
	pred, err := filter.Compile[*state.Ctx](e, in.res)
	if err != nil {
		return err
	}
	in.keep = pred
	return nil
}

// SetPredicate applies a compiled predicate instead of a filter text (nil
// removes it). It is called with each event's context, before the state
// update for events that do not modify state and after it for the others,
// as sysdig evaluates its filter.
func (in *Inspector) SetPredicate(keep func(*state.Ctx) bool) { in.keep = keep }

// Next reads events until one passes the filter and returns its context,
// valid until the next call. It returns io.EOF at the end of the source,
// and the source's error (wrapped) when it cannot read further.
func (in *Inspector) Next() (*state.Ctx, error) {
	for {
		if err := in.src.Next(&in.evt); err != nil {
			return nil, err
		}
		in.stats.Events++
		if in.first {
			in.first = false
			in.env.FirstTs = in.evt.Ts()
		}
		c, show := in.st.ProcessFiltered(&in.evt, in.keep)
		if !show {
			in.stats.Filtered++
			continue
		}
		in.stats.Kept++
		return c, nil
	}
}

// Stats returns the inspector's counters.
func (in *Inspector) Stats() Stats {
	s := in.stats
	s.State = in.st.Stats()
	return s
}

// Close closes the source.
func (in *Inspector) Close() error {
	if err := in.src.Close(); err != nil {
		return fmt.Errorf("inspect: close source: %w", err)
	}
	return nil
}

// Hidden reports whether sysdig hides the event in c from its output
// unless run with -D: internal events (process-info snapshots, drops,
// container and other metadata events).
func Hidden(c *state.Ctx) bool {
	return c.Evt.Info().Category&event.CatInternal != 0
}
