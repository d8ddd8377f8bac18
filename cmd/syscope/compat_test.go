package main

import (
	"bytes"
	"fmt"
	"net/netip"
	"testing"

	"github.com/syscope/syscope/event"
)

// The downgrader writes events sysdig 0.29.3 reads in place of those it
// would skip or stop at, leaving the original bytes as they were.
func TestDowngrader(t *testing.T) {
	d := newDowngrader()
	var b event.Builder
	mk := func(ty event.Type, add func(*event.Builder)) event.Event {
		b.Reset(1000, 7, ty)
		add(&b)
		e, err := b.Event(5)
		if err != nil {
			t.Fatal(err)
		}
		e.Raw = bytes.Clone(e.Raw)
		e.CPU = 1
		return e
	}
	src := netip.MustParseAddrPort("10.0.0.1:80")
	dst := netip.MustParseAddrPort("10.0.0.2:5000")
	for _, tc := range []struct {
		name string
		in   event.Event
		want []string // type and rendered parameters of each event written
	}{
		{"generic with an unknown code", mk(event.GenericX, func(b *event.Builder) { b.U16(380).U16(334) }),
			[]string{"syscall(1) 0 334"}},
		{"generic with a known code", mk(event.GenericX, func(b *event.Builder) { b.U16(103).U16(334) }),
			[]string{"syscall(1) 103 334"}},
		{"dup2", mk(event.SyscallDup2X, func(b *event.Builder) { b.I64(10).I64(3).I64(10) }),
			[]string{"dup(124) 3", "dup(125) 10"}},
		{"dup3", mk(event.SyscallDup3X, func(b *event.Builder) { b.I64(11).I64(4).I64(11).U32(1) }),
			[]string{"dup(124) 4", "dup(125) 11"}},
		{"dup with two parameters", mk(event.SyscallDupV1X, func(b *event.Builder) { b.I64(5).I64(3) }),
			[]string{"dup(124) 3", "dup(125) 5"}},
		{"pipe2", mk(event.SyscallPipe2X, func(b *event.Builder) { b.I64(0).I64(3).I64(4).U64(99).U32(0) }),
			[]string{"pipe(61) 0 3 4 99"}},
		{"eventfd2", mk(event.SyscallEventfd2X, func(b *event.Builder) { b.I64(6).U16(0).U64(0) }),
			[]string{"eventfd(63) 6"}},
		{"accept4", mk(event.SocketAccept4V6X, func(b *event.Builder) { b.I64(9).SockTuple(dst, src).U8(0).U32(0).U32(128).U32(0) }),
			[]string{"accept(249) 9 10.0.0.2:5000->10.0.0.1:80 0 0 128"}},
		{"capset (a generic event for 0.29.3)", mk(event.SyscallCapsetX, func(b *event.Builder) { b.I64(0).U64(0).U64(0).U64(0) }),
			[]string{fmt.Sprintf("syscall(1) %d 126", capsetCode(t))}},
		{"open (its enter event written by the driver)", mk(event.SyscallOpenX, func(b *event.Builder) { b.I64(3).Str("/etc/passwd").U32(1).U32(0).U32(0).U64(0) }),
			[]string{"open(3) 3 /etc/passwd 1 0 0 0"}},
		{"write (0.29.3 reads the descriptor from the enter event)", mk(event.SyscallWriteX, func(b *event.Builder) { b.I64(3).Raw([]byte("hi\n")).I64(1).U32(3) }),
			[]string{"write(8) 1 3", "write(9) 3 hi\n 1 3"}},
		{"close", mk(event.SyscallCloseX, func(b *event.Builder) { b.I64(0).I64(4) }),
			[]string{"close(4) 4", "close(5) 0 4"}},
	} {
		orig := bytes.Clone(tc.in.Raw)
		out := d.events(&tc.in)
		if !bytes.Equal(tc.in.Raw, orig) {
			t.Errorf("%s: the original event was modified", tc.name)
		}
		var got []string
		for _, e := range out {
			s := fmt.Sprintf("%s(%d)", e.Type().Info().Name, e.Type())
			for i := 0; i < e.NParams(); i++ {
				s += " " + render(t, e, i)
			}
			got = append(got, s)
			if e.Ts() != 1000 || e.Tid() != 7 || e.Num != 5 || e.CPU != 1 {
				t.Errorf("%s: event %s has ts %d tid %d num %d cpu %d", tc.name, s, e.Ts(), e.Tid(), e.Num, e.CPU)
			}
			if !event.Sysdig029Knows(e.Type()) {
				t.Errorf("%s: wrote type %d, unknown to sysdig 0.29.3", tc.name, e.Type())
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%s: wrote %q, want %q", tc.name, got, tc.want)
		}
	}
}

// render prints parameter i: a tuple as source->destination, the rest as
// sysdig's raw argument format does (a generic event's syscall code as a
// number).
func render(t *testing.T, e *event.Event, i int) string {
	t.Helper()
	if p, _ := e.Param(i); e.ParamInfo(i).Type == event.PSocktuple {
		st, ok := event.ParseSockTuple(p)
		if !ok {
			t.Fatalf("%s parameter %d: bad tuple", e.Type().Info().Name, i)
		}
		return st.Src.String() + "->" + st.Dst.String()
	}
	if b, err := event.AppendRawParam(nil, e, i, event.FmtDec); err == nil {
		return string(b)
	}
	if v, ok := e.Uint(i); ok {
		return fmt.Sprint(v)
	}
	t.Fatalf("%s parameter %d cannot be rendered", e.Type().Info().Name, i)
	return ""
}

func capsetCode(t *testing.T) int {
	for _, sc := range event.Syscalls() {
		if sc.Name == "capset" {
			return sc.PPMSC
		}
	}
	t.Fatal("capset not in the syscall table")
	return 0
}

// Rewriting allocates nothing once the builders have grown.
func TestDowngraderAllocs(t *testing.T) {
	d := newDowngrader()
	var b event.Builder
	mk := func(ty event.Type, add func(*event.Builder)) event.Event {
		add(b.Reset(1000, 7, ty))
		e, err := b.Event(1)
		if err != nil {
			t.Fatal(err)
		}
		e.Raw = bytes.Clone(e.Raw)
		return e
	}
	evs := []event.Event{
		mk(event.SyscallWriteX, func(b *event.Builder) { b.I64(3).Raw([]byte("hi\n")).I64(1).U32(3) }),
		mk(event.SyscallDup2X, func(b *event.Builder) { b.I64(10).I64(3).I64(10) }),
		mk(event.SyscallCapsetX, func(b *event.Builder) { b.I64(0).U64(0).U64(0).U64(0) }),
		mk(event.SyscallOpenX, func(b *event.Builder) { b.I64(3).Str("/etc/passwd").U32(1).U32(0).U32(0).U64(0) }),
	}
	if n := testing.AllocsPerRun(100, func() {
		for i := range evs {
			d.events(&evs[i])
		}
	}); n != 0 {
		t.Errorf("%v allocations per pass", n)
	}
}
