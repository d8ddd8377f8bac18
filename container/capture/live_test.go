package capture_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/syscope/syscope/container"
	"github.com/syscope/syscope/container/cri"
	"github.com/syscope/syscope/container/docker"
	"github.com/syscope/syscope/container/internal/ctrtest"
	"github.com/syscope/syscope/fields"
	containerfields "github.com/syscope/syscope/fields/container"
	"github.com/syscope/syscope/internal/testenv"
	"github.com/syscope/syscope/scap"
)

// waitPid waits for a process found by find to appear.
func waitPid(t *testing.T, what string, find func() int) int {
	t.Helper()
	var pid int
	ctrtest.WaitFor(context.Background(), 60*time.Second, func() bool {
		pid = find()
		return pid > 0
	})
	if pid == 0 {
		t.Fatalf("%s: process not found", what)
	}
	return pid
}

// waitResolved looks the container of pid up until its metadata arrives.
func waitResolved(t *testing.T, m *container.Manager, md *scap.Metadata, pid int) {
	t.Helper()
	v := newLiveView(t, md, containerfields.NewTracker(m, nil))
	ok := ctrtest.WaitFor(context.Background(), 60*time.Second, func() bool {
		return v.get(pid, "container.name") != "<NA>"
	})
	if !ok {
		_, rec := v.tr.Container(v.st.Thread(int64(pid)))
		t.Fatalf("container of pid %d not resolved: %+v; manager %+v", pid, rec, m.Stats())
	}
}

// hostPids returns pids of processes of this test (host processes).
func hostPids() []int { return []int{os.Getpid()} }

func TestPodmanLiveFields(t *testing.T) {
	p := ctrtest.StartPodman(t)
	hostdir := filepath.Join(p.Dir, "hostdir")
	if err := os.MkdirAll(hostdir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(hostdir, "f"), []byte("hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	const health = "sleep 20; true"
	plainID := p.Run(t, "--name", "sc-plain", "--label", "app=sctest", "--label", "tier=test",
		"--health-cmd", health, "--health-timeout", "120s", "-v", hostdir+":/data:ro", ctrtest.PodmanImage, "sleep", "300")
	privID := p.Run(t, "--name", "sc-priv", "--privileged", "--label", "app=priv", ctrtest.PodmanImage, "sleep", "301")

	// Run the health check once (no systemd timers here): podman execs the
	// command in the container, from the host.
	hc := exec.Command("podman", "healthcheck", "run", "sc-plain")
	hc.Env = p.Env
	hc.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := hc.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = hc.Process.Kill()
		_ = hc.Wait()
	})
	// A process started in the container later, from the host.
	ctrtest.Run(t, p.Env, nil, "podman", "exec", "-d", "sc-plain", "sleep", "123")

	plainPid := p.Pid(t, plainID)
	privPid := p.Pid(t, privID)
	probePid := waitPid(t, "health check", func() int { return findPid("/bin/sh -c "+health, plainID) })
	probeKid := waitPid(t, "health check's child", func() int { return childOf(probePid, "sleep 20") })
	execPid := waitPid(t, "exec'd process", func() int { return findPid("sleep 123", plainID) })

	m := container.NewManager(container.Options{Clients: []container.Client{docker.New(p.Socket, nil)}, Timeout: 10 * time.Second})
	defer m.Close()
	md := procMetadata(t)
	for _, pid := range []int{plainPid, privPid} {
		waitResolved(t, m, md, pid)
	}
	v := newLiveView(t, md, containerfields.NewTracker(m, nil))

	imageID := ctrtest.Run(t, p.Env, nil, "podman", "image", "inspect", "-f", "{{.Id}}", ctrtest.PodmanImage)
	common := func(id, name string) map[string]string {
		return map[string]string{
			"container.id": id[:12], "container.full_id": id, "container.name": name, "container.type": "podman",
			"container.image": ctrtest.PodmanImage, "container.image.repository": "localhost/busybox",
			"container.image.tag": "test", "container.image.id": imageID, "k8s.pod.name": "<NA>", "k8s.ns.name": "<NA>",
		}
	}
	plain := common(plainID, "sc-plain")
	for k, val := range map[string]string{
		"container.privileged": "false", "container.label[app]": "sctest", "container.label.tier": "test",
		"container.mount.dest[" + hostdir + "]": "/data", "container.mount.source[/data]": hostdir,
		"container.mount.rdwr[0]": "false", "container.healthcheck": "/bin/sh -c " + health,
		"container.liveness_probe": "NONE", "proc.is_container_healthcheck": "false",
	} {
		plain[k] = val
	}
	v.expect(plainPid, plain)
	if l := v.get(plainPid, "container.labels"); !strings.Contains(l, "app:sctest") || !strings.Contains(l, "tier:test") {
		t.Errorf("container.labels = %q", l)
	}
	if ms := v.get(plainPid, "container.mounts"); !strings.HasPrefix(ms, hostdir+":/data:") || !strings.Contains(ms, ":false:") {
		t.Errorf("container.mounts = %q", ms)
	}
	if ts := v.get(plainPid, "container.start_ts"); ts == "<NA>" || ts == "0" {
		t.Errorf("container.start_ts = %q", ts)
	}

	priv := common(privID, "sc-priv")
	priv["container.privileged"] = "true"
	priv["container.label[app]"] = "priv"
	priv["container.label[tier]"] = "<NA>"
	priv["container.mounts"] = ""
	priv["container.healthcheck"] = "NONE"
	v.expect(privPid, priv)

	// The health check and what it runs are recognised as such; the
	// container's own processes and an exec'd one are not.
	v.expect(probePid, map[string]string{"container.id": plainID[:12], "proc.is_container_healthcheck": "true"})
	v.expect(probeKid, map[string]string{"container.id": plainID[:12], "proc.is_container_healthcheck": "true"})
	v.expect(execPid, map[string]string{"container.name": "sc-plain", "proc.is_container_healthcheck": "false"})

	for _, pid := range hostPids() {
		v.expect(pid, map[string]string{"container.id": "host", "container.name": "host", "container.type": "host",
			"container.privileged": "false", "proc.is_container_healthcheck": "false"})
	}

	// A capture of these processes shows the same fields when replayed.
	tids := []int64{int64(plainPid), int64(privPid), int64(probePid), int64(probeKid), int64(execPid), int64(os.Getpid())}
	data, live := writeCapture(t, md, m, tids, nil, fields.Current, nil)
	checkReplay(t, data, live, fields.Current)
	if s := m.Stats(); s.Resolved < 2 || s.Failed != 0 {
		t.Errorf("manager stats %+v", s)
	}
}

