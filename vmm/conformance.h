/* SPDX-License-Identifier: MIT */
/*
 * The conformance report (--conformance=FILE.json on run and exec,
 * issue 18.4): every rule of virtio 1.4 section 5.7 that the driver under
 * test broke, as the device saw it (host_device_violations), with the
 * guest ioctl that was running (kernelmock's name for it).  The format is
 * in docs/device-answers.md, "The conformance report".
 */
#ifndef VMM_CONFORMANCE_H
#define VMM_CONFORMANCE_H

#include <stdbool.h>
#include <stdio.h>

struct vmm_machine;

struct vmm_conformance {
	FILE *f;		/* NULL: no report asked for */
	const char *path;
	unsigned runs;		/* machines written so far */
};

/* Start the report at @path (truncating it): 0, or -errno after a
 * message naming the file. */
int vmm_conformance_open(struct vmm_conformance *c, const char *path);
/* Add @m's violations as one run named @name; before the machine is
 * destroyed.  Returns how many MUST rules it broke (also without a
 * report: --conformance-fatal alone). */
unsigned vmm_conformance_add(struct vmm_conformance *c, struct vmm_machine *m,
			     const char *name);
/* End the report: 0, or -errno after a message (a write failed). */
int vmm_conformance_close(struct vmm_conformance *c);

#endif
