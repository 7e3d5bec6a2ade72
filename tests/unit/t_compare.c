// SPDX-License-Identifier: MIT
/*
 * The comparison's decisions on documents built here: verdicts, exact
 * metrics, the unit of replication (boots as runs), Holm's family, trouble;
 * and the result reader's validation messages.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "resset.h"
#include "tap.h"

#define MAXS 64

struct spec {
	int cells;	       /* cells, named w0, w1, ... */
	int n;		       /* samples per cell */
	int boots;	       /* 0: no boot tags; else samples spread over this many boots */
	double bps;	       /* throughput of sample 0 */
	double step;	       /* relative step between samples */
	double factor[8];      /* per cell multiplier (0 = 1) */
	double syscalls;       /* per op */
	double copy_ratio;
};

/* A minimal valid result document. */
static char *doc(const struct spec *sp)
{
	json_t *cells = json_array(), *d;
	char *s;
	int c, i;

	for (c = 0; c < sp->cells; c++) {
		json_t *samples = json_array();
		char w[16];
		double f = sp->factor[c] ? sp->factor[c] : 1;

		for (i = 0; i < sp->n; i++) {
			json_t *smp = json_pack("{s:f, s:f, s:f}", "bytes_per_sec",
						sp->bps * f * (1 + sp->step * i), "syscalls_per_op",
						sp->syscalls, "cpu_sec_per_gib", 0.05);

			if (sp->boots)
				json_object_set_new(smp, "boot", json_integer(1 + i % sp->boots));
			json_array_append_new(samples, smp);
		}
		snprintf(w, sizeof(w), "w%d", c);
		json_array_append_new(
			cells, json_pack("{s:s, s:s, s:s, s:{s:i}, s:s, s:o, s:{s:{s:f}}}", "key", w,
					 "workload", w, "target", "pipe", "params", "chunk", 65536,
					 "status", "ok", "samples", samples, "accounting", "copy_ratio",
					 "value", sp->copy_ratio));
	}
	d = json_pack("{s:s, s:{s:s}, s:{s:{s:s}}, s:o}", "schema", "splicebench.result/1", "tool",
		      "version", "0.1.0", "host", "cpu", "model", "X", "cells", cells);
	s = json_dumps(d, JSON_COMPACT);
	json_decref(d);
	return s;
}

static const struct sb_cmp_settings gate = {
	.alpha = 0.01, .confidence = 0.95, .threshold = 0.05, .noisy_rcv = 0.10,
	.outlier_z = 3.5, .insufficient_is_trouble = true, .command = "gate",
};

/* Compare two specs; returns the document (caller frees). */
static json_t *cmp(const struct spec *a, const struct spec *b, const struct sb_cmp_settings *s)
{
	struct sb_resset ra, rb;
	char err[256], *da = doc(a), *db = doc(b);
	json_t *d = NULL;

	if (sb_resset_load_buffer(&ra, "a", da, strlen(da), err, sizeof(err)))
		tap_bail("base: %s", err);
	if (sb_resset_load_buffer(&rb, "b", db, strlen(db), err, sizeof(err)))
		tap_bail("new: %s", err);
	d = sb_compare(&ra, &rb, s);
	sb_resset_free(&ra);
	sb_resset_free(&rb);
	free(da);
	free(db);
	return d;
}

static const json_t *row(const json_t *d, const char *cell, const char *metric)
{
	const json_t *r;
	size_t i;

	json_array_foreach(json_object_get(d, "rows"), i, r)
		if (!strcmp(json_string_value(json_object_get(r, "cell")), cell) &&
		    !strcmp(json_string_value(json_object_get(r, "metric")), metric))
			return r;
	return NULL;
}

static const char *verdict(const json_t *d, const char *cell, const char *metric)
{
	const char *v = json_string_value(json_object_get(row(d, cell, metric), "verdict"));

	return v ? v : "(none)";
}

static long long exit_of(const json_t *d)
{
	return json_integer_value(json_object_get(d, "exit_code"));
}

