#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "analysis/confine_compat.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/xalloc.h"

static struct confine_graph *parse(const char *s, const char *sep)
{
	struct confine_graph *g = NULL;

	assert_int_equal(confine_graph_parse(s, strlen(s), sep, "mem", &g), 0);
	return g;
}

static void test_glibc_form(void **state)
{
	static const char doc[] = "# comment : skipped\n"
				  "open : __open_nocancel\n"
				  "__open_nocancel : syscall( 2 )\n"
				  "__open_nocancel:syscall ( 257 )\n"
				  "fopen : open\n"
				  "loop : loop2\n"
				  "loop2 : loop\n"
				  "loop2 : syscall(60)\n"
				  "big : syscall( 450 )\n"
				  "leafonly\n"
				  "a : b : c\n"
				  "_no_syscall : \n";
	struct confine_graph *g = parse(doc, ":");
	struct sysset s;
	const char *starts1[] = { "fopen" };
	const char *starts2[] = { "loop", "missing" };
	const char *starts3[] = { "big", "syscall( 2 )" };

	(void)state;
	sysset_clear(&s);
	assert_int_equal(confine_graph_syscalls(g, starts1, 1, &s), 1);
	assert_true(sysset_has(&s, 2));
	assert_true(sysset_has(&s, 257));
	assert_int_equal(sysset_count(&s), 2);
	sysset_clear(&s);
	assert_int_equal(confine_graph_syscalls(g, starts2, 2, &s), 1);
	assert_true(sysset_has(&s, 60));
	assert_int_equal(sysset_count(&s), 1);
	/* Numbers >= 400 are outside Confine's range; a leaf as start gives nothing. */
	sysset_clear(&s);
	assert_int_equal(confine_graph_syscalls(g, starts3, 2, &s), 2);
	assert_int_equal(sysset_count(&s), 0);
	assert_int_equal(confine_graph_edges(g), 9);
	confine_graph_free(g);
}

static void test_musl_form(void **state)
{
	static const char doc[] = "fopen->@__fopen_rb_ca\n"
				  "__fopen_rb_ca->@__syscall_ret\n"
				  "__fopen_rb_ca->syscall(2)\n"
				  "__syscall3->asm sideeffect \"syscall\", \"={ax}\"\n";
	struct confine_graph *g;
	struct sysset s;
	const char *starts[] = { "fopen" };

	(void)state;
	g = parse(doc, "->");
	sysset_clear(&s);
	confine_graph_syscalls(g, starts, 1, &s);
	assert_true(sysset_has(&s, 2));
	assert_int_equal(sysset_count(&s), 1);
	confine_graph_free(g);
	/* Auto-detection handles both forms in one file. */
	g = parse("a->b\nb : syscall( 3 )\n", NULL);
	sysset_clear(&s);
	{
		const char *st[] = { "a" };

		confine_graph_syscalls(g, st, 1, &s);
	}
	assert_true(sysset_has(&s, 3));
	confine_graph_free(g);
}

static void test_go_list(void **state)
{
	char dir[] = "/tmp/confine-test-go.XXXXXX";
	char *p;
	struct sysset s;

	(void)state;
	assert_non_null(mkdtemp(dir));
	p = fs_join(dir, "vault.syscalls");
	assert_int_equal(fs_write_atomic(p, "0\n1\n 202 \n\n", 11, 0644), 0);
	free(p);
	p = fs_join(dir, "bad.syscalls");
	assert_int_equal(fs_write_atomic(p, "1\nread\n", 7, 0644), 0);
	free(p);
	sysset_clear(&s);
	assert_int_equal(confine_go_syscalls(dir, "vault", &s), 0);
	assert_int_equal(sysset_count(&s), 3);
	assert_true(sysset_has(&s, 202));
	assert_int_equal(confine_go_syscalls(dir, "nginx", &s), -ENOENT);
	assert_int_equal(confine_go_syscalls(dir, "bad", &s), -EINVAL);
	assert_non_null(strstr(err_msg(), "bad.syscalls:2: not a system call number"));
	fs_remove_tree(dir);
}

static void test_method(void **state)
{
	struct sysset needed, allowed;
	size_t n, i;
	const struct syscall_info *tab;

	(void)state;
	sysset_clear(&needed);
	sysset_add(&needed, syscall_number(SYS_ARCH_X86_64, "socket"));
	confine_method_allowed(SYS_ARCH_X86_64, &needed, &allowed);
	assert_true(sysset_has(&allowed, syscall_number(SYS_ARCH_X86_64, "socket")));
	assert_true(sysset_has(&allowed, syscall_number(SYS_ARCH_X86_64, "read"))); /* 0 */
	assert_true(sysset_has(&allowed, syscall_number(SYS_ARCH_X86_64, "execve"))); /* except */
	assert_true(sysset_has(&allowed, syscall_number(SYS_ARCH_X86_64, "clone3"))); /* >= 400 */
	assert_false(sysset_has(&allowed, syscall_number(SYS_ARCH_X86_64, "ptrace")));
	assert_false(sysset_has(&allowed, syscall_number(SYS_ARCH_X86_64, "rseq")));
	tab = syscall_table(SYS_ARCH_X86_64, &n);
	for (i = 0; i < n; i++)
		if (tab[i].nr >= 400)
			assert_true(sysset_has(&allowed, tab[i].nr));
}

/* The real glibc graph, when Confine's data is around. */
static void test_real_glibc(void **state)
{
	const char *src = getenv("CONFINE_SRC");
	char *path;
	struct confine_graph *g = NULL;
	struct sysset s;
	const char *starts[] = { "pthread_create" };

	(void)state;
	if (!src)
		skip();
	path = xasprintf("%s/../shared/confine-data/libc-callgraphs/glibc.callgraph", src);
	if (!fs_exists(path)) {
		free(path);
		skip();
	}
	assert_int_equal(confine_graph_load(path, ":", &g), 0);
	assert_true(confine_graph_edges(g) > 90000);
	sysset_clear(&s);
	assert_int_equal(confine_graph_syscalls(g, starts, 1, &s), 1);
	assert_true(sysset_has(&s, 56)); /* clone */
	confine_graph_free(g);
	free(path);
}

static void test_missing_file(void **state)
{
	struct confine_graph *g = NULL;

	(void)state;
	assert_int_equal(confine_graph_load("/nonexistent/glibc.callgraph", ":", &g), -ENOENT);
	assert_non_null(strstr(err_msg(), "/nonexistent/glibc.callgraph"));
	assert_null(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_glibc_form),
		cmocka_unit_test(test_musl_form),
		cmocka_unit_test(test_go_list),
		cmocka_unit_test(test_method),
		cmocka_unit_test(test_real_glibc),
		cmocka_unit_test(test_missing_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
