#ifndef CONFINE_ANALYSIS_OBJSUM_H
#define CONFINE_ANALYSIS_OBJSUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The per-object summary: everything the per-process link needs from one
 * ELF object, in flat arrays so it can be cached on disk as is.
 *
 * Functions cover every byte of the executable sections: a function runs
 * from its start (symbol, .eh_frame FDE, direct call target, Go pclntab
 * entry, relocated or lea-taken code address, entry/init/fini) to the next
 * start.  Edges go from a function to a local function or to an import;
 * call edges carry what the caller put in each argument location (a
 * constant or one of its own entry values), which is how wrappers
 * ("syscall number = argument k") are resolved at link time.
 */

struct elf_file;

#define OSUM_NONE UINT32_MAX
#define OSUM_IMPORT_BIT 0x80000000u /* edge target is imports[target & ~bit] */

enum osum_edge_kind {
	OSUM_EDGE_CALL = 0,   /* direct call or tail jump: args meaningful */
	OSUM_EDGE_TAKEN,      /* address taken (lea / GOT load / fall-through): no args */
	/*
	 * A call whose syscall number is known to be covered elsewhere (Go's
	 * runtime.runPerThreadSyscall repeats, on every other thread, the
	 * call doAllThreadsSyscall makes itself with the same number).
	 */
	OSUM_EDGE_COVERED,
	/*
	 * An indirect call (through a register or memory that is not a GOT
	 * slot): 'target' is the calling function itself, args what it passes.
	 * Not an edge for reachability; it tells which numbers an
	 * address-taken wrapper of the same object can be called with.
	 */
	OSUM_EDGE_INDIRECT,
	/*
	 * The address of function 'target' (a lea's or, in code that is not
	 * position-independent, an immediate) leaves at 'addr': an argument of
	 * a call, stored through a pointer, or returned (DIS_PASS).  Whatever
	 * object gets it may call it with anything.  Not an edge for
	 * reachability (the lea's own OSUM_EDGE_TAKEN is).
	 */
	OSUM_EDGE_PASSED,
};

struct osum_func {
	uint64_t start, end;
	uint32_t name;        /* offset in strs, or OSUM_NONE */
	uint32_t edges, edges_nr;   /* into edges[] */
	uint32_t sys, sys_nr;       /* into sys[] */
	uint32_t unres, unres_nr;   /* into unres[] */
	uint32_t wrap;        /* locations whose entry value is used as a syscall number here */
};

struct osum_edge {
	uint64_t addr;        /* the instruction */
	uint32_t target;      /* function index, or OSUM_IMPORT_BIT | import index */
	uint32_t args;        /* into args[] */
	uint8_t kind;
	uint8_t args_nr;
};

/* A known value in one location at a call: a constant, or the caller's entry value of 'loc2'. */
struct osum_arg {
	uint8_t loc;
	uint8_t is_entry;
	uint16_t value;       /* the constant (< 1024), or the caller's location */
};

struct osum_sys {
	uint64_t addr;
	uint32_t nr;
};

enum osum_reason {
	OSUM_R_NOT_CONST = 0,     /* syscall number not a constant */
	OSUM_R_INT80,             /* int 0x80 (i386 ABI) */
	OSUM_R_SYSENTER,
	OSUM_R_UNSUPPORTED,       /* object cannot be analysed (machine, class) */
	OSUM_R_OUT_OF_RANGE,      /* constant number outside the table */
	OSUM_R_NR
};

struct osum_unres {
	uint64_t addr;
	uint32_t reason;
};

/*
 * A call of dlsym()/dlvsym(): the function it returns is called through a
 * pointer, so the link makes every loaded object's export of that name
 * reachable from the calling function.
 */
struct osum_dlsym {
	uint64_t addr;        /* the call */
	uint32_t func;        /* the calling function (the array is sorted by it) */
	uint32_t name;        /* the symbol name (offset in strs), or OSUM_NONE when computed */
};

/*
 * Go: a call of a function that runs a program by the name it is given
 * (os/exec.Command, exec.LookPath, os.StartProcess, syscall.Exec...) with
 * that name a constant string.
 */
