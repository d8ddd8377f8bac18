package scap

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"strings"
)

// dec reads little-endian fields from a metadata block body. The first
// short read sets err; later reads return zero values. Strings are cut from
// s, a string copy of the whole body made once, so that they share one
// allocation.
type dec struct {
	b   []byte
	s   string
	p   int
	err error
}

func newDec(b []byte, s string, p int) dec { return dec{b: b, s: s, p: p} }

var errShortField = errors.New("field runs past the end")

func (d *dec) take(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > len(d.b)-d.p {
		d.err = fmt.Errorf("at byte %d: %d-byte %w (%d bytes left)", d.p, n, errShortField, len(d.b)-d.p)
		return nil
	}
	v := d.b[d.p : d.p+n]
	d.p += n
	return v
}

func (d *dec) u8() uint8 {
	if v := d.take(1); v != nil {
		return v[0]
	}
	return 0
}

func (d *dec) u16() uint16 {
	if v := d.take(2); v != nil {
		return binary.LittleEndian.Uint16(v)
	}
	return 0
}

func (d *dec) u32() uint32 {
	if v := d.take(4); v != nil {
		return binary.LittleEndian.Uint32(v)
	}
	return 0
}

func (d *dec) u64() uint64 {
	if v := d.take(8); v != nil {
		return binary.LittleEndian.Uint64(v)
	}
	return 0
}

func (d *dec) i64() int64 { return int64(d.u64()) }

// sub returns n bytes as a string, or "" after an error.
func (d *dec) sub(n int) string {
	start := d.p
	if d.take(n) == nil {
		return ""
	}
	return d.s[start : start+n]
}

// str16 reads a u16 length and that many bytes as a string (up to the
// first NUL, which some writers include).
func (d *dec) str16() string {
	v := d.sub(int(d.u16()))
	if i := strings.IndexByte(v, 0); i >= 0 {
		return v[:i]
	}
	return v
}

// list16 reads a u16 length and that many bytes of NUL-separated strings.
func (d *dec) list16() []string {
	return splitNul(d.sub(int(d.u16())))
}

func (d *dec) left() int { return len(d.b) - d.p }

// splitNul splits NUL-separated strings; a final NUL ends the last string
// rather than starting an empty one.
func splitNul(s string) []string {
	if len(s) == 0 {
		return nil
	}
	if s[len(s)-1] == 0 {
		s = s[:len(s)-1]
	}
	return strings.Split(s, "\x00")
}

// parseSection decodes a section header block body. malformed reports
// options that could not all be decoded.
func parseSection(body []byte) (sh SectionHeader, malformed bool, err error) {
	if len(body) < 16 {
		return sh, false, fmt.Errorf("body is %d bytes, want at least 16", len(body))
	}
	magic := binary.LittleEndian.Uint32(body)
	if magic != ByteOrderMagic {
		if magic == 0x4D3C2B1A {
			return sh, false, errors.New("big-endian captures are not supported")
		}
		return sh, false, fmt.Errorf("byte-order magic is 0x%08x, want 0x%08x", magic, ByteOrderMagic)
	}
	sh.Major = binary.LittleEndian.Uint16(body[4:])
	sh.Minor = binary.LittleEndian.Uint16(body[6:])
	sh.Length = int64(binary.LittleEndian.Uint64(body[8:]))
	if sh.Major != VersionMajor {
		return sh, false, fmt.Errorf("format version %d.%d is not supported (want %d.x)", sh.Major, sh.Minor, VersionMajor)
	}
	opts, oerr := ParseOptions(body[16:])
	sh.Options = opts
	return sh, oerr != nil, nil
}

// machineInfoLen is the size of the machine info structure on disk.
const machineInfoLen = 4 + 8 + 8 + 128 + 8 + 8 + 8 + 8

func parseMachineInfo(body []byte) (*MachineInfo, error) {
	if len(body) < machineInfoLen {
		return nil, fmt.Errorf("body is %d bytes, want %d", len(body), machineInfoLen)
	}
	d := newDec(body, string(body[:machineInfoLen]), 0)
	mi := &MachineInfo{}
	mi.NumCPUs = d.u32()
	mi.MemoryBytes = d.u64()
	mi.MaxPID = d.u64()
	mi.Hostname = d.sub(128)
	if j := strings.IndexByte(mi.Hostname, 0); j >= 0 {
		mi.Hostname = mi.Hostname[:j]
	}
	mi.BootTime = d.u64()
	mi.Flags = d.u64()
	mi.Reserved3 = d.u64()
	mi.Reserved4 = d.u64()
	return mi, d.err
}

