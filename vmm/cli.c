// SPDX-License-Identifier: MIT
/*
 * What the commands share: their device options parsed from argv and
 * printed in --help, and the shim's environment, all from the one table
 * (vmm/devopts.h); the K/M/G size syntax; usage errors.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/scenario/scenario.h"
#include "vmm/devopts.h"

#define DEVOPT_VAL_BASE 0x1000	/* getopt values of the device options */
#define HELP_COLUMN 22

int vmm_parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (*end || errno)
		return -EINVAL;
	*out = v;
	return 0;
}

int vmm_usage_error(const char *command, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "virtgpu-sim%s%s: ", command ? " " : "",
		command ? command : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'virtgpu-sim%s%s --help' for more information.\n",
		command ? " " : "", command ? command : "");
	return -EINVAL;
}

/* @text folded at spaces to fit 79 columns from HELP_COLUMN on. */
static void print_wrapped(FILE *out, const char *text, int col)
{
	const int width = 79 - HELP_COLUMN;

	for (;;) {
		int len = (int)strlen(text), cut = len;

		if (len > width) {
			for (cut = width; cut > 0 && text[cut] != ' '; cut--)
				;
			if (cut == 0)
				cut = width;
		}
		fprintf(out, "%*s%.*s\n", HELP_COLUMN - col, "", cut, text);
		if (cut >= len)
			return;
		text += cut + (text[cut] == ' ');
		col = 0;
	}
}

void vmm_devopts_usage(FILE *out, const struct vmm_machine_options *defaults)
{
	struct vmm_machine_options d;
	char lead[64], def[64], help[512];

	if (defaults)
		d = *defaults;
	else
		vmm_devopts_defaults(&d);
	for (unsigned i = 0; i < vmm_ndevopts; i++) {
		const struct vmm_devopt *o = &vmm_devopts[i];
		int col = snprintf(lead, sizeof(lead), "  --%s%s%s", o->name,
				   o->metavar ? "=" : "",
				   o->metavar ? o->metavar : "");

		vmm_devopt_format(o, &d, def, sizeof(def));
		/* A region not given follows the --vmm (its help says). */
		if (o->kind == VMM_DEVOPT_FLAG || !def[0] ||
		    (o->offset == offsetof(struct vmm_machine_options,
					   hostmem_size) && !d.hostmem_given))
			snprintf(help, sizeof(help), "%s", o->help);
		else
			snprintf(help, sizeof(help), "%s (default %s)", o->help,
				 def);
		fputs(lead, out);
		if (col >= HELP_COLUMN) {
			fputc('\n', out);
			col = 0;
		}
		print_wrapped(out, help, col);
	}
}

int vmm_devopts_to_env(const struct vmm_machine_options *m)
{
	char value[4200];

	for (unsigned i = 0; i < vmm_ndevopts; i++) {
		/* Features not given follow the VMM in the program too. */
		if ((vmm_devopts[i].kind == VMM_DEVOPT_FEATURES &&
		     !m->features_given) ||
		    (vmm_devopts[i].offset == offsetof(struct vmm_machine_options,
						       hostmem_size) &&
		     !m->hostmem_given)) {
			if (unsetenv(vmm_devopts[i].env))
				return -errno;
			continue;
		}
		vmm_devopt_format(&vmm_devopts[i], m, value, sizeof(value));
		if (setenv(vmm_devopts[i].env, value, 1))
			return -errno;
	}
	return 0;
}

int vmm_devopts_from_env(struct vmm_machine_options *m, char *err,
			 size_t errlen)
{
	char why[240];

	for (unsigned i = 0; i < vmm_ndevopts; i++) {
		const struct vmm_devopt *o = &vmm_devopts[i];
		const char *v = getenv(o->env);

		/* An empty string and/or directory means "none". */
		if (!v || (!*v && (o->kind == VMM_DEVOPT_DIR ||
				   o->kind == VMM_DEVOPT_INJECT ||
				   o->kind == VMM_DEVOPT_FILE)))
			continue;
		if (vmm_devopt_set(o, v, m, why, sizeof(why))) {
			snprintf(err, errlen, "%s=%s: expected %s", o->env, v,
				 why);
			return -EINVAL;
		}
	}
	vmm_devopts_finish(m);
	return 0;
}

/* The command's own options, then one per device option. */
static struct option *long_options(const struct option *own)
{
	size_t n = 0;

