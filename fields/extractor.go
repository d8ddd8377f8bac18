package fields

import (
	"math"
	"net/netip"
	"strconv"
	"unsafe"

	"github.com/syscope/syscope/filter"
)

// Extractor is a field bound for extraction: the typed getters the filter
// compiler uses (Field), and renderers that append the value as sysdig
// prints it in text and in JSON.
//
// An Extractor may keep scratch space: use one Extractor from one goroutine
// at a time (resolve the field again for another goroutine).
type Extractor struct {
	Field filter.Field[Ctx]

	def   *Def
	env   *Env
	bits  uint8
	print Print
	// text and json, when set, replace the renderers derived from the
	// field's type.
	text func(dst []byte, c Ctx) ([]byte, bool)
	json func(dst []byte, c Ctx) ([]byte, bool)

	scratch []byte
}

// Def returns the field's definition.
func (x *Extractor) Def() *Def { return x.def }

// Info returns the resolved field's description.
func (x *Extractor) Info() filter.FieldInfo { return x.Field.Info }

// AppendText appends the value as sysdig prints it in text output and
// reports whether the value exists (false: sysdig prints "<NA>", or skips
// the line when its format requires every value).
func (x *Extractor) AppendText(dst []byte, c Ctx) ([]byte, bool) {
	if x.text != nil {
		return x.text(dst, c)
	}
	f := &x.Field
	if f.Info.Arity != filter.Scalar {
		return x.appendListText(dst, c)
	}
	return x.appendValueText(dst, c, 0)
}

func (x *Extractor) appendListText(dst []byte, c Ctx) ([]byte, bool) {
	n := x.Field.Len(c)
	if n < 0 || (n == 0 && x.Field.Info.Arity != filter.List) {
		return dst, false
	}
	if x.Field.Info.Arity == filter.List {
		dst = append(dst, '(')
	}
	any := false
	for i := 0; i < n; i++ {
		mark := len(dst)
		if any {
			if x.Field.Info.Arity == filter.List {
				dst = append(dst, ',')
			} else {
				dst = append(dst, ' ')
			}
		}
		var ok bool
		dst, ok = x.appendValueText(dst, c, i)
		if !ok {
			dst = dst[:mark]
			continue
		}
		any = true
	}
	if x.Field.Info.Arity == filter.List {
		dst = append(dst, ')')
		return dst, true
	}
	return dst, any
}

// fastText installs a direct text renderer for the common scalar kinds, so
// that output skips the generic dispatch.
func (x *Extractor) fastText() {
	f := &x.Field
	if x.text != nil || f.Info.Arity != filter.Scalar {
		return
	}
	switch f.Info.Type.Kind() {
	case filter.KindString:
		get := f.Str
		x.text = func(dst []byte, c Ctx) ([]byte, bool) {
			s, ok := get(c, 0)
			if !ok {
				return dst, false
			}
			return append(dst, s...), true
		}
	case filter.KindInt:
		if x.print == PrintDec || x.print == PrintID {
			get := f.Int
			x.text = func(dst []byte, c Ctx) ([]byte, bool) {
				v, ok := get(c, 0)
				if !ok {
					return dst, false
				}
				return appendInt(dst, v), true
			}
		}
	case filter.KindUint:
		if x.print == PrintDec || x.print == PrintID {
			get := f.Uint
			x.text = func(dst []byte, c Ctx) ([]byte, bool) {
				v, ok := get(c, 0)
				if !ok {
					return dst, false
				}
				return appendUint(dst, v), true
			}
		}
	}
}

