package driver

// The schema header comes from package event; the eBPF object is compiled
// from bpf/syscope.bpf.c. Both outputs are committed, so building the
// package needs neither clang nor the libbpf headers.
//go:generate go run ./internal/schemagen -out bpf/zz_schema.h
//go:generate go run github.com/cilium/ebpf/cmd/bpf2go -cc clang-14 -target amd64 -type counters -type sc_conf syscope bpf/syscope.bpf.c -- -O2 -g -Wall -Werror -D__TARGET_ARCH_x86
