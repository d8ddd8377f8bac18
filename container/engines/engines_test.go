package engines

import (
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/syscope/syscope/container"
)

func TestClients(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "x.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	file := filepath.Join(dir, "plain")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if !IsSocket(sock) || IsSocket(file) || IsSocket(filepath.Join(dir, "absent")) {
		t.Fatal("IsSocket")
	}
	cl, err := Clients(Config{DockerSockets: []string{sock}, CRISockets: []string{sock}})
	if err != nil || len(cl) != 2 {
		t.Fatalf("clients %v, %v", cl, err)
	}
	if !cl[0].Serves(container.TypePodman) || !cl[1].Serves(container.TypeCRI) {
		t.Errorf("client order: %s, %s", cl[0].Name(), cl[1].Name())
	}
	// Empty lists: no clients, defaults not probed.
	cl, err = Clients(Config{DockerSockets: []string{}, CRISockets: []string{}})
	if err != nil || len(cl) != 0 {
		t.Fatalf("clients %v, %v", cl, err)
	}
	if got := pick(nil, []string{file, sock, filepath.Join(dir, "absent")}); len(got) != 1 || got[0] != sock {
		t.Errorf("pick = %v", got)
	}
	m, err := NewManager(Config{DockerSockets: []string{sock}, CRISockets: []string{}}, container.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
}
