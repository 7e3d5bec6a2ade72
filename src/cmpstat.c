// SPDX-License-Identifier: MIT
/*
 * Two-sample statistics for compare and gate (see cmpstat.h).
 *
 * Everything here is distribution-free: the U test and the Moses interval
 * need only the null law of U (every ordering of the pooled sample equally
 * likely), the median interval only Binomial(n, 1/2). Small samples get
 * the exact laws, counted; large ones the normal approximation.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmpstat.h"
#include "stats.h"

/*
 * Probabilities are compared with levels written in decimal that a double
 * cannot hold: (1 - 0.9) / 2 is 0.04999999999999999, below the exact
 * P(U <= 0) = 1/20 of sizes 1 and 19. A probability within this relative
 * distance of the level counts as meeting it, so an interval whose exact
 * coverage is the asked one is not lost to rounding. The exact laws are far
 * more accurate than this (~1e-14), so no honest miss is hidden.
 */
#define LEVEL_SLACK 1e-9

static bool at_most(double prob, double level)
{
	return prob <= level * (1 + LEVEL_SLACK);
}

static bool all_finite(const double *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return false;
	return true;
}

/* ------------------------------------------------------------ U statistic */

struct tagged {
	double v;
	bool from_x;
};

static int cmp_tagged(const void *a, const void *b)
{
	const struct tagged *p = a, *q = b;

	return (p->v > q->v) - (p->v < q->v);
}

/*
 * U of @x against @y and sum(t^3 - t) over the tie groups of the pooled
 * values, from one sort: walking the groups in ascending order, each x of a
 * group beats every y seen before it and ties with the group's own y's.
 * Counts are integers and halves: exact in a double.
 */
static int u_and_ties(const double *x, size_t n1, const double *y, size_t n2, double *u,
		      double *tie_sum)
{
	size_t n = n1 + n2, i, j, y_below = 0;
	struct tagged *all;

	all = malloc(n * sizeof(*all));
	if (!all)
		return -ENOMEM;
	for (i = 0; i < n1; i++)
		all[i] = (struct tagged){ x[i], true };
	for (i = 0; i < n2; i++)
		all[n1 + i] = (struct tagged){ y[i], false };
	qsort(all, n, sizeof(*all), cmp_tagged);

	*u = 0;
	*tie_sum = 0;
	for (i = 0; i < n; i = j) {
		size_t nx = 0, ny = 0;

		for (j = i; j < n && all[j].v == all[i].v; j++) {
			if (all[j].from_x)
				nx++;
			else
				ny++;
		}
		*u += (double)nx * (double)y_below + 0.5 * (double)nx * (double)ny;
		y_below += ny;
		if (j - i > 1)
			*tie_sum += (double)(j - i) * (double)(j - i) * (double)(j - i) - (double)(j - i);
	}
	free(all);
	return 0;
}

/* -------------------------------------------------- exact null law of U */

/*
 * P(U <= c) for c = 0 .. n1 n2 (malloc'ed), or NULL without memory.
 *
 * Under the null every one of the C(n1 + n2, n1) orderings of the pooled
 * sample is equally likely. The number f(m, n, u) of orderings of m x's and
 * n y's with U = u obeys
 *	f(m, n, u) = f(m, n - 1, u) + f(m - 1, n, u - n)
 * (the largest value is either a y, which beats nothing, or an x, which
 * beats all n y's), with f(m, 0, .) = f(0, n, .) = [u == 0]. The law is the
 * same for sizes (n1, n2) and (n2, n1), so m runs over the smaller one.
 *
 * One table of rows m = 0 .. min, updated in place as y's are added: row
 * m - 1 is already at the new n when row m reads it. The counts stay
 * doubles: only sums of non-negative numbers (no cancellation), at most
 * n1 + n2 roundings deep, and C(100, 50) ~ 1e29 is far from overflow.
 */