// appendValueText renders value i with sysdig's rules for the field's type
// and print format.
func (x *Extractor) appendValueText(dst []byte, c Ctx, i int) ([]byte, bool) {
	f := &x.Field
	switch f.Info.Type.Kind() {
	case filter.KindString:
		s, ok := f.Str(c, i)
		if !ok {
			return dst, false
		}
		return append(dst, s...), true
	case filter.KindBytes:
		b, ok := f.Bytes(c, i)
		if !ok {
			return dst, false
		}
		return append(dst, b...), true
	case filter.KindInt:
		v, ok := f.Int(c, i)
		if !ok {
			return dst, false
		}
		return appendIntText(dst, v, x.bits, x.print)
	case filter.KindUint:
		v, ok := f.Uint(c, i)
		if !ok {
			return dst, false
		}
		return appendUintText(dst, v, x.bits, x.print)
	case filter.KindBool:
		v, ok := f.Bool(c, i)
		if !ok {
			return dst, false
		}
		if v {
			return append(dst, "true"...), true
		}
		return append(dst, "false"...), true
	case filter.KindIP:
		a, ok := f.IP(c, i)
		if !ok {
			return dst, false
		}
		return a.AppendTo(dst), true
	case filter.KindFloat:
		v, ok := f.Float(c, i)
		if !ok {
			return dst, false
		}
		return strconv.AppendFloat(dst, v, 'f', 1, 64), true
	}
	return dst, false
}

// appendIntText prints a signed integer as libsinsp does for its width and
// print format. Formats that libsinsp cannot print for narrow integers
// yield no value.
func appendIntText(dst []byte, v int64, bits uint8, p Print) ([]byte, bool) {
	switch p {
	case PrintDec, PrintID:
		return appendInt(dst, v), true
	case PrintHex:
		return appendUpperHex(dst, uint64(truncSigned(v, bits))), true
	case PrintOct:
		return strconv.AppendUint(dst, uint64(truncSigned(v, bits)), 8), true
	case Print10Padded:
		if bits == 0 || bits == 64 {
			return appendPadded(dst, v), true
		}
	default:
		if bits == 0 || bits == 64 {
			return strconv.AppendInt(dst, v, 10), true
		}
	}
	return dst, false
}

// truncSigned returns v as the C printf %X/%o of its promoted value sees
// it: 32-bit two's complement for narrow types, 64-bit for int64.
func truncSigned(v int64, bits uint8) uint64 {
	if bits != 0 && bits < 64 {
		return uint64(uint32(int32(v)))
	}
	return uint64(v)
}

func appendPadded(dst []byte, v int64) []byte {
	neg := v < 0
	u := uint64(v)
	if neg {
		u = uint64(-v)
		dst = append(dst, '-')
	}
	var buf [20]byte
	s := strconv.AppendUint(buf[:0], u, 10)
	width := 9
	if neg {
		width = 8
	}
	for k := len(s); k < width; k++ {
		dst = append(dst, '0')
	}
	return append(dst, s...)
}

func appendUpperHex(dst []byte, u uint64) []byte {
	const digits = "0123456789ABCDEF"
	var buf [16]byte
	i := len(buf)
	for {
		i--
		buf[i] = digits[u&15]
		u >>= 4
		if u == 0 {
			break
		}
	}
	return append(dst, buf[i:]...)
}

// appendUintText prints an unsigned integer as libsinsp does. For 8, 16
// and 32-bit types a hex print format still prints decimal (libsinsp's
// format strings for them say so); 64-bit ones print upper-case hex.
func appendUintText(dst []byte, v uint64, bits uint8, p Print) ([]byte, bool) {
	wide := bits == 0 || bits == 64
	switch p {
	case PrintDec, PrintID:
		return appendUint(dst, v), true
	case PrintHex:
		if wide {
			return appendUpperHex(dst, v), true
		}
		return strconv.AppendUint(dst, v, 10), true
	case PrintOct:
		return strconv.AppendUint(dst, v, 8), true
	case Print10Padded:
		if wide {
			var buf [20]byte
			s := strconv.AppendUint(buf[:0], v, 10)
			for k := len(s); k < 9; k++ {
				dst = append(dst, '0')
			}
			return append(dst, s...), true
		}
	}
	return dst, false
}

