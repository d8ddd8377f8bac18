package e2e_test

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// The actions run in helper processes: the test binary re-executed with
// SYSCOPE_E2E_ACTION set, as "<binary> <action> <dir>", so that every
// action has a known process (the helper, named like the test binary) as
// its actor or parent, and so that a capture taken by this test process
// (which the driver leaves out) still holds them.
const envAction = "SYSCOPE_E2E_ACTION"

// actionNames lists the actions in the order they run.
var actionNames = []string{
	"read", "traversal", "symlink", "hardlink", "devshm", "memfd",
	"ptrace", "traceme", "trunclog", "findkeys", "findaws", "shred", "webshell",
}

// runAction performs one action; dir is the run's private directory.
func runAction(name, dir string) error {
	run := func(path string, args ...string) error {
		c := exec.Command(path, args...)
		c.Stdout, c.Stderr = io.Discard, io.Discard
		return c.Run()
	}
	switch name {
	case "read":
		return run("cat", "/etc/shadow", filepath.Join(dir, "marker"))
	case "traversal":
		return run("cat", "/etc/../etc/../etc/shadow", filepath.Join(dir, "marker"))
	case "symlink":
		return run("ln", "-s", "/etc/shadow", filepath.Join(dir, "shadow-symlink"))
	case "hardlink":
		// The directory is on the root file system (a test checks), so the
		// link succeeds; it is removed with the directory.
		return run("ln", "/etc/shadow", filepath.Join(dir, "shadow-hardlink"))
	case "devshm":
		shm := shmDir(dir)
		if err := os.MkdirAll(shm, 0o700); err != nil {
			return err
		}
		defer os.RemoveAll(shm)
		payload := filepath.Join(shm, "payload")
		if err := copyFile("/bin/true", payload, 0o755); err != nil {
			return err
		}
		return run(payload, dir)
	case "memfd":
		fd, err := unix.MemfdCreate("syscope-e2e", unix.MFD_CLOEXEC)
		if err != nil {
			return fmt.Errorf("memfd_create: %w", err)
		}
		f := os.NewFile(uintptr(fd), "memfd")
		defer f.Close()
		b, err := os.ReadFile("/bin/true")
		if err != nil {
			return err
		}
		if _, err := f.Write(b); err != nil {
			return err
		}
		c := &exec.Cmd{Path: "/proc/self/fd/3", Args: []string{"3", dir}, ExtraFiles: []*os.File{f}}
		return c.Run()
	case "ptrace":
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		c := exec.Command("sleep", "60")
		if err := c.Start(); err != nil {
			return err
		}
		defer func() { c.Process.Kill(); c.Wait() }()
		pid := c.Process.Pid
		if err := unix.PtraceAttach(pid); err != nil {
			return fmt.Errorf("PTRACE_ATTACH: %w", err)
		}
		var ws unix.WaitStatus
		if _, err := unix.Wait4(pid, &ws, 0, nil); err != nil {
			return err
		}
		return unix.PtraceDetach(pid)
	case "traceme":
		// The child asks to be traced (PTRACE_TRACEME) before it execs, then
		// stops at the exec; detach to let it finish.
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		c := exec.Command("/bin/true", dir)
		c.SysProcAttr = &syscall.SysProcAttr{Ptrace: true}
		if err := c.Start(); err != nil {
			return err
		}
		var ws unix.WaitStatus
		if _, err := unix.Wait4(c.Process.Pid, &ws, 0, nil); err != nil {
			return err
		}
		if err := unix.PtraceDetach(c.Process.Pid); err != nil {
			return err
		}
		return c.Wait()
	case "trunclog":
		p := filepath.Join(dir, "auth.log")
		f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY, 0o600)
		if err != nil {
			return err
		}
		f.WriteString("evidence\n")
		f.Close()
		f, err = os.OpenFile(p, os.O_WRONLY|os.O_TRUNC, 0)
		if err != nil {
			return err
		}
		return f.Close()
	case "findkeys":
		return run("find", dir, "-name", "id_rsa")
	case "findaws":
		return run("find", dir, "-path", "*/.aws/credentials")
	case "shred":
		victim := filepath.Join(dir, "victim")
		if err := os.WriteFile(victim, []byte("data to destroy\n"), 0o600); err != nil {
			return err
		}
		return run("shred", victim)
	case "flood":
		// Many small events: open and close /dev/null.
		for i := 0; i < 100000; i++ {
			f, err := os.Open("/dev/null")
			if err != nil {
				return err
			}
			f.Close()
		}
		return nil
	case "webshell":
		nginx := filepath.Join(dir, "nginx")
		if err := copyFile("/bin/sh", nginx, 0o755); err != nil {
			return err
		}
		return run(nginx, "-c", "/bin/sh -c 'true "+dir+"'; true")
	}
	return fmt.Errorf("unknown action %q", name)
}

// shmDir is the /dev/shm directory of a run.
func shmDir(dir string) string { return filepath.Join("/dev/shm", filepath.Base(dir)) }

func copyFile(src, dst string, mode os.FileMode) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, b, mode)
}

// helperName is the process name (comm) of the helpers: the test binary's
// name, cut to the kernel's 15 characters.
func helperName() string {
	n := filepath.Base(os.Args[0])
	if len(n) > 15 {
		n = n[:15]
	}
	return n
}

// runHelper runs one action in a helper process.
func runHelper(name, dir string) error {
	c := exec.Command(os.Args[0], name, dir)
	c.Env = append(os.Environ(), envAction+"="+name)
	out, err := c.CombinedOutput()
	if err != nil {
		return fmt.Errorf("action %s: %w: %s", name, err, out)
	}
	return nil
}

// pause lets the driver's ring buffers drain between actions, so alerts
// arrive in action order (it does not affect what is checked).
func pause() { time.Sleep(50 * time.Millisecond) }
