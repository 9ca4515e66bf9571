/* SPDX-License-Identifier: MIT */
/*
 * Scenario parser: one statement per line, dispatched on the first word.
 * Everything that can be known before running is checked here (names of
 * ioctls, fields, flags, formats, errnos; value ranges; list lengths), so
 * that a typo is reported as file:line:column before anything runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guest/scenario_int.h"

#define MAX_SCRIPT_BYTES (64u << 20)

static int end_of_line(struct guest_parser *p, const char *expected)
{
	if (guest__cur(p)->kind == GUEST_TOK_EOL)
		return 0;
	return guest__perr(p, guest__cur(p), "%s", expected);
}

static bool next_is_assign(const struct guest_parser *p)
{
	return p->pos + 1 < p->n &&
	       p->toks[p->pos + 1].kind == GUEST_TOK_ASSIGN;
}

/* A number up to @max or a name from @syms. */
static int take_sym(struct guest_parser *p, const struct guest_symtab *syms,
		    uint64_t max, uint64_t *v)
{
	const struct guest_tok *t = guest__cur(p);
	const struct guest_sym *s = NULL;

	if (t->kind == GUEST_TOK_WORD)
		s = guest_symtab_find(syms, t->text, t->len);
	if (s) {
		*v = s->value;
		p->pos++;
		return 0;
	}
	return guest__take_number(p, syms->what, max, v);
}

static int parse_require(struct guest_parser *p, struct guest_stmt *st)
{
	const struct guest_tok *t = &p->toks[++p->pos];
	int ret;

	if (guest__tok_is(t, "capset")) {
		st->kind = GUEST_STMT_REQUIRE_CAPSET;
		p->pos++;
		ret = take_sym(p, &guest__capsets, 31, &st->u.require);
	} else if (guest__tok_is(t, "param")) {
		st->kind = GUEST_STMT_REQUIRE_PARAM;
		p->pos++;
		ret = take_sym(p, &guest__params, UINT64_MAX, &st->u.require);
	} else {
		return guest__perr(p, t, "'capset' or 'param'");
	}
	return ret ? ret : end_of_line(p, "end of line");
}

static int parse_named(struct guest_parser *p, struct guest_stmt *st,
		       enum guest_stmt_kind kind, const char *what)
{
	int ret;

	st->kind = kind;
	p->pos++;
	ret = guest__take_ident(p, what, &st->u.name);
	return ret ? ret : end_of_line(p, "end of line");
}

static int parse_open(struct guest_parser *p, struct guest_stmt *st)
{
	return parse_named(p, st, GUEST_STMT_OPEN, "a name for the file");
}

static int parse_close(struct guest_parser *p, struct guest_stmt *st)
{
	return parse_named(p, st, GUEST_STMT_CLOSE, "a file or fence name");
}

static int parse_unmap(struct guest_parser *p, struct guest_stmt *st)
{
	return parse_named(p, st, GUEST_STMT_UNMAP, "a mapping name");
}

static const char *bind_kind(enum guest_bind b)
{
	switch (b) {
	case GUEST_BIND_NONE:
		return NULL;
	case GUEST_BIND_BO:
		return "bo";
	case GUEST_BIND_BUFFER:
		return "buffer";
	case GUEST_BIND_MAPPING:
		return "mapping";
	case GUEST_BIND_FENCE:
		return "fence";
	}
	return NULL;
}

static bool is_kind_word(const struct guest_tok *t)
{
	return guest__tok_is(t, "bo") || guest__tok_is(t, "buffer") ||
	       guest__tok_is(t, "mapping") || guest__tok_is(t, "fence");
}

/* "-> [KIND] NAME"; KIND, if written, must be what the ioctl gives. */
static int parse_bind(struct guest_parser *p, struct guest_ioctl_stmt *is)
{
	const char *kind = bind_kind(is->ioctl->bind);
	const struct guest_tok *t;

	if (!kind)
		return guest__perr(p, guest__cur(p), "'expect' or end of line "
				   "(%s gives nothing to name)",
				   is->ioctl->name);
	t = &p->toks[++p->pos];
	if (is_kind_word(t) && p->pos + 1 < p->n &&
	    guest__tok_is_ident(&p->toks[p->pos + 1]) &&
	    !guest__tok_is(&p->toks[p->pos + 1], "expect")) {
		if (!guest__tok_is(t, kind))
			return guest__perr(p, t, "'%s' (what %s gives) or a "
					   "name", kind, is->ioctl->name);
		p->pos++;
	}
	return guest__take_ident(p, "a name for the result", &is->bind);
}

