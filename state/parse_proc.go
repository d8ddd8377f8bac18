package state

import (
	"bytes"
	"strings"

	"github.com/syscope/syscope/event"
)

// cloneStaleNs is how old a thread's clone may be before a child-side clone
// exit for the same tid is taken as a reused tid.
const cloneStaleNs = 2_000_000_000

// cloneLayout gives, per clone/fork event version, the indices of the
// parameters whose position moved between versions (-1: absent).
type cloneLayout struct {
	flags, uid, gid, comm, cgroups, vtid, vpid int
	vm                                         bool // pgft_maj .. vm_swap at 8..12
}

func cloneLayoutOf(et event.Type) cloneLayout {
	switch et {
	case event.SyscallCloneV11X:
		return cloneLayout{flags: 8, uid: 9, gid: 10, comm: -1, cgroups: -1, vtid: -1, vpid: -1}
	case event.SyscallCloneV16X, event.SyscallForkX, event.SyscallVforkX:
		return cloneLayout{flags: 13, uid: 14, gid: 15, comm: -1, cgroups: -1, vtid: -1, vpid: -1, vm: true}
	case event.SyscallCloneV17X, event.SyscallForkV17X, event.SyscallVforkV17X:
		return cloneLayout{flags: 14, uid: 15, gid: 16, comm: 13, cgroups: -1, vtid: -1, vpid: -1, vm: true}
	}
	return cloneLayout{flags: 15, uid: 16, gid: 17, comm: 13, cgroups: 14, vtid: 18, vpid: 19, vm: true}
}

