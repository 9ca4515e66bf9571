// SPDX-License-Identifier: MIT
/*
 * An EDID 1.4 base block (VESA E-EDID Release A, Revision 2) describing a
 * virtual panel whose preferred mode is the scanout's mode at 60 Hz.
 * virtio 1.2 5.7.6.8 GET_EDID: "The response contains the EDID display
 * data blob (as specified by VESA) for the scanout."
 *
 * Layout of the 128 bytes (offsets in decimal):
 *   0  header 00 ff ff ff ff ff ff 00
 *   8  manufacturer "VGS" (three 5-bit letters, big endian), product code,
 *      serial number (the scanout index), week and year of manufacture
 *  18  EDID version 1, revision 4
 *  20  basic display parameters: digital input, 8 bits per colour, screen
 *      size in cm, gamma 2.2, features (sRGB default colour space,
 *      preferred timing = native mode)
 *  25  chromaticity: the sRGB primaries and D65 white point
 *  35  established timings: none; 38  standard timings: all unused
 *  54  four 18-byte descriptors: the preferred detailed timing, the range
 *      limits, the product name, and an unused (dummy) descriptor
 * 126  extension count 0; 127  checksum (all 128 bytes sum to 0 mod 256)
 */
#include <string.h>

#include "host/internal.h"

/* 10-bit chromaticity value: round(v * 1024), v in thousandths. */
static unsigned chroma(unsigned milli)
{
	return (milli * 1024 + 500) / 1000;
}

static void put_chromaticity(uint8_t *e)
{
	/* Rx Ry Gx Gy Bx By Wx Wy of sRGB, in 1/1000 (white 0.3127/0.3290
	 * rounds to 0.313/0.329). */
	static const unsigned xy[8] = { 640, 330, 300, 600, 150, 60, 313, 329 };
	unsigned v[8];
	for (int i = 0; i < 8; i++)
		v[i] = chroma(xy[i]);
	e[25] = (uint8_t)((v[0] & 3) << 6 | (v[1] & 3) << 4 | (v[2] & 3) << 2 |
			  (v[3] & 3));
	e[26] = (uint8_t)((v[4] & 3) << 6 | (v[5] & 3) << 4 | (v[6] & 3) << 2 |
			  (v[7] & 3));
	for (int i = 0; i < 8; i++)
		e[27 + i] = (uint8_t)(v[i] >> 2);
}

#define HBLANK 160u

/* CVT-RB vertical blanking lines and pixel clock (Hz) of @w x @h @ 60. */
static uint64_t mode_clock(uint32_t w, uint32_t h, uint32_t *vblank_out)
{
	const uint32_t vfront = 3, vsync = 6, min_vbp = 6;
	/* line period in ns for the active lines of a 60 Hz frame */
	uint64_t line_ns = (1000000000ull / 60 - 460000) / h;
	uint32_t vblank = (uint32_t)(460000 / line_ns) + 1;
	if (vblank < vfront + vsync + min_vbp)
		vblank = vfront + vsync + min_vbp;
	uint64_t clock_hz = (uint64_t)(w + HBLANK) * (h + vblank) * 60;
	*vblank_out = vblank;
	return clock_hz - clock_hz % 250000;
}

bool host__edid_mode_ok(uint32_t w, uint32_t h)
{
	uint32_t vblank;
	/* 12-bit sizes and a 16-bit clock in 10 kHz units */
	return w >= 1 && h >= 1 && w <= 4095 && h <= 4095 &&
	       mode_clock(w, h, &vblank) <= 65535ull * 10000;
}

/*
 * Detailed timing for @w x @h at about 60 Hz with CVT reduced blanking:
 * 160 pixels of horizontal blanking (front 48, sync 32), vertical front
 * porch 3, sync 6, and enough lines that vertical blanking lasts at least
 * 460 us.  The clock is rounded down to a 250 kHz step, as CVT does.
 */
static uint64_t put_detailed_timing(uint8_t *d, uint32_t w, uint32_t h,
				    uint32_t w_mm, uint32_t h_mm)
{
	const uint32_t hblank = HBLANK, hfront = 48, hsync = 32;
	const uint32_t vfront = 3, vsync = 6;
	uint32_t vblank;
	uint64_t clock_hz = mode_clock(w, h, &vblank);
	uint32_t clock = (uint32_t)(clock_hz / 10000);	/* 10 kHz units */

	d[0] = (uint8_t)clock;
	d[1] = (uint8_t)(clock >> 8);
	d[2] = (uint8_t)w;
	d[3] = (uint8_t)hblank;
	d[4] = (uint8_t)((w >> 8) << 4 | (hblank >> 8));
	d[5] = (uint8_t)h;
	d[6] = (uint8_t)vblank;
	d[7] = (uint8_t)((h >> 8) << 4 | (vblank >> 8));
	d[8] = (uint8_t)hfront;
	d[9] = (uint8_t)hsync;
	d[10] = (uint8_t)((vfront & 15) << 4 | (vsync & 15));
	d[11] = (uint8_t)((hfront >> 8) << 6 | (hsync >> 8) << 4 |
			  (vfront >> 4) << 2 | (vsync >> 4));
	d[12] = (uint8_t)w_mm;
	d[13] = (uint8_t)h_mm;
	d[14] = (uint8_t)((w_mm >> 8) << 4 | (h_mm >> 8));
	d[15] = d[16] = 0;		/* no borders */
	/* non-interlaced, digital separate sync, hsync +, vsync - (CVT-RB) */
	d[17] = 0x18 | 0x02;
	return clock_hz;
}

