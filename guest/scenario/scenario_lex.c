/* SPDX-License-Identifier: MIT */
/*
 * Scenario lexer: one line at a time into words, strings and operators.
 * A word is a run of letters, digits and "_.+-:/" (so "3D_FEATURES",
 * "0xffff3300", "-1" and "1.0" are single words); "->" always ends a word.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "guest/scenario/scenario_int.h"

static bool is_word_char(char c)
{
	return isalnum((unsigned char)c) || strchr("_.+-:/", c) != NULL;
}

static int lex_error(struct guest_lex_error *err, const char *line,
		     size_t pos, size_t got_len, const char *expected)
{
	err->col = (unsigned)pos + 1;
	err->expected = expected;
	err->got = line + pos;
	err->got_len = got_len;
	return -EINVAL;
}

/* Unescape the string starting at line[*pos] == '"'.  The copy is sized
 * to the string, not to the rest of the line: a line of 90,000 strings
 * allocated gigabytes (issue 16). */
static int lex_string(const char *line, size_t len, size_t *pos,
		      struct guest_tok *t, struct guest_lex_error *err)
{
	size_t start = *pos, i = start + 1, o = 0, end = i;
	char *s;

	while (end < len && line[end] != '"')
		end += line[end] == '\\' ? 2 : 1;
	s = malloc((end < len ? end : len) - start);
	if (!s)
		return -ENOMEM;
	for (; i < len && line[i] != '"'; i++) {
		char c = line[i];

		if (c == '\\') {
			if (i + 1 >= len)
				break;
			c = line[++i];
			if (c == 'n' || c == 't')
				c = c == 'n' ? '\n' : '\t';
			else if (c != '"' && c != '\\') {
				free(s);
				return lex_error(err, line, i - 1, 2,
						 "one of \\\" \\\\ \\n \\t");
			}
		}
		s[o++] = c;
	}
	if (i >= len || line[i] != '"') {
		free(s);
		return lex_error(err, line, len, 0, "a closing '\"'");
	}
	s[o] = '\0';
	t->kind = GUEST_TOK_STRING;
	t->str = s;
	t->len = i + 1 - start;
	*pos = i + 1;
	return 0;
}

/* Operators of one or two characters. */
static int lex_operator(const char *line, size_t len, size_t pos,
			struct guest_tok *t, struct guest_lex_error *err)
{
	static const struct {
		const char *text;
		enum guest_tok_kind kind;
	} ops[] = {
		{ "==", GUEST_TOK_EQ },	   { "!=", GUEST_TOK_NE },
		{ "<=", GUEST_TOK_LE },	   { ">=", GUEST_TOK_GE },
		{ "->", GUEST_TOK_ARROW }, { "=", GUEST_TOK_ASSIGN },
		{ "<", GUEST_TOK_LT },	   { ">", GUEST_TOK_GT },
		{ ",", GUEST_TOK_COMMA },  { "|", GUEST_TOK_PIPE },
		{ "&", GUEST_TOK_AMP },	   { "[", GUEST_TOK_LBRACKET },
		{ "]", GUEST_TOK_RBRACKET },
	};

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t n = strlen(ops[i].text);

		if (n <= len - pos && memcmp(line + pos, ops[i].text, n) == 0) {
			t->kind = ops[i].kind;
			t->len = n;
			return 0;
		}
	}
	if (line[pos] == '!')
		return lex_error(err, line, pos, 1, "'!='");
	return lex_error(err, line, pos, 1,
			 "a name, a number, a string or an operator");
}

static int lex_word(const char *line, size_t len, size_t pos,
		    struct guest_tok *t)
{
	size_t end = pos;

	while (end < len && is_word_char(line[end])) {
		if (line[end] == '-' && end + 1 < len && line[end + 1] == '>')
			break;
		end++;
	}
	t->kind = GUEST_TOK_WORD;
	t->len = end - pos;
	return 0;
}

static int lex_one(const char *line, size_t len, size_t *pos,
		   struct guest_tok *t, struct guest_lex_error *err)
{
	size_t p = *pos;
	int ret;

	memset(t, 0, sizeof(*t));
	t->col = (unsigned)p + 1;
	t->text = line + p;
	if (line[p] == '"')
		return lex_string(line, len, pos, t, err);
	if (is_word_char(line[p]) &&
	    !(line[p] == '-' && p + 1 < len && line[p + 1] == '>'))
		ret = lex_word(line, len, p, t);
	else
		ret = lex_operator(line, len, p, t, err);
	if (ret == 0)
		*pos = p + t->len;
	return ret;
}

void guest__toks_free(struct guest_tok *toks, unsigned n)
{
	if (!toks)
		return;
	for (unsigned i = 0; i < n; i++)
		free(toks[i].str);
	free(toks);
}

/* A line has at most len tokens plus the end-of-line token. */
int guest__lex_line(const char *line, size_t len, struct guest_tok **out,
		    unsigned *n, struct guest_lex_error *err)
{
	struct guest_tok *toks = calloc(len + 1, sizeof(*toks));
	unsigned count = 0;
	size_t pos = 0;
	int ret = 0;

	if (!toks)
		return -ENOMEM;
	while (pos < len) {
		if (line[pos] == ' ' || line[pos] == '\t' || line[pos] == '\r') {
			pos++;
			continue;
		}
		if (line[pos] == '#')
			break;
		ret = lex_one(line, len, &pos, &toks[count], err);
		if (ret)
			break;
		count++;
	}
	if (ret) {
		guest__toks_free(toks, count);
		return ret;
	}
	toks[count].kind = GUEST_TOK_EOL;
	toks[count].col = (unsigned)pos + 1;
	toks[count].text = line + pos;
	*out = toks;
	*n = count + 1;
	return 0;
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return 99;
}

/* Decimal or 0x-hex, optionally negative (two's complement result). */
int guest__parse_number(const char *text, size_t len, uint64_t *out)
{
	bool neg = len > 0 && text[0] == '-';
	unsigned base = 10;
	uint64_t v = 0;
	size_t i = neg;

	if (len - i > 2 && text[i] == '0' && (text[i + 1] | 0x20) == 'x') {
		base = 16;
		i += 2;
	}
	if (i >= len)
		return -EINVAL;
	for (; i < len; i++) {
		unsigned d = (unsigned)digit_value(text[i]);

		if (d >= base)
			return -EINVAL;
		if (v > (UINT64_MAX - d) / base)
			return -ERANGE;
		v = v * base + d;
	}
	if (neg && v > (uint64_t)INT64_MAX + 1)
		return -ERANGE;
	*out = neg ? (uint64_t)0 - v : v;
	return 0;
}

int guest__parse_float(const char *text, size_t len, double *out)
{
	char buf[64];
	char *end;
	double d;

	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, text, len);
	buf[len] = '\0';
	if (!isdigit((unsigned char)buf[0]) && buf[0] != '-' && buf[0] != '+' &&
	    buf[0] != '.')
		return -EINVAL;
	errno = 0;
	d = strtod(buf, &end);
	if (*end != '\0' || errno || !isfinite(d))
		return -EINVAL;
	*out = d;
	return 0;
}
