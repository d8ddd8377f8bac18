package engine

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/syscope/syscope/fields"
	"github.com/syscope/syscope/format"
	"github.com/syscope/syscope/output"
	"github.com/syscope/syscope/rules"
	"github.com/syscope/syscope/state"
)

// RuleOutput is a rule's output compiled for rendering alerts the way Falco
// renders them:
//
//   - the text is the rule's output format with every %field replaced by
//     its value, and "<NA>" for a field the event has no value for (Falco
//     renders rule outputs as if they began with '*': a missing value never
//     suppresses the alert);
//   - the fields are the typed values of every field the output names, keyed
//     by the field as written ("proc.aname[2]"), null when missing, as
//     Falco's output_fields;
//   - extra fields (append_output) are added to the fields: a raw field with
//     its typed value, a formatted one as the rendered string.
//
// A RuleOutput keeps scratch space: use it from one goroutine.
type RuleOutput struct {
	text   *format.Formatter
	keys   []string
	xs     []*fields.Extractor
	extras []extraOutput
	buf    []byte
}

type extraOutput struct {
	name string
	x    *fields.Extractor // raw: the field
	fm   *format.Formatter // formatted: the format
}

// CompileOutput compiles a rule output format and extra fields against a
// resolver.
func CompileOutput(tmpl string, extra []output.ExtraField, r *fields.Resolver) (*RuleOutput, error) {
	o := &RuleOutput{}
	if strings.TrimSpace(tmpl) == "" {
		tmpl = ""
	} else {
		if tmpl[0] != '*' {
			tmpl = "*" + tmpl
		}
		fm, err := format.New(tmpl, r, nil)
		if err != nil {
			return nil, fmt.Errorf("compile output: %w", err)
		}
		o.text = fm
		seen := map[string]bool{}
		for _, k := range fm.Fields() {
			if seen[k] {
				continue
			}
			seen[k] = true
			x, err := extractor(k, r)
			if err != nil {
				return nil, fmt.Errorf("compile output: %w", err)
			}
			o.keys = append(o.keys, k)
			o.xs = append(o.xs, x)
		}
	}
	for _, ef := range extra {
		eo := extraOutput{name: ef.Name}
		if ef.Raw {
			x, err := extractor(strings.TrimPrefix(ef.Format, "%"), r)
			if err != nil {
				return nil, fmt.Errorf("compile extra field %s: %w", ef.Name, err)
			}
			eo.x = x
		} else {
			f := ef.Format
			if f == "" {
				continue // Falco skips empty formats
			}
			if f[0] != '*' {
				f = "*" + f
			}
			fm, err := format.New(f, r, nil)
			if err != nil {
				return nil, fmt.Errorf("compile extra field %s: %w", ef.Name, err)
			}
			eo.fm = fm
		}
		o.extras = append(o.extras, eo)
	}
	return o, nil
}

// extractor resolves a field written as in an output format.
func extractor(tok string, r *fields.Resolver) (*fields.Extractor, error) {
	ref, n := r.ParseToken(tok)
	if n == 0 || n != len(tok) {
		return nil, fmt.Errorf("invalid field %q", tok)
	}
	return r.Extractor(ref)
}

// Fields returns the output fields' names, as written, without duplicates.
func (o *RuleOutput) Fields() []string { return append([]string(nil), o.keys...) }

// Text renders the output of the event in c.
func (o *RuleOutput) Text(c *state.Ctx) string {
	if o.text == nil {
		return ""
	}
	o.buf, _ = o.text.Append(o.buf[:0], c)
	return string(o.buf)
}

// Values returns the output fields and extra fields of the event in c,
// typed, Null for missing values.
func (o *RuleOutput) Values(c *state.Ctx) map[string]output.Value {
	m := make(map[string]output.Value, len(o.keys)+len(o.extras))
	for i, k := range o.keys {
		m[k] = o.value(o.xs[i], c)
	}
	for _, e := range o.extras {
		if e.x != nil {
			m[e.name] = o.value(e.x, c)
			continue
		}
		o.buf, _ = e.fm.Append(o.buf[:0], c)
		m[e.name] = output.String(string(o.buf))
	}
	return m
}

func (o *RuleOutput) value(x *fields.Extractor, c *state.Ctx) output.Value {
	var ok bool
	o.buf, ok = x.AppendJSON(o.buf[:0], c)
	if !ok {
		return output.Null()
	}
	v, err := ParseValue(o.buf)
	if err != nil {
		// A renderer producing invalid JSON is a bug; keep the text.
		return output.String(string(o.buf))
	}
	return v
}

// ParseValue decodes one JSON value, as a field's JSON renderer writes it,
// into an output.Value: strings, booleans, null, numbers (integers without
// a sign as Uint, negative ones as Int, others as Float) and arrays of
// those. An object is kept as its JSON text.
func ParseValue(b []byte) (output.Value, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return output.Null(), fmt.Errorf("parse field value: %w", err)
	}
	if d.More() {
		return output.Null(), fmt.Errorf("parse field value: trailing data after offset %d", d.InputOffset())
	}
	return toValue(v), nil
}

func toValue(v any) output.Value {
	switch t := v.(type) {
	case nil:
		return output.Null()
	case string:
		return output.String(t)
	case bool:
		return output.Bool(t)
	case json.Number:
		s := string(t)
		if !strings.ContainsAny(s, ".eE") {
			if s[0] == '-' {
				if n, err := strconv.ParseInt(s, 10, 64); err == nil {
					return output.Int(n)
				}
			} else if n, err := strconv.ParseUint(s, 10, 64); err == nil {
				return output.Uint(n)
			}
		}
		f, err := t.Float64()
		if err != nil {
			return output.String(s)
		}
		return output.Float(f)
	case []any:
		vs := make([]output.Value, len(t))
		for i, e := range t {
			vs[i] = toValue(e)
		}
		return output.List(vs...)
	default:
		b, _ := json.Marshal(t)
		return output.String(string(b))
	}
}

// Priority converts a rule priority to an alert priority.
func Priority(p rules.Priority) output.Priority {
	if p < rules.Emergency || p > rules.Debug {
		return output.PriorityDebug
	}
	return output.Priority(p)
}

// Alert renders the alert a rule raises on the event in c.
func (o *RuleOutput) Alert(r *rules.Rule, c *state.Ctx) *output.Alert {
	return &output.Alert{
		Time:     time.Unix(0, int64(c.Evt.Ts())),
		Rule:     r.Name,
		Priority: Priority(r.Priority),
		Source:   r.Source,
		Tags:     r.Tags,
		Output:   o.Text(c),
		Fields:   o.Values(c),
	}
}
