package containerfields

import (
	"sync"
	"unsafe"

	"github.com/syscope/syscope/container"
	"github.com/syscope/syscope/fields"
	"github.com/syscope/syscope/state"
)

// Options configure a Tracker. The zero value (or nil) means the defaults.
type Options struct {
	// MaxThreads bounds the per-thread cache of detected containers
	// (default 65536). When it is full an entry is evicted (counted in
	// Stats.Evicted) and detected again when its thread shows up.
	MaxThreads int
}

// Stats are a Tracker's counters since it was made.
type Stats struct {
	Hits    uint64 // detections answered from the per-thread cache
	Misses  uint64 // detections that read the thread's cgroups
	Evicted uint64 // cache entries evicted because the cache was full
	Cached  int    // entries in the cache now
	// MaxThreads is the cache bound.
	MaxThreads int
}

// threadEntry is what the Tracker remembers of one thread: the cgroup
// paths detection read (kept, so that the same string pointers later prove
// the cgroups did not change) and the result.
type threadEntry struct {
	paths []string
	info  container.Info
}

// Tracker tells which container a thread runs in and hands out the
// container's record. It detects the container from the thread's cgroups
// (state.Thread.Cgroups, or its leader's when the thread has none), caches
// the result per thread id, and asks a container.Manager for the metadata,
// which never blocks. All methods are safe for concurrent use.
type Tracker struct {
	mgr *container.Manager
	max int

	mu      sync.Mutex
	threads map[int64]*threadEntry
	spare   *threadEntry
	hits    uint64
	misses  uint64
	evicted uint64

	// The record of the last event asked about: several fields of one
	// event share one Manager lookup.
	memoThread *state.Thread
	memoRaw    *byte
	memoNum    uint64
	memoTs     uint64
	memoInfo   container.Info
	memoRec    *container.Container
}

// NewTracker returns a Tracker that looks metadata up in m. With a nil
// Manager, containers are detected but have no metadata (only container.id
// and the fields derived from it have values).
func NewTracker(m *container.Manager, o *Options) *Tracker {
	var opts Options
	if o != nil {
		opts = *o
	}
	if opts.MaxThreads <= 0 {
		opts.MaxThreads = 65536
	}
	return &Tracker{mgr: m, max: opts.MaxThreads, threads: make(map[int64]*threadEntry, min(opts.MaxThreads, 1024))}
}

// Manager returns the Manager the Tracker asks (nil when it has none).
func (tr *Tracker) Manager() *container.Manager { return tr.mgr }

var hostInfo = container.Info{Type: container.TypeHost, ID: container.HostID, FullID: container.HostID}

// Info returns the container thread t runs in, detected from its cgroups
// ("host" when none names a container, or t is nil). It does not allocate
// when the thread's cgroups are those it saw last time.
func (tr *Tracker) Info(t *state.Thread) container.Info {
	tr.mu.Lock()
	info := tr.infoLocked(t)
	tr.mu.Unlock()
	return info
}

// ContainerID returns the container.id of thread t: the short id, or ""
// for the host. It is the function fields.Env.ContainerID expects.
func (tr *Tracker) ContainerID(t *state.Thread) string {
	info := tr.Info(t)
	if info.IsHost() {
		return ""
	}
	return info.ID
}

// Container returns the container of thread t and its record:
// container.HostContainer for the host; for a container, the Manager's
// record (possibly pending: only the ids and type), or nil when the Tracker
// has no Manager. It never blocks on a runtime.
func (tr *Tracker) Container(t *state.Thread) (container.Info, *container.Container) {
	tr.mu.Lock()
	info, rec := tr.lookupLocked(t)
	tr.mu.Unlock()
	return info, rec
}

// Event is Container for the thread of the event in c. Lookups for one
// event (same thread, same event bytes, number and time) are answered once.
// It reports false when the event has no thread.
func (tr *Tracker) Event(c fields.Ctx) (container.Info, *container.Container, bool) {
	if c == nil || c.Thread == nil {
		return container.Info{}, nil, false
	}
	t := c.Thread
	tr.mu.Lock()
	if ev := c.Evt; ev != nil && len(ev.Raw) >= 26 {
		raw := unsafe.SliceData(ev.Raw)
		ts := ev.Ts()
		if tr.memoThread == t && tr.memoRaw == raw && tr.memoNum == ev.Num && tr.memoTs == ts {
			info, rec := tr.memoInfo, tr.memoRec
			tr.mu.Unlock()
			return info, rec, true
		}
		info, rec := tr.lookupLocked(t)
		tr.memoThread, tr.memoRaw, tr.memoNum, tr.memoTs = t, raw, ev.Num, ts
		tr.memoInfo, tr.memoRec = info, rec
		tr.mu.Unlock()
		return info, rec, true
	}
	info, rec := tr.lookupLocked(t)
	tr.mu.Unlock()
	return info, rec, true
}

