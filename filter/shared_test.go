package filter_test

import (
	"fmt"
	"testing"

	"github.com/syscope/syscope/filter"
)

// countingResolver counts how many times proc.name is read.
type countingResolver struct {
	testResolver
	reads *int
}

func (r countingResolver) Resolve(ref filter.Ref) (filter.Field[*testEvent], error) {
	f, err := r.testResolver.Resolve(ref)
	if err != nil || ref.Name != "proc.name" {
		return f, err
	}
	g, n := f.Str, r.reads
	f.Str = func(e *testEvent, i int) (string, bool) { *n++; return g(e, i) }
	return f, nil
}

func TestProgramShares(t *testing.T) {
	texts := []string{
		"proc.name = bash and evt.type = open",
		"proc.name = bash and evt.type = open and proc.cmdline contains x",
		"not (proc.name = bash and evt.type = open) or proc.pid = 3",
		"evt.type = close or proc.pid = 5",
	}
	reads := 0
	p := filter.NewProgram[*testEvent](countingResolver{reads: &reads})
	var exprs []filter.Expr
	for _, s := range texts {
		e, err := filter.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		exprs = append(exprs, e)
		p.Add(e)
	}
	shared := make([]func(*testEvent) bool, len(exprs))
	plain := make([]func(*testEvent) bool, len(exprs))
	for i, e := range exprs {
		var err error
		if shared[i], err = p.Compile(e); err != nil {
			t.Fatal(err)
		}
		if plain[i], err = filter.Compile[*testEvent](e, testResolver{}); err != nil {
			t.Fatal(err)
		}
	}
	// "proc.name = bash", "evt.type = open" and their and are shared
	if p.Shared() != 3 {
		t.Errorf("shared %d sub-conditions, want 3", p.Shared())
	}
	events := []*testEvent{
		{Type: "open", Name: "bash", Cmdline: "bash x", PID: 3},
		{Type: "open", Name: "bash", Cmdline: "bash", PID: 4},
		{Type: "close", Name: "bash", PID: 3},
		{Type: "open", Name: "sh", PID: 4},
		{Type: "close", Name: "zsh", PID: 5},
	}
	for round := 0; round < 2; round++ {
		for j, ev := range events {
			p.Next()
			reads = 0
			for i := range exprs {
				if got, want := shared[i](ev), plain[i](ev); got != want {
					t.Errorf("event %d, filter %q: shared %v, plain %v", j, texts[i], got, want)
				}
			}
			if reads != 1 {
				t.Errorf("event %d: proc.name read %d times, want once", j, reads)
			}
		}
	}
	// without Next, results are remembered (the contract: call Next per context)
	p.Next()
	a := shared[0](events[0])
	if b := shared[0](events[3]); b != a {
		t.Errorf("remembered result not reused")
	}
}

func TestProgramCompileError(t *testing.T) {
	p := filter.NewProgram[*testEvent](testResolver{})
	e, err := filter.Parse("no.such.field = 1 and proc.name = a")
	if err != nil {
		t.Fatal(err)
	}
	p.Add(e)
	p.Add(e)
	if _, err := p.Compile(e); err == nil {
		t.Fatal("want an error for an unknown field")
	}
}

func ExampleProgram() {
	p := filter.NewProgram[*testEvent](testResolver{})
	a, _ := filter.Parse("proc.name = bash and evt.type = open")
	b, _ := filter.Parse("proc.name = bash and proc.pid = 1")
	p.Add(a)
	p.Add(b)
	fa, _ := p.Compile(a)
	fb, _ := p.Compile(b)
	p.Next() // a new event
	ev := &testEvent{Type: "open", Name: "bash", PID: 1}
	fmt.Println(fa(ev), fb(ev), p.Shared())
	// Output: true true 1
}
