// Package filter implements the sysdig/Falco filter language: a parser that
// turns a condition such as
//
//	evt.type = open and proc.name in (bash, sh) and not fd.name startswith /proc
//
// into an AST (with 1-based line and column positions), a canonical
// rendering of that AST (the text Falco prints for compiled conditions), a
// type checker, and a compiler that turns the AST into a predicate over any
// context type C through typed field extractors (see Field and Resolver).
// Evaluating a compiled predicate does not allocate.
//
// The package knows no field: which fields exist, their types and how to
// read them from an event is the business of a Resolver (the fields package
// for syscall events). Bare identifiers (Falco macros and lists) are left in
// the AST for the caller to resolve; the rules package does that.
package filter
