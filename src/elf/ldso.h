#ifndef CONFINE_ELF_LDSO_H
#define CONFINE_ELF_LDSO_H

#include <stdbool.h>
#include <stddef.h>

#include "elf/elf.h"

/*
 * Library resolution inside an image, the way the image's OWN dynamic
 * loader would do it (glibc ld.so or musl's ldso, chosen by PT_INTERP):
 *
 * glibc: DT_NEEDED breadth-first; for a name without '/': the RPATHs of
 *   the requesting object and its loader chain (only when the requesting
 *   object has no RUNPATH), LD_LIBRARY_PATH from the image env, the
 *   requesting object's RUNPATH, /etc/ld.so.cache (new "glibc-ld.so.cache1.1"
 *   and old "ld.so-1.7.0" formats; when the image has no cache, the folders
 *   of /etc/ld.so.conf and its includes stand in for it), then the default
 *   folders (multiarch, lib64, lib).  $ORIGIN, $LIB, $PLATFORM expanded.
 *   Candidates of the wrong class or machine are skipped, as ld.so does.
 *   /etc/ld.so.preload and LD_PRELOAD are loaded before DT_NEEDED.
 * musl: LD_LIBRARY_PATH, then the RUNPATH (else RPATH) of the requesting
 *   object and its loader chain ($ORIGIN only), then /etc/ld-musl-ARCH.path
 *   or /lib:/usr/local/lib:/usr/lib; libc/libpthread/libm/libdl/librt/
 *   libutil/libxnet/libcrypt names are the interpreter itself.
 *
 * Every lookup goes through rootfs_resolve(), so symlinks are followed
 * inside the image and never escape it.  A library that cannot be found is
 * listed as unresolved, never fatal.
 *
 * Not modelled: glibc-hwcaps/ and legacy hwcap subfolders (which variant
 * loads depends on the CPU; the baseline library is reported), and glibc's
 * hard failure on a non-ELF file in a search folder (we keep searching).
 * A struct ldso is not thread-safe.
 */

struct rootfs;
struct ldso;

enum ldso_flavor {
	LDSO_NONE = 0,  /* static: nothing is loaded */
	LDSO_GLIBC,     /* any non-musl interpreter is treated like glibc's */
	LDSO_MUSL,
};

/* How an object was found (stable names via ldso_how_name()). */
enum ldso_how {
	LDSO_HOW_MAIN = 0,      /* the program itself */
	LDSO_HOW_INTERP,        /* PT_INTERP */
	LDSO_HOW_PRELOAD,       /* /etc/ld.so.preload or LD_PRELOAD */
	LDSO_HOW_PATH,          /* the name contained a '/' */
	LDSO_HOW_RPATH,
	LDSO_HOW_LD_LIBRARY_PATH,
	LDSO_HOW_RUNPATH,
	LDSO_HOW_CACHE,         /* /etc/ld.so.cache */
	LDSO_HOW_CONF,          /* /etc/ld.so.conf folders (no cache in the image) */
	LDSO_HOW_DEFAULT,       /* default/multiarch folders */
	LDSO_HOW_MUSL_PATH,     /* /etc/ld-musl-ARCH.path or musl's default */
	LDSO_HOW_BUILTIN,       /* musl: a libc name served by the interpreter */
	LDSO_HOW_UNRESOLVED,
};

const char *ldso_how_name(enum ldso_how how);

/*
 * Expand $ORIGIN, $LIB and $PLATFORM (also as ${...}) in a DT_NEEDED name
 * or one search path entry, as the loader of 'main' does (musl's expands
 * only $ORIGIN); 'origin' is the requesting object's folder.  Returns a
 * new string (the caller's), or NULL when the entry uses an unknown or
 * disallowed token (the loader drops such entries).
 */
char *ldso_expand_dst(const char *in, const char *origin, const struct elf_file *main, bool musl);
const char *ldso_flavor_name(enum ldso_flavor f);

struct ldso_lib {
	char *name;             /* as requested: the DT_NEEDED string, or a path */
	char *path;             /* the path the loader opened ("/lib/x/libc.so.6"), NULL if unresolved */
	char *real;             /* canonical path inside the image (symlinks resolved), NULL if unresolved */
	enum ldso_how how;
	size_t needed_by;       /* index in libs[] of the object that first needed it (0 for the program) */
	/* The parsed object, owned by the struct ldso (NULL when unresolved). */
	const struct elf_file *elf;
};

struct ldso_result {
	enum ldso_flavor flavor;
	/*
	 * libs[0] is the program; then preloads and the DT_NEEDED closure in
	 * load (breadth-first) order; the interpreter sits where it is first
	 * needed, or last when no object names it.  Unresolved libraries are
	 * entries with path == NULL (how == LDSO_HOW_UNRESOLVED).
	 */
	struct ldso_lib *libs;
	size_t libs_nr;
	size_t unresolved_nr;
	size_t interp;          /* index of the interpreter in libs[], 0 when none/missing */
	bool interp_missing;    /* PT_INTERP names a file absent from the image */
	/* The program's ELF class and e_machine, set even when it cannot be resolved. */
	unsigned main_class;
	uint16_t main_machine;
};

/*
 * A resolver for one rootfs.  'env' ("KEY=VALUE", may be NULL) is the
 * image's environment (LD_LIBRARY_PATH, LD_PRELOAD); 'workdir' (may be
 * NULL: "/") anchors relative paths.  Reads /etc/ld.so.cache etc. lazily.
 * The rootfs must outlive the ldso.  Free with ldso_free().
 */
struct ldso *ldso_new(const struct rootfs *fs, char *const *env, size_t env_nr,
		      const char *workdir);
void ldso_free(struct ldso *ld);

/*
 * Resolve the library set of the program at 'path' (inside the image).
 * 'path' may also be a shared object (a dlopen()ed module): without a
 * PT_INTERP the image decides the rules (musl when it has musl's loader
 * and no glibc one, else glibc).
 * Fills *res (release with ldso_result_release()).  Returns 0, or a
 * negative errno when the program itself cannot be opened or is not an
 * analysable ELF (message set); missing libraries are not errors.
 */
int ldso_resolve(struct ldso *ld, const char *path, struct ldso_result *res);
void ldso_result_release(struct ldso_result *res);

/*
 * Open (once; cached by canonical path) the ELF file at 'path' in the
 * image.  On success *elf is owned by the ldso and *real (when non-NULL)
 * points at the canonical path, also owned by the ldso.  Returns 0, or
 * -ENOENT / -ENOEXEC / ... with a message set.
 */
int ldso_open(struct ldso *ld, const char *path, const struct elf_file **elf, const char **real);

/*
 * Done with the bytes of the object opened at canonical path 'real': give
 * its resident pages back (they fault in again if read).  Safe while other
 * threads read the ldso, not while they open objects.
 */
void ldso_drop_pages(struct ldso *ld, const char *real);

/* The folders ld.so.cache lookups stand for, for diagnostics: "cache", "conf", "none". */
const char *ldso_cache_kind(struct ldso *ld);

#endif
