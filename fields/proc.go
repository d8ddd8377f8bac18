package fields

import (
	"strconv"
	"sync/atomic"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/filter"
	"github.com/syscope/syscope/state"
)

// thread returns the event's thread, or nil.
func thread(c Ctx) *state.Thread {
	if c == nil {
		return nil
	}
	return c.Thread
}

// appendCmdline appends t's name followed by its arguments, space
// separated (proc.cmdline).
func appendCmdline(dst []byte, t *state.Thread) []byte {
	dst = append(dst, t.Comm...)
	for _, a := range t.Args {
		dst = append(dst, ' ')
		dst = append(dst, a...)
	}
	return dst
}

// appendArgs appends t's arguments, space separated (proc.args).
func appendArgs(dst []byte, t *state.Thread) []byte {
	for i, a := range t.Args {
		if i > 0 {
			dst = append(dst, ' ')
		}
		dst = append(dst, a...)
	}
	return dst
}

// appendEnv appends the environment of t's process (its main thread's),
// space separated.
func appendEnv(dst []byte, t *state.Thread) []byte {
	for i, a := range mainOf(t).Env {
		if i > 0 {
			dst = append(dst, ' ')
		}
		dst = append(dst, a...)
	}
	return dst
}

// envValue returns the value of variable name in t's environment.
func envValue(t *state.Thread, name string) (string, bool) {
	for _, kv := range mainOf(t).Env {
		if len(kv) > len(name) && kv[len(name)] == '=' && kv[:len(name)] == name {
			return kv[len(name)+1:], true
		}
	}
	return "", false
}

var capNames = [...]string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
	"CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
	"CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
	"CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
	"CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
	"CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
	"CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE",
	"CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
	"CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
}

// appendCaps appends the names of the capabilities set in mask.
func appendCaps(dst []byte, mask uint64) []byte {
	first := true
	for i, n := range capNames {
		if mask&(1<<uint(i)) == 0 {
			continue
		}
		if !first {
			dst = append(dst, ' ')
		}
		dst = append(dst, n...)
		first = false
	}
	return dst
}

// procStr builds a string field read from the event's thread.
func procStr(get func(t *state.Thread) string) func(*Binding) (*Extractor, error) {
	return func(*Binding) (*Extractor, error) {
		return strX(func(c Ctx) (string, bool) {
			t := thread(c)
			if t == nil {
				return "", false
			}
			return get(t), true
		}), nil
	}
}

// procAppend builds a string field appended from the event's thread.
func procAppend(app func(dst []byte, t *state.Thread) []byte) func(*Binding) (*Extractor, error) {
	return func(*Binding) (*Extractor, error) {
		return appendX(func(dst []byte, c Ctx) ([]byte, bool) {
			t := thread(c)
			if t == nil {
				return dst, false
			}
			return app(dst, t), true
		}), nil
	}
}

func procInt(get func(t *state.Thread) (int64, bool)) func(*Binding) (*Extractor, error) {
	return func(*Binding) (*Extractor, error) {
		return intX(func(c Ctx) (int64, bool) {
			t := thread(c)
			if t == nil {
				return 0, false
			}
			return get(t)
		}), nil
	}
}

func procUint(get func(t *state.Thread) (uint64, bool)) func(*Binding) (*Extractor, error) {
	return func(b *Binding) (*Extractor, error) {
		x := uintX(func(c Ctx) (uint64, bool) {
			t := thread(c)
			if t == nil {
				return 0, false
			}
			return get(t)
		})
		x.Field.Info.Type = b.Def.Type
		return x, nil
	}
}

func procBool(get func(t *state.Thread) bool) func(*Binding) (*Extractor, error) {
	return func(*Binding) (*Extractor, error) {
		return boolX(func(c Ctx) (bool, bool) {
			t := thread(c)
			if t == nil {
				return false, false
			}
			return get(t), true
		}), nil
	}
}

// parentOf returns the process that created t's process, following the
// rule of the compatibility mode: sysdig 0.29.3 looks up the thread's own
// parent id, current libsinsp the parent of the thread group leader.
func parentOf(env *Env, t *state.Thread) *state.Thread {
	if env.State == nil || t == nil {
		return nil
	}
	if env.Compat == Sysdig029 {
		return env.State.ParentOf(t)
	}
	return env.State.Ancestor(t, 1)
}

// mainOf returns t's thread group leader, or t when the leader is unknown.
func mainOf(t *state.Thread) *state.Thread {
	if m := t.Main(); m != nil {
		return m
	}
	return t
}

// ancestorFields builds a field over t's process ancestry: with an index n
// the n-th ancestor (0 is the process itself); without one, in filters,
// any ancestor (parents only); in output, sysdig 0.29.3 prints the process's
// own value and current libsinsp every ancestor's, space separated.
type ancestorGetter struct {
	str func(dst []byte, t *state.Thread) []byte
	num func(t *state.Thread) (int64, bool)
}

