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

#include "guest/scenario/scenario.h"
#include "guest/common/symtab.h"
#include "guest/virgl/virgl_enc.h"

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
	GUEST_FT_VALUE,		/* u32/u64: number, or a value name */
	GUEST_FT_FD,		/* s32: number, or a fence / dma-buf name */
	GUEST_FT_CHARS,		/* char[size] from a "string" */
	GUEST_FT_STRPTR,	/* char *: a runner buffer; length at
				 * count_offset (size_t) */
	GUEST_FT_HEX,		/* raw bytes from a "hex string" (pseudo) */
	GUEST_FT_ENTRIES,	/* virtio mem entries: ADDR,LEN,... */
	GUEST_FT_SYNCOBJ,	/* u32: number, or a syncobj name */
	GUEST_FT_SYNCOBJS,	/* list of syncobjs -> pointer to u32[] */
	GUEST_FT_U64S,		/* list of numbers -> pointer to u64[] */
	GUEST_FT_SYNCOBJ_ENTRIES, /* HANDLE,FLAGS,POINT,... -> pointer to
				   * drm_virtgpu_execbuffer_syncobj[] */
};

#define GUEST_FF_FLAGS (1u << 0)	/* NAME|NAME|... allowed */
#define GUEST_FF_SIGNED (1u << 1)	/* negative numbers allowed */
#define GUEST_FF_REQUIRED (1u << 2)
#define GUEST_FF_REPEAT (1u << 3)	/* may be given more than once */
#define GUEST_FF_DEREF (1u << 4)	/* in expect: the int it points to */
#define GUEST_FF_DEFAULT (1u << 5)	/* `def` applies when not given */
#define GUEST_FF_POSITIONAL (1u << 6)	/* written without "name=" */
#define GUEST_FF_PSEUDO (1u << 7)	/* not a struct field: runner option */
#define GUEST_FF_WRITTEN (1u << 8)	/* in a virtio expect: bytes written */

struct guest_field {
	const char *name;
	const char *alias;	/* a second accepted name, or NULL */
	enum guest_ftype type;
	uint16_t offset;	/* in the ioctl / encoder argument struct */
	uint16_t size;		/* storage bytes of one element */
	uint8_t count;		/* FLOATS, U32S: elements; BOX: 6 */
	uint16_t count_offset;	/* U32S: u32 receiving the element count */
	uint32_t flags;		/* GUEST_FF_* */
	uint64_t def;
	uint64_t max;		/* NUM: the largest value accepted (0: what
				 * the field's size holds) */
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
	char *str;		/* string conditions (CHARS, STRPTR) */
	char *text;		/* "res_handle != 0", for messages */
};

/* ---- descriptor tables (scenario_ioctl.c, scenario_virgl_ops.c) ---- */

struct guest_run;
struct guest_call;

enum guest_bind {
	GUEST_BIND_NONE,
	GUEST_BIND_BO,
	GUEST_BIND_BUFFER,
	GUEST_BIND_MAPPING,
	GUEST_BIND_FENCE,
	GUEST_BIND_VALUE,
	GUEST_BIND_DMABUF,
	GUEST_BIND_SYNCOBJ,
	GUEST_BIND_SYNCOBJ_FD,	/* or a fence (EXPORT_SYNC_FILE) */
};

struct guest_ioctl {
	const char *name;	/* sync_file's only: guest__ioctl_name */
	bool on_fence;		/* a sync_file ioctl: the target is a fence */
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
	GUEST_STMT_REQUIRE_FEATURE,
	GUEST_STMT_REQUIRE_STMT,	/* require STATEMENT */
	GUEST_STMT_OPEN_PRIMARY,
	GUEST_STMT_VIRTIO,
	GUEST_STMT_READ,
	GUEST_STMT_POLL,
	GUEST_STMT_EXPECT_STRING,
	GUEST_STMT_VENUS,
	GUEST_STMT_KERNEL,	/* kernel VERSIONS STATEMENT */
};

