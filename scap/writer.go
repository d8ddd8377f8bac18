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

// WriterOptions configure a Writer. The zero value (or nil) writes an
// uncompressed capture.
type WriterOptions struct {
	// Compress gzips the capture.
	Compress bool
	// Level is the gzip level (gzip.DefaultCompression when 0).
	Level int
	// SectionOptions writes the metadata's section header options (such
	// as comments). Off by default: readers before libs 0.10 (sysdig
	// 0.29.3) cannot open a capture whose section header has options.
	SectionOptions bool
	// LegacyProcessTail writes process entries with the field layout of
	// libs before 0.10 after the root directory (loginuid, exe_writable,
	// the capability sets), which those readers (sysdig 0.29.3) decode
	// correctly and current libscap still recognizes; the fields added
	// later (pidns_init_start_ts, tty, exe inode and times, overlay and
	// memfd flags, pgid) are then not written. By default the current
	// layout is written: current readers get every field, and readers
	// before 0.10 misread loginuid and exe_writable.
	LegacyProcessTail bool
	// BufferSize is the size of the write buffer (64 KiB when 0).
	BufferSize int
}

// WriterStats counts what a Writer did.
type WriterStats struct {
	Events uint64 // event blocks written
	// Large counts the events written in large blocks (u32 parameter
	// lengths, or bigger than a normal block may be).
	Large uint64
	// Truncated counts metadata strings cut to the limits libscap's reader
	// enforces (MaxPathLen, MaxArgsLen, MaxCredStrLen).
	Truncated uint64
}

// Writer writes a capture. It is not safe for concurrent use: a program
// that stops on a signal should stop its event loop, then call Close, which
// leaves a complete file (every block written whole).
type Writer struct {
	bw     *bufio.Writer
	gz     *gzip.Writer
	f      *os.File
	hdr    [14]byte
	pad    [4]byte
	err    error
	stats  WriterStats
	closed bool
}

var zeros [4]byte

// ErrWriterClosed is returned by a Writer's methods after Close.
var ErrWriterClosed = errors.New("scap: writer closed")

// Create creates the capture file path (truncating it) and writes its
// section header and md's metadata blocks.
func Create(path string, md *Metadata, o *WriterOptions) (*Writer, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("scap: %w", err)
	}
	w, err := NewWriter(f, md, o)
	if err != nil {
		f.Close()
		return nil, err
	}
	w.f = f
	return w, nil
}

// NewWriter writes a capture to dst: a version 1.2 section header, then
// md's machine info, interfaces (IL_V2), users and groups (UL_V2), processes
// (PL_V9) and their fds (FDL_V2), each block only when md has entries for
// it. md may be nil. Close flushes the capture but does not close dst.
func NewWriter(dst io.Writer, md *Metadata, o *WriterOptions) (*Writer, error) {
	var opts WriterOptions
	if o != nil {
		opts = *o
	}
	size := opts.BufferSize
	if size <= 0 {
		size = 64 << 10
	}
	w := &Writer{}
	if opts.Compress {
		level := opts.Level
		if level == 0 {
			level = gzip.DefaultCompression
		}
		gz, err := gzip.NewWriterLevel(dst, level)
		if err != nil {
			return nil, fmt.Errorf("scap: gzip: %w", err)
		}
		w.gz = gz
		dst = gz
	}
	w.bw = bufio.NewWriterSize(dst, size)
	if md == nil {
		md = &Metadata{}
	}
	var tr uint64
	blocks := encodeMetadata(md, &opts, &tr)
	w.stats.Truncated = tr
	if _, err := w.bw.Write(blocks); err != nil {
		return nil, fmt.Errorf("scap: write metadata: %w", err)
	}
	return w, nil
}

// Stats returns what the writer has counted so far.
func (w *Writer) Stats() WriterStats { return w.stats }

