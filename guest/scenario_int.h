/* SPDX-License-Identifier: MIT */
/*
 * Scenario internals shared by the lexer, parser and runner: tokens, the
 * parsed statement tree, the ioctl and virgl descriptor tables, and the
 * runner's named objects.  Prototypes are grouped by the file that
 * defines them.
 */
#ifndef GUEST_SCENARIO_INT_H
#define GUEST_SCENARIO_INT_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "guest/scenario.h"
#include "guest/symtab.h"
#include "guest/virgl_enc.h"

struct km_file;

/* ---- tokens ---- */

enum guest_tok_kind {
	GUEST_TOK_EOL,
	GUEST_TOK_WORD,		/* names, numbers, symbolic constants */
	GUEST_TOK_STRING,	/* "..." */
	GUEST_TOK_ASSIGN,	/* = */
	GUEST_TOK_EQ,		/* == */
	GUEST_TOK_NE,		/* != */
	GUEST_TOK_LT,
	GUEST_TOK_LE,
	GUEST_TOK_GT,
	GUEST_TOK_GE,
	GUEST_TOK_COMMA,
	GUEST_TOK_PIPE,		/* | */
	GUEST_TOK_AMP,		/* & */
	GUEST_TOK_LBRACKET,
	GUEST_TOK_RBRACKET,
	GUEST_TOK_ARROW,	/* -> */
};

struct guest_tok {
	enum guest_tok_kind kind;
	unsigned col;		/* 1-based */
	const char *text;	/* into the line; not NUL-terminated */
	size_t len;
	char *str;		/* STRING: the unescaped value (owned) */
};

struct guest_lex_error {
	unsigned col;
	const char *expected;
	const char *got;	/* into the line */
	size_t got_len;
};

/* ---- values, fields, arguments ---- */

enum guest_val_kind {
	GUEST_VAL_INT,
	GUEST_VAL_FLOAT,
	GUEST_VAL_NAME,		/* a named object, resolved when run */
	GUEST_VAL_STRING,
};

struct guest_value {
	enum guest_val_kind kind;
	uint64_t u;		/* INT (negative numbers in two's complement) */
	double f;		/* FLOAT */
	char *s;		/* NAME, STRING (owned) */
};

enum guest_ftype {
	GUEST_FT_NUM,		/* integer; symbolic names from syms */
	GUEST_FT_HANDLE,	/* u32: number, or a bo name -> GEM handle */
	GUEST_FT_RES,		/* u32: number, or a bo name -> res_handle */
	GUEST_FT_FENCE,		/* s32: number, or a fence name -> its fd */
	GUEST_FT_PTR,		/* u64 user pointer the runner provides;
				 * a number overrides it (raw) */
	GUEST_FT_STREAM,	/* u64 user pointer: number, or a stream */
	GUEST_FT_HANDLES,	/* list of handles -> pointer to u32[] */
	GUEST_FT_BOX,		/* 6 x u32 */
	GUEST_FT_FLOATS,	/* `count` floats */
	GUEST_FT_DOUBLE,
	GUEST_FT_U32S,		/* 1..count numbers; how many -> count_offset */
	GUEST_FT_DWORDS,	/* any number of u32 (raw stream words) */
	GUEST_FT_CTX_PARAM,	/* one CONTEXT_INIT parameter */
};

#define GUEST_FF_FLAGS (1u << 0)	/* NAME|NAME|... allowed */
#define GUEST_FF_SIGNED (1u << 1)	/* negative numbers allowed */
#define GUEST_FF_REQUIRED (1u << 2)
#define GUEST_FF_REPEAT (1u << 3)	/* may be given more than once */
#define GUEST_FF_DEREF (1u << 4)	/* in expect: the int it points to */
#define GUEST_FF_DEFAULT (1u << 5)	/* `def` applies when not given */
#define GUEST_FF_POSITIONAL (1u << 6)	/* written without "name=" */

struct guest_field {
	const char *name;
	const char *alias;	/* a second accepted name, or NULL */
	enum guest_ftype type;
	uint16_t offset;	/* in the ioctl / encoder argument struct */
	uint8_t size;		/* storage bytes of one element */
	uint8_t count;		/* FLOATS, U32S: elements; BOX: 6 */
	uint16_t count_offset;	/* U32S: u32 receiving the element count */
	uint32_t flags;		/* GUEST_FF_* */
	uint64_t def;
	const struct guest_symtab *syms;
	uint64_t param;		/* CTX_PARAM: VIRTGPU_CONTEXT_PARAM_*, 0 for
				 * the generic param=ID,VALUE */
};

