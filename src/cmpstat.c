// SPDX-License-Identifier: MIT
/*
 * Two-sample statistics for compare and gate (see cmpstat.h).
 *
 * The exact null distribution of the Mann-Whitney U statistic is counted,
 * not approximated: f(m, n, u), the number of orderings of m x's and n y's
 * in which u (x, y) pairs have x > y, satisfies
 *	f(m, n, u) = f(m - 1, n, u - n) + f(m, n - 1, u)
 * (the largest value is an x, beating all n y's, or a y, beating nothing).
 * Only additions of non-negative counts: no cancellation, and counts up to
 * C(100, 50) ~ 1e29 keep a double's relative precision.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cmpstat.h"
#include "stats.h"

static bool all_finite(const double *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return false;
	return true;
}

/*
 * The exact distribution of U for sizes n1, n2 as probabilities
 * P(U = u), u = 0 .. n1 n2 (malloc'ed), or NULL when out of memory.
 * Layers over n (the y's): for each n, all m = 0 .. n1.
 */
static double *u_distribution(size_t n1, size_t n2)
{
	size_t umax = n1 * n2, w = umax + 1, m, n, u;
	double *prev, *cur, *out = NULL, total = 0;

	prev = calloc((n1 + 1) * w, sizeof(*prev));
	cur = calloc((n1 + 1) * w, sizeof(*cur));
	if (!prev || !cur)
		goto out;
	/* n = 0: only U = 0, one ordering, for every m */
	for (m = 0; m <= n1; m++)
		prev[m * w] = 1;
	for (n = 1; n <= n2; n++) {
		memset(cur, 0, (n1 + 1) * w * sizeof(*cur));
		cur[0] = 1; /* m = 0 */
		for (m = 1; m <= n1; m++)
			for (u = 0; u <= m * n; u++)
				cur[m * w + u] = (u >= n ? cur[(m - 1) * w + u - n] : 0) +
						 prev[m * w + u];
		memcpy(prev, cur, (n1 + 1) * w * sizeof(*cur));
	}
	out = malloc(w * sizeof(*out));
	if (!out)
		goto out;
	for (u = 0; u <= umax; u++)
		total += prev[n1 * w + u];
	for (u = 0; u <= umax; u++)
		out[u] = prev[n1 * w + u] / total;
out:
	free(prev);
	free(cur);
	return out;
}

/* U of x against y (pairs x > y, plus one half per tie) and whether the pooled values tie. */
static double u_statistic(const double *x, size_t n1, const double *y, size_t n2, double *tie_sum,
			  bool *ties)
{
	double *all, u = 0;
	size_t i, j, t, n = n1 + n2;

	for (i = 0; i < n1; i++)
		for (j = 0; j < n2; j++)
			u += x[i] > y[j] ? 1 : x[i] == y[j] ? 0.5 : 0;
	*tie_sum = 0;
	*ties = false;
	all = malloc(n * sizeof(*all));
	if (!all)
		return NAN;
	memcpy(all, x, n1 * sizeof(*all));
	memcpy(all + n1, y, n2 * sizeof(*all));
	qsort(all, n, sizeof(*all), sb_cmp_double);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && all[j] == all[i]; j++)
			;
		t = j - i;
		if (t > 1) {
			*ties = true;
			*tie_sum += (double)t * t * t - (double)t;
		}
	}
	free(all);
	return u;
}

int sb_utest(const double *x, size_t n1, const double *y, size_t n2, struct sb_utest *r)
{
	double tie_sum, mean, var, lo = 0, hi = 0, *dist;
	size_t u;

	memset(r, 0, sizeof(*r));
	if (!n1 || !n2 || !all_finite(x, n1) || !all_finite(y, n2))
		return -EINVAL;
	r->u = u_statistic(x, n1, y, n2, &tie_sum, &r->ties);
	if (isnan(r->u))
		return -ENOMEM;
	if (!r->ties && n1 <= SB_UTEST_EXACT_MAX && n2 <= SB_UTEST_EXACT_MAX) {
		dist = u_distribution(n1, n2);
		if (!dist)
			return -ENOMEM;
		for (u = 0; u <= n1 * n2; u++) {
			if ((double)u <= r->u)
				lo += dist[u];
			if ((double)u >= r->u)
				hi += dist[u];
		}
		free(dist);
		r->exact = true;
		r->p = fmin(1, 2 * fmin(lo, hi));
		return 0;
	}
	mean = (double)n1 * n2 / 2;
	var = (double)n1 * n2 / 12 *
	      ((double)(n1 + n2 + 1) - tie_sum / ((double)(n1 + n2) * (double)(n1 + n2 - 1)));
	if (var <= 0) { /* every value equal */
		r->p = 1;
		return 0;
	}
	r->z = fmax(0, fabs(r->u - mean) - 0.5) / sqrt(var);
	r->p = fmin(1, erfc(r->z / M_SQRT2));
	return 0;
}

double sb_utest_min_p(size_t n1, size_t n2)
{
	double c = 1;
	size_t i;

	/* C(n1 + n2, n1), built so that every step is an integer */
	for (i = 1; i <= n1; i++)
		c = c * (double)(n2 + i) / (double)i;
	return fmin(1, 2 / c);
}

size_t sb_utest_need_n(double alpha)
{
	size_t n;

	for (n = 1; n < 1000; n++)
		if (sb_utest_min_p(n, n) < alpha)
			return n;
	return n;
}