// WriteEvent writes e as one event block: e.Raw as it is (it must be a
// whole v2-layout event: its header's length equal to len(e.Raw)), e.CPU,
// and e.Flags (an EVF block when they are not zero). Large-payload event
// types, and events too big for a normal block, get a large block.
// WriteEvent does not allocate.
func (w *Writer) WriteEvent(e *event.Event) error {
	if w.err != nil {
		return w.err
	}
	raw := e.Raw
	if len(raw) < event.HeaderLen {
		return fmt.Errorf("scap: write event %d: %d bytes is shorter than the event header", e.Num, len(raw))
	}
	if l := binary.LittleEndian.Uint32(raw[16:]); uint64(l) != uint64(len(raw)) {
		return fmt.Errorf("scap: write event %d: header length %d differs from the %d bytes given", e.Num, l, len(raw))
	}
	t := binary.LittleEndian.Uint16(raw[20:])
	pre := 2
	if e.Flags != 0 {
		pre = 6
	}
	body := pre + len(raw)
	total := 8 + pad4(body) + 4
	if uint64(total) > 0xffffffff {
		return fmt.Errorf("scap: write event %d: %d bytes do not fit in a block", e.Num, len(raw))
	}
	large := (int(t) < nTypes && schemaLarge[t]) || total-8 > largeThreshold
	var bt uint32
	switch {
	case e.Flags == 0 && !large:
		bt = BlockEVV2
	case e.Flags == 0:
		bt = BlockEVV2Large
	case !large:
		bt = BlockEVFV2
	default:
		bt = BlockEVFV2Large
	}
	le := binary.LittleEndian
	var err error
	if w.bw.Available() >= total {
		// Build the block in the write buffer's free space: one copy.
		b := w.bw.AvailableBuffer()
		b = le.AppendUint32(b, bt)
		b = le.AppendUint32(b, uint32(total))
		b = le.AppendUint16(b, e.CPU)
		if pre == 6 {
			b = le.AppendUint32(b, e.Flags)
		}
		b = append(b, raw...)
		b = append(b, zeros[:pad4(body)-body]...)
		b = le.AppendUint32(b, uint32(total))
		_, err = w.bw.Write(b)
	} else {
		h := w.hdr[:8+pre]
		le.PutUint32(h, bt)
		le.PutUint32(h[4:], uint32(total))
		le.PutUint16(h[8:], e.CPU)
		if pre == 6 {
			le.PutUint32(h[10:], e.Flags)
		}
		w.bw.Write(h)
		w.bw.Write(raw)
		w.bw.Write(zeros[:pad4(body)-body])
		le.PutUint32(w.pad[:], uint32(total))
		_, err = w.bw.Write(w.pad[:])
	}
	if err != nil {
		w.err = fmt.Errorf("scap: write event %d: %w", e.Num, err)
		return w.err
	}
	w.stats.Events++
	if large {
		w.stats.Large++
	}
	return nil
}

// Flush writes the buffered blocks to the underlying writer (through the
// compressor, flushed too). The capture is then readable up to the last
// event written.
func (w *Writer) Flush() error {
	if w.err != nil {
		return w.err
	}
	if err := w.bw.Flush(); err != nil {
		w.err = fmt.Errorf("scap: flush: %w", err)
		return w.err
	}
	if w.gz != nil {
		if err := w.gz.Flush(); err != nil {
			w.err = fmt.Errorf("scap: flush: %w", err)
			return w.err
		}
	}
	return nil
}

// Close flushes the capture, ends the gzip stream and closes the file
// Create opened. The capture is complete once Close returns nil.
func (w *Writer) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	var first error
	if w.err == nil {
		if err := w.bw.Flush(); err != nil {
			first = fmt.Errorf("scap: flush: %w", err)
		}
	} else {
		first = w.err
	}
	if w.gz != nil {
		if err := w.gz.Close(); err != nil && first == nil {
			first = fmt.Errorf("scap: gzip close: %w", err)
		}
	}
	if w.f != nil {
		if err := w.f.Close(); err != nil && first == nil {
			first = fmt.Errorf("scap: close: %w", err)
		}
	}
	w.err = ErrWriterClosed
	return first
}
