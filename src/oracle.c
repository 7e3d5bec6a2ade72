// SPDX-License-Identifier: MIT
/*
 * The aliasing oracle: one page of 0xa5 goes along the path, then the source
 * becomes 0x5a, then we look at the destination.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <unistd.h>

#include "netns.h"
#include "oracle.h"

#define PAGE 4096
#define OLD 0xa5
#define NEW 0x5a

struct lab {
	const struct sb_oracle_env *env;
	struct sb_oracle *out;
	char src[PATH_MAX];
	char dst[PATH_MAX];
	uint8_t *x;   /* the source page in user memory */
	uint8_t *got; /* what arrived */
	int pa[2], pb[2];
	int tx, rx;   /* the socket experiments' connected pair */
	int fds[6];
	size_t nfds;
};

const char *sb_oracle_result_name(enum sb_oracle_result r)
{
	switch (r) {
	case SB_ORACLE_BY_REFERENCE:
		return "by_reference";
	case SB_ORACLE_NOT_BY_REFERENCE:
		return "not_by_reference";
	case SB_ORACLE_INCONCLUSIVE:
		return "inconclusive";
	case SB_ORACLE_ERROR:
		return "error";
	default:
		return "not_applicable";
	}
}

const char *sb_oracle_leg(enum sb_oracle_kind kind)
{
	switch (kind) {
	case SB_ORACLE_FILE_PIPE:
		return "splice file->pipe";
	case SB_ORACLE_USER_PIPE:
		return "vmsplice user->pipe";
	case SB_ORACLE_TEE:
		return "tee pipe->pipe";
	case SB_ORACLE_PIPE_USER:
		return "vmsplice pipe->user";
	case SB_ORACLE_PIPE_FILE:
		return "splice pipe->file";
	case SB_ORACLE_SPLICE_FF:
		return "splice file->pipe->file";
	case SB_ORACLE_SENDFILE_FF:
		return "sendfile file->file";
	case SB_ORACLE_CFR_FF:
		return "copy_file_range file->file";
	case SB_ORACLE_RW_FF:
		return "pread+pwrite file->file";
	case SB_ORACLE_READ:
		return "pread file->user";
	case SB_ORACLE_FILE_SOCK:
		return "splice file->pipe->socket";
	case SB_ORACLE_SENDFILE_SOCK:
		return "sendfile file->socket";
	case SB_ORACLE_USER_SOCK:
		return "vmsplice+splice user->pipe->socket";
	case SB_ORACLE_SEND_SOCK:
		return "send user->socket";
	case SB_ORACLE_SOCK_PIPE:
		return "splice socket->pipe";
	case SB_ORACLE_SOCK_USER:
		return "recv socket->user";
	default:
		return "-";
	}
}

static int fail(struct lab *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct lab *l, const char *fmt, ...)
{
	int err = errno;
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(l->out->evidence, sizeof(l->out->evidence), fmt, ap);
	va_end(ap);
	n = strlen(l->out->evidence);
	if (err)
		snprintf(l->out->evidence + n, sizeof(l->out->evidence) - n, ": %s", strerror(err));
	l->out->result = SB_ORACLE_ERROR;
	return -1;
}

static int track(struct lab *l, int fd)
{
	if (fd >= 0 && l->nfds < SB_ARRAY_SIZE(l->fds))
		l->fds[l->nfds++] = fd;
	return fd;
}

static int full_io(int fd, uint8_t *buf, bool write)
{
	ssize_t n = write ? pwrite(fd, buf, PAGE, 0) : pread(fd, buf, PAGE, 0);

	if (n == PAGE)
		return 0;
	if (n >= 0)
		errno = EIO;
	return -1;
}

