// SPDX-License-Identifier: MIT
/*
 * Result sets for compare, gate and plot: load and validate result files,
 * merge their cells by identity, pull a metric's values out of them.
 *
 * Nothing here trusts its input: a result file may be truncated, hand
 * edited, from another version or another tool. Every problem becomes
 * -EINVAL (or -errno of the file system) and one line saying which file
 * and what is wrong with it.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "resset.h"
#include "result.h"
#include "log.h"
#include "sb.h"
#include "stats.h"

#define RESULT_SCHEMA_PREFIX "splicebench.result/"
#define RESULT_MAJOR 1
#define DIR_DEPTH 4
#define GROUP_FILE_STRIDE 1024u /* group = file * stride + boot */

/*
 * The metric table. `path` is where the value sits in a sample (or in the
 * cell, for per_cell metrics). Timing metrics become informational when a
 * side ran under an emulated CPU (tcg).
 */
const struct sb_metric sb_metrics[] = {
	{ "bytes_per_sec", "B/s", "throughput: bytes moved / wall time of the sample",
	  SB_BETTER_HIGHER, SB_ASSUME_NOTHING, true, true, true, false, "bytes_per_sec" },
	{ "cpu_sec_per_gib", "s/GiB", "CPU seconds of the benchmark thread per GiB moved",
	  SB_BETTER_LOWER, SB_ASSUME_NOTHING, false, true, true, false, "cpu_sec_per_gib" },
	{ "latency_p50_ns", "ns", "median latency of one operation in the sample",
	  SB_BETTER_LOWER, SB_ASSUME_NOTHING, false, true, true, false, "latency_ns.p50" },
	{ "latency_p99_ns", "ns", "99th percentile latency of one operation in the sample",
	  SB_BETTER_LOWER, SB_ASSUME_NOTHING, false, true, true, false, "latency_ns.p99" },
	{ "syscalls_per_op", "calls", "system calls per operation (exact unless short transfers)",
	  SB_BETTER_LOWER, SB_ASSUME_EXACT, true, false, true, false, "syscalls_per_op" },
	{ "copy_ratio", "B/B", "bytes copied by the CPU per byte moved (copy accounting)",
	  SB_BETTER_LOWER, SB_ASSUME_EXACT, true, false, false, true, "accounting.copy_ratio.value" },
	{ "zero_copy_ratio", "B/B", "bytes handed over by reference per byte moved",
	  SB_BETTER_HIGHER, SB_ASSUME_EXACT, false, false, false, true,
	  "accounting.zero_copy_ratio.value" },
	{ "loss_ratio", "ratio", "UDP: datagrams lost / sent in the sample",
	  SB_BETTER_LOWER, SB_ASSUME_NOTHING, false, false, false, false, "datagrams.loss_ratio" },
};
const size_t sb_nmetrics = SB_ARRAY_SIZE(sb_metrics);

const struct sb_metric *sb_metric_find(const char *name)
{
	size_t i;

	for (i = 0; i < sb_nmetrics; i++)
		if (!strcmp(sb_metrics[i].name, name))
			return &sb_metrics[i];
	return NULL;
}

const json_t *sb_json_path(const json_t *obj, const char *path)
{
	char key[64];
	const char *dot;
	size_t len;

	while (obj && *path) {
		dot = strchr(path, '.');
		len = dot ? (size_t)(dot - path) : strlen(path);
		if (len >= sizeof(key) || !json_is_object(obj))
			return NULL;
		memcpy(key, path, len);
		key[len] = '\0';
		obj = json_object_get(obj, key);
		path += len + (dot ? 1 : 0);
	}
	return obj;
}

double sb_json_num(const json_t *v)
{
	return json_is_number(v) ? json_number_value(v) : NAN;
}

double sb_metric_get(const struct sb_metric *m, const json_t *obj)
{
	return sb_json_num(sb_json_path(obj, m->path));
}

/* ------------------------------------------------------------ validation */

static const char *str_member(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* A metric that is there must be a finite number >= 0 (or null: not measured). */
static int check_metric(const struct sb_metric *m, const json_t *obj, char *why, size_t len)
{
	const json_t *v = sb_json_path(obj, m->path);
	double d;

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_number(v))
		return sb_why_err(why, len, -EINVAL, "%s is not a number", m->path);
	d = json_number_value(v);
	if (!isfinite(d) || d < 0)
		return sb_why_err(why, len, -EINVAL, "%s is %g (must be >= 0)", m->path, d);
	return 0;
}

