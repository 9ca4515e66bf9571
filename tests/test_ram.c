/* SPDX-License-Identifier: MIT */
/* Unit tests for sim/ram.c: translation bounds, the page allocator, and
 * vmap-style aliases. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sim/ram.h"

#define RAM_PAGES 256u
#define RAM_SIZE ((uint64_t)RAM_PAGES * SIM_PAGE_SIZE)

struct fixture {
	struct sim_ram *ram;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f || sim_ram_create(RAM_SIZE, 0, 0, &f->ram) != 0)
		return -1;
	*state = f;
	return 0;
}

/* Every test must give back every page it took: page 0 is the only one
 * not free. */
static int teardown(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(sim_ram_free_pages(f->ram), RAM_PAGES - 1);
	sim_ram_destroy(f->ram);
	free(f);
	return 0;
}

static void test_ram_create_rejects_bad_sizes(void **state)
{
	static const struct {
		const char *desc;
		uint64_t size;
		uint32_t flags;
	} cases[] = {
		{ "zero size", 0, 0 },
		{ "one page: nothing left after the reserved page 0",
		  SIM_PAGE_SIZE, 0 },
		{ "not a multiple of the page size", 3 * SIM_PAGE_SIZE + 1, 0 },
		{ "unknown flag", 4 * SIM_PAGE_SIZE, 1u << 5 },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sim_ram *ram = NULL;
		int ret = sim_ram_create(cases[i].size, cases[i].flags, 0, &ram);

		if (ret != -EINVAL || ram)
			fail_msg("%s: got %d", cases[i].desc, ret);
	}
}

static void test_ram_translate_bounds(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *desc;
		uint64_t gpa;
		uint64_t len;
		bool ok;
	} cases[] = {
		{ "first allocatable byte", SIM_PAGE_SIZE, 1, true },
		{ "last byte", RAM_SIZE - 1, 1, true },
		{ "all of RAM after page 0", SIM_PAGE_SIZE,
		  RAM_SIZE - SIM_PAGE_SIZE, true },
		{ "zero length", 2 * SIM_PAGE_SIZE, 0, false },
		{ "one past the end", RAM_SIZE, 1, false },
		{ "last byte plus one", RAM_SIZE - 1, 2, false },
		{ "far past the end", UINT64_C(1) << 40, 16, false },
		/* gpa + len wraps to a small number that is inside RAM. */
		{ "wraps around 2^64", UINT64_MAX - 3, 16, false },
		{ "huge length from a valid gpa", SIM_PAGE_SIZE, UINT64_MAX,
		  false },
		{ "GPA 0 (reserved page)", 0, 1, false },
		{ "last byte of the reserved page", SIM_PAGE_SIZE - 1, 2,
		  false },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t *p = sim_ram_translate(f->ram, cases[i].gpa,
					       cases[i].len);

		if ((p != NULL) != cases[i].ok)
			fail_msg("%s: translate gave %p", cases[i].desc,
				 (void *)p);
		if (p)
			p[cases[i].len - 1] = 0xa5; /* must not fault */
	}
}

static void test_ram_read_write(void **state)
{
	struct fixture *f = *state;
	const char msg[] = "hello, guest";
	char back[sizeof(msg)];

	assert_int_equal(sim_ram_write(f->ram, RAM_SIZE - sizeof(msg), msg,
				       sizeof(msg)), 0);
	assert_int_equal(sim_ram_read(f->ram, RAM_SIZE - sizeof(msg), back,
				      sizeof(back)), 0);
	assert_memory_equal(msg, back, sizeof(msg));
	assert_int_equal(sim_ram_write(f->ram, RAM_SIZE - 4, msg, sizeof(msg)),
			 -EFAULT);
	assert_int_equal(sim_ram_read(f->ram, 0, back, 1), -EFAULT);
}

static void test_ram_alloc_accounting(void **state)
{
	struct fixture *f = *state;
	uint64_t gpas[10];

	assert_int_equal(sim_ram_alloc_pages(f->ram, 10, gpas), 0);
	assert_int_equal(sim_ram_free_pages(f->ram), RAM_PAGES - 1 - 10);
	for (unsigned i = 0; i < 10; i++) {
		uint8_t *p = sim_ram_translate(f->ram, gpas[i], SIM_PAGE_SIZE);

		assert_int_equal(gpas[i] % SIM_PAGE_SIZE, 0);
		assert_true(gpas[i] != 0);
		assert_non_null(p);
		for (unsigned j = 0; j < i; j++)
			assert_true(gpas[i] != gpas[j]);
		memset(p, 0xcc, SIM_PAGE_SIZE);
	}
	sim_ram_release_pages(f->ram, gpas, 10);
	assert_int_equal(sim_ram_free_pages(f->ram), RAM_PAGES - 1);
}

