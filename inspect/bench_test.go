package inspect_test

import (
	"errors"
	"io"
	"path/filepath"
	"testing"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/fields"
	"github.com/syscope/syscope/format"
	"github.com/syscope/syscope/inspect"
	"github.com/syscope/syscope/internal/testenv"
	"github.com/syscope/syscope/scap"
	"github.com/syscope/syscope/state"
)

// replay is a source that repeats a capture's events forever, numbering
// them on, as a capture made by repeating event blocks would.
type replay struct {
	md   *scap.Metadata
	evs  []event.Event
	i    int
	num  uint64
	stop int // stop after this many events (0: never)
}

func (r *replay) Next(e *event.Event) error {
	if r.stop > 0 && int(r.num) >= r.stop {
		return io.EOF
	}
	*e = r.evs[r.i]
	r.i++
	if r.i == len(r.evs) {
		r.i = 0
	}
	r.num++
	e.Num = r.num
	return nil
}

func (r *replay) Close() error             { return nil }
func (r *replay) Metadata() *scap.Metadata { return r.md }

// loadReplay reads a capture into memory.
func loadReplay(tb testing.TB, name string) *replay {
	tb.Helper()
	shared := testenv.SharedDir(tb, "testdata/queries.tsv")
	src, err := scap.Open(filepath.Join(shared, "testdata", "captures", name))
	if err != nil {
		tb.Fatal(err)
	}
	defer src.Close()
	r := &replay{}
	var e event.Event
	for {
		err := src.Next(&e)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			tb.Fatal(err)
		}
		c := e
		c.Raw = append([]byte(nil), e.Raw...)
		r.evs = append(r.evs, c)
	}
	r.md = src.Metadata()
	return r
}

// benchPipeline runs b.N events through an inspector with an optional
// filter and format, as `syscope read` does, and reports the time and
// allocations per event.
func benchPipeline(b *testing.B, filterText, tmpl string, json bool) {
	r := loadReplay(b, "curl_google.scap")
	opts := &inspect.Options{Compat: fields.Sysdig029}
	if json {
		opts.BufFormat = event.BufJSON
		opts.MaxBufLen = -1
	}
	in, err := inspect.New(r, opts)
	if err != nil {
		b.Fatal(err)
	}
	if err := in.SetFilter(filterText); err != nil {
		b.Fatal(err)
	}
	var fm *format.Formatter
	if tmpl != "" {
		fm, err = format.New(tmpl, in.Resolver(), &format.Options{JSON: json})
		if err != nil {
			b.Fatal(err)
		}
	}
	line := make([]byte, 0, 4096)
	loop := func() {
		var c *state.Ctx
		for {
			c, err = in.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				b.Fatal(err)
			}
			if fm != nil && !inspect.Hidden(c) {
				line, _ = fm.Append(line[:0], c)
			}
		}
	}
	// Warm up: one pass over the capture grows tables and buffers.
	r.stop = len(r.evs)
	loop()
	r.stop = int(r.num) + b.N
	b.ReportAllocs()
	b.ResetTimer()
	loop()
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/event")
}

func BenchmarkNeverTrueFilter(b *testing.B) { benchPipeline(b, "evt.num=0", "", false) }

func BenchmarkOpenEtcFilter(b *testing.B) {
	benchPipeline(b, "evt.type=open and fd.name contains /etc", format.Default, false)
}

func BenchmarkFileFormat(b *testing.B) {
	benchPipeline(b, "fd.type=file", "%evt.num %proc.name %fd.name", false)
}

func BenchmarkDefaultFormat(b *testing.B) { benchPipeline(b, "", format.Default, false) }

func BenchmarkJSON(b *testing.B) { benchPipeline(b, "", format.Default, true) }
