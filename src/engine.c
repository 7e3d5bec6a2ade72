// SPDX-License-Identifier: MIT
/*
 * Running one cell of the matrix: files and descriptors, the verification
 * pass, warm-up, timed samples, and the cell's JSON.
 *
 * Timing. Throughput is bytes over wall time of the whole sample. Latency is
 * exact single-op time: when an op costs at least 200 clock reads, every op
 * is timed (one clock read per op, the end of one op being the start of the
 * next). Faster ops are timed in batches of B: the first op of each batch
 * is timed on its own (one extra read), so the latency histogram holds exact
 * latencies of one op in every B. B is chosen from the previous sample so the
 * estimated clock cost stays under 0.5% of the sample, and doubled within a
 * sample when ops get faster than that estimate (only the sampling rate of
 * the latency histogram changes; `every` records the largest B).
 *
 * Verification: one untimed pass over the whole file before the samples and
 * one after them (the destination zeroed before each), so a path that breaks
 * during the samples fails the cell instead of reporting throughput.
 *
 * --verify: each op's data is checked, and before each op the destination
 * range and the buffers are poisoned so stale data cannot pass. That work is
 * timed separately and left out of wall time and latencies; CPU time and
 * perf counters cannot separate it and include it.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dioalign.h"
#include "engine.h"
#include "log.h"
#include "netns.h"
#include "sockpeer.h"
#include "stats.h"

#define TARGET_OVERHEAD 0.005 /* estimated clock cost per sample; the promise is 1% */
#define CALIBRATE_NS (10 * 1000 * 1000ULL)
#define MAX_BATCH 4096
#define NR_PERF 8
#define COLD_RESIDENT_MAX 0.01 /* a "cold" sample may start with at most 1% cached */
#define SOCK_TIMEOUT_S 5	/* a socket that moves nothing this long: the peer is gone */
#define UDP_QUIET_NS (2 * 1000 * 1000ULL) /* nothing in flight, nothing arriving: settled */

volatile sig_atomic_t sb_stop_signal;

static void on_stop_signal(int sig)
{
	sb_stop_signal = sig;
}

void sb_install_stop_signals(void)
{
	struct sigaction sa = { .sa_handler = on_stop_signal };

	/* no SA_RESTART: a blocked syscall returns EINTR and the caller unwinds */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * SB_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

uint64_t sb_clock_cost_ns(void)
{
	enum { ROUNDS = 31, READS = 1000 };
	uint64_t r[ROUNDS];

	for (int i = 0; i < ROUNDS; i++) {
		uint64_t t0 = sb_now_ns(), t1;

		for (int k = 0; k < READS - 1; k++)
			(void)sb_now_ns();
		t1 = sb_now_ns();
		r[i] = (t1 - t0) / READS;
	}
	qsort(r, ROUNDS, sizeof(r[0]), cmp_u64);
	return r[ROUNDS / 2] ? r[ROUNDS / 2] : 1;
}

const char *sb_cell_status_name(enum sb_cell_status st)
{
	switch (st) {
	case SB_CELL_OK:
		return "ok";
	case SB_CELL_SKIPPED:
		return "skipped";
	case SB_CELL_FAILED:
		return "failed";
	default:
		return "interrupted";
	}
}

int sb_engine_init(struct sb_engine *e, const struct sb_run_opts *o, uint64_t seed)
{
	int err;

	memset(e, 0, sizeof(*e));
	e->o = o;
	err = sb_pattern_init(&e->pat, seed, o->file_size);
	if (err)
		return err;
	e->evl = sb_evlist__new_default();
	if (!e->evl) {
		sb_pattern_free(&e->pat);
		return -ENOMEM;
	}
	/* counted continuously; each sample reads before and after and uses the deltas */
	sb_evlist__open(e->evl);
	sb_evlist__enable(e->evl);
	e->clock_ns = sb_clock_cost_ns();
	return 0;
}

void sb_engine_fini(struct sb_engine *e)
{
	sb_evlist__delete(e->evl);
	sb_pattern_free(&e->pat);
	e->evl = NULL;
}

/* ------------------------------------------------------------------ files */

/* pwrite or pread exactly @len bytes at @off. 0 or -errno (-EIO for a short end of file). */
static int io_full(int fd, void *buf, size_t len, off_t off, bool write)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = write ? pwrite(fd, p, len, off) : pread(fd, p, len, off);

		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		p += n;
		off += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Errors that mean "this host cannot provide the target", not "something broke". */
static bool unavailable(int err)
{
	return err == -EPERM || err == -EACCES || err == -ENOENT || err == -ENODEV ||
	       err == -ENXIO || err == -EOPNOTSUPP || err == -ENOSYS;
}

/* The cell's target directory, creating the file system on first use. */
static int target_dir(struct sb_engine *e, const struct sb_cell *c, const char **dir)
{
	int idx = c->in_dir ? SB_FS_NR : c->fs;
	const char *d = NULL;

	if (!e->tgt[idx].tried) {
		e->tgt[idx].tried = true;
		if (!e->scratch) {
			e->tgt[idx].err = e->scratch_err ? e->scratch_err : -EPERM;
			snprintf(e->tgt[idx].why, sizeof(e->tgt[idx].why), "%s", e->scratch_why);
		} else if (c->in_dir) {
			d = sb_scratch_path(e->scratch);
		} else {
			e->tgt[idx].err = sb_scratch_fs(e->scratch, (enum sb_fs)c->fs, &d,
							e->tgt[idx].why, sizeof(e->tgt[idx].why));
		}
		if (d)
			snprintf(e->tgt[idx].dir, sizeof(e->tgt[idx].dir), "%s", d);
	}
	*dir = e->tgt[idx].dir;
	return e->tgt[idx].err;
}

/* The source file of the target: the pattern, written once and synced. */
static int source_file(struct sb_engine *e, const struct sb_cell *c, const char *dir)
{
	int idx = c->in_dir ? SB_FS_NR : c->fs;
	char path[PATH_MAX + 16];
	int fd, err;

	if (e->tgt[idx].src_tried)
		return e->tgt[idx].src_err;
	e->tgt[idx].src_tried = true;
	snprintf(path, sizeof(path), "%s/src.dat", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		err = -errno;
	} else {
		err = io_full(fd, e->pat.image, e->pat.size, 0, true);
		if (!err && fsync(fd))
			err = -errno;
		close(fd);
	}
	if (err) {
		e->tgt[idx].src_err = err;
		snprintf(e->tgt[idx].src_why, sizeof(e->tgt[idx].src_why),
			 "creating the source file %s: %s", path, strerror(-err));
	}
	return err;
}

/* Fraction of @fd's pages resident in the page cache (mincore), or NAN. */
static double resident_fraction(int fd, size_t size)
{
	long pg = sysconf(_SC_PAGESIZE);
	size_t pages = (size + (size_t)pg - 1) / (size_t)pg, in = 0;
	unsigned char *vec;
	void *map;

	map = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		return NAN;
	vec = malloc(pages);
	if (vec && !mincore(map, size, vec)) {
		for (size_t i = 0; i < pages; i++)
			in += vec[i] & 1;
	} else {
		pages = 0;
	}
	free(vec);
	munmap(map, size);
	return pages ? (double)in / (double)pages : NAN;
}

/* ------------------------------------------------------------------ cell runtime */

/* What happened to the datagrams of a UDP cell, in a sample or in the whole cell. */
struct sb_dgram_counts {
	uint64_t sent;
	uint64_t received;
	uint64_t reordered;
	bool reorder_seen;     /* the receiver looked at every datagram's identity */
	uint64_t sent_bytes;
	uint64_t intact_bytes;
	struct sb_udp_snmp k;  /* the kernel's counters (deltas) */
	bool k_ok;
};

struct sample {
	uint64_t bytes;	     /* moved through the whole path (UDP: arrived intact) */
	uint64_t op_bytes;   /* the ops' bytes: what the legs carried (UDP sends: incl. lost) */
	uint64_t ops;
	uint64_t wall_ns;    /* timed work: elapsed minus verification */
	uint64_t elapsed_ns; /* first to last clock read of the sample */
	uint64_t syscalls;
	uint64_t eagain;
	uint64_t batch_ops;  /* ops per timing batch at the end of the sample */
	uint64_t clock_reads;
	uint64_t cpu_ns;     /* CLOCK_THREAD_CPUTIME_ID */
	uint64_t user_ns;    /* getrusage: tick-based, approximate */
	uint64_t sys_ns;
	uint64_t verify_ns;
	uint64_t verified;
	double resident;     /* cold cells: page-cache residency of the source after the drop */
	unsigned int drops;  /* cold cells: posix_fadvise calls it took */
	double perf[NR_PERF];
	bool perf_ok[NR_PERF];
	struct sb_hist hist; /* exact latencies of single ops */
	struct sb_dgram_counts dg; /* UDP cells */
	uint64_t io[SB_NR_SYS_SLOTS];  /* bytes per leg, as the workload counted them */
	struct sb_acct_ctrs bpf;       /* the accounting probes' counts in the sample */
};

struct cell_rt {
	struct sb_engine *e;
	const struct sb_cell *c;
	struct sb_wl_ctx ctx;
	int dst_rw;	  /* destination opened without O_DIRECT: read back, poison, hooks */
	uint8_t *check;	  /* read-back buffer */
	uint8_t *zeros;	  /* poison for destination ranges */
	struct sb_verifier ver;
	uint64_t base;	  /* first file offset used (misaligned cells: SB_MISALIGN_BYTES) */
	uint64_t end;	  /* one past the last byte: the pattern period */
	uint64_t pos;
	bool wrapped;
	uint64_t ops_ok;  /* successful ops so far in this cell */
	bool verifying;	  /* inside the verification pass */
	bool poison;	  /* poison before each op (--verify samples) */
	int err;
	char why[512];
	bool skip;	  /* err means "cannot run here", not "broken" */
	const char *dir;  /* the cell's directory (file workloads) */
	struct sb_cell_acct ca;
	/* socket cells */
	bool sock;
	bool sock_rx;	  /* the workload reads the socket */
	bool udp;
	struct sb_peer peer;
	struct sb_dgram_index didx;
	struct sb_dgram_track dtrk;
	uint64_t sent;	  /* send side: bytes the ops gave the socket */
	uint64_t dg_ops;  /* datagrams the ops sent or received */
	uint64_t dg_gone; /* send side: datagrams known lost at the last settle */
	uint64_t drained; /* receive side: datagrams still queued at the end */
	int sndbuf, rcvbuf; /* effective SO_SNDBUF of the sender, SO_RCVBUF of the receiver */
	struct sb_udp_snmp snmp0;
	bool snmp_ok;
	uint64_t netns;
};

static void *alloc_buf(size_t len)
{
	void *p = NULL;

	len = (len + 4095) & ~(size_t)4095;
	if (posix_memalign(&p, 4096, len))
		return NULL;
	memset(p, 0, len);
	return p;
}

static int set_err(struct cell_rt *rt, int err, bool skip, const char *fmt, ...) SB_PRINTF(4, 5);
static int set_err(struct cell_rt *rt, int err, bool skip, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rt->why, sizeof(rt->why), fmt, ap);
	va_end(ap);
	rt->err = err;
	rt->skip = skip;
	return err;
}

