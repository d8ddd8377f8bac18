// Package sinsptext writes paths and network addresses the way libsinsp
// renders them: paths resolved against a directory as its path copier does,
// IPv4 addresses as dotted quads and IPv6 addresses as glibc's inet_ntop
// writes them. Package event renders event parameters with it and package
// state names descriptors with it, so both give the same text.
package sinsptext

import (
	"encoding/binary"
	"strconv"
)

// Invalid reports whether libsinsp replaces (in paths) or drops (in names)
// the byte c: non-printable ASCII and every byte with the high bit set.
func Invalid(c byte) bool { return c < 0x20 || c > 0x7e }

// AppendPath appends p to dst, where dst[root:] is the directory p is
// relative to (or nothing), resolving p as libsinsp does: "." and "./"
// components vanish, ".." removes what follows the last slash before it
// (everything after root when there is none, nothing when at most one byte
// follows root: "/" stays), doubled slashes collapse, invalid bytes become
// '.', and a trailing slash is dropped. p ends at its first NUL.
func AppendPath(dst []byte, root int, p []byte) []byte {
	if clean(dst, root, p) {
		return append(dst, p...)
	}
	return appendPathSlow(dst, root, p)
}

// appendPathSlow is AppendPath's general case, byte by byte.
func appendPathSlow(t []byte, root int, p []byte) []byte {
	at := func(i int) byte {
		if i < len(p) {
			return p[i]
		}
		return 0
	}
	// rewind skips delta bytes of p and removes the last component of t.
	rewind := func(delta int, pc *int) {
		*pc += delta
		tc := len(t)
		if tc <= root+1 {
			return
		}
		tc--
		for tc >= root+1 && t[tc-1] != '/' {
			tc--
		}
		t = t[:tc]
	}
	for pc := 0; ; {
		c := at(pc)
		if c == 0 {
			if len(t) > root+1 && t[len(t)-1] == '/' {
				t = t[:len(t)-1]
			}
			return t
		}
		switch {
		case Invalid(c):
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
			if at(pc+1) != 0 {
				t = append(t, '.')
			}
			pc++
		case c == '/':
			if len(t) <= root || t[len(t)-1] != '/' {
				t = append(t, '/')
			}
			pc++
		default:
			t = append(t, c)
			pc++
		}
	}
}

// clean reports whether AppendPath would append p to t unchanged: p is not
// empty, has no invalid byte (NUL included), no '.' followed by '.', '/' or
// the end, no doubled slash (counting t's last byte before p's first), and
// does not end in a slash.
func clean(t []byte, root int, p []byte) bool {
	n := len(p)
	if n == 0 || p[n-1] == '/' {
		return false
	}
	var prev byte
	if len(t) > root {
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

// Byte classes of clean.
const (
	pcPlain = iota
	pcDot
	pcSlash
	pcInvalid
)

var pathClass = func() (t [256]uint8) {
	for i := range t {
		if Invalid(byte(i)) {
			t[i] = pcInvalid
		}
	}
	t['.'], t['/'] = pcDot, pcSlash
	return t
}()

// AppendIPv4 appends the 4-byte address a as a dotted quad.
func AppendIPv4(dst []byte, a []byte) []byte {
	for i := 0; i < 4; i++ {
		if i > 0 {
			dst = append(dst, '.')
		}
		switch b := a[i]; {
		case b >= 100:
			dst = append(dst, '0'+b/100, '0'+b/10%10, '0'+b%10)
		case b >= 10:
			dst = append(dst, '0'+b/10, '0'+b%10)
		default:
			dst = append(dst, '0'+b)
		}
	}
	return dst
}

// AppendIPv6 appends the 16-byte address a as glibc's inet_ntop writes it:
// the longest run (first on ties) of two or more zero groups becomes "::",
// groups are lower-case hex without leading zeros, and IPv4-compatible
// (::a.b.c.d) and IPv4-mapped (::ffff:a.b.c.d) addresses end in a dotted
// quad.
func AppendIPv6(dst []byte, a []byte) []byte {
	var w [8]uint16
	for i := range w {
		w[i] = binary.BigEndian.Uint16(a[2*i:])
	}
	bestBase, bestLen := -1, 0
	curBase, curLen := -1, 0
	for i := 0; i < 8; i++ {
		if w[i] == 0 {
			if curBase < 0 {
				curBase, curLen = i, 1
			} else {
				curLen++
			}
			continue
		}
		if curBase >= 0 {
			if bestBase < 0 || curLen > bestLen {
				bestBase, bestLen = curBase, curLen
			}
			curBase = -1
		}
	}
	if curBase >= 0 && (bestBase < 0 || curLen > bestLen) {
		bestBase, bestLen = curBase, curLen
	}
	if bestBase >= 0 && bestLen < 2 {
		bestBase = -1
	}
	for i := 0; i < 8; i++ {
		if bestBase >= 0 && i >= bestBase && i < bestBase+bestLen {
			if i == bestBase {
				dst = append(dst, ':')
			}
			continue
		}
		if i != 0 {
			dst = append(dst, ':')
		}
		if i == 6 && bestBase == 0 && (bestLen == 6 || (bestLen == 5 && w[5] == 0xffff)) {
			return AppendIPv4(dst, a[12:16])
		}
		dst = strconv.AppendUint(dst, uint64(w[i]), 16)
	}
	if bestBase >= 0 && bestBase+bestLen == 8 {
		dst = append(dst, ':')
	}
	return dst
}

// IsIPv4Mapped reports whether the 16-byte address a is IPv4-mapped
// (::ffff:a.b.c.d) or all zeros, both of which libsinsp treats as IPv4.
func IsIPv4Mapped(a []byte) bool {
	for _, c := range a[:10] {
		if c != 0 {
			return false
		}
	}
	if a[10] == 0xff && a[11] == 0xff {
		return true
	}
	for _, c := range a[10:16] {
		if c != 0 {
			return false
		}
	}
	return true
}
