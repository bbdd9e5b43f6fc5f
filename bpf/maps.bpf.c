// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * No programs: this object only creates the maps every other Palisade object
 * shares (see maps.bpf.h), so they exist even where LSM programs cannot load.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf/maps.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";
