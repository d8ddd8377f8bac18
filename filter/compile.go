package filter

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
)

// CompileError is a filter that parses but cannot be compiled: an unknown
// field, an operator the field's type does not support, a right-hand side
// that does not parse as the field's type, an unresolved identifier... Err,
// when set, is the underlying cause (it may wrap ErrUnknownField).
type CompileError struct {
	Pos Pos
	Msg string
	Err error
}

// Error returns "filter: line:col: message".
func (e *CompileError) Error() string {
	return fmt.Sprintf("filter: %d:%d: %s", e.Pos.Line, e.Pos.Col, e.Msg)
}

// Unwrap returns the cause.
func (e *CompileError) Unwrap() error { return e.Err }

// Compile turns a parsed filter into a predicate over C. Fields are bound
// through r once, here; the predicate only calls the extractors r returned.
//
// The predicate does not allocate (transformers reuse scratch buffers that
// grow to the largest value seen), and it is not safe for concurrent use:
// compile one per goroutine.
//
// e must not contain identifiers (resolve macros and lists first); the
// filter is checked against the field types (see Check for the rules).
func Compile[C any](e Expr, r Resolver[C]) (pred func(C) bool, err error) {
	cp := &compiler[C]{r: r}
	defer func() {
		if x := recover(); x != nil {
			ce, ok := x.(*CompileError)
			if !ok {
				panic(x)
			}
			pred, err = nil, ce
		}
	}()
	return cp.boolean(e), nil
}

// Check type-checks e against the fields s describes, as Compile would,
// without binding it to a context type. It reports unknown fields (wrapping
// ErrUnknownField), operators a type does not support (contains on a
// number, < on an address, anything but in/intersects/exists on a list),
// right-hand values that do not parse as the field's type (numbers,
// booleans, addresses, CIDR networks, ports, hex strings for bcontains,
// regular expressions), transformers applied to types they do not take,
// and val() fields whose type differs from the left-hand side.
func Check(e Expr, s Schema) error {
	_, err := Compile[struct{}](e, schemaResolver{s})
	return err
}

// schemaResolver binds a Schema to a context of no interest, with getters
// that never find a value; enough for Compile to check types.
type schemaResolver struct{ s Schema }

func (r schemaResolver) Resolve(ref Ref) (Field[struct{}], error) {
	info, err := r.s.Lookup(ref)
	if err != nil {
		return Field[struct{}]{}, err
	}
	f := Field[struct{}]{Info: info}
	if info.Arity != Scalar {
		f.Len = func(struct{}) int { return -1 }
	}
	switch info.Type.Kind() {
	case KindString:
		f.Str = func(struct{}, int) (string, bool) { return "", false }
	case KindBytes:
		f.Bytes = func(struct{}, int) ([]byte, bool) { return nil, false }
	case KindInt:
		f.Int = func(struct{}, int) (int64, bool) { return 0, false }
	case KindUint:
		f.Uint = func(struct{}, int) (uint64, bool) { return 0, false }
	case KindBool:
		f.Bool = func(struct{}, int) (bool, bool) { return false, false }
	case KindIP:
		f.IP = func(struct{}, int) (netip.Addr, bool) { return netip.Addr{}, false }
	case KindFloat:
		f.Float = func(struct{}, int) (float64, bool) { return 0, false }
	}
	return f, nil
}

type compiler[C any] struct {
	r    Resolver[C]
	prog *Program[C] // nil: nothing is shared
}

func (cp *compiler[C]) fail(pos Pos, cause error, format string, args ...any) {
	panic(&CompileError{Pos: pos, Msg: fmt.Sprintf(format, args...), Err: cause})
}

func (cp *compiler[C]) boolean(e Expr) func(C) bool {
	if cp.prog != nil {
		switch e.(type) {
		case *AndExpr, *OrExpr, *UnaryCheck, *BinaryCheck:
			if f, ok := cp.prog.memoized(e, func() func(C) bool { return cp.build(e) }); ok {
				return f
			}
		}
	}
	return cp.build(e)
}

