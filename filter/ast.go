package filter

import (
	"strconv"
	"strings"
)

// Pos is a position in a filter's text: Offset is a 0-based byte offset,
// Line and Col are 1-based (a line break starts a new line at column 1).
type Pos struct {
	Offset int
	Line   int
	Col    int
}

// String returns "line:col".
func (p Pos) String() string { return strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Col) }

// Expr is a node of a filter's syntax tree. The concrete types are
// *AndExpr, *OrExpr, *NotExpr, *IdentExpr, *ValueExpr, *ListExpr,
// *TListExpr, *UnaryCheck, *BinaryCheck, *FieldExpr and *TransformerExpr.
type Expr interface {
	// Position is where the node starts in the filter text.
	Position() Pos
	expr()
}

// AndExpr is a conjunction of two or more expressions.
type AndExpr struct {
	Pos      Pos
	Children []Expr
}

// OrExpr is a disjunction of two or more expressions.
type OrExpr struct {
	Pos      Pos
	Children []Expr
}

// NotExpr negates its child.
type NotExpr struct {
	Pos   Pos
	Child Expr
}

// IdentExpr is a bare identifier standing for a whole condition (a Falco
// macro). It must be replaced (see Substitute) before compiling.
type IdentExpr struct {
	Pos  Pos
	Name string
}

// ValueExpr is a constant right-hand side: a bare word, a number or an
// unquoted, unescaped string. A bare identifier on the right of a list
// operator ("proc.name in shells") is also a ValueExpr.
type ValueExpr struct {
	Pos   Pos
	Value string
}

// ListExpr is a parenthesised list of constants: (a, b, "c d").
type ListExpr struct {
	Pos    Pos
	Values []string
}

// TListExpr is a parenthesised list given as a transformer argument; its
// elements are fields, transformers or constants.
type TListExpr struct {
	Pos      Pos
	Children []Expr
}

// UnaryCheck is a check with no right-hand side ("fd.name exists").
type UnaryCheck struct {
	Pos  Pos
	Left Expr // *FieldExpr or *TransformerExpr
	Op   string
}

// BinaryCheck is a comparison. Op is the operator as written, with a list
// modifier after one space when present ("startswith oneof").
type BinaryCheck struct {
	Pos   Pos
	Left  Expr // *FieldExpr or *TransformerExpr
	Op    string
	Right Expr // *ValueExpr, *ListExpr or *TransformerExpr (val() included)
}

// FieldExpr references a field, with an optional bracketed argument.
type FieldExpr struct {
	Pos    Pos
	Name   string
	Arg    string
	HasArg bool
}

// TransformerExpr applies a transformer (tolower, toupper, b64, basename,
// len, join, concat, getopt) or val() to its arguments, with an optional
// bracketed argument after the closing parenthesis (getopt(...)[o]).
type TransformerExpr struct {
	Pos    Pos
	Name   string
	Args   []Expr
	Arg    string
	HasArg bool
}

func (e *AndExpr) Position() Pos         { return e.Pos }
func (e *OrExpr) Position() Pos          { return e.Pos }
func (e *NotExpr) Position() Pos         { return e.Pos }
func (e *IdentExpr) Position() Pos       { return e.Pos }
func (e *ValueExpr) Position() Pos       { return e.Pos }
func (e *ListExpr) Position() Pos        { return e.Pos }
func (e *TListExpr) Position() Pos       { return e.Pos }
func (e *UnaryCheck) Position() Pos      { return e.Pos }
func (e *BinaryCheck) Position() Pos     { return e.Pos }
func (e *FieldExpr) Position() Pos       { return e.Pos }
func (e *TransformerExpr) Position() Pos { return e.Pos }

func (*AndExpr) expr()         {}
func (*OrExpr) expr()          {}
func (*NotExpr) expr()         {}
func (*IdentExpr) expr()       {}
func (*ValueExpr) expr()       {}
func (*ListExpr) expr()        {}
func (*TListExpr) expr()       {}
func (*UnaryCheck) expr()      {}
func (*BinaryCheck) expr()     {}
func (*FieldExpr) expr()       {}
func (*TransformerExpr) expr() {}

// Ref returns the field reference the node names.
func (e *FieldExpr) Ref() Ref { return Ref{Name: e.Name, Arg: e.Arg, HasArg: e.HasArg} }

// String renders e canonically (see Render).
func (e *AndExpr) String() string         { return Render(e) }
func (e *OrExpr) String() string          { return Render(e) }
func (e *NotExpr) String() string         { return Render(e) }
func (e *IdentExpr) String() string       { return Render(e) }
func (e *ValueExpr) String() string       { return Render(e) }
func (e *ListExpr) String() string        { return Render(e) }
func (e *TListExpr) String() string       { return Render(e) }
func (e *UnaryCheck) String() string      { return Render(e) }
func (e *BinaryCheck) String() string     { return Render(e) }
func (e *FieldExpr) String() string       { return Render(e) }
func (e *TransformerExpr) String() string { return Render(e) }

// Render returns the canonical text of e, the one Falco prints for a
// compiled condition: every and/or node in parentheses with its children
// joined by " and " / " or ", "not " before a negated node, checks as
// "left op right", lists as "(a, b)", transformer arguments joined by ","
// without spaces, and constants quoted (with escapes) only when they hold
// a blank, '=', a quote, a backslash or a control character.
func Render(e Expr) string {
	var b strings.Builder
	render(&b, e)
	return b.String()
}

