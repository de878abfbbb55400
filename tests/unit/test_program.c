/*
 * analysis/program: the program set of an image config over a rootfs built
 * here: PATH lookup (executable bit honoured), WorkingDir-relative names,
 * '#!' scripts and '#!/usr/bin/env NAME', 'sh -c', Cmd handed to an
 * entrypoint script, interpreter loops, --all-binaries, library sets,
 * programs added by name only when they are executables.
 */
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

#include "analysis/program.h"
#include "image/image.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/xalloc.h"

static char tmpdir[] = "/tmp/confine-test-program.XXXXXX";
static bool ready;

static const char fixture_sh[] =
	"set -e\n"
	"cd \"$1\"; mkdir -p P; cd P\n"
	"mkdir -p bin usr/bin usr/local/bin usr/lib/x86_64-linux-gnu lib64 app\n"
	"cp -L /usr/lib/x86_64-linux-gnu/libc.so.6 /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "
	"usr/lib/x86_64-linux-gnu/\n"
	"ln -s /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 lib64/ld-linux-x86-64.so.2\n"
	"ln -s usr/lib lib\n"
	"cp -L /bin/dash bin/sh\n"
	"cp -L /usr/bin/env usr/bin/env\n"
	"cp -L /bin/true usr/bin/python3\n"
	"cp -L /bin/true usr/local/bin/app\n"
	"cp -L /bin/true app/rel\n"
	"cp -L /bin/true usr/bin/nonexec; chmod 644 usr/bin/nonexec\n"
	"ln -s ../local/bin/app usr/bin/app-link\n"
	"printf '#!/bin/sh\\nexec \"$@\"\\n' > entry.sh\n"
	"printf '#!/usr/bin/env  -S python3 -u\\nprint(1)\\n' > app/tool.py\n"
	"printf '#!/loop2.sh\\n' > loop1.sh\n"
	"printf '#!/loop1.sh\\n' > loop2.sh\n"
	"printf '#!/no/such/interp\\n' > badinterp.sh\n"
	"printf 'just text\\n' > text.txt\n"
	"chmod 755 entry.sh app/tool.py loop1.sh loop2.sh badinterp.sh text.txt\n";

static int setup(void **state)
{
	char *path, *cmd;

	(void)state;
	if (!mkdtemp(tmpdir))
		return -1;
	if (system("test -e /usr/lib/x86_64-linux-gnu/libc.so.6 && test -x /bin/dash") != 0)
		return 0;
	path = xasprintf("%s/fixture.sh", tmpdir);
	if (fs_write_atomic(path, fixture_sh, strlen(fixture_sh), 0644) < 0)
		return -1;
	cmd = xasprintf("sh %s %s", path, tmpdir);
	ready = system(cmd) == 0;
	free(cmd);
	free(path);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fs_remove_tree(tmpdir);
	return 0;
}

static void drop(const char *msg, void *ctx)
{
	(void)msg;
	(*(unsigned *)ctx)++;
}

struct prog_case {
	const char *what;
	const char *entrypoint[3];
	const char *cmd[4];
	const char *path_env;        /* "PATH=..." or NULL */
	const char *workdir;
	/* expected programs: "path:origin:kind" in order */
	const char *progs[5];
	const char *unresolved[3];
};

