// SPDX-License-Identifier: MIT
/*
 * Scratch environment: the run's private directory, the file systems made in
 * it (tmpfs, loop-mounted ext4 and xfs), their teardown, and the recovery of
 * directories left behind by killed runs. See scratch.h for the contract.
 *
 * Everything removed here is something this code created: a directory named
 * SB_SCRATCH_PREFIX* holding a valid owner marker, mounts below it, and loop
 * devices backed by files inside it. Tree removal never follows symlinks and
 * never descends into another mount.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
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
#include <sys/stat.h>
#include <sys/file.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <linux/loop.h>
#include <linux/magic.h>

#include "exec.h"
#include "log.h"
#include "scratch.h"

#ifndef STATX_ATTR_MOUNT_ROOT
#define STATX_ATTR_MOUNT_ROOT 0x00002000
#endif

/* size of each file system when the caller passes fs_bytes == 0 */
#define DEFAULT_FS_BYTES SB_GIB
#define UMOUNT_TRIES 10
#define UMOUNT_SLEEP_MS 50
#define LOOP_TRIES 8
#define TREE_MAX_DEPTH 64
#define MARKER_MAX 4096
#define BOOT_ID_LEN 64
#define WHY_LEN 512
#define LOOP_NAME_PREFIX "splicebench:"
#define MARKER_TMP SB_SCRATCH_MARKER ".tmp"

struct scratch_fs {
	bool tried;	       /* sb_scratch_fs() ran for it: err/why or the fields below */
	int err;	       /* remembered -errno */
	char *why;	       /* remembered reason */
	bool mounted;
	char *mountpoint;
	char *image;	       /* ext4/xfs image path */
	int loop_nr;	       /* attached loop device or -1 */
	char *device;	       /* "/dev/loopN" */
	uint64_t image_bytes;
	char *mkfs_cmd;
	char *mkfs_version;
	char *mount_options;
	uint64_t block_size;
	int loop_dio;	       /* loop device does direct I/O to its image: 1, 0, -1 unknown */
};

struct sb_scratch {
	struct sb_scratch *next; /* live list, for the atexit hook */
	char *path;
	char *dir_fstype;	 /* --dir mode only */
	bool dir_mode;
	pid_t owner;		 /* process that created it; only it tears down */
	int lock_fd;		 /* the marker, flock(LOCK_EX) while we live */
	uint64_t fs_bytes;
	char *fs_device[SB_FS_NR]; /* sb_scratch_opts.fs_device */
	struct scratch_fs fs[SB_FS_NR];
};

static struct sb_scratch *live_list;
static bool atexit_registered;
static bool private_ns_tried;

static const char *const fs_names[SB_FS_NR] = {
	[SB_FS_TMPFS] = "tmpfs",
	[SB_FS_EXT4] = "ext4",
	[SB_FS_XFS] = "xfs",
};

const char *sb_fs_name(enum sb_fs fs)
{
	if ((unsigned int)fs >= SB_FS_NR)
		return "unknown";
	return fs_names[fs];
}

int sb_fs_from_name(const char *name)
{
	if (!name)
		return -1;
	for (int i = 0; i < SB_FS_NR; i++)
		if (strcmp(name, fs_names[i]) == 0)
			return i;
	return -1;
}

/* ------------------------------------------------------------ small helpers */

/* "@dir/@name", without doubling the slash when @dir is "/" */
static char *path_join(const char *dir, const char *name)
{
	size_t n = strlen(dir);

	return sb_asprintf("%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/", name);
}

/* Is @path strictly below directory @dir? */
static bool path_below(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (n == 1 && dir[0] == '/')
		return path[0] == '/' && path[1] != '\0';
	return strncmp(path, dir, n) == 0 && path[n] == '/' && path[n + 1] != '\0';
}

/* Is @path @dir or below it? */
static bool path_within(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (n == 1 && dir[0] == '/')
		return path[0] == '/';
	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = {
		.tv_sec = ms / 1000,
		.tv_nsec = (long)(ms % 1000) * 1000000L,
	};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void strip_newline(char *s)
{
	s[strcspn(s, "\n")] = '\0';
}

/* Read what @fd holds into @buf (NUL terminated). Returns the length or -errno. */
static ssize_t read_fd(int fd, char *buf, size_t len)
{
	size_t n = 0;
	ssize_t r;

	while (n < len - 1) {
		r = read(fd, buf + n, len - 1 - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	return (ssize_t)n;
}

/* Read a small file into @buf (NUL terminated). Returns its length or -errno. */
static ssize_t read_small(int dfd, const char *path, int flags, char *buf, size_t len)
{
	ssize_t r;
	int fd;

	fd = openat(dfd, path, O_RDONLY | O_CLOEXEC | flags);
	if (fd < 0)
		return -errno;
	r = read_fd(fd, buf, len);
	close(fd);
	return r;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t r = write(fd, buf, len);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += r;
		len -= (size_t)r;
	}
	return 0;
}

static int read_boot_id(char *buf, size_t len)
{
	ssize_t r = read_small(AT_FDCWD, "/proc/sys/kernel/random/boot_id", 0, buf, len);

	if (r < 0)
		return (int)r;
	strip_newline(buf);
	return buf[0] ? 0 : -EINVAL;
}

/* Start time (field 22 of /proc/<pid>/stat) and state (field 3) of @pid. */
static int proc_stat(pid_t pid, unsigned long long *start, char *state)
{
	char path[64], buf[1024], *p, *tok, *save = NULL, *end;
	ssize_t r;
	int field;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	r = read_small(AT_FDCWD, path, 0, buf, sizeof(buf));
	if (r < 0)
		return (int)r;
	/* comm (field 2) may contain spaces and parentheses: skip to the last ')' */
	p = strrchr(buf, ')');
	if (!p)
		return -EINVAL;
	field = 3;
	for (tok = strtok_r(p + 1, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save), field++) {
		if (field == 3 && state)
			*state = tok[0];
		if (field == 22) {
			errno = 0;
			*start = strtoull(tok, &end, 10);
			if (errno || *end)
				return -EINVAL;
			return 0;
		}
	}
	return -EINVAL;
}

/* Shell-like rendering of an argv for the result file: "mkfs.xfs -q -f /x/xfs.img". */
static char *argv_string(const char *const *argv)
{
	size_t len = 1;
	char *s, *p;

	for (int i = 0; argv[i]; i++)
		len += strlen(argv[i]) * 4 + 3;
	s = malloc(len);
	if (!s)
		return NULL;
	p = s;
	for (int i = 0; argv[i]; i++) {
		const char *a = argv[i];
		bool plain = *a != '\0' &&
			     strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				       "0123456789_./=,:+-@%") == strlen(a);

		if (i)
			*p++ = ' ';
		if (plain) {
			p = stpcpy(p, a);
			continue;
		}
		*p++ = '\'';
		for (; *a; a++) {
			if (*a == '\'')
				p = stpcpy(p, "'\\''");
			else
				*p++ = *a;
		}
		*p++ = '\'';
	}
	*p = '\0';
	return s;
}

/* First non-empty line of @s, trimmed, at most 200 characters (static buffer). */

/* ------------------------------------------------------------ mountinfo */

struct mnt_entry {
	unsigned int major, minor;
	const char *mountpoint;
	const char *opts;
	const char *fstype;
	const char *source;
	const char *super_opts;
};

/* Undo the octal escapes (\040 etc.) of /proc/self/mountinfo, in place. */
static char *unescape(char *s)
{
	char *r = s, *w = s;

	while (*r) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)(((r[1] - '0') << 6) | ((r[2] - '0') << 3) | (r[3] - '0'));
			r += 4;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
	return s;
}

