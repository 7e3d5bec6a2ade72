// SPDX-License-Identifier: MIT
/* The data pattern and the verifier. */
#include <stdlib.h>
#include <string.h>

#include "pattern.h"
#include "tap.h"

int main(void)
{
	struct sb_pattern p, q;
	struct sb_verifier v;
	uint8_t *buf = malloc(3 * SB_PAT_BLOCK);
	char msg[256];

	is_int(sb_pattern_init(&p, 42, 64 * SB_PAT_BLOCK), 0, "pattern of 64 blocks");
	is_int(sb_pattern_init(&q, 43, 64 * SB_PAT_BLOCK), 0, "pattern with another seed");
	ok(memcmp(p.image, q.image, p.size) != 0, "different seeds give different data");
	sb_pattern_fill(42, 5000, buf, 3000);
	ok(!memcmp(buf, p.image + 5000, 3000), "fill at an unaligned offset matches the image");
	ok(memcmp(p.image, p.image + SB_PAT_BLOCK, SB_PAT_BLOCK) != 0,
	   "blocks differ from each other (sequence numbers)");

	is_int(sb_verifier_init(&v, &p), 0, "verifier");
	ok(sb_verify(&v, 0, p.image, 2 * SB_PAT_BLOCK), "correct aligned chunk verifies");
	ok(sb_verify(&v, 2 * SB_PAT_BLOCK, p.image + 2 * SB_PAT_BLOCK, 100),
	   "correct short piece verifies");
	/* wrap: the last block followed by the first */
	memcpy(buf, p.image + p.size - SB_PAT_BLOCK, SB_PAT_BLOCK);
	memcpy(buf + SB_PAT_BLOCK, p.image, SB_PAT_BLOCK);
	ok(sb_verify(&v, p.size - SB_PAT_BLOCK, buf, 2 * SB_PAT_BLOCK),
	   "a chunk across the wrap verifies");
	ok(sb_verify(&v, p.size + 4 * SB_PAT_BLOCK, p.image + 4 * SB_PAT_BLOCK, SB_PAT_BLOCK),
	   "offsets past one period wrap");
	ok(!v.failed, "no failure recorded yet");

	/* one flipped byte */
	memcpy(buf, p.image + 4 * SB_PAT_BLOCK, 2 * SB_PAT_BLOCK);
	buf[SB_PAT_BLOCK + 77] ^= 0xff;
	ok(!sb_verify(&v, 4 * SB_PAT_BLOCK, buf, 2 * SB_PAT_BLOCK), "flipped byte detected");
	is_u64(v.mm.offset, 5 * SB_PAT_BLOCK + 77, "mismatch offset");
	is_int(v.mm.expected, p.image[5 * SB_PAT_BLOCK + 77], "expected byte");
	is_int(v.mm.actual, p.image[5 * SB_PAT_BLOCK + 77] ^ 0xff, "actual byte");
	sb_mismatch_format(&v.mm, msg, sizeof(msg));
	ok(strstr(msg, "file offset 20557") != NULL, "message names the offset: %s", msg);

	/* a misplaced block: block 9 delivered where block 8 belongs */
	sb_verifier_free(&v);
	sb_verifier_init(&v, &p);
	ok(!sb_verify(&v, 8 * SB_PAT_BLOCK, p.image + 9 * SB_PAT_BLOCK, SB_PAT_BLOCK),
	   "misplaced block detected");
	is_int(v.mm.found_block, 9, "the header names the block found there");
	is_u64(v.mm.want_block, 8, "and the block that belongs there");
	sb_mismatch_format(&v.mm, msg, sizeof(msg));
	ok(strstr(msg, "block 9 found in its place") != NULL, "message: %s", msg);

	/* header differs from byte 16 on (the sequence number) */
	is_u64(v.mm.offset, 8 * SB_PAT_BLOCK + 16, "first difference is in the sequence number");

	/* zeros (a write that never happened) */
	memset(buf, 0, SB_PAT_BLOCK);
	ok(!sb_verify(&v, 0, buf, SB_PAT_BLOCK), "zeros detected");
	is_u64(v.mm.offset, 8 * SB_PAT_BLOCK + 16, "only the first mismatch is kept");
	is_u64(v.bytes, 2 * SB_PAT_BLOCK, "bytes counted");

	sb_verifier_free(&v);

	/* the digest: equal for equal data, only while digesting */
	{
		struct sb_verifier a, b;

		sb_verifier_init(&a, &p);
		sb_verifier_init(&b, &p);
		sb_verify(&a, 0, p.image, 3 * SB_PAT_BLOCK);
		sb_verify(&b, 0, p.image, SB_PAT_BLOCK);
		sb_verify(&b, SB_PAT_BLOCK, p.image + SB_PAT_BLOCK, 2 * SB_PAT_BLOCK);
		is_u64(sb_verifier_digest(&a), sb_verifier_digest(&b),
		       "digest depends on the bytes, not on how they were chunked");
		b.digesting = false;
		sb_verify(&b, 0, p.image, SB_PAT_BLOCK);
		is_u64(sb_verifier_digest(&a), sb_verifier_digest(&b),
		       "chunks checked while not digesting leave the digest alone");
		is_u64(b.bytes, 4 * SB_PAT_BLOCK, "but are counted as verified");
		sb_verifier_free(&a);
		sb_verifier_free(&b);
	}
	sb_pattern_free(&p);
	sb_pattern_free(&q);
	free(buf);
	return tap_done();
}