static int open_pipe(struct cell_rt *rt, int fds[2])
{
	const struct sb_run_opts *o = rt->e->o;
	uint64_t want = o->pipe_size ? o->pipe_size : sb_max_u64(64 * SB_KIB, rt->c->chunk);
	int sz;

	if (pipe2(fds, O_CLOEXEC))
		return set_err(rt, -errno, false, "pipe: %s", strerror(errno));
	if (fcntl(fds[1], F_SETPIPE_SZ, (int)want) < 0) {
		int err = errno;

		return set_err(rt, -err, err == EPERM || err == EBUSY,
			       "F_SETPIPE_SZ %llu: %s%s", (unsigned long long)want, strerror(err),
			       err == EPERM ? " (above /proc/sys/fs/pipe-max-size needs "
					      "CAP_SYS_RESOURCE)"
					    : "");
	}
	sz = fcntl(fds[1], F_GETPIPE_SZ);
	if (sz <= 0)
		return set_err(rt, -errno, false, "F_GETPIPE_SZ: %s", strerror(errno));
	rt->ctx.pipe_bytes = (size_t)sz;
	return 0;
}

static int open_files(struct cell_rt *rt)
{
	const struct sb_cell *c = rt->c;
	struct sb_wl_ctx *x = &rt->ctx;
	int dflag = c->direct != SB_DIRECT_OFF ? O_DIRECT : 0;
	char path[PATH_MAX + 16];
	const char *dir = NULL;
	int err;

	err = target_dir(rt->e, c, &dir);
	if (err)
		return set_err(rt, err, unavailable(err), "%s",
			       rt->e->tgt[c->in_dir ? SB_FS_NR : c->fs].why);
	rt->dir = dir;
	if (c->wl->flags & SB_WL_SRC_FILE) {
		err = source_file(rt->e, c, dir);
		if (err)
			return set_err(rt, err, false, "%s",
				       rt->e->tgt[c->in_dir ? SB_FS_NR : c->fs].src_why);
		snprintf(path, sizeof(path), "%s/src.dat", dir);
		x->src_fd = open(path, O_RDONLY | O_CLOEXEC | dflag);
		if (x->src_fd < 0)
			return set_err(rt, -errno, errno == EINVAL, "open %s%s: %s", path,
				       dflag ? " with O_DIRECT" : "", strerror(errno));
	}
	if (sb_cell_has_dst(c)) {
		snprintf(path, sizeof(path), "%s/dst.dat", dir);
		x->dst_fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | dflag, 0600);
		if (x->dst_fd < 0)
			return set_err(rt, -errno, errno == EINVAL, "open %s%s: %s", path,
				       dflag ? " with O_DIRECT" : "", strerror(errno));
		/*
		 * Start from a destination full of zeros (truncate, then extend), so
		 * the verification pass proves every byte was written by this cell.
		 */
		if (ftruncate(x->dst_fd, 0) || ftruncate(x->dst_fd, (off_t)rt->end))
			return set_err(rt, -errno, false, "truncate %s: %s", path,
				       strerror(errno));
		rt->dst_rw = open(path, O_RDWR | O_CLOEXEC);
		if (rt->dst_rw < 0)
			return set_err(rt, -errno, false, "open %s: %s", path, strerror(errno));
	}
	return 0;
}

/* ------------------------------------------------------------------ sockets */

/* Set a socket buffer size: forced past the sysctl limit when allowed. */
static int set_buf(int fd, int opt, int force, uint64_t bytes)
{
	int v = (int)bytes;

	if (!bytes)
		return 0;
	if (!setsockopt(fd, SOL_SOCKET, force, &v, sizeof(v)))
		return 0;
	return setsockopt(fd, SOL_SOCKET, opt, &v, sizeof(v)) ? -errno : 0;
}

static int get_buf(int fd, int opt)
{
	int v = 0;
	socklen_t len = sizeof(v);

	return getsockopt(fd, SOL_SOCKET, opt, &v, &len) ? -1 : v;
}

/*
 * A connected socket pair in the run's private network namespace: the
 * workload's end in ctx.sock_fd, the other end to the peer thread, which
 * receives (send-side workloads) or sends (receive-side ones).
 */
static int sock_setup(struct cell_rt *rt)
{
	const struct sb_run_opts *o = rt->e->o;
	const struct sb_cell *c = rt->c;
	struct sb_wl_ctx *x = &rt->ctx;
	struct timeval tmo = { .tv_sec = SOCK_TIMEOUT_S };
	int tx = -1, rx = -1, err;
	char why[256];

	rt->sock = true;
	rt->sock_rx = c->wl->flags & SB_WL_SOCK_RX;
	rt->udp = c->sock_type == SOCK_DGRAM;
	err = c->veth ? sb_netns_veth(why, sizeof(why)) : sb_netns_enter(why, sizeof(why));
	if (err)
		return set_err(rt, err, true, "%s", why);
	rt->netns = sb_netns_id();
	err = rt->udp ? sb_udp_pair(&tx, &rx, why, sizeof(why))
		      : sb_tcp_pair(&tx, &rx, why, sizeof(why));
	if (err)
		return set_err(rt, err, false, "%s", why);
	x->sock_fd = rt->sock_rx ? rx : tx;
	rt->peer.fd = rt->sock_rx ? tx : rx;
	x->sock_type = c->sock_type;
	err = set_buf(tx, SO_SNDBUF, SO_SNDBUFFORCE, o->sndbuf);
	if (!err)
		err = set_buf(rx, SO_RCVBUF, SO_RCVBUFFORCE, o->rcvbuf);
	if (err)
		return set_err(rt, err, false, "setting the socket buffer sizes: %s",
			       strerror(-err));
	rt->sndbuf = get_buf(tx, SO_SNDBUF);
	rt->rcvbuf = get_buf(rx, SO_RCVBUF);
	/* a peer that stops must fail the op, not hang it */
	if (setsockopt(x->sock_fd, SOL_SOCKET, rt->sock_rx ? SO_RCVTIMEO : SO_SNDTIMEO, &tmo,
		       sizeof(tmo)))
		return set_err(rt, -errno, false, "socket timeout: %s", strerror(errno));
	if (rt->udp) {
		x->dgram = (size_t)sb_cell_dgram(c, o);
		if (x->pipe_bytes && x->pipe_bytes < x->dgram)
			return set_err(rt, -EINVAL, true,
				       "the pipe holds %zu bytes, less than one %zu-byte datagram",
				       x->pipe_bytes, x->dgram);
		err = sb_dgram_index_init(&rt->didx, &rt->e->pat, c->chunk, x->dgram);
		if (err)
			return set_err(rt, err, false,
				       "indexing the datagram schedule: %s%s", strerror(-err),
				       err == -E2BIG ? " (use a larger --dgram-size or a smaller "
						       "--file-size)"
						     : "");
		x->didx = &rt->didx;
		x->dtrk = &rt->dtrk;
		rt->ver.digesting = false; /* a lossy stream has no reproducible digest */
		rt->snmp_ok = !sb_udp_snmp_read(&rt->snmp0);
	}
	x->peer = &rt->peer;
	rt->peer.sock_type = c->sock_type;
	rt->peer.receives = !rt->sock_rx;
	rt->peer.pat = &rt->e->pat;
	rt->peer.idx = rt->udp ? &rt->didx : NULL;
	err = sb_peer_start(&rt->peer, why, sizeof(why));
	return err ? set_err(rt, err, false, "%s", why) : 0;
}