// AppendJSON appends the value as sysdig's JSON output encodes it and
// reports whether there is one (false: the key's value is null).
func (x *Extractor) AppendJSON(dst []byte, c Ctx) ([]byte, bool) {
	if x.json != nil {
		return x.json(dst, c)
	}
	f := &x.Field
	if f.Info.Arity != filter.Scalar {
		var ok bool
		x.scratch, ok = x.appendListText(x.scratch[:0], c)
		if !ok {
			return dst, false
		}
		return AppendJSONBytes(dst, x.scratch), true
	}
	switch f.Info.Type.Kind() {
	case filter.KindString:
		s, ok := f.Str(c, 0)
		if !ok {
			return dst, false
		}
		return AppendJSONString(dst, s), true
	case filter.KindBytes:
		b, ok := f.Bytes(c, 0)
		if !ok {
			return dst, false
		}
		return AppendJSONBytes(dst, b), true
	case filter.KindInt:
		v, ok := f.Int(c, 0)
		if !ok {
			return dst, false
		}
		switch x.print {
		case PrintDec, PrintID:
			return appendInt(dst, v), true
		}
		mark := len(dst)
		dst = append(dst, '"')
		dst, ok = appendIntText(dst, v, x.bits, x.print)
		if !ok {
			return dst[:mark], false
		}
		return append(dst, '"'), true
	case filter.KindUint:
		v, ok := f.Uint(c, 0)
		if !ok {
			return dst, false
		}
		switch x.print {
		case PrintDec, PrintID:
			return appendUint(dst, v), true
		case PrintNA, PrintDir:
			return dst, false
		}
		mark := len(dst)
		dst = append(dst, '"')
		dst, ok = appendUintText(dst, v, x.bits, x.print)
		if !ok {
			return dst[:mark], false
		}
		return append(dst, '"'), true
	case filter.KindBool:
		v, ok := f.Bool(c, 0)
		if !ok {
			return dst, false
		}
		if v {
			return append(dst, "true"...), true
		}
		return append(dst, "false"...), true
	case filter.KindIP:
		a, ok := f.IP(c, 0)
		if !ok {
			return dst, false
		}
		dst = append(dst, '"')
		dst = a.AppendTo(dst)
		return append(dst, '"'), true
	case filter.KindFloat:
		v, ok := f.Float(c, 0)
		if !ok || math.IsNaN(v) || math.IsInf(v, 0) {
			return dst, false
		}
		return appendJSONFloat(dst, v), true
	}
	return dst, false
}

// appendJSONFloat encodes a double as the JSON writer sysdig links does:
// the shortest of 17 significant digits that reads back, with a ".0" for
// integral values.
func appendJSONFloat(dst []byte, v float64) []byte {
	mark := len(dst)
	dst = strconv.AppendFloat(dst, v, 'g', 17, 64)
	for _, ch := range dst[mark:] {
		if ch == '.' || ch == 'e' {
			return dst
		}
	}
	return append(dst, ".0"...)
}

// AppendJSONString appends s as a quoted JSON string, escaped as the JSON
// writer sysdig links (jsoncpp 1.9) escapes: quotes, backslashes and
// control characters escaped, other ASCII bytes as they are, and non-ASCII
// text as \uXXXX escapes (UTF-16 surrogate pairs above U+FFFF), decoding
// UTF-8 as that writer does.
func AppendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if jsonSafe[ch] {
			continue
		}
		dst = append(dst, s[start:i]...)
		switch ch {
		case '"':
			dst = append(dst, '\\', '"')
		case '\\':
			dst = append(dst, '\\', '\\')
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			if ch < 0x20 {
				dst = appendU4(dst, rune(ch))
				break
			}
			r, extra := utf8ToCodepoint(s[i:])
			i += extra
			if r < 0x10000 {
				dst = appendU4(dst, r)
				break
			}
			r -= 0x10000
			dst = appendU4(dst, 0xD800+(r>>10)&0x3FF)
			dst = appendU4(dst, 0xDC00+r&0x3FF)
		}
		start = i + 1
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// jsonSafe marks the bytes AppendJSONString copies as they are.
var jsonSafe = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// AppendJSONBytes is AppendJSONString over a byte slice.
func AppendJSONBytes(dst []byte, b []byte) []byte {
	return AppendJSONString(dst, unsafe.String(unsafe.SliceData(b), len(b)))
}

