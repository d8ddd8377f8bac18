// Package cri is a container.Client for the Kubernetes Container Runtime
// Interface (k8s.io/cri-api, runtime.v1) over gRPC on a unix socket: the API
// containerd's CRI plugin and CRI-O serve to the kubelet.
//
// A lookup asks ContainerStatus (verbose), the status of the container's pod
// sandbox (PodSandboxStatus, verbose) and the image's status, and maps the
// answers to container.Container with its container.Pod. An id that names a
// pod sandbox rather than a container gives the sandbox ("pause") container.
//
// Watch follows the runtime's container events (GetContainerEvents, served
// by containerd 1.7 and later and by CRI-O with evented PLEG), so that the
// Manager resolves a container when it is created.
//
// It does not create or manage containers.
package cri

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/syscope/syscope/container"
)

// DefaultSockets are the sockets probed when none is configured.
var DefaultSockets = []string{"/run/containerd/containerd.sock", "/run/crio/crio.sock"}

// MaxCNIJSON bounds the CNI result kept per pod.
const MaxCNIJSON = 4096

// Client talks to one CRI socket. It is safe for concurrent use.
type Client struct {
	socket string
	conn   *grpc.ClientConn
	rt     runtimeapi.RuntimeServiceClient
	img    runtimeapi.ImageServiceClient

	mu      sync.Mutex
	typ     container.Type
	name    string
	version string
}

// New returns a Client for the unix socket at path. It does not connect:
// the connection is made by the first call.
func New(path string) (*Client, error) {
	conn, err := grpc.NewClient("unix://"+path,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(16<<20)))
	if err != nil {
		return nil, fmt.Errorf("cri unix://%s: %w", path, err)
	}
	return &Client{
		socket: path,
		conn:   conn,
		rt:     runtimeapi.NewRuntimeServiceClient(conn),
		img:    runtimeapi.NewImageServiceClient(conn),
	}, nil
}

// Name identifies the client.
func (c *Client) Name() string { return "cri unix://" + c.socket }

// Socket returns the socket path.
func (c *Client) Socket() string { return c.socket }

// Runtime returns the runtime service stub, for callers that need more of
// the API than lookups.
func (c *Client) Runtime() runtimeapi.RuntimeServiceClient { return c.rt }

// Images returns the image service stub.
func (c *Client) Images() runtimeapi.ImageServiceClient { return c.img }

// Close closes the connection.
func (c *Client) Close() error { return c.conn.Close() }

// Serves reports whether containers detected as t are expected here: the
// Kubernetes layouts, or only the runtime's own type once it is known.
func (c *Client) Serves(t container.Type) bool {
	c.mu.Lock()
	typ := c.typ
	c.mu.Unlock()
	if t == container.TypeCRI {
		return true
	}
	if typ != container.TypeUnknown && typ != container.TypeCRI {
		return t == typ
	}
	return t.IsCRI()
}

// Version asks the runtime its name and version, and learns the container
// type from the name ("containerd", "cri-o").
func (c *Client) Version(ctx context.Context) (name, version string, err error) {
	r, err := c.rt.Version(ctx, &runtimeapi.VersionRequest{})
	if err != nil {
		return "", "", fmt.Errorf("%s: version: %w", c.Name(), err)
	}
	t := container.TypeCRI
	switch r.RuntimeName {
	case "containerd":
		t = container.TypeContainerd
	case "cri-o":
		t = container.TypeCRIO
	}
	c.mu.Lock()
	c.typ, c.name, c.version = t, r.RuntimeName, r.RuntimeVersion
	c.mu.Unlock()
	return r.RuntimeName, r.RuntimeVersion, nil
}

func (c *Client) runtimeType(ctx context.Context) (container.Type, error) {
	c.mu.Lock()
	t := c.typ
	c.mu.Unlock()
	if t != container.TypeUnknown {
		return t, nil
	}
	if _, _, err := c.Version(ctx); err != nil {
		return container.TypeUnknown, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.typ, nil
}

// Watch follows the runtime's container event stream and calls fn with
// the id of each container created or started, until ctx ends or the
// stream fails. A runtime without the stream gives an error wrapping
// container.ErrWatchUnsupported.
func (c *Client) Watch(ctx context.Context, fn func(id string, t container.Type)) error {
	t, err := c.runtimeType(ctx)
	if err != nil {
		return err
	}
	stream, err := c.rt.GetContainerEvents(ctx, &runtimeapi.GetEventsRequest{})
	if err != nil {
		return c.watchErr(err)
	}
	for {
		ev, err := stream.Recv()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return c.watchErr(err)
		}
		switch ev.GetContainerEventType() {
		case runtimeapi.ContainerEventType_CONTAINER_CREATED_EVENT, runtimeapi.ContainerEventType_CONTAINER_STARTED_EVENT:
			if id := ev.GetContainerId(); id != "" {
				fn(id, t)
			}
		}
	}
}

