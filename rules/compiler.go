package rules

import (
	"errors"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v3"

	"github.com/syscope/syscope/filter"
)

// parseMaxDepth is the nesting the loader accepts in conditions: rules
// files nest macros deeply.
const parseMaxDepth = 1000

// Compile compiles everything added so far into a ruleset: lists are
// expanded into conditions (as text, before parsing), exceptions are added
// to their rule's condition, macros are resolved in the parsed conditions
// (a macro sees the macros defined before it; rules see all), every
// condition is checked against its source's fields, and each rule gets the
// set of event types it can match. Errors and warnings are added to res
// (a new Result when res is nil); the ruleset is incomplete when res has
// errors.
func (l *Loader) Compile(res *Result) *Ruleset {
	if res == nil {
		res = &Result{Schema: "none"}
	}
	c := &ruleCompiler{l: l, res: res, rs: &Ruleset{}}
	func() {
		defer catch(res)
		c.lists()
		c.macros()
		c.rules()
	}()
	if !res.OK() {
		return c.rs
	}
	for _, m := range c.rs.Macros {
		if !m.Used {
			res.addWarning(WarnUnusedMacro, "Macro not referred to by any other rule/macro", l.col.macros.at(m.Name).ctx)
		}
	}
	for _, li := range c.rs.Lists {
		if !li.Used {
			res.addWarning(WarnUnusedList, "List not referred to by any other rule/macro", l.col.lists.at(li.Name).ctx)
		}
	}
	if l.col.engine != (version{}) {
		c.rs.RequiredEngineVersion = l.col.engine.String()
	}
	c.rs.RequiredPluginVersions = append([]PluginRequirement(nil), l.col.plugins...)
	return c.rs
}

type ruleCompiler struct {
	l        *Loader
	res      *Result
	rs       *Ruleset
	macroSet map[string]*Macro
}

func (c *ruleCompiler) lists() {
	col := &c.l.col
	byName := map[string]*List{}
	var used []string
	for _, li := range col.lists.items {
		out := &List{Name: li.name, Items: []string{}}
		for _, item := range li.items {
			if ref := col.lists.at(item); ref != nil && ref.index < li.visibility {
				used = append(used, ref.name)
				out.Items = append(out.Items, ref.items...)
			} else {
				out.Items = append(out.Items, item)
			}
		}
		c.rs.Lists = append(c.rs.Lists, out)
		byName[out.Name] = out
	}
	for _, n := range used {
		byName[n].Used = true
	}
}

func (c *ruleCompiler) macros() {
	col := &c.l.col
	c.macroSet = map[string]*Macro{}
	for _, mi := range col.macros.items {
		m := &Macro{Name: mi.name, Condition: mi.cond}
		m.Compiled = c.parse(mi.cond, mi.ctx, mi.condNode, "macro condition")
		c.rs.Macros = append(c.rs.Macros, m)
		c.macroSet[m.Name] = m
	}
	for _, m := range c.rs.Macros {
		mi := col.macros.at(m.Name)
		visible := map[string]filter.Expr{}
		for _, other := range col.macros.items {
			if other.index < mi.visibility {
				visible[other.name] = c.macroSet[other.name].Compiled
			}
		}
		m.Compiled = c.resolve(m.Compiled, visible, mi.cond, mi.ctx, mi.condNode)
	}
}

// expandLists substitutes list names in a condition's text by their items,
// where the name stands alone (delimited by the start or end of the text,
// a blank, a parenthesis, a comma or '='); items holding a blank are
// quoted. It reports whether a substitution happened.
func expandLists(cond string, list *List) (string, bool) {
	const blanks = " \t\n\r"
	const delims = blanks + "(),="
	used := false
	start := strings.Index(cond, list.Name)
	for start >= 0 {
		end := start + len(list.Name)
		if (start == 0 || strings.IndexByte(delims, cond[start-1]) >= 0) &&
			(end >= len(cond) || strings.IndexByte(delims, cond[end]) >= 0) {
			for start > 0 && strings.IndexByte(blanks, cond[start-1]) >= 0 {
				start--
			}
			for end < len(cond) && strings.IndexByte(blanks, cond[end]) >= 0 {
				end++
			}
			var sub strings.Builder
			for _, v := range list.Items {
				if sub.Len() > 0 {
					sub.WriteString(", ")
				}
				sub.WriteString(quoteItem(v))
			}
			if sub.Len() == 0 {
				if start > 0 && cond[start-1] == ',' {
					start--
				} else if end < len(cond) && cond[end] == ',' {
					end++
				}
			}
			var b strings.Builder
			if start > 0 {
				b.WriteString(cond[:start])
				b.WriteByte(' ')
			}
			b.WriteString(sub.String())
			b.WriteByte(' ')
			if end <= len(cond) {
				b.WriteString(cond[end:])
			}
			cond = b.String()
			start += sub.Len() + 1
			used = true
		}
		if start+1 > len(cond) {
			break
		}
		next := strings.Index(cond[start+1:], list.Name)
		if next < 0 {
			break
		}
		start += 1 + next
	}
	return cond, used
}

