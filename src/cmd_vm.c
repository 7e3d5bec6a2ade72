// SPDX-License-Identifier: MIT
/*
 * splicebench vm: boot a kernel in qemu with an initramfs made here (the
 * static splicebench as /init, the job, the modules it needs), run
 * `splicebench run` inside, and write its result file on the host with a
 * "guest" block saying how it was obtained (docs/kernel-lab.md).
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "cmds.h"
#include "cpio.h"
#include "exec.h"
#include "frame.h"
#include "guest.h"
#include "kimage.h"
#include "log.h"
#include "opt.h"
#include "result.h"
#include "run.h"
#include "scratch.h"
#include "sysinfo.h"
#include "vm.h"
#include "vmkernel.h"
#include "xz.h"

#define RESULT_MAX (256 * SB_MIB)

struct vm_opts {
	const char *kernel;
	int accel;
	uint64_t mem_mb;
	uint64_t smp;
	double timeout;
	double boot_timeout;
	const char *out;
	const char *cache;
	const char *modules;
	const char *kconfig;
	const char *qemu;
	const char *agent;
	int debug_boot;
	int quiet;
	int verbose;
	int stress;
};

static const struct sb_enum_val accel_vals[] = {
	{ "auto", SB_ACCEL_AUTO }, { "kvm", SB_ACCEL_KVM }, { "tcg", SB_ACCEL_TCG },
	{ "icount", SB_ACCEL_ICOUNT }, { NULL, 0 },
};

#define OFF(f) offsetof(struct vm_opts, f)
static const struct sb_opt vm_opts[] = {
	{ .name = "kernel", .short_name = 'k', .type = SB_OPT_STR, .off = OFF(kernel),
	  .metavar = "PATH|PKG.deb|debian:X.Y",
	  .help = "the kernel: a bzImage, a Debian kernel package, or the newest Debian cloud "
		  "kernel X.Y from the host's apt sources (required)" },
	{ .name = "accel", .type = SB_OPT_ENUM, .off = OFF(accel), .metavar = "auto|kvm|tcg|icount",
	  .vals = accel_vals,
	  .help = "kvm: real timings; tcg: emulated, timings informational; icount: one "
		  "emulated CPU, deterministic instruction cost; auto: kvm when it can boot "
		  "this kernel, else tcg, with the reason recorded (default: auto)" },
	{ .name = "mem", .type = SB_OPT_U64, .off = OFF(mem_mb), .metavar = "MB", .min = 256,
	  .max = 65536, .help = "guest memory in MiB (default: 2048)" },
	{ .name = "smp", .type = SB_OPT_U64, .off = OFF(smp), .metavar = "N", .min = 1,
	  .max = 64, .help = "guest CPUs (default: 2; icount: always 1)" },
	{ .name = "timeout", .type = SB_OPT_SECONDS, .off = OFF(timeout), .metavar = "SECONDS",
	  .fmin = 10, .fmax = 7 * 86400,
	  .help = "stop the guest after this long (default: estimated from the matrix and "
		  "the accelerator)" },
	{ .name = "boot-timeout", .type = SB_OPT_SECONDS, .off = OFF(boot_timeout),
	  .metavar = "SECONDS", .fmin = 1, .fmax = 3600,
	  .help = "give up when the guest has not booted after this long (default: kvm 20, "
		  "tcg 60, icount 120)" },
	{ .name = "out", .short_name = 'o', .type = SB_OPT_STR, .off = OFF(out), .metavar = "DIR",
	  .help = "write result.json and console.log here (default: "
		  "results/<UTC time>-qemu-<kernel release>/)" },
	{ .name = "cache", .type = SB_OPT_STR, .off = OFF(cache), .metavar = "DIR",
	  .help = "kernel package cache (default: ~/.cache/splicebench)" },
	{ .name = "modules", .type = SB_OPT_STR, .off = OFF(modules), .metavar = "DIR",
	  .help = "module tree for a bzImage (INSTALL_MOD_PATH or lib/modules/<release>)" },
	{ .name = "kconfig", .type = SB_OPT_STR, .off = OFF(kconfig), .metavar = "PATH",
	  .help = "the bzImage's .config (decides which modules it needs and whether PVM "
		  "KVM can boot it)" },
	{ .name = "qemu", .type = SB_OPT_STR, .off = OFF(qemu), .metavar = "PATH",
	  .help = "the qemu binary (default: qemu-system-x86_64)" },
	{ .name = "agent", .type = SB_OPT_STR, .off = OFF(agent), .metavar = "PATH",
	  .help = "the static splicebench put in the initramfs (default: " SB_VM_AGENT_NAME
		  " next to this program; build it with 'make static')" },
	{ .name = "stress", .type = SB_OPT_SETVAL, .off = OFF(stress), .setval = 1,
	  .help = "run 'splicebench stress --dangerous STRESS-OPTIONS' inside instead of run "
		  "(VM-only cases included) and write its report, stress.json" },
	{ .name = "debug-boot", .type = SB_OPT_SETVAL, .off = OFF(debug_boot), .setval = 1,
	  .help = "early kernel messages on the console (to find where a boot hangs)" },
	{ .name = "quiet", .short_name = 'q', .type = SB_OPT_SETVAL, .off = OFF(quiet),
	  .setval = 1, .help = "only the 'results:' line and errors" },
	{ .name = "verbose", .short_name = 'v', .type = SB_OPT_COUNT, .off = OFF(verbose),
	  .help = "more diagnostics on stderr" },
	{ .name = NULL },
};

static const struct sb_opt_cmd vm_cmd = {
	.cmd = "vm",
	.synopsis = "--kernel SPEC [options] [-- RUN-OPTIONS]\n"
		    "       splicebench vm --kernel SPEC --stress [options] [-- STRESS-OPTIONS]\n"
		    "       splicebench vm ab --a SPEC --b SPEC [options] [-- RUN-OPTIONS]",
	.summary = "Boot a kernel in qemu, run 'splicebench run RUN-OPTIONS' inside, and write\n"
		   "its result file here, with a \"guest\" block (accelerator, kernel, qemu).",
	.details = "Writes result.json and console.log under --out; when the guest sent no result,\n"
		   "vm.json (the guest block with the reason) instead.\n"
		   "Exit status: 0 the guest run succeeded, 1 a cell failed in the guest or the\n"
		   "kernel logged a WARNING/BUG, 2 trouble (usage, qemu, boot or run timeout,\n"
		   "panic, missing or corrupt result), 3 environment (no qemu, no agent, KVM\n"
		   "asked for and unusable), 4 every cell skipped in the guest, 128+N signal N.\n",
	.opts = vm_opts,
};

/* The lab sets these run options itself. */
static const char *const lab_owned[] = { "out", "dir", "scratch-root", "fs-device", "json",
					 "dry-run" };

