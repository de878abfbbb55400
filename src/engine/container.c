#include "engine/container.h"

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/error.h"
#include "util/xalloc.h"

#define INSPECT_CAP (4u << 20)
#define LOG_CAP_DEFAULT (16u << 20)
#define POLL_MS 25

volatile sig_atomic_t container_interrupted;

void strlist_push(struct strlist *l, const char *s)
{
	ALLOC_GROW(l->v, l->nr + 1, l->alloc);
	l->v[l->nr++] = xstrdup(s);
}

void strlist_pushf(struct strlist *l, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	ALLOC_GROW(l->v, l->nr + 1, l->alloc);
	l->v[l->nr++] = s;
}

void strlist_clear(struct strlist *l)
{
	for (size_t i = 0; i < l->nr; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->nr = l->alloc = 0;
}

static void strlist_copy(struct strlist *dst, const struct strlist *src)
{
	memset(dst, 0, sizeof(*dst));
	for (size_t i = 0; i < src->nr; i++)
		strlist_push(dst, src->v[i]);
}

void container_spec_init(struct container_spec *spec)
{
	memset(spec, 0, sizeof(*spec));
	spec->stop_timeout = -1;
}

/* Every strlist member, so release and copy cannot forget one. */
#define SPEC_LISTS(X)                                                          \
	X(entrypoint) X(cmd) X(env) X(ports) X(port_bindings) X(binds)         \
	X(volumes) X(tmpfs) X(links) X(labels) X(cap_add) X(cap_drop)          \
	X(security_opt) X(extra_hosts) X(dns) X(group_add) X(devices)          \
	X(ulimits) X(sysctls) X(health_cmd)
#define SPEC_STRINGS(X)                                                        \
	X(image) X(name) X(network) X(user) X(workdir) X(hostname) X(ipc)      \
	X(pid_mode) X(uts) X(stop_signal) X(seccomp)

void container_spec_release(struct container_spec *spec)
{
#define REL_LIST(m) strlist_clear(&spec->m);
#define REL_STR(m) free(spec->m);
	SPEC_LISTS(REL_LIST)
	SPEC_STRINGS(REL_STR)
#undef REL_LIST
#undef REL_STR
	container_spec_init(spec);
}

void container_spec_copy(struct container_spec *dst, const struct container_spec *src)
{
	*dst = *src;
#define CP_LIST(m) strlist_copy(&dst->m, &src->m);
#define CP_STR(m) dst->m = xstrdup_or_null(src->m);
	SPEC_LISTS(CP_LIST)
	SPEC_STRINGS(CP_STR)
#undef CP_LIST
#undef CP_STR
}

/* The name part of "NAME=VALUE" is the same in a and b. */
static bool same_var(const char *a, const char *b)
{
	size_t la = strcspn(a, "="), lb = strcspn(b, "=");

	return la == lb && !strncmp(a, b, la);
}

void container_spec_config(const struct container_spec *spec, const struct image_config *image,
			   struct image_config *out)
{
	image_config_copy(out, image);
	if (spec->entrypoint_set) {
		free_strv(out->entrypoint, out->entrypoint_nr);
		out->entrypoint = strv_dup(spec->entrypoint.v, spec->entrypoint.nr);
		out->entrypoint_nr = spec->entrypoint.nr;
	}
	if (spec->cmd_set || (spec->entrypoint_set && spec->entrypoint.nr)) {
		free_strv(out->cmd, out->cmd_nr);
		out->cmd = strv_dup(spec->cmd.v, spec->cmd.nr);
		out->cmd_nr = spec->cmd.nr;
	}
	if (spec->env.nr) {
		char **env = xcalloc(spec->env.nr + out->env_nr + 1, sizeof(*env));
		size_t n = 0;

		/* The engine's order: the run's variables, then the image's it does not replace. */
		for (size_t i = 0; i < spec->env.nr; i++)
			env[n++] = xstrdup(spec->env.v[i]);
		for (size_t i = 0; i < out->env_nr; i++) {
			bool replaced = false;

			for (size_t k = 0; k < spec->env.nr && !replaced; k++)
				replaced = same_var(out->env[i], spec->env.v[k]);
			if (replaced)
				free(out->env[i]);
			else
				env[n++] = out->env[i];
		}
		free(out->env);
		out->env = env;
		out->env_nr = n;
	}
	if (spec->workdir && *spec->workdir) {
		free(out->working_dir);
		out->working_dir = xstrdup(spec->workdir);
	}
	/* --health-cmd runs with the shell; --no-healthcheck turns the image's off. */
	if (spec->no_healthcheck || spec->health_cmd.nr) {
		free_strv(out->healthcheck.test, out->healthcheck.test_nr);
		out->healthcheck.test = xcalloc(2, sizeof(char *));
		out->healthcheck.test[0] = xstrdup(spec->no_healthcheck ? "NONE" : "CMD-SHELL");
		out->healthcheck.test_nr = 1;
		if (!spec->no_healthcheck)
			out->healthcheck.test[out->healthcheck.test_nr++] = xstrdup(spec->health_cmd.v[0]);
	}
}

static json_t *json_strlist(const struct strlist *l)
{
	json_t *a = json_array();

	for (size_t i = 0; i < l->nr; i++)
		json_array_append_new(a, json_string(l->v[i]));
	return a;
}

/* "KEY=VALUE" items as an object; a missing '=' means an empty value. */
static json_t *json_kv(const struct strlist *l, char sep)
{
	json_t *o = json_object();

	for (size_t i = 0; i < l->nr; i++) {
		const char *eq = strchr(l->v[i], sep);
		char *k = eq ? xstrndup(l->v[i], (size_t)(eq - l->v[i])) : xstrdup(l->v[i]);

		json_object_set_new(o, k, json_string(eq ? eq + 1 : ""));
		free(k);
	}
	return o;
}

static void json_set_str(json_t *o, const char *key, const char *v)
{
	if (v)
		json_object_set_new(o, key, json_string(v));
}

char *container_spec_json(const struct container_spec *spec, const char *run_id)
{
	json_t *root = json_object(), *hc = json_object(), *labels, *o;
	char *out;

	json_set_str(root, "Image", spec->image);
	if (spec->entrypoint_set)
		json_object_set_new(root, "Entrypoint", json_strlist(&spec->entrypoint));
	if (spec->cmd_set)
		json_object_set_new(root, "Cmd", json_strlist(&spec->cmd));
	if (spec->env.nr)
		json_object_set_new(root, "Env", json_strlist(&spec->env));
	json_set_str(root, "User", spec->user);
	json_set_str(root, "WorkingDir", spec->workdir);
	json_set_str(root, "Hostname", spec->hostname);
	json_set_str(root, "StopSignal", spec->stop_signal);
	if (spec->stop_timeout >= 0)
		json_object_set_new(root, "StopTimeout", json_integer(spec->stop_timeout));
	json_object_set_new(root, "Tty", json_boolean(spec->tty));
	json_object_set_new(root, "OpenStdin", json_boolean(spec->open_stdin));
	labels = json_kv(&spec->labels, '=');
	json_object_set_new(labels, CONTAINER_RUN_LABEL, json_string(run_id));
	json_object_set_new(root, "Labels", labels);
	if (spec->ports.nr) {
		o = json_object();
		for (size_t i = 0; i < spec->ports.nr; i++)
			json_object_set_new(o, spec->ports.v[i], json_object());
		json_object_set_new(root, "ExposedPorts", o);
	}
	if (spec->volumes.nr) {
		o = json_object();
		for (size_t i = 0; i < spec->volumes.nr; i++)
			json_object_set_new(o, spec->volumes.v[i], json_object());
		json_object_set_new(root, "Volumes", o);
	}
	if (spec->no_healthcheck || spec->health_cmd.nr) {
		o = json_object();
		if (spec->no_healthcheck) {
			json_object_set_new(o, "Test", json_pack("[s]", "NONE"));
		} else {
			json_t *t = json_pack("[s]", "CMD-SHELL");

			json_t *cmd = json_strlist(&spec->health_cmd);

			json_array_extend(t, cmd);
			json_decref(cmd);
			json_object_set_new(o, "Test", t);
		}
		json_object_set_new(root, "Healthcheck", o);
	}

	json_set_str(hc, "NetworkMode", spec->network);
	if (spec->port_bindings.nr) {
		o = json_object();
		for (size_t i = 0; i < spec->port_bindings.nr; i++) {
			/* "80/tcp|ip|hostport" */
			char *dup = xstrdup(spec->port_bindings.v[i]);
			char *ip = strchr(dup, '|'), *hp;
			json_t *arr;

			*ip++ = '\0';
			hp = strchr(ip, '|');
			*hp++ = '\0';
			arr = json_object_get(o, dup);
			if (!arr) {
				arr = json_array();
				json_object_set_new(o, dup, arr);
			}
			json_array_append_new(arr, json_pack("{s:s,s:s}", "HostIp", ip, "HostPort", hp));
			free(dup);
		}
		json_object_set_new(hc, "PortBindings", o);
	}
	if (spec->publish_all)
		json_object_set_new(hc, "PublishAllPorts", json_true());
	if (spec->binds.nr)
		json_object_set_new(hc, "Binds", json_strlist(&spec->binds));
	if (spec->links.nr)
		json_object_set_new(hc, "Links", json_strlist(&spec->links));
	if (spec->tmpfs.nr)
		json_object_set_new(hc, "Tmpfs", json_kv(&spec->tmpfs, '|'));
	if (spec->cap_add.nr)
		json_object_set_new(hc, "CapAdd", json_strlist(&spec->cap_add));
	if (spec->cap_drop.nr)
		json_object_set_new(hc, "CapDrop", json_strlist(&spec->cap_drop));
	if (spec->extra_hosts.nr)
		json_object_set_new(hc, "ExtraHosts", json_strlist(&spec->extra_hosts));
	if (spec->dns.nr)
		json_object_set_new(hc, "Dns", json_strlist(&spec->dns));
	if (spec->group_add.nr)
		json_object_set_new(hc, "GroupAdd", json_strlist(&spec->group_add));
	if (spec->devices.nr) {
		json_t *a = json_array();

		for (size_t i = 0; i < spec->devices.nr; i++) {
			/* "host[:ctr[:perms]]" */
			char *dup = xstrdup(spec->devices.v[i]);
			char *c1 = strchr(dup, ':'), *c2 = NULL;

			if (c1) {
				*c1++ = '\0';
				c2 = strchr(c1, ':');
				if (c2)
					*c2++ = '\0';
			}
			json_array_append_new(a, json_pack("{s:s,s:s,s:s}", "PathOnHost", dup,
							   "PathInContainer", c1 && *c1 ? c1 : dup,
							   "CgroupPermissions", c2 && *c2 ? c2 : "rwm"));
			free(dup);
		}
		json_object_set_new(hc, "Devices", a);
	}
	if (spec->ulimits.nr) {
		json_t *a = json_array();

		for (size_t i = 0; i < spec->ulimits.nr; i++) {
			/* "name=soft:hard" (checked by runopts) */
			char *dup = xstrdup(spec->ulimits.v[i]);
			char *eq = strchr(dup, '='), *colon;
			long long soft, hard;

			*eq++ = '\0';
			soft = strtoll(eq, &colon, 10);
			hard = *colon == ':' ? strtoll(colon + 1, NULL, 10) : soft;
			json_array_append_new(a, json_pack("{s:s,s:I,s:I}", "Name", dup, "Soft",
							   (json_int_t)soft, "Hard", (json_int_t)hard));
			free(dup);
		}
		json_object_set_new(hc, "Ulimits", a);
	}
	if (spec->sysctls.nr)
		json_object_set_new(hc, "Sysctls", json_kv(&spec->sysctls, '='));
	json_set_str(hc, "IpcMode", spec->ipc);
	json_set_str(hc, "PidMode", spec->pid_mode);
	json_set_str(hc, "UTSMode", spec->uts);
	if (spec->read_only)
		json_object_set_new(hc, "ReadonlyRootfs", json_true());
	if (spec->init)
		json_object_set_new(hc, "Init", json_true());
	if (spec->shm_size)
		json_object_set_new(hc, "ShmSize", json_integer(spec->shm_size));
	if (spec->memory)
		json_object_set_new(hc, "Memory", json_integer(spec->memory));
	if (spec->nano_cpus)
		json_object_set_new(hc, "NanoCpus", json_integer(spec->nano_cpus));
	{
		json_t *so = json_strlist(&spec->security_opt);

		if (spec->seccomp) {
			char *s = xasprintf("seccomp=%s", spec->seccomp);

			json_array_append_new(so, json_string(s));
			free(s);
		}
		if (json_array_size(so))
			json_object_set_new(hc, "SecurityOpt", so);
		else
			json_decref(so);
	}
	json_object_set_new(root, "HostConfig", hc);

	out = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (!out)
		abort();
	return out;
}

/* The registry of containers to remove. */
static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static char **reg_ids;
static size_t reg_nr, reg_alloc;

static void reg_add(const char *id)
{
	pthread_mutex_lock(&reg_lock);
	ALLOC_GROW(reg_ids, reg_nr + 1, reg_alloc);
	reg_ids[reg_nr++] = xstrdup(id);
	pthread_mutex_unlock(&reg_lock);
}

static void reg_del(const char *id)
{
	pthread_mutex_lock(&reg_lock);
	for (size_t i = 0; i < reg_nr; i++) {
		if (!strcmp(reg_ids[i], id)) {
			free(reg_ids[i]);
			reg_ids[i] = reg_ids[--reg_nr];
			break;
		}
	}
	pthread_mutex_unlock(&reg_lock);
}

static char run_id[64];
static pthread_once_t run_id_once = PTHREAD_ONCE_INIT;

static void run_id_init(void)
{
	unsigned r = 0;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
		r = (unsigned)clock();
	snprintf(run_id, sizeof(run_id), "%d-%lld-%08x", (int)getpid(), (long long)time(NULL), r);
}

const char *container_run_id(void)
{
	pthread_once(&run_id_once, run_id_init);
	return run_id;
}

static int get_json(struct dockerapi *api, const char *method, const char *path,
		    const char *body, json_t **out)
{
	struct strbuf sb;
	json_error_t jerr;
	size_t saved = api->response_cap;
	int ret;

	strbuf_init(&sb, INSPECT_CAP);
	api->response_cap = INSPECT_CAP;
	ret = dockerapi_request(api, method, path, body, &sb, NULL);
	api->response_cap = saved;
	if (ret < 0)
		goto out;
	*out = json_loadb(sb.buf ? sb.buf : "", sb.len, 0, &jerr);
	if (!*out)
		ret = err_set(EBADMSG, "%s %s: engine answered invalid JSON: %s", method, path,
			      jerr.text);
out:
	strbuf_release(&sb);
	return ret;
}

int container_create(struct dockerapi *api, const struct container_spec *spec,
		     struct container *out)
{
	char *body, *path, *esc = NULL;
	json_t *resp = NULL;
	const char *id;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!spec->image || !*spec->image)
		return err_set(EINVAL, "cannot create a container: no image given");
	body = container_spec_json(spec, container_run_id());
	if (spec->name) {
		esc = dockerapi_escape(spec->name);
		path = xasprintf("/containers/create?name=%s", esc);
	} else {
		path = xstrdup("/containers/create");
	}
	ret = get_json(api, "POST", path, body, &resp);
	if (ret == -ENOENT) {
		err_set(ENOENT, "no such image '%s' (pull or build it first)", spec->image);
		goto out;
	}
	if (ret < 0) {
		err_wrap(ret, "cannot create a container from '%s'", spec->image);
		goto out;
	}
	id = json_string_value(json_object_get(resp, "Id"));
	if (!id || !*id) {
		ret = err_set(EBADMSG, "cannot create a container from '%s': engine answered no Id",
			      spec->image);
		goto out;
	}
	out->id = xstrdup(id);
	out->run_id = xstrdup(container_run_id());
	out->tty = spec->tty;
	reg_add(out->id);
out:
	json_decref(resp);
	free(esc);
	free(path);
	free(body);
	return ret;
}

