package main

import (
	"encoding/binary"

	"github.com/syscope/syscope/driver"
	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/fields"
	"github.com/syscope/syscope/scap"
)

// sysdigCompatible returns a copy of md whose descriptor kinds are all
// known to sysdig 0.29.3 (which rejects a capture listing a newer kind):
// the newer ones become "unsupported", keeping their name.
func sysdigCompatible(md *scap.Metadata) *scap.Metadata {
	c := *md
	c.Processes = make([]scap.Process, len(md.Processes))
	for i, p := range md.Processes {
		newer := false
		for _, fd := range p.FDs {
			newer = newer || fd.Type > scap.FDFileV2
		}
		if newer {
			fds := make([]scap.FD, len(p.FDs))
			for j, fd := range p.FDs {
				if fd.Type > scap.FDFileV2 {
					fd.Type = scap.FDUnsupported
				}
				fds[j] = fd
			}
			p.FDs = fds
		}
		c.Processes[i] = p
	}
	return &c
}

// downgrader rewrites events for sysdig 0.29.3, which silently skips
// events of types newer than its tables and stops reading a capture at a
// generic event whose syscall code it does not know. Each event becomes
// what 0.29.3's own drivers wrote for the same syscall:
//
//   - accept4, pipe2: the older accept4 and pipe events (the same first
//     parameters);
//   - eventfd2, signalfd4, inotify_init1: the eventfd, signalfd and
//     inotify_init exit events (the new descriptor);
//   - dup (2 parameters), dup2, dup3: a dup enter event with the old
//     descriptor, then a dup exit event with the new one (0.29.3 reads the
//     duplicated descriptor from the enter event);
//   - the other syscalls with newer events (capset, prctl, umount2,
//     memfd_create, ...): the generic event with the syscall's code and
//     number;
//   - a generic event whose code 0.29.3 lacks: code 0 (unknown), the native
//     number kept;
//   - an exit event whose enter event 0.29.3 reads the descriptor from
//     (read, write, close, sendto, fcntl, ...; the driver writes exit
//     events only, with the descriptor): preceded by that enter event, made
//     from the exit event's parameters, with its timestamp.
//
// Everything else passes unchanged. The live event's bytes are the
// driver's read-only ring memory, hence the copies.
type downgrader struct {
	b       [2]event.Builder
	ev      [2]event.Event
	out     [2]*event.Event
	generic [event.NumTypes]*event.Syscall // newer exit types written as generic events
	enters  [event.NumTypes]*enterPlan     // exit types preceded by a made-up enter event
}

// enterPlan makes the enter event sysdig 0.29.3 reads an exit event's
// descriptor (and other arguments) from: the driver writes exit events
// only, carrying those arguments, and 0.29.3 takes them from the enter
// event (without it, it keeps the descriptor of the thread's previous
// event).
type enterPlan struct {
	t   event.Type // the enter type
	src []int      // for each parameter 0.29.3 reads from it, the exit parameter holding it
}

func newDowngrader() *downgrader {
	d := &downgrader{}
	driverEnters := map[string]bool{}
	for _, name := range driver.EnterSyscalls() {
		driverEnters[name] = true
	}
	for _, sc := range event.Syscalls() {
		t := event.Type(sc.Exit)
		if !sc.Dedicated || sc.Exit < 0 {
			continue
		}
		if driverEnters[sc.Name] {
			continue // the driver writes this enter event itself
		}
		if !event.Sysdig029Knows(t) {
			if d.generic[t] == nil && sc.NrX86_64 >= 0 {
				d.generic[t] = &sc
			}
			continue
		}
		if p, ok := enterFromExit(t); ok {
			d.enters[t] = &p
		}
	}
	return d
}

// enterFromExit plans the enter event of exit type t from t's parameters,
// when sysdig 0.29.3 reads the descriptor the call works on from that enter
// event and the exit event carries each of its parameters with the same
// size. Only those: other enter events (execve's file name, ...) would
// change what a reader that uses them sees, and 0.29.3 does without them.
func enterFromExit(t event.Type) (enterPlan, bool) {
	et := t - 1
	n := event.Sysdig029Params(et)
	if n <= 0 || t == event.GenericX {
		return enterPlan{}, false
	}
	x := t.Info()
	p := enterPlan{t: et, src: make([]int, n)}
	fd := false
	for i := 0; i < n; i++ {
		want, ok := event.Sysdig029Param(et, i)
		if !ok {
			return enterPlan{}, false
		}
		j := x.ParamIndex(want.Name)
		if j < 0 || x.Params[j].Type.Size() != want.Type.Size() {
			return enterPlan{}, false
		}
		p.src[i] = j
		fd = fd || (want.Name == "fd" && want.Type == event.PFd)
	}
	return p, fd
}

