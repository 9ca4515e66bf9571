/* SPDX-License-Identifier: MIT */
/*
 * The three log channels of sim/log.h.  This is process-wide state on
 * purpose: VGS_DEBUG is a property of the process, and a guest-error flood
 * from any layer should be capped once, not per object.  Everything here is
 * either set once (pthread_once) or an atomic, so no lock is needed.
 */
#include "sim/log.h"
#include "sim/units.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* After this many guest-error lines the rest are dropped: a guest that
 * submits a million bad commands must not turn into a million lines. */
#define GUEST_ERROR_LIMIT 100u

static const struct {
	const char *name;
	uint32_t bits;
} debug_names[] = {
	{ "vq", SIM_DEBUG_VQ },
	{ "cmd", SIM_DEBUG_CMD },
	{ "fence", SIM_DEBUG_FENCE },
	{ "ioctl", SIM_DEBUG_IOCTL },
	{ "renderer", SIM_DEBUG_RENDERER },
	{ "all", SIM_DEBUG_VQ | SIM_DEBUG_CMD | SIM_DEBUG_FENCE |
		 SIM_DEBUG_IOCTL | SIM_DEBUG_RENDERER },
};

/* Written once by parse_debug_env() under debug_once, read-only after. */
static pthread_once_t debug_once = PTHREAD_ONCE_INIT;
static uint32_t debug_mask;

/* Atomics: touched from any thread. */
static bool guest_quiet;
static unsigned guest_error_count;

static uint32_t debug_bits_for(const char *word, size_t len)
{
	for (size_t i = 0; i < SIM_COUNT(debug_names);
	     i++) {
		if (strlen(debug_names[i].name) == len &&
		    memcmp(debug_names[i].name, word, len) == 0)
			return debug_names[i].bits;
	}
	return 0;
}

static void parse_debug_env(void)
{
	const char *env = getenv("VGS_DEBUG");
	uint32_t mask = 0;

	if (!env)
		return;
	while (*env) {
		size_t len = strcspn(env, ",");
		uint32_t bits;

		if (len) {
			bits = debug_bits_for(env, len);
			if (!bits)
				fprintf(stderr,
					"virtgpu-sim: VGS_DEBUG: unknown category '%.*s' ignored\n",
					(int)len, env);
			mask |= bits;
		}
		env += len;
		if (*env == ',')
			env++;
	}
	debug_mask = mask;
}

uint32_t sim_debug_mask(void)
{
	pthread_once(&debug_once, parse_debug_env);
	return debug_mask;
}

void sim_log_set_quiet(bool quiet)
{
	__atomic_store_n(&guest_quiet, quiet, __ATOMIC_RELAXED);
}

/* One line, written under the stdio stream lock so that lines from
 * different threads never interleave. */
static void log_line(const char *kind, const char *layer, const char *func,
		     const char *fmt, va_list ap)
{
	flockfile(stderr);
	fprintf(stderr, "virtgpu-sim: %s: [%s] %s: ", kind, layer, func);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	funlockfile(stderr);
}

void sim_log_guest_error(const char *layer, const char *func,
			 const char *fmt, ...)
{
	unsigned n;
	va_list ap;

	/* Quiet lines are not counted: a test that provokes errors on
	 * purpose must not use up the budget of the ones that matter. */
	if (__atomic_load_n(&guest_quiet, __ATOMIC_RELAXED))
		return;
	n = __atomic_fetch_add(&guest_error_count, 1, __ATOMIC_RELAXED);
	if (n > GUEST_ERROR_LIMIT)
		return;
	if (n == GUEST_ERROR_LIMIT) {
		fprintf(stderr,
			"virtgpu-sim: guest error: %u lines printed, further guest errors are suppressed\n",
			GUEST_ERROR_LIMIT);
		return;
	}
	va_start(ap, fmt);
	log_line("guest error", layer, func, fmt, ap);
	va_end(ap);
}

void sim_log_error(const char *layer, const char *func, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line("error", layer, func, fmt, ap);
	va_end(ap);
}

static const char *debug_category_name(enum sim_debug_category c)
{
	switch (c) {
	case SIM_DEBUG_VQ:
		return "debug(vq)";
	case SIM_DEBUG_CMD:
		return "debug(cmd)";
	case SIM_DEBUG_FENCE:
		return "debug(fence)";
	case SIM_DEBUG_IOCTL:
		return "debug(ioctl)";
	case SIM_DEBUG_RENDERER:
		return "debug(renderer)";
	}
	return "debug";
}

void sim_log_debug(enum sim_debug_category c, const char *layer,
		   const char *func, const char *fmt, ...)
{
	va_list ap;

	if (!sim_debug_on(c))
		return;
	va_start(ap, fmt);
	log_line(debug_category_name(c), layer, func, fmt, ap);
	va_end(ap);
}
