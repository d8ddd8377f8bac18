package event

import (
	"encoding/binary"
	"net/netip"
	"strings"
	"testing"
)

// build encodes an event of type t from the params added by fill.
func build(t testing.TB, typ Type, fill func(b *Builder)) *Event {
	t.Helper()
	var b Builder
	b.Reset(1_000_000_000, 42, typ)
	fill(&b)
	raw, err := b.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	e := &Event{Raw: append([]byte(nil), raw...), Num: 1}
	if err := e.Validate(); err != nil {
		t.Fatal(err)
	}
	return e
}

// stateResolver is a Resolver with a little fixed state.
type stateResolver struct{ NopResolver }

func (stateResolver) AppendFD(dst []byte, _ *Event, fd int64, simple bool) ([]byte, bool) {
	switch fd {
	case 3:
		if simple {
			return append(dst, "<>/etc/ld.so.cache"...), true
		}
		return append(dst, "<f>/etc/ld.so.cache"...), true
	case 4:
		if simple {
			return append(dst, "<t>10.0.0.1:40000->93.184.216.34:80"...), true
		}
		return append(dst, "<4t>10.0.0.1:40000->93.184.216.34:80"...), true
	}
	return dst, false
}

func (stateResolver) FDTypeChar(_ *Event, fd int64) (byte, bool) {
	switch fd {
	case 3:
		return 'f', true
	case 4:
		return '4', true
	}
	return 0, false
}

func (stateResolver) AppendComm(dst []byte, tid int64) ([]byte, bool) {
	if tid == 42 {
		return append(dst, "curl"...), true
	}
	return dst, false
}

func (stateResolver) AppendUserName(dst []byte, _ *Event, uid uint32) ([]byte, bool) {
	if uid == 0 {
		return append(dst, "root"...), true
	}
	return dst, false
}

func (stateResolver) AppendGroupName(dst []byte, _ *Event, gid uint32) ([]byte, bool) {
	if gid == 0 {
		return append(dst, "root"...), true
	}
	return dst, false
}

func (stateResolver) AppendCwd(dst []byte, _ *Event) ([]byte, bool) {
	return append(dst, "/home/user/"...), true
}

func (stateResolver) AppendDirFD(dst []byte, _ *Event, fd int64) ([]byte, bool) {
	if fd == 5 {
		return append(dst, "/var/\x01lib"...), true
	}
	return dst, true
}

// unknownThread is a Resolver whose state does not know the thread.
type unknownThread struct{ stateResolver }

func (unknownThread) ThreadKnown(*Event) bool { return false }

