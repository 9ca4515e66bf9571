/* SPDX-License-Identifier: MIT */
/*
 * The one machine fixture of the whole-stack tests, in the spirit of
 * libuv's MAKE_VALGRIND_HAPPY: start a machine, and finish it by closing
 * the files a test left open, waiting for the device to answer what the
 * closes queued, asserting that nothing leaked (GEM objects, commands in
 * flight, open files, guest pages) and, after the machine is gone, that
 * no process of ours survives (render server and its workers).
 */
#ifndef TESTS_MACHINE_FIXTURE_H
#define TESTS_MACHINE_FIXTURE_H

#include "vmm/machine.h"

struct km_file;

/* A machine from @o; fails the test if it cannot be made.  Records the
 * free guest pages to compare with at the finish. */
struct vmm_machine *test_machine_start(const struct vmm_machine_options *o);
/* Close @files[0..n) (NULL entries are skipped), then the checks above,
 * then destroy @m. */
void test_machine_finish(struct vmm_machine *m, struct km_file **files,
			 int n);
/* Child processes of this one (render servers and their workers). */
int test_children(void);

#endif
