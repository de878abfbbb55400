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
