/* SPDX-License-Identifier: MIT */
/*
 * host/ private header for the VMM personalities (host/personality.c):
 * the failures whose answer the virtio spec leaves open, the answers a
 * personality can give, and the driver rules the spec states (the
 * conformance report).  docs/device-answers.md has one row per failure,
 * with the sources the answers come from.
 *
 * Spec references are to virtio 1.4, section 5.7 "GPU Device"
 * (oasis-tcs/virtio-spec, device-types/gpu/description.tex).
 */
#ifndef HOST_PERSONALITY_H
#define HOST_PERSONALITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct host_cmd;
struct host_device;
struct virtio_gpu_ctrl_hdr;

/*
 * The failures a personality answers its own way: X(ID, section, what),
 * ID being the row of docs/device-answers.md.  5.7.6.7 "Request header":
 * on error the device returns "one of the VIRTIO_GPU_RESP_ERR_* error
 * codes"; no row's code is fixed by the spec.
 */
#define HOST_ROWS(X)                                                        \
	X(D2, "5.7.6.7", "command shorter than its struct")                 \
	X(D3, "5.7.2", "command on the other queue")                        \
	X(D4, "5.7.6.7", "hdr.flags with undefined bits")                   \
	X(D5, "5.7.6.7", "response buffer smaller than the response")       \
	X(D6, "5.7.6.8", "GET_CAPSET response buffer smaller than the "     \
			 "capset")                                          \
	X(F0, "5.7.3", "command whose feature was offered, not negotiated") \
	X(F1, "5.7.3", "GET_CAPSET_INFO/GET_CAPSET, VIRGL never offered")  \
	X(F2, "5.7.3", "3D command, VIRGL never offered")                   \
	X(F3, "5.7.3", "GET_EDID, EDID never offered")                      \
	X(F4, "5.7.3", "RESOURCE_CREATE_BLOB, RESOURCE_BLOB never offered") \
	X(F5, "5.7.3", "SET_SCANOUT_BLOB, RESOURCE_BLOB never offered")     \
	X(F6, "5.7.3", "MAP/UNMAP_BLOB, RESOURCE_BLOB never offered")       \
	X(F7, "5.7.3", "RESOURCE_ASSIGN_UUID, RESOURCE_UUID never offered") \
	X(F8, "5.7.6.7", "FLAG_INFO_RING_IDX without CONTEXT_INIT")         \
	X(R1, "5.7.6.8", "new resource with resource_id 0")                 \
	X(R2, "5.7.6.8", "new resource_id already in use")                  \
	X(R5T, "5.7.6.8", "TRANSFER_* of an unknown resource")              \
	X(R5B, "5.7.6.8", "ATTACH/DETACH_BACKING of an unknown resource")   \
	X(R5L, "5.7.6.8", "RESOURCE_FLUSH of an unknown resource")          \
	X(C1, "5.7.6.8", "RESOURCE_CREATE_2D format not in the enum")       \
	X(C2, "5.7.6.8", "RESOURCE_CREATE_2D width or height 0")            \
	X(B1, "5.7.6.8", "ATTACH_BACKING with nr_entries 0")                \
	X(B3, "5.7.6.8", "mem entries: count, chain or address unusable")   \
	X(B5, "5.7.6.8", "mem entry with length 0")                         \
	X(B7, "5.7.6.8", "ATTACH_BACKING on a resource with backing")       \
	X(B8, "5.7.6.8", "ATTACH_BACKING on a HOST3D blob")                 \
	X(B9, "5.7.6.8", "DETACH_BACKING of a resource without backing")    \
	X(T1, "5.7.6.8", "TRANSFER_TO_HOST_2D rect outside the resource")   \
	X(T2, "5.7.6.8", "TRANSFER_TO_HOST_2D without backing")             \
	X(T3, "5.7.6.8", "TRANSFER_TO_HOST_2D reads past the backing")      \
	X(T4, "5.7.6.8", "TRANSFER_TO_HOST_2D on a blob")                   \
	X(T5, "5.7.6.8", "TRANSFER_TO_HOST_2D the renderer refuses")        \
	X(L1, "5.7.6.8", "RESOURCE_FLUSH rect outside the resource")        \
	X(L2, "5.7.6.8", "RESOURCE_FLUSH of a blob touching no scanout")    \
	X(S3, "5.7.6.8", "SET_SCANOUT rect empty or outside the resource")  \
	X(S4, "5.7.6.8", "SET_SCANOUT of a 2D resource without backing")    \
	X(S5, "5.7.6.8", "SET_SCANOUT of a blob")                           \
	X(S6, "5.7.6.8", "SET_SCANOUT of a 3D resource not a 2D texture")   \
	X(S7, "5.7.6.8", "SET_SCANOUT_BLOB of a resource not a blob")       \
	X(S8, "5.7.6.8", "SET_SCANOUT_BLOB format not in the enum")         \
	X(S8X, "5.7.6.8", "SET_SCANOUT_BLOB format other than B8G8R8X8, "   \
			  "B8G8R8A8, R8G8B8A8")                             \
	X(S16, "5.7.6.8", "SET_SCANOUT rect narrower or lower than 16")    \
	X(S9, "5.7.6.8", "SET_SCANOUT_BLOB width or height below 16")      \
	X(S9S, "5.7.6.8", "SET_SCANOUT_BLOB rows longer than strides[0]")   \
	X(S10, "5.7.6.8", "SET_SCANOUT_BLOB rect outside the framebuffer")  \
	X(S11, "5.7.6.8", "SET_SCANOUT_BLOB framebuffer past the blob")     \
	X(S12, "5.7.6.8", "SET_SCANOUT_BLOB planes 1..3 of a 1-plane format") \
	X(E1, "5.7.6.8", "GET_EDID scanout_id not below num_scanouts")      \
	X(K0, "5.7.6.10", "cursorq command with a writable part")           \
	X(K1, "5.7.6.10", "UPDATE_CURSOR scanout_id past num_scanouts")      \
	X(K1M, "5.7.6.10", "MOVE_CURSOR scanout_id past num_scanouts")       \
	X(K2, "5.7.6.10", "UPDATE_CURSOR resource not 64x64, scanout shown")\
	X(K2N, "5.7.6.10", "UPDATE_CURSOR resource not 64x64, scanout off") \
	X(K3, "5.7.6.10", "UPDATE_CURSOR hot_x/hot_y outside 64x64")        \
	X(K4, "5.7.6.10", "UPDATE_CURSOR of an unknown resource")           \
	X(X1, "5.7.6.9", "CTX_CREATE with ctx_id 0")                        \
	X(X2, "5.7.6.9", "CTX_CREATE with a ctx_id in use")                 \
	X(X4, "5.7.6.9", "CTX_CREATE nlen above 64")                        \
	X(X5, "5.7.6.9", "CTX_CREATE context_init without CONTEXT_INIT")    \
	X(X6, "5.7.6.9", "CTX_CREATE context_init with undefined bits")     \
	X(X7, "5.7.6.9", "CTX_CREATE of a capset not offered")              \
	X(X9, "5.7.6.9", "unknown hdr.ctx_id (CTX_DESTROY, CTX_ATTACH/"     \
			 "DETACH_RESOURCE, SUBMIT_3D)")                     \
	X(X11, "5.7.6.9", "CTX_ATTACH/DETACH_RESOURCE of an unknown "       \
			  "resource")                                       \
	X(P1, "5.7.6.9", "SUBMIT_3D size > 0, nothing after the struct")    \
	X(P2, "5.7.6.9", "SUBMIT_3D size not a multiple of 4")              \
	X(P4, "5.7.6.9", "RESOURCE_CREATE_3D width, height or depth 0")     \
	X(P5, "5.7.6.9", "RESOURCE_CREATE_3D refused by the renderer")      \
	X(P6, "5.7.6.9", "TRANSFER_*_3D box outside the resource")          \
	X(P9, "5.7.6.9", "TRANSFER_*_3D of a resource without backing")     \
	X(P10, "5.7.6.9", "TRANSFER_*_3D offset outside the backing")       \
	X(P11, "5.7.6.9", "TRANSFER_*_3D refused by the renderer")          \
	X(P12, "5.7.6.9", "TRANSFER_*_3D hdr.ctx_id of an unknown context") \
	X(P13, "5.7.6.9", "SUBMIT_3D stream refused by the renderer")       \
	X(G1, "5.7.6.8", "GET_CAPSET_INFO capset_index not below "          \
			 "num_capsets")                                     \
	X(G2, "5.7.6.8", "GET_CAPSET of an unknown capset_id")              \
	X(G3, "5.7.6.8", "GET_CAPSET capset_version above the max")         \
	X(BL1, "5.7.6.8", "CREATE_BLOB blob_mem not GUEST, HOST3D or "      \
			  "HOST3D_GUEST")                                   \
	X(BL2, "5.7.6.8", "CREATE_BLOB blob_flags with undefined bits")     \
	X(BL3, "5.7.6.8", "CREATE_BLOB size 0")                             \
	X(BL5, "5.7.6.8", "CREATE_BLOB HOST3D* without VIRGL")              \
	X(BL6, "5.7.6.8", "CREATE_BLOB HOST3D* with an unknown hdr.ctx_id") \
	X(BL7, "5.7.6.8", "CREATE_BLOB HOST3D with nr_entries not 0")       \
	X(BL8, "5.7.6.8", "CREATE_BLOB GUEST with blob_id not 0")           \
	X(BL9, "5.7.6.8", "CREATE_BLOB mem entries hold less than size")    \
	X(BL10, "5.7.6.8", "CREATE_BLOB HOST3D* refused by the renderer")   \
	X(BL12, "5.7.6.8", "CREATE_BLOB GUEST with nr_entries 0")           \
	X(M1, "5.7.6.9", "RESOURCE_MAP_BLOB of a resource not a blob")      \
	X(M1M, "5.7.6.9", "RESOURCE_MAP_BLOB of a host blob without "       \
			  "USE_MAPPABLE")                                   \
	X(M2, "5.7.6.9", "RESOURCE_MAP_BLOB of a mapped blob")              \
	X(M4, "5.7.6.9", "RESOURCE_MAP_BLOB offset not page aligned or "    \
			 "past the region")                                 \
	X(M5, "5.7.6.9", "RESOURCE_MAP_BLOB over another mapping")          \
	X(M6, "5.7.6.9", "RESOURCE_MAP_BLOB of a GUEST blob")               \
	X(U1, "5.7.6.9", "RESOURCE_UNMAP_BLOB of a blob not mapped")        \
	X(A1, "5.7.6.8", "RESOURCE_ASSIGN_UUID of a blob without "          \
			 "USE_CROSS_DEVICE")

