#include "engine/probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/runopts.h"
#include "util/clock.h"
#include "util/curlrt.h"
#include "util/error.h"
#include "util/words.h"
#include "util/xalloc.h"

#define PROBE_RETRY_MS 100

static bool host_allowed(const char *h)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (!strcmp(h, "localhost"))
		return true;
	if (inet_pton(AF_INET, h, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, h, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return false;
}

static char **argv_dup3(const char *a, const char *b, const char *c)
{
	char **v = xcalloc(4, sizeof(*v));

	v[0] = xstrdup(a);
	v[1] = xstrdup(b);
	v[2] = c ? xstrdup(c) : NULL;
	return v;
}

int probe_parse(const char *spec, struct probe *p)
{
	memset(p, 0, sizeof(*p));
	if (!strncmp(spec, "http://", 7)) {
		/* host is between "//" and the next ':' '/' or end; IPv6 in []. */
		const char *h = spec + 7, *e;
		char *host;

		if (*h == '[') {
			e = strchr(h, ']');
			if (!e)
				return err_set(EINVAL, "bad health check '%s': unterminated [", spec);
			host = xstrndup(h + 1, (size_t)(e - h - 1));
		} else {
			e = h + strcspn(h, ":/?");
			host = xstrndup(h, (size_t)(e - h));
		}
		if (!host_allowed(host)) {
			free(host);
			return err_set(EINVAL, "health check '%s': only loopback addresses are probed", spec);
		}
		free(host);
		p->kind = PROBE_HTTP;
		p->url = xstrdup(spec);
	} else if (!strncmp(spec, "tcp:", 4) || !strncmp(spec, "tcp://", 6)) {
		const char *hp = spec + (spec[3] == ':' && spec[4] == '/' ? 6 : 4);
		const char *colon = strrchr(hp, ':');
		char *end;
		long port;

		if (!colon)
			return err_set(EINVAL, "bad health check '%s': expected tcp:HOST:PORT", spec);
		port = strtol(colon + 1, &end, 10);
		if (end == colon + 1 || *end || port < 1 || port > 65535)
			return err_set(EINVAL, "bad health check '%s': bad port", spec);
		p->host = xstrndup(hp, (size_t)(colon - hp));
		if (p->host[0] == '[') {
			size_t n = strlen(p->host);

			memmove(p->host, p->host + 1, n);
			if (n >= 2 && p->host[n - 2] == ']')
				p->host[n - 2] = '\0';
		}
		if (!host_allowed(p->host)) {
			probe_release(p);
			return err_set(EINVAL, "health check '%s': only loopback addresses are probed", spec);
		}
		p->kind = PROBE_TCP;
		p->port = (int)port;
	} else if (!strncmp(spec, "cmd:", 4)) {
		if (!spec[4])
			return err_set(EINVAL, "bad health check '%s': empty command", spec);
		p->kind = PROBE_EXEC;
		p->argv = argv_dup3("/bin/sh", "-c", spec + 4);
	} else if (!strncmp(spec, "host:", 5)) {
		if (!spec[5])
			return err_set(EINVAL, "bad health check '%s': empty command", spec);
		p->kind = PROBE_HOST;
		p->argv = argv_dup3("/bin/sh", "-c", spec + 5);
	} else if (!strncmp(spec, "exec:", 5)) {
		int argc, ret = words_split(spec + 5, &p->argv, &argc);

		if (ret < 0)
			return err_wrap(ret, "bad health check '%s'", spec);
		if (!argc) {
			probe_release(p);
			return err_set(EINVAL, "bad health check '%s': empty command", spec);
		}
		p->kind = PROBE_EXEC;
	} else {
		return err_set(EINVAL,
			       "bad health check '%s': expected http://HOST:PORT/PATH, tcp:HOST:PORT, "
			       "cmd:SHELL-COMMAND, exec:ARGV or host:SHELL-COMMAND",
			       spec);
	}
	p->spec = xstrdup(spec);
	return 0;
}

int probe_from_healthcheck(char *const *test, size_t nr, struct probe *p)
{
	memset(p, 0, sizeof(*p));
	if (!test || !nr || !strcmp(test[0], "NONE"))
		return 0;
	if (!strcmp(test[0], "CMD-SHELL") && nr >= 2) {
		p->argv = argv_dup3("/bin/sh", "-c", test[1]);
	} else if (!strcmp(test[0], "CMD") && nr >= 2) {
		p->argv = xcalloc(nr, sizeof(*p->argv));
		for (size_t i = 1; i < nr; i++)
			p->argv[i - 1] = xstrdup(test[i]);
	} else {
		/* As the engine does: it warns and runs no check. */
		warn_add("the image's health check %s '%s' is not CMD or CMD-SHELL with a command: "
			 "no health check runs", nr >= 2 ? test[0] : "test", test[nr - 1]);
		return 0;
	}
	p->kind = PROBE_EXEC;
	{
		/*
		 * Its whole command, for messages, as a Dockerfile says it (the
		 * image's, or a run's --health-cmd): "HEALTHCHECK CMD /usr/bin/stat -f /".
		 */
		struct strbuf sb = STRBUF_INIT;

		strbuf_addf(&sb, "HEALTHCHECK %s", test[0]);
		for (size_t i = 1; i < nr; i++)
			strbuf_addf(&sb, " %s", test[i]);
		p->spec = strbuf_detach(&sb, NULL);
	}
	return 0;
}

void probe_release(struct probe *p)
{
	free(p->url);
	free(p->host);
	if (p->argv) {
		for (size_t i = 0; p->argv[i]; i++)
			free(p->argv[i]);
		free(p->argv);
	}
	free(p->spec);
	memset(p, 0, sizeof(*p));
}

static size_t discard(char *ptr, size_t size, size_t nmemb, void *ud)
{
	(void)ptr;
	(void)ud;
	return size * nmemb;
}

static int try_http(const struct probe *p, long budget_ms)
{
	const struct curlrt *cu = curlrt();
	CURL *c = cu ? cu->easy_init() : NULL;
	CURLcode rc;
	long code = 0;
	int ret;

	if (!cu)
		return -ELIBACC;
	if (!c)
		return err_set(ENOMEM, "cannot set up an HTTP client");
	cu->easy_setopt(c, CURLOPT_URL, p->url);
	cu->easy_setopt(c, CURLOPT_NOPROXY, "*");
	cu->easy_setopt(c, CURLOPT_TIMEOUT_MS, budget_ms < 100 ? 100L : budget_ms);
	cu->easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, budget_ms < 100 ? 100L : budget_ms);
	cu->easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	cu->easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	cu->easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http");
	rc = cu->easy_perform(c);
	if (rc != CURLE_OK) {
		ret = err_set(ECONNREFUSED, "GET %s: %s", p->url, cu->easy_strerror(rc));
	} else {
		cu->easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
		ret = code >= 200 && code < 400 ? 0 : err_set(EIO, "GET %s: HTTP %ld", p->url, code);
	}
	cu->easy_cleanup(c);
	return ret;
}

