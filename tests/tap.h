/* SPDX-License-Identifier: MIT */
/*
 * A small TAP producer for splicebench's C tests, run under prove(1).
 * Skips exit 0 (prove counts a non-zero exit as a failure).
 */
#ifndef SB_TAP_H
#define SB_TAP_H

#include <stdbool.h>
#include <stdint.h>

#define TAP_PRINTF(f, a) __attribute__((format(printf, f, a)))

void tap_plan(int n);
/* Print the plan (if none was given) and return the exit status for main(). */
int tap_done(void);

bool tap_ok(bool cond, const char *file, int line, const char *fmt, ...) TAP_PRINTF(4, 5);
bool tap_is_int(long long got, long long want, const char *file, int line, const char *fmt, ...)
	TAP_PRINTF(5, 6);
bool tap_is_u64(uint64_t got, uint64_t want, const char *file, int line, const char *fmt, ...)
	TAP_PRINTF(5, 6);
bool tap_is_str(const char *got, const char *want, const char *file, int line, const char *fmt,
		...) TAP_PRINTF(5, 6);
bool tap_is_double(double got, double want, double eps, const char *file, int line,
		   const char *fmt, ...) TAP_PRINTF(6, 7);

void tap_skip(int n, const char *fmt, ...) TAP_PRINTF(2, 3);
void tap_skip_all(const char *fmt, ...) TAP_PRINTF(1, 2) __attribute__((noreturn));
void tap_bail(const char *fmt, ...) TAP_PRINTF(1, 2) __attribute__((noreturn));
void tap_diag(const char *fmt, ...) TAP_PRINTF(1, 2);
/* rm -rf of a test's temporary tree: follows no symlink, crosses no mount. 0 or -1. */
int tap_rm_rf(const char *path);

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_int(g, w, ...) tap_is_int((g), (w), __FILE__, __LINE__, __VA_ARGS__)
#define is_u64(g, w, ...) tap_is_u64((g), (w), __FILE__, __LINE__, __VA_ARGS__)
#define is_str(g, w, ...) tap_is_str((g), (w), __FILE__, __LINE__, __VA_ARGS__)
#define is_double(g, w, e, ...) tap_is_double((g), (w), (e), __FILE__, __LINE__, __VA_ARGS__)

#endif