// events returns the events to write in place of e, valid until the next
// call.
func (d *downgrader) events(e *event.Event) []*event.Event {
	t := e.Type()
	if int(t) >= event.NumTypes {
		return d.one(e)
	}
	if event.Sysdig029Knows(t) {
		if p := d.enters[t]; p != nil {
			b := d.start(0, e, p.t)
			for _, j := range p.src {
				v, ok := e.Param(j)
				if !ok {
					return d.one(e)
				}
				b.Raw(v)
			}
			return d.withEnter(e, b)
		}
		if t != event.GenericX && t != event.GenericE {
			return d.one(e)
		}
		p, ok := e.Param(0)
		if !ok || len(p) != 2 || fields.Sysdig029KnowsSyscall(binary.LittleEndian.Uint16(p)) {
			return d.one(e)
		}
		native, _ := e.Param(1)
		return d.build(e, d.start(0, e, t).U16(0).Raw(native))
	}
	switch t {
	case event.SocketAccept4V6X:
		return d.build(e, d.copyParams(d.start(0, e, event.SocketAccept4V5X), e, 5))
	case event.SyscallPipe2X:
		return d.build(e, d.copyParams(d.start(0, e, event.SyscallPipeX), e, 4))
	case event.SyscallEventfd2X:
		return d.build(e, d.copyParams(d.start(0, e, event.SyscallEventfdX), e, 1))
	case event.SyscallSignalfd4X:
		return d.build(e, d.copyParams(d.start(0, e, event.SyscallSignalfdX), e, 1))
	case event.SyscallInotifyInit1X:
		return d.build(e, d.copyParams(d.start(0, e, event.SyscallInotifyInitX), e, 1))
	case event.SyscallDupV1X, event.SyscallDup2X, event.SyscallDup3X:
		oldfd, _ := e.Param(1)
		res, _ := e.Param(0)
		return d.build(e, d.start(0, e, event.SyscallDupE).Raw(oldfd), d.start(1, e, event.SyscallDupX).Raw(res))
	}
	if sc := d.generic[t]; sc != nil {
		code := uint16(sc.PPMSC)
		if !fields.Sysdig029KnowsSyscall(code) {
			code = 0
		}
		return d.build(e, d.start(0, e, event.GenericX).U16(code).U16(uint16(sc.NrX86_64)))
	}
	return d.one(e)
}

// withEnter returns the enter event b then e.
func (d *downgrader) withEnter(e *event.Event, b *event.Builder) []*event.Event {
	out := d.build(e, b)
	if len(out) != 1 || out[0] == e {
		return d.one(e)
	}
	d.out[1] = e
	return d.out[:2]
}

func (d *downgrader) one(e *event.Event) []*event.Event {
	d.out[0] = e
	return d.out[:1]
}

// start begins event i of the rewrite of e as type t.
func (d *downgrader) start(i int, e *event.Event, t event.Type) *event.Builder {
	return d.b[i].Reset(e.Ts(), e.Tid(), t)
}

// copyParams adds e's first n parameters to b.
func (d *downgrader) copyParams(b *event.Builder, e *event.Event, n int) *event.Builder {
	for i := 0; i < n; i++ {
		p, _ := e.Param(i)
		b.Raw(p)
	}
	return b
}

// build encodes the builders' events, numbered, placed and flagged as e.
func (d *downgrader) build(e *event.Event, bs ...*event.Builder) []*event.Event {
	for i, b := range bs {
		raw, err := b.Bytes()
		if err != nil {
			return d.one(e)
		}
		d.ev[i] = event.Event{Raw: raw, Num: e.Num, CPU: e.CPU, Flags: e.Flags}
		d.out[i] = &d.ev[i]
	}
	return d.out[:len(bs)]
}