func (cp *compiler[C]) build(e Expr) func(C) bool {
	switch n := e.(type) {
	case *AndExpr:
		fs := make([]func(C) bool, len(n.Children))
		for i, c := range n.Children {
			fs[i] = cp.boolean(c)
		}
		if len(fs) == 2 {
			a, b := fs[0], fs[1]
			return func(c C) bool { return a(c) && b(c) }
		}
		return func(c C) bool {
			for _, f := range fs {
				if !f(c) {
					return false
				}
			}
			return true
		}
	case *OrExpr:
		fs := make([]func(C) bool, len(n.Children))
		for i, c := range n.Children {
			fs[i] = cp.boolean(c)
		}
		if len(fs) == 2 {
			a, b := fs[0], fs[1]
			return func(c C) bool { return a(c) || b(c) }
		}
		return func(c C) bool {
			for _, f := range fs {
				if f(c) {
					return true
				}
			}
			return false
		}
	case *NotExpr:
		f := cp.boolean(n.Child)
		return func(c C) bool { return !f(c) }
	case *IdentExpr:
		cp.fail(n.Pos, nil, "unresolved identifier '%s'", n.Name)
	case *UnaryCheck:
		return cp.unary(n)
	case *BinaryCheck:
		return cp.binary(n)
	case nil:
		cp.fail(Pos{Line: 1, Col: 1}, nil, "empty filter")
	default:
		cp.fail(e.Position(), nil, "expected a check, found %s", Render(e))
	}
	return nil
}

// Operators, parsed.
type opCode uint8

const (
	opNone opCode = iota
	opEq
	opNe
	opLt
	opLe
	opGt
	opGe
	opContains
	opIContains
	opBContains
	opStartsWith
	opBStartsWith
	opEndsWith
	opGlob
	opIGlob
	opRegex
	opIn
	opIntersects
	opPmatch
	opExists
)

type modCode uint8

const (
	modNone modCode = iota
	modOneOf
	modAnyOf
	modAllOf
)

var opNames = map[string]opCode{
	"=": opEq, "==": opEq, "!=": opNe, "<": opLt, "<=": opLe, ">": opGt, ">=": opGe,
	"contains": opContains, "icontains": opIContains, "bcontains": opBContains,
	"startswith": opStartsWith, "bstartswith": opBStartsWith, "endswith": opEndsWith,
	"glob": opGlob, "iglob": opIGlob, "regex": opRegex, "in": opIn,
	"intersects": opIntersects, "pmatch": opPmatch, "exists": opExists,
}

var modNames = map[string]modCode{"oneof": modOneOf, "anyof": modAnyOf, "allof": modAllOf}

// ValidOperator reports whether s is an operator of the language as a
// check writes it: a plain operator ("=", "startswith", "in", "exists",
// ...) or a string comparison operator followed by one space and a list
// modifier ("startswith oneof"; modifiers go with = == != contains
// icontains bcontains startswith bstartswith endswith glob iglob regex).
func ValidOperator(s string) bool {
	_, _, ok := parseOp(s)
	return ok
}

// ListOperator reports whether s is an operator whose right-hand side is a
// list: in, intersects, pmatch, or any operator with a modifier.
func ListOperator(s string) bool {
	op, mod, ok := parseOp(s)
	return ok && (mod != modNone || op == opIn || op == opIntersects || op == opPmatch)
}

func parseOp(s string) (opCode, modCode, bool) {
	base, m, hasMod := strings.Cut(s, " ")
	o, ok := opNames[base]
	if !ok {
		return opNone, modNone, false
	}
	if !hasMod {
		return o, modNone, true
	}
	mod, ok := modNames[m]
	if !ok {
		return opNone, modNone, false
	}
	switch o {
	case opEq, opNe, opContains, opIContains, opBContains, opStartsWith, opBStartsWith, opEndsWith, opGlob, opIGlob, opRegex:
		return o, mod, true
	}
	return opNone, modNone, false
}

