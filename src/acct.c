// SPDX-License-Identifier: MIT
/*
 * Loading bpf/accounting.bpf.c: what the kernel allows, which attach points
 * to use, and the counters.
 */
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "acct.h"
#include "accounting.skel.h"
#include "log.h"
#include "scratch.h"
#include "sysinfo.h"

#define MAX_LINKS 64
#define MAX_CELL_FDS 16

struct ksym {
	char name[64];
	uint64_t addr;
};

struct sb_acct {
	enum sb_probe_mode mode;
	struct sb_kernel_caps caps;
	struct sb_probe_choice choice[64];
	struct btf *vmlinux_btf;
	struct btf *xfs_btf;
	struct ksym ksyms[48];
	size_t nksyms;
	char tracefs[64];
	struct accounting_bpf *skel;
	struct bpf_link *links[MAX_LINKS];
	size_t nlinks;
	int cell_fds[MAX_CELL_FDS];
	size_t ncell_fds;
	uint64_t cell_inos[4];
	size_t ncell_inos;
	int ncpus;
	bool enabled;		/* links attached now */
	bool usable[64];	/* the probe attached when tried at open */
	char why[512];
};

/* ------------------------------------------------------------------ what the kernel has */

static bool btf_has(const void *ctx, const char *func)
{
	const struct sb_acct *a = ctx;

	return (a->vmlinux_btf && btf__find_by_name_kind(a->vmlinux_btf, func, BTF_KIND_FUNC) >= 0) ||
	       (a->xfs_btf && btf__find_by_name_kind(a->xfs_btf, func, BTF_KIND_FUNC) >= 0);
}

static const struct ksym *ksym_find(const struct sb_acct *a, const char *name)
{
	for (size_t i = 0; i < a->nksyms; i++)
		if (!strcmp(a->ksyms[i].name, name))
			return &a->ksyms[i];
	return NULL;
}

static bool ksym_has(const void *ctx, const char *func)
{
	return ksym_find(ctx, func) != NULL;
}

static bool tp_has(const void *ctx, const char *event)
{
	const struct sb_acct *a = ctx;
	char path[256];

	snprintf(path, sizeof(path), "%s/events/%s/id", a->tracefs, event);
	return access(path, R_OK) == 0;
}

static bool wanted_ksym(const char *name)
{
	if (!strcmp(name, "page_cache_pipe_buf_ops") || !strcmp(name, "default_pipe_buf_ops"))
		return true;
	for (size_t i = 0; i < sb_nr_probe_defs; i++)
		for (int k = 0; k < SB_PROBE_MAX_CANDIDATES && sb_probe_defs[i].candidates[k]; k++)
			if (!strcmp(sb_probe_defs[i].candidates[k], name))
				return true;
	return false;
}

/* The kallsyms entries splicebench cares about (attach candidates, pipe buffer ops). */
static void read_kallsyms(struct sb_acct *a)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	char line[512];

	if (!f)
		return;
	while (fgets(line, sizeof(line), f) && a->nksyms < SB_ARRAY_SIZE(a->ksyms)) {
		unsigned long long addr;
		char type, name[256];

		if (sscanf(line, "%llx %c %255s", &addr, &type, name) != 3 || !wanted_ksym(name) ||
		    ksym_find(a, name))
			continue;
		snprintf(a->ksyms[a->nksyms].name, sizeof(a->ksyms[0].name), "%s", name);
		a->ksyms[a->nksyms++].addr = addr;
	}
	fclose(f);
}

static const char *lockdown_mode(void)
{
	static char mode[32];
	char why[128];

	if (sb_sysinfo_lockdown(mode, sizeof(mode), why, sizeof(why)))
		snprintf(mode, sizeof(mode), "unknown");
	return mode;
}

