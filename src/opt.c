// SPDX-License-Identifier: MIT
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "opt.h"

#define FIELD(obj, o, type) ((type *)((char *)(obj) + (o)->off))

static size_t nr_opts(const struct sb_opt *t)
{
	size_t n = 0;

	while (t[n].name)
		n++;
	return n;
}

/*
 * The leading decimal digits of @s into @v, @end after them. @what names the
 * expected value in the error ("a non-negative integer").
 */
static int parse_digits(const char *s, unsigned long long *v, char **end, const char *what,
			char *why, size_t why_len)
{
	if (!s || !*s) {
		snprintf(why, why_len, "empty value");
		return -EINVAL;
	}
	if (!isdigit((unsigned char)*s)) {
		snprintf(why, why_len, "not %s", what);
		return -EINVAL;
	}
	errno = 0;
	*v = strtoull(s, end, 10);
	if (errno == ERANGE) {
		snprintf(why, why_len, "too large");
		return -ERANGE;
	}
	return 0;
}

int sb_parse_u64(const char *s, uint64_t *out, char *why, size_t why_len)
{
	static const char what[] = "a non-negative integer";
	unsigned long long v;
	char *end;
	int err = parse_digits(s, &v, &end, what, why, why_len);

	if (err)
		return err;
	if (*end) {
		snprintf(why, why_len, "not %s", what);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

int sb_parse_size(const char *s, uint64_t *out, char *why, size_t why_len)
{
	unsigned long long v;
	uint64_t mult = 1;
	char *end;
	int err = parse_digits(s, &v, &end, "a size (use a number with an optional k, m or g suffix)",
			       why, why_len);

	if (err)
		return err;
	if (*end) {
		switch (tolower((unsigned char)*end)) {
		case 'k':
			mult = SB_KIB;
			break;
		case 'm':
			mult = SB_MIB;
			break;
		case 'g':
			mult = SB_GIB;
			break;
		default:
			snprintf(why, why_len, "unknown size suffix '%s' (use k, m or g)", end);
			return -EINVAL;
		}
		end++;
		/* accept "64k", "64K", "64KiB", "64kb" */
		if (!strcasecmp(end, "ib") || !strcasecmp(end, "b"))
			end += strlen(end);
		if (*end) {
			snprintf(why, why_len, "unknown size suffix '%s' (use k, m or g)", end - 1);
			return -EINVAL;
		}
	}
	if (v > UINT64_MAX / mult) {
		snprintf(why, why_len, "too large");
		return -ERANGE;
	}
	*out = v * mult;
	return 0;
}

int sb_parse_seconds(const char *s, double *out, char *why, size_t why_len)
{
	double v, mult = 1.0;
	char *end;

	if (!s || !*s) {
		snprintf(why, why_len, "empty duration");
		return -EINVAL;
	}
	/* plain decimals only: strtod would also take "0x10", "1e3", "inf" */
	if (strspn(s, "0123456789.") == 0 || strchr(s, 'x') || strchr(s, 'X') ||
	    strpbrk(s, "eE+-") || strspn(s, "0123456789.") != strcspn(s, "ms")) {
		snprintf(why, why_len, "not a duration (seconds, or a number with ms, s or m)");
		return -EINVAL;
	}
	errno = 0;
	v = strtod(s, &end);
	if (errno == ERANGE || !isfinite(v)) {
		snprintf(why, why_len, "out of range");
		return -ERANGE;
	}
	if (end == s) {
		snprintf(why, why_len, "not a duration (seconds, or a number with ms, s or m)");
		return -EINVAL;
	}
	if (!strcmp(end, "ms"))
		mult = 1e-3;
	else if (!strcmp(end, "s") || !*end)
		mult = 1.0;
	else if (!strcmp(end, "m"))
		mult = 60.0;
	else {
		snprintf(why, why_len, "unknown duration suffix '%s' (use ms, s or m)", end);
		return -EINVAL;
	}
	*out = v * mult;
	return 0;
}

void sb_format_size(uint64_t v, char *buf, size_t len)
{
	if (v && v % SB_GIB == 0)
		snprintf(buf, len, "%llug", (unsigned long long)(v / SB_GIB));
	else if (v && v % SB_MIB == 0)
		snprintf(buf, len, "%llum", (unsigned long long)(v / SB_MIB));
	else if (v && v % SB_KIB == 0)
		snprintf(buf, len, "%lluk", (unsigned long long)(v / SB_KIB));
	else
		snprintf(buf, len, "%llu", (unsigned long long)v);
}

static const struct sb_enum_val *find_val(const struct sb_enum_val *vals, const char *name)
{
	for (; vals && vals->name; vals++)
		if (!strcmp(vals->name, name))
			return vals;
	return NULL;
}

static void list_vals(const struct sb_enum_val *vals, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (; vals && vals->name && used < len; vals++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
					 vals->name);
}

static int check_range_u64(const struct sb_opt *o, uint64_t v, char *why, size_t len)
{
	char lo[32], hi[32];

	if (v >= o->min && v <= o->max)
		return 0;
	if (o->type == SB_OPT_U64) {
		snprintf(lo, sizeof(lo), "%llu", (unsigned long long)o->min);
		snprintf(hi, sizeof(hi), "%llu", (unsigned long long)o->max);
	} else {
		sb_format_size(o->min, lo, sizeof(lo));
		sb_format_size(o->max, hi, sizeof(hi));
	}
	snprintf(why, len, "out of range (%s..%s)", lo, hi);
	return -ERANGE;
}

static int split_list(const char *arg, struct sb_str_list *l, char *why, size_t len)
{
	char *save = NULL, *tok;

	free(l->buf);
	memset(l, 0, sizeof(*l));
	l->buf = strdup(arg);
	if (!l->buf) {
		snprintf(why, len, "out of memory");
		return -ENOMEM;
	}
	for (tok = strtok_r(l->buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (l->n == SB_LIST_MAX) {
			snprintf(why, len, "too many items (at most %d)", SB_LIST_MAX);
			return -ERANGE;
		}
		l->v[l->n++] = tok;
	}
	if (!l->n || arg[0] == ',' || arg[strlen(arg) - 1] == ',' || strstr(arg, ",,")) {
		snprintf(why, len, "empty item in list");
		return -EINVAL;
	}
	return 0;
}

static int set_value(const struct sb_opt *o, void *obj, const char *arg, char *why, size_t len)
{
	const struct sb_enum_val *ev;
	char vals[256];
	int err;

	switch (o->type) {
	case SB_OPT_SETVAL:
		*FIELD(obj, o, int) = o->setval;
		return 0;
	case SB_OPT_COUNT:
		(*FIELD(obj, o, int))++;
		return 0;
	case SB_OPT_U64:
	case SB_OPT_SIZE: {
		uint64_t v;

		err = o->type == SB_OPT_U64 ? sb_parse_u64(arg, &v, why, len)
					    : sb_parse_size(arg, &v, why, len);
		if (!err)
			err = check_range_u64(o, v, why, len);
		if (!err)
			*FIELD(obj, o, uint64_t) = v;
		return err;
	}
	case SB_OPT_SIZE_LIST: {
		struct sb_u64_list *l = FIELD(obj, o, struct sb_u64_list);
		struct sb_str_list tmp = { 0 };

		err = split_list(arg, &tmp, why, len);
		l->n = 0;
		for (size_t i = 0; !err && i < tmp.n; i++) {
			uint64_t v;

			err = sb_parse_size(tmp.v[i], &v, why, len);
			if (!err)
				err = check_range_u64(o, v, why, len);
			if (!err)
				l->v[l->n++] = v;
		}
		free(tmp.buf);
		return err;
	}
	case SB_OPT_SECONDS: {
		double v;

		err = sb_parse_seconds(arg, &v, why, len);
		if (!err && (v < o->fmin || v > o->fmax)) {
			snprintf(why, len, "out of range (%g..%g seconds)", o->fmin, o->fmax);
			err = -ERANGE;
		}
		if (!err)
			*FIELD(obj, o, double) = v; // cppcheck-suppress invalidPointerCast
		return err;
	}
	case SB_OPT_STR:
		if (!*arg) {
			snprintf(why, len, "empty value");
			return -EINVAL;
		}
		*FIELD(obj, o, const char *) = arg;
		return 0;
	case SB_OPT_LIST: {
		struct sb_str_list *l = FIELD(obj, o, struct sb_str_list);

		err = split_list(arg, l, why, len);
		for (size_t i = 0; !err && o->vals && i < l->n; i++) {
			if (find_val(o->vals, l->v[i]))
				continue;
			list_vals(o->vals, vals, sizeof(vals));
			snprintf(why, len, "unknown value '%s' (one of: %s)", l->v[i], vals);
			err = -EINVAL;
		}
		return err;
	}
	case SB_OPT_ENUM:
		ev = find_val(o->vals, arg);
		if (!ev) {
			list_vals(o->vals, vals, sizeof(vals));
			snprintf(why, len, "unknown value '%s' (one of: %s)", arg, vals);
			return -EINVAL;
		}
		*FIELD(obj, o, int) = ev->value;
		return 0;
	}
	snprintf(why, len, "internal error: bad option type");
	return -EINVAL;
}

static bool takes_arg(const struct sb_opt *o)
{
	return o->type != SB_OPT_SETVAL && o->type != SB_OPT_COUNT;
}

int sb_opts_parse(const struct sb_opt_cmd *c, void *obj, int argc, char **argv, int *first_pos,
		  uint64_t *set)
{
	size_t n = nr_opts(c->opts);
	struct option *lo = calloc(n + 2, sizeof(*lo));
	char shortopts[2 * 64 + 4] = "+:h";
	size_t sl = strlen(shortopts);
	int ret = 0, ch, idx;

	if (!lo) {
		sb_err("%s: out of memory", c->cmd);
		return SB_EXIT_ENV;
	}
	if (n > 63) { /* @set has one bit per option */
		free(lo);
		sb_err("%s: internal: more than 63 options in the table", c->cmd);
		return SB_EXIT_ENV;
	}
	if (set)
		*set = 0;
	for (size_t i = 0; i < n; i++) {
		const struct sb_opt *o = &c->opts[i];

		lo[i].name = o->name;
		lo[i].has_arg = takes_arg(o) ? required_argument : no_argument;
		lo[i].val = 256 + (int)i;
		if (o->short_name && sl + 2 < sizeof(shortopts)) {
			shortopts[sl++] = (char)o->short_name;
			if (takes_arg(o))
				shortopts[sl++] = ':';
			shortopts[sl] = '\0';
		}
	}
	lo[n].name = "help";
	lo[n].val = 'h';

	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, shortopts, lo, &idx)) != -1) {
		const struct sb_opt *o = NULL;
		char why[512];

		if (ch == 'h') {
			sb_opts_help(c, stdout);
			ret = SB_OPTS_HELP;
			goto out;
		}
		if (ch == '?') {
			const char *arg = argv[optind - 1], *eq = strchr(arg, '=');
			bool known = false;

			for (size_t i = 0; eq && i <= n; i++) {
				const char *name = i < n ? c->opts[i].name : "help";

				known |= strlen(name) == (size_t)(eq - arg - 2) &&
					 !strncmp(arg + 2, name, (size_t)(eq - arg - 2));
			}
			if (!strncmp(arg, "--", 2) && eq && known)
				/* --quick=1: a known option that takes no value */
				ret = sb_usage_err(c->cmd, "option '%.*s' takes no value",
						   (int)(eq - arg), arg);
			else if (!strncmp(arg, "--", 2) || !optopt || optopt >= 256)
				ret = sb_usage_err(c->cmd, "unknown option '%s'", arg);
			else
				ret = sb_usage_err(c->cmd, "unknown option '-%c'", optopt);
			goto out;
		}
		if (ch == ':') {
			ret = sb_usage_err(c->cmd, "option '%s' needs a value", argv[optind - 1]);
			goto out;
		}
		if (ch >= 256) {
			o = &c->opts[ch - 256];
		} else {
			for (size_t i = 0; i < n; i++)
				if (c->opts[i].short_name == ch)
					o = &c->opts[i];
		}
		if (!o) {
			ret = sb_usage_err(c->cmd, "unknown option '-%c'", ch);
			goto out;
		}
		if (set)
			*set |= 1ULL << (o - c->opts);
		if (set_value(o, obj, optarg, why, sizeof(why))) {
			ret = sb_usage_err(c->cmd, "--%s '%s': %s", o->name, optarg ? optarg : "",
					   why);
			goto out;
		}
	}
	if (first_pos)
		*first_pos = optind;
out:
	free(lo);
	return ret;
}

