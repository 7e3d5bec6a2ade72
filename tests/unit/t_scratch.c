// SPDX-License-Identifier: MIT
/*
 * Scratch environment tests.
 *
 * Without root: file system names, --dir mode, stale directory recovery, and
 * the "needs root" refusal. With root, in forked children (so this process
 * stays in the host mount namespace): tmpfs/ext4/xfs creation and teardown,
 * cleanup by the atexit hook, SIGKILL of an owner followed by recovery, and
 * recovery of mounts and loop devices left in the current namespace.
 *
 * A child reports its checks through a pipe ("R<ok> <line> <text>"); the
 * parent turns them into TAP lines, so the numbering stays in one process.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <linux/loop.h>
#include <linux/magic.h>

#include "log.h"
#include "scratch.h"
#include "tap.h"

#define NOBODY 65534
#define FS_BYTES (64 * SB_MIB)
#define ROOT_SKIP_REASON "needs root to mount"

static char test_root[PATH_MAX];

/* ------------------------------------------------------------ helpers */

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static char *join(const char *a, const char *b)
{
	char *s;

	if (asprintf(&s, "%s/%s", a, b) < 0)
		tap_bail("out of memory");
	return s;
}

static int read_text(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return -errno;
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
	return (int)n;
}

static int write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	if (!f)
		return -errno;
	fputs(text, f);
	return fclose(f) == 0 ? 0 : -errno;
}

static void boot_id(char *buf, size_t len)
{
	if (read_text("/proc/sys/kernel/random/boot_id", buf, len) <= 0)
		tap_bail("cannot read the boot id");
	buf[strcspn(buf, "\n")] = '\0';
}

/* Field 22 (start time) and field 3 (state) of /proc/<pid>/stat. */
static unsigned long long start_time(pid_t pid, char *state)
{
	char path[64], buf[1024], *p;
	unsigned long long v = 0;
	int field = 3;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_text(path, buf, sizeof(buf)) <= 0)
		return 0;
	p = strrchr(buf, ')');
	if (!p)
		return 0;
	for (p = strtok(p + 1, " "); p; p = strtok(NULL, " "), field++) {
		if (field == 3 && state)
			*state = p[0];
		if (field == 22) {
			v = strtoull(p, NULL, 10);
			break;
		}
	}
	return v;
}

static void write_marker(const char *dir, pid_t pid, unsigned long long start, const char *boot)
{
	char *m = join(dir, SB_SCRATCH_MARKER), text[256];

	snprintf(text, sizeof(text), "pid=%d\nstart=%llu\nboot_id=%s\ncreated=%lld\n", (int)pid,
		 start, boot, (long long)time(NULL));
	if (write_text(m, text) < 0)
		tap_bail("cannot write %s", m);
	free(m);
}

/* Hold the lock a live owner holds on its marker; returns the fd to close later. */
static int hold_marker_lock(const char *dir)
{
	char *m = join(dir, SB_SCRATCH_MARKER);
	int fd = open(m, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0)
		tap_bail("locking %s: %s", m, strerror(errno));
	free(m);
	return fd;
}

static char *make_dir(const char *parent, const char *name)
{
	char *p = join(parent, name);

	if (mkdir(p, 0700) < 0)
		tap_bail("mkdir %s: %s", p, strerror(errno));
	return p;
}

static void make_file(const char *dir, const char *name, const char *text)
{
	char *p = join(dir, name);

	if (write_text(p, text) < 0)
		tap_bail("cannot write %s", p);
	free(p);
}

/* Is @path strictly below @dir? */
static bool below(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(path, dir, n) == 0 && path[n] == '/';
}

/* Mounts strictly below @dir in a mountinfo file (octal escapes are not expected here). */
static int mounts_below(const char *mountinfo, const char *dir)
{
	char line[4096], mp[PATH_MAX];
	FILE *f = fopen(mountinfo, "re");
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) == 1 && below(mp, dir))
			n++;
	}
	fclose(f);
	return n;
}

/* Loop devices whose backing file lies below @dir; with @detach, detach them. */
static int loops_below(const char *dir, bool detach)
{
	DIR *d = opendir("/sys/block");
	struct dirent *de;
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		char path[PATH_MAX], buf[PATH_MAX];
		int nr, end = 0;

		if (sscanf(de->d_name, "loop%d%n", &nr, &end) != 1 || de->d_name[end])
			continue;
		snprintf(path, sizeof(path), "/sys/block/%s/loop/backing_file", de->d_name);
		if (read_text(path, buf, sizeof(buf)) <= 0)
			continue;
		buf[strcspn(buf, "\n")] = '\0';
		if (!below(buf, dir))
			continue;
		n++;
		if (detach) {
			int fd;

			snprintf(path, sizeof(path), "/dev/loop%d", nr);
			fd = open(path, O_RDWR | O_CLOEXEC);
			if (fd >= 0) {
				ioctl(fd, LOOP_CLR_FD, 0);
				close(fd);
			}
		}
	}
	closedir(d);
	return n;
}

/* Wait up to ~5 s for the loop devices backed below @dir to go away. */
static int wait_loops_gone(const char *dir, double *waited)
{
	struct timespec t0, t1, ts = { 0, 50 * 1000 * 1000 };
	int n;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < 100; i++) {
		n = loops_below(dir, false);
		if (n == 0)
			break;
		nanosleep(&ts, NULL);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	*waited = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	return n;
}

