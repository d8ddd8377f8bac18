package state

import (
	"encoding/binary"
	"net/netip"
	"strings"
	"testing"

	"github.com/syscope/syscope/event"
)

func TestAppendJoin(t *testing.T) {
	cases := []struct {
		dir, name, want string
	}{
		{"/home/u/", "f.txt", "/home/u/f.txt"},
		{"/home/u/", "/etc/passwd", "/etc/passwd"},
		{"/home/u/", "../x", "/home/x"},
		{"/home/u/", "../../../x", "/x"},
		{"/home/u/", "./a/./b", "/home/u/a/b"},
		{"/home/u/", "a//b///c", "/home/u/a/b/c"},
		{"/home/u/", "a/..", "/home/u"},
		{"/home/u/", "dir/", "/home/u/dir"},
		{"/home/u/", "", "/home/u"},
		{"/", "..", "/"},
		{"/home/u/", "a\x01b\xffc", "/home/u/a.b.c"},
		{"/home/u/", "...x", "/home/u/...x"},
		{"/", "/", "/"},
	}
	for _, c := range cases {
		got := string(appendJoin(nil, []byte(c.dir), []byte(c.name), len(c.name)+1))
		if got != c.want {
			t.Errorf("join(%q, %q) = %q, want %q", c.dir, c.name, got, c.want)
		}
	}
	long := strings.Repeat("a", 1100)
	if got := string(appendJoin(nil, []byte("/"), []byte(long), len(long)+1)); got != pathTooLong {
		t.Errorf("long path = %q", got)
	}
}

func TestOpenReadClose(t *testing.T) {
	f := newFeeder(t, nil)
	f.seed(100, 1, "bash", "/home/u")
	c := f.open(100, "notes/../a.txt", openRdonly, 3)
	if c.FD == nil || string(c.FD.Name) != "/home/u/a.txt" || c.FD.Type != FDFileV2 || c.FDNum != 3 {
		t.Fatalf("open: fd %+v num %d", c.FD, c.FDNum)
	}
	if string(c.FD.NameRaw) != "notes/../a.txt" {
		t.Errorf("nameraw %q", c.FD.NameRaw)
	}
	c = f.ev(100, event.SyscallReadE, func(b *event.Builder) { b.I64(3).U32(10) })
	if c.FD == nil || c.FDNum != 3 {
		t.Fatalf("read enter fd %v", c.FD)
	}
	c = f.ev(100, event.SyscallReadX, func(b *event.Builder) { b.I64(5).Raw([]byte("hello")) })
	if c.FD == nil || string(c.FD.Name) != "/home/u/a.txt" || c.Latency != 1000 {
		t.Fatalf("read exit: fd %v latency %d", c.FD, c.Latency)
	}
	c = f.close(100, 3)
	if c.FD == nil || string(c.FD.Name) != "/home/u/a.txt" {
		t.Fatal("close exit must still see the fd")
	}
	if c.Thread.FD(3) == nil {
		t.Fatal("fd removed before the next event")
	}
	c = f.noop(100)
	if c.Thread.FD(3) != nil {
		t.Fatal("fd still there after the next event")
	}
	// a failed open adds nothing
	c = f.open(100, "/nope", openRdonly, -2)
	if c.Thread.FD(-2) != nil || c.Thread.NumFDs() != 0 {
		t.Fatalf("failed open added an fd")
	}
}

