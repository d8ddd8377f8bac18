package filter

import (
	"bytes"
	"encoding/base64"
	"net/netip"
	"unsafe"
)

// view returns a string sharing b's memory; b must not change while the
// string is in use.
func view(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}

func (cp *compiler[C]) transformer(n *TransformerExpr) *Field[C] {
	if n.Name == "val" {
		if n.HasArg {
			cp.fail(n.Pos, nil, "val() takes no argument")
		}
		if len(n.Args) != 1 {
			cp.fail(n.Pos, nil, "val() takes one field")
		}
		if _, ok := n.Args[0].(*FieldExpr); !ok {
			cp.fail(n.Pos, nil, "val() takes a field")
		}
		return cp.value(n.Args[0])
	}
	switch n.Name {
	case "tolower", "toupper", "basename", "b64", "len":
		if len(n.Args) != 1 {
			cp.fail(n.Pos, nil, "%s() takes one argument", n.Name)
		}
		if n.HasArg {
			cp.fail(n.Pos, nil, "transformer '%s' does not take an argument", n.Name)
		}
		in := cp.value(n.Args[0])
		if in.Info.Flags&FlagNoTransformer != 0 {
			cp.fail(n.Pos, nil, "field '%s' does not support transformers", in.Info.Name)
		}
		out, ok := unaryTransform(n.Name, in)
		if !ok {
			list := ""
			if in.Info.Arity == List {
				list = "list "
			}
			cp.fail(n.Pos, nil, "transformer '%s' does not apply to type %s of %sfield '%s'", n.Name, in.Info.Type, list, in.Info.Name)
		}
		out.Info.Name = n.Name + "(" + in.Info.Name + ")"
		return out
	case "join":
		if n.HasArg {
			cp.fail(n.Pos, nil, "transformer 'join' does not take an argument")
		}
		if len(n.Args) != 2 {
			cp.fail(n.Pos, nil, "join() takes 2 arguments: a separator and a list")
		}
		sep, list := cp.value(n.Args[0]), cp.value(n.Args[1])
		if sep.Info.Arity != Scalar || sep.Info.Type.Kind() != KindString {
			cp.fail(n.Args[0].Position(), nil, "join(): the separator must be a single string")
		}
		if list.Info.Arity != List || list.Info.Type.Kind() != KindString {
			cp.fail(n.Args[1].Position(), nil, "join(): the second argument must be a list of strings")
		}
		return join(sep, list)
	case "concat":
		if n.HasArg {
			cp.fail(n.Pos, nil, "transformer 'concat' does not take an argument")
		}
		if len(n.Args) < 2 {
			cp.fail(n.Pos, nil, "concat() takes at least 2 arguments")
		}
		args := make([]*Field[C], len(n.Args))
		for i, a := range n.Args {
			args[i] = cp.value(a)
			if args[i].Info.Arity != Scalar || args[i].Info.Type.Kind() != KindString {
				cp.fail(a.Position(), nil, "concat(): arguments must be single strings")
			}
		}
		return concat(args)
	case "getopt":
		if len(n.Args) != 2 {
			cp.fail(n.Pos, nil, "getopt() takes 2 arguments: an argument list and an option string")
		}
		list, opts := cp.value(n.Args[0]), cp.value(n.Args[1])
		if list.Info.Arity != List || list.Info.Type.Kind() != KindString {
			cp.fail(n.Args[0].Position(), nil, "getopt(): the first argument must be a list of strings")
		}
		if opts.Info.Arity != Scalar || opts.Info.Type.Kind() != KindString {
			cp.fail(n.Args[1].Position(), nil, "getopt(): the option string must be a single string")
		}
		var sel byte
		if n.HasArg {
			if len(n.Arg) != 1 {
				cp.fail(n.Pos, nil, "getopt(): the argument must be a single option character")
			}
			sel = n.Arg[0]
		}
		return getopt(list, opts, n.HasArg, sel)
	}
	cp.fail(n.Pos, nil, "unknown transformer '%s'", n.Name)
	return nil
}

