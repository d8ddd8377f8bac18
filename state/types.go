package state

import (
	"github.com/syscope/syscope/event"
)

// FDType is the kind of object a file descriptor refers to. The values are
// the scap fd type numbers, so they match what capture files store.
type FDType int8

// File descriptor types.
const (
	FDUninitialized FDType = -1
	FDUnknown       FDType = 0
	FDFile          FDType = 1
	FDDirectory     FDType = 2
	FDIPv4Sock      FDType = 3
	FDIPv6Sock      FDType = 4
	FDIPv4ServSock  FDType = 5
	FDIPv6ServSock  FDType = 6
	FDFifo          FDType = 7
	FDUnixSock      FDType = 8
	FDEvent         FDType = 9
	FDUnsupported   FDType = 10
	FDSignalfd      FDType = 11
	FDEventpoll     FDType = 12
	FDInotify       FDType = 13
	FDTimerfd       FDType = 14
	FDNetlink       FDType = 15
	FDFileV2        FDType = 16
	FDBPF           FDType = 17
	FDUserfaultfd   FDType = 18
	FDIOUring       FDType = 19
	FDMemfd         FDType = 20
	FDPidfd         FDType = 21
)

// Char returns the one-letter code sysdig prints for the type (fd.typechar,
// and the <x> prefix of fd names in evt.args); '?' for unknown types.
func (t FDType) Char() byte {
	switch t {
	case FDFile, FDFileV2:
		return 'f'
	case FDDirectory:
		return 'd'
	case FDIPv4Sock, FDIPv4ServSock:
		return '4'
	case FDIPv6Sock, FDIPv6ServSock:
		return '6'
	case FDFifo:
		return 'p'
	case FDUnixSock:
		return 'u'
	case FDEvent:
		return 'e'
	case FDUnknown:
		return 'o'
	case FDUnsupported:
		return 'X'
	case FDSignalfd:
		return 's'
	case FDEventpoll:
		return 'l'
	case FDInotify:
		return 'i'
	case FDTimerfd:
		return 't'
	case FDNetlink:
		return 'n'
	case FDBPF:
		return 'b'
	case FDUserfaultfd:
		return 'u'
	case FDIOUring:
		return 'r'
	case FDMemfd:
		return 'm'
	case FDPidfd:
		return 'P'
	}
	return '?'
}

// String returns the name sysdig prints for the type in fd.type, "<NA>"
// for types it has no name for.
func (t FDType) String() string {
	switch t {
	case FDFile, FDFileV2:
		return "file"
	case FDDirectory:
		return "directory"
	case FDIPv4Sock, FDIPv4ServSock:
		return "ipv4"
	case FDIPv6Sock, FDIPv6ServSock:
		return "ipv6"
	case FDUnixSock:
		return "unix"
	case FDFifo:
		return "pipe"
	case FDEvent:
		return "event"
	case FDSignalfd:
		return "signalfd"
	case FDEventpoll:
		return "eventpoll"
	case FDInotify:
		return "inotify"
	case FDTimerfd:
		return "timerfd"
	case FDNetlink:
		return "netlink"
	case FDBPF:
		return "bpf"
	case FDUserfaultfd:
		return "userfaultfd"
	case FDIOUring:
		return "io_uring"
	case FDMemfd:
		return "memfd"
	case FDPidfd:
		return "pidfd"
	}
	return "<NA>"
}

// IsSocket reports whether t is an IPv4, IPv6 (client or server) or unix
// socket type.
func (t FDType) IsSocket() bool {
	switch t {
	case FDIPv4Sock, FDIPv6Sock, FDIPv4ServSock, FDIPv6ServSock, FDUnixSock:
		return true
	}
	return false
}

// Transport protocols of a socket (the scap L4 numbers).
const (
	L4Unknown uint8 = 0
	L4NA      uint8 = 1
	L4TCP     uint8 = 2
	L4UDP     uint8 = 3
	L4ICMP    uint8 = 4
	L4Raw     uint8 = 5
)

