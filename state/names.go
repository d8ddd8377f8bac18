package state

import (
	"encoding/binary"
	"strconv"
)

// maxPath is the path buffer size sinsp joins paths in; longer results are
// replaced by pathTooLong.
const maxPath = 1024

const pathTooLong = "/PATH_TOO_LONG"

// invalidPathByte reports whether sinsp replaces c in a path (non-printable
// ASCII and every byte with the high bit set).
func invalidPathByte(c byte) bool { return c < 0x20 || c > 0x7e }

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
	return sanitizePath(dst, base, name)
}

// sanitizePath appends p to t (whose path starts at index base), resolving
// components the way sinsp's path copier does.
func sanitizePath(t []byte, base int, p []byte) []byte {
	if cleanPath(t, base, p) {
		return append(t, p...)
	}
	return sanitizeSlow(t, base, p)
}

// sanitizeSlow is sanitizePath's general case, byte by byte.
func sanitizeSlow(t []byte, base int, p []byte) []byte {
	at := func(i int) byte {
		if i < len(p) {
			return p[i]
		}
		return 0
	}
	rewind := func(delta int, pc *int) {
		*pc += delta
		tc := len(t)
		if tc <= base+1 {
			return
		}
		tc--
		for tc >= base+1 && t[tc-1] != '/' {
			tc--
		}
		t = t[:tc]
	}
	pc := 0
	for {
		c := at(pc)
		if c == 0 {
			if len(t) > base+1 && t[len(t)-1] == '/' {
				t = t[:len(t)-1]
			}
			return t
		}
		switch {
		case invalidPathByte(c):
			t = append(t, '.')
			pc++
		case c == '.' && at(pc+1) == '.' && at(pc+2) == '/':
			rewind(3, &pc)
		case c == '.' && at(pc+1) == '.':
			if at(pc+2) == 0 {
				rewind(2, &pc)
			} else {
				t = append(t, '.', '.')
				pc += 2
			}
		case c == '.' && at(pc+1) == '/':
			pc += 2
		case c == '.':
			if at(pc+1) == 0 {
				pc++
			} else {
				t = append(t, '.')
				pc++
			}
		case c == '/':
			if len(t) > base && t[len(t)-1] == '/' {
				pc++
			} else {
				t = append(t, '/')
				pc++
			}
		default:
			t = append(t, c)
			pc++
		}
	}
}

// cleanPath reports whether sanitizePath would append p to t unchanged: p
// is not empty, has only printable bytes, no '.' followed by '.', '/' or
// the end, no doubled slash (counting t's last byte before p's first), and
// does not end in a slash.
func cleanPath(t []byte, base int, p []byte) bool {
	n := len(p)
	if n == 0 || p[n-1] == '/' {
		return false
	}
	var prev byte
	if len(t) > base {
		prev = t[len(t)-1]
	}
	for i := 0; i < n; i++ {
		c := p[i]
		switch pathClass[c] {
		case pcPlain:
		case pcDot:
			if i+1 == n || p[i+1] == '.' || p[i+1] == '/' {
				return false
			}
		case pcSlash:
			if prev == '/' {
				return false
			}
		default:
			return false
		}
		prev = c
	}
	return true
}

// Byte classes of cleanPath.
const (
	pcPlain = iota
	pcDot
	pcSlash
	pcInvalid
)

var pathClass = func() (t [256]uint8) {
	for i := range t {
		if invalidPathByte(byte(i)) {
			t[i] = pcInvalid
		}
	}
	t['.'], t['/'] = pcDot, pcSlash
	return t
}()

// appendSanitized appends s without the bytes sinsp strips from strings it
// renders (non-printable ASCII and high-bit bytes).
func appendSanitized(dst, s []byte) []byte {
	for _, c := range s {
		if !invalidPathByte(c) {
			dst = append(dst, c)
		}
	}
	return dst
}

// appendIPv4 appends a dotted quad.
func appendIPv4(b []byte, a []byte) []byte {
	for i := 0; i < 4; i++ {
		if i > 0 {
			b = append(b, '.')
		}
		b = strconv.AppendUint(b, uint64(a[i]), 10)
	}
	return b
}

// appendIPv6 appends a 16-byte address as glibc's inet_ntop writes it: the
// longest run (two or more) of zero groups becomes "::", and addresses of
// the forms ::a.b.c.d and ::ffff:a.b.c.d end in dotted quad.
func appendIPv6(b []byte, a []byte) []byte {
	var w [8]uint16
	for i := range w {
		w[i] = binary.BigEndian.Uint16(a[2*i:])
	}
	bestBase, bestLen := -1, 0
	curBase, curLen := -1, 0
	for i := 0; i < 8; i++ {
		if w[i] == 0 {
			if curBase == -1 {
				curBase, curLen = i, 1
			} else {
				curLen++
			}
		} else if curBase != -1 {
			if bestBase == -1 || curLen > bestLen {
				bestBase, bestLen = curBase, curLen
			}
			curBase = -1
		}
	}
	if curBase != -1 && (bestBase == -1 || curLen > bestLen) {
		bestBase, bestLen = curBase, curLen
	}
	if bestBase != -1 && bestLen < 2 {
		bestBase = -1
	}
	for i := 0; i < 8; i++ {
		if bestBase != -1 && i >= bestBase && i < bestBase+bestLen {
			if i == bestBase {
				b = append(b, ':')
			}
			continue
		}
		if i != 0 {
			b = append(b, ':')
		}
		if i == 6 && bestBase == 0 && (bestLen == 6 || (bestLen == 5 && w[5] == 0xffff)) {
			return appendIPv4(b, a[12:16])
		}
		b = strconv.AppendUint(b, uint64(w[i]), 16)
	}
	if bestBase != -1 && bestBase+bestLen == 8 {
		b = append(b, ':')
	}
	return b
}

