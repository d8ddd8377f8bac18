// Package procscan takes the snapshot of a Linux system that a capture
// starts with: the machine, its network interfaces, users and groups, and
// every thread with its process information (executable, arguments,
// environment, working directory, credentials, cgroups, namespaces ids)
// and, for process leaders, its open file descriptors, sockets resolved
// through /proc/net. The result is a scap.Metadata, the form capture files
// store and state tracking is seeded from.
//
// It reads /proc, /sys and /etc only; it does not follow processes over
// time (the event stream does that) and it is not atomic: processes that
// exit during the scan are skipped and counted.
package procscan

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/scap"
)

// Options configure Scan. The zero value (or nil) scans the running system.
type Options struct {
	// Proc is the procfs mount point. Default "/proc".
	Proc string
	// Etc holds passwd and group. Default "/etc".
	Etc string
	// MaxThreads bounds the threads listed. Default 1<<17.
	MaxThreads int
	// MaxFDs bounds the descriptors listed per process. Default 1<<16.
	MaxFDs int
}

// Stats count what a scan listed and what it could not.
type Stats struct {
	Threads int // threads listed
	FDs     int // descriptors listed
	// Vanished counts threads and descriptors that disappeared while being
	// read (a normal race with a running system).
	Vanished int
	// Truncated counts threads and descriptors left out by the limits.
	Truncated int
}

// Scan takes the snapshot. It fails only when the process list itself
// cannot be read; a process or descriptor that cannot be read is skipped
// and counted.
func Scan(o *Options) (*scap.Metadata, Stats, error) {
	var opt Options
	if o != nil {
		opt = *o
	}
	if opt.Proc == "" {
		opt.Proc = "/proc"
	}
	if opt.Etc == "" {
		opt.Etc = "/etc"
	}
	if opt.MaxThreads <= 0 {
		opt.MaxThreads = 1 << 17
	}
	if opt.MaxFDs <= 0 {
		opt.MaxFDs = 1 << 16
	}
	s := &scanner{opt: opt, sockets: map[uint64]map[uint64]scap.FD{}}
	md := &scap.Metadata{Section: scap.SectionHeader{Major: 1, Minor: 2, Length: -1}}
	md.Machine = s.machine()
	md.Interfaces = interfaces()
	md.Users = readUsers(filepath.Join(opt.Etc, "passwd"))
	md.Groups = readGroups(filepath.Join(opt.Etc, "group"))
	if err := s.processes(md); err != nil {
		return md, s.st, err
	}
	return md, s.st, nil
}

type scanner struct {
	opt      Options
	st       Stats
	bootNs   uint64
	sockets  map[uint64]map[uint64]scap.FD // net namespace inode -> socket inode -> description
	cgroupV2 string                        // unified hierarchy mount point
	v2Ctrls  []string
}

func (s *scanner) machine() *scap.MachineInfo {
	mi := &scap.MachineInfo{NumCPUs: uint32(runtime.NumCPU())}
	if b, err := os.ReadFile("/sys/devices/system/cpu/online"); err == nil {
		if n := countCPUs(strings.TrimSpace(string(b))); n > 0 {
			mi.NumCPUs = uint32(n)
		}
	}
	var si unix.Sysinfo_t
	if unix.Sysinfo(&si) == nil {
		mi.MemoryBytes = uint64(si.Totalram) * uint64(si.Unit)
	}
	if b, err := os.ReadFile(filepath.Join(s.opt.Proc, "sys/kernel/pid_max")); err == nil {
		mi.MaxPID, _ = strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	}
	mi.Hostname, _ = os.Hostname()
	var rt, bt unix.Timespec
	if unix.ClockGettime(unix.CLOCK_REALTIME, &rt) == nil && unix.ClockGettime(unix.CLOCK_BOOTTIME, &bt) == nil {
		s.bootNs = uint64(rt.Nano() - bt.Nano())
		mi.BootTime = s.bootNs
	}
	return mi
}

