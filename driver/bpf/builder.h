/* Maps, load-time configuration and the event builder.
 *
 * An event is built in a per-CPU scratch buffer and copied to the ring buffer
 * in one bpf_ringbuf_output call. The scratch buffer starts with an 8-byte
 * record prefix (the CPU number) followed by the event in the scap layout:
 * a 26-byte header (ts u64, tid u64, len u32, type u16, nparams u32), one u16
 * length per parameter, then the parameters.
 */
#ifndef SYSCOPE_BUILDER_H
#define SYSCOPE_BUILDER_H

#define PREFIX_LEN 8
#define HDR_LEN 26
#define EV_MAX (64 * 1024) /* largest record: prefix + event */
#define EV_MASK (EV_MAX - 1)
#define TMP_LEN 8192 /* path assembly area */
#define TMP_MASK (TMP_LEN - 1)
#define MAX_PATH 4096
#define MAX_ARGS 4096 /* bytes of argv or envp */
#define MAX_SNAPLEN 32768
#define MAX_NAME 255 /* longest path component */

/* BOUND(v, m) is v & m, computed so that the compiler cannot drop the
 * masking: the verifier needs it to bound sizes and offsets. */
#define BOUND(v, m)                                                  \
	({                                                           \
		u64 __b = (u64)(v);                                  \
		asm volatile("%0 &= %1" : "+r"(__b) : "i"(m));       \
		__b;                                                 \
	})

/* LOAD reads a builder position from the map value every time, so that the
 * verifier sees an unknown (masked) value instead of a tracked range. */
#define LOAD(x) (*(volatile typeof(x) *)&(x))

/* Ring-buffer drop categories (reserve failures). */
enum drop_cat {
	DC_PROC = 0, /* clone, fork, exec, exit */
	DC_FILE,     /* open, close and path operations */
	DC_NET,      /* socket, connect, accept, bind, listen */
	DC_IO,       /* read, write, send, recv */
	DC_OTHER,
	DC_MAX,
};

struct counters {
	u64 events;          /* events written to a ring buffer */
	u64 drops[DC_MAX];   /* events lost because the ring buffer was full */
	u64 oversize;        /* events larger than EV_MAX, lost */
	u64 tail_miss;       /* dedicated program missing: sent as generic event */
	u64 compat_skipped;  /* 32-bit compat syscalls, not decoded */
	u64 track_full;      /* new processes the filter could not track */
};

/* The builder's positions live in the map value, not on the stack: the
 * verifier then treats them as unknown values bounded by masking, which
 * keeps the number of states it explores small. */
struct scratch {
	u32 pos;  /* next payload byte (record offset, may exceed EV_MAX) */
	u32 lp;   /* next parameter length slot */
	u32 np;   /* parameter count */
	u32 toff; /* path assembly offset in tmp */
	u32 acc;  /* running length of a parameter built in pieces */
	u16 type;
	u8 cat;
	u8 pad;
	u8 ev[2 * EV_MAX];
	u8 tmp[2 * TMP_LEN];
};

/* Per-syscall configuration, filled by the loader. */
struct sc_conf {
	u16 ppm_sc; /* code the generic event carries */
	u8 on;      /* capture this syscall */
	u8 prog;    /* a dedicated program is in exit_progs */
};

#define NSYSCALLS 512

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 16); /* resized by the loader */
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1); /* one ring per CPU, set by the loader */
	__type(key, u32);
	__array(values, struct {
		__uint(type, BPF_MAP_TYPE_RINGBUF);
		__uint(max_entries, 1 << 16);
	});
} cpu_rings SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1); /* number of possible CPUs, set by the loader */
	__type(key, u32);
	__type(value, struct scratch);
} scratch_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct counters);
} counters_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NSYSCALLS);
	__type(key, u32);
	__type(value, struct sc_conf);
} syscall_conf SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, NSYSCALLS);
	__type(key, u32);
	__type(value, u32);
} exit_progs SEC(".maps");

