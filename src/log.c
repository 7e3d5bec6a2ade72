// SPDX-License-Identifier: MIT
#include <stdarg.h>
#include <stdio.h>

#include "log.h"

int sb_verbose;
bool sb_quiet;

static void vlog(const char *prefix, const char *fmt, va_list ap)
{
	fputs("splicebench: ", stderr);
	if (prefix)
		fputs(prefix, stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void sb_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(NULL, fmt, ap);
	va_end(ap);
}

void sb_warn(const char *fmt, ...)
{
	va_list ap;

	if (sb_quiet)
		return;
	va_start(ap, fmt);
	vlog("warning: ", fmt, ap);
	va_end(ap);
}

void sb_info(const char *fmt, ...)
{
	va_list ap;

	if (sb_quiet)
		return;
	va_start(ap, fmt);
	vlog(NULL, fmt, ap);
	va_end(ap);
}

void sb_dbg(const char *fmt, ...)
{
	va_list ap;

	if (sb_verbose < 1)
		return;
	va_start(ap, fmt);
	vlog("debug: ", fmt, ap);
	va_end(ap);
}

int sb_usage_err(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fputs("splicebench: ", stderr);
	if (cmd)
		fprintf(stderr, "%s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (cmd)
		fprintf(stderr, "; see 'splicebench %s --help'\n", cmd);
	else
		fputs("; see 'splicebench help'\n", stderr);
	return SB_EXIT_USAGE;
}

static void vwhy(char *why, size_t len, const char *fmt, va_list ap)
{
	if (why && len)
		vsnprintf(why, len, fmt, ap);
}

void sb_why(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwhy(why, len, fmt, ap);
	va_end(ap);
}

int sb_why_err(char *why, size_t len, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwhy(why, len, fmt, ap);
	va_end(ap);
	return err;
}

char *sb_asprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	return r < 0 ? NULL : s;
}
