package state

import (
	"encoding/binary"
	"net/netip"

	"github.com/syscope/syscope/internal/sinsptext"
)

// ProcInfo is one thread of a process list (a capture's process block or
// the live /proc scan), the input of SeedThread. Field meanings follow
// Thread.
type ProcInfo struct {
	Tid, Pid, PTid, Sid, VPgid int64
	Pgid                       int64
	VTid, VPid                 int64
	Comm, Exe, ExePath         string
	ExeWritable                bool
	ExeUpperLayer              bool
	ExeLowerLayer              bool
	ExeFromMemfd               bool
	ExeIno                     uint64
	ExeInoCtime                uint64
	ExeInoMtime                uint64
	PidnsInitStartTs           uint64
	Args                       []string
	Env                        []string
	Cwd                        string
	Cgroups                    []Cgroup
	Root                       string
	FDLimit                    int64
	Flags                      uint32
	UID, GID                   uint32
	LoginUID                   uint32
	CapPermitted               uint64
	CapEffective               uint64
	CapInheritable             uint64
	VMSizeKB, VMRSSKB          uint32
	VMSwapKB                   uint32
	PFMajor, PFMinor           uint64
	CloneTs                    uint64
	Tty                        int32
	FDs                        []FDInfo
}

// FDInfo is one descriptor of a process list entry.
type FDInfo struct {
	Num  int64
	Type FDType
	Ino  uint64
	// Name is the path for files, directories and the like, the unix
	// socket path for unix sockets.
	Name      string
	OpenFlags uint32
	Dev       uint32
	MountID   uint64
	// For IPv4/IPv6 sockets: the tuple; for server sockets SIP/SPort hold
	// the bound address and port (as in the scap fd block).
	SIP, DIP     netip.Addr
	SPort, DPort uint16
	L4Proto      uint8
	// For unix sockets.
	UnixSrc, UnixDst uint64
}

// SeedThread adds a thread from a process list. It replaces a thread with
// the same tid. It returns false when the table is full.
func (s *State) SeedThread(p *ProcInfo) bool {
	t := s.newThread()
	t.Tid, t.Pid, t.PTid, t.Sid, t.VPgid = p.Tid, p.Pid, p.PTid, p.Sid, p.VPgid
	t.Pgid = p.Pgid
	t.Comm, t.Exe, t.ExePath, t.ExeWritable = p.Comm, p.Exe, p.ExePath, p.ExeWritable
	t.ExeUpperLayer, t.ExeLowerLayer, t.ExeFromMemfd = p.ExeUpperLayer, p.ExeLowerLayer, p.ExeFromMemfd
	t.ExeIno, t.ExeInoCtime, t.ExeInoMtime = p.ExeIno, p.ExeInoCtime, p.ExeInoMtime
	t.PidnsInitStartTs = p.PidnsInitStartTs
	t.Args = append(t.Args[:0], p.Args...)
	if t.Tid == t.Pid || p.Flags&ThreadIsMainThread != 0 {
		t.Env = append(t.Env[:0], p.Env...)
		d := appendJoin(nil, nil, []byte(p.Cwd), len(p.Cwd)+1)
		if len(d) == 0 || d[len(d)-1] != '/' {
			d = append(d, '/')
		}
		t.cwd = string(d)
	}
	t.Flags |= p.Flags | ThreadActive
	t.FDLimit = p.FDLimit
	t.CapPermitted, t.CapEffective, t.CapInheritable = p.CapPermitted, p.CapEffective, p.CapInheritable
	t.VMSizeKB, t.VMRSSKB, t.VMSwapKB = p.VMSizeKB, p.VMRSSKB, p.VMSwapKB
	t.PFMajor, t.PFMinor = p.PFMajor, p.PFMinor
	t.VTid, t.VPid = p.VTid, p.VPid
	t.CloneTs, t.Tty = p.CloneTs, p.Tty
	t.Cgroups = append(t.Cgroups[:0], p.Cgroups...)
	t.Root = p.Root
	t.UID, t.GID, t.LoginUID = p.UID, p.GID, p.LoginUID
	for i := range p.FDs {
		s.seedFD(t, &p.FDs[i])
	}
	if !s.addThread(t, true) {
		s.freeThread(t)
		return false
	}
	return true
}