// countCPUs counts the CPUs in a list such as "0-3,5".
func countCPUs(list string) int {
	n := 0
	for _, part := range strings.Split(list, ",") {
		lo, hi, found := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		if err != nil {
			return 0
		}
		b := a
		if found {
			if b, err = strconv.Atoi(hi); err != nil || b < a {
				return 0
			}
		}
		n += b - a + 1
	}
	return n
}

func interfaces() []scap.Interface {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil
	}
	var out []scap.Interface
	for _, ifc := range ifs {
		addrs, err := ifc.Addrs()
		if err != nil {
			continue
		}
		for _, a := range addrs {
			ipn, ok := a.(*net.IPNet)
			if !ok {
				continue
			}
			addr, ok := netip.AddrFromSlice(ipn.IP)
			if !ok {
				continue
			}
			mask, _ := netip.AddrFromSlice(net.IP(ipn.Mask))
			in := scap.Interface{Name: ifc.Name}
			if addr.Is4In6() || addr.Is4() {
				addr = addr.Unmap()
				m4 := mask.Unmap().As4()
				a4 := addr.As4()
				var b4 [4]byte
				for i := range b4 {
					b4[i] = a4[i] | ^m4[i]
				}
				in.Addr, in.Netmask, in.Broadcast = addr, netip.AddrFrom4(m4), netip.AddrFrom4(b4)
			} else {
				in.Addr, in.Netmask, in.Broadcast = addr, mask, netip.IPv6Unspecified()
			}
			out = append(out, in)
		}
	}
	return out
}

// readUsers parses a passwd file; a missing or unreadable file gives none.
func readUsers(path string) []scap.User {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	return parsePasswd(b)
}

func parsePasswd(b []byte) []scap.User {
	var out []scap.User
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Split(l, ":")
		if len(f) < 7 || strings.HasPrefix(l, "#") {
			continue
		}
		uid, err1 := strconv.ParseUint(f[2], 10, 32)
		gid, err2 := strconv.ParseUint(f[3], 10, 32)
		if err1 != nil || err2 != nil {
			continue
		}
		out = append(out, scap.User{UID: uint32(uid), GID: uint32(gid), Name: f[0], HomeDir: f[5], Shell: f[6]})
	}
	return out
}

func readGroups(path string) []scap.Group {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	return parseGroup(b)
}

func parseGroup(b []byte) []scap.Group {
	var out []scap.Group
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Split(l, ":")
		if len(f) < 3 || strings.HasPrefix(l, "#") {
			continue
		}
		gid, err := strconv.ParseUint(f[2], 10, 32)
		if err != nil {
			continue
		}
		out = append(out, scap.Group{GID: uint32(gid), Name: f[0]})
	}
	return out
}

