// SPDX-License-Identifier: MIT
/*
 * The copying twins: read/write through a user buffer, and copy_file_range.
 * They move the same bytes as the zero-copy paths, so every zero-copy path
 * has a baseline measured in the same run.
 */
#include <unistd.h>

#include "workload.h"

static ssize_t pread_step(struct sb_wl_ctx *c, void *arg, size_t done, size_t left)
{
	return pread(c->src_fd, c->buf + done, left, (off_t)(*(uint64_t *)arg + done));
}

static ssize_t pwrite_step(struct sb_wl_ctx *c, void *arg, size_t done, size_t left)
{
	return pwrite(c->dst_fd, c->buf + done, left, (off_t)(*(uint64_t *)arg + done));
}

static ssize_t rw_file_read(struct sb_wl_ctx *c, uint64_t off, size_t len)
{
	c->out = c->buf;
	return sb_repeat(c, len, "pread", pread_step, &off,
			    (struct sb_io){ SB_SYS_PREAD, c->src_fd, SB_FD_USER });
}

const struct sb_workload sb_wl_rw_file_read = {
	.id = "rw.file-read",
	.family = "rw",
	.summary = "pread a file into a user buffer (the copy twin of splice file->pipe)",
	.path = "file =pread=> user",
	.twin = NULL,
	.flags = SB_WL_SRC_FILE,
	.oracle = SB_ORACLE_READ,
	.op = rw_file_read,
};

static ssize_t rw_file_to_file(struct sb_wl_ctx *c, uint64_t off, size_t len)
{
	ssize_t n = sb_repeat(c, len, "pread", pread_step, &off,
				 (struct sb_io){ SB_SYS_PREAD, c->src_fd, SB_FD_USER });

	if (n < 0)
		return n;
	c->out_in_dst = true;
	return sb_repeat(c, len, "pwrite", pwrite_step, &off,
			    (struct sb_io){ SB_SYS_PWRITE, SB_FD_USER, c->dst_fd });
}

const struct sb_workload sb_wl_rw_file_to_file = {
	.id = "rw.file-to-file",
	.family = "rw",
	.summary = "pread + pwrite through a user buffer (the copy twin of the file->file paths)",
	.path = "file =pread=> user =pwrite=> file",
	.twin = NULL,
	.flags = SB_WL_SRC_FILE | SB_WL_DST_FILE,
	.oracle = SB_ORACLE_RW_FF,
	.op = rw_file_to_file,
};

static ssize_t cfr_step(struct sb_wl_ctx *c, void *arg, size_t done, size_t left)
{
	loff_t *pos = arg; /* in and out offsets are equal and move together */
	loff_t out = *pos;

	(void)done;
	return copy_file_range(c->src_fd, pos, c->dst_fd, &out, left, 0);
}

static ssize_t cfr_file_to_file(struct sb_wl_ctx *c, uint64_t off, size_t len)
{
	loff_t pos = (loff_t)off;

	c->out_in_dst = true;
	return sb_repeat(c, len, "copy_file_range", cfr_step, &pos,
			    (struct sb_io){ SB_SYS_CFR, c->src_fd, c->dst_fd });
}

const struct sb_workload sb_wl_copy_file_range_file_to_file = {
	.id = "copy-file-range.file-to-file",
	.family = "copy-file-range",
	.summary = "copy_file_range between two files on the same file system (in-kernel copy, "
		   "or extent sharing where the file system supports it)",
	.path = "file =copy_file_range=> file",
	.twin = NULL,
	.flags = SB_WL_SRC_FILE | SB_WL_DST_FILE,
	.oracle = SB_ORACLE_CFR_FF,
	.op = cfr_file_to_file,
};
