package containerfields

import (
	"github.com/syscope/syscope/container"
	"github.com/syscope/syscope/fields"
)

// src is what an extractor reads containers from: the Tracker attached to
// the binding's Env when the field was resolved, else the Env's
// ContainerID function (ids only, no metadata), else nothing (every thread
// on the host, as fields.Env documents for a nil ContainerID).
type src struct {
	env *fields.Env
	tr  *Tracker
}

func newSrc(b *fields.Binding) *src {
	env := b.Env
	if env == nil {
		env = &fields.Env{}
	}
	return &src{env: env, tr: TrackerOf(env)}
}

// view is one thread's container as the field semantics need it.
type view struct {
	info container.Info
	// rec is the container's record: HostContainer for the host, the
	// Manager's record (possibly pending) for a container, nil when there
	// is no Manager.
	rec *container.Container
	// host: the thread runs on the host.
	host bool
	// meta: the runtime's metadata is known (the record resolved, or is a
	// runtime-less LXC/libvirt record named after its id). For the host it
	// is true: the host has a record whose metadata is empty.
	meta bool
}

func (s *src) sysdig029() bool { return s.env.Compat == fields.Sysdig029 }

// view returns the container of the event's thread; false when the event
// has no thread.
func (s *src) view(c fields.Ctx) (view, bool) {
	if c == nil || c.Thread == nil {
		return view{}, false
	}
	var v view
	if s.tr != nil {
		v.info, v.rec, _ = s.tr.Event(c)
	} else if f := s.env.ContainerID; f != nil {
		if id := f(c.Thread); id != "" {
			v.info = container.Info{ID: id, FullID: id}
		} else {
			v.info, v.rec = hostInfo, container.HostContainer
		}
	} else {
		v.info, v.rec = hostInfo, container.HostContainer
	}
	v.host = v.info.IsHost()
	v.meta = hasMeta(v.rec)
	return v, true
}

// hasMeta reports whether a record carries the runtime's metadata.
func hasMeta(r *container.Container) bool {
	if r == nil {
		return false
	}
	switch r.State {
	case container.StateResolved:
		return true
	case container.StateNoRuntime:
		return r.Name != ""
	}
	return false
}

// dockerCompatible reports whether libsinsp knows the privileged flag of
// containers of type t (Docker and the CRI runtimes, podman).
func dockerCompatible(t container.Type) bool {
	switch t {
	case container.TypeDocker, container.TypePodman, container.TypeCRI, container.TypeContainerd, container.TypeCRIO:
		return true
	}
	return false
}
