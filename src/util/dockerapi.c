#include "util/dockerapi.h"

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/curlrt.h"
#include "util/error.h"
#include "util/xalloc.h"

#define DOCKERAPI_DEFAULT_SOCKET "/var/run/docker.sock"
#define DOCKERAPI_DEFAULT_VERSION "v1.41"
#define DOCKERAPI_ERRBODY_CAP (64 * 1024)
/* Unread stream data above this pauses the transfer. */
#define DOCKERAPI_STREAM_HIGH (1024 * 1024)

/* libcurl's functions (util/curlrt.h): set by the first dockerapi_init; every other entry point takes an api it made. */
static const struct curlrt *cu;

int dockerapi_init(struct dockerapi *api, const char *socket_path)
{
	const char *env = getenv("DOCKER_HOST");

	memset(api, 0, sizeof(*api));
	if (!(cu = curlrt()))
		return -ELIBACC;
	if (!socket_path || !*socket_path) {
		if (env && *env) {
			if (strncmp(env, "unix://", 7) != 0 || !env[7])
				return err_set(EINVAL,
					       "DOCKER_HOST '%s' is not a unix:// socket (only the local engine's Unix socket is supported)",
					       env);
			socket_path = env;
		} else {
			socket_path = DOCKERAPI_DEFAULT_SOCKET;
		}
	}
	if (!strncmp(socket_path, "unix://", 7))
		socket_path += 7;
	api->socket_path = xasprintf("unix://%s", socket_path);
	snprintf(api->version, sizeof(api->version), "%s", DOCKERAPI_DEFAULT_VERSION);
	api->connect_timeout_ms = 5000;
	api->response_cap = 64u << 20;
	return 0;
}

void dockerapi_release(struct dockerapi *api)
{
	if (api->curl)
		cu->easy_cleanup(api->curl);
	free(api->socket_path);
	memset(api, 0, sizeof(*api));
}

const char *dockerapi_endpoint(const struct dockerapi *api)
{
	return api->socket_path;
}

static const char *sock_file(const struct dockerapi *api)
{
	return api->socket_path + 7;
}

char *dockerapi_escape(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s), alloc;
	char *out, *p;

	if (!size_mul(n, 3, &alloc) || !size_add(alloc, 1, &alloc))
		abort();
	out = p = xmalloc(alloc);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~') {
			*p++ = (char)c;
		} else {
			*p++ = '%';
			*p++ = hex[c >> 4];
			*p++ = hex[c & 15];
		}
	}
	*p = '\0';
	return out;
}

/*
 * Map a libcurl failure to an errno and the user-facing message.  For a
 * failed connect the socket's own errno says more than curl's text, which
 * talks about "localhost port 80".
 */
static int transport_error(const struct dockerapi *api, CURL *c, CURLcode rc, const char *errbuf)
{
	const char *why = errbuf && *errbuf ? errbuf : cu->easy_strerror(rc);
	long os_errno = 0;
	int e = EIO;

	switch (rc) {
	case CURLE_COULDNT_CONNECT:
		e = ECONNREFUSED;
		cu->easy_getinfo(c, CURLINFO_OS_ERRNO, &os_errno);
		if (os_errno > 0)
			why = strerror((int)os_errno);
		break;
	case CURLE_OPERATION_TIMEDOUT:
		e = ETIMEDOUT;
		break;
	default:
		break;
	}
	return err_set(e, "cannot reach the Docker engine at %s: %s (is dockerd running?)",
		       api->socket_path, why);
}

/* The engine's {"message": "..."} from an error body, or the raw body. */
static int http_error(const char *method, const char *path, long status,
		      const char *body, size_t len)
{
	json_t *root = json_loadb(body, len, 0, NULL);
	const char *msg = NULL;
	int e, ret;

	if (root && json_is_object(root))
		msg = json_string_value(json_object_get(root, "message"));
	if (status == 404)
		e = ENOENT;
	else if (status == 409)
		e = EEXIST;
	else if (status == 401 || status == 403)
		e = EACCES;
	else if (status >= 400 && status < 500)
		e = EINVAL;
	else
		e = EIO;
	if (msg)
		ret = err_set(e, "%s %s: HTTP %ld: %s", method, path, status, msg);
	else
		ret = err_set(e, "%s %s: HTTP %ld: %.*s", method, path, status,
			      (int)(len > 200 ? 200 : len), body ? body : "");
	json_decref(root);
	return ret;
}

