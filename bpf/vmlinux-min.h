/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The pinned fallback for vmlinux.h (x86_64): only the types
 * accounting.bpf.c uses, with CO-RE relocations (preserve_access_index), so
 * offsets come from the running kernel's BTF at load time. The build uses it
 * when the build host has no BTF to generate vmlinux.h from.
 */
#ifndef SB_VMLINUX_MIN_H
#define SB_VMLINUX_MIN_H
/* tells bpf_tracing.h to use the kernel's pt_regs names, as a generated vmlinux.h does */
#define __VMLINUX_H__

#include <linux/types.h>
#include <linux/bpf.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s64 s64;
typedef _Bool bool;
#define true 1
#define false 0
typedef __u32 dev_t;
typedef unsigned long ino_t;
typedef long long loff_t;
typedef unsigned long size_t;
typedef long ssize_t;

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

struct pt_regs {
	unsigned long r15, r14, r13, r12, bp, bx, r11, r10, r9, r8, ax, cx, dx, si, di, orig_ax,
		ip, cs, flags, sp, ss;
};

struct trace_entry {
	unsigned short type;
	unsigned char flags;
	unsigned char preempt_count;
	int pid;
};

struct trace_event_raw_sys_enter {
	struct trace_entry ent;
	long id;
	unsigned long args[6];
};

struct trace_event_raw_sys_exit {
	struct trace_entry ent;
	long id;
	long ret;
};

struct trace_event_raw_iomap_dio_complete {
	struct trace_entry ent;
	dev_t dev;
	ino_t ino;
	loff_t isize;
	loff_t pos;
	int ki_flags;
	bool aio;
	int error;
	ssize_t ret;
};

struct trace_event_raw_ext4__write_end {
	struct trace_entry ent;
	dev_t dev;
	ino_t ino;
	loff_t pos;
	unsigned int len;
	unsigned int copied;
};

struct trace_event_raw_xfs_file_class {
	struct trace_entry ent;
	dev_t dev;
	unsigned long long ino;
	long long size;
	loff_t offset;
	size_t count;
};


struct file {
	unsigned int f_flags;
};

struct pipe_buf_operations;

struct pipe_buffer {
	void *page;
	unsigned int offset;
	unsigned int len;
	const struct pipe_buf_operations *ops;
	unsigned int flags;
	unsigned long private;
};

struct pipe_inode_info {
	unsigned int head;
	unsigned int tail;
	unsigned int max_usage;
	unsigned int ring_size;
	struct pipe_buffer *bufs;
};

struct iov_iter {
	u8 iter_type;
	bool nofault;
	bool data_source;
};

#pragma clang attribute pop

#endif
