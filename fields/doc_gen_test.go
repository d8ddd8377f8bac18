package fields_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/syscope/syscope/fields"
)

var update = flag.Bool("update", false, "rewrite docs/fields.md from the registry")

// TestFieldsDoc checks that docs/fields.md matches the registry.
func TestFieldsDoc(t *testing.T) {
	var b bytes.Buffer
	if err := fields.WriteMarkdown(&b, fields.Default()); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "docs", "fields.md")
	if *update {
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./fields -run TestFieldsDoc -update)", err)
	}
	if !bytes.Equal(got, b.Bytes()) {
		t.Error("docs/fields.md is out of date: run go test ./fields -run TestFieldsDoc -update")
	}
}
