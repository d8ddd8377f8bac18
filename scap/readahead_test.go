package scap

import (
	"bytes"
	"compress/gzip"
	"errors"
	"math/rand"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/syscope/syscope/event"
)

// bigSynthetic writes a capture of several chunks whose events vary in
// size, with some bigger than the read-ahead margin and than a chunk.
func bigSynthetic(t *testing.T) ([]byte, []rec) {
	rng := rand.New(rand.NewSource(2))
	var evs []rec
	size := 0
	for i := 0; size < 5*raChunk; i++ {
		var raw []byte
		switch {
		case i%997 == 500:
			// Bigger than a chunk (large block, u32 lengths).
			raw = mkEvent(uint64(i), 1, event.PlugineventE, le32(1), bytes.Repeat([]byte{byte(i)}, raChunk+rng.Intn(1000)))
		case i%331 == 100:
			// Bigger than the margin.
			raw = mkEvent(uint64(i), 1, event.SyscallCloseE, bytes.Repeat([]byte{byte(i)}, 40000), bytes.Repeat([]byte{1}, 40000))
		default:
			raw = mkEvent(uint64(i), int64(i), event.SyscallReadX, le64(5), bytes.Repeat([]byte{'r'}, rng.Intn(300)), le64(3), le32(5))
		}
		evs = append(evs, rec{raw: raw, num: uint64(i + 1), cpu: uint16(i % 4), flags: uint32(i % 3 / 2)})
		size += len(raw) + 20
	}
	p := sampleProcess(1)
	p.FDs = sampleFDs
	return writeCapture(t, &Metadata{Processes: []Process{p}}, evs, nil), evs
}

func openFile(t *testing.T, b []byte) ([]rec, error) {
	path := filepath.Join(t.TempDir(), "c.scap")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return readAllFrom(r)
}

func TestReadAhead(t *testing.T) {
	data, want := bigSynthetic(t)
	got, err := openFile(t, data)
	if err != nil {
		t.Fatal(err)
	}
	if d := diffEvents(want, got); d != "" {
		t.Fatal(d)
	}
	// Compressed, through the same path.
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(data)
	zw.Close()
	got, err = openFile(t, z.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if d := diffEvents(want, got); d != "" {
		t.Fatal(d)
	}
	// Cuts around chunk boundaries: the events of the whole blocks, then
	// the cut block's offset.
	bs := walkBlocks(t, data)
	for _, cut := range []int{raChunk - 1, raChunk, raChunk + 7, 2*raChunk + raMargin, 3*raChunk + 3, len(data) - 1} {
		k, n := 0, 0
		for k < len(bs) && bs[k].end <= cut {
			if isEventType(bs[k].typ) {
				n++
			}
			k++
		}
		got, err := openFile(t, data[:cut])
		if len(got) != n {
			t.Fatalf("cut %d: %d events, want %d (%v)", cut, len(got), n, err)
		}
		if d := diffEvents(want[:n], got); d != "" {
			t.Fatalf("cut %d: %s", cut, d)
		}
		be := asBlockError(t, err)
		if be.Offset != int64(bs[k].off) || !errors.Is(err, ErrTruncated) {
			t.Fatalf("cut %d: %v, want truncation at %d", cut, err, bs[k].off)
		}
	}
	// A corrupt gzip stream: the read error surfaces with an offset after
	// the events before it.
	bad := bytes.Clone(z.Bytes())
	bad[len(bad)/2] ^= 0xff
	got, err = openFile(t, bad)
	if err == nil {
		t.Fatal("corrupt gzip read without error")
	}
	asBlockError(t, err)
	if d := diffEvents(want[:len(got)], got); d != "" {
		t.Fatal(d)
	}
}

// TestReadAheadClose closes readers in the middle and at open errors.
func TestReadAheadClose(t *testing.T) {
	before := runtime.NumGoroutine()
	data, _ := bigSynthetic(t)
	path := filepath.Join(t.TempDir(), "c.scap")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		r, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		var e event.Event
		for j := 0; j < i*50; j++ {
			if err := r.Next(&e); err != nil {
				t.Fatal(err)
			}
		}
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
		if err := r.Next(&e); err == nil {
			t.Fatal("Next after Close succeeded")
		}
	}
	bad := filepath.Join(t.TempDir(), "bad.scap")
	if err := os.WriteFile(bad, []byte("not a capture, but long enough"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(bad); err == nil {
		t.Fatal("no error")
	}
	// Every read-ahead goroutine has ended (Close and failed opens wait
	// for them).
	if after := runtime.NumGoroutine(); after > before {
		t.Fatalf("%d goroutines before, %d after", before, after)
	}
}

// TestNextDoesNotAllocate checks that delivering events allocates nothing,
// for v1 and v2 blocks, with and without read-ahead.
func TestNextDoesNotAllocate(t *testing.T) {
	var v1, v2 []byte
	v1 = append(v1, shb(1, 0, nil)...)
	v2 = append(v2, shb(1, 2, nil)...)
	for i := 0; i < 20000; i++ {
		raw := mkEvent(uint64(i), 1, event.SyscallReadX, le64(5), bytes.Repeat([]byte{'r'}, i%200), le64(3), le32(5))
		v1 = append(v1, evBlock(BlockEV, 0, 0, false, v1Event(raw))...)
		v2 = append(v2, evBlock(BlockEVFV2, 1, 1, true, raw)...)
	}
	dir := t.TempDir()
	for name, data := range map[string][]byte{"v1": v1, "v2": v2} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, ahead := range []bool{false, true} {
			var r *Reader
			var err error
			if ahead {
				r, err = Open(path)
			} else {
				r, err = NewReader(bytes.NewReader(data))
			}
			if err != nil {
				t.Fatal(err)
			}
			var e event.Event
			allocs := testing.AllocsPerRun(10000, func() {
				if err := r.Next(&e); err != nil {
					t.Fatal(err)
				}
			})
			if allocs != 0 {
				t.Errorf("%s ahead=%v: %v allocations per event", name, ahead, allocs)
			}
			r.Close()
		}
	}
}

// TestFastPathMatchesGeneral reads every shared capture, and the rewritten
// copies, once with Next (fast path for the common blocks) and once with
// the general path only: the events are the same.
func TestFastPathMatchesGeneral(t *testing.T) {
	for _, path := range captures(t) {
		full := uncompressed(t, path)
		md, evs, err := readBytes(full)
		if err != nil {
			t.Fatal(err)
		}
		flagged := append([]rec(nil), evs...)
		for i := range flagged {
			flagged[i].flags = uint32(i % 3 / 2)
		}
		for _, data := range [][]byte{full, writeCapture(t, md, evs, nil), writeCapture(t, md, flagged, nil)} {
			_, fast, err := readBytes(data)
			if err != nil {
				t.Fatal(err)
			}
			r, err := NewReader(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			var slow []rec
			var e event.Event
			for {
				err := r.next(&e)
				if err != nil {
					break
				}
				slow = append(slow, rec{raw: bytes.Clone(e.Raw), num: e.Num, cpu: e.CPU, flags: e.Flags})
			}
			if d := diffEvents(slow, fast); d != "" {
				t.Fatalf("%s: %s", filepath.Base(path), d)
			}
		}
	}
}
