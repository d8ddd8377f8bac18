package fields

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strconv"
	"time"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/filter"
	"github.com/syscope/syscope/state"
)

// syscallNames maps the driver's syscall codes (the first parameter of
// generic events) to syscall names.
var syscallNames = func() map[int]string {
	m := make(map[int]string)
	for _, s := range event.Syscalls() {
		if _, dup := m[s.PPMSC]; !dup {
			m[s.PPMSC] = s.Name
		}
	}
	return m
}()

// typeNames holds each event type's name, for evt.type.
var typeNames = func() (n [event.NumTypes]string) {
	for i, in := range event.Types() {
		if i < len(n) {
			n[i] = in.Name
		}
	}
	return n
}()

// typeName returns evt.type for e: the event's name, or for generic events
// the name of the syscall they stand for (as sysdig 0.29.3 named it in that
// mode).
func typeName(env *Env, e *event.Event) string {
	t := e.Type()
	if t > event.GenericX {
		if int(t) < len(typeNames) {
			return typeNames[t]
		}
		return "NA"
	}
	id, ok := e.Uint(0)
	if !ok {
		return "NA"
	}
	if env.Compat == Sysdig029 {
		if id < uint64(len(sysdig029Syscalls)) {
			return sysdig029Syscalls[id].name
		}
		return "NA"
	}
	if n, ok := syscallNames[int(id)]; ok {
		return n
	}
	return "NA"
}

// ------------------------------------------------------------------ time

// clock formats timestamps in a fixed zone offset, computed once as sysdig
// does, and caches the formatted second.
type clock struct {
	off     int64 // zone offset in seconds
	lastSec int64
	hms     [8]byte
	date    [11]byte
}

func newClock(env *Env) *clock {
	_, off := time.Now().In(env.loc()).Zone()
	return &clock{off: int64(off), lastSec: math.MinInt64}
}

func (k *clock) set(ts uint64) {
	sec := int64(ts/1e9) + k.off
	if sec == k.lastSec {
		return
	}
	k.lastSec = sec
	s := sec % 86400
	if s < 0 {
		s += 86400
	}
	h, m, x := s/3600, (s%3600)/60, s%60
	k.hms = [8]byte{byte('0' + h/10), byte('0' + h%10), ':', byte('0' + m/10), byte('0' + m%10), ':', byte('0' + x/10), byte('0' + x%10)}
	y, mo, d := time.Unix(sec-s, 0).UTC().Date()
	b := k.date[:0]
	b = appendZero(b, int64(y), 4)
	b = append(b, '-')
	b = appendZero(b, int64(mo), 2)
	b = append(b, '-')
	b = appendZero(b, int64(d), 2)
	b = append(b, ' ')
	copy(k.date[:], b)
}

func appendZero(dst []byte, v int64, width int) []byte {
	var buf [20]byte
	s := strconv.AppendInt(buf[:0], v, 10)
	for i := len(s); i < width; i++ {
		dst = append(dst, '0')
	}
	return append(dst, s...)
}

// appendTime appends ts as evt.time (date false) or evt.datetime (date
// true), with or without the nanoseconds.
func (k *clock) appendTime(dst []byte, ts uint64, date, ns bool) []byte {
	k.set(ts)
	if date {
		dst = append(dst, k.date[:]...)
	}
	dst = append(dst, k.hms[:]...)
	if ns {
		dst = append(dst, '.')
		dst = appendNanos(dst, ts%1e9)
	}
	return dst
}

// appendTimeNs appends ts as hh:mm:ss.nnnnnnnnn (appendTime without the
// date, with the nanoseconds), writing the 18 bytes in place.
func (k *clock) appendTimeNs(dst []byte, ts uint64) []byte {
	k.set(ts)
	l := len(dst)
	if cap(dst)-l < 18 {
		dst = slices.Grow(dst, 18)
	}
	dst = dst[:l+18]
	out := (*[18]byte)(dst[l:])
	*(*[8]byte)(out[:8]) = k.hms
	out[8] = '.'
	v := ts % 1e9
	for i := 17; i > 9; i -= 2 {
		r := (v % 100) * 2
		v /= 100
		out[i-1], out[i] = digitPairs[r], digitPairs[r+1]
	}
	out[9] = byte('0' + v)
	return dst
}

// appendISO8601 appends ts in UTC as 2006-01-02T15:04:05.000000000+0000.
func appendISO8601(dst []byte, ts uint64) []byte {
	t := time.Unix(int64(ts/1e9), 0).UTC()
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	dst = appendZero(dst, int64(y), 4)
	dst = append(dst, '-')
	dst = appendZero(dst, int64(mo), 2)
	dst = append(dst, '-')
	dst = appendZero(dst, int64(d), 2)
	dst = append(dst, 'T')
	dst = appendZero(dst, int64(h), 2)
	dst = append(dst, ':')
	dst = appendZero(dst, int64(mi), 2)
	dst = append(dst, ':')
	dst = appendZero(dst, int64(s), 2)
	dst = append(dst, '.')
	dst = appendNanos(dst, ts%1e9)
	return append(dst, "+0000"...)
}

// appendSecNs appends sec.nanoseconds with nine fraction digits.
func appendSecNs(dst []byte, v uint64) []byte {
	dst = appendUint(dst, v/1e9)
	dst = append(dst, '.')
	return appendNanos(dst, v%1e9)
}

// timeField builds the string time fields; their JSON form is the raw
// timestamp, as sysdig writes it.
func timeField(date, ns, iso bool) func(*Binding) (*Extractor, error) {
	return func(b *Binding) (*Extractor, error) {
		k := newClock(b.Env)
		x := appendX(func(dst []byte, c Ctx) ([]byte, bool) {
			if iso {
				return appendISO8601(dst, c.Evt.Ts()), true
			}
			return k.appendTime(dst, c.Evt.Ts(), date, ns), true
		})
		x.json = func(dst []byte, c Ctx) ([]byte, bool) {
			return appendUint(dst, c.Evt.Ts()), true
		}
		return x, nil
	}
}

// numJSON makes a field's JSON form its plain number, whatever its print
// format (sysdig writes times, latencies and counts as numbers).
func numJSON(x *Extractor) *Extractor {
	x.json = func(dst []byte, c Ctx) ([]byte, bool) {
		v, ok := x.Field.Uint(c, 0)
		if !ok {
			return dst, false
		}
		return appendUint(dst, v), true
	}
	return x
}

