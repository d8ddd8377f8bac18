package procscan

import (
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/scap"
)

// TestScanSelf scans the running system and checks this process's entry
// and descriptors against what the test itself set up and knows.
func TestScanSelf(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "file")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var fst unix.Stat_t
	unix.Fstat(int(f.Fd()), &fst)
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	defer pw.Close()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("tcp4", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	usock := filepath.Join(dir, "sock")
	ul, err := net.Listen("unix", usock)
	if err != nil {
		t.Fatal(err)
	}
	defer ul.Close()

	rawFd := func(c interface {
		SyscallConn() (syscall.RawConn, error)
	}) uintptr {
		rc, err := c.SyscallConn()
		if err != nil {
			t.Fatal(err)
		}
		var fd uintptr
		rc.Control(func(f uintptr) { fd = f })
		return fd
	}
	lfd := rawFd(ln.(*net.TCPListener))
	cfd := rawFd(c.(*net.TCPConn))
	ufd := rawFd(ul.(*net.UnixListener))

	md, st, err := Scan(nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Threads == 0 || st.FDs == 0 || len(md.Processes) != st.Threads {
		t.Fatalf("stats %+v with %d threads listed", st, len(md.Processes))
	}
	if md.Machine == nil || md.Machine.NumCPUs == 0 || md.Machine.MemoryBytes == 0 || md.Machine.BootTime == 0 {
		t.Errorf("machine info %+v", md.Machine)
	}
	host, _ := os.Hostname()
	if md.Machine.Hostname != host {
		t.Errorf("hostname %q, want %q", md.Machine.Hostname, host)
	}
	var lo bool
	for _, in := range md.Interfaces {
		if in.Name == "lo" && in.Addr == netip.MustParseAddr("127.0.0.1") {
			lo = true
			if in.Netmask != netip.MustParseAddr("255.0.0.0") || in.Broadcast != netip.MustParseAddr("127.255.255.255") {
				t.Errorf("lo: %+v", in)
			}
		}
	}
	if !lo {
		t.Errorf("no 127.0.0.1 on lo in %+v", md.Interfaces)
	}
	if len(md.Users) == 0 || md.Users[0].Name != "root" || md.Users[0].UID != 0 {
		t.Errorf("users start with %+v", md.Users[:min(1, len(md.Users))])
	}
	if len(md.Groups) == 0 {
		t.Error("no groups")
	}

	me := md.Process(int64(os.Getpid()))
	if me == nil {
		t.Fatal("own process not listed")
	}
	exe, _ := os.Executable()
	if me.ExePath != exe {
		t.Errorf("exepath %q, want %q", me.ExePath, exe)
	}
	if me.Exe != os.Args[0] || strings.Join(me.Args, " ") != strings.Join(os.Args[1:], " ") {
		t.Errorf("exe %q args %q, want %q %q", me.Exe, me.Args, os.Args[0], os.Args[1:])
	}
	wd, _ := os.Getwd()
	if me.Cwd != wd {
		t.Errorf("cwd %q, want %q", me.Cwd, wd)
	}
	if me.Pid != int64(os.Getpid()) || me.Ptid != int64(os.Getppid()) || me.UID != uint32(os.Geteuid()) {
		t.Errorf("pid %d ptid %d uid %d", me.Pid, me.Ptid, me.UID)
	}
	if me.Vtid != me.Tid || me.Vpid != me.Pid {
		t.Errorf("vtid %d vpid %d, want the host ids (no pid namespace)", me.Vtid, me.Vpid)
	}
	pgid, _ := unix.Getpgid(0)
	sid, _ := unix.Getsid(0)
	if me.Pgid != int64(pgid) || me.Sid != int64(sid) {
		t.Errorf("pgid %d sid %d, want %d %d", me.Pgid, me.Sid, pgid, sid)
	}
	var lim unix.Rlimit
	unix.Getrlimit(unix.RLIMIT_NOFILE, &lim)
	if me.FDLimit != int64(lim.Cur) {
		t.Errorf("fdlimit %d, want %d", me.FDLimit, lim.Cur)
	}
	if len(me.Env) != len(os.Environ()) {
		t.Errorf("%d env entries, want %d", len(me.Env), len(os.Environ()))
	}
	if len(me.Cgroups) == 0 {
		t.Error("no cgroups")
	}
	if me.Comm == "" || me.VMSizeKB == 0 || me.VMRSSKB == 0 {
		t.Errorf("comm %q vm %d/%d", me.Comm, me.VMSizeKB, me.VMRSSKB)
	}
	threads := 0
	for _, p := range md.Processes {
		if p.Pid == me.Pid && p.Tid != p.Pid {
			threads++
			if p.Flags == 0 || len(p.FDs) != 0 {
				t.Errorf("thread %d: flags %#x, %d fds", p.Tid, p.Flags, len(p.FDs))
			}
		}
	}
	if threads == 0 {
		t.Error("no threads of the Go runtime listed")
	}

	byNum := map[int64]scap.FD{}
	for _, fd := range me.FDs {
		byNum[fd.Num] = fd
	}
	check := func(what string, num uintptr, ok func(fd scap.FD) bool) {
		t.Helper()
		fd, found := byNum[int64(num)]
		if !found {
			t.Errorf("%s: fd %d not listed", what, num)
			return
		}
		if !ok(fd) {
			t.Errorf("%s: %+v", what, fd)
		}
	}
	ff := event.FlagsFileFlags
	check("file", f.Fd(), func(fd scap.FD) bool {
		return fd.Type == scap.FDFileV2 && fd.Name == path && fd.Ino == fst.Ino &&
			fd.OpenFlags == uint32(flag(ff, "O_RDWR")|flag(ff, "O_APPEND")|flag(ff, "O_CLOEXEC")|flag(ff, "O_LARGEFILE")) &&
			fd.Dev == newEncodeDev(fst.Dev)
	})
	check("pipe", pr.Fd(), func(fd scap.FD) bool {
		return fd.Type == scap.FDFifo && strings.HasPrefix(fd.Name, "pipe:[")
	})
	port := uint16(ln.Addr().(*net.TCPAddr).Port)
	check("tcp listener", lfd, func(fd scap.FD) bool {
		return fd.Type == scap.FDIPv4Server && fd.SrcIP == netip.MustParseAddr("127.0.0.1") && fd.SrcPort == port && fd.L4Proto == 2
	})
	cport := uint16(c.LocalAddr().(*net.TCPAddr).Port)
	check("tcp client", cfd, func(fd scap.FD) bool {
		return fd.Type == scap.FDIPv4Sock && fd.SrcPort == cport && fd.DstPort == port &&
			fd.DstIP == netip.MustParseAddr("127.0.0.1")
	})
	check("unix listener", ufd, func(fd scap.FD) bool {
		return fd.Type == scap.FDUnixSock && fd.Name == usock
	})

	// The snapshot is a valid capture header: it round-trips through the
	// capture writer and reader.
	var buf strings.Builder
	w, err := scap.NewWriter(&buf, md, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := scap.NewReader(strings.NewReader(buf.String()))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if got := r.Metadata(); len(got.Processes) != len(md.Processes) || got.Process(me.Tid) == nil {
		t.Errorf("round trip: %d processes, want %d", len(got.Processes), len(md.Processes))
	}
}

func TestScanLimits(t *testing.T) {
	md, st, err := Scan(&Options{MaxThreads: 3, MaxFDs: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(md.Processes) != 3 || st.Truncated == 0 {
		t.Errorf("%d threads, %+v: want 3 and some truncated", len(md.Processes), st)
	}
	for _, p := range md.Processes {
		if len(p.FDs) > 1 {
			t.Errorf("thread %d: %d fds over the limit of 1", p.Tid, len(p.FDs))
		}
	}
}

func TestScanMissingProc(t *testing.T) {
	if _, _, err := Scan(&Options{Proc: filepath.Join(t.TempDir(), "none")}); err == nil {
		t.Error("scan of a missing procfs succeeded")
	}
}

func TestParseInetAddr(t *testing.T) {
	for _, c := range []struct {
		in   string
		v6   bool
		addr string
		port uint16
	}{
		{"0100007F:1F90", false, "127.0.0.1", 8080},
		{"00000000:0016", false, "0.0.0.0", 22},
		{"00000000000000000000000001000000:0035", true, "::1", 53},
		{"0000000000000000FFFF00000100007F:01BB", true, "::ffff:127.0.0.1", 443},
	} {
		a, p, ok := parseInetAddr(c.in, c.v6)
		if !ok || a != netip.MustParseAddr(c.addr) || p != c.port {
			t.Errorf("%s: %v %d %v, want %s %d", c.in, a, p, ok, c.addr, c.port)
		}
	}
	for _, bad := range []string{"", "0100007F", "XYZ:1", "0100007F:XYZ", "01:0016"} {
		if _, _, ok := parseInetAddr(bad, false); ok {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestOpenFlags(t *testing.T) {
	ff := event.FlagsFileFlags
	for _, c := range []struct {
		k    uint64
		want []string
	}{
		{unix.O_RDONLY, []string{"O_RDONLY"}},
		{unix.O_WRONLY | unix.O_CREAT | unix.O_TRUNC, []string{"O_WRONLY", "O_CREAT", "O_TRUNC"}},
		{unix.O_RDWR | unix.O_CLOEXEC | unix.O_NONBLOCK, []string{"O_RDWR", "O_CLOEXEC", "O_NONBLOCK"}},
		{unix.O_RDONLY | unix.O_DIRECTORY, []string{"O_RDONLY", "O_DIRECTORY"}},
		{unix.O_WRONLY | unix.O_DSYNC, []string{"O_WRONLY", "O_DSYNC"}},
		{unix.O_WRONLY | unix.O_SYNC, []string{"O_WRONLY", "O_DSYNC", "O_SYNC"}},
		{unix.O_RDWR | unix.O_TMPFILE, []string{"O_RDWR", "O_TMPFILE", "O_DIRECTORY"}},
	} {
		var want uint64
		for _, n := range c.want {
			want |= flag(ff, n)
		}
		if got := OpenFlags(c.k); got != uint32(want) {
			t.Errorf("%#o: %#x, want %#x (%v)", c.k, got, want, c.want)
		}
	}
}

func TestCgroups(t *testing.T) {
	s := &scanner{v2Ctrls: []string{"cpu", "io", "memory", "pids"}}
	got := s.cgroups([]byte("12:cpu,cpuacct:/a\n5:memory:/b\n1:name=systemd:/c\n0::/d\n"))
	want := "cpu=/a cpuacct=/a memory=/b io=/d pids=/d"
	if strings.Join(got, " ") != want {
		t.Errorf("%q, want %q", got, want)
	}
}

func TestParsers(t *testing.T) {
	var p scap.Process = scap.NewProcess(1)
	status := "Name:\tx\nTgid:\t10\nPPid:\t1\nUid:\t0\t1000\t0\t0\nGid:\t0\t100\t0\t0\nNStgid:\t10\t3\nNSpid:\t11\t4\nNSpgid:\t10\t3\nCapEff:\t000001ffffffffff\nVmSize:\t  1000 kB\nVmRSS:\t 200 kB\n"
	if !parseStatus([]byte(status), &p) {
		t.Fatal("status not parsed")
	}
	if p.Pid != 10 || p.Ptid != 1 || p.UID != 1000 || p.GID != 100 || p.Vpid != 3 || p.Vtid != 4 ||
		p.Pgid != 10 || p.Vpgid != 3 || p.CapEffective != 0x1ffffffffff || p.VMSizeKB != 1000 || p.VMRSSKB != 200 {
		t.Errorf("%+v", p)
	}
	stat := "11 (a b) c) S 1 10 9 34816 -1 4194560 50 0 7 0 1 2 0 0 20 0 1 0 100 0 0\n"
	if !parseStat([]byte(stat), &p) || p.Sid != 9 || p.TTY != 34816 || p.PFMinor != 50 || p.PFMajor != 7 {
		t.Errorf("stat: %+v", p)
	}
	if v, ok := parseLimits([]byte("Limit Soft Hard Units\nMax open files            1024                 524288               files\n"), "Max open files"); !ok || v != 1024 {
		t.Errorf("limits: %d %v", v, ok)
	}
	if n := countCPUs("0-3,5,7-8"); n != 7 {
		t.Errorf("countCPUs = %d", n)
	}
	us := parsePasswd([]byte("root:x:0:0:root:/root:/bin/bash\nbad line\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"))
	if len(us) != 2 || us[1].UID != 65534 || us[1].Shell != "/usr/sbin/nologin" {
		t.Errorf("passwd: %+v", us)
	}
	gs := parseGroup([]byte("root:x:0:\nadm:x:4:syslog\n"))
	if len(gs) != 2 || gs[1].Name != "adm" || gs[1].GID != 4 {
		t.Errorf("group: %+v", gs)
	}
	tab := map[uint64]scap.FD{}
	parseUnixTable([]byte("Num       RefCount Protocol Flags    Type St Inode Path\n000000006373000b: 00000003 00000000 00000000 0001 03  1579 /run/a b\n"), tab)
	if fd := tab[1579]; fd.Type != scap.FDUnixSock || fd.Name != "/run/a b" || fd.Source != 0x6373000b {
		t.Errorf("unix: %+v", fd)
	}
	parseNetlinkTable([]byte("sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode\n00000000321df81e 0 0 00000000 0 0 0 2 0 4\n"), tab)
	if tab[4].Type != scap.FDNetlink {
		t.Errorf("netlink: %+v", tab[4])
	}
	if fl, ok := fdinfoFlags([]byte("pos:\t0\nflags:\t02100002\nmnt_id:\t20\n")); !ok || fl != 0o2100002 {
		t.Errorf("fdinfo flags %o %v", fl, ok)
	}
}