static int validate_cell(const json_t *cell, size_t idx, char *err, size_t errlen)
{
	static const char *const strs[] = { "key", "workload", "target", "status" };
	const json_t *samples, *s;
	const char *key, *status;
	char why[160];
	size_t i, j;

	if (!json_is_object(cell))
		return sb_why_err(err, errlen, -EINVAL, "cells[%zu] is not an object", idx);
	for (i = 0; i < SB_ARRAY_SIZE(strs); i++)
		if (!str_member(cell, strs[i]))
			return sb_why_err(err, errlen, -EINVAL, "cells[%zu] has no string '%s'", idx, strs[i]);
	key = str_member(cell, "key");
	status = str_member(cell, "status");
	if (!json_is_object(json_object_get(cell, "params")))
		return sb_why_err(err, errlen, -EINVAL, "cell %s has no params object", key);
	samples = json_object_get(cell, "samples");
	if (!json_is_array(samples))
		return sb_why_err(err, errlen, -EINVAL, "cell %s has no samples array", key);
	if (!strcmp(status, "ok") && !json_array_size(samples))
		return sb_why_err(err, errlen, -EINVAL, "cell %s is ok but has no samples", key);
	json_array_foreach(samples, i, s) {
		if (!json_is_object(s))
			return sb_why_err(err, errlen, -EINVAL, "cell %s: samples[%zu] is not an object", key, i);
		for (j = 0; j < sb_nmetrics; j++) {
			if (sb_metrics[j].per_cell)
				continue;
			if (check_metric(&sb_metrics[j], s, why, sizeof(why)))
				return sb_why_err(err, errlen, -EINVAL, "cell %s: samples[%zu]: %s", key, i, why);
		}
		if (!strcmp(status, "ok") && !json_is_number(json_object_get(s, "bytes_per_sec")))
			return sb_why_err(err, errlen, -EINVAL, "cell %s: samples[%zu] has no bytes_per_sec", key, i);
	}
	for (j = 0; j < sb_nmetrics; j++) {
		if (sb_metrics[j].per_cell && check_metric(&sb_metrics[j], cell, why, sizeof(why)))
			return sb_why_err(err, errlen, -EINVAL, "cell %s: %s", key, why);
	}
	return 0;
}

static int schema_major(const json_t *doc, long *major)
{
	const char *schema = str_member(doc, "schema");
	char *end;

	if (!schema || strncmp(schema, RESULT_SCHEMA_PREFIX, strlen(RESULT_SCHEMA_PREFIX)))
		return -ENOENT;
	errno = 0;
	*major = strtol(schema + strlen(RESULT_SCHEMA_PREFIX), &end, 10);
	if (errno || *end || end == schema + strlen(RESULT_SCHEMA_PREFIX))
		return -EINVAL;
	return 0;
}

int sb_result_validate(const json_t *doc, char *err, size_t errlen)
{
	const json_t *cells, *cell;
	const char *schema;
	long major;
	size_t i;
	int ret;

	if (!json_is_object(doc))
		return sb_why_err(err, errlen, -EINVAL, "not a JSON object");
	schema = str_member(doc, "schema");
	ret = schema_major(doc, &major);
	if (ret == -ENOENT)
		return sb_why_err(err, errlen, -EINVAL, "not a splicebench result (schema %s%s%s)",
			       schema ? "'" : "", schema ? schema : "missing", schema ? "'" : "");
	if (ret)
		return sb_why_err(err, errlen, -EINVAL, "bad schema '%s'", schema);
	if (major != RESULT_MAJOR)
		return sb_why_err(err, errlen, -EINVAL, "schema %s: this build reads %s%d only", schema,
			       RESULT_SCHEMA_PREFIX, RESULT_MAJOR);
	cells = json_object_get(doc, "cells");
	if (!json_is_array(cells))
		return sb_why_err(err, errlen, -EINVAL, "no cells array");
	json_array_foreach(cells, i, cell) {
		ret = validate_cell(cell, i, err, errlen);
		if (ret)
			return ret;
	}
	return 0;
}

/* ------------------------------------------------------------ loading */

static char *cell_id(const json_t *cell)
{
	char *params, *id = NULL;

	params = json_dumps(json_object_get(cell, "params"), JSON_COMPACT | JSON_SORT_KEYS);
	if (!params)
		return NULL;
	if (asprintf(&id, "%s %s %s", str_member(cell, "workload"), str_member(cell, "target"),
		     params) < 0)
		id = NULL;
	free(params);
	return id;
}

