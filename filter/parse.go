package filter

import (
	"fmt"
	"strings"
)

// SyntaxError is a filter that does not parse. Pos is where the parser
// stopped.
type SyntaxError struct {
	Pos Pos
	Msg string
}

// Error returns "filter: line:col: message".
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("filter: %d:%d: %s", e.Pos.Line, e.Pos.Col, e.Msg)
}

// DefaultMaxDepth bounds the parser's nesting (parentheses, not, and/or
// chains, transformers) so that hostile input cannot exhaust the stack.
const DefaultMaxDepth = 100

// Options tune Parse. The zero value means defaults.
type Options struct {
	// MaxDepth is the deepest nesting accepted; 0 means DefaultMaxDepth.
	MaxDepth int
}

// Parse parses a filter with default options.
func Parse(text string) (Expr, error) { return ParseWith(text, nil) }

// ParseWith parses a filter. Errors are *SyntaxError.
func ParseWith(text string, opts *Options) (Expr, error) {
	p := &parser{in: text, pos: Pos{Line: 1, Col: 1}, maxDepth: DefaultMaxDepth}
	if opts != nil && opts.MaxDepth > 0 {
		p.maxDepth = opts.MaxDepth
	}
	return p.run()
}

// The operators, in the order the lexer tries them (longer spellings
// first where one is a prefix of another). A trailing blank means the
// keyword must be followed by white space.
var (
	unaryOps  = []string{"exists"}
	numOps    = []string{"<=", "<", ">=", ">"}
	strOps    = []string{"==", "=", "!=", "glob ", "iglob ", "contains ", "icontains ", "bcontains ", "startswith ", "bstartswith ", "endswith ", "regex "}
	modifiers = []string{"oneof ", "anyof ", "allof "}
	listOps   = []string{"intersects", "in", "pmatch"}
	// transformers, each written with its opening parenthesis.
	transformerNames = []string{"tolower(", "toupper(", "b64(", "basename(", "len(", "join(", "concat(", "getopt("}
)

// Operators returns every comparison operator of the language (without
// modifiers).
func Operators() []string {
	var out []string
	for _, l := range [][]string{unaryOps, numOps, strOps, listOps} {
		for _, o := range l {
			out = append(out, strings.TrimSpace(o))
		}
	}
	return out
}

// Transformers returns the names of the field transformers, val included.
func Transformers() []string {
	out := []string{"val"}
	for _, t := range transformerNames {
		out = append(out, strings.TrimSuffix(t, "("))
	}
	return out
}

type parser struct {
	in       string
	pos      Pos
	tok      string // the last token lexed (blanks excepted)
	depth    int
	maxDepth int
}

type bail struct{ err *SyntaxError }

func (p *parser) fail(format string, args ...any) {
	panic(bail{&SyntaxError{Pos: p.pos, Msg: fmt.Sprintf(format, args...)}})
}

func (p *parser) run() (e Expr, err error) {
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(bail)
			if !ok {
				panic(r)
			}
			e, err = nil, b.err
		}
	}()
	if p.in == "" {
		p.fail("empty filter")
	}
	e = p.parseOr()
	if p.pos.Offset != len(p.in) {
		if p.tok == "" {
			p.fail("unexpected %s, expected a filter", p.describeNext())
		}
		p.fail("unexpected %s after '%s', expected 'and' or 'or'", p.describeNext(), p.tok)
	}
	return e, nil
}

func (p *parser) describeNext() string {
	rest := p.in[p.pos.Offset:]
	if rest == "" {
		return "end of filter"
	}
	n := 0
	for n < len(rest) && n < 16 && !isSpace(rest[n]) {
		n++
	}
	if n == 0 {
		return fmt.Sprintf("%q", rest[:1])
	}
	return "'" + rest[:n] + "'"
}

func (p *parser) enter() {
	p.depth++
	if p.depth >= p.maxDepth {
		p.fail("nesting deeper than %d", p.maxDepth)
	}
}

func (p *parser) leave() { p.depth-- }

// advance moves the cursor over n bytes, keeping line and column.
func (p *parser) advance(n int) {
	for i := 0; i < n; i++ {
		c := p.in[p.pos.Offset]
		p.pos.Col++
		if c == '\r' || c == '\n' {
			p.pos.Col = 1
			p.pos.Line++
		}
		p.pos.Offset++
	}
}

