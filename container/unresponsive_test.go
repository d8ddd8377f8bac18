package container_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/syscope/syscope/container"
	"github.com/syscope/syscope/container/cri"
	"github.com/syscope/syscope/container/docker"
	"github.com/syscope/syscope/container/internal/ctrtest"
	"github.com/syscope/syscope/internal/testenv"
)

// TestUnresponsiveRuntime: with runtimes that accept connections and never
// answer, the event path keeps getting container ids with empty metadata
// while the failed-lookup counter rises after the timeout.
func TestUnresponsiveRuntime(t *testing.T) {
	sock, accepted := testenv.HangingSocket(t)
	criClient, err := cri.New(sock)
	if err != nil {
		t.Fatal(err)
	}
	m := container.NewManager(container.Options{
		Clients:    []container.Client{docker.New(sock, nil), criClient},
		Workers:    1,
		QueueSize:  4,
		Timeout:    300 * time.Millisecond,
		RetryAfter: time.Hour,
	})
	defer m.Close()

	// The cgroups of "events" from containers of every runc layout.
	layouts := []string{
		"0::/system.slice/docker-%s.scope",
		"4:memory:/libpod_parent/libpod-%s\n0::/libpod_parent/libpod-%s",
		"cpuset=/kubepods/besteffort/pod0c8e2f6a-1111-2222-3333-444455556666/%s\x00cpu=/k8s.io/%s\x00",
		"0::/kubepods.slice/kubepods-burstable.slice/cri-containerd-%s.scope",
	}
	event := func(i int) []byte {
		id := fmt.Sprintf("%064x", 0xc0ffee000+i)
		l := layouts[i%len(layouts)]
		return []byte(strings.ReplaceAll(l, "%s", id))
	}
	lookup := func(i int) (container.Info, *container.Container) {
		info := container.FromCgroups(event(i))
		if info.IsHost() {
			t.Fatalf("event %d: host from %q", i, event(i))
		}
		c := m.Lookup(info.FullID, info.Type)
		if c.ID != info.ID || c.FullID != info.FullID {
			t.Fatalf("event %d: record ids %q/%q, detected %q/%q", i, c.ID, c.FullID, info.ID, info.FullID)
		}
		if c.Name != "" || c.Image != "" || c.Labels != nil || c.State == container.StateResolved {
			t.Fatalf("event %d: metadata from a runtime that never answers: %+v", i, c)
		}
		return info, c
	}

	first, _ := lookup(0)
	// The single worker is now inside a client call that will not be
	// answered.
	select {
	case <-accepted:
	case <-time.After(30 * time.Second):
		t.Fatal("the worker never connected to the runtime socket")
	}
	// Events keep flowing: every lookup returns at once with the id, and
	// with the worker stuck the bounded queue overflows.
	for i := 1; i < 200; i++ {
		lookup(i)
	}
	s := m.Stats()
	if s.Misses != 200 || s.Dropped == 0 || s.Queued > s.QueueSize {
		t.Fatalf("after 200 lookups with a stuck worker: %+v", s)
	}

	ok := ctrtest.WaitFor(context.Background(), 60*time.Second, func() bool {
		return m.Stats().Failed >= 1
	})
	s = m.Stats()
	if !ok || s.Timeouts < 2 || s.ClientErrors < s.Timeouts || s.Resolved != 0 {
		t.Fatalf("failed lookups did not rise after the timeout: %+v", s)
	}
	c := m.Lookup(first.FullID, first.Type)
	if c.State != container.StateFailed || c.Err == "" || c.Name != "" || c.ID != first.ID {
		t.Fatalf("first container after the timeout: %+v", c)
	}
	// More events still flow while resolves keep failing.
	for i := 200; i < 220; i++ {
		lookup(i)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	// After Close, lookups still answer from the cache.
	if c := m.Lookup(first.FullID, first.Type); c.ID != first.ID {
		t.Fatalf("lookup after close: %+v", c)
	}
}
