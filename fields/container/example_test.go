package containerfields_test

import (
	"fmt"
	"strings"

	"github.com/syscope/syscope/container"
	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/fields"
	containerfields "github.com/syscope/syscope/fields/container"
	"github.com/syscope/syscope/filter"
	"github.com/syscope/syscope/state"
)

func ExampleTracker_Attach() {
	// A Manager with no runtime clients, holding one record (as read back
	// from a capture); a live program would give it docker/CRI clients.
	id := strings.Repeat("ab", 32)
	m := container.NewManager(container.Options{})
	defer m.Close()
	m.Add(&container.Container{ID: id[:12], FullID: id, Type: container.TypeDocker,
		State: container.StateResolved, Name: "web", Privileged: true})

	// The state knows a thread in that container (its cgroups).
	st := state.New(nil)
	st.SeedThread(&state.ProcInfo{Tid: 42, Pid: 42, Comm: "nginx",
		Cgroups: []state.Cgroup{{Subsys: "cpuset", Path: "/docker/" + id}}})

	env := &fields.Env{State: st}
	tr := containerfields.NewTracker(m, nil)
	tr.Attach(env)
	res := fields.NewResolver(nil, env)

	expr, _ := filter.Parse("container.id != host and container.privileged = true")
	match, _ := filter.Compile[*state.Ctx](expr, res)
	name, _ := res.Extractor(filter.Ref{Name: "container.name"})

	raw, _ := event.Encode(nil, 1, 42, event.SyscallGetuidE)
	c := st.Process(&event.Event{Raw: raw, Num: 1})
	out, _ := name.AppendText(nil, c)
	fmt.Println(match(c), string(out))
	// Output: true web
}

func ExampleDetect() {
	info := containerfields.Detect([]state.Cgroup{
		{Subsys: "cpuset", Path: "/kubepods/besteffort/pod1234/" + strings.Repeat("c1", 32)},
	})
	fmt.Println(info.Type, info.ID)
	// Output: cri c1c1c1c1c1c1
}