struct guest_arg {
	const struct guest_field *field;
	struct guest_value *vals;
	unsigned nvals;
	unsigned col;		/* of the field name */
	char *text;		/* the value as written, for messages */
};

struct guest_args {
	struct guest_arg *v;
	unsigned n;
};

enum guest_cmp {
	GUEST_CMP_EQ,
	GUEST_CMP_NE,
	GUEST_CMP_LT,
	GUEST_CMP_LE,
	GUEST_CMP_GT,
	GUEST_CMP_GE,
};

struct guest_cond {
	const struct guest_field *field;	/* NULL for memory checks */
	bool has_mask;
	uint64_t mask;
	enum guest_cmp cmp;
	uint64_t value;
	char *text;		/* "res_handle != 0", for messages */
};

/* ---- descriptor tables (scenario_ioctl.c, scenario_vops.c) ---- */

struct guest_run;
struct guest_call;

enum guest_bind {
	GUEST_BIND_NONE,
	GUEST_BIND_BO,
	GUEST_BIND_BUFFER,
	GUEST_BIND_MAPPING,
	GUEST_BIND_FENCE,
};

struct guest_ioctl {
	const char *name;	/* "GETPARAM", as in DRM_IOCTL_VIRTGPU_* */
	unsigned long request;
	unsigned size;
	const struct guest_field *fields;
	unsigned nfields;
	enum guest_bind bind;	/* what "-> NAME" names */
	/* Parse-time check of the whole argument list; NULL or returns
	 * the offending argument and sets *expected. */
	const struct guest_arg *(*check)(const struct guest_args *args,
					 const char **expected);
	/* Fill what the script left to the runner (pointers, sizes). */
	int (*prepare)(struct guest_run *r, struct guest_call *c);
	/* After the ioctl: bind "-> NAME", release what is not bound. */
	int (*finish)(struct guest_run *r, struct guest_call *c);
};

enum guest_vop_kind {
	GUEST_VOP_BEGIN,
	GUEST_VOP_CREATE_SUB_CTX,
	GUEST_VOP_SET_SUB_CTX,
	GUEST_VOP_DESTROY_SUB_CTX,
	GUEST_VOP_CREATE_SURFACE,
	GUEST_VOP_SET_FRAMEBUFFER_STATE,
	GUEST_VOP_CLEAR,
	GUEST_VOP_PIPE_RESOURCE_CREATE,
	GUEST_VOP_DWORDS,
};

struct guest_vop {
	const char *name;
	enum guest_vop_kind kind;
	const struct guest_field *fields;
	unsigned nfields;
};

/* ---- statements ---- */

enum guest_stmt_kind {
	GUEST_STMT_REQUIRE_CAPSET,
	GUEST_STMT_REQUIRE_PARAM,
	GUEST_STMT_OPEN,
	GUEST_STMT_CLOSE,
	GUEST_STMT_UNMAP,
	GUEST_STMT_IOCTL,
	GUEST_STMT_VIRGL,
	GUEST_STMT_WAIT_FENCE,
	GUEST_STMT_EXPECT_MEM,
	GUEST_STMT_EXPECT_PIXELS,
	GUEST_STMT_FILL,
};

struct guest_ioctl_stmt {
	char *file;
	const struct guest_ioctl *ioctl;
	struct guest_args args;
	char *bind;		/* "-> NAME", or NULL */
	int expect_errno;	/* positive errno; 0: must succeed */
	struct guest_cond *conds;
	unsigned nconds;
};

struct guest_virgl_stmt {
	char *stream;
	const struct guest_vop *op;
	struct guest_args args;
};

struct guest_wait_stmt {
	char *fence;
	uint64_t timeout_ms;
	bool expect_timeout;
};

struct guest_mem_stmt {
	char *buf;
	unsigned width;		/* 1, 2, 4, 8 bytes */
	uint64_t index;		/* in elements of `width` */
	struct guest_cond cond;
};

/* expect pixels / fill */
struct guest_pixels_stmt {
	char *target;		/* a mapping, or a bo with a mapping */
	bool has_rect;
	uint32_t rect[4];	/* x, y, w, h */
	bool has_stride;
	uint32_t stride;
	uint32_t value;		/* 0xAARRGGBB as the u32 in memory */
	uint32_t tolerance;	/* per 8-bit channel */
};

