#include "analysis/objsum.h"

#include <elf.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "analysis/analysis.h"
#include "disasm/disasm.h"
#include "elf/ehpads.h"
#include "elf/elf.h"
#include "elf/gopclntab.h"
#include "syscalls/syscalls.h"
#include "util/error.h"
#include "util/search.h"
#include "util/strmap.h"
#include "util/xalloc.h"

/* Locations worth recording at call sites: argument registers (C and Go ABIs) and stack slots. */
#define ARG_LOCS ((1u << DIS_RAX) | (1u << DIS_RBX) | (1u << DIS_RCX) | (1u << DIS_RDX) |       \
		  (1u << DIS_RSI) | (1u << DIS_RDI) | (1u << DIS_R8) | (1u << DIS_R9) |          \
		  (1u << DIS_R10) | (1u << DIS_R11) | (0xffu << DIS_LOC_SLOT0))

/* Caps that keep hostile inputs bounded. */
#define MAX_FUNCS (1u << 22)
#define MAX_EDGES (1u << 26)

struct range {
	uint64_t start, end;
	const uint8_t *data;
};

struct builder {
	const struct elf_file *elf;
	const struct dis_opts *dopts; /* the options decode_all() analyses the functions with, while it runs */
	/*
	 * While decode_all() runs, for each function: bit 16+r, whether
	 * call_reads_cb() knows if it reads register r first; bit r, the answer.
	 */
	uint32_t *reads_memo;
	uint32_t reads_memo_nr;
	struct objsum *s;
	uint32_t funcs_alloc, edges_alloc, args_alloc, sys_alloc, unres_alloc, imports_alloc,
		exports_alloc, roots_alloc, dimp_alloc, dlsyms_alloc, execs_alloc, strs_alloc;
	struct range *code;
	size_t code_nr, code_alloc;
	uint64_t *starts;
	size_t starts_nr, starts_alloc;
	const char **start_names; /* parallel to starts during collection */
	struct strmap import_ix;   /* "name@version" -> index+1 */
	struct strmap str_ix;      /* string -> offset+1 */
	/* GOT slot vaddr -> target (import bit or function index), sorted by slot */
	uint64_t *got_slot;
	uint32_t *got_target;
	size_t got_nr, got_alloc;
	uint64_t gots_lo, gots_hi;   /* the span of .got and .got.plt */
	struct dis_targets tg;
	uint32_t cur;              /* function being decoded */
	uint8_t *noret;            /* per function: never returns */
	uint32_t *stub_import;     /* per function: the import a PLT stub jumps to (see plt_stubs) */
	bool seccomp_lib;          /* libseccomp (see seccomp_call) */
	const struct gopclntab *go; /* Go function table, or NULL */
	uint8_t *go_exec;          /* Go: per function, which go_exec_fns entry it is (1-based), or 0 */
	struct {
		uint64_t value, at;
	} *data_words;             /* code addresses in a position-dependent object's data, and where (collect_data_words) */
	size_t data_words_nr, data_words_alloc;
	struct ehpads eh;         /* landing pads, read when first asked (eh_loaded) */
	bool eh_loaded;
	bool overflow;
	bool pic_text;             /* see pic_text() */
};

static uint32_t str_add(struct builder *b, const char *s)
{
	struct objsum *o = b->s;
	void *v;
	size_t len, off;

	if (!s || !*s)
		return OSUM_NONE;
	v = strmap_get(&b->str_ix, s);
	if (v)
		return (uint32_t)((uintptr_t)v - 1);
	len = strlen(s) + 1;
	off = o->strs_len;
	if (off + len > UINT32_MAX / 2)
		return OSUM_NONE;
	ALLOC_GROW(o->strs, off + len, b->strs_alloc);
	memcpy(o->strs + off, s, len);
	o->strs_len = (uint32_t)(off + len);
	strmap_put(&b->str_ix, s, (void *)(uintptr_t)(off + 1));
	return (uint32_t)off;
}

static bool in_code(const struct builder *b, uint64_t addr)
{
	for (size_t i = 0; i < b->code_nr; i++)
		if (addr >= b->code[i].start && addr < b->code[i].end)
			return true;
	return false;
}

static void add_start(struct builder *b, uint64_t addr, const char *name)
{
	if (!in_code(b, addr) || b->starts_nr >= MAX_FUNCS)
		return;
	if (b->starts_nr + 1 > b->starts_alloc) {
		ALLOC_GROW(b->starts, b->starts_nr + 1, b->starts_alloc);
		b->start_names = xrealloc_array(b->start_names, b->starts_alloc, sizeof(*b->start_names));
	}
	b->starts[b->starts_nr] = addr;
	b->start_names[b->starts_nr] = name && *name ? name : NULL;
	b->starts_nr++;
}



struct named_start {
	uint64_t addr;
	const char *name;
};

/*
 * Sort by address, named entries first at an address (so the name survives
 * deduplication), otherwise keeping the given order: a stable partition
 * (named, then unnamed) and a stable LSD radix sort on 11-bit digits,
 * skipping digits that are the same everywhere.  A big library has some
 * 100,000 starts; qsort with a comparison call each was 5% of a cold run.
 */
static void sort_named(struct named_start *v, size_t n)
{
	struct named_start *tmp, *src = v, *dst;
	uint64_t lo = UINT64_MAX, hi = 0;
	size_t k = 0;

	if (n < 2)
		return;
	tmp = xcalloc(n, sizeof(*tmp));
	for (size_t i = 0; i < n; i++)
		if (v[i].name)
			tmp[k++] = v[i];
	for (size_t i = 0; i < n; i++)
		if (!v[i].name)
			tmp[k++] = v[i];
	memcpy(v, tmp, n * sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		lo = v[i].addr < lo ? v[i].addr : lo;
		hi = v[i].addr > hi ? v[i].addr : hi;
	}
	dst = tmp;
	for (unsigned shift = 0; shift < 64; shift += 11) {
		size_t count[1u << 11];
		size_t sum = 0;

		/* A digit where lo and hi agree (and all above it too) is the same in every address. */
		if ((lo >> shift) == (hi >> shift))
			break;
		memset(count, 0, sizeof(count));
		for (size_t i = 0; i < n; i++)
			count[(src[i].addr >> shift) & 0x7ff]++;
		for (size_t d = 0; d < (1u << 11); d++) {
			size_t c = count[d];

			count[d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			dst[count[(src[i].addr >> shift) & 0x7ff]++] = src[i];
		src = dst;
		dst = src == v ? tmp : v;
	}
	if (src != v)
		memcpy(v, src, n * sizeof(*v));
	free(tmp);
}

uint32_t objsum_func_at(const struct objsum *s, uint64_t addr)
{
	size_t lo = 0, hi = s->funcs_nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (addr < s->funcs[mid].start)
			hi = mid;
		else if (addr >= s->funcs[mid].end)
			lo = mid + 1;
		else
			return (uint32_t)mid;
	}
	return OSUM_NONE;
}

static uint32_t func_exact(const struct objsum *s, uint64_t addr)
{
	uint32_t f = objsum_func_at(s, addr);

	return f != OSUM_NONE && s->funcs[f].start == addr ? f : OSUM_NONE;
}

static void collect_code(struct builder *b)
{
	const struct elf_file *elf = b->elf;

	for (size_t i = 0; i < elf->sections_nr; i++) {
		const struct elf_section *sec = &elf->sections[i];
		const uint8_t *data;
		size_t len;

		if (!(sec->flags & SHF_EXECINSTR) || !(sec->flags & SHF_ALLOC) || sec->type != SHT_PROGBITS)
			continue;
		if (elf_section_data(elf, sec, &data, &len) != 0 || len == 0 || sec->addr == 0)
			continue;
		if (sec->addr + len < sec->addr)
			continue;
		ALLOC_GROW(b->code, b->code_nr + 1, b->code_alloc);
		b->code[b->code_nr++] = (struct range){ sec->addr, sec->addr + len, data };
	}
	if (b->code_nr)
		return;
	/* No section headers: fall back to executable segments. */
	for (size_t i = 0; i < elf->segments_nr; i++) {
		const struct elf_segment *seg = &elf->segments[i];

		if (seg->type != PT_LOAD || !(seg->flags & PF_X) || !seg->in_file || seg->filesz == 0)
			continue;
		if (seg->vaddr + seg->filesz < seg->vaddr)
			continue;
		ALLOC_GROW(b->code, b->code_nr + 1, b->code_alloc);
		b->code[b->code_nr++] =
			(struct range){ seg->vaddr, seg->vaddr + seg->filesz, elf->data + seg->offset };
	}
}

static uint32_t import_add(struct builder *b, const struct elf_symbol *sym)
{
	char *key = xasprintf("%s@%s", sym->name, sym->version ? sym->version : "");
	void *v = strmap_get(&b->import_ix, key);
	struct objsum *s = b->s;
	uint32_t ix;

	if (v) {
		free(key);
		return (uint32_t)((uintptr_t)v - 1);
	}
	ALLOC_GROW(s->imports, s->imports_nr + 1, b->imports_alloc);
	ix = s->imports_nr++;
	s->imports[ix].name = str_add(b, sym->name);
	s->imports[ix].version = sym->version ? str_add(b, sym->version) : OSUM_NONE;
	strmap_put(&b->import_ix, key, (void *)(uintptr_t)(ix + 1));
	free(key);
	return ix;
}

static void got_add(struct builder *b, uint64_t slot, uint32_t target)
{
	ALLOC_GROW(b->got_slot, b->got_nr + 1, b->got_alloc);
	b->got_target = xrealloc_array(b->got_target, b->got_alloc, sizeof(*b->got_target));
	b->got_slot[b->got_nr] = slot;
	b->got_target[b->got_nr] = target;
	b->got_nr++;
}

static uint32_t got_lookup(const struct builder *b, uint64_t slot)
{
	size_t lo = 0, hi = b->got_nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (b->got_slot[mid] == slot)
			return b->got_target[mid];
		if (b->got_slot[mid] < slot)
			lo = mid + 1;
		else
			hi = mid;
	}
	return OSUM_NONE;
}

/* Function starts from .eh_frame_hdr's binary search table. */
static void collect_fdes(struct builder *b)
{
	const struct elf_section *sec = elf_section_by_name(b->elf, ".eh_frame_hdr");
	const uint8_t *d;
	size_t len, pos = 4;
	uint32_t count;

	if (!sec || elf_section_data(b->elf, sec, &d, &len) != 0 || len < 12 || d[0] != 1)
		return;
	/* eh_frame_ptr: only 4-byte encodings are emitted by GNU ld / lld. */
	if ((d[1] & 0x0f) != 0x03 && (d[1] & 0x0f) != 0x0b)
		return;
	pos += 4;
	if (d[2] != 0x03 || d[3] != 0x3b) /* udata4 count, datarel sdata4 table */
		return;
	memcpy(&count, d + pos, 4);
	pos += 4;
	if (count > (len - pos) / 8)
		count = (uint32_t)((len - pos) / 8);
	for (uint32_t i = 0; i < count; i++) {
		int32_t loc;

		memcpy(&loc, d + pos + 8 * (size_t)i, 4);
		add_start(b, sec->addr + (uint64_t)(int64_t)loc, NULL);
	}
}

