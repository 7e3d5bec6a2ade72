/* SPDX-License-Identifier: MIT */
/*
 * The copy/reference split of one sample or cell (pure).
 *
 * Inputs: the bytes each leg moved as the benchmark counted them (exact),
 * the BPF counters when probes ran, which of them are valid (attached), the
 * path's environment (kernel, file system, O_DIRECT) and the oracle.
 *
 * Tier 1 (function probes) gives the split exactly when its counters
 * account for every byte the legs should; tier 2 (tracepoints) gives exact
 * per-leg totals, split by the expectation table ("estimate"), with the
 * classes a tracepoint measures directly marked "exact"; without BPF the
 * legs counted by the benchmark are split by the expectation table, checked
 * by the oracle ("oracle").
 */
#ifndef SB_SPLIT_H
#define SB_SPLIT_H

#include <jansson.h>

#include "expect.h"
#include "oracle.h"

#define SB_SPLIT_MAX_LEGS 8

struct sb_split_in {
	const uint64_t *io;		/* SB_NR_SYS_SLOTS bytes counted by the benchmark */
	uint64_t moved;			/* bytes through the whole path */
	const struct sb_acct_ctrs *bpf; /* NULL without BPF */
	bool sys_valid[SB_NR_SYS];	/* the syscall tracepoints of each syscall attached */
	bool ctr_valid[SB_NR_CTRS];	/* for the class counters (SB_TP_*, SB_FN_*) */
	struct sb_path_env env;
	enum sb_oracle_kind oracle_kind;
	enum sb_oracle_result oracle;	/* SB_ORACLE_NOT_APPLICABLE when not run */
};

enum sb_fidelity { SB_FID_NONE, SB_FID_EXACT, SB_FID_ESTIMATE, SB_FID_ORACLE };

struct sb_split_num {
	double value;
	bool known;
	const char *tier;     /* "harness", "function", "tracepoint", "oracle" */
	enum sb_fidelity fidelity;
	char method[200];
};

struct sb_split_leg {
	struct sb_leg leg;
	uint64_t bytes;	       /* counted by the benchmark */
	uint64_t traced;       /* counted by the syscall tracepoints (when valid) */
	bool traced_valid;
	int nparts;
	struct sb_expect_part parts[2];
};

struct sb_split {
	struct sb_split_num moved, ref, fresh, copy;
	const char *tier;      /* the tier that produced the split */
	size_t nlegs;
	struct sb_split_leg legs[SB_SPLIT_MAX_LEGS];
	int totals_match;      /* 1 yes, 0 no, -1 not checked (no tracepoints) */
	uint64_t tier1_accounted;
	uint64_t tier1_expected;
	bool tier1_tried;
	bool oracle_expected_ref;
	int oracle_agrees;     /* 1, 0, -1 not applicable */
	char warning[2][256];
	int nwarnings;
};

void sb_split_compute(const struct sb_split_in *in, struct sb_split *out);

const char *sb_fidelity_name(enum sb_fidelity f);

/* cells[].accounting (and, with @brief, the per-sample form: values only) */
json_t *sb_split_json(const struct sb_split *s, bool brief);

/* Whether the oracle's leg is expected to alias its source on this path. */
bool sb_oracle_expect_ref(enum sb_oracle_kind kind, const struct sb_path_env *env);

#endif
