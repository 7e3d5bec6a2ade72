// SPDX-License-Identifier: MIT
/*
 * The two-sample statistics (src/cmpstat.c) against reference values:
 *
 * - SciPy 1.10.1 (Debian 12 package python3-scipy), computed with
 *     scipy.stats.mannwhitneyu(x, y, alternative='two-sided',
 *                              method=M, use_continuity=True)
 *   for M = 'exact' and 'asymptotic'; the exact U distribution's CDF with
 *   scipy.stats._mannwhitneyu._mwu_state.cdf(k, m, n);
 * - published tables: critical values of U (two-sided 0.05: n1 = n2 = 5 -> 2,
 *   10 -> 23, 20 -> 127), benchstat's smallest p per sample size, the order
 *   statistics of the median's 95% interval (n = 10: x(2), x(9));
 * - counts by brute force here: every one of the C(n1+n2, n1) orderings.
 *
 * The data sets come from SciPy's and R's documentation examples (see each).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cmpstat.h"
#include "tap.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* P(U <= c) for sizes n1, n2 by enumerating every ordering (bit masks). */
static double brute_cdf(unsigned int n1, unsigned int n2, unsigned int c)
{
	unsigned long mask, total = 0, hit = 0;
	unsigned int i, seen_y, u, bits;

	for (mask = 0; mask < (1ul << (n1 + n2)); mask++) {
		if ((unsigned int)__builtin_popcountl(mask) != n1)
			continue;
		total++;
		u = seen_y = 0;
		for (i = 0, bits = 0; i < n1 + n2; i++) {
			if (mask & (1ul << i)) {
				u += seen_y;
				bits++;
			} else {
				seen_y++;
			}
		}
		hit += u <= c;
	}
	return (double)hit / (double)total;
}

/*
 * Samples of sizes n1, n2 without ties whose U is exactly u (0 <= u <= n1 n2):
 * y_j = j; each x sits above b_i of the y's, the b_i summing to u.
 */
static void samples_with_u(size_t n1, size_t n2, size_t u, double *x, double *y)
{
	size_t i, b;

	for (i = 0; i < n2; i++)
		y[i] = (double)i;
	for (i = 0; i < n1; i++) {
		b = u < n2 ? u : n2;
		u -= b;
		x[i] = (double)b - 0.5 + 0.001 * (double)i;
	}
}

/* The smallest c with P(U <= c) >= p, by enumeration (R's qwilcox). */
static unsigned int brute_quantile(unsigned int n1, unsigned int n2, double p)
{
	unsigned int c = 0;

	while (brute_cdf(n1, n2, c) < p)
		c++;
	return c;
}

