package scap

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/internal/testenv"
)

// This file builds the block versions the Writer does not write (process
// lists V1 to V8, fd, interface and user lists V1, v1 event blocks), laid out
// by hand from the format description, to test the Reader on them; the
// sysdig test below checks that libscap reads the same values from them.

type lb struct{ b []byte }

func (l *lb) u8(v uint8)   { l.b = append(l.b, v) }
func (l *lb) u16(v uint16) { l.b = binary.LittleEndian.AppendUint16(l.b, v) }
func (l *lb) u32(v uint32) { l.b = binary.LittleEndian.AppendUint32(l.b, v) }
func (l *lb) u64(v uint64) { l.b = binary.LittleEndian.AppendUint64(l.b, v) }
func (l *lb) i64(v int64)  { l.u64(uint64(v)) }
func (l *lb) str(s string) { l.u16(uint16(len(s))); l.b = append(l.b, s...) }
func (l *lb) list(ss []string) {
	var b []byte
	for _, s := range ss {
		b = append(append(b, s...), 0)
	}
	l.u16(uint16(len(b)))
	l.b = append(l.b, b...)
}
func (l *lb) raw(b []byte) { l.b = append(l.b, b...) }

// blk frames body as a block of type t.
func blk(t uint32, body []byte) []byte {
	n := 8 + len(body)
	for n%4 != 0 {
		n++
	}
	n += 4
	b := binary.LittleEndian.AppendUint32(nil, t)
	b = binary.LittleEndian.AppendUint32(b, uint32(n))
	b = append(b, body...)
	for len(b) < n-4 {
		b = append(b, 0)
	}
	return binary.LittleEndian.AppendUint32(b, uint32(n))
}

func shb(major, minor uint16, opts []byte) []byte {
	var l lb
	l.u32(ByteOrderMagic)
	l.u16(major)
	l.u16(minor)
	l.i64(-1)
	l.raw(opts)
	return blk(BlockSHB, l.b)
}

// plTail selects what a V9 entry carries after the root directory.
type plTail int

const (
	tailNone   plTail = iota
	tailPre010        // loginuid, exe_writable, capabilities
	tailFull          // the current layout
)

// plEntry encodes p as a process list entry of version ver.
func plEntry(ver int, p *Process, tail plTail) []byte {
	var l lb
	if ver == 9 {
		l.u32(0)
	}
	l.i64(p.Tid)
	l.i64(p.Pid)
	l.i64(p.Ptid)
	if ver >= 6 {
		l.i64(p.Sid)
	}
	if ver >= 8 {
		l.i64(p.Vpgid)
	}
	l.str(p.Comm)
	l.str(p.Exe)
	if ver >= 7 {
		l.str(p.ExePath)
	}
	l.list(p.Args)
	l.str(p.Cwd)
	l.i64(p.FDLimit)
	l.u32(p.Flags)
	l.u32(p.UID)
	l.u32(p.GID)
	if ver >= 2 {
		l.u32(p.VMSizeKB)
		l.u32(p.VMRSSKB)
		l.u32(p.VMSwapKB)
		l.u64(p.PFMajor)
		l.u64(p.PFMinor)
		if ver >= 3 {
			l.list(p.Env)
		}
		if ver >= 4 {
			l.i64(p.Vtid)
			l.i64(p.Vpid)
			l.list(p.Cgroups)
			if ver >= 5 {
				l.str(p.Root)
			}
		}
	}
	if ver == 9 {
		b2 := func(v bool) uint8 {
			if v {
				return 1
			}
			return 0
		}
		if tail == tailFull {
			l.u64(p.PidnsInitStartTs)
			l.u32(p.TTY)
		}
		if tail != tailNone {
			l.u32(p.LoginUID)
			l.u8(b2(p.ExeWritable))
			l.u64(p.CapInheritable)
			l.u64(p.CapPermitted)
			l.u64(p.CapEffective)
		}
		if tail == tailFull {
			l.u8(b2(p.ExeUpperLayer))
			l.u64(p.ExeIno)
			l.u64(p.ExeInoCtime)
			l.u64(p.ExeInoMtime)
			l.u8(b2(p.ExeFromMemfd))
			l.u8(b2(p.ExeLowerLayer))
			l.i64(p.Pgid)
		}
		binary.LittleEndian.PutUint32(l.b, uint32(len(l.b)))
	}
	return l.b
}

