package scap

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/syscope/syscope/event"
)

// readBufSize is the initial size of the reader's block buffer. Blocks
// larger than what is left of it make it grow.
const readBufSize = 256 << 10

// ReaderStats counts what a Reader met besides the events it delivered.
type ReaderStats struct {
	// Events is the number of events delivered (the last e.Num).
	Events uint64
	// SkippedEvents counts event blocks whose type is beyond the schema;
	// like libscap, the reader skips them without numbering them.
	SkippedEvents uint64
	// UnknownBlocks counts blocks of unknown types, skipped.
	UnknownBlocks uint64
	// MetadataBlocks counts the metadata blocks read, including the ones
	// before the first event.
	MetadataBlocks uint64
	// LateMetadataBlocks counts the metadata blocks found after the first
	// event block; they update Metadata.
	LateMetadataBlocks uint64
	// Sections counts section header blocks (more than one in
	// concatenated captures).
	Sections uint64
	// MalformedOptions counts section headers whose pcapng options could
	// not all be decoded; the options decoded before the bad one are kept.
	MalformedOptions uint64
}

// Reader reads a capture. It is not safe for concurrent use.
type Reader struct {
	src     io.Reader
	closers []io.Closer

	buf    []byte
	r, w   int   // unread bytes are buf[r:w]
	base   int64 // stream offset of buf[0]
	eof    bool  // src has ended
	ra     *readAhead
	pooled bool  // buf belongs to ra's pool
	srcErr error // the read error that ended src, when not io.EOF

	md        *Metadata
	tidIdx    map[int64]int // Processes index by tid
	orphanIdx map[int64]int // OrphanFDs index by tid
	// The options of the last event: buf[optOff:optEnd] (offsets only, so
	// that delivering an event stores no pointer).
	optOff, optEnd int
	num            uint64
	err            error
	stats          ReaderStats
	closed         bool
}

var _ Source = (*Reader)(nil)

// Open opens the capture at path, decompressing it when it is gzip
// compressed, and reads its metadata. The file is read (and decompressed)
// one chunk ahead of the parsing by a goroutine, with a fixed pool of three
// 1 MiB buffers; Close stops it, so a Reader from Open must be closed.
func Open(path string) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("scap: %w", err)
	}
	r, err := newReader(f, f, true)
	if err != nil {
		f.Close()
		return nil, err
	}
	return r, nil
}

// NewReader reads a capture from src, decompressing it when it is gzip
// compressed, and reads its metadata: every block up to the first event
// block. It reads src in the calling goroutine, into a 256 KiB buffer that
// grows for bigger blocks. Close does not close src.
func NewReader(src io.Reader) (*Reader, error) {
	return newReader(src, nil, false)
}

// newReader makes a Reader of src; ahead selects reading (and
// decompressing) in a goroutine.
func newReader(src io.Reader, c io.Closer, ahead bool) (*Reader, error) {
	r := &Reader{}
	if c != nil {
		r.closers = append(r.closers, c)
	}
	br := bufio.NewReaderSize(src, 64<<10)
	magic, err := br.Peek(2)
	if err != nil && len(magic) < 2 {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return nil, &BlockError{Offset: 0, Err: fmt.Errorf("%w: %d bytes", ErrNotScap, len(magic))}
		}
		return nil, &BlockError{Offset: 0, Err: fmt.Errorf("read: %w", err)}
	}
	switch {
	case magic[0] == 0x1f && magic[1] == 0x8b:
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, &BlockError{Offset: 0, Err: fmt.Errorf("gzip header: %w", err)}
		}
		r.src = zr
		r.closers = append(r.closers, zr)
	case ahead:
		r.src = br // large reads pass through br's buffer once it is empty
	default:
		// Take the bytes the peek buffered and read src directly from
		// now on, into the block buffer, without a second copy.
		r.buf = make([]byte, readBufSize)
		r.w, _ = br.Read(r.buf)
		r.src = src
	}
	if ahead {
		r.ra = startReadAhead(r.src)
	} else if r.buf == nil {
		r.buf = make([]byte, readBufSize)
	}
	r.md = &Metadata{}
	if err := r.readHeader(); err != nil {
		if r.ra != nil {
			r.ra.stop()
		}
		return nil, err
	}
	return r, nil
}

