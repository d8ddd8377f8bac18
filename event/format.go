package event

import (
	"encoding/binary"
	"strconv"
)

// BufFormat selects how byte-buffer parameters render, as sysdig's output
// options do (-A, -x, -X, -b, and their JSON forms with -j). The values are
// sysdig's own bit values.
type BufFormat uint16

// Buffer formats. The zero value means BufNormal.
const (
	BufNormal       BufFormat = 1 << 0  // printable bytes as they are, others as '.'
	BufJSON         BufFormat = 1 << 1  // as BufNormal, for JSON output
	BufSimple       BufFormat = 1 << 2  // as BufNormal; fds resolve without their type character
	BufHex          BufFormat = 1 << 3  // -x: rows of hex words
	BufHexASCII     BufFormat = 1 << 4  // -X: rows of hex words and their ASCII
	BufEOLs         BufFormat = 1 << 5  // -A: printable bytes and line breaks only, after a line break
	BufEOLsCompact  BufFormat = 1 << 6  // as BufEOLs without the leading line break
	BufBase64       BufFormat = 1 << 7  // -b: base64
	BufJSONEOLs     BufFormat = 1 << 8  // -j -A
	BufJSONHex      BufFormat = 1 << 9  // -j -x
	BufJSONHexASCII BufFormat = 1 << 10 // -j -X
	BufJSONBase64   BufFormat = 1 << 11 // -j -b
)

// isPrint reports whether c is printable in the C locale.
func isPrint(c byte) bool { return c >= 0x20 && c < 0x7f }

const hexLower = "0123456789abcdef"

// appendBuffer appends b rendered in format f.
func appendBuffer(dst, b []byte, f BufFormat) []byte {
	if len(b) == 0 {
		return dst
	}
	switch {
	case f&(BufHex|BufHexASCII) != 0:
		return appendHexRows(dst, b, f&(BufHexASCII|BufJSONHexASCII) != 0)
	case f&BufBase64 != 0:
		return appendBase64(dst, b)
	case f&(BufJSON|BufJSONHex|BufJSONEOLs|BufJSONHexASCII|BufJSONBase64) != 0:
		switch f {
		case BufJSONHex:
			return appendHexRows(dst, b, false)
		case BufJSONHexASCII:
			return appendHexRows(dst, b, true)
		case BufJSONEOLs:
			return appendEOLs(dst, b, true)
		case BufJSONBase64:
			return appendBase64(dst, b)
		}
	case f&(BufEOLs|BufEOLsCompact) != 0:
		return appendEOLs(dst, b, f != BufEOLsCompact)
	}
	return appendDots(dst, b)
}

// appendDots appends b with every non-printable byte replaced by '.'.
func appendDots(dst, b []byte) []byte {
	start := len(dst)
	dst = append(dst, b...)
	out := dst[start:]
	for i, c := range out {
		if !isPrint(c) {
			out[i] = '.'
		}
	}
	return dst
}

// appendEOLs appends the printable bytes of b and its line breaks (CR and
// CRLF become LF), after a leading line break when lead is set.
func appendEOLs(dst, b []byte, lead bool) []byte {
	if lead {
		dst = append(dst, '\n')
	}
	for j, c := range b {
		switch {
		case isPrint(c):
			dst = append(dst, c)
		case c == '\r':
			dst = append(dst, '\n')
		case c == '\n':
			if j > 0 && b[j-1] != '\r' {
				dst = append(dst, '\n')
			}
		}
	}
	return dst
}

// appendHexRows appends b as rows of 16 bytes: a line break, a tab, the
// offset, the bytes in 2-byte groups and, with ascii, the printable text.
// A final line break ends the dump.
func appendHexRows(dst, b []byte, ascii bool) []byte {
	for off := 0; off < len(b); off += 16 {
		dst = append(dst, "\n\t0x"...)
		dst = appendHexPad(dst, uint64(off), 4)
		dst = append(dst, ':')
		end := off + 16
		if end > len(b) {
			end = len(b)
		}
		groups := 0
		for p := off; p < end; p += 2 {
			dst = append(dst, ' ', hexLower[b[p]>>4], hexLower[b[p]&15])
			if p+1 < end {
				dst = append(dst, hexLower[b[p+1]>>4], hexLower[b[p+1]&15])
			}
			groups++
		}
		if ascii {
			for ; groups < 8; groups++ {
				dst = append(dst, "     "...)
			}
			dst = append(dst, ' ', ' ')
			dst = appendDots(dst, b[off:end])
		}
	}
	return append(dst, '\n')
}

// appendHexPad appends v in lower-case hex, zero padded to width digits.
func appendHexPad(dst []byte, v uint64, width int) []byte {
	var tmp [16]byte
	n := 0
	for v != 0 || n < width {
		tmp[len(tmp)-1-n] = hexLower[v&15]
		v >>= 4
		n++
		if n == len(tmp) {
			break
		}
	}
	return append(dst, tmp[len(tmp)-n:]...)
}

