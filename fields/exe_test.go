package fields_test

import (
	"testing"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/fields"
	"github.com/syscope/syscope/filter"
	"github.com/syscope/syscope/scap"
	"github.com/syscope/syscope/state"
)

// exeState seeds a shell (group leader of group 50) and a memfd payload
// it started (in the shell's process group) with executable details.
func exeState(t *testing.T) *state.State {
	st := state.New(nil)
	sh := scap.NewProcess(50)
	sh.Pid, sh.Ptid, sh.Pgid, sh.Vpgid, sh.Vtid, sh.Vpid = 50, 1, 50, 50, 50, 50
	sh.Comm, sh.Exe, sh.ExePath = "bash", "-bash", "/bin/bash"
	sh.ExeLowerLayer = true
	sh.PidnsInitStartTs = 1_000
	p := scap.NewProcess(60)
	p.Pid, p.Ptid, p.Pgid, p.Vpgid, p.Vtid, p.Vpid = 60, 50, 50, 50, 60, 60
	p.Comm, p.Exe, p.ExePath = "3", "payload", "/memfd:x (deleted)"
	p.ExeFromMemfd, p.ExeUpperLayer = true, true
	p.ExeIno, p.ExeInoCtime, p.ExeInoMtime = 4242, 1_700_000_000_000_000_000, 1_600_000_000_000_000_000
	p.PidnsInitStartTs = 1_000
	st.Seed(&scap.Metadata{Processes: []scap.Process{sh, p}})
	return st
}

func text(t *testing.T, r *fields.Resolver, name string, c fields.Ctx) string {
	t.Helper()
	ref, n := r.ParseToken(name)
	if n != len(name) {
		t.Fatalf("%s: parsed %d bytes", name, n)
	}
	x, err := r.Extractor(ref)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	got, ok := x.AppendText(nil, c)
	if !ok {
		return "<NA>"
	}
	return string(got)
}

func TestExeAndGroupFields(t *testing.T) {
	st := exeState(t)
	r := fields.NewResolver(nil, &fields.Env{State: st, Location: utc})
	ev := func(tid int64) fields.Ctx {
		return st.Process(build(t, func(b *event.Builder) { b.Reset(2_000_000_000, tid, event.SyscallGetuidE) }))
	}
	c := ev(60)
	want := map[string]string{
		"proc.pgid":                               "50",
		"proc.pgid.name":                          "bash",
		"proc.pgid.exe":                           "-bash",
		"proc.pgid.exepath":                       "/bin/bash",
		"proc.is_pgid_leader":                     "false",
		"proc.is_exe_from_memfd":                  "true",
		"proc.is_exe_upper_layer":                 "true",
		"proc.is_exe_lower_layer":                 "false",
		"proc.exe_ino":                            "4242",
		"proc.exe_ino.ctime":                      "1700000000000000000",
		"proc.exe_ino.mtime":                      "1600000000000000000",
		"proc.exe_ino.ctime_duration_proc_start":  "<NA>", // not computed for seeded processes
		"proc.exe_ino.ctime_duration_pidns_start": "<NA>",
		"proc.pidns_init_start_ts":                "1000",
		"fd.name_changed":                         "<NA>", // no fd
	}
	for name, w := range want {
		if got := text(t, r, name, c); got != w {
			t.Errorf("%s = %q, want %q", name, got, w)
		}
	}
	c = ev(50)
	for name, w := range map[string]string{
		"proc.is_pgid_leader":     "true",
		"proc.is_exe_lower_layer": "true",
		"proc.is_exe_from_memfd":  "false",
		"proc.exe_ino":            "<NA>",
		"proc.exe_ino.ctime":      "<NA>",
	} {
		if got := text(t, r, name, c); got != w {
			t.Errorf("shell: %s = %q, want %q", name, got, w)
		}
	}

	// the condition of Falco's "Fileless execution via memfd_create" rule
	e, err := filter.Parse("evt.type = getuid and proc.is_exe_from_memfd = true")
	if err != nil {
		t.Fatal(err)
	}
	match, err := filter.Compile(e, r)
	if err != nil {
		t.Fatal(err)
	}
	if !match(ev(60)) || match(ev(50)) {
		t.Error("memfd rule condition: want a match on the payload only")
	}
}

func TestFDNameChangedField(t *testing.T) {
	st := state.New(nil)
	st.SeedThread(&state.ProcInfo{Tid: 9, Pid: 9, PTid: 1, Comm: "cat", VTid: 9, VPid: 9})
	r := fields.NewResolver(nil, &fields.Env{State: st, Location: utc})
	ts := uint64(1_000_000_000)
	st.Process(build(t, func(b *event.Builder) { b.Reset(ts, 9, event.SyscallOpenE).Str("/etc/hosts").U32(1).U32(0) }))
	c := st.Process(build(t, func(b *event.Builder) {
		b.Reset(ts+1, 9, event.SyscallOpenX).I64(3).Str("/etc/hosts").U32(1).U32(0).U32(0).U64(5)
	}))
	if got := text(t, r, "fd.name_changed", c); got != "true" {
		t.Errorf("open exit: fd.name_changed = %q, want true", got)
	}
	st.Process(build(t, func(b *event.Builder) { b.Reset(ts+2, 9, event.SyscallReadE).I64(3).U32(10) }))
	c = st.Process(build(t, func(b *event.Builder) { b.Reset(ts+3, 9, event.SyscallReadX).I64(1).Raw([]byte("x")) }))
	if got := text(t, r, "fd.name_changed", c); got != "false" {
		t.Errorf("read exit: fd.name_changed = %q, want false", got)
	}
}