const hexLower = "0123456789abcdef"

func appendU4(dst []byte, r rune) []byte {
	return append(dst, '\\', 'u', hexLower[(r>>12)&15], hexLower[(r>>8)&15], hexLower[(r>>4)&15], hexLower[r&15])
}

// utf8ToCodepoint decodes the sequence starting at s[0] (>= 0x80) the way
// jsoncpp does, without checking continuation bytes: it returns the code
// point (U+FFFD for short, overlong or surrogate sequences) and how many
// bytes beyond the first it used.
func utf8ToCodepoint(s string) (rune, int) {
	const repl = 0xFFFD
	first := rune(s[0])
	switch {
	case first < 0xE0:
		if len(s) < 2 {
			return repl, 0
		}
		r := (first&0x1F)<<6 | rune(s[1])&0x3F
		if r < 0x80 {
			return repl, 1
		}
		return r, 1
	case first < 0xF0:
		if len(s) < 3 {
			return repl, 0
		}
		r := (first&0x0F)<<12 | (rune(s[1])&0x3F)<<6 | rune(s[2])&0x3F
		if r >= 0xD800 && r <= 0xDFFF || r < 0x800 {
			return repl, 2
		}
		return r, 2
	case first < 0xF8:
		if len(s) < 4 {
			return repl, 0
		}
		r := (first&0x07)<<18 | (rune(s[1])&0x3F)<<12 | (rune(s[2])&0x3F)<<6 | rune(s[3])&0x3F
		if r < 0x10000 {
			return repl, 3
		}
		return r, 3
	}
	return repl, 0
}

// ------------------------------------------------------------------ builders

// bytesToString views b as a string without copying.
func bytesToString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// strX builds a string extractor from a getter.
func strX(get func(c Ctx) (string, bool)) *Extractor {
	return &Extractor{Field: filter.Field[Ctx]{
		Info: filter.FieldInfo{Type: filter.TypeString},
		Str:  func(c Ctx, _ int) (string, bool) { return get(c) },
	}}
}

// bytesStrX builds a string extractor from a getter returning bytes it
// does not own.
func bytesStrX(get func(c Ctx) ([]byte, bool)) *Extractor {
	return &Extractor{
		Field: filter.Field[Ctx]{
			Info: filter.FieldInfo{Type: filter.TypeString},
			Str: func(c Ctx, _ int) (string, bool) {
				b, ok := get(c)
				return bytesToString(b), ok
			},
		},
		text: func(dst []byte, c Ctx) ([]byte, bool) {
			b, ok := get(c)
			if !ok {
				return dst, false
			}
			return append(dst, b...), true
		},
	}
}

// appendX builds a string extractor from a function that appends the value
// to a buffer: text output appends directly, filters get a view of a
// scratch buffer owned by the extractor.
func appendX(app func(dst []byte, c Ctx) ([]byte, bool)) *Extractor {
	var scratch []byte
	return &Extractor{
		Field: filter.Field[Ctx]{
			Info: filter.FieldInfo{Type: filter.TypeString},
			Str: func(c Ctx, _ int) (string, bool) {
				var ok bool
				scratch, ok = app(scratch[:0], c)
				if !ok {
					return "", false
				}
				return bytesToString(scratch), true
			},
		},
		text: app,
	}
}

func intX(get func(c Ctx) (int64, bool)) *Extractor {
	return &Extractor{Field: filter.Field[Ctx]{
		Info: filter.FieldInfo{Type: filter.TypeInt},
		Int:  func(c Ctx, _ int) (int64, bool) { return get(c) },
	}}
}

func uintX(get func(c Ctx) (uint64, bool)) *Extractor {
	return &Extractor{Field: filter.Field[Ctx]{
		Info: filter.FieldInfo{Type: filter.TypeUint},
		Uint: func(c Ctx, _ int) (uint64, bool) { return get(c) },
	}}
}