// plVersion maps a process list block type to its version.
func plVersion(t uint32) int {
	switch t {
	case BlockPLV1, BlockPLV1Int:
		return 1
	case BlockPLV2, BlockPLV2Int:
		return 2
	case BlockPLV3, BlockPLV3Int:
		return 3
	case BlockPLV4:
		return 4
	case BlockPLV5:
		return 5
	case BlockPLV6:
		return 6
	case BlockPLV7:
		return 7
	case BlockPLV8:
		return 8
	}
	return 9
}

// preV010Tail is the size of the fields libs before 0.10 appended to a V9
// process entry (loginuid, exe_writable, three capability sets). A tail of
// at most this size is read with that layout; a longer one has the later
// layout, which starts with pidns_init_start_ts and tty.
const preV010Tail = 4 + 1 + 8 + 8 + 8

func (r *Reader) parseProcList(body []byte, typ uint32) error {
	ver := plVersion(typ)
	str := string(body)
	for pos, i := 0, 0; len(body)-pos >= 4; i++ {
		d := newDec(body, str, pos)
		end := -1
		if ver == 9 {
			sub := d.u32()
			if sub != 0 {
				if sub < 4 || uint64(sub) > uint64(len(body)-pos) {
					return fmt.Errorf("process entry %d at byte %d: length %d exceeds the %d bytes left", i, pos, sub, len(body)-pos)
				}
				end = pos + int(sub)
				d.b = body[:end]
			}
		}
		p := NewProcess(0)
		p.Tid = d.i64()
		p.Pid = d.i64()
		p.Ptid = d.i64()
		if ver >= 6 {
			p.Sid = d.i64()
		}
		if ver >= 8 {
			p.Vpgid = d.i64()
		}
		p.Comm = d.str16()
		p.Exe = d.str16()
		if ver >= 7 {
			p.ExePath = d.str16()
		}
		p.Args = d.list16()
		p.Cwd = d.str16()
		p.FDLimit = d.i64()
		p.Flags = d.u32()
		p.UID = d.u32()
		p.GID = d.u32()
		if ver >= 2 {
			p.VMSizeKB = d.u32()
			p.VMRSSKB = d.u32()
			p.VMSwapKB = d.u32()
			p.PFMajor = d.u64()
			p.PFMinor = d.u64()
			if ver >= 3 {
				p.Env = d.list16()
			}
			if ver >= 4 {
				p.Vtid = d.i64()
				p.Vpid = d.i64()
				p.Cgroups = d.list16()
				if ver >= 5 {
					p.Root = d.str16()
				}
			}
		}
		if end >= 0 && d.err == nil {
			fits := func(n int) bool { return d.left() >= n }
			if d.left() > preV010Tail {
				if fits(8) {
					p.PidnsInitStartTs = d.u64()
				}
				if fits(4) {
					p.TTY = d.u32()
				}
			}
			if fits(4) {
				p.LoginUID = d.u32()
			}
			if fits(1) {
				p.ExeWritable = d.u8() != 0
			}
			if fits(8) {
				p.CapInheritable = d.u64()
			}
			if fits(8) {
				p.CapPermitted = d.u64()
			}
			if fits(8) {
				p.CapEffective = d.u64()
			}
			if fits(1) {
				p.ExeUpperLayer = d.u8() != 0
			}
			if fits(8) {
				p.ExeIno = d.u64()
			}
			if fits(8) {
				p.ExeInoCtime = d.u64()
			}
			if fits(8) {
				p.ExeInoMtime = d.u64()
			}
			if fits(1) {
				p.ExeFromMemfd = d.u8() != 0
			}
			if fits(1) {
				p.ExeLowerLayer = d.u8() != 0
			}
			if fits(8) {
				p.Pgid = d.i64()
			}
			d.p = end // later fields are skipped
		}
		if d.err != nil {
			return fmt.Errorf("process entry %d (block byte %d): %w", i, pos, d.err)
		}
		r.addProcess(p)
		pos = d.p
	}
	return nil
}

