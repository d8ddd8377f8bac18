package output

import (
	"context"
	"io"
	"testing"
	"time"
)

func BenchmarkAppendText(b *testing.B) {
	f := NewFormatter(FormatterOptions{Hostname: "h", Location: time.UTC})
	a := testAlert()
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		buf = f.AppendText(buf[:0], a)
	}
}

func BenchmarkAppendJSON(b *testing.B) {
	f := NewFormatter(FormatterOptions{Hostname: "h", Location: time.UTC})
	a := testAlert()
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		buf = f.AppendJSON(buf[:0], a)
	}
}

// BenchmarkSend measures the caller's side of Send: the non-blocking enqueue
// to two sinks (one text, one JSON) while their goroutines render and write
// to io.Discard.
func BenchmarkSend(b *testing.B) {
	d := NewDispatcher(NewFormatter(FormatterOptions{Hostname: "h", Location: time.UTC}), &DispatcherOptions{QueueCapacity: 1 << 16})
	d.AddSink(NewWriterSink("text", io.Discard, false), FormatText)
	d.AddSink(NewWriterSink("json", io.Discard, false), FormatJSON)
	a := testAlert()
	b.ReportAllocs()
	for b.Loop() {
		d.Send(a)
	}
	b.StopTimer()
	d.Close(context.Background())
	st := d.Stats()
	b.ReportMetric(float64(st.Dropped()), "dropped")
}