func TestDirectoryAndAtCalls(t *testing.T) {
	f := newFeeder(t, nil)
	f.seed(10, 1, "app", "/srv")
	f.open(10, "/etc", openRdonly|openDirectory, 5)
	if f.s.Thread(10).FD(5).Type != FDDirectory {
		t.Fatal("directory type")
	}
	// openat relative to the dirfd
	f.ev(10, event.SyscallOpenatV2E, func(b *event.Builder) { b.I64(5).Str("hosts").U32(openRdonly).U32(0) })
	c := f.ev(10, event.SyscallOpenatV2X, func(b *event.Builder) {
		b.I64(6).I64(5).Str("hosts").U32(openRdonly).U32(0).U32(0x803).U64(77)
	})
	if got := fdName(t, c.Thread, 6); got != "/etc/hosts" {
		t.Errorf("openat dirfd: %q", got)
	}
	if c.FD.Dev != 0x803 || c.FD.Ino != 77 {
		t.Errorf("dev/ino %x %d", c.FD.Dev, c.FD.Ino)
	}
	// AT_FDCWD
	f.ev(10, event.SyscallOpenatV2E, func(b *event.Builder) { b.I64(-100).Str("x/y").U32(openRdonly).U32(0) })
	f.ev(10, event.SyscallOpenatV2X, func(b *event.Builder) { b.I64(7).I64(-100).Str("x/y").U32(openRdonly).U32(0) })
	if got := fdName(t, f.s.Thread(10), 7); got != "/srv/x/y" {
		t.Errorf("openat cwd: %q", got)
	}
	// unknown dirfd
	f.ev(10, event.SyscallOpenatV2E, func(b *event.Builder) { b.I64(42).Str("z").U32(openRdonly).U32(0) })
	f.ev(10, event.SyscallOpenatV2X, func(b *event.Builder) { b.I64(8).I64(42).Str("z").U32(openRdonly).U32(0) })
	if got := fdName(t, f.s.Thread(10), 8); got != "<UNKNOWN>z" {
		t.Errorf("openat unknown dirfd: %q", got)
	}
	// exit-only openat (no enter event), as the live driver sends it
	c = f.ev(10, event.SyscallOpenatV2X, func(b *event.Builder) { b.I64(9).I64(-100).Str("/tmp/q").U32(openRdonly).U32(0) })
	if got := fdName(t, c.Thread, 9); got != "/tmp/q" {
		t.Errorf("exit-only openat: %q", got)
	}
	// chdir, then relative open
	f.ev(10, event.SyscallChdirE, func(b *event.Builder) { b.Str("../var") })
	f.ev(10, event.SyscallChdirX, func(b *event.Builder) { b.I64(0).Str("../var") })
	if got := f.s.Thread(10).Cwd(); got != "/var/" {
		t.Errorf("chdir: cwd %q", got)
	}
	// fchdir to /etc
	f.ev(10, event.SyscallFchdirE, func(b *event.Builder) { b.I64(5) })
	f.ev(10, event.SyscallFchdirX, func(b *event.Builder) { b.I64(0) })
	if got := f.s.Thread(10).Cwd(); got != "/etc/" {
		t.Errorf("fchdir: cwd %q", got)
	}
	f.ev(10, event.SyscallGetcwdE, nil)
	f.ev(10, event.SyscallGetcwdX, func(b *event.Builder) { b.I64(5).Str("/opt") })
	if got := f.s.Thread(10).Cwd(); got != "/opt/" {
		t.Errorf("getcwd: cwd %q", got)
	}
}

func TestCloneForkAndThreads(t *testing.T) {
	f := newFeeder(t, nil)
	f.seed(200, 1, "bash", "/root", FDInfo{Num: 0, Type: FDFile, Name: "/dev/pts/0"})
	f.seed(1, 0, "init", "/")
	// fork: a new process copies the parent's fds and cwd
	c := f.clone(200, 200, 201, 0)
	child := f.s.Thread(201)
	if child == nil {
		t.Fatal("child not created")
	}
	if child.Pid != 201 || child.PTid != 200 || child.Comm != "sh" || child.Exe != "/bin/sh" ||
		strings.Join(child.Args, " ") != "-c x" || child.Cwd() != "/root/" || child.UID != 1000 {
		t.Errorf("child: %+v", child)
	}
	if fd := child.FD(0); fd == nil || fd.Flags&FDIsCloned == 0 || string(fd.Name) != "/dev/pts/0" {
		t.Errorf("child fd 0: %+v", fd)
	}
	if child.Sid != 200 || len(child.Cgroups) != 1 || child.Cgroups[0].Subsys != "cpu" {
		t.Errorf("child sid/cgroups: %d %+v", child.Sid, child.Cgroups)
	}
	if c.Thread.Tid != 200 {
		t.Error("clone exit ctx is the caller's")
	}
	// a thread of the child shares its files
	f.clone(201, 201, 202, CloneThread|CloneFiles|CloneVM)
	th := f.s.Thread(202)
	if th == nil || th.Pid != 201 || th.Main() != child {
		t.Fatalf("thread: %+v", th)
	}
	if child.NChildren != 1 {
		t.Errorf("leader NChildren %d", child.NChildren)
	}
	f.open(202, "/tmp/t", openRdonly, 4)
	if child.FD(4) == nil {
		t.Error("a thread's open must land in the shared table")
	}
	// child side of a clone whose parent side was missed
	f.ev(300, event.SyscallCloneV20X, func(b *event.Builder) {
		b.I64(0).Str("/bin/x").Strs().I64(300).I64(300).I64(200).Str("/").I64(1).U64(0).U64(0).
			U32(0).U32(0).U32(0).Str("x").Strs().U32(0).U32(0).U32(0).I64(300).I64(300)
	})
	inv := f.s.Thread(300)
	if inv == nil || inv.PTid != 200 || inv.Flags&CloneInverted == 0 || inv.Comm != "x" {
		t.Fatalf("inverted clone: %+v", inv)
	}
	// the parent side arriving later does not replace it
	f.clone(200, 200, 300, 0)
	if f.s.Thread(300) != inv || inv.Comm != "x" {
		t.Error("inverted child replaced")
	}
	// ancestors and login shell
	if p := f.s.ParentOf(child); p == nil || p.Comm != "bash" {
		t.Errorf("parent %v", p)
	}
	if a := f.s.Ancestor(th, 2); a == nil || a.Comm != "init" {
		t.Errorf("ancestor 2 %v", a)
	}
	if id, ok := f.s.LoginShellID(th); !ok || id != 200 {
		t.Errorf("loginshellid %d %v", id, ok)
	}
}

