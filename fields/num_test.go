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

func TestHumanDuration(t *testing.T) {
	cases := map[uint64]string{
		0: "0ns", 999: "999ns", 1000: "1.00us", 3435: "3.43us", 9999: "9.99us", 10000: "10us", 999999: "999us",
		1000000: "1.00ms", 1234567: "1.23ms", 10000000: "10ms", 999999999: "999ms",
		1000000000: "1.00s", 59999999999: "59.99s", 60000000000: "1:0", 61500000000: "1:1",
		3600000000000: "01:00:00", 3725000000000: "01:02:05", 360000000000000: "100:00:00",
	}
	for ns, want := range cases {
		if got := string(appendHumanDuration(nil, ns)); got != want {
			t.Errorf("appendHumanDuration(%d) = %s, want %s", ns, got, want)
		}
	}
}
