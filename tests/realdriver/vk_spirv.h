/* SPDX-License-Identifier: MIT */
/*
 * The shaders of vk_check.c's draw, as SPIR-V 1.0 words written by hand
 * (the assembly beside each instruction; SPIR-V spec 2.3 "Physical Layout
 * of a SPIR-V Module and Instruction": word 0 is word count << 16 | opcode).
 *
 * vs_spv: gl_Position from gl_VertexIndex: x = index == 1 ? 1 : -1,
 * y = index == 2 ? 1 : -1, z 0, w 1: vertices (-1,-1) (1,-1) (-1,1), the
 * triangle over the pixels with x + y < 63 of a 64x64 target.
 * fs_spv: every fragment green, (0, 1, 0, 1), at location 0.
 */
#ifndef TESTS_REALDRIVER_VK_SPIRV_H
#define TESTS_REALDRIVER_VK_SPIRV_H

#include <stdint.h>

static const uint32_t vs_spv[] = {
	0x07230203, 0x00010000, 0, 24, 0,	/* header: SPIR-V 1.0, id bound 24 */
	0x00020011, 0x00000001,	/* OpCapability Shader */
	0x0003000e, 0x00000000, 0x00000001,	/* OpMemoryModel Logical GLSL450 */
	0x0007000f, 0x00000000, 0x00000001, 0x6e69616d,
	0x00000000, 0x00000002, 0x00000003,	/* OpEntryPoint Vertex %1 "main" %2 %3 */
	0x00040047, 0x00000002, 0x0000000b, 0x0000002a,	/* OpDecorate %2 BuiltIn VertexIndex */
	0x00040047, 0x00000003, 0x0000000b, 0x00000000,	/* OpDecorate %3 BuiltIn Position */
	0x00020013, 0x00000004,	/* %4 = OpTypeVoid */
	0x00030021, 0x00000005, 0x00000004,	/* %5 = OpTypeFunction %4 */
	0x00040015, 0x00000006, 0x00000020, 0x00000001,	/* %6 = OpTypeInt 32 1 */
	0x00030016, 0x00000007, 0x00000020,	/* %7 = OpTypeFloat 32 */
	0x00040017, 0x00000008, 0x00000007, 0x00000004,	/* %8 = OpTypeVector %7 4 */
	0x00040020, 0x00000009, 0x00000001, 0x00000006,	/* %9 = OpTypePointer Input %6 */
	0x00040020, 0x0000000a, 0x00000003, 0x00000008,	/* %10 = OpTypePointer Output %8 */
	0x00020014, 0x0000000b,	/* %11 = OpTypeBool */
	0x0004003b, 0x00000009, 0x00000002, 0x00000001,	/* %2 = OpVariable %9 Input */
	0x0004003b, 0x0000000a, 0x00000003, 0x00000003,	/* %3 = OpVariable %10 Output */
	0x0004002b, 0x00000006, 0x0000000c, 0x00000001,	/* %12 = OpConstant %6 1 */
	0x0004002b, 0x00000006, 0x0000000d, 0x00000002,	/* %13 = OpConstant %6 2 */
	0x0004002b, 0x00000007, 0x0000000e, 0x3f800000,	/* %14 = OpConstant %7 1.0 */
	0x0004002b, 0x00000007, 0x0000000f, 0xbf800000,	/* %15 = OpConstant %7 -1.0 */
	0x0004002b, 0x00000007, 0x00000010, 0x00000000,	/* %16 = OpConstant %7 0.0 */
	0x00050036, 0x00000004, 0x00000001, 0x00000000,
	0x00000005,	/* %1 = OpFunction %4 None %5 */
	0x000200f8, 0x00000011,	/* %17 = OpLabel */
	0x0004003d, 0x00000006, 0x00000012, 0x00000002,	/* %18 = OpLoad %6 %2 */
	0x000500aa, 0x0000000b, 0x00000013, 0x00000012,
	0x0000000c,	/* %19 = OpIEqual %11 %18 %12 */
	0x000500aa, 0x0000000b, 0x00000014, 0x00000012,
	0x0000000d,	/* %20 = OpIEqual %11 %18 %13 */
	0x000600a9, 0x00000007, 0x00000015, 0x00000013,
	0x0000000e, 0x0000000f,	/* %21 = OpSelect %7 %19 %14 %15: x */
	0x000600a9, 0x00000007, 0x00000016, 0x00000014,
	0x0000000e, 0x0000000f,	/* %22 = OpSelect %7 %20 %14 %15: y */
	0x00070050, 0x00000008, 0x00000017, 0x00000015,
	0x00000016, 0x00000010, 0x0000000e,	/* %23 = OpCompositeConstruct %8 %21 %22 %16 %14 */
	0x0003003e, 0x00000003, 0x00000017,	/* OpStore %3 %23 */
	0x000100fd,	/* OpReturn */
	0x00010038,	/* OpFunctionEnd */
};
static const uint32_t fs_spv[] = {
	0x07230203, 0x00010000, 0, 12, 0,	/* header: SPIR-V 1.0, id bound 12 */
	0x00020011, 0x00000001,	/* OpCapability Shader */
	0x0003000e, 0x00000000, 0x00000001,	/* OpMemoryModel Logical GLSL450 */
	0x0006000f, 0x00000004, 0x00000001, 0x6e69616d,
	0x00000000, 0x00000002,	/* OpEntryPoint Fragment %1 "main" %2 */
	0x00030010, 0x00000001, 0x00000007,	/* OpExecutionMode %1 OriginUpperLeft */
	0x00040047, 0x00000002, 0x0000001e, 0x00000000,	/* OpDecorate %2 Location 0 */
	0x00020013, 0x00000003,	/* %3 = OpTypeVoid */
	0x00030021, 0x00000004, 0x00000003,	/* %4 = OpTypeFunction %3 */
	0x00030016, 0x00000005, 0x00000020,	/* %5 = OpTypeFloat 32 */
	0x00040017, 0x00000006, 0x00000005, 0x00000004,	/* %6 = OpTypeVector %5 4 */
	0x00040020, 0x00000007, 0x00000003, 0x00000006,	/* %7 = OpTypePointer Output %6 */
	0x0004003b, 0x00000007, 0x00000002, 0x00000003,	/* %2 = OpVariable %7 Output */
	0x0004002b, 0x00000005, 0x00000008, 0x00000000,	/* %8 = OpConstant %5 0.0 */
	0x0004002b, 0x00000005, 0x00000009, 0x3f800000,	/* %9 = OpConstant %5 1.0 */
	0x0007002c, 0x00000006, 0x0000000a, 0x00000008,
	0x00000009, 0x00000008, 0x00000009,	/* %10 = OpConstantComposite %6 %8 %9 %8 %9: green */
	0x00050036, 0x00000003, 0x00000001, 0x00000000,
	0x00000004,	/* %1 = OpFunction %3 None %4 */
	0x000200f8, 0x0000000b,	/* %11 = OpLabel */
	0x0003003e, 0x00000002, 0x0000000a,	/* OpStore %2 %10 */
	0x000100fd,	/* OpReturn */
	0x00010038,	/* OpFunctionEnd */
};

#endif
