package scap

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/syscope/syscope/event"
)

// signalHelper runs in a child process (the test binary re-executed): it
// writes events until SIGINT or SIGTERM, then closes the writer and exits,
// the way a capture command does.
func signalHelper(path string, compress bool) {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	md := &Metadata{Machine: &MachineInfo{NumCPUs: 1, Hostname: "signal"}, Processes: []Process{sampleProcess(7)}}
	w, err := Create(path, md, &WriterOptions{Compress: compress})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(2)
	}
	raw := closeEvent(0, 7, 3)
	e := event.Event{Raw: raw}
	for i := uint64(1); ; i++ {
		select {
		case <-sig:
			if err := w.Close(); err != nil {
				fmt.Println("error", err)
				os.Exit(2)
			}
			os.Exit(0)
		default:
		}
		e.Num = i
		if err := w.WriteEvent(&e); err != nil {
			fmt.Println("error", err)
			os.Exit(2)
		}
		if i == 5000 {
			fmt.Println("ready")
		}
	}
}

// TestCompleteAfterSignal interrupts a writing process with SIGINT and
// SIGTERM: the capture it leaves reads to the end without error.
func TestCompleteAfterSignal(t *testing.T) {
	if p := os.Getenv("SCAP_SIGNAL_HELPER"); p != "" {
		signalHelper(p, os.Getenv("SCAP_SIGNAL_GZIP") == "1")
		return
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		for _, gz := range []bool{false, true} {
			path := filepath.Join(t.TempDir(), "sig.scap")
			cmd := exec.Command(os.Args[0], "-test.run=^TestCompleteAfterSignal$")
			cmd.Env = append(os.Environ(), "SCAP_SIGNAL_HELPER="+path)
			if gz {
				cmd.Env = append(cmd.Env, "SCAP_SIGNAL_GZIP=1")
			}
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			line, err := bufio.NewReader(out).ReadString('\n')
			if err != nil || line != "ready\n" {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("helper said %q, %v", line, err)
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			if err := cmd.Wait(); err != nil {
				t.Fatalf("%v gzip=%v: helper: %v", sig, gz, err)
			}
			md, evs := readFile(t, path)
			if len(evs) < 5000 || md.Machine == nil || md.Machine.Hostname != "signal" {
				t.Fatalf("%v gzip=%v: %d events, machine %+v", sig, gz, len(evs), md.Machine)
			}
			t.Logf("%v gzip=%v: %d events", sig, gz, len(evs))
		}
	}
}
