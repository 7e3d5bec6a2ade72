// SPDX-License-Identifier: MIT
/*
 * The peer thread of the socket workloads, and the datagram schedule
 * (sockpeer.h).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <xxhash.h>

#include "log.h"
#include "sockpeer.h"

#define KEY_BYTES 32
#define MAX_DGRAMS (16u << 20)
#define POLL_MS 50
#define RX_BUF (256 * 1024)

static uint64_t dgram_key(const void *data, size_t len)
{
	return XXH3_64bits_withSeed(data, len < KEY_BYTES ? len : KEY_BYTES, (uint64_t)len);
}

int sb_dgram_index_init(struct sb_dgram_index *x, const struct sb_pattern *p, uint64_t chunk,
			size_t dgram)
{
	size_t n = 0, k = 0, cap = 1;

	memset(x, 0, sizeof(*x));
	if (!chunk || dgram < SB_DGRAM_MIN || dgram > SB_DGRAM_MAX)
		return -EINVAL;
	x->period = p->size;
	x->chunk = chunk;
	x->dgram = dgram;
	for (uint64_t off = 0; off < p->size; off += chunk)
		n += (size_t)((sb_min_u64(chunk, p->size - off) + dgram - 1) / dgram);
	if (n > MAX_DGRAMS)
		return -E2BIG;
	while (cap < 2 * n)
		cap <<= 1;
	x->off = malloc(n * sizeof(*x->off));
	x->slot = calloc(cap, sizeof(*x->slot));
	if (!x->off || !x->slot) {
		sb_dgram_index_free(x);
		return -ENOMEM;
	}
	x->n = n;
	x->mask = cap - 1;
	for (uint64_t off = 0; off < p->size; off += chunk) {
		uint64_t end = off + sb_min_u64(chunk, p->size - off);

		for (uint64_t d = off; d < end; d += dgram)
			x->off[k++] = d;
	}
	for (k = 0; k < n; k++) {
		size_t h = (size_t)dgram_key(sb_pattern_at(p, x->off[k]), sb_dgram_len(x, k)) &
			   x->mask;

		while (x->slot[h])
			h = (h + 1) & x->mask;
		x->slot[h] = (uint32_t)k + 1;
	}
	return 0;
}

void sb_dgram_index_free(struct sb_dgram_index *x)
{
	free(x->off);
	free(x->slot);
	memset(x, 0, sizeof(*x));
}

long sb_dgram_lookup(const struct sb_dgram_index *x, const struct sb_pattern *p, const void *data,
		     size_t len)
{
	size_t h, key_len = len < KEY_BYTES ? len : KEY_BYTES;

	if (!x->n || !len)
		return -1;
	for (h = (size_t)dgram_key(data, len) & x->mask; x->slot[h]; h = (h + 1) & x->mask) {
		size_t k = x->slot[h] - 1;

		if (sb_dgram_len(x, k) == len && !memcmp(sb_pattern_at(p, x->off[k]), data, key_len))
			return (long)k;
	}
	return -1;
}

int sb_dgram_receive(struct sb_dgram_track *t, const struct sb_dgram_index *x,
		     struct sb_verifier *v, const void *data, size_t len, bool check, char *why,
		     size_t why_len)
{
	long ord = sb_dgram_lookup(x, v->pat, data, len);
	uint64_t abs;

	if (ord < 0)
		return sb_why_err(why, why_len, -EILSEQ,
				  "a %zu-byte datagram that is no datagram of the stream (damaged "
				  "in its first bytes, or cut at another size)",
				  len);
	if (!t->started) {
		abs = (uint64_t)ord;
		t->started = true;
	} else {
		/*
		 * Ordinals repeat every period. One earlier than expected by at
		 * most the reorder window arrived late; further back, it is the
		 * next lap after a gap (a sender outrunning the receiver loses
		 * long runs, a single flow rarely reorders far).
		 */
		uint64_t window = x->n / 8 ? x->n / 8 : 1;

		abs = t->next / x->n * x->n + (uint64_t)ord;
		if (abs < t->next && t->next - abs > window)
			abs += x->n;
		else if (abs >= x->n && abs > t->next && abs - t->next >= x->n - window)
			abs -= x->n; /* the end of the previous lap, late */
	}
	if (abs >= t->next) {
		t->gaps += abs - t->next;
		t->next = abs + 1;
	} else {
		t->reordered++;
	}
	if (check && !sb_verify(v, x->off[ord], data, len)) {
		char m[200];

		sb_mismatch_format(&v->mm, m, sizeof(m));
		return sb_why_err(why, why_len, -EILSEQ, "datagram %ld (stream offset %llu): %s",
				  ord, (unsigned long long)x->off[ord], m);
	}
	t->received++;
	t->bytes += len;
	return 0;
}

