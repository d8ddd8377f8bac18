package event

import (
	"encoding/binary"
	"math"
	"strconv"
	"time"

	"github.com/syscope/syscope/internal/sinsptext"
)

// Rendering turns parameters into the text sysdig prints for %evt.args,
// %evt.info, %evt.arg.NAME and %evt.arg[N]. Each parameter has a value (the
// number, string or address itself) and, for some types, a resolution: the
// errno name of a failed result, the names of the bits set in a flags
// parameter, what an fd refers to, the command of a pid, the user of a uid,
// the absolute form of a relative path. evt.args writes "value(resolution)";
// evt.arg writes the resolution when there is one, else the value.
//
// Resolutions that need process state (fd names, pid commands, user and
// group names, working directories) come from a Resolver; without one the
// renderer behaves as sysdig does for a known thread whose fds, users and
// working directory it does not know.

// DefaultMaxBufLen is how many characters of a byte buffer sysdig prints in
// its normal buffer format unless run with -v: longer buffers are cut and end
// in "...".
const DefaultMaxBufLen = 80

// Flavor chooses between the rendering rules of the sysdig release syscope
// matches (0.29.3, whose libsinsp dates from March 2022) and those of current
// libsinsp (Falco).
type Flavor uint8

// Flavors.
const (
	// FlavorSysdig renders as sysdig 0.29.3: enum parameters are decoded as
	// bit flags, and the few parameters whose type changed since (mmap's
	// result, eventfd's flags, ...) render with their old types.
	FlavorSysdig Flavor = iota
	// FlavorLibs renders as current libsinsp: enum parameters name the value
	// they equal, and empty parameters render as <NA> (or NULL for buffers,
	// tuples, fd lists and dynamic parameters).
	FlavorLibs
)

// RenderOptions control rendering. A nil *RenderOptions means the zero
// value: sysdig's defaults.
type RenderOptions struct {
	// Format is the byte-buffer format; zero means BufNormal.
	Format BufFormat
	// MaxBufLen cuts byte buffers rendered in BufNormal format to this many
	// characters, the last three replaced by "...". Zero means
	// DefaultMaxBufLen; a negative value means no limit (sysdig -v).
	MaxBufLen int
	// Resolver supplies fd names, thread commands, user and group names and
	// working directories. Nil means NopResolver.
	Resolver Resolver
	// Flavor selects sysdig 0.29.3 (the default) or current libsinsp rules.
	Flavor Flavor
}

var zeroOptions RenderOptions

// Resolver supplies the state-dependent part of rendering. Implementations
// may embed NopResolver and override what they know.
type Resolver interface {
	// ThreadKnown reports whether the state knows the thread that generated
	// e. For unknown threads sysdig prints fds as bare numbers (no errno
	// name for negative ones), fd lists as empty strings, and leaves
	// relative paths unresolved.
	ThreadKnown(e *Event) bool
	// AppendFD appends what fd (>= 0) refers to in e's thread, as sysdig
	// writes it between parentheses: the type characters in angle brackets,
	// then the name ("<f>/etc/passwd", "<4t>10.0.0.1:40000->10.0.0.2:80").
	// With simple set (BufSimple) the type character is left out but the
	// protocol character kept ("<t>..."). It returns false, having appended
	// nothing, when the fd is unknown.
	AppendFD(dst []byte, e *Event, fd int64, simple bool) ([]byte, bool)
	// FDTypeChar returns the type character of fd in e's thread ('f', '4',
	// '6', 'u', 'p', ...), and false when the fd is unknown.
	FDTypeChar(e *Event, fd int64) (byte, bool)
	// AppendComm appends the command name of thread tid, and returns false,
	// having appended nothing, when the thread is unknown.
	AppendComm(dst []byte, tid int64) ([]byte, bool)
	// AppendUserName appends the name of user uid as e's thread sees it,
	// and returns false, having appended nothing, when unknown.
	AppendUserName(dst []byte, e *Event, uid uint32) ([]byte, bool)
	// AppendGroupName appends the name of group gid as e's thread sees it,
	// and returns false, having appended nothing, when unknown.
	AppendGroupName(dst []byte, e *Event, gid uint32) ([]byte, bool)
	// AppendCwd appends the working directory of e's thread, ending in '/',
	// and returns false, having appended nothing, when unknown: relative
	// paths then stay unresolved.
	AppendCwd(dst []byte, e *Event) ([]byte, bool)
	// AppendDirFD appends the path of the directory that dirfd refers to in
	// e's thread, without a trailing '/'. It returns true with nothing
	// appended when the thread is known but the fd is not (sysdig then
	// resolves the relative path against the empty string), and false to
	// leave the path unresolved.
	AppendDirFD(dst []byte, e *Event, dirfd int64) ([]byte, bool)
}

// NopResolver knows every thread and nothing else: fds render as numbers
// (negative ones with their errno name), pids without commands, uids and
// gids as "<NA>", and relative paths stay unresolved.
type NopResolver struct{}

// ThreadKnown implements Resolver.
func (NopResolver) ThreadKnown(*Event) bool { return true }

// AppendFD implements Resolver.
func (NopResolver) AppendFD(dst []byte, _ *Event, _ int64, _ bool) ([]byte, bool) { return dst, false }

// FDTypeChar implements Resolver.
func (NopResolver) FDTypeChar(*Event, int64) (byte, bool) { return 0, false }

// AppendComm implements Resolver.
func (NopResolver) AppendComm(dst []byte, _ int64) ([]byte, bool) { return dst, false }

// AppendUserName implements Resolver.
func (NopResolver) AppendUserName(dst []byte, _ *Event, _ uint32) ([]byte, bool) { return dst, false }

// AppendGroupName implements Resolver.
func (NopResolver) AppendGroupName(dst []byte, _ *Event, _ uint32) ([]byte, bool) { return dst, false }

// AppendCwd implements Resolver.
func (NopResolver) AppendCwd(dst []byte, _ *Event) ([]byte, bool) { return dst, false }

// AppendDirFD implements Resolver.
func (NopResolver) AppendDirFD(dst []byte, _ *Event, _ int64) ([]byte, bool) { return dst, false }

var nopResolver Resolver = NopResolver{}

// style is what a rendering keeps of the value and its resolution.
type style uint8

const (
	styleArgs  style = iota // value(resolution), as in evt.args
	styleArg                // the resolution, else the value, as evt.arg.NAME
	styleValue              // the value only
)

// RenderedParams returns how many of e's parameters the flavor renders:
// those the event carries that the schema also lists and, for FlavorSysdig,
// that sysdig 0.29.3's table lists (newer parameters are left out, as sysdig
// does).
func RenderedParams(e *Event, f Flavor) int {
	n := e.NParams()
	t := e.Type()
	if m := len(t.Info().Params); m < n {
		n = m
	}
	if f == FlavorSysdig && int(t) < sysdigNumTypes {
		if m := int(sysdigParamCounts[t]); m < n {
			n = m
		}
	}
	return n
}

