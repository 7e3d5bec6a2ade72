// SPDX-License-Identifier: MIT
/*
 * Races and concurrency: threads racing on one file, pipe or socket for
 * c->duration seconds (each case under the harness's watchdog). A case
 * fails on a corrupted byte, an errno outside the documented set, a thread
 * that burns CPU while blocked, a lost wake-up or a hang.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pattern.h"
#include "stress.h"

#define PAGE 4096
#define MAX_THREADS 64

static uint64_t deadline(const struct sb_st_ctx *c)
{
	return sb_now_ns() + (uint64_t)(c->duration * 1e9);
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static unsigned int nthreads(const struct sb_st_ctx *c)
{
	return c->workers < 2 ? 2 : c->workers > MAX_THREADS ? MAX_THREADS : c->workers;
}

/* ---------------------------------------------------------------- truncate / punch hole vs splice */

struct trunc_race {
	struct sb_st_ctx *c;
	int fd;		   /* the file, O_RDWR */
	size_t len;
	bool punch;	   /* punch holes instead of truncating */
	uint64_t end;
	atomic_bool stop;
	uint64_t cuts;
	int cut_err;
};

static void *cutter(void *arg)
{
	struct trunc_race *t = arg;
	uint8_t *b = malloc(t->len);
	uint64_t rnd = t->c->seed | 1;

	if (!b)
		return NULL;
	sb_pattern_fill(t->c->seed, 0, b, t->len);
	while (!atomic_load(&t->stop) && sb_now_ns() < t->end && t->cuts < 10000000) {
		off_t at = (off_t)(xorshift(&rnd) % (t->len / PAGE)) * PAGE;
		int r;

		if (t->punch)
			r = fallocate(t->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, at,
				      (off_t)PAGE * (1 + xorshift(&rnd) % 8));
		else
			r = ftruncate(t->fd, at);
		if (r < 0) {
			t->cut_err = errno;
			break;
		}
		/* put the pattern back */
		if (pwrite(t->fd, b, t->len, 0) != (ssize_t)t->len) {
			t->cut_err = errno;
			break;
		}
		t->cuts++;
	}
	free(b);
	return NULL;
}

/* Bytes read at stream offset @off must be the pattern or zero (a hole, a truncated tail). */
static long first_bad(const uint8_t *got, const uint8_t *want, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (got[i] != want[i] && got[i] != 0)
			return (long)i;
	return -1;
}

