/*
 * Reading Python code for the C functions it calls through ctypes or cffi
 * (pycode.c): which files count, which words are names, which libraries are
 * loaded, and what is not code (comments, strings but whole identifiers,
 * numbers, ellipses).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/pycode.h"
#include "util/xalloc.h"

struct scan_case {
	const char *name;
	const char *text;
	const char *has;     /* names that must be read, space-separated */
	const char *lacks;   /* names that must not be */
	const char *libs;    /* the libraries, sorted, space-separated; NULL: not checked */
	size_t files;        /* 1: the file uses ctypes or cffi */
};

static const struct scan_case cases[] = {
	{ "attribute", "import ctypes\nlibc = ctypes.CDLL(None)\nlibc.syncfs(3)\n", "syncfs CDLL", "libc", "", 1 },
	{ "getattr string", "import ctypes\ngetattr(lib, 'personality')()\n", "personality", "getattr lib", "", 1 },
	{ "subscript string", "from ctypes import CDLL\nCDLL('libc.so.6')[\"readahead\"]\n", "readahead",
	  "", "libc.so.6", 1 },
	{ "no ctypes in code", "import os\nos.syncfs = 1\nx = 'ctypes'\n# import ctypes\n", "", "syncfs", "", 0 },
	{ "comment", "import ctypes\n# libc.swapoff(b'/s')\nlibc.sync()\n", "sync", "swapoff", "", 1 },
	{ "docstring words", "import ctypes\n\"\"\"libc.syncfs(3) is documented\"\"\"\n", "",
	  "syncfs documented", "", 1 },
	{ "whole-identifier string", "import ctypes\nn = 'acct'\nm = 'not one'\n", "acct", "not one", "", 1 },
	{ "find_library", "import ctypes.util\nctypes.CDLL(ctypes.util.find_library('magic'))\n", "", "",
	  "libmagic.so*", 1 },
	{ "find_library lib prefix", "import ctypes.util\nctypes.util.find_library(\"libfoo\")\n", "", "",
	  "libfoo.so*", 1 },
	{ "LoadLibrary path", "import ctypes\nctypes.cdll.LoadLibrary('/opt/x/libz.so')\n", "", "", "/opt/x/libz.so",
	  1 },
	{ "computed library", "import ctypes\nctypes.CDLL(name)\nctypes.CDLL(None)\n", "", "", "", 1 },
	{ "raw and byte prefixes", "import ctypes\nx = rb'unshare'\ny = f\"{a}\"\nlib.setns\n", "unshare setns",
	  "rb", "", 1 },
	{ "cffi cdef", "from cffi import FFI\nffi = FFI()\nffi.cdef('int unshare(int flags); long\\n"
	  "quotactl (int);')\nC = ffi.dlopen('c')\n", "unshare quotactl cdef", "flags", "libc.so*", 1 },
	{ "cdef only with cffi", "import ctypes\ns = 'int unshare(int);'\n", "", "unshare", "", 1 },
	{ "numbers and ellipsis", "import ctypes\nx = 1.5e3\ny = ...\nz = 0x10.real\n", "", "5e3 real", "", 1 },
	{ "unterminated string", "import ctypes\nx = 'abc\nlib.mount\n", "mount", "", "", 1 },
	{ "triple unterminated", "import ctypes\nx = '''abc\nlib.mount\n", "", "mount", "", 1 },
	{ "escaped quote", "import ctypes\nx = 'a\\'b'\nlib.pivot_root\n", "pivot_root", "", "", 1 },
	{ "continuation", "import ctypes\nx = lib \\\n    .kexec_load\n", "kexec_load", "", "", 1 },
};