func (p *parser) rest() string { return p.in[p.pos.Offset:] }

func (p *parser) peek() byte {
	if p.pos.Offset < len(p.in) {
		return p.in[p.pos.Offset]
	}
	return 0
}

// take consumes n bytes as the current token.
func (p *parser) take(n int) string {
	t := p.in[p.pos.Offset : p.pos.Offset+n]
	p.advance(n)
	p.tok = t
	return t
}

// lexBlank skips the blanks the grammar allows between tokens.
func (p *parser) lexBlank() bool {
	found := false
	for p.pos.Offset < len(p.in) {
		switch p.in[p.pos.Offset] {
		case ' ', '\t', '\b', '\r', '\n':
			found = true
			p.advance(1)
			continue
		}
		break
	}
	return found
}

// isSpace is the POSIX [:space:] class.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isWord(c byte) bool  { return isAlpha(c) || isDigit(c) || c == '_' }
func isHex(c byte) bool   { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func (p *parser) lexStr(s string) bool {
	if strings.HasPrefix(p.rest(), s) {
		p.take(len(s))
		return true
	}
	return false
}

// identLen is the length of an identifier at the start of s.
func identLen(s string) int {
	if s == "" || !isAlpha(s[0]) {
		return 0
	}
	n := 1
	for n < len(s) && isWord(s[n]) {
		n++
	}
	return n
}

// fieldNameLen is the length of a dotted field name at the start of s
// (an identifier followed by one or more ".identifier").
func fieldNameLen(s string) int {
	n := identLen(s)
	if n == 0 {
		return 0
	}
	dots := 0
	for n < len(s) && s[n] == '.' {
		m := identLen(s[n+1:])
		if m == 0 {
			break
		}
		n += 1 + m
		dots++
	}
	if dots == 0 {
		return 0
	}
	return n
}

func (p *parser) lexIdentifier() bool {
	if n := identLen(p.rest()); n > 0 {
		p.take(n)
		return true
	}
	return false
}

func (p *parser) lexFieldName() bool {
	if n := fieldNameLen(p.rest()); n > 0 {
		p.take(n)
		return true
	}
	return false
}

func (p *parser) lexFieldArgBare() bool {
	s := p.rest()
	n := 0
	for n < len(s) {
		c := s[n]
		if c == '[' || c == ']' || c == '"' || c == '\'' || isSpace(c) {
			break
		}
		n++
	}
	if n == 0 {
		return false
	}
	p.take(n)
	return true
}

func (p *parser) lexHexNum() bool {
	s := p.rest()
	if len(s) < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || !isHex(s[2]) {
		return false
	}
	n := 3
	for n < len(s) && isHex(s[n]) {
		n++
	}
	p.take(n)
	return true
}

func numLen(s string) int {
	n := 0
	if n < len(s) && (s[n] == '+' || s[n] == '-') {
		n++
	}
	d := n
	for n < len(s) && isDigit(s[n]) {
		n++
	}
	if n == d {
		return 0
	}
	if n < len(s) && s[n] == '.' {
		n++
	}
	for n < len(s) && isDigit(s[n]) {
		n++
	}
	if n+2 < len(s) && (s[n] == 'e' || s[n] == 'E') && (s[n+1] == '+' || s[n+1] == '-') && isDigit(s[n+2]) {
		n += 2
		for n < len(s) && isDigit(s[n]) {
			n++
		}
	}
	return n
}

func (p *parser) lexNum() bool {
	if n := numLen(p.rest()); n > 0 {
		p.take(n)
		return true
	}
	return false
}

// lexQuoted lexes a quoted string and leaves its decoded value in p.tok.
// A delimiter preceded by a backslash does not end the string.
func (p *parser) lexQuoted() bool {
	s := p.rest()
	if s == "" || (s[0] != '"' && s[0] != '\'') {
		return false
	}
	delim := s[0]
	prev := byte('\\')
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == delim && prev != '\\' {
			start := p.pos
			raw := s[:i+1]
			v, err := unquote(raw)
			if err != nil {
				p.pos = start
				p.fail("%s", err.Error())
			}
			p.advance(i + 1)
			p.tok = v
			return true
		}
		prev = c
	}
	return false
}