static int trunc_race(struct sb_st_ctx *c, bool punch)
{
	struct trunc_race t = { .c = c, .len = 1 << 20, .punch = punch };
	uint8_t *want = malloc(t.len), *got = malloc(PAGE * 16);
	uint64_t calls = 0, bytes = 0, enodata = 0, zero = 0;
	int p[2], fd;
	pthread_t th;
	const char *fail = NULL;
	char buf[160];

	fd = sb_st_make_file(c, "racy", t.len, O_RDWR, 0600);
	if (fd < 0 || !want || !got || pipe2(p, O_CLOEXEC) < 0)
		return sb_st_fail(c, "setup: %s", strerror(errno));
	if (punch && fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, PAGE) < 0 &&
	    errno == EOPNOTSUPP)
		return sb_st_skip(c, "the scratch file system cannot punch holes");
	sb_pattern_fill(c->seed, 0, want, t.len);
	t.fd = fd;
	t.end = deadline(c);
	if (pthread_create(&th, NULL, cutter, &t))
		return sb_st_fail(c, "cannot start the cutter");
	while (sb_now_ns() < t.end && calls < 50000000 && !fail) {
		loff_t off = (loff_t)(calls * 3 % (t.len / PAGE)) * PAGE, start = off;
		ssize_t k = splice(fd, &off, p[1], NULL, PAGE * 16, 0), r;

		calls++;
		if (k == 0) {
			zero++;
			continue;
		}
		if (k < 0) {
			if (errno == ENODATA || errno == EIO) {
				enodata++;
				continue;
			}
			snprintf(buf, sizeof(buf), "splice failed with %s", strerror(errno));
			fail = buf;
			break;
		}
		for (ssize_t have = 0; have < k; have += r) {
			r = read(p[0], got + have, (size_t)(k - have));
			if (r < 0 && (errno == ENODATA || errno == EIO)) {
				/*
				 * A truncated page in the pipe: its confirm fails, and
				 * keeps failing (the buffer stays); start a new pipe.
				 */
				enodata++;
				close(p[0]);
				close(p[1]);
				if (pipe2(p, O_CLOEXEC) < 0) {
					snprintf(buf, sizeof(buf), "pipe: %s", strerror(errno));
					fail = buf;
				}
				k = have;
				break;
			}
			if (r <= 0) {
				snprintf(buf, sizeof(buf), "reading the pipe: %s",
					 r < 0 ? strerror(errno) : "EOF");
				fail = buf;
				break;
			}
		}
		if (!fail && k > 0) {
			long bad = first_bad(got, want + start, (size_t)k);

			if (bad >= 0) {
				snprintf(buf, sizeof(buf),
					 "byte %lld of the file arrived as 0x%02x, neither the "
					 "pattern's 0x%02x nor zero",
					 (long long)start + bad, got[bad], want[start + bad]);
				fail = buf;
			}
			bytes += (uint64_t)k;
		}
		/* whatever the failed confirm left: empty the pipe */
		while (!fail) {
			struct pollfd pf = { .fd = p[0], .events = POLLIN };

			if (poll(&pf, 1, 0) <= 0 || read(p[0], got, PAGE * 16) <= 0)
				break;
		}
	}
	atomic_store(&t.stop, true);
	pthread_join(th, NULL);
	sb_st_metric(c, "calls", (double)calls);
	sb_st_metric(c, "bytes_verified", (double)bytes);
	sb_st_metric(c, punch ? "punches" : "truncates", (double)t.cuts);
	sb_st_metric(c, "enodata_eio", (double)enodata);
	sb_st_metric(c, "zero_returns", (double)zero);
	if (fail)
		return sb_st_fail(c, "%s", fail);
	if (t.cut_err)
		return sb_st_fail(c, "%s failed: %s", punch ? "fallocate(PUNCH_HOLE)" : "ftruncate",
				  strerror(t.cut_err));
	if (!bytes || !t.cuts)
		return sb_st_fail(c, "nothing raced: %llu bytes spliced, %llu cuts",
				  (unsigned long long)bytes, (unsigned long long)t.cuts);
	return sb_st_pass(c, "%llu splices against %llu %s: %.1f MiB checked (pattern or zero), "
			     "%llu ENODATA/EIO, %llu returned 0",
			  (unsigned long long)calls, (unsigned long long)t.cuts,
			  punch ? "hole punches" : "truncates", (double)bytes / SB_MIB,
			  (unsigned long long)enodata, (unsigned long long)zero);
}

static int truncate_splice(struct sb_st_ctx *c)
{
	return trunc_race(c, false);
}

static int punch_splice(struct sb_st_ctx *c)
{
	return trunc_race(c, true);
}

/* ---------------------------------------------------------------- F_SETPIPE_SZ vs splice and read */

struct resize {
	struct sb_st_ctx *c;
	int fd, pr, pw;
	size_t len;
	uint64_t end;
	atomic_bool stop;
	uint64_t resizes, ebusy, spliced;
	atomic_bool resizer_done;
	int err;
};

static void *resizer(void *arg)
{
	struct resize *r = arg;
	uint64_t rnd = r->c->seed | 3;

	while (!atomic_load(&r->stop) && sb_now_ns() < r->end && r->resizes < 10000000) {
		int sz = PAGE << (xorshift(&rnd) % 9); /* 4 KiB .. 1 MiB */

		if (fcntl(r->pw, F_SETPIPE_SZ, sz) < 0) {
			if (errno != EBUSY) {
				r->err = errno;
				break;
			}
			r->ebusy++;
		}
		r->resizes++;
	}
	atomic_store(&r->resizer_done, true);
	return NULL;
}

static void *file_splicer(void *arg)
{
	struct resize *r = arg;
	loff_t off = 0;

	while (sb_now_ns() < r->end) {
		ssize_t k = splice(r->fd, &off, r->pw, NULL, 64 * 1024, 0);

		if (k < 0) {
			r->err = errno;
			break;
		}
		if (off >= (loff_t)r->len)
			off = 0; /* the stream wraps: the reader knows the period */
		r->spliced += (uint64_t)k;
	}
	/* the write end closes (EOF for the reader) once nobody resizes it any more */
	while (!atomic_load(&r->resizer_done))
		usleep(1000);
	close(r->pw);
	return NULL;
}

