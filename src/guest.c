// SPDX-License-Identifier: MIT
/*
 * The kernel lab's guest agent: splicebench as /init (PID 1) of the
 * initramfs that `splicebench vm` builds.
 *
 * It mounts the pseudo file systems, loads the modules named in the job,
 * runs `splicebench run` (itself, as a child) with the job's arguments,
 * sends the result file and its own report over the second serial port
 * (ttyS1, raw mode, framed: frame.h) and powers the machine off. PID 1
 * must never return (the kernel would panic), so every path ends in
 * power_off().
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/rtc.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "frame.h"
#include "guest.h"
#include "sb.h"
#include "xz.h"

#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE 4
#endif

#define RESULT_PORT "/dev/ttyS1"
#define OUT_DIR "/tmp/sb-out"
#define STRESS_OUT OUT_DIR "/stress.json"

/* The agent's own report, sent as the frame "agent.json". */
static json_t *report;

static void say(const char *fmt, ...) SB_PRINTF(1, 2);
static void say(const char *fmt, ...)
{
	va_list ap;

	fputs("splicebench-agent: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

static double uptime_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static SB_NORETURN void power_off(void)
{
	sync();
	reboot(RB_POWER_OFF);
	/* only reached when reboot(2) failed: never return from PID 1 */
	say("power off failed: %s", strerror(errno));
	for (;;)
		pause();
}

static void do_mount(json_t *log, const char *src, const char *dir, const char *type,
		     unsigned long flags, const char *data)
{
	int err = 0;

	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		err = errno;
	else if (mount(src, dir, type, flags, data) < 0 && errno != EBUSY)
		err = errno;
	json_array_append_new(log, json_pack("{s:s, s:s, s:o}", "type", type, "dir", dir,
					     "error", err ? json_string(strerror(err))
							  : json_null()));
	if (err)
		say("mount %s on %s: %s", type, dir, strerror(err));
}

static void mount_all(void)
{
	json_t *log = json_array();

	do_mount(log, "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	do_mount(log, "sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	/* Debian's cloud kernels do not mount devtmpfs themselves */
	do_mount(log, "devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755");
	do_mount(log, "tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
	do_mount(log, "bpf", "/sys/fs/bpf", "bpf", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	do_mount(log, "tracefs", "/sys/kernel/tracing", "tracefs",
		 MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	json_object_set_new(report, "mounts", log);
}

static int load_module(const char *path)
{
	const char *ext = strrchr(path, '.');
	/* the kernel decompresses .ko.xz/.gz/.zst itself (CONFIG_MODULE_DECOMPRESS) */
	int flags = ext && (!strcmp(ext, ".xz") || !strcmp(ext, ".gz") || !strcmp(ext, ".zst"))
			    ? MODULE_INIT_COMPRESSED_FILE
			    : 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	if (syscall(SYS_finit_module, fd, "", flags) < 0)
		err = errno == EEXIST ? 0 : -errno;
	close(fd);
	return err;
}

static void load_modules(const json_t *job)
{
	json_t *mods = json_object_get(job, "modules"), *log = json_array(), *m;
	size_t i;

	json_array_foreach(mods, i, m) {
		const char *path = json_string_value(m);
		int err;

		if (!path)
			continue;
		err = load_module(path);
		json_array_append_new(log, json_pack("{s:s, s:o}", "path", path, "error",
						     err ? json_string(strerror(-err))
							 : json_null()));
		if (err)
			say("loading %s: %s", path, strerror(-err));
	}
	json_object_set_new(report, "modules", log);
}

static int open_port(void)
{
	int fd = open(RESULT_PORT, O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd < 0) {
		say("%s: %s: the host will see no result", RESULT_PORT, strerror(errno));
		return -1;
	}
	/* no \n -> \r\n, no echo, 8 bits */
	if (sb_frame_tty_raw(fd) < 0)
		say("%s: raw mode: %s", RESULT_PORT, strerror(errno));
	return fd;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (!f)
		return NULL;
	for (;;) {
		if (n == cap) {
			char *nb = realloc(buf, cap ? cap * 2 : 65536);

			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
			cap = cap ? cap * 2 : 65536;
		}
		r = fread(buf + n, 1, cap - n, f);
		if (!r)
			break;
		n += r;
	}
	fclose(f);
	*len = n;
	return buf;
}

/* Whether the job is `vm --stress` (its "command"; "run" when absent). */
static bool job_is_stress(const json_t *job)
{
	const char *cmd = json_string_value(json_object_get(job, "command"));

	return cmd && !strcmp(cmd, "stress");
}

/*
 * The run's argv: "splicebench run <job args> --out OUT_DIR --fs-device ...",
 * or for a stress job "splicebench stress <job args> --json --dangerous
 * --fs-device ..." (its report goes to STRESS_OUT, run_child's stdout).
 */
static char **build_argv(const json_t *job)
{
	const json_t *args = json_object_get(job, "run_args"), *a;
	const char *dev = json_string_value(json_object_get(job, "fs_device"));
	size_t n = json_array_size(args), i, k = 0;
	char **argv = calloc(n + 8, sizeof(*argv));
	bool stress = job_is_stress(job);

	if (!argv)
		return NULL;
	argv[k++] = (char *)"splicebench";
	argv[k++] = (char *)(stress ? "stress" : "run");
	json_array_foreach(args, i, a)
		if (json_is_string(a))
			argv[k++] = (char *)json_string_value(a);
	argv[k++] = (char *)(stress ? "--json" : "--out");
	argv[k++] = (char *)(stress ? "--dangerous" : OUT_DIR);
	if (dev && *dev) {
		argv[k++] = (char *)"--fs-device";
		argv[k++] = (char *)dev;
	}
	argv[k] = NULL;
	return argv;
}

/*
 * Wall-clock time from the emulated RTC, which follows the host's clock
 * even when the guest's own clocks follow the instruction count (icount).
 */
static bool rtc_now(time_t *t)
{
	struct rtc_time rt;
	struct tm tm = { 0 };
	int fd = open("/dev/rtc0", O_RDONLY | O_CLOEXEC), r;

	if (fd < 0)
		return false;
	r = ioctl(fd, RTC_RD_TIME, &rt);
	close(fd);
	if (r < 0)
		return false;
	tm.tm_sec = rt.tm_sec;
	tm.tm_min = rt.tm_min;
	tm.tm_hour = rt.tm_hour;
	tm.tm_mday = rt.tm_mday;
	tm.tm_mon = rt.tm_mon;
	tm.tm_year = rt.tm_year;
	*t = timegm(&tm);
	return *t != (time_t)-1;
}

/*
 * When to stop the run so that it can still report: before the host's
 * deadline (a wall-clock time), less a margin. By the RTC when there is
 * one, else by uptime (which under icount runs slower than the wall).
 */
struct budget {
	time_t stop_epoch; /* 0: by uptime */
	double stop_uptime; /* 0: none */
};

static bool budget_over(const struct budget *b, double extra)
{
	time_t now;

	if (b->stop_epoch && rtc_now(&now))
		return (double)now > (double)b->stop_epoch + extra;
	return b->stop_uptime > 0 && uptime_s() > b->stop_uptime + extra;
}

/* Run the benchmark as a child of PID 1 until it ends or @b is over. */
static int run_child(const json_t *job, const struct budget *b)
{
	char **argv = build_argv(job);
	double t0 = uptime_s();
	int status = 0;
	pid_t pid, w;
	bool timed_out = false;

	if (!argv)
		return -ENOMEM;
	pid = fork();
	if (pid < 0) {
		free(argv);
		return -errno;
	}
	if (pid == 0) {
		if (job_is_stress(job)) {
			int fd;

			mkdir(OUT_DIR, 0755);
			fd = open(STRESS_OUT, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
			if (fd < 0 || dup2(fd, 1) < 0)
				_exit(126);
		}
		setenv("PATH", "/sbin:/bin:/usr/sbin:/usr/bin", 1);
		setenv("HOME", "/tmp", 1);
		execv("/proc/self/exe", argv);
		execv("/init", argv);
		_exit(127);
	}
	free(argv);
	for (;;) {
		w = waitpid(-1, &status, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR && errno != ECHILD)
			break;
		if (w > 0)
			continue; /* an orphan re-parented to PID 1 */
		if (!timed_out && budget_over(b, 0)) {
			say("the run reached the end of its time: stopping it");
			timed_out = true;
			kill(pid, SIGTERM);
		} else if (timed_out && budget_over(b, 10)) {
			kill(pid, SIGKILL); /* 10 s after SIGTERM */
		}
		usleep(50000);
	}
	json_object_set_new(report, "run_wall_s", json_real(uptime_s() - t0));
	json_object_set_new(report, "run_timed_out", json_boolean(timed_out));
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	json_object_set_new(report, "run_signal", json_integer(WTERMSIG(status)));
	return 128 + WTERMSIG(status);
}

static void send_file(int port, const char *name, const char *path)
{
	size_t len = 0, zlen = 0;
	char *data = slurp(path, &len), fname[80];
	void *z = NULL;

	if (!data) {
		say("%s: %s: not sent", path, strerror(errno));
		return;
	}
	/* the serial line is slow under emulation: send JSON compressed */
	if (sb_xz_compress(data, len, &z, &zlen) == 0) {
		snprintf(fname, sizeof(fname), "%s.xz", name);
		if (sb_frame_write(port, fname, z, zlen) < 0)
			say("sending %s: %s", fname, strerror(errno));
		free(z);
	} else if (sb_frame_write(port, name, data, len) < 0) {
		say("sending %s: %s", name, strerror(errno));
	}
	free(data);
}

int sb_guest_main(void)
{
	json_error_t jerr;
	json_t *job;
	struct utsname u;
	struct budget b = { 0, 0 };
	char *text;
	size_t len;
	int port, rc;

	report = json_object();
	mount_all();
	port = open_port();
	uname(&u);
	say("booted %s at %.2f s uptime", u.release, uptime_s());
	/* the marker the host waits for (boot deadline) */
	printf("SPLICEBENCH-BOOTED uptime=%.3f\n", uptime_s());
	fflush(stdout);
	json_object_set_new(report, "booted_uptime_s", json_real(uptime_s()));
	json_object_set_new(report, "kernel_release", json_string(u.release));
	text = slurp("/proc/cmdline", &len);
	if (text) {
		while (len && (text[len - 1] == '\n' || text[len - 1] == '\0'))
			len--;
		json_object_set_new(report, "cmdline", json_stringn(text, len));
		free(text);
	}

	job = json_load_file(SB_GUEST_JOB, 0, &jerr);
	if (!job) {
		say("%s: %s", SB_GUEST_JOB, jerr.text);
		json_object_set_new(report, "error", json_sprintf("job: %s", jerr.text));
		rc = SB_EXIT_ENV;
		goto out;
	}
	load_modules(job);
	/*
	 * The host stops the machine at deadline_epoch (its wall clock) or
	 * deadline_s after starting qemu; end the run a margin before that.
	 */
	{
		double dl = json_number_value(json_object_get(job, "deadline_s"));
		double margin = dl / 10 > 20 ? dl / 10 : 20;
		json_int_t epoch = json_integer_value(json_object_get(job, "deadline_epoch"));
		time_t now;

		if (epoch > 0 && rtc_now(&now))
			b.stop_epoch = (time_t)(epoch - (json_int_t)margin);
		else if (dl > 0)
			b.stop_uptime = dl - margin > uptime_s() + 1 ? dl - margin : uptime_s() + 1;
		json_object_set_new(report, "budget_clock",
				    json_string(b.stop_epoch ? "rtc" : b.stop_uptime ? "uptime"
										     : "none"));
	}
	rc = run_child(job, &b);
	if (rc < 0) {
		json_object_set_new(report, "error",
				    json_sprintf("starting the run: %s", strerror(-rc)));
		rc = SB_EXIT_ENV;
	}
	json_decref(job);
	say("run finished: exit status %d at %.2f s uptime", rc, uptime_s());
out:
	json_object_set_new(report, "run_rc", json_integer(rc));
	json_object_set_new(report, "end_uptime_s", json_real(uptime_s()));
	if (port >= 0) {
		char *rep = json_dumps(report, JSON_COMPACT | JSON_SORT_KEYS);

		if (rep) {
			sb_frame_write(port, "agent.json", rep, strlen(rep));
			free(rep);
		}
		if (!access(OUT_DIR "/result.json", R_OK))
			send_file(port, "result.json", OUT_DIR "/result.json");
		if (!access(STRESS_OUT, R_OK))
			send_file(port, "stress.json", STRESS_OUT);
		sb_frame_write_exit(port, rc); /* drains the port */
		close(port);
	}
	json_decref(report);
	power_off();
}
