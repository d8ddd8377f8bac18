package e2e_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/syscope/syscope/internal/testenv"
)

func TestMain(m *testing.M) {
	if a := os.Getenv(envAction); a != "" {
		dir := ""
		if len(os.Args) > 2 {
			dir = os.Args[2]
		}
		if err := runAction(a, dir); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

var (
	buildOnce sync.Once
	buildBin  string
	buildErr  error
)

// syscopeBinary builds the syscope command once per test run.
func syscopeBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "syscope-e2e-bin-")
		if err != nil {
			buildErr = err
			return
		}
		buildBin = filepath.Join(dir, "syscope")
		c := exec.Command("go", "build", "-o", buildBin, "./cmd/syscope")
		c.Dir = testenv.ModuleRoot(t)
		if out, err := c.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %w: %s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildBin
}

// expectation is what one action must raise: the rule, and output fields
// with their values ("{dir}" stands for the run's directory, "{shm}" for
// its /dev/shm directory, "{helper}" for the helpers' process name).
type expectation struct {
	rule   string
	fields map[string]string
}

func (x expectation) resolve(dir string) expectation {
	r := strings.NewReplacer("{dir}", dir, "{shm}", shmDir(dir), "{helper}", helperName())
	out := expectation{rule: x.rule, fields: map[string]string{}}
	for k, v := range x.fields {
		out.fields[k] = r.Replace(v)
	}
	return out
}

// Upstream stable rules (../shared/rules/falco_rules.yaml).
var upstreamExpect = map[string]expectation{
	"read": {"Read sensitive file untrusted", map[string]string{
		"fd.name": "/etc/shadow", "proc.name": "cat", "proc.cmdline": "cat /etc/shadow {dir}/marker",
		"proc.pname": "{helper}", "proc.exepath": "/usr/bin/cat", "user.name": "root", "user.uid": "0", "evt.type": "openat"}},
	"traversal": {"Directory traversal monitored file read", map[string]string{
		"fd.name": "/etc/shadow", "fd.nameraw": "/etc/../etc/../etc/shadow", "proc.name": "cat",
		"proc.cmdline": "cat /etc/../etc/../etc/shadow {dir}/marker", "proc.pname": "{helper}"}},
	"symlink": {"Create Symlink Over Sensitive Files", map[string]string{
		"evt.arg.target": "/etc/shadow", "evt.arg.linkpath": "{dir}/shadow-symlink", "proc.name": "ln",
		"proc.cmdline": "ln -s /etc/shadow {dir}/shadow-symlink", "evt.type": "symlinkat"}},
	"hardlink": {"Create Hardlink Over Sensitive Files", map[string]string{
		"evt.arg.oldpath": "/etc/shadow", "evt.arg.newpath": "{dir}/shadow-hardlink", "proc.name": "ln",
		"proc.cmdline": "ln /etc/shadow {dir}/shadow-hardlink", "evt.type": "linkat"}},
	"devshm": {"Execution from /dev/shm", map[string]string{
		"proc.name": "payload", "proc.cmdline": "payload {dir}", "proc.exepath": "{shm}/payload",
		"proc.pname": "{helper}", "evt.type": "execve"}},
	"memfd": {"Fileless execution via memfd_create", map[string]string{
		"proc.name": "3", "proc.cmdline": "3 {dir}", "proc.pname": "{helper}", "evt.type": "execve"}},
	"ptrace": {"PTRACE attached to process", map[string]string{
		"proc.name": "{helper}", "proc.cmdline": "{helper} ptrace {dir}", "evt.type": "ptrace"}},
	"traceme": {"PTRACE anti-debug attempt", map[string]string{
		"proc.name": "{helper}", "proc.cmdline": "{helper} traceme {dir}", "proc.pname": "{helper}", "evt.type": "ptrace"}},
	"trunclog": {"Clear Log Activities", map[string]string{
		"fd.name": "{dir}/auth.log", "proc.name": "{helper}", "proc.cmdline": "{helper} trunclog {dir}"}},
	"findkeys": {"Search Private Keys or Passwords", map[string]string{
		"proc.name": "find", "proc.cmdline": "find {dir} -name id_rsa", "proc.pname": "{helper}"}},
	"findaws": {"Find AWS Credentials", map[string]string{
		"proc.name": "find", "proc.cmdline": "find {dir} -path */.aws/credentials", "proc.pcmdline": "{helper} findaws {dir}"}},
	"shred": {"Remove Bulk Data from Disk", map[string]string{
		"proc.name": "shred", "proc.cmdline": "shred {dir}/victim", "proc.pname": "{helper}"}},
	"webshell": {"Run shell untrusted", map[string]string{
		"proc.name": "sh", "proc.cmdline": "sh -c true {dir}", "proc.pname": "nginx",
		"proc.pcmdline": "nginx -c /bin/sh -c 'true {dir}'; true"}},
}

