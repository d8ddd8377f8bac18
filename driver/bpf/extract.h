/* Readers of kernel state: syscall arguments, files, sockets, processes,
 * paths and cgroups. Each p_* helper stores one event parameter.
 */
#ifndef SYSCOPE_EXTRACT_H
#define SYSCOPE_EXTRACT_H

/* Kernel layout variants, resolved with CO-RE at load time. */
struct kernfs_node___old {
	struct kernfs_node *parent;
} __attribute__((preserve_access_index));

/* Inode times: i_{c,m}time_sec/_nsec since 6.11, __i_ctime and __i_mtime in
 * 6.7-6.10, __i_ctime and i_mtime in 6.6, i_ctime and i_mtime before. */
struct inode___v6_7 {
	struct timespec64 __i_mtime;
	struct timespec64 __i_ctime;
} __attribute__((preserve_access_index));

struct inode___v6_6 {
	struct timespec64 i_mtime;
	struct timespec64 __i_ctime;
} __attribute__((preserve_access_index));

struct inode___v6_2 {
	struct timespec64 i_mtime;
	struct timespec64 i_ctime;
} __attribute__((preserve_access_index));

/* The task's login uid exists with CONFIG_AUDIT only. */
struct task_struct___audit {
	kuid_t loginuid;
} __attribute__((preserve_access_index));

/* KC turns a kernel pointer obtained as a plain value into a typed one
 * that can be read with direct loads (checked, fault-safe), which are far
 * cheaper than a bpf_probe_read_kernel call per field. */
extern void *bpf_rdonly_cast(const void *obj__ign, __u32 btf_id__k) __ksym;
#define KC(T, p) ((T *)bpf_rdonly_cast((p), bpf_core_type_id_kernel(T)))

#define MAX_PATH_COMPONENTS 48
#define MAX_CGROUP_DEPTH 8

static __always_inline u64 arg(struct pt_regs *r, int i)
{
	switch (i) {
	case 0: return r->di;
	case 1: return r->si;
	case 2: return r->dx;
	case 3: return r->r10;
	case 4: return r->r8;
	default: return r->r9;
	}
}

static __always_inline struct task_struct *cur(void)
{
	return bpf_get_current_task_btf();
}

static __always_inline struct file *fd_file(struct task_struct *t, s64 fd)
{
	if (fd < 0)
		return NULL;
	struct files_struct *files = t->files;
	if (!files)
		return NULL;
	struct fdtable *fdt = files->fdt;
	if (!fdt || (u64)fd >= fdt->max_fds)
		return NULL;
	struct file **fds = fdt->fd;
	struct file *f = NULL;
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return f ? KC(struct file, f) : NULL;
}

/* new_encode_dev: the device number format the events carry. */
static __always_inline u32 encode_dev(u32 dev)
{
	u32 major = dev >> 20, minor = dev & ((1U << 20) - 1);
	return (minor & 0xff) | (major << 8) | ((minor & ~0xffU) << 12);
}

enum overlay { OVL_NONE, OVL_UPPER, OVL_LOWER };

static __always_inline enum overlay file_overlay(struct file *f)
{
	struct dentry *d = f->f_path.dentry;
	if (!d || d->d_sb->s_magic != K_OVERLAYFS_SUPER_MAGIC)
		return OVL_NONE;
	/* An overlay inode is followed by the upper dentry pointer. */
	struct inode *vi = d->d_inode;
	struct dentry *upper = NULL;
	bpf_probe_read_kernel(&upper, sizeof(upper), (char *)vi + bpf_core_type_size(struct inode));
	if (upper && BPF_CORE_READ(upper, d_inode, i_ino))
		return OVL_UPPER;
	return OVL_LOWER;
}

static __always_inline bool file_is_socket(struct file *f)
{
	return (f->f_inode->i_mode & K_S_IFMT) == K_S_IFSOCK;
}

static __always_inline struct sock *fd_sock(struct task_struct *t, s64 fd)
{
	struct file *f = fd_file(t, fd);
	if (!f || !file_is_socket(f))
		return NULL;
	/* A plain value, not a typed pointer: callers store its address. */
	return BPF_CORE_READ((struct socket *)f->private_data, sk);
}

/* ---- processes ---- */

