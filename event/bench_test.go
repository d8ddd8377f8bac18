package event

import (
	"net/netip"
	"testing"
)

// benchEvents are typical events: an open exit, a read exit with an
// 832-byte buffer, a connect exit with an IPv6 tuple, and an execve exit.
func benchEvents(b *testing.B) map[string]*Event {
	data := make([]byte, 832)
	for i := range data {
		data[i] = byte(i)
	}
	return map[string]*Event{
		"open": build(b, SyscallOpenX, func(b *Builder) {
			b.I64(3).Str("/usr/lib/x86_64-linux-gnu/libcurl-gnutls.so.4").U32(0x1001).U32(0).U32(0x803).U64(1234)
		}),
		"read": build(b, SyscallReadX, func(b *Builder) { b.I64(832).Raw(data).I64(3).U32(832) }),
		"connect": build(b, SocketConnectX, func(b *Builder) {
			b.I64(0).SockTuple(netip.MustParseAddrPort("[2600:1f18:262c:6542:9aa6:df7a:9a47:d29e]:37140"),
				netip.MustParseAddrPort("[2607:f8b0:4004:802::2004]:80")).I64(4).SockAddr(netip.MustParseAddrPort("[2607:f8b0:4004:802::2004]:80"))
		}),
		"execve": build(b, SyscallExecveV19X, func(b *Builder) {
			b.I64(0).Str("curl").Strs("-6", "http://www.google.com").I64(17497).I64(17497).I64(3200).Str("/home/ubuntu").
				U64(1024).U64(0).U64(34).U32(508).U32(4).U32(0).Str("curl").
				Strs("cpuset=/", "cpu=/user.slice", "memory=/user.slice").Strs("TERM=xterm", "SHELL=/bin/bash", "HOME=/home/ubuntu").
				U32(0).I64(3200).U32(1000).U32(0)
		}),
	}
}

// BenchmarkHeader decodes the header fields and the parameter bytes of an
// event, as a consumer that does not render does.
func BenchmarkHeader(b *testing.B) {
	e := benchEvents(b)["open"]
	b.ReportAllocs()
	var sink uint64
	for b.Loop() {
		if e.Validate() != nil {
			b.Fatal("invalid")
		}
		sink += e.Ts() + uint64(e.Tid()) + uint64(e.Type()) + uint64(e.NParams())
		p, _ := e.Param(1)
		sink += uint64(len(p))
		fd, _ := e.Int(0)
		sink += uint64(fd)
	}
	_ = sink
}

// BenchmarkAppendArgs renders %evt.args of typical events into a reused
// buffer.
func BenchmarkAppendArgs(b *testing.B) {
	evs := benchEvents(b)
	for _, name := range []string{"open", "read", "connect", "execve"} {
		e := evs[name]
		b.Run(name, func(b *testing.B) {
			buf := make([]byte, 0, 1024)
			b.ReportAllocs()
			for b.Loop() {
				buf = AppendArgs(buf[:0], e, nil)
			}
			b.SetBytes(int64(len(buf)))
		})
	}
	b.Run("open/resolver", func(b *testing.B) {
		e := evs["open"]
		o := &RenderOptions{Resolver: stateResolver{}}
		buf := make([]byte, 0, 1024)
		b.ReportAllocs()
		for b.Loop() {
			buf = AppendArgs(buf[:0], e, o)
		}
	})
}

// BenchmarkAppendArg renders one parameter as %evt.arg.flags does.
func BenchmarkAppendArg(b *testing.B) {
	e := benchEvents(b)["open"]
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = AppendArg(buf[:0], e, 2, nil)
	}
}

func TestRenderingDoesNotAllocate(t *testing.T) {
	evs := benchEvents(&testing.B{})
	buf := make([]byte, 0, 4096)
	o := &RenderOptions{Resolver: stateResolver{}}
	for name, e := range evs {
		for _, opt := range []*RenderOptions{nil, o, {Format: BufHexASCII}, {Flavor: FlavorLibs}} {
			if n := testing.AllocsPerRun(50, func() { buf = AppendArgs(buf[:0], e, opt) }); n != 0 {
				t.Errorf("%s: AppendArgs allocates %.0f times per event", name, n)
			}
		}
	}
}
