package inspect_test

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/syscope/syscope/internal/testenv"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	buildDir  string
)

// syscopeBin builds cmd/syscope once into a temporary directory.
func syscopeBin(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "syscope-bin-")
		if buildErr != nil {
			return
		}
		binPath = filepath.Join(buildDir, "syscope")
		out, err := exec.Command("go", "build", "-o", binPath, "github.com/syscope/syscope/cmd/syscope").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// query is one line of queries.tsv.
type query struct {
	id, format, filter string
}

func loadQueries(t testing.TB, shared string) []query {
	t.Helper()
	f, err := os.Open(filepath.Join(shared, "testdata", "queries.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var qs []query
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "id\t") {
			continue
		}
		parts := strings.SplitN(line, "\t", 3)
		for len(parts) < 3 {
			parts = append(parts, "")
		}
		qs = append(qs, query{id: parts[0], format: parts[1], filter: parts[2]})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(qs) == 0 {
		t.Fatal("no queries in queries.tsv")
	}
	return qs
}

// args returns the command-line arguments after -r FILE for q.
func (q query) args() []string {
	var a []string
	switch q.format {
	case "-":
	case "json":
		a = append(a, "-j")
	default:
		a = append(a, "-p", q.format)
	}
	if q.filter != "" {
		a = append(a, q.filter)
	}
	return a
}

// run runs a command with TZ=UTC and returns its standard output.
func run(t testing.TB, name string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "TZ=UTC")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return stdout.Bytes()
}

// compare returns how many lines of got equal the same line of want, the
// total (the longer of the two), and the first differing line.
func compare(want, got []byte) (same, total int, first string) {
	w := splitLines(want)
	g := splitLines(got)
	total = len(w)
	if len(g) > total {
		total = len(g)
	}
	for i := 0; i < total; i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if i < len(w) && i < len(g) && a == b {
			same++
		} else if first == "" {
			first = fmt.Sprintf("line %d:\n  sysdig:  %q\n  syscope: %q", i+1, clip(a), clip(b))
		}
	}
	return same, total, first
}

func clip(s string) string {
	if len(s) > 300 {
		return s[:300] + "..."
	}
	return s
}

func splitLines(b []byte) []string {
	s := string(b)
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// captureNames lists the reference captures with the name of the capture
// whose sysdig output they must reproduce (curl_google_comments, which
// sysdig 0.29.3 cannot open, holds the same events as curl_google).
func captureNames(t testing.TB, shared string) map[string]string {
	t.Helper()
	ents, err := os.ReadDir(filepath.Join(shared, "testdata", "captures"))
	if err != nil {
		t.Fatal(err)
	}
	m := make(map[string]string)
	for _, e := range ents {
		name := strings.TrimSuffix(e.Name(), ".scap")
		if name == e.Name() {
			continue
		}
		ref := name
		if name == "curl_google_comments" {
			ref = "curl_google"
		}
		m[name] = ref
	}
	if len(m) == 0 {
		t.Fatal("no captures")
	}
	return m
}

// TestConformance runs every query of the suite on every capture and
// compares syscope's output with the stored output of sysdig 0.29.3 and
// with the installed sysdig's.
func TestConformance(t *testing.T) {
	shared := testenv.SharedDir(t, "testdata/queries.tsv")
	sysdig := testenv.Tool(t, "sysdig")
	bin := syscopeBin(t)
	queries := loadQueries(t, shared)
	caps := captureNames(t, shared)
	var allSame, allTotal int
	for _, name := range sortedKeys(caps) {
		ref := caps[name]
		capFile := filepath.Join(shared, "testdata", "captures", name+".scap")
		refFile := filepath.Join(shared, "testdata", "captures", ref+".scap")
		for _, q := range queries {
			t.Run(name+"/"+q.id, func(t *testing.T) {
				got := run(t, bin, append([]string{"read", "-r", capFile}, q.args()...)...)
				stored, err := os.ReadFile(filepath.Join(shared, "testdata", "sysdig-0.29.3", ref, q.id+".txt"))
				if err != nil {
					t.Fatalf("reference output: %v", err)
				}
				live := run(t, sysdig, append([]string{"-r", refFile}, q.args()...)...)
				same, total, first := compare(stored, got)
				lsame, ltotal, lfirst := compare(live, got)
				allSame += same + lsame
				allTotal += total + ltotal
				t.Logf("%s %s: %d/%d lines identical to the stored sysdig output, %d/%d to the installed sysdig's", name, q.id, same, total, lsame, ltotal)
				if same != total {
					t.Errorf("differs from the stored sysdig 0.29.3 output at %s", first)
				}
				if lsame != ltotal {
					t.Errorf("differs from the installed sysdig's output at %s", lfirst)
				}
			})
		}
	}
	if allTotal > 0 {
		t.Logf("overall: %d/%d lines identical (%.2f%%)", allSame, allTotal, 100*float64(allSame)/float64(allTotal))
	}
}

// TestStatelessFields checks, for every capture, the stateless fields of
// issue 2 against the installed sysdig: evt.num (hidden events counted),
// evt.outputtime, evt.cpu, thread.tid, evt.dir and evt.type.
func TestStatelessFields(t *testing.T) {
	shared := testenv.SharedDir(t, "testdata/queries.tsv")
	sysdig := testenv.Tool(t, "sysdig")
	bin := syscopeBin(t)
	const f = "%evt.num %evt.outputtime %evt.cpu %thread.tid %evt.dir %evt.type"
	caps := captureNames(t, shared)
	for _, name := range sortedKeys(caps) {
		ref := caps[name]
		t.Run(name, func(t *testing.T) {
			got := run(t, bin, "read", "-r", filepath.Join(shared, "testdata", "captures", name+".scap"), "-p", f)
			want := run(t, sysdig, "-r", filepath.Join(shared, "testdata", "captures", ref+".scap"), "-p", f)
			if len(want) == 0 {
				t.Fatal("sysdig printed nothing")
			}
			same, total, first := compare(want, got)
			t.Logf("%s: %d/%d lines identical", name, same, total)
			if same != total {
				t.Errorf("differs at %s", first)
			}
		})
	}
}

func sortedKeys(m map[string]string) []string {
	k := make([]string, 0, len(m))
	for n := range m {
		k = append(k, n)
	}
	for i := 1; i < len(k); i++ {
		for j := i; j > 0 && k[j] < k[j-1]; j-- {
			k[j], k[j-1] = k[j-1], k[j]
		}
	}
	return k
}
