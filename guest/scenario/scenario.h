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

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
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

/*
 * The machine a script asks for in its "device" header line
 * ("device features=virgl,resource_blob hostmem=64M venus"): the
 * options as written, in order.  What they mean is the VMM's business
 * (vmm/devopts.h, the one device option table); the command line's
 * options stand for the ones not written.
 */
struct guest_device_opt {
	char *key;		/* "hostmem" */
	char *value;		/* "64M"; a quoted value unquoted; NULL when
				 * the key stands alone ("venus") */
	char *where;		/* "FILE:LINE:COLUMN" of the value (or key) */
};
struct guest_device_line {
	struct guest_device_opt *opts;
	unsigned n;
};
const struct guest_device_line *guest_script_device(
	const struct guest_script *script);
/* One line naming what the script needs (its device line and require
 * lines), e.g. "device hostmem=64M; require capset VIRGL2"; malloc'd,
 * "nothing" when it needs nothing. */
char *guest_script_needs(const struct guest_script *script);
/* Fenced ```vgs blocks of a Markdown file, each a script of its own,
 * named "PATH:LINE".  Each text keeps the Markdown file's line numbers
 * (the lines before the block are left empty), so parse it with
 * guest_script_parse(PATH, ...).  Returns the number of blocks (>= 0)
 * with the arrays malloc'd (free each element and the array), or -errno. */
int guest_markdown_blocks(const char *path, char ***texts, char ***names,
			  unsigned **first_lines);

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
	uint64_t features;	/* VIRTIO_GPU_F_* offered ("require feature") */
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
