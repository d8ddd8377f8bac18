package output

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"sync"
)

// Message is what a sink receives: the alert and its rendering in the
// format the sink was added with.
type Message struct {
	Alert *Alert
	// Body is the rendered alert, without a trailing newline. Sinks must not
	// modify or retain it after Write returns.
	Body []byte
}

// Sink delivers messages somewhere. The Dispatcher calls Write from one
// goroutine per sink, never concurrently; ctx is cancelled when the
// dispatcher is closed and its drain deadline passes.
type Sink interface {
	// Name identifies the sink in stats and metrics ("stdout", "file", …).
	Name() string
	Write(ctx context.Context, m Message) error
	// Close flushes and releases the sink.
	Close() error
}

// Reopener is implemented by sinks that can close and reopen their
// destination (a log file after rotation, a long-running program).
type Reopener interface {
	Reopen() error
}

// WriterSink writes one line per message to an io.Writer (stdout, a pipe).
type WriterSink struct {
	name string
	w    io.Writer
	bw   *bufio.Writer
	line []byte
}

// NewWriterSink returns a sink writing lines to w. When buffered is false
// every line is written with one Write call as it arrives; when true lines
// are collected in a buffer written out when full and on Close (Falco's
// buffered_outputs).
func NewWriterSink(name string, w io.Writer, buffered bool) *WriterSink {
	s := &WriterSink{name: name, w: w}
	if buffered {
		s.bw = bufio.NewWriterSize(w, 64<<10)
	}
	return s
}

// NewStdoutSink returns the "stdout" sink (stdout_output).
func NewStdoutSink(buffered bool) *WriterSink { return NewWriterSink("stdout", os.Stdout, buffered) }

// Name implements Sink.
func (s *WriterSink) Name() string { return s.name }

// Write implements Sink.
func (s *WriterSink) Write(_ context.Context, m Message) error {
	if s.bw != nil {
		s.bw.Write(m.Body)
		if err := s.bw.WriteByte('\n'); err != nil {
			return fmt.Errorf("write %s: %w", s.name, err)
		}
		return nil
	}
	s.line = append(append(s.line[:0], m.Body...), '\n')
	if _, err := s.w.Write(s.line); err != nil {
		return fmt.Errorf("write %s: %w", s.name, err)
	}
	return nil
}

// Close flushes a buffered sink; it does not close the writer.
func (s *WriterSink) Close() error {
	if s.bw != nil {
		if err := s.bw.Flush(); err != nil {
			return fmt.Errorf("flush %s: %w", s.name, err)
		}
	}
	return nil
}

// FileOptions configure the file sink (file_output).
type FileOptions struct {
	// Path is the file alerts are appended to (file_output.filename).
	Path string
	// KeepAlive keeps the file open between alerts; otherwise it is opened
	// and closed for each alert (file_output.keep_alive).
	KeepAlive bool
	// Buffered collects lines in memory until the buffer is full, the file
	// is reopened or the sink closed (buffered_outputs). Only meaningful
	// with KeepAlive.
	Buffered bool
	// Mode is the permission of a created file; 0 means 0644.
	Mode os.FileMode
}

// FileSink appends alert lines to a file.
type FileSink struct {
	opts FileOptions
	mu   sync.Mutex
	f    *os.File
	bw   *bufio.Writer
	line []byte
}

// NewFileSink returns a file sink. The file is opened (and created) with the
// first alert, so a bad path shows up as a write error; use Check to test it
// up front.
func NewFileSink(o FileOptions) (*FileSink, error) {
	if o.Path == "" {
		return nil, fmt.Errorf("file output: no file name")
	}
	if o.Mode == 0 {
		o.Mode = 0o644
	}
	return &FileSink{opts: o}, nil
}

// Check opens the file once (creating it) and closes it again.
func (s *FileSink) Check() error {
	f, err := os.OpenFile(s.opts.Path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, s.opts.Mode)
	if err != nil {
		return fmt.Errorf("open output file: %w", err)
	}
	return f.Close()
}

// Name implements Sink.
func (s *FileSink) Name() string { return "file" }

func (s *FileSink) open() error {
	if s.f != nil {
		return nil
	}
	f, err := os.OpenFile(s.opts.Path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, s.opts.Mode)
	if err != nil {
		return fmt.Errorf("open output file: %w", err)
	}
	s.f = f
	if s.opts.Buffered && s.opts.KeepAlive {
		s.bw = bufio.NewWriterSize(f, 64<<10)
	}
	return nil
}

func (s *FileSink) closeFile() error {
	if s.f == nil {
		return nil
	}
	var err error
	if s.bw != nil {
		err = s.bw.Flush()
		s.bw = nil
	}
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	s.f = nil
	if err != nil {
		return fmt.Errorf("close output file: %w", err)
	}
	return nil
}

// Write implements Sink.
func (s *FileSink) Write(_ context.Context, m Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.open(); err != nil {
		return err
	}
	var err error
	if s.bw != nil {
		s.bw.Write(m.Body)
		err = s.bw.WriteByte('\n')
	} else {
		s.line = append(append(s.line[:0], m.Body...), '\n')
		_, err = s.f.Write(s.line)
	}
	if err != nil {
		s.closeFile()
		return fmt.Errorf("write output file: %w", err)
	}
	if !s.opts.KeepAlive {
		return s.closeFile()
	}
	return nil
}

// Reopen closes the file (flushing it) and opens it again, for log rotation.
func (s *FileSink) Reopen() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.closeFile(); err != nil {
		return err
	}
	return s.open()
}

// Close implements Sink.
func (s *FileSink) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closeFile()
}