static int parse_mountinfo_line(char *line, struct mnt_entry *e)
{
	char *save = NULL, *tok[6], *t;

	strip_newline(line);
	for (int i = 0; i < 6; i++) {
		tok[i] = strtok_r(i ? NULL : line, " ", &save);
		if (!tok[i])
			return -EINVAL;
	}
	if (sscanf(tok[2], "%u:%u", &e->major, &e->minor) != 2)
		return -EINVAL;
	e->mountpoint = unescape(tok[4]);
	e->opts = tok[5];
	/* optional fields end with a lone "-" */
	while ((t = strtok_r(NULL, " ", &save)) && strcmp(t, "-") != 0)
		;
	if (!t)
		return -EINVAL;
	t = strtok_r(NULL, " ", &save);
	if (!t)
		return -EINVAL;
	e->fstype = unescape(t);
	t = strtok_r(NULL, " ", &save);
	if (!t)
		return -EINVAL;
	e->source = unescape(t);
	t = strtok_r(NULL, " ", &save);
	e->super_opts = t ? t : "";
	return 0;
}

/* Call @cb for each mount of this process' namespace until it returns true. */
static int for_each_mount(bool (*cb)(const struct mnt_entry *e, void *arg), void *arg)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL;
	size_t cap = 0;

	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		struct mnt_entry e;

		if (parse_mountinfo_line(line, &e) < 0)
			continue;
		if (cb(&e, arg))
			break;
	}
	free(line);
	fclose(f);
	return 0;
}

/* "rw,relatime" + "rw,inode64,..." -> "rw,relatime,inode64,..." */
static char *combine_opts(const char *mnt, const char *sup)
{
	size_t n = strlen(mnt);
	char *out = malloc(n + strlen(sup) + 2), *copy, *tok, *save = NULL;

	if (!out)
		return NULL;
	memcpy(out, mnt, n + 1);
	copy = strdup(sup);
	if (!copy)
		return out;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t tl = strlen(tok);
		const char *p = out;
		bool dup = false;

		while (*p) {
			size_t pl = strcspn(p, ",");

			if (pl == tl && strncmp(p, tok, tl) == 0) {
				dup = true;
				break;
			}
			p += pl;
			if (*p == ',')
				p++;
		}
		if (dup)
			continue;
		n = strlen(out);
		if (n)
			out[n++] = ',';
		memcpy(out + n, tok, tl + 1);
	}
	free(copy);
	return out;
}

struct opts_ctx {
	const char *mountpoint;
	char *opts;
};

static bool opts_cb(const struct mnt_entry *e, void *arg)
{
	struct opts_ctx *c = arg;

	/* the last entry for a path is the one on top */
	if (strcmp(e->mountpoint, c->mountpoint) == 0) {
		free(c->opts);
		c->opts = combine_opts(e->opts, e->super_opts);
	}
	return false;
}

static char *mount_options(const char *mountpoint)
{
	struct opts_ctx c = { mountpoint, NULL };

	for_each_mount(opts_cb, &c);
	return c.opts;
}

struct under_ctx {
	const char *dir;
	char **paths;
	size_t n, cap;
	int err;
};

static bool under_cb(const struct mnt_entry *e, void *arg)
{
	struct under_ctx *c = arg;
	char **np;

	if (!path_below(e->mountpoint, c->dir))
		return false;
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 8;
		np = realloc(c->paths, c->cap * sizeof(*np));
		if (!np) {
			c->err = -ENOMEM;
			return true;
		}
		c->paths = np;
	}
	c->paths[c->n] = strdup(e->mountpoint);
	if (!c->paths[c->n]) {
		c->err = -ENOMEM;
		return true;
	}
	c->n++;
	return false;
}

/* ------------------------------------------------------------ unmount, loop */

/* Unmount @mp, waiting a little while it is busy, lazily as a last resort. */
static int unmount_path(const char *mp)
{
	int err;

	for (int i = 0; i < UMOUNT_TRIES; i++) {
		if (umount2(mp, UMOUNT_NOFOLLOW) == 0)
			return 0;
		if (errno == EINVAL || errno == ENOENT)
			return 0; /* not (or no longer) a mount point */
		if (errno == EINTR)
			continue;
		if (errno != EBUSY) {
			err = -errno;
			sb_warn("cannot unmount %s: %s", mp, strerror(-err));
			return err;
		}
		sleep_ms(UMOUNT_SLEEP_MS);
	}
	sb_warn("%s is still busy; detaching it lazily (umount -l)", mp);
	if (umount2(mp, MNT_DETACH | UMOUNT_NOFOLLOW) == 0 || errno == EINVAL)
		return 0;
	err = -errno;
	sb_warn("cannot unmount %s: %s", mp, strerror(-err));
	return err;
}

/* Backing file of /dev/loop@nr, without " (deleted)"; -ENOENT if not attached. */
static int loop_backing_file(int nr, char *buf, size_t len)
{
	static const char deleted[] = " (deleted)";
	char path[96];
	ssize_t r;
	size_t n;

	snprintf(path, sizeof(path), "/sys/block/loop%d/loop/backing_file", nr);
	r = read_small(AT_FDCWD, path, 0, buf, len);
	if (r < 0)
		return (int)r;
	strip_newline(buf);
	n = strlen(buf);
	if (n > sizeof(deleted) - 1 && strcmp(buf + n - (sizeof(deleted) - 1), deleted) == 0)
		buf[n - (sizeof(deleted) - 1)] = '\0';
	return buf[0] ? 0 : -ENOENT;
}

/*
 * Detach /dev/loop@nr if its backing file is @file (or, with @below, lies
 * below directory @file). With @need_name, the device must also carry our
 * lo_file_name. Returns 1 if detached, 0 if it was not ours, -errno.
 */
