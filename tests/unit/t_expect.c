// SPDX-License-Identifier: MIT
/* The expectation table, per era and file system (reference section 7). */
#include <string.h>

#include "expect.h"
#include "probes.h"
#include "tap.h"

static enum sb_class one(unsigned int sys, unsigned int in, unsigned int out, unsigned int kv,
			 const char *fs, bool src_direct, bool dst_direct, bool misaligned)
{
	struct sb_leg leg = { sys, in, out };
	struct sb_path_env env = { kv, fs, src_direct, dst_direct, misaligned };
	struct sb_expect_part p[2];

	if (sb_expect_leg(&leg, &env, p) != 1)
		return SB_NR_CLASSES;
	return p[0].cls;
}

#define K48 SB_KV(4, 8, 15)
#define K61 SB_KV(6, 1, 192)
#define K612 SB_KV(6, 12, 117)

int main(void)
{
	struct sb_expect_part p[2];
	struct sb_path_env env = { K612, "ext4", false, false, false };
	struct sb_leg sf = { SB_SYS_SENDFILE, SB_ROLE_SRC, SB_ROLE_DST };
	char name[64];

	/* splice file -> pipe */
	for (int i = 0; i < 3; i++) {
		const char *fs[] = { "tmpfs", "ext4", "xfs" };

		is_int(one(SB_SYS_SPLICE, SB_ROLE_SRC, SB_ROLE_PIPE_W, K612, fs[i], false, false,
			   false),
		       SB_CLASS_REF, "6.12 %s splice file->pipe: by reference", fs[i]);
		is_int(one(SB_SYS_SPLICE, SB_ROLE_SRC, SB_ROLE_PIPE_W, K61, fs[i], false, false,
			   false),
		       SB_CLASS_REF, "6.1 %s splice file->pipe: by reference (ITER_PIPE)", fs[i]);
	}
	is_int(one(SB_SYS_SPLICE, SB_ROLE_SRC, SB_ROLE_PIPE_W, K612, "xfs", true, false, false),
	       SB_CLASS_FRESH, "6.12 xfs O_DIRECT splice: fresh pages by DMA");
	is_int(one(SB_SYS_SPLICE, SB_ROLE_SRC, SB_ROLE_PIPE_W, K61, "ext4", true, false, false),
	       SB_CLASS_FRESH, "6.1 ext4 O_DIRECT splice: fresh pages by DMA");
	is_int(one(SB_SYS_SPLICE, SB_ROLE_SRC, SB_ROLE_PIPE_W, K48, "ext4", true, false, false),
	       SB_CLASS_REF, "4.8 ignores O_DIRECT for splice: by reference");
	is_int(one(SB_SYS_SPLICE, SB_ROLE_SRC, SB_ROLE_PIPE_W, K612, "tmpfs", true, false, false),
	       SB_CLASS_COPY, "6.12 tmpfs O_DIRECT splice: copied");
	is_int(one(SB_SYS_SPLICE, SB_ROLE_SRC, SB_ROLE_PIPE_W, K612, "ext4", true, false, true),
	       SB_CLASS_COPY, "6.12 ext4 misaligned O_DIRECT: buffered fallback, copied");

	/* drains and fills */
	is_int(one(SB_SYS_SPLICE, SB_ROLE_PIPE_R, SB_ROLE_NULL, K612, NULL, false, false, false),
	       SB_CLASS_NONE, "splice pipe->/dev/null: nothing copied");
	is_int(one(SB_SYS_READ, SB_ROLE_PIPE_R, SB_ROLE_USER, K612, NULL, false, false, false),
	       SB_CLASS_COPY, "read pipe->user: copied");
	is_int(one(SB_SYS_VMSPLICE, SB_ROLE_USER, SB_ROLE_PIPE_W, K61, NULL, false, false, false),
	       SB_CLASS_REF, "vmsplice user->pipe: by reference");
	is_int(one(SB_SYS_VMSPLICE, SB_ROLE_PIPE_R, SB_ROLE_USER, K61, NULL, false, false, false),
	       SB_CLASS_COPY, "vmsplice pipe->user: copied");
	is_int(one(SB_SYS_WRITE, SB_ROLE_USER, SB_ROLE_PIPE_W, K61, NULL, false, false, false),
	       SB_CLASS_COPY, "write user->pipe: copied");
	is_int(one(SB_SYS_TEE, SB_ROLE_PIPE_R, SB_ROLE_PIPE2_W, K612, NULL, false, false, false),
	       SB_CLASS_REF, "tee: by reference");

	/* writes and reads of files */
	is_int(one(SB_SYS_SPLICE, SB_ROLE_PIPE_R, SB_ROLE_DST, K612, "xfs", false, false, false),
	       SB_CLASS_COPY, "splice pipe->file buffered: copied");
	is_int(one(SB_SYS_SPLICE, SB_ROLE_PIPE_R, SB_ROLE_DST, K612, "xfs", false, true, false),
	       SB_CLASS_REF, "splice pipe->file O_DIRECT: read in place by the device");
	is_int(one(SB_SYS_PREAD, SB_ROLE_SRC, SB_ROLE_USER, K612, "ext4", false, false, false),
	       SB_CLASS_COPY, "pread buffered: copied");
	is_int(one(SB_SYS_PREAD, SB_ROLE_SRC, SB_ROLE_USER, K612, "ext4", true, false, false),
	       SB_CLASS_FRESH, "pread O_DIRECT: DMA");
	is_int(one(SB_SYS_PWRITE, SB_ROLE_USER, SB_ROLE_DST, K612, "tmpfs", false, true, false),
	       SB_CLASS_COPY, "pwrite O_DIRECT on tmpfs: still copied");
	is_int(one(SB_SYS_CFR, SB_ROLE_SRC, SB_ROLE_DST, K612, "xfs", false, false, false),
	       SB_CLASS_REF, "copy_file_range on xfs: extents shared");

	/* two-part legs */
	is_int(sb_expect_leg(&sf, &env, p), 2, "sendfile file->file has a read and a write part");
	ok(p[0].cls == SB_CLASS_REF && p[1].cls == SB_CLASS_COPY,
	   "sendfile: read by reference, write copied");
	ok(strstr(p[0].basis, "filemap_splice_read") != NULL, "basis names the function: %s",
	   p[0].basis);
	sf.sys = SB_SYS_CFR;
	is_int(sb_expect_leg(&sf, &env, p), 2, "copy_file_range on ext4: splice-based, two parts");

	/* legs the benchmark never makes */
	sf = (struct sb_leg){ SB_SYS_SPLICE, SB_ROLE_NULL, SB_ROLE_SRC };
	is_int(sb_expect_leg(&sf, &env, p), 0, "an unknown leg has no expectation");
	sb_leg_name(&(struct sb_leg){ SB_SYS_SPLICE, SB_ROLE_SRC, SB_ROLE_PIPE_W }, name,
		    sizeof(name));
	is_str(name, "splice file->pipe", "leg name");
	return tap_done();
}
