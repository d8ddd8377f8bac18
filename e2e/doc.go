// Package e2e holds syscope's end-to-end tests: they build the syscope
// binary, run `syscope run` live with the eBPF driver (root only; they must
// run under CI=true), perform real attacker-like actions on the machine
// (credential reads, path traversal, links over sensitive files, execution
// from /dev/shm and from a memfd, ptrace, log truncation, credential
// searches, shred, a shell below a process named like a web server), and
// check that each raises the expected rule with the expected output fields,
// both over the HTTP output to a local listener and on stdout. The same
// actions are recorded by `syscope capture -w` into a capture file, which
// `syscope run --replay` must turn into the same alerts.
//
// The package has no code of its own besides the tests.
package e2e
