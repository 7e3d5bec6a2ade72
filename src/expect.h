/* SPDX-License-Identifier: MIT */
/*
 * What the kernel is expected to do with the bytes of each leg of a path,
 * per kernel era, file system and O_DIRECT (pure; from the reference's
 * per-era call chains, ../shared/reference/kernel-probe-map.md section 7).
 * Used to split exact tracepoint totals when no function probe can measure
 * the split (labelled "estimate"), and to check the measured split.
 */
#ifndef SB_EXPECT_H
#define SB_EXPECT_H

#include "accounting.h"
#include "sb.h"

enum sb_class {
	SB_CLASS_NONE,	/* consumed without copy or hand-over (splice into /dev/null) */
	SB_CLASS_REF,	/* handed over by reference */
	SB_CLASS_FRESH, /* placed in fresh pages without a CPU copy (DMA) */
	SB_CLASS_COPY,	/* copied by the CPU */
	SB_NR_CLASSES,
};

const char *sb_class_name(enum sb_class c);

/* one leg: bytes returned by syscall @sys moving data from role @in to role @out */
struct sb_leg {
	unsigned int sys;
	unsigned int in;
	unsigned int out;
};

struct sb_path_env {
	unsigned int kv;   /* SB_KV of the kernel */
	const char *fs;	   /* "tmpfs", "ext4", "xfs", ... (NULL for pipes only) */
	bool src_direct;   /* the source file is open with O_DIRECT */
	bool dst_direct;
	bool misaligned;   /* O_DIRECT at an offset the file system does not align to */
	const char *proto; /* the socket leg: "tcp", "udp", or NULL */
};

struct sb_expect_part {
	enum sb_class cls;
	const char *basis; /* why, in one sentence */
};

/*
 * Each part applies to all of the leg's bytes (sendfile and copy_file_range
 * have a read part and a write part). Returns the number of parts (1 or 2),
 * or 0 when the leg is not one splicebench makes.
 */
int sb_expect_leg(const struct sb_leg *leg, const struct sb_path_env *env,
		  struct sb_expect_part parts[2]);

/* "splice file->pipe" */
void sb_leg_name(const struct sb_leg *leg, char *buf, size_t len);
const char *sb_role_name(unsigned int role);
const char *sb_sys_name(unsigned int sys);

#endif
