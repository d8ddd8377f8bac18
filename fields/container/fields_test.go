package containerfields_test

import (
	"strconv"
	"testing"

	"github.com/syscope/syscope/container"
	"github.com/syscope/syscope/fields"
	containerfields "github.com/syscope/syscope/fields/container"
	"github.com/syscope/syscope/state"
)

type want map[string]string

func (w *world) check(t *testing.T, tid int64, exp want) {
	t.Helper()
	for f, v := range exp {
		if got := w.text(tid, f); got != v {
			t.Errorf("tid %d %s = %q, want %q", tid, f, got, v)
		}
	}
}

const dockerMounts = "/var/run/docker.sock:/var/run/docker.sock::true:rprivate,/srv/data:/data:ro:false:private"

func TestHostCurrent(t *testing.T) {
	w := newWorld(t, fields.Current)
	exp := want{
		"container.id": "host", "container.full_id": "host", "container.name": "host", "container.type": "host",
		"container.image": "", "container.image.id": "", "container.image.repository": "", "container.image.tag": "",
		"container.image.digest": "", "container.privileged": "false", "container.mounts": "",
		"container.mount[0]": "<NA>", "container.mount.dest[/var/run/docker.sock]": "<NA>",
		"container.healthcheck": "<NA>", "container.liveness_probe": "<NA>", "container.readiness_probe": "<NA>",
		"container.start_ts": "<NA>", "container.duration": "<NA>", "container.ip": "", "container.cni.json": "",
		"container.host_network": "false", "container.label[app]": "<NA>", "container.labels": "",
		"proc.is_container_healthcheck": "false", "proc.is_container_liveness_probe": "false", "proc.is_container_readiness_probe": "false",
		"k8s.pod.name": "<NA>", "k8s.ns.name": "<NA>", "k8s.pod.id": "<NA>", "k8s.pod.uid": "<NA>",
		"k8s.pod.sandbox_id": "", "k8s.pod.full_sandbox_id": "", "k8s.pod.label[app]": "<NA>", "k8s.pod.labels": "",
		"k8s.pod.ip": "", "k8s.pod.cni.json": "", "k8s.rc.name": "<NA>", "k8s.deployment.label[x]": "<NA>",
		"fd.containername": "<NA>", // getuid has no fd: checks the field resolves
	}
	for _, tid := range []int64{tidShell, tidInit, tidNoCgroups, tidShim} {
		w.check(t, tid, exp)
	}
}

func TestHostSysdig029(t *testing.T) {
	w := newWorld(t, fields.Sysdig029)
	w.check(t, tidShell, want{
		"container.id": "host", "container.name": "host", "container.type": "host",
		"container.image": "<NA>", "container.image.id": "<NA>", "container.image.repository": "<NA>",
		"container.image.tag": "<NA>", "container.image.digest": "<NA>", "container.privileged": "<NA>",
		"container.mounts": "<NA>", "container.mount[0]": "<NA>", "container.healthcheck": "<NA>",
		"container.liveness_probe": "<NA>", "k8s.pod.name": "<NA>", "k8s.ns.name": "<NA>", "k8s.pod.id": "<NA>",
		"k8s.pod.label[app]": "<NA>", "k8s.pod.labels": "<NA>",
		"proc.is_container_healthcheck": "false",
	})
}

