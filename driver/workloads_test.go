package driver

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
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
	// Paths around and above the length written in place in the ring
	// buffer, with open and openat (they fail: the names are too long or
	// missing).
	for _, n := range longPathLens {
		lp := cstr(longPath(dir, n))
		_, err := sys(unix.SYS_OPENAT, atFdcwd, lp, unix.O_RDONLY)
		say(fmt.Sprintf("long_openat_%d", n), int(err.(syscall.Errno)))
		_, err = sys(unix.SYS_OPEN, lp, unix.O_RDONLY)
		say(fmt.Sprintf("long_open_%d", n), int(err.(syscall.Errno)))
	}
	sys(unix.SYS_CHDIR, cstr(dir))
	return nil
}

// longPathLens are the path lengths the files workload opens: on both
// sides of the driver's in-place limit (255 bytes and the NUL) and far
// above it.
var longPathLens = []int{254, 255, 256, 1000, 4000}

// longPath is a path of n bytes under dir.
func longPath(dir string, n int) string {
	return dir + "/" + strings.Repeat("p", n-len(dir)-1)
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
	// A network namespace of its own (for this thread, which does all the
	// work), with only the loopback interface, brought up.
	runtime.LockOSThread()
	if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
		return fmt.Errorf("unshare: %w", err)
	}
	s, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM, 0)
	if err != nil {
		return err
	}
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return err
	}
	ifr.SetUint16(unix.IFF_UP | unix.IFF_LOOPBACK | unix.IFF_RUNNING)
	if err := unix.IoctlIfreq(s, unix.SIOCSIFFLAGS, ifr); err != nil {
		return fmt.Errorf("bring lo up: %w", err)
	}
	unix.Close(s)

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

func init() { workloads["misc"] = miscWorkload }

func ptr[T any](p *T) uintptr { return uintptr(unsafe.Pointer(p)) }

