package event_test

import (
	"errors"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/internal/testenv"
	"github.com/syscope/syscope/scap"
)

// Oracle tests over the shared captures, read with package scap: the
// rendering of every event sysdig prints is compared with sysdig's output.
// Resolutions that need process state (fd names, thread commands, users)
// are wildcards; the tests also count the lines that match exactly without
// any state.

// readEvents returns a copy of every event of a capture.
func readEvents(t *testing.T, path string) []event.Event {
	t.Helper()
	r, err := scap.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var evs []event.Event
	for {
		var e event.Event
		err := r.Next(&e)
		if errors.Is(err, io.EOF) {
			return evs
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		e.Raw = append([]byte(nil), e.Raw...)
		evs = append(evs, e)
	}
}

func captures(t *testing.T) []string {
	shared := testenv.SharedDir(t)
	caps, err := filepath.Glob(filepath.Join(shared, "testdata", "captures", "*.scap"))
	if err != nil || len(caps) == 0 {
		t.Fatalf("no captures under %s: %v", shared, err)
	}
	return caps
}

// sysdigTwin returns the capture sysdig reads in place of capture:
// curl_google_comments.scap, which sysdig 0.29.3 cannot open, holds the
// events of curl_google.scap.
func sysdigTwin(capture string) string {
	if filepath.Base(capture) == "curl_google_comments.scap" {
		return filepath.Join(filepath.Dir(capture), "curl_google.scap")
	}
	return capture
}

func TestArgsMatchSysdig(t *testing.T) {
	for _, capture := range captures(t) {
		t.Run(filepath.Base(capture), func(t *testing.T) {
			want := event.SysdigArgsForTest(t, sysdigTwin(capture))
			probe := &event.RenderOptions{Resolver: event.ProbeResolverForTest{}}
			var exact, withState, compared int
			var buf []byte
			for _, e := range readEvents(t, capture) {
				w, ok := want[e.Num]
				if !ok {
					continue // sysdig did not print this event
				}
				compared++
				buf = event.AppendArgs(buf[:0], &e, nil)
				if string(buf) == w {
					exact++
				}
				buf = event.AppendArgs(buf[:0], &e, probe)
				if event.MatchStateForTest(string(buf), w) {
					withState++
				} else {
					t.Errorf("event %d (%s): sysdig %q, rendered %q", e.Num, e.Type(), w, event.MarkersVisibleForTest(buf))
				}
			}
			if compared != len(want) {
				t.Errorf("sysdig printed %d events, the capture reader found %d of them", len(want), compared)
			}
			t.Logf("%d lines; %d match with state wildcards, %d match exactly without state", compared, withState, exact)
		})
	}
}

// TestArgNMatchesSysdig compares %evt.arg[N] (the resolution, else the
// value) for the first eight parameters of every event sysdig prints.
func TestArgNMatchesSysdig(t *testing.T) {
	const n = 8
	var format strings.Builder
	format.WriteString("*\x1e%evt.num")
	for i := 0; i < n; i++ {
		format.WriteString("\x1f%evt.arg[" + strconv.Itoa(i) + "]")
	}
	for _, capture := range captures(t) {
		if sysdigTwin(capture) != capture {
			continue
		}
		t.Run(filepath.Base(capture), func(t *testing.T) {
			printed := event.SysdigArgsForTest(t, capture)
			out, stderr, err := event.RunSysdigForTest(t, capture, format.String())
			if err != nil {
				t.Fatalf("sysdig: %v: %s", err, stderr)
			}
			got := map[string]string{}
			for _, rec := range strings.Split(out, "\x1e")[1:] {
				num, rest, _ := strings.Cut(strings.TrimSuffix(rec, "\n"), "\x1f")
				got[num] = rest
			}
			probe := &event.RenderOptions{Resolver: event.ProbeResolverForTest{}}
			compared := 0
			var line []byte
			for _, e := range readEvents(t, capture) {
				if _, ok := printed[e.Num]; !ok {
					continue
				}
				w, ok := got[strconv.FormatUint(e.Num, 10)]
				if !ok {
					t.Errorf("event %d: missing from sysdig's evt.arg output", e.Num)
					continue
				}
				compared++
				line = line[:0]
				for i := 0; i < n; i++ {
					if i > 0 {
						line = append(line, '\x1f')
					}
					var ok bool
					if line, ok = event.AppendArg(line, &e, i, probe); !ok {
						line = append(line, "<NA>"...)
					}
				}
				if !event.MatchStateForTest(string(line), w) {
					t.Errorf("event %d (%s): sysdig %q, rendered %q", e.Num, e.Type(), w, event.MarkersVisibleForTest(line))
				}
			}
			if compared != len(got) {
				t.Errorf("compared %d events, sysdig printed %d", compared, len(got))
			}
		})
	}
}

// TestRawArgMatchesSysdig compares %evt.rawarg.NAME, typed as sysdig types
// it (LongestParamMatch, print format FmtNa), including sysdig's failure on
// the types it cannot print raw.
func TestRawArgMatchesSysdig(t *testing.T) {
	var capture string
	for _, c := range captures(t) {
		if filepath.Base(c) == "curl_google.scap" {
			capture = c
		}
	}
	if capture == "" {
		t.Fatal("curl_google.scap missing")
	}
	printed := event.SysdigArgsForTest(t, capture)
	evs := readEvents(t, capture)
	for _, name := range []string{"res", "name", "size", "addr", "mode", "ptid", "tid", "cwd", "data", "fd", "tuple", "flags"} {
		t.Run(name, func(t *testing.T) {
			out, stderr, err := event.RunSysdigForTest(t, capture, "*%evt.num %evt.rawarg."+name)
			pi := event.LongestParamMatch(name)
			if pi == nil || pi.Name != name {
				t.Fatalf("LongestParamMatch(%q) = %v", name, pi)
			}
			var want []byte
			var typeErr error
			for i := range evs {
				e := &evs[i]
				if _, ok := printed[e.Num]; !ok {
					continue
				}
				line := strconv.AppendUint(nil, e.Num, 10)
				line = append(line, ' ')
				idx := -1
				for j := 0; j < event.RenderedParams(e, event.FlavorSysdig); j++ {
					if e.Info().Params[j].Name == name {
						idx = j
						break
					}
				}
				if idx < 0 {
					want = append(append(want, line...), "<NA>\n"...)
					continue
				}
				b, _ := e.Param(idx)
				v, rerr := event.AppendRaw(line, b, pi.Type, event.FmtNa)
				if errors.Is(rerr, event.ErrRawFormat) {
					v = append(line, "<NA>"...)
				} else if rerr != nil {
					typeErr = rerr
					break
				}
				want = append(append(want, v...), '\n')
			}
			if typeErr != nil {
				if err == nil || !strings.Contains(stderr, typeErr.Error()) {
					t.Errorf("rendering failed with %q; sysdig: err %v, stderr %q", typeErr, err, stderr)
				}
			} else if err != nil {
				t.Fatalf("sysdig: %v: %s", err, stderr)
			}
			if out != string(want) {
				t.Errorf("output differs from sysdig's (%d vs %d bytes); first difference at byte %d", len(want), len(out), event.FirstDiffForTest(out, string(want)))
			}
		})
	}
}
