// SPDX-License-Identifier: MIT
/*
 * The comparison: environment differences first, then per matched cell and
 * metric a row with both sides' medians, the Hodges-Lehmann shift and its
 * interval, the U test's p (Holm-adjusted over the gated metrics), and a
 * verdict; exact metrics are compared value to value. The method and its
 * reasons are in docs/compare.md.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cmpstat.h"
#include "compare.h"
#include "log.h"
#include "result.h"
#include "sb.h"
#include "stats.h"

#define EXACT_EPS 1e-9	  /* relative: exact values equal up to float formatting */

/* ------------------------------------------------------------ environment */

enum env_class { ENV_ERROR, ENV_WARN, ENV_INFO };

static const struct env_field {
	const char *path; /* dotted, from the document's top */
	enum env_class cls;
} env_fields[] = {
	{ "host.cpu.model", ENV_ERROR },
	{ "host.cpu.online", ENV_ERROR },
	{ "guest.accel", ENV_ERROR },
	{ "guest.icount", ENV_ERROR },
	{ "guest.smp", ENV_ERROR },
	{ "guest.mem_mb", ENV_ERROR },
	{ "guest.qemu", ENV_ERROR },
	{ "tool.version", ENV_ERROR },
	{ "tool.sanitize", ENV_ERROR },
	{ "host.cpu.hypervisor", ENV_WARN },
	{ "host.memory_bytes", ENV_WARN },
	{ "host.cpufreq_governor", ENV_WARN },
	{ "host.mitigations", ENV_WARN },
	{ "host.thp", ENV_WARN },
	{ "host.clocksource", ENV_WARN },
	{ "host.pipe_max_size", ENV_WARN },
	{ "host.lockdown", ENV_WARN },
	{ "host.perf_event_paranoid", ENV_WARN },
	{ "tool.cc", ENV_WARN },
	{ "tool.cflags", ENV_WARN },
	{ "run.settings", ENV_WARN },
	{ "run.accounting.probes_mode", ENV_WARN },
	{ "run.accounting.summary", ENV_WARN },
	{ "guest.cpu", ENV_WARN },
	{ "guest.machine", ENV_WARN },
	{ "host.kernel.release", ENV_INFO },
	{ "host.kernel.version", ENV_INFO },
	{ "host.cmdline", ENV_INFO },
	{ "host.hostname", ENV_INFO },
	{ "tool.git_commit", ENV_INFO },
};

static const char *const env_class_name[] = { "error", "warn", "info" };

/*
 * Append a message to @arr (trouble or warnings): one line, and always a
 * string: text from a file that is not UTF-8 has its other bytes replaced,
 * so a reason for exit 2 can never be dropped.
 */
static void add_msg(json_t *arr, const char *fmt, ...) SB_PRINTF(2, 3);

static void add_msg(json_t *arr, const char *fmt, ...)
{
	char buf[1024];
	json_t *j;
	va_list ap;
	char *p;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	sb_one_line(buf);
	j = json_string(buf);
	if (!j) {
		for (p = buf; *p; p++)
			if ((unsigned char)*p >= 0x80)
				*p = '?';
		j = json_string(buf);
	}
	json_array_append_new(arr, j ? j : json_string("(out of memory)"));
}

/* tool.version: another major version is an error-class difference, a minor one a warning */
static enum env_class version_class(const json_t *a, const json_t *b)
{
	const char *x = json_string_value(a), *y = json_string_value(b);
	size_t lx, ly;

	if (!x || !y)
		return ENV_ERROR;
	lx = strcspn(x, ".");
	ly = strcspn(y, ".");
	return lx == ly && !strncmp(x, y, lx) ? ENV_WARN : ENV_ERROR;
}

/* A value as a short string for the report: strings as they are, the rest as compact JSON. */
static json_t *env_value(const json_t *v)
{
	char *s;
	json_t *j;

	if (!v)
		return json_string("(absent)");
	if (json_is_string(v))
		return json_string(json_string_value(v));
	s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	j = json_string(s ? s : "?");
	free(s);
	return j;
}

static bool env_equal(const json_t *a, const json_t *b)
{
	if (!a || !b)
		return a == b;
	return json_equal((json_t *)a, (json_t *)b);
}

/* The kernel a set ran: the guest's when the result came from `vm`. */
static const char *set_kernel(const struct sb_resset *rs)
{
	const json_t *doc = rs->files[0].doc;

	return json_string_value(sb_json_path(doc, "host.kernel.release"));
}