const struct sb_rcell *sb_resset_find(const struct sb_resset *rs, const char *id)
{
	size_t i;

	for (i = 0; i < rs->ncells; i++)
		if (!strcmp(rs->cells[i].id, id))
			return &rs->cells[i];
	return NULL;
}

static int status_rank(const char *status)
{
	if (!strcmp(status, "ok"))
		return 0;
	return strcmp(status, "failed") ? 1 : 2;
}

/* Merge the cells of file @fi (already validated) into @rs. */
static int merge_file(struct sb_resset *rs, size_t fi, char *err, size_t errlen)
{
	const json_t *cells = json_object_get(rs->files[fi].doc, "cells"), *cell;
	struct sb_rcell *c, *grown;
	const char *status;
	size_t i;
	char *id;

	json_array_foreach(cells, i, cell) {
		id = cell_id(cell);
		if (!id)
			return -ENOMEM;
		c = (struct sb_rcell *)sb_resset_find(rs, id);
		if (c && c->cells[fi]) {
			snprintf(err, errlen, "%s: two cells with the same workload, target and params (%s)",
				 rs->files[fi].path, str_member(cell, "key"));
			free(id);
			return -EINVAL;
		}
		if (!c) {
			grown = realloc(rs->cells, (rs->ncells + 1) * sizeof(*grown));
			if (!grown) {
				free(id);
				return -ENOMEM;
			}
			rs->cells = grown;
			c = &rs->cells[rs->ncells];
			memset(c, 0, sizeof(*c));
			c->cells = calloc(SB_RESSET_MAX_FILES, sizeof(*c->cells));
			if (!c->cells) {
				free(id);
				return -ENOMEM;
			}
			rs->ncells++;
			c->id = id;
			c->key = str_member(cell, "key");
			c->workload = str_member(cell, "workload");
			c->target = str_member(cell, "target");
			c->params = json_object_get(cell, "params");
		} else {
			free(id);
		}
		c->cells[fi] = cell;
		c->present++;
		status = str_member(cell, "status");
		if (!status_rank(status)) {
			c->ok++;
		} else if (!c->bad_status || status_rank(status) > status_rank(c->bad_status)) {
			c->bad_status = status;
			c->bad_reason = str_member(cell, "reason");
			c->bad_file = rs->files[fi].path;
		}
	}
	return 0;
}

/* Validate @doc (owned) and add it to @rs as file @path. */
static int add_doc(struct sb_resset *rs, const char *path, json_t *doc, char *err, size_t errlen)
{
	char why[256];
	int ret;

	ret = sb_result_validate(doc, why, sizeof(why));
	if (ret) {
		snprintf(err, errlen, "%s: %s", path, why);
		json_decref(doc);
		return ret;
	}
	if (rs->nfiles == SB_RESSET_MAX_FILES) {
		snprintf(err, errlen, "%s: more than %d result files in one set", rs->path,
			 SB_RESSET_MAX_FILES);
		json_decref(doc);
		return -E2BIG;
	}
	rs->files[rs->nfiles].doc = doc;
	rs->files[rs->nfiles].path = strdup(path);
	if (!rs->files[rs->nfiles].path) {
		json_decref(doc);
		return -ENOMEM;
	}
	rs->nfiles++;
	return merge_file(rs, rs->nfiles - 1, err, errlen);
}

static void json_err(const char *path, const json_error_t *jerr, char *err, size_t errlen)
{
	if (jerr->line <= 0)
		snprintf(err, errlen, "%s: %s", path, jerr->text);
	else
		snprintf(err, errlen, "%s: not valid JSON: %s (line %d)", path, jerr->text,
			 jerr->line);
}

/*
 * Read one file. @from_dir: a JSON file of another schema is skipped
 * (returns 1) instead of being an error; a file that is not valid JSON is
 * an error either way (a truncated run must not silently shrink a set).
 */
static int load_file(struct sb_resset *rs, const char *path, bool from_dir, char *err,
		     size_t errlen)
{
	json_error_t jerr;
	json_t *doc;
	long major;

	doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc) {
		/* in a directory too: a truncated run must not just shrink n */
		json_err(path, &jerr, err, errlen);
		return -EINVAL;
	}
	if (from_dir && schema_major(doc, &major) == -ENOENT) {
		json_decref(doc);
		return 1;
	}
	return add_doc(rs, path, doc, err, errlen);
}

