#ifndef CONFINE_ENGINE_MONITOR_H
#define CONFINE_ENGINE_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/audit.h"
#include "engine/container.h"
#include "engine/probe.h"
#include "util/progress.h"
#include "util/strmap.h"

/*
 * The dynamic phase: run a container for a bounded time that ends early
 * once it is idle, and poll /proc for its processes (the cgroup's
 * cgroup.procs, found from the init pid), recording the executables they
 * ran (/proc/PID/exe) and the shared objects they mapped (file-backed
 * executable mappings in /proc/PID/maps).  Paths are as the container sees
 * them: /proc/PID/exe and maps name files in the container's mount
 * namespace.
 */

/* Tracks one container's processes between polls. */
struct procwatch {
	int init_pid;
	char *procs_path;  /* .../cgroup.procs, or NULL: descendants of init_pid */
	char *cpu_path;    /* cpuacct.usage or cpu.stat, or NULL */
	struct strmap exes;  /* path -> NULL */
	struct strmap libs;  /* path -> NULL */
	int *pids;           /* every pid seen, sorted */
	size_t pids_nr, pids_alloc;
	char **comms;        /* comm of each pid seen, parallel to pids */
	uint64_t cpu_ns;     /* at the last poll */
};

int procwatch_init(struct procwatch *w, int init_pid);
void procwatch_release(struct procwatch *w);

/*
 * One poll.  *changed is set when a new pid, executable or mapping showed
 * up; *cpu_delta_ns gets the CPU time the container used since the last
 * poll.  *alive is false when no process is left.
 */
int procwatch_poll(struct procwatch *w, bool *changed, uint64_t *cpu_delta_ns, bool *alive);
bool procwatch_saw_pid(const struct procwatch *w, int pid);
/* Did any process seen have this comm? */
bool procwatch_saw_comm(const struct procwatch *w, const char *comm);

/*
 * A second watcher of the container's executables and mappings beside
 * /proc polling, one that sees a process however short its life (trace/'s
 * eBPF tracer; cmd/ wires it in).  watch() is called once the container
 * exists, before it starts; collect() once its processes are gone, with
 * each path it saw (exe: executed, else mapped executable) and the comm
 * of the process, and the events it lost or cut (counted, then warned).
 */
struct monitor_tracer {
	const char *name; /* "ebpf" */
	void (*watch)(void *ctx, const char *container_id);
	void (*collect)(void *ctx, void (*add)(void *actx, bool exe, const char *path, const char *comm),
			void *actx, uint64_t *lost, uint64_t *cut);
	void *ctx;
};

struct monitor_opts {
	long min_ms;     /* run at least this long (default 500) */
	long max_ms;     /* and at most this long (default 10000) */
	long idle_ms;    /* idle = nothing new and low CPU for this long (default 1000) */
	long poll_ms;    /* default 50 */
	long stop_timeout_s; /* grace before SIGKILL at the end (default 1) */
	/*
	 * Run once the container is idle the first time (a health check or a
	 * workload); NULL: none.  probe_timeout_ms bounds it (default 5000).
	 */
	const struct probe *probe;
	long probe_timeout_ms;
	bool collect_maps; /* record executables and mappings (the monitor phase) */
	/*
	 * Programs too short-lived for /proc polling are caught too: when the
	 * spec has no seccomp profile of its own, the container runs under
	 * "allow everything, but log execve, execveat and exit_group" and the
	 * kernel's seccomp audit records (whose exe= names the program as the
	 * container sees it) are traced to the container through fork events.
	 * Without access to the records (not root) the monitor falls back to
	 * /proc polling alone.  no_audit_exec turns this off (the container
	 * then runs under the engine's default profile).
	 */
	bool no_audit_exec;
	/* With collect_maps: another watcher (NULL: /proc polling and audit records only). */
	const struct monitor_tracer *tracer;
	const struct progress *progress;
	const char *phase; /* progress phase name, default "monitor" */
	/* Called right after the container started (the audit run arms here). */
	void (*on_start)(void *ctx, const struct container *c, int init_pid);
	void *ctx;
};

struct monitor_result {
	bool started;        /* the engine could start it */
	char *start_error;   /* why not (owned), NULL when started */
	bool exited;         /* it stopped by itself before the end of the run */
	int exit_code;       /* when exited, or after the final stop */
	bool oom_killed;
	bool probe_ran;
	int probe_status;    /* 0 passed, negative errno */
	char *probe_error;   /* owned, NULL when passed */
	long probe_ms;       /* how long the probe took */
	long ran_ms;
	size_t audit_exes;   /* executables known only from audit records */
	/* What the tracer alone saw (sorted container paths, owned). */
	char **traced_exes;
	size_t traced_exes_nr;
	char **traced_libs;
	size_t traced_libs_nr;
	char *container_id;  /* owned */
	struct strbuf out, err; /* logs (up to the final stop when it kept running) */
	bool logs_taken;
	bool logs_truncated;
	/* Executables and mapped objects, sorted container paths (owned). */
	char **exes;
	size_t exes_nr;
	char **libs;
	size_t libs_nr;
	/* Every pid and comm seen (for attributing audit records). */
	struct procwatch watch;
};

void monitor_result_init(struct monitor_result *r);
void monitor_result_release(struct monitor_result *r);

/*
 * Create, start and watch one container for 'spec', then stop and remove
 * it (always, also on error or interruption).  A container that fails to
 * start (for instance because its profile denies the runtime a syscall) is
 * not an error: r->started is false and r->start_error says why.
 * Returns 0 or a negative errno (engine unreachable, no such image,
 * -EINTR on SIGINT/SIGTERM).
 */
int monitor_run(struct dockerapi *api, const struct container_spec *spec,
		const struct monitor_opts *opts, struct monitor_result *r);

#endif