static const struct prog_case cases[] = {
	{ "entrypoint script with cmd", { "/entry.sh" }, { "app", "--flag" },
	  "PATH=/usr/local/bin:/usr/bin:/bin", NULL,
	  { "/entry.sh:entrypoint:script", "/bin/sh:interpreter:elf",
	    "/usr/local/bin/app:cmd:elf" },
	  { NULL } },
	{ "sh -c", { NULL }, { "/bin/sh", "-c", "cd /; FOO=1 exec app -x | nothere && \"$X\"" },
	  "PATH=/usr/local/bin:/bin", NULL,
	  { "/bin/sh:entrypoint:elf", "/usr/local/bin/app:cmd:elf" },
	  { "nothere" } },
	{ "env shebang", { NULL }, { "/app/tool.py" }, "PATH=/usr/bin", NULL,
	  { "/app/tool.py:entrypoint:script", "/usr/bin/env:interpreter:elf",
	    "/usr/bin/python3:interpreter:elf" },
	  { NULL } },
	{ "workdir relative", { "./rel" }, { NULL }, NULL, "/app",
	  { "/app/rel:entrypoint:elf" }, { NULL } },
	{ "default PATH, symlinked name", { NULL }, { "app-link" }, NULL, NULL,
	  { "/usr/bin/app-link:entrypoint:elf" }, { NULL } },
	{ "not executable", { NULL }, { "nonexec" }, "PATH=/usr/bin", NULL, { NULL },
	  { "nonexec" } },
	{ "missing", { "missing-prog" }, { "x" }, NULL, NULL, { NULL }, { "missing-prog" } },
	{ "interpreter loop", { "/loop1.sh" }, { NULL }, NULL, NULL,
	  { "/loop1.sh:entrypoint:script", "/loop2.sh:interpreter:script" }, { NULL } },
	{ "missing interpreter", { "/badinterp.sh" }, { NULL }, NULL, NULL,
	  { "/badinterp.sh:entrypoint:script" }, { "/no/such/interp" } },
	{ "neither ELF nor script", { "/text.txt" }, { NULL }, NULL, NULL,
	  { "/text.txt:entrypoint:other" }, { NULL } },
	{ "no entrypoint or cmd", { NULL }, { NULL }, NULL, NULL, { NULL }, { NULL } },
};

static size_t count(const char *const *v, size_t max)
{
	size_t n = 0;

	while (n < max && v[n])
		n++;
	return n;
}

/* The fixture root as a dir: image (*ref is its reference, for the caller to free). */
static struct image *open_fixture(char **ref)
{
	struct image *img;

	*ref = xasprintf("dir:%s/P", tmpdir);
	if (image_open(*ref, NULL, &img) < 0)
		fail_msg("image_open: %s", err_msg());
	return img;
}

static void test_config(void **state)
{
	struct image *img;
	char *ref;

	(void)state;
	if (!ready)
		skip();
	img = open_fixture(&ref);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct prog_case *c = &cases[i];
		struct image_config cfg;
		struct program_set ps;
		char *env[1] = { (char *)c->path_env };
		unsigned warnings = 0;

		memset(&cfg, 0, sizeof(cfg));
		cfg.entrypoint = (char **)c->entrypoint;
		cfg.entrypoint_nr = count(c->entrypoint, 3);
		cfg.cmd = (char **)c->cmd;
		cfg.cmd_nr = count(c->cmd, 4);
		cfg.env = env;
		cfg.env_nr = c->path_env ? 1 : 0;
		cfg.working_dir = (char *)c->workdir;
		program_set_init(&ps, img->rootfs, &cfg);
		program_set_add_config(&ps, &cfg);
		if (ps.nr != count(c->progs, 5))
			fail_msg("%s: %zu programs (first %s)", c->what, ps.nr,
				 ps.nr ? ps.progs[0].path : "-");
		for (size_t j = 0; j < ps.nr; j++) {
			const struct program *p = &ps.progs[j];
			char *got = xasprintf("%s:%s:%s", p->path, program_origin_name(p->origin),
					      p->is_elf ? "elf" : p->is_script ? "script" : "other");

			if (strcmp(got, c->progs[j]) != 0)
				fail_msg("%s: program %zu is %s, expected %s", c->what, j, got,
					 c->progs[j]);
			free(got);
		}
		assert_int_equal(ps.unresolved_nr, count(c->unresolved, 3));
		for (size_t j = 0; j < ps.unresolved_nr; j++)
			assert_string_equal(ps.unresolved[j], c->unresolved[j]);
		assert_int_equal(ps.argc, cfg.entrypoint_nr + cfg.cmd_nr);
		/* The arguments each program is known to run with: Entrypoint+Cmd, the Cmd handed over, none. */
		for (size_t j = 0; j < ps.nr; j++) {
			char *const *av;
			size_t ac = program_set_args(&ps, j, &av);

			if (ps.progs[j].origin == PROGRAM_ENTRYPOINT) {
				assert_int_equal(ac, ps.argc);
				assert_ptr_equal(av, ps.argv);
			} else if (!strcmp(c->what, "entrypoint script with cmd") &&
				   !strcmp(ps.progs[j].path, "/usr/local/bin/app")) {
				assert_int_equal(ac, 2);
				assert_string_equal(av[0], "app");
				assert_string_equal(av[1], "--flag");
			} else {
				assert_int_equal(ac, 0);
				assert_null(av);
			}
		}
		/* Every ELF program gets its libraries: libc and the loader. */
		program_set_resolve_libs(&ps, NULL);
		for (size_t j = 0; j < ps.nr; j++) {
			const struct program *p = &ps.progs[j];

			if (!p->is_elf) {
				assert_false(p->libs_done);
				continue;
			}
			assert_true(p->libs_done);
			assert_int_equal(p->libs_err, 0);
			assert_int_equal(p->libs.flavor, LDSO_GLIBC);
			assert_int_equal(p->libs.unresolved_nr, 0);
			assert_true(p->libs.libs_nr >= 3);
		}
		warn_drain(drop, &warnings);
		program_set_release(&ps);
	}
	image_free(img);
	free(ref);
}

