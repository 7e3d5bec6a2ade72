// SPDX-License-Identifier: MIT
/*
 * The two-sample statistics (src/cmpstat.c) against reference values.
 *
 * References:
 * - R 4.2.2 (Debian 12 r-base-core 4.2.2.20221110-2), options(digits = 17),
 *   with the calls quoted at each value. W <- function(x, y, ...)
 *   wilcox.test(x, y, ...) gives W (= U of x) and $p.value. R's estimate
 *   and interval are of its first argument minus the second, so the shift of
 *   y relative to x is wilcox.test(y, x, conf.int = TRUE, exact = TRUE).
 * - SciPy 1.10.1 (python3-scipy 1.10.1-2): mannwhitneyu(x, y,
 *   alternative='two-sided', method='exact' or 'asymptotic',
 *   use_continuity=True) agrees with every R p below to 1e-13 relative.
 * - Exact rationals, Python integers (2 sum f(u) / C(n1 + n2, n1) from the
 *   counting recurrence): R's pwilcox is off by ~1e-14 at 50 + 50.
 * - Published tables: two-sided 0.05 critical values of U, benchstat's
 *   smallest p per sample size.
 *
 * The data sets, in R (paste to reproduce):
 *   males <- c(19, 22, 16, 29, 24); females <- c(20, 11, 17, 12)  # SciPy's example
 *   rx <- c(0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46)  # ?wilcox.test
 *   ry <- c(1.15, 0.88, 0.90, 0.74, 1.21)
 *   x7 <- c(3.1, 4.7, 2.2, 5.9, 3.8, 4.1, 6.3); y6 <- c(5.2, 6.8, 4.4, 7.5, 5.6, 6.1)
 *   set.seed(21); x20 <- round(rnorm(20, 10, 1), 3); y20 <- round(rnorm(20, 10.9, 1), 3)
 *   set.seed(2); x5 <- round(rnorm(5, 100, 5), 1); y12 <- round(rnorm(12, 104, 5), 1)
 *   tx <- c(1, 2, 2, 3, 3, 3, 4, 5); ty <- c(2, 3, 4, 4, 5, 5, 6, 7, 7)
 *   x50 <- ((0:49 * 37) %% 101) / 10; y50 <- ((0:49 * 53) %% 103) / 10 + 1.25
 *   x60 <- ((0:59 * 37) %% 101) / 10; y60 <- ((0:59 * 53) %% 103) / 10 + 1.25
 *   xb <- ((0:199 * 37) %% 211) / 10; yb <- ((0:149 * 53) %% 157) / 10 + 0.35
 *   xo <- c(10.1, 9.8, 10.3, 9.9, 10.0, 1000); yo <- c(10.4, 10.6, 10.2, 10.7, 10.5, 10.8)
 *   x3 <- c(1.5, 4.5, 8.5); y9 <- c(2, 3.25, 5, 6.5, 7, 9, 10.5, 12, 14)
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cmpstat.h"
#include "tap.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
/* relative tolerance */
#define is_rel(g, w, rel, ...) is_double((g), (w), fabs(w) * (rel), __VA_ARGS__)

static const double males[] = { 19, 22, 16, 29, 24 }, females[] = { 20, 11, 17, 12 };
static const double rx[] = { 0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46 };
static const double ry[] = { 1.15, 0.88, 0.90, 0.74, 1.21 };
static const double x7[] = { 3.1, 4.7, 2.2, 5.9, 3.8, 4.1, 6.3 };
static const double y6[] = { 5.2, 6.8, 4.4, 7.5, 5.6, 6.1 };
static const double x20[] = { 10.793, 10.522, 11.746, 8.729,  12.197, 10.433, 8.43,
			      9.065,  10.063, 9.998,  7.723,  10.757, 9.452,  10.173,
			      10.563, 11.512, 10.659, 11.122, 9.215,  9.574 };
static const double y20[] = { 11.293, 10.937, 9.868,  9.635,  10.673, 11.646, 11.233,
			      9.776,  10.194, 10.172, 9.066,  10.492, 10.927, 11.812,
			      12.534, 10.961, 12.748, 10.98,  12.319, 12.359 };
static const double x5[] = { 95.5, 100.9, 107.9, 94.3, 99.6 };
static const double y12[] = { 104.7, 107.5, 102.8, 113.9, 103.3, 106.1,
			      108.9, 102,   98.8,  112.9, 92.4,  108.4 };
