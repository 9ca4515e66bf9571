/* SPDX-License-Identifier: MIT */
/*
 * Parsing the statements beyond ioctl and virgl: the "device" header,
 * "virtio" commands, "read" and "poll" on files and fences, and the
 * memory checks ("expect u8..u64", "expect string", "expect pixels",
 * "fill").
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/scenario/scenario_int.h"

static bool next_is_assign(const struct guest_parser *p)
{
	return p->pos + 1 < p->n &&
	       p->toks[p->pos + 1].kind == GUEST_TOK_ASSIGN;
}

/* ---- device ---- */

/* "KEY" or "KEY=VALUE": a value is a quoted string or the tokens that
 * follow "=" without a space between them ("virgl,resource_blob"). */
static int device_option(struct guest_parser *p, struct guest_device_line *d)
{
	const struct guest_tok *key = guest__cur(p), *v;
	struct guest_device_opt *o;

	if (key->kind != GUEST_TOK_WORD)
		return guest__perr(p, key, "a device option (KEY or "
				   "KEY=VALUE, docs/scenarios.md)");
	/* Bounded, and grown by doubling: a line of 100,000 options must
	 * neither be quadratic nor reach the VMM. */
	if (d->n >= GUEST_MAX_DEVICE_OPTS)
		return guest__perr(p, key, "at most %u device options",
				   GUEST_MAX_DEVICE_OPTS);
	if ((d->n & (d->n - 1)) == 0) {
		o = realloc(d->opts, (d->n ? 2 * d->n : 1) * sizeof(*o));
		if (!o)
			return -ENOMEM;
		d->opts = o;
	}
	o = &d->opts[d->n++];
	*o = (struct guest_device_opt){ .key = strndup(key->text, key->len) };
	v = key;
	if (next_is_assign(p)) {
		p->pos += 2;
		v = guest__cur(p);
		if (v->kind == GUEST_TOK_EOL)
			return guest__perr(p, v, "a value after '='");
		size_t len = v->len;
		if (v->kind == GUEST_TOK_STRING) {
			o->value = strdup(v->str);
		} else {
			while (p->pos + 1 < p->n &&
			       p->toks[p->pos + 1].kind != GUEST_TOK_EOL &&
			       p->toks[p->pos + 1].text == v->text + len)
				len += p->toks[++p->pos].len;
			o->value = strndup(v->text, len);
		}
		if (!o->value)
			return -ENOMEM;
	}
	p->pos++;
	if (!o->key || asprintf(&o->where, "%s:%u:%u", p->path, p->line,
				p->cols ? p->cols[v->col - 1] : v->col) < 0) {
		o->where = NULL;
		return -ENOMEM;
	}
	return 0;
}

int guest__parse_device(struct guest_parser *p, struct guest_script *s)
{
	const struct guest_tok *last = &p->toks[p->n - 2];
	int ret = 0;

	p->pos++;
	if (guest__cur(p)->kind == GUEST_TOK_EOL)
		return guest__perr(p, guest__cur(p), "a device option (KEY or "
				   "KEY=VALUE, docs/scenarios.md)");
	while (!ret && guest__cur(p)->kind != GUEST_TOK_EOL)
		ret = device_option(p, &s->device);
	if (ret)
		return ret;
	s->device_text = strndup(p->toks[0].text, (size_t)(last->text +
				 last->len - p->toks[0].text));
	return s->device_text ? 0 : -ENOMEM;
}

/* ---- virtio ---- */

static int parse_queue(struct guest_parser *p, unsigned *queue)
{
	const struct guest_tok *t = guest__cur(p);

	if (guest__tok_is(t, "ctrl") || guest__tok_is(t, "controlq"))
		*queue = 0;
	else if (guest__tok_is(t, "cursor") || guest__tok_is(t, "cursorq"))
		*queue = 1;
	else if (guest__tok_is(t, "config"))
		*queue = GUEST_VIRTIO_CONFIG;
	else
		return guest__perr(p, t, "a queue (ctrl or cursor), or config");
	p->pos++;
	return 0;
}

/* The fields a condition may name: the header's, then those of the
 * response it expects (the resp= written before them, else the
 * command's OK response). */