static double *u_null_cdf(size_t n1, size_t n2)
{
	size_t small = n1 < n2 ? n1 : n2, big = n1 < n2 ? n2 : n1;
	size_t w = small * big + 1, m, n, u;
	double *f, *cdf, *last, total = 0, run = 0;

	f = calloc((small + 1) * w, sizeof(*f));
	cdf = malloc(w * sizeof(*cdf));
	if (!f || !cdf) {
		free(f);
		free(cdf);
		return NULL;
	}
	for (m = 0; m <= small; m++)
		f[m * w] = 1; /* no y yet: U = 0 */
	for (n = 1; n <= big; n++)
		for (m = 1; m <= small; m++)
			for (u = n; u <= m * n; u++)
				f[m * w + u] += f[(m - 1) * w + u - n];

	last = f + small * w;
	for (u = 0; u < w; u++)
		total += last[u]; /* C(n1 + n2, n1) */
	for (u = 0; u < w; u++) {
		run += last[u];
		cdf[u] = run / total;
	}
	free(f);
	return cdf;
}

/* ---------------------------------------------------------------- U test */

static int utest_exact(size_t n1, size_t n2, struct sb_utest *r)
{
	size_t mn = n1 * n2, u = (size_t)r->u, c;
	double *cdf = u_null_cdf(n1, n2);

	if (!cdf)
		return -ENOMEM;
	/* the law is symmetric about mn/2: P(U >= u) = P(U <= mn - u) */
	c = u < mn - u ? u : mn - u;
	r->p = fmin(1, 2 * cdf[c]);
	r->exact = true;
	free(cdf);
	return 0;
}

static void utest_normal(size_t n1, size_t n2, double tie_sum, struct sb_utest *r)
{
	double nn = (double)(n1 + n2), mn = (double)n1 * (double)n2;
	double var = mn / 12 * ((nn + 1) - tie_sum / (nn * (nn - 1)));

	if (!(var > 0)) { /* every value equal: no evidence of anything */
		r->z = 0;
		r->p = 1;
		return;
	}
	/*
	 * |U - mn/2| is a multiple of 1/2, so the continuity correction only
	 * reaches below 0 at U = mn/2, where the clamp gives z = 0 and p = 1.
	 */
	r->z = fmax(0, fabs(r->u - mn / 2) - 0.5) / sqrt(var);
	/* 2 (1 - Phi(z)) without the cancellation of 1 - Phi for large z */
	r->p = fmin(1, erfc(r->z / M_SQRT2));
}

int sb_utest(const double *x, size_t n1, const double *y, size_t n2, struct sb_utest *r)
{
	double tie_sum;
	int ret;

	memset(r, 0, sizeof(*r));
	if (!n1 || !n2 || !all_finite(x, n1) || !all_finite(y, n2))
		return -EINVAL;
	ret = u_and_ties(x, n1, y, n2, &r->u, &tie_sum);
	if (ret)
		return ret;
	r->ties = tie_sum > 0;
	if (!r->ties && n1 <= SB_UTEST_EXACT_MAX && n2 <= SB_UTEST_EXACT_MAX)
		return utest_exact(n1, n2, r);
	utest_normal(n1, n2, tie_sum, r);
	return 0;
}

double sb_utest_min_p(size_t n1, size_t n2)
{
	size_t small = n1 < n2 ? n1 : n2, big = n1 < n2 ? n2 : n1;
	double c = 1;

	/*
	 * C(big + i, i) step by step: c (big + i) is i C(big + i, i), so every
	 * quotient is an integer (exact below 2^53), and a huge c becomes inf,
	 * giving p 0.
	 */
	for (size_t i = 1; i <= small; i++)
		c = c * (double)(big + i) / (double)i;
	return fmin(1, 2 / c);
}

size_t sb_utest_need_n(double alpha)
{
	size_t n;

	if (!(alpha > 0))
		return 0;
	/* min_p(n, n) ~ 2 / 4^n reaches 0 (c overflows) near n = 515 */
	for (n = 1; sb_utest_min_p(n, n) >= alpha; n++)
		;
	return n;
}

/* ------------------------------------------------------- Hodges-Lehmann */

/* The standard normal quantile: bisection on Phi until the bracket is one ulp. */
static double norm_quantile(double p)
{
	double lo = -40, hi = 40;

	for (;;) {
		double mid = lo + (hi - lo) / 2;
		if (mid <= lo || mid >= hi)
			return mid;
		if (0.5 * erfc(-mid / M_SQRT2) < p)
			lo = mid;
		else
			hi = mid;
	}
}

