/* SPDX-License-Identifier: MIT */
/*
 * An in-memory writer of the "newc" cpio format (magic 070701) that the
 * kernel unpacks as an initramfs (Documentation/driver-api/early-userspace/
 * buffer-format.rst).
 *
 * Every entry has uid 0, gid 0, mtime 0 and an inode number from a counter,
 * so identical calls give a byte-identical archive. Regular files, symlinks
 * and device nodes have nlink 1 (the kernel treats a non-directory with
 * nlink > 1 as a hard link), directories nlink 2.
 *
 * Paths are stored relative ("init", "lib/modules/x.ko"); leading '/'s are
 * dropped. A path must not be empty, have empty, "." or ".." components
 * ("a..b" is a fine name), a trailing '/', or be PATH_MAX bytes or longer.
 * Missing parent directories are added once, mode 0755. Adding a path twice
 * is -EEXIST, except a directory added again with the same mode (a no-op),
 * and a path below a non-directory is -ENOTDIR.
 *
 * @mode is the permission bits (07777); type bits in it, if any, must match
 * the entry's type. Functions return 0 or -errno; on failure nothing is
 * added and sb_cpio_error() says why in one line.
 */
#ifndef SB_CPIO_H
#define SB_CPIO_H

#include <stddef.h>

/* c_filesize is 8 hex digits */
#define SB_CPIO_MAX_FILE 0xffffffffULL

/* for sb_cpio_add_file_from(): the host file's permission bits */
#define SB_CPIO_HOST_MODE (~0U)

struct sb_cpio;

/* NULL when out of memory */
struct sb_cpio *sb_cpio_new(void);
void sb_cpio_free(struct sb_cpio *c);

int sb_cpio_add_dir(struct sb_cpio *c, const char *path, unsigned int mode);
/* -E2BIG over SB_CPIO_MAX_FILE bytes */
int sb_cpio_add_file(struct sb_cpio *c, const char *path, unsigned int mode, const void *data,
		     size_t len);
/*
 * A regular host file (symlinks followed), read whole; @mode may be
 * SB_CPIO_HOST_MODE. @why gets the reason of a failure (also for I/O).
 */
int sb_cpio_add_file_from(struct sb_cpio *c, const char *path, unsigned int mode,
			  const char *host_path, char *why, size_t why_len);
/* @target: non-empty, at most PATH_MAX bytes, stored as is */
int sb_cpio_add_symlink(struct sb_cpio *c, const char *path, const char *target);
/* major < 4096, minor < 2^20 (the kernel's dev_t) */
int sb_cpio_add_chardev(struct sb_cpio *c, const char *path, unsigned int mode,
			unsigned int major, unsigned int minor);

/*
 * Appends the "TRAILER!!!" entry and pads the archive with NULs to a
 * multiple of 512 bytes. A second call does nothing; adding after it is
 * -EINVAL.
 */
int sb_cpio_finish(struct sb_cpio *c);

/* The archive so far (all of it after sb_cpio_finish()); valid until the next call. */
const void *sb_cpio_data(const struct sb_cpio *c, size_t *len);

/* Number of entries added, parents included, the trailer not. */
size_t sb_cpio_count(const struct sb_cpio *c);

/* The reason of the last failure, "" if none. */
const char *sb_cpio_error(const struct sb_cpio *c);

/*
 * Writes the finished archive to @path (created 0644 or truncated);
 * -EINVAL if sb_cpio_finish() was not called.
 */
int sb_cpio_write_file(const struct sb_cpio *c, const char *path, char *why, size_t why_len);

#endif