int guest__parse_virtio_expect(struct guest_parser *p,
			       struct guest_virtio_stmt *vs)
{
	const struct guest_vresp *resp =
		vs->cmd ? guest__vresp_find(vs->cmd->ok) : NULL;
	int ret = 0;

	p->pos++;	/* "expect" */
	if (guest__cur(p)->kind == GUEST_TOK_EOL)
		return guest__perr(p, guest__cur(p), "a condition (resp=NAME "
				   "or FIELD OP VALUE)");
	while (!ret && guest__cur(p)->kind != GUEST_TOK_EOL) {
		const struct guest_cond *c;

		if (guest__cur(p)->kind != GUEST_TOK_WORD)
			return guest__perr(p, guest__cur(p), "a condition "
					   "(resp=NAME or FIELD OP VALUE)");
		ret = guest__parse_field_cond(p, "virtio response",
					      guest__vresp_hdr,
					      guest__nvresp_hdr,
					      resp ? resp->fields : NULL,
					      resp ? resp->nfields : 0,
					      &vs->conds, &vs->nconds);
		if (ret)
			break;
		/* Only now is there a last condition (found by fuzzing:
		 * conds[-1] of an empty array was computed on error). */
		c = &vs->conds[vs->nconds - 1];
		if (c->field == &guest__vresp_hdr[0] &&
		    c->cmp == GUEST_CMP_EQ && !c->has_mask)
			resp = guest__vresp_find((uint32_t)c->value);
	}
	return ret;
}

static int virtio_bind(struct guest_parser *p, struct guest_virtio_stmt *vs)
{
	const struct guest_tok *t = &p->toks[++p->pos];

	if (guest__tok_is(t, "buffer") && p->pos + 1 < p->n &&
	    guest__tok_is_ident(&p->toks[p->pos + 1]))
		p->pos++;
	return guest__take_ident(p, "a name for the response payload",
				 &vs->bind);
}

/* "virtio config expect FIELD OP VALUE ...": the fields of struct
 * virtio_gpu_config by their spec names. */
static int parse_virtio_config(struct guest_parser *p,
			       struct guest_virtio_stmt *vs)
{
	int ret = 0;

	if (!guest__tok_is(guest__cur(p), "expect"))
		return guest__perr(p, guest__cur(p), "expect FIELD OP VALUE "
				   "(a config space field)");
	p->pos++;
	if (guest__cur(p)->kind == GUEST_TOK_EOL)
		return guest__perr(p, guest__cur(p), "a condition (FIELD OP "
				   "VALUE)");
	while (!ret && guest__cur(p)->kind != GUEST_TOK_EOL)
		ret = guest__parse_field_cond(p, "virtio config", guest__vconfig,
					      guest__nvconfig, NULL, 0,
					      &vs->conds, &vs->nconds);
	return ret;
}

int guest__parse_virtio(struct guest_parser *p, struct guest_stmt *st)
{
	struct guest_virtio_stmt *vs = &st->u.virtio;
	const struct guest_tok *t;
	int ret;

	st->kind = GUEST_STMT_VIRTIO;
	p->pos++;
	ret = parse_queue(p, &vs->queue);
	if (ret)
		return ret;
	if (vs->queue == GUEST_VIRTIO_CONFIG)
		return parse_virtio_config(p, vs);
	t = guest__cur(p);
	if (guest__tok_is(t, "raw") && next_is_assign(p)) {
		ret = guest__parse_args(p, "virtio raw", NULL, 0,
					guest__virtio_pseudo,
					guest__nvirtio_pseudo, &vs->args);
	} else {
		if (t->kind == GUEST_TOK_WORD)
			vs->cmd = guest__vcmd_find(t->text, t->len);
		if (!vs->cmd)
			return guest__perr(p, t, "%s, or raw=\"HEX\"",
					   guest__vcmds.what);
		p->pos++;
		ret = guest__parse_args(p, vs->cmd->name, vs->cmd->fields,
					vs->cmd->nfields, guest__virtio_pseudo,
					guest__nvirtio_pseudo, &vs->args);
	}
	if (!ret && !vs->cmd && !guest__find_arg(&vs->args, "raw"))
		ret = guest__perr(p, guest__cur(p), "raw=\"HEX\" (the command "
				  "bytes)");
	if (!ret && vs->cmd && guest__find_arg(&vs->args, "raw"))
		ret = guest__perr(p, t, "either a command name or raw=, not "
				  "both");
	if (!ret && guest__cur(p)->kind == GUEST_TOK_ARROW)
		ret = virtio_bind(p, vs);
	if (!ret && guest__tok_is(guest__cur(p), "expect"))
		ret = guest__parse_virtio_expect(p, vs);
	return ret ? ret : guest__end_of_line(p, "a field=value, '->', "
					      "'expect' or end of line");
}

