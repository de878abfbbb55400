#ifndef CONFINE_ANALYSIS_PYCODE_H
#define CONFINE_ANALYSIS_PYCODE_H

#include <stdbool.h>
#include <stddef.h>

#include "analysis/codecmds.h"
#include "util/strmap.h"

/*
 * What the image's Python code asks of C and of the system, where the
 * binary analysis of the interpreter cannot see it: the C functions it
 * calls through ctypes or cffi, and the programs it runs.
 *
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

/*
 * The programs Python code runs (subprocess, os.system, os.exec*,
 * os.spawn*, os.posix_spawn, asyncio's create_subprocess_*, pty.spawn):
 * the interpreter executes them by names the code gives.  In a .py file
 * whose code names one of those functions:
 *   - every string literal that is an absolute path (an executable of the
 *     image at that path runs: os.execv("/usr/bin/git", ...));
 *   - the first argument of such a call when it is a string: shell text
 *     for os.system, os.popen, getoutput, create_subprocess_shell and
 *     subprocess's run, call, check_call, check_output and Popen (with
 *     shell=True it is; without, its first word is the program), a program
 *     name for the exec and spawn functions;
 *   - the first element of a list or tuple that is such a call's first
 *     argument (subprocess.run(["git", "log"])), or of any list or tuple
 *     whose second element is an option ("-..."): cmd = ["ffmpeg", "-i", x].
 * Names are looked up on PATH by the caller; one not in the image adds
 * nothing.  Not seen: a name the code computes.
 */
/* Largest file read; most names kept (the rest are dropped, with a note). */
#define PYCODE_MAX_FILE (32u << 20)
#define PYCODE_NAMES_MAX 65536
#define PYCODE_LIBS_MAX 256
#define PYCODE_NAME_LEN 128

struct pycode {
	struct strmap names;  /* function names (keys; no values) */
	struct strmap libs;   /* "libc.so.6", "libmagic.so*", "/opt/x/libfoo.so" */
	size_t files;         /* files that use ctypes or cffi */
	size_t bytes;         /* their bytes */
	bool names_cut;       /* more names than PYCODE_NAMES_MAX */
	char *first;          /* the first such file (owned; NULL: none) */
	struct code_cmds cmds; /* what the code runs */
};

void pycode_init(struct pycode *pf);
void pycode_release(struct pycode *pf);

/*
 * Is 'path' a Python source file this reads (.py)?  Those of the ctypes and
 * cffi packages give programs, not names (pycode_scan_file).
 */
bool pycode_path_wanted(const char *path);

/* Does 'text' start with a '#!' line running Python (/usr/bin/python3, env python3.11)? */
bool pycode_script(const char *text, size_t len);

/* May 'text' use ctypes or cffi or run programs (a cheap test before pycode_scan_file)? */
bool pycode_text_may_use(const char *text, size_t len);

/* Read 'text' (len bytes), the content of 'path', into pf: its ctypes and cffi names, its programs. */
void pycode_scan_file(struct pycode *pf, const char *path, const char *text, size_t len);

/* The names, sorted (an array of pf's keys, owned by the caller; the strings are pf's). */
const char **pycode_names(const struct pycode *pf, size_t *nr);
/* The libraries, sorted (as pycode_names). */
const char **pycode_libs(const struct pycode *pf, size_t *nr);

#endif
