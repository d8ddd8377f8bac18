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

import ()

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
	// Modern selects current libsinsp behaviour where it differs from the
	// libsinsp sysdig 0.29.3 is built with (the default, so captures give
	// sysdig's answers): tuple destinations are overwritten by later
	// send/receive tuples, a connect enter without address clears the
	// destination, userfaultfd and unshare/setns are parsed, execve resets
	// the live-thread count, a closed leader goes with its last thread, and
	// children of an exiting process get a new parent (nearest child
	// subreaper, else the namespace's init) as the kernel gives them.
	Modern bool
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

	// deferred removals, applied when the next event is processed
	removeTid   int64
	fdsToRemove []int64
	fdRemoveTid int64

	// tcache is a direct-mapped cache of the thread table by tid, so the
	// few threads a stretch of events comes from are found without hashing;
	// an entry goes when its thread leaves the table (forget).
	tcache      [threadCacheSize]threadCacheEntry
	lastScanTs  uint64
	lastEventTs uint64
	bootTs      uint64    // machine boot time (ns since the epoch), 0 if unknown
	evSeq       uint64    // events processed (marks fds created by the current one)
	oldName     []byte    // the event fd's name before parsing (fd.name_changed)
	pv          paramView // the event's parameters, for parsers that read several
	pvEnter     paramView // its stored enter event's
	freeThreads []*Thread
	freeFDs     []*FD
	serverPorts map[uint16]struct{}
	ifaces4     []iface4
	ifaces6     [][16]byte
	tmpFD       FD     // scratch copy for dup-like operations
	name        []byte // scratch for names
	dir         []byte // scratch for directories
}

