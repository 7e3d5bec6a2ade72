// SPDX-License-Identifier: MIT
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

int sb_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double sb_quantile_sorted(const double *sorted, size_t n, double q)
{
	double h, lo;
	size_t i;

	if (!n)
		return NAN;
	if (q <= 0.0)
		return sorted[0];
	if (q >= 1.0)
		return sorted[n - 1];
	h = (double)(n - 1) * q;
	lo = floor(h);
	i = (size_t)lo;
	if (i + 1 >= n)
		return sorted[n - 1];
	return sorted[i] + (h - lo) * (sorted[i + 1] - sorted[i]);
}

int sb_summarize(const double *v, size_t n, struct sb_summary *s)
{
	double *tmp, sum = 0.0, ss = 0.0;

	memset(s, 0, sizeof(*s));
	if (!n)
		return -EINVAL;
	tmp = malloc(n * sizeof(*tmp));
	if (!tmp)
		return -ENOMEM;
	memcpy(tmp, v, n * sizeof(*tmp));
	qsort(tmp, n, sizeof(*tmp), sb_cmp_double);

	s->n = n;
	for (size_t i = 0; i < n; i++)
		sum += tmp[i];
	s->mean = sum / (double)n;
	for (size_t i = 0; i < n; i++)
		ss += (tmp[i] - s->mean) * (tmp[i] - s->mean);
	s->stddev = n > 1 ? sqrt(ss / (double)(n - 1)) : 0.0;
	s->min = tmp[0];
	s->max = tmp[n - 1];
	s->median = sb_quantile_sorted(tmp, n, 0.5);
	s->p25 = sb_quantile_sorted(tmp, n, 0.25);
	s->p75 = sb_quantile_sorted(tmp, n, 0.75);

	for (size_t i = 0; i < n; i++)
		tmp[i] = fabs(v[i] - s->median);
	qsort(tmp, n, sizeof(*tmp), sb_cmp_double);
	s->mad = sb_quantile_sorted(tmp, n, 0.5);
	s->cv = s->mean != 0.0 ? s->stddev / fabs(s->mean) : NAN;
	s->rcv = s->median != 0.0 ? 1.4826 * s->mad / fabs(s->median) : NAN;
	free(tmp);
	return 0;
}

json_t *sb_json_real(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

json_t *sb_summary_to_json(const struct sb_summary *s)
{
	json_t *o = json_object();

	json_object_set_new(o, "n", json_integer((json_int_t)s->n));
	json_object_set_new(o, "mean", sb_json_real(s->mean));
	json_object_set_new(o, "stddev", sb_json_real(s->stddev));
	json_object_set_new(o, "min", sb_json_real(s->min));
	json_object_set_new(o, "max", sb_json_real(s->max));
	json_object_set_new(o, "median", sb_json_real(s->median));
	json_object_set_new(o, "p25", sb_json_real(s->p25));
	json_object_set_new(o, "p75", sb_json_real(s->p75));
	json_object_set_new(o, "mad", sb_json_real(s->mad));
	json_object_set_new(o, "cv", sb_json_real(s->cv));
	json_object_set_new(o, "rcv", sb_json_real(s->rcv));
	return o;
}

double sb_median(const double *v, size_t n)
{
	double *t, m;

	if (!n)
		return NAN;
	t = malloc(n * sizeof(*t));
	if (!t)
		return NAN;
	memcpy(t, v, n * sizeof(*t));
	qsort(t, n, sizeof(*t), sb_cmp_double);
	m = sb_quantile_sorted(t, n, 0.5);
	free(t);
	return m;
}