/* The peer thread failed: the cell fails with its reason (and its mismatch). */
static int peer_failed(struct cell_rt *rt, int st)
{
	if (rt->peer.mm_valid && !rt->ver.failed) {
		rt->ver.mm = rt->peer.mm;
		rt->ver.failed = true;
	}
	return set_err(rt, st, false, "%s%s", st == -EILSEQ ? "verification failed: " : "",
		       rt->peer.why);
}

/* Bytes of the first datagram waiting in the peer's receive queue (0: empty). */
static uint64_t queued_to_read(int fd)
{
	int q = 0;

	return fd < 0 || ioctl(fd, SIOCINQ, &q) ? 0 : (uint64_t)q;
}

static uint64_t sent_in_queue(int fd)
{
	int q = 0;

	return ioctl(fd, SIOCOUTQ, &q) ? 0 : (uint64_t)q;
}

/* MSG_ZEROCOPY: every send's completion read (the data arrived: they are due). */
static int zc_settle(struct cell_rt *rt)
{
	int err = rt->ctx.zc_sends ? sb_zc_reap(&rt->ctx, true) : 0;

	return err ? set_err(rt, err, false, "MSG_ZEROCOPY: %llu of %llu completions: %s",
			     (unsigned long long)rt->ctx.zc_done,
			     (unsigned long long)rt->ctx.zc_sends, strerror(-err))
		   : 0;
}

/*
 * Send side: wait until the peer has received everything the ops sent
 * (TCP), or until nothing is in flight and nothing arrived for a moment
 * (UDP: the rest is lost). The wait is part of the sample's time.
 */
static int settle(struct cell_rt *rt)
{
	struct sb_peer *p = &rt->peer;
	const struct timespec pause = { 0, 20 * 1000 };
	uint64_t seen = atomic_load(&p->bytes), last = sb_now_ns(), now;

	for (;;) {
		uint64_t got = atomic_load(&p->bytes);
		int st = sb_peer_status(p);

		if (st)
			return peer_failed(rt, st);
		if (!rt->udp ? got >= rt->sent : atomic_load(&p->dgrams) + rt->dg_gone >= rt->dg_ops)
			return zc_settle(rt);
		now = sb_now_ns();
		if (got != seen) {
			seen = got;
			last = now;
		} else if (rt->udp && now - last >= UDP_QUIET_NS &&
			   !sent_in_queue(rt->ctx.sock_fd) && !queued_to_read(p->fd)) {
			/* nothing left to send, nothing arriving: the rest is lost */
			rt->dg_gone = rt->dg_ops - sb_min_u64(atomic_load(&p->dgrams), rt->dg_ops);
			return zc_settle(rt);
		} else if (now - last >= SOCK_TIMEOUT_S * SB_NSEC_PER_SEC) {
			return set_err(rt, -ETIMEDOUT, false,
				       "the receiving peer stopped: %llu of %llu bytes arrived, "
				       "nothing for %d s",
				       (unsigned long long)got, (unsigned long long)rt->sent,
				       SOCK_TIMEOUT_S);
		}
		if (sb_stop_signal)
			return set_err(rt, -EINTR, false, "interrupted");
		nanosleep(&pause, NULL);
	}
}

/* Receive side, at the end of a UDP cell: stop the sender and count what is still queued. */
static void udp_drain(struct cell_rt *rt)
{
	uint8_t *b = rt->ctx.buf;

	sb_peer_stop(&rt->peer);
	while (recv(rt->ctx.sock_fd, b, rt->ctx.dgram, MSG_DONTWAIT) >= 0)
		rt->drained++;
}

