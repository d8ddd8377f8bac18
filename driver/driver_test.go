package driver

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/internal/testenv"
)

// kv parses the key=value lines a workload prints.
func kv(t *testing.T, lines []string) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, l := range lines {
		if k, v, ok := strings.Cut(l, "="); ok {
			m[k] = v
		}
	}
	return m
}

func atoi(t *testing.T, m map[string]string, k string) int64 {
	t.Helper()
	v, ok := m[k]
	if !ok {
		t.Fatalf("workload did not report %s", k)
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		t.Fatalf("%s=%q: %v", k, v, err)
	}
	return n
}

func eq[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

// newEncodeDev is the kernel's new_encode_dev, the device number format of
// the events (and of /proc's tty_nr).
func newEncodeDev(dev uint64) uint32 {
	major, minor := unix.Major(dev), unix.Minor(dev)
	return (minor & 0xff) | (major << 8) | ((minor &^ 0xff) << 12)
}

// PPM flag values (event.FlagsFileFlags) by name.
func flagVal(t *testing.T, tab *event.FlagTable, names ...string) uint32 {
	t.Helper()
	var v uint32
	for _, n := range names {
		found := false
		for _, e := range tab.Entries {
			if e.Name == n {
				v |= uint32(e.Value)
				found = true
				break
			}
		}
		if !found {
			t.Fatalf("no flag %s in %s", n, tab.Name)
		}
	}
	return v
}

// runCaptured runs a workload with the capture filtered on its pid and
// returns its output and every event captured until its exit.
func runCaptured(t *testing.T, workload string, args ...string) (map[string]string, []*ev) {
	t.Helper()
	testenv.RequireRoot(t)
	c := startChild(t, workload, args...)
	r := record(t, &Options{Pids: []int{c.pid()}})
	out := kv(t, c.run(t))
	pid := int64(c.pid())
	r.waitFor("procexit of the workload", func(e *ev) bool {
		return e.Type() == event.ProcexitV1E && e.Tid() == pid
	})
	return out, r.stop()
}

func TestFiles(t *testing.T) {
	dir := t.TempDir()
	out, evs := runCaptured(t, "files", dir)
	path := filepath.Join(dir, "data.txt")
	path2 := filepath.Join(dir, "renamed.txt")
	tid := atoi(t, out, "tid")
	mine := func(e *ev) bool { return e.Tid() == tid }
	ff := event.FlagsFileFlags

	// openat: enter and exit.
	fd := atoi(t, out, "openat_fd")
	en := one(t, evs, "openat", event.Enter, func(e *ev) bool { return mine(e) && e.str(t, "name") == path })
	eq(t, "openat> dirfd", en.i64(t, "dirfd"), -100)
	eq(t, "openat> flags", en.u32(t, "flags"), flagVal(t, ff, "O_CREAT", "O_WRONLY", "O_TRUNC", "O_CLOEXEC"))
	eq(t, "openat> mode", en.u32(t, "mode"), 0o640)
	ex := one(t, evs, "openat", event.Exit, func(e *ev) bool { return mine(e) && e.str(t, "name") == path })
	eq(t, "openat< fd", ex.i64(t, "fd"), fd)
	eq(t, "openat< dirfd", ex.i64(t, "dirfd"), -100)
	eq(t, "openat< flags", ex.u32(t, "flags"), flagVal(t, ff, "O_CREAT", "O_WRONLY", "O_TRUNC", "O_CLOEXEC", "O_F_CREATED"))
	eq(t, "openat< mode", ex.u32(t, "mode"), 0o640)
	eq(t, "openat< dev", ex.u32(t, "dev"), newEncodeDev(uint64(atoi(t, out, "dev"))))
	eq(t, "openat< ino", ex.u64(t, "ino"), uint64(atoi(t, out, "ino")))
	if ex.Ts() < en.Ts() || ex.Num <= en.Num {
		t.Errorf("openat exit (ts %d, num %d) before its enter (ts %d, num %d)", ex.Ts(), ex.Num, en.Ts(), en.Num)
	}

	w := one(t, evs, "write", event.Exit, func(e *ev) bool { return mine(e) && e.i64(t, "fd") == fd })
	eq(t, "write res", w.i64(t, "res"), 14)
	eq(t, "write data", string(w.p(t, "data")), "hello syscope\n")
	eq(t, "write size", w.u32(t, "size"), 14)
	cl := first(t, evs, "close", event.Exit, func(e *ev) bool { return mine(e) && e.i64(t, "fd") == fd && e.Num > w.Num })
	eq(t, "close res", cl.i64(t, "res"), 0)
	bad := one(t, evs, "close", event.Exit, func(e *ev) bool { return mine(e) && e.i64(t, "fd") == 999 })
	eq(t, "close(999) res", bad.i64(t, "res"), -int64(unix.EBADF))

	// Long paths: written in place up to 255 bytes, through the scratch
	// buffer above.
	for _, n := range longPathLens {
		lp := longPath(dir, n)
		for _, sc := range []string{"openat", "open"} {
			named := func(e *ev) bool { return mine(e) && e.str(t, "name") == lp }
			one(t, evs, sc, event.Enter, named)
			x := one(t, evs, sc, event.Exit, named)
			eq(t, fmt.Sprintf("%s< fd (%d-byte path)", sc, n), x.i64(t, "fd"), -atoi(t, out, fmt.Sprintf("long_%s_%d", sc, n)))
		}
	}

	// open (the old syscall), read, pread, dup family.
	fd2 := atoi(t, out, "open_fd")
	oen := one(t, evs, "open", event.Enter, func(e *ev) bool { return mine(e) && e.str(t, "name") == path })
	eq(t, "open> flags", oen.u32(t, "flags"), flagVal(t, ff, "O_RDONLY"))
	eq(t, "open> mode", oen.u32(t, "mode"), 0)
	o := one(t, evs, "open", event.Exit, func(e *ev) bool { return mine(e) && e.str(t, "name") == path })
	eq(t, "open< fd", o.i64(t, "fd"), fd2)
	eq(t, "open< flags", o.u32(t, "flags"), flagVal(t, ff, "O_RDONLY"))
	eq(t, "open< ino", o.u64(t, "ino"), uint64(atoi(t, out, "ino")))
	rd := first(t, evs, "read", event.Exit, func(e *ev) bool { return mine(e) && e.i64(t, "fd") == fd2 && e.Num > o.Num })
	eq(t, "read res", rd.i64(t, "res"), 14)
	eq(t, "read data", string(rd.p(t, "data")), "hello syscope\n")
	eq(t, "read size", rd.u32(t, "size"), 64)
	pr := first(t, evs, "pread", event.Exit, func(e *ev) bool { return mine(e) && e.i64(t, "fd") == fd2 && e.Num > o.Num })
	eq(t, "pread res", pr.i64(t, "res"), 5)
	eq(t, "pread data", string(pr.p(t, "data")), "sysco")
	eq(t, "pread size", pr.u32(t, "size"), 5)
	eq(t, "pread pos", pr.u64(t, "pos"), 6)
	d := one(t, evs, "dup", event.Exit, func(e *ev) bool { return mine(e) && e.i64(t, "oldfd") == fd2 })
	eq(t, "dup res", d.i64(t, "res"), atoi(t, out, "dup_fd"))
	d2 := one(t, evs, "dup2", event.Exit, mine)
	eq(t, "dup2 res", d2.i64(t, "res"), 50)
	eq(t, "dup2 oldfd", d2.i64(t, "oldfd"), fd2)
	eq(t, "dup2 newfd", d2.i64(t, "newfd"), 50)
	d3 := one(t, evs, "dup3", event.Exit, mine)
	eq(t, "dup3 res", d3.i64(t, "res"), 51)
	eq(t, "dup3 flags", d3.u32(t, "flags"), flagVal(t, ff, "O_CLOEXEC"))
	fc := one(t, evs, "fcntl", event.Exit, func(e *ev) bool { return mine(e) && e.i64(t, "fd") == fd2 })
	eq(t, "fcntl res", fc.i64(t, "res"), 60)
	eq(t, "fcntl cmd", fc.u8(t, "cmd"), uint8(flagVal(t, event.FlagsFcntlCommands, "F_DUPFD_CLOEXEC")))
	eq(t, "fcntl arg", fc.u64(t, "arg"), 60)

	// pipe2 and data through it.
	p := one(t, evs, "pipe2", event.Exit, mine)
	eq(t, "pipe2 res", p.i64(t, "res"), 0)
	eq(t, "pipe2 fd1", p.i64(t, "fd1"), atoi(t, out, "pipe_r"))
	eq(t, "pipe2 fd2", p.i64(t, "fd2"), atoi(t, out, "pipe_w"))
	eq(t, "pipe2 ino", p.u64(t, "ino"), uint64(atoi(t, out, "pipe_ino")))
	eq(t, "pipe2 flags", p.u32(t, "flags"), flagVal(t, ff, "O_NONBLOCK", "O_CLOEXEC"))
	pw := first(t, evs, "write", event.Exit, func(e *ev) bool { return mine(e) && e.i64(t, "fd") == atoi(t, out, "pipe_w") && e.Num > p.Num })
	eq(t, "pipe write data", string(pw.p(t, "data")), "through the pipe")
	prd := first(t, evs, "read", event.Exit, func(e *ev) bool { return mine(e) && e.i64(t, "fd") == atoi(t, out, "pipe_r") && e.Num > p.Num })
	eq(t, "pipe read data", string(prd.p(t, "data")), "through the pipe")

	// Path operations.
	rn := one(t, evs, "rename", event.Exit, func(e *ev) bool { return mine(e) && e.i64(t, "res") == 0 })
	eq(t, "rename oldpath", rn.str(t, "oldpath"), path)
	eq(t, "rename newpath", rn.str(t, "newpath"), path2)
	rnf := one(t, evs, "rename", event.Exit, func(e *ev) bool { return mine(e) && e.i64(t, "res") != 0 })
	eq(t, "failed rename res", rnf.i64(t, "res"), -int64(unix.ENOENT))
	eq(t, "failed rename oldpath", rnf.str(t, "oldpath"), filepath.Join(dir, "missing"))
	sl := one(t, evs, "symlink", event.Exit, mine)
	eq(t, "symlink res", sl.i64(t, "res"), 0)
	eq(t, "symlink target", sl.str(t, "target"), path2)
	eq(t, "symlink linkpath", sl.str(t, "linkpath"), filepath.Join(dir, "sym"))
	ch := one(t, evs, "chmod", event.Exit, mine)
	eq(t, "chmod res", ch.i64(t, "res"), 0)
	eq(t, "chmod filename", ch.str(t, "filename"), path2)
	eq(t, "chmod mode", ch.u32(t, "mode"), 0o600)
	mk := one(t, evs, "mkdir", event.Exit, mine)
	eq(t, "mkdir path", mk.str(t, "path"), filepath.Join(dir, "sub"))
	eq(t, "mkdir mode", mk.u32(t, "mode"), 0o755)
	eq(t, "mkdir res", mk.i64(t, "res"), 0)
	rm := one(t, evs, "rmdir", event.Exit, mine)
	eq(t, "rmdir path", rm.str(t, "path"), filepath.Join(dir, "sub"))
	ln := one(t, evs, "link", event.Exit, mine)
	eq(t, "link oldpath", ln.str(t, "oldpath"), path2)
	eq(t, "link newpath", ln.str(t, "newpath"), filepath.Join(dir, "hard"))
	ul := one(t, evs, "unlink", event.Exit, mine)
	eq(t, "unlink path", ul.str(t, "path"), filepath.Join(dir, "hard"))
	eq(t, "unlink res", ul.i64(t, "res"), 0)
	ua := one(t, evs, "unlinkat", event.Exit, mine)
	eq(t, "unlinkat dirfd", ua.i64(t, "dirfd"), -100)
	eq(t, "unlinkat name", ua.str(t, "name"), filepath.Join(dir, "sym"))
	eq(t, "unlinkat flags", ua.u32(t, "flags"), 0)
	cr := one(t, evs, "creat", event.Exit, mine)
	eq(t, "creat fd", cr.i64(t, "fd"), atoi(t, out, "creat_fd"))
	eq(t, "creat name", cr.str(t, "name"), filepath.Join(dir, "created"))
	eq(t, "creat mode", cr.u32(t, "mode"), 0o600)
	eq(t, "creat ino", cr.u64(t, "ino"), uint64(atoi(t, out, "creat_ino")))
	eq(t, "creat creat_flags", cr.u16(t, "creat_flags"), 0)
	cre := one(t, evs, "creat", event.Enter, mine)
	eq(t, "creat> name", cre.str(t, "name"), filepath.Join(dir, "created"))
	eq(t, "creat> mode", cre.u32(t, "mode"), 0o600)
	cd := one(t, evs, "chdir", event.Exit, mine)
	eq(t, "chdir res", cd.i64(t, "res"), 0)
	eq(t, "chdir path", cd.str(t, "path"), dir)
}

// procStatus returns the value of a /proc/PID/status line.
func procStatus(t *testing.T, pid int, key string) string {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), key+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("no %s in /proc/%d/status", key, pid)
	return ""
}

