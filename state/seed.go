package state

import (
	"net/netip"
)

// ProcInfo is one thread of a process list (a capture's process block or
// the live /proc scan), the input of SeedThread. Field meanings follow
// Thread.
type ProcInfo struct {
	Tid, Pid, PTid, Sid, VPgid int64
	VTid, VPid                 int64
	Comm, Exe, ExePath         string
	ExeWritable                bool
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
	t.Comm, t.Exe, t.ExePath, t.ExeWritable = p.Comm, p.Exe, p.ExePath, p.ExeWritable
	t.Args = append(t.Args[:0], p.Args...)
	if t.Tid == t.Pid || p.Flags&ThreadIsMainThread != 0 {
		t.Env = append(t.Env[:0], p.Env...)
		t.cwd = withSlash(p.Cwd)
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
	t.ownFDs()
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
	f := t.fds.add(fi.Num)
	if f == nil {
		return
	}
	f.Type = fi.Type
	f.Flags = FDFromProc
	f.Ino = fi.Ino
	switch fi.Type {
	case FDIPv4Sock, FDIPv6Sock:
		f.SIP, f.DIP = fi.SIP.Unmap(), fi.DIP.Unmap()
		f.SPort, f.DPort, f.L4Proto = fi.SPort, fi.DPort, fi.L4Proto
		if f.SIP.Is4() && f.DIP.Is4() {
			f.Type = FDIPv4Sock
		}
		if fi.L4Proto == L4TCP {
			f.Flags |= FDSocketConnected
		}
		f.Name = appendTuple(f.Name[:0], f.SIP, f.SPort, f.DIP, f.DPort)
	case FDIPv4ServSock, FDIPv6ServSock:
		f.DIP, f.DPort, f.L4Proto = fi.SIP, fi.SPort, fi.L4Proto
		s.serverPorts[fi.SPort] = struct{}{}
		f.Name = appendAddrPort(f.Name[:0], f.DIP, f.DPort)
	case FDUnixSock:
		f.UnixSrc, f.UnixDst = fi.UnixSrc, fi.UnixDst
		f.Name = append(f.Name[:0], fi.Name...)
		f.UnixPath = append(f.UnixPath[:0], fi.Name...)
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

// FixSockets is to be called once after the whole process list is seeded:
// it turns the roles of sockets found in the list around as sinsp does,
// using the server ports the list showed.
func (s *State) FixSockets() {
	for _, t := range s.threads {
		if t.fds == nil || t.Tid != t.Pid {
			continue
		}
		t.fds.forEach(func(f *FD) bool {
			if f.Flags&FDFromProc == 0 || f.Type != FDIPv4Sock {
				return true
			}
			if _, ok := s.serverPorts[f.SPort]; ok {
				f.SIP, f.DIP = f.DIP, f.SIP
				f.SPort, f.DPort = f.DPort, f.SPort
				f.Name = appendTuple(f.Name[:0], f.SIP, f.SPort, f.DIP, f.DPort)
				f.Flags |= FDRoleServer
			} else {
				f.Flags |= FDRoleClient
			}
			return true
		})
	}
}

func withSlash(p string) string {
	if p == "" || p[len(p)-1] == '/' {
		return p
	}
	return p + "/"
}
