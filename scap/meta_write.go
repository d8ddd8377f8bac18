package scap

import (
	"encoding/binary"
	"net/netip"
)

// enc appends little-endian fields, truncating strings to the limits the C
// readers enforce and counting what it cuts.
type enc struct {
	b         []byte
	truncated *uint64
}

func (e *enc) u8(v uint8)   { e.b = append(e.b, v) }
func (e *enc) u16(v uint16) { e.b = binary.LittleEndian.AppendUint16(e.b, v) }
func (e *enc) u32(v uint32) { e.b = binary.LittleEndian.AppendUint32(e.b, v) }
func (e *enc) u64(v uint64) { e.b = binary.LittleEndian.AppendUint64(e.b, v) }
func (e *enc) i64(v int64)  { e.u64(uint64(v)) }

func (e *enc) bool(v bool) {
	if v {
		e.u8(1)
	} else {
		e.u8(0)
	}
}

// str16 appends a u16 length and s, cut to max bytes.
func (e *enc) str16(s string, max int) {
	if len(s) > max {
		s = s[:max]
		*e.truncated++
	}
	e.u16(uint16(len(s)))
	e.b = append(e.b, s...)
}

// list16 appends a u16 length and the strings, each followed by a NUL, cut
// to max bytes.
func (e *enc) list16(l []string, max int) {
	n := 0
	for _, s := range l {
		n += len(s) + 1
	}
	cut := n > max
	if cut {
		n = max
		*e.truncated++
	}
	e.u16(uint16(n))
	start := len(e.b)
	for _, s := range l {
		e.b = append(e.b, s...)
		e.b = append(e.b, 0)
		if len(e.b)-start >= n {
			break
		}
	}
	e.b = e.b[:start+n]
}

func (e *enc) addr4(a netip.Addr) {
	var b [4]byte
	if a.Is4() || a.Is4In6() {
		b = a.Unmap().As4()
	}
	e.b = append(e.b, b[:]...)
}

func (e *enc) addr16(a netip.Addr) {
	var b [16]byte
	if a.IsValid() {
		b = a.As16()
	}
	e.b = append(e.b, b[:]...)
}

// begin starts a block of type t and returns the offset of its header.
func (e *enc) begin(t uint32) int {
	s := len(e.b)
	e.u32(t)
	e.u32(0)
	return s
}

// end pads the block started at s and writes its lengths.
func (e *enc) end(s int) {
	for (len(e.b)-s)%4 != 0 {
		e.u8(0)
	}
	n := uint32(len(e.b) - s + 4)
	binary.LittleEndian.PutUint32(e.b[s+4:], n)
	e.u32(n)
}

// entry starts a sub-entry whose u32 length (including itself) end fills.
func (e *enc) entry() int {
	s := len(e.b)
	e.u32(0)
	return s
}

func (e *enc) entryEnd(s int) {
	binary.LittleEndian.PutUint32(e.b[s:], uint32(len(e.b)-s))
}

// encodeMetadata encodes the section header and the metadata blocks.
func encodeMetadata(md *Metadata, o *WriterOptions, truncated *uint64) []byte {
	e := &enc{truncated: truncated}

	s := e.begin(BlockSHB)
	e.u32(ByteOrderMagic)
	e.u16(VersionMajor)
	e.u16(VersionMinor)
	e.i64(-1)
	if o.SectionOptions {
		e.b = appendOptions(e.b, md.Section.Options)
	}
	e.end(s)

	if mi := md.Machine; mi != nil {
		s := e.begin(BlockMI)
		e.u32(mi.NumCPUs)
		e.u64(mi.MemoryBytes)
		e.u64(mi.MaxPID)
		var host [128]byte
		h := mi.Hostname
		if len(h) > 127 {
			h = h[:127]
			*truncated++
		}
		copy(host[:], h)
		e.b = append(e.b, host[:]...)
		e.u64(mi.BootTime)
		e.u64(mi.Flags)
		e.u64(mi.Reserved3)
		e.u64(mi.Reserved4)
		e.end(s)
	}

	if len(md.Interfaces) > 0 {
		s := e.begin(BlockILV2)
		for _, in := range md.Interfaces {
			name := in.Name
			if len(name) >= MaxPathLen {
				name = name[:MaxPathLen-1]
				*truncated++
			}
			// The entry length excludes its own 4 bytes.
			ls := len(e.b)
			e.u32(0)
			if in.Addr.Is4() {
				e.u16(ifIPv4)
				e.u16(uint16(len(name)))
				e.addr4(in.Addr)
				e.addr4(in.Netmask)
				e.addr4(in.Broadcast)
			} else {
				e.u16(ifIPv6)
				e.u16(uint16(len(name)))
				e.addr16(in.Addr)
				e.addr16(in.Netmask)
				e.addr16(in.Broadcast)
			}
			e.u64(in.LinkSpeed)
			e.b = append(e.b, name...)
			binary.LittleEndian.PutUint32(e.b[ls:], uint32(len(e.b)-ls-4))
		}
		e.end(s)
	}

	if len(md.Users) > 0 || len(md.Groups) > 0 {
		s := e.begin(BlockULV2)
		for _, u := range md.Users {
			es := e.entry()
			e.u8(ulUser)
			e.u32(u.UID)
			e.u32(u.GID)
			e.str16(u.Name, MaxCredStrLen)
			e.str16(u.HomeDir, MaxCredStrLen)
			e.str16(u.Shell, MaxCredStrLen)
			e.entryEnd(es)
		}
		for _, g := range md.Groups {
			es := e.entry()
			e.u8(ulGroup)
			e.u32(g.GID)
			e.str16(g.Name, MaxCredStrLen)
			e.entryEnd(es)
		}
		e.end(s)
	}

	if len(md.Processes) > 0 {
		s := e.begin(BlockPLV9)
		for i := range md.Processes {
			encodeProcess(e, &md.Processes[i], o.LegacyProcessTail)
		}
		e.end(s)
	}

	for i := range md.Processes {
		p := &md.Processes[i]
		if len(p.FDs) > 0 {
			encodeFDList(e, p.Tid, p.FDs)
		}
	}
	for _, l := range md.OrphanFDs {
		encodeFDList(e, l.Tid, l.FDs)
	}
	return e.b
}