static char *short_id(const struct container *c)
{
	return xstrndup(c->id, 12);
}

static int simple_post(struct dockerapi *api, const struct container *c, const char *what,
		       const char *fmt_suffix)
{
	char *path = xasprintf("/containers/%s/%s%s", c->id, what, fmt_suffix ? fmt_suffix : "");
	long status = 0;
	int ret = dockerapi_request(api, "POST", path, NULL, NULL, &status);

	free(path);
	return ret;
}

int container_start(struct dockerapi *api, const struct container *c)
{
	int ret = simple_post(api, c, "start", NULL);

	if (ret < 0) {
		char *s = short_id(c);

		err_wrap(ret, "cannot start container %s", s);
		free(s);
	}
	return ret;
}

int container_stop(struct dockerapi *api, const struct container *c, int timeout_s)
{
	char q[32];
	int ret;

	snprintf(q, sizeof(q), "?t=%d", timeout_s < 0 ? 0 : timeout_s);
	ret = simple_post(api, c, "stop", q);
	/* 304: already stopped. */
	return ret;
}

int container_kill(struct dockerapi *api, const struct container *c, const char *signal)
{
	char *q = xasprintf("?signal=%s", signal ? signal : "KILL");
	int ret = simple_post(api, c, "kill", q);

	free(q);
	if (ret == -EEXIST) { /* 409: not running */
		err_clear();
		ret = 0;
	}
	return ret;
}

