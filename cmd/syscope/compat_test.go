package main

import (
	"bytes"
	"testing"

	"github.com/syscope/syscope/event"
)

// A generic event with a syscall code sysdig 0.29.3 does not know is
// rewritten to code 0 in a copy; the original bytes stay as they were, and
// a known code passes through untouched.
func TestSysdigCompatibleEvent(t *testing.T) {
	var b event.Builder
	for _, tc := range []struct {
		id, want uint16
	}{{380, 0}, {103, 103}} {
		e, err := b.Reset(1, 7, event.GenericX).U16(tc.id).U16(334).Event(1)
		if err != nil {
			t.Fatal(err)
		}
		orig := bytes.Clone(e.Raw)
		var scratch event.Event
		got := sysdigCompatibleEvent(&e, &scratch)
		if !bytes.Equal(e.Raw, orig) {
			t.Fatalf("id %d: the original event was modified", tc.id)
		}
		if id, _ := got.Uint(0); uint16(id) != tc.want {
			t.Errorf("id %d: written as %d, want %d", tc.id, id, tc.want)
		}
		if native, _ := got.Uint(1); native != 334 {
			t.Errorf("id %d: native id %d, want 334", tc.id, native)
		}
		if (tc.want != tc.id) != (got == &scratch) {
			t.Errorf("id %d: copy made = %v", tc.id, got == &scratch)
		}
	}
}