static int pipe_resize(struct sb_st_ctx *c)
{
	struct resize r = { .c = c, .len = 1 << 20 };
	uint8_t *want = malloc(r.len), *got = malloc(64 * 1024);
	pthread_t ts, tr;
	int p[2];
	uint64_t pos = 0;
	ssize_t k;

	r.fd = sb_st_make_file(c, "src", r.len, O_RDONLY, 0600);
	if (r.fd < 0 || !want || !got || pipe2(p, O_CLOEXEC) < 0)
		return sb_st_fail(c, "setup: %s", strerror(errno));
	sb_pattern_fill(c->seed, 0, want, r.len);
	r.pr = p[0];
	r.pw = p[1];
	r.end = deadline(c);
	if (pthread_create(&ts, NULL, file_splicer, &r) || pthread_create(&tr, NULL, resizer, &r))
		return sb_st_fail(c, "cannot start threads");
	while ((k = read(p[0], got, 64 * 1024)) > 0) {
		for (ssize_t i = 0; i < k; i++)
			if (got[i] != want[(pos + (uint64_t)i) % r.len]) {
				atomic_store(&r.stop, true);
				pthread_join(ts, NULL);
				pthread_join(tr, NULL);
				return sb_st_fail(c, "stream byte %llu is 0x%02x, want 0x%02x (resizing "
						     "reordered or damaged the pipe's buffers)",
						  (unsigned long long)(pos + (uint64_t)i), got[i],
						  want[(pos + (uint64_t)i) % r.len]);
			}
		pos += (uint64_t)k;
	}
	atomic_store(&r.stop, true);
	pthread_join(ts, NULL);
	pthread_join(tr, NULL);
	sb_st_metric(c, "bytes_verified", (double)pos);
	sb_st_metric(c, "resizes", (double)r.resizes);
	sb_st_metric(c, "ebusy", (double)r.ebusy);
	if (k < 0)
		return sb_st_fail(c, "read: %s", strerror(errno));
	if (r.err)
		return sb_st_fail(c, "unexpected %s (splice or F_SETPIPE_SZ)", strerror(r.err));
	if (pos != r.spliced)
		return sb_st_fail(c, "%llu bytes spliced, %llu read", (unsigned long long)r.spliced,
				  (unsigned long long)pos);
	return sb_st_pass(c, "%llu resizes (%llu EBUSY) against splice and read: %.1f MiB read, "
			     "every byte in order",
			  (unsigned long long)r.resizes, (unsigned long long)r.ebusy,
			  (double)pos / SB_MIB);
}

/* ---------------------------------------------------------------- several splicers on one pipe */

struct rec_writer {
	struct sb_st_ctx *c;
	int fd, pw;
	unsigned int id;
	uint64_t end, records;
	int err;
};

static void *rec_splicer(void *arg)
{
	struct rec_writer *w = arg;
	const uint64_t nrec = 256;

	while (sb_now_ns() < w->end && w->records < 100000000) {
		loff_t off = (loff_t)(w->records % nrec) * PAGE;

		if (splice(w->fd, &off, w->pw, NULL, PAGE, 0) != PAGE) {
			w->err = errno ? errno : EIO;
			break;
		}
		w->records++;
	}
	return NULL;
}