// carried returns what a reader of a version-ver entry should get for p.
func carried(ver int, p *Process, tail plTail) Process {
	q := NewProcess(p.Tid)
	q.Pid, q.Ptid, q.Comm, q.Exe, q.Args, q.Cwd = p.Pid, p.Ptid, p.Comm, p.Exe, p.Args, p.Cwd
	q.FDLimit, q.Flags, q.UID, q.GID = p.FDLimit, p.Flags, p.UID, p.GID
	if ver >= 2 {
		q.VMSizeKB, q.VMRSSKB, q.VMSwapKB, q.PFMajor, q.PFMinor = p.VMSizeKB, p.VMRSSKB, p.VMSwapKB, p.PFMajor, p.PFMinor
	}
	if ver >= 3 {
		q.Env = p.Env
	}
	if ver >= 4 {
		q.Vtid, q.Vpid, q.Cgroups = p.Vtid, p.Vpid, p.Cgroups
	}
	if ver >= 5 {
		q.Root = p.Root
	}
	if ver >= 6 {
		q.Sid = p.Sid
	}
	if ver >= 7 {
		q.ExePath = p.ExePath
	}
	if ver >= 8 {
		q.Vpgid = p.Vpgid
	}
	if ver == 9 && tail != tailNone {
		q.LoginUID, q.ExeWritable = p.LoginUID, p.ExeWritable
		q.CapInheritable, q.CapPermitted, q.CapEffective = p.CapInheritable, p.CapPermitted, p.CapEffective
	}
	if ver == 9 && tail == tailFull {
		q.PidnsInitStartTs, q.TTY = p.PidnsInitStartTs, p.TTY
		q.ExeUpperLayer, q.ExeIno, q.ExeInoCtime, q.ExeInoMtime = p.ExeUpperLayer, p.ExeIno, p.ExeInoCtime, p.ExeInoMtime
		q.ExeFromMemfd, q.ExeLowerLayer, q.Pgid = p.ExeFromMemfd, p.ExeLowerLayer, p.Pgid
	}
	return q
}

var plTypes = map[int][]uint32{
	1: {BlockPLV1, BlockPLV1Int}, 2: {BlockPLV2, BlockPLV2Int}, 3: {BlockPLV3, BlockPLV3Int},
	4: {BlockPLV4}, 5: {BlockPLV5}, 6: {BlockPLV6}, 7: {BlockPLV7}, 8: {BlockPLV8}, 9: {BlockPLV9},
}

// sampleProcess has a distinct value in every field.
func sampleProcess(tid int64) Process {
	return Process{
		Tid: tid, Pid: tid, Ptid: 1, Sid: 7, Vpgid: 8, Pgid: 9,
		Comm: "legacyproc", Exe: "/usr/bin/legacy", ExePath: "/usr/bin/legacy-real",
		Args: []string{"-a", "b c"}, Env: []string{"HOME=/root", "X=1"}, Cwd: "/tmp/",
		FDLimit: 1024, Flags: 3, UID: 1000, GID: 1001, VMSizeKB: 11, VMRSSKB: 12, VMSwapKB: 13,
		PFMajor: 14, PFMinor: 15, Vtid: 16, Vpid: 17, Cgroups: []string{"cpu=/a", "memory=/b"},
		Root: "/", PidnsInitStartTs: 18, TTY: 34816, LoginUID: 1000, ExeWritable: true,
		ExeUpperLayer: true, ExeLowerLayer: true, ExeFromMemfd: true,
		CapInheritable: 19, CapPermitted: 20, CapEffective: 21, ExeIno: 22, ExeInoCtime: 23, ExeInoMtime: 24,
	}
}