enum host_row {
#define HOST_ROW_ENUM(id, section, what) HOST_ROW_##id,
	HOST_ROWS(HOST_ROW_ENUM)
#undef HOST_ROW_ENUM
	HOST_ROW_COUNT
};

/* What a personality answers to a failure.  0 is "not written down": the
 * table must name an answer for every row (host__personality_check). */
enum host_answer {
	HOST_ANSWER_NONE,
	HOST_ANSWER_PASS,	/* not checked: the command carries on */
	HOST_ANSWER_OK,		/* OK_NODATA; the command does nothing */
	HOST_ANSWER_UNSPEC,	/* VIRTIO_GPU_RESP_ERR_* */
	HOST_ANSWER_OOM,
	HOST_ANSWER_SCANOUT,
	HOST_ANSWER_RES,
	HOST_ANSWER_CTX,
	HOST_ANSWER_PARAM,
	/* row-specific successes */
	HOST_ANSWER_ZEROS,	/* G1: OK_CAPSET_INFO, every field 0 */
	HOST_ANSWER_POISON,	/* G1: OK_CAPSET_INFO, capset_id 0xffffffff */
	HOST_ANSWER_EMPTY,	/* G2: OK_CAPSET, no data; E1: OK_EDID of a
				 * default display */
	/* how the response is written (D5, K0) */
	HOST_ANSWER_PARTIAL,	/* what fits; the used length says how much */
	HOST_ANSWER_DROP,	/* nothing written, used length 0 */
	HOST_ANSWER_IGNORE,	/* F8: the flag is dropped, a global fence */
};

