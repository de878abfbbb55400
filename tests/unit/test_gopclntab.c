#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "elf/elf.h"
#include "elf/gopclntab.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/xalloc.h"

/*
 * Synthetic tables in each format, built field by field from the layout
 * Go's linker writes, then real Go binaries from Debian (runc, containerd,
 * dockerd, docker) as they are and stripped.
 */

struct tb {
	uint8_t buf[8192];
	size_t len;
	bool be;
	unsigned ptr;
};

static void put32(struct tb *b, size_t off, uint32_t v)
{
	assert_true(off + 4 <= sizeof(b->buf));
	for (int i = 0; i < 4; i++)
		b->buf[off + (size_t)i] = (uint8_t)(b->be ? v >> (24 - 8 * i) : v >> (8 * i));
	if (off + 4 > b->len)
		b->len = off + 4;
}

static void put_word(struct tb *b, size_t off, uint64_t v)
{
	if (b->ptr == 4) {
		put32(b, off, (uint32_t)v);
		return;
	}
	put32(b, off + (b->be ? 4 : 0), (uint32_t)v);
	put32(b, off + (b->be ? 0 : 4), (uint32_t)(v >> 32));
}

struct sfunc {
	const char *name;
	uint64_t entry;
};

static const struct sfunc sample[] = {
	{ "main.main", 0x401000 },
	{ "syscall.Syscall", 0x401080 },
	{ "runtime/internal/syscall.Syscall6", 0x401100 },
	{ "runtime.goexit", 0x401180 },
};
#define SAMPLE_END 0x401200
#define SAMPLE_TEXT 0x400f00

/* Build a table of 'n' functions (ends at 'end') in format 'v'. */
static void build(struct tb *b, enum gopclntab_version v, bool be, unsigned ptr,
		  const struct sfunc *f, size_t n, uint64_t end, uint64_t text)
{
	memset(b, 0, sizeof(*b));
	b->be = be;
	b->ptr = ptr;
	uint32_t magic = v == GOPCLNTAB_GO12 ? 0xfffffffbu : v == GOPCLNTAB_GO116 ? 0xfffffffau
			 : v == GOPCLNTAB_GO118 ? 0xfffffff0u : 0xfffffff1u;
	put32(b, 0, magic);
	b->buf[6] = 1;
	b->buf[7] = (uint8_t)ptr;
	put_word(b, 8, n);

	size_t hdr = v == GOPCLNTAB_GO12 ? 8 + ptr : v == GOPCLNTAB_GO116 ? 8 + 7 * ptr : 8 + 8 * ptr;
	size_t names = hdr, pos = hdr;
	size_t nameoff[16];
	for (size_t i = 0; i < n; i++) {
		nameoff[i] = pos - (v == GOPCLNTAB_GO12 ? 0 : names);
		memcpy(b->buf + pos, f[i].name, strlen(f[i].name) + 1);
		pos += strlen(f[i].name) + 1;
	}
	size_t functab = (pos + 7) & ~(size_t)7;
	size_t field = v >= GOPCLNTAB_GO118 ? 4 : ptr;
	size_t funcs = functab + (2 * n + 1) * field;
	funcs = (funcs + 7) & ~(size_t)7;

	if (v == GOPCLNTAB_GO12) {
		/* Go 1.2: the functab follows the header; move the names after it. */
		functab = 8 + ptr;
		size_t namestart = functab + (2 * n + 1) * ptr;
		memset(b->buf + hdr, 0, pos - hdr);
		pos = namestart;
		for (size_t i = 0; i < n; i++) {
			nameoff[i] = pos;
			memcpy(b->buf + pos, f[i].name, strlen(f[i].name) + 1);
			pos += strlen(f[i].name) + 1;
		}
		funcs = (pos + 7) & ~(size_t)7;
	} else if (v == GOPCLNTAB_GO116) {
		put_word(b, 8 + ptr, 1);
		put_word(b, 8 + 2 * ptr, names);
		put_word(b, 8 + 6 * ptr, functab);
	} else {
		put_word(b, 8 + ptr, 1);
		put_word(b, 8 + 2 * ptr, text);
		put_word(b, 8 + 3 * ptr, names);
		put_word(b, 8 + 7 * ptr, functab);
	}
	size_t fbase = v == GOPCLNTAB_GO12 ? 0 : functab;
	for (size_t i = 0; i <= n; i++) {
		uint64_t pc = i < n ? f[i].entry : end;
		size_t fo = funcs + i * 16 - fbase;
		if (v >= GOPCLNTAB_GO118) {
			put32(b, functab + 8 * i, (uint32_t)(pc - text));
			if (i < n)
				put32(b, functab + 8 * i + 4, (uint32_t)fo);
		} else {
			put_word(b, functab + 2 * ptr * i, pc);
			if (i < n)
				put_word(b, functab + 2 * ptr * i + ptr, fo);
		}
		if (i == n)
			break;
		if (v >= GOPCLNTAB_GO118) {
			put32(b, funcs + i * 16, (uint32_t)(pc - text));
			put32(b, funcs + i * 16 + 4, (uint32_t)nameoff[i]);
		} else {
			put_word(b, funcs + i * 16, pc);
			put32(b, funcs + i * 16 + ptr, (uint32_t)nameoff[i]);
		}
	}
}

