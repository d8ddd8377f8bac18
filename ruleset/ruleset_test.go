package ruleset

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/syscope/syscope/internal/testenv"
	"github.com/syscope/syscope/output"
)

// item is one top-level entry of a rules file.
type item struct {
	kind, name string
	node       *yaml.Node
	line       int
}

func (it item) str(key string) (string, bool) {
	for i := 0; i+1 < len(it.node.Content); i += 2 {
		if it.node.Content[i].Value == key {
			return it.node.Content[i+1].Value, true
		}
	}
	return "", false
}

func (it item) child(key string) *yaml.Node {
	for i := 0; i+1 < len(it.node.Content); i += 2 {
		if it.node.Content[i].Value == key {
			return it.node.Content[i+1]
		}
	}
	return nil
}

func parseItems(t *testing.T, doc []byte) []item {
	t.Helper()
	var root yaml.Node
	if err := yaml.Unmarshal(doc, &root); err != nil {
		t.Fatalf("rules file is not valid YAML: %v", err)
	}
	if root.Kind != yaml.DocumentNode || len(root.Content) != 1 || root.Content[0].Kind != yaml.SequenceNode {
		t.Fatal("rules file must be a YAML list")
	}
	var items []item
	for _, n := range root.Content[0].Content {
		if n.Kind != yaml.MappingNode || len(n.Content) < 2 {
			t.Fatalf("line %d: each entry must be a map", n.Line)
		}
		it := item{kind: n.Content[0].Value, name: n.Content[1].Value, node: n, line: n.Line}
		items = append(items, it)
	}
	return items
}

