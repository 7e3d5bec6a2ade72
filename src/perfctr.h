/* SPDX-License-Identifier: MIT */
/*
 * perf_event_open counters in libperf's object style (libperf itself is not
 * packaged in Debian). An evlist holds evsels; each evsel that cannot open
 * keeps its errno and a reason, and reads as "unavailable" — never as 0.
 */
#ifndef SB_PERFCTR_H
#define SB_PERFCTR_H

#include <linux/perf_event.h>

#include "sb.h"

struct sb_counts {
	uint64_t val; /* raw count */
	uint64_t ena; /* time enabled, ns */
	uint64_t run; /* time running, ns (< ena when multiplexed) */
};

struct sb_evsel;
struct sb_evlist;

struct sb_evsel *sb_evsel__new(const char *name, uint32_t type, uint64_t config);
void sb_evsel__delete(struct sb_evsel *e);
/* Open for the calling thread, disabled. 0 or -errno. */
int sb_evsel__open(struct sb_evsel *e);
bool sb_evsel__is_open(const struct sb_evsel *e);
const char *sb_evsel__name(const struct sb_evsel *e);
int sb_evsel__errno(const struct sb_evsel *e);	  /* positive errno, 0 when open */
const char *sb_evsel__reason(const struct sb_evsel *e); /* NULL when open */
int sb_evsel__read(struct sb_evsel *e, struct sb_counts *c);
/* Count scaled for multiplexing: val * ena / run; false if no data. */
bool sb_counts__scaled(const struct sb_counts *c, double *out);

struct sb_evlist *sb_evlist__new(void);
/* The default set: task-clock, context-switches, page-faults, cpu-migrations, cycles, instructions */
struct sb_evlist *sb_evlist__new_default(void);
int sb_evlist__add(struct sb_evlist *l, struct sb_evsel *e);
/* Opens every evsel; returns how many opened (failures are kept per evsel). */
int sb_evlist__open(struct sb_evlist *l);
void sb_evlist__enable(struct sb_evlist *l);
size_t sb_evlist__nr(const struct sb_evlist *l);
struct sb_evsel *sb_evlist__at(const struct sb_evlist *l, size_t i);
void sb_evlist__delete(struct sb_evlist *l);

#define sb_evlist__for_each(l, i, e)                                                               \
	for ((i) = 0; (i) < sb_evlist__nr(l) && ((e) = sb_evlist__at(l, i)); (i)++)

/* Advice for an open errno, like perf's evsel__open_strerror (pure). */
const char *sb_perf_open_advice(int err, uint32_t type);

#endif