	while (own[n].name)
		n++;
	struct option *all = calloc(n + vmm_ndevopts + 1, sizeof(*all));
	if (!all)
		return NULL;
	memcpy(all, own, n * sizeof(*all));
	for (unsigned i = 0; i < vmm_ndevopts; i++)
		all[n + i] = (struct option){
			vmm_devopts[i].name,
			vmm_devopts[i].kind == VMM_DEVOPT_FLAG
				? no_argument : required_argument,
			NULL, DEVOPT_VAL_BASE + (int)i,
		};
	return all;
}

static int apply_devopt(const char *command, int c, const char *arg,
			struct vmm_machine_options *m)
{
	const struct vmm_devopt *o = &vmm_devopts[c - DEVOPT_VAL_BASE];
	char why[240];

	if (!vmm_devopt_set(o, arg, m, why, sizeof(why)))
		return 0;
	return vmm_usage_error(command, "--%s: invalid value '%s' (expected "
			       "%s)", o->name, arg, why);
}

int vmm_cli_parse(const char *command, int argc, char **argv,
		  const struct option *own, const char *shortopts,
		  int (*apply)(void *ctx, int c, const char *arg), void *ctx,
		  struct vmm_machine_options *m)
{
	struct option *all = long_options(own);
	int c, ret = 0;

	if (!all)
		return vmm_usage_error(command, "out of memory");
	opterr = 0;
	optind = 1;
	while (!ret && (c = getopt_long(argc, argv, shortopts, all,
					NULL)) != -1) {
		if (c == '?')
			ret = vmm_usage_error(command, "unknown option '%s'",
					      argv[optind - 1]);
		else if (c == ':')
			ret = vmm_usage_error(command, "option '%s' needs a "
					      "value", argv[optind - 1]);
		else if (c >= DEVOPT_VAL_BASE)
			ret = apply_devopt(command, c, optarg, m);
		else
			ret = apply(ctx, c, optarg);
	}
	free(all);
	if (ret)
		return ret > 0 ? 0 : ret;
	/* Several values of a per-run option are several machines: only
	 * run makes more than one. */
	for (unsigned i = 0; strcmp(command, "run") && i < vmm_ndevopts; i++) {
		const struct vmm_devopt *o = &vmm_devopts[i];
		uint64_t set;

		if (o->kind != VMM_DEVOPT_CHOICES)
			continue;
		memcpy(&set, (const char *)m + o->offset, sizeof(set));
		if (set & (set - 1))
			return vmm_usage_error(command, "--%s takes one value "
					       "here (only run takes a list)",
					       o->name);
	}
	vmm_devopts_finish(m);
	return optind;
}

/* The device keys, for a message: "ram, hostmem, ...". */
static void vmm_device_keys(char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < vmm_ndevopts && o < len; i++) {
		char key[64];

		vmm_devopt_key(&vmm_devopts[i], key, sizeof(key));
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? ", " : "",
				      key);
	}
}

/*
 * A script's "device" line on top of the command line's options, each
 * of its options read by the device option table.  A script's faults
 * replace --inject's: the script shows them.  0, or -EINVAL with
 * "FILE:LINE:COL: error: ..." in @err.
 */
int vmm_devopts_apply_device(const struct guest_device_line *d,
			     struct vmm_machine_options *o, char *err,
			     size_t errlen)
{
	char why[300], keys[300];

	for (unsigned i = 0; i < d->n; i++)
		if (!strcmp(d->opts[i].key, "inject"))
			o->inject[0] = '\0';
	for (unsigned i = 0; i < d->n; i++) {
		const struct guest_device_opt *g = &d->opts[i];
		const struct vmm_devopt *opt =
			vmm_devopt_find(g->key, strlen(g->key));

		if (!opt) {
			vmm_device_keys(keys, sizeof(keys));
			snprintf(err, errlen, "%s: error: expected a device "
				 "option (%s), got '%s'", g->where, keys,
				 g->key);
			return -EINVAL;
		}
		if (vmm_devopt_set(opt, g->value, o, why, sizeof(why))) {
			snprintf(err, errlen, "%s: error: %s: expected %s, got "
				 "'%s'", g->where, g->key, why,
				 g->value ? g->value : "nothing");
			return -EINVAL;
		}
	}
	vmm_devopts_finish(o);
	return 0;
}