/* ------------------------------------------------------------ the guest's run */

struct plan {
	char **run_argv; /* "run" + RUN-OPTIONS, for sb_run_parse */
	int run_argc;
	bool fs[SB_FS_NR];
	uint64_t fs_bytes;
	size_t cells;
	double cell_s;	 /* estimated seconds per cell on real hardware */
	bool stress;	 /* --stress: run_argv is "stress" + STRESS-OPTIONS */
	double stress_s; /* their estimated seconds on real hardware */
};

/* --stress: the guest runs `splicebench stress --dangerous --json STRESS-OPTIONS`. */
static int plan_stress(int argc, char **argv, struct plan *p)
{
	bool xfs = false;
	int ret;

	memset(p, 0, sizeof(*p));
	p->run_argv = calloc((size_t)argc + 2, sizeof(char *));
	if (!p->run_argv)
		return sb_usage_err("vm", "out of memory");
	p->run_argv[0] = (char *)"stress";
	for (int i = 0; i < argc; i++)
		p->run_argv[i + 1] = argv[i];
	p->run_argc = argc + 1;
	p->stress = true;
	ret = sb_stress_vm_args(p->run_argc, p->run_argv, &p->stress_s, &xfs);
	p->fs[SB_FS_XFS] = xfs; /* bug.xfs-odirect-short: a disk, as mkfs.xfs is not in the guest */
	p->fs_bytes = SB_XFS_MIN_IMAGE;
	return ret;
}

static int plan_run(int argc, char **argv, struct plan *p)
{
	struct sb_run_opts o;
	struct sb_cell *cells = NULL;
	int ret;

	memset(p, 0, sizeof(*p));
	p->run_argv = calloc((size_t)argc + 2, sizeof(char *));
	if (!p->run_argv)
		return sb_usage_err("vm", "out of memory");
	p->run_argv[0] = (char *)"run";
	for (int i = 0; i < argc; i++)
		p->run_argv[i + 1] = argv[i];
	p->run_argc = argc + 1;
	ret = sb_run_parse(p->run_argc, p->run_argv, &o);
	if (ret == SB_OPTS_HELP)
		return sb_usage_err("vm", "--help after '--' shows run's options, not a run");
	if (ret)
		return ret;
	for (size_t i = 0; i < SB_ARRAY_SIZE(lab_owned); i++)
		if (sb_opts_was_set(&sb_run_cmd, o.set, lab_owned[i])) {
			ret = sb_usage_err("vm", "run option --%s is set by splicebench vm itself%s",
					   lab_owned[i],
					   !strcmp(lab_owned[i], "out") ? " (use vm --out)" : "");
			goto out;
		}
	ret = sb_matrix_build(&o, NULL, &cells, &p->cells);
	if (ret)
		goto out;
	for (size_t i = 0; i < p->cells; i++)
		if (cells[i].fs >= 0)
			p->fs[cells[i].fs] = true;
	p->fs_bytes = o.fs_size;
	/* warm-up, timed and accounting samples, two verification passes, setup */
	p->cell_s = (double)(o.warmup + o.samples + 1) * o.duration + 1.0 +
		    (double)o.file_size / (256.0 * SB_MIB);
	free(cells);
out:
	sb_run_opts_free(&o);
	return ret;
}

/* ------------------------------------------------------------ disks */

