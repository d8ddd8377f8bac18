package state

import (
	"errors"
	"io"
	"path/filepath"
	"testing"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/scap"
)

// BenchmarkProcessCapture runs the events of a shared capture through a
// State over and over (the same events, so the steady state is measured
// once the tables have filled): ns/op is per event.
func BenchmarkProcessCapture(b *testing.B) {
	path := filepath.Join(sharedDir(b), "testdata", "captures", "curl_google.scap")
	r, err := scap.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	md := r.Metadata()
	var evs []event.Event
	var e event.Event
	for {
		err := r.Next(&e)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		evs = append(evs, event.Event{Raw: append([]byte(nil), e.Raw...), Num: e.Num, CPU: e.CPU, Flags: e.Flags})
	}
	r.Close()
	s := New(nil)
	s.Seed(md)
	for i := range evs {
		s.Process(&evs[i])
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.Process(&evs[i%len(evs)])
	}
}

// BenchmarkProcessOpenRead measures the hot file path: open, read, close
// on one thread.
func BenchmarkProcessOpenRead(b *testing.B) {
	f := newFeeder(b, nil)
	f.seed(10, 1, "app", "/srv/app")
	var evs []event.Event
	add := func(typ event.Type, fill func(b *event.Builder)) {
		f.b.Reset(uint64(len(evs)+1)*1000, 10, typ)
		fill(&f.b)
		raw, _ := f.b.Bytes()
		evs = append(evs, event.Event{Raw: append([]byte(nil), raw...)})
	}
	add(event.SyscallOpenE, func(b *event.Builder) { b.Str("conf/app.yaml").U32(1).U32(0) })
	add(event.SyscallOpenX, func(b *event.Builder) { b.I64(3).Str("conf/app.yaml").U32(1).U32(0).U32(0).U64(5) })
	add(event.SyscallReadE, func(b *event.Builder) { b.I64(3).U32(4096) })
	add(event.SyscallReadX, func(b *event.Builder) { b.I64(100).Raw(make([]byte, 100)) })
	add(event.SyscallCloseE, func(b *event.Builder) { b.I64(3) })
	add(event.SyscallCloseX, func(b *event.Builder) { b.I64(0) })
	for i := range evs {
		f.s.Process(&evs[i])
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f.s.Process(&evs[i%len(evs)])
	}
}