static int check_args(struct guest_parser *p, const struct guest_ioctl *d,
		      const struct guest_args *args)
{
	const struct guest_arg *bad;
	const char *expected = NULL;
	struct guest_tok t = { .kind = GUEST_TOK_WORD };

	if (!d->check)
		return 0;
	bad = d->check(args, &expected);
	if (!bad)
		return 0;
	t.col = bad->col;
	t.text = bad->text;
	t.len = strlen(bad->text);
	return guest__perr(p, &t, "%s", expected);
}

static int parse_ioctl(struct guest_parser *p, struct guest_stmt *st)
{
	struct guest_ioctl_stmt *is = &st->u.ioctl;
	const struct guest_tok *t;
	int ret;

	st->kind = GUEST_STMT_IOCTL;
	p->pos++;
	ret = guest__take_ident(p, "a file name (from 'open NAME')", &is->file);
	if (ret)
		return ret;
	t = guest__cur(p);
	if (t->kind == GUEST_TOK_WORD)
		is->ioctl = guest__ioctl_find(t->text, t->len);
	if (!is->ioctl)
		return guest__perr(p, t, "an ioctl (MAP, EXECBUFFER, GETPARAM, "
				   "RESOURCE_CREATE, RESOURCE_INFO, "
				   "TRANSFER_FROM_HOST, TRANSFER_TO_HOST, WAIT, "
				   "GET_CAPS, RESOURCE_CREATE_BLOB, "
				   "CONTEXT_INIT, GEM_CLOSE)");
	p->pos++;
	ret = guest__parse_args(p, is->ioctl->name, is->ioctl->fields,
				is->ioctl->nfields, &is->args);
	if (!ret)
		ret = check_args(p, is->ioctl, &is->args);
	if (!ret && guest__cur(p)->kind == GUEST_TOK_ARROW)
		ret = parse_bind(p, is);
	if (!ret && guest__tok_is(guest__cur(p), "expect"))
		ret = guest__parse_ioctl_expect(p, is);
	return ret ? ret : end_of_line(p, "a field=value, '->', 'expect' "
				       "or end of line");
}

static int parse_virgl(struct guest_parser *p, struct guest_stmt *st)
{
	struct guest_virgl_stmt *vs = &st->u.virgl;
	const struct guest_tok *t;
	int ret;

	st->kind = GUEST_STMT_VIRGL;
	p->pos++;
	ret = guest__take_ident(p, "a virgl stream name", &vs->stream);
	if (ret)
		return ret;
	t = guest__cur(p);
	if (t->kind == GUEST_TOK_WORD)
		vs->op = guest__vop_find(t->text, t->len);
	if (!vs->op)
		return guest__perr(p, t, "a virgl operation (begin, "
				   "create_sub_ctx, set_sub_ctx, "
				   "destroy_sub_ctx, create_surface, "
				   "set_framebuffer_state, clear, "
				   "pipe_resource_create, dwords)");
	p->pos++;
	ret = guest__parse_args(p, vs->op->name, vs->op->fields,
				vs->op->nfields, &vs->args);
	return ret ? ret : end_of_line(p, "a field=value or end of line");
}

static int parse_wait_fence(struct guest_parser *p, struct guest_stmt *st)
{
	struct guest_wait_stmt *w = &st->u.wait;
	const struct guest_tok *t;
	int ret;

	st->kind = GUEST_STMT_WAIT_FENCE;
	w->timeout_ms = 10000;
	p->pos++;
	ret = guest__take_ident(p, "a fence name", &w->fence);
	if (!ret && guest__tok_is(guest__cur(p), "timeout_ms") &&
	    next_is_assign(p)) {
		p->pos += 2;
		ret = guest__take_number(p, "a timeout in milliseconds",
					 UINT32_MAX, &w->timeout_ms);
	}
	if (ret || !guest__tok_is(guest__cur(p), "expect"))
		return ret ? ret : end_of_line(p, "timeout_ms=, 'expect' or "
					       "end of line");
	t = &p->toks[++p->pos];
	if (!guest__tok_is(t, "signaled") && !guest__tok_is(t, "timeout"))
		return guest__perr(p, t, "'signaled' or 'timeout'");
	w->expect_timeout = guest__tok_is(t, "timeout");
	p->pos++;
	return end_of_line(p, "end of line");
}

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

