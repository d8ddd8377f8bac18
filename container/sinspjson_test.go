package container

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestSinspJSONRoundTrip(t *testing.T) {
	c := &Container{
		ID: hexC[:12], FullID: hexC, Type: TypeContainerd, State: StateResolved,
		Name: "sleeper", Image: "localhost/busybox:test", ImageID: "0a7ad90b", ImageRepository: "localhost/busybox",
		ImageTag: "test", ImageDigest: "sha256:9d84", Privileged: true,
		Mounts:      []Mount{{Source: "/srv", Dest: "/data", Mode: "ro", RW: false, Propagation: "private"}},
		CreatedAt:   time.Unix(1709287200, 0).UTC(),
		HostNetwork: true,
		HealthCheck: &Probe{Exe: "/bin/sh", Args: []string{"-c", "true"}}, LivenessProbe: &Probe{Exe: "cat", Args: []string{"/f"}},
		Labels: map[string]string{"role": "sleeper"},
		Pod: &Pod{SandboxID: hexB, Name: "sc-pod", Namespace: "sc-ns", UID: "u-1",
			Labels: map[string]string{"app": "sctest"}, IP: "10.88.0.5", CNIJSON: `{"eth0":{}}`},
		IP: "10.88.0.5", CNIJSON: `{"eth0":{}}`,
	}
	b, err := MarshalSinspJSON(c)
	if err != nil {
		t.Fatal(err)
	}
	// The keys libsinsp reads.
	var raw map[string]map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	rc := raw["container"]
	for k, want := range map[string]any{
		"id": hexC[:12], "full_id": hexC, "type": float64(7), "name": "sleeper", "imagerepo": "localhost/busybox",
		"imagetag": "test", "privileged": true, "created_time": float64(1709287200), "lookup_state": float64(1),
		"pod_sandbox_id": hexB, "ip": "10.88.0.5", "host_network": true,
	} {
		if !reflect.DeepEqual(rc[k], want) {
			t.Errorf("%s = %#v, want %#v", k, rc[k], want)
		}
	}
	if l := rc["labels"].(map[string]any); l["io.kubernetes.pod.name"] != "sc-pod" || l["io.kubernetes.pod.namespace"] != "sc-ns" || l["role"] != "sleeper" {
		t.Errorf("labels = %v", l)
	}
	if _, ok := rc["ReadinessProbe"]; ok {
		t.Error("absent probe written")
	}
	back, err := ParseSinspJSON(b)
	if err != nil {
		t.Fatal(err)
	}
	if back.Pod == nil || back.Pod.Name != "sc-pod" || back.Pod.Namespace != "sc-ns" || back.Pod.UID != "u-1" ||
		back.Pod.SandboxID != hexB || back.Pod.Labels["app"] != "sctest" || back.Pod.IP != c.IP {
		t.Errorf("pod = %+v", back.Pod)
	}
	// Everything else comes back as it was (labels gain the kubelet keys).
	want := *c
	want.Labels = map[string]string{"role": "sleeper", LabelPodName: "sc-pod", LabelPodNamespace: "sc-ns", LabelPodUID: "u-1"}
	want.Pod = back.Pod
	if !reflect.DeepEqual(*back, want) {
		t.Errorf("round trip:\n got %+v\nwant %+v", *back, want)
	}
	// The record handed in is not modified.
	if len(c.Labels) != 1 {
		t.Error("MarshalSinspJSON changed the container's labels")
	}
}

func TestParseSinspJSON(t *testing.T) {
	// As older libsinsp writes it: ip "0.0.0.0", null maps, a mesos type.
	old := `{"container":{"Mounts":[],"User":"","cni_json":"","cpu_period":100000,"created_time":1730971086,` +
		`"env":[],"full_id":"` + hexB + `","host_network":false,"id":"` + hexB[:12] + `","image":"fedora:38",` +
		`"imagerepo":"fedora","imagetag":"38","ip":"0.0.0.0","is_pod_sandbox":false,"labels":null,"lookup_state":1,` +
		`"name":"youthful_babbage","pod_sandbox_id":"","pod_sandbox_labels":null,"port_mappings":[],"privileged":false,"type":0}}`
	c, err := ParseSinspJSON([]byte(old))
	if err != nil {
		t.Fatal(err)
	}
	if c.Type != TypeDocker || c.IP != "" || c.Pod != nil || c.Labels == nil || c.Name != "youthful_babbage" || c.CreatedAt.Unix() != 1730971086 {
		t.Errorf("old = %+v", c)
	}
	c, err = ParseSinspJSON([]byte(`{"container":{"id":"abc","type":3,"lookup_state":2}}`))
	if err != nil || c.Type != TypeUnknown || c.State != StateFailed || c.FullID != "abc" {
		t.Errorf("mesos = %+v, %v", c, err)
	}
	for _, bad := range []string{``, `[]`, `{}`, `{"container":null}`, `{"container":{}}`, `{"container":{"id":5}}`, `{"container":{"id":"x","type":-1}}`} {
		if _, err := ParseSinspJSON([]byte(bad)); err == nil || !strings.HasPrefix(err.Error(), "parse container json") {
			t.Errorf("ParseSinspJSON(%q) err = %v", bad, err)
		}
	}
	if _, err := MarshalSinspJSON(nil); err == nil {
		t.Error("nil container marshalled")
	}
}

func FuzzParseSinspJSON(f *testing.F) {
	c := &Container{ID: "a", FullID: "ab", Type: TypePodman, Name: "n", Labels: map[string]string{LabelPodName: "p"},
		Mounts: []Mount{{Source: "s"}}, ReadinessProbe: &Probe{Exe: "x"}}
	b, _ := MarshalSinspJSON(c)
	f.Add(b)
	f.Add([]byte(`{"container":{"id":"x","ip":"0.0.0.0","pod_sandbox_id":"p","lookup_state":0}}`))
	f.Add([]byte(`{"container":{"full_id":"y","Healthcheck":{"exe":"e","args":null}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseSinspJSON(b)
		if err != nil {
			return
		}
		out, err := MarshalSinspJSON(c)
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParseSinspJSON(out)
		if err != nil {
			t.Fatalf("re-parse of %s: %v", out, err)
		}
		if again.ID != c.ID || again.FullID != c.FullID || again.Type != c.Type || again.Name != c.Name ||
			again.State != c.State || len(again.Mounts) != len(c.Mounts) || (again.Pod == nil) != (c.Pod == nil) {
			t.Fatalf("round trip changed the record:\n%+v\n%+v", c, again)
		}
	})
}
