/* SPDX-License-Identifier: MIT */
#include <string.h>
#include <strings.h>

#include "guest/common/symtab.h"

static int name_matches(const char *entry, const char *name, size_t len)
{
	return strlen(entry) == len && strncasecmp(entry, name, len) == 0;
}

const struct guest_sym *guest_symtab_find(const struct guest_symtab *t,
					  const char *name, size_t len)
{
	size_t plen = t->prefix ? strlen(t->prefix) : 0;

	if (plen && len > plen && strncasecmp(name, t->prefix, plen) == 0) {
		name += plen;
		len -= plen;
	}
	for (size_t i = 0; i < t->n; i++) {
		if (name_matches(t->syms[i].name, name, len))
			return &t->syms[i];
	}
	return NULL;
}

const struct guest_sym *guest_symtab_find_value(const struct guest_symtab *t,
						uint64_t value)
{
	for (size_t i = 0; i < t->n; i++) {
		if (t->syms[i].value == value)
			return &t->syms[i];
	}
	return NULL;
}