static int parse_pixels(struct guest_parser *p, struct guest_stmt *st,
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
		return ret ? ret : end_of_line(p, "rect=, stride= or end of "
					       "line");
	k = guest__cur(p)->kind;
	if (k != GUEST_TOK_EQ && k != GUEST_TOK_ASSIGN)
		return guest__perr(p, guest__cur(p), "'==' and the expected "
				   "pixel value");
	p->pos++;
	ret = parse_pixel_value(p, px);
	if (!ret)
		ret = parse_pixel_opts(p, px, false);
	return ret ? ret : end_of_line(p, "rect=, stride=, tolerance= or end "
				       "of line");
}

static int parse_expect(struct guest_parser *p, struct guest_stmt *st)
{
	static const char *const widths[] = { "u8", "u16", "u32", "u64" };
	struct guest_mem_stmt *m = &st->u.mem;
	const struct guest_tok *t = &p->toks[p->pos + 1];
	char lhs[80];
	int ret;

	if (guest__tok_is(t, "pixels")) {
		p->pos++;	/* now at "pixels", as parse_fill is at "fill" */
		return parse_pixels(p, st, false);
	}
	st->kind = GUEST_STMT_EXPECT_MEM;
	for (unsigned i = 0; i < 4; i++) {
		if (guest__tok_is(t, widths[i]))
			m->width = 1u << i;
	}
	if (!m->width)
		return guest__perr(p, t, "u8, u16, u32, u64 or pixels");
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
	return ret ? ret : end_of_line(p, "end of line");
}

static int parse_fill(struct guest_parser *p, struct guest_stmt *st)
{
	return parse_pixels(p, st, true);
}

static int parse_stmt(struct guest_parser *p, struct guest_stmt *st)
{
	static const struct {
		const char *word;
		int (*parse)(struct guest_parser *p, struct guest_stmt *st);
	} kinds[] = {
		{ "require", parse_require },
		{ "open", parse_open },
		{ "close", parse_close },
		{ "unmap", parse_unmap },
		{ "ioctl", parse_ioctl },
		{ "virgl", parse_virgl },
		{ "wait_fence", parse_wait_fence },
		{ "expect", parse_expect },
		{ "fill", parse_fill },
	};

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (guest__tok_is(guest__cur(p), kinds[i].word))
			return kinds[i].parse(p, st);
	}
	return guest__perr(p, guest__cur(p), "a statement (require, open, "
			   "close, unmap, ioctl, virgl, wait_fence, expect, "
			   "fill)");
}

void guest__stmt_fini(struct guest_stmt *st)
{
	free(st->text);
	switch (st->kind) {
	case GUEST_STMT_REQUIRE_CAPSET:
	case GUEST_STMT_REQUIRE_PARAM:
		break;
	case GUEST_STMT_OPEN:
	case GUEST_STMT_CLOSE:
	case GUEST_STMT_UNMAP:
		free(st->u.name);
		break;
	case GUEST_STMT_IOCTL:
		free(st->u.ioctl.file);
		free(st->u.ioctl.bind);
		guest__args_fini(&st->u.ioctl.args);
		for (unsigned i = 0; i < st->u.ioctl.nconds; i++)
			free(st->u.ioctl.conds[i].text);
		free(st->u.ioctl.conds);
		break;
	case GUEST_STMT_VIRGL:
		free(st->u.virgl.stream);
		guest__args_fini(&st->u.virgl.args);
		break;
	case GUEST_STMT_WAIT_FENCE:
		free(st->u.wait.fence);
		break;
	case GUEST_STMT_EXPECT_MEM:
		free(st->u.mem.buf);
		free(st->u.mem.cond.text);
		break;
	case GUEST_STMT_EXPECT_PIXELS:
	case GUEST_STMT_FILL:
		free(st->u.pixels.target);
		break;
	}
	memset(st, 0, sizeof(*st));
}

