// Package driver is syscope's live event source: CO-RE eBPF programs that
// capture system calls and process lifecycle events in the kernel, and the
// loader and reader that hand those events to Go in the scap wire layout.
//
// The programs attach to the sys_exit raw tracepoint (one dispatcher that
// tail-calls a program per syscall family), to the per-syscall enter
// tracepoints of open, openat, openat2, creat and connect, and to
// sched_process_exec, sched_process_exit and (with a process filter)
// sched_process_fork. Every event is the current version of its scap event
// type with all of its parameters; syscalls without a decoder come as the
// generic event carrying their syscall code. Events travel through one
// shared BPF ring buffer or one per CPU; the reader hands out their bytes
// in place, without copying or allocating.
//
// Nothing is lost silently: events that do not fit in a ring buffer are
// counted in the kernel, per CPU and per category, and reported by
// Source.Stats.
//
// The package needs Linux x86_64 with BTF (CONFIG_DEBUG_INFO_BTF), kernel
// 6.2 or later, and root or CAP_BPF plus CAP_PERFMON. It does not keep state
// about processes or files (see package state) and does not read or write
// capture files (see package scap).
//
// The eBPF object and the Go that embeds it are generated (go generate) and
// committed, so building needs no clang.
package driver
