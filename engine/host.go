package engine

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/syscope/syscope/scap"
)

// HostOptions bound a host snapshot.
type HostOptions struct {
	// Root is the procfs mount (default "/proc").
	Root string
	// Etc holds passwd and group (default "/etc").
	Etc string
	// MaxThreads bounds the process list (default 65536); threads beyond
	// it are counted in HostSnapshot.Skipped.
	MaxThreads int
}

// HostSnapshot is a live system snapshot, in the form a capture's
// metadata takes.
type HostSnapshot struct {
	Metadata *scap.Metadata
	// Skipped counts threads not listed (MaxThreads reached, or gone
	// while being read).
	Skipped int
}

// SnapshotHost reads the machine's name and CPUs, its interface
// addresses, users, groups and threads (name, executable, arguments,
// working directory, parent, ids, cgroups, terminal, capabilities; not
// their file descriptors), to seed the state of a live session
// the way a capture's metadata seeds a replay. Unreadable parts are left
// empty; only an unreadable procfs is an error.
func SnapshotHost(o *HostOptions) (*HostSnapshot, error) {
	var opt HostOptions
	if o != nil {
		opt = *o
	}
	if opt.Root == "" {
		opt.Root = "/proc"
	}
	if opt.Etc == "" {
		opt.Etc = "/etc"
	}
	if opt.MaxThreads <= 0 {
		opt.MaxThreads = 65536
	}
	md := &scap.Metadata{}
	host, _ := os.Hostname()
	md.Machine = &scap.MachineInfo{NumCPUs: uint32(runtime.NumCPU()), Hostname: host}
	md.Machine.BootTime = bootTime(opt.Root)
	md.Users = readPasswd(filepath.Join(opt.Etc, "passwd"))
	md.Groups = readGroup(filepath.Join(opt.Etc, "group"))
	md.Interfaces = interfaces()
	snap := &HostSnapshot{Metadata: md}
	ents, err := os.ReadDir(opt.Root)
	if err != nil {
		return nil, fmt.Errorf("snapshot host: %w", err)
	}
	for _, e := range ents {
		pid, err := strconv.ParseInt(e.Name(), 10, 64)
		if err != nil || !e.IsDir() {
			continue
		}
		pdir := filepath.Join(opt.Root, e.Name())
		tasks, err := os.ReadDir(filepath.Join(pdir, "task"))
		if err != nil {
			snap.Skipped++
			continue
		}
		for _, t := range tasks {
			tid, err := strconv.ParseInt(t.Name(), 10, 64)
			if err != nil {
				continue
			}
			if len(md.Processes) >= opt.MaxThreads {
				snap.Skipped++
				continue
			}
			p, ok := readThread(pdir, filepath.Join(pdir, "task", t.Name()), pid, tid)
			if !ok {
				snap.Skipped++
				continue
			}
			md.Processes = append(md.Processes, p)
		}
	}
	return snap, nil
}

func bootTime(root string) uint64 {
	b, err := os.ReadFile(filepath.Join(root, "stat"))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "btime "); ok {
			s, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
			if err == nil {
				return s * 1e9
			}
		}
	}
	return 0
}

// readThread reads one thread of process pid.
func readThread(pdir, tdir string, pid, tid int64) (scap.Process, bool) {
	p := scap.NewProcess(tid)
	p.Pid = pid
	stat, err := os.ReadFile(filepath.Join(tdir, "stat"))
	if err != nil {
		return p, false
	}
	if !parseStat(&p, stat) {
		return p, false
	}
	if cmd, err := os.ReadFile(filepath.Join(pdir, "cmdline")); err == nil && len(cmd) > 0 {
		parts := strings.Split(strings.TrimRight(string(cmd), "\x00"), "\x00")
		p.Exe = parts[0]
		p.Args = parts[1:]
	} else {
		p.Exe = p.Comm // kernel threads
	}
	if exe, err := os.Readlink(filepath.Join(pdir, "exe")); err == nil {
		p.ExePath = exe
	}
	if cwd, err := os.Readlink(filepath.Join(pdir, "cwd")); err == nil {
		p.Cwd = cwd
	}
	if root, err := os.Readlink(filepath.Join(pdir, "root")); err == nil {
		p.Root = root
	}
	if b, err := os.ReadFile(filepath.Join(tdir, "status")); err == nil {
		readStatus(&p, b)
	}
	if b, err := os.ReadFile(filepath.Join(pdir, "loginuid")); err == nil {
		if v, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 32); err == nil {
			p.LoginUID = uint32(v)
		}
	}
	if b, err := os.ReadFile(filepath.Join(tdir, "cgroup")); err == nil {
		p.Cgroups = cgroupEntries(b)
	}
	return p, true
}