// quoteItem quotes a list item or exception value holding a blank (unless
// it is already quoted).
func quoteItem(s string) string {
	if strings.Contains(s, " ") && s != "" && s[0] != '"' && s[0] != '\'' {
		return `"` + s + `"`
	}
	return s
}

// parse expands the lists in a condition and parses it.
func (c *ruleCompiler) parse(cond string, ctx []Location, node *yaml.Node, kind string) filter.Expr {
	for _, li := range c.rs.Lists {
		var used bool
		cond, used = expandLists(cond, li)
		if used {
			li.Used = true
		}
	}
	e, err := filter.ParseWith(cond, &filter.Options{MaxDepth: parseMaxDepth})
	if err != nil {
		var se *filter.SyntaxError
		msg := err.Error()
		pos := filter.Pos{Line: 1, Col: 1}
		if errors.As(err, &se) {
			msg, pos = se.Msg, se.Pos
		}
		throw(ErrCompileCondition, msg, condContext(ctx, node, cond, pos))
	}
	return e
}

// condContext locates a position of a condition in its rules file.
func condContext(ctx []Location, node *yaml.Node, cond string, pos filter.Pos) []Location {
	l := Location{File: ctx[0].File, Kind: "condition expression", Offset: -1}
	short := cond
	if len(short) > 20 {
		short = short[:17] + "..."
	}
	l.Name = strings.NewReplacer("\n", " ", "\r", " ").Replace(short)
	if node == nil {
		last := ctx[len(ctx)-1]
		l.Line, l.Col = last.Line, last.Col
		return with(ctx, l)
	}
	switch node.Style {
	case yaml.LiteralStyle, yaml.FoldedStyle:
		l.Line = node.Line + pos.Line
		l.Col = pos.Col + node.Column + 1
		if node.Style == yaml.FoldedStyle {
			l.Line, l.Col = node.Line+1, node.Column+2
		}
	default:
		l.Line = node.Line + pos.Line - 1
		if pos.Line == 1 {
			l.Col = node.Column + pos.Col - 1
			if node.Style == yaml.DoubleQuotedStyle || node.Style == yaml.SingleQuotedStyle {
				l.Col++
			}
		} else {
			l.Col = pos.Col
		}
	}
	return with(ctx, l)
}

// resolve replaces the macro identifiers of e by the macros' conditions.
func (c *ruleCompiler) resolve(e filter.Expr, visible map[string]filter.Expr, cond string, ctx []Location, node *yaml.Node) filter.Expr {
	r := &macroResolver{macros: visible}
	e = r.run(e)
	if r.errMsg == "" && r.unknown != "" {
		r.errMsg, r.errPos = "Undefined macro '"+r.unknown+"' used in filter.", r.unknownPos
	}
	if r.errMsg != "" {
		throw(ErrValidate, r.errMsg, condContext(ctx, node, cond, r.errPos))
	}
	for _, name := range r.resolved {
		c.macroSet[name].Used = true
	}
	return e
}

// maxExpansion bounds the size of a condition after macro resolution, so
// that macros doubling each other cannot exhaust memory.
const maxExpansion = 1 << 20

type macroResolver struct {
	nodes      int
	macros     map[string]filter.Expr
	path       []string
	resolved   []string
	errMsg     string
	errPos     filter.Pos
	unknown    string
	unknownPos filter.Pos
}