func evtUint(get func(c Ctx) (uint64, bool)) func(*Binding) (*Extractor, error) {
	return func(b *Binding) (*Extractor, error) {
		return typed(uintX(get), b.Def.Type), nil
	}
}

func evtTimeUint(get func(env *Env, c Ctx) uint64) func(*Binding) (*Extractor, error) {
	return func(b *Binding) (*Extractor, error) {
		env := b.Env
		return numJSON(typed(uintX(func(c Ctx) (uint64, bool) { return get(env, c), true }), b.Def.Type)), nil
	}
}

func evtBool(get func(c Ctx) bool) func(*Binding) (*Extractor, error) {
	return func(*Binding) (*Extractor, error) {
		return boolX(func(c Ctx) (bool, bool) { return get(c), true }), nil
	}
}

// evtFlagBool builds a boolean field from the event type's flags, as the
// compatibility mode defines them.
func evtFlagBool(get func(f event.EventFlags, c Ctx) bool) func(*Binding) (*Extractor, error) {
	return func(b *Binding) (*Extractor, error) {
		env := b.Env
		return boolX(func(c Ctx) (bool, bool) { return get(env.flags(c.Evt), c), true }), nil
	}
}

// flag1 builds a counter field that is 1 when cond holds and missing
// otherwise.
func flag1(cond func(c Ctx) bool) func(*Binding) (*Extractor, error) {
	return func(*Binding) (*Extractor, error) {
		return uintX(func(c Ctx) (uint64, bool) {
			if cond(c) {
				return 1, true
			}
			return 0, false
		}), nil
	}
}

// ------------------------------------------------------------ result values

// resultParam returns the index of the parameter holding an event's result:
// "res", or for exits of calls that create an fd, "fd".
func resultParam(e *event.Event) int {
	info := e.Info()
	if i := info.ParamIndex("res"); i >= 0 && i < e.NParams() {
		return i
	}
	if info.Flags&event.EFCreatesFd != 0 && !e.IsEnter() {
		if i := info.ParamIndex("fd"); i >= 0 && i < e.NParams() {
			return i
		}
	}
	return -1
}

func result(e *event.Event) (int64, bool) {
	i := resultParam(e)
	if i < 0 {
		return 0, false
	}
	return e.Int(i)
}

// errorCount is evt.count.error: 1 for failed calls.
func errorCount(c Ctx) bool {
	res, ok := result(c.Evt)
	return ok && res < 0
}

func isOpenCreator(t event.Type) bool {
	switch t {
	case event.SyscallOpenX, event.SyscallCreatX, event.SyscallOpenatX, event.SyscallOpenatV2X, event.SyscallOpenat2X:
		return true
	}
	return false
}

func isNetCreator(t event.Type) bool {
	switch t {
	case event.SocketAcceptX, event.SocketAcceptV5X, event.SocketAccept4X, event.SocketAccept4V5X, event.SocketAccept4V6X, event.SocketConnectX:
		return true
	}
	return false
}

func isFileFD(f *state.FD) bool {
	return f.Type == state.FDFile || f.Type == state.FDFileV2 || f.Type == state.FDDirectory
}

func isNetFD(f *state.FD) bool {
	return isSock(f) || isServ(f) || f.Type == state.FDUnixSock
}

// ------------------------------------------------------------ category

func ioCategory(c Ctx) string {
	f := c.FD
	if f == nil {
		return "unknown"
	}
	switch f.Type {
	case state.FDFile, state.FDFileV2, state.FDDirectory:
		return "file"
	case state.FDIPv4Sock, state.FDIPv6Sock, state.FDIPv4ServSock, state.FDIPv6ServSock:
		return "net"
	case state.FDFifo, state.FDUnixSock, state.FDEvent, state.FDSignalfd, state.FDInotify:
		return "ipc"
	}
	return "unknown"
}

func categoryName(env *Env, c Ctx) string {
	e := c.Evt
	t := e.Type()
	if (t == event.GenericE || t == event.GenericX) && env.Compat == Sysdig029 {
		// sysdig 0.29.3 took a generic event's category from the syscall.
		id, ok := e.Uint(0)
		if !ok || id >= uint64(len(sysdig029Syscalls)) {
			return "unknown"
		}
		cat := sysdig029Syscalls[id].cat
		if cat&event.CatIoBase != 0 {
			return "unknown" // no fd kind is looked up for generic events
		}
		return catName(cat)
	}
	cat := e.Info().Category.Kind()
	if cat&event.CatIoBase != 0 {
		return ioCategory(c)
	}
	return catName(cat)
}

func catName(cat event.Category) string {
	if cat.Kind() == event.CatInternal {
		return "unknown"
	}
	return cat.String()
}

// ------------------------------------------------------------ evt.arg

// bindArg builds evt.arg: by index (evt.arg[1]) or by name (evt.arg.fd).
func bindArg(b *Binding) (*Extractor, error) {
	rnd := newRenderer(b.Env)
	if b.Index >= 0 {
		n := b.Index
		return appendX(func(dst []byte, c Ctx) ([]byte, bool) {
			if n >= event.RenderedParams(c.Evt, rnd.opts.Flavor) {
				return dst, false
			}
			return rnd.arg(dst, c, n)
		}), nil
	}
	name := b.Arg
	if event.LongestParamMatch(name) == nil || event.LongestParamMatch(name).Name != name {
		return nil, fmt.Errorf("unknown event argument %q", name)
	}
	return appendX(func(dst []byte, c Ctx) ([]byte, bool) {
		i := c.Evt.ParamIndex(name)
		if i < 0 {
			return dst, false
		}
		return rnd.arg(dst, c, i)
	}), nil
}

// rawType maps a parameter type to the filter type of its raw value.
func rawType(t event.ParamType) filter.FieldType {
	switch t {
	case event.PInt8, event.PInt16, event.PInt32, event.PInt64, event.PErrno, event.PFd, event.PPid, event.PFd32, event.PPid32:
		return filter.TypeInt
	case event.PUint8, event.PUint16, event.PUint32, event.PUint64, event.PSyscallid, event.PSigtype,
		event.PFlags8, event.PFlags16, event.PFlags32, event.PUid, event.PGid, event.PSigset, event.PMode,
		event.PEnumflags8, event.PEnumflags16, event.PEnumflags32:
		return filter.TypeUint
	case event.PReltime:
		return filter.TypeRelTime
	case event.PAbstime:
		return filter.TypeAbsTime
	case event.PPort:
		return filter.TypePort
	case event.PL4proto:
		return filter.TypeL4Proto
	case event.PSockfamily:
		return filter.TypeSockFamily
	case event.PBool:
		return filter.TypeBool
	case event.PDouble:
		return filter.TypeDouble
	case event.PCharbuf, event.PFspath, event.PFsrelpath:
		return filter.TypeString
	case event.PIpv4addr, event.PIpv6addr, event.PIpaddr:
		return filter.TypeIPAddr
	}
	return filter.TypeBytes
}

