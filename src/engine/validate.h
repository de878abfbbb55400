#ifndef CONFINE_ENGINE_VALIDATE_H
#define CONFINE_ENGINE_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/audit.h"
#include "engine/container.h"
#include "engine/monitor.h"
#include "engine/probe.h"
#include "syscalls/syscalls.h"
#include "util/progress.h"

/*
 * Validation of a profile by running the image under it.
 *
 *  1. The audit run: the profile with every deny action turned into
 *     SCMP_ACT_LOG.  Nothing is denied, so the program behaves as it would
 *     unconfined: this run is also the baseline (exit code, logs, health
 *     check).  The kernel's seccomp audit records for the container's
 *     processes name every system call the profile would have denied.
 *  2. The hardened run: the profile as given.
 *
 * With separate_baseline, a third run under seccomp=unconfined is the
 * baseline instead (for comparing with Docker's own notion of "no profile").
 *
 * The profile passes when: the hardened container starts; it is still up
 * at the end of the window (or exited as the baseline did, same code); its
 * exit code after the final stop matches the baseline's; its logs equal the
 * baseline's after normalisation (digits, hex numbers); the health check
 * passes where it passed in the baseline; and the audit run shows no call
 * that fell to the default action.
 */
struct validate_opts {
	const char *profile_json;  /* the profile, Docker/OCI JSON text */
	const struct probe *probe; /* NULL: none */
	long timeout_ms;           /* per run: the longest observation (default 10000) */
	long min_ms, idle_ms;      /* see monitor_opts (defaults 500, 800) */
	bool separate_baseline;
	bool audit_only;           /* only the audit run (measurement) */
	const struct progress *progress;
};

/* A syscall the audit run saw fall to the profile's default action. */
struct validate_missing {
	int nr;
	const char *name;   /* static table string, or NULL for an unknown number */
	uint32_t arch;      /* AUDIT_ARCH_* */
	uint64_t count;
	char *comms;        /* "nginx,runc:[2:INIT]" (owned) */
	char *exes;         /* "/usr/sbin/nginx,/bin/sh": the callers' programs, paths in the container (owned) */
	bool by_runtime;    /* called by the runtime's init (comm runc:[2:INIT]) */
	bool explicit_rule; /* denied by an explicit rule (e.g. clone3 -> ENOSYS), not the default */
};

struct validate_run {
	bool ran, started, exited, probe_ran, probe_ok, oom_killed;
	int exit_code;
	long ms;
	char *start_error, *probe_error; /* owned */
	size_t log_lines;
};

struct validate_result {
	bool ok;
	struct validate_run baseline, hardened, audit;
	bool baseline_is_audit;
	struct validate_missing *missing; /* sorted by arch then nr */
	size_t missing_nr;
	struct strlist reasons;  /* why it failed, one line each */
	bool logs_equal;
	char *log_diff;          /* "baseline: X / hardened: Y", owned */
	enum audit_source audit_source;
	uint64_t audit_lost;     /* records the kernel dropped */
	size_t audit_records;    /* records attributed to the container */
	size_t audit_foreign;    /* records of other processes, ignored */
	long total_ms;
};

void validate_result_init(struct validate_result *r);
void validate_result_release(struct validate_result *r);

/*
 * Validate 'opts->profile_json' on the container 'spec' (its seccomp field
 * is ignored).  Returns 0 whether or not the profile passed (see r->ok),
 * or a negative errno when validation could not be carried out.
 */
int validate_profile(struct dockerapi *api, const struct container_spec *spec,
		     const struct validate_opts *opts, struct validate_result *r);

/*
 * The --repair building block: the native-arch syscalls the audit run saw
 * the profile deny by default, as a set.  Returns how many.
 */
size_t validate_missing_set(const struct validate_result *r, struct sysset *set);

/*
 * The audit variant of a profile: defaultAction and every non-allow rule
 * become SCMP_ACT_LOG.  *out is new JSON text (caller frees); 'explicit'
 * (may be NULL) gets the names that explicit rules denied.  -EINVAL for
 * text that is not a seccomp profile.
 */
int validate_audit_profile(const char *profile_json, char **out, struct strlist *explicit_names);

/*
 * Which of 'names' the profile does not allow unconditionally (an allow
 * rule without argument conditions, or a default that allows or logs).
 * Appends them, comma-separated, to 'missing'; returns how many.
 */
size_t validate_not_allowed(const char *profile_json, char *const *names, size_t nr,
			    struct strbuf *missing);

/*
 * Warn about the names of a profile that will not take effect: ones the
 * kernel has no call for, and ones this libseccomp does not know (Docker
 * drops both silently).  Only the names whose rule differs from the
 * default count: an allowlist's allowed names, a deny-list's denied ones.
 * Returns how many warnings it added (0: none, or text that is not a
 * profile).
 */
size_t validate_check_names(const char *profile_json);

/* The profile with 'names' added to an allow rule.  Caller frees. */
int validate_profile_add(const char *profile_json, char *const *names, size_t nr, char **out);

/*
 * Normalise a log for comparison: runs of digits become '#', hex numbers
 * (0x..., and hex runs of 8+ characters) and UUIDs become 'X', durations
 * ("812ns", "1.5ms", "1h2m3s") become 'D'.  Caller frees.
 */
char *validate_normalize_log(const char *log, size_t len);

/*
 * A log line with the comma-separated items of each [...] and {...} group
 * sorted ("..." strings kept whole), so that a map printed in hash order
 * compares equal whatever the order.  Caller frees.
 */
char *validate_canon_line(const char *line);

/*
 * Do two normalised log lines differ only in one word that is a
 * generated id in both: the normaliser's 'X', or 8+ letters of both cases
 * whose case changes at least every third letter (Mojolicious's request
 * ids, [PpYaQFjPtYCc], have no digits to tell them by)?  CamelCase names
 * (ConnectionRefused: 3 changes in 17) are not ids.
 */
bool validate_lines_differ_by_id(const char *a, const char *b);

/*
 * Do two runs' logs match: their normalised lines, sorted ('b', bn of the
 * baseline's; 'h', hn of the hardened run's), have the same distinct
 * lines, but for lines that differ from one of the other run's only by an
 * id?  When not, *diff says which line (caller frees); else NULL.
 */
bool validate_logs_match(char *const *b, size_t bn, char *const *h, size_t hn, char **diff);

#endif
