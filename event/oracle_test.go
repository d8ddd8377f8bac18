package event

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// Markers a probeResolver writes where sysdig prints something that needs
// process state; stateLinePattern turns them into wildcards.
const (
	markOptional = "\x00" // "(\x00)": an optional "(...)" resolution
	markChar     = "\x01" // any one character (an fd's type character)
	markAny      = "\x02" // any text (a working directory)
)

// probeResolver knows every thread and marks every state-dependent
// resolution, so that a rendering can be compared with sysdig's output
// without the state sysdig builds.
type probeResolver struct{ NopResolver }

func (probeResolver) AppendFD(dst []byte, _ *Event, _ int64, _ bool) ([]byte, bool) {
	return append(dst, markOptional...), true
}
func (probeResolver) FDTypeChar(*Event, int64) (byte, bool) { return markChar[0], true }
func (probeResolver) AppendComm(dst []byte, _ int64) ([]byte, bool) {
	return append(dst, markOptional...), true
}
func (probeResolver) AppendUserName(dst []byte, _ *Event, _ uint32) ([]byte, bool) {
	return append(dst, markOptional...), true
}
func (probeResolver) AppendGroupName(dst []byte, _ *Event, _ uint32) ([]byte, bool) {
	return append(dst, markOptional...), true
}
func (probeResolver) AppendCwd(dst []byte, _ *Event) ([]byte, bool) {
	return append(dst, markAny+"/"...), true
}
func (probeResolver) AppendDirFD(dst []byte, _ *Event, _ int64) ([]byte, bool) {
	return append(dst, markAny...), true
}

// runeBytes maps every byte of s to its own rune (bytes from 0x80 to
// private-use runes), so that regular expressions can match arbitrary bytes.
func runeBytes(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x80 {
			b.WriteByte(c)
		} else {
			b.WriteRune(0xF700 + rune(c))
		}
	}
	return b.String()
}

// matchState reports whether sysdig's output line got matches a rendering
// made with probeResolver.
func matchState(rendered, got string) bool {
	return stateLinePattern(rendered).MatchString(runeBytes(got))
}

// stateLinePattern compiles a rendering made with probeResolver into a
// regular expression matching what sysdig prints with state.
func stateLinePattern(s string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	for len(s) > 0 {
		switch {
		case strings.HasPrefix(s, "("+markOptional+")"):
			b.WriteString(`(?:\(.*?\))?`)
			s = s[3:]
		case s[0] == markOptional[0]:
			b.WriteString(`.*?`)
			s = s[1:]
		case s[0] == markChar[0]:
			b.WriteString(`.`)
			s = s[1:]
		case s[0] == markAny[0]:
			b.WriteString(`.*?`)
			s = s[1:]
		default:
			j := strings.IndexAny(s, markOptional+markChar+markAny+"(")
			if j == 0 { // a "(" not starting a marker
				j = 1
			} else if j < 0 {
				j = len(s)
			}
			b.WriteString(regexp.QuoteMeta(runeBytes(s[:j])))
			s = s[j:]
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

// sysdigPath returns the installed sysdig, skipping the test when there is
// none unless CI=true.
func sysdigPath(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath("sysdig")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("sysdig not installed: %v", err)
		}
		t.Skipf("sysdig not installed: %v", err)
	}
	return bin
}

// execCommand prepares a sysdig run in UTC.
func execCommand(bin string, args ...string) *exec.Cmd {
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "TZ=UTC")
	return cmd
}

// sysdigArgs runs sysdig on a capture and returns its %evt.args per
// evt.num.
func sysdigArgs(t *testing.T, capture string) map[uint64]string {
	t.Helper()
	cmd := execCommand(sysdigPath(t), "-r", capture, "-p", "%evt.num %evt.args")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("sysdig -r %s: %v: %s", capture, err, stderr.String())
	}
	lines := map[uint64]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		num, rest, _ := strings.Cut(line, " ")
		n, err := strconv.ParseUint(num, 10, 64)
		if err != nil {
			t.Fatalf("sysdig line %q: %v", line, err)
		}
		lines[n] = rest
	}
	return lines
}