static const double tx[] = { 1, 2, 2, 3, 3, 3, 4, 5 }, ty[] = { 2, 3, 4, 4, 5, 5, 6, 7, 7 };
static const double xo[] = { 10.1, 9.8, 10.3, 9.9, 10.0, 1000 };
static const double xo_tame[] = { 10.1, 9.8, 10.3, 9.9, 10.0, 10.9 }; /* same ranks */
static const double yo[] = { 10.4, 10.6, 10.2, 10.7, 10.5, 10.8 };
static const double s1[] = { 1, 2, 3, 4 }, s2[] = { 5, 6, 7, 8 }, s3[] = { 4, 5, 6 };
static const double x3[] = { 1.5, 4.5, 8.5 }, y9[] = { 2, 3.25, 5, 6.5, 7, 9, 10.5, 12, 14 };
static const double y4[] = { 5.5, 6, 7.25, 9 };
static double x50[50], y50[50], x60[60], y60[60], xb[200], yb[150], s50a[50], s50b[50];

/* The formula data sets, with R's double arithmetic. */
static void make_data(void)
{
	int i;

	for (i = 0; i < 60; i++) {
		x60[i] = (double)((i * 37) % 101) / 10;
		y60[i] = (double)((i * 53) % 103) / 10 + 1.25;
	}
	memcpy(x50, x60, sizeof(x50));
	memcpy(y50, y60, sizeof(y50));
	for (i = 0; i < 200; i++)
		xb[i] = (double)((i * 37) % 211) / 10;
	for (i = 0; i < 150; i++)
		yb[i] = (double)((i * 53) % 157) / 10 + 0.35;
	for (i = 0; i < 50; i++) { /* 1:50 and 51:100 */
		s50a[i] = i + 1;
		s50b[i] = i + 51;
	}
}

/*
 * Samples of sizes n1, n2 without ties whose U is exactly u (0 <= u <= n1
 * n2): y_j = j, and each x sits above b_i of the y's, the b_i summing to u.
 */
static void samples_with_u(size_t n1, size_t n2, size_t u, double *x, double *y)
{
	size_t i;

	for (i = 0; i < n2; i++)
		y[i] = (double)i;
	for (i = 0; i < n1; i++) {
		size_t b = u < n2 ? u : n2;

		u -= b;
		x[i] = (double)b - 0.5 + 0.001 * (double)i;
	}
}

struct ucase {
	const char *name;
	const double *x, *y;
	size_t n1, n2;
	double u, p;
};

/* Exact p-values: no ties, both sizes <= 50. */
static void test_utest_exact(void)
{
	static const struct ucase c[] = {
		/* W(males, females, exact = TRUE) */
		{ "SciPy's example 5 + 4", males, females, 5, 4, 17, 0.1111111111111111 },
		/* W(rx, ry, exact = TRUE) */
		{ "R's example 10 + 5", rx, ry, 10, 5, 35, 0.2544122544122544 },
		/* W(1:4, 5:8, exact = TRUE): complete separation, p = 2 / C(8, 4) */
		{ "separation 4 + 4", s1, s2, 4, 4, 0, 0.028571428571428571 },
		/* W(1:3, 4:6, exact = TRUE) */
		{ "separation 3 + 3", s1, s3, 3, 3, 0, 0.1 },
		/* W(x7, y6, exact = TRUE) */
		{ "7 + 6", x7, y6, 7, 6, 8, 0.073426573426573424 },
		/* W(x20, y20, exact = TRUE) */
		{ "20 + 20", x20, y20, 20, 20, 116, 0.022718727985449466 },
		/* W(x5, y12, exact = TRUE); W(y12, x5, exact = TRUE) */
		{ "5 + 12", x5, y12, 5, 12, 14, 0.10374919198448611 },
		{ "12 + 5", y12, x5, 12, 5, 46, 0.10374919198448611 },
		/* W(xo, yo, exact = TRUE) = W(xo_tame, yo, ...): the 1000 is just a rank */
		{ "heavy outlier", xo, yo, 6, 6, 7, 0.093073593073593072 },
		{ "outlier tamed", xo_tame, yo, 6, 6, 7, 0.093073593073593072 },
		/*
		 * W(x50, y50, exact = TRUE) = 0.19229968796214039, W(1:50, 51:100,
		 * exact = TRUE) = 1.9823306042836899e-29; the exact rationals
		 * (below) differ from R's by 1e-14 relative.
		 */
		{ "50 + 50", x50, y50, 50, 50, 1060, 0.19229968796213823 },
		{ "separation 50 + 50", s50a, s50b, 50, 50, 0, 1.9823306042836678e-29 },
	};
	struct sb_utest r;
	size_t i;

	for (i = 0; i < N(c); i++) {
		is_int(sb_utest(c[i].x, c[i].n1, c[i].y, c[i].n2, &r), 0, "%s", c[i].name);
		ok(r.exact && !r.ties && r.z == 0, "%s: exact, no ties", c[i].name);
		is_double(r.u, c[i].u, 0, "%s: U = %g", c[i].name, c[i].u);
		is_rel(r.p, c[i].p, 1e-9, "%s: p = %.6g", c[i].name, c[i].p);
	}
	/* tighter at the limit, against the exact rationals */
	sb_utest(x50, 50, y50, 50, &r);
	is_rel(r.p, 0.19229968796213823, 1e-13, "50 + 50: p within 1e-13 of exact");
	sb_utest(s50a, 50, s50b, 50, &r);
	is_rel(r.p, 1.9823306042836678e-29, 1e-13, "50 + 50 separation: 2 / C(100, 50)");
	is_rel(r.p, sb_utest_min_p(50, 50), 1e-13, "... which is min_p(50, 50)");
}

