package state

import (
	"testing"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/scap"
)

// execveFull runs an execve_19 enter and a full current-driver exit with
// the given executable flags, inode data and pgid.
func (f *feeder) execveFull(tid int64, flags uint32, ino, ctime, mtime uint64, pgid int64) *Ctx {
	f.ev(tid, event.SyscallExecveV19E, func(b *event.Builder) { b.Str("/tmp/x") })
	return f.ev(tid, event.SyscallExecveV19X, func(b *event.Builder) {
		b.I64(0).Str("/tmp/x").Strs("a").I64(tid).I64(tid).I64(1).Str("").U64(1024).
			U64(0).U64(0).U32(0).U32(0).U32(0).Str("x").Strs("cpu=/").Strs("A=1").U32(0).
			I64(tid).U32(1000).              // vpgid, loginuid
			U32(flags).U64(0).U64(0).U64(0). // flags, caps
			U64(ino).U64(ctime).U64(mtime).
			U32(1000).Str("/tmp/x").I64(pgid).U32(1000).Str("/tmp/x")
	})
}

func TestExecveExeFlagsInodeAndPgid(t *testing.T) {
	f := newFeeder(t, nil)
	f.seed(10, 1, "sh", "/")
	th := f.s.Thread(10)
	if th.Pgid != 0 || th.ExeIno != 0 {
		t.Fatalf("seeded without pgid/inode: pgid %d ino %d", th.Pgid, th.ExeIno)
	}
	th.CloneTs = 5_000
	th.PidnsInitStartTs = 1_000
	c := f.execveFull(10, exeUpperLayer|exeFromMemfd, 777, 3_000, 2_500, 10)
	th = c.Thread
	if !th.ExeUpperLayer || !th.ExeFromMemfd || th.ExeLowerLayer || th.ExeWritable {
		t.Errorf("flags: upper %v memfd %v lower %v writable %v", th.ExeUpperLayer, th.ExeFromMemfd, th.ExeLowerLayer, th.ExeWritable)
	}
	if th.ExeIno != 777 || th.ExeInoCtime != 3_000 || th.ExeInoMtime != 2_500 {
		t.Errorf("inode %d ctime %d mtime %d", th.ExeIno, th.ExeInoCtime, th.ExeInoMtime)
	}
	if th.ExeCtimeToClone != 2_000 || th.ExeCtimeFromPidns != 2_000 {
		t.Errorf("durations: to clone %d from pidns %d", th.ExeCtimeToClone, th.ExeCtimeFromPidns)
	}
	if th.Pgid != 10 {
		t.Errorf("pgid %d", th.Pgid)
	}
	c = f.execveFull(10, exeWritable|exeLowerLayer, 778, 500, 400, 9)
	th = c.Thread
	if !th.ExeWritable || !th.ExeLowerLayer || th.ExeUpperLayer || th.ExeFromMemfd {
		t.Errorf("second exec flags: %+v", th)
	}
	// ctime before the namespace start: the earlier duration stays
	if th.ExeCtimeFromPidns != 2_000 || th.ExeCtimeToClone != 4_500 || th.Pgid != 9 {
		t.Errorf("second exec: from pidns %d to clone %d pgid %d", th.ExeCtimeFromPidns, th.ExeCtimeToClone, th.Pgid)
	}
	// an older execve without the pgid parameter leaves it unknown
	c = f.execve(10, 10, 1, "/bin/ls", "ls", "ls")
	if c.Thread.Pgid != -1 {
		t.Errorf("pgid after old execve %d, want -1", c.Thread.Pgid)
	}
	if c.Thread.ExeIno != 778 {
		t.Errorf("inode changed by an execve without inode data: %d", c.Thread.ExeIno)
	}
}

func TestCloneInheritsExeDetails(t *testing.T) {
	f := newFeeder(t, nil)
	f.seed(10, 1, "sh", "/")
	f.execveFull(10, exeFromMemfd|exeUpperLayer, 42, 100, 90, 10)
	f.s.Thread(10).ExeCtimeToClone = 7
	f.clone(10, 10, 11, 0)
	ch := f.s.Thread(11)
	if ch == nil {
		t.Fatal("child missing")
	}
	if ch.Pgid != 10 || !ch.ExeFromMemfd || !ch.ExeUpperLayer || ch.ExeLowerLayer ||
		ch.ExeIno != 42 || ch.ExeInoCtime != 100 || ch.ExeInoMtime != 90 || ch.ExeCtimeToClone != 7 {
		t.Errorf("child: %+v", ch)
	}
	if ch.ExeCtimeFromPidns != 0 {
		t.Errorf("pidns duration is not inherited: %d", ch.ExeCtimeFromPidns)
	}
}

