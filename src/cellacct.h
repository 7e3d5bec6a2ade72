/* SPDX-License-Identifier: MIT */
/*
 * Copy accounting for the cells of a run: which probe counters are valid,
 * the fd and inode roles of a cell, the oracle, and the JSON of the split
 * (the engine calls these around its samples).
 */
#ifndef SB_CELLACCT_H
#define SB_CELLACCT_H

#include <jansson.h>

#include "acct.h"
#include "oracle.h"
#include "split.h"
#include "workload.h"

struct sb_run_acct {
	struct sb_acct *acct;	     /* NULL: no BPF (oracle only) */
	unsigned int kv;
	bool sys_valid[SB_NR_SYS];
	bool ctr_valid[SB_NR_CTRS];
	json_t *probes;		     /* compact probe status, shared by every cell */
};

/* Which counters the attached probes make valid, for kernel @kv. */
void sb_run_acct_init(struct sb_run_acct *ra, struct sb_acct *acct, unsigned int kv);
void sb_run_acct_fini(struct sb_run_acct *ra);

struct sb_cell_acct {
	bool on;		/* counters are read for this cell's samples */
	bool in_samples;	/* the split is counted in every timed sample */
	char off_reason[160];	/* why not */
	enum sb_oracle_kind okind;
	struct sb_oracle oracle;
	struct sb_path_env env;
};

/*
 * Before a cell's samples: tell the probes the cell's descriptors and files,
 * and run the oracle in @dir (the cell's directory, NULL for pipes).
 */
void sb_cell_acct_begin(struct sb_run_acct *ra, struct sb_cell_acct *ca,
			const struct sb_workload *w, const struct sb_wl_ctx *x, const char *dir,
			const char *fs, bool direct, bool misaligned, bool verify_all);

/* Counter snapshot (all zero when accounting is off). */
void sb_cell_acct_read(struct sb_run_acct *ra, const struct sb_cell_acct *ca,
		       struct sb_acct_ctrs *out);
/* @d = @after - @before */
void sb_acct_ctrs_sub(const struct sb_acct_ctrs *after, const struct sb_acct_ctrs *before,
		      struct sb_acct_ctrs *d);
void sb_acct_ctrs_add(struct sb_acct_ctrs *sum, const struct sb_acct_ctrs *x);

/* The split of bytes counted in @io / @bpf; @brief: per-sample values only. */
json_t *sb_cell_acct_json(const struct sb_run_acct *ra, const struct sb_cell_acct *ca,
			  const uint64_t *io, const struct sb_acct_ctrs *bpf, uint64_t moved,
			  bool brief);

#endif