/* Attach @file to a free loop device without autoclear; returns its number or -1. */
static int loop_attach_plain(const char *file)
{
	int ctl, ffd, lfd = -1, nr = -1;

	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	ffd = open(file, O_RDWR | O_CLOEXEC);
	if (ctl < 0 || ffd < 0)
		goto out;
	for (int i = 0; i < 10; i++) {
		char dev[32];

		nr = ioctl(ctl, LOOP_CTL_GET_FREE);
		if (nr < 0)
			break;
		snprintf(dev, sizeof(dev), "/dev/loop%d", nr);
		lfd = open(dev, O_RDWR | O_CLOEXEC);
		if (lfd >= 0 && ioctl(lfd, LOOP_SET_FD, ffd) == 0)
			break;
		if (lfd >= 0)
			close(lfd);
		lfd = -1;
		nr = -1;
		if (errno != EBUSY)
			break;
	}
out:
	if (lfd >= 0)
		close(lfd);
	if (ffd >= 0)
		close(ffd);
	if (ctl >= 0)
		close(ctl);
	return nr;
}

/* Write 1 MiB to @dir/data, read it back. */
static bool write_readback(const char *dir)
{
	static char wbuf[SB_MIB], rbuf[SB_MIB];
	char *p = join(dir, "data");
	bool good = false;
	int fd;

	for (size_t i = 0; i < sizeof(wbuf); i++)
		wbuf[i] = (char)(i * 31 + 7);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		goto out;
	if (write(fd, wbuf, sizeof(wbuf)) != (ssize_t)sizeof(wbuf) || fsync(fd) < 0) {
		close(fd);
		goto out;
	}
	close(fd);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		goto out;
	good = read(fd, rbuf, sizeof(rbuf)) == (ssize_t)sizeof(rbuf) &&
	       memcmp(wbuf, rbuf, sizeof(rbuf)) == 0;
	close(fd);
out:
	free(p);
	return good;
}

