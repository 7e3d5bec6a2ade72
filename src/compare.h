/* SPDX-License-Identifier: MIT */
/*
 * compare and gate: two result sets in, one comparison document out
 * ("schema": "splicebench.compare/1", docs/compare.md), rendered as text,
 * markdown, JSON or JUnit XML. The decision (verdicts, exit code) is made
 * here, the rendering only reads the document.
 */
#ifndef SB_COMPARE_H
#define SB_COMPARE_H

#include <jansson.h>
#include <stdio.h>

#include "resset.h"

#define SB_COMPARE_SCHEMA "splicebench.compare/1"

enum sb_env_policy { SB_ENV_ERROR, SB_ENV_WARN, SB_ENV_IGNORE };

/* What a noisy metric's test counts as one value (docs/compare.md#method). */
enum sb_unit {
	SB_UNIT_AUTO,	 /* run medians with >= 2 runs per side; one run: shown, not gated */
	SB_UNIT_RUNS,	 /* run medians always */
	SB_UNIT_SAMPLES, /* the samples, pooled over runs */
};

struct sb_cmp_settings {
	double alpha;	   /* significance level of the U test (after Holm for gated metrics) */
	double confidence; /* of the Hodges-Lehmann interval and the medians' intervals */
	double threshold;  /* relative (0.05 = 5%); absolute metrics: the difference itself */
	double noisy_rcv;  /* NOISY above this robust CV (0.10) */
	double outlier_z;  /* robust z-score that flags an outlier (3.5) */
	enum sb_env_policy env;
	enum sb_unit unit;
	bool strict;	    /* NOISY and INSUFFICIENT gated metrics are trouble */
	bool insufficient_is_trouble; /* gate: an INSUFFICIENT gated metric is trouble even without strict */
	bool allow_missing; /* cells in only one set are listed, not trouble */
	bool no_fail;	    /* compare --no-fail: a regression exits 0 (the verdict still says it) */
	const char *const *gated; /* metric names, NULL-terminated; NULL: the table's KPIs */
	const char *command;	  /* "compare" or "gate" (recorded) */
};

/*
 * Compare @base with @new. Returns the document (with "exit_code" 0, 1 or 2
 * and the reasons of trouble in "trouble"), or NULL when out of memory.
 */
json_t *sb_compare(const struct sb_resset *base, const struct sb_resset *new,
		   const struct sb_cmp_settings *s);

enum sb_cmp_format { SB_CMP_TEXT, SB_CMP_MARKDOWN, SB_CMP_JSON, SB_CMP_JUNIT };

/* Render @doc; @all: every row (text and markdown show the gated and the changed ones otherwise). */
void sb_compare_render(const json_t *doc, enum sb_cmp_format fmt, bool all, FILE *out);

/* "12.5 GiB/s", "850ns", "0.0593 s/GiB", "2 calls" for a metric's unit. */
void sb_format_metric(const char *unit, double v, char *buf, size_t len);

#endif
