/* SPDX-License-Identifier: MIT */
/*
 * Options declared once, in a table next to the code that uses them. The
 * same table drives getopt_long parsing, range checks, defaults and --help.
 */
#ifndef SB_OPT_H
#define SB_OPT_H

#include <stddef.h>
#include <stdio.h>

#include "sb.h"

#define SB_LIST_MAX 32

enum sb_opt_type {
	SB_OPT_SETVAL,	  /* no argument: stores ->setval into an int */
	SB_OPT_COUNT,	  /* no argument: increments an int (-v) */
	SB_OPT_U64,	  /* unsigned integer in [min, max] */
	SB_OPT_SIZE,	  /* size with k/m/g suffix (binary), in [min, max] */
	SB_OPT_SIZE_LIST, /* comma-separated sizes -> struct sb_u64_list */
	SB_OPT_SECONDS,	  /* seconds, "0.5", "500ms", "2s", "1m" -> double, in [fmin, fmax] */
	SB_OPT_STR,	  /* string -> const char * (points into argv) */
	SB_OPT_LIST,	  /* comma-separated words -> struct sb_str_list; checked against ->vals if set */
	SB_OPT_ENUM,	  /* one of ->vals -> int */
};

struct sb_enum_val {
	const char *name;
	int value;
};

struct sb_u64_list {
	size_t n;
	uint64_t v[SB_LIST_MAX];
};

struct sb_str_list {
	size_t n;
	char *buf; /* owned copy of the argument, items point into it */
	const char *v[SB_LIST_MAX];
};

#define SB_OPTF_HIDDEN 0x1 /* not shown in --help (test hooks) */

struct sb_opt {
	const char *name; /* long name without "--" */
	int short_name;	  /* 0 for none */
	enum sb_opt_type type;
	size_t off; /* offsetof() into the target struct */
	const char *metavar;
	const char *help;
	uint64_t min, max;   /* SB_OPT_U64, SB_OPT_SIZE, SB_OPT_SIZE_LIST */
	double fmin, fmax;   /* SB_OPT_SECONDS */
	int setval;	     /* SB_OPT_SETVAL */
	const struct sb_enum_val *vals; /* SB_OPT_ENUM, SB_OPT_LIST; NULL-name terminated */
	unsigned int flags;
};

struct sb_opt_cmd {
	const char *cmd;      /* "run" */
	const char *synopsis; /* "[options]" */
	const char *summary;  /* one line */
	const char *details;  /* extra help text, may be NULL */
	const struct sb_opt *opts; /* terminated by { .name = NULL } */
};

#define SB_OPTS_HELP 1 /* sb_opts_parse(): --help was given and printed */

/*
 * Parse argv (argv[0] is the command name) into @obj. On a bad option or
 * value prints one line ("splicebench: <cmd>: ...; see 'splicebench <cmd> --help'")
 * and returns SB_EXIT_USAGE. Returns SB_OPTS_HELP after printing help for -h/--help,
 * 0 on success. Positional arguments are left in argv[*first_pos .. argc-1].
 * @set receives a bit per table entry that appeared on the command line.
 */
int sb_opts_parse(const struct sb_opt_cmd *c, void *obj, int argc, char **argv, int *first_pos,
		  uint64_t *set);

/* Whether option @name of @c was given (per @set from sb_opts_parse). */
bool sb_opts_was_set(const struct sb_opt_cmd *c, uint64_t set, const char *name);

void sb_opts_help(const struct sb_opt_cmd *c, FILE *out);

/*
 * Set option @name from text, as if given on the command line (used for
 * defaults). Returns 0, or -errno with the reason in @why.
 */
int sb_opts_set(const struct sb_opt_cmd *c, void *obj, const char *name, const char *value,
		char *why, size_t why_len);

/* Free the owned buffers of list options in @obj. */
void sb_opts_free(const struct sb_opt_cmd *c, void *obj);

/*
 * Value parsers (pure). On error they return -EINVAL or -ERANGE and write a
 * reason such as "unknown suffix 'q' (use k, m or g)" into @why.
 */
int sb_parse_size(const char *s, uint64_t *out, char *why, size_t why_len);
int sb_parse_u64(const char *s, uint64_t *out, char *why, size_t why_len);
int sb_parse_seconds(const char *s, double *out, char *why, size_t why_len);
/* "65536" -> "64k", "1048576" -> "1m", "5000" -> "5000" */
void sb_format_size(uint64_t v, char *buf, size_t len);

#endif
