/*
 * libFuzzer target: the reader of Perl, Ruby and JavaScript code for the
 * programs it runs (runcode.c), over the same input in each language.
 * Checks: every command is non-empty, at most CODE_CMD_LEN bytes, without
 * a NUL; a path starts with '/', a path or a name is one word on one
 * line; no two are alike; the file counts at most once per language.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/runcode.h"
#include "util/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Exactly 'size' bytes, no NUL after them: ASan sees an overread. */
	char *text = xmalloc(size ? size : 1);
	struct code_cmds cc;

	memcpy(text, data, size);
	code_cmds_init(&cc);
	for (int l = 0; l < RUNCODE_NR; l++) {
		size_t files = cc.files;

		runcode_scan_file(&cc, (enum runcode_lang)l, "/f", text, size);
		if (cc.files > files + 1)
			abort();
	}
	for (size_t i = 0; i < cc.nr; i++) {
		const struct code_cmd *c = &cc.v[i];
		size_t n = strlen(c->text);

		if (!n || n > CODE_CMD_LEN || strcmp(c->file, "/f"))
			abort();
		if (c->kind == CODE_CMD_PATH && c->text[0] != '/')
			abort();
		if (c->kind != CODE_CMD_SHELL && strpbrk(c->text, " \t\n"))
			abort();
		for (size_t k = 0; k < i; k++)
			if (cc.v[k].kind == c->kind && !strcmp(cc.v[k].text, c->text))
				abort();
	}
	code_cmds_release(&cc);
	free(text);
	return 0;
}
