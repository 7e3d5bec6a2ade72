// SPDX-License-Identifier: MIT
#include <errno.h>
#include <string.h>

#include "hist.h"

void sb_hist_init(struct sb_hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

unsigned int sb_hist_index(uint64_t v)
{
	unsigned int e, shift;

	if (v < (1u << SB_HIST_SUB_BITS))
		return (unsigned int)v;
	e = 63u - (unsigned int)__builtin_clzll(v); /* e >= SUB_BITS */
	if (e >= SB_HIST_MAX_EXP)
		return SB_HIST_BUCKETS - 1;
	shift = e - (SB_HIST_SUB_BITS - 1);
	/* (v >> shift) is in [HALF, 2*HALF) */
	return (1u << SB_HIST_SUB_BITS) + (e - SB_HIST_SUB_BITS) * SB_HIST_HALF +
	       (unsigned int)((v >> shift) - SB_HIST_HALF);
}

uint64_t sb_hist_lower(unsigned int idx)
{
	unsigned int e, sub;

	if (idx < (1u << SB_HIST_SUB_BITS))
		return idx;
	idx -= 1u << SB_HIST_SUB_BITS;
	e = SB_HIST_SUB_BITS + idx / SB_HIST_HALF;
	sub = idx % SB_HIST_HALF;
	return (uint64_t)(SB_HIST_HALF + sub) << (e - (SB_HIST_SUB_BITS - 1));
}

uint64_t sb_hist_upper(unsigned int idx)
{
	if (idx >= SB_HIST_BUCKETS - 1)
		return UINT64_MAX;
	return sb_hist_lower(idx + 1) - 1;
}

void sb_hist_add_n(struct sb_hist *h, uint64_t v, uint64_t n)
{
	if (!n)
		return;
	h->buckets[sb_hist_index(v)] += n;
	h->count += n;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
}

void sb_hist_merge(struct sb_hist *dst, const struct sb_hist *src)
{
	if (!src->count)
		return;
	for (unsigned int i = 0; i < SB_HIST_BUCKETS; i++)
		dst->buckets[i] += src->buckets[i];
	dst->count += src->count;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

uint64_t sb_hist_percentile(const struct sb_hist *h, double p)
{
	uint64_t rank, seen = 0;

	if (!h->count)
		return 0;
	if (p >= 100.0)
		return h->max;
	if (p <= 0.0)
		return h->min;
	rank = (uint64_t)(p / 100.0 * (double)h->count);
	if ((double)rank < p / 100.0 * (double)h->count)
		rank++; /* ceil */
	if (rank < 1)
		rank = 1;
	for (unsigned int i = 0; i < SB_HIST_BUCKETS; i++) {
		uint64_t lo, hi, mid;

		seen += h->buckets[i];
		if (seen < rank)
			continue;
		lo = sb_hist_lower(i);
		hi = i == SB_HIST_BUCKETS - 1 ? h->max : sb_hist_upper(i);
		mid = lo + (hi - lo) / 2;
		if (mid < h->min)
			mid = h->min;
		if (mid > h->max)
			mid = h->max;
		return mid;
	}
	return h->max;
}

json_t *sb_hist_to_json(const struct sb_hist *h)
{
	json_t *o = json_object(), *b = json_array();

	json_object_set_new(o, "count", json_integer((json_int_t)h->count));
	json_object_set_new(o, "min", h->count ? json_integer((json_int_t)h->min) : json_null());
	json_object_set_new(o, "max", h->count ? json_integer((json_int_t)h->max) : json_null());
	for (unsigned int i = 0; i < SB_HIST_BUCKETS; i++) {
		uint64_t up;

		if (!h->buckets[i])
			continue;
		up = sb_hist_upper(i);
		json_array_append_new(b, json_pack("[I,I,I]", (json_int_t)sb_hist_lower(i),
						   (json_int_t)(up > INT64_MAX ? INT64_MAX : up),
						   (json_int_t)h->buckets[i]));
	}
	json_object_set_new(o, "buckets", b);
	return o;
}

int sb_hist_from_json(const json_t *j, struct sb_hist *h)
{
	const json_t *b, *e;
	size_t i;
	uint64_t total = 0;

	sb_hist_init(h);
	b = json_object_get(j, "buckets");
	if (!json_is_array(b) || !json_is_integer(json_object_get(j, "count")))
		return -EINVAL;
	json_array_foreach(b, i, e) {
		json_int_t lo, hi, n;
		unsigned int idx;

		if (json_unpack((json_t *)e, "[III]", &lo, &hi, &n) || lo < 0 || n < 0)
			return -EINVAL;
		idx = sb_hist_index((uint64_t)lo);
		if (sb_hist_lower(idx) != (uint64_t)lo)
			return -EINVAL;
		h->buckets[idx] += (uint64_t)n;
		total += (uint64_t)n;
	}
	h->count = (uint64_t)json_integer_value(json_object_get(j, "count"));
	if (h->count != total)
		return -EINVAL;
	if (h->count) {
		json_int_t mn = json_integer_value(json_object_get(j, "min"));
		json_int_t mx = json_integer_value(json_object_get(j, "max"));

		if (mn < 0 || mx < mn)
			return -EINVAL;
		h->min = (uint64_t)mn;
		h->max = (uint64_t)mx;
	}
	return 0;
}
