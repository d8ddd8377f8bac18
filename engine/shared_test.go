package engine_test

import (
	"path/filepath"
	"testing"

	"github.com/syscope/syscope/internal/testenv"
)

// rulesFile returns the path of a rules file of ../shared/rules.
func rulesFile(tb testing.TB, name string) string {
	return filepath.Join(testenv.SharedDir(tb), "rules", name)
}
