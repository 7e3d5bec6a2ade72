// SPDX-License-Identifier: MIT
/*
 * Plots: per picture a .dat file (plain columns, comments saying what was
 * left out and why) and a section of plot.gp, then gnuplot run in the
 * directory. Everything a picture shows is in its .dat file; the script
 * holds only styling, so `cd DIR && gnuplot plot.gp` redraws it all.
 *
 * Text from result files (cell keys, labels, paths, tiers) reaches gnuplot
 * only as a single-quoted string in the script (a quote doubled) or as a
 * double-quoted column of a .dat file (a double quote replaced by '), with
 * control characters turned into spaces; the terminals are `noenhanced`,
 * so _ ^ { } @ & in labels are shown as they are.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "log.h"
#include "plot.h"
#include "sb.h"
#include "stats.h"

#define PLOT_W 1200u
#define PLOT_H 600u
#define RENDER_TIMEOUT_MS 120000
#define GNUPLOT "gnuplot"
#define GIB ((double)SB_GIB)

/* Okabe-Ito: distinguishable with the common colour vision deficiencies. */
static const char *const target_colors[] = { "#0072B2", "#E69F00", "#009E73", "#CC79A7",
					      "#56B4E9", "#D55E00", "#999933", "#555555" };
#define COLOR_COPIED "#D55E00"
#define COLOR_BYREF "#009E73"
#define COLOR_FRESH "#56B4E9"
#define COLOR_BASE "#0072B2"
#define COLOR_NEW "#E69F00"
#define COLOR_SAMPLES "#80202020" /* gnuplot's #AARRGGBB: half transparent */

/* The metrics a comparison draws as candlesticks, in this order. */
static const char *const cmp_metrics[] = { "bytes_per_sec", "cpu_sec_per_gib", "latency_p50_ns",
					   "latency_p99_ns" };

static const char *const lat_keys[] = { "p50", "p90", "p99", "p99_9" };
static const char *const lat_names[] = { "p50", "p90", "p99", "p99.9" };
static const char *const lat_colors[] = { "#56B4E9", "#0072B2", "#E69F00", "#D55E00" };

struct five {
	size_t n;
	double min, p25, med, p75, max;
};

struct pcell {
	const struct sb_rcell *c;  /* in the plotted set (NEW of a comparison) */
	const struct sb_rcell *bc; /* BASE's cell of the same identity, or NULL */
	size_t tgt;		   /* index into ctx.targets */
	size_t order;		   /* first-seen position in the set */
};

struct ctx {
	const struct sb_plot_req *r;
	const struct sb_resset *set, *base;
	struct sb_plot_out *out;
	FILE *gp;
	char *err;
	size_t errlen;
	struct pcell *cells; /* grouped by target (first-seen order), then first-seen */
	size_t ncells;
	const char **targets;
	size_t ntargets;
	char kern[256], bkern[256];
};

/* ------------------------------------------------------------ text */

static int put_char_clean(FILE *f, int ch)
{
	return fputc((ch >= 0 && ch < 0x20) || ch == 0x7f ? ' ' : ch, f);
}

/* A gnuplot single-quoted string: nothing is special in it but the quote, written twice. */
static void gp_str(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; s && *s; s++) {
		if (*s == '\'')
			fputs("''", f);
		else
			put_char_clean(f, (unsigned char)*s);
	}
	fputc('\'', f);
}

/*
 * A string column of a .dat file: double-quoted, which keeps spaces and #
 * inside one column. gnuplot has no escape for a double quote there, so it
 * becomes a single one.
 */
static void dat_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++)
		put_char_clean(f, *s == '"' ? '\'' : (unsigned char)*s);
	fputc('"', f);
}

/* Free text in a # comment: one line. */
static void comment_str(FILE *f, const char *s)
{
	for (; s && *s; s++)
		put_char_clean(f, (unsigned char)*s);
}

static const char *str_or(const char *s, const char *dflt)
{
	return s && *s ? s : dflt;
}

/* ------------------------------------------------------------ numbers */

/*
 * The values of metric @m in cell @c of @rs (the files where it is ok),
 * times @scale, NaN dropped, in sample order (*@vals, to be freed) and
 * their five-number summary. 0 or -ENOMEM; f->n = 0 when there are none.
 */
static int values_of(const struct sb_resset *rs, const struct sb_rcell *c,
		     const struct sb_metric *m, double scale, struct five *f, double **vals)
{
	struct sb_mvals mv = { 0 };
	double *v, *s = NULL;
	size_t i, n = 0;
	int ret;

	memset(f, 0, sizeof(*f));
	*vals = NULL;
	ret = sb_rcell_values(rs, c, m, &mv);
	if (ret)
		return ret;
	v = calloc(mv.n ? mv.n : 1, sizeof(*v));
	if (!v)
		goto nomem;
	for (i = 0; i < mv.n; i++)
		if (isfinite(mv.v[i]))
			v[n++] = mv.v[i] * scale;
	if (n) {
		s = malloc(n * sizeof(*s));
		if (!s)
			goto nomem;
		memcpy(s, v, n * sizeof(*s));
		qsort(s, n, sizeof(*s), sb_cmp_double);
		f->n = n;
		f->min = s[0];
		f->p25 = sb_quantile_sorted(s, n, 0.25);
		f->med = sb_quantile_sorted(s, n, 0.5);
		f->p75 = sb_quantile_sorted(s, n, 0.75);
		f->max = s[n - 1];
		free(s);
	}
	sb_mvals_free(&mv);
	*vals = v;
	return 0;
nomem:
	free(v);
	sb_mvals_free(&mv);
	return -ENOMEM;
}

/* A metric's display unit and the factor that gets there: B/s is drawn in GiB/s. */
static double metric_scale(const struct sb_metric *m, const char **unit)
{
	if (!strcmp(m->unit, "B/s")) {
		*unit = "GiB/s";
		return 1.0 / GIB;
	}
	*unit = m->unit;
	return 1.0;
}

/* Deterministic jitter in [-w, w]: the golden-ratio sequence spreads any count evenly. */
static double jitter(size_t k, double w)
{
	double t = fmod((double)k * 0.6180339887498949 + 0.5, 1.0);

	return (2 * t - 1) * w;
}

/* ------------------------------------------------------------ result documents */

static const json_t *cell_in(const struct sb_resset *rs, const struct sb_rcell *c, size_t i)
{
	return i < rs->nfiles ? c->cells[i] : NULL;
}

