package capture_test

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/syscope/syscope/container"
	"github.com/syscope/syscope/container/capture"
	"github.com/syscope/syscope/event"
)

var (
	dockerID  = strings.Repeat("d0", 32)
	criID     = strings.Repeat("c1", 32)
	sandboxID = strings.Repeat("5a", 32)
	podmanID  = strings.Repeat("9f", 32)
	podUID    = "11111111-2222-4333-8444-555555555555"
)

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
		CreatedAt:   time.Unix(1700000000, 0).UTC(),
		StartedAt:   time.Unix(1700000001, 500).UTC(),
		IP:          "172.17.0.2",
		Labels:      map[string]string{"app": "web", "empty": ""},
		HealthCheck: &container.Probe{Exe: "/bin/sh", Args: []string{"-c", "test -d /"}},
	}
}

func criRecord() *container.Container {
	return &container.Container{
		ID: criID[:12], FullID: criID, Type: container.TypeContainerd, State: container.StateResolved,
		Name: "sleeper", Image: "localhost/busybox:test", ImageID: "0123abcd",
		ImageRepository: "localhost/busybox", ImageTag: "test",
		CreatedAt: time.Unix(1700000100, 0).UTC(), StartedAt: time.Unix(1700000100, 250_000_000).UTC(),
		Labels: map[string]string{
			container.LabelPodName: "sc-pod", container.LabelPodNamespace: "sc-ns", container.LabelPodUID: podUID,
			"role": "sleeper",
		},
		HostNetwork:    true,
		LivenessProbe:  &container.Probe{Exe: "cat", Args: []string{"/data/f"}},
		ReadinessProbe: &container.Probe{Exe: "sh", Args: []string{"-c", "sleep 30; true"}},
		Pod: &container.Pod{
			SandboxID: sandboxID, Name: "sc-pod", UID: podUID, Namespace: "sc-ns",
			Labels: map[string]string{"app": "sctest", "tier": "backend"},
		},
	}
}

func podmanRecord() *container.Container {
	return &container.Container{
		ID: podmanID[:12], FullID: podmanID, Type: container.TypePodman, State: container.StateResolved,
		Name: "sc-plain", Image: "localhost/busybox:test", ImageID: "77aa", ImageRepository: "localhost/busybox",
		ImageTag: "test", ImageDigest: "sha256:0a0b", CreatedAt: time.Unix(1700000200, 0).UTC(),
		Labels: map[string]string{"app": "sctest"},
	}
}

func TestEventLayout(t *testing.T) {
	raw, err := capture.AppendEvent([]byte("keep"), dockerRecord(), 12345)
	if err != nil {
		t.Fatal(err)
	}
	if string(raw[:4]) != "keep" {
		t.Fatal("AppendEvent did not append")
	}
	e := event.Event{Raw: raw[4:]}
	if err := e.Validate(); err != nil {
		t.Fatal(err)
	}
	if e.Type() != event.ContainerJsonV2E || e.Tid() != -1 || e.Ts() != 12345 || e.NParams() != 1 {
		t.Fatalf("header: type %d tid %d ts %d nparams %d", e.Type(), e.Tid(), e.Ts(), e.NParams())
	}
	// Large-payload event: the parameter length is a u32.
	p, _ := e.Param(0)
	if binary.LittleEndian.Uint32(e.Raw[event.HeaderLen:]) != uint32(len(p)) || p[len(p)-1] != 0 {
		t.Fatalf("parameter length/NUL: %d %q", len(p), p[len(p)-8:])
	}
	var doc map[string]map[string]any
	if err := json.Unmarshal(p[:len(p)-1], &doc); err != nil {
		t.Fatalf("json: %v\n%s", err, p)
	}
	c := doc["container"]
	if c["id"] != dockerID[:12] || c["full_id"] != dockerID || c["type"] != float64(0) || c["name"] != "web" ||
		c["start_ts"] != float64(dockerRecord().StartedAt.UnixNano()) || c["lookup_state"] != float64(1) {
		t.Fatalf("json = %s", p)
	}
}

