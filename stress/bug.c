// SPDX-License-Identifier: MIT
/*
 * Known-bug checks: the published bugs of these paths
 * (../shared/reference/peers-edge-cases-and-bugs.md section 3), each looked
 * for by its symptom on the suite's own scratch files, pipes and sockets
 * (sockets in the run's private network namespace). A check passes with
 * "not affected: <what was observed>" and fails with "affected: <expected,
 * got>". None of them decides by the kernel version; the check runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "netns.h"
#include "pattern.h"
#include "stress.h"

#define PAGE 4096

/* Read @len bytes at @off through @fd, then again after dropping the cache; compare with @want. */
static const char *file_changed(int fd, const uint8_t *want, size_t len)
{
	uint8_t *b = malloc(len);
	const char *r = NULL;

	if (!b)
		return "out of memory";
	if (pread(fd, b, len, 0) != (ssize_t)len)
		r = "re-reading the file failed";
	else if (memcmp(b, want, len))
		r = "the page cache of the read-only file changed";
	else if (posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) ||
		 pread(fd, b, len, 0) != (ssize_t)len)
		r = "re-reading the file after dropping its cache failed";
	else if (memcmp(b, want, len))
		r = "the file changed on disk";
	free(b);
	return r;
}

static int scratch_path(struct sb_st_ctx *c, const char *name, char *buf, size_t len)
{
	return snprintf(buf, len, "%s/%s", c->dir, name) >= (int)len ? -1 : 0;
}

/* ---------------------------------------------------------------- Dirty Pipe */

static int dirty_pipe(struct sb_st_ctx *c)
{
	uint8_t want[PAGE], junk[PAGE];
	char path[4096];
	int p[2], fd, slots;
	const char *why;
	loff_t off = 0;

	memset(want, 0xff, sizeof(want));
	memset(junk, 'X', sizeof(junk));
	if (scratch_path(c, "ro", path, sizeof(path)))
		return sb_st_fail(c, "path too long");
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
	if (fd < 0 || write(fd, want, PAGE) != PAGE || close(fd))
		return sb_st_fail(c, "writing the scratch file: %s", strerror(errno));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || pipe2(p, O_CLOEXEC) < 0)
		return sb_st_fail(c, "open/pipe: %s", strerror(errno));
	/* every slot gets a buffer written by write() (CAN_MERGE on affected kernels), then drained */
	slots = fcntl(p[1], F_GETPIPE_SZ) / PAGE;
	for (int i = 0; i < slots; i++)
		if (write(p[1], junk, PAGE) != PAGE)
			return sb_st_fail(c, "filling the pipe: %s", strerror(errno));
	for (int i = 0; i < slots; i++)
		if (read(p[0], junk, PAGE) != PAGE)
			return sb_st_fail(c, "draining the pipe: %s", strerror(errno));
	/* one byte of the read-only file's page into the pipe, then a write that could merge */
	if (splice(fd, &off, p[1], NULL, 1, 0) != 1)
		return sb_st_fail(c, "splice 1 byte: %s", strerror(errno));
	memset(junk, 'D', 16);
	if (write(p[1], junk, 16) != 16)
		return sb_st_fail(c, "write after splice: %s", strerror(errno));
	why = file_changed(fd, want, PAGE);
	close(p[0]);
	close(p[1]);
	close(fd);
	if (why)
		return sb_st_fail(c, "affected: %s (a write into the pipe merged into the spliced page)",
				  why);
	return sb_st_pass(c, "not affected: the 16 bytes written after the spliced byte stayed in "
			     "the pipe; the read-only file is unchanged, cached and on disk");
}

/* ---------------------------------------------------------------- vmsplice and fork */

