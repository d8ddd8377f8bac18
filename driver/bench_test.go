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

// startFloor attaches a floor tracer of the given kind and drains its ring
// buffer on the first CPU until the returned stop function is called,
// which also detaches it.
func startFloor(b testing.TB, kind floor.Kind) (*floor.Floor, func()) {
	f, err := floor.Attach(kind)
	if err != nil {
		b.Fatal(err)
	}
	r, err := newRing(f.Ring().FD(), floor.RingSize)
	if err != nil {
		f.Close()
		b.Fatal(err)
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
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
			r.advance()
			r.release(false)
		}
	}()
	return f, func() {
		stop.Store(true)
		wg.Wait()
		f.Close()
	}
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
// loop, the cost per iteration with no tracing, with three floor tracers
// (minimal eBPF ring buffer writers: on sys_exit; also on the enter
// tracepoints the driver uses; and also copying the paths and data the
// driver copies from user memory, see package floor) and with the driver
// capturing every syscall of the system; and the driver's overhead
// relative to each floor's.
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
	kinds := []floor.Kind{floor.Exit, floor.Hooks, floor.Copy}
	const rounds = 9
	withFloor := func(l string, n int, k floor.Kind) float64 {
		_, stop := startFloor(b, k)
		defer stop()
		return loopCost(b, l, n)
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
			none, withDriver, withRaw := 1e18, 1e18, 1e18
			floors := make([]float64, len(kinds))
			perRound := make([][]float64, len(kinds))
			for k := range floors {
				floors[k] = 1e18
			}
			var events, lost uint64
			for r := 0; r < rounds; r++ {
				rNone := loopCost(b, l.kind, l.n)
				rFloor := make([]float64, len(kinds))
				for k, kind := range kinds {
					rFloor[k] = withFloor(l.kind, l.n, kind)
				}
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
				none, withDriver = min(none, rNone), min(withDriver, rDriver)
				for k := range kinds {
					floors[k] = min(floors[k], rFloor[k])
					perRound[k] = append(perRound[k], (rDriver-rNone)/(rFloor[k]-rNone))
				}
			}
			do, ro := withDriver-none, withRaw-none
			b.ReportMetric(none/l.syscalls, l.kind+"-none-ns/syscall")
			b.ReportMetric(withDriver/l.syscalls, l.kind+"-driver-ns/syscall")
			b.ReportMetric(withRaw/l.syscalls, l.kind+"-driver-rawenter-ns/syscall")
			b.ReportMetric(float64(lost), l.kind+"-lost")
			var sb strings.Builder
			for k, kind := range kinds {
				fo := floors[k] - none
				mr := median(perRound[k])
				b.ReportMetric(floors[k]/l.syscalls, l.kind+"-"+kind.String()+"-ns/syscall")
				b.ReportMetric(do/fo, l.kind+"-overhead-x-"+kind.String())
				b.ReportMetric(mr, l.kind+"-overhead-x-"+kind.String()+"-median")
				fmt.Fprintf(&sb, "; %s +%.0f: driver %.2fx (per-round median %.2fx, raw sys_enter %.2fx)", kind, fo, do/fo, mr, ro/fo)
			}
			b.Logf("%s: none %.0f ns/iter, driver +%.0f, raw sys_enter +%.0f%s; %d events read, %d lost",
				l.kind, none, do, ro, sb.String(), events, lost)
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

// The floors' enter hooks are the driver's.
func TestFloorHooks(t *testing.T) {
	if !slices.Equal(floor.EnterSyscalls, EnterSyscalls()) {
		t.Errorf("floor enter hooks %v, driver enter events %v", floor.EnterSyscalls, EnterSyscalls())
	}
}
