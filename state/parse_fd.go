package state

import (
	"encoding/binary"
	"strconv"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/internal/sinsptext"
)

// Linux socket constants the socket parser needs.
const (
	sockStream  = 1
	sockDgram   = 2
	sockRaw     = 3
	ipprotoIP   = 0
	ipprotoICMP = 1
	ipprotoTCP  = 6
	ipprotoUDP  = 17
	ipprotoRaw  = 255
	einprogress = 115
	atFdcwd     = -100
)

// newTmp returns the state's scratch descriptor, reset as a fresh one.
func (s *State) newTmp() *FD {
	f := &s.tmpFD
	f.reset(0)
	f.Type = FDUninitialized
	f.freshSeq = freshTmp
	return f
}

// freshTmp marks the scratch descriptor as built from scratch; copying
// another descriptor into it replaces the mark.
const freshTmp = ^uint64(0)

// addFD stores a copy of src as descriptor num of t's process, as sinsp's
// add_fd: it also becomes the thread's last event fd and the event's fd.
func (s *State) addFD(c *Ctx, t *Thread, num int64, src *FD) *FD {
	t.LastEventFD = num
	ft := s.fdTableOf(t)
	if ft == nil {
		c.FD = nil
		return nil
	}
	fresh := src != nil && src.freshSeq == freshTmp
	f := ft.put(num, src)
	c.FD = f
	if f != nil {
		f.freshSeq = 0
		if fresh {
			f.freshSeq = s.evSeq
		}
	}
	return f
}

// newFDResult returns the thread of an event that creates a descriptor and
// the descriptor its result (parameter 0) names; ok is false when the thread
// is unknown or the call failed.
func newFDResult(e *event.Event, c *Ctx) (t *Thread, fd int64, ok bool) {
	if c.Thread == nil {
		return nil, 0, false
	}
	fd, ok = e.Int(0)
	if !ok || fd < 0 {
		return nil, 0, false
	}
	return c.Thread, fd, true
}

func (s *State) addSimpleFD(e *event.Event, c *Ctx, typ FDType) {
	t, fd, ok := newFDResult(e, c)
	if !ok {
		return
	}
	f := s.newTmp()
	f.Type = typ
	if typ == FDPidfd {
		if pid, ok := e.Int(1); ok {
			f.Pid = pid
			f.Name = append(f.Name[:0], "/proc/"...)
			f.Name = strconv.AppendInt(f.Name, pid, 10)
		}
		if fl, ok := e.Uint(2); ok {
			f.OpenFlags = uint32(fl)
		}
	}
	s.addFD(c, t, fd, f)
}

func (s *State) parseMemfdExit(e *event.Event, c *Ctx) {
	t, fd, ok := newFDResult(e, c)
	if !ok {
		return
	}
	f := s.newTmp()
	f.Type = FDMemfd
	if n, ok := e.Str(1); ok {
		f.Name = append(f.Name[:0], n...)
	}
	if fl, ok := e.Uint(2); ok {
		f.OpenFlags = uint32(fl)
	}
	s.addFD(c, t, fd, f)
}

func (s *State) parsePidfdGetfdExit(e *event.Event, c *Ctx) {
	t, fd, ok := newFDResult(e, c)
	if !ok {
		return
	}
	pidfd, _ := e.Int(1)
	target, _ := e.Int(2)
	pf := s.getFD(t, pidfd)
	if pf == nil || pf.Type != FDPidfd {
		return
	}
	pt := s.threads[pf.Pid]
	if pt == nil {
		return
	}
	src := pt.FD(target)
	if src == nil {
		return
	}
	f := s.newTmp()
	f.copyFrom(src)
	f.OpenFlags |= openCloexec
	s.addFD(c, t, fd, f)
}

// ------------------------------------------------------------ files

