/*
 * elf/elf: real Debian binaries, binaries compiled here (static, static-pie,
 * PIE, no-PIE, musl), a real Go binary, and hostile input (truncations,
 * mutations, crafted headers) that must never crash the parser.
 */
#include <elf.h>
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
#include "util/error.h"
#include "util/fs.h"
#include "util/xalloc.h"

static char tmpdir[] = "/tmp/confine-test-elf.XXXXXX";
static bool have_gcc, have_musl;

static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...)
{
	char *cmd;
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vasprintf(&cmd, fmt, ap);
	va_end(ap);
	if (ret < 0)
		return -1;
	ret = system(cmd);
	free(cmd);
	return ret;
}

static void drop_warning(const char *msg, void *ctx)
{
	(void)msg;
	(*(unsigned *)ctx)++;
}

static unsigned drain(void)
{
	unsigned n = 0;

	warn_drain(drop_warning, &n);
	return n;
}

/* Open a host file; the map is kept in *map for the caller to unmap. */
static struct elf_file *open_file(const char *path, struct fs_map *map)
{
	struct elf_file *elf = NULL;

	if (fs_map_file(path, map) < 0)
		return NULL;
	if (elf_open_mem(map, path, &elf) < 0) {
		fs_unmap(map);
		return NULL;
	}
	return elf;
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(tmpdir))
		return -1;
	have_gcc = run("command -v gcc >/dev/null 2>&1") == 0;
	have_musl = run("command -v musl-gcc >/dev/null 2>&1") == 0;
	if (have_gcc) {
		FILE *f;
		char *src = xasprintf("%s/hello.c", tmpdir);

		f = fopen(src, "w");
		if (!f)
			return -1;
		fputs("#include <stdio.h>\n"
		      "static void ctor(void) __attribute__((constructor));\n"
		      "static void ctor(void) { puts(\"ctor\"); }\n"
		      "int main(void) { puts(\"hi\"); return 0; }\n",
		      f);
		fclose(f);
		if (run("cd %s && gcc -O1 -fPIE -pie -o pie hello.c && "
			"gcc -O1 -fno-pie -no-pie -o nopie hello.c && "
			"gcc -O1 -static -o static hello.c && "
			"gcc -O1 -static-pie -o staticpie hello.c && "
			"gcc -O1 -fPIC -shared -Wl,-soname,libhello.so.1 -o libhello.so hello.c && "
			"gcc -O1 -fPIE -pie -Wl,--enable-new-dtags -Wl,-rpath,'$ORIGIN/../lib' -o runpath hello.c && "
			"gcc -O1 -fPIE -pie -Wl,--disable-new-dtags -Wl,-rpath,/opt/x -o rpath hello.c && "
			"gcc -O1 -Wl,--hash-style=sysv -o sysv hello.c",
			tmpdir) != 0)
			have_gcc = false;
		f = fopen(src, "w");
		if (!f)
			return -1;
		fputs("static int a, b, c, d;\n"
		      "int *tab[] = { &a, &b, &c, &d, &a, &b, 0, &c };\n"
		      "int get(int i) { return *tab[i]; }\n", f);
		fclose(f);
		/* RELR needs binutils >= 2.38; without it the RELR test skips. */
		if (run("cd %s && gcc -O1 -shared -fPIC -Wl,-z,pack-relative-relocs -o relr.so hello.c "
			">/dev/null 2>&1", tmpdir) != 0) {
			char *relr = xasprintf("%s/relr.so", tmpdir);

			unlink(relr);
			free(relr);
		}
		f = fopen(src, "w");
		if (!f)
			return -1;
		fputs("int main(void) { return 0; }\n", f);
		fclose(f);
		if (have_musl && run("cd %s && musl-gcc -O1 -o musl hello.c", tmpdir) != 0)
			have_musl = false;
		free(src);
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fs_remove_tree(tmpdir);
	return 0;
}

