package engine_test

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"testing"

	"github.com/syscope/syscope/engine"
	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/inspect"
	"github.com/syscope/syscope/output"
	"github.com/syscope/syscope/rules"
	"github.com/syscope/syscope/scap"
)

func benchWith(b *testing.B, rs *rules.Ruleset, process bool) {
	src, _ := scap.Open(filepath.Join(sharedDir(b), "testdata", "captures", "curl_google.scap"))
	ls := &loopSource{}
	var ev event.Event
	for {
		err := src.Next(&ev)
		if errors.Is(err, io.EOF) {
			break
		}
		ls.evs = append(ls.evs, append([]byte(nil), ev.Raw...))
	}
	ls.md = src.Metadata()
	in, _ := inspect.New(ls, engine.InspectOptions(nil))
	d := output.NewDispatcher(output.NewFormatter(output.FormatterOptions{Hostname: "bench"}), nil)
	defer d.Close(context.Background())
	e, _ := engine.New(in, rs, d, nil)
	for i := 0; i < 2*len(ls.evs); i++ {
		c, _ := in.Next()
		e.Process(c)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c, _ := in.Next()
		if process {
			e.Process(c)
		}
	}
}

func BenchmarkZNoProcess(b *testing.B) { benchWith(b, stableRules(b), false) }
func BenchmarkZEmpty(b *testing.B) {
	rs, _ := engine.LoadContents(nil, engine.Content{Name: "x", Data: []byte("- rule: x\n  desc: d\n  condition: evt.type=init_module\n  output: o\n  priority: DEBUG\n")})
	benchWith(b, rs, true)
}
func BenchmarkZStable(b *testing.B) { benchWith(b, stableRules(b), true) }
