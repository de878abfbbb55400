#ifndef CONFINE_ANALYSIS_SHWORDS_H
#define CONFINE_ANALYSIS_SHWORDS_H

#include <stddef.h>

/*
 * The programs a POSIX shell script (an entrypoint script, a 'sh -c'
 * string) runs, read from its text without running it: the literal first
 * word of each simple command, at the top level, after ; & | && || and
 * newlines, after if/then/else/do/!, in $(...) and `...` (in double quotes
 * too), in a case's branches, and the command a wrapper runs (exec,
 * command, env, nice, nohup, timeout, xargs, gosu, su-exec, chroot ...;
 * the wrappers that are programs themselves count too).  Not counted:
 * assignments, redirections and their targets, here-documents, comments,
 * quoted or expanded words ("$cmd", *.sh: only the run can tell), the
 * shell's builtins and reserved words, and the functions the script
 * defines.  Names are as written ("nginx", "/usr/bin/env"), each once, in
 * order of first use, at most SHWORDS_MAX.
 */
#define SHWORDS_MAX 512

/* Returns how many names *out holds (release with free_strv). */
size_t shwords_commands(const char *text, size_t len, char ***out);

#endif
