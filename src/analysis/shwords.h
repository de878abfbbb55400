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

/*
 * The same, and command words that expand variables ("$HTTPD",
 * ${PYTHON:-python3}) name every value the variables can hold: their value
 * in 'env', what the script (or a file it sources with '.' or 'source',
 * read through 'read') assigns them, and the defaults of ${X:-W}.  A value
 * only the run can tell ($(cmd), $1, ${X#pat}) names nothing.
 */
struct shwords_env {
	char *const *env; /* NAME=VALUE: the environment the script runs with; NULL: unknown */
	size_t env_nr;
	/* A file the script sources, by absolute path (NULL: none); the caller frees. May be NULL. */
	char *(*read)(void *arg, const char *path, size_t *len);
	void *arg;
};
size_t shwords_commands_env(const char *text, size_t len, const struct shwords_env *e, char ***out);

#endif
