package driver

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// childEnv selects a workload when the test binary runs as a child
// process: the tests and benchmarks start themselves again with this
// variable set, so the workloads are real processes that can be filtered
// by pid and compared against /proc.
const childEnv = "SYSCOPE_DRIVER_CHILD"

func TestMain(m *testing.M) {
	if w := os.Getenv(childEnv); w != "" {
		os.Exit(runChild(w, os.Args[1:]))
	}
	os.Exit(m.Run())
}

// child is a workload process started from the test binary. It waits on
// its stdin for the go-ahead, so the capture can be set up (filtered on its
// pid) before it does anything.
type child struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
}

func startChild(tb testing.TB, workload string, args ...string) *child {
	tb.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), childEnv+"="+workload)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	c := &child{cmd: cmd, in: in, out: bufio.NewReader(out)}
	tb.Cleanup(func() {
		c.in.Close()
		c.cmd.Process.Kill()
		c.cmd.Wait()
	})
	return c
}

func (c *child) pid() int { return c.cmd.Process.Pid }

// run tells the child to go and returns the lines it prints, after it exits.
func (c *child) run(tb testing.TB) []string {
	tb.Helper()
	c.release(tb)
	return c.wait(tb)
}

// release tells the child to go.
func (c *child) release(tb testing.TB) {
	tb.Helper()
	if _, err := io.WriteString(c.in, "go\n"); err != nil {
		tb.Fatal(err)
	}
	c.in.Close()
}

// wait returns the lines the child prints, after it exits.
func (c *child) wait(tb testing.TB) []string {
	tb.Helper()
	var lines []string
	for {
		l, err := c.out.ReadString('\n')
		if l != "" {
			lines = append(lines, strings.TrimRight(l, "\n"))
		}
		if err != nil {
			break
		}
	}
	if err := c.cmd.Wait(); err != nil {
		tb.Fatalf("workload %v: %v (output %q)", c.cmd.Args, err, lines)
	}
	return lines
}

// runChild is the child side: wait for the go-ahead, run the workload.
func runChild(workload string, args []string) int {
	if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
		fmt.Fprintln(os.Stderr, "child: no go-ahead:", err)
		return 2
	}
	fn, ok := workloads[workload]
	if !ok {
		fmt.Fprintln(os.Stderr, "child: unknown workload", workload)
		return 2
	}
	if err := fn(args); err != nil {
		fmt.Fprintln(os.Stderr, "child:", workload+":", err)
		return 1
	}
	return 0
}

// workloads are filled in by the test files that use them.
var workloads = map[string]func(args []string) error{}
