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
