package state

import (
	"encoding/binary"
	"net/netip"
)

// Offsets in FD.sock, the layout sinsp uses for its socket union (natural
// alignment, little endian integers, addresses in network byte order).
const (
	v4SIP   = 0
	v4DIP   = 4
	v4SPort = 8
	v4DPort = 10
	v4L4    = 12

	v6SIP   = 0
	v6DIP   = 16
	v6SPort = 32
	v6DPort = 34
	v6L4    = 36

	sv4IP   = 0
	sv4Port = 4
	sv4L4   = 6

	sv6IP   = 0
	sv6Port = 16
	sv6L4   = 18

	unixSrc = 0
	unixDst = 8
)

func (f *FD) u16(off int) uint16       { return binary.LittleEndian.Uint16(f.sock[off:]) }
func (f *FD) setU16(off int, v uint16) { binary.LittleEndian.PutUint16(f.sock[off:], v) }
func (f *FD) v4(off int) [4]byte       { return [4]byte(f.sock[off : off+4]) }
func (f *FD) v6(off int) [16]byte      { return [16]byte(f.sock[off : off+16]) }

// IPv4Tuple returns the socket's IPv4 connection as stored for an
// FDIPv4Sock: source (client) and destination (server) address and port and
// the transport protocol.
func (f *FD) IPv4Tuple() (sip, dip netip.Addr, sport, dport uint16, l4 uint8) {
	return netip.AddrFrom4(f.v4(v4SIP)), netip.AddrFrom4(f.v4(v4DIP)),
		f.u16(v4SPort), f.u16(v4DPort), f.sock[v4L4]
}

// IPv6Tuple returns the socket's IPv6 connection as stored for an
// FDIPv6Sock.
func (f *FD) IPv6Tuple() (sip, dip netip.Addr, sport, dport uint16, l4 uint8) {
	return netip.AddrFrom16(f.v6(v6SIP)), netip.AddrFrom16(f.v6(v6DIP)),
		f.u16(v6SPort), f.u16(v6DPort), f.sock[v6L4]
}

// IPv4Server returns the bound address, port and protocol stored for an
// FDIPv4ServSock.
func (f *FD) IPv4Server() (ip netip.Addr, port uint16, l4 uint8) {
	return netip.AddrFrom4(f.v4(sv4IP)), f.u16(sv4Port), f.sock[sv4L4]
}

// IPv6Server returns the bound address, port and protocol stored for an
// FDIPv6ServSock.
func (f *FD) IPv6Server() (ip netip.Addr, port uint16, l4 uint8) {
	return netip.AddrFrom16(f.v6(sv6IP)), f.u16(sv6Port), f.sock[sv6L4]
}

// Unix returns the source and destination kernel pointers stored for an
// FDUnixSock.
func (f *FD) Unix() (src, dst uint64) {
	return binary.LittleEndian.Uint64(f.sock[unixSrc:]), binary.LittleEndian.Uint64(f.sock[unixDst:])
}

// L4Proto returns the socket's transport protocol the way sinsp reports
// it (fd.l4proto): for client sockets with no role yet, L4NA unless raw;
// L4NA for non-sockets.
func (f *FD) L4Proto() uint8 {
	switch f.Type {
	case FDIPv4Sock:
		if f.sock[v4L4] == L4Raw {
			return L4Raw
		}
		if f.Flags&fdRoleMask == 0 {
			return L4NA
		}
		return f.sock[v4L4]
	case FDIPv4ServSock:
		return f.sock[sv4L4]
	case FDIPv6Sock:
		if f.sock[v6L4] == L4Raw {
			return L4Raw
		}
		if f.Flags&fdRoleMask == 0 {
			return L4NA
		}
		return f.sock[v6L4]
	case FDIPv6ServSock:
		return f.sock[sv6L4]
	}
	return L4NA
}

// Endpoints returns the socket's client and server ends whatever its kind:
// for connected IPv4/IPv6 sockets the stored source (client) and
// destination (server); for server sockets the zero client and the bound
// address; ok is false for other fds.
func (f *FD) Endpoints() (cip netip.Addr, cport uint16, sip netip.Addr, sport uint16, ok bool) {
	switch f.Type {
	case FDIPv4Sock:
		a, b, pa, pb, _ := f.IPv4Tuple()
		return a, pa, b, pb, true
	case FDIPv6Sock:
		a, b, pa, pb, _ := f.IPv6Tuple()
		return a, pa, b, pb, true
	case FDIPv4ServSock:
		ip, p, _ := f.IPv4Server()
		return netip.Addr{}, 0, ip, p, true
	case FDIPv6ServSock:
		ip, p, _ := f.IPv6Server()
		return netip.Addr{}, 0, ip, p, true
	}
	return netip.Addr{}, 0, netip.Addr{}, 0, false
}