/* The source file: two pages of OLD, on disk (so O_DIRECT reads see it). */
static int make_src(struct lab *l)
{
	int fd;

	snprintf(l->src, sizeof(l->src), "%s/oracle-src.dat", l->env->dir);
	memset(l->x, OLD, PAGE);
	fd = open(l->src, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return fail(l, "create %s", l->src);
	if (full_io(fd, l->x, true) || pwrite(fd, l->x, PAGE, PAGE) != PAGE || fsync(fd)) {
		close(fd);
		return fail(l, "write %s", l->src);
	}
	close(fd);
	return 0;
}

static int open_src(struct lab *l)
{
	int fd = track(l, open(l->src, O_RDONLY | O_CLOEXEC | (l->env->src_direct ? O_DIRECT : 0)));

	return fd < 0 ? fail(l, "open %s%s", l->src, l->env->src_direct ? " O_DIRECT" : "") : fd;
}

static int open_dst(struct lab *l)
{
	int fd;

	snprintf(l->dst, sizeof(l->dst), "%s/oracle-dst.dat", l->env->dir);
	fd = track(l, open(l->dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
					  (l->env->dst_direct ? O_DIRECT : 0),
			   0600));
	return fd < 0 ? fail(l, "create %s%s", l->dst, l->env->dst_direct ? " O_DIRECT" : "") : fd;
}

/* Overwrite the source file's first page with NEW through the page cache. */
static int change_src(struct lab *l)
{
	int fd = open(l->src, O_WRONLY | O_CLOEXEC);
	uint8_t page[PAGE];

	memset(page, NEW, sizeof(page));
	if (fd < 0 || full_io(fd, page, true)) {
		if (fd >= 0)
			close(fd);
		return fail(l, "rewrite %s", l->src);
	}
	close(fd);
	return 0;
}

static int read_dst(struct lab *l)
{
	int fd = open(l->dst, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || full_io(fd, l->got, false)) {
		if (fd >= 0)
			close(fd);
		return fail(l, "read back %s", l->dst);
	}
	close(fd);
	return 0;
}

static int read_pipe(struct lab *l, int rfd)
{
	size_t done = 0;

	while (done < PAGE) {
		ssize_t n = read(rfd, l->got + done, PAGE - done);

		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return fail(l, "read the pipe");
		}
		done += (size_t)n;
	}
	return 0;
}

static void verdict(struct lab *l, const char *what, const char *whereto, const char *change)
{
	size_t nold = 0, nnew = 0;

	for (size_t i = 0; i < PAGE; i++) {
		nold += l->got[i] == OLD;
		nnew += l->got[i] == NEW;
	}
	if (nnew == PAGE) {
		l->out->result = SB_ORACLE_BY_REFERENCE;
		snprintf(l->out->evidence, sizeof(l->out->evidence),
			 "%s 4096 bytes of 0x%02x, then %s 0x%02x: %s delivered 0x%02x, so it "
			 "held the source page itself",
			 what, OLD, change, NEW, whereto, NEW);
	} else if (nold == PAGE) {
		l->out->result = SB_ORACLE_NOT_BY_REFERENCE;
		snprintf(l->out->evidence, sizeof(l->out->evidence),
			 "%s 4096 bytes of 0x%02x, then %s 0x%02x: %s still delivered 0x%02x, so it "
			 "held a copy (or pages filled by DMA, or copy-on-write shared blocks)",
			 what, OLD, change, NEW, whereto, OLD);
	} else {
		l->out->result = SB_ORACLE_INCONCLUSIVE;
		snprintf(l->out->evidence, sizeof(l->out->evidence),
			 "%s 4096 bytes of 0x%02x, then %s 0x%02x: %s delivered %zu old, %zu new and "
			 "%zu other bytes",
			 what, OLD, change, NEW, whereto, nold, nnew, PAGE - nold - nnew);
	}
}

static ssize_t vmsplice_page(int fd, uint8_t *buf, unsigned int flags)
{
	struct iovec iov = { .iov_base = buf, .iov_len = PAGE };

	return vmsplice(fd, &iov, 1, flags);
}

static int file_to_pipe(struct lab *l)
{
	loff_t off = 0;
	int fd;

	if (make_src(l) || (fd = open_src(l)) < 0)
		return -1;
	if (splice(fd, &off, l->pa[1], NULL, PAGE, 0) != PAGE)
		return fail(l, "splice file->pipe");
	if (change_src(l) || read_pipe(l, l->pa[0]))
		return -1;
	verdict(l, "spliced from the file into a pipe", "the pipe",
		"overwrote the file's page with");
	return 0;
}

static int user_to_pipe(struct lab *l)
{
	memset(l->x, OLD, PAGE);
	if (vmsplice_page(l->pa[1], l->x, l->env->gift ? SPLICE_F_GIFT : 0) != PAGE)
		return fail(l, "vmsplice user->pipe");
	memset(l->x, NEW, PAGE);
	if (read_pipe(l, l->pa[0]))
		return -1;
	verdict(l, "vmspliced from a user buffer into a pipe", "the pipe",
		"filled the user buffer with");
	return 0;
}

