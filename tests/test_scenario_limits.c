/* SPDX-License-Identifier: MIT */
/*
 * The scenario interpreter against hostile scripts (issue 16): a script
 * is untrusted input, CI runs scripts from merge requests.  Each test is
 * one defect that was found: it must now end at once with the precise
 * "file:line:column: error: expected ..." naming the limit
 * (docs/reliability.md, "Limits of the scenario language"), never with a
 * signal, undefined behaviour, a blocked open or hours of work.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "guest/scenario/scenario_int.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char overflow[] = "expected an operation whose result fits in "
	"a signed 64-bit integer in $(...)";

/* Parse @text as t.vgs: it must fail with exactly @msg. */
static void parse_fails(const char *text, size_t len, const char *msg)
{
	struct guest_script *s = NULL;
	char *err = NULL;
	int ret = guest_script_parse("t.vgs", text, len, &s, &err);

	if (ret != -EINVAL || !err || strcmp(err, msg) != 0)
		fail_msg("\"%.60s\"\n  gave %d \"%s\"\n  expected \"%s\"", text,
			 ret, err ? err : "(none)", msg);
	assert_null(s);
	free(err);
}

/* The value of $(...) @expr, read back from a statement's text. */
static int64_t parse_value(const char *expr)
{
	static const char pre[] = "virtio ctrl CTX_CREATE debug_name=\"";
	struct guest_script *s = NULL;
	char *text, *err = NULL;
	int64_t v;

	assert_true(asprintf(&text, "set v = %s\n%s$v\"\n", expr, pre) > 0);
	if (guest_script_parse("t.vgs", text, strlen(text), &s, &err))
		fail_msg("%s: %s", expr, err);
	assert_memory_equal(s->stmts[0].text, pre, strlen(pre));
	v = strtoll(s->stmts[0].text + strlen(pre), NULL, 10);
	guest_script_destroy(s);
	free(text);
	return v;
}

/* INT64_MIN / -1 and INT64_MIN % -1 raised SIGFPE and took the whole TAP
 * run with them; + - * and unary minus overflowed (UBSan). */
static void test_scenario_limits_arithmetic(void **state)
{
	static const struct { const char *text, *got; unsigned col; } cases[] = {
		{ "$((-9223372036854775807 - 1) / -1)", "/", 38 },
		{ "$((-9223372036854775807 - 1) % -1)", "%", 38 },
		{ "$(9223372036854775807 + 1)", "+", 31 },
		{ "$(-9223372036854775807 - 2)", "-", 32 },
		{ "$(4294967296 * 4294967296)", "*", 22 },
		{ "$(-(-9223372036854775807 - 1))", "-(-9223372036854775807",
		  11 },
		/* a variable holding INT64_MIN, divided through a variable */
		{ "$(m / n)", "/", 13 },
	};
	char text[128], msg[256];

	(void)state;
	for (size_t i = 0; i < COUNT(cases); i++) {
		const char *pre = i == COUNT(cases) - 1
			? "set m = $(-9223372036854775807 - 1)\nset n = -1\n"
			: "";
		unsigned line = *pre ? 3 : 1;

		snprintf(text, sizeof(text), "%sset a = %s\n", pre,
			 cases[i].text);
		snprintf(msg, sizeof(msg), "t.vgs:%u:%u: error: %s, got '%s'",
			 line, cases[i].col, overflow, cases[i].got);
		parse_fails(text, strlen(text), msg);
	}
	/* What still fits is computed exactly, at the edges too. */
	assert_true(parse_value("$(-9223372036854775807 - 1)") == INT64_MIN);
	assert_int_equal(parse_value("$((-9223372036854775807 - 1) / 1)"),
			 INT64_MIN);
	assert_int_equal(parse_value("$(9223372036854775807 % -1)"), 0);
	assert_int_equal(parse_value("$(-7 / 2)"), -3);
	assert_int_equal(parse_value("$(-7 % 2)"), -1);
	assert_int_equal(parse_value("$(3037000499 * 3037000499)"),
			 INT64_C(9223372030926249001));
}

/* 100,000 '(' or unary '-' overflowed the stack (one recursion per
 * level); now the 65th is refused at its column. */
