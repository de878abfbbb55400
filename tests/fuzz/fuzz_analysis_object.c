/*
 * libFuzzer target over the whole per-object analysis: parse the input as an
 * ELF object, compute its summary (functions, decoding, constant tracking,
 * relocations, Go tables), round-trip it through the cache format, link
 * it as a one-object process, and inspect it as the run-time module rules
 * do (its exports, the folders OpenSSL names in its read-only data).  Must never crash, hang or leak.  For inputs
 * of odd size the summary is made a second time with only 16 pre-pass
 * instructions kept (as past the caps on a large object): it must be the
 * same bytes; for inputs of size 2 mod 4, opened with ELF_OPEN_LAZY and
 * inspected before the summary loads its tables: the same bytes too.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "analysis/link.h"
#include "analysis/objsum.h"
#include "analysis/runtimes.h"
#include "disasm/disasm.h"
#include "elf/elf.h"
#include "util/error.h"

static void drop(const char *msg, void *ctx)
{
	(void)msg;
	(void)ctx;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fs_map map = { data, size };
	struct elf_file *elf = NULL;
	struct objsum *s, *back;
	void *blob = NULL;
	size_t len = 0;

	if (elf_open_mem(&map, "fuzz", &elf) == 0) {
		struct runtimes_object rt;

		runtimes_inspect(elf, "/fuzz/libjli.so", &rt);
		runtimes_object_release(&rt);
		s = objsum_compute(elf);
		if (size & 1) {
			struct objsum *s2;
			void *b1 = NULL, *b2 = NULL;
			size_t l1 = 0, l2 = 0;

			dis_keep_limit(16);
			s2 = objsum_compute(elf);
			dis_keep_limit(0);
			if (objsum_serialize(s, &b1, &l1) == 0 && objsum_serialize(s2, &b2, &l2) == 0 &&
			    (l1 != l2 || memcmp(b1, b2, l1)))
				abort();
			free(b1);
			free(b2);
			objsum_free(s2);
		}
		if (objsum_serialize(s, &blob, &len) == 0) {
			back = objsum_deserialize(blob, len);
			if (back) {
				struct link_obj lo = { "fuzz", back, true, false, false, NULL, 0, NULL, NULL, 0 };
				struct analysis_program prog;
				struct analysis_step *steps = NULL;

				memset(&prog, 0, sizeof(prog));
				link_program(&lo, 1, ANALYSIS_UNRESOLVED_ALL, SYS_ARCH_X86_64, &prog);
				for (int nr = 0; nr < 8; nr++) {
					if (link_witness(&prog, nr, &steps) >= 0)
						free(steps);
					steps = NULL;
				}
				for (size_t i = 0; i < prog.imports_used_nr; i++)
					free(prog.imports_used[i]);
				free(prog.imports_used);
				for (size_t i = 0; i < prog.unresolved_nr; i++) {
					free(prog.unresolved[i].object);
					free(prog.unresolved[i].function);
					free(prog.unresolved[i].reason);
				}
				free(prog.unresolved);
				link_priv_free(prog.priv);
				objsum_free(back); /* frees blob */
			} else {
				free(blob);
			}
		}
		/*
		 * Opened with ELF_OPEN_LAZY (files mode), inspected as a plan
		 * does, then summarised (which loads the rest): the same bytes.
		 */
		if (size % 4 == 2) {
			struct elf_file *lazy = NULL;
			void *b1 = NULL, *b2 = NULL;
			size_t l1 = 0, l2 = 0;

			if (elf_open_mem_flags(&map, "fuzz", ELF_OPEN_LAZY, &lazy) == 0) {
				struct runtimes_object rt3;
				struct objsum *s3;

				runtimes_inspect(lazy, "/fuzz/libjli.so", &rt3);
				runtimes_object_release(&rt3);
				s3 = objsum_compute(lazy);
				if (objsum_serialize(s, &b1, &l1) == 0 && objsum_serialize(s3, &b2, &l2) == 0 &&
				    (l1 != l2 || memcmp(b1, b2, l1)))
					abort();
				free(b1);
				free(b2);
				objsum_free(s3);
				elf_free(lazy);
			} else {
				abort(); /* the eager open succeeded */
			}
		}
		/* A corrupted blob must be rejected, not trusted. */
		if (objsum_serialize(s, &blob, &len) == 0 && len > 64) {
			((uint8_t *)blob)[len / 2] ^= 0x5a;
			back = objsum_deserialize(blob, len);
			if (back)
				objsum_free(back);
			else
				free(blob);
		}
		objsum_free(s);
		elf_free(elf);
	}
	warn_drain(drop, NULL);
	err_clear();
	return 0;
}