static void test_verdicts(void)
{
	struct spec a = { .cells = 1, .n = 10, .boots = 0, .bps = 1e10, .step = 0.002,
			  .syscalls = 2, .copy_ratio = 0 };
	struct spec b = a;
	struct sb_cmp_settings s = gate;
	json_t *d;

	s.unit = SB_UNIT_SAMPLES;
	d = cmp(&a, &b, &s);
	is_str(verdict(d, "w0", "bytes_per_sec"), "~", "same data: ~");
	is_str(verdict(d, "w0", "syscalls_per_op"), "=", "exact and equal: =");
	is_int(exit_of(d), 0, "same data: exit 0");
	json_decref(d);

	b.factor[0] = 0.9;
	d = cmp(&a, &b, &s);
	is_str(verdict(d, "w0", "bytes_per_sec"), "REGRESSION", "-10%%, tight: REGRESSION");
	is_double(json_real_value(json_object_get(row(d, "w0", "bytes_per_sec"), "delta_pct")),
		  -10, 1e-6, "delta -10%%");
	is_int(exit_of(d), 1, "a regression: exit 1");
	ok(strstr(json_string_value(json_object_get(d, "headline")), "-10.0% regression of w0 "
		  "bytes_per_sec") != NULL, "headline: %s",
	   json_string_value(json_object_get(d, "headline")));
	json_decref(d);

	b.factor[0] = 0.97;
	d = cmp(&a, &b, &s);
	is_str(verdict(d, "w0", "bytes_per_sec"), "SMALL", "-3%%, significant, within 5%%: SMALL");
	is_int(exit_of(d), 0, "SMALL passes");
	json_decref(d);

	b.factor[0] = 1.2;
	d = cmp(&a, &b, &s);
	is_str(verdict(d, "w0", "bytes_per_sec"), "IMPROVEMENT", "+20%%: IMPROVEMENT");
	is_int(json_integer_value(json_object_get(d, "improvements")), 1, "counted");
	json_decref(d);

	b.factor[0] = 0;
	b.syscalls = 3;
	d = cmp(&a, &b, &s);
	is_str(verdict(d, "w0", "syscalls_per_op"), "REGRESSION", "exact 2 -> 3: REGRESSION");
	is_int(exit_of(d), 1, "exit 1");
	json_decref(d);

	b.syscalls = 2;
	b.copy_ratio = 1;
	d = cmp(&a, &b, &s);
	is_str(verdict(d, "w0", "copy_ratio"), "REGRESSION", "copy_ratio 0 -> 1: REGRESSION");
	is_double(json_real_value(json_object_get(row(d, "w0", "copy_ratio"), "delta_abs")), 1, 0,
		  "delta_abs 1");
	ok(json_is_null(json_object_get(row(d, "w0", "copy_ratio"), "delta_pct")),
	   "no percentage from 0");
	json_decref(d);
	d = cmp(&b, &a, &s);
	is_str(verdict(d, "w0", "copy_ratio"), "IMPROVEMENT", "copy_ratio 1 -> 0: IMPROVEMENT");
	json_decref(d);
}

static void test_units(void)
{
	struct spec a = { .cells = 1, .n = 10, .boots = 0, .bps = 1e10, .step = 0.0005,
			  .syscalls = 2 };
	struct spec b = a;
	json_t *d;

	b.factor[0] = 0.8;
	d = cmp(&a, &b, &gate);
	ok(!json_is_true(json_object_get(row(d, "w0", "bytes_per_sec"), "gated")),
	   "auto, one run per side: throughput not gated");
	is_str(verdict(d, "w0", "bytes_per_sec"), "REGRESSION", "but its verdict is shown");
	is_int(exit_of(d), 0, "exit 0");
	json_decref(d);

	/* 50 samples over 5 boots per side: the boots' medians are tested */
	a.n = b.n = 50;
	a.boots = b.boots = 5;
	d = cmp(&a, &b, &gate);
	is_str(json_string_value(json_object_get(row(d, "w0", "bytes_per_sec"),
						 "unit_of_replication")),
	       "run medians", "5 boots: run medians");
	is_int(json_integer_value(json_object_get(json_object_get(row(d, "w0", "bytes_per_sec"),
								  "base"), "n")),
	       5, "n = 5 runs");
	is_str(verdict(d, "w0", "bytes_per_sec"), "REGRESSION", "5 runs, -20%%: REGRESSION");
	is_int(exit_of(d), 1, "exit 1");
	json_decref(d);

	/* 4 boots: 2/C(8,4) = 0.029 cannot reach 0.01 */
	a.boots = b.boots = 4;
	d = cmp(&a, &b, &gate);
	is_str(verdict(d, "w0", "bytes_per_sec"), "INSUFFICIENT", "4 runs at alpha 0.01: INSUFFICIENT");
	is_int(exit_of(d), 2, "gate: INSUFFICIENT is trouble");
	json_decref(d);
}

static void test_holm(void)
{
	struct spec a = { .cells = 3, .n = 12, .boots = 6, .bps = 1e10, .step = 0.0005,
			  .syscalls = 2 };
	struct spec b = a;
	char *notes;
	json_t *d;

	/* 3 gated tests with 6 runs: 3 x 2/C(12,6) = 0.0065 < 0.01 */
	b.factor[1] = 0.8;
	d = cmp(&a, &b, &gate);
	is_int(json_integer_value(json_object_get(json_object_get(d, "settings"), "gated_family")),
	       3, "family: three gated noisy rows");
	is_str(verdict(d, "w1", "bytes_per_sec"), "REGRESSION", "the slowed cell regresses");
	is_str(verdict(d, "w0", "bytes_per_sec"), "~", "the others do not");
	ok(json_real_value(json_object_get(row(d, "w1", "bytes_per_sec"), "p_adj")) >=
		   json_real_value(json_object_get(row(d, "w1", "bytes_per_sec"), "p")),
	   "p_adj >= p");
	json_decref(d);

	/* 5 gated tests with 6 runs: 5 x 0.00216 > 0.01 */
	a.cells = b.cells = 5;
	d = cmp(&a, &b, &gate);
	is_str(verdict(d, "w1", "bytes_per_sec"), "INSUFFICIENT", "five tests, six runs: INSUFFICIENT");
	notes = json_dumps(json_object_get(row(d, "w1", "bytes_per_sec"), "notes"), 0);
	ok(notes && strstr(notes, "need >= 7 runs per side"), "says 7 runs are needed: %s", notes);
	free(notes);
	json_decref(d);
}