// comparable reports whether op applies to values of type t with arity a,
// following libsinsp.
func comparable(op opCode, mod modCode, t FieldType, a Arity) error {
	if op == opExists {
		return nil
	}
	name := opString(op)
	if a == List {
		switch op {
		case opIn, opIntersects:
			return nil
		}
		return fmt.Errorf("operator '%s' not supported on list fields (use in, intersects or exists)", name)
	}
	switch t.Kind() {
	case KindInt, KindUint, KindFloat:
		switch op {
		case opEq, opNe, opLt, opLe, opGt, opGe, opIn, opIntersects:
			return nil
		}
		return fmt.Errorf("operator '%s' not supported on numeric fields", name)
	case KindBool:
		switch op {
		case opEq, opNe, opIn, opIntersects:
			return nil
		}
		return fmt.Errorf("operator '%s' not supported on boolean fields", name)
	case KindString:
		switch op {
		case opBContains, opBStartsWith:
			return fmt.Errorf("operator '%s' not supported on string fields", name)
		}
		return nil
	case KindBytes:
		switch op {
		case opEq, opNe, opContains, opIn, opStartsWith, opEndsWith, opIntersects, opBContains, opBStartsWith:
			return nil
		}
		return fmt.Errorf("operator '%s' not supported on buffer fields", name)
	case KindIP:
		switch op {
		case opEq, opNe, opIn, opIntersects:
			return nil
		}
		if mod != modNone {
			return fmt.Errorf("operator '%s' with a modifier not supported on address fields", name)
		}
		return fmt.Errorf("operator '%s' not supported on address and network fields", name)
	}
	return fmt.Errorf("operator '%s' not supported for type %s", name, t)
}

func opString(op opCode) string {
	for k, v := range opNames {
		if v == op && k != "==" {
			return k
		}
	}
	return "?"
}

func (cp *compiler[C]) unary(n *UnaryCheck) func(C) bool {
	f := cp.value(n.Left)
	if n.Op != "exists" {
		cp.fail(n.Pos, nil, "unknown unary operator '%s'", n.Op)
	}
	return existsCheck(f)
}

func existsCheck[C any](f *Field[C]) func(C) bool {
	if f.Len != nil {
		n := f.Len
		if f.Info.Arity == List {
			return func(c C) bool { return n(c) >= 0 }
		}
		// some value must actually be readable
		switch f.Info.Type.Kind() {
		case KindString:
			return anyOK(n, f.Str)
		case KindBytes:
			return anyOK(n, f.Bytes)
		case KindInt:
			return anyOK(n, f.Int)
		case KindUint:
			return anyOK(n, f.Uint)
		case KindBool:
			return anyOK(n, f.Bool)
		case KindIP:
			return anyOK(n, f.IP)
		case KindFloat:
			return anyOK(n, f.Float)
		}
	}
	switch f.Info.Type.Kind() {
	case KindString:
		return firstOK(f.Str)
	case KindBytes:
		return firstOK(f.Bytes)
	case KindInt:
		return firstOK(f.Int)
	case KindUint:
		return firstOK(f.Uint)
	case KindBool:
		return firstOK(f.Bool)
	case KindIP:
		return firstOK(f.IP)
	case KindFloat:
		return firstOK(f.Float)
	}
	return func(C) bool { return false }
}

// firstOK reports whether a scalar field has a value.
func firstOK[C, V any](g func(C, int) (V, bool)) func(C) bool {
	return func(c C) bool { _, ok := g(c, 0); return ok }
}

func anyOK[C, V any](n func(C) int, g func(C, int) (V, bool)) func(C) bool {
	return func(c C) bool {
		k := n(c)
		for i := 0; i < k; i++ {
			if _, ok := g(c, i); ok {
				return true
			}
		}
		return false
	}
}

func (cp *compiler[C]) binary(n *BinaryCheck) func(C) bool {
	op, mod, ok := parseOp(n.Op)
	if !ok {
		cp.fail(n.Pos, nil, "unknown operator '%s'", n.Op)
	}
	if op == opExists {
		cp.fail(n.Pos, nil, "operator 'exists' takes no value")
	}
	left := cp.value(n.Left)
	if err := comparable(op, mod, left.Info.Type, left.Info.Arity); err != nil {
		cp.fail(n.Pos, err, "%s: %v", Render(n.Left), err)
	}
	// A field (or transformer) on the right-hand side.
	if t, ok := n.Right.(*TransformerExpr); ok {
		right := cp.value(t)
		cp.checkRHSField(n, op, left, right)
		return rhsFieldCheck(op, left, right)
	}
	var values []string
	var vpos Pos
	switch r := n.Right.(type) {
	case *ValueExpr:
		values, vpos = []string{r.Value}, r.Pos
	case *ListExpr:
		values, vpos = r.Values, r.Pos
	default:
		cp.fail(n.Pos, nil, "unexpected right-hand side %s", Render(n.Right))
	}
	switch op {
	case opIn, opIntersects, opPmatch:
	default:
		if mod == modNone && len(values) != 1 {
			cp.fail(vpos, nil, "operator '%s' takes a single value", n.Op)
		}
	}
	k, err := constCheck(op, mod, left, values)
	if err != nil {
		cp.fail(vpos, err, "%s %s: %v", Render(n.Left), n.Op, err)
	}
	return k
}

