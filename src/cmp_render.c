// SPDX-License-Identifier: MIT
/*
 * Rendering of a comparison document (splicebench.compare/1): text for a
 * terminal or a CI log, markdown for a pull-request comment, the JSON itself,
 * or JUnit XML that CI systems show as test results. Only reads the document.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "compare.h"
#include "result.h"
#include "sb.h"

static const char *str_of(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static double real_of(const json_t *o, const char *key)
{
	return sb_json_num(json_object_get(o, key));
}

void sb_format_metric(const char *unit, double v, char *buf, size_t len)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else if (!strcmp(unit, "B/s"))
		snprintf(buf, len, "%.3g GiB/s", v / (1024.0 * 1024 * 1024));
	else if (!strcmp(unit, "ns"))
		sb_format_ns(v, buf, len);
	else
		snprintf(buf, len, "%.3g %s", v, unit);
}

/* "17.6 GiB/s ±3%": the median and the relative half-width of its interval. */
static void fmt_side(const json_t *row, const char *which, char *buf, size_t len)
{
	const json_t *sd = json_object_get(row, which);
	const json_t *ci = json_object_get(sd, "ci");
	double med = real_of(sd, "median"), lo, hi, pm;
	char v[48];

	sb_format_metric(str_of(row, "unit"), med, v, sizeof(v));
	lo = sb_json_num(json_array_get(ci, 0));
	hi = sb_json_num(json_array_get(ci, 1));
	if (!strcmp(str_of(row, "method"), "exact") || med == 0) {
		snprintf(buf, len, "%s", v);
		return;
	}
	if (isnan(lo) || isnan(hi)) {
		snprintf(buf, len, "%s ±?", v);
		return;
	}
	pm = 100 * fmax(hi / med - 1, 1 - lo / med);
	snprintf(buf, len, "%s ±%.0f%%", v, pm);
}

static void fmt_delta_ci(const json_t *row, char *delta, size_t dlen, char *ci, size_t clen)
{
	const json_t *c = json_object_get(row, "delta_ci_pct");
	bool pct = true;
	double d = real_of(row, "delta_pct"), lo, hi;

	if (!c) {
		c = json_object_get(row, "delta_ci_abs");
		if (c || isnan(d)) {
			pct = false;
			d = real_of(row, "delta_abs");
		}
	}
	if (isnan(d))
		snprintf(delta, dlen, "-");
	else if (pct)
		snprintf(delta, dlen, "%+.1f%%", d);
	else
		snprintf(delta, dlen, "%+.3g", d);
	lo = sb_json_num(json_array_get(c, 0));
	hi = sb_json_num(json_array_get(c, 1));
	if (!c)
		snprintf(ci, clen, "%s", strcmp(str_of(row, "method"), "exact") ? "-" : "(exact)");
	else if (isnan(lo) || isnan(hi))
		snprintf(ci, clen, "[?]");
	else if (pct)
		snprintf(ci, clen, "[%+.1f, %+.1f]", lo, hi);
	else
		snprintf(ci, clen, "[%+.3g, %+.3g]", lo, hi);
}

static void fmt_p(const json_t *row, char *buf, size_t len)
{
	double p = real_of(row, json_object_get(row, "p_adj") ? "p_adj" : "p");

	if (isnan(p))
		snprintf(buf, len, "-");
	else if (p < 0.0001)
		snprintf(buf, len, "<0.0001");
	else
		snprintf(buf, len, "%.4f", p);
}

static bool row_shown(const json_t *row, bool all)
{
	const char *v = str_of(row, "verdict");

	if (all || json_is_true(json_object_get(row, "gated")))
		return true;
	return !strcmp(v, "REGRESSION") || !strcmp(v, "IMPROVEMENT") || !strcmp(v, "SMALL");
}

static const char *arrow(const json_t *row)
{
	return strcmp(str_of(row, "better"), "higher") ? "↓" : "↑";
}

static void verdict_cell(const json_t *row, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s", str_of(row, "verdict"),
		 json_is_true(json_object_get(row, "noisy")) ? " NOISY" : "",
		 json_is_true(json_object_get(row, "gated")) ? "" : " (info)");
}

