// SPDX-License-Identifier: MIT
/*
 * The probe table (see ../shared/reference/kernel-probe-map.md for the call
 * chains per era) and the choice of attach points.
 */
#include <stdio.h>
#include <string.h>

#include "probes.h"
#include "sysinfo.h"

#define FN(n, ...) .name = n, .function = true, .candidates = { __VA_ARGS__ }
#define PROGS(fx, kp) .fx_prog = fx, .kp_prog = kp
#define ENTRY(fx, kp) .fx_entry_prog = fx, .kp_entry_prog = kp
#define SYSCALL_TP(sys, ev, prog)                                                                  \
	{ .name = "syscalls:sys_exit_" ev, .events = { "syscalls/sys_enter_" ev, "syscalls/sys_exit_" ev }, \
	  .tp_progs = { "tp_enter_" prog, "tp_exit_" prog }, .syscall = true, .min_kv = 0,         \
	  .max_kv = SB_KV_MAX, .era = "all",                                                       \
	  .measures = "bytes returned by " sys "(2), per pair of file descriptor roles" }

const struct sb_probe_def sb_probe_defs[] = {
	/* ---- tier 1: what the kernel did with the bytes */
	{ FN("filemap_splice_read", "filemap_splice_read"),
	  PROGS("fx_filemap_splice_read", "kp_filemap_splice_read"), .min_kv = SB_KV(6, 5, 0),
	  .max_kv = SB_KV_MAX, .era = "6.5+",
	  .measures = "page-cache pages put into a pipe by reference (ext4, xfs splice reads)" },
	{ FN("shmem_file_splice_read", "shmem_file_splice_read"),
	  PROGS("fx_shmem_file_splice_read", "kp_shmem_file_splice_read"),
	  .min_kv = SB_KV(6, 5, 0), .max_kv = SB_KV_MAX, .era = "6.5+",
	  .measures = "tmpfs pages put into a pipe by reference" },
	{ FN("copy_splice_read", "copy_splice_read"),
	  PROGS("fx_copy_splice_read", "kp_copy_splice_read"),
	  ENTRY("fx_copy_splice_read_entry", "kp_copy_splice_read_entry"),
	  .min_kv = SB_KV(6, 5, 0), .max_kv = SB_KV_MAX, .era = "6.5+",
	  .measures = "splice reads into fresh pages: placed by DMA (O_DIRECT, counted through "
		      "iomap_dio_rw) or copied (the rest)" },
	{ FN("generic_file_splice_read", "generic_file_splice_read"),
	  PROGS("fx_generic_file_splice_read", "kp_generic_file_splice_read"),
	  ENTRY("fx_generic_file_splice_read_entry", "kp_generic_file_splice_read_entry"),
	  .min_kv = SB_KV(4, 9, 0), .max_kv = SB_KV(6, 4, 255), .era = "4.9-6.4",
	  .measures = "splice reads through ITER_PIPE: the new pipe slots classified by their "
		      "buffer ops (page cache: by reference; default: fresh pages)" },
	{ FN("add_to_pipe", "add_to_pipe"), PROGS("fx_add_to_pipe", "kp_add_to_pipe"),
	  .min_kv = SB_KV(4, 9, 0), .max_kv = SB_KV_MAX, .era = "4.9+",
	  .measures = "user pages put into a pipe by reference (vmsplice)" },
	{ FN("pipe_to_user", "pipe_to_user"), PROGS("fx_pipe_to_user", "kp_pipe_to_user"),
	  .min_kv = 0, .max_kv = SB_KV_MAX, .era = "all",
	  .measures = "pipe buffers copied out to user memory (vmsplice from a pipe)" },
	{ FN("do_tee", "do_tee"), PROGS("fx_do_tee", "kp_do_tee"), .min_kv = 0,
	  .max_kv = SB_KV_MAX, .era = "all",
	  .measures = "pipe buffers shared by reference (tee)" },
	{ FN("pipe_read", "anon_pipe_read", "pipe_read"), PROGS("fx_pipe_read", "kp_pipe_read"),
	  .min_kv = 0, .max_kv = SB_KV_MAX, .era = "all",
	  .measures = "read(2) from a pipe: copied to user memory" },
	{ FN("pipe_write", "anon_pipe_write", "pipe_write"),
	  PROGS("fx_pipe_write", "kp_pipe_write"), .min_kv = 0, .max_kv = SB_KV_MAX, .era = "all",
	  .measures = "write(2) into a pipe: copied from user memory" },
	{ FN("filemap_read", "filemap_read"), PROGS("fx_filemap_read", "kp_filemap_read"),
	  ENTRY("fx_filemap_read_entry", "kp_filemap_read_entry"), .min_kv = 0,
	  .max_kv = SB_KV_MAX, .era = "all",
	  .measures = "buffered reads of page-cache files (ext4, xfs), outside splice reads: "
		      "copied" },
	{ FN("shmem_file_read_iter", "shmem_file_read_iter"),
	  PROGS("fx_shmem_file_read_iter", "kp_shmem_file_read_iter"), .min_kv = 0,
	  .max_kv = SB_KV_MAX, .era = "all",
	  .measures = "tmpfs reads, outside splice reads: copied" },
	{ FN("generic_perform_write", "generic_perform_write"),
	  PROGS("fx_generic_perform_write", "kp_generic_perform_write"), .min_kv = 0,
	  .max_kv = SB_KV_MAX, .era = "all",
	  .measures = "buffered writes into the page cache (ext4, tmpfs): copied" },
	{ FN("iomap_file_buffered_write", "iomap_file_buffered_write"),
	  PROGS("fx_iomap_file_buffered_write", "kp_iomap_file_buffered_write"), .min_kv = 0,
	  .max_kv = SB_KV_MAX, .era = "all",
	  .measures = "buffered writes into the page cache (xfs): copied" },
	{ FN("iomap_dio_rw", "iomap_dio_rw"), PROGS("fx_iomap_dio_rw", "kp_iomap_dio_rw"),
	  ENTRY("fx_iomap_dio_rw_entry", "kp_iomap_dio_rw_entry"), .min_kv = SB_KV(4, 10, 0),
	  .max_kv = SB_KV_MAX, .era = "4.10+",
	  .measures = "O_DIRECT I/O (ext4, xfs): reads placed by DMA, writes read in place by "
		      "the device" },
	{ FN("remap_file_range", "xfs_file_remap_range"), .module = "xfs",
	  PROGS("fx_remap_file_range", "kp_remap_file_range"), .min_kv = 0, .max_kv = SB_KV_MAX,
	  .era = "all", .measures = "extents shared instead of data copied (xfs reflink)" },
	{ FN("iter_file_splice_write", "iter_file_splice_write"),
	  PROGS("fx_iter_file_splice_write", "kp_iter_file_splice_write"), .min_kv = 0,
	  .max_kv = SB_KV_MAX, .era = "all",
	  .measures = "splice from a pipe into a file: total (the copy is counted by the write "
		      "functions)" },

	/* ---- tier 2: tracepoints */
	{ .name = "raw_syscalls:sys_exit", .tp_btf = true, .events = { "raw_syscalls/sys_exit" },
	  .tp_progs = { "tb_sys_exit" }, .min_kv = SB_KV(5, 5, 0),
	  .max_kv = SB_KV_MAX, .era = "5.5+",
	  .measures = "bytes returned by every counted syscall, per pair of file descriptor roles "
		      "(BTF raw tracepoints: cheaper than the syscalls tracepoints below)" },
	SYSCALL_TP("splice", "splice", "splice"),
	SYSCALL_TP("vmsplice", "vmsplice", "vmsplice"),
	SYSCALL_TP("tee", "tee", "tee"),
	SYSCALL_TP("sendfile", "sendfile64", "sendfile"),
	SYSCALL_TP("copy_file_range", "copy_file_range", "cfr"),
	SYSCALL_TP("read", "read", "read"),
	SYSCALL_TP("write", "write", "write"),
	SYSCALL_TP("pread64", "pread64", "pread"),
	SYSCALL_TP("pwrite64", "pwrite64", "pwrite"),
	SYSCALL_TP("sendto", "sendto", "sendto"),
	SYSCALL_TP("recvfrom", "recvfrom", "recvfrom"),
	{ .name = "iomap:iomap_dio_complete", .events = { "iomap/iomap_dio_complete" },
	  .tp_progs = { "tp_dio_complete" }, .min_kv = SB_KV(6, 4, 0), .max_kv = SB_KV_MAX,
	  .era = "6.4+",
	  .measures = "O_DIRECT bytes completed, per file: reads placed by DMA, writes read in "
		      "place" },
	{ .name = "ext4:ext4_da_write_end", .events = { "ext4/ext4_da_write_end" },
	  .tp_progs = { "tp_ext4_da_write_end" }, .min_kv = 0, .max_kv = SB_KV_MAX, .era = "all",
	  .measures = "bytes copied into ext4's page cache (delayed allocation)" },
	{ .name = "ext4:ext4_write_end", .events = { "ext4/ext4_write_end" },
	  .tp_progs = { "tp_ext4_write_end" }, .min_kv = 0, .max_kv = SB_KV_MAX, .era = "all",
	  .measures = "bytes copied into ext4's page cache" },
	{ .name = "xfs:xfs_file_buffered_write", .events = { "xfs/xfs_file_buffered_write" },
	  .tp_progs = { "tp_xfs_buffered_write" }, .min_kv = 0, .max_kv = SB_KV_MAX,
	  .era = "all", .measures = "bytes asked to be copied into xfs's page cache" },
};