// unaryTransform applies a one-argument transformer to a value source.
func unaryTransform[C any](name string, in *Field[C]) (*Field[C], bool) {
	out := &Field[C]{Info: in.Info, Len: in.Len}
	out.Info.Flags &^= FlagArgRequired | FlagArgAllowed
	switch name {
	case "tolower", "toupper":
		if in.Info.Type != TypeString {
			return nil, false
		}
		g := in.Str
		var buf []byte
		up := name == "toupper"
		out.Str = func(c C, i int) (string, bool) {
			s, ok := g(c, i)
			if !ok {
				return "", false
			}
			buf = buf[:0]
			for j := 0; j < len(s); j++ {
				b := s[j]
				if up {
					if b >= 'a' && b <= 'z' {
						b -= 'a' - 'A'
					}
				} else if b >= 'A' && b <= 'Z' {
					b += 'a' - 'A'
				}
				buf = append(buf, b)
			}
			return view(buf), true
		}
		return out, true
	case "basename":
		if in.Info.Type != TypeString {
			return nil, false
		}
		g := in.Str
		out.Str = func(c C, i int) (string, bool) {
			s, ok := g(c, i)
			if !ok {
				return "", false
			}
			for j := len(s) - 1; j >= 0; j-- {
				if s[j] == '/' {
					return s[j+1:], true
				}
			}
			return s, true
		}
		return out, true
	case "b64":
		var buf []byte
		decode := func(src []byte) bool {
			for len(src) > 0 && src[len(src)-1] == '=' {
				src = src[:len(src)-1]
			}
			n := base64.RawStdEncoding.DecodedLen(len(src))
			if cap(buf) < n {
				buf = make([]byte, n)
			}
			buf = buf[:n]
			m, err := base64.RawStdEncoding.Decode(buf, src)
			if err != nil {
				return false
			}
			buf = buf[:m]
			return true
		}
		switch in.Info.Type {
		case TypeString:
			g := in.Str
			out.Str = func(c C, i int) (string, bool) {
				s, ok := g(c, i)
				if !ok || !decode(unsafe.Slice(unsafe.StringData(s), len(s))) {
					return "", false
				}
				return view(buf), true
			}
		case TypeBytes:
			g := in.Bytes
			out.Bytes = func(c C, i int) ([]byte, bool) {
				b, ok := g(c, i)
				if !ok || !decode(b) {
					return nil, false
				}
				return buf, true
			}
		default:
			return nil, false
		}
		return out, true
	case "len":
		out.Info.Type = TypeUint
		if in.Info.Arity == List {
			n := in.Len
			out.Len = nil
			out.Info.Arity = Scalar
			out.Uint = func(c C, _ int) (uint64, bool) {
				k := n(c)
				if k < 0 {
					return 0, false
				}
				return uint64(k), true
			}
			return out, true
		}
		switch in.Info.Type {
		case TypeString:
			g := in.Str
			out.Uint = func(c C, i int) (uint64, bool) {
				s, ok := g(c, i)
				if !ok {
					return 0, false
				}
				if j := bytes.IndexByte(unsafe.Slice(unsafe.StringData(s), len(s)), 0); j >= 0 {
					return uint64(j), true
				}
				return uint64(len(s)), true
			}
		case TypeBytes:
			g := in.Bytes
			out.Uint = func(c C, i int) (uint64, bool) {
				b, ok := g(c, i)
				return uint64(len(b)), ok
			}
		default:
			return nil, false
		}
		return out, true
	}
	return nil, false
}

func join[C any](sep, list *Field[C]) *Field[C] {
	var buf []byte
	sg, n, lg := sep.Str, list.Len, list.Str
	return &Field[C]{
		Info: FieldInfo{Name: "join(" + sep.Info.Name + "," + list.Info.Name + ")", Type: TypeString},
		Str: func(c C, _ int) (string, bool) {
			s, ok := sg(c, 0)
			if !ok {
				return "", false
			}
			// the separator may live in scratch space another getter reuses
			buf = append(buf[:0], s...)
			k := n(c)
			if k < 0 {
				return "", false
			}
			sl := len(buf)
			for i := 0; i < k; i++ {
				v, ok := lg(c, i)
				if !ok {
					continue
				}
				if i > 0 {
					buf = append(buf, buf[:sl]...)
				}
				buf = append(buf, v...)
			}
			return view(buf[sl:]), true
		},
	}
}

func concat[C any](args []*Field[C]) *Field[C] {
	var buf []byte
	gs := make([]func(C, int) (string, bool), len(args))
	name := "concat("
	for i, a := range args {
		gs[i] = a.Str
		if i > 0 {
			name += ","
		}
		name += a.Info.Name
	}
	return &Field[C]{
		Info: FieldInfo{Name: name + ")", Type: TypeString},
		Str: func(c C, _ int) (string, bool) {
			buf = buf[:0]
			for _, g := range gs {
				s, ok := g(c, 0)
				if !ok {
					return "", false
				}
				buf = append(buf, s...)
			}
			return view(buf), true
		},
	}
}