/* ---- read, poll ---- */

static int take_opt_number(struct guest_parser *p, const char *name,
			   uint64_t max, uint64_t *out, bool *seen)
{
	if (!guest__tok_is(guest__cur(p), name) || !next_is_assign(p))
		return 1;
	if (*seen)
		return guest__perr(p, guest__cur(p), "%s= at most once", name);
	*seen = true;
	p->pos += 2;
	return guest__take_number(p, strcmp(name, "timeout_ms") ? name
				  : GUEST_TIMEOUT_WHAT, max, out);
}

static int read_cond(struct guest_parser *p, struct guest_read_stmt *rs)
{
	const struct guest_tok *t = guest__cur(p);
	const struct guest_sym *s;
	int ret;

	if (guest__tok_is(t, "errno"))
		return guest__parse_errno(p, rs->bind, &rs->expect_errno);
	ret = take_opt_number(p, "events", 1u << 20, &rs->events,
			      &rs->has_events);
	if (ret <= 0)
		return ret;
	ret = take_opt_number(p, "bytes", UINT32_MAX, &rs->bytes,
			      &rs->has_bytes);
	if (ret <= 0)
		return ret;
	if (guest__tok_is(t, "type") && next_is_assign(p) && !rs->has_type) {
		p->pos += 2;
		t = guest__cur(p);
		s = t->kind == GUEST_TOK_WORD
			? guest_symtab_find(&guest__event_types, t->text, t->len)
			: NULL;
		if (!s) {
			ret = guest__take_number(p, guest__event_types.what,
						 UINT32_MAX, &rs->type);
			rs->has_type = ret == 0;
			return ret;
		}
		rs->type = s->value;
		rs->has_type = true;
		p->pos++;
		return 0;
	}
	return guest__perr(p, t, "a read condition (errno=NAME, events=N, "
			   "type=NAME, bytes=N)");
}

int guest__parse_read(struct guest_parser *p, struct guest_stmt *st)
{
	struct guest_read_stmt *rs = &st->u.read;
	bool seen_size = false, seen_to = false;
	int ret;

	st->kind = GUEST_STMT_READ;
	rs->size = 4096;
	p->pos++;
	ret = guest__take_ident(p, "a file name", &rs->file);
	while (!ret) {
		ret = take_opt_number(p, "size", 1u << 20, &rs->size,
				      &seen_size);
		if (ret > 0)
			ret = take_opt_number(p, "timeout_ms",
					      GUEST_MAX_TIMEOUT_MS,
					      &rs->timeout_ms, &seen_to);
		if (ret > 0) {
			ret = 0;
			break;
		}
	}
	if (!ret && guest__cur(p)->kind == GUEST_TOK_ARROW) {
		p->pos++;
		if (guest__tok_is(guest__cur(p), "buffer"))
			p->pos++;
		ret = guest__take_ident(p, "a name for the bytes read",
					&rs->bind);
	}
	if (!ret && guest__tok_is(guest__cur(p), "expect")) {
		p->pos++;
		if (guest__cur(p)->kind == GUEST_TOK_EOL)
			return guest__perr(p, guest__cur(p), "a read condition "
					   "(errno=NAME, events=N, type=NAME, "
					   "bytes=N)");
		while (!ret && guest__cur(p)->kind != GUEST_TOK_EOL)
			ret = read_cond(p, rs);
	}
	return ret ? ret : guest__end_of_line(p, "size=, timeout_ms=, '->', "
					      "'expect' or end of line");
}

