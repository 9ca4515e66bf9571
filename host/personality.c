// SPDX-License-Identifier: MIT
/*
 * The VMM personalities (issue 18): one table that says, per VMM whose
 * virtio-gpu device the model answers as, the features it offers and can
 * offer, its queue sizes and config fields, and for every failure where
 * the virtio spec leaves the answer open (host/personality.h, HOST_ROWS)
 * what that VMM's device answers.  The checks stay single code paths in
 * the cmd_*.c files; each looks its answer up here (HOST_FAIL).
 *
 * The answers and their source lines are in docs/device-answers.md
 * (QEMU master of 2026-02-13; crosvm f1e797a6 with rutabaga_gfx 0.1.80,
 * and crosvm 2023-08..2026-07 for feature bit 5).  QEMU's 2D device
 * (hw/display/virtio-gpu.c) and its virgl device (virtio-gpu-virgl.c)
 * check differently; crosvm's 2D mode (Rutabaga2D) and virglrenderer
 * mode likewise: column [0] answers when VIRGL was not negotiated, [1]
 * when it was.  `strict` answers as qemu and logs every driver rule
 * broken (HOST_RULES); every personality records them for the report.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "host/internal.h"
#include "host/personality.h"
#include "sim/transport.h"

#define F(bit) (1ull << (bit))
#define F_VIRGL F(VIRTIO_GPU_F_VIRGL)
#define F_EDID F(VIRTIO_GPU_F_EDID)
#define F_UUID F(VIRTIO_GPU_F_RESOURCE_UUID)
#define F_BLOB F(VIRTIO_GPU_F_RESOURCE_BLOB)
#define F_CTX_INIT F(VIRTIO_GPU_F_CONTEXT_INIT)
#define F_BIT5 F(SIM_GPU_F_BLOB_ALIGNMENT)

struct host_personality {
	const char *name;
	const char *models;		/* for info and the docs */
	uint64_t features[2];		/* offered by default: [virgl] */
	uint64_t offerable;		/* what --features may ask for */
	uint16_t ctrlq[2], cursorq;	/* queue sizes: [virgl] */
	bool all_scanouts;		/* config num_scanouts is always 16 */
	uint64_t hostmem;		/* host-visible region by default */
	bool bit5_fence_passing;	/* bit 5 is crosvm's FENCE_PASSING */
	bool log_rules;			/* log each broken driver rule */
	enum host_resp_hdr resp_hdr;	/* answer header fields (row N6) */
	bool fence_nodata_only;	/* row N4 */
	uint32_t create_2d_flags;	/* row P7: renderer resource flags */
	uint8_t answer[2][HOST_ROW_COUNT];	/* enum host_answer */
};

