// Package floor is the reference point of the driver benchmarks: a minimal
// eBPF program that writes one small record per syscall exit to a ring
// buffer. What it costs is the floor any eBPF syscall capture pays; the
// driver's overhead is measured against it. It is not a capture source.
package floor

//go:generate go run github.com/cilium/ebpf/cmd/bpf2go -cc clang-14 -target amd64 floor bpf/floor.bpf.c -- -O2 -g -Wall -Werror -D__TARGET_ARCH_x86

import (
	"fmt"
	"os"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
)

// Floor is the loaded and attached minimal tracer.
type Floor struct {
	objs  floorObjects
	l     link.Link
	enter []link.Link
}

// EnterSyscalls are the syscalls the driver has enter events for; the
// Hooks and Copy floors write a record on each of their enter tracepoints
// too.
var EnterSyscalls = []string{"open", "openat", "openat2", "creat", "connect"}

// Kind selects what the floor attaches to and writes.
type Kind int

const (
	// Exit: one record per syscall exit.
	Exit Kind = iota
	// Hooks: also one record per hit of the enter tracepoints of
	// EnterSyscalls (the hooks the driver uses).
	Hooks
	// Copy: as Hooks, and the records of open-like calls hold the path
	// and those of read and write the first 80 bytes of data, read from
	// user memory (the content the driver must copy).
	Copy
)

// String names the kind as the benchmarks report it.
func (k Kind) String() string {
	switch k {
	case Exit:
		return "floor"
	case Hooks:
		return "floor-hooks"
	default:
		return "floor-copy"
	}
}

// Attach loads the floor program, excluding the calling process, and
// attaches it as kind says.
func Attach(kind Kind) (*Floor, error) {
	spec, err := loadFloor()
	if err != nil {
		return nil, fmt.Errorf("floor: %w", err)
	}
	if err := spec.Variables["self_tgid"].Set(uint32(os.Getpid())); err != nil {
		return nil, fmt.Errorf("floor: %w", err)
	}
	if err := spec.Variables["copy"].Set(kind == Copy); err != nil {
		return nil, fmt.Errorf("floor: %w", err)
	}
	f := &Floor{}
	if err := spec.LoadAndAssign(&f.objs, nil); err != nil {
		return nil, fmt.Errorf("floor: load: %w", err)
	}
	f.l, err = link.AttachTracing(link.TracingOptions{Program: f.objs.FloorExit})
	if err != nil {
		f.objs.Close()
		return nil, fmt.Errorf("floor: attach: %w", err)
	}
	if kind != Exit {
		for _, sc := range EnterSyscalls {
			prog := f.objs.FloorEnter
			if sc == "connect" {
				prog = f.objs.FloorEnterConnect
			}
			l, err := link.Tracepoint("syscalls", "sys_enter_"+sc, prog, nil)
			if err != nil {
				f.Close()
				return nil, fmt.Errorf("floor: attach to sys_enter_%s: %w", sc, err)
			}
			f.enter = append(f.enter, l)
		}
	}
	return f, nil
}

// Ring returns the ring buffer map the program writes to.
func (f *Floor) Ring() *ebpf.Map { return f.objs.Ring }

// RingSize is the size of the ring buffer in bytes.
const RingSize = 1 << 24

// Close detaches and unloads the program.
func (f *Floor) Close() error {
	var err error
	for _, l := range f.enter {
		if cerr := l.Close(); err == nil {
			err = cerr
		}
	}
	if cerr := f.l.Close(); err == nil {
		err = cerr
	}
	if cerr := f.objs.Close(); err == nil {
		err = cerr
	}
	return err
}

// Program returns the floor's exit program (for its run-time statistics).
func (f *Floor) Program() *ebpf.Program { return f.objs.FloorExit }

// EnterProgram returns the floor's enter program of the open-like calls.
func (f *Floor) EnterProgram() *ebpf.Program { return f.objs.FloorEnter }
