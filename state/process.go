package state

import (
	"bytes"
	"encoding/binary"

	"github.com/syscope/syscope/event"
)

// Dump flag of an event that only feeds the state (never shown).
const dfStateOnly = 1

// SinspFlags returns the EF_* flags sinsp 0.9 (sysdig 0.29.3) gives event
// type t. They differ from the current schema's on a few types (mmap and
// some *at exits gained EF_USES_FD later, sendmmsg/recvmmsg had none, ...);
// field extractors that decide by flags whether an event has an fd must use
// these to give sysdig's answers.
func SinspFlags(t event.Type) event.EventFlags {
	if int(t) < len(sinspFlags) {
		return sinspFlags[t]
	}
	return 0
}

var sinspFlags = func() [event.NumTypes]event.EventFlags {
	var f [event.NumTypes]event.EventFlags
	for i, inf := range event.Types() {
		f[i] = inf.Flags
	}
	const rw = event.EFUsesFd | event.EFModifiesState | event.EFReadsFromFd | event.EFWritesToFd
	f[event.SocketSendmmsgX] &^= rw
	f[event.SocketRecvmmsgX] &^= rw
	f[event.SyscallFstat64X] |= event.EFUsesFd
	f[event.SchedswitchV1X] |= event.EFSkipparsereset
	for _, t := range []event.Type{event.SyscallMmapE, event.SyscallMmapX, event.SyscallMmap2E,
		event.SyscallMmap2X, event.SyscallSymlinkatX, event.SyscallUnlinkatV2X,
		event.SyscallMkdiratX, event.SyscallFchmodatX, event.SyscallFchmodX} {
		f[t] &^= event.EFUsesFd
	}
	f[event.SyscallSetpgidE] |= event.EFModifiesState
	f[event.SyscallSetpgidX] |= event.EFModifiesState
	return f
}()

// fdParam is, per exit type, the index of its "fd" parameter in the current
// schema (used when an exit arrives without its enter event, as the live
// driver sends them), or -1.
var fdParam = func() [event.NumTypes]int8 {
	var p [event.NumTypes]int8
	for i, inf := range event.Types() {
		p[i] = -1
		if inf.Dir != event.Exit || inf.Flags&event.EFUsesFd == 0 {
			continue
		}
		if j := inf.ParamIndex("fd"); j >= 0 && j < 127 {
			p[i] = int8(j)
		}
	}
	return p
}()

// renamesFD marks the event types whose parsers may change the name of an
// existing fd (socket tuples and addresses).
var renamesFD = func() [event.NumTypes]bool {
	var r [event.NumTypes]bool
	for _, t := range []event.Type{event.SocketBindX, event.SocketConnectE, event.SocketConnectX,
		event.SocketSendtoX, event.SocketSendmsgX, event.SocketRecvfromX, event.SocketRecvmsgX} {
		r[t] = true
	}
	return r
}()

// Process updates the state with e and returns what the state knows about
// it. The returned Ctx (and what it points to) is valid until the next call.
func (s *State) Process(e *event.Event) *Ctx {
	c, _ := s.ProcessFiltered(e, nil)
	return c
}

