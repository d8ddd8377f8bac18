package event

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"net/netip"
	"testing"
	"time"
)

func TestEncodeMatchesBuilder(t *testing.T) {
	var b Builder
	b.Reset(123, -7, SyscallOpenX).I64(3).Str("/etc/passwd").U32(1).U32(0).U32(0x803).U64(42)
	fromBuilder, err := b.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	fromEncode, err := Encode(nil, 123, -7, SyscallOpenX,
		le.AppendUint64(nil, 3), []byte("/etc/passwd\x00"), le.AppendUint32(nil, 1),
		le.AppendUint32(nil, 0), le.AppendUint32(nil, 0x803), le.AppendUint64(nil, 42))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(fromBuilder, fromEncode) {
		t.Fatalf("builder %x\nencode  %x", fromBuilder, fromEncode)
	}
	e := Event{Raw: fromEncode}
	if err := e.Validate(); err != nil {
		t.Fatal(err)
	}
	if e.Ts() != 123 || e.Tid() != -7 || e.Type() != SyscallOpenX || e.NParams() != 6 || int(e.Len()) != len(fromEncode) {
		t.Errorf("header: ts %d tid %d type %v nparams %d len %d", e.Ts(), e.Tid(), e.Type(), e.NParams(), e.Len())
	}
	if s, ok := e.Str(1); !ok || string(s) != "/etc/passwd" {
		t.Errorf("Str(1) = %q, %v", s, ok)
	}
	if v, ok := e.Int(0); !ok || v != 3 {
		t.Errorf("Int(0) = %d, %v", v, ok)
	}
	// Reuse does not keep old parameters.
	b.Reset(1, 1, SyscallCloseX).I64(-9)
	raw, _ := b.Bytes()
	e = Event{Raw: raw}
	if e.NParams() != 1 || e.Validate() != nil {
		t.Errorf("after Reset: nparams %d, validate %v", e.NParams(), e.Validate())
	}
	// Appending to a non-empty dst keeps it.
	out, _ := Encode([]byte("xy"), 1, 1, SyscallCloseX, le.AppendUint64(nil, 0))
	if string(out[:2]) != "xy" || (&Event{Raw: out[2:]}).Validate() != nil {
		t.Errorf("Encode into a non-empty dst: %x", out)
	}
}

func TestEncodeLargePayload(t *testing.T) {
	var large Type = NumTypes
	for ty := Type(0); ty < NumTypes; ty++ {
		if ty.Info().Flags&EFLargePayload != 0 && len(ty.Info().Params) > 1 {
			large = ty
			break
		}
	}
	if large == NumTypes {
		t.Skip("no large-payload event type in the schema")
	}
	big := bytes.Repeat([]byte{'x'}, 70000)
	raw, err := Encode(nil, 1, 1, large, []byte{1}, big)
	if err != nil {
		t.Fatal(err)
	}
	e := Event{Raw: raw}
	if err := e.Validate(); err != nil {
		t.Fatal(err)
	}
	if p, ok := e.Param(1); !ok || len(p) != len(big) {
		t.Errorf("large param: %d bytes, %v", len(p), ok)
	}
	if _, err := Encode(nil, 1, 1, SyscallReadX, nil, big); !errors.Is(err, ErrParamTooLong) {
		t.Errorf("70000-byte param of a u16 type: err %v", err)
	}
	var b Builder
	b.Reset(1, 1, SyscallReadX).I64(0).Raw(big)
	if _, err := b.Bytes(); !errors.Is(err, ErrParamTooLong) {
		t.Errorf("Builder: err %v", err)
	}
}

