/* SPDX-License-Identifier: MIT */
/*
 * Network isolation for the socket workloads: the process moves into a new
 * network namespace of its own (unshare CLONE_NEWNET) whose only device is
 * its loopback, brought up here. Every socket the suite opens lives there,
 * no host interface or address is ever used, and the namespace disappears
 * with the process, on exit, on a signal and on SIGKILL alike: nothing is
 * left to clean up.
 */
#ifndef SB_NETNS_H
#define SB_NETNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Enter a private network namespace with loopback up (once per process;
 * later calls return the first result). Needs CAP_SYS_ADMIN. 0 or -errno
 * with a one-line reason in @why.
 */
int sb_netns_enter(char *why, size_t why_len);

/* The inode of /proc/self/ns/net (which namespace we are in), or 0. */
uint64_t sb_netns_id(void);

/*
 * --net veth: also a second private namespace B and a veth pair between the
 * two (sb-veth0 192.0.2.1 here, sb-veth1 192.0.2.2 in B; RFC 5737 addresses
 * that route nowhere). From then on the pairs below put their server end in
 * B, so traffic crosses a real netdev. Once per process; needs root and
 * ip(8). 0 or -errno with a reason.
 */
int sb_netns_veth(char *why, size_t why_len);
/* The servers' address: "127.0.0.1", or "192.0.2.2" with veth. */
const char *sb_netns_server(void);
/* The inode of namespace B with veth, else 0. */
uint64_t sb_netns_peer_id(void);

/*
 * A connected TCP pair: the server end on the server address (listener on
 * an ephemeral port, accepted and closed again). 0 or -errno with a reason.
 */
int sb_tcp_pair(int *client, int *server, char *why, size_t why_len);

/* A UDP socket connected to another one bound on the server address. */
int sb_udp_pair(int *tx, int *rx, char *why, size_t why_len);

/*
 * The kernel's UDP counters of the run's namespace (/proc/thread-self/net/snmp;
 * with veth, the sum over both): private namespaces count only our datagrams.
 */
struct sb_udp_snmp {
	uint64_t in_datagrams;
	uint64_t no_ports;
	uint64_t in_errors;
	uint64_t out_datagrams;
	uint64_t rcvbuf_errors;
	uint64_t sndbuf_errors;
	uint64_t in_csum_errors;
};

/* 0 or -errno. */
int sb_udp_snmp_read(struct sb_udp_snmp *s);

#endif