// parseCloneExit handles both sides of clone/fork/vfork/clone3: the parent
// side creates the child from the parent's data unless the child side was
// seen first; the child side creates the child when the parent side was
// missed (an "inverted" clone) or runs in another pid namespace.
func (s *State) parseCloneExit(e *event.Event, c *Ctx, et event.Type) {
	lay := cloneLayoutOf(et)
	tid := e.Tid()
	childTid, ok := e.Int(0)
	if !ok {
		s.stats.ParseErrors++
		return
	}
	fl, ok := e.Uint(lay.flags)
	if !ok {
		s.stats.ParseErrors++
		return
	}
	flags := uint32(fl)
	if childTid < 0 {
		return
	}
	vtid, vpid := tid, int64(-1)
	if lay.vtid >= 0 {
		if v, ok := e.Int(lay.vtid); ok {
			vtid = v
		}
		if v, ok := e.Int(lay.vpid); ok {
			vpid = v
		}
	}
	inContainer := flags&CloneChildInPIDNS != 0 || tid != vtid
	inverted := false
	if childTid == 0 {
		t := c.Thread
		if t != nil && t.CloneTs != 0 && e.Ts()-t.CloneTs > cloneStaleNs {
			s.removeThread(tid, true)
			c.Thread, c.FD = nil, nil
			t = nil
		}
		pidx := 5
		if flags&CloneThread != 0 {
			pidx = 4
		}
		parentTid, _ := e.Int(pidx)
		if t != nil {
			if inContainer {
				t.VTid, t.VPid = vtid, vpid
			}
			return
		}
		inverted = true
		childTid = tid
		tid = parentTid
	} else if inContainer {
		return
	}

	pt, _ := s.lookupOrCreate(tid)
	if pt == nil {
		return
	}
	validParent := !(pt.Comm == "<NA>" && pt.UID == 0xffffffff)
	collision := false
	if child := s.threads[childTid]; child != nil {
		if child.Flags&CloneInverted != 0 {
			return
		}
		s.removeThread(childTid, true)
		collision = true
	}

	nt := s.newThread()
	nt.Tid, nt.PTid = childTid, tid
	exe, _ := e.Str(1)
	args, _ := e.Param(2)
	comm := exe
	if lay.comm >= 0 {
		comm, _ = e.Str(lay.comm)
	}
	if validParent {
		nt.Comm, nt.Exe, nt.ExePath, nt.ExeWritable = pt.Comm, pt.Exe, pt.ExePath, pt.ExeWritable
		nt.inheritExe(pt)
		nt.Args = append(nt.Args[:0], pt.Args...)
		nt.Root, nt.Sid, nt.VPgid, nt.Tty, nt.LoginUID = pt.Root, pt.Sid, pt.VPgid, pt.Tty, pt.LoginUID
		nt.CapPermitted, nt.CapInheritable, nt.CapEffective = pt.CapPermitted, pt.CapInheritable, pt.CapEffective
		if flags&CloneThread == 0 {
			nt.Env = append(nt.Env[:0], pt.Env...)
		}
	} else {
		// the caller is a placeholder: look it up again (a new
		// placeholder in a capture) and fill both from the event
		s.removeThread(tid, true)
		collision = true
		pt, _ = s.lookupOrCreate(tid)
		if pt == nil {
			s.freeThread(nt)
			return
		}
		if pt.Comm != "<NA>" && pt.UID != 0xffffffff {
			nt.Comm, nt.Exe, nt.ExePath = pt.Comm, pt.Exe, pt.ExePath
			nt.inheritExe(pt)
			nt.Args = append(nt.Args[:0], pt.Args...)
			nt.Root, nt.Sid, nt.VPgid, nt.Tty, nt.LoginUID = pt.Root, pt.Sid, pt.VPgid, pt.Tty, pt.LoginUID
			if flags&CloneThread == 0 {
				nt.Env = append(nt.Env[:0], pt.Env...)
			}
		} else {
			nt.Exe = string(exe)
			nt.Comm = string(comm)
			nt.Args = setArgs(nt.Args[:0], args)
			pt.Comm, pt.Exe, pt.ExePath = nt.Comm, nt.Exe, nt.ExePath
			pt.Args = setArgs(pt.Args[:0], args)
		}
	}

	if v, ok := e.Int(4); ok {
		nt.Pid = v
	}
	nt.Flags = flags
	if flags&CloneThread == 0 {
		nt.Pid = childTid
		if src := s.fdTableOf(pt); src != nil {
			nt.fds.copyFrom(src)
		}
		if m := s.MainThread(pt); m != nil {
			nt.cwd = m.cwd
		}
	}
	if inverted {
		nt.Flags |= CloneInverted
	}
	nt.Exe = string(exe)
	nt.Comm = string(comm)
	nt.Args = setArgs(nt.Args[:0], args)
	if v, ok := e.Int(7); ok {
		nt.FDLimit = v
	}
	if lay.vm {
		if v, ok := e.Uint(8); ok {
			nt.PFMajor = v
		}
		if v, ok := e.Uint(9); ok {
			nt.PFMinor = v
		}
		if v, ok := e.Uint(10); ok {
			nt.VMSizeKB = uint32(v)
		}
		if v, ok := e.Uint(11); ok {
			nt.VMRSSKB = uint32(v)
		}
		if v, ok := e.Uint(12); ok {
			nt.VMSwapKB = uint32(v)
		}
	}
	if v, ok := e.Uint(lay.uid); ok {
		nt.UID = uint32(v)
	}
	if v, ok := e.Uint(lay.gid); ok {
		nt.GID = uint32(v)
	}
	if inContainer {
		nt.VTid, nt.VPid = vtid, vpid
	} else {
		nt.VTid, nt.VPid = nt.Tid, nt.Pid
	}
	if lay.cgroups >= 0 {
		if p, ok := e.Param(lay.cgroups); ok {
			nt.Cgroups = setCgroups(nt.Cgroups, p)
		}
	}
	nt.CloneTs = e.Ts()
	// The pid namespace's start: the machine's boot for a child in the
	// caller's namespace, else the driver's value (monotonic, made an
	// epoch time with the boot time) when it has one.
	nt.PidnsInitStartTs = s.bootTs
	if inverted && (flags&(CloneChildInPIDNS|CloneNewPID) != 0 || nt.Tid != nt.VTid) {
		if v, ok := e.Uint(20); ok {
			nt.PidnsInitStartTs = v + s.bootTs
		}
	}
	if !s.addThread(nt, false) {
		s.freeThread(nt)
	}
	if collision {
		// the event's own thread may have been replaced: look it up again
		c.Thread, c.FD = s.lookup(e.Tid()), nil
	}
}

