// SPDX-License-Identifier: MIT
/*
 * The UDP datagram schedule (src/sockpeer.c): the index names every datagram
 * of a period by its first bytes; the tracker counts received datagrams,
 * gaps and reorders; a damaged or foreign datagram is refused.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sockpeer.h"
#include "tap.h"

#define PERIOD (1024 * 1024)
#define CHUNK (64 * 1024)
#define DGRAM 1472

static int feed(struct sb_dgram_track *t, const struct sb_dgram_index *x,
		struct sb_verifier *v, long ord)
{
	char why[300];

	return sb_dgram_receive(t, x, v, sb_pattern_at(v->pat, x->off[ord]),
				sb_dgram_len(x, (size_t)ord), true, why, sizeof(why));
}

int main(void)
{
	struct sb_pattern p;
	struct sb_dgram_index x;
	struct sb_dgram_track t;
	struct sb_verifier v;
	uint8_t buf[DGRAM];
	size_t per_op = (CHUNK + DGRAM - 1) / DGRAM, bad = 0;
	char why[300];

	if (sb_pattern_init(&p, 42, PERIOD) || sb_verifier_init(&v, &p))
		tap_bail("pattern");
	v.digesting = false;
	is_int(sb_dgram_index_init(&x, &p, CHUNK, 16), -EINVAL, "a datagram under 32 bytes is refused");
	is_int(sb_dgram_index_init(&x, &p, CHUNK, DGRAM), 0, "index of 1472-byte datagrams");
	is_u64(x.n, (PERIOD / CHUNK) * per_op, "datagrams per period: ops x ceil(chunk / size)");
	is_u64(sb_dgram_len(&x, per_op - 1), CHUNK - (per_op - 1) * DGRAM,
	       "the last datagram of an op is shorter");
	is_u64(x.off[per_op], CHUNK, "the next op starts a new datagram");
	for (size_t k = 0; k < x.n; k++)
		bad += sb_dgram_lookup(&x, &p, sb_pattern_at(&p, x.off[k]), sb_dgram_len(&x, k)) !=
		       (long)k;
	is_u64(bad, 0, "every datagram of the period is found by its content");
	memcpy(buf, sb_pattern_at(&p, 100), DGRAM);
	is_int(sb_dgram_lookup(&x, &p, buf, DGRAM), -1, "bytes at another offset are no datagram");

	memset(&t, 0, sizeof(t));
	for (long k = 0; k < 10; k++)
		feed(&t, &x, &v, k);
	ok(t.received == 10 && t.gaps == 0 && t.reordered == 0, "in order: 10 received, no gap");
	feed(&t, &x, &v, 15);
	is_u64(t.gaps, 5, "a jump forward leaves a gap of 5");
	feed(&t, &x, &v, 12);
	is_u64(t.reordered, 1, "one that arrives after a later one is reordered");
	feed(&t, &x, &v, 16);
	feed(&t, &x, &v, 3);
	is_u64(t.reordered, 2, "13 behind, within the reorder window (n / 8): reordered");
	/* a long run lost near the end of the period, then the next lap */
	feed(&t, &x, &v, (long)x.n - 50);
	is_u64(t.gaps, 5 + (x.n - 50 - 17), "a long jump forward is a gap");
	feed(&t, &x, &v, 3);
	is_u64(t.reordered, 2, "an early ordinal far behind is the next lap, not a reorder");
	is_u64(t.gaps, 5 + (x.n - 50 - 17) + 52, "... and the gap covers the wrap");
	feed(&t, &x, &v, (long)x.n - 40);
	is_u64(t.reordered, 3, "the previous lap's end, arriving late, is reordered");
	is_u64(t.received, 17, "every datagram fed was received");

	memcpy(buf, sb_pattern_at(&p, x.off[5]), DGRAM);
	buf[DGRAM - 1] ^= 1;
	is_int(sb_dgram_receive(&t, &x, &v, buf, DGRAM, true, why, sizeof(why)), -EILSEQ,
	       "a damaged datagram is refused");
	ok(strstr(why, "datagram 5") != NULL, "... naming it: %s", why);
	buf[0] ^= 1;
	is_int(sb_dgram_receive(&t, &x, &v, buf, DGRAM, true, why, sizeof(why)), -EILSEQ,
	       "damaged in its first bytes: no datagram of the stream");

	sb_dgram_index_free(&x);
	sb_verifier_free(&v);
	sb_pattern_free(&p);
	return tap_done();
}