/* Offset of the first _func of a little-endian 64-bit 1.18+ table. */
static size_t func0(const struct tb *b)
{
	size_t functab = 0, funcoff = 0;
	for (int i = 0; i < 8; i++)
		functab |= (size_t)b->buf[8 + 7 * 8 + i] << (8 * i);
	for (int i = 0; i < 4; i++)
		funcoff |= (size_t)b->buf[functab + 4 + (size_t)i] << (8 * i);
	return functab + funcoff;
}

static void check_sample(const struct gopclntab *t)
{
	assert_int_equal(t->funcs_nr, ARRAY_SIZE(sample));
	assert_int_equal(t->dropped, 0);
	for (size_t i = 0; i < ARRAY_SIZE(sample); i++) {
		assert_string_equal(t->funcs[i].name, sample[i].name);
		assert_int_equal(t->funcs[i].entry, sample[i].entry);
		assert_int_equal(t->funcs[i].end,
				 i + 1 < ARRAY_SIZE(sample) ? sample[i + 1].entry : SAMPLE_END);
	}
	const struct gopclntab_func *f = gopclntab_find(t, 0x401085);
	assert_non_null(f);
	assert_string_equal(f->name, "syscall.Syscall");
	assert_null(gopclntab_find(t, 0x400fff));
	assert_null(gopclntab_find(t, SAMPLE_END));
	assert_ptr_equal(gopclntab_lookup(t, "runtime.goexit"), &t->funcs[3]);
	assert_null(gopclntab_lookup(t, "main.nope"));
}

/* CONFINE_FUZZ_SEEDS=DIR: keep the built tables as a fuzzing corpus. */
static void save_seed(const struct tb *b, size_t i)
{
	const char *dir = getenv("CONFINE_FUZZ_SEEDS");
	if (!dir)
		return;
	char *path = xasprintf("%s/table-%zu", dir, i);
	FILE *f = fopen(path, "wb");
	if (f) {
		fwrite(b->buf, 1, b->len, f);
		fclose(f);
	}
	free(path);
}

static void test_formats(void **state)
{
	static const struct {
		enum gopclntab_version v;
		bool be;
		unsigned ptr;
	} cases[] = {
		{ GOPCLNTAB_GO12, false, 8 },  { GOPCLNTAB_GO12, true, 4 },
		{ GOPCLNTAB_GO116, false, 8 }, { GOPCLNTAB_GO116, true, 8 },
		{ GOPCLNTAB_GO116, false, 4 }, { GOPCLNTAB_GO118, false, 8 },
		{ GOPCLNTAB_GO118, true, 4 },  { GOPCLNTAB_GO120, false, 8 },
		{ GOPCLNTAB_GO120, false, 4 },
	};
	struct tb b;
	struct gopclntab t;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		build(&b, cases[i].v, cases[i].be, cases[i].ptr, sample, ARRAY_SIZE(sample),
		      SAMPLE_END, SAMPLE_TEXT);
		assert_int_equal(gopclntab_parse(&t, b.buf, b.len, 0x1000, 0), 0);
		save_seed(&b, i);
		assert_int_equal(t.version, cases[i].v);
		assert_int_equal(t.ptr_size, cases[i].ptr);
		assert_int_equal(t.big_endian, cases[i].be);
		assert_int_equal(t.register_abi, cases[i].v >= GOPCLNTAB_GO118);
		check_sample(&t);
		gopclntab_release(&t);
	}
}