/* The exact p at every U of 6 + 4, and one more at 50 + 50. */
static void test_utest_every_u(void)
{
	/* pmin(1, 2 * pmin(pwilcox(0:24, 6, 4), pwilcox(0:24 - 1, 6, 4, lower.tail = FALSE))) */
	static const double want[25] = {
		0.0095238095238095247, 0.019047619047619049, 0.038095238095238099,
		0.066666666666666666,  0.11428571428571428,  0.17142857142857143,
		0.25714285714285712,   0.35238095238095235,  0.47619047619047616,
		0.60952380952380947,   0.76190476190476186,  0.91428571428571426,
		1,
	};
	double x[50], y[50];
	struct sb_utest r;
	bool all = true;
	size_t u;

	for (u = 0; u <= 24; u++) {
		samples_with_u(6, 4, u, x, y);
		sb_utest(x, 6, y, 4, &r);
		/* the law is symmetric: want[24 - u] for the upper half */
		if (r.u != (double)u || fabs(r.p - want[u <= 12 ? u : 24 - u]) > 1e-12) {
			all = false;
			tap_diag("6 + 4, U %zu: p %.17g", u, r.p);
		}
	}
	ok(all, "6 + 4: the exact p at every U is R's");

	/* 2 * pwilcox(900, 50, 50) = 0.015523945230712353; exact 0.015523945230712185 */
	samples_with_u(50, 50, 900, x, y);
	sb_utest(x, 50, y, 50, &r);
	ok(r.exact && r.u == 900, "50 + 50 at U = 900");
	is_rel(r.p, 0.015523945230712185, 1e-12, "p = 0.0155239 (exact rational)");
}

