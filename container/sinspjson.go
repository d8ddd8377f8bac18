package container

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Labels kubelet puts on every container of a pod; libsinsp's k8s.pod.* and
// k8s.ns.name fields read them.
const (
	LabelPodName      = "io.kubernetes.pod.name"
	LabelPodNamespace = "io.kubernetes.pod.namespace"
	LabelPodUID       = "io.kubernetes.pod.uid"
	LabelSandboxID    = "io.kubernetes.sandbox.id"
)

// sinspJSON is the object libsinsp writes in the json parameter of its
// container events (PPME_CONTAINER_JSON_E and PPME_CONTAINER_JSON_2_E):
// {"container": {...}}.
type sinspJSON struct {
	Container *sinspContainerJSON `json:"container"`
}

type sinspProbeJSON struct {
	Exe  string   `json:"exe"`
	Args []string `json:"args"`
}

type sinspMountJSON struct {
	Source      string `json:"Source"`
	Destination string `json:"Destination"`
	Mode        string `json:"Mode"`
	RW          bool   `json:"RW"`
	Propagation string `json:"Propagation"`
}

type sinspContainerJSON struct {
	ID               string            `json:"id"`
	FullID           string            `json:"full_id"`
	Type             *uint16           `json:"type"`
	Name             string            `json:"name"`
	Image            string            `json:"image"`
	ImageID          string            `json:"imageid"`
	ImageRepo        string            `json:"imagerepo"`
	ImageTag         string            `json:"imagetag"`
	ImageDigest      string            `json:"imagedigest"`
	Privileged       bool              `json:"privileged"`
	HostPID          bool              `json:"host_pid"`
	HostNetwork      bool              `json:"host_network"`
	HostIPC          bool              `json:"host_ipc"`
	IsPodSandbox     bool              `json:"is_pod_sandbox"`
	LookupState      *int              `json:"lookup_state"`
	CreatedTime      int64             `json:"created_time"`
	Mounts           []sinspMountJSON  `json:"Mounts"`
	User             string            `json:"User"`
	Healthcheck      *sinspProbeJSON   `json:"Healthcheck,omitempty"`
	LivenessProbe    *sinspProbeJSON   `json:"LivenessProbe,omitempty"`
	ReadinessProbe   *sinspProbeJSON   `json:"ReadinessProbe,omitempty"`
	IP               string            `json:"ip"`
	CNIJSON          string            `json:"cni_json"`
	PodSandboxID     string            `json:"pod_sandbox_id"`
	PortMappings     []json.RawMessage `json:"port_mappings"`
	Labels           map[string]string `json:"labels"`
	PodSandboxLabels map[string]string `json:"pod_sandbox_labels"`
	Env              []string          `json:"env"`
	MemoryLimit      int64             `json:"memory_limit"`
	SwapLimit        int64             `json:"swap_limit"`
	CPUShares        int64             `json:"cpu_shares"`
	CPUQuota         int64             `json:"cpu_quota"`
	CPUPeriod        int64             `json:"cpu_period"`
	CPUSetCPUCount   int64             `json:"cpuset_cpu_count"`
	MetadataDeadline uint64            `json:"metadata_deadline"`
	Size             int64             `json:"size"`
}

// libsinsp's lookup states.
const (
	sinspLookupStarted    = 0
	sinspLookupSuccessful = 1
	sinspLookupFailed     = 2
)

func probeJSON(p *Probe) *sinspProbeJSON {
	if p == nil {
		return nil
	}
	args := p.Args
	if args == nil {
		args = []string{}
	}
	return &sinspProbeJSON{Exe: p.Exe, Args: args}
}

func probeFromJSON(p *sinspProbeJSON) *Probe {
	if p == nil {
		return nil
	}
	return &Probe{Exe: p.Exe, Args: p.Args}
}

