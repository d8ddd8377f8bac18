package testenv

import (
	"net"
	"path/filepath"
	"sync"
	"testing"
)

// HangingSocket listens on a unix socket in a temporary directory, accepts
// connections and never answers: a runtime that has stopped responding.
// accepted receives one value per accepted connection (up to 1024 buffered).
// Everything is closed when the test ends.
func HangingSocket(t testing.TB) (path string, accepted <-chan struct{}) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "hang.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	ch := make(chan struct{}, 1024)
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			select {
			case ch <- struct{}{}:
			default:
			}
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	return path, ch
}