// bindRawArg builds evt.rawarg.NAME: the parameter's raw value, typed as
// the first parameter of that name in the event table (as libsinsp types
// it).
func bindRawArg(b *Binding) (*Extractor, error) {
	if b.Index >= 0 {
		return nil, errors.New("evt.rawarg takes a parameter name, not an index")
	}
	pi := event.LongestParamMatch(b.Arg)
	if pi == nil || pi.Name != b.Arg {
		return nil, fmt.Errorf("unknown event argument %q", b.Arg)
	}
	name, pt := pi.Name, pi.Type
	param := func(c Ctx) ([]byte, bool) {
		i := c.Evt.ParamIndex(name)
		if i < 0 {
			return nil, false
		}
		return c.Evt.Param(i)
	}
	ft := rawType(pt)
	x := &Extractor{Field: filter.Field[Ctx]{Info: filter.FieldInfo{Type: ft}}}
	switch ft.Kind() {
	case filter.KindInt:
		x.Field.Int = func(c Ctx, _ int) (int64, bool) {
			p, ok := param(c)
			if !ok {
				return 0, false
			}
			return intOfRaw(p, true)
		}
	case filter.KindUint:
		x.Field.Uint = func(c Ctx, _ int) (uint64, bool) {
			p, ok := param(c)
			if !ok {
				return 0, false
			}
			v, ok := intOfRaw(p, false)
			return uint64(v), ok
		}
	case filter.KindBool:
		x.Field.Bool = func(c Ctx, _ int) (bool, bool) {
			p, ok := param(c)
			if !ok {
				return false, false
			}
			v, ok := intOfRaw(p, false)
			return v != 0, ok
		}
	case filter.KindFloat:
		x.Field.Float = func(c Ctx, _ int) (float64, bool) {
			p, ok := param(c)
			if !ok {
				return 0, false
			}
			return event.ParseDouble(p)
		}
	case filter.KindString:
		x.Field.Str = func(c Ctx, _ int) (string, bool) {
			p, ok := param(c)
			if !ok {
				return "", false
			}
			return bytesToString(event.CString(p)), true
		}
	case filter.KindIP:
		x.Field.IP = func(c Ctx, _ int) (netip.Addr, bool) {
			p, ok := param(c)
			if !ok {
				return netip.Addr{}, false
			}
			a, ok := event.ParseIPAddr(p)
			if ok && a.Is4In6() {
				a = a.Unmap()
			}
			return a, ok
		}
	default:
		x.Field.Bytes = func(c Ctx, _ int) ([]byte, bool) { return param(c) }
	}
	x.text = func(dst []byte, c Ctx) ([]byte, bool) {
		p, ok := param(c)
		if !ok {
			return dst, false
		}
		out, err := event.AppendRaw(dst, p, pt, event.FmtNa)
		if err != nil {
			return dst, false
		}
		return out, true
	}
	x.json = func(dst []byte, c Ctx) ([]byte, bool) {
		switch ft.Kind() {
		case filter.KindInt:
			v, ok := x.Field.Int(c, 0)
			if !ok {
				return dst, false
			}
			return strconv.AppendInt(dst, v, 10), true
		case filter.KindUint:
			v, ok := x.Field.Uint(c, 0)
			if !ok {
				return dst, false
			}
			return strconv.AppendUint(dst, v, 10), true
		}
		mark := len(dst)
		var ok bool
		x.scratch, ok = x.text(x.scratch[:0], c)
		if !ok {
			return dst[:mark], false
		}
		return AppendJSONBytes(dst, x.scratch), true
	}
	return x, nil
}

// intOfRaw decodes a 1, 2, 4 or 8-byte little-endian integer.
func intOfRaw(b []byte, signed bool) (int64, bool) {
	var u uint64
	switch len(b) {
	case 1:
		u = uint64(b[0])
		if signed {
			return int64(int8(u)), true
		}
	case 2:
		u = uint64(b[0]) | uint64(b[1])<<8
		if signed {
			return int64(int16(u)), true
		}
	case 4:
		u = uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24
		if signed {
			return int64(int32(u)), true
		}
	case 8:
		for k := 7; k >= 0; k-- {
			u = u<<8 | uint64(b[k])
		}
	default:
		return 0, false
	}
	return int64(u), true
}

// ------------------------------------------------------------ evt.type.is

func bindTypeIs(b *Binding) (*Extractor, error) {
	lo, hi := -1, -1
	if n, err := strconv.Atoi(b.Arg); err == nil {
		lo, hi = n, n
	} else {
		ts := event.TypesByName(b.Arg)
		if len(ts) == 0 {
			return nil, fmt.Errorf("unknown event type %q", b.Arg)
		}
		lo, hi = int(ts[0]), int(ts[0])+1
	}
	return uintX(func(c Ctx) (uint64, bool) {
		t := int(c.Evt.Type())
		if t == lo || t == hi {
			return 1, true
		}
		return 0, true
	}), nil
}

// ------------------------------------------------------------ abspath

type abspathSpec struct{ dirfd, path string }

func abspathOf(t event.Type, which int) (abspathSpec, bool) {
	switch t {
	case event.SyscallRenameatX, event.SyscallRenameat2X:
		if which == 2 {
			return abspathSpec{"newdirfd", "newpath"}, true
		}
		return abspathSpec{"olddirfd", "oldpath"}, true
	case event.SyscallSymlinkatX:
		return abspathSpec{"linkdirfd", "linkpath"}, true
	case event.SyscallOpenatE, event.SyscallOpenatV2X, event.SyscallOpenat2X, event.SyscallUnlinkatE, event.SyscallUnlinkatV2X:
		return abspathSpec{"dirfd", "name"}, true
	case event.SyscallLinkatE, event.SyscallLinkatV2X:
		if which == 2 {
			return abspathSpec{"newdir", "newpath"}, true
		}
		return abspathSpec{"olddir", "oldpath"}, true
	case event.SyscallMkdiratX:
		return abspathSpec{"dirfd", "path"}, true
	case event.SyscallFchmodatX:
		return abspathSpec{"dirfd", "filename"}, true
	}
	return abspathSpec{}, false
}

