// SPDX-License-Identifier: MIT
/*
 * The kernel lab's machine: qemu command line, boot, deadlines, console.
 *
 * Accelerators (docs/kernel-lab.md): KVM when /dev/kvm can boot a stock
 * kernel; multi-threaded TCG otherwise (timings informational); TCG with
 * -icount for a deterministic instruction cost. Results come back on the
 * second serial port, written to a file (frame.h); the first is the
 * console, kept as console.log and scanned for kernel trouble.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec.h"
#include "log.h"
#include "run.h"
#include "sb.h"
#include "vm.h"

#define BOOT_MARKER "SPLICEBENCH-BOOTED"
#define KILL_GRACE_S 5.0

static const char *const accel_names[] = {
	[SB_ACCEL_AUTO] = "auto",
	[SB_ACCEL_KVM] = "kvm",
	[SB_ACCEL_TCG] = "tcg",
	[SB_ACCEL_ICOUNT] = "icount",
};

const char *sb_accel_name(enum sb_accel a)
{
	return (unsigned int)a < SB_ARRAY_SIZE(accel_names) ? accel_names[a] : "?";
}

/* Does /proc/cpuinfo list hardware virtualization (vmx or svm)? */
static bool cpu_has_hw_virt(void)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[4096];
	bool found = false;

	if (!f)
		return true; /* unknown: do not claim PVM */
	while (!found && fgets(line, sizeof(line), f))
		if (!strncmp(line, "flags", 5))
			found = strstr(line, " vmx") || strstr(line, " svm");
	fclose(f);
	return found;
}

static bool config_has(const char *kconfig, const char *want)
{
	FILE *f = kconfig ? fopen(kconfig, "r") : NULL;
	char line[512];
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = !strncmp(line, want, strlen(want));
	fclose(f);
	return found;
}

int sb_vm_kvm_usable(const char *kconfig, char *why, size_t why_len)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC), v, err;
	bool pvm_module;

	if (fd < 0) {
		err = -errno;
		snprintf(why, why_len, "/dev/kvm: %s", strerror(-err));
		return err;
	}
	v = ioctl(fd, KVM_GET_API_VERSION, 0);
	close(fd);
	if (v != KVM_API_VERSION) {
		snprintf(why, why_len, "/dev/kvm: API version %d, need %d", v, KVM_API_VERSION);
		return -ENOTSUP;
	}
	pvm_module = access("/sys/module/kvm_pvm", F_OK) == 0;
	if (!pvm_module && cpu_has_hw_virt())
		return 0;
	if (config_has(kconfig, "CONFIG_PVM_GUEST=y"))
		return 0;
	snprintf(why, why_len,
		 "/dev/kvm is PVM (%s): it boots only kernels built with CONFIG_PVM_GUEST=y%s",
		 pvm_module ? "kvm_pvm is loaded" : "the CPU has no vmx/svm",
		 kconfig ? ", and this kernel's config lacks it" : "");
	return -ENOTSUP;
}

char *sb_vm_qemu_version(const char *qemu)
{
	const char *argv[] = { qemu, "--version", NULL };
	struct sb_cmd_result r;
	char *v = NULL;

	if (sb_exec(argv, &r) < 0)
		return NULL;
	if (!r.exec_err && WIFEXITED(r.status) && !WEXITSTATUS(r.status) && r.out && *r.out)
		v = strndup(r.out, strcspn(r.out, "\n"));
	sb_cmd_result_free(&r);
	return v;
}

