#ifndef CONFINE_UTIL_DOCKERAPI_H
#define CONFINE_UTIL_DOCKERAPI_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "util/strbuf.h"

/*
 * A small Docker Engine API client over the engine's Unix socket (libcurl).
 *
 * The socket is, in order: the one given to dockerapi_init(), else
 * $DOCKER_HOST when it is "unix://PATH", else /var/run/docker.sock.  Paths
 * passed to the request functions are API paths without the version prefix
 * ("/images/json"); the client adds "/v1.41" (or the engine's own version,
 * when lower, after dockerapi_ping()).
 *
 * Errors (err_set) read like:
 *   cannot reach the Docker engine at unix:///var/run/docker.sock: No such
 *     file or directory (is dockerd running?)
 *   GET /images/x/json: HTTP 404: no such image: x
 *
 * One handle is not safe to use from several threads at once; make one per
 * thread (they are cheap).
 */
struct dockerapi {
	char *socket_path;  /* owned */
	char version[16];   /* "v1.41" */
	long timeout_ms;    /* whole-request timeout, 0: none (default) */
	long connect_timeout_ms; /* default 5000 */
	size_t response_cap; /* cap for dockerapi_request() bodies, default 64 MiB */
	void *curl;         /* CURL *, reused between requests */
};

/*
 * Set up a handle; 'socket_path' may be NULL (see above) or "unix://PATH".
 * Does not connect.  Returns 0 or -EINVAL (message set) for a DOCKER_HOST
 * that is not a unix:// URL.
 */
int dockerapi_init(struct dockerapi *api, const char *socket_path);
void dockerapi_release(struct dockerapi *api);

/* "unix:///var/run/docker.sock", for messages.  Owned by the handle. */
const char *dockerapi_endpoint(const struct dockerapi *api);

/*
 * Check the engine answers (GET /_ping) and negotiate the API version with
 * GET /version (keeps v1.41 unless the engine is older).  Returns 0 or a
 * negative errno (-ECONNREFUSED when nothing listens, whatever the
 * socket's own errno; the message carries that).
 */
int dockerapi_ping(struct dockerapi *api);

/*
 * One request.  'method' is "GET", "POST", "DELETE", ...; 'json_body' (may be
 * NULL) is sent as application/json.  The response body is appended to
 * 'response' (may be NULL to discard it; capped at api->response_cap, -EFBIG
 * past it) and the HTTP status stored in *status (may be NULL).
 *
 * Return: 0 for a 2xx answer; for 4xx/5xx the status is still stored, the
 * message set to "METHOD PATH: HTTP N: <engine's message>", and the result is
 * -ENOENT for 404, -EEXIST for 409, -EACCES for 401/403, -EINVAL for other
 * 4xx, -EIO for 5xx.  Transport failures give the "cannot reach" message and
 * -ECONNREFUSED (cannot connect), -ETIMEDOUT or -EIO, never -ENOENT, so a
 * caller can tell "no such object" (404) from "no engine".
 */
int dockerapi_request(struct dockerapi *api, const char *method, const char *path,
		      const char *json_body, struct strbuf *response, long *status);

/*
 * Like dockerapi_request(), but the 2xx body is delivered to 'sink' as it
 * arrives (no cap, nothing kept).  'sink' returns 0 to continue or a negative
 * errno to abort the transfer; that value is then returned unchanged (with
 * whatever message the sink set).  Error bodies (4xx/5xx) never reach the sink.
 */
typedef int (*dockerapi_sink_fn)(void *ctx, const void *data, size_t len);
int dockerapi_request_stream(struct dockerapi *api, const char *method, const char *path,
			     const char *json_body, dockerapi_sink_fn sink, void *ctx,
			     long *status);

/*
 * A pull-style GET: the caller reads the body at its own pace (for example
 * as a libarchive read callback), so a large export never needs a temporary
 * copy.  The transfer runs in a thread of its own so the engine keeps
 * sending while the reader works; memory stays bounded: that thread waits
 * while 1 MiB is queued unread.
 */
struct dockerapi_stream;

/*
 * Start GET 'path'.  Waits for the response headers, so a 4xx/5xx or an
 * unreachable engine fails here with the usual message.  On success *out is
 * a new stream the caller closes with dockerapi_stream_close().
 */
int dockerapi_stream_open(struct dockerapi *api, const char *path,
			  struct dockerapi_stream **out);
/*
 * Next chunk of the body: *data points into the stream's buffer, valid until
 * the next call.  Returns the number of bytes, 0 at the end, or a negative
 * errno (message set) when the transfer failed part-way.
 */
ssize_t dockerapi_stream_read(struct dockerapi_stream *s, const void **data);
/* Abort (if still running) and free.  NULL is allowed. */
void dockerapi_stream_close(struct dockerapi_stream *s);

/*
 * Percent-encode one path segment or query value (everything but
 * A-Z a-z 0-9 - . _ ~ is encoded, '/' included).  Caller frees.
 */
char *dockerapi_escape(const char *s);

#endif
