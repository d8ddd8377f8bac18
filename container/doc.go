// Package container tells which container a process runs in and what its
// runtime says about that container.
//
// It has two halves:
//
//   - Detection: FromCgroups, FromCgroupPath and FindCgroups read the cgroup
//     paths of a process (the lines of /proc/PID/cgroup, or the "subsys=path"
//     entries of the cgroups parameter of execve/clone events) and return the
//     container id and the kind of runtime that laid out that path: docker,
//     podman, containerd, CRI-O, a Kubernetes pod of unknown runtime, LXC or
//     libvirt-lxc; cgroup v1 and v2, cgroupfs and systemd drivers. A process
//     in no container is on the host (id "host"). Detection is a pure
//     function of its input, never allocates in FindCgroups, and never fails:
//     unknown or malformed paths read as host.
//
//   - Metadata: a Manager keeps a bounded cache of Container records (name,
//     image, labels, privileged flag, mounts, pod...) filled in the
//     background by Clients that talk to container runtimes. Manager.Lookup
//     never blocks: it returns what is cached, possibly only the id, and
//     queues a resolve. The cache, the queue and the failures are bounded and
//     counted (Manager.Stats).
//
// The runtime clients live in subpackages: container/docker speaks the
// Docker-compatible REST API (docker, podman) over a unix socket,
// container/cri speaks the Kubernetes CRI gRPC API (containerd, CRI-O), and
// container/engines probes the usual socket paths and builds the clients.
//
// This package does not know about events, threads or filter fields: the
// state and field packages call it. It does not watch runtime event streams;
// a container is looked up the first time a process in it is seen.
package container