func TestExecve(t *testing.T) {
	f := newFeeder(t, nil)
	f.seed(50, 1, "bash", "/home/u")
	f.clone(50, 50, 51, 0)
	c := f.execve(51, 51, 50, "bin/ls", "ls", "ls", "-l", "/tmp")
	th := c.Thread
	if th.Exe != "ls" || th.Comm != "ls" || strings.Join(th.Args, " ") != "-l /tmp" {
		t.Errorf("exe %q comm %q args %q", th.Exe, th.Comm, th.Args)
	}
	if th.ExePath != "/home/u/bin/ls" {
		t.Errorf("exepath %q", th.ExePath)
	}
	if len(th.Env) != 2 || th.Env[1] != "PATH=/bin" {
		t.Errorf("env %q", th.Env)
	}
	if len(th.Cgroups) != 2 || th.Cgroups[1].Subsys != "memory" || th.Cgroups[1].Path != "/m" {
		t.Errorf("cgroups %+v", th.Cgroups)
	}
	if th.FDLimit != 4096 || th.VMSizeKB != 300 || th.Tty != 34816 || th.ExecTs == 0 {
		t.Errorf("fdlimit %d vm %d tty %d", th.FDLimit, th.VMSizeKB, th.Tty)
	}
	// an unknown thread gets a placeholder, then its parent from execve
	c = f.execve(77, 77, 50, "/usr/bin/id", "id", "id")
	if c.Thread.PTid != 50 || c.Thread.Comm != "id" || c.Thread.Incomplete || c.Thread.UID != 0xffffffff {
		t.Errorf("placeholder after execve: %+v", c.Thread)
	}
	if st := f.s.Stats(); st.ThreadsInferred != 1 {
		t.Errorf("inferred %d", st.ThreadsInferred)
	}
	// a failed execve changes nothing
	f.ev(51, event.SyscallExecveV19E, func(b *event.Builder) { b.Str("/nope") })
	f.ev(51, event.SyscallExecveV19X, func(b *event.Builder) { b.I64(-2).Str("x").Strs() })
	if f.s.Thread(51).Comm != "ls" {
		t.Error("failed execve changed the thread")
	}
}

func TestProcexit(t *testing.T) {
	for _, modern := range []bool{false, true} {
		f := newFeeder(t, &Options{Modern: modern})
		f.seed(1, 0, "init", "/")
		f.seed(10, 1, "srv", "/")
		f.clone(10, 10, 11, 0)                              // child process
		f.clone(10, 10, 12, CloneThread|CloneFiles|CloneVM) // thread
		f.ev(11, event.ProcexitV1E, func(b *event.Builder) { b.I64(0).I64(0).U8(0).U8(0) })
		if f.s.Thread(11) == nil {
			t.Fatal("exiting thread removed before the next event")
		}
		f.noop(10)
		if f.s.Thread(11) != nil {
			t.Fatal("exited thread not removed")
		}
		// the leader exits first: it stays while its thread lives
		f.ev(10, event.ProcexitV1E, func(b *event.Builder) { b.I64(0).I64(0).U8(0).U8(0) })
		f.noop(12)
		if f.s.Thread(10) == nil || f.s.Thread(10).Flags&ThreadClosed == 0 {
			t.Fatal("leader with a live thread removed")
		}
		f.ev(12, event.ProcexitV1E, func(b *event.Builder) { b.I64(0).I64(0).U8(0).U8(0) })
		f.noop(1)
		if f.s.Thread(12) != nil {
			t.Fatal("thread not removed")
		}
		f.noop(1)
		if (f.s.Thread(10) == nil) != modern {
			t.Errorf("modern=%v: leader present=%v after its last thread left", modern, f.s.Thread(10) != nil)
		}
	}
}