// addProcess appends p, or replaces the entry of the same thread (keeping
// its fds).
func (r *Reader) addProcess(p Process) {
	if r.tidIdx == nil {
		r.addProcessIndex()
	}
	if i, ok := r.tidIdx[p.Tid]; ok {
		p.FDs = r.md.Processes[i].FDs
		r.md.Processes[i] = p
		return
	}
	// An fd list read before its thread's entry joins it.
	if i, ok := r.orphanIdx[p.Tid]; ok {
		p.FDs = r.md.OrphanFDs[i].FDs
		last := len(r.md.OrphanFDs) - 1
		r.md.OrphanFDs[i] = r.md.OrphanFDs[last]
		r.orphanIdx[r.md.OrphanFDs[i].Tid] = i
		delete(r.orphanIdx, p.Tid)
		r.md.OrphanFDs = r.md.OrphanFDs[:last]
		if last == 0 {
			r.md.OrphanFDs = nil
		}
	}
	r.tidIdx[p.Tid] = len(r.md.Processes)
	r.md.Processes = append(r.md.Processes, p)
}

func (r *Reader) parseFDList(body []byte, typ uint32) error {
	v2 := typ == BlockFDLV2
	str := string(body)
	d := newDec(body, str, 0)
	tid := d.i64()
	if d.err != nil {
		return fmt.Errorf("thread id: %w", d.err)
	}
	var fds []FD
	for pos, i := d.p, 0; len(body)-pos >= 4; i++ {
		d := newDec(body, str, pos)
		end := -1
		if v2 {
			sub := d.u32()
			if sub != 0 {
				if sub < 4 || uint64(sub) > uint64(len(body)-pos) {
					return fmt.Errorf("fd entry %d at byte %d: length %d exceeds the %d bytes left", i, pos, sub, len(body)-pos)
				}
				end = pos + int(sub)
				d.b = body[:end]
			}
		}
		var fd FD
		fd.Num = d.i64()
		fd.Ino = d.u64()
		fd.Type = FDType(d.u8())
		switch fd.Type {
		case FDIPv4Sock:
			fd.SrcIP = netip.AddrFrom4([4]byte(d.take4()))
			fd.DstIP = netip.AddrFrom4([4]byte(d.take4()))
			fd.SrcPort = d.u16()
			fd.DstPort = d.u16()
			fd.L4Proto = d.u8()
		case FDIPv4Server:
			fd.SrcIP = netip.AddrFrom4([4]byte(d.take4()))
			fd.SrcPort = d.u16()
			fd.L4Proto = d.u8()
		case FDIPv6Sock:
			fd.SrcIP = netip.AddrFrom16([16]byte(d.take16()))
			fd.DstIP = netip.AddrFrom16([16]byte(d.take16()))
			fd.SrcPort = d.u16()
			fd.DstPort = d.u16()
			fd.L4Proto = d.u8()
		case FDIPv6Server:
			fd.SrcIP = netip.AddrFrom16([16]byte(d.take16()))
			fd.SrcPort = d.u16()
			fd.L4Proto = d.u8()
		case FDUnixSock:
			fd.Source = d.u64()
			fd.Dest = d.u64()
			fd.Name = d.str16()
		case FDFileV2:
			fd.OpenFlags = d.u32()
			fd.Name = d.str16()
			if end >= 0 && d.left() >= 4 {
				fd.Dev = d.u32()
			}
		case FDUnknown:
			// Nothing follows.
		default:
			if fd.Type.known() {
				fd.Name = d.str16()
			} else if end < 0 {
				if d.err == nil {
					return fmt.Errorf("fd entry %d (block byte %d): unknown fd type %d without an entry length", i, pos, fd.Type)
				}
			}
		}
		if d.err != nil {
			return fmt.Errorf("fd entry %d (block byte %d): %w", i, pos, d.err)
		}
		if end >= 0 {
			d.p = end
		}
		fds = append(fds, fd)
		pos = d.p
	}
	if r.tidIdx == nil {
		r.addProcessIndex()
	}
	if i, ok := r.tidIdx[tid]; ok {
		r.md.Processes[i].FDs = append(r.md.Processes[i].FDs, fds...)
		return nil
	}
	if i, ok := r.orphanIdx[tid]; ok {
		r.md.OrphanFDs[i].FDs = append(r.md.OrphanFDs[i].FDs, fds...)
		return nil
	}
	r.orphanIdx[tid] = len(r.md.OrphanFDs)
	r.md.OrphanFDs = append(r.md.OrphanFDs, FDList{Tid: tid, FDs: fds})
	return nil
}

