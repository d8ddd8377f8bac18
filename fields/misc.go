package fields

import (
	"net/netip"
	"strconv"
	"sync/atomic"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/filter"
	"github.com/syscope/syscope/state"
)

// ------------------------------------------------------------ user, group

func userClass() *Class {
	return &Class{
		Name: "user",
		Desc: "The user the thread runs as.",
		Fields: []Def{
			{Name: "user.uid", Type: filter.TypeUint, Bits: 32, Print: PrintID, Desc: "User id.", Bind: procUint(func(t *state.Thread) (uint64, bool) { return uint64(t.UID), true })},
			{Name: "user.name", Type: filter.TypeString, Desc: "User name, from the capture's user list.", Bind: userStr(false, func(u *state.User) string { return u.Name })},
			{Name: "user.homedir", Type: filter.TypeString, Desc: "Home directory of the user.", Bind: userStr(false, func(u *state.User) string { return u.HomeDir })},
			{Name: "user.shell", Type: filter.TypeString, Desc: "Login shell of the user.", Bind: userStr(false, func(u *state.User) string { return u.Shell })},
			{Name: "user.loginuid", Type: filter.TypeInt, Bits: 32, Print: PrintID, Desc: "Audit (login) user id; -1 when unset.", Bind: procInt(func(t *state.Thread) (int64, bool) { return int64(int32(t.LoginUID)), true })},
			{Name: "user.loginname", Type: filter.TypeString, Desc: "Name of the audit (login) user.", Bind: userStr(true, func(u *state.User) string { return u.Name })},
		},
	}
}

func userStr(login bool, get func(*state.User) string) func(*Binding) (*Extractor, error) {
	return func(b *Binding) (*Extractor, error) {
		env := b.Env
		return strX(func(c Ctx) (string, bool) {
			t := thread(c)
			if t == nil || env.State == nil {
				return "", false
			}
			uid := t.UID
			if login {
				uid = t.LoginUID
			}
			u := env.State.User(uid)
			if u == nil {
				return "", false
			}
			return get(u), true
		}), nil
	}
}

func groupClass() *Class {
	return &Class{
		Name: "group",
		Desc: "The group the thread runs as.",
		Fields: []Def{
			{Name: "group.gid", Type: filter.TypeUint, Print: PrintID, Desc: "Group id.", Bind: func(b *Binding) (*Extractor, error) {
				env := b.Env
				return uintX(func(c Ctx) (uint64, bool) {
					t := thread(c)
					if t == nil {
						return 0, false
					}
					if env.Compat == Sysdig029 {
						// sysdig 0.29.3 reads this 32-bit id as 64 bits: the
						// upper half is the low half of the thread's child
						// count, which follows it in memory.
						return uint64(t.GID) | uint64(uint32(t.NChildren))<<32, true
					}
					return uint64(t.GID), true
				}), nil
			}},
			{Name: "group.name", Type: filter.TypeString, Desc: "Group name, from the capture's group list.", Bind: func(b *Binding) (*Extractor, error) {
				env := b.Env
				return strX(func(c Ctx) (string, bool) {
					t := thread(c)
					if t == nil || env.State == nil {
						return "", false
					}
					g := env.State.Group(t.GID)
					if g == nil {
						return "", false
					}
					return g.Name, true
				}), nil
			}},
		},
	}
}

// ------------------------------------------------------------ fdlist

// pollFDs returns the fd list parameter of a poll or ppoll event.
func pollFDs(e *event.Event) ([]byte, bool) {
	switch e.Type() {
	case event.SyscallPollE, event.SyscallPpollE:
		return e.Param(0)
	case event.SyscallPollX, event.SyscallPpollX:
		return e.Param(1)
	}
	return nil, false
}

// fdlistField builds an fdlist.* field: one comma-separated string with an
// entry per fd of the poll list (entries an fd kind does not have are left
// out).
func fdlistField(entry func(dst []byte, fd int64, f *state.FD) ([]byte, bool)) func(*Binding) (*Extractor, error) {
	return func(*Binding) (*Extractor, error) {
		return appendX(func(dst []byte, c Ctx) ([]byte, bool) {
			if c == nil || c.Evt == nil {
				return dst, false
			}
			list, ok := pollFDs(c.Evt)
			if !ok {
				return dst, false
			}
			start := len(dst)
			t := c.Thread
			event.ForEachFD(list, func(fd int64, _ uint16) bool {
				var f *state.FD
				if t != nil {
					f = t.FD(fd)
				}
				mark := len(dst)
				if mark > start {
					dst = append(dst, ',')
				}
				var ok bool
				dst, ok = entry(dst, fd, f)
				if !ok {
					dst = dst[:mark]
				}
				return true
			})
			if len(dst) == start {
				return dst, false
			}
			return dst, true
		}), nil
	}
}