/* Record one difference (and the trouble it makes under --env-mismatch error). */
static void env_one(const char *field, enum env_class cls, const json_t *bv, const json_t *nv,
		    const struct sb_cmp_settings *s, json_t *out, json_t *trouble)
{
	json_t *jb = env_value(bv), *jn = env_value(nv);

	if (cls == ENV_ERROR && s->env == SB_ENV_ERROR)
		add_msg(trouble, "the environments differ in %s ('%s' vs '%s'); "
						   "--env-mismatch warn compares anyway",
						   field, json_string_value(jb), json_string_value(jn));
	if (s->env == SB_ENV_IGNORE && cls != ENV_ERROR) {
		json_decref(jb);
		json_decref(jn);
		return;
	}
	json_array_append_new(out, json_pack("{s:s, s:o, s:o, s:s}", "field", field, "base", jb,
					     "new", jn, "class", env_class_name[cls]));
}

static void env_diff(const struct sb_resset *b, const struct sb_resset *n,
		     const struct sb_cmp_settings *s, json_t *out, json_t *trouble, json_t *warnings)
{
	const json_t *bdoc = b->files[0].doc, *ndoc = n->files[0].doc, *bv, *nv, *v;
	const struct sb_resset *sets[2] = { b, n };
	char field[160];
	const char *key;
	size_t i, f, k;

	for (i = 0; i < SB_ARRAY_SIZE(env_fields); i++) {
		const struct env_field *e = &env_fields[i];

		bv = sb_json_path(bdoc, e->path);
		nv = sb_json_path(ndoc, e->path);
		if (env_equal(bv, nv))
			continue;
		if (!json_is_object(bv) || !json_is_object(nv)) {
			env_one(e->path, !strcmp(e->path, "tool.version") ? version_class(bv, nv) :
									     e->cls,
				bv, nv, s, out, trouble);
			continue;
		}
		/* objects (run.settings, host.thp, host.mitigations): key by key */
		json_object_foreach((json_t *)bv, key, v) {
			if (env_equal(v, json_object_get(nv, key)))
				continue;
			snprintf(field, sizeof(field), "%s.%s", e->path, key);
			env_one(field, e->cls, v, json_object_get(nv, key), s, out, trouble);
		}
		json_object_foreach((json_t *)nv, key, v) {
			if (json_object_get(bv, key))
				continue;
			snprintf(field, sizeof(field), "%s.%s", e->path, key);
			env_one(field, e->cls, NULL, v, s, out, trouble);
		}
	}
	/* a run stopped by a signal has only the cells it finished */
	for (k = 0; k < 2; k++)
		for (f = 0; f < sets[k]->nfiles; f++)
			if (json_is_true(sb_json_path(sets[k]->files[f].doc, "run.interrupted")))
				add_msg(warnings, "%s: %s was interrupted (run.interrupted): "
								   "only the cells it finished are in it",
								   k ? "new" : "base", sets[k]->files[f].path);
	/* files within one side should agree on what matters */
	for (k = 0; k < 2; k++) {
		for (f = 1; f < sets[k]->nfiles; f++) {
			for (i = 0; i < SB_ARRAY_SIZE(env_fields); i++) {
				if (env_fields[i].cls != ENV_ERROR)
					continue;
				bv = sb_json_path(sets[k]->files[0].doc, env_fields[i].path);
				nv = sb_json_path(sets[k]->files[f].doc, env_fields[i].path);
				if (!env_equal(bv, nv))
					add_msg(warnings, "%s: %s differs between %s and %s",
							     k ? "new" : "base", env_fields[i].path,
							     sets[k]->files[0].path, sets[k]->files[f].path);
			}
		}
	}
}

/* ------------------------------------------------------------ one side of a row */

struct side {
	struct sb_mvals mv; /* the values tested: per-run medians, or the samples */
	size_t nsamples;    /* samples (per_cell: files) before any grouping */
	size_t ngroups;	    /* runs (files, or boots of a `vm ab` file) */
	struct sb_summary sum;
	double lo, hi; /* distribution-free CI of the median; NAN when n is too small */
	json_t *outliers; /* positions of flagged samples (before grouping) */
};

static void side_free(struct side *sd)
{
	sb_mvals_free(&sd->mv);
	json_decref(sd->outliers);
}

static int side_load(const struct sb_resset *rs, const struct sb_rcell *c, const struct sb_metric *m,
		     const struct sb_cmp_settings *s, struct side *sd)
{
	bool *flags;
	size_t i;
	int ret;

	memset(sd, 0, sizeof(*sd));
	sd->lo = sd->hi = NAN;
	sd->sum.median = sd->sum.min = sd->sum.max = sd->sum.rcv = NAN;
	ret = sb_rcell_values(rs, c, m, &sd->mv);
	if (ret)
		return ret;
	sd->nsamples = sd->mv.n;
	sd->ngroups = sd->mv.ngroups;
	sd->outliers = json_array();
	if (!sd->mv.n)
		return 0;
	flags = calloc(sd->mv.n, sizeof(*flags));
	if (!flags)
		return -ENOMEM;
	sb_outliers(sd->mv.v, sd->mv.n, s->outlier_z, flags);
	for (i = 0; i < sd->mv.n; i++)
		if (flags[i])
			json_array_append_new(sd->outliers, json_integer((json_int_t)i));
	free(flags);
	return 0;
}

