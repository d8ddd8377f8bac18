// Package engines builds the runtime clients of a container.Manager from
// configured socket paths, or from the well-known paths that exist on the
// machine: /var/run/docker.sock and /run/podman/podman.sock (the
// Docker-compatible API), /run/containerd/containerd.sock and
// /run/crio/crio.sock (CRI).
//
// It only probes whether a path is a unix socket; it does not talk to the
// runtimes (the clients connect on their first lookup).
package engines

import (
	"errors"
	"fmt"
	"os"

	"github.com/syscope/syscope/container"
	"github.com/syscope/syscope/container/cri"
	"github.com/syscope/syscope/container/docker"
)

// Config names the runtime sockets. A nil list means "probe the defaults";
// an empty non-nil list means "none of this kind".
type Config struct {
	// DockerSockets are Docker-compatible API sockets (docker, podman).
	DockerSockets []string
	// CRISockets are CRI gRPC sockets (containerd, CRI-O).
	CRISockets []string
}

// IsSocket reports whether path exists and is a unix socket.
func IsSocket(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode()&os.ModeSocket != 0
}

func pick(configured, defaults []string) []string {
	if configured != nil {
		return configured
	}
	var out []string
	for _, p := range defaults {
		if IsSocket(p) {
			out = append(out, p)
		}
	}
	return out
}

// Clients returns one client per socket: the configured ones, else the
// default paths that exist. Docker-API clients come first.
func Clients(cfg Config) ([]container.Client, error) {
	var out []container.Client
	for _, p := range pick(cfg.DockerSockets, docker.DefaultSockets) {
		out = append(out, docker.New(p, nil))
	}
	var errs []error
	for _, p := range pick(cfg.CRISockets, cri.DefaultSockets) {
		c, err := cri.New(p)
		if err != nil {
			errs = append(errs, fmt.Errorf("cri socket %s: %w", p, err))
			continue
		}
		out = append(out, c)
	}
	return out, errors.Join(errs...)
}

// NewManager returns a Manager whose clients are those of cfg (replacing
// opts.Clients), and whose watchers are those of the clients that follow
// their runtime's events (replacing opts.Watchers).
func NewManager(cfg Config, opts container.Options) (*container.Manager, error) {
	cl, err := Clients(cfg)
	if err != nil {
		for _, c := range cl {
			if cc, ok := c.(interface{ Close() error }); ok {
				cc.Close()
			}
		}
		return nil, err
	}
	opts.Clients = cl
	opts.Watchers = nil
	for _, c := range cl {
		if w, ok := c.(container.Watcher); ok {
			opts.Watchers = append(opts.Watchers, w)
		}
	}
	return container.NewManager(opts), nil
}