// inheritExe copies the executable details (overlay and memfd flags,
// inode data) and the host process group a child takes from its caller.
func (t *Thread) inheritExe(p *Thread) {
	t.Pgid = p.Pgid
	t.ExeUpperLayer, t.ExeLowerLayer, t.ExeFromMemfd = p.ExeUpperLayer, p.ExeLowerLayer, p.ExeFromMemfd
	t.ExeIno, t.ExeInoCtime, t.ExeInoMtime = p.ExeIno, p.ExeInoCtime, p.ExeInoMtime
	t.ExeCtimeToClone = p.ExeCtimeToClone
}

// setArgs splits a NUL-separated argument buffer.
func setArgs(dst []string, b []byte) []string {
	for len(b) > 0 {
		j := bytes.IndexByte(b, 0)
		if j < 0 {
			dst = append(dst, string(b))
			break
		}
		dst = append(dst, string(b[:j]))
		b = b[j+1:]
	}
	return dst
}

// setEnv splits an environment buffer, stopping at an all-NUL tail.
func setEnv(dst []string, b []byte) []string {
	for len(b) > 0 {
		if b[0] == 0 {
			allZero := true
			for _, c := range b {
				if c != 0 {
					allZero = false
					break
				}
			}
			if allZero {
				return dst
			}
		}
		j := bytes.IndexByte(b, 0)
		if j < 0 {
			dst = append(dst, string(b))
			break
		}
		dst = append(dst, string(b[:j]))
		b = b[j+1:]
	}
	return dst
}

// setCgroups parses "subsys=path" entries; on a malformed entry the old
// list is kept, as sinsp does.
func setCgroups(old []Cgroup, b []byte) []Cgroup {
	var out []Cgroup
	for len(b) > 0 {
		j := bytes.IndexByte(b, 0)
		str := b
		next := len(b)
		if j >= 0 {
			str, next = b[:j], j+1
		}
		k := bytes.LastIndexByte(str, '=')
		if k < 0 {
			return old
		}
		subsys := string(str[:k])
		if p := strings.Index(subsys, "_cgroup"); p >= 0 {
			subsys = subsys[:p] + subsys[p+len("_cgroup"):]
		}
		switch subsys {
		case "perf":
			subsys = "perf_event"
		case "mem":
			subsys = "memory"
		case "io":
			subsys = "blkio"
		}
		out = append(out, Cgroup{Subsys: subsys, Path: string(str[k+1:])})
		b = b[next:]
	}
	return out
}

// parseExecveEnter stores the enter and, when a non-leader thread execs,
// notes it on the leader so the exit can drop the vanished thread.
func (s *State) parseExecveEnter(e *event.Event, c *Ctx) {
	s.storeEnter(e, c)
	t := c.Thread
	if t == nil {
		return
	}
	m, _ := s.lookupOrCreate(t.Pid)
	if m == nil || m.Tid == t.Tid {
		return
	}
	m.execEnter = t.Tid
}