// MarshalSinspJSON renders c as the JSON libsinsp writes in its container
// events, so that a capture carries the container's metadata: a pod's name,
// namespace and uid go in the kubelet labels (io.kubernetes.pod.*), its
// labels in pod_sandbox_labels. Fields libsinsp has and syscope does not
// (resource limits, port mappings, user, environment) are written with
// libsinsp's defaults.
func MarshalSinspJSON(c *Container) ([]byte, error) {
	if c == nil {
		return nil, errors.New("marshal container json: nil container")
	}
	typ := c.Type.SinspValue()
	state := sinspLookupSuccessful
	switch c.State {
	case StatePending:
		state = sinspLookupStarted
	case StateFailed, StateNotFound:
		state = sinspLookupFailed
	}
	j := &sinspContainerJSON{
		ID:               c.ID,
		FullID:           c.FullID,
		Type:             &typ,
		Name:             c.Name,
		Image:            c.Image,
		ImageID:          c.ImageID,
		ImageRepo:        c.ImageRepository,
		ImageTag:         c.ImageTag,
		ImageDigest:      c.ImageDigest,
		Privileged:       c.Privileged,
		HostNetwork:      c.HostNetwork,
		IsPodSandbox:     c.IsPodSandbox,
		LookupState:      &state,
		Mounts:           []sinspMountJSON{},
		Healthcheck:      probeJSON(c.HealthCheck),
		LivenessProbe:    probeJSON(c.LivenessProbe),
		ReadinessProbe:   probeJSON(c.ReadinessProbe),
		IP:               c.IP,
		CNIJSON:          c.CNIJSON,
		PortMappings:     []json.RawMessage{},
		Labels:           map[string]string{},
		PodSandboxLabels: map[string]string{},
		Env:              []string{},
		CPUShares:        1024,
		CPUPeriod:        100000,
		Size:             -1,
	}
	if !c.CreatedAt.IsZero() {
		j.CreatedTime = c.CreatedAt.Unix()
	}
	for _, m := range c.Mounts {
		j.Mounts = append(j.Mounts, sinspMountJSON{Source: m.Source, Destination: m.Dest, Mode: m.Mode, RW: m.RW, Propagation: m.Propagation})
	}
	for k, v := range c.Labels {
		j.Labels[k] = v
	}
	if p := c.Pod; p != nil {
		j.PodSandboxID = p.SandboxID
		for k, v := range p.Labels {
			j.PodSandboxLabels[k] = v
		}
		setIfEmpty(j.Labels, LabelPodName, p.Name)
		setIfEmpty(j.Labels, LabelPodNamespace, p.Namespace)
		setIfEmpty(j.Labels, LabelPodUID, p.UID)
		if j.IP == "" {
			j.IP = p.IP
		}
		if j.CNIJSON == "" {
			j.CNIJSON = p.CNIJSON
		}
	}
	return json.Marshal(sinspJSON{Container: j})
}

func setIfEmpty(m map[string]string, k, v string) {
	if v != "" && m[k] == "" {
		m[k] = v
	}
}

// ParseSinspJSON reads the JSON of a libsinsp container event back into a
// Container. Container types syscope has no Type for (mesos, rkt, bpm...)
// read as TypeUnknown. The pod is rebuilt from the kubelet labels,
// pod_sandbox_id and pod_sandbox_labels; an "ip" of "0.0.0.0" (older
// libsinsp's "none") reads as no address.
func ParseSinspJSON(b []byte) (*Container, error) {
	var doc sinspJSON
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("parse container json: %w", err)
	}
	j := doc.Container
	if j == nil {
		return nil, errors.New(`parse container json: no "container" object`)
	}
	if j.ID == "" && j.FullID == "" {
		return nil, errors.New("parse container json: container has no id")
	}
	c := &Container{
		ID:              j.ID,
		FullID:          j.FullID,
		Name:            j.Name,
		Image:           j.Image,
		ImageID:         j.ImageID,
		ImageRepository: j.ImageRepo,
		ImageTag:        j.ImageTag,
		ImageDigest:     j.ImageDigest,
		Privileged:      j.Privileged,
		HostNetwork:     j.HostNetwork,
		IsPodSandbox:    j.IsPodSandbox,
		IP:              j.IP,
		CNIJSON:         j.CNIJSON,
		HealthCheck:     probeFromJSON(j.Healthcheck),
		LivenessProbe:   probeFromJSON(j.LivenessProbe),
		ReadinessProbe:  probeFromJSON(j.ReadinessProbe),
		Labels:          j.Labels,
		State:           StateResolved,
	}
	if j.Type != nil {
		c.Type, _ = TypeFromSinspValue(*j.Type)
	}
	if j.LookupState != nil {
		switch *j.LookupState {
		case sinspLookupStarted:
			c.State = StatePending
		case sinspLookupFailed:
			c.State = StateFailed
		}
	}
	if c.IP == "0.0.0.0" {
		c.IP = ""
	}
	if c.FullID == "" {
		c.FullID = c.ID
	}
	if c.ID == "" {
		c.ID = ShortID(c.Type, c.FullID)
	}
	if j.CreatedTime > 0 {
		c.CreatedAt = time.Unix(j.CreatedTime, 0).UTC()
	}
	for _, m := range j.Mounts {
		c.Mounts = append(c.Mounts, Mount{Source: m.Source, Dest: m.Destination, Mode: m.Mode, RW: m.RW, Propagation: m.Propagation})
	}
	if c.Labels == nil {
		c.Labels = map[string]string{}
	}
	if name := c.Labels[LabelPodName]; name != "" || j.PodSandboxID != "" {
		c.Pod = &Pod{
			SandboxID: j.PodSandboxID,
			Name:      name,
			Namespace: c.Labels[LabelPodNamespace],
			UID:       c.Labels[LabelPodUID],
			Labels:    j.PodSandboxLabels,
			IP:        c.IP,
			CNIJSON:   c.CNIJSON,
		}
		if c.Pod.Labels == nil {
			c.Pod.Labels = map[string]string{}
		}
		if c.Pod.SandboxID == "" {
			c.Pod.SandboxID = c.Labels[LabelSandboxID]
		}
	}
	return c, nil
}