/* After deciding the unit: the summary and the median's interval of what is tested. */
static void side_summarize(struct side *sd, double conf)
{
	sb_summarize(sd->mv.v, sd->mv.n, &sd->sum);
	if (sb_median_ci(sd->mv.v, sd->mv.n, conf, &sd->lo, &sd->hi))
		sd->lo = sd->hi = NAN;
}

static json_t *side_json(const struct side *sd)
{
	return json_pack("{s:I, s:I, s:I, s:o, s:[o, o], s:o, s:o, s:o, s:O}", "n",
			 (json_int_t)sd->mv.n, "samples", (json_int_t)sd->nsamples, "runs",
			 (json_int_t)sd->ngroups, "median", sb_json_real(sd->sum.median), "ci",
			 sb_json_real(sd->lo), sb_json_real(sd->hi), "robust_cv",
			 sb_json_real(sd->sum.rcv), "min", sb_json_real(sd->sum.min), "max",
			 sb_json_real(sd->sum.max), "outliers", sd->outliers);
}

/* ------------------------------------------------------------ rows */

static bool worse(const struct sb_metric *m, double delta)
{
	return m->better == SB_BETTER_HIGHER ? delta < 0 : delta > 0;
}

/* Every raw value of a side (before any run medians) the same, up to EXACT_EPS. */
static bool exact_constant(const struct sb_mvals *mv)
{
	double lo = INFINITY, hi = -INFINITY;
	size_t i;

	for (i = 0; i < mv->n; i++) {
		lo = fmin(lo, mv->v[i]);
		hi = fmax(hi, mv->v[i]);
	}
	return hi - lo <= EXACT_EPS * fmax(fabs(lo), fabs(hi));
}

static void add_note(json_t *row, const char *fmt, ...) SB_PRINTF(2, 3);

static void add_note(json_t *row, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	json_array_append_new(json_object_get(row, "notes"), json_vsprintf(fmt, ap));
	va_end(ap);
}

/* Exact metric, constant on both sides: any change in the worse direction. */
static void row_exact(json_t *row, const struct sb_metric *m, const struct side *b,
		      const struct side *n)
{
	double bv = b->sum.median, nv = n->sum.median, d = nv - bv;
	const char *verdict = "=";

	if (fabs(d) > EXACT_EPS * fmax(fabs(bv), fabs(nv)))
		verdict = worse(m, d) ? "REGRESSION" : "IMPROVEMENT";
	json_object_set_new(row, "method", json_string("exact"));
	json_object_set_new(row, "delta_abs", sb_json_real(d));
	json_object_set_new(row, "delta_pct", bv != 0 ? sb_json_real(100 * d / bv) : json_null());
	json_object_set_new(row, "verdict", json_string(verdict));
}

/* Smallest n per side whose exact U test can reach p < alpha / family. */
static size_t need_n(double alpha, size_t family)
{
	size_t n;

	for (n = 2; n < 1000; n++)
		if (sb_utest_min_p(n, n) * (double)family < alpha)
			return n;
	return n;
}

/*
 * Noisy metric: the U test and the Hodges-Lehmann shift (of the logs for
 * ratio metrics: the shift of log(new/base) is the relative change).
 * The verdict waits for Holm's adjustment (finish_verdicts).
 */
static int row_noisy(json_t *row, const struct sb_metric *m, const struct side *b,
		     const struct side *n, const struct sb_cmp_settings *s)
{
	double *lb = NULL, *ln = NULL, lo, hi, shift;
	struct sb_utest ut;
	struct sb_hl hl;
	size_t i;
	int ret = -ENOMEM;

	lb = malloc(b->mv.n * sizeof(*lb));
	ln = malloc(n->mv.n * sizeof(*ln));
	if (!lb || !ln)
		goto out;
	for (i = 0; i < b->mv.n; i++)
		lb[i] = m->ratio ? log(b->mv.v[i]) : b->mv.v[i];
	for (i = 0; i < n->mv.n; i++)
		ln[i] = m->ratio ? log(n->mv.v[i]) : n->mv.v[i];
	ret = sb_utest(lb, b->mv.n, ln, n->mv.n, &ut);
	if (!ret)
		ret = sb_hodges_lehmann(lb, b->mv.n, ln, n->mv.n, s->confidence, &hl);
	if (ret)
		goto out;
	shift = hl.shift;
	lo = hl.lo;
	hi = hl.hi;
	json_object_set_new(row, "method", json_string("mann-whitney-u+hodges-lehmann"));
	json_object_set_new(row, "p", sb_json_real(ut.p));
	json_object_set_new(row, "p_exact", json_boolean(ut.exact));
	if (m->ratio) {
		json_object_set_new(row, "delta_pct", sb_json_real(100 * expm1(shift)));
		json_object_set_new(row, "delta_ci_pct",
				    json_pack("[o, o]", sb_json_real(hl.ci_ok ? 100 * expm1(lo) : NAN),
					      sb_json_real(hl.ci_ok ? 100 * expm1(hi) : NAN)));
	} else {
		json_object_set_new(row, "delta_abs", sb_json_real(shift));
		json_object_set_new(row, "delta_ci_abs",
				    json_pack("[o, o]", sb_json_real(hl.ci_ok ? lo : NAN),
					      sb_json_real(hl.ci_ok ? hi : NAN)));
	}
	/* the interval on the relative (or absolute) scale the threshold is in */
	json_object_set_new(row, "_lo", sb_json_real(hl.ci_ok ? (m->ratio ? expm1(lo) : lo) : NAN));
	json_object_set_new(row, "_hi", sb_json_real(hl.ci_ok ? (m->ratio ? expm1(hi) : hi) : NAN));
	if (!hl.ci_ok)
		add_note(row, "too few values for a %.0f%% interval of the shift",
			 100 * s->confidence);
	if (ut.ties && !ut.exact)
		add_note(row, "tied values: normal approximation with tie correction");
out:
	free(lb);
	free(ln);
	return ret;
}

