// SPDX-License-Identifier: MIT
/*
 * splicebench doctor: what this host can do, each with the reason when not.
 * Every check really tries the thing (creates the file system, opens the
 * counter, loads the program type); nothing is inferred from versions.
 */
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "acct.h"
#include "cmds.h"
#include "log.h"
#include "opt.h"
#include "perfctr.h"
#include "scratch.h"
#include "sysinfo.h"
#include "vm.h"

struct doctor_opts {
	int json;
	int no_fs;
	const char *scratch_root;
};

static const struct sb_opt doctor_opts[] = {
	{ .name = "json", .type = SB_OPT_SETVAL, .off = offsetof(struct doctor_opts, json),
	  .setval = 1, .help = "print the checks as JSON" },
	{ .name = "no-fs", .type = SB_OPT_SETVAL, .off = offsetof(struct doctor_opts, no_fs),
	  .setval = 1, .help = "do not try to create file systems (faster)" },
	{ .name = "scratch-root", .type = SB_OPT_STR,
	  .off = offsetof(struct doctor_opts, scratch_root), .metavar = "PATH",
	  .help = "where trial file systems are made (default: " SB_SCRATCH_DEFAULT_ROOT ")" },
	{ .name = NULL },
};

static const struct sb_opt_cmd doctor_cmd = {
	.cmd = "doctor",
	.synopsis = "[--json] [--no-fs]",
	.summary = "Check what this host can do for splicebench: privileges, file systems,\n"
		   "O_DIRECT, perf counters, BPF program types, the copy-accounting tiers, lockdown,\n"
		   "BTF, qemu, KVM, gnuplot.",
	.opts = doctor_opts,
};

static void add(json_t *checks, const char *name, bool ok, const char *detail, const char *reason)
{
	json_array_append_new(checks, json_pack("{s:s, s:b, s:o, s:o}", "name", name, "ok", ok,
						"detail", detail ? json_string(detail) : json_null(),
						"reason", ok || !reason ? json_null()
									: json_string(reason)));
}