static CURL *easy_setup(struct dockerapi *api, CURL *c, const char *method, const char *path,
			const char *json_body, struct curl_slist **headers, char *errbuf)
{
	char *url;

	cu->easy_reset(c);
	url = xasprintf("http://localhost/%s%s", api->version, path);
	cu->easy_setopt(c, CURLOPT_URL, url);
	free(url);
	cu->easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, sock_file(api));
	cu->easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	cu->easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	cu->easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, api->connect_timeout_ms);
	if (api->timeout_ms)
		cu->easy_setopt(c, CURLOPT_TIMEOUT_MS, api->timeout_ms);
	cu->easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (!strcmp(method, "HEAD"))
		cu->easy_setopt(c, CURLOPT_NOBODY, 1L);
	*headers = NULL;
	if (json_body) {
		*headers = cu->slist_append(*headers, "Content-Type: application/json");
		cu->easy_setopt(c, CURLOPT_POSTFIELDS, json_body);
		cu->easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(json_body));
	} else if (!strcmp(method, "POST") || !strcmp(method, "PUT")) {
		cu->easy_setopt(c, CURLOPT_POSTFIELDS, "");
		cu->easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
	}
	if (*headers)
		cu->easy_setopt(c, CURLOPT_HTTPHEADER, *headers);
	return c;
}

/* Where a response body goes: the sink for 2xx, a small buffer otherwise. */
struct body_ctx {
	CURL *curl;
	struct strbuf *out;      /* 2xx body, may be NULL */
	dockerapi_sink_fn sink;  /* or this */
	void *sink_ctx;
	int sink_ret;
	struct strbuf err;       /* 4xx/5xx body */
	int cap_hit;
};

static size_t body_write(char *data, size_t size, size_t nmemb, void *p)
{
	struct body_ctx *b = p;
	size_t n = size * nmemb;
	long status = 0;

	cu->easy_getinfo(b->curl, CURLINFO_RESPONSE_CODE, &status);
	if (status >= 300) {
		strbuf_add(&b->err, data, n); /* truncation of an error body is harmless */
		return n;
	}
	if (b->sink) {
		b->sink_ret = b->sink(b->sink_ctx, data, n);
		return b->sink_ret ? 0 : n;
	}
	if (b->out && strbuf_add(b->out, data, n) < 0) {
		b->cap_hit = 1;
		return 0;
	}
	return n;
}

static int do_request(struct dockerapi *api, const char *method, const char *path,
		      const char *json_body, struct strbuf *response, dockerapi_sink_fn sink,
		      void *sink_ctx, long *status_out)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *headers;
	struct body_ctx b = { 0 };
	size_t old_cap = 0;
	long status = 0;
	CURLcode rc;
	int ret = 0;

	if (!api->curl) {
		api->curl = cu->easy_init();
		if (!api->curl)
			return err_set(ENOMEM, "cannot initialise libcurl");
	}
	easy_setup(api, api->curl, method, path, json_body, &headers, errbuf);
	b.curl = api->curl;
	b.out = response;
	b.sink = sink;
	b.sink_ctx = sink_ctx;
	strbuf_init(&b.err, DOCKERAPI_ERRBODY_CAP);
	if (response && (!response->cap || response->cap > api->response_cap)) {
		old_cap = response->cap;
		response->cap = api->response_cap;
	}
	cu->easy_setopt(api->curl, CURLOPT_WRITEFUNCTION, body_write);
	cu->easy_setopt(api->curl, CURLOPT_WRITEDATA, &b);
	rc = cu->easy_perform(api->curl);
	cu->easy_getinfo(api->curl, CURLINFO_RESPONSE_CODE, &status);
	if (status_out)
		*status_out = status;
	if (response && old_cap != response->cap && response->cap == api->response_cap)
		response->cap = old_cap;
	if (rc == CURLE_WRITE_ERROR && b.sink_ret) {
		ret = b.sink_ret;
	} else if (rc == CURLE_WRITE_ERROR && b.cap_hit) {
		ret = err_set(EFBIG, "%s %s: response larger than %zu bytes", method, path,
			      api->response_cap);
	} else if (rc != CURLE_OK) {
		ret = transport_error(api, api->curl, rc, errbuf);
	} else if (status >= 300) {
		ret = http_error(method, path, status, b.err.buf, b.err.len);
	}
	strbuf_release(&b.err);
	cu->slist_free_all(headers);
	return ret;
}

