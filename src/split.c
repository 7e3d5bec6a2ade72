// SPDX-License-Identifier: MIT
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "probes.h"
#include "split.h"
#include "stats.h"

const char *sb_fidelity_name(enum sb_fidelity f)
{
	switch (f) {
	case SB_FID_EXACT:
		return "exact";
	case SB_FID_ESTIMATE:
		return "estimate";
	case SB_FID_ORACLE:
		return "oracle";
	default:
		return "none";
	}
}

/* The class a tier 1 counter measures; NONE for totals and unclassified bytes. */
static enum sb_class fn_class(unsigned int ctr)
{
	switch (ctr) {
	case SB_FN_FILEMAP_SPLICE_READ:
	case SB_FN_SHMEM_SPLICE_READ:
	case SB_FN_GFSR_REF:
	case SB_FN_ADD_TO_PIPE:
	case SB_FN_DO_TEE:
	case SB_FN_IOMAP_DIO_WRITE:
	case SB_FN_REMAP:
		return SB_CLASS_REF;
	case SB_FN_COPY_SPLICE_READ_DMA:
	case SB_FN_GFSR_FRESH:
	case SB_FN_IOMAP_DIO_READ:
		return SB_CLASS_FRESH;
	case SB_FN_COPY_SPLICE_READ_COPY:
	case SB_FN_GFSR_COPY:
	case SB_FN_PIPE_TO_USER:
	case SB_FN_PIPE_READ:
	case SB_FN_PIPE_WRITE:
	case SB_FN_FILEMAP_READ:
	case SB_FN_SHMEM_READ:
	case SB_FN_GENERIC_PERFORM_WRITE:
	case SB_FN_IOMAP_BUFFERED_WRITE:
		return SB_CLASS_COPY;
	default:
		return SB_CLASS_NONE;
	}
}

static bool fs_is(const struct sb_path_env *e, const char *name)
{
	return e->fs && !strcmp(e->fs, name);
}

/*
 * A tracepoint that measures part @i of @leg directly (the whole class for
 * this cell), or -1.
 */
static int exact_ctr(const struct sb_split_leg *l, int i, const struct sb_path_env *e)
{
	const struct sb_expect_part *p = &l->parts[i];
	bool write_part = l->leg.out == SB_ROLE_DST && (l->nparts == 1 || i == 1);
	bool iomap = fs_is(e, "ext4") || fs_is(e, "xfs");

	if (p->cls == SB_CLASS_FRESH && iomap)
		return SB_TP_DIO_READ;
	if (p->cls == SB_CLASS_REF && write_part && e->dst_direct && iomap)
		return SB_TP_DIO_WRITE;
	if (p->cls == SB_CLASS_COPY && write_part && !e->dst_direct) {
		if (fs_is(e, "ext4"))
			return SB_TP_EXT4_WRITE_COPIED;
		if (fs_is(e, "xfs"))
			return SB_TP_XFS_BUFFERED_WRITE;
	}
	return -1;
}

/* Every part of the leg is expected by reference (a leg without an expectation is not). */
static bool leg_ref(unsigned int sys, unsigned int in, unsigned int out,
		    const struct sb_path_env *env)
{
	const struct sb_leg leg = { sys, in, out };
	struct sb_expect_part p[2];
	int n = sb_expect_leg(&leg, env, p);

	for (int i = 0; i < n; i++)
		if (p[i].cls != SB_CLASS_REF)
			return false;
	return n > 0;
}

/*
 * The receiver sees the changed source only if every leg between them holds
 * the source page by reference.
 */
