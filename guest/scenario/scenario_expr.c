/* SPDX-License-Identifier: MIT */
/*
 * $(EXPR) in scenario scripts: signed 64-bit integers, + - * / %, unary
 * minus and parentheses; variables written bare or as $NAME, whose values
 * must be numbers.  Errors give the offset of the offending text and the
 * form that was expected there; the source layer turns that into
 * "file:line:column: error: expected ..., got ...".
 */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "guest/scenario/scenario_int.h"

struct expr {
	const char *s;
	size_t len, pos;
	guest__var_fn lookup;
	void *ctx;
	struct guest__expr_error *err;
};

static int sum(struct expr *e, int64_t *v);

static void skip_blanks(struct expr *e)
{
	while (e->pos < e->len && (e->s[e->pos] == ' ' || e->s[e->pos] == '\t'))
		e->pos++;
}

static int fail(struct expr *e, size_t pos, const char *expected)
{
	size_t n = 0;

	while (pos + n < e->len && e->s[pos + n] != ' ')
		n++;
	e->err->pos = pos;
	e->err->len = n;
	e->err->expected = expected;
	return -EINVAL;
}

static bool ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

static int number(struct expr *e, size_t at, const char *t, size_t n,
		  int64_t *v)
{
	uint64_t u;

	if (guest__parse_number(t, n, &u))
		return fail(e, at, "a number in $(...)");
	*v = (int64_t)u;
	return 0;
}

static int variable(struct expr *e, int64_t *v)
{
	size_t start = e->pos;
	const char *value;

	while (e->pos < e->len && ident_char(e->s[e->pos]))
		e->pos++;
	value = e->lookup(e->ctx, e->s + start, e->pos - start);
	if (!value)
		return fail(e, start, "a variable defined with 'set' or a "
			    "repeat index in $(...)");
	return number(e, start, value, strlen(value), v);
}

static int atom(struct expr *e, int64_t *v)
{
	size_t start;
	int ret;

	skip_blanks(e);
	if (e->pos < e->len && e->s[e->pos] == '(') {
		e->pos++;
		ret = sum(e, v);
		skip_blanks(e);
		if (!ret && (e->pos >= e->len || e->s[e->pos] != ')'))
			return fail(e, e->pos, "')' in $(...)");
		e->pos++;
		return ret;
	}
	if (e->pos < e->len && e->s[e->pos] == '-') {
		e->pos++;
		ret = atom(e, v);
		*v = -*v;
		return ret;
	}
	if (e->pos < e->len && e->s[e->pos] == '$')
		e->pos++;
	if (e->pos < e->len && (isalpha((unsigned char)e->s[e->pos]) ||
				e->s[e->pos] == '_'))
		return variable(e, v);
	start = e->pos;
	while (e->pos < e->len && isalnum((unsigned char)e->s[e->pos]))
		e->pos++;
	if (e->pos == start)
		return fail(e, start, "a number, a variable or '(' in $(...)");
	return number(e, start, e->s + start, e->pos - start, v);
}

static int product(struct expr *e, int64_t *v)
{
	int ret = atom(e, v);

	for (;;) {
		size_t at;
		int64_t r;
		char op;

		skip_blanks(e);
		if (ret || e->pos >= e->len || !strchr("*/%", e->s[e->pos]))
			return ret;
		op = e->s[e->pos++];
		skip_blanks(e);
		at = e->pos;
		ret = atom(e, &r);
		if (ret)
			return ret;
		if (op != '*' && r == 0)
			return fail(e, at, "a divisor other than 0 in $(...)");
		*v = op == '*' ? *v * r : op == '/' ? *v / r : *v % r;
	}
}

static int sum(struct expr *e, int64_t *v)
{
	int ret = product(e, v);

	for (;;) {
		int64_t r;
		char op;

		skip_blanks(e);
		if (ret || e->pos >= e->len || !strchr("+-", e->s[e->pos]))
			return ret;
		op = e->s[e->pos++];
		ret = product(e, &r);
		if (!ret)
			*v = op == '+' ? *v + r : *v - r;
	}
}

int guest__expr_eval(const char *s, size_t len, guest__var_fn lookup,
		     void *ctx, int64_t *v, struct guest__expr_error *err)
{
	struct expr e = { s, len, 0, lookup, ctx, err };
	int ret = sum(&e, v);

	skip_blanks(&e);
	if (!ret && e.pos != e.len)
		ret = fail(&e, e.pos, "an operator (+ - * / %) or ')' in "
			   "$(...)");
	return ret;
}