static void collect_symbols(struct builder *b, const struct elf_symtab *t)
{
	for (size_t i = 1; i < t->nr; i++) {
		const struct elf_symbol *sym = &t->syms[i];

		if (!sym->defined || (sym->type != STT_FUNC && sym->type != STT_GNU_IFUNC))
			continue;
		add_start(b, sym->value, sym->name);
	}
}

static void collect_relocs(struct builder *b)
{
	const struct elf_file *elf = b->elf;

	for (size_t i = 0; i < elf->relocs_nr; i++) {
		const struct elf_reloc *r = &elf->relocs[i];
		const struct elf_symbol *sym = r->symbol;

		switch (elf_reloc_kind(elf, r->type)) {
		case ELF_RELOC_RELATIVE:
		case ELF_RELOC_IRELATIVE:
			add_start(b, (uint64_t)r->addend, NULL);
			break;
		case ELF_RELOC_ABS64:
			if (sym && sym->defined)
				add_start(b, sym->value + (uint64_t)r->addend, NULL);
			break;
		default:
			break;
		}
	}
}

static void collect_init(struct builder *b)
{
	const struct elf_dynamic *dyn = &b->elf->dyn;
	const struct {
		uint64_t addr, size;
	} arrays[] = {
		{ dyn->init_array, dyn->init_arraysz },
		{ dyn->fini_array, dyn->fini_arraysz },
		{ dyn->preinit_array, dyn->preinit_arraysz },
	};

	add_start(b, b->elf->entry, NULL);
	add_start(b, dyn->init, NULL);
	add_start(b, dyn->fini, NULL);
	for (size_t i = 0; i < ARRAY_SIZE(arrays); i++) {
		uint64_t *fns = NULL;
		int n;

		if (!arrays[i].addr || !arrays[i].size)
			continue;
		n = elf_read_pointer_array(b->elf, arrays[i].addr, arrays[i].size, &fns);
		for (int k = 0; k < n; k++)
			add_start(b, fns[k], NULL);
		free(fns);
	}
	/* Static binaries have no dynamic section: use the section headers. */
	if (!dyn->present) {
		static const char *const names[] = { ".init_array", ".fini_array", ".preinit_array",
						     ".init", ".fini" };

		for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
			const struct elf_section *sec = elf_section_by_name(b->elf, names[i]);
			uint64_t *fns = NULL;
			int n;

			if (!sec)
				continue;
			if (sec->flags & SHF_EXECINSTR) {
				add_start(b, sec->addr, NULL);
				continue;
			}
			n = elf_read_pointer_array(b->elf, sec->addr, sec->size, &fns);
			for (int k = 0; k < n; k++)
				add_start(b, fns[k], NULL);
			free(fns);
		}
	}
}

static bool is_plt_name(const char *n)
{
	return !strcmp(n, ".plt") || !strcmp(n, ".plt.sec") || !strcmp(n, ".plt.got") ||
	       !strcmp(n, ".iplt");
}

static bool is_dlsym_name(const char *n)
{
	return n && n[0] == 'd' && (!strcmp(n, "dlsym") || !strcmp(n, "dlvsym"));
}

static void collect_plt(struct builder *b)
{
	for (size_t i = 0; i < b->elf->sections_nr; i++) {
		const struct elf_section *sec = &b->elf->sections[i];
		uint64_t step = sec->entsize >= 8 && sec->entsize <= 64 ? sec->entsize : 16;
		const uint8_t *d;
		size_t len;

		/* Only bytes that exist: a damaged header can claim any size. */
		if (!is_plt_name(sec->name) || !(sec->flags & SHF_EXECINSTR) ||
		    elf_section_data(b->elf, sec, &d, &len) != 0 || !in_code(b, sec->addr))
			continue;
		for (uint64_t off = 0; off < len && b->starts_nr < MAX_FUNCS; off += step)
			add_start(b, sec->addr + off, NULL);
	}
}

static void build_got(struct builder *b)
{
	const struct elf_file *elf = b->elf;

	for (size_t i = 0; i < elf->relocs_nr; i++) {
		const struct elf_reloc *r = &elf->relocs[i];
		const struct elf_symbol *sym = r->symbol;
		enum elf_reloc_kind k = elf_reloc_kind(elf, r->type);

		/*
		 * A JUMP_SLOT is a PLT slot whatever its symbol's type: Go's
		 * internal linker (cgo) types its undefined dynamic symbols
		 * STT_OBJECT, pthread_create included.
		 */
		if ((k == ELF_RELOC_JUMP_SLOT || k == ELF_RELOC_GLOB_DAT) && sym && sym->name[0] &&
		    (k == ELF_RELOC_JUMP_SLOT || sym->type == STT_FUNC || sym->type == STT_GNU_IFUNC ||
		     sym->type == STT_NOTYPE)) {
			got_add(b, r->offset, OSUM_IMPORT_BIT | import_add(b, sym));
		} else if (k == ELF_RELOC_IRELATIVE || k == ELF_RELOC_RELATIVE) {
			uint32_t f = func_exact(b->s, (uint64_t)r->addend);

			if (f != OSUM_NONE)
				got_add(b, r->offset, f);
		} else if (k == ELF_RELOC_ABS64 && sym && !sym->defined && sym->name[0] &&
			   (sym->type == STT_FUNC || sym->type == STT_NOTYPE)) {
			uint32_t ix = import_add(b, sym);
			struct objsum *s = b->s;

			/* A function pointer to an import stored in data: always usable. */
			ALLOC_GROW(s->data_imports, s->data_imports_nr + 1, b->dimp_alloc);
			s->data_imports[s->data_imports_nr++] = ix;
		}
	}
	/* Sort slots (insertion order is file order, nearly sorted). */
	for (size_t i = 1; i < b->got_nr; i++) {
		uint64_t s = b->got_slot[i];
		uint32_t t = b->got_target[i];
		size_t j = i;

		while (j > 0 && b->got_slot[j - 1] > s) {
			b->got_slot[j] = b->got_slot[j - 1];
			b->got_target[j] = b->got_target[j - 1];
			j--;
		}
		b->got_slot[j] = s;
		b->got_target[j] = t;
	}
}

/* Function f is a root; 'at' is the data address holding its address, 0 when none. */
static void add_root(struct builder *b, uint32_t f, uint64_t at)
{
	struct objsum *s = b->s;
	uint32_t name = OSUM_NONE;

	if (f == OSUM_NONE)
		return;
	/* Named for 'explain': the variable, else the section. */
	if (at) {
		const struct elf_symbol *sym = elf_symbol_at(b->elf, at);
		const struct elf_section *sec = sym && sym->name[0] ? NULL : elf_section_of(b->elf, at);

		name = str_add(b, sym && sym->name[0] ? sym->name : sec ? sec->name : NULL);
	}
	ALLOC_GROW(s->roots, s->roots_nr + 1, b->roots_alloc);
	s->roots[s->roots_nr++] = (struct osum_root){ at, f, name };
}

static void add_root_addr(struct builder *b, uint64_t addr, uint64_t at)
{
	add_root(b, func_exact(b->s, addr), at);
}

static const struct range *range_of(const struct builder *b, uint64_t addr);

/*
 * Position-dependent code stores absolute code addresses in data without
 * relocations: the aligned words of allocated data that point into code,
 * into b->data_words.  They name functions (data_start) and make them
 * callable from anywhere (collect_roots).
 */
static void collect_data_words(struct builder *b)
{
	const struct elf_file *elf = b->elf;

	if ((elf->type != ELF_TYPE_EXEC && elf->relocs_nr != 0) || !b->code_nr)
		return;
	for (size_t i = 0; i < elf->sections_nr; i++) {
		const struct elf_section *sec = &elf->sections[i];
		const uint8_t *d;
		size_t len;

		if (!(sec->flags & SHF_ALLOC) || (sec->flags & SHF_EXECINSTR) ||
		    (sec->type != SHT_PROGBITS && sec->type != SHT_INIT_ARRAY && sec->type != SHT_FINI_ARRAY &&
		     sec->type != SHT_PREINIT_ARRAY) ||
		    !strcmp(sec->name, ".gopclntab") || !strncmp(sec->name, ".eh_frame", 9) ||
		    !strcmp(sec->name, ".gcc_except_table"))
			continue;
		if (elf_section_data(elf, sec, &d, &len) != 0)
			continue;
		for (size_t off = (8 - (sec->addr & 7)) & 7; off + 8 <= len; off += 8) {
			uint64_t v;

			memcpy(&v, d + off, 8);
			if (!in_code(b, v))
				continue;
			ALLOC_GROW(b->data_words, b->data_words_nr + 1, b->data_words_alloc);
			b->data_words[b->data_words_nr].value = v;
			b->data_words[b->data_words_nr++].at = sec->addr + off;
		}
	}
}

/*
 * The data of a non-PIE executable may be all that names a function
 * (Free Pascal's unit initialisation table and procedure variables; any
 * stripped C code without unwind tables): a code address there on a
 * 16-byte boundary right after padding (zeros, NOPs, int3) or a return,
 * where compilers start functions, starts one, unless it lies inside an
 * instruction the sweep decoded.  A jump-table case that happens to look
 * so is split off as a function of its own, which only loses precision.
 * Go's function table names all of Go's.
 */
static void data_start(struct builder *b, uint64_t v)
{
	const struct range *r = range_of(b, v);
	uint8_t prev;

	if (!r || (v & 15) || v == r->start)
		return;
	prev = r->data[v - r->start - 1];
	/* Inside an instruction (a zero byte of "mov $0, %rax" before it) it would cut that code off. */
	if ((prev == 0x00 || prev == 0x90 || prev == 0xc3 || prev == 0xcc) && !dis_targets_inside_insn(&b->tg, v))
		add_start(b, v, NULL);
}