static __always_inline struct pid *task_pid_of(struct task_struct *t, enum pid_type type)
{
	if (type == PIDTYPE_PID)
		return BPF_CORE_READ(t, thread_pid);
	return BPF_CORE_READ(t, signal, pids[type]);
}

/* pid_nr_at returns the number of p in the namespace at the given level. */
static __always_inline s32 pid_nr_at(struct pid *p, u32 level)
{
	if (!p || level > 32)
		return 0;
	if (BPF_CORE_READ(p, level) < level)
		return 0;
	struct upid u = {};
	bpf_probe_read_kernel(&u, sizeof(u), &p->numbers[level]);
	return u.nr;
}

/* task_level is the depth of the task's pid namespace (0: the initial one). */
static __always_inline u32 task_level(struct task_struct *t)
{
	return BPF_CORE_READ(t, thread_pid, level);
}

static __always_inline s32 task_vnr(struct task_struct *t, enum pid_type type)
{
	return pid_nr_at(task_pid_of(t, type), task_level(t));
}

static __always_inline s32 task_nr(struct task_struct *t, enum pid_type type)
{
	return pid_nr_at(task_pid_of(t, type), 0);
}

/* cap_read reads a capability set: a u64 since 6.3, two u32 (low word
 * first) before, the same 8 bytes either way. Capability bit numbers equal
 * the event's. */
static __always_inline u64 cap_read(const kernel_cap_t *c)
{
	u64 v = 0;
	bpf_probe_read_kernel(&v, sizeof(v), c);
	return v;
}

static __always_inline u32 task_loginuid(struct task_struct *t)
{
	struct task_struct___audit *a = (void *)t;
	if (!bpf_core_field_exists(a->loginuid))
		return 0xffffffff;
	return BPF_CORE_READ(a, loginuid.val);
}

static __always_inline u32 task_tty(struct task_struct *t)
{
	struct tty_struct *tty = BPF_CORE_READ(t, signal, tty);
	if (!tty)
		return 0;
	int index = BPF_CORE_READ(tty, index);
	int major = BPF_CORE_READ(tty, driver, major);
	int minor = BPF_CORE_READ(tty, driver, minor_start) + index;
	return encode_dev(((u32)major << 20) | (u32)minor);
}

static __always_inline u32 mm_kb(u64 pages)
{
	return pages << (K_PAGE_SHIFT - 10);
}

struct mmstat {
	u32 vm_size, vm_rss, vm_swap;
};

/* MM_FILEPAGES 0, MM_ANONPAGES 1, MM_SWAPENTS 2, MM_SHMEMPAGES 3 */
static __always_inline void task_mm(struct task_struct *t, struct mmstat *s)
{
	struct mm_struct *mm = BPF_CORE_READ(t, mm);
	s->vm_size = s->vm_rss = s->vm_swap = 0;
	if (!mm)
		return;
	s64 file = 0, anon = 0, swap = 0, shmem = 0;
	s->vm_size = mm_kb(BPF_CORE_READ(mm, total_vm));
	BPF_CORE_READ_INTO(&file, mm, rss_stat[0].count);
	BPF_CORE_READ_INTO(&anon, mm, rss_stat[1].count);
	BPF_CORE_READ_INTO(&swap, mm, rss_stat[2].count);
	BPF_CORE_READ_INTO(&shmem, mm, rss_stat[3].count);
	s64 rss = file + anon + shmem;
	s->vm_rss = rss > 0 ? mm_kb(rss) : 0;
	s->vm_swap = swap > 0 ? mm_kb(swap) : 0;
}

