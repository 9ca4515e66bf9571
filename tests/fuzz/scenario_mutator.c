// SPDX-License-Identifier: MIT
/*
 * Structure-aware mutation for the scenario target (libFuzzer's
 * LLVMFuzzerCustomMutator; linked into the libFuzzer binary fuzz-scenario
 * only, the replay driver has no use for it).
 *
 * Byte mutations alone rarely write a well-formed line, let alone the
 * interpreter's dangerous ones: a $(...) whose operands sit at the edges
 * of int64_t, a repeat around other lines, a variable doubling itself, an
 * include, a timeout_ms= beyond every limit.  Half of the time this
 * mutator edits the input as lines: it inserts a line generated from the
 * language's grammar (docs/scenarios.md), wraps a range of lines in
 * repeat/end, duplicates, moves or deletes a line, or puts an edge number
 * in place of a number; otherwise libFuzzer's own mutation runs, which
 * also splices in the entries of tests/fuzz/scenario.dict.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz.h"

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size,
			       unsigned int seed);

#define MAX_LINES 4096

struct rng {
	uint64_t s;
};

static uint32_t rnd(struct rng *r, uint32_t n)
{
	/* xorshift64* */
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return n ? (uint32_t)((r->s * 2685821657736338717ull) >> 33) % n : 0;
}

#define PICK(r, a) ((a)[rnd(r, sizeof(a) / sizeof((a)[0]))])

/* int64_t's edges, the values next to them, and the limits' edges */
static const char *const numbers[] = {
	"0", "1", "-1", "2", "3", "7", "64", "65", "255", "4096",
	"100000", "100001", "600000", "600001", "2147483647", "2147483648",
	"4294967295", "4294967296", "3037000499", "3037000500",
	"9223372036854775807", "9223372036854775808", "-9223372036854775807",
	"0x7fffffffffffffff", "0x8000000000000000", "0xffffffffffffffff",
	"18446744073709551616",
};
/* the operands that break an unchecked int64_t operation, in pairs */
static const char *const edges[] = {
	"9223372036854775807", "9223372036854775808", "0x8000000000000000",
	"0xffffffffffffffff", "-1", "2",
};
/* Small: a repeat around real statements that unrolls to the
 * 200,000-statement limit takes over a second under ASan, and the corpus
 * would keep it, so large counts come only from nesting small ones and,
 * rarely, from a generated "repeat" line (the step limit's edges). */
static const char *const counts[] = {
	"0", "1", "2", "3", "7", "64", "$N", "$(2 * 3)", "$i",
};
static const char *const big_counts[] = { "100000", "100001" };
static const char *const vars[] = { "a", "b", "i", "N" };
static const char *const includes[] = {
	"../lib/host_ctx.vgi", "../lib/clear_rt.vgi", "../lib/scratch.vgi",
	"../lib/virgl_file.vgi", "input.vgs", "/dev/null", "../lib",
};
static const char *const timed[] = {
	"virtio ctrl GET_DISPLAY_INFO timeout_ms=", "wait_fence f timeout_ms=",
	"poll f timeout_ms=", "read f timeout_ms=",
};

struct text {
	char *p;
	size_t len, cap;
};

static void put(struct text *t, const char *s, size_t n)
{
	if (n > t->cap - t->len)
		n = t->cap - t->len;
	memcpy(t->p + t->len, s, n);
	t->len += n;
}

static void puts_(struct text *t, const char *s)
{
	put(t, s, strlen(s));
}

static void expr(struct rng *r, struct text *t, unsigned depth)
{
	switch (depth ? rnd(r, 7) : rnd(r, 2)) {
	case 0:
		puts_(t, PICK(r, numbers));
		break;
	case 1:
		puts_(t, rnd(r, 2) ? "$" : "");
		puts_(t, PICK(r, vars));
		break;
	case 2:
	case 3:
	case 4:
		expr(r, t, depth - 1);
		put(t, " ", 1);
		put(t, &"+-*/%"[rnd(r, 5)], 1);
		put(t, " ", 1);
		expr(r, t, depth - 1);
		break;
	case 5:
		put(t, "(", 1);
		expr(r, t, depth - 1);
		put(t, ")", 1);
		break;
	default:
		put(t, "-", 1);
		expr(r, t, depth - 1);
		break;
	}
}

/* Parentheses or unary minus nested n deep. */
static void deep_expr(struct rng *r, struct text *t)
{
	unsigned n = 1 + rnd(r, 200);
	bool minus = rnd(r, 2);

	puts_(t, "$(");
	for (unsigned k = 0; k < n; k++)
		put(t, minus ? "-" : "(", 1);
	puts_(t, PICK(r, numbers));
	for (unsigned k = 0; !minus && k < n; k++)
		put(t, ")", 1);
	puts_(t, ")");
}