func bindAbspath(b *Binding) (*Extractor, error) {
	which := 0
	switch b.Arg {
	case "src":
		which = 1
	case "dst":
		which = 2
	default:
		return nil, fmt.Errorf("evt.abspath takes src or dst, not %q", b.Arg)
	}
	return appendX(func(dst []byte, c Ctx) ([]byte, bool) {
		if c.Thread == nil {
			return dst, false
		}
		e := c.Evt
		sp, ok := abspathOf(e.Type(), which)
		if !ok {
			return dst, false
		}
		di, pi := e.ParamIndex(sp.dirfd), e.ParamIndex(sp.path)
		dirfd, ok1 := e.Int(di)
		path, ok2 := e.Str(pi)
		if di < 0 || pi < 0 || !ok1 || !ok2 {
			return dst, false
		}
		if len(path) > 0 && path[0] == '/' {
			return appendCleanPath(dst, nil, path), true
		}
		if dirfd == atFDCWD {
			return appendCleanPath(dst, []byte(c.Thread.Cwd()), path), true
		}
		f := c.Thread.FD(dirfd)
		if f == nil {
			return appendCleanPath(dst, []byte("<UNKNOWN>"), path), true
		}
		return appendCleanPath(dst, f.Name, path), true
	}), nil
}

// ------------------------------------------------------------ buffers

// bindBuffer builds evt.buffer: filters compare the raw bytes of the "data"
// parameter; output shows it rendered as evt.args does.
func bindBuffer(b *Binding) (*Extractor, error) {
	rnd := newRenderer(b.Env)
	x := &Extractor{Field: filter.Field[Ctx]{
		Info: filter.FieldInfo{Type: filter.TypeBytes},
		Bytes: func(c Ctx, _ int) ([]byte, bool) {
			i := c.Evt.ParamIndex("data")
			if i < 0 {
				return nil, false
			}
			return c.Evt.Param(i)
		},
	}}
	x.text = func(dst []byte, c Ctx) ([]byte, bool) {
		i := c.Evt.ParamIndex("data")
		if i < 0 {
			return dst, false
		}
		return rnd.arg(dst, c, i)
	}
	x.json = func(dst []byte, c Ctx) ([]byte, bool) {
		var ok bool
		x.scratch, ok = x.text(x.scratch[:0], c)
		if !ok {
			return dst, false
		}
		return AppendJSONBytes(dst, x.scratch), true
	}
	return x, nil
}

// buflen is evt.buflen and its variants: for I/O exits on a known fd, the
// number of bytes moved (the non-negative result).
func buflen(c Ctx, match func(cat event.Category, f *state.FD) bool) (uint64, bool) {
	e := c.Evt
	if c.FD == nil || e.IsEnter() {
		return 0, false
	}
	cat := e.Info().Category.Kind()
	if cat&event.CatIoBase == 0 || !match(cat, c.FD) {
		return 0, false
	}
	res, ok := e.Int(0)
	if !ok || res < 0 {
		return 0, false
	}
	return uint64(res), true
}

func buflenField(match func(cat event.Category, f *state.FD) bool) func(*Binding) (*Extractor, error) {
	return evtUint(func(c Ctx) (uint64, bool) { return buflen(c, match) })
}

func anyIO(event.Category, *state.FD) bool       { return true }
func ioIn(cat event.Category, _ *state.FD) bool  { return cat == event.CatIoRead }
func ioOut(cat event.Category, _ *state.FD) bool { return cat == event.CatIoWrite }
func plainFile(f *state.FD) bool                 { return f.Type == state.FDFile || f.Type == state.FDFileV2 }
func ipSock(f *state.FD) bool                    { return isSock(f) || isServ(f) }

// ------------------------------------------------------------ open flags

// Open flag and mode bits (PPM_O_*, PPM_S_*).
const (
	oRdonly   = 1 << 0
	oWronly   = 1 << 1
	oCreat    = 1 << 2
	oTmpfile  = 1 << 13
	oFCreated = 1 << 14
	sIXany    = 0o111
)

// openFlags returns the flags and mode of an open-family exit (or the old
// openat enter), and whether the event is one.
func openFlags(e *event.Event) (flags, mode uint32, ok bool) {
	var fi, mi int
	switch e.Type() {
	case event.SyscallOpenX, event.SyscallOpenatE:
		fi, mi = 2, 3
	case event.SyscallOpenatV2X, event.SyscallOpenat2X:
		fi, mi = 3, 4
	default:
		return 0, 0, false
	}
	f, ok1 := e.Uint(fi)
	m, _ := e.Uint(mi)
	if !ok1 {
		return 0, 0, false
	}
	return uint32(f), uint32(m), true
}

func isOpenExec(c Ctx) bool {
	e := c.Evt
	if e.Type() == event.SyscallCreatX {
		m, _ := e.Uint(2)
		return m&sIXany != 0
	}
	f, m, ok := openFlags(e)
	return ok && f&(oTmpfile|oCreat) != 0 && m&sIXany != 0
}

// ------------------------------------------------------------ infra events

// infraField builds evt.infra.docker.*: a value from the "key: value;"
// description of an infrastructure event.
func infraField(key string, trim12, image bool) func(*Binding) (*Extractor, error) {
	return func(*Binding) (*Extractor, error) {
		return appendX(func(dst []byte, c Ctx) ([]byte, bool) {
			e := c.Evt
			if e.Type() != event.InfrastructureEventE {
				return dst, false
			}
			desc, ok := e.Str(2)
			if !ok {
				return dst, false
			}
			for _, part := range bytes.Split(desc, []byte{';'}) {
				p := bytes.TrimSpace(part)
				if !bytes.HasPrefix(p, []byte(key)) {
					continue
				}
				k := bytes.IndexByte(p, ':')
				if k < 0 {
					continue
				}
				v := bytes.TrimSpace(p[k+1:])
				if trim12 && len(v) > 12 {
					v = v[:12]
				}
				if image {
					if at := bytes.IndexByte(v, '@'); at >= 0 {
						v = bytes.TrimSpace(v[:at])
					}
				}
				return append(dst, v...), true
			}
			return dst, false
		}), nil
	}
}

// ------------------------------------------------------------ the class

