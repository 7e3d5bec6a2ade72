// SPDX-License-Identifier: MIT
/*
 * Helpers shared by the workload drivers: the repeat loop, the pipe pump and
 * the legs several paths share.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "workload.h"

ssize_t sb_fail(struct sb_wl_ctx *c, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->why, sizeof(c->why), fmt, ap);
	va_end(ap);
	return -err;
}

unsigned int sb_fd_role(const struct sb_wl_ctx *c, int fd)
{
	if (fd == SB_FD_USER)
		return SB_ROLE_USER;
	if (fd < 0)
		return SB_ROLE_OTHER;
	if (fd == c->src_fd)
		return SB_ROLE_SRC;
	if (fd == c->dst_fd)
		return SB_ROLE_DST;
	if (fd == c->pfd[1])
		return SB_ROLE_PIPE_W;
	if (fd == c->pfd[0])
		return SB_ROLE_PIPE_R;
	if (fd == c->pfd2[1])
		return SB_ROLE_PIPE2_W;
	if (fd == c->pfd2[0])
		return SB_ROLE_PIPE2_R;
	if (fd == c->null_fd)
		return SB_ROLE_NULL;
	if (fd == c->sock_fd)
		return SB_ROLE_SOCK;
	return SB_ROLE_OTHER;
}

void sb_count_io(struct sb_wl_ctx *c, struct sb_io io, ssize_t n)
{
	if (n > 0)
		c->eagain_since = 0; /* progress */
	if (n > 0 && io.sys < SB_NR_SYS)
		c->io[SB_SYS_SLOT(io.sys, sb_fd_role(c, io.from), sb_fd_role(c, io.to))] +=
			(uint64_t)n;
}

ssize_t sb_repeat(struct sb_wl_ctx *c, size_t len, const char *what, sb_step_fn step, void *arg,
		  struct sb_io io)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = step(c, arg, done, len - done);

		c->syscalls++;
		if (n < 0)
			return sb_fail(c, errno, "%s: %s", what, strerror(errno));
		if (n == 0)
			return sb_fail(c, EIO, "%s returned 0 with %zu of %zu bytes left", what,
				       len - done, len);
		sb_count_io(c, io, n);
		done += (size_t)n;
	}
	return (ssize_t)done;
}

ssize_t sb_pump(struct sb_wl_ctx *c, uint64_t off, size_t len, sb_leg_fn in, sb_leg_fn out)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = in(c, off + done, done, len - done);

		if (n < 0)
			return n;
		n = out(c, off + done, done, (size_t)n);
		if (n < 0)
			return n;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

ssize_t sb_workload_op(const struct sb_workload *w, struct sb_wl_ctx *c, uint64_t off, size_t len)
{
	return w->op ? w->op(c, off, len) : sb_pump(c, off, len, w->in, w->out);
}

bool sb_eagain_wait(struct sb_wl_ctx *c, int in, int out)
{
	struct pollfd p[2] = { { .fd = in, .events = POLLIN }, { .fd = out, .events = POLLOUT } };

	uint64_t now = sb_now_ns();

	if (errno != EAGAIN || !(c->splice_flags & SPLICE_F_NONBLOCK))
		return false;
	/*
	 * A socket's timeout also says EAGAIN, and the pipe beside it is always
	 * ready: without progress for 10 s the other side is gone.
	 */
	if (!c->eagain_since) {
		c->eagain_since = now;
	} else if (now - c->eagain_since > 10 * SB_NSEC_PER_SEC) {
		errno = ETIMEDOUT;
		return false;
	}
	c->eagain++;
	c->syscalls += 2; /* the call that said EAGAIN and the poll */
	switch (poll(p, 2, 10000)) {
	case -1:
		return false;
	case 0:
		errno = ETIMEDOUT; /* nothing moved for 10 s: the other side is gone */
		return false;
	default:
		return true;
	}
}

struct splice_args {
	int in, out;
	loff_t *in_off, *out_off;
};

static ssize_t splice_step(struct sb_wl_ctx *c, void *arg, size_t done, size_t left)
{
	const struct splice_args *a = arg;
	ssize_t n;

	(void)done;
	do
		n = splice(a->in, a->in_off, a->out, a->out_off, left, c->splice_flags);
	while (n < 0 && sb_eagain_wait(c, a->in, a->out));
	return n;
}

ssize_t sb_splice_all(struct sb_wl_ctx *c, int in, loff_t *in_off, int out, loff_t *out_off,
		      size_t len, const char *what)
{
	struct splice_args a = { .in = in, .out = out, .in_off = in_off, .out_off = out_off };

	return sb_repeat(c, len, what, splice_step, &a,
			    (struct sb_io){ SB_SYS_SPLICE, in, out });
}