static bool listed(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; (p = strstr(p, word)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return true;
	return false;
}

static void test_scan_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct scan_case *c = &cases[i];
		struct pycode pf;
		char *words, *w, *save = NULL;

		pycode_init(&pf);
		pycode_scan_file(&pf, "/app/x.py", c->text, strlen(c->text));
		if (pf.files != c->files)
			fail_msg("%s: files %zu, expected %zu", c->name, pf.files, c->files);
		words = xstrdup(c->has);
		for (w = strtok_r(words, " ", &save); w; w = strtok_r(NULL, " ", &save))
			if (!strmap_contains(&pf.names, w))
				fail_msg("%s: %s not read", c->name, w);
		free(words);
		words = xstrdup(c->lacks);
		for (w = strtok_r(words, " ", &save); w; w = strtok_r(NULL, " ", &save))
			if (strmap_contains(&pf.names, w))
				fail_msg("%s: %s read", c->name, w);
		free(words);
		if (c->libs) {
			size_t n;
			const char **v = pycode_libs(&pf, &n);
			size_t want = 0;

			for (const char *p = c->libs; *p; p++)
				want += (p == c->libs || p[-1] == ' ') && *p != ' ';
			if (n != want)
				fail_msg("%s: %zu libraries, expected %zu", c->name, n, want);
			for (size_t k = 0; k < n; k++)
				if (!listed(c->libs, v[k]))
					fail_msg("%s: library %s not expected", c->name, v[k]);
			free(v);
		}
		pycode_release(&pf);
	}
}

/* The packages' own folders and files that are not Python source are not read. */
static void test_paths(void **state)
{
	(void)state;
	assert_true(pycode_path_wanted("/app/x.py"));
	assert_true(pycode_path_wanted("/usr/lib/python3/dist-packages/magic/loader.py"));
	assert_true(pycode_path_wanted("/usr/lib/python3.11/ctypes/util.py")); /* it runs ldconfig */
	assert_false(pycode_path_wanted("/app/x.pyc"));
	assert_false(pycode_path_wanted(".py"));
}

/* ctypes' and cffi's own files: their programs count, their names do not (they are the mechanism). */
static void test_mechanism(void **state)
{
	static const char text[] = "import ctypes, subprocess\nlib.some_fn\n"
				   "subprocess.run(['ldconfig', '-p'])\n";
	struct pycode pf;

	(void)state;
	pycode_init(&pf);
	pycode_scan_file(&pf, "/usr/lib/python3.11/ctypes/util.py", text, strlen(text));
	assert_int_equal(pf.files, 0);
	assert_false(strmap_contains(&pf.names, "some_fn"));
	assert_int_equal(pf.cmds.nr, 1);
	assert_int_equal(pf.cmds.v[0].kind, CODE_CMD_WORD);
	assert_string_equal(pf.cmds.v[0].text, "ldconfig");
	pycode_release(&pf);
}

struct cmd_case {
	const char *name;
	const char *text;
	size_t nr;                  /* commands read */
	enum code_cmd_kind kind[4];
	const char *cmd[4];
};

static const struct cmd_case cmd_cases[] = {
	{ "subprocess list", "import subprocess\nsubprocess.run(['git', 'log'], check=True)\n", 1, { CODE_CMD_WORD },
	  { "git" } },
	{ "Popen string", "from subprocess import Popen\nPopen('ls -l | grep x', shell=True)\n", 1,
	  { CODE_CMD_SHELL }, { "ls -l | grep x" } },
	{ "os.system", "import os\nos.system(\"uname -a\")\n", 1, { CODE_CMD_SHELL }, { "uname -a" } },
	{ "execvp name", "import os\nos.execvp('nginx', ['nginx', '-g'])\n", 1, { CODE_CMD_WORD }, { "nginx" } },
	{ "absolute path", "import os\nos.execv('/usr/sbin/foo', x)\n", 1, { CODE_CMD_PATH }, { "/usr/sbin/foo" } },
	{ "command list with options", "import subprocess\ncmd = ['ffmpeg', '-i', src]\nsubprocess.run(cmd)\n", 1,
	  { CODE_CMD_WORD }, { "ffmpeg" } },
	{ "tuple without options", "import subprocess\ncaps = ('LOGIN', 'AUTH')\n", 0, { 0 }, { NULL } },
	{ "other run()", "import subprocess\napp.run('web')\nrun('x')\n", 0, { 0 }, { NULL } },
	{ "no process function", "x = ['git', '-C', d]\ny = '/bin/sh'\n", 0, { 0 }, { NULL } },
	{ "create_subprocess_exec", "import asyncio\nasyncio.create_subprocess_exec('/bin/true', 'x')\n", 1,
	  { CODE_CMD_PATH }, { "/bin/true" } },
	{ "check_output bare", "from subprocess import check_output\ncheck_output([\"ip\", \"addr\"])\n", 1,
	  { CODE_CMD_WORD }, { "ip" } },
	{ "computed", "import subprocess\nsubprocess.run([prog, '-x'])\nsubprocess.run(cmd)\n", 0, { 0 }, { NULL } },
};