static int many_splicers(struct sb_st_ctx *c)
{
	unsigned int n = nthreads(c), live;
	struct rec_writer w[MAX_THREADS];
	pthread_t th[MAX_THREADS];
	uint64_t seen[MAX_THREADS] = { 0 }, total = 0;
	uint8_t *rec = malloc(PAGE);
	int p[2];

	if (!rec || pipe2(p, O_CLOEXEC) < 0)
		return sb_st_fail(c, "setup: %s", strerror(errno));
	/* each writer's file: 256 records of one page, "id, sequence mod 256", then its pattern */
	for (unsigned int i = 0; i < n; i++) {
		char name[32];
		uint8_t *img = malloc(256 * PAGE);
		int fd;

		snprintf(name, sizeof(name), "w%u", i);
		fd = sb_st_make_file(c, name, 0, O_RDWR, 0600);
		if (fd < 0 || !img)
			return sb_st_fail(c, "setup: %s", strerror(errno));
		for (unsigned int r = 0; r < 256; r++) {
			uint8_t *pg = img + (size_t)r * PAGE;

			sb_pattern_fill(c->seed + i, (uint64_t)r * PAGE, pg, PAGE);
			pg[0] = (uint8_t)i;
			pg[1] = (uint8_t)r;
		}
		if (pwrite(fd, img, 256 * PAGE, 0) != 256 * PAGE)
			return sb_st_fail(c, "writing w%u: %s", i, strerror(errno));
		free(img);
		w[i] = (struct rec_writer){ .c = c, .fd = fd, .pw = p[1], .id = i, .end = deadline(c) };
	}
	for (unsigned int i = 0; i < n; i++)
		if (pthread_create(&th[i], NULL, rec_splicer, &w[i]))
			return sb_st_fail(c, "cannot start thread %u", i);
	live = n;
	/* the reader: whole pages, each a whole record of one writer, in that writer's order */
	for (;;) {
		size_t have = 0;
		ssize_t k = 0;
		unsigned int id, seq;
		uint8_t want[PAGE];

		if (live) {
			struct pollfd pf = { .fd = p[0], .events = POLLIN };

			if (poll(&pf, 1, 50) == 0) {
				live = 0;
				for (unsigned int i = 0; i < n; i++)
					live += sb_now_ns() < w[i].end;
				if (!live) { /* all writers past their end: join, then drain */
					for (unsigned int i = 0; i < n; i++)
						pthread_join(th[i], NULL);
					close(p[1]);
				}
				continue;
			}
		}
		while (have < PAGE && (k = read(p[0], rec + have, PAGE - have)) > 0)
			have += (size_t)k;
		if (!have)
			break;
		if (have < PAGE)
			return sb_st_fail(c, "a record was cut: %zu bytes at the end", have);
		id = rec[0];
		seq = rec[1];
		if (id >= n)
			return sb_st_fail(c, "a record names writer %u of %u", id, n);
		sb_pattern_fill(c->seed + id, (uint64_t)seq * PAGE, want, PAGE);
		if (seq != seen[id] % 256 || memcmp(rec + 2, want + 2, PAGE - 2))
			return sb_st_fail(c, "writer %u: record %llu arrived as sequence %u%s", id,
					  (unsigned long long)seen[id], seq,
					  seq == seen[id] % 256 ? " with other bytes" : " (out of order)");
		seen[id]++;
		total++;
	}
	for (unsigned int i = 0; i < n; i++) {
		if (w[i].err)
			return sb_st_fail(c, "writer %u: splice: %s", i, strerror(w[i].err));
		if (seen[i] != w[i].records)
			return sb_st_fail(c, "writer %u spliced %llu records, %llu arrived", i,
					  (unsigned long long)w[i].records,
					  (unsigned long long)seen[i]);
	}
	sb_st_metric(c, "records", (double)total);
	sb_st_metric(c, "bytes_verified", (double)total * PAGE);
	sb_st_metric(c, "writers", n);
	return sb_st_pass(c, "%u splicers into one pipe: %llu page records, each whole, each "
			     "writer's in order, none lost",
			  n, (unsigned long long)total);
}

/* several splicers out of one pipe */
struct out_splicer {
	int pr, null;
	uint64_t bytes;
	int err;
};

static void *out_thread(void *arg)
{
	struct out_splicer *o = arg;
	ssize_t k;

	while ((k = splice(o->pr, NULL, o->null, NULL, 3 * PAGE + 100, 0)) > 0)
		o->bytes += (uint64_t)k;
	if (k < 0)
		o->err = errno;
	return NULL;
}

