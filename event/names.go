package event

// errnoNames maps Linux errno values (the kernel's numbers, including the
// kernel-internal ones above 511 that can leak into syscall returns) to their
// symbolic names: the set libsinsp resolves in evt.args.
var errnoNames = [...]string{
	1: "EPERM", 2: "ENOENT", 3: "ESRCH", 4: "EINTR", 5: "EIO", 6: "ENXIO",
	7: "E2BIG", 8: "ENOEXEC", 9: "EBADF", 10: "ECHILD", 11: "EAGAIN",
	12: "ENOMEM", 13: "EACCES", 14: "EFAULT", 15: "ENOTBLK", 16: "EBUSY",
	17: "EEXIST", 18: "EXDEV", 19: "ENODEV", 20: "ENOTDIR", 21: "EISDIR",
	22: "EINVAL", 23: "ENFILE", 24: "EMFILE", 25: "ENOTTY", 26: "ETXTBSY",
	27: "EFBIG", 28: "ENOSPC", 29: "ESPIPE", 30: "EROFS", 31: "EMLINK",
	32: "EPIPE", 33: "EDOM", 34: "ERANGE", 35: "EDEADLK", 36: "ENAMETOOLONG",
	37: "ENOLCK", 38: "ENOSYS", 39: "ENOTEMPTY", 40: "ELOOP", 42: "ENOMSG",
	43: "EIDRM", 44: "ECHRNG", 45: "EL2NSYNC", 46: "EL3HLT", 47: "EL3RST",
	48: "ELNRNG", 49: "EUNATCH", 50: "ENOCSI", 51: "EL2HLT", 52: "EBADE",
	53: "EBADR", 54: "EXFULL", 55: "ENOANO", 56: "EBADRQC", 57: "EBADSLT",
	59: "EBFONT", 60: "ENOSTR", 61: "ENODATA", 62: "ETIME", 63: "ENOSR",
	64: "ENONET", 65: "ENOPKG", 66: "EREMOTE", 67: "ENOLINK", 68: "EADV",
	69: "ESRMNT", 70: "ECOMM", 71: "EPROTO", 72: "EMULTIHOP", 73: "EDOTDOT",
	74: "EBADMSG", 75: "EOVERFLOW", 76: "ENOTUNIQ", 77: "EBADFD", 78: "EREMCHG",
	79: "ELIBACC", 80: "ELIBBAD", 81: "ELIBSCN", 82: "ELIBMAX", 83: "ELIBEXEC",
	84: "EILSEQ", 85: "ERESTART", 86: "ESTRPIPE", 87: "EUSERS", 88: "ENOTSOCK",
	89: "EDESTADDRREQ", 90: "EMSGSIZE", 91: "EPROTOTYPE", 92: "ENOPROTOOPT",
	93: "EPROTONOSUPPORT", 94: "ESOCKTNOSUPPORT", 95: "EOPNOTSUPP",
	96: "EPFNOSUPPORT", 97: "EAFNOSUPPORT", 98: "EADDRINUSE",
	99: "EADDRNOTAVAIL", 100: "ENETDOWN", 101: "ENETUNREACH", 102: "ENETRESET",
	103: "ECONNABORTED", 104: "ECONNRESET", 105: "ENOBUFS", 106: "EISCONN",
	107: "ENOTCONN", 108: "ESHUTDOWN", 109: "ETOOMANYREFS", 110: "ETIMEDOUT",
	111: "ECONNREFUSED", 112: "EHOSTDOWN", 113: "EHOSTUNREACH", 114: "EALREADY",
	115: "EINPROGRESS", 116: "ESTALE", 117: "EUCLEAN", 118: "ENOTNAM",
	119: "ENAVAIL", 120: "EISNAM", 121: "EREMOTEIO", 122: "EDQUOT",
	123: "ENOMEDIUM", 124: "EMEDIUMTYPE", 125: "ECANCELED",
	512: "ERESTARTSYS", 513: "ERESTARTNOINTR", 514: "ERESTARTNOHAND",
	515: "ENOIOCTLCMD", 516: "ERESTART_RESTARTBLOCK", 521: "EBADHANDLE",
	522: "ENOTSYNC", 523: "EBADCOOKIE", 524: "ENOTSUPP", 525: "ETOOSMALL",
	526: "ESERVERFAULT", 527: "EBADTYPE", 528: "EJUKEBOX", 529: "EIOCBQUEUED",
	530: "EIOCBRETRY",
}

// ErrnoName returns the symbolic name of a failed syscall's return value
// (ENOENT for -2), or "" when res is not a known negative errno. Like
// libsinsp, it looks at the low 32 bits of res only.
func ErrnoName(res int64) string {
	c := -int64(int32(res))
	if c <= 0 || c >= int64(len(errnoNames)) {
		return ""
	}
	return errnoNames[c]
}

// signalNames maps Linux signal numbers to the names libsinsp resolves.
var signalNames = [...]string{
	1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 5: "SIGTRAP",
	6: "SIGABRT", 7: "SIGBUS", 8: "SIGFPE", 9: "SIGKILL", 10: "SIGUSR1",
	11: "SIGSEGV", 12: "SIGUSR2", 13: "SIGPIPE", 14: "SIGALRM", 15: "SIGTERM",
	16: "SIGSTKFLT", 17: "SIGCHLD", 18: "SIGCONT", 19: "SIGSTOP", 20: "SIGTSTP",
	21: "SIGTTIN", 22: "SIGTTOU", 23: "SIGURG", 24: "SIGXCPU", 25: "SIGXFSZ",
	26: "SIGVTALRM", 27: "SIGPROF", 28: "SIGWINCH", 29: "SIGIO", 30: "SIGPWR",
	31: "SIGSYS",
}

// SignalName returns the name of signal sig (SIGKILL for 9), or "" when it
// is not one of the standard signals 1-31.
func SignalName(sig uint8) string {
	if int(sig) >= len(signalNames) {
		return ""
	}
	return signalNames[sig]
}

// AT_FDCWD as the driver encodes it in fd parameters.
const atFDCWD = -100

// syscallNames is indexed by the driver's syscall code (PPM_SC_*).
var syscallNames = func() []string {
	max := 0
	for i := range syscalls {
		if syscalls[i].PPMSC > max {
			max = syscalls[i].PPMSC
		}
	}
	names := make([]string, max+1)
	for i := range syscalls {
		if c := syscalls[i].PPMSC; c > 0 && names[c] == "" {
			names[c] = syscalls[i].Name
		}
	}
	return names
}()

// SyscallName returns the name of the syscall with driver code code (the
// value a generic event's ID parameter carries), or "" when the code is
// unknown.
func SyscallName(code uint16) string {
	if int(code) >= len(syscallNames) {
		return ""
	}
	return syscallNames[code]
}

// syscallNameFlavor returns the name of a syscall code as the flavor prints
// it, and false when the flavor considers the code out of range.
func syscallNameFlavor(code uint16, f Flavor) (string, bool) {
	if f == FlavorSysdig {
		if code >= ppmscMaxSysdig {
			return "", false
		}
		if n, ok := sysdigSyscallName(code); ok {
			return n, true
		}
		return SyscallName(code), true
	}
	if int(code) >= len(syscallNames) {
		return "", false
	}
	return syscallNames[code], true
}
