package event

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