/* Can a fentry program load and attach here? Tries a two-instruction one on @func. */
static void probe_fentry(struct sb_acct *a)
{
	struct bpf_insn insns[2] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int id = -1, fd, link, err;

	for (size_t i = 0; id < 0 && i < sb_nr_probe_defs; i++)
		for (int k = 0; id < 0 && k < SB_PROBE_MAX_CANDIDATES &&
				sb_probe_defs[i].candidates[k];
		     k++)
			if (a->vmlinux_btf)
				id = btf__find_by_name_kind(a->vmlinux_btf,
							    sb_probe_defs[i].candidates[k],
							    BTF_KIND_FUNC);
	if (id < 0) {
		snprintf(a->caps.fentry_why, sizeof(a->caps.fentry_why),
			 "no kernel BTF with the attach points (fentry needs "
			 "/sys/kernel/btf/vmlinux)");
		return;
	}
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_FENTRY,
		    .attach_btf_id = (__u32)id);
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "sb_fentry_probe", "GPL", insns, 2, &opts);
	if (fd < 0) {
		err = errno;
		snprintf(a->caps.fentry_why, sizeof(a->caps.fentry_why),
			 "loading a fentry program: %s%s%s%s", strerror(err),
			 err == EPERM ? " (the kernel refuses BPF trampolines here; lockdown: " : "",
			 err == EPERM ? lockdown_mode() : "", err == EPERM ? ")" : "");
		return;
	}
	link = bpf_link_create(fd, 0, BPF_TRACE_FENTRY, NULL);
	if (link < 0) {
		err = errno;
		snprintf(a->caps.fentry_why, sizeof(a->caps.fentry_why),
			 "attaching a fentry program: %s", strerror(err));
		close(fd);
		return;
	}
	close(link);
	close(fd);
	a->caps.fentry_ok = true;
}

static void probe_kprobe(struct sb_acct *a)
{
	if (!access("/sys/bus/event_source/devices/kprobe/type", R_OK)) {
		a->caps.kprobe_ok = true;
		return;
	}
	snprintf(a->caps.kprobe_why, sizeof(a->caps.kprobe_why),
		 "no kprobe PMU (/sys/bus/event_source/devices/kprobe): kernel without kprobes");
}