static int rt_setup(struct cell_rt *rt)
{
	const struct sb_cell *c = rt->c;
	const struct sb_workload *w = c->wl;
	struct sb_wl_ctx *x = &rt->ctx;
	int err;

	x->src_fd = x->dst_fd = x->null_fd = x->sock_fd = -1;
	rt->peer.fd = -1;
	x->pfd[0] = x->pfd[1] = x->pfd2[0] = x->pfd2[1] = -1;
	x->dst_pos = -1;
	rt->dst_rw = -1;
	x->pat = &rt->e->pat;
	x->sink = c->sink;
	x->fill = c->fill;
	x->gift = c->gift;
	x->splice_flags = c->splice_flags;
	rt->end = rt->e->pat.size;
	rt->base = c->direct == SB_DIRECT_MISALIGNED ? SB_MISALIGN_BYTES : 0;
	rt->pos = rt->base;

	if (sb_cell_uses_files(c) && open_files(rt))
		return rt->err;
	if ((w->flags & SB_WL_PIPE) && open_pipe(rt, x->pfd))
		return rt->err;
	if ((w->flags & SB_WL_PIPE2) && open_pipe(rt, x->pfd2))
		return rt->err;
	x->null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (x->null_fd < 0)
		return set_err(rt, -errno, false, "open /dev/null: %s", strerror(errno));
	x->buf = alloc_buf(c->chunk);
	x->buf2 = alloc_buf(c->chunk);
	rt->check = alloc_buf(c->chunk);
	rt->zeros = alloc_buf(c->chunk);
	if (!x->buf || !x->buf2 || !rt->check || !rt->zeros)
		return set_err(rt, -ENOMEM, false, "out of memory for %llu-byte buffers",
			       (unsigned long long)c->chunk);
	err = sb_verifier_init(&rt->ver, &rt->e->pat);
	if (err)
		return set_err(rt, err, false, "verifier: %s", strerror(-err));
	x->ver = &rt->ver;
	if ((w->flags & SB_WL_SOCKET) && sock_setup(rt))
		return rt->err;
	if (w->setup) {
		err = w->setup(x);
		if (err)
			return set_err(rt, err, err == -EINVAL || err == -EOPNOTSUPP, "%s",
				       x->why);
	}
	return 0;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void rt_teardown(struct cell_rt *rt)
{
	struct sb_wl_ctx *x = &rt->ctx;

	if (rt->c->wl->teardown)
		rt->c->wl->teardown(x);
	sb_peer_stop(&rt->peer);
	close_fd(&x->sock_fd);
	sb_dgram_index_free(&rt->didx);
	close_fd(&x->src_fd);
	close_fd(&x->dst_fd);
	close_fd(&rt->dst_rw);
	close_fd(&x->null_fd);
	close_fd(&x->pfd[0]);
	close_fd(&x->pfd[1]);
	close_fd(&x->pfd2[0]);
	close_fd(&x->pfd2[1]);
	free(x->buf);
	free(x->buf2);
	free(rt->check);
	free(rt->zeros);
	if (rt->ver.digest)
		sb_verifier_free(&rt->ver);
}

static bool refusal(int err)
{
	return err == -EINVAL || err == -EOPNOTSUPP || err == -ENOSYS || err == -EXDEV ||
	       err == -ENOTSUP;
}

/*
 * --verify: before an op, overwrite where its data will land, so data left
 * by an earlier pass cannot pass for this op's.
 */
static int poison(struct cell_rt *rt, uint64_t off, size_t len)
{
	int err;

	memset(rt->ctx.buf, 0, len);
	memset(rt->ctx.buf2, 0, len);
	if (rt->dst_rw < 0)
		return 0;
	err = io_full(rt->dst_rw, rt->zeros, len, (off_t)off, true);
	/* an O_DIRECT op must not have to write the poison back first */
	if (!err && rt->c->direct != SB_DIRECT_OFF &&
	    sync_file_range(rt->dst_rw, (off_t)off, (off_t)len,
			    SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
				    SYNC_FILE_RANGE_WAIT_AFTER))
		err = -errno;
	if (err)
		return set_err(rt, err, false, "poisoning the destination at %llu: %s",
			       (unsigned long long)off, strerror(-err));
	return 0;
}

/* The test hook: damage one byte where the op's data arrived, before it is read back. */
static int inject_corruption(struct cell_rt *rt, uint64_t off, size_t n, uint8_t *got)
{
	uint64_t at = off + (n > 100 ? 100 : 0);
	uint8_t b;
	int err;

	if (got) {
		got[at - off] ^= 0x5a;
		return 0;
	}
	err = io_full(rt->dst_rw, &b, 1, (off_t)at, false);
	b ^= 0x5a;
	if (!err)
		err = io_full(rt->dst_rw, &b, 1, (off_t)at, true);
	return err ? set_err(rt, err, false, "corruption hook: %s", strerror(-err)) : 0;
}

/* Check what the last op delivered at @off. Returns 0 or an error. */
static int check_op(struct cell_rt *rt, uint64_t off, size_t n)
{
	struct sb_wl_ctx *x = &rt->ctx;
	uint8_t *got = (uint8_t *)x->out;
	char msg[256];
	int err;

	if (x->out_peer)
		return settle(rt); /* the peer checks every byte it receives */
	if (x->out_checked)
		return 0;
	if (!got && !x->out_in_dst)
		return set_err(rt, -EINVAL, false, "internal: %s delivered nothing to verify",
			       rt->c->wl->id);
	/* the hook damages the second op of the pass, or the only one */
	if (rt->verifying && rt->e->o->inject_corruption &&
	    rt->ops_ok == (rt->end - rt->base > rt->c->chunk ? 1 : 0)) {
		err = inject_corruption(rt, off, n, x->out_in_dst ? NULL : got);
		if (err)
			return err;
	}
	if (x->out_in_dst) {
		err = io_full(rt->dst_rw, rt->check, n, (off_t)off, false);
		if (err)
			return set_err(rt, err, false, "reading back the destination at %llu: %s",
				       (unsigned long long)off, strerror(-err));
		got = rt->check;
	}
	if (!sb_verify(&rt->ver, off, got, n)) {
		sb_mismatch_format(&rt->ver.mm, msg, sizeof(msg));
		return set_err(rt, -EILSEQ, false, "verification failed: %s", msg);
	}
	return 0;
}

/*
 * One op at the current position; advances it. Returns bytes or an error
 * (rt->err set). When verifying, *vns gets the time spent poisoning and
 * checking around the op.
 */
static ssize_t do_op(struct cell_rt *rt, bool verify, uint64_t *vns)
{
	struct sb_wl_ctx *x = &rt->ctx;
	uint64_t off = rt->pos, t0 = 0;
	size_t len = (size_t)sb_min_u64(rt->c->chunk, rt->end - off);
	ssize_t n;

	*vns = 0;
	if (verify && rt->poison) {
		int err;

		t0 = sb_now_ns();
		err = poison(rt, off, len);
		*vns = sb_now_ns() - t0;
		if (err)
			return err;
	}
	x->verify = verify;
	x->out = NULL;
	x->out_in_dst = x->out_peer = x->out_checked = false;
	x->inject = rt->verifying && rt->e->o->inject_corruption && rt->ops_ok == 1;
	x->check_ns = 0;
	n = sb_workload_op(rt->c->wl, x, off, len);
	*vns += x->check_ns;
	rt->dg_ops = x->dgrams;
	if (n < 0) {
		int st = rt->sock ? sb_peer_status(&rt->peer) : 0;

		if (n == -EINTR && sb_stop_signal)
			return set_err(rt, -EINTR, false, "interrupted");
		if (st && st != -EILSEQ)
			return set_err(rt, (int)n, false, "%s (%s)", x->why, rt->peer.why);
		if (rt->sock && (n == -EAGAIN || n == -ETIMEDOUT))
			return set_err(rt, (int)n, false,
				       "%s (nothing moved for %d s: the peer stopped)", x->why,
				       n == -EAGAIN ? SOCK_TIMEOUT_S : 10);
		/* refused on the very first op: this combination cannot run here */
		return set_err(rt, (int)n, refusal((int)n) && !rt->ops_ok, "%s", x->why);
	}
	/* a receiving UDP op returns the bytes that arrived, lost datagrams are not waited for */
	if ((size_t)n != len && !(rt->udp && rt->sock_rx))
		return set_err(rt, -EIO, false, "%s moved %zd of %zu bytes at offset %llu",
			       rt->c->wl->id, n, len, (unsigned long long)off);
	if (rt->sock && !rt->sock_rx)
		rt->sent += (uint64_t)n;
	if (verify) {
		int err;

		t0 = sb_now_ns();
		err = check_op(rt, off, (size_t)n);
		*vns += sb_now_ns() - t0;
		if (err)
			return err;
	}
	rt->ops_ok++;
	rt->pos += len;
	if (rt->pos >= rt->end) {
		rt->pos = rt->base;
		rt->wrapped = true;
	}
	return n;
}

/*
 * An untimed verification pass: one whole period, every byte checked, into a
 * destination of zeros. The first one (before the samples) is digested; the
 * last one (after them) proves the path still delivers after being hammered.
 */
static int verification_pass(struct cell_rt *rt, uint64_t *ns, bool last)
{
	uint64_t t0 = sb_now_ns(), vns, start;

	if (last && rt->ctx.dst_fd >= 0 &&
	    (ftruncate(rt->ctx.dst_fd, 0) || ftruncate(rt->ctx.dst_fd, (off_t)rt->end)))
		return set_err(rt, -errno, false, "truncating the destination: %s",
			       strerror(errno));
	rt->verifying = true;
	/*
	 * A socket carries one continuous stream: its pass covers one period
	 * from where the stream is. Files start over from the beginning.
	 */
	if (!rt->sock)
		rt->pos = rt->base;
	start = rt->pos;
	if (rt->sock && !rt->sock_rx && rt->e->o->inject_corruption && !last) {
		atomic_store(&rt->peer.inject_at, rt->sent + rt->c->chunk + 100);
		atomic_store(&rt->peer.inject, true);
	}
	rt->wrapped = false;
	do {
		ssize_t n = do_op(rt, true, &vns);

		if (n < 0)
			return (int)n;
		if (sb_stop_signal)
			return set_err(rt, -EINTR, false, "interrupted");
	} while (rt->pos != start);
	rt->verifying = false;
	rt->ver.digesting = false; /* the digest covers the pass only: reproducible */
	*ns = sb_now_ns() - t0;
	if (rt->dst_rw >= 0)
		fdatasync(rt->ctx.dst_fd); /* start the samples from clean pages */
	return 0;
}

static void perf_read_all(struct sb_evlist *l, struct sb_counts *c, bool *ok)
{
	for (size_t i = 0; i < sb_evlist__nr(l) && i < NR_PERF; i++)
		ok[i] = sb_evsel__read(sb_evlist__at(l, i), &c[i]) == 0;
}

static uint64_t tv_ns(const struct timeval *tv)
{
	return (uint64_t)tv->tv_sec * SB_NSEC_PER_SEC + (uint64_t)tv->tv_usec * 1000;
}

/*
 * Drop the source file from the page cache before a cold sample, and check
 * it went. Pages still held elsewhere for a moment (per-CPU LRU batches) can
 * survive one drop, so it is tried up to three times, 20 ms apart.
 */
static int drop_cache(struct cell_rt *rt, struct sample *s)
{
	const struct timespec pause = { 0, 20 * 1000 * 1000 };

	for (s->drops = 1;; s->drops++) {
		int err = posix_fadvise(rt->ctx.src_fd, 0, 0, POSIX_FADV_DONTNEED);

		if (err)
			return set_err(rt, -err, false, "posix_fadvise(DONTNEED): %s",
				       strerror(err));
		s->resident = resident_fraction(rt->ctx.src_fd, rt->end);
		if (s->resident <= COLD_RESIDENT_MAX || s->drops == 3)
			break;
		nanosleep(&pause, NULL);
	}
	if (!(s->resident <= COLD_RESIDENT_MAX))
		return set_err(rt, -EBUSY, true,
			       "page cache could not be dropped: %.0f%% of the source file still "
			       "resident after POSIX_FADV_DONTNEED",
			       isfinite(s->resident) ? s->resident * 100 : 100.0);
	rt->pos = rt->base;
	rt->wrapped = false;
	return 0;
}

/* Where a UDP cell's datagram counters stand (cumulative). */
struct dgram_mark {
	uint64_t ops, ops_seen, peer, peer_bytes, reordered;
	struct sb_udp_snmp k;
	bool k_ok;
};

static void dgram_mark(const struct cell_rt *rt, struct dgram_mark *m)
{
	m->ops = rt->ctx.dgrams;
	m->ops_seen = rt->dtrk.received;
	m->peer = atomic_load(&rt->peer.dgrams);
	m->peer_bytes = atomic_load(&rt->peer.bytes);
	m->reordered = rt->sock_rx ? rt->dtrk.reordered : atomic_load(&rt->peer.reordered);
	m->k_ok = !sb_udp_snmp_read(&m->k);
}

static void snmp_sub(const struct sb_udp_snmp *a, const struct sb_udp_snmp *b,
		     struct sb_udp_snmp *d)
{
	d->in_datagrams = a->in_datagrams - b->in_datagrams;
	d->no_ports = a->no_ports - b->no_ports;
	d->in_errors = a->in_errors - b->in_errors;
	d->out_datagrams = a->out_datagrams - b->out_datagrams;
	d->rcvbuf_errors = a->rcvbuf_errors - b->rcvbuf_errors;
	d->sndbuf_errors = a->sndbuf_errors - b->sndbuf_errors;
	d->in_csum_errors = a->in_csum_errors - b->in_csum_errors;
}

/* The datagrams between two marks, from the sending and the receiving side. */
static void dgram_counts(const struct cell_rt *rt, const struct dgram_mark *a,
			 const struct dgram_mark *b, uint64_t op_bytes, struct sb_dgram_counts *d)
{
	uint64_t peer = b->peer - a->peer, ops = b->ops - a->ops;

	memset(d, 0, sizeof(*d));
	d->sent = rt->sock_rx ? peer : ops;
	d->received = rt->sock_rx ? ops : peer;
	d->reordered = b->reordered - a->reordered;
	/* the receiving ops identify datagrams only when they look at them */
	d->reorder_seen = !rt->sock_rx || b->ops_seen - a->ops_seen == ops;
	d->sent_bytes = rt->sock_rx ? b->peer_bytes - a->peer_bytes : op_bytes;
	d->intact_bytes = rt->sock_rx ? op_bytes : b->peer_bytes - a->peer_bytes;
	d->k_ok = a->k_ok && b->k_ok;
	if (d->k_ok)
		snmp_sub(&b->k, &a->k, &d->k);
}

static int run_sample(struct cell_rt *rt, uint64_t batch, bool verify, struct sample *s)
{
	struct dgram_mark dm0, dm1;
	const struct sb_run_opts *o = rt->e->o;
	uint64_t limit = (uint64_t)(o->duration * 1e9);
	struct sb_counts p0[NR_PERF] = { 0 }, p1[NR_PERF] = { 0 };
	bool ok0[NR_PERF] = { 0 }, ok1[NR_PERF] = { 0 };
	struct sb_acct_ctrs a0, a1;
	uint64_t t0, t = 0, tprev, vtotal = 0, cpu0, ver0 = rt->ver.bytes, nbatch = 0;
	struct rusage r0, r1;

	memset(s, 0, sizeof(*s));
	sb_hist_init(&s->hist);
	s->resident = NAN;
	s->batch_ops = batch;
	if (rt->c->cold && drop_cache(rt, s))
		return rt->err;
	memset(rt->ctx.io, 0, sizeof(rt->ctx.io));
	if (rt->udp)
		dgram_mark(rt, &dm0);
	sb_cell_acct_read(&rt->e->ra, &rt->ca, &a0);
	perf_read_all(rt->e->evl, p0, ok0);
	getrusage(RUSAGE_THREAD, &r0);
	cpu0 = thread_cpu_ns();
	rt->ctx.syscalls = 0;
	rt->ctx.eagain = 0;
	t0 = tprev = sb_now_ns();
	s->clock_reads = 1;
	for (;;) {
		uint64_t k, vb = 0, vns;

		for (k = 0; k < batch; k++) {
			ssize_t n = do_op(rt, verify, &vns);

			if (n < 0)
				return (int)n;
			vb += vns;
			s->bytes += (uint64_t)n;
			if (k == 0 && batch > 1) {
				/* the first op of a batch is timed on its own */
				uint64_t t1 = sb_now_ns();

				s->clock_reads++;
				sb_hist_add(&s->hist, t1 - tprev - vns);
			}
			if (rt->c->cold && rt->wrapped) {
				k++;
				break; /* cold: one pass over the file per sample */
			}
		}
		t = sb_now_ns();
		s->clock_reads++;
		if (batch == 1)
			sb_hist_add(&s->hist, t - tprev - vb);
		s->ops += k;
		vtotal += vb;
		tprev = t;
		if (t - t0 - vtotal >= limit || (o->bytes && s->bytes >= o->bytes) ||
		    (rt->c->cold && rt->wrapped))
			break;
		if (sb_stop_signal)
			return set_err(rt, -EINTR, false, "interrupted");
		/*
		 * Ops got faster than the batch was sized for: time fewer of them.
		 * Only the sampling rate of the latency histogram changes.
		 */
		if (!(++nbatch & 31) && batch < MAX_BATCH &&
		    (double)(s->clock_reads * rt->e->clock_ns) >
			    TARGET_OVERHEAD * (double)(t - t0 - vtotal))
			batch = batch == 1 ? 4 : batch * 2;
	}
	/* what was sent is only done when it arrived */
	if (rt->sock && !rt->sock_rx) {
		int err = settle(rt);

		if (err)
			return err;
		t = sb_now_ns();
		s->clock_reads++;
	}
	s->batch_ops = batch;
	s->cpu_ns = thread_cpu_ns() - cpu0;
	getrusage(RUSAGE_THREAD, &r1);
	perf_read_all(rt->e->evl, p1, ok1);
	sb_cell_acct_read(&rt->e->ra, &rt->ca, &a1);
	sb_acct_ctrs_sub(&a1, &a0, &s->bpf);
	memcpy(s->io, rt->ctx.io, sizeof(s->io));
	s->op_bytes = s->bytes;
	if (rt->udp) {
		dgram_mark(rt, &dm1);
		dgram_counts(rt, &dm0, &dm1, s->bytes, &s->dg);
		s->bytes = s->dg.intact_bytes; /* throughput counts what arrived intact */
	}
	s->elapsed_ns = t - t0;
	s->verify_ns = vtotal;
	s->wall_ns = s->elapsed_ns - vtotal;
	if (verify)
		s->clock_reads += 4 * s->ops; /* around poisoning and checking */
	s->syscalls = rt->ctx.syscalls;
	s->eagain = rt->ctx.eagain;
	s->user_ns = tv_ns(&r1.ru_utime) - tv_ns(&r0.ru_utime);
	s->sys_ns = tv_ns(&r1.ru_stime) - tv_ns(&r0.ru_stime);
	s->verified = rt->ver.bytes - ver0;
	for (size_t i = 0; i < sb_evlist__nr(rt->e->evl) && i < NR_PERF; i++) {
		struct sb_counts d = {
			.val = p1[i].val - p0[i].val,
			.ena = p1[i].ena - p0[i].ena,
			.run = p1[i].run - p0[i].run,
		};

		s->perf_ok[i] = ok0[i] && ok1[i] && p1[i].val >= p0[i].val &&
				sb_counts__scaled(&d, &s->perf[i]);
	}
	return 0;
}

/*
 * Ops per timing batch for an op that takes @t_op ns: 1 when one clock read
 * per op stays under the target, else the smallest B for which two reads per
 * batch do.
 */
static uint64_t pick_batch(uint64_t clock_ns, double t_op)
{
	double b;

	if (!(t_op > 0) || (double)clock_ns <= TARGET_OVERHEAD * t_op)
		return 1;
	b = ceil(2.0 * (double)clock_ns / (TARGET_OVERHEAD * t_op));
	if (b < 2)
		b = 2;
	if (b > MAX_BATCH)
		b = MAX_BATCH;
	return (uint64_t)b;
}

/* ------------------------------------------------------------------ JSON */

static double per_sec(uint64_t v, uint64_t ns)
{
	return ns ? (double)v * 1e9 / (double)ns : NAN;
}

static double cpu_per_gib(const struct sample *s)
{
	return s->bytes ? (double)s->cpu_ns / 1e9 / ((double)s->bytes / SB_GIB) : NAN;
}

static json_t *latency_json(const struct sb_hist *h, uint64_t every)
{
	json_t *o = json_object();

	json_object_set_new(o, "p50", json_integer((json_int_t)sb_hist_percentile(h, 50)));
	json_object_set_new(o, "p90", json_integer((json_int_t)sb_hist_percentile(h, 90)));
	json_object_set_new(o, "p99", json_integer((json_int_t)sb_hist_percentile(h, 99)));
	json_object_set_new(o, "p99_9", json_integer((json_int_t)sb_hist_percentile(h, 99.9)));
	json_object_set_new(o, "max", json_integer((json_int_t)h->max));
	json_object_set_new(o, "timed_ops", json_integer((json_int_t)h->count));
	json_object_set_new(o, "every", json_integer((json_int_t)every));
	return o;
}

static json_t *perf_values_json(const struct cell_rt *rt, const struct sample *s)
{
	json_t *perf = json_object();

	for (size_t i = 0; i < sb_evlist__nr(rt->e->evl) && i < NR_PERF; i++)
		json_object_set_new(perf, sb_evsel__name(sb_evlist__at(rt->e->evl, i)),
				    s->perf_ok[i] ? json_real(s->perf[i]) : json_null());
	return perf;
}

static json_t *snmp_json(const struct sb_udp_snmp *k)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "in_datagrams",
			 (json_int_t)k->in_datagrams, "out_datagrams", (json_int_t)k->out_datagrams,
			 "rcvbuf_errors", (json_int_t)k->rcvbuf_errors, "sndbuf_errors",
			 (json_int_t)k->sndbuf_errors, "in_errors", (json_int_t)k->in_errors,
			 "in_csum_errors", (json_int_t)k->in_csum_errors, "no_ports",
			 (json_int_t)k->no_ports);
}