void container_state_release(struct container_state *st)
{
	free(st->status);
	free(st->error);
	free(st->health);
	free(st->started_at);
	free(st->finished_at);
	memset(st, 0, sizeof(*st));
}

static char *json_dup(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s && *s ? xstrdup(s) : NULL;
}

int container_inspect(struct dockerapi *api, const struct container *c,
		      struct container_state *st)
{
	char *path = xasprintf("/containers/%s/json", c->id);
	json_t *resp = NULL, *state;
	int ret;

	memset(st, 0, sizeof(*st));
	ret = get_json(api, "GET", path, NULL, &resp);
	free(path);
	if (ret < 0)
		return ret;
	state = json_object_get(resp, "State");
	if (!json_is_object(state)) {
		json_decref(resp);
		return err_set(EBADMSG, "inspect of container %.12s has no State", c->id);
	}
	st->running = json_is_true(json_object_get(state, "Running"));
	st->oom_killed = json_is_true(json_object_get(state, "OOMKilled"));
	st->pid = (int)json_integer_value(json_object_get(state, "Pid"));
	st->exit_code = (int)json_integer_value(json_object_get(state, "ExitCode"));
	st->status = json_dup(state, "Status");
	st->error = json_dup(state, "Error");
	st->started_at = json_dup(state, "StartedAt");
	st->finished_at = json_dup(state, "FinishedAt");
	st->health = json_dup(json_object_get(state, "Health"), "Status");
	json_decref(resp);
	return 0;
}

