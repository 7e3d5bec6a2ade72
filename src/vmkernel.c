// SPDX-License-Identifier: MIT
/*
 * The kernel a `splicebench vm` boots (vmkernel.h).
 *
 * Packages are cached under <cache>/kernels/: the .deb as apt-get names it,
 * and what the lab needs from it (vmlinuz, config, a few module
 * directories) unpacked once into <cache>/kernels/<sha256 of the .deb>/,
 * which is complete when it holds the file ".complete".
 */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec.h"
#include "kimage.h"
#include "log.h"
#include "sb.h"
#include "vmkernel.h"

#define COMPLETE ".complete"

static int mkdir_p(const char *path)
{
	char tmp[PATH_MAX];
	size_t n = strlen(path);

	if (!n || n >= sizeof(tmp))
		return -ENAMETOOLONG;
	memcpy(tmp, path, n + 1);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int sb_vm_default_cache(char *buf, size_t len)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");

	if (xdg && xdg[0] == '/')
		snprintf(buf, len, "%s/splicebench", xdg);
	else if (home && home[0] == '/')
		snprintf(buf, len, "%s/.cache/splicebench", home);
	else
		return -ENOENT;
	return 0;
}

/* Run a tool; its first stdout line, or the reason it failed. */
static int tool(const char *cwd, const char *const *argv, char **out, char *why, size_t why_len)
{
	struct sb_cmd_result r;
	int err = sb_exec_in(cwd, argv, &r);

	if (out)
		*out = NULL;
	if (err < 0) {
		sb_why(why, why_len, "cannot run %s: %s", argv[0], strerror(-err));
		return err;
	}
	if (r.exec_err) {
		sb_why(why, why_len, "cannot run %s: %s", argv[0], strerror(r.exec_err));
		sb_cmd_result_free(&r);
		return -r.exec_err;
	}
	if (!WIFEXITED(r.status) || WEXITSTATUS(r.status)) {
		const char *msg = r.err && *r.err ? r.err : r.out ? r.out : "";

		sb_why(why, why_len, "%s failed (status %d): %.*s", argv[0],
			WIFEXITED(r.status) ? WEXITSTATUS(r.status) : -1,
			(int)strcspn(msg, "\n"), msg);
		sb_cmd_result_free(&r);
		return -EIO;
	}
	if (out) {
		*out = r.out;
		r.out = NULL;
	}
	sb_cmd_result_free(&r);
	return 0;
}

int sb_sha256_file(const char *path, char *hex, char *why, size_t why_len)
{
	const char *argv[] = { "sha256sum", "--", path, NULL };
	char *out = NULL;
	int err = tool(NULL, argv, &out, why, why_len);

	if (err)
		return err;
	if (!out || strspn(out, "0123456789abcdef") != 64) {
		sb_why(why, why_len, "sha256sum %s: unexpected output", path);
		free(out);
		return -EIO;
	}
	memcpy(hex, out, 64);
	hex[64] = '\0';
	free(out);
	return 0;
}

/* ------------------------------------------------------------ debian:X.Y */

struct pkg {
	char *name, *version, *sha256, *filename;
};

static void pkg_free(struct pkg *p)
{
	free(p->name);
	free(p->version);
	free(p->sha256);
	free(p->filename);
	memset(p, 0, sizeof(*p));
}

static char *field(const char *text, const char *name)
{
	size_t n = strlen(name);

	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (!strncmp(l, name, n) && l[n] == ':') {
			const char *v = l + n + 1;

			while (*v == ' ')
				v++;
			return strndup(v, strcspn(v, "\n"));
		}
	}
	return NULL;
}

/* dpkg's version order: is @a newer than @b? */
static bool newer(const char *a, const char *b)
{
	const char *argv[] = { "dpkg", "--compare-versions", a, "gt", b, NULL };
	struct sb_cmd_result r;
	bool gt;

	if (sb_exec(argv, &r) < 0)
		return false;
	gt = !r.exec_err && WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0;
	sb_cmd_result_free(&r);
	return gt;
}

