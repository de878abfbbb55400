/*
 * libFuzzer target for the Go function table parser: the bytes are tried
 * both as a bare table (gopclntab_parse) and as an ELF file whose table
 * gopclntab_load() must locate (section, symbols, moduledata, scan).
 * Seed corpus: a real Go binary's .gopclntab section, e.g.
 *   objcopy -O binary --only-section=.gopclntab /usr/sbin/runc seed
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "elf/elf.h"
#include "elf/gopclntab.h"
#include "util/error.h"
#include "util/fs.h"

static void drop(const char *msg, void *ctx)
{
	(void)msg;
	(void)ctx;
}

static void walk(const struct gopclntab *t)
{
	for (size_t i = 0; i < t->funcs_nr; i++) {
		const struct gopclntab_func *f = &t->funcs[i];
		if (gopclntab_find(t, f->entry) != f || gopclntab_find(t, f->end - 1) != f)
			__builtin_trap();
		if (i && t->funcs[i - 1].end > f->entry)
			__builtin_trap();
		(void)gopclntab_syscall_wrapper(f->name, NULL);
		(void)strlen(f->name);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gopclntab t;

	if (gopclntab_parse(&t, data, size, 0x1000, size > 16 ? 0x401000 : 0) == 0) {
		walk(&t);
		gopclntab_release(&t);
	}
	if (elf_probe(data, size)) {
		struct fs_map map = { .data = data, .size = size };
		struct elf_file *elf = NULL;
		if (elf_open_mem(&map, "fuzz", &elf) == 0) {
			if (gopclntab_load(&t, elf) == 0) {
				uint64_t *refs = NULL;
				walk(&t);
				int n = gopclntab_method_refs(&t, elf, &refs);
				for (int i = 0; i < n; i++)
					if (!gopclntab_find(&t, refs[i]))
						__builtin_trap();
				free(refs);
				gopclntab_release(&t);
			}
			elf_free(elf);
		}
	}
	warn_drain(drop, NULL);
	err_clear();
	return 0;
}
