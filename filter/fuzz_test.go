package filter_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/syscope/syscope/filter"
)

// FuzzParse checks that any input either parses or fails with a positioned
// SyntaxError, that a parsed filter renders to text that parses back to the
// same rendering, and that type checking and compiling never panic.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"evt.type=open and proc.name in (ash, bash, csh)",
		"not (a or b) and not(c)",
		"proc.aname[2] = sshd or proc.env['HOME'] startswith /root",
		`proc.cmdline contains "curl \"x\" \x41" and fd.name glob '/tmp/*'`,
		"proc.name startswith oneof (sshd, sudo) and proc.name != allof (a, b)",
		"tolower(proc.name) = val(proc.pname) and len(proc.args) > 3",
		"getopt(proc.args, 'ab:')[b] = x and join(',', (proc.name, 'y')) exists",
		"evt.num >= 0x10 and evt.num < -1.5e+3",
		"fd.sip in (10.0.0.0/8, ::1) and fd.sport = https",
		"evt.buffer bcontains 0a0b and evt.failed = true",
		"((((a))))",
		"proc.name = 'unterminated",
		"a orb",
		"proc.name in (a,",
		"\n\tevt.type\r\n=\bopen",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := filter.Parse(s)
		if err != nil {
			var se *filter.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("%q: error %v is not a SyntaxError", s, err)
			}
			if se.Pos.Line < 1 || se.Pos.Col < 1 || se.Pos.Offset < 0 || se.Pos.Offset > len(s) {
				t.Fatalf("%q: bad error position %+v", s, se.Pos)
			}
			if !strings.HasPrefix(err.Error(), "filter: ") {
				t.Fatalf("%q: error %q lacks the prefix", s, err)
			}
			return
		}
		r := filter.Render(e)
		if e2, err := filter.Parse(r); err == nil {
			if r2 := filter.Render(e2); r2 != r {
				t.Fatalf("%q: rendering %q reparses as %q", s, r, r2)
			}
		}
		_ = filter.Check(e, testResolver{})
		if p, err := filter.Compile[*testEvent](filter.Clone(e), testResolver{}); err == nil {
			p(sample())
			p(&testEvent{})
		}
	})
}