const size_t sb_nr_probe_defs = SB_ARRAY_SIZE(sb_probe_defs);

const char *sb_tier_name(enum sb_tier t)
{
	switch (t) {
	case SB_TIER_FENTRY:
		return "fentry";
	case SB_TIER_KPROBE:
		return "kprobe";
	case SB_TIER_TRACEPOINT:
		return "tracepoint";
	case SB_TIER_TP_BTF:
		return "tp_btf";
	default:
		return "none";
	}
}

unsigned int sb_kv_parse(const char *release)
{
	unsigned int a, b, c;

	if (sb_parse_kernel_release(release, &a, &b, &c) || a > 255 || b > 255)
		return 0;
	return SB_KV(a, b, c > 255 ? 255 : c);
}

unsigned int sb_kv_of_uname(const char *release, const char *version)
{
	const char *d = version ? strstr(version, " Debian ") : NULL;
	unsigned int kv = d ? sb_kv_parse(d + 8) : 0;

	return kv ? kv : sb_kv_parse(release);
}

const char *sb_kernel_era(unsigned int kv)
{
	if (kv < SB_KV(4, 9, 0))
		return "<=4.8";
	if (kv < SB_KV(6, 5, 0))
		return "4.9-6.4";
	return "6.5+";
}

static void kv_string(unsigned int kv, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u", kv >> 16, (kv >> 8) & 0xff, kv & 0xff);
}

