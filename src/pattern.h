/* SPDX-License-Identifier: MIT */
/*
 * The data every workload moves, and its verification.
 *
 * A pattern is an endless byte stream defined by a seed, periodic with the
 * image size. It is made of SB_PAT_BLOCK-byte blocks, each starting with a
 * 32-byte header (magic, seed, block sequence number, xxh64 of the body),
 * followed by a pseudo-random body derived from (seed, sequence number). A
 * block that arrives at the wrong offset is therefore recognised as such, and
 * a damaged block names itself.
 *
 * The verifier compares what a sink received with the stream at a given
 * offset, byte for byte (memcmp against the period held in memory), and on
 * a mismatch records the first differing byte with its expected and actual
 * value. While digesting is on (the verification pass), it also feeds every
 * checked chunk, in order, into a running xxh3-64: a fingerprint of what
 * arrived that is equal for equal seeds and parameters.
 */
#ifndef SB_PATTERN_H
#define SB_PATTERN_H

#include <jansson.h>

#include "sb.h"

#define SB_PAT_BLOCK 4096
#define SB_PAT_HDR 32
#define SB_PAT_MAGIC 0x31544150424c5053ULL /* "SPLBPAT1" little-endian */

struct sb_pattern {
	uint64_t seed;
	size_t size;	/* period of the stream, a multiple of SB_PAT_BLOCK */
	uint8_t *image; /* one period, page aligned */
};

/* Fill @buf with the stream bytes [off, off + len) of @seed (pure, no wrap). */
void sb_pattern_fill(uint64_t seed, uint64_t off, void *buf, size_t len);

/* Allocate and fill one period. @size is rounded up to SB_PAT_BLOCK. */
int sb_pattern_init(struct sb_pattern *p, uint64_t seed, size_t size);
void sb_pattern_free(struct sb_pattern *p);

/* Pointer into the image for stream offset @off (mod size). */
static inline const uint8_t *sb_pattern_at(const struct sb_pattern *p, uint64_t off)
{
	return p->image + off % p->size;
}

struct sb_mismatch {
	uint64_t offset;      /* stream offset of the first differing byte */
	uint64_t period;      /* pattern period: offset % period is the file offset */
	uint8_t expected;
	uint8_t actual;
	int64_t found_block;  /* sequence number in the header of the block found there, -1 if none */
	uint64_t want_block;  /* the block that should be there */
};

struct sb_verifier {
	const struct sb_pattern *pat;
	void *digest;          /* XXH3 streaming state */
	bool digesting;        /* feed checked chunks into the digest */
	uint64_t digest_bytes; /* bytes in the digest */
	uint64_t bytes;        /* bytes verified */
	uint64_t chunks;       /* chunks verified */
	bool failed;
	struct sb_mismatch mm; /* the first mismatch */
};

/* A verifier with digesting on. */
int sb_verifier_init(struct sb_verifier *v, const struct sb_pattern *p);
void sb_verifier_free(struct sb_verifier *v);

/*
 * Check @len received bytes @got against the stream at @off (which may wrap).
 * Returns true when they match; otherwise records the first mismatch (once)
 * and returns false.
 */
bool sb_verify(struct sb_verifier *v, uint64_t off, const void *got, size_t len);

/* xxh3-64 of the chunks checked while digesting was on. */
uint64_t sb_verifier_digest(const struct sb_verifier *v);

/* "mismatch at offset 4096 (block 1 +0): expected 0x53, got 0x00; found block 7 there" */
void sb_mismatch_format(const struct sb_mismatch *mm, char *buf, size_t len);
json_t *sb_mismatch_to_json(const struct sb_mismatch *mm);

#endif
