package filter

import "testing"

func TestGlob(t *testing.T) {
	cases := []struct {
		pat, s string
		fold   bool
		want   bool
	}{
		{"*", "", false, true},
		{"*", "/a/b", false, true},
		{"/tmp/*.sh", "/tmp/x/y.sh", false, true},
		{"/tmp/*.sh", "/tmp/x.py", false, false},
		{"a?c", "abc", false, true},
		{"a?c", "ac", false, false},
		{"[abc]x", "bx", false, true},
		{"[!abc]x", "bx", false, false},
		{"[^abc]x", "dx", false, true},
		{"[a-c]", "b", false, true},
		{"[a-c]", "B", true, true},
		{"[a-c]", "B", false, false},
		{"[]]", "]", false, true},
		{"[[:digit:]]*", "7up", false, true},
		{"[[:alpha:]]*", "7up", false, false},
		{"\\*", "*", false, true},
		{"\\*", "a", false, false},
		{"[", "[", false, true},
		{"a[", "a[", false, true},
		{"ABC*", "abcdef", true, true},
		{"*a*b*c*", "xaybzc", false, true},
		{"*a*b*c*", "xaybz", false, false},
		{"research[0-9]*", "research42", false, true},
	}
	for _, c := range cases {
		if got := globMatch(c.pat, c.s, c.fold); got != c.want {
			t.Errorf("glob(%q, %q, fold=%v) = %v", c.pat, c.s, c.fold, got)
		}
	}
}

func TestIndexFold(t *testing.T) {
	if indexFold("Hello World", "WORLD") != 6 || indexFold("abc", "") != 0 || indexFold("abc", "abcd") != -1 {
		t.Fatal("indexFold")
	}
}

func TestPathSet(t *testing.T) {
	ps := newPathSet([]string{"/usr/bin", "/opt/*/bin", "/etc/"})
	for p, want := range map[string]bool{
		"/usr/bin": true, "/usr/bin/ls": true, "/usr//bin/x": true, "/usr/binx": false, "/usr": false,
		"/opt/app/bin/run": true, "/opt/app/lib": false, "/etc": true, "/etcx": false, "": false,
	} {
		if ps.match(p) != want {
			t.Errorf("pmatch %q = %v", p, !want)
		}
	}
}

func TestQuote(t *testing.T) {
	for in, want := range map[string]string{
		"plain": "plain", "a b": `"a b"`, `a"b`: `"a\"b"`, "a'b": `"a'b"`, `a\b`: `"a\\b"`, "x=y": `"x=y"`, "t\tn\n": `"t\tn\n"`, "": "",
	} {
		if got := Quote(in); got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
		if want != in {
			if back, err := unquote(want); err != nil || back != in {
				t.Errorf("unquote(%s) = %q, %v", want, back, err)
			}
		}
	}
}
