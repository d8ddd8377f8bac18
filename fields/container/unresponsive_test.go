package containerfields_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/syscope/syscope/container"
	"github.com/syscope/syscope/container/docker"
	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/fields"
	containerfields "github.com/syscope/syscope/fields/container"
	"github.com/syscope/syscope/internal/testenv"
	"github.com/syscope/syscope/state"
)

// execveExit builds the exit of an execve by tid that leaves it in the
// cgroups cg (the layout the driver sends: NUL-separated subsys=path).
func execveExit(b *event.Builder, ts uint64, tid int64, comm, cg string) event.Event {
	b.Reset(ts, tid, event.SyscallExecveV19X)
	b.I64(0).Str("/bin/"+comm).Strs("-c", "true").I64(tid).I64(tid).I64(1).Str("/").
		U64(1024).U64(0).U64(0).U32(0).U32(0).U32(0).Str(comm).
		Strs("cpuset="+cg, "memory="+cg).Strs("PATH=/bin")
	e, _ := b.Event(uint64(tid))
	return e
}

// Events keep flowing through the state and the fields while the runtime
// never answers: each event's process has its container id at once, its
// metadata is empty, the bounded queue drops resolves, and failed lookups
// are counted once the per-call timeout passes.
func TestUnresponsiveRuntimeFields(t *testing.T) {
	sock, accepted := testenv.HangingSocket(t)
	m := container.NewManager(container.Options{
		Clients:    []container.Client{docker.New(sock, nil)},
		Workers:    1,
		QueueSize:  4,
		Timeout:    300 * time.Millisecond,
		RetryAfter: time.Hour,
	})
	defer m.Close()
	st := state.New(nil)
	tr := containerfields.NewTracker(m, nil)
	env := &fields.Env{State: st}
	tr.Attach(env)
	res := fields.NewResolver(nil, env)
	get := func(name string) *fields.Extractor {
		ref, _ := res.ParseToken(name)
		x, err := res.Extractor(ref)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	id, cname, image, pod, proc := get("container.id"), get("container.name"), get("container.image"), get("k8s.pod.name"), get("proc.name")

	const n = 60
	var b event.Builder
	run := func(i int) {
		tid := int64(1000 + i)
		cid := fmt.Sprintf("%064x", 0xfeed0000+i)
		st.SeedThread(&state.ProcInfo{Tid: tid, Pid: tid, PTid: 1, Comm: "bash", Exe: "bash",
			Cgroups: []state.Cgroup{{Subsys: "cpuset", Path: "/user.slice"}}})
		// An exec moves the process into a container (as docker exec
		// does): the cgroups come with the event.
		e := execveExit(&b, uint64(1_700_000_000_000_000_000+i), tid, "sh", "/docker/"+cid)
		c := st.Process(&e)
		if v, _ := proc.AppendText(nil, c); string(v) != "sh" {
			t.Fatalf("event %d: proc.name %q: the execve was not parsed", i, v)
		}
		if v, ok := id.AppendText(nil, c); !ok || string(v) != cid[:12] {
			t.Fatalf("event %d: container.id %q %v, want %s", i, v, ok, cid[:12])
		}
		for _, x := range []*fields.Extractor{cname, image, pod} {
			if v, ok := x.AppendText(nil, c); ok {
				t.Fatalf("event %d: %s = %q from a runtime that never answers", i, x.Info().Name, v)
			}
		}
	}
	run(0)
	select {
	case <-accepted:
	case <-time.After(30 * time.Second):
		t.Fatal("the worker never connected to the runtime socket")
	}
	for i := 1; i < n; i++ {
		run(i)
	}
	s := m.Stats()
	if s.Misses != n || s.Dropped == 0 || s.Queued > s.QueueSize || s.Resolved != 0 {
		t.Fatalf("after %d events with a stuck worker: %+v", n, s)
	}
	deadline, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for m.Stats().Failed == 0 {
		select {
		case <-deadline.Done():
			t.Fatalf("no failed lookup counted: %+v", m.Stats())
		case <-time.After(50 * time.Millisecond):
		}
	}
	if s := m.Stats(); s.Timeouts == 0 {
		t.Fatalf("no timeout counted: %+v", s)
	}
	// Still flowing, still only ids.
	for i := n; i < n+10; i++ {
		run(i)
	}
	if _, rec := tr.Container(st.Thread(1000)); rec == nil || rec.State != container.StateFailed || rec.Err == "" {
		t.Fatalf("first container after the timeout: %+v", rec)
	}
}