func (s *State) parseOpenExit(e *event.Event, c *Ctx, et event.Type) {
	t := c.Thread
	if t == nil {
		return
	}
	var ee *event.Event
	if et != event.SyscallOpenByHandleAtX {
		ee = s.retrieveEnter(c, et)
	}
	fd, ok := e.Int(0)
	if !ok {
		s.stats.ParseErrors++
		return
	}
	ev := &s.pv
	ev.load(e)
	var env *paramView
	if ee != nil {
		env = &s.pvEnter
		env.load(ee)
	}
	var (
		name    []byte
		rawLen  int
		flags   uint32
		dev     uint32
		ino     uint64
		dirfd   int64
		useDir  bool // resolve against dirfd
		absOnly bool
	)
	fromEnterName := func(idx int) ([]byte, int, bool) {
		p, ok := env.Param(idx)
		if !ok {
			return nil, 0, false
		}
		n := cstr(p)
		if len(p) == 0 || string(n) == "<NA>" || string(n) == "(NULL)" {
			return nil, 0, false
		}
		return n, len(p), true
	}
	u32 := func(v *paramView, i int) uint32 { x, _ := v.Uint(i); return uint32(x) }
	switch et {
	case event.SyscallOpenX:
		p, _ := ev.Param(1)
		name, rawLen, flags = cstr(p), len(p), u32(ev, 2)
		if ev.NParams() > 4 {
			dev = u32(ev, 4)
			if ev.NParams() > 5 {
				ino, _ = ev.Uint(5)
			}
		}
		if ee != nil && env.NParams() >= 2 {
			if n, l, ok := fromEnterName(0); ok {
				name, rawLen, flags = n, l, u32(env, 1)
			}
		}
	case event.SyscallCreatX:
		p, _ := ev.Param(1)
		name, rawLen = cstr(p), len(p)
		if ev.NParams() > 3 {
			dev = u32(ev, 3)
			if ev.NParams() > 4 {
				ino, _ = ev.Uint(4)
			}
		}
		if ee != nil && env.NParams() >= 1 {
			if n, l, ok := fromEnterName(0); ok {
				name, rawLen, flags = n, l, 0
			}
		}
	case event.SyscallOpenatX:
		// the oldest openat exit carries only the fd: everything comes
		// from the enter event
		if ee == nil {
			return
		}
		p, _ := env.Param(1)
		name, rawLen, flags = cstr(p), len(p), u32(env, 2)
		dirfd, _ = ee.Int(0)
		useDir = true
	case event.SyscallOpenatV2X, event.SyscallOpenat2X:
		p, _ := ev.Param(2)
		name, rawLen, flags = cstr(p), len(p), u32(ev, 3)
		dirfd, _ = e.Int(1)
		devIdx := 5
		if et == event.SyscallOpenat2X {
			devIdx = 6
		}
		if ev.NParams() > devIdx {
			dev = u32(ev, devIdx)
			if ev.NParams() > devIdx+1 {
				ino, _ = ev.Uint(devIdx + 1)
			}
		}
		if ee != nil && env.NParams() >= 3 {
			if n, l, ok := fromEnterName(1); ok {
				name, rawLen, flags = n, l, u32(env, 2)
				dirfd, _ = ee.Int(0)
			}
		}
		useDir = true
	case event.SyscallOpenByHandleAtX:
		flags = u32(ev, 2)
		p, _ := ev.Param(3)
		name, rawLen = cstr(p), len(p)
		absOnly = true
	}

	var dir []byte
	switch {
	case absOnly:
		dir = nil
	case useDir:
		s.dir = s.parseDirfd(s.dir[:0], c, t, name, dirfd)
		dir = s.dir
	default:
		if m := s.MainThread(t); m != nil {
			s.dir = append(s.dir[:0], m.cwd...)
		} else {
			s.dir = append(s.dir[:0], "./"...)
		}
		dir = s.dir
	}
	if fd < 0 {
		return
	}
	f := s.newTmp()
	if flags&openDirectory != 0 {
		f.Type = FDDirectory
	} else {
		f.Type = FDFileV2
	}
	f.OpenFlags = flags
	f.Dev, f.Ino = dev, ino
	f.NameRaw = append(f.NameRaw[:0], name...)
	f.Name = appendJoin(f.Name[:0], dir, name, rawLen)
	s.addFD(c, t, fd, f)
}

