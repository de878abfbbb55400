/*
 * libFuzzer target for the landing pad reader (.eh_frame CIEs and FDEs,
 * the LSDAs in .gcc_except_table): the bytes as an ELF file.  Whatever
 * it reads, the pads come out sorted and unique, every pad answers
 * EH_LANDING_PAD, and the FDE ranges are sorted.
 * Seed corpus: small real C++ and Rust objects, e.g. a g++ -O2 -shared
 * build of a few try/catch functions.
 */
#include <stddef.h>
#include <stdint.h>

#include "elf/ehpads.h"
#include "elf/elf.h"
#include "util/error.h"
#include "util/fs.h"

static void drop(const char *msg, void *ctx)
{
	(void)msg;
	(void)ctx;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fs_map map = { .data = data, .size = size };
	struct elf_file *elf = NULL;
	struct ehpads p;

	if (!elf_probe(data, size) || elf_open_mem(&map, "fuzz", &elf) != 0)
		goto out;
	ehpads_load(elf, &p);
	if (!p.known && (p.pads || p.fdes))
		__builtin_trap();
	for (size_t i = 0; i < p.pads_nr; i++) {
		if (i && p.pads[i - 1] >= p.pads[i])
			__builtin_trap();
		if (ehpads_entry(&p, p.pads[i]) != EH_LANDING_PAD)
			__builtin_trap();
	}
	for (size_t i = 1; i < p.fdes_nr; i++)
		if (p.fdes[i - 1].lo > p.fdes[i].lo)
			__builtin_trap();
	ehpads_release(&p);
	elf_free(elf);
out:
	warn_drain(drop, NULL);
	err_clear();
	return 0;
}
