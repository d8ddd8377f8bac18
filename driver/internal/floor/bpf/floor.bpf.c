// SPDX-License-Identifier: (MIT OR GPL-2.0)
/* The cost floor for the driver benchmarks: the least an eBPF syscall
 * tracer that writes to a ring buffer can do. On every syscall exit it
 * reserves a record, writes a scap-style header plus the return value, and
 * submits it. floor_enter does the same on the per-syscall enter
 * tracepoints the driver uses for its enter events, so that the floor can
 * also be measured with the driver's hooks. With copy set, the records of
 * open-like calls also hold the path and those of read/write the first 80
 * bytes of data, read from user memory as the driver reads them: the least
 * any tracer producing that content pays.
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
const volatile bool copy = false;

/* x86_64 syscall numbers of the calls whose content copy reads. */
#define NR_read 0
#define NR_write 1
#define NR_open 2
#define NR_connect 42
#define NR_creat 85
#define NR_openat 257
#define NR_openat2 437

#define DATA_LEN 80  /* the driver's default snaplen */
#define PATH_LEN 256 /* the driver's in-place path limit */

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

struct rec_data {
	struct rec h;
	u8 data[PATH_LEN];
} __attribute__((packed));

static __always_inline void fill(struct rec *r, u64 pt, u16 type, u16 id, u64 val, u32 size)
{
	r->cpu = 0;
	r->pad = 0;
	r->tid = (u32)pt;
	r->len = size - 8;
	r->type = type;
	r->nparams = 2;
	r->lens[0] = 2;
	r->lens[1] = 8;
	r->id = id;
	r->ret = val;
}

/* put writes one record; with ustr a user string is appended, with n > 0
 * n bytes (at most DATA_LEN) of ubuf. */
static __always_inline void put(u16 type, u16 id, u64 val, const void *ustr, const void *ubuf, u64 n)
{
	u64 pt = bpf_get_current_pid_tgid();
	if ((pt >> 32) == self_tgid)
		return;
	if (ustr || n) {
		struct rec_data *r = bpf_ringbuf_reserve(&ring, sizeof(*r), 0);
		if (!r)
			return;
		fill(&r->h, pt, type, id, val, sizeof(*r));
		if (ustr)
			bpf_probe_read_user_str(r->data, sizeof(r->data), ustr);
		else if (n <= DATA_LEN)
			bpf_probe_read_user(r->data, n, ubuf);
		r->h.ts = bpf_ktime_get_boot_ns();
		bpf_ringbuf_submit(r, BPF_RB_NO_WAKEUP);
		return;
	}
	struct rec *r = bpf_ringbuf_reserve(&ring, sizeof(*r), 0);
	if (!r)
		return;
	fill(r, pt, type, id, val, sizeof(*r));
	r->ts = bpf_ktime_get_boot_ns();
	bpf_ringbuf_submit(r, BPF_RB_NO_WAKEUP);
}

static __always_inline u64 min_data(u64 n)
{
	return n < DATA_LEN ? n : DATA_LEN;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(floor_exit, struct pt_regs *regs, long ret)
{
	u32 id = regs->orig_ax;
	const void *ustr = NULL, *ubuf = NULL;
	u64 n = 0;
	if (copy) {
		switch (id) {
		case NR_open:
		case NR_creat:
			ustr = (const void *)regs->di;
			break;
		case NR_openat:
		case NR_openat2:
			ustr = (const void *)regs->si;
			break;
		case NR_read:
			if (ret > 0) {
				ubuf = (const void *)regs->si;
				n = min_data(ret);
			}
			break;
		case NR_write:
			ubuf = (const void *)regs->si;
			n = min_data(regs->dx);
			break;
		}
	}
	put(1, id, ret, ustr, ubuf, n);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_openat")
int floor_enter(struct trace_event_raw_sys_enter *ctx)
{
	u32 id = ctx->id;
	u64 a0 = ctx->args[0], a1 = ctx->args[1];
	const void *ustr = NULL;
	if (copy)
		ustr = (const void *)(id == NR_openat || id == NR_openat2 ? a1 : a0);
	put(2, id, a0, ustr, NULL, 0);
	return 0;
}

/* A tracepoint program may read no further in its context than the
 * shortest of the tracepoints it is attached to: connect's third argument
 * is beyond creat's two, so connect has its own program. */
SEC("tracepoint/syscalls/sys_enter_connect")
int floor_enter_connect(struct trace_event_raw_sys_enter *ctx)
{
	const void *ubuf = NULL;
	u64 n = 0;
	if (copy) {
		ubuf = (const void *)ctx->args[1];
		n = min_data(ctx->args[2]);
	}
	put(2, ctx->id, ctx->args[0], NULL, ubuf, n);
	return 0;
}