int container_wait(struct dockerapi *api, const struct container *c, long timeout_ms,
		   int *exit_code)
{
	long end = clock_now_ms() + timeout_ms;
	struct container_state st;
	int ret;

	for (;;) {
		ret = container_inspect(api, c, &st);
		if (ret < 0)
			return ret;
		if (!st.running && st.status && strcmp(st.status, "created") != 0) {
			*exit_code = st.exit_code;
			container_state_release(&st);
			return 0;
		}
		container_state_release(&st);
		if (container_interrupted)
			return err_set(EINTR, "interrupted");
		if (clock_now_ms() >= end)
			return -ETIMEDOUT;
		clock_sleep_ms(POLL_MS);
	}
}

int container_demux(const void *data, size_t len, struct strbuf *out, struct strbuf *err)
{
	const unsigned char *p = data;
	size_t off = 0;

	while (off < len) {
		uint32_t n;
		struct strbuf *dst;

		if (!range_ok(off, 8, len))
			return err_set(EBADMSG, "log stream: truncated frame header at byte %zu", off);
		if (p[off] > 2 || p[off + 1] || p[off + 2] || p[off + 3])
			return err_set(EBADMSG, "log stream: bad frame header at byte %zu", off);
		n = (uint32_t)p[off + 4] << 24 | (uint32_t)p[off + 5] << 16 |
		    (uint32_t)p[off + 6] << 8 | p[off + 7];
		dst = p[off] == 2 ? err : out;
		off += 8;
		if (!range_ok(off, n, len))
			return err_set(EBADMSG, "log stream: frame of %u bytes past the end", n);
		/* A full buffer drops the rest (the caller sees -EFBIG via truncation). */
		if (dst)
			(void)strbuf_add(dst, p + off, n);
		off += n;
	}
	return 0;
}