/* First line of `argv[0] argv[1]` output, or -errno. */
static int first_line(const char *const argv[], char *buf, size_t len)
{
	int p[2], status;
	pid_t pid;
	ssize_t n;

	if (pipe2(p, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -errno;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(p[1], STDOUT_FILENO);
		dup2(null >= 0 ? null : p[1], STDERR_FILENO);
		dup2(null, STDIN_FILENO);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(p[1]);
	n = read(p[0], buf, len - 1);
	close(p[0]);
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) == 127)
		return -ENOENT;
	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static void check_tool(json_t *checks, const char *name, const char *bin, const char *arg,
		       const char *pkg)
{
	const char *argv[] = { bin, arg, NULL };
	char line[256], why[256];

	if (first_line(argv, line, sizeof(line))) {
		snprintf(why, sizeof(why), "%s not found (Debian package %s)", bin, pkg);
		add(checks, name, false, NULL, why);
	} else {
		add(checks, name, true, line, NULL);
	}
}

static void check_direct(json_t *checks, const char *name, const char *dir)
{
	char path[4200], why[256];
	void *buf = NULL;
	int fd;

	snprintf(path, sizeof(path), "%s/direct.probe", dir);
	fd = open(path, O_CREAT | O_RDWR | O_DIRECT | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(why, sizeof(why), "open(O_DIRECT): %s", strerror(errno));
		add(checks, name, false, NULL, why);
		return;
	}
	if (posix_memalign(&buf, 4096, 4096) == 0) {
		memset(buf, 0x5a, 4096);
		if (pwrite(fd, buf, 4096, 0) == 4096 && pread(fd, buf, 4096, 0) == 4096)
			add(checks, name, true, "4 KiB aligned O_DIRECT write and read", NULL);
		else {
			snprintf(why, sizeof(why), "O_DIRECT I/O: %s", strerror(errno));
			add(checks, name, false, NULL, why);
		}
	}
	free(buf);
	close(fd);
	unlink(path);
}

static void check_fs(json_t *checks, const struct doctor_opts *o)
{
	struct sb_scratch_opts so = { .root = o->scratch_root, .fs_bytes = SB_XFS_MIN_IMAGE };
	struct sb_scratch *s = NULL;
	char why[512], name[64], detail[512];
	sigset_t stop, old;
	int err;

	/*
	 * The trial file systems take a second or two: hold SIGINT/SIGTERM/SIGHUP
	 * until they are gone again, then let the signal end the process.
	 */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);
	sigprocmask(SIG_BLOCK, &stop, &old);
	err = sb_scratch_create(&so, &s, why, sizeof(why));
	if (err) {
		for (int fs = 0; fs < SB_FS_NR; fs++) {
			snprintf(name, sizeof(name), "fs.%s", sb_fs_name((enum sb_fs)fs));
			add(checks, name, false, NULL, why);
		}
		sigprocmask(SIG_SETMASK, &old, NULL);
		return;
	}
	for (int fs = 0; fs < SB_FS_NR; fs++) {
		const char *dir;

		snprintf(name, sizeof(name), "fs.%s", sb_fs_name((enum sb_fs)fs));
		err = sb_scratch_fs(s, (enum sb_fs)fs, &dir, why, sizeof(why));
		if (err) {
			add(checks, name, false, NULL, why);
			continue;
		}
		snprintf(detail, sizeof(detail), "created and mounted at %s", dir);
		add(checks, name, true, detail, NULL);
		snprintf(name, sizeof(name), "o_direct.%s", sb_fs_name((enum sb_fs)fs));
		check_direct(checks, name, dir);
	}
	sb_scratch_destroy(s);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static void check_perf(json_t *checks)
{
	struct sb_evlist *l = sb_evlist__new_default();
	struct sb_evsel *e;
	char name[64];
	size_t i;

	if (!l)
		return;
	sb_evlist__open(l);
	sb_evlist__for_each(l, i, e) {
		snprintf(name, sizeof(name), "perf.%s", sb_evsel__name(e));
		add(checks, name, sb_evsel__is_open(e), sb_evsel__is_open(e) ? "opens" : NULL,
		    sb_evsel__reason(e));
	}
	sb_evlist__delete(l);
}

static int silent_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

static void check_bpf(json_t *checks)
{
	static const struct {
		const char *name;
		enum bpf_prog_type type;
	} types[] = {
		{ "bpf.tracepoint", BPF_PROG_TYPE_TRACEPOINT },
		{ "bpf.raw_tp", BPF_PROG_TYPE_RAW_TRACEPOINT },
		{ "bpf.kprobe_prog", BPF_PROG_TYPE_KPROBE },
		{ "bpf.fentry", BPF_PROG_TYPE_TRACING },
	};
	struct stat st;
	char why[256];

	libbpf_set_print(silent_print);
	for (size_t i = 0; i < SB_ARRAY_SIZE(types); i++) {
		int r = libbpf_probe_bpf_prog_type(types[i].type, NULL);

		if (r == 1) {
			add(checks, types[i].name, true, "program type loads", NULL);
			continue;
		}
		if (r == 0)
			snprintf(why, sizeof(why), "the kernel refuses to load this program type%s",
				 types[i].type == BPF_PROG_TYPE_TRACING
					 ? " (BPF trampolines refused here)"
					 : "");
		else
			snprintf(why, sizeof(why), "probe failed: %s%s", strerror(-r),
				 r == -EPERM ? " (needs CAP_BPF/CAP_SYS_ADMIN or root)" : "");
		add(checks, types[i].name, false, NULL, why);
	}
	/* kprobes: the program type may load while the kernel has no kprobes to attach to */
	if (!stat("/sys/bus/event_source/devices/kprobe/type", &st))
		add(checks, "bpf.kprobe_attach", true, "kprobe PMU present", NULL);
	else
		add(checks, "bpf.kprobe_attach", false, NULL,
		    "no kprobe PMU (/sys/bus/event_source/devices/kprobe): kernel built without "
		    "kprobes, or kprobes unavailable");
	if (!stat("/sys/kernel/btf/vmlinux", &st))
		add(checks, "btf.vmlinux", true, "/sys/kernel/btf/vmlinux", NULL);
	else
		add(checks, "btf.vmlinux", false, NULL,
		    "no /sys/kernel/btf/vmlinux (kernel without CONFIG_DEBUG_INFO_BTF)");
}

/* The copy-accounting tiers as `splicebench probe` would use them. */
static void check_accounting(json_t *checks)
{
	struct sb_acct *a = NULL;
	json_t *probes, *p;
	size_t i, t1 = 0, t2 = 0;
	char why[512], detail[160];
	const char *t1why = NULL;

	if (sb_acct_open(SB_PROBES_AUTO, &a, why, sizeof(why))) {
		add(checks, "accounting.tier1", false, NULL, why);
		return;
	}
	probes = sb_acct_probes_json(a);
	json_array_foreach(probes, i, p) {
		bool on = json_is_true(json_object_get(p, "attached"));
		bool fn = !strcmp(json_string_value(json_object_get(p, "tier")), "1");

		t1 += on && fn;
		t2 += on && !fn;
		if (fn && !on && !t1why && !strcmp(json_string_value(json_object_get(p, "era")),
						   "6.5+"))
			t1why = json_string_value(json_object_get(p, "reason"));
	}
	snprintf(detail, sizeof(detail), "%zu function probes attach", t1);
	add(checks, "accounting.tier1", t1 > 0, detail, t1why ? t1why : sb_acct_why(a));
	snprintf(detail, sizeof(detail), "%zu tracepoint probes attach", t2);
	add(checks, "accounting.tier2", t2 > 0, detail, sb_acct_why(a));
	add(checks, "accounting.oracle", true, "needs no privileges", NULL);
	json_decref(probes);
	sb_acct_close(a);
}

static void check_kvm(json_t *checks)
{
	char why[512], detail[512];

	/* the same test `splicebench vm --accel auto` makes (no guest config known here) */
	if (sb_vm_kvm_usable(NULL, why, sizeof(why))) {
		snprintf(detail, sizeof(detail), "%s; splicebench vm uses tcg instead", why);
		add(checks, "kvm", false, NULL, detail);
		return;
	}
	add(checks, "kvm", true,
	    "/dev/kvm answers (API 12) and is not PVM; vm still checks that the guest boots", NULL);
}

static void check_agent(json_t *checks)
{
	char path[4096 + 64], why[512];

	if (sb_vm_find_agent(NULL, path, sizeof(path), why, sizeof(why)))
		add(checks, "vm.agent", false, NULL, why);
	else
		add(checks, "vm.agent", true, path, NULL);
}

int sb_cmd_doctor(int argc, char **argv)
{
	struct doctor_opts o = { 0 };
	json_t *checks = json_array(), *doc, *c;
	char mode[32], why[256];
	int pos, ret;
	size_t i;

	ret = sb_opts_parse(&doctor_cmd, &o, argc, argv, &pos, NULL);
	if (ret) {
		json_decref(checks);
		return ret == SB_OPTS_HELP ? 0 : ret;
	}
	if (pos < argc) {
		json_decref(checks);
		return sb_usage_err("doctor", "unexpected argument '%s'", argv[pos]);
	}

	add(checks, "root", geteuid() == 0, geteuid() == 0 ? "euid 0" : NULL,
	    "not root: file systems cannot be created; use --dir and pipe workloads");
	if (o.no_fs)
		add(checks, "fs", false, NULL, "not tried (--no-fs)");
	else
		check_fs(checks, &o);
	check_perf(checks);
	check_bpf(checks);
	check_accounting(checks);
	if (sb_sysinfo_lockdown(mode, sizeof(mode), why, sizeof(why)))
		add(checks, "lockdown", false, NULL, why);
	else
		add(checks, "lockdown", true, mode, NULL);
	check_tool(checks, "qemu", "qemu-system-x86_64", "--version", "qemu-system-x86");
	check_kvm(checks);
	check_agent(checks);
	check_tool(checks, "gnuplot", "gnuplot", "--version", "gnuplot-nox");
	check_tool(checks, "fio", "fio", "--version", "fio (optional: make bench-overhead)");

	if (o.json) {
		doc = json_pack("{s:s, s:o}", "schema", "splicebench.doctor/1", "checks", checks);
		json_dumpf(doc, stdout, JSON_INDENT(1));
		fputc('\n', stdout);
		json_decref(doc);
		return 0;
	}
	json_array_foreach(checks, i, c) {
		const char *d = json_string_value(json_object_get(c, "detail"));
		const char *r = json_string_value(json_object_get(c, "reason"));
		bool ok = json_is_true(json_object_get(c, "ok"));

		printf("%-20s %-4s %s\n", json_string_value(json_object_get(c, "name")),
		       ok ? "yes" : "no", ok ? (d ? d : "") : (r ? r : ""));
	}
	json_decref(checks);
	return 0;
}
