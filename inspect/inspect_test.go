package inspect_test

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/syscope/syscope/filter"
	"github.com/syscope/syscope/inspect"
	"github.com/syscope/syscope/internal/testenv"
	"github.com/syscope/syscope/scap"
)

func TestSetFilterErrors(t *testing.T) {
	r := loadReplay(t, "curl_google.scap")
	in, err := inspect.New(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = in.SetFilter("evt.type = open and proc.nosuch = 3")
	var ce *filter.CompileError
	if !errors.As(err, &ce) || ce.Pos.Col != 21 || !errors.Is(err, filter.ErrUnknownField) {
		t.Errorf("unknown field: %v", err)
	}
	if err := in.SetFilter("evt.type = "); err == nil || !strings.Contains(err.Error(), "1:") {
		t.Errorf("syntax error without position: %v", err)
	}
	if _, err := inspect.New(nil, nil); err == nil {
		t.Error("nil source accepted")
	}
}

// TestNextCounts reads a capture through a filter and checks the counters
// and that hidden (internal) events are the process-info snapshots.
func TestNextCounts(t *testing.T) {
	r := loadReplay(t, "curl_google.scap")
	total := len(r.evs)
	r.stop = total
	in, err := inspect.New(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := in.SetFilter("evt.type in (open, procinfo)"); err != nil {
		t.Fatal(err)
	}
	kept, hidden, opens := 0, 0, 0
	last := uint64(0)
	for {
		c, err := in.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if c.Evt.Num <= last {
			t.Fatalf("event numbers go back: %d after %d", c.Evt.Num, last)
		}
		last = c.Evt.Num
		kept++
		switch name := c.Evt.Info().Name; {
		case inspect.Hidden(c):
			hidden++
			if name != "procinfo" {
				t.Errorf("hidden event %s", name)
			}
		case name == "open":
			opens++
		default:
			t.Errorf("filter let %s through", name)
		}
	}
	s := in.Stats()
	if s.Events != uint64(total) || s.Kept != uint64(kept) || s.Kept+s.Filtered != s.Events {
		t.Errorf("stats %+v for %d events, %d kept", s, total, kept)
	}
	if hidden == 0 || opens == 0 {
		t.Errorf("%d procinfo and %d open events", hidden, opens)
	}
	if in.Env().FirstTs == 0 || in.Env().FirstTs != r.evs[0].Ts() {
		t.Errorf("first timestamp %d", in.Env().FirstTs)
	}
}

// TestWriteCapture checks `syscope read -w`: the written capture holds the
// events the filter kept, in order, and sysdig reads as many from it.
func TestWriteCapture(t *testing.T) {
	shared := testenv.SharedDir(t, "testdata/queries.tsv")
	bin := syscopeBin(t)
	capFile := filepath.Join(shared, "testdata", "captures", "curl_google.scap")
	dir := t.TempDir()
	const flt = "evt.type in (open, close, read) and fd.name contains lib"
	const f = "%evt.type %evt.dir %evt.args"
	want := run(t, bin, "read", "-r", capFile, "-p", f, flt)
	if len(want) == 0 {
		t.Fatal("the filter kept nothing")
	}
	for _, z := range []bool{false, true} {
		out := filepath.Join(dir, "out.scap")
		args := []string{"read", "-r", capFile, "-w", out}
		if z {
			args = append(args, "-z")
		}
		run(t, bin, append(args, flt)...)
		raw, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if gz := len(raw) > 2 && raw[0] == 0x1f && raw[1] == 0x8b; gz != z {
			t.Errorf("-z=%v wrote gzip=%v", z, gz)
		}
		got := run(t, bin, "read", "-r", out, "-p", f)
		if string(got) != string(want) {
			same, total, first := compare(want, got)
			t.Errorf("-z=%v: re-read capture: %d/%d lines as the filtered original; first difference %s", z, same, total, first)
		}
		src, err := scap.Open(out)
		if err != nil {
			t.Fatal(err)
		}
		if len(src.Metadata().Processes) == 0 {
			t.Error("written capture has no process list")
		}
		src.Close()
		// sysdig reads the same events from the written capture and prints
		// them as syscope does (both with the default format).
		if p, err := exec.LookPath("sysdig"); err == nil || testenv.CI() {
			if err != nil {
				t.Fatalf("sysdig is required under CI: %v", err)
			}
			sd := run(t, p, "-r", out)
			mine := run(t, bin, "read", "-r", out)
			if same, total, first := compare(sd, mine); same != total {
				t.Errorf("-z=%v: sysdig and syscope read the written capture differently: %d/%d lines identical; %s", z, same, total, first)
			}
			if n, m := strings.Count(string(sd), "\n"), strings.Count(string(got), "\n"); n != m {
				t.Errorf("-z=%v: sysdig reads %d events from the written capture, syscope %d", z, n, m)
			}
		}
	}
}
