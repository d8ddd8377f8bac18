package state

import (
	"encoding/binary"
	"net/netip"
)

// iface4 is an IPv4 interface address and netmask, kept as sinsp keeps them
// (network byte order read as a little-endian word).
type iface4 struct{ addr, mask uint32 }

// AddInterface records a network interface address of the machine (from
// the capture's interface list or the live system). IPv4 addresses need
// their netmask; IPv6 ones are kept whole.
func (s *State) AddInterface(addr, netmask netip.Addr) {
	switch {
	case addr.Is4():
		a, m := addr.As4(), netmask.Unmap().As4()
		s.ifaces4 = append(s.ifaces4, iface4{binary.LittleEndian.Uint32(a[:]), binary.LittleEndian.Uint32(m[:])})
	case addr.Is6():
		s.ifaces6 = append(s.ifaces6, addr.As16())
	}
}

const loopback4 = 0x0100007f

var loopback6 = [16]byte{15: 1}

func le32(b []byte) uint32 { return binary.LittleEndian.Uint32(b) }

// inferIPv4 picks the local address a connection to dst most likely uses:
// dst itself when it is local, an interface in dst's subnet, else the first
// non-loopback interface, else 0.
func (s *State) inferIPv4(dst uint32) uint32 {
	for _, i := range s.ifaces4 {
		if i.addr == dst {
			return i.addr
		}
	}
	for _, i := range s.ifaces4 {
		if i.addr&i.mask == dst&i.mask {
			return i.addr
		}
	}
	for _, i := range s.ifaces4 {
		if i.addr != loopback4 {
			return i.addr
		}
	}
	return 0
}

func sameSubnet6(a, b []byte) bool { return string(a[:8]) == string(b[:8]) }

func (s *State) inferIPv6(dst []byte) [16]byte {
	for _, i := range s.ifaces6 {
		if string(i[:]) == string(dst) {
			return i
		}
	}
	for _, i := range s.ifaces6 {
		if sameSubnet6(i[:], dst) {
			return i
		}
	}
	for _, i := range s.ifaces6 {
		if i != loopback6 {
			return i
		}
	}
	return [16]byte{}
}

// completeFromInterfaces fills a missing end of a socket's tuple with the
// local interface address sinsp would infer.
func (s *State) completeFromInterfaces(f *FD) {
	switch f.Type {
	case FDIPv4Sock:
		sip, dip := le32(f.sock[v4SIP:]), le32(f.sock[v4DIP:])
		if sip != 0 && dip != 0 {
			return
		}
		if sip == 0 {
			n := s.inferIPv4(dip)
			if n == dip && f.u16(v4SPort) == f.u16(v4DPort) {
				return
			}
			binary.LittleEndian.PutUint32(f.sock[v4SIP:], n)
		} else {
			n := s.inferIPv4(sip)
			if n == sip && f.u16(v4SPort) == f.u16(v4DPort) {
				return
			}
			binary.LittleEndian.PutUint32(f.sock[v4DIP:], n)
		}
	case FDIPv6Sock:
		sip, dip := f.sock[v6SIP:v6SIP+16], f.sock[v6DIP:v6DIP+16]
		if !allZero(sip) && !allZero(dip) {
			return
		}
		if allZero(sip) {
			n := s.inferIPv6(dip)
			if string(n[:]) == string(dip) && f.u16(v6SPort) == f.u16(v6DPort) {
				return
			}
			copy(sip, n[:])
		} else {
			n := s.inferIPv6(sip)
			if string(n[:]) == string(sip) && f.u16(v6SPort) == f.u16(v6DPort) {
				return
			}
			copy(dip, n[:])
		}
	}
}

// IsLocalIPv4 reports whether a is the address of one of the machine's
// interfaces (sinsp's test for fd.lip/fd.rip and the server side).
func (s *State) IsLocalIPv4(a netip.Addr) bool {
	if !a.Is4() {
		return false
	}
	b := a.As4()
	v := le32(b[:])
	for _, i := range s.ifaces4 {
		if i.addr == v {
			return true
		}
	}
	return false
}

// IsLocalIPv6 reports whether a is in the /64 of one of the machine's IPv6
// interface addresses.
func (s *State) IsLocalIPv6(a netip.Addr) bool {
	b := a.As16()
	for _, i := range s.ifaces6 {
		if sameSubnet6(b[:], i[:]) {
			return true
		}
	}
	return false
}

// IPv4InLocalSubnet reports whether a is in a private range (10/8,
// 192.168/16, 172.16/12 as sinsp tests it) or in the subnet of one of the
// machine's interfaces.
func (s *State) IPv4InLocalSubnet(a netip.Addr) bool {
	if !a.Is4() {
		return false
	}
	b := a.As4()
	v := le32(b[:])
	if v&0xff == 0x0a || v&0xffff == 0xa8c0 || v&0x3fff == 0x10ac {
		return true
	}
	for _, i := range s.ifaces4 {
		if i.addr&i.mask == v&i.mask {
			return true
		}
	}
	return false
}