// parseDirfd appends the directory a relative path of an *at call is
// resolved against: "." for an absolute path, the cwd for AT_FDCWD, the
// dirfd's name with a slash, or "<UNKNOWN>". Like sinsp, a dirfd lookup
// becomes the event's fd.
func (s *State) parseDirfd(dst []byte, c *Ctx, t *Thread, name []byte, dirfd int64) []byte {
	if len(name) > 0 && name[0] == '/' {
		return append(dst, '.')
	}
	if dirfd == atFdcwd {
		if m := s.MainThread(t); m != nil {
			return append(dst, m.cwd...)
		}
		return append(dst, "./"...)
	}
	c.FD = s.getFD(t, dirfd)
	if c.FD == nil {
		return append(dst, "<UNKNOWN>"...)
	}
	dst = append(dst, c.FD.Name...)
	// sinsp tests the byte past the end of the name, which is never a
	// slash, so a slash is always added
	return append(dst, '/')
}

// ------------------------------------------------------------ sockets

func (s *State) addSocket(c *Ctx, t *Thread, fd int64, domain, typ, proto uint32) {
	f := s.newTmp()
	f.Type = FDUnknown
	switch domain {
	case afUnix:
		f.Type = FDUnixSock
	case afInet, afInet6:
		l4 := L4Unknown
		switch proto {
		case ipprotoTCP:
			l4 = L4TCP
			if typ == sockRaw {
				l4 = L4Raw
			}
		case ipprotoUDP:
			l4 = L4UDP
			if typ == sockRaw {
				l4 = L4Raw
			}
		case ipprotoIP:
			switch typ & 0xff {
			case sockStream:
				l4 = L4TCP
			case sockDgram:
				l4 = L4UDP
			}
		case ipprotoICMP:
			l4 = L4ICMP
			if typ == sockRaw {
				l4 = L4Raw
			}
		case ipprotoRaw:
			l4 = L4Raw
		}
		if domain == afInet {
			f.Type = FDIPv4Sock
			f.sock[v4L4] = l4
		} else {
			f.Type = FDIPv6Sock
			f.sock[v6L4] = l4
		}
	case afNetlink:
		f.Type = FDNetlink
	}
	if f.Type == FDUnknown {
		return
	}
	s.addFD(c, t, fd, f)
}

func (s *State) inferSendto(e *event.Event, c *Ctx) {
	fd, ok := e.Int(0)
	if !ok || fd < 0 {
		return
	}
	p, ok := e.Param(2)
	if !ok || len(p) == 0 {
		return
	}
	switch p[0] {
	case afInet:
		s.addSocket(c, c.Thread, fd, afInet, sockDgram, ipprotoUDP)
	case afInet6:
		s.addSocket(c, c.Thread, fd, afInet6, sockDgram, ipprotoUDP)
	}
}

func (s *State) parseSocketExit(e *event.Event, c *Ctx, et event.Type) {
	fd, ok := e.Int(0)
	if !ok || fd < 0 {
		return
	}
	t := c.Thread
	if t == nil {
		return
	}
	src, off := s.retrieveEnter(c, et), 0
	if src == nil {
		if t.enterValid || e.NParams() < 4 {
			return
		}
		src, off = e, 1
	}
	d, ok1 := src.Uint(off)
	ty, ok2 := src.Uint(off + 1)
	pr, ok3 := src.Uint(off + 2)
	if !ok1 || !ok2 || !ok3 {
		s.stats.ParseErrors++
		return
	}
	s.addSocket(c, t, fd, uint32(d), uint32(ty), uint32(pr))
}