static __always_inline void inode_times(struct inode *i, u64 *ctime, u64 *mtime)
{
	s64 cs = 0, ms = 0;
	u32 cn = 0, mn = 0;
	if (bpf_core_field_exists(i->i_ctime_sec)) {
		cs = BPF_CORE_READ(i, i_ctime_sec);
		cn = BPF_CORE_READ(i, i_ctime_nsec);
		ms = BPF_CORE_READ(i, i_mtime_sec);
		mn = BPF_CORE_READ(i, i_mtime_nsec);
	} else if (bpf_core_field_exists(((struct inode___v6_7 *)0)->__i_mtime)) {
		struct inode___v6_7 *o = (void *)i;
		cs = BPF_CORE_READ(o, __i_ctime.tv_sec);
		cn = BPF_CORE_READ(o, __i_ctime.tv_nsec);
		ms = BPF_CORE_READ(o, __i_mtime.tv_sec);
		mn = BPF_CORE_READ(o, __i_mtime.tv_nsec);
	} else if (bpf_core_field_exists(((struct inode___v6_6 *)0)->__i_ctime)) {
		struct inode___v6_6 *o = (void *)i;
		cs = BPF_CORE_READ(o, __i_ctime.tv_sec);
		cn = BPF_CORE_READ(o, __i_ctime.tv_nsec);
		ms = BPF_CORE_READ(o, i_mtime.tv_sec);
		mn = BPF_CORE_READ(o, i_mtime.tv_nsec);
	} else {
		struct inode___v6_2 *o = (void *)i;
		cs = BPF_CORE_READ(o, i_ctime.tv_sec);
		cn = BPF_CORE_READ(o, i_ctime.tv_nsec);
		ms = BPF_CORE_READ(o, i_mtime.tv_sec);
		mn = BPF_CORE_READ(o, i_mtime.tv_nsec);
	}
	/* Nanoseconds are below 2^30; newer kernels keep flags in the top
	 * bits of i_ctime_nsec (multigrain timestamps). */
	cn &= 0x3fffffff;
	mn &= 0x3fffffff;
	*ctime = cs < 0 ? 0 : (u64)cs * 1000000000ULL + cn;
	*mtime = ms < 0 ? 0 : (u64)ms * 1000000000ULL + mn;
}

/* in_groups reports whether gid is one of the task's supplementary groups. */
static __always_inline bool in_groups(const struct cred *c, u32 gid)
{
	struct group_info *gi = BPF_CORE_READ(c, group_info);
	if (!gi)
		return false;
	int n = BPF_CORE_READ(gi, ngroups);
	for (int i = 0; i < 32; i++) {
		if (i >= n)
			break;
		kgid_t g = {};
		bpf_probe_read_kernel(&g, sizeof(g), &gi->gid[i]);
		if (g.val == gid)
			return true;
	}
	return false;
}

/* exe_writable approximates whether the task could write its executable:
 * a read-only or immutable file is not writable; otherwise the owner,
 * group and other write bits apply, and CAP_DAC_OVERRIDE overrides them. */
static __always_inline bool exe_writable(struct task_struct *t, struct inode *i)
{
	if (!i)
		return false;
	if (BPF_CORE_READ(i, i_sb, s_flags) & K_SB_RDONLY)
		return false;
	if (BPF_CORE_READ(i, i_flags) & K_S_IMMUTABLE)
		return false;
	const struct cred *c = BPF_CORE_READ(t, cred);
	umode_t mode = BPF_CORE_READ(i, i_mode);
	u32 iuid = BPF_CORE_READ(i, i_uid.val), igid = BPF_CORE_READ(i, i_gid.val);
	u32 fsuid = BPF_CORE_READ(c, fsuid.val), fsgid = BPF_CORE_READ(c, fsgid.val);
	if (iuid == fsuid) {
		if (mode & K_S_IWUSR)
			return true;
	} else if (igid == fsgid || in_groups(c, igid)) {
		if (mode & K_S_IWGRP)
			return true;
	} else if (mode & K_S_IWOTH) {
		return true;
	}
	u64 eff = cap_read(&c->cap_effective);
	return eff & (1ULL << K_CAP_DAC_OVERRIDE);
}

static __always_inline bool file_is_memfd(struct file *f)
{
	struct dentry *d = BPF_CORE_READ(f, f_path.dentry);
	if (!d || BPF_CORE_READ(d, d_parent) != d)
		return false;
	char name[8] = {};
	bpf_probe_read_kernel_str(name, sizeof(name), BPF_CORE_READ(d, d_name.name));
	return name[0] == 'm' && name[1] == 'e' && name[2] == 'm' && name[3] == 'f' && name[4] == 'd' &&
	       name[5] == ':';
}

/* ---- paths ---- */

/* p_path stores the absolute path of (dentry, mnt) as the task sees it,
 * walking up to the task's root and across mount points. Paths deeper than
 * MAX_PATH_COMPONENTS keep their last components. */