static int cow_vmsplice(struct sb_st_ctx *c)
{
	uint8_t *mem, got[PAGE];
	int p[2], st;
	pid_t pid;
	unsigned int leaks = 0;

	mem = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return sb_st_fail(c, "mmap: %s", strerror(errno));
	for (int round = 0; round < 2; round++) {
		if (pipe2(p, O_CLOEXEC) < 0)
			return sb_st_fail(c, "pipe: %s", strerror(errno));
		memset(mem, 0xaa, PAGE);
		if (round == 1 && vmsplice(p[1], &(struct iovec){ mem, PAGE }, 1, 0) != PAGE)
			return sb_st_fail(c, "vmsplice before fork: %s", strerror(errno));
		pid = fork();
		if (pid < 0)
			return sb_st_fail(c, "fork: %s", strerror(errno));
		if (pid == 0) {
			/* round 0: the child pins the shared page, then goes away */
			if (round == 0 && vmsplice(p[1], &(struct iovec){ mem, PAGE }, 1, 0) != PAGE)
				_exit(2);
			if (round == 1)
				memset(mem, 0xcc, PAGE); /* the child writes its copy */
			_exit(0);
		}
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
			return sb_st_fail(c, "the child failed (status %d)", st);
		memset(mem, 0xbb, PAGE); /* the parent writes after the pin */
		if (read(p[0], got, PAGE) != PAGE)
			return sb_st_fail(c, "reading the pipe: %s", strerror(errno));
		for (int i = 0; i < PAGE; i++)
			if (got[i] != 0xaa) {
				leaks++;
				break;
			}
		close(p[0]);
		close(p[1]);
	}
	munmap(mem, PAGE);
	if (leaks)
		return sb_st_fail(c, "affected: the pipe showed bytes written after vmsplice by the "
				     "other process (%u of 2 scenarios)",
				  leaks);
	return sb_st_pass(c, "not affected: vmsplice in a child and before fork both kept the "
			     "bytes of the moment of the call");
}

/* ---------------------------------------------------------------- 0444 page cache into sockets */

struct drain {
	int fd;
	uint8_t *buf;
	size_t want, got;
	bool dgram;
};

static void *drain_thread(void *arg)
{
	struct drain *d = arg;

	while (d->got < d->want) {
		struct pollfd pf = { .fd = d->fd, .events = POLLIN };
		ssize_t n;

		if (poll(&pf, 1, 3000) <= 0)
			break;
		n = recv(d->fd, d->buf + d->got, d->want - d->got, 0);
		if (n <= 0)
			break;
		d->got += (size_t)n;
	}
	return NULL;
}

/* Move @len bytes of @fd into @tx (by @how), receive them on @rx; 0 or a reason. */
static const char *through(int fd, int how, int tx, int rx, const uint8_t *want, size_t len,
			   size_t unit)
{
	struct drain d = { .fd = rx, .want = len };
	pthread_t th;
	const char *r = NULL;
	loff_t off = 0;
	int p[2] = { -1, -1 };

	d.buf = calloc(1, len);
	if (!d.buf || pthread_create(&th, NULL, drain_thread, &d))
		return "cannot start the receiver";
	if (how == 1 && pipe2(p, O_CLOEXEC) < 0)
		r = "pipe";
	while (!r && off < (loff_t)len) {
		size_t n = len - (size_t)off < unit ? len - (size_t)off : unit;
		ssize_t k;

		if (how == 0) {
			k = sendfile(tx, fd, &off, n);
		} else {
			k = splice(fd, &off, p[1], NULL, n, 0);
			if (k > 0 && splice(p[0], NULL, tx, NULL, (size_t)k, 0) != k)
				r = "splice pipe -> socket was short or failed";
		}
		if (k <= 0 && !r)
			r = "the transfer into the socket failed";
	}
	pthread_join(th, NULL);
	if (!r && d.got != len)
		r = "the receiver got fewer bytes than were sent";
	else if (!r && memcmp(d.buf, want, len))
		r = "the received bytes differ from the file";
	if (p[0] >= 0) {
		close(p[0]);
		close(p[1]);
	}
	free(d.buf);
	return r;
}

