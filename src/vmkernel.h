/* SPDX-License-Identifier: MIT */
/*
 * The kernel a `splicebench vm` boots: a bzImage path, a Debian kernel
 * package (.deb), or "debian:X.Y" (the newest matching cloud kernel
 * package from the host's apt sources, downloaded once into a cache and
 * checked against the archive's sha256).
 */
#ifndef SB_VMKERNEL_H
#define SB_VMKERNEL_H

#include <jansson.h>
#include <stddef.h>

struct sb_vm_kernel {
	char *spec;		/* as given */
	char *bzimage;		/* the image qemu boots */
	char *bzimage_sha256;
	char *release;		/* from its boot header: "6.1.0-56-cloud-amd64" */
	char *version;		/* the full version string */
	char *kconfig;		/* its .config, or NULL when unknown */
	char *moddir;		/* lib/modules/<release> with its modules, or NULL */
	char *deb;		/* the package file, or NULL */
	char *deb_sha256;
	char *package;		/* package name and version, or NULL */
	char *package_version;
	char *source;		/* "bzimage", "deb" or "debian-archive" */
};

/* ~/.cache/splicebench (or $XDG_CACHE_HOME/splicebench) into @buf. */
int sb_vm_default_cache(char *buf, size_t len);

/*
 * Resolve @spec into @k. @cache: where packages are downloaded and
 * unpacked; @modules: a module tree for a bzImage (lib/modules/<release>
 * or a directory holding lib/modules/<release>), or NULL; @kconfig: its
 * config, or NULL. 0 or -errno with a one-line reason in @why.
 */
int sb_vm_kernel_resolve(const char *spec, const char *cache, const char *modules,
			 const char *kconfig, struct sb_vm_kernel *k, char *why, size_t why_len);
void sb_vm_kernel_free(struct sb_vm_kernel *k);

/* The "kernel" block of a result's "guest" section. */
json_t *sb_vm_kernel_json(const struct sb_vm_kernel *k);

/*
 * "y", "m" or NULL (not set / config unknown) for CONFIG_@name in the
 * kernel's config.
 */
const char *sb_vm_kconfig(const struct sb_vm_kernel *k, const char *name);

/* sha256 of a file (lowercase hex) into @hex[65]; 0 or -errno. */
int sb_sha256_file(const char *path, char *hex, char *why, size_t why_len);

#endif