static __always_inline void p_path(struct scratch *e, struct task_struct *t, struct dentry *d, struct vfsmount *vm)
{
	struct dentry *root_d = BPF_CORE_READ(t, fs, root.dentry);
	struct vfsmount *root_m = BPF_CORE_READ(t, fs, root.mnt);
	struct mount *m = container_of(vm, struct mount, mnt);
	e->toff = TMP_LEN - 1;
	e->tmp[TMP_LEN - 1] = 0;

	for (int i = 0; i < MAX_PATH_COMPONENTS; i++) {
		if (!d)
			break;
		if (d == root_d && &m->mnt == root_m)
			break;
		struct dentry *mnt_root = BPF_CORE_READ(m, mnt.mnt_root);
		struct dentry *parent = BPF_CORE_READ(d, d_parent);
		if (d == mnt_root || d == parent) {
			struct mount *mp = BPF_CORE_READ(m, mnt_parent);
			if (d != mnt_root || mp == m)
				break; /* global root */
			d = BPF_CORE_READ(m, mnt_mountpoint);
			m = mp;
			continue;
		}
		u32 len = BPF_CORE_READ(d, d_name.len);
		const u8 *name = BPF_CORE_READ(d, d_name.name);
		u32 off = LOAD(e->toff);
		if (len == 0 || len > MAX_NAME || off < len + 1 + MAX_NAME)
			break;
		off -= len;
		bpf_probe_read_kernel(&e->tmp[off & TMP_MASK], BOUND(len, MAX_NAME), name);
		off -= 1;
		e->tmp[off & TMP_MASK] = '/';
		e->toff = off;
		d = parent;
	}
	u32 off = LOAD(e->toff);
	if (off == TMP_LEN - 1) {
		off -= 1;
		e->tmp[off & TMP_MASK] = '/';
	}
	u32 n = TMP_LEN - off;
	if (n > MAX_PATH)
		n = MAX_PATH;
	bpf_probe_read_kernel(&e->ev[e->pos & EV_MASK], BOUND(n, (2 * MAX_PATH - 1)), &e->tmp[off & TMP_MASK]);
	e->pos += n;
	ev_len(e, n);
}

static __always_inline void p_file_path(struct scratch *e, struct task_struct *t, struct file *f)
{
	if (!f) {
		p_empty(e);
		return;
	}
	p_path(e, t, BPF_CORE_READ(f, f_path.dentry), BPF_CORE_READ(f, f_path.mnt));
}

static __always_inline void p_cwd(struct scratch *e, struct task_struct *t)
{
	struct fs_struct *fs = BPF_CORE_READ(t, fs);
	if (!fs) {
		p_empty(e);
		return;
	}
	p_path(e, t, BPF_CORE_READ(fs, pwd.dentry), BPF_CORE_READ(fs, pwd.mnt));
}

/* ---- cgroups ---- */

static __always_inline struct kernfs_node *kn_parent(struct kernfs_node *kn)
{
	if (bpf_core_field_exists(kn->__parent))
		return BPF_CORE_READ(kn, __parent);
	struct kernfs_node___old *o = (void *)kn;
	return BPF_CORE_READ(o, parent);
}

/* w_cgroup appends "subsys=/path\0" for one controller and returns its length. */
static __always_inline u32 w_cgroup(struct scratch *e, struct task_struct *t, int id)
{
	const char *ssname = BPF_CORE_READ(t, cgroups, subsys[id], ss, name);
	u32 n = w_kstr(e, ssname, 32);
	if (!n)
		return 0;
	e->ev[(e->pos - 1) & EV_MASK] = '=';
	struct kernfs_node *kn = BPF_CORE_READ(t, cgroups, subsys[id], cgroup, kn);
	const char *names[MAX_CGROUP_DEPTH] = {};
	int depth = 0;
	for (int i = 0; i < MAX_CGROUP_DEPTH; i++) {
		struct kernfs_node *p = kn_parent(kn);
		if (!kn || !p)
			break; /* the root node has no name in the path */
		names[i] = BPF_CORE_READ(kn, name);
		depth++;
		kn = p;
	}
	if (depth == 0) {
		w_u8(e, '/');
		w_u8(e, 0);
		return n + 2;
	}
	for (int i = MAX_CGROUP_DEPTH - 1; i >= 0; i--) {
		if (i >= depth)
			continue;
		w_u8(e, '/');
		n++;
		u32 l = w_kstr(e, names[i], MAX_NAME + 1);
		if (l) {
			e->pos--; /* drop the NUL */
			n += l - 1;
		}
	}
	w_u8(e, 0);
	return n + 1;
}

