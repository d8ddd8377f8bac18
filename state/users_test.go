package state

import (
	"strings"
	"testing"
)

func TestLoadPasswdGroup(t *testing.T) {
	s := New(nil)
	n, err := s.LoadPasswd(strings.NewReader("# users\nroot:x:0:0:root:/root:/bin/bash\n\nbob:x:1001:100:Bob:/home/bob:/bin/sh\n"))
	if err != nil || n != 2 {
		t.Fatalf("passwd: %d %v", n, err)
	}
	if u := s.User(1001); u == nil || u.Name != "bob" || u.HomeDir != "/home/bob" || u.GID != 100 {
		t.Errorf("bob: %+v", u)
	}
	if _, err := s.LoadPasswd(strings.NewReader("ok:x:1:1::/:/bin/sh\nbad:x:notanumber:1::/:/bin/sh\n")); err == nil ||
		!strings.Contains(err.Error(), "line 2") {
		t.Errorf("bad uid error: %v", err)
	}
	n, err = s.LoadGroup(strings.NewReader("root:x:0:\nusers:x:100:bob,alice\n"))
	if err != nil || n != 2 || s.Group(100).Name != "users" {
		t.Fatalf("group: %d %v", n, err)
	}
	if _, err := s.LoadGroup(strings.NewReader("short:x\n")); err == nil {
		t.Error("short group line accepted")
	}
}

func FuzzLoadPasswd(f *testing.F) {
	f.Add("root:x:0:0:root:/root:/bin/bash\n")
	f.Add("a:b:c\n#x\n\n")
	f.Add("users:x:100:bob\n")
	f.Fuzz(func(t *testing.T, data string) {
		s := New(nil)
		s.LoadPasswd(strings.NewReader(data))
		s.LoadGroup(strings.NewReader(data))
	})
}