static int page_cache_0444(struct sb_st_ctx *c)
{
	const size_t len = 256 * 1024;
	uint8_t *want = malloc(len);
	int fd = sb_st_make_file(c, "ro", len, O_RDONLY, 0444), t, s, u[2];
	char why[256];
	const char *r;
	static const char *const legs[] = { "sendfile into TCP", "splice into UDP",
					    "splice into AF_UNIX" };

	if (!want || fd < 0)
		return sb_st_fail(c, "scratch file: %s", strerror(errno));
	sb_pattern_fill(c->seed, 0, want, len);
	for (int leg = 0; leg < 3; leg++) {
		if (leg == 0 && sb_tcp_pair(&t, &s, why, sizeof(why)))
			return sb_st_fail(c, "tcp pair: %s", why);
		if (leg == 1 && sb_udp_pair(&t, &s, why, sizeof(why)))
			return sb_st_fail(c, "udp pair: %s", why);
		if (leg == 2) {
			if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, u) < 0)
				return sb_st_fail(c, "socketpair: %s", strerror(errno));
			t = u[0];
			s = u[1];
		}
		if (leg == 1) { /* UDP: room for every datagram, 8 KiB each */
			int sz = 4 << 20;

			setsockopt(s, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
		}
		r = through(fd, leg == 0 ? 0 : 1, t, s, want, len, leg == 1 ? 8192 : 65536);
		close(t);
		close(s);
		if (r)
			return sb_st_fail(c, "%s%s: %s", leg == 1 && strstr(r, "fewer") ? "" : "affected? ",
					  legs[leg], r);
		r = file_changed(fd, want, len);
		if (r)
			return sb_st_fail(c, "affected: after %s, %s", legs[leg], r);
	}
	close(fd);
	free(want);
	return sb_st_pass(c, "not affected: 256 KiB of a 0444 file went by sendfile into TCP and "
			     "splice into UDP and AF_UNIX intact; the file is unchanged, cached and "
			     "on disk");
}

/* ---------------------------------------------------------------- sendfile to a full dgram socket */

static int sendfile_dgram_eagain(struct sb_st_ctx *c)
{
	int sv[2], fd = sb_st_make_file(c, "in", PAGE, O_RDONLY, 0600);
	uint8_t b[64] = { 0 };
	unsigned int sent = 0;
	uint64_t t0;
	ssize_t r;
	int e;

	if (fd < 0 || socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) < 0)
		return sb_st_fail(c, "setup: %s", strerror(errno));
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	while (sent < 100000 && send(sv[0], b, sizeof(b), 0) > 0)
		sent++;
	if (errno != EAGAIN)
		return sb_st_fail(c, "filling the socket ended with %s, not EAGAIN", strerror(errno));
	alarm(3); /* a blocked sendfile: SIGALRM ends the process, the harness reports it */
	t0 = sb_now_ns();
	r = sendfile(sv[0], fd, NULL, 1);
	e = errno;
	alarm(0);
	sb_st_metric(c, "datagrams_queued", sent);
	sb_st_metric(c, "call_ms", (double)(sb_now_ns() - t0) / 1e6);
	if (r < 0 && e == EAGAIN)
		return sb_st_pass(c, "not affected: sendfile into the full non-blocking socket "
				     "(%u datagrams queued) returned EAGAIN in %.2f ms",
				  sent, (double)(sb_now_ns() - t0) / 1e6);
	return sb_st_fail(c, "affected: expected EAGAIN, got %zd%s%s", r, r < 0 ? " " : "",
			  r < 0 ? strerror(e) : "");
}

/* ---------------------------------------------------------------- premature EOF */

struct burst_writer {
	int fd;
	double secs;
	uint64_t written;
	volatile int done;
};

static void *burst_thread(void *arg)
{
	struct burst_writer *w = arg;
	uint64_t end = sb_now_ns() + (uint64_t)(w->secs * 1e9);
	uint8_t buf[3 * PAGE];
	unsigned int i = 0;

	memset(buf, 'b', sizeof(buf));
	while (sb_now_ns() < end && i < 1000000) {
		size_t n = 1 + (i * 7919) % sizeof(buf);
		ssize_t k = write(w->fd, buf, n);

		if (k <= 0)
			break;
		w->written += (uint64_t)k;
		if (++i % 64 == 0)
			usleep(2000); /* a pause: the reader finds the pipe empty */
	}
	w->done = 1;
	close(w->fd);
	return NULL;
}

