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
 * Does a Python file's text hold a word that makes the analysis read it
 * (analysis/pycode.h: ctypes, cffi, or a function that runs programs)?
 * A word is at most PATH_PY_WORD_MAX bytes long.
 */
#define PATH_PY_WORD_MAX 10
/* Is 'path' a Python source file (NAME.py)? */
bool path_is_python(const char *path);
bool path_py_text_matters(const char *text, size_t len);

enum path_code path_code_of(const char *path);

/*
 * The value of KEY in a "KEY=VALUE" environment array, or NULL.  The last
 * definition wins, as with execve(); the result points into 'env'.
 */
const char *env_lookup(char *const *env, size_t env_nr, const char *key);

#endif