static void test_probe(void **state)
{
	static const uint8_t good[16] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 };
	static const uint8_t bad_class[16] = { 0x7f, 'E', 'L', 'F', 9, 1, 1 };

	(void)state;
	assert_true(elf_probe(good, sizeof(good)));
	assert_false(elf_probe(good, 8));
	assert_false(elf_probe(bad_class, sizeof(bad_class)));
	assert_false(elf_probe("#!/bin/sh\n", 10));
	assert_false(elf_probe(NULL, 0));
}

static void test_not_elf(void **state)
{
	struct fs_map map = { (const uint8_t *)"#!/bin/sh\necho hi\n", 18 };
	struct elf_file *elf = (void *)1;

	(void)state;
	assert_int_equal(elf_open_mem(&map, "script", &elf), -ENOEXEC);
	assert_null(elf);
	assert_non_null(strstr(err_msg(), "script"));
	err_clear();
}

static void test_ls(void **state)
{
	struct fs_map map;
	struct elf_file *elf = open_file("/usr/bin/ls", &map);
	const struct elf_section *text, *dynstr;
	const uint8_t *bytes;
	size_t len;
	bool libc = false;
	uint64_t off, avail;

	(void)state;
	if (!elf)
		skip();
	assert_true(elf->analysable);
	assert_int_equal(elf->elf_class, ELF_CLASS_64);
	assert_int_equal(elf->arch, ELF_ARCH_X86_64);
	assert_string_equal(elf_arch_name(elf), "x86_64");
	assert_int_equal(elf->type, ELF_TYPE_PIE);
	assert_string_equal(elf_type_name(elf->type), "pie");
	assert_true(elf->is_dynamic);
	assert_false(elf->is_static);
	assert_false(elf->is_go);
	assert_non_null(elf->interp);
	assert_string_equal(elf->interp, "/lib64/ld-linux-x86-64.so.2");
	for (size_t i = 0; i < elf->dyn.needed_nr; i++)
		libc |= strcmp(elf->dyn.needed[i], "libc.so.6") == 0;
	assert_true(libc);
	assert_int_equal(elf->build_id_len, 20);
	assert_int_equal(strlen(elf->build_id_hex), 40);
	assert_true(elf->dynsym.nr > 10);
	assert_true(elf->relocs_nr > 10);
	assert_true(elf->dyn.init_array && elf->dyn.init_arraysz >= 8);
	assert_true(elf->dyn.flags_1 & DF_1_PIE);

	text = elf_section_by_name(elf, ".text");
	assert_non_null(text);
	assert_true(text->flags & SHF_EXECINSTR);
	assert_int_equal(elf_section_data(elf, text, &bytes, &len), 0);
	assert_int_equal(len, text->size);
	assert_true(elf_vaddr_is_code(elf, text->addr));
	assert_true(elf_vaddr_is_code(elf, elf->entry));
	assert_true(elf_vaddr_to_offset(elf, text->addr, &off, &avail));
	assert_int_equal(off, text->offset);
	assert_ptr_equal(elf_section_of(elf, text->addr + 1), text);
	assert_ptr_equal(elf_section_at(elf, text->index), text);
	assert_null(elf_section_at(elf, elf->sections_nr));
	dynstr = elf_section_by_name(elf, ".bss");
	if (dynstr)
		assert_int_equal(elf_section_data(elf, dynstr, &bytes, &len), -ENODATA);

	/* Every undefined import is versioned against its library. */
	{
		bool saw = false;

		for (size_t i = 1; i < elf->dynsym.nr; i++) {
			const struct elf_symbol *s = &elf->dynsym.syms[i];

			if (!s->defined && s->version && strcmp(s->name, "malloc") == 0) {
				assert_string_equal(s->version_file, "libc.so.6");
				assert_non_null(strstr(s->version, "GLIBC_"));
				saw = true;
			}
		}
		assert_true(saw);
	}
	/* JUMP_SLOT relocations name their symbols. */
	{
		size_t slots = 0;

		for (size_t i = 0; i < elf->relocs_nr; i++) {
			const struct elf_reloc *r = &elf->relocs[i];

			if (elf_reloc_kind(elf, r->type) == ELF_RELOC_JUMP_SLOT) {
				assert_non_null(r->symbol);
				assert_true(r->plt);
				assert_ptr_equal(elf_reloc_at(elf, r->offset), r);
				slots++;
			}
		}
		assert_true(slots > 0);
	}
	/* init_array entries are RELATIVE-relocated code pointers. */
	{
		uint64_t *fns;
		int n = elf_read_pointer_array(elf, elf->dyn.init_array, elf->dyn.init_arraysz, &fns);

		assert_true(n >= 1);
		for (int i = 0; i < n; i++)
			assert_true(elf_vaddr_is_code(elf, fns[i]));
		free(fns);
	}
	assert_non_null(elf_libelf_handle(elf));
	elf_free(elf);
	fs_unmap(&map);
	drain();
}

