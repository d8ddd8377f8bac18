package fields

import (
	"net/netip"
	"strconv"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/filter"
	"github.com/syscope/syscope/state"
)

// fdOf returns the event's thread and fd when the event is one that
// creates, uses or destroys an fd; ok is false otherwise (every fd.* field
// is then missing). The fd may be nil when the table has no entry for it.
func (e *Env) fdOf(c Ctx) (t *state.Thread, f *state.FD, ok bool) {
	if c == nil || c.Evt == nil || c.Thread == nil {
		return nil, nil, false
	}
	if e.flags(c.Evt)&(event.EFCreatesFd|event.EFUsesFd|event.EFDestroysFd) == 0 {
		return nil, nil, false
	}
	f = c.FD
	if f == nil && c.Thread.LastEventFD != -1 {
		f = c.Thread.FD(c.Thread.LastEventFD)
	}
	return c.Thread, f, true
}

// isSock reports a connected-style (non server) IPv4 or IPv6 socket.
func isSock(f *state.FD) bool { return f.Type == state.FDIPv4Sock || f.Type == state.FDIPv6Sock }

func isServ(f *state.FD) bool {
	return f.Type == state.FDIPv4ServSock || f.Type == state.FDIPv6ServSock
}

func roleNone(f *state.FD) bool { return !f.IsRoleClient() && !f.IsRoleServer() }

// tuple returns the client (source) and server (destination) ends of a
// client-style socket.
func tuple(f *state.FD) (sip, dip netip.Addr, sport, dport uint16) {
	if f.Type == state.FDIPv4Sock {
		sip, dip, sport, dport, _ = f.IPv4Tuple()
	} else {
		sip, dip, sport, dport, _ = f.IPv6Tuple()
	}
	return
}

// server returns the bound address and port of a server socket.
func server(f *state.FD) (netip.Addr, uint16) {
	if f.Type == state.FDIPv4ServSock {
		a, p, _ := f.IPv4Server()
		return a, p
	}
	a, p, _ := f.IPv6Server()
	return a, p
}

// localSide reports whether the source end of a client-style socket is on
// this machine (then the source is local and the destination remote).
func localSide(env *Env, f *state.FD) bool {
	sip, _, _, _ := tuple(f)
	return env.IsLocal(sip)
}

// fdNameFromEvent is what fd.name shows when the event has no fd entry:
// for exits of calls that create an fd (open, creat, openat, accept,
// connect) the name taken from the event's arguments (so a failed open
// still shows its path), for other exits the empty string, and nothing for
// enter events.
func fdNameFromEvent(dst []byte, rnd *renderer, c Ctx) ([]byte, bool) {
	e := c.Evt
	if e.IsEnter() {
		return dst, false
	}
	switch e.Type() {
	case event.SyscallOpenX, event.SocketAcceptX, event.SocketAcceptV5X, event.SocketAccept4X,
		event.SocketAccept4V5X, event.SocketAccept4V6X, event.SyscallCreatX, event.SocketConnectX:
		dst, _ = rnd.arg(dst, c, 1)
		return dst, true
	case event.SyscallOpenatX, event.SyscallOpenatV2X, event.SyscallOpenat2X:
		var name []byte
		var dirfd int64
		if e.Type() == event.SyscallOpenatX {
			if c.Enter == nil {
				return dst, false
			}
			name, _ = c.Enter.Str(1)
			dirfd, _ = c.Enter.Int(0)
		} else {
			name, _ = e.Str(2)
			dirfd, _ = e.Int(1)
		}
		return appendAtPath(dst, c.Thread, dirfd, name), true
	}
	return dst, true
}

// atFDCWD is the dirfd value meaning "relative to the working directory".
const atFDCWD = -100

// appendAtPath appends the absolute form of a path given relative to a
// directory fd, the way libsinsp builds it: absolute names as they are,
// relative ones joined to the working directory (AT_FDCWD) or to the
// directory fd's name, then cleaned of "." and ".." components and
// repeated slashes.
func appendAtPath(dst []byte, t *state.Thread, dirfd int64, name []byte) []byte {
	if len(name) > 0 && name[0] == '/' {
		return appendCleanPath(dst, nil, name)
	}
	var dir string
	if dirfd == atFDCWD {
		if t != nil {
			dir = t.Cwd()
		}
	} else if t != nil {
		if f := t.FD(dirfd); f != nil {
			dir = string(f.Name)
		}
	}
	return appendCleanPath(dst, []byte(dir), name)
}

