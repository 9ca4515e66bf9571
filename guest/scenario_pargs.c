/* SPDX-License-Identifier: MIT */
/*
 * Parsing the parts statements share: error messages, values (numbers,
 * symbolic names, flag combinations, lists, floats, strings, references
 * to named objects), "field=value" argument lists, and conditions.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/scenario_int.h"
#include "kernelmock/virtgpu_drm.h"

const struct guest_tok *guest__cur(const struct guest_parser *p)
{
	return &p->toks[p->pos];
}

static const struct guest_tok *peek(const struct guest_parser *p)
{
	return p->pos + 1 < p->n ? &p->toks[p->pos + 1] : &p->toks[p->pos];
}

bool guest__tok_is(const struct guest_tok *t, const char *word)
{
	return t->kind == GUEST_TOK_WORD && t->len == strlen(word) &&
	       memcmp(t->text, word, t->len) == 0;
}

bool guest__tok_is_ident(const struct guest_tok *t)
{
	if (t->kind != GUEST_TOK_WORD ||
	    !(isalpha((unsigned char)t->text[0]) || t->text[0] == '_'))
		return false;
	for (size_t i = 1; i < t->len; i++) {
		if (!isalnum((unsigned char)t->text[i]) && t->text[i] != '_')
			return false;
	}
	return true;
}

static void describe(const struct guest_tok *t, char *buf, size_t len)
{
	size_t o = 0, i;

	if (t->kind == GUEST_TOK_EOL) {
		snprintf(buf, len, "end of line");
		return;
	}
	buf[o++] = '\'';
	for (i = 0; i < t->len && o + 12 < len; i++) {
		unsigned char c = (unsigned char)t->text[i];

		if (isprint(c))
			buf[o++] = (char)c;
		else
			o += (size_t)snprintf(buf + o, len - o, "\\x%02x", c);
	}
	if (i < t->len)
		o += (size_t)snprintf(buf + o, len - o, "...");
	snprintf(buf + o, len - o, "'");
}

int guest__perr(struct guest_parser *p, const struct guest_tok *t,
		const char *expected_fmt, ...)
{
	char got[64];
	char *expected;
	va_list ap;
	int n;

	if (p->err)
		return -EINVAL;
	va_start(ap, expected_fmt);
	n = vasprintf(&expected, expected_fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	describe(t, got, sizeof(got));
	n = asprintf(&p->err, "%s:%u:%u: error: expected %s, got %s", p->path,
		     p->line, t->col, expected, got);
	free(expected);
	if (n < 0) {
		p->err = NULL;
		return -ENOMEM;
	}
	return -EINVAL;
}

int guest__take_ident(struct guest_parser *p, const char *expected,
		      char **out)
{
	const struct guest_tok *t = guest__cur(p);

	if (!guest__tok_is_ident(t))
		return guest__perr(p, t, "%s", expected);
	*out = strndup(t->text, t->len);
	if (!*out)
		return -ENOMEM;
	p->pos++;
	return 0;
}

int guest__take_number(struct guest_parser *p, const char *expected,
		       uint64_t max, uint64_t *out)
{
	const struct guest_tok *t = guest__cur(p);

	if (t->kind != GUEST_TOK_WORD ||
	    guest__parse_number(t->text, t->len, out) || *out > max)
		return guest__perr(p, t, "%s", expected);
	p->pos++;
	return 0;
}

/* ---- single values ---- */

static unsigned field_bits(const struct guest_field *f)
{
	return f && f->size && f->size < 8 ? f->size * 8u : 64u;
}

static int check_range(struct guest_parser *p, const struct guest_field *f,
		       const struct guest_tok *t, uint64_t v)
{
	unsigned bits = field_bits(f);
	int64_t sv = (int64_t)v;

	if (bits == 64)
		return 0;
	if (v <= (UINT64_MAX >> (64 - bits)))
		return 0;
	if (f && (f->flags & GUEST_FF_SIGNED) && sv < 0 &&
	    sv >= -((int64_t)1 << (bits - 1)))
		return 0;
	return guest__perr(p, t, "a value that fits the %u-bit field %s",
			   bits, f->name);
}