/* Standard normal quantile by bisection on erfc (monotone, exact to ~1e-15). */
static double norm_quantile(double p)
{
	double lo = -40, hi = 40, mid;
	int i;

	for (i = 0; i < 200; i++) {
		mid = (lo + hi) / 2;
		if (0.5 * erfc(-mid / M_SQRT2) < p)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

int sb_hodges_lehmann(const double *x, size_t n1, const double *y, size_t n2, double conf,
		      struct sb_hl *r)
{
	double alpha = 1 - conf, *d, *dist, cdf;
	size_t i, j, k = 0, nd = n1 * n2, q;

	memset(r, 0, sizeof(*r));
	r->lo = -INFINITY;
	r->hi = INFINITY;
	r->conf_achieved = NAN;
	if (!n1 || !n2 || !all_finite(x, n1) || !all_finite(y, n2) || !(conf > 0 && conf < 1))
		return -EINVAL;
	d = malloc(nd * sizeof(*d));
	if (!d)
		return -ENOMEM;
	for (i = 0; i < n1; i++)
		for (j = 0; j < n2; j++)
			d[k++] = y[j] - x[i];
	qsort(d, nd, sizeof(*d), sb_cmp_double);
	r->shift = sb_quantile_sorted(d, nd, 0.5);
	if (n1 <= SB_UTEST_EXACT_MAX && n2 <= SB_UTEST_EXACT_MAX) {
		/* q: the smallest c with P(U <= c) >= alpha/2 (R's qwilcox) */
		dist = u_distribution(n1, n2);
		if (!dist) {
			free(d);
			return -ENOMEM;
		}
		for (q = 0, cdf = dist[0]; cdf < alpha / 2 && q < nd; q++)
			cdf += dist[q + 1];
		cdf = 0;
		for (i = 0; i < q; i++)
			cdf += dist[i];
		free(dist);
		if (q >= 1 && q <= nd / 2) {
			r->ci_ok = true;
			r->conf_achieved = 1 - 2 * cdf; /* 1 - 2 P(U <= q - 1) */
		}
	} else {
		double kf = floor((double)nd / 2 - norm_quantile(1 - alpha / 2) *
							  sqrt((double)n1 * n2 * (n1 + n2 + 1) / 12));

		q = kf >= 1 ? (size_t)kf : 0;
		if (q >= 1 && q <= nd / 2) {
			r->ci_ok = true;
			r->conf_achieved = conf;
		}
	}
	if (r->ci_ok) {
		r->lo = d[q - 1];  /* D(q), 1-based */
		r->hi = d[nd - q]; /* D(N + 1 - q) */
	}
	free(d);
	return 0;
}

void sb_holm(const double *p, size_t n, double *p_adj)
{
	size_t *order, i, j, t;
	double run = 0, v, *out;

	order = malloc((n ? n : 1) * sizeof(*order));
	out = malloc((n ? n : 1) * sizeof(*out));
	if (!order || !out) {
		/* Bonferroni is never smaller than Holm: a safe answer without memory */
		for (i = 0; i < n; i++)
			p_adj[i] = fmin(1, p[i] * (double)n);
		free(order);
		free(out);
		return;
	}
	for (i = 0; i < n; i++)
		order[i] = i;
	for (i = 1; i < n; i++) /* insertion sort by p, stable */
		for (j = i; j > 0 && p[order[j - 1]] > p[order[j]]; j--) {
			t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	for (i = 0; i < n; i++) {
		v = fmin(1, (double)(n - i) * p[order[i]]);
		run = fmax(run, v); /* adjusted p-values never decrease along the order */
		out[order[i]] = run;
	}
	memcpy(p_adj, out, n * sizeof(*out));
	free(order);
	free(out);
}

/* P(B <= c) for B ~ Binomial(n, 1/2). */
static double binom_half_cdf(size_t n, size_t c)
{
	double s = 0;
	size_t i;

	for (i = 0; i <= c && i <= n; i++)
		s += exp(lgamma((double)n + 1) - lgamma((double)i + 1) - lgamma((double)(n - i) + 1) -
			 (double)n * M_LN2);
	return s;
}

int sb_median_ci(const double *v, size_t n, double conf, double *lo, double *hi)
{
	double *t;
	size_t k;

	if (!n || !(conf > 0 && conf < 1))
		return -EINVAL;
	/* the largest k with P(B <= k - 1) <= (1 - conf) / 2 */
	for (k = 0; k < n / 2 && binom_half_cdf(n, k) <= (1 - conf) / 2; k++)
		;
	if (k < 1)
		return -EDOM;
	t = malloc(n * sizeof(*t));
	if (!t)
		return -ENOMEM;
	memcpy(t, v, n * sizeof(*t));
	qsort(t, n, sizeof(*t), sb_cmp_double);
	*lo = t[k - 1];
	*hi = t[n - k];
	free(t);
	return 0;
}

double sb_robust_sd(const double *v, size_t n)
{
	double med = sb_median(v, n), *dev, mad;
	size_t i;

	if (isnan(med))
		return NAN;
	dev = malloc(n * sizeof(*dev));
	if (!dev)
		return NAN;
	for (i = 0; i < n; i++)
		dev[i] = fabs(v[i] - med);
	mad = sb_median(dev, n);
	free(dev);
	return 1.4826 * mad;
}

size_t sb_outliers(const double *v, size_t n, double cut, bool *flags)
{
	double med = sb_median(v, n), sd = sb_robust_sd(v, n);
	size_t i, count = 0;

	for (i = 0; i < n; i++) {
		flags[i] = isnan(med) || isnan(sd) ? false :
			   sd > 0		    ? fabs(v[i] - med) / sd > cut :
						      v[i] != med;
		count += flags[i];
	}
	return count;
}
