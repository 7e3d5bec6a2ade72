// SPDX-License-Identifier: MIT
/* Option engine and value parsers. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "opt.h"
#include "run.h"
#include "tap.h"

static void test_sizes(void)
{
	static const struct {
		const char *in;
		int err;
		uint64_t v;
	} cases[] = {
		{ "4096", 0, 4096 },	     { "64k", 0, 65536 },	 { "64K", 0, 65536 },
		{ "64KiB", 0, 65536 },	     { "64kb", 0, 65536 },	 { "1m", 0, 1048576 },
		{ "2g", 0, 2147483648ULL },  { "0", 0, 0 },		 { "64q", -EINVAL, 0 },
		{ "", -EINVAL, 0 },	     { "k", -EINVAL, 0 },	 { "-1", -EINVAL, 0 },
		{ "1.5m", -EINVAL, 0 },	     { "64kx", -EINVAL, 0 },	 { " 64k", -EINVAL, 0 },
		{ "99999999999999999999", -ERANGE, 0 },
		{ "17179869184g", -ERANGE, 0 },
	};
	char why[128];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t v = 0;
		int err = sb_parse_size(cases[i].in, &v, why, sizeof(why));

		is_int(err, cases[i].err, "size '%s' -> %d", cases[i].in, cases[i].err);
		if (!cases[i].err)
			is_u64(v, cases[i].v, "size '%s' value", cases[i].in);
		else
			ok(why[0] != '\0', "size '%s' has a reason: %s", cases[i].in, why);
	}
	sb_parse_size("64q", &(uint64_t){ 0 }, why, sizeof(why));
	ok(strstr(why, "'q'") != NULL, "the reason names the bad suffix: %s", why);
}

static void test_seconds(void)
{
	double v;
	char why[128];

	ok(!sb_parse_seconds("0.5", &v, why, sizeof(why)) && v == 0.5, "0.5 s");
	ok(!sb_parse_seconds("500ms", &v, why, sizeof(why)) && v == 0.5, "500ms");
	ok(!sb_parse_seconds("2s", &v, why, sizeof(why)) && v == 2.0, "2s");
	ok(!sb_parse_seconds("1m", &v, why, sizeof(why)) && v == 60.0, "1m");
	is_int(sb_parse_seconds("1h", &v, why, sizeof(why)), -EINVAL, "1h refused");
	is_int(sb_parse_seconds("abc", &v, why, sizeof(why)), -EINVAL, "abc refused");
	is_int(sb_parse_seconds("", &v, why, sizeof(why)), -EINVAL, "empty refused");
	is_int(sb_parse_seconds("-1", &v, why, sizeof(why)), -EINVAL, "negative refused");
}

static void test_format(void)
{
	char b[32];

	sb_format_size(65536, b, sizeof(b));
	is_str(b, "64k", "64k");
	sb_format_size(SB_MIB, b, sizeof(b));
	is_str(b, "1m", "1m");
	sb_format_size(5000, b, sizeof(b));
	is_str(b, "5000", "5000");
	sb_format_size(3 * SB_GIB, b, sizeof(b));
	is_str(b, "3g", "3g");
}

static int parse_run(struct sb_run_opts *o, const char *line)
{
	char buf[512], *argv[32];
	int argc = 0;

	snprintf(buf, sizeof(buf), "run %s", line);
	for (char *t = strtok(buf, " "); t && argc < 31; t = strtok(NULL, " "))
		argv[argc++] = t;
	argv[argc] = NULL;
	return sb_run_parse(argc, argv, o);
}

static void test_run_options(void)
{
	struct sb_run_opts o;
	FILE *saved = stderr;

	/* errors print one line on stderr; keep the TAP stream readable */
	stderr = fopen("/dev/null", "w");

	is_int(parse_run(&o, "--chunk 64k,1m --samples 7"), 0, "valid run options parse");
	is_u64(o.chunks.n, 2, "two chunks");
	is_u64(o.chunks.v[1], SB_MIB, "second chunk 1m");
	is_u64(o.samples, 7, "samples 7");
	is_u64(o.warmup, 1, "quick default warm-up applied");
	is_int(o.verify, SB_VERIFY_PASS, "default verify = one pass");
	sb_run_opts_free(&o);

	is_int(parse_run(&o, "--full"), 0, "--full parses");
	is_u64(o.chunks.n, 5, "full: five chunk sizes");
	is_int(o.direct, SB_DSEL_BOTH, "full: direct both");
	sb_run_opts_free(&o);

	is_int(parse_run(&o, "--full --chunk 16k"), 0, "--full with an override");
	is_u64(o.chunks.n, 1, "explicit --chunk wins over the preset");
	sb_run_opts_free(&o);

	is_int(parse_run(&o, "--chunk 64q"), SB_EXIT_USAGE, "malformed size exits 2");
	sb_run_opts_free(&o);
	is_int(parse_run(&o, "--chunk 2k"), SB_EXIT_USAGE, "chunk below 4k exits 2");
	sb_run_opts_free(&o);
	is_int(parse_run(&o, "--chunk 2m"), SB_EXIT_USAGE, "chunk above 1m exits 2");
	sb_run_opts_free(&o);
	is_int(parse_run(&o, "--samples 0"), SB_EXIT_USAGE, "samples 0 exits 2");
	sb_run_opts_free(&o);
	is_int(parse_run(&o, "-w nosuch"), SB_EXIT_USAGE, "unknown workload exits 2");
	sb_run_opts_free(&o);
	is_int(parse_run(&o, "-t ntfs"), SB_EXIT_USAGE, "unknown file system exits 2");
	sb_run_opts_free(&o);
	is_int(parse_run(&o, "--bogus"), SB_EXIT_USAGE, "unknown option exits 2");
	sb_run_opts_free(&o);
	is_int(parse_run(&o, "--quick --full"), SB_EXIT_USAGE, "--quick --full exclusive");
	sb_run_opts_free(&o);
	is_int(parse_run(&o, "--direct maybe"), SB_EXIT_USAGE, "bad enum exits 2");
	sb_run_opts_free(&o);
	is_int(parse_run(&o, "--chunk 64k,,1m"), SB_EXIT_USAGE, "empty list item exits 2");
	sb_run_opts_free(&o);
	is_int(parse_run(&o, "--duration 0"), SB_EXIT_USAGE, "duration 0 exits 2");
	sb_run_opts_free(&o);
	is_int(parse_run(&o, "--file-size 1m --chunk 1m"), 0, "chunk == file size is fine");
	sb_run_opts_free(&o);
	is_int(parse_run(&o, "stray"), SB_EXIT_USAGE, "positional argument exits 2");
	sb_run_opts_free(&o);
	is_int(parse_run(&o, "-w splice --samples"), SB_EXIT_USAGE, "missing value exits 2");
	sb_run_opts_free(&o);

	fclose(stderr);
	stderr = saved;
}

