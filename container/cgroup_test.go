package container

import (
	"strings"
	"testing"
)

const (
	hexA = "490f66b3b85a0ca943d2451536f2d1a2ebebf6f2ec41730abdb7b263ae8bf19d"
	hexB = "7951fb549ab99e0722a949b6c121634e1f3a36b5bacbe5392991e3b12251e6b8"
	hexC = "605439acbd4fb18c145069289094b17f17e0cfa938f78012d4960bc797305f22"
	hexU = "9CC35A907A1E4E7AC8C021758B2BB28DB60B3A787115F9114A641BF44F8BA99B"
)

func TestFromCgroupPath(t *testing.T) {
	tests := []struct {
		name string
		path string
		typ  Type
		full string // "" means host
	}{
		// docker
		{"docker cgroupfs", "/docker/" + hexB, TypeDocker, hexB},
		{"docker systemd", "/system.slice/docker-" + hexB + ".scope", TypeDocker, hexB},
		{"docker systemd v2 nested", "/docker.slice/docker-" + hexB + ".scope", TypeDocker, hexB},
		{"docker custom cgroup parent", "/ci-runners/" + hexB, TypeDocker, hexB},
		{"docker in lxc", "/lxc/builder/docker/" + hexB, TypeDocker, hexB},
		{"uppercase hex", "/docker/" + hexU, TypeDocker, hexU},
		{"trailing slash", "/docker/" + hexB + "/", TypeDocker, hexB},
		// podman
		{"podman cgroupfs", "/libpod_parent/libpod-" + hexA, TypePodman, hexA},
		{"podman systemd", "/machine.slice/libpod-" + hexA + ".scope", TypePodman, hexA},
		{"podman systemd v2 container dir", "/machine.slice/libpod-" + hexA + ".scope/container", TypePodman, hexA},
		{"podman rootless", "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + hexA + ".scope", TypePodman, hexA},
		{"podman split mode", "/system.slice/system-ceph.slice/ceph@mon.service/libpod-payload-" + hexA, TypePodman, hexA},
		{"podman split mode scope", "/system.slice/libpod-payload-" + hexA + ".scope", TypePodman, hexA},
		// containerd and CRI-O
		{"containerd k8s.io namespace", "/k8s.io/" + hexC, TypeContainerd, hexC},
		{"containerd default namespace (ctr)", "/default/" + hexC, TypeContainerd, hexC},
		{"ctr named container", "/default/redis-test", TypeContainerd, "redis-test"},
		{"ctr k8s.io named", "/k8s.io/my-test_container", TypeContainerd, "my-test_container"},
		{"kubepods cgroupfs", "/kubepods/besteffort/podac04f3f2-1f2c-11e9-b015-1ebee232acfa/" + hexC, TypeCRI, hexC},
		{"kubepods guaranteed", "/kubepods/pod0c8e2f6a-1111-2222-3333-444455556666/" + hexC, TypeCRI, hexC},
		{"kubepods nested in docker-in-docker", "/docker/" + hexB + "/kubepods/burstable/pod1/" + hexC, TypeCRI, hexC},
		{"cri-containerd systemd", "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-podbd12dd33.slice/cri-containerd-" + hexC + ".scope", TypeContainerd, hexC},
		{"cri-containerd cgroupfs with systemd path", "/kubepods-burstable-podbd12dd3393227d950605a2444b13c27a.slice:cri-containerd:" + hexC, TypeContainerd, hexC},
		{"crio cgroupfs", "/kubepods/besteffort/pod63b3ebfc-2890-11e9-8154-16bf8ef8d9dc/crio-" + hexC, TypeCRIO, hexC},
		{"crio systemd", "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod63b3ebfc_2890_11e9_8154_16bf8ef8d9dc.slice/crio-" + hexC + ".scope", TypeCRIO, hexC},
		{"nerdctl systemd", "/system.slice/nerdctl-" + hexC + ".scope", TypeContainerd, hexC},
		// LXC and libvirt
		{"lxc cgroupfs", "/lxc/web01", TypeLXC, "web01"},
		{"lxc cgroupfs sub", "/lxc/web01/init.scope", TypeLXC, "web01"},
		{"lxc systemd payload", "/lxc.payload/web01", TypeLXC, "web01"},
		{"lxc 4 payload", "/lxc.payload.web01/system.slice/cron.service", TypeLXC, "web01"},
		{"libvirt-lxc cgroupfs", "/machine/guest1.libvirt-lxc", TypeLibvirtLXC, "guest1"},
		{"libvirt-lxc systemd", `/machine.slice/machine-lxc\x2d2293906\x2dlibvirt\x2dcontainer.scope`, TypeLibvirtLXC, `2293906\x2dlibvirt\x2dcontainer`},
		{"libvirt-lxc systemd libvirt dir", `/machine.slice/machine-lxc\x2d42\x2dguest.scope/libvirt`, TypeLibvirtLXC, `42\x2dguest`},
		{"libvirt legacy", "/libvirt/lxc/guest2", TypeLibvirtLXC, "guest2"},
		// host
		{"root", "/", TypeHost, ""},
		{"init scope", "/init.scope", TypeHost, ""},
		{"user session", "/user.slice/user-1000.slice/session-3.scope", TypeHost, ""},
		{"systemd service", "/system.slice/containerd.service", TypeHost, ""},
		{"podman conmon", "/libpod_parent/conmon", TypeHost, ""},
		{"podman conmon systemd", "/machine.slice/libpod-conmon-" + hexA + ".scope", TypeHost, ""},
		{"crio conmon", "/kubepods.slice/crio-conmon-" + hexC + ".scope", TypeHost, ""},
		{"sandbox with 32 hex", "/process_api/94c30a6a85ea38b71cc54ef715c11f19", TypeHost, ""},
		{"63 hex", "/docker/" + hexB[:63], TypeHost, ""},
		{"65 hex", "/docker/" + hexB + "0", TypeHost, ""},
		{"non hex", "/docker/" + hexB[:63] + "g", TypeHost, ""},
		{"too long libpod", "/user.slice/libpod-" + hexA + hexA, TypeHost, ""},
		{"bare hex scope", "/system.slice/" + hexA + ".scope", TypeHost, ""},
		{"default service", "/default/some_short_id.service", TypeHost, ""},
		{"default slice", "/default/x.slice", TypeHost, ""},
		{"default scope", "/default/x.scope", TypeHost, ""},
		{"unknown namespace short id", "/my_namespace/test_container", TypeHost, ""},
		{"default deeper", "/default/a/b", TypeHost, ""},
		{"lxc monitor", "/lxc.monitor.web01", TypeHost, ""},
		{"empty lxc name", "/lxc/", TypeHost, ""},
		{"cri-containerd short", "/pod.slice:cri-containerd:abc", TypeHost, ""},
		{"not absolute", "docker/" + hexB, TypeHost, ""},
		{"empty", "", TypeHost, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := FromCgroupPath(tt.path)
			if got.Type != tt.typ {
				t.Fatalf("FromCgroupPath(%q).Type = %v, want %v", tt.path, got.Type, tt.typ)
			}
			if tt.full == "" {
				if got.ID != HostID || got.FullID != HostID || !got.IsHost() {
					t.Fatalf("FromCgroupPath(%q) = %+v, want host", tt.path, got)
				}
				return
			}
			if got.FullID != tt.full {
				t.Fatalf("FullID = %q, want %q", got.FullID, tt.full)
			}
			wantID := tt.full
			if tt.typ != TypeLXC && tt.typ != TypeLibvirtLXC && len(wantID) > 12 {
				wantID = wantID[:12]
			}
			if got.ID != wantID {
				t.Fatalf("ID = %q, want %q", got.ID, wantID)
			}
		})
	}
}

