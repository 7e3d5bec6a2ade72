// SPDX-License-Identifier: MIT
/*
 * Conformance cases: one call with one bad (or edge) argument each, and the
 * result the man pages, LTP and the kernel source document for it
 * (../shared/reference/peers-edge-cases-and-bugs.md section 2). Every case
 * gets a fresh fixture: a 256 KiB scratch file of pattern data opened four
 * ways, and pipes in known states, all sized 64 KiB. The expectation is a
 * spec (stexp.h) keyed on the kernel version where the answer changed.
 *
 * CONFORM(name, id, expect, checks, source, call) defines the case
 * sb_st_conform_<name>; stress/conform.def lists them. @call is an
 * expression on the fixture @f whose value is the call's return value (its
 * errno is read right after). A helper in the expression may set f->bad when
 * the call returned the right count but delivered the wrong thing.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/timerfd.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "pattern.h"
#include "stress.h"

#define FILE_LEN (256 * 1024)
#define PIPE_CAP (64 * 1024)
#define PAGE 4096

struct fx {
	int rd, wr, rw, app; /* the scratch file: O_RDONLY, O_WRONLY, O_RDWR, O_WRONLY|O_APPEND */
	int pr, pw;	     /* an empty pipe, both ends open */
	int dr, dw;	     /* a pipe holding PAGE bytes of pattern, both ends open */
	int fr, fw;	     /* a full pipe, both ends O_NONBLOCK */
	int er;		     /* read end of an empty pipe whose writer is closed */
	int nw;		     /* write end of a pipe whose reader is closed */
	int closed;	     /* a descriptor number that is not open */
	int null;	     /* /dev/null, write only */
	int us[2];	     /* AF_UNIX stream socketpair */
	uint8_t *buf;	     /* PIPE_CAP bytes, page aligned */
	loff_t off, off2;    /* offsets handed to calls (0 unless a case sets them) */
	uint64_t seed;
	const char *bad;     /* set by a helper: the call's count was right, its effect was not */
	char badbuf[160];
};

static int mkpipe(int p[2], int flags)
{
	if (pipe2(p, O_CLOEXEC | flags) < 0)
		return -1;
	return fcntl(p[1], F_SETPIPE_SZ, PIPE_CAP) < 0 ? -1 : 0;
}

static int fx_setup(struct sb_st_ctx *c, struct fx *f, char *why, size_t len)
{
	int p[2], q[2];
	ssize_t n;

	memset(f, -1, offsetof(struct fx, buf));
	f->buf = NULL;
	f->off = f->off2 = 0;
	f->seed = c->seed;
	f->bad = NULL;
#define TRY(cond, what)                                                          \
	do {                                                                     \
		if (!(cond)) {                                                   \
			snprintf(why, len, "setup: %s: %s", what, strerror(errno)); \
			return -1;                                               \
		}                                                                \
	} while (0)
	f->rd = sb_st_make_file(c, "data", FILE_LEN, O_RDONLY, 0600);
	TRY(f->rd >= 0, "scratch file");
	{
		char path[4096];

		snprintf(path, sizeof(path), "%s/data", c->dir);
		f->wr = open(path, O_WRONLY | O_CLOEXEC);
		f->rw = open(path, O_RDWR | O_CLOEXEC);
		f->app = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
		TRY(f->wr >= 0 && f->rw >= 0 && f->app >= 0, "reopen scratch file");
	}
	TRY(mkpipe(p, 0) == 0, "pipe");
	f->pr = p[0];
	f->pw = p[1];
	TRY(mkpipe(p, 0) == 0, "pipe");
	f->dr = p[0];
	f->dw = p[1];
	f->buf = aligned_alloc(PAGE, PIPE_CAP);
	TRY(f->buf, "buffer");
	sb_pattern_fill(f->seed, 0, f->buf, PIPE_CAP);
	TRY(write(f->dw, f->buf, PAGE) == PAGE, "fill the data pipe");
	TRY(mkpipe(p, O_NONBLOCK) == 0, "pipe");
	f->fr = p[0];
	f->fw = p[1];
	for (int i = 0; i < 1024; i++) {
		n = write(f->fw, f->buf, PAGE);
		if (n < 0 && errno == EAGAIN)
			break;
		TRY(n > 0, "fill the full pipe");
	}
	TRY(pipe2(q, O_CLOEXEC) == 0, "pipe");
	f->er = q[0];
	close(q[1]);
	TRY(pipe2(q, O_CLOEXEC) == 0, "pipe");
	f->nw = q[1];
	close(q[0]);
	f->closed = dup(f->rd);
	TRY(f->closed >= 0, "dup");
	close(f->closed);
	f->null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	TRY(f->null >= 0, "/dev/null");
	TRY(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, f->us) == 0, "socketpair");
#undef TRY
	return 0;
}

static void fx_teardown(struct fx *f)
{
	int *fds[] = { &f->rd, &f->wr, &f->rw, &f->app, &f->pr, &f->pw, &f->dr, &f->dw, &f->fr,
		       &f->fw, &f->er, &f->nw, &f->null, &f->us[0], &f->us[1] };

	for (size_t i = 0; i < SB_ARRAY_SIZE(fds); i++)
		if (*fds[i] >= 0)
			close(*fds[i]);
	free(f->buf);
}

