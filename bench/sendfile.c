// SPDX-License-Identifier: MIT
/*
 * sendfile(2) file -> file. sendfile writes at the destination's file
 * position, so the position is moved only when the stream wraps.
 */
#include <errno.h>
#include <string.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include "workload.h"

static ssize_t sendfile_step(struct sb_wl_ctx *c, void *arg, size_t done, size_t left)
{
	ssize_t n;

	(void)done;
	n = sendfile(c->dst_fd, c->src_fd, (off_t *)arg, left);
	if (n > 0)
		c->dst_pos += n;
	return n;
}

static ssize_t sendfile_file_to_file(struct sb_wl_ctx *c, uint64_t off, size_t len)
{
	off_t in = (off_t)off;

	if (c->dst_pos != (int64_t)off) {
		c->syscalls++;
		if (lseek(c->dst_fd, (off_t)off, SEEK_SET) < 0)
			return sb_fail(c, errno, "lseek destination: %s", strerror(errno));
		c->dst_pos = (int64_t)off;
	}
	c->out_in_dst = true;
	return sb_repeat(c, len, "sendfile file->file", sendfile_step, &in,
			    (struct sb_io){ SB_SYS_SENDFILE, c->src_fd, c->dst_fd });
}

const struct sb_workload sb_wl_sendfile_file_to_file = {
	.id = "sendfile.file-to-file",
	.family = "sendfile",
	.summary = "sendfile from one file to another (splice_direct_to_actor internally)",
	.path = "file =sendfile=> file (internal pipe)",
	.twin = "rw.file-to-file",
	.flags = SB_WL_SRC_FILE | SB_WL_DST_FILE | SB_WL_ZEROCOPY,
	.oracle = SB_ORACLE_SENDFILE_FF,
	.op = sendfile_file_to_file,
};