/* tracefs for the tracepoint ids: the mounted one, or mounted privately here */
static void probe_tracefs(struct sb_acct *a)
{
	static const char *const dirs[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	char path[128];

	for (size_t i = 0; i < SB_ARRAY_SIZE(dirs); i++) {
		snprintf(path, sizeof(path), "%s/events", dirs[i]);
		if (!access(path, R_OK)) {
			snprintf(a->tracefs, sizeof(a->tracefs), "%s", dirs[i]);
			a->caps.tp_ok = true;
			return;
		}
	}
	if (geteuid() == 0 && sb_private_mount_ns() &&
	    !mount("tracefs", "/sys/kernel/tracing", "tracefs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		   NULL) &&
	    !access("/sys/kernel/tracing/events", R_OK)) {
		sb_dbg("tracefs mounted in the private mount namespace");
		snprintf(a->tracefs, sizeof(a->tracefs), "/sys/kernel/tracing");
		a->caps.tp_ok = true;
		return;
	}
	snprintf(a->caps.tp_why, sizeof(a->caps.tp_why),
		 "tracefs is not mounted and could not be mounted privately (%s)",
		 geteuid() ? "needs root" : strerror(errno));
}

/* BTF raw tracepoints need the kernel's BTF (and 5.5+; the load says for sure) */
static void probe_tp_btf(struct sb_acct *a)
{
	if (a->vmlinux_btf &&
	    btf__find_by_name_kind(a->vmlinux_btf, "btf_trace_sys_enter", BTF_KIND_TYPEDEF) >= 0) {
		a->caps.tp_btf_ok = true;
		return;
	}
	snprintf(a->caps.tp_btf_why, sizeof(a->caps.tp_btf_why),
		 "no kernel BTF for the raw sys_enter tracepoint");
}

static void detect(struct sb_acct *a)
{
	a->caps.btf_has = btf_has;
	a->caps.ksym_has = ksym_has;
	a->caps.tp_has = tp_has;
	a->caps.ctx = a;
	a->vmlinux_btf = btf__load_vmlinux_btf();
	if (!a->vmlinux_btf)
		a->vmlinux_btf = NULL;
	else if (!access("/sys/kernel/btf/xfs", R_OK))
		a->xfs_btf = btf__load_module_btf("xfs", a->vmlinux_btf);
	if (a->xfs_btf && libbpf_get_error(a->xfs_btf))
		a->xfs_btf = NULL;
	read_kallsyms(a);
	probe_fentry(a);
	probe_kprobe(a);
	probe_tracefs(a);
	probe_tp_btf(a);
}

/* ------------------------------------------------------------------ load and attach */

static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char msg[512];

	if (level == LIBBPF_DEBUG || sb_verbose < 2)
		return 0;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	sb_dbg("libbpf: %s", msg);
	return 0;
}

static struct bpf_program *prog(struct sb_acct *a, const char *name)
{
	return name ? bpf_object__find_program_by_name(a->skel->obj, name) : NULL;
}

static void set_prog(struct sb_acct *a, const char *name, bool on, const char *target)
{
	struct bpf_program *p = prog(a, name);

	if (!p)
		return;
	bpf_program__set_autoload(p, on);
	if (on && target)
		bpf_program__set_attach_target(p, 0, target);
}

/* Open the skeleton with the programs of the current choices. */
static int open_and_load(struct sb_acct *a, char *why, size_t len)
{
	struct bpf_program *p;
	const struct ksym *k;
	int err;

	a->skel = accounting_bpf__open();
	if (!a->skel) {
		snprintf(why, len, "opening the BPF object: %s", strerror(errno));
		return -errno;
	}
	a->skel->rodata->targ_tgid = (__u32)getpid();
	a->skel->rodata->o_direct_flag = O_DIRECT;
	a->skel->rodata->nr_sys[SB_SYS_SPLICE] = SYS_splice;
	a->skel->rodata->nr_sys[SB_SYS_VMSPLICE] = SYS_vmsplice;
	a->skel->rodata->nr_sys[SB_SYS_TEE] = SYS_tee;
	a->skel->rodata->nr_sys[SB_SYS_SENDFILE] = SYS_sendfile;
	a->skel->rodata->nr_sys[SB_SYS_CFR] = SYS_copy_file_range;
	a->skel->rodata->nr_sys[SB_SYS_READ] = SYS_read;
	a->skel->rodata->nr_sys[SB_SYS_WRITE] = SYS_write;
	a->skel->rodata->nr_sys[SB_SYS_PREAD] = SYS_pread64;
	a->skel->rodata->nr_sys[SB_SYS_PWRITE] = SYS_pwrite64;
	a->skel->rodata->nr_sys[SB_SYS_SENDTO] = SYS_sendto;
	a->skel->rodata->nr_sys[SB_SYS_RECVFROM] = SYS_recvfrom;
	k = ksym_find(a, "page_cache_pipe_buf_ops");
	a->skel->rodata->ops_page_cache = k ? k->addr : 0;
	k = ksym_find(a, "default_pipe_buf_ops");
	a->skel->rodata->ops_default = k ? k->addr : 0;
	bpf_object__for_each_program(p, a->skel->obj)
		bpf_program__set_autoload(p, false);
	for (size_t i = 0; i < sb_nr_probe_defs; i++) {
		const struct sb_probe_choice *c = &a->choice[i];
		const struct sb_probe_def *d = c->def;

		if (c->tier == SB_TIER_FENTRY) {
			set_prog(a, d->fx_prog, true, c->func);
			set_prog(a, d->fx_entry_prog, true, c->func);
		} else if (c->tier == SB_TIER_KPROBE) {
			set_prog(a, d->kp_prog, true, NULL);
			set_prog(a, d->kp_entry_prog, true, NULL);
		} else if (c->tier == SB_TIER_TRACEPOINT || c->tier == SB_TIER_TP_BTF) {
			set_prog(a, d->tp_progs[0], true, NULL);
			set_prog(a, d->tp_progs[1], true, NULL);
		}
	}
	err = accounting_bpf__load(a->skel);
	if (err) {
		snprintf(why, len, "%s", strerror(-err));
		accounting_bpf__destroy(a->skel);
		a->skel = NULL;
		return err;
	}
	return 0;
}

static bool any_tier(const struct sb_acct *a, enum sb_tier t)
{
	for (size_t i = 0; i < sb_nr_probe_defs; i++)
		if (a->choice[i].tier == t)
			return true;
	return false;
}

/* Load, giving up a tier at a time when the object does not load. */
static void load(struct sb_acct *a)
{
	char why[256];

	for (;;) {
		sb_probes_choose(&a->caps, a->choice);
		if (!any_tier(a, SB_TIER_FENTRY) && !any_tier(a, SB_TIER_KPROBE) &&
		    !any_tier(a, SB_TIER_TRACEPOINT))
			return;
		if (!open_and_load(a, why, sizeof(why)))
			return;
		if (any_tier(a, SB_TIER_TP_BTF) && !any_tier(a, SB_TIER_FENTRY)) {
			a->caps.tp_btf_ok = false;
			snprintf(a->caps.tp_btf_why, sizeof(a->caps.tp_btf_why),
				 "the BTF raw tracepoint programs did not load: %s", why);
		} else if (any_tier(a, SB_TIER_FENTRY)) {
			a->caps.fentry_ok = false;
			snprintf(a->caps.fentry_why, sizeof(a->caps.fentry_why),
				 "the fentry programs did not load: %s", why);
		} else if (any_tier(a, SB_TIER_KPROBE)) {
			a->caps.kprobe_ok = false;
			snprintf(a->caps.kprobe_why, sizeof(a->caps.kprobe_why),
				 "the kprobe programs did not load: %s", why);
		} else {
			a->caps.tp_ok = false;
			snprintf(a->caps.tp_why, sizeof(a->caps.tp_why),
				 "the tracepoint programs did not load: %s", why);
		}
	}
}

static int add_link(struct sb_acct *a, struct bpf_link *l)
{
	if (!l)
		return -errno;
	if (a->nlinks == MAX_LINKS) {
		bpf_link__destroy(l);
		return -ENOSPC;
	}
	a->links[a->nlinks++] = l;
	return 0;
}

static void attach_one(struct sb_acct *a, struct sb_probe_choice *c)
{
	const struct sb_probe_def *d = c->def;
	size_t first = a->nlinks;
	int err = 0;

	switch (c->tier) {
	case SB_TIER_FENTRY:
		if (d->fx_entry_prog)
			err = add_link(a, bpf_program__attach(prog(a, d->fx_entry_prog)));
		if (!err)
			err = add_link(a, bpf_program__attach(prog(a, d->fx_prog)));
		break;
	case SB_TIER_KPROBE:
		if (d->kp_entry_prog)
			err = add_link(a, bpf_program__attach_kprobe(prog(a, d->kp_entry_prog),
								     false, c->func));
		if (!err)
			err = add_link(a, bpf_program__attach_kprobe(prog(a, d->kp_prog), true,
								     c->func));
		break;
	case SB_TIER_TRACEPOINT:
	case SB_TIER_TP_BTF:
		for (int i = 0; !err && i < 2 && d->tp_progs[i]; i++)
			err = add_link(a, bpf_program__attach(prog(a, d->tp_progs[i])));
		break;
	default:
		return;
	}
	if (!err) {
		c->attached = true;
		return;
	}
	while (a->nlinks > first)
		bpf_link__destroy(a->links[--a->nlinks]);
	/* 524 is the kernel's internal ENOTSUPP, which has no libc name */
	snprintf(c->why, sizeof(c->why), "attaching (%s): %s", sb_tier_name(c->tier),
		 err == -524 ? "not supported for this function by this kernel (ENOTSUPP)"
			     : strerror(-err));
}

int sb_acct_open(enum sb_probe_mode mode, struct sb_acct **out, char *why, size_t why_len)
{
	struct sb_acct *a = calloc(1, sizeof(*a));
	size_t tier1 = 0, tier2 = 0;
	struct utsname u;

	*out = NULL;
	if (!a) {
		snprintf(why, why_len, "out of memory");
		return -ENOMEM;
	}
	a->mode = mode;
	a->ncpus = libbpf_num_possible_cpus();
	/* the expectations depend on the kernel version even with the probes off */
	if (!uname(&u))
		a->caps.kv = sb_kv_of_uname(u.release, u.version);
	libbpf_set_print(libbpf_log);
	if (mode == SB_PROBES_OFF || geteuid() != 0) {
		const char *r = mode == SB_PROBES_OFF ? "probes off (--probes off)"
						      : "needs root (BPF programs)";

		snprintf(a->caps.fentry_why, sizeof(a->caps.fentry_why), "%s", r);
		snprintf(a->caps.kprobe_why, sizeof(a->caps.kprobe_why), "%s", r);
		snprintf(a->caps.tp_why, sizeof(a->caps.tp_why), "%s", r);
		snprintf(a->caps.tp_btf_why, sizeof(a->caps.tp_btf_why), "%s", r);
		snprintf(a->why, sizeof(a->why), "%s",
			 mode == SB_PROBES_OFF ? r : "BPF probes need root");
	} else {
		detect(a);
		load(a);
	}
	if (!a->skel)
		sb_probes_choose(&a->caps, a->choice); /* fill the reasons */
	/* attach once to learn what works, then stay detached until sb_acct_enable() */
	for (size_t i = 0; a->skel && i < sb_nr_probe_defs; i++) {
		attach_one(a, &a->choice[i]);
		a->usable[i] = a->choice[i].attached;
	}
	while (a->nlinks)
		bpf_link__destroy(a->links[--a->nlinks]);
	for (size_t i = 0; i < sb_nr_probe_defs; i++) {
		tier1 += a->choice[i].attached && a->choice[i].def->function;
		tier2 += a->choice[i].attached && !a->choice[i].def->function;
	}
	if (!a->why[0])
		snprintf(a->why, sizeof(a->why), "%zu function probes and %zu tracepoints attached%s%s",
			 tier1, tier2, tier1 ? "" : "; tier 1: ",
			 tier1 ? "" : (a->caps.fentry_ok ? a->caps.kprobe_why : a->caps.fentry_why));
	if (mode == SB_PROBES_REQUIRE && !tier1) {
		snprintf(why, why_len, "--probes require: no function probe (tier 1) attached: %s",
			 a->caps.fentry_why[0] ? a->caps.fentry_why : "none chosen");
		sb_acct_close(a);
		return -ENOTSUP;
	}
	*out = a;
	return 0;
}

void sb_acct_close(struct sb_acct *a)
{
	if (!a)
		return;
	while (a->nlinks)
		bpf_link__destroy(a->links[--a->nlinks]);
	accounting_bpf__destroy(a->skel);
	btf__free(a->xfs_btf);
	btf__free(a->vmlinux_btf);
	free(a);
}

bool sb_acct_active(const struct sb_acct *a)
{
	if (!a || !a->skel)
		return false;
	for (size_t i = 0; i < sb_nr_probe_defs; i++)
		if (a->usable[i])
			return true;
	return false;
}

int sb_acct_enable(struct sb_acct *a, bool on)
{
	int n = 0;

	if (!sb_acct_active(a) || a->enabled == on)
		return 0;
	a->enabled = on;
	if (!on) {
		while (a->nlinks)
			bpf_link__destroy(a->links[--a->nlinks]);
		return 0;
	}
	for (size_t i = 0; i < sb_nr_probe_defs; i++) {
		if (!a->usable[i])
			continue;
		attach_one(a, &a->choice[i]);
		n += a->choice[i].attached;
	}
	return n ? 0 : -ENODEV;
}

const char *sb_acct_why(const struct sb_acct *a)
{
	return a ? a->why : "no accounting";
}

unsigned int sb_acct_kv(const struct sb_acct *a)
{
	return a ? a->caps.kv : 0;
}

bool sb_acct_attached(const struct sb_acct *a, const char *name)
{
	for (size_t i = 0; a && i < sb_nr_probe_defs; i++)
		if (!strcmp(a->choice[i].def->name, name))
			return a->usable[i];
	return false;
}

/* ------------------------------------------------------------------ per cell, per sample */

int sb_acct_set_cell(struct sb_acct *a, const int *fds, const unsigned char *roles, size_t nfds,
		     const uint64_t *inos, const unsigned char *ino_roles, size_t ninos)
{
	struct bpf_map *fr, *ir;
	__u8 zero = 0;
	int err = 0;

	if (!sb_acct_active(a))
		return 0;
	fr = a->skel->maps.fd_roles;
	ir = a->skel->maps.ino_roles;
	for (size_t i = 0; i < a->ncell_fds; i++) {
		__u32 fd = (__u32)a->cell_fds[i];

		bpf_map__update_elem(fr, &fd, sizeof(fd), &zero, sizeof(zero), BPF_ANY);
	}
	for (size_t i = 0; i < a->ncell_inos; i++)
		bpf_map__delete_elem(ir, &a->cell_inos[i], sizeof(a->cell_inos[i]), 0);
	a->ncell_fds = a->ncell_inos = 0;
	for (size_t i = 0; i < nfds && a->ncell_fds < MAX_CELL_FDS; i++) {
		__u32 fd = (__u32)fds[i];
		__u8 r = roles[i];

		if (fds[i] < 0 || fds[i] >= SB_MAX_FD)
			continue;
		if (bpf_map__update_elem(fr, &fd, sizeof(fd), &r, sizeof(r), BPF_ANY))
			err = -errno;
		a->cell_fds[a->ncell_fds++] = fds[i];
	}
	for (size_t i = 0; i < ninos && a->ncell_inos < SB_ARRAY_SIZE(a->cell_inos); i++) {
		__u64 ino = inos[i];
		__u8 r = ino_roles[i];

		if (bpf_map__update_elem(ir, &ino, sizeof(ino), &r, sizeof(r), BPF_ANY))
			err = -errno;
		a->cell_inos[a->ncell_inos++] = inos[i];
	}
	return err;
}

int sb_acct_read(struct sb_acct *a, struct sb_acct_ctrs *out)
{
	struct sb_acct_ctrs *v;
	__u32 zero = 0;
	int err = 0;

	memset(out, 0, sizeof(*out));
	if (!sb_acct_active(a) || a->ncpus <= 0)
		return -ENODEV;
	/* counters keep their values while detached: deltas stay right */
	v = calloc((size_t)a->ncpus, sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (bpf_map__lookup_elem(a->skel->maps.ctrs, &zero, sizeof(zero), v,
				 sizeof(*v) * (size_t)a->ncpus, 0)) {
		err = -errno;
	} else {
		for (int c = 0; c < a->ncpus; c++)
			for (size_t i = 0; i < SB_NR_CTRS; i++) {
				out->bytes[i] += v[c].bytes[i];
				out->hits[i] += v[c].hits[i];
			}
	}
	free(v);
	return err;
}

json_t *sb_acct_probes_json(const struct sb_acct *a)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < sb_nr_probe_defs; i++) {
		const struct sb_probe_choice *c = &a->choice[i];

		json_array_append_new(
			arr, json_pack("{s:s, s:s, s:s, s:o, s:b, s:o, s:s, s:s}", "name",
				       c->def->name, "tier", c->def->function ? "1" : "2",
				       "mode", sb_tier_name(c->tier), "function",
				       c->func ? json_string(c->func) : json_null(), "attached",
				       a->usable[i], "reason",
				       a->usable[i] ? json_null() : json_string(c->why), "era",
				       c->def->era, "measures", c->def->measures));
	}
	return arr;
}
