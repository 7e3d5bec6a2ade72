// SPDX-License-Identifier: MIT
/*
 * Expectation specs of the conformance cases: parse, pick by kernel version,
 * match, describe. Pure; see stexp.h for the grammar.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "probes.h"
#include "stexp.h"

int sb_errno_from_name(const char *name)
{
	for (int e = 1; e < 256; e++) {
		const char *n = strerrorname_np(e);

		if (n && !strcmp(n, name))
			return e;
	}
	return -1;
}

const char *sb_errno_name(int err)
{
	return err > 0 ? strerrorname_np(err) : NULL;
}

static int parse_kv(const char *s, size_t n, unsigned int *kv)
{
	unsigned int a, b, c;
	char tail;
	char tmp[32];

	if (n == 0 || n >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (sscanf(tmp, "%u.%u.%u%c", &a, &b, &c, &tail) != 3 || a > 255 || b > 255 || c > 255)
		return -EINVAL;
	*kv = SB_KV(a, b, c);
	return 0;
}

static int parse_long(const char *s, size_t n, long *v)
{
	char tmp[32];
	char *end;

	if (n == 0 || n >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	errno = 0;
	*v = strtol(tmp, &end, 10);
	return errno || *end ? -EINVAL : 0;
}

static int parse_out(const char *s, size_t n, struct sb_stexp_out *o)
{
	const char *dots;
	char name[32];

	memset(o, 0, sizeof(*o));
	o->type = SB_OUT_RANGE;
	o->hi = __LONG_MAX__;
	if (n == 2 && !memcmp(s, ">0", 2)) {
		o->lo = 1;
		return 0;
	}
	if (n == 3 && !memcmp(s, ">=0", 3))
		return 0;
	if (n > 1 && s[0] == '=') {
		if (parse_long(s + 1, n - 1, &o->lo) || o->lo < 0)
			return -EINVAL;
		o->hi = o->lo;
		return 0;
	}
	dots = memmem(s, n, "..", 2);
	if (dots) {
		if (parse_long(s, (size_t)(dots - s), &o->lo) ||
		    parse_long(dots + 2, n - (size_t)(dots - s) - 2, &o->hi) || o->lo < 0 ||
		    o->hi < o->lo)
			return -EINVAL;
		return 0;
	}
	if (n == 0 || n >= sizeof(name) || s[0] != 'E')
		return -EINVAL;
	memcpy(name, s, n);
	name[n] = '\0';
	o->type = SB_OUT_ERRNO;
	o->err = sb_errno_from_name(name);
	return o->err > 0 ? 0 : -EINVAL;
}

/* Parse the entry at @s (up to a space or the end) into @e; returns its length or -EINVAL. */
static int parse_entry(const char *s, struct sb_stexp *e, char *why, size_t why_len)
{
	size_t n = strcspn(s, " ");
	const char *colon = memchr(s, ':', n);
	const char *p = s, *end = s + n;

	memset(e, 0, sizeof(*e));
	if (colon) {
		if (parse_kv(s, (size_t)(colon - s), &e->since))
			return sb_why_err(why, why_len, -EINVAL, "bad kernel version '%.*s'",
					  (int)(colon - s), s);
		p = colon + 1;
	}
	while (p <= end) {
		size_t m = strcspn(p, "| ");

		if (m > (size_t)(end - p))
			m = (size_t)(end - p);
		if (e->nout == SB_STEXP_MAX_OUT)
			return sb_why_err(why, why_len, -EINVAL, "more than %d outcomes in '%.*s'",
					  SB_STEXP_MAX_OUT, (int)n, s);
		if (parse_out(p, m, &e->out[e->nout]))
			return sb_why_err(why, why_len, -EINVAL,
					  "bad outcome '%.*s' (an errno name, =N, N..M, >0 or >=0)",
					  (int)m, p);
		e->nout++;
		p += m + 1;
	}
	return (int)n;
}

/* Walk the spec; stop at the entry for @kv (or validate all with kv = 0 and @all). */
static int walk(const char *spec, unsigned int kv, bool all, struct sb_stexp *out, char *why,
		size_t why_len)
{
	struct sb_stexp cur, best = { 0 };
	const char *s = spec;
	bool found = false, first = true;
	unsigned int prev = 0;

	if (!spec || !*spec)
		return sb_why_err(why, why_len, -EINVAL, "empty expectation");
	while (*s) {
		int n;

		if (*s == ' ') {
			s++;
			continue;
		}
		n = parse_entry(s, &cur, why, why_len);
		if (n < 0)
			return n;
		if (!first && cur.since <= prev)
			return sb_why_err(why, why_len, -EINVAL,
					  "kernel versions must increase ('%.*s')", n, s);
		if (found && !best.until)
			best.until = cur.since;
		if (!all && cur.since <= kv) {
			best = cur;
			found = true;
		}
		prev = cur.since;
		first = false;
		s += n;
	}
	if (all)
		return 1;
	if (found && out)
		*out = best;
	return found ? 1 : 0;
}

int sb_stexp_pick(const char *spec, unsigned int kv, struct sb_stexp *out, char *why,
		  size_t why_len)
{
	return walk(spec, kv, false, out, why, why_len);
}

int sb_stexp_validate(const char *spec, char *why, size_t why_len)
{
	int r = walk(spec, 0, true, NULL, why, why_len);

	return r < 0 ? r : 0;
}

bool sb_stexp_match(const struct sb_stexp *e, long ret, int err)
{
	for (unsigned int i = 0; i < e->nout; i++) {
		const struct sb_stexp_out *o = &e->out[i];

		if (o->type == SB_OUT_ERRNO ? ret < 0 && err == o->err
					    : ret >= 0 && ret >= o->lo && ret <= o->hi)
			return true;
	}
	return false;
}

static void kv_str(unsigned int kv, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u", kv >> 16, (kv >> 8) & 0xff, kv & 0xff);
}

void sb_stexp_str(const struct sb_stexp *e, char *buf, size_t len)
{
	size_t o = 0;
	char a[16], b[16];

	buf[0] = '\0';
	for (unsigned int i = 0; i < e->nout && o < len; i++) {
		const struct sb_stexp_out *x = &e->out[i];
		const char *sep = i ? " or " : "";

		if (x->type == SB_OUT_ERRNO)
			o += (size_t)snprintf(buf + o, len - o, "%s%s", sep, sb_errno_name(x->err));
		else if (x->hi == __LONG_MAX__)
			o += (size_t)snprintf(buf + o, len - o, "%s>%s", sep, x->lo ? "0" : "=0");
		else if (x->lo == x->hi)
			o += (size_t)snprintf(buf + o, len - o, "%s%ld", sep, x->lo);
		else
			o += (size_t)snprintf(buf + o, len - o, "%s%ld..%ld", sep, x->lo, x->hi);
	}
	if (o >= len || (!e->since && !e->until))
		return;
	kv_str(e->since, a, sizeof(a));
	kv_str(e->until, b, sizeof(b));
	if (!e->until)
		snprintf(buf + o, len - o, " (kernel %s and later)", a);
	else if (!e->since)
		snprintf(buf + o, len - o, " (kernels before %s)", b);
	else
		snprintf(buf + o, len - o, " (kernels %s to before %s)", a, b);
}

void sb_stexp_got(long ret, int err, char *buf, size_t len)
{
	const char *n = ret < 0 ? sb_errno_name(err) : NULL;

	if (ret >= 0)
		snprintf(buf, len, "%ld", ret);
	else if (n)
		snprintf(buf, len, "%s", n);
	else
		snprintf(buf, len, "-1 errno %d", err);
}
