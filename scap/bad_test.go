package scap

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/syscope/syscope/event"
)

// prefixLengths returns the cut points the prefix test tries: bytes around
// the header and trailer of every metadata block and of a sample of the
// event blocks (the first and last 10, every 25th between), and a stride
// through the rest.
func prefixLengths(bs []blockSpan, size int) []int {
	set := map[int]bool{}
	add := func(n int) {
		if n >= 0 && n <= size {
			set[n] = true
		}
	}
	ev := 0
	for i, b := range bs {
		if isEventType(b.typ) {
			ev++
			if ev > 10 && i < len(bs)-10 && ev%25 != 0 {
				continue
			}
		}
		for _, d := range []int{-1, 0, 1, 4, 7, 8, 9, 12} {
			add(b.off + d)
		}
		for _, d := range []int{-4, -3, -1} {
			add(b.end + d)
		}
	}
	for n := 0; n <= size; n += 307 {
		add(n)
	}
	ls := make([]int, 0, len(set))
	for n := range set {
		ls = append(ls, n)
	}
	sort.Ints(ls)
	return ls
}

// TestPrefixes reads every interesting prefix of each capture: the reader
// delivers the events of the complete blocks before the cut, then reports
// the cut block's offset (or ends cleanly when the cut is on a boundary).
func TestPrefixes(t *testing.T) {
	for _, path := range captures(t) {
		name := filepath.Base(path)
		full := uncompressed(t, path)
		bs := walkBlocks(t, full)
		_, want, err := readBytes(full)
		if err != nil {
			t.Fatal(err)
		}
		firstEv := len(bs)
		for i, b := range bs {
			if isEventType(b.typ) {
				firstEv = i
				break
			}
		}
		lengths := prefixLengths(bs, len(full))
		for _, n := range lengths {
			k, evs := 0, 0 // complete blocks, complete event blocks
			for k < len(bs) && bs[k].end <= n {
				if isEventType(bs[k].typ) {
					evs++
				}
				k++
			}
			boundary := n == 0 || (k > 0 && bs[k-1].end == n)
			cutOff := int64(0)
			if k < len(bs) {
				cutOff = int64(bs[k].off)
			}
			// A cut metadata block whose header is whole fails NewReader;
			// any other cut fails Next.
			r, err := NewReader(bytes.NewReader(full[:n]))
			metaCut := k < firstEv && !boundary && n-bs[k].off >= 8
			if metaCut || k == 0 {
				if err == nil {
					t.Fatalf("%s[:%d]: NewReader succeeded on a cut header block", name, n)
				}
				be := asBlockError(t, err)
				if be.Offset != cutOff || (n > 8 && !errors.Is(err, ErrTruncated)) {
					t.Fatalf("%s[:%d]: %v, want truncation at offset %d", name, n, err, cutOff)
				}
				continue
			}
			if err != nil {
				t.Fatalf("%s[:%d]: %v", name, n, err)
			}
			got, err := readAllFrom(r)
			if len(got) != evs {
				t.Fatalf("%s[:%d]: %d events before the cut, want %d (err %v)", name, n, len(got), evs, err)
			}
			if d := diffEvents(want[:evs], got); d != "" {
				t.Fatalf("%s[:%d]: %s", name, n, d)
			}
			if boundary {
				if err != nil {
					t.Fatalf("%s[:%d]: cut on a block boundary: %v", name, n, err)
				}
				continue
			}
			if err == nil {
				t.Fatalf("%s[:%d]: no error for a cut block", name, n)
			}
			be := asBlockError(t, err)
			if be.Offset != cutOff || !errors.Is(err, ErrTruncated) {
				t.Fatalf("%s[:%d]: %v, want truncation at offset %d", name, n, err, cutOff)
			}
			if !strings.Contains(err.Error(), fmt.Sprintf("offset %d:", cutOff)) {
				t.Fatalf("%s[:%d]: message %q does not name offset %d", name, n, err, cutOff)
			}
			// The error sticks.
			var e event.Event
			if err2 := r.Next(&e); err2 != err {
				t.Fatalf("%s[:%d]: second Next returned %v, want %v", name, n, err2, err)
			}
		}
		t.Logf("%s: %d prefixes of %d bytes, %d blocks", name, len(lengths), len(full), len(bs))
	}
}