static int make_disk(const char *dir, enum sb_fs fs, uint64_t bytes, const char *dev,
		     const char **path_out, json_t *disks, char *why, size_t why_len)
{
	const bool xfs = fs == SB_FS_XFS;
	static char paths[SB_FS_NR][PATH_MAX];
	char *path = paths[fs];
	const char *ext4[] = { "mkfs.ext4", "-q", "-F", "-b", "4096", "-E",
			       "lazy_itable_init=0,lazy_journal_init=0", path, NULL };
	const char *xfsa[] = { "mkfs.xfs", "-q", "-f", path, NULL };
	const char *const *argv = xfs ? xfsa : ext4;
	const char *ver[] = { argv[0], "-V", NULL };
	struct sb_cmd_result r;
	char vline[160] = "";
	FILE *f;
	int err;

	if (xfs)
		bytes = sb_max_u64(bytes, SB_XFS_MIN_IMAGE);
	snprintf(path, PATH_MAX, "%s/%s.img", dir, sb_fs_name(fs));
	f = fopen(path, "wx");
	if (!f || ftruncate(fileno(f), (off_t)bytes) < 0) {
		err = -errno;
		snprintf(why, why_len, "%s: %s", path, strerror(-err));
		if (f)
			fclose(f);
		return err;
	}
	fclose(f);
	err = sb_exec(argv, &r);
	if (!err && (r.exec_err || !WIFEXITED(r.status) || WEXITSTATUS(r.status))) {
		snprintf(why, why_len, "%s %s: %s", argv[0], path,
			 r.exec_err ? strerror(r.exec_err) : r.err ? r.err : "failed");
		err = -EIO;
	}
	sb_cmd_result_free(&r);
	if (err)
		return err;
	if (sb_exec(ver, &r) == 0) {
		const char *t = r.out && *r.out ? r.out : r.err ? r.err : "";

		snprintf(vline, sizeof(vline), "%.*s", (int)strcspn(t, "\n"), t);
		sb_cmd_result_free(&r);
	}
	json_array_append_new(disks,
			      json_pack("{s:s, s:s, s:I, s:s, s:s, s:s}", "fs", sb_fs_name(fs),
					"device", dev, "image_bytes", (json_int_t)bytes, "mkfs",
					xfs ? "mkfs.xfs -q -f" : "mkfs.ext4 -q -F -b 4096 -E "
								"lazy_itable_init=0,lazy_journal_init=0",
					"mkfs_version", vline, "cache", "writeback"));
	*path_out = path;
	return 0;
}

/* ------------------------------------------------------------ initramfs */

/* The modules the guest loads, from the kernel's module tree. */
/* The modules the guest loads for the file systems @fs[] the matrix uses. */
static int guest_modules(const struct sb_vm_kernel *k, const bool *fs, json_t *log,
			 char ***paths, size_t *n, char *why, size_t why_len)
{
	static const struct {
		const char *mod, *config;
		int fs; /* needed for this file system; -1: for any disk */
	} need[] = {
		{ "virtio_pci", "VIRTIO_PCI", -1 },
		{ "virtio_blk", "VIRTIO_BLK", -1 },
		{ "ext4", "EXT4_FS", SB_FS_EXT4 },
		{ "xfs", "XFS_FS", SB_FS_XFS },
	};
	const char *names[SB_ARRAY_SIZE(need)];
	bool disks = fs[SB_FS_EXT4] || fs[SB_FS_XFS];
	size_t nn = 0;
	int err;

	*paths = NULL;
	*n = 0;
	for (size_t i = 0; i < SB_ARRAY_SIZE(need); i++) {
		const char *v = sb_vm_kconfig(k, need[i].config);

		if (need[i].fs < 0 ? !disks : !fs[need[i].fs])
			continue;
		if (v && !strcmp(v, "y")) {
			json_array_append_new(log, json_pack("{s:s, s:s}", "module", need[i].mod,
							     "status", "built in"));
			continue;
		}
		if (!k->moddir) {
			json_array_append_new(
				log, json_pack("{s:s, s:s}", "module", need[i].mod, "status",
					       k->kconfig ? "not available (no module tree: --modules)"
							  : "unknown (no config, no module tree)"));
			continue;
		}
		names[nn++] = need[i].mod;
	}
	if (!nn)
		return 0;
	err = sb_kmod_closure(k->moddir, names, nn, paths, n, why, why_len);
	if (err == -ENOENT) {
		size_t l = strlen(why);

		snprintf(why + l, why_len - l, " (leave its file system out with -- -t, or give "
			 "--modules)");
	}
	return err;
}

