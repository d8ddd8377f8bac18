package event

import (
	"encoding/binary"
	"errors"
	"math"
	"net/netip"
)

// ErrParamTooLong reports a parameter longer than its length field can
// express (64 KiB - 1 for most event types).
var ErrParamTooLong = errors.New("event: parameter too long for its event type")

// Encode appends to dst one event in the wire layout: the 26-byte header
// with timestamp ts, thread tid, type t and len(params) parameters, the
// parameter lengths (u32 for the large-payload types, else u16), then the
// parameters. It returns ErrParamTooLong when a parameter does not fit its
// length field.
func Encode(dst []byte, ts uint64, tid int64, t Type, params ...[]byte) ([]byte, error) {
	ls := 2
	if t.Info().Flags&EFLargePayload != 0 {
		ls = 4
	}
	total := HeaderLen + ls*len(params)
	for _, p := range params {
		if ls == 2 && len(p) > math.MaxUint16 {
			return dst, ErrParamTooLong
		}
		total += len(p)
	}
	if total > math.MaxUint32 {
		return dst, ErrParamTooLong
	}
	dst = binary.LittleEndian.AppendUint64(dst, ts)
	dst = binary.LittleEndian.AppendUint64(dst, uint64(tid))
	dst = binary.LittleEndian.AppendUint32(dst, uint32(total))
	dst = binary.LittleEndian.AppendUint16(dst, uint16(t))
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(params)))
	for _, p := range params {
		if ls == 2 {
			dst = binary.LittleEndian.AppendUint16(dst, uint16(len(p)))
		} else {
			dst = binary.LittleEndian.AppendUint32(dst, uint32(len(p)))
		}
	}
	for _, p := range params {
		dst = append(dst, p...)
	}
	return dst, nil
}

// Builder assembles an event one typed parameter at a time, for tests,
// capture writers and synthetic sources. Its buffers are reused across
// Reset calls, so building does not allocate once they have grown.
//
//	var b event.Builder
//	b.Reset(ts, tid, event.SyscallOpenX)
//	b.I64(3).Str("/etc/passwd").U32(0x1001).U32(0).U32(0x803).U64(42)
//	raw, err := b.Bytes()
type Builder struct {
	t      Type
	ts     uint64
	tid    int64
	lens   []int
	data   []byte
	out    []byte
	tooBig bool
}

// Reset starts a new event.
func (b *Builder) Reset(ts uint64, tid int64, t Type) *Builder {
	b.t, b.ts, b.tid = t, ts, tid
	b.lens = b.lens[:0]
	b.data = b.data[:0]
	b.tooBig = false
	return b
}

func (b *Builder) add(n int) *Builder {
	if n > math.MaxUint16 && b.t.Info().Flags&EFLargePayload == 0 {
		b.tooBig = true
	}
	b.lens = append(b.lens, n)
	return b
}

// Raw adds a parameter made of the bytes p.
func (b *Builder) Raw(p []byte) *Builder {
	b.data = append(b.data, p...)
	return b.add(len(p))
}

// Empty adds an empty parameter (length 0).
func (b *Builder) Empty() *Builder { return b.add(0) }

// U8 adds a 1-byte parameter (uint8, flags8, sigtype, ...).
func (b *Builder) U8(v uint8) *Builder { b.data = append(b.data, v); return b.add(1) }

// U16 adds a 2-byte parameter.
func (b *Builder) U16(v uint16) *Builder {
	b.data = binary.LittleEndian.AppendUint16(b.data, v)
	return b.add(2)
}

// U32 adds a 4-byte parameter (uint32, flags32, uid, mode, ...).
func (b *Builder) U32(v uint32) *Builder {
	b.data = binary.LittleEndian.AppendUint32(b.data, v)
	return b.add(4)
}

// U64 adds an 8-byte parameter.
func (b *Builder) U64(v uint64) *Builder {
	b.data = binary.LittleEndian.AppendUint64(b.data, v)
	return b.add(8)
}

// I64 adds an 8-byte signed parameter (int64, errno, fd, pid).
func (b *Builder) I64(v int64) *Builder { return b.U64(uint64(v)) }

// Str adds a NUL-terminated string parameter (charbuf, fspath).
func (b *Builder) Str(s string) *Builder {
	b.data = append(b.data, s...)
	b.data = append(b.data, 0)
	return b.add(len(s) + 1)
}

// Strs adds a parameter of NUL-terminated strings back to back (execve's
// args and env, charbuf arrays and pair arrays).
func (b *Builder) Strs(ss ...string) *Builder {
	n := 0
	for _, s := range ss {
		b.data = append(b.data, s...)
		b.data = append(b.data, 0)
		n += len(s) + 1
	}
	return b.add(n)
}

