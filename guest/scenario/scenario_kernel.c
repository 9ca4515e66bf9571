// SPDX-License-Identifier: MIT
/*
 * "kernel VERSION[,VERSION...] STATEMENT": the statement runs only when
 * the guest kernel is one of the Linux versions listed (the names of
 * `--kernel`, docs/kernel-versions.md), so one script run on several
 * versions (`device kernel=6.1,6.12`) states what each of them answers.
 * The kernel is asked as a program asks uname(2): km_device_kversion.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/scenario/scenario_int.h"
#include "kernelmock/km.h"

/* The comma-separated names, tokens written without spaces between. */
static int parse_versions(struct guest_parser *p, uint64_t *set)
{
	const struct guest_tok *t = guest__cur(p);
	size_t len = t->len;
	const char *text = t->text;

	if (t->kind == GUEST_TOK_EOL)
		return guest__perr(p, t, "a kernel version list (6.1,6.12)");
	while (p->pos + 1 < p->n && p->toks[p->pos + 1].kind != GUEST_TOK_EOL &&
	       p->toks[p->pos + 1].text == text + len)
		len += p->toks[++p->pos].len;
	p->pos++;
	*set = 0;
	for (size_t at = 0; at < len;) {
		size_t n = 0;
		unsigned i = 0;
		const struct km_kversion *kv;

		while (at + n < len && text[at + n] != ',')
			n++;
		kv = km_kversion_find(text + at, n);
		if (!kv) {
			char known[200];
			size_t w = 0;

			known[0] = '\0';
			for (unsigned k = 0; km_kversion_at(k) && w < sizeof(known);
			     k++)
				w += (size_t)snprintf(known + w, sizeof(known) - w,
						      "%s%s", k ? ", " : "",
						      km_kversion_at(k)->name);
			return guest__perr(p, t, "a kernel version (%s), not "
					   "'%.*s'", known, (int)n, text + at);
		}
		while (km_kversion_at(i) != kv)
			i++;
		*set |= 1ull << i;
		at += n + 1;
	}
	return 0;
}

int guest__parse_kernel(struct guest_parser *p, struct guest_stmt *st)
{
	int ret;

	p->pos++;
	st->kind = GUEST_STMT_KERNEL;
	ret = parse_versions(p, &st->u.kernel.versions);
	if (ret)
		return ret;
	return guest__parse_inner(p, st, &st->u.kernel.inner);
}

bool guest__kernel_matches(struct guest_run *r, uint64_t versions)
{
	const struct km_kversion *kv = km_device_kversion(r->dev);

	for (unsigned i = 0; i < 64 && km_kversion_at(i); i++)
		if ((versions & (1ull << i)) && km_kversion_at(i) == kv)
			return true;
	return false;
}
