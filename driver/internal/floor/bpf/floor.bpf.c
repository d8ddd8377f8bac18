// SPDX-License-Identifier: (MIT OR GPL-2.0)
/* The cost floor for the driver benchmarks: the least an eBPF syscall
 * tracer that writes to a ring buffer can do. On every syscall exit it
 * reserves a record, writes a scap-style header plus the return value, and
 * submits it. floor_enter does the same on the per-syscall enter
 * tracepoints the driver uses for its enter events, so that the floor can
 * also be measured with the driver's hooks.
 */
#include "../../../bpf/vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual MIT/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 24);
} ring SEC(".maps");

const volatile u32 self_tgid = 0;

struct rec {
	u32 cpu, pad;   /* same prefix as the driver's records */
	u64 ts, tid;
	u32 len;
	u16 type;
	u32 nparams;
	u16 lens[2];
	u16 id;
	u64 ret;
} __attribute__((packed));

SEC("tp_btf/sys_exit")
int BPF_PROG(floor_exit, struct pt_regs *regs, long ret)
{
	u64 pt = bpf_get_current_pid_tgid();
	if ((pt >> 32) == self_tgid)
		return 0;
	struct rec *r = bpf_ringbuf_reserve(&ring, sizeof(*r), 0);
	if (!r)
		return 0;
	r->cpu = 0;
	r->pad = 0;
	r->ts = bpf_ktime_get_boot_ns();
	r->tid = (u32)pt;
	r->len = sizeof(*r) - 8;
	r->type = 1;
	r->nparams = 2;
	r->lens[0] = 2;
	r->lens[1] = 8;
	r->id = regs->orig_ax;
	r->ret = ret;
	bpf_ringbuf_submit(r, BPF_RB_NO_WAKEUP);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_openat")
int floor_enter(struct trace_event_raw_sys_enter *ctx)
{
	u64 pt = bpf_get_current_pid_tgid();
	if ((pt >> 32) == self_tgid)
		return 0;
	struct rec *r = bpf_ringbuf_reserve(&ring, sizeof(*r), 0);
	if (!r)
		return 0;
	r->cpu = 0;
	r->pad = 0;
	r->ts = bpf_ktime_get_boot_ns();
	r->tid = (u32)pt;
	r->len = sizeof(*r) - 8;
	r->type = 2;
	r->nparams = 2;
	r->lens[0] = 2;
	r->lens[1] = 8;
	r->id = ctx->id;
	r->ret = ctx->args[0];
	bpf_ringbuf_submit(r, BPF_RB_NO_WAKEUP);
	return 0;
}
