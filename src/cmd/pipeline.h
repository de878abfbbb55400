#ifndef CONFINE_CMD_PIPELINE_H
#define CONFINE_CMD_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "analysis/analysis.h"
#include "profile/profile.h"
#include "syscalls/syscalls.h"

/*
 * One image through the whole pipeline, shared by 'confine profile' and
 * 'confine batch': open, (monitor), program set, analysis, profile
 * (+ runtime set), (validation with repair).  It lives in cmd/ because it
 * ties every layer together and prints the seed tutorial's phase messages.
 */
struct pipeline_opts {
	const char *ref;         /* transport-prefixed image reference */
	const char *name;        /* image name for messages and outputs */
	const char *run_options; /* docker run options (images JSON "options") */
	const char *run_args;    /* arguments after the image ("args") */
	const char *health;      /* probe spec or NULL */
	const char *workload;    /* probe spec or NULL */
	long probe_timeout_ms;
	char **links;            /* "container:alias" links to dependencies */
	size_t links_nr;

	/* Programs (paths inside the image) added to the set, and plugins they dlopen(). */
	const char *const *programs;
	size_t programs_nr;
	const char *const *dlopen;
	size_t dlopen_nr;

	bool monitor;            /* run the monitor phase (docker: images only) */
	long monitor_max_ms;
	bool all_binaries;
	bool no_runtime;         /* leave the runtime's own syscalls out */
	/* Syscalls denied whatever the analysis says (what breaks without X?). */
	char **deny;
	size_t deny_nr;
	enum analysis_policy policy; /* for unresolved sites (--unresolved): default every call, sound */
	bool validate;
	bool repair;             /* add syscalls validation finds missing, revalidate */
	int repair_rounds;       /* default 3 */
	bool seed_messages;      /* print the Confine tutorial's phase lines */
	bool confine_direct;     /* also run Confine's direct-syscall scan (r->direct) */

	const char *copy_dir;    /* copy analysed ELF files here (output/IMAGE), or NULL */
	const char *profile_path;/* write the Docker profile here before validating, or NULL */
};

struct pipeline_result {
	struct profile profile;     /* the final allowlist (after repair) */
	struct sysset analysed;     /* union over programs (binary analysis) */
	struct sysset runtime;      /* the runtime's own set (added) */
	struct sysset repaired;     /* added by --repair */
	char *runtime_name;         /* "runc 1.1.5" or NULL */
	size_t programs_nr, objects_nr, unresolved_nr, programs_failed;
	/* What the monitor saw, and the tracer alone (sorted, owned). */
	char **monitor_exes, **monitor_libs, **traced_exes, **traced_libs;
	size_t monitor_exes_nr, monitor_libs_nr, traced_exes_nr, traced_libs_nr;
	const char *monitor_tracer;   /* "ebpf", or NULL: /proc (and audit records) only */
	bool monitored;
	bool launched;              /* the baseline container started */
	bool stays_running;         /* and stayed up (or exited 0 like a job) */
	bool validated;             /* validation ran */
	bool hardened;              /* validation passed */
	/*
	 * The last validation's run where nothing was denied (the audit run,
	 * or the unconfined one): a container that fails there fails on its
	 * own, whatever the profile allows.
	 */
	struct {
		bool started, exited, oom_killed, probe_ran, probe_ok;
		int exit_code;
		long ms;
		char *check; /* the health check or workload validation ran ("HEALTHCHECK CMD ..."), or NULL */
	} baseline;
	struct sysset missing;      /* syscalls validation found denied */
	char *missing_by[SYSSET_NR]; /* for each: the programs that made it ("/usr/bin/php-cgi"), or NULL */
	char *error;                /* why validation or a phase failed, or NULL */
	bool is_go;                 /* some program is a Go binary */
	unsigned abis;              /* ABIs besides x86_64 some program uses (enum analysis_abi) */
	bool uses_musl;             /* some object is musl's (Confine picks its musl graph) */
	struct sysset direct;       /* Confine's direct-syscall scan (confine_direct) */
	/* ELF imports of every analysed object, for Confine's method (owned). */
	char **imports;
	size_t imports_nr, imports_alloc;
	double image_s, monitor_s, analysis_s, validation_s, total_s;
	/*
	 * Why each allowed syscall is allowed, indexed by x86_64 number (owned,
	 * NULL where not allowed): one witness chain "PROGRAM: obj!f -> ... ->
	 * obj!site", or the runtime, or --repair.
	 */
	char *why[SYSSET_NR];
};

void pipeline_result_init(struct pipeline_result *r);
void pipeline_result_release(struct pipeline_result *r);

/*
 * Run the pipeline.  Returns 0 when a profile was produced (validation may
 * still have failed: see r->hardened), or a negative errno (message set)
 * when no profile could be made.  -EINTR after Ctrl-C.
 */
int pipeline_run(const struct pipeline_opts *o, struct pipeline_result *r);

/*
 * What every profile allows besides the programs' calls.  The container
 * runtime's own calls: the engine's default runtime when 'docker' and the
 * engine answers, else the newest known runc set; *name gets "runc
 * 1.1.5+ds1" (caller frees).  Returns 0 or a negative errno (message set).
 */
int pipeline_runtime_set(bool docker, struct sysset *set, char **name);
/*
 * Why the analysis put syscall nr in the image's set, on one line: the
 * first program that can make it and a witness chain from the root it
 * names to the site ("/usr/sbin/nginx: nginx!_start (the program's entry
 * point) -> ... (site 0x10adc5)").  NULL when no program makes it; else a
 * new string the caller frees.
 */
char *pipeline_why_line(const struct analysis *an, int nr);
/* Why the profile allows a call of that runtime (caller frees). */
char *pipeline_runtime_reason(const char *runtime);
/* Why the profile allows syscall nr that the kernel makes itself (static string), or NULL. */
const char *pipeline_kernel_reason(int nr);

/* Sorted names of a set, as a JSON array (new reference). */
json_t *pipeline_names_json(const struct sysset *s);
/* The outcome as JSON, warnings drained into "warnings" (new reference). */
json_t *pipeline_result_json(const struct pipeline_result *r, const char *image);

/*
 * An existing output file is replaced only when it is a seccomp profile (a
 * previous run's), a .bpf file, or with 'force': never a user's other file.
 * Returns 0 or -EEXIST with a message.
 */
int pipeline_check_output(const char *path, bool force);

/* Remove confine's containers (on exit and from the signal path). */
void pipeline_cleanup(void);

#endif
