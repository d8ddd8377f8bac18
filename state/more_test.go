package state

import (
	"net/netip"
	"testing"

	"github.com/syscope/syscope/event"
)

func TestExecveatAndRlimits(t *testing.T) {
	f := newFeeder(t, &Options{Modern: true})
	f.seed(10, 1, "sh", "/home/u")
	f.open(10, "/opt/bin", openRdonly|openDirectory, 5)
	f.ev(10, event.SyscallExecveatE, func(b *event.Builder) { b.I64(5).Str("tool").U32(0) })
	c := f.ev(10, event.SyscallExecveV19X, func(b *event.Builder) {
		b.I64(0).Str("tool").Strs().I64(10).I64(10).I64(1).Str("").U64(1).U64(0).U64(0).U32(0).U32(0).U32(0).Str("tool")
	})
	if c.Thread.ExePath != "/opt/bin/tool" {
		t.Errorf("execveat exepath %q", c.Thread.ExePath)
	}
	// AT_EMPTY_PATH: the dirfd is the executable
	f.open(10, "/usr/bin/env", openRdonly, 6)
	f.ev(10, event.SyscallExecveatE, func(b *event.Builder) { b.I64(6).Str("<NA>").U32(1) })
	c = f.ev(10, event.SyscallExecveV19X, func(b *event.Builder) {
		b.I64(0).Str("env").Strs().I64(10).I64(10).I64(1).Str("").U64(1).U64(0).U64(0).U32(0).U32(0).U32(0).Str("env")
	})
	if c.Thread.ExePath != "/usr/bin/env" {
		t.Errorf("execveat empty path exepath %q", c.Thread.ExePath)
	}
	// prlimit on another process
	f.seed(20, 1, "other", "/")
	f.ev(10, event.SyscallPrlimitE, func(b *event.Builder) { b.I64(20).U8(rlimitNofile) })
	f.ev(10, event.SyscallPrlimitX, func(b *event.Builder) { b.I64(0).I64(777).I64(777).I64(0).I64(0) })
	if got := f.s.Thread(20).FDLimit; got != 777 {
		t.Errorf("prlimit: %d", got)
	}
	// unshare(CLONE_NEWUSER) grants every capability in the new namespace
	f.ev(10, event.SyscallUnshareE, func(b *event.Builder) { b.U32(CloneNewUser) })
	f.ev(10, event.SyscallUnshareX, func(b *event.Builder) { b.I64(0) })
	if f.s.Thread(10).CapEffective != maxCaps {
		t.Errorf("unshare caps %x", f.s.Thread(10).CapEffective)
	}
}

func TestSparseFDsAndSockets(t *testing.T) {
	f := newFeeder(t, &Options{Modern: true})
	f.seed(10, 1, "app", "/")
	f.open(10, "/big", openRdonly, 5000)
	f.open(10, "/bigger", openRdonly, 4000)
	f.open(10, "/small", openRdonly, 3)
	var order []int64
	f.s.Thread(10).ForEachFD(func(fd *FD) bool { order = append(order, fd.Num); return true })
	if len(order) != 3 || order[0] != 3 || order[1] != 4000 || order[2] != 5000 {
		t.Errorf("fd order %v", order)
	}
	f.close(10, 5000)
	f.noop(10)
	if f.s.Thread(10).FD(5000) != nil || f.s.Stats().FDs != 2 {
		t.Errorf("sparse close: %+v", f.s.Stats())
	}
	// IPv6 connect and the tuple accessors
	f.socket(10, afInet6, sockStream, 0, 7)
	f.ev(10, event.SocketConnectE, func(b *event.Builder) { b.I64(7).SockAddr(ap("[2001:db8::1]:443")) })
	c := f.ev(10, event.SocketConnectX, func(b *event.Builder) { b.I64(0).SockTuple(ap("[2001:db8::2]:5555"), ap("[2001:db8::1]:443")) })
	sip, dip, sport, dport, l4 := c.FD.IPv6Tuple()
	if sip.String() != "2001:db8::2" || dip.String() != "2001:db8::1" || sport != 5555 || dport != 443 || l4 != L4TCP {
		t.Errorf("ipv6 tuple %v %v %d %d %d", sip, dip, sport, dport, l4)
	}
	if !c.FD.Type.IsSocket() || c.FD.IsFile() || c.FD.Type.String() != "ipv6" || c.FD.Type.Char() != '6' {
		t.Error("ipv6 socket type helpers")
	}
	// a UDP server receiving: the tuple is turned so the peer is the client
	f.socket(10, afInet, sockDgram, 0, 8)
	f.ev(10, event.SocketBindE, func(b *event.Builder) { b.I64(8) })
	f.ev(10, event.SocketBindX, func(b *event.Builder) { b.I64(0).SockAddr(ap("0.0.0.0:53")) })
	ip, port, _ := f.s.Thread(10).FD(8).IPv4Server()
	if ip.String() != "0.0.0.0" || port != 53 {
		t.Errorf("bound %v %d", ip, port)
	}
	f.ev(10, event.SocketRecvfromE, func(b *event.Builder) { b.I64(8).U32(512) })
	c = f.ev(10, event.SocketRecvfromX, func(b *event.Builder) {
		b.I64(4).Raw([]byte("ping")).SockTuple(ap("192.168.1.9:4000"), ap("192.168.1.1:53"))
	})
	if got := string(c.FD.Name); got != "192.168.1.9:4000->192.168.1.1:53" || !c.FD.IsRoleServer() {
		t.Errorf("udp server name %q flags %x", got, c.FD.Flags)
	}
}

