package driver

import (
	"encoding/binary"
	"fmt"
	"os"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Ring buffer record header bits (the kernel's BPF_RINGBUF_BUSY_BIT and
// BPF_RINGBUF_DISCARD_BIT) and size.
const (
	rbBusy    = 1 << 31
	rbDiscard = 1 << 30
	rbHdrLen  = 8
)

// recordPrefix is the size of what the eBPF programs put before each event:
// the CPU number (u32) and a reserved u32.
const recordPrefix = 8

// ring reads one BPF ring buffer in place. The data area is mapped twice
// back to back by the kernel, so a record that wraps around the end is still
// contiguous in memory and can be handed out without copying.
type ring struct {
	fd       int
	cons     []byte // consumer page (read-write)
	prodData []byte // producer page followed by the doubled data area
	consPos  *uint64
	prodPos  *uint64
	data     []byte
	mask     uint64

	pos       uint64 // start of the next record to read
	published uint64 // consumer position the kernel has seen
	batch     uint64 // publish after this many bytes

	// head is the record at pos once peeked; headLen is its total length
	// with header and padding (0: not peeked).
	head    []byte
	headLen uint64
}

func newRing(fd, size int) (*ring, error) {
	page := os.Getpagesize()
	cons, err := unix.Mmap(fd, 0, page, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("map ring consumer page: %w", err)
	}
	pd, err := unix.Mmap(fd, int64(page), page+2*size, unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		unix.Munmap(cons)
		return nil, fmt.Errorf("map ring data: %w", err)
	}
	r := &ring{
		fd:       fd,
		cons:     cons,
		prodData: pd,
		consPos:  (*uint64)(unsafe.Pointer(&cons[0])),
		prodPos:  (*uint64)(unsafe.Pointer(&pd[0])),
		data:     pd[page:],
		mask:     uint64(size - 1),
		batch:    uint64(size / 16),
	}
	r.pos = atomic.LoadUint64(r.consPos)
	r.published = r.pos
	return r, nil
}

func (r *ring) close() {
	if r.cons != nil {
		unix.Munmap(r.cons)
		r.cons = nil
	}
	if r.prodData != nil {
		unix.Munmap(r.prodData)
		r.prodData = nil
	}
}

// peek returns the next committed record's sample (without the ring
// header), or nil when none is ready. Discarded records are skipped.
func (r *ring) peek() []byte {
	if r.headLen != 0 {
		return r.head
	}
	for {
		prod := atomic.LoadUint64(r.prodPos)
		if r.pos >= prod {
			return nil
		}
		off := r.pos & r.mask
		hdr := atomic.LoadUint32((*uint32)(unsafe.Pointer(&r.data[off])))
		if hdr&rbBusy != 0 {
			return nil
		}
		n := uint64(hdr &^ (rbBusy | rbDiscard))
		total := (n + rbHdrLen + 7) &^ 7
		if hdr&rbDiscard != 0 {
			r.pos += total
			continue
		}
		r.head = r.data[off+rbHdrLen : off+rbHdrLen+n]
		r.headLen = total
		return r.head
	}
}

// advance consumes the peeked record. Its bytes stay valid until the
// consumer position is published, which happens at the next advance that
// crosses the batch size, or at flush.
func (r *ring) advance() {
	r.pos += r.headLen
	r.head = nil
	r.headLen = 0
}

// release lets the kernel reuse everything before the current position,
// when at least a batch has accumulated or when force is set.
func (r *ring) release(force bool) {
	if r.pos == r.published {
		return
	}
	if force || r.pos-r.published >= r.batch {
		atomic.StoreUint64(r.consPos, r.pos)
		r.published = r.pos
	}
}

// pending returns how many bytes the producer has written and we have not
// consumed.
func (r *ring) pending() uint64 {
	return atomic.LoadUint64(r.prodPos) - r.pos
}

func recordTs(rec []byte) uint64 {
	return binary.LittleEndian.Uint64(rec[recordPrefix:])
}