// Metadata returns the capture's metadata. Metadata blocks found after the
// first event update it in place during Next; a new section (concatenated
// captures) replaces it with a new value.
func (r *Reader) Metadata() *Metadata { return r.md }

// Stats returns what the reader has counted so far.
func (r *Reader) Stats() ReaderStats {
	st := r.stats
	st.Events = r.num
	return st
}

// EventOptions returns the raw pcapng options that follow the event in the
// block of the last event Next returned (nil when there are none); decode
// them with ParseOptions. Valid until the next call to Next.
func (r *Reader) EventOptions() []byte {
	if r.optOff < r.optEnd && r.optEnd <= len(r.buf) {
		return r.buf[r.optOff:r.optEnd]
	}
	return nil
}

// setOpts records where the options of an event block are: after the
// event, which ends evEnd bytes into the block body (the block ends at r.r,
// its body 4 bytes before).
func (r *Reader) setOpts(body []byte, evEnd int) {
	r.optOff = r.r - 4 - len(body) + pad4(evEnd)
	r.optEnd = r.r - 4
}

// Close releases the file and decompressor the reader opened.
func (r *Reader) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	if r.err == nil {
		r.err = errors.New("scap: reader closed")
	}
	if r.ra != nil {
		r.ra.stop()
	}
	var first error
	for i := len(r.closers) - 1; i >= 0; i-- {
		if err := r.closers[i].Close(); err != nil && first == nil {
			first = fmt.Errorf("scap: close: %w", err)
		}
	}
	return first
}

// fill makes at least n bytes available in buf[r:w]. It returns io.EOF when
// the stream has ended with no byte buffered, and io.ErrUnexpectedEOF when it
// ended with fewer than n.
func (r *Reader) fill(n int) error {
	if r.w-r.r >= n {
		return nil
	}
	if r.ra != nil {
		return r.fillAhead(n)
	}
	if r.r > 0 {
		copy(r.buf, r.buf[r.r:r.w])
		r.base += int64(r.r)
		r.w -= r.r
		r.r = 0
	}
	for r.w < n {
		if r.eof {
			if r.w == 0 {
				return io.EOF
			}
			return io.ErrUnexpectedEOF
		}
		if r.w == len(r.buf) {
			// Grow by doubling, so that a corrupt length costs memory
			// only in proportion to the bytes actually present.
			nb := make([]byte, 2*len(r.buf))
			copy(nb, r.buf[:r.w])
			r.buf = nb
		}
		m, err := r.src.Read(r.buf[r.w:])
		r.w += m
		if err == io.EOF {
			r.eof = true
		} else if err != nil {
			return err
		}
	}
	return nil
}

// block makes the next whole block available and returns its type and
// bytes (header and trailer included) and its stream offset. It returns
// io.EOF at a clean end of stream.
func (r *Reader) block() (uint32, []byte, int64, error) {
	if r.w-r.r < 8 {
		if err := r.fill(8); err != nil {
			return 0, nil, r.base + int64(r.r), r.blockErr(err, 0, 8)
		}
	}
	b := r.buf[r.r:r.w]
	typ := binary.LittleEndian.Uint32(b)
	blen := binary.LittleEndian.Uint32(b[4:])
	off := r.base + int64(r.r)
	if blen < 12 {
		return typ, nil, off, &BlockError{Offset: off, Type: typ, Err: fmt.Errorf("%s block: length %d is shorter than a block's header and trailer", blockName(typ), blen)}
	}
	if blen > maxBlockLen {
		return typ, nil, off, &BlockError{Offset: off, Type: typ, Err: fmt.Errorf("%s block: length %d exceeds the %d-byte limit", blockName(typ), blen, maxBlockLen)}
	}
	n := int(blen)
	if len(b) < n {
		if err := r.fill(n); err != nil {
			off = r.base + int64(r.r)
			return typ, nil, off, r.blockErr(err, typ, n)
		}
		b = r.buf[r.r:r.w]
	}
	b = b[:n]
	if t := binary.LittleEndian.Uint32(b[n-4:]); t != blen {
		return typ, nil, off, &BlockError{Offset: off, Type: typ, Err: fmt.Errorf("%s block: trailer length %d differs from header length %d", blockName(typ), t, blen)}
	}
	r.r += n
	return typ, b, off, nil
}