func isNumber(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func (s *scanner) processes(md *scap.Metadata) error {
	ents, err := os.ReadDir(s.opt.Proc)
	if err != nil {
		return fmt.Errorf("procscan: read %s: %w", s.opt.Proc, err)
	}
	s.cgroupSetup()
	for _, ent := range ents {
		if !isNumber(ent.Name()) {
			continue
		}
		pid, _ := strconv.ParseInt(ent.Name(), 10, 64)
		pdir := filepath.Join(s.opt.Proc, ent.Name())
		proc, ok := s.processInfo(pdir)
		if !ok {
			s.st.Vanished++
			continue
		}
		tasks, err := os.ReadDir(filepath.Join(pdir, "task"))
		if err != nil {
			s.st.Vanished++
			continue
		}
		for _, te := range tasks {
			if !isNumber(te.Name()) {
				continue
			}
			if len(md.Processes) >= s.opt.MaxThreads {
				s.st.Truncated++
				continue
			}
			tid, _ := strconv.ParseInt(te.Name(), 10, 64)
			p := proc
			if !s.threadInfo(filepath.Join(pdir, "task", te.Name()), &p) {
				s.st.Vanished++
				continue
			}
			p.Tid = tid
			if tid != pid {
				p.Flags = uint32(flag(event.FlagsCloneFlags, "CLONE_THREAD") | flag(event.FlagsCloneFlags, "CLONE_FILES"))
			} else {
				p.FDs = s.fds(pdir, pid)
			}
			md.Processes = append(md.Processes, p)
			s.st.Threads++
		}
	}
	return nil
}

// flag returns the value of a flag table entry.
func flag(t *event.FlagTable, name string) uint64 {
	for _, e := range t.Entries {
		if e.Name == name {
			return e.Value
		}
	}
	return 0
}

// processInfo reads what the threads of a process share. A process that
// has no command line and no executable (a kernel thread or a zombie) is
// skipped, as libscap does.
func (s *scanner) processInfo(pdir string) (scap.Process, bool) {
	p := scap.NewProcess(0)
	cmdline, err := os.ReadFile(filepath.Join(pdir, "cmdline"))
	if err != nil {
		return p, false
	}
	exe, exeErr := os.Readlink(filepath.Join(pdir, "exe"))
	if len(cmdline) == 0 && exeErr != nil {
		return p, false
	}
	p.ExePath = exe
	args := splitNul(cmdline, scap.MaxArgsLen)
	if len(args) > 0 {
		p.Exe = args[0]
		p.Args = args[1:]
	}
	if env, err := os.ReadFile(filepath.Join(pdir, "environ")); err == nil {
		p.Env = splitNul(env, scap.MaxArgsLen)
	}
	p.Cwd, _ = os.Readlink(filepath.Join(pdir, "cwd"))
	p.Root, _ = os.Readlink(filepath.Join(pdir, "root"))
	p.FDLimit = -1
	if b, err := os.ReadFile(filepath.Join(pdir, "limits")); err == nil {
		if v, ok := parseLimits(b, "Max open files"); ok {
			p.FDLimit = v
		}
	}
	if exe != "" {
		var st unix.Stat_t
		// Through the process's root, as its executable path is relative to it.
		if unix.Stat(filepath.Join(pdir, "root", exe), &st) == nil {
			p.ExeIno = st.Ino
			p.ExeInoCtime = uint64(st.Ctim.Nano())
			p.ExeInoMtime = uint64(st.Mtim.Nano())
		}
		p.ExeFromMemfd = strings.HasPrefix(exe, "/memfd:")
	}
	var st unix.Stat_t
	if unix.Stat(filepath.Join(pdir, "root/proc/1/cmdline"), &st) == nil {
		p.PidnsInitStartTs = uint64(st.Ctim.Nano())
	}
	return p, true
}

// splitNul splits NUL-separated strings (a trailing NUL is optional),
// keeping at most limit bytes.
func splitNul(b []byte, limit int) []string {
	if len(b) > limit {
		b = b[:limit]
	}
	b = bytes.TrimSuffix(b, []byte{0})
	if len(b) == 0 {
		return nil
	}
	return strings.Split(string(b), "\x00")
}

// parseLimits returns the soft limit of the named row of /proc/PID/limits.
func parseLimits(b []byte, name string) (int64, bool) {
	for _, l := range strings.Split(string(b), "\n") {
		rest, ok := strings.CutPrefix(l, name)
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) == 0 {
			return 0, false
		}
		if f[0] == "unlimited" {
			return -1, true
		}
		v, err := strconv.ParseInt(f[0], 10, 64)
		return v, err == nil
	}
	return 0, false
}

// threadInfo fills the per-thread fields from /proc/PID/task/TID.
func (s *scanner) threadInfo(tdir string, p *scap.Process) bool {
	status, err := os.ReadFile(filepath.Join(tdir, "status"))
	if err != nil {
		return false
	}
	if !parseStatus(status, p) {
		return false
	}
	stat, err := os.ReadFile(filepath.Join(tdir, "stat"))
	if err != nil {
		return false
	}
	if !parseStat(stat, p) {
		return false
	}
	if comm, err := os.ReadFile(filepath.Join(tdir, "comm")); err == nil {
		p.Comm = strings.TrimSuffix(string(comm), "\n")
	}
	if lu, err := os.ReadFile(filepath.Join(tdir, "loginuid")); err == nil {
		if v, err := strconv.ParseUint(strings.TrimSpace(string(lu)), 10, 32); err == nil {
			p.LoginUID = uint32(v)
		}
	}
	if cg, err := os.ReadFile(filepath.Join(tdir, "cgroup")); err == nil {
		p.Cgroups = s.cgroups(cg)
	}
	p.ExeWritable = exeWritable(tdir, p)
	return true
}