static int build_initramfs(const char *path, const char *agent, const struct sb_vm_kernel *k,
			   char **mods, size_t nmods, const json_t *job, char *why, size_t why_len)
{
	static const char *const dirs[] = { "dev", "proc", "sys", "tmp", "var", "var/tmp",
					    "etc", "etc/splicebench", "lib", "lib/modules" };
	struct sb_cpio *c = sb_cpio_new();
	char *text = json_dumps(job, JSON_INDENT(1) | JSON_SORT_KEYS);
	int err = 0;

	if (!c || !text) {
		err = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < SB_ARRAY_SIZE(dirs) && !err; i++)
		err = sb_cpio_add_dir(c, dirs[i], 0755);
	if (!err)
		err = sb_cpio_add_chardev(c, "dev/console", 0600, 5, 1);
	if (!err)
		err = sb_cpio_add_file_from(c, "init", 0755, agent, why, why_len);
	if (!err)
		err = sb_cpio_add_file(c, SB_GUEST_JOB + 1, 0644, text, strlen(text));
	for (size_t i = 0; i < nmods && !err; i++) {
		char dst[PATH_MAX];

		/* "<moddir>/kernel/fs/xfs/xfs.ko" -> "lib/modules/<rel>/kernel/fs/xfs/xfs.ko" */
		snprintf(dst, sizeof(dst), "lib/modules/%s%s", k->release,
			 mods[i] + strlen(k->moddir));
		err = sb_cpio_add_file_from(c, dst, 0644, mods[i], why, why_len);
	}
	if (!err)
		err = sb_cpio_finish(c);
	if (!err)
		err = sb_cpio_write_file(c, path, why, why_len);
	else if (!why[0])
		snprintf(why, why_len, "initramfs: %s", sb_cpio_error(c) ? sb_cpio_error(c)
									 : strerror(-err));
out:
	free(text);
	sb_cpio_free(c);
	return err;
}

/* ------------------------------------------------------------ results */

static json_t *frame_json(const struct sb_frames *fr, const char *name, char *why, size_t why_len)
{
	char xname[80];
	const struct sb_frame *f = sb_frames_find(fr, name);
	json_error_t jerr;
	json_t *j;

	if (f) {
		j = json_loadb((const char *)f->data, f->len, 0, &jerr);
		if (!j)
			snprintf(why, why_len, "%s from the guest: %s", name, jerr.text);
		return j;
	}
	snprintf(xname, sizeof(xname), "%s.xz", name);
	f = sb_frames_find(fr, xname);
	if (f) {
		void *plain = NULL;
		size_t len = 0;

		if (sb_xz_decompress(f->data, f->len, RESULT_MAX, &plain, &len, why, why_len))
			return NULL;
		j = json_loadb(plain, len, 0, &jerr);
		free(plain);
		if (!j)
			snprintf(why, why_len, "%s from the guest: %s", name, jerr.text);
		return j;
	}
	snprintf(why, why_len, "the guest sent no %s", name);
	return NULL;
}

static int copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out;
	char buf[65536];
	size_t n;
	int err = 0;

	if (!in)
		return -errno;
	out = fopen(to, "wb");
	if (!out) {
		err = -errno;
		fclose(in);
		return err;
	}
	while ((n = fread(buf, 1, sizeof(buf), in)))
		if (fwrite(buf, 1, n, out) != n)
			err = -EIO;
	fclose(in);
	if (fclose(out))
		err = -errno;
	return err;
}

static const char *timing_meaning(enum sb_accel a)
{
	switch (a) {
	case SB_ACCEL_KVM:
		return "real: hardware-assisted virtualization";
	case SB_ACCEL_ICOUNT:
		return "deterministic instruction count: 1 ns per guest instruction, no cache or "
		       "memory effects";
	default:
		return "informational: emulated CPU, timings include qemu's translation and host "
		       "noise; only exact counts (bytes, calls, accounting) compare";
	}
}

/* ------------------------------------------------------------ the command */

struct vm_ctx {
	struct vm_opts o;
	struct plan plan;
	struct sb_vm_kernel k;
	struct sb_scratch *work;
	const char *disks[SB_VM_MAX_DISKS];
	json_t *disks_json, *modlog;
	char **mods;		/* module files on the host, load order */
	char **guest_mods;	/* the same in the guest */
	size_t nmods;
	char fsdev[64];		/* "ext4=/dev/vda,xfs=/dev/vdb" */
	char *qemu_version;
	char agent[PATH_MAX];
	char initrd[PATH_MAX], outdir[PATH_MAX];
};

/* Seconds until the guest must have booted, and until it must have finished. */
static void deadlines(const struct vm_ctx *c, enum sb_accel accel, double *boot_s, double *run_s)
{
	static const double boot_dl[] = { [SB_ACCEL_KVM] = 20, [SB_ACCEL_TCG] = 60,
					   [SB_ACCEL_ICOUNT] = 120 };
	/* how much slower than the host the matrix may run (docs/kernel-lab.md) */
	static const double factor[] = { [SB_ACCEL_KVM] = 2, [SB_ACCEL_TCG] = 10,
					 [SB_ACCEL_ICOUNT] = 30 };

	*boot_s = c->o.boot_timeout > 0 ? c->o.boot_timeout : boot_dl[accel];
	*run_s = c->o.timeout > 0  ? c->o.timeout
		 : c->plan.stress ? *boot_s + 60 + c->plan.stress_s * factor[accel]
				  : *boot_s + 60 + (double)c->plan.cells * c->plan.cell_s * factor[accel];
}