// AppendArgs appends e's parameters as sysdig's %evt.args (and %evt.info)
// shows them: "name=value " for each parameter, with "(resolution)" after
// the value when there is one, and the trailing space. Generic syscall
// events render no arguments. Parameters past the end of a malformed event
// are left out.
func AppendArgs(dst []byte, e *Event, o *RenderOptions) []byte {
	raw := e.Raw
	if len(raw) < HeaderLen {
		return dst
	}
	t := Type(binary.LittleEndian.Uint16(raw[offType:]))
	if int(t) >= NumTypes || t == GenericE || t == GenericX {
		return dst
	}
	if o == nil {
		o = &zeroOptions
	}
	tp := &argPlans[planFlavor(o.Flavor)][t]
	ls := 2
	if tp.large {
		ls = 4
	}
	nw := int(binary.LittleEndian.Uint32(raw[offNParams:]))
	if nw > (len(raw)-HeaderLen)/ls {
		return dst
	}
	plan := tp.args
	if nw < len(plan) {
		plan = plan[:nw]
	}
	r := o.Resolver
	if r == nil {
		r = nopResolver
	}
	off := HeaderLen + nw*ls
	lp := HeaderLen
	for i := range plan {
		var l int
		if ls == 2 {
			l = int(binary.LittleEndian.Uint16(raw[lp:]))
		} else {
			l = int(binary.LittleEndian.Uint32(raw[lp:]))
		}
		lp += ls
		if l > len(raw)-off {
			return dst
		}
		b := raw[off : off+l]
		off += l
		p := &plan[i]
		dst = append(dst, p.label...)
		if p.kind != argGeneric && len(b) < int(p.width) {
			dst = appendNA(dst)
			dst = append(dst, ' ')
			continue
		}
		switch p.kind {
		case argNum:
			dst = appendCNum(dst, le(b, int(p.width)), p.pi.Type, p.pi.Format)
		case argErrno:
			v := int64(le(b, 8))
			dst = appendDecInt(dst, v)
			if v < 0 {
				if name := ErrnoName(v); name != "" {
					dst = append(dst, '(')
					dst = append(dst, name...)
					dst = append(dst, ')')
				}
			}
		case argFd:
			var fd int64
			if p.width == 8 {
				fd = int64(le(b, 8))
			} else {
				fd = int64(int32(le(b, 4)))
			}
			dst = appendDecInt(dst, fd)
			if r.ThreadKnown(e) {
				mark := len(dst)
				dst = append(dst, '(')
				switch {
				case fd >= 0:
					dst, _ = r.AppendFD(dst, e, fd, o.Format&BufSimple != 0)
				case fd == atFDCWD:
					dst = append(dst, "AT_FDCWD"...)
				default:
					dst = append(dst, ErrnoName(fd)...)
				}
				if len(dst) == mark+1 {
					dst = dst[:mark]
				} else {
					dst = append(dst, ')')
				}
			}
		case argFlags:
			v := le(b, int(p.width))
			dst = appendDec(dst, v)
			mark := len(dst)
			dst = append(dst, '(')
			dst = appendFlagNames(dst, p.pi.Flags, v, p.enum, o.Flavor)
			if len(dst) == mark+1 {
				dst = dst[:mark]
			} else {
				dst = append(dst, ')')
			}
		default:
			dst = appendParamBytes(dst, e, b, p.pi, o, styleArgs)
		}
		dst = append(dst, ' ')
	}
	return dst
}

// AppendParam appends parameter i of e as it appears in %evt.args, without
// its name: the value, then "(resolution)" when there is one
// ("4097(O_RDONLY|O_CLOEXEC)", "-2(ENOENT)", "3(<f>/etc/passwd)"). It
// returns false, appending nothing, when e does not carry the parameter or
// its schema does not list it.
func AppendParam(dst []byte, e *Event, i int, o *RenderOptions) ([]byte, bool) {
	return appendParam(dst, e, i, o, styleArgs)
}

// AppendArg appends parameter i of e as %evt.arg.NAME and %evt.arg[N] show
// it: the resolution when there is one ("O_RDONLY|O_CLOEXEC", "ENOENT",
// "<f>/etc/passwd"), else the value. It returns false, appending nothing,
// when e does not carry the parameter or its schema does not list it.
func AppendArg(dst []byte, e *Event, i int, o *RenderOptions) ([]byte, bool) {
	return appendParam(dst, e, i, o, styleArg)
}

// AppendParamValue appends the value of parameter i of e without its
// resolution ("4097", "-2", "3"). It returns false, appending nothing, when
// e does not carry the parameter or its schema does not list it.
func AppendParamValue(dst []byte, e *Event, i int, o *RenderOptions) ([]byte, bool) {
	return appendParam(dst, e, i, o, styleValue)
}

// ParamAsString returns AppendArg's rendering of parameter i as a string,
// or "" when e lacks it. It allocates; use the Append functions on hot paths.
func ParamAsString(e *Event, i int, o *RenderOptions) string {
	b, _ := AppendArg(nil, e, i, o)
	return string(b)
}

