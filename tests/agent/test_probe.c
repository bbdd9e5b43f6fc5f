// SPDX-License-Identifier: GPL-2.0-only
/*
 * pal_probe_ksyms: the addresses of kernel symbols from the kernel's own
 * lookup (bpf/ksym.bpf.c, run on the host kernel: a syscall program, no
 * LSM), against a plain line-by-line reading of /proc/kallsyms; a name the
 * kernel lacks, names that only contain a real one, and a name too long.
 * Needs root (CAP_BPF, CAP_PERFMON and CAP_SYSLOG), as the agent has.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "agent/probe.h"

static unsigned long long by_lines(const char *name)
{
	char line[512], want[128];
	unsigned long long a = 0;
	FILE *f = fopen("/proc/kallsyms", "r");

	snprintf(want, sizeof(want), " %s\n", name);
	while (f && !a && fgets(line, sizeof(line), f))
		if (strlen(line) > 19 && !strcmp(line + 19, want + 1) && line[18] == ' ')
			a = strtoull(line, NULL, 16);
	if (f)
		fclose(f);
	return a;
}

static void test_host(void **state)
{
	/*
	 * A function every kernel lists, and the two seqlocks, which only a
	 * kernel with KALLSYMS_ALL lists (the VM's do: file_write_memo).
	 */
	static const char *const host[] = {"vfs_read", "rename_lock", "mount_lock"};
	unsigned long long addr[3] = {1, 1, 1};

	(void)state;
	assert_int_equal(pal_probe_ksyms(host, addr, 3), 0);
	assert_true(addr[0] != 0);
	for (int i = 0; i < 3; i++)
		assert_true(addr[i] == by_lines(host[i]));
}

static void test_missing(void **state)
{
	/* not there, and names that contain a real one: no partial matches */
	static const char *const names[] = {"palisade_no_such_symbol", "xrename_lock", "rename_loc",
					    "rename_lock_"};
	unsigned long long addr[4] = {1, 1, 1, 1};

	(void)state;
	assert_int_equal(pal_probe_ksyms(names, addr, 4), 0);
	for (int i = 0; i < 4; i++)
		assert_true(addr[i] == 0);
}

static void test_too_long(void **state)
{
	char name[80];
	const char *names[] = {"vfs_read", name};
	unsigned long long addr[2] = {1, 1};

	(void)state;
	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = 0;
	assert_int_equal(pal_probe_ksyms(names, addr, 2), -ENAMETOOLONG);
	assert_true(addr[0] == by_lines("vfs_read"));
	assert_true(addr[1] == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_too_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
