package engine_test

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/syscope/syscope/engine"
	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/inspect"
	"github.com/syscope/syscope/internal/testenv"
	"github.com/syscope/syscope/output"
	"github.com/syscope/syscope/rules"
	"github.com/syscope/syscope/scap"
)

var (
	bigOnce sync.Once
	bigPath string
	bigErr  error
)

// bigCapture returns a 1.5M-event capture: curl_google.scap repeated 1000
// times by ../shared/tools/scapdup.py, made once in the temp directory (or
// taken from $SYSCOPE_BIG_SCAP).
func bigCapture(b *testing.B) string {
	if p := os.Getenv("SYSCOPE_BIG_SCAP"); p != "" {
		return p
	}
	shared := testenv.SharedDir(b)
	bigOnce.Do(func() {
		dir := filepath.Join(os.TempDir(), "syscope-bench")
		if bigErr = os.MkdirAll(dir, 0o755); bigErr != nil {
			return
		}
		bigPath = filepath.Join(dir, "curl_google_x1000.scap")
		if _, err := os.Stat(bigPath); err == nil {
			return
		}
		tmp := bigPath + ".tmp"
		cmd := exec.Command("python3", filepath.Join(shared, "tools", "scapdup.py"),
			filepath.Join(shared, "testdata", "captures", "curl_google.scap"), tmp, "1000")
		if out, err := cmd.CombinedOutput(); err != nil {
			bigErr = errors.New("scapdup.py: " + err.Error() + ": " + string(out))
			return
		}
		bigErr = os.Rename(tmp, bigPath)
	})
	if bigErr != nil {
		b.Fatal(bigErr)
	}
	return bigPath
}

// discard is a sink that drops what it gets.
type discard struct{}

func (discard) Name() string                                { return "discard" }
func (discard) Write(context.Context, output.Message) error { return nil }
func (discard) Close() error                                { return nil }

// passReadState reads the whole capture through an inspector (read +
// state), returning the number of events and the time the reading took
// (opening the file and seeding the state excluded).
func passReadState(b *testing.B, path string) (uint64, time.Duration, time.Duration) {
	src, err := scap.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	in, err := inspect.New(src, engine.InspectOptions(nil))
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	var n uint64
	t0, c0 := time.Now(), cpuTime()
	for {
		_, err := in.Next()
		if errors.Is(err, io.EOF) {
			return n, time.Since(t0), cpuTime() - c0
		}
		if err != nil {
			b.Fatal(err)
		}
		n++
	}
}

// passRules reads the whole capture and evaluates rs on every event,
// returning the number of events and the time the run took (compiling the
// rules and their outputs excluded).
func passRules(b *testing.B, path string, rs *rules.Ruleset) (uint64, time.Duration, time.Duration) {
	src, err := scap.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	in, err := inspect.New(src, engine.InspectOptions(nil))
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	d := output.NewDispatcher(output.NewFormatter(output.FormatterOptions{Hostname: "bench"}), nil)
	d.AddSink(discard{}, output.FormatJSON)
	e, err := engine.New(in, rs, d, nil)
	if err != nil {
		b.Fatal(err)
	}
	t0, c0 := time.Now(), cpuTime()
	if err := e.Run(context.Background()); err != nil {
		b.Fatal(err)
	}
	wall, cpu := time.Since(t0), cpuTime()-c0
	d.Close(context.Background())
	return e.Stats().Events, wall, cpu
}

func stableRules(b *testing.B) *rules.Ruleset {
	rs, res, err := engine.LoadFiles(nil, rulesFile(b, "falco_rules.yaml"))
	if err != nil || rs == nil {
		b.Fatalf("load: %v %v", err, res)
	}
	return rs
}

func report(b *testing.B, events uint64, d time.Duration) {
	b.ReportMetric(float64(events)/d.Seconds(), "events/s")
	b.ReportMetric(float64(d.Nanoseconds())/float64(events), "ns/event")
}

