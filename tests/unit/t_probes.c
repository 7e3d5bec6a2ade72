// SPDX-License-Identifier: MIT
/*
 * Attach-point selection per kernel, from fixtures of the functions each
 * kernel has (tests/data/kfuncs/: 6.1, 6.12 and 6.18 extracted from real BTF,
 * 4.8, 5.10, 6.4 and 6.5 derived from the reference's source readings).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probes.h"
#include "tap.h"

struct fixture {
	char names[64][48];
	size_t n;
};

static bool has(const void *ctx, const char *name)
{
	const struct fixture *f = ctx;

	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->names[i], name))
			return true;
	return false;
}

static bool has_all_tp(const void *ctx, const char *ev)
{
	(void)ctx;
	(void)ev;
	return true;
}

static void load(const char *version, struct fixture *f)
{
	char path[512], line[128];
	const char *top = getenv("SB_TOP");
	FILE *in;

	snprintf(path, sizeof(path), "%s/tests/data/kfuncs/%s.txt", top ? top : ".", version);
	in = fopen(path, "r");
	if (!in)
		tap_bail("cannot open %s (run from the top of the tree or set SB_TOP)", path);
	f->n = 0;
	while (fgets(line, sizeof(line), in) && f->n < 64) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] && line[0] != '#')
			snprintf(f->names[f->n++], sizeof(f->names[0]), "%s", line);
	}
	fclose(in);
}

static const struct sb_probe_choice *find(const struct sb_probe_choice *c, const char *name)
{
	for (size_t i = 0; i < sb_nr_probe_defs; i++)
		if (!strcmp(c[i].def->name, name))
			return &c[i];
	tap_bail("no probe %s in the table", name);
}

/* choose for @version with fentry available; returns the choices */
static struct sb_probe_choice *choose(const char *version, struct fixture *f, bool fentry,
				      bool kprobe)
{
	static struct sb_probe_choice out[64];
	struct sb_kernel_caps caps = {
		.kv = sb_kv_parse(version),
		.btf_has = has,
		.ksym_has = has,
		.tp_has = has_all_tp,
		.ctx = f,
		.fentry_ok = fentry,
		.kprobe_ok = kprobe,
		.tp_ok = true,
	};

	if (sb_nr_probe_defs > SB_ARRAY_SIZE(out))
		tap_bail("probe table larger than the test's buffer");
	snprintf(caps.fentry_why, sizeof(caps.fentry_why), "fentry load: Operation not permitted");
	snprintf(caps.kprobe_why, sizeof(caps.kprobe_why), "no kprobe PMU");
	load(version, f);
	sb_probes_choose(&caps, out);
	return out;
}

static void expect(const struct sb_probe_choice *c, const char *probe, enum sb_tier tier,
		   const char *func, const char *why_has, const char *kernel)
{
	const struct sb_probe_choice *p = find(c, probe);

	is_str(sb_tier_name(p->tier), sb_tier_name(tier), "%s: %s -> %s", kernel, probe,
	       sb_tier_name(tier));
	if (func)
		is_str(p->func, func, "%s: %s attaches to %s", kernel, probe, func);
	if (why_has)
		ok(strstr(p->why, why_has) != NULL, "%s: %s says why: %s", kernel, probe, p->why);
}

