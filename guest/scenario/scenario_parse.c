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

#include "guest/scenario/scenario_int.h"

#define MAX_SCRIPT_BYTES (64u << 20)

int guest__end_of_line(struct guest_parser *p, const char *expected)
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

static bool is_stmt_word(const struct guest_tok *t)
{
	static const char *const words[] = {
		"open", "open_primary", "close", "unmap", "ioctl", "virgl",
		"virtio", "wait_fence", "poll", "read", "expect", "fill",
		"venus", "kernel",
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (guest__tok_is(t, words[i]))
			return true;
	}
	return false;
}

/* require STATEMENT: the statement runs; if it fails, the script is
 * skipped with the failure as the reason. */
static int parse_require_stmt(struct guest_parser *p, struct guest_stmt *st)
{
	st->kind = GUEST_STMT_REQUIRE_STMT;
	return guest__parse_inner(p, st, &st->u.inner);
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
	} else if (guest__tok_is(t, "feature")) {
		st->kind = GUEST_STMT_REQUIRE_FEATURE;
		p->pos++;
		ret = take_sym(p, &guest__features, 63, &st->u.require);
	} else if (is_stmt_word(t)) {
		return parse_require_stmt(p, st);
	} else {
		return guest__perr(p, t, "'capset', 'param', 'feature' or a "
				   "statement");
	}
	return ret ? ret : guest__end_of_line(p, "end of line");
}

static int parse_named(struct guest_parser *p, struct guest_stmt *st,
		       enum guest_stmt_kind kind, const char *what)
{
	int ret;

	st->kind = kind;
	p->pos++;
	ret = guest__take_ident(p, what, &st->u.name);
	return ret ? ret : guest__end_of_line(p, "end of line");
}

static int parse_open(struct guest_parser *p, struct guest_stmt *st)
{
	return parse_named(p, st, GUEST_STMT_OPEN, "a name for the file");
}

static int parse_open_primary(struct guest_parser *p, struct guest_stmt *st)
{
	return parse_named(p, st, GUEST_STMT_OPEN_PRIMARY,
			   "a name for the file");
}

static int parse_close(struct guest_parser *p, struct guest_stmt *st)
{
	return parse_named(p, st, GUEST_STMT_CLOSE,
			   "a file, fence or dma-buf name");
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
	case GUEST_BIND_VALUE:
		return "value";
	case GUEST_BIND_DMABUF:
		return "dmabuf";
	case GUEST_BIND_SYNCOBJ:
		return "syncobj";
	case GUEST_BIND_SYNCOBJ_FD:
		return "syncobj_fd";
	}
	return NULL;
}

static bool is_kind_word(const struct guest_tok *t)
{
	return guest__tok_is(t, "bo") || guest__tok_is(t, "buffer") ||
	       guest__tok_is(t, "mapping") || guest__tok_is(t, "fence") ||
	       guest__tok_is(t, "value") || guest__tok_is(t, "dmabuf") ||
	       guest__tok_is(t, "syncobj") || guest__tok_is(t, "syncobj_fd");
}

