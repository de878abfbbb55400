/*
 * libFuzzer target: the Perl and Ruby code reader (langsys.c), on the input
 * as a module of each language, as a shell script that names both
 * interpreters, and as a command line.  Checks: known sets hold only
 * numbers the table has, notes stay sorted, an unknown builtin has a reason.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/langsys.h"
#include "util/xalloc.h"

static void check(const struct langsys *ls)
{
	if (!ls->known && !ls->unknown)
		abort();
	for (int n = 0; n < SYSSET_NR; n++)
		if (sysset_has(&ls->set, n) && (!syscall_name(SYS_ARCH_X86_64, n) || !langsys_note(ls, n)))
			abort();
	for (size_t i = 1; i < ls->notes_nr; i++)
		if (ls->notes[i - 1].nr >= ls->notes[i].nr)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Exactly 'size' bytes and a NUL, as the callers read files: ASan sees an overread. */
	char *text = xmalloc(size + 1);
	struct langsys ls[LANGSYS_NR];
	char *argv[3] = { "perl", "-e", text };

	memcpy(text, data, size);
	text[size] = '\0';
	for (unsigned l = 0; l < LANGSYS_NR; l++)
		langsys_init(&ls[l], (enum langsys_lang)l);
	langsys_scan_file(ls, 3, 1u << LANGSYS_PERL, "/f.pm", text, size);
	langsys_scan_file(ls, 3, 1u << LANGSYS_RUBY, "/f.rb", text, size);
	langsys_scan_file(ls, 3, langsys_file_langs("/f", text, size), "/f", text, size);
	langsys_scan_argv(&ls[LANGSYS_PERL], argv, 3);
	for (unsigned l = 0; l < LANGSYS_NR; l++) {
		check(&ls[l]);
		langsys_release(&ls[l]);
	}
	free(text);
	return 0;
}