// fdEntry encodes an fd list entry (with its length in V2).
func fdEntry(v2 bool, fd *FD) []byte {
	var l lb
	if v2 {
		l.u32(0)
	}
	l.i64(fd.Num)
	l.u64(fd.Ino)
	l.u8(uint8(fd.Type))
	switch fd.Type {
	case FDIPv4Sock:
		a, b := fd.SrcIP.As4(), fd.DstIP.As4()
		l.raw(a[:])
		l.raw(b[:])
		l.u16(fd.SrcPort)
		l.u16(fd.DstPort)
		l.u8(fd.L4Proto)
	case FDIPv6Sock:
		a, b := fd.SrcIP.As16(), fd.DstIP.As16()
		l.raw(a[:])
		l.raw(b[:])
		l.u16(fd.SrcPort)
		l.u16(fd.DstPort)
		l.u8(fd.L4Proto)
	case FDIPv4Server:
		a := fd.SrcIP.As4()
		l.raw(a[:])
		l.u16(fd.SrcPort)
		l.u8(fd.L4Proto)
	case FDUnixSock:
		l.u64(fd.Source)
		l.u64(fd.Dest)
		l.str(fd.Name)
	case FDFileV2:
		l.u32(fd.OpenFlags)
		l.str(fd.Name)
		l.u32(fd.Dev)
	default:
		l.str(fd.Name)
	}
	if v2 {
		binary.LittleEndian.PutUint32(l.b, uint32(len(l.b)))
	}
	return l.b
}

func fdlBlock(v2 bool, t uint32, tid int64, fds []FD) []byte {
	var l lb
	l.i64(tid)
	for i := range fds {
		l.raw(fdEntry(v2, &fds[i]))
	}
	return blk(t, l.b)
}

func userBlock(v2 bool, t uint32, us []User, gs []Group) []byte {
	var l lb
	for _, u := range us {
		s := len(l.b)
		if v2 {
			l.u32(0)
		}
		l.u8(0)
		l.u32(u.UID)
		l.u32(u.GID)
		l.str(u.Name)
		l.str(u.HomeDir)
		l.str(u.Shell)
		if v2 {
			binary.LittleEndian.PutUint32(l.b[s:], uint32(len(l.b)-s))
		}
	}
	for _, g := range gs {
		s := len(l.b)
		if v2 {
			l.u32(0)
		}
		l.u8(1)
		l.u32(g.GID)
		l.str(g.Name)
		if v2 {
			binary.LittleEndian.PutUint32(l.b[s:], uint32(len(l.b)-s))
		}
	}
	return blk(t, l.b)
}

// ilV1Block encodes interfaces as an IL V1 block; noSpeed selects the
// entry types without link speed.
func ilV1Block(t uint32, ifs []Interface, noSpeed bool) []byte {
	var l lb
	for _, in := range ifs {
		ty := uint16(ifIPv4)
		if in.Addr.Is6() {
			ty = ifIPv6
		}
		if noSpeed {
			ty += 2
		}
		l.u16(ty)
		l.u16(uint16(len(in.Name)))
		if in.Addr.Is4() {
			for _, a := range []netip.Addr{in.Addr, in.Netmask, in.Broadcast} {
				b := a.As4()
				l.raw(b[:])
			}
		} else {
			for _, a := range []netip.Addr{in.Addr, in.Netmask, in.Broadcast} {
				b := a.As16()
				l.raw(b[:])
			}
		}
		if !noSpeed {
			l.u64(in.LinkSpeed)
		}
		l.raw([]byte(in.Name))
	}
	return blk(t, l.b)
}

func miBlock(mi *MachineInfo) []byte {
	var l lb
	l.u32(mi.NumCPUs)
	l.u64(mi.MemoryBytes)
	l.u64(mi.MaxPID)
	var h [128]byte
	copy(h[:], mi.Hostname)
	l.raw(h[:])
	l.u64(mi.BootTime)
	l.u64(mi.Flags)
	l.u64(mi.Reserved3)
	l.u64(mi.Reserved4)
	return blk(BlockMI, l.b)
}

// v1Event turns a v2-layout event into the v1 layout (no parameter count).
func v1Event(raw []byte) []byte {
	b := append([]byte(nil), raw[:event.HeaderLenV1]...)
	b = append(b, raw[event.HeaderLen:]...)
	binary.LittleEndian.PutUint32(b[16:], uint32(len(b)))
	return b
}

// evBlock frames an event: v1 or v2 layout, with flags when withFlags.
func evBlock(t uint32, cpu uint16, flags uint32, withFlags bool, ev []byte) []byte {
	var l lb
	l.u16(cpu)
	if withFlags {
		l.u32(flags)
	}
	l.raw(ev)
	return blk(t, l.b)
}