func evtClass() *Class {
	tS := filter.TypeString
	tB := filter.TypeBool
	tU := filter.TypeUint
	rel := filter.TypeRelTime
	abs := filter.TypeAbsTime
	tableOnly := filter.FlagTableOnly
	return &Class{
		Name: "evt",
		Desc: "The event itself: number, time, type, direction, arguments and result.",
		Fields: []Def{
			{Name: "evt.num", Type: tU, Print: PrintID, Desc: "Number of the event in its source, from 1 (events sysdig hides count too).", Bind: func(*Binding) (*Extractor, error) {
				return uintF(func(c Ctx, _ int) (uint64, bool) { return c.Evt.Num, true }), nil
			}},
			{Name: "evt.time", Type: tS, Desc: "Time of the event as hh:mm:ss.nnnnnnnnn in local time.", Bind: timeField(false, true, false)},
			{Name: "evt.time.s", Type: tS, Desc: "Time of the event as hh:mm:ss in local time.", Bind: timeField(false, false, false)},
			{Name: "evt.time.iso8601", Type: tS, Desc: "Time of the event in ISO 8601 form, in UTC, with nanoseconds.", Bind: timeField(true, true, true)},
			{Name: "evt.datetime", Type: tS, Desc: "Date and time of the event as YYYY-MM-DD hh:mm:ss.nnnnnnnnn in local time.", Bind: timeField(true, true, false)},
			{Name: "evt.datetime.s", Type: tS, Desc: "Date and time of the event without the nanoseconds.", Bind: timeField(true, false, false)},
			{Name: "evt.rawtime", Type: abs, Print: PrintDec, Desc: "Time of the event in nanoseconds since the epoch.", Bind: evtTimeUint(func(_ *Env, c Ctx) uint64 { return c.Evt.Ts() })},
			{Name: "evt.rawtime.s", Type: abs, Print: PrintDec, Desc: "Whole seconds of evt.rawtime.", Bind: evtTimeUint(func(_ *Env, c Ctx) uint64 { return c.Evt.Ts() / 1e9 })},
			{Name: "evt.rawtime.ns", Type: abs, Print: Print10Padded, Desc: "Nanosecond part of evt.rawtime.", Bind: evtTimeUint(func(_ *Env, c Ctx) uint64 { return c.Evt.Ts() % 1e9 })},
			{Name: "evt.reltime", Type: rel, Print: Print10Padded, Desc: "Nanoseconds since the first event of the capture.", Bind: evtTimeUint(func(env *Env, c Ctx) uint64 { return c.Evt.Ts() - env.FirstTs })},
			{Name: "evt.reltime.s", Type: rel, Print: PrintDec, Desc: "Whole seconds since the first event.", Bind: evtTimeUint(func(env *Env, c Ctx) uint64 { return (c.Evt.Ts() - env.FirstTs) / 1e9 })},
			{Name: "evt.reltime.ns", Type: rel, Print: Print10Padded, Desc: "Nanosecond part of the time since the first event.", Bind: evtTimeUint(func(env *Env, c Ctx) uint64 { return (c.Evt.Ts() - env.FirstTs) % 1e9 })},
			{Name: "evt.pluginname", Type: tS, Desc: "For events from a plugin, the plugin's name (syscall events have none).", Bind: noValue},
			{Name: "evt.plugininfo", Type: tS, Desc: "For events from a plugin, the plugin's one-line summary of the event (syscall events have none).", Bind: noValue},
			{Name: "evt.source", Type: tS, Desc: "Name of the event source: syscall.", Bind: func(*Binding) (*Extractor, error) {
				return strX(func(Ctx) (string, bool) { return "syscall", true }), nil
			}},
			{Name: "evt.is_async", Type: tB, Desc: "Whether the event was generated by syscope rather than by a thread (container and other metadata events).", Bind: evtBool(func(c Ctx) bool { return isMeta(c.Evt) })},
			{Name: "evt.asynctype", Type: tS, Desc: "For asynchronous events, their type name.", Bind: func(*Binding) (*Extractor, error) {
				return strX(func(c Ctx) (string, bool) {
					if !isMeta(c.Evt) {
						return "", false
					}
					return c.Evt.Info().Name, true
				}), nil
			}},
			{Name: "evt.hostname", Type: tS, Desc: "Name of the machine the event came from.", Bind: func(b *Binding) (*Extractor, error) {
				env := b.Env
				return strX(func(Ctx) (string, bool) { return env.Hostname, env.Hostname != "" }), nil
			}},

			{Name: "evt.latency", Type: rel, Print: PrintDec, Flags: filter.FlagDeprecated, Desc: "For exit events, nanoseconds since the matching enter event.", Bind: latencyField(func(l uint64) uint64 { return l })},
			{Name: "evt.latency.s", Type: rel, Print: PrintDec, Flags: filter.FlagDeprecated, Desc: "Whole seconds of evt.latency.", Bind: latencyField(func(l uint64) uint64 { return l / 1e9 })},
			{Name: "evt.latency.ns", Type: rel, Print: Print10Padded, Flags: filter.FlagDeprecated, Desc: "Nanosecond part of evt.latency.", Bind: latencyField(func(l uint64) uint64 { return l % 1e9 })},
			{Name: "evt.latency.quantized", Type: tU, Print: PrintDec, Flags: filter.FlagDeprecated | tableOnly, Desc: "evt.latency on a logarithmic scale from 1 to 81.", Bind: evtUint(func(c Ctx) (uint64, bool) {
				if c.Thread == nil || c.Evt.Info().Category.Kind() == event.CatInternal || c.Latency == 0 {
					return 0, false
				}
				l := math.Log10(float64(c.Latency))
				if l > 11 {
					l = 11
				}
				return uint64(l*80/11) + 1, true
			})},
			{Name: "evt.latency.human", Type: tS, Flags: filter.FlagDeprecated, Desc: "evt.latency in a readable unit (ns, us, ms, s).", Bind: func(b *Binding) (*Extractor, error) {
				env := b.Env
				var last []byte
				return appendX(func(dst []byte, c Ctx) ([]byte, bool) {
					if c.Thread == nil {
						if env.Compat == Sysdig029 {
							// sysdig 0.29.3 shows the previous value again.
							return append(dst, last...), true
						}
						return dst, true
					}
					if c.Evt.Info().Category&event.CatInternal != 0 {
						return dst, false
					}
					start := len(dst)
					dst = appendHumanDuration(dst, c.Latency)
					last = append(last[:0], dst[start:]...)
					return dst, true
				}), nil
			}},
			{Name: "evt.deltatime", Type: rel, Print: PrintDec, Desc: "Nanoseconds since the previous event this field was read for.", Bind: deltaField(func(d uint64) uint64 { return d })},
			{Name: "evt.deltatime.s", Type: rel, Print: PrintDec, Desc: "Whole seconds of evt.deltatime.", Bind: deltaField(func(d uint64) uint64 { return d / 1e9 })},
			{Name: "evt.deltatime.ns", Type: rel, Print: Print10Padded, Desc: "Nanosecond part of evt.deltatime.", Bind: deltaField(func(d uint64) uint64 { return d % 1e9 })},
			{Name: "evt.outputtime", Type: tS, Flags: filter.FlagPrintOnly, Desc: "Time of the event in the form chosen for output (-t): by default as evt.time.", Bind: bindOutputTime},
			{Name: "evt.dir", Type: tS, Print: PrintDir, Flags: filter.FlagDeprecated, Desc: "Direction of the event: > for enter events, < for exit events.", Bind: func(*Binding) (*Extractor, error) {
				return strF(func(c Ctx, _ int) (string, bool) {
					if c.Evt.IsEnter() {
						return ">", true
					}
					return "<", true
				}), nil
			}},
			{Name: "evt.type", Type: tS, Desc: "Name of the event, such as open or execve.", Bind: func(b *Binding) (*Extractor, error) {
				env := b.Env
				return &Extractor{Field: filter.Field[Ctx]{
					Info: filter.FieldInfo{Type: filter.TypeString},
					Str:  func(c Ctx, _ int) (string, bool) { return typeName(env, c.Evt), true },
				}}, nil
			}},
			{Name: "evt.type.is", Type: tU, Bits: 32, Arg: ArgKey, Desc: "1 when the event has the type given as argument (a name or number, evt.type.is.open), 0 otherwise.", Bind: bindTypeIs},
			{Name: "syscall.type", Type: tS, Desc: "For system call events, the name of the call; missing for other events (scheduler switches, internal events).", Bind: func(b *Binding) (*Extractor, error) {
				env := b.Env
				return strX(func(c Ctx) (string, bool) {
					info := c.Evt.Info()
					t := c.Evt.Type()
					if t == event.SchedswitchV6E || info.Flags&event.EFSkipparsereset != 0 || info.Category.Kind() == event.CatInternal {
						return "", false
					}
					return typeName(env, c.Evt), true
				}), nil
			}},
			{Name: "evt.category", Type: tS, Desc: "Category of the event: file, net, ipc, memory, process, time, signal, wait, scheduler... For I/O calls the kind of fd decides (file, net, ipc).", Bind: func(b *Binding) (*Extractor, error) {
				env := b.Env
				return strX(func(c Ctx) (string, bool) { return categoryName(env, c), true }), nil
			}},
			{Name: "evt.cpu", Type: filter.TypeInt, Bits: 16, Print: PrintID, Desc: "Number of the CPU the event happened on.", Bind: func(*Binding) (*Extractor, error) {
				return intF(func(c Ctx, _ int) (int64, bool) { return int64(int16(c.Evt.CPU)), true }), nil
			}},
			{Name: "evt.args", Type: tS, Desc: "Every argument of the event as name=value pairs.", Bind: bindArgsField},
			{Name: "evt.arg", Type: tS, Arg: ArgIndexOrKey, Desc: "One argument, by name (evt.arg.fd) or position (evt.arg[0]): the resolved form when there is one (fd name, errno name, flag names), else the value.", Bind: bindArg},
			{Name: "evt.rawarg", Type: filter.TypeNone, Flags: filter.FlagNoRHS | filter.FlagNoTransformer, Arg: ArgKey, Desc: "One argument by name, as its raw value, typed as the argument is (evt.rawarg.res < 0).", Bind: bindRawArg},
			{Name: "evt.info", Type: tS, Desc: "A summary of the event: evt.args, or for writes to /dev/log the decoded syslog message once a syslog field is in use.", Bind: bindInfo},
			{Name: "evt.buffer", Type: filter.TypeBytes, Desc: "The data buffer of I/O events (read, write, send, recv...).", Bind: bindBuffer},
			{Name: "evt.buflen", Type: tU, Print: PrintDec, Desc: "For I/O exit events, the number of bytes read or written.", Bind: buflenField(anyIO)},
			{Name: "evt.res", Type: tS, Desc: "Result of the call: SUCCESS, or the error name (ENOENT) when it failed.", Bind: bindRes},
			{Name: "evt.rawres", Type: filter.TypeInt, Print: PrintDec, Desc: "Result of the call as a number (negative errno on failure).", Bind: func(*Binding) (*Extractor, error) {
				return intX(func(c Ctx) (int64, bool) { return result(c.Evt) }), nil
			}},
			{Name: "evt.failed", Type: tB, Desc: "Whether the call returned an error.", Bind: evtBool(func(c Ctx) bool {
				res, ok := result(c.Evt)
				return ok && res < 0
			})},
			{Name: "evt.is_io", Type: tB, Desc: "Whether the event reads from or writes to an fd.", Bind: evtFlagBool(func(f event.EventFlags, _ Ctx) bool {
				return f&(event.EFReadsFromFd|event.EFWritesToFd) != 0
			})},
			{Name: "evt.is_io_read", Type: tB, Desc: "Whether the event reads from an fd.", Bind: evtFlagBool(func(f event.EventFlags, _ Ctx) bool { return f&event.EFReadsFromFd != 0 })},
			{Name: "evt.is_io_write", Type: tB, Desc: "Whether the event writes to an fd.", Bind: evtFlagBool(func(f event.EventFlags, _ Ctx) bool { return f&event.EFWritesToFd != 0 })},
			{Name: "evt.io_dir", Type: tS, Desc: "read or write for I/O events.", Bind: func(b *Binding) (*Extractor, error) {
				env := b.Env
				return strX(func(c Ctx) (string, bool) {
					f := env.flags(c.Evt)
					switch {
					case f&event.EFWritesToFd != 0:
						return "write", true
					case f&event.EFReadsFromFd != 0:
						return "read", true
					}
					return "", false
				}), nil
			}},
			{Name: "evt.is_wait", Type: tB, Desc: "Whether the call makes the thread wait (sleep, select, poll...).", Bind: evtFlagBool(func(f event.EventFlags, _ Ctx) bool { return f&event.EFWaits != 0 })},
			{Name: "evt.wait_latency", Type: rel, Print: PrintDec, Flags: filter.FlagDeprecated, Desc: "For exits of waiting calls, the nanoseconds spent waiting.", Bind: func(b *Binding) (*Extractor, error) {
				env := b.Env
				return numJSON(typed(uintX(func(c Ctx) (uint64, bool) {
					if env.flags(c.Evt)&event.EFWaits == 0 || c.Evt.IsEnter() {
						return 0, false
					}
					if c.Thread == nil {
						return 0, true
					}
					return c.Latency, true
				}), rel)), nil
			}},
			{Name: "evt.is_syslog", Type: tB, Desc: "Whether the event writes to /dev/log.", Bind: evtFlagBool(func(f event.EventFlags, c Ctx) bool {
				return f&event.EFWritesToFd != 0 && c.FD != nil && bytes.Contains(c.FD.Name, []byte("/dev/log"))
			})},
			{Name: "evt.count", Type: tU, Bits: 32, Print: PrintDec, Desc: "Always 1: counts events.", Bind: func(*Binding) (*Extractor, error) {
				return numJSON(uintX(func(Ctx) (uint64, bool) { return 1, true })), nil
			}},
			{Name: "evt.count.error", Type: tU, Bits: 32, Print: PrintDec, Desc: "1 for calls that failed.", Bind: flag1(errorCount)},
			{Name: "evt.count.error.file", Type: tU, Bits: 32, Print: PrintDec, Desc: "1 for failed calls on files.", Bind: flag1(func(c Ctx) bool {
				if c.FD != nil {
					return isFileFD(c.FD) && errorCount(c)
				}
				return isOpenCreator(c.Evt.Type()) && errorCount(c)
			})},
			{Name: "evt.count.error.net", Type: tU, Bits: 32, Print: PrintDec, Desc: "1 for failed calls on sockets.", Bind: flag1(func(c Ctx) bool {
				if c.FD != nil {
					return isNetFD(c.FD) && errorCount(c)
				}
				return isNetCreator(c.Evt.Type()) && errorCount(c)
			})},
			{Name: "evt.count.error.memory", Type: tU, Bits: 32, Print: PrintDec, Desc: "1 for failed memory calls.", Bind: flag1(func(c Ctx) bool {
				return c.Evt.Info().Category.Kind() == event.CatMemory && errorCount(c)
			})},
			{Name: "evt.count.error.other", Type: tU, Bits: 32, Print: PrintDec, Desc: "1 for failed calls not counted as file, net or memory errors.", Bind: flag1(func(c Ctx) bool {
				if c.FD != nil {
					return !isFileFD(c.FD) && !isNetFD(c.FD) && errorCount(c)
				}
				t := c.Evt.Type()
				return !isOpenCreator(t) && !isNetCreator(t) && c.Evt.Info().Category.Kind() != event.CatMemory && errorCount(c)
			})},
			{Name: "evt.count.exit", Type: tU, Bits: 32, Print: PrintDec, Desc: "1 for exit events.", Bind: flag1(func(c Ctx) bool { return !c.Evt.IsEnter() })},
			{Name: "evt.count.procinfo", Type: tU, Bits: 32, Print: PrintDec, Flags: tableOnly, Desc: "1 for process-info events of main threads.", Bind: flag1(func(c Ctx) bool {
				return c.Evt.Type() == event.ProcinfoE && c.Thread != nil && c.Thread.IsMain()
			})},
			{Name: "evt.count.threadinfo", Type: tU, Bits: 32, Print: PrintDec, Flags: tableOnly, Desc: "1 for process-info events.", Bind: flag1(func(c Ctx) bool { return c.Evt.Type() == event.ProcinfoE })},
			{Name: "evt.abspath", Type: tS, Arg: ArgKey, Desc: "Absolute path built from a directory fd and a relative path in *at calls: evt.abspath.src or evt.abspath.dst.", Bind: bindAbspath},
			{Name: "evt.buflen.in", Type: tU, Print: PrintDec, Flags: tableOnly, Desc: "evt.buflen of input events.", Bind: buflenField(ioIn)},
			{Name: "evt.buflen.out", Type: tU, Print: PrintDec, Flags: tableOnly, Desc: "evt.buflen of output events.", Bind: buflenField(ioOut)},
			{Name: "evt.buflen.file", Type: tU, Print: PrintDec, Flags: tableOnly, Desc: "evt.buflen of file I/O.", Bind: buflenField(func(_ event.Category, f *state.FD) bool { return plainFile(f) })},
			{Name: "evt.buflen.file.in", Type: tU, Print: PrintDec, Flags: tableOnly, Desc: "evt.buflen of file input.", Bind: buflenField(func(c event.Category, f *state.FD) bool { return c == event.CatIoRead && plainFile(f) })},
			{Name: "evt.buflen.file.out", Type: tU, Print: PrintDec, Flags: tableOnly, Desc: "evt.buflen of file output.", Bind: buflenField(func(c event.Category, f *state.FD) bool { return c == event.CatIoWrite && plainFile(f) })},
			{Name: "evt.buflen.net", Type: tU, Print: PrintDec, Flags: tableOnly, Desc: "evt.buflen of network I/O.", Bind: buflenField(func(_ event.Category, f *state.FD) bool { return ipSock(f) })},
			{Name: "evt.buflen.net.in", Type: tU, Print: PrintDec, Flags: tableOnly, Desc: "evt.buflen of network input.", Bind: buflenField(func(c event.Category, f *state.FD) bool { return c == event.CatIoRead && ipSock(f) })},
			{Name: "evt.buflen.net.out", Type: tU, Print: PrintDec, Flags: tableOnly, Desc: "evt.buflen of network output.", Bind: buflenField(func(c event.Category, f *state.FD) bool { return c == event.CatIoWrite && ipSock(f) })},
			{Name: "evt.is_open_read", Type: tB, Desc: "For open calls, whether the file was opened for reading.", Bind: evtBool(func(c Ctx) bool {
				f, _, ok := openFlags(c.Evt)
				return ok && f&oRdonly != 0
			})},
			{Name: "evt.is_open_write", Type: tB, Desc: "For open calls, whether the file was opened for writing.", Bind: evtBool(func(c Ctx) bool {
				f, _, ok := openFlags(c.Evt)
				return ok && f&oWronly != 0
			})},
			{Name: "evt.infra.docker.name", Type: tS, Flags: tableOnly, Desc: "For Docker infrastructure events, the event name.", Bind: infraField("Event", false, false)},
			{Name: "evt.infra.docker.container.id", Type: tS, Flags: tableOnly, Desc: "For Docker infrastructure events, the container id (12 characters).", Bind: infraField("ID", true, false)},
			{Name: "evt.infra.docker.container.name", Type: tS, Flags: tableOnly, Desc: "For Docker infrastructure events, the container name.", Bind: infraField("name", false, false)},
			{Name: "evt.infra.docker.container.image", Type: tS, Flags: tableOnly, Desc: "For Docker infrastructure events, the container image.", Bind: infraField("Image", false, true)},
			{Name: "evt.is_open_exec", Type: tB, Desc: "For open and creat calls that create a file, whether it gets execute permission.", Bind: evtBool(isOpenExec)},
			{Name: "evt.is_open_create", Type: tB, Desc: "For open calls, whether the call created the file.", Bind: evtBool(func(c Ctx) bool {
				f, _, ok := openFlags(c.Evt)
				if !ok || c.Evt.IsEnter() {
					return false
				}
				if f&oFCreated != 0 {
					return true
				}
				if f&oTmpfile != 0 {
					res, ok := result(c.Evt)
					return ok && res >= 0
				}
				return false
			})},
		},
	}
}