int dockerapi_request(struct dockerapi *api, const char *method, const char *path,
		      const char *json_body, struct strbuf *response, long *status)
{
	return do_request(api, method, path, json_body, response, NULL, NULL, status);
}

int dockerapi_request_stream(struct dockerapi *api, const char *method, const char *path,
			     const char *json_body, dockerapi_sink_fn sink, void *ctx,
			     long *status)
{
	return do_request(api, method, path, json_body, NULL, sink, ctx, status);
}

int dockerapi_ping(struct dockerapi *api)
{
	struct strbuf sb = STRBUF_INIT;
	char saved[sizeof(api->version)];
	const char *v;
	json_t *root;
	int ret;

	/* /_ping and /version are answered on unversioned paths too. */
	memcpy(saved, api->version, sizeof(saved));
	snprintf(api->version, sizeof(api->version), "v1.24");
	ret = dockerapi_request(api, "GET", "/_ping", NULL, NULL, NULL);
	if (ret == 0)
		ret = dockerapi_request(api, "GET", "/version", NULL, &sb, NULL);
	memcpy(api->version, saved, sizeof(saved));
	if (ret < 0)
		goto out;
	root = json_loadb(sb.buf ? sb.buf : "", sb.len, 0, NULL);
	v = json_string_value(json_object_get(root, "ApiVersion"));
	if (v) {
		unsigned maj, min, wmaj, wmin;

		/* Use the engine's version only when it is older than ours. */
		if (sscanf(v, "%u.%u", &maj, &min) == 2 &&
		    sscanf(DOCKERAPI_DEFAULT_VERSION, "v%u.%u", &wmaj, &wmin) == 2 &&
		    (maj < wmaj || (maj == wmaj && min < wmin)))
			snprintf(api->version, sizeof(api->version), "v%u.%u", maj, min);
	}
	json_decref(root);
out:
	strbuf_release(&sb);
	return ret;
}

/*
 * Pull-style streaming.  The transfer runs in its own thread and hands
 * chunks to the reader through a bounded queue, so the engine keeps
 * producing while the reader works (the export is mostly the engine's
 * time), and memory stays bounded: the writer waits while
 * DOCKERAPI_STREAM_HIGH bytes are queued.
 */
struct stream_chunk {
	struct stream_chunk *next;
	size_t len;
	char data[];
};

struct dockerapi_stream {
	struct dockerapi *api;
	char *path;
	CURL *easy;
	struct curl_slist *headers;
	char errbuf[CURL_ERROR_SIZE];
	pthread_t thread;
	bool started;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	/* Under 'lock': */
	struct stream_chunk *head, *tail;
	size_t queued;
	bool headers_done;
	bool done;
	bool closed;
	CURLcode result;
	long status;
	/* Reader side only: */
	struct stream_chunk *handed;
	/* Writer side only until 'done': */
	struct strbuf err;
};

static size_t stream_header(char *data, size_t size, size_t nmemb, void *p)
{
	struct dockerapi_stream *s = p;
	size_t n = size * nmemb;
	long status = 0;

	/* The blank line ends a header block; 1xx blocks are followed by more. */
	if (n <= 2 && (n == 0 || data[0] == '\r' || data[0] == '\n')) {
		cu->easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
		if (status >= 200) {
			pthread_mutex_lock(&s->lock);
			s->status = status;
			s->headers_done = true;
			pthread_cond_broadcast(&s->cond);
			pthread_mutex_unlock(&s->lock);
		}
	}
	return n;
}

