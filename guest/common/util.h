/* SPDX-License-Identifier: MIT */
/*
 * One-line facts the guest programs share, said once.  (Guest programs
 * see nothing of sim/, where the layers below keep theirs: sim/units.h.)
 */
#ifndef GUEST_UTIL_H
#define GUEST_UTIL_H

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

#endif