func TestInterfaces(t *testing.T) {
	s := New(nil)
	s.AddInterface(netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("255.0.0.0"))
	s.AddInterface(netip.MustParseAddr("172.17.0.2"), netip.MustParseAddr("255.255.0.0"))
	s.AddInterface(netip.MustParseAddr("2001:db8:1:2::5"), netip.Addr{})
	if !s.IsLocalIPv4(netip.MustParseAddr("172.17.0.2")) || s.IsLocalIPv4(netip.MustParseAddr("172.17.0.3")) {
		t.Error("IsLocalIPv4")
	}
	if !s.IsLocalIPv6(netip.MustParseAddr("2001:db8:1:2::99")) || s.IsLocalIPv6(netip.MustParseAddr("2001:db8:1:3::5")) {
		t.Error("IsLocalIPv6")
	}
	for addr, want := range map[string]bool{"10.9.9.9": true, "192.168.4.4": true, "172.17.9.9": true, "8.8.8.8": false} {
		if got := s.IPv4InLocalSubnet(netip.MustParseAddr(addr)); got != want {
			t.Errorf("IPv4InLocalSubnet(%s) = %v", addr, got)
		}
	}
	var six [16]byte
	dst := netip.MustParseAddr("2001:db8:1:2::1").As16()
	if got := s.inferIPv6(dst[:]); got == six || netip.AddrFrom16(got).String() != "2001:db8:1:2::5" {
		t.Errorf("inferIPv6 %v", netip.AddrFrom16(got))
	}
	if got := s.inferIPv4(le32([]byte{8, 8, 8, 8})); got != le32([]byte{172, 17, 0, 2}) {
		t.Errorf("inferIPv4 %x", got)
	}
}

func TestReparentToReportedReaper(t *testing.T) {
	f := newFeeder(t, &Options{Modern: true})
	f.seed(1, 0, "init", "/")
	f.seed(6, 1, "mid", "/")
	f.seed(7, 6, "leaf", "/")
	f.seed(9, 1, "reaper", "/")
	f.ev(6, event.ProcexitV1E, func(b *event.Builder) { b.I64(0).I64(0).U8(0).U8(0).I64(9) })
	f.noop(7)
	if got := f.s.Thread(7).PTid; got != 9 {
		t.Errorf("reparented to %d, want the reported reaper 9", got)
	}
}

// An exit-only execve (as the live driver emits it) takes proc.exepath from
// the kernel's trusted_exepath parameter, and else from an absolute exe.
func TestExecveExitOnlyExePath(t *testing.T) {
	f := newFeeder(t, nil)
	f.seed(30, 1, "python3", "/tmp")
	c := f.ev(30, event.SyscallExecveV19X, func(b *event.Builder) {
		b.I64(0).Str("cat").Strs("/etc/hosts").I64(30).I64(30).I64(1).Str("/tmp").U64(1024).
			U64(0).U64(0).U32(0).U32(0).U32(0).Str("cat").Strs("cpu=/").Strs("HOME=/root").
			U32(0).I64(30).U32(0).U32(0).U64(0).U64(0).U64(0).U64(0).U64(0).U64(0).U32(0).
			Str("/usr/bin/cat")
	})
	if c.Thread.ExePath != "/usr/bin/cat" {
		t.Errorf("exepath from trusted_exepath: %q", c.Thread.ExePath)
	}
	c = f.ev(30, event.SyscallExecveV19X, func(b *event.Builder) {
		b.I64(0).Str("/usr/bin/head").Strs("-1").I64(30).I64(30).I64(1).Str("/tmp")
	})
	if c.Thread.ExePath != "/usr/bin/head" {
		t.Errorf("exepath from absolute exe: %q", c.Thread.ExePath)
	}
}