func TestBuilderSocketParams(t *testing.T) {
	var b Builder
	src, dst := netip.MustParseAddrPort("10.0.0.1:40000"), netip.MustParseAddrPort("[2001:db8::1]:80")
	b.Reset(1, 1, SocketConnectX).I64(0).SockTuple(src, dst).I64(3).SockAddr(dst)
	raw, _ := b.Bytes()
	e := Event{Raw: raw}
	p, _ := e.Param(1)
	st, ok := ParseSockTuple(p)
	if !ok || st.Family != AFInet6 || st.Mapped || st.Src != netip.AddrPortFrom(netip.MustParseAddr("::ffff:10.0.0.1"), 40000) || st.Dst != dst {
		t.Errorf("tuple %+v, %v", st, ok)
	}
	p, _ = e.Param(3)
	sa, ok := ParseSockAddr(p)
	if !ok || sa.Family != AFInet6 || sa.Addr != dst {
		t.Errorf("sockaddr %+v, %v", sa, ok)
	}
	b.Reset(1, 1, SocketConnectX).I64(0).UnixSockTuple(1, 2, "/run/s").I64(3).UnixSockAddr("/run/s")
	raw, _ = b.Bytes()
	e = Event{Raw: raw}
	p, _ = e.Param(1)
	if st, ok := ParseSockTuple(p); !ok || st.SrcPtr != 1 || st.DstPtr != 2 || string(st.Path) != "/run/s" {
		t.Errorf("unix tuple %+v, %v", st, ok)
	}
	p, _ = e.Param(3)
	if sa, ok := ParseSockAddr(p); !ok || sa.Family != AFUnix || string(sa.Path) != "/run/s" {
		t.Errorf("unix sockaddr %+v, %v", sa, ok)
	}
	b.Reset(1, 1, SyscallPollE).FDList(FDEntry{3, 1}, FDEntry{-1, 4}).I64(0)
	raw, _ = b.Bytes()
	e = Event{Raw: raw}
	p, _ = e.Param(0)
	var got []FDEntry
	if !ForEachFD(p, func(fd int64, fl uint16) bool { got = append(got, FDEntry{fd, fl}); return true }) || len(got) != 2 || got[1] != (FDEntry{-1, 4}) {
		t.Errorf("fd list %v", got)
	}
	b.Reset(1, 1, SocketConnectX).I64(0).SockTuple(netip.MustParseAddrPort("[::ffff:10.0.0.1]:1"), netip.MustParseAddrPort("[::]:2"))
	raw, _ = b.Bytes()
	e = Event{Raw: raw}
	p, _ = e.Param(1)
	if st, ok := ParseSockTuple(p); !ok || !st.Mapped || st.Src != netip.MustParseAddrPort("10.0.0.1:1") || st.Dst != netip.MustParseAddrPort("0.0.0.0:2") {
		t.Errorf("mapped tuple %+v, %v", st, ok)
	}
}

func TestParseDyn(t *testing.T) {
	de, v, ok := ParseDyn([]byte{2, 7, 0, 0, 0}, DynSockoptDynamicParam)
	if !ok || de.Type != PUint32 || len(v) != 4 {
		t.Errorf("ParseDyn: %+v %x %v", de, v, ok)
	}
	if _, _, ok := ParseDyn([]byte{9}, DynSockoptDynamicParam); ok {
		t.Error("unknown index accepted")
	}
	if _, _, ok := ParseDyn(nil, DynSockoptDynamicParam); ok {
		t.Error("empty param accepted")
	}
	if (*DynTable)(nil).Entry(0) != nil {
		t.Error("nil table has entries")
	}
}

func TestParseIP(t *testing.T) {
	if a, ok := ParseIPAddr([]byte{10, 0, 0, 1}); !ok || a != netip.MustParseAddr("10.0.0.1") {
		t.Errorf("ipv4: %v %v", a, ok)
	}
	a16 := netip.MustParseAddr("2001:db8::1").As16()
	if a, ok := ParseIPAddr(a16[:]); !ok || a.String() != "2001:db8::1" {
		t.Errorf("ipv6: %v %v", a, ok)
	}
	if _, ok := ParseIPAddr([]byte{1, 2, 3}); ok {
		t.Error("3-byte address accepted")
	}
	for _, c := range []struct {
		b    []byte
		want string
		ok   bool
	}{
		{[]byte{10, 1, 0, 0, 255, 255, 0, 0}, "10.1.0.0/16", true},
		{[]byte{10, 1, 2, 0, 255, 255, 254, 0}, "10.1.2.0/23", true},
		{[]byte{0, 0, 0, 0, 0, 0, 0, 0}, "0.0.0.0/0", true},
		{[]byte{10, 0, 0, 0, 255, 0, 255, 0}, "", false},
		{[]byte{10, 0, 0, 0, 0xf0, 0x0f, 0, 0}, "", false},
		{[]byte{10, 0, 0, 0, 0xf1, 0, 0, 0}, "", false},
		{append(append([]byte{}, a16[:]...), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0), "2001:db8::1/64", true},
		{[]byte{1}, "", false},
	} {
		p, ok := ParseIPNet(c.b)
		if ok != c.ok || (ok && p.String() != c.want) {
			t.Errorf("%x: %v %v, want %q %v", c.b, p, ok, c.want, c.ok)
		}
	}
}

