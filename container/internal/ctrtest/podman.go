package ctrtest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/syscope/syscope/internal/testenv"
)

// PodmanImage is the image StartPodman builds: busybox, CMD /bin/sh.
const PodmanImage = "localhost/busybox:test"

// Podman is a rootful podman whose storage and configuration live in Dir,
// with "podman system service" serving the Docker-compatible API on Socket.
type Podman struct {
	Dir    string
	Socket string
	Env    []string
	svc    *Daemon
}

// StartPodman installs podman if needed, builds PodmanImage and starts the
// API service. The test's cleanup removes the containers, stops the service
// and deletes Dir.
func StartPodman(t testing.TB) *Podman {
	t.Helper()
	testenv.RequireRoot(t)
	Ensure(t, map[string]string{
		"podman":         "/usr/bin/podman",
		"runc":           "/usr/sbin/runc",
		"conmon":         "/usr/bin/conmon",
		"busybox-static": Busybox,
	})
	if !CgroupExists("libpod_parent") {
		// Registered first, so it runs last: podman leaves its empty
		// cgroup parent behind.
		// conmon may take a moment to exit after its container is gone.
		t.Cleanup(func() {
			WaitFor(context.Background(), 5*time.Second, func() bool {
				RemoveCgroupDir("libpod_parent/conmon", nil)
				return !CgroupExists("libpod_parent")
			})
		})
	}
	dir := WorkDir(t, "syscope-podman-")
	p := &Podman{Dir: dir, Socket: filepath.Join(dir, "podman.sock")}
	for _, d := range []string{"storage", "runroot", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	storage := fmt.Sprintf("[storage]\ndriver = \"overlay\"\ngraphroot = %q\nrunroot = %q\n",
		filepath.Join(dir, "storage"), filepath.Join(dir, "runroot"))
	// No CAP_SYS_RESOURCE: keep rlimits at or below the caller's hard
	// limits. crun rejects hybrid cgroup layouts: use runc. No systemd:
	// cgroupfs and a file events logger.
	conf := fmt.Sprintf(`[containers]
default_ulimits = ["nofile=1024:4096", "nproc=4096:4096"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
tmp_dir = %q
`, filepath.Join(dir, "tmp"))
	write(t, filepath.Join(dir, "storage.conf"), storage)
	write(t, filepath.Join(dir, "containers.conf"), conf)
	p.Env = append(os.Environ(),
		"CONTAINERS_CONF="+filepath.Join(dir, "containers.conf"),
		"CONTAINERS_STORAGE_CONF="+filepath.Join(dir, "storage.conf"))

	// Registered first, so it runs last: remove the images.
	t.Cleanup(func() {
		if _, err := RunErr(p.Env, nil, "podman", "rmi", "-a", "-f"); err != nil {
			t.Logf("podman rmi: %v", err)
		}
	})
	Run(t, p.Env, RootfsTar(t), "podman", "import", "-q",
		"--change", "ENV PATH=/bin", "--change", `CMD ["/bin/sh"]`, "-", PodmanImage)

	p.svc = StartDaemon(t, logPath(dir, "podman-service"), p.Env,
		"podman", "system", "service", "--time=0", "unix://"+p.Socket)
	// Registered after the service, so it runs before the service stops.
	t.Cleanup(func() {
		if _, err := RunErr(p.Env, nil, "podman", "rm", "-a", "-f", "-t", "0"); err != nil {
			t.Logf("podman rm: %v", err)
		}
	})
	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", p.Socket)
	}}}
	defer hc.CloseIdleConnections()
	ok := WaitFor(context.Background(), 30*time.Second, func() bool {
		if p.svc.Exited() {
			return true
		}
		resp, err := hc.Get("http://d/_ping")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	if !ok || p.svc.Exited() {
		t.Fatalf("podman API service not ready: %v\n%s", errNotReady, ReadLog(logPath(dir, "podman-service")))
	}
	return p
}

// Run starts a detached container with "podman run -d --network none" plus
// args and returns its full id.
func (p *Podman) Run(t testing.TB, args ...string) string {
	t.Helper()
	a := append([]string{"run", "-d", "--network", "none"}, args...)
	return Run(t, p.Env, nil, "podman", a...)
}

// Pid returns the host pid of a container's first process.
func (p *Podman) Pid(t testing.TB, id string) int {
	t.Helper()
	s := Run(t, p.Env, nil, "podman", "inspect", "-f", "{{.State.Pid}}", id)
	pid, err := strconv.Atoi(s)
	if err != nil || pid <= 0 {
		t.Fatalf("podman inspect pid of %s: %q", id, s)
	}
	return pid
}

func write(t testing.TB, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}