// miscWorkload calls each remaining syscall of the coverage list once, in
// its own mount namespace, and prints the results the test checks.
func miscWorkload(args []string) error {
	runtime.LockOSThread()
	dir := args[0]
	say("tid", unix.Gettid())
	res := func(name string, r uintptr, err error) {
		if err != nil {
			say(name, -int64(err.(syscall.Errno)))
		} else {
			say(name, int64(r))
		}
	}
	m := filepath.Join(dir, "m")
	fd, err := sys(unix.SYS_OPENAT, atFdcwd, cstr(m), unix.O_CREAT|unix.O_RDWR, 0o644)
	if err != nil {
		return err
	}
	say("fd", fd)

	iov := []unix.Iovec{{Base: &[]byte("ab")[0], Len: 2}, {Base: &[]byte("cdef")[0], Len: 4}}
	r, err := sys(unix.SYS_WRITEV, fd, ptr(&iov[0]), 2)
	res("writev", r, err)
	xy := []byte("xy")
	iov1 := []unix.Iovec{{Base: &xy[0], Len: 2}}
	r, err = sys(unix.SYS_PWRITEV, fd, ptr(&iov1[0]), 1, 10, 0)
	res("pwritev", r, err)
	b1, b2 := make([]byte, 3), make([]byte, 100)
	riov := []unix.Iovec{{Base: &b1[0], Len: 3}, {Base: &b2[0], Len: 100}}
	r, err = sys(unix.SYS_PREADV, fd, ptr(&riov[0]), 2, 0, 0)
	res("preadv", r, err)
	unix.Seek(int(fd), 1, 0)
	r, err = sys(unix.SYS_READV, fd, ptr(&riov[0]), 2)
	res("readv", r, err)
	var pp [2]int32
	r, err = sys(unix.SYS_PIPE, ptr(&pp[0]))
	res("pipe", r, err)
	say("pipe_r", pp[0])
	say("pipe_w", pp[1])
	r, err = sys(unix.SYS_CLOSE_RANGE, 500, 600, 4) // CLOSE_RANGE_CLOEXEC
	res("close_range", r, err)

	r, err = sys(unix.SYS_EVENTFD2, 7, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	res("eventfd2", r, err)
	mask := uint64(1) << (unix.SIGUSR1 - 1)
	r, err = sys(unix.SYS_SIGNALFD4, ^uintptr(0), ptr(&mask), 8, unix.SFD_CLOEXEC)
	res("signalfd4", r, err)
	r, err = sys(unix.SYS_TIMERFD_CREATE, unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK)
	res("timerfd_create", r, err)
	r, err = sys(unix.SYS_INOTIFY_INIT1, unix.IN_CLOEXEC)
	res("inotify_init1", r, err)
	r, err = sys(unix.SYS_EPOLL_CREATE1, unix.EPOLL_CLOEXEC)
	res("epoll_create1", r, err)
	r, err = sys(unix.SYS_MEMFD_CREATE, cstr("syscope-memfd"), unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	res("memfd_create", r, err)
	pfd, err := sys(unix.SYS_PIDFD_OPEN, uintptr(os.Getpid()), 0)
	res("pidfd_open", pfd, err)
	say("pid", os.Getpid())
	r, err = sys(unix.SYS_PIDFD_GETFD, pfd, fd, 0)
	res("pidfd_getfd", r, err)
	var iop [120]byte
	r, err = sys(unix.SYS_IO_URING_SETUP, 4, ptr(&iop))
	res("io_uring_setup", r, err)
	say("io_uring_sq_entries", *(*uint32)(unsafe.Pointer(&iop[0])))
	say("io_uring_cq_entries", *(*uint32)(unsafe.Pointer(&iop[4])))
	say("io_uring_features", *(*uint32)(unsafe.Pointer(&iop[20])))
	r, err = sys(unix.SYS_USERFAULTFD, unix.O_CLOEXEC|unix.O_NONBLOCK)
	res("userfaultfd", r, err)
	var battr [64]byte
	r, err = sys(unix.SYS_BPF, 0 /* BPF_MAP_CREATE */, ptr(&battr), 64) // invalid attributes
	res("bpf", r, err)

	// Directories and names.
	d1 := filepath.Join(dir, "d1")
	r, err = sys(unix.SYS_MKDIRAT, atFdcwd, cstr(d1), 0o700)
	res("mkdirat", r, err)
	dfd, _ := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	say("dirfd", dfd)
	r, err = sys(unix.SYS_FCHDIR, uintptr(dfd))
	res("fchdir", r, err)
	m2 := filepath.Join(dir, "m2")
	r, err = sys(unix.SYS_RENAMEAT, atFdcwd, cstr(m), uintptr(dfd), cstr("m2"))
	res("renameat", r, err)
	r, err = sys(unix.SYS_RENAMEAT2, uintptr(dfd), cstr("m2"), atFdcwd, cstr(m), unix.RENAME_NOREPLACE)
	res("renameat2", r, err)
	r, err = sys(unix.SYS_LINKAT, atFdcwd, cstr(m), atFdcwd, cstr(m2), unix.AT_SYMLINK_FOLLOW)
	res("linkat", r, err)
	r, err = sys(unix.SYS_SYMLINKAT, cstr("some/target"), uintptr(dfd), cstr("s2"))
	res("symlinkat", r, err)
	r, err = sys(unix.SYS_FCHMOD, fd, 0o4751)
	res("fchmod", r, err)
	r, err = sys(unix.SYS_FCHMODAT, atFdcwd, cstr(m), 0o640, 0)
	res("fchmodat", r, err)
	r, err = sys(unix.SYS_CHOWN, cstr(m), 1, 2)
	res("chown", r, err)
	r, err = sys(unix.SYS_FCHOWN, fd, 3, 4)
	res("fchown", r, err)
	r, err = sys(unix.SYS_FCHOWNAT, atFdcwd, cstr(m), 5, 6, unix.AT_SYMLINK_NOFOLLOW)
	res("fchownat", r, err)
	r, err = sys(unix.SYS_OPENAT2, atFdcwd, cstr(m), ptr(&unix.OpenHow{Flags: unix.O_RDONLY, Resolve: unix.RESOLVE_NO_SYMLINKS}), 24)
	res("openat2", r, err)

	// Namespaces and mounts, private to this process.
	r, err = sys(unix.SYS_UNSHARE, unix.CLONE_NEWNS)
	res("unshare", r, err)
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return err
	}
	r, err = sys(unix.SYS_MOUNT, cstr("none"), cstr(d1), cstr("tmpfs"), unix.MS_NOSUID|unix.MS_NODEV, cstr("size=1m"))
	res("mount", r, err)
	r, err = sys(unix.SYS_UMOUNT2, cstr(d1), unix.MNT_DETACH)
	res("umount2", r, err)
	nsfd, _ := unix.Open("/proc/self/ns/net", unix.O_RDONLY, 0)
	say("nsfd", nsfd)
	r, err = sys(unix.SYS_SETNS, uintptr(nsfd), unix.CLONE_NEWNET)
	res("setns", r, err)

	// Credentials and signals.
	none := ^uintptr(0) & 0xffffffff
	r, err = sys(unix.SYS_SETRESUID, none, none, none)
	res("setresuid", r, err)
	r, err = sys(unix.SYS_SETREUID, none, none)
	res("setreuid", r, err)
	r, err = sys(unix.SYS_SETREGID, none, none)
	res("setregid", r, err)
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	unix.Capget(&hdr, &data[0])
	r, err = sys(unix.SYS_CAPSET, ptr(&hdr), ptr(&data[0]))
	res("capset", r, err)
	say("cap_eff", uint64(data[1].Effective)<<32|uint64(data[0].Effective))
	r, err = sys(unix.SYS_TKILL, uintptr(unix.Gettid()), 0)
	res("tkill", r, err)
	r, err = sys(unix.SYS_TGKILL, uintptr(os.Getpid()), uintptr(unix.Gettid()), 0)
	res("tgkill", r, err)
	r, err = sys(unix.SYS_SETSID)
	res("setsid", r, err)

	// Memory and limits.
	addr, err := sys(unix.SYS_MMAP, 0, 8192, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS, ^uintptr(0), 0)
	res("mmap", addr, err)
	r, err = sys(unix.SYS_MPROTECT, addr, 4096, unix.PROT_READ)
	res("mprotect", r, err)
	r, err = sys(unix.SYS_MUNMAP, addr, 8192)
	res("munmap", r, err)
	r, err = sys(unix.SYS_BRK, 0)
	res("brk", r, err)
	var old unix.Rlimit
	r, err = sys(unix.SYS_PRLIMIT64, 0, unix.RLIMIT_NOFILE, 0, ptr(&old))
	res("prlimit64", r, err)
	say("nofile_cur", old.Cur)
	say("nofile_max", old.Max)
	r, err = sys(unix.SYS_SETRLIMIT, unix.RLIMIT_CORE, ptr(&unix.Rlimit{Cur: 0, Max: 1 << 20}))
	res("setrlimit", r, err)
	img := []byte("not a module")
	r, err = sys(unix.SYS_INIT_MODULE, ptr(&img[0]), uintptr(len(img)), cstr("p=1"))
	res("init_module", r, err)
	r, err = sys(unix.SYS_FINIT_MODULE, fd, cstr("q=2"), 2 /* MODULE_INIT_IGNORE_VERMAGIC */)
	res("finit_module", r, err)

	// A plain accept.
	ln, _ := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
	unix.Bind(ln, sockaddr4(0))
	unix.Listen(ln, 3)
	sa, _ := unix.Getsockname(ln)
	c, _ := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
	unix.Connect(c, sa)
	r, err = sys(unix.SYS_ACCEPT, uintptr(ln), 0, 0)
	res("accept", r, err)
	say("accept_port", sa.(*unix.SockaddrInet4).Port)

	// Processes: fork and clone3 children that exit at once, a failed
	// execveat, a generic syscall.
	pid, _, errno := unix.RawSyscall(unix.SYS_FORK, 0, 0, 0)
	if errno == 0 && pid == 0 {
		unix.RawSyscall(unix.SYS_EXIT_GROUP, 3, 0, 0)
	}
	say("fork", int64(pid))
	var ws unix.WaitStatus
	unix.Wait4(int(pid), &ws, 0, nil)
	var cargs [11]uint64 // struct clone_args: flags, pidfd, child_tid, parent_tid, exit_signal, ...
	cargs[4] = uint64(unix.SIGCHLD)
	pid, _, errno = unix.RawSyscall(unix.SYS_CLONE3, ptr(&cargs), unsafe.Sizeof(cargs), 0)
	if errno == 0 && pid == 0 {
		unix.RawSyscall(unix.SYS_EXIT_GROUP, 4, 0, 0)
	}
	say("clone3", int64(pid))
	unix.Wait4(int(pid), &ws, 0, nil)
	argv := []*byte{&[]byte("x\x00")[0], nil}
	r, err = sys(unix.SYS_EXECVEAT, atFdcwd, cstr("/nonexistent-execveat"), ptr(&argv[0]), ptr(&argv[1]), 0)
	res("execveat", r, err)
	r, err = sys(unix.SYS_GETPPID)
	res("getppid", r, err)
	r, err = sys(unix.SYS_CHROOT, cstr(dir))
	res("chroot", r, err)
	return nil
}

func init() {
	// open: try to open the driver and report how it failed.
	workloads["open"] = func(args []string) error {
		s, err := Open(nil)
		if err == nil {
			s.Close()
			say("err", "none")
			return nil
		}
		say("permission", errors.Is(err, ErrPermission))
		say("err", err)
		return nil
	}
}
