#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <Zydis/Zydis.h>

#include "elf/ehpads.h"
#include "elf/elf.h"
#include "util/fs.h"
#include "util/xalloc.h"

/*
 * Landing pads from .eh_frame and the LSDAs: a C++ fixture compiled here
 * with a known number of handlers per function, Debian's libstdc++ (every
 * pad must start an instruction of the code its FDE covers), and damaged
 * copies of it (unreadable tables make the answer unknown, never partial).
 */

#define LIBSTDCXX "/usr/lib/x86_64-linux-gnu/libstdc++.so.6"

static const struct elf_symbol *find_sym(const struct elf_file *elf, const char *name)
{
	const struct elf_symbol *s = elf_symbol_lookup(elf, name, NULL);

	assert_non_null(s);
	return s;
}

static size_t pads_in(const struct ehpads *p, uint64_t lo, uint64_t hi)
{
	size_t n = 0;

	for (size_t i = 0; i < p->pads_nr; i++)
		n += p->pads[i] >= lo && p->pads[i] < hi;
	return n;
}

/* Each handler of the fixture is one landing pad of its function; code without one has none. */
static void test_cxx_fixture(void **state)
{
	char dir[] = "/tmp/confine-eh-XXXXXX", src[96], so[96], cmd[512];
	static const char code[] =
		"#include <stdexcept>\n"
		"extern \"C\" void thrower(int x) { if (x > 3) throw std::runtime_error(\"x\"); }\n"
		"extern \"C\" int none(int x) { return x * 2 + 1; }\n"
		"extern \"C\" int one(int x) { try { thrower(x); } catch (...) { return -1; } return 0; }\n"
		"extern \"C\" int two(int x) {\n"
		"  int r = 0;\n"
		"  try { thrower(x); } catch (const std::runtime_error &) { r = -1; }\n"
		"  try { thrower(x + 1); } catch (...) { r -= 2; }\n"
		"  return r;\n"
		"}\n";
	struct fs_map map;
	struct elf_file *elf;
	struct ehpads p;
	const struct elf_symbol *s;
	FILE *f;

	(void)state;
	if (access("/usr/bin/g++", X_OK) != 0)
		skip();
	assert_non_null(mkdtemp(dir));
	snprintf(src, sizeof(src), "%s/eh.cc", dir);
	snprintf(so, sizeof(so), "%s/eh.so", dir);
	assert_non_null(f = fopen(src, "w"));
	fputs(code, f);
	fclose(f);
	/* No hot/cold split: each handler stays inside its function's symbol. */
	snprintf(cmd, sizeof(cmd), "g++ -O2 -fno-reorder-blocks-and-partition -fPIC -shared -o %s %s", so, src);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(fs_map_file(so, &map), 0);
	assert_int_equal(elf_open_mem(&map, so, &elf), 0);
	ehpads_load(elf, &p);
	assert_true(p.known);
	assert_true(p.fdes_nr >= 4);
	s = find_sym(elf, "none");
	assert_int_equal(pads_in(&p, s->value, s->value + s->size), 0);
	assert_int_equal(ehpads_entry(&p, s->value), EH_NOT_ENTERED);
	assert_int_equal(ehpads_entry(&p, s->value + 1), EH_NOT_ENTERED);
	s = find_sym(elf, "one");
	assert_int_equal(pads_in(&p, s->value, s->value + s->size), 1);
	s = find_sym(elf, "two");
	assert_int_equal(pads_in(&p, s->value, s->value + s->size), 2);
	for (size_t i = 0; i < p.pads_nr; i++)
		assert_int_equal(ehpads_entry(&p, p.pads[i]), EH_LANDING_PAD);
	/* Past every FDE (the ELF header's address is in no function). */
	assert_int_equal(ehpads_entry(&p, 0), EH_UNKNOWN);
	ehpads_release(&p);
	assert_null(p.pads);
	elf_free(elf);
	fs_unmap(&map);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/* Does a linear decode of [lo, hi) start an instruction at 'at'? */
static bool insn_boundary(const struct elf_file *elf, uint64_t lo, uint64_t hi, uint64_t at)
{
	ZydisDecoder dec;
	ZydisDecodedInstruction in;
	const uint8_t *code = elf_vaddr_bytes(elf, lo, hi - lo);
	uint64_t a = lo;

	if (!code)
		return false;
	ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
	while (a < at) {
		if (!ZYAN_SUCCESS(ZydisDecoderDecodeInstruction(&dec, NULL, code + (a - lo), hi - a, &in)))
			return false;
		a += in.length;
	}
	return a == at;
}

static void test_libstdcxx(void **state)
{
	struct fs_map map;
	struct elf_file *elf;
	struct ehpads p;
	size_t j = 0;

	(void)state;
	if (fs_map_file(LIBSTDCXX, &map) != 0)
		skip();
	assert_int_equal(elf_open_mem(&map, LIBSTDCXX, &elf), 0);
	ehpads_load(elf, &p);
	assert_true(p.known);
	assert_true(p.pads_nr > 500);
	assert_true(p.fdes_nr > 3000);
	for (size_t i = 1; i < p.fdes_nr; i++)
		assert_true(p.fdes[i - 1].lo <= p.fdes[i].lo);
	/* Every pad starts an instruction of the code an FDE covers (compiled code: no data in it). */
	for (size_t i = 0; i < p.pads_nr; i++) {
		uint64_t pad = p.pads[i];

		if (i)
			assert_true(p.pads[i - 1] < pad);
		while (j + 1 < p.fdes_nr && p.fdes[j + 1].lo <= pad)
			j++;
		assert_true(pad >= p.fdes[j].lo && pad < p.fdes[j].hi);
		assert_true(elf_vaddr_is_code(elf, pad));
		if (!insn_boundary(elf, p.fdes[j].lo, p.fdes[j].hi, pad))
			fail_msg("landing pad %#llx is not an instruction of [%#llx, %#llx)", (unsigned long long)pad,
				 (unsigned long long)p.fdes[j].lo, (unsigned long long)p.fdes[j].hi);
	}
	ehpads_release(&p);
	elf_free(elf);
	fs_unmap(&map);
}

/* The first LSDA's call-site table, found by reading the tables the way ehpads_load does. */
static bool first_lsda_field(const struct elf_file *elf, uint64_t *cs_len_vaddr)
{
	const struct elf_section *gx = elf_section_by_name(elf, ".gcc_except_table");
	const uint8_t *d;
	size_t len;

	if (!gx || elf_section_data(elf, gx, &d, &len) != 0 || len < 4)
		return false;
	/* GCC's LSDAs start "ff 9b <uleb>" or "ff ff": lpstart omitted, then the type table. */
	if (d[0] != 0xff)
		return false;
	if (d[1] == 0xff) {
		*cs_len_vaddr = gx->addr + 3;
		return true;
	}
	for (size_t i = 2; i < len; i++)
		if (!(d[i] & 0x80)) {
			*cs_len_vaddr = gx->addr + i + 2;
			return true;
		}
	return false;
}

/*
 * The offset in .eh_frame of the LSDA pointer of the first FDE that has a
 * non-zero one under a "zPLR" CIE as GCC writes it (personality 0x9b,
 * LSDA and FDE pointers pc-relative sdata4), 0 when there is none.
 */
static size_t zplr_fde_lsda(const uint8_t *d, size_t size)
{
	size_t pos = 0;

	while (pos + 8 <= size) {
		uint32_t len, id, lsda;

		memcpy(&len, d + pos, 4);
		memcpy(&id, d + pos + 4, 4);
		if (len == 0 || len == 0xffffffffu || pos + 4 + len > size)
			return 0;
		if (id != 0 && id <= pos + 4) {
			const uint8_t *cie = d + pos + 4 - id;

			/* CIE: length, id, version, "zPLR", 3 one-byte fields, aug length, 9b + 4 bytes, L, R */
			if (!memcmp(cie + 9, "zPLR", 5) && cie[18] == 0x9b && cie[23] == 0x1b && cie[24] == 0x1b &&
			    d[pos + 16] == 4) {
				memcpy(&lsda, d + pos + 17, 4);
				if (lsda)
					return pos + 17;
			}
		}
		pos += 4 + len;
	}
	return 0;
}

/* Damaged tables: never partial, never a crash. */
static void test_hostile(void **state)
{
	struct fs_map map, copy;
	struct elf_file *elf;
	struct ehpads p;
	const struct elf_section *sec;
	uint8_t *buf;
	uint64_t off, avail, at = 0;

	(void)state;
	if (fs_map_file(LIBSTDCXX, &map) != 0)
		skip();
	assert_int_equal(elf_open_mem(&map, LIBSTDCXX, &elf), 0);
	sec = elf_section_by_name(elf, ".eh_frame");
	assert_non_null(sec);
	assert_true(first_lsda_field(elf, &at));
	buf = xmalloc(map.size);
	copy = (struct fs_map){ buf, map.size };

	/* 1. The first CIE's augmentation names an unknown letter: nothing can be trusted. */
	memcpy(buf, map.data, map.size);
	assert_int_equal(memcmp(buf + sec->offset + 9, "zR", 2), 0);
	buf[sec->offset + 10] = 'Q';
	{
		struct elf_file *e2;

		assert_int_equal(elf_open_mem(&copy, "damaged-cie", &e2), 0);
		ehpads_load(e2, &p);
		assert_false(p.known);
		assert_null(p.pads);
		assert_int_equal(ehpads_entry(&p, 0x1000), EH_UNKNOWN);
		elf_free(e2);
	}

	/* 2. A call-site table longer than its section. */
	memcpy(buf, map.data, map.size);
	assert_true(elf_vaddr_to_offset(elf, at, &off, &avail));
	buf[off] = 0xff;
	buf[off + 1] = 0xff;
	buf[off + 2] = 0xff;
	buf[off + 3] = 0x7f;
	{
		struct elf_file *e2;

		assert_int_equal(elf_open_mem(&copy, "damaged-lsda", &e2), 0);
		ehpads_load(e2, &p);
		assert_false(p.known);
		elf_free(e2);
	}

	/*
	 * 3. An LSDA pointer whose raw value is zero means "no LSDA" (the
	 * unwinder does not add the field's address to it, pc-relative or
	 * not): that FDE's pads go, every other one stays known.
	 */
	memcpy(buf, map.data, map.size);
	{
		struct elf_file *e2;
		struct ehpads before, after;
		size_t lsda_at = zplr_fde_lsda(buf + sec->offset, sec->size);

		assert_true(lsda_at != 0);
		ehpads_load(elf, &before);
		memset(buf + sec->offset + lsda_at, 0, 4);
		assert_int_equal(elf_open_mem(&copy, "no-lsda", &e2), 0);
		ehpads_load(e2, &after);
		assert_true(after.known);
		assert_true(after.pads_nr > 0 && after.pads_nr < before.pads_nr);
		assert_int_equal(after.fdes_nr, before.fdes_nr);
		ehpads_release(&before);
		ehpads_release(&after);
		elf_free(e2);
	}

	/* 4. Every prefix length of the first records: a clean answer each time. */
	for (size_t cut = 0; cut < 64; cut++) {
		struct elf_file *e2;

		memcpy(buf, map.data, map.size);
		memset(buf + sec->offset + cut, 0xff, 16);
		assert_int_equal(elf_open_mem(&copy, "damaged-frame", &e2), 0);
		ehpads_load(e2, &p);
		if (p.known)
			for (size_t i = 1; i < p.pads_nr; i++)
				assert_true(p.pads[i - 1] < p.pads[i]);
		ehpads_release(&p);
		elf_free(e2);
	}
	free(buf);
	elf_free(elf);
	fs_unmap(&map);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cxx_fixture),
		cmocka_unit_test(test_libstdcxx),
		cmocka_unit_test(test_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
