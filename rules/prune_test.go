package rules

import (
	"fmt"
	"testing"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/filter"
)

type pctx struct {
	typ  event.Type
	name string
}

type pResolver struct{}

func (pResolver) Resolve(ref filter.Ref) (filter.Field[pctx], error) {
	f := filter.Field[pctx]{Info: filter.FieldInfo{Name: ref.Name, Type: filter.TypeString}}
	switch ref.Name {
	case "evt.type":
		f.Str = func(c pctx, _ int) (string, bool) { return c.typ.String(), true }
	case "proc.name":
		f.Str = func(c pctx, _ int) (string, bool) { return c.name, c.name != "" }
	default:
		return f, fmt.Errorf("%w '%s'", filter.ErrUnknownField, ref)
	}
	return f, nil
}

func TestPruneForTypes(t *testing.T) {
	cases := []struct {
		cond, types string // types: the condition the rule is indexed by
		want        string // pruned rendering, or "true" / "false"
	}{
		{"evt.type in (open, openat) and proc.name = a", "evt.type in (open, openat)", "proc.name = a"},
		{"evt.type = openat and proc.name = a", "evt.type = openat", "proc.name = a"},
		{"evt.type = openat and proc.name = a", "evt.type in (open, openat)", "(evt.type = openat and proc.name = a)"},
		{"evt.type in (open, openat) and not evt.type = execve", "evt.type = open", "true"},
		{"evt.type = open and evt.type = execve", "evt.type = open", "false"},
		{"(evt.type = open or proc.name = a) and proc.name = b", "evt.type = open", "proc.name = b"},
		{"(evt.type = close or proc.name = a) and proc.name = b", "evt.type = open", "(proc.name = a and proc.name = b)"},
		{"not (evt.type != open and proc.name = a)", "evt.type = open", "true"},
		{"not (evt.type = open and proc.name = a)", "evt.type = open", "not proc.name = a"},
		{"evt.type == open and proc.name = a", "evt.type = open", "proc.name = a"},
		// a rule on every type (generic events included) keeps its checks
		{"evt.type != open and proc.name = a", "proc.name exists", "(evt.type != open and proc.name = a)"},
		{"proc.name = a", "evt.type = open", "proc.name = a"},
	}
	for _, tc := range cases {
		e, err := filter.Parse(tc.cond)
		if err != nil {
			t.Fatal(err)
		}
		te, err := filter.Parse(tc.types)
		if err != nil {
			t.Fatal(err)
		}
		types, err := EventTypes(te)
		if err != nil {
			t.Fatal(err)
		}
		before := filter.Render(e)
		p, k := pruneForTypes(e, types)
		var got string
		switch k {
		case truthTrue:
			got = "true"
		case truthFalse:
			got = "false"
		default:
			got = filter.Render(p)
		}
		if got != tc.want {
			t.Errorf("%q on %q: got %q, want %q", tc.cond, tc.types, got, tc.want)
		}
		if filter.Render(e) != before {
			t.Errorf("%q: the original condition changed", tc.cond)
		}
		// the pruned condition answers as the original on every event
		// of the indexed types
		full, err := filter.Compile[pctx](e, pResolver{})
		if err != nil {
			t.Fatal(err)
		}
		var pruned func(pctx) bool
		switch k {
		case truthTrue:
			pruned = func(pctx) bool { return true }
		case truthFalse:
			pruned = func(pctx) bool { return false }
		default:
			if pruned, err = filter.Compile[pctx](p, pResolver{}); err != nil {
				t.Fatal(err)
			}
		}
		for _, ty := range types.Types() {
			if ty <= event.GenericX {
				continue // evt.type depends on the call they carry
			}
			for _, name := range []string{"", "a", "b"} {
				c := pctx{typ: ty, name: name}
				if pruned(c) != full(c) {
					t.Errorf("%q on %s, proc.name %q: pruned %v, full %v", tc.cond, ty, name, pruned(c), full(c))
				}
			}
		}
	}
}
