package containerfields_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/syscope/syscope/container"
	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/fields"
	containerfields "github.com/syscope/syscope/fields/container"
	"github.com/syscope/syscope/filter"
	"github.com/syscope/syscope/state"
)

// Ids of the synthetic containers.
var (
	dockerID  = strings.Repeat("d0", 32)
	criID     = strings.Repeat("c1", 32)
	sandboxID = strings.Repeat("5a", 32)
	pendingID = strings.Repeat("e7", 32)
	lxcName   = "web01"
	podUID    = "11111111-2222-4333-8444-555555555555"
)

// hangClient never answers: containers it is asked about stay pending.
type hangClient struct{}

func (hangClient) Name() string               { return "hang" }
func (hangClient) Serves(container.Type) bool { return true }
func (hangClient) Inspect(ctx context.Context, id string) (*container.Container, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

func dockerRecord() *container.Container {
	return &container.Container{
		ID: dockerID[:12], FullID: dockerID, Type: container.TypeDocker, State: container.StateResolved,
		Name: "web", Image: "docker.io/library/nginx:1.27", ImageID: "abcdef0123",
		ImageRepository: "docker.io/library/nginx", ImageTag: "1.27", ImageDigest: "sha256:feed",
		Privileged: true,
		Mounts: []container.Mount{
			{Source: "/var/run/docker.sock", Dest: "/var/run/docker.sock", Mode: "", RW: true, Propagation: "rprivate"},
			{Source: "/srv/data", Dest: "/data", Mode: "ro", RW: false, Propagation: "private"},
		},
		CreatedAt:   time.Unix(1700000000, 0),
		StartedAt:   time.Unix(1700000001, 500),
		IP:          "172.17.0.2",
		Labels:      map[string]string{"app": "web", "empty": "", "annotation.note": "x", "io.kubernetes.other": "y"},
		HealthCheck: &container.Probe{Exe: "/bin/sh", Args: []string{"-c", "test -d /"}},
	}
}

func criRecord() *container.Container {
	return &container.Container{
		ID: criID[:12], FullID: criID, Type: container.TypeContainerd, State: container.StateResolved,
		Name: "sleeper", Image: "localhost/busybox:test", ImageID: "0123abcd",
		ImageRepository: "localhost/busybox", ImageTag: "test",
		Labels: map[string]string{
			container.LabelPodName: "sc-pod", container.LabelPodNamespace: "sc-ns", container.LabelPodUID: podUID,
			"role": "sleeper",
		},
		LivenessProbe:  &container.Probe{Exe: "cat", Args: []string{"/data/f"}},
		ReadinessProbe: &container.Probe{Exe: "sh", Args: []string{"-c", "sleep 30; true"}},
		Pod: &container.Pod{
			SandboxID: sandboxID, Name: "sc-pod", UID: podUID, Namespace: "sc-ns",
			Labels: map[string]string{"app": "sctest", "tier": "backend", "io.kubernetes.pod.name": "sc-pod"},
			IP:     "10.88.0.7", CNIJSON: `{"eth0":{"IPConfigs":[{"IP":"10.88.0.7"}]}}`,
		},
	}
}

// world is a synthetic machine: a state with host and container threads,
// a Manager knowing some of the containers, a Tracker, and an Env.
type world struct {
	t   testing.TB
	st  *state.State
	m   *container.Manager
	tr  *containerfields.Tracker
	env *fields.Env
	res *fields.Resolver
	b   event.Builder
	e   event.Event
	buf []byte
	ts  uint64
	num uint64
}

// Thread ids of the world.
const (
	tidInit       = 1
	tidShell      = 100
	tidShim       = 150
	tidCtrInit    = 200
	tidCtrShell   = 201
	tidCtrThread  = 202 // a thread of 201 without cgroups of its own
	tidHealth     = 210
	tidHealthKid  = 211
	tidLookalike  = 212 // same command as the health check, under the container init
	tidCRI        = 300
	tidReadiness  = 310
	tidPending    = 400
	tidLXC        = 500
	tidNoCgroups  = 600
	tidUnknownRun = 700 // a container no record will ever be known for (manager without clients)
)

func cg(path string) []state.Cgroup {
	return []state.Cgroup{{Subsys: "cpuset", Path: path}, {Subsys: "memory", Path: path}}
}

func newWorld(t testing.TB, compat fields.Compat, clients ...container.Client) *world {
	t.Helper()
	m := container.NewManager(container.Options{Clients: clients, Timeout: time.Hour})
	t.Cleanup(func() { m.Close() })
	m.Add(dockerRecord())
	m.Add(criRecord())
	w := &world{t: t, st: state.New(nil), m: m, ts: 1_800_000_000_000_000_000}
	w.tr = containerfields.NewTracker(m, nil)
	w.env = &fields.Env{State: w.st, Compat: compat}
	w.tr.Attach(w.env)
	w.res = fields.NewResolver(nil, w.env)
	seed := func(tid, pid, ptid, vpid int64, comm, exe string, args []string, cgs []state.Cgroup) {
		if !w.st.SeedThread(&state.ProcInfo{Tid: tid, Pid: pid, PTid: ptid, Sid: pid, VTid: vpid, VPid: vpid,
			Comm: comm, Exe: exe, ExePath: "/bin/" + comm, Args: args, Cgroups: cgs}) {
			t.Fatalf("seed %d", tid)
		}
	}
	seed(tidInit, tidInit, 0, 1, "systemd", "/sbin/init", nil, cg("/init.scope"))
	seed(tidShell, tidShell, tidInit, tidShell, "bash", "bash", nil, cg("/user.slice/user-0.slice/session-1.scope"))
	seed(tidShim, tidShim, tidInit, tidShim, "containerd-shim", "containerd-shim", nil, cg("/system.slice/containerd.service"))
	seed(tidCtrInit, tidCtrInit, tidShim, 1, "nginx", "nginx", nil, cg("/docker/"+dockerID))
	seed(tidCtrShell, tidCtrShell, tidCtrInit, 7, "sh", "/bin/sh", []string{"-c", "test -d /"}, cg("/docker/"+dockerID))
	seed(tidCtrThread, tidCtrShell, tidCtrShell, 8, "sh", "/bin/sh", nil, nil)
	seed(tidHealth, tidHealth, tidShim, 30, "sh", "/bin/sh", []string{"-c", "test -d /"}, cg("/docker/"+dockerID))
	seed(tidHealthKid, tidHealthKid, tidHealth, 31, "sleep", "sleep", []string{"1"}, cg("/docker/"+dockerID))
	seed(tidLookalike, tidLookalike, tidCtrInit, 32, "sh", "/bin/sh", []string{"-c", "test -d /"}, cg("/docker/"+dockerID))
	seed(tidCRI, tidCRI, tidShim, 1, "sleep", "/bin/sleep", []string{"300"}, cg("/kubepods/besteffort/pod"+podUID+"/"+criID))
	seed(tidReadiness, tidReadiness, tidShim, 12, "sh", "sh", []string{"-c", "sleep 30; true"}, cg("/kubepods/besteffort/pod"+podUID+"/"+criID))
	seed(tidPending, tidPending, tidShim, 1, "app", "app", nil, cg("/docker/"+pendingID))
	seed(tidLXC, tidLXC, tidInit, 1, "init", "/sbin/init", nil, cg("/lxc.payload."+lxcName))
	seed(tidNoCgroups, tidNoCgroups, tidInit, tidNoCgroups, "kworker", "kworker", nil, nil)
	w.st.SeedDone()
	return w
}

// ctx runs a getuid enter event of thread tid through the state and
// returns its context.
func (w *world) ctx(tid int64) *state.Ctx {
	w.t.Helper()
	w.ts += 1000
	w.num++
	w.b.Reset(w.ts, tid, event.SyscallGetuidE)
	raw, err := w.b.Bytes()
	if err != nil {
		w.t.Fatal(err)
	}
	w.buf = append(w.buf[:0], raw...)
	w.e = event.Event{Raw: w.buf, Num: w.num}
	c := w.st.Process(&w.e)
	if c.Thread == nil || c.Thread.Tid != tid {
		w.t.Fatalf("event of %d has thread %+v", tid, c.Thread)
	}
	return c
}

// extractor resolves a field as an output format writes it.
func (w *world) extractor(field string) *fields.Extractor {
	w.t.Helper()
	ref, n := w.res.ParseToken(field)
	if n != len(field) {
		w.t.Fatalf("field %q: parsed %d bytes (%+v)", field, n, ref)
	}
	x, err := w.res.Extractor(ref)
	if err != nil {
		w.t.Fatalf("field %q: %v", field, err)
	}
	return x
}

// text returns the field's text rendering for thread tid, "<NA>" when it
// has no value.
func (w *world) text(tid int64, field string) string {
	w.t.Helper()
	x := w.extractor(field)
	c := w.ctx(tid)
	b, ok := x.AppendText(nil, c)
	if !ok {
		return "<NA>"
	}
	return string(b)
}

// match compiles a filter and runs it on an event of thread tid.
func (w *world) match(tid int64, text string) bool {
	w.t.Helper()
	e, err := filter.Parse(text)
	if err != nil {
		w.t.Fatalf("parse %q: %v", text, err)
	}
	p, err := filter.Compile[*state.Ctx](e, w.res)
	if err != nil {
		w.t.Fatalf("compile %q: %v", text, err)
	}
	return p(w.ctx(tid))
}