/* 1.18+: an explicit text_start overrides the header's (PIE: header is 0). */
static void test_text_start_override(void **state)
{
	struct tb b;
	struct gopclntab t;

	(void)state;
	build(&b, GOPCLNTAB_GO120, false, 8, sample, ARRAY_SIZE(sample), SAMPLE_END, SAMPLE_TEXT);
	put_word(&b, 8 + 2 * 8, 0);
	assert_int_equal(gopclntab_parse(&t, b.buf, b.len, 0, SAMPLE_TEXT), 0);
	assert_int_equal(t.text_start, SAMPLE_TEXT);
	check_sample(&t);
	gopclntab_release(&t);
}

/* Every prefix of a valid table parses to an error or a subset, never a crash. */
static void test_truncated(void **state)
{
	struct tb b;
	struct gopclntab t;
	static const enum gopclntab_version vs[] = { GOPCLNTAB_GO12, GOPCLNTAB_GO116,
						     GOPCLNTAB_GO118, GOPCLNTAB_GO120 };

	(void)state;
	for (size_t k = 0; k < ARRAY_SIZE(vs); k++) {
		build(&b, vs[k], false, 8, sample, ARRAY_SIZE(sample), SAMPLE_END, SAMPLE_TEXT);
		for (size_t len = 0; len < b.len; len++) {
			uint8_t *copy = xmalloc(len ? len : 1);
			memcpy(copy, b.buf, len);
			int ret = gopclntab_parse(&t, copy, len, 0, 0);
			if (ret == 0) {
				assert_true(t.funcs_nr <= ARRAY_SIZE(sample));
				for (size_t i = 0; i < t.funcs_nr; i++)
					assert_true(t.funcs[i].entry < t.funcs[i].end);
				gopclntab_release(&t);
			} else {
				assert_int_equal(ret, -EINVAL);
			}
			free(copy);
		}
	}
}

static void test_damaged(void **state)
{
	struct tb b;
	struct gopclntab t;

	(void)state;
	/* Not a table at all. */
	memset(&b, 0, sizeof(b));
	assert_int_equal(gopclntab_parse(&t, b.buf, 64, 0, 0), -EINVAL);
	assert_non_null(strstr(err_msg(), "magic"));
	assert_int_equal(gopclntab_parse(&t, NULL, 0, 0, 0), -EINVAL);

	/* Huge function count. */
	build(&b, GOPCLNTAB_GO120, false, 8, sample, ARRAY_SIZE(sample), SAMPLE_END, SAMPLE_TEXT);
	put_word(&b, 8, UINT64_MAX / 2);
	assert_int_equal(gopclntab_parse(&t, b.buf, b.len, 0, 0), -EINVAL);
	put_word(&b, 8, 5000);
	assert_int_equal(gopclntab_parse(&t, b.buf, b.len, 0, 0), -EINVAL);

	/* Bad pad byte, pointer size, quantum. */
	build(&b, GOPCLNTAB_GO118, false, 8, sample, ARRAY_SIZE(sample), SAMPLE_END, SAMPLE_TEXT);
	b.buf[4] = 1;
	assert_int_equal(gopclntab_parse(&t, b.buf, b.len, 0, 0), -EINVAL);
	b.buf[4] = 0;
	b.buf[7] = 16;
	assert_int_equal(gopclntab_parse(&t, b.buf, b.len, 0, 0), -EINVAL);
	b.buf[7] = 8;
	b.buf[6] = 3;
	assert_int_equal(gopclntab_parse(&t, b.buf, b.len, 0, 0), -EINVAL);

	/* Functab beyond the end. */
	build(&b, GOPCLNTAB_GO118, false, 8, sample, ARRAY_SIZE(sample), SAMPLE_END, SAMPLE_TEXT);
	put_word(&b, 8 + 7 * 8, UINT64_MAX - 3);
	assert_int_equal(gopclntab_parse(&t, b.buf, b.len, 0, 0), -EINVAL);

	/* Out-of-order entry and negative name offset: those entries dropped. */
	struct sfunc bad[] = {
		{ "a.one", 0x401000 }, { "a.two", 0x401100 }, { "a.three", 0x401080 }, { "a.four", 0x401180 },
	};
	build(&b, GOPCLNTAB_GO116, false, 8, bad, ARRAY_SIZE(bad), SAMPLE_END, 0);
	assert_int_equal(gopclntab_parse(&t, b.buf, b.len, 0, 0), 0);
	for (size_t i = 1; i < t.funcs_nr; i++)
		assert_true(t.funcs[i - 1].end <= t.funcs[i].entry);
	assert_true(t.dropped >= 1);
	gopclntab_release(&t);

	build(&b, GOPCLNTAB_GO120, false, 8, sample, ARRAY_SIZE(sample), SAMPLE_END, SAMPLE_TEXT);
	put32(&b, func0(&b) + 4, 0xffffffffu);
	assert_int_equal(gopclntab_parse(&t, b.buf, b.len, 0, 0), 0);
	assert_int_equal(t.funcs_nr, ARRAY_SIZE(sample) - 1);
	assert_int_equal(t.dropped, 1);
	gopclntab_release(&t);

	/* A name running off the end is kept as "". */
	build(&b, GOPCLNTAB_GO120, false, 8, sample, 1, 0x401080, SAMPLE_TEXT);
	b.buf[b.len] = 'x';
	put32(&b, func0(&b) + 4, (uint32_t)(b.len - (8 + 8 * 8)));
	b.len++;
	assert_int_equal(gopclntab_parse(&t, b.buf, b.len, 0, 0), 0);
	assert_int_equal(t.funcs_nr, 1);
	assert_string_equal(t.funcs[0].name, "");
	gopclntab_release(&t);
}

