// Package testenv holds the environment checks the module's tests share:
// where the reference material (../shared next to the module root) is,
// whether an external program such as sysdig or tshark is installed, and
// whether the test runs as root.
//
// Every check that finds its requirement missing skips the test with a
// message, except when the environment variable CI is "true": a CI run must
// exercise everything, so there the missing requirement fails the test.
//
// It is for tests only. It does not fetch, build or install anything, and it
// reads no reference material itself: it only says where it is.
package testenv

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// CI reports whether the tests run under CI (CI=true), where missing
// requirements fail tests instead of skipping them.
func CI() bool { return os.Getenv("CI") == "true" }

// unavailable skips the test, or fails it under CI=true, because a
// requirement is missing.
func unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if CI() {
		t.Fatalf("%s (required under CI=true)", msg)
	}
	t.Skipf("%s: skipping (set CI=true to make this a failure)", msg)
}

// ModuleRoot returns the directory holding go.mod, found by walking up from
// the test's working directory (its package directory). It fails the test
// when there is none.
func ModuleRoot(t testing.TB) string {
	t.Helper()
	dir, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("working directory: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the test directory")
		}
		dir = parent
	}
}

// SharedDir returns the reference material directory, ../shared relative to
// the module root. The test is skipped (failed under CI=true) when that
// directory is absent, or when any of markers, slash-separated paths
// relative to it, is.
func SharedDir(t testing.TB, markers ...string) string {
	t.Helper()
	shared := filepath.Join(ModuleRoot(t), "..", "shared")
	if _, err := os.Stat(shared); err != nil {
		unavailable(t, "reference material ../shared not available: %v", err)
	}
	for _, m := range markers {
		if _, err := os.Stat(filepath.Join(shared, filepath.FromSlash(m))); err != nil {
			unavailable(t, "reference material ../shared/%s not available: %v", m, err)
		}
	}
	return shared
}

// Shared returns the path of elem below the reference material directory
// (see SharedDir). The test is skipped (failed under CI=true) when that path
// does not exist.
func Shared(t testing.TB, elem ...string) string {
	t.Helper()
	p := filepath.Join(append([]string{SharedDir(t)}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		unavailable(t, "reference material not available: %v", err)
	}
	return p
}

// Tool returns the path of the installed program name (looked up in PATH).
// The test is skipped (failed under CI=true) when it is not installed.
func Tool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		unavailable(t, "%s not installed: %v", name, err)
	}
	return p
}

// RequireRoot skips the test (fails it under CI=true) unless it runs as
// root, as tests that load eBPF programs, start container runtimes or read
// other users' files must.
func RequireRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		unavailable(t, "privileged test: needs root")
	}
}