bool sb_oracle_expect_ref(enum sb_oracle_kind kind, const struct sb_path_env *env)
{
	bool file_pipe = leg_ref(SB_SYS_SPLICE, SB_ROLE_SRC, SB_ROLE_PIPE_W, env);
	bool pipe_sock = leg_ref(SB_SYS_SPLICE, SB_ROLE_PIPE_R, SB_ROLE_SOCK, env);

	switch (kind) {
	case SB_ORACLE_FILE_PIPE:
		return file_pipe;
	case SB_ORACLE_USER_PIPE:
	case SB_ORACLE_TEE:
		return true;
	case SB_ORACLE_FILE_SOCK:
		return file_pipe && pipe_sock;
	case SB_ORACLE_SENDFILE_SOCK:
		return leg_ref(SB_SYS_SENDFILE, SB_ROLE_SRC, SB_ROLE_SOCK, env);
	case SB_ORACLE_USER_SOCK: /* vmsplice user -> pipe is by reference in every era */
		return pipe_sock;
	case SB_ORACLE_SOCK_PIPE:
		return pipe_sock && leg_ref(SB_SYS_SPLICE, SB_ROLE_SOCK, SB_ROLE_PIPE_W, env);
	default: /* the copying legs: send, recv, pread, vmsplice out of a pipe, into files */
		return false;
	}
}

static void set_num(struct sb_split_num *n, double v, const char *tier, enum sb_fidelity f,
		    const char *method)
{
	n->value = v;
	n->known = true;
	n->tier = tier;
	n->fidelity = f;
	snprintf(n->method, sizeof(n->method), "%s", method);
}

static void warn(struct sb_split *s, const char *fmt, ...) SB_PRINTF(2, 3);
static void warn(struct sb_split *s, const char *fmt, ...)
{
	va_list ap;

	if (s->nwarnings >= 2)
		return;
	va_start(ap, fmt);
	vsnprintf(s->warning[s->nwarnings++], sizeof(s->warning[0]), fmt, ap);
	va_end(ap);
}

static void collect_legs(const struct sb_split_in *in, struct sb_split *s)
{
	for (unsigned int sys = 0; sys < SB_NR_SYS; sys++)
		for (unsigned int a = 1; a < SB_NR_ROLES; a++)
			for (unsigned int b = 1; b < SB_NR_ROLES; b++) {
				unsigned int slot = SB_SYS_SLOT(sys, a, b);
				struct sb_split_leg *l;

				if (!in->io[slot] || s->nlegs == SB_SPLIT_MAX_LEGS)
					continue;
				l = &s->legs[s->nlegs++];
				l->leg = (struct sb_leg){ sys, a, b };
				l->bytes = in->io[slot];
				l->traced_valid = in->bpf && in->sys_valid[sys];
				l->traced = l->traced_valid ? in->bpf->bytes[slot] : 0;
				l->nparts = sb_expect_leg(&l->leg, &in->env, l->parts);
			}
}

/* A leg of a socket: tier 1 has no function probes there (reference P4, P5 not implemented). */
static bool socket_leg(const struct sb_leg *l)
{
	return l->in == SB_ROLE_SOCK || l->out == SB_ROLE_SOCK;
}

/* Tier 1: the function probes' classes, when they account for every expected byte. */
static bool tier1(const struct sb_split_in *in, struct sb_split *s)
{
	uint64_t cls[SB_NR_CLASSES] = { 0 };
	bool any = false;

	for (unsigned int c = SB_FN_FILEMAP_SPLICE_READ; c < SB_NR_CTRS; c++)
		any |= in->ctr_valid[c];
	if (!in->bpf || !any)
		return false;
	for (size_t i = 0; i < s->nlegs; i++)
		if (socket_leg(&s->legs[i].leg)) {
			char name[64];

			sb_leg_name(&s->legs[i].leg, name, sizeof(name));
			warn(s, "no function probe counts the socket leg %s: tier 2 used instead",
			     name);
			return false;
		}
	s->tier1_tried = true;
	for (unsigned int c = SB_FN_FILEMAP_SPLICE_READ; c < SB_NR_CTRS; c++)
		if (in->ctr_valid[c])
			cls[fn_class(c)] += in->bpf->bytes[c];
	for (size_t i = 0; i < s->nlegs; i++)
		for (int p = 0; p < s->legs[i].nparts; p++)
			if (s->legs[i].parts[p].cls != SB_CLASS_NONE)
				s->tier1_expected += s->legs[i].bytes;
	s->tier1_accounted = cls[SB_CLASS_REF] + cls[SB_CLASS_FRESH] + cls[SB_CLASS_COPY];
	if (s->tier1_accounted != s->tier1_expected ||
	    (in->ctr_valid[SB_FN_GFSR_UNKNOWN] && in->bpf->bytes[SB_FN_GFSR_UNKNOWN])) {
		char a[32], b[32];

		snprintf(a, sizeof(a), "%llu", (unsigned long long)s->tier1_accounted);
		snprintf(b, sizeof(b), "%llu", (unsigned long long)s->tier1_expected);
		warn(s, "the function probes accounted for %s of the %s bytes the legs should "
			"have (probes missing or inlined): tier 2 used instead", a, b);
		return false;
	}
	s->tier = "function";
	set_num(&s->ref, (double)cls[SB_CLASS_REF], s->tier, SB_FID_EXACT,
		"function probes where pages are handed over by reference");
	set_num(&s->fresh, (double)cls[SB_CLASS_FRESH], s->tier, SB_FID_EXACT,
		"function probes where fresh pages are filled by DMA");
	set_num(&s->copy, (double)cls[SB_CLASS_COPY], s->tier, SB_FID_EXACT,
		"function probes at the callers of the kernel's copy routines");
	return true;
}

