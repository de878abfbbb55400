#ifndef CONFINE_ANALYSIS_CONFINE_COMPAT_H
#define CONFINE_ANALYSIS_CONFINE_COMPAT_H

#include <stdbool.h>
#include <stddef.h>

#include "syscalls/syscalls.h"

/*
 * Confine's (RAID'20) inputs and its method, reproduced so reports can show
 * what Confine would have allowed beside confine's own result.
 *
 * Call-graph files (-l glibc, -m musl): one edge a line, "caller : callee"
 * (glibc) or "caller->callee" (musl, callee may carry an '@' prefix);
 * leaves "syscall( N )", "syscall ( N )", "syscall(N)" name system call
 * numbers.  Lines starting with '#' and lines that do not split into exactly
 * two parts are skipped, as Confine does.
 *
 * Confine's method: the union of the syscall leaves reachable from every
 * function the image's ELF files import, the direct syscalls found in the
 * binaries, and the Go list go.syscalls/IMAGE.syscalls; then it blocks each
 * syscall number 1..399 outside that union, except for a fixed list it
 * always allows.  Numbers >= 400 (and 0, read) are never blocked.
 */
struct confine_graph;

/*
 * Load a call graph.  'sep' is ":" or "->", or NULL to split each line on
 * "->" when it has one, else on ":".  On success *out is a new graph the
 * caller frees with confine_graph_free().  Returns 0 or a negative errno
 * (message names the file; -EFBIG past the size cap).
 */
int confine_graph_load(const char *path, const char *sep, struct confine_graph **out);
int confine_graph_parse(const char *buf, size_t len, const char *sep, const char *what,
			struct confine_graph **out);
void confine_graph_free(struct confine_graph *g);
size_t confine_graph_edges(const struct confine_graph *g);
size_t confine_graph_nodes(const struct confine_graph *g);

/*
 * Add to 'out' the syscall numbers (< 400) of the leaves reachable from
 * any of 'starts' (a function absent from the graph, or with no outgoing
 * edge, contributes nothing, as in Confine).  Returns the number of starts
 * found in the graph.
 */
size_t confine_graph_syscalls(const struct confine_graph *g, const char *const *starts,
			      size_t nstarts, struct sysset *out);

/*
 * Read Confine's Go list FOLDER/NAME.syscalls (one number a line).
 * Returns 0 (numbers added to 'out'), -ENOENT when there is no such file
 * (no message: most images have none), or -EINVAL naming file and line.
 */
int confine_go_syscalls(const char *folder, const char *name, struct sysset *out);

/* The syscalls Confine never blocks (its fixed exception list). */
void confine_except_set(enum sys_arch arch, struct sysset *out);

/*
 * What Confine's method allows on x86_64, given the union 'needed' of
 * graph leaves, direct syscalls and the Go list: every table syscall except
 * the numbers 1..399 that are neither needed nor excepted.
 */
void confine_method_allowed(enum sys_arch arch, const struct sysset *needed,
			    struct sysset *allowed);

/*
 * Confine's "direct syscall extraction" for one object: the numbers (< 400)
 * a linear sweep of its executable sections finds loaded into eax at
 * syscall instructions.  Confine skips libc and its companions (ld.so,
 * libc, libdl, libcrypt, libnss_*, libnsl, libpthread, libm, libresolv,
 * librt, libutil) and gosu, judged by file name, and so does this.
 * Returns the number of syscall sites seen.
 */
struct elf_file;
size_t confine_direct_syscalls(const struct elf_file *elf, const char *path, struct sysset *out);

/*
 * The undefined dynamic symbols (imports) of an ELF file's bytes, added to
 * 'names' (a NULL-terminated, growable array of owned strings; *nr and
 * *alloc track it).  Non-ELF data adds nothing.  Returns the count added.
 */
size_t confine_elf_imports(const void *data, size_t len, const char *what, char ***names,
			   size_t *nr, size_t *alloc);

#endif
