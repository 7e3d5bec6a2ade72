// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "perfctr.h"

struct sb_evsel {
	char *name;
	struct perf_event_attr attr;
	int fd;
	int err;
	char reason[160];
};

struct sb_evlist {
	size_t nr;
	size_t cap;
	struct sb_evsel **e;
};

struct sb_evsel *sb_evsel__new(const char *name, uint32_t type, uint64_t config)
{
	struct sb_evsel *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->name = strdup(name);
	if (!e->name) {
		free(e);
		return NULL;
	}
	e->fd = -1;
	e->attr.size = sizeof(e->attr);
	e->attr.type = type;
	e->attr.config = config;
	e->attr.disabled = 1;
	e->attr.exclude_hv = 1;
	e->attr.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
	snprintf(e->reason, sizeof(e->reason), "not opened");
	e->err = ENODEV;
	return e;
}

void sb_evsel__delete(struct sb_evsel *e)
{
	if (!e)
		return;
	if (e->fd >= 0)
		close(e->fd);
	free(e->name);
	free(e);
}

const char *sb_perf_open_advice(int err, uint32_t type)
{
	switch (err) {
	case EACCES:
	case EPERM:
		return "not permitted: see /proc/sys/kernel/perf_event_paranoid, or run as root";
	case ENOENT:
	case EOPNOTSUPP:
		return type == PERF_TYPE_HARDWARE ? "no hardware PMU for this event on this CPU "
						    "(common in virtual machines)"
						  : "event not supported by this kernel";
	case ENODEV:
		return "no PMU for this event type";
	case EBUSY:
		return "counter busy (used by another process)";
	case EINVAL:
		return "invalid event for this kernel";
	case ENOSYS:
		return "perf_event_open not available (kernel without CONFIG_PERF_EVENTS)";
	case EMFILE:
		return "out of file descriptors";
	default:
		return "cannot open counter";
	}
}

int sb_evsel__open(struct sb_evsel *e)
{
	long fd;

	if (e->fd >= 0)
		return 0;
	fd = syscall(SYS_perf_event_open, &e->attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0) {
		e->err = errno;
		snprintf(e->reason, sizeof(e->reason), "%s: %s", strerror(e->err),
			 sb_perf_open_advice(e->err, e->attr.type));
		return -e->err;
	}
	e->fd = (int)fd;
	e->err = 0;
	e->reason[0] = '\0';
	return 0;
}

bool sb_evsel__is_open(const struct sb_evsel *e)
{
	return e->fd >= 0;
}

const char *sb_evsel__name(const struct sb_evsel *e)
{
	return e->name;
}

int sb_evsel__errno(const struct sb_evsel *e)
{
	return e->fd >= 0 ? 0 : e->err;
}

const char *sb_evsel__reason(const struct sb_evsel *e)
{
	return e->fd >= 0 ? NULL : e->reason;
}

int sb_evsel__read(struct sb_evsel *e, struct sb_counts *c)
{
	uint64_t buf[3];
	ssize_t n;

	memset(c, 0, sizeof(*c));
	if (e->fd < 0)
		return -ENODEV;
	n = read(e->fd, buf, sizeof(buf));
	if (n != (ssize_t)sizeof(buf))
		return n < 0 ? -errno : -EIO;
	c->val = buf[0];
	c->ena = buf[1];
	c->run = buf[2];
	return 0;
}

bool sb_counts__scaled(const struct sb_counts *c, double *out)
{
	if (!c->run)
		return false;
	*out = c->run == c->ena ? (double)c->val
				: (double)c->val * (double)c->ena / (double)c->run;
	return true;
}

struct sb_evlist *sb_evlist__new(void)
{
	return calloc(1, sizeof(struct sb_evlist));
}

int sb_evlist__add(struct sb_evlist *l, struct sb_evsel *e)
{
	if (!e)
		return -ENOMEM;
	if (l->nr == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 8;
		struct sb_evsel **n = realloc(l->e, cap * sizeof(*n));

		if (!n) {
			sb_evsel__delete(e);
			return -ENOMEM;
		}
		l->e = n;
		l->cap = cap;
	}
	l->e[l->nr++] = e;
	return 0;
}

struct sb_evlist *sb_evlist__new_default(void)
{
	static const struct {
		const char *name;
		uint32_t type;
		uint64_t config;
	} defs[] = {
		{ "task-clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK },
		{ "context-switches", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES },
		{ "page-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS },
		{ "cpu-migrations", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS },
		{ "cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES },
		{ "instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS },
	};
	struct sb_evlist *l = sb_evlist__new();

	if (!l)
		return NULL;
	for (size_t i = 0; i < SB_ARRAY_SIZE(defs); i++) {
		if (sb_evlist__add(l, sb_evsel__new(defs[i].name, defs[i].type, defs[i].config))) {
			sb_evlist__delete(l);
			return NULL;
		}
	}
	return l;
}

int sb_evlist__open(struct sb_evlist *l)
{
	int opened = 0;

	for (size_t i = 0; i < l->nr; i++)
		if (!sb_evsel__open(l->e[i]))
			opened++;
	return opened;
}

void sb_evlist__enable(struct sb_evlist *l)
{
	for (size_t i = 0; i < l->nr; i++)
		if (l->e[i]->fd >= 0)
			ioctl(l->e[i]->fd, PERF_EVENT_IOC_ENABLE, 0);
}

size_t sb_evlist__nr(const struct sb_evlist *l)
{
	return l->nr;
}

struct sb_evsel *sb_evlist__at(const struct sb_evlist *l, size_t i)
{
	return i < l->nr ? l->e[i] : NULL;
}

void sb_evlist__delete(struct sb_evlist *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->nr; i++)
		sb_evsel__delete(l->e[i]);
	free(l->e);
	free(l);
}
