package fields

import (
	"math"
	"strconv"
	"testing"
)

func TestAppendNumbers(t *testing.T) {
	vals := []uint64{0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 12345, 99999999, 1e9, 1534527348514632619, math.MaxUint64, math.MaxInt64}
	for _, v := range vals {
		if got, want := string(appendUint(nil, v)), strconv.FormatUint(v, 10); got != want {
			t.Errorf("appendUint(%d) = %s", v, got)
		}
		if got, want := string(appendInt(nil, -int64(v>>1))), strconv.FormatInt(-int64(v>>1), 10); got != want {
			t.Errorf("appendInt(%d) = %s, want %s", -int64(v>>1), got, want)
		}
	}
	if got := string(appendInt(nil, math.MinInt64)); got != strconv.FormatInt(math.MinInt64, 10) {
		t.Errorf("appendInt(MinInt64) = %s", got)
	}
	for _, v := range []uint64{0, 7, 42, 514632619, 999999999, 100000000, 1} {
		want := strconv.FormatUint(v+1e9, 10)[1:]
		if got := string(appendNanos(nil, v)); got != want {
			t.Errorf("appendNanos(%d) = %s, want %s", v, got, want)
		}
	}
}