static int try_tcp(const struct probe *p, long budget_ms)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV };
	struct addrinfo *res = NULL, *ai;
	char port[8];
	int ret = -ECONNREFUSED, gai;

	snprintf(port, sizeof(port), "%d", p->port);
	gai = getaddrinfo(p->host, port, &hints, &res);
	if (gai)
		return err_set(EINVAL, "cannot resolve '%s': %s", p->host, gai_strerror(gai));
	for (ai = res; ai; ai = ai->ai_next) {
		int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
				ai->ai_protocol);
		struct pollfd pfd;
		int soerr = 0;
		socklen_t sl = sizeof(soerr);

		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
			ret = 0;
		} else if (errno == EINPROGRESS) {
			pfd.fd = fd;
			pfd.events = POLLOUT;
			if (poll(&pfd, 1, (int)(budget_ms < 100 ? 100 : budget_ms)) == 1 &&
			    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 && !soerr)
				ret = 0;
			else
				ret = -(soerr ? soerr : ETIMEDOUT);
		} else {
			ret = -errno;
		}
		close(fd);
		if (!ret)
			break;
	}
	freeaddrinfo(res);
	if (ret)
		return err_set(-ret, "connect to %s:%d: %s", p->host, p->port, strerror(-ret));
	return 0;
}

static int try_exec(const struct probe *p, struct dockerapi *api, const struct container *c,
		    long budget_ms)
{
	int code = -1, ret = container_exec(api, c, p->argv, budget_ms, &code, NULL);

	if (ret < 0)
		return ret;
	if (code != 0)
		return err_set(EIO, "'%s' exited with %d", p->spec, code);
	return 0;
}

