#ifndef CONFINE_ENGINE_PROBE_H
#define CONFINE_ENGINE_PROBE_H

#include "engine/container.h"

/*
 * A health probe / workload run against a container:
 *
 *   http://HOST:PORT/PATH   HTTP GET, passes on a 2xx or 3xx answer
 *   tcp:HOST:PORT           a TCP connection is accepted
 *   cmd:COMMAND             'sh -c COMMAND' run in the container (exec), exit 0
 *   exec:ARG0 ARG1 ...      the words run in the container without a shell
 *   host:COMMAND            'sh -c COMMAND' run on the host (a load generator
 *                           such as curl in a loop), exit 0
 *
 * Addresses must be loopback (127.0.0.0/8, ::1, localhost) or the address of
 * a container confine started: confine never sends traffic elsewhere (a
 * host: command goes where its text says, as the user wrote it).
 */
enum probe_kind {
	PROBE_NONE,
	PROBE_HTTP,
	PROBE_TCP,
	PROBE_EXEC,
	PROBE_HOST,
};

struct probe {
	enum probe_kind kind;
	char *url;        /* PROBE_HTTP */
	char *host;       /* PROBE_TCP */
	int port;
	char **argv;      /* PROBE_EXEC, PROBE_HOST ("/bin/sh", "-c", text), NULL-terminated */
	char *spec;       /* as given, for messages */
};

/* Parse a probe spec (see above).  Returns 0 or -EINVAL naming the spec. */
int probe_parse(const char *spec, struct probe *p);

/*
 * A probe from an image's Healthcheck.Test (["CMD", ...] or
 * ["CMD-SHELL", "..."]); PROBE_NONE for ["NONE"] or nothing, and with a
 * warning for anything else (the engine runs no check then either).
 * Returns 0.
 */
int probe_from_healthcheck(char *const *test, size_t nr, struct probe *p);
void probe_release(struct probe *p);

/*
 * The probe from the Healthcheck of image 'image' (GET /images/NAME/json);
 * PROBE_NONE when it has none.  Returns 0 or a negative errno.
 */
int probe_from_image(struct dockerapi *api, const char *image, struct probe *p);

/*
 * Run the probe, retrying every 100 ms until it passes or 'timeout_ms' is
 * over.  Returns 0 when it passed, else a negative errno with a message
 * saying what the last attempt got.
 */
int probe_run(const struct probe *p, struct dockerapi *api, const struct container *c,
	      long timeout_ms);

#endif
