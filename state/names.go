package state

import (
	"encoding/binary"
	"strconv"

	"github.com/syscope/syscope/internal/sinsptext"
)

// maxPath is the path buffer size sinsp joins paths in; longer results are
// replaced by pathTooLong.
const maxPath = 1024

const pathTooLong = "/PATH_TOO_LONG"

// appendJoin appends to dst the path sinsp builds from a directory (with its
// trailing slash) and a name as the event carries it (rawLen is the name's
// parameter length, its NUL included): a relative name is joined to dir, an
// absolute (or empty-parameter) one replaces it; "." and ".." components
// and doubled slashes are resolved, a trailing slash dropped and
// non-printable bytes replaced by '.'.
func appendJoin(dst []byte, dir []byte, name []byte, rawLen int) []byte {
	if maxPath < len(dir)+rawLen+1 {
		return append(dst, pathTooLong...)
	}
	base := len(dst)
	if rawLen != 0 && (len(name) == 0 || name[0] != '/') {
		dst = append(dst, dir...)
	}
	return sinsptext.AppendPath(dst, base, name)
}

// appendSanitized appends s without the bytes sinsp strips from strings it
// renders (non-printable ASCII and high-bit bytes).
func appendSanitized(dst, s []byte) []byte {
	for _, c := range s {
		if !sinsptext.Invalid(c) {
			dst = append(dst, c)
		}
	}
	return dst
}

func appendPort(b []byte, p uint16) []byte { return strconv.AppendUint(b, uint64(p), 10) }

// appendTupleV4 appends an IPv4 socket's name as sinsp renders its tuple
// ("sip:sport->dip:dport" for TCP/UDP, "sip->dip" for ICMP/raw,
// "<unknown>" otherwise).
func appendTupleV4(b []byte, f *FD) []byte {
	switch f.sock[v4L4] {
	case L4TCP, L4UDP:
		b = sinsptext.AppendIPv4(b, f.sock[v4SIP:])
		b = append(b, ':')
		b = appendPort(b, f.u16(v4SPort))
		b = append(b, "->"...)
		b = sinsptext.AppendIPv4(b, f.sock[v4DIP:])
		b = append(b, ':')
		return appendPort(b, f.u16(v4DPort))
	case L4ICMP, L4Raw:
		b = sinsptext.AppendIPv4(b, f.sock[v4SIP:])
		b = append(b, "->"...)
		return sinsptext.AppendIPv4(b, f.sock[v4DIP:])
	}
	return append(b, "<unknown>"...)
}

// appendTupleV6 appends an IPv6 socket's name as sinsp renders its tuple.
func appendTupleV6(b []byte, f *FD) []byte {
	sip, dip := f.sock[v6SIP:v6SIP+16], f.sock[v6DIP:v6DIP+16]
	mapped := sinsptext.IsIPv4Mapped(sip) && sinsptext.IsIPv4Mapped(dip)
	switch f.sock[v6L4] {
	case L4TCP, L4UDP:
		if mapped {
			// sinsp reads the ports at the IPv4 offsets here
			b = sinsptext.AppendIPv4(b, sip[12:])
			b = append(b, ':')
			b = appendPort(b, f.u16(v4SPort))
			b = append(b, "->"...)
			b = sinsptext.AppendIPv4(b, dip[12:])
			b = append(b, ':')
			return appendPort(b, f.u16(v4DPort))
		}
		b = sinsptext.AppendIPv6(b, sip)
		b = append(b, ':')
		b = appendPort(b, f.u16(v6SPort))
		b = append(b, "->"...)
		b = sinsptext.AppendIPv6(b, dip)
		b = append(b, ':')
		return appendPort(b, f.u16(v6DPort))
	case L4ICMP:
		if mapped {
			b = sinsptext.AppendIPv4(b, sip[12:])
			b = append(b, "->"...)
			return sinsptext.AppendIPv4(b, dip[12:])
		}
		b = sinsptext.AppendIPv6(b, sip)
		b = append(b, "->"...)
		return sinsptext.AppendIPv6(b, dip)
	}
	return append(b, "<unknown>"...)
}

