/*
 * Reading Perl's and Ruby's code for their syscall builtins (langsys.c):
 * which words are calls, which numbers they give, and what is not code
 * (POD, =begin/=end, comments, __END__, strings, hash keys, subs and
 * methods of that name).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/langsys.h"
#include "util/xalloc.h"

struct scan_case {
	const char *name;
	enum langsys_lang lang;
	const char *path;
	const char *text;
	bool known;
	const char *calls; /* the set, space-separated names in number order; NULL: not checked */
};

/* The set's names, in number order, space-separated. */
static char *set_names(const struct langsys *ls)
{
	char *out = xstrdup("");

	for (int n = 0; n < SYSSET_NR; n++) {
		char *t;

		if (!sysset_has(&ls->set, n))
			continue;
		t = xasprintf("%s%s%s", out, *out ? " " : "", syscall_name(SYS_ARCH_X86_64, n));
		free(out);
		out = t;
	}
	return out;
}

static const struct scan_case cases[] = {
	/* Perl: the forms Debian's modules use, and literals. */
	{ "perl syscall.ph name", LANGSYS_PERL, "/x/Host.pm",
	  "require \"syscall.ph\";\nsyscall(&SYS_vhangup, 0) == 0;\n", true, "vhangup" },
	{ "perl package-qualified", LANGSYS_PERL, "/x/D.pm", "(syscall(&main::SYS_gettid, $t, 256) == 0)\n", true,
	  "gettid" },
	{ "perl bareword and ()", LANGSYS_PERL, "/x/a.pl", "my $r = syscall(SYS_getpid());\n", true, "getpid" },
	{ "perl literal, no parens", LANGSYS_PERL, "/x/a.pl", "syscall 27, $a, $b;\n", true, "mincore" },
	{ "perl hex literal and CORE::", LANGSYS_PERL, "/x/a.pl", "CORE::syscall(0x99);\n", true, "vhangup" },
	{ "perl __NR_ name", LANGSYS_PERL, "/x/a.pl", "syscall(&__NR_getppid);\n", true, "getppid" },
	{ "perl argument on the next line", LANGSYS_PERL, "/x/a.pl", "syscall(\n    &SYS_getpgrp,\n  0);\n", true,
	  "getpgrp" },
	/* A name x86_64 lacks dies at run time: no call, still known. */
	{ "perl name x86_64 lacks", LANGSYS_PERL, "/x/Hostname.pm",
	  "syscall(&SYS_gethostname, $host, 65) == 0;\nsyscall(&SYS_systeminfo, &SI_HOSTNAME, $host, 65);\n", true,
	  "" },
	{ "perl number past the table", LANGSYS_PERL, "/x/a.pl", "syscall(99999);\n", true, "" },
	/* Computed numbers. */
	{ "perl variable", LANGSYS_PERL, "/x/a.pl", "my $n = 39;\nsyscall($n, 0);\n", false, NULL },
	{ "perl expression", LANGSYS_PERL, "/x/a.pl", "syscall(&SYS_getpid + 1);\n", false, NULL },
	{ "perl list", LANGSYS_PERL, "/x/a.pl", "syscall(@args);\n", false, NULL },
	{ "perl constant of its own", LANGSYS_PERL, "/x/a.pl", "use constant NR => 39;\nsyscall(NR);\n", false, NULL },
	/* Not calls: documentation, comments, data, strings, names. */
	{ "perl pod", LANGSYS_PERL, "/x/S.pm",
	  "1;\n=head1 SEE\n\nThe sendto(2) syscall of the same name, syscall($x).\n\n=cut\nsyscall(39);\n", true,
	  "getpid" },
	{ "perl comments", LANGSYS_PERL, "/x/a.pl", "# syscall is preferred\nmy $x = 1; # syscall($n)\n", true, "" },
	{ "perl __END__ and __DATA__", LANGSYS_PERL, "/x/F.pm", "1;\n__DATA__\nsyscall\tBinary\tI/O\tsyscall($n)\n",
	  true, "" },
	{ "perl strings and file names", LANGSYS_PERL, "/x/a.pl",
	  "require \"sys/syscall.ph\"; require 'syscall.ph'; listop(@_, \"syscall\");\n", true, "" },
	{ "perl hash keys, subs, variables", LANGSYS_PERL, "/x/a.pl",
	  "$bits{syscall} = 1; my %h = (syscall => 2); $o->syscall($n); &syscall($n); $syscall = 3; @syscall = ();\n"
	  "sub pp_syscall { } Foo::syscall($n); x(-syscall);\n",
	  true, "" },
	{ "perl eval of a string", LANGSYS_PERL, "/x/a.pl", "eval \"syscall(110)\"; eval 'syscall($n)';\n", false,
	  NULL },
	{ "perl regex alternation", LANGSYS_PERL, "/x/D.pm", "/^(?:getlogin|syscall|lock)\\z/x;\n", true, "" },
	{ "perl words around", LANGSYS_PERL, "/x/a.pl", "syscalls(1); my_syscall($n); Linux-syscall-note;\n", true, "" },
	/* Ruby. */
	{ "ruby literal", LANGSYS_RUBY, "/x/a.rb", "Kernel.syscall(153)\nsyscall 27, 0\n", true, "mincore vhangup" },
	{ "ruby underscores", LANGSYS_RUBY, "/x/a.rb", "syscall(1_86)\n", true, "gettid" },
	{ "ruby variable", LANGSYS_RUBY, "/x/a.rb", "nr = 39\nsyscall(nr)\n", false, NULL },
	{ "ruby symbol", LANGSYS_RUBY, "/x/a.rb", "Kernel.send(:syscall, nr)\n", false, NULL },
	{ "ruby method name", LANGSYS_RUBY, "/x/a.rb", "Kernel.__send__(\"syscall\", nr)\n", false, NULL },
	/* Strings are not followed: a word after a blank reads as a call (only widens). */
	{ "prose in a string", LANGSYS_PERL, "/x/a.pl", "die \"the syscall failed\";\n", false, NULL },
	{ "ruby not calls", LANGSYS_RUBY, "/x/licenses.rb",
	  "# syscall(nr)\nx = %w[Linux-syscall-note]\nh = { syscall: 1 }\ndef syscall(a)\nend\no.syscall(n)\n"
	  "x = 'syscall-free'\n=begin\nsyscall(n)\n=end\nputs \"#{x}\" # syscall(n)\n__END__\nsyscall(n)\n",
	  true, "" },
};

