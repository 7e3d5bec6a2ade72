/* SPDX-License-Identifier: MIT */
/*
 * Two-sample statistics for `compare` and `gate` (pure, no I/O):
 * the Mann-Whitney U test, the Hodges-Lehmann shift with its
 * distribution-free (Moses) confidence interval, Holm's correction, a
 * distribution-free confidence interval of the median, and robust outlier
 * flags. See docs/compare.md for why these and not others.
 */
#ifndef SB_CMPSTAT_H
#define SB_CMPSTAT_H

#include <stdbool.h>
#include <stddef.h>

/* Largest n1 and n2 for which the exact U distribution is used (no ties). */
#define SB_UTEST_EXACT_MAX 50

struct sb_utest {
	double u;    /* U of the first sample: pairs x_i > y_j, plus 0.5 per tie */
	double p;    /* two-sided p-value; 1 when every value is equal */
	bool exact;  /* the exact null distribution was used (both n <= SB_UTEST_EXACT_MAX, no ties) */
	bool ties;   /* the pooled samples have tied values */
	double z;    /* normal approximation: (|U - n1 n2/2| - 0.5) / sd with tie correction,
		      * at least 0; 0 when exact or every value is equal */
};

/*
 * Two-sided Mann-Whitney U test of @x (n1 values) against @y (n2 values).
 * Exact distribution when there are no ties and both n <= SB_UTEST_EXACT_MAX:
 * p = 2 min(P(U <= u), P(U >= u)); otherwise the normal approximation with
 * tie and continuity correction, p = 2 (1 - Phi(z)) (R's wilcox.test
 * defaults; where R's sd is 0, all values equal, its NaN is our p = 1).
 * p is capped at 1. All values must be finite.
 * Returns 0, or -EINVAL when n1 or n2 is 0 or a value is not finite, -ENOMEM.
 */
int sb_utest(const double *x, size_t n1, const double *y, size_t n2, struct sb_utest *r);

/* The smallest two-sided p the exact test can give for sizes n1, n2: 2 / C(n1+n2, n1), capped at 1. */
double sb_utest_min_p(size_t n1, size_t n2);

/*
 * The smallest n such that two samples of n each can reach p < @alpha
 * (two-sided, exact, no ties): 4 for 0.05, 5 for 0.01 (benchstat's table);
 * 0 when @alpha <= 0 (no n can).
 */
size_t sb_utest_need_n(double alpha);

struct sb_hl {
	double shift; /* Hodges-Lehmann estimate of y - x: median of the n1 n2 differences y_j - x_i */
	double lo, hi; /* confidence interval; -INFINITY/+INFINITY when !ci_ok */
	bool ci_ok;    /* false when the sizes are too small for the confidence asked */
	double conf_achieved; /* the interval's actual coverage (discrete: >= the asked one), NAN when
			       * !ci_ok; beyond SB_UTEST_EXACT_MAX the normal approximation's */
};

/*
 * Hodges-Lehmann shift of @y relative to @x and its distribution-free
 * confidence interval at @conf (e.g. 0.95) from the ordered pairwise
 * differences (Moses): [D(k), D(N+1-k)], N = n1 n2, with k from the exact U
 * distribution when both n <= SB_UTEST_EXACT_MAX (ties or not): the largest
 * k with P(U <= k-1) <= (1-conf)/2, coverage 1 - 2 P(U <= k-1) (R's
 * wilcox.test(y, x, conf.int = TRUE, exact = TRUE), except that R takes k
 * one smaller when P(U <= k-1) equals (1-conf)/2 exactly, e.g. 2 + 14 at
 * 0.90); otherwise from the normal approximation, k = floor(N/2 - z
 * sqrt(n1 n2 (n1+n2+1)/12)), z the 1-(1-conf)/2 normal quantile. k < 1: no
 * interval (!ci_ok), where R would clamp k to 1 and warn.
 * Holds n1 n2 doubles at once. Returns 0, or -EINVAL (n 0, non-finite
 * value, conf not in (0,1)), -ENOMEM.
 */
int sb_hodges_lehmann(const double *x, size_t n1, const double *y, size_t n2, double conf,
		      struct sb_hl *r);

/*
 * Holm's step-down adjustment of @n p-values (order of @p kept in @p_adj; may
 * alias), capped at 1 and made monotone, as R's p.adjust(p, "holm"). A NaN p
 * stays NaN and is not counted in the family (R's NA).
 */
void sb_holm(const double *p, size_t n, double *p_adj);

/*
 * Distribution-free confidence interval of the median of @n values (order
 * statistics, binomial) at @conf: [x(k), x(n+1-k)] of the sorted values with
 * the largest k such that P(B <= k-1) <= (1-conf)/2, B ~ Binomial(n, 1/2);
 * coverage 1 - 2 P(B <= k-1) >= @conf. Returns 0 with [*lo, *hi], or -EDOM
 * when n is too small for @conf (k < 1: n < 6 at 0.95), -EINVAL for n 0, a
 * non-finite value or @conf not in (0,1), -ENOMEM.
 */
int sb_median_ci(const double *v, size_t n, double conf, double *lo, double *hi);

/*
 * 1.4826 * median absolute deviation: the robust standard deviation (R's
 * mad()). NAN when n is 0, a value is not finite, or out of memory.
 */
double sb_robust_sd(const double *v, size_t n);

/*
 * Flag outliers: robust z = |x - median| / (1.4826 MAD) > @cut (3.5,
 * Iglewicz-Hoaglin). When MAD is 0 every value that differs from the median
 * is flagged. Sets flags[i]; returns how many (none when n is 0, a value is
 * not finite, or out of memory).
 */
size_t sb_outliers(const double *v, size_t n, double cut, bool *flags);

#endif