// appendSockName appends the name sinsp gives a socket of type IPv4/IPv6
// after a tuple change; other types leave b unchanged.
func appendSockName(b []byte, f *FD) []byte {
	switch f.Type {
	case FDIPv4Sock:
		return appendTupleV4(b, f)
	case FDIPv6Sock:
		return appendTupleV6(b, f)
	}
	return b
}

func appendServerV4(b []byte, f *FD) []byte {
	b = sinsptext.AppendIPv4(b, f.sock[sv4IP:])
	b = append(b, ':')
	return appendPort(b, f.u16(sv4Port))
}

func appendServerV6(b []byte, f *FD) []byte {
	b = sinsptext.AppendIPv6(b, f.sock[sv6IP:sv6IP+16])
	b = append(b, ':')
	return appendPort(b, f.u16(sv6Port))
}

// appendSockaddrStr appends a PT_SOCKADDR parameter as sinsp renders it in
// its simple form.
func appendSockaddrStr(b []byte, p []byte) []byte {
	if len(p) == 0 {
		return b
	}
	switch p[0] {
	case afUnix:
		return appendSanitized(b, cstr(p[1:]))
	case afInet:
		if len(p) != 7 {
			return append(b, "INVALID IPv4"...)
		}
		b = sinsptext.AppendIPv4(b, p[1:5])
		b = append(b, ':')
		return appendPort(b, binary.LittleEndian.Uint16(p[5:]))
	case afInet6:
		if len(p) != 19 {
			return append(b, "INVALID IPv6"...)
		}
		b = sinsptext.AppendIPv6(b, p[1:17])
		b = append(b, ':')
		return appendPort(b, binary.LittleEndian.Uint16(p[17:]))
	}
	b = append(b, "family "...)
	return strconv.AppendInt(b, int64(p[0]), 10)
}

// appendSocktupleStr appends a PT_SOCKTUPLE parameter as sinsp renders it in
// its simple form.
func appendSocktupleStr(b []byte, p []byte) []byte {
	if len(p) == 0 {
		return b
	}
	switch p[0] {
	case afInet:
		if len(p) != 13 {
			return append(b, "INVALID IPv4"...)
		}
		b = sinsptext.AppendIPv4(b, p[1:5])
		b = append(b, ':')
		b = appendPort(b, binary.LittleEndian.Uint16(p[5:]))
		b = append(b, "->"...)
		b = sinsptext.AppendIPv4(b, p[7:11])
		b = append(b, ':')
		return appendPort(b, binary.LittleEndian.Uint16(p[11:]))
	case afInet6:
		if len(p) != 37 {
			return append(b, "INVALID IPv6"...)
		}
		if sinsptext.IsIPv4Mapped(p[1:17]) && sinsptext.IsIPv4Mapped(p[19:35]) {
			b = sinsptext.AppendIPv4(b, p[13:17])
			b = append(b, ':')
			b = appendPort(b, binary.LittleEndian.Uint16(p[17:]))
			b = append(b, "->"...)
			b = sinsptext.AppendIPv4(b, p[31:35])
			b = append(b, ':')
			return appendPort(b, binary.LittleEndian.Uint16(p[35:]))
		}
		b = sinsptext.AppendIPv6(b, p[1:17])
		b = append(b, ':')
		b = appendPort(b, binary.LittleEndian.Uint16(p[17:]))
		b = append(b, "->"...)
		b = sinsptext.AppendIPv6(b, p[19:35])
		b = append(b, ':')
		return appendPort(b, binary.LittleEndian.Uint16(p[35:]))
	case afUnix:
		if len(p) < 17 {
			return b
		}
		b = strconv.AppendUint(b, binary.LittleEndian.Uint64(p[1:]), 16)
		b = append(b, "->"...)
		b = strconv.AppendUint(b, binary.LittleEndian.Uint64(p[9:]), 16)
		b = append(b, ' ')
		return appendSanitized(b, cstr(p[17:]))
	}
	b = append(b, "family "...)
	return strconv.AppendInt(b, int64(p[0]), 10)
}

// Socket address families as the driver encodes them.
const (
	afUnix    = 1
	afInet    = 2
	afInet6   = 10
	afNetlink = 16
)

// cstr returns b up to its first NUL.
func cstr(b []byte) []byte {
	for i, c := range b {
		if c == 0 {
			return b[:i]
		}
	}
	return b
}
