package filter

import (
	"errors"
	"net/netip"
)

// This file is the contract between the filter compiler and whoever
// provides fields (the fields package for syscall events, a test struct in
// tests). The compiler never looks inside a context value: it only calls the
// extractor functions a Resolver hands back.

// FieldType is the type of the values a field yields. The names follow the
// libsinsp PT_* types a field can have; Kind says which getter of Field
// carries the values, and the type decides how the right-hand side of a
// comparison is parsed.
type FieldType uint8

// Field types.
const (
	TypeNone FieldType = iota
	// TypeString is text (PT_CHARBUF, PT_FSPATH, PT_FSRELPATH): Str.
	TypeString
	// TypeBytes is a raw buffer (PT_BYTEBUF): Bytes. bcontains and
	// bstartswith take their right-hand side as hex digits.
	TypeBytes
	// TypeInt is a signed integer (PT_INT8..PT_INT64, PT_ERRNO, PT_FD,
	// PT_PID): Int.
	TypeInt
	// TypeUint is an unsigned integer (PT_UINT8..PT_UINT64, flags, enums,
	// PT_MODE, PT_UID, PT_GID, PT_SIGTYPE, PT_SYSCALLID): Uint.
	TypeUint
	// TypeBool is a boolean (PT_BOOL): Bool; the right-hand side is
	// "true" or "false".
	TypeBool
	// TypeIPAddr is an IPv4 or IPv6 address (PT_IPV4ADDR, PT_IPV6ADDR,
	// PT_IPADDR): IP. The right-hand side is an address; a CIDR network
	// ("10.0.0.0/8") is accepted too and matches the addresses it contains.
	TypeIPAddr
	// TypeIPNet is an address compared against networks (PT_IPNET, as
	// fd.net and fd.snet are): IP. The right-hand side must be CIDR.
	TypeIPNet
	// TypeAbsTime is nanoseconds since the epoch (PT_ABSTIME): Uint.
	TypeAbsTime
	// TypeRelTime is a duration in nanoseconds (PT_RELTIME): Uint.
	TypeRelTime
	// TypePort is a TCP/UDP port (PT_PORT): Uint; the right-hand side is a
	// number or a service name from /etc/services.
	TypePort
	// TypeL4Proto is a layer-4 protocol number (PT_L4PROTO): Uint.
	TypeL4Proto
	// TypeSockFamily is a socket family number (PT_SOCKFAMILY): Uint.
	TypeSockFamily
	// TypeDouble is a floating point number (PT_DOUBLE): Float.
	TypeDouble
)

var typeNames = [...]string{
	TypeNone:       "none",
	TypeString:     "string",
	TypeBytes:      "bytes",
	TypeInt:        "int64",
	TypeUint:       "uint64",
	TypeBool:       "bool",
	TypeIPAddr:     "ipaddr",
	TypeIPNet:      "ipnet",
	TypeAbsTime:    "abstime",
	TypeRelTime:    "reltime",
	TypePort:       "port",
	TypeL4Proto:    "l4proto",
	TypeSockFamily: "sockfamily",
	TypeDouble:     "double",
}

// String returns the type's short name (string, uint64, ipaddr, ...).
func (t FieldType) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "unknown"
}

// Kind is the Go shape of a field's values: which getter of Field yields
// them.
type Kind uint8

// Kinds.
const (
	KindNone   Kind = iota
	KindString      // Field.Str
	KindBytes       // Field.Bytes
	KindInt         // Field.Int
	KindUint        // Field.Uint
	KindBool        // Field.Bool
	KindIP          // Field.IP
	KindFloat       // Field.Float
)

// Kind returns the getter class that carries values of type t.
func (t FieldType) Kind() Kind {
	switch t {
	case TypeString:
		return KindString
	case TypeBytes:
		return KindBytes
	case TypeInt:
		return KindInt
	case TypeUint, TypeAbsTime, TypeRelTime, TypePort, TypeL4Proto, TypeSockFamily:
		return KindUint
	case TypeBool:
		return KindBool
	case TypeIPAddr, TypeIPNet:
		return KindIP
	case TypeDouble:
		return KindFloat
	}
	return KindNone
}

// Numeric reports whether values of type t compare as numbers (so the
// right-hand side of a comparison is parsed as a number).
func (t FieldType) Numeric() bool {
	switch t.Kind() {
	case KindInt, KindUint, KindFloat:
		return true
	}
	return false
}

