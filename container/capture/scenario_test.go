package capture_test

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/syscope/syscope/container"
	"github.com/syscope/syscope/container/capture"
	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/fields"
	containerfields "github.com/syscope/syscope/fields/container"
	"github.com/syscope/syscope/inspect"
	"github.com/syscope/syscope/scap"
	"github.com/syscope/syscope/state"
)

var pendingID = strings.Repeat("e7", 32)

// sandboxRecord is the pod sandbox of criRecord, as the CRI runtime
// describes it.
func sandboxRecord() *container.Container {
	p := criRecord().Pod
	return &container.Container{
		ID: sandboxID[:12], FullID: sandboxID, Type: container.TypeContainerd, State: container.StateResolved,
		Name: "sc-pod", Image: "localhost/pause:test", ImageRepository: "localhost/pause", ImageTag: "test",
		IsPodSandbox: true, HostNetwork: true,
		Labels: map[string]string{"app": "sctest", "tier": "backend", container.LabelPodName: "sc-pod",
			container.LabelPodNamespace: "sc-ns", container.LabelPodUID: podUID},
		Pod: p,
	}
}

// scenario is a machine with host processes and processes in docker,
// podman and CRI containers, one container whose metadata is unknown, and
// a Manager that knows the others.
type scenario struct {
	md   *scap.Metadata
	m    *container.Manager
	tids []int64
}

func newScenario(t testing.TB) *scenario {
	m := container.NewManager(container.Options{})
	t.Cleanup(func() { m.Close() })
	for _, r := range []*container.Container{dockerRecord(), criRecord(), podmanRecord(), sandboxRecord()} {
		m.Add(r)
	}
	md := &scap.Metadata{Machine: &scap.MachineInfo{NumCPUs: 2, MemoryBytes: 1 << 30, MaxPID: 4194304, Hostname: "scenario"}}
	proc := func(tid, ptid, vpid int64, comm, exe string, args []string, cg string) {
		p := scap.NewProcess(tid)
		p.Pid, p.Ptid, p.Vtid, p.Vpid, p.Sid, p.Vpgid, p.Pgid = tid, ptid, vpid, vpid, tid, vpid, tid
		p.Comm, p.Exe, p.ExePath, p.Args = comm, exe, "/bin/"+comm, args
		p.Cwd = "/"
		p.FDLimit = 1024
		p.Cgroups = []string{"cpuset=" + cg, "cpu=" + cg, "memory=" + cg}
		p.Root = "/"
		md.Processes = append(md.Processes, p)
	}
	kube := "/kubepods/besteffort/pod" + podUID + "/"
	proc(1, 0, 1, "systemd", "/sbin/init", nil, "/")
	proc(100, 1, 100, "bash", "bash", nil, "/user.slice")
	proc(150, 1, 150, "containerd-shim", "containerd-shim", nil, "/system.slice/containerd.service")
	proc(200, 150, 1, "nginx", "nginx", []string{"-g", "daemon off;"}, "/docker/"+dockerID)
	proc(201, 200, 7, "sh", "/bin/sh", []string{"-c", "id"}, "/docker/"+dockerID)
	proc(210, 150, 30, "sh", "/bin/sh", []string{"-c", "test -d /"}, "/docker/"+dockerID)
	proc(300, 150, 1, "sleep", "/bin/sleep", []string{"300"}, kube+criID)
	proc(310, 150, 12, "sh", "sh", []string{"-c", "sleep 30; true"}, kube+criID)
	proc(350, 150, 1, "pause", "/pause", nil, kube+sandboxID)
	proc(400, 1, 1, "sleep", "sleep", []string{"300"}, "/machine.slice/libpod-"+podmanID+".scope")
	proc(450, 150, 1, "app", "app", nil, "/docker/"+pendingID)
	s := &scenario{md: md, m: m}
	for _, p := range md.Processes {
		s.tids = append(s.tids, p.Tid)
	}
	return s
}

// write writes the scenario as a capture (see writeCapture).
func (s *scenario) write(t testing.TB, o *scap.WriterOptions, compat fields.Compat, change func()) ([]byte, [][]string) {
	return writeCapture(t, s.md, s.m, s.tids, o, compat, change)
}

// writeCapture writes a capture of the machine md: container events from m
// at the start, then a getuid enter event per thread of tids, in two
// rounds (change, when set, runs between them), each preceded by its
// container's event when that was not written yet, and the containers
// resolved meanwhile at the end.
//
// It returns the capture and, for each thread event, the values of
// replayFields as the writing side saw them (in compat mode).
func writeCapture(t testing.TB, md *scap.Metadata, m *container.Manager, tids []int64, o *scap.WriterOptions, compat fields.Compat, change func()) ([]byte, [][]string) {
	t.Helper()
	var buf bytes.Buffer
	w, err := scap.NewWriter(&buf, md, o)
	if err != nil {
		t.Fatal(err)
	}
	st := state.New(nil)
	st.Seed(md)
	tr := containerfields.NewTracker(m, nil)
	env := &fields.Env{State: st, Compat: compat}
	tr.Attach(env)
	res := fields.NewResolver(nil, env)
	var live [][]string
	rec := capture.NewRecorder(w, m, nil)
	ts := uint64(1_700_000_500_000_000_000)
	if err := rec.Sync(ts); err != nil {
		t.Fatal(err)
	}
	var b event.Builder
	for round := 0; round < 2; round++ {
		if round == 1 && change != nil {
			change()
		}
		for _, tid := range tids {
			ts += 1000
			_, c := tr.Container(st.Thread(tid))
			if err := rec.Observe(c, ts); err != nil {
				t.Fatal(err)
			}
			b.Reset(ts, tid, event.SyscallGetuidE)
			e, err := b.Event(0)
			if err != nil {
				t.Fatal(err)
			}
			if err := w.WriteEvent(&e); err != nil {
				t.Fatal(err)
			}
			live = append(live, render(t, res, st.Process(&e)))
		}
	}
	if err := rec.Sync(ts); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), live
}

