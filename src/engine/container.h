#ifndef CONFINE_ENGINE_CONTAINER_H
#define CONFINE_ENGINE_CONTAINER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image/image.h"
#include "util/dockerapi.h"
#include "util/strbuf.h"

/*
 * Containers through the Docker Engine API.  Every container confine
 * creates carries the label io.confine.run=<run id> and is registered in a
 * process-wide list so that container_cleanup_all() (called on success, on
 * error and from the SIGINT/SIGTERM path in cmd/) removes it, and
 * container_sweep() removes the ones a killed confine left behind.
 */
#define CONTAINER_RUN_LABEL "io.confine.run"

/* A growable array of owned strings. */
struct strlist {
	char **v;
	size_t nr, alloc;
};

void strlist_push(struct strlist *l, const char *s);
void strlist_pushf(struct strlist *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strlist_clear(struct strlist *l);

/* What 'docker run' options and confine itself ask of a container. */
struct container_spec {
	char *image;           /* "confine-test/nginx:latest" (no transport prefix) */
	char *name;            /* NULL: the engine picks one */
	bool entrypoint_set;   /* --entrypoint given ("" resets it) */
	struct strlist entrypoint;
	bool cmd_set;          /* arguments given: they replace the image's Cmd */
	struct strlist cmd;
	struct strlist env;    /* "KEY=VALUE" */
	struct strlist ports;  /* "80/tcp" exposed */
	struct strlist port_bindings; /* "80/tcp|127.0.0.1|8080" */
	bool publish_all;
	struct strlist binds;  /* "/host:/ctr[:ro]" or "volume:/ctr" */
	struct strlist volumes; /* anonymous volumes "/ctr" */
	struct strlist tmpfs;  /* "/run|opts" */
	char *network;         /* "host", "none", "bridge", "container:X", a network name */
	struct strlist links;  /* "name:alias" */
	char *user;
	char *workdir;
	char *hostname;
	struct strlist labels; /* "KEY=VALUE" */
	struct strlist cap_add, cap_drop;
	struct strlist security_opt; /* besides seccomp: "no-new-privileges", "apparmor=..." */
	struct strlist extra_hosts, dns, group_add, devices, ulimits, sysctls;
	bool read_only, init, tty, open_stdin;
	char *ipc, *pid_mode, *uts;
	char *stop_signal;
	int stop_timeout;      /* -1: engine default */
	int64_t shm_size, memory, nano_cpus; /* 0: engine default */
	struct strlist health_cmd; /* Config.Healthcheck.Test override, empty: image's */
	bool no_healthcheck;
	/*
	 * The seccomp profile as JSON text (sent inline as
	 * "seccomp=<json>"), "unconfined", or NULL for the engine's default.
	 */
	char *seccomp;
};

void container_spec_init(struct container_spec *spec);
void container_spec_release(struct container_spec *spec);
/* A deep copy of 'src' into 'dst' (initialised by this call). */
void container_spec_copy(struct container_spec *dst, const struct container_spec *src);

/*
 * The configuration the engine runs a container of 'spec' with, when its
 * image's is 'image': a deep copy of 'image' (release with
 * image_config_release()) with the run's --entrypoint, arguments, -e and -w
 * applied the way the engine merges them.  A non-empty --entrypoint drops
 * the image's Cmd; -e replaces the image's variable of the same name.
 */
void container_spec_config(const struct container_spec *spec, const struct image_config *image,
			   struct image_config *out);

/*
 * The JSON body of POST /containers/create for 'spec', with the run label
 * 'run_id' added.  Caller frees.  Never fails (the spec is already checked).
 */
char *container_spec_json(const struct container_spec *spec, const char *run_id);

/* A created container.  Strings owned by the struct. */
struct container {
	char *id;
	char *run_id;
	bool tty;
};

/*
 * A run id for the io.confine.run label: "<pid>-<time>-<random>".  Returned
 * string owned by the module, the same for the whole process.
 */
const char *container_run_id(void);

/*
 * Create (not start) a container.  On success *out is filled (release with
 * container_release(), which does not remove it) and the container is
 * registered for container_cleanup_all().  A missing image fails with
 * -ENOENT and "no such image 'X' (pull or build it first)".
 */
int container_create(struct dockerapi *api, const struct container_spec *spec,
		     struct container *out);
int container_start(struct dockerapi *api, const struct container *c);
/* POST /containers/ID/stop?t=timeout_s. */
int container_stop(struct dockerapi *api, const struct container *c, int timeout_s);
/* Send 'signal' ("KILL", "TERM", ...); a container that is not running is not an error. */
int container_kill(struct dockerapi *api, const struct container *c, const char *signal);
/*
 * Wait until the container stops, at most timeout_ms (polling inspect, so
 * a stuck engine connection cannot hang confine).  Returns 0 and the exit
 * code in *exit_code, or -ETIMEDOUT when it is still running.
 */
int container_wait(struct dockerapi *api, const struct container *c, long timeout_ms,
		   int *exit_code);

struct container_state {
	bool running;
	bool oom_killed;
	int pid;          /* host pid of the init process, 0 when not running */
	int exit_code;
	char *status;     /* "running", "exited", "created", ... */
	char *error;      /* State.Error: why the engine could not start it, or NULL */
	char *health;     /* State.Health.Status or NULL */
	char *started_at, *finished_at;
};
void container_state_release(struct container_state *st);
int container_inspect(struct dockerapi *api, const struct container *c,
		      struct container_state *st);

/*
 * Stdout and stderr so far, demultiplexed from the engine's stream format
 * (8-byte headers: stream, 0, 0, 0, big-endian length) unless the
 * container has a TTY.  Each buffer is capped at 'cap' bytes (0: 16 MiB);
 * the tail past the cap is dropped and *truncated set.
 */
int container_logs(struct dockerapi *api, const struct container *c, size_t cap,
		   struct strbuf *out, struct strbuf *err, bool *truncated);

/*
 * Demultiplex a whole docker log stream 'data' into out/err.  Exposed for
 * tests.  Returns 0 or -EBADMSG for a stream that is not in that format.
 */
int container_demux(const void *data, size_t len, struct strbuf *out, struct strbuf *err);

/*
 * Run a command inside a running container (exec), wait at most timeout_ms
 * for it, and return its exit code in *exit_code; output goes to 'output'
 * (may be NULL; stdout and stderr together).
 */
int container_exec(struct dockerapi *api, const struct container *c, char *const argv[],
		   long timeout_ms, int *exit_code, struct strbuf *output);

/* Force-remove the container (and its anonymous volumes) and unregister it. */
int container_remove(struct dockerapi *api, const struct container *c);
void container_release(struct container *c);

/*
 * Remove every container still registered (force, volumes too).  Safe to
 * call more than once.  Returns the number removed, or a negative errno for
 * the first failure (the others are still attempted).
 */
int container_cleanup_all(struct dockerapi *api);

/*
 * Remove containers labelled io.confine.run whose run is over: the label's
 * pid is not a live confine process (other live confine runs are left alone).
 * Returns the number removed or a negative errno.
 */
int container_sweep(struct dockerapi *api);

/*
 * The cmd/ layer's signal path: set by a SIGINT/SIGTERM handler, polled by
 * the long waits in engine/ (they return -EINTR when it is set).
 */
extern volatile sig_atomic_t container_interrupted;
/* Install SIGINT/SIGTERM handlers that set container_interrupted. */
void container_install_signals(void);

#endif