func TestReparent(t *testing.T) {
	f := newFeeder(t, &Options{Modern: true})
	f.seed(1, 0, "init", "/")
	f.seed(5, 1, "supervisor", "/")
	f.seed(6, 5, "mid", "/")
	f.seed(7, 6, "leaf", "/")
	f.ev(5, event.SyscallPrctlE, nil)
	f.ev(5, event.SyscallPrctlX, func(b *event.Builder) { b.I64(0).U32(prSetChildSubreaper).Str("").I64(1) })
	f.ev(6, event.ProcexitV1E, func(b *event.Builder) { b.I64(0).I64(0).U8(0).U8(0) })
	f.noop(7)
	if got := f.s.Thread(7).PTid; got != 5 {
		t.Errorf("orphan reparented to %d, want the subreaper 5", got)
	}
	// without the modern behaviour the stale parent stays, as sysdig shows it
	g := newFeeder(t, nil)
	g.seed(1, 0, "init", "/")
	g.seed(6, 1, "mid", "/")
	g.seed(7, 6, "leaf", "/")
	g.ev(6, event.ProcexitV1E, func(b *event.Builder) { b.I64(0).I64(0).U8(0).U8(0) })
	g.noop(7)
	if got := g.s.Thread(7).PTid; got != 6 {
		t.Errorf("compat: ptid %d, want 6", got)
	}
}

func TestTCPClientAndServer(t *testing.T) {
	f := newFeeder(t, nil)
	f.seed(10, 1, "curl", "/")
	f.socket(10, afInet, sockStream, 0, 3)
	c := f.ev(10, event.SocketConnectE, func(b *event.Builder) { b.I64(3).SockAddr(ap("93.184.216.34:80")) })
	if c.FD == nil || c.FD.Type != FDIPv4Sock {
		t.Fatal("connect enter fd")
	}
	c = f.ev(10, event.SocketConnectX, func(b *event.Builder) {
		b.I64(0).SockTuple(ap("10.0.0.2:40000"), ap("93.184.216.34:80"))
	})
	if got := string(c.FD.Name); got != "10.0.0.2:40000->93.184.216.34:80" {
		t.Errorf("client name %q", got)
	}
	if !c.FD.IsRoleClient() || c.FD.Flags&FDSocketConnected == 0 || c.FD.L4Proto() != L4TCP {
		t.Errorf("client flags %x l4 %d", c.FD.Flags, c.FD.L4Proto())
	}
	cip, cport, sip, sport, ok := c.FD.Endpoints()
	if !ok || cip.String() != "10.0.0.2" || cport != 40000 || sip.String() != "93.184.216.34" || sport != 80 {
		t.Errorf("endpoints %v %d %v %d", cip, cport, sip, sport)
	}

	// server: socket, bind, accept
	f.seed(20, 1, "nginx", "/")
	f.socket(20, afInet6, sockStream, ipprotoTCP, 5)
	f.ev(20, event.SocketBindE, func(b *event.Builder) { b.I64(5) })
	c = f.ev(20, event.SocketBindX, func(b *event.Builder) { b.I64(0).SockAddr(ap("[::]:8080")) })
	if c.FD.Type != FDIPv4ServSock || string(c.FD.Name) != ":::8080" || !c.FD.IsRoleServer() {
		// an all-zero IPv6 address counts as IPv4 for sinsp
		t.Errorf("bound: type %v name %q", c.FD.Type, c.FD.Name)
	}
	f.ev(20, event.SocketAcceptE, nil)
	c = f.ev(20, event.SocketAcceptX, func(b *event.Builder) {
		b.I64(6).SockTuple(ap("[2001:db8::4]:5000"), ap("[2001:db8::3]:8080")).U8(0)
	})
	if c.FD == nil || c.FD.Type != FDIPv6Sock || string(c.FD.Name) != "2001:db8::4:5000->2001:db8::3:8080" ||
		!c.FD.IsRoleServer() || c.FDNum != 6 {
		t.Errorf("accepted: %+v", c.FD)
	}
}

