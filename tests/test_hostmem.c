// SPDX-License-Identifier: MIT
/* The host-visible region: windows, bounds, overlaps, translation. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sim/hostmem.h"

#define PG 4096u

static int setup(void **state)
{
	struct sim_hostmem *mem;
	if (sim_hostmem_create(16 * PG, &mem))
		return -1;
	*state = mem;
	return 0;
}

static int teardown(void **state)
{
	sim_hostmem_destroy(*state);
	return 0;
}

static void test_hostmem_create_rejects_bad_sizes(void **state)
{
	struct sim_hostmem *mem;
	assert_int_equal(sim_hostmem_create(0, &mem), -EINVAL);
	assert_int_equal(sim_hostmem_create(PG + 1, &mem), -EINVAL);
}

static void test_hostmem_map_translate_unmap(void **state)
{
	struct sim_hostmem *mem = *state;
	static char backing[2 * PG];
	assert_int_equal(sim_hostmem_map(mem, 4 * PG, backing, 2 * PG), 0);
	assert_ptr_equal(sim_hostmem_translate(mem, 4 * PG, 1), backing);
	assert_ptr_equal(sim_hostmem_translate(mem, 5 * PG + 7, PG - 7),
			 backing + PG + 7);
	/* A range crossing the window's end, or outside every window. */
	assert_null(sim_hostmem_translate(mem, 5 * PG, PG + 1));
	assert_null(sim_hostmem_translate(mem, 3 * PG, 1));
	assert_null(sim_hostmem_translate(mem, 4 * PG, 0));
	assert_int_equal(sim_hostmem_windows(mem), 1);
	assert_int_equal(sim_hostmem_unmap(mem, 4 * PG), 0);
	assert_null(sim_hostmem_translate(mem, 4 * PG, 1));
	assert_int_equal(sim_hostmem_unmap(mem, 4 * PG), -ENOENT);
	assert_int_equal(sim_hostmem_windows(mem), 0);
}

static const struct {
	const char *desc;
	uint64_t offset, size;
	int expect;
} map_cases[] = {
	{ "overlaps the start", 3 * PG, 2 * PG, -EBUSY },
	{ "overlaps the end", 5 * PG, 2 * PG, -EBUSY },
	{ "inside", 4 * PG, PG, -EBUSY },
	{ "covers", 2 * PG, 8 * PG, -EBUSY },
	{ "adjacent below", 2 * PG, 2 * PG, 0 },
	{ "adjacent above", 6 * PG, PG, 0 },
	{ "unaligned offset", 8 * PG + 1, PG, -EINVAL },
	{ "unaligned size", 8 * PG, PG + 1, -EINVAL },
	{ "zero size", 8 * PG, 0, -EINVAL },
	{ "past the end", 15 * PG, 2 * PG, -EINVAL },
	{ "offset + size overflows", 8 * PG, UINT64_MAX - PG + 1, -EINVAL },
	{ "the last page", 15 * PG, PG, 0 },
};

static void test_hostmem_map_cases(void **state)
{
	struct sim_hostmem *mem = *state;
	static char backing[16 * PG];
	assert_int_equal(sim_hostmem_map(mem, 4 * PG, backing, 2 * PG), 0);
	for (size_t i = 0; i < sizeof(map_cases) / sizeof(map_cases[0]); i++) {
		/* sim_hostmem_busy names the window a map would overlap:
		 * every -EBUSY case overlaps the one at 4 pages. */
		uint64_t at = 0, len = 0;
		if (map_cases[i].expect != -EINVAL &&
		    sim_hostmem_busy(mem, map_cases[i].offset,
				     map_cases[i].size, &at, &len) !=
			    (map_cases[i].expect == -EBUSY))
			fail_msg("%s: sim_hostmem_busy disagrees with the map",
				 map_cases[i].desc);
		if (map_cases[i].expect == -EBUSY &&
		    (at != 4 * PG || len != 2 * PG))
			fail_msg("%s: busy at 0x%llx (+0x%llx), expected the "
				 "window at 4 pages", map_cases[i].desc,
				 (unsigned long long)at,
				 (unsigned long long)len);
		int ret = sim_hostmem_map(mem, map_cases[i].offset, backing,
					  map_cases[i].size);
		if (ret != map_cases[i].expect)
			fail_msg("%s: got %d, expected %d", map_cases[i].desc, ret,
				 map_cases[i].expect);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostmem_create_rejects_bad_sizes),
		cmocka_unit_test_setup_teardown(test_hostmem_map_translate_unmap,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostmem_map_cases, setup,
						teardown),
	};
	return cmocka_run_group_tests_name("hostmem", tests, NULL, NULL);
}