bool sb_opts_was_set(const struct sb_opt_cmd *c, uint64_t set, const char *name)
{
	for (size_t i = 0; c->opts[i].name; i++)
		if (!strcmp(c->opts[i].name, name))
			return set & (1ULL << i);
	return false;
}

int sb_opts_set(const struct sb_opt_cmd *c, void *obj, const char *name, const char *value,
		char *why, size_t why_len)
{
	for (size_t i = 0; c->opts[i].name; i++)
		if (!strcmp(c->opts[i].name, name))
			return set_value(&c->opts[i], obj, value, why, why_len);
	snprintf(why, why_len, "no option '%s'", name);
	return -ENOENT;
}

void sb_opts_help(const struct sb_opt_cmd *c, FILE *out)
{
	fprintf(out, "usage: splicebench %s %s\n\n%s\n", c->cmd, c->synopsis, c->summary);
	if (c->opts && c->opts[0].name)
		fputs("\noptions:\n", out);
	for (const struct sb_opt *o = c->opts; o && o->name; o++) {
		char left[96], vals[256];

		if (o->flags & SB_OPTF_HIDDEN)
			continue;
		if (o->short_name)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", o->short_name, o->name,
				 takes_arg(o) ? " " : "", takes_arg(o) ? o->metavar : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", o->name, takes_arg(o) ? " " : "",
				 takes_arg(o) ? o->metavar : "");
		if (strlen(left) > 28)
			fprintf(out, "  %s\n  %-28s  %s\n", left, "", o->help);
		else
			fprintf(out, "  %-28s  %s\n", left, o->help);
		if (o->vals && (o->type == SB_OPT_ENUM || o->type == SB_OPT_LIST)) {
			list_vals(o->vals, vals, sizeof(vals));
			fprintf(out, "  %-28s  (one of: %s)\n", "", vals);
		}
	}
	fprintf(out, "  %-28s  %s\n", "-h, --help", "show this help");
	if (c->details)
		fprintf(out, "\n%s", c->details);
}

void sb_opts_free(const struct sb_opt_cmd *c, void *obj)
{
	for (const struct sb_opt *o = c->opts; o && o->name; o++) {
		if (o->type == SB_OPT_LIST) {
			struct sb_str_list *l = FIELD(obj, o, struct sb_str_list);

			free(l->buf);
			memset(l, 0, sizeof(*l));
		}
	}
}