func TestAppendArgs(t *testing.T) {
	v6a := netip.MustParseAddr("2001:db8::4")
	v6b := netip.MustParseAddr("2001:db8::3")
	state := &RenderOptions{Resolver: stateResolver{}}
	libs := &RenderOptions{Flavor: FlavorLibs}
	cases := []struct {
		name string
		typ  Type
		fill func(*Builder)
		o    *RenderOptions
		want string
	}{
		{"open flags", SyscallOpenX, func(b *Builder) {
			b.I64(3).Str("/etc/ld.so.cache").U32(0x1001).U32(0).U32(0x803).U64(12)
		}, nil, "fd=3 name=/etc/ld.so.cache flags=4097(O_RDONLY|O_CLOEXEC) mode=0 dev=803 "},
		{"open with state", SyscallOpenX, func(b *Builder) {
			b.I64(3).Str("/etc/ld.so.cache").U32(0x1001).U32(0644).U32(0x803).U64(12)
		}, state, "fd=3(<f>/etc/ld.so.cache) name=/etc/ld.so.cache flags=4097(O_RDONLY|O_CLOEXEC) mode=0644 dev=803 "},
		{"open ino with current libsinsp", SyscallOpenX, func(b *Builder) {
			b.I64(-2).Str("x").U32(3).U32(0).U32(0).U64(12)
		}, libs, "fd=-2(ENOENT) name=x flags=3(O_RDWR) mode=0 dev=0 ino=12 "},
		{"open newer flags unknown to sysdig", SyscallOpenX, func(b *Builder) {
			b.I64(3).Str("/a").U32(0x4001).U32(0).U32(0).U64(0)
		}, nil, "fd=3 name=/a flags=16385(O_RDONLY) mode=0 dev=0 "},
		{"open newer flags, current libsinsp", SyscallOpenX, func(b *Builder) {
			b.I64(3).Str("/a").U32(0x4001).U32(0).U32(0).U64(0)
		}, libs, "fd=3 name=/a flags=16385(O_RDONLY|O_F_CREATED) mode=0 dev=0 ino=0 "},
		{"errno", SyscallCloseX, func(b *Builder) { b.I64(-9) }, nil, "res=-9(EBADF) "},
		{"errno unknown", SyscallCloseX, func(b *Builder) { b.I64(-41) }, nil, "res=-41 "},
		{"errno positive", SyscallReadX, func(b *Builder) { b.I64(5).Raw([]byte("hel\x00o")) }, nil, "res=5 data=hel.o "},
		{"fd at cwd and errno", SyscallOpenatV2X, func(b *Builder) {
			b.I64(-1).I64(-100).Str("a").U32(0).U32(0).U32(0).U64(0)
		}, nil, "fd=-1(EPERM) dirfd=-100(AT_FDCWD) name=a flags=0(O_NONE) mode=0 dev=0 "},
		{"fd of unknown thread", SyscallOpenatV2X, func(b *Builder) {
			b.I64(-1).I64(-100).Str("a").U32(0).U32(0).U32(0).U64(0)
		}, &RenderOptions{Resolver: unknownThread{}}, "fd=-1 dirfd=-100 name=a flags=0(O_NONE) mode=0 dev=0 "},
		{"relative path against cwd", SyscallOpenatV2X, func(b *Builder) {
			b.I64(3).I64(-100).Str("../x/./y//").U32(1).U32(0).U32(0).U64(0)
		}, state, "fd=3(<f>/etc/ld.so.cache) dirfd=-100(AT_FDCWD) name=../x/./y//(/home/x/y) flags=1(O_RDONLY) mode=0 dev=0 "},
		{"relative path against dirfd", SyscallOpenatV2X, func(b *Builder) {
			b.I64(7).I64(5).Str("a/..").U32(1).U32(0).U32(0).U64(0)
		}, state, "fd=7 dirfd=5 name=a/..(/var/lib) flags=1(O_RDONLY) mode=0 dev=0 "},
		{"relative path against unknown dirfd", SyscallOpenatV2X, func(b *Builder) {
			b.I64(7).I64(6).Str("b\x02c").U32(1).U32(0).U32(0).U64(0)
		}, state, "fd=7 dirfd=6 name=bc(b.c) flags=1(O_RDONLY) mode=0 dev=0 "},
		{"absolute path not resolved", SyscallOpenatV2X, func(b *Builder) {
			b.I64(7).I64(5).Str("/a").U32(1).U32(0).U32(0).U64(0)
		}, state, "fd=7 dirfd=5 name=/a flags=1(O_RDONLY) mode=0 dev=0 "},
		{"path without NUL", SyscallChmodX, func(b *Builder) { b.I64(0).Raw([]byte("/abc")).U32(0755) }, nil,
			"res=0 filename=/ab mode=0755(S_IXOTH|S_IROTH|S_IXGRP|S_IRGRP|S_IXUSR|S_IWUSR|S_IRUSR) "},
		{"mode zero", SyscallChmodX, func(b *Builder) { b.I64(0).Str("/a").U32(0) }, nil, "res=0 filename=/a mode=0 "},
		{"ipv4 tuple", SocketConnectX, func(b *Builder) {
			b.I64(0).SockTuple(netip.MustParseAddrPort("10.0.0.1:40000"), netip.MustParseAddrPort("93.184.216.34:80")).I64(4).SockAddr(netip.MustParseAddrPort("93.184.216.34:80"))
		}, libs, "res=0 tuple=10.0.0.1:40000->93.184.216.34:80 fd=4 addr=93.184.216.34:80 "},
		{"ipv6 tuple", SocketConnectX, func(b *Builder) {
			b.I64(-115).SockTuple(netip.AddrPortFrom(v6a, 54405), netip.AddrPortFrom(v6b, 1234))
		}, nil, "res=-115(EINPROGRESS) tuple=2001:db8::4:54405->2001:db8::3:1234 "},
		{"mapped ipv6 tuple", SocketConnectX, func(b *Builder) {
			b.I64(0).SockTuple(netip.MustParseAddrPort("[::ffff:10.0.0.1]:1"), netip.MustParseAddrPort("[::ffff:10.0.0.2]:2"))
		}, nil, "res=0 tuple=10.0.0.1:1->10.0.0.2:2 "},
		{"unix tuple", SocketConnectX, func(b *Builder) { b.I64(-2).UnixSockTuple(0, 0xffff88003c420800, "/var/run/nscd/socket") }, nil,
			"res=-2(ENOENT) tuple=0->ffff88003c420800 /var/run/nscd/socket "},
		{"empty tuple", SocketConnectX, func(b *Builder) { b.I64(0).Empty() }, nil, "res=0 tuple=NULL "},
		{"bad tuple", SocketConnectX, func(b *Builder) { b.I64(0).Raw([]byte{AFInet, 1}) }, nil, "res=0 tuple=INVALID IPv4 "},
		{"unknown family", SocketConnectX, func(b *Builder) { b.I64(0).Raw([]byte{200}) }, nil, "res=0 tuple=family -56 "},
		{"sockaddr unix", SocketBindX, func(b *Builder) { b.I64(0).UnixSockAddr("/tmp/s\x01ock") }, nil, "res=0 addr=/tmp/sock "},
		{"sockaddr ipv6", SocketBindX, func(b *Builder) { b.I64(0).SockAddr(netip.AddrPortFrom(netip.IPv6Unspecified(), 0)) }, nil, "res=0 addr=:::0 "},
		{"enum", SocketSocketE, func(b *Builder) { b.U32(10).U32(1).U32(6) }, nil, "domain=10(AF_INET6) type=1 proto=6 "},
		{"enum aliases", SocketSocketE, func(b *Builder) { b.U32(1).U32(1).U32(0) }, nil, "domain=1(AF_LOCAL) type=1 proto=0 "},
		{"enum aliases, current libsinsp", SocketSocketE, func(b *Builder) { b.U32(1).U32(1).U32(0) }, libs, "domain=1(AF_LOCAL|AF_UNIX) type=1 proto=0 "},
		{"enum decoded as bits", SyscallFcntlE, func(b *Builder) { b.I64(3).U8(0x1e) }, nil, "fd=3 cmd=30(F_SETPIPE_SZ|F_GETFD|F_OFD_GETLK) "},
		{"enum exact, current libsinsp", SyscallFcntlE, func(b *Builder) { b.I64(3).U8(0x1e) }, libs, "fd=3 cmd=30(F_OFD_GETLK) "},
		{"enum zero", SyscallLseekE, func(b *Builder) { b.I64(3).U64(0).U8(0) }, nil, "fd=3 offset=0 whence=0(SEEK_SET) "},
		{"flags bit order", SyscallFutexE, func(b *Builder) { b.U64(0x7FA6955AF740).U16(129).U64(2147483647) }, nil,
			"addr=7FA6955AF740 op=129(FUTEX_PRIVATE_FLAG|FUTEX_WAKE) val=2147483647 "},
		{"flags equal entry after partial matches", SyscallFutexE, func(b *Builder) { b.U64(0).U16(128).U64(0) }, nil,
			"addr=0 op=128(FUTEX_PRIVATE_FLAG) val=0 "},
		{"flags zero entry", SyscallAccessE, func(b *Builder) { b.U32(0) }, nil, "mode=0(F_OK) "},
		{"flags without match", SyscallAccessE, func(b *Builder) { b.U32(0x40) }, nil, "mode=64 "},
		{"fdlist", SyscallPollE, func(b *Builder) { b.FDList(FDEntry{4, 64}, FDEntry{3, 1}, FDEntry{9, 0xffff}).I64(-1) }, state,
			"fds=4:440 3:f1 9:?ffffffff timeout=-1 "},
		{"fdlist without state", SyscallPollE, func(b *Builder) { b.FDList(FDEntry{-1, 1}).I64(0) }, nil, "fds=18446744073709551615:?1 timeout=0 "},
		{"fdlist of unknown thread", SyscallPollE, func(b *Builder) { b.FDList(FDEntry{4, 64}).I64(0) }, &RenderOptions{Resolver: unknownThread{}}, "fds= timeout=0 "},
		{"pid and signal", SyscallKillE, func(b *Builder) { b.I64(42).U8(9) }, state, "pid=42(curl) sig=9(SIGKILL) "},
		{"unknown signal", SyscallKillE, func(b *Builder) { b.I64(7).U8(40) }, state, "pid=7 sig=40 "},
		{"reltime", SyscallNanosleepE, func(b *Builder) { b.U64(1500000000) }, nil, "interval=1500000000(1.5s) "},
		{"reltime small", SyscallNanosleepE, func(b *Builder) { b.U64(1) }, nil, "interval=1(1e-09s) "},
		{"reltime none", SyscallNanosleepE, func(b *Builder) { b.U64(^uint64(0)) }, nil, "interval=none "},
		{"uid known", SyscallSetuidE, func(b *Builder) { b.U32(0) }, state, "uid=0(root) "},
		{"uid unknown", SyscallSetuidE, func(b *Builder) { b.U32(1000) }, nil, "uid=1000(<NA>) "},
		{"uid none", SyscallSetuidE, func(b *Builder) { b.U32(0xffffffff) }, nil, "uid=-1(<NONE>) "},
		{"uid above 2^31", SyscallSetuidE, func(b *Builder) { b.U32(0x80000000) }, nil, "uid=-2147483648(<NA>) "},
		{"sigset", SyscallPpollE, func(b *Builder) { b.FDList().U64(5).U32(1<<8 | 1<<1 | 1<<31) }, nil, "fds= timeout=5(5e-09s) sigmask=SIGINT SIGKILL "},
		{"dyn", SocketSetsockoptX, func(b *Builder) { b.I64(0).I64(3).U8(1).U8(2).Dyn(2, []byte{1, 0, 0, 0}).U32(4) }, nil,
			"res=0 fd=3 level=1(SOL_SOCKET) optname=2(SO_REUSEADDR) val=1 optlen=4 "},
		{"dyn errno", SocketSetsockoptX, func(b *Builder) { b.I64(0).I64(3).U8(1).U8(2).Dyn(1, le64(-2)).U32(4) }, nil,
			"res=0 fd=3 level=1(SOL_SOCKET) optname=2(SO_REUSEADDR) val=-2(ENOENT) optlen=4 "},
		{"dyn unknown index", SocketSetsockoptX, func(b *Builder) { b.I64(0).I64(3).U8(1).U8(2).Dyn(9, nil).U32(4) }, nil,
			"res=0 fd=3 level=1(SOL_SOCKET) optname=2(SO_REUSEADDR) val=INVALID DYNAMIC PARAMETER optlen=4 "},
		{"dyn hex format of the outer param", SyscallPtraceX, func(b *Builder) { b.I64(0).Dyn(0, le64(255)).Dyn(1, []byte{9}).U16(16).I64(1) }, nil,
			"res=0 addr=FF data=9(SIGKILL) "},
		{"dyn, current libsinsp", SyscallPtraceX, func(b *Builder) { b.I64(0).Dyn(0, le64(255)).Dyn(1, []byte{9}).U16(16).I64(1) }, libs,
			"res=0 addr=FF data=9(SIGKILL) request=16(PTRACE_GETSIGINFO) pid=1 "},
		{"mmap result as sysdig 0.29.3", SyscallMmapX, func(b *Builder) { b.I64(0x7FA69774E000).U32(508).U32(4).U32(0) }, nil,
			"res=7FA69774E000 vm_size=508 vm_rss=4 vm_swap=0 "},
		{"mmap result as current libsinsp", SyscallMmapX, func(b *Builder) { b.I64(-12).U32(508).U32(4).U32(0) }, libs,
			"res=-12(ENOMEM) vm_size=508 vm_rss=4 vm_swap=0 "},
		{"execve truncation and args", SyscallExecveV19X, func(b *Builder) {
			b.I64(0).Str("curl").Strs("-6", "http://www.google.com").I64(42).I64(42).I64(1).Str("/home/user")
		}, state, "res=0 exe=curl args=-6.http://www.google.com. tid=42(curl) pid=42(curl) ptid=1 cwd=/home/user "},
		{"short numeric", SyscallNanosleepE, func(b *Builder) { b.U32(1) }, nil, "interval=<NA> "},
		{"empty param, current libsinsp", SyscallCloseX, func(b *Builder) { b.Empty() }, libs, "res=<NA> "},
		{"extra params not rendered", SyscallCloseX, func(b *Builder) { b.I64(0).I64(3).I64(99) }, libs, "res=0 fd=3 "},
		{"generic events render no args", GenericE, func(b *Builder) { b.U16(5).U16(2) }, nil, ""},
		{"syscall id", SyscallBpfV2X, func(b *Builder) { b.I64(3).U32(0) }, libs, "fd=3 cmd=0(BPF_MAP_CREATE) "},
		{"new types", IterTaskFileSocketInet6E, func(b *Builder) {
			a := v6a.As16()
			b.U32(3).U16(1).U16(6).Raw(a[:]).U16(80).Raw(make([]byte, 16)).U16(0).U64(99)
		}, nil, "fd=3 sk_type=1 sk_proto=6 local_ip=2001:db8::4 local_port=80 remote_ip=:: remote_port=0 ino_num=99 "},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := build(t, c.typ, c.fill)
			if got := string(AppendArgs(nil, e, c.o)); got != c.want {
				t.Errorf("AppendArgs:\n got %q\nwant %q", got, c.want)
			}
		})
	}
}

