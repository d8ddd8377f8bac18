package sinsptext

import (
	"bytes"
	"net/netip"
	"testing"
)

func TestAppendPath(t *testing.T) {
	for _, c := range []struct{ dir, path, want string }{
		{"/home/u/", "a", "/home/u/a"},
		{"/home/u/", "", "/home/u"},
		{"/home/u/", ".", "/home/u"},
		{"/home/u/", "..", "/home"},
		{"/home/u/", "../..", "/"},
		{"/home/u/", "../../../x", "/x"},
		{"/", "..", "/"},
		{"/home/u/", "a//b/./c/", "/home/u/a/b/c"},
		{"/home/u/", "..a/b..", "/home/u/..a"},
		{"/home/u/", "x\x01y", "/home/u/x.y"},
		{"/home/u/", "x\xc3\xa9", "/home/u/x.."},
		{"", "a/../b", "b"},
		{"/home/u/", "a\x00ignored", "/home/u/a"},
		{"/tmp", "/x", "/tmp/x"},
	} {
		got := string(AppendPath([]byte("keep"+c.dir), 4, []byte(c.path)))
		if got != "keep"+c.want {
			t.Errorf("%q + %q: got %q, want %q", c.dir, c.path, got, "keep"+c.want)
		}
	}
}

// TestCleanPathFastPath checks that the clean-path shortcut gives the same
// result as the byte-by-byte copier, on every path of up to six of the
// characters that matter.
func TestCleanPathFastPath(t *testing.T) {
	alphabet := []byte{'a', '.', '/', 0x01, 0x7f}
	dirs := [][]byte{nil, []byte("/"), []byte("/tmp/"), []byte("/tmp"), []byte("x")}
	var p []byte
	var gen func(n int)
	fast := 0
	gen = func(n int) {
		for _, d := range dirs {
			want := appendPathSlow(append([]byte("pre"), d...), 3, p)
			got := AppendPath(append([]byte("pre"), d...), 3, p)
			if !bytes.Equal(got, want) {
				t.Fatalf("dir %q path %q: got %q, want %q", d, p, got, want)
			}
			if clean(append([]byte("pre"), d...), 3, p) {
				fast++
			}
		}
		if n == 0 {
			return
		}
		for _, c := range alphabet {
			p = append(p, c)
			gen(n - 1)
			p = p[:len(p)-1]
		}
	}
	gen(6)
	if fast == 0 {
		t.Fatal("the fast path was never taken")
	}
}

func FuzzAppendPath(f *testing.F) {
	f.Add([]byte("/tmp/"), []byte("a/b.c"))
	f.Add([]byte("/"), []byte("../x/./y//z/"))
	f.Add([]byte(""), []byte(".hidden"))
	f.Add([]byte("/a/b"), []byte("..\x00/c"))
	f.Fuzz(func(t *testing.T, dir, p []byte) {
		want := appendPathSlow(append([]byte(nil), dir...), 0, p)
		got := AppendPath(append([]byte(nil), dir...), 0, p)
		if !bytes.Equal(got, want) {
			t.Fatalf("dir %q path %q: got %q, want %q", dir, p, got, want)
		}
	})
}

func TestAppendIPv6(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"::", "::"},
		{"::1", "::1"},
		{"1::", "1::"},
		{"2001:db8::1", "2001:db8::1"},
		{"2001:db8:0:1:0:0:1:0", "2001:db8:0:1::1:0"},
		{"2001:0:0:1:0:0:0:1", "2001:0:0:1::1"},
		{"1:0:1:0:1:0:1:0", "1:0:1:0:1:0:1:0"},
		{"::ffff:10.0.0.1", "::ffff:10.0.0.1"},
		{"::c0a8:101", "::192.168.1.1"},
		{"::1:c0a8:101", "::1:c0a8:101"},
		{"fe80::242:acff:fe11:2", "fe80::242:acff:fe11:2"},
		{"fe80::1:0:0", "fe80::1:0:0"},
		{"0:0:1::", "0:0:1::"},
		{"2607:f8b0:4004:802::2004", "2607:f8b0:4004:802::2004"},
	} {
		a := netip.MustParseAddr(c.in).As16()
		if got := string(AppendIPv6(nil, a[:])); got != c.want {
			t.Errorf("%s: got %q, want %q", c.in, got, c.want)
		}
	}
}

func TestAppendIPv4(t *testing.T) {
	if got := string(AppendIPv4([]byte("ip="), []byte{192, 168, 0, 255})); got != "ip=192.168.0.255" {
		t.Errorf("got %q", got)
	}
}

func TestIsIPv4Mapped(t *testing.T) {
	for in, want := range map[string]bool{
		"::ffff:1.2.3.4": true,
		"::":             true,
		"::1":            false,
		"::1.2.3.4":      false,
		"2001:db8::1":    false,
	} {
		a := netip.MustParseAddr(in).As16()
		if got := IsIPv4Mapped(a[:]); got != want {
			t.Errorf("%s: got %v, want %v", in, got, want)
		}
	}
}
