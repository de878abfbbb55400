#include "elf/elf.h"

#include <elf.h>
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/xalloc.h"

#ifndef SHT_RELR
#define SHT_RELR 19
#endif
#ifndef DT_RELR
#define DT_RELR 36
#define DT_RELRSZ 35
#endif

/* Decoded RELR expands up to 63 entries per word; bound the total anyway. */
#define MAX_RELOCS (64u * 1024 * 1024)
/* Go binaries keep the buildinfo blob in data; do not scan more than this. */
#define GO_SCAN_CAP (256u * 1024 * 1024)

struct dyn_raw;

struct elf_priv {
	Elf *libelf; /* created on first elf_libelf_handle() */
	bool libelf_tried;
	const char *name;
	/* relocs sorted by offset (pointers into elf->relocs) */
	const struct elf_reloc **reloc_sorted;
	/* defined symbols sorted by name, and function/object symbols by address */
	const struct elf_symbol **by_name;
	size_t by_name_nr;
	const struct elf_symbol **by_addr;
	size_t by_addr_nr;
	/* strings we own (version names read from the file are borrowed) */
	char *interp_copy;
	/* ELF_OPEN_LAZY: the dynamic tags kept for elf_load_tables(); NULL once the tables are in */
	struct dyn_raw *lazy;
};

static struct elf_priv *priv_of(const struct elf_file *elf)
{
	return elf->priv;
}

bool elf_probe(const void *data, size_t len)
{
	const uint8_t *p = data;

	if (!p || len < EI_NIDENT || memcmp(p, ELFMAG, SELFMAG) != 0)
		return false;
	if (p[EI_CLASS] != ELFCLASS32 && p[EI_CLASS] != ELFCLASS64)
		return false;
	return p[EI_DATA] == ELFDATA2LSB || p[EI_DATA] == ELFDATA2MSB;
}

/* Little-endian reads from the buffer; callers have checked the range. */
static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

static uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | ((uint64_t)rd32(p + 4) << 32);
}

static uint16_t rd16e(const uint8_t *p, bool be)
{
	return be ? (uint16_t)((p[0] << 8) | p[1]) : rd16(p);
}