func TestFromCgroupsProcFile(t *testing.T) {
	v1 := "9:name=systemd:/libpod_parent/libpod-" + hexA + "\n" +
		"8:pids:/libpod_parent/libpod-" + hexA + "\n" +
		"4:memory:/libpod_parent/libpod-" + hexA + "\n" +
		"1:cpu:/libpod_parent/libpod-" + hexA + "\n" +
		"0::/libpod_parent/libpod-" + hexA + "\n"
	tests := []struct {
		name string
		in   string
		typ  Type
		full string
	}{
		{"podman hybrid v1+v2", v1, TypePodman, hexA},
		{"cgroup v2 only", "0::/kubepods/besteffort/pod0c8e2f6a-1111-2222-3333-444455556666/" + hexC + "\n", TypeCRI, hexC},
		{"host hybrid with a host memory group", "9:name=systemd:/\n4:memory:/process_api/94c30a6a85ea38b71cc54ef715c11f19\n0::/\n", TypeHost, ""},
		{"container only in one v1 controller", "5:devices:/\n4:memory:/docker/" + hexB + "\n0::/\n", TypeDocker, hexB},
		{"no trailing newline", "0::/system.slice/docker-" + hexB + ".scope", TypeDocker, hexB},
		{"named hierarchy", "1:name=systemd:/docker/" + hexB, TypeDocker, hexB},
		{"empty", "", TypeHost, ""},
		{"garbage", "::::\n\x00\x00==\n", TypeHost, ""},
		// the cgroups parameter of execve/clone events: NUL separated
		// "subsys=path" entries.
		{"event param", "cpuset=/docker/" + hexB + "\x00cpu=/docker/" + hexB + "\x00memory=/docker/" + hexB + "\x00", TypeDocker, hexB},
		{"event param named", "name=systemd=/\x00cpu=/k8s.io/" + hexC + "\x00", TypeContainerd, hexC},
		{"event param host", "cpuset=/\x00cpu=/user.slice\x00memory=/user.slice/user-0.slice/session-1.scope\x00", TypeHost, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := FromCgroups([]byte(tt.in))
			if got.Type != tt.typ {
				t.Fatalf("Type = %v, want %v", got.Type, tt.typ)
			}
			if tt.full == "" {
				if !got.IsHost() || got.ID != HostID {
					t.Fatalf("got %+v, want host", got)
				}
				return
			}
			if got.FullID != tt.full || got.ID != tt.full[:12] {
				t.Fatalf("got %+v, want full id %s", got, tt.full)
			}
			m := FindCgroups([]byte(tt.in))
			if tt.in[m.Start:m.End] != tt.full {
				t.Fatalf("FindCgroups range %d..%d = %q", m.Start, m.End, tt.in[m.Start:m.End])
			}
		})
	}
}