func TestUDPAndUnix(t *testing.T) {
	f := newFeeder(t, nil)
	f.seed(10, 1, "dig", "/")
	f.s.AddInterface(netip.MustParseAddr("10.0.0.2"), netip.MustParseAddr("255.255.255.0"))
	f.socket(10, afInet, sockDgram, 0, 4)
	f.ev(10, event.SocketSendtoE, func(b *event.Builder) { b.I64(4).U32(10).SockTuple(ap("0.0.0.0:0"), ap("8.8.8.8:53")) })
	c := f.ev(10, event.SocketSendtoX, func(b *event.Builder) { b.I64(10).Raw([]byte("query")) })
	// the missing source address is taken from the interface list
	if got := string(c.FD.Name); got != "10.0.0.2:0->8.8.8.8:53" || !c.FD.IsRoleClient() {
		t.Errorf("udp name %q flags %x", got, c.FD.Flags)
	}
	// a sendto on an unknown fd infers a UDP socket
	f.ev(10, event.SocketSendtoE, func(b *event.Builder) { b.I64(9).U32(1).SockTuple(ap("1.1.1.1:1"), ap("2.2.2.2:2")) })
	if fd := f.s.Thread(10).FD(9); fd == nil || fd.Type != FDIPv4Sock {
		t.Errorf("inferred sendto socket: %+v", fd)
	}
	// unix connect
	f.socket(10, afUnix, sockStream, 0, 5)
	c = f.ev(10, event.SocketConnectE, func(b *event.Builder) { b.I64(5).UnixSockAddr("/run/x.sock") })
	c = f.ev(10, event.SocketConnectX, func(b *event.Builder) { b.I64(0).UnixSockTuple(0, 0xffff8800aa, "/run/x.sock") })
	if got := string(c.FD.Name); got != "0->ffff8800aa /run/x.sock" || c.FD.Type != FDUnixSock {
		t.Errorf("unix name %q", got)
	}
	if src, dst := c.FD.Unix(); src != 0 || dst != 0xffff8800aa {
		t.Errorf("unix pointers %x %x", src, dst)
	}
	// a failed connect leaves the socket as it was
	f.socket(10, afInet, sockStream, 0, 6)
	f.ev(10, event.SocketConnectE, func(b *event.Builder) { b.I64(6).SockAddr(ap("1.2.3.4:80")) })
	c = f.ev(10, event.SocketConnectX, func(b *event.Builder) { b.I64(-111).SockTuple(ap("10.0.0.2:1"), ap("1.2.3.4:80")) })
	if len(c.FD.Name) != 0 || c.FD.Flags&FDSocketConnected != 0 {
		t.Errorf("failed connect changed the fd: %q %x", c.FD.Name, c.FD.Flags)
	}
}

func TestSpecialFDs(t *testing.T) {
	f := newFeeder(t, &Options{Modern: true})
	f.seed(10, 1, "app", "/")
	ok := func(fd int64, typ FDType, name string) {
		t.Helper()
		d := f.s.Thread(10).FD(fd)
		if d == nil || d.Type != typ || string(d.Name) != name {
			t.Errorf("fd %d: %+v, want %v %q", fd, d, typ, name)
		}
	}
	f.ev(10, event.SyscallPipeE, nil)
	c := f.ev(10, event.SyscallPipeX, func(b *event.Builder) { b.I64(0).I64(3).I64(4).U64(999) })
	ok(3, FDFifo, "")
	ok(4, FDFifo, "")
	if c.FD.Ino != 999 || c.FDNum != 4 {
		t.Errorf("pipe ino %d num %d", c.FD.Ino, c.FDNum)
	}
	f.ev(10, event.SocketSocketpairE, nil)
	f.ev(10, event.SocketSocketpairX, func(b *event.Builder) { b.I64(0).I64(5).I64(6).U64(1).U64(2) })
	ok(5, FDUnixSock, "")
	ok(6, FDUnixSock, "")
	simple := []struct {
		typ event.Type
		fd  int64
		ft  FDType
	}{
		{event.SyscallEventfdX, 7, FDEvent},
		{event.SyscallSignalfdX, 8, FDSignalfd},
		{event.SyscallTimerfdCreateX, 9, FDTimerfd},
		{event.SyscallInotifyInitX, 10, FDInotify},
		{event.SyscallBpfV2X, 11, FDBPF},
		{event.SyscallUserfaultfdX, 12, FDUserfaultfd},
		{event.SyscallIoUringSetupX, 13, FDIOUring},
		{event.SyscallEpollCreate1X, 14, FDEventpoll},
		{event.SyscallEventfd2X, 15, FDEvent},
		{event.SyscallInotifyInit1X, 16, FDInotify},
		{event.SyscallSignalfd4X, 17, FDSignalfd},
	}
	for _, s := range simple {
		f.ev(10, s.typ-1, nil)
		f.ev(10, s.typ, func(b *event.Builder) { b.I64(s.fd) })
		ok(s.fd, s.ft, "")
	}
	f.ev(10, event.SyscallMemfdCreateE, nil)
	f.ev(10, event.SyscallMemfdCreateX, func(b *event.Builder) { b.I64(20).Str("jit").U32(1) })
	ok(20, FDMemfd, "jit")
	f.seed(30, 1, "target", "/", FDInfo{Num: 3, Type: FDFileV2, Name: "/secret"})
	f.ev(10, event.SyscallPidfdOpenE, nil)
	f.ev(10, event.SyscallPidfdOpenX, func(b *event.Builder) { b.I64(21).I64(30).U32(0) })
	ok(21, FDPidfd, "/proc/30")
	f.ev(10, event.SyscallPidfdGetfdE, nil)
	f.ev(10, event.SyscallPidfdGetfdX, func(b *event.Builder) { b.I64(22).I64(21).I64(3).U32(0) })
	ok(22, FDFileV2, "/secret")
	if f.s.Thread(10).FD(22).OpenFlags&openCloexec == 0 {
		t.Error("pidfd_getfd copy must be close-on-exec")
	}
	// close_range removes a range
	f.ev(10, event.SyscallCloseRangeE, nil)
	f.ev(10, event.SyscallCloseRangeX, func(b *event.Builder) { b.I64(0).U32(7).U32(12).U32(0) })
	for fd := int64(7); fd <= 12; fd++ {
		if f.s.Thread(10).FD(fd) != nil {
			t.Errorf("fd %d survived close_range", fd)
		}
	}
	ok(13, FDIOUring, "")
}