static void test_scenario_limits_expr_depth(void **state)
{
	size_t n = 100000, len = 0;
	char *text = malloc(2 * n + 32);

	(void)state;
	assert_non_null(text);
	for (int kind = 0; kind < 2; kind++) {
		len = (size_t)sprintf(text, "set a = $(");
		memset(text + len, kind ? '-' : '(', n);
		len += n;
		text[len++] = '1';
		if (!kind) {
			memset(text + len, ')', n);
			len += n;
		}
		text[len++] = ')';
		parse_fails(text, len, kind
			    ? "t.vgs:1:75: error: expected parentheses and "
			      "unary '-' nested at most 64 deep in $(...), got "
			      "'----------------------------------------'"
			    : "t.vgs:1:75: error: expected parentheses and "
			      "unary '-' nested at most 64 deep in $(...), got "
			      "'(((((((((((((((((((((((((((((((((((((((('");
	}
	/* 64 levels are fine. */
	len = (size_t)sprintf(text, "set a = $(");
	memset(text + len, '(', 64);
	len += 64;
	text[len++] = '7';
	memset(text + len, ')', 64);
	len += 64;
	strcpy(text + len, ")\nread gpu size=$a\n");
	len += strlen(text + len);
	{
		struct guest_script *s = NULL;
		char *err = NULL;

		assert_int_equal(guest_script_parse("t.vgs", text, len, &s,
						    &err), 0);
		assert_int_equal(s->stmts[0].u.read.size, 7);
		guest_script_destroy(s);
	}
	free(text);
}

/* A script of @n copies of @a, then @n copies of @b. */
static char *repeated(const char *a, const char *b, unsigned n, size_t *len)
{
	size_t la = strlen(a), lb = strlen(b);
	char *t = malloc(n * (la + lb) + 1), *p = t;

	assert_non_null(t);
	for (unsigned i = 0; i < n; i++, p += la)
		memcpy(p, a, la);
	for (unsigned i = 0; i < n; i++, p += lb)
		memcpy(p, b, lb);
	*p = '\0';
	*len = (size_t)(p - t);
	return t;
}

/* A 40,000-deep repeat nest crashed after 23 s (one recursion per level,
 * and a rescan of the file for each end). */
static void test_scenario_limits_repeat_depth(void **state)
{
	size_t len;
	char *text = repeated("repeat 2\n", "end\n", 40000, &len);
	struct guest_script *s = NULL;
	char *err = NULL;

	(void)state;
	parse_fails(text, len, "t.vgs:65:1: error: expected repeat blocks "
		    "nested at most 64 deep, got 'repeat'");
	free(text);
	/* 60,000 blocks one after the other pair up in one pass. */
	text = repeated("repeat 0\nopen f\nend\n", "", 60000, &len);
	assert_int_equal(guest_script_parse("t.vgs", text, len, &s, &err), 0);
	assert_int_equal(guest_script_length(s), 0);
	guest_script_destroy(s);
	free(text);
	/* An end without its repeat, and a repeat without its end. */
	parse_fails("open f\n  end\n", 13, "t.vgs:2:3: error: expected a "
		    "statement ('end' without a 'repeat'), got 'end'");
	parse_fails("repeat 2\nrepeat 3\nend\n", 22, "t.vgs:1:1: error: "
		    "expected a matching 'end' for this repeat (none before "
		    "the end of the file), got 'repeat'");
}

static const char steps_msg[] = "error: expected at most 1000000 steps "
	"(lines read, set, include and repeat iterations included), got ";

/* Nested repeat 100000 with only set lines, or empty bodies, ran for
 * hours: only statements counted toward the limit. */
static void test_scenario_limits_steps(void **state)
{
	char msg[256];
	static const char sets[] = "repeat 100000\nrepeat 100000\nset a = 1\n"
				   "end\nend\n";
	static const char empty[] = "repeat 100000\nrepeat 100000\nend\nend\n";
	static const char comments[] = "repeat 100000 as i\n# $i\n\n"
				       "# nothing\nend\n";

	(void)state;
	snprintf(msg, sizeof(msg), "t.vgs:3:1: %s'set'", steps_msg);
	parse_fails(sets, strlen(sets), msg);
	snprintf(msg, sizeof(msg), "t.vgs:2:1: %s'repeat'", steps_msg);
	parse_fails(empty, strlen(empty), msg);
	/* comments and blank lines are lines handed to the parser */
	parse_fails(comments, strlen(comments), "t.vgs:4:1: error: expected "
		    "at most 200000 lines after include and repeat, got "
		    "'# nothing'");
}

static char *write_file(const char *dir, const char *name, const char *text)
{
	char *path;
	FILE *f;

	assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

/* Each file including the next ten times: 10^9 includes. */
static void test_scenario_limits_include_fanout(void **state)
{
	char dir[] = "/tmp/vgs-fanout-XXXXXX", name[16], body[200];
	char *paths[10], *err = NULL, *msg;
	struct guest_script *s = NULL;

	(void)state;
	assert_non_null(mkdtemp(dir));
	for (int i = 0; i < 10; i++) {
		body[0] = '\0';
		for (int k = 0; i < 9 && k < 10; k++)
			sprintf(body + strlen(body), "include f%d.vgi\n", i + 1);
		if (i == 9)
			strcpy(body, "set x = 1\n");
		snprintf(name, sizeof(name), "f%d.vgi", i);
		paths[i] = write_file(dir, name, body);
	}
	assert_int_equal(guest_script_load(paths[0], &s, &err), -EINVAL);
	/* counted depth first: 5 to reach f5, 8 f6 trees of 1,111, 9 f7
	 * trees of 111 and 9 f8 trees of 11 make 9,993; f8 is the 9,994th,
	 * its 7th line the 10,001st */
	assert_true(asprintf(&msg, "%s:7:9: error: expected at most 10000 "
			     "includes in all, got 'f9.vgi'", paths[8]) > 0);
	assert_string_equal(err, msg);
	free(msg);
	free(err);
	for (int i = 0; i < 10; i++) {
		unlink(paths[i]);
		free(paths[i]);
	}
	rmdir(dir);
}

/* set a = $a$a doubled to 14.7 GB; many large variables add up too. */
static void test_scenario_limits_variables(void **state)
{
	static const char dbl[] = "set a = x\nrepeat 100\nset a = $a$a\nend\n";
	static const char many[] = "set a = x\nrepeat 19\nset a = $a$a\nend\n"
				   "repeat 100 as i\nset v$i = $a\nend\n";
	static const char names[] = "repeat 2000 as i\nset v$i = 1\nend\n";

	(void)state;
	parse_fails(dbl, strlen(dbl), "t.vgs:3:11: error: expected a line of "
		    "at most 1048576 bytes after substitution, got '$a'");
	/* 2^19 bytes each: the 33rd would pass 16 MiB */
	parse_fails(many, strlen(many), "t.vgs:6:11: error: expected "
		    "variables of at most 16777216 bytes in all (names and "
		    "values), got 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'");
	parse_fails(names, strlen(names), "t.vgs:2:11: error: expected at most "
		    "1024 variables, got '1'");
}

/* Substituted statements are bounded in all (16 MiB), and a list of
 * 262,144 values in one of them parses in linear time (its array grew
 * one element per realloc, which ASan made quadratic). */
static void test_scenario_limits_statement_text(void **state)
{
	static const char big[] = "set h = 00\nrepeat 18\nset h = $h$h\nend\n"
				  "repeat 40\nvirtio ctrl raw=\"$h\"\nend\n";
	static const char list[] = "set d = 1,\nrepeat 18\nset d = $d$d\n"
				   "end\nvirgl s dwords $d 1\n";
	struct guest_script *s = NULL;
	char *err = NULL;

	(void)state;
	parse_fails(big, strlen(big), "t.vgs:6:1: error: expected at most "
		    "16777216 bytes of statements after include, repeat and "
		    "substitution, got 'virtio ctrl raw=\"$h\"'");
	assert_int_equal(guest_script_parse("t.vgs", list, strlen(list), &s,
					    &err), 0);
	assert_int_equal(s->stmts[0].u.virgl.args.v[0].nvals, (1u << 18) + 1);
	guest_script_destroy(s);
}

/* A line of 1 MiB can hold 100,000 arguments or conditions: their arrays
 * double instead of growing by one (quadratic under ASan); the device
 * line's options are bounded. */
static void test_scenario_limits_many_per_line(void **state)
{
	static const char *const reps[] = { "param=1,1 ", "value==1 ",
					    "inject=\"x\" " };
	static const char *const heads[] = { "ioctl gpu CONTEXT_INIT ",
					     "ioctl gpu GETPARAM param=1 expect ",
					     "device " };
	size_t n = 90000, len;
	char *text = malloc(n * 12 + 64);
	struct guest_script *s = NULL;
	char *err = NULL;

	(void)state;
	assert_non_null(text);
	for (unsigned k = 0; k < 3; k++) {
		len = (size_t)sprintf(text, "%s", heads[k]);
		for (size_t i = 0; i < n; i++)
			len += (size_t)sprintf(text + len, "%s", reps[k]);
		if (k == 2) {
			/* The 65th option; what a value means (and how
			 * long fault specs may be) is the VMM's. */
			parse_fails(text, len, "t.vgs:1:712: error: expected "
				    "at most 64 device options, got 'inject'");
			continue;
		}
		assert_int_equal(guest_script_parse("t.vgs", text, len, &s,
						    &err), 0);
		if (k == 0)
			assert_int_equal(s->stmts[0].u.ioctl.args.n, n);
		else
			assert_int_equal(s->stmts[0].u.ioctl.nconds, n);
		guest_script_destroy(s);
	}
	free(text);
}

/* timeout_ms=2147483648 became a negative deadline; every timeout now
 * has the one documented maximum. */
static void test_scenario_limits_timeouts(void **state)
{
	static const struct { const char *text, *msg; } cases[] = {
		{ "virtio ctrl GET_DISPLAY_INFO timeout_ms=2147483648",
		  "t.vgs:1:41: error: expected a value from 0 to 600000 for "
		  "timeout_ms, got '2147483648'" },
		{ "virtio ctrl raw=\"0001000000000000\" timeout_ms=600001",
		  "t.vgs:1:47: error: expected a value from 0 to 600000 for "
		  "timeout_ms, got '600001'" },
		{ "wait_fence f timeout_ms=2147483648",
		  "t.vgs:1:25: error: expected a timeout in milliseconds from 0 "
		  "to 600000, got '2147483648'" },
		{ "poll f timeout_ms=4294967296",
		  "t.vgs:1:19: error: expected a timeout in milliseconds from 0 "
		  "to 600000, got '4294967296'" },
		{ "read f timeout_ms=600001",
		  "t.vgs:1:19: error: expected a timeout in milliseconds from 0 "
		  "to 600000, got '600001'" },
	};
	struct guest_script *s = NULL;
	const char *ok = "virtio ctrl GET_DISPLAY_INFO timeout_ms=600000\n"
			 "wait_fence f timeout_ms=600000\n";
	char *err = NULL;

	(void)state;
	for (size_t i = 0; i < COUNT(cases); i++)
		parse_fails(cases[i].text, strlen(cases[i].text), cases[i].msg);
	assert_int_equal(guest_script_parse("t.vgs", ok, strlen(ok), &s, &err),
			 0);
	assert_int_equal(s->stmts[1].u.wait.timeout_ms, GUEST_MAX_TIMEOUT_MS);
	guest_script_destroy(s);
}

/* A FIFO given as a script or an include blocked forever in open(2); a
 * directory is refused the same way. */
static void test_scenario_limits_not_regular(void **state)
{
	char dir[] = "/tmp/vgs-fifo-XXXXXX", *fifo, *top, *msg, *err = NULL;
	struct guest_script *s = NULL;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_true(asprintf(&fifo, "%s/pipe.vgs", dir) > 0);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(guest_script_load(fifo, &s, &err), -EINVAL);
	assert_true(asprintf(&msg, "%s: cannot read: not a regular file",
			     fifo) > 0);
	assert_string_equal(err, msg);
	free(msg);
	free(err);
	top = write_file(dir, "top.vgs", "open gpu\ninclude pipe.vgs\n");
	assert_int_equal(guest_script_load(top, &s, &err), -EINVAL);
	assert_true(asprintf(&msg, "%s:2:9: error: expected a readable file "
			     "(%s: not a regular file), got 'pipe.vgs'", top,
			     fifo) > 0);
	assert_string_equal(err, msg);
	free(msg);
	free(err);
	assert_int_equal(guest_script_load(dir, &s, &err), -EINVAL);
	free(err);
	unlink(top);
	unlink(fifo);
	rmdir(dir);
	free(top);
	free(fifo);
}

/* Each ```vgs block keeps its line numbers by padding: 10,000 blocks one
 * after the other would take 150 MB; the blocks are bounded instead. */
static void test_scenario_limits_markdown(void **state)
{
	char dir[] = "/tmp/vgs-md-XXXXXX", *path, **texts, **names;
	unsigned *lines;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_true(asprintf(&path, "%s/many.md", dir) > 0);
	f = fopen(path, "w");
	assert_non_null(f);
	for (int i = 0; i < 10000; i++)
		fputs("```vgs\nopen g\n```\n", f);
	fclose(f);
	assert_int_equal(guest_markdown_blocks(path, &texts, &names, &lines),
			 -E2BIG);
	unlink(path);
	rmdir(dir);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scenario_limits_arithmetic),
		cmocka_unit_test(test_scenario_limits_expr_depth),
		cmocka_unit_test(test_scenario_limits_repeat_depth),
		cmocka_unit_test(test_scenario_limits_steps),
		cmocka_unit_test(test_scenario_limits_include_fanout),
		cmocka_unit_test(test_scenario_limits_variables),
		cmocka_unit_test(test_scenario_limits_statement_text),
		cmocka_unit_test(test_scenario_limits_many_per_line),
		cmocka_unit_test(test_scenario_limits_markdown),
		cmocka_unit_test(test_scenario_limits_timeouts),
		cmocka_unit_test(test_scenario_limits_not_regular),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