func noValue(*Binding) (*Extractor, error) {
	return strX(func(Ctx) (string, bool) { return "", false }), nil
}

// isMeta reports events syscope (or the driver) generates itself rather
// than a thread's system call: container, infrastructure and similar
// metadata events.
func isMeta(e *event.Event) bool {
	return e.Info().Category&event.CatMetaevent != 0
}

func latencyField(conv func(uint64) uint64) func(*Binding) (*Extractor, error) {
	return func(b *Binding) (*Extractor, error) {
		return numJSON(typed(uintX(func(c Ctx) (uint64, bool) {
			if c.Thread == nil {
				return 0, true
			}
			if c.Evt.Info().Category.Kind() == event.CatInternal {
				return 0, false
			}
			return conv(c.Latency), true
		}), b.Def.Type)), nil
	}
}

// deltaField builds evt.deltatime: like libsinsp, each use of the field
// remembers the time of the previous event it was read for.
func deltaField(conv func(uint64) uint64) func(*Binding) (*Extractor, error) {
	return func(b *Binding) (*Extractor, error) {
		var prev uint64
		env := b.Env
		x := typed(uintX(func(c Ctx) (uint64, bool) {
			ts := c.Evt.Ts()
			var d uint64
			if prev != 0 {
				d = ts - prev
			}
			prev = ts
			return conv(d), true
		}), b.Def.Type)
		x.json = func(dst []byte, c Ctx) ([]byte, bool) {
			v, _ := x.Field.Uint(c, 0)
			if env.Compat == Sysdig029 {
				// sysdig extracts JSON values twice: the second read, the one
				// it prints, always sees a zero delta.
				v = 0
			}
			return strconv.AppendUint(dst, v, 10), true
		}
		return x, nil
	}
}