func (c *Client) watchErr(err error) error {
	if status.Code(err) == codes.Unimplemented {
		return fmt.Errorf("%s: GetContainerEvents: %w: %w", c.Name(), container.ErrWatchUnsupported, err)
	}
	return fmt.Errorf("%s: GetContainerEvents: %w", c.Name(), err)
}

func isNotFound(err error) bool {
	if status.Code(err) == codes.NotFound {
		return true
	}
	// Some runtimes answer Unknown with a "not found" text.
	s, ok := status.FromError(err)
	return ok && s.Code() == codes.Unknown && strings.Contains(strings.ToLower(s.Message()), "not found")
}

// Inspect returns the metadata of container id (a full id or unique
// prefix). A pod sandbox id gives the sandbox container.
func (c *Client) Inspect(ctx context.Context, id string) (*container.Container, error) {
	typ, err := c.runtimeType(ctx)
	if err != nil {
		return nil, err
	}
	resp, err := c.rt.ContainerStatus(ctx, &runtimeapi.ContainerStatusRequest{ContainerId: id, Verbose: true})
	if err != nil {
		if isNotFound(err) {
			return c.inspectSandbox(ctx, id, typ)
		}
		return nil, fmt.Errorf("%s: container status %s: %w", c.Name(), id, err)
	}
	st := resp.GetStatus()
	if st == nil {
		return nil, fmt.Errorf("%s: container status %s: empty answer", c.Name(), id)
	}
	info, err := parseInfo(resp.GetInfo())
	if err != nil {
		return nil, fmt.Errorf("%s: container %s: %w", c.Name(), id, err)
	}
	ct := fromContainerStatus(st, info, typ)

	sandboxID := info.SandboxID
	if sandboxID == "" {
		sandboxID = c.sandboxOf(ctx, st.GetId())
	}
	if sandboxID != "" {
		ps, err := c.rt.PodSandboxStatus(ctx, &runtimeapi.PodSandboxStatusRequest{PodSandboxId: sandboxID, Verbose: true})
		if err != nil && !isNotFound(err) {
			return nil, fmt.Errorf("%s: pod sandbox status %s: %w", c.Name(), sandboxID, err)
		}
		if err == nil && ps.GetStatus() != nil {
			pinfo, _ := parseInfo(ps.GetInfo())
			applySandbox(ct, ps.GetStatus(), pinfo)
		}
	}
	if ct.ImageID == "" || ct.ImageDigest == "" || ct.ImageTag == "" {
		ref := st.GetImageRef()
		if ref == "" {
			ref = st.GetImage().GetImage()
		}
		if ref != "" {
			is, err := c.img.ImageStatus(ctx, &runtimeapi.ImageStatusRequest{Image: &runtimeapi.ImageSpec{Image: ref}})
			if err != nil && ctx.Err() != nil {
				return nil, fmt.Errorf("%s: image status %s: %w", c.Name(), ref, err)
			}
			if err == nil && is.GetImage() != nil {
				applyImage(ct, is.GetImage())
			}
		}
	}
	return ct, nil
}

// sandboxOf finds a container's pod sandbox through ListContainers, for
// runtimes whose verbose status does not name it.
func (c *Client) sandboxOf(ctx context.Context, id string) string {
	r, err := c.rt.ListContainers(ctx, &runtimeapi.ListContainersRequest{Filter: &runtimeapi.ContainerFilter{Id: id}})
	if err != nil || len(r.GetContainers()) == 0 {
		return ""
	}
	return r.GetContainers()[0].GetPodSandboxId()
}