func (s *State) seedFD(t *Thread, fi *FDInfo) {
	f := t.fds.put(fi.Num, nil)
	if f == nil {
		return
	}
	f.Type = fi.Type
	f.Flags = FDFromProc
	f.Ino = fi.Ino
	switch fi.Type {
	case FDIPv4Sock:
		putAddr4(f.sock[v4SIP:], fi.SIP)
		putAddr4(f.sock[v4DIP:], fi.DIP)
		f.setU16(v4SPort, fi.SPort)
		f.setU16(v4DPort, fi.DPort)
		f.sock[v4L4] = fi.L4Proto
		if fi.L4Proto == L4TCP {
			f.Flags |= FDSocketConnected
		}
		f.Name = appendTupleV4(f.Name[:0], f)
	case FDIPv4ServSock:
		putAddr4(f.sock[sv4IP:], fi.SIP)
		f.setU16(sv4Port, fi.SPort)
		f.sock[sv4L4] = fi.L4Proto
		s.serverPorts[fi.SPort] = struct{}{}
		f.Name = appendServerV4(f.Name[:0], f)
	case FDIPv6Sock:
		s16, d16 := fi.SIP.As16(), fi.DIP.As16()
		if sinsptext.IsIPv4Mapped(s16[:]) && sinsptext.IsIPv4Mapped(d16[:]) {
			f.Type = FDIPv4Sock
			copy(f.sock[v4SIP:], s16[12:])
			copy(f.sock[v4DIP:], d16[12:])
			f.setU16(v4SPort, fi.SPort)
			f.setU16(v4DPort, fi.DPort)
			f.sock[v4L4] = fi.L4Proto
			f.Name = appendTupleV4(f.Name[:0], f)
		} else {
			copy(f.sock[v6SIP:], s16[:])
			copy(f.sock[v6DIP:], d16[:])
			f.setU16(v6SPort, fi.SPort)
			f.setU16(v6DPort, fi.DPort)
			f.sock[v6L4] = fi.L4Proto
			f.Name = appendTupleV6(f.Name[:0], f)
		}
		if fi.L4Proto == L4TCP {
			f.Flags |= FDSocketConnected
		}
	case FDIPv6ServSock:
		a := fi.SIP.As16()
		copy(f.sock[sv6IP:], a[:])
		f.setU16(sv6Port, fi.SPort)
		f.sock[sv6L4] = fi.L4Proto
		s.serverPorts[fi.SPort] = struct{}{}
		f.Name = appendServerV6(f.Name[:0], f)
	case FDUnixSock:
		binary.LittleEndian.PutUint64(f.sock[unixSrc:], fi.UnixSrc)
		binary.LittleEndian.PutUint64(f.sock[unixDst:], fi.UnixDst)
		f.Name = append(f.Name[:0], fi.Name...)
		if fi.Name == "" {
			f.Flags |= FDRoleClient
		} else {
			f.Flags |= FDRoleServer
		}
	case FDFileV2:
		f.OpenFlags = fi.OpenFlags
		f.Dev, f.MountID = fi.Dev, fi.MountID
		f.Name = append(f.Name[:0], fi.Name...)
	default:
		f.Name = append(f.Name[:0], fi.Name...)
	}
}

// SeedDone finishes seeding from a process list, as sinsp does after
// loading one: client IPv4 sockets whose source port is a port some process
// listens on are turned around and marked as server side (the others as
// client side), and each leader's count of live threads is computed.
func (s *State) SeedDone() {
	for _, t := range s.threads {
		t.fds.forEach(func(f *FD) bool {
			if f.Type != FDIPv4Sock {
				return true
			}
			if _, ok := s.serverPorts[f.u16(v4SPort)]; ok {
				swapAddresses(f)
				f.Name = appendTupleV4(f.Name[:0], f)
				f.Flags |= FDRoleServer
			} else {
				f.Flags |= FDRoleClient
			}
			return true
		})
	}
	s.recountChildren()
}

func putAddr4(dst []byte, a netip.Addr) {
	if a.Is4() || a.Is4In6() {
		b := a.Unmap().As4()
		copy(dst, b[:])
		return
	}
	copy(dst, []byte{0, 0, 0, 0})
}
