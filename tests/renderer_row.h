/* SPDX-License-Identifier: MIT */
/*
 * Tests that check facts of one virglrenderer release (capset sizes, the
 * venus wire format our guest encoder speaks) skip on the others, naming
 * why, as Mesa CI's expectation files do (docs/realdriver.md, "Rows").
 * Whole test programs and scripts are listed in
 * tests/expectations/virglrenderer-1-skips.txt instead.
 */
#ifndef TESTS_RENDERER_ROW_H
#define TESTS_RENDERER_ROW_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/host.h"

/* The major version of the virglrenderer the tests were built against. */
static inline int test_renderer_major(void)
{
	return atoi(host_renderer_version());
}

/* The VIRGL2 capset's size (virgl_caps_v2 grows with releases): 1376
 * bytes in 0.10.4, 1384 in 1.1.0, 1408 in 1.3.0; 0 for another release. */
static inline unsigned test_virgl2_capset_size(void)
{
	const char *v = host_renderer_version();

	if (strncmp(v, "0.10.", 5) == 0)
		return 1376;
	if (strncmp(v, "1.1.", 4) == 0)
		return 1384;
	if (strncmp(v, "1.3.", 4) == 0)
		return 1408;
	return 0;
}

/* Skip the running cmocka test from virglrenderer 1.0 on, with @why. */
#define TEST_SKIP_FROM_1_0(why)                                              \
	do {                                                                 \
		if (test_renderer_major() >= 1) {                            \
			printf("# SKIP on virglrenderer %s: %s\n",           \
			       host_renderer_version(), (why));              \
			skip();                                              \
		}                                                            \
	} while (0)

#endif