func (cp *compiler[C]) checkRHSField(n *BinaryCheck, op opCode, left, right *Field[C]) {
	switch op {
	case opPmatch, opRegex:
		cp.fail(n.Right.Position(), nil, "operator '%s' does not take a field on its right-hand side", n.Op)
	}
	if left.Info.Type == TypeIPNet {
		cp.fail(n.Right.Position(), nil, "network field %s does not take a field on its right-hand side", Render(n.Left))
	}
	if left.Info.Flags&FlagNoRHS != 0 {
		cp.fail(n.Right.Position(), nil, "field '%s' does not support a field on its right-hand side", left.Info.Name)
	}
	if right.Info.Flags&FlagNoRHS != 0 {
		cp.fail(n.Right.Position(), nil, "field '%s' cannot be used on the right-hand side", right.Info.Name)
	}
	if left.Info.Type != right.Info.Type || (left.Info.Arity == List) != (right.Info.Arity == List) {
		cp.fail(n.Right.Position(), nil, "%s has type %s%s but the right-hand side %s has type %s%s",
			Render(n.Left), left.Info.Type, listTag(left.Info.Arity), Render(n.Right), right.Info.Type, listTag(right.Info.Arity))
	}
}

func listTag(a Arity) string {
	if a == List {
		return " (list)"
	}
	return ""
}

// value compiles a value-producing node: a field, a transformer, a
// transformer list, or (as a transformer argument) a constant.
func (cp *compiler[C]) value(e Expr) *Field[C] {
	switch n := e.(type) {
	case *FieldExpr:
		f, err := cp.r.Resolve(n.Ref())
		if err != nil {
			cp.fail(n.Pos, err, "%v", err)
		}
		if !f.Valid() {
			cp.fail(n.Pos, nil, "field '%s': resolver returned no extractor for type %s", n.Name, f.Info.Type)
		}
		if f.Info.Name == "" {
			f.Info.Name = n.Name
		}
		return &f
	case *ValueExpr:
		return constField[C](n.Value)
	case *TListExpr:
		return cp.tlist(n)
	case *TransformerExpr:
		return cp.transformer(n)
	}
	cp.fail(e.Position(), nil, "expected a field, found %s", Render(e))
	return nil
}

func constField[C any](v string) *Field[C] {
	return &Field[C]{
		Info: FieldInfo{Name: Quote(v), Type: TypeString},
		Str:  func(C, int) (string, bool) { return v, true },
	}
}

