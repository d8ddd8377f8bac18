// Package format renders events through sysdig output templates: text such
// as "%evt.num %proc.name (%thread.tid) %evt.info", with sysdig's rules for
// missing values, field widths and the leading '*', and sysdig's JSON
// output (-j): one object per event whose keys are the template's fields in
// sorted order.
//
// A template is compiled once against a fields.Resolver; rendering an event
// appends to a caller's buffer and does not allocate.
//
// This package does not choose which events to print (that is the filter's
// and the caller's business) and does not write anywhere.
package format

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/syscope/syscope/fields"
	"github.com/syscope/syscope/filter"
	"github.com/syscope/syscope/state"
)

// Default is sysdig's default output format (without a terminal).
const Default = "*%evt.num %evt.outputtime %evt.cpu %proc.name (%thread.tid) %evt.dir %evt.type %evt.info"

// ErrSyntax is wrapped by template syntax errors.
var ErrSyntax = errors.New("invalid formatting syntax")

// Options configure a Formatter.
type Options struct {
	// JSON renders events as JSON objects instead of text.
	JSON bool
}

// token is a field and the literal text before it (a last token may have
// text only).
type token struct {
	lit   string
	x     *fields.Extractor
	key   string // the field as written in the template
	width int    // output width (0: as is)
	jkey  []byte // for JSON: the separator and the quoted key, then ':'
}

// Formatter renders events with a compiled template. A Formatter keeps
// scratch space: use it from one goroutine at a time.
type Formatter struct {
	toks       []token
	json       []token // field tokens in key order, one per key
	requireAll bool
	asJSON     bool
}

// New compiles tmpl. Fields are resolved with r. Field names follow the
// longest-match rule sysdig applies to templates: "%evt.numfoo" is
// evt.num followed by the text "foo".
func New(tmpl string, r *fields.Resolver, o *Options) (*Formatter, error) {
	if tmpl == "" {
		return nil, fmt.Errorf("%w: empty format", ErrSyntax)
	}
	f := &Formatter{requireAll: true}
	if o != nil {
		f.asJSON = o.JSON
	}
	if tmpl[0] == '*' {
		f.requireAll = false
		tmpl = tmpl[1:]
	}
	litStart := 0
	for j := 0; j < len(tmpl); j++ {
		if tmpl[j] != '%' {
			continue
		}
		lit := tmpl[litStart:j]
		if j == len(tmpl)-1 {
			return nil, fmt.Errorf("%w: a format cannot end with %%", ErrSyntax)
		}
		width := 0
		k := j + 1
		for k < len(tmpl) && tmpl[k] >= '0' && tmpl[k] <= '9' {
			if width < 1<<20 {
				width = width*10 + int(tmpl[k]-'0')
			}
			k++
		}
		if k == len(tmpl) {
			return nil, fmt.Errorf("%w: a format cannot end with a width", ErrSyntax)
		}
		ref, n := r.ParseToken(tmpl[k:])
		if n == 0 {
			return nil, fmt.Errorf("%w: unknown field at column %d: %s", ErrSyntax, k+1, clip(tmpl[k:]))
		}
		x, err := r.Extractor(ref)
		if err != nil {
			return nil, fmt.Errorf("field %s at column %d: %w", tmpl[k:k+n], k+1, err)
		}
		if x.Info().Flags&filter.FlagFilterOnly != 0 {
			return nil, fmt.Errorf("field %s at column %d: %w", tmpl[k:k+n], k+1, fields.ErrFilterOnly)
		}
		f.toks = append(f.toks, token{lit: lit, x: x, key: tmpl[k : k+n], width: width})
		j = k + n - 1
		litStart = k + n
	}
	if litStart < len(tmpl) {
		f.toks = append(f.toks, token{lit: tmpl[litStart:]})
	}
	// JSON keys: sorted, the last occurrence of a repeated key wins.
	byKey := make(map[string]int)
	for i, t := range f.toks {
		if t.x != nil {
			byKey[t.key] = i
		}
	}
	keys := make([]string, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		t := f.toks[byKey[k]]
		if i > 0 {
			t.jkey = append(t.jkey, ',')
		}
		t.jkey = fields.AppendJSONString(t.jkey, k)
		t.jkey = append(t.jkey, ':')
		f.json = append(f.json, t)
	}
	return f, nil
}

func clip(s string) string {
	if len(s) > 32 {
		return s[:32] + "..."
	}
	return s
}

// RequireAll reports whether the template needs every field to have a
// value for an event to print (no leading '*').
func (f *Formatter) RequireAll() bool { return f.requireAll }

// Fields returns the fields of the template as written, in template order.
func (f *Formatter) Fields() []string {
	var n []string
	for _, t := range f.toks {
		if t.x != nil {
			n = append(n, t.key)
		}
	}
	return n
}

var na = "<NA>"

// Append appends the rendering of the event in c to dst, without a line
// break, and reports whether the event prints: false when the template
// requires every value and one is missing (dst is then returned
// unchanged).
func (f *Formatter) Append(dst []byte, c *state.Ctx) ([]byte, bool) {
	if f.asJSON {
		return f.appendJSON(dst, c)
	}
	mark := len(dst)
	for i := range f.toks {
		t := &f.toks[i]
		// Most literals between fields are one or two bytes (" ", " (",
		// ") "): store them directly rather than through a copy.
		switch len(t.lit) {
		case 0:
		case 1:
			dst = append(dst, t.lit[0])
		case 2:
			dst = append(dst, t.lit[0], t.lit[1])
		default:
			dst = append(dst, t.lit...)
		}
		if t.x == nil {
			continue
		}
		start := len(dst)
		var ok bool
		dst, ok = t.x.AppendText(dst, c)
		if !ok {
			if f.requireAll {
				return dst[:mark], false
			}
			dst = append(dst[:start], na...)
		}
		if t.width > 0 {
			n := len(dst) - start
			if n > t.width {
				dst = dst[:start+t.width]
			}
			for ; n < t.width; n++ {
				dst = append(dst, ' ')
			}
		}
	}
	return dst, true
}

func (f *Formatter) appendJSON(dst []byte, c *state.Ctx) ([]byte, bool) {
	mark := len(dst)
	dst = append(dst, '{')
	for i := range f.json {
		t := &f.json[i]
		dst = append(dst, t.jkey...)
		var ok bool
		dst, ok = t.x.AppendJSON(dst, c)
		if !ok {
			if f.requireAll {
				return dst[:mark], false
			}
			dst = append(dst, "null"...)
		}
	}
	return append(dst, '}'), true
}

// Unescape replaces the escapes sysdig accepts in -p formats: \n, \t, \e
// (escape) and \\.
func Unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			switch s[i+1] {
			case 'n':
				b.WriteByte('\n')
				i++
				continue
			case 't':
				b.WriteByte('\t')
				i++
				continue
			case 'e':
				b.WriteByte(0x1b)
				i++
				continue
			case '\\':
				b.WriteByte('\\')
				i++
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
