/* SPDX-License-Identifier: MIT */
/*
 * One-line facts every layer that may include sim/ shares, said once:
 * the size syntax of the command line, scripts and fault specs, and the
 * number of elements of an array.
 */
#ifndef SIM_UNITS_H
#define SIM_UNITS_H

#include <stddef.h>
#include <stdint.h>

#define SIM_COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Decimal bytes with an optional binary K, M or G suffix ("64M").
 * 0 or -EINVAL (no digits, another suffix, overflow of 64 bits). */
int sim_parse_size(const char *s, uint64_t *out);
/* The shortest such form of @v: "256M", "4097". */
void sim_format_size(uint64_t v, char *buf, size_t len);

#endif
