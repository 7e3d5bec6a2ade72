// SPDX-License-Identifier: MIT
/*
 * Socket workloads: files, user memory and pipes into a TCP or UDP socket,
 * and a socket into a pipe or user memory, with their copying twins. The
 * engine gives the cell a connected socket (c->sock_fd) in the run's private
 * network namespace and a peer thread at the other end (src/sockpeer.h):
 * the peer receives and checks what the send-side workloads send, and sends
 * the pattern to the receive-side ones.
 *
 * UDP: an op of @len bytes is cut into datagrams of c->dgram bytes from its
 * start (the last one may be shorter). A datagram's pieces that cross a pipe
 * refill are sent with SPLICE_F_MORE, so they stay one datagram. Receiving
 * ops take as many datagrams as the op's range holds, whichever arrive, and
 * return the bytes that arrived: losses are counted, never waited for.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sockpeer.h"
#include "workload.h"

static bool is_udp(const struct sb_wl_ctx *c)
{
	return c->sock_type == SOCK_DGRAM;
}

/* Bytes from op offset @at to the end of its datagram (or of @left). Sets *ends. */
static size_t dgram_piece(const struct sb_wl_ctx *c, size_t at, size_t left, bool *ends)
{
	size_t n = c->dgram - at % c->dgram;

	if (n > left)
		n = left;
	*ends = (at + n) % c->dgram == 0 || at + n == c->op_len;
	return n;
}

/* ------------------------------------------------------------------ sending */

struct send_args {
	int in;			/* splice: pipe read end; sendfile: source file */
	loff_t *pos;		/* sendfile: file position */
	const uint8_t *data;	/* send: the op's bytes */
	size_t base;		/* op offset of the call's first byte (datagram cuts) */
};

static ssize_t splice_sock_step(struct sb_wl_ctx *c, void *arg, size_t done, size_t left)
{
	const struct send_args *a = arg;
	unsigned int flags = c->splice_flags;
	bool ends = true;
	size_t n = left;
	ssize_t r;

	if (is_udp(c)) {
		n = dgram_piece(c, a->base + done, left, &ends);
		if (!ends)
			flags |= SPLICE_F_MORE;
	}
	do
		r = splice(a->in, NULL, c->sock_fd, NULL, n, flags);
	while (r < 0 && sb_eagain_wait(c, a->in, c->sock_fd));
	if (r == (ssize_t)n && ends && is_udp(c))
		c->dgrams++;
	return r;
}

/* The out-leg: the pipe into the socket. */
static ssize_t leg_pipe_to_sock(struct sb_wl_ctx *c, uint64_t off, size_t done, size_t len)
{
	struct send_args a = { .in = c->pfd[0], .base = done };

	(void)off;
	c->out_peer = true;
	return sb_repeat(c, len, "splice pipe->socket", splice_sock_step, &a,
			 (struct sb_io){ SB_SYS_SPLICE, c->pfd[0], c->sock_fd });
}

static ssize_t sendfile_step(struct sb_wl_ctx *c, void *arg, size_t done, size_t left)
{
	const struct send_args *a = arg;
	bool ends = true;
	size_t n = is_udp(c) ? dgram_piece(c, done, left, &ends) : left;
	ssize_t r = sendfile(c->sock_fd, a->in, a->pos, n);

	if (r == (ssize_t)n && is_udp(c))
		c->dgrams++;
	return r;
}

static ssize_t send_step(struct sb_wl_ctx *c, void *arg, size_t done, size_t left)
{
	const struct send_args *a = arg;
	bool ends = true;
	size_t n = is_udp(c) ? dgram_piece(c, done, left, &ends) : left;
	ssize_t r = send(c->sock_fd, a->data + done, n, MSG_NOSIGNAL);

	if (r == (ssize_t)n && is_udp(c))
		c->dgrams++;
	return r;
}

static ssize_t send_user(struct sb_wl_ctx *c, const uint8_t *data, size_t len)
{
	struct send_args a = { .data = data };

	c->out_peer = true;
	return sb_repeat(c, len, "send user->socket", send_step, &a,
			 (struct sb_io){ SB_SYS_SENDTO, SB_FD_USER, c->sock_fd });
}

static ssize_t file_to_socket_op(struct sb_wl_ctx *c, uint64_t off, size_t len)
{
	c->op_len = len;
	return sb_pump(c, off, len, sb_leg_splice_src, leg_pipe_to_sock);
}

static ssize_t user_to_socket_op(struct sb_wl_ctx *c, uint64_t off, size_t len)
{
	c->op_len = len;
	return sb_pump(c, off, len, sb_leg_fill_user, leg_pipe_to_sock);
}

