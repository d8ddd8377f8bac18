package state

import (
	"encoding/binary"

	"github.com/syscope/syscope/event"
)

// maxViewParams is how many leading parameters a paramView splits.
const maxViewParams = 16

// paramView holds the leading parameters of one event, split in a single
// pass over its length table, for parsers that read several of them
// (Event.Param walks the table from the start on every call).
type paramView struct {
	p [maxViewParams][]byte
	n int // parameters the event declares
	k int // parameters split (at most maxViewParams)
}

// load splits e's parameters; parameters whose bytes are short are left
// out, as Event.Param leaves them out.
func (v *paramView) load(e *event.Event) {
	v.n, v.k = 0, 0
	if len(e.Raw) < event.HeaderLen {
		return
	}
	n := e.NParams()
	v.n = n
	ls := 2
	if e.Info().Flags&event.EFLargePayload != 0 {
		ls = 4
	}
	if n > len(e.Raw) {
		return
	}
	off := event.HeaderLen + n*ls
	lp := event.HeaderLen
	r := e.Raw
	for j := 0; j < n && j < maxViewParams; j++ {
		if lp+ls > len(r) {
			return
		}
		var l int
		if ls == 2 {
			l = int(binary.LittleEndian.Uint16(r[lp:]))
		} else {
			l = int(binary.LittleEndian.Uint32(r[lp:]))
		}
		if off+l > len(r) {
			return
		}
		v.p[j] = r[off : off+l]
		v.k = j + 1
		off += l
		lp += ls
	}
}

// NParams is the number of parameters the event declares.
func (v *paramView) NParams() int { return v.n }

// Param returns parameter i, as Event.Param; parameters past
// maxViewParams are not available (false).
func (v *paramView) Param(i int) ([]byte, bool) {
	if i < 0 || i >= v.k {
		return nil, false
	}
	return v.p[i], true
}

// Uint returns parameter i zero extended, as Event.Uint.
func (v *paramView) Uint(i int) (uint64, bool) {
	b, ok := v.Param(i)
	if !ok {
		return 0, false
	}
	switch len(b) {
	case 1:
		return uint64(b[0]), true
	case 2:
		return uint64(binary.LittleEndian.Uint16(b)), true
	case 4:
		return uint64(binary.LittleEndian.Uint32(b)), true
	case 8:
		return binary.LittleEndian.Uint64(b), true
	}
	return 0, false
}