// procStat returns field n (1-based, as in proc(5)) of /proc/PID/stat.
func procStat(t *testing.T, pid, n int) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	rest := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	v, err := strconv.ParseInt(rest[n-3], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestExec(t *testing.T) {
	testenv.RequireRoot(t)
	dir := t.TempDir()
	c := startChild(t, "exec", dir)
	pid := c.pid()
	r := record(t, &Options{Pids: []int{pid}})
	c.release(t)
	x := r.waitFor("execve of /bin/sleep", func(e *ev) bool {
		return e.Type() == event.SyscallExecveV19X && e.Tid() == int64(pid) && e.i64(t, "res") == 0 &&
			e.str(t, "filename") == "/bin/sleep"
	})

	// Ground truth from /proc while the process sleeps.
	eq(t, "exe", x.str(t, "exe"), "sleep")
	eq(t, "args", strings.Join(x.strs(t, "args"), "|"), "30")
	eq(t, "tid", x.i64(t, "tid"), int64(pid))
	eq(t, "pid", x.i64(t, "pid"), int64(pid))
	eq(t, "ptid", strconv.FormatInt(x.i64(t, "ptid"), 10), procStatus(t, pid, "PPid"))
	cwd, err := os.Readlink(fmt.Sprintf("/proc/%d/cwd", pid))
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "cwd", x.str(t, "cwd"), cwd)
	eq(t, "cwd is the workload's dir", cwd, dir)
	comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	eq(t, "comm", x.str(t, "comm"), strings.TrimSpace(string(comm)))
	eq(t, "env", strings.Join(x.strs(t, "env"), "|"), "SYSCOPE_MARK=exec-test|LANG=C")
	lu, _ := os.ReadFile(fmt.Sprintf("/proc/%d/loginuid", pid))
	eq(t, "loginuid", strconv.FormatUint(uint64(x.u32(t, "loginuid")), 10), strings.TrimSpace(string(lu)))
	eq(t, "tty", int64(x.u32(t, "tty")), procStat(t, pid, 7))
	eq(t, "pgid", x.i64(t, "pgid"), procStat(t, pid, 5))
	eq(t, "vpgid", x.i64(t, "vpgid"), procStat(t, pid, 5))
	exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "trusted_exepath", x.str(t, "trusted_exepath"), exe)
	var st unix.Stat_t
	if err := unix.Stat(exe, &st); err != nil {
		t.Fatal(err)
	}
	eq(t, "exe_ino", x.u64(t, "exe_ino"), st.Ino)
	eq(t, "exe_ino_ctime", x.u64(t, "exe_ino_ctime"), uint64(st.Ctim.Nano()))
	eq(t, "exe_ino_mtime", x.u64(t, "exe_ino_mtime"), uint64(st.Mtim.Nano()))
	for _, c := range []struct{ param, key string }{
		{"cap_inheritable", "CapInh"}, {"cap_permitted", "CapPrm"}, {"cap_effective", "CapEff"},
	} {
		want, _ := strconv.ParseUint(procStatus(t, pid, c.key), 16, 64)
		eq(t, c.param, x.u64(t, c.param), want)
	}
	uids := strings.Fields(procStatus(t, pid, "Uid"))
	gids := strings.Fields(procStatus(t, pid, "Gid"))
	eq(t, "uid (effective)", strconv.Itoa(int(x.u32(t, "uid"))), uids[1])
	eq(t, "gid (effective)", strconv.Itoa(int(x.u32(t, "gid"))), gids[1])
	var lim unix.Rlimit
	if err := unix.Prlimit(pid, unix.RLIMIT_NOFILE, nil, &lim); err != nil {
		t.Fatal(err)
	}
	eq(t, "fdlimit", x.u64(t, "fdlimit"), lim.Cur)
	// The memory counters are the kernel's approximate ones, read when the
	// new image has just been mapped: only the size is surely nonzero.
	if x.u32(t, "vm_size") == 0 {
		t.Errorf("vm_size 0: want nonzero")
	}
	// Root with CAP_DAC_OVERRIDE can write /usr/bin/sleep unless it is on
	// a read-only file system.
	var sfs unix.Statfs_t
	unix.Statfs(exe, &sfs)
	wantFlags := uint32(0)
	if sfs.Flags&unix.ST_RDONLY == 0 {
		wantFlags = flagVal(t, event.FlagsExecveFlags, "EXE_WRITABLE")
	}
	eq(t, "flags", x.u32(t, "flags"), wantFlags)
	checkCgroups(t, pid, x.strs(t, "cgroups"))

	c.cmd.Process.Kill()
	c.cmd.Wait()
	evs := r.stop()

	// The failed exec before it.
	f := one(t, evs, "execve", event.Exit, func(e *ev) bool { return e.i64(t, "res") < 0 })
	eq(t, "failed exec res", f.i64(t, "res"), -int64(unix.ENOENT))
	eq(t, "failed exec exe", f.str(t, "exe"), "prog")
	eq(t, "failed exec args", strings.Join(f.strs(t, "args"), "|"), "--flag|value with space")
	eq(t, "failed exec filename", f.str(t, "filename"), "/nonexistent-syscope/prog")
	eq(t, "failed exec env", strings.Join(f.strs(t, "env"), "|"), "SYSCOPE_MARK=exec-test|LANG=C")
	eq(t, "failed exec cwd", f.str(t, "cwd"), dir)

	// /bin/true ran as a child of the workload: its clone (both sides),
	// its exec and its exit.
	tr := one(t, evs, "execve", event.Exit, func(e *ev) bool { return e.str(t, "filename") == "/bin/true" })
	truePid := tr.i64(t, "pid")
	eq(t, "true ptid", tr.i64(t, "ptid"), int64(pid))
	eq(t, "true exe", tr.str(t, "exe"), "/bin/true")
	var sawParent, sawChild bool
	for _, e := range evs {
		switch e.Type() {
		case event.SyscallCloneV20X, event.SyscallClone3X, event.SyscallVforkV20X, event.SyscallForkV20X:
			if e.i64(t, "res") == truePid {
				sawParent = true
				eq(t, "clone (parent) pid", e.i64(t, "pid"), int64(pid))
			}
			if e.i64(t, "res") == 0 && e.Tid() == truePid {
				sawChild = true
				eq(t, "clone (child) tid", e.i64(t, "tid"), truePid)
				eq(t, "clone (child) ptid", e.i64(t, "ptid"), int64(pid))
				eq(t, "clone (child) vtid", e.i64(t, "vtid"), truePid)
			}
		}
	}
	if !sawParent || !sawChild {
		t.Errorf("clone of /bin/true: parent side seen %v, child side seen %v", sawParent, sawChild)
	}
	ex := one(t, evs, "procexit", event.Enter, func(e *ev) bool { return e.Tid() == truePid })
	eq(t, "true exit status", ex.i64(t, "status"), 0)
	eq(t, "true exit sig", ex.u8(t, "sig"), 0)
}

