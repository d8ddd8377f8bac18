package capture

import (
	"sync/atomic"

	"github.com/syscope/syscope/container"
	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/scap"
)

// Load feeds one event to m: when e is a container event its record is
// added to m (unless m already has metadata for that container and the
// event has none: a failed or unfinished lookup does not replace a finished
// one). It reports whether e was a container event, and the error of a
// malformed one.
func Load(m *container.Manager, e *event.Event) (bool, error) {
	if e == nil || len(e.Raw) < event.HeaderLen || !IsContainerEvent(e.Type()) {
		return false, nil
	}
	c, err := Decode(e)
	if err != nil {
		return true, err
	}
	if !hasMeta(c) {
		if old := m.Get(key(c)); old != nil && hasMeta(old) {
			return true, nil
		}
	}
	m.Add(c)
	return true, nil
}

// SourceStats are a Source's counters.
type SourceStats struct {
	// Loaded counts the container events added to the Manager.
	Loaded uint64
	// Errors counts malformed container events (skipped).
	Errors uint64
}

// Source is a capture source that loads the container events it reads
// into a Manager before handing them on, so that field extractors asking
// the Manager see the containers the capture describes. Everything else
// is the wrapped source's.
type Source struct {
	src     scap.Source
	m       *container.Manager
	loaded  atomic.Uint64
	errs    atomic.Uint64
	lastErr atomic.Pointer[error]
}

// NewSource wraps src, loading its container events into m.
func NewSource(src scap.Source, m *container.Manager) *Source {
	return &Source{src: src, m: m}
}

// Next reads the next event. A malformed container event is still returned
// (as libsinsp would show it) and counted in Stats; LastError tells why.
func (s *Source) Next(e *event.Event) error {
	if err := s.src.Next(e); err != nil {
		return err
	}
	if !IsContainerEvent(e.Type()) {
		return nil
	}
	if _, err := Load(s.m, e); err != nil {
		s.errs.Add(1)
		s.lastErr.Store(&err)
	} else {
		s.loaded.Add(1)
	}
	return nil
}

// Metadata returns the wrapped source's metadata.
func (s *Source) Metadata() *scap.Metadata { return s.src.Metadata() }

// Close closes the wrapped source.
func (s *Source) Close() error { return s.src.Close() }

// Stats returns the counters.
func (s *Source) Stats() SourceStats {
	return SourceStats{Loaded: s.loaded.Load(), Errors: s.errs.Load()}
}

// LastError returns the error of the last malformed container event, or
// nil.
func (s *Source) LastError() error {
	if p := s.lastErr.Load(); p != nil {
		return *p
	}
	return nil
}
