// SPDX-License-Identifier: MIT
/*
 * Fuzz target: the capture reader (sim/capture.h), which `virtgpu-sim
 * decode` and `replay` run on files from bug reports, i.e. untrusted
 * input.  Every record is read and every record type parsed the way
 * decode and replay parse them; the parsed lengths are then walked, so
 * that ASan sees any pointer the reader lets past the end of the input.
 * What counts as a bug: a crash, a sanitizer report, a parse that
 * accepts a record whose parts do not lie inside the input.
 */
#include <stdio.h>
#include <stdlib.h>

#include "sim/capture.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

void fuzz_target_fini(void)
{
}

/* Touch [p, p + len): out of the input it is an ASan report. */
static uint64_t walk(const uint8_t *p, uint64_t len)
{
	uint64_t sum = 0;
	for (uint64_t i = 0; i < len; i++)
		sum += p[i];
	return sum;
}

static void inside(const uint8_t *base, size_t size, const uint8_t *p,
		   uint64_t len)
{
	if (len && (p < base || (uint64_t)(p - base) > size ||
		    len > size - (uint64_t)(p - base))) {
		fprintf(stderr, "fuzz_capture: a parsed part lies outside "
			"the input\n");
		abort();
	}
}

static void parse(const uint8_t *data, size_t size,
		  const struct sim_capture_rec *rec)
{
	struct sim_capture_chain c;
	struct sim_capture_response r;
	struct sim_capture_mem m;
	struct sim_capture_info i;
	struct sim_capture_sum s;
	char err[256];

	inside(data, size, rec->payload, rec->len);
	switch (rec->type) {
	case SIM_CAPTURE_CHAIN:
		if (sim_capture_parse_chain(rec, &c, err, sizeof(err)) == 0) {
			inside(data, size, c.data, c.out_len);
			for (unsigned n = 0; n < (unsigned)c.out_num + c.in_num; n++)
				sim_capture_chain_buf_len(&c, n);
			walk(c.data, c.out_len);
		}
		break;
	case SIM_CAPTURE_RESPONSE:
		if (sim_capture_parse_response(rec, &r, err, sizeof(err)) == 0) {
			inside(data, size, r.data, r.written);
			walk(r.data, r.written);
		}
		break;
	case SIM_CAPTURE_GUEST_MEM:
	case SIM_CAPTURE_HOST_MEM:
		if (sim_capture_parse_mem(rec, &m, err, sizeof(err)) == 0 &&
		    m.data) {
			inside(data, size, m.data, m.len);
			walk(m.data, m.len);
		}
		break;
	case SIM_CAPTURE_INFO:
		if (sim_capture_parse_info(rec, &i, err, sizeof(err)) == 0)
			walk((const uint8_t *)i.key,
			     (uint64_t)i.key_len + i.value_len);
		break;
	case SIM_CAPTURE_CHECKSUM:
		sim_capture_parse_sum(rec, &s);
		break;
	default:
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sim_capture_reader rd;
	struct sim_capture_rec rec;
	char err[256];

	if (sim_capture_reader_init(&rd, data, size, err, sizeof(err)))
		return 0;
	while (sim_capture_reader_next(&rd, &rec, err, sizeof(err)) == 1)
		parse(data, size, &rec);
	return 0;
}
