package capture_test

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/syscope/syscope/container/capture"
	"github.com/syscope/syscope/fields"
	containerfields "github.com/syscope/syscope/fields/container"
	"github.com/syscope/syscope/format"
	"github.com/syscope/syscope/inspect"
	"github.com/syscope/syscope/internal/testenv"
	"github.com/syscope/syscope/scap"
)

// runSysdig prints the capture with sysdig -r and the given arguments.
func runSysdig(t *testing.T, bin, file string, args ...string) []string {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"-r", file}, args...)...)
	cmd.Env = append(os.Environ(), "TZ=UTC")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("sysdig %v: %v\n%s", args, err, errb.String())
	}
	return strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
}

// runSyscope prints the capture as syscope does with sysdig's semantics:
// its container events loaded into a client-less Manager, container and
// other internal events not printed (as sysdig does), filter applied.
func runSyscope(t *testing.T, file, tmpl, filterText string) []string {
	t.Helper()
	r, err := scap.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	m := newManager(t)
	in, err := inspect.New(capture.NewSource(r, m), &inspect.Options{Compat: fields.Sysdig029, Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	containerfields.NewTracker(m, nil).Attach(in.Env())
	if err := in.SetFilter(filterText); err != nil {
		t.Fatal(err)
	}
	f, err := format.New(tmpl, in.Resolver(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for {
		c, err := in.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if capture.IsContainerEvent(c.Evt.Type()) || inspect.Hidden(c) {
			continue
		}
		b, ok := f.Append(nil, c)
		if ok || !f.RequireAll() {
			lines = append(lines, string(b))
		}
	}
	return lines
}

func compareLines(t *testing.T, what string, sysdig, syscope []string) {
	t.Helper()
	if len(sysdig) != len(syscope) {
		t.Errorf("%s: sysdig printed %d lines, syscope %d\nsysdig:\n%s\nsyscope:\n%s", what, len(sysdig), len(syscope),
			strings.Join(sysdig, "\n"), strings.Join(syscope, "\n"))
		return
	}
	for i := range sysdig {
		if sysdig[i] != syscope[i] {
			t.Errorf("%s line %d:\nsysdig  %q\nsyscope %q", what, i+1, sysdig[i], syscope[i])
		}
	}
}

// Sysdig 0.29.3 reads the container events syscope writes and shows the
// same container and k8s fields syscope shows for the same capture.
func TestSysdigReadsContainerEvents(t *testing.T) {
	bin := testenv.Tool(t, "sysdig")
	s := newScenario(t)
	data, _ := s.write(t, &scap.WriterOptions{LegacyProcessTail: true}, fields.Sysdig029, nil)
	file := filepath.Join(t.TempDir(), "containers.scap")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}

	// The fields both know. (k8s.pod.label takes its argument after a dot
	// in sysdig 0.29.3.)
	tmpl := "*%evt.num %thread.tid %proc.name %evt.type | %container.id %container.name %container.image " +
		"%container.image.id %container.image.repository %container.image.tag %container.image.digest " +
		"%container.privileged %container.mounts %container.mount[0] %container.mount.dest[/srv/data] " +
		"%container.mount.source[/data] %container.mount.mode[1] %container.mount.rdwr[0] %container.mount.propagation[/srv/*] " +
		"| %container.healthcheck | %container.liveness_probe | %container.readiness_probe " +
		"| %k8s.pod.name %k8s.ns.name %k8s.pod.id %k8s.pod.label.app %k8s.pod.label.tier | %k8s.pod.labels " +
		"| %proc.is_container_healthcheck %proc.is_container_liveness_probe %proc.is_container_readiness_probe"
	sd := runSysdig(t, bin, file, "-p", tmpl)
	sc := runSyscope(t, file, tmpl, "")
	compareLines(t, "fields", sd, sc)
	if len(sd) != 2*len(s.tids) {
		t.Fatalf("sysdig printed %d events, want %d", len(sd), 2*len(s.tids))
	}

	// container.type: sysdig 0.29.3 has no name for podman's type (it
	// prints whatever it printed last), so podman is left out.
	filterText := "container.id != 9f9f9f9f9f9f"
	compareLines(t, "container.type", runSysdig(t, bin, file, "-p", "*%evt.num %container.type", filterText),
		runSyscope(t, file, "*%evt.num %container.type", filterText))

	// Filters on container fields select the same events.
	for _, f := range []string{
		"container.id != host", "container.privileged = true", "k8s.ns.name = sc-ns",
		"container.image.repository = localhost/busybox", "container.mount.dest[/srv/data] = /data",
		"k8s.pod.label.app = sctest", "container.name = sc-pod",
	} {
		compareLines(t, f, runSysdig(t, bin, file, "-p", "%evt.num", f), runSyscope(t, file, "%evt.num", f))
	}

	// sysdig's -pc and -pk output formats.
	for flag, tmpl := range map[string]string{"-pc": containerfields.ContainerFormat, "-pk": containerfields.KubernetesFormat} {
		compareLines(t, flag, runSysdig(t, bin, file, flag), runSyscope(t, file, tmpl, ""))
	}
}