// ProcessFiltered is Process for a caller that filters events, reproducing
// how sinsp interleaves its filter with state updates: keep is called with
// the Ctx before the event's state update for events that do not modify
// state (and, when it rejects one, the thread's pending enter is dropped as
// sinsp drops it), after the update for the others. It reports whether the
// event is to be shown: keep accepted it and it is not a state-only event.
// keep may be nil (everything is kept).
func (s *State) ProcessFiltered(e *event.Event, keep func(*Ctx) bool) (*Ctx, bool) {
	if len(e.Raw) < event.HeaderLen {
		s.stats.ParseErrors++
		s.ctx = Ctx{Evt: e, FDNum: -1, Filtered: true}
		return &s.ctx, false
	}
	ts := e.Ts()
	s.lastEventTs = ts
	s.applyDeferred(ts)

	c := &s.ctx
	*c = Ctx{Evt: e, FDNum: -1}
	et := e.Type()
	flags := SinspFlags(et)
	s.evSeq++

	s.reset(e, c, et, flags)

	if keep != nil && et == event.SyscallWriteX && c.FD == nil && c.Thread != nil {
		// with a filter set, sinsp looks a write exit's fd up from the
		// thread's last fd before filtering (its tracer check)
		c.FD = s.getFD(c.Thread, c.Thread.LastEventFD)
	}
	if keep != nil && flags&event.EFModifiesState == 0 {
		if !keep(c) {
			if t := c.Thread; t != nil && flags&event.EFSkipparsereset == 0 && et != event.SchedswitchV6E {
				t.lastType = noType
			}
			c.Filtered = true
			return c, false
		}
	}

	// fd.name_changed: remember the name of the event's fd before the
	// parsers that may rename an existing socket run
	var named *FD
	if c.FD != nil && int(et) < len(renamesFD) && renamesFD[et] {
		named = c.FD
		s.oldName = append(s.oldName[:0], named.Name...)
	}

	removed := s.stats.ThreadsRemoved
	s.parse(e, c, et)

	// a thread leaves the table only through forget, which counts it
	if c.Thread != nil && s.stats.ThreadsRemoved != removed && c.Thread.recycledOrGone(s) {
		c.Thread = nil
		c.FD = nil
	}
	if f := c.FD; f != nil {
		if f.freshSeq == s.evSeq {
			// a descriptor made by this event starts without a name
			c.FDNameChanged = len(f.Name) != 0
		} else if f == named {
			c.FDNameChanged = !bytes.Equal(f.Name, s.oldName)
		}
	}
	if c.Thread != nil {
		c.FDNum = c.Thread.LastEventFD
	}

	if keep != nil && flags&event.EFModifiesState != 0 {
		if !keep(c) {
			c.Filtered = true
			return c, false
		}
	}
	if e.Flags&dfStateOnly != 0 {
		c.Filtered = true
		return c, false
	}
	s.finish(e, c, et)
	return c, true
}

// Finish-time bookkeeping sinsp does only for events it shows: the stored
// enter event is consumed by an exit, and the thread's event timestamps
// move on.
func (s *State) finish(e *event.Event, c *Ctx, et event.Type) {
	t := c.Thread
	if t == nil {
		return
	}
	if !e.IsEnter() && t.enterStored {
		t.enterStored = false
		t.enterValid = false
	}
	if et != event.SchedswitchV1E && et != event.SchedswitchV6E {
		t.PrevEventTs = t.LastEventTs
		t.LastEventTs = e.Ts()
	}
}

// recycledOrGone reports whether t left the table while its event was
// parsed (a clone replacing a stale entry).
func (t *Thread) recycledOrGone(s *State) bool {
	return t.st == nil || s.threads[t.Tid] != t
}

// applyDeferred runs the removals sinsp defers to the next event: the
// thread of a procexit and the fds of a close, then the periodic purge.
func (s *State) applyDeferred(ts uint64) {
	if s.removeTid != -1 {
		tid := s.removeTid
		s.removeTid = -1
		s.removeThread(tid, false)
	}
	if s.opts.Live {
		s.purgeInactive(ts)
	}
	if len(s.fdsToRemove) > 0 {
		t, _ := s.lookupOrCreate(s.fdRemoveTid)
		if t != nil {
			if ft := s.fdTableOf(t); ft != nil {
				for _, fd := range s.fdsToRemove {
					ft.remove(fd)
				}
			}
		}
		s.fdsToRemove = s.fdsToRemove[:0]
	}
}

// purgeInactive removes, at most once per ScanInterval, threads that had
// no event for ThreadTimeout, and exited threads whose removal was missed.
func (s *State) purgeInactive(ts uint64) {
	if s.lastScanTs == 0 {
		s.lastScanTs = ts
		return
	}
	if ts < s.lastScanTs+s.opts.ScanInterval {
		return
	}
	s.lastScanTs = ts
	var stale []int64
	for tid, t := range s.threads {
		last := t.LastAccessTs
		if last < t.LastEventTs {
			last = t.LastEventTs
		}
		if t.Flags&ThreadClosed != 0 || (last != 0 && ts > last+s.opts.ThreadTimeout) {
			stale = append(stale, tid)
		}
	}
	for _, tid := range stale {
		if _, ok := s.threads[tid]; ok {
			s.removeThread(tid, false)
			s.stats.Purged++
		}
	}
}