func TestDockerContainer(t *testing.T) {
	for _, compat := range []fields.Compat{fields.Current, fields.Sysdig029} {
		w := newWorld(t, compat)
		c := dockerRecord()
		exp := want{
			"container.id": dockerID[:12], "container.full_id": dockerID, "container.name": "web",
			"container.image": c.Image, "container.image.id": c.ImageID, "container.type": "docker",
			"container.image.repository": c.ImageRepository, "container.image.tag": "1.27", "container.image.digest": "sha256:feed",
			"container.privileged": "true", "container.mounts": dockerMounts,
			"container.mount[0]":                         "/var/run/docker.sock:/var/run/docker.sock::true:rprivate",
			"container.mount[1]":                         "/srv/data:/data:ro:false:private",
			"container.mount[2]":                         "<NA>",
			"container.mount[/srv/*]":                    "/srv/data:/data:ro:false:private",
			"container.mount[/var/*]":                    "/var/run/docker.sock:/var/run/docker.sock::true:rprivate",
			"container.mount[/nope*]":                    "<NA>",
			"container.mount.dest[/srv/data]":            "/data",
			"container.mount.dest[/var/run/docker.sock]": "/var/run/docker.sock",
			"container.mount.dest[/proc*]":               "<NA>",
			"container.mount.source[/data]":              "/srv/data", // by destination
			"container.mount.source[/srv/data]":          "<NA>",
			"container.mount.mode[1]":                    "ro",
			"container.mount.mode[0]":                    "",
			"container.mount.rdwr[0]":                    "true",
			"container.mount.rdwr[/srv/da?a]":            "false",
			"container.mount.propagation[/srv/*]":        "private",
			"container.healthcheck":                      "/bin/sh -c test -d /",
			"container.liveness_probe":                   "NONE",
			"container.readiness_probe":                  "NONE",
			"container.start_ts":                         strconv.FormatInt(c.StartedAt.UnixNano(), 10),
			"container.ip":                               "172.17.0.2",
			"container.cni.json":                         "",
			"container.host_network":                     "false",
			"container.label[app]":                       "web",
			"container.label.app":                        "web",
			"container.label[empty]":                     "",
			"container.label[missing]":                   "<NA>",
			"container.labels":                           "app:web, empty",
			"k8s.pod.name":                               "<NA>",
			"k8s.pod.label[app]":                         "<NA>",
			"proc.is_container_healthcheck":              "false",
		}
		if compat == fields.Current {
			exp["k8s.pod.sandbox_id"] = ""
			exp["k8s.pod.labels"] = ""
			exp["k8s.pod.ip"] = ""
		} else {
			exp["k8s.pod.labels"] = "<NA>"
		}
		w.check(t, tidCtrShell, exp)
		// A thread without cgroups of its own is in its process's container.
		w.check(t, tidCtrThread, want{"container.id": dockerID[:12], "container.name": "web"})
		w.check(t, tidCtrInit, want{"container.id": dockerID[:12], "proc.is_container_healthcheck": "false"})
	}
}

func TestDuration(t *testing.T) {
	w := newWorld(t, fields.Current)
	x := w.extractor("container.duration")
	c := w.ctx(tidCtrShell)
	v, ok := x.Field.Uint(c, 0)
	want := c.Evt.Ts() - uint64(dockerRecord().StartedAt.UnixNano())
	if !ok || v != want {
		t.Fatalf("container.duration = %d %v, want %d", v, ok, want)
	}
}

func TestCRIContainer(t *testing.T) {
	for _, compat := range []fields.Compat{fields.Current, fields.Sysdig029} {
		w := newWorld(t, compat)
		exp := want{
			"container.id": criID[:12], "container.name": "sleeper", "container.type": "containerd",
			"container.privileged": "false", "container.labels": "role:sleeper",
			"container.ip": "10.88.0.7", "container.cni.json": criRecord().Pod.CNIJSON,
			"container.healthcheck":    "NONE",
			"container.liveness_probe": "cat /data/f", "container.readiness_probe": "sh -c sleep 30; true",
			"k8s.pod.name": "sc-pod", "k8s.ns.name": "sc-ns", "k8s.pod.id": podUID, "k8s.pod.uid": podUID,
			"k8s.pod.sandbox_id": sandboxID[:12], "k8s.pod.full_sandbox_id": sandboxID,
			"k8s.pod.label[app]": "sctest", "k8s.pod.label.tier": "backend", "k8s.pod.label[nope]": "<NA>",
			"k8s.pod.labels": "app:sctest, tier:backend",
			"k8s.pod.ip":     "10.88.0.7", "k8s.pod.cni.json": criRecord().Pod.CNIJSON,
			"proc.is_container_readiness_probe": "false", "proc.is_container_liveness_probe": "false",
		}
		if compat == fields.Current {
			exp["container.image.digest"] = ""
		} else {
			exp["container.image.digest"] = "<NA>"
		}
		w.check(t, tidCRI, exp)
		w.check(t, tidReadiness, want{
			"proc.is_container_readiness_probe": "true", "proc.is_container_liveness_probe": "false",
			"proc.is_container_healthcheck": "false", "k8s.pod.name": "sc-pod",
		})
	}
}

