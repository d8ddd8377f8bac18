package docker

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/syscope/syscope/container"
)

const (
	webID   = "7951fb549ab99e0722a949b6c121634e1f3a36b5bacbe5392991e3b12251e6b8"
	sideID  = "605439acbd4fb18c145069289094b17f17e0cfa938f78012d4960bc797305f22"
	imgID   = "sha256:8cf8656fe4b1a330957a4e719b7d265cb0be1bf1d62adb2ddd1d6bf067e5b619"
	digestA = "sha256:bd813e004284ac43ac91fe49c2b17906e29b189ed783dcf4581490a27d2386c2"
)

// fakeEngine serves a few containers and images the way the Docker engine
// lays out its inspect answers.
func fakeEngine(t *testing.T, podman bool) string {
	t.Helper()
	manifest := `{"apiVersion":"v1","kind":"Pod","spec":{"containers":[{"name":"other"},` +
		`{"name":"web","livenessProbe":{"exec":{"command":["/bin/check","--live"]}},` +
		`"readinessProbe":{"httpGet":{"path":"/"}}}]}}`
	containers := map[string]any{
		webID: map[string]any{
			"Id": webID, "Name": "/k8s_web_pod-1_ns_uid_0", "Image": imgID,
			"Created": "2024-03-01T10:00:00.5Z",
			"State":   map[string]any{"StartedAt": "2024-03-01T10:00:01Z"},
			"Config": map[string]any{
				"Image": "registry.local:5000/team/web:1.25",
				"Labels": map[string]string{
					"io.kubernetes.pod.name":                        "pod-1",
					"io.kubernetes.pod.namespace":                   "ns",
					"io.kubernetes.pod.uid":                         "uid",
					"io.kubernetes.container.name":                  "web",
					"annotation." + container.LastAppliedAnnotation: manifest,
				},
				"Healthcheck": map[string]any{"Test": []string{"CMD", "/bin/true"}},
			},
			"HostConfig": map[string]any{"Privileged": true, "NetworkMode": "bridge"},
			"Mounts": []map[string]any{
				{"Type": "bind", "Source": "/srv/www", "Destination": "/usr/share/www", "Mode": "ro,Z", "RW": false, "Propagation": "rprivate"},
				{"Type": "volume", "Source": "/var/lib/docker/volumes/v/_data", "Destination": "/cache", "Mode": "", "RW": true, "Propagation": ""},
			},
			"NetworkSettings": map[string]any{"IPAddress": "", "Networks": map[string]any{
				"zeta":   map[string]any{"IPAddress": "10.9.0.2"},
				"alpha":  map[string]any{"IPAddress": ""},
				"bridge": map[string]any{"IPAddress": "172.17.0.2"},
			}},
		},
		sideID: map[string]any{
			"Id": sideID, "Name": "/side", "Image": imgID, "Created": "2024-03-01T10:00:00Z",
			"State": map[string]any{"StartedAt": "0001-01-01T00:00:00Z"},
			// Created from the image id prefix: repository and tag come
			// from the image record.
			"Config":     map[string]any{"Image": "8cf8656fe4b1", "Healthcheck": map[string]any{"Test": []string{"CMD-SHELL", "curl -f localhost"}}},
			"HostConfig": map[string]any{"NetworkMode": "container:" + webID},
		},
	}
	images := map[string]any{
		imgID: map[string]any{
			"Id":          imgID,
			"RepoTags":    []string{"other/name:x", "registry.local:5000/team/web:1.25"},
			"RepoDigests": []string{"other/name@sha256:0000", "registry.local:5000/team/web@" + digestA},
		},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/_ping", func(w http.ResponseWriter, r *http.Request) {
		if podman {
			w.Header().Set("Libpod-Api-Version", "4.3.1")
		}
		fmt.Fprint(w, "OK")
	})
	mux.HandleFunc("/containers/{id}/json", func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		switch id {
		case "broken":
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprint(w, `{"message":"engine on fire"}`)
			return
		case "garbage":
			fmt.Fprint(w, `{"Id": [`)
			return
		case "huge":
			fmt.Fprint(w, `{"Id":"`+strings.Repeat("a", 5<<20)+`"}`)
			return
		}
		for full, c := range containers {
			if strings.HasPrefix(full, id) {
				json.NewEncoder(w).Encode(c)
				return
			}
		}
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, `{"message":"No such container: %s"}`, id)
	})
	mux.HandleFunc("/images/{id}/json", func(w http.ResponseWriter, r *http.Request) {
		if img, ok := images[r.PathValue("id")]; ok {
			json.NewEncoder(w).Encode(img)
			return
		}
		w.WriteHeader(http.StatusNotFound)
	})
	mux.HandleFunc("/events", func(w http.ResponseWriter, r *http.Request) {
		// The stream Watch asks for, with events it must skip, then the
		// end of the stream.
		if r.URL.Query().Get("filters") != `{"type":["container"],"event":["create","start"]}` {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		for _, ev := range []string{
			`{"Type":"container","Action":"create","Actor":{"ID":"` + webID + `","Attributes":{"name":"web"}},"time":1}`,
			`{"Type":"image","Action":"pull","Actor":{"ID":"` + imgID + `"}}`,
			`{"Type":"container","Action":"exec_create: sh","Actor":{"ID":"` + webID + `"}}`,
			`{"Type":"container","Action":"start","Actor":{"ID":"` + webID + `"}}`,
			`{"Type":"container","Action":"start","Actor":{"ID":""}}`,
		} {
			fmt.Fprintln(w, ev)
			w.(http.Flusher).Flush()
		}
	})
	sock := filepath.Join(t.TempDir(), "docker.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(mux)
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return sock
}

func TestInspectDocker(t *testing.T) {
	c := New(fakeEngine(t, false), nil)
	defer c.Close()
	ctx := context.Background()
	if !c.Serves(container.TypeDocker) || !c.Serves(container.TypePodman) || c.Serves(container.TypeCRI) {
		t.Fatal("Serves before the engine is known")
	}
	ct, err := c.Inspect(ctx, webID[:12])
	if err != nil {
		t.Fatal(err)
	}
	if ct.Type != container.TypeDocker || c.Serves(container.TypePodman) {
		t.Errorf("type %v, serves podman %v", ct.Type, c.Serves(container.TypePodman))
	}
	if ct.FullID != webID || ct.Name != "k8s_web_pod-1_ns_uid_0" || !ct.Privileged {
		t.Errorf("id %q name %q privileged %v", ct.FullID, ct.Name, ct.Privileged)
	}
	if ct.Image != "registry.local:5000/team/web:1.25" || ct.ImageRepository != "registry.local:5000/team/web" ||
		ct.ImageTag != "1.25" || ct.ImageDigest != digestA || ct.ImageID != strings.TrimPrefix(imgID, "sha256:") {
		t.Errorf("image %q repo %q tag %q digest %q id %q", ct.Image, ct.ImageRepository, ct.ImageTag, ct.ImageDigest, ct.ImageID)
	}
	if ct.IP != "172.17.0.2" {
		t.Errorf("ip = %q (first named network with an address)", ct.IP)
	}
	if ct.CreatedAt.UnixMilli() != 1709287200500 || ct.StartedAt.Unix() != 1709287201 {
		t.Errorf("created %v started %v", ct.CreatedAt, ct.StartedAt)
	}
	want := []container.Mount{
		{Source: "/srv/www", Dest: "/usr/share/www", Mode: "ro,Z", RW: false, Propagation: "rprivate"},
		{Source: "/var/lib/docker/volumes/v/_data", Dest: "/cache", RW: true},
	}
	if len(ct.Mounts) != 2 || ct.Mounts[0] != want[0] || ct.Mounts[1] != want[1] {
		t.Errorf("mounts = %+v", ct.Mounts)
	}
	if ct.Pod == nil || ct.Pod.Name != "pod-1" || ct.Pod.Namespace != "ns" || ct.Pod.UID != "uid" || ct.Pod.IP != "172.17.0.2" {
		t.Errorf("pod = %+v", ct.Pod)
	}
	// The probes of the container named "web" in the pod manifest; only
	// exec probes count; with a liveness probe the HEALTHCHECK is ignored.
	if ct.LivenessProbe.String() != "/bin/check --live" || ct.ReadinessProbe != nil || ct.HealthCheck != nil {
		t.Errorf("probes %v %v %v", ct.LivenessProbe, ct.ReadinessProbe, ct.HealthCheck)
	}

	side, err := c.Inspect(ctx, sideID)
	if err != nil {
		t.Fatal(err)
	}
	if side.Image != "8cf8656fe4b1" || side.ImageRepository != "other/name" || side.ImageTag != "x" || side.ImageDigest != "sha256:0000" {
		t.Errorf("image by id: %q repo %q tag %q digest %q", side.Image, side.ImageRepository, side.ImageTag, side.ImageDigest)
	}
	if side.IP != "172.17.0.2" {
		t.Errorf("ip through container network mode = %q", side.IP)
	}
	if side.HealthCheck.String() != "/bin/sh -c curl -f localhost" || side.Pod != nil || !side.StartedAt.IsZero() || side.Privileged {
		t.Errorf("side = %+v", side)
	}
}

func TestInspectPodmanAndErrors(t *testing.T) {
	c := New(fakeEngine(t, true), nil)
	ctx := context.Background()
	ct, err := c.Inspect(ctx, sideID)
	if err != nil {
		t.Fatal(err)
	}
	if ct.Type != container.TypePodman || c.Serves(container.TypeDocker) {
		t.Errorf("podman engine: type %v", ct.Type)
	}
	_, err = c.Inspect(ctx, "0123456789ab")
	if !errors.Is(err, container.ErrNotFound) || !strings.Contains(err.Error(), "No such container") {
		t.Errorf("unknown id: %v", err)
	}
	for _, id := range []string{"broken", "garbage", "huge"} {
		_, err := c.Inspect(ctx, id)
		if err == nil || errors.Is(err, container.ErrNotFound) {
			t.Errorf("%s: err = %v", id, err)
		}
	}
	if _, err := c.Inspect(ctx, "broken"); !strings.Contains(err.Error(), "engine on fire") {
		t.Errorf("server message lost: %v", err)
	}
	// Configured type: no ping.
	c2 := New(filepath.Join(t.TempDir(), "absent.sock"), &Options{Type: container.TypeDocker})
	if !c2.Serves(container.TypeDocker) || c2.Serves(container.TypePodman) {
		t.Error("configured type ignored")
	}
	if _, err := c2.Inspect(ctx, webID); err == nil || errors.Is(err, container.ErrNotFound) {
		t.Errorf("absent socket: %v", err)
	}
}

func TestWatch(t *testing.T) {
	for _, podman := range []bool{false, true} {
		c := New(fakeEngine(t, podman), nil)
		var got []string
		err := c.Watch(context.Background(), func(id string, typ container.Type) {
			got = append(got, id[:12]+" "+typ.String())
		})
		want := container.TypeDocker.String()
		if podman {
			want = container.TypePodman.String()
		}
		if err == nil || len(got) != 2 || got[0] != webID[:12]+" "+want || got[1] != got[0] {
			t.Errorf("podman=%v: reported %q, returned %v; want the create and the start of %s, then the end of the stream", podman, got, err, webID[:12])
		}
		// A cancelled context ends it with the context's error.
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := c.Watch(ctx, func(string, container.Type) {}); !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled watch returned %v", err)
		}
		c.Close()
	}
}