static void test_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct scan_case *c = &cases[i];
		struct langsys ls[LANGSYS_NR];
		char *names;

		for (unsigned l = 0; l < LANGSYS_NR; l++)
			langsys_init(&ls[l], (enum langsys_lang)l);
		langsys_scan_file(ls, 1u << c->lang, langsys_file_langs(c->path, c->text, strlen(c->text)), c->path,
				  c->text, strlen(c->text));
		names = set_names(&ls[c->lang]);
		if (ls[c->lang].known != c->known || (c->calls && strcmp(names, c->calls)))
			fail_msg("%s: known %d (want %d), calls '%s' (want '%s'), unknown: %s", c->name,
				 ls[c->lang].known, c->known, names, c->calls ? c->calls : "?",
				 ls[c->lang].unknown ? ls[c->lang].unknown : "-");
		free(names);
		for (unsigned l = 0; l < LANGSYS_NR; l++)
			langsys_release(&ls[l]);
	}
}

/* The reason and the notes name the file and the line. */
static void test_reasons(void **state)
{
	struct langsys ls[LANGSYS_NR];
	const char *text = "#!/usr/bin/perl\n\nsyscall(&SYS_vhangup);\nmy $n = shift;\nsyscall($n, 1);\n";

	(void)state;
	for (unsigned l = 0; l < LANGSYS_NR; l++)
		langsys_init(&ls[l], (enum langsys_lang)l);
	langsys_scan_file(ls, 3, langsys_file_langs("/usr/local/bin/tool", text, strlen(text)), "/usr/local/bin/tool",
			  text, strlen(text));
	assert_false(ls[LANGSYS_PERL].known);
	assert_non_null(strstr(ls[LANGSYS_PERL].unknown, "syscall($n, 1) at /usr/local/bin/tool:5"));
	assert_string_equal(langsys_note(&ls[LANGSYS_PERL], 153), "syscall(&SYS_vhangup) at /usr/local/bin/tool:3");
	assert_null(langsys_note(&ls[LANGSYS_PERL], 39));
	/* A Perl script is no Ruby code. */
	assert_int_equal(ls[LANGSYS_RUBY].files, 0);
	for (unsigned l = 0; l < LANGSYS_NR; l++)
		langsys_release(&ls[l]);
}