static bool cell_is_ok(const json_t *cell)
{
	const char *st = json_string_value(json_object_get(cell, "status"));

	return st && !strcmp(st, "ok");
}

static const char *cell_label(const struct sb_rcell *c)
{
	return str_or(c->key, c->id);
}

/* The distinct host.kernel.release values of the files of @rs, ", "-separated. */
static void set_kernels(const struct sb_resset *rs, char *buf, size_t len)
{
	size_t i, j, used = 0, shown = 0;

	buf[0] = '\0';
	for (i = 0; i < rs->nfiles; i++) {
		const char *rel = json_string_value(json_object_get(
			json_object_get(json_object_get(rs->files[i].doc, "host"), "kernel"),
			"release"));
		rel = str_or(rel, "unknown");
		for (j = 0; j < i; j++) {
			const char *prev = json_string_value(json_object_get(
				json_object_get(json_object_get(rs->files[j].doc, "host"), "kernel"),
				"release"));
			if (!strcmp(str_or(prev, "unknown"), rel))
				break;
		}
		if (j < i)
			continue;
		if (shown == 3) {
			if (used < len)
				snprintf(buf + used, len - used, ", ...");
			break;
		}
		if (used < len)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", shown ? ", " : "",
						 rel);
		shown++;
	}
	if (!buf[0])
		snprintf(buf, len, "unknown");
}

/*
 * Say in the .dat file why cell @c of @rs is left out or only partly used.
 * Returns whether it has an ok file to plot from.
 */
static bool note_cell(FILE *f, const struct sb_resset *rs, const struct sb_rcell *c)
{
	if (c->ok && c->ok == c->present)
		return true;
	if (!c->ok)
		fputs("# left out: ", f);
	else
		fprintf(f, "# only %zu of %zu files used: ", c->ok, c->present);
	comment_str(f, cell_label(c));
	fprintf(f, " is %s in ", str_or(c->bad_status, "not ok"));
	comment_str(f, str_or(c->bad_file, rs->label));
	fputs(": ", f);
	comment_str(f, str_or(c->bad_reason, "no reason given"));
	fputc('\n', f);
	return c->ok > 0;
}

static void dat_header(struct ctx *x, FILE *f, const char *what)
{
	const struct sb_resset *sets[2] = { x->base, x->set };
	size_t s, i;

	fputs("# splicebench plot: ", f);
	comment_str(f, what);
	fputc('\n', f);
	for (s = 0; s < 2; s++) {
		if (!sets[s])
			continue;
		fprintf(f, "# %s", x->base ? (s ? "new " : "base ") : "");
		comment_str(f, sets[s]->label);
		fprintf(f, ": %zu file%s", sets[s]->nfiles, sets[s]->nfiles == 1 ? "" : "s");
		for (i = 0; i < sets[s]->nfiles && i < 3; i++) {
			fputs(i ? ", " : " (", f);
			comment_str(f, sets[s]->files[i].path);
		}
		fprintf(f, "%s, kernel ", sets[s]->nfiles > 3 ? ", ...)" : ")");
		comment_str(f, s ? x->kern : x->bkern);
		fputc('\n', f);
	}
}

/* ------------------------------------------------------------ files */