// Stats returns the counters.
func (tr *Tracker) Stats() Stats {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return Stats{Hits: tr.hits, Misses: tr.misses, Evicted: tr.evicted, Cached: len(tr.threads), MaxThreads: tr.max}
}

// Forget drops what the Tracker remembers of thread tid (for example when
// the thread exits). It is optional: entries are checked against the
// thread's cgroups on every use and the cache is bounded.
func (tr *Tracker) Forget(tid int64) {
	tr.mu.Lock()
	if e := tr.threads[tid]; e != nil {
		delete(tr.threads, tid)
		tr.recycle(e)
	}
	if tr.memoThread != nil && tr.memoThread.Tid == tid {
		tr.memoThread = nil
	}
	tr.mu.Unlock()
}

func (tr *Tracker) lookupLocked(t *state.Thread) (container.Info, *container.Container) {
	info := tr.infoLocked(t)
	if info.IsHost() {
		return info, container.HostContainer
	}
	if tr.mgr == nil {
		return info, nil
	}
	rec := tr.mgr.Lookup(info.FullID, info.Type)
	if !hasMeta(rec) && len(info.FullID) > len(info.ID) {
		// Captures written without full ids (old libsinsp, the old
		// container event) key their records by the short id.
		if s := tr.mgr.Get(info.ID); s != nil && hasMeta(s) {
			return info, s
		}
	}
	return info, rec
}

// cgroupsOf returns the cgroups detection reads for t: its own, else its
// leader's.
func cgroupsOf(t *state.Thread) []state.Cgroup {
	if len(t.Cgroups) > 0 {
		return t.Cgroups
	}
	if m := t.Main(); m != nil {
		return m.Cgroups
	}
	return nil
}

func (tr *Tracker) infoLocked(t *state.Thread) container.Info {
	if t == nil {
		return hostInfo
	}
	cg := cgroupsOf(t)
	if len(cg) == 0 {
		return hostInfo
	}
	e := tr.threads[t.Tid]
	if e != nil && samePaths(e.paths, cg) {
		tr.hits++
		return e.info
	}
	tr.misses++
	if e == nil {
		e = tr.newEntry()
		tr.threads[t.Tid] = e
	}
	e.paths = e.paths[:0]
	for i := range cg {
		e.paths = append(e.paths, cg[i].Path)
	}
	e.info = Detect(cg)
	return e.info
}

// Detect returns the container named by a list of cgroups: the first entry
// whose path names one (see container.FromCgroupPath), else the host. It
// does not allocate.
func Detect(cg []state.Cgroup) container.Info {
	for i := range cg {
		if info := container.FromCgroupPath(cg[i].Path); !info.IsHost() {
			return info
		}
	}
	return hostInfo
}

// samePaths reports whether cg holds exactly the path strings of paths
// (same bytes in memory: the strings in paths are kept alive by the entry,
// so equal pointers mean equal contents).
func samePaths(paths []string, cg []state.Cgroup) bool {
	if len(paths) != len(cg) {
		return false
	}
	for i := range cg {
		p := cg[i].Path
		if len(p) != len(paths[i]) || unsafe.StringData(p) != unsafe.StringData(paths[i]) {
			return false
		}
	}
	return true
}

// newEntry returns an entry for a new thread, evicting one when the cache
// is full. tr.mu is held.
func (tr *Tracker) newEntry() *threadEntry {
	if len(tr.threads) >= tr.max {
		for tid, old := range tr.threads {
			delete(tr.threads, tid)
			tr.evicted++
			tr.recycle(old)
			break
		}
	}
	if e := tr.spare; e != nil {
		tr.spare = nil
		return e
	}
	return &threadEntry{}
}

func (tr *Tracker) recycle(e *threadEntry) {
	clear(e.paths)
	e.paths = e.paths[:0]
	e.info = container.Info{}
	tr.spare = e
}