// reset finds the event's thread and fd and does sinsp's per-event
// bookkeeping (last fd, enter/exit matching, latency).
func (s *State) reset(e *event.Event, c *Ctx, et event.Type, flags event.EventFlags) {
	if flags&event.EFSkipparsereset != 0 {
		if et == event.ProcinfoE {
			c.Thread = s.find(e.Tid())
		}
		return
	}
	var kind uint8
	if int(et) < len(resetKinds) {
		kind = resetKinds[et]
	}
	if kind == resetNoThread {
		return
	}
	queryOS := kind != resetLookupOnly
	var t *Thread
	if queryOS {
		t, c.ThreadCreated = s.lookupOrCreate(e.Tid())
	} else {
		t = s.lookup(e.Tid())
	}
	c.Thread = t
	if t == nil {
		return
	}
	if et == event.SchedswitchV6E {
		c.Latency = t.Latency
		return
	}
	t.LastAccessTs = e.Ts()
	if queryOS {
		t.Flags |= ThreadActive
	}
	if e.IsEnter() {
		t.LastEventFD = -1
		t.lastType = uint16(et)
		if flags&event.EFUsesFd != 0 {
			if fd, ok := fdArg0(e, flags); ok {
				t.LastEventFD = fd
				c.FD = s.getFD(t, fd)
			}
		}
		t.Latency = 0
		t.enterTime = e.Ts()
		c.Latency = 0
		return
	}
	if t.enterTime != 0 {
		t.Latency = e.Ts() - t.enterTime
	}
	c.Latency = t.Latency
	matched := uint16(et) == t.lastType+1 ||
		(s.opts.Modern && (et == event.SyscallExecveV18X || et == event.SyscallExecveV19X) && t.lastType == uint16(event.SyscallExecveatE))
	t.enterValid = matched
	if !matched {
		// sinsp stops here; an exit that carries its fd (as the live
		// driver sends them) still gets its fd resolved.
		if int(et) < len(fdParam) && fdParam[et] >= 0 {
			i := fdParam[et]
			if fd, ok := e.Int(int(i)); ok {
				t.LastEventFD = fd
				c.FD = s.getFD(t, fd)
			}
		}
		return
	}
	if t.enterStored && len(t.enter) >= event.HeaderLen && (t.enterEvt.Type() == et-1 ||
		(s.opts.Modern && t.enterEvt.Type() == event.SyscallExecveatE && (et == event.SyscallExecveV18X || et == event.SyscallExecveV19X))) {
		c.Enter = &t.enterEvt
	}
	if flags&event.EFUsesFd != 0 {
		if et == event.SyscallCopyFileRangeX {
			if fd, ok := e.Int(1); ok {
				t.LastEventFD = fd
			}
		}
		c.FD = s.getFD(t, t.LastEventFD)
		if c.FD == nil {
			return
		}
		if c.FD.Flags&fdCloseCanceled != 0 {
			c.FD.Flags &^= fdCloseCanceled
			s.scheduleFDRemoval(t, canceledFD)
		}
	}
}

// fdArg0 returns the first parameter of e as a signed integer, reading an
// 8-byte parameter directly and falling back on Event.Int for the rest.
func fdArg0(e *event.Event, flags event.EventFlags) (int64, bool) {
	if flags&event.EFLargePayload == 0 {
		r := e.Raw
		n := int(e.NParams())
		off := event.HeaderLen + 2*n
		if n > 0 && len(r) >= off+8 && binary.LittleEndian.Uint16(r[event.HeaderLen:]) == 8 {
			return int64(binary.LittleEndian.Uint64(r[off:])), true
		}
	}
	return e.Int(0)
}

// scheduleFDRemoval queues fd of t's table for removal at the next event.
func (s *State) scheduleFDRemoval(t *Thread, fd int64) {
	if s.fdRemoveTid != t.Tid && len(s.fdsToRemove) > 0 {
		// sinsp keeps one thread per batch; a batch for another thread is
		// applied now rather than lost
		if o := s.threads[s.fdRemoveTid]; o != nil {
			if ft := s.fdTableOf(o); ft != nil {
				for _, x := range s.fdsToRemove {
					ft.remove(x)
				}
			}
		}
		s.fdsToRemove = s.fdsToRemove[:0]
	}
	s.fdRemoveTid = t.Tid
	s.fdsToRemove = append(s.fdsToRemove, fd)
}