/* One line of the language, with its newline. */
static void gen_line(struct rng *r, struct text *t)
{
	const char *v = PICK(r, vars);

	switch (rnd(r, 11)) {
	case 8:
	case 9:
		puts_(t, "set ");
		puts_(t, v);
		puts_(t, " = $(");
		puts_(t, PICK(r, edges));
		put(t, " ", 1);
		put(t, &"+-*/%"[rnd(r, 5)], 1);
		put(t, " ", 1);
		puts_(t, PICK(r, edges));
		puts_(t, ")");
		break;
	case 0:
	case 1:
		puts_(t, "set ");
		puts_(t, v);
		puts_(t, " = $(");
		expr(r, t, 1 + rnd(r, 4));
		puts_(t, ")");
		break;
	case 2:
		puts_(t, "set ");
		puts_(t, v);
		puts_(t, " = $");
		puts_(t, v);
		puts_(t, "${");
		puts_(t, v);
		puts_(t, "}");
		break;
	case 3:
		puts_(t, "set ");
		puts_(t, v);
		puts_(t, " = ");
		deep_expr(r, t);
		break;
	case 4:
		puts_(t, "include ");
		puts_(t, PICK(r, includes));
		break;
	case 5:
		puts_(t, PICK(r, timed));
		puts_(t, PICK(r, numbers));
		break;
	case 6:
		puts_(t, "ioctl gpu GETPARAM param=$(");
		expr(r, t, 1 + rnd(r, 3));
		puts_(t, ")");
		break;
	case 7:
		puts_(t, "repeat ");
		puts_(t, rnd(r, 16) ? PICK(r, counts) : PICK(r, big_counts));
		puts_(t, rnd(r, 2) ? " as i" : "");
		break;
	default:
		puts_(t, rnd(r, 2) ? "end" : "open f$i");
		break;
	}
	put(t, "\n", 1);
}

struct lines {
	const uint8_t *start[MAX_LINES];
	size_t len[MAX_LINES];	/* with the newline, if any */
	unsigned n;
};

static void split(const uint8_t *data, size_t size, struct lines *l)
{
	size_t pos = 0;

	l->n = 0;
	while (pos < size && l->n < MAX_LINES) {
		const uint8_t *nl = memchr(data + pos, '\n', size - pos);
		size_t end = nl ? (size_t)(nl - data) + 1 : size;

		l->start[l->n] = data + pos;
		l->len[l->n++] = end - pos;
		pos = end;
	}
	if (pos < size)	/* the rest joins the last line */
		l->len[l->n - 1] += size - pos;
}

static void put_line(struct text *t, const struct lines *l, unsigned i)
{
	put(t, (const char *)l->start[i], l->len[i]);
	if (l->len[i] && l->start[i][l->len[i] - 1] != '\n')
		put(t, "\n", 1);
}

/* Line i with its first number replaced by an edge number. */
static void put_renumbered(struct rng *r, struct text *t,
			   const struct lines *l, unsigned i)
{
	const char *s = (const char *)l->start[i];
	size_t n = l->len[i], a = 0, b;

	while (a < n && !(s[a] >= '0' && s[a] <= '9'))
		a++;
	for (b = a; b < n && ((s[b] >= '0' && s[b] <= '9') || s[b] == 'x');)
		b++;
	put(t, s, a);
	if (a < n)
		puts_(t, PICK(r, numbers));
	put(t, s + b, n - b);
}

/* Lines @l rebuilt into @t with one structural edit: 0 a generated line
 * inserted, 1 a range wrapped in repeat/end, 2 a line copied, 3 deleted,
 * 4 renumbered, 5 moved. */
static void edit(struct rng *r, const struct lines *l, struct text *t)
{
	unsigned op = l->n ? rnd(r, 6) : 0;
	/* A script stops at its first error, so what is put first runs
	 * most often: half of the insertions go there. */
	unsigned at = rnd(r, 2) ? 0 : rnd(r, l->n + 1), to = at + rnd(r, 8);
	unsigned from = l->n ? rnd(r, l->n) : 0;

	if (to > l->n)
		to = l->n;
	for (unsigned i = 0; i <= l->n; i++) {
		if (i == at && op == 0)
			gen_line(r, t);
		if (i == at && op == 1) {
			puts_(t, "repeat ");
			puts_(t, PICK(r, counts));
			puts_(t, rnd(r, 2) ? " as i\n" : "\n");
		}
		if (i == at && (op == 2 || op == 5))
			put_line(t, l, from);
		if (i == to && op == 1)
			puts_(t, "end\n");
		if (i == l->n)
			break;
		if ((op == 3 || op == 5) && i == from)
			continue;
		if (op == 4 && i == from)
			put_renumbered(r, t, l, i);
		else
			put_line(t, l, i);
	}
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size,
			       unsigned int seed)
{
	struct rng r = { seed * 0x9e3779b97f4a7c15ull + 1 };
	static struct lines l;
	struct text t;

	if (rnd(&r, 2) || max_size == 0)
		return LLVMFuzzerMutate(data, size, max_size);
	t.p = malloc(max_size);
	if (!t.p)
		return LLVMFuzzerMutate(data, size, max_size);
	t.len = 0;
	t.cap = max_size;
	split(data, size, &l);
	edit(&r, &l, &t);
	memcpy(data, t.p, t.len);
	free(t.p);
	return t.len;
}