/*
 * Datagrams: @lost is what the sender sent and the receiver did not get
 * (after the wait at the end); reordered is null when nobody looked.
 */
static json_t *dgram_json(const struct sb_dgram_counts *d, uint64_t lost, bool lost_known,
			  const char *lost_how)
{
	json_t *j = json_object();

	json_object_set_new(j, "sent", json_integer((json_int_t)d->sent));
	json_object_set_new(j, "received", json_integer((json_int_t)d->received));
	json_object_set_new(j, "lost", lost_known ? json_integer((json_int_t)lost) : json_null());
	json_object_set_new(j, "lost_counted_by", json_string(lost_how));
	json_object_set_new(j, "loss_ratio",
			    lost_known && d->sent ? json_real((double)lost / (double)d->sent)
						  : json_null());
	json_object_set_new(j, "reordered",
			    d->reorder_seen ? json_integer((json_int_t)d->reordered) : json_null());
	if (!d->reorder_seen)
		json_object_set_new(j, "reordered_reason",
				    json_string("the datagrams went to /dev/null unseen (use --verify "
						"or --sink user to identify each one)"));
	json_object_set_new(j, "sent_bytes", json_integer((json_int_t)d->sent_bytes));
	json_object_set_new(j, "intact_bytes", json_integer((json_int_t)d->intact_bytes));
	json_object_set_new(j, "kernel", d->k_ok ? snmp_json(&d->k) : json_null());
	return j;
}

