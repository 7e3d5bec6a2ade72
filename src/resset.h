/* SPDX-License-Identifier: MIT */
/*
 * Result sets: one or more result files (splicebench.result/1) read for
 * `compare`, `gate` and `plot`, validated, and their cells merged by
 * identity (workload, target, canonical params). The metric table says,
 * for every number the comparison looks at, where it comes from, its unit,
 * which direction is better and whether it is exact.
 */
#ifndef SB_RESSET_H
#define SB_RESSET_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define SB_RESSET_MAX_FILES 256

struct sb_rfile {
	char *path;
	json_t *doc;
};

/* One cell identity across the files of a set. */
struct sb_rcell {
	char *id;	      /* "<workload> <target> <params as sorted compact JSON>" */
	const char *key;      /* cells[].key of the first file that has it (for display) */
	const char *workload; /* borrowed from that file's document */
	const char *target;
	const json_t *params;
	const json_t **cells; /* per file of the set: the cell object, or NULL when absent */
	size_t present;	      /* files that have the cell */
	size_t ok;	      /* files in which its status is "ok" */
	const char *bad_status; /* "failed" over "skipped": the worst non-ok status seen, or NULL */
	const char *bad_reason; /* its reason */
	const char *bad_file;	/* the file it came from */
};

struct sb_resset {
	char *label; /* LABEL of LABEL=PATH, else PATH */
	char *path;
	size_t nfiles;
	struct sb_rfile *files;
	size_t ncells;
	struct sb_rcell *cells; /* in first-seen order */
};

/*
 * Load @spec: "PATH" or "LABEL=PATH"; PATH a result file, or a directory
 * searched (4 levels deep, in name order) for *.json files whose schema is
 * splicebench.result/N (JSON files of another schema are ignored; one that is not valid JSON is an error). Every file must be a
 * valid result of major 1 (a cell without key, workload, target, params,
 * status or samples, a sample with a negative or non-numeric metric, ...
 * is invalid). Returns 0, or -errno with a one-line reason in @err (e.g.
 * "a.json: not valid JSON: ... (line 3)", "DIR: no result files
 * (splicebench.result) in it"). On error @rs is left empty.
 */
int sb_resset_load(struct sb_resset *rs, const char *spec, char *err, size_t errlen);
/* The same for one document in memory, named @name (the fuzzer's way in). */
int sb_resset_load_buffer(struct sb_resset *rs, const char *name, const char *buf, size_t len,
			  char *err, size_t errlen);
void sb_resset_free(struct sb_resset *rs);

/* Replace control characters (from a file's text) by '?', so a message stays one line. */
void sb_one_line(char *s);

/* A JSON number as a double; NAN for anything else (null, absent, a string). */
double sb_json_num(const json_t *v);

/* Follow a dotted path of object keys ("host.cpu.model"); NULL when a step is missing. */
const json_t *sb_json_path(const json_t *obj, const char *path);

/* The cell of @rs with @id, or NULL. */
const struct sb_rcell *sb_resset_find(const struct sb_resset *rs, const char *id);

/* Validate one parsed document; 0, or -EINVAL with the reason in @err (no path prefix). */
int sb_result_validate(const json_t *doc, char *err, size_t errlen);

enum sb_better { SB_BETTER_HIGHER, SB_BETTER_LOWER };

enum sb_assume {
	SB_ASSUME_NOTHING, /* noisy: the U test and the Hodges-Lehmann interval */
	SB_ASSUME_EXACT,   /* deterministic: any change in the worse direction counts */
};

struct sb_metric {
	const char *name; /* "bytes_per_sec" */
	const char *unit; /* "B/s" */
	const char *what; /* one line for the docs and --help */
	enum sb_better better;
	enum sb_assume assume;
	bool kpi;      /* gated by default */
	bool timing;   /* a time or a rate: only informational under tcg */
	bool ratio;    /* compared as log(new/base) (> 0 values); else as new - base (absolute) */
	bool per_cell; /* one value per file from the cell, not one per sample */
	const char *path; /* where the value is in a sample (or, per_cell, the cell): "latency_ns.p99" */
};

extern const struct sb_metric sb_metrics[];
extern const size_t sb_nmetrics;
const struct sb_metric *sb_metric_find(const char *name);
/* The metric's value in a sample (per_cell: a cell); NAN when absent or null. */
double sb_metric_get(const struct sb_metric *m, const json_t *obj);

/* A metric's values in one cell of a set, with the replicate group of each. */
struct sb_mvals {
	size_t n;
	double *v;
	unsigned int *group; /* file index * 1024 + boot (vm ab files carry samples[].boot) */
	size_t ngroups;	     /* distinct groups */
	size_t absent;	     /* samples (or files) that lacked the metric */
};

/* Collect @m over the files where @c is ok. 0, or -ENOMEM. Free with sb_mvals_free. */
int sb_rcell_values(const struct sb_resset *rs, const struct sb_rcell *c, const struct sb_metric *m,
		    struct sb_mvals *out);
/* Replace the values by the median of each group (in group order). 0 or -ENOMEM. */
int sb_mvals_group_medians(struct sb_mvals *mv);
void sb_mvals_free(struct sb_mvals *mv);

#endif