func bindOutputTime(b *Binding) (*Extractor, error) {
	env := b.Env
	k := newClock(env)
	var prev uint64
	x := appendX(func(dst []byte, c Ctx) ([]byte, bool) {
		ts := c.Evt.Ts()
		switch env.OutputTime {
		case 'a':
			dst = strconv.AppendUint(dst, ts/1e9, 10)
			dst = append(dst, '.')
			return strconv.AppendUint(dst, ts%1e9, 10), true
		case 'r':
			return appendSecNs(dst, ts-env.FirstTs), true
		case 'd':
			if c.Thread == nil {
				return append(dst, "0.000000000"...), true
			}
			return appendSecNs(dst, c.Latency), true
		case 'D':
			if prev == 0 {
				prev = ts
			}
			d := ts - prev
			prev = ts
			return appendSecNs(dst, d), true
		}
		return k.appendTimeNs(dst, ts), true
	})
	x.json = func(dst []byte, c Ctx) ([]byte, bool) {
		return appendUint(dst, c.Evt.Ts()), true
	}
	return x, nil
}

func bindArgsField(b *Binding) (*Extractor, error) {
	rnd := newRenderer(b.Env)
	return appendX(func(dst []byte, c Ctx) ([]byte, bool) {
		return rnd.args(dst, c), true
	}), nil
}