/* Normal approximation: ties, or a size beyond SB_UTEST_EXACT_MAX. */
static void test_utest_normal(void)
{
	const double same[] = { 4, 4, 4 };
	double x[51], y[3];
	struct sb_utest r;
	size_t i;

	/* W(tx, ty, exact = FALSE, correct = TRUE) */
	is_int(sb_utest(tx, 8, ty, 9, &r), 0, "ties 8 + 9");
	ok(r.ties && !r.exact, "ties: normal approximation");
	is_double(r.u, 13.5, 0, "U = 13.5");
	is_rel(r.p, 0.031758957148063732, 1e-9, "p = 0.0317590 (tie-corrected)");
	/* qnorm(p / 2, lower.tail = FALSE) */
	is_rel(r.z, 2.1474313489251862, 1e-9, "z = 2.14743");

	/* W(x60, y60, exact = FALSE, correct = TRUE) */
	is_int(sb_utest(x60, 60, y60, 60, &r), 0, "60 + 60");
	ok(!r.ties && !r.exact, "no ties, beyond 50: normal approximation");
	is_double(r.u, 1442, 0, "U = 1442");
	is_rel(r.p, 0.060601969712006085, 1e-9, "p = 0.0606020");
	is_rel(r.z, 1.876388374866284, 1e-9, "z = 1.87639");

	/* W(xb, yb, exact = FALSE): 200 + 150 */
	is_int(sb_utest(xb, 200, yb, 150, &r), 0, "200 + 150");
	is_double(r.u, 18500, 0, "U = 18500");
	is_rel(r.p, 0.00018712691356697429, 1e-9, "p = 0.000187127");

	/* one side of 51: normal even without ties; z by hand */
	for (i = 0; i < 51; i++)
		x[i] = (double)i;
	y[0] = -1, y[1] = 100, y[2] = 101;
	sb_utest(x, 51, y, 3, &r);
	ok(!r.exact && r.u == 51, "51 + 3: normal, U = 51");
	is_rel(r.z, (76.5 - 51 - 0.5) / sqrt(51.0 * 3 * 55 / 12), 1e-12,
	       "z = (|U - n1 n2/2| - 0.5) / sqrt(n1 n2 (N + 1) / 12)");
	is_rel(r.p, erfc(r.z / sqrt(2)), 1e-12, "p = 2 (1 - Phi(z))");

	/* R gives NaN here (0/0); SciPy 1.10.1's asymptotic p is 1 */
	is_int(sb_utest(same, 3, same, 3, &r), 0, "all values equal");
	ok(r.ties && !r.exact && r.p == 1 && r.z == 0 && r.u == 4.5, "p = 1, z = 0, U = 4.5");

	is_int(sb_utest(males, 0, females, 4, &r), -EINVAL, "n1 = 0: -EINVAL");
	is_int(sb_utest(males, 5, females, 0, &r), -EINVAL, "n2 = 0: -EINVAL");
	x[3] = NAN;
	is_int(sb_utest(x, 51, y, 3, &r), -EINVAL, "NaN: -EINVAL");
	x[3] = INFINITY;
	is_int(sb_utest(y, 3, x, 51, &r), -EINVAL, "infinity: -EINVAL");
}

/* Published tables: critical values of U and benchstat's smallest p. */
static void test_tables(void)
{
	/*
	 * Two-sided alpha 0.05 critical U; R: 2 * pwilcox(c(crit, crit + 1), n, n)
	 * (qwilcox(0.025, n, n) = crit + 1 for each).
	 */
	static const struct {
		size_t n, crit;
		double p_crit, p_next;
	} tab[] = {
		{ 5, 2, 0.031746031746031744, 0.055555555555555552 },
		{ 10, 23, 0.043257052544978233, 0.052425902271103497 },
		{ 20, 127, 0.049090325189372438, 0.052399521872849721 },
	};
	/* benchstat's table, rounded; exact 2 / choose(2 * n, n) in R */
	static const struct {
		size_t n;
		double table, exact;
	} minp[] = {
		{ 3, 0.1, 0.1 },
		{ 4, 0.0286, 0.028571428571428571 },
		{ 5, 0.0079, 0.0079365079365079361 },
		{ 6, 0.0022, 0.0021645021645021645 },
		{ 7, 0.00058, 0.00058275058275058275 },
	};
	double x[20], y[20];
	struct sb_utest r;
	size_t i, n;

	for (i = 0; i < N(tab); i++) {
		double p_crit;

		n = tab[i].n;
		samples_with_u(n, n, tab[i].crit, x, y);
		sb_utest(x, n, y, n, &r);
		p_crit = r.p;
		ok(r.exact && r.u == (double)tab[i].crit, "%zu + %zu: U = %zu", n, n, tab[i].crit);
		is_rel(r.p, tab[i].p_crit, 1e-9, "p(U = %zu) = %.4f", tab[i].crit, tab[i].p_crit);
		samples_with_u(n, n, tab[i].crit + 1, x, y);
		sb_utest(x, n, y, n, &r);
		is_rel(r.p, tab[i].p_next, 1e-9, "p(U = %zu) = %.4f", tab[i].crit + 1, tab[i].p_next);
		ok(p_crit <= 0.05 && r.p > 0.05, "%zu + %zu: critical U %zu at 0.05", n, n, tab[i].crit);
	}
	for (i = 0; i < N(minp); i++) {
		n = minp[i].n;
		is_rel(sb_utest_min_p(n, n), minp[i].exact, 1e-12, "min p %zu + %zu", n, n);
		/* the table's rounding: half a unit of its last digit */
		is_double(sb_utest_min_p(n, n), minp[i].table, minp[i].table < 0.001 ? 5e-6 : 5e-5,
			  "benchstat: %zu per side -> %g", n, minp[i].table);
	}
	/* 2 / choose(17, 5) */
	is_rel(sb_utest_min_p(5, 12), 2.0 / 6188, 1e-14, "min p 5 + 12");
	is_rel(sb_utest_min_p(12, 5), 2.0 / 6188, 1e-14, "min p 12 + 5");
	is_double(sb_utest_min_p(1, 1), 1, 0, "min p 1 + 1: capped at 1");
	is_double(sb_utest_min_p(600, 600), 0, 0, "min p 600 + 600: 0 (underflow)");
	is_int((long long)sb_utest_need_n(0.05), 4, "need 4 per side at 0.05");
	is_int((long long)sb_utest_need_n(0.01), 5, "need 5 per side at 0.01");
	is_int((long long)sb_utest_need_n(0.001), 7, "need 7 per side at 0.001");
	is_int((long long)sb_utest_need_n(0), 0, "alpha 0: no size");
}