#define CGROUP(e, t, n, id)                                                           \
	do {                                                                          \
		if (bpf_core_enum_value_exists(enum cgroup_subsys_id, id))            \
			n += w_cgroup(e, t, bpf_core_enum_value(enum cgroup_subsys_id, id)); \
	} while (0)

static __always_inline void p_cgroups(struct scratch *e, struct task_struct *t)
{
	u32 n = 0;
	CGROUP(e, t, n, cpuset_cgrp_id);
	CGROUP(e, t, n, cpu_cgrp_id);
	CGROUP(e, t, n, cpuacct_cgrp_id);
	CGROUP(e, t, n, io_cgrp_id);
	CGROUP(e, t, n, memory_cgrp_id);
	ev_len(e, n);
}

/* ---- argv / env ---- */

/* p_mem_strings stores [start, end) of the task's user memory (argument or
 * environment area: NUL-separated strings), at most MAX_ARGS bytes, making
 * sure it ends with a NUL. */
static __always_inline void p_mem_strings(struct scratch *e, u64 start, u64 end)
{
	if (!start || end <= start) {
		p_empty(e);
		return;
	}
	u64 n = end - start;
	if (n > MAX_ARGS)
		n = MAX_ARGS;
	if (bpf_probe_read_user(&e->ev[e->pos & EV_MASK], BOUND(n, (2 * MAX_ARGS - 1)), (void *)start)) {
		p_empty(e);
		return;
	}
	e->pos += n;
	e->ev[(e->pos - 1) & EV_MASK] = 0;
	ev_len(e, n);
}

/* w_ustr_array appends the strings of a user NULL-terminated pointer array,
 * from index first, with their NULs, up to MAX_ARGS bytes. */
static __always_inline u32 w_ustr_array(struct scratch *e, const char *const *arr, int first)
{
	if (!arr)
		return 0;
	e->acc = 0;
	for (int i = 0; i < 64; i++) {
		if (i < first)
			continue;
		const char *s = NULL;
		if (bpf_probe_read_user(&s, sizeof(s), &arr[i]) || !s)
			break;
		if (LOAD(e->acc) >= MAX_ARGS)
			break;
		e->acc = LOAD(e->acc) + w_ustr(e, s, MAX_ARGS);
	}
	u32 total = LOAD(e->acc);
	if (total > MAX_ARGS) {
		e->pos -= total - MAX_ARGS;
		total = MAX_ARGS;
		e->ev[(e->pos - 1) & EV_MASK] = 0;
	}
	return total;
}

/* ---- sockets ---- */

/* p_sockaddr stores a user sockaddr: family, then address and port, or the
 * unix path. */
static __always_inline void p_sockaddr(struct scratch *e, const void *uaddr, u64 ulen)
{
	u8 *tmp = e->tmp;
	if (!uaddr || ulen < 2) {
		p_empty(e);
		return;
	}
	if (ulen > 128)
		ulen = 128;
	if (bpf_probe_read_user(tmp, BOUND(ulen, 255), uaddr)) {
		p_empty(e);
		return;
	}
	u16 fam = *(u16 *)tmp;
	u32 start = e->pos;
	switch (fam) {
	case K_AF_INET:
		if (ulen < 8)
			break;
		w_u8(e, cv_family(fam));
		w_u32(e, *(u32 *)&tmp[4]);
		w_u16(e, bpf_ntohs(*(u16 *)&tmp[2]));
		break;
	case K_AF_INET6:
		if (ulen < 24)
			break;
		w_u8(e, cv_family(fam));
		w_u64(e, *(u64 *)&tmp[8]);
		w_u64(e, *(u64 *)&tmp[16]);
		w_u16(e, bpf_ntohs(*(u16 *)&tmp[2]));
		break;
	case K_AF_UNIX: {
		w_u8(e, cv_family(fam));
		/* abstract addresses start with a NUL, which is skipped */
		u32 skip = tmp[2] == 0 ? 3 : 2;
		tmp[127] = 0;
		if (!w_kstr(e, &tmp[skip & 3], 126)) {
			w_u8(e, 0);
		}
		break;
	}
	default:
		w_u8(e, cv_family(fam));
		break;
	}
	ev_len(e, e->pos - start);
}