struct rowtext {
	char base[48], new_[48], delta[32], ci[48], p[16], n[24], verdict[48];
};

static void row_text(const json_t *row, struct rowtext *t)
{
	fmt_side(row, "base", t->base, sizeof(t->base));
	fmt_side(row, "new", t->new_, sizeof(t->new_));
	fmt_delta_ci(row, t->delta, sizeof(t->delta), t->ci, sizeof(t->ci));
	fmt_p(row, t->p, sizeof(t->p));
	snprintf(t->n, sizeof(t->n), "%lld+%lld",
		 (long long)json_integer_value(json_object_get(json_object_get(row, "base"), "n")),
		 (long long)json_integer_value(json_object_get(json_object_get(row, "new"), "n")));
	verdict_cell(row, t->verdict, sizeof(t->verdict));
}

static const char *join_names(const json_t *arr, char *buf, size_t len)
{
	const json_t *v;
	size_t i, off = 0;

	buf[0] = '\0';
	json_array_foreach(arr, i, v) {
		int w = snprintf(buf + off, len - off, "%s%s", i ? ", " : "", json_string_value(v));

		if (w < 0 || (size_t)w >= len - off)
			break;
		off += (size_t)w;
	}
	return buf;
}

static void header_text(const json_t *doc, FILE *out, const char *bullet)
{
	const json_t *st = json_object_get(doc, "settings"), *b = json_object_get(doc, "base"),
		     *n = json_object_get(doc, "new"), *e, *cells = json_object_get(doc, "cells");
	char names[256];
	size_t i;

	fprintf(out, "%sbase: %s (%zu file%s, kernel %s)\n", bullet, str_of(b, "label"),
		json_array_size(json_object_get(b, "files")),
		json_array_size(json_object_get(b, "files")) == 1 ? "" : "s", str_of(b, "kernel"));
	fprintf(out, "%snew:  %s (%zu file%s, kernel %s)\n", bullet, str_of(n, "label"),
		json_array_size(json_object_get(n, "files")),
		json_array_size(json_object_get(n, "files")) == 1 ? "" : "s", str_of(n, "kernel"));
	if (!json_array_size(json_object_get(doc, "env_diff")))
		fprintf(out, "%senvironment: no difference in the recorded fields\n", bullet);
	json_array_foreach(json_object_get(doc, "env_diff"), i, e)
		fprintf(out, "%senvironment differs (%s): %s: %s -> %s\n", bullet, str_of(e, "class"),
			str_of(e, "field"), str_of(e, "base"), str_of(e, "new"));
	fprintf(out,
		"%smethod: Mann-Whitney U, Hodges-Lehmann shift, %.0f%% CI; alpha %g, Holm over %lld "
		"gated test%s; gated metrics: %s; threshold %g%%\n",
		bullet, 100 * real_of(st, "confidence"), real_of(st, "alpha"),
		(long long)json_integer_value(json_object_get(st, "gated_family")),
		json_integer_value(json_object_get(st, "gated_family")) == 1 ? "" : "s",
		join_names(json_object_get(st, "gated_metrics"), names, sizeof(names)),
		real_of(st, "threshold_pct"));
	fprintf(out, "%scells: %lld matched", bullet,
		(long long)json_integer_value(json_object_get(cells, "matched")));
	if (json_array_size(json_object_get(cells, "only_base")))
		fprintf(out, ", %zu only in base", json_array_size(json_object_get(cells, "only_base")));
	if (json_array_size(json_object_get(cells, "only_new")))
		fprintf(out, ", %zu only in new", json_array_size(json_object_get(cells, "only_new")));
	if (json_array_size(json_object_get(cells, "skipped_both")))
		fprintf(out, ", %zu skipped in both",
			json_array_size(json_object_get(cells, "skipped_both")));
	fprintf(out, "\n");
}

static void notes_text(const json_t *row, FILE *out, const char *prefix)
{
	const json_t *note;
	size_t i;

	json_array_foreach(json_object_get(row, "notes"), i, note)
		fprintf(out, "%s%s\n", prefix, json_string_value(note));
}

