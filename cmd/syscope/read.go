package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/syscope/syscope/container"
	"github.com/syscope/syscope/container/capture"
	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/fields"
	containerfields "github.com/syscope/syscope/fields/container"
	"github.com/syscope/syscope/format"
	"github.com/syscope/syscope/inspect"
	"github.com/syscope/syscope/scap"
)

// readOptions are the flags of `syscope read`.
type readOptions struct {
	file       string
	count      int64
	format     string
	json       bool
	out        string
	compress   bool
	verbose    bool
	debug      bool
	timeFormat string
}

func init() {
	subcommands = append(subcommands, func() *cobra.Command {
		var o readOptions
		c := &cobra.Command{
			Use:   "read -r FILE [flags] [FILTER...]",
			Short: "Read a capture file and print (or save) its events, like sysdig -r",
			Long: `Read a capture file and print its events as sysdig does.

Trailing words form a filter in the sysdig/Falco language, for example:
  syscope read -r trace.scap evt.type=open and fd.name contains /etc

Without -p events print in sysdig's default format:
  ` + format.Default + `
A format starting with '*' prints events even when some fields have no
value (shown as <NA>); otherwise such events are skipped. With -w the events
the filter keeps are written to a new capture instead of printed.`,
			RunE: func(cmd *cobra.Command, args []string) error {
				return runRead(cmd.Context(), cmd.OutOrStdout(), &o, strings.Join(args, " "))
			},
		}
		f := c.Flags()
		f.StringVarP(&o.file, "read", "r", "", "capture file to read (gzip compressed or not)")
		f.Int64VarP(&o.count, "numevents", "n", 0, "stop after this many events (0: no limit)")
		f.StringVarP(&o.format, "print", "p", "", "output format (sysdig -p syntax; -pc and -pk: sysdig's container and Kubernetes formats)")
		f.BoolVarP(&o.json, "json", "j", false, "print events as JSON objects")
		f.StringVarP(&o.out, "write", "w", "", "write the events the filter keeps to this capture file instead of printing them")
		f.BoolVarP(&o.compress, "compress", "z", false, "gzip the file written with -w")
		f.BoolVarP(&o.verbose, "verbose", "v", false, "print data buffers whole (not cut at 80 characters)")
		f.BoolVarP(&o.debug, "debug", "D", false, "also print internal events (process-info snapshots and the like)")
		f.StringVarP(&o.timeFormat, "time", "t", "h", "evt.outputtime form: h (hh:mm:ss.ns), a (absolute s.ns), r (relative to the first event), d (latency), D (delta from the previous event)")
		_ = c.MarkFlagRequired("read")
		return c
	})
}

func runRead(ctx context.Context, stdout io.Writer, o *readOptions, filterText string) error {
	if len(o.timeFormat) != 1 || !strings.Contains("harDd", o.timeFormat) {
		return fmt.Errorf("read: -t takes h, a, r, d or D, not %q", o.timeFormat)
	}
	src, err := scap.Open(o.file)
	if err != nil {
		return fmt.Errorf("read: %w", err)
	}
	iopts := &inspect.Options{
		Compat:     fields.Sysdig029,
		OutputTime: o.timeFormat[0],
	}
	if o.json {
		iopts.BufFormat = event.BufJSON
		iopts.MaxBufLen = -1
	} else if o.verbose {
		iopts.MaxBufLen = -1
	}
	// Container metadata recorded in the capture feeds container.* and k8s.*.
	ctrs := container.NewManager(container.Options{})
	defer ctrs.Close()
	in, err := inspect.New(capture.NewSource(src, ctrs), iopts)
	if err != nil {
		src.Close()
		return fmt.Errorf("read: %w", err)
	}
	defer in.Close()
	containerfields.NewTracker(ctrs, nil).Attach(in.Env())
	if err := in.SetFilter(filterText); err != nil {
		return fmt.Errorf("read: %w", err)
	}

	if o.out != "" {
		return readToCapture(ctx, in, o)
	}

	fm, err := format.New(printTemplate(o.format), in.Resolver(), &format.Options{JSON: o.json})
	if err != nil {
		return fmt.Errorf("read: -p: %w", err)
	}
	bw := bufio.NewWriterSize(stdout, 256<<10)
	var n int64
	for {
		if o.count > 0 && n >= o.count {
			break
		}
		if n&1023 == 0 && ctx.Err() != nil {
			break
		}
		c, err := in.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			bw.Flush()
			return fmt.Errorf("read %s: %w", o.file, err)
		}
		n++
		if !o.debug && inspect.Hidden(c) {
			continue
		}
		// Format straight into the output buffer's free space.
		if bw.Available() < 16<<10 {
			if err := bw.Flush(); err != nil {
				return fmt.Errorf("read: write output: %w", err)
			}
		}
		line, ok := fm.Append(bw.AvailableBuffer(), c)
		if !ok {
			continue
		}
		line = append(line, '\n')
		if _, err := bw.Write(line); err != nil {
			return fmt.Errorf("read: write output: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("read: write output: %w", err)
	}
	return nil
}

// readToCapture writes the events the filter keeps to o.out.
func readToCapture(ctx context.Context, in *inspect.Inspector, o *readOptions) error {
	w, err := scap.Create(o.out, in.Source().Metadata(), &scap.WriterOptions{Compress: o.compress})
	if err != nil {
		return fmt.Errorf("read: -w: %w", err)
	}
	var n int64
	for {
		if o.count > 0 && n >= o.count {
			break
		}
		if n&1023 == 0 && ctx.Err() != nil {
			break
		}
		c, err := in.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			w.Close()
			return fmt.Errorf("read %s: %w", o.file, err)
		}
		n++
		if err := w.WriteEvent(c.Evt); err != nil {
			w.Close()
			return fmt.Errorf("read: -w %s: %w", o.out, err)
		}
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("read: -w %s: %w", o.out, err)
	}
	return nil
}

// printTemplate turns a -p value into a format template: sysdig's default
// format when empty, its container (-pc) and Kubernetes (-pk) formats, or
// the given template with its escapes resolved.
func printTemplate(p string) string {
	switch p {
	case "":
		return format.Default
	case "c", "container":
		return containerfields.ContainerFormat
	case "k", "kubernetes":
		return containerfields.KubernetesFormat
	}
	return format.Unescape(p)
}
