package event

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// sharedDir returns the reference material directory (../shared from the
// module root), skipping the test when it is absent unless CI=true.
func sharedDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
	shared := filepath.Join(dir, "..", "shared")
	if _, err := os.Stat(shared); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("reference material missing: %v", err)
		}
		t.Skipf("reference material %s absent: %v", shared, err)
	}
	return shared
}

// Capture block types this test reader understands.
const (
	blockEV        = 0x204
	blockEVF       = 0x208
	blockEVV2      = 0x216
	blockEVFV2     = 0x217
	blockEVV2Large = 0x221
	blockEVFLarge  = 0x222
	blockEVInt     = 0x8010ABCD
)

// readCaptureEvents is a minimal capture reader for tests of this package:
// it gunzips the file, walks its blocks (type u32, total length u32, body,
// trailing length u32, padded to 4 bytes) and returns every event block's
// event in the v2 layout, numbered from 1 in block order. Old (v1) events,
// whose header has no parameter count, get one inferred from their length
// as libscap does: the schema's count, decreased until the lengths add up.
func readCaptureEvents(t testing.TB, path string) []Event {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) > 2 && data[0] == 0x1f && data[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if data, err = io.ReadAll(zr); err != nil {
			t.Fatal(err)
		}
	}
	evs, err := walkEventBlocks(data)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return evs
}

func walkEventBlocks(data []byte) ([]Event, error) {
	var evs []Event
	var num uint64
	for off := 0; off+8 <= len(data); {
		bt := binary.LittleEndian.Uint32(data[off:])
		bl := int(binary.LittleEndian.Uint32(data[off+4:]))
		if bl < 12 || off+bl > len(data) {
			return evs, fmt.Errorf("block at offset %d: bad length %d", off, bl)
		}
		body := data[off+8 : off+bl-4]
		switch bt {
		case blockEV, blockEVInt, blockEVF, blockEVV2, blockEVFV2, blockEVV2Large, blockEVFLarge:
			num++
			if len(body) < 2 {
				return evs, fmt.Errorf("event block at offset %d: short", off)
			}
			cpu := binary.LittleEndian.Uint16(body)
			p := body[2:]
			var flags uint32
			if bt == blockEVF || bt == blockEVFV2 || bt == blockEVFLarge {
				if len(p) < 4 {
					return evs, fmt.Errorf("event block at offset %d: short", off)
				}
				flags = binary.LittleEndian.Uint32(p)
				p = p[4:]
			}
			var raw []byte
			if bt == blockEV || bt == blockEVInt || bt == blockEVF {
				r, err := upgradeV1(p)
				if err != nil {
					return evs, fmt.Errorf("event block at offset %d: %w", off, err)
				}
				raw = r
			} else {
				if len(p) < HeaderLen {
					return evs, fmt.Errorf("event block at offset %d: short event", off)
				}
				l := int(binary.LittleEndian.Uint32(p[offLen:]))
				if l > len(p) || l < HeaderLen {
					return evs, fmt.Errorf("event block at offset %d: event length %d", off, l)
				}
				raw = p[:l]
			}
			evs = append(evs, Event{Raw: raw, Num: num, CPU: cpu, Flags: flags})
		}
		off += (bl + 3) &^ 3
	}
	return evs, nil
}

// upgradeV1 converts a v1 event (22-byte header) to the v2 layout.
func upgradeV1(p []byte) ([]byte, error) {
	if len(p) < HeaderLenV1 {
		return nil, fmt.Errorf("short v1 event")
	}
	l := int(binary.LittleEndian.Uint32(p[offLen:]))
	if l > len(p) || l < HeaderLenV1 {
		return nil, fmt.Errorf("v1 event length %d", l)
	}
	p = p[:l]
	t := Type(binary.LittleEndian.Uint16(p[offType:]))
	ls := 2
	if t.Info().Flags&EFLargePayload != 0 {
		ls = 4
	}
	rest := p[HeaderLenV1:]
	for n := len(t.Info().Params); n >= 0; n-- {
		if n*ls > len(rest) {
			continue
		}
		sum := n * ls
		for k := 0; k < n; k++ {
			if ls == 2 {
				sum += int(binary.LittleEndian.Uint16(rest[k*2:]))
			} else {
				sum += int(binary.LittleEndian.Uint32(rest[k*4:]))
			}
		}
		if sum < len(rest) {
			return nil, fmt.Errorf("v1 event of type %d: cannot infer its parameter count", t)
		}
		if sum == len(rest) {
			out := make([]byte, 0, l+4)
			out = append(out, p[:HeaderLenV1]...)
			out = binary.LittleEndian.AppendUint32(out, uint32(n))
			out = append(out, rest...)
			binary.LittleEndian.PutUint32(out[offLen:], uint32(l+4))
			return out, nil
		}
	}
	return nil, fmt.Errorf("v1 event of type %d: cannot infer its parameter count", t)
}

func TestWalkEventBlocksRejectsBadLength(t *testing.T) {
	var blk []byte
	blk = binary.LittleEndian.AppendUint32(blk, blockEVV2)
	blk = binary.LittleEndian.AppendUint32(blk, 4) // shorter than a block header
	if _, err := walkEventBlocks(blk); err == nil {
		t.Fatal("want an error for a block shorter than its header")
	}
}
