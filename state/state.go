// Package state is syscope's state engine: the thread table, the process
// tree, per-process file descriptor tables and the machine's users and
// groups, kept up to date by parsing events the way libsinsp (as shipped in
// sysdig 0.29.3) does.
//
// A State is seeded from a capture's (or the live driver's /proc scan)
// process, user and group lists, then fed every event in order with
// Process, which returns a Ctx: the event's thread, the fd it refers to, its
// matching enter event and latency. Field extractors (package fields) read
// the Ctx and the Thread and FD values it points to.
//
// This package does not read capture files, talk to the kernel, evaluate
// filters or format output. A State is not safe for concurrent use: one
// goroutine feeds it and reads what it returns.
package state

import (
	"github.com/syscope/syscope/event"
)

// Options configure a State. The zero value (or nil) means defaults.
type Options struct {
	// MaxThreads bounds the thread table (default 131072, as sinsp).
	// Threads beyond it are not added; the drops are counted.
	MaxThreads int
	// MaxFDs bounds each process's fd table (default 4096, as sinsp).
	MaxFDs int
	// ThreadTimeout is how long (ns, event time) a thread may go without
	// events before the periodic scan removes it (default 30 minutes).
	// The scan only runs when Live is true, as sinsp only scans live.
	ThreadTimeout uint64
	// ScanInterval is the event time (ns) between two scans for inactive
	// threads (default 20 minutes).
	ScanInterval uint64
	// Live says the events come from a running system rather than a file.
	Live bool
}

func (o *Options) withDefaults() Options {
	var r Options
	if o != nil {
		r = *o
	}
	if r.MaxThreads <= 0 {
		r.MaxThreads = 131072
	}
	if r.MaxFDs <= 0 {
		r.MaxFDs = 4096
	}
	if r.ThreadTimeout == 0 {
		r.ThreadTimeout = 1800 * 1e9
	}
	if r.ScanInterval == 0 {
		r.ScanInterval = 1200 * 1e9
	}
	return r
}

// State is the state engine.
type State struct {
	opts    Options
	threads map[int64]*Thread
	users   map[uint32]*User
	groups  map[uint32]*Group

	ctx   Ctx
	stats Stats
	nfds  int

	// deferred removals, applied at the start of the next event
	removeTid      int64
	fdsToRemove    []int64
	fdRemoveTid    int64
	lastTid        int64
	lastThread     *Thread
	lastScanTs     uint64
	lastEventTs    uint64
	freeThreads    []*Thread
	freeFDs        []*FD
	freeTables     []*fdTable
	serverPorts    map[uint16]struct{}
	scratch        []byte
	scratch2       []byte
	pendingCloseFD int64 // fd a close enter marked, -1 when none
}

// New returns an empty State.
func New(o *Options) *State {
	s := &State{
		opts:        o.withDefaults(),
		threads:     make(map[int64]*Thread),
		users:       make(map[uint32]*User),
		groups:      make(map[uint32]*Group),
		removeTid:   -1,
		fdRemoveTid: -1,
		lastTid:     -1,
		serverPorts: make(map[uint16]struct{}),
	}
	return s
}

// Stats returns the state engine's counters.
func (s *State) Stats() Stats {
	st := s.stats
	st.Threads = len(s.threads)
	st.FDs = s.nfds
	return st
}

// Thread returns the thread tid, or nil when it is not in the table. It
// does not count a miss and does not create anything.
func (s *State) Thread(tid int64) *Thread { return s.threads[tid] }

// NumThreads returns the number of threads in the table.
func (s *State) NumThreads() int { return len(s.threads) }

// ForEachThread calls fn for every thread (in no particular order) until fn
// returns false.
func (s *State) ForEachThread(fn func(*Thread) bool) {
	for _, t := range s.threads {
		if !fn(t) {
			return
		}
	}
}

