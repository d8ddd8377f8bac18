package event

// Facts about the event table sysdig 0.29.3 renders with (the driver tables
// of falcosecurity/libs as of March 2022, 336 event types), where they
// differ from the current schema this package is generated from.

// sysdigNumTypes is the number of event types sysdig 0.29.3 knows; it
// skips events of later types when it reads a capture.
const sysdigNumTypes = 336

// Sysdig029Knows reports whether sysdig 0.29.3 knows event type t (it
// skips events of later types when it reads a capture).
func Sysdig029Knows(t Type) bool { return int(t) < sysdigNumTypes }

// Sysdig029Params returns how many parameters sysdig 0.29.3's table lists
// for t (the parameters it reads), or -1 when it does not know t.
func Sysdig029Params(t Type) int {
	if !Sysdig029Knows(t) {
		return -1
	}
	return int(sysdigParamCounts[t])
}

// Sysdig029Param returns parameter i of type t as sysdig 0.29.3's table
// lists it, and false when its table has no such parameter.
func Sysdig029Param(t Type, i int) (ParamInfo, bool) {
	if i < 0 || i >= Sysdig029Params(t) {
		return ParamInfo{}, false
	}
	if ov := sysdigParams[t]; i < len(ov) {
		return ov[i], true
	}
	if ps := infos[t].Params; i < len(ps) {
		return ps[i], true
	}
	return ParamInfo{}, false
}

// sysdigParamCounts is the number of parameters sysdig 0.29.3's table lists
// for each event type. Parameters added to an event type since are not
// rendered by it.
var sysdigParamCounts = [sysdigNumTypes]uint8{
	2, 1, 3, 5, 1, 1, 2, 2, 2, 2, 1, 1, 0, 8, 0, 11,
	0, 0, 3, 1, 1, 2, 2, 2, 2, 1, 0, 3, 2, 2, 3, 2,
	2, 2, 2, 3, 2, 1, 0, 0, 0, 0, 3, 5, 0, 6, 0, 6,
	3, 2, 0, 0, 1, 4, 0, 0, 1, 3, 2, 4, 0, 4, 2, 1,
	3, 1, 0, 2, 0, 2, 1, 1, 0, 2, 0, 2, 1, 1, 1, 1,
	2, 2, 0, 1, 0, 1, 3, 1, 3, 1, 2, 1, 0, 2, 0, 2,
	1, 1, 2, 1, 1, 1, 4, 1, 2, 1, 4, 1, 1, 1, 2, 1,
	3, 2, 3, 2, 1, 3, 2, 2, 2, 3, 3, 2, 1, 1, 3, 1,
	2, 1, 2, 1, 3, 1, 1, 1, 2, 1, 1, 1, 1, 3, 1, 3,
	2, 5, 1, 0, 1, 1, 2, 1, 6, 0, 0, 13, 0, 16, 1, 4,
	6, 4, 6, 4, 2, 4, 4, 1, 2, 3, 3, 1, 0, 14, 0, 3,
	0, 5, 0, 3, 0, 4, 0, 16, 0, 16, 4, 0, 4, 2, 4, 14,
	3, 1, 3, 1, 2, 0, 1, 1, 1, 1, 0, 1, 0, 1, 0, 1,
	0, 1, 0, 4, 0, 4, 0, 15, 0, 17, 0, 17, 0, 17, 0, 20,
	0, 20, 0, 20, 4, 0, 0, 16, 3, 0, 2, 0, 1, 1, 1, 1,
	2, 1, 2, 1, 2, 0, 0, 5, 1, 5, 1, 8, 4, 1, 3, 2,
	1, 4, 1, 2, 1, 0, 3, 1, 1, 2, 0, 2, 3, 3, 1, 0,
	1, 0, 0, 1, 1, 2, 0, 2, 2, 0, 0, 17, 1, 1, 4, 0,
	1, 17, 3, 0, 1, 20, 2, 1, 1, 1, 1, 1, 0, 2, 0, 4,
	0, 4, 4, 6, 0, 3, 0, 6, 0, 4, 0, 3, 0, 3, 0, 6,
	0, 2, 2, 0, 1, 0, 5, 6, 3, 1, 3, 20, 3, 3, 0, 20,
}