func TestTypeNames(t *testing.T) {
	for ty := TypeUnknown; ty < numTypes; ty++ {
		got, ok := ParseType(ty.String())
		if !ok || got != ty {
			t.Errorf("ParseType(%q) = %v, %v; want %v", ty.String(), got, ok, ty)
		}
		v, ok := TypeFromSinspValue(ty.SinspValue())
		if !ok || v != ty {
			t.Errorf("TypeFromSinspValue(%d) = %v, %v; want %v", ty.SinspValue(), v, ok, ty)
		}
	}
	if _, ok := ParseType("mesos"); ok {
		t.Error("ParseType(mesos) succeeded")
	}
	if TypePodman.SinspValue() != 11 || TypeDocker.SinspValue() != 0 || TypeCRIO.SinspValue() != 8 {
		t.Error("libsinsp numbering changed")
	}
	if Type(200).String() != "" {
		t.Error("out of range type has a name")
	}
}

func TestParseImageRef(t *testing.T) {
	tests := []struct {
		in                string
		repo, tag, digest string
	}{
		{"localhost/busybox:test", "localhost/busybox", "test", ""},
		{"busybox", "busybox", "", ""},
		{"registry:5000/team/app:1.2", "registry:5000/team/app", "1.2", ""},
		{"registry:5000/team/app", "registry:5000/team/app", "", ""},
		{"docker.io/library/redis@sha256:b6a9fc35", "docker.io/library/redis", "", "sha256:b6a9fc35"},
		{"quay.io/x/y:v1@sha256:abcd", "quay.io/x/y", "v1", "sha256:abcd"},
		{"", "", "", ""},
	}
	for _, tt := range tests {
		got := ParseImageRef(tt.in)
		if got.Repository != tt.repo || got.Tag != tt.tag || got.Digest != tt.digest {
			t.Errorf("ParseImageRef(%q) = %+v, want %q %q %q", tt.in, got, tt.repo, tt.tag, tt.digest)
		}
	}
	if TrimDigestAlgo("sha256:abc") != "abc" || TrimDigestAlgo("abc") != "abc" {
		t.Error("TrimDigestAlgo")
	}
}

func FuzzFromCgroups(f *testing.F) {
	seeds := []string{
		"0::/libpod_parent/libpod-" + hexA + "\n",
		"4:memory:/docker/" + hexB + "\n0::/\n",
		"cpuset=/docker/" + hexB + "\x00cpu=/docker/" + hexB + "\x00",
		"0::/kubepods/besteffort/podac04f3f2/" + hexC,
		"0::/kubepods.slice/kubepods-besteffort.slice/crio-" + hexC + ".scope",
		"0::/pod.slice:cri-containerd:" + hexC,
		"0::/machine.slice/libpod-" + hexA + ".scope/container",
		"0::/lxc.payload.web01/init.scope",
		`0::/machine.slice/machine-lxc\x2d1\x2dg.scope/libvirt`,
		"0::/machine/g.libvirt-lxc",
		"0::/libvirt/lxc/g",
		"0::/default/redis",
		"9:name=systemd:/\n0::/init.scope\n",
		"",
		"/",
		"//",
		"0::/lxc/",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m := FindCgroups(b)
		info := FromCgroups(b)
		if m.IsHost() {
			if !info.IsHost() || info.ID != HostID || info.FullID != HostID {
				t.Fatalf("host match but info %+v", info)
			}
			return
		}
		if m.Start < 0 || m.End <= m.Start || m.End > len(b) {
			t.Fatalf("bad range %d..%d of %d", m.Start, m.End, len(b))
		}
		full := string(b[m.Start:m.End])
		if info.FullID != full || info.Type != m.Type {
			t.Fatalf("FromCgroups %+v disagrees with FindCgroups %q %v", info, full, m.Type)
		}
		if len(full) > maxNameIDLen {
			t.Fatalf("id of %d bytes", len(full))
		}
		if strings.ContainsAny(full, "/\n\x00") {
			t.Fatalf("id %q holds a separator", full)
		}
		if !strings.HasPrefix(full, info.ID) || info.ID == "" {
			t.Fatalf("short id %q not a prefix of %q", info.ID, full)
		}
		// The id must come out the same when its entry is scanned alone.
		start, end := lastSep(b[:m.Start])+1, m.End
		for end < len(b) && b[end] != '\n' && b[end] != 0 {
			end++
		}
		if again := FromCgroups(b[start:end]); again != info {
			t.Fatalf("entry %q alone gives %+v, want %+v", b[start:end], again, info)
		}
	})
}