static void test_libc(void **state)
{
	struct fs_map map;
	struct elf_file *elf = open_file("/usr/lib/x86_64-linux-gnu/libc.so.6", &map);
	const struct elf_symbol *s, *old;
	size_t irel = 0, rel = 0;

	(void)state;
	if (!elf)
		skip();
	/* libc.so.6 has a PT_INTERP (it runs) but is a shared object. */
	assert_non_null(elf->interp);
	assert_int_equal(elf->type, ELF_TYPE_SHARED);
	assert_false(elf->is_static);
	assert_string_equal(elf->dyn.soname, "libc.so.6");
	/* memcpy@@GLIBC_2.14 is the default, memcpy@GLIBC_2.2.5 the hidden compat one. */
	s = elf_symbol_lookup(elf, "memcpy", NULL);
	assert_non_null(s);
	assert_true(s->defined);
	assert_string_equal(s->version, "GLIBC_2.14");
	assert_false(s->version_hidden);
	old = elf_symbol_lookup(elf, "memcpy", "GLIBC_2.2.5");
	assert_non_null(old);
	assert_true(old->version_hidden);
	assert_null(elf_symbol_lookup(elf, "memcpy", "NO_SUCH_VERSION"));
	assert_null(elf_symbol_lookup(elf, "no_such_symbol_here", NULL));
	s = elf_symbol_lookup(elf, "write", NULL);
	assert_non_null(s);
	assert_int_equal(s->type, STT_FUNC);
	assert_ptr_equal(elf_symbol_at(elf, s->value), elf_symbol_at(elf, s->value));
	assert_non_null(elf_symbol_at(elf, s->value));
	assert_int_equal(elf_symbol_at(elf, s->value)->value, s->value);
	for (size_t i = 0; i < elf->relocs_nr; i++) {
		enum elf_reloc_kind k = elf_reloc_kind(elf, elf->relocs[i].type);

		irel += k == ELF_RELOC_IRELATIVE;
		rel += k == ELF_RELOC_RELATIVE;
	}
	assert_true(rel > 100);
	(void)irel;
	assert_non_null(elf->build_id_hex);
	elf_free(elf);
	fs_unmap(&map);
	drain();
}

struct built_case {
	const char *file;
	enum elf_type type;
	bool is_static;
	const char *interp;
	const char *runpath, *rpath;
};

