package fields

import (
	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/state"
)

// renderer renders event parameters with the state's knowledge of fds,
// threads, users and working directories. Each extractor that renders
// parameters owns one (it keeps the current context).
type renderer struct {
	env  *Env
	cur  Ctx
	opts event.RenderOptions
}

func newRenderer(env *Env) *renderer {
	r := &renderer{env: env}
	r.opts.Format = env.BufFormat
	r.opts.MaxBufLen = env.MaxBufLen
	r.opts.Resolver = r
	if env.Compat == Current {
		r.opts.Flavor = event.FlavorLibs
	}
	return r
}

// threadOf returns the thread that generated e.
func (r *renderer) threadOf(e *event.Event) *state.Thread {
	if r.cur != nil && r.cur.Evt == e {
		return r.cur.Thread
	}
	if r.env.State == nil {
		return nil
	}
	return r.env.State.Thread(e.Tid())
}

// args appends evt.args for c.
func (r *renderer) args(dst []byte, c Ctx) []byte {
	r.cur = c
	dst = event.AppendArgs(dst, c.Evt, &r.opts)
	r.cur = nil
	return dst
}

// arg appends evt.arg for parameter i of c (the resolved form, else the
// value).
func (r *renderer) arg(dst []byte, c Ctx, i int) ([]byte, bool) {
	r.cur = c
	dst, ok := event.AppendArg(dst, c.Evt, i, &r.opts)
	r.cur = nil
	return dst, ok
}

// ThreadKnown implements event.Resolver.
func (r *renderer) ThreadKnown(e *event.Event) bool { return r.threadOf(e) != nil }

// typeChar returns the one-letter type of f as sysdig prints it in fd
// names; sysdig 0.29.3 did not know the newer kinds and printed '?'.
func (r *renderer) typeChar(f *state.FD) byte {
	if r.env.Compat == Sysdig029 {
		switch f.Type {
		case state.FDBPF, state.FDUserfaultfd, state.FDIOUring, state.FDMemfd, state.FDPidfd:
			return '?'
		}
	}
	return f.Type.Char()
}

// AppendFD implements event.Resolver.
func (r *renderer) AppendFD(dst []byte, e *event.Event, fd int64, simple bool) ([]byte, bool) {
	t := r.threadOf(e)
	if t == nil {
		return dst, false
	}
	f := t.FD(fd)
	if f == nil {
		return dst, false
	}
	dst = append(dst, '<')
	if !simple {
		dst = append(dst, r.typeChar(f))
	}
	if isSock(f) || isServ(f) {
		switch f.L4Proto() {
		case state.L4TCP:
			dst = append(dst, 't')
		case state.L4UDP:
			dst = append(dst, 'u')
		case state.L4ICMP:
			dst = append(dst, 'i')
		case state.L4Raw:
			dst = append(dst, 'r')
		}
	}
	dst = append(dst, '>')
	return appendSanitized(dst, f.Name), true
}

// appendSanitized appends b without its non-printable bytes, as libsinsp
// cleans names before printing them.
func appendSanitized(dst, b []byte) []byte {
	for i, c := range b {
		if c < 0x20 || c >= 0x7f {
			dst = append(dst, b[:i]...)
			for _, c := range b[i:] {
				if c >= 0x20 && c < 0x7f {
					dst = append(dst, c)
				}
			}
			return dst
		}
	}
	return append(dst, b...)
}

// FDTypeChar implements event.Resolver.
func (r *renderer) FDTypeChar(e *event.Event, fd int64) (byte, bool) {
	t := r.threadOf(e)
	if t == nil {
		return 0, false
	}
	f := t.FD(fd)
	if f == nil {
		return 0, false
	}
	return r.typeChar(f), true
}

// AppendComm implements event.Resolver.
func (r *renderer) AppendComm(dst []byte, tid int64) ([]byte, bool) {
	if r.env.State == nil {
		return dst, false
	}
	t := r.env.State.Thread(tid)
	if t == nil {
		return dst, false
	}
	return append(dst, t.Comm...), true
}

// AppendUserName implements event.Resolver.
func (r *renderer) AppendUserName(dst []byte, _ *event.Event, uid uint32) ([]byte, bool) {
	if r.env.State == nil {
		return dst, false
	}
	u := r.env.State.User(uid)
	if u == nil {
		return dst, false
	}
	return append(dst, u.Name...), true
}

// AppendGroupName implements event.Resolver.
func (r *renderer) AppendGroupName(dst []byte, _ *event.Event, gid uint32) ([]byte, bool) {
	if r.env.State == nil {
		return dst, false
	}
	g := r.env.State.Group(gid)
	if g == nil {
		return dst, false
	}
	return append(dst, g.Name...), true
}

// AppendCwd implements event.Resolver.
func (r *renderer) AppendCwd(dst []byte, e *event.Event) ([]byte, bool) {
	t := r.threadOf(e)
	if t == nil {
		return dst, false
	}
	cwd := t.Cwd()
	if cwd == "" {
		return dst, false
	}
	dst = append(dst, cwd...)
	if cwd[len(cwd)-1] != '/' {
		dst = append(dst, '/')
	}
	return dst, true
}

// AppendDirFD implements event.Resolver.
func (r *renderer) AppendDirFD(dst []byte, e *event.Event, dirfd int64) ([]byte, bool) {
	t := r.threadOf(e)
	if t == nil {
		return dst, false
	}
	f := t.FD(dirfd)
	if f == nil {
		return dst, true
	}
	n := f.Name
	if len(n) > 1 && n[len(n)-1] == '/' {
		n = n[:len(n)-1]
	}
	return append(dst, n...), true
}
