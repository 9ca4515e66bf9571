/* SPDX-License-Identifier: MIT */
/*
 * Three log channels (see docs/architecture.md):
 *  - guest errors: what a guest did wrong (bad command field, malformed
 *    chain, bad ioctl argument); always printed, rate-limited per site;
 *  - internal errors: the simulator or the renderer failed;
 *  - debug: opt-in categories from VGS_DEBUG=vq,cmd,fence,ioctl,all.
 * Everything goes to stderr so that TAP on stdout stays clean.
 */
#ifndef SIM_LOG_H
#define SIM_LOG_H

#include <stdbool.h>
#include <stdint.h>

enum sim_debug_category {
	SIM_DEBUG_VQ = 1u << 0,
	SIM_DEBUG_CMD = 1u << 1,
	SIM_DEBUG_FENCE = 1u << 2,
	SIM_DEBUG_IOCTL = 1u << 3,
	SIM_DEBUG_RENDERER = 1u << 4,
};

/* Parsed once from VGS_DEBUG; safe to call from any thread. */
uint32_t sim_debug_mask(void);
static inline bool sim_debug_on(enum sim_debug_category c)
{
	return (sim_debug_mask() & c) != 0;
}

/* Silence guest-error lines (used by tests that provoke them on purpose). */
void sim_log_set_quiet(bool quiet);

void sim_log_guest_error(const char *layer, const char *func,
			 const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void sim_log_error(const char *layer, const char *func, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void sim_log_debug(enum sim_debug_category c, const char *layer,
		   const char *func, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#define SIM_GUEST_ERROR(layer, ...) \
	sim_log_guest_error(layer, __func__, __VA_ARGS__)
#define SIM_ERROR(layer, ...) sim_log_error(layer, __func__, __VA_ARGS__)
#define SIM_DEBUG(cat, layer, ...)                                   \
	do {                                                         \
		if (sim_debug_on(cat))                               \
			sim_log_debug(cat, layer, __func__, __VA_ARGS__); \
	} while (0)

#endif