/* p_tuple stores the socket tuple of fd: for outbound traffic the local end
 * first, for inbound the remote end first. uaddr is the user-given peer
 * address, used when the socket has no connected peer (unconnected UDP). */
static __always_inline void p_tuple(struct scratch *e, struct task_struct *t, s64 fd, bool outbound, const void *uaddr)
{
	struct sock *sk = fd_sock(t, fd);
	if (!sk) {
		p_empty(e);
		return;
	}
	u16 fam = BPF_CORE_READ(sk, __sk_common.skc_family);
	u32 start = e->pos;
	u8 *tmp = e->tmp;
	switch (fam) {
	case K_AF_INET: {
		struct inet_sock *in = (struct inet_sock *)sk;
		u32 laddr = BPF_CORE_READ(in, inet_saddr);
		u16 lport = bpf_ntohs(BPF_CORE_READ(in, inet_sport));
		u32 raddr = BPF_CORE_READ(sk, __sk_common.skc_daddr);
		u16 rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
		if (rport == 0 && uaddr) {
			struct sockaddr_in sa = {};
			bpf_probe_read_user(&sa, sizeof(sa), uaddr);
			if (sa.sin_family == K_AF_INET) {
				raddr = sa.sin_addr.s_addr;
				rport = bpf_ntohs(sa.sin_port);
			}
		}
		if (laddr == 0)
			laddr = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		w_u8(e, cv_family(fam));
		if (outbound) {
			w_u32(e, laddr);
			w_u16(e, lport);
			w_u32(e, raddr);
			w_u16(e, rport);
		} else {
			w_u32(e, raddr);
			w_u16(e, rport);
			w_u32(e, laddr);
			w_u16(e, lport);
		}
		break;
	}
	case K_AF_INET6: {
		struct inet_sock *in = (struct inet_sock *)sk;
		struct in6_addr la = {}, ra = {};
		BPF_CORE_READ_INTO(&la, in, pinet6, saddr);
		BPF_CORE_READ_INTO(&ra, sk, __sk_common.skc_v6_daddr);
		u16 lport = bpf_ntohs(BPF_CORE_READ(in, inet_sport));
		u16 rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
		if (rport == 0 && uaddr) {
			struct sockaddr_in6 sa = {};
			bpf_probe_read_user(&sa, sizeof(sa), uaddr);
			if (sa.sin6_family == K_AF_INET6) {
				ra = sa.sin6_addr;
				rport = bpf_ntohs(sa.sin6_port);
			}
		}
		w_u8(e, cv_family(fam));
		struct in6_addr *first = outbound ? &la : &ra, *second = outbound ? &ra : &la;
		u16 p1 = outbound ? lport : rport, p2 = outbound ? rport : lport;
		w_u64(e, *(u64 *)&first->in6_u.u6_addr8[0]);
		w_u64(e, *(u64 *)&first->in6_u.u6_addr8[8]);
		w_u16(e, p1);
		w_u64(e, *(u64 *)&second->in6_u.u6_addr8[0]);
		w_u64(e, *(u64 *)&second->in6_u.u6_addr8[8]);
		w_u16(e, p2);
		break;
	}
	case K_AF_UNIX: {
		struct unix_sock *us = (struct unix_sock *)sk;
		struct sock *peer = BPF_CORE_READ(us, peer);
		struct unix_address *ua;
		w_u8(e, cv_family(fam));
		if (outbound) {
			w_u64(e, (u64)peer);
			w_u64(e, (u64)sk);
			ua = peer ? BPF_CORE_READ((struct unix_sock *)peer, addr) : NULL;
		} else {
			w_u64(e, (u64)sk);
			w_u64(e, (u64)peer);
			ua = BPF_CORE_READ(us, addr);
		}
		tmp[0] = 0;
		tmp[1] = 0;
		if (ua) {
			bpf_probe_read_kernel(tmp, 110, &ua->name[0].sun_path);
		} else if (outbound && uaddr) {
			bpf_probe_read_user(tmp, 110, (const char *)uaddr + 2);
		}
		tmp[109] = 0;
		u32 skip = tmp[0] == 0 ? 1 : 0;
		if (!w_kstr(e, &tmp[skip & 1], 109))
			w_u8(e, 0);
		break;
	}
	default:
		p_empty(e);
		return;
	}
	ev_len(e, e->pos - start);
}

#endif