func (s *State) parseBindExit(e *event.Event, c *Ctx) {
	f := c.FD
	if f == nil {
		return
	}
	if !succeeded(e) {
		return
	}
	p, ok := e.Param(1)
	if !ok || len(p) == 0 {
		return
	}
	switch p[0] {
	case afInet:
		if len(p) >= 7 {
			if port := binary.LittleEndian.Uint16(p[5:]); port > 0 {
				l4 := f.sock[v4L4]
				f.Type = FDIPv4ServSock
				copy(f.sock[sv4IP:sv4IP+4], p[1:5])
				f.setU16(sv4Port, port)
				f.sock[sv4L4] = l4
				f.Flags |= FDRoleServer
			}
		}
	case afInet6:
		if len(p) >= 19 {
			if port := binary.LittleEndian.Uint16(p[17:]); port > 0 {
				if sinsptext.IsIPv4Mapped(p[1:17]) {
					l4 := f.sock[v6L4]
					f.Type = FDIPv4ServSock
					f.sock[sv4L4] = l4
					copy(f.sock[sv4IP:sv4IP+4], p[13:17])
					f.setU16(sv4Port, port)
				} else {
					l4 := f.sock[v6L4]
					f.Type = FDIPv6ServSock
					f.setU16(sv6Port, port)
					copy(f.sock[sv6IP:sv6IP+16], p[1:17])
					f.sock[sv6L4] = l4
				}
				f.Flags |= FDRoleServer
			}
		}
	}
	f.Name = appendSockaddrStr(f.Name[:0], p)
}

func (s *State) parseConnectEnter(e *event.Event, c *Ctx) {
	f := c.FD
	if f == nil {
		return
	}
	if e.NParams() < 2 {
		if !s.opts.Modern {
			return
		}
		switch f.Type {
		case FDIPv4Sock:
			copy(f.sock[v4DIP:v4DIP+4], zero16[:4])
			f.setU16(v4DPort, 0)
			f.Name = appendTupleV4(f.Name[:0], f)
		case FDIPv6Sock:
			copy(f.sock[v6DIP:v6DIP+16], zero16[:])
			f.setU16(v6DPort, 0)
			f.Name = appendTupleV6(f.Name[:0], f)
		}
		return
	}
	p, ok := e.Param(1)
	if !ok || len(p) == 0 {
		return
	}
	switch p[0] {
	case afInet:
		if len(p) >= 7 {
			f.Type = FDIPv4Sock
			copy(f.sock[v4DIP:v4DIP+4], p[1:5])
			copy(f.sock[v4DPort:v4DPort+2], p[5:7])
		}
	case afInet6:
		if len(p) >= 19 {
			port := binary.LittleEndian.Uint16(p[17:])
			if sinsptext.IsIPv4Mapped(p[1:17]) {
				f.Type = FDIPv4Sock
				copy(f.sock[v4DIP:v4DIP+4], p[13:17])
				f.setU16(v4DPort, port)
			} else {
				f.Type = FDIPv6Sock
				f.setU16(v6DPort, port)
				copy(f.sock[v6DIP:v6DIP+16], p[1:17])
			}
		}
	default:
		f.Name = appendSockaddrStr(f.Name[:0], p)
		setUnixFromPacked(f, p)
	}
}

var zero16 [16]byte

// setUnixFromPacked stores the two pointers that follow the family byte of
// a packed address (for a sockaddr, sinsp reads the path's bytes there).
func setUnixFromPacked(f *FD, p []byte) {
	var b [17]byte
	copy(b[:], p)
	copy(f.sock[unixSrc:unixSrc+16], b[1:17])
}

func (s *State) parseConnectExit(e *event.Event, c *Ctx) {
	f := c.FD
	if f == nil {
		return
	}
	res, ok := e.Int(0)
	if !ok {
		return
	}
	if res < 0 && res != -einprogress {
		return
	}
	f.Flags = f.Flags&^fdConnectionStateMsk | FDSocketConnected
	p, ok := e.Param(1)
	if !ok || len(p) == 0 {
		return
	}
	s.fillClientSocket(f, p)
}

