// SPDX-License-Identifier: MIT
#include <math.h>
#include <stdarg.h>
#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

static int planned = -1;
static int count;
static int failed;

static void init_once(void)
{
	static bool done;

	if (!done) {
		/* line buffered so output is not duplicated across fork() */
		setvbuf(stdout, NULL, _IOLBF, 0);
		done = true;
	}
}

void tap_plan(int n)
{
	init_once();
	planned = n;
	printf("1..%d\n", n);
}

int tap_done(void)
{
	init_once();
	if (planned < 0)
		printf("1..%d\n", count);
	else if (planned != count)
		printf("# planned %d tests but ran %d\n", planned, count);
	fflush(stdout);
	return failed || (planned >= 0 && planned != count) ? 1 : 0;
}

static bool vresult(bool cond, const char *file, int line, const char *fmt, va_list ap)
{
	init_once();
	count++;
	printf("%sok %d - ", cond ? "" : "not ", count);
	vprintf(fmt, ap);
	putchar('\n');
	if (!cond) {
		failed++;
		printf("#   Failed at %s line %d\n", file, line);
	}
	return cond;
}

bool tap_ok(bool cond, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	bool r;

	va_start(ap, fmt);
	r = vresult(cond, file, line, fmt, ap);
	va_end(ap);
	return r;
}

bool tap_is_int(long long got, long long want, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	bool r;

	va_start(ap, fmt);
	r = vresult(got == want, file, line, fmt, ap);
	va_end(ap);
	if (!r)
		printf("#          got: %lld\n#     expected: %lld\n", got, want);
	return r;
}

bool tap_is_u64(uint64_t got, uint64_t want, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	bool r;

	va_start(ap, fmt);
	r = vresult(got == want, file, line, fmt, ap);
	va_end(ap);
	if (!r)
		printf("#          got: %llu\n#     expected: %llu\n", (unsigned long long)got,
		       (unsigned long long)want);
	return r;
}

bool tap_is_str(const char *got, const char *want, const char *file, int line, const char *fmt,
		...)
{
	va_list ap;
	bool same = (got == NULL && want == NULL) ||
		    (got != NULL && want != NULL && strcmp(got, want) == 0);
	bool r;

	va_start(ap, fmt);
	r = vresult(same, file, line, fmt, ap);
	va_end(ap);
	if (!r)
		printf("#          got: '%s'\n#     expected: '%s'\n", got ? got : "(null)",
		       want ? want : "(null)");
	return r;
}

bool tap_is_double(double got, double want, double eps, const char *file, int line,
		   const char *fmt, ...)
{
	va_list ap;
	bool r;

	va_start(ap, fmt);
	r = vresult(fabs(got - want) <= eps, file, line, fmt, ap);
	va_end(ap);
	if (!r)
		printf("#          got: %.17g\n#     expected: %.17g (+/- %g)\n", got, want, eps);
	return r;
}

void tap_skip(int n, const char *fmt, ...)
{
	va_list ap;

	init_once();
	for (int i = 0; i < n; i++) {
		count++;
		printf("ok %d # SKIP ", count);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		putchar('\n');
	}
}

void tap_skip_all(const char *fmt, ...)
{
	va_list ap;

	init_once();
	printf("1..0 # SKIP ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	exit(0);
}

void tap_bail(const char *fmt, ...)
{
	va_list ap;

	init_once();
	printf("Bail out! ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	exit(255);
}

void tap_diag(const char *fmt, ...)
{
	va_list ap;

	init_once();
	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_DP)
		return rmdir(path) < 0 ? -1 : 0;
	return unlink(path) < 0 ? -1 : 0;
}

int tap_rm_rf(const char *path)
{
	return nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}