// oneChar holds every one-byte string, to name options without allocating.
var oneChar = func() (t [256]string) {
	for i := range t {
		t[i] = string([]byte{byte(i)})
	}
	return t
}()

// strList is a computed list of strings held in one buffer.
type strList struct {
	buf  []byte
	ends []int
}

func (l *strList) reset() { l.buf, l.ends = l.buf[:0], l.ends[:0] }

func (l *strList) add(s string) {
	l.buf = append(l.buf, s...)
	l.ends = append(l.ends, len(l.buf))
}

func (l *strList) at(i int) string {
	start := 0
	if i > 0 {
		start = l.ends[i-1]
	}
	return view(l.buf[start:l.ends[i]])
}

// getopt reads short options from an argument list the way getopt(3) does
// with the given option string: "-ab", "-ovalue", "-o value"; parsing stops
// at "--" or at the first argument that is not an option; long options are
// skipped. Without a selector the result is the list of options met
// (option letter, then its value when it takes one; "?" for an unknown
// option). With a selector it is the value of the last occurrence of that
// option (its letter when it takes no value, "" when its value is missing),
// and missing when the option is absent.
func getopt[C any](list, opts *Field[C], hasSel bool, sel byte) *Field[C] {
	var out strList
	var optstr []byte
	var valid, withArg [256]bool
	n, lg, og := list.Len, list.Str, opts.Str
	var selected string
	var found bool
	var selBuf []byte

	compute := func(c C) bool {
		o, ok := og(c, 0)
		if !ok {
			return false
		}
		if string(optstr) != o || optstr == nil {
			optstr = append(optstr[:0], o...)
			valid, withArg = [256]bool{}, [256]bool{}
			k := 0
			if len(o) > 0 && o[0] == ':' {
				k = 1
			}
			for ; k < len(o); k++ {
				ch := o[k]
				if ch == ':' {
					continue
				}
				valid[ch] = true
				if k+1 < len(o) && o[k+1] == ':' {
					withArg[ch] = true
					k++
				}
			}
		}
		out.reset()
		found = false
		cnt := n(c)
		if cnt < 0 {
			return false
		}
		emit := func(name, value string, hasValue bool) {
			if hasSel {
				if hasValue {
					selBuf = append(selBuf[:0], value...)
				} else {
					selBuf = append(selBuf[:0], name...)
				}
				found = true
				return
			}
			out.add(name)
			if hasValue {
				out.add(value)
			}
		}
		for ai := 0; ai < cnt; ai++ {
			arg, ok := lg(c, ai)
			if !ok {
				continue
			}
			if arg == "--" {
				break
			}
			if len(arg) > 2 && arg[0] == '-' && arg[1] == '-' {
				continue
			}
			if len(arg) < 2 || arg[0] != '-' {
				break
			}
			for i := 1; i < len(arg); i++ {
				ch := arg[i]
				if ch == ':' || !valid[ch] {
					if !hasSel {
						out.add("?")
					}
					continue
				}
				match := !hasSel || ch == sel
				name := oneChar[ch]
				if !withArg[ch] {
					if match {
						emit(name, "", false)
					}
					continue
				}
				var value string
				have := false
				if i+1 < len(arg) {
					value, have = arg[i+1:], true
				} else if ai+1 < cnt {
					ai++
					value, have = lg(c, ai)
				}
				if match {
					if have {
						emit(name, value, true)
					} else {
						emit("", "", false)
					}
				}
				break
			}
		}
		if hasSel {
			selected = view(selBuf)
			return found
		}
		return true
	}

	f := &Field[C]{Info: FieldInfo{Name: "getopt(" + list.Info.Name + "," + opts.Info.Name + ")", Type: TypeString}}
	if hasSel {
		f.Info.Name += "[" + string(sel) + "]"
		f.Str = func(c C, _ int) (string, bool) {
			if !compute(c) {
				return "", false
			}
			return selected, true
		}
		return f
	}
	f.Info.Arity = List
	f.Len = func(c C) int {
		if !compute(c) {
			return -1
		}
		return len(out.ends)
	}
	f.Str = func(_ C, i int) (string, bool) {
		if i < 0 || i >= len(out.ends) {
			return "", false
		}
		return out.at(i), true
	}
	return f
}