// ArgsString returns AppendArgs's rendering as a string. It allocates.
func ArgsString(e *Event, o *RenderOptions) string {
	return string(AppendArgs(nil, e, o))
}

func appendParam(dst []byte, e *Event, i int, o *RenderOptions, st style) ([]byte, bool) {
	if o == nil {
		o = &zeroOptions
	}
	if len(e.Raw) < HeaderLen || i < 0 || i >= RenderedParams(e, o.Flavor) {
		return dst, false
	}
	b, ok := e.Param(i)
	if !ok {
		return dst, false
	}
	return appendParamBytes(dst, e, b, effectiveParam(e.Type(), i, o.Flavor), o, st), true
}

// effectiveParam returns the schema of parameter i of type t as the flavor
// renders it. i must be within the schema.
func effectiveParam(t Type, i int, f Flavor) *ParamInfo {
	if f == FlavorSysdig && int(t) < len(sysdigParams) {
		if ov := sysdigParams[t]; i < len(ov) {
			return &ov[i]
		}
	}
	return &t.Info().Params[i]
}

// appendNA appends the rendering of a parameter too short for its type.
func appendNA(dst []byte) []byte { return append(dst, "<NA>"...) }

// Size returns the encoded size in bytes of a parameter of type t, or 0
// when its size varies (strings, buffers, addresses, lists).
func (t ParamType) Size() int { return paramWidth(t) }

// paramWidth is the wire size of fixed-size numeric types.
func paramWidth(t ParamType) int {
	switch t {
	case PInt8, PUint8, PFlags8, PEnumflags8, PSigtype, PL4proto, PSockfamily:
		return 1
	case PInt16, PUint16, PFlags16, PEnumflags16, PSyscallid, PPort:
		return 2
	case PInt32, PUint32, PFlags32, PEnumflags32, PUid, PGid, PMode, PSigset, PBool, PFd32, PPid32:
		return 4
	case PInt64, PUint64, PErrno, PFd, PPid, PReltime, PAbstime, PDouble:
		return 8
	}
	return 0
}

// le reads a little-endian unsigned integer of w bytes (1, 2, 4 or 8).
func le(b []byte, w int) uint64 {
	switch w {
	case 1:
		return uint64(b[0])
	case 2:
		return uint64(binary.LittleEndian.Uint16(b))
	case 4:
		return uint64(binary.LittleEndian.Uint32(b))
	}
	return binary.LittleEndian.Uint64(b)
}

// appendCNum appends an integer parameter as libsinsp's printf formats do.
// Values narrower than 64 bits are passed to printf as 32-bit ints (signed
// types sign extended), so %d prints a uint32 above 2^31 as negative, and %X
// or %o print a negative int8 as 32 bits.
func appendCNum(dst []byte, u uint64, t ParamType, f PrintFormat) []byte {
	var s int64
	switch t {
	case PInt8:
		s = int64(int8(u))
		u = uint64(uint32(int32(s)))
	case PInt16:
		s = int64(int16(u))
		u = uint64(uint32(int32(s)))
	case PInt32, PUint32, PMode:
		s = int64(int32(u))
		u = uint64(uint32(u))
	case PUint8, PUint16:
		s = int64(u)
	default: // 64 bits
		s = int64(u)
	}
	switch f {
	case FmtOct:
		if u == 0 {
			return append(dst, '0')
		}
		dst = append(dst, '0')
		return strconv.AppendUint(dst, u, 8)
	case FmtHex:
		return appendUpperHex(dst, u)
	case Fmt10Padded:
		return appendPadded(dst, s, 9)
	}
	return appendDecInt(dst, s)
}

// appendPadded appends v as printf's "%0<width>d" does.
func appendPadded(dst []byte, v int64, width int) []byte {
	var tmp [24]byte
	d := strconv.AppendInt(tmp[:0], v, 10)
	neg := v < 0
	if neg {
		dst = append(dst, '-')
		d = d[1:]
		width--
	}
	for n := len(d); n < width; n++ {
		dst = append(dst, '0')
	}
	return append(dst, d...)
}