static int premature_eof(struct sb_st_ctx *c)
{
	struct burst_writer w = { .secs = c->duration };
	int p[2], null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	uint64_t moved = 0, calls = 0;
	pthread_t th;
	ssize_t k;

	if (null < 0 || pipe2(p, O_CLOEXEC) < 0)
		return sb_st_fail(c, "setup: %s", strerror(errno));
	w.fd = p[1];
	if (pthread_create(&th, NULL, burst_thread, &w))
		return sb_st_fail(c, "cannot start the writer");
	for (;;) {
		k = splice(p[0], NULL, null, NULL, 1 << 20, 0);
		calls++;
		if (k <= 0)
			break;
		moved += (uint64_t)k;
	}
	/* a 0 is EOF only once the writer has closed its end */
	if (k == 0 && !w.done) {
		pthread_join(th, NULL);
		return sb_st_fail(c, "affected: splice returned 0 (EOF) while the writer was alive, "
				     "after %llu of its bytes",
				  (unsigned long long)moved);
	}
	pthread_join(th, NULL);
	close(p[0]);
	close(null);
	sb_st_metric(c, "bytes_moved", (double)moved);
	sb_st_metric(c, "calls", (double)calls);
	if (k < 0)
		return sb_st_fail(c, "splice failed: %s", strerror(errno));
	if (moved != w.written)
		return sb_st_fail(c, "affected: %llu bytes written, %llu spliced",
				  (unsigned long long)w.written, (unsigned long long)moved);
	return sb_st_pass(c, "not affected: %llu calls spliced all %llu bytes written in bursts; "
			     "0 came only after the writer closed",
			  (unsigned long long)calls, (unsigned long long)moved);
}

/* ---------------------------------------------------------------- O_DIRECT xfs short splice */

static int xfs_odirect_short(struct sb_st_ctx *c)
{
	const size_t len = 1 << 20;
	char path[4096];
	uint8_t *buf, *want;
	int fd, p[2], cap;
	loff_t off = 0;
	ssize_t k, free_b;

	if (snprintf(path, sizeof(path), "%s/sb-odirect-%llu", c->xfs_dir,
		     (unsigned long long)c->seed) >= (int)sizeof(path))
		return sb_st_fail(c, "path too long");
	if (posix_memalign((void **)&buf, PAGE, len) || !(want = malloc(len)))
		return sb_st_fail(c, "out of memory");
	sb_pattern_fill(c->seed, 0, want, len);
	memcpy(buf, want, len);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_DIRECT | O_CLOEXEC, 0600);
	if (fd < 0)
		return sb_st_fail(c, "O_DIRECT file on xfs: %s", strerror(errno));
	if (pwrite(fd, buf, len, 0) != (ssize_t)len) {
		unlink(path);
		return sb_st_fail(c, "O_DIRECT write: %s", strerror(errno));
	}
	if (pipe2(p, O_CLOEXEC) < 0 || (cap = fcntl(p[1], F_GETPIPE_SZ)) < 0)
		return sb_st_fail(c, "pipe: %s", strerror(errno));
	/* 12 of 16 slots taken: the splice has room for 4 pages, asks for 1 MiB */
	memset(buf, 'p', (size_t)cap);
	if (write(p[1], buf, (size_t)cap * 3 / 4) != cap * 3 / 4)
		return sb_st_fail(c, "filling the pipe: %s", strerror(errno));
	free_b = cap / 4;
	k = splice(fd, &off, p[1], NULL, len, 0);
	if (k < 0) {
		int e = errno;

		unlink(path);
		return sb_st_fail(c, "%s: expected a short count, got %s",
				  e == EAGAIN ? "affected" : "unexpected", strerror(e));
	}
	if (k == 0 || k > free_b) {
		unlink(path);
		return sb_st_fail(c, "affected: expected 1..%zd bytes (the free space), got %zd",
				  free_b, k);
	}
	if (read(p[0], buf, (size_t)cap * 3 / 4) != cap * 3 / 4 || read(p[0], buf, (size_t)k) != k ||
	    memcmp(buf, want, (size_t)k)) {
		unlink(path);
		return sb_st_fail(c, "the %zd bytes spliced differ from the file", k);
	}
	unlink(path);
	close(fd);
	sb_st_metric(c, "short_count", (double)k);
	return sb_st_pass(c, "not affected: with %zd bytes free, an O_DIRECT splice of 1 MiB from "
			     "xfs returned %zd (short), bytes intact",
			  free_b, k);
}

/* ---------------------------------------------------------------- fsnotify */