static bool tcg_side(const struct sb_resset *rs)
{
	const char *accel = json_string_value(sb_json_path(rs->files[0].doc, "guest.accel"));

	return accel && !strcmp(accel, "tcg");
}

static bool is_gated(const struct sb_metric *m, const struct sb_cmp_settings *s)
{
	size_t i;

	if (!s->gated)
		return m->kpi;
	for (i = 0; s->gated[i]; i++)
		if (!strcmp(s->gated[i], m->name) || !strcmp(s->gated[i], "all"))
			return true;
	return false;
}

static const char *better_name(const struct sb_metric *m)
{
	return m->better == SB_BETTER_HIGHER ? "higher" : "lower";
}

/* Copy accounting counted by different tiers on the two sides is worth a note. */
static void tier_note(json_t *row, const struct sb_resset *base, const struct sb_rcell *bc,
		      const struct sb_resset *new, const struct sb_rcell *nc)
{
	const char *bt = NULL, *nt = NULL;
	size_t f;

	for (f = 0; f < base->nfiles && !bt; f++)
		bt = json_string_value(sb_json_path(bc->cells[f], "accounting.tier"));
	for (f = 0; f < new->nfiles && !nt; f++)
		nt = json_string_value(sb_json_path(nc->cells[f], "accounting.tier"));
	if (bt && nt && strcmp(bt, nt))
		add_note(row, "copy accounting tiers differ: %s in base, %s in new", bt, nt);
}

/*
 * Choose the unit of replication. Samples of one run share its conditions
 * (on a shared VM the host's load can halve a zero-copy path's throughput
 * for the length of a run), so the run is the unit: with two or more runs
 * per side their medians are tested. With one run per side nothing tells
 * run-to-run variance apart from a change: under --unit auto a noisy metric
 * is then shown but not gated; --unit samples tests the samples anyway.
 */
static int choose_unit(json_t *row, const struct sb_metric *m, struct side *b, struct side *n,
		       const struct sb_cmp_settings *s)
{
	const char *unit = "samples";
	int ret = 0;

	if (m->per_cell) {
		unit = "runs";
	} else if (s->unit == SB_UNIT_RUNS ||
		   (s->unit == SB_UNIT_AUTO && b->ngroups >= 2 && n->ngroups >= 2)) {
		unit = "run medians";
		ret = sb_mvals_group_medians(&b->mv);
		if (!ret)
			ret = sb_mvals_group_medians(&n->mv);
	} else if (s->unit == SB_UNIT_AUTO && m->assume == SB_ASSUME_NOTHING &&
		   json_is_true(json_object_get(row, "gated"))) {
		json_object_set_new(row, "gated", json_false());
		json_object_set_new(row, "ungated_single_run", json_true());
		add_note(row, "not gated: one run on a side cannot tell a change from run-to-run "
			      "variance (give 2 or more runs per side, or --unit samples)");
	}
	json_object_set_new(row, "unit_of_replication", json_string(unit));
	return ret;
}

