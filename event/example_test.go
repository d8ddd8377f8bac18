package event_test

import (
	"fmt"
	"net/netip"

	"github.com/syscope/syscope/event"
)

// openExit builds the exit event of an open() that returned fd 3.
func openExit() *event.Event {
	var b event.Builder
	b.Reset(1_534_527_348_000_000_000, 17497, event.SyscallOpenX).
		I64(3).Str("/etc/ld.so.cache").U32(0x1001).U32(0).U32(0x803).U64(1234)
	raw, err := b.Bytes()
	if err != nil {
		panic(err)
	}
	return &event.Event{Raw: raw, Num: 219}
}

func ExampleEvent() {
	e := openExit()
	if err := e.Validate(); err != nil {
		fmt.Println(err)
		return
	}
	fd, _ := e.Int(0)
	name, _ := e.Str(1)
	fmt.Println(e.Type(), e.Info().Dir, e.Tid(), e.NParams())
	fmt.Println(e.ParamInfo(0).Name, fd, e.ParamInfo(1).Name, string(name))
	// Output:
	// open < 17497 6
	// fd 3 name /etc/ld.so.cache
}

func ExampleAppendArgs() {
	e := openExit()
	fmt.Printf("%q\n", event.AppendArgs(nil, e, nil))
	// Current libsinsp renders the parameters sysdig 0.29.3 did not know.
	fmt.Printf("%q\n", event.AppendArgs(nil, e, &event.RenderOptions{Flavor: event.FlavorLibs}))
	// Output:
	// "fd=3 name=/etc/ld.so.cache flags=4097(O_RDONLY|O_CLOEXEC) mode=0 dev=803 "
	// "fd=3 name=/etc/ld.so.cache flags=4097(O_RDONLY|O_CLOEXEC) mode=0 dev=803 ino=1234 "
}

func ExampleAppendArg() {
	e := openExit()
	flags := e.ParamIndex("flags")
	arg, _ := event.AppendArg(nil, e, flags, nil)          // %evt.arg.flags
	param, _ := event.AppendParam(nil, e, flags, nil)      // as in %evt.args
	value, _ := event.AppendParamValue(nil, e, flags, nil) // without resolution
	fmt.Println(string(arg))
	fmt.Println(string(param))
	fmt.Println(string(value))
	// Output:
	// O_RDONLY|O_CLOEXEC
	// 4097(O_RDONLY|O_CLOEXEC)
	// 4097
}

// fdNames is a Resolver that knows one file descriptor; everything else is
// left to NopResolver.
type fdNames struct{ event.NopResolver }

func (fdNames) AppendFD(dst []byte, _ *event.Event, fd int64, _ bool) ([]byte, bool) {
	if fd == 3 {
		return append(dst, "<f>/etc/ld.so.cache"...), true
	}
	return dst, false
}

func ExampleResolver() {
	e := openExit()
	p, _ := event.AppendParam(nil, e, 0, &event.RenderOptions{Resolver: fdNames{}})
	fmt.Println(string(p))
	// Output:
	// 3(<f>/etc/ld.so.cache)
}

func ExampleRenderOptions() {
	var b event.Builder
	b.Reset(1, 1, event.SyscallWriteX).I64(12).Raw([]byte("hello\r\nworld"))
	raw, _ := b.Bytes()
	e := &event.Event{Raw: raw}
	for _, f := range []event.BufFormat{event.BufNormal, event.BufBase64, event.BufHexASCII} {
		s, _ := event.AppendArg(nil, e, 1, &event.RenderOptions{Format: f})
		fmt.Printf("%q\n", s)
	}
	// Output:
	// "hello..world"
	// "aGVsbG8NCndvcmxk"
	// "\n\t0x0000: 6865 6c6c 6f0d 0a77 6f72 6c64            hello..world\n"
}

func ExampleBuilder() {
	var b event.Builder
	b.Reset(1, 100, event.SocketConnectX).
		I64(-115).
		SockTuple(netip.MustParseAddrPort("10.0.0.1:40000"), netip.MustParseAddrPort("93.184.216.34:80"))
	e, err := b.Event(1)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(event.ArgsString(&e, nil))
	// Output:
	// res=-115(EINPROGRESS) tuple=10.0.0.1:40000->93.184.216.34:80
}

func ExampleEncode() {
	raw, err := event.Encode(nil, 1, 100, event.SyscallCloseX, []byte{0xf7, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	if err != nil {
		fmt.Println(err)
		return
	}
	e := event.Event{Raw: raw}
	fmt.Println(len(raw), e.Validate(), event.ArgsString(&e, nil))
	// Output:
	// 36 <nil> res=-9(EBADF)
}

func ExampleParseSockTuple() {
	var b event.Builder
	b.Reset(1, 1, event.SocketConnectX).I64(0).
		SockTuple(netip.MustParseAddrPort("[2001:db8::4]:54405"), netip.MustParseAddrPort("[2001:db8::3]:1234"))
	raw, _ := b.Bytes()
	e := event.Event{Raw: raw}
	p, _ := e.Param(1)
	st, ok := event.ParseSockTuple(p)
	fmt.Println(ok, st.Src, st.Dst)
	// Output:
	// true [2001:db8::4]:54405 [2001:db8::3]:1234
}

func ExampleAppendRaw() {
	e := openExit()
	name, _ := e.Param(1)
	s, err := event.AppendRaw(nil, name, event.PFspath, event.FmtNa)
	fmt.Println(string(s), err)
	// Output:
	// /etc/ld.so.cache <nil>
}

func ExampleErrnoName() {
	fmt.Println(event.ErrnoName(-2), event.SignalName(9), event.SyscallName(5))
	// Output:
	// ENOENT SIGKILL open
}

func ExampleFlagTable_AppendNames() {
	fmt.Println(string(event.FlagsFileFlags.AppendNames(nil, 0x1001)))
	fmt.Println(event.FlagsSocketFamilies.ValueName(10))
	// Output:
	// O_RDONLY|O_CLOEXEC
	// AF_INET6
}

// Which event types sysdig 0.29.3 reads, and how many of a type's
// parameters it reads.
func ExampleSysdig029Knows() {
	fmt.Println(event.Sysdig029Knows(event.SyscallDupX), event.Sysdig029Knows(event.SyscallDup2X))
	fmt.Println(event.Sysdig029Params(event.SyscallWriteE), event.Sysdig029Params(event.SyscallEventfdX))
	p, _ := event.Sysdig029Param(event.SyscallWriteE, 0)
	fmt.Println(p.Name, p.Type.Size())
	// Output:
	// true false
	// 2 1
	// fd 8
}
