/* SPDX-License-Identifier: MIT */
/*
 * The other end of a socket workload, in a thread of its own.
 *
 * When the workload writes the socket, the peer receives: it checks every
 * byte of a TCP stream against the pattern at its stream offset, and
 * identifies every UDP datagram by its content (struct sb_dgram_index),
 * checks it against the pattern where it belongs, and counts what arrived,
 * what arrived out of order and what arrived damaged. When the workload
 * reads the socket, the peer sends: the pattern as one endless TCP stream
 * from offset 0, or the datagram schedule in order, unthrottled.
 *
 * The datagram schedule. The workload's ops move [off, off + len) with off
 * stepping by the chunk from 0 and wrapping at the pattern period; each op
 * is cut into datagrams of the datagram size from its start (the last one
 * of an op may be shorter). Those (offset, length) pairs, numbered in
 * order, are the ordinals of one period. Pattern bytes never repeat within
 * a period, so the first bytes of a datagram name its ordinal.
 */
#ifndef SB_SOCKPEER_H
#define SB_SOCKPEER_H

#include <pthread.h>
#include <stdatomic.h>

#include "pattern.h"
#include "sb.h"

#define SB_DGRAM_MIN 32	   /* the identity of a datagram is its first 32 bytes */
#define SB_DGRAM_MAX 65507 /* the largest UDP payload over IPv4 */

struct sb_dgram_index {
	uint64_t period;
	uint64_t chunk;
	size_t dgram;
	size_t n;	  /* datagrams per period */
	uint64_t *off;	  /* ordinal -> stream offset */
	uint32_t *slot;	  /* open addressing: ordinal + 1, 0 = empty */
	size_t mask;
};

int sb_dgram_index_init(struct sb_dgram_index *x, const struct sb_pattern *p, uint64_t chunk,
			size_t dgram);
void sb_dgram_index_free(struct sb_dgram_index *x);

static inline size_t sb_dgram_len(const struct sb_dgram_index *x, size_t ord)
{
	uint64_t op_end = (x->off[ord] / x->chunk + 1) * x->chunk;

	if (op_end > x->period)
		op_end = x->period;
	return (size_t)sb_min_u64(x->dgram, op_end - x->off[ord]);
}

/* The ordinal of the datagram @data (@len bytes), or -1 when it is no datagram of the schedule. */
long sb_dgram_lookup(const struct sb_dgram_index *x, const struct sb_pattern *p, const void *data,
		     size_t len);

/* Loss and order of received datagrams, by ordinal. */
struct sb_dgram_track {
	uint64_t next;	     /* absolute ordinal expected next (laps * n + ordinal) */
	uint64_t received;   /* datagrams identified */
	uint64_t bytes;	     /* their bytes (intact when they were also checked) */
	uint64_t reordered;  /* arrived after a later one */
	uint64_t gaps;	     /* ordinals skipped when a later one arrived (lost or late) */
	bool started;
};

/*
 * Account datagram @data: identify it, and with @check compare every byte
 * with the pattern (@v records the mismatch). Returns 0, or -EILSEQ with a
 * reason in @why (not a datagram of the schedule, or damaged).
 */
int sb_dgram_receive(struct sb_dgram_track *t, const struct sb_dgram_index *x,
		     struct sb_verifier *v, const void *data, size_t len, bool check, char *why,
		     size_t why_len);

struct sb_peer {
	/* set before sb_peer_start */
	int fd;
	int sock_type;	 /* SOCK_STREAM or SOCK_DGRAM */
	bool receives;	 /* the peer reads (the workload writes) */
	const struct sb_pattern *pat;
	const struct sb_dgram_index *idx; /* SOCK_DGRAM */

	/* the thread's state, read by the workload's thread */
	_Atomic uint64_t bytes;	    /* received intact, or sent */
	_Atomic uint64_t dgrams;    /* datagrams received, or sent */
	_Atomic uint64_t reordered; /* receiving datagrams */
	_Atomic uint64_t gaps;
	_Atomic uint64_t verified;  /* bytes compared with the pattern */
	_Atomic uint64_t eagain;    /* polls after EAGAIN (or ENOBUFS) */
	_Atomic int state;	    /* 0 running, 1 stopped, -errno failed or -EILSEQ damaged */
	char why[320];		    /* the reason, written before state */
	struct sb_mismatch mm;	    /* the first mismatch (state -EILSEQ) */
	bool mm_valid;

	/* test hooks: flip one byte of the data received at stream offset >= inject_at */
	_Atomic bool inject;
	_Atomic uint64_t inject_at;
	_Atomic bool vanish;	    /* close the socket and stop, as a dying peer would */
	_Atomic bool closed;	    /* it did: fd is no longer open */

	/* private */
	_Atomic bool stop;
	pthread_t thread;
	bool started;
	uint8_t *buf;
	struct sb_verifier ver;
	struct sb_dgram_track trk;
};

/* Start the thread. 0 or -errno with @why. */
int sb_peer_start(struct sb_peer *p, char *why, size_t why_len);
/* Ask the thread to stop and wait for it (idempotent). */
void sb_peer_stop(struct sb_peer *p);
/* 0 while healthy, else the state (-errno) with p->why set. */
int sb_peer_status(const struct sb_peer *p);

#endif