int guest__parse_poll(struct guest_parser *p, struct guest_stmt *st)
{
	struct guest_poll_stmt *ps = &st->u.poll;
	const struct guest_tok *t;
	bool seen = false;
	int ret;

	st->kind = GUEST_STMT_POLL;
	ps->timeout_ms = 10000;
	p->pos++;
	ret = guest__take_ident(p, "a file, fence or dma-buf name",
				&ps->target);
	if (!ret) {
		ret = take_opt_number(p, "timeout_ms", GUEST_MAX_TIMEOUT_MS,
				      &ps->timeout_ms,
				      &seen);
		ret = ret > 0 ? 0 : ret;
	}
	if (ret || !guest__tok_is(guest__cur(p), "expect"))
		return ret ? ret : guest__end_of_line(p, "timeout_ms=, 'expect' "
						      "or end of line");
	t = &p->toks[++p->pos];
	if (!guest__tok_is(t, "readable") && !guest__tok_is(t, "timeout"))
		return guest__perr(p, t, "'readable' or 'timeout'");
	ps->expect_timeout = guest__tok_is(t, "timeout");
	p->pos++;
	return guest__end_of_line(p, "end of line");
}

/* ---- expect string ---- */

int guest__parse_expect_string(struct guest_parser *p, struct guest_stmt *st)
{
	struct guest_string_stmt *ss = &st->u.string;
	const struct guest_tok *t;
	int ret;

	st->kind = GUEST_STMT_EXPECT_STRING;
	p->pos += 2;
	ret = guest__take_ident(p, "a buffer or mapping name", &ss->buf);
	if (!ret && guest__cur(p)->kind == GUEST_TOK_LBRACKET) {
		p->pos++;
		ret = guest__take_number(p, "a byte offset", UINT32_MAX,
					 &ss->offset);
		if (!ret && guest__cur(p)->kind != GUEST_TOK_RBRACKET)
			ret = guest__perr(p, guest__cur(p), "']'");
		p->pos++;
	}
	if (ret)
		return ret;
	t = guest__cur(p);
	if (t->kind != GUEST_TOK_EQ && t->kind != GUEST_TOK_ASSIGN &&
	    t->kind != GUEST_TOK_NE)
		return guest__perr(p, t, "'==' or '!='");
	ss->equal = t->kind != GUEST_TOK_NE;
	t = &p->toks[++p->pos];
	if (t->kind != GUEST_TOK_STRING)
		return guest__perr(p, t, "a \"string\"");
	ss->str = strdup(t->str);
	p->pos++;
	return ss->str ? guest__end_of_line(p, "end of line") : -ENOMEM;
}

/* ---- expect uN, expect pixels, fill ---- */

static int parse_rect(struct guest_parser *p, struct guest_pixels_stmt *px)
{
	for (unsigned i = 0; i < 4; i++) {
		const struct guest_tok *t = guest__cur(p);
		uint64_t v;
		int ret = guest__take_number(p, "rect=X,Y,W,H (32-bit numbers)",
					     UINT32_MAX, &v);

		if (ret)
			return ret;
		if (i >= 2 && v == 0)
			return guest__perr(p, t, "a width and height above 0");
		px->rect[i] = (uint32_t)v;
		if (i < 3 && guest__cur(p)->kind != GUEST_TOK_COMMA)
			return guest__perr(p, guest__cur(p),
					   "',' (rect=X,Y,W,H)");
		if (i < 3)
			p->pos++;
	}
	px->has_rect = true;
	return 0;
}

static int parse_pixel_opt(struct guest_parser *p,
			   struct guest_pixels_stmt *px, bool fill)
{
	const struct guest_tok *t = guest__cur(p);
	uint64_t v;
	int ret;

	p->pos += 2;
	if (guest__tok_is(t, "rect") && !px->has_rect)
		return parse_rect(p, px);
	if (guest__tok_is(t, "stride") && !px->has_stride) {
		px->has_stride = true;
		ret = guest__take_number(p, "a stride in bytes", UINT32_MAX, &v);
		px->stride = (uint32_t)v;
		return ret;
	}
	if (guest__tok_is(t, "tolerance") && !fill && !px->tolerance) {
		ret = guest__take_number(p, "a tolerance from 0 to 255", 255,
					 &v);
		px->tolerance = (uint32_t)v;
		return ret;
	}
	return guest__perr(p, t, fill ? "rect= or stride= (each once)"
				      : "rect=, stride= or tolerance= (each "
					"once)");
}