struct guest_stmt {
	enum guest_stmt_kind kind;
	unsigned line;
	char *text;		/* the statement as written */
	union {
		uint64_t require;	/* capset id or param */
		char *name;		/* open, close, unmap */
		struct guest_ioctl_stmt ioctl;
		struct guest_virgl_stmt virgl;
		struct guest_wait_stmt wait;
		struct guest_mem_stmt mem;
		struct guest_pixels_stmt pixels;
	} u;
};

struct guest_script {
	char *path;
	struct guest_stmt *stmts;
	unsigned n;
};

/* ---- the runner's named objects ---- */

enum guest_obj_kind {
	GUEST_OBJ_FILE,
	GUEST_OBJ_BO,
	GUEST_OBJ_BUFFER,
	GUEST_OBJ_MAPPING,
	GUEST_OBJ_STREAM,
	GUEST_OBJ_FENCE,
};

struct guest_obj {
	struct guest_obj *next;	/* newest first */
	enum guest_obj_kind kind;
	char *name;
	unsigned line;		/* statement that made it */
	bool dead;		/* closed / unmapped; name kept for messages */
	union {
		struct km_file *file;
		struct {
			struct guest_obj *file;
			uint32_t handle;
			uint32_t res_handle;
			uint64_t size;
			uint32_t width, height, stride, bpp;
			struct guest_obj *map;
		} bo;
		struct {
			uint8_t *data;
			size_t size;
		} buf;
		struct {
			struct guest_obj *file;
			struct guest_obj *bo;
			uint8_t *addr;
			size_t len;
		} map;
		struct guest_virgl_stream stream;
		int fence_fd;
	} u;
};

struct guest_run {
	const struct guest_script *script;
	const struct guest_stmt *st;	/* the statement being run */
	struct km_device *dev;
	struct guest_obj *objs;
	FILE *trace;
	char *msg;		/* failure message or skip reason */
	bool skip;
};

/* One ioctl being run. */
#define GUEST_CALL_MAX_TMP 4
struct guest_call {
	const struct guest_ioctl_stmt *is;
	struct guest_obj *file;
	union {
		uint8_t bytes[64];
		uint64_t align;
	} arg;
	uint64_t given;			/* bit i: fields[i] set by the script */
	void *tmp[GUEST_CALL_MAX_TMP];	/* freed after the call */
	unsigned ntmp;
	struct guest_obj *handle_bo;	/* bo named by a HANDLE field */
	struct guest_obj *stream;	/* stream named by a STREAM field */
	uint32_t *handles;		/* HANDLES list (in tmp) */
	unsigned nhandles;
	uint8_t *caps;			/* GET_CAPS buffer the runner made */
	size_t caps_len;
	uint32_t param[2];		/* GETPARAM value and a canary */
	bool param_default;
	int ret;			/* km_ioctl result */
};

/* Host-order access to a 1/2/4/8-byte unsigned field at any alignment. */
static inline void guest__store(void *p, unsigned size, uint64_t v)
{
	uint8_t u8 = (uint8_t)v;
	uint16_t u16 = (uint16_t)v;
	uint32_t u32 = (uint32_t)v;

	if (size == 1)
		memcpy(p, &u8, 1);
	else if (size == 2)
		memcpy(p, &u16, 2);
	else if (size == 4)
		memcpy(p, &u32, 4);
	else
		memcpy(p, &v, 8);
}

static inline uint64_t guest__load(const void *p, unsigned size)
{
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;

	if (size == 1) {
		memcpy(&u8, p, 1);
		return u8;
	}
	if (size == 2) {
		memcpy(&u16, p, 2);
		return u16;
	}
	if (size == 4) {
		memcpy(&u32, p, 4);
		return u32;
	}
	memcpy(&u64, p, 8);
	return u64;
}

/* The statement stopped the script; r->msg says why. */
#define GUEST_STOP (-ECANCELED)

/* scenario_lex.c */
int guest__lex_line(const char *line, size_t len, struct guest_tok **out,
		    unsigned *n, struct guest_lex_error *err);
void guest__toks_free(struct guest_tok *toks, unsigned n);
int guest__parse_number(const char *text, size_t len, uint64_t *out);
int guest__parse_float(const char *text, size_t len, double *out);

