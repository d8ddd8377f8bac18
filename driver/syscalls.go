package driver

// families maps each eBPF exit program to the syscalls it decodes. A
// syscall that is captured but listed here under no program is sent as the
// generic event carrying its syscall code.
var families = map[string][]string{
	"x_open":     {"open", "openat", "openat2", "creat"},
	"x_close":    {"close", "close_range"},
	"x_rw":       {"read", "pread64", "write", "pwrite64"},
	"x_rwv":      {"readv", "preadv", "writev", "pwritev"},
	"x_socket":   {"socket", "socketpair", "bind", "listen", "shutdown"},
	"x_connect":  {"connect", "accept", "accept4"},
	"x_sendrecv": {"sendto", "recvfrom", "sendmsg", "recvmsg"},
	"x_fd": {"dup", "dup2", "dup3", "fcntl", "pipe", "pipe2", "eventfd2", "signalfd4",
		"timerfd_create", "inotify_init1", "epoll_create1", "memfd_create", "pidfd_open",
		"pidfd_getfd", "io_uring_setup", "userfaultfd", "bpf"},
	"x_path": {"chdir", "fchdir", "mkdir", "mkdirat", "rmdir", "unlink", "unlinkat", "rename",
		"renameat", "renameat2", "link", "linkat", "symlink", "symlinkat", "chroot"},
	"x_attr":     {"chmod", "fchmod", "fchmodat", "chown", "fchown", "fchownat", "mount", "umount2"},
	"x_cred":     {"setuid", "setgid", "setresuid", "setresgid", "setreuid", "setregid", "capset", "setsid"},
	"x_proc":     {"ptrace", "kill", "tkill", "tgkill", "prctl", "setns", "unshare", "prlimit64", "setrlimit"},
	"x_mem":      {"mmap", "munmap", "mprotect", "brk", "init_module", "finit_module"},
	"x_clone":    {"clone", "clone3", "fork", "vfork"},
	"x_execfail": {"execve", "execveat"},
}

// enterPrograms are the syscalls that also get an enter event, with the
// program and tracepoint that produce it.
var enterPrograms = []struct{ syscall, prog string }{
	{"open", "e_open"},
	{"openat", "e_openat"},
	{"openat2", "e_openat2"},
	{"creat", "e_creat"},
	{"connect", "e_connect"},
}

// EnterSyscalls returns the names of the syscalls the driver also writes
// an enter event for (every other syscall has only its exit event).
func EnterSyscalls() []string {
	out := make([]string, len(enterPrograms))
	for i, ep := range enterPrograms {
		out[i] = ep.syscall
	}
	return out
}

// DecodedSyscalls returns the names of the syscalls the driver decodes into
// their dedicated event types (all others are captured as generic events).
func DecodedSyscalls() []string {
	var out []string
	for _, names := range families {
		out = append(out, names...)
	}
	return out
}

// processSyscalls are captured whatever Options.Syscalls says: without
// them the process tree cannot be followed.
var processSyscalls = map[string]bool{
	"clone": true, "clone3": true, "fork": true, "vfork": true, "execve": true, "execveat": true,
}