/* QEMU's answers: [0] the 2D device, [1] the virgl device. */
#define QEMU_ANSWERS {                                                  \
	[0] = {                                                         \
		[HOST_ROW_D2] = HOST_ANSWER_OK,                         \
		[HOST_ROW_D3] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_D4] = HOST_ANSWER_PASS,                       \
		[HOST_ROW_D5] = HOST_ANSWER_PARTIAL,                    \
		[HOST_ROW_D6] = HOST_ANSWER_PASS,                       \
		[HOST_ROW_F0] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_F1] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_F2] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_F3] = HOST_ANSWER_PASS,                       \
		[HOST_ROW_F4] = HOST_ANSWER_PARAM,                      \
		[HOST_ROW_F5] = HOST_ANSWER_PARAM,                      \
		[HOST_ROW_F6] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_F7] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_F8] = HOST_ANSWER_IGNORE,                       \
		[HOST_ROW_R1] = HOST_ANSWER_RES,                        \
		[HOST_ROW_R2] = HOST_ANSWER_RES,                        \
		[HOST_ROW_R5T] = HOST_ANSWER_RES,                       \
		[HOST_ROW_R5B] = HOST_ANSWER_RES,                       \
		[HOST_ROW_R5L] = HOST_ANSWER_RES,                       \
		[HOST_ROW_C1] = HOST_ANSWER_PARAM,                      \
		[HOST_ROW_C2] = HOST_ANSWER_OOM,                        \
		[HOST_ROW_B1] = HOST_ANSWER_OK,                         \
		[HOST_ROW_B3] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_B5] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_B7] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_B8] = HOST_ANSWER_OK,                         \
		[HOST_ROW_B9] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_T1] = HOST_ANSWER_PARAM,                      \
		[HOST_ROW_T2] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_T3] = HOST_ANSWER_PASS,                       \
		[HOST_ROW_T4] = HOST_ANSWER_OK,                         \
		[HOST_ROW_T5] = HOST_ANSWER_OK,                         \
		[HOST_ROW_L1] = HOST_ANSWER_PARAM,                      \
		[HOST_ROW_L2] = HOST_ANSWER_PARAM,                      \
		[HOST_ROW_S3] = HOST_ANSWER_PARAM,                      \
		[HOST_ROW_S4] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_S5] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_S6] = HOST_ANSWER_OK,                         \
		[HOST_ROW_S7] = HOST_ANSWER_PARAM,                      \
		[HOST_ROW_S8] = HOST_ANSWER_PARAM,                      \
		[HOST_ROW_S8X] = HOST_ANSWER_PASS,                      \
		[HOST_ROW_S16] = HOST_ANSWER_PARAM,                     \
		[HOST_ROW_S9] = HOST_ANSWER_PARAM,                      \
		[HOST_ROW_S9S] = HOST_ANSWER_PASS,                      \
		[HOST_ROW_S10] = HOST_ANSWER_PARAM,                     \
		[HOST_ROW_S11] = HOST_ANSWER_PARAM,                     \
		[HOST_ROW_S12] = HOST_ANSWER_PASS,                      \
		[HOST_ROW_E1] = HOST_ANSWER_PARAM,                      \
		[HOST_ROW_K0] = HOST_ANSWER_DROP,                       \
		[HOST_ROW_K1] = HOST_ANSWER_OK,                         \
		[HOST_ROW_K1M] = HOST_ANSWER_OK,                        \
		[HOST_ROW_K2] = HOST_ANSWER_OK,                         \
		[HOST_ROW_K2N] = HOST_ANSWER_OK,                        \
		[HOST_ROW_K3] = HOST_ANSWER_PASS,                       \
		[HOST_ROW_K4] = HOST_ANSWER_OK,                         \
		[HOST_ROW_X1] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_X2] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_X4] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_X5] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_X6] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_X7] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_X9] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_X11] = HOST_ANSWER_UNSPEC,                    \
		[HOST_ROW_P1] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_P2] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_P4] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_P5] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_P6] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_P9] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_P10] = HOST_ANSWER_UNSPEC,                    \
		[HOST_ROW_P11] = HOST_ANSWER_UNSPEC,                    \
		[HOST_ROW_P12] = HOST_ANSWER_UNSPEC,                    \
		[HOST_ROW_P13] = HOST_ANSWER_UNSPEC,                    \
		[HOST_ROW_G1] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_G2] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_G3] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_BL1] = HOST_ANSWER_PARAM,                     \
		[HOST_ROW_BL2] = HOST_ANSWER_PASS,                      \
		[HOST_ROW_BL3] = HOST_ANSWER_PARAM,                     \
		[HOST_ROW_BL5] = HOST_ANSWER_PARAM,                     \
		[HOST_ROW_BL6] = HOST_ANSWER_UNSPEC,                    \
		[HOST_ROW_BL7] = HOST_ANSWER_PASS,                      \
		[HOST_ROW_BL8] = HOST_ANSWER_PASS,                      \
		[HOST_ROW_BL9] = HOST_ANSWER_PARAM,                     \
		[HOST_ROW_BL10] = HOST_ANSWER_UNSPEC,                   \
		[HOST_ROW_BL12] = HOST_ANSWER_PASS,                     \
		[HOST_ROW_M1] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_M1M] = HOST_ANSWER_UNSPEC,                    \
		[HOST_ROW_M2] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_M4] = HOST_ANSWER_PARAM,                      \
		[HOST_ROW_M5] = HOST_ANSWER_PARAM,                      \
		[HOST_ROW_M6] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_U1] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_A1] = HOST_ANSWER_UNSPEC,                     \
	},                                                              \
	[1] = {                                                         \
		[HOST_ROW_D2] = HOST_ANSWER_OK,                         \
		[HOST_ROW_D3] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_D4] = HOST_ANSWER_PASS,                       \
		[HOST_ROW_D5] = HOST_ANSWER_PARTIAL,                    \
		[HOST_ROW_D6] = HOST_ANSWER_PASS,                       \
		[HOST_ROW_F0] = HOST_ANSWER_PASS,                       \
		[HOST_ROW_F1] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_F2] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_F3] = HOST_ANSWER_PASS,                       \
		[HOST_ROW_F4] = HOST_ANSWER_PARAM,                      \
		[HOST_ROW_F5] = HOST_ANSWER_PASS,                       \
		[HOST_ROW_F6] = HOST_ANSWER_PASS,                       \
		[HOST_ROW_F7] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_F8] = HOST_ANSWER_PASS,                       \
		[HOST_ROW_R1] = HOST_ANSWER_RES,                        \
		[HOST_ROW_R2] = HOST_ANSWER_RES,                        \
		[HOST_ROW_R5T] = HOST_ANSWER_OK,                        \
		[HOST_ROW_R5B] = HOST_ANSWER_OK,                        \
		[HOST_ROW_R5L] = HOST_ANSWER_OK,                        \
		[HOST_ROW_C1] = HOST_ANSWER_OK,                         \
		[HOST_ROW_C2] = HOST_ANSWER_OK,                         \
		[HOST_ROW_B1] = HOST_ANSWER_OK,                         \
		[HOST_ROW_B3] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_B5] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_B7] = HOST_ANSWER_OK,                         \
		[HOST_ROW_B8] = HOST_ANSWER_OK,                         \
		[HOST_ROW_B9] = HOST_ANSWER_OK,                         \
		[HOST_ROW_T1] = HOST_ANSWER_OK,                         \
		[HOST_ROW_T2] = HOST_ANSWER_OK,                         \
		[HOST_ROW_T3] = HOST_ANSWER_PASS,                       \
		[HOST_ROW_T4] = HOST_ANSWER_OK,                         \
		[HOST_ROW_T5] = HOST_ANSWER_OK,                         \
		[HOST_ROW_L1] = HOST_ANSWER_OK,                         \
		[HOST_ROW_L2] = HOST_ANSWER_OK,                         \
		[HOST_ROW_S3] = HOST_ANSWER_OK,                         \
		[HOST_ROW_S4] = HOST_ANSWER_PASS,                       \
		[HOST_ROW_S5] = HOST_ANSWER_PARAM,                      \
		[HOST_ROW_S6] = HOST_ANSWER_OK,                         \
		[HOST_ROW_S7] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_S8] = HOST_ANSWER_PARAM,                      \
		[HOST_ROW_S8X] = HOST_ANSWER_PASS,                      \
		[HOST_ROW_S16] = HOST_ANSWER_PASS,                      \
		[HOST_ROW_S9] = HOST_ANSWER_PARAM,                      \
		[HOST_ROW_S9S] = HOST_ANSWER_PASS,                      \
		[HOST_ROW_S10] = HOST_ANSWER_PARAM,                     \
		[HOST_ROW_S11] = HOST_ANSWER_PARAM,                     \
		[HOST_ROW_S12] = HOST_ANSWER_PASS,                      \
		[HOST_ROW_E1] = HOST_ANSWER_PARAM,                      \
		[HOST_ROW_K0] = HOST_ANSWER_DROP,                       \
		[HOST_ROW_K1] = HOST_ANSWER_OK,                         \
		[HOST_ROW_K1M] = HOST_ANSWER_OK,                        \
		[HOST_ROW_K2] = HOST_ANSWER_OK,                         \
		[HOST_ROW_K2N] = HOST_ANSWER_OK,                        \
		[HOST_ROW_K3] = HOST_ANSWER_PASS,                       \
		[HOST_ROW_K4] = HOST_ANSWER_OK,                         \
		[HOST_ROW_X1] = HOST_ANSWER_OK,                         \
		[HOST_ROW_X2] = HOST_ANSWER_OK,                         \
		[HOST_ROW_X4] = HOST_ANSWER_PASS,                       \
		[HOST_ROW_X5] = HOST_ANSWER_PASS,                       \
		[HOST_ROW_X6] = HOST_ANSWER_OK,                         \
		[HOST_ROW_X7] = HOST_ANSWER_OK,                         \
		[HOST_ROW_X9] = HOST_ANSWER_OK,                         \
		[HOST_ROW_X11] = HOST_ANSWER_OK,                        \
		[HOST_ROW_P1] = HOST_ANSWER_PARAM,                      \
		[HOST_ROW_P2] = HOST_ANSWER_PASS,                       \
		[HOST_ROW_P4] = HOST_ANSWER_PASS,                       \
		[HOST_ROW_P5] = HOST_ANSWER_OK,                         \
		[HOST_ROW_P6] = HOST_ANSWER_PASS,                       \
		[HOST_ROW_P9] = HOST_ANSWER_PASS,                       \
		[HOST_ROW_P10] = HOST_ANSWER_PASS,                      \
		[HOST_ROW_P11] = HOST_ANSWER_OK,                        \
		[HOST_ROW_P12] = HOST_ANSWER_OK,                        \
		[HOST_ROW_P13] = HOST_ANSWER_OK,                        \
		[HOST_ROW_G1] = HOST_ANSWER_ZEROS,                      \
		[HOST_ROW_G2] = HOST_ANSWER_PARAM,                      \
		[HOST_ROW_G3] = HOST_ANSWER_PASS,                       \
		[HOST_ROW_BL1] = HOST_ANSWER_UNSPEC,                    \
		[HOST_ROW_BL2] = HOST_ANSWER_PASS,                      \
		[HOST_ROW_BL3] = HOST_ANSWER_UNSPEC,                    \
		[HOST_ROW_BL5] = HOST_ANSWER_PARAM,                     \
		[HOST_ROW_BL6] = HOST_ANSWER_UNSPEC,                    \
		[HOST_ROW_BL7] = HOST_ANSWER_PASS,                      \
		[HOST_ROW_BL8] = HOST_ANSWER_PASS,                      \
		[HOST_ROW_BL9] = HOST_ANSWER_UNSPEC,                    \
		[HOST_ROW_BL10] = HOST_ANSWER_UNSPEC,                   \
		[HOST_ROW_BL12] = HOST_ANSWER_UNSPEC,                   \
		[HOST_ROW_M1] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_M1M] = HOST_ANSWER_PASS,                      \
		[HOST_ROW_M2] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_M4] = HOST_ANSWER_PARAM,                      \
		[HOST_ROW_M5] = HOST_ANSWER_PARAM,                      \
		[HOST_ROW_M6] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_U1] = HOST_ANSWER_OK,                         \
		[HOST_ROW_A1] = HOST_ANSWER_UNSPEC,                     \
	},                                                              \
}

