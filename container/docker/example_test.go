package docker_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/syscope/syscope/container"
	"github.com/syscope/syscope/container/docker"
)

func ExampleNew() {
	// A podman API socket; nothing is listening at this path here.
	c := docker.New(filepath.Join("/nonexistent", "podman.sock"), &docker.Options{Type: container.TypePodman})
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err := c.Inspect(ctx, "490f66b3b85a")
	fmt.Println(err != nil, errors.Is(err, container.ErrNotFound))
	// Output: true false
}

// A Manager that follows the runtime's events resolves each container when
// it is created, before its first process runs.
func ExampleClient_Watch() {
	c := docker.New("/run/podman/podman.sock", nil)
	m := container.NewManager(container.Options{
		Clients:  []container.Client{c},
		Watchers: []container.Watcher{c},
	})
	defer m.Close()
	// ... events of new containers find their records resolved:
	// m.Lookup(id, container.TypePodman).Privileged
}