// fillClientSocket updates a connecting socket from the connect tuple.
func (s *State) fillClientSocket(f *FD, p []byte) {
	switch p[0] {
	case afInet, afInet6:
		changed := false
		if p[0] == afInet6 {
			if len(p) < 37 {
				return
			}
			if !(sinsptext.IsIPv4Mapped(p[1:17]) && sinsptext.IsIPv4Mapped(p[19:35])) {
				f.Type = FDIPv6Sock
				changed = setIPv6Tuple(f, p, false)
			} else {
				f.Type = FDIPv4Sock
				changed = setIPv4Tuple(f, p[13:17], p[17:19], p[31:35], p[35:37], false)
			}
		} else {
			if len(p) < 13 {
				return
			}
			f.Type = FDIPv4Sock
			changed = setIPv4Tuple(f, p[1:5], p[5:7], p[7:11], p[11:13], false)
		}
		if changed && f.Flags&FDRoleServer != 0 && f.Type == FDIPv4Sock && f.sock[v4L4] == L4UDP {
			swapAddresses(f)
		}
		f.Name = appendSockName(f.Name[:0], f)
	default:
		f.Name = appendSocktupleStr(f.Name[:0], p)
		setUnixFromPacked(f, p)
	}
	if f.Flags&fdRoleMask == 0 {
		f.Flags |= FDRoleClient
	}
}

// setIPv4Tuple updates an IPv4 tuple; it reports whether anything changed.
// The destination is only overwritten when unset or when overwrite is true.
func setIPv4Tuple(f *FD, sip, sport, dip, dport []byte, overwrite bool) bool {
	return setTuple(f, FDIPv4Sock,
		f.sock[v4SIP:v4SIP+4], f.sock[v4SPort:v4SPort+2], f.sock[v4DIP:v4DIP+4], f.sock[v4DPort:v4DPort+2],
		sip, sport, dip, dport, overwrite)
}

// setIPv6Tuple updates an IPv6 tuple from a packed PT_SOCKTUPLE.
func setIPv6Tuple(f *FD, p []byte, overwrite bool) bool {
	return setTuple(f, FDIPv6Sock,
		f.sock[v6SIP:v6SIP+16], f.sock[v6SPort:v6SPort+2], f.sock[v6DIP:v6DIP+16], f.sock[v6DPort:v6DPort+2],
		p[1:17], p[17:19], p[19:35], p[35:37], overwrite)
}

// setTuple copies a tuple's ends into the fd's stored ends (cs, csp, cd,
// cdp: slices of f.sock). A tuple equal to the stored one, either way
// round, on a socket already of type typ changes nothing; the destination
// is only overwritten when unset or when overwrite is true. It reports
// whether anything changed.
func setTuple(f *FD, typ FDType, cs, csp, cd, cdp, sip, sport, dip, dport []byte, overwrite bool) bool {
	if f.Type == typ {
		if (eq(sip, cs) && eq(sport, csp) && eq(dip, cd) && eq(dport, cdp)) ||
			(eq(dip, cs) && eq(dport, csp) && eq(sip, cd) && eq(sport, cdp)) {
			return false
		}
	}
	changed := false
	if !eq(cs, sip) {
		copy(cs, sip)
		changed = true
	}
	if !eq(csp, sport) {
		copy(csp, sport)
		changed = true
	}
	if allZero(cd) || (overwrite && !eq(cd, dip)) {
		copy(cd, dip)
		changed = true
	}
	if allZero(cdp) || (overwrite && !eq(cdp, dport)) {
		copy(cdp, dport)
		changed = true
	}
	return changed
}

func eq(a, b []byte) bool { return string(a) == string(b) }

func allZero(a []byte) bool {
	for _, c := range a {
		if c != 0 {
			return false
		}
	}
	return true
}

