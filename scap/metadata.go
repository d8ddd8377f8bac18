package scap

import (
	"fmt"
	"net/netip"

	"github.com/syscope/syscope/event"
)

// Source is an event source that also describes the system it observes: a
// capture file (Reader) or the live driver.
type Source interface {
	event.Source
	// Metadata returns the system snapshot: machine, interfaces, users,
	// groups, processes and their file descriptors. The returned value may
	// be updated by later calls to Next when the source carries metadata
	// after its first events.
	Metadata() *Metadata
}

// Metadata is the snapshot of the system a capture starts with. The zero
// value is an empty snapshot; every field may be filled directly.
type Metadata struct {
	// Section is the capture's section header. The Writer always writes
	// its own (version 1.2) and copies the options only when asked to.
	Section SectionHeader
	// Machine is nil when the capture has no machine info block.
	Machine    *MachineInfo
	Interfaces []Interface
	Users      []User
	Groups     []Group
	// Processes are the threads of the system, in the order the capture
	// lists them, each with its file descriptors.
	Processes []Process
	// OrphanFDs are fd lists of threads the process list does not have.
	OrphanFDs []FDList
}

// Process returns the entry of thread tid, or nil.
func (m *Metadata) Process(tid int64) *Process {
	for i := range m.Processes {
		if m.Processes[i].Tid == tid {
			return &m.Processes[i]
		}
	}
	return nil
}

// SectionHeader is a section header block.
type SectionHeader struct {
	Major, Minor uint16
	// Length is the section length the header declares; -1 (unknown) in
	// every capture libscap writes.
	Length int64
	// Options are the pcapng options the header carries, such as comments.
	Options []Option
}

// Comments returns the values of the header's comment options.
func (s *SectionHeader) Comments() []string {
	var c []string
	for _, o := range s.Options {
		if o.Code == OptComment {
			c = append(c, string(o.Value))
		}
	}
	return c
}

// MachineInfo is the machine info block.
type MachineInfo struct {
	NumCPUs     uint32
	MemoryBytes uint64
	MaxPID      uint64
	Hostname    string // at most 127 bytes are stored
	// BootTime is the boot time in nanoseconds since the epoch (0 in
	// older captures).
	BootTime uint64
	Flags    uint64
	// Reserved3 and Reserved4 are kept as read.
	Reserved3, Reserved4 uint64
}

// Interface is one address of a network interface.
type Interface struct {
	Name string
	// Addr, Netmask and Broadcast are all IPv4 or all IPv6.
	Addr, Netmask, Broadcast netip.Addr
	// LinkSpeed is 0 when the capture does not record it.
	LinkSpeed uint64
}

// User is one entry of the user list.
type User struct {
	UID, GID uint32
	Name     string
	HomeDir  string
	Shell    string
}

// Group is one entry of the group list.
type Group struct {
	GID  uint32
	Name string
}

// Process is one thread of the process list. Fields a capture's block
// version does not carry keep the values libscap gives them: -1 for Sid,
// Vpgid, Pgid, Vtid and Vpid, 0xffffffff for LoginUID, zero otherwise.
// NewProcess returns a Process with these defaults.
type Process struct {
	Tid, Pid, Ptid int64
	Sid            int64 // session id
	Vpgid          int64 // process group id in the thread's pid namespace
	Pgid           int64 // process group id in the host pid namespace
	Comm           string
	Exe            string // argv[0]
	ExePath        string // full executable path
	Args           []string
	Env            []string
	Cwd            string
	FDLimit        int64
	Flags          uint32 // PPM_CL_* flags
	UID, GID       uint32
	VMSizeKB       uint32
	VMRSSKB        uint32
	VMSwapKB       uint32
	PFMajor        uint64
	PFMinor        uint64
	Vtid, Vpid     int64 // ids in the thread's pid namespace
	// Cgroups are "subsystem=path" entries.
	Cgroups          []string
	Root             string
	PidnsInitStartTs uint64 // start time of the pid namespace's init
	TTY              uint32
	LoginUID         uint32
	ExeWritable      bool
	ExeUpperLayer    bool // overlayfs upper layer
	ExeLowerLayer    bool // overlayfs lower layer
	ExeFromMemfd     bool
	CapInheritable   uint64
	CapPermitted     uint64
	CapEffective     uint64
	ExeIno           uint64
	ExeInoCtime      uint64
	ExeInoMtime      uint64
	// FDs are the thread's open file descriptors.
	FDs []FD
}

// NewProcess returns a Process for thread tid with the defaults libscap
// gives fields a capture does not carry.
func NewProcess(tid int64) Process {
	return Process{Tid: tid, Sid: -1, Vpgid: -1, Pgid: -1, Vtid: -1, Vpid: -1, LoginUID: 0xffffffff}
}

// FDList is the fd list of one thread.
type FDList struct {
	Tid int64
	FDs []FD
}

// FDType is the kind of a file descriptor (scap_fd_type).
type FDType uint8

// File descriptor types, with their on-disk values.
const (
	FDUnknown     FDType = 0
	FDFile        FDType = 1 // regular file, name only (old captures)
	FDDirectory   FDType = 2
	FDIPv4Sock    FDType = 3
	FDIPv6Sock    FDType = 4
	FDIPv4Server  FDType = 5
	FDIPv6Server  FDType = 6
	FDFifo        FDType = 7
	FDUnixSock    FDType = 8
	FDEvent       FDType = 9
	FDUnsupported FDType = 10
	FDSignalfd    FDType = 11
	FDEventpoll   FDType = 12
	FDInotify     FDType = 13
	FDTimerfd     FDType = 14
	FDNetlink     FDType = 15
	FDFileV2      FDType = 16 // regular file with open flags and device
	FDBPF         FDType = 17
	FDUserfaultfd FDType = 18
	FDIOUring     FDType = 19
	FDMemfd       FDType = 20
	FDPidfd       FDType = 21
)

var fdTypeNames = [...]string{
	"unknown", "file", "directory", "ipv4", "ipv6", "ipv4_server", "ipv6_server",
	"fifo", "unix", "event", "unsupported", "signalfd", "eventpoll", "inotify",
	"timerfd", "netlink", "file_v2", "bpf", "userfaultfd", "io_uring", "memfd", "pidfd",
}

// String returns a short name of the type.
func (t FDType) String() string {
	if int(t) < len(fdTypeNames) {
		return fdTypeNames[t]
	}
	return fmt.Sprintf("fdtype(%d)", uint8(t))
}

// known reports whether the package knows the type's on-disk layout.
func (t FDType) known() bool { return t <= FDPidfd }

// FD is one file descriptor of a thread. Which fields are used depends on
// Type: sockets use the address fields (server sockets only SrcIP, SrcPort:
// the local address), unix sockets Source, Dest and Name, regular files
// (FDFileV2) Name, OpenFlags and Dev, every other known type only Name.
type FD struct {
	Num       int64
	Ino       uint64
	Type      FDType
	Name      string
	OpenFlags uint32
	Dev       uint32
	SrcIP     netip.Addr
	DstIP     netip.Addr
	SrcPort   uint16
	DstPort   uint16
	L4Proto   uint8 // SCAP_L4_*: 2 tcp, 3 udp, 4 icmp, 5 raw
	// Source and Dest are the kernel's unix socket endpoint addresses.
	Source, Dest uint64
}