func ancestorField(g ancestorGetter) func(*Binding) (*Extractor, error) {
	return func(b *Binding) (*Extractor, error) {
		env := b.Env
		at := func(c Ctx, n int) *state.Thread {
			t := thread(c)
			if t == nil || env.State == nil {
				if n == 0 && t != nil {
					return mainOf(t)
				}
				return nil
			}
			return env.State.Ancestor(t, n)
		}
		if b.Index >= 0 {
			n := b.Index
			if g.num != nil {
				return intX(func(c Ctx) (int64, bool) {
					a := at(c, n)
					if a == nil {
						return 0, false
					}
					return g.num(a)
				}), nil
			}
			return appendX(func(dst []byte, c Ctx) ([]byte, bool) {
				a := at(c, n)
				if a == nil {
					return dst, false
				}
				return g.str(dst, a), true
			}), nil
		}
		// No index: several values.
		var chain []*state.Thread
		var scratch []byte
		collect := func(c Ctx) int {
			chain = chain[:0]
			t := thread(c)
			if t == nil {
				return -1
			}
			if env.State != nil {
				env.State.ForEachAncestor(mainOf(t), func(p *state.Thread) bool {
					chain = append(chain, p)
					return len(chain) < 4096
				})
			}
			return len(chain)
		}
		x := &Extractor{Field: filter.Field[Ctx]{
			Info: filter.FieldInfo{Type: b.Def.Type, Arity: filter.AnyValue},
			Len:  collect,
		}}
		if g.num != nil {
			x.Field.Int = func(c Ctx, i int) (int64, bool) {
				if i >= len(chain) {
					return 0, false
				}
				return g.num(chain[i])
			}
		} else {
			x.Field.Str = func(c Ctx, i int) (string, bool) {
				if i >= len(chain) {
					return "", false
				}
				scratch = g.str(scratch[:0], chain[i])
				return bytesToString(scratch), true
			}
		}
		x.text = func(dst []byte, c Ctx) ([]byte, bool) {
			t := thread(c)
			if t == nil {
				return dst, false
			}
			if env.Compat == Sysdig029 {
				m := mainOf(t)
				if g.num != nil {
					v, ok := g.num(m)
					if !ok {
						return dst, false
					}
					return strconv.AppendInt(dst, v, 10), true
				}
				return g.str(dst, m), true
			}
			n := collect(c)
			if n <= 0 {
				return dst, false
			}
			for i, p := range chain {
				if i > 0 {
					dst = append(dst, ' ')
				}
				if g.num != nil {
					v, _ := g.num(p)
					dst = strconv.AppendInt(dst, v, 10)
				} else {
					dst = g.str(dst, p)
				}
			}
			return dst, true
		}
		x.json = func(dst []byte, c Ctx) ([]byte, bool) {
			var ok bool
			scratch, ok = x.text(scratch[:0], c)
			if !ok {
				return dst, false
			}
			if g.num != nil && env.Compat == Sysdig029 {
				return append(dst, scratch...), true
			}
			return AppendJSONBytes(dst, scratch), true
		}
		return x, nil
	}
}

// groupLeader finds the process whose pid is id, or, when it is gone, the
// eldest ancestor of t that still has the same id (session or process
// group), as libsinsp names session and group leaders.
func groupLeader(env *Env, t *state.Thread, id func(*state.Thread) int64) *state.Thread {
	if t == nil {
		return nil
	}
	want := id(t)
	if env.State != nil {
		if l := env.State.Thread(want); l != nil {
			return l
		}
	}
	m := mainOf(t)
	if env.State != nil {
		env.State.ForEachAncestor(m, func(p *state.Thread) bool {
			if id(p) != want {
				return false
			}
			m = p
			return true
		})
	}
	return m
}

func leaderStr(id func(*state.Thread) int64, get func(dst []byte, t *state.Thread) []byte) func(*Binding) (*Extractor, error) {
	return func(b *Binding) (*Extractor, error) {
		env := b.Env
		return appendX(func(dst []byte, c Ctx) ([]byte, bool) {
			l := groupLeader(env, thread(c), id)
			if l == nil {
				return dst, false
			}
			return get(dst, l), true
		}), nil
	}
}

func sidOf(t *state.Thread) int64   { return t.Sid }
func vpgidOf(t *state.Thread) int64 { return t.VPgid }
func pgidOf(t *state.Thread) int64  { return t.Pgid }

func appendComm(dst []byte, t *state.Thread) []byte    { return append(dst, t.Comm...) }
func appendExe(dst []byte, t *state.Thread) []byte     { return append(dst, t.Exe...) }
func appendExePath(dst []byte, t *state.Thread) []byte { return append(dst, t.ExePath...) }

// stdFD builds proc.std{in,out,err}.{type,name}.
func stdFD(num int64, name bool) func(*Binding) (*Extractor, error) {
	return func(*Binding) (*Extractor, error) {
		return bytesStrX(func(c Ctx) ([]byte, bool) {
			t := thread(c)
			if t == nil {
				return nil, false
			}
			f := t.FD(num)
			if f == nil {
				return nil, false
			}
			if name {
				return f.Name, true
			}
			return []byte(f.Type.String()), true
		}), nil
	}
}