static void test_cmd_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cmd_cases) / sizeof(cmd_cases[0]); i++) {
		const struct cmd_case *c = &cmd_cases[i];
		struct pycode pf;

		pycode_init(&pf);
		pycode_scan_file(&pf, "/app/x.py", c->text, strlen(c->text));
		if (pf.cmds.nr != c->nr)
			fail_msg("%s: %zu commands, expected %zu (first: %s)", c->name, pf.cmds.nr, c->nr,
				 pf.cmds.nr ? pf.cmds.v[0].text : "-");
		for (size_t k = 0; k < c->nr; k++)
			if (pf.cmds.v[k].kind != c->kind[k] || strcmp(pf.cmds.v[k].text, c->cmd[k]) ||
			    strcmp(pf.cmds.v[k].file, "/app/x.py"))
				fail_msg("%s: command %zu is %d '%s', expected %d '%s'", c->name, k, pf.cmds.v[k].kind,
					 pf.cmds.v[k].text, c->kind[k], c->cmd[k]);
		pycode_release(&pf);
	}
}

/* Names across files add up; a file that does not use ctypes adds none; the first file is kept. */
static void test_files_add_up(void **state)
{
	struct pycode pf;
	const char **v;
	size_t n;

	(void)state;
	pycode_init(&pf);
	pycode_scan_file(&pf, "/a.py", "import ctypes\nl.b_fn\n", 20);
	pycode_scan_file(&pf, "/b.py", "import os\nl.c_fn\n", 17);
	pycode_scan_file(&pf, "/c.py", "import cffi\nl.a_fn\n", 19);
	assert_int_equal(pf.files, 2);
	assert_string_equal(pf.first, "/a.py");
	v = pycode_names(&pf, &n);
	assert_int_equal(n, 2);
	assert_string_equal(v[0], "a_fn");
	assert_string_equal(v[1], "b_fn");
	free(v);
	pycode_release(&pf);
}

/* Hostile text: long names, NUL bytes, a lone quote at the end, no newline. */
static void test_hostile(void **state)
{
	static const char *const texts[] = { "import ctypes\n'", "import ctypes\n\"\"\"", "import ctypes\nx.",
					     "import ctypes\nCDLL(", "import ctypes\n\\", "ctypes" };
	struct pycode pf;
	char *big;

	(void)state;
	pycode_init(&pf);
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		pycode_scan_file(&pf, "/h.py", texts[i], strlen(texts[i]));
	big = xmalloc(4096);
	memcpy(big, "import ctypes\nx.", 16);
	memset(big + 16, 'a', 4096 - 16);
	pycode_scan_file(&pf, "/big.py", big, 4096);
	memcpy(big, "import ctypes\nx.ab\0cd.ef", 24);
	pycode_scan_file(&pf, "/nul.py", big, 24);
	assert_false(strmap_contains(&pf.names, "aaaa"));
	assert_true(strmap_contains(&pf.names, "ab"));
	free(big);
	pycode_release(&pf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scan_cases),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_mechanism),
		cmocka_unit_test(test_cmd_cases),
		cmocka_unit_test(test_files_add_up),
		cmocka_unit_test(test_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
