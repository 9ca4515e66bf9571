/* SPDX-License-Identifier: MIT */
/*
 * The scenario source layer, before any statement is parsed: splitting a
 * file into lines, "include FILE" (relative to the including file, cycles
 * refused), "set NAME = VALUE", "repeat N [as NAME]" ... "end" (unrolled
 * here), and $NAME / ${NAME} / $(EXPR) substitution.
 *
 * Every line handed on keeps where it came from: the file, the line, and
 * for each character of the substituted text the column it was written
 * at, so that an error in a substituted value still points at the '$'.
 *
 * A script is untrusted input, so all the work it can cause is bounded
 * (the GUEST_MAX_* limits of scenario_int.h): every line handled and
 * every repeat iteration is one step, variables and substituted lines
 * have byte budgets, and recursion (include, repeat) has depth limits.
 * repeat/end pairs are matched once per file with a stack, not by
 * rescanning the file for every repeat.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guest/scenario/scenario_int.h"

#define NO_END UINT_MAX

struct src_var {
	char *name;
	size_t name_len;
	char *value;
	size_t value_len;
};

struct src_file {
	const char *path;	/* interned in the script */
	char *text;
	size_t len;
	const char **lines;	/* start of each line */
	size_t *lens;
	unsigned *end;		/* for a repeat line: its end, or NO_END */
	unsigned n;
};

struct src_ctx {
	struct guest_script *script;
	guest__src_fn fn;
	void *opaque;
	struct src_var *vars;
	unsigned nvars;
	const char *stack[GUEST_MAX_INCLUDE_DEPTH];	/* canonical paths */
	unsigned depth;
	unsigned repeat_depth;
	/* what the script has cost so far, against the GUEST_MAX_* limits */
	unsigned emitted, steps, includes;
	size_t read_bytes, text_bytes, var_bytes;
	char *err;
};

/* ---- errors ---- */

static int src_err(struct src_ctx *c, const char *path, unsigned line,
		   unsigned col, const char *got, size_t got_len,
		   const char *fmt, ...) __attribute__((format(printf, 7, 8)));
