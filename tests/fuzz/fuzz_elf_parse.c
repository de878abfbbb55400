/*
 * libFuzzer target for elf/elf: parse arbitrary bytes as an ELF object and
 * walk every decoded table and lookup.  Any crash, leak or sanitizer report
 * is a bug: hostile ELF must give an error or warnings, nothing else.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "elf/elf.h"
#include "util/error.h"

static void drop(const char *msg, void *ctx)
{
	(void)msg;
	(void)ctx;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A private copy so out-of-bounds reads past 'size' are caught. */
	uint8_t *copy = malloc(size ? size : 1);
	struct fs_map map = { copy, size };
	struct elf_file *elf = NULL;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	(void)elf_probe(copy, size);
	if (elf_open_mem(&map, "fuzz", &elf) == 0) {
		uint64_t v, *fns = NULL;
		const uint8_t *b;
		size_t l;

		for (size_t i = 0; i < elf->sections_nr; i++) {
			if (elf_section_data(elf, &elf->sections[i], &b, &l) == 0 && l)
				(void)(volatile uint8_t)b[l - 1];
			(void)elf_section_by_name(elf, elf->sections[i].name);
		}
		for (size_t i = 0; i < elf->relocs_nr; i++)
			(void)elf_read_pointer(elf, elf->relocs[i].offset, &v);
		for (size_t i = 0; i < elf->dynsym.nr; i++) {
			const struct elf_symbol *s = &elf->dynsym.syms[i];

			(void)elf_symbol_lookup(elf, s->name, s->version);
			(void)elf_symbol_at(elf, s->value);
		}
		for (size_t i = 0; i < elf->symtab.nr && i < 4096; i++)
			(void)elf_symbol_at(elf, elf->symtab.syms[i].value);
		if (elf_read_pointer_array(elf, elf->dyn.init_array, elf->dyn.init_arraysz, &fns) >= 0)
			free(fns);
		for (size_t i = 0; i < elf->dyn.needed_nr; i++)
			(void)strlen(elf->dyn.needed[i]);
		(void)elf_vaddr_bytes(elf, elf->entry, 16);
		(void)elf_vaddr_is_code(elf, elf->entry);
		(void)elf_section_of(elf, elf->entry);
		(void)elf_libelf_handle(elf);
		elf_free(elf);
	}
	err_clear();
	warn_drain(drop, NULL);
	free(copy);
	return 0;
}
