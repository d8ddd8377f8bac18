package rules

import (
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Helpers over yaml.v3 nodes, with the conversions Falco's rules format
// relies on.

func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 64; i++ {
		n = n.Alias
	}
	return n
}

// get returns the key and value nodes of key in mapping m, or nils.
func get(m *yaml.Node, key string) (*yaml.Node, *yaml.Node) {
	m = deref(m)
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := deref(m.Content[i])
		if k != nil && k.Kind == yaml.ScalarNode && k.Value == key {
			return m.Content[i], deref(m.Content[i+1])
		}
	}
	return nil, nil
}

func has(m *yaml.Node, key string) bool {
	_, v := get(m, key)
	return v != nil
}

func isNull(n *yaml.Node) bool {
	n = deref(n)
	return n == nil || n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

func isScalar(n *yaml.Node) bool {
	n = deref(n)
	return n != nil && n.Kind == yaml.ScalarNode && n.Tag != "!!null"
}

func isMap(n *yaml.Node) bool {
	n = deref(n)
	return n != nil && n.Kind == yaml.MappingNode
}

func isSeq(n *yaml.Node) bool {
	n = deref(n)
	return n != nil && n.Kind == yaml.SequenceNode
}

// mapKeys returns the keys of a mapping, in order.
func mapKeys(m *yaml.Node) []*yaml.Node {
	m = deref(m)
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	var ks []*yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		ks = append(ks, deref(m.Content[i]))
	}
	return ks
}

// scalarText returns the text of a scalar node as the rules format reads it
// (the decoded value, without quotes).
func scalarText(n *yaml.Node) string {
	n = deref(n)
	if n == nil {
		return ""
	}
	return n.Value
}

// decodeBool accepts the boolean spellings YAML 1.1 tools accept: true,
// false, yes, no, on, off, y, n, in lower case, capitalised or upper case,
// whether quoted or not.
func decodeBool(s string) (bool, bool) {
	for _, w := range []struct {
		s string
		v bool
	}{{"y", true}, {"yes", true}, {"true", true}, {"on", true}, {"n", false}, {"no", false}, {"false", false}, {"off", false}} {
		if s == w.s || s == strings.ToUpper(w.s) || (len(s) > 0 && s == strings.ToUpper(w.s[:1])+w.s[1:]) {
			return w.v, true
		}
	}
	return false, false
}

// decodeUint parses an unsigned decimal (or 0x hexadecimal) integer.
func decodeUint(s string, bits int) (uint64, bool) {
	s = strings.TrimSpace(s)
	base := 10
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		s, base = s[2:], 16
	}
	v, err := strconv.ParseUint(strings.TrimPrefix(s, "+"), base, bits)
	return v, err == nil
}

var (
	rgxIdentifier = regexp.MustCompile(`^[a-zA-Z]+[a-zA-Z0-9_]*$`)
	rgxBareStr    = regexp.MustCompile(`^[^()"'\t\n\v\f\r =,]+$`)
)

// The patterns Falco quotes when it warns about an invalid name.
const (
	identifierPattern = `([a-zA-Z]+[a-zA-Z0-9_]*)`
	bareStrPattern    = `([^()"'[:space:]=,]+)`
)