func (s *State) parseExecveExit(e *event.Event, c *Ctx, et event.Type) {
	if !succeeded(e) {
		return
	}
	t := c.Thread
	if t == nil {
		return
	}
	if exe, ok := e.Str(1); ok {
		t.Exe = string(exe)
	}
	switch et {
	case event.SyscallExecveV8X, event.SyscallExecveV13X, event.SyscallExecveV14X:
		t.Comm = t.Exe
	default:
		if comm, ok := e.Str(13); ok {
			t.Comm = string(comm)
		}
	}
	if args, ok := e.Param(2); ok {
		t.Args = setArgs(t.Args[:0], args)
	}
	if v, ok := e.Int(4); ok {
		t.Pid = v
	}
	if t.PTid == -1 {
		if v, ok := e.Int(5); ok {
			t.PTid = v
		}
	}
	if v, ok := e.Int(7); ok {
		t.FDLimit = v
	}
	if et != event.SyscallExecveV8X {
		if v, ok := e.Uint(8); ok {
			t.PFMajor = v
		}
		if v, ok := e.Uint(9); ok {
			t.PFMinor = v
		}
		if v, ok := e.Uint(10); ok {
			t.VMSizeKB = uint32(v)
		}
		if v, ok := e.Uint(11); ok {
			t.VMRSSKB = uint32(v)
		}
		if v, ok := e.Uint(12); ok {
			t.VMSwapKB = uint32(v)
		}
	}
	switch et {
	case event.SyscallExecveV14X:
		if p, ok := e.Param(13); ok {
			t.Env = setEnv(t.Env[:0], p)
		}
	case event.SyscallExecveV15X:
		if p, ok := e.Param(14); ok {
			t.Env = setEnv(t.Env[:0], p)
		}
	case event.SyscallExecveV16X, event.SyscallExecveV17X, event.SyscallExecveV18X,
		event.SyscallExecveV19X, event.SyscallExecveatX:
		if p, ok := e.Param(15); ok {
			t.Env = setEnv(t.Env[:0], p)
		}
		if p, ok := e.Param(14); ok {
			t.Cgroups = setCgroups(t.Cgroups, p)
		}
	}
	switch et {
	case event.SyscallExecveV17X, event.SyscallExecveV18X, event.SyscallExecveV19X, event.SyscallExecveatX:
		if v, ok := e.Int(16); ok {
			t.Tty = int32(v)
		}
	}
	if et == event.SyscallExecveV18X || et == event.SyscallExecveV19X || et == event.SyscallExecveatX {
		if ee := s.retrieveEnter(c, et); ee != nil {
			s.name = s.execPath(s.name[:0], c, t, ee)
			t.ExePath = string(s.name)
		} else if p, ok := e.Str(27); ok && len(p) > 0 {
			// Exit-only capture (the live driver): the kernel's own path
			// of the new executable.
			t.ExePath = string(p)
		} else if p, ok := e.Str(1); ok && len(p) > 0 && p[0] == '/' {
			t.ExePath = string(p)
		}
	}
	if et == event.SyscallExecveV19X || et == event.SyscallExecveatX {
		if v, ok := e.Int(17); ok {
			t.VPgid = v
		}
	}
	n := e.NParams()
	if n > 18 {
		if v, ok := e.Uint(18); ok {
			t.LoginUID = uint32(v)
		}
	}
	if n > 19 {
		if v, ok := e.Uint(19); ok {
			t.ExeWritable = v&exeWritable != 0
			t.ExeUpperLayer = v&exeUpperLayer != 0
			t.ExeFromMemfd = v&exeFromMemfd != 0
			t.ExeLowerLayer = v&exeLowerLayer != 0
		}
	}
	if n > 25 {
		if mt, ok := e.Uint(25); ok {
			ino, _ := e.Uint(23)
			ct, _ := e.Uint(24)
			t.ExeIno, t.ExeInoCtime, t.ExeInoMtime = ino, ct, mt
			if t.CloneTs != 0 {
				t.ExeCtimeToClone = t.CloneTs - ct
			}
			if t.PidnsInitStartTs != 0 && ct > t.PidnsInitStartTs {
				t.ExeCtimeFromPidns = ct - t.PidnsInitStartTs
			}
		}
	}
	// current drivers send the host process group; without it the
	// group is unknown
	t.Pgid = -1
	if n > 28 {
		if v, ok := e.Int(28); ok {
			t.Pgid = v
		}
	}
	if n > 22 && (et == event.SyscallExecveV19X || et == event.SyscallExecveatX) {
		if v, ok := e.Uint(20); ok {
			t.CapInheritable = v
		}
		if v, ok := e.Uint(21); ok {
			t.CapPermitted = v
		}
		if v, ok := e.Uint(22); ok {
			t.CapEffective = v
		}
	}
	keep := t.Flags & (pplClPipeSrc | pplClPipeDst | ThreadIsMainThread)
	inv := t.Flags & CloneInverted
	t.Flags = ThreadActive | keep | inv | pplClNameChanged
	t.ExecTs = e.Ts()
	t.Incomplete = false
	if t.execEnter != -1 {
		s.removeTid = t.execEnter
		t.execEnter = -1
	}
	if s.opts.Modern {
		t.NChildren = 0
	}
}

