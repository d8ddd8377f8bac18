package state_test

import (
	"fmt"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/state"
)

// Example seeds a State with one process and follows an open of a
// relative path.
func Example() {
	s := state.New(nil)
	s.SeedThread(&state.ProcInfo{Tid: 42, Pid: 42, PTid: 1, Comm: "cat", Cwd: "/home/me"})

	var b event.Builder
	for _, step := range []struct {
		typ  event.Type
		fill func(*event.Builder)
	}{
		{event.SyscallOpenE, func(b *event.Builder) { b.Str("../me/notes.txt").U32(1).U32(0) }},
		{event.SyscallOpenX, func(b *event.Builder) { b.I64(3).Str("../me/notes.txt").U32(1).U32(0) }},
	} {
		b.Reset(1, 42, step.typ)
		step.fill(&b)
		e, _ := b.Event(1)
		c := s.Process(&e)
		if fd := c.FDInfo(); fd != nil {
			fmt.Println(c.Thread.Comm, c.FDNum, fd.Type, string(fd.Name))
		}
	}
	// Output: cat 3 file /home/me/notes.txt
}
