// SPDX-License-Identifier: MIT
/*
 * The stress expectation specs (stress/stexp.h): parsing, picking the entry
 * for a kernel version, matching a call's outcome, the words of a mismatch;
 * every conformance case's spec is valid; the kernel log classifier.
 */
#include <errno.h>
#include <string.h>

#include "harness.h"
#include "probes.h"
#include "stexp.h"
#include "stress.h"
#include "tap.h"

static const char *const dev_zero = "0.0.0:>0 5.10.0:>0|EINVAL 6.5.0:EINVAL 6.7.0:>0";

/* Pick and match in one: 1 match, 0 no match, -1 no entry, -2 bad spec. */
static int judge(const char *spec, unsigned int kv, long ret, int err)
{
	struct sb_stexp e;
	char why[128];
	int r = sb_stexp_pick(spec, kv, &e, why, sizeof(why));

	if (r < 0)
		return -2;
	if (r == 0)
		return -1;
	return sb_stexp_match(&e, ret, err);
}

static const char *words(const char *spec, unsigned int kv)
{
	static char buf[160];
	struct sb_stexp e;
	char why[128];

	if (sb_stexp_pick(spec, kv, &e, why, sizeof(why)) != 1)
		return "(none)";
	sb_stexp_str(&e, buf, sizeof(buf));
	return buf;
}

static void test_match(void)
{
	is_int(judge("EBADF", SB_KV(6, 18, 0), -1, EBADF), 1, "EBADF matches EBADF");
	is_int(judge("EBADF", SB_KV(6, 18, 0), -1, EINVAL), 0, "EINVAL does not match EBADF");
	is_int(judge("EBADF", SB_KV(6, 18, 0), 0, 0), 0, "success does not match an errno");
	is_int(judge("=0", SB_KV(6, 18, 0), 0, 0), 1, "=0 matches 0");
	is_int(judge("=0", SB_KV(6, 18, 0), 1, 0), 0, "=0 does not match 1");
	is_int(judge("=0", SB_KV(6, 18, 0), -1, EINVAL), 0, "=0 does not match an error");
	is_int(judge(">0", SB_KV(6, 18, 0), 0, 0), 0, ">0 does not match 0");
	is_int(judge(">0", SB_KV(6, 18, 0), 65536, 0), 1, ">0 matches 65536");
	is_int(judge(">=0", SB_KV(6, 18, 0), 0, 0), 1, ">=0 matches 0");
	is_int(judge(">=0", SB_KV(6, 18, 0), -1, EAGAIN), 0, ">=0 does not match EAGAIN");
	is_int(judge("1..4096", SB_KV(6, 18, 0), 4096, 0), 1, "1..4096 includes 4096");
	is_int(judge("1..4096", SB_KV(6, 18, 0), 4097, 0), 0, "1..4096 excludes 4097");
	is_int(judge("1..4096", SB_KV(6, 18, 0), 0, 0), 0, "1..4096 excludes 0");
	is_int(judge("=0|ENODATA|=4096", SB_KV(6, 18, 0), -1, ENODATA), 1, "alternatives: ENODATA");
	is_int(judge("=0|ENODATA|=4096", SB_KV(6, 18, 0), 4096, 0), 1, "alternatives: 4096");
	is_int(judge("=0|ENODATA|=4096", SB_KV(6, 18, 0), 100, 0), 0, "alternatives: not 100");
	/* a negative return with errno 0 is still an error, never a count */
	is_int(judge(">=0", SB_KV(6, 18, 0), -1, 0), 0, "-1 is not >= 0");
}

static void test_versions(void)
{
	is_int(judge(dev_zero, SB_KV(4, 19, 0), 1009, 0), 1, "/dev/zero 4.19: data");
	is_int(judge(dev_zero, SB_KV(4, 19, 0), -1, EINVAL), 0, "/dev/zero 4.19: not EINVAL");
	is_int(judge(dev_zero, SB_KV(5, 10, 0), -1, EINVAL), 1, "/dev/zero 5.10.0: EINVAL allowed");
	is_int(judge(dev_zero, SB_KV(6, 1, 158), 1009, 0), 1, "/dev/zero 6.1: data allowed");
	is_int(judge(dev_zero, SB_KV(6, 4, 255), 1009, 0), 1, "/dev/zero 6.4.255: either");
	is_int(judge(dev_zero, SB_KV(6, 5, 0), 1009, 0), 0, "/dev/zero 6.5.0: data is a mismatch");
	is_int(judge(dev_zero, SB_KV(6, 6, 30), -1, EINVAL), 1, "/dev/zero 6.6: EINVAL");
	is_int(judge(dev_zero, SB_KV(6, 7, 0), -1, EINVAL), 0, "/dev/zero 6.7.0: EINVAL is a mismatch");
	is_int(judge(dev_zero, SB_KV(6, 18, 44), 1009, 0), 1, "/dev/zero 6.18: data");
	is_int(judge("4.10.0:EINVAL", SB_KV(4, 9, 255), -1, EINVAL), -1,
	       "a kernel before the first entry has no expectation");
	is_int(judge("4.10.0:EINVAL", SB_KV(4, 10, 0), -1, EINVAL), 1, "the first version itself");
	is_int(judge("4.10.0:EINVAL", SB_KV(5, 0, 0), -1, EINVAL), 1, "a later kernel");
	is_int(judge("EBADF", 0, -1, EBADF), 1, "no version: every kernel, even unknown (0)");

	is_str(words(dev_zero, SB_KV(6, 6, 1)), "EINVAL (kernels 6.5.0 to before 6.7.0)",
	       "a mismatch names the version range");
	is_str(words(dev_zero, SB_KV(6, 18, 44)), ">0 (kernel 6.7.0 and later)",
	       "the last entry is open-ended");
	is_str(words(dev_zero, SB_KV(3, 10, 0)), ">0 (kernels before 5.10.0)",
	       "the first entry ends at the second");
	is_str(words(dev_zero, SB_KV(5, 15, 0)), ">0 or EINVAL (kernels 5.10.0 to before 6.5.0)",
	       "alternatives are joined with 'or'");
	is_str(words("EBADF", SB_KV(6, 1, 0)), "EBADF", "an unversioned spec has no range");
	is_str(words("=4096", SB_KV(6, 1, 0)), "4096", "=N is shown as N");
	is_str(words("1..65535", SB_KV(6, 1, 0)), "1..65535", "a range is shown as N..M");
	is_str(words(">=0|EINVAL", SB_KV(6, 1, 0)), ">=0 or EINVAL", ">=0 shown");
}