// perThreadCounter keeps a bounded per-thread value for fields that
// accumulate across events (thread.totexectime, thread.cpu). When full it
// starts over and counts the reset (see TableResets).
type perThreadCounter struct {
	m map[int64]uint64
}

// PerThreadMax bounds the per-thread tables of the fields that keep values
// across events.
const PerThreadMax = 65536

var tableResets atomic.Uint64

// TableResets returns how many times the per-thread table of a field that
// accumulates across events (thread.totexectime, thread.cpu) reached
// PerThreadMax threads and was cleared, losing the accumulated values.
func TableResets() uint64 { return tableResets.Load() }

func (p *perThreadCounter) get(tid int64) uint64 { return p.m[tid] }

func (p *perThreadCounter) set(tid int64, v uint64) {
	if p.m == nil {
		p.m = make(map[int64]uint64)
	}
	if _, ok := p.m[tid]; !ok && len(p.m) >= PerThreadMax {
		clear(p.m)
		tableResets.Add(1)
	}
	p.m[tid] = v
}

func procClass() *Class {
	tS := filter.TypeString
	tI := filter.TypeInt
	tU := filter.TypeUint
	tB := filter.TypeBool
	return &Class{
		Name: "process",
		Desc: "The process and thread that generated the event.",
		Fields: []Def{
			{Name: "proc.exe", Type: tS, Desc: "First command-line argument of the process (argv[0]), usually the executable name.", Bind: procStr(func(t *state.Thread) string { return t.Exe })},
			{Name: "proc.pexe", Type: tS, Desc: "proc.exe of the parent process.", Bind: parentStr(appendExe)},
			{Name: "proc.aexe", Type: tS, Flags: filter.FlagNoRHS | filter.FlagNoTransformer, Arg: ArgIndex, Desc: "proc.exe of an ancestor: [1] the parent, [2] the grandparent, [0] the process itself; without an index, any ancestor.", Bind: ancestorField(ancestorGetter{str: appendExe})},
			{Name: "proc.exepath", Type: tS, Desc: "Full path of the process's executable.", Bind: procStr(func(t *state.Thread) string { return t.ExePath })},
			{Name: "proc.pexepath", Type: tS, Desc: "proc.exepath of the parent process.", Bind: parentStr(appendExePath)},
			{Name: "proc.aexepath", Type: tS, Flags: filter.FlagNoRHS | filter.FlagNoTransformer, Arg: ArgIndex, Desc: "proc.exepath of an ancestor, by depth as in proc.aexe; without an index, any ancestor.", Bind: ancestorField(ancestorGetter{str: appendExePath})},
			{Name: "proc.name", Type: tS, Desc: "Name of the process (the kernel's comm, at most 16 characters).", Bind: func(*Binding) (*Extractor, error) {
				return strF(func(c Ctx, _ int) (string, bool) {
					if c == nil || c.Thread == nil {
						return "", false
					}
					return c.Thread.Comm, true
				}), nil
			}},
			{Name: "proc.pname", Type: tS, Desc: "proc.name of the parent process.", Bind: parentStr(appendComm)},
			{Name: "proc.aname", Type: tS, Flags: filter.FlagNoRHS | filter.FlagNoTransformer, Arg: ArgIndex, Desc: "proc.name of an ancestor, by depth as in proc.aexe; without an index, any ancestor.", Bind: ancestorField(ancestorGetter{str: appendComm})},
			{Name: "proc.args", Type: tS, Arg: ArgIndex, Desc: "Command-line arguments after argv[0], space separated; proc.args[N] is the N-th of them, from 0.", Bind: bindArgs},
			{Name: "proc.aargs", Type: tS, Arg: ArgIndex, Desc: "proc.args of an ancestor, by depth as in proc.aexe; without an index, any ancestor.", Bind: ancestorField(ancestorGetter{str: appendArgs})},
			{Name: "proc.cmdline", Type: tS, Desc: "proc.name followed by proc.args.", Bind: procAppend(appendCmdline)},
			{Name: "proc.pcmdline", Type: tS, Desc: "proc.cmdline of the parent process.", Bind: parentStr(appendCmdline)},
			{Name: "proc.acmdline", Type: tS, Flags: filter.FlagNoRHS | filter.FlagNoTransformer, Arg: ArgIndex, Desc: "proc.cmdline of an ancestor, by depth as in proc.aexe; without an index, any ancestor.", Bind: ancestorField(ancestorGetter{str: appendCmdline})},
			{Name: "proc.cmdnargs", Type: tU, Print: PrintDec, Desc: "Number of command-line arguments after argv[0].", Bind: procUint(func(t *state.Thread) (uint64, bool) { return uint64(len(t.Args)), true })},
			{Name: "proc.cmdlenargs", Type: tU, Print: PrintDec, Desc: "Total length in bytes of the command-line arguments after argv[0], separators excluded.", Bind: procUint(func(t *state.Thread) (uint64, bool) {
				n := 0
				for _, a := range t.Args {
					n += len(a)
				}
				return uint64(n), true
			})},
			{Name: "proc.exeline", Type: tS, Desc: "proc.exe followed by proc.args.", Bind: procAppend(func(dst []byte, t *state.Thread) []byte {
				dst = append(dst, t.Exe...)
				dst = append(dst, ' ')
				return appendArgs(dst, t)
			})},
			{Name: "proc.env", Type: tS, Arg: ArgKeyOpt, Desc: "Environment of the process, space separated; proc.env[NAME] is the value of one variable.", Bind: bindEnv},
			{Name: "proc.aenv", Type: tS, Flags: filter.FlagNoRHS | filter.FlagNoTransformer, Arg: ArgKeyOpt, Desc: "proc.env of an ancestor: proc.aenv[N] by depth, proc.aenv[NAME] the first ancestor that has that variable.", Bind: bindAEnv},
			{Name: "proc.cwd", Type: tS, Desc: "Current working directory of the process.", Bind: procStr(func(t *state.Thread) string { return t.Cwd() })},
			{Name: "proc.loginshellid", Type: tI, Print: PrintID, Desc: "Pid of the eldest shell (a name ending in \"sh\") among the process and its ancestors.", Bind: bindLoginShell},
			{Name: "proc.tty", Type: tU, Bits: 32, Print: PrintID, Desc: "Controlling terminal of the process, 0 when it has none.", Bind: procUint(func(t *state.Thread) (uint64, bool) { return uint64(uint32(t.Tty)), true })},
			{Name: "proc.pid", Type: tI, Print: PrintID, Desc: "Id of the process.", Bind: procInt(func(t *state.Thread) (int64, bool) { return t.Pid, true })},
			{Name: "proc.ppid", Type: tI, Print: PrintID, Desc: "Id of the parent process.", Bind: bindPPid},
			{Name: "proc.apid", Type: tI, Print: PrintID, Flags: filter.FlagNoRHS | filter.FlagNoTransformer, Arg: ArgIndex, Desc: "Pid of an ancestor, by depth as in proc.aexe; without an index, any ancestor.", Bind: ancestorField(ancestorGetter{num: func(t *state.Thread) (int64, bool) { return t.Pid, true }})},
			{Name: "proc.vpid", Type: tI, Print: PrintID, Desc: "Id of the process in its pid namespace.", Bind: procInt(func(t *state.Thread) (int64, bool) { return t.VPid, t.VPid != -1 })},
			{Name: "proc.pvpid", Type: tI, Print: PrintID, Desc: "Id of the parent process in its pid namespace.", Bind: func(b *Binding) (*Extractor, error) {
				env := b.Env
				return intX(func(c Ctx) (int64, bool) {
					t := thread(c)
					if t == nil || env.State == nil {
						return 0, false
					}
					p := env.State.Thread(t.PTid)
					if p == nil {
						return 0, false
					}
					return p.VPid, true
				}), nil
			}},
			{Name: "proc.sid", Type: tI, Print: PrintID, Desc: "Session id of the process.", Bind: procInt(func(t *state.Thread) (int64, bool) { return t.Sid, true })},
			{Name: "proc.sname", Type: tS, Desc: "proc.name of the session leader (the process whose pid is the session id, or the eldest ancestor in the same session).", Bind: leaderStr(sidOf, appendComm)},
			{Name: "proc.sid.exe", Type: tS, Desc: "proc.exe of the session leader.", Bind: leaderStr(sidOf, appendExe)},
			{Name: "proc.sid.exepath", Type: tS, Desc: "proc.exepath of the session leader.", Bind: leaderStr(sidOf, appendExePath)},
			{Name: "proc.vpgid", Type: tI, Print: PrintID, Desc: "Process group id of the process, in its pid namespace.", Bind: procInt(func(t *state.Thread) (int64, bool) { return t.VPgid, true })},
			{Name: "proc.vpgid.name", Type: tS, Desc: "proc.name of the process group leader.", Bind: leaderStr(vpgidOf, appendComm)},
			{Name: "proc.vpgid.exe", Type: tS, Desc: "proc.exe of the process group leader.", Bind: leaderStr(vpgidOf, appendExe)},
			{Name: "proc.vpgid.exepath", Type: tS, Desc: "proc.exepath of the process group leader.", Bind: leaderStr(vpgidOf, appendExePath)},
			{Name: "proc.pgid", Type: tI, Print: PrintID, Desc: "Process group id of the process, in the host pid namespace (-1 when unknown).", Bind: procInt(func(t *state.Thread) (int64, bool) { return t.Pgid, true })},
			{Name: "proc.pgid.name", Type: tS, Desc: "proc.name of the process group leader (the process whose pid is proc.pgid, or the eldest ancestor in the same group).", Bind: leaderStr(pgidOf, appendComm)},
			{Name: "proc.pgid.exe", Type: tS, Desc: "proc.exe of the process group leader.", Bind: leaderStr(pgidOf, appendExe)},
			{Name: "proc.pgid.exepath", Type: tS, Desc: "proc.exepath of the process group leader.", Bind: leaderStr(pgidOf, appendExePath)},
			{Name: "proc.duration", Type: filter.TypeRelTime, Print: PrintDec, Desc: "Nanoseconds since the process was created (unknown for processes that predate the capture).", Bind: bindDuration(false)},
			{Name: "proc.ppid.duration", Type: filter.TypeRelTime, Print: PrintDec, Desc: "Nanoseconds since the parent process was created.", Bind: bindDuration(true)},
			{Name: "proc.pid.ts", Type: filter.TypeRelTime, Print: PrintDec, Desc: "Time the process was created, in nanoseconds since the epoch.", Bind: procUint(func(t *state.Thread) (uint64, bool) { return t.CloneTs, t.CloneTs != 0 })},
			{Name: "proc.ppid.ts", Type: filter.TypeRelTime, Print: PrintDec, Desc: "Time the parent process was created, in nanoseconds since the epoch.", Bind: func(b *Binding) (*Extractor, error) {
				env := b.Env
				return typed(uintX(func(c Ctx) (uint64, bool) {
					t := thread(c)
					if t == nil || env.State == nil {
						return 0, false
					}
					p := env.State.Thread(t.PTid)
					if p == nil {
						return 0, false
					}
					return p.CloneTs, true
				}), filter.TypeRelTime), nil
			}},
			{Name: "proc.is_exe_writable", Type: tB, Desc: "Whether the executable file is writable by the process's user.", Bind: procBool(func(t *state.Thread) bool { return t.ExeWritable })},
			{Name: "proc.is_exe_upper_layer", Type: tB, Desc: "Whether the executable is on the upper layer of an overlayfs (written inside the container rather than shipped in its image).", Bind: procBool(func(t *state.Thread) bool { return t.ExeUpperLayer })},
			{Name: "proc.is_exe_lower_layer", Type: tB, Desc: "Whether the executable is on a lower layer of an overlayfs (part of the container image).", Bind: procBool(func(t *state.Thread) bool { return t.ExeLowerLayer })},
			{Name: "proc.is_exe_from_memfd", Type: tB, Desc: "Whether the executable is an in-memory file made with memfd_create and run through its descriptor (nothing on disk).", Bind: procBool(func(t *state.Thread) bool { return t.ExeFromMemfd })},
			{Name: "proc.is_sid_leader", Type: tB, Desc: "Whether the process leads its session (its id in its namespace is the session id).", Bind: procBool(func(t *state.Thread) bool { return t.Sid == t.VPid })},
			{Name: "proc.is_vpgid_leader", Type: tB, Desc: "Whether the process leads its process group.", Bind: procBool(func(t *state.Thread) bool { return t.VPgid == t.VPid })},
			{Name: "proc.is_pgid_leader", Type: tB, Desc: "Whether the process leads its process group (proc.pgid is proc.pid).", Bind: procBool(func(t *state.Thread) bool { return t.Pgid == t.Pid })},
			{Name: "proc.exe_ino", Type: tI, Print: PrintDec, Desc: "Inode number of the executable file (compare with fd.ino); missing when unknown.", Bind: procInt(func(t *state.Thread) (int64, bool) { return int64(t.ExeIno), t.ExeIno != 0 })},
			{Name: "proc.exe_ino.ctime", Type: filter.TypeAbsTime, Print: PrintDec, Desc: "Last status change time of the executable's inode, in nanoseconds since the epoch (changed by writes, chmod, chown, links...).", Bind: procUint(func(t *state.Thread) (uint64, bool) { return t.ExeInoCtime, t.ExeInoCtime != 0 })},
			{Name: "proc.exe_ino.mtime", Type: filter.TypeAbsTime, Print: PrintDec, Desc: "Last modification time of the executable's contents, in nanoseconds since the epoch.", Bind: procUint(func(t *state.Thread) (uint64, bool) { return t.ExeInoMtime, t.ExeInoMtime != 0 })},
			{Name: "proc.exe_ino.ctime_duration_proc_start", Type: filter.TypeAbsTime, Print: PrintDec, Desc: "Nanoseconds from the executable's last status change to the creation of the process that runs it (small values: a freshly dropped binary).", Bind: procUint(func(t *state.Thread) (uint64, bool) { return t.ExeCtimeToClone, t.ExeCtimeToClone != 0 })},
			{Name: "proc.exe_ino.ctime_duration_pidns_start", Type: filter.TypeAbsTime, Print: PrintDec, Desc: "Nanoseconds from the start of the process's pid namespace to the executable's last status change, when the change came later (a binary changed inside a running container).", Bind: procUint(func(t *state.Thread) (uint64, bool) { return t.ExeCtimeFromPidns, t.ExeCtimeFromPidns != 0 })},
			{Name: "proc.pidns_init_start_ts", Type: tU, Print: PrintDec, Desc: "Start time of the init process of the process's pid namespace (the container's or the host's), in nanoseconds since the epoch.", Bind: procUint(func(t *state.Thread) (uint64, bool) { return t.PidnsInitStartTs, t.PidnsInitStartTs != 0 })},
			{Name: "thread.cap_permitted", Type: tS, Desc: "Permitted capabilities of the thread, space separated.", Bind: procAppend(func(dst []byte, t *state.Thread) []byte { return appendCaps(dst, t.CapPermitted) })},
			{Name: "thread.cap_inheritable", Type: tS, Desc: "Inheritable capabilities of the thread, space separated.", Bind: procAppend(func(dst []byte, t *state.Thread) []byte { return appendCaps(dst, t.CapInheritable) })},
			{Name: "thread.cap_effective", Type: tS, Desc: "Effective capabilities of the thread, space separated.", Bind: procAppend(func(dst []byte, t *state.Thread) []byte { return appendCaps(dst, t.CapEffective) })},
			{Name: "proc.fdopencount", Type: tU, Print: PrintDec, Desc: "Number of file descriptors the process has open.", Bind: procUint(func(t *state.Thread) (uint64, bool) { return uint64(t.NumFDs()), true })},
			{Name: "proc.fdlimit", Type: tI, Print: PrintDec, Desc: "Most file descriptors the process may open.", Bind: procInt(func(t *state.Thread) (int64, bool) { return mainOf(t).FDLimit, true })},
			{Name: "proc.fdusage", Type: filter.TypeDouble, Desc: "Open file descriptors as a percentage of proc.fdlimit.", Bind: func(*Binding) (*Extractor, error) {
				return floatX(func(c Ctx) (float64, bool) {
					t := thread(c)
					if t == nil {
						return 0, false
					}
					lim := mainOf(t).FDLimit
					if lim <= 0 {
						return 0, true
					}
					n := int64(t.NumFDs())
					if n > lim {
						return 100, true
					}
					return float64(n) * 100 / float64(lim), true
				}), nil
			}},
			{Name: "proc.vmsize", Type: tU, Print: PrintDec, Desc: "Virtual memory of the process, in KiB.", Bind: procUint(func(t *state.Thread) (uint64, bool) { return uint64(t.VMSizeKB), true })},
			{Name: "proc.vmrss", Type: tU, Print: PrintDec, Desc: "Resident memory of the process, in KiB.", Bind: procUint(func(t *state.Thread) (uint64, bool) { return uint64(t.VMRSSKB), true })},
			{Name: "proc.vmswap", Type: tU, Print: PrintDec, Desc: "Swapped-out memory of the process, in KiB.", Bind: procUint(func(t *state.Thread) (uint64, bool) { return uint64(t.VMSwapKB), true })},
			{Name: "thread.pfmajor", Type: tU, Print: PrintDec, Desc: "Major page faults of the thread since it started.", Bind: procUint(func(t *state.Thread) (uint64, bool) { return t.PFMajor, true })},
			{Name: "thread.pfminor", Type: tU, Print: PrintDec, Desc: "Minor page faults of the thread since it started.", Bind: procUint(func(t *state.Thread) (uint64, bool) { return t.PFMinor, true })},
			{Name: "thread.tid", Type: tI, Print: PrintID, Desc: "Id of the thread that generated the event.", Bind: func(*Binding) (*Extractor, error) {
				return intF(func(c Ctx, _ int) (int64, bool) {
					if c == nil || c.Evt == nil {
						return 0, false
					}
					return c.Evt.Tid(), true
				}), nil
			}},
			{Name: "thread.ismain", Type: tB, Desc: "Whether the thread is its process's main thread.", Bind: procBool(func(t *state.Thread) bool { return t.IsMain() })},
			{Name: "thread.vtid", Type: tI, Print: PrintID, Desc: "Id of the thread in its pid namespace.", Bind: procInt(func(t *state.Thread) (int64, bool) { return t.VTid, t.VTid != -1 })},
			{Name: "thread.nametid", Type: tS, Flags: filter.FlagTableOnly, Desc: "proc.name followed by thread.tid, a per-thread key.", Bind: func(*Binding) (*Extractor, error) {
				return appendX(func(dst []byte, c Ctx) ([]byte, bool) {
					t := thread(c)
					if t == nil {
						return dst, false
					}
					dst = append(dst, t.Comm...)
					return strconv.AppendInt(dst, c.Evt.Tid(), 10), true
				}), nil
			}},
			{Name: "thread.exectime", Type: filter.TypeRelTime, Print: PrintDec, Desc: "On scheduler switch events, CPU time the previous thread ran, in nanoseconds; 0 otherwise.", Bind: bindExecTime(false)},
			{Name: "thread.totexectime", Type: filter.TypeRelTime, Print: PrintDec, Desc: "CPU time the thread ran since the capture started, summed over switch events, in nanoseconds.", Bind: bindExecTime(true)},
			{Name: "thread.cgroups", Type: tS, Desc: "Cgroups of the thread, as subsystem=path entries separated by spaces.", Bind: func(*Binding) (*Extractor, error) {
				return appendX(func(dst []byte, c Ctx) ([]byte, bool) {
					t := thread(c)
					if t == nil || len(t.Cgroups) == 0 {
						return dst, false
					}
					for i, cg := range t.Cgroups {
						if i > 0 {
							dst = append(dst, ' ')
						}
						dst = append(dst, cg.Subsys...)
						dst = append(dst, '=')
						dst = append(dst, cg.Path...)
					}
					return dst, true
				}), nil
			}},
			{Name: "thread.cgroup", Type: tS, Arg: ArgKey, Desc: "Cgroup of the thread for one subsystem, e.g. thread.cgroup.cpuacct.", Bind: func(b *Binding) (*Extractor, error) {
				sub := b.Arg
				return strX(func(c Ctx) (string, bool) {
					t := thread(c)
					if t == nil {
						return "", false
					}
					for _, cg := range t.Cgroups {
						if cg.Subsys == sub {
							return cg.Path, true
						}
					}
					return "", false
				}), nil
			}},
			{Name: "proc.nthreads", Type: tU, Bits: 32, Print: PrintDec, Desc: "Number of threads of the process, the main thread included.", Bind: procUint(func(t *state.Thread) (uint64, bool) { return mainOf(t).NChildren + 1, true })},
			{Name: "proc.nchilds", Type: tU, Bits: 32, Print: PrintDec, Desc: "Number of threads and processes the thread created that are still alive.", Bind: procUint(func(t *state.Thread) (uint64, bool) { return t.NChildren, true })},
			{Name: "thread.cpu", Type: filter.TypeDouble, Desc: "On process-info events, CPU time (user and system) the thread used since the previous one.", Bind: bindThreadCPU(true, true)},
			{Name: "thread.cpu.user", Type: filter.TypeDouble, Desc: "On process-info events, user CPU time the thread used since the previous one.", Bind: bindThreadCPU(true, false)},
			{Name: "thread.cpu.system", Type: filter.TypeDouble, Desc: "On process-info events, system CPU time the thread used since the previous one.", Bind: bindThreadCPU(false, true)},
			{Name: "thread.vmsize", Type: tU, Print: PrintDec, Desc: "For the main thread, the process's virtual memory in KiB; 0 for other threads.", Bind: procUint(func(t *state.Thread) (uint64, bool) {
				if !t.IsMain() {
					return 0, true
				}
				return uint64(t.VMSizeKB), true
			})},
			{Name: "thread.vmrss", Type: tU, Print: PrintDec, Desc: "For the main thread, the process's resident memory in KiB; 0 for other threads.", Bind: procUint(func(t *state.Thread) (uint64, bool) {
				if !t.IsMain() {
					return 0, true
				}
				return uint64(t.VMRSSKB), true
			})},
			{Name: "thread.vmsize.b", Type: tU, Print: PrintDec, Flags: filter.FlagTableOnly, Desc: "thread.vmsize in bytes.", Bind: procUint(func(t *state.Thread) (uint64, bool) {
				if !t.IsMain() {
					return 0, true
				}
				return uint64(t.VMSizeKB) * 1024, true
			})},
			{Name: "thread.vmrss.b", Type: tU, Print: PrintDec, Flags: filter.FlagTableOnly, Desc: "thread.vmrss in bytes.", Bind: procUint(func(t *state.Thread) (uint64, bool) {
				if !t.IsMain() {
					return 0, true
				}
				return uint64(t.VMRSSKB) * 1024, true
			})},
			{Name: "proc.stdin.type", Type: tS, Desc: "fd.type of the process's standard input (fd 0).", Bind: stdFD(0, false)},
			{Name: "proc.stdout.type", Type: tS, Desc: "fd.type of the process's standard output (fd 1).", Bind: stdFD(1, false)},
			{Name: "proc.stderr.type", Type: tS, Desc: "fd.type of the process's standard error (fd 2).", Bind: stdFD(2, false)},
			{Name: "proc.stdin.name", Type: tS, Desc: "fd.name of the process's standard input.", Bind: stdFD(0, true)},
			{Name: "proc.stdout.name", Type: tS, Desc: "fd.name of the process's standard output.", Bind: stdFD(1, true)},
			{Name: "proc.stderr.name", Type: tS, Desc: "fd.name of the process's standard error.", Bind: stdFD(2, true)},
		},
	}
}

