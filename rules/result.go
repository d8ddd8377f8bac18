package rules

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Code is a Falco load result code: LOAD_ERR_* for errors, LOAD_* for
// warnings.
type Code string

// Error codes.
const (
	ErrFileRead         Code = "LOAD_ERR_FILE_READ"
	ErrYAMLParse        Code = "LOAD_ERR_YAML_PARSE"
	ErrYAMLValidate     Code = "LOAD_ERR_YAML_VALIDATE"
	ErrCompileCondition Code = "LOAD_ERR_COMPILE_CONDITION"
	ErrCompileOutput    Code = "LOAD_ERR_COMPILE_OUTPUT"
	ErrValidate         Code = "LOAD_ERR_VALIDATE"
	ErrExtension        Code = "LOAD_ERR_EXTENSION"
)

// Warning codes.
const (
	WarnUnknownSource      Code = "LOAD_UNKNOWN_SOURCE"
	WarnUnsafeNACheck      Code = "LOAD_UNSAFE_NA_CHECK"
	WarnNoEvttype          Code = "LOAD_NO_EVTTYPE"
	WarnUnknownFilter      Code = "LOAD_UNKNOWN_FILTER"
	WarnUnusedMacro        Code = "LOAD_UNUSED_MACRO"
	WarnUnusedList         Code = "LOAD_UNUSED_LIST"
	WarnUnknownItem        Code = "LOAD_UNKNOWN_ITEM"
	WarnDeprecatedItem     Code = "LOAD_DEPRECATED_ITEM"
	WarnExtension          Code = "LOAD_WARNING_EXTENSION"
	WarnAppendNoValues     Code = "LOAD_APPEND_NO_VALUES"
	WarnExceptionNotUnique Code = "LOAD_EXCEPTION_NAME_NOT_UNIQUE"
	WarnInvalidMacroName   Code = "LOAD_INVALID_MACRO_NAME"
	WarnInvalidListName    Code = "LOAD_INVALID_LIST_NAME"
	WarnCompileCondition   Code = "LOAD_COMPILE_CONDITION"
	WarnUnknownKey         Code = "LOAD_UNKNOWN_KEY"
)

var codeDescriptions = map[Code]string{
	ErrFileRead:            "File read error",
	ErrYAMLParse:           "YAML parse error",
	ErrYAMLValidate:        "Error validating internal structure of YAML file",
	ErrCompileCondition:    "Error compiling condition",
	ErrCompileOutput:       "Error compiling output",
	ErrValidate:            "Error validating rule/macro/list/exception objects",
	ErrExtension:           "Error in extension item",
	WarnUnknownSource:      "Unknown event source",
	WarnUnsafeNACheck:      "Unsafe <NA> comparison in condition",
	WarnNoEvttype:          "Condition has no event-type restriction",
	WarnUnknownFilter:      "Unknown field or event-type in condition or output",
	WarnUnusedMacro:        "Unused macro",
	WarnUnusedList:         "Unused list",
	WarnUnknownItem:        "Unknown rules file item",
	WarnDeprecatedItem:     "Used deprecated item",
	WarnExtension:          "Warning in extension item",
	WarnAppendNoValues:     "Overriding/appending with no values",
	WarnExceptionNotUnique: "Multiple exceptions defined with the same name",
	WarnInvalidMacroName:   "Invalid macro name",
	WarnInvalidListName:    "Invalid list name",
	WarnCompileCondition:   "Warning in rule condition",
	WarnUnknownKey:         "Unknown key in item definition",
}

// Description returns the code's short description.
func (c Code) Description() string { return codeDescriptions[c] }

// Location is a place in a rules file: the item it belongs to (Kind is
// "rule", "macro", "list", "rule condition", "exception"...; Name the
// item's name) and its 1-based line and column. Offset is the 0-based byte
// offset when known (-1 otherwise).
type Location struct {
	File   string
	Line   int
	Col    int
	Offset int
	Kind   string
	Name   string
}

// String returns "file:line:col".
func (l Location) String() string {
	if l.Line == 0 {
		return l.File
	}
	return fmt.Sprintf("%s:%d:%d", l.File, l.Line, l.Col)
}

// Message is one error or warning.
type Message struct {
	Code    Code
	Message string
	// Context lists the enclosing items, outermost first; the last entry is
	// the most precise location.
	Context []Location
}

// Location returns the most precise location of m.
func (m Message) Location() Location {
	if len(m.Context) == 0 {
		return Location{}
	}
	return m.Context[len(m.Context)-1]
}