static void collect_roots(struct builder *b)
{
	const struct elf_file *elf = b->elf;
	const struct elf_dynamic *dyn = &elf->dyn;
	const struct {
		uint64_t addr, size;
	} arrays[] = {
		{ dyn->init_array, dyn->init_arraysz },
		{ dyn->fini_array, dyn->fini_arraysz },
		{ dyn->preinit_array, dyn->preinit_arraysz },
	};

	b->s->entry = elf->entry ? func_exact(b->s, elf->entry) : OSUM_NONE;
	b->s->init = dyn->init ? func_exact(b->s, dyn->init) : OSUM_NONE;
	/*
	 * musl's dynamic linker (libc.so is the interpreter) reaches its later
	 * stages through addresses it computes from its own symbol table
	 * before relocating itself: they run whenever the object is loaded.
	 */
	{
		static const char *const stages[] = { "__dls2", "__dls2b", "__dls3" };

		for (size_t i = 0; i < ARRAY_SIZE(stages); i++) {
			const struct elf_symbol *sym = elf_symbol_lookup(elf, stages[i], NULL);

			if (sym && (sym->type == STT_FUNC || sym->type == STT_NOTYPE))
				add_root_addr(b, sym->value, 0);
		}
	}
	add_root_addr(b, dyn->init, 0);
	add_root_addr(b, dyn->fini, 0);
	for (size_t i = 0; i < ARRAY_SIZE(arrays); i++) {
		uint64_t *fns = NULL;
		int n;

		if (!arrays[i].addr || !arrays[i].size)
			continue;
		n = elf_read_pointer_array(elf, arrays[i].addr, arrays[i].size, &fns);
		for (int k = 0; k < n; k++)
			add_root_addr(b, fns[k], arrays[i].addr + 8 * (uint64_t)k);
		free(fns);
	}
	if (!dyn->present) {
		static const char *const names[] = { ".init_array", ".fini_array", ".preinit_array",
						     ".init", ".fini" };

		for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
			const struct elf_section *sec = elf_section_by_name(elf, names[i]);
			uint64_t *fns = NULL;
			int n;

			if (!sec)
				continue;
			if (sec->flags & SHF_EXECINSTR) {
				add_root_addr(b, sec->addr, 0);
				continue;
			}
			n = elf_read_pointer_array(elf, sec->addr, sec->size, &fns);
			for (int k = 0; k < n; k++)
				add_root_addr(b, fns[k], sec->addr + 8 * (uint64_t)k);
			free(fns);
		}
	}
	b->s->roots_init_nr = b->s->roots_nr;
	/* Code addresses held in data (relocated pointers): callable from anywhere. */
	for (size_t i = 0; i < elf->relocs_nr; i++) {
		const struct elf_reloc *r = &elf->relocs[i];

		switch (elf_reloc_kind(elf, r->type)) {
		case ELF_RELOC_RELATIVE:
		case ELF_RELOC_IRELATIVE:
			add_root_addr(b, (uint64_t)r->addend, r->offset);
			break;
		case ELF_RELOC_ABS64:
			if (r->symbol && r->symbol->defined)
				add_root_addr(b, r->symbol->value + (uint64_t)r->addend, r->offset);
			break;
		default:
			break;
		}
	}
	/*
	 * A function whose address is in data is callable from anywhere.  (An
	 * address inside a function is a jump-table case: it runs when its
	 * function does.  Making such functions roots made python3, node and
	 * gcc "everything".)
	 */
	for (size_t i = 0; i < b->data_words_nr; i++)
		add_root_addr(b, b->data_words[i].value, b->data_words[i].at);
}

static void add_edge(struct builder *b, uint64_t addr, uint32_t target, uint8_t kind,
		     const struct dis_state *st, bool tail)
{
	struct objsum *s = b->s;
	struct osum_edge *e;

	if (s->edges_nr >= MAX_EDGES) {
		b->overflow = true;
		return;
	}
	ALLOC_GROW(s->edges, s->edges_nr + 1, b->edges_alloc);
	e = &s->edges[s->edges_nr++];
	e->addr = addr;
	e->target = target;
	e->kind = kind;
	e->args = s->args_nr;
	e->args_nr = 0;
	if ((kind != OSUM_EDGE_CALL && kind != OSUM_EDGE_INDIRECT) || !st)
		return;
	for (unsigned loc = 0; loc < DIS_LOC_NR; loc++) {
		struct dis_val v;
		struct osum_arg a;

		if (!(ARG_LOCS & (1u << loc)))
			continue;
		v = tail ? dis_state_arg_tail(st, loc) : dis_state_arg(st, loc);
		if (v.kind == DIS_CONST && v.value < SYSSET_NR)
			a = (struct osum_arg){ (uint8_t)loc, 0, (uint16_t)v.value };
		else if (v.kind == DIS_ENTRY && v.loc != loc)
			a = (struct osum_arg){ (uint8_t)loc, 1, v.loc };
		else if (v.kind == DIS_ENTRY)
			a = (struct osum_arg){ (uint8_t)loc, 1, v.loc };
		else
			continue;
		ALLOC_GROW(s->args, s->args_nr + 1, b->args_alloc);
		s->args[s->args_nr++] = a;
		e->args_nr++;
	}
}

/* Code address 'code' leaves at 'at' (DIS_PASS): an OSUM_EDGE_PASSED edge when a function starts there. */
static void add_passed_addr(struct builder *b, uint64_t at, uint64_t code)
{
	uint32_t t = func_exact(b->s, code);

	if (t != OSUM_NONE)
		add_edge(b, at, t, OSUM_EDGE_PASSED, NULL, false);
}

/*
 * The same for each code address the call or tail jump r may pass on: in
 * an argument register, or anywhere in the stack the state tracks (a
 * stack argument, or a struct built there whose address the callee gets).
 */
static void add_passed(struct builder *b, const struct dis_rec *r)
{
	uint64_t a[DIS_STATE_VALS_MAX];
	size_t n = dis_state_code_addrs(r->st, ARG_LOCS & ((1u << DIS_REG_NR) - 1), !b->pic_text, a);

	for (size_t i = 0; i < n; i++) {
		bool seen = false;

		for (size_t j = 0; j < i && !seen; j++)
			seen = a[j] == a[i];
		if (!seen)
			add_passed_addr(b, r->addr, a[i]);
	}
}

static void add_unres(struct builder *b, uint64_t addr, uint32_t reason)
{
	struct objsum *s = b->s;

	ALLOC_GROW(s->unres, s->unres_nr + 1, b->unres_alloc);
	s->unres[s->unres_nr++] = (struct osum_unres){ addr, reason };
}

/*
 * Known sites whose number comes from memory, matched on the instructions
 * right before the syscall, with the numbers they can take.  glibc's
 * set*id broadcast (__nptl_setxid_sighandler / the calling thread's part)
 * loads the number from its struct xid_command:
 *   mov rsi,[R+0x10]; mov rdi,[R+8]; mov rdx,[R+0x18]; mov eax,[R]; syscall
 * and only set*id / setgroups go through it (INLINE_SETXID_SYSCALL).
 */
static bool known_site(const struct builder *b, uint64_t addr)
{
	static const uint16_t setxid[] = { 105, 106, 113, 114, 116, 117, 119 };
	const struct range *r = range_of(b, addr);
	const uint8_t *p;
	struct objsum *s = b->s;
	unsigned reg;

	if (!r || addr < r->start + 14)
		return false;
	p = r->data + (addr - r->start) - 14;
	reg = p[2] & 7;
	if (reg == 4 || reg == 5)
		return false;
	if (p[0] != 0x48 || p[1] != 0x8b || p[2] != (0x70 | reg) || p[3] != 0x10 || p[4] != 0x48 ||
	    p[5] != 0x8b || p[6] != (0x78 | reg) || p[7] != 0x08 || p[8] != 0x48 || p[9] != 0x8b ||
	    p[10] != (0x50 | reg) || p[11] != 0x18 || p[12] != 0x8b || p[13] != reg)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(setxid); i++) {
		ALLOC_GROW(s->sys, s->sys_nr + 1, ((struct builder *)b)->sys_alloc);
		s->sys[s->sys_nr++] = (struct osum_sys){ addr, setxid[i] };
	}
	return true;
}


/*
 * Without symbols or FDEs (musl's libc.so) a static function reached only
 * by tail jumps has no start.  An unconditional-looking jump into another
 * function at a 16-byte aligned address is taken as one.  Returns true when
 * starts were added (the function list must be rebuilt).
 */
static bool tail_call_starts(struct builder *b)
{
	size_t before = b->starts_nr;

	for (size_t i = 0; i < b->tg.jumps_nr; i++) {
		uint64_t t = b->tg.jumps[i], src = b->tg.jump_srcs[i];
		uint32_t ft = objsum_func_at(b->s, t), fs = objsum_func_at(b->s, src);

		if ((t & 15) || ft == OSUM_NONE || ft == fs || b->s->funcs[ft].start == t)
			continue;
		add_start(b, t, NULL);
	}
	return b->starts_nr != before;
}

static bool is_got_name(const char *name)
{
	return !strcmp(name, ".got") || !strcmp(name, ".got.plt");
}

static bool in_got(const struct builder *b, uint64_t addr)
{
	const struct elf_section *sec = elf_section_of(b->elf, addr);

	return sec && is_got_name(sec->name);
}

/*
 * x86-64 position-independent code without text relocations: no
 * instruction immediate can be a code address (the load base is not known
 * when the object is linked), only a rip-relative lea can.  An immediate
 * that equals a function start there is a constant (mktime's 601200 is
 * glibc's aio notification helper), not an address taken.
 */
static bool pic_text(const struct elf_file *elf)
{
	if (elf->machine != 62 /* EM_X86_64 */ || !elf->relocs_nr || (elf->dyn.flags & 0x4 /* DF_TEXTREL */) ||
	    (elf->type != ELF_TYPE_PIE && elf->type != ELF_TYPE_SHARED))
		return false;
	for (size_t i = 0; i < elf->relocs_nr; i++) {
		const struct elf_section *sec = elf_section_of(elf, elf->relocs[i].offset);

		if (!sec || (sec->flags & SHF_EXECINSTR))
			return false;
	}
	return true;
}

/*
 * Whether a DIS_ADDR record is an immediate operand (mov r, imm / mov r/m,
 * imm32 / push imm32) rather than a lea.  Only those encodings are
 * recognised; anything else counts as an address.
 */
static bool imm_form(const struct builder *b, const struct dis_rec *r)
{
	const struct range *rg = range_of(b, r->addr);
	const uint8_t *p;
	size_t n, i = 0;

	if (!rg)
		return false;
	p = rg->data + (r->addr - rg->start);
	n = rg->end - r->addr;
	while (i < n && i < 4 &&
	       (p[i] == 0x66 || p[i] == 0x67 || p[i] == 0x26 || p[i] == 0x2e || p[i] == 0x36 ||
		p[i] == 0x3e || p[i] == 0x64 || p[i] == 0x65 || p[i] == 0xf2 || p[i] == 0xf3))
		i++;
	if (i < n && (p[i] & 0xf0) == 0x40)
		i++;
	return i < n && ((p[i] >= 0xb8 && p[i] <= 0xbf) || p[i] == 0xc7 || p[i] == 0x68);
}

static const uint8_t *read_data_cb(const void *ctx, uint64_t addr, size_t *avail);

/* The symbol name a dlsym() call passes in 'v', as a string of the summary, or OSUM_NONE. */
static uint32_t dlsym_name(struct builder *b, struct dis_val v)
{
	char buf[256];
	const uint8_t *p;
	size_t n, len = 0;

	if ((v.kind != DIS_CONST && v.kind != DIS_ADDRESS) || !(p = read_data_cb(b, v.value, &n)))
		return OSUM_NONE;
	while (len < n && len < sizeof(buf) - 1 && p[len] > 0x20 && p[len] < 0x7f)
		len++;
	if (!len || len >= n || p[len])
		return OSUM_NONE;
	memcpy(buf, p, len);
	buf[len] = '\0';
	return str_add(b, buf);
}

/* A call (or tail jump) of dlsym(): note the name it looks up. */
static void dlsym_call(struct builder *b, const struct dis_rec *r)
{
	struct objsum *s = b->s;
	bool tail = r->kind != DIS_CALL && r->kind != DIS_CALL_IND;

	if (!r->st)
		return;
	ALLOC_GROW(s->dlsyms, s->dlsyms_nr + 1, b->dlsyms_alloc);
	s->dlsyms[s->dlsyms_nr++] = (struct osum_dlsym){
		r->addr, b->cur,
		dlsym_name(b, tail ? dis_state_arg_tail(r->st, DIS_RSI) : dis_state_arg(r->st, DIS_RSI)),
	};
}

/*
 * Go functions that run a program by a name (or path) their caller gives,
 * and where that string (pointer, length) is: in registers under Go's
 * register ABI (Go 1.17 on), in stack slots under the older stack ABI.
 * exec.Command with a name that has no slash looks it up on PATH, as
 * LookPath does.
 */