// appendFlagNames appends the names of the flags set in val, "|"-separated,
// by the rule the flavor uses for the parameter type.
func appendFlagNames(dst []byte, ft *FlagTable, val uint64, enum bool, f Flavor) []byte {
	if ft == nil {
		return dst
	}
	ents := ft.Entries
	if f == FlavorLibs {
		sep := false
		rest := val
		for k := range ents {
			v := ents[k].Value
			match := false
			if enum {
				match = v == val
			} else if (v == 0 && val == 0) || (v != 0 && rest&v == v && rest != 0) {
				match = true
				rest &^= v
			}
			if match {
				if sep {
					dst = append(dst, '|')
				}
				dst = append(dst, ents[k].Name...)
				sep = true
				if !enum && v == val {
					break
				}
			}
		}
		return dst
	}
	return appendBitNames(dst, ents, val)
}

// appendBitNames appends names as libsinsp of sysdig 0.29.3 did for flags,
// enums and modes: walking the table until an entry equal to the whole value,
// naming every entry whose bits are all still set (and clearing them), then
// naming the equal entry if the walk found one.
func appendBitNames(dst []byte, ents []FlagEntry, val uint64) []byte {
	sep := false
	rest := val
	k := 0
	for ; k < len(ents) && ents[k].Value != val; k++ {
		v := ents[k].Value
		if v != 0 && rest&v == v && rest != 0 {
			if sep {
				dst = append(dst, '|')
			}
			dst = append(dst, ents[k].Name...)
			sep = true
			rest &^= v
		}
	}
	if k < len(ents) {
		if sep {
			dst = append(dst, '|')
		}
		dst = append(dst, ents[k].Name...)
	}
	return dst
}