// Tokens of Falco's condition language.
var (
	tokenRE = regexp.MustCompile(`\s*(?:("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|([(),])|(!=|==|<=|>=|=|<|>)|([^\s(),=<>!"']+(?:\[[^\]]*\])?))`)
	binOps  = map[string]bool{"=": true, "==": true, "!=": true, "<": true, "<=": true, ">": true, ">=": true,
		"contains": true, "icontains": true, "bcontains": true, "startswith": true, "bstartswith": true,
		"endswith": true, "glob": true, "iglob": true, "pmatch": true, "in": true, "intersects": true, "regex": true}
	listOps    = map[string]bool{"in": true, "intersects": true, "pmatch": true}
	listNameRE = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)+$`)
)

type token struct {
	text string
	str  bool // a quoted string
}

func tokenize(cond string) ([]token, error) {
	var out []token
	rest := strings.TrimSpace(cond)
	for rest != "" {
		m := tokenRE.FindStringSubmatchIndex(rest)
		if m == nil || m[0] != 0 {
			return nil, fmt.Errorf("cannot tokenize at %q", rest)
		}
		switch {
		case m[2] >= 0:
			out = append(out, token{text: rest[m[2]:m[3]], str: true})
		case m[4] >= 0:
			out = append(out, token{text: rest[m[4]:m[5]]})
		case m[6] >= 0:
			out = append(out, token{text: rest[m[6]:m[7]]})
		default:
			out = append(out, token{text: rest[m[8]:m[9]]})
		}
		rest = strings.TrimSpace(rest[m[1]:])
	}
	return out, nil
}

// refs are what a condition names.
type refs struct {
	fields, macros, lists []string
}

// condParser is a recursive-descent parser of Falco conditions that records
// field, macro and list references.
type condParser struct {
	toks  []token
	pos   int
	lists map[string]bool
	r     refs
}

func (p *condParser) peek() string {
	if p.pos < len(p.toks) {
		return p.toks[p.pos].text
	}
	return ""
}

func (p *condParser) next() token {
	t := p.toks[p.pos]
	p.pos++
	return t
}

func (p *condParser) expect(s string) error {
	if p.peek() != s {
		return fmt.Errorf("expected %q at token %d, got %q", s, p.pos, p.peek())
	}
	p.pos++
	return nil
}

func (p *condParser) parseOr() error {
	if err := p.parseAnd(); err != nil {
		return err
	}
	for p.peek() == "or" {
		p.pos++
		if err := p.parseAnd(); err != nil {
			return err
		}
	}
	return nil
}

func (p *condParser) parseAnd() error {
	if err := p.parseNot(); err != nil {
		return err
	}
	for p.peek() == "and" {
		p.pos++
		if err := p.parseNot(); err != nil {
			return err
		}
	}
	return nil
}

func (p *condParser) parseNot() error {
	if p.peek() == "not" {
		p.pos++
		return p.parseNot()
	}
	return p.parsePrimary()
}

func (p *condParser) parsePrimary() error {
	if p.pos >= len(p.toks) {
		return fmt.Errorf("unexpected end of condition")
	}
	if p.peek() == "(" {
		p.pos++
		if err := p.parseOr(); err != nil {
			return err
		}
		return p.expect(")")
	}
	t := p.next()
	if t.str || t.text == ")" || t.text == "," {
		return fmt.Errorf("unexpected %q at token %d", t.text, p.pos-1)
	}
	op := p.peek()
	if op == "exists" {
		p.pos++
		p.r.fields = append(p.r.fields, t.text)
		return nil
	}
	if !binOps[op] {
		// A bare name is a macro.
		p.r.macros = append(p.r.macros, t.text)
		return nil
	}
	p.pos++
	p.r.fields = append(p.r.fields, t.text)
	// Event type names (init_module, ...) look like list names.
	guessLists := listOps[op] && t.text != "evt.type"
	if p.peek() == "(" {
		p.pos++
		for p.peek() != ")" {
			if p.pos >= len(p.toks) {
				return fmt.Errorf("unterminated value list")
			}
			v := p.next()
			if !v.str && v.text != "," && p.lists[v.text] {
				p.r.lists = append(p.r.lists, v.text)
			} else if !v.str && guessLists && listNameRE.MatchString(v.text) && !p.lists[v.text] {
				return fmt.Errorf("value %q looks like a list name but no such list is defined before this point", v.text)
			}
		}
		p.pos++
		return nil
	}
	if p.pos >= len(p.toks) {
		return fmt.Errorf("operator %q without a value", op)
	}
	p.next()
	return nil
}

func parseCondition(cond string, lists map[string]bool) (refs, error) {
	toks, err := tokenize(cond)
	if err != nil {
		return refs{}, err
	}
	p := &condParser{toks: toks, lists: lists}
	if err := p.parseOr(); err != nil {
		return refs{}, err
	}
	if p.pos != len(p.toks) {
		return refs{}, fmt.Errorf("trailing tokens from %q", p.peek())
	}
	return p.r, nil
}

var outputFieldRE = regexp.MustCompile(`%\(?([a-zA-Z_][a-zA-Z0-9_.]*(?:\[[^\]]*\])?)\)?`)

// fieldSet knows which field names exist.
type fieldSet struct {
	plain     map[string]bool
	withArg   map[string]bool // EPF_ARG_ALLOWED or EPF_ARG_REQUIRED
	params    map[string]bool // event parameter names, for evt.arg.NAME
	container map[string]bool // container.* and k8s.* fields the upstream rules use
}

func loadFieldSet(t *testing.T, shared string) *fieldSet {
	t.Helper()
	fs := &fieldSet{plain: map[string]bool{}, withArg: map[string]bool{}, params: map[string]bool{}, container: map[string]bool{}}
	f, err := os.Open(filepath.Join(shared, "spec", "sinsp_fields_current.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 4 || strings.HasPrefix(cols[0], "#") || !strings.Contains(cols[2], ".") {
			continue
		}
		fs.plain[cols[2]] = true
		if strings.Contains(cols[3], "EPF_ARG_ALLOWED") || strings.Contains(cols[3], "EPF_ARG_REQUIRED") {
			fs.withArg[cols[2]] = true
		}
	}
	if len(fs.plain) < 150 {
		t.Fatalf("only %d fields read from the field list", len(fs.plain))
	}
	et, err := os.ReadFile(filepath.Join(shared, "spec", "event_table.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(et), "\n") {
		cols := strings.Split(line, "\t")
		if len(cols) < 8 || strings.HasPrefix(line, "#") {
			continue
		}
		for _, p := range strings.Split(cols[7], ",") {
			if name, _, ok := strings.Cut(p, ":"); ok && name != "" {
				fs.params[name] = true
			}
		}
	}
	cre := regexp.MustCompile(`\b(?:container|k8s)\.[a-z_.]*[a-z_]`)
	for _, name := range []string{"falco_rules.yaml", "falco-incubating_rules.yaml", "falco-sandbox_rules.yaml"} {
		b, err := os.ReadFile(filepath.Join(shared, "rules", name))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range cre.FindAllString(string(b), -1) {
			fs.container[m] = true
		}
	}
	return fs
}

func (fs *fieldSet) check(field string) error {
	base, arg, hasArg := strings.Cut(field, "[")
	if hasArg {
		if !fs.withArg[base] {
			return fmt.Errorf("field %s takes no argument", base)
		}
		if !strings.HasSuffix(arg, "]") {
			return fmt.Errorf("field %s: unterminated argument", field)
		}
		return nil
	}
	if name, ok := strings.CutPrefix(field, "evt.arg."); ok {
		if !fs.params[name] {
			return fmt.Errorf("evt.arg.%s: no event has a parameter named %q", name, name)
		}
		return nil
	}
	if strings.HasPrefix(field, "container.") || strings.HasPrefix(field, "k8s.") {
		if !fs.container[field] {
			return fmt.Errorf("field %s is not one of the container/k8s fields the upstream rules use", field)
		}
		return nil
	}
	if !fs.plain[field] {
		return fmt.Errorf("unknown field %s", field)
	}
	return nil
}

var (
	mitreTechnique = regexp.MustCompile(`^T\d{4}(\.\d{3})?$`)
	mitreTactic    = regexp.MustCompile(`^mitre_[a-z_]+$`)
)

// structureErrors checks a rules file without ../shared: shape, required
// keys, priorities, tags, references defined before use and all used, each
// rule restricted to event types, exceptions well-formed.
func structureErrors(t *testing.T, doc []byte) (errs []string, nRules int) {
	t.Helper()
	fail := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	items := parseItems(t, doc)
	macros := map[string]string{} // name -> condition
	lists := map[string]bool{}
	used := map[string]bool{} // macros and lists referenced somewhere
	seenRules := map[string]bool{}
	for _, it := range items {
		switch it.kind {
		case "required_engine_version":
			if !regexp.MustCompile(`^\d+\.\d+\.\d+$`).MatchString(it.name) {
				fail("line %d: engine version %q is not semver", it.line, it.name)
			}
		case "list":
			items := it.child("items")
			if items == nil || items.Kind != yaml.SequenceNode {
				fail("line %d: list %s has no items sequence", it.line, it.name)
			} else {
				for _, v := range items.Content {
					if lists[v.Value] {
						used[v.Value] = true
					}
				}
			}
			lists[it.name] = true
		case "macro":
			cond, ok := it.str("condition")
			if !ok || cond == "" {
				fail("line %d: macro %s has no condition", it.line, it.name)
				continue
			}
			r, err := parseCondition(cond, lists)
			if err != nil {
				fail("line %d: macro %s: %v", it.line, it.name, err)
				continue
			}
			for _, m := range r.macros {
				if _, ok := macros[m]; !ok {
					fail("line %d: macro %s uses macro %s, not defined before", it.line, it.name, m)
				}
				used[m] = true
			}
			for _, l := range r.lists {
				used[l] = true
			}
			macros[it.name] = cond
		case "rule":
			nRules++
			if seenRules[it.name] {
				fail("line %d: rule %q defined twice", it.line, it.name)
			}
			seenRules[it.name] = true
			for _, key := range []string{"desc", "condition", "output", "priority"} {
				if v, ok := it.str(key); !ok || strings.TrimSpace(v) == "" {
					fail("line %d: rule %q has no %s", it.line, it.name, key)
				}
			}
			if p, _ := it.str("priority"); p != "" {
				if _, err := output.ParsePriority(p); err != nil {
					fail("line %d: rule %q: %v", it.line, it.name, err)
				}
			}
			if en, ok := it.str("enabled"); ok && en != "true" {
				fail("line %d: rule %q is disabled in the defaults", it.line, it.name)
			}
			tags := it.child("tags")
			var hasTechnique, hasTactic bool
			if tags != nil {
				for _, tg := range tags.Content {
					hasTechnique = hasTechnique || mitreTechnique.MatchString(tg.Value)
					hasTactic = hasTactic || mitreTactic.MatchString(tg.Value)
				}
			}
			if !hasTechnique || !hasTactic {
				fail("line %d: rule %q needs a MITRE tactic tag (mitre_*) and technique id (Tnnnn)", it.line, it.name)
			}
			cond, _ := it.str("condition")
			r, err := parseCondition(cond, lists)
			if err != nil {
				fail("line %d: rule %q: %v", it.line, it.name, err)
				continue
			}
			for _, m := range r.macros {
				if _, ok := macros[m]; !ok {
					fail("line %d: rule %q uses macro %s, not defined before", it.line, it.name, m)
				}
				used[m] = true
			}
			for _, l := range r.lists {
				used[l] = true
			}
			if !usesEvtType(cond, macros, lists, 0) {
				fail("line %d: rule %q does not restrict evt.type (it would run on every event)", it.line, it.name)
			}
			out, _ := it.str("output")
			if !outputFieldRE.MatchString(out) || !strings.Contains(out, "%proc.name") || !strings.Contains(out, "%user.name") {
				fail("line %d: rule %q output should name at least proc.name and user.name", it.line, it.name)
			}
			errs = append(errs, exceptionErrors(it)...)
		default:
			fail("line %d: unexpected entry %q", it.line, it.kind)
		}
	}
	// Falco warns about macros and lists nothing uses.
	for name := range macros {
		if !used[name] {
			fail("macro %s is never used", name)
		}
	}
	for name := range lists {
		if !used[name] {
			fail("list %s is never used", name)
		}
	}
	return errs, nRules
}

func TestDefaultStructure(t *testing.T) {
	doc := Default()
	doc[0] ^= 0xff // Default returns a copy
	if Default()[0] == doc[0] {
		t.Fatal("Default does not return a copy")
	}
	errs, n := structureErrors(t, Default())
	for _, e := range errs {
		t.Error(e)
	}
	if n < 20 {
		t.Errorf("only %d rules", n)
	}
	t.Logf("%d rules", n)
}

// TestStructureCheckerRejects feeds broken files to the checks above.
func TestStructureCheckerRejects(t *testing.T) {
	cases := []struct{ doc, want string }{
		{"- rule: r\n  desc: d\n  condition: evt.type = open and undefined_macro\n  output: \"%proc.name %user.name\"\n  priority: WARNING\n  tags: [mitre_execution, T1059]\n", "uses macro undefined_macro"},
		{"- rule: r\n  desc: d\n  condition: proc.name = bash\n  output: \"%proc.name %user.name\"\n  priority: WARNING\n  tags: [mitre_execution, T1059]\n", "does not restrict evt.type"},
		{"- rule: r\n  desc: d\n  condition: evt.type = open\n  output: \"%proc.name %user.name\"\n  priority: LOUD\n  tags: [mitre_execution, T1059]\n", "unknown priority"},
		{"- rule: r\n  desc: d\n  condition: evt.type = open\n  output: \"%proc.name %user.name\"\n  priority: WARNING\n  tags: [shell]\n", "MITRE"},
		{"- rule: r\n  condition: evt.type = open\n  output: \"%proc.name %user.name\"\n  priority: WARNING\n  tags: [mitre_execution, T1059]\n", "has no desc"},
		{"- macro: m\n  condition: evt.type = open\n- list: l\n  items: [a]\n", "macro m is never used"},
		{"- list: l\n  items: [a]\n", "list l is never used"},
		{"- rule: r\n  desc: d\n  condition: evt.type = open\n  output: \"%proc.name %user.name\"\n  priority: WARNING\n  tags: [mitre_execution, T1059]\n  exceptions:\n    - name: e\n      fields: [proc.name, fd.name]\n      comps: [=]\n", "as many comps as fields"},
	}
	for _, c := range cases {
		errs, _ := structureErrors(t, []byte(c.doc))
		if !slices.ContainsFunc(errs, func(e string) bool { return strings.Contains(e, c.want) }) {
			t.Errorf("%q: want an error containing %q, got %q", c.doc, c.want, errs)
		}
	}
}

// usesEvtType reports whether cond, with its macros expanded, mentions evt.type.
func usesEvtType(cond string, macros map[string]string, lists map[string]bool, depth int) bool {
	if depth > 20 {
		return false
	}
	r, err := parseCondition(cond, lists)
	if err != nil {
		return false
	}
	if slices.Contains(r.fields, "evt.type") {
		return true
	}
	for _, m := range r.macros {
		if usesEvtType(macros[m], macros, lists, depth+1) {
			return true
		}
	}
	return false
}

func exceptionErrors(it item) []string {
	var errs []string
	ex := it.child("exceptions")
	if ex == nil {
		return nil
	}
	for _, e := range ex.Content {
		var x struct {
			Name   string     `yaml:"name"`
			Fields []string   `yaml:"fields"`
			Comps  []string   `yaml:"comps"`
			Values [][]string `yaml:"values"`
		}
		if err := e.Decode(&x); err != nil {
			errs = append(errs, fmt.Sprintf("line %d: rule %q exception: %v", e.Line, it.name, err))
			continue
		}
		if x.Name == "" || len(x.Fields) == 0 || len(x.Comps) != len(x.Fields) {
			errs = append(errs, fmt.Sprintf("line %d: rule %q exception %q: want a name and as many comps as fields", e.Line, it.name, x.Name))
		}
		for _, v := range x.Values {
			if len(v) != len(x.Fields) {
				errs = append(errs, fmt.Sprintf("line %d: rule %q exception %q: value %v does not have %d members", e.Line, it.name, x.Name, v, len(x.Fields)))
			}
		}
	}
	return errs
}

// TestDefaultFields checks every field the conditions, outputs and exceptions
// name against libsinsp's field list and the event table in ../shared.
func TestDefaultFields(t *testing.T) {
	fs := loadFieldSet(t, testenv.SharedDir(t, "spec/sinsp_fields_current.tsv"))
	lists := map[string]bool{}
	checked := 0
	for _, it := range parseItems(t, Default()) {
		var fields []string
		switch it.kind {
		case "list":
			lists[it.name] = true
			continue
		case "macro", "rule":
			cond, _ := it.str("condition")
			r, err := parseCondition(cond, lists)
			if err != nil {
				t.Errorf("line %d: %s %s: %v", it.line, it.kind, it.name, err)
				continue
			}
			fields = r.fields
		default:
			continue
		}
		if out, ok := it.str("output"); ok {
			for _, m := range outputFieldRE.FindAllStringSubmatch(out, -1) {
				fields = append(fields, m[1])
			}
		}
		if ex := it.child("exceptions"); ex != nil {
			for _, e := range ex.Content {
				var x struct {
					Fields []string `yaml:"fields"`
				}
				e.Decode(&x)
				fields = append(fields, x.Fields...)
			}
		}
		for _, f := range fields {
			checked++
			if err := fs.check(f); err != nil {
				t.Errorf("line %d: %s %q: %v", it.line, it.kind, it.name, err)
			}
		}
	}
	t.Logf("%d field references checked", checked)
}

// TestFieldCheckerRejects makes sure the checks above can fail.
func TestFieldCheckerRejects(t *testing.T) {
	fs := loadFieldSet(t, testenv.SharedDir(t, "spec/sinsp_fields_current.tsv"))
	for _, f := range []string{"proc.nam", "evt.arg.nosuchparam", "proc.name[2]", "container.nosuch", "fd.name"} {
		err := fs.check(f)
		if (err == nil) != (f == "fd.name") {
			t.Errorf("check(%s) = %v", f, err)
		}
	}
	if _, err := parseCondition("proc.name in (undefined_list_name)", map[string]bool{}); err == nil {
		t.Error("undefined list accepted")
	}
	if _, err := parseCondition("(proc.name = a", nil); err == nil {
		t.Error("unbalanced parenthesis accepted")
	}
	r, err := parseCondition(`spawned_process and not proc.aname[2] in (a, "b c") and fd.name exists`, nil)
	if err != nil || !slices.Equal(r.macros, []string{"spawned_process"}) || !slices.Equal(r.fields, []string{"proc.aname[2]", "fd.name"}) {
		t.Errorf("parse: %+v %v", r, err)
	}
}

// TestRulesDocumented checks that docs/ruleset.md has a row for every rule.
func TestRulesDocumented(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(testenv.ModuleRoot(t), "docs", "ruleset.md"))
	if err != nil {
		t.Fatalf("docs/ruleset.md: %v", err)
	}
	doc := string(b)
	for _, it := range parseItems(t, Default()) {
		if it.kind == "rule" && !strings.Contains(doc, "| "+it.name+" |") {
			t.Errorf("rule %q has no row in docs/ruleset.md", it.name)
		}
	}
}
