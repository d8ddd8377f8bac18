package event

import (
	"bytes"
	"encoding/binary"
	"net/netip"

	"github.com/syscope/syscope/internal/sinsptext"
)

// Source is anything that yields events one at a time: a capture file
// reader, the live driver. Next fills e with the next event; the bytes e.Raw
// views stay valid until the following call. Next returns io.EOF at the end.
type Source interface {
	Next(e *Event) error
	Close() error
}

// Socket address families as the driver encodes them (PPM_AF_*).
const (
	AFUnspec = 0
	AFUnix   = 1
	AFInet   = 2
	AFInet6  = 10
)

// ParamInfo returns the schema of parameter i, or nil when the schema has no
// such parameter (an event may carry more parameters than its schema lists).
func (e *Event) ParamInfo(i int) *ParamInfo {
	ps := e.Info().Params
	if i < 0 || i >= len(ps) {
		return nil
	}
	return &ps[i]
}

// ParamIndex returns the index of the parameter called name in the event's
// schema, or -1.
func (e *Event) ParamIndex(name string) int { return e.Info().ParamIndex(name) }

// signed reports whether parameters of type t are signed integers.
func signed(t ParamType) bool {
	switch t {
	case PInt8, PInt16, PInt32, PInt64, PErrno, PFd, PPid, PFd32, PPid32:
		return true
	}
	return false
}

// Int returns parameter i as a signed integer: signed types are sign
// extended from their width, others zero extended. It returns false when the
// parameter is absent or is not 1, 2, 4 or 8 bytes long.
func (e *Event) Int(i int) (int64, bool) {
	b, ok := e.Param(i)
	if !ok {
		return 0, false
	}
	s := false
	if pi := e.ParamInfo(i); pi != nil {
		s = signed(pi.Type)
	}
	return intOf(b, s)
}

// Uint returns parameter i as an unsigned integer, zero extended from its
// width, and false when it is absent or not 1, 2, 4 or 8 bytes long.
func (e *Event) Uint(i int) (uint64, bool) {
	b, ok := e.Param(i)
	if !ok {
		return 0, false
	}
	return uintOf(b)
}

func uintOf(b []byte) (uint64, bool) {
	switch len(b) {
	case 1:
		return uint64(b[0]), true
	case 2:
		return uint64(binary.LittleEndian.Uint16(b)), true
	case 4:
		return uint64(binary.LittleEndian.Uint32(b)), true
	case 8:
		return binary.LittleEndian.Uint64(b), true
	}
	return 0, false
}

func intOf(b []byte, signed bool) (int64, bool) {
	u, ok := uintOf(b)
	if !ok || !signed {
		return int64(u), ok
	}
	switch len(b) {
	case 1:
		return int64(int8(u)), true
	case 2:
		return int64(int16(u)), true
	case 4:
		return int64(int32(u)), true
	}
	return int64(u), true
}

// Str returns parameter i as a string's bytes: the parameter without its
// terminating NUL (and without anything after the first NUL). It returns
// false when the parameter is absent.
func (e *Event) Str(i int) ([]byte, bool) {
	b, ok := e.Param(i)
	if !ok {
		return nil, false
	}
	return CString(b), true
}

// CString returns b up to (not including) its first NUL byte.
func CString(b []byte) []byte {
	if j := bytes.IndexByte(b, 0); j >= 0 {
		return b[:j]
	}
	return b
}

// SockAddr is a decoded PT_SOCKADDR parameter.
type SockAddr struct {
	Family uint8
	Addr   netip.AddrPort // for AFInet and AFInet6
	Path   []byte         // for AFUnix, without the NUL
}

// ParseSockAddr decodes a PT_SOCKADDR parameter: a family byte, then an
// address and a port (host byte order) or a unix socket path.
func ParseSockAddr(b []byte) (SockAddr, bool) {
	if len(b) < 1 {
		return SockAddr{}, false
	}
	sa := SockAddr{Family: b[0]}
	switch b[0] {
	case AFInet:
		if len(b) < 7 {
			return sa, false
		}
		sa.Addr = netip.AddrPortFrom(netip.AddrFrom4([4]byte(b[1:5])), binary.LittleEndian.Uint16(b[5:]))
	case AFInet6:
		if len(b) < 19 {
			return sa, false
		}
		sa.Addr = netip.AddrPortFrom(unmap(netip.AddrFrom16([16]byte(b[1:17]))), binary.LittleEndian.Uint16(b[17:]))
	case AFUnix:
		sa.Path = CString(b[1:])
	default:
		return sa, false
	}
	return sa, true
}