static void test_built(void **state)
{
	static const struct built_case cases[] = {
		{ "pie", ELF_TYPE_PIE, false, "/lib64/ld-linux-x86-64.so.2", NULL, NULL },
		{ "nopie", ELF_TYPE_EXEC, false, "/lib64/ld-linux-x86-64.so.2", NULL, NULL },
		{ "static", ELF_TYPE_EXEC, true, NULL, NULL, NULL },
		{ "staticpie", ELF_TYPE_PIE, true, NULL, NULL, NULL },
		{ "libhello.so", ELF_TYPE_SHARED, false, NULL, NULL, NULL },
		{ "runpath", ELF_TYPE_PIE, false, "/lib64/ld-linux-x86-64.so.2", "$ORIGIN/../lib", NULL },
		{ "rpath", ELF_TYPE_PIE, false, "/lib64/ld-linux-x86-64.so.2", NULL, "/opt/x" },
	};

	(void)state;
	if (!have_gcc)
		skip();
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct built_case *c = &cases[i];
		char *path = xasprintf("%s/%s", tmpdir, c->file);
		struct fs_map map;
		struct elf_file *elf = open_file(path, &map);

		assert_non_null(elf);
		if (elf->type != c->type)
			fail_msg("%s: type %s", c->file, elf_type_name(elf->type));
		assert_int_equal(elf->is_static, c->is_static);
		if (c->interp)
			assert_string_equal(elf->interp, c->interp);
		else
			assert_null(elf->interp);
		if (c->runpath)
			assert_string_equal(elf->dyn.runpath, c->runpath);
		else
			assert_null(elf->dyn.runpath);
		if (c->rpath)
			assert_string_equal(elf->dyn.rpath, c->rpath);
		else
			assert_null(elf->dyn.rpath);
		if (strcmp(c->file, "libhello.so") == 0)
			assert_string_equal(elf->dyn.soname, "libhello.so.1");
		/* Every case has the constructor in an init array. */
		{
			uint64_t *fns;
			int n = elf_read_pointer_array(elf, elf->dyn.init_array,
						       elf->dyn.init_arraysz, &fns);

			if (elf->dyn.present && !c->is_static)
				assert_true(n >= 1);
			for (int j = 0; j < n; j++)
				assert_true(elf_vaddr_is_code(elf, fns[j]));
			free(fns);
		}
		/* Static binaries carry IRELATIVE relocations for libc's ifuncs. */
		if (strcmp(c->file, "static") == 0) {
			size_t irel = 0;

			for (size_t j = 0; j < elf->relocs_nr; j++)
				irel += elf_reloc_kind(elf, elf->relocs[j].type) == ELF_RELOC_IRELATIVE;
			assert_true(irel > 0);
			assert_non_null(elf_symbol_lookup(elf, "main", NULL));
		}
		elf_free(elf);
		fs_unmap(&map);
		free(path);
	}
	drain();
}

static void test_musl(void **state)
{
	char *path;
	struct fs_map map;
	struct elf_file *elf;

	(void)state;
	if (!have_musl)
		skip();
	path = xasprintf("%s/musl", tmpdir);
	elf = open_file(path, &map);
	assert_non_null(elf);
	assert_string_equal(elf->interp, "/lib/ld-musl-x86_64.so.1");
	assert_true(elf->is_dynamic);
	assert_int_equal(elf->dyn.needed_nr, 1);
	assert_string_equal(elf->dyn.needed[0], "libc.so");
	elf_free(elf);
	fs_unmap(&map);
	free(path);
}

/* Packed relative relocations decode to one RELATIVE per pointer. */
static void test_relr(void **state)
{
	char *path = xasprintf("%s/relr.so", tmpdir);
	struct fs_map map;
	struct elf_file *elf = have_gcc ? open_file(path, &map) : NULL;
	const struct elf_symbol *tab, *a, *b;
	size_t relr = 0;
	uint64_t v;

	(void)state;
	free(path);
	if (!elf)
		skip();
	for (size_t i = 0; i < elf->relocs_nr; i++)
		relr += elf->relocs[i].section && elf_reloc_kind(elf, elf->relocs[i].type) ==
							   ELF_RELOC_RELATIVE;
	/* tab[] has 7 non-null pointers; init/fini arrays and __dso_handle add more. */
	assert_true(relr >= 7);
	tab = elf_symbol_lookup(elf, "tab", NULL);
	a = NULL;
	b = NULL;
	for (size_t i = 1; i < elf->symtab.nr; i++) {
		if (strcmp(elf->symtab.syms[i].name, "a") == 0)
			a = &elf->symtab.syms[i];
		if (strcmp(elf->symtab.syms[i].name, "b") == 0)
			b = &elf->symtab.syms[i];
	}
	assert_non_null(tab);
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(elf_read_pointer(elf, tab->value, &v), 0);
	assert_int_equal(v, a->value);
	assert_int_equal(elf_read_pointer(elf, tab->value + 8, &v), 0);
	assert_int_equal(v, b->value);
	assert_int_equal(elf_read_pointer(elf, tab->value + 32, &v), 0);
	assert_int_equal(v, a->value);
	elf_free(elf);
	fs_unmap(&map);
}