func TestProcessListVersions(t *testing.T) {
	p := sampleProcess(4242)
	for ver := 1; ver <= 9; ver++ {
		tails := []plTail{tailNone}
		if ver == 9 {
			tails = []plTail{tailNone, tailPre010, tailFull}
		}
		for _, bt := range plTypes[ver] {
			for _, tail := range tails {
				var c []byte
				c = append(c, shb(1, 0, nil)...)
				c = append(c, blk(bt, append(plEntry(ver, &p, tail), plEntry(ver, &Process{Tid: 5, Pid: 5, Comm: "second"}, tail)...))...)
				md, _, err := readBytes(c)
				if err != nil {
					t.Fatalf("V%d 0x%x tail %d: %v", ver, bt, tail, err)
				}
				want := []Process{carried(ver, &p, tail), carried(ver, &Process{Tid: 5, Pid: 5, Comm: "second"}, tail)}
				if !reflect.DeepEqual(md.Processes, want) {
					t.Errorf("V%d 0x%x tail %d:\n got %+v\nwant %+v", ver, bt, tail, md.Processes, want)
				}
			}
		}
	}
}

var sampleFDs = []FD{
	{Num: 3, Ino: 100, Type: FDFile, Name: "/etc/legacy.conf"},
	{Num: 4, Ino: 101, Type: FDIPv4Sock, SrcIP: netip.MustParseAddr("10.0.0.1"), DstIP: netip.MustParseAddr("10.0.0.2"), SrcPort: 40000, DstPort: 80, L4Proto: 2},
	{Num: 5, Ino: 102, Type: FDUnixSock, Source: 0xffff0001, Dest: 0xffff0002, Name: "/run/legacy.sock"},
	{Num: 6, Ino: 103, Type: FDIPv6Sock, SrcIP: netip.MustParseAddr("2001:db8::1"), DstIP: netip.MustParseAddr("2001:db8::2"), SrcPort: 40001, DstPort: 443, L4Proto: 2},
	{Num: 7, Ino: 104, Type: FDIPv4Server, SrcIP: netip.MustParseAddr("0.0.0.0"), SrcPort: 8080, L4Proto: 2},
	{Num: 8, Ino: 105, Type: FDFifo, Name: "pipe:[105]"},
	{Num: 9, Ino: 106, Type: FDDirectory, Name: "/var/lib"},
	{Num: 10, Ino: 107, Type: FDFileV2, Name: "/var/log/legacy.log", OpenFlags: 0x401, Dev: 0x803},
}

var sampleUsers = []User{{UID: 1000, GID: 1001, Name: "alice", HomeDir: "/home/alice", Shell: "/bin/sh"}, {UID: 0, GID: 0, Name: "root", HomeDir: "/root", Shell: "/bin/bash"}}
var sampleGroups = []Group{{GID: 1001, Name: "alices"}, {GID: 0, Name: "root"}}

var sampleIfs = []Interface{
	{Name: "lo", Addr: netip.MustParseAddr("127.0.0.1"), Netmask: netip.MustParseAddr("255.0.0.0"), Broadcast: netip.MustParseAddr("127.0.0.1"), LinkSpeed: 10},
	{Name: "eth0", Addr: netip.MustParseAddr("2001:db8::5"), Netmask: netip.MustParseAddr("ffff:ffff::"), Broadcast: netip.MustParseAddr("::"), LinkSpeed: 1000},
}

func TestV1Lists(t *testing.T) {
	for _, v2 := range []bool{false, true} {
		for _, noSpeed := range []bool{false, true} {
			fdt, ult, ilt := uint32(BlockFDL), uint32(BlockUL), uint32(BlockIL)
			if v2 {
				fdt, ult = BlockFDLV2, BlockULV2
			}
			if noSpeed {
				fdt, ult, ilt = BlockFDLInt, BlockULInt, BlockILInt
				if v2 {
					fdt, ult = BlockFDLV2, BlockULV2
				}
			}
			fds := sampleFDs
			if !v2 {
				fds = fds[:len(fds)-1] // FILE_V2 entries came with V2 lists
			}
			p := sampleProcess(4242)
			var c []byte
			c = append(c, shb(1, 0, nil)...)
			c = append(c, ilV1Block(ilt, sampleIfs, noSpeed)...)
			c = append(c, userBlock(v2, ult, sampleUsers, sampleGroups)...)
			c = append(c, blk(BlockPLV5, plEntry(5, &p, tailNone))...)
			c = append(c, fdlBlock(v2, fdt, 4242, fds[:3])...)
			c = append(c, fdlBlock(v2, fdt, 4242, fds[3:])...)
			c = append(c, fdlBlock(v2, fdt, 99, fds[:1])...)
			md, _, err := readBytes(c)
			if err != nil {
				t.Fatalf("v2=%v: %v", v2, err)
			}
			wantIfs := sampleIfs
			if noSpeed {
				wantIfs = append([]Interface(nil), sampleIfs...)
				for i := range wantIfs {
					wantIfs[i].LinkSpeed = 0
				}
			}
			if !reflect.DeepEqual(md.Interfaces, wantIfs) {
				t.Errorf("interfaces %+v, want %+v", md.Interfaces, wantIfs)
			}
			if !reflect.DeepEqual(md.Users, sampleUsers) || !reflect.DeepEqual(md.Groups, sampleGroups) {
				t.Errorf("users %+v groups %+v", md.Users, md.Groups)
			}
			if len(md.Processes) != 1 || !reflect.DeepEqual(md.Processes[0].FDs, fds) {
				t.Errorf("fds %+v, want %+v", md.Processes, fds)
			}
			if !reflect.DeepEqual(md.OrphanFDs, []FDList{{Tid: 99, FDs: fds[:1]}}) {
				t.Errorf("orphans %+v", md.OrphanFDs)
			}
		}
	}
}

