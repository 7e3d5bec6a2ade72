// SPDX-License-Identifier: MIT
/*
 * tee(2): duplicate pipe A into pipe B without consuming A. A is filled by
 * vmsplice of user pages; B goes to the sink, then A is emptied too. When
 * verifying, both copies are checked.
 */
#include <errno.h>
#include <fcntl.h>

#include "pattern.h"
#include "workload.h"

static ssize_t tee_step(struct sb_wl_ctx *c, void *arg, size_t done, size_t left)
{
	ssize_t n;

	(void)arg;
	(void)done;
	do
		n = tee(c->pfd[0], c->pfd2[1], left, c->splice_flags);
	while (n < 0 && sb_eagain_wait(c, c->pfd[0], c->pfd2[1]));
	return n;
}

static ssize_t leg_tee(struct sb_wl_ctx *c, uint64_t off, size_t done, size_t len)
{
	ssize_t r = sb_repeat(c, len, "tee pipe->pipe", tee_step, NULL);

	if (r < 0)
		return r;
	/* the copy in B goes to the sink (or the buffer when verifying) */
	r = sb_sink_drain(c, c->pfd2[0], done, len);
	if (r < 0)
		return r;
	/* A still holds the original: consume it, and check it when verifying */
	if (!c->verify || !c->ver)
		return sb_drain(c, c->pfd[0], NULL, len);
	r = sb_drain(c, c->pfd[0], c->buf2, len);
	if (r >= 0 && !sb_verify(c->ver, off, c->buf2, len))
		return sb_fail(c, EILSEQ, "source pipe changed by tee");
	return r;
}

const struct sb_workload sb_wl_tee_pipe_to_pipe = {
	.id = "tee.pipe-to-pipe",
	.family = "tee",
	.summary = "tee one pipe into another; both are then drained (B by the sink)",
	.path = "user =vmsplice=> pipe A =tee=> pipe B =splice=> /dev/null; A =splice=> /dev/null",
	.twin = NULL,
	.flags = SB_WL_PIPE | SB_WL_PIPE2 | SB_WL_PIPE_ONLY | SB_WL_AX_SINK | SB_WL_AX_FLAGS |
		 SB_WL_ZEROCOPY,
	.in = sb_leg_fill_user,
	.out = leg_tee,
};
