package container_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/syscope/syscope/container"
	"github.com/syscope/syscope/container/cri"
	"github.com/syscope/syscope/container/docker"
	"github.com/syscope/syscope/container/internal/ctrtest"
	"github.com/syscope/syscope/internal/testenv"
)

// detectPid reads the cgroups of a host pid and detects its container.
func detectPid(t *testing.T, pid int) (container.Info, string) {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
	if err != nil {
		t.Fatalf("read cgroups of pid %d: %v", pid, err)
	}
	return container.FromCgroups(b), string(b)
}

// resolved looks a container up until its record is no longer pending.
func resolved(t *testing.T, m *container.Manager, info container.Info) *container.Container {
	t.Helper()
	var c *container.Container
	ok := ctrtest.WaitFor(context.Background(), 60*time.Second, func() bool {
		c = m.Lookup(info.FullID, info.Type)
		return c.State != container.StatePending
	})
	if !ok {
		t.Fatalf("container %s still pending; stats %+v", info.ID, m.Stats())
	}
	if c.State != container.StateResolved {
		t.Fatalf("container %s: state %v (%s); stats %+v", info.ID, c.State, c.Err, m.Stats())
	}
	if b, err := json.Marshal(c); err == nil {
		t.Logf("%s", b)
	}
	return c
}

func TestHostProcessIsHost(t *testing.T) {
	info, raw := detectPid(t, os.Getpid())
	if !info.IsHost() || info.ID != "host" {
		// A test runner inside a container would legitimately see one.
		if !testenv.CI() {
			t.Skipf("this process is not on the host (%+v):\n%s", info, raw)
		}
		t.Fatalf("test process detected as %+v from\n%s", info, raw)
	}
	m := container.NewManager(container.Options{})
	defer m.Close()
	if c := m.Lookup(info.FullID, info.Type); c != container.HostContainer || c.Name != "host" || c.Type != container.TypeHost {
		t.Fatalf("host lookup = %+v", c)
	}
	if s := m.Stats(); s.Lookups != 0 || s.Cached != 0 {
		t.Fatalf("host lookups are counted/cached: %+v", s)
	}
}