static void test_utest(void)
{
	/* SciPy's documentation example (Conover): males vs females */
	const double males[] = { 19, 22, 16, 29, 24 }, females[] = { 20, 11, 17, 12 };
	/* R's ?wilcox.test example: permeability constants */
	const double rx[] = { 0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46 };
	const double ry[] = { 1.15, 0.88, 0.90, 0.74, 1.21 };
	const double a3[] = { 1, 2, 3 }, b3[] = { 4, 5, 6 };
	const double tx[] = { 1, 2, 2, 3, 3, 3, 4, 5 }, ty[] = { 2, 3, 4, 4, 5, 5, 6, 7, 7 };
	const double same[] = { 4, 4, 4 };
	double x[20], y[20];
	struct sb_utest r;

	is_int(sb_utest(males, 5, females, 4, &r), 0, "scipy example");
	is_double(r.u, 17, 0, "U = 17");
	ok(r.exact && !r.ties, "exact, no ties");
	is_double(r.p, 0.1111111111111111, 1e-12, "exact p = 0.1111 (scipy)");

	is_int(sb_utest(rx, 10, ry, 5, &r), 0, "R's example");
	is_double(r.u, 35, 0, "U = W = 35 (R prints W = 35)");
	is_double(r.p, 0.2544122544122544, 1e-12, "exact two-sided p 0.2544 (scipy; R one-sided 0.1272)");

	is_int(sb_utest(a3, 3, b3, 3, &r), 0, "complete separation, 3 + 3");
	is_double(r.u, 0, 0, "U = 0");
	is_double(r.p, 0.1, 1e-12, "p = 2/20 = 0.1 (scipy)");
	is_double(sb_utest_min_p(3, 3), 0.1, 1e-12, "smallest p for 3 + 3 is 0.1");

	is_int(sb_utest(tx, 8, ty, 9, &r), 0, "ties");
	ok(r.ties && !r.exact, "ties: the normal approximation");
	is_double(r.u, 13.5, 0, "U = 13.5 (scipy)");
	is_double(r.p, 0.03175895714806371, 1e-9, "tie-corrected p 0.03176 (scipy asymptotic)");

	is_int(sb_utest(same, 3, same, 3, &r), 0, "all values equal");
	is_double(r.p, 1, 0, "p = 1");

	/* n = 20 + 20 with ties (7.0 three times): the asymptotic p */
	{
		const double x20[] = { 0.0, 1.4000000000000001, 2.8000000000000003, 4.2,
				       5.6000000000000005, 7.0, 1.4000000000000008, 2.8, 4.2,
				       5.600000000000001, 7.0, 1.4000000000000008, 2.8000000000000016,
				       4.200000000000002, 5.6, 7.0, 8.4, 2.8000000000000016,
				       4.200000000000002, 5.6 };
		const double y20[] = { 0.4, 2.23, 4.0600000000000005, 0.8899999999999997,
				       2.7199999999999998, 4.550000000000001, 1.3799999999999994,
				       3.2100000000000004, 5.04, 1.8699999999999988, 3.6999999999999997,
				       5.529999999999999, 2.3599999999999985, 4.189999999999998,
				       6.020000000000001, 2.85, 4.68, 6.509999999999999,
				       3.3399999999999976, 5.169999999999998 };

		is_int(sb_utest(x20, 20, y20, 20, &r), 0, "20 + 20");
		is_double(r.u, 241, 0, "U = 241 (scipy)");
		ok(r.ties && !r.exact, "tied values in x: asymptotic");
		is_double(r.p, 0.273082553650413, 1e-9, "p 0.27308 (scipy asymptotic)");
	}

	/* published two-sided 0.05 critical values: p(U = crit) <= 0.05 < p(U = crit + 1) */
	{
		static const struct { size_t n, crit; } tab[] = { { 5, 2 }, { 10, 23 }, { 20, 127 } };
		size_t i;

		for (i = 0; i < N(tab); i++) {
			samples_with_u(tab[i].n, tab[i].n, tab[i].crit, x, y);
			sb_utest(x, tab[i].n, y, tab[i].n, &r);
			ok(r.exact && r.u == (double)tab[i].crit && r.p <= 0.05,
			   "n %zu + %zu: U = %zu gives p %.4f <= 0.05", tab[i].n, tab[i].n,
			   tab[i].crit, r.p);
			samples_with_u(tab[i].n, tab[i].n, tab[i].crit + 1, x, y);
			sb_utest(x, tab[i].n, y, tab[i].n, &r);
			ok(r.p > 0.05, "n %zu: U = %zu gives p %.4f > 0.05", tab[i].n,
			   tab[i].crit + 1, r.p);
		}
		/* the exact values: 2 * P(U <= 23) for 10 + 10 = 2 * 3996 / 184756 (brute force
		 * in Python and here), 2 * P(U <= 127) for 20 + 20 = 2 * 0.02454516259468622 */
		samples_with_u(10, 10, 23, x, y);
		sb_utest(x, 10, y, 10, &r);
		is_double(r.p, 2.0 * 3996 / 184756, 1e-12, "10 + 10, U = 23: p = 2 x 3996/184756");
		is_double(r.p, 2 * brute_cdf(10, 10, 23), 1e-12, "and by enumeration here");
		samples_with_u(20, 20, 127, x, y);
		sb_utest(x, 20, y, 20, &r);
		is_double(r.p, 2 * 0.02454516259468622, 1e-10, "20 + 20, U = 127 (scipy's exact cdf)");
	}
	/* the exact distribution against enumeration, unequal sizes, every U */
	{
		unsigned int u;
		bool same_all = true;
		double lo, hi;

		for (u = 0; u <= 24; u++) {
			samples_with_u(6, 4, u, x, y);
			sb_utest(x, 6, y, 4, &r);
			lo = brute_cdf(6, 4, u);
			hi = 1 - (u ? brute_cdf(6, 4, u - 1) : 0);
			if (r.u != u || fabs(r.p - fmin(1, 2 * fmin(lo, hi))) > 1e-12) {
				same_all = false;
				tap_diag("6 + 4, U %u: p %.15g, enumeration %.15g", u, r.p,
				     fmin(1, 2 * fmin(lo, hi)));
			}
		}
		ok(same_all, "6 + 4: the exact p at every U equals the enumeration");
	}
	/* benchstat's table of the smallest p (equal sizes) */
	is_double(sb_utest_min_p(4, 4), 0.0286, 1e-4, "n 4: 0.0286");
	is_double(sb_utest_min_p(5, 5), 0.0079, 1e-4, "n 5: 0.0079");
	is_double(sb_utest_min_p(6, 6), 0.0022, 1e-4, "n 6: 0.0022");
	is_double(sb_utest_min_p(7, 7), 0.00058, 1e-5, "n 7: 0.00058");
	is_int((long long)sb_utest_need_n(0.05), 4, "need 4 per side at 0.05");
	is_int((long long)sb_utest_need_n(0.01), 5, "need 5 per side at 0.01");
	is_int(sb_utest(males, 0, females, 4, &r), -EINVAL, "n 0: -EINVAL");
	x[0] = NAN;
	is_int(sb_utest(x, 1, females, 4, &r), -EINVAL, "NaN: -EINVAL");
}