static int many_readers(struct sb_st_ctx *c)
{
	unsigned int n = nthreads(c);
	struct out_splicer o[MAX_THREADS];
	pthread_t th[MAX_THREADS];
	uint8_t buf[8192];
	uint64_t written = 0, got = 0, end = deadline(c), rnd = c->seed | 5;
	int p[2], null = open("/dev/null", O_WRONLY | O_CLOEXEC);

	if (null < 0 || pipe2(p, O_CLOEXEC) < 0)
		return sb_st_fail(c, "setup: %s", strerror(errno));
	memset(buf, 'r', sizeof(buf));
	for (unsigned int i = 0; i < n; i++) {
		o[i] = (struct out_splicer){ .pr = p[0], .null = null };
		if (pthread_create(&th[i], NULL, out_thread, &o[i]))
			return sb_st_fail(c, "cannot start thread %u", i);
	}
	while (sb_now_ns() < end && written < (64ULL << 30)) {
		ssize_t k = write(p[1], buf, 1 + xorshift(&rnd) % sizeof(buf));

		if (k <= 0)
			return sb_st_fail(c, "write: %s", strerror(errno));
		written += (uint64_t)k;
	}
	close(p[1]);
	for (unsigned int i = 0; i < n; i++) {
		pthread_join(th[i], NULL);
		if (o[i].err)
			return sb_st_fail(c, "splicer %u: %s", i, strerror(o[i].err));
		got += o[i].bytes;
	}
	sb_st_metric(c, "bytes_moved", (double)got);
	sb_st_metric(c, "readers", n);
	if (got != written)
		return sb_st_fail(c, "%llu bytes written, %llu spliced out by %u splicers",
				  (unsigned long long)written, (unsigned long long)got, n);
	return sb_st_pass(c, "%u splicers out of one pipe moved exactly the %.1f MiB written", n,
			  (double)written / SB_MIB);
}

/* ---------------------------------------------------------------- signals during a blocked splice */

static void on_usr1(int sig)
{
	(void)sig;
}

struct blocked {
	int in, out;
	ssize_t ret;
	int err;
	atomic_bool started;
};

static void *blocked_splice(void *arg)
{
	struct blocked *b = arg;

	atomic_store(&b->started, true);
	b->ret = splice(b->in, NULL, b->out, NULL, PAGE, 0);
	b->err = errno;
	return NULL;
}

/* Whether thread @tid sleeps in the kernel ('S' in /proc/self/task/TID/stat). */
static bool sleeping(pid_t tid)
{
	char path[64], buf[256], *r;
	FILE *f;
	bool s = false;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
	f = fopen(path, "re");
	if (!f)
		return false;
	if (fgets(buf, sizeof(buf), f) && (r = strrchr(buf, ')')))
		s = r[2] == 'S';
	fclose(f);
	return s;
}

static pid_t thread_tid;

static void *tid_then_splice(void *arg)
{
	thread_tid = gettid();
	return blocked_splice(arg);
}

static int signal_case(struct sb_st_ctx *c, bool restart)
{
	struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = restart ? SA_RESTART : 0 };
	struct blocked b = { 0 };
	int p[2], q[2];
	pthread_t th;
	uint64_t t0;
	char data[PAGE];

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	if (pipe2(p, O_CLOEXEC) < 0 || pipe2(q, O_CLOEXEC) < 0)
		return sb_st_fail(c, "pipe: %s", strerror(errno));
	b.in = p[0];
	b.out = q[1];
	thread_tid = 0;
	if (pthread_create(&th, NULL, tid_then_splice, &b))
		return sb_st_fail(c, "cannot start the thread");
	t0 = sb_now_ns();
	while ((!thread_tid || !sleeping(thread_tid)) && sb_now_ns() - t0 < 5 * SB_NSEC_PER_SEC)
		usleep(1000);
	usleep(50000);
	pthread_kill(th, SIGUSR1);
	usleep(100000);
	memset(data, 's', sizeof(data));
	if (write(p[1], data, 100) != 100)
		return sb_st_fail(c, "write: %s", strerror(errno));
	pthread_join(th, NULL);
	if (!restart) {
		if (b.ret < 0 && b.err == EINTR)
			return sb_st_pass(c, "a splice blocked on an empty pipe returned EINTR on a "
					     "signal without SA_RESTART");
		return sb_st_fail(c, "expected EINTR, got %zd%s%s", b.ret, b.ret < 0 ? " " : "",
				  b.ret < 0 ? strerror(b.err) : "");
	}
	if (b.ret == 100)
		return sb_st_pass(c, "with SA_RESTART the splice went on waiting through the signal "
				     "and returned the 100 bytes written after it");
	return sb_st_fail(c, "expected the 100 bytes written after the signal, got %zd%s%s", b.ret,
			  b.ret < 0 ? " " : "", b.ret < 0 ? strerror(b.err) : "");
}

static int signal_eintr(struct sb_st_ctx *c)
{
	return signal_case(c, false);
}

static int signal_restart(struct sb_st_ctx *c)
{
	return signal_case(c, true);
}

/* ---------------------------------------------------------------- no busy loop while blocked */

struct cpu_blocked {
	int in, out;
	clockid_t clk;
	atomic_bool ready;
	ssize_t ret;
};

