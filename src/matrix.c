// SPDX-License-Identifier: MIT
/*
 * `run` options and the matrix of cells they select (no I/O besides
 * printing usage errors).
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "log.h"
#include "run.h"
#include "scratch.h"
#include "sockpeer.h"

#define OFF(f) offsetof(struct sb_run_opts, f)

static const struct sb_enum_val target_vals[] = {
	{ "tmpfs", 0 },	       { "ext4", 0 },	       { "xfs", 0 },
	{ SB_TARGET_PIPE, 0 }, { SB_TARGET_TCP, 0 }, { SB_TARGET_UDP, 0 },
	{ NULL, 0 },
};
static const struct sb_enum_val fs_vals[] = {
	{ "tmpfs", 0 }, { "ext4", 0 }, { "xfs", 0 }, { NULL, 0 },
};
static const struct sb_enum_val sink_vals[] = {
	{ "devnull", SB_SINK_DEVNULL }, { "user", SB_SINK_USER }, { "file", SB_SINK_FILE },
	{ NULL, 0 },
};
static const struct sb_enum_val fill_vals[] = {
	{ "vmsplice", SB_FILL_VMSPLICE }, { "write", SB_FILL_WRITE }, { NULL, 0 },
};
static const struct sb_enum_val onoff_vals[] = {
	{ "off", 0 }, { "on", 1 }, { NULL, 0 },
};
static const struct sb_enum_val cache_vals[] = {
	{ "warm", 0 }, { "cold", 1 }, { NULL, 0 },
};
static const struct sb_enum_val flag_vals[] = {
	{ "none", 0 },
	{ "move", SPLICE_F_MOVE },
	{ "more", SPLICE_F_MORE },
	{ "nonblock", SPLICE_F_NONBLOCK },
	{ NULL, 0 },
};
static const struct sb_enum_val probes_vals[] = {
	{ "auto", 1 }, { "off", 2 }, { "require", 3 }, { NULL, 0 },
};
static const struct sb_enum_val net_vals[] = {
	{ "lo", SB_NET_LO }, { "veth", SB_NET_VETH }, { NULL, 0 },
};
static const struct sb_enum_val direct_vals[] = {
	{ "off", SB_DSEL_OFF }, { "on", SB_DSEL_ON }, { "both", SB_DSEL_BOTH }, { NULL, 0 },
};

static const struct sb_opt run_opts[] = {
	{ .name = "workload", .short_name = 'w', .type = SB_OPT_LIST, .off = OFF(workloads),
	  .metavar = "ID[,ID...]",
	  .help = "workloads (family.variant), families (splice) or 'all' (default: all)" },
	{ .name = "target", .short_name = 't', .type = SB_OPT_LIST, .off = OFF(targets),
	  .metavar = "FS[,FS...]", .vals = target_vals,
	  .help = "file systems to create and run on; 'pipe' runs the pipe-only workloads, "
		  "'tcp' and 'udp' the socket workloads (default: all)" },
	{ .name = "net-fs", .type = SB_OPT_LIST, .off = OFF(net_fs), .metavar = "FS[,FS...]",
	  .vals = fs_vals,
	  .help = "file systems of the socket workloads' file leg (and of --sink file) "
		  "(quick: tmpfs; full: tmpfs,ext4,xfs)" },
	{ .name = "dgram-size", .type = SB_OPT_SIZE, .off = OFF(dgram_size), .metavar = "SIZE",
	  .min = SB_DGRAM_MIN, .max = SB_DGRAM_MAX,
	  .help = "UDP datagram payload, 32..65507 bytes; a smaller chunk is one datagram "
		  "(default: 8k)" },
	{ .name = "net", .type = SB_OPT_ENUM, .off = OFF(net), .metavar = "lo|veth",
	  .vals = net_vals,
	  .help = "socket traffic over the loopback of the run's private network namespace, or "
		  "over a veth pair to a second one (default: lo)" },
	{ .name = "sndbuf", .type = SB_OPT_SIZE, .off = OFF(sndbuf), .metavar = "SIZE",
	  .min = 0, .max = SB_GIB,
	  .help = "SO_SNDBUF of the sending socket (default: 0, the kernel's)" },
	{ .name = "rcvbuf", .type = SB_OPT_SIZE, .off = OFF(rcvbuf), .metavar = "SIZE",
	  .min = 0, .max = SB_GIB,
	  .help = "SO_RCVBUF of the receiving socket (default: 0, the kernel's)" },
	{ .name = "chunk", .short_name = 'c', .type = SB_OPT_SIZE_LIST, .off = OFF(chunks),
	  .metavar = "SIZE[,SIZE...]", .min = 4 * SB_KIB, .max = SB_MIB,
	  .help = "bytes moved per operation, 4k..1m (quick: 64k; full: 4k,16k,64k,256k,1m)" },
	{ .name = "duration", .short_name = 'd', .type = SB_OPT_SECONDS, .off = OFF(duration),
	  .metavar = "SECONDS", .fmin = 0.01, .fmax = 3600,
	  .help = "length of each sample (quick: 0.2; full: 1)" },
	{ .name = "bytes", .type = SB_OPT_SIZE, .off = OFF(bytes), .metavar = "SIZE",
	  .min = 0, .max = 1ULL << 50,
	  .help = "also end a sample after this many bytes (default: 0, duration only)" },
	{ .name = "samples", .short_name = 'n', .type = SB_OPT_U64, .off = OFF(samples),
	  .metavar = "N", .min = 1, .max = 1000,
	  .help = "timed samples per cell (quick: 5; full: 10)" },
	{ .name = "warmup", .type = SB_OPT_U64, .off = OFF(warmup), .metavar = "N", .min = 0,
	  .max = 100, .help = "untimed warm-up samples per cell (quick: 1; full: 2)" },
	{ .name = "verify", .type = SB_OPT_SETVAL, .off = OFF(verify), .setval = SB_VERIFY_ALL,
	  .help = "also verify every warm-up and timed sample (default: untimed verification "
		  "passes before and after the samples)" },
	{ .name = "no-verify", .type = SB_OPT_SETVAL, .off = OFF(verify), .setval = SB_VERIFY_OFF,
	  .help = "skip verification entirely" },
	{ .name = "sink", .type = SB_OPT_LIST, .off = OFF(sinks), .metavar = "SINK[,SINK...]",
	  .vals = sink_vals,
	  .help = "how pipes are drained: splice to /dev/null, read() into a buffer, or (TCP "
		  "splice.socket-to-pipe) splice into a file on --net-fs "
		  "(quick: devnull; full: devnull,user,file)" },
	{ .name = "fill", .type = SB_OPT_LIST, .off = OFF(fills), .metavar = "HOW[,HOW...]",
	  .vals = fill_vals,
	  .help = "how splice.pipe-to-file fills its pipe (quick: vmsplice; full: vmsplice,write)" },
	{ .name = "gift", .type = SB_OPT_LIST, .off = OFF(gifts), .metavar = "off,on",
	  .vals = onoff_vals, .help = "SPLICE_F_GIFT on vmsplice.user-to-pipe (default: off,on)" },
	{ .name = "direct", .type = SB_OPT_ENUM, .off = OFF(direct), .metavar = "off|on|both",
	  .vals = direct_vals,
	  .help = "O_DIRECT cells on ext4, xfs and --dir (on also adds one misaligned case) "
		  "(quick: off; full: both)" },
	{ .name = "cache", .type = SB_OPT_LIST, .off = OFF(caches), .metavar = "warm,cold",
	  .vals = cache_vals,
	  .help = "page cache state of the source file (quick: warm; full: warm,cold)" },
	{ .name = "splice-flags", .type = SB_OPT_LIST, .off = OFF(splice_flags),
	  .metavar = "FLAG[,FLAG...]", .vals = flag_vals,
	  .help = "SPLICE_F_* flags given together to every splice and tee call of a path "
		  "(vmsplice calls take nonblock only): one set per run, not an axis "
		  "(default: none)" },
	{ .name = "probes", .type = SB_OPT_ENUM, .off = OFF(probes), .metavar = "auto|off|require",
	  .vals = probes_vals,
	  .help = "copy accounting probes: the best tier available, none (the oracle still runs), "
		  "or fail (exit 3) unless function probes attach (default: auto)" },
	{ .name = "probes-in-samples", .type = SB_OPT_SETVAL, .off = OFF(probes_in_samples),
	  .setval = 1,
	  .help = "count with the probes in every timed sample (their cost lands in the "
		  "throughput) instead of in one untimed accounting sample per cell" },
	{ .name = "probes-alternate", .type = SB_OPT_SETVAL, .off = OFF(probes_alternate),
	  .setval = 1,
	  .help = "benchmark the probes: attach them in every second timed sample and report "
		  "the throughput ratio (make bench-probes)" },
	{ .name = "pipe-size", .type = SB_OPT_SIZE, .off = OFF(pipe_size), .metavar = "SIZE",
	  .min = 0, .max = 256 * SB_MIB,
	  .help = "pipe capacity set with F_SETPIPE_SZ (default: 0 = max(64k, chunk))" },
	{ .name = "file-size", .type = SB_OPT_SIZE, .off = OFF(file_size), .metavar = "SIZE",
	  .min = SB_MIB, .max = 4 * SB_GIB,
	  .help = "size of the source file; the data pattern is held in memory too (default: 64m)" },
	{ .name = "fs-size", .type = SB_OPT_SIZE, .off = OFF(fs_size), .metavar = "SIZE",
	  .min = 64 * SB_MIB, .max = 64 * SB_GIB,
	  .help = "size of each created file system (default: max(300m, 3 x file size))" },
	{ .name = "cpu", .type = SB_OPT_U64, .off = OFF(cpu), .metavar = "N", .min = 0,
	  .max = 4095, .help = "pin the benchmark to CPU N" },
	{ .name = "seed", .type = SB_OPT_U64, .off = OFF(seed), .metavar = "N", .min = 0,
	  .max = INT64_MAX, .help = "seed of the data pattern (default: from the clock, recorded)" },
	{ .name = "out", .short_name = 'o', .type = SB_OPT_STR, .off = OFF(out), .metavar = "DIR",
	  .help = "write result.json here (default: results/<UTC time>-<host>-<kernel>/)" },
	{ .name = "dir", .type = SB_OPT_STR, .off = OFF(dir), .metavar = "PATH",
	  .help = "run the file workloads in a new subdirectory of PATH instead of creating "
		  "file systems" },
	{ .name = "scratch-root", .type = SB_OPT_STR, .off = OFF(scratch_root), .metavar = "PATH",
	  .help = "where the private scratch directory is made (default: " SB_SCRATCH_DEFAULT_ROOT
		  ")" },
	{ .name = "quick", .type = SB_OPT_SETVAL, .off = OFF(preset), .setval = SB_PRESET_QUICK,
	  .help = "the quick matrix (default)" },
	{ .name = "full", .type = SB_OPT_SETVAL, .off = OFF(preset), .setval = SB_PRESET_FULL,
	  .help = "the complete matrix" },
	{ .name = "json", .type = SB_OPT_SETVAL, .off = OFF(json), .setval = 1,
	  .help = "print the result JSON on stdout instead of the table" },
	{ .name = "quiet", .short_name = 'q', .type = SB_OPT_SETVAL, .off = OFF(quiet),
	  .setval = 1, .help = "no table, progress line or warnings: only the 'results:' line "
			       "(errors still go to stderr)" },
	{ .name = "verbose", .short_name = 'v', .type = SB_OPT_COUNT, .off = OFF(verbose),
	  .help = "more diagnostics on stderr" },
	{ .name = "dry-run", .type = SB_OPT_SETVAL, .off = OFF(dry_run), .setval = 1,
	  .help = "list the cells that would run, run nothing" },
	{ .name = "plot", .type = SB_OPT_SETVAL, .off = OFF(plot), .setval = 1,
	  .help = "after writing the result, draw its pictures (splicebench plot) into "
		  "<result dir>/plots and print 'plots: DIR'; a failure (no gnuplot: install "
		  "gnuplot-nox) is a warning and does not change the exit status" },
	{ .name = "fs-device", .type = SB_OPT_STR, .off = OFF(fs_device_arg),
	  .metavar = "FS=DEV[,FS=DEV]", .flags = SB_OPTF_HIDDEN,
	  .help = "mount the ext4/xfs file system already on block device DEV instead of making "
		  "one (splicebench vm's virtio disks)" },
	{ .name = "inject-corruption", .type = SB_OPT_SETVAL, .off = OFF(inject_corruption),
	  .setval = 1, .flags = SB_OPTF_HIDDEN,
	  .help = "test hook: corrupt one received byte during the verification pass" },
	{ .name = "inject-peer-vanish", .type = SB_OPT_SETVAL, .off = OFF(inject_peer_vanish),
	  .setval = 1, .flags = SB_OPTF_HIDDEN,
	  .help = "test hook: the socket cells' peer closes its socket after the first sample" },
	{ .name = NULL },
};

const struct sb_opt_cmd sb_run_cmd = {
	.cmd = "run",
	.synopsis = "[options]",
	.summary = "Run workloads over file systems and pipes, measure, verify, write a result.",
	.details = "Each cell (workload x target x chunk x variant) gets an untimed verification\n"
		   "pass, warm-up samples, timed samples, and a second verification pass. The\n"
		   "table goes to stdout, the result file to results/ (docs/results-schema.md).\n"
		   "Exit status: 0 all cells ok or skipped, 1 a cell failed, 2 usage,\n"
		   "3 environment error, 4 every cell skipped, 128+N interrupted by signal N.\n",
	.opts = run_opts,
};

struct preset_default {
	const char *name;
	const char *quick;
	const char *full;
};

static const struct preset_default defaults[] = {
	{ "workload", "all", "all" },
	{ "target", "tmpfs,ext4,xfs,pipe,tcp,udp", "tmpfs,ext4,xfs,pipe,tcp,udp" },
	{ "net-fs", "tmpfs", "tmpfs,ext4,xfs" },
	{ "dgram-size", "8k", "8k" },
	{ "net", "lo", "lo" },
	{ "chunk", "64k", "4k,16k,64k,256k,1m" },
	{ "duration", "0.2", "1" },
	{ "samples", "5", "10" },
	{ "warmup", "1", "2" },
	{ "sink", "devnull", "devnull,user,file" },
	{ "fill", "vmsplice", "vmsplice,write" },
	{ "gift", "off,on", "off,on" },
	{ "direct", "off", "both" },
	{ "cache", "warm", "warm,cold" },
	{ "splice-flags", "none", "none" },
	{ "file-size", "64m", "64m" },
	{ "probes", "auto", "auto" },
};

static int str_index(const struct sb_enum_val *vals, const char *s)
{
	for (int i = 0; vals[i].name; i++)
		if (!strcmp(vals[i].name, s))
			return vals[i].value;
	return -1;
}

static bool list_has(const struct sb_str_list *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], s))
			return true;
	return false;
}

_Static_assert(SB_ARRAY_SIZE(((struct sb_run_opts *)NULL)->fs_device) == SB_FS_NR,
	       "one --fs-device slot per file system");

int sb_parse_fs_devices(const char *cmd, const char *arg, char *dev[SB_FS_NR])
{
	char *copy = strdup(arg), *save = NULL, *tok;
	int ret = 0;

	if (!copy)
		return sb_usage_err(cmd, "out of memory");
	for (tok = strtok_r(copy, ",", &save); tok && !ret; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		int fs;

		if (!eq || eq == tok || !eq[1] || eq[1] != '/') {
			ret = sb_usage_err(cmd, "--fs-device '%s': expected FS=/dev/NAME", tok);
			break;
		}
		*eq = '\0';
		fs = sb_fs_from_name(tok);
		if (fs != SB_FS_EXT4 && fs != SB_FS_XFS)
			ret = sb_usage_err(cmd, "--fs-device: '%s' is not ext4 or xfs", tok);
		else if (dev[fs])
			ret = sb_usage_err(cmd, "--fs-device: %s given twice", tok);
		else if (!(dev[fs] = strdup(eq + 1)))
			ret = sb_usage_err(cmd, "out of memory");
	}
	free(copy);
	return ret;
}

int sb_run_parse(int argc, char **argv, struct sb_run_opts *o)
{
	const struct sb_opt_cmd *c = &sb_run_cmd;
	uint64_t set = 0;
	char why[256];
	int pos = 0, ret;

	memset(o, 0, sizeof(*o));
	ret = sb_opts_parse(c, o, argc, argv, &pos, &set);
	if (ret)
		return ret;
	if (pos < argc)
		return sb_usage_err("run", "unexpected argument '%s'", argv[pos]);
	if (sb_opts_was_set(c, set, "quick") && sb_opts_was_set(c, set, "full"))
		return sb_usage_err("run", "--quick and --full are exclusive");
	if (sb_opts_was_set(c, set, "verify") && sb_opts_was_set(c, set, "no-verify"))
		return sb_usage_err("run", "--verify and --no-verify are exclusive");
	if (!o->preset)
		o->preset = SB_PRESET_QUICK;
	if (!o->verify)
		o->verify = SB_VERIFY_PASS;
	for (size_t i = 0; i < SB_ARRAY_SIZE(defaults); i++) {
		const struct preset_default *d = &defaults[i];

		if (sb_opts_was_set(c, set, d->name))
			continue;
		if (sb_opts_set(c, o, d->name, o->preset == SB_PRESET_FULL ? d->full : d->quick,
				why, sizeof(why)))
			return sb_usage_err("run", "internal default --%s: %s", d->name, why);
	}
	o->set = set;
	o->cpu_set = sb_opts_was_set(c, set, "cpu");
	o->seed_set = sb_opts_was_set(c, set, "seed");
	if (o->dir && sb_opts_was_set(c, set, "target")) {
		for (size_t i = 0; i < o->targets.n; i++)
			if (strcmp(o->targets.v[i], SB_TARGET_PIPE) &&
			    strcmp(o->targets.v[i], SB_TARGET_TCP) &&
			    strcmp(o->targets.v[i], SB_TARGET_UDP))
				return sb_usage_err("run",
						    "--dir and --target %s are exclusive (--dir "
						    "replaces the file systems; only 'pipe', "
						    "'tcp' and 'udp' may be added)",
						    o->targets.v[i]);
	}
	if (o->dir && o->scratch_root)
		return sb_usage_err("run", "--dir and --scratch-root are exclusive");
	if (o->fs_device_arg) {
		int err = sb_parse_fs_devices("run", o->fs_device_arg, o->fs_device);

		if (err)
			return err;
	}
	if (o->probes_alternate && o->probes_in_samples)
		return sb_usage_err("run", "--probes-alternate and --probes-in-samples are exclusive");
	if (o->probes_alternate && o->samples < 2)
		return sb_usage_err("run", "--probes-alternate needs at least 2 samples");
	if (o->inject_corruption && o->verify == SB_VERIFY_OFF)
		return sb_usage_err("run", "--inject-corruption needs verification (not --no-verify)");
	for (size_t i = 0; i < o->chunks.n; i++) {
		if (o->chunks.v[i] > o->file_size)
			return sb_usage_err("run", "--chunk %llu is larger than --file-size %llu",
					    (unsigned long long)o->chunks.v[i],
					    (unsigned long long)o->file_size);
	}
	for (size_t i = 0; i < o->splice_flags.n; i++)
		if (!strcmp(o->splice_flags.v[i], "none") && o->splice_flags.n > 1)
			return sb_usage_err("run", "--splice-flags: 'none' cannot be combined");
	if (o->pipe_size && o->pipe_size < 4 * SB_KIB)
		return sb_usage_err("run", "--pipe-size %llu: at least 4k (one page)",
				    (unsigned long long)o->pipe_size);
	if (list_has(&o->targets, SB_TARGET_UDP) && o->pipe_size) {
		uint64_t biggest = 0;

		for (size_t i = 0; i < o->chunks.n; i++)
			biggest = sb_max_u64(biggest, sb_min_u64(o->dgram_size, o->chunks.v[i]));
		if (o->pipe_size < biggest)
			return sb_usage_err("run",
					    "--pipe-size %llu is smaller than a %llu-byte datagram "
					    "(a datagram is spliced from one pipe fill)",
					    (unsigned long long)o->pipe_size,
					    (unsigned long long)biggest);
	}
	if (!o->fs_size) {
		o->fs_size = sb_max_u64(SB_XFS_MIN_IMAGE, 3 * o->file_size);
	} else if (o->fs_size < 2 * o->file_size + 16 * SB_MIB) {
		return sb_usage_err("run", "--fs-size too small for two files of --file-size "
					   "plus metadata (need at least 2 x file size + 16m)");
	}
	{
		const struct sb_str_list *lists[] = { &o->workloads, &o->targets, &o->sinks,
						      &o->fills,     &o->gifts,	  &o->caches,
						      &o->splice_flags, &o->net_fs };
		const char *names[] = { "workload", "target", "sink", "fill", "gift", "cache",
					"splice-flags", "net-fs" };

		for (size_t l = 0; l < SB_ARRAY_SIZE(lists); l++)
			for (size_t i = 0; i < lists[l]->n; i++)
				for (size_t k = 0; k < i; k++)
					if (!strcmp(lists[l]->v[i], lists[l]->v[k]))
						return sb_usage_err("run", "--%s: '%s' given twice",
								    names[l], lists[l]->v[i]);
		for (size_t i = 0; i < o->chunks.n; i++)
			for (size_t k = 0; k < i; k++)
				if (o->chunks.v[i] == o->chunks.v[k])
					return sb_usage_err("run", "--chunk: %llu given twice",
							    (unsigned long long)o->chunks.v[i]);
	}
	/* workloads: ids, families or all */
	for (size_t i = 0; i < o->workloads.n; i++) {
		const char *w = o->workloads.v[i];

		if (strcmp(w, "all") && !sb_workload_find(w) && !sb_workload_is_family(w))
			return sb_usage_err("run",
					    "unknown workload '%s' (see 'splicebench list')", w);
	}
	sb_quiet = o->quiet;
	sb_verbose = o->verbose;
	return 0;
}