/*
 * k of the Moses interval [D(k), D(N + 1 - k)] from the exact law: the
 * largest k with P(U <= k - 1) <= alpha/2, that is k - 1 is the lower
 * alpha/2 critical value of U. The interval misses the true shift exactly
 * when U (of y - shift against x) falls in either tail beyond it, so its
 * coverage is 1 - 2 P(U <= k - 1). k may come out 0: no interval.
 */
static int moses_k_exact(size_t n1, size_t n2, double alpha, size_t *k, double *achieved)
{
	double *cdf = u_null_cdf(n1, n2);
	size_t c;

	if (!cdf)
		return -ENOMEM;
	for (c = 0; c <= n1 * n2 && at_most(cdf[c], alpha / 2); c++)
		;
	*k = c;
	*achieved = c ? 1 - 2 * cdf[c - 1] : NAN;
	free(cdf);
	return 0;
}

/*
 * k from the normal approximation of U (no tie or continuity correction):
 * k = floor(N/2 - z sigma) with sigma^2 = n1 n2 (n1 + n2 + 1) / 12 and z
 * the 1 - alpha/2 normal quantile; 0 (no interval) when that is below 1.
 * The coverage reported is the same approximation's, with the continuity
 * correction: 1 - 2 Phi((k - 1/2 - N/2) / sigma), at least the asked one.
 */
static void moses_k_normal(size_t n1, size_t n2, double alpha, size_t *k, double *achieved)
{
	double nd = (double)n1 * (double)n2;
	double sigma = sqrt(nd * (double)(n1 + n2 + 1) / 12);
	double kf = floor(nd / 2 - norm_quantile(1 - alpha / 2) * sigma);

	*k = kf >= 1 ? (size_t)kf : 0;
	*achieved = *k ? erf((nd / 2 - kf + 0.5) / sigma / M_SQRT2) : NAN;
}

/* The n1 n2 differences y_j - x_i, sorted (malloc'ed), or NULL. */
static double *sorted_diffs(const double *x, size_t n1, const double *y, size_t n2)
{
	size_t i, j, k = 0;
	double *d;

	if (n1 > SIZE_MAX / sizeof(*d) / n2)
		return NULL;
	d = malloc(n1 * n2 * sizeof(*d));
	if (!d)
		return NULL;
	for (i = 0; i < n1; i++)
		for (j = 0; j < n2; j++)
			d[k++] = y[j] - x[i];
	qsort(d, k, sizeof(*d), sb_cmp_double);
	return d;
}

int sb_hodges_lehmann(const double *x, size_t n1, const double *y, size_t n2, double conf,
		      struct sb_hl *r)
{
	size_t nd = n1 * n2, k;
	double *d, achieved;
	int ret = 0;

	memset(r, 0, sizeof(*r));
	r->lo = -INFINITY;
	r->hi = INFINITY;
	r->conf_achieved = NAN;
	if (!n1 || !n2 || !all_finite(x, n1) || !all_finite(y, n2) || !(conf > 0 && conf < 1))
		return -EINVAL;
	d = sorted_diffs(x, n1, y, n2);
	if (!d)
		return -ENOMEM;
	r->shift = sb_quantile_sorted(d, nd, 0.5);

	if (n1 <= SB_UTEST_EXACT_MAX && n2 <= SB_UTEST_EXACT_MAX)
		ret = moses_k_exact(n1, n2, 1 - conf, &k, &achieved);
	else
		moses_k_normal(n1, n2, 1 - conf, &k, &achieved);
	/* alpha/2 < 1/2 and the law is symmetric, so k <= N/2: D(k) <= D(N + 1 - k) */
	if (!ret && k >= 1) {
		r->ci_ok = true;
		r->lo = d[k - 1];
		r->hi = d[nd - k];
		r->conf_achieved = achieved;
	}
	free(d);
	return ret;
}

/* ------------------------------------------------------------------ Holm */

struct ranked_p {
	double p;
	size_t at;
};

static int cmp_ranked_p(const void *a, const void *b)
{
	const struct ranked_p *p = a, *q = b;

	return (p->p > q->p) - (p->p < q->p);
}