static void test_wrappers(void **state)
{
	static const struct {
		const char *name;
		bool is;
		const char *canon;
		bool abi0;
	} cases[] = {
		{ "syscall.Syscall", true, "syscall.Syscall", false },
		{ "syscall.Syscall6", true, "syscall.Syscall6", false },
		{ "syscall.RawSyscall", true, "syscall.RawSyscall", false },
		{ "syscall.RawSyscall6", true, "syscall.RawSyscall6", false },
		{ "syscall.rawVforkSyscall.abi0", true, "syscall.rawVforkSyscall", true },
		{ "syscall.rawSyscallNoError.abi0", true, "syscall.rawSyscallNoError", true },
		{ "runtime/internal/syscall.Syscall6", true, "runtime/internal/syscall.Syscall6", false },
		{ "internal/runtime/syscall.Syscall6", true, "internal/runtime/syscall.Syscall6", false },
		{ "golang.org/x/sys/unix.Syscall", true, "golang.org/x/sys/unix.Syscall", false },
		{ "golang.org/x/sys/unix.RawSyscallNoError", true, "golang.org/x/sys/unix.RawSyscallNoError", false },
		{ "github.com/docker/docker/vendor/golang.org/x/sys/unix.Syscall6", true,
		  "golang.org/x/sys/unix.Syscall6", false },
		{ "github.com/x/golang.org/x/sys/unix.Syscall6", false, NULL, false },
		{ "syscall.Syscall6.func1", false, NULL, false },
		{ "syscall.Syscal", false, NULL, false },
		{ "main.Syscall", false, NULL, false },
		{ ".abi0", false, NULL, false },
		{ "", false, NULL, false },
	};
	struct gopclntab_wrapper w;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		bool is = gopclntab_syscall_wrapper(cases[i].name, &w);
		if (is != cases[i].is)
			fail_msg("%s: expected %d", cases[i].name, cases[i].is);
		if (!is)
			continue;
		assert_string_equal(w.name, cases[i].canon);
		assert_int_equal(w.number_arg, 0);
		assert_int_equal(w.abi0, cases[i].abi0);
	}
}

/* --- real Go binaries -------------------------------------------------- */

static const char *const go_bins[] = {
	"/usr/sbin/runc", "/usr/bin/containerd", "/usr/sbin/dockerd", "/usr/local/bin/docker",
};

/* Load the table of 'path'; false (and no table) when the file is absent. */
static bool load_go(const char *path, struct fs_map *map, struct elf_file **elf,
		    struct gopclntab *t)
{
	if (access(path, R_OK) != 0)
		return false;
	assert_int_equal(fs_map_file(path, map), 0);
	assert_int_equal(elf_open_mem(map, path, elf), 0);
	int ret = gopclntab_load(t, *elf);
	if (ret < 0)
		fail_msg("%s: %s", path, err_msg());
	return true;
}

