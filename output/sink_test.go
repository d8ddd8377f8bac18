package output

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func msg(body string, p Priority) Message {
	return Message{Alert: &Alert{Priority: p, Rule: "r"}, Body: []byte(body)}
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.TrimSuffix(string(b), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func TestFileSink(t *testing.T) {
	ctx := context.Background()
	for _, keep := range []bool{false, true} {
		for _, buffered := range []bool{false, true} {
			path := filepath.Join(t.TempDir(), "alerts.txt")
			if err := os.WriteFile(path, []byte("existing\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := NewFileSink(FileOptions{Path: path, KeepAlive: keep, Buffered: buffered})
			if err != nil {
				t.Fatal(err)
			}
			for i := range 3 {
				if err := s.Write(ctx, msg("line "+strconv.Itoa(i), PriorityWarning)); err != nil {
					t.Fatal(err)
				}
			}
			if !keep || !buffered {
				// Unbuffered writes (and per-alert files) are on disk at once.
				if got := readLines(t, path); len(got) != 4 {
					t.Errorf("keep=%v buffered=%v before close: %q", keep, buffered, got)
				}
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			got := readLines(t, path)
			if strings.Join(got, "|") != "existing|line 0|line 1|line 2" {
				t.Errorf("keep=%v buffered=%v: %q", keep, buffered, got)
			}
		}
	}
}

func TestFileSinkReopen(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "alerts.txt")
	s, err := NewFileSink(FileOptions{Path: path, KeepAlive: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if err := s.Write(ctx, msg("before", PriorityNotice)); err != nil {
		t.Fatal(err)
	}
	// Rotate: the open file moves away; without reopening, writes follow it.
	rotated := filepath.Join(dir, "alerts.txt.1")
	if err := os.Rename(path, rotated); err != nil {
		t.Fatal(err)
	}
	if err := s.Write(ctx, msg("still old", PriorityNotice)); err != nil {
		t.Fatal(err)
	}
	if err := s.Reopen(); err != nil {
		t.Fatal(err)
	}
	if err := s.Write(ctx, msg("after", PriorityNotice)); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(readLines(t, rotated), "|"); got != "before|still old" {
		t.Errorf("rotated file: %q", got)
	}
	if got := strings.Join(readLines(t, path), "|"); got != "after" {
		t.Errorf("new file: %q", got)
	}
}

func TestFileSinkErrors(t *testing.T) {
	if _, err := NewFileSink(FileOptions{}); err == nil {
		t.Error("empty path accepted")
	}
	s, err := NewFileSink(FileOptions{Path: filepath.Join(t.TempDir(), "no", "such", "dir", "f")})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Check(); err == nil {
		t.Error("Check succeeded on a missing directory")
	}
	if err := s.Write(context.Background(), msg("x", PriorityDebug)); err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("write to missing directory: %v", err)
	}
}

func TestProgramSink(t *testing.T) {
	ctx := context.Background()
	for _, keep := range []bool{false, true} {
		out := filepath.Join(t.TempDir(), "out.txt")
		// With keep_alive one program receives every line; without, one
		// program per alert, so the command appends.
		prog := "cat >> '" + out + "'"
		var stdout bytes.Buffer
		s, err := NewProgramSink(ProgramOptions{Program: prog, KeepAlive: keep, Stdout: &stdout})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			if err := s.Write(ctx, msg("alert "+strconv.Itoa(i), PriorityError)); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(readLines(t, out), "|"); got != "alert 0|alert 1|alert 2" {
			t.Errorf("keep=%v: %q", keep, got)
		}
	}
}

func TestProgramSinkOneProcess(t *testing.T) {
	// Each start of the program writes a marker to stdout: keep_alive
	// starts it once, otherwise once per alert.
	for _, c := range []struct {
		keep bool
		want int
	}{{true, 1}, {false, 3}} {
		var stdout bytes.Buffer
		s, err := NewProgramSink(ProgramOptions{Program: "echo started; cat >/dev/null", KeepAlive: c.keep, Stdout: &stdout})
		if err != nil {
			t.Fatal(err)
		}
		for range 3 {
			if err := s.Write(context.Background(), msg("x", PriorityError)); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(stdout.String(), "started"); n != c.want {
			t.Errorf("keep=%v: %d starts, want %d", c.keep, n, c.want)
		}
	}
}

func TestProgramSinkFailure(t *testing.T) {
	s, err := NewProgramSink(ProgramOptions{Program: "cat >/dev/null; exit 3"})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Write(context.Background(), msg("x", PriorityError))
	var ee interface{ ExitCode() int }
	if !errors.As(err, &ee) || ee.ExitCode() != 3 {
		t.Errorf("want exit status 3, got %v", err)
	}
	if _, err := NewProgramSink(ProgramOptions{}); err == nil {
		t.Error("empty program accepted")
	}
}

func listenUnixgram(t *testing.T, path string) *net.UnixConn {
	t.Helper()
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func readDatagram(t *testing.T, c *net.UnixConn) string {
	t.Helper()
	buf := make([]byte, 65536)
	n, _, err := c.ReadFrom(buf)
	if err != nil {
		t.Fatal(err)
	}
	return string(buf[:n])
}

func TestSyslogSink(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	srv := listenUnixgram(t, path)
	s := NewSyslogSink(SyslogOptions{Address: path})
	defer s.Close()
	ctx := context.Background()
	if err := s.Write(ctx, msg("12:00:00.000000000: Warning hello", PriorityWarning)); err != nil {
		t.Fatal(err)
	}
	rec := readDatagram(t, srv)
	// user facility (1) * 8 + warning (4) = 12
	prefix := "<12>"
	tag := " syscope[" + strconv.Itoa(os.Getpid()) + "]: "
	if !strings.HasPrefix(rec, prefix) || !strings.HasSuffix(rec, tag+"12:00:00.000000000: Warning hello") {
		t.Errorf("record %q", rec)
	}
	if err := s.Write(ctx, msg("boom", PriorityEmergency)); err != nil {
		t.Fatal(err)
	}
	if rec := readDatagram(t, srv); !strings.HasPrefix(rec, "<8>") {
		t.Errorf("emergency record %q", rec)
	}

	// The daemon restarts: the sink reconnects.
	srv.Close()
	os.Remove(path)
	srv = listenUnixgram(t, path)
	defer srv.Close()
	if err := s.Write(ctx, msg("again", PriorityDebug)); err != nil {
		t.Fatal(err)
	}
	if rec := readDatagram(t, srv); !strings.HasPrefix(rec, "<15>") || !strings.HasSuffix(rec, ": again") {
		t.Errorf("after restart %q", rec)
	}
}

func TestSyslogSinkStream(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	got := make(chan string, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			got <- err.Error()
			return
		}
		defer c.Close()
		buf := make([]byte, 4096)
		var all []byte
		for !bytes.Contains(all, []byte("second\n")) {
			n, err := c.Read(buf)
			if err != nil {
				break
			}
			all = append(all, buf[:n]...)
		}
		got <- string(all)
	}()
	s := NewSyslogSink(SyslogOptions{Address: path, Tag: "t", Facility: FacilityLocal0})
	defer s.Close()
	for _, m := range []string{"first", "second"} {
		if err := s.Write(context.Background(), msg(m, PriorityNotice)); err != nil {
			t.Fatal(err)
		}
	}
	recs := strings.Split(strings.TrimSuffix(<-got, "\n"), "\n")
	// local0 (16) * 8 + notice (5) = 133
	if len(recs) != 2 || !strings.HasPrefix(recs[0], "<133>") || !strings.HasSuffix(recs[0], "]: first") || !strings.HasSuffix(recs[1], "]: second") {
		t.Errorf("stream records %q", recs)
	}
}

func TestSyslogSinkNoDaemon(t *testing.T) {
	s := NewSyslogSink(SyslogOptions{Address: filepath.Join(t.TempDir(), "nothing")})
	if err := s.Write(context.Background(), msg("x", PriorityDebug)); err == nil {
		t.Error("write without a daemon succeeded")
	}
}