/* Released pages must come back zeroed, whoever dirtied them. */
static void test_ram_alloc_zeroes(void **state)
{
	struct fixture *f = *state;
	uint64_t gpa, again;
	uint8_t *p;

	assert_int_equal(sim_ram_alloc_pages(f->ram, 1, &gpa), 0);
	p = sim_ram_translate(f->ram, gpa, SIM_PAGE_SIZE);
	memset(p, 0x5a, SIM_PAGE_SIZE);
	sim_ram_release_pages(f->ram, &gpa, 1);
	/* Lowest-first: the same page comes back. */
	assert_int_equal(sim_ram_alloc_pages(f->ram, 1, &again), 0);
	assert_int_equal(again, gpa);
	for (unsigned i = 0; i < SIM_PAGE_SIZE; i++)
		assert_int_equal(p[i], 0);
	/* Dirty a free page behind the allocator's back (a stray device
	 * write): the next allocation still sees zeroes. */
	sim_ram_release_pages(f->ram, &again, 1);
	memset(p, 0x33, SIM_PAGE_SIZE);
	assert_int_equal(sim_ram_alloc_pages(f->ram, 1, &again), 0);
	assert_int_equal(p[0], 0);
	assert_int_equal(p[SIM_PAGE_SIZE - 1], 0);
	sim_ram_release_pages(f->ram, &again, 1);
}

static unsigned count_consecutive(const uint64_t *gpas, unsigned n)
{
	unsigned c = 0;

	for (unsigned i = 1; i < n; i++)
		c += gpas[i] == gpas[i - 1] + SIM_PAGE_SIZE;
	return c;
}

static void alloc_scattered(uint64_t seed, uint64_t *gpas, unsigned n)
{
	struct sim_ram *ram;

	assert_int_equal(sim_ram_create(RAM_SIZE, SIM_RAM_SCATTER, seed, &ram),
			 0);
	assert_int_equal(sim_ram_alloc_pages(ram, n, gpas), 0);
	for (unsigned i = 0; i < n; i++) {
		assert_true(gpas[i] >= SIM_PAGE_SIZE && gpas[i] < RAM_SIZE);
		for (unsigned j = 0; j < i; j++)
			assert_true(gpas[i] != gpas[j]);
	}
	sim_ram_release_pages(ram, gpas, n);
	assert_int_equal(sim_ram_free_pages(ram), RAM_PAGES - 1);
	sim_ram_destroy(ram);
}

static void test_ram_scatter_reproducible(void **state)
{
	uint64_t a[64], b[64], c[64], low[64];
	struct fixture *f = *state;

	alloc_scattered(42, a, 64);
	alloc_scattered(42, b, 64);
	alloc_scattered(43, c, 64);
	assert_memory_equal(a, b, sizeof(a));
	assert_memory_not_equal(a, c, sizeof(a));
	/* Scattered: most neighbours are not physically adjacent... */
	assert_true(count_consecutive(a, 64) < 8);
	/* ...unlike lowest-first, where all are. */
	assert_int_equal(sim_ram_alloc_pages(f->ram, 64, low), 0);
	assert_int_equal(count_consecutive(low, 64), 63);
	sim_ram_release_pages(f->ram, low, 64);
}

static void test_ram_scatter_fills_ram(void **state)
{
	uint64_t gpas[RAM_PAGES - 1], extra;
	struct sim_ram *ram;
	(void)state;

	/* Random starts must still find every last free page. */
	assert_int_equal(sim_ram_create(RAM_SIZE, SIM_RAM_SCATTER, 7, &ram), 0);
	assert_int_equal(sim_ram_alloc_pages(ram, RAM_PAGES - 1, gpas), 0);
	assert_int_equal(sim_ram_free_pages(ram), 0);
	assert_int_equal(sim_ram_alloc_pages(ram, 1, &extra), -ENOMEM);
	sim_ram_release_pages(ram, gpas, RAM_PAGES - 1);
	assert_int_equal(sim_ram_free_pages(ram), RAM_PAGES - 1);
	sim_ram_destroy(ram);
}

