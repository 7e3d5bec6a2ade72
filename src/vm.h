/* SPDX-License-Identifier: MIT */
/*
 * The kernel lab's machine: choose an accelerator, build the qemu command
 * line, boot, watch the deadlines and the console, collect what the guest
 * sent. No policy about what runs inside (cmd_vm.c decides that).
 */
#ifndef SB_VM_H
#define SB_VM_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum sb_accel {
	SB_ACCEL_AUTO,
	SB_ACCEL_KVM,
	SB_ACCEL_TCG,	 /* multi-threaded TCG: timings informational */
	SB_ACCEL_ICOUNT, /* single-vCPU TCG counting instructions: deterministic cost */
};

const char *sb_accel_name(enum sb_accel a);

/*
 * Can KVM boot this guest? 0 when /dev/kvm answers and is not PVM (or the
 * guest kernel is a PVM guest), else -errno and the reason in @why.
 * @kconfig: the guest kernel's config file, or NULL.
 */
int sb_vm_kvm_usable(const char *kconfig, char *why, size_t why_len);

/*
 * The static splicebench that becomes the guest's /init: @opt when given,
 * else splicebench-static next to this program. 0 or -errno with a reason.
 */
int sb_vm_find_agent(const char *opt, char *buf, size_t len, char *why, size_t why_len);

#define SB_VM_AGENT_NAME "splicebench-static"
#define SB_VM_MAX_DISKS 4

struct sb_vm_spec {
	const char *qemu;	 /* binary, default "qemu-system-x86_64" */
	const char *kernel;	 /* bzImage */
	const char *initrd;	 /* newc cpio */
	const char *workdir;	 /* console.log, ttyS1.out, qemu.log go here */
	const char *append;	 /* extra kernel command line, or NULL */
	const char *disks[SB_VM_MAX_DISKS]; /* raw images, virtio-blk vda, vdb, ... */
	enum sb_accel accel;	 /* KVM, TCG or ICOUNT (not AUTO) */
	unsigned int mem_mb;
	unsigned int smp;	 /* ignored for ICOUNT (one vCPU) */
	bool debug_boot;	 /* earlyprintk on the console */
	double boot_deadline_s;	 /* until the guest's SPLICEBENCH-BOOTED marker */
	double run_deadline_s;	 /* until qemu exits, from the start */
};

enum sb_vm_status {
	SB_VM_DONE,	    /* qemu exited by itself */
	SB_VM_START_FAILED, /* qemu could not start, or exited before booting */
	SB_VM_BOOT_TIMEOUT,
	SB_VM_RUN_TIMEOUT,
	SB_VM_INTERRUPTED,  /* a signal to splicebench */
};

struct sb_vm_outcome {
	enum sb_vm_status status;
	bool booted;		/* the marker was seen on the console */
	double boot_s;		/* wall seconds from start to the marker */
	double wall_s;		/* wall seconds from start to qemu's exit */
	int qemu_status;	/* wait status */
	char reason[512];	/* what went wrong, "" when nothing did */
	json_t *argv;		/* the command line as run (owned) */
	char console[4096 + 64]; /* path of console.log */
	char serial[4096 + 64];	 /* path of ttyS1.out */
	char qemu_log[4096 + 64];
};

/*
 * Boot @spec and wait for qemu to exit or a deadline. Returns 0 when the
 * outcome was filled (check ->status), -errno on an internal error.
 */
int sb_vm_boot(const struct sb_vm_spec *spec, struct sb_vm_outcome *out);
void sb_vm_outcome_free(struct sb_vm_outcome *out);

/* "QEMU emulator version 7.2.22 (...)" of @qemu, malloc'ed, or NULL. */
char *sb_vm_qemu_version(const char *qemu);

/*
 * Kernel trouble in a console log: lines with "Kernel panic", "BUG:",
 * "WARNING:", "Oops", "general protection fault", "soft lockup",
 * "KASAN:", "UBSAN:", "hung_task" (at most @max lines kept). @panic is set when the
 * kernel panicked.
 */
json_t *sb_vm_console_findings(const char *console_log, size_t max, bool *panic);

#endif
