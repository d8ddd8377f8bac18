package engine

import (
	"github.com/syscope/syscope/fields"
	_ "github.com/syscope/syscope/fields/container" // registers container.*, k8s.*, proc.is_container_*
)

// Registry returns the fields rules are loaded and evaluated with:
// fields.Default(), which holds the built-in classes and, registered by
// package containerfields (imported by this package), the container.*,
// k8s.* and proc.is_container_* fields of Falco's container plugin.
func Registry() *fields.Registry { return fields.Default() }