func fdlistClass() *Class {
	tS := filter.TypeString
	return &Class{
		Name: "fdlist",
		Desc: "The file descriptors of poll and ppoll calls.",
		Fields: []Def{
			{Name: "fdlist.nums", Type: tS, Print: PrintID, Desc: "Numbers of the polled fds, comma separated.", Bind: fdlistField(func(dst []byte, fd int64, _ *state.FD) ([]byte, bool) {
				return strconv.AppendInt(dst, fd, 10), true
			})},
			{Name: "fdlist.names", Type: tS, Desc: "Names of the polled fds, comma separated (<NA> for unknown ones).", Bind: fdlistField(func(dst []byte, _ int64, f *state.FD) ([]byte, bool) {
				if f == nil || len(f.Name) == 0 {
					return append(dst, naBytes...), true
				}
				return append(dst, f.Name...), true
			})},
			{Name: "fdlist.cips", Type: tS, Desc: "Client addresses of the polled IP sockets, comma separated.", Bind: fdlistField(func(dst []byte, _ int64, f *state.FD) ([]byte, bool) {
				if f == nil || !isSock(f) {
					return dst, false
				}
				sip, _, _, _ := tuple(f)
				return appendIP(dst, sip), true
			})},
			{Name: "fdlist.sips", Type: tS, Desc: "Server addresses of the polled IP sockets, comma separated.", Bind: fdlistField(func(dst []byte, _ int64, f *state.FD) ([]byte, bool) {
				switch {
				case f == nil:
					return dst, false
				case isSock(f):
					_, dip, _, _ := tuple(f)
					return appendIP(dst, dip), true
				case isServ(f):
					ip, _ := server(f)
					return appendIP(dst, ip), true
				}
				return dst, false
			})},
			{Name: "fdlist.cports", Type: tS, Print: PrintDec, Desc: "Client ports of the polled TCP/UDP sockets, comma separated.", Bind: fdlistField(func(dst []byte, _ int64, f *state.FD) ([]byte, bool) {
				if f == nil || !isSock(f) {
					return dst, false
				}
				_, _, sp, _ := tuple(f)
				return strconv.AppendUint(dst, uint64(sp), 10), true
			})},
			{Name: "fdlist.sports", Type: tS, Print: PrintDec, Desc: "Server ports of the polled TCP/UDP sockets, comma separated.", Bind: fdlistField(func(dst []byte, _ int64, f *state.FD) ([]byte, bool) {
				if f == nil || !isSock(f) {
					return dst, false
				}
				_, _, _, dp := tuple(f)
				return strconv.AppendUint(dst, uint64(dp), 10), true
			})},
		},
	}
}

func appendIP(dst []byte, a netip.Addr) []byte {
	if a.Is4In6() {
		a = a.Unmap()
	}
	return a.AppendTo(dst)
}

// ------------------------------------------------------------ fs.path

// fsPathSpec says, for one event type, when the call succeeded and which
// parameters hold its paths ("" when the kind of path does not apply;
// "fd.name" for calls on an open fd). dirfd is the index of the directory
// fd parameter relative paths start from (-1: the working directory;
// -2: the event's own fd).
type fsPathSpec struct {
	okFD           bool // success is fd != -1 (open calls) rather than res == 0
	path           string
	source, target string
	dirfd          int // for path
	srcDirfd       int
	tgtDirfd       int
}

var fsPathSpecs = map[event.Type]fsPathSpec{
	event.SyscallMkdirV2X:    {path: "path", dirfd: -1},
	event.SyscallMkdiratX:    {path: "path", dirfd: -2},
	event.SyscallRmdirV2X:    {path: "path", dirfd: -1},
	event.SyscallUnlinkV2X:   {path: "path", dirfd: -1},
	event.SyscallUnlinkatV2X: {path: "name", dirfd: -2},
	event.SyscallOpenX:       {okFD: true, path: "name", dirfd: -1},
	event.SyscallOpenatV2X:   {okFD: true, path: "name", dirfd: -3},
	event.SyscallOpenat2X:    {okFD: true, path: "name", dirfd: -3},
	event.SyscallFchmodatX:   {path: "filename", dirfd: -2},
	event.SyscallChmodX:      {path: "filename", dirfd: -1},
	event.SyscallFchmodX:     {path: "fd.name", dirfd: -1},
	event.SyscallChownX:      {path: "path", dirfd: -1},
	event.SyscallLchownX:     {path: "path", dirfd: -1},
	event.SyscallFchownX:     {path: "fd.name", dirfd: -1},
	event.SyscallFchownatX:   {path: "pathname", dirfd: -2},
	event.SyscallQuotactlX:   {path: "special", dirfd: -1},
	event.SyscallRenameX:     {source: "oldpath", target: "newpath", srcDirfd: -1, tgtDirfd: -1},
	event.SyscallRenameatX:   {source: "oldpath", target: "newpath", srcDirfd: -1, tgtDirfd: -1},
	event.SyscallRenameat2X:  {source: "oldpath", target: "newpath", srcDirfd: 1, tgtDirfd: 3},
	event.SyscallLinkV2X:     {source: "newpath", target: "oldpath", srcDirfd: -1, tgtDirfd: -1},
	event.SyscallLinkatV2X:   {source: "newpath", target: "oldpath", srcDirfd: -1, tgtDirfd: -1},
	event.SyscallSymlinkX:    {source: "linkpath", target: "target", srcDirfd: -1, tgtDirfd: -1},
	event.SyscallSymlinkatX:  {source: "linkpath", target: "target", srcDirfd: -2, tgtDirfd: -4},
	event.SyscallMountX:      {source: "dev", target: "dir", srcDirfd: -1, tgtDirfd: -1},
	event.SyscallUmountV1X:   {path: "name", dirfd: -1},
	event.SyscallUmount2X:    {path: "name", dirfd: -1},
}

