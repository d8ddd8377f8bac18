package driver

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"

	"github.com/syscope/syscope/driver/procscan"
	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/scap"
)

// RingMode chooses how events travel from the kernel.
type RingMode int

const (
	// RingPerCPU (the default) uses one ring buffer per CPU; the reader
	// merges them by timestamp. It is the faster mode and the one that
	// keeps events in timestamp order (see docs/driver.md).
	RingPerCPU RingMode = iota
	// RingShared uses one ring buffer for all CPUs: events arrive in the
	// order they were written, which can differ from timestamp order when
	// a CPU is delayed between timestamping and writing an event.
	RingShared
)

// String names the mode.
func (m RingMode) String() string {
	if m == RingPerCPU {
		return "per-cpu"
	}
	return "shared"
}

// Defaults.
const (
	DefaultRingSize = 8 << 20
	DefaultSnaplen  = 80
	// DefaultProtoSnaplen is the bytes of I/O data captured for HTTP on
	// sockets (see Options.ProtoSnaplen).
	DefaultProtoSnaplen = 2000
	DefaultPollInterval = 10 * time.Millisecond
	MaxSnaplen          = 32768
)

// Options configure Open. The zero value (or nil) means the defaults.
type Options struct {
	// Mode selects one ring buffer per CPU (default) or one shared.
	Mode RingMode
	// RingSize is the size in bytes of each ring buffer (of each CPU's, in
	// the per-CPU mode): a power of two of at least the page size. Default
	// DefaultRingSize.
	RingSize int
	// Snaplen is how many bytes of I/O data read, write, send and receive
	// events carry, at most MaxSnaplen. Default DefaultSnaplen.
	Snaplen int
	// ProtoSnaplen is how many bytes of I/O data events on sockets carry
	// when the data starts like an HTTP/1.x request or response (a method
	// such as GET or POST, or "HTTP"), at most MaxSnaplen; it has an
	// effect only when larger than Snaplen. Default DefaultProtoSnaplen;
	// negative turns it off.
	ProtoSnaplen int
	// Syscalls restricts capture to these syscall names. The process
	// lifecycle (the clone and exec families, and process exit) is always
	// captured, as state tracking needs it. Nil captures every syscall.
	Syscalls []string
	// Pids restricts capture to these processes and their descendants
	// (tracked in the kernel as they fork). Nil captures every process.
	Pids []int
	// IncludeSelf also captures the calling process's own syscalls.
	IncludeSelf bool
	// WakeupEvents wakes the reader once every this many events written
	// on a CPU (rounded down to a power of two); between wakeups the reader
	// polls every PollInterval. The default, RingSize/512, wakes it about
	// when an eighth of a ring is full. A negative value selects the
	// kernel's adaptive wakeups instead (one whenever the reader has caught
	// up): lower latency, but several times the cost per event.
	WakeupEvents int
	// PollInterval bounds how long queued events wait for the reader.
	// Default DefaultPollInterval.
	PollInterval time.Duration
	// RawEnter produces the enter events of open, openat, openat2, creat
	// and connect from the raw sys_enter tracepoint (a program run on every
	// syscall) instead of those syscalls' own enter tracepoints, which
	// cost the other syscalls nothing but need tracefs.
	RawEnter bool
	// VerifierLogDir is where a verifier log is saved when the kernel
	// rejects a program. Default os.TempDir().
	VerifierLogDir string
}

