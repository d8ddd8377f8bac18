package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/internal/testenv"
	"github.com/syscope/syscope/scap"
)

// TestCaptureWrite captures a small shell workload to a file with
// `syscope capture -w`, then checks that syscope read shows its events with
// the right process and file names, and that sysdig 0.29.3 and tshark open
// the file and see the same events.
func TestCaptureWrite(t *testing.T) {
	testenv.RequireRoot(t)
	sysdig := testenv.Tool(t, "sysdig")
	tshark := testenv.Tool(t, "tshark")
	dir := t.TempDir()
	data := filepath.Join(dir, "payload.txt")
	out := filepath.Join(dir, "capture.scap")

	// The workload waits for a line on stdin, so the capture can start
	// (filtered on its pid) before it does anything.
	w := exec.Command("/bin/sh", "-c", `read go; echo syscope-payload > "$1"; cat "$1" > /dev/null`, "sh", data)
	stdin, err := w.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Process.Kill()

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- runCapture(ctx, io.Discard, &captureOptions{
			out: out, pids: []int{w.Process.Pid}, snaplen: 80, ringSize: 1 << 20, compat: true,
		}, "")
	}()
	// The file exists once the driver is attached and the snapshot written.
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := os.Stat(out); err == nil {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("capture ended early: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("capture did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
	io.WriteString(stdin, "go\n")
	stdin.Close()
	if err := w.Wait(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // let the reader drain the rings
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	// How many events the file holds, per the capture reader.
	r, err := scap.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	var e event.Event
	n := 0
	for {
		err := r.Next(&e)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	r.Close()
	if n == 0 {
		t.Fatal("no events captured")
	}

	// syscope read: the workload's file events, with process and fd names.
	var buf bytes.Buffer
	if err := runRead(context.Background(), &buf, &readOptions{
		file: out, format: "%proc.name %evt.dir %evt.type %fd.name", timeFormat: "h",
	}, "fd.name contains payload.txt"); err != nil {
		t.Fatal(err)
	}
	got := buf.String()
	for _, want := range []string{
		"sh < openat " + data,
		"sh < write " + data,
		"cat < openat " + data,
		"cat < read " + data,
	} {
		if !strings.Contains(got, want+"\n") {
			t.Errorf("syscope read lacks %q; it printed:\n%s", want, got)
		}
	}

	// sysdig 0.29.3 opens the file and resolves the same descriptors and
	// names. The shell moves the file's descriptor to its standard output
	// with dup2, whose event type 0.29.3 does not know: the capture
	// carries it as the dup events 0.29.3 reads. And 0.29.3 takes the
	// descriptor of a read or write from its enter event, which the
	// capture carries (made from the exit event).
	so, err := exec.Command(sysdig, "-r", out, "-p", "%proc.name %evt.dir %evt.type %fd.num %fd.name", "fd.name contains payload.txt").CombinedOutput()
	if err != nil {
		t.Fatalf("sysdig -r: %v\n%s", err, so)
	}
	for _, want := range []string{"sh < dup 1 " + data, "sh > write 1 " + data, "sh < write 1 " + data, "cat < read 3 " + data} {
		if !strings.Contains(string(so), want+"\n") {
			t.Errorf("sysdig lacks %q; it printed:\n%s", want, so)
		}
	}

	// tshark opens it and sees every event as a frame.
	to, err := exec.Command(tshark, "-r", out).Output()
	if err != nil {
		t.Fatalf("tshark -r: %v\n%s", err, to)
	}
	if lines := strings.Count(string(to), "\n"); lines != n {
		t.Errorf("tshark shows %d frames, the file has %d events", lines, n)
	}
}