// blockErr turns a fill error into the error of the block at r.r.
func (r *Reader) blockErr(err error, typ uint32, want int) error {
	if err == io.EOF {
		return io.EOF
	}
	off := r.base + int64(r.r)
	if err == io.ErrUnexpectedEOF {
		what := "block"
		if typ != 0 || want > 8 {
			what = blockName(typ) + " block"
		}
		return &BlockError{Offset: off, Type: typ, Err: fmt.Errorf("%w: %s needs %d bytes, the stream has %d", ErrTruncated, what, want, r.w-r.r)}
	}
	return &BlockError{Offset: off, Type: typ, Err: fmt.Errorf("read: %w", err)}
}

// readHeader reads the section header and the metadata blocks up to the
// first event block, which it leaves unread.
func (r *Reader) readHeader() error {
	if err := r.fill(8); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return &BlockError{Offset: 0, Err: fmt.Errorf("%w: the stream has %d bytes", ErrNotScap, r.w-r.r)}
		}
		return &BlockError{Offset: 0, Err: fmt.Errorf("read: %w", err)}
	}
	if t := binary.LittleEndian.Uint32(r.buf[r.r:]); t != BlockSHB {
		return &BlockError{Offset: 0, Type: t, Err: fmt.Errorf("%w: first block type is 0x%x, not a section header", ErrNotScap, t)}
	}
	_, b, off, err := r.block()
	if err != nil {
		return err
	}
	if err := r.section(b, off); err != nil {
		return err
	}
	for {
		if r.w-r.r < 8 {
			if err := r.fill(8); err != nil {
				if err == io.EOF || err == io.ErrUnexpectedEOF {
					// Next reports a partial block header.
					return nil
				}
				return r.blockErr(err, 0, 8)
			}
		}
		if isEventBlock(binary.LittleEndian.Uint32(r.buf[r.r:])) {
			return nil
		}
		typ, b, off, err := r.block()
		if err != nil {
			return err
		}
		if err := r.meta(typ, b, off); err != nil {
			return err
		}
	}
}

// section handles a section header block: the first one fills the
// metadata's header; a later one starts a new metadata value.
func (r *Reader) section(b []byte, off int64) error {
	sh, malformed, err := parseSection(b[8 : len(b)-4])
	if err != nil {
		return &BlockError{Offset: off, Type: BlockSHB, Err: fmt.Errorf("section header: %w", err)}
	}
	if malformed {
		r.stats.MalformedOptions++
	}
	if r.stats.Sections > 0 {
		r.md = &Metadata{}
		r.tidIdx, r.orphanIdx = nil, nil
	}
	r.stats.Sections++
	r.md.Section = sh
	return nil
}

// meta handles a non-event block.
func (r *Reader) meta(typ uint32, b []byte, off int64) error {
	body := b[8 : len(b)-4]
	var err error
	switch typ {
	case BlockSHB:
		return r.section(b, off)
	case BlockMI, BlockMIInt:
		var mi *MachineInfo
		mi, err = parseMachineInfo(body)
		if err == nil {
			r.md.Machine = mi
		}
	case BlockPLV1, BlockPLV1Int, BlockPLV2, BlockPLV2Int, BlockPLV3, BlockPLV3Int,
		BlockPLV4, BlockPLV5, BlockPLV6, BlockPLV7, BlockPLV8, BlockPLV9:
		err = r.parseProcList(body, typ)
	case BlockFDL, BlockFDLInt, BlockFDLV2:
		err = r.parseFDList(body, typ)
	case BlockIL, BlockILInt, BlockILV2:
		var ifs []Interface
		ifs, err = parseIfList(body, typ)
		if err == nil {
			// A later interface list replaces the earlier one, as in libscap.
			r.md.Interfaces = ifs
		}
	case BlockUL, BlockULInt, BlockULV2:
		var us []User
		var gs []Group
		us, gs, err = parseUserList(body, typ)
		if err == nil {
			r.md.Users, r.md.Groups = us, gs
		}
	default:
		r.stats.UnknownBlocks++
		return nil
	}
	if err != nil {
		return &BlockError{Offset: off, Type: typ, Err: fmt.Errorf("%s block: %w", blockName(typ), err)}
	}
	r.stats.MetadataBlocks++
	if r.num > 0 {
		r.stats.LateMetadataBlocks++
	}
	return nil
}

