package event

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// rawEvent builds an event of type t whose parameters are params.
func rawEvent(t Type, params [][]byte) *Event {
	ls := 2
	if t.Info().Flags&EFLargePayload != 0 {
		ls = 4
	}
	n := HeaderLen + len(params)*ls
	for _, p := range params {
		n += len(p)
	}
	raw := make([]byte, HeaderLen, n)
	binary.LittleEndian.PutUint64(raw[offTs:], 1)
	binary.LittleEndian.PutUint64(raw[offTid:], 42)
	binary.LittleEndian.PutUint32(raw[offLen:], uint32(n))
	binary.LittleEndian.PutUint16(raw[offType:], uint16(t))
	binary.LittleEndian.PutUint32(raw[offNParams:], uint32(len(params)))
	for _, p := range params {
		if ls == 2 {
			raw = binary.LittleEndian.AppendUint16(raw, uint16(len(p)))
		} else {
			raw = binary.LittleEndian.AppendUint32(raw, uint32(len(p)))
		}
	}
	for _, p := range params {
		raw = append(raw, p...)
	}
	return &Event{Raw: raw, Num: 1}
}

// randomParam returns bytes for a parameter of type pt: usually of the
// type's size with values near the interesting edges, sometimes empty or
// short.
func randomParam(rng *rand.Rand, pt ParamType) []byte {
	w := paramWidth(pt)
	switch rng.IntN(8) {
	case 0:
		return nil
	case 1:
		if w > 1 {
			return make([]byte, rng.IntN(w))
		}
	}
	if w == 0 {
		b := make([]byte, rng.IntN(24))
		for i := range b {
			b[i] = byte(rng.IntN(256))
		}
		return b
	}
	var v uint64
	switch rng.IntN(5) {
	case 0:
		v = uint64(rng.IntN(200))
	case 1:
		v = uint64(-int64(rng.IntN(140))) // errnos, AT_FDCWD
	case 2:
		v = 1 << rng.IntN(64)
	default:
		v = rng.Uint64()
	}
	b := make([]byte, 8)
	binary.LittleEndian.PutUint64(b, v)
	return b[:w]
}

// TestAppendArgsMatchesAppendParam checks the per-type plans of AppendArgs
// against the general rendering of each parameter (AppendParam) for every
// event type, both flavors, with and without a resolver, on random
// parameter values.
func TestAppendArgsMatchesAppendParam(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	opts := []*RenderOptions{nil, {Resolver: stateResolver{}}, {Flavor: FlavorLibs}, {Flavor: FlavorLibs, Resolver: stateResolver{}}, {Format: BufSimple, Resolver: stateResolver{}}}
	var got, want []byte
	for ty := Type(0); ty < NumTypes; ty++ {
		if ty == GenericE || ty == GenericX {
			continue
		}
		ps := ty.Info().Params
		for round := 0; round < 20; round++ {
			n := len(ps)
			if n > 0 && round%5 == 4 {
				n = rng.IntN(n) // fewer parameters than the schema lists
			}
			params := make([][]byte, n)
			for i := range params {
				params[i] = randomParam(rng, ps[i].Type)
			}
			e := rawEvent(ty, params)
			for _, o := range opts {
				got = AppendArgs(got[:0], e, o)
				want = want[:0]
				fl := FlavorSysdig
				if o != nil {
					fl = o.Flavor
				}
				for i := 0; i < RenderedParams(e, fl); i++ {
					want = append(want, effectiveParam(ty, i, fl).Name...)
					want = append(want, '=')
					var ok bool
					want, ok = AppendParam(want, e, i, o)
					if !ok {
						t.Fatalf("%s: AppendParam(%d) failed on a well-formed event", ty, i)
					}
					want = append(want, ' ')
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("%s %+v params %x:\nAppendArgs  %q\nAppendParam %q", ty, o, params, got, want)
				}
			}
		}
	}
}

func TestAppendDec(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	check := func(v uint64) {
		t.Helper()
		if got, want := string(appendDec(nil, v)), fmtUint(v); got != want {
			t.Fatalf("appendDec(%d) = %q, want %q", v, got, want)
		}
	}
	for _, v := range []uint64{0, 9, 10, 99, 100, 999, 1000, 1<<63 - 1, 1 << 63, 1<<64 - 1, 1e19 - 1, 1e19} {
		check(v)
	}
	for p := 0; p < 20; p++ {
		check(pow10[p] - 1)
		check(pow10[p])
	}
	for i := 0; i < 10000; i++ {
		check(rng.Uint64() >> rng.IntN(64))
	}
	for _, v := range []int64{0, -1, -9, -10, 1<<63 - 1, -1 << 63} {
		if got, want := string(appendDecInt(nil, v)), fmtInt(v); got != want {
			t.Fatalf("appendDecInt(%d) = %q, want %q", v, got, want)
		}
	}
	for i := 0; i < 10000; i++ {
		v := rng.Uint64() >> rng.IntN(64)
		if got, want := string(appendUpperHex([]byte("x"), v)), "x"+fmtHex(v); got != want {
			t.Fatalf("appendUpperHex(%d) = %q, want %q", v, got, want)
		}
	}
}

func fmtUint(v uint64) string { return strconv.FormatUint(v, 10) }
func fmtInt(v int64) string   { return strconv.FormatInt(v, 10) }
func fmtHex(v uint64) string  { return strings.ToUpper(strconv.FormatUint(v, 16)) }
