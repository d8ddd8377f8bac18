package driver

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/syscope/syscope/event"
)

// ev is a captured event with its bytes copied out of the ring buffer.
type ev struct {
	event.Event
}

func (e *ev) name() string { return e.Type().String() }

func (e *ev) param(t testing.TB, i int) []byte {
	t.Helper()
	p, ok := e.Param(i)
	if !ok {
		t.Fatalf("%s (type %d): no parameter %d", e.name(), e.Type(), i)
	}
	return p
}

// byName returns the bytes of the parameter called name.
func (e *ev) p(t testing.TB, name string) []byte {
	t.Helper()
	i := e.Info().ParamIndex(name)
	if i < 0 {
		t.Fatalf("%s has no parameter %q", e.name(), name)
	}
	return e.param(t, i)
}

func (e *ev) i64(t testing.TB, name string) int64 {
	t.Helper()
	b := e.p(t, name)
	if len(b) != 8 {
		t.Fatalf("%s.%s: %d bytes, want 8", e.name(), name, len(b))
	}
	return int64(binary.LittleEndian.Uint64(b))
}

func (e *ev) u64(t testing.TB, name string) uint64 { t.Helper(); return uint64(e.i64(t, name)) }

func (e *ev) u32(t testing.TB, name string) uint32 {
	t.Helper()
	b := e.p(t, name)
	if len(b) != 4 {
		t.Fatalf("%s.%s: %d bytes, want 4", e.name(), name, len(b))
	}
	return binary.LittleEndian.Uint32(b)
}

func (e *ev) u16(t testing.TB, name string) uint16 {
	t.Helper()
	b := e.p(t, name)
	if len(b) != 2 {
		t.Fatalf("%s.%s: %d bytes, want 2", e.name(), name, len(b))
	}
	return binary.LittleEndian.Uint16(b)
}

func (e *ev) u8(t testing.TB, name string) uint8 {
	t.Helper()
	b := e.p(t, name)
	if len(b) != 1 {
		t.Fatalf("%s.%s: %d bytes, want 1", e.name(), name, len(b))
	}
	return b[0]
}

// str returns a NUL-terminated string parameter without its NUL.
func (e *ev) str(t testing.TB, name string) string {
	t.Helper()
	b := e.p(t, name)
	if len(b) == 0 {
		return ""
	}
	if b[len(b)-1] != 0 {
		t.Fatalf("%s.%s: %q is not NUL-terminated", e.name(), name, b)
	}
	return string(b[:len(b)-1])
}

// strs splits a NUL-separated string list.
func (e *ev) strs(t testing.TB, name string) []string {
	t.Helper()
	b := e.p(t, name)
	if len(b) == 0 {
		return nil
	}
	if b[len(b)-1] != 0 {
		t.Fatalf("%s.%s: %q does not end with a NUL", e.name(), name, b)
	}
	return strings.Split(string(b[:len(b)-1]), "\x00")
}

// fixedSize is the wire size of fixed-size parameter types.
var fixedSize = map[event.ParamType]int{
	event.PInt8: 1, event.PUint8: 1, event.PFlags8: 1, event.PEnumflags8: 1, event.PSigtype: 1,
	event.PInt16: 2, event.PUint16: 2, event.PFlags16: 2, event.PEnumflags16: 2, event.PSyscallid: 2, event.PPort: 2,
	event.PInt32: 4, event.PUint32: 4, event.PFlags32: 4, event.PEnumflags32: 4, event.PUid: 4, event.PGid: 4,
	event.PMode: 4, event.PBool: 4, event.PSigset: 4, event.PFd32: 4, event.PPid32: 4,
	event.PInt64: 8, event.PUint64: 8, event.PErrno: 8, event.PFd: 8, event.PPid: 8, event.PReltime: 8, event.PAbstime: 8,
	event.PDouble: 8,
}

