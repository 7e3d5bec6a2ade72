// SPDX-License-Identifier: MIT
/* Log-linear histogram: bucket bounds, percentiles, merge, JSON round trip. */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>

#include "hist.h"
#include "tap.h"

static void test_buckets(void)
{
	bool mono = true, covers = true, width = true;
	uint64_t prev_hi = 0;

	for (unsigned int i = 0; i < SB_HIST_BUCKETS - 1; i++) {
		uint64_t lo = sb_hist_lower(i), hi = sb_hist_upper(i);

		if (i && lo != prev_hi + 1)
			covers = false;
		if (sb_hist_index(lo) != i || sb_hist_index(hi) != i)
			mono = false;
		if (lo >= 32 && (double)(hi - lo + 1) / (double)lo > 1.0 / 16 + 1e-12)
			width = false;
		prev_hi = hi;
	}
	ok(covers, "buckets are contiguous");
	ok(mono, "index(lower) == index(upper) == bucket for every bucket");
	ok(width, "bucket width <= 1/16 of its lower bound");
	is_int(sb_hist_index(0), 0, "0 -> bucket 0");
	is_int(sb_hist_index(31), 31, "values below 32 are exact");
	is_int(sb_hist_index(UINT64_MAX), SB_HIST_BUCKETS - 1, "huge values clamp to the last");
}

static void test_percentiles(void)
{
	struct sb_hist h;
	uint64_t p;

	sb_hist_init(&h);
	is_u64(sb_hist_percentile(&h, 50), 0, "empty histogram: 0");
	for (uint64_t v = 1; v <= 1000; v++)
		sb_hist_add(&h, v * 1000); /* 1 us .. 1 ms */
	is_u64(h.count, 1000, "count");
	is_u64(h.min, 1000, "min exact");
	is_u64(h.max, 1000000, "max exact");
	p = sb_hist_percentile(&h, 50);
	ok(p >= 500000 * 0.95 && p <= 500000 * 1.05, "p50 within 5%% of 500000 (%llu)",
	   (unsigned long long)p);
	p = sb_hist_percentile(&h, 99);
	ok(p >= 990000 * 0.95 && p <= 990000 * 1.05, "p99 within 5%% of 990000 (%llu)",
	   (unsigned long long)p);
	is_u64(sb_hist_percentile(&h, 100), 1000000, "p100 == max");

	sb_hist_init(&h);
	sb_hist_add_n(&h, 12345, 10);
	p = sb_hist_percentile(&h, 50);
	is_u64(p, 12345, "a single value: percentile clamps to it");
}

static void test_merge_json(void)
{
	struct sb_hist a, b, c;
	json_t *j;
	bool same = true;

	sb_hist_init(&a);
	sb_hist_init(&b);
	for (int i = 0; i < 100; i++) {
		sb_hist_add(&a, (uint64_t)rand() % 100000);
		sb_hist_add(&b, (uint64_t)rand() % 10000000);
	}
	sb_hist_merge(&a, &b);
	is_u64(a.count, 200, "merged count");
	j = sb_hist_to_json(&a);
	is_int(sb_hist_from_json(j, &c), 0, "from_json accepts to_json output");
	for (unsigned int i = 0; i < SB_HIST_BUCKETS; i++)
		if (a.buckets[i] != c.buckets[i])
			same = false;
	ok(same && a.min == c.min && a.max == c.max && a.count == c.count, "JSON round trip");
	json_decref(j);
	j = json_pack("{s:i, s:i, s:i, s:[[iii]]}", "count", 2, "min", 1, "max", 1, "buckets", 1,
		      1, 1);
	is_int(sb_hist_from_json(j, &c), -EINVAL, "count mismatch refused");
	json_decref(j);
	j = json_pack("{s:i, s:i, s:i, s:[[iii]]}", "count", 1, "min", 33, "max", 33, "buckets",
		      33, 33, 1);
	is_int(sb_hist_from_json(j, &c), -EINVAL, "lower bound not on a bucket edge refused");
	json_decref(j);
}

int main(void)
{
	test_buckets();
	test_percentiles();
	test_merge_json();
	return tap_done();
}