struct hlcase {
	const char *name;
	const double *x, *y;
	size_t n1, n2;
	double conf, shift, lo, hi, achieved;
};

/*
 * Moses intervals against R. The shift and bounds come from R's
 * H <- function(x, y, conf = 0.95) {
 *	r <- wilcox.test(y, x, conf.int = TRUE, exact = TRUE, conf.level = conf)
 *	k <- max(qwilcox((1 - conf) / 2, length(x), length(y)), 1)
 *	c(r$estimate, r$conf.int, 1 - 2 * pwilcox(k - 1, length(x), length(y)))
 * }
 */
static void test_hl_exact(void)
{
	static const struct hlcase c[] = {
		/* H(rx, ry) */
		{ "R's example", rx, ry, 10, 5, 0.95, -0.30500000000000005, -0.7599999999999999,
		  0.15000000000000002, 0.96003996003996006 },
		/* H(males, females) */
		{ "SciPy's example", males, females, 5, 4, 0.95, -7, -17, 1, 0.96825396825396826 },
		/* H(x7, y6); H(x7, y6, 0.90) */
		{ "7 + 6", x7, y6, 7, 6, 0.95, 1.5499999999999998, -0.29999999999999982,
		  3.4000000000000004, 0.965034965034965 },
		{ "7 + 6 at 90%", x7, y6, 7, 6, 0.90, 1.5499999999999998, 0.19999999999999929, 3,
		  0.92657342657342656 },
		/* H(x5, y12) */
		{ "5 + 12", x5, y12, 5, 12, 0.95, 6.5, -1.8000000000000114, 12.900000000000006,
		  0.95151906916612794 },
		/* H(x20, y20); H(x20, y20, 0.99) */
		{ "20 + 20", x20, y20, 20, 20, 0.95, 0.78800000000000026, 0.13400000000000034,
		  1.6020000000000003, 0.9509096748106276 },
		{ "20 + 20 at 99%", x20, y20, 20, 20, 0.99, 0.78800000000000026,
		  -0.16699999999999982, 1.7970000000000006, 0.990516392808795 },
		/* H(x50, y50) */
		{ "50 + 50", x50, y50, 50, 50, 0.95, 0.84999999999999964, -0.44999999999999973,
		  2.0499999999999998, 0.95045227640115315 },
		/* H(1:4, c(5.5, 6, 7.25, 9)): k = 1, the extreme differences */
		{ "4 + 4", s1, y4, 4, 4, 0.95, 4.375, 1.5, 8, 0.97142857142857142 },
	};
	struct sb_hl h;
	size_t i;

	for (i = 0; i < N(c); i++) {
		is_int(sb_hodges_lehmann(c[i].x, c[i].n1, c[i].y, c[i].n2, c[i].conf, &h), 0, "HL %s",
		       c[i].name);
		is_double(h.shift, c[i].shift, 1e-12, "%s: shift %.6g", c[i].name, c[i].shift);
		ok(h.ci_ok, "%s: an interval", c[i].name);
		is_double(h.lo, c[i].lo, 1e-12, "%s: lo %.6g", c[i].name, c[i].lo);
		is_double(h.hi, c[i].hi, 1e-12, "%s: hi %.6g", c[i].name, c[i].hi);
		is_rel(h.conf_achieved, c[i].achieved, 1e-9, "%s: coverage %.6f", c[i].name,
		       c[i].achieved);
	}
}

