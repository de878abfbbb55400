/*
 * Reading Perl, Ruby and JavaScript code for the programs it runs
 * (runcode.c): each call form, shell text in its quoting forms, what is
 * not code (comments, POD, regular expressions, here-documents' bodies
 * that are plain strings), and hostile text.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/runcode.h"
#include "util/xalloc.h"

#define P RUNCODE_PERL
#define R RUNCODE_RUBY
#define J RUNCODE_JS
#define H RUNCODE_PHP
#define L RUNCODE_LUA
#define RR RUNCODE_R
#define SH CODE_CMD_SHELL
#define W CODE_CMD_WORD
#define PA CODE_CMD_PATH

struct cmd_case {
	const char *name;
	enum runcode_lang lang;
	const char *text;
	size_t nr;
	enum code_cmd_kind kind[4];
	const char *cmd[4];
};

static const struct cmd_case cases[] = {
	/* Perl */
	{ "perl system shell", P, "system(\"ionice -c 3 true\") == 0 or die;\n", 1, { SH }, { "ionice -c 3 true" } },
	{ "perl system word", P, "system('sync');\n", 1, { W }, { "sync" } },
	{ "perl system list", P, "system 'tar', '-xf', $f;\n", 1, { W }, { "tar" } },
	{ "perl exec block", P, "exec { 'nginx' } 'nginx', '-g', 'daemon off;';\n", 1, { W }, { "nginx" } },
	{ "perl backticks", P, "my $v = `uname -r`;\n", 1, { SH }, { "uname -r" } },
	{ "perl qx", P, "my @l = qx{ls -l /tmp};\n", 1, { SH }, { "ls -l /tmp" } },
	{ "perl qw list", P, "system(qw(rsync -a src dst));\n", 1, { W }, { "rsync" } },
	{ "perl open pipe from", P, "open(my $fh, \"df -h |\") or die;\n", 1, { SH }, { "df -h" } },
	{ "perl open pipe to", P, "open(MAIL, \"| /usr/sbin/sendmail -t\");\n", 1, { SH }, { "/usr/sbin/sendmail -t" } },
	{ "perl open three args", P, "open my $fh, '-|', 'git', 'log', '-1' or die;\n", 1, { W }, { "git" } },
	{ "perl open file", P, "open(my $fh, '<', '/etc/passwd') or die \"x |\";\n", 0, { W }, { NULL } },
	{ "perl open3", P, "use IPC::Open3;\nmy $pid = open3($in, $out, $err, 'gpg', '--batch');\n", 1, { W },
	  { "gpg" } },
	{ "perl ipc cmd", P, "use IPC::Cmd qw(run);\nrun( command => 'convert a.png b.jpg', verbose => 0 );\n", 1,
	  { SH }, { "convert a.png b.jpg" } },
	{ "perl absolute path", P, "my $x = '/usr/bin/find';\nsystem($x, '.');\n", 1, { PA }, { "/usr/bin/find" } },
	{ "perl path without a call", P, "my $x = '/usr/bin/find';\nprint $x;\n", 0, { W }, { NULL } },
	{ "perl option list", P, "my @cmd = ('ffmpeg', '-i', $in);\nsystem(@cmd);\n", 1, { W }, { "ffmpeg" } },
	{ "perl comment", P, "# system('rm -rf /')\nprint 1;\n", 0, { W }, { NULL } },
	{ "perl pod", P, "=head1 NAME\n\nsystem('halt')\n\n=cut\nprint 1;\n", 0, { W }, { NULL } },
	{ "perl end", P, "print 1;\n__END__\nsystem('halt');\n", 0, { W }, { NULL } },
	{ "perl regex quote", P, "$s =~ s/'//g;\nsystem('sync');\n", 1, { W }, { "sync" } },
	{ "perl regex match", P, "if ($x =~ m{\"}) { system(\"ls\") }\n", 1, { W }, { "ls" } },
	{ "perl method", P, "$obj->system('no');\nsub exec { 1 }\n", 0, { W }, { NULL } },
	{ "perl variable", P, "my %system = ();\n$system{'x'} = 1;\n", 0, { W }, { NULL } },
	{ "perl heredoc", P, "print <<\"EOF\";\nsystem('no')\nEOF\nsystem('yes');\n", 1, { W }, { "yes" } },
	{ "perl heredoc command", P, "my $o = <<`EOC`;\nid -u\nEOC\n", 1, { SH }, { "id -u" } },
	{ "perl special vars", P, "print $\"; print $';\nsystem('sync');\n", 1, { W }, { "sync" } },
	{ "perl core", P, "CORE::system('sync');\n", 1, { W }, { "sync" } },
	/* Ruby */
	{ "ruby system", R, "system(\"ionice -c 3 true\")\n", 1, { SH }, { "ionice -c 3 true" } },
	{ "ruby system no parens", R, "system 'git', 'pull'\n", 1, { W }, { "git" } },
	{ "ruby env hash", R, "system({ 'LANG' => 'C' }, 'sort', 'x')\n", 1, { W }, { "sort" } },
	{ "ruby backticks", R, "v = `uname -r`.strip\n", 1, { SH }, { "uname -r" } },
	{ "ruby percent x", R, "v = %x(hostname -f)\n", 1, { SH }, { "hostname -f" } },
	{ "ruby open3", R, "require 'open3'\nout, st = Open3.capture2('git', 'rev-parse', 'HEAD')\n", 1, { W },
	  { "git" } },
	{ "ruby popen array", R, "IO.popen(['convert', src, dst]) { |io| io.read }\n", 1, { W }, { "convert" } },
	{ "ruby spawn", R, "pid = Process.spawn(\"sleep 1\")\n", 1, { SH }, { "sleep 1" } },
	{ "ruby splat words", R, "system(*%w[rsync -a a b])\n", 1, { W }, { "rsync" } },
	{ "ruby interpolation", R, "system(\"tar -C #{dir} -xf #{file(\"x\")}\")\nsystem('sync')\n", 2, { SH, W },
	  { "tar -C #{dir} -xf #{file(\"x\")}", "sync" } },
	{ "ruby comment", R, "# system('halt')\n=begin\nsystem('halt')\n=end\nputs 1\n", 0, { W }, { NULL } },
	{ "ruby def", R, "def system(x)\n  1\nend\n", 0, { W }, { NULL } },
	{ "ruby heredoc command", R, "out = <<~`SH`\n  id -u\nSH\n", 1, { SH }, { "id -u" } },
	{ "ruby heredoc plain", R, "x = <<~EOS\n  system('no')\nEOS\nsystem('yes')\n", 1, { W }, { "yes" } },
	/* JavaScript */
	{ "js exec", J, "const { execSync } = require('child_process');\nexecSync('sync');\n", 1, { SH }, { "sync" } },
	{ "js spawn", J, "const cp = require('node:child_process');\ncp.spawn('ionice', ['-c', '3', 'true']);\n", 1,
	  { W }, { "ionice" } },
	{ "js spawn shell", J, "import { spawn } from 'child_process';\nspawn('ls -l | wc -l', { shell: true });\n", 1,
	  { SH }, { "ls -l | wc -l" } },
	{ "js execFile", J, "require('child_process').execFile('/usr/bin/git', ['log'], cb);\n", 1, { PA },
	  { "/usr/bin/git" } },
	{ "js template", J, "const cp = require('child_process');\ncp.exec(`convert ${a} ${b}`, cb);\n", 1, { SH },
	  { "convert ${a} ${b}" } },
	{ "js no child_process", J, "exec('sync');\nspawn('ls');\n", 0, { W }, { NULL } },
	{ "js comments", J, "require('child_process');\n// exec('halt')\n/* spawn('halt') */\n", 0, { W }, { NULL } },
	{ "js regex", J, "require('child_process');\nif (/'/.test(s)) execSync(\"sync\");\n", 1, { SH }, { "sync" } },
	{ "js zx", J, "import 'zx/globals';\nawait $`git status`;\n", 1, { SH }, { "git status" } },
	{ "js execa", J, "import { execa } from 'execa';\nawait execa('unzip', ['-o', f]);\n", 1, { W }, { "unzip" } },
	{ "js method name", J, "require('child_process');\nfunction exec(x) { return 1 }\nconst o = { exec: 1 };\n", 0,
	  { W }, { NULL } },
	/* PHP */
	{ "php exec", H, "<?php\nexec('sync -f /tmp', $out);\n", 1, { SH }, { "sync -f /tmp" } },
	{ "php shell_exec", H, "<?php $v = shell_exec(\"ionice -c 3 true\"); ?>\n", 1, { SH }, { "ionice -c 3 true" } },
	{ "php backticks", H, "<?php\n$v = `uname -r`;\n", 1, { SH }, { "uname -r" } },
	{ "php outside the tags", H, "<p>system('halt')</p>\n<?= 1 ?>\n<p>exec('halt')</p>\n", 0, { W }, { NULL } },
	{ "php after a closing tag", H, "<?php echo 1; ?>\n<b>x</b>\n<?php\npassthru('df -h');\n", 1, { SH },
	  { "df -h" } },
	{ "php method", H, "<?php\n$pdo->exec('CREATE TABLE t (x)');\nfunction system($x) {}\n", 0, { W }, { NULL } },
	{ "php comments", H, "<?php\n// exec('halt')\n# system('halt')\n/* popen('halt', 'r') */\n", 0, { W },
	  { NULL } },
	{ "php proc_open array", H, "<?php\n$p = proc_open(['git', 'log'], $spec, $pipes);\n", 1, { W }, { "git" } },
	{ "php symfony", H, "<?php\n$p = new Process(['convert', $a, $b]);\n$q = Process::fromShellCommandline('du -s');\n",
	  2, { W, SH }, { "convert", "du -s" } },
	{ "php heredoc", H, "<?php\n$s = <<<EOT\n  exec('no')\n  EOT;\nexec('sync');\n", 1, { SH }, { "sync" } },
	{ "php error suppression", H, "<?php\n@exec('sync');\n\\system('id');\n", 2, { SH, SH }, { "sync", "id" } },
	{ "php interpolation", H, "<?php\nexec(\"tar -C {$d->path(\"x\")} -xf f\");\n", 1, { SH },
	  { "tar -C {$d->path(\"x\")} -xf f" } },
	/* Lua */
	{ "lua os.execute", L, "local ok = os.execute(\"stty sane\")\n", 1, { SH }, { "stty sane" } },
	{ "lua popen expression", L, "local h = io.popen(os_version_command or \"uname\");\n", 1, { SH }, { "uname" } },
	{ "lua alias", L, "local os_execute = os.execute;\nos_execute(\"openssl genrsa -out k 2048\")\n", 1, { SH },
	  { "openssl genrsa -out k 2048" } },
	{ "lua comments", L, "-- os.execute('halt')\n--[==[ os.execute('halt')\n]==]\nlocal s = [[os.execute('halt')]]\n", 0,
	  { W }, { NULL } },
	{ "lua methods", L, "conn:execute('SELECT 1')\ndb.execute('x')\nlocal t = { execute = 1 }\n", 0, { W }, { NULL } },
	{ "lua posix spawn table", L, "local posix = require 'posix'\nposix.spawn({ 'rsync', '-a', a, b })\n", 1, { W },
	  { "rsync" } },
	{ "lua length", L, "local n = #t\nos.execute 'sync'\n", 1, { SH }, { "sync" } },
	/* R */
	{ "r system", RR, "x <- system(\"ionice -c 3 true\", intern = TRUE)\n", 1, { SH }, { "ionice -c 3 true" } },
	{ "r system2", RR, "system2('sync', c('-f', '/tmp'))\n", 2, { SH, PA }, { "sync", "/tmp" } },
	{ "r processx", RR, "library(processx)\nprocessx::run(\"git\", c(\"log\"))\n", 1, { W }, { "git" } },
	{ "r pipe", RR, "con <- pipe(\"ls -l\", \"r\")\n", 1, { SH }, { "ls -l" } },
	{ "r raw string and names", RR, "x <- r\"(system('no'))\"\n`system`\n# system('no')\nsystem('sync')\n", 1,
	  { SH }, { "sync" } },
	/* Expressions as the first argument */
	{ "perl expression", P, "system($cmd || 'sync');\nsystem(\"ls \" . $dir);\n", 2, { W, SH }, { "sync", "ls" } },
	{ "js expression", J, "require('child_process').execSync(cmd || 'uname -a');\n", 1, { SH }, { "uname -a" } },
	{ "perl hash key", P, "my %h = (system => 'sync', exec => 'x');\n", 0, { W }, { NULL } },
};