// SockAddr adds a PT_SOCKADDR parameter for an IPv4 or IPv6 address and port
// (an IPv4 address gives the AF_INET form, any other the AF_INET6 form).
func (b *Builder) SockAddr(ap netip.AddrPort) *Builder {
	a := ap.Addr()
	if a.Is4() {
		b.data = append(b.data, AFInet)
		a4 := a.As4()
		b.data = append(b.data, a4[:]...)
		b.data = binary.LittleEndian.AppendUint16(b.data, ap.Port())
		return b.add(7)
	}
	b.data = append(b.data, AFInet6)
	a16 := a.As16()
	b.data = append(b.data, a16[:]...)
	b.data = binary.LittleEndian.AppendUint16(b.data, ap.Port())
	return b.add(19)
}

// UnixSockAddr adds a PT_SOCKADDR parameter for a unix socket path.
func (b *Builder) UnixSockAddr(path string) *Builder {
	b.data = append(b.data, AFUnix)
	b.data = append(b.data, path...)
	b.data = append(b.data, 0)
	return b.add(len(path) + 2)
}

// SockTuple adds a PT_SOCKTUPLE parameter for a connection between src and
// dst: the AF_INET form when both are IPv4, else the AF_INET6 form (IPv4
// addresses then mapped).
func (b *Builder) SockTuple(src, dst netip.AddrPort) *Builder {
	if src.Addr().Is4() && dst.Addr().Is4() {
		b.data = append(b.data, AFInet)
		for _, ap := range [2]netip.AddrPort{src, dst} {
			a4 := ap.Addr().As4()
			b.data = append(b.data, a4[:]...)
			b.data = binary.LittleEndian.AppendUint16(b.data, ap.Port())
		}
		return b.add(13)
	}
	b.data = append(b.data, AFInet6)
	for _, ap := range [2]netip.AddrPort{src, dst} {
		a16 := ap.Addr().As16()
		b.data = append(b.data, a16[:]...)
		b.data = binary.LittleEndian.AppendUint16(b.data, ap.Port())
	}
	return b.add(37)
}

// UnixSockTuple adds a PT_SOCKTUPLE parameter for a unix socket: the two
// kernel socket addresses and the path.
func (b *Builder) UnixSockTuple(src, dst uint64, path string) *Builder {
	b.data = append(b.data, AFUnix)
	b.data = binary.LittleEndian.AppendUint64(b.data, src)
	b.data = binary.LittleEndian.AppendUint64(b.data, dst)
	b.data = append(b.data, path...)
	b.data = append(b.data, 0)
	return b.add(1 + 16 + len(path) + 1)
}

// FDEntry is one entry of a PT_FDLIST parameter.
type FDEntry struct {
	FD    int64
	Flags uint16
}

// FDList adds a PT_FDLIST parameter.
func (b *Builder) FDList(fds ...FDEntry) *Builder {
	b.data = binary.LittleEndian.AppendUint16(b.data, uint16(len(fds)))
	for _, f := range fds {
		b.data = binary.LittleEndian.AppendUint64(b.data, uint64(f.FD))
		b.data = binary.LittleEndian.AppendUint16(b.data, f.Flags)
	}
	return b.add(2 + 10*len(fds))
}

// Dyn adds a PT_DYN parameter: the index byte, then the value bytes.
func (b *Builder) Dyn(idx uint8, v []byte) *Builder {
	b.data = append(b.data, idx)
	b.data = append(b.data, v...)
	return b.add(1 + len(v))
}

// Bytes returns the encoded event. The slice is valid until the next Reset
// or Bytes call. It returns ErrParamTooLong when a parameter did not fit.
func (b *Builder) Bytes() ([]byte, error) {
	if b.tooBig {
		return nil, ErrParamTooLong
	}
	ls := 2
	if b.t.Info().Flags&EFLargePayload != 0 {
		ls = 4
	}
	total := HeaderLen + ls*len(b.lens) + len(b.data)
	if total > math.MaxUint32 {
		return nil, ErrParamTooLong
	}
	out := b.out[:0]
	out = binary.LittleEndian.AppendUint64(out, b.ts)
	out = binary.LittleEndian.AppendUint64(out, uint64(b.tid))
	out = binary.LittleEndian.AppendUint32(out, uint32(total))
	out = binary.LittleEndian.AppendUint16(out, uint16(b.t))
	out = binary.LittleEndian.AppendUint32(out, uint32(len(b.lens)))
	for _, l := range b.lens {
		if ls == 2 {
			out = binary.LittleEndian.AppendUint16(out, uint16(l))
		} else {
			out = binary.LittleEndian.AppendUint32(out, uint32(l))
		}
	}
	out = append(out, b.data...)
	b.out = out
	return out, nil
}

// Event returns a view of the encoded event (see Bytes), with Num num.
func (b *Builder) Event(num uint64) (Event, error) {
	raw, err := b.Bytes()
	if err != nil {
		return Event{}, err
	}
	return Event{Raw: raw, Num: num}, nil
}
