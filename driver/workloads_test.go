package driver

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Child workloads for the capture tests. Each does its syscalls directly
// (x/sys/unix) and prints what the test cannot know in advance (fds, ports,
// inode numbers) as key=value lines.

func say(k string, v any) { fmt.Printf("%s=%v\n", k, v) }

func init() {
	workloads["files"] = filesWorkload
	workloads["exec"] = execWorkload
	workloads["net"] = netWorkload
	workloads["cred"] = credWorkload
	workloads["storm"] = func(args []string) error {
		for i := 0; i < 200_000; i++ {
			unix.RawSyscall(unix.SYS_GETPPID, 0, 0, 0)
		}
		return nil
	}
}

func cstr(s string) uintptr {
	p, err := unix.BytePtrFromString(s)
	if err != nil {
		panic(err)
	}
	return uintptr(unsafe.Pointer(p))
}

func sys(nr uintptr, a ...uintptr) (uintptr, error) {
	var args [6]uintptr
	copy(args[:], a)
	r, _, errno := unix.Syscall6(nr, args[0], args[1], args[2], args[3], args[4], args[5])
	if errno != 0 {
		return r, errno
	}
	return r, nil
}

func filesWorkload(args []string) error {
	runtime.LockOSThread()
	dir := args[0]
	path := filepath.Join(dir, "data.txt")
	say("tid", unix.Gettid())

	fd, err := sys(unix.SYS_OPENAT, atFdcwd, cstr(path), unix.O_CREAT|unix.O_WRONLY|unix.O_TRUNC|unix.O_CLOEXEC, 0o640)
	if err != nil {
		return fmt.Errorf("openat: %w", err)
	}
	say("openat_fd", fd)
	var st unix.Stat_t
	if err := unix.Fstat(int(fd), &st); err != nil {
		return err
	}
	say("ino", st.Ino)
	say("dev", st.Dev)
	msg := []byte("hello syscope\n")
	if _, err := sys(unix.SYS_WRITE, fd, uintptr(unsafe.Pointer(&msg[0])), uintptr(len(msg))); err != nil {
		return err
	}
	if _, err := sys(unix.SYS_CLOSE, fd); err != nil {
		return err
	}

	fd2, err := sys(unix.SYS_OPEN, cstr(path), unix.O_RDONLY)
	if err != nil {
		return fmt.Errorf("open: %w", err)
	}
	say("open_fd", fd2)
	buf := make([]byte, 64)
	sys(unix.SYS_READ, fd2, uintptr(unsafe.Pointer(&buf[0])), 64)
	sys(unix.SYS_PREAD64, fd2, uintptr(unsafe.Pointer(&buf[0])), 5, 6)
	d1, _ := sys(unix.SYS_DUP, fd2)
	say("dup_fd", d1)
	sys(unix.SYS_DUP2, fd2, 50)
	sys(unix.SYS_DUP3, fd2, 51, unix.O_CLOEXEC)
	sys(unix.SYS_FCNTL, fd2, unix.F_DUPFD_CLOEXEC, 60)
	for _, f := range []uintptr{d1, 50, 51, fd2} {
		sys(unix.SYS_CLOSE, f)
	}
	// A close that fails.
	sys(unix.SYS_CLOSE, 999)

	var p [2]int32
	if _, err := sys(unix.SYS_PIPE2, uintptr(unsafe.Pointer(&p[0])), unix.O_NONBLOCK|unix.O_CLOEXEC); err != nil {
		return err
	}
	if err := unix.Fstat(int(p[0]), &st); err != nil {
		return err
	}
	say("pipe_r", p[0])
	say("pipe_w", p[1])
	say("pipe_ino", st.Ino)
	pm := []byte("through the pipe")
	sys(unix.SYS_WRITE, uintptr(p[1]), uintptr(unsafe.Pointer(&pm[0])), uintptr(len(pm)))
	sys(unix.SYS_READ, uintptr(p[0]), uintptr(unsafe.Pointer(&buf[0])), 64)
	sys(unix.SYS_CLOSE, uintptr(p[0]))
	sys(unix.SYS_CLOSE, uintptr(p[1]))

	path2 := filepath.Join(dir, "renamed.txt")
	sys(unix.SYS_RENAME, cstr(path), cstr(path2))
	link := filepath.Join(dir, "sym")
	sys(unix.SYS_SYMLINK, cstr(path2), cstr(link))
	sys(unix.SYS_CHMOD, cstr(path2), 0o600)
	sub := filepath.Join(dir, "sub")
	sys(unix.SYS_MKDIR, cstr(sub), 0o755)
	sys(unix.SYS_RMDIR, cstr(sub))
	hard := filepath.Join(dir, "hard")
	sys(unix.SYS_LINK, cstr(path2), cstr(hard))
	sys(unix.SYS_UNLINK, cstr(hard))
	sys(unix.SYS_UNLINKAT, atFdcwd, cstr(link), 0)
	// A rename that fails.
	sys(unix.SYS_RENAME, cstr(filepath.Join(dir, "missing")), cstr(path2))
	cfd, err := sys(unix.SYS_CREAT, cstr(filepath.Join(dir, "created")), 0o600)
	if err != nil {
		return fmt.Errorf("creat: %w", err)
	}
	if err := unix.Fstat(int(cfd), &st); err != nil {
		return err
	}
	say("creat_fd", cfd)
	say("creat_ino", st.Ino)
	sys(unix.SYS_CLOSE, cfd)
	sys(unix.SYS_CHDIR, cstr(dir))
	return nil
}