static void test_go(void **state)
{
	static const char *const candidates[] = { "/usr/sbin/runc", "/usr/bin/containerd",
						  "/usr/bin/dockerd" };
	bool tested = false;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(candidates); i++) {
		struct fs_map map;
		struct elf_file *elf = open_file(candidates[i], &map);

		if (!elf)
			continue;
		assert_true(elf->is_go);
		assert_non_null(elf->go_version);
		assert_memory_equal(elf->go_version, "go1.", 4);
		elf_free(elf);
		fs_unmap(&map);
		tested = true;
	}
	drain();
	if (!tested)
		skip();
}

/* A hand-made ELF32 i386 header: recognised, reported, not analysed. */
static void test_elf32(void **state)
{
	uint8_t buf[sizeof(Elf32_Ehdr)] = { 0 };
	Elf32_Ehdr eh;
	struct fs_map map = { buf, sizeof(buf) };
	struct elf_file *elf;

	(void)state;
	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS32;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_DYN;
	eh.e_machine = EM_386;
	eh.e_ehsize = sizeof(eh);
	memcpy(buf, &eh, sizeof(eh));
	assert_int_equal(elf_open_mem(&map, "elf32", &elf), 0);
	assert_int_equal(elf->elf_class, ELF_CLASS_32);
	assert_int_equal(elf->arch, ELF_ARCH_I386);
	assert_false(elf->analysable);
	assert_string_equal(elf_class_name(elf->elf_class), "ELF32");
	assert_int_equal(elf->sections_nr, 0);
	assert_null(elf_libelf_handle(elf));
	elf_free(elf);
}

/* ---- hostile input ---------------------------------------------------- */