// syscope's embedded default rules (package ruleset).
var defaultExpect = map[string]expectation{
	"read": {"Sensitive file read by an untrusted program", map[string]string{
		"proc.name": "cat", "proc.cmdline": "cat /etc/shadow {dir}/marker", "proc.pname": "{helper}",
		"proc.exepath": "/usr/bin/cat", "user.name": "root", "container.id": "host"}},
	"traversal": {"Sensitive file read through path traversal", map[string]string{
		"proc.name": "cat", "proc.cmdline": "cat /etc/../etc/../etc/shadow {dir}/marker", "proc.pname": "{helper}", "evt.type": "openat"}},
	"symlink": {"Symlink to a sensitive file created", map[string]string{
		"proc.name": "ln", "proc.cmdline": "ln -s /etc/shadow {dir}/shadow-symlink", "evt.res": "SUCCESS"}},
	"hardlink": {"Hardlink to a sensitive file created", map[string]string{
		"proc.name": "ln", "proc.cmdline": "ln /etc/shadow {dir}/shadow-hardlink", "evt.res": "SUCCESS"}},
	"devshm": {"Program executed from shared memory", map[string]string{
		"proc.cmdline": "payload {dir}", "proc.pname": "{helper}", "proc.pcmdline": "{helper} devshm {dir}"}},
	"memfd": {"Fileless execution from memfd", map[string]string{
		"proc.cmdline": "3 {dir}", "proc.pname": "{helper}"}},
	"ptrace": {"Process attached with ptrace", map[string]string{
		"proc.name": "{helper}", "proc.cmdline": "{helper} ptrace {dir}"}},
	"traceme": {"Debugger evasion with PTRACE_TRACEME", map[string]string{
		"proc.name": "{helper}", "proc.cmdline": "{helper} traceme {dir}", "proc.pname": "{helper}"}},
	"trunclog": {"Log file truncated", map[string]string{
		"proc.cmdline": "{helper} trunclog {dir}"}},
	"findkeys": {"Search for private keys", map[string]string{
		"proc.pname": "{helper}", "proc.pcmdline": "{helper} findkeys {dir}"}},
	"findaws": {"Search for cloud credentials", map[string]string{
		"proc.pname": "{helper}", "proc.pcmdline": "{helper} findaws {dir}"}},
	"shred": {"Data destruction tool run", map[string]string{
		"proc.pname": "{helper}", "proc.pcmdline": "{helper} shred {dir}", "proc.exepath": "/usr/bin/shred"}},
	"webshell": {"Shell spawned by a network service", map[string]string{
		"proc.name": "sh", "proc.cmdline": "sh -c true {dir}", "proc.pcmdline": "nginx -c /bin/sh -c 'true {dir}'; true"}},
}

// alertJSON is an alert as Falco's JSON (HTTP body, --json line).
type alertJSON struct {
	Output       string         `json:"output"`
	Priority     string         `json:"priority"`
	Rule         string         `json:"rule"`
	Source       string         `json:"source"`
	Tags         []string       `json:"tags"`
	Time         string         `json:"time"`
	Hostname     string         `json:"hostname"`
	OutputFields map[string]any `json:"output_fields"`
}

// fieldText renders an output field value for comparison with an
// expectation.
func fieldText(v any) string {
	switch x := v.(type) {
	case nil:
		return "<NA>"
	case string:
		return x
	case float64:
		return fmt.Sprintf("%.0f", x)
	default:
		return fmt.Sprint(x)
	}
}

// matches reports whether a is the alert x expects; when the rule is
// right but fields differ it returns the differences.
func (x expectation) matches(a *alertJSON) (bool, []string) {
	if a.Rule != x.rule {
		return false, nil
	}
	var diffs []string
	for k, want := range x.fields {
		if got := fieldText(a.OutputFields[k]); got != want {
			diffs = append(diffs, fmt.Sprintf("%s=%q (want %q)", k, got, want))
		}
	}
	sort.Strings(diffs)
	return len(diffs) == 0, diffs
}