/* "-> [KIND] NAME"; KIND, if written, must be what the ioctl gives. */
static int parse_bind(struct guest_parser *p, struct guest_ioctl_stmt *is)
{
	const char *kind = bind_kind(is->ioctl->bind);
	const struct guest_tok *t;

	if (!kind)
		return guest__perr(p, guest__cur(p), "'expect' or end of line "
				   "(%s gives nothing to name)",
				   guest__ioctl_name(is->ioctl));
	t = &p->toks[++p->pos];
	if (is_kind_word(t) && p->pos + 1 < p->n &&
	    guest__tok_is_ident(&p->toks[p->pos + 1]) &&
	    !guest__tok_is(&p->toks[p->pos + 1], "expect")) {
		/* SYNCOBJ_HANDLE_TO_FD gives a fence with EXPORT_SYNC_FILE */
		bool fence_ok = is->ioctl->bind == GUEST_BIND_SYNCOBJ_FD &&
				guest__tok_is(t, "fence");
		if (!guest__tok_is(t, kind) && !fence_ok)
			return guest__perr(p, t, "'%s' (what %s gives) or a "
					   "name", kind,
					   guest__ioctl_name(is->ioctl));
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

static int parse_ioctl_name(struct guest_parser *p,
			    struct guest_ioctl_stmt *is)
{
	const struct guest_tok *t = guest__cur(p);
	uint64_t req;

	if (t->kind == GUEST_TOK_WORD)
		is->ioctl = guest__ioctl_find(t->text, t->len);
	if (is->ioctl) {
		is->request = is->ioctl->request;
	} else if (t->kind == GUEST_TOK_WORD &&
		   guest__parse_number(t->text, t->len, &req) == 0 &&
		   req <= UINT32_MAX) {
		is->ioctl = &guest__raw_ioctl;
		is->request = (unsigned long)req;
	} else {
		char names[1024];

		return guest__perr(p, t, "an ioctl (%s) or a request number",
				   guest__ioctl_names(names, sizeof(names)));
	}
	p->pos++;
	return 0;
}

static int parse_ioctl(struct guest_parser *p, struct guest_stmt *st)
{
	struct guest_ioctl_stmt *is = &st->u.ioctl;
	int ret;

	st->kind = GUEST_STMT_IOCTL;
	p->pos++;
	ret = guest__take_ident(p, "a file name (from 'open NAME'), or a "
				"fence name for SYNC_IOC_*", &is->file);
	if (!ret)
		ret = parse_ioctl_name(p, is);
	if (!ret)
		ret = guest__parse_args(p, guest__ioctl_name(is->ioctl), is->ioctl->fields,
					is->ioctl->nfields, guest__ioctl_pseudo,
					guest__nioctl_pseudo, &is->args);
	if (!ret)
		ret = check_args(p, is->ioctl, &is->args);
	if (!ret && guest__cur(p)->kind == GUEST_TOK_ARROW)
		ret = parse_bind(p, is);
	if (!ret && guest__tok_is(guest__cur(p), "expect"))
		ret = guest__parse_ioctl_expect(p, is);
	return ret ? ret : guest__end_of_line(p, "a field=value, '->', "
					      "'expect' or end of line");
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
				vs->op->nfields, NULL, 0, &vs->args);
	return ret ? ret : guest__end_of_line(p, "a field=value or end of line");
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
		ret = guest__take_number(p, GUEST_TIMEOUT_WHAT,
					 GUEST_MAX_TIMEOUT_MS, &w->timeout_ms);
	}
	if (ret || !guest__tok_is(guest__cur(p), "expect"))
		return ret ? ret : guest__end_of_line(p, "timeout_ms=, 'expect' or "
					       "end of line");
	t = &p->toks[++p->pos];
	if (!guest__tok_is(t, "signaled") && !guest__tok_is(t, "timeout"))
		return guest__perr(p, t, "'signaled' or 'timeout'");
	w->expect_timeout = guest__tok_is(t, "timeout");
	p->pos++;
	return guest__end_of_line(p, "end of line");
}

static int parse_pixels_stmt(struct guest_parser *p, struct guest_stmt *st)
{
	return guest__parse_pixels(p, st, false);
}

static int parse_fill(struct guest_parser *p, struct guest_stmt *st)
{
	return guest__parse_pixels(p, st, true);
}

static int parse_expect(struct guest_parser *p, struct guest_stmt *st)
{
	const struct guest_tok *t = &p->toks[p->pos + 1];

	if (guest__tok_is(t, "pixels")) {
		p->pos++;	/* now at "pixels", as parse_fill is at "fill" */
		return parse_pixels_stmt(p, st);
	}
	if (guest__tok_is(t, "string"))
		return guest__parse_expect_string(p, st);
	return guest__parse_expect_mem(p, st);
}

