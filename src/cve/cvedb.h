#ifndef CONFINE_CVE_CVEDB_H
#define CONFINE_CVE_CVEDB_H

#include <stdbool.h>
#include <stddef.h>

#include "syscalls/syscalls.h"
#include "util/strmap.h"

/*
 * Kernel CVEs and the system calls through which their vulnerable code is
 * entered.  A CVE counts as mitigated under a profile when EVERY one of its
 * entry points is blocked: the entry points are alternatives, each of which
 * reaches the bug on its own.
 *
 * Sources, all optional and combinable (later sources never replace an
 * entry point mapping that an earlier one gave, as in Confine):
 *   - Confine's automatic map (-c, cveToStartNodes.csv):
 *         CVE;['__x64_sys_a', 'do_foo', ...];1
 *     only "__x64_sys_" nodes are entry points; a last field 0 drops the line.
 *   - Confine's manual map (--manualcvefile):
 *         CVE;__x64_sys_a, __x64_sys_b
 *   - confine's own table (data/cve/kernel-cves.csv):
 *         CVE;a, b;Type, Type;affected kernels;source URL
 *   - types (-v, --manualtypefile): CVE;{'Type', ...}  or  CVE;set()
 *
 * Syscall names are x86_64 names (the "__x64_sys_" prefix stripped, and the
 * kernel's "new" aliases newstat/newlstat/newfstat/newuname mapped to the
 * user-visible names).  A name unknown on x86_64 is reported with warn_add()
 * and makes the CVE impossible to count as blocked, which keeps the claim
 * "mitigated" sound.
 */

struct cve_entry {
	char *id;
	char **syscalls;      /* sorted, unique names */
	size_t nr_syscalls;
	struct sysset entry;  /* the known names as x86_64 numbers */
	bool has_unknown;     /* some entry point has no x86_64 number */
	char *affected;       /* kernel versions, or NULL */
	char *source;         /* reference, or NULL */
	const char *origin;   /* "cvefile", "manual" or "builtin" */
};

struct cve_types {
	char **names; /* sorted, unique; may be empty (Python's set()) */
	size_t nr;
};

struct cve_db {
	struct cve_entry *entries;
	size_t nr, alloc;
	struct strmap index;  /* id -> (entry position + 1) */
	struct strmap types;  /* id -> struct cve_types * */
	struct sysset docker_blocked; /* what Docker's default profile blocks */
	bool has_docker;
	char *docker_source;  /* file the Docker default came from */
	size_t lines_dropped; /* -c lines flagged 0 */
	size_t lines_no_entry; /* CVEs without any __x64_sys_ node */
};

void cve_db_init(struct cve_db *db);
void cve_db_release(struct cve_db *db);

/*
 * Parsers over a buffer (not necessarily NUL-terminated); 'name' is used in
 * messages ("NAME:LINE: problem").  Return 0 or a negative errno with the
 * message set; on error the db keeps what earlier lines added.
 */
int cve_db_parse_startnodes(struct cve_db *db, const char *buf, size_t len, const char *name);
int cve_db_parse_manual(struct cve_db *db, const char *buf, size_t len, const char *name);
int cve_db_parse_types(struct cve_db *db, const char *buf, size_t len, const char *name);
int cve_db_parse_builtin(struct cve_db *db, const char *buf, size_t len, const char *name);

/* The same, reading a file ("cannot read CVE file 'x': ..." when missing). */
int cve_db_load_startnodes(struct cve_db *db, const char *path);
int cve_db_load_manual(struct cve_db *db, const char *path);
int cve_db_load_types(struct cve_db *db, const char *path);
int cve_db_load_builtin(struct cve_db *db, const char *path);

/* Docker's default profile (moby JSON format) as the "default" baseline. */
int cve_db_load_docker_default(struct cve_db *db, const char *path);

/*
 * The path of a file shipped under data/ (e.g. "cve/kernel-cves.csv"):
 * $CONFINE_DATA_DIR, else the source tree's data/, else the installed
 * share/confine.  Returns a new string the caller frees, or NULL with
 * errno ENOENT and the message set.
 */
char *cve_data_path(const char *rel);

/* Built-in table and Docker default from the data folder. */
int cve_db_load_defaults(struct cve_db *db, bool table, bool docker);

/* Entry for an id, or NULL.  The pointer is valid until the db changes. */
const struct cve_entry *cve_db_find(const struct cve_db *db, const char *id);
/* Types for an id, or NULL when no type source names it. */
const struct cve_types *cve_db_types(const struct cve_db *db, const char *id);

/*
 * Order of CVE ids: by year, then number, numerically (CVE-2017-5123 before
 * CVE-2017-14140); ids not of the form CVE-Y-N after those, by strcmp.
 */
int cve_id_cmp(const char *a, const char *b);

/*
 * Map a syscall name as found in a CVE source ("__x64_sys_newstat",
 * "keyctl") to its x86_64 name; returns NULL when 'node' is not an x86_64
 * syscall entry node (no "__x64_sys_" prefix and 'need_prefix').
 * The result points into 'node' or to a static string.
 */
const char *cve_syscall_name(const char *node, bool need_prefix);

#endif