/* ------------------------------------------------------------------ the thread */

static void fail(struct sb_peer *p, int err, const char *fmt, ...) SB_PRINTF(3, 4);
static void fail(struct sb_peer *p, int err, const char *fmt, ...)
{
	va_list ap;

	if (atomic_load(&p->state) < 0)
		return;
	va_start(ap, fmt);
	vsnprintf(p->why, sizeof(p->why), fmt, ap);
	va_end(ap);
	atomic_store(&p->state, err);
}

/* Wait until @fd is ready for @events or the peer is told to stop. true: ready. */
static bool wait_fd(struct sb_peer *p, short events)
{
	struct pollfd pfd = { .fd = p->fd, .events = events };

	while (!atomic_load(&p->stop)) {
		int r = poll(&pfd, 1, POLL_MS);

		if (r > 0)
			return true;
		if (r < 0 && errno != EINTR) {
			fail(p, -errno, "peer: poll: %s", strerror(errno));
			return false;
		}
	}
	return false;
}

/* test hook: a peer that goes away, as a crashed process would */
static bool vanished(struct sb_peer *p)
{
	if (atomic_load(&p->closed))
		return true;
	if (!atomic_load(&p->vanish))
		return false;
	/* the reason first: the workload's thread sees the closed socket at once */
	fail(p, -ECONNRESET, "the peer closed its socket and went away (test hook)");
	close(p->fd); /* p->fd keeps its value: other threads read it */
	atomic_store(&p->closed, true);
	return true;
}

/* test hook: damage the byte at stream offset inject_at when it arrives */
static void inject(struct sb_peer *p, uint64_t pos, size_t n)
{
	uint64_t at = atomic_load(&p->inject_at);

	if (!atomic_load(&p->inject))
		return;
	if (p->sock_type == SOCK_DGRAM) {
		long ord = sb_dgram_lookup(p->idx, p->pat, p->buf, n);

		if (ord < 0)
			return;
		pos = p->idx->off[ord];
	}
	if (at < pos || at >= pos + n)
		return;
	p->buf[at - pos] ^= 0x5a;
	atomic_store(&p->inject, false);
}

static void receive_loop(struct sb_peer *p)
{
	uint64_t pos = 0;

	while (!vanished(p) && wait_fd(p, POLLIN)) {
		ssize_t n = recv(p->fd, p->buf, RX_BUF, MSG_DONTWAIT);
		bool healthy = atomic_load(&p->state) == 0;
		char why[300];

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR) {
				atomic_fetch_add(&p->eagain, 1);
				continue;
			}
			fail(p, -errno, "the receiving peer: recv: %s", strerror(errno));
			return;
		}
		if (n == 0 && p->sock_type == SOCK_STREAM) {
			if (!atomic_load(&p->stop))
				fail(p, -ECONNRESET, "the connection was closed by the workload's side");
			return;
		}
		inject(p, pos, (size_t)n);
		if (p->sock_type == SOCK_STREAM) {
			/* after a mismatch, drain without checking so the sender cannot block */
			if (healthy && !sb_verify(&p->ver, pos, p->buf, (size_t)n)) {
				char m[200];

				sb_mismatch_format(&p->ver.mm, m, sizeof(m));
				p->mm = p->ver.mm;
				p->mm_valid = true;
				fail(p, -EILSEQ, "the receiving peer: %s", m);
			}
			if (healthy) {
				atomic_fetch_add(&p->verified, (uint64_t)n);
				atomic_fetch_add(&p->bytes, (uint64_t)n);
			}
			pos += (uint64_t)n;
			continue;
		}
		if (healthy && sb_dgram_receive(&p->trk, p->idx, &p->ver, p->buf, (size_t)n, true, why,
						 sizeof(why))) {
			if (p->ver.failed) {
				p->mm = p->ver.mm;
				p->mm_valid = true;
			}
			fail(p, -EILSEQ, "the receiving peer: %s", why);
		}
		if (healthy && atomic_load(&p->state) == 0) {
			atomic_fetch_add(&p->verified, (uint64_t)n);
			atomic_fetch_add(&p->bytes, (uint64_t)n);
			atomic_store(&p->dgrams, p->trk.received);
			atomic_store(&p->reordered, p->trk.reordered);
			atomic_store(&p->gaps, p->trk.gaps);
		}
	}
}