/* One number or symbolic name, without range check. */
static int parse_term(struct guest_parser *p, const struct guest_symtab *syms,
		      uint64_t *v)
{
	const struct guest_tok *t = guest__cur(p);
	const struct guest_sym *s;
	int ret = -EINVAL;

	if (t->kind == GUEST_TOK_WORD)
		ret = guest__parse_number(t->text, t->len, v);
	if (ret == -ERANGE)
		return guest__perr(p, t, "a number that fits in 64 bits");
	if (ret && syms && t->kind == GUEST_TOK_WORD) {
		s = guest_symtab_find(syms, t->text, t->len);
		if (s) {
			*v = s->value;
			ret = 0;
		}
	}
	if (ret)
		return guest__perr(p, t, "a number%s%s", syms ? " or " : "",
				   syms ? syms->what : "");
	p->pos++;
	return 0;
}

/* A number or symbol; NAME|NAME|... where the field takes flags. */
static int parse_num(struct guest_parser *p, const struct guest_field *f,
		     const struct guest_symtab *syms, struct guest_value *v)
{
	const struct guest_tok *first = guest__cur(p);
	uint64_t term;
	int ret = parse_term(p, syms, &v->u);

	v->kind = GUEST_VAL_INT;
	while (!ret && f && (f->flags & GUEST_FF_FLAGS) &&
	       guest__cur(p)->kind == GUEST_TOK_PIPE) {
		p->pos++;
		ret = parse_term(p, syms, &term);
		v->u |= term;
	}
	return ret ? ret : check_range(p, f, first, v->u);
}

static const char *ref_what(enum guest_ftype type)
{
	switch (type) {
	case GUEST_FT_FENCE:
		return "a number or a fence name";
	case GUEST_FT_STREAM:
		return "a number or a virgl stream name";
	case GUEST_FT_RES:
		return "a number or a bo name (for its res_handle)";
	default:
		return "a number or a bo name";
	}
}

/* A number, or the name of an object the runner looks up. */
static int parse_ref(struct guest_parser *p, const struct guest_field *f,
		     enum guest_ftype type, struct guest_value *v)
{
	const struct guest_tok *t = guest__cur(p);

	if (t->kind == GUEST_TOK_WORD &&
	    guest__parse_number(t->text, t->len, &v->u) == 0) {
		v->kind = GUEST_VAL_INT;
		p->pos++;
		return check_range(p, f, t, v->u);
	}
	if (!guest__tok_is_ident(t))
		return guest__perr(p, t, "%s", ref_what(type));
	v->kind = GUEST_VAL_NAME;
	v->s = strndup(t->text, t->len);
	if (!v->s)
		return -ENOMEM;
	p->pos++;
	return 0;
}

static int parse_float_value(struct guest_parser *p, struct guest_value *v)
{
	const struct guest_tok *t = guest__cur(p);

	if (t->kind != GUEST_TOK_WORD ||
	    guest__parse_float(t->text, t->len, &v->f))
		return guest__perr(p, t, "a number such as 1.0 or 0.25");
	v->kind = GUEST_VAL_FLOAT;
	p->pos++;
	return 0;
}

/* ---- argument lists ---- */