static const struct go_exec_fn {
	const char *name;
	uint8_t ptr, len;           /* registers */
	uint8_t slot;               /* the first of its two stack slots */
} go_exec_fns[] = {
	{ "os/exec.Command", DIS_RAX, DIS_RBX, 0 },
	{ "os/exec.CommandContext", DIS_RCX, DIS_RDI, 2 }, /* after the context (an interface: two words) */
	{ "os/exec.LookPath", DIS_RAX, DIS_RBX, 0 },
	{ "os.StartProcess", DIS_RAX, DIS_RBX, 0 },
	{ "syscall.StartProcess", DIS_RAX, DIS_RBX, 0 },
	{ "syscall.ForkExec", DIS_RAX, DIS_RBX, 0 },
	{ "syscall.Exec", DIS_RAX, DIS_RBX, 0 },
	{ "golang.org/x/sys/unix.Exec", DIS_RAX, DIS_RBX, 0 },
};

#define GO_EXEC_NAME_MAX 1024
#define GO_EXECS_MAX 4096

/* Which go_exec_fns entry function f is (1-based), or 0. */
static uint8_t go_exec_fn_of(const struct objsum *s, uint32_t f)
{
	const char *n = s->funcs[f].name != OSUM_NONE ? objsum_str(s, s->funcs[f].name) : NULL;

	for (size_t i = 0; n && i < ARRAY_SIZE(go_exec_fns); i++)
		if (!strcmp(n, go_exec_fns[i].name))
			return (uint8_t)(i + 1);
	return 0;
}

/* The Go string (pointer, length) as a C string of the summary, or OSUM_NONE when not constant. */
static uint32_t go_string(struct builder *b, struct dis_val ptr, struct dis_val len)
{
	char buf[GO_EXEC_NAME_MAX + 1];
	const uint8_t *p;
	size_t n;

	if ((ptr.kind != DIS_CONST && ptr.kind != DIS_ADDRESS) || len.kind != DIS_CONST || !len.value ||
	    len.value > GO_EXEC_NAME_MAX || !(p = read_data_cb(b, ptr.value, &n)) || n < len.value)
		return OSUM_NONE;
	for (uint32_t i = 0; i < len.value; i++)
		if (p[i] <= 0x20 || p[i] >= 0x7f)
			return OSUM_NONE;
	memcpy(buf, p, len.value);
	buf[len.value] = '\0';
	return str_add(b, buf);
}

/* A Go call of go_exec_fns[fn - 1]: note the name, whichever ABI holds a constant one. */
static void go_exec_call(struct builder *b, const struct dis_rec *r, uint8_t fn)
{
	const struct go_exec_fn *g = &go_exec_fns[fn - 1];
	struct objsum *s = b->s;
	uint32_t name;

	if (!r->st || s->execs_nr >= GO_EXECS_MAX)
		return;
	name = go_string(b, dis_state_arg(r->st, g->ptr), dis_state_arg(r->st, g->len));
	if (name == OSUM_NONE)
		name = go_string(b, dis_state_arg(r->st, DIS_LOC_SLOT0 + g->slot),
				 dis_state_arg(r->st, DIS_LOC_SLOT0 + g->slot + 1u));
	if (name == OSUM_NONE)
		return;
	ALLOC_GROW(s->execs, s->execs_nr + 1, b->execs_alloc);
	s->execs[s->execs_nr++] = (struct osum_exec){ b->cur, name };
}

/*
 * libseccomp's model.  Every syscall() call in libseccomp 2 makes seccomp(2):
 * its number is the native "seccomp" looked up in libseccomp's own tables
 * at run time and kept in a variable (src/system.c), so the analysis sees
 * no constant there, and every program linking libseccomp (systemd, runc,
 * apt's methods, man) was "every system call".  A call of syscall() in
 * libseccomp with no known number gets seccomp's as its number; a negative
 * lookup result can only fail with ENOSYS.  (Like glibc's set*id broadcast
 * in known_site: a library whose source says what the number is.)  The
 * call's edge is the last one added.
 */
static void seccomp_call(struct builder *b, const struct dis_rec *r)
{
	struct objsum *s = b->s;
	struct osum_edge *e = s->edges_nr ? &s->edges[s->edges_nr - 1] : NULL;
	int nr = syscall_number(SYS_ARCH_X86_64, "seccomp");

	if (!e || e->addr != r->addr || nr < 0 || e->kind != OSUM_EDGE_CALL || e->args + e->args_nr != s->args_nr)
		return;
	for (uint32_t a = e->args; a < e->args + e->args_nr; a++)
		if (s->args[a].loc == DIS_RDI)
			return;
	ALLOC_GROW(s->args, s->args_nr + 1, b->args_alloc);
	s->args[s->args_nr++] = (struct osum_arg){ DIS_RDI, 0, (uint16_t)nr };
	e->args_nr++;
}

/*
 * A call (or tail jump) to 't', a function or an import, that reaches an
 * import (directly or through its PLT stub) needing more than an edge:
 * dlsym's name, libseccomp's syscall().  A stub's own jump does not count
 * (its callers' calls do).
 */
static void import_call(struct builder *b, const struct dis_rec *r, uint32_t t)
{
	uint32_t imp = t & OSUM_IMPORT_BIT ? t & ~OSUM_IMPORT_BIT : b->stub_import[t];
	const char *name;

	if (imp == OSUM_NONE || b->stub_import[b->cur] != OSUM_NONE ||
	    !(name = objsum_str(b->s, b->s->imports[imp].name)))
		return;
	if (is_dlsym_name(name))
		dlsym_call(b, r);
	else if (b->seccomp_lib && !strcmp(name, "syscall"))
		seccomp_call(b, r);
}

static void on_rec(const struct dis_rec *r, void *ctx)
{
	struct builder *b = ctx;
	struct objsum *s = b->s;
	struct osum_func *f = &s->funcs[b->cur];
	uint32_t t;

	/* Bytes no control flow reaches (tables in .text) are not code: no sites there. */
	if (!r->reached && (r->kind == DIS_SYSCALL || r->kind == DIS_INT80 || r->kind == DIS_SYSENTER))
		return;
	switch (r->kind) {
	case DIS_SYSCALL: {
		struct dis_val v = dis_state_arg(r->st, DIS_RAX);

		if (v.kind == DIS_CONST) {
			/* A number beyond every table always fails with ENOSYS: nothing to allow. */
			if (v.value < SYSSET_NR) {
				ALLOC_GROW(s->sys, s->sys_nr + 1, b->sys_alloc);
				s->sys[s->sys_nr++] = (struct osum_sys){ r->addr, (uint32_t)v.value };
			}
		} else if (v.kind == DIS_ENTRY) {
			f->wrap |= 1u << v.loc;
		} else if (!known_site(b, r->addr)) {
			add_unres(b, r->addr, OSUM_R_NOT_CONST);
		}
		break;
	}
	case DIS_INT80:
		add_unres(b, r->addr, OSUM_R_INT80);
		break;
	case DIS_SYSENTER:
		add_unres(b, r->addr, OSUM_R_SYSENTER);
		break;
	case DIS_CALL:
	case DIS_JUMP:
	case DIS_BRANCH:
		if (r->kind != DIS_CALL && r->target >= f->start && r->target < f->end)
			break;
		t = objsum_func_at(s, r->target);
		if (t == OSUM_NONE)
			break;
		add_edge(b, r->addr, t,
			 s->funcs[t].start == r->target ? OSUM_EDGE_CALL : OSUM_EDGE_TAKEN, r->st,
			 r->kind != DIS_CALL);
		if (b->stub_import && s->funcs[t].start == r->target)
			import_call(b, r, t);
		if (b->go_exec && b->go_exec[t] && r->kind == DIS_CALL && s->funcs[t].start == r->target)
			go_exec_call(b, r, b->go_exec[t]);
		if (s->funcs[t].start == r->target)
			add_passed(b, r);
		break;
	case DIS_CALL_IND:
	case DIS_JUMP_IND:
		t = r->target ? got_lookup(b, r->target) : OSUM_NONE;
		if (t != OSUM_NONE) {
			add_edge(b, r->addr, t, t & OSUM_IMPORT_BIT ? OSUM_EDGE_CALL : OSUM_EDGE_TAKEN, r->st,
				 r->kind == DIS_JUMP_IND);
			if (b->stub_import && (t & OSUM_IMPORT_BIT))
				import_call(b, r, t);
			add_passed(b, r);
		} else if (r->target && in_got(b, r->target)) {
			/* A GOT slot with no binding: the lazy resolver (PLT0) or an unused one. */
		} else if (r->reached && (r->kind == DIS_CALL_IND || dis_state_may_tail(r->st))) {
			/* A jump with the frame still up is a jump table, not a call. */
			add_edge(b, r->addr, b->cur, OSUM_EDGE_INDIRECT, r->st, r->kind == DIS_JUMP_IND);
			add_passed(b, r);
		}
		break;
	case DIS_MEMREF:
		t = got_lookup(b, r->target);
		if (t != OSUM_NONE)
			add_edge(b, r->addr, t, OSUM_EDGE_TAKEN, NULL, false);
		break;
	case DIS_ADDR:
		if (r->compare_only || (b->pic_text && imm_form(b, r)))
			break;
		t = func_exact(s, r->target);
		if (t != OSUM_NONE && t != b->cur)
			add_edge(b, r->addr, t, OSUM_EDGE_TAKEN, NULL, false);
		break;
	case DIS_PASS:
		add_passed_addr(b, r->addr, r->target);
		break;
	case DIS_RET:
		break;
	}
}

static void build_funcs(struct builder *b)
{
	struct objsum *s = b->s;
	struct named_start *ns;
	size_t n = 0;

	for (size_t i = 0; i < b->code_nr; i++)
		add_start(b, b->code[i].start, NULL);
	ns = xcalloc(b->starts_nr ? b->starts_nr : 1, sizeof(*ns));
	for (size_t i = 0; i < b->starts_nr; i++)
		ns[i] = (struct named_start){ b->starts[i], b->start_names[i] };
	sort_named(ns, b->starts_nr);
	s->funcs = xcalloc(b->starts_nr ? b->starts_nr : 1, sizeof(*s->funcs));
	for (size_t i = 0; i < b->starts_nr; i++) {
		if (n && s->funcs[n - 1].start == ns[i].addr)
			continue;
		s->funcs[n] = (struct osum_func){ .start = ns[i].addr, .name = str_add(b, ns[i].name) };
		n++;
	}
	/* Each function ends at the next start or at the end of its code range. */
	for (size_t i = 0; i < n; i++) {
		uint64_t end = s->funcs[i].start;

		for (size_t r = 0; r < b->code_nr; r++)
			if (s->funcs[i].start >= b->code[r].start && s->funcs[i].start < b->code[r].end)
				end = b->code[r].end;
		if (i + 1 < n && s->funcs[i + 1].start < end)
			end = s->funcs[i + 1].start;
		s->funcs[i].end = end;
	}
	s->funcs_nr = (uint32_t)n;
	/* Starts repeat (every call to a function adds one): give back the rest. */
	s->funcs = xrealloc_array(s->funcs, n ? n : 1, sizeof(*s->funcs));
	free(ns);
}