const base64Std = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// appendBase64 appends the standard, padded base64 encoding of b.
func appendBase64(dst, b []byte) []byte {
	for len(b) >= 3 {
		v := uint(b[0])<<16 | uint(b[1])<<8 | uint(b[2])
		dst = append(dst, base64Std[v>>18&63], base64Std[v>>12&63], base64Std[v>>6&63], base64Std[v&63])
		b = b[3:]
	}
	switch len(b) {
	case 1:
		v := uint(b[0]) << 16
		dst = append(dst, base64Std[v>>18&63], base64Std[v>>12&63], '=', '=')
	case 2:
		v := uint(b[0])<<16 | uint(b[1])<<8
		dst = append(dst, base64Std[v>>18&63], base64Std[v>>12&63], base64Std[v>>6&63], '=')
	}
	return dst
}

// appendSanitized appends the C string in b without its non-printable
// bytes (libsinsp's sanitisation of paths and socket names).
func appendSanitized(dst, b []byte) []byte {
	n := 0
	for ; n < len(b) && isPrint(b[n]); n++ {
	}
	dst = append(dst, b[:n]...)
	b = b[n:]
	for _, c := range b {
		if c == 0 {
			break
		}
		if isPrint(c) {
			dst = append(dst, c)
		}
	}
	return dst
}

// appendIPv4 appends a dotted-quad IPv4 address.
func appendIPv4(dst []byte, a []byte) []byte {
	dst = appendDec(dst, uint64(a[0]))
	dst = append(dst, '.')
	dst = appendDec(dst, uint64(a[1]))
	dst = append(dst, '.')
	dst = appendDec(dst, uint64(a[2]))
	dst = append(dst, '.')
	return appendDec(dst, uint64(a[3]))
}

// appendIPv6 appends a 16-byte IPv6 address as glibc's inet_ntop writes it:
// the longest run (first on ties) of two or more zero groups becomes "::",
// groups are lower-case hex without leading zeros, and IPv4-compatible
// (::a.b.c.d) and IPv4-mapped (::ffff:a.b.c.d) addresses end in dotted
// quads.
func appendIPv6(dst []byte, a []byte) []byte {
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
			return appendIPv4(dst, a[12:16])
		}
		dst = strconv.AppendUint(dst, uint64(w[i]), 16)
	}
	if bestBase >= 0 && bestBase+bestLen == 8 {
		dst = append(dst, ':')
	}
	return dst
}

// isIPv4Mapped reports whether a 16-byte address is IPv4-mapped
// (::ffff:a.b.c.d) or all zeros, which libsinsp both treats as IPv4.
func isIPv4Mapped(a []byte) bool {
	for _, c := range a[:10] {
		if c != 0 {
			return false
		}
	}
	if a[10] == 0xff && a[11] == 0xff {
		return true
	}
	return a[10] == 0 && a[11] == 0 && a[12] == 0 && a[13] == 0 && a[14] == 0 && a[15] == 0
}

// appendPathJoin appends base followed by path normalised as libsinsp does
// when it resolves a relative path against a directory: "." and "./"
// components vanish, ".." removes the previous component (never going above
// the first character of base), doubled slashes collapse, non-printable bytes
// become '.', and a trailing slash is dropped. path ends at its first NUL.
func appendPathJoin(dst, base, path []byte) []byte {
	root := len(dst) // the furthest ".." may rewind to
	dst = append(dst, base...)
	at := func(i int) byte {
		if i < len(path) {
			return path[i]
		}
		return 0
	}
	rewind := func(delta int, p *int) {
		t := len(dst) - root
		if t <= 1 {
			*p += delta
			return
		}
		t--
		for t >= 1 && dst[root+t-1] != '/' {
			t--
		}
		dst = dst[:root+t]
		*p += delta
	}
	for p := 0; ; {
		c := at(p)
		if c == 0 {
			if t := len(dst) - root; t > 1 && dst[len(dst)-1] == '/' {
				dst = dst[:len(dst)-1]
			}
			return dst
		}
		switch {
		case !isPrint(c):
			dst = append(dst, '.')
			p++
		case c == '.' && at(p+1) == '.' && at(p+2) == '/':
			rewind(3, &p)
		case c == '.' && at(p+1) == '.':
			if at(p+2) == 0 {
				rewind(2, &p)
			} else {
				dst = append(dst, '.', '.')
				p += 2
			}
		case c == '.' && at(p+1) == '/':
			p += 2
		case c == '.':
			if at(p+1) != 0 {
				dst = append(dst, '.')
			}
			p++
		case c == '/':
			if len(dst) > root && dst[len(dst)-1] == '/' {
				p++
			} else {
				dst = append(dst, '/')
				p++
			}
		default:
			dst = append(dst, c)
			p++
		}
	}
}
