/* SPDX-License-Identifier: MIT */
/*
 * Descriptive statistics over a set of samples (pure, no I/O).
 */
#ifndef SB_STATS_H
#define SB_STATS_H

#include <jansson.h>

#include "sb.h"

struct sb_summary {
	size_t n;
	double mean;
	double stddev; /* sample standard deviation (n - 1); 0 when n < 2 */
	double min;
	double max;
	double median;
	double p25;
	double p75;
	double mad;    /* median absolute deviation (unscaled) */
	double cv;     /* stddev / mean */
	double rcv;    /* robust CV: 1.4826 * mad / median */
};

/* qsort() comparator: doubles in ascending order. */
int sb_cmp_double(const void *a, const void *b);

/* Median of @n values (not modified); NAN when n is 0 or out of memory. */
double sb_median(const double *v, size_t n);

/* Quantile of sorted data, linear interpolation between order statistics (R type 7). */
double sb_quantile_sorted(const double *sorted, size_t n, double q);

/* Summarize @n values (not modified). Returns 0, or -EINVAL when n == 0. */
int sb_summarize(const double *v, size_t n, struct sb_summary *s);

/* {"n","mean","stddev","min","max","median","p25","p75","mad","cv","rcv"}; non-finite -> null */
json_t *sb_summary_to_json(const struct sb_summary *s);

/* A double as JSON: null when not finite. */
json_t *sb_json_real(double v);

#endif