/*
 * A sample's loss: the send side waited for everything in flight, so what
 * the peer did not get is lost; the receive side's sender runs on, so its
 * loss in a sample is what the kernel dropped at the receiving socket.
 */
static json_t *sample_dgram_json(const struct cell_rt *rt, const struct sb_dgram_counts *d)
{
	if (!rt->sock_rx)
		return dgram_json(d, d->sent - sb_min_u64(d->received, d->sent), true,
				  "sent - received, after waiting for everything in flight");
	return dgram_json(d, d->k.in_errors, d->k_ok,
			  "the kernel's UDP InErrors (RcvbufErrors are part of them) in the "
			  "run's private namespace (the sender runs unthrottled)");
}

static json_t *sample_json(const struct cell_rt *rt, const struct sample *s, size_t idx)
{
	json_t *j = json_object();

	json_object_set_new(j, "index", json_integer((json_int_t)idx));
	json_object_set_new(j, "bytes", json_integer((json_int_t)s->bytes));
	json_object_set_new(j, "ops", json_integer((json_int_t)s->ops));
	json_object_set_new(j, "wall_ns", json_integer((json_int_t)s->wall_ns));
	json_object_set_new(j, "syscalls", json_integer((json_int_t)s->syscalls));
	json_object_set_new(j, "eagain", json_integer((json_int_t)s->eagain));
	json_object_set_new(j, "cpu_ns", json_integer((json_int_t)s->cpu_ns));
	json_object_set_new(j, "user_ns", json_integer((json_int_t)s->user_ns));
	json_object_set_new(j, "sys_ns", json_integer((json_int_t)s->sys_ns));
	json_object_set_new(j, "bytes_per_sec", sb_json_real(per_sec(s->bytes, s->wall_ns)));
	json_object_set_new(j, "ops_per_sec", sb_json_real(per_sec(s->ops, s->wall_ns)));
	json_object_set_new(j, "cpu_sec_per_gib", sb_json_real(cpu_per_gib(s)));
	json_object_set_new(j, "syscalls_per_op",
			    sb_json_real(s->ops ? (double)s->syscalls / (double)s->ops : NAN));
	json_object_set_new(j, "clock_reads", json_integer((json_int_t)s->clock_reads));
	json_object_set_new(j, "clock_overhead_estimate",
			    sb_json_real(s->wall_ns ? (double)(s->clock_reads * rt->e->clock_ns) /
							      (double)s->wall_ns
						    : NAN));
	json_object_set_new(j, "latency_ns", latency_json(&s->hist, s->batch_ops));
	json_object_set_new(j, "perf", perf_values_json(rt, s));
	if (rt->e->o->verify == SB_VERIFY_ALL) {
		json_object_set_new(j, "elapsed_ns", json_integer((json_int_t)s->elapsed_ns));
		json_object_set_new(j, "verify_ns", json_integer((json_int_t)s->verify_ns));
		json_object_set_new(j, "verified_bytes", json_integer((json_int_t)s->verified));
	}
	json_object_set_new(j, "accounting",
			    rt->ca.in_samples
				    ? sb_cell_acct_json(&rt->e->ra, &rt->ca, s->io, &s->bpf, s->op_bytes,
							true)
				    : json_pack("{s:I, s:s}", "bytes_moved", (json_int_t)s->op_bytes,
						"reason",
						"the split is counted in the cell's accounting "
						"sample, with the probes attached (see "
						"accounting.counted_in)"));
	if (rt->udp)
		json_object_set_new(j, "datagrams", sample_dgram_json(rt, &s->dg));
	if (rt->c->cold) {
		json_object_set_new(j, "cache_resident_after_drop", sb_json_real(s->resident));
		json_object_set_new(j, "cache_drops", json_integer(s->drops));
	}
	return j;
}

static json_t *metric_summary(const struct sample *s, size_t n, double (*get)(const struct sample *))
{
	double *v = malloc(n * sizeof(*v));
	struct sb_summary sum;
	json_t *j;

	if (!v)
		return json_null();
	for (size_t i = 0; i < n; i++)
		v[i] = get(&s[i]);
	j = sb_summarize(v, n, &sum) ? json_null() : sb_summary_to_json(&sum);
	free(v);
	return j;
}

static double m_bps(const struct sample *s)
{
	return per_sec(s->bytes, s->wall_ns);
}

static double m_ops(const struct sample *s)
{
	return per_sec(s->ops, s->wall_ns);
}

static double m_cpu(const struct sample *s)
{
	return cpu_per_gib(s);
}

static double m_sys(const struct sample *s)
{
	return s->ops ? (double)s->syscalls / (double)s->ops : NAN;
}

static json_t *perf_summary_json(const struct cell_rt *rt, const struct sample *s, size_t n)
{
	json_t *perf = json_object();

	for (size_t k = 0; k < sb_evlist__nr(rt->e->evl) && k < NR_PERF; k++) {
		const char *name = sb_evsel__name(sb_evlist__at(rt->e->evl, k));
		double *v = malloc(2 * n * sizeof(*v)), *per = v ? v + n : NULL;
		struct sb_summary sv, sp;
		size_t m = 0;

		/* a counter missing in any sample has no summary (null, reason in perf_counters) */
		for (size_t i = 0; v && i < n; i++) {
			if (!s[i].perf_ok[k] || !s[i].bytes)
				break;
			v[m] = s[i].perf[k];
			per[m++] = s[i].perf[k] / ((double)s[i].bytes / SB_GIB);
		}
		if (m == n && !sb_summarize(v, m, &sv) && !sb_summarize(per, m, &sp))
			json_object_set_new(perf, name,
					    json_pack("{s:o, s:o}", "median", sb_json_real(sv.median),
						      "per_gib_median", sb_json_real(sp.median)));
		else
			json_object_set_new(perf, name, json_null());
		free(v);
	}
	return perf;
}

static json_t *summary_json(const struct cell_rt *rt, const struct sample *s, size_t n)
{
	json_t *j = json_object();
	struct sb_hist all;
	uint64_t bytes = 0, wall = 0, reads = 0, vns = 0, every = 1;

	sb_hist_init(&all);
	for (size_t i = 0; i < n; i++) {
		sb_hist_merge(&all, &s[i].hist);
		every = sb_max_u64(every, s[i].batch_ops);
		bytes += s[i].bytes;
		wall += s[i].wall_ns;
		reads += s[i].clock_reads;
		vns += s[i].verify_ns;
	}
	json_object_set_new(j, "bytes_per_sec", metric_summary(s, n, m_bps));
	json_object_set_new(j, "ops_per_sec", metric_summary(s, n, m_ops));
	json_object_set_new(j, "cpu_sec_per_gib", metric_summary(s, n, m_cpu));
	json_object_set_new(j, "syscalls_per_op", metric_summary(s, n, m_sys));
	json_object_set_new(j, "latency_ns", latency_json(&all, every));
	json_object_set_new(j, "latency_histogram", sb_hist_to_json(&all));
	json_object_set_new(j, "bytes_total", json_integer((json_int_t)bytes));
	json_object_set_new(j, "wall_ns_total", json_integer((json_int_t)wall));
	json_object_set_new(j, "clock_overhead_estimate",
			    sb_json_real(wall ? (double)(reads * rt->e->clock_ns) / (double)wall
					      : NAN));
	if (rt->e->o->verify == SB_VERIFY_ALL)
		json_object_set_new(j, "verify_ns_total", json_integer((json_int_t)vns));
	json_object_set_new(j, "perf", perf_summary_json(rt, s, n));
	return j;
}

static json_t *perf_status_json(const struct sb_evlist *l)
{
	json_t *a = json_array();

	for (size_t i = 0; i < sb_evlist__nr(l); i++) {
		const struct sb_evsel *ev = sb_evlist__at(l, i);
		bool open = sb_evsel__is_open(ev);

		json_array_append_new(
			a, json_pack("{s:s, s:b, s:o, s:o}", "name", sb_evsel__name(ev), "available",
				     open, "errno",
				     open ? json_null() : json_integer(sb_evsel__errno(ev)), "reason",
				     open ? json_null() : json_string(sb_evsel__reason(ev))));
	}
	return a;
}