func TestProbeProcesses(t *testing.T) {
	w := newWorld(t, fields.Current)
	for tid, exp := range map[int64]string{
		tidHealth:    "true",  // started from the host (the shim) with the probe's command line
		tidHealthKid: "true",  // a child of a probe inherits it
		tidLookalike: "false", // same command line, but a descendant of the container's init
		tidCtrShell:  "false",
		tidCtrInit:   "false",
		tidShell:     "false",
		tidPending:   "false",
	} {
		if got := w.text(tid, "proc.is_container_healthcheck"); got != exp {
			t.Errorf("tid %d proc.is_container_healthcheck = %s, want %s", tid, got, exp)
		}
	}
}

func TestPendingContainer(t *testing.T) {
	// A runtime that never answers: the record stays pending.
	w := newWorld(t, fields.Current, hangClient{})
	exp := want{
		"container.id": pendingID[:12], "container.full_id": "<NA>", "container.name": "<NA>", "container.type": "<NA>",
		"container.image": "<NA>", "container.image.repository": "<NA>", "container.privileged": "<NA>",
		"container.mounts": "<NA>", "container.mount[0]": "<NA>", "container.healthcheck": "<NA>",
		"container.ip": "<NA>", "container.labels": "<NA>", "container.label[a]": "<NA>", "container.start_ts": "<NA>",
		"k8s.pod.name": "<NA>", "k8s.pod.sandbox_id": "<NA>", "k8s.pod.labels": "<NA>", "k8s.pod.ip": "<NA>",
		"proc.is_container_healthcheck": "false",
	}
	w.check(t, tidPending, exp)
	if _, rec := w.tr.Container(w.st.Thread(tidPending)); rec == nil || rec.State != container.StatePending {
		t.Fatalf("record = %+v, want pending", rec)
	}
	if s := w.m.Stats(); s.Enqueued == 0 {
		t.Errorf("no resolve queued: %+v", s)
	}

	// libsinsp 0.29.3 reading a capture keeps a stub (id and type) for a
	// container without metadata.
	w = newWorld(t, fields.Sysdig029, hangClient{})
	w.check(t, tidPending, want{
		"container.id": pendingID[:12], "container.name": "<NA>", "container.type": "docker", "container.image": "<NA>",
		"container.privileged": "false", "container.mounts": "", "container.healthcheck": "NONE",
		"k8s.pod.name": "<NA>", "k8s.pod.labels": "<NA>",
	})
}

func TestNoRuntime(t *testing.T) {
	// No client at all (reading a capture): unknown runc containers have
	// only their id; LXC containers are named after their id.
	w := newWorld(t, fields.Current)
	w.check(t, tidPending, want{"container.id": pendingID[:12], "container.name": "<NA>", "container.type": "<NA>"})
	w.check(t, tidLXC, want{"container.id": lxcName, "container.full_id": lxcName, "container.name": lxcName,
		"container.type": "lxc", "container.privileged": "false", "container.image": ""})
	w = newWorld(t, fields.Sysdig029)
	w.check(t, tidLXC, want{"container.name": lxcName, "container.type": "lxc", "container.privileged": "<NA>", "container.image": "<NA>"})
}

