package output

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// ProgramOptions configure the program sink (program_output).
type ProgramOptions struct {
	// Program is a shell command line, run with /bin/sh -c; alerts are
	// written to its standard input, one per line (program_output.program).
	Program string
	// KeepAlive starts the program once and keeps writing to it; otherwise
	// the program is started for each alert and its input closed after the
	// line (program_output.keep_alive).
	KeepAlive bool
	// Buffered collects lines until the buffer is full or the program is
	// stopped (buffered_outputs). Only meaningful with KeepAlive.
	Buffered bool
	// Stdout and Stderr receive the program's output; nil means this
	// process's own standard output and error, as popen(3) would.
	Stdout, Stderr io.Writer
	// StopTimeout is how long Close and Reopen wait for the program to exit
	// after its input is closed before killing its process group; 0 means
	// 2 s.
	StopTimeout time.Duration
}

// ProgramSink writes alert lines to a program's standard input.
type ProgramSink struct {
	opts ProgramOptions
	mu   sync.Mutex
	cmd  *exec.Cmd
	in   io.WriteCloser
	bw   *bufio.Writer
	line []byte
}

// NewProgramSink returns a program sink. The program is started with the
// first alert.
func NewProgramSink(o ProgramOptions) (*ProgramSink, error) {
	if o.Program == "" {
		return nil, errors.New("program output: no program")
	}
	if o.Stdout == nil {
		o.Stdout = os.Stdout
	}
	if o.Stderr == nil {
		o.Stderr = os.Stderr
	}
	if o.StopTimeout <= 0 {
		o.StopTimeout = 2 * time.Second
	}
	return &ProgramSink{opts: o}, nil
}

// Name implements Sink.
func (s *ProgramSink) Name() string { return "program" }

func (s *ProgramSink) start() error {
	if s.cmd != nil {
		return nil
	}
	cmd := exec.Command("/bin/sh", "-c", s.opts.Program)
	cmd.Stdout = s.opts.Stdout
	cmd.Stderr = s.opts.Stderr
	// Its own process group, so that a stuck pipeline can be stopped whole.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	in, err := cmd.StdinPipe()
	if err != nil {
		return fmt.Errorf("program output: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("program output: start %q: %w", s.opts.Program, err)
	}
	s.cmd, s.in = cmd, in
	if s.opts.Buffered && s.opts.KeepAlive {
		s.bw = bufio.NewWriterSize(in, 64<<10)
	}
	return nil
}

// stop closes the program's input and waits for it to exit, killing its
// process group if it outlives StopTimeout.
func (s *ProgramSink) stop() error {
	if s.cmd == nil {
		return nil
	}
	var err error
	if s.bw != nil {
		err = s.bw.Flush()
		s.bw = nil
	}
	s.in.Close()
	done := make(chan error, 1)
	cmd := s.cmd
	go func() { done <- cmd.Wait() }()
	t := time.NewTimer(s.opts.StopTimeout)
	defer t.Stop()
	var werr error
	select {
	case werr = <-done:
	case <-t.C:
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		werr = <-done
		if werr == nil {
			werr = errors.New("killed after stop timeout")
		}
	}
	s.cmd, s.in = nil, nil
	if err == nil && werr != nil {
		err = werr
	}
	if err != nil {
		return fmt.Errorf("program output: %q: %w", s.opts.Program, err)
	}
	return nil
}

// Write implements Sink.
func (s *ProgramSink) Write(_ context.Context, m Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.start(); err != nil {
		return err
	}
	var err error
	if s.bw != nil {
		s.bw.Write(m.Body)
		err = s.bw.WriteByte('\n')
	} else {
		s.line = append(append(s.line[:0], m.Body...), '\n')
		_, err = s.in.Write(s.line)
	}
	if err != nil {
		// The program went away (EPIPE): reap it; the next alert starts a
		// new one.
		s.stop()
		return fmt.Errorf("program output: write to %q: %w", s.opts.Program, err)
	}
	if !s.opts.KeepAlive {
		return s.stop()
	}
	return nil
}

// Reopen stops the program; the next alert starts it again.
func (s *ProgramSink) Reopen() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stop()
}

// Close implements Sink.
func (s *ProgramSink) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stop()
}
