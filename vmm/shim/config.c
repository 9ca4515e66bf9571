// SPDX-License-Identifier: MIT
/*
 * The machine's options from the environment: what `virtgpu-sim exec`
 * passes down, or what a person sets by hand (docs/realdriver.md).  The
 * device options' variables come from the one option table
 * (vmm/devopts.h); unset ones keep their defaults.  The shim's own
 * variables are in options.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/shim/options.h"
#include "vmm/shim/shim.h"
#include "vmm/devopts.h"

int vmm_shim_config_parse(struct vmm_machine_options *opts, bool *trace,
			  char *err, size_t errlen)
{
	const char *v = getenv(VMM_SHIM_ENV_TRACE);

	err[0] = '\0';
	*trace = false;
	vmm_machine_default_options(opts);
	if (v && strcmp(v, "0") && strcmp(v, "1")) {
		snprintf(err, errlen, "%s=%s: expected 0 or 1",
			 VMM_SHIM_ENV_TRACE, v);
		return -EINVAL;
	}
	*trace = v && v[0] == '1';
	return vmm_devopts_from_env(opts, err, errlen);
}
