// SPDX-License-Identifier: MIT
/*
 * vmsplice(2): user pages -> pipe (with or without SPLICE_F_GIFT), and
 * pipe -> user (which copies). Both run without a file (target "pipe").
 */
#include <fcntl.h>
#include <sys/uio.h>

#include "workload.h"

const struct sb_workload sb_wl_vmsplice_user_to_pipe = {
	.id = "vmsplice.user-to-pipe",
	.family = "vmsplice",
	.summary = "vmsplice user pages into a pipe (--gift off|on), drained by the sink (--sink)",
	.path = "user =vmsplice=> pipe =splice=> /dev/null (sink devnull) | =read=> user",
	.twin = "vmsplice.pipe-to-user",
	.flags = SB_WL_PIPE | SB_WL_PIPE_ONLY | SB_WL_AX_SINK | SB_WL_AX_GIFT | SB_WL_AX_FLAGS |
		 SB_WL_ZEROCOPY,
	.oracle = SB_ORACLE_USER_PIPE,
	.in = sb_leg_fill_user,
	.out = sb_leg_sink,
};

static ssize_t vmsplice_step(struct sb_wl_ctx *c, void *arg, size_t done, size_t left)
{
	struct iovec iov = { .iov_base = (uint8_t *)arg + done, .iov_len = left };
	ssize_t n;

	do
		n = vmsplice(c->pfd[0], &iov, 1, c->splice_flags & SPLICE_F_NONBLOCK);
	while (n < 0 && sb_eagain_wait(c, c->pfd[0], -1));
	return n;
}

/* Out-leg: vmsplice the pipe back out into the user buffer (the kernel copies). */
static ssize_t leg_vmsplice_to_user(struct sb_wl_ctx *c, uint64_t off, size_t done, size_t len)
{
	(void)off;
	c->out = c->buf;
	return sb_repeat(c, len, "vmsplice pipe->user", vmsplice_step, c->buf + done,
			    (struct sb_io){ SB_SYS_VMSPLICE, c->pfd[0], SB_FD_USER });
}

const struct sb_workload sb_wl_vmsplice_pipe_to_user = {
	.id = "vmsplice.pipe-to-user",
	.family = "vmsplice",
	.summary = "fill a pipe by vmsplice of user pages, vmsplice it back out into a buffer",
	.path = "user =vmsplice=> pipe =vmsplice=> user (copy)",
	.twin = NULL,
	.flags = SB_WL_PIPE | SB_WL_PIPE_ONLY | SB_WL_AX_FLAGS,
	.oracle = SB_ORACLE_PIPE_USER,
	.in = sb_leg_fill_user,
	.out = leg_vmsplice_to_user,
};