/* Which files hold whose code: names, '#!' lines, and code inside other scripts. */
static void test_files(void **state)
{
	struct langsys ls[LANGSYS_NR];
	const char *sh = "#!/bin/sh\nexec perl -e 'syscall(153)' \"$@\"\n";
	const char *sh_quiet = "#!/bin/sh\necho syscall(7)\n";
	char *const argv[] = { "/usr/bin/perl5.36.0", "-e", "syscall(&SYS_getppid)" };
	char *const not_perl[] = { "/bin/sh", "-c", "syscall(1)" };

	(void)state;
	assert_int_equal(langsys_file_langs("/usr/share/perl5/X.pm", NULL, 0), 1u << LANGSYS_PERL);
	assert_int_equal(langsys_file_langs("/app/Gemfile", NULL, 0), 1u << LANGSYS_RUBY);
	assert_int_equal(langsys_file_langs("/app/x.rb", "#!/usr/bin/env perl\n", 20), 1u << LANGSYS_PERL);
	assert_int_equal(langsys_file_langs("/usr/bin/t", "#!/usr/bin/ruby3.1 -w\n", 22), 1u << LANGSYS_RUBY);
	assert_int_equal(langsys_file_langs("/usr/bin/t", "#!/bin/sh\n", 10), LANGSYS_OTHER_SCRIPT);
	assert_int_equal(langsys_file_langs("/usr/bin/t", NULL, 0), 0);
	assert_int_equal(langsys_file_langs("/x/.pm", NULL, 0), 0);
	for (unsigned l = 0; l < LANGSYS_NR; l++)
		langsys_init(&ls[l], (enum langsys_lang)l);
	/* perl -e '...' in a shell script: code, quote and all. */
	langsys_scan_file(ls, 3, LANGSYS_OTHER_SCRIPT, "/entry.sh", sh, strlen(sh));
	assert_true(sysset_has(&ls[LANGSYS_PERL].set, 153));
	assert_int_equal(ls[LANGSYS_RUBY].files, 0);
	/* A script that names no interpreter is not read. */
	langsys_scan_file(ls, 3, LANGSYS_OTHER_SCRIPT, "/quiet.sh", sh_quiet, strlen(sh_quiet));
	assert_false(sysset_has(&ls[LANGSYS_PERL].set, 7));
	/* A command line: perl's, not a shell's. */
	langsys_scan_argv(&ls[LANGSYS_PERL], argv, 3);
	langsys_scan_argv(&ls[LANGSYS_PERL], not_perl, 3);
	assert_true(sysset_has(&ls[LANGSYS_PERL].set, 110));
	assert_false(sysset_has(&ls[LANGSYS_PERL].set, 1));
	assert_true(ls[LANGSYS_PERL].known);
	assert_true(langsys_argv_runs("ruby3.1", LANGSYS_RUBY));
	assert_false(langsys_argv_runs("/usr/bin/perlbug-x", LANGSYS_RUBY));
	for (unsigned l = 0; l < LANGSYS_NR; l++)
		langsys_release(&ls[l]);
}

/* Hostile text: no crash, no read past the end (ASan), unknown where in doubt. */
static void test_hostile(void **state)
{
	static const char *const texts[] = {
		"syscall", "syscall(", "syscall(&", "syscall(&SYS_", "syscall(0x", "=head1\nsyscall(1)", "CORE::syscall",
		"syscall(&SYS_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa)",
		"syscall(99999999999999999999999999)", "\nsyscall\n", "Kernel.syscall", ":syscall", "syscall(1_)",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		for (unsigned l = 0; l < LANGSYS_NR; l++) {
			struct langsys ls[LANGSYS_NR];
			size_t n = strlen(texts[i]);
			char *copy = xstrndup(texts[i], n); /* exactly n bytes and a NUL: ASan sees overreads */

			for (unsigned k = 0; k < LANGSYS_NR; k++)
				langsys_init(&ls[k], (enum langsys_lang)k);
			langsys_scan_file(ls, 1u << l, 1u << l, "/h", copy, n);
			free(copy);
			for (unsigned k = 0; k < LANGSYS_NR; k++)
				langsys_release(&ls[k]);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_reasons),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
