// SPDX-License-Identifier: MIT
/* Summary statistics against values computed by hand / by R's defaults. */
#include <errno.h>
#include <math.h>

#include "stats.h"
#include "tap.h"

int main(void)
{
	const double v[] = { 2, 4, 4, 4, 5, 5, 7, 9 };
	const double odd[] = { 10, 1, 3 };
	const double sorted[] = { 1, 2, 3, 4 };
	struct sb_summary s;

	is_int(sb_summarize(v, 0, &s), -EINVAL, "no samples: -EINVAL");
	is_int(sb_summarize(v, 8, &s), 0, "summarize 8 values");
	is_double(s.mean, 5.0, 1e-12, "mean");
	/* sample sd of the classic data set: sqrt(32/7) */
	is_double(s.stddev, sqrt(32.0 / 7.0), 1e-12, "sample standard deviation");
	is_double(s.median, 4.5, 1e-12, "median (even n)");
	is_double(s.min, 2, 0, "min");
	is_double(s.max, 9, 0, "max");
	/* R: quantile(c(2,4,4,4,5,5,7,9), c(.25,.75)) = 4, 5.5 */
	is_double(s.p25, 4.0, 1e-12, "p25 (type 7)");
	is_double(s.p75, 5.5, 1e-12, "p75 (type 7)");
	/* |x - 4.5| = 2.5 .5 .5 .5 .5 .5 2.5 4.5 -> median .5 */
	is_double(s.mad, 0.5, 1e-12, "MAD");
	is_double(s.rcv, 1.4826 * 0.5 / 4.5, 1e-12, "robust CV");
	is_int(sb_summarize(odd, 3, &s), 0, "summarize unsorted odd n");
	is_double(s.median, 3, 0, "median (odd n)");
	is_double(sb_quantile_sorted(sorted, 4, 0.5), 2.5, 1e-12, "quantile 0.5 of 1..4");
	is_double(sb_quantile_sorted(sorted, 4, 0.9), 3.7, 1e-12, "quantile 0.9 of 1..4");
	is_double(sb_quantile_sorted(sorted, 1, 0.9), 1, 0, "quantile of a single value");
	is_int(sb_summarize(odd, 1, &s), 0, "one sample");
	is_double(s.stddev, 0, 0, "one sample: stddev 0");
	return tap_done();
}
