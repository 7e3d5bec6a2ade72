/* SPDX-License-Identifier: MIT */
/*
 * The copy-accounting probes: detect what the kernel allows, choose attach
 * points (src/probes.c), load and attach bpf/accounting.bpf.c, and read its
 * counters. Never fatal in "auto" mode: a probe that cannot be used says why.
 */
#ifndef SB_ACCT_H
#define SB_ACCT_H

#include <jansson.h>

#include "accounting.h"
#include "probes.h"
#include "sb.h"

enum sb_probe_mode {
	SB_PROBES_AUTO = 1, /* the best tier available, never fatal */
	SB_PROBES_OFF,	    /* no BPF at all (the oracle still runs) */
	SB_PROBES_REQUIRE,  /* fail (exit 3) when tier 1 cannot attach */
};

struct sb_acct;

/*
 * Detect, choose, load and attach. Returns 0 and an accounting handle (which
 * may have nothing attached: see sb_acct_why), or, in require mode only,
 * -errno with the reason.
 */
int sb_acct_open(enum sb_probe_mode mode, struct sb_acct **out, char *why, size_t why_len);
void sb_acct_close(struct sb_acct *a);

/* Whether any probe can be attached (it attached when tried at open). */
bool sb_acct_active(const struct sb_acct *a);

/*
 * Attach (@on) or detach the probes. They start detached: attached, every
 * counted syscall pays for them, so they are attached only while counting.
 */
int sb_acct_enable(struct sb_acct *a, bool on);
/* Why nothing is attached, or a summary of what is missing. */
const char *sb_acct_why(const struct sb_acct *a);
unsigned int sb_acct_kv(const struct sb_acct *a);

/* Whether probe @name (a probe table name) attached when tried at open. */
bool sb_acct_attached(const struct sb_acct *a, const char *name);

/*
 * Tell the programs what the cell's descriptors and files are: @fds[i] has
 * role @roles[i] (SB_ROLE_*), inode @inos[j] has role @ino_roles[j]. Replaces
 * the previous cell's.
 */
int sb_acct_set_cell(struct sb_acct *a, const int *fds, const unsigned char *roles, size_t nfds,
		     const uint64_t *inos, const unsigned char *ino_roles, size_t ninos);

/* Sum of the counters over all CPUs (read twice around a sample and subtract). */
int sb_acct_read(struct sb_acct *a, struct sb_acct_ctrs *out);

/* [{name, tier, function, attached, reason, era, measures}] */
json_t *sb_acct_probes_json(const struct sb_acct *a);

#endif