static size_t stream_write(char *data, size_t size, size_t nmemb, void *p)
{
	struct dockerapi_stream *s = p;
	size_t n = size * nmemb;
	struct stream_chunk *c;
	long status = 0;

	cu->easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
	if (status >= 300) {
		strbuf_add(&s->err, data, n);
		return n;
	}
	c = xmalloc(sizeof(*c) + n);
	c->next = NULL;
	c->len = n;
	memcpy(c->data, data, n);
	pthread_mutex_lock(&s->lock);
	while (s->queued >= DOCKERAPI_STREAM_HIGH && !s->closed)
		pthread_cond_wait(&s->cond, &s->lock);
	if (s->closed) {
		pthread_mutex_unlock(&s->lock);
		free(c);
		return 0; /* aborts the transfer */
	}
	if (s->tail)
		s->tail->next = c;
	else
		s->head = c;
	s->tail = c;
	s->queued += n;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	return n;
}

static void *stream_thread(void *p)
{
	struct dockerapi_stream *s = p;
	CURLcode rc = cu->easy_perform(s->easy);
	long status = 0;

	cu->easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
	pthread_mutex_lock(&s->lock);
	s->result = rc;
	s->status = status;
	s->done = true;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/* The outcome once the transfer is over (called with 'done' seen). */
static int stream_status(struct dockerapi_stream *s)
{
	if (s->result != CURLE_OK)
		return transport_error(s->api, s->easy, s->result, s->errbuf);
	if (s->status >= 300)
		return http_error("GET", s->path, s->status, s->err.buf, s->err.len);
	return 0;
}

int dockerapi_stream_open(struct dockerapi *api, const char *path,
			  struct dockerapi_stream **out)
{
	struct dockerapi_stream *s = xcalloc(1, sizeof(*s));
	int ret = 0;

	*out = NULL;
	s->api = api;
	s->path = xstrdup(path);
	strbuf_init(&s->err, DOCKERAPI_ERRBODY_CAP);
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	s->easy = cu->easy_init();
	if (!s->easy) {
		ret = err_set(ENOMEM, "cannot initialise libcurl");
		goto out_free;
	}
	easy_setup(api, s->easy, "GET", path, NULL, &s->headers, s->errbuf);
	cu->easy_setopt(s->easy, CURLOPT_WRITEFUNCTION, stream_write);
	cu->easy_setopt(s->easy, CURLOPT_WRITEDATA, s);
	cu->easy_setopt(s->easy, CURLOPT_HEADERFUNCTION, stream_header);
	cu->easy_setopt(s->easy, CURLOPT_HEADERDATA, s);
	if (pthread_create(&s->thread, NULL, stream_thread, s)) {
		ret = err_set(EAGAIN, "cannot start a thread for GET %s", path);
		goto out_free;
	}
	s->started = true;
	/* Wait for the answer's status: errors are reported here, not mid-read. */
	pthread_mutex_lock(&s->lock);
	while (!s->done && !(s->headers_done && s->status < 300))
		pthread_cond_wait(&s->cond, &s->lock);
	pthread_mutex_unlock(&s->lock);
	if (s->done)
		ret = stream_status(s);
	if (ret < 0)
		goto out_free;
	*out = s;
	return 0;
out_free:
	dockerapi_stream_close(s);
	return ret;
}

ssize_t dockerapi_stream_read(struct dockerapi_stream *s, const void **data)
{
	struct stream_chunk *c;

	free(s->handed);
	s->handed = NULL;
	pthread_mutex_lock(&s->lock);
	while (!s->head && !s->done)
		pthread_cond_wait(&s->cond, &s->lock);
	c = s->head;
	if (c) {
		s->head = c->next;
		if (!s->head)
			s->tail = NULL;
		s->queued -= c->len;
		pthread_cond_broadcast(&s->cond);
	}
	pthread_mutex_unlock(&s->lock);
	if (!c)
		return stream_status(s);
	s->handed = c;
	*data = c->data;
	return (ssize_t)c->len;
}

void dockerapi_stream_close(struct dockerapi_stream *s)
{
	struct stream_chunk *c, *next;

	if (!s)
		return;
	if (s->started) {
		pthread_mutex_lock(&s->lock);
		s->closed = true;
		pthread_cond_broadcast(&s->cond);
		pthread_mutex_unlock(&s->lock);
		pthread_join(s->thread, NULL);
	}
	for (c = s->head; c; c = next) {
		next = c->next;
		free(c);
	}
	free(s->handed);
	if (s->easy)
		cu->easy_cleanup(s->easy);
	cu->slist_free_all(s->headers);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->cond);
	strbuf_release(&s->err);
	free(s->path);
	free(s);
}
