package capture_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/fields"
	containerfields "github.com/syscope/syscope/fields/container"
	"github.com/syscope/syscope/scap"
	"github.com/syscope/syscope/state"
)

// procProcess reads one process of /proc as a capture's process list
// stores it (main threads only: what the container fields need).
func procProcess(pid int) (scap.Process, bool) {
	dir := filepath.Join("/proc", strconv.Itoa(pid))
	stat, err := os.ReadFile(filepath.Join(dir, "stat"))
	if err != nil {
		return scap.Process{}, false
	}
	// pid (comm) state ppid ...
	open, close := bytes.IndexByte(stat, '('), bytes.LastIndexByte(stat, ')')
	if open < 0 || close < open {
		return scap.Process{}, false
	}
	rest := strings.Fields(string(stat[close+1:]))
	if len(rest) < 2 {
		return scap.Process{}, false
	}
	ppid, _ := strconv.ParseInt(rest[1], 10, 64)
	p := scap.NewProcess(int64(pid))
	p.Pid, p.Ptid, p.Sid, p.Vpgid, p.Pgid = int64(pid), ppid, int64(pid), int64(pid), int64(pid)
	p.Comm = string(stat[open+1 : close])
	if status, err := os.ReadFile(filepath.Join(dir, "status")); err == nil {
		for _, line := range strings.Split(string(status), "\n") {
			if v, ok := strings.CutPrefix(line, "NSpid:"); ok {
				f := strings.Fields(v)
				if len(f) > 0 {
					vpid, _ := strconv.ParseInt(f[len(f)-1], 10, 64)
					p.Vpid, p.Vtid = vpid, vpid
				}
			}
		}
	}
	if cmd, err := os.ReadFile(filepath.Join(dir, "cmdline")); err == nil && len(cmd) > 0 {
		args := strings.Split(strings.TrimRight(string(cmd), "\x00"), "\x00")
		p.Exe, p.Args = args[0], args[1:]
	} else {
		p.Exe = p.Comm
	}
	p.ExePath, _ = os.Readlink(filepath.Join(dir, "exe"))
	p.Cwd, p.Root = "/", "/"
	p.FDLimit = 1024
	if cg, err := os.ReadFile(filepath.Join(dir, "cgroup")); err == nil {
		for _, line := range strings.Split(strings.TrimSpace(string(cg)), "\n") {
			// N:controllers:/path; cgroup v2 has no controllers.
			parts := strings.SplitN(line, ":", 3)
			if len(parts) != 3 {
				continue
			}
			sub := parts[1]
			if sub == "" {
				sub = "unified"
			}
			for _, s := range strings.Split(sub, ",") {
				p.Cgroups = append(p.Cgroups, s+"="+parts[2])
			}
		}
	}
	return p, true
}

// procMetadata scans /proc into a capture's metadata.
func procMetadata(t testing.TB) *scap.Metadata {
	t.Helper()
	ents, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	md := &scap.Metadata{Machine: &scap.MachineInfo{NumCPUs: 2, MemoryBytes: 1 << 30, MaxPID: 4194304, Hostname: host}}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if p, ok := procProcess(pid); ok {
			md.Processes = append(md.Processes, p)
		}
	}
	return md
}

// liveView is the machine as the live side sees it: a state seeded from a
// /proc scan, a tracker over a Manager with real runtime clients.
type liveView struct {
	t   *testing.T
	md  *scap.Metadata
	st  *state.State
	tr  *containerfields.Tracker
	res *fields.Resolver
	b   event.Builder
	buf []byte
	ts  uint64
	num uint64
}

func newLiveView(t *testing.T, md *scap.Metadata, tr *containerfields.Tracker) *liveView {
	st := state.New(nil)
	st.Seed(md)
	env := &fields.Env{State: st}
	tr.Attach(env)
	return &liveView{t: t, md: md, st: st, tr: tr, res: fields.NewResolver(nil, env), ts: 1_800_000_000_000_000_000}
}

// ctx runs a getuid event of pid through the state.
func (v *liveView) ctx(pid int) *state.Ctx {
	v.t.Helper()
	v.ts += 1000
	v.num++
	v.b.Reset(v.ts, int64(pid), event.SyscallGetuidE)
	raw, err := v.b.Bytes()
	if err != nil {
		v.t.Fatal(err)
	}
	v.buf = append(v.buf[:0], raw...)
	c := v.st.Process(&event.Event{Raw: v.buf, Num: v.num})
	if c.Thread == nil || c.Thread.Tid != int64(pid) {
		v.t.Fatalf("pid %d is not in the state", pid)
	}
	return c
}

// get returns a field of an event of pid, "<NA>" when missing.
func (v *liveView) get(pid int, field string) string {
	v.t.Helper()
	ref, n := v.res.ParseToken(field)
	if n != len(field) {
		v.t.Fatalf("field %q", field)
	}
	x, err := v.res.Extractor(ref)
	if err != nil {
		v.t.Fatal(err)
	}
	b, ok := x.AppendText(nil, v.ctx(pid))
	if !ok {
		return "<NA>"
	}
	return string(b)
}

func (v *liveView) expect(pid int, want map[string]string) {
	v.t.Helper()
	for f, w := range want {
		if got := v.get(pid, f); got != w {
			v.t.Errorf("pid %d (%s) %s = %q, want %q", pid, v.get(pid, "proc.cmdline"), f, got, w)
		}
	}
}

// findPid returns the pid of the process whose command line (arguments
// joined by spaces) is cmdline and, when cgroupPart is not empty, whose
// cgroups mention it; 0 when there is none.
func findPid(cmdline, cgroupPart string) int {
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err != nil || strings.TrimRight(strings.ReplaceAll(string(b), "\x00", " "), " ") != cmdline {
			continue
		}
		if cgroupPart != "" {
			cg, _ := os.ReadFile("/proc/" + e.Name() + "/cgroup")
			if !strings.Contains(string(cg), cgroupPart) {
				continue
			}
		}
		return pid
	}
	return 0
}

// childOf returns a child of pid whose command line is cmdline, or 0.
func childOf(pid int, cmdline string) int {
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		c, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		p, ok := procProcess(c)
		if ok && p.Ptid == int64(pid) && strings.Join(append([]string{p.Exe}, p.Args...), " ") == cmdline {
			return c
		}
	}
	return 0
}