// TestV1Events checks v1 event blocks: the parameter count inferred for
// events with as many, fewer and more parameters than the schema, the
// flags variant, the old numbers, and the length quirk of two meta events.
func TestV1Events(t *testing.T) {
	evs := [][]byte{
		mkEvent(1, 10, event.SyscallCloseX, le64(0), le64(3)),                  // as the schema
		mkEvent(2, 10, event.SyscallCloseX, le64(0)),                           // fewer
		mkEvent(3, 10, event.SyscallCloseX, le64(0), le64(3), []byte("extra")), // more
		mkEvent(4, 10, event.SyscallCloseE),                                    // none
		mkEvent(5, 10, event.SyscallReadX, le64(5), []byte("hello"), le64(3), le32(5)),
		mkEvent(6, 10, event.NotificationE, []byte("1\x00"), []byte("desc\x00")),
	}
	var c []byte
	c = append(c, shb(1, 0, nil)...)
	var want []rec
	for i, ev := range evs {
		v1 := v1Event(ev)
		if event.Type(binary.LittleEndian.Uint16(ev[20:])) == event.NotificationE {
			// Old captures declare this event 3 bytes longer.
			binary.LittleEndian.PutUint32(v1[16:], uint32(len(v1)+3))
			v1 = append(v1, 0, 0, 0)
		}
		var b []byte
		flags := uint32(0)
		switch i % 3 {
		case 0:
			b = evBlock(BlockEV, uint16(i), 0, false, v1)
		case 1:
			flags = uint32(i)
			b = evBlock(BlockEVF, uint16(i), flags, true, v1)
		case 2:
			b = evBlock(BlockEVInt, uint16(i), 0, false, v1)
		}
		c = append(c, b...)
		want = append(want, rec{raw: ev, num: uint64(i + 1), cpu: uint16(i), flags: flags})
	}
	_, got, err := readBytes(c)
	if err != nil {
		t.Fatal(err)
	}
	if d := diffEvents(want, got); d != "" {
		t.Fatal(d)
	}
	// A v1 event whose lengths no parameter count explains.
	bad := v1Event(mkEvent(7, 10, event.SyscallCloseX, le64(0)))
	binary.LittleEndian.PutUint16(bad[event.HeaderLenV1:], 9)
	c2 := append(append([]byte(nil), c...), evBlock(BlockEV, 0, 0, false, bad)...)
	_, got, err = readBytes(c2)
	if len(got) != len(evs) || err == nil {
		t.Fatalf("%d events, err %v; want %d and an error", len(got), err, len(evs))
	}
	if be := asBlockError(t, err); be.Offset != int64(len(c)) || !strings.Contains(err.Error(), "parameter count") {
		t.Fatalf("error %v, want parameter count error at offset %d", err, len(c))
	}
}