static int add(json_t *argv, const char *fmt, ...) SB_PRINTF(2, 3);
static int add(json_t *argv, const char *fmt, ...)
{
	char buf[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return json_array_append_new(argv, json_string(buf));
}

/* qemu's -chardev/-drive option values separate with ',': refuse paths with one */
static bool path_ok(const char *p)
{
	return p && !strchr(p, ',');
}

static json_t *build_argv(const struct sb_vm_spec *s, const struct sb_vm_outcome *o)
{
	json_t *a = json_array();
	char append[2048];

	add(a, "%s", s->qemu ? s->qemu : "qemu-system-x86_64");
	add(a, "-M");
	add(a, "pc");
	add(a, "-nodefaults");
	add(a, "-no-user-config");
	add(a, "-no-reboot");
	add(a, "-display");
	add(a, "none");
	add(a, "-m");
	add(a, "%u", s->mem_mb);
	switch (s->accel) {
	case SB_ACCEL_KVM:
		add(a, "-accel");
		add(a, "kvm");
		add(a, "-cpu");
		add(a, "host");
		add(a, "-smp");
		add(a, "%u", s->smp);
		break;
	case SB_ACCEL_ICOUNT:
		add(a, "-accel");
		add(a, "tcg");
		add(a, "-icount");
		add(a, "shift=0,sleep=off,align=off");
		add(a, "-cpu");
		add(a, "max");
		add(a, "-smp");
		add(a, "1");
		break;
	default:
		/*
		 * One host thread for all vCPUs: with multi-threaded TCG a 6.12
		 * guest took an int3 oops in code the kernel had just patched
		 * (attaching a tracepoint flips a static branch with text_poke_bp)
		 * -- a vCPU ran a stale translation. Timings are informational
		 * under TCG either way.
		 */
		add(a, "-accel");
		add(a, "tcg,thread=single");
		add(a, "-cpu");
		add(a, "max");
		add(a, "-smp");
		add(a, "%u", s->smp);
		break;
	}
	add(a, "-kernel");
	add(a, "%s", s->kernel);
	add(a, "-initrd");
	add(a, "%s", s->initrd);
	add(a, "-chardev");
	add(a, "file,id=con,path=%s", o->console);
	add(a, "-serial");
	add(a, "chardev:con");
	add(a, "-chardev");
	add(a, "file,id=res,path=%s", o->serial);
	add(a, "-serial");
	add(a, "chardev:res");
	for (int i = 0; i < SB_VM_MAX_DISKS && s->disks[i]; i++) {
		add(a, "-drive");
		add(a, "file=%s,format=raw,if=virtio,cache=writeback", s->disks[i]);
	}
	/*
	 * A panic or oops ends the machine at once instead of hanging until the
	 * deadline; loglevel 5 puts WARN()'s KERN_WARNING lines on the console.
	 */
	snprintf(append, sizeof(append), "console=ttyS0 loglevel=5 panic=-1 oops=panic rdinit=/init%s%s%s",
		 s->debug_boot ? " earlyprintk=serial,ttyS0,115200" : "", s->append ? " " : "",
		 s->append ? s->append : "");
	add(a, "-append");
	add(a, "%s", append);
	return a;
}

/* Scan new console bytes for the boot marker; @tail keeps a boundary. */
static bool saw_marker(int fd, char *tail, size_t *tail_len)
{
	char buf[8192 + 64];
	ssize_t n;
	bool found = false;

	for (;;) {
		memcpy(buf, tail, *tail_len);
		n = read(fd, buf + *tail_len, sizeof(buf) - 64);
		if (n <= 0)
			break;
		n += (ssize_t)*tail_len;
		if (memmem(buf, (size_t)n, BOOT_MARKER, strlen(BOOT_MARKER)))
			found = true;
		*tail_len = sb_min_u64((size_t)n, strlen(BOOT_MARKER));
		memcpy(tail, buf + n - (ssize_t)*tail_len, *tail_len);
	}
	return found;
}

static void first_line_of(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	char line[512];

	buf[0] = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0]) {
			snprintf(buf, len, "%s", line);
			break;
		}
	}
	fclose(f);
}