static json_t *verification_json(const struct cell_rt *rt, enum sb_cell_status st,
				 uint64_t pass_ns, uint64_t last_ns)
{
	const struct sb_run_opts *o = rt->e->o;
	json_t *v = json_object();

	json_object_set_new(v, "mode",
			    json_string(o->verify == SB_VERIFY_ALL   ? "all"
					: o->verify == SB_VERIFY_OFF ? "off"
								     : "pass"));
	json_object_set_new(v, "bytes",
			    json_integer((json_int_t)(rt->ver.bytes +
						      atomic_load(&rt->peer.verified))));
	if (rt->sock)
		json_object_set_new(v, "checked_by",
				    json_string(rt->peer.receives
							? "the receiving peer thread: every byte it "
							  "received, in every sample"
							: "the workload's receiving ops"));
	json_object_set_new(v, "pass_ns", pass_ns ? json_integer((json_int_t)pass_ns)
						  : json_null());
	json_object_set_new(v, "final_pass_ns", last_ns ? json_integer((json_int_t)last_ns)
							: json_null());
	if (rt->ver.digest && rt->ver.digest_bytes && st != SB_CELL_SKIPPED) {
		char hex[24];

		snprintf(hex, sizeof(hex), "%016llx",
			 (unsigned long long)sb_verifier_digest(&rt->ver));
		json_object_set_new(v, "xxh3_digest", json_string(hex));
	} else {
		json_object_set_new(v, "xxh3_digest", json_null());
	}
	json_object_set_new(v, "mismatch",
			    rt->ver.failed ? sb_mismatch_to_json(&rt->ver.mm) : json_null());
	return v;
}

/* O_DIRECT cells: the alignment the kernel reports, and why a misaligned cell was refused. */
static void dio_json(json_t *j, const struct cell_rt *rt, enum sb_cell_status st)
{
	int fd = rt->ctx.src_fd >= 0 ? rt->ctx.src_fd : rt->ctx.dst_fd;
	uint32_t mem = 0, off = 0;
	int err = fd >= 0 ? sb_dio_align(fd, &mem, &off) : -EBADF;

	if (rt->c->direct == SB_DIRECT_MISALIGNED && st == SB_CELL_SKIPPED) {
		char r[sizeof(rt->why) + 160];

		snprintf(r, sizeof(r),
			 "%s (misaligned O_DIRECT: file offset %d, the file's DIO offset alignment "
			 "is %s%u)",
			 rt->why, SB_MISALIGN_BYTES, err ? "unknown, " : "", off);
		json_object_set_new(j, "reason", json_string(r));
	}
	json_object_set_new(j, "dio_align",
			    err ? json_pack("{s:n, s:n, s:s}", "mem", "offset", "reason",
					    strerror(-err))
				: json_pack("{s:i, s:i}", "mem", (int)mem, "offset", (int)off));
}

/*
 * The cell's copy accounting: the split of the samples that were counted
 * (the accounting sample, or all timed samples), and what counting cost.
 */
static json_t *accounting_json(const struct cell_rt *rt, const struct sample *s, size_t n,
			       const struct sample *timed, size_t ntimed)
{
	uint64_t *io = calloc(SB_NR_SYS_SLOTS, sizeof(*io)), moved = 0;
	struct sb_acct_ctrs *bpf = calloc(1, sizeof(*bpf));
	json_t *j = json_null();

	if (io && bpf) {
		for (size_t i = 0; i < n; i++) {
			for (size_t k = 0; k < SB_NR_SYS_SLOTS; k++)
				io[k] += s[i].io[k];
			sb_acct_ctrs_add(bpf, &s[i].bpf);
			moved += s[i].op_bytes;
		}
		j = sb_cell_acct_json(&rt->e->ra, &rt->ca, io, bpf, moved, false);
	}
	free(io);
	free(bpf);
	if (json_is_object(j) && rt->ca.on) {
		bool sep = s != timed;

		json_object_set_new(j, "counted_in",
				    json_string(!sb_acct_active(rt->e->ra.acct)
							? "timed samples (counted by the benchmark)"
						: sep ? "the accounting sample"
						      : "the timed samples"));
		if (sep) {
			double bps = m_bps(s), *v = malloc(ntimed * sizeof(*v));
			struct sb_summary sum;

			for (size_t i = 0; v && i < ntimed; i++)
				v[i] = m_bps(&timed[i]);
			json_object_set_new(
				j, "accounting_sample",
				json_pack("{s:I, s:I, s:o, s:o}", "bytes", (json_int_t)s->bytes,
					  "wall_ns", (json_int_t)s->wall_ns, "bytes_per_sec",
					  sb_json_real(bps), "probe_cost",
					  v && !sb_summarize(v, ntimed, &sum) && sum.median > 0
						  ? sb_json_real(1.0 - bps / sum.median)
						  : json_null()));
			free(v);
		}
	}
	return j;
}

/*
 * --probes-alternate: odd samples ran with the probes attached. The ratio of
 * each attached sample to the detached one before it, and their median.
 */
static json_t *probes_ab_json(const struct sample *s, size_t n)
{
	double *r = malloc(n * sizeof(*r)), *on = malloc(n * sizeof(*on)),
	       *off = malloc(n * sizeof(*off));
	struct sb_summary sr, son, soff;
	size_t m = 0, kon = 0, koff = 0;
	json_t *j = json_null();

	for (size_t i = 0; r && on && off && i < n; i++) {
		if (i % 2)
			on[kon++] = m_bps(&s[i]);
		else
			off[koff++] = m_bps(&s[i]);
		if (i % 2 && m_bps(&s[i - 1]) > 0)
			r[m++] = m_bps(&s[i]) / m_bps(&s[i - 1]);
	}
	if (m && !sb_summarize(r, m, &sr) && !sb_summarize(on, kon, &son) &&
	    !sb_summarize(off, koff, &soff))
		j = json_pack("{s:o, s:o, s:o, s:o, s:o, s:I}", "attached_bytes_per_sec",
			      sb_json_real(son.median), "detached_bytes_per_sec",
			      sb_json_real(soff.median), "ratio_median", sb_json_real(sr.median),
			      "ratio_min", sb_json_real(sr.min), "ratio_max", sb_json_real(sr.max),
			      "pairs", (json_int_t)m);
	free(r);
	free(on);
	free(off);
	return j;
}

/* The cell's socket: where it ran, its buffers, the peer, and (UDP) the datagram totals. */
static json_t *socket_json(const struct cell_rt *rt)
{
	const struct sb_peer *p = &rt->peer;
	json_t *j = json_object();
	char ns[64];

	snprintf(ns, sizeof(ns), "net:[%llu]", (unsigned long long)rt->netns);
	json_object_set_new(j, "proto", json_string(rt->udp ? "udp" : "tcp"));
	json_object_set_new(j, "netns", json_string(ns));
	if (rt->c->veth) {
		snprintf(ns, sizeof(ns), "net:[%llu]", (unsigned long long)sb_netns_peer_id());
		json_object_set_new(j, "server_netns", json_string(ns));
		json_object_set_new(j, "path", json_string("veth sb-veth0 192.0.2.1 -> sb-veth1 "
							   "192.0.2.2 (second private "
							   "namespace)"));
	} else {
		json_object_set_new(j, "path", json_string("loopback 127.0.0.1 of a private network "
							   "namespace"));
	}
	json_object_set_new(j, "peer", json_string(p->receives ? "receives" : "sends"));
	json_object_set_new(j, "sndbuf", rt->sndbuf > 0 ? json_integer(rt->sndbuf) : json_null());
	json_object_set_new(j, "rcvbuf", rt->rcvbuf > 0 ? json_integer(rt->rcvbuf) : json_null());
	json_object_set_new(j, "timeout_s", json_integer(SOCK_TIMEOUT_S));
	json_object_set_new(j, "peer_bytes", json_integer((json_int_t)atomic_load(&p->bytes)));
	json_object_set_new(j, "peer_eagain", json_integer((json_int_t)atomic_load(&p->eagain)));
	if (rt->ctx.zc_sends)
		json_object_set_new(
			j, "zerocopy",
			json_pack("{s:I, s:I, s:I, s:o, s:s}", "sends",
				  (json_int_t)rt->ctx.zc_sends, "completed",
				  (json_int_t)rt->ctx.zc_done, "copied", (json_int_t)rt->ctx.zc_copied,
				  "copied_ratio",
				  rt->ctx.zc_done ? json_real((double)rt->ctx.zc_copied /
							      (double)rt->ctx.zc_done)
						  : json_null(),
				  "counted_by",
				  "MSG_ERRQUEUE completions (SO_EE_ORIGIN_ZEROCOPY), whole cell; "
				  "copied: SO_EE_CODE_ZEROCOPY_COPIED, the kernel fell back to "
				  "copying (always on loopback: a deferred copy on delivery)"));
	if (rt->udp) {
		struct sb_dgram_counts d = { 0 };
		struct sb_udp_snmp now;
		uint64_t lost;

		json_object_set_new(j, "dgram_size", json_integer((json_int_t)rt->ctx.dgram));
		d.sent = rt->sock_rx ? atomic_load(&p->dgrams) : rt->dg_ops;
		d.received = rt->sock_rx ? rt->dg_ops + rt->drained : atomic_load(&p->dgrams);
		d.reordered = rt->sock_rx ? rt->dtrk.reordered : atomic_load(&p->reordered);
		d.reorder_seen = !rt->sock_rx || rt->dtrk.received == rt->dg_ops;
		d.sent_bytes = rt->sock_rx ? atomic_load(&p->bytes) : rt->sent;
		d.intact_bytes = rt->sock_rx ? 0 : atomic_load(&p->bytes);
		d.k_ok = rt->snmp_ok && !sb_udp_snmp_read(&now);
		if (d.k_ok)
			snmp_sub(&now, &rt->snmp0, &d.k);
		lost = d.sent - sb_min_u64(d.received, d.sent);
		json_object_set_new(j, "datagrams",
				    dgram_json(&d, lost, true,
					       "sent - received over the whole cell (passes, "
					       "warm-up and samples), after the last one in "
					       "flight"));
		if (rt->sock_rx) {
			json_object_del(json_object_get(j, "datagrams"), "intact_bytes");
			json_object_set_new(json_object_get(j, "datagrams"), "queued_at_end",
					    json_integer((json_int_t)rt->drained));
		}
	}
	return j;
}