// checkCgroups compares the cgroups parameter ("controller=/path" items)
// with /proc/PID/cgroup.
func checkCgroups(t *testing.T, pid int, got []string) {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	unified := ""
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		parts := strings.SplitN(l, ":", 3)
		if len(parts) != 3 {
			continue
		}
		if parts[1] == "" {
			unified = parts[2]
			continue
		}
		for _, c := range strings.Split(parts[1], ",") {
			want[c] = parts[2]
		}
	}
	if len(got) == 0 {
		t.Fatal("no cgroups in the event")
	}
	for _, g := range got {
		ctrl, path, ok := strings.Cut(g, "=")
		if !ok {
			t.Errorf("cgroup item %q", g)
			continue
		}
		w, ok := want[ctrl]
		if !ok {
			w = unified
		}
		eq(t, "cgroup "+ctrl, path, w)
	}
}

func tuple4(b []byte) (src string, sport uint16, dst string, dport uint16, ok bool) {
	if len(b) != 13 || b[0] != 2 {
		return "", 0, "", 0, false
	}
	ip := func(p []byte) string { return fmt.Sprintf("%d.%d.%d.%d", p[0], p[1], p[2], p[3]) }
	return ip(b[1:5]), binary.LittleEndian.Uint16(b[5:]), ip(b[7:11]), binary.LittleEndian.Uint16(b[11:]), true
}