// unmap turns an IPv4-mapped IPv6 address into the IPv4 address it maps.
func unmap(a netip.Addr) netip.Addr {
	if a.Is4In6() {
		return a.Unmap()
	}
	return a
}

// SockTuple is a decoded PT_SOCKTUPLE parameter: the two ends of a
// connection (source first, as the driver saw them) or, for unix sockets, the
// two kernel socket pointers and the path.
type SockTuple struct {
	Family   uint8
	Src, Dst netip.AddrPort // AFInet, AFInet6
	SrcPtr   uint64         // AFUnix
	DstPtr   uint64         // AFUnix
	Path     []byte         // AFUnix, without the NUL
	// Mapped is true when both ends of an AFInet6 tuple are IPv4-mapped
	// (::ffff:a.b.c.d) or all zeros, which libsinsp treats as IPv4: Src and
	// Dst are then the IPv4 addresses.
	Mapped bool
}

// ParseSockTuple decodes a PT_SOCKTUPLE parameter.
func ParseSockTuple(b []byte) (SockTuple, bool) {
	if len(b) < 1 {
		return SockTuple{}, false
	}
	st := SockTuple{Family: b[0]}
	switch b[0] {
	case AFInet:
		if len(b) < 13 {
			return st, false
		}
		st.Src = netip.AddrPortFrom(netip.AddrFrom4([4]byte(b[1:5])), binary.LittleEndian.Uint16(b[5:]))
		st.Dst = netip.AddrPortFrom(netip.AddrFrom4([4]byte(b[7:11])), binary.LittleEndian.Uint16(b[11:]))
	case AFInet6:
		if len(b) < 37 {
			return st, false
		}
		s := netip.AddrFrom16([16]byte(b[1:17]))
		d := netip.AddrFrom16([16]byte(b[19:35]))
		if sinsptext.IsIPv4Mapped(b[1:17]) && sinsptext.IsIPv4Mapped(b[19:35]) {
			st.Mapped = true
			s = netip.AddrFrom4([4]byte(b[13:17]))
			d = netip.AddrFrom4([4]byte(b[31:35]))
		}
		st.Src = netip.AddrPortFrom(s, binary.LittleEndian.Uint16(b[17:]))
		st.Dst = netip.AddrPortFrom(d, binary.LittleEndian.Uint16(b[35:]))
	case AFUnix:
		if len(b) < 17 {
			return st, false
		}
		st.SrcPtr = binary.LittleEndian.Uint64(b[1:])
		st.DstPtr = binary.LittleEndian.Uint64(b[9:])
		st.Path = CString(b[17:])
	default:
		return st, false
	}
	return st, true
}

// ForEachFD calls fn for each entry of a PT_FDLIST parameter (a u16 count,
// then an fd u64 and flags u16 per entry), stopping early when fn returns
// false. It returns false when the list is malformed.
func ForEachFD(b []byte, fn func(fd int64, flags uint16) bool) bool {
	if len(b) < 2 {
		return false
	}
	n := int(binary.LittleEndian.Uint16(b))
	b = b[2:]
	if len(b) < n*10 {
		return false
	}
	for k := 0; k < n; k++ {
		if !fn(int64(binary.LittleEndian.Uint64(b[k*10:])), binary.LittleEndian.Uint16(b[k*10+8:])) {
			break
		}
	}
	return true
}

// ForEachString calls fn for each NUL-terminated string of a PT_CHARBUFARRAY
// (or PT_BYTEBUF argument list) parameter, stopping early when fn returns
// false. A last string without a NUL is passed too.
func ForEachString(b []byte, fn func(s []byte) bool) {
	for len(b) > 0 {
		j := bytes.IndexByte(b, 0)
		if j < 0 {
			fn(b)
			return
		}
		if !fn(b[:j]) {
			return
		}
		b = b[j+1:]
	}
}