static int conform_run(struct sb_st_ctx *c, long (*call)(struct fx *f))
{
	struct fx f;
	char why[256];
	long ret;
	int err, st;

	signal(SIGPIPE, SIG_IGN); /* EPIPE cases: the error, not the signal */
	if (fx_setup(c, &f, why, sizeof(why)) < 0) {
		fx_teardown(&f);
		return sb_st_fail(c, "%s", why);
	}
	errno = 0;
	ret = call(&f);
	err = errno;
	st = sb_st_check(c, ret, err);
	if (st == SB_ST_PASS && f.bad)
		st = sb_st_fail(c, "returned %s as expected, but %s", c->got, f.bad);
	fx_teardown(&f);
	return st;
}

#define CONFORM(name, ident, exp, what, src, call)                                  \
	static long cf_call_##name(struct fx *f)                                 \
	{                                                                        \
		(void)f;                                                         \
		return (long)(call);                                             \
	}                                                                        \
	static int cf_run_##name(struct sb_st_ctx *c)                            \
	{                                                                        \
		return conform_run(c, cf_call_##name);                           \
	}                                                                        \
	const struct sb_stressor sb_st_conform_##name = {                        \
		.id = "conform." ident, .kind = SB_ST_CONFORM, .expect = exp,       \
		.checks = what, .source = src, .fn = cf_run_##name,              \
	}

/* ---------------------------------------------------------------- helpers used in calls */

