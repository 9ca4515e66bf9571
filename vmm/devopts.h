/* SPDX-License-Identifier: MIT */
/*
 * The device options, written once: one row of vmm_devopts per option of
 * the simulated machine (struct vmm_machine_options).  Everything that
 * takes a device option derives from the table:
 *  - the long options of run, exec and info (vmm_cli_parse) and the
 *    option list in their --help (vmm_devopts_usage);
 *  - the exec shim's environment, written by `virtgpu-sim exec`
 *    (vmm_devopts_to_env) and read in the program's process
 *    (vmm_devopts_from_env);
 *  - a scenario's "device KEY[=VALUE] ..." line (vmm_devopt_find by key,
 *    vmm_devopt_set), whose key is the option's name with '-' as '_';
 *  - the defaults (vmm_devopts_defaults).
 * Adding an option is one row here plus the code that uses its field.
 */
#ifndef VMM_DEVOPTS_H
#define VMM_DEVOPTS_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/units.h"
#include "vmm/machine.h"

enum vmm_devopt_kind {
	VMM_DEVOPT_FLAG,	/* bare; sets a bool field to flag_value */
	VMM_DEVOPT_SIZE,	/* bytes with an optional K, M or G suffix */
	VMM_DEVOPT_NUMBER,	/* a non-negative integer */
	VMM_DEVOPT_POW2,	/* a power of two */
	VMM_DEVOPT_FEATURES,	/* a comma-separated feature list, or none */
	VMM_DEVOPT_DIR,		/* an existing, writable directory */
	VMM_DEVOPT_INJECT,	/* a fault spec; repeated ones join with ';' */
	/* A per-run choice: one of the names its list gives
	 * (vmm_devopt_choice), several comma-separated, or "all"; the field
	 * is a uint64_t set, bit i for the i-th name.  A machine takes one;
	 * `run` runs a script once per name (vmm_devopts_runs). */
	VMM_DEVOPT_CHOICES,
	VMM_DEVOPT_FILE,	/* a file to create, kept as an absolute path */
};

struct vmm_devopt {
	const char *name;	/* --NAME; the device key is NAME with '_' */
	enum vmm_devopt_kind kind;
	const char *metavar;	/* "SIZE" in --ram=SIZE; NULL for flags */
	const char *def;	/* the default in the option's own syntax; a
				 * flag's default is its field's, "0" or "1" */
	uint64_t min, max;	/* SIZE and NUMBER: the inclusive limits */
	uint64_t align;		/* SIZE: a multiple of this, or 0 */
	bool flag_value;	/* FLAG: the value it sets */
	const char *env;	/* the shim's variable: the field's value */
	size_t offset, size;	/* the field in struct vmm_machine_options */
	const char *help;
};

extern const struct vmm_devopt vmm_devopts[];
extern const unsigned vmm_ndevopts;

/* The names --features takes, in this order, for messages. */
#define VMM_FEATURE_NAMES \
	"virgl, edid, resource_uuid, resource_blob, context_init, " \
	"blob_alignment, none"

/* The option named @name (@len bytes) either as on the command line
 * ("render-server") or as a device key ("render_server"), or NULL. */
const struct vmm_devopt *vmm_devopt_find(const char *name, size_t len);
/* A CHOICES option's @i-th name, NULL past the last (at most 64). */
const char *vmm_devopt_choice(const struct vmm_devopt *o, unsigned i);
/* "render_server" for "render-server". */
void vmm_devopt_key(const struct vmm_devopt *o, char *buf, size_t len);
/*
 * Set option @o in @m from @value: NULL for a flag given bare (it then
 * sets flag_value), "0" or "1" for a flag's field from the environment,
 * the value text for the others.  0, or -EINVAL with "expected ..." in
 * @err (the caller names the option and where it came from).
 */
int vmm_devopt_set(const struct vmm_devopt *o, const char *value,
		   struct vmm_machine_options *m, char *err, size_t errlen);
/* @m's value of @o in the option's own syntax ("256M", "1", "virgl"). */
void vmm_devopt_format(const struct vmm_devopt *o,
		       const struct vmm_machine_options *m, char *buf,
		       size_t len);
/* Every option at its default. */
void vmm_devopts_defaults(struct vmm_machine_options *m);
/*
 * Per-run options (VMM_DEVOPT_CHOICES) holding several values make
 * several runs of one script: every combination, the first row varying
 * slowest.  vmm_devopts_runs() counts @m's runs (1 without lists);
 * vmm_devopts_run() makes run @i's options in @out (each CHOICES field
 * one value) and its label, "kernel=6.12" ("" when @m makes one run),
 * for TAP: "ok 3 - file.vgs [kernel=6.12]".
 */
unsigned vmm_devopts_runs(const struct vmm_machine_options *m);
void vmm_devopts_run(const struct vmm_machine_options *m, unsigned i,
		     struct vmm_machine_options *out, char *label,
		     size_t len);

/* What options imply once all are set: the render server serves venus. */
void vmm_devopts_finish(struct vmm_machine_options *m);

/* The options' help lines, as --help prints them, with the defaults of
 * the command: @defaults, or the table's when NULL. */
void vmm_devopts_usage(FILE *out, const struct vmm_machine_options *defaults);
/* The shim's environment: write every option's variable, or read the
 * ones that are set (0, or -EINVAL with "VAR=VALUE: expected ..." in
 * @err). */
int vmm_devopts_to_env(const struct vmm_machine_options *m);
int vmm_devopts_from_env(struct vmm_machine_options *m, char *err,
			 size_t errlen);

/* A script's "device" line (guest/scenario/scenario.h) applied on top of
 * @m, which holds the command line's options.  0, or -EINVAL with
 * "FILE:LINE:COL: error: ..." in @err. */
struct guest_device_line;
int vmm_devopts_apply_device(const struct guest_device_line *d,
			     struct vmm_machine_options *m, char *err,
			     size_t errlen);

/* A non-negative integer (decimal, 0x hex or 0 octal). */
int vmm_parse_u64(const char *s, uint64_t *out);
/* "virgl,context_init", or "none". */
void vmm_format_features(uint64_t f, char *buf, size_t len);

/*
 * A command's options: its own (@own, getopt_long's form, with their
 * values below 256) followed by every device option, parsed from argv
 * into @m, the command's own ones handed to @apply (which returns 0, 1
 * to stop and exit successfully, or -EINVAL after a usage message).
 * @shortopts as for getopt_long ("+" to stop at the first argument).
 * Returns the index of the first argument, 0 to exit successfully, or
 * -EINVAL after a usage message.
 */
int vmm_cli_parse(const char *command, int argc, char **argv,
		  const struct option *own, const char *shortopts,
		  int (*apply)(void *ctx, int c, const char *arg), void *ctx,
		  struct vmm_machine_options *m);

/* A usage error of @command ("run", "exec", "info", or NULL for the bare
 * program): "virtgpu-sim COMMAND: MESSAGE" and where the help is, on
 * stderr.  Returns -EINVAL. */
int vmm_usage_error(const char *command, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