static uint64_t rd64e(const uint8_t *p, bool be)
{
	uint64_t v = 0;

	if (!be)
		return rd64(p);
	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

/* A NUL-terminated string at tab[idx] within tab_size bytes, or NULL. */
static const char *str_at(const uint8_t *tab, uint64_t tab_size, uint64_t idx)
{
	if (!tab || idx >= tab_size)
		return NULL;
	/* A table ending in NUL (all real ones) terminates every string in it. */
	if (tab[tab_size - 1] != '\0' && !memchr(tab + idx, '\0', (size_t)(tab_size - idx)))
		return NULL;
	return (const char *)tab + idx;
}

static const char *str_or_empty(const uint8_t *tab, uint64_t tab_size, uint64_t idx)
{
	const char *s = str_at(tab, tab_size, idx);

	return s ? s : "";
}

const char *elf_class_name(enum elf_class c)
{
	switch (c) {
	case ELF_CLASS_32:
		return "ELF32";
	case ELF_CLASS_64:
		return "ELF64";
	default:
		return "none";
	}
}

const char *elf_arch_name(const struct elf_file *elf)
{
	switch (elf->machine) {
	case EM_X86_64:
		return "x86_64";
	case EM_AARCH64:
		return "aarch64";
	case EM_386:
		return "i386";
	case EM_ARM:
		return "arm";
	case EM_RISCV:
		return "riscv";
	case EM_PPC64:
		return "ppc64";
	case EM_PPC:
		return "ppc";
	case EM_S390:
		return "s390";
	case EM_MIPS:
		return "mips";
	case EM_NONE:
		return "none";
	default:
		return "other";
	}
}

const char *elf_type_name(enum elf_type t)
{
	switch (t) {
	case ELF_TYPE_EXEC:
		return "exec";
	case ELF_TYPE_PIE:
		return "pie";
	case ELF_TYPE_SHARED:
		return "shared";
	case ELF_TYPE_REL:
		return "rel";
	case ELF_TYPE_CORE:
		return "core";
	default:
		return "other";
	}
}

enum elf_reloc_kind elf_reloc_kind(const struct elf_file *elf, uint32_t type)
{
	if (elf->arch == ELF_ARCH_X86_64) {
		switch (type) {
		case R_X86_64_NONE:
			return ELF_RELOC_NONE;
		case R_X86_64_JUMP_SLOT:
			return ELF_RELOC_JUMP_SLOT;
		case R_X86_64_GLOB_DAT:
			return ELF_RELOC_GLOB_DAT;
		case R_X86_64_RELATIVE:
			return ELF_RELOC_RELATIVE;
		case R_X86_64_64:
			return ELF_RELOC_ABS64;
		case R_X86_64_IRELATIVE:
			return ELF_RELOC_IRELATIVE;
		case R_X86_64_COPY:
			return ELF_RELOC_COPY;
		case R_X86_64_DTPMOD64:
		case R_X86_64_DTPOFF64:
		case R_X86_64_TPOFF64:
		case R_X86_64_TLSDESC:
			return ELF_RELOC_TLS;
		default:
			return ELF_RELOC_OTHER;
		}
	}
	if (elf->arch == ELF_ARCH_AARCH64) {
		switch (type) {
		case R_AARCH64_NONE:
			return ELF_RELOC_NONE;
		case R_AARCH64_JUMP_SLOT:
			return ELF_RELOC_JUMP_SLOT;
		case R_AARCH64_GLOB_DAT:
			return ELF_RELOC_GLOB_DAT;
		case R_AARCH64_RELATIVE:
			return ELF_RELOC_RELATIVE;
		case R_AARCH64_ABS64:
			return ELF_RELOC_ABS64;
		case R_AARCH64_IRELATIVE:
			return ELF_RELOC_IRELATIVE;
		case R_AARCH64_COPY:
			return ELF_RELOC_COPY;
		case R_AARCH64_TLS_DTPMOD:
		case R_AARCH64_TLS_DTPREL:
		case R_AARCH64_TLS_TPREL:
		case R_AARCH64_TLSDESC:
			return ELF_RELOC_TLS;
		default:
			return ELF_RELOC_OTHER;
		}
	}
	return ELF_RELOC_OTHER;
}

/* ---- headers ---------------------------------------------------------- */

static void parse_segments(struct elf_file *elf, const Elf64_Ehdr *eh)
{
	struct elf_priv *pv = priv_of(elf);
	uint64_t tab_len;

	if (!eh->e_phoff || !eh->e_phnum)
		return;
	if (eh->e_phentsize != sizeof(Elf64_Phdr)) {
		warn_add("ELF '%s': program header entry size %u, expected %zu; segments ignored",
			 pv->name, eh->e_phentsize, sizeof(Elf64_Phdr));
		return;
	}
	tab_len = (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr);
	if (!range_ok(eh->e_phoff, tab_len, elf->size)) {
		warn_add("ELF '%s': program header table out of range; segments ignored", pv->name);
		return;
	}
	elf->segments = xcalloc(eh->e_phnum, sizeof(*elf->segments));
	for (size_t i = 0; i < eh->e_phnum; i++) {
		Elf64_Phdr ph;
		struct elf_segment *s = &elf->segments[elf->segments_nr++];

		memcpy(&ph, elf->data + eh->e_phoff + i * sizeof(ph), sizeof(ph));
		s->type = ph.p_type;
		s->flags = ph.p_flags;
		s->offset = ph.p_offset;
		s->vaddr = ph.p_vaddr;
		s->filesz = ph.p_filesz;
		s->memsz = ph.p_memsz;
		s->align = ph.p_align;
		s->in_file = range_ok(ph.p_offset, ph.p_filesz, elf->size);
		if (!s->in_file)
			warn_add("ELF '%s': segment %zu out of file range", pv->name, i);
	}
}

static void parse_sections(struct elf_file *elf, const Elf64_Ehdr *eh)
{
	struct elf_priv *pv = priv_of(elf);
	uint64_t shnum = eh->e_shnum, shstrndx = eh->e_shstrndx, tab_len;
	Elf64_Shdr sh0;
	const uint8_t *names = NULL;
	uint64_t names_size = 0;

	if (!eh->e_shoff)
		return;
	if (eh->e_shentsize != sizeof(Elf64_Shdr)) {
		warn_add("ELF '%s': section header entry size %u, expected %zu; sections ignored",
			 pv->name, eh->e_shentsize, sizeof(Elf64_Shdr));
		return;
	}
	if (!range_ok(eh->e_shoff, sizeof(sh0), elf->size)) {
		warn_add("ELF '%s': section header table out of range; sections ignored", pv->name);
		return;
	}
	memcpy(&sh0, elf->data + eh->e_shoff, sizeof(sh0));
	/* Extended numbering: the real counts live in section header 0. */
	if (shnum == 0)
		shnum = sh0.sh_size;
	if (shstrndx == SHN_XINDEX)
		shstrndx = sh0.sh_link;
	if (shnum == 0)
		return;
	if (shnum > (elf->size / sizeof(Elf64_Shdr)) ||
	    !range_ok(eh->e_shoff, shnum * sizeof(Elf64_Shdr), elf->size)) {
		warn_add("ELF '%s': section header table (%llu entries) out of range; sections ignored",
			 pv->name, (unsigned long long)shnum);
		return;
	}
	tab_len = shnum * sizeof(Elf64_Shdr);
	(void)tab_len;
	elf->sections = xcalloc(shnum, sizeof(*elf->sections));
	elf->sections_nr = shnum;
	for (size_t i = 0; i < shnum; i++) {
		Elf64_Shdr sh;
		struct elf_section *s = &elf->sections[i];

		memcpy(&sh, elf->data + eh->e_shoff + i * sizeof(sh), sizeof(sh));
		s->index = (uint32_t)i;
		s->type = sh.sh_type;
		s->flags = sh.sh_flags;
		s->addr = sh.sh_addr;
		s->offset = sh.sh_offset;
		s->size = sh.sh_size;
		s->entsize = sh.sh_entsize;
		s->link = sh.sh_link;
		s->info = sh.sh_info;
		s->in_file = sh.sh_type != SHT_NOBITS && sh.sh_type != SHT_NULL &&
			     range_ok(sh.sh_offset, sh.sh_size, elf->size);
		if (sh.sh_type != SHT_NOBITS && sh.sh_type != SHT_NULL && !s->in_file)
			warn_add("ELF '%s': section %zu out of file range", pv->name, i);
		s->name = "";
	}
	if (shstrndx < shnum && elf->sections[shstrndx].in_file) {
		names = elf->data + elf->sections[shstrndx].offset;
		names_size = elf->sections[shstrndx].size;
	} else if (shstrndx != SHN_UNDEF) {
		warn_add("ELF '%s': section name table index %llu invalid", pv->name,
			 (unsigned long long)shstrndx);
	}
	if (names) {
		for (size_t i = 0; i < shnum; i++) {
			Elf64_Shdr sh;

			memcpy(&sh, elf->data + eh->e_shoff + i * sizeof(sh), sizeof(sh));
			elf->sections[i].name = str_or_empty(names, names_size, sh.sh_name);
		}
	}
}

const struct elf_section *elf_section_at(const struct elf_file *elf, size_t index)
{
	return index < elf->sections_nr ? &elf->sections[index] : NULL;
}

const struct elf_section *elf_section_by_name(const struct elf_file *elf, const char *name)
{
	for (size_t i = 0; i < elf->sections_nr; i++)
		if (strcmp(elf->sections[i].name, name) == 0)
			return &elf->sections[i];
	return NULL;
}

int elf_section_data(const struct elf_file *elf, const struct elf_section *sec,
		     const uint8_t **data, size_t *len)
{
	*data = NULL;
	*len = 0;
	if (!sec || !sec->in_file)
		return -ENODATA;
	*data = elf->data + sec->offset;
	*len = (size_t)sec->size;
	return 0;
}

/* ---- address translation ---------------------------------------------- */

const struct elf_segment *elf_segment_of(const struct elf_file *elf, uint64_t vaddr)
{
	for (size_t i = 0; i < elf->segments_nr; i++) {
		const struct elf_segment *s = &elf->segments[i];

		if (s->type == PT_LOAD && vaddr >= s->vaddr && vaddr - s->vaddr < s->memsz)
			return s;
	}
	return NULL;
}

const struct elf_section *elf_section_of(const struct elf_file *elf, uint64_t vaddr)
{
	for (size_t i = 0; i < elf->sections_nr; i++) {
		const struct elf_section *s = &elf->sections[i];

		if ((s->flags & SHF_ALLOC) && s->size && vaddr >= s->addr &&
		    vaddr - s->addr < s->size)
			return s;
	}
	return NULL;
}

bool elf_vaddr_to_offset(const struct elf_file *elf, uint64_t vaddr, uint64_t *offset,
			 uint64_t *avail)
{
	for (size_t i = 0; i < elf->segments_nr; i++) {
		const struct elf_segment *s = &elf->segments[i];
		uint64_t delta;

		if (s->type != PT_LOAD || !s->in_file || vaddr < s->vaddr)
			continue;
		delta = vaddr - s->vaddr;
		if (delta >= s->filesz)
			continue;
		if (offset)
			*offset = s->offset + delta;
		if (avail)
			*avail = s->filesz - delta;
		return true;
	}
	/* Objects without program headers (ET_REL) map through sections. */
	if (!elf->segments_nr) {
		for (size_t i = 0; i < elf->sections_nr; i++) {
			const struct elf_section *s = &elf->sections[i];

			if (!s->in_file || !(s->flags & SHF_ALLOC) || vaddr < s->addr ||
			    vaddr - s->addr >= s->size)
				continue;
			if (offset)
				*offset = s->offset + (vaddr - s->addr);
			if (avail)
				*avail = s->size - (vaddr - s->addr);
			return true;
		}
	}
	return false;
}

const uint8_t *elf_vaddr_bytes(const struct elf_file *elf, uint64_t vaddr, size_t len)
{
	uint64_t off, avail;

	if (!elf_vaddr_to_offset(elf, vaddr, &off, &avail) || avail < len)
		return NULL;
	return elf->data + off;
}

bool elf_vaddr_is_code(const struct elf_file *elf, uint64_t vaddr)
{
	const struct elf_segment *s = elf_segment_of(elf, vaddr);

	if (s)
		return (s->flags & PF_X) != 0;
	if (!elf->segments_nr) {
		const struct elf_section *sec = elf_section_of(elf, vaddr);

		return sec && (sec->flags & SHF_EXECINSTR);
	}
	return false;
}

/* ---- dynamic section -------------------------------------------------- */

struct dyn_raw {
	uint64_t strtab, strsz, symtab, hash, gnu_hash;
	uint64_t rela, relasz, rel, relsz, jmprel, pltrelsz, pltrel, relr, relrsz;
	uint64_t versym, verdef, verdefnum, verneed, verneednum;
	bool has_strtab;
	/* the dynamic string table, once located */
	const uint8_t *str_p;
	uint64_t str_sz;
};

static void parse_dynamic(struct elf_file *elf, struct dyn_raw *raw)
{
	struct elf_priv *pv = priv_of(elf);
	const uint8_t *dyn = NULL, *strtab = NULL;
	uint64_t dyn_size = 0, strsz = 0;
	const struct elf_section *dsec = NULL;
	size_t needed_alloc = 0, n;

	for (size_t i = 0; i < elf->segments_nr; i++) {
		if (elf->segments[i].type == PT_DYNAMIC) {
			if (!elf->segments[i].in_file) {
				warn_add("ELF '%s': PT_DYNAMIC out of file range", pv->name);
				break;
			}
			dyn = elf->data + elf->segments[i].offset;
			dyn_size = elf->segments[i].filesz;
			break;
		}
	}
	for (size_t i = 0; i < elf->sections_nr; i++) {
		if (elf->sections[i].type == SHT_DYNAMIC) {
			dsec = &elf->sections[i];
			break;
		}
	}
	if (!dyn && dsec && dsec->in_file) {
		dyn = elf->data + dsec->offset;
		dyn_size = dsec->size;
	}
	if (!dyn)
		return;
	elf->dyn.present = true;
	n = (size_t)(dyn_size / sizeof(Elf64_Dyn));

	/* First pass: the string table address, needed before any name. */
	for (size_t i = 0; i < n; i++) {
		const uint8_t *e = dyn + i * sizeof(Elf64_Dyn);
		int64_t tag = (int64_t)rd64(e);
		uint64_t val = rd64(e + 8);

		if (tag == DT_NULL)
			break;
		switch (tag) {
		case DT_STRTAB:
			raw->strtab = val;
			raw->has_strtab = true;
			break;
		case DT_STRSZ:
			raw->strsz = val;
			break;
		case DT_SYMTAB:
			raw->symtab = val;
			break;
		case DT_HASH:
			raw->hash = val;
			break;
		case DT_GNU_HASH:
			raw->gnu_hash = val;
			break;
		case DT_VERSYM:
			raw->versym = val;
			break;
		case DT_VERDEF:
			raw->verdef = val;
			break;
		case DT_VERDEFNUM:
			raw->verdefnum = val;
			break;
		case DT_VERNEED:
			raw->verneed = val;
			break;
		case DT_VERNEEDNUM:
			raw->verneednum = val;
			break;
		case DT_RELA:
			raw->rela = val;
			break;
		case DT_RELASZ:
			raw->relasz = val;
			break;
		case DT_REL:
			raw->rel = val;
			break;
		case DT_RELSZ:
			raw->relsz = val;
			break;
		case DT_JMPREL:
			raw->jmprel = val;
			break;
		case DT_PLTRELSZ:
			raw->pltrelsz = val;
			break;
		case DT_PLTREL:
			raw->pltrel = val;
			break;
		case DT_RELR:
			raw->relr = val;
			break;
		case DT_RELRSZ:
			raw->relrsz = val;
			break;
		default:
			break;
		}
	}
	/* The string table: .dynstr via the section link when present. */
	if (dsec && dsec->link < elf->sections_nr && elf->sections[dsec->link].in_file &&
	    elf->sections[dsec->link].type == SHT_STRTAB) {
		strtab = elf->data + elf->sections[dsec->link].offset;
		strsz = elf->sections[dsec->link].size;
	} else if (raw->has_strtab) {
		uint64_t off, avail;

		if (elf_vaddr_to_offset(elf, raw->strtab, &off, &avail)) {
			strtab = elf->data + off;
			strsz = raw->strsz && raw->strsz < avail ? raw->strsz : avail;
		}
	}
	raw->str_p = strtab;
	raw->str_sz = strsz;

	for (size_t i = 0; i < n; i++) {
		const uint8_t *e = dyn + i * sizeof(Elf64_Dyn);
		int64_t tag = (int64_t)rd64(e);
		uint64_t val = rd64(e + 8);
		const char *s;

		if (tag == DT_NULL)
			break;
		switch (tag) {
		case DT_NEEDED:
			s = str_at(strtab, strsz, val);
			if (!s) {
				warn_add("ELF '%s': DT_NEEDED name offset %llu out of range",
					 pv->name, (unsigned long long)val);
				break;
			}
			ALLOC_GROW(elf->dyn.needed, elf->dyn.needed_nr + 1, needed_alloc);
			elf->dyn.needed[elf->dyn.needed_nr++] = s;
			break;
		case DT_SONAME:
		case DT_RPATH:
		case DT_RUNPATH:
			s = str_at(strtab, strsz, val);
			if (!s) {
				warn_add("ELF '%s': dynamic string offset %llu out of range",
					 pv->name, (unsigned long long)val);
				break;
			}
			if (tag == DT_SONAME)
				elf->dyn.soname = s;
			else if (tag == DT_RPATH)
				elf->dyn.rpath = s;
			else
				elf->dyn.runpath = s;
			break;
		case DT_INIT:
			elf->dyn.init = val;
			break;
		case DT_FINI:
			elf->dyn.fini = val;
			break;
		case DT_INIT_ARRAY:
			elf->dyn.init_array = val;
			break;
		case DT_INIT_ARRAYSZ:
			elf->dyn.init_arraysz = val;
			break;
		case DT_FINI_ARRAY:
			elf->dyn.fini_array = val;
			break;
		case DT_FINI_ARRAYSZ:
			elf->dyn.fini_arraysz = val;
			break;
		case DT_PREINIT_ARRAY:
			elf->dyn.preinit_array = val;
			break;
		case DT_PREINIT_ARRAYSZ:
			elf->dyn.preinit_arraysz = val;
			break;
		case DT_FLAGS:
			elf->dyn.flags = val;
			break;
		case DT_FLAGS_1:
			elf->dyn.flags_1 = val;
			break;
		case DT_BIND_NOW:
			elf->dyn.bind_now = true;
			break;
		default:
			break;
		}
	}
	if ((elf->dyn.flags & DF_BIND_NOW) || (elf->dyn.flags_1 & DF_1_NOW))
		elf->dyn.bind_now = true;
}

static void parse_interp(struct elf_file *elf)
{
	struct elf_priv *pv = priv_of(elf);

	for (size_t i = 0; i < elf->segments_nr; i++) {
		const struct elf_segment *s = &elf->segments[i];

		if (s->type != PT_INTERP)
			continue;
		if (!s->in_file || s->filesz == 0 || s->filesz > 4096) {
			warn_add("ELF '%s': PT_INTERP out of range", pv->name);
			return;
		}
		pv->interp_copy = xstrndup((const char *)elf->data + s->offset, (size_t)s->filesz);
		elf->interp = pv->interp_copy;
		return;
	}
}

/* ---- notes ------------------------------------------------------------ */

static void scan_notes(struct elf_file *elf, const uint8_t *p, uint64_t len, uint64_t align)
{
	uint64_t off = 0;

	if (align != 8)
		align = 4;
	while (len - off >= 12) {
		uint32_t namesz = rd32(p + off), descsz = rd32(p + off + 4), type = rd32(p + off + 8);
		uint64_t name_off = off + 12, desc_off, next;

		desc_off = name_off + (((uint64_t)namesz + align - 1) & ~(align - 1));
		if (desc_off > len || descsz > len - desc_off)
			return;
		next = desc_off + (((uint64_t)descsz + align - 1) & ~(align - 1));
		if (namesz == 4 && memcmp(p + name_off, "GNU", 4) == 0 && type == NT_GNU_BUILD_ID &&
		    descsz > 0 && descsz <= 64 && !elf->build_id) {
			elf->build_id = p + desc_off;
			elf->build_id_len = descsz;
		}
		if (namesz == 3 && memcmp(p + name_off, "Go", 3) == 0 && type == 4)
			elf->is_go = true; /* NT_GO_BUILDID in .note.go.buildid */
		if (next <= off || next > len)
			return;
		off = next;
	}
}

static void parse_notes(struct elf_file *elf)
{
	bool any = false;

	for (size_t i = 0; i < elf->segments_nr; i++) {
		const struct elf_segment *s = &elf->segments[i];

		if (s->type == PT_NOTE && s->in_file) {
			scan_notes(elf, elf->data + s->offset, s->filesz, s->align);
			any = true;
		}
	}
	if (!any || !elf->build_id) {
		for (size_t i = 0; i < elf->sections_nr; i++) {
			const struct elf_section *s = &elf->sections[i];

			if (s->type == SHT_NOTE && s->in_file)
				scan_notes(elf, elf->data + s->offset, s->size,
					   strcmp(s->name, ".note.gnu.property") == 0 ? 8 : 4);
		}
	}
	if (elf->build_id) {
		static const char hex[] = "0123456789abcdef";

		elf->build_id_hex = xmalloc(elf->build_id_len * 2 + 1);
		for (size_t i = 0; i < elf->build_id_len; i++) {
			elf->build_id_hex[2 * i] = hex[elf->build_id[i] >> 4];
			elf->build_id_hex[2 * i + 1] = hex[elf->build_id[i] & 15];
		}
		elf->build_id_hex[elf->build_id_len * 2] = '\0';
	}
}

/* ---- symbols and versions --------------------------------------------- */

struct ver_name {
	const char *name;
	const char *file;
};

struct versions {
	struct ver_name *by_index; /* indexed by version index (<= 0x7fff) */
	size_t nr;
};

static void ver_set(struct versions *v, uint32_t idx, const char *name, const char *file)
{
	idx &= 0x7fff;
	if (idx >= v->nr) {
		size_t nr = idx + 1;

		v->by_index = xrealloc_array(v->by_index, nr, sizeof(*v->by_index));
		memset(v->by_index + v->nr, 0, (nr - v->nr) * sizeof(*v->by_index));
		v->nr = nr;
	}
	if (!v->by_index[idx].name) {
		v->by_index[idx].name = name;
		v->by_index[idx].file = file;
	}
}

static bool sec_strtab(const struct elf_file *elf, uint32_t link, const uint8_t **tab,
		       uint64_t *size)
{
	const struct elf_section *s = elf_section_at(elf, link);

	if (!s || !s->in_file || s->type != SHT_STRTAB)
		return false;
	*tab = elf->data + s->offset;
	*size = s->size;
	return true;
}

static void parse_verdef(const uint8_t *p, uint64_t len, uint64_t count,
			 const uint8_t *strs, uint64_t strsz, struct versions *v)
{
	uint64_t off = 0;
	/* Each entry is at least 20 bytes, which bounds the walk on cycles. */
	uint64_t max_iter = len / sizeof(Elf64_Verdef) + 1;

	for (uint64_t it = 0; it < max_iter && it <= count; it++) {
		Elf64_Verdef vd;
		Elf64_Verdaux va;

		if (!range_ok(off, sizeof(vd), len))
			return;
		memcpy(&vd, p + off, sizeof(vd));
		if (vd.vd_cnt && range_ok(off + (uint64_t)vd.vd_aux, sizeof(va), len)) {
			const char *name;

			memcpy(&va, p + off + vd.vd_aux, sizeof(va));
			name = str_at(strs, strsz, va.vda_name);
			/* The base entry names the object itself, not a version. */
			if (name && !(vd.vd_flags & VER_FLG_BASE))
				ver_set(v, vd.vd_ndx, name, NULL);
		}
		if (!vd.vd_next)
			return;
		off += vd.vd_next;
	}
}

static void parse_verneed(const uint8_t *p, uint64_t len, uint64_t count,
			  const uint8_t *strs, uint64_t strsz, struct versions *v)
{
	uint64_t off = 0;
	uint64_t max_iter = len / sizeof(Elf64_Verneed) + 1;

	for (uint64_t it = 0; it < max_iter && it <= count; it++) {
		Elf64_Verneed vn;
		uint64_t aoff;
		const char *file;

		if (!range_ok(off, sizeof(vn), len))
			return;
		memcpy(&vn, p + off, sizeof(vn));
		file = str_at(strs, strsz, vn.vn_file);
		aoff = off + vn.vn_aux;
		for (uint32_t j = 0; j < vn.vn_cnt && j < max_iter * 2; j++) {
			Elf64_Vernaux va;
			const char *name;

			if (!range_ok(aoff, sizeof(va), len))
				break;
			memcpy(&va, p + aoff, sizeof(va));
			name = str_at(strs, strsz, va.vna_name);
			if (name)
				ver_set(v, va.vna_other, name, file);
			if (!va.vna_next)
				break;
			aoff += va.vna_next;
		}
		if (!vn.vn_next)
			return;
		off += vn.vn_next;
	}
}

/* Where a symbol table's entries, names and versions are. */
struct symsrc {
	const uint8_t *syms;
	size_t n;
	uint32_t section;
	const uint8_t *strs;
	uint64_t strsz;
	const uint8_t *versym;
	uint64_t versym_nr;
	struct versions vers;
};

static void decode_symbols(const struct symsrc *src, struct elf_symtab *out)
{
	out->syms = xcalloc(src->n, sizeof(*out->syms));
	out->nr = src->n;
	out->section = src->section;
	for (size_t i = 0; i < src->n; i++) {
		Elf64_Sym es;
		struct elf_symbol *s = &out->syms[i];

		memcpy(&es, src->syms + i * sizeof(es), sizeof(es));
		s->name = str_or_empty(src->strs, src->strsz, es.st_name);
		s->value = es.st_value;
		s->size = es.st_size;
		s->type = ELF64_ST_TYPE(es.st_info);
		s->bind = ELF64_ST_BIND(es.st_info);
		s->visibility = ELF64_ST_VISIBILITY(es.st_other);
		s->shndx = es.st_shndx;
		s->defined = es.st_shndx != SHN_UNDEF;
		if (src->versym && i < src->versym_nr) {
			uint16_t vs = rd16(src->versym + 2 * i);
			uint16_t idx = vs & 0x7fff;

			if (idx > 1 && idx < src->vers.nr && src->vers.by_index[idx].name) {
				s->version = src->vers.by_index[idx].name;
				s->version_file = s->defined ? NULL : src->vers.by_index[idx].file;
				s->version_hidden = (vs & 0x8000) != 0;
			}
		}
	}
}

static void parse_symtab(struct elf_file *elf, const struct elf_section *sec,
			 struct elf_symtab *out, bool dynamic)
{
	struct elf_priv *pv = priv_of(elf);
	struct symsrc src;

	memset(&src, 0, sizeof(src));
	if (!sec->in_file)
		return;
	if (sec->entsize && sec->entsize != sizeof(Elf64_Sym)) {
		warn_add("ELF '%s': symbol table '%s' entry size %llu; ignored", pv->name,
			 sec->name, (unsigned long long)sec->entsize);
		return;
	}
	if (!sec_strtab(elf, sec->link, &src.strs, &src.strsz))
		warn_add("ELF '%s': symbol table '%s' has no string table", pv->name, sec->name);
	src.syms = elf->data + sec->offset;
	src.n = (size_t)(sec->size / sizeof(Elf64_Sym));
	src.section = sec->index;
	if (!src.n)
		return;
	if (dynamic) {
		for (size_t i = 0; i < elf->sections_nr; i++) {
			const struct elf_section *s = &elf->sections[i];
			const uint8_t *vstrs;
			uint64_t vstrsz;

			if (!s->in_file)
				continue;
			if (s->type == SHT_GNU_versym && s->link == sec->index) {
				src.versym = elf->data + s->offset;
				src.versym_nr = s->size / 2;
			} else if ((s->type == SHT_GNU_verdef || s->type == SHT_GNU_verneed) &&
				   sec_strtab(elf, s->link, &vstrs, &vstrsz)) {
				if (s->type == SHT_GNU_verdef)
					parse_verdef(elf->data + s->offset, s->size, s->info, vstrs,
						     vstrsz, &src.vers);
				else
					parse_verneed(elf->data + s->offset, s->size, s->info, vstrs,
						      vstrsz, &src.vers);
			}
		}
	}
	decode_symbols(&src, out);
	free(src.vers.by_index);
}

/*
 * The number of dynamic symbols from the hash tables, for objects whose
 * section headers are gone: DT_HASH's nchain, or the highest symbol index
 * DT_GNU_HASH's chains reach.  0 when neither is usable.
 */
static uint64_t dynsym_count(const struct elf_file *elf, const struct dyn_raw *raw)
{
	const uint8_t *h;
	uint64_t off, avail;

	if (raw->hash && (h = elf_vaddr_bytes(elf, raw->hash, 8)))
		return rd32(h + 4);
	if (raw->gnu_hash && elf_vaddr_to_offset(elf, raw->gnu_hash, &off, &avail) && avail >= 16) {
		uint32_t nbuckets, symoffset, bloom;
		uint64_t buckets_off, chain_off, max = 0;

		h = elf->data + off;
		nbuckets = rd32(h);
		symoffset = rd32(h + 4);
		bloom = rd32(h + 8);
		buckets_off = 16 + (uint64_t)bloom * 8;
		if (!range_ok(buckets_off, (uint64_t)nbuckets * 4, avail))
			return 0;
		for (uint32_t i = 0; i < nbuckets; i++) {
			uint32_t b = rd32(h + buckets_off + 4 * (uint64_t)i);

			if (b > max)
				max = b;
		}
		if (max < symoffset)
			return symoffset;
		chain_off = buckets_off + (uint64_t)nbuckets * 4;
		/* Walk the last chain to its end bit. */
		for (;;) {
			uint64_t at = chain_off + (max - symoffset) * 4;

			if (!range_ok(at, 4, avail))
				return max;
			if (rd32(h + at) & 1)
				return max + 1;
			max++;
		}
	}
	return 0;
}

/* .symtab: the static symbol table (not needed to load the object). */
static void parse_static_symbols(struct elf_file *elf)
{
	for (size_t i = 0; i < elf->sections_nr; i++)
		if (elf->sections[i].type == SHT_SYMTAB && !elf->symtab.syms)
			parse_symtab(elf, &elf->sections[i], &elf->symtab, false);
}

/* .dynsym, from its section or, with the section headers stripped, from the dynamic tags. */
static void parse_dynamic_symbols(struct elf_file *elf, const struct dyn_raw *raw)
{
	struct symsrc src;
	uint64_t off, avail, n;

	for (size_t i = 0; i < elf->sections_nr; i++)
		if (elf->sections[i].type == SHT_DYNSYM && !elf->dynsym.syms)
			parse_symtab(elf, &elf->sections[i], &elf->dynsym, true);
	if (elf->dynsym.syms || elf->sections_nr || !raw->symtab)
		return;
	/* Section headers stripped: the dynamic tags still locate everything. */
	if (!elf_vaddr_to_offset(elf, raw->symtab, &off, &avail))
		return;
	n = dynsym_count(elf, raw);
	if (n > avail / sizeof(Elf64_Sym))
		n = avail / sizeof(Elf64_Sym);
	if (!n)
		return;
	memset(&src, 0, sizeof(src));
	src.syms = elf->data + off;
	src.n = (size_t)n;
	src.strs = raw->str_p;
	src.strsz = raw->str_sz;
	if (raw->versym && elf_vaddr_to_offset(elf, raw->versym, &off, &avail)) {
		src.versym = elf->data + off;
		src.versym_nr = avail / 2;
	}
	if (raw->verdef && elf_vaddr_to_offset(elf, raw->verdef, &off, &avail))
		parse_verdef(elf->data + off, avail, raw->verdefnum, src.strs, src.strsz, &src.vers);
	if (raw->verneed && elf_vaddr_to_offset(elf, raw->verneed, &off, &avail))
		parse_verneed(elf->data + off, avail, raw->verneednum, src.strs, src.strsz,
			      &src.vers);
	decode_symbols(&src, &elf->dynsym);
	free(src.vers.by_index);
}

/* ---- relocations ------------------------------------------------------ */

struct reloc_vec {
	size_t alloc;
	bool capped;
};

static struct elf_reloc *reloc_push(struct elf_file *elf, struct reloc_vec *rv)
{
	if (elf->relocs_nr >= MAX_RELOCS) {
		if (!rv->capped)
			warn_add("ELF '%s': more than %u relocations; rest ignored",
				 priv_of(elf)->name, MAX_RELOCS);
		rv->capped = true;
		return NULL;
	}
	ALLOC_GROW(elf->relocs, elf->relocs_nr + 1, rv->alloc);
	memset(&elf->relocs[elf->relocs_nr], 0, sizeof(elf->relocs[0]));
	return &elf->relocs[elf->relocs_nr++];
}

static const struct elf_symtab *symtab_for_link(const struct elf_file *elf, uint32_t link)
{
	if (elf->dynsym.syms && elf->dynsym.section == link)
		return &elf->dynsym;
	if (elf->symtab.syms && elf->symtab.section == link)
		return &elf->symtab;
	return NULL;
}

static void add_relocs(struct elf_file *elf, struct reloc_vec *rv, const uint8_t *p,
		       uint64_t len, bool rela, bool plt, uint32_t section,
		       const struct elf_symtab *syms)
{
	size_t ent = rela ? sizeof(Elf64_Rela) : sizeof(Elf64_Rel);
	size_t n = (size_t)(len / ent);

	for (size_t i = 0; i < n; i++) {
		const uint8_t *e = p + i * ent;
		uint64_t info = rd64(e + 8);
		struct elf_reloc *r = reloc_push(elf, rv);

		if (!r)
			return;
		r->offset = rd64(e);
		r->type = (uint32_t)ELF64_R_TYPE(info);
		r->sym = (uint32_t)ELF64_R_SYM(info);
		r->has_addend = rela;
		r->plt = plt;
		r->section = section;
		if (rela) {
			r->addend = (int64_t)rd64(e + 16);
		} else {
			const uint8_t *place = elf_vaddr_bytes(elf, r->offset, 8);

			r->addend = place ? (int64_t)rd64(place) : 0;
		}
		if (r->sym && syms && r->sym < syms->nr)
			r->symbol = &syms->syms[r->sym];
	}
}

static void add_relr(struct elf_file *elf, struct reloc_vec *rv, const uint8_t *p,
		     uint64_t len, uint32_t section)
{
	uint32_t rel_type = elf->arch == ELF_ARCH_AARCH64 ? R_AARCH64_RELATIVE : R_X86_64_RELATIVE;
	uint64_t where = 0;
	size_t n = (size_t)(len / 8);

	for (size_t i = 0; i < n; i++) {
		uint64_t w = rd64(p + 8 * i);

		if ((w & 1) == 0) {
			where = w;
			struct elf_reloc *r = reloc_push(elf, rv);
			const uint8_t *place;

			if (!r)
				return;
			r->offset = where;
			r->type = rel_type;
			r->section = section;
			place = elf_vaddr_bytes(elf, where, 8);
			r->addend = place ? (int64_t)rd64(place) : 0;
			where += 8;
		} else {
			uint64_t base = where;

			for (unsigned bit = 1; bit < 64; bit++) {
				if (!((w >> bit) & 1))
					continue;
				uint64_t at = base + (uint64_t)(bit - 1) * 8;
				struct elf_reloc *r = reloc_push(elf, rv);
				const uint8_t *place;

				if (!r)
					return;
				r->offset = at;
				r->type = rel_type;
				r->section = section;
				place = elf_vaddr_bytes(elf, at, 8);
				r->addend = place ? (int64_t)rd64(place) : 0;
			}
			where = base + 63 * 8;
		}
	}
}

static void parse_relocs(struct elf_file *elf, const struct dyn_raw *raw)
{
	struct reloc_vec rv = { 0, false };
	bool any = false;

	for (size_t i = 0; i < elf->sections_nr; i++) {
		const struct elf_section *s = &elf->sections[i];
		bool plt;

		if (s->type != SHT_RELA && s->type != SHT_REL && s->type != SHT_RELR)
			continue;
		/* Static relocations of a .o are not the loader's business. */
		if (!(s->flags & SHF_ALLOC) && elf->type != ELF_TYPE_REL)
			continue;
		if (!s->in_file)
			continue;
		any = true;
		if (s->type == SHT_RELR) {
			add_relr(elf, &rv, elf->data + s->offset, s->size, s->index);
			continue;
		}
		plt = strcmp(s->name, ".rela.plt") == 0 || strcmp(s->name, ".rel.plt") == 0 ||
		      (raw->jmprel && raw->jmprel == s->addr);
		add_relocs(elf, &rv, elf->data + s->offset, s->size, s->type == SHT_RELA, plt,
			   s->index, symtab_for_link(elf, s->link));
	}
	if (any || elf->sections_nr)
		return;
	/* Section headers stripped: fall back to the dynamic tags. */
	{
		const struct elf_symtab *syms = elf->dynsym.syms ? &elf->dynsym : NULL;
		const uint8_t *p;
		uint64_t off, avail;

		if (raw->rela && elf_vaddr_to_offset(elf, raw->rela, &off, &avail)) {
			p = elf->data + off;
			add_relocs(elf, &rv, p, raw->relasz < avail ? raw->relasz : avail, true,
				   false, 0, syms);
		}
		if (raw->rel && elf_vaddr_to_offset(elf, raw->rel, &off, &avail)) {
			p = elf->data + off;
			add_relocs(elf, &rv, p, raw->relsz < avail ? raw->relsz : avail, false,
				   false, 0, syms);
		}
		if (raw->jmprel && elf_vaddr_to_offset(elf, raw->jmprel, &off, &avail)) {
			p = elf->data + off;
			add_relocs(elf, &rv, p, raw->pltrelsz < avail ? raw->pltrelsz : avail,
				   raw->pltrel != DT_REL, true, 0, syms);
		}
		if (raw->relr && elf_vaddr_to_offset(elf, raw->relr, &off, &avail)) {
			p = elf->data + off;
			add_relr(elf, &rv, p, raw->relrsz < avail ? raw->relrsz : avail, 0);
		}
	}
}

/* ---- Go --------------------------------------------------------------- */

static const char go_magic[] = "\xff Go buildinf:";
#define GO_MAGIC_LEN 14

static bool go_string_ok(const uint8_t *s, uint64_t len)
{
	if (len < 3 || len > 64 || memcmp(s, "go", 2) != 0)
		return false;
	for (uint64_t i = 0; i < len; i++)
		if (s[i] < 0x21 || s[i] > 0x7e)
			return false;
	return true;
}

/* Version from a buildinfo blob at 'p' with 'avail' bytes after it. */
static void go_parse_buildinfo(struct elf_file *elf, const uint8_t *p, uint64_t avail)
{
	uint8_t ptrsize, flags;

	if (avail < 32 || memcmp(p, go_magic, GO_MAGIC_LEN) != 0)
		return;
	elf->is_go = true;
	ptrsize = p[14];
	flags = p[15];
	if (flags & 2) {
		/* Go 1.18+: inline varint-prefixed strings after the header. */
		uint64_t len = 0, off = 32;
		unsigned shift = 0;

		while (off < avail && shift < 64) {
			uint8_t b = p[off++];

			len |= (uint64_t)(b & 0x7f) << shift;
			if (!(b & 0x80))
				break;
			shift += 7;
		}
		if (off <= avail && len <= avail - off && go_string_ok(p + off, len))
			elf->go_version = xstrndup((const char *)p + off, (size_t)len);
		return;
	}
	/* Older: a pointer to a Go string header {data, len}. */
	if (ptrsize == 8) {
		bool be = flags & 1;
		uint64_t hdr = rd64e(p + 16, be);
		const uint8_t *h = elf_vaddr_bytes(elf, hdr, 16), *s;
		uint64_t len;

		if (!h)
			return;
		len = rd64e(h + 8, be);
		if (len > 64)
			return;
		s = elf_vaddr_bytes(elf, rd64e(h, be), (size_t)len);
		if (s && go_string_ok(s, len))
			elf->go_version = xstrndup((const char *)s, (size_t)len);
	}
}

static void detect_go(struct elf_file *elf)
{
	const struct elf_section *bi = elf_section_by_name(elf, ".go.buildinfo");

	if (bi && bi->in_file) {
		go_parse_buildinfo(elf, elf->data + bi->offset, bi->size);
		elf->is_go = true;
	}
	if (elf_section_by_name(elf, ".gopclntab") || elf_section_by_name(elf, ".note.go.buildid"))
		elf->is_go = true;
	if (elf->go_version)
		return;
	/*
	 * With section headers, Go's linker always leaves .gopclntab or
	 * .note.go.buildid: an object without them is not Go (and its data
	 * pages need not be read).
	 */
	if (!elf->is_go && elf->sections_nr > 1)
		return;
	/*
	 * Stripped section headers or no .go.buildinfo: look for the blob in
	 * writable loaded data, where the Go linker puts it (16-aligned).
	 */
	for (size_t i = 0; i < elf->segments_nr; i++) {
		const struct elf_segment *s = &elf->segments[i];
		const uint8_t *p, *hit;
		uint64_t len;

		if (s->type != PT_LOAD || !s->in_file || (s->flags & PF_X))
			continue;
		if (!(s->flags & PF_W) && !elf->is_go)
			continue;
		p = elf->data + s->offset;
		len = s->filesz < GO_SCAN_CAP ? s->filesz : GO_SCAN_CAP;
		hit = memmem(p, (size_t)len, go_magic, GO_MAGIC_LEN);
		while (hit && ((uintptr_t)(hit - elf->data) % 16) != 0) {
			size_t rest = (size_t)(len - (uint64_t)(hit + 1 - p));

			hit = memmem(hit + 1, rest, go_magic, GO_MAGIC_LEN);
		}
		if (hit) {
			go_parse_buildinfo(elf, hit, len - (uint64_t)(hit - p));
			return;
		}
	}
}

/* ---- lookup indexes --------------------------------------------------- */

static int cmp_reloc(const void *a, const void *b)
{
	const struct elf_reloc *x = *(const struct elf_reloc *const *)a;
	const struct elf_reloc *y = *(const struct elf_reloc *const *)b;

	if (x->offset != y->offset)
		return x->offset < y->offset ? -1 : 1;
	return x < y ? -1 : x > y;
}

static int cmp_sym_name(const void *a, const void *b)
{
	const struct elf_symbol *x = *(const struct elf_symbol *const *)a;
	const struct elf_symbol *y = *(const struct elf_symbol *const *)b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return x < y ? -1 : x > y;
}

static int cmp_sym_addr(const void *a, const void *b)
{
	const struct elf_symbol *x = *(const struct elf_symbol *const *)a;
	const struct elf_symbol *y = *(const struct elf_symbol *const *)b;

	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	/* Larger first so a containing symbol wins over a zero-size alias. */
	if (x->size != y->size)
		return x->size > y->size ? -1 : 1;
	return x < y ? -1 : x > y;
}

static void build_indexes(struct elf_file *elf)
{
	struct elf_priv *pv = priv_of(elf);
	const struct elf_symtab *tabs[2] = { &elf->dynsym, &elf->symtab };
	size_t total = elf->dynsym.nr + elf->symtab.nr;

	if (elf->relocs_nr) {
		pv->reloc_sorted = xcalloc(elf->relocs_nr, sizeof(*pv->reloc_sorted));
		for (size_t i = 0; i < elf->relocs_nr; i++)
			pv->reloc_sorted[i] = &elf->relocs[i];
		qsort(pv->reloc_sorted, elf->relocs_nr, sizeof(*pv->reloc_sorted), cmp_reloc);
	}
	if (!total)
		return;
	pv->by_name = xcalloc(total, sizeof(*pv->by_name));
	pv->by_addr = xcalloc(total, sizeof(*pv->by_addr));
	for (size_t t = 0; t < 2; t++) {
		for (size_t i = 1; i < tabs[t]->nr; i++) {
			const struct elf_symbol *s = &tabs[t]->syms[i];

			if (!s->defined || !s->name[0])
				continue;
			pv->by_name[pv->by_name_nr++] = s;
			if ((s->type == STT_FUNC || s->type == STT_OBJECT ||
			     s->type == STT_GNU_IFUNC) && s->shndx != SHN_ABS)
				pv->by_addr[pv->by_addr_nr++] = s;
		}
	}
	qsort(pv->by_name, pv->by_name_nr, sizeof(*pv->by_name), cmp_sym_name);
	qsort(pv->by_addr, pv->by_addr_nr, sizeof(*pv->by_addr), cmp_sym_addr);
}

const struct elf_reloc *elf_reloc_at(const struct elf_file *elf, uint64_t offset)
{
	const struct elf_priv *pv = priv_of(elf);
	size_t lo = 0, hi = elf->relocs_nr;

	if (!pv || !pv->reloc_sorted)
		return NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (pv->reloc_sorted[mid]->offset < offset)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < elf->relocs_nr && pv->reloc_sorted[lo]->offset == offset)
		return pv->reloc_sorted[lo];
	return NULL;
}