// New returns an empty State.
func New(o *Options) *State {
	return &State{
		opts:        o.withDefaults(),
		threads:     make(map[int64]*Thread),
		users:       make(map[uint32]*User),
		groups:      make(map[uint32]*Group),
		removeTid:   -1,
		fdRemoveTid: -1,
		serverPorts: make(map[uint16]struct{}),
	}
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
func (s *State) Thread(tid int64) *Thread { return s.find(tid) }

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

// MainThread returns t's thread group leader like sinsp does: when the
// leader is not in the table a placeholder is added for it (and counted in
// Stats.ThreadsInferred). It returns nil when the table is full.
func (s *State) MainThread(t *Thread) *Thread {
	if t == nil {
		return nil
	}
	if t.IsMain() {
		return t
	}
	m, _ := s.lookupOrCreate(t.Pid)
	return m
}

// ParentOf returns the thread named by t.PTid (the thread that created t),
// or nil when it is not in the table.
func (s *State) ParentOf(t *Thread) *Thread {
	if t == nil {
		return nil
	}
	return s.find(t.PTid)
}

// Ancestor returns the n-th ancestor of t's process as sinsp walks it
// (proc.aname[n], proc.apid[n]): 0 is t's leader, then each step follows
// the PTid of the previous one. It returns nil when a step is missing.
func (s *State) Ancestor(t *Thread, n int) *Thread {
	if t == nil {
		return nil
	}
	mt := t
	if !t.IsMain() {
		mt = s.MainThread(t)
		if mt == nil {
			return nil
		}
	}
	for i := 0; i < n; i++ {
		mt = s.find(mt.PTid)
		if mt == nil {
			return nil
		}
	}
	return mt
}

// ForEachAncestor calls fn with each ancestor of t, parent first, following
// PTid links, until fn returns false, a parent is missing, or a loop in the
// links is found (then it stops as sinsp does).
func (s *State) ForEachAncestor(t *Thread, fn func(*Thread) bool) {
	if t == nil {
		return
	}
	slow := s.find(t.PTid)
	fast := slow
	if fast != nil {
		fast = s.find(fast.PTid)
	}
	for slow != nil && slow.Tid != -1 {
		if !fn(slow) {
			return
		}
		slow = s.find(slow.PTid)
		for i := 0; i < 2; i++ {
			if fast != nil {
				fast = s.find(fast.PTid)
			}
			if slow != nil && (slow == fast || slow.Tid == slow.PTid) {
				return
			}
		}
	}
}

// LoginShellID returns proc.loginshellid for t: the pid of the farthest
// process, among t's leader and its ancestors, whose name ends in "sh".
func (s *State) LoginShellID(t *Thread) (int64, bool) {
	if t == nil {
		return 0, false
	}
	mt := t
	if !t.IsMain() {
		mt = s.MainThread(t)
		if mt == nil {
			return 0, false
		}
	}
	var res int64
	found := false
	check := func(p *Thread) bool {
		c := p.Comm
		if len(c) >= 2 && c[len(c)-2] == 's' && c[len(c)-1] == 'h' {
			res, found = p.Pid, true
		}
		return true
	}
	check(mt)
	s.ForEachAncestor(mt, check)
	return res, found
}

// ------------------------------------------------------------ allocation

func (s *State) newThread() *Thread {
	var t *Thread
	if n := len(s.freeThreads); n > 0 {
		t = s.freeThreads[n-1]
		s.freeThreads = s.freeThreads[:n-1]
		enter := t.enter[:0]
		args, env, cg := t.Args[:0], t.Env[:0], t.Cgroups[:0]
		ft := t.fds
		*t = Thread{enter: enter, Args: args, Env: env, Cgroups: cg, fds: ft}
	} else {
		t = &Thread{}
	}
	t.st = s
	t.Pid, t.PTid, t.Sid, t.VPgid, t.Pgid = -1, -1, -1, -1, -1
	t.VTid, t.VPid = -1, -1
	t.FDLimit = -1
	t.Flags = pplClNameChanged
	t.lastType = noType
	t.execEnter = -1
	if t.fds == nil {
		t.fds = &fdTable{st: s}
	}
	return t
}

// noType marks "no enter event seen" in Thread.lastType.
const noType = 0xffff

func (s *State) freeThread(t *Thread) {
	if t.fds != nil {
		t.fds.clear()
	}
	t.st = nil
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

// fdTableOf returns the table t's fd operations use, adding a placeholder
// leader when t shares its leader's files and the leader is unknown (as
// sinsp does). It returns nil only when the thread table is full.
func (s *State) fdTableOf(t *Thread) *fdTable {
	if t.Flags&CloneFiles != 0 {
		m := s.MainThread(t)
		if m == nil {
			return nil
		}
		return m.fds
	}
	return t.fds
}

// getFD looks num up in t's table, counting a miss.
func (s *State) getFD(t *Thread, num int64) *FD {
	ft := s.fdTableOf(t)
	if ft == nil {
		return nil
	}
	f := ft.get(num)
	if f == nil {
		s.stats.FDLookupMiss++
	}
	return f
}

// ------------------------------------------------------------ thread table

// addThread inserts t; it returns false (and counts a drop) when the table
// is full.
func (s *State) addThread(t *Thread, fromList bool) bool {
	if len(s.threads) >= s.opts.MaxThreads {
		s.stats.ThreadDrops++
		return false
	}
	if !fromList {
		s.incMainChildren(t)
	}
	if old := s.threads[t.Tid]; old != nil && old != t {
		s.forget(old)
	}
	s.threads[t.Tid] = t
	s.stats.ThreadsAdded++
	return true
}

// incMainChildren counts t in its leader's NChildren when t is a thread
// (not a process) of it.
func (s *State) incMainChildren(t *Thread) {
	if t.Flags&CloneThread == 0 {
		return
	}
	if m, _ := s.lookupOrCreate(t.Pid); m != nil {
		m.NChildren++
	}
}

// forget drops t from the table and the caches and recycles it.
func (s *State) forget(t *Thread) {
	if s.threads[t.Tid] == t {
		delete(s.threads, t.Tid)
	}
	if ce := &s.tcache[uint64(t.Tid)%threadCacheSize]; ce.t == t {
		*ce = threadCacheEntry{}
	}
	if s.ctx.Thread == t {
		s.ctx.Thread = nil
		s.ctx.FD = nil
	}
	s.stats.ThreadsRemoved++
	s.freeThread(t)
}

// removeThread removes tid as sinsp does: a leader with live threads stays
// (unless force) until its last thread goes.
func (s *State) removeThread(tid int64, force bool) {
	t := s.threads[tid]
	if t == nil {
		s.stats.ThreadLookupMiss++
		return
	}
	nch := t.NChildren
	if nch != 0 && !force {
		return
	}
	if t.Flags&CloneThread != 0 {
		if m := s.threads[t.Pid]; m != nil {
			if m.NChildren > 0 {
				m.NChildren--
			}
			if s.opts.Modern && m.Flags&ThreadClosed != 0 && m.NChildren == 0 {
				s.removeTid = m.Tid
			}
		}
	}
	if s.opts.Modern && t.IsMain() {
		s.reparent(t)
	}
	s.forget(t)
	if nch != 0 {
		s.recountChildren()
	}
}

// recountChildren rebuilds every leader's NChildren from the table.
func (s *State) recountChildren() {
	for _, t := range s.threads {
		t.NChildren = 0
	}
	for _, t := range s.threads {
		if t.Flags&CloneThread != 0 {
			if m := s.threads[t.Pid]; m != nil {
				m.NChildren++
			}
		}
	}
}

// reparent gives the children of the exiting process t a new parent: the
// reaper the driver reported with the exit, else the nearest ancestor
// marked as child subreaper, else the namespace's init (vpid 1), else pid 1.
func (s *State) reparent(t *Thread) {
	var reaper int64 = 1
	found := false
	if t.reaper > 0 {
		reaper, found = t.reaper, true
	}
	s.ForEachAncestor(t, func(p *Thread) bool {
		if found {
			return false
		}
		if p.ChildSubreaper {
			reaper, found = p.Pid, true
			return false
		}
		if p.VPid == 1 && p.Pid != 1 {
			reaper, found = p.Pid, true
			return false
		}
		return true
	})
	_ = found
	for _, c := range s.threads {
		if c.PTid == t.Tid && c != t {
			c.PTid = reaper
		}
	}
}

// threadCacheSize is the number of entries of State.tcache (a power of 2).
const threadCacheSize = 256

type threadCacheEntry struct {
	tid int64
	t   *Thread
}

// find returns the thread tid, or nil, through the thread cache; it does
// not count misses.
func (s *State) find(tid int64) *Thread {
	ce := &s.tcache[uint64(tid)%threadCacheSize]
	if ce.t != nil && ce.tid == tid {
		return ce.t
	}
	t := s.threads[tid]
	if t != nil {
		ce.tid, ce.t = tid, t
	}
	return t
}

// lookup returns the thread tid from the table, counting a miss.
func (s *State) lookup(tid int64) *Thread {
	t := s.find(tid)
	if t == nil {
		s.stats.ThreadLookupMiss++
	}
	return t
}

// lookupOrCreate returns the thread tid, adding a placeholder as sinsp does
// when the thread is unknown (name "<NA>", pid = tid, no parent, uid and
// gid 0xffffffff). The bool is true when it was created.
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
	t.UID, t.GID, t.LoginUID = 0xffffffff, 0xffffffff, 0xffffffff
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
	s.tcache[uint64(tid)%threadCacheSize] = threadCacheEntry{tid, t}
	return t, true
}