func (c *Client) inspectSandbox(ctx context.Context, id string, typ container.Type) (*container.Container, error) {
	ps, err := c.rt.PodSandboxStatus(ctx, &runtimeapi.PodSandboxStatusRequest{PodSandboxId: id, Verbose: true})
	if err != nil {
		if isNotFound(err) {
			return nil, fmt.Errorf("%s: %s: %w", c.Name(), id, container.ErrNotFound)
		}
		return nil, fmt.Errorf("%s: pod sandbox status %s: %w", c.Name(), id, err)
	}
	st := ps.GetStatus()
	if st == nil {
		return nil, fmt.Errorf("%s: pod sandbox status %s: empty answer", c.Name(), id)
	}
	pinfo, err := parseInfo(ps.GetInfo())
	if err != nil {
		return nil, fmt.Errorf("%s: pod sandbox %s: %w", c.Name(), id, err)
	}
	ct := &container.Container{
		FullID:       st.GetId(),
		Type:         typ,
		Name:         st.GetMetadata().GetName(),
		IsPodSandbox: true,
		Labels:       copyMap(st.GetLabels()),
		CreatedAt:    nsTime(st.GetCreatedAt()),
		Privileged:   pinfo.privileged(),
	}
	if img := pinfo.Image; img != "" {
		ct.Image = img
		ref := container.ParseImageRef(img)
		ct.ImageRepository, ct.ImageTag, ct.ImageDigest = ref.Repository, ref.Tag, ref.Digest
	}
	applySandbox(ct, st, pinfo)
	return ct, nil
}

// infoJSON is the part of the runtimes' verbose "info" we read: containerd
// writes sandboxID, config, runtimeSpec and cniResult; CRI-O writes
// sandboxID, privileged and runtimeSpec (with the CNI result in an
// annotation).
type infoJSON struct {
	SandboxID  string `json:"sandboxID"`
	Privileged *bool  `json:"privileged"`
	Image      string `json:"image"`
	Config     struct {
		Image struct {
			Image string `json:"image"`
		} `json:"image"`
		Linux struct {
			SecurityContext struct {
				Privileged bool `json:"privileged"`
			} `json:"security_context"`
		} `json:"linux"`
	} `json:"config"`
	RuntimeSpec struct {
		Annotations map[string]string `json:"annotations"`
	} `json:"runtimeSpec"`
	CNIResult *struct {
		Interfaces map[string]map[string]json.RawMessage `json:"Interfaces"`
	} `json:"cniResult"`
}

func (i *infoJSON) privileged() bool {
	if i.Config.Linux.SecurityContext.Privileged {
		return true
	}
	return i.Privileged != nil && *i.Privileged
}

func parseInfo(m map[string]string) (*infoJSON, error) {
	var info infoJSON
	s := m["info"]
	if s == "" {
		return &info, nil
	}
	if err := json.Unmarshal([]byte(s), &info); err != nil {
		return &info, fmt.Errorf("decode verbose info: %w", err)
	}
	return &info, nil
}

func copyMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func nsTime(ns int64) time.Time {
	if ns <= 0 {
		return time.Time{}
	}
	return time.Unix(0, ns).UTC()
}

func propagation(p runtimeapi.MountPropagation) string {
	switch p {
	case runtimeapi.MountPropagation_PROPAGATION_PRIVATE:
		return "private"
	case runtimeapi.MountPropagation_PROPAGATION_HOST_TO_CONTAINER:
		return "rslave"
	case runtimeapi.MountPropagation_PROPAGATION_BIDIRECTIONAL:
		return "rshared"
	}
	return "unknown"
}

func fromContainerStatus(st *runtimeapi.ContainerStatus, info *infoJSON, typ container.Type) *container.Container {
	ct := &container.Container{
		FullID:     st.GetId(),
		Type:       typ,
		Name:       st.GetMetadata().GetName(),
		CreatedAt:  nsTime(st.GetCreatedAt()),
		StartedAt:  nsTime(st.GetStartedAt()),
		Labels:     copyMap(st.GetLabels()),
		Privileged: info.privileged(),
	}
	for _, m := range st.GetMounts() {
		ct.Mounts = append(ct.Mounts, container.Mount{
			Source:      m.GetHostPath(),
			Dest:        m.GetContainerPath(),
			RW:          !m.GetReadonly(),
			Propagation: propagation(m.GetPropagation()),
		})
	}

	// The image: the name the container was created with, unless it is an
	// image id; then the name in the runtimes' annotations; then the
	// repository of a digested image reference.
	name := st.GetImage().GetImage()
	ref := st.GetImageRef()
	var digest, refRepo string
	if i := strings.Index(ref, "@sha256:"); i >= 0 {
		digest, refRepo = ref[i+1:], ref[:i]
	} else if strings.HasPrefix(ref, "sha256:") {
		ct.ImageID = container.TrimDigestAlgo(ref)
	}
	if strings.HasPrefix(name, "sha256:") {
		if ct.ImageID == "" {
			ct.ImageID = container.TrimDigestAlgo(name)
		}
		name = ""
	}
	if name == "" {
		ann := info.RuntimeSpec.Annotations
		for _, k := range []string{"io.kubernetes.cri.image-name", "io.kubernetes.cri-o.ImageName", "io.kubernetes.cri-o.Image"} {
			if v := ann[k]; v != "" && !strings.HasPrefix(v, "sha256:") {
				name = v
				break
			}
		}
	}
	if name == "" {
		name = refRepo
	}
	ct.Image = name
	if name != "" {
		r := container.ParseImageRef(name)
		ct.ImageRepository, ct.ImageTag, ct.ImageDigest = r.Repository, r.Tag, r.Digest
	}
	if ct.ImageDigest == "" {
		ct.ImageDigest = digest
	}
	if id := st.GetImageId(); id != "" && ct.ImageID == "" && !strings.Contains(id, "@") {
		ct.ImageID = container.TrimDigestAlgo(id)
	}
	if ct.ImageID == "" {
		if id := info.Config.Image.Image; strings.HasPrefix(id, "sha256:") {
			ct.ImageID = container.TrimDigestAlgo(id)
		}
	}
	return ct
}