static int tee_pipes(struct lab *l)
{
	memset(l->x, OLD, PAGE);
	if (vmsplice_page(l->pa[1], l->x, 0) != PAGE)
		return fail(l, "vmsplice user->pipe");
	if (tee(l->pa[0], l->pb[1], PAGE, 0) != PAGE)
		return fail(l, "tee");
	memset(l->x, NEW, PAGE);
	if (read_pipe(l, l->pb[0]))
		return -1;
	verdict(l, "vmspliced from a user buffer into pipe A, teed A into pipe B:",
		"pipe B", "filled the user buffer with");
	return 0;
}

static int pipe_to_user(struct lab *l)
{
	struct iovec iov = { .iov_base = l->got, .iov_len = PAGE };

	memset(l->x, OLD, PAGE);
	if (vmsplice_page(l->pa[1], l->x, 0) != PAGE)
		return fail(l, "vmsplice user->pipe");
	if (vmsplice(l->pa[0], &iov, 1, 0) != PAGE)
		return fail(l, "vmsplice pipe->user");
	memset(l->x, NEW, PAGE);
	verdict(l, "vmspliced from a user buffer into a pipe and out into another buffer",
		"the other buffer", "filled the first buffer with");
	return 0;
}

static int pipe_to_file(struct lab *l)
{
	loff_t off = 0;
	int fd = open_dst(l);

	if (fd < 0)
		return -1;
	memset(l->x, OLD, PAGE);
	if (vmsplice_page(l->pa[1], l->x, 0) != PAGE)
		return fail(l, "vmsplice user->pipe");
	if (splice(l->pa[0], NULL, fd, &off, PAGE, 0) != PAGE)
		return fail(l, "splice pipe->file");
	memset(l->x, NEW, PAGE);
	if (read_dst(l))
		return -1;
	verdict(l, "vmspliced from a user buffer into a pipe and spliced into a file",
		"the file", "filled the user buffer with");
	return 0;
}

/* file -> file by @kind; then change the source file and read the destination */
static int file_to_file(struct lab *l, enum sb_oracle_kind kind)
{
	loff_t in = 0, out = 0;
	off_t soff = 0;
	int s, d;
	ssize_t n = -1;

	if (make_src(l) || (s = open_src(l)) < 0 || (d = open_dst(l)) < 0)
		return -1;
	switch (kind) {
	case SB_ORACLE_SPLICE_FF:
		if (splice(s, &in, l->pa[1], NULL, PAGE, 0) == PAGE)
			n = splice(l->pa[0], NULL, d, &out, PAGE, 0);
		break;
	case SB_ORACLE_SENDFILE_FF:
		n = sendfile(d, s, &soff, PAGE);
		break;
	case SB_ORACLE_CFR_FF:
		n = copy_file_range(s, &in, d, &out, PAGE, 0);
		break;
	default: /* pread + pwrite */
		n = pread(s, l->got, PAGE, 0) == PAGE ? pwrite(d, l->got, PAGE, 0) : -1;
		break;
	}
	if (n != PAGE)
		return fail(l, "%s", sb_oracle_leg(kind));
	if (change_src(l) || read_dst(l))
		return -1;
	verdict(l, "moved from the source file to the destination file:", "the destination",
		"overwrote the source file's page with");
	return 0;
}

static int read_file(struct lab *l)
{
	int fd;

	if (make_src(l) || (fd = open_src(l)) < 0)
		return -1;
	if (full_io(fd, l->got, false))
		return fail(l, "pread");
	if (change_src(l))
		return -1;
	verdict(l, "pread from the file into a buffer", "the buffer",
		"overwrote the file's page with");
	return 0;
}

/* ------------------------------------------------------------------ sockets */

static bool is_udp(const struct lab *l)
{
	return l->env->sock_type == SOCK_DGRAM;
}

/* A connected pair in the run's private network namespace: l->tx sends, l->rx receives. */
static int sock_pair(struct lab *l)
{
	const struct timeval tmo = { .tv_sec = 2 }; /* loopback delivers at once */
	char why[256];
	int err;

	errno = 0;
	if (l->env->sock_type != SOCK_STREAM && l->env->sock_type != SOCK_DGRAM)
		return fail(l, "no protocol (tcp or udp) for a socket experiment");
	err = sb_netns_enter(why, sizeof(why));
	if (!err)
		err = is_udp(l) ? sb_udp_pair(&l->tx, &l->rx, why, sizeof(why))
				: sb_tcp_pair(&l->tx, &l->rx, why, sizeof(why));
	if (err) {
		errno = 0; /* the reason is in @why */
		return fail(l, "%s", why);
	}
	track(l, l->tx);
	track(l, l->rx);
	if (setsockopt(l->rx, SOL_SOCKET, SO_RCVTIMEO, &tmo, sizeof(tmo)))
		return fail(l, "SO_RCVTIMEO");
	return 0;
}

