// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Copy accounting: what the kernel did with the bytes the benchmark moved.
 *
 * Tier 2 (tracepoints, "tp_*"): the syscalls tracepoints give exact byte
 * totals per system call and per pair of file descriptor roles (set by user
 * space for each cell); iomap, ext4 and xfs tracepoints give exact bytes for
 * some classes (DMA reads and writes, copies into the page cache).
 *
 * Tier 1 (function probes, "fx_*" fentry/fexit and "kp_*" kprobe/kretprobe):
 * the callers of lib/'s iov_iter copy helpers (which cannot be probed) say
 * whether bytes were handed over by reference, placed by DMA in fresh pages,
 * or copied. The loader picks, per probe, the attach point that exists on
 * the running kernel (user space sets the targets before load).
 *
 * Everything is filtered to the benchmark's own process (targ_tgid) and
 * counted in one per-CPU struct; nothing is sent per event.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "accounting.h"
#include "core_fixes.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u32 targ_tgid = 0;
/* addresses of the pipe buffer ops (from /proc/kallsyms), 0 when unknown */
const volatile __u64 ops_page_cache = 0;
const volatile __u64 ops_default = 0;
/* O_DIRECT of this architecture */
const volatile __u32 o_direct_flag = 040000;
/* syscall numbers of this architecture, for the raw sys_enter/sys_exit programs */
const volatile long nr_sys[SB_NR_SYS] = { -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1 };

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sb_acct_ctrs);
} ctrs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SB_MAX_FD);
	__type(key, __u32);
	__type(value, __u8);
} fd_roles SEC(".maps");

/* inode numbers of the cell's source and destination files -> SB_ROLE_SRC/DST */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u64);
	__type(value, __u8);
} ino_roles SEC(".maps");

/*
 * The syscall in progress, per thread: an array slot by thread id (cheaper
 * than a hash map on every syscall), checked against the thread id.
 */
#define SYS_SLOTS 1024
#define SYS_IDLE SB_NR_SYS

struct sys_entry {
	__u32 tid;
	__u32 sys;
	__u32 in;
	__u32 out;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SYS_SLOTS);
	__type(key, __u32);
	__type(value, struct sys_entry);
} in_syscall SEC(".maps");

/* per-thread state of the function probes */
struct task_state {
	__u32 splice_read;	/* depth inside copy_splice_read / generic_file_splice_read */
	__u32 gfsr_head;	/* pipe head at entry of generic_file_splice_read */
	__u64 gfsr_pipe;
	__u64 dma;		/* DMA read bytes inside a splice read */
	__u64 already_read;	/* filemap_read's already_read argument */
	__u8 gfsr_direct;
	__u8 dio_write;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, struct task_state);
} tstate SEC(".maps");

static __always_inline bool ours(void)
{
	return (bpf_get_current_pid_tgid() >> 32) == targ_tgid;
}

static __always_inline void add(__u32 idx, __s64 bytes)
{
	__u32 zero = 0;
	struct sb_acct_ctrs *c;

	if (bytes <= 0 || idx >= SB_NR_CTRS)
		return;
	c = bpf_map_lookup_elem(&ctrs, &zero);
	if (!c)
		return;
	c->bytes[idx] += bytes;
	c->hits[idx]++;
}

static __always_inline __u32 role_of(long fd)
{
	__u32 key = (__u32)fd;
	__u8 *r;

	if (fd < 0 || fd >= SB_MAX_FD)
		return SB_ROLE_OTHER;
	r = bpf_map_lookup_elem(&fd_roles, &key);
	return r ? *r : SB_ROLE_OTHER;
}

static __always_inline struct task_state *state(bool create)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct task_state *st = bpf_map_lookup_elem(&tstate, &tid);
	struct task_state zero = {};

	if (st || !create)
		return st;
	bpf_map_update_elem(&tstate, &tid, &zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(&tstate, &tid);
}

/* ------------------------------------------------------------------ tier 2: syscalls */

static __always_inline int enter(__u32 sys, __u32 in, __u32 out)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid(), key = tid % SYS_SLOTS;
	struct sys_entry *e = bpf_map_lookup_elem(&in_syscall, &key);

	if (e) {
		e->tid = tid;
		e->sys = sys;
		e->in = in;
		e->out = out;
	}
	return 0;
}