static void test_reader(void)
{
	static const struct {
		const char *json, *want;
	} bad[] = {
		{ "{\"schema\": \"splicebench.result/1\", \"cells\": [", "not valid JSON" },
		{ "[1]", "not a JSON object" },
		{ "{\"schema\": \"x/1\", \"cells\": []}", "not a splicebench result (schema 'x/1')" },
		{ "{\"cells\": []}", "not a splicebench result (schema missing)" },
		{ "{\"schema\": \"splicebench.result/2\", \"cells\": []}", "this build reads" },
		{ "{\"schema\": \"splicebench.result/x\", \"cells\": []}", "bad schema" },
		{ "{\"schema\": \"splicebench.result/1\"}", "no cells array" },
		{ "{\"schema\": \"splicebench.result/1\", \"cells\": [{\"key\": \"k\"}]}",
		  "has no string 'workload'" },
		{ "{\"schema\": \"splicebench.result/1\", \"cells\": [{\"key\": \"k\", \"workload\": "
		  "\"w\", \"target\": \"t\", \"status\": \"ok\", \"params\": {}, \"samples\": []}]}",
		  "is ok but has no samples" },
		{ "{\"schema\": \"splicebench.result/1\", \"cells\": [{\"key\": \"k\", \"workload\": "
		  "\"w\", \"target\": \"t\", \"status\": \"ok\", \"params\": {}, \"samples\": "
		  "[{\"bytes_per_sec\": -1}]}]}", "bytes_per_sec is -1" },
		{ "{\"schema\": \"splicebench.result/1\", \"cells\": [{\"key\": \"k\", \"workload\": "
		  "\"w\", \"target\": \"t\", \"status\": \"ok\", \"params\": {}, \"samples\": "
		  "[{\"bytes_per_sec\": 1, \"latency_ns\": {\"p99\": \"slow\"}}]}]}",
		  "latency_ns.p99 is not a number" },
		{ "{\"schema\": \"splicebench.result/1\", \"cells\": [{\"key\": \"k\", \"workload\": "
		  "\"w\", \"target\": \"t\", \"status\": \"skipped\", \"params\": {}, \"samples\": []},"
		  "{\"key\": \"k2\", \"workload\": \"w\", \"target\": \"t\", \"status\": \"skipped\", "
		  "\"params\": {}, \"samples\": []}]}", "two cells with the same" },
		{ "{\"schema\": \"splicebench.result/1\", \"schema\": \"x\", \"cells\": []}",
		  "duplicate" },
	};
	struct sb_resset rs;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		is_int(sb_resset_load_buffer(&rs, "f.json", bad[i].json, strlen(bad[i].json), err,
					     sizeof(err)),
		       -EINVAL, "bad input %zu refused", i);
		ok(strstr(err, bad[i].want) && !strncmp(err, "f.json: ", 8) && !strchr(err, '\n'),
		   "one line naming the file: '%s' has '%s'", err, bad[i].want);
	}
	is_int(sb_resset_load(&rs, "/nonexistent/x.json", err, sizeof(err)), -ENOENT,
	       "a missing path: -ENOENT");
	ok(strstr(err, "No such file") != NULL, "says so: %s", err);
	ok(sb_metric_find("bytes_per_sec") && !sb_metric_find("speed"), "metric lookup");
}

static void test_group_medians(void)
{
	double v[] = { 5, 1, 3, 10, 20, 30, 7 };
	unsigned int g[] = { 0, 0, 0, 1, 1, 1, 2 };
	struct sb_mvals mv = { .n = 7 };

	mv.v = malloc(sizeof(v));
	mv.group = malloc(sizeof(g));
	memcpy(mv.v, v, sizeof(v));
	memcpy(mv.group, g, sizeof(g));
	is_int(sb_mvals_group_medians(&mv), 0, "group medians");
	is_int((long long)mv.n, 3, "three groups");
	ok(mv.v[0] == 3 && mv.v[1] == 20 && mv.v[2] == 7, "medians 3, 20, 7 in group order");
	sb_mvals_free(&mv);
}

int main(void)
{
	test_verdicts();
	test_units();
	test_holm();
	test_reader();
	test_group_medians();
	return tap_done();
}
