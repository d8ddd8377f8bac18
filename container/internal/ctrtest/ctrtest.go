// Package ctrtest starts real container runtimes for tests: rootful podman
// with its Docker-compatible API socket, and containerd with its CRI plugin,
// each configured and stored under a private directory, with images built
// locally from the busybox-static binary (no registry is needed).
//
// What this machine type needs (found on Debian 12 VMs without systemd, with
// a hybrid cgroup v1/v2 layout and no CAP_SYS_RESOURCE): runc rather than
// crun, rlimits at or below the caller's hard limits, the cgroupfs driver,
// host-network pods and network "none" containers (no CNI), and containerd's
// restrict_oom_score_adj.
//
// Everything a helper starts is stopped by process id in the test's cleanup;
// missing Debian packages are installed with apt-get. It is for tests only.
package ctrtest

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var aptMu sync.Mutex
var aptUpdated bool

// Ensure installs the Debian packages whose marker file is missing. pkgs
// maps a package name to a file it installs (e.g. "busybox-static":
// "/bin/busybox").
func Ensure(t testing.TB, pkgs map[string]string) {
	t.Helper()
	var missing []string
	for p, f := range pkgs {
		if _, err := os.Stat(f); err != nil {
			missing = append(missing, p)
		}
	}
	if len(missing) == 0 {
		return
	}
	sort.Strings(missing)
	aptMu.Lock()
	defer aptMu.Unlock()
	env := append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	if !aptUpdated {
		cmd := exec.Command("apt-get", "-o", "DPkg::Lock::Timeout=300", "update", "-qq")
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("apt-get update: %v\n%s", err, out)
		}
		aptUpdated = true
	}
	// Other test packages may run apt-get at the same time: wait for the
	// dpkg lock instead of failing.
	args := append([]string{"-o", "DPkg::Lock::Timeout=300", "install", "-y", "-qq", "--no-install-recommends"}, missing...)
	cmd := exec.Command("apt-get", args...)
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("apt-get install %v: %v\n%s", missing, err, out)
	}
	t.Logf("installed %v", missing)
}

// Busybox is the static busybox binary images are built from.
const Busybox = "/bin/busybox"

// RootfsTar returns a tar of a minimal root filesystem: busybox with a
// symlink per applet, /etc/passwd and /etc/group for root, and empty /proc,
// /sys, /dev, /tmp and /root.
func RootfsTar(t testing.TB) []byte {
	t.Helper()
	Ensure(t, map[string]string{"busybox-static": Busybox})
	bin, err := os.ReadFile(Busybox)
	if err != nil {
		t.Fatalf("read busybox: %v", err)
	}
	out, err := exec.Command(Busybox, "--list").Output()
	if err != nil {
		t.Fatalf("busybox --list: %v", err)
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	now := time.Unix(1700000000, 0)
	dir := func(name string, mode int64) {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: name + "/", Mode: mode, ModTime: now}); err != nil {
			t.Fatal(err)
		}
	}
	file := func(name string, mode int64, data []byte) {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: mode, Size: int64(len(data)), ModTime: now}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{"bin", "etc", "proc", "sys", "dev", "tmp", "root"} {
		mode := int64(0o755)
		if d == "tmp" {
			mode = 0o1777
		}
		dir(d, mode)
	}
	file("bin/busybox", 0o755, bin)
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		a := strings.TrimSpace(sc.Text())
		if a == "" || a == "busybox" || strings.Contains(a, "/") {
			continue
		}
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeSymlink, Name: "bin/" + a, Linkname: "busybox", Mode: 0o777, ModTime: now}); err != nil {
			t.Fatal(err)
		}
	}
	file("etc/passwd", 0o644, []byte("root:x:0:0:root:/root:/bin/sh\n"))
	file("etc/group", 0o644, []byte("root:x:0:\n"))
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// WorkDir makes a private directory for a runtime's state and removes it in
// the test's cleanup, after unmounting whatever is still mounted below it.
// (t.TempDir is not used: overlay mounts left by a runtime would make its
// removal fail the test.)
func WorkDir(t testing.TB, prefix string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// Runtime helpers (conmon and its "podman container cleanup" exit
		// commands, containerd shims) end by themselves once their
		// containers are gone, and may mount the storage again on the way:
		// wait for them before unmounting.
		if left := WaitNoProcesses(dir, 15*time.Second); len(left) > 0 {
			t.Logf("processes still using %s: %v", dir, left)
		}
		UnmountBelow(t, dir)
		if err := os.RemoveAll(dir); err != nil {
			t.Logf("remove %s: %v", dir, err)
		}
	})
	return dir
}

