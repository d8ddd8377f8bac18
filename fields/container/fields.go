package containerfields

import (
	"time"

	"github.com/syscope/syscope/container"
	"github.com/syscope/syscope/fields"
	"github.com/syscope/syscope/filter"
)

// Register adds the container, k8s and container-probe process fields to
// reg. The package registers them in fields.Default() when it is
// imported; use Register for other registries.
func Register(reg *fields.Registry) error {
	for _, c := range Classes() {
		if err := reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}

func init() {
	if err := Register(fields.Default()); err != nil {
		panic(err) // the tables are consistent; a test checks it
	}
}

// Classes returns new copies of the field classes this package defines:
// "container" (container.* and proc.is_container_*) and "k8s".
func Classes() []*fields.Class {
	return []*fields.Class{containerClass(), k8sClass()}
}

type xf = *fields.Extractor

func strX(get func(c fields.Ctx) (string, bool)) xf {
	return &fields.Extractor{Field: filter.Field[fields.Ctx]{
		Info: filter.FieldInfo{Type: filter.TypeString},
		Str:  func(c fields.Ctx, _ int) (string, bool) { return get(c) },
	}}
}

// appendStrX builds a string field rendered into scratch space owned by the
// extractor.
func appendStrX(app func(dst []byte, c fields.Ctx) ([]byte, bool)) xf {
	var scratch []byte
	return strX(func(c fields.Ctx) (string, bool) {
		var ok bool
		scratch, ok = app(scratch[:0], c)
		if !ok {
			return "", false
		}
		return bytesString(scratch), true
	})
}

func boolX(get func(c fields.Ctx) (bool, bool)) xf {
	return &fields.Extractor{Field: filter.Field[fields.Ctx]{
		Info: filter.FieldInfo{Type: filter.TypeBool},
		Bool: func(c fields.Ctx, _ int) (bool, bool) { return get(c) },
	}}
}

func uintX(t filter.FieldType, get func(c fields.Ctx) (uint64, bool)) xf {
	return &fields.Extractor{Field: filter.Field[fields.Ctx]{
		Info: filter.FieldInfo{Type: t},
		Uint: func(c fields.Ctx, _ int) (uint64, bool) { return get(c) },
	}}
}

// strSpec describes a plain string field read from a container record.
type strSpec struct {
	get func(r *container.Container) string
	// sysdig: sysdig 0.29.3 has the field. In Sysdig029 mode an empty
	// value reads as missing, a pending record counts as a record, and the
	// host has no value unless hostValue is set.
	sysdig    bool
	hostValue bool
}

// metaStr binds a string field of the container record. Current semantics
// (the Falco container plugin): the host's record has the field's host
// value (often empty); a container whose metadata is not known yet has no
// value; otherwise the record's value, empty or not.
func metaStr(sp strSpec) func(*fields.Binding) (xf, error) {
	return func(b *fields.Binding) (xf, error) {
		s := newSrc(b)
		return strX(func(c fields.Ctx) (string, bool) {
			v, ok := s.view(c)
			if !ok {
				return "", false
			}
			if sp.sysdig && s.sysdig029() {
				if v.host {
					if sp.hostValue {
						return sp.get(container.HostContainer), true
					}
					return "", false
				}
				if v.rec == nil {
					return "", false
				}
				val := sp.get(v.rec)
				return val, val != ""
			}
			if !v.meta {
				return "", false
			}
			return sp.get(v.rec), true
		}), nil
	}
}

func bindID(b *fields.Binding) (xf, error) {
	s := newSrc(b)
	return strX(func(c fields.Ctx) (string, bool) {
		v, ok := s.view(c)
		if !ok {
			return "", false
		}
		if v.host {
			return container.HostID, true
		}
		return v.info.ID, true
	}), nil
}

func bindPrivileged(b *fields.Binding) (xf, error) {
	s := newSrc(b)
	return boolX(func(c fields.Ctx) (bool, bool) {
		v, ok := s.view(c)
		if !ok {
			return false, false
		}
		if s.sysdig029() {
			if v.host || v.rec == nil || !dockerCompatible(v.rec.Type) {
				return false, false
			}
			return v.rec.Privileged, true
		}
		if !v.meta {
			return false, false
		}
		return v.rec.Privileged, true
	}), nil
}

func bindHostNetwork(b *fields.Binding) (xf, error) {
	s := newSrc(b)
	return boolX(func(c fields.Ctx) (bool, bool) {
		v, ok := s.view(c)
		if !ok || !v.meta {
			return false, false
		}
		return v.rec.HostNetwork, true
	}), nil
}

// withRecord reports the record the mount, probe and label fields read:
// in Current mode a record with metadata (the host's included); in
// Sysdig029 mode any record of a container (not the host).
func (s *src) withRecord(v *view) *container.Container {
	if s.sysdig029() {
		if v.host {
			return nil
		}
		return v.rec
	}
	if !v.meta {
		return nil
	}
	return v.rec
}

func bindMounts(b *fields.Binding) (xf, error) {
	s := newSrc(b)
	return appendStrX(func(dst []byte, c fields.Ctx) ([]byte, bool) {
		v, ok := s.view(c)
		if !ok {
			return dst, false
		}
		r := s.withRecord(&v)
		if r == nil {
			return dst, false
		}
		return appendMounts(dst, r.Mounts), true
	}), nil
}

// mountPart says which part of a mount a container.mount* field shows.
type mountPart uint8

const (
	mountAll mountPart = iota
	mountSource
	mountDest
	mountMode
	mountRdwr
	mountPropagation
)

// bindMount builds container.mount[ARG] and container.mount.PART[ARG]: ARG
// is an index or a glob over the mount source (over the destination for
// container.mount.source).
func bindMount(part mountPart) func(*fields.Binding) (xf, error) {
	return func(b *fields.Binding) (xf, error) {
		s := newSrc(b)
		idx, pattern := b.Index, b.Arg
		byDest := part == mountSource
		return appendStrX(func(dst []byte, c fields.Ctx) ([]byte, bool) {
			v, ok := s.view(c)
			if !ok {
				return dst, false
			}
			r := s.withRecord(&v)
			if r == nil {
				return dst, false
			}
			m := findMount(r.Mounts, idx, pattern, byDest)
			if m == nil {
				return dst, false
			}
			switch part {
			case mountSource:
				return append(dst, m.Source...), true
			case mountDest:
				return append(dst, m.Dest...), true
			case mountMode:
				return append(dst, m.Mode...), true
			case mountRdwr:
				if m.RW {
					return append(dst, "true"...), true
				}
				return append(dst, "false"...), true
			case mountPropagation:
				return append(dst, m.Propagation...), true
			}
			return appendMount(dst, m), true
		}), nil
	}
}

// bindProbe builds container.healthcheck, liveness_probe and
// readiness_probe as libsinsp defined them: the probe's command line, or
// NONE when the container has none; no value on the host.
func bindProbe(kind probeKind) func(*fields.Binding) (xf, error) {
	return func(b *fields.Binding) (xf, error) {
		s := newSrc(b)
		return appendStrX(func(dst []byte, c fields.Ctx) ([]byte, bool) {
			v, ok := s.view(c)
			if !ok || v.host {
				return dst, false
			}
			r := s.withRecord(&v)
			if r == nil {
				return dst, false
			}
			p := probeOf(r, kind)
			if p == nil {
				return append(dst, "NONE"...), true
			}
			return appendProbe(dst, p), true
		}), nil
	}
}

// startTs returns when the container started, in nanoseconds since the
// epoch: the runtime's start time, else its creation time.
func startTs(r *container.Container) (uint64, bool) {
	t := r.StartedAt
	if t.IsZero() {
		t = r.CreatedAt
	}
	if t.IsZero() || t.Before(time.Unix(0, 0)) {
		return 0, false
	}
	return uint64(t.UnixNano()), true
}

func bindStartTs(duration bool) func(*fields.Binding) (xf, error) {
	return func(b *fields.Binding) (xf, error) {
		s := newSrc(b)
		typ := filter.TypeAbsTime
		if duration {
			typ = filter.TypeRelTime
		}
		return uintX(typ, func(c fields.Ctx) (uint64, bool) {
			v, ok := s.view(c)
			if !ok || v.host || !v.meta {
				return 0, false
			}
			ts, ok := startTs(v.rec)
			if !ok {
				return 0, false
			}
			if !duration {
				return ts, true
			}
			if c.Evt == nil || len(c.Evt.Raw) < 26 || c.Evt.Ts() < ts {
				return 0, false
			}
			return c.Evt.Ts() - ts, true
		}), nil
	}
}

// bindLabel builds container.label[KEY] (pod false) and k8s.pod.label[KEY]
// (pod true).
func bindLabel(pod bool) func(*fields.Binding) (xf, error) {
	return func(b *fields.Binding) (xf, error) {
		s := newSrc(b)
		key := b.Arg
		return strX(func(c fields.Ctx) (string, bool) {
			v, ok := s.view(c)
			if !ok || v.host || v.rec == nil {
				return "", false
			}
			l := v.rec.Labels
			if pod {
				if v.rec.Pod == nil {
					return "", false
				}
				l = v.rec.Pod.Labels
			} else if !v.meta {
				return "", false
			}
			val, found := l[key]
			return val, found
		}), nil
	}
}

// bindLabels builds container.labels and k8s.pod.labels: the labels that
// are neither annotations nor kubelet labels, sorted, "key:value" joined
// by ", ". The rendering is cached per record (records do not change).
func bindLabels(pod bool) func(*fields.Binding) (xf, error) {
	return func(b *fields.Binding) (xf, error) {
		s := newSrc(b)
		var (
			last  *container.Container // holds the record, so its address is not reused
			cache []byte
		)
		return strX(func(c fields.Ctx) (string, bool) {
			v, ok := s.view(c)
			if !ok {
				return "", false
			}
			var l map[string]string
			switch {
			case pod && s.sysdig029():
				if v.host || v.rec == nil || v.rec.Pod == nil {
					return "", false
				}
				l = v.rec.Pod.Labels
			case pod:
				if !v.meta {
					return "", false
				}
				if v.rec.Pod != nil {
					l = v.rec.Pod.Labels
				}
			default:
				if !v.meta {
					return "", false
				}
				l = v.rec.Labels
			}
			if v.rec != last {
				last = v.rec
				cache = appendLabels(cache[:0], l)
			}
			return bytesString(cache), true
		}), nil
	}
}

// podLabel returns a kubelet label of the record, else the pod's value.
func podValue(r *container.Container, label string, fromPod func(p *container.Pod) string) (string, bool) {
	if val, ok := r.Labels[label]; ok {
		return val, true
	}
	if r.Pod != nil {
		if val := fromPod(r.Pod); val != "" {
			return val, true
		}
	}
	return "", false
}

// bindPodValue builds k8s.pod.name, k8s.ns.name and k8s.pod.uid: the
// kubelet's io.kubernetes.pod.* label of the container, else what the
// runtime said of its pod.
func bindPodValue(label string, fromPod func(p *container.Pod) string) func(*fields.Binding) (xf, error) {
	return func(b *fields.Binding) (xf, error) {
		s := newSrc(b)
		return strX(func(c fields.Ctx) (string, bool) {
			v, ok := s.view(c)
			if !ok || v.host || v.rec == nil {
				return "", false
			}
			return podValue(v.rec, label, fromPod)
		}), nil
	}
}

// bindPodMeta builds the k8s.pod.* fields that exist only in current
// Falco: with metadata known, the pod's value (empty for a container that
// is not in a pod, and for the host).
func bindPodMeta(get func(r *container.Container, p *container.Pod) string) func(*fields.Binding) (xf, error) {
	return func(b *fields.Binding) (xf, error) {
		s := newSrc(b)
		return strX(func(c fields.Ctx) (string, bool) {
			v, ok := s.view(c)
			if !ok || !v.meta {
				return "", false
			}
			if v.rec.Pod == nil {
				return "", true
			}
			return get(v.rec, v.rec.Pod), true
		}), nil
	}
}

// bindNone builds a deprecated field that never has a value (the k8s
// controller fields libsinsp read from the Kubernetes API server).
func bindNone(*fields.Binding) (xf, error) {
	return strX(func(fields.Ctx) (string, bool) { return "", false }), nil
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func containerClass() *fields.Class {
	tS := filter.TypeString
	tB := filter.TypeBool
	return &fields.Class{
		Name: "container",
		Desc: "Container of the process, detected from its cgroups, with what its runtime (Docker API: docker, podman; CRI: containerd, CRI-O) says about it. On the host, container.id, container.name and container.type read \"host\". Metadata is looked up in the background: until it arrives only container.id has a value.",
		Fields: []fields.Def{
			{Name: "container.id", Type: tS, Desc: "Container id: the first 12 characters of a runtime's 64-digit id (LXC and libvirt names whole); \"host\" on the host.", Bind: bindID},
			{Name: "container.full_id", Type: tS, Desc: "Full container id (64 hex digits for runc-based runtimes).", Bind: metaStr(strSpec{get: func(r *container.Container) string { return r.FullID }})},
			{Name: "container.name", Type: tS, Desc: "Container name; \"host\" on the host.", Bind: metaStr(strSpec{get: func(r *container.Container) string { return r.Name }, sysdig: true, hostValue: true})},
			{Name: "container.image", Type: tS, Desc: "Image the container was created from, as given (e.g. docker.io/library/nginx:1.27).", Bind: metaStr(strSpec{get: func(r *container.Container) string { return r.Image }, sysdig: true})},
			{Name: "container.image.id", Type: tS, Desc: "Image id, without its sha256: prefix.", Bind: metaStr(strSpec{get: func(r *container.Container) string { return r.ImageID }, sysdig: true})},
			{Name: "container.type", Type: tS, Desc: "Container runtime: docker, podman, containerd, cri-o, cri, lxc, libvirt-lxc; \"host\" on the host.", Bind: metaStr(strSpec{get: func(r *container.Container) string { return r.Type.String() }, sysdig: true, hostValue: true})},
			{Name: "container.privileged", Type: tB, Desc: "Whether the container runs privileged.", Bind: bindPrivileged},
			{Name: "container.mounts", Type: tS, Desc: "Mounts of the container, comma separated, each as source:dest:mode:rdwr:propagation.", Bind: bindMounts},
			{Name: "container.mount", Type: tS, Arg: fields.ArgIndexOrKey, Desc: "One mount as source:dest:mode:rdwr:propagation, by index (container.mount[0]) or by a glob over its source (container.mount[/usr/local/*]).", Bind: bindMount(mountAll)},
			{Name: "container.mount.source", Type: tS, Arg: fields.ArgIndexOrKey, Desc: "Source of a mount, by index or by a glob over its destination (container.mount.source[/host/lib/modules]).", Bind: bindMount(mountSource)},
			{Name: "container.mount.dest", Type: tS, Arg: fields.ArgIndexOrKey, Desc: "Destination of a mount, by index or by a glob over its source.", Bind: bindMount(mountDest)},
			{Name: "container.mount.mode", Type: tS, Arg: fields.ArgIndexOrKey, Desc: "Mode of a mount (e.g. ro, z), by index or by a glob over its source.", Bind: bindMount(mountMode)},
			{Name: "container.mount.rdwr", Type: tS, Arg: fields.ArgIndexOrKey, Desc: "Whether a mount is writable (true or false), by index or by a glob over its source.", Bind: bindMount(mountRdwr)},
			{Name: "container.mount.propagation", Type: tS, Arg: fields.ArgIndexOrKey, Desc: "Propagation of a mount (private, rslave, rshared...), by index or by a glob over its source.", Bind: bindMount(mountPropagation)},
			{Name: "container.image.repository", Type: tS, Desc: "Repository of the image, registry included (e.g. docker.io/library/nginx).", Bind: metaStr(strSpec{get: func(r *container.Container) string { return r.ImageRepository }, sysdig: true})},
			{Name: "container.image.tag", Type: tS, Desc: "Tag of the image (e.g. latest).", Bind: metaStr(strSpec{get: func(r *container.Container) string { return r.ImageTag }, sysdig: true})},
			{Name: "container.image.digest", Type: tS, Desc: "Registry digest of the image (sha256:...).", Bind: metaStr(strSpec{get: func(r *container.Container) string { return r.ImageDigest }, sysdig: true})},
			{Name: "container.healthcheck", Type: tS, Desc: "The container's health check command line (Docker HEALTHCHECK); NONE when it has none.", Bind: bindProbe(probeHealth)},
			{Name: "container.liveness_probe", Type: tS, Desc: "The container's Kubernetes liveness exec probe command line; NONE when it has none.", Bind: bindProbe(probeLiveness)},
			{Name: "container.readiness_probe", Type: tS, Desc: "The container's Kubernetes readiness exec probe command line; NONE when it has none.", Bind: bindProbe(probeReadiness)},
			{Name: "container.start_ts", Type: filter.TypeAbsTime, Print: fields.PrintDec, Desc: "When the container started, in nanoseconds since the epoch, as its runtime reports it.", Bind: bindStartTs(false)},
			{Name: "container.duration", Type: filter.TypeRelTime, Print: fields.PrintDec, Desc: "Nanoseconds from container.start_ts to the event.", Bind: bindStartTs(true)},
			{Name: "container.ip", Type: tS, Desc: "Primary IP address of the container (of its pod for CRI containers), as its runtime reports it; empty without a network of its own.", Bind: metaStr(strSpec{get: func(r *container.Container) string {
				if r.IP == "" && r.Pod != nil {
					return r.Pod.IP
				}
				return r.IP
			}})},
			{Name: "container.cni.json", Type: tS, Desc: "CNI result of the container's (pod's) network, as JSON (CRI runtimes).", Bind: metaStr(strSpec{get: func(r *container.Container) string {
				if r.CNIJSON == "" && r.Pod != nil {
					return r.Pod.CNIJSON
				}
				return r.CNIJSON
			}})},
			{Name: "container.host_network", Type: tB, Desc: "Whether the container shares the host's network namespace.", Bind: bindHostNetwork},
			{Name: "container.label", Type: tS, Arg: fields.ArgKey, Desc: "Value of a container label: container.label[com.example.team] or container.label.app.", Bind: bindLabel(false)},
			{Name: "container.labels", Type: tS, Desc: "Container labels as key:value, sorted, separated by \", \" (annotations and io.kubernetes.* labels left out).", Bind: bindLabels(false)},
			{Name: "proc.is_container_healthcheck", Type: tB, Desc: "Whether the process runs the container's health check (or descends from one).", Bind: bindIsProbe(probeHealth)},
			{Name: "proc.is_container_liveness_probe", Type: tB, Desc: "Whether the process runs the container's Kubernetes liveness probe (or descends from one).", Bind: bindIsProbe(probeLiveness)},
			{Name: "proc.is_container_readiness_probe", Type: tB, Desc: "Whether the process runs the container's Kubernetes readiness probe (or descends from one).", Bind: bindIsProbe(probeReadiness)},
		},
	}
}

func k8sClass() *fields.Class {
	tS := filter.TypeString
	dep := filter.FlagDeprecated
	podName := func(p *container.Pod) string { return p.Name }
	podNS := func(p *container.Pod) string { return p.Namespace }
	podUID := func(p *container.Pod) string { return p.UID }
	d := []fields.Def{
		{Name: "k8s.pod.name", Type: tS, Desc: "Name of the Kubernetes pod of the container.", Bind: bindPodValue(container.LabelPodName, podName)},
		{Name: "k8s.ns.name", Type: tS, Desc: "Kubernetes namespace of the pod.", Bind: bindPodValue(container.LabelPodNamespace, podNS)},
		{Name: "k8s.pod.id", Type: tS, Desc: "UID of the pod (the older name of k8s.pod.uid).", Bind: bindPodValue(container.LabelPodUID, podUID)},
		{Name: "k8s.pod.uid", Type: tS, Desc: "UID of the pod.", Bind: bindPodValue(container.LabelPodUID, podUID)},
		{Name: "k8s.pod.sandbox_id", Type: tS, Desc: "Id of the pod's sandbox (first 12 characters).", Bind: bindPodMeta(func(_ *container.Container, p *container.Pod) string {
			return container.ShortID(container.TypeCRI, p.SandboxID)
		})},
		{Name: "k8s.pod.full_sandbox_id", Type: tS, Desc: "Full id of the pod's sandbox.", Bind: bindPodMeta(func(_ *container.Container, p *container.Pod) string { return p.SandboxID })},
		{Name: "k8s.pod.label", Type: tS, Arg: fields.ArgKey, Desc: "Value of a pod label: k8s.pod.label[app] or k8s.pod.label.app.", Bind: bindLabel(true)},
		{Name: "k8s.pod.labels", Type: tS, Desc: "Pod labels as key:value, sorted, separated by \", \".", Bind: bindLabels(true)},
		{Name: "k8s.pod.ip", Type: tS, Desc: "IP address of the pod; empty with the host network.", Bind: bindPodMeta(func(r *container.Container, p *container.Pod) string { return firstNonEmpty(p.IP, r.IP) })},
		{Name: "k8s.pod.cni.json", Type: tS, Desc: "CNI result of the pod's network, as JSON.", Bind: bindPodMeta(func(r *container.Container, p *container.Pod) string { return firstNonEmpty(p.CNIJSON, r.CNIJSON) })},
	}
	for _, kind := range []string{"rc", "svc", "rs", "deployment"} {
		d = append(d,
			fields.Def{Name: "k8s." + kind + ".name", Type: tS, Flags: dep, Desc: "Deprecated (read from the Kubernetes API server by old libsinsp); never has a value.", Bind: bindNone},
			fields.Def{Name: "k8s." + kind + ".id", Type: tS, Flags: dep, Desc: "Deprecated; never has a value.", Bind: bindNone},
			fields.Def{Name: "k8s." + kind + ".label", Type: tS, Flags: dep, Arg: fields.ArgKey, Desc: "Deprecated; never has a value.", Bind: bindNone},
			fields.Def{Name: "k8s." + kind + ".labels", Type: tS, Flags: dep, Desc: "Deprecated; never has a value.", Bind: bindNone},
		)
	}
	d = append(d,
		fields.Def{Name: "k8s.ns.id", Type: tS, Flags: dep, Desc: "Deprecated; never has a value.", Bind: bindNone},
		fields.Def{Name: "k8s.ns.label", Type: tS, Flags: dep, Arg: fields.ArgKey, Desc: "Deprecated; never has a value.", Bind: bindNone},
		fields.Def{Name: "k8s.ns.labels", Type: tS, Flags: dep, Desc: "Deprecated; never has a value.", Bind: bindNone},
	)
	return &fields.Class{
		Name:   "k8s",
		Desc:   "Kubernetes pod of the container a process runs in, as the CRI runtime (or the kubelet's container labels) tells it.",
		Fields: d,
	}
}

// Output formats sysdig selects with -pc (-pcontainer) and -pk
// (-pkubernetes): its default format with the container name (the pod
// name) and the container id after the CPU.
const (
	ContainerFormat  = "*%evt.num %evt.outputtime %evt.cpu %container.name (%container.id) %proc.name (%thread.tid:%thread.vtid) %evt.dir %evt.type %evt.info"
	KubernetesFormat = "*%evt.num %evt.outputtime %evt.cpu %k8s.pod.name (%container.id) %proc.name (%thread.tid:%thread.vtid) %evt.dir %evt.type %evt.info"
)