static void test_ram_alloc_contig(void **state)
{
	struct fixture *f = *state;
	uint64_t holes[6], gpa;
	uint8_t *p;

	assert_int_equal(sim_ram_alloc_contig(f->ram, 5 * SIM_PAGE_SIZE - 100,
					      &gpa), 0);
	assert_int_equal(gpa % SIM_PAGE_SIZE, 0);
	assert_int_equal(sim_ram_free_pages(f->ram), RAM_PAGES - 1 - 5);
	p = sim_ram_translate(f->ram, gpa, 5 * SIM_PAGE_SIZE);
	assert_non_null(p);
	assert_int_equal(p[0], 0);
	assert_int_equal(p[5 * SIM_PAGE_SIZE - 1], 0);
	sim_ram_release_contig(f->ram, gpa, 5 * SIM_PAGE_SIZE - 100);
	assert_int_equal(sim_ram_free_pages(f->ram), RAM_PAGES - 1);

	/* First fit skips holes that are too small: pages 1..6 taken, 2
	 * and 4 given back, so a 2-page run must start at page 7. */
	assert_int_equal(sim_ram_alloc_pages(f->ram, 6, holes), 0);
	assert_int_equal(holes[0], SIM_PAGE_SIZE);
	sim_ram_release_pages(f->ram, &holes[1], 1);
	sim_ram_release_pages(f->ram, &holes[3], 1);
	assert_int_equal(sim_ram_alloc_contig(f->ram, 2 * SIM_PAGE_SIZE, &gpa),
			 0);
	assert_int_equal(gpa, 7 * SIM_PAGE_SIZE);
	sim_ram_release_contig(f->ram, gpa, 2 * SIM_PAGE_SIZE);
	sim_ram_release_pages(f->ram, &holes[0], 1);
	sim_ram_release_pages(f->ram, &holes[2], 1);
	sim_ram_release_pages(f->ram, &holes[4], 2);

	assert_int_equal(sim_ram_alloc_contig(f->ram, 0, &gpa), -EINVAL);
}

/* The allocator skips full 64-page bitmap words; runs must still be found
 * right after them and across a word boundary. */
static void test_ram_alloc_contig_word_boundaries(void **state)
{
	struct fixture *f = *state;
	uint64_t low[127], gpa;

	/* Pages 1..127: bitmap words 0 and 1 are full. */
	assert_int_equal(sim_ram_alloc_pages(f->ram, 127, low), 0);
	assert_int_equal(sim_ram_alloc_contig(f->ram, 3 * SIM_PAGE_SIZE, &gpa),
			 0);
	assert_int_equal(gpa, 128 * SIM_PAGE_SIZE);
	sim_ram_release_contig(f->ram, gpa, 3 * SIM_PAGE_SIZE);
	/* Free pages 62..66 (low[61..65]): a 5-page run over the boundary
	 * between words 0 and 1. */
	sim_ram_release_pages(f->ram, &low[61], 5);
	assert_int_equal(sim_ram_alloc_contig(f->ram, 5 * SIM_PAGE_SIZE, &gpa),
			 0);
	assert_int_equal(gpa, 62 * SIM_PAGE_SIZE);
	sim_ram_release_contig(f->ram, gpa, 5 * SIM_PAGE_SIZE);
	sim_ram_release_pages(f->ram, low, 61);
	sim_ram_release_pages(f->ram, &low[66], 127 - 66);
}

static void test_ram_enomem_all_or_nothing(void **state)
{
	struct fixture *f = *state;
	uint64_t gpas[RAM_PAGES], gpa = 0xdead;
	uint64_t nfree = sim_ram_free_pages(f->ram);

	assert_int_equal(sim_ram_alloc_pages(f->ram, nfree + 1, gpas), -ENOMEM);
	assert_int_equal(sim_ram_free_pages(f->ram), nfree);
	assert_int_equal(sim_ram_alloc_contig(f->ram, RAM_SIZE, &gpa), -ENOMEM);
	assert_int_equal(sim_ram_alloc_contig(f->ram, UINT64_MAX, &gpa),
			 -ENOMEM);
	assert_int_equal(gpa, 0xdead);
	assert_int_equal(sim_ram_free_pages(f->ram), nfree);

	/* Enough pages in total but no run long enough: every other page
	 * taken. */
	assert_int_equal(sim_ram_alloc_pages(f->ram, nfree, gpas), 0);
	for (unsigned i = 0; i < nfree; i += 2)
		sim_ram_release_pages(f->ram, &gpas[i], 1);
	assert_int_equal(sim_ram_alloc_contig(f->ram, 2 * SIM_PAGE_SIZE, &gpa),
			 -ENOMEM);
	for (unsigned i = 1; i < nfree; i += 2)
		sim_ram_release_pages(f->ram, &gpas[i], 1);
}

