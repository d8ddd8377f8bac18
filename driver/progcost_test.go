package driver

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"github.com/syscope/syscope/driver/internal/floor"
	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/internal/testenv"
)

// progTime is the run time and run count of a set of programs.
func progTime(b *testing.B, progs ...*ebpf.Program) (ns, runs uint64) {
	for _, p := range progs {
		if p == nil {
			continue
		}
		st, err := p.Stats()
		if err != nil {
			b.Fatal(err)
		}
		ns += uint64(st.Runtime)
		runs += st.RunCount
	}
	return ns, runs
}

// BenchmarkPrograms reports, from the kernel's eBPF run-time statistics,
// the time the programs spend per iteration of the open/read/close loop:
// the floor's programs (on sys_exit; also on the driver's enter
// tracepoints: floor-hooks; also copying the paths and data the driver
// copies: floor-copy), and the driver's with one syscall captured at a
// time and with all three. The statistics count a program's time from its
// entry, so the dispatcher's figure includes the tail-called family
// program. The programs run for every process of the machine, so other
// activity adds a little; each figure is the median of its rounds.
func BenchmarkPrograms(b *testing.B) {
	testenv.RequireRoot(b)
	stats, err := ebpf.EnableStats(uint32(unix.BPF_STATS_RUN_TIME))
	if err != nil {
		b.Fatal(err)
	}
	defer stats.Close()
	const n = 200_000
	const rounds = 5
	type setup struct {
		name     string
		syscalls []string // nil: the floor
	}
	setups := []setup{
		{"floor", nil},
		{"floor-hooks", nil},
		{"floor-copy", nil},
		{"dispatch-only", []string{"getppid"}},
		{"openat", []string{"openat"}},
		{"read", []string{"read"}},
		{"close", []string{"close"}},
		{"all3", []string{"openat", "read", "close"}},
	}
	res := map[string][]float64{}
	enterRes := map[string][]float64{}
	for i := 0; i < b.N; i++ {
		for r := 0; r < rounds; r++ {
			for _, su := range setups {
				var progs []*ebpf.Program
				var enter *ebpf.Program
				var closer func()
				if su.syscalls == nil {
					kind := map[string]floor.Kind{"floor": floor.Exit, "floor-hooks": floor.Hooks, "floor-copy": floor.Copy}[su.name]
					f, stop := startFloor(b, kind)
					progs = []*ebpf.Program{f.Program()}
					if kind != floor.Exit {
						enter = f.EnterProgram()
						progs = append(progs, enter)
					}
					closer = stop
				} else {
					s, err := Open(&Options{Syscalls: su.syscalls, RingSize: 16 << 20})
					if err != nil {
						b.Fatal(err)
					}
					var wg sync.WaitGroup
					var cnt uint64
					drainSource(s, &wg, &cnt)
					enter = s.objs.E_openat
					progs = []*ebpf.Program{s.objs.SysExit, enter}
					closer = func() { s.Close(); wg.Wait() }
				}
				ns0, _ := progTime(b, progs...)
				e0, _ := progTime(b, enter)
				c := startChild(b, "loop", "orc", strconv.Itoa(n))
				c.run(b)
				ns1, _ := progTime(b, progs...)
				e1, _ := progTime(b, enter)
				closer()
				res[su.name] = append(res[su.name], float64(ns1-ns0)/n)
				enterRes[su.name] = append(enterRes[su.name], float64(e1-e0)/n)
			}
		}
	}
	med := func(v []float64) float64 {
		sort.Float64s(v)
		return v[len(v)/2]
	}
	var sb strings.Builder
	for _, su := range setups {
		m := med(res[su.name])
		b.ReportMetric(m, su.name+"-prog-ns/iter")
		sb.WriteString(su.name + "=" + strconv.FormatFloat(m, 'f', 0, 64))
		if e := med(enterRes[su.name]); e > 0 {
			sb.WriteString(" (enter " + strconv.FormatFloat(e, 'f', 0, 64) + ")")
		}
		sb.WriteString("  ")
	}
	b.Log("eBPF ns per open/read/close iteration: " + sb.String())
}

// TestSnaplen checks the I/O data of write and pread under a snaplen that
// truncates (the event written in place in the ring buffer) and one above
// the in-place limit (the event built in the scratch buffer).
func TestSnaplen(t *testing.T) {
	for _, sl := range []int{4, 1000} {
		testenv.RequireRoot(t)
		dir := t.TempDir()
		c := startChild(t, "files", dir)
		r := record(t, &Options{Pids: []int{c.pid()}, Snaplen: sl})
		out := kv(t, c.run(t))
		pid := int64(c.pid())
		r.waitFor("procexit of the workload", func(e *ev) bool {
			return e.Type() == event.ProcexitV1E && e.Tid() == pid
		})
		evs := r.stop()
		fd := atoi(t, out, "openat_fd")
		want := "hello syscope\n"
		if sl < len(want) {
			want = want[:sl]
		}
		w := one(t, evs, "write", event.Exit, func(e *ev) bool { return e.i64(t, "fd") == fd })
		eq(t, fmt.Sprintf("snaplen %d: write res", sl), w.i64(t, "res"), 14)
		eq(t, fmt.Sprintf("snaplen %d: write data", sl), string(w.p(t, "data")), want)
		eq(t, fmt.Sprintf("snaplen %d: write size", sl), w.u32(t, "size"), 14)
		if int(w.Len()) != len(w.Raw) {
			t.Errorf("snaplen %d: write event length %d, %d bytes handed out", sl, w.Len(), len(w.Raw))
		}
	}
}