// parentStr builds a string field read from the parent process.
func parentStr(get func(dst []byte, t *state.Thread) []byte) func(*Binding) (*Extractor, error) {
	return func(b *Binding) (*Extractor, error) {
		env := b.Env
		return appendX(func(dst []byte, c Ctx) ([]byte, bool) {
			p := parentOf(env, thread(c))
			if p == nil {
				return dst, false
			}
			return get(dst, p), true
		}), nil
	}
}

func bindPPid(b *Binding) (*Extractor, error) {
	env := b.Env
	return intX(func(c Ctx) (int64, bool) {
		t := thread(c)
		if t == nil {
			return 0, false
		}
		if env.Compat == Sysdig029 {
			return mainOf(t).PTid, true
		}
		p := parentOf(env, t)
		if p == nil {
			return 0, false
		}
		return p.Pid, true
	}), nil
}

func bindArgs(b *Binding) (*Extractor, error) {
	if b.Index >= 0 {
		n := b.Index
		return strX(func(c Ctx) (string, bool) {
			t := thread(c)
			if t == nil {
				return "", false
			}
			if n < len(t.Args) {
				return t.Args[n], true
			}
			return "", true
		}), nil
	}
	return procAppend(appendArgs)(b)
}

func bindEnv(b *Binding) (*Extractor, error) {
	if b.HasArg {
		name := b.Arg
		return strX(func(c Ctx) (string, bool) {
			t := thread(c)
			if t == nil {
				return "", false
			}
			v, _ := envValue(mainOf(t), name)
			return v, true
		}), nil
	}
	return procAppend(appendEnv)(b)
}