int container_logs(struct dockerapi *api, const struct container *c, size_t cap,
		   struct strbuf *out, struct strbuf *err, bool *truncated)
{
	char *path = xasprintf("/containers/%s/logs?stdout=1&stderr=1", c->id);
	struct strbuf raw;
	size_t saved = api->response_cap;
	int ret;

	if (!cap)
		cap = LOG_CAP_DEFAULT;
	if (truncated)
		*truncated = false;
	/* Room for the frame headers of a capped log. */
	strbuf_init(&raw, cap * 2 + 4096);
	api->response_cap = cap * 2 + 4096;
	ret = dockerapi_request(api, "GET", path, NULL, &raw, NULL);
	api->response_cap = saved;
	free(path);
	if (ret == -EFBIG) {
		if (truncated)
			*truncated = true;
		err_clear();
		ret = 0;
	}
	if (ret < 0)
		goto out;
	if (c->tty) {
		(void)strbuf_add(out, raw.buf ? raw.buf : "", raw.len);
	} else {
		size_t good = 0;
		const unsigned char *p = (const unsigned char *)raw.buf;

		/* A log cut at the cap ends mid-frame: demux only whole frames. */
		while (good + 8 <= raw.len) {
			uint32_t n = (uint32_t)p[good + 4] << 24 | (uint32_t)p[good + 5] << 16 |
				     (uint32_t)p[good + 6] << 8 | p[good + 7];

			if (!range_ok(good + 8, n, raw.len))
				break;
			good += 8 + n;
		}
		if (good != raw.len && truncated)
			*truncated = true;
		ret = container_demux(raw.buf, good, out, err);
	}
	if (truncated && (out->len >= cap || (err && err->len >= cap)))
		*truncated = true;
out:
	strbuf_release(&raw);
	return ret;
}

