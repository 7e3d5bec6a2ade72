// SPDX-License-Identifier: MIT
/*
 * splicebench: the command table.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmds.h"
#include "guest.h"
#include "log.h"
#include "sb.h"

int sb_main_argc;
char **sb_main_argv;

struct sb_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static int cmd_help(int argc, char **argv);

static const struct sb_cmd commands[] = {
	{ "run", sb_cmd_run, "run workloads, measure and verify them, write a result file" },
	{ "list", sb_cmd_list, "list the workloads and their parameters" },
	{ "doctor", sb_cmd_doctor, "report what this host can do, and why not" },
	{ "probe", sb_cmd_probe, "show the copy-accounting probes on this kernel, and why not" },
	{ "compare", sb_cmd_compare, "compare two sets of results with statistics" },
	{ "gate", sb_cmd_gate, "exit 1 when a gated metric regressed between two sets of results" },
	{ "plot", sb_cmd_plot, "draw gnuplot pictures of a result or of a comparison" },
	{ "stress", sb_cmd_stress, "conformance, races, soak and known-bug checks under watchdogs" },
	{ "vm", sb_cmd_vm, "boot a kernel in qemu and run the benchmark inside it" },
	{ "version", sb_cmd_version, "print the version and build" },
	{ "help", cmd_help, "show help for splicebench or a command" },
};

#define sb_for_each_cmd(c) for ((c) = commands; (c) < commands + SB_ARRAY_SIZE(commands); (c)++)

static void usage(FILE *out)
{
	const struct sb_cmd *c;

	fputs("usage: splicebench <command> [options]\n\n"
	      "Benchmark and verify the kernel's zero-copy data paths (splice, sendfile,\n"
	      "vmsplice, tee) beside their copying twins.\n\ncommands:\n",
	      out);
	sb_for_each_cmd(c)
		fprintf(out, "  %-10s %s\n", c->name, c->summary);
	fputs("\n'splicebench <command> --help' shows a command's options.\n", out);
}

static const struct sb_cmd *find_cmd(const char *name)
{
	const struct sb_cmd *c;

	sb_for_each_cmd(c)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

static int cmd_help(int argc, char **argv)
{
	const struct sb_cmd *c;
	char *hv[] = { NULL, (char *)"--help", NULL };

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return SB_EXIT_OK;
	}
	if (argc > 2)
		return sb_usage_err("help", "unexpected argument '%s'", argv[2]);
	c = find_cmd(argv[1]);
	if (!c || c->fn == cmd_help)
		return sb_usage_err("help", "unknown command '%s'", argv[1]);
	hv[0] = argv[1];
	return c->fn(2, hv);
}

/* Levenshtein distance, for "did you mean". */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[32], i, j;

	if (lb >= SB_ARRAY_SIZE(row))
		return lb;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t prev = row[0], tmp;

		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t best = prev + (a[i - 1] != b[j - 1]);

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			tmp = row[j];
			row[j] = best;
			prev = tmp;
		}
	}
	return row[lb];
}

int main(int argc, char **argv)
{
	const struct sb_cmd *c, *best = NULL;
	size_t bestd = 3;

	sb_main_argc = argc;
	sb_main_argv = argv;
	/* a closed stdout (| head) is an error to report, not a death that skips cleanup */
	signal(SIGPIPE, SIG_IGN);
	/*
	 * /init of the kernel lab's initramfs: PID 1, started without
	 * arguments, with a job. (PID 1 alone is not enough: `unshare -p -f
	 * splicebench run` is PID 1 of its namespace too.)
	 */
	if (getpid() == 1 && argc == 1 && access(SB_GUEST_JOB, R_OK) == 0)
		sb_guest_main();
	if (argc < 2) {
		usage(stderr);
		return SB_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return cmd_help(1, argv + 1);
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V"))
		return sb_cmd_version(1, argv + 1);
	c = find_cmd(argv[1]);
	if (c) {
		int ret = c->fn(argc - 1, argv + 1);

		/* output errors (ENOSPC, EPIPE on stdout) must not pass silently */
		if (fflush(stdout) || ferror(stdout)) {
			sb_err("writing to standard output failed");
			return ret ? ret : SB_EXIT_ENV;
		}
		return ret;
	}
	sb_for_each_cmd(c) {
		size_t d = distance(argv[1], c->name);

		if (d < bestd) {
			bestd = d;
			best = c;
		}
	}
	if (best)
		return sb_usage_err(NULL, "unknown command '%s' (did you mean '%s'?)", argv[1],
				    best->name);
	return sb_usage_err(NULL, "unknown command '%s'", argv[1]);
}