func (o *Options) withDefaults() (Options, error) {
	var r Options
	if o != nil {
		r = *o
	}
	if r.RingSize == 0 {
		r.RingSize = DefaultRingSize
	}
	page := os.Getpagesize()
	if r.RingSize < page || r.RingSize&(r.RingSize-1) != 0 {
		return r, fmt.Errorf("driver: ring size %d is not a power of two of at least %d", r.RingSize, page)
	}
	if r.Snaplen == 0 {
		r.Snaplen = DefaultSnaplen
	}
	if r.Snaplen < 0 || r.Snaplen > MaxSnaplen {
		return r, fmt.Errorf("driver: snaplen %d out of range 0..%d", r.Snaplen, MaxSnaplen)
	}
	if r.ProtoSnaplen == 0 {
		r.ProtoSnaplen = DefaultProtoSnaplen
	}
	if r.ProtoSnaplen > MaxSnaplen {
		return r, fmt.Errorf("driver: protocol snaplen %d above %d", r.ProtoSnaplen, MaxSnaplen)
	}
	if r.WakeupEvents == 0 {
		r.WakeupEvents = max(1, r.RingSize/512)
	}
	if r.PollInterval <= 0 {
		r.PollInterval = DefaultPollInterval
	}
	if r.Mode != RingShared && r.Mode != RingPerCPU {
		return r, fmt.Errorf("driver: unknown ring mode %d", r.Mode)
	}
	return r, nil
}

// Source is a live capture: the eBPF programs attached to the kernel and
// the reader of their ring buffers. Its methods are not safe for concurrent
// use, except Close, which may be called from another goroutine to end a
// blocked Next.
type Source struct {
	opts  Options
	objs  syscopeObjects
	rings []*ring
	inner []*ebpf.Map // per-CPU ring maps
	links []link.Link
	epfd  int
	wake  int // eventfd written by Close
	ncpu  int

	mdOnce sync.Once
	md     *scap.Metadata
	mdErr  error
	mdStat procscan.Stats

	mu     sync.Mutex
	closed atomic.Bool
	last   *ring  // ring of the record handed out by the last Next
	final  *Stats // counters at Close
	num    uint64
	evbuf  [8]unix.EpollEvent
}

// Open loads and attaches the eBPF driver and starts capturing. The caller
// must Close the source.
func Open(opts *Options) (*Source, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := preflight(); err != nil {
		return nil, err
	}
	want, err := syscallSet(o.Syscalls)
	if err != nil {
		return nil, err
	}
	ncpu, err := ebpf.PossibleCPU()
	if err != nil {
		return nil, fmt.Errorf("driver: count CPUs: %w", err)
	}
	spec, err := loadSyscope()
	if err != nil {
		return nil, fmt.Errorf("driver: read embedded eBPF object: %w", err)
	}
	page := os.Getpagesize()
	spec.Maps[syscopeMapScratchMap].MaxEntries = uint32(ncpu)
	if o.Mode == RingPerCPU {
		spec.Maps[syscopeMapEvents].MaxEntries = uint32(page)
		spec.Maps[syscopeMapCpuRings].MaxEntries = uint32(ncpu)
		spec.Maps[syscopeMapCpuRings].InnerMap.MaxEntries = uint32(o.RingSize)
	} else {
		spec.Maps[syscopeMapEvents].MaxEntries = uint32(o.RingSize)
		spec.Maps[syscopeMapCpuRings].InnerMap.MaxEntries = uint32(page)
	}
	boot, err := bootTimeNs()
	if err != nil {
		return nil, err
	}
	self := uint32(0)
	if !o.IncludeSelf {
		self = uint32(os.Getpid())
	}
	wakeup := uint64(0)
	if o.WakeupEvents > 0 {
		p := uint64(1)
		for p*2 <= uint64(o.WakeupEvents) {
			p *= 2
		}
		wakeup = p - 1
	}
	for name, v := range map[string]any{
		syscopeVarCfgBootNs:         boot,
		syscopeVarCfgSelfTgid:       self,
		syscopeVarCfgSnaplen:        uint32(o.Snaplen),
		syscopeVarCfgProtoSnaplen:   uint32(max(o.ProtoSnaplen, 0)),
		syscopeVarCfgWakeupMask:     wakeup,
		syscopeVarCfgWakeupAdaptive: o.WakeupEvents < 0,
		syscopeVarCfgPerCpu:         o.Mode == RingPerCPU,
		syscopeVarCfgFilter:         len(o.Pids) > 0,
	} {
		if err := spec.Variables[name].Set(v); err != nil {
			return nil, fmt.Errorf("driver: set %s: %w", name, err)
		}
	}

	s := &Source{opts: o, epfd: -1, wake: -1, ncpu: ncpu}
	if err := spec.LoadAndAssign(&s.objs, nil); err != nil {
		return nil, loadError(err, o.VerifierLogDir)
	}
	if err := s.setup(want); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// bootTimeNs returns the wall-clock time of boot in nanoseconds, to turn
// the kernel's boot-time clock into epoch timestamps.
func bootTimeNs() (uint64, error) {
	var rt, bt unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_REALTIME, &rt); err != nil {
		return 0, fmt.Errorf("driver: read clock: %w", err)
	}
	if err := unix.ClockGettime(unix.CLOCK_BOOTTIME, &bt); err != nil {
		return 0, fmt.Errorf("driver: read clock: %w", err)
	}
	return uint64(rt.Nano() - bt.Nano()), nil
}