/* One page into the socket (for UDP one datagram) from pipe A. */
static int splice_to_sock(struct lab *l)
{
	return splice(l->pa[0], NULL, l->tx, NULL, PAGE, 0) == PAGE
		       ? 0
		       : fail(l, "splice pipe->socket");
}

/* The receiving end: one page (one datagram) into pipe B (read later), or into l->got. */
static int sock_receive(struct lab *l, bool into_pipe)
{
	size_t done = 0;

	do {
		ssize_t n = into_pipe ? splice(l->rx, NULL, l->pb[1], NULL, PAGE - done, 0)
				      : recv(l->rx, l->got + done, PAGE - done, 0);

		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return fail(l, into_pipe ? "splice socket->pipe" : "recv");
		}
		done += (size_t)n;
	} while (done < PAGE && !is_udp(l));
	if (done != PAGE) {
		errno = 0;
		return fail(l, "a datagram of %zu bytes arrived where one of 4096 was sent", done);
	}
	return 0;
}

/*
 * A UDP datagram that never arrived, while the receiver's checksum errors
 * went up: its bytes changed after the sender computed the checksum (a
 * receiver that checks it: veth, not loopback), so the socket held the
 * source page itself. Returns true when that is what happened.
 */
static bool csum_dropped(struct lab *l, const struct sb_udp_snmp *k0, const char *what)
{
	struct sb_udp_snmp k1;

	if (sb_udp_snmp_read(&k1) || k1.in_csum_errors <= k0->in_csum_errors)
		return false;
	l->out->result = SB_ORACLE_BY_REFERENCE;
	snprintf(l->out->evidence, sizeof(l->out->evidence),
		 "%s 4096 bytes of 0x%02x, then changed the source to 0x%02x: the datagram never "
		 "arrived and the receiver's UDP InCsumErrors went up by %llu, so its bytes "
		 "changed after the checksum was computed: the socket held the source page "
		 "itself",
		 what, OLD, NEW, (unsigned long long)(k1.in_csum_errors - k0->in_csum_errors));
	return true;
}

/*
 * A page of OLD into a socket by @kind's calls, the source changed to NEW,
 * then the receiver looks: after the change (the socket's buffers are the
 * destination), or, for the receiving legs, before it (the pipe or buffer
 * they filled is).
 */
static int socket_path(struct lab *l, enum sb_oracle_kind kind)
{
	bool file = kind == SB_ORACLE_FILE_SOCK || kind == SB_ORACLE_SENDFILE_SOCK;
	bool rx_first = kind == SB_ORACLE_SOCK_PIPE || kind == SB_ORACLE_SOCK_USER;
	const char *proto = is_udp(l) ? "a UDP socket (one datagram)" : "a TCP socket";
	char what[200];
	struct sb_udp_snmp k0;
	bool have_csum = false;
	loff_t off = 0;
	int fd = -1;

	if (sock_pair(l) || (file && (make_src(l) || (fd = open_src(l)) < 0)))
		return -1;
	memset(l->x, OLD, PAGE);
	switch (kind) {
	case SB_ORACLE_FILE_SOCK:
		if (splice(fd, &off, l->pa[1], NULL, PAGE, 0) != PAGE)
			return fail(l, "splice file->pipe");
		if (splice_to_sock(l))
			return -1;
		snprintf(what, sizeof(what), "spliced from the file into a pipe and into %s",
			 proto);
		break;
	case SB_ORACLE_SENDFILE_SOCK:
		if (sendfile(l->tx, fd, &off, PAGE) != PAGE)
			return fail(l, "sendfile file->socket");
		snprintf(what, sizeof(what), "sent from the file into %s with sendfile", proto);
		break;
	case SB_ORACLE_SEND_SOCK:
		if (send(l->tx, l->x, PAGE, MSG_NOSIGNAL) != PAGE)
			return fail(l, "send");
		snprintf(what, sizeof(what), "sent from a user buffer into %s with send(2)", proto);
		break;
	default: /* vmsplice + splice, then maybe a receiving leg */
		if (vmsplice_page(l->pa[1], l->x, l->env->gift ? SPLICE_F_GIFT : 0) != PAGE)
			return fail(l, "vmsplice user->pipe");
		if (splice_to_sock(l))
			return -1;
		snprintf(what, sizeof(what),
			 "vmspliced from a user buffer into a pipe, spliced it into %s%s", proto,
			 kind == SB_ORACLE_SOCK_PIPE   ? " and out into another pipe"
			 : kind == SB_ORACLE_SOCK_USER ? " and received it with recv(2)"
						       : "");
		break;
	}
	if (rx_first && sock_receive(l, kind == SB_ORACLE_SOCK_PIPE))
		return -1;
	if (is_udp(l) && !rx_first)
		have_csum = !sb_udp_snmp_read(&k0);
	if (file ? change_src(l) : (memset(l->x, NEW, PAGE), 0))
		return -1;
	if (kind == SB_ORACLE_SOCK_PIPE ? read_pipe(l, l->pb[0])
					: !rx_first && sock_receive(l, false))
		return have_csum && csum_dropped(l, &k0, what) ? 0 : -1;
	verdict(l, what,
		kind == SB_ORACLE_SOCK_PIPE   ? "the other pipe"
		: kind == SB_ORACLE_SOCK_USER ? "the receiving buffer"
					      : "the receiving socket",
		file ? "overwrote the file's page with" : "filled the user buffer with");
	return 0;
}

