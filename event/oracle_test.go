package event

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/syscope/syscope/internal/testenv"
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
	cmd := execCommand(testenv.Tool(t, "sysdig"), "-r", capture, "-p", "%evt.num %evt.args")
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

// runSysdig runs sysdig -r capture -p format with TZ=UTC and returns its
// standard output and error; a non-zero exit is returned as err.
func runSysdig(t *testing.T, capture, format string) (stdout, stderr string, err error) {
	t.Helper()
	cmd := execCommand(testenv.Tool(t, "sysdig"), "-r", capture, "-p", format)
	var se bytes.Buffer
	cmd.Stderr = &se
	out, err := cmd.Output()
	return string(out), se.String(), err
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
