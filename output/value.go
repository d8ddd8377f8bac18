package output

import (
	"math"
	"strconv"
)

// Kind is the type of a field Value.
type Kind uint8

// The kinds of field values. KindNull is a field the event did not have
// (Falco's <NA>); it is rendered as JSON null.
const (
	KindNull Kind = iota
	KindString
	KindInt
	KindUint
	KindFloat
	KindBool
	KindList
)

var kindNames = [...]string{"null", "string", "int", "uint", "float", "bool", "list"}

// String returns the kind's name.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Value is one output field's typed value. The zero Value is null.
type Value struct {
	kind Kind
	bits uint64 // int64, uint64, float64 bits or bool
	str  string
	list []Value
}

// Null returns the null value (a field the event did not have).
func Null() Value { return Value{} }

// String returns a string value.
func String(s string) Value { return Value{kind: KindString, str: s} }

// Int returns a signed integer value.
func Int(v int64) Value { return Value{kind: KindInt, bits: uint64(v)} }

// Uint returns an unsigned integer value.
func Uint(v uint64) Value { return Value{kind: KindUint, bits: v} }

// Float returns a floating-point value; NaN and infinities render as null,
// as JSON has no spelling for them.
func Float(v float64) Value { return Value{kind: KindFloat, bits: math.Float64bits(v)} }

// Bool returns a boolean value.
func Bool(v bool) Value {
	var b uint64
	if v {
		b = 1
	}
	return Value{kind: KindBool, bits: b}
}

// List returns a list value (a field that yields several values).
func List(vs ...Value) Value { return Value{kind: KindList, list: vs} }

// Kind returns the value's kind.
func (v Value) Kind() Kind { return v.kind }

// IsNull reports whether v is null.
func (v Value) IsNull() bool { return v.kind == KindNull }

// Str returns the string of a KindString value, "" otherwise.
func (v Value) Str() string { return v.str }

// Int64 returns the value of a KindInt value (KindUint is converted).
func (v Value) Int64() int64 { return int64(v.bits) }

// Uint64 returns the value of a KindUint value (KindInt is converted).
func (v Value) Uint64() uint64 { return v.bits }

// Float64 returns the value of a KindFloat value.
func (v Value) Float64() float64 { return math.Float64frombits(v.bits) }

// Boolean returns the value of a KindBool value.
func (v Value) Boolean() bool { return v.bits != 0 }

// Items returns the elements of a KindList value.
func (v Value) Items() []Value { return v.list }

// Equal reports whether two values have the same kind and content.
func (v Value) Equal(w Value) bool {
	if v.kind != w.kind || v.bits != w.bits || v.str != w.str || len(v.list) != len(w.list) {
		return false
	}
	for i := range v.list {
		if !v.list[i].Equal(w.list[i]) {
			return false
		}
	}
	return true
}

// AppendJSON appends the value's JSON encoding to b.
func (v Value) AppendJSON(b []byte) []byte {
	switch v.kind {
	case KindString:
		return appendJSONString(b, v.str)
	case KindInt:
		return strconv.AppendInt(b, int64(v.bits), 10)
	case KindUint:
		return strconv.AppendUint(b, v.bits, 10)
	case KindFloat:
		return appendJSONFloat(b, math.Float64frombits(v.bits))
	case KindBool:
		return strconv.AppendBool(b, v.bits != 0)
	case KindList:
		b = append(b, '[')
		for i, e := range v.list {
			if i > 0 {
				b = append(b, ',')
			}
			b = e.AppendJSON(b)
		}
		return append(b, ']')
	default:
		return append(b, "null"...)
	}
}

// MarshalJSON implements json.Marshaler.
func (v Value) MarshalJSON() ([]byte, error) { return v.AppendJSON(nil), nil }

// appendJSONFloat writes a float the way the JSON library Falco uses does:
// the shortest digits that round-trip, fixed notation when the decimal point
// falls between 10^-4 and 10^15, a ".0" on integral values, and an exponent
// of at least two digits otherwise.
func appendJSONFloat(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	if f == 0 {
		if math.Signbit(f) {
			return append(b, "-0.0"...)
		}
		return append(b, "0.0"...)
	}
	if f < 0 {
		b = append(b, '-')
		f = -f
	}
	// 'e' with shortest precision gives d.ddddde±XX: take digits and exponent.
	var tmp [32]byte
	e := strconv.AppendFloat(tmp[:0], f, 'e', -1, 64)
	var digits [24]byte
	nd := 0
	i := 0
	for ; i < len(e) && e[i] != 'e'; i++ {
		if e[i] != '.' {
			digits[nd] = e[i]
			nd++
		}
	}
	exp, _ := strconv.Atoi(string(e[i+1:]))
	n := exp + 1 // position of the decimal point relative to the digits
	switch {
	case nd <= n && n <= 15:
		b = append(b, digits[:nd]...)
		for j := nd; j < n; j++ {
			b = append(b, '0')
		}
		return append(b, '.', '0')
	case 0 < n && n <= 15:
		b = append(b, digits[:n]...)
		b = append(b, '.')
		return append(b, digits[n:nd]...)
	case -4 < n && n <= 0:
		b = append(b, '0', '.')
		for j := n; j < 0; j++ {
			b = append(b, '0')
		}
		return append(b, digits[:nd]...)
	}
	b = append(b, digits[0])
	if nd > 1 {
		b = append(b, '.')
		b = append(b, digits[1:nd]...)
	}
	b = append(b, 'e')
	x := n - 1
	if x < 0 {
		b = append(b, '-')
		x = -x
	} else {
		b = append(b, '+')
	}
	if x < 10 {
		b = append(b, '0')
	}
	return strconv.AppendInt(b, int64(x), 10)
}
