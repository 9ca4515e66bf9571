// SPDX-License-Identifier: MIT
/*
 * Fuzz target: `virtgpu-sim decode` (vmm/decode*.c) on a capture from a
 * bug report, i.e. untrusted input: the reader, every record's fields,
 * virgl streams and venus streams walked with the schema generated from
 * vk.xml (vmm/decode_venus.c), in text, in JSON and with --resource=1
 * (which follows backings, mappings and scanouts).  The lines go to
 * /dev/null.  What counts as a bug: a crash or a sanitizer report.
 */
#include <stdio.h>
#include <stdlib.h>

#include "tests/fuzz/fuzz.h"
#include "vmm/decode.h"

static FILE *sink;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	sink = fopen("/dev/null", "w");
	if (!sink) {
		perror("fuzz_decode: /dev/null");
		abort();
	}
	return 0;
}

void fuzz_target_fini(void)
{
	if (sink)
		fclose(sink);
	sink = NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!sink)
		LLVMFuzzerInitialize(NULL, NULL);
	vmm_decode_capture(data, size, false, 0, sink);
	vmm_decode_capture(data, size, true, 0, sink);
	vmm_decode_capture(data, size, false, 1, sink);
	return 0;
}
