package capture_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/syscope/syscope/container"
	"github.com/syscope/syscope/container/docker"
	"github.com/syscope/syscope/container/internal/ctrtest"
	"github.com/syscope/syscope/driver"
	"github.com/syscope/syscope/engine"
	containerfields "github.com/syscope/syscope/fields/container"
	"github.com/syscope/syscope/inspect"
	"github.com/syscope/syscope/internal/testenv"
	"github.com/syscope/syscope/output"
	"github.com/syscope/syscope/rules"
	"github.com/syscope/syscope/state"
)

// controlRule is raised by the processes of every action.
const controlRule = `
- rule: syscope test action
  desc: a process run by the container rules test
  condition: evt.type in (execve, execveat) and evt.dir=< and proc.name in (arping, mount, debugfs, nc, sh)
  output: action %proc.cmdline in %container.id
  priority: DEBUG
`

// alertRecord is what the test keeps of an alert.
type alertRecord struct {
	Rule   string         `json:"rule"`
	Output string         `json:"output"`
	Fields map[string]any `json:"output_fields"`
}

func (a alertRecord) field(k string) string {
	switch v := a.Fields[k].(type) {
	case nil:
		return "<NA>"
	case string:
		return v
	default:
		return fmt.Sprint(v)
	}
}

// alertSink is an output sink keeping every alert (Falco's JSON form).
type alertSink struct {
	mu     sync.Mutex
	alerts []alertRecord
	bad    []string
}

func (s *alertSink) Name() string { return "test" }
func (s *alertSink) Close() error { return nil }
func (s *alertSink) Write(_ context.Context, m output.Message) error {
	var a alertRecord
	err := json.Unmarshal(m.Body, &a)
	s.mu.Lock()
	if err != nil {
		s.bad = append(s.bad, string(m.Body))
	} else {
		s.alerts = append(s.alerts, a)
	}
	s.mu.Unlock()
	return nil
}

func (s *alertSink) snapshot() []alertRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]alertRecord(nil), s.alerts...)
}

// ruleAction is a real action that must (inContainer) or must not raise a
// rule, recognised in the alert by a unique marker in the command line.
type ruleAction struct {
	name    string
	rule    string
	raise   bool
	ctrName string // container the action runs in; "" for the host
	run     func(t *testing.T, marker string)
}