func bindAEnv(b *Binding) (*Extractor, error) {
	env := b.Env
	if !b.HasArg || b.Index == 0 {
		return procAppend(appendEnv)(b)
	}
	if b.Index > 0 {
		n := b.Index
		return appendX(func(dst []byte, c Ctx) ([]byte, bool) {
			t := thread(c)
			if t == nil || env.State == nil {
				return dst, false
			}
			a := env.State.Ancestor(t, n)
			if a == nil {
				return dst, false
			}
			return appendEnv(dst, a), true
		}), nil
	}
	name := b.Arg
	return strX(func(c Ctx) (string, bool) {
		t := thread(c)
		if t == nil {
			return "", false
		}
		var v string
		if env.State != nil {
			depth := 0
			env.State.ForEachAncestor(mainOf(t), func(p *state.Thread) bool {
				depth++
				if s, ok := envValue(p, name); ok && s != "" {
					v = s
					return false
				}
				return depth < 20
			})
		}
		return v, true
	}), nil
}

func bindLoginShell(b *Binding) (*Extractor, error) {
	env := b.Env
	return intX(func(c Ctx) (int64, bool) {
		t := thread(c)
		if t == nil || env.State == nil {
			return 0, false
		}
		return env.State.LoginShellID(t)
	}), nil
}

