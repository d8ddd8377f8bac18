package state

import (
	"net/netip"
	"strconv"
)

// appendAddr appends an address as sysdig prints it: dotted quad for IPv4,
// RFC 5952 text for IPv6.
func appendAddr(b []byte, a netip.Addr) []byte {
	if !a.IsValid() {
		return append(b, "0.0.0.0"...)
	}
	return a.AppendTo(b)
}

// appendAddrPort appends "ip:port".
func appendAddrPort(b []byte, a netip.Addr, port uint16) []byte {
	b = appendAddr(b, a)
	b = append(b, ':')
	return strconv.AppendUint(b, uint64(port), 10)
}

// appendTuple appends "sip:sport->dip:dport".
func appendTuple(b []byte, sip netip.Addr, sport uint16, dip netip.Addr, dport uint16) []byte {
	b = appendAddrPort(b, sip, sport)
	b = append(b, "->"...)
	return appendAddrPort(b, dip, dport)
}