func encodeProcess(e *enc, p *Process, legacy bool) {
	es := e.entry()
	e.i64(p.Tid)
	e.i64(p.Pid)
	e.i64(p.Ptid)
	e.i64(p.Sid)
	e.i64(p.Vpgid)
	e.str16(p.Comm, MaxPathLen)
	e.str16(p.Exe, MaxPathLen)
	e.str16(p.ExePath, MaxPathLen)
	e.list16(p.Args, MaxArgsLen)
	e.str16(p.Cwd, MaxPathLen)
	e.i64(p.FDLimit)
	e.u32(p.Flags)
	e.u32(p.UID)
	e.u32(p.GID)
	e.u32(p.VMSizeKB)
	e.u32(p.VMRSSKB)
	e.u32(p.VMSwapKB)
	e.u64(p.PFMajor)
	e.u64(p.PFMinor)
	e.list16(p.Env, MaxArgsLen)
	e.i64(p.Vtid)
	e.i64(p.Vpid)
	e.list16(p.Cgroups, MaxArgsLen)
	e.str16(p.Root, MaxPathLen)
	if !legacy {
		e.u64(p.PidnsInitStartTs)
		e.u32(p.TTY)
	}
	e.u32(p.LoginUID)
	e.bool(p.ExeWritable)
	e.u64(p.CapInheritable)
	e.u64(p.CapPermitted)
	e.u64(p.CapEffective)
	if !legacy {
		e.bool(p.ExeUpperLayer)
		e.u64(p.ExeIno)
		e.u64(p.ExeInoCtime)
		e.u64(p.ExeInoMtime)
		e.bool(p.ExeFromMemfd)
		e.bool(p.ExeLowerLayer)
		e.i64(p.Pgid)
	}
	e.entryEnd(es)
}

func encodeFDList(e *enc, tid int64, fds []FD) {
	s := e.begin(BlockFDLV2)
	e.i64(tid)
	for i := range fds {
		fd := &fds[i]
		es := e.entry()
		e.i64(fd.Num)
		e.u64(fd.Ino)
		e.u8(uint8(fd.Type))
		switch fd.Type {
		case FDIPv4Sock:
			e.addr4(fd.SrcIP)
			e.addr4(fd.DstIP)
			e.u16(fd.SrcPort)
			e.u16(fd.DstPort)
			e.u8(fd.L4Proto)
		case FDIPv4Server:
			e.addr4(fd.SrcIP)
			e.u16(fd.SrcPort)
			e.u8(fd.L4Proto)
		case FDIPv6Sock:
			e.addr16(fd.SrcIP)
			e.addr16(fd.DstIP)
			e.u16(fd.SrcPort)
			e.u16(fd.DstPort)
			e.u8(fd.L4Proto)
		case FDIPv6Server:
			e.addr16(fd.SrcIP)
			e.u16(fd.SrcPort)
			e.u8(fd.L4Proto)
		case FDUnixSock:
			e.u64(fd.Source)
			e.u64(fd.Dest)
			e.str16(fd.Name, MaxPathLen-1)
		case FDFileV2:
			e.u32(fd.OpenFlags)
			e.str16(fd.Name, MaxPathLen-1)
			e.u32(fd.Dev)
		case FDUnknown:
		default:
			if fd.Type.known() {
				e.str16(fd.Name, MaxPathLen-1)
			}
		}
		e.entryEnd(es)
	}
	e.end(s)
}