// swapAddresses exchanges the two ends of a socket's tuple.
func swapAddresses(f *FD) {
	if f.Type == FDIPv4Sock {
		var t [6]byte
		copy(t[:4], f.sock[v4SIP:])
		copy(t[4:], f.sock[v4SPort:v4SPort+2])
		copy(f.sock[v4SIP:v4SIP+4], f.sock[v4DIP:v4DIP+4])
		copy(f.sock[v4SPort:v4SPort+2], f.sock[v4DPort:v4DPort+2])
		copy(f.sock[v4DIP:v4DIP+4], t[:4])
		copy(f.sock[v4DPort:v4DPort+2], t[4:])
		return
	}
	var t [18]byte
	copy(t[:16], f.sock[v6SIP:])
	copy(t[16:], f.sock[v6SPort:v6SPort+2])
	copy(f.sock[v6SIP:v6SIP+16], f.sock[v6DIP:v6DIP+16])
	copy(f.sock[v6SPort:v6SPort+2], f.sock[v6DPort:v6DPort+2])
	copy(f.sock[v6DIP:v6DIP+16], t[:16])
	copy(f.sock[v6DPort:v6DPort+2], t[16:])
}

func (s *State) parseAcceptExit(e *event.Event, c *Ctx) {
	t, fd, ok := newFDResult(e, c)
	if !ok {
		return
	}
	t.LastEventFD = fd
	p, ok := e.Param(1)
	if !ok || len(p) == 0 {
		return
	}
	f := s.newTmp()
	switch p[0] {
	case afInet:
		if len(p) < 13 {
			return
		}
		setIPv4Tuple(f, p[1:5], p[5:7], p[7:11], p[11:13], true)
		f.Type = FDIPv4Sock
		f.sock[v4L4] = L4TCP
	case afInet6:
		if len(p) < 37 {
			return
		}
		if sinsptext.IsIPv4Mapped(p[1:17]) && sinsptext.IsIPv4Mapped(p[19:35]) {
			setIPv4Tuple(f, p[13:17], p[17:19], p[31:35], p[35:37], true)
			f.Type = FDIPv4Sock
			f.sock[v4L4] = L4TCP
		} else {
			setIPv6Tuple(f, p, true)
			f.Type = FDIPv6Sock
			f.sock[v6L4] = L4TCP
		}
	case afUnix:
		f.Type = FDUnixSock
		setUnixFromPacked(f, p)
	default:
		return
	}
	f.Name = appendSocktupleStr(f.Name[:0], p)
	f.Flags = FDRoleServer | FDSocketConnected
	s.addFD(c, t, fd, f)
}

func (s *State) parseSocketpairExit(e *event.Event, c *Ctx) {
	if !succeeded(e) {
		return
	}
	t := c.Thread
	if t == nil {
		return
	}
	fd1, ok1 := e.Int(1)
	fd2, ok2 := e.Int(2)
	src, ok3 := e.Uint(3)
	dst, ok4 := e.Uint(4)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		s.stats.ParseErrors++
		return
	}
	f := s.newTmp()
	f.Type = FDUnixSock
	binary.LittleEndian.PutUint64(f.sock[unixSrc:], src)
	binary.LittleEndian.PutUint64(f.sock[unixDst:], dst)
	first := s.addFD(c, t, fd1, f)
	s.addFD(c, t, fd2, f)
	c.FD = first
}

func (s *State) parsePipeExit(e *event.Event, c *Ctx) {
	if !succeeded(e) {
		return
	}
	t := c.Thread
	if t == nil {
		return
	}
	fd1, ok1 := e.Int(1)
	fd2, ok2 := e.Int(2)
	ino, _ := e.Uint(3)
	if !ok1 || !ok2 {
		s.stats.ParseErrors++
		return
	}
	var fl uint32
	if e.Type() == event.SyscallPipe2X {
		if v, ok := e.Uint(4); ok {
			fl = uint32(v)
		}
	}
	for _, fd := range [2]int64{fd1, fd2} {
		f := s.newTmp()
		f.Type = FDFifo
		f.Ino = ino
		f.OpenFlags = fl
		s.addFD(c, t, fd, f)
	}
}

// ------------------------------------------------------------ close, dup

