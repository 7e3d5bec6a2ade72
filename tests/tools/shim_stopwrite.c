// SPDX-License-Identifier: MIT
/*
 * LD_PRELOAD shim for tests: after SB_SHIM_AFTER successful sendfile calls,
 * sendfile pretends to succeed (advances the offset, returns the count) but
 * writes nothing: a path that silently stopped delivering data. The
 * verification of `splicebench run --verify` must catch it.
 */
#include <dlfcn.h>
#include <stdlib.h>
#include <sys/sendfile.h>
#include <sys/types.h>

ssize_t sendfile64(int out, int in, off64_t *off, size_t count);
ssize_t sendfile(int out, int in, off_t *off, size_t count);

static long calls;

static ssize_t shim(int out, int in, off64_t *off, size_t count)
{
	static ssize_t (*real)(int, int, off64_t *, size_t);
	const char *after = getenv("SB_SHIM_AFTER");

	if (!real)
		real = (ssize_t(*)(int, int, off64_t *, size_t))dlsym(RTLD_NEXT, "sendfile64");
	if (after && calls++ >= atol(after) && off) {
		*off += (off64_t)count;
		return (ssize_t)count;
	}
	return real(out, in, off, count);
}

ssize_t sendfile64(int out, int in, off64_t *off, size_t count)
{
	return shim(out, in, off, count);
}

ssize_t sendfile(int out, int in, off_t *off, size_t count)
{
	return shim(out, in, (off64_t *)off, count);
}