static void check_real(const char *path, const struct gopclntab *t, const struct elf_file *elf)
{
	static const char *const must[] = { "runtime.main", "runtime.goexit", "main.main",
					    "runtime.rt0_go" };
	assert_true(t->funcs_nr > 1000);
	assert_true(t->dropped < 16);
	for (size_t i = 0; i < ARRAY_SIZE(must); i++) {
		const struct gopclntab_func *f = gopclntab_lookup(t, must[i]);
		if (!f)
			fail_msg("%s: %s not found", path, must[i]);
		assert_true(f->entry < f->end);
		assert_true(f->end - f->entry < 1u << 20);
		assert_true(elf_vaddr_is_code(elf, f->entry));
		assert_ptr_equal(gopclntab_find(t, f->entry), f);
		assert_ptr_equal(gopclntab_find(t, f->end - 1), f);
	}
	/* Symbols, when present, agree with the table. */
	const struct elf_symbol *s = elf_symbol_lookup(elf, "runtime.main", NULL);
	if (s)
		assert_int_equal(gopclntab_lookup(t, "runtime.main")->entry, s->value);
	/*
	 * Method tables: interface-reachable methods are roots, functions
	 * only ever called directly are not.
	 */
	uint64_t *refs = NULL;
	int n = gopclntab_method_refs(t, elf, &refs);
	if (n < 0)
		fail_msg("%s: method refs: %s", path, err_msg());
	assert_true(n > 100 && (size_t)n < t->funcs_nr);
	static const char *const methods[] = { "os.(*File).Read", "net.(*conn).Read" };
	/* (small assembly functions near the text start can match by chance) */
	static const char *const direct[] = { "runtime.main", "main.main" };
	for (size_t i = 0; i < ARRAY_SIZE(methods) + ARRAY_SIZE(direct); i++) {
		bool want = i < ARRAY_SIZE(methods);
		const char *name = want ? methods[i] : direct[i - ARRAY_SIZE(methods)];
		const struct gopclntab_func *f = gopclntab_lookup(t, name);
		if (!f)
			continue;
		bool in = false;
		for (int k = 0; k < n; k++)
			in |= refs[k] == f->entry;
		if (in != want)
			fail_msg("%s: %s %s the method roots", path, name, want ? "missing from" : "in");
	}
	for (int k = 1; k < n; k++)
		assert_true(refs[k - 1] < refs[k]);
	free(refs);

	/* Every Go binary on Linux has one of the raw syscall entry points. */
	size_t wrappers = 0;
	for (size_t i = 0; i < t->funcs_nr; i++)
		wrappers += gopclntab_syscall_wrapper(t->funcs[i].name, NULL);
	assert_true(wrappers >= 2);
}

static void test_real(void **state)
{
	size_t seen = 0;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(go_bins); i++) {
		struct fs_map map;
		struct elf_file *elf = NULL;
		struct gopclntab t;
		if (!load_go(go_bins[i], &map, &elf, &t))
			continue;
		seen++;
		check_real(go_bins[i], &t, elf);
		print_message("%s: %s table from %s, %zu functions, text 0x%llx\n", go_bins[i],
			      gopclntab_version_name(t.version),
			      t.source == GOPCLNTAB_FROM_SECTION ? "section"
			      : t.source == GOPCLNTAB_FROM_SYMBOL ? "symbol"
			      : t.source == GOPCLNTAB_FROM_MODULEDATA ? "moduledata" : "scan",
			      t.funcs_nr, (unsigned long long)t.text_start);
		gopclntab_release(&t);
		elf_free(elf);
		fs_unmap(&map);
	}
	if (!seen)
		skip();
}

/*
 * The same binaries stripped of symbols, and of section headers' names for
 * .gopclntab (objcopy renames it): the scan must find the same table.
 */