// parseStat fills the name, parent, group, session, terminal and fault
// counts from a /proc/PID/stat line; false when the line is malformed.
func parseStat(p *scap.Process, stat []byte) bool {
	// "pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt
	// majflt ..."; comm may hold spaces and ')'.
	open, closeIdx := bytes.IndexByte(stat, '('), bytes.LastIndexByte(stat, ')')
	if open < 0 || closeIdx < open {
		return false
	}
	p.Comm = string(stat[open+1 : closeIdx])
	f := strings.Fields(string(stat[closeIdx+1:]))
	if len(f) < 5 {
		return false
	}
	num := func(i int) int64 {
		if i >= len(f) {
			return 0
		}
		n, _ := strconv.ParseInt(f[i], 10, 64)
		return n
	}
	p.Ptid = num(1)
	p.Pgid = num(2)
	p.Sid = num(3)
	p.TTY = uint32(num(4))
	p.PFMinor = uint64(num(7))
	p.PFMajor = uint64(num(9))
	return true
}

// readStatus fills ids, capabilities and memory from /proc/PID/status.
func readStatus(p *scap.Process, b []byte) {
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
		u := func(i int) uint64 {
			if i >= len(f) {
				return 0
			}
			n, _ := strconv.ParseUint(f[i], 10, 64)
			return n
		}
		hex := func() uint64 {
			n, _ := strconv.ParseUint(f[0], 16, 64)
			return n
		}
		switch k {
		case "Uid":
			p.UID = uint32(u(1)) // effective
		case "Gid":
			p.GID = uint32(u(1))
		case "NStgid":
			p.Vpid = int64(u(len(f) - 1))
		case "NSpid":
			p.Vtid = int64(u(len(f) - 1))
		case "NSpgid":
			p.Vpgid = int64(u(len(f) - 1))
		case "CapInh":
			p.CapInheritable = hex()
		case "CapPrm":
			p.CapPermitted = hex()
		case "CapEff":
			p.CapEffective = hex()
		case "VmSize":
			p.VMSizeKB = uint32(u(0))
		case "VmRSS":
			p.VMRSSKB = uint32(u(0))
		case "VmSwap":
			p.VMSwapKB = uint32(u(0))
		}
	}
}

// cgroupEntries turns /proc/PID/cgroup lines into "subsystem=path"
// entries: one per controller of a cgroup v1 line, "unified" for the v2
// hierarchy.
func cgroupEntries(b []byte) []string {
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		if parts[1] == "" {
			out = append(out, "unified="+parts[2])
			continue
		}
		for _, c := range strings.Split(parts[1], ",") {
			out = append(out, strings.TrimPrefix(c, "name=")+"="+parts[2])
		}
	}
	return out
}

func readPasswd(path string) []scap.User {
	var out []scap.User
	forLines(path, func(f []string) {
		if len(f) < 7 {
			return
		}
		uid, err1 := strconv.ParseUint(f[2], 10, 32)
		gid, err2 := strconv.ParseUint(f[3], 10, 32)
		if err1 != nil || err2 != nil {
			return
		}
		out = append(out, scap.User{UID: uint32(uid), GID: uint32(gid), Name: f[0], HomeDir: f[5], Shell: f[6]})
	})
	return out
}

func readGroup(path string) []scap.Group {
	var out []scap.Group
	forLines(path, func(f []string) {
		if len(f) < 3 {
			return
		}
		gid, err := strconv.ParseUint(f[2], 10, 32)
		if err != nil {
			return
		}
		out = append(out, scap.Group{GID: uint32(gid), Name: f[0]})
	})
	return out
}

func forLines(path string, fn func([]string)) {
	b, err := os.ReadFile(path)
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(b), "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		fn(strings.Split(line, ":"))
	}
}

func interfaces() []scap.Interface {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil
	}
	var out []scap.Interface
	for _, it := range ifs {
		addrs, err := it.Addrs()
		if err != nil {
			continue
		}
		for _, a := range addrs {
			pfx, err := netip.ParsePrefix(a.String())
			if err != nil {
				continue
			}
			addr := pfx.Addr().Unmap()
			bits := pfx.Bits()
			var mask netip.Addr
			if addr.Is4() {
				m := net.CIDRMask(bits, 32)
				mask = netip.AddrFrom4([4]byte(m))
			} else {
				m := net.CIDRMask(bits, 128)
				mask = netip.AddrFrom16([16]byte(m))
			}
			out = append(out, scap.Interface{Name: it.Name, Addr: addr, Netmask: mask})
		}
	}
	return out
}