int guest__parse_stmt(struct guest_parser *p, struct guest_stmt *st)
{
	static const struct {
		const char *word;
		int (*parse)(struct guest_parser *p, struct guest_stmt *st);
	} kinds[] = {
		{ "require", parse_require },
		{ "open", parse_open },
		{ "open_primary", parse_open_primary },
		{ "close", parse_close },
		{ "unmap", parse_unmap },
		{ "ioctl", parse_ioctl },
		{ "virgl", parse_virgl },
		{ "virtio", guest__parse_virtio },
		{ "venus", guest__parse_venus },
		{ "wait_fence", parse_wait_fence },
		{ "poll", guest__parse_poll },
		{ "read", guest__parse_read },
		{ "expect", parse_expect },
		{ "fill", parse_fill },
		{ "kernel", guest__parse_kernel },
	};

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (guest__tok_is(guest__cur(p), kinds[i].word))
			return kinds[i].parse(p, st);
	}
	if (guest__tok_is(guest__cur(p), "device"))
		return guest__perr(p, guest__cur(p), "a statement ('device' "
				   "lines come first, in the script itself)");
	return guest__perr(p, guest__cur(p), "a statement (device, require, "
			   "open, open_primary, close, unmap, ioctl, virgl, "
			   "virtio, venus, wait_fence, poll, read, expect, fill, "
			   "kernel, set, include, repeat)");
}