/* A bad release is reported and ignored, never corrupts the accounting. */
static void test_ram_bad_release_ignored(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *desc;
		uint64_t gpa;
	} cases[] = {
		{ "reserved page 0", 0 },
		{ "not page aligned", SIM_PAGE_SIZE + 8 },
		{ "outside RAM", RAM_SIZE },
		{ "never allocated", 9 * SIM_PAGE_SIZE },
	};
	uint64_t gpa;

	assert_int_equal(sim_ram_alloc_pages(f->ram, 1, &gpa), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sim_ram_release_pages(f->ram, &cases[i].gpa, 1);
		if (sim_ram_free_pages(f->ram) != RAM_PAGES - 2)
			fail_msg("%s: free count changed", cases[i].desc);
	}
	sim_ram_release_pages(f->ram, &gpa, 1);
	/* Double release. */
	sim_ram_release_pages(f->ram, &gpa, 1);
	assert_int_equal(sim_ram_free_pages(f->ram), RAM_PAGES - 1);
}

static void test_ram_map_pages_aliases(void **state)
{
	struct fixture *f = *state;
	uint64_t gpas[5], order[5];
	uint8_t *map;
	void *addr;

	assert_int_equal(sim_ram_alloc_pages(f->ram, 5, gpas), 0);
	/* Map in a shuffled order with one physically consecutive pair
	 * (gpas[1], gpas[2]) so both the per-page and the coalesced paths
	 * run. */
	order[0] = gpas[3];
	order[1] = gpas[1];
	order[2] = gpas[2];
	order[3] = gpas[0];
	order[4] = gpas[4];
	assert_int_equal(sim_ram_map_pages(f->ram, order, 5, &addr), 0);
	map = addr;

	for (unsigned i = 0; i < 5; i++) {
		uint8_t back[SIM_PAGE_SIZE];

		memset(map + i * SIM_PAGE_SIZE, 0x10 + i, SIM_PAGE_SIZE);
		assert_int_equal(sim_ram_read(f->ram, order[i], back,
					      sizeof(back)), 0);
		assert_int_equal(back[0], 0x10 + i);
		assert_int_equal(back[SIM_PAGE_SIZE - 1], 0x10 + i);
	}
	/* And the other way round. */
	assert_int_equal(sim_ram_write(f->ram, order[4] + 100, "xyz", 3), 0);
	assert_memory_equal(map + 4 * SIM_PAGE_SIZE + 100, "xyz", 3);

	sim_ram_unmap_pages(addr, 5);
	sim_ram_release_pages(f->ram, gpas, 5);
}

static void test_ram_map_pages_rejects(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *desc;
		uint64_t gpa;
		int ret;
	} cases[] = {
		{ "reserved page 0", 0, -EFAULT },
		{ "not page aligned", SIM_PAGE_SIZE + 1, -EFAULT },
		{ "one page past the end", RAM_SIZE, -EFAULT },
		{ "last page is fine", RAM_SIZE - SIM_PAGE_SIZE, 0 },
	};
	void *addr = NULL;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ret = sim_ram_map_pages(f->ram, &cases[i].gpa, 1, &addr);

		if (ret != cases[i].ret)
			fail_msg("%s: got %d", cases[i].desc, ret);
		if (ret == 0)
			sim_ram_unmap_pages(addr, 1);
	}
	assert_int_equal(sim_ram_map_pages(f->ram, NULL, 0, &addr), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ram_create_rejects_bad_sizes,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_ram_translate_bounds,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_ram_read_write, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ram_alloc_accounting,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_ram_alloc_zeroes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ram_scatter_reproducible,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_ram_scatter_fills_ram,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_ram_alloc_contig, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ram_alloc_contig_word_boundaries,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_ram_enomem_all_or_nothing,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_ram_bad_release_ignored,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_ram_map_pages_aliases,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_ram_map_pages_rejects,
						setup, teardown),
	};

	return cmocka_run_group_tests_name("ram", tests, NULL, NULL);
}
