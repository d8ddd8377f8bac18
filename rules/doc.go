// Package rules loads Falco rules files and evaluates their rules.
//
// The loader reads rules files (rule, macro, list, required_engine_version
// and required_plugin_versions items) with Falco's semantics: lists are
// expanded into conditions as text before parsing, macros are resolved in
// the parsed conditions in definition order with loop detection, exceptions
// become "and not (...)" clauses, appends and overrides change earlier
// definitions, and a redefinition keeps the original's position. Errors and
// warnings carry Falco's codes (LOAD_ERR_*, LOAD_*) and file:line:col
// locations (1-based). Which fields exist and their types come from a
// filter.Schema per event source.
//
// An Engine binds a loaded Ruleset to a context type through a
// filter.Resolver and evaluates the enabled rules that can match an event's
// type, in definition order.
//
// The package does not read events, format outputs or deliver alerts.
package rules
