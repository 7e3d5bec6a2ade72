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

/*
 * Out-leg: tee all of pipe A into the empty pipe B with one call (tee always
 * starts at A's head, so a retry after a short tee would duplicate bytes; B
 * has A's capacity, so a short tee is an error), drain B to the sink, then
 * consume A, checking it when verifying.
 */
static ssize_t leg_tee(struct sb_wl_ctx *c, uint64_t off, size_t done, size_t len)
{
	char msg[256];
	ssize_t r;

	do
		r = tee(c->pfd[0], c->pfd2[1], len, c->splice_flags);
	while (r < 0 && sb_eagain_wait(c, c->pfd[0], c->pfd2[1]));
	c->syscalls++;
	if (r < 0)
		return sb_fail(c, errno, "tee pipe->pipe: %s", strerror(errno));
	sb_count_io(c, (struct sb_io){ SB_SYS_TEE, c->pfd[0], c->pfd2[1] }, r);
	if ((size_t)r != len)
		return sb_fail(c, EIO, "tee duplicated %zd of %zu bytes", r, len);
	r = sb_sink_drain(c, c->pfd2[0], done, len);
	if (r < 0)
		return r;
	if (!c->verify || !c->ver)
		return sb_drain(c, c->pfd[0], NULL, len);
	r = sb_drain(c, c->pfd[0], c->buf2, len);
	if (r >= 0) {
		uint64_t t0 = sb_now_ns();
		bool ok = sb_verify(c->ver, off, c->buf2, len);

		c->check_ns += sb_now_ns() - t0;
		if (!ok) {
			sb_mismatch_format(&c->ver->mm, msg, sizeof(msg));
			return sb_fail(c, EILSEQ, "source pipe after tee: %s", msg);
		}
	}
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
	.oracle = SB_ORACLE_TEE,
	.in = sb_leg_fill_user,
	.out = leg_tee,
};
