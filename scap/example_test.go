package scap_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/scap"
)

// closeEnter builds a close enter event (one fd parameter) in the wire
// layout.
func closeEnter(ts uint64, tid int64, fd int64) []byte {
	b := make([]byte, event.HeaderLen+2+8)
	binary.LittleEndian.PutUint64(b[0:], ts)
	binary.LittleEndian.PutUint64(b[8:], uint64(tid))
	binary.LittleEndian.PutUint32(b[16:], uint32(len(b)))
	binary.LittleEndian.PutUint16(b[20:], uint16(event.SyscallCloseE))
	binary.LittleEndian.PutUint32(b[22:], 1)
	binary.LittleEndian.PutUint16(b[26:], 8)
	binary.LittleEndian.PutUint64(b[28:], uint64(fd))
	return b
}

func ExampleNewWriter() {
	md := &scap.Metadata{
		Machine:   &scap.MachineInfo{NumCPUs: 2, Hostname: "example"},
		Processes: []scap.Process{scap.NewProcess(100)},
	}
	md.Processes[0].Comm = "cat"
	md.Processes[0].FDs = []scap.FD{{Num: 3, Type: scap.FDFile, Name: "/etc/hosts"}}

	var buf bytes.Buffer
	w, err := scap.NewWriter(&buf, md, &scap.WriterOptions{Compress: true})
	if err != nil {
		panic(err)
	}
	e := event.Event{Raw: closeEnter(1_000_000_000, 100, 3), CPU: 1}
	if err := w.WriteEvent(&e); err != nil {
		panic(err)
	}
	if err := w.Close(); err != nil {
		panic(err)
	}

	r, err := scap.NewReader(&buf)
	if err != nil {
		panic(err)
	}
	p := r.Metadata().Process(100)
	fmt.Println(r.Metadata().Machine.Hostname, p.Comm, p.FDs[0].Name)
	if err := r.Next(&e); err != nil {
		panic(err)
	}
	fmt.Println(e.Num, e.CPU, e.Type(), e.Tid())
	// Output:
	// example cat /etc/hosts
	// 1 1 close 100
}

func ExampleOpen() {
	path := filepath.Join(os.TempDir(), "scap-example-open.scap")
	defer os.Remove(path)
	w, err := scap.Create(path, nil, nil)
	if err != nil {
		panic(err)
	}
	for i := 0; i < 3; i++ {
		e := event.Event{Raw: closeEnter(uint64(i), 7, int64(i))}
		if err := w.WriteEvent(&e); err != nil {
			panic(err)
		}
	}
	if err := w.Close(); err != nil {
		panic(err)
	}

	r, err := scap.Open(path)
	if err != nil {
		panic(err)
	}
	defer r.Close()
	var e event.Event
	for {
		err := r.Next(&e)
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println(err) // scap: block at offset N: ...
			return
		}
		fd, _ := e.Int(0)
		fmt.Println(e.Num, e.Type(), fd)
	}
	// Output:
	// 1 close 0
	// 2 close 1
	// 3 close 2
}

func ExampleReader_Next_error() {
	var buf bytes.Buffer
	w, _ := scap.NewWriter(&buf, nil, nil)
	e := event.Event{Raw: closeEnter(1, 1, 3)}
	w.WriteEvent(&e)
	w.WriteEvent(&e)
	w.Close()
	data := buf.Bytes()[:buf.Len()-5] // cut the last block

	r, err := scap.NewReader(bytes.NewReader(data))
	if err != nil {
		panic(err)
	}
	for {
		if err := r.Next(&e); err != nil {
			fmt.Println(err)
			break
		}
		fmt.Println("event", e.Num)
	}
	// Output:
	// event 1
	// scap: block at offset 80: truncated: event block needs 52 bytes, the stream has 47
}

func ExampleParseOptions() {
	// A pcapng comment option, then the end of options.
	b := []byte{1, 0, 5, 0, 'h', 'e', 'l', 'l', 'o', 0, 0, 0, 0, 0, 0, 0}
	opts, err := scap.ParseOptions(b)
	fmt.Println(len(opts), opts[0].Code == scap.OptComment, string(opts[0].Value), err)
	// Output: 1 true hello <nil>
}