func (r *macroResolver) run(e filter.Expr) filter.Expr {
	return filter.Substitute(e, func(n filter.Expr) filter.Expr {
		id, ok := n.(*filter.IdentExpr)
		if !ok {
			return nil
		}
		body, ok := r.macros[id.Name]
		if !ok || body == nil {
			if r.unknown == "" {
				r.unknown, r.unknownPos = id.Name, id.Pos
			}
			return nil
		}
		for _, p := range r.path {
			if p == id.Name {
				if r.errMsg == "" {
					r.errMsg, r.errPos = "reference loop in macro '"+id.Name+"'", id.Pos
				}
				return nil
			}
		}
		filter.Walk(body, func(filter.Expr) bool { r.nodes++; return r.nodes <= maxExpansion })
		if r.nodes > maxExpansion {
			if r.errMsg == "" {
				r.errMsg, r.errPos = "condition too large after expanding macro '"+id.Name+"'", id.Pos
			}
			return nil
		}
		r.path = append(r.path, id.Name)
		sub := r.run(filter.Clone(body))
		r.path = r.path[:len(r.path)-1]
		r.resolved = append(r.resolved, id.Name)
		return sub
	})
}

// buildExceptions appends a rule's exceptions to its condition, as text, in
// Falco's form: "(cond) and not (exception 1) and not (exception 2)...".
// It returns the fields the exceptions compare.
func buildExceptions(exs []exceptionInfo, cond string) (string, []string) {
	var fields []string
	addField := func(f string) {
		for _, x := range fields {
			if x == f {
				return
			}
		}
		fields = append(fields, f)
	}
	cond = "(" + cond + ")"
	for _, ex := range exs {
		var ic strings.Builder
		if !ex.fields.isList {
			for _, v := range ex.values {
				if v.isList {
					throw(ErrValidate, "Expected values array to contain a list of strings", ex.ctx)
				}
				if ic.Len() == 0 {
					ic.WriteString("(" + ex.fields.item + " " + ex.comps.item + " (")
				} else {
					ic.WriteString(", ")
				}
				addField(ex.fields.item)
				ic.WriteString(quoteItem(v.item))
			}
			if ic.Len() > 0 {
				ic.WriteString("))")
			}
		} else {
			ic.WriteString("(")
			first := true
			for _, vals := range ex.values {
				if len(ex.fields.items) != len(vals.items) {
					throw(ErrValidate, "Fields and values lists must have equal length", ex.ctx)
				}
				if !first {
					ic.WriteString(" or ")
				}
				first = false
				ic.WriteString("(")
				for k, f := range ex.fields.items {
					if k > 0 {
						ic.WriteString(" and ")
					}
					var istr string
					if vals.items[k].isList {
						var b strings.Builder
						b.WriteString("(")
						for j, v := range vals.items[k].items {
							if j > 0 {
								b.WriteString(", ")
							}
							b.WriteString(quoteItem(v.item))
						}
						b.WriteString(")")
						istr = b.String()
					} else {
						istr = vals.items[k].item
						if filter.ListOperator(ex.comps.items[k].item) {
							if istr == "" || istr[0] != '(' {
								istr = "(" + istr + ")"
							}
						} else {
							istr = quoteItem(istr)
						}
					}
					ic.WriteString(" " + f.item + " " + ex.comps.items[k].item + " " + istr)
					addField(f.item)
				}
				ic.WriteString(")")
			}
			ic.WriteString(")")
			if ic.String() == "()" {
				ic.Reset()
			}
		}
		if ic.Len() > 0 {
			cond += " and not " + ic.String()
		}
	}
	return cond, fields
}

const containerInfo = "%container.info"

var deprecatedFields = []string{"evt.dir", "evt.latency", "evt.latency.s", "evt.latency.ns", "evt.latency.human", "evt.wait_latency"}

const evtDirDeprecation = "due to the drop of enter events, 'evt.dir = <' always evaluates to true, and 'evt.dir = >' always evaluates to false. The rule expression can be simplified by removing the condition on 'evt.dir'"
const latencyDeprecation = "field is not available due to the drop of enter events."

func deprecationText(f string) string {
	if f == "evt.dir" {
		return evtDirDeprecation
	}
	return latencyDeprecation
}