// fsPathField builds an fs.path.* field. which is 0 for the path, 1 for
// the source, 2 for the target.
func fsPathField(which int, raw bool) func(*Binding) (*Extractor, error) {
	return func(b *Binding) (*Extractor, error) {
		return appendX(func(dst []byte, c Ctx) ([]byte, bool) {
			if c == nil || c.Evt == nil {
				return dst, false
			}
			e := c.Evt
			sp, ok := fsPathSpecs[e.Type()]
			if !ok {
				return dst, false
			}
			if sp.okFD {
				fd, ok := e.Int(e.ParamIndex("fd"))
				if !ok || fd == -1 {
					return dst, false
				}
			} else {
				res, ok := e.Int(e.ParamIndex("res"))
				if !ok || res != 0 {
					return dst, false
				}
			}
			name, dirfd := sp.path, sp.dirfd
			switch which {
			case 1:
				name, dirfd = sp.source, sp.srcDirfd
			case 2:
				name, dirfd = sp.target, sp.tgtDirfd
			}
			if name == "" {
				return dst, false
			}
			var p []byte
			if name == "fd.name" {
				if c.FD == nil {
					return dst, false
				}
				p = c.FD.Name
			} else {
				p, ok = e.Str(e.ParamIndex(name))
				if !ok {
					return dst, false
				}
			}
			if raw {
				return append(dst, p...), true
			}
			if c.Thread == nil {
				return dst, false
			}
			if len(p) > 0 && p[0] == '/' {
				return appendCleanPath(dst, nil, p), true
			}
			var dir string
			switch dirfd {
			case -1:
				dir = c.Thread.Cwd()
			case -2, -4:
				if dirfd == -4 || c.FD == nil || c.FD.Type != state.FDDirectory {
					dir = "<UNKNOWN>"
				} else {
					dir = string(c.FD.Name)
				}
			case -3:
				if c.FD == nil {
					return append(dst, "<UNKNOWN>"...), true
				}
				return append(dst, c.FD.Name...), true
			default:
				fd, _ := e.Int(dirfd)
				if fd == atFDCWD {
					dir = c.Thread.Cwd()
				} else if f := c.Thread.FD(fd); f != nil && f.Type == state.FDDirectory {
					dir = string(f.Name)
				} else {
					dir = "<UNKNOWN>"
				}
			}
			return appendCleanPath(dst, []byte(dir), p), true
		}), nil
	}
}

func fsPathClass() *Class {
	tS := filter.TypeString
	return &Class{
		Name: "fs.path",
		Desc: "Paths that filesystem calls (open, mkdir, unlink, rename, chmod, mount...) act on, for successful calls.",
		Fields: []Def{
			{Name: "fs.path.name", Type: tS, Desc: "Path the call acts on, made absolute with the working directory or directory fd.", Bind: fsPathField(0, false)},
			{Name: "fs.path.nameraw", Type: tS, Desc: "Path the call acts on, as the program passed it.", Bind: fsPathField(0, true)},
			{Name: "fs.path.source", Type: tS, Desc: "Source path of a two-path call (rename, link, symlink, mount), made absolute.", Bind: fsPathField(1, false)},
			{Name: "fs.path.sourceraw", Type: tS, Desc: "Source path of a two-path call, as passed.", Bind: fsPathField(1, true)},
			{Name: "fs.path.target", Type: tS, Desc: "Target path of a two-path call, made absolute.", Bind: fsPathField(2, false)},
			{Name: "fs.path.targetraw", Type: tS, Desc: "Target path of a two-path call, as passed.", Bind: fsPathField(2, true)},
		},
	}
}

// ------------------------------------------------------------ util

func utilClass() *Class {
	return &Class{
		Name: "util",
		Desc: "Utility fields.",
		Fields: []Def{
			{Name: "util.cnt", Type: filter.TypeUint, Print: PrintID, Desc: "A counter that grows by one each time the field is read.", Bind: func(*Binding) (*Extractor, error) {
				var n atomic.Uint64
				return uintX(func(Ctx) (uint64, bool) { return n.Add(1), true }), nil
			}},
		},
	}
}