// collector receives the HTTP output's alerts.
type collector struct {
	mu     sync.Mutex
	alerts []*alertJSON
	bad    []string
}

func (c *collector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	var a alertJSON
	c.mu.Lock()
	if err := json.Unmarshal(b, &a); err != nil || r.Method != http.MethodPost {
		c.bad = append(c.bad, fmt.Sprintf("%s %s", r.Method, b))
	} else {
		c.alerts = append(c.alerts, &a)
	}
	c.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

func (c *collector) snapshot() []*alertJSON {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]*alertJSON(nil), c.alerts...)
}

// find returns, for each action, the first alert x expects, and the
// closest misses for the ones not found.
func find(alerts []*alertJSON, want map[string]expectation) (map[string]*alertJSON, map[string][]string) {
	found := map[string]*alertJSON{}
	misses := map[string][]string{}
	for name, x := range want {
		for _, a := range alerts {
			ok, diffs := x.matches(a)
			if ok {
				found[name] = a
				break
			}
			if diffs != nil && len(misses[name]) < 3 {
				misses[name] = append(misses[name], strings.Join(diffs, " "))
			}
		}
	}
	return found, misses
}

// capture is a `syscope capture -w` process recording live events.
type capture struct {
	cmd    *exec.Cmd
	stderr bytes.Buffer
	waited chan error
}

