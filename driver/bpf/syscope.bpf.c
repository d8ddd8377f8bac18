// SPDX-License-Identifier: (MIT OR GPL-2.0)
/* syscope's eBPF driver: system call and process events in the scap layout.
 *
 * One program on raw tracepoint sys_exit dispatches: it checks the
 * per-syscall configuration and the process filter, then tail-calls the
 * program of the syscall's family (exit_progs, keyed by syscall number); a
 * syscall without one is sent as the generic event. Enter events exist only
 * for open, openat, openat2, creat and connect (what the caller passed, before
 * the kernel acted). Successful execs come from sched_process_exec, process
 * exits from sched_process_exit.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#include "zz_schema.h"
#include "kconst.h"
#include "flags.h"
#include "builder.h"
#include "extract.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

#define SC_ID(regs) ((u32)(regs)->orig_ax)
#define UPTR(x) ((const void *)(unsigned long)(x))

static __always_inline bool is_compat(struct task_struct *t)
{
	return t->thread_info.status & K_TS_COMPAT;
}

/* ================= dispatcher ================= */

/* The generic event has a fixed size: it is written in place in the ring
 * buffer, without the scratch buffer and the copy. */
struct generic_rec {
	u32 cpu, pad;
	u64 ts, tid;
	u32 len;
	u16 type;
	u32 nparams;
	u16 lens[2];
	u16 ppm_sc, id;
} __attribute__((packed));

/* Events written in place in the ring buffer: no scratch buffer, no copy.
 * inplace_reserve takes a record of size bytes in this CPU's ring (or the
 * shared one) and fills its header but the timestamp, counting a drop in
 * category cat when it cannot; inplace_submit stamps and submits it. */
struct inplace {
	struct counters *c;
	u64 flags;
};

static __always_inline void *inplace_reserve(struct inplace *ip, u32 size, u16 type, u32 np, u8 cat, u32 tid)
{
	struct counters *c = counters();
	ip->c = c;
	if (!c)
		return NULL;
	void *rb = ring();
	if (!rb) {
		c->drops[cat]++;
		return NULL;
	}
	ip->flags = wakeup_flags(c);
	u8 *r = bpf_ringbuf_reserve(rb, size, 0);
	if (!r) {
		c->drops[cat]++;
		return NULL;
	}
	*(u32 *)&r[0] = bpf_get_smp_processor_id();
	*(u32 *)&r[4] = 0;
	*(u64 *)&r[PREFIX_LEN + 8] = tid;
	*(u32 *)&r[PREFIX_LEN + 16] = size - PREFIX_LEN;
	*(u16 *)&r[PREFIX_LEN + 20] = type;
	*(u32 *)&r[PREFIX_LEN + 22] = np;
	return r;
}

static __always_inline void inplace_submit(struct inplace *ip, void *r)
{
	*(u64 *)((u8 *)r + PREFIX_LEN) = bpf_ktime_get_boot_ns() + cfg_boot_ns;
	bpf_ringbuf_submit(r, ip->flags);
	ip->c->events++;
}

static __always_inline void emit_generic(u16 ppm_sc, u16 id, u32 tid)
{
	struct inplace ip;
	struct generic_rec *r = inplace_reserve(&ip, sizeof(*r), PPME_GENERIC_X, PPME_GENERIC_X_NP, DC_OTHER, tid);
	if (!r)
		return;
	r->lens[0] = 2;
	r->lens[1] = 2;
	r->ppm_sc = ppm_sc;
	r->id = id;
	inplace_submit(&ip, r);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit, struct pt_regs *regs, long ret)
{
	u32 id = SC_ID(regs);
	if (id >= NSYSCALLS)
		return 0;
	struct sc_conf *sc = bpf_map_lookup_elem(&syscall_conf, &id);
	if (!sc || !sc->on)
		return 0;
	u64 pt = bpf_get_current_pid_tgid();
	if (!pass_tgid(pt >> 32))
		return 0;
	if (is_compat(cur())) {
		struct counters *c = counters();
		if (c)
			c->compat_skipped++;
		return 0;
	}
	if (sc->prog) {
		bpf_tail_call(ctx, &exit_progs, id);
		struct counters *c = counters();
		if (c)
			c->tail_miss++;
	}
	emit_generic(sc->ppm_sc, id, (u32)pt);
	return 0;
}

/* ================= in-place path events ================= */

/* Longest path (with its NUL) written in place: the open-like events whose
 * path fits are written directly in a ring-buffer reservation with room for
 * it (what the path does not fill is padding after the event, which the
 * reader cuts off using the event's length); a longer path is written
 * through the scratch buffer. */
#define PATH_INPLACE 256

/* A fixed-size parameter: value and size (2, 4 or 8 bytes). */
struct fparam {
	u64 v;
	u32 sz;
};

static __always_inline void put_fixed(u8 *p, const struct fparam *f)
{
	if (f->sz == 8)
		*(u64 *)p = f->v;
	else if (f->sz == 4)
		*(u32 *)p = f->v;
	else
		*(u16 *)p = f->v;
}

/* path_inplace writes an event made of npre fixed parameters, the user path
 * at upath, then npost fixed parameters, in place. It returns false, having
 * written nothing, when the path does not fit in PATH_INPLACE bytes; true
 * otherwise (the event written, or counted as dropped). */
static __always_inline bool path_inplace(u16 type, const struct fparam *pre, int npre, const void *upath,
					 const struct fparam *post, int npost, u32 tid)
{
	u32 np = npre + 1 + npost, presz = 0, postsz = 0;
#pragma unroll
	for (int i = 0; i < npre; i++)
		presz += pre[i].sz;
#pragma unroll
	for (int i = 0; i < npost; i++)
		postsz += post[i].sz;
	u32 lp = PREFIX_LEN + HDR_LEN;
	u32 off = lp + 2 * np + presz;
	struct inplace ip;
	u8 *r = inplace_reserve(&ip, off + PATH_INPLACE + postsz, type, np, DC_FILE, tid);
	if (!r)
		return true;
	long n = upath ? bpf_probe_read_user_str(&r[off], PATH_INPLACE, upath) : 0;
	if (n >= PATH_INPLACE) {
		bpf_ringbuf_discard(r, BPF_RB_NO_WAKEUP);
		return false;
	}
	if (n < 0)
		n = 0;
	u64 m = BOUND(n, PATH_INPLACE - 1);
	u32 o = lp + 2 * np;
#pragma unroll
	for (int i = 0; i < npre; i++) {
		*(u16 *)&r[lp + 2 * i] = pre[i].sz;
		put_fixed(&r[o], &pre[i]);
		o += pre[i].sz;
	}
	*(u16 *)&r[lp + 2 * npre] = m;
	u8 *q = &r[off + m];
#pragma unroll
	for (int i = 0; i < npost; i++) {
		*(u16 *)&r[lp + 2 * (npre + 1 + i)] = post[i].sz;
		put_fixed(q, &post[i]);
		q += post[i].sz;
	}
	*(u32 *)&r[PREFIX_LEN + 16] = off + m + postsz - PREFIX_LEN;
	inplace_submit(&ip, r);
	return true;
}

/* ================= enter events ================= */

static __always_inline bool enter_on(u32 id, u64 pt)
{
	struct sc_conf *sc = bpf_map_lookup_elem(&syscall_conf, &id);
	return sc && sc->on && pass_tgid(pt >> 32);
}

/* The enter events are built from the syscall number and arguments, so
 * the same code serves the raw sys_enter tracepoint and the per-syscall
 * enter tracepoints. */
static __always_inline void enter_event(u32 id, const u64 *a)
{
	struct scratch *e;
	u64 pt = bpf_get_current_pid_tgid();
	switch (id) {
	case NR_open: {
		if (!enter_on(id, pt))
			return;
		u32 fl = a[1];
		struct fparam post[2] = {{cv_open_flags(fl), 4}, {cv_open_mode(fl, a[2]), 4}};
		if (path_inplace(PPME_SYSCALL_OPEN_E, NULL, 0, UPTR(a[0]), post, 2, pt))
			return;
		if (!(e = ev_init(PPME_SYSCALL_OPEN_E, PPME_SYSCALL_OPEN_E_NP, DC_FILE)))
			return;
		p_ustr(e, UPTR(a[0]));
		p_u32(e, cv_open_flags(fl));
		p_u32(e, cv_open_mode(fl, a[2]));
		break;
	}
	case NR_openat: {
		if (!enter_on(id, pt))
			return;
		u32 fl = a[2];
		struct fparam pre[1] = {{cv_dirfd(a[0]), 8}};
		struct fparam post[2] = {{cv_open_flags(fl), 4}, {cv_open_mode(fl, a[3]), 4}};
		if (path_inplace(PPME_SYSCALL_OPENAT_2_E, pre, 1, UPTR(a[1]), post, 2, pt))
			return;
		if (!(e = ev_init(PPME_SYSCALL_OPENAT_2_E, PPME_SYSCALL_OPENAT_2_E_NP, DC_FILE)))
			return;
		p_s64(e, cv_dirfd(a[0]));
		p_ustr(e, UPTR(a[1]));
		p_u32(e, cv_open_flags(fl));
		p_u32(e, cv_open_mode(fl, a[3]));
		break;
	}
	case NR_openat2: {
		if (!enter_on(id, pt) || !(e = ev_init(PPME_SYSCALL_OPENAT2_E, PPME_SYSCALL_OPENAT2_E_NP, DC_FILE)))
			return;
		struct open_how how = {};
		bpf_probe_read_user(&how, sizeof(how), UPTR(a[2]));
		p_s64(e, cv_dirfd(a[0]));
		p_ustr(e, UPTR(a[1]));
		p_u32(e, cv_open_flags(how.flags));
		p_u32(e, cv_open_mode(how.flags, how.mode));
		p_u32(e, cv_resolve(how.resolve));
		break;
	}
	case NR_creat:
		if (!enter_on(id, pt) || !(e = ev_init(PPME_SYSCALL_CREAT_E, PPME_SYSCALL_CREAT_E_NP, DC_FILE)))
			return;
		p_ustr(e, UPTR(a[0]));
		p_u32(e, cv_open_mode(K_O_CREAT, a[1]));
		break;
	case NR_connect:
		if (!enter_on(id, pt) || !(e = ev_init(PPME_SOCKET_CONNECT_E, PPME_SOCKET_CONNECT_E_NP, DC_NET)))
			return;
		p_s64(e, (s32)a[0]);
		p_sockaddr(e, UPTR(a[1]), a[2]);
		break;
	default:
		return;
	}
	ev_submit_tid(e, (u32)pt);
}