func TestDupAndFcntl(t *testing.T) {
	f := newFeeder(t, nil)
	f.seed(10, 1, "sh", "/")
	f.open(10, "/var/log/x", openWronly|openCloexec, 3)
	// dup (old layout: the fd comes from the enter event)
	f.ev(10, event.SyscallDupE, func(b *event.Builder) { b.I64(3) })
	c := f.ev(10, event.SyscallDupX, func(b *event.Builder) { b.I64(1) })
	if got := fdName(t, c.Thread, 1); got != "/var/log/x" || c.FDNum != 1 {
		t.Errorf("dup: %q num %d", got, c.FDNum)
	}
	if c.Thread.Flags&pplClPipeSrc == 0 {
		t.Error("dup to stdout marks the thread as a pipe source")
	}
	// dup2 and dup3 as the live driver sends them (exit only)
	f.ev(10, event.SyscallDup2X, func(b *event.Builder) { b.I64(7).I64(3).I64(7) })
	if got := fdName(t, c.Thread, 7); got != "/var/log/x" {
		t.Errorf("dup2: %q", got)
	}
	f.ev(10, event.SyscallDup3X, func(b *event.Builder) { b.I64(8).I64(3).I64(8).U32(0) })
	if d := c.Thread.FD(8); d == nil || d.OpenFlags&openCloexec != 0 {
		t.Errorf("dup3 without O_CLOEXEC: %+v", d)
	}
	// fcntl F_DUPFD
	f.ev(10, event.SyscallFcntlE, func(b *event.Builder) { b.I64(3).U8(fcntlDupfd) })
	f.ev(10, event.SyscallFcntlX, func(b *event.Builder) { b.I64(10) })
	if got := fdName(t, c.Thread, 10); got != "/var/log/x" {
		t.Errorf("fcntl dupfd: %q", got)
	}
	// fcntl F_GETFL does not create an fd
	f.ev(10, event.SyscallFcntlE, func(b *event.Builder) { b.I64(3).U8(3) })
	f.ev(10, event.SyscallFcntlX, func(b *event.Builder) { b.I64(11) })
	if c.Thread.FD(11) != nil {
		t.Error("fcntl F_GETFL created an fd")
	}
}

