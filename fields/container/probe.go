package containerfields

import (
	"unsafe"

	"github.com/syscope/syscope/container"
	"github.com/syscope/syscope/fields"
	"github.com/syscope/syscope/state"
)

// probeKind is a kind of container health probe, or what libsinsp calls a
// process's category.
type probeKind uint8

const (
	probeNone probeKind = iota
	// probeContainer: the process descends from the container's init (a
	// regular container process, never a probe).
	probeContainer
	probeHealth
	probeLiveness
	probeReadiness
)

func probeOf(r *container.Container, k probeKind) *container.Probe {
	switch k {
	case probeHealth:
		return r.HealthCheck
	case probeLiveness:
		return r.LivenessProbe
	case probeReadiness:
		return r.ReadinessProbe
	}
	return nil
}

// matchProbe returns the kind of the container's probe whose command is
// exactly t's argv[0] and arguments, probeNone when none is.
func matchProbe(r *container.Container, t *state.Thread) probeKind {
	for _, k := range [...]probeKind{probeHealth, probeLiveness, probeReadiness} {
		p := probeOf(r, k)
		if p == nil || p.Exe != t.Exe || len(p.Args) != len(t.Args) {
			continue
		}
		same := true
		for i := range p.Args {
			if p.Args[i] != t.Args[i] {
				same = false
				break
			}
		}
		if same {
			return k
		}
	}
	return probeNone
}

// maxProbeDepth bounds the ancestry walked to classify a process.
const maxProbeDepth = 64

// category classifies the process of t as libsinsp does when a process
// starts or execs: a container's init (pid 1 in its namespace) and its
// descendants are regular container processes; a process whose parent has
// a category inherits it; otherwise a process in a container whose command
// line is exactly one of the container's probes, and that has no container
// init among its ancestors, runs that probe. libsinsp decides once, when
// the process starts or execs, and keeps the result; here it is computed
// from the current process tree, so a probe started before its container's
// metadata arrived is recognised once it has.
func (s *src) category(t *state.Thread, depth int) probeKind {
	if t == nil || depth > maxProbeDepth {
		return probeNone
	}
	if m := t.Main(); m != nil {
		t = m
	}
	info, rec := s.threadContainer(t)
	if info.IsHost() {
		return probeNone
	}
	if t.VPid == 1 {
		return probeContainer
	}
	st := s.env.State
	if st != nil {
		if p := st.ParentOf(t); p != nil && p != t {
			if k := s.category(p, depth+1); k != probeNone {
				return k
			}
		}
	}
	if !hasMeta(rec) {
		return probeNone
	}
	k := matchProbe(rec, t)
	if k == probeNone {
		return probeNone
	}
	underInit := false
	if st != nil {
		n := 0
		st.ForEachAncestor(t, func(a *state.Thread) bool {
			n++
			if a.VPid == 1 && !s.threadInfo(a).IsHost() {
				underInit = true
				return false
			}
			return n < maxProbeDepth
		})
	}
	if underInit {
		return probeNone
	}
	return k
}

// threadContainer returns the container of any thread (not only the
// event's).
func (s *src) threadContainer(t *state.Thread) (container.Info, *container.Container) {
	if s.tr != nil {
		return s.tr.Container(t)
	}
	return s.threadInfo(t), nil
}

func (s *src) threadInfo(t *state.Thread) container.Info {
	if s.tr != nil {
		return s.tr.Info(t)
	}
	if f := s.env.ContainerID; f != nil {
		if id := f(t); id != "" {
			return container.Info{ID: id, FullID: id}
		}
	}
	return hostInfo
}

// bindIsProbe builds proc.is_container_healthcheck, _liveness_probe and
// _readiness_probe.
func bindIsProbe(kind probeKind) func(*fields.Binding) (xf, error) {
	return func(b *fields.Binding) (xf, error) {
		s := newSrc(b)
		return boolX(func(c fields.Ctx) (bool, bool) {
			if c == nil || c.Thread == nil {
				return false, false
			}
			return s.category(c.Thread, 0) == kind, true
		}), nil
	}
}

// bytesString views b as a string without copying.
func bytesString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}