// TestByteFlips corrupts one byte at a time: whatever the reader makes of
// it, it does not panic, delivers the events of the blocks before the
// corrupted one unchanged, and reports no error before that block.
func TestByteFlips(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for _, path := range captures(t) {
		name := filepath.Base(path)
		full := uncompressed(t, path)
		bs := walkBlocks(t, full)
		_, want, err := readBytes(full)
		if err != nil {
			t.Fatal(err)
		}
		errs := 0
		for i := 0; i < 400; i++ {
			pos := rng.Intn(len(full))
			if i%4 == 0 {
				// Favor block headers and trailers.
				b := bs[rng.Intn(len(bs))]
				pos = []int{b.off, b.off + 4, b.off + 5, b.end - 4, b.off + 8, b.off + 26}[rng.Intn(6)]
				if pos >= len(full) {
					pos = b.off
				}
			}
			bad := bytes.Clone(full)
			bad[pos] ^= byte(1 + rng.Intn(255))
			blk, evBefore := 0, 0
			for blk < len(bs) && bs[blk].end <= pos {
				if isEventType(bs[blk].typ) {
					evBefore++
				}
				blk++
			}
			_, got, err := readBytes(bad)
			if len(got) < evBefore && err == nil {
				t.Fatalf("%s flip at %d: %d events without error, want at least %d", name, pos, len(got), evBefore)
			}
			n := min(len(got), evBefore)
			if d := diffEvents(want[:n], got[:n]); d != "" {
				t.Fatalf("%s flip at %d: events before the flipped block differ: %s", name, pos, d)
			}
			if err != nil {
				errs++
				be := asBlockError(t, err)
				if be.Offset < int64(bs[blk].off) {
					t.Fatalf("%s flip at %d (block at %d): error at earlier offset: %v", name, pos, bs[blk].off, err)
				}
				if len(got) < evBefore {
					t.Fatalf("%s flip at %d: error after %d events, want at least %d: %v", name, pos, len(got), evBefore, err)
				}
			}
		}
		t.Logf("%s: 400 flips, %d reported as errors", name, errs)
	}
}

// TestTruncatedGzip cuts the compressed stream: the reader reports a read
// error at an offset of the decompressed stream after the events it could
// decompress.
func TestTruncatedGzip(t *testing.T) {
	for _, path := range captures(t) {
		name := filepath.Base(path)
		comp, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		_, want, err := readBytes(comp)
		if err != nil {
			t.Fatal(err)
		}
		for _, frac := range []int{10, 50, 90, 99} {
			n := len(comp) * frac / 100
			r, err := NewReader(bytes.NewReader(comp[:n]))
			if err != nil {
				asBlockError(t, err)
				continue
			}
			got, err := readAllFrom(r)
			if err == nil || err == io.EOF {
				t.Fatalf("%s cut at %d%%: no error", name, frac)
			}
			be := asBlockError(t, err)
			if be.Offset <= 0 {
				t.Fatalf("%s cut at %d%%: offset %d", name, frac, be.Offset)
			}
			if d := diffEvents(want[:len(got)], got); d != "" {
				t.Fatalf("%s cut at %d%%: %s", name, frac, d)
			}
		}
	}
}

func TestNotScap(t *testing.T) {
	for _, in := range [][]byte{
		nil,
		[]byte("hello"),
		[]byte("this is not a capture file at all"),
		{0x0a, 0x0d, 0x0d, 0x0a, 0x1c, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x1c, 0, 0, 0},
		{0x0a, 0x0d, 0x0d, 0x0a, 0x1c, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x1d, 0, 0, 0},
		{0x0a, 0x0d, 0x0d, 0x0a, 0x1c, 0, 0, 0, 0x1a, 0x2b, 0x3c, 0x4d, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x1c, 0, 0, 0},
		{0x0a, 0x0d, 0x0d, 0x0a, 0x1c, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x1c, 0, 0, 0},
	} {
		_, err := NewReader(bytes.NewReader(in))
		if err == nil {
			t.Fatalf("%q: no error", in)
		}
		if be := asBlockError(t, err); be.Offset != 0 {
			t.Fatalf("%q: offset %d", in, be.Offset)
		}
	}
}
