package driver

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/syscope/syscope/internal/testenv"
)

func TestParseRelease(t *testing.T) {
	for _, c := range []struct {
		in       string
		maj, min int
		ok       bool
	}{
		{"6.18.44-fc-v657", 6, 18, true},
		{"5.15.0-91-generic", 5, 15, true},
		{"6.2", 6, 2, true},
		{"4.18.0-513.el8.x86_64", 4, 18, true},
		{"6", 0, 0, false},
		{"x.y", 0, 0, false},
	} {
		maj, min, ok := parseRelease(c.in)
		if ok != c.ok || ok && (maj != c.maj || min != c.min) {
			t.Errorf("%q: %d.%d %v, want %d.%d %v", c.in, maj, min, ok, c.maj, c.min, c.ok)
		}
	}
}

func TestOptions(t *testing.T) {
	o, err := (*Options)(nil).withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if o.Mode != RingPerCPU || o.RingSize != DefaultRingSize || o.Snaplen != DefaultSnaplen || o.ProtoSnaplen != DefaultProtoSnaplen || o.WakeupEvents <= 0 {
		t.Errorf("defaults %+v", o)
	}
	for _, bad := range []Options{
		{RingSize: 3 << 20},
		{RingSize: 1024},
		{Snaplen: MaxSnaplen + 1},
		{Snaplen: -1},
		{ProtoSnaplen: MaxSnaplen + 1},
		{Mode: RingMode(7)},
	} {
		if _, err := bad.withDefaults(); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
	if _, err := syscallSet([]string{"openat", "no_such_syscall"}); err == nil {
		t.Error("unknown syscall accepted")
	}
	set, err := syscallSet([]string{"openat", "read"})
	if err != nil || len(set) != 2 || !set[257] || !set[0] {
		t.Errorf("syscallSet: %v %v", set, err)
	}
}

func TestDropCategoryNames(t *testing.T) {
	seen := map[string]bool{}
	for c := DropCategory(0); c < NumDropCategories; c++ {
		n := c.String()
		if n == "" || seen[n] || strings.HasPrefix(n, "category") {
			t.Errorf("category %d named %q", c, n)
		}
		seen[n] = true
	}
}

// Every syscall the families decode exists on x86_64 and has a dedicated
// event type; no syscall is in two families.
func TestFamilies(t *testing.T) {
	set, err := syscallSet(DecodedSyscalls())
	if err != nil {
		t.Fatal(err)
	}
	if len(set) != len(DecodedSyscalls()) {
		t.Errorf("%d decoded syscalls map to %d numbers: duplicates", len(DecodedSyscalls()), len(set))
	}
	progs := (&Source{}).programs()
	for name := range families {
		if _, ok := progs[name]; !ok {
			t.Errorf("family %s has no program", name)
		}
	}
}

// A program the verifier rejects yields ErrVerifier naming the saved log.
func TestVerifierLogSaved(t *testing.T) {
	testenv.RequireRoot(t)
	dir := t.TempDir()
	_, err := ebpf.NewProgram(&ebpf.ProgramSpec{
		Type: ebpf.SocketFilter,
		Instructions: asm.Instructions{
			asm.LoadMem(asm.R0, asm.R2, 0, asm.DWord), // R2 is not initialised
			asm.Return(),
		},
		License: "MIT",
	})
	if err == nil {
		t.Fatal("the verifier accepted an uninitialised register read")
	}
	lerr := loadError(err, dir)
	if !errors.Is(lerr, ErrVerifier) {
		t.Fatalf("%v is not ErrVerifier", lerr)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 || !strings.Contains(lerr.Error(), ents[0].Name()) {
		t.Fatalf("error %q, files %v", lerr, ents)
	}
	b, _ := os.ReadFile(dir + "/" + ents[0].Name())
	if !strings.Contains(string(b), "R2") {
		t.Errorf("log does not hold the verifier output:\n%s", b)
	}
}
