// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target over the whole parse-and-compile path: YAML bytes in,
 * diagnostics formatted, and, for valid input, the file map entries emitted.
 * Host lookups are off so runs are deterministic and touch no files.
 */
#include <stdint.h>
#include <stdlib.h>

#include "policies/emit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pal_load_opts o = {.flags = PAL_LOAD_NO_HOST};
	struct pal_policy_set *set = pal_policy_set_new(&o);
	struct pal_file_emit fe;
	int rc;

	if (!set)
		return 0;
	rc = pal_policy_add_buffer(set, "fuzz.yaml", (const char *)data, size);
	for (size_t i = 0; i < set->ndiags; i++)
		free(pal_diag_format(&set->diags[i]));
	if (!rc && !pal_emit_file(set, 1, 0x5eed, PAL_LOAD_NO_HOST, &fe))
		pal_file_emit_free(&fe);
	pal_policy_set_free(set);
	return 0;
}
