#ifndef CONFINE_ELF_ELF_H
#define CONFINE_ELF_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/fs.h"

/*
 * One ELF object parsed from bytes in memory (libelf elf_memory()).  Every
 * table is decoded once at open time into plain arrays, so the analysis
 * layers never touch libelf or raw offsets: every size, offset, count and
 * string index has been bounds-checked against the buffer.  Malformed parts
 * are skipped with a warning (warn_add()); only a header that cannot be read
 * at all fails elf_open_mem().
 *
 * Fully analysed: ELF64 x86_64 and aarch64, little endian.  ELF32 and other
 * machines are recognised (class/machine/type filled in) but their tables
 * are left empty and 'analysable' is false.
 *
 * All pointers inside a struct elf_file (names, section bytes) point into the
 * caller's buffer or into storage owned by the elf_file: valid until
 * elf_free(), and the buffer must outlive the elf_file.
 */

struct elf_file;

/* Cheap check: does 'data' start like an ELF file?  (magic + sane ident) */
bool elf_probe(const void *data, size_t len);

enum elf_class {
	ELF_CLASS_NONE = 0,
	ELF_CLASS_32 = 1,
	ELF_CLASS_64 = 2,
};

enum elf_arch {
	ELF_ARCH_OTHER = 0,
	ELF_ARCH_X86_64,
	ELF_ARCH_AARCH64,
	ELF_ARCH_I386,
	ELF_ARCH_ARM,
};

/*
 * What the object is.  PIE: ET_DYN with DF_1_PIE, or ET_DYN with PT_INTERP
 * and no DT_SONAME (older linkers did not set DF_1_PIE; glibc's libc.so.6
 * has a PT_INTERP but is a shared object).  A static-pie is ELF_TYPE_PIE
 * with is_static set.
 */
enum elf_type {
	ELF_TYPE_OTHER = 0,
	ELF_TYPE_EXEC,   /* ET_EXEC */
	ELF_TYPE_PIE,    /* position-independent executable */
	ELF_TYPE_SHARED, /* shared object */
	ELF_TYPE_REL,    /* ET_REL (.o, kernel modules) */
	ELF_TYPE_CORE,
};

struct elf_segment {
	uint32_t type;  /* PT_* */
	uint32_t flags; /* PF_R | PF_W | PF_X */
	uint64_t offset, vaddr, filesz, memsz, align;
	bool in_file;   /* [offset, offset+filesz) lies inside the buffer */
};

struct elf_section {
	const char *name;  /* "" when unnamed or the name was out of range */
	uint32_t index;    /* section header index */
	uint32_t type;     /* SHT_* */
	uint64_t flags;    /* SHF_* */
	uint64_t addr, offset, size, entsize;
	uint32_t link, info;
	bool in_file;      /* bytes available: not NOBITS, inside the buffer */
};

struct elf_symbol {
	const char *name;       /* never NULL, "" when unnamed/out of range */
	uint64_t value, size;
	uint8_t type;           /* STT_* */
	uint8_t bind;           /* STB_* */
	uint8_t visibility;     /* STV_* */
	uint16_t shndx;         /* SHN_UNDEF, SHN_ABS, or a section index */
	bool defined;           /* shndx != SHN_UNDEF */
	/*
	 * GNU symbol version (dynsym only): for a defined symbol its verdef
	 * name ("GLIBC_2.2.5"), for an undefined one the verneed name and
	 * 'version_file' the library that must provide it ("libc.so.6").
	 * NULL when unversioned.  'version_hidden' is the 0x8000 bit: a
	 * non-default version (sym@VER rather than sym@@VER).
	 */
	const char *version;
	const char *version_file;
	bool version_hidden;
};

/* A symbol table; syms[i] is ELF symbol index i (index 0 is the null symbol). */
struct elf_symtab {
	struct elf_symbol *syms;
	size_t nr;
	uint32_t section;       /* section index it came from, 0 if none */
};

struct elf_reloc {
	uint64_t offset;        /* r_offset: a vaddr in executables/shared objects */
	uint32_t type;          /* R_X86_64_* / R_AARCH64_* */
	uint32_t sym;           /* symbol index into 'symtab' (0: none) */
	int64_t addend;         /* explicit (RELA) or read from the place (REL) */
	bool has_addend;        /* RELA */
	bool plt;               /* from the PLT relocation table (DT_JMPREL/.rela.plt) */
	uint32_t section;       /* relocation section index (0: from RELR/dynamic) */
	/* Resolved symbol, or NULL when sym is 0 or out of range. */
	const struct elf_symbol *symbol;
};

