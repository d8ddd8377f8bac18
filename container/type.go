package container

import "fmt"

// Type is the kind of container runtime behind a container.
type Type uint8

// Container types. The zero value is TypeUnknown.
const (
	// TypeUnknown is a container whose runtime is not known.
	TypeUnknown Type = iota
	// TypeHost is not a container: the process runs on the host.
	TypeHost
	// TypeDocker is a container run by the Docker engine.
	TypeDocker
	// TypePodman is a container run by podman.
	TypePodman
	// TypeContainerd is a container run by containerd (CRI or not).
	TypeContainerd
	// TypeCRIO is a container run by CRI-O.
	TypeCRIO
	// TypeCRI is a Kubernetes container whose CRI runtime is not known yet
	// (cgroupfs pod layouts look the same for containerd and CRI-O).
	TypeCRI
	// TypeLXC is an LXC container.
	TypeLXC
	// TypeLibvirtLXC is a libvirt-lxc container.
	TypeLibvirtLXC
	numTypes
)

var typeNames = [numTypes]string{
	TypeUnknown:    "",
	TypeHost:       "host",
	TypeDocker:     "docker",
	TypePodman:     "podman",
	TypeContainerd: "containerd",
	TypeCRIO:       "cri-o",
	TypeCRI:        "cri",
	TypeLXC:        "lxc",
	TypeLibvirtLXC: "libvirt-lxc",
}

// String returns the name libsinsp gives the type in container.type
// ("docker", "podman", "containerd", "cri-o", "cri", "lxc", "libvirt-lxc",
// "host"); the empty string for TypeUnknown.
func (t Type) String() string {
	if t >= numTypes {
		return ""
	}
	return typeNames[t]
}

// ParseType returns the Type whose String is s.
func ParseType(s string) (Type, bool) {
	for i, n := range typeNames {
		if n == s && (i != 0 || s == "") {
			return Type(i), true
		}
	}
	return TypeUnknown, false
}

// sinspValues are the numbers libsinsp's sinsp_container_type enum gives
// each type; capture files store them in container events.
var sinspValues = [numTypes]uint16{
	TypeUnknown:    0xffff,
	TypeHost:       0xfffe,
	TypeDocker:     0,
	TypeLXC:        1,
	TypeLibvirtLXC: 2,
	TypeCRI:        6,
	TypeContainerd: 7,
	TypeCRIO:       8,
	TypePodman:     11,
}

// SinspValue returns the number libsinsp uses for the type (CT_DOCKER = 0,
// CT_PODMAN = 11, ...), as stored in the container events of capture files.
func (t Type) SinspValue() uint16 {
	if t >= numTypes {
		return 0xffff
	}
	return sinspValues[t]
}

// TypeFromSinspValue is the inverse of SinspValue. Values syscope has no
// Type for (mesos, rkt, bpm, custom, static) give TypeUnknown and false.
func TypeFromSinspValue(v uint16) (Type, bool) {
	for i, s := range sinspValues {
		if s == v {
			return Type(i), true
		}
	}
	return TypeUnknown, false
}

// IsCRI reports whether containers of this type are reached through the
// Kubernetes CRI API.
func (t Type) IsCRI() bool {
	return t == TypeCRI || t == TypeContainerd || t == TypeCRIO
}

// MarshalText renders the type by name.
func (t Type) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// UnmarshalText parses a type name.
func (t *Type) UnmarshalText(b []byte) error {
	v, ok := ParseType(string(b))
	if !ok {
		return fmt.Errorf("unknown container type %q", b)
	}
	*t = v
	return nil
}
