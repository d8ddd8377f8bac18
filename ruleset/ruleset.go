// Package ruleset holds syscope's default detection rules, written for
// syscope in the Falco rules format and embedded in the binary.
//
// The rules cover the behaviours the upstream Falco rules are known for
// (credential file reads, shells below network services, writes below system
// directories, links over sensitive files, execution from memory or shared
// memory, ptrace, log wiping, credential searches, data destruction, raw
// sockets, kernel modules, reverse shells, container escapes) in syscope's own
// words and conditions. docs/ruleset.md describes each rule.
//
// This package only provides the file: loading and compiling it is the job of
// package rules.
//
//	rules.Load(ruleset.Name, ruleset.Default())
package ruleset

import (
	_ "embed"
	"slices"
)

// Name is the file name the default rules are reported under (in errors,
// warnings and `rules list`).
const Name = "syscope_rules.yaml"

//go:embed syscope_rules.yaml
var defaultRules []byte

// Default returns the default rules file (Falco YAML). The slice is a copy:
// callers may modify it.
func Default() []byte { return slices.Clone(defaultRules) }