// WaitNoProcesses waits until no process's command line mentions dir, and
// returns the pids of those still left after limit.
func WaitNoProcesses(dir string, limit time.Duration) []int {
	var left []int
	WaitFor(context.Background(), limit, func() bool {
		left = processesMentioning(dir)
		return len(left) == 0
	})
	return left
}

func processesMentioning(s string) []int {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	self := os.Getpid()
	var pids []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err != nil {
			continue
		}
		if bytes.Contains(b, []byte(s)) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// UnmountBelow lazily unmounts every mount at or below dir, deepest first.
func UnmountBelow(t testing.TB, dir string) {
	data, err := os.ReadFile("/proc/self/mounts")
	if err != nil {
		return
	}
	var mps []string
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		mp := unescapeMount(f[1])
		if mp == dir || strings.HasPrefix(mp, dir+"/") {
			mps = append(mps, mp)
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(mps)))
	for _, mp := range mps {
		if err := syscall.Unmount(mp, syscall.MNT_DETACH); err != nil {
			t.Logf("unmount %s: %v", mp, err)
		}
	}
}

func unescapeMount(s string) string {
	r := strings.NewReplacer(`\040`, " ", `\011`, "\t", `\012`, "\n", `\134`, `\`)
	return r.Replace(s)
}

// Daemon is a process a helper started; Stop ends it by pid.
type Daemon struct {
	Name string
	cmd  *exec.Cmd
	done chan struct{}
	log  *os.File
}

// StartDaemon starts name with args, its output going to logPath, and
// registers a cleanup that stops it.
func StartDaemon(t testing.TB, logPath string, env []string, name string, args ...string) *Daemon {
	t.Helper()
	lf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = lf, lf
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		lf.Close()
		t.Fatalf("start %s: %v", name, err)
	}
	d := &Daemon{Name: name, cmd: cmd, done: make(chan struct{}), log: lf}
	go func() {
		cmd.Wait()
		close(d.done)
	}()
	t.Cleanup(func() { d.Stop(t) })
	return d
}

// Pid returns the daemon's process id.
func (d *Daemon) Pid() int { return d.cmd.Process.Pid }

// Exited reports whether the daemon has ended.
func (d *Daemon) Exited() bool {
	select {
	case <-d.done:
		return true
	default:
		return false
	}
}

// Stop sends SIGTERM, waits up to 10 s, then SIGKILL. Only this daemon's
// pid is signalled.
func (d *Daemon) Stop(t testing.TB) {
	if d.Exited() {
		d.log.Close()
		return
	}
	_ = d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.done:
	case <-time.After(10 * time.Second):
		t.Logf("%s (pid %d) ignored SIGTERM; killing", d.Name, d.Pid())
		_ = d.cmd.Process.Kill()
		<-d.done
	}
	d.log.Close()
}

// WaitFor polls cond every 50 ms until it is true or limit passes. It is a
// guard against hanging, not a timing assertion.
func WaitFor(ctx context.Context, limit time.Duration, cond func() bool) bool {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		if cond() {
			return true
		}
		select {
		case <-ctx.Done():
			return cond()
		case <-tick.C:
		}
	}
}

// Run runs a command with env and returns its trimmed stdout, failing the
// test with its stderr on error.
func Run(t testing.TB, env []string, stdin []byte, name string, args ...string) string {
	t.Helper()
	out, err := RunErr(env, stdin, name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v", name, strings.Join(args, " "), err)
	}
	return out
}

// RunErr is Run returning the error (with stderr) instead of failing.
func RunErr(env []string, stdin []byte, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = env
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return strings.TrimSpace(stdout.String()), fmt.Errorf("%w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(stdout.String()), nil
}

// ReadLog returns the tail of a log file, for failure messages.
func ReadLog(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// errNotReady is returned when a daemon never became ready.
var errNotReady = errors.New("not ready")

func logPath(dir, name string) string { return filepath.Join(dir, name+".log") }