/* Thread-group ids to capture when the process filter is on. */
#define MAX_TRACKED 65536
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_TRACKED);
	__type(key, u32);
	__type(value, u8);
} tracked SEC(".maps");

/* Load-time configuration. */
const volatile u64 cfg_boot_ns = 0;      /* wall clock at boot, added to boot-time ns */
const volatile u32 cfg_self_tgid = 0;    /* our own process, never captured */
const volatile u32 cfg_snaplen = 80;     /* I/O bytes captured */
const volatile u32 cfg_proto_snaplen = 0; /* I/O bytes captured for HTTP on sockets (0: off) */
const volatile u64 cfg_wakeup_mask = 0;  /* wake the reader every mask+1 events per CPU */
const volatile bool cfg_wakeup_adaptive = false; /* the kernel's wakeup policy instead */
const volatile bool cfg_per_cpu = false; /* one ring per CPU instead of one shared */
const volatile bool cfg_filter = false;  /* capture only tracked processes */

static __always_inline struct counters *counters(void)
{
	u32 zero = 0;
	return bpf_map_lookup_elem(&counters_map, &zero);
}

/* pass_tgid reports whether the events of thread group tgid are captured. */
static __always_inline bool pass_tgid(u32 tgid)
{
	if (tgid == cfg_self_tgid)
		return false;
	if (cfg_filter && !bpf_map_lookup_elem(&tracked, &tgid))
		return false;
	return true;
}

/* pass reports whether the current task's events are captured. */
static __always_inline bool pass(void)
{
	return pass_tgid(bpf_get_current_pid_tgid() >> 32);
}


static __always_inline struct scratch *scratch(void)
{
	u32 cpu = bpf_get_smp_processor_id();
	return bpf_map_lookup_elem(&scratch_map, &cpu);
}

static __always_inline struct scratch *ev_init(u16 type, u32 np, u8 cat)
{
	struct scratch *e = scratch();
	if (!e)
		return NULL;
	e->type = type;
	e->np = np;
	e->cat = cat;
	e->lp = PREFIX_LEN + HDR_LEN;
	e->pos = PREFIX_LEN + HDR_LEN + 2 * np;
	return e;
}

static __always_inline void ev_len(struct scratch *e, u32 l)
{
	*(u16 *)&e->ev[e->lp & EV_MASK] = (u16)l;
	e->lp += 2;
}

static __always_inline void p_u8(struct scratch *e, u8 v)
{
	e->ev[e->pos & EV_MASK] = v;
	e->pos += 1;
	ev_len(e, 1);
}

static __always_inline void p_u16(struct scratch *e, u16 v)
{
	*(u16 *)&e->ev[e->pos & EV_MASK] = v;
	e->pos += 2;
	ev_len(e, 2);
}

static __always_inline void p_u32(struct scratch *e, u32 v)
{
	*(u32 *)&e->ev[e->pos & EV_MASK] = v;
	e->pos += 4;
	ev_len(e, 4);
}

static __always_inline void p_u64(struct scratch *e, u64 v)
{
	*(u64 *)&e->ev[e->pos & EV_MASK] = v;
	e->pos += 8;
	ev_len(e, 8);
}

#define p_s64(e, v) p_u64(e, (u64)(s64)(v))
#define p_s32(e, v) p_u32(e, (u32)(s32)(v))

static __always_inline void p_empty(struct scratch *e)
{
	ev_len(e, 0);
}

/* Raw writers that add bytes to the current parameter without a length. */
static __always_inline void w_u8(struct scratch *e, u8 v)
{
	e->ev[e->pos & EV_MASK] = v;
	e->pos += 1;
}

static __always_inline void w_u16(struct scratch *e, u16 v)
{
	*(u16 *)&e->ev[e->pos & EV_MASK] = v;
	e->pos += 2;
}

static __always_inline void w_u32(struct scratch *e, u32 v)
{
	*(u32 *)&e->ev[e->pos & EV_MASK] = v;
	e->pos += 4;
}

static __always_inline void w_u64(struct scratch *e, u64 v)
{
	*(u64 *)&e->ev[e->pos & EV_MASK] = v;
	e->pos += 8;
}