static int cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void test_hl(void)
{
	const double rx[] = { 0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46 };
	const double ry[] = { 1.15, 0.88, 0.90, 0.74, 1.21 };
	double x[10], y[10], d[100], shift;
	struct sb_hl h;
	size_t i, j, k = 0;

	/* HL of ry relative to rx: the median of the 50 differences, found here by sorting */
	for (i = 0; i < 10; i++)
		for (j = 0; j < 5; j++)
			d[k++] = ry[j] - rx[i];
	qsort(d, 50, sizeof(d[0]), cmpd);
	shift = (d[24] + d[25]) / 2;
	is_int(sb_hodges_lehmann(rx, 10, ry, 5, 0.95, &h), 0, "HL of R's example");
	is_double(h.shift, shift, 1e-12, "shift = median of the pairwise differences");
	/* 10 + 5: q = the smallest c with P(U <= c) >= 0.025, by enumeration: [D(q), D(51 - q)] */
	k = brute_quantile(10, 5, 0.025);
	ok(h.ci_ok, "a 95%% interval exists");
	is_double(h.lo, d[k - 1], 0, "lower bound D(%zu)", k);
	is_double(h.hi, d[50 - k], 0, "upper bound D(%zu)", 51 - k);
	is_double(h.conf_achieved, 1 - 2 * brute_cdf(10, 5, (unsigned int)k - 1), 1e-12,
		  "achieved confidence 1 - 2 P(U <= q - 1) = %.4f", h.conf_achieved);

	/* 10 + 10 at 95%: U critical value 23 -> [D(24), D(77)], coverage 1 - 2 x 3996/184756 */
	is_int(brute_quantile(10, 10, 0.025), 24, "enumeration: q = 24 for 10 + 10");
	for (i = 0; i < 10; i++) {
		x[i] = (double)(i * 7 % 10) + 0.01 * (double)i;
		y[i] = (double)(i * 3 % 10) + 0.5 + 0.013 * (double)i;
	}
	for (k = 0, i = 0; i < 10; i++)
		for (j = 0; j < 10; j++)
			d[k++] = y[j] - x[i];
	qsort(d, 100, sizeof(d[0]), cmpd);
	is_int(sb_hodges_lehmann(x, 10, y, 10, 0.95, &h), 0, "HL 10 + 10");
	is_double(h.lo, d[23], 0, "lower bound D(24)");
	is_double(h.hi, d[76], 0, "upper bound D(77)");
	is_double(h.conf_achieved, 1 - 2.0 * 3996 / 184756, 1e-12, "coverage 0.9567");
	is_double(h.shift, (d[49] + d[50]) / 2, 1e-12, "shift");

	/* too small for 95%: 3 + 3 */
	is_int(sb_hodges_lehmann(x, 3, y, 3, 0.95, &h), 0, "HL 3 + 3");
	ok(!h.ci_ok && isinf(h.lo) && isinf(h.hi), "no 95%% interval from 3 + 3");
	/* 4 + 4: P(U <= 0) = 1/70 = 0.0143 <= 0.025 -> [D(1), D(16)] */
	is_int(sb_hodges_lehmann(x, 4, y, 4, 0.95, &h), 0, "HL 4 + 4");
	ok(h.ci_ok, "4 + 4 has one");
	is_int(sb_hodges_lehmann(x, 4, y, 4, 1.5, &h), -EINVAL, "confidence 1.5: -EINVAL");

	/* a pure shift: y = x + 3 gives shift 3 and an interval around it */
	for (i = 0; i < 10; i++)
		y[i] = x[i] + 3;
	sb_hodges_lehmann(x, 10, y, 10, 0.95, &h);
	is_double(h.shift, 3, 1e-12, "y = x + 3: shift 3");
	ok(h.lo <= 3 && h.hi >= 3, "the interval holds it");
}

