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

// TestCleanPathFastPath checks that the clean-path shortcut gives the
// same result as the byte-by-byte copier, on paths built from the
// characters that matter.
func TestCleanPathFastPath(t *testing.T) {
	alphabet := []byte{'a', '.', '/', 0x01, 0x7f}
	dirs := [][]byte{nil, []byte("/"), []byte("/tmp/"), []byte("/tmp"), []byte("x")}
	var p []byte
	var gen func(n int)
	fast := 0
	gen = func(n int) {
		for _, d := range dirs {
			want := sanitizeSlow(append([]byte("pre"), d...), 3, p)
			got := sanitizePath(append([]byte("pre"), d...), 3, p)
			if !bytes.Equal(got, want) {
				t.Fatalf("dir %q path %q: got %q, want %q", d, p, got, want)
			}
			if cleanPath(append([]byte("pre"), d...), 3, p) {
				fast++
			}
		}
		if n == 0 {
			return
		}
		for _, c := range alphabet {
			p = append(p, c)
			gen(n - 1)
			p = p[:len(p)-1]
		}
	}
	gen(6)
	if fast == 0 {
		t.Fatal("the fast path was never taken")
	}
}

func FuzzSanitizePath(f *testing.F) {
	f.Add([]byte("/tmp/"), []byte("a/b.c"))
	f.Add([]byte("/"), []byte("../x/./y//z/"))
	f.Add([]byte(""), []byte(".hidden"))
	f.Fuzz(func(t *testing.T, dir, p []byte) {
		want := sanitizeSlow(append([]byte(nil), dir...), 0, p)
		got := sanitizePath(append([]byte(nil), dir...), 0, p)
		if !bytes.Equal(got, want) {
			t.Fatalf("dir %q path %q: got %q, want %q", dir, p, got, want)
		}
	})
}

// TestFdArg0 checks the direct read of the first parameter against
// Event.Int on every event of a capture and on short and odd events.
func TestFdArg0(t *testing.T) {
	check := func(e *event.Event) {
		t.Helper()
		got, gok := fdArg0(e, SinspFlags(e.Type()))
		want, wok := e.Int(0)
		if got != want || gok != wok {
			t.Fatalf("%v: fdArg0 %d %v, Int %d %v", e.Type(), got, gok, want, wok)
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