/* The job for the guest and the initramfs carrying it, for a boot with @accel. */
static int prepare(struct vm_ctx *c, enum sb_accel accel, char *why, size_t why_len)
{
	json_t *args = json_array(), *gm = json_array(), *job;
	double boot_s, run_s;
	int err;

	deadlines(c, accel, &boot_s, &run_s);
	(void)boot_s;
	for (int i = 1; i < c->plan.run_argc; i++)
		json_array_append_new(args, json_string(c->plan.run_argv[i]));
	for (size_t i = 0; i < c->nmods; i++)
		json_array_append_new(gm, json_string(c->guest_mods[i]));
	/* the guest stops its run before this, so that it can still report */
	job = json_pack("{s:s, s:s, s:o, s:o, s:s, s:f, s:I}", "schema", SB_GUEST_JOB_SCHEMA,
			"command", c->plan.stress ? "stress" : "run", "run_args", args, "modules", gm, "fs_device", c->fsdev, "deadline_s", run_s,
			"deadline_epoch", (json_int_t)(time(NULL) + (time_t)run_s));
	if (!job)
		return -ENOMEM;
	snprintf(c->initrd, sizeof(c->initrd), "%s/initramfs.cpio", sb_scratch_path(c->work));
	unlink(c->initrd);
	err = build_initramfs(c->initrd, c->agent, &c->k, c->mods, c->nmods, job, why, why_len);
	json_decref(job);
	return err;
}

/* Make the initramfs for @accel and boot it; fills @out. */
static int boot(struct vm_ctx *c, enum sb_accel accel, struct sb_vm_outcome *out, char *why,
		size_t why_len)
{
	struct sb_vm_spec s = {
		.qemu = c->o.qemu,
		.kernel = c->k.bzimage,
		.initrd = c->initrd,
		.workdir = sb_scratch_path(c->work),
		.accel = accel,
		.mem_mb = (unsigned int)c->o.mem_mb,
		.smp = (unsigned int)c->o.smp,
		.debug_boot = c->o.debug_boot,
	};
	int err = prepare(c, accel, why, why_len);

	if (err)
		return err;
	memcpy(s.disks, c->disks, sizeof(s.disks));
	deadlines(c, accel, &s.boot_deadline_s, &s.run_deadline_s);
	err = sb_vm_boot(&s, out);
	if (err)
		snprintf(why, why_len, "qemu: %s", strerror(-err));
	return err;
}

/* Disk images for the file systems the matrix uses; fills c->disks and c->fsdev. */
static int make_disks(struct vm_ctx *c, char *why, size_t why_len)
{
	int nd = 0, err;

	for (int fs = SB_FS_EXT4; fs <= SB_FS_XFS; fs++) {
		const char *dp = NULL;
		char dev[16];

		if (!c->plan.fs[fs])
			continue;
		snprintf(dev, sizeof(dev), "/dev/vd%c", 'a' + nd);
		err = make_disk(sb_scratch_path(c->work), (enum sb_fs)fs, c->plan.fs_bytes, dev,
				&dp, c->disks_json, why, why_len);
		if (err)
			return err;
		snprintf(c->fsdev + strlen(c->fsdev), sizeof(c->fsdev) - strlen(c->fsdev),
			 "%s%s=%s", nd ? "," : "", sb_fs_name((enum sb_fs)fs), dev);
		c->disks[nd++] = dp;
	}
	return 0;
}

/* Which modules the guest loads, from where, and the log of that choice. */
static int pick_modules(struct vm_ctx *c, char *why, size_t why_len)
{
	int err = guest_modules(&c->k, c->plan.fs, c->modlog, &c->mods, &c->nmods, why, why_len);

	if (err)
		return err;
	c->guest_mods = calloc(c->nmods + 1, sizeof(char *));
	if (!c->guest_mods)
		return -ENOMEM;
	for (size_t i = 0; i < c->nmods; i++) {
		/* "<moddir>/kernel/fs/xfs/xfs.ko" -> "/lib/modules/<rel>/kernel/fs/xfs/xfs.ko" */
		if (asprintf(&c->guest_mods[i], "/lib/modules/%s%s", c->k.release,
			     c->mods[i] + strlen(c->k.moddir)) < 0) {
			c->guest_mods[i] = NULL;
			return -ENOMEM;
		}
		json_array_append_new(c->modlog, json_pack("{s:s, s:s}", "module",
							   c->guest_mods[i], "status", "shipped"));
	}
	return 0;
}

/* KVM when it can boot this kernel; the reason when not goes to @why. */
static int choose_accel(struct vm_ctx *c, enum sb_accel *accel, char *why, size_t why_len)
{
	*accel = (enum sb_accel)c->o.accel;
	if (*accel != SB_ACCEL_AUTO && *accel != SB_ACCEL_KVM)
		return 0;
	if (sb_vm_kvm_usable(c->k.kconfig, why, why_len)) {
		if (*accel == SB_ACCEL_KVM)
			return -ENOTSUP;
		*accel = SB_ACCEL_TCG;
		sb_info("vm: using tcg: %s", why);
		return 0;
	}
	why[0] = '\0';
	*accel = SB_ACCEL_KVM;
	return 0;
}