func (s *State) parseCloseExit(e *event.Event, c *Ctx) {
	res, ok := e.Int(0)
	if !ok {
		return
	}
	t := c.Thread
	if res < 0 {
		if c.FD != nil {
			c.FD.Flags &^= fdCloseInProgress
		}
		return
	}
	if c.FD == nil || t == nil {
		return
	}
	if c.FD.Flags&fdCloseCanceled != 0 {
		c.FD.Flags &^= fdCloseCanceled
		if s.getFD(t, canceledFD) != nil {
			s.scheduleFDRemoval(t, canceledFD)
		}
		return
	}
	s.scheduleFDRemoval(t, t.LastEventFD)
}

func (s *State) parseCloseRangeExit(e *event.Event, c *Ctx) {
	t := c.Thread
	if t == nil {
		return
	}
	if !succeeded(e) {
		return
	}
	first, _ := e.Uint(1)
	last, _ := e.Uint(2)
	fl, _ := e.Uint(3)
	ft := s.fdTableOf(t)
	if ft == nil {
		return
	}
	const cloexec = 1 << 2
	var drop []int64
	ft.forEach(func(f *FD) bool {
		if f.Num >= 0 && uint64(f.Num) >= first && uint64(f.Num) <= last {
			if fl&cloexec != 0 {
				f.OpenFlags |= openCloexec
			} else {
				drop = append(drop, f.Num)
			}
		}
		return true
	})
	for _, n := range drop {
		ft.remove(n)
	}
}

func (s *State) parseDupExit(e *event.Event, c *Ctx, et event.Type) {
	t := c.Thread
	if t == nil {
		return
	}
	res, ok := e.Int(0)
	if !ok || res < 0 {
		return
	}
	if res == 0 {
		t.Flags |= pplClPipeDst
	}
	if res == 1 {
		t.Flags |= pplClPipeSrc
	}
	if c.FD == nil && !t.enterValid && et != event.SyscallDupX {
		if old, ok := e.Int(1); ok {
			c.FD = s.getFD(t, old)
		}
	}
	if c.FD == nil {
		return
	}
	if et == event.SyscallDup3X {
		if fl, ok := e.Uint(3); ok {
			if fl != 0 {
				c.FD.OpenFlags |= uint32(fl)
			} else {
				c.FD.OpenFlags &^= openCloexec
			}
		}
	}
	f := s.newTmp()
	f.copyFrom(c.FD)
	s.addFD(c, t, res, f)
}

func (s *State) parseFcntlExit(e *event.Event, c *Ctx, et event.Type) {
	res, ok := e.Int(0)
	if !ok {
		return
	}
	t := c.Thread
	if t == nil {
		return
	}
	if s.retrieveEnter(c, et) == nil {
		if t.enterValid {
			return
		}
		cmd, ok := e.Uint(2)
		if !ok || (cmd != fcntlDupfd && cmd != fcntlDupfdCloexec) {
			return
		}
		if c.FD == nil {
			if fd, ok := e.Int(1); ok {
				c.FD = s.getFD(t, fd)
			}
		}
	}
	if res < 0 || c.FD == nil {
		return
	}
	f := s.newTmp()
	f.copyFrom(c.FD)
	s.addFD(c, t, res, f)
}

// ------------------------------------------------------------ read/write

func (s *State) parseRWExit(e *event.Event, c *Ctx, et event.Type) {
	f := c.FD
	if f == nil {
		return
	}
	if !succeeded(e) {
		return
	}
	if f.Type == FDIPv4Sock || f.Type == FDIPv6Sock {
		f.Flags = f.Flags&^fdConnectionStateMsk | FDSocketConnected
	}
	isTCP := f.Type == FDIPv4Sock && f.sock[v4L4] == L4TCP
	if SinspFlags(et)&event.EFReadsFromFd != 0 {
		idx := -1
		switch et {
		case event.SocketRecvfromX:
			idx = 2
		case event.SocketRecvmsgX:
			idx = 3
		}
		if idx < 0 || !(len(f.Name) == 0 || !isTCP) {
			return
		}
		p, ok := e.Param(idx)
		if !ok {
			return
		}
		s.updateTuple(c, f, p, true)
		return
	}
	if et != event.SocketSendtoX && et != event.SocketSendmsgX {
		return
	}
	if !(len(f.Name) == 0 || !isTCP) {
		return
	}
	var (
		p  []byte
		ok bool
	)
	if ee := s.retrieveEnter(c, et); ee != nil {
		p, ok = ee.Param(2)
	} else if c.Thread != nil && !c.Thread.enterValid {
		p, ok = e.Param(4)
	} else {
		return
	}
	if !ok {
		return
	}
	s.updateTuple(c, f, p, false)
}

