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
 *
 * A script stops at its first error, so a $(...) after it would never be
 * evaluated: every outermost $(...) of the input is first evaluated on
 * its own as well (guest__expr_eval), with variables that hold int64_t's
 * edges.  The libFuzzer binary also has a structure-aware mutator
 * (scenario_mutator.c) and tools/fuzz gives it scenario.dict.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/scenario/scenario_int.h"
#include "tests/fuzz/fuzz.h"

#define SCRIPT_PATH "scenarios/fuzz/input.vgs"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

/* a, b, ... hold INT64_MIN, -1, INT64_MAX, 0, INT64_MIN, ... */
static const char *edge_var(void *ctx, const char *name, size_t len)
{
	static const char *const v[] = { "0x8000000000000000", "-1",
					 "9223372036854775807", "0" };

	(void)ctx;
	return len ? v[(unsigned char)name[0] % 4] : NULL;
}

static void eval_expressions(const char *text, size_t size)
{
	for (size_t i = 0; i + 1 < size; i++) {
		struct guest__expr_error err;
		size_t end, depth = 1;
		int64_t v;

		if (text[i] != '$' || text[i + 1] != '(')
			continue;
		for (end = i + 2; end < size && depth; end++)
			depth += text[end] == '(' ? 1 : text[end] == ')' ? -1 : 0;
		if (depth)
			return;	/* no more complete ones */
		(void)guest__expr_eval(text + i + 2, end - 1 - (i + 2),
				       edge_var, NULL, &v, &err);
		i = end - 1;
	}
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
	eval_expressions(text, size);
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