/* A HEALTHCHECK's Test, as the image config may hold it: only CMD and CMD-SHELL add programs. */
static void test_healthcheck(void **state)
{
	static const struct {
		const char *what;
		const char *test[5];
		size_t nr;
		const char *progs[3]; /* "path:origin" */
	} hc[] = {
		{ "CMD", { "CMD", "app", "-x" }, 3, { "/usr/local/bin/app:healthcheck" } },
		{ "CMD-SHELL", { "CMD-SHELL", "app -q || exit 1" }, 2, { "/bin/sh:healthcheck", "/usr/local/bin/app:healthcheck" } },
		/* The shell's string runs too (an ["CMD", "sh", "-c", ...] check, an exec: workload). */
		{ "CMD sh -c", { "CMD", "/bin/sh", "-c", "app -q || exit 1" }, 4,
		  { "/bin/sh:healthcheck", "/usr/local/bin/app:healthcheck" } },
		{ "CMD sh -ec", { "CMD", "sh", "-x", "-ec", "app" }, 5, { "/bin/sh:healthcheck", "/usr/local/bin/app:healthcheck" } },
		{ "CMD sh script", { "CMD", "sh", "-x", "/nowhere.sh" }, 4, { "/bin/sh:healthcheck" } },
		{ "NONE", { "NONE" }, 1, { NULL } },
		{ "CMD without a program", { "CMD" }, 1, { NULL } },
		{ "CMD with an empty program", { "CMD", "" }, 2, { NULL } },
		{ "a NULL entry", { "CMD", NULL }, 2, { NULL } },
		{ "unknown kind", { "RUN", "app" }, 2, { NULL } },
		{ "empty", { NULL }, 0, { NULL } },
	};
	struct image *img;
	char *ref;

	(void)state;
	if (!ready)
		skip();
	img = open_fixture(&ref);
	for (size_t i = 0; i < ARRAY_SIZE(hc); i++) {
		struct image_config cfg;
		struct program_set ps;
		char *env[1] = { "PATH=/usr/local/bin:/bin" };
		unsigned warnings = 0;
		int added;

		memset(&cfg, 0, sizeof(cfg));
		cfg.env = env;
		cfg.env_nr = 1;
		program_set_init(&ps, img->rootfs, &cfg);
		added = program_set_add_healthcheck(&ps, (char *const *)hc[i].test, hc[i].nr);
		if (ps.nr != count(hc[i].progs, 3) || added != (int)ps.nr)
			fail_msg("%s: %zu programs, %d added", hc[i].what, ps.nr, added);
		for (size_t j = 0; j < ps.nr; j++) {
			char *got = xasprintf("%s:%s", ps.progs[j].path, program_origin_name(ps.progs[j].origin));

			if (strcmp(got, hc[i].progs[j]))
				fail_msg("%s: program %zu is %s, expected %s", hc[i].what, j, got, hc[i].progs[j]);
			free(got);
		}
		warn_drain(drop, &warnings);
		program_set_release(&ps);
	}
	image_free(img);
	free(ref);
}