static int loop_detach(int nr, const char *file, bool below, bool need_name)
{
	char backing[PATH_MAX + 16], dev[32];
	struct loop_info64 info;
	int fd, err;

	if (loop_backing_file(nr, backing, sizeof(backing)) < 0)
		return 0;
	if (below ? !path_below(backing, file) : strcmp(backing, file) != 0)
		return 0;
	snprintf(dev, sizeof(dev), "/dev/loop%d", nr);
	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT || errno == ENXIO ? 0 : -errno;
	if (need_name) {
		memset(&info, 0, sizeof(info));
		if (ioctl(fd, LOOP_GET_STATUS64, &info) < 0 ||
		    strncmp((const char *)info.lo_file_name, LOOP_NAME_PREFIX,
			    strlen(LOOP_NAME_PREFIX)) != 0) {
			close(fd);
			return 0;
		}
	}
	if (ioctl(fd, LOOP_CLR_FD, 0) < 0 && errno != ENXIO) {
		err = -errno;
		close(fd);
		return err;
	}
	close(fd);
	return 1;
}

static int loop_configure(int lfd, int img_fd, const struct loop_info64 *info, const char **step)
{
	int err;

#ifdef LOOP_CONFIGURE
	struct loop_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.fd = (__u32)img_fd;
	cfg.info = *info;
	*step = "LOOP_CONFIGURE";
	if (ioctl(lfd, LOOP_CONFIGURE, &cfg) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOTTY)
		return -errno;
#endif
	*step = "LOOP_SET_FD";
	if (ioctl(lfd, LOOP_SET_FD, img_fd) < 0)
		return -errno;
	*step = "LOOP_SET_STATUS64";
	if (ioctl(lfd, LOOP_SET_STATUS64, info) < 0) {
		err = -errno;
		ioctl(lfd, LOOP_CLR_FD, 0);
		return err;
	}
	/* SET_STATUS64 cannot turn direct I/O on; best effort, sysfs records the outcome */
	if (info->lo_flags & LO_FLAGS_DIRECT_IO)
		ioctl(lfd, LOOP_SET_DIRECT_IO, 1UL);
	return 0;
}

/* /sys/block/loopN/loop/dio: 1 when the loop device does direct I/O, 0 not, -1 unknown. */
static int loop_dio_state(int nr)
{
	char path[64], buf[8] = "";
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/block/loop%d/loop/dio", nr);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	return buf[0] == '1';
}

/*
 * Attach @img_fd (file @image) to a free loop device with autoclear. Returns
 * the open device fd (closing it after the mount lets autoclear detach on
 * unmount) and its number in @nr_out, or -errno with a reason.
 */
static int loop_attach(int img_fd, const char *image, int *nr_out, char *why, size_t why_len)
{
	struct loop_info64 info;
	const char *step = "LOOP_CTL_GET_FREE";
	char dev[32];
	int ctl, nr = -1, lfd = -1, err = -EBUSY;

	memset(&info, 0, sizeof(info));
	/*
	 * Direct I/O to the image, so O_DIRECT and cold-cache reads on the
	 * mounted file system reach storage instead of the page cache of the
	 * file system holding the image. Retried without it where the image's
	 * file system cannot do direct I/O; sysfs tells which one held.
	 */
	info.lo_flags = LO_FLAGS_AUTOCLEAR | LO_FLAGS_DIRECT_IO;
	snprintf((char *)info.lo_file_name, LO_NAME_SIZE, "%s%s", LOOP_NAME_PREFIX, image);

	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0) {
		err = -errno;
		sb_why(why, why_len, "/dev/loop-control: %s (is the loop module available?)",
			strerror(-err));
		return err;
	}
	for (int attempt = 0; attempt < LOOP_TRIES; attempt++) {
		nr = ioctl(ctl, LOOP_CTL_GET_FREE);
		if (nr < 0) {
			err = -errno;
			step = "LOOP_CTL_GET_FREE";
			break;
		}
		snprintf(dev, sizeof(dev), "/dev/loop%d", nr);
		/* a device just created by LOOP_CTL_GET_FREE may take a moment to appear */
		for (int i = 0; i < 20; i++) {
			lfd = open(dev, O_RDWR | O_CLOEXEC);
			if (lfd >= 0 || errno != ENOENT)
				break;
			sleep_ms(10);
		}
		if (lfd < 0) {
			err = -errno;
			step = "open";
			break;
		}
		err = loop_configure(lfd, img_fd, &info, &step);
		if (err == -EINVAL && (info.lo_flags & LO_FLAGS_DIRECT_IO)) {
			info.lo_flags &= ~(uint32_t)LO_FLAGS_DIRECT_IO;
			err = loop_configure(lfd, img_fd, &info, &step);
		}
		if (err == 0)
			break;
		close(lfd);
		lfd = -1;
		if (err != -EBUSY)
			break;
		/* another process took this device between GET_FREE and configure */
		sb_dbg("%s was taken by someone else; trying another loop device", dev);
		sleep_ms(5U * (unsigned int)(attempt + 1));
	}
	close(ctl);
	if (lfd < 0) {
		if (nr >= 0)
			sb_why(why, why_len, "loop device /dev/loop%d for %s: %s: %s", nr, image,
				step, strerror(-err));
		else
			sb_why(why, why_len, "no free loop device for %s: %s: %s", image, step,
				strerror(-err));
		return err;
	}
	*nr_out = nr;
	return lfd;
}

/* ------------------------------------------------------------ tree removal */

static int empty_dir(int fd, const char *path, dev_t dev, int depth, bool keep_marker);

