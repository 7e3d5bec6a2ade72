/* SPDX-License-Identifier: MIT */
/*
 * Expectation specs of the conformance cases (pure, unit-tested).
 *
 * A spec is a list of entries separated by spaces, in increasing kernel
 * version order; each entry may start with "X.Y.Z:" (the first version it
 * applies to; none means 0.0.0) and lists one or more outcomes joined by
 * '|'. An outcome is an errno name ("EINVAL"), "=N" (the call returns N),
 * "N..M" (returns N to M), ">0" or ">=0". The entry for a kernel is the last
 * one whose version is not above it. Examples:
 *
 *   "EBADF"                       every kernel
 *   "4.10.0:EINVAL"               from 4.10 on; kernels before: not pinned
 *   "0.0.0:>0 6.5.0:EINVAL 6.7.0:>0"
 *   "5.10.0:>0|EINVAL"            either, not pinned further
 *
 * A kernel older than the first entry has no expectation: the case is
 * skipped ("no expectation for kernel X").
 */
#ifndef SB_STEXP_H
#define SB_STEXP_H

#include <stdbool.h>
#include <stddef.h>

#define SB_STEXP_MAX_OUT 4

struct sb_stexp_out {
	enum { SB_OUT_ERRNO, SB_OUT_RANGE } type;
	int err;	/* SB_OUT_ERRNO */
	long lo, hi;	/* SB_OUT_RANGE: lo <= ret <= hi */
};

struct sb_stexp {
	unsigned int since; /* SB_KV of this entry's first version */
	unsigned int until; /* SB_KV of the next entry's, or 0 for none */
	unsigned int nout;
	struct sb_stexp_out out[SB_STEXP_MAX_OUT];
};

/*
 * Pick the entry of @spec for kernel @kv. Returns 1 when found, 0 when the
 * kernel predates every entry, or -EINVAL for a malformed spec (reason in @why).
 */
int sb_stexp_pick(const char *spec, unsigned int kv, struct sb_stexp *out, char *why,
		  size_t why_len);
/* Check a whole spec (every entry, versions increasing): 0 or -EINVAL with @why. */
int sb_stexp_validate(const char *spec, char *why, size_t why_len);
/* Whether a call that returned @ret (errno @err when @ret < 0) meets @e. */
bool sb_stexp_match(const struct sb_stexp *e, long ret, int err);
/* "EINVAL (kernel >= 4.10.0)", ">0 or EINVAL (kernels 6.5.0 to 6.7.0)", "EBADF". */
void sb_stexp_str(const struct sb_stexp *e, char *buf, size_t len);
/* "EBADF" or "4096" (what a call did). */
void sb_stexp_got(long ret, int err, char *buf, size_t len);
/* errno <-> name ("EBADF"); -1 / NULL when unknown. */
int sb_errno_from_name(const char *name);
const char *sb_errno_name(int err);

#endif
