/*
 * util/dockerapi against a fake engine: a thread answering canned HTTP
 * responses on a Unix socket in a scratch folder.  The real engine is
 * exercised by the integration tests.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/dockerapi.h"
#include "util/error.h"
#include "util/xalloc.h"

struct fake {
	char dir[64];
	char path[96];
	int lfd;
	pthread_t thread;
	const char *status_line; /* "200 OK" */
	const char *body;        /* NULL: use big_len bytes of a pattern */
	size_t big_len;
	char request[4096];      /* first request line + headers seen */
};

static void *fake_serve(void *p)
{
	struct fake *f = p;
	int c;

	while ((c = accept(f->lfd, NULL, NULL)) >= 0) {
		char hdr[256], chunk[65536];
		size_t blen = f->body ? strlen(f->body) : f->big_len, sent = 0;
		ssize_t n = read(c, f->request, sizeof(f->request) - 1);
		int hl;

		f->request[n > 0 ? n : 0] = '\0';
		hl = snprintf(hdr, sizeof(hdr),
			      "HTTP/1.1 %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
			      f->status_line, blen);
		if (send(c, hdr, (size_t)hl, MSG_NOSIGNAL) != hl)
			goto next;
		if (f->body) {
			if (send(c, f->body, blen, MSG_NOSIGNAL) < 0)
				goto next;
		} else {
			while (sent < blen) {
				size_t k = blen - sent < sizeof(chunk) ? blen - sent : sizeof(chunk);

				for (size_t i = 0; i < k; i++)
					chunk[i] = (char)((sent + i) % 251);
				n = send(c, chunk, k, MSG_NOSIGNAL);
				if (n <= 0)
					break;
				sent += (size_t)n;
			}
		}
next:
		close(c);
	}
	return NULL;
}

static void fake_start(struct fake *f)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	snprintf(f->dir, sizeof(f->dir), "/tmp/confine-dapi.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/docker.sock", f->dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", f->path);
	f->lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(f->lfd >= 0);
	assert_int_equal(bind(f->lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(f->lfd, 4), 0);
	assert_int_equal(pthread_create(&f->thread, NULL, fake_serve, f), 0);
}

static void fake_stop(struct fake *f)
{
	shutdown(f->lfd, SHUT_RDWR);
	close(f->lfd);
	pthread_join(f->thread, NULL);
	unlink(f->path);
	rmdir(f->dir);
}

static void test_escape(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "nginx", "nginx" },
		{ "confine-test/nginx:latest", "confine-test%2Fnginx%3Alatest" },
		{ "a b?c#d", "a%20b%3Fc%23d" },
		{ "../x", "..%2Fx" },
		{ "", "" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *e = dockerapi_escape(cases[i].in);

		assert_string_equal(e, cases[i].out);
		free(e);
	}
}

static void test_socket_choice(void **state)
{
	struct dockerapi api;

	(void)state;
	unsetenv("DOCKER_HOST");
	assert_int_equal(dockerapi_init(&api, NULL), 0);
	assert_string_equal(dockerapi_endpoint(&api), "unix:///var/run/docker.sock");
	dockerapi_release(&api);

	setenv("DOCKER_HOST", "unix:///run/x.sock", 1);
	assert_int_equal(dockerapi_init(&api, NULL), 0);
	assert_string_equal(dockerapi_endpoint(&api), "unix:///run/x.sock");
	dockerapi_release(&api);
	/* An explicit socket wins over the environment. */
	assert_int_equal(dockerapi_init(&api, "/tmp/y.sock"), 0);
	assert_string_equal(dockerapi_endpoint(&api), "unix:///tmp/y.sock");
	dockerapi_release(&api);

	setenv("DOCKER_HOST", "tcp://1.2.3.4:2375", 1);
	assert_int_equal(dockerapi_init(&api, NULL), -EINVAL);
	assert_non_null(strstr(err_msg(), "tcp://1.2.3.4:2375"));
	unsetenv("DOCKER_HOST");
}

static void test_dead_socket(void **state)
{
	struct dockerapi api;
	struct dockerapi_stream *s;
	int ret;

	(void)state;
	assert_int_equal(dockerapi_init(&api, "/nonexistent/confine/docker.sock"), 0);
	ret = dockerapi_ping(&api);
	assert_true(ret < 0);
	assert_non_null(strstr(err_msg(), "cannot reach the Docker engine at unix:///nonexistent/confine/docker.sock"));
	assert_non_null(strstr(err_msg(), "is dockerd running?"));
	assert_true(dockerapi_stream_open(&api, "/images/x/get", &s) < 0);
	assert_null(s);
	assert_non_null(strstr(err_msg(), "cannot reach the Docker engine"));
	dockerapi_release(&api);
}

