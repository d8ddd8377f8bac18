package driver

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/internal/testenv"
)

func init() {
	workloads["proto"] = protoWorkload
}

// HTTP-looking and other payloads of the proto workload, longer than the
// protocol snaplen.
var (
	protoRequest  = payload("GET /syscope HTTP/1.1\r\nHost: example.test\r\n\r\n", 2500)
	protoResponse = payload("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n", 2500)
	protoOther    = payload("\x16\x03\x01\x02\x00", 2500)
)

// payload is head followed by distinct filler bytes, n bytes in all.
func payload(head string, n int) []byte {
	b := []byte(head)
	for i := len(b); i < n; i++ {
		b = append(b, 'a'+byte(i%26))
	}
	return b
}

// protoWorkload sends the payloads over a unix stream socket pair with
// each of the I/O calls (write/read, sendto/recvfrom, writev/readv,
// sendmsg/recvmsg), and writes the request to a file.
func protoWorkload(args []string) error {
	runtime.LockOSThread()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		return err
	}
	a, b := fds[0], fds[1]
	say("a", a)
	say("b", b)
	buf := make([]byte, 8192)
	full := func(fd int, n int) error {
		for got := 0; got < n; {
			m, err := unix.Read(fd, buf)
			if err != nil {
				return err
			}
			got += m
		}
		return nil
	}
	// write/read: request, response the other way, other data.
	for _, x := range []struct {
		from, to int
		p        []byte
	}{{a, b, protoRequest}, {b, a, protoResponse}, {a, b, protoOther}} {
		if _, err := unix.Write(x.from, x.p); err != nil {
			return err
		}
		if err := full(x.to, len(x.p)); err != nil {
			return err
		}
	}
	// sendto/recvfrom.
	if err := unix.Sendto(a, protoRequest, 0, nil); err != nil {
		return err
	}
	if n, _, err := unix.Recvfrom(b, buf, 0); err != nil || n != len(protoRequest) {
		return fmt.Errorf("recvfrom: %d, %v", n, err)
	}
	// writev/readv, the data spread over several buffers.
	if _, err := unix.Writev(a, [][]byte{protoRequest[:3], protoRequest[3:1000], protoRequest[1000:]}); err != nil {
		return err
	}
	if n, err := unix.Readv(b, [][]byte{buf[:2], buf[2:1500], buf[1500:4000]}); err != nil || n != len(protoRequest) {
		return fmt.Errorf("readv: %d, %v", n, err)
	}
	// sendmsg/recvmsg.
	if _, err := unix.SendmsgBuffers(a, [][]byte{protoRequest[:10], protoRequest[10:]}, nil, nil, 0); err != nil {
		return err
	}
	if n, _, _, _, err := unix.RecvmsgBuffers(b, [][]byte{buf[:100], buf[100:4000]}, nil, 0); err != nil || n != len(protoRequest) {
		return fmt.Errorf("recvmsg: %d, %v", n, err)
	}
	// A file is not a socket.
	f, err := os.Create(filepath.Join(args[0], "request"))
	if err != nil {
		return err
	}
	defer f.Close()
	say("file", f.Fd())
	if _, err := unix.Write(int(f.Fd()), protoRequest); err != nil {
		return err
	}
	return nil
}

// TestProtoSnaplen checks the I/O data captured for HTTP on sockets: up to
// the protocol snaplen with every I/O call, on both the in-place and the
// scratch-buffer path, the snaplen for other data and for files, and the
// snaplen everywhere when the protocol snaplen is off.
func TestProtoSnaplen(t *testing.T) {
	for _, tc := range []struct {
		snaplen, proto int
		want           int // bytes of HTTP data on sockets
	}{
		{0, 0, DefaultProtoSnaplen},    // defaults: 80, 2000
		{1000, 0, DefaultProtoSnaplen}, // above the in-place limit
		{0, 300, 300},
		{0, -1, DefaultSnaplen}, // off
	} {
		t.Run(fmt.Sprintf("snaplen=%d,proto=%d", tc.snaplen, tc.proto), func(t *testing.T) {
			testenv.RequireRoot(t)
			c := startChild(t, "proto", t.TempDir())
			r := record(t, &Options{Pids: []int{c.pid()}, Snaplen: tc.snaplen, ProtoSnaplen: tc.proto})
			out := kv(t, c.run(t))
			pid := int64(c.pid())
			r.waitFor("procexit of the workload", func(e *ev) bool {
				return e.Type() == event.ProcexitV1E && e.Tid() == pid
			})
			evs := r.stop()
			snaplen := tc.snaplen
			if snaplen == 0 {
				snaplen = DefaultSnaplen
			}
			a, b, file := atoi(t, out, "a"), atoi(t, out, "b"), atoi(t, out, "file")
			check := func(name string, fd int64, p []byte, n int) {
				t.Helper()
				for _, e := range find(evs, name, event.Exit, func(e *ev) bool { return e.Tid() == pid && e.i64(t, "fd") == fd }) {
					got := e.p(t, "data")
					if !bytes.HasPrefix(got, p[:4]) {
						continue // another payload
					}
					if !bytes.Equal(got, p[:n]) {
						t.Errorf("%s on fd %d: %d bytes of data (%q...), want the first %d", name, fd, len(got), got[:min(len(got), 16)], n)
					}
					return
				}
				t.Errorf("no %s event on fd %d with data starting %q", name, fd, p[:4])
			}
			check("write", a, protoRequest, tc.want)
			check("read", b, protoRequest, tc.want)
			check("write", b, protoResponse, tc.want)
			check("read", a, protoResponse, tc.want)
			check("write", a, protoOther, snaplen)
			check("read", b, protoOther, snaplen)
			for _, pair := range [][2]string{{"sendto", "recvfrom"}, {"writev", "readv"}, {"sendmsg", "recvmsg"}} {
				check(pair[0], a, protoRequest, tc.want)
				check(pair[1], b, protoRequest, tc.want)
			}
			check("write", file, protoRequest, snaplen)
		})
	}
}