static int set_init(struct sb_resset *rs, const char *label, size_t label_len, const char *path)
{
	memset(rs, 0, sizeof(*rs));
	rs->label = strndup(label, label_len);
	rs->path = strdup(path);
	rs->files = calloc(SB_RESSET_MAX_FILES, sizeof(*rs->files));
	return rs->label && rs->path && rs->files ? 0 : -ENOMEM;
}

int sb_resset_load_buffer(struct sb_resset *rs, const char *name, const char *buf, size_t len,
			  char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *doc;
	int ret;

	ret = set_init(rs, name, strlen(name), name);
	if (ret) {
		snprintf(err, errlen, "%s: out of memory", name);
		goto fail;
	}
	doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc) {
		json_err(name, &jerr, err, errlen);
		ret = -EINVAL;
		goto fail;
	}
	ret = add_doc(rs, name, doc, err, errlen);
	if (!ret)
		return 0;
fail:
	sb_one_line(err);
	sb_resset_free(rs);
	return ret;
}

static bool is_json_name(const char *name)
{
	size_t n = strlen(name);

	return n > 5 && !strcmp(name + n - 5, ".json");
}

static int load_dir(struct sb_resset *rs, const char *dir, int depth, char *err, size_t errlen)
{
	struct dirent **ents;
	char *path;
	struct stat st;
	int i, n, ret = 0;

	n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", dir, strerror(-ret));
		return ret;
	}
	for (i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;

		if (ret || name[0] == '.' || asprintf(&path, "%s/%s", dir, name) < 0)
			continue;
		if (lstat(path, &st)) {
			/* vanished while reading: not a result */
		} else if (S_ISDIR(st.st_mode) && depth < DIR_DEPTH) {
			ret = load_dir(rs, path, depth + 1, err, errlen);
		} else if (S_ISREG(st.st_mode) && is_json_name(name)) {
			ret = load_file(rs, path, true, err, errlen);
			if (ret > 0)
				ret = 0;
		}
		free(path);
	}
	for (i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	return ret;
}

/* vm ab writes a.json and b.json side by side: one set must not mix them. */
static int check_sides(const struct sb_resset *rs, char *err, size_t errlen)
{
	const char *first = NULL, *side;
	size_t i;

	for (i = 0; i < rs->nfiles; i++) {
		side = json_string_value(json_object_get(json_object_get(rs->files[i].doc, "vm_ab"),
							 "side"));
		if (!side)
			continue;
		if (first && strcmp(first, side)) {
			snprintf(err, errlen,
				 "%s: mixes side %s and side %s of `vm ab`; give a.json and b.json "
				 "as separate arguments", rs->path, first, side);
			return -EINVAL;
		}
		first = side;
	}
	return 0;
}

static void split_spec(const char *spec, const char **label, size_t *label_len, const char **path)
{
	const char *eq = strchr(spec, '=');
	struct stat st;

	*label = spec;
	*label_len = strlen(spec);
	*path = spec;
	/* LABEL=PATH unless the whole thing names an existing file (a path with '=') */
	if (!eq || eq == spec || memchr(spec, '/', (size_t)(eq - spec)) || !stat(spec, &st))
		return;
	*label_len = (size_t)(eq - spec);
	*path = eq + 1;
}

/* One line: control characters copied from a file (a key, a schema) become '?'. */
void sb_one_line(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

int sb_resset_load(struct sb_resset *rs, const char *spec, char *err, size_t errlen)
{
	const char *label, *path;
	size_t label_len;
	struct stat st;
	int ret;

	split_spec(spec, &label, &label_len, &path);
	if (set_init(rs, label, label_len, path)) {
		snprintf(err, errlen, "%s: out of memory", spec);
		ret = -ENOMEM;
		goto fail;
	}
	if (!*path) {
		snprintf(err, errlen, "%s: empty path", spec);
		ret = -EINVAL;
		goto fail;
	}
	if (stat(path, &st)) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		goto fail;
	}
	if (S_ISDIR(st.st_mode)) {
		ret = load_dir(rs, path, 1, err, errlen);
		if (!ret && !rs->nfiles) {
			snprintf(err, errlen, "%s: no result files (splicebench.result) in it", path);
			ret = -ENOENT;
		}
	} else {
		ret = load_file(rs, path, false, err, errlen);
	}
	if (!ret)
		ret = check_sides(rs, err, errlen);
	if (ret == -ENOMEM)
		snprintf(err, errlen, "%s: out of memory", path);
	if (!ret)
		return 0;
fail:
	sb_one_line(err);
	sb_resset_free(rs);
	return ret;
}

