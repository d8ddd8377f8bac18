package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/syscope/syscope/container"
	"github.com/syscope/syscope/container/capture"
	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/scap"
)

// A replayed capture's container events give the rules the container's
// metadata, as the live run had it.
func TestRunReplayContainerMetadata(t *testing.T) {
	id := strings.Repeat("ab", 32)
	md := &scap.Metadata{}
	pr := scap.NewProcess(300)
	pr.Pid, pr.Ptid, pr.Comm, pr.Exe, pr.ExePath, pr.Cwd = 300, 1, "cat", "/bin/cat", "/bin/cat", "/"
	pr.Cgroups = []string{"cpu=/docker/" + id, "memory=/docker/" + id}
	md.Processes = append(md.Processes, pr)
	path := filepath.Join(t.TempDir(), "c.scap")
	w, err := scap.Create(path, md, nil)
	if err != nil {
		t.Fatal(err)
	}
	ts := uint64(1_700_000_000_000_000_000)
	raw, err := capture.AppendEvent(nil, &container.Container{
		ID: id[:12], FullID: id, Type: container.TypeDocker, State: container.StateResolved,
		Name: "webshop", Image: "registry.local/shop:2.1", ImageRepository: "registry.local/shop", ImageTag: "2.1",
		Privileged: true, CreatedAt: time.Unix(1_700_000_000, 0),
	}, ts)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteEvent(&event.Event{Raw: raw, Num: 1}); err != nil {
		t.Fatal(err)
	}
	var b event.Builder
	b.Reset(ts+1, 300, event.SyscallOpenatV2X).I64(3).I64(-100).Str("/etc/shadow").U32(1).U32(0).U32(0).U64(0)
	if raw, err = b.Bytes(); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteEvent(&event.Event{Raw: raw, Num: 2}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	rules := writeFile(t, "r.yaml", `
- rule: shadow in container
  desc: d
  condition: evt.type = openat and fd.name = /etc/shadow and container.id != host
  output: "%container.id %container.name %container.image.repository %container.image.tag %container.privileged"
  priority: WARNING
`)
	out, errOut, err := runCLI(t, &runOptions{rules: []string{rules}, replay: path})
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	want := ": Warning " + id[:12] + " webshop registry.local/shop 2.1 true"
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 1 || !strings.HasSuffix(lines[0], want) {
		t.Errorf("stdout:\n%s\nwant a line ending in %q", out, want)
	}
}