func isEventBlock(t uint32) bool {
	switch t {
	case BlockEV, BlockEVInt, BlockEVF, BlockEVV2, BlockEVFV2, BlockEVV2Large, BlockEVFV2Large:
		return true
	}
	return false
}

// Next reads the next event into e: e.Raw views the event's bytes in the
// v2 layout (valid until the next call), e.Num numbers it from 1, e.CPU and
// e.Flags come from its block. Metadata blocks met on the way update
// Metadata. Next returns io.EOF at the end of the capture, and a *BlockError
// naming the offset of the first block it cannot read, after every event
// before that block; the error is returned again by later calls.
func (r *Reader) Next(e *event.Event) error {
	// Fast path: a whole, well-framed EV, EV_V2 or EVF_V2 block whose
	// event needs no special care. Anything else, errors included, takes
	// the general path, which starts again from the same block.
	if buf := r.buf[r.r:r.w]; r.err == nil && len(buf) >= 8 {
		n := binary.LittleEndian.Uint32(buf[4:])
		if n >= 12 && uint64(n) <= uint64(len(buf)) {
			b := buf[:n]
			if binary.LittleEndian.Uint32(b[n-4:]) == n {
				var ok bool
				switch binary.LittleEndian.Uint32(b) {
				case BlockEV:
					ok = r.fastV1(b, e)
				case BlockEVV2:
					ok = r.fastV2(b, 10, e)
				case BlockEVFV2:
					ok = r.fastV2(b, 14, e)
				}
				if ok {
					r.r += int(n)
					r.num++
					e.Num = r.num
					r.optOff += r.r - int(n)
					r.optEnd = r.r - 4
					return nil
				}
			}
		}
	}
	return r.next(e)
}

// next is the general path of Next.
func (r *Reader) next(e *event.Event) error {
	if r.err != nil {
		return r.err
	}
	for {
		// Fast path: the whole block is buffered and well framed.
		var b []byte
		if r.w-r.r >= 8 {
			bb := r.buf[r.r:r.w]
			n := binary.LittleEndian.Uint32(bb[4:])
			if n >= 12 && uint64(n) <= uint64(len(bb)) && binary.LittleEndian.Uint32(bb[n-4:]) == n {
				b = bb[:n]
				r.r += int(n)
			}
		}
		if b == nil {
			var err error
			if _, b, _, err = r.block(); err != nil {
				r.err = err
				return err
			}
		}
		typ := binary.LittleEndian.Uint32(b)
		cpu := binary.LittleEndian.Uint16(b[8:])
		var flags uint32
		var ok bool
		var err error
		switch typ {
		case BlockEV, BlockEVInt:
			ok, err = r.eventV1(b, 10, e)
		case BlockEVV2, BlockEVV2Large:
			ok, err = r.eventV2(b[8:len(b)-4], 2, e)
		case BlockEVF:
			if len(b) >= 18 {
				flags = binary.LittleEndian.Uint32(b[10:])
			}
			ok, err = r.eventV1(b, 14, e)
		case BlockEVFV2, BlockEVFV2Large:
			if len(b) >= 18 {
				flags = binary.LittleEndian.Uint32(b[10:])
			}
			ok, err = r.eventV2(b[8:len(b)-4], 6, e)
		default:
			if err = r.meta(typ, b, r.base+int64(r.r-len(b))); err != nil {
				r.err = err
				return err
			}
			continue
		}
		if err != nil {
			r.err = &BlockError{Offset: r.base + int64(r.r-len(b)), Type: typ, Err: fmt.Errorf("event block: %w", err)}
			return r.err
		}
		if !ok {
			continue
		}
		r.num++
		e.Num = r.num
		e.CPU = cpu
		e.Flags = flags
		return nil
	}
}

