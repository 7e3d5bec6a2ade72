/* SPDX-License-Identifier: MIT */
/*
 * The kernel inputs of `splicebench vm`, read without root and without
 * dpkg: x86 bzImage headers, Debian kernel packages (.deb) and the
 * dependencies of kernel modules.
 *
 * bzImage: the x86 boot protocol header (Documentation/arch/x86/boot.rst)
 * is validated (boot_flag 0xAA55 at 0x1FE, "HdrS" at 0x202, protocol
 * >= 2.06, LOADED_HIGH, the kernel_version string inside the setup area,
 * the image not shorter than its header says).
 *
 * .deb: an ar archive ("!<arch>\n") of debian-binary (2.x),
 * control.tar[.xz|.gz] and data.tar[.xz|.gz] (zstd, bzip2 and lzma members
 * are refused with a clear reason). The tar stream (ustar, GNU 'L'/'K' long
 * names, pax 'x' path/linkpath/size) is decompressed and parsed in bounded
 * memory. Extraction never writes outside the destination: an absolute
 * path or a ".." component anywhere in the archive fails the whole
 * extraction, parents are opened with O_NOFOLLOW (a symlink on the way is
 * refused), every file is written under a temporary name in its directory
 * and renamed into place (replacing, never following, what was there).
 *
 * Kernel modules: dependencies come from the "depends=" field of the ELF
 * .modinfo section (.ko, .ko.xz, .ko.gz), so no modules.dep is needed
 * (Debian packages ship none: depmod runs at install time).
 *
 * Functions return 0 (or a count) on success and -errno on failure with a
 * one-line reason in @why ("what: why").
 */
#ifndef SB_KIMAGE_H
#define SB_KIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---------------------------------------------------------------- bzImage */

#define SB_BZ_MIN_PROTO 0x0206	/* cmdline_size; Linux 2.6.22 */

#define SB_BZ_LOADED_HIGH 0x01	/* loadflags: protected-mode code at 0x100000 (bzImage) */
#define SB_BZ_XLF_KERNEL_64 0x01 /* xloadflags: 64-bit entry point at +0x200 */
#define SB_BZ_XLF_ABOVE_4G 0x02	 /* xloadflags: may be loaded above 4 GiB */
#define SB_BZ_XLF_EFI_HANDOVER_64 0x08

struct sb_bzimage {
	unsigned int proto_major, proto_minor;
	/* the full kernel_version string, e.g. "6.1.0-56-cloud-amd64
	 * (debian-kernel@lists.debian.org) #1 SMP PREEMPT_DYNAMIC Debian ..."
	 * ("" when the header has none; truncated if longer) */
	char version[256];
	char release[128];	/* its first word ("6.1.0-56-cloud-amd64"), the uname -r */
	uint64_t size;		/* bytes in the file (buffer) */
	bool loads_64bit;	/* XLF_KERNEL_64 (protocol >= 2.12; false before) */
	unsigned int setup_sects; /* real-mode setup sectors (0 in the header means 4) */
	uint64_t setup_bytes;	/* boot sector + setup: (setup_sects + 1) * 512 */
	uint64_t payload_bytes; /* protected-mode part: syssize * 16 */
	uint8_t loadflags;
	uint16_t xloadflags;	/* 0 before protocol 2.12 */
	uint32_t cmdline_size;	/* longest command line, NUL excluded */
	uint32_t init_size;	/* memory needed to decompress in place (>= 2.10; else 0) */
};

/*
 * Reads the header of @path. -ENOEXEC: not a bzImage (ELF vmlinux, other
 * format, protocol < 2.06, zImage); -EINVAL: a damaged one (truncated, bad
 * kernel_version pointer); other -errno: I/O. @why names what was found,
 * e.g. "vmlinux: is an ELF file (vmlinux?), need a bzImage such as
 * arch/x86/boot/bzImage".
 */
