// SPDX-License-Identifier: MIT
/*
 * Network isolation for the socket workloads (netns.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "exec.h"
#include "netns.h"
#include "sb.h"

static int entered; /* 0 not tried, 1 in, -errno failed */
static char enter_why[256];

/*
 * --net veth: namespace A is the process's (sb_netns_enter), B a second one
 * held only by an fd. The servers' sockets are made in B, the clients' in A,
 * so every byte crosses the veth pair. Both namespaces, and the veth pair
 * with them, go away with the process.
 */
#define VETH_A "sb-veth0"
#define VETH_B "sb-veth1"
#define ADDR_A "192.0.2.1" /* RFC 5737 TEST-NET-1: documentation, routed nowhere */
#define ADDR_B "192.0.2.2"

static int ns_a = -1, ns_b = -1;
static int veth; /* 0 not tried, 1 up, -errno failed */
static char veth_why[256];

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

/* Back from namespace B to A (the run's), after making something in B. */
static int back_to_a(char *why, size_t why_len)
{
	if (!setns(ns_a, CLONE_NEWNET))
		return 0;
	/* still in a namespace of our own, but not the one the run's sockets belong to */
	return sb_why_err(why, why_len, -EIO, "returning to the run's network namespace: %s",
			  strerror(errno));
}

/* The server's address: 127.0.0.1, or namespace B's end of the veth pair. */
static void server_addr(struct sockaddr_in *a, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_port = htons(port);
	if (veth == 1)
		inet_pton(AF_INET, ADDR_B, &a->sin_addr);
	else
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}

/* A server socket of @type bound to the server address on an ephemeral port (in @a). */
static int bound(int type, struct sockaddr_in *a, char *why, size_t why_len)
{
	socklen_t len = sizeof(*a);
	int fd, err;

	/* made in namespace B: the socket stays there when we go back */
	if (veth == 1 && setns(ns_b, CLONE_NEWNET))
		return sb_why_err(why, why_len, -errno, "entering the peer namespace: %s",
				  strerror(errno));
	fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
	err = fd < 0 ? -errno : 0;
	if (veth == 1 && back_to_a(why, why_len)) {
		if (fd >= 0)
			close(fd);
		return -EIO;
	}
	if (fd < 0)
		return sb_why_err(why, why_len, err, "socket: %s", strerror(-err));
	server_addr(a, 0);
	if (bind(fd, (struct sockaddr *)a, sizeof(*a)) < 0 ||
	    getsockname(fd, (struct sockaddr *)a, &len) < 0) {
		err = sb_why_err(why, why_len, -errno, "binding %s: %s", sb_netns_server(),
				 strerror(errno));
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
		err = sb_why_err(why, why_len, -errno, "connecting to %s:%u: %s",
				 sb_netns_server(), ntohs(a.sin_port), strerror(errno));
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
		err = sb_why_err(why, why_len, -errno, "connecting to %s:%u: %s",
				 sb_netns_server(), ntohs(a.sin_port), strerror(errno));
		if (t >= 0)
			close(t);
		close(r);
		return err;
	}
	*tx = t;
	*rx = r;
	return 0;
}

const char *sb_netns_server(void)
{
	return veth == 1 ? ADDR_B : "127.0.0.1";
}

uint64_t sb_netns_peer_id(void)
{
	struct stat st;

	return veth == 1 && !fstat(ns_b, &st) ? (uint64_t)st.st_ino : 0;
}