func (c *ruleCompiler) rules() {
	col := &c.l.col
	for _, ri := range col.rules.items {
		if ri.unknownSource {
			continue
		}
		schema := c.l.opts.Sources[ri.source]
		cond := ri.cond
		var exFields []string
		if len(ri.exceptions) > 0 {
			cond, exFields = buildExceptions(ri.exceptions, cond)
		}
		r := &Rule{
			Name: ri.name, Description: ri.desc, Condition: ri.cond, Output: ri.output,
			Priority: ri.priority, Source: ri.source, Tags: append([]string{}, ri.tags...),
			Enabled: ri.enabled, Capture: ri.capture, CaptureDuration: ri.captureDuration,
			WarnEvttypes: ri.warnEvttypes, SkipUnknown: ri.skipUnknown,
			ExceptionFields: exFields, Location: ri.ctx[len(ri.ctx)-1],
		}
		for _, ao := range c.l.opts.AppendOutput {
			if !appendApplies(ao, ri) {
				continue
			}
			if ao.Key != "" {
				if r.ExtraFields == nil {
					r.ExtraFields = map[string]string{}
				}
				r.ExtraFields[ao.Key] = ao.Format
			} else {
				r.Output += " " + ao.Format
			}
		}
		if strings.Contains(r.Output, containerInfo) {
			c.res.addWarning(WarnDeprecatedItem, "%container.info is deprecated and no more useful, and will be dropped by Falco 1.0.0. The container plugin will automatically add required fields to the output message.", ri.ctx)
			r.Output = strings.ReplaceAll(r.Output, containerInfo, "")
		}
		outCtx := ri.outputCtx
		if outCtx == nil {
			outCtx = ri.ctx
		}
		if schema != nil {
			if err := checkOutput(r.Output, schema); err != nil {
				if ri.skipUnknown && errors.Is(err, filter.ErrUnknownField) {
					c.res.addWarning(WarnUnknownFilter, err.Error(), outCtx)
					continue
				}
				throw(ErrCompileOutput, err.Error(), outCtx)
			}
			for _, f := range r.ExtraFields {
				if err := checkOutput(f, schema); err != nil {
					throw(ErrCompileOutput, err.Error(), outCtx)
				}
			}
		}
		for _, f := range deprecatedFields {
			if strings.Contains(r.Output, f) {
				c.res.addWarning(WarnDeprecatedItem, "usage of deprecated field '"+f+"' has been detected in the rule output", outCtx)
			}
		}
		compiled, ok := c.condition(ri, cond, schema)
		if !ok {
			continue
		}
		r.Compiled = compiled
		r.EventTypes = AllTypes()
		if ri.source == SyscallSource {
			ts, err := EventTypes(compiled)
			if err != nil {
				throw(ErrCompileCondition, err.Error(), condContext(ri.ctx, ri.condNode, cond, filter.Pos{Line: 1, Col: 1}))
			}
			r.EventTypes = ts
			if ts.Len() > 100 && ri.warnEvttypes {
				c.res.addWarning(WarnNoEvttype, "Rule matches too many evt.type values. This has a significant performance penalty.", ri.ctx)
			}
		}
		r.ID = len(c.rs.Rules)
		c.rs.Rules = append(c.rs.Rules, r)
	}
}

