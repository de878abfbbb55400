#include "util/words.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#define WORDS_MAX_LEN (64u << 10)
#define WORDS_MAX 4096

int words_split(const char *s, char ***argvp, int *argcp)
{
	char **argv = NULL;
	size_t argc = 0, alloc = 0, len = strlen(s);
	struct strbuf w;
	bool in_word = false;
	int ret = 0;

	if (len > WORDS_MAX_LEN)
		return err_set(EINVAL, "command line of %zu bytes is too long (max %u)", len,
			       WORDS_MAX_LEN);
	strbuf_init(&w, 0);
	for (const char *p = s;; p++) {
		char c = *p;

		if (c == '\0' || c == ' ' || c == '\t' || c == '\n') {
			if (in_word) {
				if (argc >= WORDS_MAX) {
					ret = err_set(EINVAL, "command line has more than %d words",
						      WORDS_MAX);
					goto out;
				}
				ALLOC_GROW(argv, argc + 2, alloc);
				argv[argc++] = strbuf_detach(&w, NULL);
				in_word = false;
			}
			if (c == '\0')
				break;
			continue;
		}
		in_word = true;
		if (c == '\'') {
			const char *q = strchr(p + 1, '\'');

			if (!q) {
				ret = err_set(EINVAL, "unterminated ' quote in '%s'", s);
				goto out;
			}
			strbuf_add(&w, p + 1, (size_t)(q - p - 1));
			p = q;
		} else if (c == '"') {
			for (p++; *p && *p != '"'; p++) {
				/* Inside "...", backslash only escapes these. */
				if (*p == '\\' && p[1] && strchr("\"\\$`", p[1]))
					p++;
				strbuf_addch(&w, *p);
			}
			if (!*p) {
				ret = err_set(EINVAL, "unterminated \" quote in '%s'", s);
				goto out;
			}
		} else if (c == '\\' && p[1]) {
			strbuf_addch(&w, *++p);
		} else {
			strbuf_addch(&w, c);
		}
	}
	ALLOC_GROW(argv, argc + 1, alloc);
	argv[argc] = NULL;
	*argvp = argv;
	*argcp = (int)argc;
	argv = NULL;
out:
	strbuf_release(&w);
	if (argv) {
		argv[argc] = NULL;
		words_free(argv);
	}
	return ret;
}

void words_free(char **argv)
{
	if (!argv)
		return;
	for (size_t i = 0; argv[i]; i++)
		free(argv[i]);
	free(argv);
}
