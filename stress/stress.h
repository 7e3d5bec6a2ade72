/* SPDX-License-Identifier: MIT */
/*
 * Stressors: conformance cases, races, the soak and known-bug checks of
 * `splicebench stress`. Each family lives in stress/<family>.c and defines
 * descriptors named sb_st_<family>_<name>, listed in stress/<family>.def;
 * stress/stressors.def includes the families (order = run order and the
 * order of `splicebench stress list`).
 *
 * The harness runs every case in its own child process (its own process
 * group) under a watchdog: the child arms alarm(2) and the parent kills the
 * group with SIGKILL when the case's time is up, and reports the case as
 * failed ("killed by the watchdog after N s"). A case therefore may block,
 * spawn threads or fork; whatever it leaves behind dies with its group.
 * Each case gets a fresh private directory (c->dir) that the harness removes
 * afterwards; a case creates files only there. Socket cases run in the
 * private network namespace the harness entered (loopback only).
 *
 * A case returns SB_ST_PASS, SB_ST_FAIL or SB_ST_SKIP through sb_st_pass(),
 * sb_st_fail() or sb_st_skip(), which also record the one-line detail
 * (passed: what was observed; failed: what was expected and what happened;
 * skipped: why).
 */
#ifndef SB_STRESS_H
#define SB_STRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "sb.h"

enum sb_st_kind {
	SB_ST_CONFORM, /* one call, one documented result */
	SB_ST_RACE,    /* concurrency for c->duration seconds */
	SB_ST_SOAK,    /* the workloads, concurrently, verified */
	SB_ST_BUG,     /* a known kernel bug: "not affected" passes */
	SB_ST_SELFTEST, /* the harness's own checks (hidden unless --selftest) */
	SB_ST_NR_KINDS,
};

enum sb_st_status { SB_ST_PASS, SB_ST_FAIL, SB_ST_SKIP };

/* flags of a stressor */
#define SB_STF_ROOT 0x01      /* needs root (skipped with the reason otherwise) */
#define SB_STF_NET 0x02	      /* opens inet sockets: needs the private network namespace */
#define SB_STF_XFS 0x04	      /* needs c->xfs_dir (a suite-made xfs on a loop device) */
#define SB_STF_DANGEROUS 0x08 /* VM-only: may hang or corrupt the kernel (--dangerous or the VM) */

#define SB_ST_METRICS 8

struct sb_stressor;

/* What a case gets, and what it reports (plain data: it crosses a pipe from the child). */
struct sb_st_ctx {
	/* in */
	const struct sb_stressor *st;
	const char *dir;      /* private scratch directory of this case (tmpfs when root) */
	const char *xfs_dir;  /* SB_STF_XFS: a directory on a suite-made xfs, else NULL */
	const char *self_exe; /* this program (the soak runs `run` with it) */
	unsigned int kv;      /* SB_KV of the running kernel (or --kernel) */
	uint64_t seed;	      /* per case: the run's seed mixed with the case's index */
	double duration;      /* seconds a race or the soak runs */
	unsigned int workers; /* threads/processes a race or the soak uses */
	bool root;
	bool netns; /* in the private network namespace */

	/* out */
	int status;	     /* enum sb_st_status */
	char expected[96];   /* conformance: the expectation picked for this kernel */
	char got[96];	     /* conformance: what happened */
	char detail[512];    /* one line */
	unsigned int nmetrics;
	struct {
		char name[24];
		double value;
	} metric[SB_ST_METRICS]; /* e.g. bytes_moved, bytes_verified, blocked_cpu_ms */
};

struct sb_stressor {
	const char *id;	    /* "conform.splice.len0-bad-fds", "race.truncate-splice", ... */
	enum sb_st_kind kind;
	const char *checks; /* the kernel behaviour checked, one line */
	const char *source; /* where it is documented: man page, test, commit */
	const char *expect; /* SB_ST_CONFORM: expectation spec (stress/stexp.h), else NULL */
	unsigned int flags; /* SB_STF_* */
	double timeout;	    /* watchdog seconds; 0: 10 s, or duration + 20 s for races and soak */
	int (*fn)(struct sb_st_ctx *c);
};

#define SB_STRESSOR(family, name) extern const struct sb_stressor sb_st_##family##_##name;
#include "stressors.def"
#undef SB_STRESSOR

extern const struct sb_stressor *const sb_stressors[];
extern const size_t sb_nr_stressors;

const char *sb_st_kind_name(enum sb_st_kind k);
const char *sb_st_status_name(enum sb_st_status s);

/* Set c->status and c->detail; return the status (so `return sb_st_fail(c, ...)`). */
int sb_st_pass(struct sb_st_ctx *c, const char *fmt, ...) SB_PRINTF(2, 3);
int sb_st_fail(struct sb_st_ctx *c, const char *fmt, ...) SB_PRINTF(2, 3);
int sb_st_skip(struct sb_st_ctx *c, const char *fmt, ...) SB_PRINTF(2, 3);
/* Record a measured number for the report (at most SB_ST_METRICS; later ones are dropped). */
void sb_st_metric(struct sb_st_ctx *c, const char *name, double value);

/*
 * Conformance: compare one call's outcome with c->st->expect for c->kv.
 * @ret is the call's return value; @err its errno when @ret < 0. Fills
 * c->expected and c->got, and returns sb_st_pass() or sb_st_fail().
 */
int sb_st_check(struct sb_st_ctx *c, long ret, int err);

/* CPU time (user + system) of the calling thread, in ns. */
uint64_t sb_st_thread_cpu_ns(void);
/* Write a scratch file of @len bytes of pattern @seed under c->dir; returns an fd opened @flags, or -1. */
int sb_st_make_file(struct sb_st_ctx *c, const char *name, uint64_t len, int flags, mode_t mode);

#endif