static __always_inline int leave(long ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid(), key = tid % SYS_SLOTS;
	struct sys_entry *e = bpf_map_lookup_elem(&in_syscall, &key);

	if (!e || e->tid != tid || e->sys >= SB_NR_SYS)
		return 0;
	if (e->in < SB_NR_ROLES && e->out < SB_NR_ROLES)
		add(SB_SYS_SLOT(e->sys, e->in, e->out), ret);
	e->sys = SYS_IDLE;
	return 0;
}

/* the roles of syscall @sys's data, from its first three arguments */
static __always_inline bool roles_of(__u32 sys, long a0, long a1, long a2, __u32 *in, __u32 *out)
{
	switch (sys) {
	case SB_SYS_SPLICE:
	case SB_SYS_CFR:
		*in = role_of(a0), *out = role_of(a2);
		return true;
	case SB_SYS_TEE:
		*in = role_of(a0), *out = role_of(a1);
		return true;
	case SB_SYS_SENDFILE: /* sendfile(out_fd, in_fd, ...) */
		*in = role_of(a1), *out = role_of(a0);
		return true;
	case SB_SYS_VMSPLICE: /* into a pipe's write end, or out of its read end */
		*in = role_of(a0);
		if (*in == SB_ROLE_PIPE_R || *in == SB_ROLE_PIPE2_R)
			*out = SB_ROLE_USER;
		else
			*out = *in, *in = SB_ROLE_USER;
		return true;
	case SB_SYS_READ:
	case SB_SYS_PREAD:
	case SB_SYS_RECVFROM: /* recv(2) is recvfrom(2) on x86-64 and arm64 */
		*in = role_of(a0), *out = SB_ROLE_USER;
		return true;
	case SB_SYS_WRITE:
	case SB_SYS_PWRITE:
	case SB_SYS_SENDTO: /* and send(2) is sendto(2) */
		*in = SB_ROLE_USER, *out = role_of(a0);
		return true;
	}
	return false;
}

/*
 * One BTF raw tracepoint program at syscall exit: the saved user registers
 * still hold the syscall number and its arguments, the return value comes
 * with the event. No trace record, no state between enter and exit: the
 * cheapest way to count syscall bytes. The classic syscalls tracepoints
 * below are the fallback.
 */
SEC("tp_btf/sys_exit")
int BPF_PROG(tb_sys_exit, struct pt_regs *regs, long ret)
{
	__u32 in, out;
	long nr;

	if (ret <= 0 || !ours())
		return 0;
#if defined(__TARGET_ARCH_x86)
	nr = regs->orig_ax;
#elif defined(__TARGET_ARCH_arm64)
	nr = regs->syscallno;
#else
	return 0;
#endif
	for (__u32 s = 0; s < SB_NR_SYS; s++)
		if (nr == nr_sys[s] && roles_of(s, PT_REGS_PARM1(regs), PT_REGS_PARM2(regs),
						 PT_REGS_PARM3(regs), &in, &out)) {
			add(SB_SYS_SLOT(s, in, out), ret);
			break;
		}
	return 0;
}

static __always_inline int enter_args(__u32 sys, long a0, long a1, long a2)
{
	__u32 in, out;

	return roles_of(sys, a0, a1, a2, &in, &out) ? enter(sys, in, out) : 0;
}

