package fields_test

import (
	"fmt"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/fields"
	"github.com/syscope/syscope/filter"
	"github.com/syscope/syscope/state"
)

func ExampleResolver() {
	st := state.New(nil)
	st.SeedThread(&state.ProcInfo{Tid: 7, Pid: 7, PTid: 1, Comm: "sh", VTid: 7, VPid: 7})
	st.SeedDone()
	r := fields.NewResolver(nil, &fields.Env{State: st})

	// Filters compile against the resolver...
	e, _ := filter.Parse("proc.name = sh and evt.arg.name startswith /etc")
	match, err := filter.Compile(e, r)
	if err != nil {
		fmt.Println(err)
		return
	}

	var b event.Builder
	b.Reset(1, 7, event.SyscallOpenX).I64(3).Str("/etc/hosts").U32(1).U32(0).U32(0)
	raw, _ := b.Bytes()
	c := st.Process(&event.Event{Raw: raw, Num: 1})
	fmt.Println(match(c))

	// ...and extractors render values as sysdig prints them.
	x, _ := r.Extractor(filter.Ref{Name: "evt.args"})
	out, _ := x.AppendText(nil, c)
	fmt.Println(string(out))
	// Output:
	// true
	// fd=3(<f>/etc/hosts) name=/etc/hosts flags=1(O_RDONLY) mode=0 dev=0
}

func ExampleRegistry_Register() {
	// Another package adds a field class to a registry (here a private one;
	// field providers add theirs to fields.Default()).
	reg := fields.NewRegistry()
	err := reg.Register(&fields.Class{
		Name: "demo",
		Desc: "Demonstration fields.",
		Fields: []fields.Def{{
			Name: "demo.tid_parity",
			Type: filter.TypeString,
			Desc: "Whether the thread id is even or odd.",
			Bind: func(*fields.Binding) (*fields.Extractor, error) {
				return fields.StringExtractor(func(c fields.Ctx) (string, bool) {
					if c.Evt.Tid()%2 == 0 {
						return "even", true
					}
					return "odd", true
				}), nil
			},
		}},
	})
	fmt.Println(err, reg.Lookup("demo.tid_parity") != nil)
	// Output:
	// <nil> true
}