static pid_t dead_pid(void)
{
	pid_t pid = fork();

	if (pid < 0)
		tap_bail("fork: %s", strerror(errno));
	if (pid == 0) {
		/* exec, so that a leak checker does not inspect this copy of our heap */
		int nul = open("/dev/null", O_WRONLY | O_CLOEXEC);

		if (nul >= 0) {
			dup2(nul, STDOUT_FILENO);
			dup2(nul, STDERR_FILENO);
		}
		execl("/bin/true", "true", (char *)NULL);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	return pid;
}

/* ------------------------------------------------------------ child channel */

static int chan_fd = -1;

static void chan_write(const char *buf)
{
	size_t len = strlen(buf);

	while (len) {
		ssize_t r = write(chan_fd, buf, len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			_exit(99);
		buf += r;
		len -= (size_t)r;
	}
}

static void chan_vsend(char type, int line, const char *fmt, va_list ap)
{
	char buf[1024];
	int n;

	if (type == 'R' || type == 'r')
		n = snprintf(buf, sizeof(buf), "R%d %d ", type == 'R', line);
	else
		n = snprintf(buf, sizeof(buf), "%c ", type);
	vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
	for (char *p = buf; *p; p++)
		if (*p == '\n')
			*p = ' ';
	strcat(buf, "\n");
	chan_write(buf);
}

static bool c_result(bool cond, int line, const char *fmt, ...) TAP_PRINTF(3, 4);
static bool c_result(bool cond, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	chan_vsend(cond ? 'R' : 'r', line, fmt, ap);
	va_end(ap);
	return cond;
}

static void c_send(char type, const char *fmt, ...) TAP_PRINTF(2, 3);
static void c_send(char type, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	chan_vsend(type, 0, fmt, ap);
	va_end(ap);
}

#define c_ok(cond, ...) c_result(!!(cond), __LINE__, __VA_ARGS__)

struct child_rec {
	char path[PATH_MAX];	    /* 'P' */
	char atexit_path[PATH_MAX]; /* 'A' */
};

/* Turn a child's records into TAP; stop early at a 'K' (ready) record if @until_ready. */
static bool collect(FILE *f, struct child_rec *rec, bool until_ready)
{
	char *line = NULL;
	size_t cap = 0;
	bool ready = false;

	while (getline(&line, &cap, f) > 0) {
		int good, ln, n = 0;

		line[strcspn(line, "\n")] = '\0';
		switch (line[0]) {
		case 'R':
			if (sscanf(line + 1, "%d %d %n", &good, &ln, &n) == 2 && n)
				tap_ok(good, __FILE__, ln, "%s", line + 1 + n);
			break;
		case 'P':
			snprintf(rec->path, sizeof(rec->path), "%s", line + 2);
			break;
		case 'A':
			snprintf(rec->atexit_path, sizeof(rec->atexit_path), "%s", line + 2);
			break;
		case 'D':
			tap_diag("%s", line + 2);
			break;
		case 'K':
			ready = true;
			break;
		default:
			break;
		}
		if (ready && until_ready)
			break;
	}
	free(line);
	return ready;
}

static pid_t start_child(void (*fn)(const char *arg), const char *arg, FILE **f)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		tap_bail("pipe: %s", strerror(errno));
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		tap_bail("fork: %s", strerror(errno));
	if (pid == 0) {
		close(p[0]);
		chan_fd = p[1];
		fn(arg);
		exit(0); /* runs the scratch atexit hook */
	}
	close(p[1]);
	*f = fdopen(p[0], "r");
	if (!*f)
		tap_bail("fdopen: %s", strerror(errno));
	return pid;
}

static int wait_child(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return st;
}

/* Run @fn in a child to completion; its checks become TAP lines. */
static int run_child(const char *what, void (*fn)(const char *arg), const char *arg,
		     struct child_rec *rec)
{
	FILE *f;
	pid_t pid = start_child(fn, arg, &f);
	int st;

	collect(f, rec, false);
	fclose(f);
	st = wait_child(pid);
	ok(st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s: child exited with status 0",
	   what);
	return st;
}

/* ------------------------------------------------------------ names */

static void test_names(void)
{
	is_str(sb_fs_name(SB_FS_TMPFS), "tmpfs", "sb_fs_name(TMPFS)");
	is_str(sb_fs_name(SB_FS_EXT4), "ext4", "sb_fs_name(EXT4)");
	is_str(sb_fs_name(SB_FS_XFS), "xfs", "sb_fs_name(XFS)");
	ok(sb_fs_name(SB_FS_NR) != NULL, "sb_fs_name(out of range) is not NULL");
	for (int i = 0; i < SB_FS_NR; i++)
		is_int(sb_fs_from_name(sb_fs_name((enum sb_fs)i)), i, "sb_fs_from_name(\"%s\")",
		       sb_fs_name((enum sb_fs)i));
	is_int(sb_fs_from_name("btrfs"), -1, "sb_fs_from_name(\"btrfs\") is -1");
	is_int(sb_fs_from_name("EXT4"), -1, "sb_fs_from_name is case sensitive");
	is_int(sb_fs_from_name(""), -1, "sb_fs_from_name(\"\") is -1");
	is_int(sb_fs_from_name(NULL), -1, "sb_fs_from_name(NULL) is -1");
	ok(sb_scratch_path(NULL) == NULL, "sb_scratch_path(NULL) is NULL");
	ok(sb_scratch_dir_fstype(NULL) == NULL, "sb_scratch_dir_fstype(NULL) is NULL");
	ok(sb_scratch_fs_info(NULL, SB_FS_EXT4) == NULL, "sb_scratch_fs_info(NULL) is NULL");
	sb_scratch_destroy(NULL);
	ok(1, "sb_scratch_destroy(NULL) is harmless");
}

/* ------------------------------------------------------------ --dir mode */

static bool fstype_plausible(const char *got, const char *dir)
{
	struct statfs sfs;

	if (!got || !*got || statfs(dir, &sfs) < 0)
		return false;
	switch ((unsigned long)sfs.f_type) {
	case TMPFS_MAGIC:
		return strcmp(got, "tmpfs") == 0;
	case EXT4_SUPER_MAGIC:
		return strcmp(got, "ext2") == 0 || strcmp(got, "ext3") == 0 ||
		       strcmp(got, "ext4") == 0;
	case XFS_SUPER_MAGIC:
		return strcmp(got, "xfs") == 0;
	case BTRFS_SUPER_MAGIC:
		return strcmp(got, "btrfs") == 0;
	case OVERLAYFS_SUPER_MAGIC:
		return strcmp(got, "overlay") == 0;
	default:
		return true;
	}
}

static void test_use_dir(void)
{
	char why[512] = "", real[PATH_MAX], want[PATH_MAX + 64], buf[512], path2[PATH_MAX];
	char *user = make_dir(test_root, "userdir");
	char *file = join(test_root, "afile");
	char *sentinel = join(test_root, "sentinel");
	char *sdir = make_dir(test_root, "sentinel-dir");
	struct sb_scratch *s = NULL, *s2 = NULL;
	const char *path, *dir = "x";
	char *p, *q;
	int r;

	make_file(test_root, "afile", "x\n");
	make_file(test_root, "sentinel", "keep\n");
	make_file(sdir, "inside", "keep\n");
	make_file(user, "keep", "keep\n");

	r = sb_scratch_use_dir("/nonexistent-splicebench-test", &s, why, sizeof(why));
	is_int(r, -ENOENT, "--dir on a missing path: -ENOENT");
	is_str(why, "--dir /nonexistent-splicebench-test: No such file or directory",
	       "--dir on a missing path: reason");
	ok(s == NULL, "--dir on a missing path: no scratch");

	r = sb_scratch_use_dir(file, &s, why, sizeof(why));
	is_int(r, -ENOTDIR, "--dir on a regular file: -ENOTDIR");
	snprintf(want, sizeof(want), "--dir %s: Not a directory", file);
	is_str(why, want, "--dir on a regular file: reason");

	r = sb_scratch_use_dir(user, &s, why, sizeof(why));
	if (!is_int(r, 0, "--dir %s: created (%s)", user, r ? why : "ok")) {
		tap_skip(1, "--dir scratch not created");
		goto out;
	}
	path = sb_scratch_path(s);
	ok(realpath(user, real) && strncmp(path, real, strlen(real)) == 0 &&
		   strncmp(path + strlen(real), "/" SB_SCRATCH_PREFIX,
			   strlen("/" SB_SCRATCH_PREFIX)) == 0,
	   "--dir scratch %s is a splicebench-* directory inside %s", path, user);
	ok(is_dir(path), "--dir scratch exists");
	p = join(path, SB_SCRATCH_MARKER);
	snprintf(want, sizeof(want), "pid=%d\n", (int)getpid());
	ok(read_text(p, buf, sizeof(buf)) > 0 && strncmp(buf, want, strlen(want)) == 0 &&
		   strstr(buf, "\nstart=") && strstr(buf, "\nboot_id=") && strstr(buf, "\ncreated="),
	   "--dir scratch has an owner marker naming this process");
	free(p);
	ok(fstype_plausible(sb_scratch_dir_fstype(s), user), "--dir fstype of %s is \"%s\"", user,
	   sb_scratch_dir_fstype(s) ? sb_scratch_dir_fstype(s) : "(null)");
	r = sb_scratch_fs(s, SB_FS_TMPFS, &dir, why, sizeof(why));
	is_int(r, -EINVAL, "--dir mode: sb_scratch_fs is -EINVAL");
	ok(dir == NULL, "--dir mode: sb_scratch_fs leaves no directory");
	ok(sb_scratch_fs_info(s, SB_FS_TMPFS) == NULL, "--dir mode: no fs info");

	r = sb_scratch_use_dir(user, &s2, why, sizeof(why));
	ok(r == 0 && strcmp(sb_scratch_path(s2), path) != 0,
	   "a second --dir scratch in the same directory is distinct");
	snprintf(path2, sizeof(path2), "%s", r == 0 ? sb_scratch_path(s2) : "");

	/* contents: nested directories, symlinks pointing outside, a fifo */
	p = make_dir(path, "a");
	q = make_dir(p, "b");
	make_file(q, "f", "data\n");
	make_file(path, "top", "data\n");
	free(q);
	q = join(p, "link-file");
	if (symlink(sentinel, q) < 0)
		tap_bail("symlink: %s", strerror(errno));
	free(q);
	q = join(p, "link-dir");
	if (symlink(sdir, q) < 0)
		tap_bail("symlink: %s", strerror(errno));
	free(q);
	q = join(path, "fifo");
	if (mkfifo(q, 0600) < 0)
		tap_bail("mkfifo: %s", strerror(errno));
	free(q);
	free(p);

	snprintf(real, sizeof(real), "%s", path);
	sb_scratch_destroy(s);
	ok(!exists(real), "--dir scratch removed by destroy");
	ok(is_dir(user), "--dir: the user's directory itself remains");
	p = join(user, "keep");
	ok(exists(p), "--dir: the user's other files remain");
	free(p);
	p = join(sdir, "inside");
	ok(exists(sentinel) && exists(p), "symlink targets outside the scratch are untouched");
	free(p);
	sb_scratch_destroy(s2);
	ok(path2[0] && !exists(path2), "second --dir scratch destroyed");

	if (is_dir("/dev/shm")) {
		r = sb_scratch_use_dir("/dev/shm", &s, why, sizeof(why));
		if (is_int(r, 0, "--dir /dev/shm (%s)", r ? why : "ok")) {
			is_str(sb_scratch_dir_fstype(s), "tmpfs", "--dir /dev/shm is tmpfs");
			snprintf(real, sizeof(real), "%s", sb_scratch_path(s));
			sb_scratch_destroy(s);
			ok(!exists(real), "--dir /dev/shm scratch removed");
		}
	}
out:
	free(user);
	free(file);
	free(sentinel);
	free(sdir);
}

/* ------------------------------------------------------------ recovery, no mounts */

static void test_recover_plain(void)
{
	char *root = make_dir(test_root, "recover");
	char boot[64], state = 0;
	unsigned long long self_start = start_time(getpid(), NULL);
	char *foreign, *live, *dead, *reused, *oldboot, *garbage, *zombie, *target, *link, *wrong;
	char *otherns, *other = NULL, *sub, *p;
	int zp[2], r, live_lock, otherns_lock;
	pid_t zpid;

	boot_id(boot, sizeof(boot));

	foreign = make_dir(root, "splicebench-foreign");
	make_file(foreign, "file", "x\n");

	live = make_dir(root, "splicebench-live");
	write_marker(live, getpid(), self_start, boot);
	live_lock = hold_marker_lock(live);

	/*
	 * An owner in another pid namespace: its marker names a pid that means
	 * nothing here, but it holds the lock, so it is alive.
	 */
	otherns = make_dir(root, "splicebench-otherns");
	write_marker(otherns, dead_pid(), 1, boot);
	otherns_lock = hold_marker_lock(otherns);

	dead = make_dir(root, "splicebench-dead");
	write_marker(dead, dead_pid(), 12345, boot);
	sub = make_dir(dead, "d1");
	p = make_dir(sub, "d2");
	make_file(p, "f", "x\n");
	free(p);
	p = join(sub, "escape");
	if (symlink(test_root, p) < 0)
		tap_bail("symlink: %s", strerror(errno));
	free(p);
	free(sub);
	make_file(dead, "image.img", "not really\n");

	reused = make_dir(root, "splicebench-reused");
	write_marker(reused, getpid(), self_start + 1, boot);

	oldboot = make_dir(root, "splicebench-oldboot");
	write_marker(oldboot, getpid(), self_start, "00000000-0000-0000-0000-000000000000");

	garbage = make_dir(root, "splicebench-garbage");
	make_file(garbage, SB_SCRATCH_MARKER, "hello\n");

	wrong = make_dir(root, "other-dead");
	write_marker(wrong, dead_pid(), 1, boot);

	target = make_dir(test_root, "link-target");
	write_marker(target, dead_pid(), 1, boot);
	link = join(root, "splicebench-link");
	if (symlink(target, link) < 0)
		tap_bail("symlink: %s", strerror(errno));

	if (geteuid() == 0) {
		other = make_dir(root, "splicebench-otheruser");
		write_marker(other, dead_pid(), 1, boot);
		p = join(other, SB_SCRATCH_MARKER);
		if (chown(other, NOBODY, NOBODY) < 0 || chown(p, NOBODY, NOBODY) < 0)
			tap_bail("chown: %s", strerror(errno));
		free(p);
	}

	/* an owner that exited but was not reaped yet */
	zombie = make_dir(root, "splicebench-zombie");
	if (pipe2(zp, O_CLOEXEC) < 0)
		tap_bail("pipe: %s", strerror(errno));
	fflush(stdout);
	zpid = fork();
	if (zpid < 0)
		tap_bail("fork: %s", strerror(errno));
	if (zpid == 0) {
		/*
		 * cat exits when the pipe closes (both ends are close-on-exec, so it
		 * holds only its stdin); exec keeps a leak checker out of this copy.
		 */
		int nul = open("/dev/null", O_WRONLY | O_CLOEXEC);

		dup2(zp[0], STDIN_FILENO);
		if (nul >= 0) {
			dup2(nul, STDOUT_FILENO);
			dup2(nul, STDERR_FILENO);
		}
		execlp("cat", "cat", (char *)NULL);
		_exit(0);
	}
	close(zp[0]);
	write_marker(zombie, zpid, start_time(zpid, NULL), boot);
	close(zp[1]);
	for (int i = 0; i < 500 && state != 'Z'; i++) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };

		start_time(zpid, &state);
		if (state != 'Z')
			nanosleep(&ts, NULL);
	}
	if (!ok(state == 'Z', "zombie owner prepared"))
		kill(zpid, SIGKILL);

	r = sb_scratch_recover_stale(root);
	is_int(r, 4, "recover_stale removed dead, reused-pid, old-boot and zombie owners");
	waitpid(zpid, NULL, 0);
	ok(!exists(dead), "dead owner's directory removed (with nested content)");
	ok(is_dir(test_root), "a symlink inside a stale directory was not followed");
	ok(!exists(reused), "pid reused (start time differs): removed");
	ok(!exists(oldboot), "marker from another boot: removed");
	ok(!exists(zombie), "zombie owner: removed");
	p = join(foreign, "file");
	ok(exists(p), "directory without a marker left alone");
	free(p);
	p = join(live, SB_SCRATCH_MARKER);
	ok(exists(p), "directory of a live owner (this process) left alone");
	free(p);
	ok(exists(otherns), "a locked marker naming a pid unknown here (other pid namespace) is "
			    "left alone");
	close(otherns_lock);
	is_int(sb_scratch_recover_stale(root), 1, "once its lock is gone, it is removed");
	ok(!exists(otherns), "the unlocked directory is gone");
	ok(exists(garbage), "directory with an unparsable marker left alone");
	ok(exists(wrong), "directory not named splicebench-* left alone");
	ok(exists(link) && is_dir(target), "symlink named splicebench-* and its target left alone");
	if (other)
		ok(exists(other), "directory owned by another user left alone");
	is_int(sb_scratch_recover_stale(root), 0, "a second recovery finds nothing");
	ok(sb_scratch_recover_stale("/nonexistent-splicebench-test") < 0,
	   "recovery of a missing root fails");

	close(live_lock);
	free(foreign);
	free(live);
	free(otherns);
	free(dead);
	free(reused);
	free(oldboot);
	free(garbage);
	free(zombie);
	free(target);
	free(link);
	free(wrong);
	free(other);
	free(root);
}