bool elf_dynsym_has(const struct elf_file *elf, const char *name, bool defined)
{
	for (size_t i = 1; elf && i < elf->dynsym.nr; i++)
		if (elf->dynsym.syms[i].defined == defined && !strcmp(elf->dynsym.syms[i].name, name))
			return true;
	return false;
}

const struct elf_symbol *elf_symbol_lookup(const struct elf_file *elf, const char *name,
					   const char *version)
{
	const struct elf_priv *pv = priv_of(elf);
	const struct elf_symbol *fallback = NULL;
	size_t lo = 0, hi;

	if (!pv || !pv->by_name_nr || !name)
		return NULL;
	hi = pv->by_name_nr;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(pv->by_name[mid]->name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* Entries for one name are in (dynsym, symtab) order: dynsym wins. */
	for (size_t i = lo; i < pv->by_name_nr && strcmp(pv->by_name[i]->name, name) == 0; i++) {
		const struct elf_symbol *s = pv->by_name[i];

		if (version) {
			if (s->version && strcmp(s->version, version) == 0)
				return s;
			continue;
		}
		if (!s->version_hidden)
			return s;
		if (!fallback)
			fallback = s;
	}
	return fallback;
}

const struct elf_symbol *elf_symbol_at(const struct elf_file *elf, uint64_t vaddr)
{
	const struct elf_priv *pv = priv_of(elf);
	size_t lo = 0, hi;

	if (!pv || !pv->by_addr_nr)
		return NULL;
	hi = pv->by_addr_nr;
	/* First symbol with value > vaddr; candidates lie before it. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (pv->by_addr[mid]->value <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* Walk back a bounded distance: nested/overlapping symbols are rare. */
	for (size_t i = lo, steps = 0; i > 0 && steps < 64; i--, steps++) {
		const struct elf_symbol *s = pv->by_addr[i - 1];

		if (vaddr - s->value < s->size || (s->size == 0 && vaddr == s->value))
			return s;
	}
	return NULL;
}

int elf_read_pointer(const struct elf_file *elf, uint64_t vaddr, uint64_t *value)
{
	const struct elf_reloc *r = elf_reloc_at(elf, vaddr);
	const uint8_t *p;

	if (r) {
		switch (elf_reloc_kind(elf, r->type)) {
		case ELF_RELOC_RELATIVE:
		case ELF_RELOC_IRELATIVE:
			*value = (uint64_t)r->addend;
			return 0;
		case ELF_RELOC_ABS64:
			if (!r->sym) {
				*value = (uint64_t)r->addend;
				return 0;
			}
			if (r->symbol && r->symbol->defined) {
				*value = r->symbol->value + (uint64_t)r->addend;
				return 0;
			}
			return -ENXIO;
		case ELF_RELOC_JUMP_SLOT:
		case ELF_RELOC_GLOB_DAT:
			if (r->symbol && r->symbol->defined) {
				*value = r->symbol->value;
				return 0;
			}
			return -ENXIO;
		default:
			break;
		}
	}
	p = elf_vaddr_bytes(elf, vaddr, 8);
	if (!p)
		return -ENOENT;
	*value = rd64(p);
	return 0;
}

int elf_read_pointer_array(const struct elf_file *elf, uint64_t vaddr, uint64_t size,
			   uint64_t **out)
{
	uint64_t n = size / 8, *vals;
	size_t nr = 0;

	*out = NULL;
	if (!elf_vaddr_to_offset(elf, vaddr, NULL, NULL) && size)
		return -ENOENT;
	if (n > elf->size / 8 + 1)
		return -EINVAL;
	vals = xcalloc(n ? (size_t)n : 1, sizeof(*vals));
	for (uint64_t i = 0; i < n; i++) {
		uint64_t v;

		if (elf_read_pointer(elf, vaddr + 8 * i, &v) < 0)
			continue;
		if (v == 0 || v == UINT64_MAX)
			continue;
		vals[nr++] = v;
	}
	*out = vals;
	return (int)nr;
}

/* ---- open/free -------------------------------------------------------- */

static void classify(struct elf_file *elf)
{
	bool has_interp = elf->interp != NULL;

	switch (elf->e_type) {
	case ET_EXEC:
		elf->type = ELF_TYPE_EXEC;
		break;
	case ET_DYN:
		if (elf->dyn.flags_1 & DF_1_PIE)
			elf->type = ELF_TYPE_PIE;
		else if (has_interp && !elf->dyn.soname)
			elf->type = ELF_TYPE_PIE;
		else
			elf->type = ELF_TYPE_SHARED;
		break;
	case ET_REL:
		elf->type = ELF_TYPE_REL;
		break;
	case ET_CORE:
		elf->type = ELF_TYPE_CORE;
		break;
	default:
		elf->type = ELF_TYPE_OTHER;
		break;
	}
	elf->is_dynamic = has_interp || elf->dyn.needed_nr > 0;
	elf->is_static = (elf->type == ELF_TYPE_EXEC || elf->type == ELF_TYPE_PIE) && !has_interp;
}

/* What only the analysis of the code needs: .symtab, the relocations, the lookup indexes. */
static void load_tables(struct elf_file *elf, const struct dyn_raw *raw)
{
	parse_static_symbols(elf);
	parse_relocs(elf, raw);
	build_indexes(elf);
}

int elf_open_mem(const struct fs_map *map, const char *name, struct elf_file **out)
{
	return elf_open_mem_flags(map, name, 0, out);
}

int elf_open_mem_flags(const struct fs_map *map, const char *name, unsigned flags, struct elf_file **out)
{
	struct elf_file *elf;
	struct elf_priv *pv;
	const uint8_t *p = map ? map->data : NULL;
	size_t size = map ? map->size : 0;
	Elf64_Ehdr eh;
	struct dyn_raw raw;

	*out = NULL;
	if (!name)
		name = "(memory)";
	if (!elf_probe(p, size))
		return err_set(ENOEXEC, "cannot parse ELF '%s': not an ELF file", name);

	elf = xcalloc(1, sizeof(*elf));
	pv = xcalloc(1, sizeof(*pv));
	elf->priv = pv;
	pv->name = name;
	elf->data = p;
	elf->size = size;
	elf->elf_class = p[EI_CLASS] == ELFCLASS64 ? ELF_CLASS_64 : ELF_CLASS_32;
	elf->big_endian = p[EI_DATA] == ELFDATA2MSB;
	/* e_type and e_machine sit at the same offsets in both classes. */
	if (size < 20) {
		elf_free(elf);
		return err_set(ENOEXEC, "cannot parse ELF '%s': truncated header", name);
	}
	elf->e_type = rd16e(p + 16, elf->big_endian);
	elf->machine = rd16e(p + 18, elf->big_endian);
	switch (elf->machine) {
	case EM_X86_64:
		elf->arch = ELF_ARCH_X86_64;
		break;
	case EM_AARCH64:
		elf->arch = ELF_ARCH_AARCH64;
		break;
	case EM_386:
		elf->arch = ELF_ARCH_I386;
		break;
	case EM_ARM:
		elf->arch = ELF_ARCH_ARM;
		break;
	default:
		elf->arch = ELF_ARCH_OTHER;
		break;
	}
	elf->analysable = elf->elf_class == ELF_CLASS_64 && !elf->big_endian &&
			  (elf->arch == ELF_ARCH_X86_64 || elf->arch == ELF_ARCH_AARCH64);
	if (!elf->analysable) {
		classify(elf);
		*out = elf;
		return 0;
	}
	if (size < sizeof(eh)) {
		elf_free(elf);
		return err_set(ENOEXEC, "cannot parse ELF '%s': truncated header (%zu bytes)",
			       name, size);
	}
	memcpy(&eh, p, sizeof(eh));
	elf->entry = eh.e_entry;

	memset(&raw, 0, sizeof(raw));
	parse_segments(elf, &eh);
	parse_sections(elf, &eh);
	parse_interp(elf);
	parse_dynamic(elf, &raw);
	parse_notes(elf);
	parse_dynamic_symbols(elf, &raw);
	classify(elf);
	detect_go(elf);
	if (flags & ELF_OPEN_LAZY) {
		pv->lazy = xmalloc(sizeof(*pv->lazy));
		*pv->lazy = raw;
	} else {
		load_tables(elf, &raw);
	}
	*out = elf;
	return 0;
}

void elf_load_tables(const struct elf_file *elf)
{
	struct elf_priv *pv = elf ? priv_of(elf) : NULL;

	if (!pv || !pv->lazy)
		return;
	/* The object is the caller's (not shared between threads while it loads); only these tables change. */
	load_tables((struct elf_file *)(uintptr_t)elf, pv->lazy);
	free(pv->lazy);
	pv->lazy = NULL;
}

struct Elf *elf_libelf_handle(const struct elf_file *elf)
{
	struct elf_priv *pv = priv_of(elf);

	if (!elf->analysable || !pv)
		return NULL;
	if (!pv->libelf_tried) {
		pv->libelf_tried = true;
		if (elf_version(EV_CURRENT) != EV_NONE)
			/* elf_memory() only reads in ELF_C_READ_MMAP mode. */
			pv->libelf = elf_memory((char *)(uintptr_t)elf->data, elf->size);
	}
	return pv->libelf;
}

void elf_free(struct elf_file *elf)
{
	struct elf_priv *pv;

	if (!elf)
		return;
	pv = elf->priv;
	if (pv) {
		if (pv->libelf)
			elf_end(pv->libelf);
		free(pv->reloc_sorted);
		free(pv->by_name);
		free(pv->by_addr);
		free(pv->interp_copy);
		free(pv->lazy);
		free(pv);
	}
	free(elf->segments);
	free(elf->sections);
	free(elf->symtab.syms);
	free(elf->dynsym.syms);
	free(elf->relocs);
	free(elf->dyn.needed);
	free(elf->build_id_hex);
	free(elf->go_version);
	free(elf);
}