/* the fallback: classic syscalls tracepoints, one pair per syscall */
#define SYS_TP(name, event, sys)                                                                  \
	SEC("tp/syscalls/sys_enter_" #event)                                                       \
	int tp_enter_##name(struct trace_event_raw_sys_enter *ctx)                                 \
	{                                                                                          \
		if (!ours())                                                                       \
			return 0;                                                                  \
		return enter_args(sys, ctx->args[0], ctx->args[1], ctx->args[2]);                  \
	}                                                                                          \
	SEC("tp/syscalls/sys_exit_" #event)                                                        \
	int tp_exit_##name(struct trace_event_raw_sys_exit *ctx)                                   \
	{                                                                                          \
		if (ours())                                                                        \
			leave(ctx->ret);                                                           \
		return 0;                                                                          \
	}

SYS_TP(splice, splice, SB_SYS_SPLICE)
SYS_TP(vmsplice, vmsplice, SB_SYS_VMSPLICE)
SYS_TP(tee, tee, SB_SYS_TEE)
SYS_TP(sendfile, sendfile64, SB_SYS_SENDFILE)
SYS_TP(cfr, copy_file_range, SB_SYS_CFR)
SYS_TP(read, read, SB_SYS_READ)
SYS_TP(write, write, SB_SYS_WRITE)
SYS_TP(pread, pread64, SB_SYS_PREAD)
SYS_TP(pwrite, pwrite64, SB_SYS_PWRITE)
SYS_TP(sendto, sendto, SB_SYS_SENDTO)
SYS_TP(recvfrom, recvfrom, SB_SYS_RECVFROM)

/* ------------------------------------------------------------------ tier 2: class events */

static __always_inline __u8 ino_role(__u64 ino)
{
	__u8 *r = bpf_map_lookup_elem(&ino_roles, &ino);

	return r ? *r : SB_ROLE_OTHER;
}

SEC("tp/iomap/iomap_dio_complete")
int tp_dio_complete(struct trace_event_raw_iomap_dio_complete *ctx)
{
	__u8 r;

	if (!ours())
		return 0;
	/* direction from the file: the source is read, the destination written */
	r = ino_role(ctx->ino);
	if (r == SB_ROLE_SRC)
		add(SB_TP_DIO_READ, ctx->ret);
	else if (r == SB_ROLE_DST)
		add(SB_TP_DIO_WRITE, ctx->ret);
	return 0;
}

SEC("tp/ext4/ext4_da_write_end")
int tp_ext4_da_write_end(struct trace_event_raw_ext4__write_end *ctx)
{
	if (ours() && ino_role(ctx->ino) == SB_ROLE_DST)
		add(SB_TP_EXT4_WRITE_COPIED, ctx->copied);
	return 0;
}

SEC("tp/ext4/ext4_write_end")
int tp_ext4_write_end(struct trace_event_raw_ext4__write_end *ctx)
{
	if (ours() && ino_role(ctx->ino) == SB_ROLE_DST)
		add(SB_TP_EXT4_WRITE_COPIED, ctx->copied);
	return 0;
}

SEC("tp/xfs/xfs_file_buffered_write")
int tp_xfs_buffered_write(struct trace_event_raw_xfs_file_class *ctx)
{
	if (ours() && ino_role(ctx->ino) == SB_ROLE_DST)
		add(SB_TP_XFS_BUFFERED_WRITE, ctx->count);
	return 0;
}

/* ------------------------------------------------------------------ tier 1: bodies */

/*
 * Each function probe exists twice: fx_* (fentry/fexit, arguments through
 * bpf_get_func_arg so one program fits every kernel's argument list) and
 * kp_* (kprobe/kretprobe). The loader keeps one of the pair.
 */

static __always_inline void splice_read_enter(void)
{
	struct task_state *st = state(true);

	if (st) {
		if (!st->splice_read)
			st->dma = 0;
		st->splice_read++;
	}
}

static __always_inline __u64 splice_read_leave(void)
{
	struct task_state *st = state(false);
	__u64 dma = 0;

	if (st && st->splice_read) {
		st->splice_read--;
		dma = st->dma;
	}
	return dma;
}

static __always_inline bool in_splice_read(void)
{
	struct task_state *st = state(false);

	return st && st->splice_read;
}

static __always_inline void copy_splice_read_done(__s64 ret)
{
	__u64 dma = splice_read_leave();

	if (ret <= 0)
		return;
	if (dma > (__u64)ret)
		dma = ret;
	add(SB_FN_COPY_SPLICE_READ_DMA, dma);
	add(SB_FN_COPY_SPLICE_READ_COPY, ret - dma);
}

static __always_inline void dio_enter(struct iov_iter *iter)
{
	struct task_state *st = state(true);
	bool write;

	if (!st)
		return;
	/* 6.x: data_source (ITER_SOURCE = write); older: the WRITE bit of type */
	if (bpf_core_field_exists(iter->data_source))
		write = BPF_CORE_READ(iter, data_source);
	else
		write = BPF_CORE_READ((struct iov_iter___old *)iter, type) & 1;
	st->dio_write = write;
}

static __always_inline void dio_leave(__s64 ret)
{
	struct task_state *st = state(false);

	if (!st || ret <= 0)
		return;
	if (st->dio_write)
		add(SB_FN_IOMAP_DIO_WRITE, ret);
	else if (st->splice_read)
		st->dma += ret; /* counted by the splice read that called us */
	else
		add(SB_FN_IOMAP_DIO_READ, ret);
}

static __always_inline void filemap_read_leave(__s64 ret)
{
	struct task_state *st = state(false);

	if (!st || st->splice_read || ret <= 0)
		return;
	add(SB_FN_FILEMAP_READ, ret - (__s64)st->already_read);
}

/* pipe head: 5.5+ head; 5.4 and older curbuf + nrbufs */
static __always_inline __u32 pipe_head(struct pipe_inode_info *pipe)
{
	if (bpf_core_field_exists(pipe->head))
		return BPF_CORE_READ(pipe, head);
	return BPF_CORE_READ((struct pipe_inode_info___v54 *)pipe, curbuf) +
	       BPF_CORE_READ((struct pipe_inode_info___v54 *)pipe, nrbufs);
}

static __always_inline __u32 pipe_ring_mask(struct pipe_inode_info *pipe)
{
	if (bpf_core_field_exists(pipe->ring_size))
		return BPF_CORE_READ(pipe, ring_size) - 1;
	return BPF_CORE_READ((struct pipe_inode_info___v54 *)pipe, buffers) - 1;
}

static __always_inline void gfsr_enter(struct file *in, struct pipe_inode_info *pipe)
{
	struct task_state *st = state(true);

	if (!st)
		return;
	if (!st->splice_read)
		st->dma = 0;
	st->splice_read++;
	st->gfsr_pipe = (__u64)pipe;
	st->gfsr_head = pipe_head(pipe);
	st->gfsr_direct = (BPF_CORE_READ(in, f_flags) & o_direct_flag) != 0;
}

/* classify the pipe slots generic_file_splice_read filled, by their ops */
static __always_inline void gfsr_leave(__s64 ret)
{
	struct task_state *st = state(false);
	struct pipe_inode_info *pipe;
	struct pipe_buffer *bufs;
	__u32 idx, head, mask;

	if (!st || !st->splice_read)
		return;
	st->splice_read--;
	if (ret <= 0)
		return;
	pipe = (struct pipe_inode_info *)st->gfsr_pipe;
	head = pipe_head(pipe);
	mask = pipe_ring_mask(pipe);
	bufs = BPF_CORE_READ(pipe, bufs);
	idx = st->gfsr_head;
	for (int i = 0; i < 256; i++) {
		struct pipe_buffer b = {};
		__u64 ops;

		if (idx == head)
			break;
		bpf_core_read(&b, sizeof(b), &bufs[idx & mask]);
		ops = (__u64)b.ops;
		if (ops_page_cache && ops == ops_page_cache)
			add(SB_FN_GFSR_REF, b.len);
		else if (ops_default && ops == ops_default)
			add(st->gfsr_direct ? SB_FN_GFSR_FRESH : SB_FN_GFSR_COPY, b.len);
		else
			add(SB_FN_GFSR_UNKNOWN, b.len);
		idx++;
	}
}

/* ------------------------------------------------------------------ tier 1: fentry/fexit */

static __always_inline __s64 func_ret(void *ctx)
{
	__u64 ret = 0;

	bpf_get_func_ret(ctx, &ret);
	return (__s64)ret;
}

static __always_inline __u64 func_arg(void *ctx, __u32 n)
{
	__u64 v = 0;

	bpf_get_func_arg(ctx, n, &v);
	return v;
}

/* a function whose return value is the bytes of one class */
#define FX_RET(name, ctr)                                                                         \
	SEC("fexit")                                                                               \
	int fx_##name(void *ctx)                                                                   \
	{                                                                                          \
		if (ours())                                                                        \
			add(ctr, func_ret(ctx));                                                   \
		return 0;                                                                          \
	}                                                                                          \
	SEC("kretprobe")                                                                           \
	int kp_##name(struct pt_regs *ctx)                                                         \
	{                                                                                          \
		if (ours())                                                                        \
			add(ctr, (__s64)PT_REGS_RC(ctx));                                          \
		return 0;                                                                          \
	}

FX_RET(filemap_splice_read, SB_FN_FILEMAP_SPLICE_READ)
FX_RET(shmem_file_splice_read, SB_FN_SHMEM_SPLICE_READ)
FX_RET(add_to_pipe, SB_FN_ADD_TO_PIPE)
FX_RET(pipe_to_user, SB_FN_PIPE_TO_USER)
FX_RET(do_tee, SB_FN_DO_TEE)
FX_RET(pipe_read, SB_FN_PIPE_READ)
FX_RET(pipe_write, SB_FN_PIPE_WRITE)
FX_RET(generic_perform_write, SB_FN_GENERIC_PERFORM_WRITE)
FX_RET(iomap_file_buffered_write, SB_FN_IOMAP_BUFFERED_WRITE)
FX_RET(remap_file_range, SB_FN_REMAP)
FX_RET(iter_file_splice_write, SB_FN_ITER_FILE_SPLICE_WRITE)

/* reads that copy unless a splice read called them (then the splice read counts) */
#define FX_READ(name, ctr)                                                                        \
	SEC("fexit")                                                                               \
	int fx_##name(void *ctx)                                                                   \
	{                                                                                          \
		if (ours() && !in_splice_read())                                                   \
			add(ctr, func_ret(ctx));                                                   \
		return 0;                                                                          \
	}                                                                                          \
	SEC("kretprobe")                                                                           \
	int kp_##name(struct pt_regs *ctx)                                                         \
	{                                                                                          \
		if (ours() && !in_splice_read())                                                   \
			add(ctr, (__s64)PT_REGS_RC(ctx));                                          \
		return 0;                                                                          \
	}

FX_READ(shmem_file_read_iter, SB_FN_SHMEM_READ)

SEC("fentry")
int fx_copy_splice_read_entry(void *ctx)
{
	if (ours())
		splice_read_enter();
	return 0;
}

SEC("fexit")
int fx_copy_splice_read(void *ctx)
{
	if (ours())
		copy_splice_read_done(func_ret(ctx));
	return 0;
}

SEC("fentry")
int fx_generic_file_splice_read_entry(void *ctx)
{
	if (ours())
		gfsr_enter((struct file *)func_arg(ctx, 0),
			   (struct pipe_inode_info *)func_arg(ctx, 2));
	return 0;
}

SEC("fexit")
int fx_generic_file_splice_read(void *ctx)
{
	if (ours())
		gfsr_leave(func_ret(ctx));
	return 0;
}

SEC("fentry")
int fx_iomap_dio_rw_entry(void *ctx)
{
	if (ours())
		dio_enter((struct iov_iter *)func_arg(ctx, 1));
	return 0;
}

SEC("fexit")
int fx_iomap_dio_rw(void *ctx)
{
	if (ours())
		dio_leave(func_ret(ctx));
	return 0;
}

SEC("fentry")
int fx_filemap_read_entry(void *ctx)
{
	struct task_state *st;

	if (ours() && (st = state(true)))
		st->already_read = func_arg(ctx, 2);
	return 0;
}

SEC("fexit")
int fx_filemap_read(void *ctx)
{
	if (ours())
		filemap_read_leave(func_ret(ctx));
	return 0;
}

/* ------------------------------------------------------------------ tier 1: kprobes */

SEC("kprobe")
int kp_copy_splice_read_entry(struct pt_regs *ctx)
{
	if (ours())
		splice_read_enter();
	return 0;
}

SEC("kretprobe")
int kp_copy_splice_read(struct pt_regs *ctx)
{
	if (ours())
		copy_splice_read_done((__s64)PT_REGS_RC(ctx));
	return 0;
}

SEC("kprobe")
int kp_generic_file_splice_read_entry(struct pt_regs *ctx)
{
	if (ours())
		gfsr_enter((struct file *)PT_REGS_PARM1(ctx),
			   (struct pipe_inode_info *)PT_REGS_PARM3(ctx));
	return 0;
}

SEC("kretprobe")
int kp_generic_file_splice_read(struct pt_regs *ctx)
{
	if (ours())
		gfsr_leave((__s64)PT_REGS_RC(ctx));
	return 0;
}

SEC("kprobe")
int kp_iomap_dio_rw_entry(struct pt_regs *ctx)
{
	if (ours())
		dio_enter((struct iov_iter *)PT_REGS_PARM2(ctx));
	return 0;
}

SEC("kretprobe")
int kp_iomap_dio_rw(struct pt_regs *ctx)
{
	if (ours())
		dio_leave((__s64)PT_REGS_RC(ctx));
	return 0;
}

SEC("kprobe")
int kp_filemap_read_entry(struct pt_regs *ctx)
{
	struct task_state *st;

	if (ours() && (st = state(true)))
		st->already_read = PT_REGS_PARM3(ctx);
	return 0;
}

SEC("kretprobe")
int kp_filemap_read(struct pt_regs *ctx)
{
	if (ours())
		filemap_read_leave((__s64)PT_REGS_RC(ctx));
	return 0;
}