// TestNet runs TCP, UDP and unix socket traffic in a network namespace of
// its own (loopback only).
func TestNet(t *testing.T) {
	out, evs := runCaptured(t, "net")
	port := uint16(atoi(t, out, "port"))
	cport := uint16(atoi(t, out, "client_port"))
	lnfd, cfd, afd := atoi(t, out, "ln_fd"), atoi(t, out, "client_fd"), atoi(t, out, "accepted_fd")
	ff := event.FlagsFileFlags
	un := one(t, evs, "unshare", event.Exit, nil)
	eq(t, "unshare res", un.i64(t, "res"), 0)
	eq(t, "unshare flags", un.u32(t, "flags"), flagVal(t, event.FlagsCloneFlags, "CLONE_NEWNET"))
	checkTuple := func(what string, b []byte, src string, sport uint16, dst string, dport uint16) {
		t.Helper()
		s, sp, d, dp, ok := tuple4(b)
		if !ok {
			t.Errorf("%s: not an IPv4 tuple: %x", what, b)
			return
		}
		eq(t, what, fmt.Sprintf("%s:%d->%s:%d", s, sp, d, dp), fmt.Sprintf("%s:%d->%s:%d", src, sport, dst, dport))
	}

	so := first(t, evs, "socket", event.Exit, func(e *ev) bool {
		return e.i64(t, "fd") == lnfd && e.u32(t, "type") == unix.SOCK_STREAM|unix.SOCK_CLOEXEC
	})
	eq(t, "socket domain", so.u32(t, "domain"), 2)
	eq(t, "socket type", so.u32(t, "type"), unix.SOCK_STREAM|unix.SOCK_CLOEXEC)
	eq(t, "socket proto", so.u32(t, "proto"), 0)
	eq(t, "socket flags", so.u32(t, "flags"), flagVal(t, ff, "O_CLOEXEC"))
	bi := first(t, evs, "bind", event.Exit, func(e *ev) bool { return e.i64(t, "fd") == lnfd && e.Num > so.Num })
	eq(t, "bind res", bi.i64(t, "res"), 0)
	eq(t, "bind addr", fmt.Sprintf("%x", bi.p(t, "addr")), "027f0000010000") // 127.0.0.1 port 0
	li := one(t, evs, "listen", event.Exit, nil)
	eq(t, "listen fd", li.i64(t, "fd"), lnfd)
	eq(t, "listen backlog", int32(li.u32(t, "backlog")), 7)

	ce := one(t, evs, "connect", event.Enter, func(e *ev) bool { return e.i64(t, "fd") == cfd })
	addr := ce.p(t, "addr")
	eq(t, "connect> addr", fmt.Sprintf("%x", addr[:5]), "027f000001")
	eq(t, "connect> port", binary.LittleEndian.Uint16(addr[5:]), port)
	cx := one(t, evs, "connect", event.Exit, func(e *ev) bool { return e.i64(t, "fd") == cfd })
	eq(t, "connect< res", cx.i64(t, "res"), 0)
	checkTuple("connect< tuple", cx.p(t, "tuple"), "127.0.0.1", cport, "127.0.0.1", port)
	eq(t, "connect< addr", fmt.Sprintf("%x", cx.p(t, "addr")), fmt.Sprintf("%x", addr))

	ac := one(t, evs, "accept4", event.Exit, nil)
	eq(t, "accept4 fd", ac.i64(t, "fd"), afd)
	checkTuple("accept4 tuple", ac.p(t, "tuple"), "127.0.0.1", cport, "127.0.0.1", port)
	eq(t, "accept4 queuemax", ac.u32(t, "queuemax"), 7)
	eq(t, "accept4 flags", ac.u32(t, "flags"), flagVal(t, ff, "O_CLOEXEC"))

	w := one(t, evs, "write", event.Exit, func(e *ev) bool { return e.i64(t, "fd") == cfd })
	eq(t, "socket write data", string(w.p(t, "data")), "ping-syscope")
	rd := one(t, evs, "read", event.Exit, func(e *ev) bool { return e.i64(t, "fd") == afd })
	eq(t, "socket read data", string(rd.p(t, "data")), "ping-syscope")
	eq(t, "socket read res", rd.i64(t, "res"), 12)

	st := one(t, evs, "sendto", event.Exit, func(e *ev) bool { return e.i64(t, "fd") == afd })
	eq(t, "sendto data", string(st.p(t, "data")), "pong-syscope")
	eq(t, "sendto size", st.u32(t, "size"), 12)
	checkTuple("sendto tuple", st.p(t, "tuple"), "127.0.0.1", port, "127.0.0.1", cport)
	rf := one(t, evs, "recvfrom", event.Exit, func(e *ev) bool { return e.i64(t, "fd") == cfd })
	eq(t, "recvfrom res", rf.i64(t, "res"), 12)
	eq(t, "recvfrom data", string(rf.p(t, "data")), "pong-syscope")
	checkTuple("recvfrom tuple", rf.p(t, "tuple"), "127.0.0.1", port, "127.0.0.1", cport)

	sm := one(t, evs, "sendmsg", event.Exit, func(e *ev) bool { return e.i64(t, "fd") == cfd })
	eq(t, "sendmsg res", sm.i64(t, "res"), 11)
	eq(t, "sendmsg data", string(sm.p(t, "data")), "msg-syscope")
	eq(t, "sendmsg size", sm.u32(t, "size"), 11)
	checkTuple("sendmsg tuple", sm.p(t, "tuple"), "127.0.0.1", cport, "127.0.0.1", port)
	rm := one(t, evs, "recvmsg", event.Exit, func(e *ev) bool { return e.i64(t, "fd") == afd })
	eq(t, "recvmsg res", rm.i64(t, "res"), 11)
	eq(t, "recvmsg size", rm.u32(t, "size"), 11)
	eq(t, "recvmsg data", string(rm.p(t, "data")), "msg-syscope")
	checkTuple("recvmsg tuple", rm.p(t, "tuple"), "127.0.0.1", cport, "127.0.0.1", port)

	sh := one(t, evs, "shutdown", event.Exit, nil)
	eq(t, "shutdown fd", sh.i64(t, "fd"), cfd)
	eq(t, "shutdown how", sh.u8(t, "how"), 1)

	// Unconnected UDP: the peer comes from the address the caller gave.
	up, vp := uint16(atoi(t, out, "udp_recv_port")), uint16(atoi(t, out, "udp_send_port"))
	us := one(t, evs, "sendto", event.Exit, func(e *ev) bool { return e.i64(t, "fd") == atoi(t, out, "udp_send_fd") })
	eq(t, "udp sendto data", string(us.p(t, "data")), "udp-syscope")
	checkTuple("udp sendto tuple", us.p(t, "tuple"), "127.0.0.1", vp, "127.0.0.1", up)
	ur := one(t, evs, "recvfrom", event.Exit, func(e *ev) bool { return e.i64(t, "fd") == atoi(t, out, "udp_recv_fd") })
	eq(t, "udp recvfrom data", string(ur.p(t, "data")), "udp-syscope")
	checkTuple("udp recvfrom tuple", ur.p(t, "tuple"), "127.0.0.1", vp, "127.0.0.1", up)

	sp := one(t, evs, "socketpair", event.Exit, nil)
	eq(t, "socketpair res", sp.i64(t, "res"), 0)
	eq(t, "socketpair fd1", sp.i64(t, "fd1"), atoi(t, out, "pair0"))
	eq(t, "socketpair fd2", sp.i64(t, "fd2"), atoi(t, out, "pair1"))
	eq(t, "socketpair domain", sp.u32(t, "domain"), 1)
	if sp.u64(t, "source") == 0 || sp.u64(t, "peer") == 0 || sp.u64(t, "source") == sp.u64(t, "peer") {
		t.Errorf("socketpair source %#x peer %#x: want two distinct sockets", sp.u64(t, "source"), sp.u64(t, "peer"))
	}

	rfd := atoi(t, out, "refused_fd")
	rc := one(t, evs, "connect", event.Exit, func(e *ev) bool { return e.i64(t, "fd") == rfd })
	eq(t, "refused connect res", rc.i64(t, "res"), -int64(unix.ECONNREFUSED))
	eq(t, "refused connect tuple", len(rc.p(t, "tuple")), 0)
}