// Arity says how many values a field yields for one context and how a check
// combines them.
type Arity uint8

// Arities.
const (
	// Scalar: at most one value. Len is nil; getters are called with i == 0.
	Scalar Arity = iota
	// List: a list value (libsinsp EPF_IS_LIST: fd.types, fdlist.names,
	// thread.cgroups, ...). Only the in, intersects and exists operators
	// apply: "in" holds when every value is in the right-hand set,
	// "intersects" when at least one is. Len(c) < 0 means missing; 0 is an
	// empty list (for which "in" holds and "intersects" does not).
	List
	// AnyValue: several candidate values, the check holds when it holds for
	// at least one of them, whatever the operator (proc.aname, proc.apid,
	// proc.aexe... without a depth argument: "some ancestor"). Len(c) <= 0
	// means missing.
	AnyValue
	// AnySide: like AnyValue for every operator except "!=", which holds
	// only when it holds for every value (fd.ip, fd.port, fd.net, fd.proto:
	// "the client or the server side"; != means neither side equals).
	AnySide
)

// FieldFlags are properties of a field that restrict where and how it may be
// used (the libsinsp EPF_* flags that matter to filters).
type FieldFlags uint32

// Field flags.
const (
	// FlagArgRequired: the field needs an argument (evt.arg[0], evt.arg.name).
	FlagArgRequired FieldFlags = 1 << iota
	// FlagArgAllowed: the field takes an optional argument (proc.aname[2]).
	FlagArgAllowed
	// FlagArgIndex: the argument is a number (an index or a depth).
	FlagArgIndex
	// FlagArgKey: the argument is a name (an argument or variable name).
	FlagArgKey
	// FlagNoRHS: the field may not be used on the right-hand side, in val().
	FlagNoRHS
	// FlagNoTransformer: the field may not be wrapped by a transformer.
	FlagNoTransformer
	// FlagFilterOnly: the field is meaningful in filters but not in outputs.
	FlagFilterOnly
	// FlagPrintOnly: the field may be printed but not filtered on.
	FlagPrintOnly
	// FlagTableOnly: the field is only meaningful in aggregated tables.
	FlagTableOnly
	// FlagDeprecated: the field still works but is kept for compatibility.
	FlagDeprecated
)

// Ref names a field as the filter text writes it: Name is the dotted name
// exactly as written (which, for fields whose argument can follow a dot, may
// include the argument: "evt.arg.flags"), Arg the text between brackets
// (without quotes) when HasArg is set ("proc.aname[2]" gives Name
// "proc.aname", Arg "2").
//
// Splitting a dotted argument off Name is the resolver's job: the filter
// language cannot know where a field's name ends ("evt.arg.flags" is
// evt.arg with argument "flags", "fd.sip.name" is a field of its own). The
// libsinsp convention is: the longest known field name that is Name or a
// prefix of Name followed by '.', the rest being the argument.
type Ref struct {
	Name   string
	Arg    string
	HasArg bool
}

// String renders the reference as a filter writes it: name, or name[arg].
func (r Ref) String() string {
	if !r.HasArg {
		return r.Name
	}
	return r.Name + "[" + r.Arg + "]"
}

// FieldInfo describes a resolved field without reference to any context
// type: what the type checker and the rules loader need.
type FieldInfo struct {
	// Name is the field's canonical name, without its argument
	// ("evt.arg" for "evt.arg.flags").
	Name string
	// Arg is the resolved argument ("flags"), HasArg whether there is one.
	Arg    string
	HasArg bool
	// Type of each value.
	Type FieldType
	// Arity says whether the field yields one value or several, and how a
	// check combines several.
	Arity Arity
	Flags FieldFlags
}