/* Parse and walk everything; the point is that nothing crashes. */
static void exercise(const uint8_t *data, size_t len)
{
	struct fs_map map = { data, len };
	struct elf_file *elf = NULL;

	if (elf_open_mem(&map, "hostile", &elf) < 0) {
		err_clear();
		return;
	}
	for (size_t i = 0; i < elf->sections_nr; i++) {
		const uint8_t *b;
		size_t l;

		if (elf_section_data(elf, &elf->sections[i], &b, &l) == 0 && l)
			assert_true(b >= data && b + l <= data + len);
	}
	for (size_t i = 0; i < elf->relocs_nr; i++) {
		uint64_t v;

		(void)elf_read_pointer(elf, elf->relocs[i].offset, &v);
	}
	{
		uint64_t *fns = NULL;

		(void)elf_read_pointer_array(elf, elf->dyn.init_array, elf->dyn.init_arraysz, &fns);
		free(fns);
	}
	(void)elf_symbol_lookup(elf, "main", NULL);
	(void)elf_symbol_at(elf, elf->entry);
	(void)elf_vaddr_bytes(elf, elf->entry, 16);
	elf_free(elf);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void test_truncated(void **state)
{
	struct fs_map map;

	(void)state;
	if (fs_map_file("/usr/bin/ls", &map) < 0)
		skip();
	/* Every length through the headers, then a spread over the file. */
	for (size_t len = 0; len < 4096 && len < map.size; len++) {
		uint8_t *copy = xmalloc(len ? len : 1);

		memcpy(copy, map.data, len);
		exercise(copy, len);
		free(copy);
	}
	for (size_t len = 4096; len < map.size; len += 997) {
		uint8_t *copy = xmalloc(len);

		memcpy(copy, map.data, len);
		exercise(copy, len);
		free(copy);
	}
	fs_unmap(&map);
	drain();
}

static void test_mutated(void **state)
{
	static const char *const files[] = { "/usr/bin/ls", "/usr/lib/x86_64-linux-gnu/libc.so.6" };

	(void)state;
	for (size_t f = 0; f < ARRAY_SIZE(files); f++) {
		struct fs_map map;
		uint8_t *copy;

		if (fs_map_file(files[f], &map) < 0)
			continue;
		copy = xmalloc(map.size);
		for (int round = 0; round < 300; round++) {
			memcpy(copy, map.data, map.size);
			for (int k = 0; k < 8; k++) {
				/* Mostly hit the headers and tables, where the offsets live. */
				size_t at = (k & 1) ? rng() % (map.size < 8192 ? map.size : 8192)
						    : rng() % map.size;
				copy[at] = (uint8_t)rng();
			}
			exercise(copy, map.size);
		}
		free(copy);
		fs_unmap(&map);
	}
	drain();
}

/*
 * Drop the section headers of 'path' (like sstrip): the dynamic tags must
 * still give the same relocations, dynamic symbols and versions.
 */
static void sstrip_check(const char *path)
{
	struct fs_map map, m1, m2;
	struct elf_file *full, *elf;
	Elf64_Ehdr eh;
	uint8_t *copy;
	size_t named = 0;

	if (fs_map_file(path, &map) < 0)
		return;
	copy = xmalloc(map.size);
	memcpy(copy, map.data, map.size);
	memcpy(&eh, copy, sizeof(eh));
	eh.e_shoff = 0;
	eh.e_shnum = 0;
	eh.e_shstrndx = 0;
	memcpy(copy, &eh, sizeof(eh));
	m1 = map;
	m2.data = copy;
	m2.size = map.size;
	assert_int_equal(elf_open_mem(&m1, "full", &full), 0);
	assert_int_equal(elf_open_mem(&m2, "sstripped", &elf), 0);
	assert_int_equal(elf->sections_nr, 0);
	assert_int_equal(elf->relocs_nr, full->relocs_nr);
	assert_int_equal(elf->dyn.needed_nr, full->dyn.needed_nr);
	assert_non_null(elf->build_id_hex);
	/* .dynsym found through DT_SYMTAB and the hash table, versions through DT_VER*. */
	if (elf->dynsym.nr != full->dynsym.nr)
		fail_msg("%s: %zu dynamic symbols without sections, %zu with", path,
			 elf->dynsym.nr, full->dynsym.nr);
	for (size_t i = 0; i < elf->dynsym.nr; i++) {
		const struct elf_symbol *a = &elf->dynsym.syms[i], *b = &full->dynsym.syms[i];

		assert_string_equal(a->name, b->name);
		assert_int_equal(a->value, b->value);
		assert_int_equal(a->version_hidden, b->version_hidden);
		if (b->version)
			assert_string_equal(a->version, b->version);
		if (b->version_file)
			assert_string_equal(a->version_file, b->version_file);
	}
	for (size_t i = 0; i < elf->relocs_nr; i++)
		named += elf->relocs[i].symbol && elf->relocs[i].symbol->name[0];
	assert_true(named > 0);
	elf_free(full);
	elf_free(elf);
	free(copy);
	fs_unmap(&map);
}

static void test_sstripped(void **state)
{
	char *sysv = xasprintf("%s/sysv", tmpdir);

	(void)state;
	sstrip_check("/usr/bin/ls");
	sstrip_check("/usr/lib/x86_64-linux-gnu/libc.so.6");
	if (have_gcc)
		sstrip_check(sysv); /* DT_HASH instead of DT_GNU_HASH */
	free(sysv);
	drain();
}

static void test_crafted(void **state)
{
	struct fs_map map;
	uint8_t *copy;
	Elf64_Ehdr eh;

	(void)state;
	if (fs_map_file("/usr/bin/ls", &map) < 0)
		skip();
	copy = xmalloc(map.size);
	for (int c = 0; c < 12; c++) {
		memcpy(copy, map.data, map.size);
		memcpy(&eh, copy, sizeof(eh));
		switch (c) {
		case 0: /* section header table past the end */
			eh.e_shoff = map.size - 10;
			break;
		case 1: /* huge section count */
			eh.e_shnum = 0xffff;
			break;
		case 2: /* extended numbering with a huge count in sh[0] */
			eh.e_shnum = 0;
			{
				Elf64_Shdr sh0;

				memcpy(&sh0, copy + eh.e_shoff, sizeof(sh0));
				sh0.sh_size = UINT64_MAX / 2;
				memcpy(copy + eh.e_shoff, &sh0, sizeof(sh0));
			}
			break;
		case 3: /* program headers out of range */
			eh.e_phoff = UINT64_MAX - 8;
			break;
		case 4: /* huge program header count */
			eh.e_phnum = 0xffff;
			break;
		case 5: /* bogus section name table */
			eh.e_shstrndx = 0xfff0;
			break;
		case 6: /* wrong entry sizes */
			eh.e_shentsize = 7;
			eh.e_phentsize = 3;
			break;
		case 7: /* every section offset/size bogus, names too */
			for (size_t i = 0; i < eh.e_shnum; i++) {
				Elf64_Shdr sh;
				uint8_t *at = copy + eh.e_shoff + i * sizeof(sh);

				memcpy(&sh, at, sizeof(sh));
				sh.sh_offset = UINT64_MAX - i;
				sh.sh_size = UINT64_MAX / 3;
				sh.sh_name = 0xffffff00u;
				sh.sh_link = 0xffffu;
				memcpy(at, &sh, sizeof(sh));
			}
			break;
		case 8: /* sections link to themselves */
			for (size_t i = 0; i < eh.e_shnum; i++) {
				Elf64_Shdr sh;
				uint8_t *at = copy + eh.e_shoff + i * sizeof(sh);

				memcpy(&sh, at, sizeof(sh));
				sh.sh_link = (uint32_t)i;
				sh.sh_info = (uint32_t)i;
				memcpy(at, &sh, sizeof(sh));
			}
			break;
		case 9: /* every symbol name offset bogus, section index out of range */
			for (size_t i = 0; i < eh.e_shnum; i++) {
				Elf64_Shdr sh;

				memcpy(&sh, copy + eh.e_shoff + i * sizeof(sh), sizeof(sh));
				if (sh.sh_type != SHT_DYNSYM)
					continue;
				for (size_t j = 0; j < sh.sh_size / sizeof(Elf64_Sym); j++) {
					Elf64_Sym s;
					uint8_t *at = copy + sh.sh_offset + j * sizeof(s);

					memcpy(&s, at, sizeof(s));
					s.st_name = 0xfffffff0u;
					s.st_shndx = 0xfff0;
					memcpy(at, &s, sizeof(s));
				}
			}
			break;
		case 10: /* all section types become verdef/verneed/relr/dynamic */
			for (size_t i = 0; i < eh.e_shnum; i++) {
				Elf64_Shdr sh;
				uint8_t *at = copy + eh.e_shoff + i * sizeof(sh);
				static const uint32_t types[] = { SHT_GNU_verdef, SHT_GNU_verneed, 19,
								  SHT_DYNAMIC, SHT_RELA, SHT_NOTE,
								  SHT_DYNSYM, SHT_GNU_versym };

				memcpy(&sh, at, sizeof(sh));
				sh.sh_type = types[i % ARRAY_SIZE(types)];
				sh.sh_flags |= SHF_ALLOC;
				memcpy(at, &sh, sizeof(sh));
			}
			break;
		default: /* no section headers at all: fall back on the dynamic tags */
			eh.e_shoff = 0;
			eh.e_shnum = 0;
			break;
		}
		memcpy(copy, &eh, sizeof(eh));
		exercise(copy, map.size);
	}
	free(copy);
	fs_unmap(&map);
	drain();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_not_elf),
		cmocka_unit_test(test_ls),
		cmocka_unit_test(test_libc),
		cmocka_unit_test(test_built),
		cmocka_unit_test(test_musl),
		cmocka_unit_test(test_relr),
		cmocka_unit_test(test_go),
		cmocka_unit_test(test_elf32),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_mutated),
		cmocka_unit_test(test_crafted),
		cmocka_unit_test(test_sstripped),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
