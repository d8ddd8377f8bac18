package event

import (
	"bytes"
	"encoding/binary"
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

var updateFuzzCorpus = flag.Bool("update-fuzz-corpus", false, "rewrite testdata/fuzz/FuzzEventDecode from fuzzSeeds")

const fuzzCorpusDir = "testdata/fuzz/FuzzEventDecode"

// fuzzSeeds returns synthetic events for the fuzz corpus, by name: for every
// parameter type, an event of the first type that has one, with values
// from the synthetic oracle's generator; then malformed variants.
func fuzzSeeds(t testing.TB) map[string][]byte {
	r := rand.New(rand.NewPCG(7, 7))
	seeds := map[string][]byte{}
	seen := map[ParamType]bool{}
	var b Builder
	for ty := Type(0); ty < NumTypes; ty++ {
		fresh := false
		for _, p := range ty.Info().Params {
			if !seen[p.Type] {
				seen[p.Type] = true
				fresh = true
			}
		}
		if !fresh {
			continue
		}
		b.Reset(uint64(ty)*1000, 100, ty)
		for i := range ty.Info().Params {
			b.Raw(genParam(r, ty, i))
		}
		raw, err := b.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		seeds["type-"+strconv.Itoa(int(ty))] = append([]byte(nil), raw...)
	}
	open := seeds["type-3"]
	seeds["truncated"] = open[:len(open)/2]
	seeds["header-only"] = open[:HeaderLen]
	bad := append([]byte(nil), open...)
	binary.LittleEndian.PutUint16(bad[HeaderLen:], 0xffff)
	seeds["bad-param-length"] = bad
	many := append([]byte(nil), open...)
	binary.LittleEndian.PutUint32(many[22:], 0x7fffffff)
	seeds["huge-nparams"] = many
	unknown := append([]byte(nil), open...)
	binary.LittleEndian.PutUint16(unknown[20:], 0xfff0)
	seeds["unknown-type"] = unknown
	raw, err := Encode(nil, 1, 1, SyscallReadX, binary.LittleEndian.AppendUint64(nil, 3), bytes.Repeat([]byte{0x90, 'a', '\n'}, 60))
	if err != nil {
		t.Fatal(err)
	}
	seeds["read-buffer"] = raw
	return seeds
}

func corpusFile(b []byte) []byte {
	return []byte("go test fuzz v1\n[]byte(" + strconv.Quote(string(b)) + ")\n")
}

// TestFuzzCorpus checks that the committed seed corpus is what fuzzSeeds
// generates (rewrite it with -update-fuzz-corpus).
func TestFuzzCorpus(t *testing.T) {
	seeds := fuzzSeeds(t)
	if *updateFuzzCorpus {
		if err := os.RemoveAll(fuzzCorpusDir); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(fuzzCorpusDir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, b := range seeds {
			if err := os.WriteFile(filepath.Join(fuzzCorpusDir, "seed-"+name), corpusFile(b), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	names := make([]string, 0, len(seeds))
	for name := range seeds {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		got, err := os.ReadFile(filepath.Join(fuzzCorpusDir, "seed-"+name))
		if err != nil {
			t.Errorf("seed %s: %v (run go test -run TestFuzzCorpus -update-fuzz-corpus)", name, err)
			continue
		}
		if !bytes.Equal(got, corpusFile(seeds[name])) {
			t.Errorf("seed %s differs from fuzzSeeds (run go test -run TestFuzzCorpus -update-fuzz-corpus)", name)
		}
	}
}

// FuzzEventDecode treats arbitrary bytes as an event: it validates it and
// renders and decodes every parameter in every style. Nothing may panic, a
// valid event must yield all its parameters, and rendering must only
// append.
func FuzzEventDecode(f *testing.F) {
	for _, b := range fuzzSeeds(f) {
		f.Add(b)
	}
	opts := []*RenderOptions{
		nil,
		{Flavor: FlavorLibs},
		{Resolver: stateResolver{}},
		{Resolver: unknownThread{}, Format: BufBase64},
		{Format: BufHexASCII, MaxBufLen: -1},
		{Format: BufEOLs, Flavor: FlavorLibs},
		{Format: BufJSONHex, MaxBufLen: 5},
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		e := Event{Raw: raw}
		valid := e.Validate() == nil
		prefix := []byte("prefix")
		for _, o := range opts {
			out := AppendArgs(prefix, &e, o)
			if !bytes.HasPrefix(out, prefix) {
				t.Fatalf("AppendArgs changed its prefix: %q", out)
			}
			if valid && e.Type() != GenericE && e.Type() != GenericX && RenderedParams(&e, flavorOf(o)) > 0 {
				first := effectiveParam(e.Type(), 0, flavorOf(o)).Name + "="
				if !strings.HasPrefix(string(out[len(prefix):]), first) {
					t.Fatalf("args %q do not start with %q", out, first)
				}
			}
		}
		if !valid {
			for i := 0; i < 4; i++ {
				AppendParam(nil, &e, i, nil)
			}
			return
		}
		n := e.NParams()
		for i := 0; i < n && i < 64; i++ {
			b, ok := e.Param(i)
			if !ok {
				t.Fatalf("valid event: parameter %d of %d missing", i, n)
			}
			for _, o := range opts {
				for _, fn := range []func([]byte, *Event, int, *RenderOptions) ([]byte, bool){AppendParam, AppendArg, AppendParamValue} {
					out, _ := fn(prefix, &e, i, o)
					if !bytes.HasPrefix(out, prefix) {
						t.Fatalf("parameter %d: rendering changed its prefix: %q", i, out)
					}
				}
			}
			pi := e.ParamInfo(i)
			if pi == nil {
				continue
			}
			for _, pf := range []PrintFormat{FmtNa, FmtDec, FmtHex, FmtOct, Fmt10Padded} {
				AppendRaw(nil, b, pi.Type, pf)
			}
			e.Int(i)
			e.Uint(i)
			e.Str(i)
			ParseSockAddr(b)
			ParseSockTuple(b)
			ForEachFD(b, func(int64, uint16) bool { return true })
			ForEachString(b, func([]byte) bool { return true })
			ForEachPair(b, func(_, _ []byte) bool { return true })
			ForEachSignal(b, func(uint8) bool { return true })
			ParseDyn(b, pi.Dyn)
			ParseIPAddr(b)
			ParseIPNet(b)
		}
	})
}

func flavorOf(o *RenderOptions) Flavor {
	if o == nil {
		return FlavorSysdig
	}
	return o.Flavor
}