// The upstream Falco rules (stable and incubating) raise their container
// rules on real actions in containers, live with the eBPF driver and the
// container runtime's metadata, and do not raise them for the same actions
// on the host or, for the rules about privileged containers, in an
// unprivileged container.
func TestContainerRulesLive(t *testing.T) {
	testenv.RequireRoot(t)
	stable := testenv.Shared(t, "rules", "falco_rules.yaml")
	incubating := testenv.Shared(t, "rules", "falco-incubating_rules.yaml")
	p := ctrtest.StartPodman(t)
	privID := p.Run(t, "--name", "sc-priv", "--privileged", ctrtest.PodmanImage, "sleep", "600")
	plainID := p.Run(t, "--name", "sc-plain", ctrtest.PodmanImage, "sleep", "600")

	dc := docker.New(p.Socket, nil)
	m := container.NewManager(container.Options{Clients: []container.Client{dc}, Watchers: []container.Watcher{dc}, Timeout: 10 * time.Second})
	defer m.Close()
	// Look the containers up before the actions: the first event of a
	// container nobody has looked up yet has no metadata (as in Falco).
	for _, id := range []string{privID, plainID} {
		if !ctrtest.WaitFor(context.Background(), 60*time.Second, func() bool {
			return m.Lookup(id, container.TypePodman).State == container.StateResolved
		}) {
			t.Fatalf("container %s not resolved: %+v", id[:12], m.Lookup(id, container.TypePodman))
		}
	}

	// The upstream files, and a control rule raised by every action's
	// process wherever it runs: it shows each action was seen, and where.
	var docs []engine.Content
	for _, f := range []string{stable, incubating} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, engine.Content{Name: f, Data: b})
	}
	docs = append(docs, engine.Content{Name: "control.yaml", Data: []byte(controlRule)})
	rs, res := engine.LoadContents(nil, docs...)
	if rs == nil {
		t.Fatalf("rules did not load: %v", res)
	}
	for _, r := range res {
		if !r.OK() {
			t.Fatalf("rules did not load: %v", r)
		}
	}
	src, err := driver.Open(&driver.Options{Syscalls: []string{"socket", "mount", "connect"}})
	if err != nil {
		t.Fatalf("driver: %v", err)
	}
	in, err := inspect.New(src, engine.InspectOptions(&inspect.Options{State: &state.Options{Live: true, Modern: true}}))
	if err != nil {
		src.Close()
		t.Fatal(err)
	}
	containerfields.NewTracker(m, nil).Attach(in.Env())
	d := output.NewDispatcher(nil, nil)
	sink := &alertSink{}
	if err := d.AddSink(sink, output.FormatJSON); err != nil {
		t.Fatal(err)
	}
	extra := []output.ExtraField{}
	for _, f := range []string{"container.id", "container.name", "container.privileged", "container.image.repository", "proc.cmdline", "proc.tty", "proc.pname"} {
		extra = append(extra, output.ExtraField{Name: f, Format: f, Raw: true})
	}
	e, err := engine.New(in, rs, d, &engine.Options{
		Mode:         rules.MatchAll,
		AppendOutput: []output.AppendOutput{{ExtraFields: extra}},
		Interrupt:    func() { src.Close() },
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("engine: %v", err)
		}
		dctx, dcancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer dcancel()
		d.Close(dctx)
		in.Close()
	}
	defer stop()

	hostDir := t.TempDir()
	for _, name := range []string{"debugfs", "nc", "mount", "arping"} {
		if err := os.Symlink(ctrtest.Busybox, filepath.Join(hostDir, name)); err != nil {
			t.Fatal(err)
		}
	}
	// podmanExec runs podman exec with args; inCtr runs a command in a
	// container, inTerm the same with a terminal (podman exec -t).
	podmanExec := func(args ...string) func(t *testing.T, marker string) {
		return func(t *testing.T, marker string) {
			a := append([]string{"exec"}, args...)
			for i := range a {
				a[i] = strings.ReplaceAll(a[i], "{marker}", marker)
			}
			// Failures of the commands themselves are part of the actions.
			_, _ = ctrtest.RunErr(p.Env, nil, "podman", a...)
		}
	}
	inCtr := func(name string, args ...string) func(t *testing.T, marker string) {
		return podmanExec(append([]string{name}, args...)...)
	}
	inTerm := func(name string, args ...string) func(t *testing.T, marker string) {
		return podmanExec(append([]string{"-t", name}, args...)...)
	}
	onHost := func(args ...string) func(t *testing.T, marker string) {
		return func(t *testing.T, marker string) {
			for i := range args {
				args[i] = strings.ReplaceAll(args[i], "{marker}", marker)
			}
			cmd := exec.Command(filepath.Join(hostDir, args[0]), args[1:]...)
			_ = cmd.Run()
		}
	}
	actions := []ruleAction{
		{"packet socket in a container", "Packet socket created in container", true, "sc-priv",
			inCtr("sc-priv", "arping", "-c", "1", "-w", "1", "-I", "lo", "127.0.0.{marker}")},
		{"packet socket on the host", "Packet socket created in container", false, "",
			onHost("arping", "-c", "1", "-w", "1", "-I", "lo", "127.0.0.{marker}")},
		{"mount in a privileged container", "Mount Launched in Privileged Container", true, "sc-priv",
			inCtr("sc-priv", "mount", "-t", "tmpfs", "-o", "size=1m", "none{marker}", "/mnt")},
		{"mount in an unprivileged container", "Mount Launched in Privileged Container", false, "sc-plain",
			inCtr("sc-plain", "mount", "-t", "tmpfs", "-o", "size=1m", "none{marker}", "/mnt")},
		{"mount on the host", "Mount Launched in Privileged Container", false, "",
			onHost("mount", "-t", "tmpfs", "-o", "size=1m", "none{marker}", "/nonexistent-syscope")},
		{"debugfs in a privileged container", "Debugfs Launched in Privileged Container", true, "sc-priv",
			inCtr("sc-priv", "sh", "-c", "ln -sf /bin/busybox /tmp/debugfs && /tmp/debugfs {marker}")},
		{"debugfs in an unprivileged container", "Debugfs Launched in Privileged Container", false, "sc-plain",
			inCtr("sc-plain", "sh", "-c", "ln -sf /bin/busybox /tmp/debugfs && /tmp/debugfs {marker}")},
		{"debugfs on the host", "Debugfs Launched in Privileged Container", false, "",
			onHost("debugfs", "{marker}")},
		// Falco's "Terminal shell in container" also wants the shell's
		// parent to be a container entry point (runc, conmon, systemd...);
		// here an exec'd process is reparented to this VM's init, which is
		// none of them, so the test checks the terminal the rule reads.
		{"shell with a terminal in a container", "syscope test action", true, "sc-plain",
			inTerm("sc-plain", "sh", "-c", "echo {marker}")},
		{"shell without a terminal in a container", "syscope test action", true, "sc-plain",
			inCtr("sc-plain", "sh", "-c", "echo {marker}")},
		{"binary dropped and run in a container", "Drop and execute new binary in container", true, "sc-plain",
			inCtr("sc-plain", "sh", "-c", "cp /bin/busybox /tmp/dropped{marker} && /tmp/dropped{marker} true")},
		{"image binary run in a container", "Drop and execute new binary in container", false, "sc-plain",
			inCtr("sc-plain", "sh", "-c", "/bin/busybox true {marker}")},
		{"netcat with -e in a container", "Netcat Remote Code Execution in Container", true, "sc-plain",
			inCtr("sc-plain", "nc", "-e", "/bin/true", "-w", "1", "127.0.0.{marker}", "9")},
		{"netcat with -e on the host", "Netcat Remote Code Execution in Container", false, "",
			onHost("nc", "-e", "/bin/true", "-w", "1", "127.0.0.{marker}", "9")},
	}
	wantTerminal := map[string]bool{"shell with a terminal in a container": true, "shell without a terminal in a container": false}
	for i, a := range actions {
		a.run(t, fmt.Sprint(100+i))
	}

	// Wait for the expected alerts (bounded; not a timing assertion).
	marker := func(i int) string { return fmt.Sprint(100 + i) }
	matching := func(alerts []alertRecord, i int) []alertRecord {
		var out []alertRecord
		for _, al := range alerts {
			if al.Rule == actions[i].rule && strings.Contains(al.field("proc.cmdline"), marker(i)) {
				out = append(out, al)
			}
		}
		return out
	}
	ctrtest.WaitFor(context.Background(), 60*time.Second, func() bool {
		all := sink.snapshot()
		for i, a := range actions {
			if a.raise && len(matching(all, i)) == 0 {
				return false
			}
		}
		return true
	})
	// Containers created while the engine runs. The watcher resolves each
	// one when podman creates it (the test does not look them up), so the
	// first process of the privileged one raises Launch Privileged
	// Container, its metadata known when it runs; the plain one's does not.
	launched := map[string]string{}
	for _, name := range []string{"sc-launch-priv", "sc-launch-plain"} {
		args := []string{"create", "--network", "none", "--name", name}
		if name == "sc-launch-priv" {
			args = append(args, "--privileged")
		}
		id := strings.TrimSpace(ctrtest.Run(t, p.Env, nil, "podman", append(args, ctrtest.PodmanImage, "sleep", "601")...))
		if !ctrtest.WaitFor(context.Background(), 60*time.Second, func() bool {
			c := m.Get(id)
			return c != nil && c.State == container.StateResolved
		}) {
			t.Fatalf("created container %s not resolved by the watcher: %+v (manager %+v)", name, m.Get(id), m.Stats())
		}
		ctrtest.Run(t, p.Env, nil, "podman", "start", name)
		launched[name] = id
	}
	launchAlerts := func(name string) []alertRecord {
		var out []alertRecord
		for _, al := range sink.snapshot() {
			if al.Rule == "Launch Privileged Container" && al.field("container.name") == name {
				out = append(out, al)
			}
		}
		return out
	}
	ctrtest.WaitFor(context.Background(), 60*time.Second, func() bool { return len(launchAlerts("sc-launch-priv")) > 0 })

	// Give the negative cases the same chance to (wrongly) show up: one
	// more positive action after them, waited for.
	final := len(actions)
	actions = append(actions, ruleAction{"netcat again", "Netcat Remote Code Execution in Container", true, "sc-plain",
		inCtr("sc-plain", "nc", "-e", "/bin/true", "-w", "1", "127.0.0.{marker}", "9")})
	actions[final].run(t, marker(final))
	ctrtest.WaitFor(context.Background(), 60*time.Second, func() bool { return len(matching(sink.snapshot(), final)) > 0 })
	stop()

	all := sink.snapshot()
	ids := map[string]string{"sc-priv": privID[:12], "sc-plain": plainID[:12], "": "host"}
	for i, a := range actions {
		seen := false
		for _, al := range all {
			if al.Rule == "syscope test action" && strings.Contains(al.field("proc.cmdline"), marker(i)) &&
				al.field("container.id") == ids[a.ctrName] {
				seen = true
			}
		}
		if !seen {
			t.Errorf("%s: its process was not seen in %s", a.name, ids[a.ctrName])
		}
		got := matching(all, i)
		switch {
		case a.raise && len(got) == 0:
			var seen []string
			for _, al := range all {
				seen = append(seen, al.Rule+" ["+al.field("proc.cmdline")+"]")
			}
			sort.Strings(seen)
			t.Errorf("%s: %q not raised; alerts: %v", a.name, a.rule, seen)
		case !a.raise && len(got) > 0:
			t.Errorf("%s: %q raised: %s", a.name, a.rule, got[0].Output)
		case a.raise:
			al := got[0]
			t.Logf("%s: %s (container %s %s, privileged %s)", a.name, al.Rule, al.field("container.name"), al.field("container.id"), al.field("container.privileged"))
			if al.field("container.id") != ids[a.ctrName] || al.field("container.name") != a.ctrName ||
				al.field("container.image.repository") != "localhost/busybox" {
				t.Errorf("%s: alert fields %v", a.name, al.Fields)
			}
			if strings.Contains(a.rule, "Privileged") && al.field("container.privileged") != "true" {
				t.Errorf("%s: container.privileged = %s", a.name, al.field("container.privileged"))
			}
			if term, ok := wantTerminal[a.name]; ok && (al.field("proc.tty") != "0") != term {
				t.Errorf("%s: proc.tty = %s", a.name, al.field("proc.tty"))
			}
		}
	}
	if got := launchAlerts("sc-launch-priv"); len(got) == 0 {
		t.Errorf("Launch Privileged Container not raised for the privileged container started while watching")
	} else {
		al := got[0]
		t.Logf("container started: %s (container %s %s, privileged %s, %s)", al.Rule, al.field("container.name"), al.field("container.id"), al.field("container.privileged"), al.field("proc.cmdline"))
		if al.field("container.id") != launched["sc-launch-priv"][:12] || al.field("container.privileged") != "true" ||
			al.field("proc.cmdline") != "sleep 601" {
			t.Errorf("Launch Privileged Container fields %v", al.Fields)
		}
	}
	if got := launchAlerts("sc-launch-plain"); len(got) > 0 {
		t.Errorf("Launch Privileged Container raised for an unprivileged container: %s", got[0].Output)
	}
	ctrtest.WaitFor(context.Background(), 30*time.Second, func() bool { return m.Stats().Refreshes >= 4 })
	if s := m.Stats(); s.Refreshes < 4 {
		t.Errorf("watcher reported %d container events, want a create and a start of each container (manager %+v)", s.Refreshes, s)
	}
	if len(sink.bad) > 0 {
		t.Errorf("unparsable alerts: %v", sink.bad)
	}
	if s := m.Stats(); s.Failed != 0 {
		t.Errorf("manager stats %+v", s)
	}
}
