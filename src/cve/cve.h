#ifndef CONFINE_CVE_CVE_H
#define CONFINE_CVE_CVE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "cve/cvedb.h"
#include "syscalls/syscalls.h"
#include "util/strbuf.h"

/*
 * The CVE report: which kernel CVEs each image's profile shuts out, and
 * which of those Docker's default profile leaves open.
 *
 * Typical use (the batch command, after profiling):
 *
 *	struct cve_db db;
 *	cve_db_init(&db);
 *	cve_db_load_defaults(&db, true, true);    // data/cve + Docker default
 *	struct cve_image_input in[] = { { "nginx", blocked } , ... };
 *	struct cve_report *r;
 *	cve_report_build(&db, in, n, &r);
 *	cve_report_write_csv(r, "results.container.csv");
 *	json_t *j = cve_report_json(r);           // embed in the batch JSON
 *	cve_report_summary(r, &sb, 10);           // terminal / HTML text
 *	cve_report_free(r);
 *	cve_db_release(&db);
 */

struct cve_image_input {
	const char *name;      /* borrowed */
	struct sysset blocked; /* x86_64 numbers the image's profile blocks */
};

/* blocked = every x86_64 syscall of the table that 'allowed' lacks. */
void cve_blocked_from_allowed(const struct sysset *allowed, struct sysset *blocked);

/*
 * Confine's results/profile.report.details.csv: one row per image,
 *   id;image;N;N;N;N;N;{'blocked', 'syscall', ...}
 * Field 2 (0-based 1) is the image name and field 8 (0-based 7) the set of
 * system calls the image's profile blocks (field 3 is its size; Confine
 * writes IMAGE.seccomp.json with exactly those names as SCMP_ACT_ERRNO
 * rules).  Rows of the same image are merged (Confine counts a CVE for an
 * image when any of its rows blocks it).  Malformed rows fail with
 * "NAME:LINE: problem"; unknown syscall names are warned about and left
 * out (an unknown name cannot make a CVE count as blocked); a file with no
 * rows is an error.
 */
struct cve_image_list {
	struct cve_image_input *v; /* names owned by the list */
	size_t nr, alloc;
};

int cve_images_parse(struct cve_image_list *out, const char *buf, size_t len, const char *name);
int cve_images_load(struct cve_image_list *out, const char *path);
void cve_image_list_release(struct cve_image_list *l);

struct cve_report_row {
	const char *id;
	const char *const *syscalls; /* borrowed from the db entry */
	size_t nr_syscalls;
	const char *const *types;    /* NULL: no type known ("None") */
	size_t nr_types;
	bool types_known;
	const char *affected, *source; /* may be NULL */
	bool docker_default;  /* Docker's default blocks every entry point */
	size_t *images;       /* indexes into cve_report.images, sorted by name */
	size_t nr_images;
};

struct cve_report_image {
	char *name;
	size_t blocked;         /* syscalls its profile blocks */
	size_t *rows;           /* indexes into cve_report.rows it mitigates */
	size_t nr_rows, rows_alloc;
	size_t beyond_default;  /* of those, how many Docker's default leaves open */
};

struct cve_report {
	struct cve_report_row *rows;   /* CVEs mitigated in >= 1 image, sorted by id */
	size_t nr_rows;
	struct cve_report_image *images; /* sorted by name, unique */
	size_t nr_images;
	size_t nr_cves;                /* CVEs in the db with entry points */
	bool has_docker;
	size_t docker_blocked;         /* syscalls Docker's default blocks */
	size_t docker_mitigated;       /* db CVEs Docker's default mitigates */
	size_t beyond_default;         /* rows Docker's default leaves open */
	const char *docker_source;     /* borrowed from the db */
};

/*
 * Build the report.  The db must outlive the report (rows borrow from it).
 * Without a Docker default in the db, "mitigated-by-docker-default" is
 * False everywhere.  Returns 0 or a negative errno; *out is freed with
 * cve_report_free().
 */
int cve_report_build(const struct cve_db *db, const struct cve_image_input *images, size_t n,
		     struct cve_report **out);
void cve_report_free(struct cve_report *r);

/*
 * Confine's PREFIX.container.csv rows, one per mitigated CVE:
 *   cveid;syscalls;types;mitigated-by-docker-default;number-of-images;images
 *   CVE-2015-8539;add_key, keyctl;Denial Of Service, Gain privileges;True;1;nginx
 * Lists are ", "-joined and sorted; unknown types print "None".
 */
int cve_report_csv(const struct cve_report *r, struct strbuf *out);
/* The same, written atomically to 'path'. */
int cve_report_write_csv(const struct cve_report *r, const char *path);

/* The report as JSON (new reference; fixed key order, sorted lists). */
json_t *cve_report_json(const struct cve_report *r);

/*
 * A human summary: totals, then one line per image (at most 'max_images'
 * lines; 0 = all) with its counts.  Appends to 'out'.
 */
int cve_report_summary(const struct cve_report *r, struct strbuf *out, size_t max_images);

#endif
