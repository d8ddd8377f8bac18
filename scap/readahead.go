package scap

import (
	"io"
	"sync"
)

// Read-ahead: a Reader made by Open reads (and decompresses) its file in a
// goroutine, one chunk ahead of the parsing, so that the two overlap. The
// chunks cycle through a fixed pool of buffers; each has a margin in front
// where the unparsed tail of the previous chunk (a block cut by the chunk
// boundary) is copied, so that every block the parser sees is contiguous.
const (
	raChunk   = 1 << 20  // bytes read per chunk
	raMargin  = 64 << 10 // room for the tail of the previous chunk
	raBuffers = 3        // one parsed, one ready, one being filled
)

type raChunkT struct {
	buf []byte // raMargin + raChunk bytes; data at buf[raMargin:raMargin+n]
	n   int
	err error // io.EOF or the read error that ended the stream after n bytes
}

type readAhead struct {
	full chan raChunkT
	free chan []byte
	done chan struct{}
	wg   sync.WaitGroup
}

func startReadAhead(src io.Reader) *readAhead {
	ra := &readAhead{
		full: make(chan raChunkT, raBuffers),
		free: make(chan []byte, raBuffers),
		done: make(chan struct{}),
	}
	for i := 0; i < raBuffers; i++ {
		ra.free <- make([]byte, raMargin+raChunk)
	}
	ra.wg.Add(1)
	go ra.run(src)
	return ra
}

func (ra *readAhead) run(src io.Reader) {
	defer ra.wg.Done()
	for {
		var buf []byte
		select {
		case buf = <-ra.free:
		case <-ra.done:
			return
		}
		n, err := io.ReadFull(src, buf[raMargin:])
		if err == io.ErrUnexpectedEOF {
			err = io.EOF
		}
		select {
		case ra.full <- raChunkT{buf: buf, n: n, err: err}:
		case <-ra.done:
			return
		}
		if err != nil {
			return
		}
	}
}

// stop ends the goroutine and waits for it.
func (ra *readAhead) stop() {
	close(ra.done)
	ra.wg.Wait()
}

// fillAhead is fill for a Reader with read-ahead.
func (r *Reader) fillAhead(n int) error {
	for r.w-r.r < n {
		if r.eof {
			if r.srcErr != nil {
				return r.srcErr
			}
			if r.w == r.r {
				return io.EOF
			}
			return io.ErrUnexpectedEOF
		}
		rem := r.w - r.r
		c := <-r.ra.full
		switch {
		case rem <= raMargin && n <= rem+raChunk:
			// Usual case: continue in the new chunk, after the tail of
			// the current one.
			copy(c.buf[raMargin-rem:raMargin], r.buf[r.r:r.w])
			r.base += int64(r.w - raMargin)
			r.release()
			r.buf, r.pooled = c.buf, true
			r.r, r.w = raMargin-rem, raMargin+c.n
		case !r.pooled && r.r == 0:
			// Already gathering a big block: append.
			r.buf = append(r.buf[:r.w], c.buf[raMargin:raMargin+c.n]...)
			r.w = len(r.buf)
			r.ra.free <- c.buf
		default:
			// A block larger than the margin or a chunk: gather it in a
			// buffer of its own, which grows as the bytes arrive.
			acc := make([]byte, rem, max(2*rem, rem+c.n))
			copy(acc, r.buf[r.r:r.w])
			acc = append(acc, c.buf[raMargin:raMargin+c.n]...)
			r.ra.free <- c.buf
			r.base += int64(r.r)
			r.release()
			r.buf, r.pooled = acc, false
			r.r, r.w = 0, len(acc)
		}
		if c.err != nil {
			r.eof = true
			if c.err != io.EOF {
				r.srcErr = c.err
			}
		}
	}
	return nil
}

// release gives the current buffer back to the pool when it came from it.
func (r *Reader) release() {
	if r.pooled {
		r.ra.free <- r.buf
		r.pooled = false
	}
}
