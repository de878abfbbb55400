#ifndef CONFINE_ELF_GOPCLNTAB_H
#define CONFINE_ELF_GOPCLNTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Go's function table (the "pclntab").  Every Go binary carries it, even a
 * stripped one, because the runtime needs it for stack unwinding and
 * tracebacks; it names every function and gives its entry address.  The
 * analysis uses it for function starts in Go code (which has no .eh_frame
 * and, once stripped, no symbols) and to recognise the Go syscall wrappers
 * by name.
 *
 * Formats (by header magic, little or big endian):
 *   0xfffffffb  Go 1.2-1.15   absolute entries, offsets from the table start
 *   0xfffffffa  Go 1.16-1.17  absolute entries, separate sub-tables
 *   0xfffffff0  Go 1.18-1.19  32-bit entries relative to textStart
 *   0xfffffff1  Go 1.20+      same layout as 1.18
 *
 * Every offset read from the table is bounds-checked; a damaged entry is
 * dropped (counted in 'dropped') rather than trusted.
 */

struct elf_file;

enum gopclntab_version {
	GOPCLNTAB_NONE = 0,
	GOPCLNTAB_GO12 = 12,
	GOPCLNTAB_GO116 = 116,
	GOPCLNTAB_GO118 = 118,
	GOPCLNTAB_GO120 = 120,
};

/* Where gopclntab_load() found the table (for messages and tests). */
enum gopclntab_source {
	GOPCLNTAB_FROM_NONE = 0,
	GOPCLNTAB_FROM_SECTION,    /* .gopclntab */
	GOPCLNTAB_FROM_SYMBOL,     /* runtime.pcheader / runtime.pclntab */
	GOPCLNTAB_FROM_MODULEDATA, /* runtime.firstmoduledata's first word */
	GOPCLNTAB_FROM_SCAN,       /* magic found in read-only data, validated */
};

struct gopclntab_func {
	uint64_t entry;    /* vaddr of the first instruction */
	uint64_t end;      /* one past the last byte: the next entry (or the table's end) */
	/*
	 * "" when unreadable.  Points into the parsed bytes (for
	 * gopclntab_load(), the elf_file's buffer): valid while they are.
	 */
	const char *name;
	/*
	 * ABI0: arguments on the stack (assembly, or the compiler's ABI0
	 * entry to a Go function).  The table names an ABI0 function and its
	 * ABIInternal twin alike ("syscall.Syscall" twice).  With a symbol
	 * table this comes from the ".abi0" symbol names (exact); without one,
	 * for 1.18+ tables, from the ASM flag (except assembly declared
	 * <ABIInternal>, such as runtime/internal/syscall.Syscall6) and, for a
	 * same-named pair of Go functions, the one marked as a compiler wrapper
	 * (nonzero funcID).  False when it cannot be told.
	 */
	bool abi0;
	uint8_t func_id;   /* _func.funcID (1.18+; numbering varies by release) */
	uint8_t flag;      /* _func.flag (1.18+): GOPCLNTAB_FLAG_* */
};

#define GOPCLNTAB_FLAG_TOPFRAME 0x1
#define GOPCLNTAB_FLAG_SPWRITE 0x2
#define GOPCLNTAB_FLAG_ASM 0x4

struct gopclntab {
	enum gopclntab_version version;
	enum gopclntab_source source;
	unsigned ptr_size;         /* 4 or 8 */
	unsigned quantum;          /* instruction size quantum (1 on x86) */
	bool big_endian;
	uint64_t table_addr;       /* vaddr of the header (0 when parsed from bytes) */
	uint64_t text_start;       /* base of 1.18+ entry offsets (0 for older formats) */
	/*
	 * True when Go's register ABI applies to Go functions: amd64 from Go
	 * 1.17, arm64 from 1.18.  Then a wrapper's argument k is in the k-th
	 * integer argument register (RAX, RBX, RCX, RDI, RSI, R8... on amd64);
	 * otherwise (and for ABI0 assembly, the ".abi0" functions) arguments
	 * are on the stack, argument k at 8*(k+1)(SP) on entry.
	 */
	bool register_abi;

	struct gopclntab_func *funcs;  /* sorted by entry, non-overlapping */
	size_t funcs_nr;
	size_t dropped;            /* entries skipped as malformed */
};

/*
 * Parse a table from 'size' bytes starting at its header.  'table_addr' is
 * the header's vaddr (0 if unknown); 'text_start' the base of the entry
 * offsets for 1.18+ tables, used when nonzero (the header's own field is
 * often 0 in position-independent binaries, where a relocation fills it).
 * On success fills *t (release with gopclntab_release(); the names point
 * into 'data', which must outlive it) and returns 0;
 * -EINVAL (message set) when the bytes are not a usable table.
 */
int gopclntab_parse(struct gopclntab *t, const uint8_t *data, size_t size, uint64_t table_addr,
		    uint64_t text_start);

/*
 * Find and parse the table of a Go binary: the .gopclntab section, else the
 * runtime.pcheader/runtime.pclntab symbol, else runtime.firstmoduledata's
 * pointer, else a validated scan of read-only data for the header magic
 * (stripped binaries).  Returns 0, -ENOENT when the object has no table
 * (not a Go binary), -EINVAL when one was found but is unusable.
 */
int gopclntab_load(struct gopclntab *t, const struct elf_file *elf);

void gopclntab_release(struct gopclntab *t);

/* The function containing vaddr, or NULL.  O(log n). */
const struct gopclntab_func *gopclntab_find(const struct gopclntab *t, uint64_t vaddr);

/* The first function named 'name' (exact), or NULL.  O(n). */
const struct gopclntab_func *gopclntab_lookup(const struct gopclntab *t, const char *name);

/*
 * Go syscall wrappers: functions whose syscall number is an argument
 * (syscall.Syscall*, syscall.RawSyscall*, runtime/internal/syscall.Syscall6,
 * golang.org/x/sys/unix.Syscall*, ...).
 */
struct gopclntab_wrapper {
	const char *name;       /* canonical name (static string) */
	unsigned number_arg;    /* 0-based argument holding the number (0 for all known) */
	bool abi0;              /* the name had ".abi0": stack arguments whatever the Go version */
};

/*
 * True, with *w filled, when the Go function 'name' is a syscall wrapper.
 * Accepts the ".abi0" suffix and vendored import paths
 * ("example.com/x/vendor/golang.org/x/sys/unix.Syscall").
 */
bool gopclntab_syscall_wrapper(const char *name, struct gopclntab_wrapper *w);

/*
 * Go methods the runtime can call without a direct call in the code: every
 * function whose offset from the text start is stored in the runtime type
 * data (the method tables of the types, [moduledata.types,
 * moduledata.etypes)), which is how interface method calls on dynamically
 * built itabs and reflection reach methods.  The Go linker already dropped
 * the methods nothing can reach (their offsets are -1), so these are roots
 * for a sound reachability.  Every aligned 32-bit value in that range that
 * lands exactly on a function entry counts, so a few extra functions may
 * be included (sound, slightly imprecise).
 *
 * *out is a new sorted array of entries (the caller frees it); returns the
 * count, -ENOENT when the module data cannot be found (then nothing is
 * known about methods: treat every function as a possible target), or
 * another negative errno.  Needs a table from gopclntab_load() (Go 1.16+).
 */
int gopclntab_method_refs(const struct gopclntab *t, const struct elf_file *elf, uint64_t **out);

/* "go1.2", "go1.16", "go1.18", "go1.20" or "none": the table format's first Go version. */
const char *gopclntab_version_name(enum gopclntab_version v);

#endif