void guest__stmt_fini(struct guest_stmt *st)
{
	free(st->text);
	switch (st->kind) {
	case GUEST_STMT_REQUIRE_CAPSET:
	case GUEST_STMT_REQUIRE_PARAM:
	case GUEST_STMT_REQUIRE_FEATURE:
		break;
	case GUEST_STMT_REQUIRE_STMT:
		if (st->u.inner)
			guest__stmt_fini(st->u.inner);
		free(st->u.inner);
		break;
	case GUEST_STMT_KERNEL:
		if (st->u.kernel.inner)
			guest__stmt_fini(st->u.kernel.inner);
		free(st->u.kernel.inner);
		break;
	case GUEST_STMT_OPEN:
	case GUEST_STMT_OPEN_PRIMARY:
	case GUEST_STMT_CLOSE:
	case GUEST_STMT_UNMAP:
		free(st->u.name);
		break;
	case GUEST_STMT_IOCTL:
		free(st->u.ioctl.file);
		free(st->u.ioctl.bind);
		guest__args_fini(&st->u.ioctl.args);
		guest__conds_free(st->u.ioctl.conds, st->u.ioctl.nconds);
		break;
	case GUEST_STMT_VIRTIO:
		free(st->u.virtio.bind);
		guest__args_fini(&st->u.virtio.args);
		guest__conds_free(st->u.virtio.conds, st->u.virtio.nconds);
		break;
	case GUEST_STMT_VENUS:
		free(st->u.venus.file);
		guest__args_fini(&st->u.venus.args);
		guest__conds_free(st->u.venus.conds, st->u.venus.nconds);
		break;
	case GUEST_STMT_VIRGL:
		free(st->u.virgl.stream);
		guest__args_fini(&st->u.virgl.args);
		break;
	case GUEST_STMT_WAIT_FENCE:
		free(st->u.wait.fence);
		break;
	case GUEST_STMT_READ:
		free(st->u.read.file);
		free(st->u.read.bind);
		break;
	case GUEST_STMT_POLL:
		free(st->u.poll.target);
		break;
	case GUEST_STMT_EXPECT_MEM:
		free(st->u.mem.buf);
		free(st->u.mem.cond.text);
		break;
	case GUEST_STMT_EXPECT_STRING:
		free(st->u.string.buf);
		free(st->u.string.str);
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

/* Unrolled repeats make up to 200000 statements: grow by doubling (the
 * scenario fuzz target timed out on quadratic copying under ASan, whose
 * realloc cannot move pages the way glibc's mremap does). */
static int push_stmt(struct guest_script *s, struct guest_stmt **out)
{
	if (s->n == s->cap) {
		unsigned cap = s->cap ? s->cap * 2 : 64;
		struct guest_stmt *v = reallocarray(s->stmts, cap, sizeof(*v));

		if (!v)
			return -ENOMEM;
		s->stmts = v;
		s->cap = cap;
	}
	*out = memset(&s->stmts[s->n++], 0, sizeof(*s->stmts));
	return 0;
}

int guest__script_intern_path(struct guest_script *s, const char *path,
			      const char **out)
{
	char **v;

	for (unsigned i = 0; i < s->npaths; i++) {
		if (strcmp(s->paths[i], path) == 0) {
			*out = s->paths[i];
			return 0;
		}
	}
	v = realloc(s->paths, (s->npaths + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	s->paths = v;
	v[s->npaths] = strdup(path);
	if (!v[s->npaths])
		return -ENOMEM;
	*out = v[s->npaths++];
	return 0;
}

static int parse_device_line(struct guest_parser *p, struct guest_script *s,
			     bool included)
{
	if (included || s->started)
		return guest__perr(p, guest__cur(p), "'device' only before "
				   "every other statement, in the script "
				   "itself (not in an included file)");
	if (s->device_text)
		return guest__perr(p, guest__cur(p), "one 'device' line");
	return guest__parse_device(p, s);
}

/* One line from the source layer: lex, parse, append. */
static int parse_src_line(void *opaque, const struct guest__src_line *l)
{
	struct guest_parser *p = opaque;
	struct guest_script *s = p->script;
	struct guest_lex_error le;
	const struct guest_tok *last;
	struct guest_stmt *st = NULL;
	int ret;

	p->path = l->path;
	p->line = l->line;
	p->cols = l->cols;
	ret = guest__lex_line(l->text, l->len, &p->toks, &p->n, &le);
	if (ret)
		return ret == -EINVAL ? lex_failed(p, &le) : ret;
	p->pos = 0;
	if (p->n > 1 && guest__tok_is(&p->toks[0], "device")) {
		ret = parse_device_line(p, s, l->included);
	} else if (p->n > 1) {
		s->started = true;
		ret = push_stmt(s, &st);
		last = &p->toks[p->n - 2];
		if (!ret) {
			st->path = l->path;
			st->line = l->line;
			st->text = strndup(p->toks[0].text,
					   (size_t)(last->text + last->len -
						    p->toks[0].text));
			ret = st->text ? guest__parse_stmt(p, st) : -ENOMEM;
		}
		if (ret && st) {
			guest__stmt_fini(st);
			s->n--;
		}
	}
	guest__toks_free(p->toks, p->n);
	p->toks = NULL;
	p->cols = NULL;
	return ret;
}

void guest_script_destroy(struct guest_script *s)
{
	if (!s)
		return;
	for (unsigned i = 0; i < s->n; i++)
		guest__stmt_fini(&s->stmts[i]);
	free(s->stmts);
	for (unsigned i = 0; i < s->npaths; i++)
		free(s->paths[i]);
	free(s->paths);
	free(s->device_text);
	for (unsigned i = 0; i < s->device.n; i++) {
		free(s->device.opts[i].key);
		free(s->device.opts[i].value);
		free(s->device.opts[i].where);
	}
	free(s->device.opts);
	free(s->path);
	free(s);
}

unsigned guest_script_length(const struct guest_script *s)
{
	return s->n;
}

const struct guest_device_line *guest_script_device(
	const struct guest_script *s)
{
	return &s->device;
}

static int needs_add(char **buf, const char *sep, const char *text)
{
	char *n;

	if (asprintf(&n, "%s%s%s", *buf ? *buf : "", *buf ? sep : "", text) < 0)
		return -ENOMEM;
	free(*buf);
	*buf = n;
	return 0;
}

char *guest_script_needs(const struct guest_script *s)
{
	char *buf = NULL;
	int ret = 0;

	if (s->device_text)
		ret = needs_add(&buf, "; ", s->device_text);
	for (unsigned i = 0; !ret && i < s->n; i++) {
		enum guest_stmt_kind k = s->stmts[i].kind;

		if (k == GUEST_STMT_REQUIRE_CAPSET ||
		    k == GUEST_STMT_REQUIRE_PARAM ||
		    k == GUEST_STMT_REQUIRE_FEATURE ||
		    k == GUEST_STMT_REQUIRE_STMT)
			ret = needs_add(&buf, "; ", s->stmts[i].text);
	}
	if (ret) {
		free(buf);
		return NULL;
	}
	return buf ? buf : strdup("nothing");
}

static int parse_failed(struct guest_parser *p, int ret, const char *src_err,
			char **error)
{
	*error = p->err ? p->err : src_err ? strdup(src_err) : NULL;
	if (!*error)
		*error = strdup(ret == -ENOMEM ? "out of memory"
					       : "internal parser error");
	return ret;
}

int guest_script_parse(const char *path, const char *text, size_t len,
		       struct guest_script **out, char **error)
{
	struct guest_script *s = calloc(1, sizeof(*s));
	struct guest_parser p = { .path = path, .line = 1, .script = s };
	char *src_err = NULL;
	int ret;

	*error = NULL;
	if (!s || !(s->path = strdup(path))) {
		free(s);
		return parse_failed(&p, -ENOMEM, NULL, error);
	}
	ret = guest__src_expand(s, path, text, len, parse_src_line, &p,
				&src_err);
	if (ret) {
		guest_script_destroy(s);
		ret = parse_failed(&p, ret, src_err, error);
		free(src_err);
		return ret;
	}
	*out = s;
	return 0;
}

int guest_script_load(const char *path, struct guest_script **out,
		      char **error)
{
	size_t len = 0;
	char *text = NULL;
	int ret = guest__read_file(path, &text, &len);

	*error = NULL;
	if (ret) {
		if (asprintf(error, "%s: cannot read: %s", path,
			     guest__read_error(ret)) < 0)
			*error = NULL;
		return ret;
	}
	ret = guest_script_parse(path, text, len, out, error);
	free(text);
	return ret;
}

/* ---- ```vgs blocks of a Markdown file ---- */

static bool fence_line(const char *l, size_t n, bool open)
{
	if (n < 3 || memcmp(l, "```", 3))
		return false;
	if (!open)
		return n == 3 || (n == 4 && l[3] == '\r');
	return n >= 6 && memcmp(l + 3, "vgs", 3) == 0 &&
	       (n == 6 || l[6] == ' ' || l[6] == '\r');
}

struct md_blocks {
	char **texts, **names;
	unsigned *lines;
	unsigned n;
	size_t bytes;	/* of all texts, whose padding grows with the line */
};

static int md_push(struct md_blocks *b, const char *path, const char *text,
		   size_t start, size_t end, unsigned first_line)
{
	/* the arrays double at each power of two: a file may hold millions
	 * of blocks */
	size_t cap = b->n ? (size_t)b->n * 2 : 1;
	bool grow = (b->n & (b->n - 1)) == 0;
	char **t, **nm;
	unsigned *ln;
	char *body;

	/* Each block is padded with the lines before it, so many blocks far
	 * down a file would take memory quadratic in its size. */
	b->bytes += first_line + (end - start);
	if (b->bytes > GUEST_MAX_READ_BYTES)
		return -E2BIG;
	t = grow ? realloc(b->texts, cap * sizeof(*t)) : b->texts;
	if (t)
		b->texts = t;
	nm = grow ? realloc(b->names, cap * sizeof(*nm)) : b->names;
	if (nm)
		b->names = nm;
	ln = grow ? realloc(b->lines, cap * sizeof(*ln)) : b->lines;
	if (ln)
		b->lines = ln;
	if (!t || !nm || !ln)
		return -ENOMEM;
	/* Empty lines keep the Markdown file's line numbers. */
	body = malloc(first_line + (end - start) + 1);
	if (!body)
		return -ENOMEM;
	memset(body, '\n', first_line - 1);
	memcpy(body + first_line - 1, text + start, end - start);
	body[first_line - 1 + end - start] = '\0';
	if (asprintf(&b->names[b->n], "%s:%u", path, first_line) < 0) {
		free(body);
		return -ENOMEM;
	}
	b->texts[b->n] = body;
	b->lines[b->n++] = first_line;
	return 0;
}

int guest_markdown_blocks(const char *path, char ***texts, char ***names,
			  unsigned **first_lines)
{
	struct md_blocks b = { 0 };
	size_t len = 0, pos = 0, start = 0;
	unsigned line = 1, first = 0;
	char *text = NULL;
	int ret = guest__read_file(path, &text, &len);

	while (!ret && pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;

		if (!first && fence_line(text + pos, end - pos, true)) {
			first = line + 1;
			start = end + 1;
		} else if (first && fence_line(text + pos, end - pos, false)) {
			ret = md_push(&b, path, text, start, pos, first);
			first = 0;
		}
		pos = end + 1;
		line++;
	}
	free(text);
	if (ret) {
		for (unsigned i = 0; i < b.n; i++) {
			free(b.texts[i]);
			free(b.names[i]);
		}
		free(b.texts);
		free(b.names);
		free(b.lines);
		return ret;
	}
	*texts = b.texts;
	*names = b.names;
	*first_lines = b.lines;
	return (int)b.n;
}