// appendCleanPath joins dir and name and resolves "." and ".." and
// duplicate slashes. The result is absolute when dir or name is.
func appendCleanPath(dst []byte, dir, name []byte) []byte {
	start := len(dst)
	if len(dir) > 0 {
		dst = append(dst, dir...)
		if dst[len(dst)-1] != '/' {
			dst = append(dst, '/')
		}
	}
	rest := name
	for len(rest) > 0 {
		j := 0
		for j < len(rest) && rest[j] != '/' {
			j++
		}
		comp := rest[:j]
		if j < len(rest) {
			rest = rest[j+1:]
		} else {
			rest = rest[j:]
		}
		switch {
		case len(comp) == 0 || string(comp) == ".":
			if len(dst) == start {
				dst = append(dst, '/')
			}
		case string(comp) == "..":
			// Drop the last component (keep the root).
			k := len(dst) - 1
			if k > start && dst[k] == '/' {
				k--
			}
			for k > start && dst[k] != '/' {
				k--
			}
			dst = dst[:k+1]
			if len(dst) == start {
				dst = append(dst, '/')
			}
		default:
			if len(dst) > start && dst[len(dst)-1] != '/' {
				dst = append(dst, '/')
			}
			dst = append(dst, comp...)
		}
	}
	if len(dst) > start+1 && dst[len(dst)-1] == '/' && len(name) > 0 {
		dst = dst[:len(dst)-1]
	}
	return dst
}

// nullFDTypeChar is fd.typechar for events without an fd entry: a guess
// from the kind of call.
func nullFDTypeChar(t event.Type) byte {
	switch t &^ 1 {
	case event.SyscallOpenE, event.SyscallOpenatE, event.SyscallOpenatV2E, event.SyscallOpenat2E, event.SyscallCreatE:
		return 'f'
	case event.SocketSocketE, event.SocketAcceptE, event.SocketAcceptV5E, event.SocketAccept4E, event.SocketAccept4V5E, event.SocketAccept4V6E:
		return '4'
	case event.SyscallPipeE:
		return 'p'
	case event.SyscallEventfdE:
		return 'e'
	case event.SyscallSignalfdE:
		return 's'
	case event.SyscallTimerfdCreateE:
		return 't'
	case event.SyscallInotifyInitE:
		return 'i'
	}
	return 'o'
}

// dirOf returns the directory part of a file name as fd.directory shows
// it: everything before the last slash, "/" for names directly under the
// root or without a slash, and the whole name when it ends in a slash.
func dirOf(name []byte) []byte {
	pos := -1
	for i := len(name) - 1; i >= 0; i-- {
		if name[i] == '/' {
			pos = i
			break
		}
	}
	if pos <= 0 {
		return slash
	}
	if pos < len(name)-1 {
		return name[:pos]
	}
	return name
}

// baseOf returns the file name part as fd.filename shows it.
func baseOf(name []byte) []byte {
	for i := len(name) - 1; i >= 0; i-- {
		if name[i] == '/' {
			if i < len(name)-1 {
				return name[i+1:]
			}
			return name
		}
	}
	return slash
}

var slash = []byte("/")

// fdStr builds a string fd field from a function over the thread and fd
// (f may be nil).
func fdAppend(app func(dst []byte, c Ctx, t *state.Thread, f *state.FD) ([]byte, bool)) func(*Binding) (*Extractor, error) {
	return func(b *Binding) (*Extractor, error) {
		env := b.Env
		return appendX(func(dst []byte, c Ctx) ([]byte, bool) {
			t, f, ok := env.fdOf(c)
			if !ok {
				return dst, false
			}
			return app(dst, c, t, f)
		}), nil
	}
}

func fdBytes(get func(c Ctx, t *state.Thread, f *state.FD) ([]byte, bool)) func(*Binding) (*Extractor, error) {
	return func(b *Binding) (*Extractor, error) {
		env := b.Env
		return bytesStrX(func(c Ctx) ([]byte, bool) {
			t, f, ok := env.fdOf(c)
			if !ok {
				return nil, false
			}
			return get(c, t, f)
		}), nil
	}
}