// TestArgsMatchSysdig renders %evt.args for every event of the shared
// captures and compares with what the installed sysdig prints. Lines must
// match once the resolutions that need process state (fd names, thread
// commands, users) are treated as wildcards; the test also counts the lines
// that match exactly without any state.
func TestArgsMatchSysdig(t *testing.T) {
	shared := sharedDir(t)
	caps, err := filepath.Glob(filepath.Join(shared, "testdata", "captures", "*.scap"))
	if err != nil || len(caps) == 0 {
		t.Fatalf("no captures under %s: %v", shared, err)
	}
	for _, capture := range caps {
		name := filepath.Base(capture)
		if name == "curl_google_comments.scap" { // sysdig 0.29.3 cannot open it
			continue
		}
		t.Run(name, func(t *testing.T) {
			want := sysdigArgs(t, capture)
			evs := readCaptureEvents(t, capture)
			probe := &RenderOptions{Resolver: probeResolver{}}
			var exact, withState, compared int
			var buf []byte
			for i := range evs {
				e := &evs[i]
				w, ok := want[e.Num]
				if !ok {
					continue // sysdig did not print this event
				}
				compared++
				buf = AppendArgs(buf[:0], e, nil)
				if string(buf) == w {
					exact++
				}
				buf = AppendArgs(buf[:0], e, probe)
				if matchState(string(buf), w) {
					withState++
				} else {
					t.Errorf("event %d (%s): sysdig %q, rendered %q", e.Num, e.Type(), w, strings.NewReplacer(markOptional, "?", markChar, "?", markAny, "*").Replace(string(buf)))
				}
			}
			if compared != len(want) {
				t.Errorf("sysdig printed %d events, the capture reader found %d of them", len(want), compared)
			}
			t.Logf("%s: %d lines; %d match with state wildcards, %d match exactly without state", name, compared, withState, exact)
		})
	}
}

// runSysdig runs sysdig -r capture -p format with TZ=UTC and returns its
// standard output and error; a non-zero exit is returned as err.
func runSysdig(t *testing.T, capture, format string) (stdout, stderr string, err error) {
	t.Helper()
	cmd := execCommand(sysdigPath(t), "-r", capture, "-p", format)
	var se bytes.Buffer
	cmd.Stderr = &se
	out, err := cmd.Output()
	return string(out), se.String(), err
}

// oracleCapture returns the path of the shared capture used by the
// single-capture oracle tests.
func oracleCapture(t *testing.T) string {
	return filepath.Join(sharedDir(t), "testdata", "captures", "curl_google.scap")
}

// TestArgNMatchesSysdig compares %evt.arg[N] (the resolution, else the
// value) for the first eight parameters of every event sysdig prints.
func TestArgNMatchesSysdig(t *testing.T) {
	capture := oracleCapture(t)
	printed := sysdigArgs(t, capture)
	const n = 8
	var format strings.Builder
	format.WriteString("*%evt.num")
	for i := 0; i < n; i++ {
		format.WriteString("\t%evt.arg[" + strconv.Itoa(i) + "]")
	}
	out, stderr, err := runSysdig(t, capture, format.String())
	if err != nil {
		t.Fatalf("sysdig: %v: %s", err, stderr)
	}
	got := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	probe := &RenderOptions{Resolver: probeResolver{}}
	k := 0
	var line []byte
	for _, e := range readCaptureEvents(t, capture) {
		if _, ok := printed[e.Num]; !ok {
			continue
		}
		if k >= len(got) {
			t.Fatalf("sysdig printed %d lines, fewer than the events it printed for evt.args", len(got))
		}
		line = strconv.AppendUint(line[:0], e.Num, 10)
		for i := 0; i < n; i++ {
			line = append(line, '\t')
			var ok bool
			if line, ok = AppendArg(line, &e, i, probe); !ok {
				line = append(line, "<NA>"...)
			}
		}
		if !matchState(string(line), got[k]) {
			t.Errorf("event %d (%s): sysdig %q, rendered %q", e.Num, e.Type(), got[k], line)
		}
		k++
	}
	if k != len(got) {
		t.Errorf("compared %d lines, sysdig printed %d", k, len(got))
	}
}

// TestRawArgMatchesSysdig compares %evt.rawarg.NAME, typed as sysdig types
// it (LongestParamMatch, print format FmtNa), including sysdig's failure on
// types it cannot print raw.
func TestRawArgMatchesSysdig(t *testing.T) {
	capture := oracleCapture(t)
	printed := sysdigArgs(t, capture)
	evs := readCaptureEvents(t, capture)
	for _, name := range []string{"res", "name", "size", "addr", "mode", "ptid", "tid", "cwd", "data", "fd", "tuple", "flags"} {
		t.Run(name, func(t *testing.T) {
			out, stderr, err := runSysdig(t, capture, "*%evt.num %evt.rawarg."+name)
			pi := LongestParamMatch(name)
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
				for j := 0; j < RenderedParams(e, FlavorSysdig); j++ {
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
				v, rerr := AppendRaw(line, b, pi.Type, FmtNa)
				if rerr == ErrRawFormat {
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
				t.Errorf("output differs from sysdig's (%d vs %d bytes); first difference at byte %d", len(want), len(out), firstDiff(out, string(want)))
			}
		})
	}
}

func firstDiff(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return i
		}
	}
	if len(a) == len(b) {
		return -1
	}
	return min(len(a), len(b))
}