static void choose_function(const struct sb_kernel_caps *caps, struct sb_probe_choice *c)
{
	const struct sb_probe_def *d = c->def;
	const char *in_btf = NULL, *in_ksyms = NULL;
	char names[128] = "";
	size_t used = 0;

	for (int i = 0; i < SB_PROBE_MAX_CANDIDATES && d->candidates[i]; i++) {
		const char *f = d->candidates[i];

		used += (size_t)snprintf(names + used, sizeof(names) - used, "%s%s",
					 i ? " or " : "", f);
		if (!in_btf && caps->btf_has && caps->btf_has(caps->ctx, f))
			in_btf = f;
		if (!in_ksyms && caps->ksym_has && caps->ksym_has(caps->ctx, f))
			in_ksyms = f;
	}
	if (caps->fentry_ok && in_btf) {
		c->tier = SB_TIER_FENTRY;
		c->func = in_btf;
		return;
	}
	if (caps->kprobe_ok && in_ksyms) {
		c->tier = SB_TIER_KPROBE;
		c->func = in_ksyms;
		return;
	}
	if (!caps->btf_has && !caps->ksym_has) {
		/* nothing was detected (--probes off, not root): say why, not "absent" */
		snprintf(c->why, sizeof(c->why), "%s",
			 caps->fentry_why[0] ? caps->fentry_why : "not detected");
		return;
	}
	if (!in_btf && !in_ksyms) {
		snprintf(c->why, sizeof(c->why),
			 "%s not in this kernel's BTF or kallsyms (absent, or inlined)%s%s%s", names,
			 d->module ? "; module " : "", d->module ? d->module : "",
			 d->module ? " not loaded?" : "");
		return;
	}
	snprintf(c->why, sizeof(c->why), "fentry: %s; kprobe: %s",
		 !caps->fentry_ok ? caps->fentry_why : "not in BTF",
		 !caps->kprobe_ok ? caps->kprobe_why : "not in kallsyms");
}

static void choose_tracepoint(const struct sb_kernel_caps *caps, struct sb_probe_choice *c,
			      bool have_tp_btf)
{
	const struct sb_probe_def *d = c->def;

	if (d->tp_btf) {
		if (caps->tp_btf_ok)
			c->tier = SB_TIER_TP_BTF;
		else
			snprintf(c->why, sizeof(c->why), "%s", caps->tp_btf_why);
		return;
	}
	if (d->syscall && have_tp_btf) {
		snprintf(c->why, sizeof(c->why),
			 "not needed: the raw_syscalls:sys_exit BTF tracepoint counts this syscall");
		return;
	}
	if (!caps->tp_ok) {
		snprintf(c->why, sizeof(c->why), "%s", caps->tp_why);
		return;
	}
	for (int i = 0; i < 2 && d->events[i]; i++) {
		if (!caps->tp_has || !caps->tp_has(caps->ctx, d->events[i])) {
			snprintf(c->why, sizeof(c->why), "tracepoint %s not in this kernel",
				 d->events[i]);
			return;
		}
	}
	c->tier = SB_TIER_TRACEPOINT;
}

void sb_probes_choose(const struct sb_kernel_caps *caps, struct sb_probe_choice *out)
{
	bool have_tp_btf = false;
	char kvs[32];

	kv_string(caps->kv, kvs, sizeof(kvs));
	for (size_t i = 0; i < sb_nr_probe_defs; i++) {
		struct sb_probe_choice *c = &out[i];

		memset(c, 0, sizeof(*c));
		c->def = &sb_probe_defs[i];
		if (caps->kv && (caps->kv < c->def->min_kv || caps->kv > c->def->max_kv)) {
			snprintf(c->why, sizeof(c->why),
				 "not on the benchmark's paths in this kernel (%s; used in %s)", kvs,
				 c->def->era);
			continue;
		}
		if (c->def->function)
			choose_function(caps, c);
		else
			choose_tracepoint(caps, c, have_tp_btf);
		have_tp_btf |= c->tier == SB_TIER_TP_BTF;
	}
}
