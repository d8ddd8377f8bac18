package ctrtest

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/syscope/syscope/container"
	"github.com/syscope/syscope/internal/testenv"
)

// Images containerd gets: the busybox image for containers, and the same
// root filesystem with CMD "sleep infinity" as the pod sandbox image.
const (
	CRIImage     = "localhost/busybox:test"
	SandboxImage = "localhost/pause:test"
)

// Containerd is a containerd daemon whose root, state and sockets live in
// Dir, serving CRI on Socket in the "k8s.io" namespace.
type Containerd struct {
	Dir    string
	Socket string
	// Bridge is the bridge pods without host network are attached to
	// (empty without ContainerdOptions.PodSubnet).
	Bridge string
	d      *Daemon
}

// ContainerdOptions configure StartContainerd; nil means the defaults.
type ContainerdOptions struct {
	// PodSubnet, when set, gives pods that do not use the host network a
	// CNI network: a bridge of its own (no gateway, no masquerading, no
	// uplink) and addresses from this subnet (host-local IPAM). Use a
	// loopback range such as 127.100.0.0/24: no traffic leaves the machine.
	PodSubnet string
}

// StartContainerd installs containerd and runc if needed, starts containerd
// with a private configuration and imports CRIImage and SandboxImage. The
// test's cleanup removes every pod sandbox (with its containers), stops
// containerd, deletes the bridge it made and Dir.
func StartContainerd(t testing.TB, o *ContainerdOptions) *Containerd {
	t.Helper()
	testenv.RequireRoot(t)
	if o == nil {
		o = &ContainerdOptions{}
	}
	pkgs := map[string]string{
		"containerd":     "/usr/bin/containerd",
		"runc":           "/usr/sbin/runc",
		"busybox-static": Busybox,
	}
	if o.PodSubnet != "" {
		pkgs["containernetworking-plugins"] = "/usr/lib/cni/bridge"
		pkgs["iproute2"] = "/bin/ip"
	}
	Ensure(t, pkgs)
	dir := WorkDir(t, "syscope-containerd-")
	c := &Containerd{Dir: dir, Socket: filepath.Join(dir, "containerd.sock")}
	for _, d := range []string{"root", "state", "cni", "opt", "runc-root", "ipam"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if o.PodSubnet != "" {
		c.Bridge = fmt.Sprintf("scbr%x", os.Getpid()&0xffffff)
		conflist := fmt.Sprintf(`{"cniVersion": "0.4.0", "name": "syscope-test", "plugins": [
  {"type": "bridge", "bridge": %q, "isGateway": false, "ipMasq": false, "hairpinMode": false,
   "ipam": {"type": "host-local", "ranges": [[{"subnet": %q}]], "dataDir": %q}}]}
`, c.Bridge, o.PodSubnet, filepath.Join(dir, "ipam"))
		write(t, filepath.Join(dir, "cni", "10-syscope.conflist"), conflist)
		// Registered before the daemon, so it runs after the pods are gone.
		t.Cleanup(func() {
			if _, err := os.Stat("/sys/class/net/" + c.Bridge); err == nil {
				if _, err := RunErr(nil, nil, "ip", "link", "del", c.Bridge); err != nil {
					t.Logf("delete bridge %s: %v", c.Bridge, err)
				}
			}
		})
	}
	// restrict_oom_score_adj: without CAP_SYS_RESOURCE the sandbox's
	// oom_score_adj of -998 cannot be set. No systemd: cgroupfs.
	conf := fmt.Sprintf(`version = 2
root = %q
state = %q
[grpc]
  address = %q
[ttrpc]
  address = %q
[plugins]
  [plugins."io.containerd.grpc.v1.cri"]
    sandbox_image = %q
    restrict_oom_score_adj = true
    [plugins."io.containerd.grpc.v1.cri".containerd]
      snapshotter = "overlayfs"
      default_runtime_name = "runc"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
        runtime_type = "io.containerd.runc.v2"
        [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
          SystemdCgroup = false
          Root = %q
    [plugins."io.containerd.grpc.v1.cri".cni]
      bin_dir = "/usr/lib/cni"
      conf_dir = %q
  [plugins."io.containerd.internal.v1.opt"]
    path = %q
`, filepath.Join(dir, "root"), filepath.Join(dir, "state"), c.Socket, c.Socket+".ttrpc",
		SandboxImage, filepath.Join(dir, "runc-root"), filepath.Join(dir, "cni"), filepath.Join(dir, "opt"))
	write(t, filepath.Join(dir, "config.toml"), conf)

	c.d = StartDaemon(t, logPath(dir, "containerd"), os.Environ(), "containerd", "--config", filepath.Join(dir, "config.toml"))
	// Registered after the daemon, so it runs while containerd still runs.
	t.Cleanup(func() { c.removeAll(t) })

	ok := WaitFor(context.Background(), 60*time.Second, func() bool {
		if c.d.Exited() {
			return true
		}
		out, err := RunErr(nil, nil, "ctr", "--address", c.Socket, "plugins", "ls")
		if err != nil {
			return false
		}
		for _, line := range strings.Split(out, "\n") {
			f := strings.Fields(line)
			if len(f) >= 4 && f[1] == "cri" {
				return f[3] == "ok"
			}
		}
		return false
	})
	if !ok || c.d.Exited() {
		t.Fatalf("containerd CRI plugin not ready\n%s", ReadLog(logPath(dir, "containerd")))
	}
	arch := filepath.Join(dir, "images.tar")
	if err := os.WriteFile(arch, DockerArchive(t, map[string][]string{
		CRIImage:     {"/bin/sh"},
		SandboxImage: {"/bin/sleep", "infinity"},
	}), 0o600); err != nil {
		t.Fatal(err)
	}
	Run(t, nil, nil, "ctr", "--address", c.Socket, "-n", "k8s.io", "images", "import", arch)
	return c
}

// Dial returns CRI runtime and image clients on the socket.
func (c *Containerd) Dial(t testing.TB) (runtimeapi.RuntimeServiceClient, runtimeapi.ImageServiceClient) {
	t.Helper()
	conn, err := grpc.NewClient("unix://"+c.Socket, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return runtimeapi.NewRuntimeServiceClient(conn), runtimeapi.NewImageServiceClient(conn)
}

func (c *Containerd) removeAll(t testing.TB) {
	if c.d.Exited() {
		return
	}
	conn, err := grpc.NewClient("unix://"+c.Socket, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return
	}
	defer conn.Close()
	rt := runtimeapi.NewRuntimeServiceClient(conn)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	pods, err := rt.ListPodSandbox(ctx, &runtimeapi.ListPodSandboxRequest{})
	if err != nil {
		t.Logf("cleanup: list pod sandboxes: %v", err)
		return
	}
	for _, p := range pods.GetItems() {
		if _, err := rt.StopPodSandbox(ctx, &runtimeapi.StopPodSandboxRequest{PodSandboxId: p.GetId()}); err != nil {
			t.Logf("cleanup: stop pod %s: %v", p.GetId(), err)
		}
		if _, err := rt.RemovePodSandbox(ctx, &runtimeapi.RemovePodSandboxRequest{PodSandboxId: p.GetId()}); err != nil {
			t.Logf("cleanup: remove pod %s: %v", p.GetId(), err)
		}
	}
}

// DockerArchive builds a "docker save" style archive holding one image per
// entry of images (name -> command), all on the same busybox layer.
func DockerArchive(t testing.TB, images map[string][]string) []byte {
	t.Helper()
	layer := RootfsTar(t)
	ls := sha256.Sum256(layer)
	layerHex := hex.EncodeToString(ls[:])
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	add := func(name string, data []byte) {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, Size: int64(len(data)), ModTime: time.Unix(1700000000, 0)}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	add(layerHex+"/layer.tar", layer)
	type manifest struct {
		Config   string
		RepoTags []string
		Layers   []string
	}
	var ms []manifest
	for name, cmd := range images {
		cfg := map[string]any{
			"architecture": runtime.GOARCH,
			"os":           "linux",
			"created":      "2023-11-14T22:13:20Z",
			"config":       map[string]any{"Env": []string{"PATH=/bin"}, "Cmd": cmd},
			"rootfs":       map[string]any{"type": "layers", "diff_ids": []string{"sha256:" + layerHex}},
		}
		b, err := json.Marshal(cfg)
		if err != nil {
			t.Fatal(err)
		}
		cs := sha256.Sum256(b)
		cfgName := hex.EncodeToString(cs[:]) + ".json"
		add(cfgName, b)
		ms = append(ms, manifest{Config: cfgName, RepoTags: []string{name}, Layers: []string{layerHex + "/layer.tar"}})
	}
	mb, err := json.Marshal(ms)
	if err != nil {
		t.Fatal(err)
	}
	add("manifest.json", mb)
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// RemoveCgroupDir removes the empty directory rel (e.g.
// "kubepods/besteffort/pod<uid>") from every cgroup hierarchy, and its
// parents up to but excluding keep, while they are empty. Errors are
// ignored: a directory still in use stays.
func RemoveCgroupDir(rel string, keep map[string]bool) {
	roots, _ := filepath.Glob("/sys/fs/cgroup/*")
	roots = append(roots, "/sys/fs/cgroup")
	for _, r := range roots {
		for d := rel; d != "." && d != "/" && d != "" && !keep[d]; d = filepath.Dir(d) {
			if err := os.Remove(filepath.Join(r, d)); err != nil && !os.IsNotExist(err) {
				break
			}
		}
	}
}

// CgroupExists reports whether rel exists in any cgroup hierarchy.
func CgroupExists(rel string) bool {
	roots, _ := filepath.Glob("/sys/fs/cgroup/*")
	roots = append(roots, "/sys/fs/cgroup")
	for _, r := range roots {
		if fi, err := os.Stat(filepath.Join(r, rel)); err == nil && fi.IsDir() {
			return true
		}
	}
	return false
}

// TestPodConfig is the sandbox configuration of the tests' CRI pod: pod
// sc-pod in namespace sc-ns with labels app=sctest and tier=backend, a
// last-applied manifest with a sidecar and a sleeper container (liveness
// probe `cat /data/f`, readiness probe the given command), host network,
// its logs below c.Dir and its cgroups below cgParent.
func (c *Containerd) TestPodConfig(uid, cgParent string, readiness []string) *runtimeapi.PodSandboxConfig {
	cmd, _ := json.Marshal(readiness)
	manifest := `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"sc-pod","namespace":"sc-ns"},` +
		`"spec":{"containers":[{"name":"sidecar","image":"localhost/busybox:test"},` +
		`{"name":"sleeper","image":"localhost/busybox:test",` +
		`"livenessProbe":{"exec":{"command":["cat","/data/f"]}},` +
		`"readinessProbe":{"exec":{"command":` + string(cmd) + `}}}]}}`
	return &runtimeapi.PodSandboxConfig{
		Metadata:     &runtimeapi.PodSandboxMetadata{Name: "sc-pod", Namespace: "sc-ns", Uid: uid},
		LogDirectory: filepath.Join(c.Dir, "podlogs"),
		Labels:       map[string]string{"app": "sctest", "tier": "backend"},
		Annotations:  map[string]string{container.LastAppliedAnnotation: manifest},
		Linux: &runtimeapi.LinuxPodSandboxConfig{
			CgroupParent: cgParent,
			SecurityContext: &runtimeapi.LinuxSandboxSecurityContext{
				Privileged:       true,
				NamespaceOptions: &runtimeapi.NamespaceOption{Network: runtimeapi.NamespaceMode_NODE},
			},
		},
	}
}

// InfoPid returns the host pid a CRI runtime reports in the verbose info of
// a container or pod sandbox status.
func InfoPid(t testing.TB, info map[string]string) int {
	t.Helper()
	var v struct {
		Pid int `json:"pid"`
	}
	if err := json.Unmarshal([]byte(info["info"]), &v); err != nil || v.Pid <= 0 {
		t.Fatalf("no pid in verbose info: %v %q", err, info["info"])
	}
	return v.Pid
}

// ContainerPid returns the host pid of a CRI container's first process.
func ContainerPid(t testing.TB, ctx context.Context, rt runtimeapi.RuntimeServiceClient, id string) int {
	t.Helper()
	st, err := rt.ContainerStatus(ctx, &runtimeapi.ContainerStatusRequest{ContainerId: id, Verbose: true})
	if err != nil {
		t.Fatal(err)
	}
	return InfoPid(t, st.GetInfo())
}