// checkSchema verifies an event against the schema: the current event
// version, every parameter present, fixed-size parameters of the right
// size, strings NUL-terminated.
func checkSchema(e *event.Event) error {
	if err := e.Validate(); err != nil {
		return err
	}
	info := e.Info()
	if info.Flags&event.EFOldVersion != 0 || info.Flags&event.EFUnused != 0 {
		return fmt.Errorf("%s (type %d) is not a current event type", info.Name, e.Type())
	}
	if e.NParams() != len(info.Params) {
		return fmt.Errorf("%s: %d params, schema has %d", info.Name, e.NParams(), len(info.Params))
	}
	for i, pi := range info.Params {
		b, _ := e.Param(i)
		if n, ok := fixedSize[pi.Type]; ok && len(b) != n {
			return fmt.Errorf("%s.%s: %d bytes, want %d", info.Name, pi.Name, len(b), n)
		}
		switch pi.Type {
		case event.PCharbuf, event.PFspath, event.PFsrelpath:
			if len(b) > 0 && (b[len(b)-1] != 0 || bytes.IndexByte(b, 0) != len(b)-1) {
				return fmt.Errorf("%s.%s: %q is not one NUL-terminated string", info.Name, pi.Name, b)
			}
		case event.PSocktuple:
			if len(b) > 0 {
				want := map[byte]int{2: 13, 10: 37}[b[0]]
				if want != 0 && len(b) != want || b[0] == 1 && (len(b) < 18 || b[len(b)-1] != 0) {
					return fmt.Errorf("%s.%s: bad socket tuple %x", info.Name, pi.Name, b)
				}
			}
		case event.PSockaddr:
			if len(b) > 0 {
				want := map[byte]int{2: 7, 10: 19}[b[0]]
				if want != 0 && len(b) != want || b[0] == 1 && (len(b) < 2 || b[len(b)-1] != 0) {
					return fmt.Errorf("%s.%s: bad socket address %x", info.Name, pi.Name, b)
				}
			}
		}
	}
	return nil
}

// recorder reads a source in the background and keeps copies of the
// events.
type recorder struct {
	t    testing.TB
	src  *Source
	mu   sync.Mutex
	evs  []*ev
	errs []error
	done chan struct{}
}

func record(t testing.TB, opts *Options) *recorder {
	t.Helper()
	s, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	r := &recorder{t: t, src: s, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		var e event.Event
		for {
			if err := s.Next(&e); err != nil {
				return
			}
			c := &ev{Event: e}
			c.Raw = append([]byte(nil), e.Raw...)
			r.mu.Lock()
			r.evs = append(r.evs, c)
			if err := checkSchema(&c.Event); err != nil {
				r.errs = append(r.errs, fmt.Errorf("event %d: %w", c.Num, err))
			}
			r.mu.Unlock()
		}
	}()
	t.Cleanup(func() { r.stop() })
	return r
}

// waitFor waits until an event satisfies ok (or fails the test after the
// timeout) and returns it.
func (r *recorder) waitFor(what string, ok func(e *ev) bool) *ev {
	r.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	seen := 0
	for time.Now().Before(deadline) {
		r.mu.Lock()
		for ; seen < len(r.evs); seen++ {
			if ok(r.evs[seen]) {
				e := r.evs[seen]
				r.mu.Unlock()
				return e
			}
		}
		r.mu.Unlock()
		time.Sleep(5 * time.Millisecond)
	}
	r.t.Fatalf("no %s event within 10s", what)
	return nil
}

// stop closes the source and returns everything captured; the schema
// check of every event is asserted.
func (r *recorder) stop() []*ev {
	r.t.Helper()
	if r.src != nil {
		st := r.src.Stats()
		r.src.Close()
		<-r.done
		r.src = nil
		if st.Lost != 0 {
			r.t.Errorf("capture lost %d events: %+v", st.Lost, st)
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, err := range r.errs {
		r.t.Error(err)
	}
	r.errs = nil
	return r.evs
}

// find returns the events of the named type (exit or enter, by dir) that
// match ok.
func find(evs []*ev, name string, dir event.Dir, ok func(e *ev) bool) []*ev {
	var out []*ev
	for _, e := range evs {
		if e.name() == name && e.Info().Dir == dir && (ok == nil || ok(e)) {
			out = append(out, e)
		}
	}
	return out
}

// one returns the single matching event or fails.
func one(t testing.TB, evs []*ev, name string, dir event.Dir, ok func(e *ev) bool) *ev {
	t.Helper()
	m := find(evs, name, dir, ok)
	if len(m) != 1 {
		t.Fatalf("%d %s %s events match, want 1", len(m), dir, name)
	}
	return m[0]
}

// first returns the first matching event or fails.
func first(t testing.TB, evs []*ev, name string, dir event.Dir, ok func(e *ev) bool) *ev {
	t.Helper()
	m := find(evs, name, dir, ok)
	if len(m) == 0 {
		t.Fatalf("no %s %s event matches", dir, name)
	}
	return m[0]
}