// User returns the user uid, or nil when the user list has no such user.
func (s *State) User(uid uint32) *User { return s.users[uid] }

// Group returns the group gid, or nil.
func (s *State) Group(gid uint32) *Group { return s.groups[gid] }

// AddUser adds or replaces a user.
func (s *State) AddUser(u User) {
	c := u
	s.users[u.UID] = &c
}

// AddGroup adds or replaces a group.
func (s *State) AddGroup(g Group) {
	c := g
	s.groups[g.GID] = &c
}

// Parent returns the parent of t's process (the thread its leader's PTid
// names), or nil when it is not in the table.
func (s *State) Parent(t *Thread) *Thread {
	if t == nil {
		return nil
	}
	m := t.Main()
	if m.PTid < 0 {
		return nil
	}
	return s.threads[m.PTid]
}

// Ancestor returns t's process's n-th ancestor: 0 is t's own process, 1 its
// parent, and so on; nil when the chain breaks before n (a missing parent, a
// loop).
func (s *State) Ancestor(t *Thread, n int) *Thread {
	if t == nil {
		return nil
	}
	cur := t.Main()
	for i := 0; i < n; i++ {
		p := s.Parent(cur)
		if p == nil || p == cur {
			return nil
		}
		cur = p.Main()
	}
	return cur
}

// ForEachAncestor calls fn for each ancestor process of t (parent first),
// stopping at a missing parent, at a loop, or when fn returns false.
func (s *State) ForEachAncestor(t *Thread, fn func(*Thread) bool) {
	if t == nil {
		return
	}
	cur := t.Main()
	slow := cur
	for i := 0; ; i++ {
		p := s.Parent(cur)
		if p == nil {
			return
		}
		p = p.Main()
		if p == cur {
			return
		}
		if !fn(p) {
			return
		}
		cur = p
		// loop detection: move slow one step every two steps
		if i%2 == 1 {
			slow = s.Parent(slow)
			if slow != nil {
				slow = slow.Main()
			}
			if slow == cur {
				return
			}
		}
	}
}

// ------------------------------------------------------------ allocation

func (s *State) newThread() *Thread {
	var t *Thread
	if n := len(s.freeThreads); n > 0 {
		t = s.freeThreads[n-1]
		s.freeThreads = s.freeThreads[:n-1]
		enter := t.enter[:0]
		args, env, cg := t.Args[:0], t.Env[:0], t.Cgroups[:0]
		*t = Thread{enter: enter, Args: args, Env: env, Cgroups: cg}
	} else {
		t = &Thread{}
	}
	t.st = s
	t.Pid, t.PTid, t.Sid, t.VPgid = -1, -1, -1, -1
	t.VTid, t.VPid = -1, -1
	t.FDLimit = -1
	t.Flags = pplClNameChanged
	t.LoginUID = 0xffffffff
	return t
}

// recycled reports whether t was returned to the free list.
func (t *Thread) recycled() bool { return t.st == nil }

func (s *State) freeThread(t *Thread) {
	t.releaseFDs()
	t.st = nil
	t.main = nil
	if len(s.freeThreads) < 1024 {
		s.freeThreads = append(s.freeThreads, t)
	}
}

func (s *State) newFD() *FD {
	if n := len(s.freeFDs); n > 0 {
		f := s.freeFDs[n-1]
		s.freeFDs = s.freeFDs[:n-1]
		return f
	}
	return &FD{}
}

func (s *State) freeFD(f *FD) {
	if len(s.freeFDs) < 4096 {
		s.freeFDs = append(s.freeFDs, f)
	}
}

func (s *State) newTable() *fdTable {
	if n := len(s.freeTables); n > 0 {
		t := s.freeTables[n-1]
		s.freeTables = s.freeTables[:n-1]
		t.refs = 1
		return t
	}
	return &fdTable{st: s, refs: 1}
}