// applySandbox fills the pod, the network and the probes from the
// container's pod sandbox.
func applySandbox(ct *container.Container, st *runtimeapi.PodSandboxStatus, info *infoJSON) {
	hostNet := st.GetLinux().GetNamespaces().GetOptions().GetNetwork() == runtimeapi.NamespaceMode_NODE
	pod := &container.Pod{
		SandboxID: st.GetId(),
		Name:      st.GetMetadata().GetName(),
		UID:       st.GetMetadata().GetUid(),
		Namespace: st.GetMetadata().GetNamespace(),
		Labels:    copyMap(st.GetLabels()),
		CNIJSON:   cniJSON(info),
	}
	if !hostNet {
		pod.IP = st.GetNetwork().GetIp()
	}
	ct.Pod = pod
	ct.HostNetwork = hostNet
	ct.IP = pod.IP
	ct.CNIJSON = pod.CNIJSON
	if manifest := st.GetAnnotations()[container.LastAppliedAnnotation]; manifest != "" && !ct.IsPodSandbox {
		if l, r, err := container.ProbesFromPodSpec(manifest, ct.Name); err == nil {
			ct.LivenessProbe, ct.ReadinessProbe = l, r
		}
	}
}

// cniJSON renders the pod's CNI result for k8s.pod.cni.json: containerd's
// interfaces without the loopback and host-side veth ends and without MAC
// and sandbox path, or CRI-O's annotation as it is; at most MaxCNIJSON
// bytes.
func cniJSON(info *infoJSON) string {
	var out string
	if info.CNIResult != nil && info.CNIResult.Interfaces != nil {
		ifs := map[string]map[string]json.RawMessage{}
		names := make([]string, 0, len(info.CNIResult.Interfaces))
		for n := range info.CNIResult.Interfaces {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			if n == "lo" || strings.HasPrefix(n, "veth") {
				continue
			}
			v := map[string]json.RawMessage{}
			for k, raw := range info.CNIResult.Interfaces[n] {
				if k == "Mac" || k == "Sandbox" {
					continue
				}
				v[k] = raw
			}
			ifs[n] = v
		}
		if b, err := json.Marshal(ifs); err == nil {
			out = string(b)
		}
	} else if v := info.RuntimeSpec.Annotations["io.kubernetes.cri-o.CNIResult"]; v != "" {
		out = strings.TrimSuffix(v, "\n")
	}
	if len(out) > MaxCNIJSON {
		out = out[:MaxCNIJSON]
	}
	return out
}

// applyImage completes the image fields from the image service's record.
func applyImage(ct *container.Container, img *runtimeapi.Image) {
	if ct.ImageID == "" && img.GetId() != "" {
		ct.ImageID = container.TrimDigestAlgo(img.GetId())
	}
	repo := ct.ImageRepository
	if ct.ImageDigest == "" {
		seen := map[string]bool{}
		for _, rd := range img.GetRepoDigests() {
			r, d, ok := strings.Cut(rd, "@")
			if !ok {
				continue
			}
			seen[d] = true
			if repo == "" {
				repo = r
			}
			if r == repo {
				ct.ImageDigest = d
				break
			}
		}
		if ct.ImageDigest == "" && len(seen) == 1 {
			for d := range seen {
				ct.ImageDigest = d
			}
		}
	}
	if ct.ImageTag == "" {
		for _, rt := range img.GetRepoTags() {
			ref := container.ParseImageRef(rt)
			if ref.Tag == "" {
				continue
			}
			if repo == "" {
				repo = ref.Repository
			}
			if ref.Repository == repo {
				ct.ImageTag = ref.Tag
				if ct.Image == "" {
					ct.Image = rt
				}
				break
			}
		}
	}
	if ct.ImageRepository == "" {
		ct.ImageRepository = repo
	}
}
