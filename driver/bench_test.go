package driver

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/syscope/syscope/driver/internal/floor"
	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/internal/testenv"
)

// The benchmarks pin the workload to the last CPU and the reader to the
// first, when there are at least two.
func pin(cpu int) {
	runtime.LockOSThread()
	n := runtime.NumCPU()
	if n < 2 {
		return
	}
	var set unix.CPUSet
	set.Set(cpu % n)
	unix.SchedSetaffinity(0, &set)
}

func init() {
	// loop KIND N: run N iterations of a syscall loop on the last CPU and
	// print the elapsed nanoseconds.
	workloads["loop"] = func(args []string) error {
		if len(args) != 2 {
			return errors.New("usage: loop getppid|orc N")
		}
		n, err := strconv.Atoi(args[1])
		if err != nil {
			return err
		}
		pin(runtime.NumCPU() - 1)
		var body func() error
		switch args[0] {
		case "getppid":
			body = func() error { unix.RawSyscall(unix.SYS_GETPPID, 0, 0, 0); return nil }
		case "orc":
			dir, err := os.MkdirTemp("", "syscope-bench")
			if err != nil {
				return err
			}
			defer os.RemoveAll(dir)
			path := filepath.Join(dir, "data")
			if err := os.WriteFile(path, make([]byte, 4096), 0o644); err != nil {
				return err
			}
			buf := make([]byte, 4096)
			p, err := unix.BytePtrFromString(path)
			if err != nil {
				return err
			}
			body = func() error {
				fd, _, errno := unix.RawSyscall(unix.SYS_OPENAT, atFdcwd, uintptr(unsafe.Pointer(p)), unix.O_RDONLY)
				if errno != 0 {
					return errno
				}
				unix.RawSyscall(unix.SYS_READ, fd, uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)))
				unix.RawSyscall(unix.SYS_CLOSE, fd, 0, 0)
				return nil
			}
		default:
			return fmt.Errorf("unknown loop %q", args[0])
		}
		// CPU time of this thread: the syscalls and the eBPF programs they
		// trigger run on it, and time other processes take from it on a
		// busy machine does not count.
		var t0, t1 unix.Timespec
		unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &t0)
		for i := 0; i < n; i++ {
			if err := body(); err != nil {
				return err
			}
		}
		unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &t1)
		fmt.Printf("ns=%d\n", t1.Nano()-t0.Nano())
		return nil
	}
}

// atFdcwd is AT_FDCWD as a syscall argument.
var atFdcwd = func() uintptr { v := int64(unix.AT_FDCWD); return uintptr(v) }()

// loopCost runs the syscall loop in a child and returns nanoseconds per
// iteration.
func loopCost(b *testing.B, kind string, n int) float64 {
	c := startChild(b, "loop", kind, strconv.Itoa(n))
	for _, l := range c.run(b) {
		if v, ok := strings.CutPrefix(l, "ns="); ok {
			ns, err := strconv.ParseFloat(v, 64)
			if err != nil {
				b.Fatal(err)
			}
			return ns / float64(n)
		}
	}
	b.Fatal("no timing from the workload")
	return 0
}

// drainFloor reads the floor's ring buffer until stop is set.
func drainFloor(b testing.TB, f *floor.Floor, stop *atomic.Bool, wg *sync.WaitGroup, count *uint64) {
	r, err := newRing(f.Ring().FD(), floor.RingSize)
	if err != nil {
		b.Fatal(err)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer r.close()
		pin(0)
		for !stop.Load() {
			if r.peek() == nil {
				r.release(true)
				time.Sleep(time.Millisecond)
				continue
			}
			*count++
			r.advance()
			r.release(false)
		}
	}()
}

// order counts timestamp inversions in an event stream.
type order struct {
	last       uint64
	inversions uint64
	worst      uint64 // largest backwards step, ns
}

func (o *order) see(ts uint64) {
	if ts < o.last {
		o.inversions++
		o.worst = max(o.worst, o.last-ts)
		return
	}
	o.last = ts
}

