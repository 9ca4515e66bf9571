/* SPDX-License-Identifier: MIT */
/*
 * Parsing conditions: "FIELD [& MASK] OP VALUE" on ioctl, virtio and venus
 * results, string conditions ("name == \"virtio_gpu\""), and errno=NAME.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/scenario/scenario_int.h"
#include "kernelmock/virtgpu_drm.h"

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

static bool is_string_field(const struct guest_field *f)
{
	return f && (f->type == GUEST_FT_CHARS || f->type == GUEST_FT_STRPTR);
}

/* FIELD ==|!= "text" */
static int parse_string_cmp(struct guest_parser *p, const char *lhs,
			    struct guest_cond *c)
{
	const struct guest_tok *t;
	int ret = parse_op(p, &c->cmp);

	if (ret)
		return ret;
	if (c->cmp != GUEST_CMP_EQ && c->cmp != GUEST_CMP_NE)
		return guest__perr(p, &p->toks[p->pos - 1], "'==' or '!=' (a "
				   "string field)");
	t = guest__cur(p);
	if (t->kind != GUEST_TOK_STRING)
		return guest__perr(p, t, "a \"string\" to compare %s with",
				   lhs);
	c->str = strdup(t->str);
	p->pos++;
	if (!c->str || asprintf(&c->text, "%s %s \"%s\"", lhs,
				guest__cmp_text(c->cmp), t->str) < 0) {
		c->text = NULL;
		return -ENOMEM;
	}
	return 0;
}

int guest__parse_cmp(struct guest_parser *p, const struct guest_field *f,
		     const char *lhs, struct guest_cond *c)
{
	const struct guest_tok *mask = NULL, *val;
	struct guest_value v = { 0 };
	int ret = 0;

	c->field = f;
	if (is_string_field(f))
		return parse_string_cmp(p, lhs, c);
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
		ret = guest__parse_num(p, f, f ? f->syms : NULL, &v);
	if (ret)
		return ret;
	c->value = v.u;
	if (asprintf(&c->text, "%s%s%.*s %s %.*s", lhs, mask ? " & " : "",
		     mask ? (int)mask->len : 0, mask ? mask->text : "",
		     guest__cmp_text(c->cmp), (int)val->len, val->text) < 0) {
		c->text = NULL;
		return -ENOMEM;
	}
	return 0;
}

void guest__conds_free(struct guest_cond *conds, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		free(conds[i].text);
		free(conds[i].str);
	}
	free(conds);
}

/* "WORD=NAME" with an errno name or number, after the checks. */
static int parse_errno_value(struct guest_parser *p, const char *word,
			     int *out)
{
	const struct guest_tok *t;
	const struct guest_sym *s;
	uint64_t v;

	p->pos++;
	if (guest__cur(p)->kind != GUEST_TOK_ASSIGN &&
	    guest__cur(p)->kind != GUEST_TOK_EQ)
		return guest__perr(p, guest__cur(p), "'=' after %s", word);
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
	*out = (int)v;
	p->pos++;
	return 0;
}

static int parse_errno(struct guest_parser *p, const char *bind, int *out)
{
	const struct guest_tok *t = guest__cur(p);

	if (bind)
		return guest__perr(p, t, "no errno condition on a call whose "
				   "result is named ('-> %s')", bind);
	if (*out)
		return guest__perr(p, t, "one errno condition");
	return parse_errno_value(p, "errno", out);
}

/* MAP's "mmap_errno=NAME": the ioctl succeeds and the mmap(2) of the
 * offset it returned (what "-> NAME" does) fails with NAME. */
static int parse_mmap_errno(struct guest_parser *p, struct guest_ioctl_stmt *is)
{
	const struct guest_tok *t = guest__cur(p);

	if (is->ioctl->request != DRM_IOCTL_VIRTGPU_MAP || !is->bind)
		return guest__perr(p, t, "mmap_errno only after MAP ... -> NAME "
				   "(the mmap it names)");
	if (is->expect_mmap_errno)
		return guest__perr(p, t, "one mmap_errno condition");
	return parse_errno_value(p, "mmap_errno", &is->expect_mmap_errno);
}

int guest__parse_errno(struct guest_parser *p, const char *bind, int *out)
{
	return parse_errno(p, bind, out);
}

static bool is_scalar(const struct guest_field *f)
{
	return f->type == GUEST_FT_NUM || f->type == GUEST_FT_HANDLE ||
	       f->type == GUEST_FT_RES || f->type == GUEST_FT_FENCE ||
	       f->type == GUEST_FT_PTR || f->type == GUEST_FT_STREAM ||
	       f->type == GUEST_FT_VALUE || f->type == GUEST_FT_FD ||
	       f->type == GUEST_FT_SYNCOBJ ||
	       is_string_field(f);
}

int guest__parse_field_cond(struct guest_parser *p, const char *owner,
			    const struct guest_field *fields, unsigned n,
			    const struct guest_field *extra, unsigned nextra,
			    struct guest_cond **conds, unsigned *nconds)
{
	const struct guest_tok *t = guest__cur(p);
	const struct guest_field *f =
		guest__field_find(fields, n, t->text, t->len);
	struct guest_cond *c;
	char list[768];

	if (!f && extra)
		f = guest__field_find(extra, nextra, t->text, t->len);
	if (!f || !is_scalar(f) || (f->flags & GUEST_FF_PSEUDO)) {
		guest__field_list(fields, n, list, sizeof(list));
		if (extra) {
			size_t o = strlen(list);
			char more[256];

			guest__field_list(extra, nextra, more, sizeof(more));
			snprintf(list + o, sizeof(list) - o, "%s%s",
				 o ? ", " : "", more);
		}
		return guest__perr(p, t, "%sa %s field to check (%s)",
				   strcmp(owner, "virtio response") ? "errno or "
								    : "",
				   owner, list);
	}
	/* The array doubles at each power of two (a line may hold 100,000
	 * conditions; one realloc each is quadratic under ASan). */
	c = *conds;
	if ((*nconds & (*nconds - 1)) == 0) {
		c = realloc(*conds, (*nconds ? *nconds * 2 : 1) * sizeof(*c));
		if (!c)
			return -ENOMEM;
		*conds = c;
	}
	c = memset(&c[(*nconds)++], 0, sizeof(*c));
	p->pos++;
	return guest__parse_cmp(p, f, f->name, c);
}

int guest__parse_ioctl_expect(struct guest_parser *p,
			      struct guest_ioctl_stmt *is)
{
	const struct guest_ioctl *d = is->ioctl;
	int ret = 0;

	p->pos++;	/* "expect" */
	if (guest__cur(p)->kind == GUEST_TOK_EOL)
		return guest__perr(p, guest__cur(p), "a condition (errno=NAME "
				   "or FIELD OP VALUE)");
	while (!ret && guest__cur(p)->kind != GUEST_TOK_EOL) {
		if (guest__tok_is(guest__cur(p), "errno"))
			ret = parse_errno(p, is->bind, &is->expect_errno);
		else if (guest__tok_is(guest__cur(p), "mmap_errno"))
			ret = parse_mmap_errno(p, is);
		else if (guest__cur(p)->kind == GUEST_TOK_WORD)
			ret = guest__parse_field_cond(p, guest__ioctl_name(d),
						      d->fields,
						      d->nfields, NULL, 0,
						      &is->conds, &is->nconds);
		else
			ret = guest__perr(p, guest__cur(p), "a condition "
					  "(errno=NAME or FIELD OP VALUE)");
	}
	return ret;
}
