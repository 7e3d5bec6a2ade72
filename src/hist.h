/* SPDX-License-Identifier: MIT */
/*
 * Log-linear latency histogram (HDR style). Values below 2^SB_HIST_SUB_BITS
 * are exact; above, every power of two is split into 2^(SB_HIST_SUB_BITS-1)
 * equal sub-buckets, so a bucket's width is at most 1/16 of its lower bound
 * (relative error of a reported percentile <= 6.25%, midpoint <= 3.2%).
 * Values of 2^SB_HIST_MAX_EXP and more land in the last bucket; min and max
 * are tracked exactly.
 */
#ifndef SB_HIST_H
#define SB_HIST_H

#include <jansson.h>

#include "sb.h"

#define SB_HIST_SUB_BITS 5
#define SB_HIST_MAX_EXP 42 /* 2^42 ns = 73 minutes */
#define SB_HIST_HALF (1u << (SB_HIST_SUB_BITS - 1))
#define SB_HIST_BUCKETS ((1u << SB_HIST_SUB_BITS) + (SB_HIST_MAX_EXP - SB_HIST_SUB_BITS) * SB_HIST_HALF)

struct sb_hist {
	uint64_t count;
	uint64_t min;
	uint64_t max;
	uint64_t buckets[SB_HIST_BUCKETS];
};

void sb_hist_init(struct sb_hist *h);
void sb_hist_add_n(struct sb_hist *h, uint64_t v, uint64_t n);
static inline void sb_hist_add(struct sb_hist *h, uint64_t v)
{
	sb_hist_add_n(h, v, 1);
}
void sb_hist_merge(struct sb_hist *dst, const struct sb_hist *src);

unsigned int sb_hist_index(uint64_t v);
/* Smallest and largest value mapped to bucket @idx. */
uint64_t sb_hist_lower(unsigned int idx);
uint64_t sb_hist_upper(unsigned int idx);

/*
 * Value at percentile @p (0 < p <= 100): the midpoint of the bucket holding
 * the ceil(p/100 * count)-th smallest value, clamped to [min, max]; p == 100
 * gives max exactly. Returns 0 for an empty histogram.
 */
uint64_t sb_hist_percentile(const struct sb_hist *h, double p);

/* {"count", "min", "max", "buckets": [[lower, upper, count], ...]} (non-empty buckets only). */
json_t *sb_hist_to_json(const struct sb_hist *h);
/* Inverse of sb_hist_to_json; returns 0 or -EINVAL. */
int sb_hist_from_json(const json_t *j, struct sb_hist *h);

#endif