// parseStatus reads ids, credentials, capabilities and memory from a
// /proc status file.
func parseStatus(b []byte, p *scap.Process) bool {
	seen := 0
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		f := strings.Fields(v)
		if len(f) == 0 {
			continue
		}
		last := f[len(f)-1]
		switch k {
		case "Tgid":
			p.Pid, _ = strconv.ParseInt(f[0], 10, 64)
			seen++
		case "PPid":
			p.Ptid, _ = strconv.ParseInt(f[0], 10, 64)
			seen++
		case "Uid":
			if len(f) > 1 {
				u, _ := strconv.ParseUint(f[1], 10, 32)
				p.UID = uint32(u)
			}
		case "Gid":
			if len(f) > 1 {
				g, _ := strconv.ParseUint(f[1], 10, 32)
				p.GID = uint32(g)
			}
		case "NStgid":
			p.Vpid, _ = strconv.ParseInt(last, 10, 64)
		case "NSpid":
			p.Vtid, _ = strconv.ParseInt(last, 10, 64)
		case "NSpgid":
			p.Pgid, _ = strconv.ParseInt(f[0], 10, 64)
			p.Vpgid, _ = strconv.ParseInt(last, 10, 64)
		case "CapInh":
			p.CapInheritable, _ = strconv.ParseUint(f[0], 16, 64)
		case "CapPrm":
			p.CapPermitted, _ = strconv.ParseUint(f[0], 16, 64)
		case "CapEff":
			p.CapEffective, _ = strconv.ParseUint(f[0], 16, 64)
		case "VmSize":
			v, _ := strconv.ParseUint(f[0], 10, 32)
			p.VMSizeKB = uint32(v)
		case "VmRSS":
			v, _ := strconv.ParseUint(f[0], 10, 32)
			p.VMRSSKB = uint32(v)
		case "VmSwap":
			v, _ := strconv.ParseUint(f[0], 10, 32)
			p.VMSwapKB = uint32(v)
		}
	}
	return seen == 2
}

// parseStat reads the session, process group, tty and page fault counts
// from a /proc stat file.
func parseStat(b []byte, p *scap.Process) bool {
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 || i+2 > len(s) {
		return false
	}
	f := strings.Fields(s[i+1:])
	// f[0] is field 3 (state); field n is f[n-3].
	if len(f) < 10 {
		return false
	}
	num := func(n int) int64 { v, _ := strconv.ParseInt(f[n-3], 10, 64); return v }
	if p.Pgid < 0 {
		p.Pgid = num(5)
	}
	if p.Vpgid < 0 {
		p.Vpgid = num(5)
	}
	p.Sid = num(6)
	p.TTY = uint32(num(7))
	p.PFMinor = uint64(num(10))
	p.PFMajor = uint64(num(12))
	return true
}

// exeWritable approximates whether the thread's credentials allow writing
// its executable: not on a read-only file system, and either the mode bits
// for its fsuid/fsgid or CAP_DAC_OVERRIDE.
func exeWritable(tdir string, p *scap.Process) bool {
	if p.ExePath == "" {
		return false
	}
	path := filepath.Join(filepath.Dir(filepath.Dir(tdir)), "exe")
	var sfs unix.Statfs_t
	if unix.Statfs(path, &sfs) == nil && sfs.Flags&unix.ST_RDONLY != 0 {
		return false
	}
	var st unix.Stat_t
	if unix.Stat(path, &st) != nil {
		return false
	}
	const capDacOverride = 1
	if p.CapEffective&(1<<capDacOverride) != 0 {
		return true
	}
	switch {
	case st.Uid == p.UID:
		return st.Mode&unix.S_IWUSR != 0
	case st.Gid == p.GID:
		return st.Mode&unix.S_IWGRP != 0
	}
	return st.Mode&unix.S_IWOTH != 0
}