func TestPodmanLive(t *testing.T) {
	p := ctrtest.StartPodman(t)
	hostdir := filepath.Join(p.Dir, "hostdir")
	if err := os.MkdirAll(hostdir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(hostdir, "f"), []byte("hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	plainID := p.Run(t, "--name", "sc-plain", "--label", "app=sctest", "--label", "tier=test",
		"--health-cmd", "test -d /", "-v", hostdir+":/data:ro", ctrtest.PodmanImage, "sleep", "300")
	privID := p.Run(t, "--name", "sc-priv", "--privileged", "--label", "app=priv",
		ctrtest.PodmanImage, "sleep", "300")
	imageID := ctrtest.Run(t, p.Env, nil, "podman", "image", "inspect", "-f", "{{.Id}}", ctrtest.PodmanImage)

	m := container.NewManager(container.Options{
		Clients: []container.Client{docker.New(p.Socket, nil)},
		Timeout: 10 * time.Second,
	})
	defer m.Close()

	check := func(t *testing.T, id, name string) *container.Container {
		pid := p.Pid(t, id)
		info, raw := detectPid(t, pid)
		if info.Type != container.TypePodman || info.FullID != id || info.ID != id[:12] {
			t.Fatalf("pid %d in %s detected as %+v from\n%s", pid, id, info, raw)
		}
		first := m.Lookup(info.FullID, info.Type)
		if first.ID != id[:12] || first.FullID != id {
			t.Fatalf("first lookup = %+v", first)
		}
		c := resolved(t, m, info)
		if c.ID != id[:12] || c.FullID != id || c.Type != container.TypePodman || c.Name != name {
			t.Fatalf("resolved ids/type/name = %q %q %v %q", c.ID, c.FullID, c.Type, c.Name)
		}
		if c.Image != ctrtest.PodmanImage || c.ImageRepository != "localhost/busybox" || c.ImageTag != "test" {
			t.Errorf("image = %q repo %q tag %q", c.Image, c.ImageRepository, c.ImageTag)
		}
		if c.ImageID != imageID {
			t.Errorf("image id = %q, want %q", c.ImageID, imageID)
		}
		if !strings.HasPrefix(c.ImageDigest, "sha256:") {
			t.Errorf("image digest = %q", c.ImageDigest)
		}
		if c.CreatedAt.IsZero() || c.StartedAt.IsZero() || c.StartedAt.Before(c.CreatedAt) {
			t.Errorf("created %v started %v", c.CreatedAt, c.StartedAt)
		}
		return c
	}

	t.Run("plain", func(t *testing.T) {
		c := check(t, plainID, "sc-plain")
		if c.Privileged {
			t.Error("plain container reads privileged")
		}
		if c.Label("app") != "sctest" || c.Label("tier") != "test" {
			t.Errorf("labels = %v", c.Labels)
		}
		if len(c.Mounts) != 1 {
			t.Fatalf("mounts = %+v", c.Mounts)
		}
		mt := c.Mounts[0]
		if mt.Source != hostdir || mt.Dest != "/data" || mt.RW || mt.Propagation == "" {
			t.Errorf("mount = %+v", mt)
		}
		if c.HealthCheck.String() != "/bin/sh -c test -d /" {
			t.Errorf("healthcheck = %q", c.HealthCheck.String())
		}
		if c.Pod != nil || c.IP != "" {
			t.Errorf("pod %+v ip %q for a podman container without network", c.Pod, c.IP)
		}
	})
	t.Run("privileged", func(t *testing.T) {
		c := check(t, privID, "sc-priv")
		if !c.Privileged {
			t.Error("privileged container reads unprivileged")
		}
		if c.Label("app") != "priv" || c.Label("tier") != "" {
			t.Errorf("labels = %v", c.Labels)
		}
		if len(c.Mounts) != 0 || c.HealthCheck != nil {
			t.Errorf("mounts %+v healthcheck %v", c.Mounts, c.HealthCheck)
		}
	})
	t.Run("exec process", func(t *testing.T) {
		// A process started later inside the container, found by scanning
		// the host's processes for the container's cgroup.
		// The duration is unique to this test process: other test packages
		// run containers of the same name at the same time.
		dur := strconv.Itoa(100000 + os.Getpid())
		ctrtest.Run(t, p.Env, nil, "podman", "exec", "-d", "sc-plain", "sleep", dur)
		var pid int
		ctrtest.WaitFor(context.Background(), 20*time.Second, func() bool {
			pid = findProc(t, "sleep "+dur)
			return pid > 0
		})
		if pid == 0 {
			t.Fatal("exec'd process not found")
		}
		info, raw := detectPid(t, pid)
		if info.FullID != plainID || info.Type != container.TypePodman {
			t.Fatalf("exec'd pid %d detected as %+v from\n%s", pid, info, raw)
		}
		if c := m.Lookup(info.FullID, info.Type); c.Name != "sc-plain" || c.State != container.StateResolved {
			t.Fatalf("exec'd process's container = %+v", c)
		}
	})
	t.Run("unknown id", func(t *testing.T) {
		id := strings.Repeat("ab", 32)
		info := container.FromCgroupPath("/libpod_parent/libpod-" + id)
		var c *container.Container
		ctrtest.WaitFor(context.Background(), 30*time.Second, func() bool {
			c = m.Lookup(info.FullID, info.Type)
			return c.State != container.StatePending
		})
		if c.State != container.StateNotFound || c.Name != "" || c.ID != id[:12] {
			t.Fatalf("unknown container = %+v", c)
		}
	})
	s := m.Stats()
	if s.Resolved < 2 || s.NotFound < 1 || s.Failed != 0 || s.Dropped != 0 {
		t.Errorf("stats = %+v", s)
	}
}

// podAddr returns the IPv4 address of eth0 in the network namespace of pid.
func podAddr(t *testing.T, pid int) string {
	t.Helper()
	out := ctrtest.Run(t, nil, nil, "nsenter", "-t", strconv.Itoa(pid), "-n", "ip", "-4", "-o", "addr", "show", "dev", "eth0")
	f := strings.Fields(out)
	for i := range f {
		if f[i] == "inet" && i+1 < len(f) {
			addr, _, _ := strings.Cut(f[i+1], "/")
			return addr
		}
	}
	t.Fatalf("no inet address in %q", out)
	return ""
}

// findProc returns the pid of a process whose command line is cmdline
// (arguments joined by spaces), or 0.
func findProc(t *testing.T, cmdline string) int {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err != nil {
			continue
		}
		if strings.TrimRight(strings.ReplaceAll(string(b), "\x00", " "), " ") == cmdline {
			return pid
		}
	}
	return 0
}