func TestResolveLater(t *testing.T) {
	w := newWorld(t, fields.Current)
	x := w.extractor("container.name")
	if _, ok := x.AppendText(nil, w.ctx(tidPending)); ok {
		t.Fatal("unknown container has a name")
	}
	r := &container.Container{ID: pendingID[:12], FullID: pendingID, Type: container.TypeDocker, State: container.StateResolved,
		Name: "late", Labels: map[string]string{"k": "v"}}
	w.m.Add(r)
	if got, ok := x.AppendText(nil, w.ctx(tidPending)); !ok || string(got) != "late" {
		t.Fatalf("after Add: %q %v", got, ok)
	}
	// The label list is rendered per record: a new record is rendered anew.
	lx := w.extractor("container.labels")
	first, _ := lx.AppendText(nil, w.ctx(tidPending))
	r2 := *r
	r2.Labels = map[string]string{"k": "w"}
	w.m.Add(&r2)
	second, _ := lx.AppendText(nil, w.ctx(tidPending))
	if string(first) != "k:v" || string(second) != "k:w" {
		t.Fatalf("labels %q then %q", first, second)
	}
}

func TestFilters(t *testing.T) {
	w := newWorld(t, fields.Current)
	cases := []struct {
		tid    int64
		filter string
		want   bool
	}{
		{tidShell, "container.id != host", false},
		{tidCtrShell, "container.id != host", true},
		{tidPending, "container.id != host", true},
		{tidCtrShell, "container.privileged = true", true},
		{tidCRI, "container.privileged = true", false},
		{tidShell, "container.privileged = true", false},
		{tidCtrShell, "container.image.repository in (docker.io/library/nginx, quay.io/x)", true},
		{tidCRI, "k8s.ns.name = sc-ns and k8s.pod.name startswith sc-", true},
		{tidCRI, "k8s.pod.label[tier] = backend", true},
		{tidCtrShell, "container.mount.dest[/var/run/docker.sock] = /var/run/docker.sock", true},
		{tidCtrShell, "container.mount.dest[/proc*] exists", false},
		{tidCtrShell, "container.label.app = web", true},
		{tidHealthKid, "proc.is_container_healthcheck = true", true},
		{tidReadiness, "proc.is_container_readiness_probe = true and container.name = sleeper", true},
		{tidCtrShell, "container.start_ts > 0 and container.duration > 0", true},
		{tidPending, "container.name exists", false},
	}
	for _, c := range cases {
		if got := w.match(c.tid, c.filter); got != c.want {
			t.Errorf("tid %d: %s = %v, want %v", c.tid, c.filter, got, c.want)
		}
	}
}

func TestFDContainerName(t *testing.T) {
	// Attach sets fields.Env.ContainerID, which fd.containername reads.
	w := newWorld(t, fields.Current)
	if got := w.env.ContainerID(w.st.Thread(tidCtrShell)); got != dockerID[:12] {
		t.Fatalf("Env.ContainerID = %q", got)
	}
	if got := w.env.ContainerID(w.st.Thread(tidShell)); got != "" {
		t.Fatalf("Env.ContainerID of a host thread = %q", got)
	}
}

func TestWithoutTracker(t *testing.T) {
	st := state.New(nil)
	st.SeedThread(&state.ProcInfo{Tid: 5, Pid: 5, Comm: "a", Cgroups: cg("/docker/" + dockerID)})
	// No tracker and no ContainerID: every thread is on the host.
	env := &fields.Env{State: st}
	w := &world{t: t, st: st, env: env, res: fields.NewResolver(nil, env), ts: 1}
	w.check(t, 5, want{"container.id": "host", "container.name": "host"})
	// A ContainerID function alone gives ids without metadata.
	env2 := &fields.Env{State: st, ContainerID: func(th *state.Thread) string { return "abc" }}
	w2 := &world{t: t, st: st, env: env2, res: fields.NewResolver(nil, env2), ts: 1}
	w2.check(t, 5, want{"container.id": "abc", "container.name": "<NA>", "proc.is_container_healthcheck": "false"})
	if containerfields.TrackerOf(env2) != nil {
		t.Fatal("a tracker is attached to an env nobody attached to")
	}
}
