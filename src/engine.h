/* SPDX-License-Identifier: MIT */
/*
 * Running one cell: scratch files, file descriptors, the verification pass,
 * warm-up, timed samples (wall time, syscalls, CPU, perf counters, latency
 * histogram), and the cell's JSON.
 */
#ifndef SB_ENGINE_H
#define SB_ENGINE_H

#include <jansson.h>
#include <limits.h>

#include "cellacct.h"
#include "perfctr.h"
#include "run.h"
#include "scratch.h"

enum sb_cell_status {
	SB_CELL_OK,
	SB_CELL_SKIPPED,
	SB_CELL_FAILED,
	SB_CELL_INTERRUPTED, /* a signal asked us to stop; the cell is discarded */
};

struct sb_engine {
	const struct sb_run_opts *o;
	struct sb_scratch *scratch; /* NULL when no file system can be used */
	char scratch_why[256];	    /* why scratch is NULL */
	int scratch_err;	    /* and the -errno it failed with */
	struct sb_pattern pat;
	struct sb_evlist *evl;
	uint64_t clock_ns; /* cost of one clock_gettime(CLOCK_MONOTONIC), measured */
	struct sb_run_acct ra; /* copy accounting (set up by the caller) */
	struct {
		bool tried;	  /* file system created (or failed) */
		int err;
		char why[256];
		char dir[PATH_MAX];
		bool src_tried;	  /* source file written (or failed) */
		int src_err;
		char src_why[PATH_MAX + 64];
	} tgt[SB_FS_NR + 1]; /* index SB_FS_NR: --dir */
};

int sb_engine_init(struct sb_engine *e, const struct sb_run_opts *o, uint64_t seed);
void sb_engine_fini(struct sb_engine *e);

/* Run @c; returns its JSON object (new reference) and sets @st. */
json_t *sb_engine_run_cell(struct sb_engine *e, const struct sb_cell *c, enum sb_cell_status *st);

const char *sb_cell_status_name(enum sb_cell_status st);

/* Median cost of one sb_now_ns() call (pure timing, no I/O). */
uint64_t sb_clock_cost_ns(void);

#endif
