// SPDX-License-Identifier: MIT
/*
 * splice(2) workloads: file -> pipe, pipe -> file, file -> pipe -> file.
 * Every op loops "fill the empty pipe once, then empty it", so a pipe smaller
 * than the chunk (or pieces smaller than a page) never deadlocks.
 */
#include <fcntl.h>

#include "workload.h"

static ssize_t file_to_pipe(struct sb_wl_ctx *c, uint64_t off, size_t len)
{
	loff_t pos = (loff_t)off;
	size_t done = 0;

	while (done < len) {
		ssize_t n = sb_splice_once(c, c->src_fd, &pos, c->pfd[1], len - done,
					   "splice file->pipe");

		if (n < 0)
			return n;
		n = sb_sink_drain(c, c->pfd[0], done, (size_t)n);
		if (n < 0)
			return n;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

const struct sb_workload sb_wl_splice_file_to_pipe = {
	.id = "splice.file-to-pipe",
	.family = "splice",
	.summary = "splice a file into a pipe; the pipe is drained by the sink (--sink)",
	.path = "file =splice=> pipe =splice=> /dev/null (sink devnull) | =read=> user (sink user)",
	.twin = "rw.file-read",
	.flags = SB_WL_SRC_FILE | SB_WL_PIPE | SB_WL_AX_SINK | SB_WL_AX_FLAGS | SB_WL_MISALIGNED |
		 SB_WL_ZEROCOPY,
	.op = file_to_pipe,
};

static ssize_t pipe_to_file(struct sb_wl_ctx *c, uint64_t off, size_t len)
{
	const uint8_t *src = sb_pattern_at(c->pat, off);
	loff_t pos = (loff_t)off;
	size_t done = 0;

	while (done < len) {
		ssize_t n = sb_fill_once(c, c->pfd[1], src + done, len - done, c->fill, false);

		if (n < 0)
			return n;
		n = sb_splice_all(c, c->pfd[0], NULL, c->dst_fd, &pos, (size_t)n,
				  c->splice_flags & ~(unsigned int)SPLICE_F_NONBLOCK,
				  "splice pipe->file");
		if (n < 0)
			return n;
		done += (size_t)n;
	}
	c->out_in_dst = true;
	return (ssize_t)done;
}

const struct sb_workload sb_wl_splice_pipe_to_file = {
	.id = "splice.pipe-to-file",
	.family = "splice",
	.summary = "fill a pipe from user memory (--fill vmsplice|write), splice it into a file",
	.path = "user =vmsplice|write=> pipe =splice=> file",
	.twin = "rw.file-to-file",
	.flags = SB_WL_DST_FILE | SB_WL_PIPE | SB_WL_AX_FILL | SB_WL_AX_FLAGS | SB_WL_ZEROCOPY,
	.op = pipe_to_file,
};

static ssize_t file_to_file(struct sb_wl_ctx *c, uint64_t off, size_t len)
{
	loff_t in = (loff_t)off, out = (loff_t)off;
	size_t done = 0;

	while (done < len) {
		ssize_t n = sb_splice_once(c, c->src_fd, &in, c->pfd[1], len - done,
					   "splice file->pipe");

		if (n < 0)
			return n;
		n = sb_splice_all(c, c->pfd[0], NULL, c->dst_fd, &out, (size_t)n,
				  c->splice_flags & ~(unsigned int)SPLICE_F_NONBLOCK,
				  "splice pipe->file");
		if (n < 0)
			return n;
		done += (size_t)n;
	}
	c->out_in_dst = true;
	return (ssize_t)done;
}

const struct sb_workload sb_wl_splice_file_to_file = {
	.id = "splice.file-to-file",
	.family = "splice",
	.summary = "copy a file through a pipe with two splices (the cp path)",
	.path = "file =splice=> pipe =splice=> file",
	.twin = "rw.file-to-file",
	.flags = SB_WL_SRC_FILE | SB_WL_DST_FILE | SB_WL_PIPE | SB_WL_AX_FLAGS | SB_WL_ZEROCOPY,
	.op = file_to_file,
};