static void test_stripped(void **state)
{
	char dir[] = "/tmp/confine-gopclntab.XXXXXX";
	size_t seen = 0;

	(void)state;
	if (system("command -v strip >/dev/null && command -v objcopy >/dev/null") != 0)
		skip();
	assert_non_null(mkdtemp(dir));
	for (size_t i = 0; i < ARRAY_SIZE(go_bins); i++) {
		if (access(go_bins[i], R_OK) != 0)
			continue;
		struct fs_map map;
		struct elf_file *elf = NULL;
		struct gopclntab orig, t;
		assert_true(load_go(go_bins[i], &map, &elf, &orig));

		char *out = xasprintf("%s/stripped", dir);
		char *cmd = xasprintf("strip -o '%s' '%s' && objcopy --rename-section "
				      ".gopclntab=.rodata.x '%s' 2>/dev/null",
				      out, go_bins[i], out);
		assert_int_equal(system(cmd), 0);
		struct fs_map smap;
		struct elf_file *selp = NULL;
		assert_int_equal(fs_map_file(out, &smap), 0);
		assert_int_equal(elf_open_mem(&smap, out, &selp), 0);
		if (gopclntab_load(&t, selp) < 0)
			fail_msg("stripped %s: %s", go_bins[i], err_msg());
		/* dockerd exports runtime.firstmoduledata in .dynsym, which strip keeps. */
		if (t.source != GOPCLNTAB_FROM_SCAN && t.source != GOPCLNTAB_FROM_MODULEDATA)
			fail_msg("stripped %s: table found by source %d", go_bins[i], (int)t.source);
		print_message("stripped %s: source %d, %zu functions\n", go_bins[i], (int)t.source,
			      t.funcs_nr);
		assert_int_equal(t.funcs_nr, orig.funcs_nr);
		assert_int_equal(t.text_start, orig.text_start);
		uint64_t *r1 = NULL, *r2 = NULL;
		int n1 = gopclntab_method_refs(&orig, elf, &r1), n2 = gopclntab_method_refs(&t, selp, &r2);
		assert_true(n1 > 0);
		assert_int_equal(n1, n2);
		assert_memory_equal(r1, r2, (size_t)n1 * sizeof(*r1));
		free(r1);
		free(r2);
		for (size_t k = 0; k < t.funcs_nr; k += 97) {
			assert_int_equal(t.funcs[k].entry, orig.funcs[k].entry);
			assert_string_equal(t.funcs[k].name, orig.funcs[k].name);
		}
		seen++;
		gopclntab_release(&t);
		elf_free(selp);
		fs_unmap(&smap);
		unlink(out);
		free(cmd);
		free(out);
		gopclntab_release(&orig);
		elf_free(elf);
		fs_unmap(&map);
	}
	rmdir(dir);
	if (!seen)
		skip();
}

/* go tool nm prints the linker's "·" (U+00B7) as ".". */
static void middot_to_dot(const char *in, char *out, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; in[i] && o + 1 < cap; i++) {
		if ((unsigned char)in[i] == 0xc2 && (unsigned char)in[i + 1] == 0xb7) {
			out[o++] = '.';
			i++;
		} else {
			out[o++] = in[i];
		}
	}
	out[o] = '\0';
}

/*
 * Without symbols, the table's ASM flag and wrapper funcID must give every
 * syscall wrapper the ABI that the symbol names (".abi0") give.
 */
static void check_abi0_heuristic(const char *dir)
{
	char *p1 = xasprintf("%s/plain", dir), *p2 = xasprintf("%s/plain-nosym", dir);
	struct fs_map m1, m2;
	struct elf_file *e1 = NULL, *e2 = NULL;
	struct gopclntab t1, t2;
	assert_true(load_go(p1, &m1, &e1, &t1));
	assert_true(load_go(p2, &m2, &e2, &t2));
	assert_null(elf_symbol_lookup(e2, "runtime.goexit", NULL));
	assert_int_equal(t1.funcs_nr, t2.funcs_nr);
	size_t wrappers = 0, abi0 = 0;
	for (size_t i = 0; i < t1.funcs_nr; i++) {
		assert_int_equal(t1.funcs[i].entry, t2.funcs[i].entry);
		if (!gopclntab_syscall_wrapper(t1.funcs[i].name, NULL))
			continue;
		wrappers++;
		abi0 += t1.funcs[i].abi0;
		if (t1.funcs[i].abi0 != t2.funcs[i].abi0)
			fail_msg("%s at 0x%llx: abi0 %d from symbols, %d from flags", t1.funcs[i].name,
				 (unsigned long long)t1.funcs[i].entry, t1.funcs[i].abi0, t2.funcs[i].abi0);
	}
	/* Both kinds occur: Go functions with ABI0 twins, and assembly. */
	assert_true(wrappers >= 6);
	assert_true(abi0 >= 2 && abi0 < wrappers);
	gopclntab_release(&t1);
	gopclntab_release(&t2);
	elf_free(e1);
	elf_free(e2);
	fs_unmap(&m1);
	fs_unmap(&m2);
	free(p1);
	free(p2);
}

/*
 * With Debian's golang-go installed: build the Go fixture (as is, PIE and
 * stripped static) and check the table against `go tool nm`: every
 * function the table names is a text symbol at the same address (ABI0
 * functions carry ".abi0" there).
 */
