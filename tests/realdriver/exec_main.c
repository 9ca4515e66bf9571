// SPDX-License-Identifier: MIT
/*
 * `realdriver-exec`: vmm_cmd_exec() on its own, so the real-driver suite
 * runs the `virtgpu-sim exec` code whatever the CLI's dispatcher offers.
 * It sits two directories below the build root, like
 * vmm/virtgpu-sim, so it finds the shim the same way.
 */
#include "vmm/exec.h"

int main(int argc, char **argv)
{
	return vmm_cmd_exec(argc, argv);
}