func TestCRILive(t *testing.T) {
	testenv.RequireRoot(t)
	podUID := fmt.Sprintf("5c0e0000-0000-4000-8000-%012d", time.Now().UnixNano()%1e12)
	netPodUID := fmt.Sprintf("5c0e0000-0000-4000-9000-%012d", time.Now().UnixNano()%1e12)
	cgParent := "/kubepods/besteffort/pod" + podUID
	netCgParent := "/kubepods/besteffort/pod" + netPodUID
	keep := map[string]bool{}
	for _, d := range []string{"kubepods", "kubepods/besteffort"} {
		keep[d] = ctrtest.CgroupExists(d)
	}
	// Registered before containerd starts, so it runs after the pods are gone.
	t.Cleanup(func() {
		ctrtest.RemoveCgroupDir(strings.TrimPrefix(cgParent, "/"), keep)
		ctrtest.RemoveCgroupDir(strings.TrimPrefix(netCgParent, "/"), keep)
	})

	// Pods off the host network get addresses from a loopback range on a
	// bridge of their own: nothing leaves the machine.
	const podSubnet = "127.100.0.0/24"
	cd := ctrtest.StartContainerd(t, &ctrtest.ContainerdOptions{PodSubnet: podSubnet})
	rt, _ := cd.Dial(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	hostdir := filepath.Join(cd.Dir, "hostdir")
	for _, d := range []string{hostdir, filepath.Join(cd.Dir, "podlogs")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(hostdir, "f"), []byte("hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	podCfg := cd.TestPodConfig(podUID, cgParent, []string{"test", "-f", "/data/f"})
	runp, err := rt.RunPodSandbox(ctx, &runtimeapi.RunPodSandboxRequest{Config: podCfg})
	if err != nil {
		t.Fatalf("run pod sandbox: %v\n%s", err, ctrtest.ReadLog(filepath.Join(cd.Dir, "containerd.log")))
	}
	podID := runp.GetPodSandboxId()

	start := func(podID string, podCfg *runtimeapi.PodSandboxConfig, name string, privileged bool, mounts []*runtimeapi.Mount) string {
		cfg := &runtimeapi.ContainerConfig{
			Metadata: &runtimeapi.ContainerMetadata{Name: name},
			Image:    &runtimeapi.ImageSpec{Image: ctrtest.CRIImage},
			Command:  []string{"/bin/sleep", "300"},
			Labels: map[string]string{
				"role":                         name,
				"io.kubernetes.pod.name":       podCfg.Metadata.Name,
				"io.kubernetes.pod.namespace":  podCfg.Metadata.Namespace,
				"io.kubernetes.container.name": name,
			},
			Annotations: map[string]string{"team": "tests"},
			LogPath:     name + ".log",
			Mounts:      mounts,
			Linux: &runtimeapi.LinuxContainerConfig{
				SecurityContext: &runtimeapi.LinuxContainerSecurityContext{Privileged: privileged},
			},
		}
		cr, err := rt.CreateContainer(ctx, &runtimeapi.CreateContainerRequest{PodSandboxId: podID, Config: cfg, SandboxConfig: podCfg})
		if err != nil {
			t.Fatalf("create container %s: %v", name, err)
		}
		if _, err := rt.StartContainer(ctx, &runtimeapi.StartContainerRequest{ContainerId: cr.GetContainerId()}); err != nil {
			t.Fatalf("start container %s: %v", name, err)
		}
		return cr.GetContainerId()
	}
	sleeperID := start(podID, podCfg, "sleeper", true, []*runtimeapi.Mount{{ContainerPath: "/data", HostPath: hostdir, Readonly: true}})
	sidecarID := start(podID, podCfg, "sidecar", false, nil)

	netPodCfg := &runtimeapi.PodSandboxConfig{
		Metadata:     &runtimeapi.PodSandboxMetadata{Name: "sc-netpod", Namespace: "sc-net", Uid: netPodUID},
		LogDirectory: filepath.Join(cd.Dir, "podlogs"),
		Labels:       map[string]string{"app": "net"},
		Linux:        &runtimeapi.LinuxPodSandboxConfig{CgroupParent: netCgParent},
	}
	netp, err := rt.RunPodSandbox(ctx, &runtimeapi.RunPodSandboxRequest{Config: netPodCfg})
	if err != nil {
		t.Fatalf("run pod sandbox with a CNI network: %v\n%s", err, ctrtest.ReadLog(filepath.Join(cd.Dir, "containerd.log")))
	}
	netPodID := netp.GetPodSandboxId()
	netCtrID := start(netPodID, netPodCfg, "netctr", false, nil)

	pidOf := func(info map[string]string) int { return ctrtest.InfoPid(t, info) }
	ctrPid := func(id string) int { return ctrtest.ContainerPid(t, ctx, rt, id) }

	criClient, err := cri.New(cd.Socket)
	if err != nil {
		t.Fatal(err)
	}
	m := container.NewManager(container.Options{Clients: []container.Client{criClient}, Timeout: 10 * time.Second})
	defer m.Close()

	checkPod := func(t *testing.T, c *container.Container) {
		if c.Pod == nil {
			t.Fatal("no pod")
		}
		pd := c.Pod
		if pd.Name != "sc-pod" || pd.Namespace != "sc-ns" || pd.UID != podUID || pd.SandboxID != podID {
			t.Errorf("pod = %+v", pd)
		}
		if pd.Labels["app"] != "sctest" || pd.Labels["tier"] != "backend" {
			t.Errorf("pod labels = %v", pd.Labels)
		}
		if !c.HostNetwork || pd.IP != "" || c.IP != "" {
			t.Errorf("host network %v, pod ip %q, ip %q", c.HostNetwork, pd.IP, c.IP)
		}
	}

	t.Run("privileged container with mount", func(t *testing.T) {
		pid := ctrPid(sleeperID)
		info, raw := detectPid(t, pid)
		if info.Type != container.TypeCRI || info.FullID != sleeperID || info.ID != sleeperID[:12] {
			t.Fatalf("pid %d detected as %+v from\n%s", pid, info, raw)
		}
		if !strings.Contains(raw, cgParent+"/"+sleeperID) {
			t.Errorf("cgroups do not hold %s/%s:\n%s", cgParent, sleeperID, raw)
		}
		c := resolved(t, m, info)
		if c.Type != container.TypeContainerd || c.Name != "sleeper" || c.IsPodSandbox {
			t.Errorf("type %v name %q sandbox %v", c.Type, c.Name, c.IsPodSandbox)
		}
		if c.Image != ctrtest.CRIImage || c.ImageRepository != "localhost/busybox" || c.ImageTag != "test" || c.ImageID == "" {
			t.Errorf("image %q repo %q tag %q id %q", c.Image, c.ImageRepository, c.ImageTag, c.ImageID)
		}
		if !c.Privileged {
			t.Error("privileged container reads unprivileged")
		}
		if c.Label("role") != "sleeper" || c.Label("io.kubernetes.pod.namespace") != "sc-ns" {
			t.Errorf("labels = %v", c.Labels)
		}
		if len(c.Mounts) != 1 || c.Mounts[0].Source != hostdir || c.Mounts[0].Dest != "/data" || c.Mounts[0].RW || c.Mounts[0].Propagation != "private" {
			t.Errorf("mounts = %+v", c.Mounts)
		}
		if c.LivenessProbe.String() != "cat /data/f" || c.ReadinessProbe.String() != "test -f /data/f" {
			t.Errorf("probes = %q / %q", c.LivenessProbe.String(), c.ReadinessProbe.String())
		}
		if c.CreatedAt.IsZero() || c.StartedAt.IsZero() {
			t.Errorf("created %v started %v", c.CreatedAt, c.StartedAt)
		}
		checkPod(t, c)
	})
	t.Run("unprivileged container", func(t *testing.T) {
		info, raw := detectPid(t, ctrPid(sidecarID))
		if info.FullID != sidecarID {
			t.Fatalf("detected %+v from\n%s", info, raw)
		}
		c := resolved(t, m, info)
		if c.Name != "sidecar" || c.Privileged || len(c.Mounts) != 0 || c.Label("role") != "sidecar" {
			t.Errorf("sidecar = name %q privileged %v mounts %+v labels %v", c.Name, c.Privileged, c.Mounts, c.Labels)
		}
		if c.LivenessProbe != nil || c.ReadinessProbe != nil {
			t.Errorf("sidecar has probes %v %v", c.LivenessProbe, c.ReadinessProbe)
		}
		checkPod(t, c)
	})
	t.Run("pod sandbox", func(t *testing.T) {
		ps, err := rt.PodSandboxStatus(ctx, &runtimeapi.PodSandboxStatusRequest{PodSandboxId: podID, Verbose: true})
		if err != nil {
			t.Fatal(err)
		}
		info, raw := detectPid(t, pidOf(ps.GetInfo()))
		if info.FullID != podID || info.Type != container.TypeCRI {
			t.Fatalf("sandbox detected as %+v from\n%s", info, raw)
		}
		c := resolved(t, m, info)
		if !c.IsPodSandbox || c.Name != "sc-pod" || c.Label("app") != "sctest" {
			t.Errorf("sandbox = %+v", c)
		}
		checkPod(t, c)
	})
	t.Run("pod network", func(t *testing.T) {
		info, raw := detectPid(t, ctrPid(netCtrID))
		if info.FullID != netCtrID || info.Type != container.TypeCRI || !strings.Contains(raw, netCgParent+"/"+netCtrID) {
			t.Fatalf("detected %+v from\n%s", info, raw)
		}
		c := resolved(t, m, info)
		// The address the runtime reports, checked against the pod's own
		// network namespace.
		want := podAddr(t, ctrPid(netCtrID))
		if !strings.HasPrefix(want, "127.100.0.") {
			t.Fatalf("eth0 address in the pod = %q", want)
		}
		if c.Name != "netctr" || c.HostNetwork || c.Pod == nil || c.Pod.Name != "sc-netpod" || c.Pod.Namespace != "sc-net" {
			t.Fatalf("container = %+v", c)
		}
		if c.Pod.IP != want || c.IP != want {
			t.Errorf("pod ip %q, container ip %q, want %q", c.Pod.IP, c.IP, want)
		}
		var cni map[string]map[string]any
		if err := json.Unmarshal([]byte(c.Pod.CNIJSON), &cni); err != nil {
			t.Fatalf("cni json %q: %v", c.Pod.CNIJSON, err)
		}
		eth0 := cni["eth0"]
		if eth0 == nil || cni["lo"] != nil || eth0["Mac"] != nil || eth0["Sandbox"] != nil || !strings.Contains(c.Pod.CNIJSON, want) {
			t.Errorf("cni json = %s", c.Pod.CNIJSON)
		}
		if c.CNIJSON != c.Pod.CNIJSON {
			t.Error("container cni json differs from the pod's")
		}
	})
	if s := m.Stats(); s.Resolved != 4 || s.Failed != 0 || s.Dropped != 0 {
		t.Errorf("stats = %+v", s)
	}
}
