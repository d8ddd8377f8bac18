package rules

import (
	"errors"
	"strconv"
	"strings"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/filter"
)

// EventTypes returns the event types for which a (macro-free) condition can
// be true, the way Falco computes them to index rules:
//
//   - a check of evt.type (or syscall.type) with =, ==, != or in names its
//     types (a syscall without an event type of its own stands for the
//     generic syscall events); "evt.type exists" matches every type;
//   - and intersects, or unites; "not" is pushed down to the checks (De
//     Morgan), where it complements evt.type sets and leaves other checks
//     alone;
//   - evt.num compared with constants is decided from evt.num >= 1
//     ("evt.num = 0" matches nothing, "evt.num > 0" everything);
//   - every other check matches every type.
//
// It fails when evt.type is compared with a field or wrapped in a
// transformer.
func EventTypes(e filter.Expr) (TypeSet, error) {
	v := &evtVisitor{}
	if err := v.run(e); err != nil {
		return AllTypes(), err
	}
	return v.codes, nil
}

type evtVisitor struct {
	isEvtType   bool // the last node visited is a bare evt.type field
	isFieldOrTr bool
	negated     bool
	hasCodes    bool
	codes       TypeSet
	unsupported error
}

type evtTypeError struct{ msg string }

func (e *evtTypeError) Error() string { return e.msg }

func (v *evtVisitor) run(e filter.Expr) (err error) {
	defer func() {
		if x := recover(); x != nil {
			te, ok := x.(*evtTypeError)
			if !ok {
				panic(x)
			}
			err = te
		}
	}()
	v.visit(e)
	return nil
}

func (v *evtVisitor) invert() {
	if v.hasCodes {
		v.codes = v.codes.complement()
	}
}

func (v *evtVisitor) tryInvert() {
	if v.negated {
		v.invert()
	}
}

func (v *evtVisitor) all(children []filter.Expr) {
	types := AllTypes()
	for _, c := range children {
		v.visit(c)
		types = types.intersect(v.codes)
	}
	v.codes = types
	v.isEvtType = false
}

func (v *evtVisitor) any(children []filter.Expr) {
	var types TypeSet
	for _, c := range children {
		v.visit(c)
		types = types.union(v.codes)
	}
	v.codes = types
	v.isEvtType = false
}

func (v *evtVisitor) visit(e filter.Expr) {
	switch n := e.(type) {
	case *filter.AndExpr:
		if v.negated {
			v.any(n.Children)
		} else {
			v.all(n.Children)
		}
	case *filter.OrExpr:
		if v.negated {
			v.all(n.Children)
		} else {
			v.any(n.Children)
		}
	case *filter.NotExpr:
		v.codes = TypeSet{}
		saved := v.negated
		v.negated = !v.negated
		v.visit(n.Child)
		v.negated = saved
		v.isEvtType = false
	case *filter.BinaryCheck:
		v.hasCodes = false
		switch evtNumInvariant(n) {
		case invariantEmpty:
			v.codes, v.hasCodes, v.isEvtType = TypeSet{}, true, false
			v.tryInvert()
			return
		case invariantAll:
			v.codes, v.hasCodes, v.isEvtType = AllTypes(), true, false
			v.tryInvert()
			return
		}
		switch n.Op {
		case "=", "==", "!=", "in":
			v.visit(n.Left)
			if v.isEvtType {
				v.isFieldOrTr = false
				v.visit(n.Right)
				if v.isFieldOrTr {
					panic(&evtTypeError{"comparing evt.type with a field is not supported when computing a rule's event types"})
				}
				if n.Op == "!=" {
					v.invert()
				}
				v.isEvtType = false
				return
			}
		}
		v.codes = AllTypes()
		v.isEvtType = false
		v.tryInvert()
	case *filter.UnaryCheck:
		v.visit(n.Left)
		v.hasCodes = v.isEvtType && n.Op == "exists"
		v.codes = AllTypes()
		v.isEvtType = false
		v.tryInvert()
	case *filter.IdentExpr:
		v.hasCodes = false
		v.codes = AllTypes()
		v.isEvtType = false
		v.tryInvert()
	case *filter.ValueExpr:
		v.hasCodes = true
		v.codes = typesByNames([]string{n.Value})
		v.isEvtType = false
		v.tryInvert()
	case *filter.ListExpr:
		v.hasCodes = true
		v.codes = typesByNames(n.Values)
		v.isEvtType = false
		v.tryInvert()
	case *filter.TListExpr:
		for _, c := range n.Children {
			v.visit(c)
		}
	case *filter.FieldExpr:
		v.hasCodes = false
		v.isFieldOrTr = true
		v.isEvtType = (n.Name == "evt.type" || n.Name == "syscall.type") && !n.HasArg
		v.codes = AllTypes()
		v.tryInvert()
	case *filter.TransformerExpr:
		for _, c := range n.Args {
			v.visit(c)
			if v.isEvtType {
				panic(&evtTypeError{"evt.type inside a transformer is not supported when computing a rule's event types"})
			}
		}
		v.isFieldOrTr = true
	}
}