// syscallSet resolves syscall names to x86_64 numbers; nil means all.
func syscallSet(names []string) (map[int]bool, error) {
	if names == nil {
		return nil, nil
	}
	byName := map[string]int{}
	for _, sc := range event.Syscalls() {
		if sc.NrX86_64 >= 0 {
			byName[sc.Name] = sc.NrX86_64
		}
	}
	want := map[int]bool{}
	for _, n := range names {
		nr, ok := byName[n]
		if !ok {
			return nil, fmt.Errorf("driver: unknown syscall %q", n)
		}
		want[nr] = true
	}
	return want, nil
}

const nsyscalls = 512

func (s *Source) setup(want map[int]bool) error {
	progs := s.programs()
	progOf := map[string]string{}
	for prog, names := range families {
		for _, n := range names {
			progOf[n] = prog
		}
	}
	enabled := map[string]bool{}
	for _, sc := range event.Syscalls() {
		nr := sc.NrX86_64
		if nr < 0 || nr >= nsyscalls {
			continue
		}
		on := want == nil || want[nr] || processSyscalls[sc.Name]
		conf := syscopeScConf{PpmSc: uint16(sc.PPMSC)}
		if on {
			conf.On = 1
			enabled[sc.Name] = true
		}
		if p, ok := progOf[sc.Name]; ok {
			conf.Prog = 1
			if err := s.objs.ExitProgs.Put(uint32(nr), progs[p]); err != nil {
				return fmt.Errorf("driver: install program %s for %s: %w", p, sc.Name, err)
			}
		}
		if err := s.objs.SyscallConf.Put(uint32(nr), conf); err != nil {
			return fmt.Errorf("driver: configure syscall %s: %w", sc.Name, err)
		}
	}

	// Ring buffers and their readers.
	if s.opts.Mode == RingPerCPU {
		for cpu := 0; cpu < s.ncpu; cpu++ {
			m, err := ebpf.NewMap(&ebpf.MapSpec{Type: ebpf.RingBuf, MaxEntries: uint32(s.opts.RingSize)})
			if err != nil {
				return fmt.Errorf("driver: create ring buffer for CPU %d: %w", cpu, err)
			}
			s.inner = append(s.inner, m)
			if err := s.objs.CpuRings.Put(uint32(cpu), m); err != nil {
				return fmt.Errorf("driver: install ring buffer for CPU %d: %w", cpu, err)
			}
			r, err := newRing(m.FD(), s.opts.RingSize)
			if err != nil {
				return fmt.Errorf("driver: CPU %d: %w", cpu, err)
			}
			s.rings = append(s.rings, r)
		}
	} else {
		r, err := newRing(s.objs.Events.FD(), s.opts.RingSize)
		if err != nil {
			return fmt.Errorf("driver: %w", err)
		}
		s.rings = append(s.rings, r)
	}
	var err error
	if s.epfd, err = unix.EpollCreate1(unix.EPOLL_CLOEXEC); err != nil {
		return fmt.Errorf("driver: epoll: %w", err)
	}
	if s.wake, err = unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK); err != nil {
		return fmt.Errorf("driver: eventfd: %w", err)
	}
	add := func(fd int) error {
		return unix.EpollCtl(s.epfd, unix.EPOLL_CTL_ADD, fd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(fd)})
	}
	if err := add(s.wake); err != nil {
		return fmt.Errorf("driver: epoll add: %w", err)
	}
	for _, r := range s.rings {
		if err := add(r.fd); err != nil {
			return fmt.Errorf("driver: epoll add ring: %w", err)
		}
	}

	// Attach: process tracking first, so nothing forked meanwhile escapes
	// the filter, then the event producers.
	if len(s.opts.Pids) > 0 {
		if err := s.attachTracing(s.objs.SchedFork, "sched_process_fork"); err != nil {
			return err
		}
		if err := s.trackTree(); err != nil {
			return err
		}
	}
	for _, p := range []struct {
		prog *ebpf.Program
		name string
	}{
		{s.objs.SchedExit, "sched_process_exit"},
		{s.objs.SchedExec, "sched_process_exec"},
		{s.objs.SysExit, "sys_exit"},
	} {
		if err := s.attachTracing(p.prog, p.name); err != nil {
			return err
		}
	}
	needEnter := false
	for _, ep := range enterPrograms {
		needEnter = needEnter || enabled[ep.syscall]
	}
	if !needEnter {
		return nil
	}
	if !s.opts.RawEnter {
		if err := ensureTracefs(); err != nil {
			return err
		}
	}
	if s.opts.RawEnter {
		return s.attachTracing(s.objs.SysEnter, "sys_enter")
	}
	for _, ep := range enterPrograms {
		if !enabled[ep.syscall] {
			continue
		}
		l, err := link.Tracepoint("syscalls", "sys_enter_"+ep.syscall, progs[ep.prog], nil)
		if err != nil {
			return fmt.Errorf("driver: attach %s to syscalls:sys_enter_%s: %w", ep.prog, ep.syscall, err)
		}
		s.links = append(s.links, l)
	}
	return nil
}

