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
 * A connected TCP pair on 127.0.0.1 (listener on an ephemeral port,
 * accepted and closed again). 0 or -errno with a reason.
 */
int sb_tcp_pair(int *client, int *server, char *why, size_t why_len);

/* A UDP socket connected to another bound one on 127.0.0.1. */
int sb_udp_pair(int *tx, int *rx, char *why, size_t why_len);

#endif
