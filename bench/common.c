// SPDX-License-Identifier: MIT
/*
 * Helpers shared by the workload drivers.
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

/* Wait for @fd to become ready after EAGAIN; counts the retry. */
static int wait_ready(struct sb_wl_ctx *c, int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };

	c->eagain++;
	c->syscalls++;
	if (poll(&p, 1, 10000) < 0)
		return -errno;
	return 0;
}

static ssize_t fail_errno(struct sb_wl_ctx *c, const char *what, int err)
{
	return sb_fail(c, err, "%s: %s", what, strerror(err));
}

ssize_t sb_splice_all(struct sb_wl_ctx *c, int in, loff_t *in_off, int out, loff_t *out_off,
		      size_t len, unsigned int flags, const char *what)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = splice(in, in_off, out, out_off, len - done, flags);

		c->syscalls++;
		if (n < 0) {
			int err = errno;

			if (err == EAGAIN && (flags & SPLICE_F_NONBLOCK)) {
				/* whichever end is not ready: poll both */
				struct pollfd p[2] = { { .fd = in, .events = POLLIN },
						       { .fd = out, .events = POLLOUT } };

				c->eagain++;
				c->syscalls++;
				if (poll(p, 2, 10000) < 0)
					return fail_errno(c, "poll", errno);
				continue;
			}
			return fail_errno(c, what, err);
		}
		if (n == 0)
			return sb_fail(c, EIO, "%s returned 0 with %zu of %zu bytes left", what,
				       len - done, len);
		done += (size_t)n;
	}
	return (ssize_t)done;
}

ssize_t sb_drain(struct sb_wl_ctx *c, int rfd, uint8_t *dst, size_t len)
{
	size_t done = 0;

	if (!dst)
		return sb_splice_all(c, rfd, NULL, c->null_fd, NULL, len,
				     c->splice_flags & ~SPLICE_F_NONBLOCK, "splice pipe->/dev/null");
	while (done < len) {
		ssize_t n = read(rfd, dst + done, len - done);

		c->syscalls++;
		if (n < 0) {
			if (errno == EAGAIN && !wait_ready(c, rfd, POLLIN))
				continue;
			return fail_errno(c, "read from pipe", errno);
		}
		if (n == 0)
			return sb_fail(c, EIO, "read from pipe returned 0 with %zu bytes left",
				       len - done);
		done += (size_t)n;
	}
	return (ssize_t)done;
}

ssize_t sb_fill_once(struct sb_wl_ctx *c, int wfd, const uint8_t *src, size_t len,
		     enum sb_fill how, bool gift)
{
	if (len > c->pipe_bytes)
		len = c->pipe_bytes; /* a blocking write() of more would wait for a reader */
	for (;;) {
		ssize_t n;

		if (how == SB_FILL_VMSPLICE) {
			struct iovec iov = { .iov_base = (void *)src, .iov_len = len };

			n = vmsplice(wfd, &iov, 1, gift ? SPLICE_F_GIFT : 0);
		} else {
			n = write(wfd, src, len);
		}
		c->syscalls++;
		if (n > 0)
			return n;
		if (n < 0 && errno == EAGAIN && !wait_ready(c, wfd, POLLOUT))
			continue;
		if (n == 0)
			return sb_fail(c, EIO, "filling the pipe returned 0 for %zu bytes", len);
		return fail_errno(c, how == SB_FILL_VMSPLICE ? "vmsplice user->pipe" : "write to pipe",
				  errno);
	}
}

ssize_t sb_splice_once(struct sb_wl_ctx *c, int in, loff_t *in_off, int out, size_t len,
		       const char *what)
{
	if (len > c->pipe_bytes)
		len = c->pipe_bytes;
	for (;;) {
		ssize_t n = splice(in, in_off, out, NULL, len, c->splice_flags);

		c->syscalls++;
		if (n > 0)
			return n;
		if (n < 0 && errno == EAGAIN && !wait_ready(c, out, POLLOUT))
			continue;
		if (n == 0)
			return sb_fail(c, EIO, "%s returned 0 (end of file) with %zu bytes expected",
				       what, len);
		return fail_errno(c, what, errno);
	}
}

ssize_t sb_sink_drain(struct sb_wl_ctx *c, int rfd, size_t done, size_t len)
{
	if (c->verify || c->sink == SB_SINK_USER) {
		c->out = c->buf;
		return sb_drain(c, rfd, c->buf + done, len);
	}
	return sb_drain(c, rfd, NULL, len);
}