static int parse_pixel_opts(struct guest_parser *p,
			    struct guest_pixels_stmt *px, bool fill)
{
	int ret = 0;

	while (!ret && guest__cur(p)->kind == GUEST_TOK_WORD &&
	       next_is_assign(p))
		ret = parse_pixel_opt(p, px, fill);
	return ret;
}

static int parse_pixel_value(struct guest_parser *p,
			     struct guest_pixels_stmt *px)
{
	uint64_t v;
	int ret = guest__take_number(p, "a 32-bit pixel value such as "
				     "0xffff3300", UINT32_MAX, &v);

	px->value = (uint32_t)v;
	return ret;
}

int guest__parse_pixels(struct guest_parser *p, struct guest_stmt *st,
			bool fill)
{
	struct guest_pixels_stmt *px = &st->u.pixels;
	enum guest_tok_kind k;
	int ret;

	st->kind = fill ? GUEST_STMT_FILL : GUEST_STMT_EXPECT_PIXELS;
	p->pos++;
	ret = guest__take_ident(p, "a mapping or mapped bo name", &px->target);
	if (!ret && fill)
		ret = parse_pixel_value(p, px);
	if (!ret)
		ret = parse_pixel_opts(p, px, fill);
	if (ret || fill)
		return ret ? ret : guest__end_of_line(p, "rect=, stride= or end of "
					       "line");
	k = guest__cur(p)->kind;
	if (k != GUEST_TOK_EQ && k != GUEST_TOK_ASSIGN)
		return guest__perr(p, guest__cur(p), "'==' and the expected "
				   "pixel value");
	p->pos++;
	ret = parse_pixel_value(p, px);
	if (!ret)
		ret = parse_pixel_opts(p, px, false);
	return ret ? ret : guest__end_of_line(p, "rect=, stride=, tolerance= or end "
				       "of line");
}

int guest__parse_expect_mem(struct guest_parser *p, struct guest_stmt *st)
{
	static const char *const widths[] = { "u8", "u16", "u32", "u64" };
	struct guest_mem_stmt *m = &st->u.mem;
	const struct guest_tok *t = &p->toks[p->pos + 1];
	char lhs[80];
	int ret;

	st->kind = GUEST_STMT_EXPECT_MEM;
	for (unsigned i = 0; i < 4; i++) {
		if (guest__tok_is(t, widths[i]))
			m->width = 1u << i;
	}
	if (!m->width)
		return guest__perr(p, t, "u8, u16, u32, u64, string or pixels");
	p->pos += 2;
	ret = guest__take_ident(p, "a buffer, mapping or bo name", &m->buf);
	if (!ret && guest__cur(p)->kind != GUEST_TOK_LBRACKET)
		ret = guest__perr(p, guest__cur(p), "'[' and an element index");
	if (!ret) {
		p->pos++;
		ret = guest__take_number(p, "an element index", UINT64_MAX,
					 &m->index);
	}
	if (!ret && guest__cur(p)->kind != GUEST_TOK_RBRACKET)
		ret = guest__perr(p, guest__cur(p), "']'");
	if (ret)
		return ret;
	p->pos++;
	snprintf(lhs, sizeof(lhs), "%s[%" PRIu64 "]", m->buf, m->index);
	ret = guest__parse_cmp(p, NULL, lhs, &m->cond);
	return ret ? ret : guest__end_of_line(p, "end of line");
}

/* The statement after a prefix ("require", "kernel 6.1"). */
int guest__parse_inner(struct guest_parser *p, const struct guest_stmt *st,
		       struct guest_stmt **out)
{
	struct guest_stmt *inner = calloc(1, sizeof(*inner));

	if (!inner)
		return -ENOMEM;
	*out = inner;	/* the outer statement's fini frees it */
	inner->path = st->path;
	inner->line = st->line;
	inner->text = strdup(st->text);
	if (!inner->text)
		return -ENOMEM;
	return guest__parse_stmt(p, inner);
}