// How reset finds an event's thread, by type.
const (
	resetLookupCreate = iota // look it up, adding a placeholder when unknown
	resetLookupOnly          // look it up only (clone exits, compact switches)
	resetNoThread            // no thread (container, user and group events)
)

var resetKinds = func() [event.NumTypes]uint8 {
	var k [event.NumTypes]uint8
	for i := range k {
		if isCloneExit(event.Type(i)) {
			k[i] = resetLookupOnly
		}
	}
	k[event.SchedswitchV6E] = resetLookupOnly
	for _, t := range []event.Type{event.ContainerJsonE, event.ContainerJsonV2E, event.UserAddedE,
		event.UserDeletedE, event.GroupAddedE, event.GroupDeletedE} {
		k[t] = resetNoThread
	}
	return k
}()

func isCloneExit(et event.Type) bool {
	switch et {
	case event.SyscallCloneV11X, event.SyscallCloneV16X, event.SyscallCloneV17X, event.SyscallCloneV20X,
		event.SyscallForkX, event.SyscallForkV17X, event.SyscallForkV20X,
		event.SyscallVforkX, event.SyscallVforkV17X, event.SyscallVforkV20X, event.SyscallClone3X:
		return true
	}
	return false
}

// storeEnter keeps a copy of an enter event on its thread for the exit's
// parser, as sinsp does for the event types whose exit needs them.
func (s *State) storeEnter(e *event.Event, c *Ctx) {
	t := c.Thread
	if t == nil {
		return
	}
	t.enter = append(t.enter[:0], e.Raw...)
	t.enterEvt = event.Event{Raw: t.enter, Num: e.Num, CPU: e.CPU, Flags: e.Flags}
	t.enterStored = true
}

// retrieveEnter returns the stored enter event matching exit type et, or
// nil, with sinsp's rules.
func (s *State) retrieveEnter(c *Ctx, et event.Type) *event.Event {
	t := c.Thread
	if t == nil || !t.enterValid || !t.enterStored {
		return nil
	}
	ee := &t.enterEvt
	if len(ee.Raw) < event.HeaderLen {
		return nil
	}
	if s.opts.Modern && (et == event.SyscallExecveV18X || et == event.SyscallExecveV19X) && ee.Type() == event.SyscallExecveatE {
		return ee
	}
	if ee.Type() != et-1 {
		t.enterValid = false
		return nil
	}
	return ee
}