/* Per-syscall enter tracepoints: they cost nothing to the other syscalls.
 * enter_event is inlined with a constant syscall, so each program reads only
 * the arguments its syscall has (a tracepoint program may not read further
 * in its context than its tracepoint holds: creat has two). */
#define ENTER_TP(name)                                                                   \
	SEC("tracepoint/syscalls/sys_enter_" #name)                                      \
	int e_##name(struct trace_event_raw_sys_enter *ctx)                              \
	{                                                                                \
		u64 a[4] = {ctx->args[0], ctx->args[1], ctx->args[2], ctx->args[3]};     \
		enter_event(NR_##name, a);                                               \
		return 0;                                                                \
	}

ENTER_TP(open)
ENTER_TP(openat)
ENTER_TP(openat2)
ENTER_TP(creat)
ENTER_TP(connect)

/* The raw sys_enter tracepoint: one program for all five, run on every
 * syscall (used when the per-syscall tracepoints are not available). */
SEC("tp_btf/sys_enter")
int BPF_PROG(sys_enter, struct pt_regs *regs, long id)
{
	switch (id) {
	case NR_open:
	case NR_openat:
	case NR_openat2:
	case NR_creat:
	case NR_connect:
		break;
	default:
		return 0;
	}
	u64 a[4] = {regs->di, regs->si, regs->dx, regs->r10};
	enter_event(id, a);
	return 0;
}

/* ================= files ================= */

struct fileinfo {
	u32 dev;
	u64 ino;
	u32 flags; /* O_F_CREATED and overlay layer bits */
	enum overlay ol;
};

static __always_inline void file_info(struct task_struct *t, long fd, struct fileinfo *fi)
{
	fi->dev = 0;
	fi->ino = 0;
	fi->flags = 0;
	fi->ol = OVL_NONE;
	if (fd < 0)
		return;
	struct file *f = fd_file(t, fd);
	if (!f)
		return;
	struct inode *i = f->f_inode;
	fi->dev = encode_dev(i->i_sb->s_dev);
	fi->ino = i->i_ino;
	if (f->f_mode & K_FMODE_CREATED)
		fi->flags |= FT_FILE_FLAGS_O_F_CREATED;
	fi->ol = file_overlay(f);
	if (fi->ol == OVL_UPPER)
		fi->flags |= FT_FILE_FLAGS_FD_UPPER_LAYER;
	else if (fi->ol == OVL_LOWER)
		fi->flags |= FT_FILE_FLAGS_FD_LOWER_LAYER;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(x_open, struct pt_regs *regs, long ret)
{
	struct task_struct *t = cur();
	struct fileinfo fi;
	struct scratch *e;
	file_info(t, ret, &fi);
	switch (SC_ID(regs)) {
	case NR_open: {
		u32 fl = arg(regs, 1);
		struct fparam pre[1] = {{ret, 8}};
		struct fparam post[4] = {{cv_open_flags(fl) | fi.flags, 4}, {cv_open_mode(fl, arg(regs, 2)), 4}, {fi.dev, 4}, {fi.ino, 8}};
		if (path_inplace(PPME_SYSCALL_OPEN_X, pre, 1, UPTR(arg(regs, 0)), post, 4, bpf_get_current_pid_tgid()))
			return 0;
		if (!(e = ev_init(PPME_SYSCALL_OPEN_X, PPME_SYSCALL_OPEN_X_NP, DC_FILE)))
			return 0;
		p_s64(e, ret);
		p_ustr(e, UPTR(arg(regs, 0)));
		p_u32(e, cv_open_flags(fl) | fi.flags);
		p_u32(e, cv_open_mode(fl, arg(regs, 2)));
		p_u32(e, fi.dev);
		p_u64(e, fi.ino);
		break;
	}
	case NR_openat: {
		u32 fl = arg(regs, 2);
		struct fparam pre[2] = {{ret, 8}, {cv_dirfd(arg(regs, 0)), 8}};
		struct fparam post[4] = {{cv_open_flags(fl) | fi.flags, 4}, {cv_open_mode(fl, arg(regs, 3)), 4}, {fi.dev, 4}, {fi.ino, 8}};
		if (path_inplace(PPME_SYSCALL_OPENAT_2_X, pre, 2, UPTR(arg(regs, 1)), post, 4, bpf_get_current_pid_tgid()))
			return 0;
		if (!(e = ev_init(PPME_SYSCALL_OPENAT_2_X, PPME_SYSCALL_OPENAT_2_X_NP, DC_FILE)))
			return 0;
		p_s64(e, ret);
		p_s64(e, cv_dirfd(arg(regs, 0)));
		p_ustr(e, UPTR(arg(regs, 1)));
		p_u32(e, cv_open_flags(fl) | fi.flags);
		p_u32(e, cv_open_mode(fl, arg(regs, 3)));
		p_u32(e, fi.dev);
		p_u64(e, fi.ino);
		break;
	}
	case NR_openat2: {
		if (!(e = ev_init(PPME_SYSCALL_OPENAT2_X, PPME_SYSCALL_OPENAT2_X_NP, DC_FILE)))
			return 0;
		struct open_how how = {};
		bpf_probe_read_user(&how, sizeof(how), UPTR(arg(regs, 2)));
		p_s64(e, ret);
		p_s64(e, cv_dirfd(arg(regs, 0)));
		p_ustr(e, UPTR(arg(regs, 1)));
		p_u32(e, cv_open_flags(how.flags) | fi.flags);
		p_u32(e, cv_open_mode(how.flags, how.mode));
		p_u32(e, cv_resolve(how.resolve));
		p_u32(e, fi.dev);
		p_u64(e, fi.ino);
		break;
	}
	case NR_creat: {
		if (!(e = ev_init(PPME_SYSCALL_CREAT_X, PPME_SYSCALL_CREAT_X_NP, DC_FILE)))
			return 0;
		p_s64(e, ret);
		p_ustr(e, UPTR(arg(regs, 0)));
		p_u32(e, cv_open_mode(K_O_CREAT, arg(regs, 1)));
		p_u32(e, fi.dev);
		p_u64(e, fi.ino);
		p_u16(e, fi.ol == OVL_UPPER   ? FT_CREAT_FLAGS_FD_UPPER_LAYER_CREAT
			  : fi.ol == OVL_LOWER ? FT_CREAT_FLAGS_FD_LOWER_LAYER_CREAT
					       : 0);
		break;
	}
	default:
		return 0;
	}
	ev_submit(e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(x_close, struct pt_regs *regs, long ret)
{
	struct scratch *e;
	switch (SC_ID(regs)) {
	case NR_close: {
		/* The most frequent file event, fixed-size: written in place. */
		struct close_rec {
			u8 hdr[PREFIX_LEN + HDR_LEN];
			u16 lens[2];
			s64 res, fd;
		} __attribute__((packed));
		struct inplace ip;
		struct close_rec *r = inplace_reserve(&ip, sizeof(*r), PPME_SYSCALL_CLOSE_X, PPME_SYSCALL_CLOSE_X_NP, DC_FILE,
						      bpf_get_current_pid_tgid());
		if (!r)
			return 0;
		r->lens[0] = 8;
		r->lens[1] = 8;
		r->res = ret;
		r->fd = (s32)arg(regs, 0);
		inplace_submit(&ip, r);
		return 0;
	}
	case NR_close_range:
		if (!(e = ev_init(PPME_SYSCALL_CLOSE_RANGE_X, PPME_SYSCALL_CLOSE_RANGE_X_NP, DC_FILE)))
			return 0;
		p_s64(e, ret);
		p_u32(e, arg(regs, 0));
		p_u32(e, arg(regs, 1));
		p_u32(e, arg(regs, 2) & 6); /* CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC */
		break;
	default:
		return 0;
	}
	ev_submit(e);
	return 0;
}

/* ================= I/O ================= */

static __always_inline u64 snap(u64 n)
{
	return n < cfg_snaplen ? n : cfg_snaplen;
}

/* Protocol-aware snaplen: I/O on a socket whose data starts like an HTTP/1.x
 * request or response is captured up to cfg_proto_snaplen bytes instead of
 * the snaplen. The test runs only when the data was cut by the snaplen, on
 * the first four bytes already captured; the socket check (the descriptor
 * table walk) only when they match. */
#define W4(a, b, c, d) ((u32)(a) | (u32)(b) << 8 | (u32)(c) << 16 | (u32)(d) << 24)

static __always_inline bool http_start(u32 w)
{
	switch (w) {
	case W4('G', 'E', 'T', ' '):
	case W4('P', 'O', 'S', 'T'):
	case W4('P', 'U', 'T', ' '):
	case W4('D', 'E', 'L', 'E'):
	case W4('H', 'E', 'A', 'D'):
	case W4('P', 'A', 'T', 'C'):
	case W4('O', 'P', 'T', 'I'):
	case W4('C', 'O', 'N', 'N'):
	case W4('T', 'R', 'A', 'C'):
	case W4('H', 'T', 'T', 'P'):
		return true;
	}
	return false;
}

/* proto_on reports whether the protocol snaplen is larger than the snaplen
 * (known when the programs load: the rest is dropped otherwise). */
static __always_inline bool proto_on(void)
{
	return cfg_proto_snaplen > cfg_snaplen;
}

/* proto_len returns how many of avail bytes to capture when n were
 * captured, starting with the word first: n, or more under the protocol
 * snaplen. sock says the descriptor is known to be a socket. */
static __always_inline u64 proto_len(u32 first, u64 n, u64 avail, s64 fd, bool sock)
{
	if (!proto_on() || avail <= n || n < 4 || !http_start(first))
		return n;
	if (!sock) {
		struct file *f = fd_file(cur(), fd);
		if (!f || !file_is_socket(f))
			return n;
	}
	return avail < cfg_proto_snaplen ? avail : cfg_proto_snaplen;
}

/* p_io stores I/O data: the first snap(avail) bytes of src, or more under
 * the protocol snaplen. */
static __always_inline void p_io(struct scratch *e, const void *src, u64 avail, s64 fd, bool sock)
{
	u32 start = LOAD(e->pos);
	u64 n = snap(avail);
	p_ubuf(e, src, n);
	if (!proto_on() || LOAD(e->pos) - start != n || n < 4)
		return;
	u64 want = proto_len(*(u32 *)&e->ev[start & EV_MASK], n, avail, fd, sock);
	if (want <= n || want > MAX_SNAPLEN)
		return;
	u64 more = want - n;
	if (bpf_probe_read_user(&e->ev[e->pos & EV_MASK], BOUND(more, (MAX_SNAPLEN * 2 - 1)), src + n))
		return;
	e->pos += more;
	*(u16 *)&e->ev[(e->lp - 2) & EV_MASK] = want;
}

/* Largest snaplen for which read and write events are written in place:
 * the record reserved has room for the whole snaplen, and what the data
 * does not fill is padding after the event. */
#define INPLACE_SNAPLEN 256

/* rw_inplace writes a read/write event directly in the ring buffer. It
 * returns false, having written nothing, when the data needs the protocol
 * snaplen (the scratch buffer path then writes the event). */
static __always_inline bool rw_inplace(struct pt_regs *regs, long ret, u16 type, bool write, bool pos)
{
	u32 np = pos ? 5 : 4;
	/* lens, res, data, fd, size, pos */
	u32 fixed = PREFIX_LEN + HDR_LEN + 2 * np + 8 + 8 + 4 + (pos ? 8 : 0);
	struct inplace ip;
	u32 tid = bpf_get_current_pid_tgid();
	u8 *r = pos ? inplace_reserve(&ip, PREFIX_LEN + HDR_LEN + 2 * 5 + 28 + cfg_snaplen, type, 5, DC_IO, tid)
		    : inplace_reserve(&ip, PREFIX_LEN + HDR_LEN + 2 * 4 + 20 + cfg_snaplen, type, 4, DC_IO, tid);
	if (!r)
		return true;
	u64 size = arg(regs, 2);
	u64 avail = ret > 0 ? ret : write ? size : 0;
	u64 n = avail < cfg_snaplen ? avail : cfg_snaplen;
	u32 lp = PREFIX_LEN + HDR_LEN;
	u32 off = lp + 2 * np;
	*(s64 *)&r[off] = ret;
	off += 8;
	if (n && bpf_probe_read_user(&r[off], BOUND(n, INPLACE_SNAPLEN * 2 - 1), UPTR(arg(regs, 1))))
		n = 0;
	n = BOUND(n, INPLACE_SNAPLEN * 2 - 1);
	if (n > cfg_snaplen)
		n = 0;
	if (proto_on() && n >= 4 && proto_len(*(u32 *)&r[off], n, avail, (s32)arg(regs, 0), false) > n) {
		bpf_ringbuf_discard(r, BPF_RB_NO_WAKEUP);
		return false;
	}
	u8 *q = &r[off + n];
	*(s64 *)&q[0] = (s32)arg(regs, 0);
	*(u32 *)&q[8] = size;
	if (pos)
		*(u64 *)&q[12] = arg(regs, 3);
	*(u16 *)&r[lp] = 8;
	*(u16 *)&r[lp + 2] = n;
	*(u16 *)&r[lp + 4] = 8;
	*(u16 *)&r[lp + 6] = 4;
	if (pos)
		*(u16 *)&r[lp + 8] = 8;
	*(u32 *)&r[PREFIX_LEN + 16] = fixed + n - PREFIX_LEN;
	inplace_submit(&ip, r);
	return true;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(x_rw, struct pt_regs *regs, long ret)
{
	struct scratch *e;
	u32 id = SC_ID(regs);
	bool write = id == NR_write || id == NR_pwrite64;
	bool pos = id == NR_pread64 || id == NR_pwrite64;
	if (cfg_snaplen <= INPLACE_SNAPLEN) {
		u16 type;
		switch (id) {
		case NR_read: type = PPME_SYSCALL_READ_X; break;
		case NR_pread64: type = PPME_SYSCALL_PREAD_X; break;
		case NR_write: type = PPME_SYSCALL_WRITE_X; break;
		case NR_pwrite64: type = PPME_SYSCALL_PWRITE_X; break;
		default: return 0;
		}
		if (rw_inplace(regs, ret, type, write, pos))
			return 0;
	}
	switch (id) {
	case NR_read:
		if (!(e = ev_init(PPME_SYSCALL_READ_X, PPME_SYSCALL_READ_X_NP, DC_IO)))
			return 0;
		break;
	case NR_pread64:
		if (!(e = ev_init(PPME_SYSCALL_PREAD_X, PPME_SYSCALL_PREAD_X_NP, DC_IO)))
			return 0;
		break;
	case NR_write:
		if (!(e = ev_init(PPME_SYSCALL_WRITE_X, PPME_SYSCALL_WRITE_X_NP, DC_IO)))
			return 0;
		break;
	case NR_pwrite64:
		if (!(e = ev_init(PPME_SYSCALL_PWRITE_X, PPME_SYSCALL_PWRITE_X_NP, DC_IO)))
			return 0;
		break;
	default:
		return 0;
	}
	u64 size = arg(regs, 2);
	s64 fd = (s32)arg(regs, 0);
	p_s64(e, ret);
	if (ret > 0)
		p_io(e, UPTR(arg(regs, 1)), ret, fd, false);
	else if (write)
		p_io(e, UPTR(arg(regs, 1)), size, fd, false);
	else
		p_empty(e);
	p_s64(e, fd);
	p_u32(e, size);
	if (pos)
		p_u64(e, arg(regs, 3));
	ev_submit(e);
	return 0;
}

#define MAX_IOV 32

/* iov_total sums the lengths of the first iovcnt iovecs (at most MAX_IOV). */
static __always_inline u64 iov_total(struct scratch *e, const struct iovec *uiov, u64 cnt)
{
	struct iovec *iov = (struct iovec *)e->tmp;
	if (cnt > MAX_IOV)
		cnt = MAX_IOV;
	if (!uiov || !cnt || bpf_probe_read_user(iov, BOUND((cnt * sizeof(*iov)), 1023), uiov))
		return 0;
	u64 total = 0;
	for (int i = 0; i < MAX_IOV; i++) {
		if (i >= cnt)
			break;
		total += iov[i].iov_len;
	}
	return total;
}

/* p_iov stores up to max bytes gathered from the iovecs. */
static __always_inline void p_iov(struct scratch *e, const struct iovec *uiov, u64 cnt, u64 max)
{
	struct iovec *iov = (struct iovec *)e->tmp;
	if (cnt > MAX_IOV)
		cnt = MAX_IOV;
	if (!uiov || !cnt || !max || bpf_probe_read_user(iov, BOUND((cnt * sizeof(*iov)), 1023), uiov)) {
		p_empty(e);
		return;
	}
	if (max > MAX_SNAPLEN)
		max = MAX_SNAPLEN;
	e->acc = 0;
	for (int i = 0; i < MAX_IOV; i++) {
		if (i >= cnt)
			break;
		u32 got = LOAD(e->acc);
		if (got >= max)
			break;
		u64 n = iov[i].iov_len;
		if (n > max - got)
			n = max - got;
		if (n == 0)
			continue;
		if (bpf_probe_read_user(&e->ev[e->pos & EV_MASK], BOUND(n, (MAX_SNAPLEN * 2 - 1)), iov[i].iov_base))
			break;
		e->pos += n;
		e->acc = got + n;
	}
	ev_len(e, LOAD(e->acc));
}

/* p_iov_io stores I/O data gathered from iovecs: snap(avail) bytes, or more
 * under the protocol snaplen (gathered again from the start). */
static __always_inline void p_iov_io(struct scratch *e, const struct iovec *uiov, u64 cnt, u64 avail, s64 fd, bool sock)
{
	u32 start = LOAD(e->pos), lp = LOAD(e->lp);
	u64 n = snap(avail);
	p_iov(e, uiov, cnt, n);
	if (!proto_on() || LOAD(e->pos) - start != n || n < 4)
		return;
	u64 want = proto_len(*(u32 *)&e->ev[start & EV_MASK], n, avail, fd, sock);
	if (want <= n)
		return;
	e->pos = start;
	e->lp = lp;
	p_iov(e, uiov, cnt, want);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(x_rwv, struct pt_regs *regs, long ret)
{
	struct scratch *e;
	u32 id = SC_ID(regs);
	const struct iovec *uiov = UPTR(arg(regs, 1));
	u64 cnt = arg(regs, 2);
	switch (id) {
	case NR_readv:
	case NR_preadv:
		if (id == NR_readv) {
			if (!(e = ev_init(PPME_SYSCALL_READV_X, PPME_SYSCALL_READV_X_NP, DC_IO)))
				return 0;
		} else if (!(e = ev_init(PPME_SYSCALL_PREADV_X, PPME_SYSCALL_PREADV_X_NP, DC_IO))) {
			return 0;
		}
		p_s64(e, ret);
		p_u32(e, ret > 0 ? ret : 0);
		if (ret > 0)
			p_iov_io(e, uiov, cnt, ret, (s32)arg(regs, 0), false);
		else
			p_empty(e);
		p_s64(e, (s32)arg(regs, 0));
		if (id == NR_preadv)
			p_u64(e, arg(regs, 3));
		break;
	case NR_writev:
	case NR_pwritev: {
		if (id == NR_writev) {
			if (!(e = ev_init(PPME_SYSCALL_WRITEV_X, PPME_SYSCALL_WRITEV_X_NP, DC_IO)))
				return 0;
		} else if (!(e = ev_init(PPME_SYSCALL_PWRITEV_X, PPME_SYSCALL_PWRITEV_X_NP, DC_IO))) {
			return 0;
		}
		u64 total = iov_total(e, uiov, cnt);
		p_s64(e, ret);
		p_iov_io(e, uiov, cnt, ret > 0 ? ret : total, (s32)arg(regs, 0), false);
		p_s64(e, (s32)arg(regs, 0));
		p_u32(e, total);
		if (id == NR_pwritev)
			p_u64(e, arg(regs, 3));
		break;
	}
	default:
		return 0;
	}
	ev_submit(e);
	return 0;
}

/* ================= sockets ================= */

SEC("tp_btf/sys_exit")
int BPF_PROG(x_socket, struct pt_regs *regs, long ret)
{
	struct scratch *e;
	switch (SC_ID(regs)) {
	case NR_socket: {
		if (!(e = ev_init(PPME_SOCKET_SOCKET_X, PPME_SOCKET_SOCKET_X_NP, DC_NET)))
			return 0;
		u32 type = arg(regs, 1);
		p_s64(e, ret);
		p_u32(e, cv_family(arg(regs, 0)));
		p_u32(e, type);
		p_u32(e, arg(regs, 2));
		p_u32(e, cv_fd_flags(type) & ~FT_FILE_FLAGS_O_DIRECT);
		break;
	}
	case NR_socketpair: {
		if (!(e = ev_init(PPME_SOCKET_SOCKETPAIR_X, PPME_SOCKET_SOCKETPAIR_X_NP, DC_NET)))
			return 0;
		s32 fds[2] = {-1, -1};
		u64 src = 0, peer = 0;
		if (ret == 0) {
			bpf_probe_read_user(fds, sizeof(fds), UPTR(arg(regs, 3)));
			struct sock *sk = fd_sock(cur(), fds[0]);
			src = (u64)sk;
			if (sk)
				peer = (u64)BPF_CORE_READ((struct unix_sock *)sk, peer);
		}
		p_s64(e, ret);
		p_s64(e, fds[0]);
		p_s64(e, fds[1]);
		p_u64(e, src);
		p_u64(e, peer);
		p_u32(e, cv_family(arg(regs, 0)));
		p_u32(e, arg(regs, 1));
		p_u32(e, arg(regs, 2));
		break;
	}
	case NR_bind:
		if (!(e = ev_init(PPME_SOCKET_BIND_X, PPME_SOCKET_BIND_X_NP, DC_NET)))
			return 0;
		p_s64(e, ret);
		p_sockaddr(e, UPTR(arg(regs, 1)), arg(regs, 2));
		p_s64(e, (s32)arg(regs, 0));
		break;
	case NR_listen:
		if (!(e = ev_init(PPME_SOCKET_LISTEN_X, PPME_SOCKET_LISTEN_X_NP, DC_NET)))
			return 0;
		p_s64(e, ret);
		p_s64(e, (s32)arg(regs, 0));
		p_s32(e, arg(regs, 1));
		break;
	case NR_shutdown:
		if (!(e = ev_init(PPME_SOCKET_SHUTDOWN_X, PPME_SOCKET_SHUTDOWN_X_NP, DC_NET)))
			return 0;
		p_s64(e, ret);
		p_s64(e, (s32)arg(regs, 0));
		p_u8(e, cv_shutdown_how(arg(regs, 1)));
		break;
	default:
		return 0;
	}
	ev_submit(e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(x_connect, struct pt_regs *regs, long ret)
{
	struct scratch *e;
	struct task_struct *t = cur();
	u32 id = SC_ID(regs);
	switch (id) {
	case NR_connect:
		if (!(e = ev_init(PPME_SOCKET_CONNECT_X, PPME_SOCKET_CONNECT_X_NP, DC_NET)))
			return 0;
		p_s64(e, ret);
		if (ret == 0 || ret == -K_EINPROGRESS)
			p_tuple(e, t, (s32)arg(regs, 0), true, UPTR(arg(regs, 1)));
		else
			p_empty(e);
		p_s64(e, (s32)arg(regs, 0));
		p_sockaddr(e, UPTR(arg(regs, 1)), arg(regs, 2));
		break;
	case NR_accept:
	case NR_accept4: {
		if (id == NR_accept) {
			if (!(e = ev_init(PPME_SOCKET_ACCEPT_5_X, PPME_SOCKET_ACCEPT_5_X_NP, DC_NET)))
				return 0;
		} else if (!(e = ev_init(PPME_SOCKET_ACCEPT4_6_X, PPME_SOCKET_ACCEPT4_6_X_NP, DC_NET))) {
			return 0;
		}
		u32 qlen = 0, qmax = 0;
		u8 qpct = 0;
		p_s64(e, ret);
		if (ret >= 0) {
			p_tuple(e, t, ret, false, NULL);
			struct sock *lsk = fd_sock(t, (s32)arg(regs, 0));
			if (lsk) {
				qlen = BPF_CORE_READ(lsk, sk_ack_backlog);
				qmax = BPF_CORE_READ(lsk, sk_max_ack_backlog);
				if (qmax)
					qpct = (u64)qlen * 100 / qmax;
			}
		} else {
			p_empty(e);
		}
		p_u8(e, qpct);
		p_u32(e, qlen);
		p_u32(e, qmax);
		if (id == NR_accept4)
			p_u32(e, cv_fd_flags(arg(regs, 3)) & ~FT_FILE_FLAGS_O_DIRECT);
		break;
	}
	default:
		return 0;
	}
	ev_submit(e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(x_sendrecv, struct pt_regs *regs, long ret)
{
	struct scratch *e;
	struct task_struct *t = cur();
	u32 id = SC_ID(regs);
	s32 fd = arg(regs, 0);
	switch (id) {
	case NR_sendto: {
		if (!(e = ev_init(PPME_SOCKET_SENDTO_X, PPME_SOCKET_SENDTO_X_NP, DC_IO)))
			return 0;
		u64 size = arg(regs, 2);
		p_s64(e, ret);
		p_io(e, UPTR(arg(regs, 1)), ret > 0 ? ret : size, fd, true);
		p_s64(e, fd);
		p_u32(e, size);
		if (ret >= 0)
			p_tuple(e, t, fd, true, UPTR(arg(regs, 4)));
		else
			p_empty(e);
		break;
	}
	case NR_recvfrom:
		if (!(e = ev_init(PPME_SOCKET_RECVFROM_X, PPME_SOCKET_RECVFROM_X_NP, DC_IO)))
			return 0;
		p_s64(e, ret);
		if (ret >= 0) {
			p_io(e, UPTR(arg(regs, 1)), ret, fd, true);
			p_tuple(e, t, fd, false, UPTR(arg(regs, 4)));
		} else {
			p_empty(e);
			p_empty(e);
		}
		p_s64(e, fd);
		p_u32(e, arg(regs, 2));
		break;
	case NR_sendmsg:
	case NR_recvmsg: {
		bool send = id == NR_sendmsg;
		if (send) {
			if (!(e = ev_init(PPME_SOCKET_SENDMSG_X, PPME_SOCKET_SENDMSG_X_NP, DC_IO)))
				return 0;
		} else if (!(e = ev_init(PPME_SOCKET_RECVMSG_X, PPME_SOCKET_RECVMSG_X_NP, DC_IO))) {
			return 0;
		}
		struct user_msghdr mh = {};
		bool ok = bpf_probe_read_user(&mh, sizeof(mh), UPTR(arg(regs, 1))) == 0;
		p_s64(e, ret);
		if (send) {
			u64 total = ok ? iov_total(e, mh.msg_iov, mh.msg_iovlen) : 0;
			if (ok)
				p_iov_io(e, mh.msg_iov, mh.msg_iovlen, ret > 0 ? ret : total, fd, true);
			else
				p_empty(e);
			p_s64(e, fd);
			if (ok)
				p_u32(e, total);
			else
				p_empty(e);
			if (ret >= 0 && ok)
				p_tuple(e, t, fd, true, mh.msg_name);
			else
				p_empty(e);
		} else {
			p_u32(e, ret > 0 ? ret : 0);
			if (ret >= 0 && ok) {
				p_iov_io(e, mh.msg_iov, mh.msg_iovlen, ret, fd, true);
				p_tuple(e, t, fd, false, mh.msg_name);
				u64 cl = mh.msg_controllen;
				if (mh.msg_control && cl > 0 && cl <= 4096)
					p_ubuf(e, mh.msg_control, cl);
				else
					p_empty(e);
			} else {
				p_empty(e);
				p_empty(e);
				p_empty(e);
			}
			p_s64(e, fd);
		}
		break;
	}
	default:
		return 0;
	}
	ev_submit(e);
	return 0;
}

/* ================= descriptors ================= */

static __always_inline void p_pipe(struct scratch *e, struct task_struct *t, long ret, const void *ufds)
{
	s32 fds[2] = {-1, -1};
	u64 ino = 0;
	if (bpf_probe_read_user(fds, sizeof(fds), ufds)) {
		fds[0] = -1;
		fds[1] = -1;
	}
	if (ret == 0) {
		struct file *f = fd_file(t, fds[0]);
		if (f)
			ino = f->f_inode->i_ino;
	}
	p_s64(e, ret);
	p_s64(e, fds[0]);
	p_s64(e, fds[1]);
	p_u64(e, ino);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(x_fd, struct pt_regs *regs, long ret)
{
	struct scratch *e;
	struct task_struct *t = cur();
	switch (SC_ID(regs)) {
	case NR_dup:
		if (!(e = ev_init(PPME_SYSCALL_DUP_1_X, PPME_SYSCALL_DUP_1_X_NP, DC_FILE)))
			return 0;
		p_s64(e, (s32)ret);
		p_s64(e, (s32)arg(regs, 0));
		break;
	case NR_dup2:
		if (!(e = ev_init(PPME_SYSCALL_DUP2_X, PPME_SYSCALL_DUP2_X_NP, DC_FILE)))
			return 0;
		p_s64(e, (s32)ret);
		p_s64(e, (s32)arg(regs, 0));
		p_s64(e, (s32)arg(regs, 1));
		break;
	case NR_dup3:
		if (!(e = ev_init(PPME_SYSCALL_DUP3_X, PPME_SYSCALL_DUP3_X_NP, DC_FILE)))
			return 0;
		p_s64(e, (s32)ret);
		p_s64(e, (s32)arg(regs, 0));
		p_s64(e, (s32)arg(regs, 1));
		p_u32(e, cv_fd_flags(arg(regs, 2)) & FT_FILE_FLAGS_O_CLOEXEC);
		break;
	case NR_fcntl:
		if (!(e = ev_init(PPME_SYSCALL_FCNTL_X, PPME_SYSCALL_FCNTL_X_NP, DC_FILE)))
			return 0;
		p_s64(e, ret);
		p_s64(e, (s32)arg(regs, 0));
		p_u8(e, cv_fcntl_cmd(arg(regs, 1)));
		p_u64(e, arg(regs, 2));
		break;
	case NR_pipe:
		if (!(e = ev_init(PPME_SYSCALL_PIPE_X, PPME_SYSCALL_PIPE_X_NP, DC_FILE)))
			return 0;
		p_pipe(e, t, ret, UPTR(arg(regs, 0)));
		break;
	case NR_pipe2:
		if (!(e = ev_init(PPME_SYSCALL_PIPE2_X, PPME_SYSCALL_PIPE2_X_NP, DC_FILE)))
			return 0;
		p_pipe(e, t, ret, UPTR(arg(regs, 0)));
		p_u32(e, cv_fd_flags(arg(regs, 1)));
		break;
	case NR_eventfd2:
		if (!(e = ev_init(PPME_SYSCALL_EVENTFD2_X, PPME_SYSCALL_EVENTFD2_X_NP, DC_FILE)))
			return 0;
		p_s64(e, ret);
		p_u16(e, cv_fd_flags(arg(regs, 1)) & ~FT_FILE_FLAGS_O_DIRECT);
		p_u64(e, (u32)arg(regs, 0));
		break;
	case NR_signalfd4: {
		if (!(e = ev_init(PPME_SYSCALL_SIGNALFD4_X, PPME_SYSCALL_SIGNALFD4_X_NP, DC_FILE)))
			return 0;
		u32 mask = 0;
		bpf_probe_read_user(&mask, sizeof(mask), UPTR(arg(regs, 1)));
		p_s64(e, (s32)ret);
		p_u16(e, cv_fd_flags(arg(regs, 3)) & ~FT_FILE_FLAGS_O_DIRECT);
		p_s64(e, (s32)arg(regs, 0));
		p_u32(e, mask);
		break;
	}
	case NR_timerfd_create:
		if (!(e = ev_init(PPME_SYSCALL_TIMERFD_CREATE_X, PPME_SYSCALL_TIMERFD_CREATE_X_NP, DC_FILE)))
			return 0;
		p_s64(e, ret);
		p_u8(e, arg(regs, 0));
		p_u8(e, cv_fd_flags(arg(regs, 1)) & ~FT_FILE_FLAGS_O_DIRECT);
		break;
	case NR_inotify_init1:
		if (!(e = ev_init(PPME_SYSCALL_INOTIFY_INIT1_X, PPME_SYSCALL_INOTIFY_INIT1_X_NP, DC_FILE)))
			return 0;
		p_s64(e, ret);
		p_u16(e, cv_fd_flags(arg(regs, 0)) & ~FT_FILE_FLAGS_O_DIRECT);
		break;
	case NR_epoll_create1:
		if (!(e = ev_init(PPME_SYSCALL_EPOLL_CREATE1_X, PPME_SYSCALL_EPOLL_CREATE1_X_NP, DC_FILE)))
			return 0;
		p_s64(e, ret);
		p_u32(e, MAPBIT(arg(regs, 0), K_O_CLOEXEC, FT_EPOLL_CREATE1_FLAGS_EPOLL_CLOEXEC));
		break;
	case NR_memfd_create:
		if (!(e = ev_init(PPME_SYSCALL_MEMFD_CREATE_X, PPME_SYSCALL_MEMFD_CREATE_X_NP, DC_FILE)))
			return 0;
		p_s64(e, ret);
		p_ustr(e, UPTR(arg(regs, 0)));
		p_u32(e, arg(regs, 1) & 7); /* MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB */
		break;
	case NR_pidfd_open:
		if (!(e = ev_init(PPME_SYSCALL_PIDFD_OPEN_X, PPME_SYSCALL_PIDFD_OPEN_X_NP, DC_FILE)))
			return 0;
		p_s64(e, ret);
		p_s64(e, (s32)arg(regs, 0));
		p_u32(e, MAPBIT(arg(regs, 1), K_O_NONBLOCK, FT_PIDFD_OPEN_FLAGS_PIDFD_NONBLOCK));
		break;
	case NR_pidfd_getfd:
		if (!(e = ev_init(PPME_SYSCALL_PIDFD_GETFD_X, PPME_SYSCALL_PIDFD_GETFD_X_NP, DC_FILE)))
			return 0;
		p_s64(e, ret);
		p_s64(e, (s32)arg(regs, 0));
		p_s64(e, (s32)arg(regs, 1));
		p_u32(e, arg(regs, 2));
		break;
	case NR_io_uring_setup: {
		if (!(e = ev_init(PPME_SYSCALL_IO_URING_SETUP_X, PPME_SYSCALL_IO_URING_SETUP_X_NP, DC_FILE)))
			return 0;
		struct io_uring_params p = {};
		bpf_probe_read_user(&p, sizeof(p), UPTR(arg(regs, 1)));
		p_s64(e, ret);
		p_u32(e, arg(regs, 0));
		p_u32(e, p.sq_entries);
		p_u32(e, p.cq_entries);
		p_u32(e, cv_io_uring_setup(p.flags));
		p_u32(e, p.sq_thread_cpu);
		p_u32(e, p.sq_thread_idle);
		p_u32(e, p.features & 0x7ff); /* feature bits 0-10 equal the event's */
		break;
	}
	case NR_userfaultfd:
		if (!(e = ev_init(PPME_SYSCALL_USERFAULTFD_X, PPME_SYSCALL_USERFAULTFD_X_NP, DC_FILE)))
			return 0;
		p_s64(e, ret);
		p_u32(e, cv_fd_flags(arg(regs, 0)) & ~FT_FILE_FLAGS_O_DIRECT);
		break;
	case NR_bpf:
		if (!(e = ev_init(PPME_SYSCALL_BPF_2_X, PPME_SYSCALL_BPF_2_X_NP, DC_OTHER)))
			return 0;
		p_s64(e, ret);
		p_u32(e, arg(regs, 0));
		break;
	default:
		return 0;
	}
	ev_submit(e);
	return 0;
}

/* ================= paths ================= */

SEC("tp_btf/sys_exit")
int BPF_PROG(x_path, struct pt_regs *regs, long ret)
{
	struct scratch *e;
	switch (SC_ID(regs)) {
	case NR_chdir:
		if (!(e = ev_init(PPME_SYSCALL_CHDIR_X, PPME_SYSCALL_CHDIR_X_NP, DC_FILE)))
			return 0;
		p_s64(e, ret);
		p_ustr(e, UPTR(arg(regs, 0)));
		break;
	case NR_fchdir:
		if (!(e = ev_init(PPME_SYSCALL_FCHDIR_X, PPME_SYSCALL_FCHDIR_X_NP, DC_FILE)))
			return 0;
		p_s64(e, ret);
		p_s64(e, (s32)arg(regs, 0));
		break;
	case NR_mkdir:
		if (!(e = ev_init(PPME_SYSCALL_MKDIR_2_X, PPME_SYSCALL_MKDIR_2_X_NP, DC_FILE)))
			return 0;
		p_s64(e, ret);
		p_ustr(e, UPTR(arg(regs, 0)));
		p_u32(e, arg(regs, 1));
		break;
	case NR_mkdirat:
		if (!(e = ev_init(PPME_SYSCALL_MKDIRAT_X, PPME_SYSCALL_MKDIRAT_X_NP, DC_FILE)))
			return 0;
		p_s64(e, ret);
		p_s64(e, cv_dirfd(arg(regs, 0)));
		p_ustr(e, UPTR(arg(regs, 1)));
		p_u32(e, arg(regs, 2));
		break;
	case NR_rmdir:
		if (!(e = ev_init(PPME_SYSCALL_RMDIR_2_X, PPME_SYSCALL_RMDIR_2_X_NP, DC_FILE)))
			return 0;
		p_s64(e, ret);
		p_ustr(e, UPTR(arg(regs, 0)));
		break;
	case NR_unlink:
		if (!(e = ev_init(PPME_SYSCALL_UNLINK_2_X, PPME_SYSCALL_UNLINK_2_X_NP, DC_FILE)))
			return 0;
		p_s64(e, ret);
		p_ustr(e, UPTR(arg(regs, 0)));
		break;
	case NR_unlinkat:
		if (!(e = ev_init(PPME_SYSCALL_UNLINKAT_2_X, PPME_SYSCALL_UNLINKAT_2_X_NP, DC_FILE)))
			return 0;
		p_s64(e, ret);
		p_s64(e, cv_dirfd(arg(regs, 0)));
		p_ustr(e, UPTR(arg(regs, 1)));
		p_u32(e, arg(regs, 2) & 0x200); /* AT_REMOVEDIR */
		break;
	case NR_rename:
		if (!(e = ev_init(PPME_SYSCALL_RENAME_X, PPME_SYSCALL_RENAME_X_NP, DC_FILE)))
			return 0;
		p_s64(e, ret);
		p_ustr(e, UPTR(arg(regs, 0)));
		p_ustr(e, UPTR(arg(regs, 1)));
		break;
	case NR_renameat:
		if (!(e = ev_init(PPME_SYSCALL_RENAMEAT_X, PPME_SYSCALL_RENAMEAT_X_NP, DC_FILE)))
			return 0;
		p_s64(e, ret);
		p_s64(e, cv_dirfd(arg(regs, 0)));
		p_ustr(e, UPTR(arg(regs, 1)));
		p_s64(e, cv_dirfd(arg(regs, 2)));
		p_ustr(e, UPTR(arg(regs, 3)));
		break;
	case NR_renameat2:
		if (!(e = ev_init(PPME_SYSCALL_RENAMEAT2_X, PPME_SYSCALL_RENAMEAT2_X_NP, DC_FILE)))
			return 0;
		p_s64(e, ret);
		p_s64(e, cv_dirfd(arg(regs, 0)));
		p_ustr(e, UPTR(arg(regs, 1)));
		p_s64(e, cv_dirfd(arg(regs, 2)));
		p_ustr(e, UPTR(arg(regs, 3)));
		p_u32(e, arg(regs, 4) & 7); /* RENAME_NOREPLACE | EXCHANGE | WHITEOUT */
		break;
	case NR_link:
		if (!(e = ev_init(PPME_SYSCALL_LINK_2_X, PPME_SYSCALL_LINK_2_X_NP, DC_FILE)))
			return 0;
		p_s64(e, ret);
		p_ustr(e, UPTR(arg(regs, 0)));
		p_ustr(e, UPTR(arg(regs, 1)));
		break;
	case NR_linkat:
		if (!(e = ev_init(PPME_SYSCALL_LINKAT_2_X, PPME_SYSCALL_LINKAT_2_X_NP, DC_FILE)))
			return 0;
		p_s64(e, ret);
		p_s64(e, cv_dirfd(arg(regs, 0)));
		p_ustr(e, UPTR(arg(regs, 1)));
		p_s64(e, cv_dirfd(arg(regs, 2)));
		p_ustr(e, UPTR(arg(regs, 3)));
		p_u32(e, arg(regs, 4) & 0x1400); /* AT_SYMLINK_FOLLOW | AT_EMPTY_PATH */
		break;
	case NR_symlink:
		if (!(e = ev_init(PPME_SYSCALL_SYMLINK_X, PPME_SYSCALL_SYMLINK_X_NP, DC_FILE)))
			return 0;
		p_s64(e, ret);
		p_ustr(e, UPTR(arg(regs, 0)));
		p_ustr(e, UPTR(arg(regs, 1)));
		break;
	case NR_symlinkat:
		if (!(e = ev_init(PPME_SYSCALL_SYMLINKAT_X, PPME_SYSCALL_SYMLINKAT_X_NP, DC_FILE)))
			return 0;
		p_s64(e, ret);
		p_ustr(e, UPTR(arg(regs, 0)));
		p_s64(e, cv_dirfd(arg(regs, 1)));
		p_ustr(e, UPTR(arg(regs, 2)));
		break;
	case NR_chroot:
		if (!(e = ev_init(PPME_SYSCALL_CHROOT_X, PPME_SYSCALL_CHROOT_X_NP, DC_FILE)))
			return 0;
		p_s64(e, ret);
		p_ustr(e, UPTR(arg(regs, 0)));
		break;
	default:
		return 0;
	}
	ev_submit(e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(x_attr, struct pt_regs *regs, long ret)
{
	struct scratch *e;
	switch (SC_ID(regs)) {
	case NR_chmod:
		if (!(e = ev_init(PPME_SYSCALL_CHMOD_X, PPME_SYSCALL_CHMOD_X_NP, DC_FILE)))
			return 0;
		p_s64(e, ret);
		p_ustr(e, UPTR(arg(regs, 0)));
		p_u32(e, arg(regs, 1) & 07777);
		break;
	case NR_fchmod:
		if (!(e = ev_init(PPME_SYSCALL_FCHMOD_X, PPME_SYSCALL_FCHMOD_X_NP, DC_FILE)))
			return 0;
		p_s64(e, ret);
		p_s64(e, (s32)arg(regs, 0));
		p_u32(e, arg(regs, 1) & 07777);
		break;
	case NR_fchmodat:
		if (!(e = ev_init(PPME_SYSCALL_FCHMODAT_X, PPME_SYSCALL_FCHMODAT_X_NP, DC_FILE)))
			return 0;
		p_s64(e, ret);
		p_s64(e, cv_dirfd(arg(regs, 0)));
		p_ustr(e, UPTR(arg(regs, 1)));
		p_u32(e, arg(regs, 2) & 07777);
		break;
	case NR_chown:
		if (!(e = ev_init(PPME_SYSCALL_CHOWN_X, PPME_SYSCALL_CHOWN_X_NP, DC_FILE)))
			return 0;
		p_s64(e, ret);
		p_ustr(e, UPTR(arg(regs, 0)));
		p_u32(e, arg(regs, 1));
		p_u32(e, arg(regs, 2));
		break;
	case NR_fchown:
		if (!(e = ev_init(PPME_SYSCALL_FCHOWN_X, PPME_SYSCALL_FCHOWN_X_NP, DC_FILE)))
			return 0;
		p_s64(e, ret);
		p_s64(e, (s32)arg(regs, 0));
		p_u32(e, arg(regs, 1));
		p_u32(e, arg(regs, 2));
		break;
	case NR_fchownat:
		if (!(e = ev_init(PPME_SYSCALL_FCHOWNAT_X, PPME_SYSCALL_FCHOWNAT_X_NP, DC_FILE)))
			return 0;
		p_s64(e, ret);
		p_s64(e, cv_dirfd(arg(regs, 0)));
		p_ustr(e, UPTR(arg(regs, 1)));
		p_u32(e, arg(regs, 2));
		p_u32(e, arg(regs, 3));
		p_u32(e, cv_fchownat_flags(arg(regs, 4)));
		break;
	case NR_mount: {
		if (!(e = ev_init(PPME_SYSCALL_MOUNT_X, PPME_SYSCALL_MOUNT_X_NP, DC_FILE)))
			return 0;
		u32 fl = arg(regs, 3);
		if ((fl & 0xffff0000) == 0xc0ed0000) /* MS_MGC_VAL, ignored by the kernel */
			fl &= 0xffff;
		p_s64(e, ret);
		p_ustr(e, UPTR(arg(regs, 0)));
		p_ustr(e, UPTR(arg(regs, 1)));
		p_ustr(e, UPTR(arg(regs, 2)));
		p_u32(e, fl);
		break;
	}
	case NR_umount2:
		if (!(e = ev_init(PPME_SYSCALL_UMOUNT2_X, PPME_SYSCALL_UMOUNT2_X_NP, DC_FILE)))
			return 0;
		p_s64(e, ret);
		p_ustr(e, UPTR(arg(regs, 0)));
		p_u32(e, arg(regs, 1) & 0xf); /* MNT_FORCE | DETACH | EXPIRE | UMOUNT_NOFOLLOW */
		break;
	default:
		return 0;
	}
	ev_submit(e);
	return 0;
}

/* ================= credentials and processes ================= */

SEC("tp_btf/sys_exit")
int BPF_PROG(x_cred, struct pt_regs *regs, long ret)
{
	struct scratch *e;
	switch (SC_ID(regs)) {
	case NR_setuid:
		if (!(e = ev_init(PPME_SYSCALL_SETUID_X, PPME_SYSCALL_SETUID_X_NP, DC_PROC)))
			return 0;
		p_s64(e, ret);
		p_u32(e, arg(regs, 0));
		break;
	case NR_setgid:
		if (!(e = ev_init(PPME_SYSCALL_SETGID_X, PPME_SYSCALL_SETGID_X_NP, DC_PROC)))
			return 0;
		p_s64(e, ret);
		p_u32(e, arg(regs, 0));
		break;
	case NR_setresuid:
		if (!(e = ev_init(PPME_SYSCALL_SETRESUID_X, PPME_SYSCALL_SETRESUID_X_NP, DC_PROC)))
			return 0;
		p_s64(e, ret);
		p_u32(e, arg(regs, 0));
		p_u32(e, arg(regs, 1));
		p_u32(e, arg(regs, 2));
		break;
	case NR_setresgid:
		if (!(e = ev_init(PPME_SYSCALL_SETRESGID_X, PPME_SYSCALL_SETRESGID_X_NP, DC_PROC)))
			return 0;
		p_s64(e, ret);
		p_u32(e, arg(regs, 0));
		p_u32(e, arg(regs, 1));
		p_u32(e, arg(regs, 2));
		break;
	case NR_setreuid:
		if (!(e = ev_init(PPME_SYSCALL_SETREUID_X, PPME_SYSCALL_SETREUID_X_NP, DC_PROC)))
			return 0;
		p_s64(e, ret);
		p_u32(e, arg(regs, 0));
		p_u32(e, arg(regs, 1));
		break;
	case NR_setregid:
		if (!(e = ev_init(PPME_SYSCALL_SETREGID_X, PPME_SYSCALL_SETREGID_X_NP, DC_PROC)))
			return 0;
		p_s64(e, ret);
		p_u32(e, arg(regs, 0));
		p_u32(e, arg(regs, 1));
		break;
	case NR_capset: {
		if (!(e = ev_init(PPME_SYSCALL_CAPSET_X, PPME_SYSCALL_CAPSET_X_NP, DC_PROC)))
			return 0;
		const struct cred *c = BPF_CORE_READ(cur(), cred);
		p_s64(e, ret);
		p_u64(e, cap_read(&c->cap_inheritable));
		p_u64(e, cap_read(&c->cap_permitted));
		p_u64(e, cap_read(&c->cap_effective));
		break;
	}
	case NR_setsid:
		if (!(e = ev_init(PPME_SYSCALL_SETSID_X, PPME_SYSCALL_SETSID_X_NP, DC_PROC)))
			return 0;
		p_s64(e, ret);
		break;
	default:
		return 0;
	}
	ev_submit(e);
	return 0;
}

static __always_inline void p_ptrace_data(struct scratch *e, long ret, u16 req, u64 data)
{
	u32 start = e->pos;
	if (ret < 0) {
		w_u8(e, DYN_PTRACE_DYNAMIC_PARAM_UINT64);
		w_u64(e, 0);
	} else if (req == FT_PTRACE_REQUESTS_PTRACE_PEEKTEXT || req == FT_PTRACE_REQUESTS_PTRACE_PEEKDATA ||
		   req == FT_PTRACE_REQUESTS_PTRACE_PEEKUSR) {
		u64 v = 0;
		bpf_probe_read_user(&v, sizeof(v), UPTR(data));
		w_u8(e, DYN_PTRACE_DYNAMIC_PARAM_UINT64);
		w_u64(e, v);
	} else if (req == FT_PTRACE_REQUESTS_PTRACE_CONT || req == FT_PTRACE_REQUESTS_PTRACE_SINGLESTEP ||
		   req == FT_PTRACE_REQUESTS_PTRACE_DETACH || req == FT_PTRACE_REQUESTS_PTRACE_SYSCALL) {
		w_u8(e, DYN_PTRACE_DYNAMIC_PARAM_SIGTYPE);
		w_u8(e, data);
	} else {
		w_u8(e, DYN_PTRACE_DYNAMIC_PARAM_UINT64);
		w_u64(e, data);
	}
	ev_len(e, e->pos - start);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(x_proc, struct pt_regs *regs, long ret)
{
	struct scratch *e;
	switch (SC_ID(regs)) {
	case NR_ptrace: {
		if (!(e = ev_init(PPME_SYSCALL_PTRACE_X, PPME_SYSCALL_PTRACE_X_NP, DC_PROC)))
			return 0;
		u16 req = cv_ptrace_req(arg(regs, 0));
		p_s64(e, ret);
		w_u8(e, DYN_PTRACE_DYNAMIC_PARAM_UINT64);
		w_u64(e, ret < 0 ? 0 : arg(regs, 2));
		ev_len(e, 9);
		p_ptrace_data(e, ret, req, arg(regs, 3));
		p_u16(e, req);
		p_s64(e, (s32)arg(regs, 1));
		break;
	}
	case NR_kill:
		if (!(e = ev_init(PPME_SYSCALL_KILL_X, PPME_SYSCALL_KILL_X_NP, DC_PROC)))
			return 0;
		p_s64(e, ret);
		p_s64(e, (s32)arg(regs, 0));
		p_u8(e, arg(regs, 1));
		break;
	case NR_tkill:
		if (!(e = ev_init(PPME_SYSCALL_TKILL_X, PPME_SYSCALL_TKILL_X_NP, DC_PROC)))
			return 0;
		p_s64(e, ret);
		p_s64(e, (s32)arg(regs, 0));
		p_u8(e, arg(regs, 1));
		break;
	case NR_tgkill:
		if (!(e = ev_init(PPME_SYSCALL_TGKILL_X, PPME_SYSCALL_TGKILL_X_NP, DC_PROC)))
			return 0;
		p_s64(e, ret);
		p_s64(e, (s32)arg(regs, 0));
		p_s64(e, (s32)arg(regs, 1));
		p_u8(e, arg(regs, 2));
		break;
	case NR_prctl: {
		if (!(e = ev_init(PPME_SYSCALL_PRCTL_X, PPME_SYSCALL_PRCTL_X_NP, DC_PROC)))
			return 0;
		u32 opt = arg(regs, 0);
		u64 a2 = arg(regs, 1);
		p_s64(e, ret);
		p_u32(e, opt);
		if (opt == K_PR_SET_NAME || opt == K_PR_GET_NAME) {
			ev_len(e, w_ustr(e, UPTR(a2), 16));
			p_s64(e, 0);
		} else if (opt == K_PR_GET_CHILD_SUBREAPER) {
			s32 v = 0;
			bpf_probe_read_user(&v, sizeof(v), UPTR(a2));
			p_empty(e);
			p_s64(e, v);
		} else {
			p_empty(e);
			p_s64(e, a2);
		}
		break;
	}
	case NR_setns:
		if (!(e = ev_init(PPME_SYSCALL_SETNS_X, PPME_SYSCALL_SETNS_X_NP, DC_PROC)))
			return 0;
		p_s64(e, ret);
		p_s64(e, (s32)arg(regs, 0));
		p_u32(e, cv_clone_flags(arg(regs, 1)));
		break;
	case NR_unshare:
		if (!(e = ev_init(PPME_SYSCALL_UNSHARE_X, PPME_SYSCALL_UNSHARE_X_NP, DC_PROC)))
			return 0;
		p_s64(e, ret);
		p_u32(e, cv_clone_flags(arg(regs, 0)));
		break;
	case NR_prlimit64: {
		if (!(e = ev_init(PPME_SYSCALL_PRLIMIT_X, PPME_SYSCALL_PRLIMIT_X_NP, DC_PROC)))
			return 0;
		struct rlimit nl = {}, ol = {};
		s64 ocur = -1, omax = -1;
		bpf_probe_read_user(&nl, sizeof(nl), UPTR(arg(regs, 2)));
		if (ret == 0 && arg(regs, 3) && !bpf_probe_read_user(&ol, sizeof(ol), UPTR(arg(regs, 3)))) {
			ocur = ol.rlim_cur;
			omax = ol.rlim_max;
		}
		p_s64(e, ret);
		p_s64(e, nl.rlim_cur);
		p_s64(e, nl.rlim_max);
		p_s64(e, ocur);
		p_s64(e, omax);
		p_s64(e, (s32)arg(regs, 0));
		p_u8(e, cv_rlimit(arg(regs, 1)));
		break;
	}
	case NR_setrlimit: {
		if (!(e = ev_init(PPME_SYSCALL_SETRLIMIT_X, PPME_SYSCALL_SETRLIMIT_X_NP, DC_PROC)))
			return 0;
		struct rlimit rl = {};
		bpf_probe_read_user(&rl, sizeof(rl), UPTR(arg(regs, 1)));
		p_s64(e, ret);
		p_s64(e, rl.rlim_cur);
		p_s64(e, rl.rlim_max);
		p_u8(e, cv_rlimit(arg(regs, 0)));
		break;
	}
	default:
		return 0;
	}
	ev_submit(e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(x_mem, struct pt_regs *regs, long ret)
{
	struct scratch *e;
	struct mmstat ms;
	switch (SC_ID(regs)) {
	case NR_mmap:
		if (!(e = ev_init(PPME_SYSCALL_MMAP_X, PPME_SYSCALL_MMAP_X_NP, DC_OTHER)))
			return 0;
		task_mm(cur(), &ms);
		p_s64(e, ret);
		p_u32(e, ms.vm_size);
		p_u32(e, ms.vm_rss);
		p_u32(e, ms.vm_swap);
		p_u64(e, arg(regs, 0));
		p_u64(e, arg(regs, 1));
		p_u32(e, cv_prot(arg(regs, 2)));
		p_u32(e, cv_mmap_flags(arg(regs, 3)));
		p_s64(e, (s32)arg(regs, 4));
		p_u64(e, arg(regs, 5));
		break;
	case NR_munmap:
		if (!(e = ev_init(PPME_SYSCALL_MUNMAP_X, PPME_SYSCALL_MUNMAP_X_NP, DC_OTHER)))
			return 0;
		task_mm(cur(), &ms);
		p_s64(e, ret);
		p_u32(e, ms.vm_size);
		p_u32(e, ms.vm_rss);
		p_u32(e, ms.vm_swap);
		p_u64(e, arg(regs, 0));
		p_u64(e, arg(regs, 1));
		break;
	case NR_mprotect:
		if (!(e = ev_init(PPME_SYSCALL_MPROTECT_X, PPME_SYSCALL_MPROTECT_X_NP, DC_OTHER)))
			return 0;
		p_s64(e, ret);
		p_u64(e, arg(regs, 0));
		p_u64(e, arg(regs, 1));
		p_u32(e, cv_prot(arg(regs, 2)));
		break;
	case NR_brk:
		if (!(e = ev_init(PPME_SYSCALL_BRK_4_X, PPME_SYSCALL_BRK_4_X_NP, DC_OTHER)))
			return 0;
		task_mm(cur(), &ms);
		p_u64(e, ret);
		p_u32(e, ms.vm_size);
		p_u32(e, ms.vm_rss);
		p_u32(e, ms.vm_swap);
		p_u64(e, arg(regs, 0));
		break;
	case NR_init_module:
		if (!(e = ev_init(PPME_SYSCALL_INIT_MODULE_X, PPME_SYSCALL_INIT_MODULE_X_NP, DC_OTHER)))
			return 0;
		p_s64(e, ret);
		p_ubuf(e, UPTR(arg(regs, 0)), snap(arg(regs, 1)));
		p_u64(e, arg(regs, 1));
		p_ustr(e, UPTR(arg(regs, 2)));
		break;
	case NR_finit_module:
		if (!(e = ev_init(PPME_SYSCALL_FINIT_MODULE_X, PPME_SYSCALL_FINIT_MODULE_X_NP, DC_OTHER)))
			return 0;
		p_s64(e, ret);
		p_s64(e, (s32)arg(regs, 0));
		p_ustr(e, UPTR(arg(regs, 1)));
		p_u32(e, arg(regs, 2) & 7);
		break;
	default:
		return 0;
	}
	ev_submit(e);
	return 0;
}

/* ================= clone and exec ================= */

/* p_proc_common stores the parameters clone and exec events share after
 * exe and args: tid, pid, ptid, cwd, fdlimit, page faults, memory, comm and
 * cgroups (parameters 4 to 15). */
static __always_inline void p_proc_common(struct scratch *e, struct task_struct *t)
{
	struct mmstat ms;
	p_s64(e, BPF_CORE_READ(t, pid));
	p_s64(e, BPF_CORE_READ(t, tgid));
	p_s64(e, BPF_CORE_READ(t, real_parent, tgid));
	p_cwd(e, t);
	p_u64(e, BPF_CORE_READ(t, signal, rlim[K_RLIMIT_NOFILE].rlim_cur));
	p_u64(e, BPF_CORE_READ(t, maj_flt));
	p_u64(e, BPF_CORE_READ(t, min_flt));
	task_mm(t, &ms);
	p_u32(e, ms.vm_size);
	p_u32(e, ms.vm_rss);
	p_u32(e, ms.vm_swap);
	p_kstr(e, t->comm, 16);
	p_cgroups(e, t);
}

/* p_exe_args_mm stores exe (argv[0]) and the other arguments from the
 * task's argument area. */
static __always_inline void p_exe_args_mm(struct scratch *e, struct task_struct *t)
{
	struct mm_struct *mm = BPF_CORE_READ(t, mm);
	u64 start = BPF_CORE_READ(mm, arg_start), end = BPF_CORE_READ(mm, arg_end);
	u32 n = w_ustr(e, UPTR(start), MAX_PATH);
	ev_len(e, n);
	p_mem_strings(e, start + n, end);
}

static __always_inline u32 clone_extra_flags(struct task_struct *t)
{
	/* The child is in a pid namespace other than the initial one. */
	if (task_level(t) > 0)
		return FT_CLONE_FLAGS_CLONE_CHILD_IN_PIDNS;
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(x_clone, struct pt_regs *regs, long ret)
{
	struct scratch *e;
	struct task_struct *t = cur();
	u32 id = SC_ID(regs);
	u64 kflags = 0;
	u16 type;
	switch (id) {
	case NR_clone:
		type = PPME_SYSCALL_CLONE_20_X;
		kflags = arg(regs, 0);
		break;
	case NR_clone3: {
		type = PPME_SYSCALL_CLONE3_X;
		struct clone_args ca = {};
		bpf_probe_read_user(&ca, sizeof(ca.flags), UPTR(arg(regs, 0)));
		kflags = ca.flags;
		break;
	}
	case NR_fork:
		type = PPME_SYSCALL_FORK_20_X;
		break;
	case NR_vfork:
		type = PPME_SYSCALL_VFORK_20_X;
		kflags = K_CLONE_VM | K_CLONE_VFORK;
		break;
	default:
		return 0;
	}
	/* All four events have the same 21 parameters. */
	if (!(e = ev_init(type, PPME_SYSCALL_CLONE_20_X_NP, DC_PROC)))
		return 0;
	p_s64(e, ret);
	if (ret >= 0) {
		p_exe_args_mm(e, t);
	} else {
		p_empty(e);
		p_empty(e);
	}
	p_proc_common(e, t);
	const struct cred *c = BPF_CORE_READ(t, cred);
	p_u32(e, cv_clone_flags(kflags) | clone_extra_flags(t));
	p_u32(e, BPF_CORE_READ(c, euid.val));
	p_u32(e, BPF_CORE_READ(c, egid.val));
	p_s64(e, task_vnr(t, PIDTYPE_PID));
	p_s64(e, task_vnr(t, PIDTYPE_TGID));
	u64 ns_start = 0;
	if (ret == 0) {
		struct pid *p = BPF_CORE_READ(t, thread_pid);
		u32 lvl = BPF_CORE_READ(p, level);
		struct upid u = {};
		if (lvl <= 32)
			bpf_probe_read_kernel(&u, sizeof(u), &p->numbers[lvl]);
		ns_start = BPF_CORE_READ(u.ns, child_reaper, start_time);
	}
	p_u64(e, ns_start);
	ev_submit(e);
	return 0;
}

/* p_exec_tail stores the exec parameters after env (17 to 30). */
static __always_inline void p_exec_tail(struct scratch *e, struct task_struct *t)
{
	const struct cred *c = BPF_CORE_READ(t, cred);
	struct mm_struct *mm = t->mm;
	struct file *exe = mm ? mm->exe_file : NULL;
	struct inode *ino = exe ? exe->f_inode : NULL;
	p_u32(e, task_tty(t));
	p_s64(e, task_vnr(t, PIDTYPE_PGID));
	p_u32(e, task_loginuid(t));
	u32 flags = 0;
	if (exe) {
		if (exe_writable(t, ino))
			flags |= FT_EXECVE_FLAGS_EXE_WRITABLE;
		enum overlay ol = file_overlay(exe);
		if (ol == OVL_UPPER)
			flags |= FT_EXECVE_FLAGS_EXE_UPPER_LAYER;
		else if (ol == OVL_LOWER)
			flags |= FT_EXECVE_FLAGS_EXE_LOWER_LAYER;
		if (file_is_memfd(exe))
			flags |= FT_EXECVE_FLAGS_EXE_FROM_MEMFD;
	}
	p_u32(e, flags);
	p_u64(e, cap_read(&c->cap_inheritable));
	p_u64(e, cap_read(&c->cap_permitted));
	p_u64(e, cap_read(&c->cap_effective));
	u64 ct = 0, mt = 0;
	if (ino)
		inode_times(ino, &ct, &mt);
	p_u64(e, ino ? BPF_CORE_READ(ino, i_ino) : 0);
	p_u64(e, ct);
	p_u64(e, mt);
	p_u32(e, BPF_CORE_READ(c, euid.val));
	p_file_path(e, t, exe);
	p_s64(e, task_nr(t, PIDTYPE_PGID));
	p_u32(e, BPF_CORE_READ(c, egid.val));
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(sched_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	if (!pass())
		return 0;
	struct task_struct *t = cur();
	if (BPF_CORE_READ(t, flags) & K_PF_KTHREAD)
		return 0;
	struct scratch *e;
	if (!(e = ev_init(PPME_SYSCALL_EXECVE_19_X, PPME_SYSCALL_EXECVE_19_X_NP, DC_PROC)))
		return 0;
	p_s64(e, 0);
	p_exe_args_mm(e, t);
	p_proc_common(e, t);
	struct mm_struct *mm = BPF_CORE_READ(t, mm);
	p_mem_strings(e, BPF_CORE_READ(mm, env_start), BPF_CORE_READ(mm, env_end));
	p_exec_tail(e, t);
	p_kstr(e, BPF_CORE_READ(bprm, filename), MAX_PATH);
	ev_submit(e);
	return 0;
}

/* Failed execs: successful ones are reported by sched_process_exec. */
SEC("tp_btf/sys_exit")
int BPF_PROG(x_execfail, struct pt_regs *regs, long ret)
{
	if (ret == 0)
		return 0;
	struct scratch *e;
	struct task_struct *t = cur();
	bool at = SC_ID(regs) == NR_execveat;
	const char *const *argv = UPTR(arg(regs, at ? 2 : 1));
	const char *const *envp = UPTR(arg(regs, at ? 3 : 2));
	if (at) {
		if (!(e = ev_init(PPME_SYSCALL_EXECVEAT_X, PPME_SYSCALL_EXECVEAT_X_NP, DC_PROC)))
			return 0;
	} else if (!(e = ev_init(PPME_SYSCALL_EXECVE_19_X, PPME_SYSCALL_EXECVE_19_X_NP, DC_PROC))) {
		return 0;
	}
	p_s64(e, ret);
	const char *a0 = NULL;
	bpf_probe_read_user(&a0, sizeof(a0), argv);
	ev_len(e, w_ustr(e, a0, MAX_PATH));
	ev_len(e, w_ustr_array(e, argv, 1));
	p_proc_common(e, t);
	ev_len(e, w_ustr_array(e, envp, 0));
	p_exec_tail(e, t);
	if (!at)
		p_ustr(e, UPTR(arg(regs, 0)));
	ev_submit(e);
	return 0;
}

/* ================= process lifetime ================= */

#define MAX_THREAD_SCAN 16

/* reaper_of returns the thread that inherits the exiting task's children:
 * 0 when it has none, -1 when it cannot be determined here. */
static __always_inline s64 reaper_of(struct task_struct *t)
{
	struct list_head *head = &t->children;
	if (BPF_CORE_READ(head, next) == head)
		return 0;
	struct signal_struct *sig = BPF_CORE_READ(t, signal);
	struct list_head *th = &sig->thread_head;
	struct list_head *n = BPF_CORE_READ(th, next);
	for (int i = 0; i < MAX_THREAD_SCAN; i++) {
		if (n == th)
			break;
		struct task_struct *o = container_of(n, struct task_struct, thread_node);
		if (!(BPF_CORE_READ(o, flags) & K_PF_EXITING))
			return BPF_CORE_READ(o, pid);
		n = BPF_CORE_READ(o, thread_node.next);
	}
	if (n != th)
		return -1;
	if (BPF_CORE_READ_BITFIELD_PROBED(sig, has_child_subreaper))
		return -1;
	struct pid *p = BPF_CORE_READ(t, thread_pid);
	u32 lvl = BPF_CORE_READ(p, level);
	struct upid u = {};
	if (lvl > 32)
		return -1;
	bpf_probe_read_kernel(&u, sizeof(u), &p->numbers[lvl]);
	struct task_struct *r = BPF_CORE_READ(u.ns, child_reaper);
	if (r == t)
		return 0;
	return BPF_CORE_READ(r, pid);
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(sched_exit, struct task_struct *t)
{
	if (!pass())
		return 0;
	struct scratch *e;
	if (!(e = ev_init(PPME_PROCEXIT_1_E, PPME_PROCEXIT_1_E_NP, DC_PROC)))
		return 0;
	s32 code = BPF_CORE_READ(t, exit_code);
	p_s64(e, code);
	p_s64(e, K_WEXITSTATUS(code));
	p_u8(e, K_WTERMSIG(code) != 0x7f ? K_WTERMSIG(code) : 0);
	p_u8(e, K_WCOREDUMP(code) ? 1 : 0);
	p_s64(e, reaper_of(t));
	ev_submit_tid(e, BPF_CORE_READ(t, pid));
	if (cfg_filter && BPF_CORE_READ(t, signal, live.counter) == 0) {
		u32 tgid = BPF_CORE_READ(t, tgid);
		bpf_map_delete_elem(&tracked, &tgid);
	}
	return 0;
}

/* With the process filter on, a tracked process's children are tracked. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(sched_fork, struct task_struct *parent, struct task_struct *child)
{
	u32 ptgid = BPF_CORE_READ(parent, tgid), ctgid = BPF_CORE_READ(child, tgid);
	if (ptgid == ctgid || !bpf_map_lookup_elem(&tracked, &ptgid))
		return 0;
	u8 one = 1;
	if (bpf_map_update_elem(&tracked, &ctgid, &one, BPF_ANY)) {
		struct counters *c = counters();
		if (c)
			c->track_full++;
	}
	return 0;
}