static int lex_failed(struct guest_parser *p, const struct guest_lex_error *e)
{
	struct guest_tok t = {
		.kind = e->got_len ? GUEST_TOK_WORD : GUEST_TOK_EOL,
		.col = e->col, .text = e->got, .len = e->got_len,
	};

	return guest__perr(p, &t, "%s", e->expected);
}

static int push_stmt(struct guest_script *s, struct guest_stmt **out)
{
	struct guest_stmt *v = realloc(s->stmts, (s->n + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	s->stmts = v;
	*out = memset(&v[s->n++], 0, sizeof(*v));
	return 0;
}

static int parse_line(struct guest_script *s, struct guest_parser *p,
		      const char *line, size_t len)
{
	struct guest_lex_error le;
	const struct guest_tok *last;
	struct guest_stmt *st = NULL;
	int ret = guest__lex_line(line, len, &p->toks, &p->n, &le);

	if (ret)
		return ret == -EINVAL ? lex_failed(p, &le) : ret;
	p->pos = 0;
	if (p->n > 1) {
		ret = push_stmt(s, &st);
		last = &p->toks[p->n - 2];
		if (!ret) {
			st->line = p->line;
			st->text = strndup(p->toks[0].text,
					   (size_t)(last->text + last->len -
						    p->toks[0].text));
			ret = st->text ? parse_stmt(p, st) : -ENOMEM;
		}
		if (ret && st) {
			guest__stmt_fini(st);
			s->n--;
		}
	}
	guest__toks_free(p->toks, p->n);
	p->toks = NULL;
	return ret;
}

void guest_script_destroy(struct guest_script *s)
{
	if (!s)
		return;
	for (unsigned i = 0; i < s->n; i++)
		guest__stmt_fini(&s->stmts[i]);
	free(s->stmts);
	free(s->path);
	free(s);
}

unsigned guest_script_length(const struct guest_script *s)
{
	return s->n;
}

static int parse_failed(struct guest_parser *p, int ret, char **error)
{
	*error = p->err;
	if (!*error)
		*error = strdup(ret == -ENOMEM ? "out of memory"
					       : "internal parser error");
	return ret;
}

int guest_script_parse(const char *path, const char *text, size_t len,
		       struct guest_script **out, char **error)
{
	struct guest_parser p = { .path = path, .line = 1 };
	struct guest_script *s = calloc(1, sizeof(*s));
	size_t pos = 0;
	int ret = 0;

	*error = NULL;
	if (!s || !(s->path = strdup(path))) {
		free(s);
		return parse_failed(&p, -ENOMEM, error);
	}
	while (pos < len && ret == 0) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;

		ret = parse_line(s, &p, text + pos, end - pos);
		pos = end + 1;
		p.line++;
	}
	if (ret) {
		guest_script_destroy(s);
		return parse_failed(&p, ret, error);
	}
	*out = s;
	return 0;
}

static int read_all(int fd, char **out, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap), *nb;
	ssize_t r;

	while (buf) {
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0) {
				*out = buf;
				*len = n;
				return 0;
			}
			free(buf);
			return -errno;
		}
		n += (size_t)r;
		if (n == cap && cap >= MAX_SCRIPT_BYTES) {
			free(buf);
			return -EFBIG;
		}
		if (n == cap) {
			nb = realloc(buf, cap * 2);
			if (!nb)
				free(buf);
			buf = nb;
			cap *= 2;
		}
	}
	return -ENOMEM;
}

int guest_script_load(const char *path, struct guest_script **out,
		      char **error)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0;
	char *text = NULL;
	int ret;

	*error = NULL;
	if (fd < 0) {
		ret = -errno;
	} else {
		ret = read_all(fd, &text, &len);
		close(fd);
	}
	if (ret) {
		if (asprintf(error, "%s: cannot read: %s", path,
			     strerror(-ret)) < 0)
			*error = NULL;
		return ret;
	}
	ret = guest_script_parse(path, text, len, out, error);
	free(text);
	return ret;
}
