package scap

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/internal/testenv"
)

// captures returns the shared capture files.
func captures(t testing.TB) []string {
	t.Helper()
	fs, err := filepath.Glob(filepath.Join(testenv.Shared(t, "testdata", "captures"), "*.scap"))
	if err != nil || len(fs) == 0 {
		t.Fatalf("no shared captures: %v", err)
	}
	return fs
}

// rec is a copy of one event as a Reader delivered it.
type rec struct {
	raw   []byte
	num   uint64
	cpu   uint16
	flags uint32
}

// readAllFrom reads every event of a capture; err is the error that ended
// the iteration (nil at a clean end).
func readAllFrom(r *Reader) ([]rec, error) {
	var evs []rec
	var e event.Event
	for {
		err := r.Next(&e)
		if err == io.EOF {
			return evs, nil
		}
		if err != nil {
			return evs, err
		}
		evs = append(evs, rec{raw: bytes.Clone(e.Raw), num: e.Num, cpu: e.CPU, flags: e.Flags})
	}
}

func readFile(t testing.TB, path string) (*Metadata, []rec) {
	t.Helper()
	r, err := Open(path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer r.Close()
	evs, err := readAllFrom(r)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return r.Metadata(), evs
}

func readBytes(b []byte) (*Metadata, []rec, error) {
	r, err := NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, nil, err
	}
	evs, err := readAllFrom(r)
	return r.Metadata(), evs, err
}

// uncompressed returns a capture's bytes, gunzipped when compressed.
func uncompressed(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > 2 && b[0] == 0x1f && b[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		b, err = io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
	}
	return b
}

// blockSpan is one block of a capture as the test's own walk finds it.
type blockSpan struct {
	off, end int
	typ      uint32
}

// walkBlocks splits a well-formed capture into blocks using only the block
// framing, independently of Reader.
func walkBlocks(t testing.TB, b []byte) []blockSpan {
	t.Helper()
	var bs []blockSpan
	for off := 0; off < len(b); {
		if len(b)-off < 8 {
			t.Fatalf("trailing %d bytes", len(b)-off)
		}
		typ := binary.LittleEndian.Uint32(b[off:])
		n := int(binary.LittleEndian.Uint32(b[off+4:]))
		if n < 12 || off+n > len(b) {
			t.Fatalf("bad block length %d at %d", n, off)
		}
		bs = append(bs, blockSpan{off: off, end: off + n, typ: typ})
		off += n
	}
	return bs
}

func isEventType(t uint32) bool { return isEventBlock(t) }

// writeCapture writes md and evs with the Writer into a byte slice.
func writeCapture(t testing.TB, md *Metadata, evs []rec, o *WriterOptions) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, md, o)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range evs {
		e := event.Event{Raw: r.raw, Num: r.num, CPU: r.cpu, Flags: r.flags}
		if err := w.WriteEvent(&e); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func asBlockError(t testing.TB, err error) *BlockError {
	t.Helper()
	var be *BlockError
	if !errors.As(err, &be) {
		t.Fatalf("error %v (%T) is not a *BlockError", err, err)
	}
	return be
}

// mkEvent builds a v2-layout event with the given parameters (u32
// parameter lengths for the large-payload types).
func mkEvent(ts uint64, tid int64, typ event.Type, params ...[]byte) []byte {
	ls := 2
	if typ.Info().Flags&event.EFLargePayload != 0 {
		ls = 4
	}
	n := event.HeaderLen + ls*len(params)
	for _, p := range params {
		n += len(p)
	}
	b := make([]byte, 0, n)
	b = binary.LittleEndian.AppendUint64(b, ts)
	b = binary.LittleEndian.AppendUint64(b, uint64(tid))
	b = binary.LittleEndian.AppendUint32(b, uint32(n))
	b = binary.LittleEndian.AppendUint16(b, uint16(typ))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(params)))
	for _, p := range params {
		if ls == 2 {
			b = binary.LittleEndian.AppendUint16(b, uint16(len(p)))
		} else {
			b = binary.LittleEndian.AppendUint32(b, uint32(len(p)))
		}
	}
	for _, p := range params {
		b = append(b, p...)
	}
	return b
}

func le64(v int64) []byte  { return binary.LittleEndian.AppendUint64(nil, uint64(v)) }
func le32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }

// closeEvent is a close enter event on fd.
func closeEvent(ts uint64, tid int64, fd int64) []byte {
	return mkEvent(ts, tid, event.SyscallCloseE, le64(fd))
}