static int make_row(const struct sb_resset *base, const struct sb_resset *new,
		    const struct sb_rcell *bc, const struct sb_rcell *nc, const struct sb_metric *m,
		    const struct sb_cmp_settings *s, json_t *rows)
{
	struct side b, n;
	json_t *row;
	bool gated, tcg, constant;
	int ret;

	ret = side_load(base, bc, m, s, &b);
	if (!ret)
		ret = side_load(new, nc, m, s, &n);
	else
		memset(&n, 0, sizeof(n));
	if (ret || (!b.mv.n && !n.mv.n))
		goto out; /* the metric does not apply to this cell */
	gated = is_gated(m, s);
	tcg = m->timing && (tcg_side(base) || tcg_side(new));
	row = json_pack("{s:s, s:s, s:s, s:O, s:s, s:s, s:s, s:s, s:b, s:[]}", "cell", bc->key,
			"workload", bc->workload, "target", bc->target, "params", bc->params,
			"metric", m->name, "unit", m->unit, "better", better_name(m), "assume",
			m->assume == SB_ASSUME_EXACT ? "exact" : "nothing", "gated", gated && !tcg,
			"notes");
	if (!row) {
		ret = -ENOMEM;
		goto out;
	}
	json_array_append_new(rows, row);
	if (gated && tcg)
		add_note(row, "not gated: a side ran under tcg (emulated CPU), its timings are "
			      "informational");
	if (!b.mv.n || !n.mv.n) {
		json_object_set_new(row, "verdict", json_string("MISSING"));
		add_note(row, "no values in %s", b.mv.n ? "new" : "base");
		json_object_set_new(row, "base", side_json(&b));
		json_object_set_new(row, "new", side_json(&n));
		goto out;
	}
	/* an exact metric's constancy is judged on the raw values, not on run medians */
	constant = m->assume == SB_ASSUME_EXACT && exact_constant(&b.mv) && exact_constant(&n.mv);
	ret = choose_unit(row, m, &b, &n, s);
	if (ret)
		goto out;
	side_summarize(&b, s->confidence);
	side_summarize(&n, s->confidence);
	json_object_set_new(row, "base", side_json(&b));
	json_object_set_new(row, "new", side_json(&n));
	if (m->per_cell)
		tier_note(row, base, bc, new, nc);
	if (json_array_size(b.outliers) || json_array_size(n.outliers))
		add_note(row, "outliers flagged (robust z > %.1f), kept: %zu in base, %zu in new",
			 s->outlier_z, json_array_size(b.outliers), json_array_size(n.outliers));
	if (m->assume == SB_ASSUME_EXACT) {
		if (constant) {
			row_exact(row, m, &b, &n);
			goto out;
		}
		add_note(row, "exact metric varies (base %g..%g, new %g..%g): tested as noisy",
			 b.sum.min, b.sum.max, n.sum.min, n.sum.max);
	}
	if (m->ratio && (b.sum.min <= 0 || n.sum.min <= 0)) {
		json_object_set_new(row, "verdict", json_string("INVALID"));
		add_note(row, "a value is 0: no ratio");
		goto out;
	}
	if (b.sum.rcv > s->noisy_rcv || n.sum.rcv > s->noisy_rcv) {
		json_object_set_new(row, "noisy", json_true());
		add_note(row, "NOISY: robust CV %.1f%% in base, %.1f%% in new (above %.0f%%)",
			 100 * b.sum.rcv, 100 * n.sum.rcv, 100 * s->noisy_rcv);
	}
	ret = row_noisy(row, m, &b, &n, s);
out:
	side_free(&b);
	side_free(&n);
	return ret;
}

/* The verdict of a noisy row from its (adjusted) p and its interval [lo, hi] on the threshold's scale. */
static const char *noisy_verdict(const struct sb_metric *m, double p, double lo, double hi,
				 double threshold, double alpha)
{
	bool higher = m->better == SB_BETTER_HIGHER;

	if (p >= alpha)
		return "~";
	if (higher ? hi < -threshold : lo > threshold)
		return "REGRESSION";
	if (higher ? lo > threshold : hi < -threshold)
		return "IMPROVEMENT";
	return "SMALL";
}

static double member_real(const json_t *o, const char *key)
{
	return sb_json_num(json_object_get(o, key));
}

static size_t side_n(const json_t *row, const char *side)
{
	return (size_t)json_integer_value(json_object_get(json_object_get(row, side), "n"));
}

/*
 * Holm over the gated noisy rows, then each noisy row's verdict: REGRESSION
 * needs p_adj < alpha and the whole interval beyond the threshold on the
 * worse side; INSUFFICIENT when these sample sizes cannot reach alpha (or
 * give no interval).
 */
