package state

import (
	"net/netip"
	"testing"

	"github.com/syscope/syscope/event"
)

// feeder builds wire events and runs them through a State.
type feeder struct {
	t   testing.TB
	s   *State
	b   event.Builder
	ts  uint64
	num uint64
	e   event.Event
	buf []byte
}

func newFeeder(t testing.TB, o *Options) *feeder {
	return &feeder{t: t, s: New(o), ts: 1_000_000_000}
}

// ev builds an event of type typ for thread tid with the parameters fill
// adds, processes it and returns the Ctx.
func (f *feeder) ev(tid int64, typ event.Type, fill func(b *event.Builder)) *Ctx {
	f.t.Helper()
	f.ts += 1000
	f.num++
	f.b.Reset(f.ts, tid, typ)
	if fill != nil {
		fill(&f.b)
	}
	raw, err := f.b.Bytes()
	if err != nil {
		f.t.Fatalf("build %v: %v", typ, err)
	}
	f.buf = append(f.buf[:0], raw...)
	f.e = event.Event{Raw: f.buf, Num: f.num}
	if err := f.e.Validate(); err != nil {
		f.t.Fatalf("built %v is invalid: %v", typ, err)
	}
	return f.s.Process(&f.e)
}

// seed adds a process (a leader) with a cwd and the given fds.
func (f *feeder) seed(pid, ppid int64, comm, cwd string, fds ...FDInfo) {
	f.t.Helper()
	if !f.s.SeedThread(&ProcInfo{Tid: pid, Pid: pid, PTid: ppid, Sid: pid, Comm: comm, Exe: comm,
		ExePath: "/usr/bin/" + comm, Cwd: cwd, UID: 1000, GID: 1000, LoginUID: 1000, FDs: fds, VTid: pid, VPid: pid}) {
		f.t.Fatalf("seed %d failed", pid)
	}
}

// noop processes an unrelated event so deferred removals happen.
func (f *feeder) noop(tid int64) *Ctx {
	return f.ev(tid, event.SyscallGetuidE, nil)
}

// open runs open enter and exit (the old pair layout) for path.
func (f *feeder) open(tid int64, path string, flags uint32, fd int64) *Ctx {
	f.ev(tid, event.SyscallOpenE, func(b *event.Builder) { b.Str(path).U32(flags).U32(0) })
	return f.ev(tid, event.SyscallOpenX, func(b *event.Builder) { b.I64(fd).Str(path).U32(flags).U32(0) })
}

// close runs close enter and exit.
func (f *feeder) close(tid, fd int64) *Ctx {
	f.ev(tid, event.SyscallCloseE, func(b *event.Builder) { b.I64(fd) })
	return f.ev(tid, event.SyscallCloseX, func(b *event.Builder) { b.I64(0) })
}

// socket runs socket enter and exit.
func (f *feeder) socket(tid int64, domain, typ, proto uint32, fd int64) *Ctx {
	f.ev(tid, event.SocketSocketE, func(b *event.Builder) { b.U32(domain).U32(typ).U32(proto) })
	return f.ev(tid, event.SocketSocketX, func(b *event.Builder) { b.I64(fd) })
}

func ap(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }

func fdName(t testing.TB, th *Thread, fd int64) string {
	t.Helper()
	f := th.FD(fd)
	if f == nil {
		t.Fatalf("fd %d missing", fd)
	}
	return string(f.Name)
}

// clone runs the parent side of a clone_20 exit creating child with the
// given flags.
func (f *feeder) clone(tid, pid, child int64, flags uint32) *Ctx {
	f.ev(tid, event.SyscallCloneV20E, nil)
	return f.ev(tid, event.SyscallCloneV20X, func(b *event.Builder) {
		b.I64(child).Str("/bin/sh").Strs("-c", "x").I64(tid).I64(pid).I64(1).Str("/").
			I64(1024).U64(0).U64(0).U32(100).U32(10).U32(0).Str("sh").Strs("cpu=/a").
			U32(flags).U32(1000).U32(1000).I64(tid).I64(pid)
	})
}

// execve runs an execve_19 enter and exit on tid.
func (f *feeder) execve(tid, pid, ptid int64, filename, exe, comm string, args ...string) *Ctx {
	f.ev(tid, event.SyscallExecveV19E, func(b *event.Builder) { b.Str(filename) })
	return f.ev(tid, event.SyscallExecveV19X, func(b *event.Builder) {
		b.I64(0).Str(exe).Strs(args...).I64(tid).I64(pid).I64(ptid).Str("").U64(4096).
			U64(1).U64(2).U32(300).U32(30).U32(3).Str(comm).Strs("cpu=/b", "memory_cgroup=/m").
			Strs("HOME=/root", "PATH=/bin").U32(34816).I64(pid).U32(0).U32(0)
	})
}
