// Package event holds syscope's event model: the schema of every event type
// (generated from the driver's event, syscall and flag tables), Event, a
// zero-copy view over one event in the scap wire layout, typed decoders for
// every parameter type, an encoder (Encode, Builder), and the rendering of
// parameters as sysdig prints them in %evt.args, %evt.arg and %evt.rawarg
// (AppendArgs, AppendParam, AppendArg, AppendRaw). Rendering appends to a
// caller's buffer and does not allocate; what needs process state (fd names,
// thread commands, users) comes from a Resolver.
//
// The wire layout of an event is a 26-byte header (timestamp u64, thread id
// u64, total length u32, type u16, parameter count u32, all little endian),
// then one length per parameter (u16, or u32 for the large-payload event
// types), then the parameter bytes back to back. Event does not copy these
// bytes; it is valid as long as the buffer it views.
//
// This package does not read files, talk to the kernel or keep process
// state: see package scap for capture files, package driver for live capture
// and package state for threads and fds.
package event

import (
	"encoding/binary"
	"errors"
)

// HeaderLen is the size of the v2 event header in bytes.
const HeaderLen = 26

// HeaderLenV1 is the size of the old (v1) header, which has no parameter count.
const HeaderLenV1 = 22

// Header offsets.
const (
	offTs      = 0
	offTid     = 8
	offLen     = 16
	offType    = 20
	offNParams = 22
)

// ErrShort reports an event whose bytes end before its declared parameters.
var ErrShort = errors.New("event: truncated event")

// Event is a view over one event's wire bytes plus the per-event metadata a
// capture block or ring buffer carries beside them.
type Event struct {
	// Raw holds the header, the parameter lengths and the parameters.
	Raw []byte
	// Num is the event's ordinal in its source, from 1, counting every event
	// block the source read (sysdig's evt.num).
	Num uint64
	// CPU is the processor the event was captured on.
	CPU uint16
	// Flags are the EVF block flags (0 when the block had none).
	Flags uint32
}

// Ts returns the event's timestamp in nanoseconds since the epoch.
func (e *Event) Ts() uint64 { return binary.LittleEndian.Uint64(e.Raw[offTs:]) }

// Tid returns the id of the thread that generated the event.
func (e *Event) Tid() int64 { return int64(binary.LittleEndian.Uint64(e.Raw[offTid:])) }

// Len returns the total length in bytes the header declares.
func (e *Event) Len() uint32 { return binary.LittleEndian.Uint32(e.Raw[offLen:]) }

// Type returns the event type.
func (e *Event) Type() Type { return Type(binary.LittleEndian.Uint16(e.Raw[offType:])) }

// NParams returns the number of parameters the event carries (which may be
// fewer or more than its schema lists).
func (e *Event) NParams() int { return int(binary.LittleEndian.Uint32(e.Raw[offNParams:])) }

// Info returns the schema entry of the event's type.
func (e *Event) Info() *Info { return e.Type().Info() }

// IsEnter reports whether the event is an enter event (even type id).
func (e *Event) IsEnter() bool { return e.Type()&1 == 0 }

// lenSize is the size in bytes of each parameter length for the event.
func (e *Event) lenSize() int {
	if e.Type().Info().Flags&EFLargePayload != 0 {
		return 4
	}
	return 2
}

// Param returns the bytes of parameter i, and false when the event carries
// fewer than i+1 parameters or its bytes are short.
func (e *Event) Param(i int) ([]byte, bool) {
	n := e.NParams()
	if i < 0 || i >= n {
		return nil, false
	}
	ls := e.lenSize()
	off := HeaderLen + n*ls
	lp := HeaderLen
	for j := 0; ; j++ {
		if lp+ls > len(e.Raw) {
			return nil, false
		}
		var l int
		if ls == 2 {
			l = int(binary.LittleEndian.Uint16(e.Raw[lp:]))
		} else {
			l = int(binary.LittleEndian.Uint32(e.Raw[lp:]))
		}
		if off+l > len(e.Raw) {
			return nil, false
		}
		if j == i {
			return e.Raw[off : off+l], true
		}
		off += l
		lp += ls
	}
}

// Validate checks that the header and parameter lengths fit in Raw and agree
// with the declared total length.
func (e *Event) Validate() error {
	if len(e.Raw) < HeaderLen {
		return ErrShort
	}
	if int(e.Len()) != len(e.Raw) {
		return ErrShort
	}
	n := e.NParams()
	ls := e.lenSize()
	if n > (len(e.Raw)-HeaderLen)/ls {
		return ErrShort
	}
	total := HeaderLen + n*ls
	for j := 0; j < n; j++ {
		p := HeaderLen + j*ls
		if ls == 2 {
			total += int(binary.LittleEndian.Uint16(e.Raw[p:]))
		} else {
			total += int(binary.LittleEndian.Uint32(e.Raw[p:]))
		}
	}
	if total > len(e.Raw) {
		return ErrShort
	}
	return nil
}