// parseValues parses right-hand side constants as values of type t.
func parseValues[V any](values []string, parse func(string) (V, error)) ([]V, error) {
	out := make([]V, len(values))
	for i, s := range values {
		v, err := parse(s)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

func parseInt(s string) (int64, error) {
	v, err := strconv.ParseInt(strings.TrimSpace(s), 0, 64)
	if err != nil {
		return 0, fmt.Errorf("'%s' is not a valid number", s)
	}
	return v, nil
}

func parseUint(s string) (uint64, error) {
	t := strings.TrimSpace(s)
	if strings.HasPrefix(t, "-") {
		v, err := strconv.ParseInt(t, 0, 64)
		if err != nil {
			return 0, fmt.Errorf("'%s' is not a valid number", s)
		}
		return uint64(v), nil
	}
	v, err := strconv.ParseUint(strings.TrimPrefix(t, "+"), 0, 64)
	if err != nil {
		return 0, fmt.Errorf("'%s' is not a valid number", s)
	}
	return v, nil
}

func parseFloat(s string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return 0, fmt.Errorf("'%s' is not a valid number", s)
	}
	return v, nil
}

func parseBool(s string) (bool, error) {
	switch s {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, fmt.Errorf("'%s' is not a boolean (true or false)", s)
}

// parsePrefix parses an address ("10.0.0.1", a single-address network) or,
// when allowed, a CIDR network.
func parsePrefix(s string, netOnly bool) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("'%s' is not a valid network", s)
		}
		if p.Addr().Is4In6() {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		return p.Masked(), nil
	}
	if netOnly {
		return netip.Prefix{}, fmt.Errorf("'%s' is not a network (expected address/bits)", s)
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("'%s' is not a valid address", s)
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

func parsePort(s string) (uint64, error) {
	if s == "" {
		return 0, nil
	}
	if strings.Trim(s, "0123456789") == "" {
		v, err := strconv.ParseUint(s, 10, 16)
		if err != nil {
			return 0, fmt.Errorf("'%s' is not a valid port", s)
		}
		return v, nil
	}
	if p, ok := lookupService(s); ok {
		return uint64(p), nil
	}
	return 0, fmt.Errorf("unknown service '%s'", s)
}

// constCheck builds the check of field f against constant values.
func constCheck[C any](op opCode, mod modCode, f *Field[C], values []string) (func(C) bool, error) {
	info := f.Info
	switch info.Type.Kind() {
	case KindString:
		t, err := stringTest(op, mod, values)
		if err != nil {
			return nil, err
		}
		return combine(op, info.Arity, f.Len, f.Str, t), nil
	case KindBytes:
		t, err := bytesTest(op, mod, values)
		if err != nil {
			return nil, err
		}
		return combine(op, info.Arity, f.Len, f.Bytes, t), nil
	case KindInt:
		vs, err := parseValues(values, parseInt)
		if err != nil {
			return nil, err
		}
		return combine(op, info.Arity, f.Len, f.Int, orderedTest(op, mod, vs)), nil
	case KindUint:
		parse := parseUint
		if info.Type == TypePort {
			parse = parsePort
		}
		vs, err := parseValues(values, parse)
		if err != nil {
			return nil, err
		}
		return combine(op, info.Arity, f.Len, f.Uint, orderedTest(op, mod, vs)), nil
	case KindFloat:
		vs, err := parseValues(values, parseFloat)
		if err != nil {
			return nil, err
		}
		return combine(op, info.Arity, f.Len, f.Float, orderedTest(op, mod, vs)), nil
	case KindBool:
		vs, err := parseValues(values, parseBool)
		if err != nil {
			return nil, err
		}
		return combine(op, info.Arity, f.Len, f.Bool, eqTest(op, mod, vs)), nil
	case KindIP:
		netOnly := info.Type == TypeIPNet
		vs, err := parseValues(values, func(s string) (netip.Prefix, error) { return parsePrefix(s, netOnly) })
		if err != nil {
			return nil, err
		}
		return combine(op, info.Arity, f.Len, f.IP, ipTest(op, mod, vs)), nil
	}
	return nil, fmt.Errorf("type %s cannot be compared", info.Type)
}

// test is a compiled comparison of one value against the right-hand side.
// For lists, member answers "is v one of the right-hand values".
type test[V any] struct {
	one    func(V) bool // the comparison for a scalar value
	member func(V) bool // set membership, for list fields (in/intersects)
}

// combine applies a test to a field according to its arity.
func combine[C, V any](op opCode, a Arity, n func(C) int, g func(C, int) (V, bool), t test[V]) func(C) bool {
	switch a {
	case Scalar:
		one := t.one
		return func(c C) bool {
			v, ok := g(c, 0)
			return ok && one(v)
		}
	case List:
		member := t.member
		if op == opIn {
			return func(c C) bool {
				k := n(c)
				if k < 0 {
					return false
				}
				for i := 0; i < k; i++ {
					v, ok := g(c, i)
					if ok && !member(v) {
						return false
					}
				}
				return true
			}
		}
		return func(c C) bool {
			k := n(c)
			for i := 0; i < k; i++ {
				if v, ok := g(c, i); ok && member(v) {
					return true
				}
			}
			return false
		}
	case AnySide:
		if op == opNe {
			one := t.one
			return func(c C) bool {
				k := n(c)
				seen := false
				for i := 0; i < k; i++ {
					v, ok := g(c, i)
					if !ok {
						continue
					}
					if !one(v) {
						return false
					}
					seen = true
				}
				return seen
			}
		}
	}
	one := t.one
	return func(c C) bool {
		k := n(c)
		for i := 0; i < k; i++ {
			if v, ok := g(c, i); ok && one(v) {
				return true
			}
		}
		return false
	}
}

// withMod turns a per-element comparison into the oneof/anyof/allof check
// over n right-hand elements.
func withMod[V any](mod modCode, n int, elem func(v V, i int) bool) func(V) bool {
	switch mod {
	case modOneOf:
		return func(v V) bool {
			hits := 0
			for i := 0; i < n; i++ {
				if elem(v, i) {
					hits++
					if hits > 1 {
						return false
					}
				}
			}
			return hits == 1
		}
	case modAnyOf:
		return func(v V) bool {
			for i := 0; i < n; i++ {
				if elem(v, i) {
					return true
				}
			}
			return false
		}
	default:
		return func(v V) bool {
			if n == 0 {
				return false
			}
			for i := 0; i < n; i++ {
				if !elem(v, i) {
					return false
				}
			}
			return true
		}
	}
}

type number interface{ ~int64 | ~uint64 | ~float64 }

func orderedTest[V number](op opCode, mod modCode, vs []V) test[V] {
	member := func(v V) bool {
		for _, w := range vs {
			if v == w {
				return true
			}
		}
		return false
	}
	t := test[V]{member: member}
	if mod != modNone {
		t.one = withMod(mod, len(vs), func(v V, i int) bool { return cmpOrdered(op, v, vs[i]) })
		return t
	}
	switch op {
	case opIn, opIntersects:
		t.one = member
	default:
		w := vs[0]
		switch op {
		case opEq:
			t.one = func(v V) bool { return v == w }
		case opNe:
			t.one = func(v V) bool { return v != w }
		case opLt:
			t.one = func(v V) bool { return v < w }
		case opLe:
			t.one = func(v V) bool { return v <= w }
		case opGt:
			t.one = func(v V) bool { return v > w }
		case opGe:
			t.one = func(v V) bool { return v >= w }
		default:
			t.one = func(V) bool { return false }
		}
	}
	return t
}

func cmpOrdered[V number | ~string](op opCode, v, w V) bool {
	switch op {
	case opEq, opIn, opIntersects:
		return v == w
	case opNe:
		return v != w
	case opLt:
		return v < w
	case opLe:
		return v <= w
	case opGt:
		return v > w
	case opGe:
		return v >= w
	}
	return false
}

func eqTest(op opCode, mod modCode, vs []bool) test[bool] {
	member := func(v bool) bool {
		for _, w := range vs {
			if v == w {
				return true
			}
		}
		return false
	}
	t := test[bool]{member: member}
	if mod != modNone {
		t.one = withMod(mod, len(vs), func(v bool, i int) bool {
			if op == opNe {
				return v != vs[i]
			}
			return v == vs[i]
		})
		return t
	}
	switch op {
	case opEq, opIn, opIntersects:
		t.one = member
	case opNe:
		w := vs[0]
		t.one = func(v bool) bool { return v != w }
	}
	return t
}

func ipTest(op opCode, mod modCode, vs []netip.Prefix) test[netip.Addr] {
	member := func(a netip.Addr) bool {
		for _, p := range vs {
			if p.Contains(a) {
				return true
			}
		}
		return false
	}
	t := test[netip.Addr]{member: member}
	if mod != modNone {
		t.one = withMod(mod, len(vs), func(a netip.Addr, i int) bool {
			if op == opNe {
				return !vs[i].Contains(a)
			}
			return vs[i].Contains(a)
		})
		return t
	}
	switch op {
	case opNe:
		p := vs[0]
		t.one = func(a netip.Addr) bool { return !p.Contains(a) }
	default:
		t.one = member
	}
	return t
}

func stringTest(op opCode, mod modCode, vs []string) (test[string], error) {
	var t test[string]
	t.member = stringSet(vs)
	if op == opRegex {
		res := make([]*regexp.Regexp, len(vs))
		for i, v := range vs {
			re, err := compileRegex(v)
			if err != nil {
				return t, err
			}
			res[i] = re
		}
		if mod != modNone {
			t.one = withMod(mod, len(res), func(v string, i int) bool { return res[i].MatchString(v) })
		} else {
			re := res[0]
			t.one = re.MatchString
		}
		return t, nil
	}
	if mod != modNone {
		if (op == opEq && mod == modAnyOf) || (op == opNe && mod == modAllOf) {
			set := t.member
			if op == opEq {
				t.one = set
			} else {
				t.one = func(v string) bool { return len(vs) > 0 && !set(v) }
			}
			return t, nil
		}
		t.one = withMod(mod, len(vs), func(v string, i int) bool { return cmpString(op, v, vs[i]) })
		return t, nil
	}
	switch op {
	case opIn, opIntersects:
		t.one = t.member
		return t, nil
	case opPmatch:
		ps := newPathSet(vs)
		t.one = ps.match
		t.member = ps.match
		return t, nil
	}
	w := vs[0]
	switch op {
	case opEq:
		t.one = func(v string) bool { return v == w }
	case opNe:
		t.one = func(v string) bool { return v != w }
	case opContains:
		t.one = func(v string) bool { return strings.Contains(v, w) }
	case opIContains:
		t.one = func(v string) bool { return indexFold(v, w) >= 0 }
	case opStartsWith:
		t.one = func(v string) bool { return strings.HasPrefix(v, w) }
	case opEndsWith:
		t.one = func(v string) bool { return strings.HasSuffix(v, w) }
	case opGlob:
		t.one = func(v string) bool { return globMatch(w, v, false) }
	case opIGlob:
		t.one = func(v string) bool { return globMatch(w, v, true) }
	default:
		t.one = func(v string) bool { return cmpString(op, v, w) }
	}
	return t, nil
}

// stringSet returns a membership test for vs: a map beyond a few values.
func stringSet(vs []string) func(string) bool {
	if len(vs) <= 8 {
		vals := append([]string(nil), vs...)
		return func(v string) bool {
			for _, w := range vals {
				if v == w {
					return true
				}
			}
			return false
		}
	}
	m := make(map[string]struct{}, len(vs))
	for _, v := range vs {
		m[v] = struct{}{}
	}
	return func(v string) bool { _, ok := m[v]; return ok }
}

func cmpString(op opCode, v, w string) bool {
	switch op {
	case opContains:
		return strings.Contains(v, w)
	case opIContains:
		return indexFold(v, w) >= 0
	case opStartsWith:
		return strings.HasPrefix(v, w)
	case opEndsWith:
		return strings.HasSuffix(v, w)
	case opGlob:
		return globMatch(w, v, false)
	case opIGlob:
		return globMatch(w, v, true)
	}
	return cmpOrdered(op, v, w)
}

// compileRegex compiles a POSIX extended regular expression that must match
// the whole value.
func compileRegex(s string) (*regexp.Regexp, error) {
	re, err := regexp.CompilePOSIX("^(" + s + ")$")
	if err != nil {
		return nil, fmt.Errorf("invalid regular expression '%s': %v", s, errors.Unwrap(err))
	}
	return re, nil
}

func bytesTest(op opCode, mod modCode, values []string) (test[[]byte], error) {
	var t test[[]byte]
	vs := make([][]byte, len(values))
	for i, s := range values {
		if op == opBContains || op == opBStartsWith {
			b, err := unhex(s)
			if err != nil {
				return t, fmt.Errorf("bcontains and bstartswith take hex strings: '%s': %v", s, err)
			}
			vs[i] = b
		} else {
			vs[i] = []byte(s)
		}
	}
	member := func(v []byte) bool {
		for _, w := range vs {
			if bytes.Equal(v, w) {
				return true
			}
		}
		return false
	}
	t.member = member
	if mod != modNone {
		t.one = withMod(mod, len(vs), func(v []byte, i int) bool { return cmpBytes(op, v, vs[i]) })
		return t, nil
	}
	switch op {
	case opIn, opIntersects:
		t.one = member
	default:
		w := vs[0]
		t.one = func(v []byte) bool { return cmpBytes(op, v, w) }
	}
	return t, nil
}

func cmpBytes(op opCode, v, w []byte) bool {
	switch op {
	case opEq, opIn, opIntersects:
		return bytes.Equal(v, w)
	case opNe:
		return !bytes.Equal(v, w)
	case opContains, opBContains:
		return bytes.Contains(v, w)
	case opStartsWith, opBStartsWith:
		return bytes.HasPrefix(v, w)
	case opEndsWith:
		return bytes.HasSuffix(v, w)
	}
	return false
}