static void test_hl_edges(void)
{
	double bad[4] = { 1, 2, NAN, 4 };
	struct sb_hl h;

	/* R clamps k to 1 and answers [1, 5] at 90% with a warning; we give none */
	is_int(sb_hodges_lehmann(s1, 3, s3, 3, 0.95, &h), 0, "HL 3 + 3");
	is_double(h.shift, 3, 0, "shift 3 (R)");
	ok(!h.ci_ok && h.lo == -INFINITY && h.hi == INFINITY && isnan(h.conf_achieved),
	   "no 95%% interval from 3 + 3");

	/*
	 * P(U <= 4) of 3 + 9 is 11/220 = alpha/2 at 90% exactly: k = 5 by the
	 * definition (largest k with P(U <= k - 1) <= alpha/2), coverage exactly
	 * 0.90. R's qwilcox takes k = 4, one wider: H(x3, y9, 0.90) gives
	 * [-2.5, 9]; d <- sort(outer(y9, x3, "-")); d[c(5, 23)] = -2, 7.5.
	 */
	is_int(sb_hodges_lehmann(x3, 3, y9, 9, 0.90, &h), 0, "HL 3 + 9 at 90%%");
	is_double(h.shift, 2.5, 0, "shift 2.5 (R)");
	ok(h.ci_ok && h.lo == -2 && h.hi == 7.5, "[D(5), D(23)] = [-2, 7.5]");
	is_rel(h.conf_achieved, 0.9, 1e-12, "coverage 0.90 exactly");

	/*
	 * Ties: the order statistics of the differences with the exact k (R has
	 * no exact interval with ties): d <- sort(outer(ty, tx, "-"));
	 * k <- qwilcox(0.025, 8, 9) = 16; median(d), d[c(k, 73 - k)] = 2, 0, 4.
	 */
	is_int(sb_hodges_lehmann(tx, 8, ty, 9, 0.95, &h), 0, "HL with ties");
	ok(h.shift == 2 && h.ci_ok && h.lo == 0 && h.hi == 4, "shift 2 in [0, 4]");
	is_rel(h.conf_achieved, 0.95359934183463591, 1e-9, "coverage 1 - 2 pwilcox(15, 8, 9)");

	is_int(sb_hodges_lehmann(s1, 0, s2, 4, 0.95, &h), -EINVAL, "HL n1 = 0: -EINVAL");
	ok(!h.ci_ok && isnan(h.conf_achieved), "and no interval");
	is_int(sb_hodges_lehmann(s1, 4, s2, 0, 0.95, &h), -EINVAL, "HL n2 = 0: -EINVAL");
	is_int(sb_hodges_lehmann(bad, 4, s2, 4, 0.95, &h), -EINVAL, "HL NaN: -EINVAL");
	is_int(sb_hodges_lehmann(s1, 4, s2, 4, 1, &h), -EINVAL, "HL confidence 1: -EINVAL");
	is_int(sb_hodges_lehmann(s1, 4, s2, 4, 0, &h), -EINVAL, "HL confidence 0: -EINVAL");
	is_int(sb_hodges_lehmann(s1, 4, s2, 4, NAN, &h), -EINVAL, "HL confidence NaN: -EINVAL");
}

/*
 * Beyond 50 the interval's k is floor(N/2 - qnorm(1 - alpha/2) sigma),
 * sigma^2 = n1 n2 (n1 + n2 + 1) / 12, coverage 1 - 2 pnorm((k - 0.5 - N/2) / sigma):
 *   d <- sort(outer(y, x, "-")); N <- n1 * n2; s <- sqrt(N * (n1 + n2 + 1) / 12)
 *   k <- floor(N / 2 - qnorm(0.975) * s)
 *   c(median(d), k, d[k], d[N + 1 - k], 1 - 2 * pnorm((k - 0.5 - N / 2) / s))
 * R's own normal interval (uniroot on the statistic) is close but not the
 * same: wilcox.test(y60, x60, conf.int = TRUE, exact = FALSE, correct = FALSE)
 * gives [-0.04994, 2.15003] for our [-0.05, 2.15].
 */