static int src_err(struct src_ctx *c, const char *path, unsigned line,
		   unsigned col, const char *got, size_t got_len,
		   const char *fmt, ...)
{
	char *expected;
	va_list ap;
	int n;

	if (c->err)
		return -EINVAL;
	va_start(ap, fmt);
	n = vasprintf(&expected, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	if (got_len > 40)
		got_len = 40;
	if (got && got_len)
		n = asprintf(&c->err, "%s:%u:%u: error: expected %s, got '%.*s'",
			     path, line, col, expected, (int)got_len, got);
	else
		n = asprintf(&c->err, "%s:%u:%u: error: expected %s, got end "
			     "of line", path, line, col, expected);
	free(expected);
	if (n < 0) {
		c->err = NULL;
		return -ENOMEM;
	}
	return -EINVAL;
}

/* Out of memory while handling a line: say which one. */
static int src_oom(struct src_ctx *c, const char *path, unsigned line)
{
	if (!c->err && asprintf(&c->err, "%s:%u: error: out of memory while "
				"reading this line", path, line) < 0)
		c->err = NULL;
	return -ENOMEM;
}

/* ---- variables ---- */

static struct src_var *var_find(struct src_ctx *c, const char *name,
				size_t len)
{
	for (unsigned i = 0; i < c->nvars; i++) {
		if (c->vars[i].name_len == len &&
		    memcmp(c->vars[i].name, name, len) == 0)
			return &c->vars[i];
	}
	return NULL;
}

/* Where a set or a repeat index is written, for the limit messages. */
struct src_at {
	const char *path;
	unsigned line, col;
	const char *text;
	size_t len;
};

static int var_set(struct src_ctx *c, const struct src_at *at,
		   const char *name, size_t len, const char *value, size_t vlen)
{
	struct src_var *v = var_find(c, name, len);
	size_t bytes;
	char *copy;

	if (!v && c->nvars >= GUEST_MAX_VARS)
		return src_err(c, at->path, at->line, at->col, at->text,
			       at->len, "at most %u variables",
			       GUEST_MAX_VARS);
	/* A NUL in the line ends the value (found by fuzzing): its length
	 * is what strndup kept, not vlen. */
	copy = strndup(value, vlen);
	if (!copy)
		return -ENOMEM;
	vlen = strlen(copy);
	bytes = c->var_bytes + vlen - (v ? v->value_len : 0) + (v ? 0 : len);
	if (bytes > GUEST_MAX_VAR_BYTES) {
		free(copy);
		return src_err(c, at->path, at->line, at->col, at->text,
			       at->len, "variables of at most %u bytes in all "
			       "(names and values)", GUEST_MAX_VAR_BYTES);
	}
	if (!v) {
		v = realloc(c->vars, (c->nvars + 1) * sizeof(*v));
		if (!v) {
			free(copy);
			return -ENOMEM;
		}
		c->vars = v;
		v = &c->vars[c->nvars];
		v->name = strndup(name, len);
		if (!v->name) {
			free(copy);
			return -ENOMEM;
		}
		v->name_len = len;
		c->nvars++;
	} else {
		free(v->value);
	}
	v->value = copy;
	v->value_len = vlen;
	c->var_bytes = bytes;
	return 0;
}

static bool ident_start(char ch)
{
	return isalpha((unsigned char)ch) || ch == '_';
}

static bool ident_char(char ch)
{
	return isalnum((unsigned char)ch) || ch == '_';
}

static const char *lookup_var(void *ctx, const char *name, size_t len)
{
	struct src_var *v = var_find(ctx, name, len);

	return v ? v->value : NULL;
}

/* ---- substitution ---- */

struct out {
	char *text;
	unsigned *cols;
	size_t len, cap;
};

static int out_put(struct out *o, const char *s, size_t n, unsigned col,
		   bool same_col)
{
	if (n > GUEST_MAX_LINE_BYTES || o->len + n > GUEST_MAX_LINE_BYTES)
		return -E2BIG;
	if (o->len + n + 1 > o->cap) {
		size_t cap = (o->len + n + 1) * 2;
		char *t = realloc(o->text, cap);
		unsigned *cl;

		if (!t)
			return -ENOMEM;
		o->text = t;
		cl = realloc(o->cols, cap * sizeof(*cl));
		if (!cl)
			return -ENOMEM;
		o->cols = cl;
		o->cap = cap;
	}
	for (size_t i = 0; i < n; i++) {
		o->text[o->len] = s[i];
		o->cols[o->len++] = same_col ? col : col + (unsigned)i;
	}
	o->text[o->len] = '\0';
	o->cols[o->len] = col + (same_col ? 1 : (unsigned)n);
	return 0;
}

/* One $... at line[*pos]; appends its value. */
static int subst_one(struct src_ctx *c, const char *path, unsigned lineno,
		     const char *line, size_t len, size_t *pos, struct out *o)
{
	size_t p = *pos + 1, start, end;
	unsigned col = (unsigned)*pos + 1;
	struct src_var *var;
	char num[32];

	if (p < len && line[p] == '(') {
		struct guest__expr_error ee;
		int depth = 1;
		int64_t v;

		for (end = p + 1; end < len && depth; end++)
			depth += line[end] == '(' ? 1 : line[end] == ')' ? -1 : 0;
		if (depth)
			return src_err(c, path, lineno, col, line + *pos,
				       len - *pos, "a closing ')' for $(");
		if (guest__expr_eval(line + p + 1, end - 1 - (p + 1),
				     lookup_var, c, &v, &ee))
			return src_err(c, path, lineno,
				       (unsigned)(p + 2 + ee.pos),
				       line + p + 1 + ee.pos, ee.len, "%s",
				       ee.expected);
		snprintf(num, sizeof(num), "%lld", (long long)v);
		*pos = end;
		return out_put(o, num, strlen(num), col, true);
	}
	start = p + (p < len && line[p] == '{');
	for (end = start; end < len && ident_char(line[end]); end++)
		;
	if (end == start || !ident_start(line[start]))
		return src_err(c, path, lineno, col, line + *pos, 1,
			       "$NAME, ${NAME} or $(EXPR)");
	if (line[p] == '{' && (end >= len || line[end] != '}'))
		return src_err(c, path, lineno, (unsigned)end + 1, line + end,
			       end < len, "'}' closing ${%.*s",
			       (int)(end - start), line + start);
	var = var_find(c, line + start, end - start);
	if (!var)
		return src_err(c, path, lineno, col, line + *pos,
			       end - *pos + (line[p] == '{'),
			       "a variable defined with 'set' or a repeat "
			       "index");
	*pos = end + (line[p] == '{');
	return out_put(o, var->value, var->value_len, col, true);
}

/* Substitute every $ outside comments; the comment itself is dropped. */
static int substitute(struct src_ctx *c, const char *path, unsigned lineno,
		      const char *line, size_t len, struct out *o)
{
	bool in_str = false;
	size_t i = 0;
	int ret = out_put(o, "", 0, 1, false);

	while (!ret && i < len) {
		char ch = line[i];

		if (!in_str && ch == '#')
			break;
		if (ch == '$') {
			size_t at = i;

			ret = subst_one(c, path, lineno, line, len, &i, o);
			if (ret == -E2BIG)
				ret = src_err(c, path, lineno, (unsigned)at + 1,
					      line + at, len - at, "a line of "
					      "at most %u bytes after "
					      "substitution",
					      GUEST_MAX_LINE_BYTES);
			continue;
		}
		if (ch == '"')
			in_str = !in_str;
		if (in_str && ch == '\\' && i + 1 < len) {
			ret = out_put(o, line + i, 2, (unsigned)i + 1, false);
			i += 2;
			continue;
		}
		ret = out_put(o, &ch, 1, (unsigned)i + 1, false);
		i++;
	}
	if (ret == -E2BIG)
		ret = src_err(c, path, lineno, 1, line, len, "a line of at "
			      "most %u bytes", GUEST_MAX_LINE_BYTES);
	return ret;
}

/* ---- files ---- */


static int split_lines(struct src_file *f)
{
	size_t pos = 0;
	unsigned cap = 64;

	f->lines = malloc(cap * sizeof(*f->lines));
	f->lens = malloc(cap * sizeof(*f->lens));
	if (!f->lines || !f->lens)
		return -ENOMEM;
	while (pos < f->len) {
		const char *nl = memchr(f->text + pos, '\n', f->len - pos);
		size_t end = nl ? (size_t)(nl - f->text) : f->len;

		if (f->n == cap) {
			const char **l;
			size_t *ln;

			cap *= 2;
			l = realloc(f->lines, cap * sizeof(*l));
			if (l)
				f->lines = l;
			ln = realloc(f->lens, cap * sizeof(*ln));
			if (ln)
				f->lens = ln;
			if (!l || !ln)
				return -ENOMEM;
		}
		f->lines[f->n] = f->text + pos;
		f->lens[f->n++] = end - pos;
		pos = end + 1;
	}
	return 0;
}

static void file_fini(struct src_file *f)
{
	free(f->lines);
	free(f->lens);
	free(f->end);
}

/* ---- the directives ---- */

static int expand_range(struct src_ctx *c, const struct src_file *f,
			unsigned first, unsigned last);
static int expand_file(struct src_ctx *c, const char *path, char *text,
		       size_t len, const char *canon);

/* The first word of a raw line, after blanks; *col is 1-based. */
static size_t first_word(const char *line, size_t len, size_t *start)
{
	size_t s = 0, e;

	while (s < len && (line[s] == ' ' || line[s] == '\t' || line[s] == '\r'))
		s++;
	for (e = s; e < len && ident_char(line[e]); e++)
		;
	*start = s;
	return e - s;
}

static bool word_is(const char *line, size_t len, const char *word)
{
	size_t s, n = first_word(line, len, &s);

	return n == strlen(word) && memcmp(line + s, word, n) == 0 &&
	       (s + n == len || !ident_char(line[s + n]));
}

/* The substituted rest of a directive, blanks trimmed. */
static int directive_rest(struct src_ctx *c, const struct src_file *f,
			  unsigned i, const char *word, struct out *o,
			  size_t *skip)
{
	const char *line = f->lines[i];
	size_t s;
	size_t n = first_word(line, f->lens[i], &s);
	int ret;

	(void)word;
	ret = substitute(c, f->path, i + 1, line, f->lens[i], o);
	if (ret)
		return ret;
	*skip = s + n;
	while (*skip < o->len && (o->text[*skip] == ' ' || o->text[*skip] == '\t'))
		(*skip)++;
	while (o->len > *skip && isspace((unsigned char)o->text[o->len - 1]))
		o->text[--o->len] = '\0';
	return 0;
}

static int do_set(struct src_ctx *c, const struct src_file *f, unsigned i)
{
	struct out o = { 0 };
	size_t p, name, name_end;
	int ret = directive_rest(c, f, i, "set", &o, &p);

	if (ret)
		goto out;
	name = p;
	for (name_end = p; name_end < o.len && ident_char(o.text[name_end]);
	     name_end++)
		;
	if (name_end == p || !ident_start(o.text[p])) {
		ret = src_err(c, f->path, i + 1, o.cols[p], o.text + p,
			      o.len - p, "a variable name (set NAME = VALUE)");
		goto out;
	}
	p = name_end;
	while (p < o.len && (o.text[p] == ' ' || o.text[p] == '\t'))
		p++;
	if (p >= o.len || o.text[p] != '=') {
		ret = src_err(c, f->path, i + 1, o.cols[p], o.text + p,
			      o.len - p, "'=' (set NAME = VALUE)");
		goto out;
	}
	p++;
	while (p < o.len && (o.text[p] == ' ' || o.text[p] == '\t'))
		p++;
	ret = var_set(c, &(struct src_at){ f->path, i + 1, o.cols[p],
					   o.text + p, o.len - p },
		      o.text + name, name_end - name, o.text + p, o.len - p);
out:
	free(o.text);
	free(o.cols);
	return ret;
}

static int join_path(const char *base, const char *rel, size_t rlen,
		     char **out)
{
	const char *slash = strrchr(base, '/');
	int n;

	if (rel[0] == '/' || !slash)
		n = asprintf(out, "%.*s", (int)rlen, rel);
	else
		n = asprintf(out, "%.*s/%.*s", (int)(slash - base), base,
			     (int)rlen, rel);
	return n < 0 ? -ENOMEM : 0;
}

static int include_target(struct src_ctx *c, const struct src_file *f,
			  unsigned i, struct out *o, size_t p,
			  const char **name, size_t *nlen)
{
	*name = o->text + p;
	*nlen = o->len - p;
	if (*nlen >= 2 && **name == '"' && (*name)[*nlen - 1] == '"') {
		(*name)++;
		*nlen -= 2;
	}
	if (*nlen == 0 || memchr(*name, ' ', *nlen) || memchr(*name, '"', *nlen))
		return src_err(c, f->path, i + 1, o->cols[p], o->text + p,
			       o->len - p, "a file name (include FILE or "
			       "include \"FILE\")");
	return 0;
}

static int do_include(struct src_ctx *c, const struct src_file *f,
		      unsigned i)
{
	struct out o = { 0 };
	char *path = NULL, *text = NULL, *canon = NULL;
	const char *name;
	size_t p, nlen, len = 0;
	int ret = directive_rest(c, f, i, "include", &o, &p);

	if (!ret)
		ret = include_target(c, f, i, &o, p, &name, &nlen);
	if (!ret)
		ret = join_path(f->path, name, nlen, &path);
	if (ret)
		goto out;
	canon = realpath(path, NULL);
	for (unsigned d = 0; canon && d < c->depth; d++) {
		if (strcmp(c->stack[d], canon) == 0) {
			ret = src_err(c, f->path, i + 1, o.cols[p], o.text + p,
				      o.len - p, "a file that does not include "
				      "itself (include cycle through %s)",
				      path);
			goto out;
		}
	}
	if (c->depth >= GUEST_MAX_INCLUDE_DEPTH) {
		ret = src_err(c, f->path, i + 1, o.cols[p], o.text + p,
			      o.len - p, "includes nested at most %u deep",
			      GUEST_MAX_INCLUDE_DEPTH);
		goto out;
	}
	if (++c->includes > GUEST_MAX_INCLUDES) {
		ret = src_err(c, f->path, i + 1, o.cols[p], o.text + p,
			      o.len - p, "at most %u includes in all",
			      GUEST_MAX_INCLUDES);
		goto out;
	}
	ret = canon ? guest__read_file(path, &text, &len) : -errno;
	if (ret) {
		ret = src_err(c, f->path, i + 1, o.cols[p], o.text + p,
			      o.len - p, "a readable file (%s: %s)", path,
			      guest__read_error(ret));
		goto out;
	}
	c->read_bytes += len;
	if (c->read_bytes > GUEST_MAX_READ_BYTES) {
		ret = src_err(c, f->path, i + 1, o.cols[p], o.text + p,
			      o.len - p, "at most %u bytes read from the "
			      "script and its includes together",
			      GUEST_MAX_READ_BYTES);
		goto out;
	}
	ret = expand_file(c, path, text, len, canon);
	text = NULL;	/* expand_file took it */
out:
	free(text);
	free(canon);
	free(path);
	free(o.text);
	free(o.cols);
	return ret;
}

/*
 * Pair every repeat of the file with its end in one pass, with a stack of
 * open repeats: f->end[i] is the matching end of a repeat at i, or NO_END.
 * An end without a repeat is found when the expansion reaches it.
 */
static int pair_blocks(struct src_file *f)
{
	unsigned *open = malloc((f->n ? f->n : 1) * sizeof(*open));
	unsigned depth = 0;

	f->end = malloc((f->n ? f->n : 1) * sizeof(*f->end));
	if (!open || !f->end) {
		free(open);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < f->n; i++) {
		f->end[i] = NO_END;
		if (word_is(f->lines[i], f->lens[i], "repeat"))
			open[depth++] = i;
		else if (depth && word_is(f->lines[i], f->lens[i], "end"))
			f->end[open[--depth]] = i;
	}
	free(open);
	return 0;
}

static int repeat_header(struct src_ctx *c, const struct src_file *f,
			 unsigned i, uint64_t *count, char **var)
{
	struct out o = { 0 };
	size_t p, e;
	int ret = directive_rest(c, f, i, "repeat", &o, &p);

	*var = NULL;
	if (ret)
		goto out;
	for (e = p; e < o.len && o.text[e] != ' ' && o.text[e] != '\t'; e++)
		;
	if (e == p || guest__parse_number(o.text + p, e - p, count) ||
	    *count > GUEST_MAX_REPEAT) {
		ret = src_err(c, f->path, i + 1, o.cols[p], o.text + p, e - p,
			      "a repeat count from 0 to %u", GUEST_MAX_REPEAT);
		goto out;
	}
	while (e < o.len && (o.text[e] == ' ' || o.text[e] == '\t'))
		e++;
	if (e == o.len)
		goto out;
	p = e;
	if (o.len - p < 3 || memcmp(o.text + p, "as", 2) ||
	    (o.text[p + 2] != ' ' && o.text[p + 2] != '\t')) {
		ret = src_err(c, f->path, i + 1, o.cols[p], o.text + p,
			      o.len - p, "'as NAME' or end of line after the "
			      "repeat count");
		goto out;
	}
	for (p += 3; p < o.len && o.text[p] == ' '; p++)
		;
	for (e = p; e < o.len && ident_char(o.text[e]); e++)
		;
	if (e == p || e != o.len || !ident_start(o.text[p])) {
		ret = src_err(c, f->path, i + 1, o.cols[p < o.len ? p : o.len],
			      o.text + p, o.len - p, "a name for the repeat "
			      "index (repeat N as NAME)");
		goto out;
	}
	*var = strndup(o.text + p, e - p);
	ret = *var ? 0 : -ENOMEM;
out:
	free(o.text);
	free(o.cols);
	return ret;
}

/* One step of work: a line handled or a repeat iteration. */
static int step(struct src_ctx *c, const struct src_file *f, unsigned i)
{
	size_t s, n;

	if (++c->steps <= GUEST_MAX_STEPS)
		return 0;
	n = first_word(f->lines[i], f->lens[i], &s);
	return src_err(c, f->path, i + 1, (unsigned)s + 1, f->lines[i] + s, n,
		       "at most %u steps (lines read, set, include and repeat "
		       "iterations included)", GUEST_MAX_STEPS);
}

/* The body runs once per iteration, as a nested call: repeat_depth
 * bounds that recursion. */
static int do_repeat(struct src_ctx *c, const struct src_file *f,
		     unsigned i, unsigned last, unsigned *next)
{
	unsigned end = f->end[i];
	size_t s, n = first_word(f->lines[i], f->lens[i], &s);
	uint64_t count;
	char *var, num[24];
	int ret;

	if (end == NO_END || end > last)
		return src_err(c, f->path, i + 1, (unsigned)s + 1,
			       f->lines[i] + s, n, "a matching 'end' for this "
			       "repeat (none before the end of the file)");
	if (c->repeat_depth >= GUEST_MAX_REPEAT_DEPTH)
		return src_err(c, f->path, i + 1, (unsigned)s + 1,
			       f->lines[i] + s, n, "repeat blocks nested at "
			       "most %u deep", GUEST_MAX_REPEAT_DEPTH);
	ret = repeat_header(c, f, i, &count, &var);
	c->repeat_depth++;
	for (uint64_t k = 0; !ret && k < count; k++) {
		ret = step(c, f, i);
		if (!ret && var) {
			snprintf(num, sizeof(num), "%llu", (unsigned long long)k);
			ret = var_set(c, &(struct src_at){ f->path, i + 1,
							   (unsigned)s + 1,
							   f->lines[i] + s, n },
				      var, strlen(var), num, strlen(num));
		}
		if (!ret)
			ret = expand_range(c, f, i + 1, end - 1);
	}
	c->repeat_depth--;
	free(var);
	*next = end + 1;
	return ret;
}

/* One ordinary line: substitute and hand it to the parser. */
static int emit(struct src_ctx *c, const struct src_file *f, unsigned i)
{
	struct out o = { 0 };
	struct guest__src_line l;
	int ret = substitute(c, f->path, i + 1, f->lines[i], f->lens[i], &o);

	if (!ret && ++c->emitted > GUEST_MAX_STATEMENTS)
		ret = src_err(c, f->path, i + 1, 1, f->lines[i], f->lens[i],
			      "at most %u lines after include and repeat",
			      GUEST_MAX_STATEMENTS);
	if (!ret && (c->text_bytes += o.len) > GUEST_MAX_TEXT_BYTES)
		ret = src_err(c, f->path, i + 1, 1, f->lines[i], f->lens[i],
			      "at most %u bytes of statements after include, "
			      "repeat and substitution", GUEST_MAX_TEXT_BYTES);
	if (!ret) {
		l = (struct guest__src_line){ f->path, i + 1, o.text, o.cols,
					      o.len, c->depth > 1 };
		ret = c->fn(c->opaque, &l);
	}
	free(o.text);
	free(o.cols);
	return ret;
}

static int expand_range(struct src_ctx *c, const struct src_file *f,
			unsigned first, unsigned last)
{
	int ret = 0;

	for (unsigned i = first; !ret && i <= last && i < f->n;) {
		const char *line = f->lines[i];
		size_t len = f->lens[i], s;
		unsigned at = i;

		ret = step(c, f, i);
		if (ret)
			break;
		if (word_is(line, len, "set")) {
			ret = do_set(c, f, i++);
		} else if (word_is(line, len, "include")) {
			ret = do_include(c, f, i++);
		} else if (word_is(line, len, "repeat")) {
			ret = do_repeat(c, f, i, last, &i);
		} else if (word_is(line, len, "end")) {
			size_t n = first_word(line, len, &s);

			ret = src_err(c, f->path, i + 1, (unsigned)s + 1,
				      line + s, n, "a statement ('end' without "
				      "a 'repeat')");
		} else {
			ret = emit(c, f, i++);
		}
		if (ret == -ENOMEM)
			ret = src_oom(c, f->path, at + 1);
	}
	return ret;
}

static int expand_file(struct src_ctx *c, const char *path, char *text,
		       size_t len, const char *canon)
{
	struct src_file f = { 0 };
	int ret = guest__script_intern_path(c->script, path, &f.path);

	if (ret) {
		free(text);
		return ret;
	}
	f.text = text;
	f.len = len;
	ret = split_lines(&f);
	if (!ret)
		ret = pair_blocks(&f);
	if (!ret) {
		c->stack[c->depth++] = canon;
		ret = expand_range(c, &f, 0, f.n ? f.n - 1 : 0);
		c->depth--;
	}
	file_fini(&f);
	free(text);
	return ret;
}

int guest__src_expand(struct guest_script *script, const char *path,
		      const char *text, size_t len, guest__src_fn fn,
		      void *opaque, char **err)
{
	struct src_ctx c = { .script = script, .fn = fn, .opaque = opaque };
	char *copy = malloc(len + 1), *canon = realpath(path, NULL);
	int ret;

	*err = NULL;
	if (!copy) {
		free(canon);
		return -ENOMEM;
	}
	memcpy(copy, text, len);
	copy[len] = '\0';
	c.read_bytes = len;
	if (len > GUEST_MAX_READ_BYTES) {
		free(copy);
		ret = src_err(&c, path, 1, 1, NULL, 0, "a script of at most "
			      "%u bytes", GUEST_MAX_READ_BYTES);
	} else {
		ret = expand_file(&c, path, copy, len, canon ? canon : path);
	}
	free(canon);
	for (unsigned i = 0; i < c.nvars; i++) {
		free(c.vars[i].name);
		free(c.vars[i].value);
	}
	free(c.vars);
	*err = c.err;
	return ret;
}
