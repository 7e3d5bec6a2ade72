// SPDX-License-Identifier: MIT
/*
 * The copying twins: read/write through a user buffer, and copy_file_range.
 * They move the same bytes as the zero-copy paths, so every zero-copy path
 * has a baseline measured in the same run.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "workload.h"

static ssize_t pread_all(struct sb_wl_ctx *c, uint8_t *dst, size_t len, uint64_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(c->src_fd, dst + done, len - done, (off_t)(off + done));

		c->syscalls++;
		if (n < 0)
			return sb_fail(c, errno, "pread: %s", strerror(errno));
		if (n == 0)
			return sb_fail(c, EIO, "pread returned 0 (end of file) with %zu bytes left",
				       len - done);
		done += (size_t)n;
	}
	return (ssize_t)done;
}

static ssize_t rw_file_read(struct sb_wl_ctx *c, uint64_t off, size_t len)
{
	ssize_t n = pread_all(c, c->buf, len, off);

	c->out = c->buf;
	return n;
}

const struct sb_workload sb_wl_rw_file_read = {
	.id = "rw.file-read",
	.family = "rw",
	.summary = "pread a file into a user buffer (the copy twin of splice file->pipe)",
	.path = "file =pread=> user",
	.twin = NULL,
	.flags = SB_WL_SRC_FILE,
	.op = rw_file_read,
};

static ssize_t rw_file_to_file(struct sb_wl_ctx *c, uint64_t off, size_t len)
{
	ssize_t n = pread_all(c, c->buf, len, off);
	size_t done = 0;

	if (n < 0)
		return n;
	while (done < len) {
		n = pwrite(c->dst_fd, c->buf + done, len - done, (off_t)(off + done));
		c->syscalls++;
		if (n < 0)
			return sb_fail(c, errno, "pwrite: %s", strerror(errno));
		if (n == 0)
			return sb_fail(c, EIO, "pwrite returned 0 with %zu bytes left", len - done);
		done += (size_t)n;
	}
	c->out_in_dst = true;
	return (ssize_t)done;
}

const struct sb_workload sb_wl_rw_file_to_file = {
	.id = "rw.file-to-file",
	.family = "rw",
	.summary = "pread + pwrite through a user buffer (the copy twin of the file->file paths)",
	.path = "file =pread=> user =pwrite=> file",
	.twin = NULL,
	.flags = SB_WL_SRC_FILE | SB_WL_DST_FILE,
	.op = rw_file_to_file,
};

static ssize_t cfr_file_to_file(struct sb_wl_ctx *c, uint64_t off, size_t len)
{
	loff_t in = (loff_t)off, out = (loff_t)off;
	size_t done = 0;

	while (done < len) {
		ssize_t n = copy_file_range(c->src_fd, &in, c->dst_fd, &out, len - done, 0);

		c->syscalls++;
		if (n < 0)
			return sb_fail(c, errno, "copy_file_range: %s", strerror(errno));
		if (n == 0)
			return sb_fail(c, EIO, "copy_file_range returned 0 with %zu bytes left",
				       len - done);
		done += (size_t)n;
	}
	c->out_in_dst = true;
	return (ssize_t)done;
}

const struct sb_workload sb_wl_copy_file_range_file_to_file = {
	.id = "copy-file-range.file-to-file",
	.family = "copy-file-range",
	.summary = "copy_file_range between two files on the same file system (in-kernel copy, "
		   "or extent sharing where the file system supports it)",
	.path = "file =copy_file_range=> file",
	.twin = NULL,
	.flags = SB_WL_SRC_FILE | SB_WL_DST_FILE,
	.op = cfr_file_to_file,
};