/* ------------------------------------------------------------ no root */

static void nonroot_child(const char *root)
{
	struct sb_scratch_opts o = { .root = root, .fs_bytes = FS_BYTES };
	const char *want = "creating file systems needs root (mount, loop devices)";
	struct sb_scratch *s = NULL;
	char why[512] = "", why2[512] = "", path[PATH_MAX];
	const char *dir = "x";
	struct stat st;
	int r;

	if (geteuid() == 0 && (setgroups(0, NULL) < 0 || setgid(NOBODY) < 0 ||
			       setuid(NOBODY) < 0)) {
		c_ok(0, "drop root: %s", strerror(errno));
		return;
	}
	r = sb_scratch_create(&o, &s, why, sizeof(why));
	if (!c_ok(r == 0, "non-root: create under %s (%s)", root, r ? why : "ok"))
		return;
	snprintf(path, sizeof(path), "%s", sb_scratch_path(s));
	c_ok(stat(path, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 0700,
	     "non-root: scratch directory is mode 0700");
	c_ok(sb_scratch_dir_fstype(s) == NULL, "non-root: no --dir fstype outside --dir mode");
	r = sb_scratch_fs(s, SB_FS_EXT4, &dir, why, sizeof(why));
	c_ok(r == -EPERM, "non-root: ext4 is -EPERM (got %d)", r);
	c_ok(strcmp(why, want) == 0, "non-root: reason \"%s\"", why);
	c_ok(dir == NULL, "non-root: no directory returned");
	r = sb_scratch_fs(s, SB_FS_EXT4, &dir, why2, sizeof(why2));
	c_ok(r == -EPERM && strcmp(why, why2) == 0, "non-root: the failure is remembered");
	r = sb_scratch_fs(s, SB_FS_TMPFS, &dir, why, sizeof(why));
	c_ok(r == -EPERM, "non-root: tmpfs is -EPERM too");
	c_ok(sb_scratch_fs_info(s, SB_FS_EXT4) == NULL, "non-root: no fs info");
	sb_scratch_destroy(s);
	c_ok(!exists(path), "non-root: destroy removed %s", path);
}

static void test_nonroot(void)
{
	struct child_rec rec = { "", "" };
	char *root = make_dir(test_root, "nobody");

	if (geteuid() == 0) {
		/* the unprivileged child must be able to reach and write its root */
		if (chmod(test_root, 0711) < 0 || chown(root, NOBODY, NOBODY) < 0)
			tap_bail("chmod/chown: %s", strerror(errno));
	}
	run_child(geteuid() == 0 ? "as nobody" : "non-root", nonroot_child, root, &rec);
	free(root);
}

/* ------------------------------------------------------------ root: file systems */

static const unsigned long fs_magic[SB_FS_NR] = {
	[SB_FS_TMPFS] = TMPFS_MAGIC,
	[SB_FS_EXT4] = EXT4_SUPER_MAGIC,
	[SB_FS_XFS] = XFS_SUPER_MAGIC,
};

static const char *jget_str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static void check_info(struct sb_scratch *s, enum sb_fs fs, const char *dir)
{
	const char *name = sb_fs_name(fs), *dev, *mkfs, *ver, *opts;
	json_t *info = sb_scratch_fs_info(s, fs);
	char want[PATH_MAX + 128], img[PATH_MAX], sys[128], buf[PATH_MAX];
	struct statvfs sv;
	char *txt;
	int nr = -1, r;

	if (!c_ok(info != NULL, "%s: fs info present", name))
		return;
	txt = json_dumps(info, JSON_COMPACT);
	c_send('D', "%s info: %s", name, txt ? txt : "?");
	free(txt);
	c_ok(json_object_size(info) == 9, "%s: info has 9 keys", name);
	if (strcmp(name, "tmpfs") == 0)
		c_ok(json_is_null(json_object_get(info, "loop_direct_io")),
		     "%s: no loop device, loop_direct_io null", name);
	else
		c_ok(json_is_boolean(json_object_get(info, "loop_direct_io")),
		     "%s: loop_direct_io is what sysfs says (%s)", name,
		     json_is_true(json_object_get(info, "loop_direct_io")) ? "true" : "false");
	c_ok(jget_str(info, "fs") && strcmp(jget_str(info, "fs"), name) == 0, "%s: info.fs", name);
	c_ok(jget_str(info, "mountpoint") && strcmp(jget_str(info, "mountpoint"), dir) == 0,
	     "%s: info.mountpoint is %s", name, dir);
	opts = jget_str(info, "mount_options");
	c_ok(opts && strncmp(opts, "rw", 2) == 0, "%s: info.mount_options \"%s\"", name,
	     opts ? opts : "(null)");
	memset(&sv, 0, sizeof(sv));
	r = statvfs(dir, &sv);
	c_ok(r == 0 &&
		     json_integer_value(json_object_get(info, "block_size")) == (json_int_t)sv.f_bsize,
	     "%s: info.block_size matches statvfs (%lu)", name, sv.f_bsize);
	dev = jget_str(info, "device");
	mkfs = jget_str(info, "mkfs");
	ver = jget_str(info, "mkfs_version");
	snprintf(img, sizeof(img), "%s/%s.img", sb_scratch_path(s), name);
	switch (fs) {
	case SB_FS_TMPFS:
		c_ok(json_is_null(json_object_get(info, "device")) &&
			     json_is_null(json_object_get(info, "image_bytes")) &&
			     json_is_null(json_object_get(info, "mkfs")) &&
			     json_is_null(json_object_get(info, "mkfs_version")),
		     "tmpfs: device, image_bytes, mkfs, mkfs_version are null");
		c_ok(opts && strstr(opts, "size=65536k"), "tmpfs: size limit applied");
		c_ok(opts && strstr(opts, "nosuid") && strstr(opts, "nodev"),
		     "tmpfs: nosuid,nodev");
		break;
	case SB_FS_EXT4:
	case SB_FS_XFS:
		c_ok(dev && sscanf(dev, "/dev/loop%d", &nr) == 1, "%s: device %s is a loop device",
		     name, dev ? dev : "(null)");
		c_ok(json_integer_value(json_object_get(info, "image_bytes")) ==
			     (json_int_t)(fs == SB_FS_XFS ? SB_XFS_MIN_IMAGE : FS_BYTES),
		     "%s: image_bytes (xfs raised to its minimum)", name);
		if (fs == SB_FS_EXT4)
			snprintf(want, sizeof(want),
				 "mkfs.ext4 -q -F -b 4096 -E lazy_itable_init=0,lazy_journal_init=0 %s",
				 img);
		else
			snprintf(want, sizeof(want), "mkfs.xfs -q -f %s", img);
		c_ok(mkfs && strcmp(mkfs, want) == 0, "%s: info.mkfs \"%s\"", name,
		     mkfs ? mkfs : "(null)");
		c_ok(ver && strstr(ver, fs == SB_FS_XFS ? "mkfs.xfs version" : "mke2fs"),
		     "%s: info.mkfs_version \"%s\"", name, ver ? ver : "(null)");
		snprintf(sys, sizeof(sys), "/sys/block/loop%d/loop/backing_file", nr);
		c_ok(nr >= 0 && read_text(sys, buf, sizeof(buf)) > 0 &&
			     strncmp(buf, img, strlen(img)) == 0,
		     "%s: loop%d is backed by %s", name, nr, img);
		snprintf(sys, sizeof(sys), "/sys/block/loop%d/loop/autoclear", nr);
		c_ok(nr >= 0 && read_text(sys, buf, sizeof(buf)) > 0 && buf[0] == '1',
		     "%s: loop%d has autoclear", name, nr);
		{
			struct loop_info64 li;
			int fd;

			memset(&li, 0, sizeof(li));
			snprintf(sys, sizeof(sys), "/dev/loop%d", nr);
			fd = open(sys, O_RDONLY | O_CLOEXEC);
			c_ok(fd >= 0 && ioctl(fd, LOOP_GET_STATUS64, &li) == 0 &&
				     strncmp((const char *)li.lo_file_name, "splicebench:", 12) == 0,
			     "%s: loop%d lo_file_name \"%.*s\"", name, nr, LO_NAME_SIZE,
			     (const char *)li.lo_file_name);
			if (fd >= 0)
				close(fd);
		}
		break;
	default:
		break;
	}
	json_decref(info);
}

static void fs_child(const char *root)
{
	struct sb_scratch_opts o = { .root = root, .fs_bytes = FS_BYTES };
	struct sb_scratch *s = NULL, *s2 = NULL, *s3 = NULL;
	char why[512] = "", why2[512] = "", want[PATH_MAX + 64], path[PATH_MAX], buf[512];
	char ns_self[64] = "", ns_parent[64] = "", link[64];
	const char *dir, *dir2;
	struct statfs sfs;
	double waited;
	int r;

	r = sb_scratch_create(&o, &s, why, sizeof(why));
	if (!c_ok(r == 0, "create under %s (%s)", root, r ? why : "ok"))
		return;
	snprintf(path, sizeof(path), "%s", sb_scratch_path(s));
	c_send('P', "%s", path);
	snprintf(want, sizeof(want), "%s/%s", root, SB_SCRATCH_PREFIX);
	c_ok(strncmp(path, want, strlen(want)) == 0 && strlen(path) == strlen(want) + 6,
	     "scratch is %sXXXXXX", want);
	snprintf(want, sizeof(want), "%s/%s", path, SB_SCRATCH_MARKER);
	{
		char boot[64], exp[256];

		boot_id(boot, sizeof(boot));
		snprintf(exp, sizeof(exp), "pid=%d\nstart=%llu\nboot_id=%s\ncreated=",
			 (int)getpid(), start_time(getpid(), NULL), boot);
		c_ok(read_text(want, buf, sizeof(buf)) > 0 && strncmp(buf, exp, strlen(exp)) == 0,
		     "marker names pid, start time, boot id, creation time");
	}
	snprintf(link, sizeof(link), "/proc/%d/ns/mnt", (int)getppid());
	c_ok(readlink("/proc/self/ns/mnt", ns_self, sizeof(ns_self) - 1) > 0 &&
		     readlink(link, ns_parent, sizeof(ns_parent) - 1) > 0 &&
		     strcmp(ns_self, ns_parent) != 0,
	     "root: running in a private mount namespace (%s vs %s)", ns_self, ns_parent);
	c_ok(sb_scratch_fs_info(s, SB_FS_EXT4) == NULL, "no fs info before creation");
	r = sb_scratch_fs(s, SB_FS_NR, &dir, why, sizeof(why));
	c_ok(r == -EINVAL, "sb_scratch_fs(SB_FS_NR) is -EINVAL");

	for (int i = 0; i < SB_FS_NR; i++) {
		enum sb_fs fs = (enum sb_fs)i;
		const char *name = sb_fs_name(fs);

		dir = NULL;
		r = sb_scratch_fs(s, fs, &dir, why, sizeof(why));
		if (!c_ok(r == 0, "%s: created (%s)", name, r ? why : "ok"))
			continue;
		snprintf(want, sizeof(want), "%s/%s", path, name);
		c_ok(dir && strcmp(dir, want) == 0, "%s: directory is %s", name, want);
		c_ok(write_readback(dir), "%s: 1 MiB written and read back", name);
		memset(&sfs, 0, sizeof(sfs));
		r = statfs(dir, &sfs);
		c_ok(r == 0 && (unsigned long)sfs.f_type == fs_magic[fs], "%s: statfs type 0x%lx",
		     name, (unsigned long)sfs.f_type);
		r = sb_scratch_fs(s, fs, &dir2, why, sizeof(why));
		c_ok(r == 0 && dir2 == dir, "%s: second call returns the same directory", name);
		check_info(s, fs, dir);
	}
	c_ok(mounts_below("/proc/self/mountinfo", path) == 3, "three mounts below the scratch");

	/* a failing mkfs is reported and remembered */
	o.fs_bytes = 4096;
	r = sb_scratch_create(&o, &s3, why, sizeof(why));
	if (c_ok(r == 0, "create a second scratch (%s)", r ? why : "ok")) {
		r = sb_scratch_fs(s3, SB_FS_EXT4, &dir, why, sizeof(why));
		c_ok(r < 0 && strncmp(why, "mkfs.ext4 failed: exit status ", 30) == 0,
		     "4 KiB ext4 image: %d \"%s\"", r, why);
		c_ok(strchr(why, '\n') == NULL, "reason is one line");
		r = sb_scratch_fs(s3, SB_FS_EXT4, &dir, why2, sizeof(why2));
		c_ok(r < 0 && strcmp(why, why2) == 0, "the mkfs failure is remembered");
		snprintf(want, sizeof(want), "%s/ext4.img", sb_scratch_path(s3));
		c_ok(!exists(want), "failed image removed");
		c_ok(sb_scratch_fs_info(s3, SB_FS_EXT4) == NULL, "no fs info after a failure");
		snprintf(want, sizeof(want), "%s", sb_scratch_path(s3));
		sb_scratch_destroy(s3);
		c_ok(!exists(want), "second scratch destroyed");
	}

	sb_scratch_destroy(s);
	c_ok(!exists(path), "destroy removed %s", path);
	c_ok(mounts_below("/proc/self/mountinfo", path) == 0, "destroy unmounted everything");
	r = wait_loops_gone(path, &waited);
	c_ok(r == 0, "destroy left no loop device (%d, waited %.2f s)", r, waited);

	/* exit() without destroy: the atexit hook cleans up */
	o.fs_bytes = FS_BYTES;
	r = sb_scratch_create(&o, &s2, why, sizeof(why));
	if (!c_ok(r == 0, "create a scratch for the atexit check (%s)", r ? why : "ok"))
		return;
	r = sb_scratch_fs(s2, SB_FS_TMPFS, &dir, why, sizeof(why));
	c_ok(r == 0, "atexit scratch: tmpfs (%s)", r ? why : "ok");
	r = sb_scratch_fs(s2, SB_FS_EXT4, &dir, why, sizeof(why));
	c_ok(r == 0, "atexit scratch: ext4 (%s)", r ? why : "ok");
	c_send('A', "%s", sb_scratch_path(s2));
	exit(0);
}

static void test_fs(void)
{
	struct child_rec rec = { "", "" };
	char *root = make_dir(test_root, "fs");
	double waited;
	int n;

	run_child("file systems", fs_child, root, &rec);
	ok(rec.path[0] && !exists(rec.path), "scratch directory gone after the child");
	ok(rec.atexit_path[0] && !exists(rec.atexit_path),
	   "exit() without destroy: the atexit hook removed %s", rec.atexit_path);
	n = wait_loops_gone(root, &waited);
	is_int(n, 0, "no loop device left behind (waited %.2f s)", waited);
	free(root);
}

/* ------------------------------------------------------------ root: SIGKILL */

static void sigkill_child(const char *root)
{
	struct sb_scratch_opts o = { .root = root, .fs_bytes = FS_BYTES };
	struct sb_scratch *s = NULL;
	char why[512] = "";
	const char *dir;
	int r;

	r = sb_scratch_create(&o, &s, why, sizeof(why));
	if (!c_ok(r == 0, "sigkill child: create (%s)", r ? why : "ok"))
		return;
	c_send('P', "%s", sb_scratch_path(s));
	for (int i = 0; i < SB_FS_NR; i++) {
		r = sb_scratch_fs(s, (enum sb_fs)i, &dir, why, sizeof(why));
		if (c_ok(r == 0, "sigkill child: %s (%s)", sb_fs_name((enum sb_fs)i),
			 r ? why : "ok"))
			c_ok(write_readback(dir), "sigkill child: wrote into %s", dir);
	}
	c_send('K', "ready");
	for (;;)
		pause();
}

static void test_sigkill(void)
{
	struct child_rec rec = { "", "" };
	char *root = make_dir(test_root, "killed");
	char *foreign, *live, *p, mi[64];
	int live_lock;
	char boot[64];
	double waited;
	bool ready;
	FILE *f;
	pid_t pid;
	int st, n;

	pid = start_child(sigkill_child, root, &f);
	ready = collect(f, &rec, true);
	ok(ready && rec.path[0], "sigkill child ready with tmpfs, ext4 and xfs");
	if (ready) {
		snprintf(mi, sizeof(mi), "/proc/%d/mountinfo", (int)pid);
		is_int(mounts_below(mi, rec.path), 3, "the child sees its three mounts");
		is_int(mounts_below("/proc/self/mountinfo", rec.path), 0,
		       "the mounts are invisible outside the child's namespace");
		is_int(loops_below(rec.path, false), 2, "two loop devices back onto its images");
	}
	kill(pid, SIGKILL);
	collect(f, &rec, false);
	fclose(f);
	st = wait_child(pid);
	ok(st >= 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "child killed with SIGKILL");
	if (!rec.path[0]) {
		tap_skip(6, "the child created no scratch");
		goto out;
	}
	is_int(mounts_below("/proc/self/mountinfo", rec.path), 0, "no mount left after SIGKILL");
	n = wait_loops_gone(rec.path, &waited);
	is_int(n, 0, "loop devices detached with the namespace (waited %.2f s)", waited);
	p = join(rec.path, SB_SCRATCH_MARKER);
	ok(exists(p), "the killed run's directory and marker remain");
	free(p);

	foreign = make_dir(root, "splicebench-foreign");
	make_file(foreign, "file", "x\n");
	live = make_dir(root, "splicebench-live");
	boot_id(boot, sizeof(boot));
	write_marker(live, getpid(), start_time(getpid(), NULL), boot);
	live_lock = hold_marker_lock(live);

	is_int(sb_scratch_recover_stale(root), 1, "recover_stale removes the killed run's directory");
	ok(!exists(rec.path), "%s is gone", rec.path);
	p = join(foreign, "file");
	ok(exists(p), "splicebench-foreign (no marker) untouched");
	free(p);
	p = join(live, SB_SCRATCH_MARKER);
	ok(exists(p), "directory of a live owner untouched");
	free(p);
	close(live_lock);
	free(foreign);
	free(live);
out:
	free(root);
}

/* ------------------------------------------------------------ root: stale mounts */

static void stale_mounts_child(const char *root)
{
	char *stale, *a, *b, *img, boot[64];
	int nr, r, fd;

	if (!c_ok(unshare(CLONE_NEWNS) == 0 && mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) == 0,
		  "stale mounts: private namespace for the test"))
		return;
	boot_id(boot, sizeof(boot));
	stale = make_dir(root, "splicebench-mounted");
	write_marker(stale, dead_pid(), 1, boot);
	a = make_dir(stale, "a");
	c_ok(mount("t_scratch", a, "tmpfs", 0, "size=1m") == 0, "stale mounts: tmpfs on a");
	b = make_dir(a, "b");
	c_ok(mount("t_scratch", b, "tmpfs", 0, "size=1m") == 0, "stale mounts: tmpfs on a/b");
	make_file(b, "f", "x\n");
	img = join(stale, "disk.img");
	fd = open(img, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || ftruncate(fd, 8 * SB_MIB) < 0)
		tap_bail("image: %s", strerror(errno));
	close(fd);
	nr = loop_attach_plain(img);
	c_ok(nr >= 0, "stale mounts: loop device attached without autoclear");
	c_ok(mounts_below("/proc/self/mountinfo", stale) == 2, "stale mounts: two mounts");
	c_ok(loops_below(stale, false) == 1, "stale mounts: one loop device");

	r = sb_scratch_recover_stale(root);
	c_ok(r == 1, "stale mounts: recover_stale returned %d", r);
	c_ok(mounts_below("/proc/self/mountinfo", stale) == 0, "stale mounts: unmounted");
	c_ok(loops_below(stale, false) == 0, "stale mounts: loop device detached");
	c_ok(!exists(stale), "stale mounts: directory removed");
	free(stale);
	free(a);
	free(b);
	free(img);
}

static void test_stale_mounts(void)
{
	struct child_rec rec = { "", "" };
	char *root = make_dir(test_root, "stale-mounts");

	run_child("stale mounts", stale_mounts_child, root, &rec);
	is_int(loops_below(root, true), 0, "stale mounts: no loop device left behind");
	free(root);
}

/* ------------------------------------------------------------ main */

int main(void)
{
	int leftover;

	alarm(600);
	snprintf(test_root, sizeof(test_root), "/var/tmp/t_scratch-XXXXXX");
	if (!mkdtemp(test_root))
		tap_bail("mkdtemp under /var/tmp: %s", strerror(errno));

	test_names();
	test_use_dir();
	test_recover_plain();
	test_nonroot();
	if (geteuid() == 0) {
		test_fs();
		test_sigkill();
		test_stale_mounts();
	} else {
		tap_skip(3, ROOT_SKIP_REASON);
	}

	leftover = loops_below(test_root, true);
	is_int(leftover, 0, "no loop device backed by the test root");
	is_int(mounts_below("/proc/self/mountinfo", test_root), 0, "no mount below the test root");
	ok(tap_rm_rf(test_root) == 0 && !exists(test_root), "test root %s removed", test_root);
	return tap_done();
}