void sb_resset_free(struct sb_resset *rs)
{
	size_t i;

	for (i = 0; i < rs->ncells; i++) {
		free(rs->cells[i].id);
		free(rs->cells[i].cells);
	}
	free(rs->cells);
	for (i = 0; rs->files && i < rs->nfiles; i++) {
		json_decref(rs->files[i].doc);
		free(rs->files[i].path);
	}
	free(rs->files);
	free(rs->label);
	free(rs->path);
	memset(rs, 0, sizeof(*rs));
}

/* ------------------------------------------------------------ values */

static int mv_push(struct sb_mvals *mv, size_t *cap, double v, unsigned int group)
{
	if (mv->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		double *nv = realloc(mv->v, ncap * sizeof(*nv));
		unsigned int *ng;

		if (!nv)
			return -ENOMEM;
		mv->v = nv;
		ng = realloc(mv->group, ncap * sizeof(*ng));
		if (!ng)
			return -ENOMEM;
		mv->group = ng;
		*cap = ncap;
	}
	mv->v[mv->n] = v;
	mv->group[mv->n] = group;
	mv->n++;
	return 0;
}

static size_t count_groups(const struct sb_mvals *mv)
{
	size_t i, j, n = 0;

	for (i = 0; i < mv->n; i++) {
		for (j = 0; j < i; j++)
			if (mv->group[j] == mv->group[i])
				break;
		if (j == i)
			n++;
	}
	return n;
}

int sb_rcell_values(const struct sb_resset *rs, const struct sb_rcell *c, const struct sb_metric *m,
		    struct sb_mvals *out)
{
	const json_t *cell, *s;
	size_t fi, i, cap = 0;
	json_int_t boot;
	double v;

	memset(out, 0, sizeof(*out));
	for (fi = 0; fi < rs->nfiles; fi++) {
		cell = c->cells[fi];
		if (!cell || strcmp(str_member(cell, "status"), "ok"))
			continue;
		if (m->per_cell) {
			v = sb_metric_get(m, cell);
			if (isnan(v))
				out->absent++;
			else if (mv_push(out, &cap, v, (unsigned int)fi * GROUP_FILE_STRIDE))
				goto nomem;
			continue;
		}
		json_array_foreach(json_object_get(cell, "samples"), i, s) {
			v = sb_metric_get(m, s);
			boot = json_integer_value(json_object_get(s, "boot"));
			if (boot < 0 || boot >= (json_int_t)GROUP_FILE_STRIDE)
				boot = 0;
			if (isnan(v))
				out->absent++;
			else if (mv_push(out, &cap, v,
					 (unsigned int)fi * GROUP_FILE_STRIDE + (unsigned int)boot))
				goto nomem;
		}
	}
	out->ngroups = count_groups(out);
	return 0;
nomem:
	sb_mvals_free(out);
	return -ENOMEM;
}

int sb_mvals_group_medians(struct sb_mvals *mv)
{
	double *buf, *med;
	unsigned int *grp;
	size_t i, j, k, nb, ng = 0;

	buf = malloc((mv->n ? mv->n : 1) * sizeof(*buf));
	med = malloc((mv->n ? mv->n : 1) * sizeof(*med));
	grp = malloc((mv->n ? mv->n : 1) * sizeof(*grp));
	if (!buf || !med || !grp) {
		free(buf);
		free(med);
		free(grp);
		return -ENOMEM;
	}
	for (i = 0; i < mv->n; i++) {
		for (k = 0; k < ng; k++)
			if (grp[k] == mv->group[i])
				break;
		if (k < ng)
			continue; /* group done */
		for (nb = 0, j = i; j < mv->n; j++)
			if (mv->group[j] == mv->group[i])
				buf[nb++] = mv->v[j];
		med[ng] = sb_median(buf, nb);
		grp[ng++] = mv->group[i];
	}
	free(buf);
	free(mv->v);
	free(mv->group);
	mv->v = med;
	mv->group = grp;
	mv->n = ng;
	mv->ngroups = ng;
	return 0;
}

void sb_mvals_free(struct sb_mvals *mv)
{
	free(mv->v);
	free(mv->group);
	memset(mv, 0, sizeof(*mv));
}