static int finish_verdicts(json_t *rows, const struct sb_cmp_settings *s, size_t *family_out)
{
	size_t i, k = 0, family = 0, fam;
	double *p, *padj, pv, lo, hi;
	const struct sb_metric *m;
	const char *verdict;
	json_t *row;
	bool gated;

	p = calloc(json_array_size(rows) + 1, sizeof(*p));
	padj = calloc(json_array_size(rows) + 1, sizeof(*padj));
	if (!p || !padj) {
		free(p);
		free(padj);
		return -ENOMEM;
	}
	json_array_foreach(rows, i, row)
		if (json_object_get(row, "p") && json_is_true(json_object_get(row, "gated")))
			p[family++] = member_real(row, "p");
	sb_holm(p, family, padj);
	json_array_foreach(rows, i, row) {
		if (!json_object_get(row, "p"))
			continue;
		m = sb_metric_find(json_string_value(json_object_get(row, "metric")));
		gated = json_is_true(json_object_get(row, "gated"));
		pv = member_real(row, "p");
		fam = 1;
		if (gated) {
			pv = padj[k++];
			fam = family;
			json_object_set_new(row, "p_adj", sb_json_real(pv));
		}
		lo = member_real(row, "_lo");
		hi = member_real(row, "_hi");
		json_object_del(row, "_lo");
		json_object_del(row, "_hi");
		if (sb_utest_min_p(side_n(row, "base"), side_n(row, "new")) * (double)fam >=
			    s->alpha || isnan(lo) || isnan(hi)) {
			verdict = "INSUFFICIENT";
			add_note(row, "need >= %zu %s per side for alpha %g%s", need_n(s->alpha, fam),
				 strcmp(json_string_value(json_object_get(row, "unit_of_replication")),
					"samples") ? "runs" : "samples",
				 s->alpha, fam > 1 ? " after Holm over the gated tests" : "");
		} else {
			verdict = noisy_verdict(m, pv, lo, hi, s->threshold, s->alpha);
		}
		json_object_set_new(row, "verdict", json_string(verdict));
	}
	free(p);
	free(padj);
	*family_out = family;
	return 0;
}

/* ------------------------------------------------------------ cells */

static json_t *set_json(const struct sb_resset *rs)
{
	json_t *files = json_array();
	size_t i;

	for (i = 0; i < rs->nfiles; i++)
		json_array_append_new(files, json_string(rs->files[i].path));
	return json_pack("{s:s, s:s, s:o, s:o}", "label", rs->label, "path", rs->path, "files",
			 files, "kernel", json_string(set_kernel(rs) ? set_kernel(rs) : "unknown"));
}

/* A cell that is not ok in one set, or in only one: trouble unless both skipped it. */
static bool cell_usable(const struct sb_rcell *bc, const struct sb_rcell *nc,
			const struct sb_cmp_settings *s, json_t *trouble, json_t *cells)
{
	const struct sb_rcell *bad = NULL;
	const char *side = NULL;

	if (!nc || !bc) {
		const struct sb_rcell *c = bc ? bc : nc;

		json_array_append_new(json_object_get(cells, bc ? "only_base" : "only_new"),
				      json_string(c->key));
		if (!s->allow_missing)
			add_msg(trouble, "cell %s is only in %s (--allow-missing compares "
						      "the cells both have)",
						      c->key, bc ? "base" : "new");
		return false;
	}
	if (!bc->ok && !nc->ok && bc->bad_status && nc->bad_status &&
	    !strcmp(bc->bad_status, "skipped") && !strcmp(nc->bad_status, "skipped")) {
		json_array_append_new(json_object_get(cells, "skipped_both"), json_string(bc->key));
		return false;
	}
	if (bc->bad_status) {
		bad = bc;
		side = "base";
	} else if (nc->bad_status) {
		bad = nc;
		side = "new";
	}
	if (!bad)
		return true;
	json_array_append_new(json_object_get(cells, "not_ok"),
			      json_pack("{s:s, s:s, s:s, s:s?, s:s}", "cell", bad->key, "side", side,
					"status", bad->bad_status, "reason", bad->bad_reason, "file",
					bad->bad_file));
	add_msg(trouble, "cell %s is %s in %s (%s: %s)", bad->key,
						    bad->bad_status, side, bad->bad_file,
						    bad->bad_reason ? bad->bad_reason : "no reason");
	return false;
}

/* One warning for the whole comparison when noisy metrics were tested on samples. */
static void unit_warning(const json_t *rows, json_t *warnings)
{
	size_t i, pooled = 0, ungated = 0;
	const json_t *row;

	json_array_foreach(rows, i, row) {
		if (json_is_true(json_object_get(row, "ungated_single_run")))
			ungated++;
		else if (!strcmp(json_string_value(json_object_get(row, "unit_of_replication")) ?: "",
				 "samples") &&
			 strcmp(json_string_value(json_object_get(row, "method")) ?: "", "exact"))
			pooled++;
	}
	if (ungated)
		add_msg(warnings,
			"%zu noisy rows not gated: one run on a side, run-to-run variance unknown "
			"(2 or more runs per side test the runs' medians; --unit samples gates the "
			"samples of one run); informational rows are tested on the samples", ungated);
	else if (pooled)
		add_msg(warnings,
			"%zu noisy rows tested on the samples of the runs pooled: run-to-run variance "
			"is not covered", pooled);
}