func boolX(get func(c Ctx) (bool, bool)) *Extractor {
	return &Extractor{Field: filter.Field[Ctx]{
		Info: filter.FieldInfo{Type: filter.TypeBool},
		Bool: func(c Ctx, _ int) (bool, bool) { return get(c) },
	}}
}

func ipX(get func(c Ctx) (netip.Addr, bool)) *Extractor {
	return &Extractor{Field: filter.Field[Ctx]{
		Info: filter.FieldInfo{Type: filter.TypeIPAddr},
		IP:   func(c Ctx, _ int) (netip.Addr, bool) { return get(c) },
	}}
}

func floatX(get func(c Ctx) (float64, bool)) *Extractor {
	return &Extractor{Field: filter.Field[Ctx]{
		Info: filter.FieldInfo{Type: filter.TypeDouble},
		Float: func(c Ctx, _ int) (float64, bool) {
			return get(c)
		},
	}}
}

// Direct builders, for the hottest fields: the getter is the Field's own,
// without a wrapping closure.

func strF(get func(c Ctx, i int) (string, bool)) *Extractor {
	return &Extractor{Field: filter.Field[Ctx]{Info: filter.FieldInfo{Type: filter.TypeString}, Str: get}}
}

func intF(get func(c Ctx, i int) (int64, bool)) *Extractor {
	return &Extractor{Field: filter.Field[Ctx]{Info: filter.FieldInfo{Type: filter.TypeInt}, Int: get}}
}

func uintF(get func(c Ctx, i int) (uint64, bool)) *Extractor {
	return &Extractor{Field: filter.Field[Ctx]{Info: filter.FieldInfo{Type: filter.TypeUint}, Uint: get}}
}

// typed sets the value type of x (for integer kinds that are times,
// ports...) and returns x.
func typed(x *Extractor, t filter.FieldType) *Extractor {
	x.Field.Info.Type = t
	return x
}

// multiStrX builds a multi-valued string extractor.
func multiStrX(arity filter.Arity, n func(c Ctx) int, get func(c Ctx, i int) (string, bool)) *Extractor {
	return &Extractor{Field: filter.Field[Ctx]{
		Info: filter.FieldInfo{Type: filter.TypeString, Arity: arity},
		Len:  n,
		Str:  get,
	}}
}

// ------------------------------------------------------------------ exported builders

// Constructors for the extractors of field classes registered by other
// packages. The Extractor's type comes from the getter; Resolve fills in the
// name, argument and flags from the Def.

// StringExtractor returns an extractor of a string value.
func StringExtractor(get func(c Ctx) (string, bool)) *Extractor { return strX(get) }

// AppendExtractor returns an extractor of a string value built by appending
// to a buffer (text output appends directly; filters read a scratch copy).
func AppendExtractor(app func(dst []byte, c Ctx) ([]byte, bool)) *Extractor { return appendX(app) }

// IntExtractor returns an extractor of a signed integer value.
func IntExtractor(get func(c Ctx) (int64, bool)) *Extractor { return intX(get) }

// UintExtractor returns an extractor of an unsigned value of type t
// (filter.TypeUint, or one of the types carried as unsigned: times, ports,
// protocol and family numbers).
func UintExtractor(t filter.FieldType, get func(c Ctx) (uint64, bool)) *Extractor {
	return typed(uintX(get), t)
}

// BoolExtractor returns an extractor of a boolean value.
func BoolExtractor(get func(c Ctx) (bool, bool)) *Extractor { return boolX(get) }

// IPExtractor returns an extractor of an IP address.
func IPExtractor(get func(c Ctx) (netip.Addr, bool)) *Extractor { return ipX(get) }

// ListExtractor returns an extractor of several string values (arity
// filter.List or filter.AnyValue): n returns how many the context has (see
// filter.Arity for negative and zero counts), get returns value i.
func ListExtractor(arity filter.Arity, n func(c Ctx) int, get func(c Ctx, i int) (string, bool)) *Extractor {
	return multiStrX(arity, n, get)
}