func render(b *strings.Builder, e Expr) {
	switch n := e.(type) {
	case *AndExpr:
		renderLogical(b, "and", n.Children)
	case *OrExpr:
		renderLogical(b, "or", n.Children)
	case *NotExpr:
		b.WriteString("not ")
		render(b, n.Child)
	case *IdentExpr:
		b.WriteString(n.Name)
	case *ValueExpr:
		b.WriteString(Quote(n.Value))
	case *ListExpr:
		b.WriteByte('(')
		for i, v := range n.Values {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(Quote(v))
		}
		b.WriteByte(')')
	case *TListExpr:
		b.WriteByte('(')
		for i, c := range n.Children {
			if i > 0 {
				b.WriteByte(',')
			}
			render(b, c)
		}
		b.WriteByte(')')
	case *UnaryCheck:
		render(b, n.Left)
		b.WriteByte(' ')
		b.WriteString(n.Op)
	case *BinaryCheck:
		render(b, n.Left)
		b.WriteByte(' ')
		b.WriteString(n.Op)
		b.WriteByte(' ')
		render(b, n.Right)
	case *FieldExpr:
		b.WriteString(n.Name)
		renderArg(b, n.Arg, n.HasArg)
	case *TransformerExpr:
		b.WriteString(n.Name)
		b.WriteByte('(')
		for i, c := range n.Args {
			if i > 0 {
				b.WriteByte(',')
			}
			render(b, c)
		}
		b.WriteByte(')')
		renderArg(b, n.Arg, n.HasArg)
	}
}

func renderLogical(b *strings.Builder, op string, children []Expr) {
	b.WriteByte('(')
	for i, c := range children {
		if i > 0 {
			b.WriteByte(' ')
			b.WriteString(op)
			b.WriteByte(' ')
		}
		render(b, c)
	}
	b.WriteByte(')')
}

func renderArg(b *strings.Builder, arg string, has bool) {
	if has {
		b.WriteByte('[')
		b.WriteString(arg)
		b.WriteByte(']')
	}
}

// Clone returns a deep copy of e.
func Clone(e Expr) Expr {
	switch n := e.(type) {
	case *AndExpr:
		return &AndExpr{Pos: n.Pos, Children: cloneAll(n.Children)}
	case *OrExpr:
		return &OrExpr{Pos: n.Pos, Children: cloneAll(n.Children)}
	case *NotExpr:
		return &NotExpr{Pos: n.Pos, Child: Clone(n.Child)}
	case *IdentExpr:
		c := *n
		return &c
	case *ValueExpr:
		c := *n
		return &c
	case *ListExpr:
		return &ListExpr{Pos: n.Pos, Values: append([]string(nil), n.Values...)}
	case *TListExpr:
		return &TListExpr{Pos: n.Pos, Children: cloneAll(n.Children)}
	case *UnaryCheck:
		return &UnaryCheck{Pos: n.Pos, Left: Clone(n.Left), Op: n.Op}
	case *BinaryCheck:
		return &BinaryCheck{Pos: n.Pos, Left: Clone(n.Left), Op: n.Op, Right: Clone(n.Right)}
	case *FieldExpr:
		c := *n
		return &c
	case *TransformerExpr:
		return &TransformerExpr{Pos: n.Pos, Name: n.Name, Args: cloneAll(n.Args), Arg: n.Arg, HasArg: n.HasArg}
	}
	return nil
}

func cloneAll(es []Expr) []Expr {
	out := make([]Expr, len(es))
	for i, e := range es {
		out[i] = Clone(e)
	}
	return out
}

// Walk calls fn for e and, when fn returns true, for each of its children,
// depth first in source order.
func Walk(e Expr, fn func(Expr) bool) {
	if e == nil || !fn(e) {
		return
	}
	switch n := e.(type) {
	case *AndExpr:
		for _, c := range n.Children {
			Walk(c, fn)
		}
	case *OrExpr:
		for _, c := range n.Children {
			Walk(c, fn)
		}
	case *NotExpr:
		Walk(n.Child, fn)
	case *TListExpr:
		for _, c := range n.Children {
			Walk(c, fn)
		}
	case *UnaryCheck:
		Walk(n.Left, fn)
	case *BinaryCheck:
		Walk(n.Left, fn)
		Walk(n.Right, fn)
	case *TransformerExpr:
		for _, c := range n.Args {
			Walk(c, fn)
		}
	}
}

// Substitute walks the boolean structure of e (and, or, not and the checks
// and identifiers below them) top-down and replaces every node for which fn
// returns a non-nil replacement; it returns the new root. A replacement is
// not visited again. Nodes are modified in place.
func Substitute(e Expr, fn func(Expr) Expr) Expr {
	if r := fn(e); r != nil {
		return r
	}
	switch n := e.(type) {
	case *AndExpr:
		for i, c := range n.Children {
			n.Children[i] = Substitute(c, fn)
		}
	case *OrExpr:
		for i, c := range n.Children {
			n.Children[i] = Substitute(c, fn)
		}
	case *NotExpr:
		n.Child = Substitute(n.Child, fn)
	}
	return e
}