// execPath builds proc.exepath from the execve/execveat enter event.
func (s *State) execPath(dst []byte, c *Ctx, t *Thread, ee *event.Event) []byte {
	switch ee.Type() {
	case event.SyscallExecveV18E, event.SyscallExecveV19E:
		p, ok := ee.Param(0)
		if !ok {
			return append(dst, "<NA>"...)
		}
		name := cstr(p)
		if string(name) == "<NA>" {
			return append(dst, "<NA>"...)
		}
		return appendJoin(dst, []byte(t.cwd), name, len(p))
	case event.SyscallExecveatE:
		dirfd, _ := ee.Int(0)
		fl, _ := ee.Uint(2)
		p, _ := ee.Param(1)
		name := cstr(p)
		s.dir = s.parseDirfd(s.dir[:0], c, t, name, dirfd)
		const emptyPath = 1
		if (fl&emptyPath == 0 && string(name) == "<NA>") || string(s.dir) == "<UNKNOWN>" {
			return append(dst, "<NA>"...)
		}
		if fl&emptyPath != 0 {
			return appendJoin(dst, nil, s.dir, len(s.dir))
		}
		return appendJoin(dst, s.dir, name, len(p))
	}
	return dst
}

// setCwd sets the process's working directory (kept on the leader) to the
// join of the current one and p, with a trailing slash.
func (s *State) setCwd(t *Thread, p []byte, rawLen int) {
	m := s.MainThread(t)
	if m == nil {
		return
	}
	s.dir = appendJoin(s.dir[:0], []byte(m.cwd), p, rawLen)
	if len(s.dir) == 0 || s.dir[len(s.dir)-1] != '/' {
		s.dir = append(s.dir, '/')
	}
	if string(s.dir) != m.cwd {
		m.cwd = string(s.dir)
	}
}

func (s *State) parseSetidExit(e *event.Event, c *Ctx, et event.Type) {
	if !succeeded(e) {
		return
	}
	t := c.Thread
	if t == nil {
		return
	}
	// the value sinsp takes from the enter event, and where the exit of
	// newer drivers carries it
	var enterIdx, exitIdx int
	user := true
	switch et {
	case event.SyscallSetresuidX:
		enterIdx, exitIdx = 1, 2
	case event.SyscallSetresgidX:
		enterIdx, exitIdx, user = 1, 2, false
	case event.SyscallSetuidX:
		enterIdx, exitIdx = 0, 1
	case event.SyscallSetgidX:
		enterIdx, exitIdx, user = 0, 1, false
	case event.SyscallSetreuidX:
		enterIdx, exitIdx = -1, 2
	case event.SyscallSetregidX:
		enterIdx, exitIdx, user = -1, 2, false
	}
	var v uint64
	got := false
	if enterIdx >= 0 {
		if ee := s.retrieveEnter(c, et); ee != nil {
			v, got = ee.Uint(enterIdx)
		} else if !c.Thread.enterValid {
			v, got = e.Uint(exitIdx)
		}
	} else {
		v, got = e.Uint(exitIdx)
	}
	if !got {
		return
	}
	id := uint32(v)
	if et != event.SyscallSetuidX && et != event.SyscallSetgidX && id == 0xffffffff {
		return
	}
	if user {
		t.UID = id
	} else {
		t.GID = id
	}
}

func (s *State) parseRlimitExit(e *event.Event, c *Ctx, et event.Type) {
	t := c.Thread
	if t == nil {
		return
	}
	if !succeeded(e) {
		return
	}
	var (
		resource uint64
		ok       bool
	)
	if ee := s.retrieveEnter(c, et); ee != nil {
		resource, ok = ee.Uint(0)
	} else if !t.enterValid {
		resource, ok = e.Uint(3)
	} else {
		return
	}
	if !ok || resource != rlimitNofile {
		return
	}
	cur, ok := e.Int(1)
	if !ok || cur == -1 {
		return
	}
	if m := s.MainThread(t); m != nil {
		m.FDLimit = cur
	}
}