// appendParamBytes renders a parameter of e whose bytes are b and schema pi.
func appendParamBytes(dst []byte, e *Event, b []byte, pi *ParamInfo, o *RenderOptions, st style) []byte {
	start := len(dst)
	t := pi.Type
	f := pi.Format
	r := o.Resolver
	if r == nil {
		r = nopResolver
	}

	if len(b) == 0 && o.Flavor == FlavorLibs {
		switch t {
		case PBytebuf, PSocktuple, PFdlist, PCharbufarray, PCharbufPairArray, PDyn:
			return append(dst, "NULL"...)
		}
		return appendNA(dst)
	}

	if t == PDyn && pi.Dyn != nil && len(b) > 0 {
		idx := b[0]
		if int(idx) < len(pi.Dyn.Entries) && pi.Dyn.Entries[idx].Index == idx {
			t = pi.Dyn.Entries[idx].Type
			b = b[1:]
		}
	}

	if w := paramWidth(t); w > 0 && len(b) < w {
		return appendNA(dst)
	}

	// The value goes first; a resolution, when there is one, is written
	// after "(" at res and the style decides what stays.
	var mark int
	switch t {
	case PInt8, PInt16, PInt32, PInt64, PUint8, PUint16, PUint32, PUint64:
		return appendCNum(dst, le(b, paramWidth(t)), t, f)

	case PErrno:
		v := int64(le(b, 8))
		dst = appendDecInt(dst, v)
		mark = len(dst)
		dst = append(dst, '(')
		if v < 0 {
			dst = append(dst, ErrnoName(v)...)
		}

	case PFd, PFd32:
		var fd int64
		if t == PFd {
			fd = int64(le(b, 8))
		} else {
			fd = int64(int32(le(b, 4)))
		}
		dst = appendDecInt(dst, fd)
		mark = len(dst)
		dst = append(dst, '(')
		if r.ThreadKnown(e) {
			switch {
			case fd >= 0:
				dst, _ = r.AppendFD(dst, e, fd, o.Format&BufSimple != 0)
			case fd == atFDCWD:
				dst = append(dst, "AT_FDCWD"...)
			default:
				dst = append(dst, ErrnoName(fd)...)
			}
		}

	case PPid, PPid32:
		var pid int64
		if t == PPid {
			pid = int64(le(b, 8))
		} else {
			pid = int64(int32(le(b, 4)))
		}
		dst = appendDecInt(dst, pid)
		mark = len(dst)
		dst = append(dst, '(')
		dst, _ = r.AppendComm(dst, pid)

	case PCharbuf:
		return append(dst, CString(b)...)

	case PFspath, PFsrelpath:
		path := CString(b)
		dst = appendPathValue(dst, b, path)
		mark = len(dst)
		dst = append(dst, '(')
		if st != styleValue && len(b) > 0 && !hasNAPrefix(b) && r.ThreadKnown(e) && (len(path) == 0 || path[0] != '/') {
			dst = appendResolvedPath(dst, e, path, pi, r)
		}

	case PBytebuf:
		format := o.Format
		if format == 0 {
			format = BufNormal
		}
		max := o.MaxBufLen
		if max == 0 {
			max = DefaultMaxBufLen
		}
		if format != BufNormal || max < 0 {
			return appendBuffer(dst, b, format)
		}
		// The normal format writes one character per byte: render only
		// what is kept.
		if len(b) <= max {
			return appendDots(dst, b)
		}
		dst = appendDots(dst, b[:max])
		if max > 3 {
			copy(dst[len(dst)-3:], "...")
		}
		return dst

	case PSockaddr:
		return appendSockaddr(dst, b)

	case PSocktuple:
		return appendSocktuple(dst, b)

	case PFdlist:
		if !r.ThreadKnown(e) || len(b) < 2 {
			return dst
		}
		n := int(binary.LittleEndian.Uint16(b))
		for k := 0; k < n && 2+k*10+10 <= len(b); k++ {
			if k > 0 {
				dst = append(dst, ' ')
			}
			fd := int64(binary.LittleEndian.Uint64(b[2+k*10:]))
			fl := int16(binary.LittleEndian.Uint16(b[2+k*10+8:]))
			dst = appendDec(dst, uint64(fd))
			dst = append(dst, ':')
			tc, ok := r.FDTypeChar(e, fd)
			if !ok {
				tc = '?'
			}
			dst = append(dst, tc)
			dst = strconv.AppendUint(dst, uint64(uint32(int32(fl))), 16)
		}
		return dst

	case PSyscallid:
		code := uint16(le(b, 2))
		name, ok := syscallNameFlavor(code, o.Flavor)
		if !ok {
			return append(dst, "<unknown syscall>"...)
		}
		dst = appendDec(dst, uint64(code))
		mark = len(dst)
		dst = append(dst, '(')
		dst = append(dst, name...)

	case PSigtype:
		sig := uint8(b[0])
		dst = appendDec(dst, uint64(sig))
		mark = len(dst)
		dst = append(dst, '(')
		dst = append(dst, SignalName(sig)...)

	case PReltime:
		v := le(b, 8)
		if v == math.MaxUint64 {
			return append(dst, "none"...)
		}
		dst = appendDec(dst, v)
		mark = len(dst)
		dst = append(dst, '(')
		dst = strconv.AppendFloat(dst, float64(v)/1e9, 'g', 6, 64)
		dst = append(dst, 's')

	case PAbstime:
		v := le(b, 8)
		tm := time.Unix(int64(v/1e9), int64(v%1e9)).In(time.Local)
		return tm.AppendFormat(dst, "2006-01-02 15:04:05.000000000 -0700")

	case PFlags8, PFlags16, PFlags32, PEnumflags8, PEnumflags16, PEnumflags32:
		v := le(b, paramWidth(t))
		dst = appendDec(dst, v)
		mark = len(dst)
		dst = append(dst, '(')
		enum := t == PEnumflags8 || t == PEnumflags16 || t == PEnumflags32
		dst = appendFlagNames(dst, pi.Flags, v, enum, o.Flavor)

	case PMode:
		v := le(b, 4)
		dst = appendCNum(dst, v, PMode, f)
		mark = len(dst)
		dst = append(dst, '(')
		if pi.Flags != nil {
			dst = appendBitNames(dst, pi.Flags.Entries, v)
		}

	case PUid, PGid:
		v := uint32(le(b, 4))
		if v == math.MaxUint32 {
			dst = append(dst, "-1"...)
			mark = len(dst)
			dst = append(dst, "(<NONE>"...)
			break
		}
		dst = appendDecInt(dst, int64(int32(v)))
		mark = len(dst)
		dst = append(dst, '(')
		ok := false
		if t == PUid {
			dst, ok = r.AppendUserName(dst, e, v)
		} else {
			dst, ok = r.AppendGroupName(dst, e, v)
		}
		if !ok {
			dst = append(dst, "<NA>"...)
		}

	case PSigset:
		v := uint32(le(b, 4))
		first := true
		for sig := 0; sig < 32; sig++ {
			if v&(1<<sig) == 0 {
				continue
			}
			if n := SignalName(uint8(sig + 1)); n != "" {
				if !first {
					dst = append(dst, ' ')
				}
				dst = append(dst, n...)
				first = false
			}
		}
		return dst

	case PCharbufarray:
		first := true
		ForEachString(b, func(s []byte) bool {
			if !first {
				dst = append(dst, '.')
			}
			dst = append(dst, s...)
			first = false
			return true
		})
		return dst

	case PCharbufPairArray:
		k := 0
		ForEachString(b, func(s []byte) bool {
			switch {
			case k%2 == 1:
				dst = append(dst, ':')
			case k > 0:
				dst = append(dst, ',')
			}
			dst = append(dst, s...)
			k++
			return true
		})
		return dst

	case PBool:
		if le(b, 4) != 0 {
			return append(dst, "true"...)
		}
		return append(dst, "false"...)

	case PDouble:
		return strconv.AppendFloat(dst, math.Float64frombits(le(b, 8)), 'f', 1, 64)

	case PPort:
		return appendDec(dst, le(b, 2))

	case PL4proto, PSockfamily:
		return appendDec(dst, le(b, 1))

	case PIpv4addr, PIpv6addr, PIpaddr:
		switch len(b) {
		case 4:
			return sinsptext.AppendIPv4(dst, b)
		case 16:
			return sinsptext.AppendIPv6(dst, b)
		}
		return appendNA(dst)

	case PIpv4net, PIpv6net, PIpnet:
		if p, ok := ParseIPNet(b); ok {
			return p.AppendTo(dst)
		}
		return appendNA(dst)

	case PDyn:
		return append(dst, "INVALID DYNAMIC PARAMETER"...)

	default:
		return append(dst, "(n.a.)"...)
	}

	// Decide what stays of "value(resolution".
	if len(dst) == mark+1 { // no resolution
		return dst[:mark]
	}
	switch st {
	case styleValue:
		return dst[:mark]
	case styleArg:
		return append(dst[:start], dst[mark+1:]...)
	}
	return append(dst, ')')
}