func bindDuration(parent bool) func(*Binding) (*Extractor, error) {
	return func(b *Binding) (*Extractor, error) {
		env := b.Env
		return typed(uintX(func(c Ctx) (uint64, bool) {
			t := thread(c)
			if parent {
				t = parentOf(env, t)
			}
			if t == nil || t.CloneTs == 0 {
				return 0, false
			}
			return c.Evt.Ts() - t.CloneTs, true
		}), filter.TypeRelTime), nil
	}
}

// bindExecTime builds thread.exectime (total false) and thread.totexectime
// (total true): on switch events, the time since the previous switch on the
// same CPU; totexectime sums it per thread.
func bindExecTime(total bool) func(*Binding) (*Extractor, error) {
	return func(b *Binding) (*Extractor, error) {
		var last []uint64
		var tot perThreadCounter
		exec := func(c Ctx) uint64 {
			t := c.Evt.Type()
			if t != event.SchedswitchV1E && t != event.SchedswitchV6E {
				return 0
			}
			cpu := int(c.Evt.CPU)
			for len(last) <= cpu {
				last = append(last, 0)
			}
			ts := c.Evt.Ts()
			var d uint64
			if last[cpu] != 0 {
				d = ts - last[cpu]
			}
			last[cpu] = ts
			return d
		}
		env := b.Env
		x := typed(uintX(func(c Ctx) (uint64, bool) {
			d := exec(c)
			if !total {
				return d, true
			}
			t := thread(c)
			if t == nil {
				return 0, false
			}
			v := tot.get(t.Tid) + d
			tot.set(t.Tid, v)
			return v, true
		}), filter.TypeRelTime)
		if env.Compat == Sysdig029 && !total {
			// sysdig extracts JSON values twice: the second read, the one it
			// prints, measures no time since the first.
			x.json = func(dst []byte, c Ctx) ([]byte, bool) {
				x.Field.Uint(c, 0)
				return append(dst, '0'), true
			}
		}
		return x, nil
	}
}

// bindThreadCPU builds thread.cpu and its user and system variants: on
// process-info events, the CPU time used since the thread's previous
// process-info event, capped at 100 as libsinsp does.
func bindThreadCPU(user, system bool) func(*Binding) (*Extractor, error) {
	return func(b *Binding) (*Extractor, error) {
		var prev perThreadCounter
		return floatX(func(c Ctx) (float64, bool) {
			t := thread(c)
			if t == nil || c.Evt.Type() != event.ProcinfoE {
				return 0, false
			}
			var tcpu uint64
			if user {
				v, _ := c.Evt.Uint(0)
				tcpu += v
			}
			if system {
				v, _ := c.Evt.Uint(1)
				tcpu += v
			}
			last := prev.get(t.Tid)
			prev.set(t.Tid, tcpu)
			if last == 0 {
				return 0, true
			}
			d := float64(tcpu - last)
			if d > 100 {
				d = 100
			}
			return d, true
		}), nil
	}
}