func TestForEachPairAndSignal(t *testing.T) {
	var got []string
	ForEachPair([]byte("a\x00b\x00c\x00d\x00e\x00"), func(n, v []byte) bool {
		got = append(got, string(n)+"="+string(v))
		return true
	})
	if want := "a=b c=d e="; join(got) != want {
		t.Errorf("pairs %q, want %q", join(got), want)
	}
	got = nil
	ForEachPair([]byte("a\x00b\x00c\x00d\x00"), func(n, v []byte) bool {
		got = append(got, string(n))
		return false
	})
	if join(got) != "a" {
		t.Errorf("early stop: %q", got)
	}
	var sigs []uint8
	if !ForEachSignal([]byte{0x02, 0x01, 0, 0x80}, func(s uint8) bool { sigs = append(sigs, s); return true }) {
		t.Fatal("4-byte sigset rejected")
	}
	if len(sigs) != 3 || sigs[0] != 2 || sigs[1] != 9 || sigs[2] != 32 {
		t.Errorf("signals %v", sigs)
	}
	if ForEachSignal([]byte{1}, func(uint8) bool { return true }) {
		t.Error("short sigset accepted")
	}
}

func join(ss []string) string {
	var b bytes.Buffer
	for i, s := range ss {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s)
	}
	return b.String()
}

func TestScalarDecoders(t *testing.T) {
	le := binary.LittleEndian
	if d, ok := ParseRelTime(le.AppendUint64(nil, 1500)); !ok || d != 1500*time.Nanosecond {
		t.Errorf("reltime %v %v", d, ok)
	}
	if tm, ok := ParseAbsTime(le.AppendUint64(nil, 1_700_000_000_000_000_123)); !ok || tm.UnixNano() != 1_700_000_000_000_000_123 {
		t.Errorf("abstime %v %v", tm, ok)
	}
	if f, ok := ParseDouble(le.AppendUint64(nil, math.Float64bits(2.5))); !ok || f != 2.5 {
		t.Errorf("double %v %v", f, ok)
	}
	if v, ok := ParseBool(le.AppendUint32(nil, 7)); !ok || !v {
		t.Errorf("bool %v %v", v, ok)
	}
	for _, f := range []func([]byte) bool{
		func(b []byte) bool { _, ok := ParseRelTime(b); return ok },
		func(b []byte) bool { _, ok := ParseAbsTime(b); return ok },
		func(b []byte) bool { _, ok := ParseDouble(b); return ok },
		func(b []byte) bool { _, ok := ParseBool(b); return ok },
	} {
		if f([]byte{1, 2}) {
			t.Error("2-byte scalar accepted")
		}
	}
}