/* The newest cloud kernel package for major.minor known to apt. */
static int find_package(const char *mm, struct pkg *best, char *why, size_t why_len)
{
	char re[128], *list = NULL, *save = NULL;
	const char *search[] = { "apt-cache", "search", "--names-only", re, NULL };
	int err;

	/* 6.1 -> linux-image-6.1.0-56-cloud-amd64-unsigned, 6.12 -> ...-6.12.117+deb12-cloud-... */
	{
		char mme[32], *w = mme;

		/* the dots of major.minor match literally */
		for (const char *p = mm; *p && w < mme + sizeof(mme) - 2; p++) {
			if (*p == '.')
				*w++ = '\\';
			*w++ = *p;
		}
		*w = '\0';
		snprintf(re, sizeof(re), "^linux-image-%s(\\.[0-9]+)?[-+].*cloud-amd64-unsigned$",
			 mme);
	}
	err = tool(NULL, search, &list, why, why_len);
	if (err)
		return err;
	memset(best, 0, sizeof(*best));
	for (char *line = strtok_r(list, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *name = strndup(line, strcspn(line, " ")), *show = NULL;
		const char *sargv[] = { "apt-cache", "show", "--no-all-versions", name, NULL };
		struct pkg p = { 0 };
		char ignore[256];

		if (!name)
			continue;
		if (tool(NULL, sargv, &show, ignore, sizeof(ignore)) || !show) {
			free(name);
			free(show);
			continue;
		}
		p.name = name;
		p.version = field(show, "Version");
		p.sha256 = field(show, "SHA256");
		p.filename = field(show, "Filename");
		free(show);
		if (p.version && p.sha256 && (!best->name || newer(p.version, best->version))) {
			pkg_free(best);
			*best = p;
		} else {
			pkg_free(&p);
		}
	}
	free(list);
	if (!best->name) {
		sb_why(why, why_len,
			"debian:%s: apt knows no package matching %s (run apt-get update, or give "
			"--kernel PATH)", mm, re);
		return -ENOENT;
	}
	return 0;
}

/* apt-get download NAME=VERSION into @dir, checked against @p->sha256; the path in @out. */
static int download(const char *dir, const struct pkg *p, char **out, char *why, size_t why_len)
{
	const char *base = p->filename ? strrchr(p->filename, '/') : NULL;
	char *spec = sb_asprintf("%s=%s", p->name, p->version), *path, hex[65];
	const char *argv[] = { "apt-get", "download", "-q", spec, NULL };
	int err;

	if (!base || !spec) {
		free(spec);
		sb_why(why, why_len, "%s: no file name in apt's record", p->name);
		return -EINVAL;
	}
	path = sb_asprintf("%s/%s", dir, base + 1);
	if (!path) {
		free(spec);
		return -ENOMEM;
	}
	if (access(path, R_OK) == 0 && sb_sha256_file(path, hex, why, why_len) == 0 &&
	    !strcmp(hex, p->sha256)) {
		sb_dbg("vm: %s is cached", path);
		free(spec);
		*out = path;
		return 0;
	}
	sb_info("vm: downloading %s %s with apt-get", p->name, p->version);
	err = tool(dir, argv, NULL, why, why_len);
	free(spec);
	if (!err && access(path, R_OK) < 0) {
		err = -errno;
		sb_why(why, why_len, "apt-get download left no %s: %s", path, strerror(-err));
	}
	if (!err)
		err = sb_sha256_file(path, hex, why, why_len);
	if (!err && strcmp(hex, p->sha256)) {
		sb_why(why, why_len, "%s: sha256 %s does not match the archive's %s", path, hex,
			p->sha256);
		unlink(path);
		err = -EBADMSG;
	}
	if (err) {
		free(path);
		return err;
	}
	*out = path;
	return 0;
}

/* ------------------------------------------------------------ .deb */

/* Inside lib/modules/<rel>/kernel: the directories the lab's modules come from. */
static const char *const mod_dirs[] = { "drivers/block/", "drivers/virtio/", "fs/xfs/",
					"fs/ext4/", "fs/jbd2/", "fs/mbcache.ko", "lib/", "crypto/",
					"arch/x86/crypto/" };

static bool want(const char *path, void *arg SB_UNUSED)
{
	const char *p = path, *k;

	if (!fnmatch("boot/vmlinuz-*", p, 0) || !fnmatch("boot/config-*", p, 0))
		return true;
	if (!strncmp(p, "usr/", 4))
		p += 4;
	if (strncmp(p, "lib/modules/", 12))
		return false;
	p += 12;
	p = strchr(p, '/');
	if (!p)
		return false;
	p++;
	if (!strcmp(p, "modules.builtin") || !strcmp(p, "modules.order"))
		return true;
	if (strncmp(p, "kernel/", 7))
		return false;
	k = p + 7;
	for (size_t i = 0; i < SB_ARRAY_SIZE(mod_dirs); i++)
		if (!strncmp(k, mod_dirs[i], strlen(mod_dirs[i])))
			return true;
	return false;
}

/* The one file in @dir matching @pattern, malloc'ed "dir/name", or NULL. */
static char *find_one(const char *dir, const char *pattern)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char *found = NULL;

	if (!d)
		return NULL;
	while ((e = readdir(d)))
		if (!fnmatch(pattern, e->d_name, 0) && !found)
			found = sb_asprintf("%s/%s", dir, e->d_name);
	closedir(d);
	return found;
}

