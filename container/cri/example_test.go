package cri_test

import (
	"context"
	"fmt"
	"time"

	"github.com/syscope/syscope/container"
	"github.com/syscope/syscope/container/cri"
)

func ExampleNew() {
	// containerd's CRI socket; nothing is listening at this path here.
	c, err := cri.New("/nonexistent/containerd.sock")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	fmt.Println(c.Serves(container.TypeCRI), c.Serves(container.TypeDocker))
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err = c.Inspect(ctx, "605439acbd4f")
	fmt.Println(err != nil)
	// Output:
	// true false
	// true
}