func (s *State) parsePrlimitExit(e *event.Event, c *Ctx, et event.Type) {
	if !succeeded(e) {
		return
	}
	var (
		resource uint64
		ok       bool
	)
	var pid int64
	if ee := s.retrieveEnter(c, et); ee != nil {
		resource, ok = ee.Uint(1)
		pid, _ = ee.Int(0)
	} else if c.Thread != nil && !c.Thread.enterValid {
		resource, ok = e.Uint(6)
		pid, _ = e.Int(5)
	} else {
		return
	}
	if !ok || resource != rlimitNofile {
		return
	}
	cur, ok := e.Int(1)
	if !ok || cur == -1 {
		return
	}
	if pid == 0 {
		pid = e.Tid()
	}
	pt, _ := s.lookupOrCreate(pid)
	if pt == nil {
		return
	}
	if m := s.MainThread(pt); m != nil {
		m.FDLimit = cur
	}
}

const rlimitNofile = 7

func (s *State) parseContextSwitch(e *event.Event, c *Ctx) {
	t := c.Thread
	if t == nil || e.NParams() < 6 {
		return
	}
	if v, ok := e.Uint(1); ok {
		t.PFMajor = v
	}
	if v, ok := e.Uint(2); ok {
		t.PFMinor = v
	}
	m := t.Main()
	if m == nil {
		m, _ = s.lookupOrCreate(t.Pid)
	}
	if m == nil {
		return
	}
	if v, ok := e.Uint(3); ok {
		m.VMSizeKB = uint32(v)
	}
	if v, ok := e.Uint(4); ok {
		m.VMRSSKB = uint32(v)
	}
	if v, ok := e.Uint(5); ok {
		m.VMSwapKB = uint32(v)
	}
}

// prctl options state follows.
const prSetChildSubreaper = 36

func (s *State) parsePrctlExit(e *event.Event, c *Ctx) {
	t := c.Thread
	if t == nil {
		return
	}
	if !succeeded(e) {
		return
	}
	opt, ok := e.Uint(1)
	if !ok {
		return
	}
	// The driver's prctl option enum numbers PR_SET_CHILD_SUBREAPER as
	// the kernel does.
	if opt == prSetChildSubreaper {
		v, _ := e.Int(3)
		if m := t.Main(); m != nil {
			m.ChildSubreaper = v != 0
		}
	}
}

func (s *State) parseUnshareSetnsExit(e *event.Event, c *Ctx, et event.Type) {
	t := c.Thread
	if t == nil {
		return
	}
	if !succeeded(e) {
		return
	}
	var flags uint64
	idx := 0
	if et == event.SyscallSetnsX {
		idx = 1
	}
	if ee := s.retrieveEnter(c, et); ee != nil {
		flags, _ = ee.Uint(idx)
	} else if !t.enterValid {
		flags, _ = e.Uint(idx + 1)
	}
	if uint32(flags)&CloneNewUser != 0 {
		t.CapInheritable, t.CapPermitted, t.CapEffective = maxCaps, maxCaps, maxCaps
	}
}

// maxCaps is every capability bit of the running kernel's highest
// capability (CAP_CHECKPOINT_RESTORE, 40) set.
const maxCaps = (1 << 41) - 1

func (s *State) parseUserEvt(e *event.Event, et event.Type) {
	uid, ok1 := e.Uint(0)
	gid, ok2 := e.Uint(1)
	if !ok1 || !ok2 {
		s.stats.ParseErrors++
		return
	}
	if cid, _ := e.Str(5); len(cid) != 0 {
		return // container users are not tracked
	}
	if et == event.UserDeletedE {
		delete(s.users, uint32(uid))
		return
	}
	name, _ := e.Str(2)
	home, _ := e.Str(3)
	shell, _ := e.Str(4)
	s.AddUser(User{UID: uint32(uid), GID: uint32(gid), Name: string(name), HomeDir: string(home), Shell: string(shell)})
}

func (s *State) parseGroupEvt(e *event.Event, et event.Type) {
	gid, ok := e.Uint(0)
	if !ok {
		s.stats.ParseErrors++
		return
	}
	if cid, _ := e.Str(2); len(cid) != 0 {
		return
	}
	if et == event.GroupDeletedE {
		delete(s.groups, uint32(gid))
		return
	}
	name, _ := e.Str(1)
	s.AddGroup(Group{GID: uint32(gid), Name: string(name)})
}