ssize_t sb_splice_once(struct sb_wl_ctx *c, int in, loff_t *in_off, int out, size_t len,
		       const char *what)
{
	if (len > c->pipe_bytes)
		len = c->pipe_bytes;
	for (;;) {
		ssize_t n = splice(in, in_off, out, NULL, len, c->splice_flags);

		if (n > 0) {
			c->syscalls++;
			sb_count_io(c, (struct sb_io){ SB_SYS_SPLICE, in, out }, n);
			return n;
		}
		if (n == 0)
			return sb_fail(c, EIO, "%s returned 0 (end of file) with %zu bytes expected",
				       what, len);
		if (!sb_eagain_wait(c, in, out))
			return sb_fail(c, errno, "%s: %s", what, strerror(errno));
	}
}

struct read_args {
	int fd;
	uint8_t *dst;
};

static ssize_t read_step(struct sb_wl_ctx *c, void *arg, size_t done, size_t left)
{
	const struct read_args *a = arg;

	(void)c;
	return read(a->fd, a->dst + done, left);
}

ssize_t sb_drain(struct sb_wl_ctx *c, int rfd, uint8_t *dst, size_t len)
{
	struct read_args a = { .fd = rfd, .dst = dst };

	if (!dst)
		return sb_splice_all(c, rfd, NULL, c->null_fd, NULL, len, "splice pipe->/dev/null");
	return sb_repeat(c, len, "read from pipe", read_step, &a,
			    (struct sb_io){ SB_SYS_READ, rfd, SB_FD_USER });
}

/* ---------------------------------------------------------------- shared legs */

ssize_t sb_leg_splice_src(struct sb_wl_ctx *c, uint64_t off, size_t done, size_t len)
{
	loff_t pos = (loff_t)off;

	(void)done;
	return sb_splice_once(c, c->src_fd, &pos, c->pfd[1], len, "splice file->pipe");
}

/* User pages of the pattern into the pipe: vmsplice (with SPLICE_F_GIFT when asked) or write. */
ssize_t sb_leg_fill_user(struct sb_wl_ctx *c, uint64_t off, size_t done, size_t len)
{
	const uint8_t *src = sb_pattern_at(c->pat, off);
	unsigned int flags = (c->gift ? SPLICE_F_GIFT : 0) | (c->splice_flags & SPLICE_F_NONBLOCK);
	ssize_t n;

	(void)done;
	if (len > c->pipe_bytes)
		len = c->pipe_bytes; /* a blocking write() of more would wait for a reader */
	do {
		if (c->fill == SB_FILL_VMSPLICE) {
			struct iovec iov = { .iov_base = (void *)src, .iov_len = len };

			n = vmsplice(c->pfd[1], &iov, 1, flags);
		} else {
			n = write(c->pfd[1], src, len);
		}
	} while (n < 0 && sb_eagain_wait(c, -1, c->pfd[1]));
	c->syscalls++;
	if (n > 0) {
		sb_count_io(c,
			    (struct sb_io){ c->fill == SB_FILL_VMSPLICE ? SB_SYS_VMSPLICE
									: SB_SYS_WRITE,
					    SB_FD_USER, c->pfd[1] },
			    n);
		return n;
	}
	if (n == 0)
		return sb_fail(c, EIO, "filling the pipe returned 0 for %zu bytes", len);
	return sb_fail(c, errno, "%s: %s",
		       c->fill == SB_FILL_VMSPLICE ? "vmsplice user->pipe" : "write to pipe",
		       strerror(errno));
}

ssize_t sb_sink_drain(struct sb_wl_ctx *c, int rfd, size_t done, size_t len)
{
	if (c->verify || c->sink == SB_SINK_USER) {
		c->out = c->buf;
		return sb_drain(c, rfd, c->buf + done, len);
	}
	return sb_drain(c, rfd, NULL, len);
}

ssize_t sb_leg_sink(struct sb_wl_ctx *c, uint64_t off, size_t done, size_t len)
{
	(void)off;
	return sb_sink_drain(c, c->pfd[0], done, len);
}

ssize_t sb_leg_splice_dst(struct sb_wl_ctx *c, uint64_t off, size_t done, size_t len)
{
	loff_t pos = (loff_t)off;

	(void)done;
	c->out_in_dst = true;
	return sb_splice_all(c, c->pfd[0], NULL, c->dst_fd, &pos, len, "splice pipe->file");
}
