/* SPDX-License-Identifier: MIT */
/*
 * $(EXPR) in scenario scripts: signed 64-bit integers, + - * / %, unary
 * minus and parentheses; variables written bare or as $NAME, whose values
 * must be numbers.  Errors give the offset of the offending text and the
 * form that was expected there; the source layer turns that into
 * "file:line:column: error: expected ..., got ...".
 *
 * A script is untrusted input (CI runs scripts from merge requests), so
 * every operation is checked: a result outside int64_t (including
 * INT64_MIN / -1 and INT64_MIN % -1, which trap on x86) is an error at
 * the operator, and parentheses and unary minus nest at most
 * GUEST_MAX_EXPR_DEPTH deep, which bounds the recursion below.
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
	unsigned depth;		/* open '(' and unary '-' around pos */
};

static int sum(struct expr *e, int64_t *v);
static int atom(struct expr *e, int64_t *v);

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

static const char overflow[] = "an operation whose result fits in a "
	"signed 64-bit integer in $(...)";

/* The one place the evaluator recurses: '(' and unary '-'. */
static int nested(struct expr *e, int64_t *v)
{
	size_t at = e->pos;
	char op = e->s[e->pos++];
	int ret;

	if (e->depth >= GUEST_MAX_EXPR_DEPTH)
		return fail(e, at, "parentheses and unary '-' nested at most "
			    GUEST_STR(GUEST_MAX_EXPR_DEPTH) " deep in $(...)");
	e->depth++;
	ret = op == '(' ? sum(e, v) : atom(e, v);
	e->depth--;
	if (ret)
		return ret;
	if (op == '-')
		return __builtin_sub_overflow(0, *v, v) ? fail(e, at, overflow)
							: 0;
	skip_blanks(e);
	if (e->pos >= e->len || e->s[e->pos] != ')')
		return fail(e, e->pos, "')' in $(...)");
	e->pos++;
	return 0;
}

static int atom(struct expr *e, int64_t *v)
{
	size_t start;

	skip_blanks(e);
	if (e->pos < e->len && (e->s[e->pos] == '(' || e->s[e->pos] == '-'))
		return nested(e, v);
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

/* *v op r without undefined behaviour; false when it does not fit. */
static bool apply(char op, int64_t *v, int64_t r)
{
	switch (op) {
	case '+':
		return !__builtin_add_overflow(*v, r, v);
	case '-':
		return !__builtin_sub_overflow(*v, r, v);
	case '*':
		return !__builtin_mul_overflow(*v, r, v);
	}
	/* INT64_MIN / -1 does not fit; INT64_MIN % -1 is 0 mathematically
	 * but traps (SIGFPE) on x86 all the same, so both are refused. */
	if (*v == INT64_MIN && r == -1)
		return false;
	*v = op == '/' ? *v / r : *v % r;
	return true;
}

static int product(struct expr *e, int64_t *v)
{
	int ret = atom(e, v);

	for (;;) {
		size_t at, op_at;
		int64_t r;
		char op;

		skip_blanks(e);
		if (ret || e->pos >= e->len || !strchr("*/%", e->s[e->pos]))
			return ret;
		op_at = e->pos;
		op = e->s[e->pos++];
		skip_blanks(e);
		at = e->pos;
		ret = atom(e, &r);
		if (ret)
			return ret;
		if (op != '*' && r == 0)
			return fail(e, at, "a divisor other than 0 in $(...)");
		if (!apply(op, v, r))
			return fail(e, op_at, overflow);
	}
}

static int sum(struct expr *e, int64_t *v)
{
	int ret = product(e, v);

	for (;;) {
		size_t op_at;
		int64_t r;
		char op;

		skip_blanks(e);
		if (ret || e->pos >= e->len || !strchr("+-", e->s[e->pos]))
			return ret;
		op_at = e->pos;
		op = e->s[e->pos++];
		ret = product(e, &r);
		if (!ret && !apply(op, v, r))
			ret = fail(e, op_at, overflow);
	}
}

int guest__expr_eval(const char *s, size_t len, guest__var_fn lookup,
		     void *ctx, int64_t *v, struct guest__expr_error *err)
{
	struct expr e = { s, len, 0, lookup, ctx, err, 0 };
	int ret = sum(&e, v);

	skip_blanks(&e);
	if (!ret && e.pos != e.len)
		ret = fail(&e, e.pos, "an operator (+ - * / %) or ')' in "
			   "$(...)");
	return ret;
}
