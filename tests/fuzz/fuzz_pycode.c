/*
 * libFuzzer target: the reader of Python code for ctypes and cffi names
 * (pycode.c).  Checks: every name is a C identifier shorter than
 * PYCODE_NAME_LEN, the lists stay sorted, one file counts at most once.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/pycode.h"
#include "util/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Exactly 'size' bytes and a NUL, as the callers read files: ASan sees an overread. */
	char *text = xmalloc(size + 1);
	struct pycode pf;
	const char **v;
	size_t n;

	memcpy(text, data, size);
	text[size] = '\0';
	pycode_init(&pf);
	pycode_scan_file(&pf, "/f.py", text, size);
	if (pf.files > 1)
		abort();
	v = pycode_names(&pf, &n);
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(v[i]);

		if (!l || l >= PYCODE_NAME_LEN || (i && strcmp(v[i - 1], v[i]) >= 0))
			abort();
		for (size_t k = 0; k < l; k++)
			if (!(v[i][k] == '_' || (v[i][k] >= 'a' && v[i][k] <= 'z') || (v[i][k] >= 'A' && v[i][k] <= 'Z') ||
			      (k && v[i][k] >= '0' && v[i][k] <= '9')))
				abort();
	}
	free(v);
	v = pycode_libs(&pf, &n);
	for (size_t i = 1; i < n; i++)
		if (strcmp(v[i - 1], v[i]) >= 0)
			abort();
	free(v);
	pycode_release(&pf);
	free(text);
	return 0;
}
