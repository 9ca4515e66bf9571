/* SPDX-License-Identifier: MIT */
/*
 * What the fuzz targets share (docs/reliability.md): the libFuzzer entry
 * points every target defines, a reader that decodes an input as a stream
 * of little-endian fields (running dry gives zeros, so every input is a
 * valid program), and the input formats the seed generator writes.
 *
 * Each target is built twice from the same source: with libFuzzer
 * (-Dfuzzing=true, clang, ASan+UBSan; the fuzz-TARGET binaries) and with
 * tests/fuzz/replay.c's main, which runs given files through the same
 * entry points (fuzz-replay-TARGET, a meson test over the regression
 * inputs in tests/fuzz-regressions/TARGET/).
 */
#ifndef TESTS_FUZZ_H
#define TESTS_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Tear down what LLVMFuzzerInitialize made; the replay driver calls it
 * before exiting so that valgrind and LeakSanitizer see a clean process
 * (libFuzzer never does). */
void fuzz_target_fini(void);

/* An input being decoded. */
struct fuzz_in {
	const uint8_t *p;
	size_t left;
};

static inline bool fuzz_more(const struct fuzz_in *in)
{
	return in->left > 0;
}

/* Copy up to @n bytes; the rest of @dst is zeroed.  Returns the number
 * copied. */
static inline size_t fuzz_bytes(struct fuzz_in *in, void *dst, size_t n)
{
	size_t k = n < in->left ? n : in->left;

	memcpy(dst, in->p, k);
	memset((uint8_t *)dst + k, 0, n - k);
	in->p += k;
	in->left -= k;
	return k;
}

static inline uint8_t fuzz_u8(struct fuzz_in *in)
{
	uint8_t v;

	fuzz_bytes(in, &v, 1);
	return v;
}

static inline uint16_t fuzz_u16(struct fuzz_in *in)
{
	uint8_t b[2];

	fuzz_bytes(in, b, 2);
	return (uint16_t)(b[0] | b[1] << 8);
}

static inline uint32_t fuzz_u32(struct fuzz_in *in)
{
	uint8_t b[4];

	fuzz_bytes(in, b, 4);
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	       (uint32_t)b[3] << 24;
}

static inline uint64_t fuzz_u64(struct fuzz_in *in)
{
	uint64_t lo = fuzz_u32(in);

	return lo | (uint64_t)fuzz_u32(in) << 32;
}

/*
 * The device target's input (fuzz_device.c): a sequence of operations,
 * each one opcode byte followed by its fields.
 */
enum fuzz_dev_op {
	/* u16 cmd_len, u16 resp_len, cmd_len bytes: one chain
	 * [command | response] on the controlq, answered before the next
	 * operation (mem entries of ATTACH_BACKING / CREATE_BLOB that point
	 * into guest RAM are moved into the scratch area). */
	FUZZ_DEV_CTRL = 0,
	/* the same on the cursorq */
	FUZZ_DEV_CURSOR = 1,
	/* u8 n (1..16), then n times (u8 queue, u16 cmd_len, u16 resp_len,
	 * bytes): queued together, one kick, all answered (fences of
	 * several commands in flight) */
	FUZZ_DEV_BATCH = 2,
	/* u16 offset, u16 len, bytes: write into the scratch area */
	FUZZ_DEV_SCRATCH = 3,
	/* u8 queue, u8 first slot, u8 head, u8 n (1..8), then n times
	 * (u8 where, u32 offset, u32 len, u16 flags, u16 next): raw
	 * descriptors (sim_vqd_add_raw); where selects the address: scratch
	 * + offset, 0, the end of RAM - offset, or offset << 32 */
	FUZZ_DEV_RAW = 4,
	/* u8 feature bits: reset the device and negotiate them again */
	FUZZ_DEV_RESET = 5,
	FUZZ_DEV_NOPS
};

/*
 * The ioctl target's input (fuzz_ioctl.c): u8 number of files (1..3),
 * then a sequence of operations.  Pointer fields of the argument structs
 * are pointer selectors (the low 3 bits pick NULL, a place in the input's
 * data buffer, the end of that buffer next to a guard page, the guard
 * page, a kernel address or a low address); fd fields are fd selectors.
 */
enum fuzz_km_op {
	/* u8 file, u8 ioctl (see fuzz_ioctl.c: a table index or a raw nr),
	 * u16 size (0: the struct's own size), u8 arg (0: the struct; else a
	 * pointer selector for the argument itself), then the struct (up to
	 * 128 bytes) */
	FUZZ_KM_IOCTL = 0,
	/* u16 data offset, u16 len, bytes: write into the data buffer */
	FUZZ_KM_DATA = 1,
	/* u8 file, u8 which MAP offset, u32 len: km_mmap */
	FUZZ_KM_MMAP = 2,
	/* u8 file, u8 which mapping: km_munmap */
	FUZZ_KM_MUNMAP = 3,
	/* u8 file, u16 len: km_read (never blocking) */
	FUZZ_KM_READ = 4,
	/* u8 request (MERGE, FILE_INFO, other), u32 fd selector, then the
	 * struct (64 bytes): km_sync_ioctl */
	FUZZ_KM_SYNC = 5,
	/* u8 which fd: close it */
	FUZZ_KM_CLOSE_FD = 6,
	/* u8 file: km_close it (with whatever is in flight) and open again */
	FUZZ_KM_REOPEN = 7,
	FUZZ_KM_NOPS
};

/* The ioctl table of fuzz_ioctl.c, in the order of its indexes. */
#define FUZZ_KM_IOCTLS(X)                                       \
	X(VIRTGPU_MAP) X(VIRTGPU_EXECBUFFER) X(VIRTGPU_GETPARAM)   \
	X(VIRTGPU_RESOURCE_CREATE) X(VIRTGPU_RESOURCE_INFO)        \
	X(VIRTGPU_TRANSFER_FROM_HOST) X(VIRTGPU_TRANSFER_TO_HOST)  \
	X(VIRTGPU_WAIT) X(VIRTGPU_GET_CAPS)                        \
	X(VIRTGPU_RESOURCE_CREATE_BLOB) X(VIRTGPU_CONTEXT_INIT)    \
	X(VERSION) X(GET_CAP) X(GEM_CLOSE) X(GEM_FLINK) X(GEM_OPEN) \
	X(PRIME_HANDLE_TO_FD) X(PRIME_FD_TO_HANDLE)

enum fuzz_km_ioctl {
#define FUZZ_KM_ENUM(n) FUZZ_KM_##n,
	FUZZ_KM_IOCTLS(FUZZ_KM_ENUM)
#undef FUZZ_KM_ENUM
	FUZZ_KM_NIOCTLS
};

/* Pointer selectors (low 3 bits of a pointer field). */
enum fuzz_ptr_kind {
	FUZZ_PTR_NULL = 0,
	FUZZ_PTR_DATA = 1,	/* data + (value >> 3) % size; also 2, 3 */
	FUZZ_PTR_DATA_END = 4,	/* the last (value >> 3) % 64 bytes */
	FUZZ_PTR_GUARD = 5,	/* inside the PROT_NONE page after data */
	FUZZ_PTR_KERNEL = 6,	/* a kernel-half address */
	FUZZ_PTR_LOW = 7,	/* below 64 KiB: never mapped */
};
#define FUZZ_PTR(kind, offset) (((uint64_t)(offset) << 3) | (kind))

#endif