static void test_http_error(void **state)
{
	struct fake f = { .status_line = "404 Not Found",
			  .body = "{\"message\":\"no such image: nosuch:latest\"}" };
	struct dockerapi api;
	struct dockerapi_stream *s;
	long status = 0;

	(void)state;
	fake_start(&f);
	assert_int_equal(dockerapi_init(&api, f.path), 0);
	assert_int_equal(dockerapi_request(&api, "GET", "/images/nosuch/json", NULL, NULL, &status),
			 -ENOENT);
	assert_int_equal(status, 404);
	assert_string_equal(err_msg(), "GET /images/nosuch/json: HTTP 404: no such image: nosuch:latest");
	assert_non_null(strstr(f.request, "GET /v1.41/images/nosuch/json HTTP/1.1"));
	assert_int_equal(dockerapi_stream_open(&api, "/images/nosuch/get", &s), -ENOENT);
	assert_non_null(strstr(err_msg(), "no such image: nosuch:latest"));

	f.status_line = "409 Conflict";
	f.body = "not json";
	assert_int_equal(dockerapi_request(&api, "POST", "/containers/x/start", "{}", NULL, &status),
			 -EEXIST);
	assert_string_equal(err_msg(), "POST /containers/x/start: HTTP 409: not json");
	assert_non_null(strstr(f.request, "Content-Type: application/json"));
	dockerapi_release(&api);
	fake_stop(&f);
}

static void test_request_cap(void **state)
{
	struct fake f = { .status_line = "200 OK", .big_len = 300000 };
	struct dockerapi api;
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	fake_start(&f);
	assert_int_equal(dockerapi_init(&api, f.path), 0);
	assert_int_equal(dockerapi_request(&api, "GET", "/big", NULL, &sb, NULL), 0);
	assert_int_equal(sb.len, 300000);
	strbuf_reset(&sb);
	api.response_cap = 1000;
	assert_int_equal(dockerapi_request(&api, "GET", "/big", NULL, &sb, NULL), -EFBIG);
	assert_non_null(strstr(err_msg(), "larger than 1000 bytes"));
	strbuf_release(&sb);
	dockerapi_release(&api);
	fake_stop(&f);
}

static int count_sink(void *ctx, const void *data, size_t len)
{
	size_t *n = ctx;

	(void)data;
	*n += len;
	return *n > 100000 ? err_set(ECANCELED, "enough") : 0;
}

static void test_stream(void **state)
{
	const size_t total = 20u << 20;
	struct fake f = { .status_line = "200 OK", .big_len = total };
	struct dockerapi api;
	struct dockerapi_stream *s;
	const void *data;
	size_t got = 0, seen = 0;
	ssize_t n;
	bool ok = true;

	(void)state;
	fake_start(&f);
	assert_int_equal(dockerapi_init(&api, f.path), 0);
	assert_int_equal(dockerapi_stream_open(&api, "/images/x/get", &s), 0);
	while ((n = dockerapi_stream_read(s, &data)) > 0) {
		const unsigned char *b = data;

		/* The pause keeps the buffer bounded whatever the sender does. */
		assert_true((size_t)n <= (2u << 20));
		for (ssize_t i = 0; i < n; i++)
			ok &= b[i] == (unsigned char)((got + (size_t)i) % 251);
		got += (size_t)n;
	}
	assert_int_equal(n, 0);
	assert_true(ok);
	assert_int_equal(got, total);
	dockerapi_stream_close(s);

	/* Closing early must not hang. */
	assert_int_equal(dockerapi_stream_open(&api, "/images/x/get", &s), 0);
	assert_true(dockerapi_stream_read(s, &data) > 0);
	dockerapi_stream_close(s);

	assert_int_equal(dockerapi_request_stream(&api, "GET", "/logs", NULL, count_sink, &seen, NULL),
			 -ECANCELED);
	assert_string_equal(err_msg(), "enough");
	dockerapi_release(&api);
	fake_stop(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_socket_choice),
		cmocka_unit_test(test_dead_socket),
		cmocka_unit_test(test_http_error),
		cmocka_unit_test(test_request_cap),
		cmocka_unit_test(test_stream),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