/* scenario_syms.c */
extern const struct guest_symtab guest__params;
extern const struct guest_symtab guest__capsets;
extern const struct guest_symtab guest__execbuf_flags;
extern const struct guest_symtab guest__wait_flags;
extern const struct guest_symtab guest__blob_mems;
extern const struct guest_symtab guest__blob_flags;
extern const struct guest_symtab guest__ctx_params;
extern const struct guest_symtab guest__errnos;
/* "EINVAL", or "errno 123" in @buf. */
const char *guest__errno_name(int err, char *buf, size_t len);

/* scenario_ioctl.c */
const struct guest_ioctl *guest__ioctl_find(const char *name, size_t len);
const struct guest_field *guest__field_find(const struct guest_field *fields,
					    unsigned n, const char *name,
					    size_t len);

/* scenario_call.c */
int guest__run_ioctl(struct guest_run *r, const struct guest_ioctl_stmt *is);
/* Free @p after the call; on NULL @p reports out of memory. */
int guest__call_keep(struct guest_run *r, struct guest_call *c, void *p);
void guest__format_value(uint64_t v, bool is_signed, char *buf, size_t len);

/* scenario_vops.c */
const struct guest_vop *guest__vop_find(const char *name, size_t len);
int guest__run_virgl(struct guest_run *r, const struct guest_virgl_stmt *vs);
int guest__write_field(struct guest_run *r, const struct guest_field *f,
		       const struct guest_arg *a, void *base,
		       struct guest_call *c);

/* ---- parser state (one line at a time) ---- */

struct guest_parser {
	const char *path;
	unsigned line;
	struct guest_tok *toks;
	unsigned n;
	unsigned pos;
	char *err;		/* the first error, malloc'd */
};

/* scenario_parse.c */
void guest__stmt_fini(struct guest_stmt *st);

/* scenario_pargs.c */
/* Record "path:line:col: error: expected <expected>, got '<tok>'";
 * returns -EINVAL (or -ENOMEM). */
int guest__perr(struct guest_parser *p, const struct guest_tok *t,
		const char *expected_fmt, ...)
	__attribute__((format(printf, 3, 4)));
const struct guest_tok *guest__cur(const struct guest_parser *p);
bool guest__tok_is(const struct guest_tok *t, const char *word);
bool guest__tok_is_ident(const struct guest_tok *t);
int guest__take_ident(struct guest_parser *p, const char *expected,
		      char **out);
int guest__take_number(struct guest_parser *p, const char *expected,
		       uint64_t max, uint64_t *out);
/* key=value arguments until a token that is not "WORD =" (and for
 * positional fields, the leading values); checks required fields. */
int guest__parse_args(struct guest_parser *p, const char *owner,
		      const struct guest_field *fields, unsigned nfields,
		      struct guest_args *args);
void guest__args_fini(struct guest_args *args);
/* [& MASK] OP VALUE, with the value read through @f's symbols. */
int guest__parse_cmp(struct guest_parser *p, const struct guest_field *f,
		     const char *lhs, struct guest_cond *c);
int guest__parse_ioctl_expect(struct guest_parser *p,
			      struct guest_ioctl_stmt *is);

/* scenario_check.c */
bool guest__cmp(enum guest_cmp cmp, uint64_t a, uint64_t b, bool is_signed);
const char *guest__cmp_text(enum guest_cmp cmp);
int guest__run_expect_mem(struct guest_run *r, const struct guest_mem_stmt *m);
int guest__run_pixels(struct guest_run *r, const struct guest_pixels_stmt *p,
		      bool fill);
int guest__run_wait_fence(struct guest_run *r, const struct guest_wait_stmt *w);

/* scenario_run.c */
int guest__fail(struct guest_run *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int guest__oom(struct guest_run *r);	/* GUEST_STOP, or -ENOMEM */
const char *guest__stmt_label(const struct guest_stmt *st, char *buf,
			      size_t len);
struct guest_obj *guest__obj_find(struct guest_run *r, const char *name);
int guest__obj_get(struct guest_run *r, const char *name,
		   enum guest_obj_kind kind, bool live, struct guest_obj **out);
int guest__obj_new(struct guest_run *r, const char *name,
		   enum guest_obj_kind kind, struct guest_obj **out);
void guest__mapping_release(struct guest_obj *m);
const char *guest__obj_kind_name(enum guest_obj_kind kind);

#endif