/* Architecture-neutral relocation kinds the analysis cares about. */
enum elf_reloc_kind {
	ELF_RELOC_OTHER = 0,
	ELF_RELOC_JUMP_SLOT,    /* PLT slot bound to symbol */
	ELF_RELOC_GLOB_DAT,     /* GOT slot bound to symbol */
	ELF_RELOC_RELATIVE,     /* base + addend (code or data pointer) */
	ELF_RELOC_ABS64,        /* symbol + addend (R_X86_64_64, R_AARCH64_ABS64) */
	ELF_RELOC_IRELATIVE,    /* ifunc resolver at base + addend */
	ELF_RELOC_COPY,
	ELF_RELOC_TLS,          /* DTPMOD/DTPOFF/TPOFF/TLSDESC */
	ELF_RELOC_NONE,
};
enum elf_reloc_kind elf_reloc_kind(const struct elf_file *elf, uint32_t type);

/* The dynamic section, decoded.  Addresses are vaddrs; 0/false when absent. */
struct elf_dynamic {
	bool present;           /* PT_DYNAMIC / .dynamic found and decoded */
	const char **needed;    /* DT_NEEDED names in order */
	size_t needed_nr;
	const char *soname;     /* DT_SONAME or NULL */
	const char *rpath;      /* DT_RPATH or NULL (colon-separated, unexpanded) */
	const char *runpath;    /* DT_RUNPATH or NULL */
	uint64_t init, fini;    /* DT_INIT, DT_FINI (0: absent) */
	uint64_t init_array, init_arraysz;
	uint64_t fini_array, fini_arraysz;
	uint64_t preinit_array, preinit_arraysz;
	uint64_t flags;         /* DT_FLAGS */
	uint64_t flags_1;       /* DT_FLAGS_1 */
	bool bind_now;          /* DF_BIND_NOW or DF_1_NOW */
};

struct elf_file {
	const uint8_t *data;    /* the caller's buffer */
	size_t size;

	enum elf_class elf_class;
	enum elf_arch arch;
	uint16_t machine;       /* raw e_machine */
	uint16_t e_type;        /* raw e_type */
	enum elf_type type;
	bool big_endian;
	uint64_t entry;         /* e_entry (0 when none) */
	/* ELF64 little-endian x86_64/aarch64: the tables below are filled in. */
	bool analysable;

	struct elf_segment *segments;
	size_t segments_nr;
	struct elf_section *sections;
	size_t sections_nr;     /* sections[i].index == i */

	struct elf_symtab symtab;   /* .symtab (empty when stripped) */
	struct elf_symtab dynsym;   /* .dynsym */

	/* Dynamic relocations (.rela.dyn, .rela.plt, .rel.*, RELR), file order. */
	struct elf_reloc *relocs;
	size_t relocs_nr;

	struct elf_dynamic dyn;
	const char *interp;         /* PT_INTERP contents, or NULL */

	const uint8_t *build_id;    /* NT_GNU_BUILD_ID descriptor, or NULL */
	size_t build_id_len;
	char *build_id_hex;         /* lowercase hex, or NULL */

	/*
	 * Static: an executable without PT_INTERP (static or static-pie).
	 * Dynamic: has PT_INTERP or DT_NEEDED entries.
	 */
	bool is_static;
	bool is_dynamic;

	bool is_go;                 /* Go toolchain binary */
	char *go_version;           /* "go1.19.8" when found cheaply, else NULL */

	void *priv;                 /* libelf handle and lookup indexes */
};

/*
 * Parse an ELF object held in 'map' (which must stay mapped until
 * elf_free()).  'name' is used in messages only.  On success *out is a new
 * elf_file the caller frees with elf_free().  Returns 0, -ENOEXEC for
 * non-ELF or an unreadable header (message set), -EINVAL for other fatal
 * damage.  Damage inside tables only drops those entries with a warning.
 */
int elf_open_mem(const struct fs_map *map, const char *name, struct elf_file **out);

/*
 * ELF_OPEN_LAZY: parse what loading the object needs (segments, sections,
 * the dynamic section, notes, .dynsym, PT_INTERP) and leave .symtab, the
 * relocations and the symbol and relocation lookups (elf_symbol_lookup,
 * elf_symbol_at, elf_reloc_at, elf_read_pointer) empty until
 * elf_load_tables(): a program whose analysis is cached never needs them.
 * Warnings about those tables come when they are loaded.
 */
