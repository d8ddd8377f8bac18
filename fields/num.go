package fields

import (
	"slices"

	"github.com/syscope/syscope/event"
)

// Fast decimal formatting for the values every output line carries (event
// numbers, thread ids, nanoseconds).

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

// appendUint appends v in decimal.
func appendUint(dst []byte, v uint64) []byte { return event.AppendUint(dst, v) }

// appendInt appends v in decimal.
func appendInt(dst []byte, v int64) []byte {
	if v < 0 {
		return appendUint(append(dst, '-'), uint64(-v))
	}
	return appendUint(dst, uint64(v))
}

// appendNanos appends v (< 1e9) as exactly nine digits.
func appendNanos(dst []byte, v uint64) []byte {
	l := len(dst)
	dst = slices.Grow(dst, 9)[:l+9]
	buf := dst[l:]
	for i := 8; i > 0; i -= 2 {
		r := v % 100
		v /= 100
		buf[i], buf[i-1] = digitPairs[2*r+1], digitPairs[2*r]
	}
	buf[0] = byte('0' + v%10)
	return dst
}
