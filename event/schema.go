package event

import "strings"

// Type is an event type id (the scap PPME_* number). Even ids are enter
// events, odd ids exit events.
type Type uint16

// Info returns the schema entry of t, or the entry of an unknown type (name
// "NA", no params) when t is out of range.
func (t Type) Info() *Info {
	if int(t) < len(infos) {
		return &infos[t]
	}
	return &unknownInfo
}

// String returns the event type's name, as sysdig prints it in evt.type.
func (t Type) String() string { return t.Info().Name }

var unknownInfo = Info{Name: "NA", Enum: "UNKNOWN"}

// Dir is the direction of an event: enter (>) or exit (<).
type Dir uint8

// Directions.
const (
	Enter Dir = iota
	Exit
)

// String returns ">" for enter and "<" for exit, as sysdig prints evt.dir.
func (d Dir) String() string {
	if d == Enter {
		return ">"
	}
	return "<"
}

// Category is an event category: one of the enumerated kinds in the low
// bits, possibly or-ed with the source bits (syscall, tracepoint, plugin,
// metaevent).
type Category uint32

// Categories, with the values the driver tables use.
const (
	CatUnknown    Category = 0
	CatOther      Category = 1
	CatFile       Category = 2
	CatNet        Category = 3
	CatIpc        Category = 4
	CatMemory     Category = 5
	CatProcess    Category = 6
	CatSleep      Category = 7
	CatSystem     Category = 8
	CatSignal     Category = 9
	CatUser       Category = 10
	CatTime       Category = 11
	CatProcessing Category = 12
	CatIoBase     Category = 32
	CatIoRead     Category = 32
	CatIoWrite    Category = 33
	CatIoOther    Category = 34
	CatWait       Category = 64
	CatScheduler  Category = 128
	CatInternal   Category = 256
	CatIter       Category = 512
	CatSyscall    Category = 1024
	CatTracepoint Category = 2048
	CatPlugin     Category = 4096
	CatMetaevent  Category = 8192
)

// Kind returns the enumerated part of the category, without the source bits.
func (c Category) Kind() Category {
	return c &^ (CatSyscall | CatTracepoint | CatPlugin | CatMetaevent | CatIter)
}

// String returns the category's name as sysdig prints evt.category.
func (c Category) String() string {
	switch c.Kind() {
	case CatUnknown:
		return "unknown"
	case CatOther:
		return "other"
	case CatFile:
		return "file"
	case CatNet:
		return "net"
	case CatIpc:
		return "IPC"
	case CatMemory:
		return "memory"
	case CatProcess:
		return "process"
	case CatSleep:
		return "sleep"
	case CatSystem:
		return "system"
	case CatSignal:
		return "signal"
	case CatUser:
		return "user"
	case CatTime:
		return "time"
	case CatProcessing:
		return "processing"
	case CatIoRead:
		return "I/O"
	case CatIoWrite:
		return "I/O"
	case CatIoOther:
		return "I/O"
	case CatWait:
		return "wait"
	case CatScheduler:
		return "scheduler"
	case CatInternal:
		return "internal"
	}
	return "unknown"
}

// EventFlags are the EF_* flags of an event type.
type EventFlags uint32

// Event flags, with the values the driver tables use.
const (
	EFCreatesFd           EventFlags = 1 << 0
	EFDestroysFd          EventFlags = 1 << 1
	EFUsesFd              EventFlags = 1 << 2
	EFReadsFromFd         EventFlags = 1 << 3
	EFWritesToFd          EventFlags = 1 << 4
	EFModifiesState       EventFlags = 1 << 5
	EFUnused              EventFlags = 1 << 6
	EFWaits               EventFlags = 1 << 7
	EFSkipparsereset      EventFlags = 1 << 8
	EFOldVersion          EventFlags = 1 << 9
	EFDropSampling        EventFlags = 1 << 10
	EFLargePayload        EventFlags = 1 << 11
	EFUsesFd2             EventFlags = 1 << 12
	EFConverterManaged    EventFlags = 1 << 13
	EFTmpConverterManaged EventFlags = 1 << 14
)

// ParamType is the wire type of an event parameter (the scap PT_* types).
type ParamType uint8

