package container

import (
	"context"
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// ErrNotFound is returned (wrapped) by a Client whose runtime does not know
// the container id.
var ErrNotFound = errors.New("container not found")

// Client asks one container runtime about its containers. Implementations
// must honour the context's deadline and be safe for concurrent use.
type Client interface {
	// Name identifies the client, e.g. "docker-api unix:///run/podman/podman.sock".
	Name() string
	// Serves reports whether containers whose cgroup layout says t are
	// expected to belong to this runtime. The Manager asks these clients
	// first, then the others (except for LXC and libvirt containers, which
	// only a client that serves them is asked about).
	Serves(t Type) bool
	// Inspect returns what the runtime knows of the container whose id (or
	// unique id prefix) is id, or an error wrapping ErrNotFound.
	Inspect(ctx context.Context, id string) (*Container, error)
}

// ErrWatchUnsupported is returned (wrapped) by a Watcher whose runtime has
// no event stream; the Manager then stops following it.
var ErrWatchUnsupported = errors.New("runtime has no container event stream")

// Watcher follows a runtime's container events, so that a container's
// record is resolved when the runtime creates it, before its first process
// runs, and again when it starts (its address and start time are known
// then). Implementations must honour the context.
type Watcher interface {
	// Watch calls fn with the id and type of each container created or
	// started, until ctx ends or the event stream fails, and returns why.
	Watch(ctx context.Context, fn func(id string, t Type)) error
}

// Options configure a Manager. Zero fields take the defaults shown.
type Options struct {
	// Clients are asked, in order of preference, about unknown containers.
	// The Manager owns them: Close closes those that are io.Closers.
	Clients []Client
	// Watchers are followed while the Manager runs: each container they
	// report is resolved (Refresh). A stream that fails is followed again
	// after a pause (one second, doubling up to 30 s); one whose runtime
	// has none (ErrWatchUnsupported) is dropped.
	Watchers []Watcher
	// CacheSize bounds the number of container records (default 4096).
	// The least recently looked-up record is evicted first.
	CacheSize int
	// QueueSize bounds the resolves waiting for a worker (default 256).
	QueueSize int
	// Workers is the number of goroutines resolving (default 2).
	Workers int
	// Timeout bounds each call to a client (default 2s).
	Timeout time.Duration
	// RetryAfter is how long a failed or not-found record is kept before a
	// Lookup queues a new resolve (default 30s).
	RetryAfter time.Duration
	// MaxLabelLen drops labels whose value is longer (default 100, like
	// libsinsp; negative: keep every label).
	MaxLabelLen int
}

// Stats are the Manager's counters since it was made.
type Stats struct {
	Lookups      uint64 // Lookup calls for a container (host lookups excluded)
	Hits         uint64 // lookups that found a record, whatever its state
	Misses       uint64 // lookups that made a new pending record
	Enqueued     uint64 // resolves put on the queue
	Dropped      uint64 // resolves not queued because the queue was full
	Resolved     uint64 // resolves a runtime answered
	NotFound     uint64 // resolves that every runtime asked said it does not know
	Failed       uint64 // failed lookups: resolves with no answer, an error or timeout from a runtime
	Timeouts     uint64 // client calls cut by the per-call timeout
	ClientErrors uint64 // client calls that failed other than with not-found (timeouts included)
	Evicted      uint64 // records evicted from the cache
	Refreshes    uint64 // containers reported by the watchers (Refresh calls)
	WatchErrors  uint64 // watcher event streams that failed (and were followed again)
	Cached       int    // records in the cache now
	Queued       int    // resolves waiting in the queue now
	CacheSize    int    // the cache bound
	QueueSize    int    // the queue bound
}

type entry struct {
	key        string
	hint       Type
	c          *Container
	queued     bool // in the queue or being resolved
	done       time.Time
	inCache    bool
	prev, next *entry
}

// Manager caches container metadata and resolves unknown containers in the
// background. All methods are safe for concurrent use.
type Manager struct {
	opts    Options
	clients []Client

	mu     sync.Mutex
	cache  map[string]*entry
	head   entry // sentinel of the LRU list: head.next is the most recent
	closed bool

	queue  chan *entry
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	lookups, hits, misses, enqueued, dropped atomic.Uint64
	resolved, notFound, failed, timeouts     atomic.Uint64
	clientErrors, evicted                    atomic.Uint64
	refreshes, watchErrors                   atomic.Uint64
}

// NewManager starts a Manager and its workers. Call Close to stop them.
func NewManager(opts Options) *Manager {
	if opts.CacheSize <= 0 {
		opts.CacheSize = 4096
	}
	if opts.QueueSize <= 0 {
		opts.QueueSize = 256
	}
	if opts.Workers <= 0 {
		opts.Workers = 2
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 2 * time.Second
	}
	if opts.RetryAfter <= 0 {
		opts.RetryAfter = 30 * time.Second
	}
	if opts.MaxLabelLen == 0 {
		opts.MaxLabelLen = 100
	}
	m := &Manager{
		opts:    opts,
		clients: append([]Client(nil), opts.Clients...),
		cache:   make(map[string]*entry, min(opts.CacheSize, 1024)),
		queue:   make(chan *entry, opts.QueueSize),
	}
	m.head.next, m.head.prev = &m.head, &m.head
	m.ctx, m.cancel = context.WithCancel(context.Background())
	for range opts.Workers {
		m.wg.Add(1)
		go m.worker()
	}
	for _, w := range opts.Watchers {
		m.wg.Add(1)
		go m.watch(w)
	}
	return m
}

// watch follows w until the Manager closes.
func (m *Manager) watch(w Watcher) {
	defer m.wg.Done()
	pause := time.Second
	for {
		began := time.Now()
		err := w.Watch(m.ctx, func(id string, t Type) {
			m.refreshes.Add(1)
			m.Refresh(id, t)
		})
		if m.ctx.Err() != nil || errors.Is(err, ErrWatchUnsupported) {
			return
		}
		if err != nil {
			m.watchErrors.Add(1)
		}
		if time.Since(began) > time.Minute {
			pause = time.Second
		}
		select {
		case <-m.ctx.Done():
			return
		case <-time.After(pause):
		}
		pause = min(2*pause, 30*time.Second)
	}
}

// Refresh queues a resolve of id, whether a record is cached or not,
// without waiting: a runtime reported the container created or changed.
// A cached record keeps answering lookups until the new one replaces it;
// an unknown id gets a pending record first.
func (m *Manager) Refresh(id string, hint Type) {
	if id == "" || id == HostID || hint == TypeHost {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.cache[id]
	if e == nil {
		e = &entry{key: id, hint: hint}
		e.c = &Container{ID: ShortID(hint, id), FullID: id, Type: hint, State: StatePending}
		m.insert(e)
	}
	if !e.queued {
		m.enqueue(e)
	}
}

// Lookup returns what is known of the container id (a full id or the id
// detection reported), never waiting for a runtime. An unknown id gets a
// pending record holding only the id and hint, and a resolve is queued; the
// resolved record replaces it later. "host" and "" return HostContainer.
// The returned record is shared: do not modify it.
func (m *Manager) Lookup(id string, hint Type) *Container {
	if id == "" || id == HostID || hint == TypeHost {
		return HostContainer
	}
	m.lookups.Add(1)
	m.mu.Lock()
	if e := m.cache[id]; e != nil {
		return m.hit(e)
	}
	return m.miss(id, hint)
}

// LookupBytes is Lookup for an id held in a byte slice (for example a range
// of an event's cgroups parameter found by FindCgroups). It does not
// allocate when the id is cached.
func (m *Manager) LookupBytes(id []byte, hint Type) *Container {
	if len(id) == 0 || string(id) == HostID || hint == TypeHost {
		return HostContainer
	}
	m.lookups.Add(1)
	m.mu.Lock()
	if e := m.cache[string(id)]; e != nil {
		return m.hit(e)
	}
	return m.miss(string(id), hint)
}

// hit returns a cached record, queueing a resolve again for a record whose
// resolve was dropped, or that failed longer than RetryAfter ago. It
// releases m.mu.
func (m *Manager) hit(e *entry) *Container {
	m.hits.Add(1)
	m.moveFront(e)
	if !e.queued {
		switch e.c.State {
		case StatePending:
			m.enqueue(e)
		case StateFailed, StateNotFound:
			if time.Since(e.done) >= m.opts.RetryAfter {
				m.enqueue(e)
			}
		}
	}
	c := e.c
	m.mu.Unlock()
	return c
}

// miss makes a pending record for id and queues its resolve. It releases
// m.mu.
func (m *Manager) miss(id string, hint Type) *Container {
	m.misses.Add(1)
	e := &entry{key: id, hint: hint}
	e.c = &Container{ID: ShortID(hint, id), FullID: id, Type: hint, State: StatePending}
	if (hint == TypeLXC || hint == TypeLibvirtLXC) && !m.served(hint) {
		e.c.State = StateNoRuntime
		e.c.Name = id
	}
	m.insert(e)
	if e.c.State == StatePending {
		m.enqueue(e)
	}
	c := e.c
	m.mu.Unlock()
	return c
}

// Get returns the cached record of id, or nil, without queueing anything.
func (m *Manager) Get(id string) *Container {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e := m.cache[id]; e != nil {
		return e.c
	}
	return nil
}

// Add stores a record as resolved (for example one read from a capture
// file), replacing what was cached under c.FullID (c.ID when FullID is
// empty). The Manager keeps c: do not modify it afterwards.
func (m *Manager) Add(c *Container) {
	key := c.FullID
	if key == "" {
		key = c.ID
	}
	if key == "" || key == HostID {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.cache[key]
	if e == nil {
		e = &entry{key: key, hint: c.Type}
		e.c = c
		m.insert(e)
		return
	}
	e.c = c
	m.moveFront(e)
}

// Containers returns the cached records, most recently used first.
func (m *Manager) Containers() []*Container {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]*Container, 0, len(m.cache))
	for e := m.head.next; e != &m.head; e = e.next {
		out = append(out, e.c)
	}
	return out
}

// Stats returns the counters.
func (m *Manager) Stats() Stats {
	m.mu.Lock()
	cached := len(m.cache)
	m.mu.Unlock()
	return Stats{
		Lookups:      m.lookups.Load(),
		Hits:         m.hits.Load(),
		Misses:       m.misses.Load(),
		Enqueued:     m.enqueued.Load(),
		Dropped:      m.dropped.Load(),
		Resolved:     m.resolved.Load(),
		NotFound:     m.notFound.Load(),
		Failed:       m.failed.Load(),
		Timeouts:     m.timeouts.Load(),
		ClientErrors: m.clientErrors.Load(),
		Evicted:      m.evicted.Load(),
		Refreshes:    m.refreshes.Load(),
		WatchErrors:  m.watchErrors.Load(),
		Cached:       cached,
		Queued:       len(m.queue),
		CacheSize:    m.opts.CacheSize,
		QueueSize:    m.opts.QueueSize,
	}
}

// Close stops the workers (cancelling calls in flight) and closes the
// clients that are io.Closers. Lookups keep answering from the cache.
func (m *Manager) Close() error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil
	}
	m.closed = true
	m.mu.Unlock()
	m.cancel()
	m.wg.Wait()
	var errs []error
	for _, c := range m.clients {
		if cl, ok := c.(io.Closer); ok {
			if err := cl.Close(); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

func (m *Manager) served(t Type) bool {
	for _, c := range m.clients {
		if c.Serves(t) {
			return true
		}
	}
	return false
}

// enqueue queues a resolve of e without blocking. m.mu is held.
func (m *Manager) enqueue(e *entry) {
	if m.closed || len(m.clients) == 0 {
		if len(m.clients) == 0 && e.c.State == StatePending {
			e.c = withState(e.c, StateNoRuntime, "")
		}
		return
	}
	select {
	case m.queue <- e:
		e.queued = true
		m.enqueued.Add(1)
	default:
		m.dropped.Add(1)
	}
}

// insert adds e at the front of the LRU list, evicting the oldest record
// when the cache is full. m.mu is held.
func (m *Manager) insert(e *entry) {
	for len(m.cache) >= m.opts.CacheSize {
		old := m.head.prev
		if old == &m.head {
			break
		}
		m.unlink(old)
		old.inCache = false
		delete(m.cache, old.key)
		m.evicted.Add(1)
	}
	m.cache[e.key] = e
	e.inCache = true
	e.next = m.head.next
	e.prev = &m.head
	m.head.next.prev = e
	m.head.next = e
}

func (m *Manager) unlink(e *entry) {
	e.prev.next = e.next
	e.next.prev = e.prev
	e.prev, e.next = nil, nil
}

func (m *Manager) moveFront(e *entry) {
	if m.head.next == e {
		return
	}
	m.unlink(e)
	e.next = m.head.next
	e.prev = &m.head
	m.head.next.prev = e
	m.head.next = e
}

func withState(c *Container, s State, err string) *Container {
	n := *c
	n.State = s
	n.Err = err
	return &n
}

func (m *Manager) worker() {
	defer m.wg.Done()
	for {
		select {
		case <-m.ctx.Done():
			return
		case e := <-m.queue:
			m.resolve(e)
		}
	}
}

// order returns the clients to ask about a container detected as t.
func (m *Manager) order(t Type) []Client {
	out := make([]Client, 0, len(m.clients))
	for _, c := range m.clients {
		if c.Serves(t) {
			out = append(out, c)
		}
	}
	if t == TypeLXC || t == TypeLibvirtLXC {
		return out
	}
	for _, c := range m.clients {
		if !c.Serves(t) {
			out = append(out, c)
		}
	}
	return out
}

func (m *Manager) resolve(e *entry) {
	m.mu.Lock()
	key, hint, prev := e.key, e.hint, e.c
	m.mu.Unlock()

	var (
		found   *Container
		lastErr error
	)
	for _, cl := range m.order(hint) {
		ctx, cancel := context.WithTimeout(m.ctx, m.opts.Timeout)
		c, err := cl.Inspect(ctx, key)
		timedOut := ctx.Err() == context.DeadlineExceeded
		cancel()
		if err == nil && c != nil {
			found = c
			break
		}
		if m.ctx.Err() != nil {
			// Closing: leave the record as it is.
			m.mu.Lock()
			e.queued = false
			m.mu.Unlock()
			return
		}
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err == nil {
			err = errors.New(cl.Name() + ": no container returned")
		}
		m.clientErrors.Add(1)
		if timedOut || errors.Is(err, context.DeadlineExceeded) {
			m.timeouts.Add(1)
		}
		lastErr = err
	}

	var next *Container
	switch {
	case found != nil:
		m.normalize(found, key, hint)
		next = found
		m.resolved.Add(1)
	case lastErr != nil:
		next = withState(prev, StateFailed, lastErr.Error())
		m.failed.Add(1)
	default:
		next = withState(prev, StateNotFound, "")
		m.notFound.Add(1)
	}

	m.mu.Lock()
	e.queued = false
	e.done = time.Now()
	if e.inCache {
		e.c = next
	}
	m.mu.Unlock()
}

// normalize fills the ids and applies the label bound to a record a client
// returned.
func (m *Manager) normalize(c *Container, key string, hint Type) {
	c.State = StateResolved
	c.Err = ""
	if c.Type == TypeUnknown {
		c.Type = hint
	}
	if c.FullID == "" {
		c.FullID = key
	}
	c.ID = ShortID(c.Type, c.FullID)
	if c.Name == "" && (c.Type == TypeLXC || c.Type == TypeLibvirtLXC) {
		c.Name = c.FullID
	}
	if m.opts.MaxLabelLen > 0 {
		trimLabels(c.Labels, m.opts.MaxLabelLen)
		if c.Pod != nil {
			trimLabels(c.Pod.Labels, m.opts.MaxLabelLen)
		}
	}
}

func trimLabels(l map[string]string, max int) {
	for k, v := range l {
		if len(v) > max {
			delete(l, k)
		}
	}
}