// tlist compiles a parenthesised transformer argument list into a list of
// strings: the values of its elements in order.
func (cp *compiler[C]) tlist(n *TListExpr) *Field[C] {
	elems := make([]*Field[C], len(n.Children))
	for i, e := range n.Children {
		elems[i] = cp.value(e)
		if elems[i].Info.Type.Kind() != KindString {
			cp.fail(e.Position(), nil, "list elements must be strings, %s is %s", Render(e), elems[i].Info.Type)
		}
	}
	var out strList
	f := &Field[C]{Info: FieldInfo{Name: Render(n), Type: TypeString, Arity: List}}
	f.Len = func(c C) int {
		out.reset()
		for _, e := range elems {
			k := 1
			if e.Len != nil {
				k = e.Len(c)
			}
			for i := 0; i < k; i++ {
				if s, ok := e.Str(c, i); ok {
					out.add(s)
				}
			}
		}
		return len(out.ends)
	}
	f.Str = func(_ C, i int) (string, bool) {
		if i < 0 || i >= len(out.ends) {
			return "", false
		}
		return out.at(i), true
	}
	return f
}

// rhsFieldCheck compares a field with another field (val() or a transformer
// on the right-hand side), both read from the same context.
func rhsFieldCheck[C any](op opCode, l, r *Field[C]) func(C) bool {
	switch l.Info.Type.Kind() {
	case KindString:
		return fieldVsField(op, l.Info.Arity, l.Len, l.Str, r.Len, r.Str, func(a, b string) bool { return cmpString(op, a, b) })
	case KindBytes:
		return fieldVsField(op, l.Info.Arity, l.Len, l.Bytes, r.Len, r.Bytes, func(a, b []byte) bool { return cmpBytes(op, a, b) })
	case KindInt:
		return fieldVsField(op, l.Info.Arity, l.Len, l.Int, r.Len, r.Int, func(a, b int64) bool { return cmpOrdered(op, a, b) })
	case KindUint:
		return fieldVsField(op, l.Info.Arity, l.Len, l.Uint, r.Len, r.Uint, func(a, b uint64) bool { return cmpOrdered(op, a, b) })
	case KindFloat:
		return fieldVsField(op, l.Info.Arity, l.Len, l.Float, r.Len, r.Float, func(a, b float64) bool { return cmpOrdered(op, a, b) })
	case KindBool:
		return fieldVsField(op, l.Info.Arity, l.Len, l.Bool, r.Len, r.Bool, func(a, b bool) bool {
			if op == opNe {
				return a != b
			}
			return a == b
		})
	case KindIP:
		return fieldVsField(op, l.Info.Arity, l.Len, l.IP, r.Len, r.IP, func(a, b netip.Addr) bool {
			if op == opNe {
				return a != b
			}
			return a == b
		})
	}
	return func(C) bool { return false }
}

func fieldVsField[C, V any](op opCode, la Arity, ln func(C) int, lg func(C, int) (V, bool),
	rn func(C) int, rg func(C, int) (V, bool), cmp func(a, b V) bool) func(C) bool {
	set := op == opIn || op == opIntersects
	// one compares a left value with the right-hand side of context c,
	// whose value count is rk (-1 for a scalar right side).
	one := func(c C, v V, rk int) bool {
		if rk < 0 {
			w, ok := rg(c, 0)
			return ok && cmp(v, w)
		}
		for i := 0; i < rk; i++ {
			if w, ok := rg(c, i); ok && cmp(v, w) {
				return true
			}
		}
		return false
	}
	rcount := func(c C) (int, bool) {
		if rn == nil {
			if _, ok := rg(c, 0); !ok {
				return 0, false
			}
			return -1, true
		}
		k := rn(c)
		return k, k >= 0
	}
	switch la {
	case Scalar:
		return func(c C) bool {
			v, ok := lg(c, 0)
			if !ok {
				return false
			}
			rk, ok := rcount(c)
			return ok && one(c, v, rk)
		}
	case List:
		return func(c C) bool {
			k := ln(c)
			if k < 0 {
				return false
			}
			rk, ok := rcount(c)
			if !ok {
				return false
			}
			for i := 0; i < k; i++ {
				v, ok := lg(c, i)
				if !ok {
					continue
				}
				hit := one(c, v, rk)
				if op == opIn && !hit {
					return false
				}
				if op == opIntersects && hit {
					return true
				}
			}
			return op == opIn
		}
	}
	all := la == AnySide && op == opNe && !set
	return func(c C) bool {
		k := ln(c)
		rk, ok := rcount(c)
		if !ok {
			return false
		}
		seen := false
		for i := 0; i < k; i++ {
			v, ok := lg(c, i)
			if !ok {
				continue
			}
			hit := one(c, v, rk)
			if all {
				if !hit {
					return false
				}
				seen = true
				continue
			}
			if hit {
				return true
			}
		}
		return seen
	}
}