// Parameter types.
const (
	PNone ParamType = iota
	PInt8
	PInt16
	PInt32
	PInt64
	PUint8
	PUint16
	PUint32
	PUint64
	PCharbuf          // NUL-terminated string
	PBytebuf          // raw bytes
	PErrno            // int64 return value, negative errno on failure
	PSockaddr         // family byte + address
	PSocktuple        // family byte + source and destination
	PFd               // int64 file descriptor
	PPid              // int64 process or thread id
	PFdlist           // u16 count, then (u64 fd, u16 flags) pairs
	PFspath           // NUL-terminated path
	PSyscallid        // u16 syscall code
	PSigtype          // u8 signal number
	PReltime          // u64 nanoseconds
	PAbstime          // u64 nanoseconds since the epoch
	PPort             // u16
	PL4proto          // u8
	PSockfamily       // u8
	PBool             // u32
	PIpv4addr         // 4 bytes
	PDyn              // u8 index into a DynTable, then a value of that type
	PFlags8           // u8 flags
	PFlags16          // u16 flags
	PFlags32          // u32 flags
	PUid              // u32
	PGid              // u32
	PDouble           // float64
	PSigset           // u32 signal mask
	PCharbufarray     // NUL-separated strings
	PCharbufPairArray // NUL-separated name, value pairs
	PIpv4net          // address and mask
	PIpv6addr         // 16 bytes
	PIpv6net          // address and mask
	PIpaddr           // 4 or 16 bytes
	PIpnet            // address and mask
	PMode             // u32 file mode
	PFsrelpath        // path relative to a dirfd param
	PEnumflags8       // u8 enum
	PEnumflags16      // u16 enum
	PEnumflags32      // u32 enum
	PFd32             // int32 file descriptor
	PPid32            // int32 process id
)

// PrintFormat says how a numeric parameter renders.
type PrintFormat uint8

// Print formats.
const (
	FmtNa PrintFormat = iota
	FmtDec
	FmtHex
	FmtOct
	Fmt10Padded
	FmtId
	FmtDir
)

// ParamInfo describes one parameter of an event type.
type ParamInfo struct {
	Name   string
	Type   ParamType
	Format PrintFormat
	// Flags is the flag or enum table that names the values of a flags or
	// enum parameter, or nil.
	Flags *FlagTable
	// Dyn is the table of value types of a PT_DYN parameter, or nil.
	Dyn *DynTable
	// DirFD is, for a path relative to a directory fd, the index of the
	// parameter holding that fd; -1 otherwise.
	DirFD int
}

// Info describes one event type.
type Info struct {
	Name     string // the name sysdig prints (open, execve, ...)
	Enum     string // the driver's PPME_* name
	Dir      Dir
	Category Category
	Flags    EventFlags
	Params   []ParamInfo
}

// ParamIndex returns the index of the parameter called name, or -1.
func (i *Info) ParamIndex(name string) int {
	for j := range i.Params {
		if i.Params[j].Name == name {
			return j
		}
	}
	return -1
}

// FlagEntry names one flag bit (or enum value).
type FlagEntry struct {
	Name  string
	Value uint64
}

// FlagTable names the values of a flags or enum parameter. Entries are in
// the order they are rendered.
type FlagTable struct {
	Name    string
	Entries []FlagEntry
}

// DynEntry is the type a PT_DYN parameter holds for one index value.
type DynEntry struct {
	Index  uint8
	Type   ParamType
	Format PrintFormat
}

// DynTable lists the types a PT_DYN parameter may hold.
type DynTable struct {
	Name    string
	Entries []DynEntry
}

// Syscall is one system call as the driver tables know it.
type Syscall struct {
	Name      string
	NrX86_64  int // -1 when the architecture lacks it
	NrArm64   int
	PPMSC     int  // the driver's syscall code (what the generic event carries)
	Enter     int  // enter event type, -1 when none
	Exit      int  // exit event type, -1 when none
	Dedicated bool // true when the syscall has its own event types
}

// Syscalls returns the syscall table, sorted by name. The slice must not be
// modified.
func Syscalls() []Syscall { return syscalls }

// Types returns the schema of every event type, indexed by Type. The slice
// must not be modified.
func Types() []Info { return infos[:] }

// TypesByName returns the event types called name (enter and exit, all
// versions), in id order.
func TypesByName(name string) []Type {
	var ts []Type
	for i := range infos {
		if strings.EqualFold(infos[i].Name, name) {
			ts = append(ts, Type(i))
		}
	}
	return ts
}