func TestRoundTrip(t *testing.T) {
	for _, orig := range []*container.Container{dockerRecord(), criRecord(), podmanRecord()} {
		raw, err := capture.AppendEvent(nil, orig, 1)
		if err != nil {
			t.Fatal(err)
		}
		back, err := capture.Decode(&event.Event{Raw: raw})
		if err != nil {
			t.Fatal(err)
		}
		want := *orig
		want.Labels = map[string]string{}
		for k, v := range orig.Labels {
			want.Labels[k] = v
		}
		if p := orig.Pod; p != nil {
			// The kubelet labels carry the pod; the sandbox label is added.
			want.Labels[container.LabelSandboxID] = p.SandboxID
			wp := *p
			want.Pod = &wp
		}
		if !reflect.DeepEqual(back, &want) {
			bj, _ := json.Marshal(back)
			wj, _ := json.Marshal(&want)
			t.Errorf("round trip of %s:\n got %s\nwant %s", orig.Name, bj, wj)
		}
	}
	// The original's labels are not modified.
	if _, ok := criRecord().Labels[container.LabelSandboxID]; ok {
		t.Fatal("record modified")
	}
}

func TestDecodeOldContainerEvent(t *testing.T) {
	var b event.Builder
	b.Reset(5, -1, event.ContainerE).Str(dockerID[:12]).U32(11).Str("sc-plain").Str("localhost/busybox:test")
	raw, err := b.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	c, err := capture.Decode(&event.Event{Raw: raw})
	if err != nil {
		t.Fatal(err)
	}
	if c.ID != dockerID[:12] || c.FullID != c.ID || c.Type != container.TypePodman || c.Name != "sc-plain" ||
		c.Image != "localhost/busybox:test" || c.State != container.StateResolved {
		t.Fatalf("decoded %+v", c)
	}
}

func TestDecodeErrors(t *testing.T) {
	good, _ := capture.AppendEvent(nil, dockerRecord(), 1)
	mk := func(json string) []byte {
		raw, _ := event.Encode(nil, 1, -1, event.ContainerJsonV2E, append([]byte(json), 0))
		return raw
	}
	var b event.Builder
	b.Reset(1, -1, event.ContainerE).Str("id").U16(1).Str("n").Str("i")
	shortType, _ := b.Bytes()
	shortType = append([]byte(nil), shortType...)
	b.Reset(1, -1, event.ContainerE).Str("").U32(0).Str("n").Str("i")
	noID, _ := b.Bytes()
	noID = append([]byte(nil), noID...)
	getuid, _ := event.Encode(nil, 1, 3, event.SyscallGetuidE)
	cases := map[string][]byte{
		"nil":             nil,
		"short":           good[:10],
		"truncated":       good[:len(good)-5],
		"bad json":        mk(`{"container":`),
		"no container":    mk(`{"other":{}}`),
		"no id":           mk(`{"container":{"name":"x"}}`),
		"wrong json type": mk(`{"container":{"id":5}}`),
		"old short type":  shortType,
		"old no id":       noID,
		"other event":     getuid,
	}
	for name, raw := range cases {
		var e *event.Event
		if raw != nil {
			e = &event.Event{Raw: raw}
		}
		c, err := capture.Decode(e)
		if err == nil {
			t.Errorf("%s: decoded %+v", name, c)
			continue
		}
		if name == "other event" && !errors.Is(err, capture.ErrNotContainerEvent) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func FuzzDecode(f *testing.F) {
	for _, c := range []*container.Container{dockerRecord(), criRecord(), podmanRecord()} {
		raw, _ := capture.AppendEvent(nil, c, 7)
		f.Add(raw)
		f.Add(raw[:len(raw)/2])
	}
	var b event.Builder
	b.Reset(1, -1, event.ContainerE).Str("abc").U32(6).Str("n").Str("img:1")
	raw, _ := b.Bytes()
	f.Add(append([]byte(nil), raw...))
	raw, _ = event.Encode(nil, 1, -1, event.ContainerJsonE, []byte(`{"container":{"id":"x","Mounts":[{"Source":1}]}}`+"\x00"))
	f.Add(raw)
	f.Fuzz(func(t *testing.T, raw []byte) {
		e := &event.Event{Raw: raw}
		c, err := capture.Decode(e)
		if err == nil && (c == nil || c.ID == "" && c.FullID == "") {
			t.Fatalf("decoded a record without id: %+v", c)
		}
		if err == nil {
			// What decodes encodes again and decodes to the same ids.
			again, err := capture.AppendEvent(nil, c, 1)
			if err != nil {
				return // e.g. an id too long for a u16 length in another event type: not this one
			}
			c2, err := capture.Decode(&event.Event{Raw: again})
			if err != nil || c2.ID != c.ID || c2.FullID != c.FullID || c2.Name != c.Name {
				t.Fatalf("re-decode: %v %+v vs %+v", err, c2, c)
			}
		}
	})
}