static void test_go_fixture(void **state)
{
	char dir[] = "/tmp/confine-gofix.XXXXXX";
	const char *src = getenv("CONFINE_SRC");
	/* The Go build cache is kept with the other test fixtures. */
	const char *gocache = "/var/tmp/confine-fixtures/gocache";

	(void)state;
	if (!src || system("command -v go >/dev/null 2>&1") != 0)
		skip();
	assert_non_null(mkdtemp(dir));
	char *cmd = xasprintf(
		"cd '%s/tests/fixtures/programs/go' && mkdir -p '%s' && export GOCACHE='%s' GOPATH='%s/gopath' "
		"GOFLAGS=-mod=mod GOTOOLCHAIN=local && go build -o '%s/plain' . && "
		"go build -buildmode=pie -o '%s/pie' . && "
		"CGO_ENABLED=0 go build -ldflags='-s -w' -o '%s/stripped' . && "
		"go tool nm '%s/plain' | sed -n 's/^ *\\([0-9a-f]*\\) [Tt] \\(.*\\)$/\\1 \\2/p' > '%s/nm'",
		src, gocache, gocache, dir, dir, dir, dir, dir, dir);
	if (system(cmd) != 0)
		fail_msg("cannot build the Go fixture: %s", cmd);
	free(cmd);

	/* The plain build without its symbols: same code, ABI0 from the flags. */
	cmd = xasprintf("strip -o '%s/plain-nosym' '%s/plain'", dir, dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	check_abi0_heuristic(dir);

	static const char *const bins[] = { "plain", "pie", "stripped" };
	for (size_t b = 0; b < ARRAY_SIZE(bins); b++) {
		char *path = xasprintf("%s/%s", dir, bins[b]);
		struct fs_map map;
		struct elf_file *elf = NULL;
		struct gopclntab t;
		assert_true(load_go(path, &map, &elf, &t));
		check_real(path, &t, elf);
		assert_non_null(gopclntab_lookup(&t, "main.main"));
		if (b == 0) {
			/* Compare with go tool nm. */
			char *nm = xasprintf("%s/nm", dir);
			FILE *f = fopen(nm, "r");
			assert_non_null(f);
			char line[4096];
			size_t matched = 0;
			struct strset {
				unsigned long long addr;
				char name[512];
			} *syms = NULL;
			size_t nsyms = 0, alloc = 0;
			while (fgets(line, sizeof(line), f)) {
				ALLOC_GROW(syms, nsyms + 1, alloc);
				if (sscanf(line, "%llx %511[^\n]", &syms[nsyms].addr, syms[nsyms].name) == 2)
					nsyms++;
			}
			fclose(f);
			for (size_t i = 0; i < t.funcs_nr; i++) {
				const struct gopclntab_func *fn = &t.funcs[i];
				/* The table abbreviates array types in names: "[...]". */
				bool found = strstr(fn->name, "[...]") != NULL;
				char want[512];
				middot_to_dot(fn->name, want, sizeof(want));
				for (size_t k = 0; k < nsyms && !found; k++) {
					if (syms[k].addr != fn->entry)
						continue;
					size_t len = strlen(want);
					found = !strncmp(syms[k].name, want, len) &&
						(syms[k].name[len] == '\0' ||
						 (!strcmp(syms[k].name + len, ".abi0") && fn->abi0));
				}
				if (!found)
					fail_msg("%s at 0x%llx not in go tool nm", fn->name,
						 (unsigned long long)fn->entry);
				matched++;
			}
			assert_true(matched > 1000);
			free(syms);
			free(nm);
		}
		gopclntab_release(&t);
		elf_free(elf);
		fs_unmap(&map);
		unlink(path);
		free(path);
	}
	cmd = xasprintf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* Load 'path'; returns gopclntab_load()'s result, the table in *t. */
static int load_path(const char *path, struct gopclntab *t)
{
	struct fs_map map;
	struct elf_file *elf = NULL;
	assert_int_equal(fs_map_file(path, &map), 0);
	assert_int_equal(elf_open_mem(&map, path, &elf), 0);
	int ret = gopclntab_load(t, elf);
	/* Names point into the mapping: keep only what the caller checks. */
	if (ret == 0) {
		assert_int_equal(t->funcs_nr, 3);
		assert_string_equal(t->funcs[1].name, "syscall.Syscall");
		enum gopclntab_source source = t->source;
		gopclntab_release(t);
		t->source = source;
	}
	elf_free(elf);
	fs_unmap(&map);
	return ret;
}

/*
 * A small C executable carrying a synthetic table, built here: found as a
 * section, by the scan when only a Go hint (.go.buildinfo) is left, not at
 * all without a hint, and refused when its entries are not code.
 */
static void test_synthetic_elf(void **state)
{
	char dir[] = "/tmp/confine-gopclntab-elf.XXXXXX";
	const char *src = getenv("CONFINE_SRC");
	struct gopclntab t;
	struct tb b;

	(void)state;
	if (!src || system("command -v gcc >/dev/null && command -v objcopy >/dev/null") != 0)
		skip();
	assert_non_null(mkdtemp(dir));
	char *cmd = xasprintf("gcc -O2 -static -nostdlib -fno-stack-protector -o '%s/base' "
			      "'%s/tests/fixtures/programs/nolibc_write_exit.c'", dir, src);
	assert_int_equal(system(cmd), 0);
	free(cmd);

	char *base = xasprintf("%s/base", dir);
	struct fs_map map;
	struct elf_file *elf = NULL;
	assert_int_equal(fs_map_file(base, &map), 0);
	assert_int_equal(elf_open_mem(&map, base, &elf), 0);
	const struct elf_section *text = elf_section_by_name(elf, ".text");
	assert_non_null(text);
	assert_true(text->size >= 3);
	uint64_t t0 = text->addr, tend = text->addr + text->size;
	assert_int_equal(gopclntab_load(&t, elf), -ENOENT);
	elf_free(elf);
	fs_unmap(&map);

	struct sfunc fn[] = {
		{ "main.main", t0 }, { "syscall.Syscall", t0 + 1 }, { "runtime.goexit", t0 + 2 },
	};
	char *table = xasprintf("%s/table", dir), *bi = xasprintf("%s/bi", dir);
	char *out = xasprintf("%s/out", dir);
	static const char buildinfo[] = "\xff Go buildinf:\x08\x02";
	write_file(bi, buildinfo, sizeof(buildinfo) - 1);
	static const struct {
		const char *section;  /* where the table goes */
		bool hint;            /* add a .go.buildinfo section */
		bool outside;         /* entries beyond the code */
		int ret;
		enum gopclntab_source source;
	} cases[] = {
		{ ".gopclntab", false, false, 0, GOPCLNTAB_FROM_SECTION },
		{ ".rodata.g", true, false, 0, GOPCLNTAB_FROM_SCAN },
		{ ".rodata.g", false, false, -ENOENT, GOPCLNTAB_FROM_NONE },
		{ ".gopclntab", false, true, -EINVAL, GOPCLNTAB_FROM_NONE },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint64_t shift = cases[i].outside ? 0x10000000 : 0;
		struct sfunc f2[3];
		for (size_t k = 0; k < 3; k++)
			f2[k] = (struct sfunc){ fn[k].name, fn[k].entry + shift };
		build(&b, GOPCLNTAB_GO120, false, 8, f2, 3, tend + shift, t0 + shift);
		write_file(table, b.buf, b.len);
		char *hint = cases[i].hint ? xasprintf("--add-section .go.buildinfo='%s' "
						       "--set-section-flags .go.buildinfo=alloc", bi)
					   : xstrdup("");
		char *opts = xasprintf("--add-section %s='%s' --set-section-flags %s=alloc,readonly %s",
				       cases[i].section, table, cases[i].section, hint);
		free(hint);
		cmd = xasprintf("objcopy %s '%s' '%s' 2>/dev/null", opts, base, out);
		assert_int_equal(system(cmd), 0);
		int ret = load_path(out, &t);
		if (ret != cases[i].ret)
			fail_msg("case %zu: %d, expected %d (%s)", i, ret, cases[i].ret, err_msg());
		if (ret == 0)
			assert_int_equal(t.source, cases[i].source);
		if (ret == -EINVAL)
			assert_non_null(strstr(err_msg(), "Go function table"));
		free(cmd);
		free(opts);
	}
	free(table);
	free(bi);
	free(out);
	free(base);
	cmd = xasprintf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
}

/* A C program is no Go binary: -ENOENT, quickly. */
static void test_not_go(void **state)
{
	struct fs_map map;
	struct elf_file *elf = NULL;
	struct gopclntab t;

	(void)state;
	assert_int_equal(fs_map_file("/bin/ls", &map), 0);
	assert_int_equal(elf_open_mem(&map, "/bin/ls", &elf), 0);
	assert_int_equal(gopclntab_load(&t, elf), -ENOENT);
	assert_int_equal(t.funcs_nr, 0);
	elf_free(elf);
	fs_unmap(&map);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_text_start_override),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_wrappers),
		cmocka_unit_test(test_real),
		cmocka_unit_test(test_stripped),
		cmocka_unit_test(test_go_fixture),
		cmocka_unit_test(test_synthetic_elf),
		cmocka_unit_test(test_not_go),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