// appendPathValue appends the value of a path parameter: its printable
// bytes up to the NUL. A path without a NUL whose bytes are all printable
// loses its last byte, as in libsinsp, which copies at most the parameter's
// length including the terminator.
func appendPathValue(dst, b, path []byte) []byte {
	start := len(dst)
	dst = appendSanitized(dst, path)
	if len(path) == len(b) && len(b) > 0 && len(dst)-start == len(b) {
		dst = dst[:len(dst)-1]
	}
	return dst
}

// hasNAPrefix reports whether a path parameter is the driver's "<NA>".
func hasNAPrefix(b []byte) bool {
	return len(b) >= 4 && b[0] == '<' && b[1] == 'N' && b[2] == 'A' && b[3] == '>'
}

// appendResolvedPath appends the absolute form of the relative path in
// parameter pi: joined to the thread's working directory, or for a path
// relative to a directory fd (PT_FSRELPATH), to that directory unless the
// fd is AT_FDCWD.
func appendResolvedPath(dst []byte, e *Event, path []byte, pi *ParamInfo, r Resolver) []byte {
	base := len(dst)
	ok := false
	useCwd := true
	if pi.Type == PFsrelpath && pi.DirFD >= 0 && pi.DirFD < len(e.Info().Params) && e.Info().Params[pi.DirFD].Type == PFd {
		if dirfd, have := e.Int(pi.DirFD); have && dirfd != atFDCWD {
			useCwd = false
			dst, ok = r.AppendDirFD(dst, e, dirfd)
			if ok {
				// sysdig strips non-printables from the directory and adds
				// the separator when the directory is known.
				dir := dst[base:]
				w := 0
				for _, c := range dir {
					if isPrint(c) {
						dir[w] = c
						w++
					}
				}
				dst = dst[:base+w]
				if w > 0 {
					dst = append(dst, '/')
				}
			}
		}
	}
	if useCwd {
		dst, ok = r.AppendCwd(dst, e)
	}
	if !ok {
		return dst[:base]
	}
	// Join in place: the directory is already at dst[base:].
	dst = sinsptext.AppendPath(dst, base, path)
	return dst
}

