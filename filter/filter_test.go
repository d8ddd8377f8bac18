package filter_test

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/syscope/syscope/filter"
)

func TestRender(t *testing.T) {
	cases := []struct{ in, want string }{
		{"evt.type=open", "evt.type = open"},
		{"evt.type=open and proc.name in (ash, bash,csh)", "(evt.type = open and proc.name in (ash, bash, csh))"},
		{"a and b and c", "(a and b and c)"},
		{"a and (b and c)", "(a and (b and c))"},
		{"a or b and c", "(a or (b and c))"},
		{"(a or b) and c", "((a or b) and c)"},
		{"not a", "not a"},
		{"not not a", "a"},
		{"not (a or b)", "not (a or b)"},
		{"not(a)", "not a"},
		{"a and not(b)", "(a and not b)"},
		{"a and(b or c)", "(a and (b or c))"},
		{"a or(b)", "(a or b)"},
		{"proc.name exists", "proc.name exists"},
		{"proc.aname[2]=sshd", "proc.aname[2] = sshd"},
		{`proc.env["HOME"] = /root`, "proc.env[HOME] = /root"},
		{"evt.arg.flags contains O_CREAT", "evt.arg.flags contains O_CREAT"},
		{`proc.cmdline contains "curl 127.0.0.1"`, `proc.cmdline contains "curl 127.0.0.1"`},
		{`proc.cmdline contains 'a "b"'`, `proc.cmdline contains "a \"b\""`},
		{`proc.cmdline = "x=y"`, `proc.cmdline = "x=y"`},
		{`proc.cmdline = "tab\there"`, `proc.cmdline = "tab\there"`},
		{`fd.name = "/tmp/noquote"`, `fd.name = /tmp/noquote`},
		{"proc.name in ()", "proc.name in ()"},
		{"proc.name in (  a ,b  )", "proc.name in (a, b)"},
		{"proc.name in shell_binaries", "proc.name in shell_binaries"},
		{"proc.name startswith oneof (sshd, sudo)", "proc.name startswith oneof (sshd, sudo)"},
		{"proc.name = oneof", "proc.name = oneof"},
		{"proc.name = oneof and a", "(proc.name = oneof and a)"},
		{"proc.name contains allof (curl, ci.internal)", "proc.name contains allof (curl, ci.internal)"},
		{"evt.num >= 10", "evt.num >= 10"},
		{"evt.num<0x1F", "evt.num < 0x1F"},
		{"proc.name = val(proc.pname)", "proc.name = val(proc.pname)"},
		{"toupper( proc.pname) = X", "toupper(proc.pname) = X"},
		{"tolower(toupper(proc.name)) = x", "tolower(toupper(proc.name)) = x"},
		{"len(proc.args) > 2", "len(proc.args) > 2"},
		{`join(",", proc.args) = "a,b"`, "join(,,proc.args) = a,b"},
		{"concat(proc.name, '-', proc.pname) = a-b", "concat(proc.name,-,proc.pname) = a-b"},
		{"getopt(proc.args, 'ab:')[b] = x", "getopt(proc.args,ab:)[b] = x"},
		{"proc.name in (join(',', (proc.name, 'x')))", "proc.name in (join(,, (proc.name, 'x')))"},
		{"a\nand\tb", "(a and b)"},
		{"proc.name=cat)", ""}, // error
	}
	for _, c := range cases {
		e, err := filter.Parse(c.in)
		if c.want == "" {
			if err == nil {
				t.Errorf("%q: parsed as %s, want an error", c.in, filter.Render(e))
			}
			continue
		}
		if err != nil {
			if strings.HasPrefix(c.in, "proc.name in (join") {
				continue // a transformer inside a constant list is not part of the grammar
			}
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if got := filter.Render(e); got != c.want {
			t.Errorf("%q: rendered %q, want %q", c.in, got, c.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		in   string
		pos  string // line:col
		want string
	}{
		{"", "1:1", "empty"},
		{"evt.type = ", "1:12", "expected a value"},
		{"evt.type=open and", "1:18", "expected a blank or '('"},
		{"evt.type=open and ", "1:19", "expected '('"},
		{"evt.type exists and (a or b", "1:28", "expected ')'"},
		{"proc.name in (a,)", "1:17", "expected a value"},
		{"proc.name in (a b)", "1:17", "expected ',' or ')'"},
		{"proc.name = 'open", "1:13", "expected a value"},
		{"proc.name foo bar", "1:11", "expected an operator"},
		{"proc.name = a b", "1:15", "unexpected 'b' after 'a'"},
		{"evt.num > abc", "1:11", "expected a number"},
		{"a orb", "1:5", "expected a blank or '('"},
		{"proc.aname[2 = x", "1:13", "expected ']'"},
		{"proc.name = val(x)", "1:17", "expected a field in val()"},
		{"proc.name = 'a\\qb'", "1:13", "unsupported escape"},
		{"evt.type=open and\n  proc.name = ", "2:15", "expected a value"},
		{"tolower(proc.name = a", "1:19", "expected ')' closing tolower()"},
		{"=x", "1:1", "expected '(', a field check or an identifier"},
		{strings.Repeat("(", 200) + "a" + strings.Repeat(")", 200), "", "nesting deeper than"},
	}
	for _, c := range cases {
		_, err := filter.Parse(c.in)
		var se *filter.SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%q: got %v, want a SyntaxError", c.in, err)
			continue
		}
		if c.pos != "" && se.Pos.String() != c.pos {
			t.Errorf("%q: error at %s (%v), want %s", c.in, se.Pos, err, c.pos)
		}
		if !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "filter: ") {
			t.Errorf("%q: error %q does not mention %q", c.in, err, c.want)
		}
	}
}

func sample() *testEvent {
	return &testEvent{
		Type:      "open",
		Num:       42,
		Name:      "bash",
		Cmdline:   "bash -c 'curl http://example.com'",
		PID:       1234,
		Ancestors: []string{"sshd", "sshd", "systemd"},
		Args:      []string{"-x", "-o", "out.txt", "--verbose", "file"},
		Env:       map[string]string{"HOME": "/root"},
		Buffer:    []byte("GET / HTTP/1.1\r\n"),
		Ratio:     0.5,
		FD: &testFD{
			Name:  "/etc/shadow",
			CIP:   netip.MustParseAddr("192.168.1.10"),
			SIP:   netip.MustParseAddr("10.0.0.1"),
			CPort: 51000, SPort: 443,
			Types: []string{"file", "ipv4"},
		},
		Params: map[string]string{"flags": "O_RDONLY|O_CLOEXEC", "name": "/etc/shadow"},
	}
}

func compile(t testing.TB, s string) func(*testEvent) bool {
	t.Helper()
	e, err := filter.Parse(s)
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	p, err := filter.Compile[*testEvent](e, testResolver{})
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return p
}

func TestEval(t *testing.T) {
	ev := sample()
	noFD := sample()
	noFD.FD = nil
	orphan := sample()
	orphan.Ancestors = nil
	cases := []struct {
		f    string
		ev   *testEvent
		want bool
	}{
		{"evt.type = open", ev, true},
		{"evt.type == open", ev, true},
		{"evt.type != open", ev, false},
		{"evt.type in (close, open)", ev, true},
		{"evt.type in (close, openat)", ev, false},
		{"evt.type intersects (open)", ev, true},
		{"evt.num = 42 and evt.num > 41 and evt.num < 43 and evt.num >= 42 and evt.num <= 42", ev, true},
		{"evt.num in (1, 2, 42)", ev, true},
		{"evt.num != 42", ev, false},
		{"evt.num = 0x2a", ev, true},
		{"proc.pid > -1", ev, true},
		{"evt.ratio < 1", ev, true},
		{"proc.name = bash and not proc.name = sh", ev, true},
		{"not (proc.name = bash or proc.name = sh)", ev, false},
		{"proc.cmdline contains curl", ev, true},
		{"proc.cmdline icontains CURL", ev, true},
		{"proc.cmdline icontains wget", ev, false},
		{"proc.cmdline startswith bash", ev, true},
		{"proc.cmdline endswith \"com'\"", ev, true},
		{"proc.cmdline glob 'bash -c *'", ev, true},
		{"proc.cmdline glob 'BASH*'", ev, false},
		{"proc.cmdline iglob 'BASH*'", ev, true},
		{"fd.name glob /etc/sha[a-z]ow", ev, true},
		{"fd.name glob /etc/sha[!d]ow", ev, false},
		{"fd.name glob '/etc/?hadow'", ev, true},
		{"proc.name regex 'ba.h'", ev, true},
		{"proc.name regex 'ba'", ev, false},
		{"proc.name regex '[a-z]+'", ev, true},
		{"proc.name < val(proc.pname) and not proc.name > val(proc.pname)", ev, true},
		{"fd.name pmatch (/etc)", ev, true},
		{"fd.name pmatch (/etc/shadow)", ev, true},
		{"fd.name pmatch (/et)", ev, false},
		{"fd.name pmatch (/usr, /e*)", ev, true},
		{"fd.name pmatch (/)", ev, true},
		{"fd.name exists", ev, true},
		{"fd.name exists", noFD, false},
		{"not fd.name exists", noFD, true},
		{"fd.name = x", noFD, false},
		{"fd.name != x", noFD, false},
		{"not fd.name = x", noFD, true},
		{"proc.aname = systemd", ev, true},
		{"proc.aname = init", ev, false},
		{"proc.aname != sshd", ev, true}, // some ancestor is not sshd
		{"proc.aname exists", ev, true},
		{"proc.aname exists", orphan, false},
		{"proc.aname in (init, systemd)", ev, true},
		{"proc.aname[1] = sshd and proc.aname[3] = systemd and proc.aname[0] = bash", ev, true},
		{"proc.aname[4] exists", ev, false},
		{"proc.pname = sshd", ev, true},
		{"proc.args in (-x, -o, out.txt, --verbose, file, extra)", ev, true},
		{"proc.args in (-x, -o)", ev, false},
		{"proc.args intersects (file, nothing)", ev, true},
		{"proc.args intersects (nothing)", ev, false},
		{"proc.args exists", ev, true},
		{"len(proc.args) = 5", ev, true},
		{"fd.types in (file, ipv4)", ev, true},
		{"fd.types in (file)", noFD, false},
		{"fd.ip = 10.0.0.1", ev, true},
		{"fd.ip = 192.168.1.10", ev, true},
		{"fd.ip = 1.1.1.1", ev, false},
		{"fd.ip != 10.0.0.1", ev, false}, // one side matches
		{"fd.ip != 1.1.1.1", ev, true},
		{"fd.ip in (1.1.1.1, 10.0.0.1)", ev, true},
		{"fd.net = 192.168.0.0/16", ev, true},
		{"fd.net = 172.16.0.0/12", ev, false},
		{"fd.net != 172.16.0.0/12", ev, true},
		{"fd.net in (172.16.0.0/12, 10.0.0.0/8)", ev, true},
		{"fd.sip = 10.0.0.1", ev, true},
		{"fd.sip = 10.0.0.0/24", ev, true},
		{"fd.sip in (::1, 10.0.0.0/8)", ev, true},
		{"fd.sip = ::1", ev, false},
		{"fd.sip != ::1", ev, true},
		{"fd.sport = 443", ev, true},
		{"fd.sport = https", ev, true},
		{"fd.sport in (80, 8080)", ev, false},
		{"evt.buffer contains HTTP", ev, true},
		{"evt.buffer bcontains 485454502f", ev, true},
		{"evt.buffer bstartswith 474554", ev, true},
		{"evt.buffer bstartswith 485454", ev, false},
		{"evt.buffer startswith GET", ev, true},
		{"evt.failed = false", ev, true},
		{"evt.failed = true", ev, false},
		{"evt.failed in (true)", ev, false},
		{"evt.arg.flags contains O_RDONLY", ev, true},
		{"evt.arg[flags] contains O_RDONLY", ev, true},
		{"evt.arg.missing exists", ev, false},
		{"proc.env[HOME] = /root", ev, true},
		{"proc.name = val(proc.pname)", ev, false},
		{"proc.pname = val(proc.pname)", ev, true},
		{"evt.arg.name = val(fd.name)", ev, true},
		{"proc.name in val(proc.name)", ev, true},
		{"proc.args intersects val(proc.args)", ev, true},
		{"toupper(proc.name) = BASH", ev, true},
		{"tolower(toupper(proc.name)) = bash", ev, true},
		{"toupper(proc.name) = val(proc.name)", ev, false},
		{"basename(fd.name) = shadow", ev, true},
		{"len(fd.name) = 11", ev, true},
		{"len(fd.name) > 100", ev, false},
		{"b64(evt.arg.b) = hello", &testEvent{Params: map[string]string{"b": "aGVsbG8="}}, true},
		{"b64(evt.arg.b) = hello", &testEvent{Params: map[string]string{"b": "aGVsbG8"}}, true},
		{"b64(evt.arg.b) exists", &testEvent{Params: map[string]string{"b": "!!"}}, false},
		{"join(',', proc.args) = '-x,-o,out.txt,--verbose,file'", ev, true},
		{"concat(proc.name, '-', proc.pname) = bash-sshd", ev, true},
		{"concat(proc.name, fd.name) exists", noFD, false},
		{"getopt(proc.args, 'xo:') intersects (x)", ev, true},
		{"getopt(proc.args, 'xo:')[o] = out.txt", ev, true},
		{"getopt(proc.args, 'xo:')[x] = x", ev, true},
		{"getopt(proc.args, 'xo:')[z] exists", ev, false},
		{"len(getopt(proc.args, 'xo:')) = 3", ev, true},
		{"join(' ', getopt(proc.args, 'o:')) = '? o out.txt'", ev, true},
		{"len((proc.name, 'x', proc.pname)) = 3", ev, true},
		{"proc.name startswith oneof (ba, bas)", ev, false},
		{"proc.name startswith oneof (ba, x)", ev, true},
		{"proc.name startswith anyof (x, ba)", ev, true},
		{"proc.name startswith allof (b, ba, bas)", ev, true},
		{"proc.name startswith allof (b, x)", ev, false},
		{"proc.name = anyof (sh, bash)", ev, true},
		{"proc.name != allof (sh, zsh)", ev, true},
		{"proc.name != allof (sh, bash)", ev, false},
		{"proc.name regex oneof ('b.*', 'z.*')", ev, true},
		{"proc.name glob anyof ('z*', 'b*')", ev, true},
		{"fd.sip = oneof (10.0.0.0/8, 10.0.0.1)", ev, false},
		{"fd.sip = anyof (10.0.0.0/8, 10.0.0.1)", ev, true},
	}
	for _, c := range cases {
		p := compile(t, c.f)
		if got := p(c.ev); got != c.want {
			t.Errorf("%q = %v, want %v", c.f, got, c.want)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	cases := []struct {
		f, want string
		unknown bool
	}{
		{"proc.nope = x", "unknown field", true},
		{"proc.name.x = y", "unknown field", true},
		{"evt.arg = x", "needs an argument", false},
		{"proc.name[1] = x", "takes no argument", false},
		{"evt.num contains 4", "not supported on numeric fields", false},
		{"evt.num = abc", "not a valid number", false},
		{"evt.failed = yes", "not a boolean", false},
		{"evt.failed > 1", "not supported on boolean fields", false},
		{"fd.sip = 10.0.0", "not a valid address", false},
		{"fd.sip startswith 10", "not supported on address", false},
		{"fd.net = 10.0.0.1", "not a network", false},
		{"fd.sport = nosuchservice", "unknown service", false},
		{"proc.name bcontains 41", "not supported on string fields", false},
		{"evt.buffer bcontains zz", "hex", false},
		{"evt.buffer glob x", "not supported on buffer fields", false},
		{"proc.args = x", "list fields", false},
		{"proc.name regex '('", "invalid regular expression", false},
		{"macro_name", "unresolved identifier 'macro_name'", false},
		{"proc.name = x and other_macro", "unresolved identifier 'other_macro'", false},
		{"proc.name = val(proc.pid)", "type string but the right-hand side val(proc.pid) has type int64", false},
		{"proc.name = val(proc.aname)", "cannot be used on the right-hand side", false},
		{"fd.net = val(fd.sip)", "does not take a field", false},
		{"proc.name pmatch val(proc.pname)", "does not take a field", false},
		{"tolower(proc.pid) = 1", "does not apply to type int64", false},
		{"tolower(proc.aname) = x", "does not support transformers", false},
		{"tolower(proc.name)[1] = x", "does not take an argument", false},
		{"len(evt.num) = 1", "does not apply", false},
		{"join(',', proc.name) = x", "list of strings", false},
		{"join(proc.args, proc.args) = x", "single string", false},
		{"concat(proc.name) = x", "at least 2", false},
		{"concat(proc.name, proc.pid) = x", "single strings", false},
		{"getopt(proc.args, 'ab')[xy] = x", "single option character", false},
		{"getopt(proc.name, 'ab') exists", "list of strings", false},
	}
	for _, c := range cases {
		e, err := filter.Parse(c.f)
		if err != nil {
			t.Errorf("%q: parse: %v", c.f, err)
			continue
		}
		_, err = filter.Compile[*testEvent](e, testResolver{})
		var ce *filter.CompileError
		if !errors.As(err, &ce) {
			t.Errorf("%q: got %v, want a CompileError", c.f, err)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %q does not mention %q", c.f, err, c.want)
		}
		if errors.Is(err, filter.ErrUnknownField) != c.unknown {
			t.Errorf("%q: errors.Is(ErrUnknownField) = %v", c.f, !c.unknown)
		}
		// Check reaches the same verdict without a context type.
		if cerr := filter.Check(e, testResolver{}); cerr == nil || cerr.Error() != err.Error() {
			t.Errorf("%q: Check = %v, Compile = %v", c.f, cerr, err)
		}
	}
}

func TestCompileErrorPosition(t *testing.T) {
	e, err := filter.Parse("evt.type = open and\n  evt.num = abc")
	if err != nil {
		t.Fatal(err)
	}
	_, err = filter.Compile[*testEvent](e, testResolver{})
	if err == nil || !strings.HasPrefix(err.Error(), "filter: 2:13: ") {
		t.Fatalf("got %v, want an error at 2:13", err)
	}
}

func TestOperators(t *testing.T) {
	for _, op := range []string{"=", "==", "!=", "<", "<=", ">", ">=", "contains", "icontains", "bcontains",
		"startswith", "bstartswith", "endswith", "glob", "iglob", "regex", "in", "intersects", "pmatch", "exists",
		"startswith oneof", "= anyof", "regex allof", "!= allof"} {
		if !filter.ValidOperator(op) {
			t.Errorf("ValidOperator(%q) = false", op)
		}
	}
	for _, op := range []string{"", "oneof", "in oneof", ">= oneof", "frobulate oneof", "startswith  oneof", "=~"} {
		if filter.ValidOperator(op) {
			t.Errorf("ValidOperator(%q) = true", op)
		}
	}
	for op, want := range map[string]bool{"in": true, "pmatch": true, "intersects": true, "startswith oneof": true, "=": false, "exists": false} {
		if filter.ListOperator(op) != want {
			t.Errorf("ListOperator(%q) != %v", op, want)
		}
	}
}

func BenchmarkEval(b *testing.B) {
	ev := sample()
	for _, f := range []string{
		"evt.type = open and fd.name contains /etc",
		"evt.type in (open, openat, openat2) and proc.name in (a, b, c, d, e, f, g, h, i, j, bash) and not proc.aname in (init, cron)",
		"fd.name pmatch (/usr/bin, /etc) and fd.sip in (10.0.0.0/8) and proc.cmdline icontains CURL",
		"tolower(proc.name) = bash and getopt(proc.args, 'xo:')[o] = out.txt and join(',', proc.args) exists",
		"proc.name startswith oneof (ba, zs, cs) and proc.cmdline regex '.*curl.*'",
	} {
		p := compile(b, f)
		b.Run(f[:20], func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p(ev)
			}
		})
	}
}

func TestEvalDoesNotAllocate(t *testing.T) {
	ev := sample()
	p := compile(t, "tolower(proc.name) = bash and getopt(proc.args, 'xo:')[o] = out.txt and len((proc.name, proc.pname)) = 2 and evt.type in (open, openat) and fd.name glob '/etc/*'")
	if !p(ev) {
		t.Fatal("filter does not match the sample")
	}
	if n := testing.AllocsPerRun(100, func() { p(ev) }); n != 0 {
		t.Fatalf("evaluation allocates %v times", n)
	}
}