struct osum_exec {
	uint32_t func;        /* the calling function */
	uint32_t name;        /* the name (offset in strs) */
};

struct osum_import {
	uint32_t name;        /* offsets in strs */
	uint32_t version;     /* OSUM_NONE when unversioned */
};

struct osum_export {
	uint32_t name;
	uint32_t version;     /* OSUM_NONE when unversioned */
	uint32_t func;        /* function index (for an IFUNC: the resolver) */
	uint8_t hidden;       /* non-default version */
};

/* A function that runs without a known caller (objsum.roots). */
struct osum_root {
	uint64_t at;          /* the data address holding its address; 0 when none (DT_INIT) or not known */
	uint32_t func;
	uint32_t at_name;     /* the symbol, else the section, holding 'at' (strs), or OSUM_NONE */
};

struct objsum {
	uint16_t machine;
	bool analysable;
	bool is_go;
	bool is_exec;         /* executable (has an entry point that runs) */
	uint64_t code_bytes;  /* bytes decoded */

	struct osum_func *funcs;
	uint32_t funcs_nr;
	struct osum_edge *edges;
	uint32_t edges_nr;
	struct osum_arg *args;
	uint32_t args_nr;
	struct osum_sys *sys;
	uint32_t sys_nr;
	struct osum_unres *unres;
	uint32_t unres_nr;
	struct osum_import *imports;
	uint32_t imports_nr;
	struct osum_export *exports;
	uint32_t exports_nr;
	/*
	 * Functions that run without a known caller: first the code that runs
	 * when the object is loaded or unloaded (DT_INIT/DT_FINI, the init,
	 * fini and preinit arrays, musl's loader stages), roots_init_nr of
	 * them; then IFUNC resolvers and the functions whose address is in
	 * data (callable through a pointer).
	 */
	struct osum_root *roots;
	uint32_t roots_nr;
	uint32_t roots_init_nr;
	uint32_t *data_imports; /* imports whose address sits in data (always used) */
	uint32_t data_imports_nr;
	struct osum_dlsym *dlsyms;
	uint32_t dlsyms_nr;
	struct osum_exec *execs;  /* Go: the names its code runs programs by (go_exec_call) */
	uint32_t execs_nr;
	uint32_t entry;       /* function index of e_entry, or OSUM_NONE */
	uint32_t init;        /* function index of DT_INIT (crti's _init), or OSUM_NONE */
	char *strs;
	uint32_t strs_len;

	void *blob;           /* backing storage when loaded from the cache */
	/*
	 * What linking derives from the summary once for every program (keys
	 * of exports and imports, calls passing entry values on): built by the
	 * first link that needs it (link.c; not serialised), and how to free it.
	 */
	void *link_cache;
	void (*link_cache_free)(void *);
};

/*
 * Compute the summary of 'elf'.  Never fails on damaged input: what cannot
 * be analysed becomes an unresolved site.  The summary is the caller's
 * (objsum_free()).
 */
/* An ELF_OPEN_LAZY object gets its tables loaded (elf_load_tables) first. */
struct objsum *objsum_compute(const struct elf_file *elf);
void objsum_free(struct objsum *s);

static inline const char *objsum_str(const struct objsum *s, uint32_t off)
{
	return off < s->strs_len ? s->strs + off : NULL;
}

/* Index of the function containing addr, or OSUM_NONE. */
uint32_t objsum_func_at(const struct objsum *s, uint64_t addr);

/* Serialise (with a checksum) into a new buffer; the caller frees *data. */
int objsum_serialize(const struct objsum *s, void **data, size_t *len);
/*
 * Rebuild a summary from serialised bytes (takes ownership of 'data' on
 * success).  Returns NULL with errno EINVAL on a bad checksum, version or
 * layout: corrupt cache entries are recomputed by the caller.
 */
struct objsum *objsum_deserialize(void *data, size_t len);
/* A copy of 's' (through its serialised form; no export index yet), or NULL on error. */
struct objsum *objsum_copy(const struct objsum *s);

const char *objsum_reason_name(uint32_t reason);

/* Identifies this build of the summary logic (part of cache keys). */
const char *objsum_build_stamp(void);

#endif