static int count_cells(const char *line, size_t *n)
{
	struct sb_run_opts o;
	struct sb_cell *cells = NULL;
	int ret = parse_run(&o, line);

	*n = 0;
	if (!ret)
		ret = sb_matrix_build(&o, NULL, &cells, n);
	free(cells);
	sb_run_opts_free(&o);
	return ret;
}

static void test_matrix(void)
{
	size_t n;
	FILE *saved = stderr;

	is_int(count_cells("", &n), 0, "quick matrix builds");
	/*
	 * 7 file workloads x 3 file systems + vmsplice u2p (gift off,on) + p2u + tee,
	 * and 8 socket workloads x tcp, udp
	 */
	is_u64(n, 7 * 3 + 2 + 1 + 1 + 8 * 2, "quick matrix: 41 cells");
	is_int(count_cells("--full -t tcp,udp", &n), 0, "full socket matrix");
	/*
	 * 5 chunks x (3 file-leg workloads x 3 fs + 5 without a file leg, and
	 * splice.socket-to-pipe's sink user, plus sink file x 3 fs on tcp only)
	 */
	is_u64(n, 5 * ((3 * 3 + 5 + 1 + 3) + (3 * 3 + 5 + 1)), "full socket matrix: 165 cells");
	is_int(count_cells("-w splice.file-to-pipe -t ext4 --direct on", &n), 0, "direct on");
	is_u64(n, 2, "direct on: aligned + misaligned cell");
	is_int(count_cells("-w splice.file-to-pipe -t tmpfs --direct on", &n), 0,
	       "direct on tmpfs");
	is_u64(n, 1, "no O_DIRECT cells on tmpfs");
	is_int(count_cells("-w rw -t xfs --direct both --chunk 4k,64k", &n), 0, "rw both");
	is_u64(n, 2 * 2 * 2, "2 workloads x 2 chunks x direct off/on");
	is_int(count_cells("-w splice.file-to-pipe -t ext4 --sink devnull,user --cache warm,cold",
			   &n),
	       0, "sink x cache");
	is_u64(n, 4, "2 sinks x 2 cache states");
	is_int(count_cells("-w splice.file-to-pipe -t tmpfs --cache warm,cold", &n), 0,
	       "cold on tmpfs");
	is_u64(n, 1, "no cold cells on tmpfs (its pages cannot be dropped)");
	is_int(count_cells("-w rw.file-read -t xfs --direct both --cache warm,cold", &n), 0,
	       "direct x cache");
	is_u64(n, 3, "warm, cold, and O_DIRECT (which bypasses the cache) cells");
	stderr = fopen("/dev/null", "w");
	is_int(count_cells("-w vmsplice -t tmpfs", &n), SB_EXIT_USAGE,
	       "pipe-only workloads with file targets only: no cells, exit 2");
	fclose(stderr);
	stderr = saved;
}

int main(void)
{
	test_sizes();
	test_seconds();
	test_format();
	test_run_options();
	test_matrix();
	return tap_done();
}