int container_exec(struct dockerapi *api, const struct container *c, char *const argv[],
		   long timeout_ms, int *exit_code, struct strbuf *output)
{
	json_t *req = json_object(), *cmd = json_array(), *resp = NULL;
	char *body, *path = NULL, *exec_id = NULL;
	long end = clock_now_ms() + timeout_ms;
	int ret;

	for (size_t i = 0; argv[i]; i++)
		json_array_append_new(cmd, json_string(argv[i]));
	json_object_set_new(req, "AttachStdout", json_false());
	json_object_set_new(req, "AttachStderr", json_false());
	json_object_set_new(req, "Cmd", cmd);
	body = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	path = xasprintf("/containers/%s/exec", c->id);
	ret = get_json(api, "POST", path, body, &resp);
	free(body);
	free(path);
	path = NULL;
	if (ret < 0)
		return err_wrap(ret, "cannot exec '%s' in container %.12s", argv[0], c->id);
	exec_id = json_dup(resp, "Id");
	json_decref(resp);
	resp = NULL;
	if (!exec_id)
		return err_set(EBADMSG, "exec in container %.12s: engine answered no Id", c->id);
	path = xasprintf("/exec/%s/start", exec_id);
	ret = dockerapi_request(api, "POST", path, "{\"Detach\":true,\"Tty\":false}", NULL, NULL);
	free(path);
	if (ret < 0) {
		err_wrap(ret, "cannot exec '%s' in container %.12s", argv[0], c->id);
		goto out;
	}
	path = xasprintf("/exec/%s/json", exec_id);
	for (;;) {
		ret = get_json(api, "GET", path, NULL, &resp);
		if (ret < 0)
			break;
		if (!json_is_true(json_object_get(resp, "Running")) &&
		    json_integer_value(json_object_get(resp, "Pid")) != 0) {
			*exit_code = (int)json_integer_value(json_object_get(resp, "ExitCode"));
			break;
		}
		json_decref(resp);
		resp = NULL;
		if (container_interrupted) {
			ret = err_set(EINTR, "interrupted");
			break;
		}
		if (clock_now_ms() >= end) {
			ret = err_set(ETIMEDOUT, "command '%s' in container %.12s still running after %ld ms",
				      argv[0], c->id, timeout_ms);
			break;
		}
		clock_sleep_ms(POLL_MS);
	}
	free(path);
	(void)output;
out:
	json_decref(resp);
	free(exec_id);
	return ret;
}

