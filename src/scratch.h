/* SPDX-License-Identifier: MIT */
/*
 * Scratch environment: the only place splicebench creates or removes things.
 *
 * A run owns one private directory, made with mkdtemp() under a root
 * (default /var/tmp) and named "splicebench-XXXXXX", holding an owner marker
 * file (SB_SCRATCH_MARKER: pid, pid start time, boot id, creation time).
 * Inside it, per file system target:
 *   tmpfs  a tmpfs mounted at <dir>/tmpfs
 *   ext4   <dir>/ext4.img (sparse) -> mkfs.ext4 -> loop device -> <dir>/ext4
 *   xfs    <dir>/xfs.img  (sparse, >= 300 MiB) -> mkfs.xfs -> loop -> <dir>/xfs
 * Loop devices are attached with LO_FLAGS_AUTOCLEAR and their lo_file_name
 * starts with "splicebench:", so an unmount detaches them and a leftover is
 * recognisable. When root, the process first moves into a private mount
 * namespace (unshare(CLONE_NEWNS), / made rprivate), so even a SIGKILL cannot
 * leave a mount behind: the mounts die with the namespace.
 *
 * Teardown (sb_scratch_destroy) unmounts, detaches and removes everything it
 * created and nothing else. It runs from the normal path, from error paths,
 * and from an atexit() hook, so exit() anywhere still cleans up. After a
 * SIGKILL the directory remains; the next sb_scratch_create() under the same
 * root finds it by its marker (owner process gone) and removes it.
 *
 * --dir PATH mode: the run works in a new marked subdirectory of PATH, and
 * removes only that subdirectory.
 */
#ifndef SB_SCRATCH_H
#define SB_SCRATCH_H

#include <jansson.h>

#include "sb.h"

#define SB_SCRATCH_PREFIX "splicebench-"
#define SB_SCRATCH_MARKER ".splicebench-owner"
#define SB_SCRATCH_DEFAULT_ROOT "/var/tmp"
#define SB_XFS_MIN_IMAGE (300 * SB_MIB)

enum sb_fs {
	SB_FS_TMPFS,
	SB_FS_EXT4,
	SB_FS_XFS,
	SB_FS_NR,
};

const char *sb_fs_name(enum sb_fs fs);
/* Returns the enum for "tmpfs"/"ext4"/"xfs", or -1. */
int sb_fs_from_name(const char *name);

struct sb_scratch_opts {
	const char *root;     /* NULL: SB_SCRATCH_DEFAULT_ROOT */
	uint64_t fs_bytes;    /* size of each created file system (tmpfs size, image size);
			       * xfs images are raised to SB_XFS_MIN_IMAGE */
	/*
	 * ext4/xfs: a block device that already holds that file system (made
	 * on the host by `splicebench vm`, attached as a virtio disk): it is
	 * mounted instead of making an image on a loop device. NULL: make one.
	 */
	const char *fs_device[SB_FS_NR];
};

struct sb_scratch;

/*
 * Create the run's private directory under opts->root, after removing stale
 * splicebench directories left there by dead owners (each removal is reported
 * with sb_info). File systems are created lazily by sb_scratch_fs().
 * Returns 0 or -errno, with a one-line reason in @why.
 */
int sb_scratch_create(const struct sb_scratch_opts *opts, struct sb_scratch **out, char *why,
		      size_t why_len);

/*
 * --dir mode: make a marked subdirectory "splicebench-XXXXXX" inside @dir
 * (which must exist and be a directory). The file system type of @dir is
 * detected with statfs(2) and available from sb_scratch_dir_fstype().
 */
int sb_scratch_use_dir(const char *dir, struct sb_scratch **out, char *why, size_t why_len);

/*
 * The type of the file system holding @path, as sb_scratch_dir_fstype()
 * names it (malloc'd), or NULL when statfs fails.
 */
char *sb_fstype_of(const char *path);

/* The private directory (or the subdirectory in --dir mode). */
const char *sb_scratch_path(const struct sb_scratch *s);

/* --dir mode only: detected type name ("ext4", "tmpfs", "xfs", "btrfs", "overlay", ... or
 * "unknown-0x<magic>"); NULL otherwise. */
const char *sb_scratch_dir_fstype(const struct sb_scratch *s);

/*
 * Return (creating and mounting on first use) the directory to work in for
 * file system @fs. Needs root; without it returns -EPERM and a reason such as
 * "creating file systems needs root (mount, loop devices)". A failure is
 * remembered: later calls return the same error without retrying.
 */
int sb_scratch_fs(struct sb_scratch *s, enum sb_fs fs, const char **dir, char *why,
		  size_t why_len);

/*
 * Description of a created file system for the result file: {"fs", "mountpoint",
 * "device", "image_bytes", "mkfs" (argv as one string), "mkfs_version",
 * "mount_options", "block_size"}; NULL if @fs was not created.
 * Returns a new reference.
 */
json_t *sb_scratch_fs_info(const struct sb_scratch *s, enum sb_fs fs);

/*
 * Move this process into a private mount namespace (once; needs root and a
 * single thread), so that whatever it mounts goes away with it, SIGKILL
 * included. Returns whether the process is in one.
 */
bool sb_private_mount_ns(void);

/*
 * Remove directory @path and everything below it (same file system only, no
 * symlink followed): for subdirectories the run made inside its scratch. 0 or -errno.
 */
int sb_remove_subtree(const char *path);

/* Unmount, detach and remove everything this scratch created; frees @s. NULL is fine. */
void sb_scratch_destroy(struct sb_scratch *s);

/*
 * Remove stale directories under @root: those named SB_SCRATCH_PREFIX* whose
 * marker names an owner that no longer runs (pid gone, or pid reused: start
 * time or boot id differ). Directories without a valid marker are left alone.
 * Returns the number removed, or -errno.
 */
int sb_scratch_recover_stale(const char *root);

#endif