struct guest_ioctl_stmt {
	char *file;		/* a file, or a fence for sync_file ioctls */
	const struct guest_ioctl *ioctl;
	unsigned long request;	/* ioctl->request, or a raw number */
	struct guest_args args;
	char *bind;		/* "-> NAME", or NULL */
	int expect_errno;	/* positive errno; 0: must succeed */
	int expect_mmap_errno;	/* MAP -> NAME: the mmap's; 0: success */
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

/* virtio ctrl|cursor COMMAND ... */
struct guest_vcmd;
#define GUEST_VIRTIO_CONFIG 2u		/* "virtio config": no queue */
struct guest_virtio_stmt {
	unsigned queue;			/* 0 controlq, 1 cursorq, or CONFIG */
	const struct guest_vcmd *cmd;	/* NULL: raw="..." */
	struct guest_args args;
	char *bind;
	struct guest_cond *conds;
	unsigned nconds;
};

/* read FILE [size=N] [timeout_ms=N] [-> NAME] [expect ...] */
struct guest_read_stmt {
	char *file;
	uint64_t size;
	uint64_t timeout_ms;
	int expect_errno;
	bool has_events, has_type, has_bytes;
	uint64_t events, type, bytes;
	char *bind;
};

/* poll NAME [timeout_ms=N] [expect readable|timeout] */
struct guest_poll_stmt {
	char *target;
	uint64_t timeout_ms;
	bool expect_timeout;
};

/* venus FILE OP [field=value ...] [expect ...] (scenario_venus.c) */
struct guest_vn_op;
struct guest_venus_stmt {
	char *file;
	const struct guest_vn_op *op;
	struct guest_args args;
	struct guest_cond *conds;
	unsigned nconds;
	int expect_errno;
};

/* expect string BUF[OFFSET] ==|!= "text" */
struct guest_string_stmt {
	char *buf;
	uint64_t offset;
	bool equal;
	char *str;
};

struct guest_stmt {
	enum guest_stmt_kind kind;
	const char *path;	/* the file it was written in (interned) */
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
		struct guest_virtio_stmt virtio;
		struct guest_read_stmt read;
		struct guest_poll_stmt poll;
		struct guest_string_stmt string;
		struct guest_venus_stmt venus;
		struct guest_stmt *inner;	/* require STATEMENT */
		struct {
			uint64_t versions;	/* bit i: km_kversion_at(i) */
			struct guest_stmt *inner;
		} kernel;
	} u;
};

struct guest_script {
	char *path;
	struct guest_stmt *stmts;
	unsigned n;
	unsigned cap;		/* stmts allocated; grows by doubling */
	char **paths;		/* every file read (include), interned */
	unsigned npaths;
	struct guest_device_line device;
	char *device_text;	/* the "device" line, for --list */
	bool started;		/* a statement other than device was seen */
};

/* ---- the runner's named objects ---- */

enum guest_obj_kind {
	GUEST_OBJ_FILE,
	GUEST_OBJ_BO,
	GUEST_OBJ_BUFFER,
	GUEST_OBJ_MAPPING,
	GUEST_OBJ_STREAM,
	GUEST_OBJ_FENCE,
	GUEST_OBJ_VALUE,	/* a number an ioctl returned (flink name) */
	GUEST_OBJ_DMABUF,	/* a dma-buf fd (PRIME_HANDLE_TO_FD) */
	GUEST_OBJ_SYNCOBJ,	/* a syncobj handle of a file */
	GUEST_OBJ_SYNCOBJ_FD,	/* a syncobj fd (SYNCOBJ_HANDLE_TO_FD) */
};

struct guest_obj {
	struct guest_obj *next;	/* newest first */
	enum guest_obj_kind kind;
	char *name;
	unsigned line;		/* statement that made it */
	bool dead;		/* closed / unmapped; name kept for messages */
	struct guest_vn_session *vn;	/* FILE: its venus session, or NULL */
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
		struct {
			int fd;
			struct guest_obj *bo;	/* exported bo, or NULL */
		} dmabuf;
		uint64_t value;
		struct {
			struct guest_obj *file;
			uint32_t handle;
		} syncobj;
		int syncobj_fd;
	} u;
};

struct guest_run {
	const struct guest_script *script;
	const struct guest_stmt *st;	/* the statement being run */
	struct km_device *dev;
	struct guest_obj *objs;
	FILE *trace;
	uint64_t features;	/* VIRTIO_GPU_F_* the device offers */
	char *msg;		/* failure message or skip reason */
	bool skip;
};