func fdIP(get func(env *Env, f *state.FD) (netip.Addr, bool)) func(*Binding) (*Extractor, error) {
	return func(b *Binding) (*Extractor, error) {
		env := b.Env
		x := ipX(func(c Ctx) (netip.Addr, bool) {
			_, f, ok := env.fdOf(c)
			if !ok || f == nil {
				return netip.Addr{}, false
			}
			a, ok := get(env, f)
			if ok && a.Is4In6() {
				a = a.Unmap()
			}
			return a, ok
		})
		x.Field.Info.Type = b.Def.Type
		return x, nil
	}
}

func fdPort(get func(env *Env, f *state.FD) (uint16, bool)) func(*Binding) (*Extractor, error) {
	return func(b *Binding) (*Extractor, error) {
		env := b.Env
		return typed(uintX(func(c Ctx) (uint64, bool) {
			_, f, ok := env.fdOf(c)
			if !ok || f == nil {
				return 0, false
			}
			p, ok := get(env, f)
			return uint64(p), ok
		}), filter.TypePort), nil
	}
}

func fdBool(get func(env *Env, c Ctx, f *state.FD) bool) func(*Binding) (*Extractor, error) {
	return func(b *Binding) (*Extractor, error) {
		env := b.Env
		return boolX(func(c Ctx) (bool, bool) {
			_, f, ok := env.fdOf(c)
			if !ok || f == nil {
				return false, false
			}
			return get(env, c, f), true
		}), nil
	}
}

// Accessors for the address and port fields, following libsinsp's rules
// on which socket kinds and roles have each value.

func clientIP(_ *Env, f *state.FD) (netip.Addr, bool) {
	if roleNone(f) || !isSock(f) {
		return netip.Addr{}, false
	}
	sip, _, _, _ := tuple(f)
	return sip, true
}

func serverIP(_ *Env, f *state.FD) (netip.Addr, bool) {
	if roleNone(f) {
		return netip.Addr{}, false
	}
	switch {
	case isSock(f):
		_, dip, _, _ := tuple(f)
		return dip, true
	case isServ(f):
		a, _ := server(f)
		return a, true
	}
	return netip.Addr{}, false
}

func localIP(env *Env, f *state.FD) (netip.Addr, bool) {
	if !isSock(f) || roleNone(f) {
		return netip.Addr{}, false
	}
	sip, dip, _, _ := tuple(f)
	if env.IsLocal(sip) {
		return sip, true
	}
	return dip, true
}

func remoteIP(env *Env, f *state.FD) (netip.Addr, bool) {
	if !isSock(f) || roleNone(f) {
		return netip.Addr{}, false
	}
	sip, dip, _, _ := tuple(f)
	if env.IsLocal(sip) {
		return dip, true
	}
	return sip, true
}

func clientPort(env *Env, f *state.FD) (uint16, bool) {
	if roleNone(f) {
		return 0, false
	}
	if isSock(f) {
		_, _, sport, _ := tuple(f)
		return sport, true
	}
	// sysdig 0.29.3 falls through to the client protocol string here and
	// reads its (empty) text as a port: 0.
	if env.Compat == Sysdig029 {
		return 0, true
	}
	return 0, false
}

func serverPort(_ *Env, f *state.FD) (uint16, bool) {
	switch {
	case isSock(f):
		if roleNone(f) {
			return 0, false
		}
		_, _, _, dport := tuple(f)
		return dport, true
	case isServ(f):
		_, p := server(f)
		return p, true
	}
	return 0, false
}

func localPort(env *Env, f *state.FD) (uint16, bool) {
	if !isSock(f) || roleNone(f) {
		return 0, false
	}
	_, _, sport, dport := tuple(f)
	if localSide(env, f) {
		return sport, true
	}
	return dport, true
}

func remotePort(env *Env, f *state.FD) (uint16, bool) {
	if !isSock(f) || roleNone(f) {
		return 0, false
	}
	_, _, sport, dport := tuple(f)
	if localSide(env, f) {
		return dport, true
	}
	return sport, true
}