// execWorkload runs a short child process, tries a missing program, then
// becomes /bin/sleep in dir with known arguments and environment.
func execWorkload(args []string) error {
	dir := args[0]
	if err := exec.Command("/bin/true").Run(); err != nil {
		return err
	}
	if err := unix.Chdir(dir); err != nil {
		return err
	}
	env := []string{"SYSCOPE_MARK=exec-test", "LANG=C"}
	err := unix.Exec("/nonexistent-syscope/prog", []string{"prog", "--flag", "value with space"}, env)
	say("exec_fail", int(err.(syscall.Errno)))
	os.Stdout.Sync()
	return unix.Exec("/bin/sleep", []string{"sleep", "30"}, env)
}

func sockaddr4(port int) *unix.SockaddrInet4 {
	return &unix.SockaddrInet4{Port: port, Addr: [4]byte{127, 0, 0, 1}}
}

func netWorkload(args []string) error {
	runtime.LockOSThread()
	ln, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	if err := unix.Bind(ln, sockaddr4(0)); err != nil {
		return err
	}
	if err := unix.Listen(ln, 7); err != nil {
		return err
	}
	sa, err := unix.Getsockname(ln)
	if err != nil {
		return err
	}
	port := sa.(*unix.SockaddrInet4).Port
	say("ln_fd", ln)
	say("port", port)

	c, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
	if err != nil {
		return err
	}
	if err := unix.Connect(c, sockaddr4(port)); err != nil {
		return err
	}
	csa, _ := unix.Getsockname(c)
	say("client_fd", c)
	say("client_port", csa.(*unix.SockaddrInet4).Port)
	a, _, err := unix.Accept4(ln, unix.SOCK_CLOEXEC)
	if err != nil {
		return err
	}
	say("accepted_fd", a)
	if _, err := unix.Write(c, []byte("ping-syscope")); err != nil {
		return err
	}
	buf := make([]byte, 64)
	if _, err := unix.Read(a, buf); err != nil {
		return err
	}
	if err := unix.Sendto(a, []byte("pong-syscope"), 0, nil); err != nil {
		return err
	}
	if _, _, err := unix.Recvfrom(c, buf, 0); err != nil {
		return err
	}
	if _, err := unix.SendmsgN(c, []byte("msg-syscope"), nil, nil, 0); err != nil {
		return err
	}
	if _, _, _, _, err := unix.Recvmsg(a, buf, nil, 0); err != nil {
		return err
	}
	unix.Shutdown(c, unix.SHUT_WR)
	unix.Close(c)
	unix.Close(a)
	unix.Close(ln)

	// UDP to an unconnected socket.
	u, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM, 0)
	if err != nil {
		return err
	}
	if err := unix.Bind(u, sockaddr4(0)); err != nil {
		return err
	}
	usa, _ := unix.Getsockname(u)
	v, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM, 0)
	if err != nil {
		return err
	}
	if err := unix.Bind(v, sockaddr4(0)); err != nil {
		return err
	}
	vsa, _ := unix.Getsockname(v)
	say("udp_recv_fd", u)
	say("udp_recv_port", usa.(*unix.SockaddrInet4).Port)
	say("udp_send_fd", v)
	say("udp_send_port", vsa.(*unix.SockaddrInet4).Port)
	if err := unix.Sendto(v, []byte("udp-syscope"), 0, usa); err != nil {
		return err
	}
	if _, _, err := unix.Recvfrom(u, buf, 0); err != nil {
		return err
	}
	unix.Close(u)
	unix.Close(v)

	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		return err
	}
	say("pair0", fds[0])
	say("pair1", fds[1])

	// A connect that fails: nothing listens on port 1.
	f, _ := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
	err = unix.Connect(f, sockaddr4(1))
	say("refused_fd", f)
	if !errors.Is(err, unix.ECONNREFUSED) {
		return fmt.Errorf("connect to port 1: %v", err)
	}
	return nil
}

// credWorkload changes credentials on one thread, names it, and traces and
// kills a child process.
func credWorkload(args []string) error {
	runtime.LockOSThread()
	say("tid", unix.Gettid())
	sys(unix.SYS_SETGID, 0)
	sys(unix.SYS_SETRESGID, 0, 0, 0)
	sys(unix.SYS_PRCTL, unix.PR_SET_NAME, cstr("syscope-pr"))

	cmd := exec.Command("/bin/sleep", "30")
	if err := cmd.Start(); err != nil {
		return err
	}
	pid := cmd.Process.Pid
	say("sleep_pid", pid)
	if _, err := sys(unix.SYS_PTRACE, unix.PTRACE_ATTACH, uintptr(pid), 0, 0); err != nil {
		return fmt.Errorf("ptrace attach: %w", err)
	}
	var ws unix.WaitStatus
	if _, err := unix.Wait4(pid, &ws, unix.WALL, nil); err != nil {
		return err
	}
	if _, err := sys(unix.SYS_PTRACE, unix.PTRACE_DETACH, uintptr(pid), 0, 0); err != nil {
		return fmt.Errorf("ptrace detach: %w", err)
	}
	if _, err := sys(unix.SYS_KILL, uintptr(pid), uintptr(unix.SIGKILL)); err != nil {
		return err
	}
	cmd.Wait()

	// Last: drop to nobody on this thread, then fail to get root back.
	if _, err := sys(unix.SYS_SETUID, 65534); err != nil {
		return fmt.Errorf("setuid: %w", err)
	}
	_, err := sys(unix.SYS_SETUID, 0)
	say("setuid_back", int(err.(syscall.Errno)))
	return nil
}