static void *cpu_blocked_thread(void *arg)
{
	struct cpu_blocked *b = arg;

	pthread_getcpuclockid(pthread_self(), &b->clk);
	atomic_store(&b->ready, true);
	b->ret = splice(b->in, NULL, b->out, NULL, PAGE, 0);
	return NULL;
}

static double clk_ms(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int blocked_cpu(struct sb_st_ctx *c)
{
	struct cpu_blocked b[2] = { 0 };
	int src[2], dst[2], us[2], dst2[2], eagain = 0;
	const char *names[] = { "pipe -> pipe", "AF_UNIX -> pipe" };
	pthread_t th[2];
	double cpu0[2], cpu1[2], wall;
	uint64_t t0;

	if (pipe2(src, O_CLOEXEC) < 0 || pipe2(dst, O_CLOEXEC) < 0 || pipe2(dst2, O_CLOEXEC) < 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, us) < 0)
		return sb_st_fail(c, "setup: %s", strerror(errno));
	/* non-blocking variants first: EAGAIN at once */
	eagain += splice(src[0], NULL, dst[1], NULL, PAGE, SPLICE_F_NONBLOCK) < 0 && errno == EAGAIN;
	eagain += splice(us[1], NULL, dst2[1], NULL, PAGE, SPLICE_F_NONBLOCK) < 0 && errno == EAGAIN;
	fcntl(us[1], F_SETFL, O_NONBLOCK);
	eagain += splice(us[1], NULL, dst2[1], NULL, PAGE, 0) < 0 && errno == EAGAIN;
	fcntl(us[1], F_SETFL, 0);
	if (eagain != 3)
		return sb_st_fail(c, "%d of 3 non-blocking splices on an empty pipe or socket gave "
				     "EAGAIN",
				  eagain);
	b[0] = (struct cpu_blocked){ .in = src[0], .out = dst[1] };
	b[1] = (struct cpu_blocked){ .in = us[1], .out = dst2[1] };
	for (int i = 0; i < 2; i++)
		if (pthread_create(&th[i], NULL, cpu_blocked_thread, &b[i]))
			return sb_st_fail(c, "cannot start threads");
	while (!atomic_load(&b[0].ready) || !atomic_load(&b[1].ready))
		usleep(1000);
	usleep(100000); /* both are in the kernel by now */
	t0 = sb_now_ns();
	for (int i = 0; i < 2; i++)
		cpu0[i] = clk_ms(b[i].clk);
	usleep((useconds_t)(c->duration * 1e6));
	wall = (double)(sb_now_ns() - t0) / 1e6;
	for (int i = 0; i < 2; i++)
		cpu1[i] = clk_ms(b[i].clk);
	/* wake them with data */
	if (write(src[1], "x", 1) != 1 || write(us[0], "y", 1) != 1)
		return sb_st_fail(c, "write: %s", strerror(errno));
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	sb_st_metric(c, "blocked_ms", wall);
	sb_st_metric(c, "pipe_cpu_ms", cpu1[0] - cpu0[0]);
	sb_st_metric(c, "unix_cpu_ms", cpu1[1] - cpu0[1]);
	for (int i = 0; i < 2; i++) {
		if (cpu1[i] - cpu0[i] > 0.1 * wall)
			return sb_st_fail(c, "the splice blocked on an idle %s used %.1f ms of CPU in "
					     "%.0f ms (a busy loop)",
					  names[i], cpu1[i] - cpu0[i], wall);
		if (b[i].ret != 1)
			return sb_st_fail(c, "the %s splice returned %zd after the wake-up, not 1",
					  names[i], b[i].ret);
	}
	return sb_st_pass(c, "blocked %.0f ms on an idle pipe -> pipe and AF_UNIX -> pipe: %.2f and "
			     "%.2f ms CPU; non-blocking: EAGAIN 3/3",
			  wall, cpu1[0] - cpu0[0], cpu1[1] - cpu0[1]);
}

/* ---------------------------------------------------------------- writers and readers closing */

struct closing_writer {
	int fd;
	size_t len;
};

static void *write_then_close(void *arg)
{
	struct closing_writer *w = arg;
	char b[PAGE];
	size_t done = 0;

	memset(b, 'w', sizeof(b));
	while (done < w->len) {
		ssize_t k = write(w->fd, b, sizeof(b) < w->len - done ? sizeof(b) : w->len - done);

		if (k <= 0)
			break;
		done += (size_t)k;
		if (done % (16 * PAGE) == 0)
			usleep(1000);
	}
	close(w->fd);
	return NULL;
}