/* crosvm: rutabaga's errors all become ERR_UNSPEC (proto.rs:968); only
 * checks in crosvm's own virtio_gpu.rs give other codes.  @v: 0 the 2D
 * mode (Rutabaga2D), 1 the virglrenderer mode. */
#define CROSVM_ANSWERS_ONE(v)                                          \
	{                                                               \
		[HOST_ROW_D2] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_D3] = HOST_ANSWER_PASS,                       \
		[HOST_ROW_D4] = HOST_ANSWER_PASS,                       \
		[HOST_ROW_D5] = HOST_ANSWER_DROP,                       \
		[HOST_ROW_D6] = HOST_ANSWER_PASS,                       \
		[HOST_ROW_F0] = HOST_ANSWER_PASS,                       \
		[HOST_ROW_F1] = HOST_ANSWER_PASS,                       \
		[HOST_ROW_F2] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_F3] = HOST_ANSWER_PASS,                       \
		[HOST_ROW_F4] = HOST_ANSWER_PASS,                       \
		[HOST_ROW_F5] = HOST_ANSWER_PASS,                       \
		[HOST_ROW_F6] = HOST_ANSWER_PASS,                       \
		[HOST_ROW_F7] = HOST_ANSWER_PASS,                       \
		[HOST_ROW_F8] = HOST_ANSWER_PASS,                       \
		[HOST_ROW_R1] = (v) ? HOST_ANSWER_UNSPEC : HOST_ANSWER_OK, \
		[HOST_ROW_R2] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_R5T] = HOST_ANSWER_UNSPEC,                    \
		[HOST_ROW_R5B] = HOST_ANSWER_RES,                       \
		[HOST_ROW_R5L] = HOST_ANSWER_RES,                       \
		[HOST_ROW_C1] = (v) ? HOST_ANSWER_UNSPEC : HOST_ANSWER_OK, \
		[HOST_ROW_C2] = (v) ? HOST_ANSWER_UNSPEC : HOST_ANSWER_OK, \
		[HOST_ROW_B1] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_B3] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_B5] = HOST_ANSWER_PASS,                       \
		[HOST_ROW_B7] = (v) ? HOST_ANSWER_UNSPEC : HOST_ANSWER_OK, \
		[HOST_ROW_B8] = HOST_ANSWER_OK,                         \
		[HOST_ROW_B9] = HOST_ANSWER_OK,                         \
		[HOST_ROW_T1] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_T2] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_T3] = HOST_ANSWER_PASS,                       \
		[HOST_ROW_T4] = HOST_ANSWER_OK,                         \
		[HOST_ROW_T5] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_L1] = HOST_ANSWER_OK,                         \
		[HOST_ROW_L2] = HOST_ANSWER_OK,                         \
		[HOST_ROW_S3] = HOST_ANSWER_OK,                         \
		[HOST_ROW_S4] = HOST_ANSWER_PASS,                       \
		[HOST_ROW_S5] = HOST_ANSWER_OK,                         \
		[HOST_ROW_S6] = HOST_ANSWER_OK,                         \
		[HOST_ROW_S7] = HOST_ANSWER_OK,                         \
		[HOST_ROW_S8] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_S8X] = HOST_ANSWER_UNSPEC,                    \
		[HOST_ROW_S16] = HOST_ANSWER_PASS,                      \
		[HOST_ROW_S9] = HOST_ANSWER_PASS,                       \
		[HOST_ROW_S9S] = HOST_ANSWER_PASS,                      \
		[HOST_ROW_S10] = HOST_ANSWER_OK,                        \
		[HOST_ROW_S11] = HOST_ANSWER_OK,                        \
		[HOST_ROW_S12] = HOST_ANSWER_PASS,                      \
		[HOST_ROW_E1] = HOST_ANSWER_EMPTY,                      \
		[HOST_ROW_K0] = HOST_ANSWER_PASS,                       \
		[HOST_ROW_K1] = HOST_ANSWER_SCANOUT,                    \
		[HOST_ROW_K1M] = HOST_ANSWER_OK,                        \
		[HOST_ROW_K2] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_K2N] = HOST_ANSWER_OK,                        \
		[HOST_ROW_K3] = HOST_ANSWER_PASS,                       \
		[HOST_ROW_K4] = HOST_ANSWER_RES,                        \
		[HOST_ROW_X1] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_X2] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_X4] = HOST_ANSWER_PASS,                       \
		[HOST_ROW_X5] = HOST_ANSWER_PASS,                       \
		[HOST_ROW_X6] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_X7] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_X9] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_X11] = HOST_ANSWER_UNSPEC,                    \
		[HOST_ROW_P1] = HOST_ANSWER_OK,                         \
		[HOST_ROW_P2] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_P4] = HOST_ANSWER_PASS,                       \
		[HOST_ROW_P5] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_P6] = HOST_ANSWER_PASS,                       \
		[HOST_ROW_P9] = HOST_ANSWER_PASS,                       \
		[HOST_ROW_P10] = HOST_ANSWER_PASS,                      \
		[HOST_ROW_P11] = HOST_ANSWER_UNSPEC,                    \
		[HOST_ROW_P12] = HOST_ANSWER_UNSPEC,                    \
		[HOST_ROW_P13] = HOST_ANSWER_UNSPEC,                    \
		[HOST_ROW_G1] = HOST_ANSWER_POISON,                     \
		[HOST_ROW_G2] = HOST_ANSWER_EMPTY,                      \
		[HOST_ROW_G3] = HOST_ANSWER_PASS,                       \
		[HOST_ROW_BL1] = HOST_ANSWER_UNSPEC,                    \
		[HOST_ROW_BL2] = HOST_ANSWER_PASS,                      \
		[HOST_ROW_BL3] = HOST_ANSWER_UNSPEC,                    \
		[HOST_ROW_BL5] = HOST_ANSWER_UNSPEC,                    \
		[HOST_ROW_BL6] = HOST_ANSWER_UNSPEC,                    \
		[HOST_ROW_BL7] = HOST_ANSWER_PASS,                      \
		[HOST_ROW_BL8] = HOST_ANSWER_PASS,                      \
		[HOST_ROW_BL9] = HOST_ANSWER_UNSPEC,                    \
		[HOST_ROW_BL10] = HOST_ANSWER_UNSPEC,                   \
		[HOST_ROW_BL12] = (v) ? HOST_ANSWER_UNSPEC : HOST_ANSWER_PASS, \
		[HOST_ROW_M1] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_M1M] = HOST_ANSWER_PASS,                      \
		[HOST_ROW_M2] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_M4] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_M5] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_M6] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_U1] = HOST_ANSWER_UNSPEC,                     \
		[HOST_ROW_A1] = HOST_ANSWER_PASS,                       \
	}

