// SPDX-License-Identifier: MIT
/*
 * The aliasing oracle's socket experiments.
 *
 * Without root: the experiments refuse, with evidence, to run without a
 * protocol or without the directory their file lives in. With root, in a
 * forked child that enters a private network namespace (this process stays
 * in the host's): every socket experiment over TCP and UDP on the running
 * kernel, each result compared with the expectation for this kernel, and
 * every descriptor and file of the experiments gone afterwards.
 *
 * The child reports each result through a pipe; the parent turns them into
 * TAP lines, so the numbering stays in one process.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "netns.h"
#include "oracle.h"
#include "probes.h"
#include "split.h"
#include "tap.h"

static const enum sb_oracle_kind kinds[] = {
	SB_ORACLE_FILE_SOCK, SB_ORACLE_SENDFILE_SOCK, SB_ORACLE_USER_SOCK,
	SB_ORACLE_SEND_SOCK, SB_ORACLE_SOCK_PIPE,     SB_ORACLE_SOCK_USER,
};
static const int types[] = { SOCK_STREAM, SOCK_DGRAM };

struct report {
	int kind;
	int type;
	struct sb_oracle o;
};

/* Entries of a directory other than . and .., or -1. */
static int entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

/* In the child: run every experiment, then one report with the fd and file counts. */
static int child(int out, const char *dir)
{
	struct report r;
	char why[256];
	int fds0 = entries("/proc/self/fd");

	if (sb_netns_enter(why, sizeof(why))) {
		memset(&r, 0, sizeof(r));
		r.kind = -1;
		snprintf(r.o.evidence, sizeof(r.o.evidence), "%s", why);
		return write(out, &r, sizeof(r)) == sizeof(r) ? 0 : 1;
	}
	for (size_t t = 0; t < SB_ARRAY_SIZE(types); t++)
		for (size_t k = 0; k < SB_ARRAY_SIZE(kinds); k++) {
			struct sb_oracle_env env = { .dir = dir, .sock_type = types[t] };

			memset(&r, 0, sizeof(r));
			r.kind = kinds[k];
			r.type = types[t];
			sb_oracle_run(kinds[k], &env, &r.o);
			if (write(out, &r, sizeof(r)) != sizeof(r))
				return 1;
		}
	memset(&r, 0, sizeof(r));
	r.kind = -2;
	r.type = entries("/proc/self/fd") - fds0; /* descriptors left open */
	r.o.result = (enum sb_oracle_result)entries(dir); /* files left behind */
	return write(out, &r, sizeof(r)) == sizeof(r) ? 0 : 1;
}

static void as_root(void)
{
	char dir[] = "/tmp/sb-t-oracle-XXXXXX";
	struct utsname u;
	struct report r;
	int p[2], status = 0, seen = 0;
	unsigned int kv;
	pid_t pid;

	if (uname(&u) || !mkdtemp(dir) || pipe(p))
		tap_bail("setup: uname, mkdtemp or pipe failed");
	kv = sb_kv_of_uname(u.release, u.version);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		_exit(child(p[1], dir));
	}
	close(p[1]);
	while (read(p[0], &r, sizeof(r)) == sizeof(r)) {
		struct sb_path_env env = { kv, NULL, false, false, false,
					   r.type == SOCK_DGRAM ? "udp" : "tcp" };
		const char *proto = r.type == SOCK_DGRAM ? "UDP" : "TCP";
		bool want;

		if (r.kind == -1) {
			ok(0, "entering a network namespace: %s", r.o.evidence);
			continue;
		}
		if (r.kind == -2) {
			is_int(r.type, 0, "the experiments left no descriptor open");
			is_int((int)r.o.result, 0, "and no file in their directory");
			continue;
		}
		seen++;
		want = sb_oracle_expect_ref((enum sb_oracle_kind)r.kind, &env);
		is_str(sb_oracle_result_name(r.o.result),
		       want ? "by_reference" : "not_by_reference", "%s %s on %s: %s",
		       sb_oracle_leg((enum sb_oracle_kind)r.kind), proto, u.release, r.o.evidence);
		ok(strstr(r.o.evidence, r.type == SOCK_DGRAM ? "UDP socket (one datagram)"
							     : "TCP socket"),
		   "the evidence names the protocol");
	}
	close(p[0]);
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child reported everything");
	is_int(seen, (int)(SB_ARRAY_SIZE(kinds) * SB_ARRAY_SIZE(types)),
	       "one result per experiment");
	if (rmdir(dir))
		ok(0, "remove %s", dir);
}

int main(void)
{
	struct sb_oracle_env env = { .dir = NULL, .sock_type = SOCK_STREAM };
	struct sb_oracle o;

	/* refusals, without root */
	sb_oracle_run(SB_ORACLE_FILE_SOCK, &env, &o);
	is_str(sb_oracle_result_name(o.result), "error", "a file experiment needs a directory");
	ok(strstr(o.evidence, "no directory") != NULL, "evidence: %s", o.evidence);
	env.sock_type = 0;
	sb_oracle_run(SB_ORACLE_USER_SOCK, &env, &o);
	is_str(sb_oracle_result_name(o.result), "error", "a socket experiment needs a protocol");
	ok(strstr(o.evidence, "no protocol") != NULL, "evidence: %s", o.evidence);
	is_str(sb_oracle_leg(SB_ORACLE_SOCK_PIPE), "splice socket->pipe", "leg name");
	is_str(sb_oracle_leg(SB_ORACLE_SEND_SOCK), "send user->socket", "leg name");

	if (geteuid() != 0) {
		tap_skip(1, "needs root (the socket experiments need a network namespace)");
		return tap_done();
	}
	as_root();
	return tap_done();
}