/* The inotify events (mask bits) queued for @in now. */
static uint32_t events(int in)
{
	char buf[4096] __attribute__((aligned(8)));
	uint32_t m = 0;
	ssize_t n;

	while ((n = read(in, buf, sizeof(buf))) > 0)
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *e = (struct inotify_event *)p;

			m |= e->mask;
			p += sizeof(*e) + e->len;
		}
	return m;
}

static int fsnotify_splice(struct sb_st_ctx *c)
{
	char path[4096];
	int in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC), fd = sb_st_make_file(c, "watched", PAGE,
										O_RDWR, 0600),
	    p[2];
	uint8_t b[PAGE];
	uint32_t after_in, after_out;
	loff_t off = 0;

	if (in < 0 || fd < 0 || pipe2(p, O_CLOEXEC) < 0 || scratch_path(c, "watched", path, sizeof(path)))
		return sb_st_fail(c, "setup: %s", strerror(errno));
	if (inotify_add_watch(in, path, IN_MODIFY | IN_ACCESS) < 0)
		return sb_st_fail(c, "inotify_add_watch: %s", strerror(errno));
	events(in);
	memset(b, 'n', sizeof(b));
	/* into the file */
	if (write(p[1], b, PAGE) != PAGE || splice(p[0], NULL, fd, &off, PAGE, 0) != PAGE)
		return sb_st_fail(c, "splice pipe -> file: %s", strerror(errno));
	after_in = events(in);
	/* out of the file */
	off = 0;
	if (splice(fd, &off, p[1], NULL, PAGE, 0) != PAGE)
		return sb_st_fail(c, "splice file -> pipe: %s", strerror(errno));
	after_out = events(in);
	close(in);
	close(fd);
	if (!(after_in & IN_MODIFY) || !(after_out & IN_ACCESS))
		return sb_st_fail(c, "affected: %s%s%s", after_in & IN_MODIFY ? "" : "no IN_MODIFY "
				  "for splice into the file",
				  !(after_in & IN_MODIFY) && !(after_out & IN_ACCESS) ? "; " : "",
				  after_out & IN_ACCESS ? "" : "no IN_ACCESS for splice out of it");
	return sb_st_pass(c, "not affected: splice into the watched file gave IN_MODIFY, splice out "
			     "of it IN_ACCESS");
}

/* ---------------------------------------------------------------- sendfile output offset */

static int sendfile_out_offset(struct sb_st_ctx *c)
{
	char path[4096], got[16] = { 0 };
	int in, out;
	ssize_t k;

	if (scratch_path(c, "in", path, sizeof(path)))
		return sb_st_fail(c, "path too long");
	in = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (scratch_path(c, "out", path, sizeof(path)))
		return sb_st_fail(c, "path too long");
	out = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (in < 0 || out < 0 || pwrite(in, "world", 5, 0) != 5 || write(out, "hello", 5) != 5)
		return sb_st_fail(c, "setup: %s", strerror(errno));
	k = sendfile(out, in, NULL, 5);
	if (k != 5)
		return sb_st_fail(c, "sendfile returned %zd (%s)", k, k < 0 ? strerror(errno) : "short");
	if (pread(out, got, sizeof(got) - 1, 0) < 0)
		return sb_st_fail(c, "re-read: %s", strerror(errno));
	close(in);
	close(out);
	if (strcmp(got, "helloworld"))
		return sb_st_fail(c, "affected: expected \"helloworld\", got \"%s\"", got);
	return sb_st_pass(c, "not affected: sendfile with a NULL offset wrote at the output's "
			     "position: \"helloworld\"");
}

/* ---------------------------------------------------------------- socket -> pipe -> socket relay */

struct feeder {
	int fd;
	uint64_t seed;
	size_t len;
	int err;
};

static void *feed_thread(void *arg)
{
	struct feeder *f = arg;
	uint8_t *b = malloc(65536);
	size_t off = 0;

	if (!b) {
		f->err = ENOMEM;
		return NULL;
	}
	while (off < f->len) {
		size_t n = f->len - off < 65536 ? f->len - off : 65536;
		ssize_t k;

		sb_pattern_fill(f->seed, off, b, n);
		k = send(f->fd, b, n, 0);
		if (k <= 0) {
			f->err = errno;
			break;
		}
		off += (size_t)k;
	}
	shutdown(f->fd, SHUT_WR);
	free(b);
	return NULL;
}