static int remove_tree(const char *path)
{
	const char *argv[] = { "rm", "-rf", "--one-file-system", "--", path, NULL };
	char why[256];

	return tool(NULL, argv, NULL, why, sizeof(why));
}

/* Unpacks of @sha left by runs that died mid-way: <kdir>/.<sha>.<pid> of a dead pid. */
static void remove_stale_unpacks(const char *kdir, const char *sha)
{
	DIR *d = opendir(kdir);
	struct dirent *e;
	size_t n = strlen(sha);

	if (!d)
		return;
	while ((e = readdir(d))) {
		char *end, *path;
		long pid;

		if (e->d_name[0] != '.' || strncmp(e->d_name + 1, sha, n) || e->d_name[n + 1] != '.')
			continue;
		pid = strtol(e->d_name + n + 2, &end, 10);
		if (*end || pid <= 0 || !(kill((pid_t)pid, 0) < 0 && errno == ESRCH))
			continue;
		path = sb_asprintf("%s/%s", kdir, e->d_name);
		if (path) {
			sb_info("vm: removing %s, left by a run that died unpacking", path);
			remove_tree(path);
		}
		free(path);
	}
	closedir(d);
}

/* Unpack what the lab needs from @deb once into <cache>/kernels/<sha256>/. */
static int unpack(const char *kdir, const char *sha, const char *deb, char **root, char *why,
		  size_t why_len)
{
	char *dst = sb_asprintf("%s/%s", kdir, sha), *tmp = sb_asprintf("%s/.%s.%d", kdir, sha, getpid());
	char *mark = dst ? sb_asprintf("%s/%s", dst, COMPLETE) : NULL;
	int n, err = 0;
	FILE *f;

	if (!dst || !tmp || !mark) {
		err = -ENOMEM;
		goto out;
	}
	if (access(mark, F_OK) == 0)
		goto done;
	remove_stale_unpacks(kdir, sha);
	if (access(dst, F_OK) == 0)
		remove_tree(dst); /* an incomplete unpack of an interrupted run */
	sb_info("vm: unpacking %s", deb);
	n = sb_deb_extract(deb, tmp, want, NULL, why, why_len);
	if (n < 0) {
		err = n;
		remove_tree(tmp);
		goto out;
	}
	{
		char *tmark = sb_asprintf("%s/%s", tmp, COMPLETE);

		f = tmark ? fopen(tmark, "w") : NULL;
		free(tmark);
		if (!f || fclose(f)) {
			err = -EIO;
			sb_why(why, why_len, "%s: cannot mark it complete", tmp);
			remove_tree(tmp);
			goto out;
		}
	}
	if (rename(tmp, dst) < 0) {
		err = -errno;
		/* another run may have finished the same unpack first */
		remove_tree(tmp);
		if (access(mark, F_OK) == 0)
			err = 0;
		else
			sb_why(why, why_len, "rename %s: %s", tmp, strerror(-err));
	}
	if (err)
		goto out;
done:
	*root = dst;
	dst = NULL;
out:
	free(dst);
	free(tmp);
	free(mark);
	return err;
}