/* One ioctl being run. */
#define GUEST_CALL_MAX_TMP 4
#define GUEST_CALL_ARG_MAX 4096	/* the largest ioctl_size a script may
				 * give (the kernel copies at most its own
				 * struct size) */
struct guest_call {
	const struct guest_ioctl_stmt *is;
	struct guest_obj *file;
	union {
		uint8_t bytes[GUEST_CALL_ARG_MAX];
		uint64_t align;
	} arg;
	size_t ioctl_size;		/* _IOC_SIZE of the request */
	bool raw;			/* raw= given: the runner fills nothing */
	char *strbuf[3];		/* runner buffers for STRPTR fields */
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

/*
 * Limits on what one script may make the interpreter do.  A script is
 * untrusted input (CI runs scripts from merge requests): each limit is
 * reported as "file:line:column: error: expected ..." where it is hit.
 * docs/reliability.md has the table; docs/scenarios.md the language.
 */
#define GUEST_MAX_EXPR_DEPTH 64		/* '(' and unary '-' in one $(...) */
#define GUEST_MAX_REPEAT_DEPTH 64	/* repeat blocks inside each other */
#define GUEST_MAX_INCLUDE_DEPTH 16	/* files including each other */
#define GUEST_MAX_REPEAT 100000		/* iterations of one repeat */
#define GUEST_MAX_STATEMENTS 200000	/* statements after unrolling */
#define GUEST_MAX_STEPS 1000000		/* lines handled + repeat iterations */
#define GUEST_MAX_INCLUDES 10000	/* include lines executed */
#define GUEST_MAX_READ_BYTES (64 << 20)	/* script + every include read */
#define GUEST_MAX_LINE_BYTES (1 << 20)	/* one line after substitution */
#define GUEST_MAX_TEXT_BYTES (16 << 20)	/* all statements after subst. */
#define GUEST_MAX_VARS 1024		/* distinct variable names */
#define GUEST_MAX_VAR_BYTES (16 << 20)	/* names + values of all variables */
#define GUEST_MAX_TIMEOUT_MS 600000	/* any timeout_ms= (10 minutes) */
#define GUEST_MAX_DEVICE_OPTS 64	/* KEY[=VALUE] on the device line */
#define GUEST_STR_(x) #x
#define GUEST_STR(x) GUEST_STR_(x)
#define GUEST_TIMEOUT_WHAT \
	"a timeout in milliseconds from 0 to " GUEST_STR(GUEST_MAX_TIMEOUT_MS)

/* scenario_source.c */
struct guest__src_line {
	const char *path;
	unsigned line;
	const char *text;	/* after substitution; no comment */
	const unsigned *cols;	/* original column of each character */
	size_t len;
	bool included;		/* from an included file */
};
typedef int (*guest__src_fn)(void *opaque, const struct guest__src_line *l);
int guest__src_expand(struct guest_script *script, const char *path,
		      const char *text, size_t len, guest__src_fn fn,
		      void *opaque, char **err);
/* A regular file only (-EINVAL for a FIFO, device or directory, checked
 * without blocking); guest__read_error gives the text for its errors. */
int guest__read_file(const char *path, char **out, size_t *len);
const char *guest__read_error(int err);

/* scenario_expr.c: $(EXPR) */
typedef const char *(*guest__var_fn)(void *ctx, const char *name,
				     size_t len);
struct guest__expr_error {
	size_t pos, len;	/* the offending text in the expression */
	const char *expected;
};
int guest__expr_eval(const char *s, size_t len, guest__var_fn lookup,
		     void *ctx, int64_t *v, struct guest__expr_error *err);

/* scenario_syms.c */
extern const struct guest_symtab guest__params;
extern const struct guest_symtab guest__capsets;
extern const struct guest_symtab guest__execbuf_flags;
extern const struct guest_symtab guest__wait_flags;
extern const struct guest_symtab guest__blob_mems;
extern const struct guest_symtab guest__blob_flags;
extern const struct guest_symtab guest__ctx_params;
extern const struct guest_symtab guest__errnos;
extern const struct guest_symtab guest__drm_caps;
extern const struct guest_symtab guest__prime_flags;
extern const struct guest_symtab guest__syncobj_create_flags;
extern const struct guest_symtab guest__syncobj_wait_flags;
extern const struct guest_symtab guest__syncobj_fd_flags;
extern const struct guest_symtab guest__syncobj_query_flags;
extern const struct guest_symtab guest__execbuf_syncobj_flags;
extern const struct guest_symtab guest__vcmds;
extern const struct guest_symtab guest__vconfig_events;
extern const struct guest_symtab guest__vresps;
extern const struct guest_symtab guest__vformats;
extern const struct guest_symtab guest__vflags;
extern const struct guest_symtab guest__vblob_mems;
extern const struct guest_symtab guest__vblob_flags;
extern const struct guest_symtab guest__event_types;
extern const struct guest_symtab guest__features;
/* "EINVAL", or "errno 123" in @buf. */
const char *guest__errno_name(int err, char *buf, size_t len);

/* scenario_ioctl.c */
const char *guest__ioctl_name(const struct guest_ioctl *d);
const char *guest__ioctl_names(char *buf, size_t len); /* for errors */
const struct guest_ioctl *guest__ioctl_find(const char *name, size_t len);
const struct guest_field *guest__field_find(const struct guest_field *fields,
					    unsigned n, const char *name,
					    size_t len);

/* scenario_drm.c: generic DRM and sync_file ioctls */
extern const struct guest_ioctl guest__drm_ioctls[];
extern const unsigned guest__ndrm_ioctls;
extern const struct guest_ioctl guest__raw_ioctl;
extern const struct guest_field guest__ioctl_pseudo[];
extern const unsigned guest__nioctl_pseudo;
/* A new object named by the call's "-> NAME"; NULL: no name, or the
 * call failed (*@ret says whether making it failed). */
struct guest_obj *guest__call_bind(struct guest_run *r, struct guest_call *c,
				   enum guest_obj_kind kind, int *ret);

/* scenario_syncobj.c: DRM_IOCTL_SYNCOBJ_* rows, syncobj field types */
extern const struct guest_ioctl guest__syncobj_ioctls[];
extern const unsigned guest__nsyncobj_ioctls;
int guest__write_syncobj_field(struct guest_run *r,
			       const struct guest_field *f,
			       const struct guest_arg *a, uint8_t *base,
			       struct guest_call *c);
/* EXECBUFFER's in/out_syncobjs: counts and syncobj_stride applied. */
int guest__syncobj_entries_prepare(struct guest_run *r, struct guest_call *c);

/* scenario_virtio.c */
struct guest_vresp {
	const char *name;
	uint32_t type;
	const struct guest_field *fields;	/* offsets in the response */
	unsigned nfields;
};
struct guest_vcmd {
	const char *name;
	uint32_t type;
	unsigned queue;
	unsigned size;				/* the command struct */
	const struct guest_field *fields;	/* offsets in the command */
	unsigned nfields;
	uint32_t ok;				/* the response on success */
	unsigned resp_size;			/* default response buffer */
};
const struct guest_vcmd *guest__vcmd_find(const char *name, size_t len);
const struct guest_vresp *guest__vresp_find(uint32_t type);
extern const struct guest_field guest__vconfig[];
extern const unsigned guest__nvconfig;
extern const struct guest_field guest__virtio_pseudo[];
extern const unsigned guest__nvirtio_pseudo;
extern const struct guest_field guest__vresp_hdr[];
extern const unsigned guest__nvresp_hdr;
int guest__run_virtio(struct guest_run *r, const struct guest_virtio_stmt *vs);

/* scenario_venus.c */
struct guest_parser;
int guest__parse_venus(struct guest_parser *p, struct guest_stmt *st);
int guest__run_venus(struct guest_run *r, const struct guest_venus_stmt *vs);
/* Ends a file's venus session (before the file closes). */
void guest__venus_release(struct guest_obj *file);
const char *guest__vn_op_name(const struct guest_vn_op *op);

/* scenario_events.c */
int guest__run_read(struct guest_run *r, const struct guest_read_stmt *rs);
int guest__run_poll(struct guest_run *r, const struct guest_poll_stmt *ps);

/* scenario_call.c */
int guest__run_ioctl(struct guest_run *r, const struct guest_ioctl_stmt *is);
/* Free @p after the call; on NULL @p reports out of memory. */
int guest__call_keep(struct guest_run *r, struct guest_call *c, void *p);
void guest__format_value(uint64_t v, bool is_signed, char *buf, size_t len);
/* Check one condition against @v (or @str for string conditions):
 * 0, or a failure naming it. */
int guest__check_cond(struct guest_run *r, const struct guest_cond *k,
		      uint64_t v, const char *str, size_t str_len);

/* scenario_virgl_ops.c */
const struct guest_vop *guest__vop_find(const char *name, size_t len);
int guest__run_virgl(struct guest_run *r, const struct guest_virgl_stmt *vs);
int guest__write_field(struct guest_run *r, const struct guest_field *f,
		       const struct guest_arg *a, void *base,
		       struct guest_call *c);
/* A number, or what a named object stands for in a field of @f's type. */
int guest__resolve_value(struct guest_run *r, const struct guest_field *f,
			 const struct guest_value *v, uint64_t *out);

/* ---- parser state (one line at a time) ---- */

struct guest_parser {
	const char *path;
	unsigned line;
	const unsigned *cols;	/* original columns, or NULL */
	struct guest_script *script;
	struct guest_tok *toks;
	unsigned n;
	unsigned pos;
	char *err;		/* the first error, malloc'd */
};

/* scenario_parse.c */
void guest__stmt_fini(struct guest_stmt *st);
int guest__script_intern_path(struct guest_script *s, const char *path,
			      const char **out);
int guest__parse_stmt(struct guest_parser *p, struct guest_stmt *st);
int guest__end_of_line(struct guest_parser *p, const char *expected);

/* scenario_parse_stmt.c: device, virtio, read, poll, expect string, prefix */
/* The statement that follows a prefix ("require", "kernel 6.1") on @st's
 * line, parsed into *@out (set before parsing, so @st's fini frees it). */
int guest__parse_inner(struct guest_parser *p, const struct guest_stmt *st,
		       struct guest_stmt **out);
int guest__parse_device(struct guest_parser *p, struct guest_script *s);
int guest__parse_virtio(struct guest_parser *p, struct guest_stmt *st);
int guest__parse_read(struct guest_parser *p, struct guest_stmt *st);

/* scenario_kernel.c: "kernel VERSIONS STATEMENT" */
int guest__parse_kernel(struct guest_parser *p, struct guest_stmt *st);
/* Whether the running kernel is one of @versions. */
bool guest__kernel_matches(struct guest_run *r, uint64_t versions);
int guest__parse_poll(struct guest_parser *p, struct guest_stmt *st);
int guest__parse_expect_string(struct guest_parser *p, struct guest_stmt *st);
int guest__parse_expect_mem(struct guest_parser *p, struct guest_stmt *st);
int guest__parse_pixels(struct guest_parser *p, struct guest_stmt *st,
			bool fill);
/* "expect" conditions of a virtio statement. */
int guest__parse_virtio_expect(struct guest_parser *p,
			       struct guest_virtio_stmt *vs);

/* scenario_parse_args.c */
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
		      const struct guest_field *extra, unsigned nextra,
		      struct guest_args *args);