// FD flag bits (FD.Flags).
const (
	FDFromProc           uint32 = 1 << 0  // came from the process list, not from an event
	FDRoleClient         uint32 = 1 << 2  // socket role: client (connected out)
	FDRoleServer         uint32 = 1 << 3  // socket role: server (accepted or listening)
	FDSocketConnected    uint32 = 1 << 13 // connect/accept succeeded
	FDIsCloned           uint32 = 1 << 14 // inherited by a clone
	FDConnectionPending  uint32 = 1 << 15 // non-blocking connect in progress
	FDConnectionFailed   uint32 = 1 << 16 // connect failed
	FDSocketPipe         uint32 = 1 << 6  // socket whose both ends are local
	fdRoleMask                  = FDRoleClient | FDRoleServer
	fdConnectionStateMsk        = FDSocketConnected | FDConnectionPending | FDConnectionFailed
)

// FD is one entry of a process's file descriptor table.
//
// Name and NameRaw are byte slices owned by the state: their contents change
// when the fd is reused, so copy them to keep them beyond the current event.
type FD struct {
	// Num is the descriptor number.
	Num int64
	// Type is what the descriptor refers to.
	Type FDType
	// OpenFlags are the PPM_O_* flags the file was opened with.
	OpenFlags uint32
	// Flags are the FD* flag bits (role, connection state, origin).
	Flags uint32
	// Name is sysdig's rendering of the fd (fd.name): the absolute,
	// normalised path for files and directories; "sip:sport->dip:dport" for
	// connected IP sockets; "ip:port" for server sockets; for unix sockets
	// the kernel pointers and path; for other kinds a fixed label.
	Name []byte
	// NameRaw is the path as the program gave it, before joining with the
	// working directory (fd.nameraw); empty for non-files.
	NameRaw []byte
	// Dev, MountID and Ino identify the file (fd.dev, fd.ino), 0 if unknown.
	Dev     uint32
	MountID uint64
	Ino     uint64
	// Pid is, for a pidfd, the process it refers to.
	Pid int64

	// sock holds the socket details in sinsp's layout (one 40-byte area
	// read as an IPv4 tuple, IPv6 tuple, IPv4/IPv6 server address or unix
	// pointer pair depending on Type); the accessors below decode it. Keeping
	// the layout lets a socket whose type changes (bind, connect, IPv4 over
	// IPv6) show the same values sinsp shows.
	sock [40]byte

	// freshSeq is the State's event sequence number of the event that
	// created this descriptor from scratch (not as a copy of another).
	freshSeq uint64
}

// IsRoleServer reports whether the socket is the server end (accepted or
// listening).
func (f *FD) IsRoleServer() bool { return f.Flags&FDRoleServer != 0 }

// IsRoleClient reports whether the socket is the client end.
func (f *FD) IsRoleClient() bool { return f.Flags&FDRoleClient != 0 }

// IsFile reports whether the fd refers to a regular file.
func (f *FD) IsFile() bool { return f.Type == FDFile || f.Type == FDFileV2 }

// Cgroup is one "subsystem=path" entry of a thread's cgroup list.
type Cgroup struct {
	Subsys string
	Path   string
}