// TestV2EventBlocks checks v2 blocks: flags, large blocks for large-payload
// types and for big events, bad events reported at their offset.
func TestV2EventBlocks(t *testing.T) {
	big := bytes.Repeat([]byte{'x'}, 30000)
	evs := []rec{
		{raw: mkEvent(1, 1, event.SyscallCloseE, le64(3)), num: 1},
		{raw: mkEvent(2, 1, event.SyscallCloseE, le64(3)), num: 2, flags: 1, cpu: 3},
		{raw: mkEvent(3, 1, event.PlugineventE, le32(1), big), num: 3},
		{raw: mkEvent(4, 1, event.PlugineventE, le32(1), []byte("x")), num: 4, flags: 2},
		{raw: mkEvent(5, 1, event.SyscallCloseE, big, big, big), num: 5},
	}
	out := writeCapture(t, nil, evs, nil)
	var types []uint32
	for _, b := range walkBlocks(t, out) {
		types = append(types, b.typ)
	}
	wantTypes := []uint32{BlockSHB, BlockEVV2, BlockEVFV2, BlockEVV2Large, BlockEVFV2Large, BlockEVV2Large}
	if !reflect.DeepEqual(types, wantTypes) {
		t.Fatalf("block types %x, want %x", types, wantTypes)
	}
	_, got, err := readBytes(out)
	if err != nil {
		t.Fatal(err)
	}
	if d := diffEvents(evs, got); d != "" {
		t.Fatal(d)
	}
	for _, tc := range []struct {
		name string
		mod  func(ev []byte)
		want string
	}{
		{"len too big", func(ev []byte) { binary.LittleEndian.PutUint32(ev[16:], 1000) }, "exceeds"},
		{"len too small", func(ev []byte) { binary.LittleEndian.PutUint32(ev[16:], 20) }, "shorter"},
		{"nparams", func(ev []byte) { binary.LittleEndian.PutUint32(ev[22:], 1000) }, "do not fit"},
		{"param len", func(ev []byte) { binary.LittleEndian.PutUint16(ev[26:], 1000) }, "parameter 0"},
	} {
		ev := mkEvent(9, 1, event.SyscallCloseE, le64(3))
		tc.mod(ev)
		head := writeCapture(t, nil, evs[:1], nil)
		c := append(append([]byte(nil), head...), evBlock(BlockEVV2, 0, 0, false, ev)...)
		_, got, err := readBytes(c)
		if len(got) != 1 || err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Fatalf("%s: %d events, err %v", tc.name, len(got), err)
		}
		if be := asBlockError(t, err); be.Offset != int64(len(head)) {
			t.Fatalf("%s: offset %d, want %d", tc.name, be.Offset, len(head))
		}
	}
}

// TestSkippedAndLateBlocks checks unknown blocks, events of unknown types,
// metadata after the first event, and a second section.
func TestSkippedAndLateBlocks(t *testing.T) {
	p1, p2 := sampleProcess(1), sampleProcess(2)
	ev := func(ts uint64) []byte { return evBlock(BlockEVV2, 0, 0, false, closeEvent(ts, 1, 3)) }
	unknownType := closeEvent(9, 1, 3)
	binary.LittleEndian.PutUint16(unknownType[20:], 0xfff0)
	var c []byte
	c = append(c, shb(1, 2, nil)...)
	c = append(c, blk(0x7777, []byte("future metadata"))...)
	c = append(c, blk(BlockPLV9, plEntry(9, &p1, tailFull))...)
	c = append(c, ev(1)...)
	c = append(c, evBlock(BlockEVV2, 0, 0, false, unknownType)...)
	c = append(c, blk(0x7778, nil)...)
	c = append(c, ev(2)...)
	c = append(c, blk(BlockPLV9, plEntry(9, &p2, tailFull))...)
	c = append(c, fdlBlock(true, BlockFDLV2, 2, sampleFDs[:2])...)
	c = append(c, ev(3)...)
	r, err := NewReader(bytes.NewReader(c))
	if err != nil {
		t.Fatal(err)
	}
	md := r.Metadata()
	if len(md.Processes) != 1 {
		t.Fatalf("%d processes before the events", len(md.Processes))
	}
	evs, err := readAllFrom(r)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 3 || evs[2].num != 3 || binary.LittleEndian.Uint64(evs[2].raw) != 3 {
		t.Fatalf("events %+v", evs)
	}
	if r.Metadata() != md || len(md.Processes) != 2 || len(md.Processes[1].FDs) != 2 {
		t.Fatalf("late metadata not merged: %+v", md.Processes)
	}
	st := r.Stats()
	want := ReaderStats{Events: 3, SkippedEvents: 1, UnknownBlocks: 2, MetadataBlocks: 3, LateMetadataBlocks: 2, Sections: 1}
	if st != want {
		t.Fatalf("stats %+v, want %+v", st, want)
	}

	// Two captures back to back: the second section brings its own
	// metadata; numbering goes on.
	two := append(append([]byte(nil), c...), c...)
	r, err = NewReader(bytes.NewReader(two))
	if err != nil {
		t.Fatal(err)
	}
	first := r.Metadata()
	evs, err = readAllFrom(r)
	if err != nil || len(evs) != 6 || evs[5].num != 6 {
		t.Fatalf("%d events, err %v", len(evs), err)
	}
	if r.Metadata() == first || len(r.Metadata().Processes) != 2 || r.Stats().Sections != 2 {
		t.Fatalf("second section: %+v", r.Stats())
	}
}