// bothIPs yields the addresses fd.ip and fd.net compare: the two ends of a
// connection, or the bound address of a server socket.
func bothIPs(f *state.FD) (a, b netip.Addr, n int) {
	switch {
	case isSock(f):
		sip, dip, _, _ := tuple(f)
		return sip, dip, 2
	case isServ(f):
		ip, _ := server(f)
		return ip, ip, 1
	}
	return netip.Addr{}, netip.Addr{}, 0
}

func bothPorts(f *state.FD) (a, b uint16, n int) {
	switch {
	case isSock(f):
		_, _, sp, dp := tuple(f)
		return sp, dp, 2
	case isServ(f):
		_, p := server(f)
		return p, p, 2
	}
	return 0, 0, 0
}

// anySideIP builds fd.ip and fd.net.
func anySideIP(b *Binding) (*Extractor, error) {
	env := b.Env
	var cur *state.FD
	x := &Extractor{Field: filter.Field[Ctx]{
		Info: filter.FieldInfo{Type: b.Def.Type, Arity: filter.AnySide},
		Len: func(c Ctx) int {
			_, f, ok := env.fdOf(c)
			if !ok || f == nil {
				cur = nil
				return -1
			}
			cur = f
			_, _, n := bothIPs(f)
			return n
		},
		IP: func(c Ctx, i int) (netip.Addr, bool) {
			if cur == nil {
				return netip.Addr{}, false
			}
			a, bb, _ := bothIPs(cur)
			if i == 1 {
				a = bb
			}
			if a.Is4In6() {
				a = a.Unmap()
			}
			return a, true
		},
	}}
	return x, nil
}

func anySidePort(b *Binding) (*Extractor, error) {
	env := b.Env
	var cur *state.FD
	return &Extractor{Field: filter.Field[Ctx]{
		Info: filter.FieldInfo{Type: filter.TypePort, Arity: filter.AnySide},
		Len: func(c Ctx) int {
			_, f, ok := env.fdOf(c)
			if !ok || f == nil {
				cur = nil
				return -1
			}
			cur = f
			_, _, n := bothPorts(f)
			return n
		},
		Uint: func(c Ctx, i int) (uint64, bool) {
			if cur == nil {
				return 0, false
			}
			a, bb, _ := bothPorts(cur)
			if i == 1 {
				a = bb
			}
			return uint64(a), true
		},
	}}, nil
}

// Which sockets the *proto fields have a value for: the client one for
// every socket with a role (empty text unless it is an IP socket), the
// server one for IP sockets with a role and for server sockets (empty text),
// the local and remote ones for IP sockets with a role only.
type protoKind uint8

const (
	protoClient protoKind = iota
	protoServer
	protoLocalRemote
)

// protoText builds the *proto fields: the port as text (syscope, like
// sysdig by default, does not map ports to service names).
func protoText(get func(env *Env, f *state.FD) (uint16, bool), kind protoKind) func(*Binding) (*Extractor, error) {
	return func(b *Binding) (*Extractor, error) {
		env := b.Env
		return appendX(func(dst []byte, c Ctx) ([]byte, bool) {
			_, f, ok := env.fdOf(c)
			if !ok || f == nil {
				return dst, false
			}
			if !isSock(f) {
				switch {
				case kind == protoClient && !roleNone(f):
					return dst, true
				case kind == protoServer && isServ(f):
					return dst, true
				}
				return dst, false
			}
			if roleNone(f) {
				return dst, false
			}
			p, ok := get(env, f)
			if !ok {
				return dst, false
			}
			return appendUint(dst, uint64(p)), true
		}), nil
	}
}

// devMajor and devMinor decode a Linux device number.
func devMajor(d uint32) uint32 { return (d & 0xfff00) >> 8 }
func devMinor(d uint32) uint32 { return (d & 0xff) | ((d >> 12) & 0xfff00) }

func fdInt32(get func(f *state.FD) int32) func(*Binding) (*Extractor, error) {
	return func(b *Binding) (*Extractor, error) {
		env := b.Env
		return intX(func(c Ctx) (int64, bool) {
			_, f, ok := env.fdOf(c)
			if !ok || f == nil {
				return 0, false
			}
			return int64(get(f)), true
		}), nil
	}
}

var l4Names = [...]string{state.L4TCP: "tcp", state.L4UDP: "udp", state.L4ICMP: "icmp", state.L4Raw: "raw"}