/* Geometric mean of new/base medians per ratio metric, over the rows that have both. */
static json_t *geomeans(const json_t *rows)
{
	json_t *out = json_array(), *row;
	double sum, bm, nm;
	size_t i, k, cnt;

	for (k = 0; k < sb_nmetrics; k++) {
		if (!sb_metrics[k].ratio || sb_metrics[k].assume == SB_ASSUME_EXACT)
			continue;
		sum = 0;
		cnt = 0;
		json_array_foreach(rows, i, row) {
			if (strcmp(json_string_value(json_object_get(row, "metric")), sb_metrics[k].name))
				continue;
			bm = member_real(json_object_get(row, "base"), "median");
			nm = member_real(json_object_get(row, "new"), "median");
			if (!(bm > 0) || !(nm > 0))
				continue;
			sum += log(nm / bm);
			cnt++;
		}
		if (cnt)
			json_array_append_new(out, json_pack("{s:s, s:o, s:I}", "metric",
							     sb_metrics[k].name, "delta_pct",
							     sb_json_real(100 * expm1(sum / (double)cnt)),
							     "cells", (json_int_t)cnt));
	}
	return out;
}

/* How bad a regression is, for choosing the headline: the worse-side relative change. */
static double badness(const json_t *row)
{
	double d = member_real(row, "delta_pct");
	const char *better = json_string_value(json_object_get(row, "better"));

	if (isnan(d) && !strcmp(json_string_value(json_object_get(row, "method")) ?: "", "exact"))
		return 1e300; /* an exact change from 0: as bad as it gets */
	if (isnan(d)) /* an absolute metric (a ratio): its change in percentage points */
		d = 100 * member_real(row, "delta_abs");
	return strcmp(better, "higher") ? d : -d;
}

static void fmt_delta(const json_t *row, char *buf, size_t len)
{
	double d = member_real(row, "delta_pct");

	if (!strcmp(json_string_value(json_object_get(row, "assume")), "exact") &&
	    json_object_get(row, "delta_abs") && isnan(d))
		snprintf(buf, len, "%+g %s", member_real(row, "delta_abs"),
			 json_string_value(json_object_get(row, "unit")));
	else if (isnan(d))
		snprintf(buf, len, "%+g", member_real(row, "delta_abs"));
	else
		snprintf(buf, len, "%+.1f%%", d);
}

static const char *last_note(const json_t *row)
{
	const json_t *notes = json_object_get(row, "notes");

	return json_string_value(json_array_get(notes, json_array_size(notes) - 1)) ?: "no note";
}

static size_t ungated_rows(const json_t *rows)
{
	const json_t *row;
	size_t i, n = 0;

	json_array_foreach(rows, i, row)
		n += json_is_true(json_object_get(row, "ungated_single_run"));
	return n;
}

static json_t *headline(const json_t *doc, const json_t *rows, size_t regressions,
			size_t improvements, size_t gated, size_t cells)
{
	const json_t *row, *worst = NULL;
	const json_t *trouble = json_object_get(doc, "trouble");
	char d[64];
	size_t i;

	if (json_array_size(trouble))
		return json_sprintf("trouble: %s%s", json_string_value(json_array_get(trouble, 0)),
				    json_array_size(trouble) > 1 ? " (and more, above)" : "");
	json_array_foreach(rows, i, row) {
		if (!json_is_true(json_object_get(row, "gated")) ||
		    strcmp(json_string_value(json_object_get(row, "verdict")), "REGRESSION"))
			continue;
		if (!worst || badness(row) > badness(worst))
			worst = row;
	}
	if (!worst)
		return json_sprintf("no regression in %zu gated metric%s of %zu cell%s (%zu "
				    "improvement%s)%s",
				    gated, gated == 1 ? "" : "s", cells, cells == 1 ? "" : "s",
				    improvements, improvements == 1 ? "" : "s",
				    ungated_rows(rows) ? "; timings not gated: one run per side" : "");
	fmt_delta(worst, d, sizeof(d));
	return json_sprintf("%s regression of %s %s%s%s", d,
			    json_string_value(json_object_get(worst, "cell")),
			    json_string_value(json_object_get(worst, "metric")),
			    strcmp(json_string_value(json_object_get(worst, "method")), "exact") ?
				    "" : " [exact]",
			    regressions > 1 ? " (and more)" : "");
}

static void set_settings(json_t *doc, const struct sb_cmp_settings *s, size_t family)
{
	json_t *gated = json_array();
	size_t i;

	for (i = 0; i < sb_nmetrics; i++)
		if (is_gated(&sb_metrics[i], s))
			json_array_append_new(gated, json_string(sb_metrics[i].name));
	json_object_set_new(
		doc, "settings",
		json_pack("{s:s, s:s, s:o, s:o, s:s, s:o, s:o, s:o, s:s, s:b, s:b, s:o, s:I, s:s}",
			  "command", s->command, "unit",
			  s->unit == SB_UNIT_RUNS ? "runs" : s->unit == SB_UNIT_SAMPLES ? "samples" : "auto", "alpha", sb_json_real(s->alpha), "confidence",
			  sb_json_real(s->confidence), "correction", "holm", "threshold_pct",
			  sb_json_real(100 * s->threshold), "noisy_rcv_pct",
			  sb_json_real(100 * s->noisy_rcv), "outlier_z", sb_json_real(s->outlier_z),
			  "env_mismatch",
			  s->env == SB_ENV_ERROR ? "error" : s->env == SB_ENV_WARN ? "warn" : "ignore",
			  "strict", s->strict, "allow_missing", s->allow_missing, "gated_metrics",
			  gated, "gated_family", (json_int_t)family, "method",
			  "mann-whitney-u+hodges-lehmann"));
}

