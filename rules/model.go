package rules

import (
	"strings"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/filter"
)

// Priority is a rule's priority, most severe first (Falco's order).
type Priority int

// Priorities.
const (
	Emergency Priority = iota
	Alert
	Critical
	Error
	Warning
	Notice
	Informational
	Debug
)

var priorityNames = [...]string{"Emergency", "Alert", "Critical", "Error", "Warning", "Notice", "Informational", "Debug"}

// String returns the priority's name as Falco prints it ("Warning",
// "Informational").
func (p Priority) String() string {
	if p >= 0 && int(p) < len(priorityNames) {
		return priorityNames[p]
	}
	return "Unknown"
}

// ParsePriority parses a priority name, ignoring case; "info" is accepted
// for Informational.
func ParsePriority(s string) (Priority, bool) {
	for i, n := range priorityNames {
		if strings.EqualFold(s, n) {
			return Priority(i), true
		}
	}
	if strings.EqualFold(s, "info") {
		return Informational, true
	}
	return 0, false
}

// Rule is a compiled rule.
type Rule struct {
	// ID is the rule's position in its Ruleset (definition order; a
	// redefined rule keeps the position of its first definition).
	ID          int
	Name        string
	Description string
	// Condition is the condition as written, after appends and overrides.
	Condition string
	// Compiled is the condition after list expansion, exceptions and macro
	// resolution: what is evaluated. Render it with filter.Render to get
	// Falco's compiled-condition text.
	Compiled filter.Expr
	// Output is the output format, after appends and append_output.
	Output string
	// ExtraFields are extra output fields (key to format) from the
	// loader's options.
	ExtraFields     map[string]string
	Priority        Priority
	Source          string
	Tags            []string // sorted, unique
	Enabled         bool
	Capture         bool
	CaptureDuration uint64
	WarnEvttypes    bool
	SkipUnknown     bool
	// EventTypes is the set of event types the condition can match (for a
	// syscall-source rule); rules are indexed by it.
	EventTypes TypeSet
	// ExceptionFields are the fields the rule's exceptions compare.
	ExceptionFields []string
	// Location is where the rule is defined.
	Location Location
}

// CompiledCondition returns the compiled condition in Falco's canonical
// rendering.
func (r *Rule) CompiledCondition() string { return filter.Render(r.Compiled) }

// HasTag reports whether the rule carries tag t.
func (r *Rule) HasTag(t string) bool {
	for _, x := range r.Tags {
		if x == t {
			return true
		}
	}
	return false
}

// List is a compiled list: its items after expanding the lists it names.
type List struct {
	Name  string
	Items []string
	Used  bool
}

// Macro is a compiled macro.
type Macro struct {
	Name      string
	Condition string
	Compiled  filter.Expr
	Used      bool
}

// PluginRequirement is one entry of required_plugin_versions: a plugin and
// its acceptable alternatives, each with a minimum version.
type PluginRequirement struct {
	Alternatives []PluginVersion
}

// PluginVersion names a plugin and a version.
type PluginVersion struct {
	Name    string
	Version string
}

// Ruleset is the outcome of loading: rules in definition order, with the
// lists and macros they were built from.
type Ruleset struct {
	Rules                  []*Rule
	Lists                  []*List
	Macros                 []*Macro
	RequiredEngineVersion  string
	RequiredPluginVersions []PluginRequirement
}

// Rule returns the rule called name, or nil.
func (rs *Ruleset) Rule(name string) *Rule {
	for _, r := range rs.Rules {
		if r.Name == name {
			return r
		}
	}
	return nil
}

// TypeSet is a set of event types.
type TypeSet struct {
	bits [(maxTypes + 63) / 64]uint64
}

const maxTypes = 512

var numTypes = len(event.Types())

// AllTypes returns the set of every event type.
func AllTypes() TypeSet {
	var s TypeSet
	for i := 0; i < numTypes; i++ {
		s.Add(event.Type(i))
	}
	return s
}

// Add adds t.
func (s *TypeSet) Add(t event.Type) {
	if int(t) < maxTypes {
		s.bits[t/64] |= 1 << (t % 64)
	}
}

// Has reports whether t is in s.
func (s *TypeSet) Has(t event.Type) bool {
	return int(t) < maxTypes && s.bits[t/64]&(1<<(t%64)) != 0
}

// Len returns the number of types in s.
func (s TypeSet) Len() int {
	n := 0
	for _, w := range s.bits {
		for ; w != 0; w &= w - 1 {
			n++
		}
	}
	return n
}

// Types returns the members of s in increasing order.
func (s TypeSet) Types() []event.Type {
	var out []event.Type
	for i := 0; i < maxTypes; i++ {
		if s.Has(event.Type(i)) {
			out = append(out, event.Type(i))
		}
	}
	return out
}

// Names returns the distinct event names in s, in id order.
func (s TypeSet) Names() []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range s.Types() {
		n := t.String()
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}

func (s TypeSet) union(o TypeSet) TypeSet {
	for i := range s.bits {
		s.bits[i] |= o.bits[i]
	}
	return s
}

func (s TypeSet) intersect(o TypeSet) TypeSet {
	for i := range s.bits {
		s.bits[i] &= o.bits[i]
	}
	return s
}

func (s TypeSet) complement() TypeSet {
	all := AllTypes()
	for i := range s.bits {
		s.bits[i] = all.bits[i] &^ s.bits[i]
	}
	return s
}