// drainSource reads events until the source is closed.
func drainSource(s *Source, wg *sync.WaitGroup, count *uint64) *order {
	o := &order{}
	wg.Add(1)
	go func() {
		defer wg.Done()
		pin(0)
		var e event.Event
		for {
			if err := s.Next(&e); err != nil {
				return
			}
			o.see(e.Ts())
			*count++
		}
	}()
	return o
}

// BenchmarkOverhead prints, for a getppid loop and an open/read/close
// loop, the cost per iteration with no tracing, with the floor tracer (a
// minimal eBPF ring buffer writer on sys_exit), with the floor also on the
// enter tracepoints the driver uses (the same hooks as the driver, one
// minimal record per hit), and with the driver capturing every syscall of
// the system; and the driver's overhead relative to both floors'.
func BenchmarkOverhead(b *testing.B) {
	testenv.RequireRoot(b)
	loops := []struct {
		kind     string
		n        int
		syscalls float64
	}{
		{"getppid", 2_000_000, 1},
		{"orc", 300_000, 3},
	}
	const rounds = 9
	withFloor := func(l string, n int, enter bool) float64 {
		f, err := floor.Attach(enter)
		if err != nil {
			b.Fatal(err)
		}
		var stop atomic.Bool
		var wg sync.WaitGroup
		var floorEvents uint64
		drainFloor(b, f, &stop, &wg, &floorEvents)
		c := loopCost(b, l, n)
		stop.Store(true)
		wg.Wait()
		f.Close()
		return c
	}
	median := func(v []float64) float64 {
		slices.Sort(v)
		return v[len(v)/2]
	}
	for i := 0; i < b.N; i++ {
		for _, l := range loops {
			// The setups run one after the other in each round. Two
			// figures: each setup's best round (other load on the machine
			// only ever adds time), and the median over the rounds of the
			// ratio within a round (the setups of one round see similar
			// load).
			none, floorExit, floorHooks, withDriver, withRaw := 1e18, 1e18, 1e18, 1e18, 1e18
			var perRound, perRoundHooks []float64
			var events, lost uint64
			for r := 0; r < rounds; r++ {
				rNone := loopCost(b, l.kind, l.n)
				rExit := withFloor(l.kind, l.n, false)
				rHooks := withFloor(l.kind, l.n, true)
				var rDriver float64
				for _, raw := range []bool{false, true} {
					s, err := Open(&Options{RawEnter: raw, RingSize: 64 << 20})
					if err != nil {
						b.Fatal(err)
					}
					var wg sync.WaitGroup
					var n uint64
					drainSource(s, &wg, &n)
					c := loopCost(b, l.kind, l.n)
					if raw {
						withRaw = min(withRaw, c)
					} else {
						rDriver = c
					}
					st := s.Stats()
					s.Close()
					wg.Wait()
					events += n
					lost += st.Lost
				}
				none, floorExit, floorHooks, withDriver = min(none, rNone), min(floorExit, rExit), min(floorHooks, rHooks), min(withDriver, rDriver)
				perRound = append(perRound, (rDriver-rNone)/(rExit-rNone))
				perRoundHooks = append(perRoundHooks, (rDriver-rNone)/(rHooks-rNone))
			}
			fo, ho, do, ro := floorExit-none, floorHooks-none, withDriver-none, withRaw-none
			mr, mh := median(perRound), median(perRoundHooks)
			b.ReportMetric(none/l.syscalls, l.kind+"-none-ns/syscall")
			b.ReportMetric(floorExit/l.syscalls, l.kind+"-floor-ns/syscall")
			b.ReportMetric(floorHooks/l.syscalls, l.kind+"-floor-hooks-ns/syscall")
			b.ReportMetric(withDriver/l.syscalls, l.kind+"-driver-ns/syscall")
			b.ReportMetric(withRaw/l.syscalls, l.kind+"-driver-rawenter-ns/syscall")
			b.ReportMetric(do/fo, l.kind+"-overhead-x-floor")
			b.ReportMetric(do/ho, l.kind+"-overhead-x-floor-hooks")
			b.ReportMetric(mr, l.kind+"-overhead-x-floor-median")
			b.ReportMetric(mh, l.kind+"-overhead-x-floor-hooks-median")
			b.ReportMetric(float64(lost), l.kind+"-lost")
			b.Logf("%s: none %.0f ns/iter; floor %.0f (+%.0f), floor on the driver's hooks %.0f (+%.0f); driver %.0f (+%.0f): %.2fx the floor's overhead, %.2fx the hooks floor's (per-round median %.2fx, %.2fx; raw sys_enter: +%.0f, %.2fx, %.2fx); %d events read, %d lost",
				l.kind, none, floorExit, fo, floorHooks, ho, withDriver, do, do/fo, do/ho, mr, mh, ro, ro/fo, ro/ho, events, lost)
		}
	}
}