static int verdict(const struct sb_vm_outcome *vo, bool panic, const json_t *findings,
		   const json_t *doc, const json_t *agent, int guest_rc, char *why, size_t why_len)
{
	if (vo->status == SB_VM_INTERRUPTED) {
		snprintf(why, why_len, "%s", vo->reason);
		return 128 + (int)sb_stop_signal;
	}
	/* a panic explains the rest (an early one looks like "exited before booting") */
	if (panic) {
		for (size_t i = 0; i < json_array_size(findings); i++) {
			const char *l = json_string_value(json_array_get(findings, i));

			if (strstr(l, "Kernel panic")) {
				snprintf(why, why_len, "kernel panic: %s", l);
				break;
			}
		}
		return SB_EXIT_USAGE;
	}
	if (vo->status != SB_VM_DONE) {
		snprintf(why, why_len, "%s", vo->reason);
		return SB_EXIT_USAGE;
	}
	if (!doc) {
		if (vo->reason[0]) /* qemu died or failed after the boot: that explains it */
			snprintf(why, why_len, "%s", vo->reason);
		else if (!why[0])
			snprintf(why, why_len, "no result from the guest");
		return SB_EXIT_USAGE;
	}
	if (guest_rc < 0) {
		snprintf(why, why_len, "the guest sent no exit status");
		return SB_EXIT_USAGE;
	}
	if (json_array_size(findings)) {
		snprintf(why, why_len, "the kernel logged: %s",
			 json_string_value(json_array_get(findings, 0)));
		return SB_EXIT_FAIL;
	}
	why[0] = '\0';
	if (json_is_true(json_object_get(agent, "run_timed_out"))) {
		snprintf(why, why_len, "the run in the guest was stopped before the deadline "
			 "(--timeout); its result covers the cells it finished");
		return SB_EXIT_USAGE;
	}
	if (guest_rc == SB_EXIT_OK || guest_rc == SB_EXIT_FAIL || guest_rc == SB_EXIT_SKIP)
		return guest_rc;
	snprintf(why, why_len, "the guest's run exited with status %d", guest_rc);
	return SB_EXIT_USAGE;
}

static json_t *guest_block(const struct vm_ctx *c, enum sb_accel accel, const char *kvm_why,
			   const struct sb_vm_outcome *vo, json_t *findings, json_t *agent,
			   int guest_rc)
{
	json_t *g;

	g = json_pack("{s:s, s:s, s:o, s:o, s:s, s:s, s:s, s:i, s:I, s:o, s:o, s:O, s:O, s:O?}",
		      "accel", sb_accel_name(accel), "accel_requested",
		      sb_accel_name((enum sb_accel)c->o.accel), "accel_fallback_reason",
		      kvm_why[0] && accel != SB_ACCEL_KVM ? json_string(kvm_why) : json_null(),
		      "qemu", json_string(c->qemu_version), "timing", timing_meaning(accel),
		      "machine", "pc", "cpu", accel == SB_ACCEL_KVM ? "host" : "max", "smp",
		      accel == SB_ACCEL_ICOUNT ? 1 : (int)c->o.smp, "mem_mb",
		      (json_int_t)c->o.mem_mb, "icount",
		      accel == SB_ACCEL_ICOUNT ? json_string("shift=0,sleep=off,align=off")
					       : json_null(),
		      "kernel", sb_vm_kernel_json(&c->k), "modules", c->modlog, "disks",
		      c->disks_json, "qemu_argv", vo->argv);
	json_object_set_new(g, "boot_s", vo->booted ? json_real(vo->boot_s) : json_null());
	json_object_set_new(g, "wall_s", json_real(vo->wall_s));
	json_object_set_new(g, "qemu_exit",
			    WIFSIGNALED(vo->qemu_status)
				    ? json_pack("{s:i}", "signal", WTERMSIG(vo->qemu_status))
				    : json_pack("{s:i}", "status", WEXITSTATUS(vo->qemu_status)));
	json_object_set_new(g, "console_findings", findings);
	json_object_set_new(g, "agent", agent ? agent : json_null());
	json_object_set_new(g, "run_rc", guest_rc >= 0 ? json_integer(guest_rc) : json_null());
	json_object_set_new(g, "vm_host", sb_sysinfo_host());
	return g;
}

/* The guest's stress report in short: the failed cases, then the counts. */
static void stress_summary(const json_t *doc)
{
	const json_t *sum = json_object_get(doc, "summary"), *cs;
	size_t i;

	json_array_foreach(json_object_get(doc, "cases"), i, cs)
		if (!strcmp(json_string_value(json_object_get(cs, "status")) ?: "", "failed"))
			printf("FAIL  %-44s %s\n", json_string_value(json_object_get(cs, "id")),
			       json_string_value(json_object_get(cs, "detail")));
	printf("stress in the guest: %lld cases: %lld passed, %lld failed, %lld skipped\n",
	       (long long)json_integer_value(json_object_get(sum, "total")),
	       (long long)json_integer_value(json_object_get(sum, "passed")),
	       (long long)json_integer_value(json_object_get(sum, "failed")),
	       (long long)json_integer_value(json_object_get(sum, "skipped")));
}

