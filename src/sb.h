/* SPDX-License-Identifier: MIT */
/*
 * splicebench common definitions: exit codes, attributes, small helpers.
 */
#ifndef SB_SB_H
#define SB_SB_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <time.h>

#define SB_EXIT_OK 0
#define SB_EXIT_FAIL 1	 /* verification failure, failed cell, regression */
#define SB_EXIT_USAGE 2	 /* bad command line or bad input */
#define SB_EXIT_ENV 3	 /* the environment cannot run it */
#define SB_EXIT_SKIP 4	 /* everything skipped / unsupported */

#define SB_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define SB_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define SB_UNUSED __attribute__((unused))
#define SB_NORETURN __attribute__((noreturn))

#define SB_KIB 1024ULL
#define SB_MIB (1024ULL * 1024)
#define SB_GIB (1024ULL * 1024 * 1024)
#define SB_NSEC_PER_SEC 1000000000ULL

static inline uint64_t sb_min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static inline uint64_t sb_max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* Nanoseconds of CLOCK_MONOTONIC (a vDSO call). */
static inline uint64_t sb_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * SB_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

#endif
