package container

import (
	"strings"
	"time"
)

// State says how much of a Container record is known.
type State uint8

const (
	// StatePending: only the id is known; a resolve is queued or running.
	StatePending State = iota
	// StateResolved: a runtime answered; the metadata fields are filled.
	StateResolved
	// StateNotFound: every runtime that was asked said it does not know the
	// id. Retried after Options.RetryAfter.
	StateNotFound
	// StateFailed: no runtime answered (error or timeout). Retried after
	// Options.RetryAfter.
	StateFailed
	// StateNoRuntime: no configured client serves this container type (LXC,
	// libvirt-lxc without a client). Only the id is known.
	StateNoRuntime
)

var stateNames = [...]string{"pending", "resolved", "not-found", "failed", "no-runtime"}

func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "unknown"
}

// Container is what syscope knows about one container. Records handed out
// by a Manager are shared and must not be modified; a later resolve replaces
// the record rather than changing it.
type Container struct {
	// ID is the id reported in container.id (12 characters for runc-style
	// ids), FullID the whole id (container.full_id).
	ID     string
	FullID string
	Type   Type
	// State says whether the fields below come from a runtime.
	State State
	// Err is the last lookup error when State is StateFailed.
	Err string

	Name string
	// Image is the image as the container was created with it
	// ("localhost/busybox:test"); ImageID is the image id without its
	// "sha256:" prefix; ImageRepository, ImageTag and ImageDigest are the
	// parts of the image reference ("localhost/busybox", "test",
	// "sha256:...").
	Image           string
	ImageID         string
	ImageRepository string
	ImageTag        string
	ImageDigest     string

	Privileged bool
	Mounts     []Mount
	// CreatedAt and StartedAt are zero when the runtime did not say.
	CreatedAt time.Time
	StartedAt time.Time
	// IP is the container's IPv4/IPv6 address (the pod's for CRI
	// containers); empty when it has none (host or no network).
	IP string
	// CNIJSON is the CNI result of the container's network, where the
	// runtime reports one (CRI pods).
	CNIJSON string
	// HostNetwork is set when the container shares the host's network
	// namespace.
	HostNetwork bool

	// Health probes: the docker HEALTHCHECK, and the Kubernetes liveness
	// and readiness probes when the runtime exposes the pod spec. Nil when
	// not given.
	HealthCheck    *Probe
	LivenessProbe  *Probe
	ReadinessProbe *Probe

	// Labels are the container's labels, without the values longer than
	// Options.MaxLabelLen.
	Labels map[string]string
	// IsPodSandbox is set for a Kubernetes pod's sandbox ("pause")
	// container.
	IsPodSandbox bool
	// Pod is the Kubernetes pod of a CRI container; nil otherwise.
	Pod *Pod
}

// Mount is one mount of a container, as container.mount.* fields show it.
type Mount struct {
	Source      string
	Dest        string
	Mode        string
	RW          bool
	Propagation string
}

// Probe is a command the runtime runs inside the container to check it.
type Probe struct {
	Exe  string
	Args []string
}

// String renders the probe as "exe arg1 arg2".
func (p *Probe) String() string {
	if p == nil {
		return ""
	}
	if len(p.Args) == 0 {
		return p.Exe
	}
	return p.Exe + " " + strings.Join(p.Args, " ")
}

// Pod is the Kubernetes pod a CRI container belongs to.
type Pod struct {
	// SandboxID is the full id of the pod sandbox.
	SandboxID string
	Name      string
	UID       string
	Namespace string
	Labels    map[string]string
	IP        string
	CNIJSON   string
}

// Label returns the value of a container label ("" when absent).
func (c *Container) Label(key string) string {
	if c == nil {
		return ""
	}
	return c.Labels[key]
}

// HostContainer is the record Lookup returns for the host.
var HostContainer = &Container{ID: HostID, FullID: HostID, Type: TypeHost, State: StateResolved, Name: HostID}

// ImageRef is a parsed image reference.
type ImageRef struct {
	// Repository includes the registry host, if any
	// ("registry:5000/team/app").
	Repository string
	Tag        string
	Digest     string
}

// ParseImageRef splits an image reference "[host[:port]/]path[:tag][@digest]"
// into repository, tag and digest. It does not validate the reference and
// does not add a default tag.
func ParseImageRef(ref string) ImageRef {
	var r ImageRef
	if i := strings.IndexByte(ref, '@'); i >= 0 {
		r.Digest = ref[i+1:]
		ref = ref[:i]
	}
	// A tag is a ':' after the last '/': a ':' before it is a registry port.
	slash := strings.LastIndexByte(ref, '/')
	if i := strings.LastIndexByte(ref, ':'); i > slash {
		r.Tag = ref[i+1:]
		ref = ref[:i]
	}
	r.Repository = ref
	return r
}

// TrimDigestAlgo removes a "sha256:" style prefix from an image id.
func TrimDigestAlgo(id string) string {
	if i := strings.IndexByte(id, ':'); i >= 0 && !strings.Contains(id[:i], "/") {
		return id[i+1:]
	}
	return id
}

// MarshalText renders the state by name.
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }
