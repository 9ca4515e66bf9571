/* SPDX-License-Identifier: MIT */
/*
 * The device options the run, exec and info commands (and the exec shim)
 * share: the feature names, sizes with K/M/G suffixes, plain numbers, and
 * their printing.  Parsers return 0 or -EINVAL and leave error messages to
 * the caller, which knows the option's name; vmm_usage_error prints
 * one in the commands' common form.
 */
#ifndef VMM_DEVOPTS_H
#define VMM_DEVOPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The names --features takes, in this order, for messages. */
#define VMM_FEATURE_NAMES \
	"virgl, edid, resource_uuid, resource_blob, context_init, none"

/* Decimal bytes with an optional binary K, M or G suffix; 0 only when
 * @zero_ok.  -EINVAL for anything else, including overflow. */
int vmm_parse_size(const char *s, bool zero_ok, uint64_t *out);
/* A non-negative integer (decimal, 0x hex or 0 octal). */
int vmm_parse_u64(const char *s, uint64_t *out);
/* A device polling window in ns, 0..HOST_POLL_LIMIT_NS. */
int vmm_parse_poll_ns(const char *s, uint64_t *out);
#define VMM_POLL_FORM "a number of nanoseconds from 0 to 10000000"
/* A comma-separated list of feature names (or "none") to VIRTIO_GPU_F_*
 * bits.  On -EINVAL, *bad and *bad_len name the unknown entry. */
int vmm_parse_features(const char *list, uint64_t *out, const char **bad,
			   size_t *bad_len);
/* The shortest K/M/G form of @v, e.g. "256M". */
void vmm_format_size(uint64_t v, char *buf, size_t len);
/* "virgl,context_init", or "none". */
void vmm_format_features(uint64_t f, char *buf, size_t len);

/* A usage error of @command ("run", "exec", "info", or NULL for the bare
 * program): "virtgpu-sim COMMAND: MESSAGE" and where the help is, on
 * stderr.  Returns -EINVAL. */
int vmm_usage_error(const char *command, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
