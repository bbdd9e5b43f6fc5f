// SPDX-License-Identifier: GPL-2.0-only
/*
 * pal_probe_kallsyms: the addresses of core symbols from a kallsyms file
 * read in large chunks. A symbol on a line cut by a read, a module's
 * symbol of the same name, names that contain the wanted one, and a name
 * that is not there; then the host's /proc/kallsyms against a plain
 * line-by-line reading of it (addresses are 0 where it hides them).
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

static const char *const names[] = {"rename_lock", "mount_lock", "missing_lock"};

/* A new temporary file for writing; its name in path. */
static FILE *temp_file(char *path, size_t len)
{
	FILE *f;
	int fd;

	snprintf(path, len, "%s/palisade-kallsyms-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	return f;
}

static void fake_file(char *path, size_t len)
{
	FILE *f = temp_file(path, len);

	/* decoys first: a module's symbol, longer names, a name as a prefix */
	fprintf(f, "ffffffffc0001000 t rename_lock\t[evil]\n");
	fprintf(f, "ffffffff81000010 T xrename_lock\n");
	fprintf(f, "ffffffff81000020 T rename_lock_x\n");
	fprintf(f, "ffffffff81000030 T mount_lock2\n");
	/* enough lines that the wanted ones lie beyond several reads */
	for (int i = 0; i < 200000; i++)
		fprintf(f, "ffffffff82%06x t filler_symbol_%d\n", i, i);
	fprintf(f, "ffffffff87e09800 D rename_lock\n");
	for (int i = 0; i < 3000; i++)
		fprintf(f, "ffffffff83%06x t more_%d\n", i, i);
	fprintf(f, "ffffffff87e09880 B mount_lock\n");
	assert_int_equal(fclose(f), 0);
}

static void test_fake(void **state)
{
	unsigned long long addr[3] = {1, 1, 1};
	char path[4096];

	(void)state;
	fake_file(path, sizeof(path));
	assert_int_equal(pal_probe_kallsyms(path, names, addr, 3), 0);
	unlink(path);
	assert_true(addr[0] == 0xffffffff87e09800ull);
	assert_true(addr[1] == 0xffffffff87e09880ull);
	assert_true(addr[2] == 0);
}

/* Every offset of the two lines against the 64 KiB reads: none is lost. */
static void test_every_cut(void **state)
{
	(void)state;
	for (int pad = 0; pad < 64; pad++) {
		unsigned long long addr[2];
		char path[4096];
		FILE *f = temp_file(path, sizeof(path));

		/* 65,536 - 40 + pad bytes before: the line crosses the first read's end */
		for (int i = 0; i < 65536 - 40 + pad; i++)
			fputc(i % 64 == 63 ? '\n' : 'a', f);
		fprintf(f, "\nffffffff87e09800 T rename_lock\nffffffff87e09880 T mount_lock\n");
		assert_int_equal(fclose(f), 0);
		assert_int_equal(pal_probe_kallsyms(path, names, addr, 2), 0);
		unlink(path);
		assert_true(addr[0] == 0xffffffff87e09800ull);
		assert_true(addr[1] == 0xffffffff87e09880ull);
	}
}

static unsigned long long by_lines(const char *name)
{
	char line[512], want[128];
	unsigned long long a = 0;
	FILE *f = fopen("/proc/kallsyms", "r");

	snprintf(want, sizeof(want), " %s\n", name);
	while (f && fgets(line, sizeof(line), f))
		if (strlen(line) > 19 && !strcmp(line + 19, want + 1) && line[18] == ' ')
			a = strtoull(line, NULL, 16);
	if (f)
		fclose(f);
	return a;
}

static void test_host(void **state)
{
	/* a function every kernel lists, and the two seqlocks (listed with KALLSYMS_ALL) */
	static const char *const host[] = {"vfs_read", "rename_lock", "mount_lock"};
	unsigned long long addr[3];

	(void)state;
	assert_int_equal(pal_probe_kallsyms("/proc/kallsyms", host, addr, 3), 0);
	for (int i = 0; i < 3; i++)
		assert_true(addr[i] == by_lines(host[i]));
}

static void test_no_file(void **state)
{
	unsigned long long addr[1] = {1};

	(void)state;
	assert_int_equal(pal_probe_kallsyms("/nonexistent/kallsyms", names, addr, 1), -ENOENT);
	assert_true(addr[0] == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fake),
		cmocka_unit_test(test_every_cut),
		cmocka_unit_test(test_host),
		cmocka_unit_test(test_no_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