func (p *parser) lexBare() bool {
	s := p.rest()
	n := 0
	for n < len(s) {
		c := s[n]
		if c == '(' || c == ')' || c == '"' || c == '\'' || c == '=' || c == ',' || isSpace(c) {
			break
		}
		n++
	}
	if n == 0 {
		return false
	}
	p.take(n)
	return true
}

// lexOp lexes one of ops; an entry ending in a blank must be followed by at
// least one blank, which is consumed too. p.tok is the operator without its
// blank.
func (p *parser) lexOp(ops []string) bool {
	for _, op := range ops {
		if !strings.HasSuffix(op, " ") {
			if p.lexStr(op) {
				return true
			}
			continue
		}
		saved, savedTok := p.pos, p.tok
		if p.lexStr(op[:len(op)-1]) {
			if p.lexBlank() {
				return true
			}
			p.pos, p.tok = saved, savedTok
		}
	}
	return false
}

func (p *parser) lexTransformer() bool {
	for _, t := range transformerNames {
		if p.lexStr(t) {
			p.tok = t[:len(t)-1]
			return true
		}
	}
	return false
}

// lexNot consumes "not" followed by at least one white space character.
func (p *parser) lexNotBlank() bool {
	s := p.rest()
	if !strings.HasPrefix(s, "not") {
		return false
	}
	n := 3
	for n < len(s) && isSpace(s[n]) {
		n++
	}
	if n == 3 {
		return false
	}
	p.take(n)
	return true
}

func (p *parser) parseOr() Expr {
	p.enter()
	defer p.leave()
	pos := p.pos
	children := p.parseChain("or", p.parseAnd)
	if len(children) > 1 {
		return &OrExpr{Pos: pos, Children: children}
	}
	return children[0]
}

func (p *parser) parseAnd() Expr {
	p.enter()
	defer p.leave()
	pos := p.pos
	children := p.parseChain("and", p.parseNot)
	if len(children) > 1 {
		return &AndExpr{Pos: pos, Children: children}
	}
	return children[0]
}

// parseChain parses operands joined by the keyword op ("and", "or"): each
// is parsed by next, or, when the keyword is followed directly by '(', as
// an embedded expression.
func (p *parser) parseChain(op string, next func() Expr) []Expr {
	p.lexBlank()
	children := []Expr{next()}
	p.lexBlank()
	for p.lexStr(op) {
		var child Expr
		if !p.lexBlank() {
			if !p.lexStr("(") {
				p.fail("expected a blank or '(' after '%s'", op)
			}
			child = p.parseEmbedded()
		} else {
			child = next()
		}
		children = append(children, child)
		p.lexBlank()
	}
	return children
}

func (p *parser) parseNot() Expr {
	p.enter()
	defer p.leave()
	pos := p.pos
	p.lexBlank()
	neg := false
	for p.lexNotBlank() {
		neg = !neg
	}
	var child Expr
	if p.lexStr("not(") {
		neg = !neg
		child = p.parseEmbedded()
	} else {
		child = p.parseCheck()
	}
	if neg {
		return &NotExpr{Pos: pos, Child: child}
	}
	return child
}

// parseEmbedded parses what follows an opening parenthesis.
func (p *parser) parseEmbedded() Expr {
	p.enter()
	defer p.leave()
	p.lexBlank()
	e := p.parseOr()
	p.lexBlank()
	if !p.lexStr(")") {
		p.fail("expected ')'")
	}
	return e
}

func (p *parser) parseCheck() Expr {
	p.enter()
	defer p.leave()
	pos := p.pos
	p.lexBlank()
	if p.lexStr("(") {
		return p.parseEmbedded()
	}
	if p.lexFieldName() {
		left := p.parseFieldRest(p.tok, pos)
		return p.parseCondition(left, pos)
	}
	if p.lexTransformer() {
		p.lexBlank()
		left := p.parseTransformerRest(p.tok, pos)
		return p.parseCondition(left, pos)
	}
	if p.lexIdentifier() {
		return &IdentExpr{Pos: pos, Name: p.tok}
	}
	p.fail("expected '(', a field check or an identifier")
	return nil
}