static int writer_close(struct sb_st_ctx *c)
{
	struct closing_writer w = { .len = 4 << 20 };
	int p[2], q[2], null = open("/dev/null", O_WRONLY | O_CLOEXEC), st;
	uint64_t got = 0;
	pthread_t th;
	ssize_t k;
	pid_t pid;

	if (null < 0 || pipe2(p, O_CLOEXEC) < 0)
		return sb_st_fail(c, "setup: %s", strerror(errno));
	/* (a) the writer closes mid-stream: all data, then 0 */
	w.fd = p[1];
	if (pthread_create(&th, NULL, write_then_close, &w))
		return sb_st_fail(c, "cannot start the writer");
	while ((k = splice(p[0], NULL, null, NULL, 1 << 20, 0)) > 0)
		got += (uint64_t)k;
	pthread_join(th, NULL);
	close(p[0]);
	if (k < 0 || got != w.len)
		return sb_st_fail(c, "the writer wrote %zu bytes and closed; the splicer got %llu%s%s",
				  w.len, (unsigned long long)got, k < 0 ? " then " : "",
				  k < 0 ? strerror(errno) : "");
	/* (b) the reader closes: EPIPE with SIGPIPE ignored */
	if (pipe2(q, O_CLOEXEC) < 0)
		return sb_st_fail(c, "pipe: %s", strerror(errno));
	signal(SIGPIPE, SIG_IGN);
	close(q[0]);
	{
		int fd = sb_st_make_file(c, "src", PAGE, O_RDONLY, 0600);
		loff_t off = 0;

		if (fd < 0)
			return sb_st_fail(c, "scratch file: %s", strerror(errno));
		k = splice(fd, &off, q[1], NULL, PAGE, 0);
		if (!(k < 0 && errno == EPIPE))
			return sb_st_fail(c, "splice into a pipe without readers: expected EPIPE, "
					     "got %zd",
					  k);
		/* and with the default disposition, SIGPIPE ends the process */
		pid = fork();
		if (pid == 0) {
			signal(SIGPIPE, SIG_DFL);
			off = 0;
			splice(fd, &off, q[1], NULL, PAGE, 0);
			_exit(0);
		}
		if (pid < 0 || waitpid(pid, &st, 0) != pid)
			return sb_st_fail(c, "fork: %s", strerror(errno));
		if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGPIPE)
			return sb_st_fail(c, "a process splicing into a pipe without readers was not "
					     "killed by SIGPIPE (status %d)",
					  st);
		close(fd);
	}
	close(q[1]);
	sb_st_metric(c, "bytes_moved", (double)got);
	return sb_st_pass(c, "a writer closing mid-stream: all %llu bytes then 0; a reader gone: "
			     "EPIPE, and SIGPIPE kills by default",
			  (unsigned long long)got);
}

/* ---------------------------------------------------------------- the last writer wakes all readers */

struct waiter {
	int fd, null;
	bool use_splice;
	ssize_t ret;
	atomic_bool done;
};

static void *wait_eof(void *arg)
{
	struct waiter *w = arg;
	char b[16];

	w->ret = w->use_splice ? splice(w->fd, NULL, w->null, NULL, PAGE, 0) : read(w->fd, b, 16);
	atomic_store(&w->done, true);
	return NULL;
}