static void test_hl_normal(void)
{
	struct sb_hl h;

	/* x60, y60: k = 1426 */
	is_int(sb_hodges_lehmann(x60, 60, y60, 60, 0.95, &h), 0, "HL 60 + 60");
	is_double(h.shift, 1.05, 1e-12, "shift 1.05");
	ok(h.ci_ok, "an interval");
	is_double(h.lo, -0.049999999999999822, 1e-12, "lo = D(1426)");
	is_double(h.hi, 2.1500000000000004, 1e-12, "hi = D(2175)");
	is_rel(h.conf_achieved, 0.95065692704882565, 1e-9, "coverage (normal) 0.950657");

	/* xb, yb: k = 13164 */
	is_int(sb_hodges_lehmann(xb, 200, yb, 150, 0.95, &h), 0, "HL 200 + 150");
	is_double(h.shift, -2.4500000000000011, 1e-12, "shift -2.45");
	ok(h.ci_ok, "an interval");
	is_double(h.lo, -3.75, 1e-12, "lo = D(13164)");
	is_double(h.hi, -1.1500000000000004, 1e-12, "hi = D(16837)");
	is_rel(h.conf_achieved, 0.95006289794959542, 1e-9, "coverage (normal) 0.950063");

	/* 1 + 60: k = floor(30 - 1.96 sqrt(60 * 62 / 12)) < 1 */
	is_int(sb_hodges_lehmann(x60, 1, y60, 60, 0.95, &h), 0, "HL 1 + 60");
	ok(!h.ci_ok && isnan(h.conf_achieved), "no interval");
}

static void test_holm(void)
{
	/* p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") */
	static const double pa[] = { 0.01, 0.04, 0.03, 0.005 };
	static const double wa[] = { 0.03, 0.06, 0.06, 0.02 };
	/* p.adjust(c(0.2, 0.5, 0.01, 0.2, 0.9, 0.012), "holm"): the running max and the cap */
	static const double pb[] = { 0.2, 0.5, 0.01, 0.2, 0.9, 0.012 };
	static const double wb[] = { 0.8, 1, 0.06, 0.8, 1, 0.06 };
	/* p.adjust(c(0.04, 0.01, 0.04, 0.3), "holm"): tied p's */
	static const double pc[] = { 0.04, 0.01, 0.04, 0.3 };
	static const double wc[] = { 0.12, 0.04, 0.12, 0.3 };
	double adj[6], one = 0.6;
	size_t i;
	bool same;

	sb_holm(pa, 4, adj);
	for (same = true, i = 0; i < 4; i++)
		same &= fabs(adj[i] - wa[i]) < 1e-15;
	ok(same, "holm: 0.03 0.06 0.06 0.02 (monotone)");
	sb_holm(pb, 6, adj);
	for (same = true, i = 0; i < 6; i++)
		same &= fabs(adj[i] - wb[i]) < 1e-15;
	ok(same, "holm: 0.8 1 0.06 0.8 1 0.06 (capped)");
	memcpy(adj, pc, sizeof(pc));
	sb_holm(adj, 4, adj);
	for (same = true, i = 0; i < 4; i++)
		same &= fabs(adj[i] - wc[i]) < 1e-15;
	ok(same, "holm in place, ties: 0.12 0.04 0.12 0.3");
	/* p.adjust(c(0.01, NA, 0.02), "holm") = 0.02 NA 0.02 */
	adj[0] = 0.01, adj[1] = NAN, adj[2] = 0.02;
	sb_holm(adj, 3, adj);
	ok(fabs(adj[0] - 0.02) < 1e-15 && isnan(adj[1]) && fabs(adj[2] - 0.02) < 1e-15,
	   "holm: NaN stays NaN and is not counted");
	sb_holm(&one, 1, &one);
	is_double(one, 0.6, 0, "holm of one p: unchanged");
	sb_holm(NULL, 0, NULL);
	ok(1, "holm of none");
}

/*
 * Median intervals; R:
 * M <- function(v, conf = 0.95) { n <- length(v)
 *	k <- sum(pbinom(0:(n - 1), n, 0.5) <= (1 - conf) / 2)
 *	c(k, sort(v)[c(k, n + 1 - k)]) }
 */