// Thread is one thread of the thread table. Fields that belong to the
// process (exe, args, env, cwd, fds, ...) are kept on every thread as sinsp
// does, and Main returns the thread group leader, whose values the proc.*
// fields show.
//
// A Thread is owned by the State: read it during the event that returned it;
// its contents change with later events and it may be recycled after the
// thread exits.
type Thread struct {
	Tid  int64 // thread id (thread.tid)
	Pid  int64 // process id = tid of the thread group leader (proc.pid)
	PTid int64 // id of the thread that created this one (proc.ppid via Main)

	// Flags are the PPM_CL_* clone flags the thread was created with, plus
	// PPM_CL_* state bits (name changed, closed, ...).
	Flags uint32
	// LastEventTs and PrevEventTs are the timestamps of this thread's
	// latest and previous events (used by evt.deltatime-like fields).
	LastEventTs uint64
	PrevEventTs uint64
	// LastAccessTs is when the thread was last looked up.
	LastAccessTs uint64
	// Latency is the time between the latest exit event and its enter event.
	Latency uint64
	// LastEventFD is the fd number of the thread's latest event that
	// referred to one (fd.num), -1 when none.
	LastEventFD int64

	// per-event bookkeeping, kept together with the fields above so the
	// steady path touches few cache lines
	st          *State
	fds         *fdTable    // own table; threads sharing files use their leader's
	enterTime   uint64      // timestamp of the latest enter event, 0 if none
	lastType    uint16      // type of the latest enter event (0xffff: none)
	enterStored bool        // enter holds a stored event
	enterValid  bool        // the latest exit matched the latest enter's type
	enter       []byte      // copy of the latest stored enter event
	enterEvt    event.Event // view over enter

	Sid   int64 // session id (proc.sid)
	VTid  int64 // thread id in its pid namespace (thread.vtid)
	VPid  int64 // process id in its pid namespace (proc.vpid)
	VPgid int64 // process group id in its pid namespace (proc.vpgid)
	Pgid  int64 // process group id in the host pid namespace (proc.pgid), -1 if unknown

	Comm    string   // command name (proc.name)
	Exe     string   // argv[0] (proc.exe)
	ExePath string   // full executable path (proc.exepath)
	Args    []string // arguments after argv[0] (proc.args)
	Env     []string // environment, "NAME=value"
	Cgroups []Cgroup // cgroup membership
	Root    string   // root directory
	// ExeWritable is true when the executable is writable by its user.
	ExeWritable bool
	// ExeUpperLayer and ExeLowerLayer say the executable is on the upper
	// (written in the container) or lower (image) layer of an overlayfs.
	ExeUpperLayer bool
	ExeLowerLayer bool
	// ExeFromMemfd is true when the executable is a memfd_create file
	// run through its descriptor (fileless execution).
	ExeFromMemfd bool
	// ExeIno, ExeInoCtime and ExeInoMtime are the executable's inode
	// number and its status change and modification times (ns since the
	// epoch); 0 when unknown.
	ExeIno      uint64
	ExeInoCtime uint64
	ExeInoMtime uint64
	// ExeCtimeToClone is CloneTs - ExeInoCtime, computed at execve when the
	// clone time is known (proc.exe_ino.ctime_duration_proc_start); 0 if
	// unknown.
	ExeCtimeToClone uint64
	// ExeCtimeFromPidns is ExeInoCtime - PidnsInitStartTs when the
	// executable changed after the pid namespace started
	// (proc.exe_ino.ctime_duration_pidns_start); 0 otherwise.
	ExeCtimeFromPidns uint64
	// PidnsInitStartTs is when the init of the thread's pid namespace
	// started, in ns since the epoch; 0 if unknown.
	PidnsInitStartTs uint64

	// FDLimit is the thread's fd limit (RLIMIT_NOFILE), 0 if unknown.
	FDLimit int64

	UID      uint32 // user id (user.uid)
	GID      uint32 // group id (group.gid)
	LoginUID uint32 // login user id (user.loginuid), 0xffffffff when unset

	CapPermitted   uint64
	CapEffective   uint64
	CapInheritable uint64

	VMSizeKB  uint32
	VMRSSKB   uint32
	VMSwapKB  uint32
	PFMajor   uint64
	PFMinor   uint64
	Tty       int32
	CloneTs   uint64 // timestamp of the clone that created the thread, 0 if unknown
	ExecTs    uint64 // timestamp of the last successful execve, 0 if none seen
	NChildren uint64 // threads and processes created by this thread still in the table

	// Incomplete is true when the thread was created from an event because
	// it was not in the table: its process details may be missing.
	Incomplete bool
	// Dead is set when a procexit was seen; the thread is removed on the
	// next event.
	Dead bool

	// ChildSubreaper is set by prctl(PR_SET_CHILD_SUBREAPER).
	ChildSubreaper bool

	cwd string // the process's cwd is the main thread's

	execEnter int64 // tid of a non-leader thread that entered execve, -1
	reaper    int64 // reaper tid the driver reported at exit, 0 if none
}

