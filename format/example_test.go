package format_test

import (
	"fmt"
	"time"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/fields"
	"github.com/syscope/syscope/format"
	"github.com/syscope/syscope/state"
)

func Example() {
	// A state with one known thread, and one event from it.
	st := state.New(nil)
	st.SeedThread(&state.ProcInfo{Tid: 4242, Pid: 4242, PTid: 1, Comm: "cat", VTid: 4242, VPid: 4242})
	st.SeedDone()
	var b event.Builder
	b.Reset(1_534_527_348_514_632_619, 4242, event.SyscallOpenX).I64(3).Str("/etc/passwd").U32(1).U32(0).U32(0)
	raw, _ := b.Bytes()
	c := st.Process(&event.Event{Raw: raw, Num: 1})

	r := fields.NewResolver(nil, &fields.Env{State: st, Compat: fields.Sysdig029, Location: time.UTC})
	text, _ := format.New("%evt.num %proc.name %evt.type %fd.name", r, nil)
	line, ok := text.Append(nil, c)
	fmt.Println(string(line), ok)

	// Without a leading '*', a field without a value skips the event.
	strict, _ := format.New("%evt.num %fd.sip", r, nil)
	_, ok = strict.Append(nil, c)
	fmt.Println(ok)

	js, _ := format.New("*%evt.num %fd.sip %proc.name", r, &format.Options{JSON: true})
	line, _ = js.Append(nil, c)
	fmt.Println(string(line))
	// Output:
	// 1 cat open /etc/passwd true
	// false
	// {"evt.num":1,"fd.sip":null,"proc.name":"cat"}
}
