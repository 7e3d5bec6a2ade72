/* SPDX-License-Identifier: MIT */
/*
 * The probe table of the copy accounting and the choice of attach points
 * for a kernel (pure: the caller says what the kernel has).
 *
 * Tier 1: function probes (fentry/fexit, else kprobe/kretprobe) at the
 * callers of lib/'s iov_iter copy helpers. Tier 2: tracepoints. A probe
 * that cannot be used on a kernel says why: not in BTF or kallsyms (absent
 * or inlined), not on the path in this kernel era, no fentry/kprobe support.
 */
#ifndef SB_PROBES_H
#define SB_PROBES_H

#include "sb.h"

#define SB_KV(a, b, c) (((a) << 16) | ((b) << 8) | (c))
#define SB_KV_MAX SB_KV(255, 255, 255)

enum sb_tier {
	SB_TIER_NONE,
	SB_TIER_FENTRY,	    /* tier 1 */
	SB_TIER_KPROBE,	    /* tier 1 */
	SB_TIER_TRACEPOINT, /* tier 2 */
	SB_TIER_TP_BTF,	    /* tier 2, BTF raw tracepoints */
};

const char *sb_tier_name(enum sb_tier t);

#define SB_PROBE_MAX_CANDIDATES 3

struct sb_probe_def {
	const char *name;	/* shown to users: the function, or category:event */
	bool function;		/* tier 1 function probe (else a tier 2 tracepoint) */
	/* function probes: kernel functions tried in order (renames), the programs */
	const char *candidates[SB_PROBE_MAX_CANDIDATES];
	const char *module;	/* the function lives in this module when built as one (xfs) */
	const char *fx_prog;	/* fexit, or fentry when fx_entry_prog is NULL and entry_only */
	const char *fx_entry_prog;
	const char *kp_prog;	/* kretprobe */
	const char *kp_entry_prog;
	/* tracepoints: "category/event" for each program (enter/exit pairs) */
	const char *events[2];
	const char *tp_progs[2];
	bool tp_btf;		/* BTF raw tracepoints (no tracefs needed) */
	bool syscall;		/* one of the classic syscalls pairs: not needed with tp_btf */
	/* the kernels where this attach point is on the benchmark's paths */
	unsigned int min_kv, max_kv;
	const char *era;	/* "6.5+", "4.9-6.4", "all" */
	const char *measures;
};

extern const struct sb_probe_def sb_probe_defs[];
extern const size_t sb_nr_probe_defs;

/* What the running kernel offers (filled by the loader, or by a test fixture). */
struct sb_kernel_caps {
	unsigned int kv; /* SB_KV of uname -r */
	/* is @func a BTF function (fentry target) / a kallsyms text symbol (kprobe target)? */
	bool (*btf_has)(const void *ctx, const char *func);
	bool (*ksym_has)(const void *ctx, const char *func);
	bool (*tp_has)(const void *ctx, const char *event); /* "category/event" */
	const void *ctx;
	bool fentry_ok;
	char fentry_why[160];
	bool kprobe_ok;
	char kprobe_why[160];
	bool tp_ok;
	char tp_why[160];
	bool tp_btf_ok;		/* BTF raw tracepoints load */
	char tp_btf_why[160];
};

struct sb_probe_choice {
	const struct sb_probe_def *def;
	enum sb_tier tier;	/* SB_TIER_NONE: not used, see why */
	const char *func;	/* chosen candidate (function probes) */
	bool attached;		/* set by the loader after attaching */
	char why[320];		/* why not used / why not attached; empty when attached */
};

/* Choose, for every probe of the table, its tier and attach point. @out has sb_nr_probe_defs. */
void sb_probes_choose(const struct sb_kernel_caps *caps, struct sb_probe_choice *out);

/* "6.1.72-..." -> SB_KV(6,1,72); 0 when unparsable. */
unsigned int sb_kv_parse(const char *release);
/*
 * The upstream version of the running kernel from uname's release and
 * version: Debian names its packages "6.1.0-56-cloud-amd64" and puts the
 * upstream stable version in the version string ("... Debian 6.1.192-2 ..."),
 * which decides stable-backport behaviour (6.1.72+ UDP splice).
 */
unsigned int sb_kv_of_uname(const char *release, const char *version);

/* The copy-path era of a kernel: "<=4.8", "4.9-6.4" (ITER_PIPE) or "6.5+". */
const char *sb_kernel_era(unsigned int kv);

#endif