static ssize_t sendfile_op(struct sb_wl_ctx *c, uint64_t off, size_t len)
{
	loff_t pos = (loff_t)off;
	struct send_args a = { .in = c->src_fd, .pos = &pos };

	c->op_len = len;
	c->out_peer = true;
	return sb_repeat(c, len, "sendfile file->socket", sendfile_step, &a,
			 (struct sb_io){ SB_SYS_SENDFILE, c->src_fd, c->sock_fd });
}

struct pread_args {
	uint64_t off;
};

static ssize_t pread_step(struct sb_wl_ctx *c, void *arg, size_t done, size_t left)
{
	const struct pread_args *a = arg;

	return pread(c->src_fd, c->buf + done, left, (off_t)(a->off + done));
}

static ssize_t read_send_op(struct sb_wl_ctx *c, uint64_t off, size_t len)
{
	struct pread_args a = { .off = off };
	ssize_t n;

	c->op_len = len;
	n = sb_repeat(c, len, "pread file->user", pread_step, &a,
		      (struct sb_io){ SB_SYS_PREAD, c->src_fd, SB_FD_USER });
	return n < 0 ? n : send_user(c, c->buf, len);
}

static ssize_t send_op(struct sb_wl_ctx *c, uint64_t off, size_t len)
{
	c->op_len = len;
	return send_user(c, sb_pattern_at(c->pat, off), len);
}

/* ------------------------------------------------------------------ MSG_ZEROCOPY */

static int zc_setup(struct sb_wl_ctx *c)
{
	int one = 1;

	if (setsockopt(c->sock_fd, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof(one)))
		return (int)sb_fail(c, errno == ENOPROTOOPT ? EOPNOTSUPP : errno,
				    "SO_ZEROCOPY: %s (MSG_ZEROCOPY needs Linux 4.14 for TCP, 5.0 "
				    "for UDP)",
				    strerror(errno));
	return 0;
}

/* One error-queue message: its zerocopy completion range, if that is what it is. */
static void zc_note(struct sb_wl_ctx *c, struct msghdr *msg)
{
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(msg); cm; cm = CMSG_NXTHDR(msg, cm)) {
		const struct sock_extended_err *ee = (const void *)CMSG_DATA(cm);
		uint64_t n;

		if (!((cm->cmsg_level == SOL_IP && cm->cmsg_type == IP_RECVERR) ||
		      (cm->cmsg_level == SOL_IPV6 && cm->cmsg_type == IPV6_RECVERR)) ||
		    ee->ee_errno || ee->ee_origin != SO_EE_ORIGIN_ZEROCOPY)
			continue;
		n = (uint64_t)(ee->ee_data - ee->ee_info) + 1; /* ids [ee_info, ee_data] */
		c->zc_done += n;
		if (ee->ee_code & SO_EE_CODE_ZEROCOPY_COPIED)
			c->zc_copied += n;
	}
}

int sb_zc_reap(struct sb_wl_ctx *c, bool wait)
{
	while (c->zc_done < c->zc_sends) {
		char control[256];
		struct msghdr msg = { .msg_control = control, .msg_controllen = sizeof(control) };
		struct pollfd p = { .fd = c->sock_fd, .events = 0 }; /* POLLERR always reported */

		if (recvmsg(c->sock_fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) >= 0) {
			zc_note(c, &msg);
			continue;
		}
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
		if (!wait)
			return 0;
		if (poll(&p, 1, 5000) == 0)
			return -ETIMEDOUT;
	}
	return 0;
}

static ssize_t send_zc_step(struct sb_wl_ctx *c, void *arg, size_t done, size_t left)
{
	const struct send_args *a = arg;
	bool ends = true;
	size_t n = is_udp(c) ? dgram_piece(c, done, left, &ends) : left;

	for (;;) {
		ssize_t r = send(c->sock_fd, a->data + done, n, MSG_ZEROCOPY | MSG_NOSIGNAL);

		if (r > 0) {
			c->zc_sends++;
			c->dgrams += is_udp(c) && r == (ssize_t)n;
			return r;
		}
		/* too many completions unread (optmem): read them and try again */
		if (r < 0 && errno == ENOBUFS && c->zc_done < c->zc_sends) {
			uint64_t before = c->zc_done;
			int err = sb_zc_reap(c, false);

			c->eagain++;
			if (err) {
				errno = -err;
				return -1;
			}
			if (c->zc_done == before && poll(&(struct pollfd){ c->sock_fd, 0, 0 }, 1, 100) < 0)
				return -1;
			continue;
		}
		return r;
	}
}