func lastSep(b []byte) int {
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] == '\n' || b[i] == 0 {
			return i
		}
	}
	return -1
}

func BenchmarkFindCgroups(b *testing.B) {
	in := []byte("9:name=systemd:/\n8:pids:/\n4:memory:/process_api/94c30a6a85ea38b71cc54ef715c11f19\n" +
		"1:cpu:/kubepods/besteffort/pod0c8e2f6a-1111-2222-3333-444455556666/" + hexC + "\n0::/\n")
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if m := FindCgroups(in); m.Type != TypeCRI {
			b.Fatal(m)
		}
	}
}

func FuzzParseImageRef(f *testing.F) {
	for _, s := range []string{"localhost/busybox:test", "registry:5000/a/b:1@sha256:ab", "a@b@c", "a:", ":", "@", "x/y:z/w"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r := ParseImageRef(s)
		if !strings.HasPrefix(s, r.Repository) {
			t.Fatalf("repository %q not a prefix of %q", r.Repository, s)
		}
		if r.Digest != "" && !strings.HasSuffix(s, "@"+r.Digest) {
			t.Fatalf("digest %q not a suffix of %q", r.Digest, s)
		}
		if strings.Contains(r.Tag, "/") || strings.Contains(r.Tag, "@") {
			t.Fatalf("tag %q", r.Tag)
		}
	})
}

func FuzzProbesFromPodSpec(f *testing.F) {
	f.Add(`{"spec":{"containers":[{"name":"a","livenessProbe":{"exec":{"command":["'x'","y"]}}},{"name":"b","readinessProbe":{"exec":{"command":["z"]}}}]}}`, "b")
	f.Add(`{"spec":{"containers":[{"livenessProbe":{"exec":{"command":[]}}}]}}`, "")
	f.Add(`{"spec":{"containers":null}}`, "a")
	f.Add(`[`, "")
	f.Fuzz(func(t *testing.T, manifest, name string) {
		l, r, err := ProbesFromPodSpec(manifest, name)
		if err != nil && (l != nil || r != nil) {
			t.Fatal("probes with an error")
		}
		_ = l.String() + r.String()
	})
}

func TestProbes(t *testing.T) {
	l, r, err := ProbesFromPodSpec(`{"spec":{"containers":[{"name":"a","livenessProbe":{"exec":{"command":["'x'","\"y\""]}}},{"name":"b","readinessProbe":{"exec":{"command":["z"]}}}]}}`, "b")
	if err != nil || l != nil || r.String() != "z" {
		t.Fatalf("b: %v %v %v", l, r, err)
	}
	l, _, _ = ProbesFromPodSpec(`{"spec":{"containers":[{"name":"a","livenessProbe":{"exec":{"command":["'x'","\"y\""]}}}]}}`, "missing")
	if l.String() != "x y" {
		t.Fatalf("first container's probe: %q", l.String())
	}
	if _, _, err := ProbesFromPodSpec("{", "a"); err == nil {
		t.Fatal("bad json accepted")
	}
	for _, tc := range []struct {
		test []string
		want string
	}{
		{[]string{"CMD", "/bin/check", "'-v'"}, "/bin/check -v"},
		{[]string{"CMD-SHELL", "exit 0"}, "/bin/sh -c exit 0"},
		{[]string{"NONE"}, ""},
		{[]string{"WHAT", "x"}, ""},
		{nil, ""},
	} {
		if got := ProbeFromHealthcheck(tc.test).String(); got != tc.want {
			t.Errorf("ProbeFromHealthcheck(%q) = %q, want %q", tc.test, got, tc.want)
		}
	}
}
