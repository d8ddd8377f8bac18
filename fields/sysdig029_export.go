package fields

// Sysdig029KnowsSyscall reports whether sysdig 0.29.3 has a name for the
// syscall code id that a generic syscall event carries. It stops reading a
// capture at a generic event with a code it does not know.
func Sysdig029KnowsSyscall(id uint16) bool { return int(id) < len(sysdig029Syscalls) }
