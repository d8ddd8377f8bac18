package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/syscope/syscope/container"
	"github.com/syscope/syscope/container/capture"
	"github.com/syscope/syscope/container/engines"
	"github.com/syscope/syscope/driver"
	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/fields"
	containerfields "github.com/syscope/syscope/fields/container"
	"github.com/syscope/syscope/format"
	"github.com/syscope/syscope/inspect"
	"github.com/syscope/syscope/scap"
)

// captureOptions are the flags of `syscope capture`.
type captureOptions struct {
	out      string
	compress bool
	snaplen  int
	protoLen int
	count    int64
	seconds  float64
	format   string
	json     bool
	verbose  bool
	pids     []int
	ringSize int
	shared   bool
	compat   bool
}

func init() {
	subcommands = append(subcommands, func() *cobra.Command {
		var o captureOptions
		c := &cobra.Command{
			Use:   "capture [-w FILE] [-z] [-s SNAPLEN] [-n N] [-M SECONDS] [FILTER...]",
			Short: "Capture live system calls with the eBPF driver and print them, or save them to a capture file",
			Long: `Capture the system's live system calls and process events with syscope's
eBPF driver (root, or CAP_BPF and CAP_PERFMON, and a kernel with BTF).

Without -w events print as 'syscope read' prints them; with -w they are
written to a capture file that syscope read, sysdig and Wireshark open.
Trailing words form a filter in the sysdig/Falco language, for example:
  syscope capture -n 100 evt.type=execve
The capture stops after -n events, after -M seconds, or on Ctrl-C. Events
the kernel could not deliver (full ring buffers) are counted and reported
at the end.`,
			RunE: func(cmd *cobra.Command, args []string) error {
				return runCapture(cmd.Context(), cmd.OutOrStdout(), &o, strings.Join(args, " "))
			},
		}
		f := c.Flags()
		f.StringVarP(&o.out, "write", "w", "", "write the captured events to this capture file instead of printing them")
		f.BoolVarP(&o.compress, "compress", "z", false, "gzip the file written with -w")
		f.IntVarP(&o.snaplen, "snaplen", "s", driver.DefaultSnaplen, "bytes of I/O data captured per read, write, send or receive")
		f.IntVar(&o.protoLen, "proto-snaplen", driver.DefaultProtoSnaplen, "bytes of I/O data captured on sockets when the data starts like HTTP (0: the snaplen)")
		f.Int64VarP(&o.count, "numevents", "n", 0, "stop after this many events (0: no limit)")
		f.Float64VarP(&o.seconds, "seconds", "M", 0, "stop after this many seconds (0: no limit)")
		f.StringVarP(&o.format, "print", "p", "", "output format (sysdig -p syntax)")
		f.BoolVarP(&o.json, "json", "j", false, "print events as JSON objects")
		f.BoolVarP(&o.verbose, "verbose", "v", false, "print data buffers whole (not cut at 80 characters)")
		f.IntSliceVar(&o.pids, "pid", nil, "capture only these processes and their descendants")
		f.IntVar(&o.ringSize, "ring-size", driver.DefaultRingSize, "size in bytes of each ring buffer (a power of two)")
		f.BoolVar(&o.shared, "shared-ring", false, "use one ring buffer for all CPUs instead of one per CPU")
		f.BoolVar(&o.compat, "sysdig-compat", true, "with -w, write what sysdig 0.29.3 reads: its process entry layout, descriptors of kinds it does not know (bpf, userfaultfd, io_uring, memfd, pidfd) as unsupported, events of newer types as the events its drivers wrote, and the enter events it takes descriptors from")
		return c
	})
}