static ssize_t send_zc_op(struct sb_wl_ctx *c, uint64_t off, size_t len)
{
	struct send_args a = { .data = sb_pattern_at(c->pat, off) };
	ssize_t n;
	int err;

	c->op_len = len;
	c->out_peer = true;
	n = sb_repeat(c, len, "send(MSG_ZEROCOPY) user->socket", send_zc_step, &a,
		      (struct sb_io){ SB_SYS_SENDTO, SB_FD_USER, c->sock_fd });
	if (n < 0)
		return n;
	err = sb_zc_reap(c, false);
	return err ? sb_fail(c, -err, "reading MSG_ZEROCOPY completions: %s", strerror(-err)) : n;
}

/* ------------------------------------------------------------------ receiving */

static int check_udp_setup(struct sb_wl_ctx *c)
{
	if (is_udp(c) && (c->splice_flags & SPLICE_F_MORE))
		return sb_fail(c, EINVAL, "SPLICE_F_MORE would join the UDP datagrams into one "
					  "(--splice-flags more applies to tcp)");
	if (is_udp(c) && c->sink == SB_SINK_FILE)
		return sb_fail(c, EINVAL, "--sink file needs an ordered stream (tcp): a lost "
					  "datagram has no place in the file");
	return 0;
}

/* One received datagram in c->buf: identify it (and check it when verifying). */
static ssize_t took_dgram(struct sb_wl_ctx *c, size_t n, bool seen)
{
	char why[240];

	c->dgrams++;
	if (!seen)
		return (ssize_t)n;
	if (c->inject && c->verify) {
		c->buf[n > 100 ? 100 : 0] ^= 0x5a;
		c->inject = false;
	}
	if (sb_dgram_receive(c->dtrk, c->didx, c->ver, c->buf, n, c->verify, why, sizeof(why)))
		return sb_fail(c, EILSEQ, "verification failed: %s", why);
	return (ssize_t)n;
}

/* How many datagrams the schedule puts in an op of @len bytes. */
static size_t dgrams_in(const struct sb_wl_ctx *c, size_t len)
{
	return (len + c->dgram - 1) / c->dgram;
}

static ssize_t splice_udp_op(struct sb_wl_ctx *c, size_t len)
{
	bool seen = c->verify || c->sink == SB_SINK_USER;
	ssize_t got = 0;

	c->out_checked = c->verify;
	for (size_t i = 0; i < dgrams_in(c, len); i++) {
		ssize_t n = sb_splice_once(c, c->sock_fd, NULL, c->pfd[1], c->dgram,
					   "splice socket->pipe");

		if (n < 0)
			return n;
		n = seen ? sb_drain(c, c->pfd[0], c->buf, (size_t)n)
			 : sb_drain(c, c->pfd[0], NULL, (size_t)n);
		if (n >= 0)
			n = took_dgram(c, (size_t)n, seen);
		if (n < 0)
			return n;
		got += n;
	}
	return got;
}

static ssize_t leg_splice_sock(struct sb_wl_ctx *c, uint64_t off, size_t done, size_t len)
{
	(void)off;
	(void)done;
	return sb_splice_once(c, c->sock_fd, NULL, c->pfd[1], len, "splice socket->pipe");
}

static ssize_t socket_to_pipe_op(struct sb_wl_ctx *c, uint64_t off, size_t len)
{
	c->op_len = len;
	if (is_udp(c))
		return splice_udp_op(c, len);
	return sb_pump(c, off, len, leg_splice_sock,
		       c->sink == SB_SINK_FILE ? sb_leg_splice_dst : sb_leg_sink);
}

static ssize_t recv_step(struct sb_wl_ctx *c, void *arg, size_t done, size_t left)
{
	(void)arg;
	return recv(c->sock_fd, c->buf + done, left, 0);
}

static ssize_t recv_op(struct sb_wl_ctx *c, uint64_t off, size_t len)
{
	const struct sb_io io = { SB_SYS_RECVFROM, c->sock_fd, SB_FD_USER };
	ssize_t got = 0;

	(void)off;
	c->op_len = len;
	if (!is_udp(c)) {
		c->out = c->buf;
		return sb_repeat(c, len, "recv socket->user", recv_step, NULL, io);
	}
	c->out_checked = c->verify;
	for (size_t i = 0; i < dgrams_in(c, len); i++) {
		ssize_t n = recv(c->sock_fd, c->buf, c->dgram, 0);

		c->syscalls++;
		if (n < 0)
			return sb_fail(c, errno, "recv socket->user: %s", strerror(errno));
		sb_count_io(c, io, n);
		n = took_dgram(c, (size_t)n, true);
		if (n < 0)
			return n;
		got += n;
	}
	return got;
}