static int from_deb(struct sb_vm_kernel *k, const char *cache, char *why, size_t why_len)
{
	char hex[65], *kdir = sb_asprintf("%s/kernels", cache), *root = NULL, *boot = NULL;
	char *moddir = NULL, *rel;
	int err;

	if (!kdir)
		return -ENOMEM;
	err = mkdir_p(kdir);
	if (err) {
		sb_why(why, why_len, "cache %s: %s", kdir, strerror(-err));
		goto out;
	}
	err = sb_deb_control(k->deb, &k->package, &k->package_version, NULL, why, why_len);
	if (err)
		goto out;
	err = sb_sha256_file(k->deb, hex, why, why_len);
	if (err)
		goto out;
	k->deb_sha256 = strdup(hex);
	err = unpack(kdir, hex, k->deb, &root, why, why_len);
	if (err)
		goto out;
	boot = sb_asprintf("%s/boot", root);
	k->bzimage = boot ? find_one(boot, "vmlinuz-*") : NULL;
	if (!k->bzimage) {
		sb_why(why, why_len, "%s: the package holds no boot/vmlinuz-*", k->deb);
		err = -ENOENT;
		goto out;
	}
	k->kconfig = find_one(boot, "config-*");
	rel = strrchr(k->bzimage, '/') + strlen("/vmlinuz-");
	moddir = sb_asprintf("%s/lib/modules/%s", root, rel);
	if (moddir && access(moddir, F_OK) < 0) {
		free(moddir);
		moddir = sb_asprintf("%s/usr/lib/modules/%s", root, rel);
	}
	if (moddir && access(moddir, F_OK) == 0) {
		k->moddir = moddir;
		moddir = NULL;
	}
out:
	free(kdir);
	free(root);
	free(boot);
	free(moddir);
	return err;
}

/* ------------------------------------------------------------ resolve */

static bool is_deb(const char *path)
{
	char magic[8];
	FILE *f = fopen(path, "rb");
	bool yes;

	if (!f)
		return false;
	yes = fread(magic, 1, 8, f) == 8 && !memcmp(magic, "!<arch>\n", 8);
	fclose(f);
	return yes;
}

static int module_tree(struct sb_vm_kernel *k, const char *modules, char *why, size_t why_len)
{
	char *p = sb_asprintf("%s/lib/modules/%s", modules, k->release);

	if (p && access(p, F_OK) == 0) {
		k->moddir = p;
		return 0;
	}
	free(p);
	p = sb_asprintf("%s/kernel", modules);
	if (p && access(p, F_OK) == 0) {
		free(p);
		k->moddir = strdup(modules);
		return 0;
	}
	free(p);
	sb_why(why, why_len, "--modules %s: neither %s/lib/modules/%s nor %s/kernel exists",
		modules, modules, k->release, modules);
	return -ENOENT;
}