static int open_out(struct ctx *x, const char *name, FILE **f)
{
	char path[PATH_MAX];
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", x->r->dir, name) >= sizeof(path))
		return sb_why_err(x->err, x->errlen, -ENAMETOOLONG, "%s/%s: path too long",
				  x->r->dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return sb_why_err(x->err, x->errlen, -errno, "%s: %s", path, strerror(errno));
	*f = fdopen(fd, "w");
	if (!*f) {
		close(fd);
		return sb_why_err(x->err, x->errlen, -ENOMEM, "%s: out of memory", path);
	}
	return 0;
}

static int close_out(struct ctx *x, const char *name, FILE *f)
{
	bool bad = ferror(f);
	int e = errno;

	if (fclose(f) || bad) {
		e = bad ? (e ? e : EIO) : errno;
		return sb_why_err(x->err, x->errlen, -e, "%s/%s: writing: %s", x->r->dir, name,
				  strerror(e));
	}
	return 0;
}

/* mkdir -p */
static int make_dir(const char *dir, char *err, size_t errlen)
{
	char p[PATH_MAX];
	struct stat st;
	size_t i, len = strlen(dir);

	if (!len || len >= sizeof(p))
		return sb_why_err(err, errlen, -EINVAL, "'%s': not a usable directory name", dir);
	memcpy(p, dir, len + 1);
	for (i = 1; i <= len; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		p[i] = '\0';
		if (mkdir(p, 0755) && errno != EEXIST)
			return sb_why_err(err, errlen, -errno, "%s: %s", p, strerror(errno));
		p[i] = i < len ? '/' : '\0';
	}
	if (stat(dir, &st))
		return sb_why_err(err, errlen, -errno, "%s: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return sb_why_err(err, errlen, -ENOTDIR, "%s: not a directory", dir);
	return 0;
}

static void add_image(struct ctx *x, const char *name)
{
	if (x->out->nimages < SB_PLOT_MAX_IMAGES)
		snprintf(x->out->images[x->out->nimages++], sizeof(x->out->images[0]), "%s.%s",
			 name, sb_plot_format_name(x->r->format));
}

static void add_skipped(struct ctx *x, const char *name, const char *why)
{
	if (x->out->nskipped < SB_PLOT_MAX_IMAGES)
		snprintf(x->out->skipped[x->out->nskipped++], sizeof(x->out->skipped[0]),
			 "%s: %s", name, why);
}

const char *sb_plot_format_name(enum sb_plot_format f)
{
	return f == SB_PLOT_SVG ? "svg" : "png";
}

/* ------------------------------------------------------------ the script */

static void gp_preamble(struct ctx *x)
{
	FILE *gp = x->gp;

	fputs("# splicebench plot: draws the pictures of this directory from its .dat files.\n"
	      "#   cd <this directory> && gnuplot " SB_PLOT_SCRIPT "\n"
	      "#   gnuplot -e \"fmt='svg'\" " SB_PLOT_SCRIPT "     (the other format)\n"
	      "# Each picture is one section below: restyle freely (colours, sizes, fonts,\n"
	      "# titles); the numbers are in the .dat files, their columns named in their\n"
	      "# headers.\n",
	      gp);
	fprintf(gp, "if (!exists(\"fmt\")) fmt = '%s'\n", sb_plot_format_name(x->r->format));
	fputs("if (!exists(\"font\")) font = 'sans,10'\n"
	      "term(w, h) = fmt eq 'svg' ? \\\n"
	      "\tsprintf(\"set terminal svg size %d,%d noenhanced font '%s' "
	      "background rgb 'white'\", w, h, font) : \\\n"
	      "\tsprintf(\"set terminal pngcairo size %d,%d noenhanced font '%s' "
	      "background rgb 'white'\", w, h, font)\n",
	      gp);
}

/* Start a picture's section: title lines 1 and 2 (plain text). */
static void gp_begin(struct ctx *x, const char *name, unsigned int w, const char *t1,
		     const char *t2)
{
	FILE *gp = x->gp;

	fprintf(gp, "\n# ---------------------------------------------------------------- %s\n",
		name);
	fprintf(gp, "reset\neval term(%u, %u)\nset output '%s.'.fmt\n", w, PLOT_H, name);
	fputs("set title ", gp);
	gp_str(gp, t1);
	fputs(" . \"\\n\" . ", gp);
	gp_str(gp, t2);
	fputc('\n', gp);
	fputs("set grid ytics lc rgb '#dddddd'\n"
	      "set border 3\n"
	      "set xtics nomirror rotate by 45 right font ',9' scale 0\n"
	      "set ytics nomirror\n",
	      gp);
}

static unsigned int width_for(size_t slots, unsigned int px)
{
	size_t w = 260 + slots * px;

	return w < PLOT_W ? PLOT_W : w > 20000 ? 20000 : (unsigned int)w;
}

/*
 * Tic labels are rotated and end at their tic: the first one reaches left
 * of the plot by about 2/3 character per character (font 9 of 10, cos 45).
 */
static void gp_lmargin(struct ctx *x, size_t first_label_len)
{
	size_t m = first_label_len * 2 / 3 + 3;

	fprintf(x->gp, "set lmargin %zu\n", m < 10 ? 10 : m > 80 ? 80 : m);
}

/* ------------------------------------------------------------ throughput */

static int plot_throughput(struct ctx *x)
{
	const struct sb_metric *m = sb_metric_find("bytes_per_sec");
	char t1[256], t2[512];
	size_t i, t, k, nblocks = 0, nbars = 0, maxn = 0, minn = SIZE_MAX, first_len = 0;
	bool *has = NULL;
	struct five *fv = NULL;
	double x_pos = 0, *vals;
	FILE *f = NULL;
	const char *unit;
	double scale;
	int ret;

	if (!m)
		return sb_why_err(x->err, x->errlen, -EINVAL, "no bytes_per_sec in the metric table");
	scale = metric_scale(m, &unit);
	fv = calloc(x->ncells, sizeof(*fv));
	has = calloc(x->ntargets, sizeof(*has));
	if (!fv || !has) {
		ret = sb_why_err(x->err, x->errlen, -ENOMEM, "out of memory");
		goto out;
	}
	ret = open_out(x, "throughput.dat", &f);
	if (ret)
		goto out;
	dat_header(x, f, "throughput per cell: bytes_per_sec of the timed samples, in GiB/s "
			 "(2^30 bytes per second)");
	for (i = 0; i < x->ncells; i++) {
		const struct pcell *p = &x->cells[i];

		if (!note_cell(f, x->set, p->c))
			continue;
		ret = values_of(x->set, p->c, m, scale, &fv[i], &vals);
		free(vals);
		if (ret) {
			sb_why(x->err, x->errlen, "out of memory");
			goto out;
		}
		if (!fv[i].n) {
			fputs("# left out: ", f);
			comment_str(f, cell_label(p->c));
			fputs(": no bytes_per_sec in its samples\n", f);
			continue;
		}
		has[p->tgt] = true;
		nbars++;
		maxn = fv[i].n > maxn ? fv[i].n : maxn;
		minn = fv[i].n < minn ? fv[i].n : minn;
	}
	fputs("# columns: 1 x, 2 cell, 3 target, 4 median, 5 min, 6 p25, 7 p75, 8 max, 9 samples\n"
	      "# one data block (index) per target, in the order of the plot's legend\n",
	      f);
	for (t = 0; t < x->ntargets; t++) {
		if (!has[t])
			continue;
		fprintf(f, "%s# index %zu: target ", nblocks ? "\n\n" : "", nblocks);
		comment_str(f, x->targets[t]);
		fputc('\n', f);
		for (i = 0; i < x->ncells; i++) {
			const struct five *v = &fv[i];

			if (x->cells[i].tgt != t || !v->n)
				continue;
			if (!first_len)
				first_len = strlen(cell_label(x->cells[i].c));
			fprintf(f, "%g ", x_pos);
			dat_str(f, cell_label(x->cells[i].c));
			fputc(' ', f);
			dat_str(f, x->targets[t]);
			fprintf(f, " %.6g %.6g %.6g %.6g %.6g %zu\n", v->med, v->min, v->p25, v->p75,
				v->max, v->n);
			x_pos += 1;
		}
		x_pos += 1; /* a gap between targets */
		nblocks++;
	}
	ret = close_out(x, "throughput.dat", f);
	f = NULL;
	if (ret)
		goto out;
	if (!nbars) {
		add_skipped(x, "throughput", "no ok cell has throughput samples");
		goto out;
	}

	if (minn == maxn)
		snprintf(t1, sizeof(t1), "Throughput per cell, GiB/s: median of %zu timed samples, "
			 "box p25..p75, whiskers min..max", maxn);
	else
		snprintf(t1, sizeof(t1), "Throughput per cell, GiB/s: median of %zu..%zu timed "
			 "samples, box p25..p75, whiskers min..max", minn, maxn);
	snprintf(t2, sizeof(t2), "%s, kernel %s (bars coloured by target)", x->set->label,
		 x->kern);
	gp_begin(x, "throughput", width_for(nbars + nblocks, 30), t1, t2);
	gp_lmargin(x, first_len);
	fprintf(x->gp, "set ylabel '%s'\nset yrange [0:*]\nset xrange [-0.8:%g]\n"
		       "set style fill solid 0.85 border rgb '#404040'\nset boxwidth 0.72\n"
		       "set key below horizontal\n",
		unit, x_pos - 1 - 0.2);
	fputs("plot ", x->gp);
	for (t = 0, k = 0; t < x->ntargets; t++) {
		if (!has[t])
			continue;
		fprintf(x->gp, "%s'throughput.dat' index %zu using 1:4:xtic(2) with boxes "
			       "lc rgb '%s' title ", k ? ", \\\n     " : "", k,
			target_colors[t % SB_ARRAY_SIZE(target_colors)]);
		gp_str(x->gp, x->targets[t]);
		fprintf(x->gp, ", \\\n     'throughput.dat' index %zu using 1:6:5:8:7:(0.3) with "
			       "candlesticks whiskerbars 0.6 fs empty lc rgb '#202020' lw 1.2 notitle",
			k);
		fprintf(x->gp, ", \\\n     'throughput.dat' index %zu using 1:8:(sprintf('%%.3g', $4)) "
			       "with labels offset 0,0.7 font ',8' notitle", k);
		k++;
	}
	fputc('\n', x->gp);
	add_image(x, "throughput");
out:
	if (f)
		fclose(f);
	free(fv);
	free(has);
	return ret;
}

/* ------------------------------------------------------------ copy split */

struct split {
	double copied, byref, fresh, moved; /* the first three per byte moved */
	const char *tier, *fidelity;
};

static double numobj(const json_t *acc, const char *key, const char **fidelity)
{
	const json_t *o = json_object_get(acc, key), *v = json_object_get(o, "value");

	if (fidelity)
		*fidelity = json_string_value(json_object_get(o, "fidelity"));
	return json_is_number(v) ? json_number_value(v) : NAN;
}

/*
 * The split of cell @c from the first file where it is ok and was counted.
 * Returns true, or false with the reason in @why.
 */
static bool split_of(const struct sb_resset *rs, const struct sb_rcell *c, struct split *s,
		     char *why, size_t len)
{
	const char *tier, *reason;
	const json_t *acc;
	size_t i;

	snprintf(why, len, "no accounting in the result");
	for (i = 0; i < rs->nfiles; i++) {
		const json_t *cell = cell_in(rs, c, i);

		if (!cell || !cell_is_ok(cell))
			continue;
		acc = json_object_get(cell, "accounting");
		if (!json_is_object(acc))
			continue;
		tier = json_string_value(json_object_get(acc, "tier"));
		if (!tier) {
			reason = json_string_value(json_object_get(acc, "reason"));
			snprintf(why, len, "not counted: %s", str_or(reason, "no tier"));
			continue;
		}
		s->moved = numobj(acc, "bytes_moved", NULL);
		s->copied = numobj(acc, "bytes_cpu_copied", &s->fidelity);
		s->byref = numobj(acc, "bytes_by_reference", NULL);
		s->fresh = numobj(acc, "bytes_fresh_pages", NULL);
		if (!(s->moved > 0)) {
			snprintf(why, len, "no bytes moved");
			continue;
		}
		if (!isfinite(s->copied) || !isfinite(s->byref) || !isfinite(s->fresh)) {
			snprintf(why, len, "a byte count is null");
			continue;
		}
		s->copied /= s->moved;
		s->byref /= s->moved;
		s->fresh /= s->moved;
		s->tier = tier;
		s->fidelity = str_or(s->fidelity, "unknown");
		return true;
	}
	return false;
}


/* One bar: @side is the set's label, @tag the text above the bar. */
static void split_row(FILE *f, double xp, const struct sb_rcell *c, const char *side,
		      const char *tag, const struct split *s)
{
	fprintf(f, "%g ", xp);
	dat_str(f, cell_label(c));
	fprintf(f, " %.6g %.6g %.6g %.17g ", s->copied, s->byref, s->fresh, s->moved);
	dat_str(f, s->tier);
	fputc(' ', f);
	dat_str(f, s->fidelity);
	fputc(' ', f);
	dat_str(f, side);
	fputc(' ', f);
	dat_str(f, tag);
	fputc('\n', f);
}

static void note_left_out(FILE *f, const struct sb_rcell *c, const char *side, const char *why)
{
	fputs("# left out: ", f);
	comment_str(f, cell_label(c));
	if (side) {
		fputs(" (", f);
		comment_str(f, side);
		fputc(')', f);
	}
	fputs(": ", f);
	comment_str(f, why);
	fputc('\n', f);
}

/* Cells of BASE that NEW lacks: a comment each. */
static void note_base_only(struct ctx *x, FILE *f)
{
	size_t i;

	if (!x->base)
		return;
	for (i = 0; i < x->base->ncells; i++)
		if (!sb_resset_find(x->set, x->base->cells[i].id))
			note_left_out(f, &x->base->cells[i], x->base->label, "only in base");
}

static int plot_split(struct ctx *x)
{
	const struct sb_resset *sides[2] = { x->base, x->set };
	char t1[256], t2[512], why[256], tag[64];
	size_t i, s, nbars = 0, ntics = 0, prev_tgt = 0;
	struct { double x; const struct sb_rcell *c; } *tics;
	double x_pos = 0;
	struct split sp;
	FILE *f = NULL;
	int ret;

	tics = calloc(x->ncells ? x->ncells : 1, sizeof(*tics));
	if (!tics)
		return sb_why_err(x->err, x->errlen, -ENOMEM, "out of memory");
	ret = open_out(x, "split.dat", &f);
	if (ret)
		goto out;
	dat_header(x, f, "copy accounting per cell: bytes copied by the CPU, handed over by "
			 "reference, and placed in fresh pages, each per byte moved "
			 "(cells[].accounting)");
	note_base_only(x, f);
	fputs("# index 0, one row per bar: 1 x, 2 cell, 3 copied, 4 by_reference, "
	      "5 fresh_pages (3-5 per byte moved), 6 bytes_moved, 7 tier, 8 fidelity of the "
	      "copied bytes, 9 set, 10 the text above the bar\n"
	      "# index 1, the x tics: 1 x, 2 cell\n",
	      f);
	for (i = 0; i < x->ncells; i++) {
		const struct pcell *p = &x->cells[i];
		size_t before = nbars;
		double x0;

		if (nbars && p->tgt != prev_tgt)
			x_pos += x->base ? 0.5 : 1; /* a gap between targets */
		x0 = x_pos;
		for (s = x->base ? 0 : 1; s < 2; s++) {
			const struct sb_rcell *c = s ? p->c : p->bc;

			if (!c) {
				note_left_out(f, p->c, x->base->label, "only in new");
				continue;
			}
			if (!note_cell(f, sides[s], c))
				continue;
			if (!split_of(sides[s], c, &sp, why, sizeof(why))) {
				note_left_out(f, c, sides[s]->label, why);
				continue;
			}
			if (x->base)
				snprintf(tag, sizeof(tag), "%s: %s", s ? "new" : "base", sp.tier);
			else
				snprintf(tag, sizeof(tag), "%s", sp.tier);
			split_row(f, x_pos, c, sides[s]->label, tag, &sp);
			x_pos += 1;
			nbars++;
		}
		if (nbars == before) {
			x_pos = x0;
			continue;
		}
		tics[ntics].x = (x0 + x_pos - 1) / 2;
		tics[ntics++].c = p->c;
		if (x->base)
			x_pos += 0.6; /* a gap between the pairs */
		prev_tgt = p->tgt;
	}
	fputs("\n\n# index 1: x tics\n", f);
	for (i = 0; i < ntics; i++) {
		fprintf(f, "%g ", tics[i].x);
		dat_str(f, cell_label(tics[i].c));
		fputc('\n', f);
	}
	ret = close_out(x, "split.dat", f);
	f = NULL;
	if (ret)
		goto out;
	if (!nbars) {
		add_skipped(x, "split", "no ok cell has copy accounting");
		goto out;
	}

	snprintf(t1, sizeof(t1), "Copy accounting: what the kernel did with each byte moved "
		 "(stacked; the legs of a path add up, so two legs reach 2)");
	if (x->base)
		snprintf(t2, sizeof(t2), "base %s (kernel %s) vs new %s (kernel %s); above the "
			 "bars: the tier (function: exact probes, tracepoint: estimate, oracle: "
			 "aliasing test)", x->base->label, x->bkern, x->set->label, x->kern);
	else
		snprintf(t2, sizeof(t2), "%s, kernel %s; above the bars: the tier (function: "
			 "exact probes, tracepoint: estimate from exact syscall totals, oracle: "
			 "aliasing test)", x->set->label, x->kern);
	gp_begin(x, "split", width_for(nbars, 30), t1, t2);
	gp_lmargin(x, tics[0].c ? strlen(cell_label(tics[0].c)) : 10);
	fprintf(x->gp, "set ylabel 'bytes per byte moved'\nset yrange [0:*]\n"
		       "set xrange [-0.8:%g]\n"
		       "set style fill solid 0.85 border rgb '#404040'\nset boxwidth 0.72\n"
		       "set offsets 0, 0, graph 0.3, 0\n"
		       "set key below horizontal\n",
		x_pos - (x->base ? 0.8 : 0.2));
	fprintf(x->gp, "plot 'split.dat' index 1 using 1:(NaN):xtic(2) notitle, \\\n"
		       "     'split.dat' index 0 using 1:($3+$4+$5) with boxes lc rgb '%s' "
		       "title 'placed in fresh pages', \\\n"
		       "     'split.dat' index 0 using 1:($3+$4) with boxes lc rgb '%s' "
		       "title 'handed over by reference', \\\n"
		       "     'split.dat' index 0 using 1:3 with boxes lc rgb '%s' "
		       "title 'copied by the CPU', \\\n"
		       "     'split.dat' index 0 using 1:($3+$4+$5):10 with labels rotate by 90 "
		       "left offset 0,0.5 font ',8' notitle\n",
		COLOR_FRESH, COLOR_BYREF, COLOR_COPIED);
	add_image(x, "split");
out:
	if (f)
		fclose(f);
	free(tics);
	return ret;
}

/* ------------------------------------------------------------ latency */

/*
 * cells[].summary.latency_ns percentiles of @c: per percentile the median
 * over the files where the cell is ok and has it. False when none has p50.
 */
static bool latency_of(const struct sb_resset *rs, const struct sb_rcell *c, double *p,
		       size_t *nfiles, double *scratch)
{
	const json_t *lat, *v;
	size_t i, k;

	*nfiles = 0;
	for (k = 0; k < SB_ARRAY_SIZE(lat_keys); k++) {
		size_t n = 0;

		for (i = 0; i < rs->nfiles; i++) {
			const json_t *cell = cell_in(rs, c, i);

			if (!cell || !cell_is_ok(cell))
				continue;
			lat = json_object_get(json_object_get(cell, "summary"), "latency_ns");
			v = json_object_get(lat, lat_keys[k]);
			if (json_is_number(v) && json_number_value(v) > 0)
				scratch[n++] = json_number_value(v);
		}
		if (!k)
			*nfiles = n;
		p[k] = sb_median(scratch, n); /* NAN when no file has it */
	}
	return *nfiles > 0;
}

static int plot_latency(struct ctx *x)
{
	char t1[256], t2[512];
	size_t i, k, nf, nbars = 0, prev_tgt = 0, first_len = 0;
	double x_pos = 0, p[SB_ARRAY_SIZE(lat_keys)], *scratch;
	FILE *f = NULL;
	int ret;

	scratch = calloc(x->set->nfiles ? x->set->nfiles : 1, sizeof(*scratch));
	if (!scratch)
		return sb_why_err(x->err, x->errlen, -ENOMEM, "out of memory");
	ret = open_out(x, "latency.dat", &f);
	if (ret)
		goto out;
	dat_header(x, f, "latency of one operation per cell, ns: cells[].summary.latency_ns "
			 "(over the operations timed in all samples; with several files, the "
			 "median over them)");
	fputs("# columns: 1 x, 2 cell, 3 p50, 4 p90, 5 p99, 6 p99.9 (ns; nan: not measured), "
	      "7 files\n",
	      f);
	for (i = 0; i < x->ncells; i++) {
		const struct pcell *pc = &x->cells[i];

		if (!note_cell(f, x->set, pc->c))
			continue;
		if (!latency_of(x->set, pc->c, p, &nf, scratch)) {
			note_left_out(f, pc->c, NULL, "no summary.latency_ns");
			continue;
		}
		if (nbars && pc->tgt != prev_tgt)
			x_pos += 1;
		prev_tgt = pc->tgt;
		if (!first_len)
			first_len = strlen(cell_label(pc->c));
		fprintf(f, "%g ", x_pos);
		dat_str(f, cell_label(pc->c));
		for (k = 0; k < SB_ARRAY_SIZE(lat_keys); k++)
			fprintf(f, " %.6g", p[k]);
		fprintf(f, " %zu\n", nf);
		x_pos += 1;
		nbars++;
	}
	ret = close_out(x, "latency.dat", f);
	if (ret)
		goto out;
	if (!nbars) {
		add_skipped(x, "latency", "no ok cell has latency percentiles");
		goto out;
	}

	snprintf(t1, sizeof(t1), "Latency of one operation, ns (log scale): p50, p90, p99 and "
		 "p99.9 over the operations timed in the samples");
	snprintf(t2, sizeof(t2), "%s, kernel %s", x->set->label, x->kern);
	gp_begin(x, "latency", width_for(nbars, 36), t1, t2);
	gp_lmargin(x, first_len);
	fprintf(x->gp, "set ylabel 'ns'\nset logscale y\nset format y '%%.0f'\n"
		       "set grid mytics lc rgb '#eeeeee'\n"
		       "set xrange [-0.8:%g]\n"
		       "set style fill solid 0.85 border rgb '#404040'\nset boxwidth 0.2\n"
		       "set key below horizontal\n",
		x_pos - 0.2);
	fputs("plot 'latency.dat' using 1:(NaN):xtic(2) notitle", x->gp);
	for (k = 0; k < SB_ARRAY_SIZE(lat_keys); k++)
		fprintf(x->gp, ", \\\n     'latency.dat' using ($1%+.1f):%zu with boxes "
			       "lc rgb '%s' title '%s'",
			-0.3 + 0.2 * (double)k, k + 3, lat_colors[k], lat_names[k]);
	fputc('\n', x->gp);
	add_image(x, "latency");
out:
	if (f && ret)
		fclose(f);
	free(scratch);
	return ret;
}

/* ------------------------------------------------------------ comparison */

struct cmp_side {
	struct five f;
	double *v;
};

static void write_five_row(FILE *f, double xp, const struct sb_rcell *c, const struct five *v)
{
	fprintf(f, "%g ", xp);
	dat_str(f, cell_label(c));
	fprintf(f, " %.6g %.6g %.6g %.6g %.6g %zu\n", v->min, v->p25, v->med, v->p75, v->max,
		v->n);
}

static int plot_cmp_metric(struct ctx *x, const struct sb_metric *m)
{
	const struct sb_resset *sides[2] = { x->base, x->set };
	const char *colors[2] = { COLOR_BASE, COLOR_NEW };
	const double off[2] = { -0.2, 0.2 };
	char name[64], dat[80], sdat[96], t1[512], t2[512], why[160];
	struct cmp_side *cs = NULL;
	size_t i, s, nplot = 0, first_len = 0, prev_tgt = 0;
	double xp, lo = INFINITY, hi = 0;
	FILE *f = NULL, *sf = NULL;
	const char *unit;
	double scale;
	int ret;

	snprintf(name, sizeof(name), "cmp-%s", m->name);
	snprintf(dat, sizeof(dat), "%s.dat", name);
	snprintf(sdat, sizeof(sdat), "%s-samples.dat", name);
	scale = metric_scale(m, &unit);
	cs = calloc(x->ncells * 2, sizeof(*cs));
	if (!cs)
		return sb_why_err(x->err, x->errlen, -ENOMEM, "out of memory");
	ret = open_out(x, dat, &f);
	if (ret)
		goto out;
	ret = open_out(x, sdat, &sf);
	if (ret)
		goto out;
	snprintf(t1, sizeof(t1), "%s per cell, %s: %s; base vs new", m->name, unit, m->what);
	dat_header(x, f, t1);
	dat_header(x, sf, t1);
	note_base_only(x, f);
	for (i = 0; i < x->ncells; i++) {
		const struct pcell *p = &x->cells[i];
		const struct sb_rcell *c[2] = { p->bc, p->c };

		if (!p->bc) {
			note_left_out(f, p->c, x->base->label, "only in new");
			continue;
		}
		if (!note_cell(f, x->base, p->bc) || !note_cell(f, x->set, p->c))
			continue;
		for (s = 0; s < 2; s++) {
			ret = values_of(sides[s], c[s], m, scale, &cs[2 * i + s].f, &cs[2 * i + s].v);
			if (ret) {
				sb_why(x->err, x->errlen, "out of memory");
				goto out;
			}
		}
		if (!cs[2 * i].f.n || !cs[2 * i + 1].f.n) {
			snprintf(why, sizeof(why), "no %s in the samples of %s", m->name,
				 cs[2 * i].f.n ? "new" : cs[2 * i + 1].f.n ? "base" : "either");
			note_left_out(f, p->c, NULL, why);
			cs[2 * i].f.n = cs[2 * i + 1].f.n = 0;
			continue;
		}
		if (!nplot)
			first_len = strlen(cell_label(p->c));
		nplot++;
		for (s = 0; s < 2; s++) {
			lo = fmin(lo, cs[2 * i + s].f.med);
			hi = fmax(hi, cs[2 * i + s].f.med);
		}
	}
	fprintf(f, "# columns: 1 x (the cell; base is drawn at x%+.1f, new at x%+.1f), 2 cell, "
		   "3 min, 4 p25, 5 median, 6 p75, 7 max (%s), 8 samples\n",
		off[0], off[1], unit);
	fprintf(sf, "# every sample: 1 x (the cell), 2 jitter (added to x and the side's "
		    "offset), 3 value (%s)\n", unit);
	for (s = 0; s < 2; s++) {
		fprintf(f, "%s# index %zu: %s ", s ? "\n\n" : "", s, s ? "new" : "base");
		comment_str(f, sides[s]->label);
		fputc('\n', f);
		fprintf(sf, "%s# index %zu: %s ", s ? "\n\n" : "", s, s ? "new" : "base");
		comment_str(sf, sides[s]->label);
		fputc('\n', sf);
		for (i = 0, xp = 0; i < x->ncells; i++) {
			const struct cmp_side *v = &cs[2 * i + s];

			if (!v->f.n)
				continue;
			if (xp > 0 && x->cells[i].tgt != prev_tgt)
				xp += 0.5; /* a gap between targets */
			prev_tgt = x->cells[i].tgt;
			write_five_row(f, xp, s ? x->cells[i].c : x->cells[i].bc, &v->f);
			for (size_t j = 0; j < v->f.n; j++)
				fprintf(sf, "%g %.4f %.6g\n", xp, jitter(j, 0.09), v->v[j]);
			xp += 1;
		}
	}
	ret = close_out(x, dat, f);
	f = NULL;
	if (!ret)
		ret = close_out(x, sdat, sf);
	sf = NULL;
	if (ret)
		goto out;
	if (!nplot) {
		snprintf(why, sizeof(why), "no cell has %s on both sides", m->name);
		add_skipped(x, name, why);
		goto out;
	}

	snprintf(t1, sizeof(t1), "%s, %s: %s; box p25..p75, whiskers min..max, black line "
		 "the median, dots the samples", m->name, unit, m->what);
	snprintf(t2, sizeof(t2), "base %s (kernel %s) vs new %s (kernel %s)", x->base->label,
		 x->bkern, x->set->label, x->kern);
	gp_begin(x, name, width_for(nplot, 56), t1, t2);
	gp_lmargin(x, first_len);
	/* medians that span more than 10x: log scale, so every cell's spread shows */
	if (lo > 0 && hi / lo > 10)
		fprintf(x->gp, "set logscale y\nset mytics 10\nset grid mytics lc rgb '#eeeeee'\n"
			       "set format y '%%g'\nset ylabel '%s (log scale)'\n", unit);
	else
		fprintf(x->gp, "set ylabel '%s'\n", unit);
	fprintf(x->gp, "set xrange [-0.7:%g]\n"
		       "set style fill solid 0.45 border\nset boxwidth 0.3 absolute\n"
		       "set key below horizontal\n",
		xp - 0.3);
	fprintf(x->gp, "plot '%s' index 0 using 1:(NaN):xtic(2) notitle", dat);
	for (s = 0; s < 2; s++) {
		fprintf(x->gp, ", \\\n     '%s' index %zu using ($1%+.1f):4:3:7:6 with candlesticks "
			       "whiskerbars lc rgb '%s' lw 1.5 title ", dat, s, off[s], colors[s]);
		gp_str(x->gp, sides[s]->label);
		fprintf(x->gp, ", \\\n     '%s' index %zu using ($1%+.1f):5:5:5:5 with candlesticks "
			       "lc rgb 'black' lw 2.5 notitle", dat, s, off[s]);
		fprintf(x->gp, ", \\\n     '%s' index %zu using ($1%+.1f+$2):3 with points pt 7 "
			       "ps 0.45 lc rgb '%s' %s", sdat, s, off[s], COLOR_SAMPLES,
			s ? "title 'samples'" : "notitle");
	}
	fputc('\n', x->gp);
	add_image(x, name);
out:
	if (f)
		fclose(f);
	if (sf)
		fclose(sf);
	for (i = 0; cs && i < x->ncells * 2; i++)
		free(cs[i].v);
	free(cs);
	return ret;
}

/* ------------------------------------------------------------ driver */

static int cmp_pcell(const void *a, const void *b)
{
	const struct pcell *x = a, *y = b;

	if (x->tgt != y->tgt)
		return x->tgt < y->tgt ? -1 : 1;
	return (x->order > y->order) - (x->order < y->order);
}

static int collect(struct ctx *x)
{
	size_t i, t;
	const char *tg;

	x->cells = calloc(x->set->ncells ? x->set->ncells : 1, sizeof(*x->cells));
	x->targets = calloc(x->set->ncells ? x->set->ncells : 1, sizeof(*x->targets));
	if (!x->cells || !x->targets)
		return sb_why_err(x->err, x->errlen, -ENOMEM, "out of memory");
	for (i = 0; i < x->set->ncells; i++) {
		struct pcell *p = &x->cells[x->ncells++];

		p->c = &x->set->cells[i];
		p->bc = x->base ? sb_resset_find(x->base, p->c->id) : NULL;
		p->order = i;
		tg = str_or(p->c->target, "?");
		for (t = 0; t < x->ntargets; t++)
			if (!strcmp(x->targets[t], tg))
				break;
		if (t == x->ntargets)
			x->targets[x->ntargets++] = tg;
		p->tgt = t;
	}
	qsort(x->cells, x->ncells, sizeof(*x->cells), cmp_pcell);
	return 0;
}

static bool anything_to_plot(const struct ctx *x)
{
	size_t i;

	for (i = 0; i < x->ncells; i++)
		if (x->cells[i].c->ok && (!x->base || (x->cells[i].bc && x->cells[i].bc->ok)))
			return true;
	return false;
}

int sb_plot_write(const struct sb_plot_req *r, struct sb_plot_out *out, char *err, size_t errlen)
{
	struct ctx x = { .r = r, .set = r->set, .base = r->base, .out = out, .err = err,
			 .errlen = errlen };
	const struct sb_metric *m;
	size_t i;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!r->set || !r->dir)
		return sb_why_err(err, errlen, -EINVAL, "nothing to plot");
	set_kernels(r->set, x.kern, sizeof(x.kern));
	if (r->base)
		set_kernels(r->base, x.bkern, sizeof(x.bkern));
	ret = collect(&x);
	if (ret)
		goto out;
	if (!anything_to_plot(&x)) {
		if (r->base)
			ret = sb_why_err(err, errlen, -ENODATA, "nothing to plot: no cell is ok in "
					 "both %s and %s", r->base->label, r->set->label);
		else
			ret = sb_why_err(err, errlen, -ENODATA, "nothing to plot: no cell is ok in "
					 "%s", r->set->label);
		goto out;
	}
	ret = make_dir(r->dir, err, errlen);
	if (ret)
		goto out;
	ret = open_out(&x, SB_PLOT_SCRIPT, &x.gp);
	if (ret)
		goto out;
	gp_preamble(&x);
	if (r->base) {
		for (i = 0; i < SB_ARRAY_SIZE(cmp_metrics) && !ret; i++) {
			m = sb_metric_find(cmp_metrics[i]);
			if (m)
				ret = plot_cmp_metric(&x, m);
		}
		if (!ret)
			ret = plot_split(&x);
	} else {
		ret = plot_throughput(&x);
		if (!ret)
			ret = plot_split(&x);
		if (!ret)
			ret = plot_latency(&x);
	}
	fputs("\nunset output\n", x.gp);
	if (ret) {
		fclose(x.gp);
		goto out;
	}
	ret = close_out(&x, SB_PLOT_SCRIPT, x.gp);
	if (!ret && !out->nimages)
		ret = sb_why_err(err, errlen, -ENODATA, "nothing to plot: %s",
				 out->nskipped ? out->skipped[0] : "no picture has data");
out:
	free(x.cells);
	free(x.targets);
	return ret;
}

/* ------------------------------------------------------------ gnuplot */

static bool in_path(const char *name)
{
	const char *path = getenv("PATH"), *p, *e;
	char f[PATH_MAX];

	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path; ; p = e + 1) {
		size_t len;

		e = strchr(p, ':');
		len = e ? (size_t)(e - p) : strlen(p);
		if (snprintf(f, sizeof(f), "%.*s/%s", (int)len, len ? p : ".", name) <
			    (int)sizeof(f) &&
		    !access(f, X_OK))
			return true;
		if (!e)
			return false;
	}
}

