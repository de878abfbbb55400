#include "elf/gopclntab.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "elf/elf.h"
#include "util/error.h"
#include "util/xalloc.h"

/*
 * Layout reference: Go's runtime/symtab.go (pcHeader, functab, _func) and
 * debug/gosym/pclntab.go, per release.  Only the fields needed for names
 * and entry addresses are read: the header's counts and table offsets, the
 * functab (entry, funcoff) pairs and each _func's nameOff.
 */

#define MAGIC_GO12 0xfffffffbu
#define MAGIC_GO116 0xfffffffau
#define MAGIC_GO118 0xfffffff0u
#define MAGIC_GO120 0xfffffff1u

/* No real binary has more; a larger count is a damaged header. */
#define MAX_FUNCS (1u << 24)
/* Longest name accepted; generic instantiations reach a few KiB. */
#define MAX_NAME 65536

struct reader {
	const uint8_t *data;
	size_t size;
	bool be;
	unsigned ptr;
};

static bool rd_u32(const struct reader *r, uint64_t off, uint32_t *out)
{
	if (!range_ok(off, 4, r->size))
		return false;
	const uint8_t *p = r->data + off;
	if (r->be)
		*out = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	else
		*out = (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
	return true;
}

static bool rd_u64(const struct reader *r, uint64_t off, uint64_t *out)
{
	uint32_t a, b;
	if (!rd_u32(r, off, &a) || !rd_u32(r, off + 4, &b))
		return false;
	*out = r->be ? (uint64_t)a << 32 | b : (uint64_t)b << 32 | a;
	return true;
}

/* A pointer-sized word. */
static bool rd_word(const struct reader *r, uint64_t off, uint64_t *out)
{
	if (r->ptr == 8)
		return rd_u64(r, off, out);
	uint32_t v;
	if (!rd_u32(r, off, &v))
		return false;
	*out = v;
	return true;
}

static enum gopclntab_version version_of_magic(uint32_t magic)
{
	switch (magic) {
	case MAGIC_GO12:
		return GOPCLNTAB_GO12;
	case MAGIC_GO116:
		return GOPCLNTAB_GO116;
	case MAGIC_GO118:
		return GOPCLNTAB_GO118;
	case MAGIC_GO120:
		return GOPCLNTAB_GO120;
	default:
		return GOPCLNTAB_NONE;
	}
}

const char *gopclntab_version_name(enum gopclntab_version v)
{
	switch (v) {
	case GOPCLNTAB_GO12:
		return "go1.2";
	case GOPCLNTAB_GO116:
		return "go1.16";
	case GOPCLNTAB_GO118:
		return "go1.18";
	case GOPCLNTAB_GO120:
		return "go1.20";
	case GOPCLNTAB_NONE:
		break;
	}
	return "none";
}

/*
 * Header check shared by parsing and scanning: a known magic in either byte
 * order, two zero pad bytes, a plausible quantum and pointer size.
 */
static enum gopclntab_version header_probe(const uint8_t *p, size_t size, bool *be)
{
	if (size < 16 || p[4] != 0 || p[5] != 0)
		return GOPCLNTAB_NONE;
	if (p[6] != 1 && p[6] != 2 && p[6] != 4)
		return GOPCLNTAB_NONE;
	if (p[7] != 4 && p[7] != 8)
		return GOPCLNTAB_NONE;
	uint32_t le = (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
	uint32_t bev = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	enum gopclntab_version v = version_of_magic(le);
	if (v != GOPCLNTAB_NONE) {
		*be = false;
		return v;
	}
	v = version_of_magic(bev);
	*be = v != GOPCLNTAB_NONE;
	return v;
}

/* The NUL-terminated name at 'off', or "" when it runs out of bounds. */
static const char *name_at(const struct reader *r, uint64_t off)
{
	if (off >= r->size)
		return "";
	size_t max = r->size - off;
	if (max > MAX_NAME)
		max = MAX_NAME;
	const char *s = (const char *)r->data + off;
	if (!memchr(s, '\0', max))
		return "";
	return s;
}

/*
 * The format-specific description of the function table: where the
 * functab starts, how wide its fields are, and how to turn a functab entry
 * and its _func into an address and a name.
 */
struct layout {
	uint64_t nfunc;
	uint64_t functab;      /* offset of the functab */
	unsigned field;        /* width of one functab field: ptr (old) or 4 */
	uint64_t funcoff_base; /* _func offsets are relative to this */
	uint64_t name_base;    /* nameOff is relative to this */
	unsigned nameoff_at;   /* offset of nameOff inside _func */
	unsigned funcid_at;    /* offset of funcID (flag follows), 0: not read */
	uint64_t text_start;   /* added to entries (1.18+), else 0 */
};

static int layout_of(struct layout *l, const struct reader *r, enum gopclntab_version v,
		     uint64_t text_start, uint64_t *hdr_text_start)
{
	unsigned p = r->ptr;
	uint64_t nfunc;

	memset(l, 0, sizeof(*l));
	*hdr_text_start = 0;
	if (!rd_word(r, 8, &nfunc))
		return -EINVAL;
	l->nfunc = nfunc;
	switch (v) {
	case GOPCLNTAB_GO12:
		l->functab = 8 + (uint64_t)p;
		l->field = p;
		l->funcoff_base = 0;
		l->name_base = 0;
		l->nameoff_at = p;
		break;
	case GOPCLNTAB_GO116:
		if (!rd_word(r, 8 + 2 * (uint64_t)p, &l->name_base) ||
		    !rd_word(r, 8 + 6 * (uint64_t)p, &l->functab))
			return -EINVAL;
		l->field = p;
		l->funcoff_base = l->functab;
		l->nameoff_at = p;
		break;
	case GOPCLNTAB_GO118:
	case GOPCLNTAB_GO120:
		if (!rd_word(r, 8 + 2 * (uint64_t)p, hdr_text_start) ||
		    !rd_word(r, 8 + 3 * (uint64_t)p, &l->name_base) ||
		    !rd_word(r, 8 + 7 * (uint64_t)p, &l->functab))
			return -EINVAL;
		l->field = 4;
		l->funcoff_base = l->functab;
		l->nameoff_at = 4;
		/* 1.20 inserted startLine before funcID. */
		l->funcid_at = v == GOPCLNTAB_GO118 ? 36 : 40;
		l->text_start = text_start ? text_start : *hdr_text_start;
		break;
	case GOPCLNTAB_NONE:
		return -EINVAL;
	}
	/* nfunc pairs and the final end entry must lie inside the table. */
	uint64_t fields = 0, bytes = 0;
	if (l->nfunc > MAX_FUNCS || __builtin_mul_overflow(l->nfunc, 2, &fields) ||
	    __builtin_add_overflow(fields, 1, &fields) ||
	    __builtin_mul_overflow(fields, l->field, &bytes) || !range_ok(l->functab, bytes, r->size))
		return -EINVAL;
	return 0;
}

/* Field 'i' of the functab (entries and funcoffs interleaved). */
static bool functab_field(const struct reader *r, const struct layout *l, uint64_t i,
			  uint64_t *out)
{
	uint64_t off = l->functab + i * l->field;
	if (l->field == 4) {
		uint32_t v;
		if (!rd_u32(r, off, &v))
			return false;
		*out = v;
		return true;
	}
	return rd_word(r, off, out);
}

/* Entry 'i' as an address (i == nfunc gives the end of the last function). */
static bool entry_at(const struct reader *r, const struct layout *l, uint64_t i, uint64_t *out)
{
	uint64_t v;
	if (!functab_field(r, l, 2 * i, &v))
		return false;
	if (l->text_start && __builtin_add_overflow(v, l->text_start, &v))
		return false;
	*out = v;
	return true;
}

/*
 * Name of function 'i' (NULL when its _func is damaged); *func_id and
 * *flag get the _func's funcID and flag bytes (0 when not read).
 */
static const char *func_info(const struct reader *r, const struct layout *l, uint64_t i,
			     uint8_t *func_id, uint8_t *flag)
{
	uint64_t funcoff, fn, noff_at;
	uint32_t nameoff;
	*func_id = *flag = 0;
	if (!functab_field(r, l, 2 * i + 1, &funcoff))
		return NULL;
	if (__builtin_add_overflow(l->funcoff_base, funcoff, &fn) ||
	    __builtin_add_overflow(fn, l->nameoff_at, &noff_at) || !rd_u32(r, noff_at, &nameoff))
		return NULL;
	/* nameOff is an int32; a negative one is damage. */
	if (nameoff & 0x80000000u)
		return NULL;
	uint64_t at;
	if (__builtin_add_overflow(l->name_base, (uint64_t)nameoff, &at))
		return NULL;
	if (l->funcid_at && range_ok(fn, (uint64_t)l->funcid_at + 2, r->size)) {
		*func_id = r->data[fn + l->funcid_at];
		*flag = r->data[fn + l->funcid_at + 1];
	}
	return name_at(r, at);
}

int gopclntab_parse(struct gopclntab *t, const uint8_t *data, size_t size, uint64_t table_addr,
		    uint64_t text_start)
{
	struct reader r = { .data = data, .size = size };
	struct layout l;
	uint64_t hdr_text;
	bool be = false;

	memset(t, 0, sizeof(*t));
	if (!data)
		return err_set(EINVAL, "no Go function table");
	enum gopclntab_version v = header_probe(data, size, &be);
	if (v == GOPCLNTAB_NONE)
		return err_set(EINVAL, "no Go function table header (bad magic)");
	r.be = be;
	r.ptr = data[7];
	if (layout_of(&l, &r, v, text_start, &hdr_text) < 0)
		return err_set(EINVAL, "Go function table (%s) header out of range",
			       gopclntab_version_name(v));

	t->version = v;
	t->ptr_size = r.ptr;
	t->quantum = data[6];
	t->big_endian = be;
	t->table_addr = table_addr;
	t->text_start = l.text_start;
	t->register_abi = v >= GOPCLNTAB_GO118;
	t->funcs = l.nfunc ? xcalloc(l.nfunc, sizeof(*t->funcs)) : NULL;

	uint64_t prev_end = 0, entry, next;
	if (l.nfunc && !entry_at(&r, &l, 0, &entry))
		goto out_bad;
	for (uint64_t i = 0; i < l.nfunc; i++) {
		if (!entry_at(&r, &l, i + 1, &next))
			goto out_bad;
		uint8_t func_id, flag;
		const char *name = func_info(&r, &l, i, &func_id, &flag);
		/*
		 * Keep the array sorted and non-overlapping whatever the
		 * input says: an entry out of order or empty is dropped.
		 */
		if (!name || next <= entry || (t->funcs_nr && entry < prev_end)) {
			t->dropped++;
		} else {
			struct gopclntab_func *f = &t->funcs[t->funcs_nr++];
			f->entry = entry;
			f->end = next;
			f->name = name;
			f->func_id = func_id;
			f->flag = flag;
			prev_end = next;
		}
		entry = next;
	}
	if (l.nfunc && !t->funcs_nr)
		goto out_bad;
	return 0;

out_bad:
	gopclntab_release(t);
	return err_set(EINVAL, "Go function table (%s) has no usable entries",
		       gopclntab_version_name(v));
}

void gopclntab_release(struct gopclntab *t)
{
	if (!t)
		return;
	free(t->funcs);
	memset(t, 0, sizeof(*t));
}

const struct gopclntab_func *gopclntab_find(const struct gopclntab *t, uint64_t vaddr)
{
	size_t lo = 0, hi = t->funcs_nr;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct gopclntab_func *f = &t->funcs[mid];
		if (vaddr < f->entry)
			hi = mid;
		else if (vaddr >= f->end)
			lo = mid + 1;
		else
			return f;
	}
	return NULL;
}

const struct gopclntab_func *gopclntab_lookup(const struct gopclntab *t, const char *name)
{
	for (size_t i = 0; i < t->funcs_nr; i++)
		if (!strcmp(t->funcs[i].name, name))
			return &t->funcs[i];
	return NULL;
}

/* --- syscall wrappers -------------------------------------------------- */

/*
 * Go functions that take the syscall number as an argument, on Linux.
 * 'prefix' entries also match any vendored copy of the package (a path
 * ending in "/vendor/" before it).
 */
static const struct {
	const char *name;
	unsigned number_arg;
	bool vendorable;
} wrappers[] = {
	{ "syscall.Syscall", 0, false },
	{ "syscall.Syscall6", 0, false },
	{ "syscall.Syscall9", 0, false },
	{ "syscall.RawSyscall", 0, false },
	{ "syscall.RawSyscall6", 0, false },
	{ "syscall.rawSyscallNoError", 0, false },
	{ "syscall.rawVforkSyscall", 0, false },
	{ "syscall.AllThreadsSyscall", 0, false },
	{ "syscall.AllThreadsSyscall6", 0, false },
	{ "syscall.runtime_doAllThreadsSyscall", 0, false },
	{ "runtime.syscall_runtime_doAllThreadsSyscall", 0, false },
	{ "runtime/internal/syscall.Syscall6", 0, false },
	{ "internal/runtime/syscall.Syscall6", 0, false },
	{ "internal/runtime/syscall/linux.Syscall6", 0, false },
	{ "golang.org/x/sys/unix.Syscall", 0, true },
	{ "golang.org/x/sys/unix.Syscall6", 0, true },
	{ "golang.org/x/sys/unix.RawSyscall", 0, true },
	{ "golang.org/x/sys/unix.RawSyscall6", 0, true },
	{ "golang.org/x/sys/unix.SyscallNoError", 0, true },
	{ "golang.org/x/sys/unix.RawSyscallNoError", 0, true },
};

bool gopclntab_syscall_wrapper(const char *name, struct gopclntab_wrapper *w)
{
	static const char abi0[] = ".abi0";
	size_t len = strlen(name);
	bool is_abi0 = false;

	if (len > sizeof(abi0) - 1 && !strcmp(name + len - (sizeof(abi0) - 1), abi0)) {
		is_abi0 = true;
		len -= sizeof(abi0) - 1;
	}
	for (size_t i = 0; i < ARRAY_SIZE(wrappers); i++) {
		const char *want = wrappers[i].name;
		size_t wlen = strlen(want);
		bool match = len == wlen && !memcmp(name, want, wlen);
		if (!match && wrappers[i].vendorable && len > wlen + 8) {
			const char *tail = name + len - wlen;
			match = !memcmp(tail, want, wlen) && !memcmp(tail - 8, "/vendor/", 8);
		}
		if (match) {
			if (w) {
				w->name = want;
				w->number_arg = wrappers[i].number_arg;
				w->abi0 = is_abi0;
			}
			return true;
		}
	}
	return false;
}

/* --- locating the table in an ELF object ------------------------------- */

/* Bytes from vaddr to the end of its segment's file data. */
static const uint8_t *bytes_at(const struct elf_file *elf, uint64_t vaddr, size_t *len)
{
	uint64_t off, avail;
	if (!vaddr || !elf_vaddr_to_offset(elf, vaddr, &off, &avail) ||
	    !range_ok(off, avail, elf->size))
		return NULL;
	*len = (size_t)avail;
	return elf->data + off;
}

/* Go minor version from "go1.17.3" (0 when unknown). */
static unsigned go_minor(const char *v)
{
	if (!v || strncmp(v, "go1.", 4) != 0)
		return 0;
	unsigned n = 0;
	for (const char *p = v + 4; *p >= '0' && *p <= '9' && n < 1000; p++)
		n = n * 10 + (unsigned)(*p - '0');
	return n;
}

/* Every kept function starts and ends in executable code. */
static bool entries_in_code(const struct elf_file *elf, const struct gopclntab *t)
{
	if (!t->funcs_nr)
		return false;
	const struct gopclntab_func *first = &t->funcs[0], *last = &t->funcs[t->funcs_nr - 1];
	return elf_vaddr_is_code(elf, first->entry) && elf_vaddr_is_code(elf, last->entry) &&
	       elf_vaddr_is_code(elf, last->end - 1);
}

/*
 * Base of the 1.18+ entry offsets.  The header holds it, but in PIE
 * binaries only through a RELATIVE relocation (elf_read_pointer() applies
 * it); runtime.text is the same address when symbols survive.
 */
static uint64_t text_start_of(const struct elf_file *elf, const uint8_t *hdr, size_t len,
			      uint64_t table_addr, bool be)
{
	struct reader r = { .data = hdr, .size = len, .be = be, .ptr = hdr[7] };
	uint64_t v = 0;
	if (table_addr && r.ptr == 8 && elf_read_pointer(elf, table_addr + 8 + 2 * 8, &v) == 0 && v)
		return v;
	/* A table outside every segment (no vaddr): its own bytes. */
	if (rd_word(&r, 8 + 2 * (uint64_t)r.ptr, &v) && v)
		return v;
	const struct elf_symbol *s = elf_symbol_lookup(elf, "runtime.text", NULL);
	if (s && s->value)
		return s->value;
	const struct elf_section *text = elf_section_by_name(elf, ".text");
	return text ? text->addr : 0;
}

/* Parse a candidate header at vaddr; 0 only when it looks real. */
static int try_at(struct gopclntab *t, const struct elf_file *elf, const uint8_t *data,
		  size_t len, uint64_t vaddr)
{
	bool be;
	enum gopclntab_version v = header_probe(data, len, &be);
	if (v == GOPCLNTAB_NONE)
		return -EINVAL;
	uint64_t text = 0;
	if (v >= GOPCLNTAB_GO118)
		text = text_start_of(elf, data, len, vaddr, be);
	int ret = gopclntab_parse(t, data, len, vaddr, text);
	if (ret < 0)
		return ret;
	/* A table whose functions are not code is a false match or damage. */
	if (!entries_in_code(elf, t) || t->dropped > t->funcs_nr / 8 + 16) {
		gopclntab_release(t);
		return err_set(EINVAL, "Go function table at 0x%llx does not describe the code",
			       (unsigned long long)vaddr);
	}
	return 0;
}

static int try_vaddr(struct gopclntab *t, const struct elf_file *elf, uint64_t vaddr)
{
	size_t len = 0;
	const uint8_t *p = bytes_at(elf, vaddr, &len);
	if (!p)
		return -ENOENT;
	return try_at(t, elf, p, len, vaddr);
}

/*
 * Stripped binaries: look for the header in non-executable loaded data.
 * Go aligns the table to at least 8 bytes; step by 4 to be safe.
 */
static int scan_range(struct gopclntab *t, const struct elf_file *elf, const uint8_t *data,
		      size_t len, uint64_t vaddr)
{
	for (size_t off = (size_t)((4 - (vaddr & 3)) & 3); off + 16 <= len; off += 4) {
		const uint8_t *p = data + off;
		if (p[1] != 0xff || p[2] != 0xff || (p[0] != 0xff && p[3] != 0xff))
			continue;
		bool be;
		if (header_probe(p, len - off, &be) == GOPCLNTAB_NONE)
			continue;
		if (try_at(t, elf, p, len - off, vaddr + off) == 0)
			return 0;
	}
	return -ENOENT;
}

static int scan(struct gopclntab *t, const struct elf_file *elf)
{
	for (size_t i = 0; i < elf->sections_nr; i++) {
		const struct elf_section *s = &elf->sections[i];
		const uint8_t *data;
		size_t len;
		if (!(s->flags & 0x2 /* SHF_ALLOC */) || (s->flags & 0x4 /* SHF_EXECINSTR */) ||
		    elf_section_data(elf, s, &data, &len) < 0)
			continue;
		if (scan_range(t, elf, data, len, s->addr) == 0)
			return 0;
	}
	if (elf->sections_nr)
		return -ENOENT;
	/* No section headers at all: scan the non-executable load segments. */
	for (size_t i = 0; i < elf->segments_nr; i++) {
		const struct elf_segment *s = &elf->segments[i];
		if (s->type != 1 /* PT_LOAD */ || (s->flags & 1 /* PF_X */) || !s->in_file ||
		    !range_ok(s->offset, s->filesz, elf->size))
			continue;
		if (scan_range(t, elf, elf->data + s->offset, (size_t)s->filesz, s->vaddr) == 0)
			return 0;
	}
	return -ENOENT;
}

/* Assembly declared <ABIInternal>: register arguments despite the ASM flag. */
static bool asm_abiinternal(const char *name)
{
	static const char *const names[] = {
		"runtime/internal/syscall.Syscall6",
		"internal/runtime/syscall.Syscall6",
		"internal/runtime/syscall/linux.Syscall6",
	};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

static int cmp_name_entry(const void *a, const void *b)
{
	const struct gopclntab_func *x = *(struct gopclntab_func *const *)a;
	const struct gopclntab_func *y = *(struct gopclntab_func *const *)b;
	int c = strcmp(x->name, y->name);
	if (c)
		return c;
	return x->entry < y->entry ? -1 : x->entry > y->entry;
}

/*
 * Without symbols, from the table's own metadata (1.18+ formats, register
 * ABI): an assembly function (flag ASM) is ABI0 unless declared
 * <ABIInternal>; of exactly two same-named Go functions, the one with a
 * nonzero funcID (the compiler's "wrapper") is the ABI0 entry that loads
 * its stack arguments into registers and calls its twin.
 */
static void mark_abi0_by_flags(struct gopclntab *t)
{
	struct gopclntab_func **by = xcalloc(t->funcs_nr ? t->funcs_nr : 1, sizeof(*by));
	for (size_t i = 0; i < t->funcs_nr; i++) {
		struct gopclntab_func *f = &t->funcs[i];
		f->abi0 = (f->flag & GOPCLNTAB_FLAG_ASM) && !asm_abiinternal(f->name);
		by[i] = f;
	}
	qsort(by, t->funcs_nr, sizeof(*by), cmp_name_entry);
	for (size_t i = 0; i < t->funcs_nr;) {
		size_t run = 1;
		while (i + run < t->funcs_nr && !strcmp(by[i]->name, by[i + run]->name))
			run++;
		struct gopclntab_func *a = by[i], *b = run == 2 ? by[i + 1] : NULL;
		i += run;
		/* An ASM member is ABI0 already; its twin is the register entry. */
		if (!b || !*a->name || ((a->flag | b->flag) & GOPCLNTAB_FLAG_ASM))
			continue;
		if (!a->func_id != !b->func_id)
			(a->func_id ? a : b)->abi0 = true;
	}
	free(by);
}

static void mark_abi0(struct gopclntab *t, const struct elf_file *elf)
{
	static const char suffix[] = ".abi0";
	/* cgo binaries stripped of Go symbols may keep the C ones. */
	if (!elf_symbol_lookup(elf, "runtime.goexit", NULL) &&
	    !elf_symbol_lookup(elf, "runtime.goexit.abi0", NULL)) {
		if (t->version >= GOPCLNTAB_GO118 && t->register_abi)
			mark_abi0_by_flags(t);
		return;
	}
	for (size_t i = 0; i < t->funcs_nr; i++) {
		const struct elf_symbol *s = elf_symbol_at(elf, t->funcs[i].entry);
		if (!s || s->value != t->funcs[i].entry)
			continue;
		size_t len = strlen(s->name);
		t->funcs[i].abi0 = len > sizeof(suffix) - 1 &&
				   !strcmp(s->name + len - (sizeof(suffix) - 1), suffix);
	}
}

int gopclntab_load(struct gopclntab *t, const struct elf_file *elf)
{
	static const char *const header_syms[] = { "runtime.pcheader", "runtime.pclntab" };
	int ret = -ENOENT;
	bool seen = false;

	memset(t, 0, sizeof(*t));
	const struct elf_section *sec = elf_section_by_name(elf, ".gopclntab");
	const uint8_t *data;
	size_t len;
	if (sec && elf_section_data(elf, sec, &data, &len) == 0) {
		seen = true;
		ret = try_at(t, elf, data, len, sec->addr);
		if (ret == 0)
			t->source = GOPCLNTAB_FROM_SECTION;
	}
	for (size_t i = 0; ret < 0 && i < ARRAY_SIZE(header_syms); i++) {
		const struct elf_symbol *s = elf_symbol_lookup(elf, header_syms[i], NULL);
		if (!s)
			continue;
		seen = true;
		ret = try_vaddr(t, elf, s->value);
		if (ret == 0)
			t->source = GOPCLNTAB_FROM_SYMBOL;
	}
	if (ret < 0) {
		const struct elf_symbol *s = elf_symbol_lookup(elf, "runtime.firstmoduledata", NULL);
		uint64_t hdr;
		if (s && elf_read_pointer(elf, s->value, &hdr) == 0) {
			seen = true;
			ret = try_vaddr(t, elf, hdr);
			if (ret == 0)
				t->source = GOPCLNTAB_FROM_MODULEDATA;
		}
	}
	if (ret < 0 && (seen || elf->is_go || elf->sections_nr == 0 ||
			elf_section_by_name(elf, ".go.buildinfo") ||
			elf_section_by_name(elf, ".note.go.buildid"))) {
		ret = scan(t, elf);
		if (ret == 0)
			t->source = GOPCLNTAB_FROM_SCAN;
	}
	if (ret < 0) {
		if (!seen && !elf->is_go)
			return -ENOENT;
		return err_set(seen ? EINVAL : ENOENT, "no usable Go function table%s",
			       seen ? " (the one found is damaged)" : "");
	}
	mark_abi0(t, elf);
	if (t->version == GOPCLNTAB_GO116) {
		unsigned minor = go_minor(elf->go_version);
		t->register_abi = minor >= 17 && elf->arch == ELF_ARCH_X86_64;
	}
	return 0;
}

/* --- method tables ------------------------------------------------------ */

/*
 * moduledata word indexes (64-bit).  Every release since 1.16 starts with
 * pcHeader, six slices (funcnametab cutab filetab pctab pclntable ftab),
 * findfunctab, minpc, maxpc, text, etext; Go 1.20 added covctrs/ecovctrs
 * before end, which moves types/etypes from 35/36 to 37/38.
 */
#define MD_MINPC 20
#define MD_TEXT 22

static bool md_word(const struct elf_file *elf, uint64_t md, unsigned idx, uint64_t *v)
{
	return elf_read_pointer(elf, md + 8 * (uint64_t)idx, v) == 0;
}

/* Is there a moduledata for table 't' at vaddr 'md'? */
static bool md_valid(const struct gopclntab *t, const struct elf_file *elf, uint64_t md)
{
	uint64_t hdr, minpc;
	return md_word(elf, md, 0, &hdr) && hdr == t->table_addr && md_word(elf, md, MD_MINPC, &minpc) &&
	       t->funcs_nr && minpc == t->funcs[0].entry;
}

/* runtime.firstmoduledata, else the word pointing at the table's header. */
static uint64_t find_moduledata(const struct gopclntab *t, const struct elf_file *elf)
{
	const struct elf_symbol *s = elf_symbol_lookup(elf, "runtime.firstmoduledata", NULL);
	if (s && md_valid(t, elf, s->value))
		return s->value;
	/* Position-independent: a RELATIVE relocation with the header as addend. */
	for (size_t i = 0; i < elf->relocs_nr; i++) {
		const struct elf_reloc *r = &elf->relocs[i];
		if (r->has_addend && (uint64_t)r->addend == t->table_addr &&
		    elf_reloc_kind(elf, r->type) == ELF_RELOC_RELATIVE && md_valid(t, elf, r->offset))
			return r->offset;
	}
	/* Otherwise the header's address is stored as is in writable data. */
	for (size_t i = 0; i < elf->sections_nr; i++) {
		const struct elf_section *sec = &elf->sections[i];
		const uint8_t *data;
		size_t len;
		if (!(sec->flags & 0x2 /* SHF_ALLOC */) || (sec->flags & 0x4 /* SHF_EXECINSTR */) ||
		    elf_section_data(elf, sec, &data, &len) < 0)
			continue;
		for (size_t off = (size_t)((8 - (sec->addr & 7)) & 7); off + 8 <= len; off += 8) {
			uint64_t v = 0;
			for (int k = 7; k >= 0; k--)
				v = v << 8 | data[off + (size_t)k];
			if (v == t->table_addr && md_valid(t, elf, sec->addr + off))
				return sec->addr + off;
		}
	}
	return 0;
}

int gopclntab_method_refs(const struct gopclntab *t, const struct elf_file *elf, uint64_t **out)
{
	*out = NULL;
	if (t->version < GOPCLNTAB_GO116 || t->ptr_size != 8 || t->big_endian || !t->funcs_nr)
		return err_set(ENOTSUP, "Go method tables: unsupported table (%s, %u-byte pointers)",
			       gopclntab_version_name(t->version), t->ptr_size);
	uint64_t md = find_moduledata(t, elf);
	if (!md)
		return err_set(ENOENT, "Go module data not found");
	uint64_t text, types = 0, etypes = 0;
	if (!md_word(elf, md, MD_TEXT, &text))
		return err_set(ENOENT, "Go module data at 0x%llx: no text field", (unsigned long long)md);
	const uint8_t *data = NULL;
	/* Whichever layout gives a readable, ordered, sane range. */
	static const unsigned types_at[] = { 37, 35 };
	for (size_t i = 0; i < ARRAY_SIZE(types_at) && !data; i++) {
		if (t->version < GOPCLNTAB_GO120 && types_at[i] == 37)
			continue;
		if (!md_word(elf, md, types_at[i], &types) || !md_word(elf, md, types_at[i] + 1, &etypes) ||
		    etypes <= types || etypes - types > (1u << 30))
			continue;
		data = elf_vaddr_bytes(elf, types, (size_t)(etypes - types));
	}
	if (!data)
		return err_set(ENOENT, "Go module data at 0x%llx: no type data", (unsigned long long)md);

	bool *hit = xcalloc(t->funcs_nr, sizeof(*hit));
	size_t n = 0;
	for (uint64_t off = (4 - (types & 3)) & 3; off + 4 <= etypes - types; off += 4) {
		const uint8_t *p = data + off;
		uint32_t v = (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
		if (v & 0x80000000u)
			continue; /* -1: method dropped by the linker */
		const struct gopclntab_func *f = gopclntab_find(t, text + v);
		if (f && f->entry == text + v && !hit[f - t->funcs]) {
			hit[f - t->funcs] = true;
			n++;
		}
	}
	uint64_t *list = xcalloc(n ? n : 1, sizeof(*list));
	size_t k = 0;
	for (size_t i = 0; i < t->funcs_nr; i++)
		if (hit[i])
			list[k++] = t->funcs[i].entry;
	free(hit);
	*out = list; /* sorted: funcs are */
	return (int)k;
}