const struct guest_arg *guest__find_arg(const struct guest_args *args,
					const char *name);
/* A number or symbol (NAME|NAME|... for flags), range-checked by @f. */
int guest__parse_num(struct guest_parser *p, const struct guest_field *f,
		     const struct guest_symtab *syms, struct guest_value *v);
/* "name, name, ..." of the fields a script may write. */
void guest__field_list(const struct guest_field *fields, unsigned n,
		       char *buf, size_t len);
/* A "hex string" token into bytes. */
int guest__parse_hex(struct guest_parser *p, const struct guest_tok *t,
		     uint8_t **out, size_t *len);
void guest__args_fini(struct guest_args *args);

/* scenario_parse_cond.c */
void guest__conds_free(struct guest_cond *conds, unsigned n);
/* FIELD [& MASK] OP VALUE, the field from @fields or @extra. */
int guest__parse_field_cond(struct guest_parser *p, const char *owner,
			    const struct guest_field *fields, unsigned n,
			    const struct guest_field *extra, unsigned nextra,
			    struct guest_cond **conds, unsigned *nconds);
/* errno=NAME (after "expect"); refused when the result is bound. */
int guest__parse_errno(struct guest_parser *p, const char *bind, int *out);
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
int guest__run_expect_string(struct guest_run *r,
			     const struct guest_string_stmt *ss);

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
