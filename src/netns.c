// SPDX-License-Identifier: MIT
/*
 * Network isolation for the socket workloads (netns.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "netns.h"

static int entered; /* 0 not tried, 1 in, -errno failed */
static char enter_why[256];

static int loopback_up(char *why, size_t why_len)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	if (fd < 0)
		return sb_why_err(why, why_len, -errno, "socket: %s", strerror(errno));
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
		err = sb_why_err(why, why_len, -errno, "lo: SIOCGIFFLAGS: %s", strerror(errno));
	} else if (!(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
			err = sb_why_err(why, why_len, -errno, "bringing lo up: %s",
					 strerror(errno));
	}
	close(fd);
	return err;
}

int sb_netns_enter(char *why, size_t why_len)
{
	if (entered == 0) {
		if (unshare(CLONE_NEWNET) < 0)
			entered = sb_why_err(enter_why, sizeof(enter_why), -errno,
					     "a private network namespace: unshare(CLONE_NEWNET): "
					     "%s%s",
					     strerror(errno), errno == EPERM ? " (needs root)" : "");
		else if ((entered = loopback_up(enter_why, sizeof(enter_why))) == 0)
			entered = 1;
		if (entered == 1)
			sb_dbg("running in a private network namespace");
	}
	if (entered < 0)
		sb_why(why, why_len, "%s", enter_why);
	return entered < 0 ? entered : 0;
}

uint64_t sb_netns_id(void)
{
	struct stat st;

	return stat("/proc/self/ns/net", &st) ? 0 : (uint64_t)st.st_ino;
}

static void loopback_addr(struct sockaddr_in *a, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_port = htons(port);
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}

/* A socket of @type bound to 127.0.0.1 on an ephemeral port; its address in @a. */
static int bound(int type, struct sockaddr_in *a, char *why, size_t why_len)
{
	socklen_t len = sizeof(*a);
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0), err;

	if (fd < 0)
		return sb_why_err(why, why_len, -errno, "socket: %s", strerror(errno));
	loopback_addr(a, 0);
	if (bind(fd, (struct sockaddr *)a, sizeof(*a)) < 0 ||
	    getsockname(fd, (struct sockaddr *)a, &len) < 0) {
		err = sb_why_err(why, why_len, -errno, "binding 127.0.0.1: %s", strerror(errno));
		close(fd);
		return err;
	}
	return fd;
}

int sb_tcp_pair(int *client, int *server, char *why, size_t why_len)
{
	struct sockaddr_in a;
	int l = bound(SOCK_STREAM, &a, why, why_len), c = -1, s = -1, err;

	if (l < 0)
		return l;
	if (listen(l, 1) < 0) {
		err = sb_why_err(why, why_len, -errno, "listen: %s", strerror(errno));
		goto out;
	}
	c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof(a)) < 0) {
		err = sb_why_err(why, why_len, -errno, "connecting to 127.0.0.1:%u: %s",
				 ntohs(a.sin_port), strerror(errno));
		goto out;
	}
	s = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	if (s < 0) {
		err = sb_why_err(why, why_len, -errno, "accept: %s", strerror(errno));
		goto out;
	}
	*client = c;
	*server = s;
	close(l);
	return 0;
out:
	if (c >= 0)
		close(c);
	close(l);
	return err;
}

int sb_udp_pair(int *tx, int *rx, char *why, size_t why_len)
{
	struct sockaddr_in a;
	int r = bound(SOCK_DGRAM, &a, why, why_len), t, err;

	if (r < 0)
		return r;
	t = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (t < 0 || connect(t, (struct sockaddr *)&a, sizeof(a)) < 0) {
		err = sb_why_err(why, why_len, -errno, "connecting to 127.0.0.1:%u: %s",
				 ntohs(a.sin_port), strerror(errno));
		if (t >= 0)
			close(t);
		close(r);
		return err;
	}
	*tx = t;
	*rx = r;
	return 0;
}