static const struct host_personality personalities[] = {
	[HOST_VMM_QEMU] = {
		.name = "qemu",
		.models = "QEMU virtio-gpu-device (2D) / virtio-gpu-gl-device "
			  "(virgl), master 2026-02-13",
		/* vb.c:246 EDID on by default; vgl.c:121 VIRGL and
		 * CONTEXT_INIT always on the virgl device. */
		.features = { F_EDID, F_VIRGL | F_EDID | F_CTX_INIT },
		/* blob=on adds RESOURCE_BLOB; never UUID or bit 5. */
		.offerable = F_VIRGL | F_EDID | F_BLOB | F_CTX_INIT,
		.ctrlq = { 64, 256 }, .cursorq = 16,	/* vb.c:181 */
		.resp_hdr = HOST_RESP_HDR_QEMU,		/* v.c:167 */
		.fence_nodata_only = true,		/* vv.c:875 tail */
		/* vv.c:240 virgl_cmd_create_resource_2d */
		.create_2d_flags = VIRTIO_GPU_RESOURCE_FLAG_Y_0_TOP,
		.answer = QEMU_ANSWERS,
	},
	[HOST_VMM_CROSVM] = {
		.name = "crosvm",
		.models = "crosvm f1e797a6 + rutabaga_gfx 0.1.80; bit 5 as "
			  "crosvm 2023-08..2026-07 offered it",
		/* mod.rs:1799-1807: EDID and RESOURCE_BLOB always; VIRGL,
		 * RESOURCE_UUID, CONTEXT_INIT with a 3D mode; bit 5
		 * FENCE_PASSING with a 3D mode from 222ca694 (2023-08)
		 * until 04a98483 (2026-07). */
		.features = { F_EDID | F_BLOB,
			      F_EDID | F_BLOB | F_VIRGL | F_UUID | F_CTX_INIT |
				      F_BIT5 },
		.offerable = F_EDID | F_BLOB | F_VIRGL | F_UUID | F_CTX_INIT |
			     F_BIT5,
		.ctrlq = { 512, 512 }, .cursorq = 16,	/* mod.rs:99 */
		.all_scanouts = true,			/* mod.rs:1736 */
		/* get_shared_memory_region is always Some (mod.rs:1887),
		 * pci_bar_size 1 << 33 by default (parameters.rs:116). */
		.hostmem = 8ull << 30,
		.bit5_fence_passing = true,
		/* mod.rs:421: flags 0 (create_2d_flags) */
		.resp_hdr = HOST_RESP_HDR_CROSVM,	/* mod.rs:743 */
		.answer = {
			/* C2D replaces the backing (core.rs:814): the
			 * answer is OK; the model keeps the old one.
			 * BL12: Rutabaga2D keeps a guest blob without
			 * entries (r2d.rs:209), virglrenderer refuses it
			 * (vr.rs:839). */
			[0] = CROSVM_ANSWERS_ONE(0),
			[1] = CROSVM_ANSWERS_ONE(1),
		},
	},
	[HOST_VMM_STRICT] = {
		.name = "strict",
		.models = "QEMU's answers; every driver rule of virtio 1.4 "
			  "5.7 broken is logged",
		.features = { F_EDID, F_VIRGL | F_EDID | F_CTX_INIT },
		/* The spec's features, all of them. */
		.offerable = F_VIRGL | F_EDID | F_UUID | F_BLOB | F_CTX_INIT |
			     F_BIT5,
		.ctrlq = { 64, 256 }, .cursorq = 16,
		.log_rules = true,
		.resp_hdr = HOST_RESP_HDR_QEMU,
		.fence_nodata_only = true,
		.create_2d_flags = VIRTIO_GPU_RESOURCE_FLAG_Y_0_TOP,
		.answer = QEMU_ANSWERS,
	},
};
_Static_assert(sizeof(personalities) / sizeof(personalities[0]) == HOST_VMM_COUNT,
	       "one personality per enum host_vmm");