/* Tiers 2 and 3: leg bytes split by the expectation table. */
static void by_expectation(const struct sb_split_in *in, struct sb_split *s, bool traced)
{
	double v[SB_NR_CLASSES] = { 0 };
	bool exact[SB_NR_CLASSES] = { true, true, true, true };
	bool used[SB_NR_CLASSES] = { false };
	bool oracle_ok = s->oracle_agrees == 1;
	char era[64];

	for (size_t i = 0; i < s->nlegs; i++) {
		struct sb_split_leg *l = &s->legs[i];
		uint64_t bytes = traced ? l->traced : l->bytes;

		if (!l->nparts) {
			char name[64];

			sb_leg_name(&l->leg, name, sizeof(name));
			warn(s, "no expectation for the leg %s: its bytes are not split", name);
			continue;
		}
		for (int p = 0; p < l->nparts; p++) {
			enum sb_class c = l->parts[p].cls;
			int x = traced ? exact_ctr(l, p, &in->env) : -1;

			used[c] = true;
			if (x >= 0 && in->ctr_valid[x]) {
				v[c] += (double)in->bpf->bytes[x];
			} else {
				v[c] += (double)bytes;
				exact[c] = false;
			}
		}
	}
	snprintf(era, sizeof(era), "the expectation for kernels %s",
		 sb_kernel_era(in->env.kv ? in->env.kv : SB_KV(6, 5, 0)));
	s->tier = traced ? "tracepoint" : "oracle";
	for (int c = SB_CLASS_REF; c <= SB_CLASS_COPY; c++) {
		struct sb_split_num *n = c == SB_CLASS_REF	? &s->ref
					 : c == SB_CLASS_FRESH ? &s->fresh
								: &s->copy;
		char method[200];
		enum sb_fidelity f;

		if (traced && used[c] && exact[c]) {
			f = SB_FID_EXACT;
			snprintf(method, sizeof(method),
				 "measured by tracepoints (iomap, ext4 or xfs) for this class");
		} else if (traced) {
			f = SB_FID_ESTIMATE;
			snprintf(method, sizeof(method),
				 "syscalls tracepoints give the exact bytes of each leg; %s splits "
				 "them", era);
		} else {
			f = oracle_ok ? SB_FID_ORACLE : SB_FID_ESTIMATE;
			snprintf(method, sizeof(method),
				 "bytes of each leg as the benchmark counted them; %s splits them%s",
				 era, oracle_ok ? ", and the aliasing oracle agrees" : "");
		}
		set_num(n, v[c], s->tier, f, method);
	}
}