// FuzzReadEvents: any stream ends with an error (EOF for a clean end),
// and only container create and start events with an id are reported.
func FuzzReadEvents(f *testing.F) {
	f.Add([]byte(`{"Type":"container","Action":"create","Actor":{"ID":"abc"}}` + "\n" + `{"Type":"container","Action":"start","Actor":{"ID":"abc"}}`))
	f.Add([]byte(`{"Type":"image","Action":"pull","Actor":{"ID":"x"}}{"Type":"container","Action":"die","Actor":{"ID":"y"}}`))
	f.Add([]byte(`{"Type":"container","Action":"create","Actor":{"ID":""}}`))
	f.Add([]byte(`{"Type":[`))
	f.Fuzz(func(t *testing.T, b []byte) {
		n := 0
		err := readEvents(bytes.NewReader(b), func(id string) {
			if id == "" {
				t.Fatal("empty id reported")
			}
			n++
		})
		if err == nil {
			t.Fatal("stream decoded without an end")
		}
		// Field names match case-insensitively, as encoding/json does.
		if actors := bytes.Count(bytes.ToLower(b), []byte("actor")); n > actors {
			t.Fatalf("%d containers reported from %d events", n, actors)
		}
	})
}

func FuzzFromInspect(f *testing.F) {
	f.Add([]byte(`{"Id":"x","Name":"/n","Image":"sha256:ab","Config":{"Image":"a/b:c@sha256:d","Labels":{"annotation.kubectl.kubernetes.io/last-applied-configuration":"{\"spec\":{\"containers\":[{\"livenessProbe\":{\"exec\":{\"command\":[\"'x'\"]}}}]}}"},"Healthcheck":{"Test":["CMD"]}},"Mounts":[{"Source":"s"}],"NetworkSettings":{"Networks":{"a":{"GlobalIPv6Address":"::1"}}}}`), []byte(`{"Id":"sha256:ab","RepoTags":["a/b:c"],"RepoDigests":["a/b@sha256:1"]}`))
	f.Add([]byte(`{"Id":"y","Config":{"Image":"ab"},"Image":"ab"}`), []byte(`{"Digest":"sha256:2","RepoTags":[":"]}`))
	f.Add([]byte(`{}`), []byte(`null`))
	f.Fuzz(func(t *testing.T, ctr, img []byte) {
		var raw inspectJSON
		if json.Unmarshal(ctr, &raw) != nil {
			return
		}
		c, err := fromInspect(&raw, container.TypeDocker)
		if err != nil {
			return
		}
		var im imageJSON
		if json.Unmarshal(img, &im) == nil {
			applyImage(c, &im)
		}
		if c.FullID != raw.ID || c.Labels == nil {
			t.Fatalf("ids/labels lost: %+v", c)
		}
	})
}