// trackTree puts the filter's processes and their existing descendants in
// the kernel's tracked set. It runs after the fork tracker is attached and
// twice, so that a process forked while the tree is read is not missed.
func (s *Source) trackTree() error {
	for pass := 0; pass < 2; pass++ {
		for _, pid := range descendants(s.opts.Pids) {
			if err := s.objs.Tracked.Put(uint32(pid), uint8(1)); err != nil {
				return fmt.Errorf("driver: track pid %d: %w", pid, err)
			}
		}
	}
	return nil
}

// descendants returns roots and every process below them, from /proc.
func descendants(roots []int) []int {
	children := map[int][]int{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		st := string(b)
		i := strings.LastIndexByte(st, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(st[i+1:])
		if len(f) < 2 {
			continue
		}
		if ppid, err := strconv.Atoi(f[1]); err == nil {
			children[ppid] = append(children[ppid], pid)
		}
	}
	seen := map[int]bool{}
	out := []int{}
	queue := append([]int(nil), roots...)
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if seen[p] {
			continue
		}
		seen[p] = true
		out = append(out, p)
		queue = append(queue, children[p]...)
	}
	return out
}

func (s *Source) attachTracing(p *ebpf.Program, name string) error {
	l, err := link.AttachTracing(link.TracingOptions{Program: p})
	if err != nil {
		if errors.Is(err, unix.EPERM) {
			return fmt.Errorf("%w: attach %s: %v", ErrPermission, name, err)
		}
		return fmt.Errorf("driver: attach %s: %w", name, err)
	}
	s.links = append(s.links, l)
	return nil
}

// ensureTracefs mounts tracefs at its usual place when no tracefs is
// mounted: the per-syscall enter tracepoints are found through it.
func ensureTracefs() error {
	for _, p := range []string{"/sys/kernel/tracing/events", "/sys/kernel/debug/tracing/events"} {
		if _, err := os.Stat(p); err == nil {
			return nil
		}
	}
	if err := unix.Mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, ""); err != nil {
		return fmt.Errorf("driver: tracefs is not mounted and mounting it at /sys/kernel/tracing failed: %w", err)
	}
	return nil
}

