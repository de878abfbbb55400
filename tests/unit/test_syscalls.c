/* Syscall tables: in sync with data/syscalls (regenerated) and with libseccomp. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "syscalls/syscalls.h"
#include "util/fs.h"
#include "util/xalloc.h"

static const struct {
	enum sys_arch arch;
	uint32_t scmp;
} arches[] = {
	{ SYS_ARCH_X86_64, SCMP_ARCH_X86_64 },
	{ SYS_ARCH_AARCH64, SCMP_ARCH_AARCH64 },
};

static void test_known_numbers(void **state)
{
	static const struct {
		enum sys_arch arch;
		const char *name;
		int nr;
	} cases[] = {
		{ SYS_ARCH_X86_64, "read", 0 },
		{ SYS_ARCH_X86_64, "write", 1 },
		{ SYS_ARCH_X86_64, "exit_group", 231 },
		{ SYS_ARCH_X86_64, "openat", 257 },
		{ SYS_ARCH_X86_64, "clone3", 435 },
		{ SYS_ARCH_X86_64, "rseq", 334 },
		{ SYS_ARCH_AARCH64, "read", 63 },
		{ SYS_ARCH_AARCH64, "openat", 56 },
		{ SYS_ARCH_AARCH64, "clone3", 435 },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		assert_int_equal(syscall_number(cases[i].arch, cases[i].name), cases[i].nr);
		assert_string_equal(syscall_name(cases[i].arch, cases[i].nr), cases[i].name);
	}
	assert_int_equal(syscall_number(SYS_ARCH_X86_64, "no_such_call"), -1);
	assert_null(syscall_name(SYS_ARCH_X86_64, 1023));
	assert_null(syscall_name(SYS_ARCH_X86_64, -1));
	assert_int_equal(syscall_number(SYS_ARCH_AARCH64, "open"), -1); /* generic ABI has no open */
	assert_string_equal(sys_arch_name(SYS_ARCH_AARCH64), "aarch64");
}

static void test_sorted_and_versions(void **state)
{
	(void)state;
	for (size_t a = 0; a < ARRAY_SIZE(arches); a++) {
		size_t nr;
		const struct syscall_info *t = syscall_table(arches[a].arch, &nr);

		assert_true(nr > 250);
		for (size_t i = 0; i < nr; i++) {
			if (i)
				assert_true(t[i - 1].nr < t[i].nr);
			assert_true(t[i].since && t[i].since[0]);
			assert_int_equal(syscall_number(arches[a].arch, t[i].name), t[i].nr);
		}
	}
	assert_string_equal(syscall_table(SYS_ARCH_X86_64, &(size_t){ 0 })[0].name, "read");
}

/* Every number libseccomp knows must be ours with the same name, and back. */
static void test_against_libseccomp(void **state)
{
	(void)state;
	for (size_t a = 0; a < ARRAY_SIZE(arches); a++) {
		size_t nr, checked = 0;
		const struct syscall_info *t = syscall_table(arches[a].arch, &nr);

		for (int n = 0; n < SYSSET_NR; n++) {
			char *name = seccomp_syscall_resolve_num_arch(arches[a].scmp, n);

			if (!name)
				continue;
			if (!syscall_name(arches[a].arch, n))
				fail_msg("libseccomp knows %s=%d, table does not", name, n);
			assert_string_equal(syscall_name(arches[a].arch, n), name);
			free(name);
			checked++;
		}
		assert_true(checked > 250);
		for (size_t i = 0; i < nr; i++) {
			int s = seccomp_syscall_resolve_name_arch(arches[a].scmp, t[i].name);

			/* Names newer than the installed libseccomp resolve to nothing. */
			if (s >= 0 && s != t[i].nr)
				fail_msg("%s: table %d, libseccomp %d", t[i].name, t[i].nr, s);
		}
	}
}

static void test_regenerate(void **state)
{
	const char *src = getenv("CONFINE_SRC");
	char tmpl[] = "/tmp/confine-gen-XXXXXX";
	char *cmd, *committed_path, *a = NULL, *b = NULL;
	size_t alen, blen;
	int fd;

	(void)state;
	if (!src || system("command -v python3 >/dev/null 2>&1") != 0)
		skip();
	fd = mkstemp(tmpl);
	assert_true(fd >= 0);
	close(fd);
	cmd = xasprintf("python3 '%s/tools/gen-syscalls' -o '%s'", src, tmpl);
	assert_int_equal(system(cmd), 0);
	committed_path = xasprintf("%s/src/syscalls/table.c", src);
	assert_int_equal(fs_read_file(tmpl, 1 << 22, &a, &alen), 0);
	assert_int_equal(fs_read_file(committed_path, 1 << 22, &b, &blen), 0);
	if (alen != blen || memcmp(a, b, alen) != 0)
		fail_msg("src/syscalls/table.c is out of date: run tools/gen-syscalls");
	unlink(tmpl);
	free(a);
	free(b);
	free(cmd);
	free(committed_path);
}

static void test_sysset(void **state)
{
	struct sysset a, b;

	(void)state;
	sysset_clear(&a);
	sysset_clear(&b);
	sysset_add(&a, 0);
	sysset_add(&a, 435);
	sysset_add(&a, SYSSET_NR); /* ignored */
	sysset_add(&a, -3);        /* ignored */
	assert_int_equal(sysset_count(&a), 2);
	assert_true(sysset_has(&a, 435));
	assert_false(sysset_has(&a, SYSSET_NR));
	sysset_add(&b, 1);
	assert_true(sysset_union(&a, &b));
	assert_false(sysset_union(&a, &b));
	sysset_del(&a, 0);
	assert_int_equal(sysset_count(&a), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_numbers),
		cmocka_unit_test(test_sorted_and_versions),
		cmocka_unit_test(test_against_libseccomp),
		cmocka_unit_test(test_regenerate),
		cmocka_unit_test(test_sysset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