/* Library functions that never return, by contract. */
static bool noreturn_name(const char *n)
{
	static const char *const names[] = {
		"abort", "exit", "_exit", "_Exit", "quick_exit", "__stack_chk_fail", "__assert_fail",
		"__assert_perror_fail", "__fortify_fail", "__chk_fail", "pthread_exit", "longjmp",
		"siglongjmp", "_longjmp", "__longjmp_chk", "err", "errx", "verr", "verrx",
		"__cxa_throw", "__cxa_rethrow", "_Unwind_Resume", "__libc_fatal", "thrd_exit",
	};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(n, names[i]))
			return true;
	return false;
}

static bool noreturn_cb(const void *ctx, uint64_t target, bool via_slot)
{
	const struct builder *b = ctx;
	uint32_t f;

	if (via_slot) {
		uint32_t t = got_lookup(b, target);
		const char *name;

		if (t == OSUM_NONE)
			return false;
		if (!(t & OSUM_IMPORT_BIT))
			return b->noret[t];
		name = objsum_str(b->s, b->s->imports[t & ~OSUM_IMPORT_BIT].name);
		return name && noreturn_name(name);
	}
	f = func_exact(b->s, target);
	if (f == OSUM_NONE)
		return false;
	if (b->noret[f])
		return true;
	/* A PLT stub: the import it jumps through. */
	return false;
}