func TestNames(t *testing.T) {
	for _, c := range []struct {
		res  int64
		want string
	}{
		{-2, "ENOENT"}, {-115, "EINPROGRESS"}, {-512, "ERESTARTSYS"}, {-530, "EIOCBRETRY"},
		{-41, ""}, {0, ""}, {5, ""}, {-4294967298, "ENOENT"}, {math.MinInt64, ""},
	} {
		if got := ErrnoName(c.res); got != c.want {
			t.Errorf("ErrnoName(%d) = %q, want %q", c.res, got, c.want)
		}
	}
	if SignalName(9) != "SIGKILL" || SignalName(0) != "" || SignalName(32) != "" || SignalName(6) != "SIGABRT" {
		t.Error("SignalName")
	}
	if SyscallName(5) != "open" || SyscallName(0) != "" || SyscallName(65535) != "" {
		t.Errorf("SyscallName(5) = %q", SyscallName(5))
	}
	if FlagsSocketFamilies.ValueName(1) != "AF_LOCAL" || FlagsSocketFamilies.ValueName(999) != "" || (*FlagTable)(nil).ValueName(1) != "" {
		t.Error("ValueName")
	}
	if got := string(FlagsFileFlags.AppendNames(nil, 0x1001)); got != "O_RDONLY|O_CLOEXEC" {
		t.Errorf("AppendNames = %q", got)
	}
	if got := (*FlagTable)(nil).AppendNames([]byte("x"), 1); string(got) != "x" {
		t.Errorf("nil AppendNames = %q", got)
	}
	for _, c := range []struct{ in, want string }{
		{"res", "res"}, {"fd", "fd"}, {"fdlimit", "fdlimit"}, {"fds", "fds"}, {"namex", "name"}, {"zzz", ""},
	} {
		pi := LongestParamMatch(c.in)
		got := ""
		if pi != nil {
			got = pi.Name
		}
		if got != c.want {
			t.Errorf("LongestParamMatch(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if pi := LongestParamMatch("res"); pi.Type != PErrno {
		t.Errorf("res is typed %d", pi.Type)
	}
}

func TestAppendRaw(t *testing.T) {
	le := binary.LittleEndian
	for _, c := range []struct {
		b    []byte
		t    ParamType
		f    PrintFormat
		want string
		err  error
	}{
		{le.AppendUint64(nil, uint64(1<<63)), PErrno, FmtNa, "-9223372036854775808", nil},
		{le.AppendUint64(nil, 255), PInt64, FmtHex, "FF", nil},
		{le.AppendUint64(nil, 8), PInt64, FmtOct, "10", nil},
		{le.AppendUint64(nil, 8), PUint64, FmtNa, "", ErrRawFormat},
		{le.AppendUint64(nil, 8), PUint64, FmtDec, "8", nil},
		{le.AppendUint64(nil, 7), PUint64, Fmt10Padded, "000000007", nil},
		{le.AppendUint32(nil, 0xffffffff), PUint32, FmtHex, "4294967295", nil},
		{le.AppendUint32(nil, 0xffffffff), PInt32, FmtDec, "-1", nil},
		{le.AppendUint32(nil, 0xffffffff), PInt32, FmtHex, "FFFFFFFF", nil},
		{[]byte{0x80}, PInt8, FmtId, "-128", nil},
		{[]byte{0x80}, PInt8, FmtNa, "", ErrRawFormat},
		{[]byte("ELF\x00rest"), PBytebuf, FmtNa, "ELF", nil},
		{[]byte("/etc\x00"), PFspath, FmtNa, "/etc", nil},
		{[]byte{1, 0, 0, 0}, PBool, FmtNa, "true", nil},
		{[]byte{10, 0, 0, 1}, PIpaddr, FmtNa, "10.0.0.1", nil},
		{le.AppendUint64(nil, math.Float64bits(1.25)), PDouble, FmtNa, "1.2", nil},
		{[]byte{2, 1, 2, 3, 4, 0, 80}, PSockaddr, FmtNa, "", ErrRawFormat},
		{[]byte{1, 2}, PUint64, FmtDec, "", ErrShort},
	} {
		got, err := AppendRaw(nil, c.b, c.t, c.f)
		if string(got) != c.want || !errors.Is(err, c.err) {
			t.Errorf("type %d fmt %d %x: got %q %v, want %q %v", c.t, c.f, c.b, got, err, c.want, c.err)
		}
	}
	_, err := AppendRaw(nil, []byte{1, 0, 0, 0, 0, 0, 0, 0}, PFd, FmtNa)
	var te *RawTypeError
	if !errors.As(err, &te) || te.Type != PFd || err.Error() != "wrong event type 14" {
		t.Errorf("fd: %v", err)
	}
	e := build(t, SyscallOpenX, func(b *Builder) { b.I64(3).Str("/a").U32(1).U32(0).U32(0).U64(0) })
	if got, err := AppendRawParam(nil, e, 1, FmtNa); err != nil || string(got) != "/a" {
		t.Errorf("AppendRawParam: %q %v", got, err)
	}
	if _, err := AppendRawParam(nil, e, 9, FmtNa); !errors.Is(err, ErrShort) {
		t.Errorf("missing param: %v", err)
	}
}
