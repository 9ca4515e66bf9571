/* SPDX-License-Identifier: MIT */
/*
 * Scenario scripts (.vgs): parse once, run against a kernel (kernelmock)
 * as a guest process would, and report pass / fail / skip.
 *
 * The language is described in docs/scenarios.md.  A script talks to the
 * stack only through km_open / km_ioctl / km_mmap, exactly like userspace
 * on a VM talks to /dev/dri/renderD128.
 *
 * Messages (parse errors, failures, skip reasons) are complete sentences
 * that name the script, e.g.
 *   "clear.vgs:7:31: error: expected a virgl format name, got 'RGBA'"
 *   "clear.vgs:23: expect pixels: pixel (0,0) is 0xffff3300, expected ..."
 */
#ifndef GUEST_SCENARIO_H
#define GUEST_SCENARIO_H

#include <stddef.h>
#include <stdio.h>

struct km_device;
struct guest_script;

/*
 * Parse @len bytes of @text; @path names the script in messages.
 * Returns 0 and *out, or -EINVAL with *error set to the first syntax error
 * ("path:line:column: error: expected <form>, got '<token>'"), or -ENOMEM.
 * *error is malloc'd; the caller frees it.
 */
int guest_script_parse(const char *path, const char *text, size_t len,
		       struct guest_script **out, char **error);
/* Read @path and parse it.  Unreadable files give -errno and a message. */
int guest_script_load(const char *path, struct guest_script **out,
		      char **error);
void guest_script_destroy(struct guest_script *script);
unsigned guest_script_length(const struct guest_script *script);

enum guest_outcome_kind {
	GUEST_OUTCOME_PASS,
	GUEST_OUTCOME_FAIL,
	GUEST_OUTCOME_SKIP,
};

struct guest_outcome {
	enum guest_outcome_kind kind;
	char *message;		/* FAIL: what failed; SKIP: why; PASS: NULL */
};
void guest_outcome_fini(struct guest_outcome *o);

struct guest_run_options {
	FILE *trace;		/* if set, each statement is echoed as "# ..." */
};

/*
 * Run @script against @dev.  The script's files, mappings and fence fds
 * are all released before this returns, whatever the outcome.
 * Returns 0 with *out filled, or -ENOMEM (nothing to report).
 */
int guest_script_run(const struct guest_script *script, struct km_device *dev,
		     const struct guest_run_options *opts,
		     struct guest_outcome *out);

#endif