/* gnuplot's error line ("plot.gp" line 12: ...), else its first non-blank line. */
static void first_error_line(const char *buf, char *out, size_t len)
{
	const char *l, *e, *pick = NULL, *pick_e = NULL;

	for (l = buf; *l; l = *e ? e + 1 : e) {
		e = strchrnul(l, '\n');
		while (l < e && (*l == ' ' || *l == '\t'))
			l++;
		if (l == e)
			continue;
		if (!pick) {
			pick = l;
			pick_e = e;
		}
		if (memmem(l, (size_t)(e - l), "\" line ", 7)) {
			pick = l;
			pick_e = e;
			break;
		}
	}
	if (!pick)
		snprintf(out, len, "no message on stderr");
	else
		snprintf(out, len, "%.*s", (int)(pick_e - pick), pick);
}

static void child_exec(const char *dir, int errfd)
{
	int nul = open("/dev/null", O_RDWR);

	if (nul >= 0) {
		dup2(nul, STDIN_FILENO);
		dup2(nul, STDOUT_FILENO);
	}
	dup2(errfd, STDERR_FILENO);
	if (chdir(dir)) {
		dprintf(STDERR_FILENO, "cd %s: %s\n", dir, strerror(errno));
		_exit(126);
	}
	execlp(GNUPLOT, GNUPLOT, SB_PLOT_SCRIPT, (char *)NULL);
	dprintf(STDERR_FILENO, "exec " GNUPLOT ": %s\n", strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

int sb_plot_render(const char *dir, const struct sb_plot_out *out, char *err, size_t errlen)
{
	char buf[4096], line[300], path[PATH_MAX];
	size_t used = 0;
	int pfd[2], status, ret = 0, left = RENDER_TIMEOUT_MS;
	uint64_t t0 = sb_now_ns();
	struct stat st;
	pid_t pid;
	ssize_t n;

	if (!in_path(GNUPLOT))
		return sb_why_err(err, errlen, -ENOENT, "gnuplot not found (install gnuplot-nox)");
	if (pipe2(pfd, O_CLOEXEC))
		return sb_why_err(err, errlen, -errno, "pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		close(pfd[0]);
		close(pfd[1]);
		return sb_why_err(err, errlen, ret, "fork: %s", strerror(-ret));
	}
	if (!pid)
		child_exec(dir, pfd[1]);
	close(pfd[1]);
	for (;;) {
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		int pr = poll(&p, 1, left);
		char drain[512];

		if (pr < 0 && errno == EINTR)
			goto again;
		if (pr <= 0) {
			ret = -ETIMEDOUT;
			break;
		}
		if (used < sizeof(buf) - 1)
			n = read(pfd[0], buf + used, sizeof(buf) - 1 - used);
		else
			n = read(pfd[0], drain, sizeof(drain));
		if (n < 0 && errno == EINTR)
			goto again;
		if (n <= 0)
			break;
		if (used < sizeof(buf) - 1)
			used += (size_t)n;
again:
		left = RENDER_TIMEOUT_MS - (int)((sb_now_ns() - t0) / 1000000);
		if (left <= 0) {
			ret = -ETIMEDOUT;
			break;
		}
	}
	buf[used] = '\0';
	close(pfd[0]);
	if (ret == -ETIMEDOUT)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return sb_why_err(err, errlen, -errno, "waitpid: %s", strerror(errno));
	if (ret == -ETIMEDOUT)
		return sb_why_err(err, errlen, ret, "gnuplot took more than %d s; stopped",
				  RENDER_TIMEOUT_MS / 1000);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return sb_why_err(err, errlen, -ENOENT, "gnuplot not found (install gnuplot-nox)");
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		first_error_line(buf, line, sizeof(line));
		if (WIFSIGNALED(status))
			return sb_why_err(err, errlen, -EIO, "gnuplot killed by signal %d: %s",
					  WTERMSIG(status), line);
		return sb_why_err(err, errlen, -EIO, "gnuplot failed (exit %d): %s",
				  WEXITSTATUS(status), line);
	}
	if (used)
		sb_dbg("plot: gnuplot said: %s", buf);
	for (size_t i = 0; i < out->nimages; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, out->images[i]);
		if (stat(path, &st) || !st.st_size)
			return sb_why_err(err, errlen, -EIO, "gnuplot exited 0 but wrote no %s",
					  path);
	}
	return 0;
}