func TestCloseCanceled(t *testing.T) {
	f := newFeeder(t, nil)
	f.seed(10, 1, "app", "/")
	f.open(10, "/a", openRdonly, 3)
	// close enter on fd 3, then another thread reopens 3 before close exit
	f.ev(10, event.SyscallCloseE, func(b *event.Builder) { b.I64(3) })
	f.ev(11, event.SyscallOpenE, func(b *event.Builder) { b.Str("/b").U32(openRdonly).U32(0) })
	th11 := f.s.Thread(11)
	th11.Flags |= CloneFiles
	th11.Pid = 10
	f.ev(11, event.SyscallOpenX, func(b *event.Builder) { b.I64(3).Str("/b").U32(openRdonly).U32(0) })
	if got := fdName(t, f.s.Thread(10), 3); got != "/b" {
		t.Errorf("reopened fd: %q", got)
	}
	if f.s.Thread(10).FD(canceledFD) == nil {
		t.Fatal("the closing fd must be parked while its close is pending")
	}
	f.ev(10, event.SyscallCloseX, func(b *event.Builder) { b.I64(0) })
	f.noop(10)
	// sinsp clears the cancel mark while resolving the close exit's fd, so
	// both the parked entry and the reopened fd go
	if f.s.Thread(10).FD(canceledFD) != nil || f.s.Thread(10).FD(3) != nil {
		t.Errorf("after the close: parked %v, fd 3 %v", f.s.Thread(10).FD(canceledFD), f.s.Thread(10).FD(3))
	}
}

func TestCredentialsAndMisc(t *testing.T) {
	f := newFeeder(t, nil)
	f.seed(10, 1, "su", "/")
	f.ev(10, event.SyscallSetuidE, func(b *event.Builder) { b.U32(0) })
	f.ev(10, event.SyscallSetuidX, func(b *event.Builder) { b.I64(0) })
	f.ev(10, event.SyscallSetresgidE, func(b *event.Builder) { b.U32(5).U32(6).U32(7) })
	f.ev(10, event.SyscallSetresgidX, func(b *event.Builder) { b.I64(0) })
	th := f.s.Thread(10)
	if th.UID != 0 || th.GID != 6 {
		t.Errorf("uid %d gid %d", th.UID, th.GID)
	}
	// -1 leaves the id unchanged
	f.ev(10, event.SyscallSetresuidE, func(b *event.Builder) { b.U32(9).U32(0xffffffff).U32(9) })
	f.ev(10, event.SyscallSetresuidX, func(b *event.Builder) { b.I64(0) })
	if th.UID != 0 {
		t.Errorf("setresuid(-1) changed uid to %d", th.UID)
	}
	// exit-only setuid as the live driver sends it
	f.ev(10, event.SyscallSetuidX, func(b *event.Builder) { b.I64(0).U32(33) })
	if th.UID != 33 {
		t.Errorf("exit-only setuid: %d", th.UID)
	}
	f.ev(10, event.SyscallSetsidE, nil)
	f.ev(10, event.SyscallSetsidX, func(b *event.Builder) { b.I64(10) })
	if th.Sid != 10 {
		t.Errorf("sid %d", th.Sid)
	}
	f.ev(10, event.SyscallChrootE, nil)
	f.ev(10, event.SyscallChrootX, func(b *event.Builder) { b.I64(0).Str("/jail") })
	if th.Root != "/jail" {
		t.Errorf("root %q", th.Root)
	}
	f.ev(10, event.SyscallCapsetE, nil)
	f.ev(10, event.SyscallCapsetX, func(b *event.Builder) { b.I64(0).U64(1).U64(2).U64(3) })
	if th.CapInheritable != 1 || th.CapPermitted != 2 || th.CapEffective != 3 {
		t.Errorf("caps %d %d %d", th.CapInheritable, th.CapPermitted, th.CapEffective)
	}
	f.ev(10, event.SyscallGetrlimitE, func(b *event.Builder) { b.U8(rlimitNofile) })
	f.ev(10, event.SyscallGetrlimitX, func(b *event.Builder) { b.I64(0).I64(65536).I64(65536) })
	if th.FDLimit != 65536 {
		t.Errorf("fdlimit %d", th.FDLimit)
	}
	f.ev(10, event.SchedswitchV6E, func(b *event.Builder) { b.I64(11).U64(1).U64(2).U32(3).U32(4).U32(5) })
	if th.PFMajor != 1 || th.VMRSSKB != 4 {
		t.Errorf("switch: %d %d", th.PFMajor, th.VMRSSKB)
	}
	// users and groups from events
	f.ev(0, event.UserAddedE, func(b *event.Builder) { b.U32(1001).U32(100).Str("bob").Str("/home/bob").Str("/bin/sh").Str("") })
	f.ev(0, event.GroupAddedE, func(b *event.Builder) { b.U32(100).Str("users").Str("") })
	if u := f.s.User(1001); u == nil || u.Name != "bob" || u.Shell != "/bin/sh" {
		t.Errorf("user %+v", u)
	}
	if g := f.s.Group(100); g == nil || g.Name != "users" {
		t.Errorf("group %+v", g)
	}
}

