#ifndef CONFINE_ANALYSIS_RUNCODE_H
#define CONFINE_ANALYSIS_RUNCODE_H

#include <stdbool.h>
#include <stddef.h>

#include "analysis/codecmds.h"

/*
 * The programs Perl, Ruby, JavaScript, PHP, Lua and R code runs.  An interpreter
 * executes what its code names: Perl's system("sync") or `ionice ...`,
 * Ruby's Open3.capture2("git", "log"), Node.js's
 * child_process.execSync("convert ...").  No object of the interpreter
 * names those programs, so the analysis of perl, ruby or node does not
 * reach them; the image's code does (pycode.h does the same for Python).
 *
 * What is read (a light tokenizer per language: comments, strings and
 * their interpolations, Perl's quote-like operators and POD, Ruby's
 * %-literals, here-documents, regular expressions where a value cannot
 * be):
 *   - shell text: Perl's, Ruby's and PHP's `...`, qx{...} and %x(...),
 *     a here-document in backquotes, zx's $`...`;
 *   - a call's first string argument.  Perl: system, exec (also
 *     `system { "prog" } ...`), readpipe, open's pipe forms ("cmd |",
 *     "| cmd", '-|' then the command), open2, open3, IPC::Run's run/start
 *     with an array, IPC::System::Simple's capture/systemx/capturex/runx,
 *     IPC::Cmd's `command => "..."`.  Ruby: system, exec, spawn, popen,
 *     Open3's capture*, popen*, pipeline*, after an environment hash.
 *     Node.js: exec, execSync (shell text), execFile, execFileSync, execa,
 *     execaSync (a program), spawn, spawnSync (a program, or shell text
 *     when it has a blank: {shell: true}), execaCommand (shell text).
 *     PHP (inside <?php ... ?>): exec, shell_exec, system, passthru,
 *     popen, proc_open (shell text, or an array), pcntl_exec, Symfony's
 *     new Process([...]) and Process::fromShellCommandline().  Lua:
 *     os.execute, io.popen, luaposix's exec, execp and spawn (a table's
 *     first element).  R: system, system2, pipe (shell text), processx's
 *     run, sys's exec_wait, exec_background, exec_internal (a program);
 *     an installed package's code is a lazy-load database, not read: the
 *     application's own .R files are.  A name the file gives such a call
 *     counts as it
 *     (local os_execute = os.execute).  Every string of the first
 *     argument counts when it is an expression (io.popen(cmd or "uname"),
 *     system("ls " . $dir)).  A
 *     string followed by more arguments is a program name (Perl's and
 *     Ruby's list forms run no shell); alone, shell text.  The first
 *     element of an array or qw()/%w() list argument is a program;
 *   - in a file that runs programs: every string that is an absolute path
 *     (its first word) and the first element of any list whose second
 *     is an option (["ffmpeg", "-i", src]), as pycode.h.
 * JavaScript files count only when they name child_process or a package
 * around it (execa, shelljs, cross-spawn, zx); PHP files when they name
 * one of its functions (path_text_matters).  Not seen: a command the
 * code computes ("$cmd", a variable), a method of that name on another
 * object running something else (that only widens the set).
 */
enum runcode_lang {
	RUNCODE_PERL = 0,
	RUNCODE_RUBY,
	RUNCODE_JS,
	RUNCODE_PHP,
	RUNCODE_LUA,
	RUNCODE_R,
	RUNCODE_NR
};

/* Largest file read. */
#define RUNCODE_MAX_FILE (32u << 20)

/*
 * The language of a file's code, or -1: its '#!' line when it has one
 * ('head', head_len bytes of its start; NULL when unknown), else its name
 * (Perl's .pm .pl .cgi..., Ruby's .rb .ru..., .js .mjs .cjs, .php .phtml,
 * .lua, .R .r).
 */
int runcode_file_lang(const char *path, const char *head, size_t head_len);

/* Does the file name say it holds code of 'lang' (not a '#!' script)? */
bool runcode_named(enum runcode_lang lang, const char *path);

/* May 'text' run programs (a cheap test before runcode_scan_file)? */
bool runcode_text_may_run(enum runcode_lang lang, const char *text, size_t len);

/* Read 'text' (len bytes), the content of 'path', as code of 'lang': the commands it runs go to cc. */
void runcode_scan_file(struct code_cmds *cc, enum runcode_lang lang, const char *path, const char *text,
		       size_t len);

#endif