/* ------------------------------------------------------------ helpers */

void sb_plot_default_dir(const struct sb_resset *rs, const char *sub, char *buf, size_t len)
{
	const char *slash;
	struct stat st;

	if (!stat(rs->path, &st) && S_ISDIR(st.st_mode)) {
		snprintf(buf, len, "%s/%s", rs->path, sub);
		return;
	}
	slash = strrchr(rs->path, '/');
	if (!slash)
		snprintf(buf, len, "%s", sub);
	else if (slash == rs->path)
		snprintf(buf, len, "/%s", sub);
	else
		snprintf(buf, len, "%.*s/%s", (int)(slash - rs->path), rs->path, sub);
}

int sb_plot_result_file(const char *result_path, const char *dir, char *err, size_t errlen)
{
	struct sb_resset rs = { 0 };
	struct sb_plot_out out;
	struct sb_plot_req r = { .set = &rs, .dir = dir, .format = SB_PLOT_PNG };
	char spec[PATH_MAX + 256];
	const char *end, *start;
	int ret;

	/* label the pictures with the run's directory name: results/<time>-<host>-<kernel> */
	end = strrchr(result_path, '/');
	for (start = end; start && start > result_path && start[-1] != '/'; start--)
		;
	if (start && end > start && !memchr(start, '=', (size_t)(end - start)))
		snprintf(spec, sizeof(spec), "%.*s=%s", (int)(end - start), start, result_path);
	else
		snprintf(spec, sizeof(spec), "%s", result_path);
	ret = sb_resset_load(&rs, spec, err, errlen);
	if (ret)
		return ret;
	ret = sb_plot_write(&r, &out, err, errlen);
	if (!ret)
		ret = sb_plot_render(dir, &out, err, errlen);
	sb_resset_free(&rs);
	return ret;
}
