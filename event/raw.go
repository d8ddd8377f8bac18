package event

import (
	"errors"
	"math"
	"strconv"

	"github.com/syscope/syscope/internal/sinsptext"
)

// ErrRawFormat reports a raw rendering that sysdig does not produce for the
// type and print format: sysdig leaves the field empty (and drops the output
// line).
var ErrRawFormat = errors.New("event: no raw rendering for this print format")

// RawTypeError reports a parameter type sysdig cannot render raw (sysdig
// stops with "wrong event type N").
type RawTypeError struct{ Type ParamType }

func (e *RawTypeError) Error() string {
	return "wrong event type " + strconv.Itoa(int(e.Type))
}

// AppendRaw appends the bytes b of a parameter of type t as sysdig's
// %evt.rawarg.NAME prints them with print format f (sysdig uses FmtNa and
// the type LongestParamMatch gives for NAME): integers per the format,
// strings and paths up to their NUL, byte buffers raw up to their first NUL,
// addresses in text form, bools as true/false. It returns ErrRawFormat for
// the type and format pairs sysdig prints nothing for, a *RawTypeError for
// the types it cannot print raw, and ErrShort when b is too short for t.
func AppendRaw(dst, b []byte, t ParamType, f PrintFormat) ([]byte, error) {
	if w := paramWidth(t); w > 0 && len(b) < w {
		switch t {
		case PInt8, PInt16, PInt32, PInt64, PPid, PErrno, PUint8, PUint16, PUint32, PUint64,
			PL4proto, PPort, PReltime, PAbstime, PBool, PDouble:
			return dst, ErrShort
		}
	}
	switch t {
	case PInt8, PInt16, PInt32:
		var s int64
		switch t {
		case PInt8:
			s = int64(int8(b[0]))
		case PInt16:
			s = int64(int16(le(b, 2)))
		default:
			s = int64(int32(le(b, 4)))
		}
		switch f {
		case FmtOct:
			return strconv.AppendUint(dst, uint64(uint32(int32(s))), 8), nil
		case FmtDec, FmtId:
			return strconv.AppendInt(dst, s, 10), nil
		case FmtHex:
			return appendUpperHex(dst, uint64(uint32(int32(s)))), nil
		}
		return dst, ErrRawFormat
	case PInt64, PPid, PErrno:
		s := int64(le(b, 8))
		switch f {
		case FmtOct:
			return strconv.AppendUint(dst, uint64(s), 8), nil
		case Fmt10Padded:
			return appendPadded(dst, s, 9), nil
		case FmtHex:
			return appendUpperHex(dst, uint64(s)), nil
		}
		return strconv.AppendInt(dst, s, 10), nil
	case PUint8, PL4proto, PUint16, PPort, PUint32:
		w := 1
		switch t {
		case PUint16, PPort:
			w = 2
		case PUint32:
			w = 4
		}
		u := le(b, w)
		switch f {
		case FmtOct:
			return strconv.AppendUint(dst, u, 8), nil
		case FmtDec, FmtId, FmtHex:
			return strconv.AppendUint(dst, u, 10), nil
		}
		return dst, ErrRawFormat
	case PUint64, PReltime, PAbstime:
		u := le(b, 8)
		switch f {
		case FmtOct:
			return strconv.AppendUint(dst, u, 8), nil
		case FmtDec, FmtId:
			return strconv.AppendUint(dst, u, 10), nil
		case Fmt10Padded:
			return appendPadded(dst, int64(u), 9), nil
		case FmtHex:
			return appendUpperHex(dst, u), nil
		}
		return dst, ErrRawFormat
	case PCharbuf, PFspath, PFsrelpath, PBytebuf:
		return append(dst, CString(b)...), nil
	case PBool:
		if le(b, 4) != 0 {
			return append(dst, "true"...), nil
		}
		return append(dst, "false"...), nil
	case PIpv4addr, PIpv6addr, PIpaddr:
		switch len(b) {
		case 4:
			return sinsptext.AppendIPv4(dst, b), nil
		case 16:
			return sinsptext.AppendIPv6(dst, b), nil
		}
		return dst, ErrShort
	case PDouble:
		return strconv.AppendFloat(dst, math.Float64frombits(le(b, 8)), 'f', 1, 64), nil
	case PSockaddr, PSockfamily:
		return dst, ErrRawFormat
	}
	return dst, &RawTypeError{Type: t}
}

// AppendRawParam appends parameter i of e with AppendRaw, typed by e's
// schema, and returns ErrShort when e does not carry it.
func AppendRawParam(dst []byte, e *Event, i int, f PrintFormat) ([]byte, error) {
	pi := e.ParamInfo(i)
	if pi == nil {
		return dst, ErrShort
	}
	b, ok := e.Param(i)
	if !ok {
		return dst, ErrShort
	}
	return AppendRaw(dst, b, pi.Type, f)
}