// checkReplay reads a capture back with only its container events as the
// source of metadata and checks that every thread event shows the fields
// live showed.
func checkReplay(t testing.TB, data []byte, live [][]string, compat fields.Compat) {
	t.Helper()
	r, err := scap.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	m := newManager(t) // no runtime: everything comes from the capture
	in, err := inspect.New(capture.NewSource(r, m), &inspect.Options{Compat: compat})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	tr := containerfields.NewTracker(m, nil)
	tr.Attach(in.Env())
	i := 0
	for {
		c, err := in.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if capture.IsContainerEvent(c.Evt.Type()) {
			continue
		}
		if i >= len(live) {
			t.Fatalf("more thread events replayed than written")
		}
		got := render(t, in.Resolver(), c)
		for j := range got {
			if got[j] != live[i][j] {
				t.Errorf("compat %d event %d (tid %d) %s: replay %q, live %q", compat, i, c.Evt.Tid(), replayFields[j], got[j], live[i][j])
			}
		}
		i++
	}
	if i != len(live) {
		t.Fatalf("replayed %d thread events, wrote %d", i, len(live))
	}
}

func TestSourceLoadsCaptureEvents(t *testing.T) {
	s := newScenario(t)
	data, _ := s.write(t, nil, fields.Current, nil)
	r, err := scap.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	m := newManager(t)
	src := capture.NewSource(r, m)
	defer src.Close()
	var e event.Event
	n, containerEvents := 0, 0
	for {
		if err := src.Next(&e); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		n++
		if capture.IsContainerEvent(e.Type()) {
			containerEvents++
			if e.Tid() != -1 {
				t.Errorf("container event of thread %d", e.Tid())
			}
		}
	}
	if containerEvents != 4 || n != 4+2*len(s.tids) {
		t.Fatalf("%d events, %d container events", n, containerEvents)
	}
	if st := src.Stats(); st.Loaded != 4 || st.Errors != 0 || src.LastError() != nil {
		t.Fatalf("stats %+v, %v", st, src.LastError())
	}
	for _, id := range []string{dockerID, criID, podmanID, sandboxID} {
		if c := m.Get(id); c == nil || c.State != container.StateResolved {
			t.Errorf("container %s not loaded: %+v", id[:12], c)
		}
	}
	if m.Get(pendingID) != nil {
		t.Error("the container without metadata was written")
	}
	if src.Metadata() == nil || len(src.Metadata().Processes) != len(s.tids) {
		t.Error("metadata not passed through")
	}
}

// replayFields are compared between the live side and the replay.
var replayFields = []string{
	"container.id", "container.full_id", "container.name", "container.image", "container.image.id",
	"container.type", "container.privileged", "container.mounts", "container.mount[0]",
	"container.mount.dest[/srv/data]", "container.mount.source[/data]", "container.mount.rdwr[0]",
	"container.image.repository", "container.image.tag", "container.image.digest",
	"container.healthcheck", "container.liveness_probe", "container.readiness_probe",
	"container.start_ts", "container.duration", "container.ip", "container.cni.json", "container.host_network",
	"container.label[app]", "container.labels", "proc.is_container_healthcheck",
	"proc.is_container_readiness_probe", "k8s.pod.name", "k8s.ns.name", "k8s.pod.uid", "k8s.pod.id",
	"k8s.pod.sandbox_id", "k8s.pod.full_sandbox_id", "k8s.pod.label[app]", "k8s.pod.labels", "k8s.pod.ip",
	"k8s.pod.cni.json",
}

// render returns the values of replayFields for the event in c, "<NA>"
// for a missing one.
func render(t testing.TB, res *fields.Resolver, c *state.Ctx) []string {
	t.Helper()
	out := make([]string, len(replayFields))
	for i, f := range replayFields {
		ref, n := res.ParseToken(f)
		if n != len(f) {
			t.Fatalf("field %s", f)
		}
		x, err := res.Extractor(ref)
		if err != nil {
			t.Fatal(err)
		}
		b, ok := x.AppendText(nil, c)
		if !ok {
			out[i] = "<NA>"
		} else {
			out[i] = string(b)
		}
	}
	return out
}

// A replayed capture shows the container fields the writing side showed,
// event by event, including a container whose metadata arrived between two
// of its events.
func TestReplayShowsSameFields(t *testing.T) {
	for _, compat := range []fields.Compat{fields.Current, fields.Sysdig029} {
		s := newScenario(t)
		late := &container.Container{ID: pendingID[:12], FullID: pendingID, Type: container.TypeDocker,
			State: container.StateResolved, Name: "late", Image: "app:1", ImageRepository: "app", ImageTag: "1",
			Labels: map[string]string{"app": "late"}}
		data, live := s.write(t, nil, compat, func() { s.m.Add(late) })

		checkReplay(t, data, live, compat)
		// The checks above compare like with like; make sure the scenario
		// has values worth comparing.
		var named, pods, lateSeen int
		for _, row := range live {
			if row[2] != "<NA>" && row[2] != "host" {
				named++
			}
			if row[27] == "sc-pod" {
				pods++
			}
			if row[2] == "late" {
				lateSeen++
			}
		}
		if named < 10 || pods < 4 || lateSeen != 1 {
			t.Fatalf("scenario too thin: %d named, %d in the pod, late seen %d times", named, pods, lateSeen)
		}
	}
}