int sb_bzimage_inspect(const char *path, struct sb_bzimage *out, char *why, size_t why_len);
/* The same for a whole image in memory (@why has no file name prefix). */
int sb_bzimage_inspect_buf(const void *buf, size_t len, struct sb_bzimage *out, char *why,
			   size_t why_len);

/* ---------------------------------------------------------------- .deb */

/*
 * Called for each regular file, symlink and hard link of data.tar, with
 * its path normalized (no leading "./" or "/", no "." or empty
 * components); true extracts it. Directories are not offered: the parents
 * of what is extracted are made (0755).
 */
typedef bool (*sb_deb_want_fn)(const char *path, void *arg);

/*
 * Extracts from data.tar of @deb_path into @dest_dir (made if missing, one
 * level) the entries @want accepts (@want NULL: every one). Files get mode
 * (tar mode & 0755) | 0644 and the tar mtime; symlinks are created with
 * their target as stored (possibly absolute: consumers must not follow
 * them out of @dest_dir). Every entry's path is checked, wanted or not.
 * Returns the number of entries extracted (>= 0), or -errno: -EINVAL not
 * a .deb / malformed archive / unsafe path, -EBADMSG corrupt compressed
 * data, -EOPNOTSUPP zstd/bzip2/lzma member, -ELOOP a symlink in the way,
 * -ENOENT a hard link to an entry not extracted, others from the file
 * system. Entries already written stay on failure.
 */
int sb_deb_extract(const char *deb_path, const char *dest_dir, sb_deb_want_fn want, void *arg,
		   char *why, size_t why_len);

/*
 * The Package, Version and Architecture fields of control.tar's ./control,
 * each malloc'ed (the caller frees); any out pointer may be NULL. A missing
 * field that was asked for is -ENOENT.
 */
int sb_deb_control(const char *deb_path, char **package, char **version, char **arch, char *why,
		   size_t why_len);

/* ---------------------------------------------------------------- modules */

/*
 * The module dependencies recorded by modpost ("depends=a,b" in .modinfo)
 * of a .ko, .ko.xz or .ko.gz file: a malloc'ed array of @n malloc'ed names
 * as written (underscores; may be empty, then *deps is NULL). Free with
 * sb_kmod_free_list(). -ENOEXEC: not an ELF module, -ENOENT: no .modinfo
 * section or no depends= field, -EBADMSG: corrupt compression,
 * -EOPNOTSUPP: zstd-compressed (.ko.zst).
 */
int sb_kmod_depends(const char *ko_path, char ***deps, size_t *n, char *why, size_t why_len);
/* The same for an uncompressed ELF object in memory. */
int sb_kmod_depends_buf(const void *elf, size_t len, char ***deps, size_t *n, char *why,
			size_t why_len);

/*
 * The modules to load, dependencies first, each once, for the wanted
 * @names (as for modprobe: "xfs", "virtio-blk", "virtio_pci"; '-' and '_'
 * are the same, a ".ko" suffix is ignored) from the tree @moddir
 * (lib/modules/<release>, searched recursively for *.ko, *.ko.xz, *.ko.gz).
 * *@paths gets @n malloc'ed paths "@moddir/kernel/.../x.ko[.xz]" (free
 * with sb_kmod_free_list()). A module that is not in the tree but listed
 * in @moddir/modules.builtin is skipped (built in); one that is in neither
 * is -ENOENT naming it (and the module that needed it); a cycle is -ELOOP.
 * Symlinks in the tree ("build", "source") are not followed; a module
 * found twice is taken from updates/ first, then outside kernel/, then
 * kernel/. Only hard dependencies count: softdep= and request_module()
 * aliases (e.g. libcrc32c's "pre: crc32c") are not followed.
 */
int sb_kmod_closure(const char *moddir, const char *const *names, size_t nnames, char ***paths,
		    size_t *n, char *why, size_t why_len);

/* "virtio-blk.ko.xz" -> "virtio_blk" into @out; false when it does not fit. */
bool sb_kmod_name(const char *file_or_name, char *out, size_t out_len);

void sb_kmod_free_list(char **list, size_t n);

#endif