/* Remove @name in directory @dfd (path @dpath) and, for a directory, its contents. */
static int remove_entry(int dfd, const char *dpath, const char *name, dev_t dev, int depth)
{
	struct statx stx;
	struct stat st;
	char *sub;
	int cfd, err;

	if (statx(dfd, name, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, STATX_TYPE | STATX_INO,
		  &stx) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(stx.stx_mode)) {
		if (unlinkat(dfd, name, 0) < 0 && errno != ENOENT)
			return -errno;
		return 0;
	}
	if (makedev(stx.stx_dev_major, stx.stx_dev_minor) != dev ||
	    (stx.stx_attributes_mask & stx.stx_attributes & STATX_ATTR_MOUNT_ROOT)) {
		sb_warn("not removing %s/%s: a file system is mounted there", dpath, name);
		return -EBUSY;
	}
	if (depth >= TREE_MAX_DEPTH)
		return -ELOOP;
	sub = path_join(dpath, name);
	if (!sub)
		return -ENOMEM;
	cfd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (cfd < 0) {
		err = errno == ENOENT ? 0 : -errno;
		free(sub);
		return err;
	}
	/* it must still be the directory we looked at, on the same file system */
	if (fstat(cfd, &st) < 0 || st.st_dev != dev || st.st_ino != stx.stx_ino) {
		close(cfd);
		sb_warn("not removing %s: it changed while being removed", sub);
		free(sub);
		return -EBUSY;
	}
	err = empty_dir(cfd, sub, dev, depth + 1, false);
	free(sub);
	if (err < 0)
		return err;
	if (unlinkat(dfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

/* Remove the contents of directory @fd (consumed). */
static int empty_dir(int fd, const char *path, dev_t dev, int depth, bool keep_marker)
{
	DIR *d = fdopendir(fd);
	int ret = 0, removed;

	if (!d) {
		ret = -errno;
		close(fd);
		return ret;
	}
	/* entries removed during readdir may hide others: repeat until a pass removes nothing */
	for (int pass = 0; pass < 4; pass++) {
		struct dirent *de;

		removed = 0;
		rewinddir(d);
		for (;;) {
			int r;

			errno = 0;
			de = readdir(d);
			if (!de) {
				if (errno && !ret)
					ret = -errno;
				break;
			}
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			if (keep_marker && strcmp(de->d_name, SB_SCRATCH_MARKER) == 0)
				continue;
			r = remove_entry(dirfd(d), path, de->d_name, dev, depth);
			if (r < 0) {
				if (!ret)
					ret = r;
				sb_dbg("cannot remove %s/%s: %s", path, de->d_name, strerror(-r));
			} else {
				removed++;
			}
		}
		if (!removed || ret)
			break;
	}
	closedir(d);
	return ret;
}

int sb_remove_subtree(const char *path)
{
	struct stat st;
	int fd, err;

	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (fstat(fd, &st) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	err = empty_dir(fd, path, st.st_dev, 0, false);
	if (err < 0)
		return err;
	return rmdir(path) < 0 && errno != ENOENT ? -errno : 0;
}

/*
 * Remove scratch directory @path: its contents (same file system only, no
 * symlinks followed), then the marker, then the directory itself. On failure
 * the marker stays, so a later recovery can finish the job.
 */
static int remove_tree(const char *path)
{
	struct stat st;
	char *marker;
	int fd, err;

	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (fstat(fd, &st) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	err = empty_dir(fd, path, st.st_dev, 0, true);
	if (err < 0)
		return err;
	marker = path_join(path, SB_SCRATCH_MARKER);
	if (!marker)
		return -ENOMEM;
	if (unlink(marker) < 0 && errno != ENOENT) {
		err = -errno;
		free(marker);
		return err;
	}
	free(marker);
	if (rmdir(path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

/* ------------------------------------------------------------ marker */

struct marker {
	pid_t pid;
	unsigned long long start;
	char boot_id[BOOT_ID_LEN];
};

/*
 * Write the owner marker and return it open and flock(LOCK_EX)ed in @lock_fd:
 * the lock is taken on the temporary file before it is renamed into place,
 * so no recovery can ever see our marker unlocked. The lock lives as long as
 * the descriptor, i.e. as long as we do (SIGKILL included); recovery removes
 * a directory only when it can take the lock, which no pid comparison can
 * get wrong (pid namespaces, a shared /var/tmp).
 */
static int write_marker(const char *dir, int *lock_fd, char *why, size_t why_len)
{
	char buf[256], boot[BOOT_ID_LEN];
	unsigned long long start;
	pid_t pid = getpid();
	int dfd, fd = -1, err, len;

	*lock_fd = -1;
	err = proc_stat(pid, &start, NULL);
	if (err < 0) {
		sb_why(why, why_len, "/proc/%d/stat: %s", (int)pid, strerror(-err));
		return err;
	}
	err = read_boot_id(boot, sizeof(boot));
	if (err < 0) {
		sb_why(why, why_len, "/proc/sys/kernel/random/boot_id: %s", strerror(-err));
		return err;
	}
	len = snprintf(buf, sizeof(buf), "pid=%d\nstart=%llu\nboot_id=%s\ncreated=%lld\n",
		       (int)pid, start, boot, (long long)time(NULL));
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0) {
		err = -errno;
		sb_why(why, why_len, "%s: %s", dir, strerror(-err));
		return err;
	}
	fd = openat(dfd, MARKER_TMP, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		err = -errno;
		goto fail;
	}
	err = write_all(fd, buf, (size_t)len);
	if (err < 0)
		goto fail;
	if (fsync(fd) < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0) {
		err = -errno;
		goto fail;
	}
	if (renameat(dfd, MARKER_TMP, dfd, SB_SCRATCH_MARKER) < 0) {
		err = -errno;
		goto fail;
	}
	close(dfd);
	*lock_fd = fd;
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	unlinkat(dfd, MARKER_TMP, 0);
	close(dfd);
	sb_why(why, why_len, "%s/%s: %s", dir, SB_SCRATCH_MARKER, strerror(-err));
	return err;
}

static int parse_marker(char *text, struct marker *m)
{
	bool have_pid = false, have_start = false, have_boot = false;
	char *save = NULL, *line, *end;

	memset(m, 0, sizeof(*m));
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *val = strchr(line, '=');

		if (!val)
			continue;
		*val++ = '\0';
		if (!*val)
			return -EINVAL;
		errno = 0;
		if (strcmp(line, "pid") == 0) {
			long v = strtol(val, &end, 10);

			if (errno || *end || v <= 0 || v > INT_MAX)
				return -EINVAL;
			m->pid = (pid_t)v;
			have_pid = true;
		} else if (strcmp(line, "start") == 0) {
			m->start = strtoull(val, &end, 10);
			if (errno || *end || *val == '-')
				return -EINVAL;
			have_start = true;
		} else if (strcmp(line, "boot_id") == 0) {
			if (strlen(val) >= sizeof(m->boot_id))
				return -EINVAL;
			strcpy(m->boot_id, val);
			have_boot = true;
		}
		/* other keys ("created", future additions) are informational */
	}
	return have_pid && have_start && have_boot ? 0 : -EINVAL;
}

/* Read and parse the marker of directory @dfd; it must be a regular file owned by @uid. */
static int read_marker(int dfd, uid_t uid, struct marker *m)
{
	char buf[MARKER_MAX];
	struct stat st;
	ssize_t r;
	int fd;

	fd = openat(dfd, SB_SCRATCH_MARKER, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != uid ||
	    st.st_size >= (off_t)sizeof(buf)) {
		close(fd);
		return -EINVAL;
	}
	r = read_fd(fd, buf, sizeof(buf));
	close(fd);
	if (r < 0)
		return (int)r;
	return parse_marker(buf, m);
}

/* Does the process named by @m still run? When unsure, say yes. */
static bool owner_alive(const struct marker *m, const char *boot)
{
	unsigned long long start;
	char state = '?';
	int r;

	if (strcmp(m->boot_id, boot) != 0)
		return false; /* created before the last reboot */
	r = proc_stat(m->pid, &start, &state);
	if (r == -ENOENT || r == -ESRCH)
		return false;
	if (r < 0)
		return true;
	if (start != m->start)
		return false; /* pid reused */
	/* a zombie has released its mount namespace and files already */
	return state != 'Z' && state != 'X';
}

/* ------------------------------------------------------------ recovery */

static void unmount_below(const char *dir)
{
	struct under_ctx c = { .dir = dir };

	if (for_each_mount(under_cb, &c) < 0 || c.err)
		sb_warn("cannot list the mounts below %s", dir);
	/* mountinfo lists parents before children: unmount in reverse order */
	for (size_t i = c.n; i-- > 0;) {
		if (unmount_path(c.paths[i]) == 0)
			sb_info("unmounted stale %s", c.paths[i]);
		free(c.paths[i]);
	}
	free(c.paths);
}

static void detach_loops_below(const char *dir)
{
	DIR *d = opendir("/sys/block");
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		int nr, end = 0, r;

		if (sscanf(de->d_name, "loop%d%n", &nr, &end) != 1 || de->d_name[end] != '\0')
			continue;
		r = loop_detach(nr, dir, true, false);
		if (r > 0)
			sb_info("detached stale loop device /dev/loop%d", nr);
		else if (r < 0)
			sb_warn("cannot detach /dev/loop%d: %s", nr, strerror(-r));
	}
	closedir(d);
}

/* Look at @root/@name; remove it if it is a stale scratch directory. Returns 1 if removed. */
static int recover_one(int rfd, const char *root, const char *name, const char *boot)
{
	struct marker m;
	struct stat st;
	char *path;
	int dfd, lfd, r;

	if (fstatat(rfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
		return 0;
	if (st.st_uid != geteuid()) /* only directories this user could have made */
		return 0;
	dfd = openat(rfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return 0;
	r = read_marker(dfd, st.st_uid, &m);
	if (r < 0) {
		close(dfd);
		sb_dbg("leaving %s/%s alone: no valid owner marker", root, name);
		return 0;
	}
	/* the owner holds a lock on its marker while it lives */
	lfd = openat(dfd, SB_SCRATCH_MARKER, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	close(dfd);
	if (lfd < 0)
		return 0;
	if (flock(lfd, LOCK_EX | LOCK_NB) < 0) {
		bool held = errno == EWOULDBLOCK;

		/* no flock here (some network file systems): fall back to the pid */
		if (held || owner_alive(&m, boot)) {
			close(lfd);
			return 0;
		}
	}
	path = path_join(root, name);
	if (!path) {
		close(lfd);
		return -ENOMEM;
	}
	unmount_below(path);
	detach_loops_below(path);
	r = remove_tree(path);
	close(lfd);
	if (r < 0) {
		sb_warn("cannot remove stale scratch directory %s: %s", path, strerror(-r));
		free(path);
		return 0;
	}
	sb_info("removed stale scratch directory %s (its owner, pid %d, is gone)", path,
		(int)m.pid);
	free(path);
	return 1;
}

int sb_scratch_recover_stale(const char *root)
{
	char boot[BOOT_ID_LEN], *rroot;
	unsigned long long self_start;
	struct dirent *de;
	int count = 0, err;
	DIR *d;

	if (!root)
		root = SB_SCRATCH_DEFAULT_ROOT;
	/* without a working /proc every owner would look dead: do nothing */
	err = read_boot_id(boot, sizeof(boot));
	if (err == 0)
		err = proc_stat(getpid(), &self_start, NULL);
	if (err < 0)
		return err;
	rroot = realpath(root, NULL);
	if (!rroot)
		return -errno;
	d = opendir(rroot);
	if (!d) {
		err = -errno;
		free(rroot);
		return err;
	}
	while ((de = readdir(d))) {
		int r;

		if (strncmp(de->d_name, SB_SCRATCH_PREFIX, strlen(SB_SCRATCH_PREFIX)) != 0)
			continue;
		r = recover_one(dirfd(d), rroot, de->d_name, boot);
		if (r < 0) {
			err = r;
			break;
		}
		count += r;
	}
	closedir(d);
	free(rroot);
	return err < 0 ? err : count;
}

/* ------------------------------------------------------------ lifetime */

static void scratch_atexit(void)
{
	while (live_list)
		sb_scratch_destroy(live_list); /* unlinks itself */
}

static void list_add(struct sb_scratch *s)
{
	if (!atexit_registered) {
		if (atexit(scratch_atexit) != 0)
			sb_warn("cannot register the scratch cleanup at exit");
		atexit_registered = true;
	}
	s->next = live_list;
	live_list = s;
}

static void list_del(struct sb_scratch *s)
{
	for (struct sb_scratch **pp = &live_list; *pp; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	}
	s->next = NULL;
}

/*
 * Move this process into its own mount namespace with no propagation back, so
 * that its mounts disappear with it, even on SIGKILL. Once per process.
 */
bool sb_private_mount_ns(void)
{
	static bool ok;

	if (private_ns_tried)
		return ok;
	private_ns_tried = true;
	if (unshare(CLONE_NEWNS) < 0) {
		sb_warn("cannot create a private mount namespace (unshare: %s); "
			"a killed run may leave mounts behind",
			strerror(errno));
		return false;
	}
	/* the type is ignored for a propagation change; "none" keeps checkers quiet */
	if (mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0) {
		sb_warn("cannot make mounts private (%s); mounts may be visible outside the run",
			strerror(errno));
		return false;
	}
	sb_dbg("running in a private mount namespace");
	ok = true;
	return true;
}

static struct sb_scratch *scratch_new(void)
{
	struct sb_scratch *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->owner = getpid();
	s->lock_fd = -1;
	for (int i = 0; i < SB_FS_NR; i++)
		s->fs[i].loop_nr = -1;
	return s;
}

static void fs_free(struct scratch_fs *f)
{
	free(f->why);
	free(f->mountpoint);
	free(f->image);
	free(f->device);
	free(f->mkfs_cmd);
	free(f->mkfs_version);
	free(f->mount_options);
	memset(f, 0, sizeof(*f));
	f->loop_nr = -1;
}

static void scratch_free(struct sb_scratch *s)
{
	for (int i = 0; i < SB_FS_NR; i++) {
		fs_free(&s->fs[i]);
		free(s->fs_device[i]);
	}
	if (s->lock_fd >= 0 && s->owner == getpid())
		close(s->lock_fd);
	free(s->path);
	free(s->dir_fstype);
	free(s);
}

/*
 * In the existing directory @parent (a real path): remove stale scratch
 * directories of dead owners, then make ours, "splicebench-XXXXXX", with
 * its locked owner marker. @label names @parent in messages.
 */
static struct sb_scratch *new_marked_dir(const char *parent, const char *label, int *err,
					 char *why, size_t why_len)
{
	struct sb_scratch *s;
	int r = sb_scratch_recover_stale(parent);

	if (r < 0)
		sb_warn("cannot check %s for stale scratch directories: %s", parent, strerror(-r));
	s = scratch_new();
	if (s)
		s->path = sb_asprintf("%s%s%sXXXXXX", parent, strcmp(parent, "/") ? "/" : "",
				    SB_SCRATCH_PREFIX);
	if (!s || !s->path) {
		*err = -ENOMEM;
		sb_why(why, why_len, "out of memory");
		goto fail;
	}
	if (!mkdtemp(s->path)) {
		*err = -errno;
		sb_why(why, why_len, "%s: cannot create a directory there: %s", label,
			strerror(-*err));
		goto fail;
	}
	*err = write_marker(s->path, &s->lock_fd, why, why_len);
	if (*err < 0) {
		remove_tree(s->path);
		goto fail;
	}
	return s;
fail:
	if (s)
		scratch_free(s);
	return NULL;
}

int sb_scratch_create(const struct sb_scratch_opts *opts, struct sb_scratch **out, char *why,
		      size_t why_len)
{
	const char *root = opts && opts->root ? opts->root : SB_SCRATCH_DEFAULT_ROOT;
	struct sb_scratch *s = NULL;
	char *rroot, *label;
	struct stat st;
	int err;

	*out = NULL;
	rroot = realpath(root, NULL);
	if (!rroot) {
		err = -errno;
		sb_why(why, why_len, "scratch root %s: %s", root, strerror(-err));
		return err;
	}
	if (stat(rroot, &st) < 0 || !S_ISDIR(st.st_mode)) {
		err = -ENOTDIR;
		sb_why(why, why_len, "scratch root %s: %s", root, strerror(-err));
		goto fail;
	}
	if (geteuid() == 0)
		sb_private_mount_ns();
	label = sb_asprintf("scratch root %s", root);
	s = new_marked_dir(rroot, label ? label : root, &err, why, why_len);
	free(label);
	if (!s)
		goto fail;
	s->fs_bytes = opts && opts->fs_bytes ? opts->fs_bytes : DEFAULT_FS_BYTES;
	list_add(s);
	for (int i = 0; opts && i < SB_FS_NR; i++) {
		if (!opts->fs_device[i])
			continue;
		s->fs_device[i] = strdup(opts->fs_device[i]);
		if (!s->fs_device[i]) {
			sb_scratch_destroy(s);
			err = -ENOMEM;
			sb_why(why, why_len, "out of memory");
			goto fail;
		}
	}
	sb_dbg("scratch directory %s", s->path);
	free(rroot);
	*out = s;
	return 0;
fail:
	free(rroot);
	return err;
}

/* ------------------------------------------------------------ --dir mode */

struct fstype_ctx {
	const char *path;
	dev_t dev;
	size_t best;
	char *fstype;
};

static bool fstype_cb(const struct mnt_entry *e, void *arg)
{
	struct fstype_ctx *c = arg;
	size_t n = strlen(e->mountpoint);

	if (makedev(e->major, e->minor) != c->dev || !path_within(c->path, e->mountpoint))
		return false;
	if (c->fstype && n < c->best)
		return false;
	free(c->fstype);
	c->fstype = strdup(e->fstype);
	c->best = n;
	return false;
}

/* The fstype column of /proc/self/mountinfo for the mount holding @path. */
static char *mountinfo_fstype(const char *path)
{
	struct fstype_ctx c = { .path = path };
	struct stat st;

	if (stat(path, &st) < 0)
		return NULL;
	c.dev = st.st_dev;
	for_each_mount(fstype_cb, &c);
	return c.fstype;
}

static const struct {
	unsigned long magic;
	const char *name;
} fs_magics[] = {
	{ TMPFS_MAGIC, "tmpfs" },
	{ EXT4_SUPER_MAGIC, "ext4" }, /* shared by ext2/ext3 */
	{ XFS_SUPER_MAGIC, "xfs" },
	{ BTRFS_SUPER_MAGIC, "btrfs" },
	{ OVERLAYFS_SUPER_MAGIC, "overlay" },
	{ NFS_SUPER_MAGIC, "nfs" },
	{ F2FS_SUPER_MAGIC, "f2fs" },
	{ RAMFS_MAGIC, "ramfs" },
	{ 0x65735546UL, "fuse" },
	{ 0x2fc12fc1UL, "zfs" },
	{ 0xca451a4eUL, "bcachefs" },
	{ SMB2_SUPER_MAGIC, "smb2" },
	{ CIFS_SUPER_MAGIC, "cifs" },
	{ V9FS_MAGIC, "9p" },
	{ CEPH_SUPER_MAGIC, "ceph" },
	{ EROFS_SUPER_MAGIC_V1, "erofs" },
	{ SQUASHFS_MAGIC, "squashfs" },
	{ MSDOS_SUPER_MAGIC, "vfat" },
	{ EXFAT_SUPER_MAGIC, "exfat" },
	{ 0x5346544eUL, "ntfs" },
	{ REISERFS_SUPER_MAGIC, "reiserfs" },
	{ 0x3153464aUL, "jfs" },
	{ 0x01161970UL, "gfs2" },
	{ 0x7461636fUL, "ocfs2" },
	{ ECRYPTFS_SUPER_MAGIC, "ecryptfs" },
	{ 0x5a3c69f0UL, "aufs" },
};

char *sb_fstype_of(const char *path)
{
	struct statfs sfs;
	unsigned long magic;
	char *mi;

	if (statfs(path, &sfs) < 0)
		return NULL;
	magic = (unsigned long)sfs.f_type & 0xffffffffUL;
	for (size_t i = 0; i < SB_ARRAY_SIZE(fs_magics); i++) {
		if (fs_magics[i].magic != magic)
			continue;
		/* the ext family and FUSE share a magic: the mount table knows better */
		if (magic == EXT4_SUPER_MAGIC || magic == 0x65735546UL) {
			mi = mountinfo_fstype(path);
			if (mi && (magic != EXT4_SUPER_MAGIC || strncmp(mi, "ext", 3) == 0))
				return mi;
			free(mi);
		}
		return strdup(fs_magics[i].name);
	}
	mi = mountinfo_fstype(path);
	if (mi)
		return mi;
	return sb_asprintf("unknown-0x%lx", magic);
}

int sb_scratch_use_dir(const char *dir, struct sb_scratch **out, char *why, size_t why_len)
{
	struct sb_scratch *s = NULL;
	char *rdir = NULL, *label;
	struct stat st;
	int err;

	*out = NULL;
	if (!dir || !*dir) {
		sb_why(why, why_len, "--dir: empty path");
		return -EINVAL;
	}
	if (stat(dir, &st) < 0) {
		err = -errno;
		sb_why(why, why_len, "--dir %s: %s", dir, strerror(-err));
		return err;
	}
	if (!S_ISDIR(st.st_mode)) {
		sb_why(why, why_len, "--dir %s: %s", dir, strerror(ENOTDIR));
		return -ENOTDIR;
	}
	rdir = realpath(dir, NULL);
	if (!rdir) {
		err = -errno;
		sb_why(why, why_len, "--dir %s: %s", dir, strerror(-err));
		return err;
	}
	/* stale subdirectories of runs killed in this directory go first */
	label = sb_asprintf("--dir %s", dir);
	s = new_marked_dir(rdir, label ? label : dir, &err, why, why_len);
	free(label);
	if (!s)
		goto fail;
	s->dir_mode = true;
	errno = 0;
	s->dir_fstype = sb_fstype_of(s->path);
	if (!s->dir_fstype) {
		err = errno ? -errno : -ENOMEM;
		sb_why(why, why_len, "--dir %s: statfs: %s", dir, strerror(-err));
		remove_tree(s->path);
		goto fail;
	}
	list_add(s);
	sb_dbg("scratch directory %s (%s)", s->path, s->dir_fstype);
	free(rdir);
	*out = s;
	return 0;
fail:
	if (s)
		scratch_free(s);
	free(rdir);
	return err;
}

const char *sb_scratch_path(const struct sb_scratch *s)
{
	return s ? s->path : NULL;
}

const char *sb_scratch_dir_fstype(const struct sb_scratch *s)
{
	return s && s->dir_mode ? s->dir_fstype : NULL;
}

/* ------------------------------------------------------------ file systems */

static void fill_mount_info(struct scratch_fs *f)
{
	struct statvfs sv;

	f->mount_options = mount_options(f->mountpoint);
	if (statvfs(f->mountpoint, &sv) == 0)
		f->block_size = sv.f_bsize;
}

static int make_tmpfs(struct sb_scratch *s, struct scratch_fs *f, char *why, size_t why_len)
{
	char *mp = path_join(s->path, "tmpfs");
	char *data = sb_asprintf("size=%llu,mode=0700", (unsigned long long)s->fs_bytes);
	int err;

	if (!mp || !data) {
		err = -ENOMEM;
		sb_why(why, why_len, "out of memory");
		goto fail;
	}
	if (mkdir(mp, 0700) < 0 && errno != EEXIST) {
		err = -errno;
		sb_why(why, why_len, "mkdir %s: %s", mp, strerror(-err));
		goto fail;
	}
	if (mount("splicebench", mp, "tmpfs", MS_NOSUID | MS_NODEV, data) < 0) {
		err = -errno;
		sb_why(why, why_len, "mount tmpfs on %s: %s", mp, strerror(-err));
		rmdir(mp);
		goto fail;
	}
	free(data);
	f->mountpoint = mp;
	f->mounted = true;
	fill_mount_info(f);
	return 0;
fail:
	free(mp);
	free(data);
	return err;
}


static char *tool_version(const char *tool)
{
	const char *argv[] = { tool, "-V", NULL };
	struct sb_cmd_result res;
	char *v = NULL;
	const char *line;

	if (sb_exec(argv, &res) < 0)
		return NULL;
	if (!res.exec_err && WIFEXITED(res.status) && WEXITSTATUS(res.status) == 0) {
		line = sb_first_line(res.out);
		if (!*line)
			line = sb_first_line(res.err); /* mke2fs -V prints on stderr */
		if (*line)
			v = strdup(line);
	}
	sb_cmd_result_free(&res);
	return v;
}

/* Mount the file system the host made on a block device (the kernel lab's disks). */
static int mount_device(struct sb_scratch *s, enum sb_fs fs, struct scratch_fs *f, char *why,
			size_t why_len)
{
	const char *name = sb_fs_name(fs), *dev = s->fs_device[fs];
	char *mp = path_join(s->path, name);
	struct stat st;
	int err;

	if (!mp) {
		sb_why(why, why_len, "out of memory");
		return -ENOMEM;
	}
	/* a device node may take a moment to appear after its driver loaded */
	for (int i = 0; stat(dev, &st) < 0 && errno == ENOENT && i < 50; i++)
		sleep_ms(100);
	if (stat(dev, &st) < 0) {
		err = -errno;
		sb_why(why, why_len, "%s: %s", dev,
			err == -ENOENT ? "no such device (is its driver built in or loaded?)"
				       : strerror(-err));
		free(mp);
		return err;
	}
	if (!S_ISBLK(st.st_mode)) {
		sb_why(why, why_len, "%s: not a block device", dev);
		free(mp);
		return -ENOTBLK;
	}
	if (mkdir(mp, 0700) < 0 && errno != EEXIST) {
		err = -errno;
		sb_why(why, why_len, "mkdir %s: %s", mp, strerror(-err));
		free(mp);
		return err;
	}
	if (mount(dev, mp, name, 0, NULL) < 0) {
		err = -errno;
		sb_why(why, why_len, "mount %s (%s) on %s: %s", dev, name, mp, strerror(-err));
		rmdir(mp);
		free(mp);
		return err;
	}
	f->mountpoint = mp;
	f->mounted = true;
	f->device = strdup(dev);
	f->image_bytes = (uint64_t)-1;
	f->loop_nr = -1;
	f->loop_dio = -1;
	fill_mount_info(f);
	return 0;
}

static int make_blockfs(struct sb_scratch *s, enum sb_fs fs, struct scratch_fs *f, char *why,
			size_t why_len)
{
	const bool xfs = fs == SB_FS_XFS;
	const char *name = sb_fs_name(fs);
	const char *tool = xfs ? "mkfs.xfs" : "mkfs.ext4";
	const char *pkg = xfs ? "xfsprogs" : "e2fsprogs";
	uint64_t bytes = s->fs_bytes;
	char *img = NULL, *mp = NULL, *img_name = NULL, *cmdline = NULL, dev[32];
	bool made_mp = false;
	struct sb_cmd_result res;
	int img_fd = -1, lfd = -1, nr = -1, err;

	if (xfs)
		bytes = sb_max_u64(bytes, SB_XFS_MIN_IMAGE);
	img_name = sb_asprintf("%s.img", name);
	if (img_name)
		img = path_join(s->path, img_name);
	mp = path_join(s->path, name);
	if (!img || !mp) {
		err = -ENOMEM;
		sb_why(why, why_len, "out of memory");
		goto fail;
	}

	img_fd = open(img, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (img_fd < 0) {
		err = -errno;
		sb_why(why, why_len, "%s: %s", img, strerror(-err));
		goto fail;
	}
	if (ftruncate(img_fd, (off_t)bytes) < 0) {
		err = -errno;
		sb_why(why, why_len, "%s: cannot make a %llu-byte image: %s", img,
			(unsigned long long)bytes, strerror(-err));
		goto fail_img;
	}

	{
		/*
		 * 4 KiB blocks as on real disks (mke2fs picks 1 KiB below 512 MiB);
		 * no lazy init thread writing in the background of the benchmark.
		 */
		const char *ext4_argv[] = { tool, "-q", "-F", "-b", "4096", "-E",
					    "lazy_itable_init=0,lazy_journal_init=0", img, NULL };
		const char *xfs_argv[] = { tool, "-q", "-f", img, NULL };
		const char *const *argv = xfs ? xfs_argv : ext4_argv;

		cmdline = argv_string(argv);
		sb_dbg("running %s", cmdline ? cmdline : tool);
		err = sb_exec(argv, &res);
		if (err < 0) {
			sb_why(why, why_len, "cannot run %s: %s", tool, strerror(-err));
			goto fail_img;
		}
		err = sb_cmd_status(tool, pkg, &res, why, why_len);
		sb_cmd_result_free(&res);
		if (err < 0)
			goto fail_img;
	}

	if (mkdir(mp, 0700) < 0 && errno != EEXIST) {
		err = -errno;
		sb_why(why, why_len, "mkdir %s: %s", mp, strerror(-err));
		goto fail_img;
	}
	made_mp = true;

	lfd = loop_attach(img_fd, img, &nr, why, why_len);
	if (lfd < 0) {
		err = lfd;
		goto fail_img;
	}
	snprintf(dev, sizeof(dev), "/dev/loop%d", nr);
	if (mount(dev, mp, name, 0, NULL) < 0) {
		err = -errno;
		sb_why(why, why_len, "mount %s (%s) on %s: %s", dev, name, mp, strerror(-err));
		ioctl(lfd, LOOP_CLR_FD, 0);
		close(lfd);
		goto fail_img;
	}
	/* the mount holds the device now; autoclear detaches it on unmount */
	close(lfd);
	close(img_fd);
	free(img_name);

	f->mountpoint = mp;
	f->mounted = true;
	f->image = img;
	f->loop_nr = nr;
	f->loop_dio = loop_dio_state(nr);
	f->device = strdup(dev);
	f->image_bytes = bytes;
	f->mkfs_cmd = cmdline;
	f->mkfs_version = tool_version(tool);
	fill_mount_info(f);
	sb_dbg("%s: %s on %s (%s)", name, dev, mp, f->mount_options ? f->mount_options : "?");
	return 0;

fail_img:
	close(img_fd);
	unlink(img);
fail:
	if (made_mp)
		rmdir(mp);
	free(img);
	free(mp);
	free(img_name);
	free(cmdline);
	return err;
}

int sb_scratch_fs(struct sb_scratch *s, enum sb_fs fs, const char **dir, char *why,
		  size_t why_len)
{
	char reason[WHY_LEN] = "";
	struct scratch_fs *f;
	int err;

	if (dir)
		*dir = NULL;
	if (!s || (unsigned int)fs >= SB_FS_NR) {
		sb_why(why, why_len, "invalid file system");
		return -EINVAL;
	}
	if (s->dir_mode) {
		sb_why(why, why_len, "--dir mode works in %s; it creates no file systems",
			s->path);
		return -EINVAL;
	}
	f = &s->fs[fs];
	if (!f->tried) {
		f->tried = true;
		if (geteuid() != 0) {
			err = -EPERM;
			sb_why(reason, sizeof(reason),
				"creating file systems needs root (mount, loop devices)");
		} else if (fs == SB_FS_TMPFS) {
			err = make_tmpfs(s, f, reason, sizeof(reason));
		} else if (s->fs_device[fs]) {
			err = mount_device(s, fs, f, reason, sizeof(reason));
		} else {
			err = make_blockfs(s, fs, f, reason, sizeof(reason));
		}
		if (err < 0) {
			f->err = err;
			f->why = strdup(reason);
			sb_dbg("%s: %s", sb_fs_name(fs), reason);
		}
	}
	if (f->err) {
		sb_why(why, why_len, "%s", f->why ? f->why : strerror(-f->err));
		return f->err;
	}
	if (dir)
		*dir = f->mountpoint;
	return 0;
}

static json_t *jstr(const char *s)
{
	json_t *j = s ? json_string(s) : NULL;

	return j ? j : json_null();
}

json_t *sb_scratch_fs_info(const struct sb_scratch *s, enum sb_fs fs)
{
	const struct scratch_fs *f;
	bool blk = fs != SB_FS_TMPFS;
	json_t *o;
	int r = 0;

	if (!s || (unsigned int)fs >= SB_FS_NR)
		return NULL;
	f = &s->fs[fs];
	if (!f->tried || f->err || !f->mountpoint)
		return NULL;
	o = json_object();
	if (!o)
		return NULL;
	r |= json_object_set_new(o, "fs", jstr(sb_fs_name(fs)));
	r |= json_object_set_new(o, "mountpoint", jstr(f->mountpoint));
	r |= json_object_set_new(o, "device", jstr(f->device));
	r |= json_object_set_new(o, "image_bytes",
				 blk && f->image_bytes != (uint64_t)-1
					 ? json_integer((json_int_t)f->image_bytes)
					 : json_null());
	r |= json_object_set_new(o, "mkfs", jstr(f->mkfs_cmd));
	r |= json_object_set_new(o, "mkfs_version", jstr(f->mkfs_version));
	r |= json_object_set_new(o, "mount_options", jstr(f->mount_options));
	r |= json_object_set_new(o, "block_size", json_integer((json_int_t)f->block_size));
	r |= json_object_set_new(o, "loop_direct_io",
				 !blk || f->loop_dio < 0 ? json_null() : json_boolean(f->loop_dio));
	if (r) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* ------------------------------------------------------------ teardown */

static void fs_teardown(struct scratch_fs *f)
{
	int r;

	if (f->mounted) {
		if (unmount_path(f->mountpoint) == 0)
			f->mounted = false;
	}
	if (f->loop_nr >= 0 && f->image) {
		/* normally autoclear already did this on unmount */
		r = loop_detach(f->loop_nr, f->image, false, true);
		if (r > 0)
			sb_dbg("detached /dev/loop%d", f->loop_nr);
		else if (r < 0)
			sb_warn("cannot detach /dev/loop%d: %s", f->loop_nr, strerror(-r));
		if (r >= 0)
			f->loop_nr = -1;
	}
}

void sb_scratch_destroy(struct sb_scratch *s)
{
	int r;

	if (!s)
		return;
	list_del(s);
	/*
	 * A forked child (a worker calling exit(), say) shares the parent's mounts:
	 * only the creating process tears down; others just free their copy.
	 */
	if (s->owner == getpid() && s->path) {
		for (int i = SB_FS_NR - 1; i >= 0; i--)
			fs_teardown(&s->fs[i]);
		r = remove_tree(s->path);
		if (r < 0)
			sb_warn("cannot remove scratch directory %s: %s", s->path, strerror(-r));
		else
			sb_dbg("removed scratch directory %s", s->path);
	}
	scratch_free(s);
}
