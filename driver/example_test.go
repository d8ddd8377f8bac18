package driver_test

import (
	"fmt"
	"os"
	"time"

	"github.com/syscope/syscope/driver"
	"github.com/syscope/syscope/event"
)

// Capture the system calls of one process tree for a second and count
// them by type.
func ExampleOpen() {
	src, err := driver.Open(&driver.Options{Pids: []int{os.Getppid()}})
	if err != nil {
		fmt.Println(err)
		return
	}
	time.AfterFunc(time.Second, func() { src.Close() })
	counts := map[string]int{}
	var e event.Event
	for src.Next(&e) == nil {
		counts[e.Type().String()]++
	}
	st := src.Stats()
	fmt.Println(counts, "lost:", st.Lost)
}