static void test_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct cmd_case *c = &cases[i];
		struct code_cmds cc;

		code_cmds_init(&cc);
		runcode_scan_file(&cc, c->lang, "/app/x", c->text, strlen(c->text));
		if (cc.nr != c->nr)
			fail_msg("%s: %zu commands, expected %zu (first: %s)", c->name, cc.nr, c->nr,
				 cc.nr ? cc.v[0].text : "-");
		for (size_t k = 0; k < c->nr; k++)
			if (cc.v[k].kind != c->kind[k] || strcmp(cc.v[k].text, c->cmd[k]) || strcmp(cc.v[k].file, "/app/x"))
				fail_msg("%s: command %zu is %d '%s', expected %d '%s'", c->name, k, cc.v[k].kind,
					 cc.v[k].text, c->kind[k], c->cmd[k]);
		assert_int_equal(cc.files, c->nr ? 1 : 0);
		code_cmds_release(&cc);
	}
}

/* Which files hold which language's code: the '#!' line first, then the name. */
static void test_file_lang(void **state)
{
	(void)state;
	assert_int_equal(runcode_file_lang("/usr/bin/x", "#!/usr/bin/perl -w\n", 19), RUNCODE_PERL);
	assert_int_equal(runcode_file_lang("/x.rb", "#!/usr/bin/env ruby\n", 20), RUNCODE_RUBY);
	assert_int_equal(runcode_file_lang("/bin/x", "#!/usr/bin/env node\n", 20), RUNCODE_JS);
	assert_int_equal(runcode_file_lang("/bin/x", "#!/usr/bin/nodejs\n", 18), RUNCODE_JS);
	assert_int_equal(runcode_file_lang("/x.pl", "#!/bin/sh\n", 10), -1);
	assert_int_equal(runcode_file_lang("/usr/share/perl5/X.pm", NULL, 0), RUNCODE_PERL);
	assert_int_equal(runcode_file_lang("/app/config.ru", NULL, 0), RUNCODE_RUBY);
	assert_int_equal(runcode_file_lang("/app/server.mjs", NULL, 0), RUNCODE_JS);
	assert_int_equal(runcode_file_lang("/app/x.json", NULL, 0), -1);
	assert_int_equal(runcode_file_lang("/var/www/html/index.php", NULL, 0), RUNCODE_PHP);
	assert_int_equal(runcode_file_lang("/usr/lib/prosody/util/x.lua", NULL, 0), RUNCODE_LUA);
	assert_int_equal(runcode_file_lang("/usr/bin/prosody", "#!/usr/bin/env lua5.4\n", 22), RUNCODE_LUA);
	assert_int_equal(runcode_file_lang("/usr/bin/x", "#!/usr/bin/luajit\n", 18), RUNCODE_LUA);
	assert_int_equal(runcode_file_lang("/usr/bin/x", "#!/usr/bin/luarocks\n", 20), -1);
	assert_int_equal(runcode_file_lang("/x/.lua", NULL, 0), -1);
	assert_int_equal(runcode_file_lang("/app/plumber.R", NULL, 0), RUNCODE_R);
	assert_int_equal(runcode_file_lang("/usr/local/bin/x", "#!/usr/bin/env Rscript\n", 23), RUNCODE_R);
	assert_int_equal(runcode_file_lang("/usr/local/bin/x", "#!/usr/bin/env php\n", 19), RUNCODE_PHP);
	assert_true(runcode_text_may_run(RUNCODE_PHP, "<?php shell_exec('x');", 22));
	assert_false(runcode_text_may_run(RUNCODE_PHP, "<?php echo 1;", 13));
	assert_true(runcode_text_may_run(RUNCODE_JS, "require(\"child_process\")", 24));
	assert_false(runcode_text_may_run(RUNCODE_JS, "/x/.exec(s)", 11));
}

