package engine

import (
	"testing"

	"github.com/syscope/syscope/scap"
)

func TestParseStat(t *testing.T) {
	p := scap.NewProcess(42)
	if !parseStat(&p, []byte("42 (a (b) c) S 7 42 5 34816 42 4194304 100 0 3 0 1 2 0 0 20 0 1 0 99 0 0")) {
		t.Fatal("valid line rejected")
	}
	if p.Comm != "a (b) c" || p.Ptid != 7 || p.Pgid != 42 || p.Sid != 5 || p.TTY != 34816 || p.PFMinor != 100 || p.PFMajor != 3 {
		t.Errorf("%+v", p)
	}
	for _, bad := range []string{"", "42 comm S 1", "42 (x", "42 (x) S"} {
		q := scap.NewProcess(1)
		if parseStat(&q, []byte(bad)) {
			t.Errorf("accepted %q", bad)
		}
	}
}

func TestCgroupEntries(t *testing.T) {
	got := cgroupEntries([]byte("4:memory:/docker/abc\n3:cpu,cpuacct:/x\n1:name=systemd:/\n0::/user.slice\nbad\n"))
	want := []string{"memory=/docker/abc", "cpu=/x", "cpuacct=/x", "systemd=/", "unified=/user.slice"}
	if len(got) != len(want) {
		t.Fatalf("%q", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%d: %q, want %q", i, got[i], want[i])
		}
	}
}

func TestReadStatus(t *testing.T) {
	p := scap.NewProcess(1)
	readStatus(&p, []byte("Name:\tx\nUid:\t1000\t0\t0\t0\nGid:\t100\t5\t5\t5\nNStgid:\t9\t1\nNSpid:\t10\t2\nCapEff:\t000001ffffffffff\nVmRSS:\t  1234 kB\n"))
	if p.UID != 0 || p.GID != 5 || p.Vpid != 1 || p.Vtid != 2 || p.CapEffective != 0x1ffffffffff || p.VMRSSKB != 1234 {
		t.Errorf("%+v", p)
	}
}

// FuzzProcFiles feeds arbitrary text to the /proc parsers: they must not
// panic.
func FuzzProcFiles(f *testing.F) {
	f.Add([]byte("1 (init) S 0 1 1 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 5 0 0"), []byte("Uid:\t0\t0\t0\t0\nNSpid:\t1\n"), []byte("0::/\n"))
	f.Add([]byte("(()"), []byte("Uid:"), []byte("::::"))
	f.Fuzz(func(t *testing.T, stat, status, cgroup []byte) {
		p := scap.NewProcess(1)
		parseStat(&p, stat)
		readStatus(&p, status)
		cgroupEntries(cgroup)
	})
}
