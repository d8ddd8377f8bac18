package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// recorder is a testing.TB that records how a check ended: Skip and Fatal
// stop the calling goroutine as the real ones do.
type recorder struct {
	testing.TB
	skipped, failed bool
	msg             string
}

func (r *recorder) Helper() {}

func (r *recorder) Skipf(format string, args ...any) {
	r.skipped, r.msg = true, fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.failed, r.msg = true, fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (r *recorder) Fatal(args ...any) {
	r.failed, r.msg = true, fmt.Sprint(args...)
	runtime.Goexit()
}

// check runs f with a recorder in its own goroutine and returns the
// recorder and what f returned.
func check(f func(testing.TB) string) (*recorder, string) {
	r := &recorder{}
	var got string
	done := make(chan struct{})
	go func() {
		defer close(done)
		got = f(r)
	}()
	<-done
	return r, got
}

func TestCI(t *testing.T) {
	for v, want := range map[string]bool{"true": true, "": false, "1": false, "false": false} {
		t.Setenv("CI", v)
		if CI() != want {
			t.Errorf("CI=%q: CI() = %v, want %v", v, CI(), want)
		}
	}
}

func TestModuleRoot(t *testing.T) {
	root := ModuleRoot(t)
	b, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "module github.com/syscope/syscope") {
		t.Fatalf("%s/go.mod is not this module's", root)
	}
	wd, _ := os.Getwd()
	if filepath.Join(root, "internal", "testenv") != wd {
		t.Fatalf("module root %s is not two levels above %s", root, wd)
	}
}

func TestModuleRootAbsent(t *testing.T) {
	t.Chdir(t.TempDir())
	r, _ := check(func(tb testing.TB) string { return ModuleRoot(tb) })
	if !r.failed || !strings.Contains(r.msg, "go.mod not found") {
		t.Fatalf("outside a module: failed=%v msg=%q", r.failed, r.msg)
	}
}

// missing checks that f skips without CI and fails with CI=true, with a
// message containing want.
func missing(t *testing.T, f func(testing.TB) string, want string) {
	t.Helper()
	t.Setenv("CI", "")
	r, _ := check(f)
	if !r.skipped || r.failed || !strings.Contains(r.msg, want) {
		t.Errorf("without CI: skipped=%v failed=%v msg=%q, want a skip mentioning %q", r.skipped, r.failed, r.msg, want)
	}
	t.Setenv("CI", "true")
	r, _ = check(f)
	if !r.failed || r.skipped || !strings.Contains(r.msg, want) {
		t.Errorf("CI=true: skipped=%v failed=%v msg=%q, want a failure mentioning %q", r.skipped, r.failed, r.msg, want)
	}
}

// fakeModule makes a module directory with a sibling shared directory
// holding one file, and changes into a package directory of that module.
func fakeModule(t *testing.T, withShared bool) string {
	t.Helper()
	base := t.TempDir()
	pkg := filepath.Join(base, "main", "pkg")
	if err := os.MkdirAll(pkg, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(base, "main", "go.mod"), []byte("module example.com/m\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if withShared {
		if err := os.MkdirAll(filepath.Join(base, "shared", "rules"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(base, "shared", "rules", "a.yaml"), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(pkg)
	return filepath.Join(base, "shared")
}

func TestSharedPresent(t *testing.T) {
	shared := fakeModule(t, true)
	for _, ci := range []string{"", "true"} {
		t.Setenv("CI", ci)
		r, got := check(func(tb testing.TB) string { return SharedDir(tb, "rules/a.yaml") })
		if r.skipped || r.failed || got != shared {
			t.Errorf("CI=%q: SharedDir = %q (skipped=%v failed=%v %q), want %q", ci, got, r.skipped, r.failed, r.msg, shared)
		}
		r, got = check(func(tb testing.TB) string { return Shared(tb, "rules", "a.yaml") })
		if want := filepath.Join(shared, "rules", "a.yaml"); r.skipped || r.failed || got != want {
			t.Errorf("CI=%q: Shared = %q (skipped=%v failed=%v %q), want %q", ci, got, r.skipped, r.failed, r.msg, want)
		}
	}
}

func TestSharedAbsent(t *testing.T) {
	fakeModule(t, false)
	missing(t, func(tb testing.TB) string { return SharedDir(tb) }, "../shared")
	missing(t, func(tb testing.TB) string { return Shared(tb, "rules", "a.yaml") }, "../shared")
}

func TestSharedMarkerAbsent(t *testing.T) {
	fakeModule(t, true)
	missing(t, func(tb testing.TB) string { return SharedDir(tb, "rules/a.yaml", "spec/x.tsv") }, "spec/x.tsv")
	missing(t, func(tb testing.TB) string { return Shared(tb, "rules", "b.yaml") }, "b.yaml")
}

func TestTool(t *testing.T) {
	r, got := check(func(tb testing.TB) string { return Tool(tb, "sh") })
	if r.skipped || r.failed || !filepath.IsAbs(got) {
		t.Errorf("Tool(sh) = %q (skipped=%v failed=%v %q)", got, r.skipped, r.failed, r.msg)
	}
	t.Setenv("PATH", t.TempDir())
	missing(t, func(tb testing.TB) string { return Tool(tb, "sh") }, "sh not installed")
}

func TestRequireRoot(t *testing.T) {
	for _, ci := range []string{"", "true"} {
		t.Setenv("CI", ci)
		r, _ := check(func(tb testing.TB) string { RequireRoot(tb); return "" })
		switch {
		case os.Geteuid() == 0 && (r.skipped || r.failed):
			t.Errorf("CI=%q as root: skipped=%v failed=%v %q", ci, r.skipped, r.failed, r.msg)
		case os.Geteuid() != 0 && ci == "" && !r.skipped:
			t.Errorf("not root, no CI: not skipped (failed=%v %q)", r.failed, r.msg)
		case os.Geteuid() != 0 && ci == "true" && !r.failed:
			t.Errorf("not root, CI=true: not failed (skipped=%v %q)", r.skipped, r.msg)
		}
	}
}
