#ifndef CONFINE_UTIL_PATH_H
#define CONFINE_UTIL_PATH_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The folder part of 'path' as dirname(3) gives it ("." without a slash,
 * "/" for a top-level name), newly allocated: the caller frees it.
 */
char *path_dirname(const char *path);

/*
 * The first 'len' bytes of 'path' with empty and "." components left out
 * ("/a//./b/" is "/a/b"; ".." is kept, for a resolver that knows the
 * links), newly allocated.  A relative path stays relative ("." for none).
 */
char *path_tidy(const char *path, size_t len);

/* Does s end with suffix (every s does with "")? */
bool str_has_suffix(const char *s, const char *suffix);

/*
 * The interpreted language a file's name says it holds code of: Perl's
 * .pm .pl .ph .pmc .al .cgi .psgi .plx, Ruby's .rb .ru .rake .gemspec,
 * Gemfile and Rakefile (the image layer keeps such files' content for
 * analysis/langsys, which reads them).
 */
enum path_code {
	PATH_CODE_NONE = 0,
	PATH_CODE_PERL,
	PATH_CODE_RUBY,
};
/*
 * Source files whose text decides whether the analysis reads them (and so
 * whether the image layer keeps them): Python (NAME.py, analysis/pycode.h:
 * ctypes, cffi, or a function that runs programs) and JavaScript (.js
 * .mjs .cjs, analysis/runcode.h: child_process and the packages around
 * it), PHP (.php .phtml .inc: the functions that run programs,
 * backquotes, Symfony's Process), Lua (.lua: os.execute, io.popen,
 * luaposix's exec and spawn) and R (.R .r: system, pipe, processx's
 * run, sys's exec_*).  A word looked for is at most
 * PATH_TEXT_WORD_MAX bytes long.
 */
enum path_text {
	PATH_TEXT_NONE = 0,
	PATH_TEXT_PYTHON,
	PATH_TEXT_JS,
	PATH_TEXT_PHP,
	PATH_TEXT_LUA,
	PATH_TEXT_R,
};
#define PATH_TEXT_WORD_MAX 13
enum path_text path_text_of(const char *path);
bool path_text_matters(enum path_text kind, const char *text, size_t len);

enum path_code path_code_of(const char *path);

/*
 * The value of KEY in a "KEY=VALUE" environment array, or NULL.  The last
 * definition wins, as with execve(); the result points into 'env'.
 */
const char *env_lookup(char *const *env, size_t env_nr, const char *key);

#endif