/* Display range limits around the one mode: 50-70 Hz vertical, the
 * mode's line rate +-1 kHz, its pixel clock rounded up to 10 MHz; "range
 * limits only" (byte 10 = 01, then 0a and spaces). */
static void put_range_limits(uint8_t *d, uint64_t clock_hz, uint32_t htotal)
{
	uint32_t khz = (uint32_t)(clock_hz / htotal / 1000);
	uint32_t lo = khz > 1 ? khz - 1 : 1, hi = khz + 2;
	uint32_t clock10 = (uint32_t)((clock_hz + 9999999) / 10000000);
	static const uint8_t tail[7] = { 0x0a, 0x20, 0x20, 0x20, 0x20, 0x20,
					 0x20 };
	memset(d, 0, 18);
	d[3] = 0xfd;
	d[5] = 50;
	d[6] = 70;
	d[7] = (uint8_t)(lo > 255 ? 255 : lo);
	d[8] = (uint8_t)(hi > 255 ? 255 : hi);
	d[9] = (uint8_t)(clock10 > 255 ? 255 : clock10);
	d[10] = 0x01;
	memcpy(d + 11, tail, sizeof(tail));
}

/* Display product name: up to 13 characters, ended by 0x0a, padded with
 * spaces. */
static void put_name(uint8_t *d, const char *name)
{
	memset(d, 0, 5);
	d[3] = 0xfc;
	size_t n = strlen(name);
	for (size_t i = 0; i < 13; i++)
		d[5 + i] = i < n ? (uint8_t)name[i] : i == n ? 0x0a : 0x20;
}

void host__edid_build(uint8_t e[128], uint32_t w, uint32_t h, uint32_t serial)
{
	static const uint8_t header[8] = { 0, 0xff, 0xff, 0xff, 0xff, 0xff,
					   0xff, 0 };
	/* A 96 dpi panel: 25.4 mm per 96 pixels. */
	uint32_t w_mm = (uint32_t)((w * 254ull + 480) / 960);
	uint32_t h_mm = (uint32_t)((h * 254ull + 480) / 960);

	memset(e, 0, 128);
	memcpy(e, header, sizeof(header));
	/* "VGS": V=22, G=7, S=19 -> 0 10110 00111 10011 */
	uint16_t mfg = (uint16_t)(22 << 10 | 7 << 5 | 19);
	e[8] = (uint8_t)(mfg >> 8);
	e[9] = (uint8_t)mfg;
	e[10] = 0x01;			/* product code 0x0001, little endian */
	e[11] = 0x00;
	e[12] = (uint8_t)serial;
	e[13] = (uint8_t)(serial >> 8);
	e[14] = (uint8_t)(serial >> 16);
	e[15] = (uint8_t)(serial >> 24);
	e[16] = 1;			/* week 1 */
	e[17] = 2024 - 1990;		/* year 2024 */
	e[18] = 1;
	e[19] = 4;
	e[20] = 0xa5;	/* digital, 8 bits per colour, DisplayPort */
	e[21] = (uint8_t)((w_mm + 5) / 10);	/* cm */
	e[22] = (uint8_t)((h_mm + 5) / 10);
	e[23] = 220 - 100;		/* gamma 2.2: (gamma * 100) - 100 */
	e[24] = 0x04 | 0x02;	/* sRGB default, preferred timing is native */
	put_chromaticity(e);
	for (int i = 38; i < 54; i++)
		e[i] = 0x01;		/* standard timing slots: unused */
	uint64_t clock_hz = put_detailed_timing(e + 54, w, h, w_mm, h_mm);
	put_range_limits(e + 72, clock_hz, w + HBLANK);
	put_name(e + 90, "virtgpu-sim");
	e[108 + 3] = 0x10;		/* dummy descriptor */
	e[126] = 0;
	uint8_t sum = 0;
	for (int i = 0; i < 127; i++)
		sum = (uint8_t)(sum + e[i]);
	e[127] = (uint8_t)(0x100 - sum);
}