#define ELF_OPEN_LAZY 1u
int elf_open_mem_flags(const struct fs_map *map, const char *name, unsigned flags, struct elf_file **out);

/*
 * Fill the tables ELF_OPEN_LAZY left out (nothing for an object opened
 * without it, or already loaded).  Changes the elf_file: not while another
 * thread reads the same one.
 */
void elf_load_tables(const struct elf_file *elf);
void elf_free(struct elf_file *elf);

/* Display names (static strings): "ELF64", "x86_64", "pie", "shared". */
const char *elf_class_name(enum elf_class c);
const char *elf_arch_name(const struct elf_file *elf);   /* falls back to "machine-N" style "other" */
const char *elf_type_name(enum elf_type t);             /* "exec" "pie" "shared" "rel" "core" "other" */

/* Section by name (first match) or by index; NULL when absent. */
const struct elf_section *elf_section_by_name(const struct elf_file *elf, const char *name);
const struct elf_section *elf_section_at(const struct elf_file *elf, size_t index);

/*
 * The bytes of a section, inside the caller's buffer.  Returns 0, or
 * -ENODATA for SHT_NOBITS / out-of-range sections (*data NULL, *len 0).
 */
int elf_section_data(const struct elf_file *elf, const struct elf_section *sec,
		     const uint8_t **data, size_t *len);

/*
 * Translate a virtual address to a file offset through the PT_LOAD
 * segments.  On success returns true and sets *offset and *avail (bytes of
 * file-backed data from there to the end of the segment).  False for
 * addresses outside every loaded file range (e.g. .bss).
 */
bool elf_vaddr_to_offset(const struct elf_file *elf, uint64_t vaddr, uint64_t *offset,
			 uint64_t *avail);

/* Pointer to 'len' file bytes at vaddr (one segment), or NULL. */
const uint8_t *elf_vaddr_bytes(const struct elf_file *elf, uint64_t vaddr, size_t len);

/* The PT_LOAD segment / section containing vaddr, or NULL. */
const struct elf_segment *elf_segment_of(const struct elf_file *elf, uint64_t vaddr);
const struct elf_section *elf_section_of(const struct elf_file *elf, uint64_t vaddr);

/* True when vaddr lies in an executable PT_LOAD segment. */
bool elf_vaddr_is_code(const struct elf_file *elf, uint64_t vaddr);

/*
 * The 64-bit pointer value stored at vaddr once the loader has run, as far
 * as the object alone tells: a RELATIVE/IRELATIVE relocation there gives
 * its addend (load base 0), ABS64 on a defined symbol gives value+addend,
 * otherwise the file bytes.  Returns 0, -ENOENT when there is nothing
 * readable there, -ENXIO when it binds to an undefined (imported) symbol.
 */
int elf_read_pointer(const struct elf_file *elf, uint64_t vaddr, uint64_t *value);

/*
 * The function addresses in an init/fini/preinit array (vaddr, size in
 * bytes) via elf_read_pointer(); entries that are 0 or -1 are dropped.
 * *out is a new array the caller frees.  Returns the count or -errno.
 */
int elf_read_pointer_array(const struct elf_file *elf, uint64_t vaddr, uint64_t size,
			   uint64_t **out);

/* Relocation at exactly this offset (vaddr), or NULL.  O(log n). */
const struct elf_reloc *elf_reloc_at(const struct elf_file *elf, uint64_t offset);

/*
 * Look up a defined symbol by name (dynsym first, then symtab).  With
 * 'version' non-NULL only that version matches; otherwise the default
 * version (not hidden) is preferred.  NULL when absent.
 */
const struct elf_symbol *elf_symbol_lookup(const struct elf_file *elf, const char *name,
					   const char *version);

/* Does the dynamic symbol table define (export) or, with !defined, import 'name'?  False for a NULL elf. */
bool elf_dynsym_has(const struct elf_file *elf, const char *name, bool defined);

/* The defined function/object symbol whose [value, value+size) holds vaddr. */
const struct elf_symbol *elf_symbol_at(const struct elf_file *elf, uint64_t vaddr);

/*
 * The underlying libelf handle (for libdw: dwarf_getcfi_elf() on
 * .eh_frame).  Owned by the elf_file; NULL when not analysable.  Created
 * on first use: do not call it on one elf_file from two threads at once
 * (everything else on a parsed elf_file is read-only and thread-safe).
 */
struct Elf;
struct Elf *elf_libelf_handle(const struct elf_file *elf);

#endif
