package scap

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/internal/testenv"
)

var (
	bigOnce sync.Once
	bigDir  string
	bigPath string
	bigErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if bigDir != "" {
		os.RemoveAll(bigDir)
	}
	os.Exit(code)
}

// bigCapture makes (once per test binary run) the 1.5M-event capture:
// curl_google.scap's event blocks repeated 1000 times by the shared
// scapdup.py tool.
func bigCapture(b *testing.B) string {
	if p := os.Getenv("SCAPBENCH_FILE"); p != "" {
		return p // made by bench/scapbench.sh
	}
	shared := testenv.SharedDir(b, "testdata/captures")
	python := testenv.Tool(b, "python3")
	bigOnce.Do(func() {
		bigDir, bigErr = os.MkdirTemp("", "scapbench")
		if bigErr != nil {
			return
		}
		bigPath = filepath.Join(bigDir, "big.scap")
		out, err := exec.Command(python, filepath.Join(shared, "tools", "scapdup.py"),
			filepath.Join(shared, "testdata", "captures", "curl_google.scap"), bigPath, "1000").CombinedOutput()
		if err != nil {
			bigErr = err
			b.Logf("scapdup: %s", out)
		}
	})
	if bigErr != nil {
		b.Fatal(bigErr)
	}
	return bigPath
}

var sink uint64

// iterate reads every event of the capture at path, decoding each header,
// and returns the number of events and the allocations made by the event
// loop (after Open).
func iterate(b *testing.B, path string) (n, allocs uint64) {
	r, err := Open(path)
	if err != nil {
		b.Fatal(err)
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	before := ms.Mallocs
	var e event.Event
	var acc uint64
	for {
		if err := r.Next(&e); err != nil {
			if err != io.EOF {
				b.Fatal(err)
			}
			break
		}
		acc += e.Ts() + uint64(e.Tid()) + uint64(e.Type()) + uint64(e.NParams()) + uint64(e.Len()) + uint64(e.CPU) + e.Num
		n++
	}
	runtime.ReadMemStats(&ms)
	sink += acc
	r.Close()
	return n, ms.Mallocs - before
}

// BenchmarkIterate reads the 1.5M-event capture (v1 event blocks, so every
// event is also rewritten with the v2 header) and decodes each event's
// header. One op is the whole file.
func BenchmarkIterate(b *testing.B) {
	path := bigCapture(b)
	iterate(b, path) // warm the page cache
	b.ReportAllocs()
	var events, allocs uint64
	for b.Loop() {
		n, a := iterate(b, path)
		events += n
		allocs += a
	}
	if events == 0 {
		b.Fatal("no events")
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(events), "ns/event")
	b.ReportMetric(float64(allocs)/float64(events), "allocs/event")
	b.ReportMetric(float64(events)/float64(b.N), "events/op")
}

// BenchmarkIterateV2 reads the same events rewritten by the Writer (v2
// blocks: no rewriting, the events are views into the read buffer).
func BenchmarkIterateV2(b *testing.B) {
	path := bigCapture(b)
	v2 := path + ".v2"
	if _, err := os.Stat(v2); err != nil {
		rewrite(b, path, v2, nil)
	}
	iterate(b, v2)
	b.ReportAllocs()
	var events, allocs uint64
	for b.Loop() {
		n, a := iterate(b, v2)
		events += n
		allocs += a
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(events), "ns/event")
	b.ReportMetric(float64(allocs)/float64(events), "allocs/event")
}

// BenchmarkIterateGzip reads the same events from a gzip-compressed
// capture (decompressed by the read-ahead goroutine).
func BenchmarkIterateGzip(b *testing.B) {
	path := bigCapture(b)
	gz := path + ".gz"
	if _, err := os.Stat(gz); err != nil {
		rewrite(b, path, gz, &WriterOptions{Compress: true})
	}
	iterate(b, gz)
	b.ReportAllocs()
	var events, allocs uint64
	for b.Loop() {
		n, a := iterate(b, gz)
		events += n
		allocs += a
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(events), "ns/event")
	b.ReportMetric(float64(allocs)/float64(events), "allocs/event")
}

func rewrite(b *testing.B, in, out string, o *WriterOptions) {
	r, err := Open(in)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	w, err := Create(out, r.Metadata(), o)
	if err != nil {
		b.Fatal(err)
	}
	var e event.Event
	for {
		if err := r.Next(&e); err == io.EOF {
			break
		} else if err != nil {
			b.Fatal(err)
		}
		if err := w.WriteEvent(&e); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkWriteEvent writes events to io.Discard.
func BenchmarkWriteEvent(b *testing.B) {
	evs := [][]byte{
		closeEvent(1, 1, 3),
		mkEvent(2, 1, event.SyscallReadX, le64(100), bytes.Repeat([]byte{'a'}, 100), le64(3), le32(100)),
	}
	w, err := NewWriter(io.Discard, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var e event.Event
	i := 0
	for b.Loop() {
		e.Raw = evs[i&1]
		e.Flags = uint32(i & 2)
		i++
		if err := w.WriteEvent(&e); err != nil {
			b.Fatal(err)
		}
	}
	w.Close()
}