// Ctx is what the state knows about one event, as field extractors read it.
// A Ctx is owned by the State and valid until the next Process call.
type Ctx struct {
	// Evt is the event being processed.
	Evt *event.Event
	// Thread is the thread that generated the event, nil when the thread
	// is unknown and could not be added (table full).
	Thread *Thread
	// FD is the file descriptor the event refers to, or nil. For a close
	// exit it is the fd being closed (removed from the table only when the
	// next event is processed).
	FD *FD
	// FDNum is the fd number the event refers to (fd.num), -1 when none.
	FDNum int64
	// Enter is, for an exit event, the thread's latest enter event when it
	// has the matching type, else nil. Its bytes stay valid until the
	// thread's next enter event.
	Enter *event.Event
	// Latency is the time since the matching enter event (evt.latency),
	// 0 when there is none.
	Latency uint64
	// FDNameChanged is true when parsing the event changed the name of
	// FD (fd.name_changed): a send/receive tuple or connect that renamed a
	// socket, or a new descriptor created with a name.
	FDNameChanged bool
	// ThreadCreated is true when processing this event created Thread
	// from the event alone (it was not in the table).
	ThreadCreated bool
	// Filtered is true when sinsp would not hand this event to filters and
	// formatters (an exit without a usable thread on some internal events).
	Filtered bool
}

// IsMain reports whether t is its process's thread group leader.
func (t *Thread) IsMain() bool { return t.Tid == t.Pid || t.Flags&ThreadIsMainThread != 0 }

// Main returns the thread group leader of t (t itself for a leader), or nil
// when the leader is not in the table. Use State.MainThread to get sinsp's
// behaviour of adding a placeholder leader.
func (t *Thread) Main() *Thread {
	if t == nil {
		return nil
	}
	if t.IsMain() {
		return t
	}
	if t.st == nil {
		return nil
	}
	return t.st.find(t.Pid)
}

// Cwd returns the process's current working directory (proc.cwd): the
// leader's, with the trailing slash sinsp keeps; "" when unknown.
func (t *Thread) Cwd() string {
	if m := t.Main(); m != nil {
		return m.cwd
	}
	return ""
}

// table returns the fd table t uses: its leader's when it shares files
// (CLONE_FILES), else its own. It does not create anything.
func (t *Thread) table() *fdTable {
	if t.Flags&CloneFiles != 0 {
		m := t.Main()
		if m == nil {
			return nil
		}
		return m.fds
	}
	return t.fds
}

// FD returns the descriptor num of t's process, or nil.
func (t *Thread) FD(num int64) *FD {
	if t == nil {
		return nil
	}
	if ft := t.table(); ft != nil {
		return ft.get(num)
	}
	return nil
}

// ForEachFD calls fn for each open descriptor of t's process, in ascending
// fd order, until fn returns false.
func (t *Thread) ForEachFD(fn func(*FD) bool) {
	if t == nil {
		return
	}
	if ft := t.table(); ft != nil {
		ft.forEach(fn)
	}
}

// NumFDs returns how many descriptors t's process has open.
func (t *Thread) NumFDs() int {
	if t == nil {
		return 0
	}
	if ft := t.table(); ft != nil {
		return ft.n
	}
	return 0
}

// User is one user of the machine the events came from.
type User struct {
	UID     uint32
	GID     uint32
	Name    string
	HomeDir string
	Shell   string
}

// Group is one group of the machine the events came from.
type Group struct {
	GID  uint32
	Name string
}

// Stats are the state engine's counters.
type Stats struct {
	Threads          int    // threads in the table
	FDs              int    // descriptors in all tables
	ThreadsAdded     uint64 // threads added (seed, clone, inferred)
	ThreadsRemoved   uint64 // threads removed (exit, purge)
	ThreadsInferred  uint64 // threads created from an event because they were unknown
	ThreadDrops      uint64 // threads not added because the table was full
	ThreadLookupMiss uint64 // lookups of a tid not in the table
	FDDrops          uint64 // descriptors not added because the process table was full
	FDLookupMiss     uint64 // lookups of an fd not in its process's table
	ParseErrors      uint64 // events whose parameters could not be decoded for state
	Purged           uint64 // dead or inactive threads purged by the periodic scan
}
