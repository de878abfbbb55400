#ifndef CONFINE_ANALYSIS_PYFFI_H
#define CONFINE_ANALYSIS_PYFFI_H

#include <stdbool.h>
#include <stddef.h>

#include "util/strmap.h"

/*
 * The C functions Python code calls through ctypes or cffi.  _ctypes (and
 * cffi's backend) find a function with dlsym() by the name the Python code
 * uses: `libc.syncfs(fd)` looks up "syncfs", `getattr(lib, "personality")`
 * and `lib["readahead"]` look up their strings, a cffi `ffi.cdef("int
 * unshare(int);")` declares "unshare".  To the binary analysis that is a
 * dlsym() with a computed name, so such a function, and its system calls,
 * were not in the Python program's set.  The names are in the image's
 * Python code: every file that uses ctypes or cffi is read, and its
 * names become functions the process may look up (link.h: any loaded
 * object's function of that name is a root).
 *
 * What is read, in a .py file whose code (not its strings or comments)
 * names ctypes or cffi, outside those packages' own folders:
 *   - every attribute name (the word after a '.');
 *   - every string literal that is a C identifier ("syncfs");
 *   - with cffi, in every string literal, each identifier followed by
 *     '(' (the functions a cdef() declares);
 *   - the libraries loaded: the first argument of CDLL(), PyDLL(),
 *     LoadLibrary(), find_library() and dlopen() when it is a string
 *     literal.  A bare name ("magic", "c") is find_library's: any
 *     "libNAME.so*"; a name with ".so" is a file name; a path, a path.
 * A name that only looks like a function (an attribute of something
 * else) makes a function a root only if a loaded object exports it:
 * that widens the set, never narrows it.  Not read: a name the code
 * computes at run time (getattr(lib, name) with a variable), code not in
 * the image.  analyze says so (dlsym_computed stays set).
 */

/* Largest file read; most names kept (the rest are dropped, with a note). */
#define PYFFI_MAX_FILE (32u << 20)
#define PYFFI_NAMES_MAX 65536
#define PYFFI_LIBS_MAX 256
#define PYFFI_NAME_LEN 128

struct pyffi {
	struct strmap names;  /* function names (keys; no values) */
	struct strmap libs;   /* "libc.so.6", "libmagic.so*", "/opt/x/libfoo.so" */
	size_t files;         /* files that use ctypes or cffi */
	size_t bytes;         /* their bytes */
	bool names_cut;       /* more names than PYFFI_NAMES_MAX */
	char *first;          /* the first such file (owned; NULL: none) */
};

void pyffi_init(struct pyffi *pf);
void pyffi_release(struct pyffi *pf);

/* Is 'path' a Python source file this reads (.py, not in the ctypes or cffi package)? */
bool pyffi_path_wanted(const char *path);

/* May 'text' use ctypes or cffi (a cheap test before pyffi_scan_file)? */
bool pyffi_text_may_use(const char *text, size_t len);

/* Read 'text' (len bytes), the content of 'path', into pf when its code uses ctypes or cffi. */
void pyffi_scan_file(struct pyffi *pf, const char *path, const char *text, size_t len);

/* The names, sorted (an array of pf's keys, owned by the caller; the strings are pf's). */
const char **pyffi_names(const struct pyffi *pf, size_t *nr);
/* The libraries, sorted (as pyffi_names). */
const char **pyffi_libs(const struct pyffi *pf, size_t *nr);

#endif
