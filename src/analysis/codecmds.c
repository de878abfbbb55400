#include "analysis/codecmds.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

void code_cmds_init(struct code_cmds *cc)
{
	memset(cc, 0, sizeof(*cc));
	strmap_init(&cc->seen);
}

void code_cmds_release(struct code_cmds *cc)
{
	for (size_t i = 0; i < cc->nr; i++) {
		free(cc->v[i].text);
		free(cc->v[i].file);
	}
	free(cc->v);
	strmap_release(&cc->seen, NULL);
	memset(cc, 0, sizeof(*cc));
}

void code_cmds_put(struct code_cmds *cc, enum code_cmd_kind kind, const char *s, size_t n, const char *file)
{
	char *key;

	if (!n || n > CODE_CMD_LEN || memchr(s, '\0', n) || (kind != CODE_CMD_SHELL && memchr(s, '\n', n)))
		return;
	key = xasprintf("%d:%.*s", (int)kind, (int)n, s);
	if (!strmap_contains(&cc->seen, key)) {
		if (cc->nr >= CODE_CMDS_MAX) {
			cc->cut = true;
		} else {
			strmap_put(&cc->seen, key, NULL);
			ALLOC_GROW(cc->v, cc->nr + 1, cc->alloc);
			cc->v[cc->nr++] = (struct code_cmd){ kind, xstrndup(s, n), xstrdup(file) };
		}
	}
	free(key);
}

void code_cmds_put_word(struct code_cmds *cc, const char *s, size_t n, const char *file)
{
	size_t w = 0;
	bool name = true;

	while (w < n && s[w] != ' ' && s[w] != '\t') {
		name = name && s[w] && strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.+-", s[w]);
		w++;
	}
	if (w && s[0] == '/')
		code_cmds_put(cc, CODE_CMD_PATH, s, w, file);
	else if (w && name)
		code_cmds_put(cc, CODE_CMD_WORD, s, w, file);
}
