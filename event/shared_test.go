package event

import (
	"os"
	"path/filepath"
	"testing"
)

// sharedDir returns the reference material directory (../shared from the
// module root), skipping the test when it is absent unless CI=true.
func sharedDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
	shared := filepath.Join(dir, "..", "shared")
	if _, err := os.Stat(shared); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("reference material missing: %v", err)
		}
		t.Skipf("reference material %s absent: %v", shared, err)
	}
	return shared
}