func le64(v int64) []byte { return binary.LittleEndian.AppendUint64(nil, uint64(v)) }

func TestAppendArgBuffersAndStyles(t *testing.T) {
	data := []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n\x00\x01\xff")
	e := build(t, SyscallReadX, func(b *Builder) { b.I64(int64(len(data))).Raw(data) })
	cases := []struct {
		name string
		o    RenderOptions
		want string
	}{
		{"normal", RenderOptions{}, "GET / HTTP/1.1..Host: x......."},
		{"ascii", RenderOptions{Format: BufEOLs}, "\nGET / HTTP/1.1\nHost: x\n\n"},
		{"ascii compact", RenderOptions{Format: BufEOLsCompact}, "GET / HTTP/1.1\nHost: x\n\n"},
		{"json ascii", RenderOptions{Format: BufJSONEOLs}, "\nGET / HTTP/1.1\nHost: x\n\n"},
		{"base64", RenderOptions{Format: BufBase64}, "R0VUIC8gSFRUUC8xLjENCkhvc3Q6IHgNCg0KAAH/"},
		{"json base64", RenderOptions{Format: BufJSONBase64}, "R0VUIC8gSFRUUC8xLjENCkhvc3Q6IHgNCg0KAAH/"},
		{"json", RenderOptions{Format: BufJSON}, "GET / HTTP/1.1..Host: x......."},
		{"hex", RenderOptions{Format: BufHex}, "\n\t0x0000: 4745 5420 2f20 4854 5450 2f31 2e31 0d0a\n\t0x0010: 486f 7374 3a20 780d 0a0d 0a00 01ff\n"},
		{"hex ascii", RenderOptions{Format: BufHexASCII},
			"\n\t0x0000: 4745 5420 2f20 4854 5450 2f31 2e31 0d0a  GET / HTTP/1.1..\n\t0x0010: 486f 7374 3a20 780d 0a0d 0a00 01ff       Host: x......."},
		{"json hex", RenderOptions{Format: BufJSONHex}, "\n\t0x0000: 4745 5420 2f20 4854 5450 2f31 2e31 0d0a\n\t0x0010: 486f 7374 3a20 780d 0a0d 0a00 01ff\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := AppendArg(nil, e, 1, &c.o)
			want := c.want
			if c.o.Format == BufHexASCII {
				want += "\n"
			}
			if !ok || string(got) != want {
				t.Errorf("got %q, want %q", got, want)
			}
		})
	}

	long := strings.Repeat("ab", 50)
	el := build(t, SyscallReadX, func(b *Builder) { b.I64(100).Raw([]byte(long)) })
	for _, c := range []struct {
		max  int
		want string
	}{
		{0, long[:77] + "..."},
		{-1, long},
		{3, "aba"},
		{4, "a..."},
		{100, long},
		{99, long[:96] + "..."},
	} {
		got, _ := AppendArg(nil, el, 1, &RenderOptions{MaxBufLen: c.max})
		if string(got) != c.want {
			t.Errorf("MaxBufLen %d: got %q, want %q", c.max, got, c.want)
		}
	}
	// The limit applies to the normal format only.
	if got, _ := AppendArg(nil, el, 1, &RenderOptions{Format: BufJSON}); string(got) != long {
		t.Errorf("JSON buffers are not cut: got %q", got)
	}
	// Empty buffers render empty in every format.
	ee := build(t, SyscallReadX, func(b *Builder) { b.I64(0).Empty() })
	for _, f := range []BufFormat{BufNormal, BufHex, BufHexASCII, BufEOLs, BufBase64} {
		if got, ok := AppendArg(nil, ee, 1, &RenderOptions{Format: f}); !ok || len(got) != 0 {
			t.Errorf("format %d: empty buffer rendered %q", f, got)
		}
	}

	// Styles: args, arg and value.
	s := &RenderOptions{Resolver: stateResolver{}}
	eo := build(t, SyscallOpenX, func(b *Builder) { b.I64(3).Str("/etc/ld.so.cache").U32(0x1001).U32(0).U32(0).U64(0) })
	for _, c := range []struct {
		fn   func([]byte, *Event, int, *RenderOptions) ([]byte, bool)
		i    int
		o    *RenderOptions
		want string
	}{
		{AppendParam, 0, s, "3(<f>/etc/ld.so.cache)"},
		{AppendArg, 0, s, "<f>/etc/ld.so.cache"},
		{AppendParamValue, 0, s, "3"},
		{AppendArg, 0, &RenderOptions{Resolver: stateResolver{}, Format: BufSimple}, "<>/etc/ld.so.cache"},
		{AppendParam, 2, nil, "4097(O_RDONLY|O_CLOEXEC)"},
		{AppendArg, 2, nil, "O_RDONLY|O_CLOEXEC"},
		{AppendParamValue, 2, nil, "4097"},
		{AppendArg, 3, nil, "0"},
		{AppendArg, 1, nil, "/etc/ld.so.cache"},
	} {
		got, ok := c.fn([]byte("prefix:"), eo, c.i, c.o)
		if !ok || string(got) != "prefix:"+c.want {
			t.Errorf("param %d: got %q, want %q", c.i, got, "prefix:"+c.want)
		}
	}
	// Parameters beyond what sysdig renders are absent.
	for _, i := range []int{-1, 5, 6, 100} {
		if got, ok := AppendArg(nil, eo, i, nil); ok || len(got) != 0 {
			t.Errorf("param %d: got %q, %v; want absent", i, got, ok)
		}
	}
	if got, ok := AppendArg(nil, eo, 5, &RenderOptions{Flavor: FlavorLibs}); !ok || string(got) != "0" {
		t.Errorf("ino with current libsinsp: got %q, %v", got, ok)
	}
	if got := ParamAsString(eo, 2, nil); got != "O_RDONLY|O_CLOEXEC" {
		t.Errorf("ParamAsString = %q", got)
	}
	if got := ArgsString(eo, nil); !strings.HasPrefix(got, "fd=3 name=") {
		t.Errorf("ArgsString = %q", got)
	}
}