func appendPort(b []byte, p uint16) []byte { return strconv.AppendUint(b, uint64(p), 10) }

// appendTupleV4 appends an IPv4 socket's name as sinsp renders its tuple
// ("sip:sport->dip:dport" for TCP/UDP, "sip->dip" for ICMP/raw,
// "<unknown>" otherwise).
func appendTupleV4(b []byte, f *FD) []byte {
	switch f.sock[v4L4] {
	case L4TCP, L4UDP:
		b = appendIPv4(b, f.sock[v4SIP:])
		b = append(b, ':')
		b = appendPort(b, f.u16(v4SPort))
		b = append(b, "->"...)
		b = appendIPv4(b, f.sock[v4DIP:])
		b = append(b, ':')
		return appendPort(b, f.u16(v4DPort))
	case L4ICMP, L4Raw:
		b = appendIPv4(b, f.sock[v4SIP:])
		b = append(b, "->"...)
		return appendIPv4(b, f.sock[v4DIP:])
	}
	return append(b, "<unknown>"...)
}

// appendTupleV6 appends an IPv6 socket's name as sinsp renders its tuple.
func appendTupleV6(b []byte, f *FD) []byte {
	sip, dip := f.sock[v6SIP:v6SIP+16], f.sock[v6DIP:v6DIP+16]
	mapped := isV4Mapped(sip) && isV4Mapped(dip)
	switch f.sock[v6L4] {
	case L4TCP, L4UDP:
		if mapped {
			// sinsp reads the ports at the IPv4 offsets here
			b = appendIPv4(b, sip[12:])
			b = append(b, ':')
			b = appendPort(b, f.u16(v4SPort))
			b = append(b, "->"...)
			b = appendIPv4(b, dip[12:])
			b = append(b, ':')
			return appendPort(b, f.u16(v4DPort))
		}
		b = appendIPv6(b, sip)
		b = append(b, ':')
		b = appendPort(b, f.u16(v6SPort))
		b = append(b, "->"...)
		b = appendIPv6(b, dip)
		b = append(b, ':')
		return appendPort(b, f.u16(v6DPort))
	case L4ICMP:
		if mapped {
			b = appendIPv4(b, sip[12:])
			b = append(b, "->"...)
			return appendIPv4(b, dip[12:])
		}
		b = appendIPv6(b, sip)
		b = append(b, "->"...)
		return appendIPv6(b, dip)
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
	b = appendIPv4(b, f.sock[sv4IP:])
	b = append(b, ':')
	return appendPort(b, f.u16(sv4Port))
}

func appendServerV6(b []byte, f *FD) []byte {
	b = appendIPv6(b, f.sock[sv6IP:sv6IP+16])
	b = append(b, ':')
	return appendPort(b, f.u16(sv6Port))
}

// isV4Mapped reports whether a 16-byte address is an IPv4-mapped address or
// all zeroes (both of which sinsp treats as IPv4).
func isV4Mapped(a []byte) bool {
	for i := 0; i < 10; i++ {
		if a[i] != 0 {
			return false
		}
	}
	if a[10] == 0xff && a[11] == 0xff {
		return true
	}
	for i := 10; i < 16; i++ {
		if a[i] != 0 {
			return false
		}
	}
	return true
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
		b = appendIPv4(b, p[1:5])
		b = append(b, ':')
		return appendPort(b, binary.LittleEndian.Uint16(p[5:]))
	case afInet6:
		if len(p) != 19 {
			return append(b, "INVALID IPv6"...)
		}
		b = appendIPv6(b, p[1:17])
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
		b = appendIPv4(b, p[1:5])
		b = append(b, ':')
		b = appendPort(b, binary.LittleEndian.Uint16(p[5:]))
		b = append(b, "->"...)
		b = appendIPv4(b, p[7:11])
		b = append(b, ':')
		return appendPort(b, binary.LittleEndian.Uint16(p[11:]))
	case afInet6:
		if len(p) != 37 {
			return append(b, "INVALID IPv6"...)
		}
		if isV4Mapped(p[1:17]) && isV4Mapped(p[19:35]) {
			b = appendIPv4(b, p[13:17])
			b = append(b, ':')
			b = appendPort(b, binary.LittleEndian.Uint16(p[17:]))
			b = append(b, "->"...)
			b = appendIPv4(b, p[31:35])
			b = append(b, ':')
			return appendPort(b, binary.LittleEndian.Uint16(p[35:]))
		}
		b = appendIPv6(b, p[1:17])
		b = append(b, ':')
		b = appendPort(b, binary.LittleEndian.Uint16(p[17:]))
		b = append(b, "->"...)
		b = appendIPv6(b, p[19:35])
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