// Open flag bits that mark overlayfs layers.
const (
	openUpperLayer = 1 << 15
	openLowerLayer = 1 << 16
)

func fdClass() *Class {
	tS := filter.TypeString
	tB := filter.TypeBool
	return &Class{
		Name: "fd",
		Desc: "The file descriptor the event refers to (for calls that create, use or close one).",
		Fields: []Def{
			{Name: "fd.num", Type: filter.TypeInt, Print: PrintID, Desc: "Number of the file descriptor.", Bind: func(b *Binding) (*Extractor, error) {
				env := b.Env
				return intX(func(c Ctx) (int64, bool) {
					t, _, ok := env.fdOf(c)
					if !ok {
						return 0, false
					}
					return t.LastEventFD, true
				}), nil
			}},
			{Name: "fd.type", Type: tS, Desc: "Kind of object: file, directory, ipv4, ipv6, unix, pipe, event, signalfd, eventpoll, inotify, timerfd, netlink, bpf, userfaultfd, io_uring, memfd or pidfd.", Bind: fdBytes(func(_ Ctx, _ *state.Thread, f *state.FD) ([]byte, bool) {
				if f == nil {
					return nil, false
				}
				return fdTypeName(f.Type), true
			})},
			{Name: "fd.typechar", Type: tS, Desc: "fd.type as one letter: f file, d directory, 4 IPv4, 6 IPv6, u unix, p pipe, e eventfd, s signalfd, l eventpoll, i inotify, t timerfd, n netlink, b bpf, r io_uring, o other.", Bind: fdBytes(func(c Ctx, _ *state.Thread, f *state.FD) ([]byte, bool) {
				if f == nil {
					return typeChars[nullFDTypeChar(c.Evt.Type())], true
				}
				return typeChars[f.Type.Char()], true
			})},
			{Name: "fd.name", Type: tS, Desc: "Name of the descriptor: the full path of a file, the connection tuple of a socket, and so on.", Bind: func(b *Binding) (*Extractor, error) {
				env := b.Env
				rnd := newRenderer(env)
				return appendX(func(dst []byte, c Ctx) ([]byte, bool) {
					_, f, ok := env.fdOf(c)
					if !ok {
						return dst, false
					}
					if f == nil || (c.Evt.Type() == event.SocketConnectX && connectFailed(c)) {
						return fdNameFromEvent(dst, rnd, c)
					}
					return append(dst, f.Name...), true
				}), nil
			}},
			{Name: "fd.directory", Type: tS, Desc: "For files, the directory holding the file; for directories, the directory itself.", Bind: func(b *Binding) (*Extractor, error) {
				env := b.Env
				rnd := newRenderer(env)
				var tmp []byte
				return appendX(func(dst []byte, c Ctx) ([]byte, bool) {
					_, f, ok := env.fdOf(c)
					if !ok {
						return dst, false
					}
					if f == nil {
						tmp, ok = fdNameFromEvent(tmp[:0], rnd, c)
						if !ok {
							return dst, false
						}
						return append(dst, dirOf(tmp)...), true
					}
					switch {
					case f.IsFile():
						return append(dst, dirOf(f.Name)...), true
					case f.Type == state.FDDirectory:
						return append(dst, f.Name...), true
					}
					return dst, false
				}), nil
			}},
			{Name: "fd.filename", Type: tS, Desc: "For files, the file name without its directory.", Bind: fdBytes(func(_ Ctx, _ *state.Thread, f *state.FD) ([]byte, bool) {
				if f == nil || !f.IsFile() {
					return nil, false
				}
				return baseOf(f.Name), true
			})},
			{Name: "fd.ip", Type: filter.TypeIPAddr, Flags: filter.FlagFilterOnly | filter.FlagNoRHS | filter.FlagNoTransformer, Desc: "Matches either end's IP address of the socket (filters only).", Bind: anySideIP},
			{Name: "fd.cip", Type: filter.TypeIPAddr, Desc: "Client IP address.", Bind: fdIP(clientIP)},
			{Name: "fd.sip", Type: filter.TypeIPAddr, Desc: "Server IP address.", Bind: fdIP(serverIP)},
			{Name: "fd.lip", Type: filter.TypeIPAddr, Desc: "Local IP address.", Bind: fdIP(localIP)},
			{Name: "fd.rip", Type: filter.TypeIPAddr, Desc: "Remote IP address.", Bind: fdIP(remoteIP)},
			{Name: "fd.port", Type: filter.TypePort, Print: PrintDec, Flags: filter.FlagFilterOnly | filter.FlagNoRHS | filter.FlagNoTransformer, Desc: "Matches either end's port of the socket (filters only).", Bind: anySidePort},
			{Name: "fd.cport", Type: filter.TypePort, Bits: 16, Print: PrintDec, Desc: "Client port of a TCP/UDP socket.", Bind: fdPort(clientPort)},
			{Name: "fd.sport", Type: filter.TypePort, Bits: 16, Print: PrintDec, Desc: "Server port of a TCP/UDP socket.", Bind: fdPort(serverPort)},
			{Name: "fd.lport", Type: filter.TypePort, Bits: 16, Print: PrintDec, Desc: "Local port of a TCP/UDP socket.", Bind: fdPort(localPort)},
			{Name: "fd.rport", Type: filter.TypePort, Bits: 16, Print: PrintDec, Desc: "Remote port of a TCP/UDP socket.", Bind: fdPort(remotePort)},
			{Name: "fd.l4proto", Type: tS, Desc: "Transport protocol of a socket: tcp, udp, icmp or raw (<NA> when unknown).", Bind: fdBytes(func(_ Ctx, _ *state.Thread, f *state.FD) ([]byte, bool) {
				if f == nil {
					return nil, false
				}
				p := f.L4Proto()
				if int(p) < len(l4Names) && l4Names[p] != "" {
					return []byte(l4Names[p]), true
				}
				return naBytes, true
			})},
			{Name: "fd.sockfamily", Type: tS, Desc: "Socket family: ip or unix.", Bind: fdBytes(func(_ Ctx, _ *state.Thread, f *state.FD) ([]byte, bool) {
				if f == nil {
					return nil, false
				}
				switch {
				case isSock(f) || isServ(f):
					return ipBytes, true
				case f.Type == state.FDUnixSock:
					return unixBytes, true
				}
				return nil, false
			})},
			{Name: "fd.is_server", Type: tB, Desc: "Whether the process is the server end of the connection.", Bind: fdBool(func(env *Env, _ Ctx, f *state.FD) bool {
				switch {
				case isServ(f):
					return true
				case isSock(f):
					_, dip, _, _ := tuple(f)
					return env.IsLocal(dip)
				}
				return false
			})},
			{Name: "fd.uid", Type: tS, Desc: "Identifier of the descriptor across the system: thread id followed by fd number.", Bind: func(b *Binding) (*Extractor, error) {
				env := b.Env
				return appendX(func(dst []byte, c Ctx) ([]byte, bool) {
					t, _, ok := env.fdOf(c)
					if !ok {
						return dst, false
					}
					dst = strconv.AppendInt(dst, t.Tid, 10)
					return strconv.AppendInt(dst, t.LastEventFD, 10), true
				}), nil
			}},
			{Name: "fd.containername", Type: tS, Desc: "Container id and fd.name, joined by a colon.", Bind: func(b *Binding) (*Extractor, error) {
				env := b.Env
				rnd := newRenderer(env)
				return appendX(func(dst []byte, c Ctx) ([]byte, bool) {
					t, f, ok := env.fdOf(c)
					if !ok {
						return dst, false
					}
					dst = append(dst, env.containerID(t)...)
					dst = append(dst, ':')
					if f == nil || (c.Evt.Type() == event.SocketConnectX && connectFailed(c)) {
						return fdNameFromEvent(dst, rnd, c)
					}
					return append(dst, f.Name...), true
				}), nil
			}},
			{Name: "fd.containerdirectory", Type: tS, Desc: "Container id and fd.directory, joined by a colon.", Bind: func(b *Binding) (*Extractor, error) {
				env := b.Env
				rnd := newRenderer(env)
				var tmp []byte
				return appendX(func(dst []byte, c Ctx) ([]byte, bool) {
					t, f, ok := env.fdOf(c)
					if !ok {
						return dst, false
					}
					var dir []byte
					switch {
					case f == nil:
						tmp, ok = fdNameFromEvent(tmp[:0], rnd, c)
						if !ok {
							return dst, false
						}
						dir = dirOf(tmp)
					case f.IsFile():
						dir = dirOf(f.Name)
					case f.Type == state.FDDirectory:
						dir = f.Name
					default:
						return dst, false
					}
					dst = append(dst, env.containerID(t)...)
					dst = append(dst, ':')
					return append(dst, dir...), true
				}), nil
			}},
			{Name: "fd.proto", Type: filter.TypePort, Flags: filter.FlagFilterOnly | filter.FlagNoRHS | filter.FlagNoTransformer, Desc: "Matches either end's port, given as a number or service name (filters only).", Bind: anySidePort},
			{Name: "fd.cproto", Type: tS, Desc: "Client port of a TCP/UDP socket, as text.", Bind: protoText(clientPort, protoClient)},
			{Name: "fd.sproto", Type: tS, Desc: "Server port of a TCP/UDP socket, as text.", Bind: protoText(serverPort, protoServer)},
			{Name: "fd.lproto", Type: tS, Desc: "Local port of a TCP/UDP socket, as text.", Bind: protoText(localPort, protoLocalRemote)},
			{Name: "fd.rproto", Type: tS, Desc: "Remote port of a TCP/UDP socket, as text.", Bind: protoText(remotePort, protoLocalRemote)},
			{Name: "fd.net", Type: filter.TypeIPNet, Flags: filter.FlagFilterOnly | filter.FlagNoRHS | filter.FlagNoTransformer, Desc: "Matches when either end's address is in a network given in CIDR form (filters only).", Bind: anySideIP},
			{Name: "fd.cnet", Type: filter.TypeIPNet, Flags: filter.FlagFilterOnly | filter.FlagNoRHS | filter.FlagNoTransformer, Desc: "Matches when the client address is in a CIDR network (filters only).", Bind: fdIP(clientIP)},
			{Name: "fd.snet", Type: filter.TypeIPNet, Flags: filter.FlagFilterOnly | filter.FlagNoRHS | filter.FlagNoTransformer, Desc: "Matches when the server address is in a CIDR network (filters only).", Bind: fdIP(serverIP)},
			{Name: "fd.lnet", Type: filter.TypeIPNet, Flags: filter.FlagFilterOnly | filter.FlagNoRHS | filter.FlagNoTransformer, Desc: "Matches when the local address is in a CIDR network (filters only).", Bind: fdIP(localIP)},
			{Name: "fd.rnet", Type: filter.TypeIPNet, Flags: filter.FlagFilterOnly | filter.FlagNoRHS | filter.FlagNoTransformer, Desc: "Matches when the remote address is in a CIDR network (filters only).", Bind: fdIP(remoteIP)},
			{Name: "fd.name_changed", Type: tB, Desc: "Whether the event changed the fd's name: a datagram socket's tuple changed by a send or receive, a connect or bind, or a descriptor the event created with a name.", Bind: fdBool(func(_ *Env, c Ctx, _ *state.FD) bool { return c.FDNameChanged })},
			{Name: "fd.connected", Type: tB, Desc: "For sockets, whether the connection is established.", Bind: fdBool(func(_ *Env, _ Ctx, f *state.FD) bool { return f.Flags&state.FDSocketConnected != 0 })},
			{Name: "fd.cip.name", Type: tS, Flags: filter.FlagNoRHS | filter.FlagNoTransformer, Desc: "Domain name of the client address, from DNS answers seen (syscope records none: always missing).", Bind: noDNS},
			{Name: "fd.sip.name", Type: tS, Flags: filter.FlagNoRHS | filter.FlagNoTransformer, Desc: "Domain name of the server address (always missing, see fd.cip.name).", Bind: noDNS},
			{Name: "fd.lip.name", Type: tS, Flags: filter.FlagNoRHS | filter.FlagNoTransformer, Desc: "Domain name of the local address (always missing, see fd.cip.name).", Bind: noDNS},
			{Name: "fd.rip.name", Type: tS, Flags: filter.FlagNoRHS | filter.FlagNoTransformer, Desc: "Domain name of the remote address (always missing, see fd.cip.name).", Bind: noDNS},
			{Name: "fd.dev", Type: filter.TypeInt, Bits: 32, Print: PrintHex, Desc: "Device number (major and minor) of the file's filesystem.", Bind: fdInt32(func(f *state.FD) int32 { return int32(f.Dev) })},
			{Name: "fd.dev.major", Type: filter.TypeInt, Bits: 32, Print: PrintDec, Desc: "Major device number of the file's filesystem.", Bind: fdInt32(func(f *state.FD) int32 { return int32(devMajor(f.Dev)) })},
			{Name: "fd.dev.minor", Type: filter.TypeInt, Bits: 32, Print: PrintDec, Desc: "Minor device number of the file's filesystem.", Bind: fdInt32(func(f *state.FD) int32 { return int32(devMinor(f.Dev)) })},
			{Name: "fd.ino", Type: filter.TypeInt, Print: PrintDec, Desc: "Inode number of the file.", Bind: func(b *Binding) (*Extractor, error) {
				env := b.Env
				return intX(func(c Ctx) (int64, bool) {
					_, f, ok := env.fdOf(c)
					if !ok || f == nil {
						return 0, false
					}
					return int64(f.Ino), true
				}), nil
			}},
			{Name: "fd.nameraw", Type: tS, Desc: "The file name as the program passed it, before it was made absolute.", Bind: fdBytes(func(_ Ctx, _ *state.Thread, f *state.FD) ([]byte, bool) {
				if f == nil {
					return nil, false
				}
				return f.NameRaw, true
			})},
			{Name: "fd.types", Type: tS, Arity: filter.List, Flags: filter.FlagNoRHS, Arg: ArgIndex, Desc: "Distinct fd.type values of the process's open descriptors; fd.types[N] is the type of descriptor N alone.", Bind: bindFDTypes},
			{Name: "fd.is_upper_layer", Type: tB, Desc: "Whether the file lives in the upper layer of an overlay filesystem.", Bind: fdBool(func(_ *Env, _ Ctx, f *state.FD) bool { return f.OpenFlags&openUpperLayer != 0 })},
			{Name: "fd.is_lower_layer", Type: tB, Desc: "Whether the file lives in a lower layer of an overlay filesystem.", Bind: fdBool(func(_ *Env, _ Ctx, f *state.FD) bool { return f.OpenFlags&openLowerLayer != 0 })},
		},
	}
}