int sb_vm_kernel_resolve(const char *spec, const char *cache, const char *modules,
			 const char *kconfig, struct sb_vm_kernel *k, char *why, size_t why_len)
{
	struct sb_bzimage bz;
	char hex[65];
	int err = 0;

	memset(k, 0, sizeof(*k));
	k->spec = strdup(spec);
	if (!strncmp(spec, "debian:", 7)) {
		const char *mm = spec + 7;
		struct pkg p = { 0 };
		regex_t re;
		char *dir;

		if (regcomp(&re, "^[0-9]+\\.[0-9]+$", REG_EXTENDED | REG_NOSUB))
			return -ENOMEM;
		err = regexec(&re, mm, 0, NULL, 0) ? -EINVAL : 0;
		regfree(&re);
		if (err) {
			sb_why(why, why_len, "--kernel %s: expected debian:MAJOR.MINOR, e.g. "
				"debian:6.1", spec);
			return err;
		}
		dir = sb_asprintf("%s/kernels", cache);
		err = dir ? mkdir_p(dir) : -ENOMEM;
		if (err) {
			sb_why(why, why_len, "cache %s: %s", dir ? dir : cache, strerror(-err));
			free(dir);
			return err;
		}
		err = find_package(mm, &p, why, why_len);
		if (!err)
			err = download(dir, &p, &k->deb, why, why_len);
		pkg_free(&p);
		free(dir);
		if (err)
			return err;
		k->source = strdup("debian-archive");
		err = from_deb(k, cache, why, why_len);
	} else if (access(spec, R_OK) < 0) {
		err = -errno;
		sb_why(why, why_len, "--kernel %s: %s", spec, strerror(-err));
		return err;
	} else if (is_deb(spec)) {
		k->deb = realpath(spec, NULL);
		k->source = strdup("deb");
		err = k->deb ? from_deb(k, cache, why, why_len) : -errno;
	} else {
		k->bzimage = realpath(spec, NULL);
		k->source = strdup("bzimage");
		if (!k->bzimage)
			err = -errno;
		if (kconfig)
			k->kconfig = realpath(kconfig, NULL);
	}
	if (err)
		return err;
	err = sb_bzimage_inspect(k->bzimage, &bz, why, why_len);
	if (err)
		return err;
	k->release = strdup(bz.release);
	k->version = strdup(bz.version);
	err = sb_sha256_file(k->bzimage, hex, why, why_len);
	if (err)
		return err;
	k->bzimage_sha256 = strdup(hex);
	if (modules)
		err = module_tree(k, modules, why, why_len);
	if (kconfig && k->kconfig && strcmp(k->source, "bzimage"))
		sb_warn("vm: --kconfig %s ignored: the package has its own config", kconfig);
	if (kconfig && !k->kconfig) {
		k->kconfig = realpath(kconfig, NULL);
		if (!k->kconfig) {
			err = -errno;
			sb_why(why, why_len, "--kconfig %s: %s", kconfig, strerror(-err));
		}
	}
	return err;
}

void sb_vm_kernel_free(struct sb_vm_kernel *k)
{
	char **f[] = { &k->spec,    &k->bzimage, &k->bzimage_sha256, &k->release,
		       &k->version, &k->kconfig, &k->moddir,	     &k->deb,
		       &k->deb_sha256, &k->package, &k->package_version, &k->source };

	for (size_t i = 0; i < SB_ARRAY_SIZE(f); i++) {
		free(*f[i]);
		*f[i] = NULL;
	}
}

static json_t *jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *sb_vm_kernel_json(const struct sb_vm_kernel *k)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "spec",
			 jstr(k->spec), "source", jstr(k->source), "release", jstr(k->release),
			 "version", jstr(k->version), "bzimage", jstr(k->bzimage),
			 "bzimage_sha256", jstr(k->bzimage_sha256), "config", jstr(k->kconfig),
			 "package", jstr(k->package), "package_version", jstr(k->package_version),
			 "deb", jstr(k->deb), "deb_sha256", jstr(k->deb_sha256));
}

const char *sb_vm_kconfig(const struct sb_vm_kernel *k, const char *name)
{
	FILE *f = k->kconfig ? fopen(k->kconfig, "r") : NULL;
	char line[512], key[128];
	const char *val = NULL;
	size_t n;

	if (!f)
		return NULL;
	n = (size_t)snprintf(key, sizeof(key), "CONFIG_%s=", name);
	while (!val && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n))
			val = line[n] == 'y' ? "y" : line[n] == 'm' ? "m" : NULL;
	fclose(f);
	return val;
}
