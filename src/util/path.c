#include "util/path.h"

#include <string.h>

#include "util/xalloc.h"

char *path_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

const char *env_lookup(char *const *env, size_t env_nr, const char *key)
{
	size_t klen = strlen(key);

	for (size_t i = env_nr; i > 0; i--) {
		const char *e = env[i - 1];

		if (e && strncmp(e, key, klen) == 0 && e[klen] == '=')
			return e + klen + 1;
	}
	return NULL;
}

bool str_has_suffix(const char *s, const char *suffix)
{
	size_t l = strlen(s), k = strlen(suffix);

	return l >= k && !strcmp(s + l - k, suffix);
}

/* Does the file name 'base' (n bytes) end with one of the NULL-ended 'suffixes', after a name? */
static bool name_has_suffix(const char *base, size_t n, const char *const *suffixes)
{
	for (size_t i = 0; suffixes[i]; i++)
		if (n > strlen(suffixes[i]) && str_has_suffix(base, suffixes[i]))
			return true;
	return false;
}

static const char *path_base(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

enum path_code path_code_of(const char *path)
{
	static const char *const perl[] = { ".pm", ".pl", ".ph", ".pmc", ".al", ".cgi", ".psgi", ".plx", NULL };
	static const char *const ruby[] = { ".rb", ".ru", ".rake", ".gemspec", NULL };
	const char *base = path_base(path);
	size_t n = strlen(base);

	if (name_has_suffix(base, n, perl))
		return PATH_CODE_PERL;
	if (name_has_suffix(base, n, ruby) || !strcmp(base, "Gemfile") || !strcmp(base, "Rakefile"))
		return PATH_CODE_RUBY;
	return PATH_CODE_NONE;
}

enum path_text path_text_of(const char *path)
{
	static const struct {
		enum path_text kind;
		const char *suffixes[4];
	} kinds[] = {
		{ PATH_TEXT_PYTHON, { ".py", NULL } },
		{ PATH_TEXT_JS, { ".js", ".mjs", ".cjs", NULL } },
		{ PATH_TEXT_PHP, { ".php", ".phtml", ".inc", NULL } },
		{ PATH_TEXT_LUA, { ".lua", NULL } },
		{ PATH_TEXT_R, { ".R", ".r", NULL } },
	};
	const char *base = path_base(path);
	size_t n = strlen(base);

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (name_has_suffix(base, n, kinds[i].suffixes))
			return kinds[i].kind;
	return PATH_TEXT_NONE;
}

bool path_text_matters(enum path_text kind, const char *text, size_t len)
{
	static const char *const py[] = { "ctypes", "cffi", "subprocess", "system", "popen",
					  "exec", "spawn", "getoutput", NULL };
	/* Node's module, the packages that wrap it, and zx's ('zx', "zx/globals"). */
	static const char *const js[] = { "child_process", "execa", "shelljs", "cross-spawn", "'zx", "\"zx",
					  NULL };
	/* exec covers shell_exec and pcntl_exec. */
	static const char *const php[] = { "exec", "system", "passthru", "popen", "proc_open", "`", "Process",
					   NULL };
	/* exec covers execute and execp. */
	static const char *const lua[] = { "exec", "popen", "spawn", NULL };
	static const char *const r[] = { "system", "pipe", "processx", "exec_", NULL };
	const char *const *words = kind == PATH_TEXT_PYTHON ? py : kind == PATH_TEXT_JS ? js
								 : kind == PATH_TEXT_PHP ? php
								 : kind == PATH_TEXT_LUA ? lua
								 : kind == PATH_TEXT_R ? r : NULL;

	for (size_t i = 0; words && words[i]; i++)
		if (memmem(text, len, words[i], strlen(words[i])))
			return true;
	return false;
}

char *path_tidy(const char *path, size_t len)
{
	char *out = xmalloc(len + 2), *o = out;

	if (len && path[0] == '/')
		*o++ = '/';
	for (size_t i = 0; i < len;) {
		size_t k = i;

		while (k < len && path[k] != '/')
			k++;
		if (k - i && !(k - i == 1 && path[i] == '.')) {
			if (o > out && o[-1] != '/')
				*o++ = '/';
			memcpy(o, path + i, k - i);
			o += k - i;
		}
		i = k + 1;
	}
	if (o == out)
		*o++ = '.';
	*o = '\0';
	return out;
}