// BenchmarkReadState is the baseline: reading the 1.5M-event capture and
// keeping state, without rules.
func BenchmarkReadState(b *testing.B) {
	path := bigCapture(b)
	b.ReportAllocs()
	var events uint64
	var took time.Duration
	for i := 0; i < b.N; i++ {
		n, d, _ := passReadState(b, path)
		events += n
		took += d
	}
	report(b, events, took)
}

// BenchmarkStableRules evaluates the upstream stable rules over the same
// capture (read + state + rules).
func BenchmarkStableRules(b *testing.B) {
	path := bigCapture(b)
	rs := stableRules(b)
	b.ReportAllocs()
	var events uint64
	var took time.Duration
	for i := 0; i < b.N; i++ {
		n, d, _ := passRules(b, path, rs)
		events += n
		took += d
	}
	report(b, events, took)
}

// cpuTime returns the process's user and system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkStableRulesRatio alternates the two passes in one run, so that
// both see the same machine load, and reports the cost of read + state +
// rules relative to read + state alone, in wall time ("x-read+state") and
// in CPU time used by the process ("x-cpu", less sensitive to other
// processes competing for the CPUs).
func BenchmarkStableRulesRatio(b *testing.B) {
	path := bigCapture(b)
	rs := stableRules(b)
	var base, full, baseCPU, fullCPU time.Duration
	var events uint64
	for i := 0; i < b.N; i++ {
		runtime.GC()
		n, w0, c0 := passReadState(b, path)
		runtime.GC()
		m, w1, c1 := passRules(b, path, rs)
		if n != m {
			b.Fatalf("read %d events without rules, %d with", n, m)
		}
		base += w0
		full += w1
		baseCPU += c0
		fullCPU += c1
		events += n
	}
	b.ReportMetric(float64(events)/base.Seconds(), "base-events/s")
	b.ReportMetric(float64(events)/full.Seconds(), "rules-events/s")
	b.ReportMetric(full.Seconds()/base.Seconds(), "x-read+state")
	b.ReportMetric(fullCPU.Seconds()/baseCPU.Seconds(), "x-cpu")
}

// loopSource repeats a capture's events forever, numbering them on.
type loopSource struct {
	md  *scap.Metadata
	evs [][]byte
	i   int
	num uint64
}

func (s *loopSource) Next(e *event.Event) error {
	s.num++
	e.Raw, e.Num, e.CPU, e.Flags = s.evs[s.i], s.num, 0, 0
	s.i++
	if s.i == len(s.evs) {
		s.i = 0
	}
	return nil
}
func (s *loopSource) Close() error             { return nil }
func (s *loopSource) Metadata() *scap.Metadata { return s.md }

// BenchmarkProcess measures the rules alone, per event, on curl_google's
// events held in memory: the inspector's Next (state) plus the stable
// rules. It must not allocate.
func BenchmarkProcess(b *testing.B) {
	src, err := scap.Open(filepath.Join(testenv.SharedDir(b), "testdata", "captures", "curl_google.scap"))
	if err != nil {
		b.Fatal(err)
	}
	ls := &loopSource{}
	var ev event.Event
	for {
		err := src.Next(&ev)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		ls.evs = append(ls.evs, append([]byte(nil), ev.Raw...))
	}
	ls.md = src.Metadata()
	src.Close()
	in, err := inspect.New(ls, engine.InspectOptions(nil))
	if err != nil {
		b.Fatal(err)
	}
	d := output.NewDispatcher(output.NewFormatter(output.FormatterOptions{Hostname: "bench"}), nil)
	defer d.Close(context.Background())
	d.AddSink(discard{}, output.FormatJSON)
	e, err := engine.New(in, stableRules(b), d, nil)
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < 2*len(ls.evs); i++ { // warm up tables and buffers
		c, err := in.Next()
		if err != nil {
			b.Fatal(err)
		}
		e.Process(c)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c, err := in.Next()
		if err != nil {
			b.Fatal(err)
		}
		e.Process(c)
	}
}
