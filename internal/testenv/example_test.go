package testenv_test

import (
	"fmt"
	"os"
	"os/exec"
	"testing"

	"github.com/syscope/syscope/internal/testenv"
)

// A test that compares syscope with sysdig on the stable Falco rules reads
// them from ../shared and runs the installed sysdig as root. Without
// ../shared, sysdig or root it is skipped, unless CI=true, where it fails.
func Example() {
	test := func(t *testing.T) {
		testenv.RequireRoot(t)
		rules := testenv.Shared(t, "rules", "falco_rules.yaml")
		sysdig := testenv.Tool(t, "sysdig")
		out, err := exec.Command(sysdig, "--version").Output()
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s with %s", out, rules)
	}
	_ = test
}

func ExampleCI() {
	if old, ok := os.LookupEnv("CI"); ok {
		defer os.Setenv("CI", old)
	} else {
		defer os.Unsetenv("CI")
	}
	os.Setenv("CI", "true")
	fmt.Println(testenv.CI())
	os.Setenv("CI", "")
	fmt.Println(testenv.CI())
	// Output:
	// true
	// false
}