type invariant uint8

const (
	invariantUnknown invariant = iota
	invariantEmpty
	invariantAll
)

// evtNumInvariant decides checks of evt.num against constants, knowing
// evt.num starts at 1.
func evtNumInvariant(n *filter.BinaryCheck) invariant {
	f, ok := n.Left.(*filter.FieldExpr)
	if !ok || f.Name != "evt.num" || f.HasArg {
		return invariantUnknown
	}
	if n.Op == "in" {
		l, ok := n.Right.(*filter.ListExpr)
		if !ok {
			return invariantUnknown
		}
		for _, s := range l.Values {
			if v, ok := parseU64Like(s); !ok || v != 0 {
				return invariantUnknown
			}
		}
		return invariantEmpty
	}
	val, ok := n.Right.(*filter.ValueExpr)
	if !ok {
		return invariantUnknown
	}
	v, ok := parseU64Like(val.Value)
	if !ok {
		return invariantUnknown
	}
	switch n.Op {
	case "=", "==":
		if v == 0 {
			return invariantEmpty
		}
	case "!=":
		if v == 0 {
			return invariantAll
		}
	case "<":
		if v <= 1 {
			return invariantEmpty
		}
	case "<=":
		if v == 0 {
			return invariantEmpty
		}
	case ">":
		if v == 0 {
			return invariantAll
		}
	case ">=":
		if v <= 1 {
			return invariantAll
		}
	}
	return invariantUnknown
}

// parseU64Like parses an unsigned decimal the way scanf's %u does: leading
// blanks, an optional sign (a negative value wraps around), digits, and
// nothing after.
func parseU64Like(s string) (uint64, bool) {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "" {
		return 0, false
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && errors.Is(ne.Err, strconv.ErrRange) && strings.Trim(s, "0123456789") == "" {
			v = ^uint64(0)
		} else {
			return 0, false
		}
	}
	if neg {
		v = -v
	}
	return v, true
}

// typesByNames maps event or syscall names to event types: every type
// (enter, exit, all versions) carrying one of the names, plus the generic
// syscall events when a name is a syscall without event types of its own.
func typesByNames(names []string) TypeSet {
	var s TypeSet
	generic := false
	for _, name := range names {
		found := false
		for _, t := range event.TypesByName(name) {
			if t >= 2 && t.String() == name {
				s.Add(t)
				found = true
			}
		}
		if !found && !generic && isSyscallName(name) {
			generic = true
		}
	}
	if generic {
		s.Add(0)
		s.Add(1)
	}
	return s
}

var syscallNames = func() map[string]bool {
	m := map[string]bool{}
	for _, sc := range event.Syscalls() {
		m[sc.Name] = true
	}
	return m
}()

func isSyscallName(s string) bool { return syscallNames[s] }

var eventNames = func() map[string]bool {
	m := map[string]bool{}
	for _, info := range event.Types() {
		m[info.Name] = true
	}
	return m
}()

// KnownEventName reports whether s names an event type or a system call,
// the names an evt.type check accepts.
func KnownEventName(s string) bool { return eventNames[s] || syscallNames[s] }