static int socket_relay(struct sb_st_ctx *c)
{
	size_t len = c->duration >= 5 ? 256 << 20 : 64 << 20;
	struct feeder f = { .seed = c->seed, .len = len };
	struct drain d = { 0 };
	int a_tx, a_rx, b_tx, b_rx, p[2];
	pthread_t tf, td;
	uint64_t moved = 0;
	char why[256];
	uint8_t *want;
	ssize_t k;

	if (sb_tcp_pair(&a_tx, &a_rx, why, sizeof(why)) || sb_tcp_pair(&b_tx, &b_rx, why, sizeof(why)))
		return sb_st_fail(c, "tcp pairs: %s", why);
	if (pipe2(p, O_CLOEXEC) < 0)
		return sb_st_fail(c, "pipe: %s", strerror(errno));
	fcntl(p[1], F_SETPIPE_SZ, 1 << 20);
	d.fd = b_rx;
	d.want = len;
	d.buf = malloc(len);
	want = malloc(len);
	if (!d.buf || !want)
		return sb_st_fail(c, "out of memory");
	f.fd = a_tx;
	if (pthread_create(&tf, NULL, feed_thread, &f) || pthread_create(&td, NULL, drain_thread, &d))
		return sb_st_fail(c, "cannot start threads");
	/* the relay: large lengths, so the pipe holds multi-page buffers from skb_splice_bits */
	while ((k = splice(a_rx, NULL, p[1], NULL, 1 << 20, 0)) > 0) {
		ssize_t left = k;

		while (left > 0) {
			ssize_t o = splice(p[0], NULL, b_tx, NULL, (size_t)left, 0);

			if (o <= 0)
				break;
			left -= o;
		}
		if (left)
			break;
		moved += (uint64_t)k;
	}
	shutdown(b_tx, SHUT_WR);
	pthread_join(tf, NULL);
	pthread_join(td, NULL);
	sb_pattern_fill(c->seed, 0, want, len);
	sb_st_metric(c, "bytes_verified", (double)d.got);
	if (k < 0 || f.err)
		return sb_st_fail(c, "relay failed: %s", strerror(k < 0 ? errno : f.err));
	if (d.got != len || moved != len)
		return sb_st_fail(c, "affected: %zu bytes sent, %llu relayed, %zu received", len,
				  (unsigned long long)moved, d.got);
	if (memcmp(d.buf, want, len)) {
		size_t i = 0;

		while (d.buf[i] == want[i])
			i++;
		return sb_st_fail(c, "affected: the relayed stream differs from byte %zu on", i);
	}
	free(d.buf);
	free(want);
	return sb_st_pass(c, "not affected: %zu MiB relayed TCP -> pipe -> TCP, every byte in order",
			  len >> 20);
}

/* ---------------------------------------------------------------- UDP append loop (VM-only) */

static int same_netns_as_init(void)
{
	struct stat a, b;

	if (stat("/proc/self/ns/net", &a) || stat("/proc/1/ns/net", &b))
		return -1;
	return a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

static int udp_append_loop(struct sb_st_ctx *c)
{
	struct ifreq ifr = { 0 };
	uint8_t b[8192];
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), tx, rx, p[2];
	char why[256];
	uint64_t t0;
	ssize_t k;
	int e;

	/* c->netns: the harness made this namespace; /proc/1 may be unreadable (then trust it) */
	if (!c->netns || same_netns_as_init() == 1)
		return sb_st_skip(c, "not in a private network namespace: the MTU of lo is not ours");
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	ifr.ifr_mtu = 8192;
	if (s < 0 || ioctl(s, SIOCSIFMTU, &ifr) < 0)
		return sb_st_fail(c, "setting lo's MTU to 8192 in the private namespace: %s",
				  strerror(errno));
	close(s);
	if (sb_udp_pair(&tx, &rx, why, sizeof(why)) || pipe2(p, O_CLOEXEC) < 0)
		return sb_st_fail(c, "udp pair: %s", why);
	memset(b, 'u', sizeof(b));
	/* a corked datagram near the MTU, then a splice far beyond it */
	if (send(tx, b, 8161, MSG_MORE) != 8161 || write(p[1], b, 8) != 8)
		return sb_st_fail(c, "setup: %s", strerror(errno));
	alarm((unsigned int)c->duration + 5); /* a kernel loop: SIGALRM cannot end it, the watchdog reports */
	t0 = sb_now_ns();
	k = splice(p[0], NULL, tx, NULL, 0x4ffe0, 0);
	e = errno;
	alarm(0);
	sb_st_metric(c, "call_ms", (double)(sb_now_ns() - t0) / 1e6);
	return sb_st_pass(c, "not affected: the splice returned (%zd%s%s) after %.1f ms", k,
			  k < 0 ? " " : "", k < 0 ? strerror(e) : "",
			  (double)(sb_now_ns() - t0) / 1e6);
}