/* result.json when the guest made one (stress.json with --stress), else vm.json; console.log beside it. */
static int write_out(struct vm_ctx *c, json_t *doc, char *path,
		     size_t path_len)
{
	/* no result: the status under a name no result reader mistakes for one */
	const char *file = c->plan.stress && json_object_get(doc, "cases") ? "stress.json"
			   : json_object_get(doc, "cells")		 ? SB_RESULT_FILE
									 : "vm.json";
	/* the console; qemu's own messages; the console of a KVM attempt that failed */
	static const char *const logs[] = { "console.log", "qemu.log", "console-kvm.log" };
	int err = sb_result_write_as(doc, c->outdir, file, path, path_len);

	if (err)
		return err;
	for (size_t i = 0; i < SB_ARRAY_SIZE(logs); i++) {
		char from[PATH_MAX + 64], to[PATH_MAX + 64];

		snprintf(from, sizeof(from), "%s/%s", sb_scratch_path(c->work), logs[i]);
		snprintf(to, sizeof(to), "%s/%s", c->outdir, logs[i]);
		if ((i == 0 || !access(from, R_OK)) && copy_file(from, to))
			sb_warn("vm: cannot keep %s in %s", logs[i], c->outdir);
	}
	return 0;
}

static void ctx_free(struct vm_ctx *c)
{
	json_decref(c->disks_json);
	json_decref(c->modlog);
	sb_kmod_free_list(c->mods, c->nmods);
	for (size_t i = 0; c->guest_mods && i < c->nmods; i++)
		free(c->guest_mods[i]);
	free(c->guest_mods);
	sb_scratch_destroy(c->work);
	sb_vm_kernel_free(&c->k);
	free(c->plan.run_argv);
	free(c->qemu_version);
}

/* Everything before the boot; 0 or an exit status (the error printed). */
static int setup(struct vm_ctx *c, int argc, char **argv)
{
	struct sb_scratch_opts so = { 0 };
	char why[1024] = "", cache[PATH_MAX], path[PATH_MAX + 64];
	int pos = 0, ret, err;

	c->o.mem_mb = 2048;
	c->o.smp = 2;
	ret = sb_opts_parse(&vm_cmd, &c->o, argc, argv, &pos, NULL);
	if (ret)
		return ret == SB_OPTS_HELP ? SB_OPTS_HELP : ret;
	sb_quiet = c->o.quiet;
	sb_verbose = c->o.verbose;
	if (!c->o.kernel)
		return sb_usage_err("vm", "--kernel is required (a bzImage, a .deb, or debian:X.Y)");
	ret = c->o.stress ? plan_stress(argc - pos, argv + pos, &c->plan)
			  : plan_run(argc - pos, argv + pos, &c->plan);
	sb_quiet = c->o.quiet; /* the run options' --quiet is the guest's */
	sb_verbose = c->o.verbose;
	if (ret)
		return ret;
	if (c->o.cache)
		snprintf(cache, sizeof(cache), "%s", c->o.cache);
	else if (sb_vm_default_cache(cache, sizeof(cache)))
		return sb_usage_err("vm", "no HOME to put the cache in: give --cache DIR");
	c->qemu_version = sb_vm_qemu_version(c->o.qemu ? c->o.qemu : "qemu-system-x86_64");
	if (!c->qemu_version) {
		sb_err("vm: %s does not run: install the Debian package qemu-system-x86 (make deps) "
		       "or give --qemu PATH", c->o.qemu ? c->o.qemu : "qemu-system-x86_64");
		return SB_EXIT_ENV;
	}
	err = sb_vm_find_agent(c->o.agent, c->agent, sizeof(c->agent), why, sizeof(why));
	if (err) {
		sb_err("vm: %s", why);
		return SB_EXIT_ENV;
	}
	err = sb_vm_kernel_resolve(c->o.kernel, cache, c->o.modules, c->o.kconfig, &c->k, why,
				   sizeof(why));
	if (err) {
		sb_err("vm: %s", why);
		return err == -EINVAL || err == -ENOEXEC || err == -ENOENT ? SB_EXIT_USAGE
									 : SB_EXIT_ENV;
	}
	if (c->o.out)
		snprintf(c->outdir, sizeof(c->outdir), "%s", c->o.out);
	else {
		char label[160];

		snprintf(label, sizeof(label), "qemu-%s", c->k.release);
		sb_result_dir_for(c->outdir, sizeof(c->outdir), label);
	}
	snprintf(path, sizeof(path), "%s/%s", c->outdir,
		 c->plan.stress ? "stress.json" : SB_RESULT_FILE);
	if (!access(path, F_OK))
		return sb_usage_err("vm", "--out %s already holds a %s; choose another directory",
				    c->outdir, c->plan.stress ? "stress.json" : SB_RESULT_FILE);
	err = sb_result_probe_dir(c->outdir);
	if (err)
		return sb_usage_err("vm", "--out %s: cannot write there: %s", c->outdir,
				    strerror(-err));

	/* the work directory: initramfs, disk images, console and serial logs */
	err = sb_scratch_create(&so, &c->work, why, sizeof(why));
	if (err) {
		sb_err("vm: work directory: %s", why);
		return SB_EXIT_ENV;
	}
	/* qemu's -kernel/-drive/-chardev values end at a comma */
	if (strchr(c->k.bzimage, ',') || strchr(sb_scratch_path(c->work), ','))
		return sb_usage_err("vm", "%s: qemu cannot take a path with a comma",
				    strchr(c->k.bzimage, ',') ? c->k.bzimage
							      : sb_scratch_path(c->work));
	c->disks_json = json_array();
	c->modlog = json_array();
	err = make_disks(c, why, sizeof(why));
	if (err) {
		sb_err("vm: disk: %s", why);
		return SB_EXIT_ENV;
	}
	err = pick_modules(c, why, sizeof(why));
	if (err) {
		sb_err("vm: modules: %s", why);
		return SB_EXIT_ENV;
	}
	return 0;
}

