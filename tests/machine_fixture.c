// SPDX-License-Identifier: MIT
/*
 * The whole-stack tests' machine fixture (tests/machine_fixture.h).
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "kernelmock/km.h"
#include "sim/ram.h"
#include "tests/machine_fixture.h"

/* Free guest pages when each live machine started: tests run one at a
 * time, and few at once live in one test. */
static struct {
	struct vmm_machine *m;
	uint64_t free_pages;
} started[16];

struct vmm_machine *test_machine_start(const struct vmm_machine_options *o)
{
	struct vmm_machine *m = NULL;

	assert_int_equal(vmm_machine_create(o, &m), 0);
	/* A machine a test destroyed itself left its slot: a new one at the
	 * same address takes it over. */
	for (size_t i = 0; i < sizeof(started) / sizeof(started[0]); i++)
		if (started[i].m == m)
			started[i].m = NULL;
	for (size_t i = 0; i < sizeof(started) / sizeof(started[0]); i++)
		if (!started[i].m) {
			started[i].m = m;
			started[i].free_pages =
				sim_ram_free_pages(vmm_machine_ram(m));
			return m;
		}
	fail_msg("more than 16 machines at once");
	return NULL;
}

int test_children(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d))) {
		char path[300], buf[512];
		int ppid = -1;

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		FILE *f = fopen(path, "r");

		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f)) {
			const char *p = strrchr(buf, ')');

			if (p)
				sscanf(p + 1, " %*c %d", &ppid);
		}
		fclose(f);
		n += ppid == getpid();
	}
	closedir(d);
	return n;
}

void test_machine_finish(struct vmm_machine *m, struct km_file **files,
			 int n)
{
	struct km_device *kd = vmm_machine_kernel(m);
	struct km_stats st;
	uint64_t pages = 0;

	for (int i = 0; i < n; i++)
		if (files[i])
			km_close(files[i]);
	/* The closes queue unrefs and destroys; wait for the answers (up to
	 * 10 s: some tests hold fences for seconds). */
	for (int i = 0; i < 10000; i++) {
		km_device_stats(kd, &st);
		if (st.inflight == 0 && st.objects == 0)
			break;
		usleep(1000);
	}
	assert_int_equal(st.objects, 0);
	assert_int_equal(st.inflight, 0);
	assert_int_equal(st.files, 0);
	assert_int_equal(st.syncobjs, 0);
	for (size_t i = 0; i < sizeof(started) / sizeof(started[0]); i++)
		if (started[i].m == m) {
			pages = started[i].free_pages;
			started[i].m = NULL;
		}
	/* Every page handed out for objects came back once answered. */
	assert_int_equal(sim_ram_free_pages(vmm_machine_ram(m)), pages);
	vmm_machine_destroy(m);
	for (int i = 0; i < 2000 && test_children(); i++)
		usleep(1000);
	assert_int_equal(test_children(), 0);
}
