// SPDX-License-Identifier: MIT
/*
 * Network isolation: in a child, the run's private network namespace has
 * only its own loopback, up; TCP and UDP pairs carry data there; the
 * namespace is not the host's. Needs root (skipped with the reason otherwise).
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "netns.h"
#include "tap.h"

static int only_lo(void)
{
	struct if_nameindex *ifs = if_nameindex(), *i;
	int n = 0, lo = 0;

	if (!ifs)
		return -1;
	for (i = ifs; i->if_index; i++) {
		n++;
		lo += !strcmp(i->if_name, "lo");
	}
	if_freenameindex(ifs);
	return n == 1 && lo == 1;
}

/* The checks run in a child: entering a namespace cannot be undone. */
static int child(uint64_t host_ns)
{
	static char buf[1 << 20], got[1 << 20];
	char why[256] = "";
	int c, s, t, r, fails = 0;
	size_t off = 0;
	ssize_t n;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, __VA_ARGS__);                                              \
			fputc('\n', stderr);                                                       \
			fails++;                                                                   \
		}                                                                                  \
	} while (0)

	CHECK(sb_netns_enter(why, sizeof(why)) == 0, "enter: %s", why);
	CHECK(sb_netns_id() && sb_netns_id() != host_ns, "namespace id unchanged");
	CHECK(only_lo() == 1, "devices other than lo are visible");
	CHECK(sb_netns_enter(why, sizeof(why)) == 0, "a second enter is not a no-op");
	if (sb_tcp_pair(&c, &s, why, sizeof(why)) == 0) {
		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = (char)(i * 131 + 7);
		if (fork() == 0) {
			_exit(send(c, buf, sizeof(buf), 0) == (ssize_t)sizeof(buf) ? 0 : 1);
		}
		while (off < sizeof(got) && (n = recv(s, got + off, sizeof(got) - off, 0)) > 0)
			off += (size_t)n;
		wait(NULL);
		CHECK(off == sizeof(got) && !memcmp(buf, got, sizeof(got)),
		      "TCP: %zu of %zu bytes arrived intact", off, sizeof(got));
		close(c);
		close(s);
	} else {
		CHECK(0, "tcp pair: %s", why);
	}
	if (sb_udp_pair(&t, &r, why, sizeof(why)) == 0) {
		CHECK(send(t, "datagram", 8, 0) == 8, "UDP send: %s", strerror(errno));
		n = recv(r, got, sizeof(got), 0);
		CHECK(n == 8 && !memcmp(got, "datagram", 8), "UDP: got %zd bytes", n);
		close(t);
		close(r);
	} else {
		CHECK(0, "udp pair: %s", why);
	}
	return fails;
}

int main(void)
{
	uint64_t host_ns = sb_netns_id();
	int status = 0;
	pid_t pid;

	if (geteuid() != 0)
		tap_skip_all("needs root (a network namespace needs CAP_SYS_ADMIN)");
	ok(host_ns != 0, "the host's network namespace has an id");
	pid = fork();
	if (pid == 0)
		_exit(child(host_ns) ? 1 : 0);
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "in the private namespace: only lo, up; TCP carries 1 MiB intact, UDP a datagram");
	is_u64(sb_netns_id(), host_ns, "the parent stayed in its namespace");
	return tap_done();
}
