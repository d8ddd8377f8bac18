package engine_test

import (
	"os"
	"path/filepath"
	"testing"
)

// sharedDir returns ../shared relative to the module root, skipping the
// test when it is absent (failing under CI=true).
func sharedDir(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
	shared := filepath.Join(dir, "..", "shared")
	if _, err := os.Stat(shared); err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("../shared is required under CI: %v", err)
		}
		tb.Skipf("../shared not found (%v): skipping", err)
	}
	return shared
}

func rulesFile(tb testing.TB, name string) string {
	return filepath.Join(sharedDir(tb), "rules", name)
}
