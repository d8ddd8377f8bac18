package containerfields

import (
	"runtime"
	"sync"
	"weak"

	"github.com/syscope/syscope/fields"
)

// The fields of this package are registered once per Registry, but their
// extractors need the Tracker of the inspector that resolves them. A
// Tracker is attached to a fields.Env; binders find it from the Env they
// are given. The association is held through a weak pointer to the Env, so
// an Env that is no longer used is forgotten with it.
var (
	attachMu sync.Mutex
	attached = map[weak.Pointer[fields.Env]]*Tracker{}
)

// Attach makes tr the source of container information for the fields
// resolved with env: it sets env.ContainerID (which fd.containername and
// fd.containerdirectory read) and lets the container.*, k8s.* and
// proc.is_container_* fields find tr. Call it before resolving fields with
// env; fields resolved earlier keep what they had.
func (tr *Tracker) Attach(env *fields.Env) {
	if env == nil {
		return
	}
	env.ContainerID = tr.ContainerID
	key := weak.Make(env)
	attachMu.Lock()
	_, known := attached[key]
	attached[key] = tr
	attachMu.Unlock()
	if !known {
		runtime.AddCleanup(env, func(k weak.Pointer[fields.Env]) {
			attachMu.Lock()
			delete(attached, k)
			attachMu.Unlock()
		}, key)
	}
}

// TrackerOf returns the Tracker attached to env, or nil.
func TrackerOf(env *fields.Env) *Tracker {
	if env == nil {
		return nil
	}
	attachMu.Lock()
	tr := attached[weak.Make(env)]
	attachMu.Unlock()
	return tr
}