/*
 * The driver rules of 5.7 (MUST, MUST NOT, SHOULD): X(ID, section,
 * level, rule text).  A command that breaks one is recorded for the
 * conformance report in every personality; `strict` also logs it.
 */
#define HOST_RULES(X)                                                       \
	X(EVENTS_READ, "5.7.4.1 Device configuration fields", "MUST",       \
	  "events_read signals pending events to the driver. The driver "   \
	  "MUST NOT write to this field.")                                  \
	X(CAPSET_INDEX, "5.7.6.8 Device Operation: controlq", "MUST",       \
	  "VIRTIO_GPU_CMD_GET_CAPSET_INFO Gets the information associated " \
	  "with a particular capset_index, which MUST less than "           \
	  "num_capsets defined in the device configuration.")               \
	X(BLOB_MEM, "5.7.6.8 Device Operation: controlq", "MUST",           \
	  "The memory properties of the blob resource MUST be described "   \
	  "by blob_mem, which MUST be non-zero.")                           \
	X(BLOB_FLAGS, "5.7.6.8 Device Operation: controlq", "MUST",         \
	  "The driver MUST inform the device if the blob resource is used " \
	  "for memory access, sharing between driver instances and/or "     \
	  "sharing with other devices. This is done via the blob_flags "    \
	  "field.")                                                         \
	X(SCANOUT_FORMAT, "5.7.6.8 Device Operation: controlq", "MUST",     \
	  "VIRTIO_GPU_CMD_SET_SCANOUT_BLOB ... The format MUST be one of "  \
	  "enum virtio_gpu_formats.")                                       \
	X(BLOB_SIZE_ALIGN, "5.7.6.8.1 Driver Requirements: Device "         \
	  "Operation: controlq", "MUST",                                    \
	  "If VIRTIO_GPU_F_BLOB_ALIGNMENT has been negotiated, in "         \
	  "VIRTIO_GPU_CMD_RESOURCE_CREATE_BLOB requests size MUST be "      \
	  "aligned to blob_alignment as defined in the device "             \
	  "configuration.")                                                 \
	X(MAP_TWICE, "5.7.6.9 Device Operation: controlq (3d)", "MUST",     \
	  "VIRTIO_GPU_CMD_RESOURCE_MAP_BLOB ... The driver MUST not map a " \
	  "blob resource that is already mapped.")                          \
	X(MAP_OFFSET_ALIGN, "5.7.6.9.1 Driver Requirements: Device "        \
	  "Operation: controlq (3d)", "MUST",                               \
	  "If VIRTIO_GPU_F_BLOB_ALIGNMENT has been negotiated, in "         \
	  "VIRTIO_GPU_CMD_RESOURCE_MAP_BLOB requests offset MUST be "       \
	  "aligned to blob_alignment as defined in the device "             \
	  "configuration.")