func (p *parser) parseFieldRest(name string, pos Pos) Expr {
	p.enter()
	defer p.leave()
	f := &FieldExpr{Pos: pos, Name: name}
	f.Arg, f.HasArg = p.parseOptionalArg()
	return f
}

func (p *parser) parseOptionalArg() (string, bool) {
	if !p.lexStr("[") {
		return "", false
	}
	if !p.lexQuoted() && !p.lexFieldArgBare() {
		p.fail("expected a field argument (a quoted or bare string)")
	}
	arg := p.tok
	if !p.lexStr("]") {
		p.fail("expected ']'")
	}
	return arg, true
}

// parseTransformerRest parses the arguments of a transformer whose name
// and opening parenthesis were consumed.
func (p *parser) parseTransformerRest(name string, pos Pos) Expr {
	p.enter()
	defer p.leave()
	p.lexBlank()
	var args []Expr
	for {
		args = append(args, p.parseTransformerArg(p.pos))
		p.lexBlank()
		if !p.lexStr(",") {
			break
		}
	}
	p.lexBlank()
	if !p.lexStr(")") {
		p.fail("expected ')' closing %s()", name)
	}
	t := &TransformerExpr{Pos: pos, Name: name, Args: args}
	t.Arg, t.HasArg = p.parseOptionalArg()
	return t
}

func (p *parser) parseTransformerArg(pos Pos) Expr {
	p.enter()
	defer p.leave()
	p.lexBlank()
	if p.lexHexNum() || p.lexNum() {
		return &ValueExpr{Pos: pos, Value: p.tok}
	}
	if p.lexQuoted() {
		return &ValueExpr{Pos: pos, Value: p.tok}
	}
	if p.lexStr("(") {
		return p.parseTransformerList(pos)
	}
	if p.lexTransformer() {
		return p.parseTransformerRest(p.tok, pos)
	}
	if p.lexFieldName() {
		return p.parseFieldRest(p.tok, pos)
	}
	p.fail("expected a transformer argument: a field, a transformer, a quoted string, a number or a list")
	return nil
}

func (p *parser) parseTransformerList(pos Pos) Expr {
	p.enter()
	defer p.leave()
	l := &TListExpr{Pos: pos}
	p.lexBlank()
	if p.lexStr(")") {
		return l
	}
	l.Children = append(l.Children, p.parseTransformerListArg(pos))
	p.lexBlank()
	for p.lexStr(",") {
		p.lexBlank()
		l.Children = append(l.Children, p.parseTransformerListArg(pos))
		p.lexBlank()
	}
	if !p.lexStr(")") {
		p.fail("expected ')' closing the list")
	}
	return l
}

func (p *parser) parseTransformerListArg(pos Pos) Expr {
	if p.lexFieldName() {
		return p.parseFieldRest(p.tok, pos)
	}
	if p.lexTransformer() {
		p.lexBlank()
		return p.parseTransformerRest(p.tok, pos)
	}
	if p.lexQuoted() {
		return &ValueExpr{Pos: pos, Value: p.tok}
	}
	if p.lexHexNum() || p.lexNum() {
		return &ValueExpr{Pos: pos, Value: p.tok}
	}
	p.fail("expected a list element: a field, a transformer, a quoted string or a number")
	return nil
}

func (p *parser) parseCondition(left Expr, pos Pos) Expr {
	p.enter()
	defer p.leave()
	p.lexBlank()
	if p.lexOp(unaryOps) {
		return &UnaryCheck{Pos: pos, Left: left, Op: p.tok}
	}
	p.lexBlank()
	var op string
	var right Expr
	switch {
	case p.lexOp(numOps):
		op = p.tok
		right = p.parseNumValue()
	case p.lexOp(strOps):
		op = strings.TrimSpace(p.tok)
		hadBlank := isAlpha(op[0]) || p.lexBlank()
		saved, savedTok := p.pos, p.tok
		if hadBlank && p.lexOp(modifiers) && p.listValueFollows() && !p.boolKeywordFollows() {
			op = op + " " + strings.TrimSpace(p.tok)
			right = p.parseListValue(false)
		} else {
			p.pos, p.tok = saved, savedTok
			right = p.parseStrValue(false)
		}
	case p.lexOp(listOps):
		op = p.tok
		right = p.parseListValue(true)
	default:
		p.fail("expected an operator (one of %s)", strings.Join(Operators(), " "))
	}
	return &BinaryCheck{Pos: pos, Left: left, Op: op, Right: right}
}

