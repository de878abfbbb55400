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

enum path_code path_code_of(const char *path)
{
	static const char *const perl[] = { ".pm", ".pl", ".ph", ".pmc", ".al", ".cgi", ".psgi", ".plx" };
	static const char *const ruby[] = { ".rb", ".ru", ".rake", ".gemspec" };
	const char *base = strrchr(path, '/');
	size_t bl;

	base = base ? base + 1 : path;
	bl = strlen(base);
	for (size_t i = 0; i < sizeof(perl) / sizeof(perl[0]); i++)
		if (bl > strlen(perl[i]) && str_has_suffix(base, perl[i]))
			return PATH_CODE_PERL;
	for (size_t i = 0; i < sizeof(ruby) / sizeof(ruby[0]); i++)
		if (bl > strlen(ruby[i]) && str_has_suffix(base, ruby[i]))
			return PATH_CODE_RUBY;
	if (!strcmp(base, "Gemfile") || !strcmp(base, "Rakefile"))
		return PATH_CODE_RUBY;
	return PATH_CODE_NONE;
}

enum path_text path_text_of(const char *path)
{
	static const char *const js[] = { ".js", ".mjs", ".cjs" };
	static const char *const php[] = { ".php", ".phtml", ".inc" };
	const char *base = strrchr(path, '/');
	size_t n;

	base = base ? base + 1 : path;
	n = strlen(base);
	if (n > 3 && !strcmp(base + n - 3, ".py"))
		return PATH_TEXT_PYTHON;
	for (size_t i = 0; i < sizeof(js) / sizeof(js[0]); i++)
		if (n > strlen(js[i]) && str_has_suffix(base, js[i]))
			return PATH_TEXT_JS;
	for (size_t i = 0; i < sizeof(php) / sizeof(php[0]); i++)
		if (n > strlen(php[i]) && str_has_suffix(base, php[i]))
			return PATH_TEXT_PHP;
	if (n > 4 && str_has_suffix(base, ".lua"))
		return PATH_TEXT_LUA;
	if (n > 2 && (str_has_suffix(base, ".R") || str_has_suffix(base, ".r")))
		return PATH_TEXT_R;
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
