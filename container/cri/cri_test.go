package cri

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/syscope/syscope/container"
)

const (
	ctrID   = "17d8c9eacc629f9945f304d89e9708c0c619649a484a215b240628319548a09f"
	podID   = "73bfe475650de66df8e2affdc98d440dcbe84f8df83b6f75a68a82eb7026136a"
	imageID = "sha256:0a7ad90b111bafd67e005f87fb83d79d2e225f81182e3007f372877c5b995c90"
)

// fakeRuntime answers like CRI-O (runtimeName "cri-o") or containerd,
// depending on crio.
type fakeRuntime struct {
	runtimeapi.UnimplementedRuntimeServiceServer
	runtimeapi.UnimplementedImageServiceServer
	crio   bool
	events []*runtimeapi.ContainerEventResponse // sent by GetContainerEvents (nil: unimplemented)
}

func (f *fakeRuntime) GetContainerEvents(_ *runtimeapi.GetEventsRequest, s grpc.ServerStreamingServer[runtimeapi.ContainerEventResponse]) error {
	if f.events == nil {
		return status.Error(codes.Unimplemented, "method GetContainerEvents not implemented")
	}
	for _, ev := range f.events {
		if err := s.Send(ev); err != nil {
			return err
		}
	}
	return nil
}

func (f *fakeRuntime) Version(context.Context, *runtimeapi.VersionRequest) (*runtimeapi.VersionResponse, error) {
	if f.crio {
		return &runtimeapi.VersionResponse{RuntimeName: "cri-o", RuntimeVersion: "1.30.0"}, nil
	}
	return &runtimeapi.VersionResponse{RuntimeName: "containerd", RuntimeVersion: "1.6.20"}, nil
}

func (f *fakeRuntime) ContainerStatus(_ context.Context, r *runtimeapi.ContainerStatusRequest) (*runtimeapi.ContainerStatusResponse, error) {
	if !strings.HasPrefix(ctrID, r.ContainerId) || !r.Verbose {
		return nil, status.Errorf(codes.NotFound, "container %q not found", r.ContainerId)
	}
	st := &runtimeapi.ContainerStatus{
		Id:        ctrID,
		Metadata:  &runtimeapi.ContainerMetadata{Name: "web"},
		CreatedAt: 1709287200000000000,
		StartedAt: 1709287201000000000,
		Labels:    map[string]string{"io.kubernetes.container.name": "web", "tier": "front"},
		Mounts: []*runtimeapi.Mount{
			{ContainerPath: "/etc/cfg", HostPath: "/var/lib/kubelet/pods/x/volumes/cfg", Readonly: true, Propagation: runtimeapi.MountPropagation_PROPAGATION_HOST_TO_CONTAINER},
			{ContainerPath: "/data", HostPath: "/mnt/data", Propagation: runtimeapi.MountPropagation_PROPAGATION_BIDIRECTIONAL},
		},
	}
	var info string
	if f.crio {
		// CRI-O: image names an id, the name is in the spec annotations;
		// privileged at the top level; no sandboxID.
		st.Image = &runtimeapi.ImageSpec{Image: imageID}
		st.ImageRef = "quay.io/team/web@sha256:1111"
		info = `{"privileged":true,"runtimeSpec":{"annotations":{"io.kubernetes.cri-o.ImageName":"quay.io/team/web:2.0"}}}`
	} else {
		st.Image = &runtimeapi.ImageSpec{Image: "docker.io/library/web:1.0"}
		st.ImageRef = imageID
		info = `{"sandboxID":"` + podID + `","pid":42,"config":{"image":{"image":"` + imageID + `"},"linux":{"security_context":{"privileged":false}}}}`
	}
	return &runtimeapi.ContainerStatusResponse{Status: st, Info: map[string]string{"info": info}}, nil
}

func (f *fakeRuntime) ListContainers(_ context.Context, r *runtimeapi.ListContainersRequest) (*runtimeapi.ListContainersResponse, error) {
	if r.GetFilter().GetId() != ctrID {
		return &runtimeapi.ListContainersResponse{}, nil
	}
	return &runtimeapi.ListContainersResponse{Containers: []*runtimeapi.Container{{Id: ctrID, PodSandboxId: podID}}}, nil
}

