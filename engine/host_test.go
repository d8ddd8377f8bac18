package engine_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/syscope/syscope/engine"
)

// The snapshot lists this process as /proc and the os package see it.
func TestSnapshotHost(t *testing.T) {
	snap, err := engine.SnapshotHost(nil)
	if err != nil {
		t.Fatal(err)
	}
	md := snap.Metadata
	self := md.Process(int64(os.Getpid()))
	if self == nil {
		t.Fatalf("own pid %d not in the snapshot (%d threads)", os.Getpid(), len(md.Processes))
	}
	exe, _ := os.Executable()
	if self.Pid != int64(os.Getpid()) || self.Ptid != int64(os.Getppid()) {
		t.Errorf("pid %d ptid %d, want %d %d", self.Pid, self.Ptid, os.Getpid(), os.Getppid())
	}
	if self.ExePath != exe {
		t.Errorf("exepath %q, want %q", self.ExePath, exe)
	}
	if self.Exe != os.Args[0] || len(self.Args) != len(os.Args)-1 {
		t.Errorf("exe %q args %q, want %q", self.Exe, self.Args, os.Args)
	}
	wantComm := filepath.Base(exe)
	if len(wantComm) > 15 {
		wantComm = wantComm[:15]
	}
	if self.Comm != wantComm {
		t.Errorf("comm %q, want %q", self.Comm, wantComm)
	}
	if wd, _ := os.Getwd(); self.Cwd != wd {
		t.Errorf("cwd %q, want %q", self.Cwd, wd)
	}
	if self.UID != uint32(os.Geteuid()) || self.GID != uint32(os.Getegid()) {
		t.Errorf("uid/gid %d/%d, want %d/%d", self.UID, self.GID, os.Geteuid(), os.Getegid())
	}
	if len(self.Cgroups) == 0 {
		t.Error("no cgroups")
	}
	threads := 0
	for _, p := range md.Processes {
		if p.Pid == int64(os.Getpid()) {
			threads++
		}
	}
	if threads < 2 { // the Go runtime runs several threads
		t.Errorf("%d threads of this process listed", threads)
	}
	host, _ := os.Hostname()
	if md.Machine == nil || md.Machine.Hostname != host {
		t.Errorf("machine %+v, want hostname %q", md.Machine, host)
	}
	if _, err := os.Stat("/etc/passwd"); err == nil && len(md.Users) == 0 {
		t.Error("no users read from /etc/passwd")
	}
	if _, err := engine.SnapshotHost(&engine.HostOptions{Root: t.TempDir() + "/missing"}); err == nil {
		t.Error("no error for a missing procfs")
	}
}
