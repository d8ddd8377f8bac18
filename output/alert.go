package output

import (
	"slices"
	"time"
)

// SourceInternal is the source of the alerts syscope raises about itself
// (dropped events, dropped alerts).
const SourceInternal = "internal"

// Alert is one rule match (or one internal message) ready to be delivered.
//
// Output is the rule's output already rendered (its %fields replaced), without
// the time and priority prefix. Fields holds the values of the fields the
// output names plus any extra fields (append_output), keyed by field name;
// a field the event did not have is Null.
//
// An Alert handed to Dispatcher.Send must not be modified afterwards.
type Alert struct {
	Time     time.Time
	Rule     string
	Priority Priority
	Source   string
	Tags     []string
	// Hostname overrides the formatter's hostname when not empty.
	Hostname string
	Output   string
	Fields   map[string]Value
	// Internal marks a message about syscope itself; it is laid out the
	// way Falco lays out its internal messages (no prefix in the JSON
	// "output", fields listed after the text, source "internal").
	Internal bool
}

// SortedTags returns the alert's tags sorted and without duplicates, the
// order Falco's JSON uses.
func (a *Alert) SortedTags() []string {
	t := slices.Clone(a.Tags)
	slices.Sort(t)
	return slices.Compact(t)
}