/* Experiments that make files in the cell's directory. */
static bool needs_dir(enum sb_oracle_kind kind)
{
	switch (kind) {
	case SB_ORACLE_FILE_PIPE:
	case SB_ORACLE_PIPE_FILE:
	case SB_ORACLE_SPLICE_FF:
	case SB_ORACLE_SENDFILE_FF:
	case SB_ORACLE_CFR_FF:
	case SB_ORACLE_RW_FF:
	case SB_ORACLE_READ:
	case SB_ORACLE_FILE_SOCK:
	case SB_ORACLE_SENDFILE_SOCK:
		return true;
	default:
		return false;
	}
}

void sb_oracle_run(enum sb_oracle_kind kind, const struct sb_oracle_env *env,
		   struct sb_oracle *out)
{
	struct lab l = {
		.env = env, .out = out, .pa = { -1, -1 }, .pb = { -1, -1 }, .tx = -1, .rx = -1
	};
	bool files = needs_dir(kind);
	void *x = NULL, *got = NULL;

	memset(out, 0, sizeof(*out));
	out->result = SB_ORACLE_NOT_APPLICABLE;
	if (kind == SB_ORACLE_NONE)
		return;
	if (files && !env->dir) {
		snprintf(out->evidence, sizeof(out->evidence), "no directory to run the oracle in");
		out->result = SB_ORACLE_ERROR;
		return;
	}
	if (posix_memalign(&x, PAGE, PAGE) || posix_memalign(&got, PAGE, PAGE)) {
		errno = ENOMEM;
		fail(&l, "buffers");
		goto out;
	}
	l.x = x;
	l.got = got;
	memset(l.got, 0, PAGE);
	if (pipe2(l.pa, O_CLOEXEC) || pipe2(l.pb, O_CLOEXEC)) {
		fail(&l, "pipe");
		goto out;
	}
	switch (kind) {
	case SB_ORACLE_FILE_PIPE:
		file_to_pipe(&l);
		break;
	case SB_ORACLE_USER_PIPE:
		user_to_pipe(&l);
		break;
	case SB_ORACLE_TEE:
		tee_pipes(&l);
		break;
	case SB_ORACLE_PIPE_USER:
		pipe_to_user(&l);
		break;
	case SB_ORACLE_PIPE_FILE:
		pipe_to_file(&l);
		break;
	case SB_ORACLE_READ:
		read_file(&l);
		break;
	case SB_ORACLE_SPLICE_FF:
	case SB_ORACLE_SENDFILE_FF:
	case SB_ORACLE_CFR_FF:
	case SB_ORACLE_RW_FF:
		file_to_file(&l, kind);
		break;
	default:
		socket_path(&l, kind);
		break;
	}
out:
	for (size_t i = 0; i < l.nfds; i++)
		close(l.fds[i]);
	for (int i = 0; i < 2; i++) {
		if (l.pa[i] >= 0)
			close(l.pa[i]);
		if (l.pb[i] >= 0)
			close(l.pb[i]);
	}
	if (l.src[0])
		unlink(l.src);
	if (l.dst[0])
		unlink(l.dst);
	free(x);
	free(got);
}
