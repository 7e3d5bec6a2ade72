/* SPDX-License-Identifier: MIT */
/*
 * The kernel lab's guest agent (splicebench as PID 1 in the initramfs of
 * `splicebench vm`) and the job file the host writes for it.
 */
#ifndef SB_GUEST_H
#define SB_GUEST_H

/*
 * The job, written by the host into the initramfs:
 *   { "schema": "splicebench.job/1",
 *     "run_args": [ "--quick", ... ],        arguments of `splicebench run`
 *     "modules": [ "/lib/modules/...", ... ], loaded in this order
 *     "fs_device": "ext4=/dev/vda,xfs=/dev/vdb",
 *     "deadline_s": 600,                     the host stops the machine then
 *     "deadline_epoch": 1795000000 }         ... at this time of its clock (= the RTC)
 */
#define SB_GUEST_JOB "/etc/splicebench/job.json"
#define SB_GUEST_JOB_SCHEMA "splicebench.job/1"

/* Never returns: the machine is powered off at the end. */
int sb_guest_main(void) __attribute__((noreturn));

#endif