/* w_str appends a NUL-terminated string (at most max bytes with the NUL) and
 * returns its length with the NUL, or 0 when it cannot be read. */
static __always_inline u32 w_ustr(struct scratch *e, const void *src, u32 max)
{
	if (!src)
		return 0;
	long n = bpf_probe_read_user_str(&e->ev[e->pos & EV_MASK], BOUND(max, (MAX_PATH * 2 - 1)), src);
	if (n <= 0)
		return 0;
	e->pos += n;
	return n;
}

static __always_inline u32 w_kstr(struct scratch *e, const void *src, u32 max)
{
	if (!src)
		return 0;
	long n = bpf_probe_read_kernel_str(&e->ev[e->pos & EV_MASK], BOUND(max, (MAX_PATH * 2 - 1)), src);
	if (n <= 0)
		return 0;
	e->pos += n;
	return n;
}

static __always_inline void p_ustr(struct scratch *e, const void *src)
{
	ev_len(e, w_ustr(e, src, MAX_PATH));
}

static __always_inline void p_kstr(struct scratch *e, const void *src, u32 max)
{
	ev_len(e, w_kstr(e, src, max));
}

/* p_ubuf stores n bytes of user memory (0 on a fault: empty parameter). */
static __always_inline void p_ubuf(struct scratch *e, const void *src, u64 n)
{
	if (!src || n == 0 || n > MAX_SNAPLEN) {
		ev_len(e, 0);
		return;
	}
	if (bpf_probe_read_user(&e->ev[e->pos & EV_MASK], BOUND(n, (MAX_SNAPLEN * 2 - 1)), src)) {
		ev_len(e, 0);
		return;
	}
	e->pos += n;
	ev_len(e, n);
}

static __always_inline void *ring(void)
{
	if (cfg_per_cpu) {
		u32 cpu = bpf_get_smp_processor_id();
		return bpf_map_lookup_elem(&cpu_rings, &cpu);
	}
	return &events;
}

/* wakeup_flags decides whether the record being written wakes the reader:
 * with a wakeup period set, one record in every period (per CPU) does and
 * the reader polls for the rest; otherwise the kernel's adaptive policy
 * wakes it whenever it has caught up. */
static __always_inline u64 wakeup_flags(struct counters *c)
{
	if (cfg_wakeup_adaptive)
		return 0;
	return (c->events & cfg_wakeup_mask) == 0 ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

/* ev_submit finishes the header and copies the record to the ring buffer,
 * counting what it cannot deliver. The timestamp is taken last so that
 * records reach the ring in close to timestamp order. */
static __always_inline void ev_submit_tid(struct scratch *e, u64 tid)
{
	struct counters *c = counters();
	if (!c)
		return;
	u32 len = e->pos;
	if (len > EV_MAX) {
		c->oversize++;
		return;
	}
	u8 *b = e->ev;
	*(u32 *)&b[0] = bpf_get_smp_processor_id();
	*(u32 *)&b[4] = 0;
	*(u64 *)&b[PREFIX_LEN + 8] = tid;
	*(u32 *)&b[PREFIX_LEN + 16] = len - PREFIX_LEN;
	*(u16 *)&b[PREFIX_LEN + 20] = e->type;
	*(u32 *)&b[PREFIX_LEN + 22] = e->np;
	u8 cat = e->cat;
	if (cat >= DC_MAX)
		cat = DC_OTHER;
	void *rb = ring();
	if (!rb) {
		c->drops[cat]++;
		return;
	}
	u64 flags = wakeup_flags(c);
	*(u64 *)&b[PREFIX_LEN] = bpf_ktime_get_boot_ns() + cfg_boot_ns;
	if (bpf_ringbuf_output(rb, b, len, flags)) {
		c->drops[cat]++;
		return;
	}
	c->events++;
}

static __always_inline void ev_submit(struct scratch *e)
{
	ev_submit_tid(e, (u32)bpf_get_current_pid_tgid());
}

#endif
