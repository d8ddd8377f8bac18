package state

import (
	"bytes"
	"errors"
	"io"
	"path/filepath"
	"testing"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/scap"
)

// TestFdArg0AndParamView checks the direct read of the first parameter
// and the split parameter view against Event.Int, Event.Param and
// Event.Uint on every event of a capture and on short and odd events.
func TestFdArg0AndParamView(t *testing.T) {
	var v paramView
	check := func(e *event.Event) {
		t.Helper()
		got, gok := fdArg0(e, SinspFlags(e.Type()))
		want, wok := e.Int(0)
		if got != want || gok != wok {
			t.Fatalf("%v: fdArg0 %d %v, Int %d %v", e.Type(), got, gok, want, wok)
		}
		// the parameter view agrees with Event.Param and Event.Uint
		v.load(e)
		if v.NParams() != e.NParams() {
			t.Fatalf("%v: view has %d params, event %d", e.Type(), v.NParams(), e.NParams())
		}
		for i := 0; i < maxViewParams+1; i++ {
			pb, pok := v.Param(i)
			eb, eok := e.Param(i)
			if i == maxViewParams {
				if pok {
					t.Fatalf("%v: view has param %d", e.Type(), i)
				}
				break
			}
			if pok != eok || !bytes.Equal(pb, eb) {
				t.Fatalf("%v param %d: view %q %v, event %q %v", e.Type(), i, pb, pok, eb, eok)
			}
			pu, puok := v.Uint(i)
			eu, euok := e.Uint(i)
			if pu != eu || puok != euok {
				t.Fatalf("%v uint %d: view %d %v, event %d %v", e.Type(), i, pu, puok, eu, euok)
			}
		}
	}
	var b event.Builder
	for _, fill := range []func(){
		func() { b.Reset(1, 1, event.SyscallReadE).I64(-3).U32(10) },
		func() { b.Reset(1, 1, event.SyscallReadE) },
		func() { b.Reset(1, 1, event.SyscallCloseE).I64(7) },
		func() { b.Reset(1, 1, event.SyscallWriteX).I64(5).Raw([]byte("abcdefgh")) },
	} {
		fill()
		raw, err := b.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		e := event.Event{Raw: raw}
		check(&e)
		if len(raw) > event.HeaderLen {
			short := event.Event{Raw: raw[:len(raw)-1]}
			check(&short)
		}
	}
	r, err := scap.Open(filepath.Join(sharedDir(t), "testdata", "captures", "curl_google.scap"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var e event.Event
	n := 0
	for {
		err := r.Next(&e)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		check(&e)
		n++
	}
	if n == 0 {
		t.Fatal("no events")
	}
}