// parse routes the event to its state parser.
func (s *State) parse(e *event.Event, c *Ctx, et event.Type) {
	switch et {
	case event.SocketSendtoE:
		if c.FD == nil && c.Thread != nil {
			s.inferSendto(e, c)
		}
		s.storeEnter(e, c)
	case event.SyscallOpenE, event.SyscallCreatE, event.SyscallOpenatE, event.SyscallOpenatV2E,
		event.SyscallOpenat2E, event.SocketSocketE, event.SyscallEventfdE, event.SyscallChdirE,
		event.SyscallFchdirE, event.SocketShutdownE, event.SyscallGetrlimitE, event.SyscallSetrlimitE,
		event.SyscallPrlimitE, event.SocketSendmsgE, event.SyscallSendfileE, event.SyscallSetresuidE,
		event.SyscallSetresgidE, event.SyscallSetuidE, event.SyscallSetgidE, event.SyscallSetpgidE:
		s.storeEnter(e, c)
	case event.SyscallUnshareE, event.SyscallSetnsE:
		if s.opts.Modern {
			s.storeEnter(e, c)
		}
	case event.SyscallExecveV18E, event.SyscallExecveV19E, event.SyscallExecveatE:
		s.parseExecveEnter(e, c)
	case event.SyscallReadX, event.SyscallWriteX, event.SocketRecvX, event.SocketSendX,
		event.SocketRecvfromX, event.SocketRecvmsgX, event.SocketSendtoX, event.SocketSendmsgX,
		event.SyscallReadvX, event.SyscallWritevX, event.SyscallPreadX, event.SyscallPwriteX,
		event.SyscallPreadvX, event.SyscallPwritevX:
		s.parseRWExit(e, c, et)
	case event.SyscallOpenX, event.SyscallCreatX, event.SyscallOpenatX, event.SyscallOpenatV2X,
		event.SyscallOpenat2X, event.SyscallOpenByHandleAtX:
		s.parseOpenExit(e, c, et)
	case event.SyscallSelectE, event.SyscallPollE, event.SyscallPpollE, event.SyscallEpollwaitE:
		if t := c.Thread; t != nil && t.enterStored && len(t.enter) >= 8 {
			copy(t.enter[:8], e.Raw[:8])
		}
	case event.SyscallUnshareX, event.SyscallSetnsX:
		if s.opts.Modern {
			s.parseUnshareSetnsExit(e, c, et)
		}
	case event.SyscallCloneV11X, event.SyscallCloneV16X, event.SyscallCloneV17X, event.SyscallCloneV20X,
		event.SyscallForkX, event.SyscallForkV17X, event.SyscallForkV20X, event.SyscallVforkX,
		event.SyscallVforkV17X, event.SyscallVforkV20X, event.SyscallClone3X:
		s.parseCloneExit(e, c, et)
	case event.SyscallExecveV8X, event.SyscallExecveV13X, event.SyscallExecveV14X, event.SyscallExecveV15X,
		event.SyscallExecveV16X, event.SyscallExecveV17X, event.SyscallExecveV18X, event.SyscallExecveV19X,
		event.SyscallExecveatX:
		s.parseExecveExit(e, c, et)
	case event.ProcexitE, event.ProcexitV1E:
		if t := c.Thread; t != nil {
			t.Flags |= ThreadClosed
			t.Dead = true
			s.removeTid = e.Tid()
			if r, ok := e.Int(4); ok && r > 0 {
				t.reaper = r
			}
		}
	case event.SyscallPipeX, event.SyscallPipe2X:
		s.parsePipeExit(e, c)
	case event.SocketSocketX:
		s.parseSocketExit(e, c, et)
	case event.SocketBindX:
		s.parseBindExit(e, c)
	case event.SocketConnectE:
		s.parseConnectEnter(e, c)
	case event.SocketConnectX:
		s.parseConnectExit(e, c)
	case event.SocketAcceptX, event.SocketAcceptV5X, event.SocketAccept4X, event.SocketAccept4V5X,
		event.SocketAccept4V6X:
		s.parseAcceptExit(e, c)
	case event.SyscallCloseE:
		if t := c.Thread; t != nil {
			c.FD = s.getFD(t, t.LastEventFD)
			if c.FD != nil {
				c.FD.Flags |= fdCloseInProgress
			}
		}
	case event.SyscallCloseX:
		s.parseCloseExit(e, c)
	case event.SyscallFcntlE:
		if c.Thread != nil {
			if cmd, ok := e.Uint(1); ok && (cmd == fcntlDupfd || cmd == fcntlDupfdCloexec) {
				s.storeEnter(e, c)
			}
		}
	case event.SyscallFcntlX:
		s.parseFcntlExit(e, c, et)
	case event.SyscallEventfdX, event.SyscallEventfd2X:
		s.addSimpleFD(e, c, FDEvent)
	case event.SyscallChdirX:
		if t := c.Thread; t != nil {
			if res, ok := e.Int(0); ok && res >= 0 {
				if p, ok := e.Param(1); ok {
					s.setCwd(t, cstr(p), len(p))
				}
			}
		}
	case event.SyscallFchdirX:
		if res, ok := e.Int(0); ok && res >= 0 && c.FD != nil && c.Thread != nil {
			s.setCwd(c.Thread, c.FD.Name, len(c.FD.Name))
		}
	case event.SyscallGetcwdX:
		if t := c.Thread; t != nil {
			if res, ok := e.Int(0); ok && res >= 0 {
				if p, ok := e.Param(1); ok {
					s.setCwd(t, cstr(p), len(p))
				}
			}
		}
	case event.SyscallDupX, event.SyscallDupV1X, event.SyscallDup2X, event.SyscallDup3X:
		s.parseDupExit(e, c, et)
	case event.SyscallSignalfdX, event.SyscallSignalfd4X:
		s.addSimpleFD(e, c, FDSignalfd)
	case event.SyscallTimerfdCreateX:
		s.addSimpleFD(e, c, FDTimerfd)
	case event.SyscallInotifyInitX, event.SyscallInotifyInit1X:
		s.addSimpleFD(e, c, FDInotify)
	case event.SyscallBpfV2X:
		s.addSimpleFD(e, c, FDBPF)
	case event.SyscallUserfaultfdX:
		if s.opts.Modern {
			s.addSimpleFD(e, c, FDUserfaultfd)
		}
	case event.SyscallIoUringSetupX:
		s.addSimpleFD(e, c, FDIOUring)
	case event.SyscallEpollCreateX, event.SyscallEpollCreate1X:
		s.addSimpleFD(e, c, FDEventpoll)
	case event.SyscallMemfdCreateX:
		s.parseMemfdExit(e, c)
	case event.SyscallPidfdOpenX:
		s.addSimpleFD(e, c, FDPidfd)
	case event.SyscallPidfdGetfdX:
		s.parsePidfdGetfdExit(e, c)
	case event.SyscallGetrlimitX, event.SyscallSetrlimitX:
		s.parseRlimitExit(e, c, et)
	case event.SyscallPrlimitX:
		s.parsePrlimitExit(e, c, et)
	case event.SocketSocketpairX:
		s.parseSocketpairExit(e, c)
	case event.SchedswitchV1E, event.SchedswitchV6E:
		s.parseContextSwitch(e, c)
	case event.SyscallBrkV4X, event.SyscallMmapX, event.SyscallMmap2X, event.SyscallMunmapX:
		if t := c.Thread; t != nil {
			if v, ok := e.Uint(1); ok {
				t.VMSizeKB = uint32(v)
			}
			if v, ok := e.Uint(2); ok {
				t.VMRSSKB = uint32(v)
			}
			if v, ok := e.Uint(3); ok {
				t.VMSwapKB = uint32(v)
			}
		}
	case event.SyscallSetresuidX, event.SyscallSetresgidX, event.SyscallSetuidX, event.SyscallSetgidX,
		event.SyscallSetreuidX, event.SyscallSetregidX:
		s.parseSetidExit(e, c, et)
	case event.SyscallChrootX:
		if t := c.Thread; t != nil {
			if res, ok := e.Int(0); ok && res == 0 {
				if p, ok := e.Str(1); ok {
					t.Root = string(p)
				}
			}
		}
	case event.SyscallSetsidX:
		if t := c.Thread; t != nil {
			if res, ok := e.Int(0); ok && res >= 0 {
				t.Sid = res
			}
		}
	case event.SocketGetsockoptX:
		if t := c.Thread; t != nil && e.NParams() > 1 {
			if fd, ok := e.Int(1); ok {
				if m := s.MainThread(t); m != nil {
					c.FD = s.getFD(m, fd)
				}
				t.LastEventFD = fd
			}
		}
	case event.SyscallCapsetX:
		if t := c.Thread; t != nil {
			if res, ok := e.Int(0); ok && res >= 0 {
				if v, ok := e.Uint(1); ok {
					t.CapInheritable = v
				}
				if v, ok := e.Uint(2); ok {
					t.CapPermitted = v
				}
				if v, ok := e.Uint(3); ok {
					t.CapEffective = v
				}
			}
		}
	case event.SyscallPrctlX:
		s.parsePrctlExit(e, c)
	case event.SyscallCloseRangeX:
		s.parseCloseRangeExit(e, c)
	case event.UserAddedE, event.UserDeletedE:
		s.parseUserEvt(e, et)
	case event.GroupAddedE, event.GroupDeletedE:
		s.parseGroupEvt(e, et)
	}
}

// fcntl commands (PPM_FCNTL_*) that duplicate a descriptor.
const (
	fcntlDupfd        = 1
	fcntlDupfdCloexec = 26
)
