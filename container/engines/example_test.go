package engines_test

import (
	"fmt"

	"github.com/syscope/syscope/container/engines"
)

func ExampleClients() {
	// Explicit sockets: podman's API socket, and no CRI runtime.
	cl, err := engines.Clients(engines.Config{
		DockerSockets: []string{"/run/podman/podman.sock"},
		CRISockets:    []string{},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range cl {
		fmt.Println(c.Name())
	}
	// Output: docker-api unix:///run/podman/podman.sock
}