func TestCredAndPtrace(t *testing.T) {
	out, evs := runCaptured(t, "cred")
	tid := atoi(t, out, "tid")
	mine := func(e *ev) bool { return e.Tid() == tid }
	sleep := atoi(t, out, "sleep_pid")

	sg := one(t, evs, "setgid", event.Exit, mine)
	eq(t, "setgid res", sg.i64(t, "res"), 0)
	eq(t, "setgid gid", sg.u32(t, "gid"), 0)
	srg := one(t, evs, "setresgid", event.Exit, mine)
	eq(t, "setresgid res", srg.i64(t, "res"), 0)
	eq(t, "setresgid sgid", srg.u32(t, "sgid"), 0)
	pc := one(t, evs, "prctl", event.Exit, func(e *ev) bool { return mine(e) && e.u32(t, "option") == unix.PR_SET_NAME })
	eq(t, "prctl arg2_str", pc.str(t, "arg2_str"), "syscope-pr")

	su := find(evs, "setuid", event.Exit, mine)
	if len(su) != 2 {
		t.Fatalf("%d setuid events, want 2", len(su))
	}
	eq(t, "setuid res", su[0].i64(t, "res"), 0)
	eq(t, "setuid uid", su[0].u32(t, "uid"), 65534)
	eq(t, "setuid back res", su[1].i64(t, "res"), -int64(atoi(t, out, "setuid_back")))
	eq(t, "setuid back uid", su[1].u32(t, "uid"), 0)

	pt := find(evs, "ptrace", event.Exit, func(e *ev) bool { return e.i64(t, "pid") == sleep })
	if len(pt) != 2 {
		t.Fatalf("%d ptrace events for pid %d, want 2", len(pt), sleep)
	}
	req := event.FlagsPtraceRequests
	eq(t, "ptrace attach request", pt[0].u16(t, "request"), uint16(flagVal(t, req, "PTRACE_ATTACH")))
	eq(t, "ptrace attach res", pt[0].i64(t, "res"), 0)
	eq(t, "ptrace attach addr", fmt.Sprintf("%x", pt[0].p(t, "addr")), "000000000000000000")
	eq(t, "ptrace detach request", pt[1].u16(t, "request"), uint16(flagVal(t, req, "PTRACE_DETACH")))
	eq(t, "ptrace detach data", fmt.Sprintf("%x", pt[1].p(t, "data")), "0100") // signal 0

	k := one(t, evs, "kill", event.Exit, func(e *ev) bool { return e.i64(t, "pid") == sleep })
	eq(t, "kill res", k.i64(t, "res"), 0)
	eq(t, "kill sig", k.u8(t, "sig"), 9)
	pe := one(t, evs, "procexit", event.Enter, func(e *ev) bool { return e.Tid() == sleep })
	eq(t, "procexit status", pe.i64(t, "status"), 9)
	eq(t, "procexit sig", pe.u8(t, "sig"), 9)
	eq(t, "procexit ret", pe.i64(t, "ret"), 0)
	eq(t, "procexit core", pe.u8(t, "core"), 0)
}