// cgroupSetup finds the unified hierarchy and its controllers.
func (s *scanner) cgroupSetup() {
	b, err := os.ReadFile(filepath.Join(s.opt.Proc, "self/mountinfo"))
	if err != nil {
		return
	}
	for _, l := range strings.Split(string(b), "\n") {
		pre, post, ok := strings.Cut(l, " - ")
		if !ok || !strings.HasPrefix(post, "cgroup2 ") {
			continue
		}
		f := strings.Fields(pre)
		if len(f) >= 5 {
			s.cgroupV2 = f[4]
			break
		}
	}
	if s.cgroupV2 == "" {
		return
	}
	if c, err := os.ReadFile(filepath.Join(s.cgroupV2, "cgroup.controllers")); err == nil {
		s.v2Ctrls = strings.Fields(string(c))
	}
}

// cgroups turns /proc/PID/cgroup into "controller=path" entries for the
// controllers the events report (cpuset, cpu, cpuacct, io, memory, and
// the others), v1 hierarchies first, then the unified one's controllers.
func (s *scanner) cgroups(b []byte) []string {
	var out []string
	have := map[string]bool{}
	unified, hasUnified := "", false
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		parts := strings.SplitN(l, ":", 3)
		if len(parts) != 3 {
			continue
		}
		if parts[0] == "0" && parts[1] == "" {
			unified, hasUnified = parts[2], true
			continue
		}
		for _, c := range strings.Split(parts[1], ",") {
			if c == "" || strings.HasPrefix(c, "name=") || have[c] {
				continue
			}
			have[c] = true
			out = append(out, c+"="+parts[2])
		}
	}
	if hasUnified {
		for _, c := range s.v2Ctrls {
			if !have[c] {
				have[c] = true
				out = append(out, c+"="+unified)
			}
		}
	}
	return out
}

// fds lists the open descriptors of process pid.
func (s *scanner) fds(pdir string, pid int64) []scap.FD {
	dir := filepath.Join(pdir, "fd")
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var netns uint64
	var nst unix.Stat_t
	if unix.Stat(filepath.Join(pdir, "ns/net"), &nst) == nil {
		netns = nst.Ino
	}
	var out []scap.FD
	for _, ent := range ents {
		num, err := strconv.ParseInt(ent.Name(), 10, 64)
		if err != nil {
			continue
		}
		if len(out) >= s.opt.MaxFDs {
			s.st.Truncated++
			continue
		}
		fd, ok := s.fd(pdir, filepath.Join(dir, ent.Name()), num, netns)
		if !ok {
			continue
		}
		out = append(out, fd)
		s.st.FDs++
	}
	return out
}

func (s *scanner) fd(pdir, path string, num int64, netns uint64) (scap.FD, bool) {
	fd := scap.FD{Num: num}
	link, err := os.Readlink(path)
	if err != nil {
		s.st.Vanished++
		return fd, false
	}
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			s.st.Vanished++
			return fd, false
		}
		// A descriptor whose target cannot be reached (a deleted mount
		// point): list it by name.
		fd.Type = scap.FDUnsupported
		fd.Name = link
		return fd, true
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFIFO:
		fd.Type = scap.FDFifo
		fd.Ino = st.Ino
		fd.Name = link
	case unix.S_IFREG, unix.S_IFBLK, unix.S_IFCHR, unix.S_IFLNK:
		fd.Ino = st.Ino
		fd.Name = link
		if strings.HasPrefix(link, "/memfd:") {
			fd.Type = scap.FDMemfd
			break
		}
		fd.Type = scap.FDFileV2
		fd.Dev = newEncodeDev(st.Dev)
		if b, err := os.ReadFile(filepath.Join(pdir, "fdinfo", strconv.FormatInt(num, 10))); err == nil {
			if fl, ok := fdinfoFlags(b); ok {
				fd.OpenFlags = OpenFlags(fl)
			}
		}
	case unix.S_IFDIR:
		fd.Type = scap.FDDirectory
		fd.Ino = st.Ino
		fd.Name = link
	case unix.S_IFSOCK:
		ino, ok := socketInode(link)
		if !ok {
			fd.Type = scap.FDUnsupported
			fd.Name = link
			return fd, true
		}
		sk, ok := s.socketTable(pdir, netns)[ino]
		if !ok {
			return fd, false // a family /proc/net does not list
		}
		sk.Num = num
		return sk, true
	default:
		fd.Ino = st.Ino
		fd.Type = anonType(link)
	}
	return fd, true
}

