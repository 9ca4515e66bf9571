/* SPDX-License-Identifier: MIT */
/*
 * Name <-> value tables for the symbolic constants a scenario may write:
 * UAPI params, capset ids, flags, PIPE formats, errno names.
 *
 * A table has an optional prefix that may be left out when writing a
 * name: with prefix "VIRTGPU_PARAM_", both "3D_FEATURES" and
 * "VIRTGPU_PARAM_3D_FEATURES" find the same entry.  Lookups ignore case,
 * because the UAPI itself is not consistent about it
 * (VIRTGPU_PARAM_SUPPORTED_CAPSET_IDs).
 */
#ifndef GUEST_SYMTAB_H
#define GUEST_SYMTAB_H

#include <stddef.h>
#include <stdint.h>

struct guest_sym {
	const char *name;
	uint64_t value;
	uint32_t aux;		/* table-specific: bytes per pixel for formats */
};

struct guest_symtab {
	const char *what;	/* for messages: "a GETPARAM param name" */
	const char *prefix;	/* optional prefix, or NULL */
	const struct guest_sym *syms;
	size_t n;
};

/* Find @name (@len bytes, not NUL-terminated).  Returns the entry or NULL. */
const struct guest_sym *guest_symtab_find(const struct guest_symtab *t,
					  const char *name, size_t len);
/* The first entry whose value is @value, or NULL. */
const struct guest_sym *guest_symtab_find_value(const struct guest_symtab *t,
						uint64_t value);

#endif