func (s *Source) programs() map[string]*ebpf.Program {
	p := &s.objs.syscopePrograms
	return map[string]*ebpf.Program{
		"x_open": p.X_open, "x_close": p.X_close, "x_rw": p.X_rw, "x_rwv": p.X_rwv,
		"x_socket": p.X_socket, "x_connect": p.X_connect, "x_sendrecv": p.X_sendrecv,
		"x_fd": p.X_fd, "x_path": p.X_path, "x_attr": p.X_attr, "x_cred": p.X_cred,
		"x_proc": p.X_proc, "x_mem": p.X_mem, "x_clone": p.X_clone, "x_execfail": p.X_execfail,
		"e_open": p.E_open, "e_openat": p.E_openat, "e_openat2": p.E_openat2,
		"e_creat": p.E_creat, "e_connect": p.E_connect,
	}
}

// Next fills e with the next event: e.Raw holds its bytes in the scap
// layout (valid until the next call to Next or Close), e.CPU the processor
// that produced it and e.Num its ordinal in this capture, from 1. It blocks
// until an event arrives and returns io.EOF once the source is closed.
func (s *Source) Next(e *event.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed.Load() {
		return io.EOF
	}
	if s.last != nil {
		s.last.advance()
		s.last.release(false)
		s.last = nil
	}
	spins := 0
	for {
		r, rec := s.pick()
		if rec != nil {
			if len(rec) < recordPrefix+event.HeaderLen {
				// Cannot happen with our programs; skip rather than hand
				// out a broken event.
				r.advance()
				continue
			}
			s.last = r
			s.num++
			raw := rec[recordPrefix:]
			// Events written in place may be shorter than the record
			// reserved for them: the header's length is the event's.
			if l := binary.LittleEndian.Uint32(raw[16:]); l >= event.HeaderLen && int(l) < len(raw) {
				raw = raw[:l]
			}
			e.Raw = raw
			e.CPU = uint16(rec[0]) | uint16(rec[1])<<8
			e.Num = s.num
			e.Flags = 0
			return nil
		}
		for _, r := range s.rings {
			r.release(true)
		}
		// A record being written (reserved, not yet committed) is
		// ready within microseconds: yield instead of sleeping.
		if s.inFlight() && spins < 100 {
			spins++
			runtime.Gosched()
			continue
		}
		spins = 0
		if err := s.wait(); err != nil {
			return err
		}
	}
}

// inFlight reports whether a ring holds bytes not yet readable.
func (s *Source) inFlight() bool {
	for _, r := range s.rings {
		if r.pending() != 0 {
			return true
		}
	}
	return false
}

// pick returns the ring holding the next record and the record, or nil.
func (s *Source) pick() (*ring, []byte) {
	if len(s.rings) == 1 {
		r := s.rings[0]
		return r, r.peek()
	}
	var best *ring
	var bestRec []byte
	var bestTs uint64
	for _, r := range s.rings {
		rec := r.peek()
		if rec == nil || len(rec) < recordPrefix+8 {
			continue
		}
		if ts := recordTs(rec); best == nil || ts < bestTs {
			best, bestRec, bestTs = r, rec, ts
		}
	}
	return best, bestRec
}

// wait blocks until a ring is woken up, the poll interval passes or the
// source is closed. It releases the lock meanwhile so Close can proceed.
func (s *Source) wait() error {
	ms := int(s.opts.PollInterval / time.Millisecond)
	if ms < 1 {
		ms = 1
	}
	s.mu.Unlock()
	_, err := unix.EpollWait(s.epfd, s.evbuf[:], ms)
	s.mu.Lock()
	if s.closed.Load() {
		return io.EOF
	}
	if err != nil && err != unix.EINTR {
		return fmt.Errorf("driver: wait for events: %w", err)
	}
	return nil
}