int sb_cmd_vm(int argc, char **argv)
{
	struct vm_ctx c;
	struct sb_vm_outcome vo = { 0 };
	struct sb_frames fr = { 0 };
	enum sb_accel accel;
	json_t *doc = NULL, *agent = NULL, *findings;
	char why[1024] = "", kvm_why[512] = "", path[PATH_MAX + 64];
	int ret, err, guest_rc = -1;
	bool panic = false;

	if (argc > 1 && !strcmp(argv[1], "ab"))
		return sb_cmd_vm_ab(argc - 1, argv + 1);
	memset(&c, 0, sizeof(c));
	sb_install_stop_signals();
	ret = setup(&c, argc, argv);
	/* a signal during setup (mkfs, apt-get, qemu --version) ends it as a signal */
	if (sb_stop_signal) {
		ret = 128 + (int)sb_stop_signal;
		goto out;
	}
	if (ret) {
		ret = ret == SB_OPTS_HELP ? SB_EXIT_OK : ret;
		goto out;
	}
	if (choose_accel(&c, &accel, kvm_why, sizeof(kvm_why))) {
		sb_err("vm: --accel kvm: %s", kvm_why);
		ret = SB_EXIT_ENV;
		goto out;
	}
	if (!c.o.quiet)
		fprintf(stderr, "vm: booting %s (%s) under %s\n", c.k.release, c.k.spec,
			sb_accel_name(accel));
	err = boot(&c, accel, &vo, why, sizeof(why));
	if (!err && accel == SB_ACCEL_KVM && c.o.accel == SB_ACCEL_AUTO && !vo.booted &&
	    vo.status != SB_VM_INTERRUPTED) {
		/* the canary failed: never fall back silently */
		snprintf(kvm_why, sizeof(kvm_why), "kvm did not boot the guest: %s", vo.reason);
		sb_info("vm: %s; retrying with tcg", kvm_why);
		{
			char kc[PATH_MAX + 64];

			snprintf(kc, sizeof(kc), "%s/console-kvm.log", sb_scratch_path(c.work));
			rename(vo.console, kc);
		}
		sb_vm_outcome_free(&vo);
		accel = SB_ACCEL_TCG;
		err = boot(&c, accel, &vo, why, sizeof(why));
	}
	if (err) {
		sb_err("vm: %s", why);
		ret = SB_EXIT_ENV;
		goto out;
	}

	/* what came back */
	findings = sb_vm_console_findings(vo.console, 20, &panic);
	why[0] = '\0';
	err = sb_frames_scan_file(vo.serial, &fr, why, sizeof(why));
	if (!err) {
		char ignore[512];

		agent = frame_json(&fr, "agent.json", ignore, sizeof(ignore));
		doc = frame_json(&fr, c.plan.stress ? "stress.json" : "result.json", why,
				 sizeof(why));
		if (fr.have_exit)
			guest_rc = fr.exit_rc;
	}
	ret = verdict(&vo, panic, findings, doc, agent, guest_rc, why, sizeof(why));
	if (!doc)
		doc = json_pack("{s:s, s:o}", "schema", "splicebench.vm/1", "tool", sb_tool_json());
	{
		json_t *g = guest_block(&c, accel, kvm_why, &vo, findings, agent, guest_rc);

		json_object_set_new(g, "status",
				    json_string(ret == SB_EXIT_OK     ? "ok"
						: ret == SB_EXIT_SKIP ? "skipped"
						: ret == SB_EXIT_FAIL ? "failed"
								      : "trouble"));
		json_object_set_new(g, "reason", why[0] ? json_string(why) : json_null());
		json_object_set_new(doc, "guest", g);
	}
	err = write_out(&c, doc, path, sizeof(path));
	if (err) {
		sb_err("vm: writing %s: %s", c.outdir, strerror(-err));
		ret = SB_EXIT_ENV;
		goto out;
	}
	if (why[0])
		sb_err("vm: %s (console: %s/console.log)", why, c.outdir);
	if (json_array_size(json_object_get(doc, "cells")) && !c.o.quiet)
		sb_result_table(doc, stdout);
	if (json_object_get(doc, "cases") && !c.o.quiet)
		stress_summary(doc);
	printf("results: %s\n", path);
out:
	json_decref(doc);
	sb_frames_free(&fr);
	sb_vm_outcome_free(&vo);
	ctx_free(&c);
	return ret;
}