func socketInode(link string) (uint64, bool) {
	v, ok := strings.CutPrefix(link, "socket:[")
	if !ok || !strings.HasSuffix(v, "]") {
		return 0, false
	}
	n, err := strconv.ParseUint(strings.TrimSuffix(v, "]"), 10, 64)
	return n, err == nil
}

// anonType classifies an anonymous inode by its name ("anon_inode:[eventfd]").
func anonType(link string) scap.FDType {
	name, ok := strings.CutPrefix(link, "anon_inode:")
	if !ok {
		return scap.FDUnsupported
	}
	switch strings.Trim(name, "[]") {
	case "eventfd":
		return scap.FDEvent
	case "eventpoll":
		return scap.FDEventpoll
	case "inotify":
		return scap.FDInotify
	case "signalfd":
		return scap.FDSignalfd
	case "timerfd":
		return scap.FDTimerfd
	case "io_uring":
		return scap.FDIOUring
	case "userfaultfd":
		return scap.FDUserfaultfd
	case "pidfd":
		return scap.FDPidfd
	case "bpf-map", "bpf-prog", "bpf_link", "bpf-link", "bpf_iter", "bpf-token":
		return scap.FDBPF
	}
	return scap.FDUnsupported
}

// newEncodeDev is the kernel's new_encode_dev, the device number format of
// the events.
func newEncodeDev(dev uint64) uint32 {
	major, minor := unix.Major(dev), unix.Minor(dev)
	return (minor & 0xff) | (major << 8) | ((minor &^ 0xff) << 12)
}

// fdinfoFlags returns the octal "flags:" value of a /proc/PID/fdinfo file.
func fdinfoFlags(b []byte) (uint64, bool) {
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "flags:"); ok {
			n, err := strconv.ParseUint(strings.TrimSpace(v), 8, 64)
			return n, err == nil
		}
	}
	return 0, false
}

// Linux x86_64 open flags.
const (
	oAccmode   = 03
	oWronly    = 01
	oRdwr      = 02
	oCreat     = 0100
	oExcl      = 0200
	oTrunc     = 01000
	oAppend    = 02000
	oNonblock  = 04000
	oDsync     = 010000
	oDirect    = 040000
	oLargefile = 0100000
	oDirectory = 0200000
	oCloexec   = 02000000
	oSyncBit   = 04000000
	oTmpBit    = 020000000
)

// OpenFlags converts kernel open flags to the event encoding
// (event.FlagsFileFlags), as the driver does.
func OpenFlags(f uint64) uint32 {
	ff := event.FlagsFileFlags
	var r uint64
	switch f & oAccmode {
	case oWronly:
		r = flag(ff, "O_WRONLY")
	case oRdwr:
		r = flag(ff, "O_RDWR")
	default:
		r = flag(ff, "O_RDONLY")
	}
	for _, m := range []struct {
		k    uint64
		name string
	}{
		{oCreat, "O_CREAT"}, {oTmpBit, "O_TMPFILE"}, {oAppend, "O_APPEND"}, {oDsync, "O_DSYNC"},
		{oExcl, "O_EXCL"}, {oNonblock, "O_NONBLOCK"}, {oSyncBit, "O_SYNC"}, {oTrunc, "O_TRUNC"},
		{oDirect, "O_DIRECT"}, {oDirectory, "O_DIRECTORY"}, {oLargefile, "O_LARGEFILE"}, {oCloexec, "O_CLOEXEC"},
	} {
		if f&m.k != 0 {
			r |= flag(ff, m.name)
		}
	}
	return uint32(r)
}