// BenchmarkConsume measures how many events per second the reader takes in
// on one CPU: live, with a getppid storm on the other CPU, and draining a
// filled ring buffer.
func BenchmarkConsume(b *testing.B) {
	testenv.RequireRoot(b)
	for _, mode := range []RingMode{RingShared, RingPerCPU} {
		b.Run(mode.String(), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				// Live.
				s, err := Open(&Options{Mode: mode, RingSize: 64 << 20})
				if err != nil {
					b.Fatal(err)
				}
				var wg sync.WaitGroup
				var events uint64
				ord := drainSource(s, &wg, &events)
				start := time.Now()
				// Load both CPUs: the storm on one, a second workload
				// (file I/O) on the other competing with the reader.
				other := startChild(b, "loop", "orc", "200000")
				other.release(b)
				loopCost(b, "getppid", 3_000_000)
				other.wait(b)
				live := time.Since(start)
				lst := s.Stats()
				s.Close()
				wg.Wait()
				b.ReportMetric(float64(lst.Read)/live.Seconds(), "live-events/s")
				b.ReportMetric(float64(lst.Lost), "live-lost")
				b.ReportMetric(float64(ord.inversions), "live-inversions")
				b.ReportMetric(float64(ord.worst), "live-worst-inversion-ns")

				// Drain: fill the ring with no reader, then time the reader.
				s, err = Open(&Options{Mode: mode, RingSize: 64 << 20})
				if err != nil {
					b.Fatal(err)
				}
				loopCost(b, "getppid", 800_000)
				queued := s.Stats().Events
				pin(0)
				var e event.Event
				start = time.Now()
				var n uint64
				for n < queued {
					if err := s.Next(&e); err != nil {
						b.Fatal(err)
					}
					n++
				}
				elapsed := time.Since(start)
				runtime.UnlockOSThread()
				st := s.Stats()
				s.Close()
				b.ReportMetric(float64(n)/elapsed.Seconds(), "drain-events/s")
				b.ReportMetric(float64(st.Lost), "drain-lost")
				b.Logf("%s: live %.2fM events/s (%d lost, %d out of order, worst by %d ns); drain %.2fM events/s (%d lost)", mode,
					float64(events)/live.Seconds()/1e6, lst.Lost, ord.inversions, ord.worst, float64(n)/elapsed.Seconds()/1e6, st.Lost)
			}
		})
	}
}

// BenchmarkNext is the reader's cost per event, with allocations: a getppid
// storm in a child process supplies the events.
func BenchmarkNext(b *testing.B) {
	testenv.RequireRoot(b)
	c := startChild(b, "loop", "getppid", strconv.Itoa(b.N+1000))
	s, err := Open(&Options{Pids: []int{c.pid()}, RingSize: 64 << 20})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	c.release(b)
	var e event.Event
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := s.Next(&e); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	c.wait(b)
	if st := s.Stats(); st.Lost != 0 {
		b.Errorf("%d events lost", st.Lost)
	}
}