static int last_writer_wakes(struct sb_st_ctx *c)
{
	unsigned int n = nthreads(c) * 2, woke = 0;
	struct waiter w[2 * MAX_THREADS];
	pthread_t th[2 * MAX_THREADS];
	int p[2], null = open("/dev/null", O_WRONLY | O_CLOEXEC), w2;
	uint64_t t0;

	if (null < 0 || pipe2(p, O_CLOEXEC) < 0 || (w2 = dup(p[1])) < 0)
		return sb_st_fail(c, "setup: %s", strerror(errno));
	for (unsigned int i = 0; i < n; i++) {
		w[i] = (struct waiter){ .fd = p[0], .null = null, .use_splice = i % 2 == 0 };
		if (pthread_create(&th[i], NULL, wait_eof, &w[i]))
			return sb_st_fail(c, "cannot start thread %u", i);
	}
	usleep(200000);
	close(p[1]); /* one writer left: nobody may wake yet */
	usleep(100000);
	for (unsigned int i = 0; i < n; i++)
		woke += atomic_load(&w[i].done);
	if (woke) {
		close(w2);
		for (unsigned int i = 0; i < n; i++)
			pthread_join(th[i], NULL);
		return sb_st_fail(c, "%u readers returned while a writer was still open", woke);
	}
	close(w2); /* the last writer */
	t0 = sb_now_ns();
	while (woke < n && sb_now_ns() - t0 < 5 * SB_NSEC_PER_SEC) {
		woke = 0;
		for (unsigned int i = 0; i < n; i++)
			woke += atomic_load(&w[i].done);
		usleep(1000);
	}
	if (woke < n)
		return sb_st_fail(c, "%u of %u blocked readers woke within 5 s of the last writer's "
				     "close (a lost wake-up)",
				  woke, n);
	for (unsigned int i = 0; i < n; i++) {
		pthread_join(th[i], NULL);
		if (w[i].ret != 0)
			return sb_st_fail(c, "reader %u returned %zd, not 0 (EOF)", i, w[i].ret);
	}
	sb_st_metric(c, "readers", n);
	sb_st_metric(c, "wake_ms", (double)(sb_now_ns() - t0) / 1e6);
	return sb_st_pass(c, "%u readers (splice and read) blocked on an empty pipe all got 0 "
			     "within %.1f ms of the last writer's close",
			  n, (double)(sb_now_ns() - t0) / 1e6);
}

/* ---------------------------------------------------------------- the table */

#define RACE(name, ident, what, src, f)                                           \
	const struct sb_stressor sb_st_race_##name = {                           \
		.id = "race." ident, .kind = SB_ST_RACE, .checks = what, .source = src, \
		.fn = f,                                                          \
	}

RACE(truncate_splice, "truncate-splice",
     "splice from a file while another thread truncates and rewrites it: every byte is the "
     "file's or zero, errors only ENODATA/EIO, no hang",
     "fs/splice.c page_cache_pipe_buf_confirm; splice(2); reference s24", truncate_splice);
RACE(punch_splice, "punch-hole-splice",
     "splice from a file while another thread punches holes and rewrites: every byte is the "
     "file's or zero, no hang",
     "fallocate(2) FALLOC_FL_PUNCH_HOLE; splice(2)", punch_splice);
RACE(pipe_resize, "pipe-resize",
     "F_SETPIPE_SZ (4 KiB..1 MiB) racing with splice into and read from the pipe: the stream "
     "stays whole and in order, only EBUSY refused",
     "pipe_resize_ring lock fix 189b0ddc2451 (5.18 stable); LTP fcntl37", pipe_resize);
RACE(many_splicers, "many-splicers",
     "several threads splice page records into one pipe: each record whole, each writer's in "
     "order, none lost",
     "pipe(7) (a page buffer is added under the pipe lock); stress-ng splice", many_splicers);
RACE(many_readers, "many-readers",
     "several threads splice out of one pipe into /dev/null: together exactly the bytes written",
     "splice(2); stress-ng pipe readers", many_readers);
RACE(signal_eintr, "signal-eintr",
     "a splice blocked on an empty pipe returns EINTR when a handler without SA_RESTART runs",
     "signal(7) (interruption of system calls); stress-ng tee (EINTR)", signal_eintr);
RACE(signal_restart, "signal-restart",
     "with SA_RESTART a blocked splice goes on waiting through the signal and returns the "
     "data written after it",
     "signal(7) SA_RESTART", signal_restart);
RACE(blocked_cpu, "blocked-cpu",
     "a splice blocked on an idle pipe or AF_UNIX socket sleeps (under 10% CPU); non-blocking "
     "ones give EAGAIN",
     "busy wait after 8cefc107ca54 (20200129235823.GA32247@sekhmet); splice(2) EAGAIN",
     blocked_cpu);
RACE(writer_close, "writer-close",
     "a writer closing mid-splice gives all its data then 0; a reader gone gives EPIPE, SIGPIPE "
     "by default",
     "pipe(7); splice(2) EPIPE", writer_close);
RACE(last_writer_wakes, "last-writer-wakes",
     "readers blocked in splice and read on an empty pipe stay blocked while a writer is open "
     "and all wake with 0 at the last close",
     "LTP pipe13; commit 6551d5c56eb0", last_writer_wakes);
