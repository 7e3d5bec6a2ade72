// SPDX-License-Identifier: MIT
/*
 * vmsplice(2): user pages -> pipe (with or without SPLICE_F_GIFT), and
 * pipe -> user (which copies). Both run without a file (target "pipe").
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/uio.h>

#include "workload.h"

static ssize_t user_to_pipe(struct sb_wl_ctx *c, uint64_t off, size_t len)
{
	const uint8_t *src = sb_pattern_at(c->pat, off);
	size_t done = 0;

	while (done < len) {
		ssize_t n = sb_fill_once(c, c->pfd[1], src + done, len - done, SB_FILL_VMSPLICE,
					 c->gift);

		if (n < 0)
			return n;
		n = sb_sink_drain(c, c->pfd[0], done, (size_t)n);
		if (n < 0)
			return n;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

const struct sb_workload sb_wl_vmsplice_user_to_pipe = {
	.id = "vmsplice.user-to-pipe",
	.family = "vmsplice",
	.summary = "vmsplice user pages into a pipe (--gift off|on), drained by the sink (--sink)",
	.path = "user =vmsplice=> pipe =splice=> /dev/null (sink devnull) | =read=> user",
	.twin = "vmsplice.pipe-to-user",
	.flags = SB_WL_PIPE | SB_WL_PIPE_ONLY | SB_WL_AX_SINK | SB_WL_AX_GIFT | SB_WL_ZEROCOPY,
	.op = user_to_pipe,
};

/* vmsplice(pipe -> user) of exactly @len bytes into @dst. */
static ssize_t vmsplice_out(struct sb_wl_ctx *c, uint8_t *dst, size_t len)
{
	size_t done = 0;

	while (done < len) {
		struct iovec iov = { .iov_base = dst + done, .iov_len = len - done };
		ssize_t n = vmsplice(c->pfd[0], &iov, 1, 0);

		c->syscalls++;
		if (n < 0)
			return sb_fail(c, errno, "vmsplice pipe->user: %s", strerror(errno));
		if (n == 0)
			return sb_fail(c, EIO, "vmsplice pipe->user returned 0 with %zu bytes left",
				       len - done);
		done += (size_t)n;
	}
	return (ssize_t)done;
}

static ssize_t pipe_to_user(struct sb_wl_ctx *c, uint64_t off, size_t len)
{
	const uint8_t *src = sb_pattern_at(c->pat, off);
	size_t done = 0;

	while (done < len) {
		ssize_t n = sb_fill_once(c, c->pfd[1], src + done, len - done, SB_FILL_VMSPLICE,
					 false);

		if (n < 0)
			return n;
		n = vmsplice_out(c, c->buf + done, (size_t)n);
		if (n < 0)
			return n;
		done += (size_t)n;
	}
	c->out = c->buf;
	return (ssize_t)done;
}

const struct sb_workload sb_wl_vmsplice_pipe_to_user = {
	.id = "vmsplice.pipe-to-user",
	.family = "vmsplice",
	.summary = "fill a pipe by vmsplice of user pages, vmsplice it back out into a buffer",
	.path = "user =vmsplice=> pipe =vmsplice=> user (copy)",
	.twin = NULL,
	.flags = SB_WL_PIPE | SB_WL_PIPE_ONLY,
	.op = pipe_to_user,
};