func TestBoundsAndStats(t *testing.T) {
	f := newFeeder(t, &Options{MaxThreads: 3, MaxFDs: 2})
	f.seed(1, 0, "a", "/")
	f.seed(2, 1, "b", "/")
	f.seed(3, 1, "c", "/")
	c := f.noop(4) // unknown thread, table full
	if c.Thread != nil {
		t.Fatal("thread added beyond MaxThreads")
	}
	f.open(1, "/x", openRdonly, 3)
	f.open(1, "/y", openRdonly, 4)
	c = f.open(1, "/z", openRdonly, 5)
	if c.Thread.FD(5) != nil || c.Thread.NumFDs() != 2 {
		t.Fatal("fd added beyond MaxFDs")
	}
	st := f.s.Stats()
	if st.ThreadDrops == 0 || st.FDDrops != 1 || st.Threads != 3 || st.FDs != 2 {
		t.Errorf("stats %+v", st)
	}
}

func TestFilterDropsPendingEnter(t *testing.T) {
	f := newFeeder(t, nil)
	f.seed(10, 1, "app", "/")
	f.open(10, "/a", openRdonly, 3)
	rejectEnters := func(c *Ctx) bool { return !c.Evt.IsEnter() }
	build := func(typ event.Type, fill func(b *event.Builder)) *event.Event {
		f.ts += 1000
		f.b.Reset(f.ts, 10, typ)
		fill(&f.b)
		raw, _ := f.b.Bytes()
		return &event.Event{Raw: append([]byte(nil), raw...)}
	}
	_, shown := f.s.ProcessFiltered(build(event.SyscallReadE, func(b *event.Builder) { b.I64(3).U32(1) }), rejectEnters)
	if shown {
		t.Fatal("rejected enter shown")
	}
	c, shown := f.s.ProcessFiltered(build(event.SyscallReadX, func(b *event.Builder) { b.I64(1).Raw([]byte("x")) }), rejectEnters)
	if !shown {
		t.Fatal("accepted exit not shown")
	}
	// sinsp forgets the enter of a filtered-out non-state event, so the exit
	// does not resolve its fd itself
	if c.FD != nil {
		t.Error("exit after a filtered enter resolved its fd")
	}
	if fi := c.FDInfo(); fi == nil || string(fi.Name) != "/a" {
		t.Error("FDInfo must fall back to the thread's last fd")
	}
	// a write exit is the exception: with a filter, sinsp resolves its fd
	// from the thread's last fd before filtering
	f.s.ProcessFiltered(build(event.SyscallWriteE, func(b *event.Builder) { b.I64(3).U32(1) }), rejectEnters)
	c, _ = f.s.ProcessFiltered(build(event.SyscallWriteX, func(b *event.Builder) { b.I64(1).Raw([]byte("x")) }), rejectEnters)
	if c.FD == nil || string(c.FD.Name) != "/a" {
		t.Error("write exit after a filtered enter must resolve its fd")
	}
}

func TestLivePurge(t *testing.T) {
	f := newFeeder(t, &Options{Live: true, ThreadTimeout: 10_000, ScanInterval: 5_000})
	f.seed(1, 0, "init", "/")
	f.seed(2, 1, "idle", "/")
	f.s.Thread(2).LastEventTs = f.ts
	for i := 0; i < 30; i++ {
		f.noop(1)
	}
	if f.s.Thread(2) != nil {
		t.Error("inactive thread not purged")
	}
	if f.s.Thread(1) == nil {
		t.Error("active thread purged")
	}
	if f.s.Stats().Purged == 0 {
		t.Error("purge not counted")
	}
}

func TestMalformedEvents(t *testing.T) {
	f := newFeeder(t, nil)
	f.seed(10, 1, "app", "/")
	// truncated header
	c := f.s.Process(&event.Event{Raw: make([]byte, 10)})
	if !c.Filtered {
		t.Error("short event not flagged")
	}
	// every exit type with no parameters at all must not panic
	for i := range event.Types() {
		typ := event.Type(i)
		f.ev(10, typ, nil)
	}
	// and with garbage parameters
	for i := range event.Types() {
		typ := event.Type(i)
		f.ev(10, typ, func(b *event.Builder) { b.U8(0xff).Raw([]byte{1, 2, 3}).Str("x").U16(7) })
	}
	var raw [40]byte
	binary.LittleEndian.PutUint32(raw[16:], 40)
	binary.LittleEndian.PutUint16(raw[20:], uint16(event.SyscallOpenX))
	binary.LittleEndian.PutUint32(raw[22:], 9999)
	f.s.Process(&event.Event{Raw: raw[:]})
}