// Event type facts the reader needs per event, indexed by type.
var (
	nTypes      = len(event.Types())
	schemaN     = make([]uint16, nTypes) // parameters in the schema
	schemaLarge = make([]bool, nTypes)   // u32 parameter lengths
)

func init() {
	for i, in := range event.Types() {
		schemaN[i] = uint16(len(in.Params))
		schemaLarge[i] = in.Flags&event.EFLargePayload != 0
	}
}

// fastV2 decodes the v2 event of block b (whole, at least 12 bytes)
// starting at byte p, when it is well formed, has a known type with u16
// parameter lengths: it sets e.Raw, e.CPU, e.Flags and r.optOff (relative to
// the block) and returns true. Otherwise it changes nothing and returns
// false. It calls nothing, so that it compiles to a small leaf function.
func (r *Reader) fastV2(b []byte, p int, e *event.Event) bool {
	end := len(b) - 4
	if p+event.HeaderLen > end {
		return false
	}
	ev := b[p:end]
	le := binary.LittleEndian
	l := int(le.Uint32(ev[16:]))
	t := int(le.Uint16(ev[20:]))
	np := int(le.Uint32(ev[22:]))
	if t >= len(schemaLarge) || schemaLarge[t] || l < event.HeaderLen || l > len(ev) || np > (l-event.HeaderLen)/2 {
		return false
	}
	ev = ev[:l:l]
	pos := event.HeaderLen + 2*np
	rest := l - pos
	for i := event.HeaderLen; i+2 <= pos; i += 2 {
		pl := int(le.Uint16(ev[i:]))
		if pl > rest {
			return false
		}
		rest -= pl
	}
	e.Raw = ev
	e.CPU = le.Uint16(b[8:])
	e.Flags = 0
	if p == 14 {
		e.Flags = le.Uint32(b[10:])
	}
	r.optOff = pad4(p-8+l) + 8
	return true
}

// fastV1 is fastV2 for a v1 event block (EV): it infers the parameter
// count and rewrites the event in place with the v2 header, like eventV1,
// for events of known types with u16 lengths and no length quirk.
func (r *Reader) fastV1(b []byte, e *event.Event) bool {
	const p = 10
	end := len(b) - 4
	if p+event.HeaderLenV1 > end {
		return false
	}
	ev := b[p:end]
	le := binary.LittleEndian
	l := int(le.Uint32(ev[16:]))
	t := le.Uint16(ev[20:])
	if int(t) >= len(schemaLarge) || schemaLarge[t] || l < event.HeaderLenV1 || l > len(ev) ||
		event.Type(t) == event.NotificationE || event.Type(t) == event.InfrastructureEventE {
		return false
	}
	ev = ev[:l:l]
	sum, i := event.HeaderLenV1, event.HeaderLenV1
	for sum < l && i+2 <= l {
		sum += 2 + int(le.Uint16(ev[i:]))
		i += 2
	}
	if sum != l {
		return false
	}
	ts, tid := le.Uint64(ev), le.Uint64(ev[8:])
	e.CPU = le.Uint16(b[8:])
	e.Flags = 0
	s := b[p-4 : p+l : p+l]
	le.PutUint64(s, ts)
	le.PutUint64(s[8:], tid)
	le.PutUint32(s[16:], uint32(l+4))
	le.PutUint16(s[20:], t)
	le.PutUint32(s[event.HeaderLenV1:], uint32((i-event.HeaderLenV1)/2))
	e.Raw = s
	r.optOff = pad4(p-8+l) + 8
	return true
}