func runCapture(ctx context.Context, stdout io.Writer, o *captureOptions, filterText string) error {
	mode := driver.RingPerCPU
	if o.shared {
		mode = driver.RingShared
	}
	src, err := driver.Open(&driver.Options{
		Mode:         mode,
		RingSize:     o.ringSize,
		Snaplen:      o.snaplen,
		ProtoSnaplen: protoSnaplen(o.protoLen),
		Pids:         o.pids,
	})
	if err != nil {
		return fmt.Errorf("capture: %w", err)
	}
	// Next blocks until an event arrives: stopping means closing the source.
	stop := context.AfterFunc(ctx, func() { src.Close() })
	defer stop()
	if o.seconds > 0 {
		t := time.AfterFunc(time.Duration(o.seconds*float64(time.Second)), func() { src.Close() })
		defer t.Stop()
	}

	iopts := &inspect.Options{Compat: fields.Sysdig029}
	if o.json {
		iopts.BufFormat = event.BufJSON
		iopts.MaxBufLen = -1
	} else if o.verbose {
		iopts.MaxBufLen = -1
	}
	in, err := inspect.New(src, iopts)
	if err != nil {
		src.Close()
		return fmt.Errorf("capture: %w", err)
	}
	defer in.Close()
	// Container metadata comes from the runtimes found on this host,
	// looked up in the background.
	ctrs, err := engines.NewManager(engines.Config{}, container.Options{})
	if err != nil {
		slog.Warn("capture: no container runtime client", "err", err)
		ctrs = container.NewManager(container.Options{})
	}
	defer ctrs.Close()
	tracker := containerfields.NewTracker(ctrs, nil)
	tracker.Attach(in.Env())
	if _, err := src.MetadataErr(); err != nil {
		slog.Warn("capture: the /proc snapshot is incomplete", "err", err)
	}
	if err := in.SetFilter(filterText); err != nil {
		return fmt.Errorf("capture: %w", err)
	}

	var n int64
	if o.out != "" {
		n, err = captureToFile(in, src, o, ctrs, tracker)
	} else {
		n, err = capturePrint(in, stdout, o)
	}
	src.Close()
	st := src.Stats()
	if st.Lost > 0 {
		slog.Warn("capture: events lost in the kernel (ring buffers full)", "lost", st.Lost,
			"process", st.Drops[driver.DropProcess], "file", st.Drops[driver.DropFile],
			"net", st.Drops[driver.DropNet], "io", st.Drops[driver.DropIO],
			"other", st.Drops[driver.DropOther], "oversize", st.Oversize)
	}
	slog.Info("capture: done", "events", st.Read, "kept", n, "lost", st.Lost)
	return err
}

func capturePrint(in *inspect.Inspector, stdout io.Writer, o *captureOptions) (int64, error) {
	fm, err := format.New(printTemplate(o.format), in.Resolver(), &format.Options{JSON: o.json})
	if err != nil {
		return 0, fmt.Errorf("capture: -p: %w", err)
	}
	bw := bufio.NewWriterSize(stdout, 64<<10)
	defer bw.Flush()
	var line []byte
	var n int64
	flushed := time.Now()
	for o.count == 0 || n < o.count {
		c, err := in.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return n, fmt.Errorf("capture: %w", err)
		}
		if inspect.Hidden(c) {
			continue
		}
		var ok bool
		line, ok = fm.Append(line[:0], c)
		if !ok {
			continue
		}
		n++
		line = append(line, '\n')
		if _, err := bw.Write(line); err != nil {
			return n, fmt.Errorf("capture: write output: %w", err)
		}
		// Live output: flush every 256 lines, and at least every 100ms
		// while events keep coming.
		if now := time.Now(); n&255 == 0 || now.Sub(flushed) > 100*time.Millisecond {
			bw.Flush()
			flushed = now
		}
	}
	return n, nil
}

// captureToFile writes the events the filter keeps to o.out, each
// container's metadata (as container events) before the first event of a
// process in it.
func captureToFile(in *inspect.Inspector, src *driver.Source, o *captureOptions, ctrs *container.Manager, tr *containerfields.Tracker) (int64, error) {
	md := src.Metadata()
	if o.compat {
		md = sysdigCompatible(md)
	}
	w, err := scap.Create(o.out, md, &scap.WriterOptions{Compress: o.compress, LegacyProcessTail: o.compat})
	if err != nil {
		return 0, fmt.Errorf("capture: -w: %w", err)
	}
	rec := capture.NewRecorder(w, ctrs, nil)
	var dg *downgrader
	if o.compat {
		dg = newDowngrader()
	}
	var single [1]*event.Event
	last := uint64(time.Now().UnixNano())
	if err := rec.Sync(last); err != nil {
		w.Close()
		return 0, fmt.Errorf("capture: -w %s: %w", o.out, err)
	}
	var n int64
	for o.count == 0 || n < o.count {
		c, err := in.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			w.Close()
			return n, fmt.Errorf("capture: %w", err)
		}
		last = c.Evt.Ts()
		if c.Thread != nil {
			if _, ctr := tr.Container(c.Thread); ctr != nil {
				if err := rec.Observe(ctr, last); err != nil {
					w.Close()
					return n, fmt.Errorf("capture: -w %s: %w", o.out, err)
				}
			}
		}
		single[0] = c.Evt
		evs := single[:]
		if dg != nil {
			evs = dg.events(c.Evt)
		}
		for _, ev := range evs {
			if err := w.WriteEvent(ev); err != nil {
				w.Close()
				return n, fmt.Errorf("capture: -w %s: %w", o.out, err)
			}
		}
		n++
	}
	if err := rec.Sync(last); err != nil {
		w.Close()
		return n, fmt.Errorf("capture: -w %s: %w", o.out, err)
	}
	if err := w.Close(); err != nil {
		return n, fmt.Errorf("capture: -w %s: %w", o.out, err)
	}
	return n, nil
}

// protoSnaplen maps the --proto-snaplen flag (0: off) to
// driver.Options.ProtoSnaplen (0: default, negative: off).
func protoSnaplen(n int) int {
	if n <= 0 {
		return -1
	}
	return n
}
