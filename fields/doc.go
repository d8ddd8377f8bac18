// Package fields defines the fields of syscall events that filters and
// output formats name: evt.*, proc.*, thread.*, fd.*, fdlist.*, fs.path.*,
// user.*, group.* and util.*, with the types, argument forms and semantics
// of libsinsp (as sysdig 0.29.3 and current Falco libraries define them).
//
// A Resolver binds a field reference such as "proc.aname[2]" or
// "evt.arg.flags" to an Extractor: typed getters over the per-event context
// (*state.Ctx) that satisfy the filter package's Field contract, plus text
// and JSON renderers that append to caller buffers the way sysdig prints the
// value. Extracting a value does not allocate.
//
// The field classes live in a Registry. The package's default registry holds
// the built-in classes; other packages add classes (container.*, k8s.*) with
// Register before creating a Resolver.
//
// This package does not parse filters or format strings (see packages filter
// and format), and it does not keep state: the state package does, and an
// Env gives extractors what they need beyond the event (the thread table, the
// user list, the capture's network interfaces, the first event's time).
package fields