/* ------------------------------------------------------------------ the cell */

/* Warm-up samples (discarded); without any, a short untimed burst. Gives the first batch. */
static int warm_up(struct cell_rt *rt, uint64_t *batch)
{
	const struct sb_run_opts *o = rt->e->o;
	struct sample cal;
	uint64_t t0, vns;
	int err = 0;

	memset(&cal, 0, sizeof(cal));
	for (uint64_t i = 0; !err && i < o->warmup; i++)
		err = run_sample(rt, *batch, o->verify == SB_VERIFY_ALL, &cal);
	if (!o->warmup) {
		/* at least 10 ms of ops to estimate their cost */
		t0 = sb_now_ns();
		while (!err && (cal.ops < 32 || sb_now_ns() - t0 < CALIBRATE_NS)) {
			ssize_t n = do_op(rt, false, &vns);

			if (n < 0)
				err = (int)n;
			cal.ops++;
		}
		cal.wall_ns = sb_now_ns() - t0;
	}
	if (!err && cal.ops)
		*batch = pick_batch(rt->e->clock_ns, (double)cal.wall_ns / (double)cal.ops);
	return err;
}

json_t *sb_engine_run_cell(struct sb_engine *e, const struct sb_cell *c, enum sb_cell_status *st)
{
	const struct sb_run_opts *o = e->o;
	struct cell_rt rt = { .e = e, .c = c };
	json_t *j = json_object(), *samples = json_array(), *batches = json_array();
	bool verify_all = o->verify == SB_VERIFY_ALL;
	struct sample *s = NULL, acct_s, *counted = NULL;
	uint64_t batch = 1, pass_ns = 0, last_ns = 0;
	size_t nsamp = 0, ncounted = 0;
	bool probes = false;
	char key[256];
	int err;

	sb_cell_key(c, key, sizeof(key));
	json_object_set_new(j, "key", json_string(key));
	json_object_set_new(j, "workload", json_string(c->wl->id));
	json_object_set_new(j, "family", json_string(c->wl->family));
	json_object_set_new(j, "path", json_string(c->wl->path));
	json_object_set_new(j, "twin", c->wl->twin ? json_string(c->wl->twin) : json_null());
	json_object_set_new(j, "target", json_string(c->target));
	json_object_set_new(j, "params", sb_cell_params(c, o));
	sb_cell_variant(c, key, sizeof(key));
	json_object_set_new(j, "variant", json_string(key));

	err = rt_setup(&rt);
	if (!err && o->verify != SB_VERIFY_OFF)
		err = verification_pass(&rt, &pass_ns, false);
	rt.poison = verify_all;
	if (!err)
		sb_cell_acct_begin(&e->ra, &rt.ca, c->wl, &rt.ctx, rt.dir,
				   c->sock_type ? (c->fs >= 0 ? sb_fs_name((enum sb_fs)c->fs) : NULL)
				   : c->fs >= 0 || c->in_dir ? c->target
							     : NULL,
				   c->direct != SB_DIRECT_OFF, c->direct == SB_DIRECT_MISALIGNED,
				   verify_all);
	if (!err) {
		s = calloc(o->samples, sizeof(*s));
		if (!s)
			err = set_err(&rt, -ENOMEM, false, "out of memory for samples");
	}
	if (!err)
		err = warm_up(&rt, &batch);
	/*
	 * Probes cost every counted syscall something (a tracepoint program runs
	 * even when empty), so by default they count one untimed accounting
	 * sample and stay detached while the timed samples run.
	 */
	probes = sb_acct_active(e->ra.acct) && rt.ca.on;
	if (!err && probes && !o->probes_in_samples) {
		sb_acct_enable(e->ra.acct, true);
		err = run_sample(&rt, batch, false, &acct_s);
		sb_acct_enable(e->ra.acct, false);
		counted = &acct_s;
		ncounted = err ? 0 : 1;
	}
	if (!err && probes && o->probes_in_samples)
		sb_acct_enable(e->ra.acct, true);
	rt.ca.in_samples = !probes || o->probes_in_samples;
	for (uint64_t i = 0; !err && i < o->samples; i++) {
		if (probes && o->probes_alternate)
			sb_acct_enable(e->ra.acct, i % 2);
		err = run_sample(&rt, batch, verify_all, &s[i]);
		if (err)
			break;
		json_array_append_new(samples, sample_json(&rt, &s[i], i));
		json_array_append_new(batches, json_integer((json_int_t)batch));
		nsamp++;
		if (rt.sock && o->inject_peer_vanish)
			atomic_store(&rt.peer.vanish, true);
		/* the next sample's batch from this one's op cost */
		batch = pick_batch(e->clock_ns, (double)s[i].wall_ns / (double)s[i].ops);
	}
	if (probes && (o->probes_in_samples || o->probes_alternate))
		sb_acct_enable(e->ra.acct, false);
	if (rt.ca.in_samples) {
		counted = s;
		ncounted = nsamp;
	}
	if (!err && o->verify != SB_VERIFY_OFF) {
		rt.poison = false;
		err = verification_pass(&rt, &last_ns, true);
		if (err && err != -EINTR) {
			char w[sizeof(rt.why)];

			snprintf(w, sizeof(w), "%s", rt.why);
			set_err(&rt, err, false, "after the samples, %s", w);
		}
	}

	if (rt.sock && !err && !rt.sock_rx)
		err = settle(&rt);
	if (rt.udp && rt.sock_rx && rt.ctx.sock_fd >= 0)
		udp_drain(&rt);
	if (err == -EINTR && sb_stop_signal)
		*st = SB_CELL_INTERRUPTED;
	else if (err)
		*st = rt.skip ? SB_CELL_SKIPPED : SB_CELL_FAILED;
	else
		*st = SB_CELL_OK;

	json_object_set_new(j, "fs",
			    c->fs >= 0 && e->scratch
				    ? sb_scratch_fs_info(e->scratch, (enum sb_fs)c->fs) ?: json_null()
				    : json_null());
	json_object_set_new(j, "status", json_string(sb_cell_status_name(*st)));
	json_object_set_new(j, "reason", err ? json_string(rt.why) : json_null());
	json_object_set_new(j, "errno", err ? json_integer(-err) : json_null());
	if (c->direct != SB_DIRECT_OFF)
		dio_json(j, &rt, *st);
	if (o->verify == SB_VERIFY_OFF)
		json_object_set_new(j, "verify", json_string("off"));
	else if (rt.ver.failed)
		json_object_set_new(j, "verify", json_string("failed"));
	else if (*st == SB_CELL_OK)
		json_object_set_new(j, "verify", json_string("passed"));
	else
		json_object_set_new(j, "verify", json_null());
	json_object_set_new(j, "verification", verification_json(&rt, *st, pass_ns, last_ns));
	if (rt.sock && rt.peer.pat)
		json_object_set_new(j, "socket", socket_json(&rt));
	json_object_set_new(j, "measure",
			    json_pack("{s:I, s:I, s:f, s:I, s:o, s:I, s:o}", "samples",
				      (json_int_t)o->samples, "warmup", (json_int_t)o->warmup,
				      "duration_s", o->duration, "bytes_budget",
				      (json_int_t)o->bytes, "batch_ops", batches, "clock_ns",
				      (json_int_t)e->clock_ns, "pipe_bytes",
				      rt.ctx.pipe_bytes ? json_integer((json_int_t)rt.ctx.pipe_bytes)
							: json_null()));
	json_object_set_new(j, "samples", samples);
	json_object_set_new(j, "summary", *st == SB_CELL_OK && nsamp ? summary_json(&rt, s, nsamp)
								      : json_null());
	json_object_set_new(j, "accounting",
			    ncounted && nsamp ? accounting_json(&rt, counted, ncounted, s, nsamp)
					      : json_null());
	if (probes && o->probes_alternate && nsamp >= 2)
		json_object_set_new(j, "probes_ab", probes_ab_json(s, nsamp));
	json_object_set_new(j, "perf_counters", perf_status_json(e->evl));
	rt_teardown(&rt);
	free(s);
	return j;
}