/* Hostile text: unterminated strings and bodies, NUL bytes, deep interpolation, no newline. */
static void test_hostile(void **state)
{
	static const char *const texts[] = { "system('", "qx{", "s{a}", "<<\"EOF", "`", "%x(", "system {",
					     "open(", "\"#{#{#{#{", "$", "=pod", "s", "q", "tr/a/", "<<~",
					     "system(\"a\"", "exec { 'x'", "%w[", "?'" };
	struct code_cmds cc;
	char *big;

	(void)state;
	code_cmds_init(&cc);
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		for (int l = 0; l < RUNCODE_NR; l++)
			runcode_scan_file(&cc, (enum runcode_lang)l, "/h", texts[i], strlen(texts[i]));
	big = xmalloc(65536);
	memset(big, '{', 65536);
	memcpy(big, "require('child_process');exec(`${", 34);
	runcode_scan_file(&cc, RUNCODE_JS, "/deep.js", big, 65536);
	memcpy(big, "x = \"#{", 7);
	for (size_t i = 7; i + 3 < 65536; i += 3)
		memcpy(big + i, "\"#{", 3);
	runcode_scan_file(&cc, RUNCODE_RUBY, "/deep.rb", big, 65536);
	memcpy(big, "system('a\0b');\nsystem(\"sync\");", 31);
	runcode_scan_file(&cc, RUNCODE_PERL, "/nul.pl", big, 31);
	assert_true(cc.nr >= 1);
	assert_string_equal(cc.v[cc.nr - 1].text, "sync");
	free(big);
	code_cmds_release(&cc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_file_lang),
		cmocka_unit_test(test_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