// eventV2 decodes the v2 event of a block body whose event starts at p.
// It returns false for an event of a type beyond the schema (skipped).
func (r *Reader) eventV2(body []byte, p int, e *event.Event) (bool, error) {
	if len(body) < p+event.HeaderLen {
		return false, fmt.Errorf("%d-byte body is too short for a %d-byte event header", len(body), p+event.HeaderLen)
	}
	ev := body[p:]
	l := binary.LittleEndian.Uint32(ev[16:])
	t := binary.LittleEndian.Uint16(ev[20:])
	if int(t) >= nTypes {
		r.stats.SkippedEvents++
		return false, nil
	}
	if l < event.HeaderLen {
		return false, fmt.Errorf("event length %d is shorter than the event header", l)
	}
	if uint64(l) > uint64(len(ev)) {
		return false, fmt.Errorf("event length %d exceeds the %d bytes of the block", l, len(ev))
	}
	np := uint64(binary.LittleEndian.Uint32(ev[22:]))
	ls := uint64(2)
	if schemaLarge[t] {
		ls = 4
	}
	pos := event.HeaderLen + np*ls
	if pos > uint64(l) {
		return false, fmt.Errorf("%d parameters do not fit in event length %d", np, l)
	}
	lens := ev[event.HeaderLen:pos]
	rest := uint64(l) - pos
	if ls == 2 {
		for i := 0; i+1 < len(lens); i += 2 {
			pl := uint64(binary.LittleEndian.Uint16(lens[i:]))
			if pl > rest {
				return false, fmt.Errorf("parameter %d length %d exceeds event length %d", i/2, pl, l)
			}
			rest -= pl
		}
	} else {
		for i := 0; i+3 < len(lens); i += 4 {
			pl := uint64(binary.LittleEndian.Uint32(lens[i:]))
			if pl > rest {
				return false, fmt.Errorf("parameter %d length %d exceeds event length %d", i/4, pl, l)
			}
			rest -= pl
		}
	}
	e.Raw = ev[:l:l]
	r.setOpts(body, p+int(l))
	return true, nil
}

// eventV1 decodes the v1 event (22-byte header, no parameter count) that
// starts at byte p of block b (after the cpu and flags), infers its
// parameter count and rewrites it in place with the 26-byte header: the
// header moves 4 bytes down, over the block header, which has been read.
func (r *Reader) eventV1(b []byte, p int, e *event.Event) (bool, error) {
	body := b[:len(b)-4]
	if len(body) < p+event.HeaderLenV1 {
		return false, fmt.Errorf("%d-byte body is too short for a %d-byte v1 event header", len(body)-8, p-8+event.HeaderLenV1)
	}
	ev := body[p:]
	le := binary.LittleEndian
	l := le.Uint32(ev[16:])
	t := le.Uint16(ev[20:])
	if int(t) >= nTypes {
		r.stats.SkippedEvents++
		return false, nil
	}
	if l < event.HeaderLenV1 {
		return false, fmt.Errorf("v1 event length %d is shorter than the v1 event header", l)
	}
	if uint64(l) > uint64(len(ev)) {
		return false, fmt.Errorf("v1 event length %d exceeds the %d bytes of the block", l, len(ev))
	}
	n := int(l)
	if (event.Type(t) == event.NotificationE || event.Type(t) == event.InfrastructureEventE) && n >= event.HeaderLenV1+3 {
		// Old captures declare these two events 3 bytes longer than
		// they are.
		n -= 3
	}
	ev = ev[:n]
	// The end of the parameters, 22 + np*ls + the sum of the first np
	// lengths, grows strictly with np, so at most one count fits.
	end, i := event.HeaderLenV1, event.HeaderLenV1
	np := 0
	if !schemaLarge[t] {
		for end < n && i+2 <= n {
			end += 2 + int(le.Uint16(ev[i:]))
			i += 2
		}
		np = (i - event.HeaderLenV1) / 2
	} else {
		for end < n && i+4 <= n {
			end += 4 + int(le.Uint32(ev[i:]))
			i += 4
		}
		np = (i - event.HeaderLenV1) / 4
	}
	if end != n {
		return false, fmt.Errorf("cannot infer the parameter count of v1 event type %d: no count matches length %d (schema has %d parameters)", t, n, schemaN[t])
	}
	ts, tid := le.Uint64(ev), le.Uint64(ev[8:])
	need := n + 4
	s := b[p-4 : p-4+need : p-4+need]
	le.PutUint64(s, ts)
	le.PutUint64(s[8:], tid)
	le.PutUint32(s[16:], uint32(need))
	le.PutUint16(s[20:], t)
	le.PutUint32(s[event.HeaderLenV1:], uint32(np))
	e.Raw = s
	r.optOff = r.r - len(b) + pad4(p+int(l)-8) + 8
	r.optEnd = r.r - 4
	return true, nil
}