int container_remove(struct dockerapi *api, const struct container *c)
{
	char *path = xasprintf("/containers/%s?force=1&v=1", c->id);
	int ret = dockerapi_request(api, "DELETE", path, NULL, NULL, NULL);

	free(path);
	if (ret == -ENOENT) {
		err_clear();
		ret = 0;
	}
	/* 409 "removal already in progress" also means it is going away. */
	if (ret == -EEXIST) {
		err_clear();
		ret = 0;
	}
	if (ret == 0)
		reg_del(c->id);
	return ret;
}

void container_release(struct container *c)
{
	free(c->id);
	free(c->run_id);
	memset(c, 0, sizeof(*c));
}

int container_cleanup_all(struct dockerapi *api)
{
	int first_err = 0, removed = 0;

	for (;;) {
		struct container c = { 0 };
		int ret;

		pthread_mutex_lock(&reg_lock);
		if (!reg_nr) {
			pthread_mutex_unlock(&reg_lock);
			break;
		}
		c.id = xstrdup(reg_ids[reg_nr - 1]);
		pthread_mutex_unlock(&reg_lock);
		ret = container_remove(api, &c);
		if (ret < 0) {
			if (!first_err)
				first_err = ret;
			reg_del(c.id); /* do not loop forever on one that will not go */
		} else {
			removed++;
		}
		container_release(&c);
	}
	return first_err ? first_err : removed;
}

/* Is the run that owns label value 'v' ("pid-time-rand") still alive? */
static bool run_alive(const char *v)
{
	char *end, path[64], comm[64] = "";
	long pid = strtol(v, &end, 10);
	FILE *f;

	if (end == v || *end != '-' || pid <= 0 || pid > 4194304)
		return false;
	if (!strcmp(v, container_run_id()))
		return true; /* ours: the registry handles them */
	snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	if (!fgets(comm, sizeof(comm), f))
		comm[0] = '\0';
	fclose(f);
	comm[strcspn(comm, "\n")] = '\0';
	/* Test binaries (test_engine...) create containers too. */
	return !strcmp(comm, "confine") || !strncmp(comm, "test_", 5);
}

int container_sweep(struct dockerapi *api)
{
	char *filter = dockerapi_escape("{\"label\":[\"" CONTAINER_RUN_LABEL "\"]}");
	char *path = xasprintf("/containers/json?all=1&filters=%s", filter);
	json_t *list = NULL, *it;
	size_t i;
	int ret, removed = 0;

	ret = get_json(api, "GET", path, NULL, &list);
	free(path);
	free(filter);
	if (ret < 0)
		return err_wrap(ret, "cannot list confine's containers");
	json_array_foreach(list, i, it) {
		const char *id = json_string_value(json_object_get(it, "Id"));
		const char *v = json_string_value(
			json_object_get(json_object_get(it, "Labels"), CONTAINER_RUN_LABEL));
		struct container c = { 0 };

		if (!id || (v && run_alive(v)))
			continue;
		c.id = (char *)id;
		if (container_remove(api, &c) == 0)
			removed++;
	}
	json_decref(list);
	return removed;
}

static void on_signal(int sig)
{
	(void)sig;
	/* A second signal means "now": fall back to the default action. */
	if (container_interrupted) {
		signal(sig, SIG_DFL);
		raise(sig);
	}
	container_interrupted = 1;
}

void container_install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}
