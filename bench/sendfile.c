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

static ssize_t sendfile_file_to_file(struct sb_wl_ctx *c, uint64_t off, size_t len)
{
	off_t in = (off_t)off;
	size_t done = 0;

	if (c->dst_pos != (int64_t)off) {
		c->syscalls++;
		if (lseek(c->dst_fd, (off_t)off, SEEK_SET) < 0)
			return sb_fail(c, errno, "lseek destination: %s", strerror(errno));
		c->dst_pos = (int64_t)off;
	}
	while (done < len) {
		ssize_t n = sendfile(c->dst_fd, c->src_fd, &in, len - done);

		c->syscalls++;
		if (n < 0)
			return sb_fail(c, errno, "sendfile file->file: %s", strerror(errno));
		if (n == 0)
			return sb_fail(c, EIO, "sendfile returned 0 with %zu of %zu bytes left",
				       len - done, len);
		done += (size_t)n;
		c->dst_pos += n;
	}
	c->out_in_dst = true;
	return (ssize_t)done;
}

const struct sb_workload sb_wl_sendfile_file_to_file = {
	.id = "sendfile.file-to-file",
	.family = "sendfile",
	.summary = "sendfile from one file to another (splice_direct_to_actor internally)",
	.path = "file =sendfile=> file (internal pipe)",
	.twin = "rw.file-to-file",
	.flags = SB_WL_SRC_FILE | SB_WL_DST_FILE | SB_WL_ZEROCOPY,
	.op = sendfile_file_to_file,
};