func TestClonePidnsStart(t *testing.T) {
	f := newFeeder(t, nil)
	f.s.Seed(&scap.Metadata{Machine: &scap.MachineInfo{BootTime: 1_000_000}})
	f.seed(200, 1, "containerd-shim", "/")
	// parent side, same namespace: the boot time
	f.clone(200, 200, 201, 0)
	if got := f.s.Thread(201).PidnsInitStartTs; got != 1_000_000 {
		t.Errorf("host child pidns start %d", got)
	}
	// child side of a child in a new pid namespace: the driver's value
	// (monotonic) moved to the epoch
	f.ev(300, event.SyscallCloneV20X, func(b *event.Builder) {
		b.I64(0).Str("/bin/x").Strs().I64(300).I64(300).I64(200).Str("/").I64(1).U64(0).U64(0).
			U32(0).U32(0).U32(0).Str("x").Strs().U32(CloneChildInPIDNS).U32(0).U32(0).I64(1).I64(1).U64(555)
	})
	if got := f.s.Thread(300).PidnsInitStartTs; got != 1_000_555 {
		t.Errorf("container child pidns start %d", got)
	}
}

func TestSeedExeDetails(t *testing.T) {
	s := New(nil)
	p := scap.NewProcess(7)
	p.Pid, p.Comm = 7, "app"
	p.Pgid = 5
	p.ExeUpperLayer, p.ExeLowerLayer, p.ExeFromMemfd = true, true, true
	p.ExeIno, p.ExeInoCtime, p.ExeInoMtime = 1, 2, 3
	p.PidnsInitStartTs = 4
	s.Seed(&scap.Metadata{Processes: []scap.Process{p, scap.NewProcess(8)}})
	th := s.Thread(7)
	if th.Pgid != 5 || !th.ExeUpperLayer || !th.ExeLowerLayer || !th.ExeFromMemfd ||
		th.ExeIno != 1 || th.ExeInoCtime != 2 || th.ExeInoMtime != 3 || th.PidnsInitStartTs != 4 {
		t.Errorf("seeded: %+v", th)
	}
	if th8 := s.Thread(8); th8.Pgid != -1 {
		t.Errorf("default pgid %d", th8.Pgid)
	}
}

func TestFDNameChanged(t *testing.T) {
	f := newFeeder(t, nil)
	f.seed(10, 1, "dig", "/")
	// a new file descriptor gets its name: changed
	if c := f.open(10, "/etc/hosts", openRdonly, 3); !c.FDNameChanged {
		t.Error("open exit: want changed")
	}
	f.ev(10, event.SyscallReadE, func(b *event.Builder) { b.I64(3).U32(10) })
	if c := f.ev(10, event.SyscallReadX, func(b *event.Builder) { b.I64(1).Raw([]byte("x")) }); c.FDNameChanged || c.FD == nil {
		t.Error("read exit: want unchanged")
	}
	// a socket starts without a name
	if c := f.socket(10, afInet, sockDgram, 0, 4); c.FD == nil || c.FDNameChanged {
		t.Error("socket exit: want unchanged")
	}
	// connect names it
	f.ev(10, event.SocketConnectE, func(b *event.Builder) { b.I64(4).SockAddr(ap("8.8.8.8:53")) })
	c := f.ev(10, event.SocketConnectX, func(b *event.Builder) { b.I64(0).SockTuple(ap("10.0.0.2:4000"), ap("8.8.8.8:53")) })
	if !c.FDNameChanged {
		t.Errorf("connect exit: want changed (%q)", c.FD.Name)
	}
	// the same tuple again: unchanged
	f.ev(10, event.SocketConnectE, func(b *event.Builder) { b.I64(4).SockAddr(ap("8.8.8.8:53")) })
	c = f.ev(10, event.SocketConnectX, func(b *event.Builder) { b.I64(0).SockTuple(ap("10.0.0.2:4000"), ap("8.8.8.8:53")) })
	if c.FDNameChanged {
		t.Errorf("repeated connect: want unchanged (%q)", c.FD.Name)
	}
	// a datagram from another peer renames the socket
	f.ev(10, event.SocketRecvfromE, func(b *event.Builder) { b.I64(4).U32(100) })
	c = f.ev(10, event.SocketRecvfromX, func(b *event.Builder) {
		b.I64(5).Raw([]byte("reply")).SockTuple(ap("9.9.9.9:53"), ap("10.0.0.2:4000"))
	})
	if !c.FDNameChanged {
		t.Errorf("recvfrom from a new peer: want changed (%q)", c.FD.Name)
	}
	// a dup copies the name: unchanged
	f.ev(10, event.SyscallDupE, func(b *event.Builder) { b.I64(3) })
	if c := f.ev(10, event.SyscallDupX, func(b *event.Builder) { b.I64(7) }); c.FD == nil || c.FDNameChanged {
		t.Errorf("dup: want unchanged (fd %v)", c.FD)
	}
	// the flag does not outlive its event
	if c := f.noop(10); c.FDNameChanged {
		t.Error("flag kept on the next event")
	}
}
