/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* ABI of the device rule map (bpf/dev.bpf.c <-> policies/emit_dev.c). */
#ifndef PALISADE_BPF_DEV_H
#define PALISADE_BPF_DEV_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif
#include "bpf/abi.h"

#define PAL_DEV_MAX_KEYS 65536 /* pal_dev_rules entries, both generations */
#define PAL_DEV_MIN_KEYS 64 /* smallest map size */
#define PAL_DEV_ACC_BITS 3 /* enum pal_dev_access: read, write, mknod */
#define PAL_DEV_KEY_ANY 0xffffffffu /* major or minor given as '*' */

enum pal_dev_type_idx {
	PAL_DEV_BLOCK = 1, /* same values as BPF_DEVCG_DEV_BLOCK / _CHAR */
	PAL_DEV_CHAR = 2,
};

/*
 * pal_dev_rules map, HASH.
 * key: (generation slot, policy, major, minor, type); major and/or minor may
 * be PAL_DEV_KEY_ANY. The program looks up the exact key and the three
 * wildcard keys. value: struct pal_dev_rule, per requested access bit the
 * strongest action of that policy's rules with exactly this key.
 */
struct pal_dev_key {
	__u16 gen; /* generation slot */
	__u16 policy; /* policy index */
	__u32 major;
	__u32 minor;
	__u8 type; /* enum pal_dev_type_idx */
	__u8 pad0[3];
};
_Static_assert(sizeof(struct pal_dev_key) == 16, "pal_dev_key ABI");
PAL_KEY_HEAD_ASSERT(pal_dev_key, PAL_KEY_GEN_OFF);

struct pal_dev_rule {
	__u32 rule[PAL_DEV_ACC_BITS]; /* rule index behind action[i] */
	__u8 action[PAL_DEV_ACC_BITS]; /* per bit of enum pal_dev_access; NONE: no rule */
	__u8 pad0;
};
_Static_assert(sizeof(struct pal_dev_rule) == 16, "pal_dev_rule ABI");

#endif /* PALISADE_BPF_DEV_H */