json_t *sb_compare(const struct sb_resset *base, const struct sb_resset *new,
		   const struct sb_cmp_settings *s)
{
	json_t *doc, *rows, *trouble, *warnings, *cells, *row;
	size_t i, k, matched = 0, regressions = 0, improvements = 0, gated = 0, family = 0;
	const struct sb_rcell *bc, *nc;
	const char *verdict;
	int exit_code;

	rows = json_array();
	trouble = json_array();
	warnings = json_array();
	cells = json_pack("{s:[], s:[], s:[], s:[]}", "only_base", "only_new", "not_ok",
			  "skipped_both");
	doc = json_pack("{s:s, s:o, s:s, s:o, s:o, s:[]}", "schema", SB_COMPARE_SCHEMA, "tool",
			sb_tool_json(), "command", s->command, "base", set_json(base), "new",
			set_json(new), "env_diff");
	if (!doc || !rows || !trouble || !warnings || !cells)
		goto nomem;
	env_diff(base, new, s, json_object_get(doc, "env_diff"), trouble, warnings);
	for (i = 0; i < base->ncells; i++) {
		bc = &base->cells[i];
		nc = sb_resset_find(new, bc->id);
		if (!cell_usable(bc, nc, s, trouble, cells))
			continue;
		matched++;
		for (k = 0; k < sb_nmetrics; k++)
			if (make_row(base, new, bc, nc, &sb_metrics[k], s, rows))
				goto nomem;
	}
	for (i = 0; i < new->ncells; i++)
		if (!sb_resset_find(base, new->cells[i].id))
			cell_usable(NULL, &new->cells[i], s, trouble, cells);
	if (!matched && !json_array_size(trouble))
		json_array_append_new(trouble, json_string("no cell to compare: the two sets have no "
							   "cell in common that ran"));
	if (finish_verdicts(rows, s, &family))
		goto nomem;
	json_array_foreach(rows, i, row) {
		if (!json_is_true(json_object_get(row, "gated")))
			continue;
		gated++;
		verdict = json_string_value(json_object_get(row, "verdict"));
		if (!strcmp(verdict, "REGRESSION"))
			regressions++;
		else if (!strcmp(verdict, "IMPROVEMENT"))
			improvements++;
		else if (!strcmp(verdict, "MISSING") || !strcmp(verdict, "INVALID") ||
			 (!strcmp(verdict, "INSUFFICIENT") && (s->insufficient_is_trouble || s->strict)))
			add_msg(trouble, "%s %s: %s (%s)", json_string_value(json_object_get(row, "cell")),
					     json_string_value(json_object_get(row, "metric")), verdict,
					     last_note(row));
		if (s->strict && json_is_true(json_object_get(row, "noisy")))
			add_msg(trouble, "%s %s: NOISY (--strict)", json_string_value(json_object_get(row, "cell")),
							   json_string_value(json_object_get(row, "metric")));
	}
	unit_warning(rows, warnings);
	json_object_set_new(cells, "matched", json_integer((json_int_t)matched));
	set_settings(doc, s, family);
	json_object_set_new(doc, "cells", cells);
	json_object_set_new(doc, "rows", rows);
	json_object_set_new(doc, "geomean", geomeans(rows));
	json_object_set_new(doc, "warnings", warnings);
	json_object_set_new(doc, "trouble", trouble);
	exit_code = json_array_size(trouble) ? SB_EXIT_USAGE :
		    regressions && !s->no_fail ? SB_EXIT_FAIL : SB_EXIT_OK;
	json_object_set_new(doc, "regressions", json_integer((json_int_t)regressions));
	json_object_set_new(doc, "improvements", json_integer((json_int_t)improvements));
	json_object_set_new(doc, "verdict", json_string(exit_code == SB_EXIT_USAGE ? "TROUBLE" :
							exit_code ? "REGRESSION" : "PASS"));
	json_object_set_new(doc, "headline",
			    headline(doc, rows, regressions, improvements, gated, matched));
	json_object_set_new(doc, "exit_code", json_integer(exit_code));
	return doc;
nomem:
	json_decref(doc);
	json_decref(rows);
	json_decref(trouble);
	json_decref(warnings);
	json_decref(cells);
	return NULL;
}
