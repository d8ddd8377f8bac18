package rules

import (
	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/filter"
)

// truth is what a condition is known to be for every event of a set of
// types: unknown (it depends on the event), always true or always false.
type truth int8

const (
	truthUnknown truth = iota
	truthTrue
	truthFalse
)

func (t truth) not() truth {
	switch t {
	case truthTrue:
		return truthFalse
	case truthFalse:
		return truthTrue
	}
	return truthUnknown
}

// pruneForTypes returns a condition that gives the same answer as e on
// every event whose type is in types, with the evt.type checks that types
// decide replaced by their value and folded away (and drops true
// children, or drops false ones, a decided child decides its and/or, not
// inverts). The result is the whole condition's value when it is decided,
// else the pruned tree (e itself when nothing was decided). e is not
// modified; the pruned tree is for evaluation only (rendering keeps using
// e).
//
// evt.type is the event's name for every type but the generic syscall
// events (whose evt.type is the name of the call they carry): a set holding
// a generic event type decides nothing.
func pruneForTypes(e filter.Expr, types TypeSet) (filter.Expr, truth) {
	names := typeNamesOf(types)
	if names == nil {
		return e, truthUnknown
	}
	return prune(e, names)
}

// typeNamesOf returns the distinct evt.type values of the events in types,
// or nil when they cannot be known from the type alone (an empty set, or
// one holding a generic syscall event).
func typeNamesOf(types TypeSet) []string {
	if types.Len() == 0 || types.Has(event.GenericE) || types.Has(event.GenericX) {
		return nil
	}
	return types.Names()
}

func prune(e filter.Expr, names []string) (filter.Expr, truth) {
	switch n := e.(type) {
	case *filter.AndExpr:
		return pruneLogical(n.Children, names, truthFalse, func(cs []filter.Expr) filter.Expr {
			return &filter.AndExpr{Pos: n.Pos, Children: cs}
		}, e)
	case *filter.OrExpr:
		return pruneLogical(n.Children, names, truthTrue, func(cs []filter.Expr) filter.Expr {
			return &filter.OrExpr{Pos: n.Pos, Children: cs}
		}, e)
	case *filter.NotExpr:
		c, t := prune(n.Child, names)
		if t != truthUnknown {
			return nil, t.not()
		}
		if c == n.Child {
			return e, truthUnknown
		}
		return &filter.NotExpr{Pos: n.Pos, Child: c}, truthUnknown
	case *filter.BinaryCheck:
		if t := evtTypeCheck(n, names); t != truthUnknown {
			return nil, t
		}
	}
	return e, truthUnknown
}

// pruneLogical prunes the children of an and (absorbing = false) or an or
// (absorbing = true): a child with the absorbing value decides the node, a
// child with the other value is dropped.
func pruneLogical(children []filter.Expr, names []string, absorbing truth, mk func([]filter.Expr) filter.Expr, orig filter.Expr) (filter.Expr, truth) {
	var kept []filter.Expr
	changed := false
	for _, c := range children {
		p, t := prune(c, names)
		switch t {
		case absorbing:
			return nil, absorbing
		case truthUnknown:
			kept = append(kept, p)
			if p != c {
				changed = true
			}
		default:
			changed = true
		}
	}
	switch {
	case len(kept) == 0:
		return nil, absorbing.not()
	case !changed:
		return orig, truthUnknown
	case len(kept) == 1:
		return kept[0], truthUnknown
	}
	return mk(kept), truthUnknown
}

// evtTypeCheck decides a check of evt.type (=, ==, != or in, against
// constants) for events named names: true when it holds for every name,
// false when it holds for none.
func evtTypeCheck(n *filter.BinaryCheck, names []string) truth {
	f, ok := n.Left.(*filter.FieldExpr)
	if !ok || f.Name != "evt.type" || f.HasArg {
		return truthUnknown
	}
	var values []string
	switch r := n.Right.(type) {
	case *filter.ValueExpr:
		values = []string{r.Value}
	case *filter.ListExpr:
		values = r.Values
	default:
		return truthUnknown
	}
	negate := false
	switch n.Op {
	case "=", "==":
		if len(values) != 1 {
			return truthUnknown
		}
	case "!=":
		if len(values) != 1 {
			return truthUnknown
		}
		negate = true
	case "in":
	default:
		return truthUnknown
	}
	hits := 0
	for _, name := range names {
		for _, v := range values {
			if v == name {
				hits++
				break
			}
		}
	}
	var t truth
	switch hits {
	case len(names):
		t = truthTrue
	case 0:
		t = truthFalse
	default:
		return truthUnknown
	}
	if negate {
		t = t.not()
	}
	return t
}