// updateTuple applies a send/receive tuple to a socket, as sinsp's
// update_fd followed by its role and name logic.
func (s *State) updateTuple(c *Ctx, f *FD, p []byte, incoming bool) {
	if len(p) == 0 {
		return
	}
	switch p[0] {
	case afInet:
		if len(p) < 13 {
			return
		}
		if f.Type == FDIPv4ServSock {
			f.sock[v4L4] = f.sock[sv4L4]
		}
		f.Type = FDIPv4Sock
		if !setIPv4Tuple(f, p[1:5], p[5:7], p[7:11], p[11:13], s.opts.Modern) {
			return
		}
	case afInet6:
		if len(p) < 37 {
			return
		}
		if sinsptext.IsIPv4Mapped(p[1:17]) && sinsptext.IsIPv4Mapped(p[19:35]) {
			f.Type = FDIPv4Sock
			if !setIPv4Tuple(f, p[13:17], p[17:19], p[31:35], p[35:37], s.opts.Modern) {
				return
			}
		} else if !setIPv6Tuple(f, p, s.opts.Modern) {
			return
		}
	case afUnix:
		f.Type = FDUnixSock
		setUnixFromPacked(f, p)
		f.Name = appendSocktupleStr(f.Name[:0], p)
		return
	default:
		return
	}
	if f.Type == FDIPv4Sock && f.sock[v4L4] == L4Unknown {
		f.sock[v4L4] = L4UDP
	} else if f.Type == FDIPv6Sock && f.sock[v6L4] == L4Unknown {
		f.sock[v6L4] = L4UDP
	}
	s.completeFromInterfaces(f)
	if f.Type != FDIPv4Sock && f.Type != FDIPv6Sock {
		f.Name = appendSocktupleStr(f.Name[:0], p)
		return
	}
	if f.Flags&fdRoleMask == 0 {
		s.guessRole(c.Thread, f, incoming)
	}
	if incoming && f.Flags&FDRoleClient != 0 || !incoming && f.Flags&FDRoleServer != 0 {
		swapAddresses(f)
	}
	f.Name = appendSockName(f.Name[:0], f)
}

// guessRole marks a socket as server when its process has a socket bound
// to the tuple's destination port (and none using the source port as a
// client port), else as client; ambiguous cases go by direction.
func (s *State) guessRole(t *Thread, f *FD, incoming bool) {
	if t == nil {
		f.Flags |= FDRoleClient
		return
	}
	dport, sport := f.u16(v4DPort), f.u16(v4SPort)
	bound, usesClient := false, false
	if ft := s.fdTableOf(t); ft != nil {
		ft.forEach(func(o *FD) bool {
			switch o.Type {
			case FDIPv4Sock:
				if o.u16(v4DPort) == dport {
					bound = true
				}
				if o.u16(v4SPort) == sport {
					usesClient = true
				}
			case FDIPv4ServSock:
				if o.u16(sv4Port) == dport {
					bound = true
				}
			}
			return true
		})
	}
	if !bound {
		f.Flags |= FDRoleClient
		return
	}
	if !usesClient {
		f.Flags |= FDRoleServer
		return
	}
	if f.Flags&fdRoleMask == 0 {
		if incoming {
			f.Flags |= FDRoleServer
		} else {
			f.Flags |= FDRoleClient
		}
	}
}

// succeeded reports whether e's first parameter, the call's result, says
// it succeeded (present and not negative).
func succeeded(e *event.Event) bool {
	res, ok := e.Int(0)
	return ok && res >= 0
}
