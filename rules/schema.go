package rules

import (
	"fmt"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// validateSchema checks a rules document against the structure of the
// rules file format (the JSON schema Falco validates with): a sequence of
// mappings whose keys are known and whose values have the expected shape.
// Scalars are weakly typed, as YAML scalars are text: a boolean is "true"
// or "false", an integer is digits. It returns "ok" or "failed: <why>".
// The result is informational: loading goes on either way.
func validateSchema(doc *yaml.Node) string {
	root := doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return "ok"
		}
		root = root.Content[0]
	}
	root = deref(root)
	if err := checkTop(root); err != nil {
		return "failed: " + err.Error()
	}
	return "ok"
}

type schemaType uint8

const (
	sString schemaType = iota
	sBool
	sInt
	sPriority
	sStringSeq
	sItems
	sExceptions
	sOverride
	sPlugins
)

var itemSchema = map[string]schemaType{
	"required_engine_version":  sString,
	"required_plugin_versions": sPlugins,
	"macro":                    sString,
	"condition":                sString,
	"list":                     sString,
	"items":                    sItems,
	"rule":                     sString,
	"desc":                     sString,
	"enabled":                  sBool,
	"output":                   sString,
	"append":                   sBool,
	"priority":                 sPriority,
	"capture":                  sBool,
	"capture_duration":         sInt,
	"source":                   sString,
	"exceptions":               sExceptions,
	"override":                 sOverride,
	"tags":                     sStringSeq,
	"warn_evttypes":            sBool,
	"skip-if-unknown-filter":   sBool,
}

var schemaPriorities = map[string]bool{"EMERGENCY": true, "ALERT": true, "CRITICAL": true, "ERROR": true,
	"WARNING": true, "NOTICE": true, "INFO": true, "INFORMATIONAL": true, "DEBUG": true}

var overrideKeys = map[string]bool{"items": true, "desc": true, "condition": true, "output": true, "priority": true,
	"enabled": true, "exceptions": true, "capture": true, "capture_duration": true, "tags": true,
	"warn_evttypes": true, "skip-if-unknown-filter": true}

func checkTop(n *yaml.Node) error {
	if isNull(n) {
		return nil
	}
	if !isSeq(n) {
		return fmt.Errorf("line %d: the document is not a sequence", n.Line)
	}
	for _, item := range n.Content {
		item = deref(item)
		if !isMap(item) {
			return fmt.Errorf("line %d: an item is not a mapping", item.Line)
		}
		for i := 0; i+1 < len(item.Content); i += 2 {
			k, v := deref(item.Content[i]), deref(item.Content[i+1])
			t, ok := itemSchema[k.Value]
			if !ok {
				return fmt.Errorf("line %d: unknown key '%s'", k.Line, k.Value)
			}
			if err := checkValue(t, v); err != nil {
				return fmt.Errorf("line %d: key '%s': %v", v.Line, k.Value, err)
			}
		}
	}
	return nil
}

func checkValue(t schemaType, v *yaml.Node) error {
	switch t {
	case sString:
		if !isScalar(v) {
			return fmt.Errorf("not a string")
		}
	case sBool:
		if !isScalar(v) || (v.Value != "true" && v.Value != "false") {
			return fmt.Errorf("not a boolean")
		}
	case sInt:
		if _, err := strconv.ParseInt(v.Value, 10, 64); !isScalar(v) || err != nil {
			return fmt.Errorf("not an integer")
		}
	case sPriority:
		if !isScalar(v) || !schemaPriorities[v.Value] {
			return fmt.Errorf("not a priority")
		}
	case sStringSeq, sItems:
		if !isSeq(v) {
			return fmt.Errorf("not a sequence")
		}
		for _, e := range v.Content {
			if !isScalar(deref(e)) {
				return fmt.Errorf("an element is not a string")
			}
		}
	case sExceptions:
		if !isSeq(v) {
			return fmt.Errorf("not a sequence")
		}
		for _, e := range v.Content {
			e = deref(e)
			if !isMap(e) {
				return fmt.Errorf("an exception is not a mapping")
			}
			named := false
			for _, k := range mapKeys(e) {
				switch k.Value {
				case "name":
					named = true
					if _, v := get(e, "name"); !isScalar(v) {
						return fmt.Errorf("exception name is not a string")
					}
				case "fields", "comps", "values":
				default:
					return fmt.Errorf("unknown exception key '%s'", k.Value)
				}
			}
			if !named {
				return fmt.Errorf("an exception has no name")
			}
		}
	case sOverride:
		if !isMap(v) || len(v.Content) == 0 {
			return fmt.Errorf("not a non-empty mapping")
		}
		for i := 0; i+1 < len(v.Content); i += 2 {
			k, op := deref(v.Content[i]), deref(v.Content[i+1])
			if !overrideKeys[k.Value] {
				return fmt.Errorf("unknown override key '%s'", k.Value)
			}
			if !isScalar(op) || (op.Value != "append" && op.Value != "replace") {
				return fmt.Errorf("override of '%s' is neither append nor replace", k.Value)
			}
		}
	case sPlugins:
		if !isSeq(v) {
			return fmt.Errorf("not a sequence")
		}
		for _, p := range v.Content {
			if err := checkPlugin(deref(p), true); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkPlugin(p *yaml.Node, alternatives bool) error {
	if !isMap(p) {
		return fmt.Errorf("a plugin requirement is not a mapping")
	}
	var name, ver bool
	for i := 0; i+1 < len(p.Content); i += 2 {
		k, v := deref(p.Content[i]), deref(p.Content[i+1])
		switch {
		case k.Value == "name" && isScalar(v):
			name = true
		case k.Value == "version" && isScalar(v):
			ver = true
		case k.Value == "alternatives" && alternatives && isSeq(v):
			for _, a := range v.Content {
				if err := checkPlugin(deref(a), false); err != nil {
					return err
				}
			}
		default:
			return fmt.Errorf("unexpected plugin requirement key '%s'", k.Value)
		}
	}
	if !name || !ver {
		return fmt.Errorf("a plugin requirement lacks name or version")
	}
	return nil
}