/*
 * host: the shell command on the host, in a process group of its own with
 * its output discarded; killed (the whole group) when the budget is over.
 */
static int try_host(const struct probe *p, long budget_ms)
{
	long end = clock_now_ms() + budget_ms;
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return err_set(errno, "'%s': cannot start the shell: %s", p->spec, strerror(errno));
	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

		setpgid(0, 0);
		if (fd >= 0) {
			dup2(fd, STDIN_FILENO);
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		execv(p->argv[0], p->argv);
		_exit(127);
	}
	setpgid(pid, pid);
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			break;
		if ((w < 0 && errno != EINTR) || container_interrupted || clock_now_ms() >= end) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			return err_set(ETIMEDOUT, "'%s' still running after %ld ms", p->spec, budget_ms);
		}
		struct timespec ts = { 0, 20 * 1000000L };

		nanosleep(&ts, NULL);
	}
	if (WIFSIGNALED(status))
		return err_set(EIO, "'%s' was killed by signal %d", p->spec, WTERMSIG(status));
	if (WEXITSTATUS(status) != 0)
		return err_set(EIO, "'%s' exited with %d", p->spec, WEXITSTATUS(status));
	return 0;
}

int probe_run(const struct probe *p, struct dockerapi *api, const struct container *c,
	      long timeout_ms)
{
	long end = clock_now_ms() + timeout_ms;
	int ret = 0;

	if (p->kind == PROBE_NONE)
		return 0;
	for (;;) {
		long left = end - clock_now_ms();

		/*
		 * One slow connection must not eat the whole budget: retry
		 * instead.  A command (exec:, cmd:, host:) may take as long as it
		 * needs: rabbitmqctl starts an Erlang VM, a psql script runs SQL
		 * that a cut attempt would half apply.
		 */
		if (left > 1000 && p->kind != PROBE_HOST && p->kind != PROBE_EXEC)
			left = 1000;
		if (left < 100)
			left = 100;
		switch (p->kind) {
		case PROBE_HTTP:
			ret = try_http(p, left);
			break;
		case PROBE_TCP:
			ret = try_tcp(p, left);
			break;
		case PROBE_EXEC:
			ret = try_exec(p, api, c, left);
			break;
		case PROBE_HOST:
			ret = try_host(p, left);
			break;
		case PROBE_NONE:
			break;
		}
		if (!ret || container_interrupted || clock_now_ms() + PROBE_RETRY_MS >= end)
			break;
		struct timespec ts = { 0, PROBE_RETRY_MS * 1000000L };

		nanosleep(&ts, NULL);
	}
	if (ret < 0)
		err_wrap(ret, "health check '%s' failed", p->spec);
	return ret;
}

int probe_from_image(struct dockerapi *api, const char *image, struct probe *p)
{
	char *esc = dockerapi_escape(image), *path = xasprintf("/images/%s/json", esc);
	struct strbuf sb;
	json_t *root, *test, *e;
	json_error_t jerr;
	char **argv = NULL;
	size_t nr = 0, i;
	int ret;

	memset(p, 0, sizeof(*p));
	strbuf_init(&sb, 16u << 20);
	ret = dockerapi_request(api, "GET", path, NULL, &sb, NULL);
	free(path);
	free(esc);
	if (ret == -ENOENT) {
		strbuf_release(&sb);
		return err_set(ENOENT, "no such image '%s' (pull or build it first)", image);
	}
	if (ret < 0) {
		strbuf_release(&sb);
		return ret;
	}
	root = json_loadb(sb.buf ? sb.buf : "", sb.len, 0, &jerr);
	strbuf_release(&sb);
	if (!root)
		return err_set(EBADMSG, "image '%s': engine answered invalid JSON", image);
	test = json_object_get(json_object_get(json_object_get(root, "Config"), "Healthcheck"), "Test");
	if (json_is_array(test) && json_array_size(test) && json_array_size(test) < 1024) {
		argv = xcalloc(json_array_size(test) + 1, sizeof(*argv));
		json_array_foreach(test, i, e)
			argv[nr++] = xstrdup(json_is_string(e) ? json_string_value(e) : "");
		ret = probe_from_healthcheck(argv, nr, p);
		for (i = 0; i < nr; i++)
			free(argv[i]);
		free(argv);
	}
	json_decref(root);
	return ret;
}
