package capture_test

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/syscope/syscope/container"
	"github.com/syscope/syscope/container/capture"
	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/scap"
)

func ExampleRecorder() {
	id := strings.Repeat("ab", 32)
	m := container.NewManager(container.Options{})
	defer m.Close()
	m.Add(&container.Container{ID: id[:12], FullID: id, Type: container.TypeDocker,
		State: container.StateResolved, Name: "web", Image: "nginx:1.27"})

	var buf bytes.Buffer
	w, _ := scap.NewWriter(&buf, nil, nil)
	rec := capture.NewRecorder(w, m, nil)
	rec.Sync(1)               // the capture starts: every known container
	rec.Observe(m.Get(id), 2) // already written: nothing to do
	raw, _ := event.Encode(nil, 3, 42, event.SyscallGetuidE)
	w.WriteEvent(&event.Event{Raw: raw})
	w.Close()
	fmt.Println(rec.Stats().Written)

	// Reading the capture back loads the container into another Manager.
	r, _ := scap.NewReader(&buf)
	m2 := container.NewManager(container.Options{})
	defer m2.Close()
	src := capture.NewSource(r, m2)
	var e event.Event
	for src.Next(&e) == nil {
	}
	fmt.Println(m2.Get(id).Name, m2.Get(id).Image)
	// Output:
	// 1
	// web nginx:1.27
}

func ExampleDecode() {
	c := &container.Container{ID: "605439acbd4f", FullID: "605439acbd4f", Type: container.TypeCRIO,
		State: container.StateResolved, Name: "sleeper", Pod: &container.Pod{Name: "sc-pod", Namespace: "sc-ns"}}
	raw, _ := capture.AppendEvent(nil, c, 1)
	back, err := capture.Decode(&event.Event{Raw: raw})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(back.Type, back.Name, back.Pod.Namespace+"/"+back.Pod.Name)
	// Output: cri-o sleeper sc-ns/sc-pod
}
