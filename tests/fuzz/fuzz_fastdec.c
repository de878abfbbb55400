/*
 * libFuzzer target for the pre-pass's fast decoder: at every offset of the
 * input, its records for the instruction there must equal Zydis' (or it
 * must leave the instruction to Zydis).  A difference is a crash.
 * Seed corpus: any code, e.g.
 *   objcopy -O binary --only-section=.text /usr/bin/bash seed
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "disasm/disasm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why[256];

	for (size_t i = 0; i < size && i < 4096; i++)
		if (dis_fastdec_check(data + i, size - i, why, sizeof(why)) < 0) {
			fprintf(stderr, "fast decoder differs from Zydis at offset %zu: %s\n", i, why);
			abort();
		}
	return 0;
}