static int set_nonblock(int fd)
{
	return fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* write @len bytes into the pipe first (for partially full pipes) */
static int prefill(struct fx *f, int fd, size_t len)
{
	return write(fd, f->buf, len) == (ssize_t)len ? 0 : -1;
}

static struct iovec iov_of(void *p, size_t len)
{
	return (struct iovec){ .iov_base = p, .iov_len = len };
}

/* the bytes a pipe->user call returned must be the pattern the data pipe holds */
static long check_pattern(struct fx *f, long ret, const uint8_t *got, uint64_t off)
{
	uint8_t want[PAGE];

	if (ret > 0 && ret <= PAGE) {
		sb_pattern_fill(f->seed, off, want, (size_t)ret);
		if (memcmp(want, got, (size_t)ret)) {
			f->bad = "the data differ from what was written";
		}
	}
	return ret;
}

static long vmsplice_to_user(struct fx *f)
{
	uint8_t *b = f->buf + PAGE;
	struct iovec v = iov_of(b, PAGE);
	long r;

	memset(b, 0, PAGE);
	r = vmsplice(f->dr, &v, 1, 0);
	return check_pattern(f, r, b, 0);
}

static long vmsplice_iov_max(struct fx *f)
{
	static struct iovec v[IOV_MAX + 1];

	for (int i = 0; i <= IOV_MAX; i++)
		v[i] = iov_of(f->buf, 1);
	return vmsplice(f->pw, v, IOV_MAX + 1, 0);
}

static long vmsplice_read_only(struct fx *f)
{
	void *p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct iovec v = iov_of(p, PAGE);
	long r;
	int e;

	if (p == MAP_FAILED)
		return -1;
	r = vmsplice(f->dr, &v, 1, 0);
	e = errno;
	munmap(p, PAGE);
	errno = e;
	return r;
}

/* an offset pointer in memory mapped with @prot (PROT_NONE..), or unmapped when @prot < 0 */
static long sendfile_off_in(struct fx *f, int prot)
{
	loff_t *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long r;
	int e;

	if (p == MAP_FAILED)
		return -1;
	*p = 0;
	if (prot < 0)
		munmap(p, PAGE);
	else if (mprotect(p, PAGE, prot) < 0)
		return -1;
	r = sendfile(f->null, f->rd, p, PAGE);
	e = errno;
	if (prot >= 0)
		munmap(p, PAGE);
	errno = e;
	return r;
}

static long tee_dup(struct fx *f)
{
	long r = tee(f->dr, f->pw, PAGE, 0);
	int held = -1, e = errno;
	uint8_t *b = f->buf + PAGE;

	if (r == PAGE) {
		ioctl(f->dr, FIONREAD, &held);
		if (held != PAGE)
			f->bad = "the source pipe no longer holds its data";
		else if (read(f->pr, b, PAGE) != PAGE)
			f->bad = "the copy is short";
		else
			check_pattern(f, PAGE, b, 0);
	}
	errno = e;
	return r;
}

static long sendfile_null_offset(struct fx *f)
{
	long r = sendfile(f->null, f->rd, NULL, PAGE);
	off_t pos = lseek(f->rd, 0, SEEK_CUR);

	if (r >= 0 && pos != r) {
		snprintf(f->badbuf, sizeof(f->badbuf), "the file position is %lld, not %ld",
			 (long long)pos, r);
		f->bad = f->badbuf;
	}
	return r;
}

static long sendfile_with_offset(struct fx *f)
{
	long r;
	off_t pos;

	f->off = 100;
	r = sendfile(f->null, f->rd, &f->off, PAGE);
	pos = lseek(f->rd, 0, SEEK_CUR);
	if (r >= 0 && (pos != 0 || f->off != 100 + r)) {
		snprintf(f->badbuf, sizeof(f->badbuf),
			 "the file position is %lld (want 0) and *offset %lld (want %ld)",
			 (long long)pos, (long long)f->off, 100 + r);
		f->bad = f->badbuf;
	}
	return r;
}

static long splice_sysctl(struct fx *f, size_t len)
{
	int fd = open("/proc/sys/kernel/ostype", O_RDONLY | O_CLOEXEC);
	long r;
	int e;

	if (fd < 0)
		return -1;
	r = splice(fd, NULL, f->pw, NULL, len, 0);
	e = errno;
	close(fd);
	if (r > 0 && read(f->pr, f->buf + PAGE, (size_t)r) == r &&
	    memcmp(f->buf + PAGE, "Linux\n", (size_t)r))
		f->bad = "the bytes differ from reading the file";
	errno = e;
	return r;
}

static long splice_proc_file(struct fx *f, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	long r;
	int e;

	if (fd < 0)
		return -1;
	r = splice(fd, NULL, f->pw, NULL, PAGE, 0);
	e = errno;
	close(fd);
	errno = e;
	return r;
}

static long splice_dev(struct fx *f, const char *dev, bool to_dev)
{
	int fd = open(dev, (to_dev ? O_WRONLY : O_RDONLY) | O_CLOEXEC);
	long r;
	int e;

	if (fd < 0)
		return -1;
	r = to_dev ? splice(f->dr, NULL, fd, NULL, PAGE, 0) : splice(fd, NULL, f->pw, NULL, 1009, 0);
	e = errno;
	close(fd);
	if (!to_dev && r > 0) {
		uint8_t *b = f->buf + PAGE;

		memset(b, 0xa5, (size_t)r);
		if (read(f->pr, b, (size_t)r) != r)
			f->bad = "reading the pipe back failed";
		for (long i = 0; i < r && !f->bad; i++)
			if (b[i])
				f->bad = "the device gave non-zero bytes";
	}
	errno = e;
	return r;
}

static long splice_truncated(struct fx *f)
{
	uint8_t *b = f->buf + PAGE;

	if (splice(f->rd, &f->off, f->pw, NULL, PAGE, 0) != PAGE || ftruncate(f->rw, 0) < 0)
		return -1;
	return check_pattern(f, read(f->pr, b, PAGE), b, 0);
}

static long unix_to_pipe(struct fx *f)
{
	if (write(f->us[0], f->buf, PAGE) != PAGE)
		return -1;
	return splice(f->us[1], NULL, f->pw, NULL, PAGE, 0);
}

static long pipe_to_unix(struct fx *f)
{
	long r = splice(f->dr, NULL, f->us[0], NULL, PAGE, 0);
	uint8_t *b = f->buf + PAGE;

	if (r == PAGE && recv(f->us[1], b, PAGE, MSG_WAITALL) == PAGE)
		check_pattern(f, r, b, 0);
	return r;
}

static long setpipe_unprivileged(struct fx *f)
{
	FILE *fp = fopen("/proc/sys/fs/pipe-max-size", "re");
	unsigned long max = 0;

	if (!fp)
		return -1;
	if (fscanf(fp, "%lu", &max) != 1)
		max = 0;
	fclose(fp);
	if (!max || max >= (1UL << 30))
		return errno = ERANGE, -1;
	/* root has CAP_SYS_RESOURCE: act as nobody (this process only; it ends with the case) */
	if (geteuid() == 0 && setresuid(65534, 65534, 65534) < 0)
		return -1;
	return fcntl(f->pw, F_SETPIPE_SZ, max * 2);
}

static long getpipe_after(int fd, long r)
{
	return r < 0 ? r : fcntl(fd, F_GETPIPE_SZ);
}

/* splice with one end of an odd descriptor type (LTP splice07 accepts EBADF or EINVAL) */
static long splice_odd(struct fx *f, int kind, bool as_out)
{
	char path[4096];
	int fd = -1, e;
	long r;

	switch (kind) {
	case 0:
		fd = eventfd(0, EFD_CLOEXEC);
		break;
	case 1:
		fd = epoll_create1(EPOLL_CLOEXEC);
		break;
	case 2:
		fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
		break;
	case 3:
		snprintf(path, sizeof(path), "/proc/self/fd/%d", f->rd);
		fd = open(path, O_PATH | O_CLOEXEC);
		break;
	default:
		fd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		break;
	}
	if (fd < 0)
		return -1;
	r = as_out ? splice(f->dr, NULL, fd, NULL, PAGE, 0) : splice(fd, NULL, f->pw, NULL, PAGE, 0);
	e = errno;
	close(fd);
	errno = e;
	return r;
}

static long new_pipe_size(void)
{
	int p[2];
	long r;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	r = fcntl(p[0], F_GETPIPE_SZ);
	close(p[0]);
	close(p[1]);
	return r;
}

static long sendfile_from_socket(struct fx *f, bool to_pipe)
{
	if (write(f->us[0], f->buf, PAGE) != PAGE)
		return -1;
	return sendfile(to_pipe ? f->pw : f->wr, f->us[1], NULL, PAGE);
}

/* ---------------------------------------------------------------- splice(2) */

#define SPL "splice(2); "
CONFORM(splice_len0_bad_fds, "splice.len0-bad-fds", "=0",
	"len 0 returns 0 before the descriptors are looked at",
	"fs/splice.c SYSCALL(splice): !len checked first; stress-ng splice",
	splice(-1, NULL, -1, NULL, 0, 0));
CONFORM(splice_len0_bad_flags, "splice.len0-bad-flags", "=0",
	"len 0 returns 0 even with unknown flag bits",
	"fs/splice.c SYSCALL(splice); stress-ng splice (len 0 exercise)",
	splice(f->rd, NULL, f->pw, NULL, 0, ~0U));
CONFORM(splice_bad_flags, "splice.bad-flags", "4.10.0:EINVAL",
	"unknown flag bits give EINVAL",
	"3d6ea290f337 (4.10, splice/tee/vmsplice: validate flags); stress-ng splice",
	splice(f->rd, &f->off, f->pw, NULL, PAGE, ~0U));
CONFORM(splice_bad_flags_first, "splice.bad-flags-before-ebadf", "4.10.0:EINVAL",
	"the flags are checked before the descriptors (EINVAL, not EBADF)",
	"fs/splice.c SYSCALL(splice): flags checked before fdget",
	splice(-1, NULL, -1, NULL, PAGE, ~0U));
CONFORM(splice_in_invalid, "splice.in-invalid", "EBADF", "fd_in -1 gives EBADF",
	SPL "LTP splice03", splice(-1, NULL, f->pw, NULL, PAGE, 0));
CONFORM(splice_in_closed, "splice.in-closed", "EBADF", "a closed fd_in gives EBADF",
	SPL "LTP splice03", splice(f->closed, NULL, f->pw, NULL, PAGE, 0));
CONFORM(splice_out_invalid, "splice.out-invalid", "EBADF", "fd_out -1 gives EBADF",
	SPL "LTP splice03", splice(f->dr, NULL, -1, NULL, PAGE, 0));
CONFORM(splice_in_write_only, "splice.in-write-only-file", "EBADF",
	"a source file opened O_WRONLY gives EBADF", SPL "LTP splice03",
	splice(f->wr, &f->off, f->pw, NULL, PAGE, 0));
CONFORM(splice_in_pipe_write_end, "splice.in-pipe-write-end", "EBADF",
	"a pipe's write end as fd_in gives EBADF", "fs/splice.c do_splice (FMODE_READ)",
	splice(f->dw, NULL, f->rw, &f->off, PAGE, 0));
CONFORM(splice_out_read_only, "splice.out-read-only-file", "EBADF",
	"a target file opened O_RDONLY gives EBADF", SPL "EBADF",
	splice(f->dr, NULL, f->rd, &f->off, PAGE, 0));
CONFORM(splice_out_pipe_read_end, "splice.out-pipe-read-end", "EBADF",
	"a pipe's read end as fd_out gives EBADF", "fs/splice.c do_splice (FMODE_WRITE)",
	splice(f->rd, &f->off, f->pr, NULL, PAGE, 0));
CONFORM(splice_out_append, "splice.out-append", "EINVAL",
	"a target opened O_APPEND gives EINVAL (copy_file_range says EBADF instead)",
	SPL "EINVAL since 2.6.27; LTP splice03", splice(f->dr, NULL, f->app, NULL, PAGE, 0));
CONFORM(splice_no_pipe, "splice.no-pipe", "EINVAL", "neither end a pipe gives EINVAL",
	SPL "LTP splice03", splice(f->rd, &f->off, f->wr, &f->off2, PAGE, 0));
CONFORM(splice_off_in_pipe, "splice.offset-on-pipe-in", "ESPIPE",
	"an off_in with a pipe as fd_in gives ESPIPE", SPL "LTP splice03; stress-ng",
	splice(f->dr, &f->off, f->rw, &f->off2, PAGE, 0));
CONFORM(splice_off_out_pipe, "splice.offset-on-pipe-out", "ESPIPE",
	"an off_out with a pipe as fd_out gives ESPIPE", SPL "LTP splice03; stress-ng",
	splice(f->rd, &f->off, f->pw, &f->off2, PAGE, 0));
CONFORM(splice_same_pipe, "splice.same-pipe", "EINVAL",
	"splicing a pipe into itself gives EINVAL", SPL "stress-ng (splice to itself)",
	splice(f->dr, NULL, f->dw, NULL, PAGE, 0));
CONFORM(splice_same_pipe_offsets, "splice.same-pipe-offsets", "ESPIPE",
	"with offsets, ESPIPE wins over EINVAL for the same pipe",
	"fs/splice.c splice_pipe_to_pipe callers: offsets (ESPIPE) before ipipe == opipe (EINVAL)",
	splice(f->dr, &f->off, f->dw, &f->off2, PAGE, 0));
CONFORM(splice_eof, "splice.empty-pipe-no-writers", "=0",
	"an empty pipe without writers is end of file: 0", SPL "RETURN VALUE",
	splice(f->er, NULL, f->null, NULL, PAGE, 0));
CONFORM(splice_empty_nonblock, "splice.empty-pipe-nonblock-flag", "EAGAIN",
	"SPLICE_F_NONBLOCK on an empty pipe with writers gives EAGAIN", SPL "EAGAIN",
	splice(f->pr, NULL, f->null, NULL, PAGE, SPLICE_F_NONBLOCK));
CONFORM(splice_empty_o_nonblock, "splice.empty-pipe-o-nonblock", "EAGAIN",
	"an O_NONBLOCK empty pipe with writers gives EAGAIN", SPL "EAGAIN",
	(set_nonblock(f->pr), splice(f->pr, NULL, f->null, NULL, PAGE, 0)));
CONFORM(splice_full_nonblock, "splice.full-pipe-nonblock-flag", "EAGAIN",
	"SPLICE_F_NONBLOCK into a full pipe gives EAGAIN", SPL "EAGAIN",
	splice(f->rd, &f->off, f->fw, NULL, PAGE, SPLICE_F_NONBLOCK));
CONFORM(splice_full_o_nonblock, "splice.full-pipe-o-nonblock", "EAGAIN",
	"a full O_NONBLOCK pipe as target gives EAGAIN", SPL "EAGAIN",
	splice(f->rd, &f->off, f->fw, NULL, PAGE, 0));
CONFORM(splice_partial_space, "splice.short-into-partly-full-pipe", "1..65535",
	"a pipe with one free slot takes a short splice, not EAGAIN and not a block",
	SPL "RETURN VALUE; Darrick Wong 20190829161155.GA5360@magnolia",
	(prefill(f, f->pw, PIPE_CAP - PAGE), splice(f->rd, &f->off, f->pw, NULL, PIPE_CAP, 0)));
CONFORM(splice_at_eof, "splice.file-at-eof", "=0", "a source offset at end of file gives 0",
	SPL "stress-ng sendfile (offset at EOF)",
	(f->off = FILE_LEN, splice(f->rd, &f->off, f->pw, NULL, PAGE, 0)));
CONFORM(splice_beyond_eof, "splice.file-beyond-eof", "=0",
	"a source offset beyond end of file gives 0", SPL "RETURN VALUE",
	(f->off = 1LL << 30, splice(f->rd, &f->off, f->pw, NULL, PAGE, 0)));
CONFORM(splice_over_capacity, "splice.len-over-pipe-capacity", "1..262143",
	"a length above the pipe's capacity gives a short count (the caller loops)",
	"LTP splice02/04 loops; pipe(7) capacity",
	splice(f->rd, &f->off, f->pw, NULL, FILE_LEN, 0));
CONFORM(splice_no_readers, "splice.pipe-without-readers", "EPIPE",
	"a target pipe without readers gives EPIPE (SIGPIPE ignored)",
	"pipe(7); stress-ng tee (EPIPE)", splice(f->rd, &f->off, f->nw, NULL, PAGE, 0));
CONFORM(splice_dev_zero, "splice.dev-zero-source", "0.0.0:>0 5.10.0:EINVAL 6.7.0:>0",
	"splice from /dev/zero gives zeros (EINVAL from 5.10 to 6.6)",
	"36e2c7421f02 (5.10, no splice without explicit ops); 1b057bd800c3 (6.7); LTP splice08; "
	"EINVAL measured on Debian 6.1",
	splice_dev(f, "/dev/zero", false));
CONFORM(splice_dev_full, "splice.dev-full-source", "0.0.0:>0 5.10.0:EINVAL 6.7.0:>0",
	"splice from /dev/full gives zeros (EINVAL from 5.10 to 6.6)",
	"36e2c7421f02 (5.10); 1b057bd800c3 (6.7); LTP splice08; EINVAL measured on Debian 6.1",
	splice_dev(f, "/dev/full", false));
CONFORM(splice_to_dev_null, "splice.pipe-to-dev-null", "=4096",
	"a pipe spliced into /dev/null is consumed", "LTP splice09; drivers/char/mem.c",
	splice_dev(f, "/dev/null", true));
CONFORM(splice_to_dev_zero, "splice.pipe-to-dev-zero", "0.0.0:=4096 5.10.0:EINVAL 6.7.0:=4096",
	"a pipe spliced into /dev/zero is consumed (EINVAL from 5.10 to 6.6)",
	"36e2c7421f02 (5.10); 1b057bd800c3 (6.7); LTP splice09; EINVAL measured on Debian 6.1",
	splice_dev(f, "/dev/zero", true));
CONFORM(splice_sysctl, "splice.sysctl-source", "5.10.0:=6",
	"a sysctl file splices like it reads ('Linux\\n')",
	"selftests/splice/short_splice_read.sh (/proc/sys must succeed)",
	splice_sysctl(f, PAGE));
CONFORM(splice_sysctl_short, "splice.sysctl-source-2-bytes", "5.10.0:=2",
	"a 2-byte splice of a sysctl file gives its first 2 bytes",
	"selftests/splice/short_splice_read.sh", splice_sysctl(f, 2));
CONFORM(splice_proc_limits, "splice.procfs-limits", "5.10.0:>0|EINVAL",
	"a procfs seq_file without splice: EINVAL on some kernels, data on others; never a hang "
	"or garbage",
	"selftests/splice/short_splice_read.sh (expectations differ per revision)",
	splice_proc_file(f, "/proc/self/limits"));
CONFORM(splice_truncated, "splice.source-truncated-in-pipe", "=0|ENODATA|=4096",
	"a page truncated from the file while it sits in the pipe reads as the bytes spliced, "
	"as end of data or as ENODATA, never as other bytes",
	"fs/splice.c page_cache_pipe_buf_confirm (ENODATA for a truncated page); fio retries ENODATA",
	splice_truncated(f));
CONFORM(splice_in_eventfd, "splice.in-eventfd", "EBADF|EINVAL",
	"an eventfd as fd_in is refused", "LTP splice07 (every fd type)", splice_odd(f, 0, false));
CONFORM(splice_in_epoll, "splice.in-epoll", "EBADF|EINVAL",
	"an epoll fd as fd_in is refused", "LTP splice07 (every fd type)", splice_odd(f, 1, false));
CONFORM(splice_out_timerfd, "splice.out-timerfd", "EBADF|EINVAL",
	"a timerfd as fd_out is refused", "LTP splice07 (every fd type)", splice_odd(f, 2, true));
CONFORM(splice_in_o_path, "splice.in-o-path", "EBADF",
	"an O_PATH descriptor is no file to read: EBADF", "LTP splice07; open(2) O_PATH",
	splice_odd(f, 3, false));
CONFORM(splice_in_directory, "splice.in-directory", "EBADF|EINVAL|EISDIR",
	"a directory as fd_in is refused", "LTP splice07 (every fd type)", splice_odd(f, 4, false));
CONFORM(splice_unix_to_pipe, "splice.unix-stream-to-pipe", "=4096",
	"an AF_UNIX stream socket splices into a pipe", "LTP splice05", unix_to_pipe(f));
CONFORM(splice_pipe_to_unix, "splice.pipe-to-unix-stream", "=4096",
	"a pipe splices into an AF_UNIX stream socket, bytes intact", "LTP splice05",
	pipe_to_unix(f));

/* ---------------------------------------------------------------- vmsplice(2) */

#define VMS "vmsplice(2); "
CONFORM(vmsplice_fd_invalid, "vmsplice.fd-invalid", "EBADF", "fd -1 gives EBADF",
	VMS "LTP vmsplice02", vmsplice(-1, &(struct iovec){ f->buf, PAGE }, 1, 0));
CONFORM(vmsplice_fd_closed, "vmsplice.fd-closed", "EBADF", "a closed fd gives EBADF",
	VMS "LTP vmsplice02", vmsplice(f->closed, &(struct iovec){ f->buf, PAGE }, 1, 0));
CONFORM(vmsplice_fd_file, "vmsplice.fd-not-a-pipe", "EBADF",
	"a regular file gives EBADF", VMS "LTP vmsplice02",
	vmsplice(f->rw, &(struct iovec){ f->buf, PAGE }, 1, 0));
CONFORM(vmsplice_iov_max, "vmsplice.nr-segs-over-iov-max", "EINVAL",
	"more than IOV_MAX segments gives EINVAL", VMS "LTP vmsplice02", vmsplice_iov_max(f));
CONFORM(vmsplice_bad_flags, "vmsplice.bad-flags", "4.10.0:EINVAL",
	"unknown flag bits give EINVAL", "3d6ea290f337 (4.10)",
	vmsplice(f->pw, &(struct iovec){ f->buf, PAGE }, 1, ~0U));
CONFORM(vmsplice_bad_flags_first, "vmsplice.bad-flags-before-ebadf", "4.10.0:EINVAL",
	"the flags are checked before the descriptor", "fs/splice.c SYSCALL(vmsplice) order",
	vmsplice(-1, &(struct iovec){ f->buf, PAGE }, 1, ~0U));
CONFORM(vmsplice_no_segs, "vmsplice.nr-segs-zero", "=0", "no segments returns 0",
	"fs/splice.c SYSCALL(vmsplice): empty iov_iter returns 0",
	vmsplice(f->pw, &(struct iovec){ f->buf, PAGE }, 0, 0));
CONFORM(vmsplice_zero_len, "vmsplice.zero-length-segment", "=0",
	"a segment of length 0 returns 0", "fs/splice.c SYSCALL(vmsplice)",
	vmsplice(f->pw, &(struct iovec){ f->buf, 0 }, 1, 0));
CONFORM(vmsplice_full_nonblock, "vmsplice.full-pipe-nonblock", "EAGAIN",
	"SPLICE_F_NONBLOCK into a full pipe gives EAGAIN", VMS "LTP vmsplice04",
	vmsplice(f->fw, &(struct iovec){ f->buf, PAGE }, 1, SPLICE_F_NONBLOCK));
CONFORM(vmsplice_user_to_pipe, "vmsplice.user-to-pipe", "=4096",
	"user memory goes into a pipe", VMS "LTP vmsplice01",
	vmsplice(f->pw, &(struct iovec){ f->buf, PAGE }, 1, 0));
CONFORM(vmsplice_pipe_to_user, "vmsplice.pipe-to-user", "=4096",
	"the read end copies the pipe's bytes into the iovec", VMS "LTP vmsplice03; fio",
	vmsplice_to_user(f));
CONFORM(vmsplice_to_read_only, "vmsplice.pipe-to-read-only-memory", "EFAULT",
	"copying into read-only memory gives EFAULT", VMS "fio splice engine (EFAULT fallback)",
	vmsplice_read_only(f));
CONFORM(vmsplice_eof, "vmsplice.read-end-no-writers", "=0",
	"the read end of an empty pipe without writers returns 0", VMS "RETURN VALUE",
	vmsplice(f->er, &(struct iovec){ f->buf, PAGE }, 1, 0));

/* ---------------------------------------------------------------- tee(2) */

#define TEE "tee(2); "
CONFORM(tee_in_not_pipe, "tee.in-not-a-pipe", "EINVAL", "fd_in a file gives EINVAL",
	TEE "LTP tee02", tee(f->rd, f->pw, PAGE, 0));
CONFORM(tee_out_not_pipe, "tee.out-not-a-pipe", "EINVAL", "fd_out a file gives EINVAL",
	TEE "LTP tee02", tee(f->dr, f->wr, PAGE, 0));
CONFORM(tee_same_pipe, "tee.same-pipe", "EINVAL", "the same pipe twice gives EINVAL",
	TEE "LTP tee02; stress-ng tee", tee(f->dr, f->dw, PAGE, 0));
CONFORM(tee_bad_flags_len0, "tee.bad-flags-before-len0", "4.10.0:EINVAL",
	"the flags are checked before len (len 0 with bad flags is EINVAL, not 0)",
	"fs/splice.c SYSCALL(tee) order; stress-ng tee (4.10+)", tee(f->dr, f->pw, 0, ~0U));
CONFORM(tee_len0, "tee.len0", "=0", "len 0 returns 0", "stress-ng tee", tee(f->dr, f->pw, 0, 0));
CONFORM(tee_eof, "tee.empty-no-writers", "=0",
	"an empty input without writers returns 0", TEE "RETURN VALUE",
	tee(f->er, f->pw, PAGE, 0));
CONFORM(tee_empty_nonblock, "tee.empty-nonblock", "EAGAIN",
	"SPLICE_F_NONBLOCK with nothing to duplicate gives EAGAIN", TEE "EAGAIN",
	tee(f->pr, f->dw, PAGE, SPLICE_F_NONBLOCK));
CONFORM(tee_full_nonblock, "tee.out-full-nonblock", "EAGAIN",
	"SPLICE_F_NONBLOCK into a full output gives EAGAIN", TEE "EAGAIN",
	tee(f->dr, f->fw, PAGE, SPLICE_F_NONBLOCK));
CONFORM(tee_in_write_end, "tee.in-write-end", "EBADF",
	"a write end as fd_in is refused with EBADF", "fs/splice.c do_tee (FMODE_READ check)",
	tee(f->dw, f->pw, PAGE, 0));
CONFORM(tee_out_read_end, "tee.out-read-end", "EBADF",
	"a read end as fd_out is refused with EBADF", "fs/splice.c do_tee (FMODE_WRITE check)",
	tee(f->dr, f->pr, PAGE, 0));
CONFORM(tee_no_readers, "tee.out-without-readers", "EPIPE",
	"an output without readers gives EPIPE", "stress-ng tee (EPIPE)",
	tee(f->dr, f->nw, PAGE, 0));
CONFORM(tee_duplicates, "tee.duplicates", "=4096",
	"tee copies the bytes and leaves the input's data in place", TEE "LTP tee01",
	tee_dup(f));

/* ---------------------------------------------------------------- sendfile(2) */

#define SF "sendfile(2); "
CONFORM(sendfile_in_invalid, "sendfile.in-invalid", "EBADF", "in_fd -1 gives EBADF",
	SF "LTP sendfile03", sendfile(f->null, -1, NULL, PAGE));
CONFORM(sendfile_out_invalid, "sendfile.out-invalid", "EBADF", "out_fd -1 gives EBADF",
	SF "LTP sendfile03", sendfile(-1, f->rd, NULL, PAGE));
CONFORM(sendfile_out_read_only, "sendfile.out-read-only", "EBADF",
	"an out_fd opened O_RDONLY gives EBADF", SF "LTP sendfile03",
	sendfile(f->rd, f->rw, NULL, PAGE));
CONFORM(sendfile_in_write_only, "sendfile.in-write-only", "EBADF",
	"an in_fd opened O_WRONLY gives EBADF", SF "LTP sendfile03",
	sendfile(f->null, f->wr, NULL, PAGE));
CONFORM(sendfile_off_prot_none, "sendfile.offset-prot-none", "EFAULT",
	"an offset pointer in PROT_NONE memory gives EFAULT", SF "LTP sendfile04",
	sendfile_off_in(f, PROT_NONE));
CONFORM(sendfile_off_read_only, "sendfile.offset-read-only", "EFAULT",
	"an offset pointer in read-only memory gives EFAULT (it is written back)",
	SF "LTP sendfile04", sendfile_off_in(f, PROT_READ));
CONFORM(sendfile_off_unmapped, "sendfile.offset-unmapped", "EFAULT",
	"an unmapped offset pointer gives EFAULT", SF "LTP sendfile04", sendfile_off_in(f, -1));
CONFORM(sendfile_off_negative, "sendfile.offset-negative", "EINVAL",
	"*offset -1 gives EINVAL", SF "LTP sendfile05; stress-ng sendfile",
	(f->off = -1, sendfile(f->null, f->rd, &f->off, PAGE)));
CONFORM(sendfile_out_append, "sendfile.out-append", "EINVAL",
	"an out_fd opened O_APPEND gives EINVAL", SF "EINVAL",
	sendfile(f->app, f->rd, &f->off, PAGE));
CONFORM(sendfile_off_on_pipe, "sendfile.offset-on-pipe-in", "ESPIPE",
	"an offset with a pipe as in_fd gives ESPIPE", SF "ESPIPE",
	sendfile(f->null, f->dr, &f->off, PAGE));
CONFORM(sendfile_count_max, "sendfile.count-size-max", "EINVAL",
	"count (size_t)-1 is negative as ssize_t: EINVAL",
	"fs/read_write.c rw_verify_area; stress-ng sendfile (count (size_t)-1)",
	sendfile(f->null, f->rd, &f->off, (size_t)-1));
CONFORM(sendfile_count_ssize_max, "sendfile.count-ssize-max", "=262144",
	"a count of SSIZE_MAX is clamped: the whole file arrives in one call",
	"sendfile(2) NOTES (at most 0x7ffff000 bytes per call)",
	sendfile(f->null, f->rd, &f->off, (size_t)SSIZE_MAX));
CONFORM(sendfile_last_byte, "sendfile.offset-size-minus-1", "=1",
	"an offset one byte before the end gives 1 (a short count)", "stress-ng sendfile",
	(f->off = FILE_LEN - 1, sendfile(f->null, f->rd, &f->off, PAGE)));
CONFORM(sendfile_count0, "sendfile.count-zero", "=0", "count 0 returns 0", "stress-ng sendfile",
	sendfile(f->null, f->rd, &f->off, 0));
CONFORM(sendfile_to_pipe, "sendfile.out-pipe", "=4096",
	"a pipe as out_fd works (splice rules)", SF "NOTES; LTP sendfile (pipe cases)",
	sendfile(f->pw, f->rd, &f->off, PAGE));
CONFORM(sendfile_null_offset, "sendfile.null-offset-advances", "=4096",
	"with a NULL offset the in_fd position advances by the count", "LTP sendfile06",
	sendfile_null_offset(f));
CONFORM(sendfile_offset_pos, "sendfile.offset-keeps-position", "=4096",
	"with an offset the in_fd position stays and *offset advances", "LTP sendfile02",
	sendfile_with_offset(f));
CONFORM(sendfile_in_socket_to_pipe, "sendfile.in-socket-to-pipe", "5.12.0:=4096",
	"a socket as in_fd works when out_fd is a pipe (5.12 and later)",
	"sendfile(2) EINVAL; b964bf53e540 (5.12)", sendfile_from_socket(f, true));
CONFORM(sendfile_same_file, "sendfile.same-file", ">=0|EINVAL",
	"a file sent onto itself gives a defined result and does not hang",
	"stress-ng iomix (sendfile of a file onto itself)",
	(f->off = 0, sendfile(f->rw, f->rd, &f->off, PAGE)));

/* ---------------------------------------------------------------- pipes */

#define PIPE "fcntl(2) F_SETPIPE_SZ; "
CONFORM(pipe_setsz_over_2g, "pipe.setpipe-sz-over-2g", "EINVAL",
	"a size above 2^31 gives EINVAL", PIPE "LTP fcntl37",
	fcntl(f->pw, F_SETPIPE_SZ, (1UL << 31) + 1));
CONFORM(pipe_setsz_busy, "pipe.setpipe-sz-below-held", "EBUSY",
	"shrinking below the data held gives EBUSY", PIPE "LTP fcntl37",
	fcntl(f->fw, F_SETPIPE_SZ, PAGE));
CONFORM(pipe_setsz_eperm, "pipe.setpipe-sz-over-max-unprivileged", "EPERM",
	"an unprivileged size above /proc/sys/fs/pipe-max-size gives EPERM", PIPE "LTP fcntl37",
	setpipe_unprivileged(f));
CONFORM(pipe_setsz_rounds, "pipe.setpipe-sz-rounds-up", "=8192",
	"5000 bytes round up to a power of two of pages (F_GETPIPE_SZ agrees)",
	PIPE "stress-ng pipe_change_size", getpipe_after(f->pw, fcntl(f->pw, F_SETPIPE_SZ, 5000)));
CONFORM(pipe_setsz_one, "pipe.setpipe-sz-one-byte", "=4096",
	"1 byte rounds up to one page", PIPE "pipe(7)",
	getpipe_after(f->pw, fcntl(f->pw, F_SETPIPE_SZ, 1)));
CONFORM(pipe_default_capacity, "pipe.default-capacity", "=65536",
	"a new pipe holds 16 pages (not above pipe-max-size for an unprivileged user)",
	"pipe(7) Pipe capacity; LTP fcntl35", new_pipe_size());
CONFORM(pipe_write_full_nonblock, "pipe.write-full-nonblock", "EAGAIN",
	"a write into a full O_NONBLOCK pipe gives EAGAIN", "pipe(7); LTP pipe12",
	write(f->fw, f->buf, 1));
CONFORM(pipe_splice_full_nonblock_dw, "pipe.pipe-to-pipe-full-nonblock", "EAGAIN",
	"pipe-to-pipe splice into a full pipe with SPLICE_F_NONBLOCK gives EAGAIN",
	SPL "EAGAIN", splice(f->dr, NULL, f->fw, NULL, PAGE, SPLICE_F_NONBLOCK));
CONFORM(pipe_to_pipe, "pipe.pipe-to-pipe", "=4096",
	"pipe-to-pipe splice moves the bytes intact", "LTP splice04",
	(splice(f->dr, NULL, f->pw, NULL, PAGE, 0) == PAGE &&
			 read(f->pr, f->buf + PAGE, PAGE) == PAGE
		 ? check_pattern(f, PAGE, f->buf + PAGE, 0)
		 : -1));
