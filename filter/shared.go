package filter

import (
	"strconv"
	"strings"
)

// Program compiles several filters against one resolver so that the
// sub-conditions they have in common (the same check, or the same and/or
// group, appearing more than once among the filters) are evaluated at most
// once per context: the first filter to need one computes it, the others
// reuse the result until Next is called.
//
// Checks have no side effects, so remembering a result does not change what
// any filter answers, provided Next is called before the filters are applied
// to another context (or to one whose fields may have changed).
//
// Use: Add every filter, then Compile each; call Next before evaluating the
// filters on a new context. A Program and its predicates are for one
// goroutine.
type Program[C any] struct {
	r      Resolver[C]
	counts map[string]int
	memo   map[string]func(C) bool
	epoch  *uint64
	shared int
}

// NewProgram returns an empty Program binding fields through r.
func NewProgram[C any](r Resolver[C]) *Program[C] {
	ep := uint64(1)
	return &Program[C]{r: r, counts: map[string]int{}, memo: map[string]func(C) bool{}, epoch: &ep}
}

// Add records e's sub-conditions, so that Compile knows which ones recur.
// Add every filter before compiling any of them.
func (p *Program[C]) Add(e Expr) {
	p.count(e)
}

func (p *Program[C]) count(e Expr) {
	switch n := e.(type) {
	case *AndExpr:
		p.counts[shareKey(e)]++
		for _, c := range n.Children {
			p.count(c)
		}
	case *OrExpr:
		p.counts[shareKey(e)]++
		for _, c := range n.Children {
			p.count(c)
		}
	case *NotExpr:
		p.count(n.Child)
	case *UnaryCheck, *BinaryCheck:
		p.counts[shareKey(e)]++
	}
}

// Compile compiles e as Compile does, sharing the evaluation of the
// sub-conditions that occur more than once among the filters added.
func (p *Program[C]) Compile(e Expr) (pred func(C) bool, err error) {
	cp := &compiler[C]{r: p.r, prog: p}
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

// Next starts a new context: results remembered so far are forgotten.
func (p *Program[C]) Next() { *p.epoch++ }

// Shared returns the number of distinct sub-conditions whose evaluation the
// compiled filters share.
func (p *Program[C]) Shared() int { return p.shared }

// memoized returns the shared predicate for e when e recurs, compiling it
// with build the first time; ok is false when e is not shared.
func (p *Program[C]) memoized(e Expr, build func() func(C) bool) (func(C) bool, bool) {
	key := shareKey(e)
	if p.counts[key] < 2 {
		return nil, false
	}
	if f, ok := p.memo[key]; ok {
		return f, true
	}
	f := build()
	ep := p.epoch
	var seen uint64
	var val bool
	m := func(c C) bool {
		if seen == *ep {
			return val
		}
		val = f(c)
		seen = *ep
		return val
	}
	p.memo[key] = m
	p.shared++
	return m, true
}

// shareKey identifies an expression unambiguously: every name, operator
// and constant quoted, every node tagged with its kind.
func shareKey(e Expr) string {
	var b strings.Builder
	writeKey(&b, e)
	return b.String()
}

func writeKey(b *strings.Builder, e Expr) {
	switch n := e.(type) {
	case *AndExpr:
		writeKeyList(b, "and", n.Children)
	case *OrExpr:
		writeKeyList(b, "or", n.Children)
	case *NotExpr:
		b.WriteString("not(")
		writeKey(b, n.Child)
		b.WriteByte(')')
	case *IdentExpr:
		b.WriteString("id" + strconv.Quote(n.Name))
	case *ValueExpr:
		b.WriteString("v" + strconv.Quote(n.Value))
	case *ListExpr:
		b.WriteString("l(")
		for _, v := range n.Values {
			b.WriteString(strconv.Quote(v))
			b.WriteByte(',')
		}
		b.WriteByte(')')
	case *TListExpr:
		writeKeyList(b, "tl", n.Children)
	case *UnaryCheck:
		b.WriteString("u(")
		writeKey(b, n.Left)
		b.WriteString(strconv.Quote(n.Op))
		b.WriteByte(')')
	case *BinaryCheck:
		b.WriteString("b(")
		writeKey(b, n.Left)
		b.WriteString(strconv.Quote(n.Op))
		writeKey(b, n.Right)
		b.WriteByte(')')
	case *FieldExpr:
		b.WriteString("f" + strconv.Quote(n.Name))
		if n.HasArg {
			b.WriteString("[" + strconv.Quote(n.Arg) + "]")
		}
	case *TransformerExpr:
		writeKeyList(b, "t"+strconv.Quote(n.Name), n.Args)
		if n.HasArg {
			b.WriteString("[" + strconv.Quote(n.Arg) + "]")
		}
	default:
		b.WriteString("?")
	}
}

func writeKeyList(b *strings.Builder, tag string, children []Expr) {
	b.WriteString(tag)
	b.WriteByte('(')
	for _, c := range children {
		writeKey(b, c)
		b.WriteByte(';')
	}
	b.WriteByte(')')
}