// Metadata returns the snapshot of the system the capture starts from:
// machine, interfaces, users, groups, and every thread with its open
// descriptors. It is taken from /proc on the first call, after the
// programs are attached, so whatever changes afterwards is in the event
// stream. A scan error is reported by MetadataErr; the snapshot then holds
// what could be read.
func (s *Source) Metadata() *scap.Metadata {
	s.mdOnce.Do(func() {
		s.md, s.mdStat, s.mdErr = procscan.Scan(nil)
		if s.md == nil {
			s.md = &scap.Metadata{}
		}
	})
	return s.md
}

// MetadataErr returns the error of the /proc scan behind Metadata, if any,
// and its counts.
func (s *Source) MetadataErr() (procscan.Stats, error) {
	s.Metadata()
	return s.mdStat, s.mdErr
}

// DropCategory classifies events lost to a full ring buffer.
type DropCategory int

// Drop categories, matching the eBPF programs' enum drop_cat.
const (
	DropProcess DropCategory = iota // clone, fork, exec, exit
	DropFile                        // open, close and path operations
	DropNet                         // socket setup, connect, accept
	DropIO                          // read, write, send, receive
	DropOther
	NumDropCategories
)

var dropNames = [...]string{"process", "file", "net", "io", "other"}

// String names the category.
func (c DropCategory) String() string {
	if c >= 0 && int(c) < len(dropNames) {
		return dropNames[c]
	}
	return fmt.Sprintf("category%d", int(c))
}

// CPUStats are one CPU's kernel-side counters.
type CPUStats struct {
	Events        uint64                    // events written to a ring buffer
	Drops         [NumDropCategories]uint64 // lost to a full ring buffer
	Oversize      uint64                    // lost for exceeding the 64 KiB event limit
	TailMisses    uint64                    // decoded syscall sent as a generic event
	CompatSkipped uint64                    // 32-bit compat syscalls not captured
	TrackFull     uint64                    // new processes the pid filter could not track
}

// Stats are the capture's counters.
type Stats struct {
	CPUStats        // summed over CPUs
	Read     uint64 // events returned by Next
	Lost     uint64 // sum of all drops and oversize events
	PerCPU   []CPUStats
}

// Stats returns the current counters; after Close, the final ones. It
// may be called from any goroutine.
func (s *Source) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.final != nil {
		return *s.final
	}
	return s.statsLocked()
}

func (s *Source) statsLocked() Stats {
	st := Stats{Read: s.num}
	if s.objs.CountersMap == nil {
		return st
	}
	per := make([]syscopeCounters, s.ncpu)
	if err := s.objs.CountersMap.Lookup(uint32(0), per); err != nil {
		return st
	}
	for _, c := range per {
		cs := CPUStats{Events: c.Events, Oversize: c.Oversize, TailMisses: c.TailMiss,
			CompatSkipped: c.CompatSkipped, TrackFull: c.TrackFull}
		copy(cs.Drops[:], c.Drops[:])
		st.PerCPU = append(st.PerCPU, cs)
		st.Events += cs.Events
		st.Oversize += cs.Oversize
		st.TailMisses += cs.TailMisses
		st.CompatSkipped += cs.CompatSkipped
		st.TrackFull += cs.TrackFull
		for i, d := range cs.Drops {
			st.Drops[i] += d
			st.Lost += d
		}
		st.Lost += cs.Oversize
	}
	return st
}

// Close detaches the programs and releases everything. A Next blocked in
// another goroutine returns io.EOF.
func (s *Source) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	var errs []error
	for _, l := range s.links {
		if err := l.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	if s.wake >= 0 {
		var one = [8]byte{1}
		unix.Write(s.wake, one[:])
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	final := s.statsLocked()
	s.final = &final
	for _, r := range s.rings {
		r.close()
	}
	s.rings = nil
	s.last = nil
	for _, m := range s.inner {
		m.Close()
	}
	if s.epfd >= 0 {
		unix.Close(s.epfd)
	}
	if s.wake >= 0 {
		unix.Close(s.wake)
	}
	if err := s.objs.Close(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