// String returns "file:line:col: CODE: message (in rule 'name')".
func (m Message) String() string {
	var b strings.Builder
	if loc := m.Location(); loc.File != "" {
		b.WriteString(loc.String())
		b.WriteString(": ")
	}
	b.WriteString(string(m.Code))
	b.WriteString(": ")
	b.WriteString(m.Message)
	for i := len(m.Context) - 1; i >= 0; i-- {
		c := m.Context[i]
		if c.Name != "" && (c.Kind == "rule" || c.Kind == "macro" || c.Kind == "list") {
			fmt.Fprintf(&b, " (in %s '%s')", c.Kind, c.Name)
			break
		}
	}
	return b.String()
}

// Result is the outcome of loading rules: errors (loading failed when
// there is any) and warnings, each with a Falco code and a location, and
// the status of the structural (schema) validation.
type Result struct {
	Name     string
	Errors   []Message
	Warnings []Message
	// Schema is "ok" when every document matches the rules file schema,
	// "failed: <reason>" otherwise, "none" when nothing was validated.
	Schema string
}

// OK reports whether loading succeeded.
func (r *Result) OK() bool { return len(r.Errors) == 0 }

// HasWarnings reports whether there is any warning.
func (r *Result) HasWarnings() bool { return len(r.Warnings) > 0 }

// Err returns nil when loading succeeded, else an error listing the errors.
func (r *Result) Err() error {
	if r.OK() {
		return nil
	}
	msgs := make([]string, len(r.Errors))
	for i, m := range r.Errors {
		msgs[i] = m.String()
	}
	return fmt.Errorf("load rules: %s", strings.Join(msgs, "; "))
}

func (r *Result) addError(code Code, msg string, ctx []Location) {
	r.Errors = append(r.Errors, Message{Code: code, Message: msg, Context: append([]Location(nil), ctx...)})
}

func (r *Result) addWarning(code Code, msg string, ctx []Location) {
	r.Warnings = append(r.Warnings, Message{Code: code, Message: msg, Context: append([]Location(nil), ctx...)})
}

// String returns a human summary in the spirit of falco's validation
// output: "name: Ok", "name: Ok, with warnings" or "name: Invalid", then one
// line per error and warning.
func (r *Result) String() string {
	var b strings.Builder
	if r.Name != "" {
		b.WriteString(r.Name)
		b.WriteString(": ")
	}
	switch {
	case !r.OK():
		b.WriteString("Invalid")
	case r.HasWarnings():
		b.WriteString("Ok, with warnings")
	default:
		b.WriteString("Ok")
	}
	if len(r.Errors) > 0 {
		fmt.Fprintf(&b, "\n%d errors:", len(r.Errors))
		for _, m := range r.Errors {
			fmt.Fprintf(&b, "\n  %s (%s)", m, m.Code.Description())
		}
	}
	if len(r.Warnings) > 0 {
		fmt.Fprintf(&b, "\n%d warnings:", len(r.Warnings))
		for _, m := range r.Warnings {
			fmt.Fprintf(&b, "\n  %s (%s)", m, m.Code.Description())
		}
	}
	return b.String()
}

// MarshalJSON renders the result in the shape of falco's JSON validation
// result: name, successful, schema_valid, errors and warnings with code,
// codedesc, message and context.locations.
func (r *Result) MarshalJSON() ([]byte, error) {
	type jctx struct {
		Locations []jloc `json:"locations"`
	}
	type jmsg struct {
		Code     Code   `json:"code"`
		CodeDesc string `json:"codedesc"`
		Message  string `json:"message"`
		Context  jctx   `json:"context"`
	}
	conv := func(ms []Message) []jmsg {
		out := make([]jmsg, 0, len(ms))
		for _, m := range ms {
			c := jctx{Locations: make([]jloc, 0, len(m.Context))}
			for _, l := range m.Context {
				c.Locations = append(c.Locations, jloc{ItemType: l.Kind, ItemName: l.Name,
					Position: jpos{Name: l.File, Line: l.Line, Column: l.Col, Offset: l.Offset}})
			}
			out = append(out, jmsg{Code: m.Code, CodeDesc: m.Code.Description(), Message: m.Message, Context: c})
		}
		return out
	}
	return json.Marshal(struct {
		Name        string `json:"name"`
		Successful  bool   `json:"successful"`
		SchemaValid bool   `json:"schema_valid"`
		Errors      []jmsg `json:"errors"`
		Warnings    []jmsg `json:"warnings"`
	}{r.Name, r.OK(), r.Schema == "ok", conv(r.Errors), conv(r.Warnings)})
}

type jpos struct {
	Name   string `json:"name"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
	Offset int    `json:"offset"`
}

type jloc struct {
	ItemType string `json:"item_type"`
	ItemName string `json:"item_name"`
	Position jpos   `json:"position"`
}