static void footer_text(const json_t *doc, FILE *out, const char *bullet)
{
	const json_t *g, *t;
	size_t i;

	json_array_foreach(json_object_get(doc, "geomean"), i, g)
		fprintf(out, "%sgeomean %s: %+.1f%% over %lld cell%s (shown, not gated)\n", bullet,
			str_of(g, "metric"), real_of(g, "delta_pct"),
			(long long)json_integer_value(json_object_get(g, "cells")),
			json_integer_value(json_object_get(g, "cells")) == 1 ? "" : "s");
	json_array_foreach(json_object_get(doc, "warnings"), i, t)
		fprintf(out, "%swarning: %s\n", bullet, json_string_value(t));
	json_array_foreach(json_object_get(doc, "trouble"), i, t)
		fprintf(out, "%strouble: %s\n", bullet, json_string_value(t));
}

static void render_text(const json_t *doc, bool all, FILE *out)
{
	const char *cell = NULL;
	const json_t *row;
	struct rowtext t;
	size_t i, hidden = 0;
	char metric[64], cihdr[32];

	fprintf(out, "splicebench %s\n", str_of(doc, "command"));
	header_text(doc, out, "");
	snprintf(cihdr, sizeof(cihdr), "%.0f%% CI (%%)",
		 100 * real_of(json_object_get(doc, "settings"), "confidence"));
	fprintf(out, "\n  %-18s %-20s %-20s %-8s %-16s %-8s %-7s %s\n", "metric", "base", "new",
		"delta", cihdr, "p_adj", "n", "verdict");
	json_array_foreach(json_object_get(doc, "rows"), i, row) {
		if (!row_shown(row, all)) {
			hidden++;
			continue;
		}
		if (!cell || strcmp(cell, str_of(row, "cell"))) {
			cell = str_of(row, "cell");
			fprintf(out, "%s\n", cell);
		}
		row_text(row, &t);
		snprintf(metric, sizeof(metric), "%s %s", str_of(row, "metric"), arrow(row));
		fprintf(out, "  %-20s %-20s %-20s %-8s %-16s %-8s %-7s %s\n", metric, t.base, t.new_,
			t.delta, t.ci, t.p, t.n, t.verdict);
		notes_text(row, out, "      ");
	}
	if (hidden)
		fprintf(out, "(%zu informational rows without a significant change not shown; -v shows "
			     "them)\n", hidden);
	fprintf(out, "\n");
	footer_text(doc, out, "");
	fprintf(out, "RESULT: %s -> exit %lld\n", str_of(doc, "verdict"),
		(long long)json_integer_value(json_object_get(doc, "exit_code")));
	fprintf(out, "splicebench: %s\n", str_of(doc, "headline"));
}

/* Markdown table cells must not contain '|' or newlines. */
static void md_cell(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputs("\\|", out);
		else
			fputc(*s == '\n' ? ' ' : *s, out);
	}
}

static void render_markdown(const json_t *doc, bool all, FILE *out)
{
	const json_t *row, *note;
	struct rowtext t;
	size_t i, j, hidden = 0;

	fprintf(out, "### splicebench %s: %s\n\n**", str_of(doc, "command"), str_of(doc, "verdict"));
	md_cell(out, str_of(doc, "headline"));
	fprintf(out, "**\n\n");
	if (!json_object_get(doc, "base")) { /* an input could not be read */
		footer_text(doc, out, "- ");
		return;
	}
	header_text(doc, out, "- ");
	fprintf(out, "\n| cell | metric | base | new | delta | %.0f%% CI (%%) | p_adj | n | verdict |\n",
		100 * real_of(json_object_get(doc, "settings"), "confidence"));
	fprintf(out, "|---|---|---|---|---|---|---|---|---|\n");
	json_array_foreach(json_object_get(doc, "rows"), i, row) {
		if (!row_shown(row, all)) {
			hidden++;
			continue;
		}
		row_text(row, &t);
		fprintf(out, "| ");
		md_cell(out, str_of(row, "cell"));
		fprintf(out, " | %s %s | %s | %s | %s | %s | %s | %s | **%s**", str_of(row, "metric"),
			arrow(row), t.base, t.new_, t.delta, t.ci, t.p, t.n, t.verdict);
		json_array_foreach(json_object_get(row, "notes"), j, note) {
			fprintf(out, "<br>");
			md_cell(out, json_string_value(note));
		}
		fprintf(out, " |\n");
	}
	if (hidden)
		fprintf(out, "\n%zu informational rows without a significant change not shown.\n",
			hidden);
	fprintf(out, "\n");
	footer_text(doc, out, "- ");
}