/* One send of @len bytes at @data; false when the peer must stop. */
static bool send_some(struct sb_peer *p, const uint8_t *data, size_t len, size_t *sent)
{
	for (;;) {
		ssize_t n;

		if (vanished(p))
			return false;
		n = send(p->fd, data, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n > 0) {
			*sent = (size_t)n;
			return true;
		}
		if (n < 0 && (errno == EAGAIN || errno == ENOBUFS || errno == EINTR)) {
			atomic_fetch_add(&p->eagain, 1);
			if (!wait_fd(p, POLLOUT))
				return false;
			continue;
		}
		if (!atomic_load(&p->stop))
			fail(p, n < 0 ? -errno : -EIO, "the sending peer: send: %s",
			     n < 0 ? strerror(errno) : "sent nothing");
		return false;
	}
}

static void send_loop(struct sb_peer *p)
{
	const struct sb_pattern *pat = p->pat;
	uint64_t pos = 0;
	size_t ord = 0, n;

	while (!atomic_load(&p->stop)) {
		if (p->sock_type == SOCK_STREAM) {
			uint64_t in = pos % pat->size;

			if (!send_some(p, pat->image + in, (size_t)sb_min_u64(RX_BUF, pat->size - in),
				       &n))
				return;
			pos += n;
			atomic_fetch_add(&p->bytes, n);
			continue;
		}
		if (!send_some(p, sb_pattern_at(pat, p->idx->off[ord]), sb_dgram_len(p->idx, ord),
			       &n))
			return;
		atomic_fetch_add(&p->bytes, n);
		atomic_fetch_add(&p->dgrams, 1);
		ord = (ord + 1) % p->idx->n;
	}
}

static void *peer_main(void *arg)
{
	struct sb_peer *p = arg;
	sigset_t all;

	/* signals are the workload thread's: it interrupts its calls and cleans up */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);

	if (p->receives)
		receive_loop(p);
	else
		send_loop(p);
	if (atomic_load(&p->state) == 0)
		atomic_store(&p->state, 1);
	return NULL;
}

int sb_peer_start(struct sb_peer *p, char *why, size_t why_len)
{
	int err;

	p->buf = malloc(RX_BUF);
	if (!p->buf)
		return sb_why_err(why, why_len, -ENOMEM, "out of memory for the peer's buffer");
	err = sb_verifier_init(&p->ver, p->pat);
	if (err)
		return sb_why_err(why, why_len, err, "peer verifier: %s", strerror(-err));
	p->ver.digesting = false;
	err = pthread_create(&p->thread, NULL, peer_main, p);
	if (err)
		return sb_why_err(why, why_len, -err, "starting the peer thread: %s", strerror(err));
	p->started = true;
	return 0;
}

void sb_peer_stop(struct sb_peer *p)
{
	if (p->started) {
		atomic_store(&p->stop, true);
		pthread_join(p->thread, NULL);
		p->started = false;
	}
	if (p->fd >= 0 && !atomic_load(&p->closed))
		close(p->fd);
	p->fd = -1;
	free(p->buf);
	p->buf = NULL;
	if (p->ver.digest)
		sb_verifier_free(&p->ver);
}

int sb_peer_status(const struct sb_peer *p)
{
	int st = atomic_load(&p->state);

	return st < 0 ? st : 0;
}
