package output

import (
	"fmt"
	"slices"

	"go.yaml.in/yaml/v3"
)

// AppendOutput is one entry of Falco's append_output setting: extra text
// appended to the output of matching rules, and extra fields added to their
// JSON output_fields.
type AppendOutput struct {
	Match AppendMatch
	// ExtraOutput is a format string appended (after a space) to the
	// output of every matching rule.
	ExtraOutput string
	// ExtraFields are added to output_fields only.
	ExtraFields []ExtraField
	// SuggestedOutput appends the fields plugins suggest (recorded only;
	// syscope has no plugins yet).
	SuggestedOutput bool
}

// AppendMatch selects rules; empty members match everything, and a rule
// matches when it matches every non-empty member.
type AppendMatch struct {
	Source string
	Rule   string
	// Tags must all be among the rule's tags.
	Tags []string
}

// ExtraField is one extra output field.
type ExtraField struct {
	// Name is the key in output_fields.
	Name string
	// Format is rendered as a string when Raw is false. When Raw is true,
	// Format is a field name whose typed value is used, and equals Name.
	Format string
	Raw    bool
}

// Matches reports whether the entry applies to a rule.
func (a *AppendOutput) Matches(rule, source string, tags []string) bool {
	if a.Match.Source != "" && a.Match.Source != source {
		return false
	}
	if a.Match.Rule != "" && a.Match.Rule != rule {
		return false
	}
	for _, t := range a.Match.Tags {
		if !slices.Contains(tags, t) {
			return false
		}
	}
	return true
}

// ResolveAppendOutput returns what the entries add to one rule: the text to
// append to its output format (each matching ExtraOutput preceded by a
// space, in entry order) and its extra fields (a later entry's field
// replaces an earlier one of the same name). The rules engine calls it once
// per rule when it compiles the rule's output.
func ResolveAppendOutput(entries []AppendOutput, rule, source string, tags []string) (extraOutput string, fields []ExtraField) {
	for i := range entries {
		e := &entries[i]
		if !e.Matches(rule, source, tags) {
			continue
		}
		if e.ExtraOutput != "" {
			extraOutput += " " + e.ExtraOutput
		}
		for _, f := range e.ExtraFields {
			if j := slices.IndexFunc(fields, func(g ExtraField) bool { return g.Name == f.Name }); j >= 0 {
				fields[j] = f
			} else {
				fields = append(fields, f)
			}
		}
	}
	return extraOutput, fields
}

// parseAppendOutput decodes one append_output entry from YAML:
//
//	match: {source: syscall, tags: [T1], rule: R}
//	extra_output: "on CPU %evt.cpu"
//	extra_fields:
//	  - home_directory: "${HOME}"   # formatted: a name and a format
//	  - evt.hostname                # raw: a field name
//	suggested_output: true
func parseAppendOutput(n *yaml.Node) (AppendOutput, error) {
	var a AppendOutput
	if n.Kind != yaml.MappingNode {
		return a, fmt.Errorf("line %d: append_output entry must be a map", n.Line)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch k.Value {
		case "match":
			if v.Kind != yaml.MappingNode {
				return a, fmt.Errorf("line %d: append_output match must be a map", v.Line)
			}
			for j := 0; j+1 < len(v.Content); j += 2 {
				mk, mv := v.Content[j], v.Content[j+1]
				switch mk.Value {
				case "source":
					if err := mv.Decode(&a.Match.Source); err != nil {
						return a, fmt.Errorf("line %d: match source: %w", mv.Line, err)
					}
				case "rule":
					if err := mv.Decode(&a.Match.Rule); err != nil {
						return a, fmt.Errorf("line %d: match rule: %w", mv.Line, err)
					}
				case "tags":
					if mv.Kind != yaml.SequenceNode {
						return a, fmt.Errorf("line %d: match tags must be a list", mv.Line)
					}
					for _, t := range mv.Content {
						if t.Kind != yaml.ScalarNode {
							return a, fmt.Errorf("line %d: match tags must be strings", t.Line)
						}
						a.Match.Tags = append(a.Match.Tags, t.Value)
					}
				default:
					return a, fmt.Errorf("line %d: unknown append_output match key %q", mk.Line, mk.Value)
				}
			}
		case "extra_output":
			if v.Kind != yaml.ScalarNode {
				return a, fmt.Errorf("line %d: extra_output must be a string", v.Line)
			}
			a.ExtraOutput = v.Value
		case "extra_fields":
			if v.Kind != yaml.SequenceNode {
				return a, fmt.Errorf("line %d: extra_fields must be a list", v.Line)
			}
			for _, f := range v.Content {
				var ef ExtraField
				switch {
				case f.Kind == yaml.ScalarNode:
					ef = ExtraField{Name: f.Value, Format: f.Value, Raw: true}
				case f.Kind == yaml.MappingNode && len(f.Content) == 2 && f.Content[1].Kind == yaml.ScalarNode:
					ef = ExtraField{Name: f.Content[0].Value, Format: f.Content[1].Value}
				default:
					return a, fmt.Errorf("line %d: an extra field is a field name or a one-entry map name: format", f.Line)
				}
				if ef.Name == "" {
					return a, fmt.Errorf("line %d: empty extra field name", f.Line)
				}
				if slices.ContainsFunc(a.ExtraFields, func(g ExtraField) bool { return g.Name == ef.Name }) {
					return a, fmt.Errorf("line %d: extra field %q defined twice", f.Line, ef.Name)
				}
				a.ExtraFields = append(a.ExtraFields, ef)
			}
		case "suggested_output":
			if err := v.Decode(&a.SuggestedOutput); err != nil {
				return a, fmt.Errorf("line %d: suggested_output: %w", v.Line, err)
			}
		default:
			return a, fmt.Errorf("line %d: unknown append_output key %q", k.Line, k.Value)
		}
	}
	return a, nil
}

// ParseAppendOutput decodes an append_output value: a YAML (or JSON) list of
// entries, or a single entry.
func ParseAppendOutput(doc []byte) ([]AppendOutput, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(doc, &root); err != nil {
		return nil, fmt.Errorf("append_output: %w", err)
	}
	if root.Kind != yaml.DocumentNode || len(root.Content) == 0 {
		return nil, nil
	}
	return parseAppendOutputNode(root.Content[0])
}

func parseAppendOutputNode(n *yaml.Node) ([]AppendOutput, error) {
	items := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		items = n.Content
	}
	out := make([]AppendOutput, 0, len(items))
	for _, it := range items {
		a, err := parseAppendOutput(it)
		if err != nil {
			return nil, fmt.Errorf("append_output: %w", err)
		}
		out = append(out, a)
	}
	return out, nil
}
