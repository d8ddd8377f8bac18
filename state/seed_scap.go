package state

import (
	"strings"

	"github.com/syscope/syscope/scap"
)

// Seed fills the state from a capture's (or the live driver's) system
// snapshot: users, groups, and every thread of the process list with its
// file descriptors, then finishes as SeedDone. Threads beyond MaxThreads
// are dropped and counted.
func (s *State) Seed(md *scap.Metadata) {
	if md == nil {
		return
	}
	for _, u := range md.Users {
		s.AddUser(User{UID: u.UID, GID: u.GID, Name: u.Name, HomeDir: u.HomeDir, Shell: u.Shell})
	}
	for _, g := range md.Groups {
		s.AddGroup(Group{GID: g.GID, Name: g.Name})
	}
	if md.Machine != nil {
		s.bootTs = md.Machine.BootTime
	}
	var pi ProcInfo
	for i := range md.Processes {
		p := &md.Processes[i]
		pi = ProcInfo{
			Tid: p.Tid, Pid: p.Pid, PTid: p.Ptid, Sid: p.Sid, VPgid: p.Vpgid, Pgid: p.Pgid,
			VTid: p.Vtid, VPid: p.Vpid,
			Comm: p.Comm, Exe: p.Exe, ExePath: p.ExePath, ExeWritable: p.ExeWritable,
			ExeUpperLayer: p.ExeUpperLayer, ExeLowerLayer: p.ExeLowerLayer, ExeFromMemfd: p.ExeFromMemfd,
			ExeIno: p.ExeIno, ExeInoCtime: p.ExeInoCtime, ExeInoMtime: p.ExeInoMtime,
			PidnsInitStartTs: p.PidnsInitStartTs,
			Args:             p.Args, Env: p.Env, Cwd: p.Cwd, Root: p.Root,
			FDLimit: p.FDLimit, Flags: p.Flags, UID: p.UID, GID: p.GID, LoginUID: p.LoginUID,
			CapPermitted: p.CapPermitted, CapEffective: p.CapEffective, CapInheritable: p.CapInheritable,
			VMSizeKB: p.VMSizeKB, VMRSSKB: p.VMRSSKB, VMSwapKB: p.VMSwapKB,
			PFMajor: p.PFMajor, PFMinor: p.PFMinor, Tty: int32(p.TTY),
			FDs: pi.FDs[:0],
		}
		for _, cg := range p.Cgroups {
			if k := strings.LastIndexByte(cg, '='); k >= 0 {
				pi.Cgroups = append(pi.Cgroups, Cgroup{Subsys: cg[:k], Path: cg[k+1:]})
			}
		}
		for j := range p.FDs {
			f := &p.FDs[j]
			pi.FDs = append(pi.FDs, FDInfo{
				Num: f.Num, Type: FDType(f.Type), Ino: f.Ino, Name: f.Name,
				OpenFlags: f.OpenFlags, Dev: f.Dev,
				SIP: f.SrcIP, DIP: f.DstIP, SPort: f.SrcPort, DPort: f.DstPort,
				L4Proto: f.L4Proto, UnixSrc: f.Source, UnixDst: f.Dest,
			})
		}
		s.SeedThread(&pi)
	}
	for _, i := range md.Interfaces {
		s.AddInterface(i.Addr, i.Netmask)
	}
	s.SeedDone()
}