// releaseFDs drops t's reference to its fd table, clearing the table when
// it was the last one.
func (t *Thread) releaseFDs() {
	ft := t.fds
	if ft == nil {
		return
	}
	t.fds = nil
	ft.refs--
	if ft.refs <= 0 {
		ft.clear()
		s := ft.st
		if len(s.freeTables) < 256 {
			s.freeTables = append(s.freeTables, ft)
		}
	}
}

// ownFDs gives t a fresh private table.
func (t *Thread) ownFDs() {
	t.releaseFDs()
	t.fds = t.st.newTable()
}

// shareFDs makes t use o's fd table.
func (t *Thread) shareFDs(o *Thread) {
	if o.fds == nil {
		o.ownFDs()
	}
	if t.fds == o.fds {
		return
	}
	t.releaseFDs()
	t.fds = o.fds
	t.fds.refs++
}

// ------------------------------------------------------------ thread table

// addThread inserts t; it returns false (and counts a drop) when the table
// is full.
func (s *State) addThread(t *Thread, fromList bool) bool {
	if len(s.threads) >= s.opts.MaxThreads {
		s.stats.ThreadDrops++
		return false
	}
	if old := s.threads[t.Tid]; old != nil && old != t {
		s.dropThread(old)
	}
	if !fromList {
		if m := s.threads[t.Pid]; m != nil && t.Tid != t.Pid {
			m.NChildren++
		} else if t.Tid == t.Pid {
			if p := s.threads[t.PTid]; p != nil {
				p.Main().NChildren++
			}
		}
	}
	s.threads[t.Tid] = t
	if t.fds == nil {
		t.ownFDs()
	}
	s.stats.ThreadsAdded++
	if s.lastTid == t.Tid {
		s.lastThread = t
	}
	return true
}

// dropThread removes t from the table without reparenting.
func (s *State) dropThread(t *Thread) {
	if s.threads[t.Tid] == t {
		delete(s.threads, t.Tid)
	}
	if s.lastThread == t {
		s.lastThread, s.lastTid = nil, -1
	}
	if s.ctx.Thread == t {
		s.ctx.Thread = nil
		s.ctx.FD = nil
	}
	s.stats.ThreadsRemoved++
	s.freeThread(t)
}

// lookup returns the thread tid from the table, counting a miss.
func (s *State) lookup(tid int64) *Thread {
	if tid == s.lastTid && s.lastThread != nil {
		return s.lastThread
	}
	t := s.threads[tid]
	if t == nil {
		s.stats.ThreadLookupMiss++
		return nil
	}
	s.lastTid, s.lastThread = tid, t
	return t
}

// lookupOrCreate returns the thread tid, creating a placeholder as sinsp
// does when the thread is unknown (name "<NA>", pid = tid, no parent).
func (s *State) lookupOrCreate(tid int64) (*Thread, bool) {
	if t := s.lookup(tid); t != nil {
		return t, false
	}
	if len(s.threads) >= s.opts.MaxThreads {
		s.stats.ThreadDrops++
		return nil, false
	}
	t := s.newThread()
	t.Tid, t.Pid, t.PTid = tid, tid, -1
	t.Comm, t.Exe = "<NA>", "<NA>"
	t.UID, t.GID = 0xffffffff, 0xffffffff
	t.Incomplete = true
	for _, o := range s.threads {
		if o.Pid == tid {
			t.NChildren++
		}
	}
	if !s.addThread(t, false) {
		s.freeThread(t)
		return nil, false
	}
	s.stats.ThreadsInferred++
	s.lastTid, s.lastThread = tid, t
	return t, true
}

// ------------------------------------------------------------ helpers

func (t *Thread) setEnter(e *event.Event) {
	t.enter = append(t.enter[:0], e.Raw...)
	t.enterEvt = event.Event{Raw: t.enter, Num: e.Num, CPU: e.CPU, Flags: e.Flags}
	t.enterType = e.Type()
	t.enterTs = e.Ts()
}
