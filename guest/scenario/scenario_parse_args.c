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

#include "guest/scenario/scenario_int.h"
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
		     p->line, p->cols ? p->cols[t->col - 1] : t->col,
		     expected, got);
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

	if (f && f->max && v > f->max)
		return guest__perr(p, t, "a value from 0 to %llu for %s",
				   (unsigned long long)f->max, f->name);
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
int guest__parse_num(struct guest_parser *p, const struct guest_field *f,
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
	case GUEST_FT_FD:
		return "a number, a fence name, a dma-buf name or a syncobj "
		       "fd name";
	case GUEST_FT_SYNCOBJ:
		return "a number or a syncobj name";
	case GUEST_FT_VALUE:
		return "a number or a value name (from '-> value NAME')";
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

/* The array doubles when nvals reaches a power of two: one realloc per
 * element made a 262,144-value list quadratic under ASan, whose realloc
 * always copies (issue 16). */
static int push_value(struct guest_arg *a, struct guest_value **out)
{
	struct guest_value *v = a->vals;

	if ((a->nvals & (a->nvals - 1)) == 0) {
		v = realloc(a->vals, (a->nvals ? a->nvals * 2 : 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		a->vals = v;
	}
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
	case GUEST_FT_SYNCOBJS:
		return parse_ref(p, f, GUEST_FT_SYNCOBJ, v);
	case GUEST_FT_SYNCOBJ_ENTRIES:
		/* HANDLE,FLAGS,POINT: a syncobj, its flags, a number */
		if ((a->nvals - 1) % 3 == 0)
			return parse_ref(p, f, GUEST_FT_SYNCOBJ, v);
		return guest__parse_num(p, f, (a->nvals - 1) % 3 == 1 ?
					f->syms : NULL, v);
	case GUEST_FT_FLOATS:
	case GUEST_FT_DOUBLE:
		return parse_float_value(p, v);
	default:
		return guest__parse_num(p, f, f->syms, v);
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
			   guest__cur(p)->kind != GUEST_TOK_WORD ||
			   peek(p)->kind == GUEST_TOK_ASSIGN) {
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
		ret = guest__parse_num(p, f, &guest__ctx_params, v);
		if (ret)
			return ret;
		if (guest__cur(p)->kind != GUEST_TOK_COMMA)
			return guest__perr(p, guest__cur(p), "',' and the "
					   "value (param=ID,VALUE)");
		p->pos++;
		ret = push_value(a, &v);
		return ret ? ret : guest__parse_num(p, f, NULL, v);
	}
	if (t->kind == GUEST_TOK_STRING &&
	    f->param == VIRTGPU_CONTEXT_PARAM_DEBUG_NAME) {
		v->kind = GUEST_VAL_STRING;
		v->s = strdup(t->str);
		p->pos++;
		return v->s ? 0 : -ENOMEM;
	}
	return guest__parse_num(p, f, f->syms, v);
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int guest__parse_hex(struct guest_parser *p, const struct guest_tok *t,
		     uint8_t **out, size_t *len)
{
	const char *s = t->str;
	size_t n = 0, slen = s ? strlen(s) : 0;
	uint8_t *b;
	int hi = -1;

	if (t->kind != GUEST_TOK_STRING)
		return guest__perr(p, t, "a \"hex string\" of bytes, e.g. "
				   "\"0300 0000 0000 0000\"");
	b = malloc(slen / 2 + 1);
	if (!b)
		return -ENOMEM;
	for (size_t i = 0; i < slen; i++) {
		int d = hex_digit(s[i]);

		if (s[i] == ' ' || s[i] == '\t' || s[i] == ':' || s[i] == '_')
			continue;
		if (d < 0) {
			free(b);
			return guest__perr(p, t, "only hex digits and blanks "
					   "in a hex string");
		}
		if (hi < 0) {
			hi = d;
		} else {
			b[n++] = (uint8_t)(hi << 4 | d);
			hi = -1;
		}
	}
	if (hi >= 0) {
		free(b);
		return guest__perr(p, t, "an even number of hex digits");
	}
	*out = b;
	*len = n;
	return 0;
}

static int parse_string_value(struct guest_parser *p,
			      const struct guest_field *f, struct guest_arg *a)
{
	const struct guest_tok *t = guest__cur(p);
	struct guest_value *v;
	uint8_t *bytes;
	size_t n;
	int ret = push_value(a, &v);

	if (ret)
		return ret;
	if (f->type == GUEST_FT_HEX) {
		ret = guest__parse_hex(p, t, &bytes, &n);
		if (ret)
			return ret;
		v->kind = GUEST_VAL_STRING;
		v->s = (char *)bytes;
		v->u = n;
		p->pos++;
		return 0;
	}
	if (t->kind != GUEST_TOK_STRING)
		return guest__perr(p, t, "a \"string\" for %s", f->name);
	if (strlen(t->str) >= f->size)
		return guest__perr(p, t, "a string shorter than %u bytes for "
				   "%s", f->size, f->name);
	v->kind = GUEST_VAL_STRING;
	v->s = strdup(t->str);
	p->pos++;
	return v->s ? 0 : -ENOMEM;
}

static int parse_value(struct guest_parser *p, const struct guest_field *f,
		       struct guest_arg *a)
{
	struct guest_value *v;
	int ret;

	switch (f->type) {
	case GUEST_FT_CHARS:
	case GUEST_FT_HEX:
		return parse_string_value(p, f, a);
	case GUEST_FT_ENTRIES:
		ret = parse_list(p, f, 2, UINT32_MAX, a);
		if (!ret && a->nvals % 2)
			return guest__perr(p, guest__cur(p), "ADDR,LEN pairs "
					   "(an even number of values) for %s",
					   f->name);
		return ret;
	case GUEST_FT_VALUE:
	case GUEST_FT_FD:
		ret = push_value(a, &v);
		return ret ? ret : parse_ref(p, f, f->type, v);
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
	case GUEST_FT_SYNCOBJS:
	case GUEST_FT_U64S:
		return parse_list(p, f, 1, UINT32_MAX, a);
	case GUEST_FT_SYNCOBJ_ENTRIES:
		ret = parse_list(p, f, 3, UINT32_MAX, a);
		if (!ret && a->nvals % 3)
			return guest__perr(p, guest__cur(p), "HANDLE,FLAGS,POINT "
					   "triples for %s", f->name);
		return ret;
	case GUEST_FT_SYNCOBJ:
		ret = push_value(a, &v);
		return ret ? ret : parse_ref(p, f, f->type, v);
	case GUEST_FT_NUM:
	case GUEST_FT_PTR:
	case GUEST_FT_STRPTR:
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

void guest__field_list(const struct guest_field *fields, unsigned n,
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
	struct guest_arg *v = args->v;

	/* doubling, as push_value */
	if ((args->n & (args->n - 1)) == 0) {
		v = realloc(args->v, (args->n ? args->n * 2 : 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		args->v = v;
	}
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
		     const struct guest_field *extra, unsigned nextra,
		     struct guest_args *args)
{
	const struct guest_tok *name = guest__cur(p);
	const struct guest_field *f =
		guest__field_find(fields, n, name->text, name->len);
	struct guest_arg *a;
	char list[768];
	int ret;

	if (!f && extra)
		f = guest__field_find(extra, nextra, name->text, name->len);
	if (!f || (f->flags & GUEST_FF_POSITIONAL)) {
		guest__field_list(fields, n, list, sizeof(list));
		if (extra) {
			size_t o = strlen(list);
			char more[256];

			guest__field_list(extra, nextra, more, sizeof(more));
			snprintf(list + o, sizeof(list) - o, "%s%s",
				 o ? ", " : "", more);
		}
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
		      const struct guest_field *extra, unsigned nextra,
		      struct guest_args *args)
{
	int ret = parse_positional(p, fields, nfields, args);

	while (!ret && guest__cur(p)->kind == GUEST_TOK_WORD &&
	       peek(p)->kind == GUEST_TOK_ASSIGN)
		ret = parse_arg(p, owner, fields, nfields, extra, nextra, args);
	/* raw= gives the whole struct: nothing else is required. */
	for (unsigned i = 0; !ret && !guest__find_arg(args, "raw") &&
			     i < nfields; i++) {
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

const struct guest_arg *guest__find_arg(const struct guest_args *args,
					const char *name)
{
	for (unsigned i = 0; i < args->n; i++) {
		if (strcmp(args->v[i].field->name, name) == 0)
			return &args->v[i];
	}
	return NULL;
}
