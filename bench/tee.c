// SPDX-License-Identifier: MIT
/*
 * tee(2): duplicate pipe A into pipe B without consuming A. A is filled by
 * vmsplice of user pages; B goes to the sink, then A is emptied too. When
 * verifying, both copies are checked.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "pattern.h"
#include "workload.h"

static ssize_t tee_all(struct sb_wl_ctx *c, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = tee(c->pfd[0], c->pfd2[1], len - done,
				c->splice_flags & ~(unsigned int)SPLICE_F_NONBLOCK);

		c->syscalls++;
		if (n < 0)
			return sb_fail(c, errno, "tee pipe->pipe: %s", strerror(errno));
		if (n == 0)
			return sb_fail(c, EIO, "tee returned 0 with %zu bytes left", len - done);
		done += (size_t)n;
	}
	return (ssize_t)done;
}

static ssize_t tee_pipe_to_pipe(struct sb_wl_ctx *c, uint64_t off, size_t len)
{
	const uint8_t *src = sb_pattern_at(c->pat, off);
	size_t done = 0;

	while (done < len) {
		ssize_t n = sb_fill_once(c, c->pfd[1], src + done, len - done, SB_FILL_VMSPLICE,
					 false), r;

		if (n < 0)
			return n;
		r = tee_all(c, (size_t)n);
		if (r < 0)
			return r;
		/* the copy in B goes to the sink (or the buffer when verifying) */
		r = sb_sink_drain(c, c->pfd2[0], done, (size_t)n);
		if (r < 0)
			return r;
		/* A still holds the original: consume it, and check it when verifying */
		if (c->verify && c->ver) {
			r = sb_drain(c, c->pfd[0], c->buf2, (size_t)n);
			if (r >= 0 && !sb_verify(c->ver, off + done, c->buf2, (size_t)n))
				return sb_fail(c, EILSEQ, "source pipe changed by tee");
		} else {
			r = sb_drain(c, c->pfd[0], NULL, (size_t)n);
		}
		if (r < 0)
			return r;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

const struct sb_workload sb_wl_tee_pipe_to_pipe = {
	.id = "tee.pipe-to-pipe",
	.family = "tee",
	.summary = "tee one pipe into another; both are then drained (B by the sink)",
	.path = "user =vmsplice=> pipe A =tee=> pipe B =splice=> /dev/null; A =splice=> /dev/null",
	.twin = NULL,
	.flags = SB_WL_PIPE | SB_WL_PIPE2 | SB_WL_PIPE_ONLY | SB_WL_AX_SINK | SB_WL_ZEROCOPY,
	.op = tee_pipe_to_pipe,
};