func TestCRILiveFields(t *testing.T) {
	testenv.RequireRoot(t)
	podUID := fmt.Sprintf("5c0e0000-0000-4000-a000-%012d", time.Now().UnixNano()%1e12)
	cgParent := "/kubepods/besteffort/pod" + podUID
	keep := map[string]bool{}
	for _, d := range []string{"kubepods", "kubepods/besteffort"} {
		keep[d] = ctrtest.CgroupExists(d)
	}
	t.Cleanup(func() { ctrtest.RemoveCgroupDir(strings.TrimPrefix(cgParent, "/"), keep) })

	cd := ctrtest.StartContainerd(t, nil)
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
	const readiness = "sleep 20; true"
	podCfg := cd.TestPodConfig(podUID, cgParent, []string{"sh", "-c", readiness})
	runp, err := rt.RunPodSandbox(ctx, &runtimeapi.RunPodSandboxRequest{Config: podCfg})
	if err != nil {
		t.Fatalf("run pod sandbox: %v\n%s", err, ctrtest.ReadLog(filepath.Join(cd.Dir, "containerd.log")))
	}
	podID := runp.GetPodSandboxId()
	start := func(name string, privileged bool, mounts []*runtimeapi.Mount) string {
		cfg := &runtimeapi.ContainerConfig{
			Metadata: &runtimeapi.ContainerMetadata{Name: name},
			Image:    &runtimeapi.ImageSpec{Image: ctrtest.CRIImage},
			Command:  []string{"/bin/sleep", "300"},
			Labels: map[string]string{
				"role":                         name,
				container.LabelPodName:         "sc-pod",
				container.LabelPodNamespace:    "sc-ns",
				container.LabelPodUID:          podUID,
				"io.kubernetes.container.name": name,
			},
			LogPath: name + ".log",
			Mounts:  mounts,
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
	sleeperID := start("sleeper", true, []*runtimeapi.Mount{{ContainerPath: "/data", HostPath: hostdir, Readonly: true}})
	sidecarID := start("sidecar", false, nil)

	// Run the readiness probe as the kubelet would (ExecSync), in the
	// background: it lasts 20 s.
	probeDone := make(chan struct{})
	go func() {
		defer close(probeDone)
		_, _ = rt.ExecSync(ctx, &runtimeapi.ExecSyncRequest{ContainerId: sleeperID, Cmd: []string{"sh", "-c", readiness}, Timeout: 120})
	}()
	t.Cleanup(func() {
		cancel()
		<-probeDone
	})

	pidOf := func(info map[string]string) int { return ctrtest.InfoPid(t, info) }
	ctrPid := func(id string) int { return ctrtest.ContainerPid(t, ctx, rt, id) }
	ps, err := rt.PodSandboxStatus(ctx, &runtimeapi.PodSandboxStatusRequest{PodSandboxId: podID, Verbose: true})
	if err != nil {
		t.Fatal(err)
	}
	sleeperPid, sidecarPid, pausePid := ctrPid(sleeperID), ctrPid(sidecarID), pidOf(ps.GetInfo())
	probePid := waitPid(t, "readiness probe", func() int { return findPid("sh -c "+readiness, sleeperID) })
	probeKid := waitPid(t, "readiness probe's child", func() int { return childOf(probePid, "sleep 20") })

	criClient, err := cri.New(cd.Socket)
	if err != nil {
		t.Fatal(err)
	}
	m := container.NewManager(container.Options{Clients: []container.Client{criClient}, Timeout: 10 * time.Second})
	defer m.Close()
	md := procMetadata(t)
	for _, pid := range []int{sleeperPid, sidecarPid, pausePid} {
		waitResolved(t, m, md, pid)
	}
	v := newLiveView(t, md, containerfields.NewTracker(m, nil))

	pod := map[string]string{
		"k8s.pod.name": "sc-pod", "k8s.ns.name": "sc-ns", "k8s.pod.uid": podUID, "k8s.pod.id": podUID,
		"k8s.pod.label[app]": "sctest", "k8s.pod.label.tier": "backend", "k8s.pod.labels": "app:sctest, tier:backend",
		"k8s.pod.sandbox_id": podID[:12], "k8s.pod.full_sandbox_id": podID, "k8s.pod.ip": "",
		"container.type": "containerd", "container.host_network": "true",
	}
	with := func(extra map[string]string) map[string]string {
		out := map[string]string{}
		for k, val := range pod {
			out[k] = val
		}
		for k, val := range extra {
			out[k] = val
		}
		return out
	}
	v.expect(sleeperPid, with(map[string]string{
		"container.id": sleeperID[:12], "container.full_id": sleeperID, "container.name": "sleeper",
		"container.image": ctrtest.CRIImage, "container.image.repository": "localhost/busybox", "container.image.tag": "test",
		"container.privileged": "true", "container.label[role]": "sleeper", "container.labels": "role:sleeper",
		"container.mount.dest[" + hostdir + "]": "/data", "container.mount.rdwr[0]": "false",
		"container.mount.propagation[0]": "private",
		"container.liveness_probe":       "cat /data/f", "container.readiness_probe": "sh -c " + readiness,
		"container.healthcheck": "NONE", "proc.is_container_readiness_probe": "false",
	}))
	v.expect(sidecarPid, with(map[string]string{
		"container.id": sidecarID[:12], "container.name": "sidecar", "container.privileged": "false",
		"container.label[role]": "sidecar", "container.mounts": "", "container.liveness_probe": "NONE",
	}))
	v.expect(pausePid, with(map[string]string{"container.id": podID[:12], "container.name": "sc-pod"}))
	for _, pid := range []int{probePid, probeKid} {
		v.expect(pid, map[string]string{"container.id": sleeperID[:12], "proc.is_container_readiness_probe": "true",
			"proc.is_container_liveness_probe": "false", "k8s.pod.name": "sc-pod"})
	}
	for _, pid := range hostPids() {
		v.expect(pid, map[string]string{"container.id": "host", "container.name": "host", "k8s.pod.name": "<NA>", "k8s.ns.name": "<NA>"})
	}

	// A capture of these processes shows the same fields when replayed,
	// with syscope and with sysdig 0.29.3.
	tids := []int64{int64(sleeperPid), int64(sidecarPid), int64(pausePid), int64(probePid), int64(probeKid), int64(os.Getpid())}
	for _, compat := range []fields.Compat{fields.Current, fields.Sysdig029} {
		data, live := writeCapture(t, md, m, tids, &scap.WriterOptions{LegacyProcessTail: true}, compat, nil)
		checkReplay(t, data, live, compat)
		if compat != fields.Sysdig029 {
			continue
		}
		if _, err := exec.LookPath("sysdig"); err != nil && !testenv.CI() {
			continue
		}
		file := filepath.Join(t.TempDir(), "cri.scap")
		if err := os.WriteFile(file, data, 0o644); err != nil {
			t.Fatal(err)
		}
		bin := testenv.Tool(t, "sysdig")
		tmpl := "*%evt.num %thread.tid %container.id %container.name %container.type %container.image %container.privileged " +
			"%container.mounts %container.liveness_probe | %container.readiness_probe | %k8s.pod.name %k8s.ns.name %k8s.pod.id " +
			"%k8s.pod.label.app %k8s.pod.labels %proc.is_container_readiness_probe"
		compareLines(t, "live CRI capture", runSysdig(t, bin, file, "-p", tmpl), runSyscope(t, file, tmpl, ""))
		compareLines(t, "live CRI capture -pk", runSysdig(t, bin, file, "-pk"), runSyscope(t, file, containerfields.KubernetesFormat, ""))
	}
	if s := m.Stats(); s.Resolved < 3 || s.Failed != 0 {
		t.Errorf("manager stats %+v", s)
	}
}