func (f *fakeRuntime) PodSandboxStatus(_ context.Context, r *runtimeapi.PodSandboxStatusRequest) (*runtimeapi.PodSandboxStatusResponse, error) {
	if r.PodSandboxId != podID && r.PodSandboxId != podID[:12] {
		return nil, status.Errorf(codes.NotFound, "pod sandbox %q not found", r.PodSandboxId)
	}
	manifest := `{"spec":{"containers":[{"name":"web","readinessProbe":{"exec":{"command":["cat","/ready"]}}}]}}`
	st := &runtimeapi.PodSandboxStatus{
		Id:          podID,
		Metadata:    &runtimeapi.PodSandboxMetadata{Name: "web-7d9f", Uid: "63b3ebfc-2890-11e9-8154-16bf8ef8d9dc", Namespace: "shop"},
		CreatedAt:   1709287100000000000,
		Network:     &runtimeapi.PodSandboxNetworkStatus{Ip: "10.88.0.5"},
		Labels:      map[string]string{"app": "web"},
		Annotations: map[string]string{container.LastAppliedAnnotation: manifest},
	}
	var info string
	if f.crio {
		info = `{"runtimeSpec":{"annotations":{"io.kubernetes.cri-o.CNIResult":"{\"cniVersion\":\"1.0.0\"}\n"}}}`
	} else {
		info = `{"image":"registry.k8s.io/pause:3.9","config":{"linux":{"security_context":{"privileged":true}}},` +
			`"cniResult":{"Interfaces":{"lo":{"IPConfigs":[{"IP":"127.0.0.1"}]},"vethabc":{"Mac":"aa"},` +
			`"eth0":{"IPConfigs":[{"IP":"10.88.0.5","Gateway":"10.88.0.1"}],"Mac":"de:ad","Sandbox":"/var/run/netns/x"}}}}`
	}
	return &runtimeapi.PodSandboxStatusResponse{Status: st, Info: map[string]string{"info": info}}, nil
}

func (f *fakeRuntime) ImageStatus(_ context.Context, r *runtimeapi.ImageStatusRequest) (*runtimeapi.ImageStatusResponse, error) {
	switch r.GetImage().GetImage() {
	case imageID, "quay.io/team/web@sha256:1111":
		return &runtimeapi.ImageStatusResponse{Image: &runtimeapi.Image{
			Id:          imageID,
			RepoTags:    []string{"docker.io/library/web:1.0"},
			RepoDigests: []string{"docker.io/library/web@sha256:2222"},
		}}, nil
	}
	return &runtimeapi.ImageStatusResponse{}, nil
}

func serve(t *testing.T, f *fakeRuntime) string {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "cri.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	s := grpc.NewServer()
	runtimeapi.RegisterRuntimeServiceServer(s, f)
	runtimeapi.RegisterImageServiceServer(s, f)
	go s.Serve(ln)
	t.Cleanup(s.Stop)
	return sock
}