// appendSockaddr renders a PT_SOCKADDR parameter.
func appendSockaddr(dst, b []byte) []byte {
	if len(b) == 0 {
		return append(dst, "NULL"...)
	}
	switch b[0] {
	case AFUnix:
		return appendSanitized(dst, b[1:])
	case AFInet:
		if len(b) != 7 {
			return append(dst, "INVALID IPv4"...)
		}
		dst = sinsptext.AppendIPv4(dst, b[1:5])
		dst = append(dst, ':')
		return appendDec(dst, uint64(binary.LittleEndian.Uint16(b[5:])))
	case AFInet6:
		if len(b) != 19 {
			return append(dst, "INVALID IPv6"...)
		}
		dst = sinsptext.AppendIPv6(dst, b[1:17])
		dst = append(dst, ':')
		return appendDec(dst, uint64(binary.LittleEndian.Uint16(b[17:])))
	}
	dst = append(dst, "family "...)
	return appendDecInt(dst, int64(int8(b[0])))
}

// appendSocktuple renders a PT_SOCKTUPLE parameter.
func appendSocktuple(dst, b []byte) []byte {
	if len(b) == 0 {
		return append(dst, "NULL"...)
	}
	switch b[0] {
	case AFInet:
		if len(b) != 13 {
			return append(dst, "INVALID IPv4"...)
		}
		return appendV4Tuple(dst, b[1:5], binary.LittleEndian.Uint16(b[5:]), b[7:11], binary.LittleEndian.Uint16(b[11:]))
	case AFInet6:
		if len(b) != 37 {
			return append(dst, "INVALID IPv6"...)
		}
		sport := binary.LittleEndian.Uint16(b[17:])
		dport := binary.LittleEndian.Uint16(b[35:])
		if sinsptext.IsIPv4Mapped(b[1:17]) && sinsptext.IsIPv4Mapped(b[19:35]) {
			return appendV4Tuple(dst, b[13:17], sport, b[31:35], dport)
		}
		dst = sinsptext.AppendIPv6(dst, b[1:17])
		dst = append(dst, ':')
		dst = appendDec(dst, uint64(sport))
		dst = append(dst, "->"...)
		dst = sinsptext.AppendIPv6(dst, b[19:35])
		dst = append(dst, ':')
		return appendDec(dst, uint64(dport))
	case AFUnix:
		if len(b) < 17 {
			return append(dst, "INVALID PATH"...)
		}
		dst = strconv.AppendUint(dst, binary.LittleEndian.Uint64(b[1:]), 16)
		dst = append(dst, "->"...)
		dst = strconv.AppendUint(dst, binary.LittleEndian.Uint64(b[9:]), 16)
		dst = append(dst, ' ')
		return appendSanitized(dst, b[17:])
	}
	dst = append(dst, "family "...)
	return appendDecInt(dst, int64(int8(b[0])))
}

func appendV4Tuple(dst, sip []byte, sport uint16, dip []byte, dport uint16) []byte {
	dst = sinsptext.AppendIPv4(dst, sip)
	dst = append(dst, ':')
	dst = appendDec(dst, uint64(sport))
	dst = append(dst, "->"...)
	dst = sinsptext.AppendIPv4(dst, dip)
	dst = append(dst, ':')
	return appendDec(dst, uint64(dport))
}