static int push_value(struct guest_arg *a, struct guest_value **out)
{
	struct guest_value *v = realloc(a->vals, (a->nvals + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	a->vals = v;
	*out = memset(&v[a->nvals++], 0, sizeof(*v));
	return 0;
}

static int parse_elem(struct guest_parser *p, const struct guest_field *f,
		      struct guest_arg *a)
{
	struct guest_value *v;
	int ret = push_value(a, &v);

	if (ret)
		return ret;
	switch (f->type) {
	case GUEST_FT_HANDLES:
		return parse_ref(p, f, GUEST_FT_HANDLE, v);
	case GUEST_FT_FLOATS:
	case GUEST_FT_DOUBLE:
		return parse_float_value(p, v);
	default:
		return parse_num(p, f, f->syms, v);
	}
}

/* Comma-separated; DWORDS also takes blank-separated values. */
static int parse_list(struct guest_parser *p, const struct guest_field *f,
		      unsigned min, unsigned max, struct guest_arg *a)
{
	int ret;

	for (;;) {
		ret = parse_elem(p, f, a);
		if (ret)
			return ret;
		if (guest__cur(p)->kind == GUEST_TOK_COMMA) {
			if (a->nvals == max)
				return guest__perr(p, guest__cur(p),
						   "at most %u values for %s",
						   max, f->name);
			p->pos++;
		} else if (f->type != GUEST_FT_DWORDS ||
			   guest__cur(p)->kind != GUEST_TOK_WORD) {
			break;
		}
	}
	if (a->nvals < min)
		return guest__perr(p, guest__cur(p), "%u comma-separated "
				   "values for %s", min, f->name);
	return 0;
}

static int parse_ctx_param(struct guest_parser *p, const struct guest_field *f,
			   struct guest_arg *a)
{
	const struct guest_tok *t = guest__cur(p);
	struct guest_value *v;
	int ret = push_value(a, &v);

	if (ret)
		return ret;
	if (f->param == 0) {
		ret = parse_num(p, f, &guest__ctx_params, v);
		if (ret)
			return ret;
		if (guest__cur(p)->kind != GUEST_TOK_COMMA)
			return guest__perr(p, guest__cur(p), "',' and the "
					   "value (param=ID,VALUE)");
		p->pos++;
		ret = push_value(a, &v);
		return ret ? ret : parse_num(p, f, NULL, v);
	}
	if (t->kind == GUEST_TOK_STRING &&
	    f->param == VIRTGPU_CONTEXT_PARAM_DEBUG_NAME) {
		v->kind = GUEST_VAL_STRING;
		v->s = strdup(t->str);
		p->pos++;
		return v->s ? 0 : -ENOMEM;
	}
	return parse_num(p, f, f->syms, v);
}

static int parse_value(struct guest_parser *p, const struct guest_field *f,
		       struct guest_arg *a)
{
	struct guest_value *v;
	int ret;

	switch (f->type) {
	case GUEST_FT_HANDLES:
		return parse_list(p, f, 1, UINT32_MAX, a);
	case GUEST_FT_BOX:
	case GUEST_FT_FLOATS:
		return parse_list(p, f, f->count, f->count, a);
	case GUEST_FT_U32S:
		return parse_list(p, f, 1, f->count, a);
	case GUEST_FT_DWORDS:
		return parse_list(p, f, 1, UINT32_MAX, a);
	case GUEST_FT_CTX_PARAM:
		return parse_ctx_param(p, f, a);
	case GUEST_FT_NUM:
	case GUEST_FT_PTR:
	case GUEST_FT_DOUBLE:
		return parse_elem(p, f, a);
	case GUEST_FT_HANDLE:
	case GUEST_FT_RES:
	case GUEST_FT_FENCE:
	case GUEST_FT_STREAM:
		ret = push_value(a, &v);
		return ret ? ret : parse_ref(p, f, f->type, v);
	}
	return -EINVAL;
}

static void field_list(const struct guest_field *fields, unsigned n,
		       char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < n && o < len; i++) {
		if (fields[i].flags & GUEST_FF_POSITIONAL)
			continue;
		o += (size_t)snprintf(buf + o, len - o, "%s%s", o ? ", " : "",
				      fields[i].name);
	}
}

static bool arg_given(const struct guest_args *args,
		      const struct guest_field *f)
{
	for (unsigned i = 0; i < args->n; i++) {
		if (args->v[i].field == f)
			return true;
	}
	return false;
}

static int push_arg(struct guest_args *args, const struct guest_field *f,
		    unsigned col, struct guest_arg **out)
{
	struct guest_arg *v = realloc(args->v, (args->n + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	args->v = v;
	*out = memset(&v[args->n++], 0, sizeof(*v));
	(*out)->field = f;
	(*out)->col = col;
	return 0;
}

/* The value(s) of @a, from the current token to just before the next. */
static int parse_arg_value(struct guest_parser *p, const struct guest_field *f,
			   struct guest_arg *a)
{
	const char *start = guest__cur(p)->text;
	const struct guest_tok *last;
	int ret = parse_value(p, f, a);

	if (ret)
		return ret;
	last = &p->toks[p->pos - 1];
	a->text = strndup(start, (size_t)(last->text + last->len - start));
	return a->text ? 0 : -ENOMEM;
}

static int parse_arg(struct guest_parser *p, const char *owner,
		     const struct guest_field *fields, unsigned n,
		     struct guest_args *args)
{
	const struct guest_tok *name = guest__cur(p);
	const struct guest_field *f =
		guest__field_find(fields, n, name->text, name->len);
	struct guest_arg *a;
	char list[512];
	int ret;

	if (!f || (f->flags & GUEST_FF_POSITIONAL)) {
		field_list(fields, n, list, sizeof(list));
		return guest__perr(p, name, "a %s field (%s)", owner, list);
	}
	if (!(f->flags & GUEST_FF_REPEAT) && arg_given(args, f))
		return guest__perr(p, name, "each field at most once");
	p->pos += 2;	/* name and '=' */
	ret = push_arg(args, f, guest__cur(p)->col, &a);
	return ret ? ret : parse_arg_value(p, f, a);
}

static int parse_positional(struct guest_parser *p,
			    const struct guest_field *fields, unsigned n,
			    struct guest_args *args)
{
	for (unsigned i = 0; i < n; i++) {
		struct guest_arg *a;
		int ret;

		if (!(fields[i].flags & GUEST_FF_POSITIONAL))
			continue;
		ret = push_arg(args, &fields[i], guest__cur(p)->col, &a);
		if (!ret)
			ret = parse_arg_value(p, &fields[i], a);
		if (ret)
			return ret;
	}
	return 0;
}

int guest__parse_args(struct guest_parser *p, const char *owner,
		      const struct guest_field *fields, unsigned nfields,
		      struct guest_args *args)
{
	int ret = parse_positional(p, fields, nfields, args);

	while (!ret && guest__cur(p)->kind == GUEST_TOK_WORD &&
	       peek(p)->kind == GUEST_TOK_ASSIGN)
		ret = parse_arg(p, owner, fields, nfields, args);
	for (unsigned i = 0; !ret && i < nfields; i++) {
		const struct guest_field *f = &fields[i];

		if ((f->flags & GUEST_FF_REQUIRED) && !arg_given(args, f) &&
		    !(f->flags & GUEST_FF_POSITIONAL))
			ret = guest__perr(p, guest__cur(p),
					  "%s= (required by %s)", f->name,
					  owner);
	}
	return ret;
}

void guest__args_fini(struct guest_args *args)
{
	for (unsigned i = 0; i < args->n; i++) {
		struct guest_arg *a = &args->v[i];

		for (unsigned j = 0; j < a->nvals; j++)
			free(a->vals[j].s);
		free(a->vals);
		free(a->text);
	}
	free(args->v);
	args->v = NULL;
	args->n = 0;
}

/* ---- conditions ---- */

static int parse_op(struct guest_parser *p, enum guest_cmp *cmp)
{
	static const enum guest_cmp map[] = {
		[GUEST_TOK_ASSIGN] = GUEST_CMP_EQ, [GUEST_TOK_EQ] = GUEST_CMP_EQ,
		[GUEST_TOK_NE] = GUEST_CMP_NE,	   [GUEST_TOK_LT] = GUEST_CMP_LT,
		[GUEST_TOK_LE] = GUEST_CMP_LE,	   [GUEST_TOK_GT] = GUEST_CMP_GT,
		[GUEST_TOK_GE] = GUEST_CMP_GE,
	};
	enum guest_tok_kind k = guest__cur(p)->kind;

	if (k < GUEST_TOK_ASSIGN || k > GUEST_TOK_GE)
		return guest__perr(p, guest__cur(p), "a comparison (==, !=, "
				   "<, <=, >, >=)");
	*cmp = map[k];
	p->pos++;
	return 0;
}

int guest__parse_cmp(struct guest_parser *p, const struct guest_field *f,
		     const char *lhs, struct guest_cond *c)
{
	const struct guest_tok *mask = NULL, *val;
	struct guest_value v = { 0 };
	int ret = 0;

	if (guest__cur(p)->kind == GUEST_TOK_AMP) {
		p->pos++;
		mask = guest__cur(p);
		ret = guest__take_number(p, "a number to mask with", UINT64_MAX,
					 &c->mask);
		c->has_mask = true;
	}
	if (!ret)
		ret = parse_op(p, &c->cmp);
	val = guest__cur(p);
	if (!ret)
		ret = parse_num(p, f, f ? f->syms : NULL, &v);
	if (ret)
		return ret;
	c->field = f;
	c->value = v.u;
	if (asprintf(&c->text, "%s%s%.*s %s %.*s", lhs, mask ? " & " : "",
		     mask ? (int)mask->len : 0, mask ? mask->text : "",
		     guest__cmp_text(c->cmp), (int)val->len, val->text) < 0) {
		c->text = NULL;
		return -ENOMEM;
	}
	return 0;
}

static int parse_errno(struct guest_parser *p, struct guest_ioctl_stmt *is)
{
	const struct guest_tok *t = guest__cur(p);
	const struct guest_sym *s;
	uint64_t v;

	if (is->bind)
		return guest__perr(p, t, "no errno condition on a call whose "
				   "result is named ('-> %s')", is->bind);
	if (is->expect_errno)
		return guest__perr(p, t, "one errno condition");
	p->pos++;
	if (guest__cur(p)->kind != GUEST_TOK_ASSIGN &&
	    guest__cur(p)->kind != GUEST_TOK_EQ)
		return guest__perr(p, guest__cur(p), "'=' after errno");
	t = &p->toks[++p->pos];
	s = t->kind == GUEST_TOK_WORD ? guest_symtab_find(&guest__errnos,
							  t->text, t->len)
				      : NULL;
	if (s)
		v = s->value;
	else if (t->kind != GUEST_TOK_WORD ||
		 guest__parse_number(t->text, t->len, &v) || v == 0 ||
		 v > 4095)
		return guest__perr(p, t, "%s", guest__errnos.what);
	is->expect_errno = (int)v;
	p->pos++;
	return 0;
}

static bool is_scalar(const struct guest_field *f)
{
	return f->type == GUEST_FT_NUM || f->type == GUEST_FT_HANDLE ||
	       f->type == GUEST_FT_RES || f->type == GUEST_FT_FENCE ||
	       f->type == GUEST_FT_PTR || f->type == GUEST_FT_STREAM;
}

static int parse_field_cond(struct guest_parser *p, struct guest_ioctl_stmt *is)
{
	const struct guest_ioctl *d = is->ioctl;
	const struct guest_tok *t = guest__cur(p);
	const struct guest_field *f =
		guest__field_find(d->fields, d->nfields, t->text, t->len);
	struct guest_cond *c;
	char list[512];

	if (!f || !is_scalar(f)) {
		field_list(d->fields, d->nfields, list, sizeof(list));
		return guest__perr(p, t, "errno or a %s field to check (%s)",
				   d->name, list);
	}
	c = realloc(is->conds, (is->nconds + 1) * sizeof(*c));
	if (!c)
		return -ENOMEM;
	is->conds = c;
	c = memset(&c[is->nconds++], 0, sizeof(*c));
	p->pos++;
	return guest__parse_cmp(p, f, f->name, c);
}

int guest__parse_ioctl_expect(struct guest_parser *p,
			      struct guest_ioctl_stmt *is)
{
	int ret = 0;

	p->pos++;	/* "expect" */
	if (guest__cur(p)->kind == GUEST_TOK_EOL)
		return guest__perr(p, guest__cur(p), "a condition (errno=NAME "
				   "or FIELD OP VALUE)");
	while (!ret && guest__cur(p)->kind != GUEST_TOK_EOL) {
		if (guest__tok_is(guest__cur(p), "errno"))
			ret = parse_errno(p, is);
		else if (guest__cur(p)->kind == GUEST_TOK_WORD)
			ret = parse_field_cond(p, is);
		else
			ret = guest__perr(p, guest__cur(p), "a condition "
					  "(errno=NAME or FIELD OP VALUE)");
	}
	return ret;
}