func (p *parser) listValueFollows() bool {
	if p.peek() == '(' {
		return true
	}
	return identLen(p.rest()) > 0
}

func (p *parser) boolKeywordFollows() bool {
	s := p.rest()
	for _, kw := range []string{"and", "or", "not"} {
		if strings.HasPrefix(s, kw) && (len(s) == len(kw) || !isAlpha(s[len(kw)]) && !isDigit(s[len(kw)])) {
			return true
		}
	}
	return false
}

func (p *parser) parseNumValue() Expr {
	p.enter()
	defer p.leave()
	p.lexBlank()
	pos := p.pos
	if t := p.tryTransformerOrVal(); t != nil {
		return t
	}
	if p.lexHexNum() || p.lexNum() {
		return &ValueExpr{Pos: pos, Value: p.tok}
	}
	p.fail("expected a number, or a field in val() or a transformer")
	return nil
}

func (p *parser) parseStrValue(noTransformer bool) Expr {
	p.enter()
	defer p.leave()
	p.lexBlank()
	pos := p.pos
	if !noTransformer {
		if t := p.tryTransformerOrVal(); t != nil {
			return t
		}
	}
	if p.lexQuoted() || p.lexBare() {
		return &ValueExpr{Pos: pos, Value: p.tok}
	}
	if noTransformer {
		p.fail("expected a value")
	}
	p.fail("expected a value, or a field in val() or a transformer")
	return nil
}

// tryListExpr parses a parenthesised list of constants, or returns nil when
// no '(' follows.
func (p *parser) tryListExpr() Expr {
	pos := p.pos
	if !p.lexStr("(") {
		return nil
	}
	l := &ListExpr{Pos: pos, Values: []string{}}
	p.lexBlank()
	if v, ok := p.tryStrValue(); ok {
		l.Values = append(l.Values, v)
		p.lexBlank()
		for p.lexStr(",") {
			p.lexBlank()
			v, ok := p.tryStrValue()
			if !ok {
				p.fail("expected a value")
			}
			l.Values = append(l.Values, v)
			p.lexBlank()
		}
	}
	if !p.lexStr(")") {
		p.fail("expected ',' or ')' in the list")
	}
	return l
}

func (p *parser) tryStrValue() (string, bool) {
	p.lexBlank()
	if p.lexQuoted() || p.lexBare() {
		return p.tok, true
	}
	return "", false
}

// parseListValue parses the right side of a list operator: a literal list
// or a list name, and, when transformers is true, also val(field) or a
// transformer.
func (p *parser) parseListValue(transformers bool) Expr {
	p.enter()
	defer p.leave()
	p.lexBlank()
	pos := p.pos
	if l := p.tryListExpr(); l != nil {
		return l
	}
	if transformers {
		if t := p.tryTransformerOrVal(); t != nil {
			return t
		}
	}
	if p.lexIdentifier() {
		return &ValueExpr{Pos: pos, Value: p.tok}
	}
	if transformers {
		p.fail("expected a list, a list name, or a field in val() or a transformer")
	} else {
		p.fail("expected a list or a list name")
	}
	return nil
}

func (p *parser) tryTransformerOrVal() Expr {
	p.enter()
	defer p.leave()
	p.lexBlank()
	pos := p.pos
	if p.lexStr("val(") {
		p.lexBlank()
		fpos := p.pos
		if !p.lexFieldName() {
			p.fail("expected a field in val()")
		}
		f := p.parseFieldRest(p.tok, fpos)
		p.lexBlank()
		if !p.lexStr(")") {
			p.fail("expected ')' closing val()")
		}
		t := &TransformerExpr{Pos: pos, Name: "val", Args: []Expr{f}}
		t.Arg, t.HasArg = p.parseOptionalArg()
		return t
	}
	if p.lexTransformer() {
		p.lexBlank()
		return p.parseTransformerRest(p.tok, pos)
	}
	return nil
}