void sb_split_compute(const struct sb_split_in *in, struct sb_split *s)
{
	bool traced;

	memset(s, 0, sizeof(*s));
	set_num(&s->moved, (double)in->moved, "harness", SB_FID_EXACT,
		"bytes the benchmark's operations moved through the whole path");
	collect_legs(in, s);

	/* the syscall totals must equal what the benchmark counted */
	traced = in->bpf && s->nlegs;
	for (size_t i = 0; i < s->nlegs; i++)
		traced &= s->legs[i].traced_valid;
	s->totals_match = traced ? 1 : -1;
	for (size_t i = 0; traced && i < s->nlegs; i++)
		if (s->legs[i].traced != s->legs[i].bytes) {
			char name[64];

			s->totals_match = 0;
			sb_leg_name(&s->legs[i].leg, name, sizeof(name));
			warn(s, "the %s tracepoints saw other byte counts than the benchmark for %s",
			     sb_sys_name(s->legs[i].leg.sys), name);
		}

	/* the oracle against the expectation for its leg */
	s->oracle_expected_ref = sb_oracle_expect_ref(in->oracle_kind, &in->env);
	if (in->oracle == SB_ORACLE_BY_REFERENCE || in->oracle == SB_ORACLE_NOT_BY_REFERENCE) {
		s->oracle_agrees = (in->oracle == SB_ORACLE_BY_REFERENCE) == s->oracle_expected_ref;
		if (!s->oracle_agrees)
			warn(s, "the aliasing oracle found %s where %s was expected",
			     sb_oracle_result_name(in->oracle),
			     s->oracle_expected_ref ? "by_reference" : "not_by_reference");
	} else {
		s->oracle_agrees = -1;
	}

	if (tier1(in, s))
		return;
	by_expectation(in, s, traced && s->totals_match == 1);
}

static json_t *num_json(const struct sb_split_num *n, bool brief)
{
	if (brief)
		return n->known ? json_real(n->value) : json_null();
	if (!n->known)
		return json_pack("{s:n, s:s}", "value", "reason", n->method);
	return json_pack("{s:f, s:s, s:s, s:s}", "value", n->value, "tier", n->tier, "fidelity",
			 sb_fidelity_name(n->fidelity), "method", n->method);
}

static json_t *ratio_json(const struct sb_split_num *part, const struct sb_split_num *moved)
{
	if (!part->known || !moved->known || moved->value <= 0)
		return json_pack("{s:n, s:s}", "value", "reason", "no bytes moved");
	return json_pack("{s:o, s:s}", "value", sb_json_real(part->value / moved->value),
			 "fidelity", sb_fidelity_name(part->fidelity));
}

json_t *sb_split_json(const struct sb_split *s, bool brief)
{
	json_t *j = json_object(), *legs, *w;
	char name[64];

	json_object_set_new(j, "bytes_moved", num_json(&s->moved, brief));
	json_object_set_new(j, "bytes_by_reference", num_json(&s->ref, brief));
	json_object_set_new(j, "bytes_fresh_pages", num_json(&s->fresh, brief));
	json_object_set_new(j, "bytes_cpu_copied", num_json(&s->copy, brief));
	if (brief)
		return j;
	json_object_set_new(j, "tier", json_string(s->tier));
	json_object_set_new(j, "copy_ratio", ratio_json(&s->copy, &s->moved));
	json_object_set_new(j, "zero_copy_ratio", ratio_json(&s->ref, &s->moved));
	legs = json_array();
	for (size_t i = 0; i < s->nlegs; i++) {
		const struct sb_split_leg *l = &s->legs[i];
		json_t *parts = json_array();

		for (int p = 0; p < l->nparts; p++)
			json_array_append_new(parts,
					      json_pack("{s:s, s:s}", "class",
							sb_class_name(l->parts[p].cls), "basis",
							l->parts[p].basis));
		sb_leg_name(&l->leg, name, sizeof(name));
		json_array_append_new(
			legs, json_pack("{s:s, s:I, s:o, s:o}", "leg", name, "bytes",
					(json_int_t)l->bytes, "traced_bytes",
					l->traced_valid ? json_integer((json_int_t)l->traced)
							: json_null(),
					"expected", parts));
	}
	json_object_set_new(j, "legs", legs);
	json_object_set_new(j, "syscall_totals_match",
			    s->totals_match < 0 ? json_null() : json_boolean(s->totals_match));
	json_object_set_new(j, "tier1",
			    s->tier1_tried ? json_pack("{s:I, s:I}", "accounted",
						       (json_int_t)s->tier1_accounted, "expected",
						       (json_int_t)s->tier1_expected)
					   : json_null());
	w = json_array();
	for (int i = 0; i < s->nwarnings; i++)
		json_array_append_new(w, json_string(s->warning[i]));
	json_object_set_new(j, "warnings", w);
	return j;
}