int main(void)
{
	struct fixture f;
	struct sb_probe_choice *c;

	is_int(sb_kv_parse("6.1.72-1-cloud-amd64"), SB_KV(6, 1, 72), "kv of 6.1.72");
	is_int(sb_kv_parse("6.18.44-fc-v595"), SB_KV(6, 18, 44), "kv of 6.18.44");
	is_int(sb_kv_parse("garbage"), 0, "kv of garbage is 0");
	is_int(sb_kv_of_uname("6.1.0-56-cloud-amd64",
			      "#1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2 (2026-11-16)"),
	       SB_KV(6, 1, 192), "Debian: the upstream version from uname -v");
	is_int(sb_kv_of_uname("6.18.44-fc-v595", "#1 SMP PREEMPT_DYNAMIC"), SB_KV(6, 18, 44),
	       "no Debian version: the release");
	ok(SB_KV(6, 1, 72) > SB_KV(6, 1, 71) && SB_KV(6, 2, 0) > SB_KV(6, 1, 255),
	   "versions order by x.y.z (stable backports are gated on the patch level)");
	is_str(sb_kernel_era(SB_KV(4, 8, 15)), "<=4.8", "era of 4.8");
	is_str(sb_kernel_era(SB_KV(6, 4, 6)), "4.9-6.4", "era of 6.4: ITER_PIPE");
	is_str(sb_kernel_era(SB_KV(6, 5, 0)), "6.5+", "era of 6.5");

	c = choose("4.8.15", &f, true, true);
	expect(c, "generic_file_splice_read", SB_TIER_NONE, NULL, "used in 4.9-6.4", "4.8");
	expect(c, "add_to_pipe", SB_TIER_NONE, NULL, "used in 4.9+", "4.8");
	expect(c, "pipe_read", SB_TIER_FENTRY, "pipe_read", NULL, "4.8");
	expect(c, "do_tee", SB_TIER_NONE, NULL, "absent, or inlined", "4.8");

	c = choose("5.10.7", &f, true, true);
	expect(c, "generic_file_splice_read", SB_TIER_FENTRY, "generic_file_splice_read", NULL,
	       "5.10");
	expect(c, "filemap_splice_read", SB_TIER_NONE, NULL, "used in 6.5+", "5.10");
	expect(c, "filemap_read", SB_TIER_NONE, NULL, "not in this kernel's BTF", "5.10");
	expect(c, "iomap_dio_rw", SB_TIER_FENTRY, "iomap_dio_rw", NULL, "5.10");

	c = choose("6.1.192", &f, true, true);
	expect(c, "generic_file_splice_read", SB_TIER_FENTRY, "generic_file_splice_read", NULL,
	       "6.1");
	expect(c, "copy_splice_read", SB_TIER_NONE, NULL, "used in 6.5+", "6.1");
	expect(c, "pipe_read", SB_TIER_FENTRY, "pipe_read", NULL, "6.1");
	expect(c, "remap_file_range", SB_TIER_NONE, NULL, "module xfs", "6.1");
	expect(c, "iomap:iomap_dio_complete", SB_TIER_NONE, NULL, "used in 6.4+", "6.1");
	expect(c, "syscalls:sys_exit_splice", SB_TIER_TRACEPOINT, NULL, NULL, "6.1");
	expect(c, "syscalls:sys_exit_sendto", SB_TIER_TRACEPOINT, NULL, NULL, "6.1 (send)");
	expect(c, "syscalls:sys_exit_recvfrom", SB_TIER_TRACEPOINT, NULL, NULL, "6.1 (recv)");

	c = choose("6.4.6", &f, true, true);
	expect(c, "filemap_splice_read", SB_TIER_NONE, NULL, "used in 6.5+", "6.4");
	expect(c, "generic_file_splice_read", SB_TIER_FENTRY, "generic_file_splice_read", NULL,
	       "6.4");

	c = choose("6.5.0", &f, true, true);
	expect(c, "filemap_splice_read", SB_TIER_FENTRY, "filemap_splice_read", NULL, "6.5");
	expect(c, "copy_splice_read", SB_TIER_FENTRY, "copy_splice_read", NULL, "6.5");
	expect(c, "generic_file_splice_read", SB_TIER_NONE, NULL, "used in 4.9-6.4", "6.5");

	c = choose("6.12.117", &f, true, true);
	expect(c, "shmem_file_splice_read", SB_TIER_FENTRY, "shmem_file_splice_read", NULL,
	       "6.12");
	expect(c, "pipe_read", SB_TIER_FENTRY, "pipe_read", NULL, "6.12");
	expect(c, "pipe_write", SB_TIER_FENTRY, "pipe_write", NULL, "6.12");
	expect(c, "add_to_pipe", SB_TIER_FENTRY, "add_to_pipe", NULL, "6.12");

	c = choose("6.18.44", &f, true, true);
	expect(c, "pipe_read", SB_TIER_FENTRY, "anon_pipe_read", NULL, "6.18 (renamed)");
	expect(c, "pipe_write", SB_TIER_FENTRY, "anon_pipe_write", NULL, "6.18 (renamed)");
	expect(c, "remap_file_range", SB_TIER_FENTRY, "xfs_file_remap_range", NULL, "6.18");

	/* the 6.18 host: fentry refused, no kprobes -> tier 1 unavailable, with both reasons */
	c = choose("6.18.44", &f, false, false);
	expect(c, "filemap_splice_read", SB_TIER_NONE, NULL, "fentry load: Operation not permitted",
	       "6.18 locked down");
	expect(c, "filemap_splice_read", SB_TIER_NONE, NULL, "kprobe: no kprobe PMU",
	       "6.18 locked down");
	expect(c, "syscalls:sys_exit_splice", SB_TIER_TRACEPOINT, NULL, NULL, "6.18 locked down");
	expect(c, "syscalls:sys_exit_sendto", SB_TIER_TRACEPOINT, NULL, NULL, "6.18 locked down");

	/* with the BTF raw tracepoint the classic pairs, send and recv included, are not needed */
	{
		static struct sb_probe_choice out[64];
		struct sb_kernel_caps caps = { .kv = SB_KV(6, 18, 44), .tp_has = has_all_tp,
					       .ctx = &f, .tp_ok = true, .tp_btf_ok = true };

		sb_probes_choose(&caps, out);
		expect(out, "raw_syscalls:sys_exit", SB_TIER_TP_BTF, NULL, NULL, "6.18 tp_btf");
		expect(out, "syscalls:sys_exit_sendto", SB_TIER_NONE, NULL, "not needed",
		       "6.18 tp_btf");
		expect(out, "syscalls:sys_exit_recvfrom", SB_TIER_NONE, NULL, "not needed",
		       "6.18 tp_btf");
	}

	/* fentry refused but kprobes work: the kretprobe twin is used */
	c = choose("6.12.117", &f, false, true);
	expect(c, "filemap_splice_read", SB_TIER_KPROBE, "filemap_splice_read", NULL,
	       "6.12 without fentry");
	return tap_done();
}
