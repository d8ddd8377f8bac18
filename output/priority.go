package output

import (
	"fmt"
	"strings"
)

// Priority is a rule's severity, Falco's eight levels from the most severe
// (Emergency, 0) to the least (Debug, 7). The numeric values are the syslog
// severities of the same names.
type Priority uint8

// The priorities, most severe first.
const (
	PriorityEmergency Priority = iota
	PriorityAlert
	PriorityCritical
	PriorityError
	PriorityWarning
	PriorityNotice
	PriorityInformational
	PriorityDebug
)

var priorityNames = [...]string{
	"Emergency", "Alert", "Critical", "Error", "Warning", "Notice", "Informational", "Debug",
}

// String returns the priority's name as Falco prints it ("Warning",
// "Informational"), or "Priority(N)" for an out-of-range value.
func (p Priority) String() string {
	if int(p) < len(priorityNames) {
		return priorityNames[p]
	}
	return fmt.Sprintf("Priority(%d)", uint8(p))
}

// Valid reports whether p is one of the eight priorities.
func (p Priority) Valid() bool { return int(p) < len(priorityNames) }

// AtLeast reports whether p is as severe as min or more severe.
func (p Priority) AtLeast(min Priority) bool { return p <= min }

// ParsePriority parses a priority name case-insensitively, as Falco does;
// "info" is accepted for Informational.
func ParsePriority(s string) (Priority, error) {
	for i, n := range priorityNames {
		if strings.EqualFold(s, n) {
			return Priority(i), nil
		}
	}
	if strings.EqualFold(s, "info") {
		return PriorityInformational, nil
	}
	return 0, fmt.Errorf("unknown priority %q (want one of emergency, alert, critical, error, warning, notice, informational, info, debug)", s)
}

// MarshalText renders the priority's name.
func (p Priority) MarshalText() ([]byte, error) {
	if !p.Valid() {
		return nil, fmt.Errorf("invalid priority %d", uint8(p))
	}
	return []byte(p.String()), nil
}

// UnmarshalText parses a priority name (see ParsePriority).
func (p *Priority) UnmarshalText(b []byte) error {
	v, err := ParsePriority(string(b))
	if err != nil {
		return err
	}
	*p = v
	return nil
}