// startCapture starts `syscope capture -w path` and waits until the file
// exists: the capture creates it after the driver is attached, so every
// later system call is recorded.
func startCapture(t *testing.T, bin, path string) *capture {
	t.Helper()
	c := &capture{cmd: exec.Command(bin, "capture", "-w", path), waited: make(chan error, 1)}
	c.cmd.Stderr = &c.stderr
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { c.waited <- c.cmd.Wait() }()
	deadline := time.After(2 * time.Minute)
	for {
		if _, err := os.Stat(path); err == nil {
			return c
		}
		select {
		case err := <-c.waited:
			t.Fatalf("syscope capture exited: %v\n%s", err, c.stderr.String())
		case <-deadline:
			c.cmd.Process.Kill()
			<-c.waited
			t.Fatalf("syscope capture did not start:\n%s", c.stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (c *capture) stop(t *testing.T) {
	t.Helper()
	c.cmd.Process.Signal(os.Interrupt)
	select {
	case err := <-c.waited:
		if err != nil {
			t.Fatalf("syscope capture: %v\n%s", err, c.stderr.String())
		}
	case <-time.After(time.Minute):
		c.cmd.Process.Kill()
		<-c.waited
		t.Fatalf("syscope capture did not stop:\n%s", c.stderr.String())
	}
	t.Logf("syscope capture: %s", strings.TrimSpace(c.stderr.String()))
}

// liveRun is one `syscope run` process.
type liveRun struct {
	cmd    *exec.Cmd
	stdout bytes.Buffer
	stderr bytes.Buffer
	mu     sync.Mutex
	ready  chan struct{}
	waited chan error
}

func startSyscope(t *testing.T, bin string, args ...string) *liveRun {
	t.Helper()
	r := &liveRun{ready: make(chan struct{}), waited: make(chan error, 1)}
	r.cmd = exec.Command(bin, append([]string{"run"}, args...)...)
	outPipe, err := r.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	errPipe, err := r.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		b, _ := io.ReadAll(outPipe)
		r.mu.Lock()
		r.stdout.Write(b)
		r.mu.Unlock()
	}()
	go func() {
		defer wg.Done()
		sc := bufio.NewScanner(errPipe)
		once := sync.Once{}
		for sc.Scan() {
			line := sc.Text()
			r.mu.Lock()
			r.stderr.WriteString(line + "\n")
			r.mu.Unlock()
			if strings.Contains(line, "watching live events") {
				once.Do(func() { close(r.ready) })
			}
		}
	}()
	go func() {
		wg.Wait()
		r.waited <- r.cmd.Wait()
	}()
	return r
}

func (r *liveRun) output() (string, string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stdout.String(), r.stderr.String()
}

// TestLiveAlerts runs syscope live with the upstream stable rules and with
// the embedded defaults, performs the actions, and checks the alerts on
// the HTTP output and on stdout, then replays a capture of the same
// actions.
func TestLiveAlerts(t *testing.T) {
	testenv.RequireRoot(t)
	bin := syscopeBinary(t)
	cases := []struct {
		name  string
		rules []string
		want  map[string]expectation
	}{
		{"upstream_stable", []string{"-r", testenv.Shared(t, "rules", "falco_rules.yaml")}, upstreamExpect},
		{"embedded_defaults", nil, defaultExpect},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { testLive(t, bin, c.rules, c.want) })
	}
}

func testLive(t *testing.T, bin string, rulesArgs []string, want map[string]expectation) {
	dir, err := os.MkdirTemp("/tmp", "syscope-e2e-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir); os.RemoveAll(shmDir(dir)) })
	if err := os.WriteFile(filepath.Join(dir, "marker"), []byte("marker\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var etc, d syscall.Stat_t
	if syscall.Stat("/etc", &etc) == nil && syscall.Stat(dir, &d) == nil && etc.Dev != d.Dev {
		t.Logf("%s is not on the file system of /etc: the hardlink fails (the rule fires on the attempt)", dir)
	}
	expect := map[string]expectation{}
	for k, v := range want {
		expect[k] = v.resolve(dir)
	}

	coll := &collector{}
	srv := httptest.NewServer(coll)
	defer srv.Close()

	capPath := filepath.Join(dir, "actions.scap")
	capt := startCapture(t, bin, capPath)
	capStopped := false
	defer func() {
		if !capStopped {
			capt.stop(t)
		}
	}()

	args := append(append([]string{}, rulesArgs...),
		"-o", "http_output.enabled=true", "-o", "http_output.url="+srv.URL+"/",
		"-M", "300")
	run := startSyscope(t, bin, args...)
	defer func() {
		if run.cmd.ProcessState == nil {
			run.cmd.Process.Kill()
		}
	}()
	select {
	case <-run.ready:
	case err := <-run.waited:
		_, stderr := run.output()
		t.Fatalf("syscope run exited before watching: %v\n%s", err, stderr)
	case <-time.After(2 * time.Minute):
		_, stderr := run.output()
		t.Fatalf("syscope run not ready:\n%s", stderr)
	}

	for _, a := range actionNames {
		if err := runHelper(a, dir); err != nil {
			t.Errorf("%v", err)
		}
		pause()
	}

	// Wait (bounded) for every expected alert on the HTTP output.
	deadline := time.Now().Add(time.Minute)
	var found map[string]*alertJSON
	var misses map[string][]string
	for {
		found, misses = find(coll.snapshot(), expect)
		if len(found) == len(expect) || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	run.cmd.Process.Signal(os.Interrupt)
	var runErr error
	select {
	case runErr = <-run.waited:
	case <-time.After(time.Minute):
		run.cmd.Process.Kill()
		runErr = <-run.waited
	}
	capt.stop(t)
	capStopped = true
	stdout, stderr := run.output()
	if runErr != nil {
		t.Errorf("syscope run: %v\n%s", runErr, stderr)
	}
	t.Logf("syscope stderr:\n%s", stderr)

	lines := map[string]bool{}
	for _, l := range strings.Split(stdout, "\n") {
		lines[l] = true
	}
	for _, name := range actionNames {
		x := expect[name]
		a := found[name]
		if a == nil {
			t.Errorf("%s: no %q alert with %v over HTTP; closest: %v", name, x.rule, x.fields, misses[name])
			continue
		}
		if a.Source != "syscall" || a.Priority == "" || a.Time == "" || len(a.Tags) == 0 || a.Hostname == "" {
			t.Errorf("%s: incomplete alert %+v", name, a)
		}
		// The JSON "output" is the text line stdout prints.
		if !lines[a.Output] {
			t.Errorf("%s: stdout lacks the line %q", name, a.Output)
		}
		t.Logf("%s: %s", name, a.Output)
	}
	if len(coll.bad) > 0 {
		t.Errorf("HTTP output posted bad bodies: %v", coll.bad)
	}

	// Replay the capture of the same actions.
	rep := exec.Command(bin, append([]string{"run", "--replay", capPath, "--json"}, rulesArgs...)...)
	var rout, rerr bytes.Buffer
	rep.Stdout, rep.Stderr = &rout, &rerr
	if err := rep.Run(); err != nil {
		t.Fatalf("syscope run --replay: %v\n%s", err, rerr.String())
	}
	var replayed []*alertJSON
	for _, l := range strings.Split(rout.String(), "\n") {
		if l == "" {
			continue
		}
		var a alertJSON
		if err := json.Unmarshal([]byte(l), &a); err != nil {
			t.Errorf("replay: bad JSON line %q: %v", l, err)
			continue
		}
		replayed = append(replayed, &a)
	}
	rfound, rmisses := find(replayed, expect)
	for _, name := range actionNames {
		if found[name] == nil {
			continue
		}
		r := rfound[name]
		if r == nil {
			t.Errorf("replay: %s: no %q alert; closest: %v", name, expect[name].rule, rmisses[name])
			continue
		}
		// The two drivers (syscope's and the capture's) timestamp the same
		// system call a few microseconds apart: compare all but the time.
		if untimed(r.Output) != untimed(found[name].Output) {
			t.Errorf("replay: %s: output differs\n live:   %s\n replay: %s", name, found[name].Output, r.Output)
		}
		for k, v := range found[name].OutputFields {
			if k != "evt.time" && fieldText(r.OutputFields[k]) != fieldText(v) {
				t.Errorf("replay: %s: %s = %q, live %q", name, k, fieldText(r.OutputFields[k]), fieldText(v))
			}
		}
	}
}

// untimed drops the "HH:MM:SS.nnnnnnnnn: " prefix of an alert line.
func untimed(s string) string {
	if i := strings.Index(s, ": "); i >= 0 {
		return s[i+2:]
	}
	return s
}

// TestEventDropAlert makes the driver drop events for real (a 1 MiB ring
// buffer per CPU, syscope stopped while a helper floods it) and checks the
// internal drop alert on stdout and over HTTP.
func TestEventDropAlert(t *testing.T) {
	testenv.RequireRoot(t)
	bin := syscopeBinary(t)
	coll := &collector{}
	srv := httptest.NewServer(coll)
	defer srv.Close()
	run := startSyscope(t, bin, "-r", writeRules(t), "-M", "300",
		"-o", "engine.modern_ebpf.buf_size_preset=1", "-o", "syscall_event_drops.threshold=0",
		"-o", "http_output.enabled=true", "-o", "http_output.url="+srv.URL+"/")
	defer func() {
		if run.cmd.ProcessState == nil {
			run.cmd.Process.Kill()
		}
	}()
	select {
	case <-run.ready:
	case err := <-run.waited:
		_, stderr := run.output()
		t.Fatalf("syscope run exited: %v\n%s", err, stderr)
	case <-time.After(2 * time.Minute):
		t.Fatal("syscope run not ready")
	}
	// Stop syscope, flood, resume: the kernel rings overflow while nobody
	// reads them. A flood can miss when the machine is busy with other
	// tests (the scheduler may run the flood before the stop takes hold),
	// so it is repeated up to three times; each must end in the alert.
	var drop *alertJSON
	var waitStart time.Time
	for attempt := 1; attempt <= 3 && drop == nil; attempt++ {
		if err := run.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
		floodStart := time.Now()
		err := runHelper("flood", t.TempDir())
		run.cmd.Process.Signal(syscall.SIGCONT)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("attempt %d: flood took %v", attempt, time.Since(floodStart))
		waitStart = time.Now()
		deadline := time.Now().Add(20 * time.Second)
		for drop == nil && time.Now().Before(deadline) {
			for _, a := range coll.snapshot() {
				if a.Rule == "Syscope internal: event drop" {
					drop = a
				}
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	t.Logf("drop alert after %v", time.Since(waitStart))
	run.cmd.Process.Signal(os.Interrupt)
	select {
	case <-run.waited:
	case <-time.After(time.Minute):
		run.cmd.Process.Kill()
		<-run.waited
		t.Error("syscope run did not stop on SIGINT")
	}
	stdout, stderr := run.output()
	if drop == nil {
		t.Fatalf("no internal drop alert over HTTP\nstdout:\n%s\nstderr:\n%s", stdout, stderr)
	}
	if drop.Source != "internal" || drop.Priority != "Critical" || fieldText(drop.OutputFields["n_drops"]) == "0" {
		t.Errorf("drop alert %+v", drop)
	}
	if !strings.Contains(stdout, "Syscope internal: event drop") {
		t.Errorf("stdout lacks the drop alert:\n%s", stdout)
	}
	t.Logf("%s", drop.Output)
}

// writeRules writes a one-rule file that matches nothing of the flood.
func writeRules(t *testing.T) string {
	p := filepath.Join(t.TempDir(), "rules.yaml")
	doc := "- rule: never\n  desc: d\n  condition: evt.type = execve and proc.name = no-such-program\n  output: o\n  priority: DEBUG\n"
	if err := os.WriteFile(p, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