// sysdigParams holds, for the event types whose parameters sysdig 0.29.3
// typed differently from the current schema, the parameter list it used.
var sysdigParams = func() (ov [NumTypes][]ParamInfo) {
	set := func(t Type, i int, f func(*ParamInfo)) {
		if ov[t] == nil {
			ov[t] = append([]ParamInfo(nil), infos[t].Params...)
		}
		if i < len(ov[t]) {
			f(&ov[t][i])
		}
	}
	plainFlags := func(p *ParamInfo) {
		switch p.Type {
		case PUint8:
			p.Type = PFlags8
		case PUint32:
			p.Type = PFlags32
		}
		p.Flags = nil
	}
	set(SyscallEventfdE, 1, plainFlags)
	set(SyscallSignalfdE, 2, plainFlags)
	set(SyscallTimerfdCreateE, 1, plainFlags)
	set(SyscallInotifyInitE, 0, plainFlags)
	hexAddr := func(p *ParamInfo) { p.Type, p.Format = PUint64, FmtHex }
	set(SyscallMmapX, 0, hexAddr)
	set(SyscallMmap2X, 0, hexAddr)
	set(SyscallSetpgidX, 0, func(p *ParamInfo) { p.Type = PPid })
	for _, t := range []Type{SyscallExecveV19X, SyscallExecveatX} {
		set(t, 17, func(p *ParamInfo) { p.Name = "pgid" })
		set(t, 18, func(p *ParamInfo) { p.Type = PInt32 })
	}
	// Flag tables that have gained entries since.
	tables := map[*FlagTable]*FlagTable{
		FlagsFileFlags:   sysdigTable(FlagsFileFlags, "O_F_CREATED", "FD_UPPER_LAYER", "FD_LOWER_LAYER"),
		FlagsCloneFlags:  sysdigTable(FlagsCloneFlags, "CLONE_CHILD_IN_PIDNS"),
		FlagsExecveFlags: sysdigTable(FlagsExecveFlags, "EXE_UPPER_LAYER", "EXE_FROM_MEMFD", "EXE_LOWER_LAYER"),
		FlagsShutdownHow: sysdigTable(FlagsShutdownHow, "SHUT_UNKNOWN"),
	}
	for t := Type(0); t < sysdigNumTypes; t++ {
		for i := range infos[t].Params {
			if old, ok := tables[infos[t].Params[i].Flags]; ok {
				set(t, i, func(p *ParamInfo) { p.Flags = old })
			}
		}
	}
	return ov
}()

// sysdigTable returns a copy of ft without the named entries.
func sysdigTable(ft *FlagTable, drop ...string) *FlagTable {
	out := &FlagTable{Name: ft.Name}
next:
	for _, e := range ft.Entries {
		for _, d := range drop {
			if e.Name == d {
				continue next
			}
		}
		out.Entries = append(out.Entries, e)
	}
	return out
}

// ppmscMaxSysdig is the first syscall code sysdig 0.29.3 does not know; it
// prints "<unknown syscall>" for codes from here on.
const ppmscMaxSysdig = 329

// sysdigSyscallName returns the name sysdig 0.29.3 gives a syscall code
// when it differs from the current table's.
func sysdigSyscallName(code uint16) (string, bool) {
	switch code {
	case 283:
		return "newselect", true
	case 298:
		return "sigreturn", true
	case 305:
		return "setuid", true
	case 306:
		return "getuid", true
	case 307:
		return "setgid", true
	case 308:
		return "geteuid", true
	case 309:
		return "getgid", true
	case 310:
		return "setresuid", true
	case 311:
		return "setresgid", true
	case 312:
		return "getresuid", true
	case 313:
		return "getresgid", true
	}
	return "", false
}
