// SPDX-License-Identifier: MIT
/*
 * The next definitions of the interposed functions (libc's), found with
 * dlsym(RTLD_NEXT) on first use: a wrapper may run before the shim's
 * constructor (other libraries' constructors call open or fopen), so
 * nothing here depends on initialisation order.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

#include "vmm/shim/shim.h"

static const char *const real_names[VMM_REAL_COUNT] = {
#define VMM_REAL_FN(name) [VMM_REAL_##name] = #name,
#include "vmm/shim/real_list.h"
#undef VMM_REAL_FN
};

void *vmm_shim_real(enum vmm_real_fn fn)
{
	void *p = __atomic_load_n(&vmm_shim.real[fn], __ATOMIC_ACQUIRE);
	if (p)
		return p;
	p = dlsym(RTLD_NEXT, real_names[fn]);
	if (!p) {
		/* Nothing sensible can be returned to the caller. */
		fprintf(stderr, VMM_SHIM_TAG ": %s: libc has no such "
			"function (%s)\n", real_names[fn], dlerror());
		abort();
	}
	__atomic_store_n(&vmm_shim.real[fn], p, __ATOMIC_RELEASE);
	return p;
}