// addProcessIndex indexes the metadata's threads and orphan fd lists by
// thread id.
func (r *Reader) addProcessIndex() {
	r.tidIdx = make(map[int64]int, len(r.md.Processes))
	for i := range r.md.Processes {
		r.tidIdx[r.md.Processes[i].Tid] = i
	}
	r.orphanIdx = make(map[int64]int, len(r.md.OrphanFDs))
	for i := range r.md.OrphanFDs {
		r.orphanIdx[r.md.OrphanFDs[i].Tid] = i
	}
}

func (d *dec) take4() []byte {
	if v := d.take(4); v != nil {
		return v
	}
	return make([]byte, 4)
}

func (d *dec) take16() []byte {
	if v := d.take(16); v != nil {
		return v
	}
	return make([]byte, 16)
}

// Interface entry types.
const (
	ifIPv4            = 1
	ifIPv6            = 2
	ifIPv4NoLinkSpeed = 3
	ifIPv6NoLinkSpeed = 4
)

func parseIfList(body []byte, typ uint32) ([]Interface, error) {
	v2 := typ == BlockILV2
	var ifs []Interface
	str := string(body)
	for pos, i := 0, 0; len(body)-pos >= 4; i++ {
		d := newDec(body, str, pos)
		end := -1
		if v2 {
			n := d.u32()
			if uint64(n) > uint64(len(body)-pos-4) {
				return nil, fmt.Errorf("interface entry %d at byte %d: length %d exceeds the %d bytes left", i, pos, n, len(body)-pos-4)
			}
			end = pos + 4 + int(n)
			d.b = body[:end]
		}
		t := d.u16()
		namelen := int(d.u16())
		var in Interface
		switch t {
		case ifIPv4, ifIPv4NoLinkSpeed:
			in.Addr = netip.AddrFrom4([4]byte(d.take4()))
			in.Netmask = netip.AddrFrom4([4]byte(d.take4()))
			in.Broadcast = netip.AddrFrom4([4]byte(d.take4()))
			if t == ifIPv4 {
				in.LinkSpeed = d.u64()
			}
		case ifIPv6, ifIPv6NoLinkSpeed:
			in.Addr = netip.AddrFrom16([16]byte(d.take16()))
			in.Netmask = netip.AddrFrom16([16]byte(d.take16()))
			in.Broadcast = netip.AddrFrom16([16]byte(d.take16()))
			if t == ifIPv6 {
				in.LinkSpeed = d.u64()
			}
		default:
			if d.err == nil {
				return nil, fmt.Errorf("interface entry %d (block byte %d): unknown type %d", i, pos, t)
			}
		}
		in.Name = d.sub(namelen)
		if j := strings.IndexByte(in.Name, 0); j >= 0 {
			in.Name = in.Name[:j]
		}
		if d.err != nil {
			return nil, fmt.Errorf("interface entry %d (block byte %d): %w", i, pos, d.err)
		}
		if end >= 0 {
			d.p = end
		}
		ifs = append(ifs, in)
		pos = d.p
	}
	return ifs, nil
}

// User list entry types.
const (
	ulUser  = 0
	ulGroup = 1
)

func parseUserList(body []byte, typ uint32) ([]User, []Group, error) {
	v2 := typ == BlockULV2
	var us []User
	var gs []Group
	str := string(body)
	for pos, i := 0, 0; len(body)-pos >= 4; i++ {
		d := newDec(body, str, pos)
		end := -1
		if v2 {
			sub := d.u32()
			if sub != 0 {
				if sub < 4 || uint64(sub) > uint64(len(body)-pos) {
					return nil, nil, fmt.Errorf("user entry %d at byte %d: length %d exceeds the %d bytes left", i, pos, sub, len(body)-pos)
				}
				end = pos + int(sub)
				d.b = body[:end]
			}
		}
		if d.u8() == ulUser {
			var u User
			u.UID = d.u32()
			u.GID = d.u32()
			u.Name = d.str16()
			u.HomeDir = d.str16()
			u.Shell = d.str16()
			if d.err == nil {
				us = append(us, u)
			}
		} else {
			var g Group
			g.GID = d.u32()
			g.Name = d.str16()
			if d.err == nil {
				gs = append(gs, g)
			}
		}
		if d.err != nil {
			return nil, nil, fmt.Errorf("user entry %d (block byte %d): %w", i, pos, d.err)
		}
		if end >= 0 {
			d.p = end
		}
		pos = d.p
	}
	return us, gs, nil
}