// Field is a resolved field bound to a context type C (an event with its
// state, a test struct): its description and the getter for its Kind.
//
// Exactly one getter is set: the one Info.Type.Kind() names. Each getter
// takes the context and a value index i. A Scalar field (Len == nil) is
// called with i == 0 only. Other arities have Len set; Len(c) tells how many
// values c has (see Arity for what a zero or negative count means), and the
// getter is then called with 0 <= i < Len(c) (possibly more than once for
// the same index). Len(c) is always called before the getters for a given
// c, so an implementation may compute the values in Len and cache them.
//
// Missing values: a getter returns ok == false when the value does not
// exist for this context (no thread, no fd, a parameter the event lacks).
// A check on a missing value is false, whatever its operator, except
// "exists", which is exactly the test for presence; "not" above a check
// inverts that false as usual (libsinsp semantics). For a multi-valued
// field a value whose getter fails is skipped.
//
// Contract for implementations:
//   - Getters must not allocate on the success path and must not retain c.
//   - A string or byte slice returned may alias memory owned by c (event
//     bytes, state tables) or scratch space of this Field: the compiler
//     uses it only until this Field's getter is called again and never
//     stores or modifies it. It must stay valid while getters of other
//     Fields (resolved separately) are called.
//   - Getters are called from one goroutine at a time per compiled filter;
//     they may be called concurrently for different compiled filters, so
//     they must not share mutable scratch space unless they lock.
//   - Getters never panic on malformed events: they return ok == false.
//   - IPv4 addresses are returned as 4-byte addresses (netip.AddrFrom4),
//     never as IPv4-mapped IPv6 addresses.
//   - Transformers (tolower, len, ...) and val() are the filter package's
//     business: a Resolver only ever sees plain field references.
type Field[C any] struct {
	Info FieldInfo

	// Len is nil for Scalar fields and set for every other arity.
	Len func(c C) int

	Str   func(c C, i int) (string, bool)
	Bytes func(c C, i int) ([]byte, bool)
	Int   func(c C, i int) (int64, bool)
	Uint  func(c C, i int) (uint64, bool)
	Bool  func(c C, i int) (bool, bool)
	IP    func(c C, i int) (netip.Addr, bool)
	Float func(c C, i int) (float64, bool)
}

// Valid reports whether f has the getter its type needs (and Len when it is
// a list field).
func (f *Field[C]) Valid() bool {
	if (f.Info.Arity == Scalar) != (f.Len == nil) {
		return false
	}
	switch f.Info.Type.Kind() {
	case KindString:
		return f.Str != nil
	case KindBytes:
		return f.Bytes != nil
	case KindInt:
		return f.Int != nil
	case KindUint:
		return f.Uint != nil
	case KindBool:
		return f.Bool != nil
	case KindIP:
		return f.IP != nil
	case KindFloat:
		return f.Float != nil
	}
	return false
}

// Schema describes the fields that exist, without binding them to a context
// type. The rules loader type-checks conditions against a Schema.
//
// Lookup returns an error wrapping ErrUnknownField when no field has that
// name, and one wrapping ErrFieldArg when the field exists but the
// argument is missing, not allowed or malformed.
type Schema interface {
	Lookup(ref Ref) (FieldInfo, error)
}

// Resolver binds field references to extractors over a context type C. It
// is called once per field occurrence when a filter is compiled, never
// while evaluating. Errors follow Schema.Lookup's.
type Resolver[C any] interface {
	Resolve(ref Ref) (Field[C], error)
}

// Errors a Schema or Resolver wraps.
var (
	ErrUnknownField = errors.New("unknown field")
	ErrFieldArg     = errors.New("bad field argument")
)

// SchemaOf adapts a Resolver to a Schema.
func SchemaOf[C any](r Resolver[C]) Schema { return resolverSchema[C]{r} }

type resolverSchema[C any] struct{ r Resolver[C] }

func (s resolverSchema[C]) Lookup(ref Ref) (FieldInfo, error) {
	f, err := s.r.Resolve(ref)
	if err != nil {
		return FieldInfo{}, err
	}
	return f.Info, nil
}

// SplitDotArg splits a dotted field name into a known field name and an
// argument, the way libsinsp reads "evt.arg.flags": the longest prefix of
// name that is a known field and is followed by '.' gives the field, the
// rest is the argument. known reports whether a name is a field that takes
// an argument. When name itself is known, or no prefix is, it returns name
// unchanged and ok == false.
func SplitDotArg(name string, known func(string) bool) (field, arg string, ok bool) {
	for i := len(name) - 1; i > 0; i-- {
		if name[i] != '.' {
			continue
		}
		if known(name[:i]) && i+1 < len(name) {
			return name[:i], name[i+1:], true
		}
	}
	return name, "", false
}
