package event

import (
	"math/bits"
	"slices"
)

// Decimal and hexadecimal integer rendering that writes the digits in place
// at the end of the caller's buffer (no scratch buffer to copy from).

const digitPairs = "00010203040506070809" +
	"10111213141516171819" +
	"20212223242526272829" +
	"30313233343536373839" +
	"40414243444546474849" +
	"50515253545556575859" +
	"60616263646566676869" +
	"70717273747576777879" +
	"80818283848586878889" +
	"90919293949596979899"

var pow10 = [20]uint64{
	1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9,
	1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
}

// decLen returns the number of decimal digits of v (v >= 1).
func decLen(v uint64) int {
	t := (bits.Len64(v) * 1233) >> 12
	if v < pow10[t] {
		return t
	}
	return t + 1
}

// extend returns dst grown by n bytes (their content undefined) and the
// index of the first of them.
func extend(dst []byte, n int) ([]byte, int) {
	l := len(dst)
	if cap(dst)-l < n {
		dst = slices.Grow(dst, n)
	}
	return dst[:l+n], l
}

// appendDec appends v in decimal.
func appendDec(dst []byte, v uint64) []byte {
	if v < 10 {
		return append(dst, byte('0'+v))
	}
	n := decLen(v)
	dst, l := extend(dst, n)
	out := dst[l : l+n]
	i := n
	for v >= 100 {
		q := v / 100
		r := (v - q*100) * 2
		i -= 2
		out[i], out[i+1] = digitPairs[r], digitPairs[r+1]
		v = q
	}
	if v >= 10 {
		out[1], out[0] = digitPairs[2*v+1], digitPairs[2*v]
	} else {
		out[0] = byte('0' + v)
	}
	return dst
}

// appendDecInt appends v in decimal with a leading '-' when negative.
func appendDecInt(dst []byte, v int64) []byte {
	if v < 0 {
		return appendDec(append(dst, '-'), uint64(-v))
	}
	return appendDec(dst, uint64(v))
}

// appendUpperHex appends v in upper-case hex without a prefix.
func appendUpperHex(dst []byte, v uint64) []byte {
	const digits = "0123456789ABCDEF"
	n := (bits.Len64(v) + 3) / 4
	if n == 0 {
		return append(dst, '0')
	}
	dst, l := extend(dst, n)
	out := dst[l : l+n]
	for i := n - 1; i >= 0; i-- {
		out[i] = digits[v&15]
		v >>= 4
	}
	return dst
}

// AppendUint appends v in decimal, as strconv.AppendUint does, writing the
// digits in place instead of through a scratch buffer.
func AppendUint(dst []byte, v uint64) []byte { return appendDec(dst, v) }