static void stop_qemu(pid_t pid, int *status)
{
	uint64_t t0 = sb_now_ns();

	kill(pid, SIGTERM);
	while (waitpid(pid, status, WNOHANG) == 0) {
		if ((double)(sb_now_ns() - t0) / 1e9 > KILL_GRACE_S) {
			kill(pid, SIGKILL);
			waitpid(pid, status, 0);
			return;
		}
		usleep(20000);
	}
}

static pid_t spawn(char *const *argv, const char *log)
{
	pid_t parent = getpid(), pid;
	int fd;

	pid = fork();
	if (pid != 0)
		return pid;
	/* qemu dies with us, even when we are SIGKILLed */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0)
		dup2(fd, STDIN_FILENO);
	fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
	}
	signal(SIGINT, SIG_IGN); /* a terminal's ^C reaches us; we stop qemu */
	execvp(argv[0], argv);
	fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

int sb_vm_boot(const struct sb_vm_spec *s, struct sb_vm_outcome *o)
{
	char **argv = NULL, tail[64];
	size_t n, tail_len = 0, i;
	int con_fd = -1, status = 0;
	uint64_t t0;
	pid_t pid;
	json_t *v;

	memset(o, 0, sizeof(*o));
	snprintf(o->console, sizeof(o->console), "%s/console.log", s->workdir);
	snprintf(o->serial, sizeof(o->serial), "%s/ttyS1.out", s->workdir);
	snprintf(o->qemu_log, sizeof(o->qemu_log), "%s/qemu.log", s->workdir);
	if (!path_ok(s->workdir) || !path_ok(s->kernel) || !path_ok(s->initrd)) {
		o->status = SB_VM_START_FAILED;
		snprintf(o->reason, sizeof(o->reason), "a path contains ',' (qemu cannot take it)");
		return 0;
	}
	for (i = 0; i < SB_VM_MAX_DISKS && s->disks[i]; i++)
		if (!path_ok(s->disks[i])) {
			o->status = SB_VM_START_FAILED;
			snprintf(o->reason, sizeof(o->reason), "%s: a ',' in the path", s->disks[i]);
			return 0;
		}
	/* qemu's file chardev truncates; make sure the files exist for reading */
	close(open(o->console, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
	close(open(o->serial, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
	o->argv = build_argv(s, o);
	n = json_array_size(o->argv);
	argv = calloc(n + 1, sizeof(*argv));
	if (!argv)
		return -ENOMEM;
	json_array_foreach(o->argv, i, v)
		argv[i] = (char *)json_string_value(v);
	con_fd = open(o->console, O_RDONLY | O_CLOEXEC);

	t0 = sb_now_ns();
	pid = spawn(argv, o->qemu_log);
	free(argv);
	if (pid < 0) {
		int err = -errno;

		close(con_fd);
		return err;
	}
	for (;;) {
		double el = (double)(sb_now_ns() - t0) / 1e9;
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (!o->booted && con_fd >= 0 && saw_marker(con_fd, tail, &tail_len)) {
			o->booted = true;
			o->boot_s = el;
		}
		if (w == pid) {
			/* a group signal may have ended qemu before we saw it */
			o->status = sb_stop_signal ? SB_VM_INTERRUPTED : SB_VM_DONE;
			if (sb_stop_signal)
				snprintf(o->reason, sizeof(o->reason), "interrupted by signal %d",
					 (int)sb_stop_signal);
			break;
		}
		if (sb_stop_signal) {
			o->status = SB_VM_INTERRUPTED;
			snprintf(o->reason, sizeof(o->reason), "interrupted by signal %d",
				 (int)sb_stop_signal);
			stop_qemu(pid, &status);
			break;
		}
		if (!o->booted && el > s->boot_deadline_s) {
			o->status = SB_VM_BOOT_TIMEOUT;
			snprintf(o->reason, sizeof(o->reason),
				 "boot timeout: no %s marker within %.0f s (%s)", BOOT_MARKER,
				 s->boot_deadline_s, sb_accel_name(s->accel));
			stop_qemu(pid, &status);
			break;
		}
		if (el > s->run_deadline_s) {
			o->status = SB_VM_RUN_TIMEOUT;
			snprintf(o->reason, sizeof(o->reason),
				 "run timeout: the guest was still running after %.0f s (--timeout)",
				 s->run_deadline_s);
			stop_qemu(pid, &status);
			break;
		}
		usleep(20000);
	}
	o->wall_s = (double)(sb_now_ns() - t0) / 1e9;
	o->qemu_status = status;
	if (con_fd >= 0) {
		if (!o->booted && saw_marker(con_fd, tail, &tail_len)) {
			o->booted = true;
			o->boot_s = o->wall_s;
		}
		close(con_fd);
	}
	if (o->status == SB_VM_DONE && !o->booted) {
		char line[400];

		first_line_of(o->qemu_log, line, sizeof(line));
		o->status = SB_VM_START_FAILED;
		if (WIFEXITED(status))
			snprintf(o->reason, sizeof(o->reason),
				 "qemu exited with status %d before the guest booted%s%s",
				 WEXITSTATUS(status), line[0] ? ": " : "", line);
		else
			snprintf(o->reason, sizeof(o->reason),
				 "qemu was killed by signal %d before the guest booted%s%s",
				 WTERMSIG(status), line[0] ? ": " : "", line);
	} else if (o->status == SB_VM_DONE && WIFEXITED(status) && WEXITSTATUS(status)) {
		char line[400];

		first_line_of(o->qemu_log, line, sizeof(line));
		snprintf(o->reason, sizeof(o->reason), "qemu exited with status %d%s%s",
			 WEXITSTATUS(status), line[0] ? ": " : "", line);
	} else if (o->status == SB_VM_DONE && WIFSIGNALED(status)) {
		snprintf(o->reason, sizeof(o->reason), "qemu was killed by signal %d (%s)",
			 WTERMSIG(status), strsignal(WTERMSIG(status)));
	}
	return 0;
}

void sb_vm_outcome_free(struct sb_vm_outcome *o)
{
	json_decref(o->argv);
	o->argv = NULL;
}

json_t *sb_vm_console_findings(const char *console_log, size_t max, bool *panic)
{
	/* "WARNING: CPU:" is WARN()'s; a bare "WARNING:" also starts harmless boot notices */
	static const char *const pats[] = { "Kernel panic", "BUG:", "WARNING: CPU:", "Oops",
					    "general protection fault", "soft lockup",
					    "KASAN:", "UBSAN:", "hung_task" };
	FILE *f = fopen(console_log, "r");
	json_t *out = json_array();
	char line[1024];

	*panic = false;
	if (!f)
		return out;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		for (size_t i = 0; i < SB_ARRAY_SIZE(pats); i++) {
			if (!strstr(line, pats[i]))
				continue;
			if (json_array_size(out) < max)
				json_array_append_new(out, json_string(line));
			else if (i == 0 && !*panic && max)
				/* the panic line is the reason: keep it, dropping the last */
				json_array_set_new(out, max - 1, json_string(line));
			if (i == 0)
				*panic = true;
			break;
		}
	}
	fclose(f);
	return out;
}

int sb_vm_find_agent(const char *opt, char *buf, size_t len, char *why, size_t why_len)
{
	char self[PATH_MAX];
	ssize_t n;

	if (opt) {
		if (access(opt, X_OK) < 0) {
			snprintf(why, why_len, "--agent %s: %s", opt, strerror(errno));
			return -errno;
		}
		snprintf(buf, len, "%s", opt);
		return 0;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return -errno;
	self[n] = '\0';
	*strrchr(self, '/') = '\0';
	snprintf(buf, len, "%s/%s", self, SB_VM_AGENT_NAME);
	if (access(buf, X_OK) == 0)
		return 0;
	snprintf(why, why_len, "no static splicebench for the guest at %s: build it with "
		 "'make static', or give --agent PATH", buf);
	return -ENOENT;
}