func appendApplies(ao AppendOutput, ri *ruleInfo) bool {
	if ao.Source != "" && ao.Source != ri.source {
		return false
	}
	if ao.Rule != "" && ao.Rule != ri.name {
		return false
	}
	for _, t := range ao.Tags {
		found := false
		for _, x := range ri.tags {
			if x == t {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// condition parses, resolves and checks a rule's condition. It returns
// false when the rule is skipped (skip-if-unknown-filter).
func (c *ruleCompiler) condition(ri *ruleInfo, cond string, schema filter.Schema) (filter.Expr, bool) {
	e := c.parse(cond, ri.ctx, ri.condNode, "rule condition")
	all := make(map[string]filter.Expr, len(c.macroSet))
	for name, m := range c.macroSet {
		all[name] = m.Compiled
	}
	e = c.resolve(e, all, cond, ri.ctx, ri.condNode)
	ctx := condContext(ri.ctx, ri.condNode, cond, filter.Pos{Line: 1, Col: 1})
	c.conditionWarnings(e, ctx)

	fail := func(msg string, unknown bool, pos filter.Pos) bool {
		pctx := condContext(ri.ctx, ri.condNode, cond, pos)
		if unknown && ri.skipUnknown {
			c.res.addWarning(WarnUnknownFilter, msg, pctx)
			return false
		}
		throw(ErrCompileCondition, msg, pctx)
		return false
	}
	if schema != nil {
		if err := filter.Check(e, schema); err != nil {
			var ce *filter.CompileError
			pos := filter.Pos{Line: 1, Col: 1}
			msg := err.Error()
			if errors.As(err, &ce) {
				pos, msg = ce.Pos, ce.Msg
			}
			return nil, fail(msg, errors.Is(err, filter.ErrUnknownField), pos)
		}
	}
	if ri.source == SyscallSource {
		if name, pos, bad := unknownEventType(e); bad {
			return nil, fail("unknown event type "+name, true, pos)
		}
	}
	c.valueWarnings(e, cond, ri, schema)
	return e, true
}

// unknownEventType finds an evt.type comparison with a name that is
// neither an event nor a system call.
func unknownEventType(e filter.Expr) (string, filter.Pos, bool) {
	var name string
	var pos filter.Pos
	filter.Walk(e, func(n filter.Expr) bool {
		b, ok := n.(*filter.BinaryCheck)
		if !ok || name != "" {
			return name == ""
		}
		f, ok := b.Left.(*filter.FieldExpr)
		if !ok || (f.Name != "evt.type" && f.Name != "syscall.type") || f.HasArg {
			return false
		}
		switch b.Op {
		case "=", "==", "!=", "in", "intersects":
		default:
			return false
		}
		var vals []string
		switch r := b.Right.(type) {
		case *filter.ValueExpr:
			vals = []string{r.Value}
		case *filter.ListExpr:
			vals = r.Values
		}
		for _, v := range vals {
			if !KnownEventName(v) {
				name, pos = v, b.Right.Position()
				return false
			}
		}
		return false
	})
	return name, pos, name != ""
}

// conditionWarnings reports deprecated fields and <NA> comparisons.
func (c *ruleCompiler) conditionWarnings(e filter.Expr, ctx []Location) {
	deprecated := map[string]bool{}
	unsafeNA := false
	filter.Walk(e, func(n filter.Expr) bool {
		switch x := n.(type) {
		case *filter.FieldExpr:
			for _, f := range deprecatedFields {
				if x.Name == f {
					deprecated[f] = true
				}
			}
		case *filter.BinaryCheck:
			f, ok := x.Left.(*filter.FieldExpr)
			if ok && (strings.HasPrefix(f.Name, "ka.") || strings.HasPrefix(f.Name, "jevt.")) {
				switch x.Op {
				case "==", "=", "!=", "in", "intersects", "pmatch":
					switch r := x.Right.(type) {
					case *filter.ValueExpr:
						unsafeNA = unsafeNA || r.Value == "<NA>"
					case *filter.ListExpr:
						for _, v := range r.Values {
							unsafeNA = unsafeNA || v == "<NA>"
						}
					}
				}
			}
		}
		return true
	})
	if unsafeNA {
		c.res.addWarning(WarnUnsafeNACheck, "", ctx)
	}
	for _, f := range deprecatedFields {
		if deprecated[f] {
			c.res.addWarning(WarnDeprecatedItem, deprecationText(f), ctx)
		}
	}
}

// valueWarnings reports constants that look like a mistake: a field name
// or a transformer used as a string, or a regular expression that a
// simpler operator could replace.
func (c *ruleCompiler) valueWarnings(e filter.Expr, cond string, ri *ruleInfo, schema filter.Schema) {
	filter.Walk(e, func(n filter.Expr) bool {
		b, ok := n.(*filter.BinaryCheck)
		if !ok {
			return true
		}
		var vals []string
		switch r := b.Right.(type) {
		case *filter.ValueExpr:
			vals = []string{r.Value}
		case *filter.ListExpr:
			vals = r.Values
		default:
			return false
		}
		ctx := condContext(ri.ctx, ri.condNode, cond, b.Right.Position())
		for _, v := range vals {
			nospaces := strings.Map(func(r rune) rune {
				if unicode.IsSpace(r) {
					return -1
				}
				return r
			}, v)
			if strings.HasPrefix(b.Op, "regex") && regexLooksSimple(v) {
				c.res.addWarning(WarnCompileCondition, "regex check with '"+v+"' may be optimized with simpler operators such as '=', 'contains', 'startswith', 'endswith'", ctx)
			}
			if schema != nil && looksLikeField(nospaces, schema) {
				c.res.addWarning(WarnCompileCondition, "'"+v+"' may be a valid field misused as a const string value", ctx)
			}
			for _, t := range filter.Transformers() {
				if len(nospaces) >= len(t)+2 && strings.HasPrefix(nospaces, t+"(") && strings.HasSuffix(nospaces, ")") {
					c.res.addWarning(WarnCompileCondition, "'"+v+"' may be a valid field transformer misused as a const string value", ctx)
				}
			}
		}
		return false
	})
}

// looksLikeField reports whether s is the name of a field (with an
// optional argument).
func looksLikeField(s string, schema filter.Schema) bool {
	e, err := filter.Parse(s + " exists")
	if err != nil {
		return false
	}
	u, ok := e.(*filter.UnaryCheck)
	if !ok {
		return false
	}
	f, ok := u.Left.(*filter.FieldExpr)
	if !ok {
		return false
	}
	_, err = schema.Lookup(f.Ref())
	return err == nil
}

// regexLooksSimple reports a regular expression with no special character
// other than anchors at its ends and a wildcard run at its start or end.
func regexLooksSimple(v string) bool {
	const special = ".+*?^$()[]{}|\\"
	n := len(v)
	for i := 0; i < n; i++ {
		if (i == 0 && v[i] == '^') || (i == n-1 && v[i] == '$') {
			continue
		}
		if ((i == 0 && n > 1) || i == n-2) && v[i] == '.' && i+1 < n && strings.IndexByte("+*?", v[i+1]) >= 0 {
			i++
			continue
		}
		if strings.IndexByte(special, v[i]) >= 0 {
			return false
		}
	}
	return true
}

// checkOutput checks the %fields of an output format. A field name is the
// longest run after '%' that names a field (so "%fd.name." is fd.name
// followed by a dot); "%%" is a literal percent sign.
func checkOutput(format string, schema filter.Schema) error {
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		if i+1 < len(format) && format[i+1] == '%' {
			i++
			continue
		}
		j := i + 1
		if j < len(format) && format[j] == '(' {
			end := strings.IndexByte(format[j:], ')')
			if end < 0 {
				return errors.New("invalid formatting token: missing ')' in " + format[i:])
			}
			inner := format[j+1 : j+end]
			if !fieldPrefixOK(inner, schema, true) {
				return unknownOutputField(inner)
			}
			i = j + end
			continue
		}
		for j < len(format) && (isFieldChar(format[j])) {
			j++
		}
		if j < len(format) && format[j] == '[' {
			if end := strings.IndexByte(format[j:], ']'); end > 0 {
				j += end + 1
			}
		}
		tok := format[i+1 : j]
		if tok == "" {
			return errors.New("invalid formatting token: '%' not followed by a field")
		}
		if !fieldPrefixOK(tok, schema, false) {
			return unknownOutputField(tok)
		}
		i = j - 1
	}
	return nil
}

func unknownOutputField(tok string) error {
	return &outputError{tok}
}

type outputError struct{ tok string }

func (e *outputError) Error() string { return "invalid formatting token " + e.tok + ": unknown field" }
func (e *outputError) Unwrap() error { return filter.ErrUnknownField }

func isFieldChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.'
}

// fieldPrefixOK reports whether tok, or (unless exact) a prefix of it,
// names a field.
func fieldPrefixOK(tok string, schema filter.Schema, exact bool) bool {
	lookup := func(s string) bool {
		e, err := filter.Parse(s + " exists")
		if err != nil {
			return false
		}
		u, ok := e.(*filter.UnaryCheck)
		if !ok {
			return false
		}
		f, ok := u.Left.(*filter.FieldExpr)
		if !ok {
			return false
		}
		_, err = schema.Lookup(f.Ref())
		return err == nil
	}
	if lookup(tok) {
		return true
	}
	if exact {
		return false
	}
	if k := strings.IndexByte(tok, '['); k >= 0 {
		tok = tok[:k]
	}
	for n := len(tok) - 1; n > 0; n-- {
		if lookup(strings.TrimRight(tok[:n], ".")) {
			return true
		}
	}
	return false
}