/* ------------------------------------------------------------------ the table */

#define SOCK_FLAGS (SB_WL_SOCKET | SB_WL_ZEROCOPY)

const struct sb_workload sb_wl_splice_file_to_socket = {
	.id = "splice.file-to-socket",
	.family = "splice",
	.summary = "splice a file into a pipe and the pipe into a TCP or UDP socket",
	.path = "file =splice=> pipe =splice=> socket",
	.twin = "rw.file-to-socket",
	.flags = SB_WL_SRC_FILE | SB_WL_PIPE | SB_WL_AX_FLAGS | SOCK_FLAGS,
	.oracle = SB_ORACLE_FILE_SOCK,
	.setup = check_udp_setup,
	.op = file_to_socket_op,
};

const struct sb_workload sb_wl_splice_socket_to_pipe = {
	.id = "splice.socket-to-pipe",
	.family = "splice",
	.summary = "splice a TCP or UDP socket into a pipe; the sink drains it (--sink, incl. file)",
	.path = "socket =splice=> pipe =splice=> /dev/null | =read=> user | =splice=> file",
	.twin = "rw.socket-read",
	.flags = SB_WL_PIPE | SB_WL_AX_SINK | SB_WL_AX_SINK_FILE | SB_WL_AX_FLAGS |
		 SB_WL_SOCK_RX | SOCK_FLAGS,
	.oracle = SB_ORACLE_SOCK_PIPE,
	.setup = check_udp_setup,
	.op = socket_to_pipe_op,
};

const struct sb_workload sb_wl_sendfile_file_to_socket = {
	.id = "sendfile.file-to-socket",
	.family = "sendfile",
	.summary = "sendfile a file into a TCP or UDP socket",
	.path = "file =sendfile=> socket",
	.twin = "rw.file-to-socket",
	.flags = SB_WL_SRC_FILE | SOCK_FLAGS,
	.oracle = SB_ORACLE_SENDFILE_SOCK,
	.op = sendfile_op,
};

const struct sb_workload sb_wl_vmsplice_user_to_socket = {
	.id = "vmsplice.user-to-socket",
	.family = "vmsplice",
	.summary = "vmsplice user pages into a pipe, splice the pipe into a TCP or UDP socket",
	.path = "user =vmsplice=> pipe =splice=> socket",
	.twin = "rw.user-to-socket",
	.flags = SB_WL_PIPE | SB_WL_AX_FLAGS | SOCK_FLAGS,
	.oracle = SB_ORACLE_USER_SOCK,
	.setup = check_udp_setup,
	.op = user_to_socket_op,
};

const struct sb_workload sb_wl_zerocopy_user_to_socket = {
	.id = "zerocopy.user-to-socket",
	.family = "zerocopy",
	.summary = "send(2) user memory with MSG_ZEROCOPY; the completions say when the kernel "
		   "copied anyway",
	.path = "user =send(MSG_ZEROCOPY)=> socket",
	.twin = "rw.user-to-socket",
	.flags = SOCK_FLAGS,
	.oracle = SB_ORACLE_NONE,
	.setup = zc_setup,
	.op = send_zc_op,
};

const struct sb_workload sb_wl_rw_file_to_socket = {
	.id = "rw.file-to-socket",
	.family = "rw",
	.summary = "copying twin: pread a file into a buffer, send(2) it to the socket",
	.path = "file =pread=> user =send=> socket",
	.flags = SB_WL_SRC_FILE | SB_WL_SOCKET,
	.oracle = SB_ORACLE_SEND_SOCK,
	.op = read_send_op,
};

const struct sb_workload sb_wl_rw_user_to_socket = {
	.id = "rw.user-to-socket",
	.family = "rw",
	.summary = "copying twin: send(2) user memory to the socket",
	.path = "user =send=> socket",
	.flags = SB_WL_SOCKET,
	.oracle = SB_ORACLE_SEND_SOCK,
	.op = send_op,
};

const struct sb_workload sb_wl_rw_socket_read = {
	.id = "rw.socket-read",
	.family = "rw",
	.summary = "copying twin: recv(2) from the socket into a buffer",
	.path = "socket =recv=> user",
	.flags = SB_WL_SOCK_RX | SB_WL_SOCKET,
	.oracle = SB_ORACLE_SOCK_USER,
	.op = recv_op,
};