func TestSyscallIDRendering(t *testing.T) {
	for _, c := range []struct {
		code uint16
		o    *RenderOptions
		want string
	}{
		{5, nil, "open"},
		{298, nil, "sigreturn"},
		{298, &RenderOptions{Flavor: FlavorLibs}, "rt_sigreturn"},
		{329, nil, "<unknown syscall>"},
		{60000, &RenderOptions{Flavor: FlavorLibs}, "<unknown syscall>"},
	} {
		e := build(t, GenericX, func(b *Builder) { b.U16(c.code).U16(0) })
		got, ok := AppendArg(nil, e, 0, c.o)
		if !ok || string(got) != c.want {
			t.Errorf("code %d: got %q, want %q", c.code, got, c.want)
		}
	}
	e := build(t, GenericX, func(b *Builder) { b.U16(5).U16(2) })
	if got, _ := AppendParam(nil, e, 0, nil); string(got) != "5(open)" {
		t.Errorf("AppendParam = %q", got)
	}
}

func TestAppendCNum(t *testing.T) {
	for _, c := range []struct {
		u    uint64
		t    ParamType
		f    PrintFormat
		want string
	}{
		{0xff, PInt8, FmtDec, "-1"},
		{0xff, PInt8, FmtHex, "FFFFFFFF"},
		{0xff, PInt8, FmtOct, "037777777777"},
		{0xff, PUint8, FmtHex, "FF"},
		{0xffffffff, PUint32, FmtDec, "-1"},
		{0xffffffff, PUint32, FmtHex, "FFFFFFFF"},
		{^uint64(0), PUint64, FmtDec, "-1"},
		{^uint64(0), PUint64, FmtHex, "FFFFFFFFFFFFFFFF"},
		{5, PInt64, Fmt10Padded, "000000005"},
		{^uint64(4), PInt64, Fmt10Padded, "-00000005"},
		{0, PUint32, FmtOct, "0"},
		{8, PUint32, FmtOct, "010"},
		{7, PUint16, FmtId, "7"},
	} {
		if got := string(appendCNum(nil, c.u, c.t, c.f)); got != c.want {
			t.Errorf("%#x as %d/%d: got %q, want %q", c.u, c.t, c.f, got, c.want)
		}
	}
}

func TestRenderMalformedEvents(t *testing.T) {
	e := build(t, SyscallOpenX, func(b *Builder) { b.I64(3).Str("/a").U32(1).U32(0).U32(0).U64(0) })
	for n := 0; n < len(e.Raw); n++ {
		c := Event{Raw: e.Raw[:n]}
		_ = AppendArgs(nil, &c, nil)
		for i := 0; i < 7; i++ {
			AppendParam(nil, &c, i, &RenderOptions{Resolver: stateResolver{}})
		}
	}
	// A length field pointing past the end stops the rendering there.
	bad := append([]byte(nil), e.Raw...)
	binary.LittleEndian.PutUint16(bad[HeaderLen+2:], 60000)
	c := Event{Raw: bad}
	if got := string(AppendArgs(nil, &c, nil)); got != "fd=3 " {
		t.Errorf("got %q", got)
	}
}