static void test_all_binaries(void **state)
{
	struct image *img;
	struct program_set ps;
	char *ref, *found = NULL;
	int added;
	unsigned warnings = 0;

	(void)state;
	if (!ready)
		skip();
	img = open_fixture(&ref);
	program_set_init(&ps, img->rootfs, NULL);
	assert_int_equal(program_set_which(&ps, "env", &found), 0);
	assert_string_equal(found, "/usr/bin/env");
	free(found);
	assert_int_equal(program_set_which(&ps, "nope", &found), -ENOENT);
	assert_int_equal(program_set_add(&ps, "/no/such", PROGRAM_ADDED, NULL), -ENOENT);
	assert_non_null(strstr(err_msg(), "/no/such"));
	err_clear();
	added = program_set_add_all_binaries(&ps, NULL);
	/* sh env python3 app rel; nonexec lacks the x bit; libc and ld.so are libraries. */
	assert_int_equal(added, 5);
	for (size_t i = 0; i < ps.nr; i++) {
		assert_true(ps.progs[i].is_elf);
		assert_null(strstr(ps.progs[i].real, ".so"));
	}
	/* Adding again finds the same entries. */
	assert_int_equal(program_set_add(&ps, "/usr/local/bin/app", PROGRAM_MONITOR, NULL) >= 0, 1);
	assert_int_equal(ps.nr, 5);
	warn_drain(drop, &warnings);
	program_set_release(&ps);
	image_free(img);
	free(ref);
}

/* program_set_add_executable: only executables, quietly. */
static void test_add_executable(void **state)
{
	struct image *img;
	struct program_set ps;
	char *ref;
	int i;
	unsigned warnings = 0;

	(void)state;
	if (!ready)
		skip();
	img = open_fixture(&ref);
	warn_drain(drop, &warnings);
	warnings = 0;
	program_set_init(&ps, img->rootfs, NULL);
	assert_int_equal(program_set_add_executable(&ps, "/no/such", "x"), -ENOENT);
	assert_int_equal(program_set_add_executable(&ps, "usr/bin/env", "x"), -ENOENT);
	assert_int_equal(program_set_add_executable(&ps, "/usr/bin/nonexec", "x"), -ENOEXEC);
	assert_int_equal(program_set_add_executable(&ps, "/text.txt", "x"), -ENOEXEC);
	assert_int_equal(program_set_add_executable(&ps, "/app", "x"), -ENOEXEC);
	assert_int_equal(program_set_add_executable(&ps, "/usr/lib/x86_64-linux-gnu/libc.so.6", "x"), -ENOEXEC);
	assert_int_equal(ps.nr, 0);
	i = program_set_add_executable(&ps, "/usr/bin/app-link", "named by /x");
	assert_int_equal(i, 0);
	assert_int_equal(ps.progs[0].origin, PROGRAM_EXEC);
	assert_string_equal(ps.progs[0].reason, "named by /x");
	assert_string_equal(ps.progs[0].real, "/usr/local/bin/app");
	assert_string_equal(program_origin_name(PROGRAM_EXEC), "exec");
	/* A script brings its interpreter. */
	assert_int_equal(program_set_add_executable(&ps, "/entry.sh", "named by /x"), 1);
	assert_int_equal(ps.nr, 3);
	assert_string_equal(ps.progs[2].path, "/bin/sh");
	assert_int_equal(program_set_add_executable(&ps, "/usr/local/bin/app", "again"), 0);
	assert_int_equal(ps.nr, 3);
	warn_drain(drop, &warnings);
	assert_int_equal(warnings, 0);
	program_set_release(&ps);
	image_free(img);
	free(ref);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_healthcheck),
		cmocka_unit_test(test_all_binaries),
		cmocka_unit_test(test_add_executable),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