func bindInfo(b *Binding) (*Extractor, error) {
	env := b.Env
	rnd := newRenderer(env)
	return appendX(func(dst []byte, c Ctx) ([]byte, bool) {
		if env.syslog {
			if pri, msg, ok := syslogMsg(env, c); ok {
				return appendSyslogInfo(dst, pri, msg), true
			}
		}
		return rnd.args(dst, c), true
	}), nil
}

func bindRes(b *Binding) (*Extractor, error) {
	rnd := newRenderer(b.Env)
	return appendX(func(dst []byte, c Ctx) ([]byte, bool) {
		i := resultParam(c.Evt)
		if i < 0 {
			return dst, false
		}
		res, ok := c.Evt.Int(i)
		if !ok {
			return dst, false
		}
		if res >= 0 {
			return append(dst, "SUCCESS"...), true
		}
		return rnd.arg(dst, c, i)
	}), nil
}

// appendHumanDuration prints a duration in nanoseconds the way libsinsp's
// readable latencies do: hh:mm:ss above an hour, m:s above a minute, then
// seconds, milliseconds and microseconds with two truncated decimals below
// ten of the unit (no decimals from ten up), and nanoseconds.
func appendHumanDuration(dst []byte, ns uint64) []byte {
	const s = uint64(1e9)
	two := func(dst []byte, v uint64) []byte {
		return append(dst, digitPairs[2*(v%100)], digitPairs[2*(v%100)+1])
	}
	switch {
	case ns >= 3600*s:
		h := ns / (3600 * s)
		if h < 10 {
			dst = append(dst, '0')
		}
		dst = appendUint(dst, h)
		dst = append(dst, ':')
		dst = two(dst, (ns/(60*s))%60)
		dst = append(dst, ':')
		return two(dst, (ns/s)%60)
	case ns >= 60*s:
		dst = appendUint(dst, ns/(60*s))
		dst = append(dst, ':')
		return appendUint(dst, (ns/s)%60)
	case ns >= s:
		dst = appendUint(dst, ns/s)
		dst = append(dst, '.')
		dst = two(dst, (ns%s)/10000000)
		return append(dst, 's')
	case ns >= s/100:
		dst = appendUint(dst, ns/1000000)
		return append(dst, "ms"...)
	case ns >= s/1000:
		dst = appendUint(dst, ns/1000000)
		dst = append(dst, '.')
		dst = two(dst, (ns%1000000)/10000)
		return append(dst, "ms"...)
	case ns >= s/100000:
		dst = appendUint(dst, ns/1000)
		return append(dst, "us"...)
	case ns >= s/1000000:
		dst = appendUint(dst, ns/1000)
		dst = append(dst, '.')
		dst = two(dst, (ns%1000)/10)
		return append(dst, "us"...)
	}
	dst = appendUint(dst, ns)
	return append(dst, "ns"...)
}