/* Give @ifname address @addr/24 and bring it up (in the current namespace). */
static int if_up(const char *ifname, const char *addr, char *why, size_t why_len)
{
	struct ifreq ifr;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	if (fd < 0)
		return sb_why_err(why, why_len, -errno, "socket: %s", strerror(errno));
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	sin->sin_family = AF_INET;
	inet_pton(AF_INET, addr, &sin->sin_addr);
	if (ioctl(fd, SIOCSIFADDR, &ifr) < 0)
		err = -errno;
	inet_pton(AF_INET, "255.255.255.0", &sin->sin_addr);
	if (!err && ioctl(fd, SIOCSIFNETMASK, &ifr) < 0)
		err = -errno;
	if (!err && ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		err = -errno;
	ifr.ifr_flags |= IFF_UP;
	if (!err && ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		err = -errno;
	close(fd);
	return err ? sb_why_err(why, why_len, err, "configuring %s as %s/24: %s", ifname, addr,
				strerror(-err))
		   : 0;
}

/* Namespace B, the veth pair between A and B, and their addresses. */
static int veth_setup(char *why, size_t why_len)
{
	const char *argv[] = { "ip",	"link", "add",	VETH_A, "type", "veth", "peer",
			       "name", VETH_B, "netns", NULL,	NULL };
	struct sb_cmd_result res;
	char path[64];
	int err = sb_netns_enter(why, why_len);

	if (err)
		return err;
	ns_a = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (ns_a < 0)
		return sb_why_err(why, why_len, -errno, "/proc/thread-self/ns/net: %s",
				  strerror(errno));
	if (unshare(CLONE_NEWNET))
		return sb_why_err(why, why_len, -errno, "a second network namespace: %s",
				  strerror(errno));
	ns_b = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	err = ns_b < 0 ? -errno : loopback_up(why, why_len);
	if (back_to_a(why, why_len))
		return -EIO;
	if (ns_b < 0)
		return sb_why_err(why, why_len, err, "the second namespace: %s", strerror(-err));
	if (err)
		return err;
	/* ip runs in namespace A and moves the peer end into B by its fd */
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)getpid(), ns_b);
	argv[10] = path;
	err = sb_exec(argv, &res);
	if (!err)
		err = sb_cmd_status("ip", "iproute2", &res, why, why_len);
	else
		sb_why(why, why_len, "running ip: %s", strerror(-err));
	sb_cmd_result_free(&res);
	if (!err)
		err = if_up(VETH_A, ADDR_A, why, why_len);
	if (!err) {
		if (setns(ns_b, CLONE_NEWNET))
			return sb_why_err(why, why_len, -errno, "entering the peer namespace: %s",
					  strerror(errno));
		err = if_up(VETH_B, ADDR_B, why, why_len);
		if (back_to_a(why, why_len))
			return -EIO;
	}
	return err;
}

int sb_netns_veth(char *why, size_t why_len)
{
	if (veth == 0) {
		veth = veth_setup(veth_why, sizeof(veth_why));
		if (!veth) {
			veth = 1;
			sb_dbg("veth pair %s (%s) <-> %s (%s) between two private namespaces",
			       VETH_A, ADDR_A, VETH_B, ADDR_B);
		}
	}
	if (veth < 0)
		sb_why(why, why_len, "--net veth: %s", veth_why);
	return veth < 0 ? veth : 0;
}

static int snmp_read(struct sb_udp_snmp *s)
{
	static const char *const names[] = { "InDatagrams",  "NoPorts",	     "InErrors",
					     "OutDatagrams", "RcvbufErrors", "SndbufErrors",
					     "InCsumErrors" };
	uint64_t *fields[] = { &s->in_datagrams,  &s->no_ports,	     &s->in_errors,
			       &s->out_datagrams, &s->rcvbuf_errors, &s->sndbuf_errors,
			       &s->in_csum_errors };
	char head[1024], vals[1024], *hs = NULL, *vs = NULL, *h, *v;
	FILE *f = fopen("/proc/thread-self/net/snmp", "re");
	int err = -ENOENT;

	memset(s, 0, sizeof(*s));
	if (!f)
		return -errno;
	/* a "Udp:" line of names, then a "Udp:" line of values */
	while (fgets(head, sizeof(head), f)) {
		if (strncmp(head, "Udp: ", 5) || !fgets(vals, sizeof(vals), f))
			continue;
		h = strtok_r(head + 5, " \n", &hs);
		v = strtok_r(vals + 5, " \n", &vs);
		for (; h && v; h = strtok_r(NULL, " \n", &hs), v = strtok_r(NULL, " \n", &vs))
			for (size_t i = 0; i < SB_ARRAY_SIZE(names); i++)
				if (!strcmp(h, names[i]))
					*fields[i] = strtoull(v, NULL, 10);
		err = 0;
		break;
	}
	fclose(f);
	return err;
}

int sb_udp_snmp_read(struct sb_udp_snmp *s)
{
	struct sb_udp_snmp b;
	char why[160];
	int err = snmp_read(s);

	if (err || veth != 1)
		return err;
	/* with veth the receiving end may be in namespace B: count both */
	if (setns(ns_b, CLONE_NEWNET))
		return -errno;
	err = snmp_read(&b);
	if (back_to_a(why, sizeof(why)))
		return -EIO;
	if (err)
		return err;
	s->in_datagrams += b.in_datagrams;
	s->no_ports += b.no_ports;
	s->in_errors += b.in_errors;
	s->out_datagrams += b.out_datagrams;
	s->rcvbuf_errors += b.rcvbuf_errors;
	s->sndbuf_errors += b.sndbuf_errors;
	s->in_csum_errors += b.in_csum_errors;
	return 0;
}