static int cmp_store(const void *a, const void *b)
{
	const struct dis_store *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/*
 * A load from a variable nothing in the object writes: Go keeps some
 * syscall numbers in package variables (syscall.fcntl64Syscall).  Only for
 * Go objects, only when no instruction stores to it directly (a store
 * reaches its operand's bytes, at most 64; one whose reach is not known,
 * such as xsave, anything above it in the section), takes the address of
 * it or of anything up to 32 bytes below it (a write indexed from a small
 * array's base there would show such a reference), and no relocation
 * covers it.  A heuristic for larger arrays: documented.
 */
static bool load_const_cb(const void *ctx, uint64_t addr, unsigned size, uint32_t *value)
{
	const struct builder *b = ctx;
	const struct elf_section *sec;
	const uint8_t *p;
	size_t lo;
	uint64_t v = 0;

	if (!b->s->is_go || (size != 4 && size != 8) || addr < 64)
		return false;
	sec = elf_section_of(b->elf, addr);
	if (!sec || (sec->flags & SHF_EXECINSTR) || sec->type != SHT_PROGBITS ||
	    elf_reloc_at(b->elf, addr) || !(p = elf_vaddr_bytes(b->elf, addr, size)))
		return false;
	lo = u64_lower_bound(b->tg.touched, b->tg.touched_nr, addr - 32);
	if (lo < b->tg.touched_nr && b->tg.touched[lo] < addr + size)
		return false;
	_Static_assert(offsetof(struct dis_store, addr) == 0, "addr_lower_bound reads the first member");
	for (lo = addr_lower_bound(b->tg.stores, b->tg.stores_nr, sizeof(*b->tg.stores), addr - 63);
	     lo < b->tg.stores_nr && b->tg.stores[lo].addr < addr + size; lo++)
		if (b->tg.stores[lo].addr + b->tg.stores[lo].size > addr)
			return false;
	lo = u64_lower_bound(b->tg.stores_wide, b->tg.stores_wide_nr, sec->addr);
	if (lo < b->tg.stores_wide_nr && b->tg.stores_wide[lo] < addr + size)
		return false;
	memcpy(&v, p, size);
	if (v > 0xffffffffu)
		return false;
	*value = (uint32_t)v;
	return true;
}

static const struct range *range_of(const struct builder *b, uint64_t addr)
{
	for (size_t i = 0; i < b->code_nr; i++)
		if (addr >= b->code[i].start && addr < b->code[i].end)
			return &b->code[i];
	return NULL;
}

/*
 * PLT stubs: one that jumps through a GOT slot bound to a never-returning
 * import (abort@plt) never returns either; each is named after its import;
 * and when the object imports dlsym(), or is libseccomp, the import of each
 * is noted (calls of dlsym@plt and syscall@plt are looked at in on_rec).
 */
static void plt_stubs(struct builder *b)
{
	bool want = b->seccomp_lib;

	for (uint32_t i = 0; i < b->s->imports_nr && !want; i++)
		want = is_dlsym_name(objsum_str(b->s, b->s->imports[i].name));
	if (want) {
		b->stub_import = xmalloc((b->s->funcs_nr ? b->s->funcs_nr : 1) * sizeof(uint32_t));
		memset(b->stub_import, 0xff, (b->s->funcs_nr ? b->s->funcs_nr : 1) * sizeof(uint32_t));
	}
	for (size_t i = 0; i < b->elf->sections_nr; i++) {
		const struct elf_section *sec = &b->elf->sections[i];
		const uint8_t *d;
		size_t len;

		if (!is_plt_name(sec->name) || elf_section_data(b->elf, sec, &d, &len) != 0)
			continue;
		for (size_t off = 0; off + 6 <= len; off++) {
			/* jmp *disp32(%rip): ff 25, optionally after bnd (f2) or endbr64 */
			int32_t disp;
			uint64_t slot;
			uint32_t f, t;

			if (d[off] != 0xff || d[off + 1] != 0x25)
				continue;
			memcpy(&disp, d + off + 2, 4);
			slot = sec->addr + off + 6 + (uint64_t)(int64_t)disp;
			f = objsum_func_at(b->s, sec->addr + off);
			if (f == OSUM_NONE)
				continue;
			if (noreturn_cb(b, slot, true))
				b->noret[f] = 1;
			t = got_lookup(b, slot);
			if (t == OSUM_NONE || !(t & OSUM_IMPORT_BIT))
				continue;
			if (b->stub_import && b->stub_import[f] == OSUM_NONE)
				b->stub_import[f] = t & ~OSUM_IMPORT_BIT;
			/* Name the stub after its import, as objdump does ("syscall@plt"). */
			if (b->s->funcs[f].name == OSUM_NONE) {
				const char *in = objsum_str(b->s, b->s->imports[t & ~OSUM_IMPORT_BIT].name);
				char *nm = xasprintf("%s@plt", in ? in : "?");

				b->s->funcs[f].name = str_add(b, nm);
				free(nm);
			}
		}
	}
}

/* Pointers loaded from the GOT are followed (most loads are of other variables: a range test). */
static bool fn_slot_cb(const void *ctx, uint64_t addr)
{
	const struct builder *b = ctx;

	return addr >= b->gots_lo && addr < b->gots_hi && got_lookup(b, addr) != OSUM_NONE;
}

/*
 * Functions of the C library (and the C++ and unwinder runtimes) that take
 * a fixed number of integer or pointer parameters (none variadic: a
 * variadic function may read any argument register, and al), by name, and
 * that count.  The C ABI passes them in rdi, rsi, rdx, rcx, r8, r9: the
 * function reads none of the others, nor rax, r10 or r11, as the call
 * left them.  A count above the real one is safe; one below is not.
 */
static const struct c_arity {
	const char *name;
	uint8_t args;
} c_arities[] = {
	{ "_Unwind_DeleteException", 1 }, { "_Unwind_Resume", 1 }, { "__cxa_allocate_exception", 1 },
	{ "__cxa_begin_catch", 1 }, { "__cxa_end_catch", 0 }, { "__cxa_free_exception", 1 },
	{ "__cxa_guard_acquire", 1 }, { "__cxa_guard_release", 1 }, { "__cxa_rethrow", 0 }, { "__cxa_throw", 3 },
	{ "__errno_location", 0 }, { "__stack_chk_fail", 0 }, { "__tls_get_addr", 1 }, { "_exit", 1 },
	{ "abort", 0 }, { "accept", 3 }, { "accept4", 4 }, { "access", 2 }, { "bcmp", 3 }, { "bind", 3 },
	{ "calloc", 2 }, { "chdir", 1 }, { "chmod", 2 }, { "clock_gettime", 2 }, { "clock_nanosleep", 4 },
	{ "close", 1 }, { "closedir", 1 }, { "connect", 3 }, { "dladdr", 2 }, { "dlclose", 1 }, { "dlerror", 0 },
	{ "dlopen", 2 }, { "dlsym", 2 }, { "dup", 1 }, { "dup2", 2 }, { "epoll_create1", 1 }, { "epoll_ctl", 4 },
	{ "epoll_wait", 4 }, { "eventfd", 2 }, { "exit", 1 }, { "fchmod", 2 }, { "fclose", 1 },
	{ "fdatasync", 1 }, { "fflush", 1 }, { "fopen", 2 }, { "fputs", 2 }, { "free", 1 }, { "freeaddrinfo", 1 },
	{ "fstat", 2 }, { "fstat64", 2 }, { "fsync", 1 }, { "ftruncate", 2 }, { "ftruncate64", 2 },
	{ "getaddrinfo", 4 }, { "getauxval", 1 }, { "getcwd", 2 }, { "getegid", 0 }, { "getenv", 1 },
	{ "geteuid", 0 }, { "getgid", 0 }, { "getpeername", 3 }, { "getpid", 0 }, { "getppid", 0 },
	{ "getrandom", 3 }, { "getrlimit", 2 }, { "getsockname", 3 }, { "getsockopt", 5 }, { "gettid", 0 },
	{ "gettimeofday", 2 }, { "getuid", 0 }, { "isatty", 1 }, { "kill", 2 }, { "listen", 2 }, { "lseek", 3 },
	{ "lseek64", 3 }, { "lstat", 2 }, { "lstat64", 2 }, { "madvise", 3 }, { "malloc", 1 }, { "memalign", 2 },
	{ "memchr", 3 }, { "memcmp", 3 }, { "memcpy", 3 }, { "memmove", 3 }, { "memrchr", 3 }, { "memset", 3 },
	{ "mkdir", 2 }, { "mmap", 6 }, { "mmap64", 6 }, { "mprotect", 3 }, { "munmap", 2 }, { "nanosleep", 2 },
	{ "opendir", 1 }, { "pipe2", 2 }, { "poll", 3 }, { "posix_memalign", 3 }, { "pread64", 4 },
	{ "pthread_attr_destroy", 1 }, { "pthread_attr_getguardsize", 2 }, { "pthread_attr_getstack", 3 },
	{ "pthread_attr_getstacksize", 2 }, { "pthread_attr_init", 1 }, { "pthread_attr_setstacksize", 2 },
	{ "pthread_cond_broadcast", 1 }, { "pthread_cond_destroy", 1 }, { "pthread_cond_init", 2 },
	{ "pthread_cond_signal", 1 }, { "pthread_cond_timedwait", 3 }, { "pthread_cond_wait", 2 },
	{ "pthread_condattr_destroy", 1 }, { "pthread_condattr_init", 1 }, { "pthread_condattr_setclock", 2 },
	{ "pthread_create", 4 }, { "pthread_detach", 1 }, { "pthread_exit", 1 }, { "pthread_getattr_np", 2 },
	{ "pthread_getspecific", 1 }, { "pthread_join", 2 }, { "pthread_key_create", 2 },
	{ "pthread_key_delete", 1 }, { "pthread_kill", 2 }, { "pthread_mutex_destroy", 1 },
	{ "pthread_mutex_init", 2 }, { "pthread_mutex_lock", 1 }, { "pthread_mutex_trylock", 1 },
	{ "pthread_mutex_unlock", 1 }, { "pthread_mutexattr_destroy", 1 }, { "pthread_mutexattr_init", 1 },
	{ "pthread_mutexattr_settype", 2 }, { "pthread_once", 2 }, { "pthread_rwlock_destroy", 1 },
	{ "pthread_rwlock_init", 2 }, { "pthread_rwlock_rdlock", 1 }, { "pthread_rwlock_unlock", 1 },
	{ "pthread_rwlock_wrlock", 1 }, { "pthread_self", 0 }, { "pthread_setname_np", 2 },
	{ "pthread_setspecific", 2 }, { "pthread_sigmask", 3 }, { "puts", 1 }, { "pwrite64", 4 }, { "raise", 1 },
	{ "read", 3 }, { "readdir", 1 }, { "readdir64", 1 }, { "readlink", 3 }, { "readv", 3 }, { "realloc", 2 },
	{ "realpath", 2 }, { "recv", 4 }, { "recvfrom", 6 }, { "recvmsg", 3 }, { "rename", 2 }, { "rmdir", 1 },
	{ "sched_yield", 0 }, { "send", 4 }, { "sendmsg", 3 }, { "sendto", 6 }, { "setsockopt", 5 },
	{ "shutdown", 2 }, { "sigaction", 3 }, { "sigaltstack", 2 }, { "signal", 2 }, { "sigprocmask", 3 },
	{ "sleep", 1 }, { "socket", 3 }, { "stat", 2 }, { "stat64", 2 }, { "strchr", 2 }, { "strcmp", 2 },
	{ "strcpy", 2 }, { "strdup", 1 }, { "strlen", 1 }, { "strncmp", 3 }, { "strncpy", 3 }, { "strrchr", 2 },
	{ "strstr", 2 }, { "strtol", 3 }, { "strtoul", 3 }, { "sysconf", 1 }, { "time", 1 }, { "uname", 1 },
	{ "unlink", 1 }, { "usleep", 1 }, { "waitpid", 3 }, { "write", 3 }, { "writev", 3 },
};

static int cmp_arity(const void *key, const void *elem)
{
	return strcmp(key, ((const struct c_arity *)elem)->name);
}

/* The import a PLT stub or a one-jump trampoline at function f's start ("jmp *slot(%rip)") goes to. */
static const char *stub_target(const struct builder *b, uint32_t f)
{
	const uint8_t *p;
	size_t avail = 0;
	int32_t disp;
	uint32_t t;
	uint64_t at = b->s->funcs[f].start;

	if (!(p = read_data_cb(b, at, &avail)) || avail < 6)
		return NULL;
	if (avail >= 10 && p[0] == 0xf3 && p[1] == 0x0f && p[2] == 0x1e && p[3] == 0xfa) { /* endbr64 */
		p += 4, at += 4, avail -= 4;
	}
	if (avail >= 7 && p[0] == 0xf2) /* bnd */
		p++, at++, avail--;
	if (p[0] != 0xff || p[1] != 0x25)
		return NULL;
	memcpy(&disp, p + 2, 4);
	t = got_lookup(b, at + 6 + (uint64_t)(int64_t)disp);
	if (t == OSUM_NONE || !(t & OSUM_IMPORT_BIT))
		return NULL;
	return objsum_str(b->s, b->s->imports[t & ~OSUM_IMPORT_BIT].name);
}

#define CALL_READS_DEPTH 16 /* calls followed into the object's own functions */
#define CALL_READS_SCANS 64 /* functions one question looks into, at most */
static _Thread_local unsigned call_reads_depth, call_reads_scans;
/*
 * The functions being looked into, outermost first, and the outermost of
 * them that a call back into it met (UINT_MAX: none).  Such a call reads
 * nothing more than the function's own scan finds: the answers are the
 * least fixpoint over the cycle.  The outermost function's answer is final;
 * a "no" inside the cycle holds only if the outermost one's is "no" too,
 * so it is not remembered.
 */
static _Thread_local uint32_t call_reads_stack[CALL_READS_DEPTH];
static _Thread_local unsigned call_reads_low = UINT_MAX;

/*
 * See dis_opts.call_reads: false for a known C function (c_arities)
 * without 'reg' among its parameters, and for a function of the object
 * whose code does not read it first (dis_reads_before_write).
 */
static bool call_reads_cb(const void *ctx, uint64_t target, bool via_slot, int reg)
{
	static const int8_t arg_of[DIS_REG_NR] = {
		[DIS_RAX] = -1, [DIS_RCX] = 3, [DIS_RDX] = 2, [DIS_RBX] = 99, [DIS_RSP] = 99, [DIS_RBP] = 99,
		[DIS_RSI] = 1,  [DIS_RDI] = 0, [DIS_R8] = 4,  [DIS_R9] = 5,   [DIS_R10] = -1, [DIS_R11] = -1,
		[DIS_R12] = 99, [DIS_R13] = 99, [DIS_R14] = 99, [DIS_R15] = 99,
	};
	const struct builder *b = ctx;
	const struct c_arity *a;
	const char *name = NULL;
	uint32_t f;
	unsigned d, outer;
	bool reads;

	if (reg < 0 || reg >= DIS_REG_NR || arg_of[reg] == 99)
		return true;
	if (via_slot) {
		uint32_t t = got_lookup(b, target);

		if (t == OSUM_NONE)
			return true;
		if (t & OSUM_IMPORT_BIT)
			name = objsum_str(b->s, b->s->imports[t & ~OSUM_IMPORT_BIT].name);
		f = t & OSUM_IMPORT_BIT ? OSUM_NONE : t;
	} else {
		f = func_exact(b->s, target);
	}
	if (!name && f != OSUM_NONE && f < b->s->funcs_nr)
		name = stub_target(b, f);
	if (name) {
		a = bsearch(name, c_arities, ARRAY_SIZE(c_arities), sizeof(*c_arities), cmp_arity);
		return !a || (arg_of[reg] >= 0 && arg_of[reg] < a->args);
	}
	/* A function of this object: what its code reads, CALL_READS_DEPTH calls deep (asked once a register). */
	if (f == OSUM_NONE || f >= b->s->funcs_nr || f >= b->reads_memo_nr || !b->dopts)
		return true;
	if (b->reads_memo[f] >> (16 + reg) & 1)
		return b->reads_memo[f] >> reg & 1;
	for (unsigned i = 0; i < call_reads_depth; i++)
		if (call_reads_stack[i] == f) {
			call_reads_low = i < call_reads_low ? i : call_reads_low;
			return false;
		}
	if (!call_reads_depth) {
		call_reads_scans = 0;
		call_reads_low = UINT_MAX;
	}
	if (call_reads_depth >= CALL_READS_DEPTH || call_reads_scans >= CALL_READS_SCANS)
		return true; /* not remembered: at a shallower depth the answer may be false */
	d = call_reads_depth++;
	call_reads_scans++;
	call_reads_stack[d] = f;
	outer = call_reads_low;
	call_reads_low = UINT_MAX;
	reads = dis_reads_before_write(b->dopts, b->s->funcs[f].start, reg);
	call_reads_depth--;
	if (reads || call_reads_low >= d) {
		b->reads_memo[f] |= (1u << (16 + reg)) | ((uint32_t)reads << reg);
		call_reads_low = outer;
	} else if (outer < call_reads_low) {
		call_reads_low = outer;
	}
	return reads;
}

/* Jump tables (see dis_opts.read_data). */
static const uint8_t *read_data_cb(const void *ctx, uint64_t addr, size_t *avail)
{
	const struct builder *b = ctx;
	uint64_t off, n;

	if (!elf_vaddr_to_offset(b->elf, addr, &off, &n) || !n)
		return NULL;
	*avail = (size_t)n;
	return elf_vaddr_bytes(b->elf, addr, *avail);
}

/* Landing pads: read from .eh_frame only for the rare function that asks. */
static enum dis_entry entered_cb(const void *ctx, uint64_t addr)
{
	struct builder *b = (struct builder *)ctx;

	if (!b->eh_loaded) {
		ehpads_load(b->elf, &b->eh);
		b->eh_loaded = true;
	}
	switch (ehpads_entry(&b->eh, addr)) {
	case EH_NOT_ENTERED:
		return DIS_ENTRY_NONE;
	case EH_LANDING_PAD:
		return DIS_ENTRY_LANDING_PAD;
	default:
		return DIS_ENTRY_UNKNOWN;
	}
}

static void gots_span(struct builder *b)
{
	b->gots_lo = UINT64_MAX;
	b->gots_hi = 0;
	for (size_t i = 0; i < b->elf->sections_nr; i++) {
		const struct elf_section *sec = &b->elf->sections[i];

		if (!is_got_name(sec->name))
			continue;
		if (sec->addr < b->gots_lo)
			b->gots_lo = sec->addr;
		if (sec->addr + sec->size > b->gots_hi && sec->addr + sec->size >= sec->addr)
			b->gots_hi = sec->addr + sec->size;
	}
}

static void decode_all(struct builder *b)
{
	struct objsum *s = b->s;
	struct dis_opts o = { 0 };

	dis_targets_sort(&b->tg);
	o.joins = b->tg.jumps;
	o.join_srcs = b->tg.jump_srcs;
	o.joins_nr = b->tg.jumps_nr;
	o.go_abi = s->is_go;
	o.imm_addrs = !b->pic_text;
	o.noreturn = noreturn_cb;
	o.noreturn_ctx = b;
	o.load_const = load_const_cb;
	o.fn_slot = fn_slot_cb;
	o.entered = entered_cb;
	o.call_reads = call_reads_cb;
	b->dopts = &o;
	b->reads_memo = xcalloc(s->funcs_nr ? s->funcs_nr : 1, sizeof(*b->reads_memo));
	b->reads_memo_nr = s->funcs_nr;
	o.read_data = read_data_cb;
	gots_span(b);
	o.decoded = &b->tg;
	if (b->tg.touched_nr)
		qsort(b->tg.touched, b->tg.touched_nr, sizeof(uint64_t), u64_cmp);
	if (b->tg.stores_nr)
		qsort(b->tg.stores, b->tg.stores_nr, sizeof(*b->tg.stores), cmp_store);
	if (b->tg.stores_wide_nr)
		qsort(b->tg.stores_wide, b->tg.stores_wide_nr, sizeof(uint64_t), u64_cmp);
	b->noret = xcalloc(s->funcs_nr ? s->funcs_nr : 1, 1);
	for (uint32_t i = 0; i < s->funcs_nr; i++) {
		const struct osum_func *f = &s->funcs[i];
		const struct range *r = range_of(b, f->start);

		if (r)
			b->noret[i] = !dis_targets_may_return(&b->tg, r->data + (f->start - r->start),
							      f->end - f->start, f->start);
	}
	plt_stubs(b);
	if (s->is_go) {
		b->go_exec = xcalloc(s->funcs_nr ? s->funcs_nr : 1, 1);
		for (uint32_t i = 0; i < s->funcs_nr; i++)
			b->go_exec[i] = go_exec_fn_of(s, i);
	}
	for (uint32_t i = 0; i < s->funcs_nr && !b->overflow; i++) {
		struct osum_func *f = &s->funcs[i];
		const struct range *r = range_of(b, f->start);
		struct dis_result res;

		if (!r)
			continue;
		b->cur = i;
		/*
		 * Go's register ABI has no callee-saved registers; C code linked
		 * into a Go binary (cgo, a static libc) keeps the C ABI.  Go
		 * functions are the ones the pclntab names.
		 */
		if (s->is_go) {
			const struct gopclntab_func *gf = b->go ? gopclntab_find(b->go, f->start) : NULL;

			o.go_abi = !b->go || (gf && gf->entry == f->start);
		}
		f->edges = s->edges_nr;
		f->sys = s->sys_nr;
		f->unres = s->unres_nr;
		o.avail = r->end - f->start;
		dis_function(r->data + (f->start - r->start), f->end - f->start, f->start, &o, on_rec, b, &res);
		s->code_bytes += res.bytes;
		/*
		 * Falling off the end runs into the next function, or into the
		 * middle of it when a start cut the last instruction.
		 */
		if (res.falls_off) {
			uint32_t t = objsum_func_at(s, res.next);

			if (t != OSUM_NONE && t != i)
				add_edge(b, f->end, t, OSUM_EDGE_TAKEN, NULL, false);
		}
		f = &s->funcs[i];
		f->edges_nr = s->edges_nr - f->edges;
		f->sys_nr = s->sys_nr - f->sys;
		f->unres_nr = s->unres_nr - f->unres;
	}
	ehpads_release(&b->eh);
	b->eh_loaded = false;
	free(b->go_exec);
	b->go_exec = NULL;
	b->dopts = NULL;
	free(b->reads_memo);
	b->reads_memo = NULL;
	b->reads_memo_nr = 0;
}

static void collect_exports(struct builder *b)
{
	const struct elf_symtab *t = &b->elf->dynsym;
	struct objsum *s = b->s;

	for (size_t i = 1; i < t->nr; i++) {
		const struct elf_symbol *sym = &t->syms[i];
		uint32_t f;

		if (!sym->defined || (sym->type != STT_FUNC && sym->type != STT_GNU_IFUNC) ||
		    (sym->bind != STB_GLOBAL && sym->bind != STB_WEAK) || !sym->name[0] ||
		    sym->visibility == STV_HIDDEN || sym->visibility == STV_INTERNAL)
			continue;
		f = func_exact(s, sym->value);
		if (f == OSUM_NONE)
			continue;
		ALLOC_GROW(s->exports, s->exports_nr + 1, b->exports_alloc);
		s->exports[s->exports_nr++] = (struct osum_export){
			str_add(b, sym->name), sym->version ? str_add(b, sym->version) : OSUM_NONE, f,
			sym->version_hidden,
		};
	}
}

/* Go: function starts and names from the pclntab. */
static void collect_go(struct builder *b, struct gopclntab *t)
{
	for (size_t i = 0; i < t->funcs_nr; i++)
		add_start(b, t->funcs[i].entry, t->funcs[i].name);
}

/*
 * Go wrappers named in the runtime's own table take the number from a
 * known argument even when the tracker loses it (e.g. a spill through a
 * register the tracker does not follow): the name is the contract.
 */
static void mark_go_wrappers(struct builder *b, struct gopclntab *t)
{
	struct objsum *s = b->s;
	static const uint8_t go_regs[] = { DIS_RAX, DIS_RBX, DIS_RCX, DIS_RDI, DIS_RSI,
					   DIS_R8,  DIS_R9,  DIS_R10, DIS_R11 };

	for (uint32_t i = 0; i < s->funcs_nr; i++) {
		struct osum_func *f = &s->funcs[i];
		const char *name = objsum_str(s, f->name);
		struct gopclntab_wrapper w;
		unsigned loc;

		if (!name || !gopclntab_syscall_wrapper(name, &w))
			continue;
		/*
		 * Only where tracking lost the number at the function's own
		 * site: elsewhere the tracker knows better (ABI0 stubs that
		 * tail-jump, register-ABI bodies) and a forced location would
		 * make every caller's unrelated first argument a "number".
		 */
		if (f->wrap || !f->unres_nr)
			continue;
		if (w.abi0 || !t->register_abi)
			loc = DIS_LOC_SLOT0 + (w.number_arg < DIS_ARG_SLOTS ? w.number_arg : 0);
		else
			loc = go_regs[w.number_arg < ARRAY_SIZE(go_regs) ? w.number_arg : 0];
		if (f->unres_nr && !f->wrap) {
			/* Its own sites take the number from that argument. */
			for (uint32_t k = f->unres; k < f->unres + f->unres_nr; k++)
				if (s->unres[k].reason == OSUM_R_NOT_CONST)
					s->unres[k].reason = OSUM_R_NR; /* dropped below */
		}
		f->wrap |= 1u << loc;
	}
	/* runPerThreadSyscall: see OSUM_EDGE_COVERED. */
	for (uint32_t i = 0; i < s->funcs_nr; i++) {
		const char *name = objsum_str(s, s->funcs[i].name);

		if (!name || strcmp(name, "runtime.runPerThreadSyscall"))
			continue;
		for (uint32_t k = s->funcs[i].edges; k < s->funcs[i].edges + s->funcs[i].edges_nr; k++)
			if (s->edges[k].kind == OSUM_EDGE_CALL)
				s->edges[k].kind = OSUM_EDGE_COVERED;
	}
	/* Compact away the dropped sites. */
	uint32_t out = 0;

	for (uint32_t i = 0; i < s->funcs_nr; i++) {
		struct osum_func *f = &s->funcs[i];
		uint32_t first = out;

		for (uint32_t k = f->unres; k < f->unres + f->unres_nr; k++)
			if (s->unres[k].reason != OSUM_R_NR)
				s->unres[out++] = s->unres[k];
		f->unres = first;
		f->unres_nr = out - first;
	}
	s->unres_nr = out;
}

static struct objsum *unsupported(struct objsum *s)
{
	s->analysable = false;
	s->funcs = xcalloc(1, sizeof(*s->funcs));
	s->funcs_nr = 1;
	s->unres = xcalloc(1, sizeof(*s->unres));
	s->unres[0] = (struct osum_unres){ 0, OSUM_R_UNSUPPORTED };
	s->unres_nr = 1;
	s->funcs[0] = (struct osum_func){ .name = OSUM_NONE, .unres = 0, .unres_nr = 1 };
	s->roots = xcalloc(1, sizeof(*s->roots));
	s->roots[0] = (struct osum_root){ 0, 0, OSUM_NONE };
	s->roots_nr = 1;
	s->entry = 0;
	return s;
}

/*
 * Go interface calls and reflection reach methods through the runtime's
 * type data (method tables hold 32-bit text offsets, itabs are built at run
 * time), never through a call instruction or a relocation: every method
 * the type data names is a root.  When the type data cannot be found,
 * every function is (sound, imprecise).
 */
static void go_method_roots(struct builder *b, struct gopclntab *t)
{
	uint64_t *refs = NULL;
	int n = gopclntab_method_refs(t, b->elf, &refs);

	if (n == -ENOENT) {
		warn_add("Go binary without findable type data: every function counts as reachable");
		for (uint32_t i = 0; i < b->s->funcs_nr; i++)
			add_root(b, i, 0);
		return;
	}
	for (int i = 0; i < n; i++) {
		const struct gopclntab_func *f = gopclntab_find(t, refs[i]);

		/*
		 * Method tables hold methods: "pkg.T.M", "pkg.(*T).M".  A value
		 * that lands on a package-level function ("syscall.Syscall6",
		 * one dot after the import path) is a coincidence of the scan.
		 */
		if (f && f->entry == refs[i] && f->name[0]) {
			const char *slash = strrchr(f->name, '/');
			const char *first = strchr(slash ? slash : f->name, '.');

			if (first && !strchr(first + 1, '.'))
				continue;
		}
		add_root_addr(b, refs[i], 0);
	}
	free(refs);
}

struct objsum *objsum_compute(const struct elf_file *elf)
{
	struct objsum *s = xcalloc(1, sizeof(*s));
	struct builder b = { 0 };
	struct gopclntab go = { 0 };
	bool have_go = false;

	elf_load_tables(elf);
	s->machine = elf->machine;
	s->entry = OSUM_NONE;
	s->init = OSUM_NONE;
	s->is_go = elf->is_go;
	s->is_exec = elf->type == ELF_TYPE_EXEC || elf->type == ELF_TYPE_PIE;
	if (!elf->analysable || elf->arch != ELF_ARCH_X86_64)
		return unsupported(s);
	s->analysable = true;
	b.elf = elf;
	b.s = s;
	b.pic_text = pic_text(elf);
	b.seccomp_lib = elf->dyn.soname && !strncmp(elf->dyn.soname, "libseccomp.so.2", 15);
	strmap_init(&b.import_ix);
	strmap_init(&b.str_ix);
	collect_code(&b);
	if (!b.code_nr)
		goto out;
	for (size_t i = 0; i < b.code_nr; i++)
		b.tg.code_bytes += b.code[i].end - b.code[i].start;
	for (size_t i = 0; i < b.code_nr; i++)
		dis_collect_targets(b.code[i].data, b.code[i].end - b.code[i].start, b.code[i].start, &b.tg);
	collect_symbols(&b, &elf->symtab);
	collect_symbols(&b, &elf->dynsym);
	if (elf->is_go && gopclntab_load(&go, elf) == 0) {
		have_go = true;
		b.go = &go;
		collect_go(&b, &go);
	}
	collect_fdes(&b);
	collect_init(&b);
	collect_relocs(&b);
	collect_data_words(&b);
	for (size_t i = 0; !have_go && i < b.data_words_nr; i++)
		data_start(&b, b.data_words[i].value);
	collect_plt(&b);
	for (size_t i = 0; i < b.tg.calls_nr; i++)
		add_start(&b, b.tg.calls[i], NULL);
	for (size_t i = 0; i < b.tg.addrs_nr; i++)
		add_start(&b, b.tg.addrs[i], NULL);
	/*
	 * An immediate is an address only in code that is not
	 * position-independent (on_rec ignores them as taken addresses
	 * elsewhere too); even there it is often a number.  A start inside
	 * one of the sweep's instructions would cut that function in two, its
	 * last instruction with it: a number that happened to point into
	 * BIND's isc__netmgr_create hid the rest of it, uv_loop_init's
	 * epoll_create1 included.
	 */
	for (size_t i = 0; !b.pic_text && i < b.tg.imms_nr; i++)
		if (!dis_targets_inside_insn(&b.tg, b.tg.imms[i]))
			add_start(&b, b.tg.imms[i], NULL);
	/* Only the starts needed them: the analysis below holds memory enough. */
	free(b.tg.calls);
	b.tg.calls = NULL;
	free(b.tg.addrs);
	b.tg.addrs = NULL;
	free(b.tg.imms);
	b.tg.imms = NULL;
	b.tg.calls_nr = b.tg.calls_alloc = b.tg.addrs_nr = b.tg.addrs_alloc = 0;
	b.tg.imms_nr = b.tg.imms_alloc = 0;
	build_funcs(&b);
	if (tail_call_starts(&b)) {
		free(s->funcs);
		s->funcs = NULL;
		s->funcs_nr = 0;
		strmap_release(&b.str_ix, NULL);
		strmap_init(&b.str_ix);
		free(s->strs);
		s->strs = NULL;
		s->strs_len = 0;
		b.strs_alloc = 0;
		build_funcs(&b);
	}
	free(b.starts);
	b.starts = NULL;
	free(b.start_names);
	b.start_names = NULL;
	b.starts_nr = b.starts_alloc = 0;
	build_got(&b);
	decode_all(&b);
	if (b.overflow) {
		/* Too large to summarise within the caps: fall back to "anything". */
		add_unres(&b, 0, OSUM_R_UNSUPPORTED);
		if (s->funcs_nr)
			s->funcs[0].unres_nr++;
	}
	if (have_go)
		mark_go_wrappers(&b, &go);
	collect_roots(&b);
	if (have_go)
		go_method_roots(&b, &go);
	collect_exports(&b);
out:
	if (have_go)
		gopclntab_release(&go);
	if (!s->funcs_nr)
		return unsupported(s);
	strmap_release(&b.import_ix, NULL);
	strmap_release(&b.str_ix, NULL);
	free(b.code);
	free(b.starts);
	free(b.start_names);
	free(b.got_slot);
	free(b.got_target);
	free(b.noret);
	free(b.stub_import);
	free(b.data_words);
	dis_targets_release(&b.tg);
	return s;
}

void objsum_free(struct objsum *s)
{
	if (!s)
		return;
	if (s->link_cache && s->link_cache_free)
		s->link_cache_free(s->link_cache);
	if (s->blob) {
		free(s->blob);
	} else {
		free(s->funcs);
		free(s->edges);
		free(s->args);
		free(s->sys);
		free(s->unres);
		free(s->imports);
		free(s->exports);
		free(s->roots);
		free(s->data_imports);
		free(s->dlsyms);
		free(s->execs);
		free(s->strs);
	}
	free(s);
}

const char *objsum_reason_name(uint32_t reason)
{
	static const char *const names[OSUM_R_NR] = {
		[OSUM_R_NOT_CONST] = "syscall number is not a constant",
		[OSUM_R_INT80] = "int 0x80 (i386 system call ABI)",
		[OSUM_R_SYSENTER] = "sysenter (i386 system call ABI)",
		[OSUM_R_UNSUPPORTED] = "object cannot be analysed",
		[OSUM_R_OUT_OF_RANGE] = "syscall number out of range",
	};

	return reason < OSUM_R_NR ? names[reason] : "unknown";
}

/*
 * Cache format: a header, then each array as it is in memory.  Arrays are
 * plain structs of fixed-width fields, so this is stable for one build of
 * one architecture; ANALYSIS_VERSION and the struct sizes are in the header.
 */
#define OSUM_MAGIC 0x314d5553464e4343ull /* "CCNFSUM1" */

struct blob_header {
	uint64_t magic;
	uint32_t version;
	uint32_t sizes;       /* hash of the struct sizes */
	uint64_t payload_len;
	uint64_t checksum;    /* XXH3 of the payload */
	uint16_t machine;
	uint8_t analysable, is_go, is_exec, pad[3];
	uint64_t code_bytes;
	uint32_t entry;
	uint32_t init;
	uint32_t roots_init_nr;
	uint32_t pad2;
	uint32_t n[12];
};

static uint32_t layout_hash(void)
{
	return (uint32_t)(sizeof(struct osum_func) * 1 + sizeof(struct osum_edge) * 7 +
			  sizeof(struct osum_arg) * 31 + sizeof(struct osum_sys) * 127 +
			  sizeof(struct osum_unres) * 511 + sizeof(struct osum_import) * 2047 +
			  sizeof(struct osum_export) * 8191 + sizeof(struct blob_header) * 32767 +
			  sizeof(struct osum_dlsym) * 131071 + sizeof(struct osum_exec) * 524287 +
			  sizeof(struct osum_root) * 2097151);
}

#define ARRAYS(X)                                                                              \
	X(0, funcs, funcs_nr) X(1, edges, edges_nr) X(2, args, args_nr) X(3, sys, sys_nr)          \
	X(4, unres, unres_nr) X(5, imports, imports_nr) X(6, exports, exports_nr)                   \
	X(7, roots, roots_nr) X(8, data_imports, data_imports_nr) X(9, dlsyms, dlsyms_nr)          \
	X(10, execs, execs_nr) X(11, strs, strs_len)

/* Every array starts 8-byte aligned inside the blob. */
static size_t pad8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* Zero the bytes after 'last' in each of n elements of type T at p (struct padding). */
#define ZERO_TAIL(T, last, p, n)                                                               \
	do {                                                                                   \
		size_t tail_ = offsetof(T, last) + sizeof(((T *)0)->last);                      \
		for (size_t k_ = 0; k_ < (n); k_++)                                            \
			memset((uint8_t *)(p) + k_ * sizeof(T) + tail_, 0, sizeof(T) - tail_);  \
	} while (0)

/*
 * The arrays were filled member by member, so their padding holds whatever
 * the allocator left there: cleared in the copy, so that a cache entry is
 * the same bytes for the same object (and carries no stray memory).
 */
/* array: the index ARRAYS gives it. */
static void clear_padding(unsigned array, uint8_t *p, size_t n)
{
	switch (array) {
	case 1:
		ZERO_TAIL(struct osum_edge, args_nr, p, n);
		break;
	case 3:
		ZERO_TAIL(struct osum_sys, nr, p, n);
		break;
	case 4:
		ZERO_TAIL(struct osum_unres, reason, p, n);
		break;
	case 6:
		ZERO_TAIL(struct osum_export, hidden, p, n);
		break;
	case 9:
		ZERO_TAIL(struct osum_dlsym, name, p, n);
		break;
	default:
		break;
	}
}

int objsum_serialize(const struct objsum *s, void **data, size_t *len)
{
	struct blob_header h = { 0 };
	size_t total = sizeof(h);
	uint8_t *buf, *p;

#define SIZE(i, a, c) total += pad8((size_t)s->c * sizeof(*s->a));
	ARRAYS(SIZE)
#undef SIZE
	buf = xcalloc(1, total);
	p = buf + sizeof(h);
#define COPY(i, a, c)                                                                          \
	h.n[i] = s->c;                                                                         \
	if (s->c) {                                                                            \
		memcpy(p, s->a, (size_t)s->c * sizeof(*s->a));                                 \
		clear_padding(i, p, s->c);                                                     \
	}                                                                                      \
	p += pad8((size_t)s->c * sizeof(*s->a));
	ARRAYS(COPY)
#undef COPY
	h.magic = OSUM_MAGIC;
	h.version = ANALYSIS_VERSION;
	h.sizes = layout_hash();
	h.payload_len = total - sizeof(h);
	h.checksum = XXH3_64bits(buf + sizeof(h), total - sizeof(h));
	h.machine = s->machine;
	h.analysable = s->analysable;
	h.is_go = s->is_go;
	h.is_exec = s->is_exec;
	h.code_bytes = s->code_bytes;
	h.entry = s->entry;
	h.init = s->init;
	h.roots_init_nr = s->roots_init_nr;
	memcpy(buf, &h, sizeof(h));
	*data = buf;
	*len = total;
	return 0;
}

struct objsum *objsum_deserialize(void *data, size_t len)
{
	struct blob_header h;
	struct objsum *s;
	uint8_t *p;
	size_t need = sizeof(h), part;

	if (len < sizeof(h))
		goto bad;
	memcpy(&h, data, sizeof(h));
	if (h.magic != OSUM_MAGIC || h.version != ANALYSIS_VERSION || h.sizes != layout_hash() ||
	    h.payload_len != len - sizeof(h) ||
	    h.checksum != XXH3_64bits((uint8_t *)data + sizeof(h), len - sizeof(h)))
		goto bad;
	s = xcalloc(1, sizeof(*s));
#define NEED(i, a, c)                                                                          \
	if (!size_mul(h.n[i], sizeof(*s->a), &part) || !size_add(need, pad8(part), &need))      \
		goto bad_free;
	ARRAYS(NEED)
#undef NEED
	if (need != len)
		goto bad_free;
	p = (uint8_t *)data + sizeof(h);
#define SET(i, a, c)                                                                           \
	s->c = h.n[i];                                                                         \
	s->a = (void *)p;                                                                      \
	p += pad8((size_t)h.n[i] * sizeof(*s->a));
	ARRAYS(SET)
#undef SET
	s->machine = h.machine;
	s->analysable = h.analysable;
	s->is_go = h.is_go;
	s->is_exec = h.is_exec;
	s->code_bytes = h.code_bytes;
	s->entry = h.entry;
	s->init = h.init;
	s->roots_init_nr = h.roots_init_nr;
	/* Cross-check indexes so a consistent-but-wrong blob cannot send us out of bounds. */
	for (uint32_t i = 0; i < s->funcs_nr; i++) {
		const struct osum_func *f = &s->funcs[i];

		if ((uint64_t)f->edges + f->edges_nr > s->edges_nr ||
		    (uint64_t)f->sys + f->sys_nr > s->sys_nr ||
		    (uint64_t)f->unres + f->unres_nr > s->unres_nr)
			goto bad_free;
	}
	for (uint32_t i = 0; i < s->edges_nr; i++) {
		const struct osum_edge *e = &s->edges[i];
		uint32_t t = e->target & ~OSUM_IMPORT_BIT;

		if ((uint64_t)e->args + e->args_nr > s->args_nr || e->kind > OSUM_EDGE_PASSED ||
		    (e->target & OSUM_IMPORT_BIT ? t >= s->imports_nr : t >= s->funcs_nr))
			goto bad_free;
	}
	for (uint32_t i = 0; i < s->exports_nr; i++)
		if (s->exports[i].func >= s->funcs_nr)
			goto bad_free;
	for (uint32_t i = 0; i < s->roots_nr; i++)
		if (s->roots[i].func >= s->funcs_nr ||
		    (s->roots[i].at_name != OSUM_NONE && s->roots[i].at_name >= s->strs_len))
			goto bad_free;
	for (uint32_t i = 0; i < s->data_imports_nr; i++)
		if (s->data_imports[i] >= s->imports_nr)
			goto bad_free;
	for (uint32_t i = 0; i < s->dlsyms_nr; i++)
		if (s->dlsyms[i].func >= s->funcs_nr || (i && s->dlsyms[i].func < s->dlsyms[i - 1].func) ||
		    (s->dlsyms[i].name != OSUM_NONE && s->dlsyms[i].name >= s->strs_len))
			goto bad_free;
	for (uint32_t i = 0; i < s->execs_nr; i++)
		if (s->execs[i].func >= s->funcs_nr || s->execs[i].name >= s->strs_len)
			goto bad_free;
	if ((s->entry != OSUM_NONE && s->entry >= s->funcs_nr) || s->roots_init_nr > s->roots_nr ||
	    (s->init != OSUM_NONE && s->init >= s->funcs_nr) ||
	    (s->strs_len && s->strs[s->strs_len - 1] != '\0'))
		goto bad_free;
	s->blob = data;
	return s;
bad_free:
	free(s);
bad:
	errno = EINVAL;
	return NULL;
}

struct objsum *objsum_copy(const struct objsum *s)
{
	void *data;
	size_t len;
	struct objsum *c;

	if (objsum_serialize(s, &data, &len) != 0)
		return NULL;
	c = objsum_deserialize(data, len);
	if (!c)
		free(data);
	return c;
}

const char *objsum_build_stamp(void)
{
	return __DATE__ " " __TIME__;
}