static void test_large(void)
{
	double x[60], y[60];
	struct sb_utest r;
	struct sb_hl h;
	size_t i;

	/* 60 + 60 without ties: normal approximation (beyond the exact limit of 50) */
	for (i = 0; i < 60; i++) {
		x[i] = (double)i + 0.25;
		y[i] = (double)i + 10.5;
	}
	is_int(sb_utest(x, 60, y, 60, &r), 0, "60 + 60");
	ok(!r.exact && !r.ties, "normal approximation, no ties");
	/* U = sum over x of the y's below: x_i = i + .25 beats y_j = j + 10.5 when j < i - 10 */
	is_double(r.u, 1225, 0, "U = 1225");
	/* z = (|1225 - 1800| - 0.5) / sqrt(60 * 60 * 121 / 12) */
	is_double(r.z, (575 - 0.5) / sqrt(3600.0 * 121 / 12), 1e-12, "z with continuity correction");
	is_double(r.p, erfc(r.z / sqrt(2)), 1e-15, "p = 2 (1 - Phi(z))");
	is_int(sb_hodges_lehmann(x, 60, y, 60, 0.95, &h), 0, "HL 60 + 60");
	is_double(h.shift, 10.25, 1e-12, "shift 10.25");
	ok(h.ci_ok && h.lo < 10.25 && h.hi > 10.25, "normal-approximation interval around it");
}

static void test_holm_median(void)
{
	const double p[] = { 0.01, 0.04, 0.03, 0.005 };
	const double v10[] = { 9, 1, 8, 2, 7, 3, 6, 4, 5, 10 };
	double adj[4], lo, hi, v5[] = { 1, 2, 3, 4, 5 };
	bool flags[10];
	double out[] = { 10, 10.1, 9.9, 10.05, 9.95, 10, 30, 10.02 };

	/* R: p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") = 0.03 0.06 0.06 0.02 */
	sb_holm(p, 4, adj);
	is_double(adj[0], 0.03, 1e-15, "holm 0.01 -> 0.03");
	is_double(adj[1], 0.06, 1e-15, "holm 0.04 -> 0.06 (monotone)");
	is_double(adj[2], 0.06, 1e-15, "holm 0.03 -> 0.06");
	is_double(adj[3], 0.02, 1e-15, "holm 0.005 -> 0.02");
	adj[0] = 0.6;
	sb_holm(adj, 1, adj);
	is_double(adj[0], 0.6, 0, "one test: unchanged");

	/* the median's 95% interval for n = 10: x(2), x(9) (coverage 97.9%) */
	is_int(sb_median_ci(v10, 10, 0.95, &lo, &hi), 0, "median CI n 10");
	is_double(lo, 2, 0, "x(2)");
	is_double(hi, 9, 0, "x(9)");
	is_int(sb_median_ci(v5, 5, 0.95, &lo, &hi), -EDOM, "n 5: no 95%% interval");
	is_int(sb_median_ci(v5, 0, 0.95, &lo, &hi), -EINVAL, "n 0: -EINVAL");

	/* robust sd and the outlier flag: 30 among values near 10 */
	ok(fabs(sb_robust_sd(out, 8) - 1.4826 * 0.05) < 1e-9, "robust sd = 1.4826 x MAD");
	is_int((long long)sb_outliers(out, 8, 3.5, flags), 1, "one outlier");
	ok(flags[6] && !flags[0], "it is the 30");
	is_int((long long)sb_outliers(v5, 5, 3.5, flags), 0, "1..5: none");
}

int main(void)
{
	test_utest();
	test_hl();
	test_large();
	test_holm_median();
	return tap_done();
}
