// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "pattern.h"

static inline uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint64_t get_le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

/* One whole block @seq of @seed into @blk (SB_PAT_BLOCK bytes). */
static void fill_block(uint64_t seed, uint64_t seq, uint8_t *blk)
{
	uint64_t state = seed ^ (seq * 0xd1342543de82ef95ULL);

	for (size_t i = SB_PAT_HDR; i < SB_PAT_BLOCK; i += 8)
		put_le64(blk + i, splitmix64(&state));
	put_le64(blk, SB_PAT_MAGIC);
	put_le64(blk + 8, seed);
	put_le64(blk + 16, seq);
	put_le64(blk + 24, XXH64(blk + SB_PAT_HDR, SB_PAT_BLOCK - SB_PAT_HDR, seed));
}

void sb_pattern_fill(uint64_t seed, uint64_t off, void *buf, size_t len)
{
	uint8_t blk[SB_PAT_BLOCK], *out = buf;

	while (len) {
		uint64_t seq = off / SB_PAT_BLOCK;
		size_t in = off % SB_PAT_BLOCK;
		size_t n = SB_PAT_BLOCK - in;

		if (n > len)
			n = len;
		if (in == 0 && n == SB_PAT_BLOCK) {
			fill_block(seed, seq, out);
		} else {
			fill_block(seed, seq, blk);
			memcpy(out, blk + in, n);
		}
		out += n;
		off += n;
		len -= n;
	}
}

int sb_pattern_init(struct sb_pattern *p, uint64_t seed, size_t size)
{
	void *img;

	memset(p, 0, sizeof(*p));
	size = (size + SB_PAT_BLOCK - 1) / SB_PAT_BLOCK * SB_PAT_BLOCK;
	if (!size)
		return -EINVAL;
	if (posix_memalign(&img, SB_PAT_BLOCK, size))
		return -ENOMEM;
	sb_pattern_fill(seed, 0, img, size);
	p->seed = seed;
	p->size = size;
	p->image = img;
	return 0;
}

void sb_pattern_free(struct sb_pattern *p)
{
	free(p->image);
	memset(p, 0, sizeof(*p));
}

int sb_verifier_init(struct sb_verifier *v, const struct sb_pattern *p)
{
	memset(v, 0, sizeof(*v));
	v->pat = p;
	v->digest = XXH3_createState();
	if (!v->digest)
		return -ENOMEM;
	XXH3_64bits_reset(v->digest);
	v->digesting = true;
	return 0;
}

void sb_verifier_free(struct sb_verifier *v)
{
	if (v->digest)
		XXH3_freeState(v->digest);
	memset(v, 0, sizeof(*v));
}

static void record_mismatch(struct sb_verifier *v, uint64_t off, const uint8_t *got, size_t len,
			    size_t i)
{
	struct sb_mismatch *mm = &v->mm;
	uint64_t blk_start;

	mm->offset = off + i;
	mm->period = v->pat->size;
	mm->expected = *sb_pattern_at(v->pat, off + i);
	mm->actual = got[i];
	mm->want_block = ((off + i) % v->pat->size) / SB_PAT_BLOCK;
	mm->found_block = -1;
	/* If the received data holds the whole header of that block, decode it. */
	blk_start = off + i - (off + i) % SB_PAT_BLOCK;
	if (blk_start >= off && blk_start + SB_PAT_HDR <= off + len) {
		const uint8_t *h = got + (blk_start - off);

		if (get_le64(h) == SB_PAT_MAGIC && get_le64(h + 8) == v->pat->seed)
			mm->found_block = (int64_t)get_le64(h + 16);
	}
}

bool sb_verify(struct sb_verifier *v, uint64_t off, const void *got, size_t len)
{
	const uint8_t *g = got;
	size_t done = 0;

	if (v->digesting) {
		XXH3_64bits_update(v->digest, got, len);
		v->digest_bytes += len;
	}
	v->bytes += len;
	v->chunks++;
	while (done < len) {
		uint64_t o = (off + done) % v->pat->size;
		size_t n = v->pat->size - o; /* up to the wrap */

		if (n > len - done)
			n = len - done;
		if (memcmp(g + done, v->pat->image + o, n)) {
			if (!v->failed) {
				size_t i = done;

				while (g[i] == *sb_pattern_at(v->pat, off + i))
					i++;
				record_mismatch(v, off, g, len, i);
			}
			v->failed = true;
			return false;
		}
		done += n;
	}
	return true;
}

uint64_t sb_verifier_digest(const struct sb_verifier *v)
{
	return XXH3_64bits_digest(v->digest);
}

void sb_mismatch_format(const struct sb_mismatch *mm, char *buf, size_t len)
{
	int n = snprintf(buf, len,
			 "data mismatch at file offset %llu (stream byte %llu, block %llu +%llu): "
			 "expected 0x%02x, got 0x%02x",
			 (unsigned long long)(mm->offset % mm->period),
			 (unsigned long long)mm->offset, (unsigned long long)mm->want_block,
			 (unsigned long long)(mm->offset % SB_PAT_BLOCK), mm->expected, mm->actual);

	if (n > 0 && (size_t)n < len && mm->found_block >= 0 &&
	    (uint64_t)mm->found_block != mm->want_block)
		snprintf(buf + n, len - (size_t)n, "; block %lld found in its place",
			 (long long)mm->found_block);
}

json_t *sb_mismatch_to_json(const struct sb_mismatch *mm)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:o}", "file_offset",
			 (json_int_t)(mm->offset % mm->period), "stream_offset", (json_int_t)mm->offset,
			 "expected_byte", (json_int_t)mm->expected, "actual_byte",
			 (json_int_t)mm->actual, "block", (json_int_t)mm->want_block,
			 "found_block",
			 mm->found_block >= 0 ? json_integer(mm->found_block) : json_null());
}