static const struct {
	const char *id, *section, *what;
} rows[HOST_ROW_COUNT] = {
#define ROW(id, section, what) [HOST_ROW_##id] = { #id, section, what },
	HOST_ROWS(ROW)
#undef ROW
};

static const struct {
	const char *id, *section, *level, *text;
} rules[HOST_RULE_COUNT] = {
#define RULE(id, section, level, text) \
	[HOST_RULE_##id] = { #id, section, level, text },
	HOST_RULES(RULE)
#undef RULE
};

static const char *const answer_names[] = {
	[HOST_ANSWER_NONE] = "?",
	[HOST_ANSWER_PASS] = "not checked",
	[HOST_ANSWER_OK] = "OK_NODATA, nothing done",
	[HOST_ANSWER_UNSPEC] = "ERR_UNSPEC",
	[HOST_ANSWER_OOM] = "ERR_OUT_OF_MEMORY",
	[HOST_ANSWER_SCANOUT] = "ERR_INVALID_SCANOUT_ID",
	[HOST_ANSWER_RES] = "ERR_INVALID_RESOURCE_ID",
	[HOST_ANSWER_CTX] = "ERR_INVALID_CONTEXT_ID",
	[HOST_ANSWER_PARAM] = "ERR_INVALID_PARAMETER",
	[HOST_ANSWER_ZEROS] = "OK_CAPSET_INFO of zeros",
	[HOST_ANSWER_POISON] = "OK_CAPSET_INFO with capset_id 0xffffffff",
	[HOST_ANSWER_EMPTY] = "OK_CAPSET without data (G2) or a default "
			      "display's OK_EDID (E1)",
	[HOST_ANSWER_PARTIAL] = "the part that fits written",
	[HOST_ANSWER_DROP] = "nothing written, used length 0",
	[HOST_ANSWER_IGNORE] = "flag ignored: a global fence",
};

static const uint32_t answer_codes[] = {
	[HOST_ANSWER_UNSPEC] = VIRTIO_GPU_RESP_ERR_UNSPEC,
	[HOST_ANSWER_OOM] = VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY,
	[HOST_ANSWER_SCANOUT] = VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID,
	[HOST_ANSWER_RES] = VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID,
	[HOST_ANSWER_CTX] = VIRTIO_GPU_RESP_ERR_INVALID_CONTEXT_ID,
	[HOST_ANSWER_PARAM] = VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER,
	[HOST_ANSWER_EMPTY] = 0,
};

static const struct host_personality *of(const struct host_device *dev)
{
	return &personalities[dev->opts.vmm];
}

/* --- public: what vmm/ needs before a device exists --- */

int host_vmm_find(const char *name, size_t len, enum host_vmm *out)
{
	for (unsigned i = 0; i < HOST_VMM_COUNT; i++)
		if (strlen(personalities[i].name) == len &&
		    strncmp(personalities[i].name, name, len) == 0) {
			*out = (enum host_vmm)i;
			return 0;
		}
	return -EINVAL;
}

const char *host_vmm_name(enum host_vmm vmm)
{
	return vmm < HOST_VMM_COUNT ? personalities[vmm].name : "?";
}

const char *host_vmm_models(enum host_vmm vmm)
{
	return vmm < HOST_VMM_COUNT ? personalities[vmm].models : "?";
}

uint64_t host_vmm_default_features(enum host_vmm vmm, bool virgl)
{
	return personalities[vmm].features[virgl];
}

uint64_t host_vmm_default_hostmem(enum host_vmm vmm)
{
	return personalities[vmm].hostmem;
}

uint64_t host_vmm_offerable_features(enum host_vmm vmm)
{
	return personalities[vmm].offerable;
}

void host_vmm_queue_sizes(enum host_vmm vmm, bool virgl, uint16_t *ctrlq,
			  uint16_t *cursorq)
{
	*ctrlq = personalities[vmm].ctrlq[virgl];
	*cursorq = personalities[vmm].cursorq;
}

int host_vmm_check_table(char *err, size_t errlen)
{
	for (unsigned p = 0; p < HOST_VMM_COUNT; p++)
		for (unsigned v = 0; v < 2; v++)
			for (unsigned r = 0; r < HOST_ROW_COUNT; r++)
				if (personalities[p].answer[v][r] ==
				    HOST_ANSWER_NONE) {
					snprintf(err, errlen, "%s[%u] has no "
						 "answer for row %s",
						 personalities[p].name, v,
						 rows[r].id);
					return -EINVAL;
				}
	return 0;
}

/* --- the device's side --- */

enum host_answer host__answer(const struct host_cmd *cmd, enum host_row row)
{
	bool virgl = host__feature(cmd->dev, VIRTIO_GPU_F_VIRGL);

	return (enum host_answer)of(cmd->dev)->answer[virgl][row];
}

bool host__fail(struct host_cmd *cmd, enum host_row row, const char *func,
		const char *fmt, ...)
{
	enum host_answer a = host__answer(cmd, row);
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sim_log_guest_error(HOST_LAYER, func, "%s [%s %s: %s]", msg,
			    of(cmd->dev)->name, rows[row].id, answer_names[a]);
	switch (a) {
	case HOST_ANSWER_PASS:
	case HOST_ANSWER_ZEROS:
	case HOST_ANSWER_POISON:
	case HOST_ANSWER_EMPTY:
	case HOST_ANSWER_PARTIAL:
	case HOST_ANSWER_DROP:
	case HOST_ANSWER_IGNORE:
		return false;
	case HOST_ANSWER_OK:
		cmd->error = 0;
		return true;
	case HOST_ANSWER_NONE:	/* host_vmm_check_table rules it out */
	case HOST_ANSWER_UNSPEC:
	case HOST_ANSWER_OOM:
	case HOST_ANSWER_SCANOUT:
	case HOST_ANSWER_RES:
	case HOST_ANSWER_CTX:
	case HOST_ANSWER_PARAM:
		break;
	}
	cmd->error = answer_codes[a] ? answer_codes[a]
				     : VIRTIO_GPU_RESP_ERR_UNSPEC;
	return true;
}

void host__violation(struct host_device *dev, const struct host_cmd *cmd,
		     enum host_rule rule, const char *fmt, ...)
{
	struct host_violation_rec *v = &dev->violations[rule];
	const char *command = cmd ? sim_gpu_cmd_name(cmd->hdr.type)
				  : "config write";
	char fields[sizeof(v->fields)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(fields, sizeof(fields), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&dev->viol_lock);
	if (v->count++ == 0) {
		v->first_cmd = cmd ? cmd->seq : 0;
		v->guest_call = sim_transport_guest_call(dev->transport);
		snprintf(v->command, sizeof(v->command), "%s", command);
		memcpy(v->fields, fields, sizeof(fields));
	}
	pthread_mutex_unlock(&dev->viol_lock);
	if (of(dev)->log_rules)
		SIM_GUEST_ERROR(HOST_LAYER, "[strict] %s: %s breaks virtio 1.4 "
				"%s (%s): \"%s\"", command, fields,
				rules[rule].section, rules[rule].level,
				rules[rule].text);
}

unsigned host_device_violations(struct host_device *dev,
				struct host_violation *out, unsigned max)
{
	unsigned n = 0;

	pthread_mutex_lock(&dev->viol_lock);
	for (unsigned r = 0; r < HOST_RULE_COUNT; r++) {
		const struct host_violation_rec *v = &dev->violations[r];
		if (!v->count)
			continue;
		if (n < max)
			out[n] = (struct host_violation){
				.rule = rules[r].id,
				.section = rules[r].section,
				.level = rules[r].level,
				.text = rules[r].text,
				.count = v->count,
				.first_cmd = v->first_cmd,
				.guest_call = v->guest_call,
			};
		if (n < max) {
			memcpy(out[n].command, v->command, sizeof(v->command));
			memcpy(out[n].fields, v->fields, sizeof(v->fields));
		}
		n++;
	}
	pthread_mutex_unlock(&dev->viol_lock);
	return n;
}

uint16_t host__queue_size(const struct host_device *dev, unsigned queue)
{
	bool virgl = dev->opts.features & F_VIRGL;

	return queue == HOST_CURSORQ ? of(dev)->cursorq
				     : of(dev)->ctrlq[virgl];
}

/*
 * Row N6.  5.7.6.7 "Request header", fence_id: with FLAG_FENCE in the
 * request "the device MUST: set VIRTIO_GPU_FLAG_FENCE bit in the
 * response, copy the content of the fence_id field from the request to
 * the response"; the rest of the header is the VMM's.  Every
 * personality keeps that, which is all Linux reads back
 * (virtio_gpu_dequeue_ctrl_func: FLAG_FENCE, then fence_id).
 * Both VMMs answer an unfenced command with zeros.  QEMU
 * (virtio_gpu_ctrl_response, hw/display/virtio-gpu.c:167-171, unchanged
 * in 10.2) sets FLAG_FENCE, fence_id and ctx_id, never ring_idx, even
 * for the ring fences of its virgl device (virtio-gpu-virgl.c:978,
 * since 10.1).  crosvm (devices/src/virtio/gpu/mod.rs:743-768) copies
 * the whole flags word, undefined bits included, fence_id, ctx_id and
 * ring_idx.  @cmd->hdr.flags is the request's word as read (F8's
 * IGNORE, qemu only, drops INFO_RING_IDX from it first).
 */
void host__resp_hdr(const struct host_cmd *cmd, struct virtio_gpu_ctrl_hdr *hdr)
{
	hdr->flags = 0;
	hdr->fence_id = 0;
	hdr->ctx_id = 0;
	hdr->ring_idx = 0;
	memset(hdr->padding, 0, sizeof(hdr->padding));
	if (!(cmd->hdr.flags & VIRTIO_GPU_FLAG_FENCE))
		return;
	hdr->fence_id = htole64(cmd->hdr.fence_id);
	hdr->ctx_id = htole32(cmd->hdr.ctx_id);
	switch (of(cmd->dev)->resp_hdr) {
	case HOST_RESP_HDR_QEMU:
		hdr->flags = htole32(VIRTIO_GPU_FLAG_FENCE);
		break;
	case HOST_RESP_HDR_CROSVM:
		hdr->flags = htole32(cmd->hdr.flags);
		hdr->ring_idx = (uint8_t)cmd->hdr.ring_idx;
		break;
	}
}

/*
 * Row N4.  5.7.6.5 "Command lifecycle and fencing" has a fenced command
 * answered once it is complete; the spec does not say whether the answer
 * of a command that failed, or that answers with data, still waits for
 * the fences before it.  QEMU's virgl device creates a fence only for a
 * command that succeeded without writing its own answer: an error is
 * answered at once (virtio_gpu_virgl_process_cmd, virtio-gpu-virgl.c:875
 * tail, "if (cmd->error) ... virtio_gpu_ctrl_response_nodata; return"
 * before virgl_renderer_create_fence), and so is an answer with data
 * (GET_CAPSET*, GET_DISPLAY_INFO, GET_EDID, MAP_BLOB: the handler calls
 * virtio_gpu_ctrl_response, which sets cmd->finished, and the function
 * returns first); its 2D device answers everything at once.  The answer
 * still carries FLAG_FENCE and the fence_id (N6), so Linux signals that
 * fence and every earlier one of its timeline
 * (virtio_gpu_fence_event_process) whether or not their work is done.
 * crosvm creates the fence whatever the command did and answers when it
 * signals (Frontend::process_descriptor, mod.rs:743-768).
 */
bool host__fenced_answer_at_once(const struct host_cmd *cmd)
{
	return (cmd->error || cmd->resp) && of(cmd->dev)->fence_nodata_only;
}

bool host__bit5_is_blob_alignment(const struct host_device *dev)
{
	return !of(dev)->bit5_fence_passing;
}

uint32_t host__config_num_scanouts(const struct host_device *dev)
{
	return of(dev)->all_scanouts ? VIRTIO_GPU_MAX_SCANOUTS
				     : dev->opts.num_scanouts;
}

uint32_t host__create_2d_flags(const struct host_device *dev)
{
	return of(dev)->create_2d_flags;
}