// TestDrops floods a deliberately tiny ring buffer from a process nobody
// reads for, and checks that every lost event is counted.
func TestDrops(t *testing.T) {
	testenv.RequireRoot(t)
	c := startChild(t, "storm")
	s, err := Open(&Options{Pids: []int{c.pid()}, RingSize: os.Getpagesize()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c.run(t)
	st := s.Stats()
	if st.Lost == 0 || st.Drops[DropOther] == 0 {
		t.Fatalf("no drops counted after 200000 syscalls into a %d-byte ring: %+v", os.Getpagesize(), st)
	}
	if st.Events+st.Lost < 200_000 {
		t.Errorf("events %d + lost %d < 200000 syscalls: some were neither delivered nor counted", st.Events, st.Lost)
	}
	var sum uint64
	for _, c := range st.PerCPU {
		for _, d := range c.Drops {
			sum += d
		}
		sum += c.Oversize
	}
	eq(t, "per-CPU drops sum", sum, st.Lost)
	// What was delivered is still readable, and Next reports the total.
	var e event.Event
	for i := uint64(0); i < st.Events; i++ {
		if err := s.Next(&e); err != nil {
			t.Fatal(err)
		}
	}
	eq(t, "read", s.Stats().Read, st.Events)
}

// TestCoverage runs every remaining syscall of the coverage list once and
// checks each parameter the workload can predict.
func TestCoverage(t *testing.T) {
	dir := t.TempDir()
	out, evs := runCaptured(t, "misc", dir)
	tid := atoi(t, out, "tid")
	mine := func(e *ev) bool { return e.Tid() == tid }
	x := func(name string) *ev { t.Helper(); return first(t, evs, name, event.Exit, mine) }
	res := func(e *ev, param, key string) {
		t.Helper()
		eq(t, e.name()+" "+param, e.i64(t, param), atoi(t, out, key))
	}
	fd := atoi(t, out, "fd")
	dirfd := atoi(t, out, "dirfd")
	m, m2, d1 := filepath.Join(dir, "m"), filepath.Join(dir, "m2"), filepath.Join(dir, "d1")
	ff := event.FlagsFileFlags

	e := x("writev")
	res(e, "res", "writev")
	eq(t, "writev data", string(e.p(t, "data")), "abcdef")
	eq(t, "writev size", e.u32(t, "size"), 6)
	eq(t, "writev fd", e.i64(t, "fd"), fd)
	e = x("pwritev")
	res(e, "res", "pwritev")
	eq(t, "pwritev data", string(e.p(t, "data")), "xy")
	eq(t, "pwritev pos", e.u64(t, "pos"), 10)
	e = x("preadv")
	res(e, "res", "preadv")
	eq(t, "preadv size", e.u32(t, "size"), uint32(atoi(t, out, "preadv")))
	eq(t, "preadv data", string(e.p(t, "data")), "abcdef\x00\x00\x00\x00xy")
	eq(t, "preadv pos", e.u64(t, "pos"), 0)
	e = x("readv")
	res(e, "res", "readv")
	eq(t, "readv data", string(e.p(t, "data")), "bcdef\x00\x00\x00\x00xy")
	e = x("pipe")
	res(e, "res", "pipe")
	res(e, "fd1", "pipe_r")
	res(e, "fd2", "pipe_w")
	if e.u64(t, "ino") == 0 {
		t.Error("pipe ino 0")
	}
	e = x("close_range")
	res(e, "res", "close_range")
	eq(t, "close_range first", e.u32(t, "first"), 500)
	eq(t, "close_range last", e.u32(t, "last"), 600)
	eq(t, "close_range flags", e.u32(t, "flags"), flagVal(t, event.FlagsCloseRangeFlags, "CLOSE_RANGE_CLOEXEC"))

	e = x("eventfd2")
	res(e, "res", "eventfd2")
	eq(t, "eventfd2 initval", e.u64(t, "initval"), 7)
	eq(t, "eventfd2 flags", uint32(e.u16(t, "flags")), flagVal(t, ff, "O_CLOEXEC", "O_NONBLOCK"))
	e = x("signalfd4")
	res(e, "res", "signalfd4")
	eq(t, "signalfd4 fd", e.i64(t, "fd"), -1)
	eq(t, "signalfd4 mask", e.u32(t, "mask"), 1<<(unix.SIGUSR1-1))
	eq(t, "signalfd4 flags", uint32(e.u16(t, "flags")), flagVal(t, ff, "O_CLOEXEC"))
	e = x("timerfd_create")
	res(e, "res", "timerfd_create")
	eq(t, "timerfd_create clockid", e.u8(t, "clockid"), unix.CLOCK_MONOTONIC)
	eq(t, "timerfd_create flags", uint32(e.u8(t, "flags")), flagVal(t, ff, "O_NONBLOCK"))
	e = x("inotify_init1")
	res(e, "res", "inotify_init1")
	eq(t, "inotify_init1 flags", uint32(e.u16(t, "flags")), flagVal(t, ff, "O_CLOEXEC"))
	e = x("epoll_create1")
	res(e, "res", "epoll_create1")
	eq(t, "epoll_create1 flags", e.u32(t, "flags"), flagVal(t, event.FlagsEpollCreate1Flags, "EPOLL_CLOEXEC"))
	e = x("memfd_create")
	res(e, "fd", "memfd_create")
	eq(t, "memfd_create name", e.str(t, "name"), "syscope-memfd")
	eq(t, "memfd_create flags", e.u32(t, "flags"), flagVal(t, event.FlagsMemfdCreateFlags, "MFD_CLOEXEC", "MFD_ALLOW_SEALING"))
	e = x("pidfd_open")
	res(e, "fd", "pidfd_open")
	res(e, "pid", "pid")
	eq(t, "pidfd_open flags", e.u32(t, "flags"), 0)
	e = x("pidfd_getfd")
	res(e, "fd", "pidfd_getfd")
	res(e, "pid_fd", "pidfd_open")
	eq(t, "pidfd_getfd target_fd", e.i64(t, "target_fd"), fd)
	e = x("io_uring_setup")
	res(e, "res", "io_uring_setup")
	eq(t, "io_uring_setup entries", e.u32(t, "entries"), 4)
	if e.i64(t, "res") >= 0 {
		eq(t, "io_uring_setup sq_entries", int64(e.u32(t, "sq_entries")), atoi(t, out, "io_uring_sq_entries"))
		eq(t, "io_uring_setup cq_entries", int64(e.u32(t, "cq_entries")), atoi(t, out, "io_uring_cq_entries"))
		eq(t, "io_uring_setup features", int64(e.u32(t, "features")), atoi(t, out, "io_uring_features")&0x7ff)
	}
	e = x("userfaultfd")
	res(e, "res", "userfaultfd")
	eq(t, "userfaultfd flags", e.u32(t, "flags"), flagVal(t, ff, "O_CLOEXEC", "O_NONBLOCK"))
	e = x("bpf")
	res(e, "fd", "bpf")
	eq(t, "bpf cmd", e.u32(t, "cmd"), 0)

	e = x("mkdirat")
	res(e, "res", "mkdirat")
	eq(t, "mkdirat dirfd", e.i64(t, "dirfd"), -100)
	eq(t, "mkdirat path", e.str(t, "path"), d1)
	eq(t, "mkdirat mode", e.u32(t, "mode"), 0o700)
	e = x("fchdir")
	res(e, "res", "fchdir")
	eq(t, "fchdir fd", e.i64(t, "fd"), dirfd)
	e = x("renameat")
	res(e, "res", "renameat")
	eq(t, "renameat olddirfd", e.i64(t, "olddirfd"), -100)
	eq(t, "renameat oldpath", e.str(t, "oldpath"), m)
	eq(t, "renameat newdirfd", e.i64(t, "newdirfd"), dirfd)
	eq(t, "renameat newpath", e.str(t, "newpath"), "m2")
	e = x("renameat2")
	res(e, "res", "renameat2")
	eq(t, "renameat2 olddirfd", e.i64(t, "olddirfd"), dirfd)
	eq(t, "renameat2 oldpath", e.str(t, "oldpath"), "m2")
	eq(t, "renameat2 newpath", e.str(t, "newpath"), m)
	eq(t, "renameat2 flags", e.u32(t, "flags"), flagVal(t, event.FlagsRenameat2Flags, "RENAME_NOREPLACE"))
	e = x("linkat")
	res(e, "res", "linkat")
	eq(t, "linkat oldpath", e.str(t, "oldpath"), m)
	eq(t, "linkat newpath", e.str(t, "newpath"), m2)
	eq(t, "linkat flags", e.u32(t, "flags"), flagVal(t, event.FlagsLinkatFlags, "AT_SYMLINK_FOLLOW"))
	e = x("symlinkat")
	res(e, "res", "symlinkat")
	eq(t, "symlinkat target", e.str(t, "target"), "some/target")
	eq(t, "symlinkat linkdirfd", e.i64(t, "linkdirfd"), dirfd)
	eq(t, "symlinkat linkpath", e.str(t, "linkpath"), "s2")
	e = x("fchmod")
	res(e, "res", "fchmod")
	eq(t, "fchmod fd", e.i64(t, "fd"), fd)
	eq(t, "fchmod mode", e.u32(t, "mode"), 0o4751)
	e = x("fchmodat")
	res(e, "res", "fchmodat")
	eq(t, "fchmodat filename", e.str(t, "filename"), m)
	eq(t, "fchmodat mode", e.u32(t, "mode"), 0o640)
	e = x("chown")
	res(e, "res", "chown")
	eq(t, "chown path", e.str(t, "path"), m)
	eq(t, "chown uid/gid", fmt.Sprint(e.u32(t, "uid"), e.u32(t, "gid")), "1 2")
	e = x("fchown")
	res(e, "res", "fchown")
	eq(t, "fchown uid/gid", fmt.Sprint(e.i64(t, "fd"), e.u32(t, "uid"), e.u32(t, "gid")), fmt.Sprint(fd, 3, 4))
	e = x("fchownat")
	res(e, "res", "fchownat")
	eq(t, "fchownat pathname", e.str(t, "pathname"), m)
	eq(t, "fchownat uid/gid", fmt.Sprint(e.u32(t, "uid"), e.u32(t, "gid")), "5 6")
	eq(t, "fchownat flags", e.u32(t, "flags"), flagVal(t, event.FlagsFchownatFlags, "AT_SYMLINK_NOFOLLOW"))
	e = x("openat2")
	res(e, "fd", "openat2")
	eq(t, "openat2 name", e.str(t, "name"), m)
	eq(t, "openat2 flags", e.u32(t, "flags"), flagVal(t, ff, "O_RDONLY"))
	eq(t, "openat2 resolve", e.u32(t, "resolve"), flagVal(t, event.FlagsOpenat2Flags, "RESOLVE_NO_SYMLINKS"))
	en := first(t, evs, "openat2", event.Enter, mine)
	eq(t, "openat2> name", en.str(t, "name"), m)
	eq(t, "openat2> resolve", en.u32(t, "resolve"), flagVal(t, event.FlagsOpenat2Flags, "RESOLVE_NO_SYMLINKS"))

	e = x("unshare")
	res(e, "res", "unshare")
	eq(t, "unshare flags", e.u32(t, "flags"), flagVal(t, event.FlagsCloneFlags, "CLONE_NEWNS"))
	e = first(t, evs, "mount", event.Exit, func(e *ev) bool { return mine(e) && e.str(t, "dir") == d1 })
	res(e, "res", "mount")
	eq(t, "mount dev", e.str(t, "dev"), "none")
	eq(t, "mount dir", e.str(t, "dir"), d1)
	eq(t, "mount type", e.str(t, "type"), "tmpfs")
	eq(t, "mount flags", e.u32(t, "flags"), flagVal(t, event.FlagsMountFlags, "NOSUID", "NODEV"))
	e = x("umount2")
	res(e, "res", "umount2")
	eq(t, "umount2 name", e.str(t, "name"), d1)
	eq(t, "umount2 flags", e.u32(t, "flags"), flagVal(t, event.FlagsUmountFlags, "DETACH"))
	e = x("setns")
	res(e, "res", "setns")
	eq(t, "setns fd", e.i64(t, "fd"), atoi(t, out, "nsfd"))
	eq(t, "setns nstype", e.u32(t, "nstype"), flagVal(t, event.FlagsCloneFlags, "CLONE_NEWNET"))

	e = x("setresuid")
	res(e, "res", "setresuid")
	eq(t, "setresuid", fmt.Sprint(e.u32(t, "ruid"), e.u32(t, "euid"), e.u32(t, "suid")), "4294967295 4294967295 4294967295")
	e = x("setreuid")
	res(e, "res", "setreuid")
	eq(t, "setreuid ruid", e.u32(t, "ruid"), 0xffffffff)
	e = x("setregid")
	res(e, "res", "setregid")
	eq(t, "setregid egid", e.u32(t, "egid"), 0xffffffff)
	e = x("capset")
	res(e, "res", "capset")
	eq(t, "capset cap_effective", int64(e.u64(t, "cap_effective")), atoi(t, out, "cap_eff"))
	e = x("tkill")
	res(e, "res", "tkill")
	eq(t, "tkill tid", e.i64(t, "tid"), tid)
	eq(t, "tkill sig", e.u8(t, "sig"), 0)
	e = x("tgkill")
	res(e, "res", "tgkill")
	res(e, "pid", "pid")
	eq(t, "tgkill tid", e.i64(t, "tid"), tid)
	e = x("setsid")
	res(e, "res", "setsid")

	e = first(t, evs, "mmap", event.Exit, func(e *ev) bool { return mine(e) && e.i64(t, "res") == atoi(t, out, "mmap") })
	eq(t, "mmap addr", e.u64(t, "addr"), 0)
	eq(t, "mmap length", e.u64(t, "length"), 8192)
	eq(t, "mmap prot", e.u32(t, "prot"), flagVal(t, event.FlagsProtFlags, "PROT_READ", "PROT_WRITE"))
	eq(t, "mmap flags", e.u32(t, "flags"), flagVal(t, event.FlagsMmapFlags, "MAP_PRIVATE", "MAP_ANONYMOUS"))
	eq(t, "mmap fd", e.i64(t, "fd"), -1)
	if e.u32(t, "vm_size") == 0 {
		t.Error("mmap vm_size 0")
	}
	e = x("mprotect")
	res(e, "res", "mprotect")
	eq(t, "mprotect addr", int64(e.u64(t, "addr")), atoi(t, out, "mmap"))
	eq(t, "mprotect prot", e.u32(t, "prot"), flagVal(t, event.FlagsProtFlags, "PROT_READ"))
	e = x("munmap")
	res(e, "res", "munmap")
	eq(t, "munmap length", e.u64(t, "length"), 8192)
	e = x("brk")
	eq(t, "brk res", int64(e.u64(t, "res")), atoi(t, out, "brk"))
	eq(t, "brk addr", e.u64(t, "addr"), 0)
	e = x("prlimit")
	res(e, "res", "prlimit64")
	res(e, "oldcur", "nofile_cur")
	res(e, "oldmax", "nofile_max")
	eq(t, "prlimit pid", e.i64(t, "pid"), 0)
	eq(t, "prlimit resource", e.u8(t, "resource"), unix.RLIMIT_NOFILE)
	e = x("setrlimit")
	res(e, "res", "setrlimit")
	eq(t, "setrlimit cur/max", fmt.Sprint(e.i64(t, "cur"), e.i64(t, "max")), fmt.Sprint(0, 1<<20))
	eq(t, "setrlimit resource", e.u8(t, "resource"), unix.RLIMIT_CORE)
	e = x("init_module")
	res(e, "res", "init_module")
	eq(t, "init_module img", string(e.p(t, "img")), "not a module")
	eq(t, "init_module length", e.u64(t, "length"), 12)
	eq(t, "init_module uargs", e.str(t, "uargs"), "p=1")
	e = x("finit_module")
	res(e, "res", "finit_module")
	eq(t, "finit_module fd", e.i64(t, "fd"), fd)
	eq(t, "finit_module uargs", e.str(t, "uargs"), "q=2")
	eq(t, "finit_module flags", e.u32(t, "flags"), flagVal(t, event.FlagsFinitModuleFlags, "MODULE_INIT_IGNORE_VERMAGIC"))

	e = x("accept")
	res(e, "fd", "accept")
	if _, _, d, dp, ok := tuple4(e.p(t, "tuple")); !ok || d != "127.0.0.1" || int64(dp) != atoi(t, out, "accept_port") {
		t.Errorf("accept tuple %x", e.p(t, "tuple"))
	}
	eq(t, "accept queuemax", e.u32(t, "queuemax"), 3)

	for _, k := range []struct{ name, key string }{{"fork", "fork"}, {"clone3", "clone3"}} {
		child := atoi(t, out, k.key)
		p := first(t, evs, k.name, event.Exit, func(e *ev) bool { return mine(e) })
		eq(t, k.name+" (parent) res", p.i64(t, "res"), child)
		c := first(t, evs, k.name, event.Exit, func(e *ev) bool { return e.Tid() == child })
		eq(t, k.name+" (child) res", c.i64(t, "res"), 0)
		eq(t, k.name+" (child) tid", c.i64(t, "tid"), child)
		eq(t, k.name+" (child) ptid", c.i64(t, "ptid"), atoi(t, out, "pid"))
		eq(t, k.name+" (child) flags", c.u32(t, "flags"), 0)
		pe := one(t, evs, "procexit", event.Enter, func(e *ev) bool { return e.Tid() == child })
		eq(t, k.name+" child exit ret", pe.i64(t, "ret"), map[string]int64{"fork": 3, "clone3": 4}[k.name])
	}
	e = x("execveat")
	res(e, "res", "execveat")
	eq(t, "execveat exe", e.str(t, "exe"), "x")
	g := first(t, evs, "syscall", event.Exit, func(e *ev) bool { return mine(e) && e.u16(t, "nativeID") == unix.SYS_GETPPID })
	var ppmsc uint16
	for _, sc := range event.Syscalls() {
		if sc.Name == "getppid" {
			ppmsc = uint16(sc.PPMSC)
		}
	}
	eq(t, "generic ID (getppid)", g.u16(t, "ID"), ppmsc)
	e = x("chroot")
	res(e, "res", "chroot")
	eq(t, "chroot path", e.str(t, "path"), dir)
}

// Close ends a blocked Next with io.EOF and releases every descriptor the
// source opened.
func TestCloseUnblocksNext(t *testing.T) {
	testenv.RequireRoot(t)
	countFDs := func() int {
		ents, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			t.Fatal(err)
		}
		return len(ents)
	}
	before := countFDs()
	// A filter on a pid that does not exist: Next has nothing to return.
	s, err := Open(&Options{Pids: []int{1 << 30}})
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() {
		var e event.Event
		errc <- s.Next(&e)
	}()
	time.Sleep(50 * time.Millisecond)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errc:
		if err != io.EOF {
			t.Fatalf("Next after Close: %v, want io.EOF", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Next still blocked 5s after Close")
	}
	var e event.Event
	if err := s.Next(&e); err != io.EOF {
		t.Errorf("Next on a closed source: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if after := countFDs(); after != before {
		t.Errorf("%d descriptors open before Open, %d after Close", before, after)
	}
}

// Without privileges Open fails with ErrPermission and says what is missing.
func TestNotPrivileged(t *testing.T) {
	testenv.RequireRoot(t)
	// The test binary may sit in a directory only root can enter: run a
	// copy the unprivileged child can execute.
	bin := filepath.Join(t.TempDir(), "driver.test")
	b, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(filepath.Dir(bin), 0o755)
	os.Chmod(filepath.Dir(filepath.Dir(bin)), 0o755)
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), childEnv+"=open")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	cmd.Stdin = strings.NewReader("go\n")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("child: %v", err)
	}
	m := kv(t, strings.Split(strings.TrimSpace(string(out)), "\n"))
	if m["permission"] != "true" || !strings.Contains(m["err"], "CAP_BPF") {
		t.Errorf("unprivileged Open: %q", out)
	}
}

// With Options.Syscalls only the listed syscalls and the process lifecycle
// are captured.
func TestSyscallSelection(t *testing.T) {
	testenv.RequireRoot(t)
	dir := t.TempDir()
	c := startChild(t, "files", dir)
	r := record(t, &Options{Pids: []int{c.pid()}, Syscalls: []string{"openat", "unlink"}})
	c.run(t)
	pid := int64(c.pid())
	r.waitFor("procexit of the workload", func(e *ev) bool {
		return e.Type() == event.ProcexitV1E && e.Tid() == pid
	})
	evs := r.stop()
	seen := map[string]bool{}
	for _, e := range evs {
		seen[e.name()] = true
	}
	for _, want := range []string{"openat", "unlink", "procexit"} {
		if !seen[want] {
			t.Errorf("no %s event", want)
		}
	}
	for name := range seen {
		switch name {
		case "openat", "unlink", "procexit", "execve", "clone", "clone3", "fork", "vfork":
		default:
			t.Errorf("unselected syscall %s captured", name)
		}
	}
}