static void test_bad_specs(void)
{
	static const char *const bad[] = {
		"",	       "EWHATEVER",  "6.7:EINVAL", "6.7.0.1:EINVAL", "=",
		"=-1",	       "5..1",	     "x..5",	   "6.7.0:",	     "EINVAL|",
		"6.7.0:EINVAL 6.5.0:=0", "6.5.0:=0 6.5.0:=1", "E|E|E|E|E", "einval",
		"256.0.0:EINVAL",
	};
	char why[128];

	for (size_t i = 0; i < SB_ARRAY_SIZE(bad); i++) {
		why[0] = '\0';
		ok(sb_stexp_validate(bad[i], why, sizeof(why)) == -EINVAL && why[0],
		   "'%s' is refused (%s)", bad[i], why);
	}
	ok(sb_stexp_validate(dev_zero, why, sizeof(why)) == 0, "the /dev/zero spec is valid");
}

static void test_errno_names(void)
{
	is_int(sb_errno_from_name("EBADF"), EBADF, "EBADF by name");
	is_int(sb_errno_from_name("ENODATA"), ENODATA, "ENODATA by name");
	is_int(sb_errno_from_name("ENOPE"), -1, "an unknown name");
	is_str(sb_errno_name(ESPIPE), "ESPIPE", "ESPIPE's name");
}

static void test_got(void)
{
	char b[64];

	sb_stexp_got(4096, 0, b, sizeof(b));
	is_str(b, "4096", "a count");
	sb_stexp_got(-1, EAGAIN, b, sizeof(b));
	is_str(b, "EAGAIN", "an errno");
	sb_stexp_got(-1, 4000, b, sizeof(b));
	is_str(b, "-1 errno 4000", "an errno without a name");
}

/* Every registered conformance case has a valid spec; other kinds have none or a valid one. */
static void test_table(void)
{
	size_t nconf = 0, bad = 0, dup = 0;
	char why[128];

	for (size_t i = 0; i < sb_nr_stressors; i++) {
		const struct sb_stressor *st = sb_stressors[i];

		why[0] = '\0';
		if (st->kind == SB_ST_CONFORM)
			nconf++;
		if ((st->kind == SB_ST_CONFORM && !st->expect) ||
		    (st->expect && sb_stexp_validate(st->expect, why, sizeof(why)))) {
			bad++;
			tap_diag("%s: bad expectation '%s': %s", st->id,
				 st->expect ? st->expect : "(none)", why);
		}
		if (!st->id || !st->checks || !st->source || !*st->checks || !*st->source)
			bad++;
		for (size_t k = 0; k < i; k++)
			if (!strcmp(sb_stressors[k]->id, st->id))
				dup++;
	}
	ok(nconf >= 50, "at least 50 conformance cases are registered (%zu)", nconf);
	is_int((long long)bad, 0, "every case has an id, a checks line, a source and a valid spec");
	is_int((long long)dup, 0, "no id is registered twice");
}

static void test_klog(void)
{
	is_str(sb_klog_classify("WARNING: CPU: 1 PID: 42 at fs/splice.c:123 splice_to_socket+0x1"),
	       "WARNING", "a WARN_ON");
	is_str(sb_klog_classify("BUG: KASAN: use-after-free in pipe_resize_ring+0x20"), "BUG",
	       "a KASAN report (BUG: KASAN)");
	is_str(sb_klog_classify("watchdog: BUG: soft lockup - CPU#0 stuck for 26s! [a:1]"), "BUG",
	       "a soft lockup");
	is_str(sb_klog_classify("Oops: general protection fault, probably for non-canonical"),
	       "Oops", "an oops");
	is_str(sb_klog_classify("kernel BUG at mm/filemap.c:1234!"), "BUG", "a BUG_ON");
	is_str(sb_klog_classify("INFO: task splicebench:99 blocked for more than 120 seconds."),
	       "hung task", "a hung task");
	is_str(sb_klog_classify("UBSAN: shift-out-of-bounds in fs/pipe.c:10:2"), "UBSAN", "UBSAN");
	ok(!sb_klog_classify("EXT4-fs (loop0): mounted filesystem with ordered data mode"),
	   "a mount message is not a problem");
	ok(!sb_klog_classify("loop0: detected capacity change from 0 to 614400"),
	   "a loop device message is not a problem");
}

int main(void)
{
	test_match();
	test_versions();
	test_bad_specs();
	test_errno_names();
	test_got();
	test_table();
	test_klog();
	return tap_done();
}
