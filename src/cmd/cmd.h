#ifndef CONFINE_CMD_CMD_H
#define CONFINE_CMD_CMD_H

#include <stdbool.h>
#include <stdio.h>

#include "util/progress.h"

/*
 * Everything that prints lives in cmd/.  Each subcommand is one file
 * cmd/NAME.c defining 'int cmd_NAME(int argc, char **argv)' (argv[0] is the
 * subcommand name) and returning the process exit status: 0 success,
 * 1 the operation failed (bad input, validation failed), 2 usage error.
 */
struct cmd_opts {
	bool json;   /* -j/--json: machine-readable output on stdout */
	bool quiet;  /* -q/--quiet: no progress, no informational messages */
	bool tty;    /* stderr is a terminal: live progress allowed */
	int verbose; /* -v (repeatable) */
};

extern struct cmd_opts cmd_opts;

int cmd_inventory(int argc, char **argv);
int cmd_analyze(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_profile(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_record(int argc, char **argv);

struct dockerapi;
struct probe;
/*
 * For a command that runs containers: connect to the engine, install the
 * signal handlers that remove its containers, sweep those a killed confine
 * left, and, without a probe of the user's (have_probe), take the image's
 * HEALTHCHECK into *probe.  Returns 0 (release api when done), or -1 with
 * the error set and nothing to release.
 */
int cmd_engine_open(struct dockerapi *api, const char *image, bool have_probe, struct probe *probe);

/* A JSON array of the strings v[0..nr) (new reference). */
struct json_t *cmd_strings_json(char *const *v, size_t nr);

struct container_spec;
/*
 * The container as the command line runs it: docker run 'options' (may
 * be NULL) and, from argv[cmd_start] on (cmd_start > 0), the command after
 * "--".  Returns 0, or -1 with the error set (a usage error).
 */
int cmd_spec_args(struct container_spec *spec, const char *options, int argc, char **argv, int cmd_start);
int cmd_batch(int argc, char **argv);
int cmd_cve(int argc, char **argv);
int cmd_diff(int argc, char **argv);

/*
 * Print an error: "confine: MSG" on stderr, or, under --json, a JSON object
 * {"error": MSG} on stdout.  p_err_last() prints err_msg() with a prefix.
 */
void p_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void p_err_last(void);
/* Informational line on stderr, suppressed by --quiet and --json. */
void p_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print (stderr, or nothing under --json: JSON callers emit them) collected warnings. */
void p_warnings(void);
/* The collected warnings as a new JSON array of strings, for a "warnings" key (drains them). */
struct json_t *p_warnings_json(void);
/*
 * Print {"KEY": [items], then rest's members} as json_dumpf(JSON_INDENT(2)
 * | JSON_PRESERVE_ORDER) would print that object, making and freeing the
 * items a batch at a time (item(i, ctx) returns a new reference): a large
 * array is never held whole.  'threads' (at most 8) make and print the
 * items of a batch at once: item() must be safe to call concurrently.
 */
void p_json_stream(FILE *f, const char *key, size_t n, struct json_t *(*item)(size_t i, void *ctx), void *ctx,
		   struct json_t *rest, unsigned threads);
struct analysis_unresolved;
/* An unresolved site as a new JSON object: object, address, function (or null), function_start, reason. */
struct json_t *p_unresolved_json(const struct analysis_unresolved *u);
/* enum analysis_abi bits as a new JSON array of names ("i386", "x32"). */
struct json_t *p_abis_json(unsigned abis);
/* The same as "i386, x32" into buf (empty for none); returns buf. */
const char *p_abis_text(unsigned abis, char *buf, size_t len);

/* A progress renderer for library calls: live on a terminal, else silent. */
struct progress *cmd_progress(void);
/* Clear the progress line (before printing other output). */
void cmd_progress_done(void);

/*
 * Shared option parsing: consumes -j/--json, -q/--quiet, -v/--verbose and
 * -h/--help anywhere in argv (help prints 'usage' and exits 0).  Compacts
 * argv in place and returns the new argc.
 */
int cmd_parse_common(int argc, char **argv, const char *usage);

struct image_config;

/*
 * The configuration a container of the image (whose own is 'image') runs
 * with under docker run 'options' and the arguments 'args' after the image
 * (either NULL): container_spec_config().  Returns 0, or a negative errno
 * with the message set for options that cannot be parsed or honoured.
 */
int cmd_run_config(const char *options, const char *args, const struct image_config *image,
		   struct image_config *out);

#endif
