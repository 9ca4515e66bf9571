// SPDX-License-Identifier: MIT
/*
 * The machine's options from the environment (options.h): what
 * `virtgpu-sim exec` passes down, or what a person sets by hand.  Unset
 * variables keep vmm_machine_default_options().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/shim/options.h"
#include "vmm/shim/shim.h"
#include "vmm/devopts.h"

static int parse_bool(const char *name, bool *out, char *err, size_t errlen)
{
	const char *v = getenv(name);

	if (!v)
		return 0;
	if (strcmp(v, "0") && strcmp(v, "1")) {
		snprintf(err, errlen, "%s=%s: expected 0 or 1", name, v);
		return -EINVAL;
	}
	*out = v[0] == '1';
	return 0;
}

static int parse_size_var(const char *name, bool zero_ok, uint64_t *out,
			  char *err, size_t errlen)
{
	const char *v = getenv(name);

	if (!v)
		return 0;
	if (vmm_parse_size(v, zero_ok, out)) {
		snprintf(err, errlen, "%s=%s: expected a size in bytes%s, with "
			 "an optional K, M or G suffix", name, v,
			 zero_ok ? "" : " above 0");
		return -EINVAL;
	}
	return 0;
}

static int parse_u64_var(const char *name, uint64_t *out, char *err,
			 size_t errlen)
{
	const char *v = getenv(name);

	if (v && vmm_parse_u64(v, out)) {
		snprintf(err, errlen, "%s=%s: expected a non-negative integer",
			 name, v);
		return -EINVAL;
	}
	return 0;
}

static int parse_poll_var(uint64_t *out, char *err, size_t errlen)
{
	const char *v = getenv(VMM_SHIM_ENV_POLL_MAX_NS);

	if (v && vmm_parse_poll_ns(v, out)) {
		snprintf(err, errlen, "%s=%s: expected " VMM_POLL_FORM,
			 VMM_SHIM_ENV_POLL_MAX_NS, v);
		return -EINVAL;
	}
	return 0;
}

int vmm_shim_config_parse(struct vmm_machine_options *opts, bool *trace,
			    char *err, size_t errlen)
{
	const char *features = getenv(VMM_SHIM_ENV_FEATURES);
	const char *bad;
	size_t bad_len;
	int ret;

	err[0] = '\0';
	*trace = false;
	vmm_machine_default_options(opts);
	if (features && vmm_parse_features(features, &opts->features,
					       &bad, &bad_len)) {
		snprintf(err, errlen, "%s=%s: unknown feature '%.*s' (known: "
			 VMM_FEATURE_NAMES ")", VMM_SHIM_ENV_FEATURES,
			 features, (int)bad_len, bad);
		return -EINVAL;
	}
	ret = parse_bool(VMM_SHIM_ENV_VIRGL, &opts->virgl, err, errlen);
	if (!ret)
		ret = parse_bool(VMM_SHIM_ENV_VENUS, &opts->venus, err,
				 errlen);
	if (!ret)
		ret = parse_bool(VMM_SHIM_ENV_RENDER_SERVER,
				 &opts->render_server, err, errlen);
	if (!ret)
		ret = parse_bool(VMM_SHIM_ENV_SCATTER, &opts->scatter, err,
				 errlen);
	if (!ret)
		ret = parse_u64_var(VMM_SHIM_ENV_SEED, &opts->seed, err, errlen);
	if (!ret)
		ret = parse_bool(VMM_SHIM_ENV_LOCKSTEP, &opts->lockstep, err,
				 errlen);
	if (!ret)
		ret = parse_poll_var(&opts->poll_max_ns, err, errlen);
	if (!ret)
		ret = parse_bool(VMM_SHIM_ENV_TRACE, trace, err, errlen);
	if (!ret)
		ret = parse_size_var(VMM_SHIM_ENV_RAM, false, &opts->ram_size,
				     err, errlen);
	if (!ret)
		ret = parse_size_var(VMM_SHIM_ENV_HOSTMEM, true,
				     &opts->hostmem_size, err, errlen);
	if (!ret && opts->render_server)
		opts->venus = true;	/* the render server serves venus */
	return ret;
}