func TestSectionOptions(t *testing.T) {
	opts := appendOptions(nil, []Option{{Code: OptComment, Value: []byte("hello")}, {Code: OptSHBUserAppl, Value: []byte("syscope test")}})
	c := shb(1, 0, opts)
	c = append(c, evBlock(BlockEVV2, 0, 0, false, closeEvent(1, 1, 3))...)
	md, evs, err := readBytes(c)
	if err != nil || len(evs) != 1 {
		t.Fatalf("%d events, %v", len(evs), err)
	}
	if got := md.Section.Comments(); !reflect.DeepEqual(got, []string{"hello"}) {
		t.Fatalf("comments %q", got)
	}
	// Malformed options are counted, the header still read.
	c = shb(1, 0, []byte{1, 0, 200, 0, 'x', 0, 0, 0})
	c = append(c, evBlock(BlockEVV2, 0, 0, false, closeEvent(1, 1, 3))...)
	r, err := NewReader(bytes.NewReader(c))
	if err != nil {
		t.Fatal(err)
	}
	if r.Stats().MalformedOptions != 1 {
		t.Fatalf("stats %+v", r.Stats())
	}
}

// TestSysdigReadsLegacyBlocks has sysdig (libscap) read the hand-built old
// block versions and checks that it sees the process, user and fd values
// the Reader sees.
func TestSysdigReadsLegacyBlocks(t *testing.T) {
	sysdig := testenv.Tool(t, "sysdig")
	p := sampleProcess(4242)
	for ver := 1; ver <= 9; ver++ {
		for _, v2lists := range []bool{false, true} {
			fdt, ult := uint32(BlockFDL), uint32(BlockUL)
			if v2lists {
				fdt, ult = BlockFDLV2, BlockULV2
			}
			fds := sampleFDs
			if !v2lists {
				fds = fds[:len(fds)-1]
			}
			var c []byte
			c = append(c, shb(1, 0, nil)...)
			c = append(c, miBlock(&MachineInfo{NumCPUs: 2, MemoryBytes: 1 << 30, Hostname: "legacy"})...)
			c = append(c, ilV1Block(BlockIL, sampleIfs, false)...)
			c = append(c, userBlock(v2lists, ult, sampleUsers, sampleGroups)...)
			tail := tailNone
			if ver == 9 {
				tail = tailPre010
			}
			c = append(c, blk(plTypes[ver][0], plEntry(ver, &p, tail))...)
			c = append(c, fdlBlock(v2lists, fdt, p.Tid, fds)...)
			for i, fd := range fds {
				ev := mkEvent(1_700_000_000_000_000_000+uint64(i), p.Tid, event.SyscallReadE, le64(fd.Num), le32(8))
				if ver%2 == 0 {
					c = append(c, evBlock(BlockEV, 0, 0, false, v1Event(ev))...)
				} else {
					c = append(c, evBlock(BlockEVV2, 0, 0, false, ev)...)
				}
			}
			md, evs, err := readBytes(c)
			if err != nil || len(evs) != len(fds) {
				t.Fatalf("V%d: %d events, %v", ver, len(evs), err)
			}
			path := filepath.Join(t.TempDir(), fmt.Sprintf("legacy_v%d.scap", ver))
			if err := os.WriteFile(path, c, 0o644); err != nil {
				t.Fatal(err)
			}
			out := runTool(t, sysdig, "-r", path, "-p", "%proc.name|%proc.exe|%proc.args|%proc.cwd|%proc.pid|%user.uid|%user.name|%fd.num|%fd.name")
			lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
			proc := md.Processes[0]
			user := ""
			for _, u := range md.Users {
				if u.UID == proc.UID {
					user = u.Name
				}
			}
			for i, fd := range proc.FDs {
				want := strings.Join([]string{proc.Comm, proc.Exe, strings.Join(proc.Args, " "), proc.Cwd,
					fmt.Sprint(proc.Pid), fmt.Sprint(proc.UID), user, fmt.Sprint(fd.Num), fdName(&fd)}, "|")
				if i >= len(lines) || lines[i] != want {
					t.Errorf("V%d lists v2=%v: sysdig line %d:\n got %q\nwant %q\n(all: %q)", ver, v2lists, i, at(lines, i), want, out)
				}
			}
		}
	}
}