/*
 * Sorted ascending, p(i) (i = 1 .. m) is adjusted to
 *	max over j <= i of min(1, (m - j + 1) p(j)):
 * the running maximum keeps a larger raw p from getting a smaller adjusted
 * one. NaN p's (an untestable row) stay NaN and are not counted in m, as
 * R's p.adjust does with NA.
 */
void sb_holm(const double *p, size_t n, double *p_adj)
{
	struct ranked_p *s = malloc((n ? n : 1) * sizeof(*s));
	size_t i, m = 0;
	double run = 0;

	if (!s) {
		/* Bonferroni is never below Holm: a safe answer without memory */
		for (i = 0; i < n; i++)
			p_adj[i] = fmin(1, p[i] * (double)n);
		return;
	}
	for (i = 0; i < n; i++) {
		if (isnan(p[i]))
			p_adj[i] = NAN;
		else
			s[m++] = (struct ranked_p){ p[i], i };
	}
	qsort(s, m, sizeof(*s), cmp_ranked_p);
	for (i = 0; i < m; i++) {
		run = fmax(run, fmin(1, (double)(m - i) * s[i].p));
		p_adj[s[i].at] = run;
	}
	free(s);
}

/* ------------------------------------------------------------- median CI */

/* P(B = i) for B ~ Binomial(n, 1/2), through lgamma: no overflow for any n. */
static double binom_half_pmf(size_t n, size_t i)
{
	return exp(lgamma((double)n + 1) - lgamma((double)i + 1) - lgamma((double)(n - i) + 1) -
		   (double)n * M_LN2);
}

/*
 * The median lies below x(k) only if at most k - 1 values are below it,
 * which has probability P(B <= k - 1) for B ~ Binomial(n, 1/2), whatever
 * the (continuous) distribution; likewise above x(n + 1 - k). So [x(k),
 * x(n + 1 - k)] covers it with probability at least 1 - 2 P(B <= k - 1),
 * and k is the largest with P(B <= k - 1) <= (1 - conf) / 2: the narrowest
 * symmetric interval of order statistics that reaches @conf.
 */
int sb_median_ci(const double *v, size_t n, double conf, double *lo, double *hi)
{
	double cdf = 0, *t;
	size_t k;

	if (!n || !(conf > 0 && conf < 1) || !all_finite(v, n))
		return -EINVAL;
	for (k = 0; k < n; k++) {
		cdf += binom_half_pmf(n, k); /* P(B <= k) */
		if (!at_most(cdf, (1 - conf) / 2))
			break;
	}
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

/* ------------------------------------------------------ robust spread */

/* Median and (unscaled) median absolute deviation of @n finite values. */
static int median_mad(const double *v, size_t n, double *med, double *mad)
{
	double *t;
	size_t i;

	if (!n || !all_finite(v, n))
		return -EINVAL;
	t = malloc(n * sizeof(*t));
	if (!t)
		return -ENOMEM;
	memcpy(t, v, n * sizeof(*t));
	qsort(t, n, sizeof(*t), sb_cmp_double);
	*med = sb_quantile_sorted(t, n, 0.5);
	for (i = 0; i < n; i++)
		t[i] = fabs(v[i] - *med);
	qsort(t, n, sizeof(*t), sb_cmp_double);
	*mad = sb_quantile_sorted(t, n, 0.5);
	free(t);
	return 0;
}

double sb_robust_sd(const double *v, size_t n)
{
	double med, mad;

	if (median_mad(v, n, &med, &mad))
		return NAN;
	return 1.4826 * mad;
}

size_t sb_outliers(const double *v, size_t n, double cut, bool *flags)
{
	double med, sd;
	size_t i, count = 0;

	for (i = 0; i < n; i++)
		flags[i] = false;
	if (median_mad(v, n, &med, &sd))
		return 0;
	sd *= 1.4826;
	for (i = 0; i < n; i++) {
		/* MAD 0: more than half the values are equal, and any other one stands out */
		flags[i] = sd > 0 ? fabs(v[i] - med) / sd > cut : v[i] != med;
		count += flags[i];
	}
	return count;
}