/* ---------------------------------------------------------------- the table */

#define BUG(name, ident, what, src, fl, f)                                        \
	const struct sb_stressor sb_st_bug_##name = {                            \
		.id = "bug." ident, .kind = SB_ST_BUG, .checks = what, .source = src, \
		.flags = fl, .fn = f,                                             \
	}

BUG(dirty_pipe, "dirty-pipe",
    "Dirty Pipe: a write into a pipe merges into a page-cache page spliced into it, changing a "
    "read-only file",
    "CVE-2022-0847; fix 9d2231c5d74e (5.8 to 5.16.11); LTP security/dirtypipe", 0, dirty_pipe);
BUG(cow_vmsplice_fork, "cow-vmsplice-fork",
    "vmsplice pins a page shared by fork: the other process's later writes must not show in the "
    "pipe",
    "CVE-2020-29374 class (GUP COW); selftests/mm/cow.c vmsplice tests", 0, cow_vmsplice);
BUG(page_cache_0444, "page-cache-0444",
    "page-cache pages of a read-only file spliced or sent into TCP, UDP and AF_UNIX sockets must "
    "arrive intact and leave the file unchanged",
    "2026 Copy Fail family (a664bf3d603d, f4c50a4034e6, 736b380e28d0); LTP af_alg08, "
    "cve-2026-46331",
    SB_STF_NET, page_cache_0444);
BUG(sendfile_dgram_eagain, "sendfile-dgram-eagain",
    "sendfile into a full non-blocking AF_UNIX datagram socket returns EAGAIN instead of blocking",
    "6.5-rc regression 2dc334f1a63a, fix 0f0fa27b871b; LTP sendfile07", 0,
    sendfile_dgram_eagain);
BUG(premature_eof, "splice-premature-eof",
    "splice from a pipe returns 0 (EOF) only after the last writer closed, never while one is "
    "alive",
    "a194dfe6e6f6 (5.5); Tetsuo Handa 2020-08-27 \"splice: fix premature end of input detection\"",
    0, premature_eof);
BUG(xfs_odirect_short, "xfs-odirect-short",
    "an O_DIRECT splice from xfs into a partly full pipe returns a short count, not EAGAIN",
    "Darrick Wong 20190829161155.GA5360@magnolia \"splice: only read in as much information as "
    "there is pipe buffer space\"",
    SB_STF_XFS, xfs_odirect_short);
BUG(fsnotify_splice, "fsnotify-splice",
    "splice into a file generates IN_MODIFY and splice out of it IN_ACCESS",
    "Chung-Chiang Cheng 20230322062519.409752-1-cccheng@synology.com; Ahelenia Ziemianska "
    "2023-06-26 (fsnotify for splice)",
    0, fsnotify_splice);
BUG(sendfile_out_offset, "sendfile-out-offset",
    "sendfile with a NULL offset writes at the output file's position",
    "fix 2cb4b05e7647; LTP sendfile08", 0, sendfile_out_offset);
BUG(socket_relay, "splice-socket-relay",
    "TCP -> pipe -> TCP relay with multi-page pipe buffers from skb_splice_bits neither repeats "
    "nor drops bytes",
    "fix ca2d49f77ce4 (syzbot); David Howells 1428985.1686737388@warthog.procyon.org.uk",
    SB_STF_NET, socket_relay);
BUG(udp_append_loop, "udp-append-loop",
    "splice into a UDP socket holding a corked datagram near the MTU returns instead of looping "
    "in __ip_append_data",
    "fix 0f71c9caf267; David Howells 1420063.1690904933@warthog.procyon.org.uk",
    SB_STF_NET | SB_STF_DANGEROUS, udp_append_loop);