static void test_median_ci(void)
{
	static const struct {
		const char *name;
		const double *v;
		size_t n;
		double conf, lo, hi;
	} c[] = {
		{ "M(x20): k = 6", x20, 20, 0.95, 9.452, 10.757 },
		{ "M(y12): k = 3", y12, 12, 0.95, 102, 108.9 },
		{ "M(x20[1:6]): k = 1", x20, 6, 0.95, 8.729, 12.197 },
		{ "M(x7, 0.90): k = 1", x7, 7, 0.90, 2.2, 6.3 },
		{ "M(x50): k = 18", x50, 50, 0.95, 3.6, 6.6 },
		{ "M(x60, 0.99): k = 20", x60, 60, 0.99, 3.2, 6.7 },
		{ "M(x5, 0.90): k = 1", x5, 5, 0.90, 94.3, 107.9 },
	};
	double lo, hi, *v;
	size_t i, n;

	for (i = 0; i < N(c); i++) {
		is_int(sb_median_ci(c[i].v, c[i].n, c[i].conf, &lo, &hi), 0, "%s", c[i].name);
		ok(lo == c[i].lo && hi == c[i].hi, "%s: [%g, %g]", c[i].name, c[i].lo, c[i].hi);
	}
	/*
	 * Large n, the lgamma path: qbinom(0.025, n, 0.5) = 4902 and 49691 for
	 * n = 10001 and 100001 (pbinom(4902, 10001, 0.5) = 0.02500091: 4e-5
	 * above the level), so [x(k), x(n + 1 - k)] of 0 .. n - 1 is [k - 1, n - k].
	 */
	v = malloc(100001 * sizeof(*v));
	if (!v)
		tap_bail("out of memory");
	for (n = 10001; n <= 100001; n += 90000) {
		for (i = 0; i < n; i++)
			v[i] = (double)(n - 1 - i);
		is_int(sb_median_ci(v, n, 0.95, &lo, &hi), 0, "median CI n = %zu", n);
		ok(n == 10001 ? lo == 4901 && hi == 5099 : lo == 49690 && hi == 50310,
		   "n = %zu: [%g, %g]", n, lo, hi);
	}
	free(v);

	is_int(sb_median_ci(x5, 5, 0.95, &lo, &hi), -EDOM, "n 5 at 95%%: -EDOM (1/32 > 0.025)");
	is_int(sb_median_ci(x5, 0, 0.95, &lo, &hi), -EINVAL, "n 0: -EINVAL");
	is_int(sb_median_ci(x5, 5, 1, &lo, &hi), -EINVAL, "confidence 1: -EINVAL");
	lo = NAN;
	is_int(sb_median_ci(&lo, 1, 0.5, &lo, &hi), -EINVAL, "NaN: -EINVAL");
}

static void test_robust(void)
{
	const double flat[] = { 5, 5, 5, 5, 7 };
	const double near10[] = { 10, 10.1, 9.9, 10.05, 9.95, 10, 30, 10.02 };
	bool flags[20];

	/* mad(xo), mad(x20), mad(near10): R's mad is 1.4826 x the median absolute deviation */
	is_double(sb_robust_sd(xo, 6), 0.29652000000000023, 1e-12, "robust sd of xo");
	is_double(sb_robust_sd(x20, 20), 1.1475324, 1e-12, "robust sd of x20");
	is_double(sb_robust_sd(near10, 8), 0.074130000000001056, 1e-12, "robust sd of near10");
	ok(isnan(sb_robust_sd(xo, 0)), "robust sd of nothing: NaN");

	/* abs(xo - median(xo)) / mad(xo): 0.17 0.84 0.84 0.51 0.17 3338.6 */
	is_int((long long)sb_outliers(xo, 6, 3.5, flags), 1, "xo: one outlier");
	ok(flags[5] && !flags[0] && !flags[1] && !flags[2] && !flags[3] && !flags[4],
	   "it is the 1000");
	is_int((long long)sb_outliers(near10, 8, 3.5, flags), 1, "near10: one outlier");
	ok(flags[6], "it is the 30");
	/* max(abs(x20 - median(x20)) / mad(x20)) = 2.248 */
	is_int((long long)sb_outliers(x20, 20, 3.5, flags), 0, "x20: none");
	is_int((long long)sb_outliers(x20, 20, 2.2, flags), 1, "x20 at cut 2.2: one");
	ok(flags[10], "the 7.723");
	/* mad(c(5, 5, 5, 5, 7)) = 0: whatever differs from the median */
	is_int((long long)sb_outliers(flat, 5, 3.5, flags), 1, "MAD 0: the 7");
	ok(flags[4] && !flags[0], "flags[4]");
	is_int((long long)sb_outliers(flat, 0, 3.5, flags), 0, "nothing: none");
}

int main(void)
{
	make_data();
	test_utest_exact();
	test_utest_every_u();
	test_utest_normal();
	test_tables();
	test_hl_exact();
	test_hl_edges();
	test_hl_normal();
	test_holm();
	test_median_ci();
	test_robust();
	return tap_done();
}
