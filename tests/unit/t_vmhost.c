// SPDX-License-Identifier: MIT
/*
 * Host-side pieces of the kernel lab that need no qemu: the console scan
 * (what becomes the reason and the exit status), accelerator names, and
 * the in-memory xz used for the results on the serial line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "vm.h"
#include "xz.h"

static char path[] = "/tmp/t_vmhost-XXXXXX";

static json_t *scan(const char *text, size_t max, bool *panic)
{
	FILE *f = fopen(path, "w");

	if (!f)
		tap_bail("%s: cannot write", path);
	fputs(text, f);
	fclose(f);
	return sb_vm_console_findings(path, max, panic);
}

static void test_console(void)
{
	bool panic = true;
	json_t *j;

	j = scan("Linux version 6.1\nSPLICEBENCH-BOOTED uptime=1.0\nreboot: Power down\n", 10,
		 &panic);
	ok(json_array_size(j) == 0 && !panic, "a clean boot: no findings, no panic");
	json_decref(j);

	j = scan("x\n[    3.1] WARNING: CPU: 0 PID: 1 at mm/filemap.c:10 f+0x1/0x2\r\n"
		 "[    3.2] BUG: kernel NULL pointer dereference, address: 0\n"
		 "[    3.3] Oops: 0002 [#1] PREEMPT SMP\n", 10, &panic);
	is_int((long long)json_array_size(j), 3, "WARNING, BUG and Oops lines are found");
	ok(!panic, "... and none of them is a panic");
	is_str(json_string_value(json_array_get(j, 0)),
	       "[    3.1] WARNING: CPU: 0 PID: 1 at mm/filemap.c:10 f+0x1/0x2",
	       "the line is kept whole, without its CR");
	json_decref(j);

	j = scan("RETBleed: WARNING: Spectre v2 mitigation leaves CPU vulnerable to RETBleed\n", 10,
		 &panic);
	ok(json_array_size(j) == 0 && !panic, "a boot notice with WARNING: in it is not WARN()");
	json_decref(j);

	j = scan("Kernel panic - not syncing: Attempted to kill init!\n", 10, &panic);
	ok(panic && json_array_size(j) == 1, "a panic is flagged");
	json_decref(j);

	j = scan("WARNING: CPU: 0 a\nWARNING: CPU: 1 b\nWARNING: CPU: 0 c\nsoft lockup\n", 2, &panic);
	is_int((long long)json_array_size(j), 2, "at most @max lines are kept");
	json_decref(j);

	j = scan("WARNING: CPU: 0 a\nBUG: b\nOops: c\nKernel panic - not syncing: x\n", 2, &panic);
	ok(panic && json_array_size(j) == 2 &&
		   !strcmp(json_string_value(json_array_get(j, 1)), "Kernel panic - not syncing: x"),
	   "a panic after @max other lines is still kept (it is the reason)");
	json_decref(j);

	unlink(path);
	j = sb_vm_console_findings(path, 10, &panic);
	ok(j && json_array_size(j) == 0 && !panic, "a missing console log: no findings");
	json_decref(j);
}

static void test_accel(void)
{
	is_str(sb_accel_name(SB_ACCEL_KVM), "kvm", "kvm");
	is_str(sb_accel_name(SB_ACCEL_TCG), "tcg", "tcg");
	is_str(sb_accel_name(SB_ACCEL_ICOUNT), "icount", "icount");
	is_str(sb_accel_name((enum sb_accel)42), "?", "an unknown value");
}

static void test_xz(void)
{
	size_t n = 1 << 20, zlen = 0, olen = 0;
	char *in = malloc(n), why[256] = "";
	void *z = NULL, *out = NULL;
	int r;

	for (size_t i = 0; i < n; i++)
		in[i] = (char)("{\"cells\": [1, 2, 3]}\n"[i % 21] ^ (i / 4096 & 1));
	r = sb_xz_compress(in, n, &z, &zlen);
	ok(r == 0 && zlen < n / 10, "1 MiB of JSON-like text compresses (%zu bytes)", zlen);
	ok(sb_xz_decompress(z, zlen, 0, &out, &olen, why, sizeof(why)) == 0 && olen == n &&
		   !memcmp(in, out, n),
	   "and decompresses to the same bytes");
	free(out);
	out = NULL;
	is_int(sb_xz_decompress(z, zlen, n / 2, &out, &olen, why, sizeof(why)), -EFBIG,
	       "a limit below the size: -EFBIG (%s)", why);
	((unsigned char *)z)[zlen / 2] ^= 0x40;
	is_int(sb_xz_decompress(z, zlen, 0, &out, &olen, why, sizeof(why)), -EBADMSG,
	       "a flipped bit: -EBADMSG (%s)", why);
	is_int(sb_xz_decompress(z, zlen / 3, 0, &out, &olen, why, sizeof(why)), -EBADMSG,
	       "a truncated stream: -EBADMSG (%s)", why);
	is_int(sb_xz_decompress("plain", 5, 0, &out, &olen, why, sizeof(why)), -EBADMSG,
	       "not xz at all: -EBADMSG (%s)", why);
	free(z);
	free(in);
}

int main(void)
{
	int fd = mkstemp(path);

	if (fd < 0)
		tap_bail("mkstemp");
	close(fd);
	test_console();
	test_accel();
	test_xz();
	unlink(path);
	return tap_done();
}
