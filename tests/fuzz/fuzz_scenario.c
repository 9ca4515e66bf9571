// SPDX-License-Identifier: MIT
/*
 * Fuzz target: the scenario (.vgs) parser, guest/scenario/scenario.h's parse API,
 * fed arbitrary text.  Parse only: what a script does when run is the
 * other targets' business.  A parse either succeeds (and then the script's
 * length, device line and "needs" summary must be computable) or fails
 * with a message; it must never crash, leak or read past the text.
 *
 * The script is named as if it lived in scenarios/fuzz/, so that
 * "include ../lib/host_ctx.vgi" in a seed finds the real shared files
 * when the fuzzer runs from the source tree (tools/fuzz does).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/scenario/scenario.h"
#include "tests/fuzz/fuzz.h"

#define SCRIPT_PATH "scenarios/fuzz/input.vgs"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct guest_script *script = NULL;
	char *error = NULL;
	/* The parser takes a length, but make the text end where the input
	 * ends exactly: a NUL-terminated copy would hide over-reads. */
	char *text = malloc(size ? size : 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	int ret = guest_script_parse(SCRIPT_PATH, text, size, &script, &error);

	if (ret == 0) {
		char *needs = guest_script_needs(script);

		(void)guest_script_length(script);
		(void)guest_script_device(script);
		free(needs);
		guest_script_destroy(script);
		if (error) {
			fprintf(stderr, "fuzz_scenario: a successful parse left "
				"an error message: %s\n", error);
			abort();
		}
	} else if (ret == -EINVAL && !error) {
		fprintf(stderr, "fuzz_scenario: -EINVAL without a message\n");
		abort();
	}
	free(error);
	free(text);
	return 0;
}

void fuzz_target_fini(void)
{
}