enum host_rule {
#define HOST_RULE_ENUM(id, section, level, text) HOST_RULE_##id,
	HOST_RULES(HOST_RULE_ENUM)
#undef HOST_RULE_ENUM
	HOST_RULE_COUNT
};

/* What the device keeps per rule for the report (viol_lock). */
struct host_violation_rec {
	uint64_t count;
	uint64_t first_cmd;		/* the command's number, from 1 */
	unsigned long guest_call;	/* the ioctl then running, or 0 */
	char command[32];
	char fields[160];
};

/* How a personality fills the header of an answer (row N6). */
enum host_resp_hdr {
	HOST_RESP_HDR_QEMU,	/* fenced: FLAG_FENCE, fence_id, ctx_id */
	HOST_RESP_HDR_CROSVM,	/* fenced: flags word, fence_id, ctx_id,
				 * ring_idx */
};

/* The personality's answer to @row for @cmd's device (which of the VMM's
 * devices answers depends on whether VIRGL was negotiated). */
enum host_answer host__answer(const struct host_cmd *cmd, enum host_row row);
/*
 * A failure of @row was found: log it (the caller's message names the
 * field; the line adds the personality, row and answer) and set
 * cmd->error to the personality's answer.  true: the command stops here
 * (an error, or OK with nothing done); false: this personality does not
 * check it (or answers with a row-specific success the caller gives)
 * and the handler carries on.
 */
bool host__fail(struct host_cmd *cmd, enum host_row row, const char *func,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));
#define HOST_FAIL(cmd, row, ...) \
	host__fail(cmd, HOST_ROW_##row, __func__, __VA_ARGS__)
/* The same, with the row chosen at run time. */
#define HOST_FAIL_ROW(cmd, row, ...) \
	host__fail(cmd, row, __func__, __VA_ARGS__)
/* @cmd (NULL: a config write) broke @rule; @fmt names the fields. */
void host__violation(struct host_device *dev, const struct host_cmd *cmd,
		     enum host_rule rule, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Fill @hdr's flags, fence_id, ctx_id, ring_idx and padding for @cmd's
 * answer as the personality does (row N6; type is the caller's). */
void host__resp_hdr(const struct host_cmd *cmd,
		    struct virtio_gpu_ctrl_hdr *hdr);
/* @cmd, fenced, failed or answered with data: is it answered now, with
 * no fence, rather than when the fences before it have signalled (N4)? */
bool host__fenced_answer_at_once(const struct host_cmd *cmd);
/* host/personality_cmd.c: rows that shape more than an answer code. */
struct virtio_gpu_ctrl_hdr;
/* Write the response as the personality does (D5, K0); the used length. */
uint32_t host__write_reply(struct host_cmd *cmd,
			   const struct virtio_gpu_ctrl_hdr *hdr,
			   const void *resp, size_t len);
/* @missing features were never offered (F1-F7); true: @cmd stops. */
bool host__never_offered(struct host_cmd *cmd, const char *cmd_name,
			 uint64_t missing);
/* The row for an unknown resource_id in @cmd, HOST_ROW_COUNT if none. */
enum host_row host__unknown_resource_row(const struct host_cmd *cmd);

/* Queue sizes and config policy of the device's personality. */
uint16_t host__queue_size(const struct host_device *dev, unsigned queue);
/* crosvm (2023-08 to 2026-07) offers bit 5 as its own FENCE_PASSING: the
 * device then has no blob_alignment field and checks no alignment. */
bool host__bit5_is_blob_alignment(const struct host_device *dev);
uint32_t host__config_num_scanouts(const struct host_device *dev);
/* The renderer's resource flags of a RESOURCE_CREATE_2D with VIRGL
 * (row P7): Y_0_TOP in QEMU, 0 in crosvm. */
uint32_t host__create_2d_flags(const struct host_device *dev);

#endif