var (
	naBytes   = []byte("<NA>")
	ipBytes   = []byte("ip")
	unixBytes = []byte("unix")
	typeChars [256][]byte
	fdTypeNms [32][]byte
)

func init() {
	for i := range typeChars {
		typeChars[i] = []byte{byte(i)}
	}
	for i := range fdTypeNms {
		fdTypeNms[i] = []byte(state.FDType(i).String())
	}
}

func fdTypeName(t state.FDType) []byte {
	if t >= 0 && int(t) < len(fdTypeNms) {
		return fdTypeNms[t]
	}
	return []byte(t.String())
}

// connectFailed reports a connect exit with a negative result.
func connectFailed(c Ctx) bool {
	res, ok := c.Evt.Int(0)
	return ok && res < 0
}

func noDNS(*Binding) (*Extractor, error) {
	return strX(func(Ctx) (string, bool) { return "", false }), nil
}

func (e *Env) containerID(t *state.Thread) string {
	if e.ContainerID == nil || t == nil {
		return ""
	}
	return e.ContainerID(t)
}

// bindFDTypes builds fd.types.
func bindFDTypes(b *Binding) (*Extractor, error) {
	var types []state.FDType
	collect := func(c Ctx) int {
		types = types[:0]
		t := thread(c)
		if t == nil {
			return -1
		}
		if b.Index >= 0 {
			f := t.FD(int64(b.Index))
			if f == nil {
				return -1
			}
			types = append(types, f.Type)
			return 1
		}
		t.ForEachFD(func(f *state.FD) bool {
			name := f.Type.String()
			for _, x := range types {
				if x.String() == name {
					return true
				}
			}
			types = append(types, f.Type)
			return true
		})
		return len(types)
	}
	return multiStrX(filter.List, collect, func(c Ctx, i int) (string, bool) {
		if i >= len(types) {
			return "", false
		}
		return types[i].String(), true
	}), nil
}
