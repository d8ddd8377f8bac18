package container_test

import (
	"fmt"
	"time"

	"github.com/syscope/syscope/container"
	"github.com/syscope/syscope/container/engines"
)

func ExampleFromCgroups() {
	// The lines of /proc/PID/cgroup of a process in a rootful podman
	// container on a hybrid cgroup v1/v2 host.
	procCgroup := []byte("4:memory:/libpod_parent/libpod-490f66b3b85a0ca943d2451536f2d1a2ebebf6f2ec41730abdb7b263ae8bf19d\n" +
		"0::/libpod_parent/libpod-490f66b3b85a0ca943d2451536f2d1a2ebebf6f2ec41730abdb7b263ae8bf19d\n")
	info := container.FromCgroups(procCgroup)
	fmt.Println(info.Type, info.ID)

	// The cgroups parameter of an execve event on the host.
	fmt.Println(container.FromCgroups([]byte("cpuset=/\x00memory=/user.slice\x00")).ID)
	// Output:
	// podman 490f66b3b85a
	// host
}

func ExampleFromCgroupPath() {
	info := container.FromCgroupPath("/kubepods/besteffort/pod0c8e2f6a-1111-2222-3333-444455556666/" +
		"605439acbd4fb18c145069289094b17f17e0cfa938f78012d4960bc797305f22")
	fmt.Println(info.Type, info.ID)
	// Output: cri 605439acbd4f
}

func ExampleManager() {
	// Clients for the runtime sockets that exist here (none configured:
	// the default paths are probed).
	m, err := engines.NewManager(engines.Config{}, container.Options{Timeout: time.Second})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close()

	info := container.FromCgroupPath("/docker/7951fb549ab99e0722a949b6c121634e1f3a36b5bacbe5392991e3b12251e6b8")
	// Lookup never waits for the runtime: the first answer holds the id.
	c := m.Lookup(info.FullID, info.Type)
	fmt.Println(c.ID, c.Type)
	// Output: 7951fb549ab9 docker
}

func ExampleMarshalSinspJSON() {
	c := &container.Container{
		ID: "605439acbd4f", FullID: "605439acbd4fb18c145069289094b17f17e0cfa938f78012d4960bc797305f22",
		Type: container.TypeContainerd, State: container.StateResolved, Name: "sleeper",
		Pod: &container.Pod{Name: "sc-pod", Namespace: "sc-ns"},
	}
	b, err := container.MarshalSinspJSON(c)
	if err != nil {
		fmt.Println(err)
		return
	}
	back, err := container.ParseSinspJSON(b)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(back.Type, back.Name, back.Pod.Namespace+"/"+back.Pod.Name, back.Labels[container.LabelPodName])
	// Output: containerd sleeper sc-ns/sc-pod sc-pod
}