void sb_run_opts_free(struct sb_run_opts *o)
{
	for (size_t i = 0; i < SB_ARRAY_SIZE(o->fs_device); i++) {
		free(o->fs_device[i]);
		o->fs_device[i] = NULL;
	}
	sb_opts_free(&sb_run_cmd, o);
}

const char *sb_direct_name(enum sb_direct d)
{
	switch (d) {
	case SB_DIRECT_ON:
		return "on";
	case SB_DIRECT_MISALIGNED:
		return "misaligned";
	default:
		return "off";
	}
}

static bool selected(const struct sb_run_opts *o, const struct sb_workload *w)
{
	return list_has(&o->workloads, "all") || list_has(&o->workloads, w->id) ||
	       list_has(&o->workloads, w->family);
}

struct cell_vec {
	struct sb_cell *v;
	size_t n;
	size_t cap;
};

static int push(struct cell_vec *cv, const struct sb_cell *c)
{
	if (cv->n == cv->cap) {
		size_t cap = cv->cap ? 2 * cv->cap : 64;
		struct sb_cell *n = realloc(cv->v, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		cv->v = n;
		cv->cap = cap;
	}
	cv->v[cv->n++] = *c;
	return 0;
}

static unsigned int flags_mask(const struct sb_run_opts *o)
{
	unsigned int m = 0;

	for (size_t i = 0; i < o->splice_flags.n; i++)
		m |= (unsigned int)str_index(flag_vals, o->splice_flags.v[i]);
	return m;
}

/* Expand the workload's own axes for one (workload, target, chunk, direct, cache). */
static int expand_axes(const struct sb_run_opts *o, struct cell_vec *cv, struct sb_cell *c)
{
	const struct sb_workload *w = c->wl;
	size_t ns = w->flags & SB_WL_AX_SINK ? o->sinks.n : 1;
	size_t nf = w->flags & SB_WL_AX_FILL ? o->fills.n : 1;
	size_t ng = w->flags & SB_WL_AX_GIFT ? o->gifts.n : 1;

	for (size_t s = 0; s < ns; s++) {
		c->sink = w->flags & SB_WL_AX_SINK ? (enum sb_sink)str_index(sink_vals, o->sinks.v[s])
						   : SB_SINK_DEVNULL;
		/* a file sink: TCP splice.socket-to-pipe, once per --net-fs */
		if (c->sink == SB_SINK_FILE) {
			if (!(w->flags & SB_WL_AX_SINK_FILE) || c->sock_type != SOCK_STREAM)
				continue;
			if (o->dir) { /* one file sink, in the --dir directory */
				c->in_dir = true;
				if (push(cv, c))
					return -ENOMEM;
				c->in_dir = false;
				continue;
			}
			for (size_t k = 0; k < o->net_fs.n; k++) {
				c->fs = sb_fs_from_name(o->net_fs.v[k]);
				if (push(cv, c))
					return -ENOMEM;
			}
			c->fs = -1;
			continue;
		}
		for (size_t f = 0; f < nf; f++) {
			c->fill = w->flags & SB_WL_AX_FILL
					  ? (enum sb_fill)str_index(fill_vals, o->fills.v[f])
					  : SB_FILL_VMSPLICE;
			for (size_t g = 0; g < ng; g++) {
				c->gift = (w->flags & SB_WL_AX_GIFT) &&
					  str_index(onoff_vals, o->gifts.v[g]) == 1;
				if (push(cv, c))
					return -ENOMEM;
			}
		}
	}
	return 0;
}

static int expand_target(const struct sb_run_opts *o, struct cell_vec *cv,
			 const struct sb_workload *w, const char *target, int fs, bool in_dir,
			 int sock_type)
{
	unsigned int fmask = flags_mask(o);

	for (size_t ci = 0; ci < o->chunks.n; ci++) {
		enum sb_direct dv[3];
		size_t nd = 0;
		bool file = w->flags & (SB_WL_SRC_FILE | SB_WL_DST_FILE);
		/*
		 * O_DIRECT and cold-cache cells on block file systems (and any --dir
		 * file system); tmpfs pages are the file itself and cannot be dropped.
		 */
		bool can_direct = file && !sock_type && (in_dir || fs == SB_FS_EXT4 || fs == SB_FS_XFS);

		if (!can_direct || o->direct != SB_DSEL_ON)
			dv[nd++] = SB_DIRECT_OFF;
		if (can_direct && o->direct != SB_DSEL_OFF) {
			dv[nd++] = SB_DIRECT_ON;
			if (w->flags & SB_WL_MISALIGNED)
				dv[nd++] = SB_DIRECT_MISALIGNED;
		}
		for (size_t d = 0; d < nd; d++) {
			size_t ncache = (w->flags & SB_WL_SRC_FILE) && can_direct ? o->caches.n : 1;

			for (size_t k = 0; k < ncache; k++) {
				struct sb_cell c = { 0 };

				c.wl = w;
				snprintf(c.target, sizeof(c.target), "%s", target);
				c.fs = fs;
				c.in_dir = in_dir;
				c.sock_type = sock_type;
				c.veth = sock_type && o->net == SB_NET_VETH;
				c.chunk = o->chunks.v[ci];
				c.direct = dv[d];
				c.cold = (w->flags & SB_WL_SRC_FILE) && can_direct &&
					 str_index(cache_vals, o->caches.v[k]) == 1;
				/* cold cache and O_DIRECT: the page cache is not used */
				if (c.cold && c.direct != SB_DIRECT_OFF)
					continue;
				c.splice_flags = (w->flags & SB_WL_AX_FLAGS) ? fmask : 0;
				if (expand_axes(o, cv, &c))
					return -ENOMEM;
			}
		}
	}
	return 0;
}

/* Socket workloads: per protocol target, and per --net-fs when they read a file. */
static int expand_socket(const struct sb_run_opts *o, struct cell_vec *cv,
			 const struct sb_workload *w)
{
	static const struct {
		const char *target;
		int type;
	} protos[] = { { SB_TARGET_TCP, SOCK_STREAM }, { SB_TARGET_UDP, SOCK_DGRAM } };
	int err = 0;

	for (size_t p = 0; !err && p < SB_ARRAY_SIZE(protos); p++) {
		if (!list_has(&o->targets, protos[p].target))
			continue;
		/* without a file leg, or with --dir: the file leg is in the --dir directory */
		if (!(w->flags & SB_WL_SRC_FILE) || o->dir) {
			err = expand_target(o, cv, w, protos[p].target, -1,
					    o->dir && (w->flags & SB_WL_SRC_FILE), protos[p].type);
			continue;
		}
		for (size_t k = 0; !err && k < o->net_fs.n; k++)
			err = expand_target(o, cv, w, protos[p].target,
					    sb_fs_from_name(o->net_fs.v[k]), false, protos[p].type);
	}
	return err;
}

uint64_t sb_cell_dgram(const struct sb_cell *c, const struct sb_run_opts *o)
{
	return sb_min_u64(o->dgram_size, c->chunk);
}

bool sb_cell_has_dst(const struct sb_cell *c)
{
	return (c->wl->flags & SB_WL_DST_FILE) || c->sink == SB_SINK_FILE;
}

bool sb_cell_uses_files(const struct sb_cell *c)
{
	return (c->wl->flags & SB_WL_SRC_FILE) || sb_cell_has_dst(c);
}

int sb_matrix_build(const struct sb_run_opts *o, const char *dir_fstype, struct sb_cell **cells,
		    size_t *nr)
{
	struct cell_vec cv = { 0 };
	size_t i;
	const struct sb_workload *w;
	int err = 0;

	sb_for_each_workload(i, w) {
		if (!selected(o, w))
			continue;
		if (w->flags & SB_WL_PIPE_ONLY) {
			if (list_has(&o->targets, SB_TARGET_PIPE))
				err = expand_target(o, &cv, w, SB_TARGET_PIPE, -1, false, 0);
		} else if (w->flags & SB_WL_SOCKET) {
			err = expand_socket(o, &cv, w);
		} else if (o->dir) {
			err = expand_target(o, &cv, w, dir_fstype ? dir_fstype : "dir", -1, true, 0);
		} else {
			for (size_t t = 0; !err && t < o->targets.n; t++) {
				int fs = sb_fs_from_name(o->targets.v[t]);

				if (fs >= 0)
					err = expand_target(o, &cv, w, o->targets.v[t], fs, false,
							    0);
			}
		}
		if (err) {
			free(cv.v);
			sb_err("run: out of memory building the matrix");
			return SB_EXIT_ENV;
		}
	}
	if (!cv.n) {
		free(cv.v);
		return sb_usage_err("run", "no cells selected: pipe-only workloads (vmsplice.*, "
					   "tee.*) run on target 'pipe', socket workloads (*-socket, "
					   "socket-*) on tcp and udp, file workloads on tmpfs, ext4, "
					   "xfs or --dir");
	}
	*cells = cv.v;
	*nr = cv.n;
	return 0;
}

void sb_cell_variant(const struct sb_cell *c, char *buf, size_t len)
{
	size_t used = 0;

#define ADD(...)                                                                                   \
	do {                                                                                       \
		if (used < len)                                                                    \
			used += (size_t)snprintf(buf + used, len - used, "%s", used ? "," : "");   \
		if (used < len)                                                                    \
			used += (size_t)snprintf(buf + used, len - used, __VA_ARGS__);             \
	} while (0)

	buf[0] = '\0';
	if (c->veth)
		ADD("veth");
	if (c->sock_type && c->fs >= 0)
		ADD("%s", sb_fs_name((enum sb_fs)c->fs));
	if (c->direct == SB_DIRECT_ON)
		ADD("direct");
	else if (c->direct == SB_DIRECT_MISALIGNED)
		ADD("direct+%d", SB_MISALIGN_BYTES);
	if (c->cold)
		ADD("cold");
	if ((c->wl->flags & SB_WL_AX_SINK) && c->sink == SB_SINK_USER)
		ADD("sink=user");
	if (c->sink == SB_SINK_FILE)
		ADD("sink=file");
	if ((c->wl->flags & SB_WL_AX_FILL) && c->fill == SB_FILL_WRITE)
		ADD("fill=write");
	if (c->gift)
		ADD("gift");
	if (c->splice_flags & SPLICE_F_MOVE)
		ADD("move");
	if (c->splice_flags & SPLICE_F_MORE)
		ADD("more");
	if (c->splice_flags & SPLICE_F_NONBLOCK)
		ADD("nonblock");
#undef ADD
	if (!buf[0])
		snprintf(buf, len, "-");
}

void sb_cell_key(const struct sb_cell *c, char *buf, size_t len)
{
	char sz[32], var[128];

	sb_format_size(c->chunk, sz, sizeof(sz));
	sb_cell_variant(c, var, sizeof(var));
	if (!strcmp(var, "-"))
		snprintf(buf, len, "%s/%s/%s", c->wl->id, c->target, sz);
	else
		snprintf(buf, len, "%s/%s/%s/%s", c->wl->id, c->target, sz, var);
}

json_t *sb_cell_params(const struct sb_cell *c, const struct sb_run_opts *o)
{
	json_t *p = json_object(), *fl;
	const struct sb_workload *w = c->wl;
	uint64_t pipe = o->pipe_size ? o->pipe_size : sb_max_u64(64 * SB_KIB, c->chunk);

	json_object_set_new(p, "chunk", json_integer((json_int_t)c->chunk));
	/* verifying every sample changes the path (sinks read) and what is timed */
	if (o->verify == SB_VERIFY_ALL)
		json_object_set_new(p, "verify", json_string("all"));
	if (c->sock_type) {
		json_object_set_new(p, "proto", json_string(c->target));
		json_object_set_new(p, "net", json_string(c->veth ? "veth" : "lo"));
		json_object_set_new(p, "fs", c->fs >= 0 ? json_string(sb_fs_name((enum sb_fs)c->fs))
					     : c->in_dir ? json_string("dir")
							 : json_null());
		if (c->sock_type == SOCK_DGRAM)
			json_object_set_new(p, "dgram_size",
					    json_integer((json_int_t)sb_cell_dgram(c, o)));
		json_object_set_new(p, "sndbuf", json_integer((json_int_t)o->sndbuf));
		json_object_set_new(p, "rcvbuf", json_integer((json_int_t)o->rcvbuf));
	}
	if (sb_cell_uses_files(c)) {
		json_object_set_new(p, "direct", json_string(sb_direct_name(c->direct)));
		if (c->direct == SB_DIRECT_MISALIGNED)
			json_object_set_new(p, "misalign_bytes", json_integer(SB_MISALIGN_BYTES));
		json_object_set_new(p, "file_size", json_integer((json_int_t)o->file_size));
	}
	if (w->flags & SB_WL_SRC_FILE)
		json_object_set_new(p, "cache", json_string(c->cold ? "cold" : "warm"));
	if (w->flags & SB_WL_AX_SINK)
		json_object_set_new(p, "sink",
				    json_string(c->sink == SB_SINK_USER   ? "user"
						: c->sink == SB_SINK_FILE ? "file"
									  : "devnull"));
	if (w->flags & SB_WL_AX_FILL)
		json_object_set_new(p, "fill",
				    json_string(c->fill == SB_FILL_WRITE ? "write" : "vmsplice"));
	if (w->flags & SB_WL_AX_GIFT)
		json_object_set_new(p, "gift", json_boolean(c->gift));
	if (w->flags & (SB_WL_PIPE | SB_WL_PIPE2))
		json_object_set_new(p, "pipe_size", json_integer((json_int_t)pipe));
	if (w->flags & SB_WL_AX_FLAGS) {
		fl = json_array();
		if (c->splice_flags & SPLICE_F_MOVE)
			json_array_append_new(fl, json_string("move"));
		if (c->splice_flags & SPLICE_F_MORE)
			json_array_append_new(fl, json_string("more"));
		if (c->splice_flags & SPLICE_F_NONBLOCK)
			json_array_append_new(fl, json_string("nonblock"));
		json_object_set_new(p, "splice_flags", fl);
	}
	return p;
}