static void xml_escaped(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '&': fputs("&amp;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&apos;", out); break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\n' || *s == '\t')
				fputc(*s, out);
		}
	}
}

/* A gated row that decided something (an undecided one is in the trouble list). */
static bool junit_case(const json_t *row)
{
	const char *v = str_of(row, "verdict");

	return json_is_true(json_object_get(row, "gated")) && strcmp(v, "INSUFFICIENT") &&
	       strcmp(v, "MISSING") && strcmp(v, "INVALID");
}

/* JUnit: one test case per decided gated row, one error case per trouble. */
static void render_junit(const json_t *doc, FILE *out)
{
	const json_t *rows = json_object_get(doc, "rows"), *trouble = json_object_get(doc, "trouble");
	const json_t *row, *t;
	size_t i, tests = 0, failures = 0;
	struct rowtext rt;
	char msg[512];
	const char *v;

	json_array_foreach(rows, i, row) {
		if (!junit_case(row))
			continue;
		tests++;
		failures += !strcmp(str_of(row, "verdict"), "REGRESSION");
	}
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(out, "<testsuites name=\"splicebench\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\">\n",
		tests + json_array_size(trouble), failures, json_array_size(trouble));
	fprintf(out, "  <testsuite name=\"splicebench.%s\" tests=\"%zu\" failures=\"%zu\" "
		     "errors=\"%zu\">\n",
		str_of(doc, "command"), tests + json_array_size(trouble), failures,
		json_array_size(trouble));
	json_array_foreach(trouble, i, t) {
		fprintf(out, "    <testcase classname=\"splicebench\" name=\"input %zu\">\n"
			     "      <error message=\"", i + 1);
		xml_escaped(out, json_string_value(t));
		fprintf(out, "\"/>\n    </testcase>\n");
	}
	json_array_foreach(rows, i, row) {
		if (!junit_case(row))
			continue;
		v = str_of(row, "verdict");
		row_text(row, &rt);
		fprintf(out, "    <testcase classname=\"");
		xml_escaped(out, str_of(row, "cell"));
		fprintf(out, "\" name=\"");
		xml_escaped(out, str_of(row, "metric"));
		fprintf(out, "\">\n");
		snprintf(msg, sizeof(msg), "%s: base %s, new %s, delta %s %s, p_adj %s, n %s",
			 rt.verdict, rt.base, rt.new_, rt.delta, rt.ci, rt.p, rt.n);
		if (!strcmp(v, "REGRESSION")) {
			fprintf(out, "      <failure message=\"");
			xml_escaped(out, msg);
			fprintf(out, "\"/>\n");
		}
		fprintf(out, "      <system-out>");
		xml_escaped(out, msg);
		fprintf(out, "</system-out>\n");
		fprintf(out, "    </testcase>\n");
	}
	fprintf(out, "    <system-out>");
	xml_escaped(out, str_of(doc, "headline"));
	fprintf(out, "</system-out>\n  </testsuite>\n</testsuites>\n");
}

void sb_compare_render(const json_t *doc, enum sb_cmp_format fmt, bool all, FILE *out)
{
	switch (fmt) {
	case SB_CMP_TEXT:
		render_text(doc, all, out);
		break;
	case SB_CMP_MARKDOWN:
		render_markdown(doc, all, out);
		break;
	case SB_CMP_JSON:
		json_dumpf(doc, out, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
		fputc('\n', out);
		break;
	case SB_CMP_JUNIT:
		render_junit(doc, out);
		break;
	}
}