func TestContainerd(t *testing.T) {
	c, err := New(serve(t, &fakeRuntime{}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	ct, err := c.Inspect(ctx, ctrID[:12])
	if err != nil {
		t.Fatal(err)
	}
	if ct.Type != container.TypeContainerd || !c.Serves(container.TypeContainerd) || c.Serves(container.TypeCRIO) || !c.Serves(container.TypeCRI) {
		t.Errorf("type %v", ct.Type)
	}
	if ct.FullID != ctrID || ct.Name != "web" || ct.Privileged || ct.IsPodSandbox {
		t.Errorf("id %q name %q privileged %v", ct.FullID, ct.Name, ct.Privileged)
	}
	if ct.Image != "docker.io/library/web:1.0" || ct.ImageRepository != "docker.io/library/web" || ct.ImageTag != "1.0" ||
		ct.ImageID != strings.TrimPrefix(imageID, "sha256:") || ct.ImageDigest != "sha256:2222" {
		t.Errorf("image %q repo %q tag %q id %q digest %q", ct.Image, ct.ImageRepository, ct.ImageTag, ct.ImageID, ct.ImageDigest)
	}
	want := []container.Mount{
		{Source: "/var/lib/kubelet/pods/x/volumes/cfg", Dest: "/etc/cfg", RW: false, Propagation: "rslave"},
		{Source: "/mnt/data", Dest: "/data", RW: true, Propagation: "rshared"},
	}
	if len(ct.Mounts) != 2 || ct.Mounts[0] != want[0] || ct.Mounts[1] != want[1] {
		t.Errorf("mounts = %+v", ct.Mounts)
	}
	if ct.CreatedAt.Unix() != 1709287200 || ct.StartedAt.Unix() != 1709287201 {
		t.Errorf("times %v %v", ct.CreatedAt, ct.StartedAt)
	}
	p := ct.Pod
	if p == nil || p.Name != "web-7d9f" || p.Namespace != "shop" || p.UID != "63b3ebfc-2890-11e9-8154-16bf8ef8d9dc" ||
		p.SandboxID != podID || p.IP != "10.88.0.5" || p.Labels["app"] != "web" {
		t.Fatalf("pod = %+v", p)
	}
	if ct.IP != "10.88.0.5" || ct.HostNetwork {
		t.Errorf("ip %q host network %v", ct.IP, ct.HostNetwork)
	}
	var cni map[string]map[string]any
	if err := json.Unmarshal([]byte(p.CNIJSON), &cni); err != nil {
		t.Fatalf("cni json %q: %v", p.CNIJSON, err)
	}
	if len(cni) != 1 || cni["eth0"] == nil || cni["eth0"]["Mac"] != nil || cni["eth0"]["Sandbox"] != nil || cni["eth0"]["IPConfigs"] == nil {
		t.Errorf("cni json = %s", p.CNIJSON)
	}
	if ct.CNIJSON != p.CNIJSON {
		t.Error("container cni json differs from the pod's")
	}
	if ct.ReadinessProbe.String() != "cat /ready" || ct.LivenessProbe != nil {
		t.Errorf("probes %v %v", ct.LivenessProbe, ct.ReadinessProbe)
	}

	// The sandbox id gives the pod's sandbox container.
	sb, err := c.Inspect(ctx, podID[:12])
	if err != nil {
		t.Fatal(err)
	}
	if !sb.IsPodSandbox || sb.FullID != podID || sb.Name != "web-7d9f" || !sb.Privileged ||
		sb.Image != "registry.k8s.io/pause:3.9" || sb.ImageTag != "3.9" || sb.Pod == nil || sb.Label("app") != "web" {
		t.Errorf("sandbox = %+v", sb)
	}
	if sb.ReadinessProbe != nil {
		t.Error("the sandbox got a container's probe")
	}

	if _, err := c.Inspect(ctx, "0123456789ab"); !errors.Is(err, container.ErrNotFound) {
		t.Errorf("unknown id: %v", err)
	}
}

func TestCRIO(t *testing.T) {
	c, err := New(serve(t, &fakeRuntime{crio: true}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ct, err := c.Inspect(context.Background(), ctrID)
	if err != nil {
		t.Fatal(err)
	}
	if ct.Type != container.TypeCRIO || !ct.Privileged {
		t.Errorf("type %v privileged %v", ct.Type, ct.Privileged)
	}
	if ct.Image != "quay.io/team/web:2.0" || ct.ImageRepository != "quay.io/team/web" || ct.ImageTag != "2.0" ||
		ct.ImageDigest != "sha256:1111" || ct.ImageID != strings.TrimPrefix(imageID, "sha256:") {
		t.Errorf("image %q repo %q tag %q digest %q id %q", ct.Image, ct.ImageRepository, ct.ImageTag, ct.ImageDigest, ct.ImageID)
	}
	// No sandboxID in CRI-O's info: the pod is found through ListContainers.
	if ct.Pod == nil || ct.Pod.Name != "web-7d9f" || ct.Pod.CNIJSON != `{"cniVersion":"1.0.0"}` {
		t.Errorf("pod = %+v", ct.Pod)
	}
}

func TestUnreachable(t *testing.T) {
	c, err := New(filepath.Join(t.TempDir(), "absent.sock"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Inspect(ctx, ctrID); err == nil || errors.Is(err, container.ErrNotFound) {
		t.Errorf("absent socket: %v", err)
	}
}

func FuzzParseInfo(f *testing.F) {
	f.Add(`{"sandboxID":"x","privileged":true,"config":{"image":{"image":"sha256:1"},"linux":{"security_context":{"privileged":true}}},"runtimeSpec":{"annotations":{"io.kubernetes.cri-o.CNIResult":"{}"}}}`)
	f.Add(`{"cniResult":{"Interfaces":{"lo":{},"veth1":{"Mac":"1"},"eth0":{"Mac":"2","IPConfigs":[{"IP":"10.0.0.1"}]}}}}`)
	f.Add(`{"cniResult":{"Interfaces":null}}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, s string) {
		info, err := parseInfo(map[string]string{"info": s})
		if info == nil {
			t.Fatal("nil info")
		}
		if err != nil {
			return
		}
		_ = info.privileged()
		if out := cniJSON(info); len(out) > MaxCNIJSON {
			t.Fatalf("cni json of %d bytes", len(out))
		}
	})
}

func TestWatch(t *testing.T) {
	ev := func(id string, ty runtimeapi.ContainerEventType) *runtimeapi.ContainerEventResponse {
		return &runtimeapi.ContainerEventResponse{ContainerId: id, ContainerEventType: ty}
	}
	c, err := New(serve(t, &fakeRuntime{crio: true, events: []*runtimeapi.ContainerEventResponse{
		ev(ctrID, runtimeapi.ContainerEventType_CONTAINER_CREATED_EVENT),
		ev(ctrID, runtimeapi.ContainerEventType_CONTAINER_STARTED_EVENT),
		ev(ctrID, runtimeapi.ContainerEventType_CONTAINER_STOPPED_EVENT),
		ev(podID, runtimeapi.ContainerEventType_CONTAINER_DELETED_EVENT),
	}}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var got []string
	err = c.Watch(context.Background(), func(id string, typ container.Type) { got = append(got, id[:12]+" "+typ.String()) })
	want := ctrID[:12] + " " + container.TypeCRIO.String()
	if err == nil || errors.Is(err, container.ErrWatchUnsupported) || len(got) != 2 || got[0] != want || got[1] != want {
		t.Errorf("reported %q, returned %v; want the creation and the start of %s, then the end of the stream", got, err, ctrID[:12])
	}

	// A runtime without the stream (containerd before 1.7).
	old, err := New(serve(t, &fakeRuntime{}))
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	if err := old.Watch(context.Background(), func(string, container.Type) { t.Error("event from a runtime without events") }); !errors.Is(err, container.ErrWatchUnsupported) {
		t.Errorf("watch of a runtime without events: %v", err)
	}
}