func at(ls []string, i int) string {
	if i < len(ls) {
		return ls[i]
	}
	return ""
}

// fdName renders an fd's name as sysdig's fd.name does for the kinds the
// legacy test uses.
func fdName(fd *FD) string {
	switch fd.Type {
	case FDIPv4Sock, FDIPv6Sock:
		// sysdig 0.29.3 writes IPv6 addresses without brackets.
		return fmt.Sprintf("%s:%d->%s:%d", fd.SrcIP, fd.SrcPort, fd.DstIP, fd.DstPort)
	case FDIPv4Server:
		return fmt.Sprintf("%s:%d", fd.SrcIP, fd.SrcPort)
	}
	return fd.Name
}

// TestFDListBeforeProcess checks that fd lists read before their thread's
// process entry join it.
func TestFDListBeforeProcess(t *testing.T) {
	var c []byte
	c = append(c, shb(1, 2, nil)...)
	c = append(c, fdlBlock(true, BlockFDLV2, 5, sampleFDs[:1])...)
	c = append(c, fdlBlock(true, BlockFDLV2, 6, sampleFDs[1:3])...)
	c = append(c, fdlBlock(true, BlockFDLV2, 8, sampleFDs[3:4])...)
	var pl []byte
	for _, tid := range []int64{5, 6, 7} {
		p := sampleProcess(tid)
		pl = append(pl, plEntry(9, &p, tailFull)...)
	}
	c = append(c, blk(BlockPLV9, pl)...)
	md, _, err := readBytes(c)
	if err != nil {
		t.Fatal(err)
	}
	if len(md.Processes) != 3 || len(md.Processes[0].FDs) != 1 || len(md.Processes[1].FDs) != 2 || md.Processes[2].FDs != nil {
		t.Fatalf("processes %+v", md.Processes)
	}
	if !reflect.DeepEqual(md.OrphanFDs, []FDList{{Tid: 8, FDs: sampleFDs[3:4]}}) {
		t.Fatalf("orphans %+v", md.OrphanFDs)
	}
}

// TestEventOptions checks the options after an event, in v1 and v2 blocks.
func TestEventOptions(t *testing.T) {
	opts := appendOptions(nil, []Option{{Code: OptComment, Value: []byte("a comment")}})
	ev := mkEvent(1, 1, event.SyscallCloseE, le64(3), []byte("x")) // 39 bytes: padded
	c := shb(1, 2, nil)
	for _, v1 := range []bool{false, true} {
		var l lb
		l.u16(0)
		if v1 {
			l.raw(v1Event(ev))
		} else {
			l.raw(ev)
		}
		for len(l.b)%4 != 0 {
			l.u8(0)
		}
		l.raw(opts)
		bt := uint32(BlockEVV2)
		if v1 {
			bt = BlockEV
		}
		c = append(c, blk(bt, l.b)...)
		c = append(c, evBlock(BlockEVV2, 0, 0, false, ev)...)
	}
	r, err := NewReader(bytes.NewReader(c))
	if err != nil {
		t.Fatal(err)
	}
	var e event.Event
	for i := 0; i < 4; i++ {
		if err := r.Next(&e); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(e.Raw, ev) {
			t.Fatalf("event %d: %x", i, e.Raw)
		}
		got, err := ParseOptions(r.EventOptions())
		if i%2 == 1 {
			if r.EventOptions() != nil {
				t.Fatalf("event %d: options %q", i, r.EventOptions())
			}
			continue
		}
		if err != nil || len(got) != 1 || string(got[0].Value) != "a comment" {
			t.Fatalf("event %d: options %+v, %v", i, got, err)
		}
	}
}
