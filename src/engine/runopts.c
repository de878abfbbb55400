#include "engine/runopts.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/fs.h"
#include "util/words.h"
#include "util/xalloc.h"

#define ENV_FILE_CAP (1u << 20)

int runopts_parse_size(const char *s, int64_t *bytes)
{
	char *end;
	double v;
	double mul = 1;

	errno = 0;
	if (!*s || !(isdigit((unsigned char)*s) || *s == '.'))
		return -EINVAL;
	v = strtod(s, &end);
	if (errno || end == s || v < 0)
		return -EINVAL;
	switch (tolower((unsigned char)*end)) {
	case '\0':
		break;
	case 'b':
		break;
	case 'k':
		mul = 1024.0;
		break;
	case 'm':
		mul = 1024.0 * 1024;
		break;
	case 'g':
		mul = 1024.0 * 1024 * 1024;
		break;
	case 't':
		mul = 1024.0 * 1024 * 1024 * 1024;
		break;
	default:
		return -EINVAL;
	}
	if (*end) {
		end++;
		if (tolower((unsigned char)*end) == 'b' && mul > 1)
			end++;
		if (*end)
			return -EINVAL;
	}
	v *= mul;
	if (!isfinite(v) || v > 9.0e18)
		return -EINVAL;
	*bytes = (int64_t)v;
	return 0;
}

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = xstrdup(v);
}

static int bad(const char *opt, const char *v, const char *why)
{
	return err_set(EINVAL, "docker run option '%s %s': %s", opt, v, why);
}

static bool all_digits(const char *s, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

static bool port_ok(const char *s, size_t n)
{
	long v;
	char buf[8];

	if (!all_digits(s, n) || n > 5)
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	v = strtol(buf, NULL, 10);
	return v >= 1 && v <= 65535;
}

/* -p [ip:][hostPort:]containerPort[/proto] */
static int opt_publish(struct container_spec *spec, const char *opt, const char *v)
{
	char *dup = xstrdup(v), *proto, *cport, *hport = NULL, *ip = NULL, *last, *p;
	int ret = 0;

	proto = strchr(dup, '/');
	if (proto) {
		*proto++ = '\0';
		if (strcmp(proto, "tcp") && strcmp(proto, "udp") && strcmp(proto, "sctp")) {
			ret = bad(opt, v, "protocol must be tcp, udp or sctp");
			goto out;
		}
	} else {
		proto = "tcp";
	}
	if (strchr(dup, '-')) {
		ret = bad(opt, v, "port ranges are not supported; publish each port");
		goto out;
	}
	last = strrchr(dup, ':');
	if (last) {
		*last = '\0';
		cport = last + 1;
		p = strrchr(dup, ':');
		if (p) {
			*p = '\0';
			hport = p + 1;
			ip = dup;
		} else {
			hport = dup;
		}
		/* "[::1]:8080:80" */
		if (ip && ip[0] == '[') {
			size_t n = strlen(ip);

			if (n < 2 || ip[n - 1] != ']') {
				ret = bad(opt, v, "bad IPv6 address");
				goto out;
			}
			ip[n - 1] = '\0';
			ip++;
		}
	} else {
		cport = dup;
	}
	if (!port_ok(cport, strlen(cport))) {
		ret = bad(opt, v, "container port must be a number 1-65535");
		goto out;
	}
	if (hport && *hport && !port_ok(hport, strlen(hport))) {
		ret = bad(opt, v, "host port must be a number 1-65535");
		goto out;
	}
	{
		char *key = xasprintf("%s/%s", cport, proto);
		bool seen = false;

		for (size_t i = 0; i < spec->ports.nr; i++)
			seen |= !strcmp(spec->ports.v[i], key);
		if (!seen)
			strlist_push(&spec->ports, key);
		strlist_pushf(&spec->port_bindings, "%s|%s|%s", key, ip ? ip : "",
			      hport ? hport : "");
		free(key);
	}
out:
	free(dup);
	return ret;
}

static int opt_expose(struct container_spec *spec, const char *opt, const char *v)
{
	char *dup = xstrdup(v), *proto = strchr(dup, '/');
	int ret = 0;

	if (proto)
		*proto++ = '\0';
	if (!port_ok(dup, strlen(dup)))
		ret = bad(opt, v, "port must be a number 1-65535");
	else
		strlist_pushf(&spec->ports, "%s/%s", dup, proto ? proto : "tcp");
	free(dup);
	return ret;
}

static int opt_env(struct container_spec *spec, const char *opt, const char *v)
{
	const char *val;

	if (!*v || *v == '=')
		return bad(opt, v, "expected KEY=VALUE");
	if (strchr(v, '=')) {
		strlist_push(&spec->env, v);
		return 0;
	}
	/* "-e KEY" passes confine's own value, as the docker CLI does. */
	val = getenv(v);
	if (val)
		strlist_pushf(&spec->env, "%s=%s", v, val);
	return 0;
}

static int opt_env_file(struct container_spec *spec, const char *opt, const char *v)
{
	char *data, *line, *save = NULL;
	size_t len;
	int ret = fs_read_file(v, ENV_FILE_CAP, &data, &len);

	if (ret < 0)
		return err_wrap(ret, "docker run option '%s %s'", opt, v);
	for (line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t n = strlen(line);

		if (n && line[n - 1] == '\r')
			line[--n] = '\0';
		while (*line == ' ' || *line == '\t')
			line++;
		if (!*line || *line == '#')
			continue;
		ret = opt_env(spec, opt, line);
		if (ret < 0)
			break;
	}
	free(data);
	return ret;
}

/* -v [SRC:]DST[:OPTS] */
static int opt_volume(struct container_spec *spec, const char *opt, const char *v)
{
	const char *c1 = strchr(v, ':');

	if (!*v)
		return bad(opt, v, "empty volume");
	if (!c1) {
		if (v[0] != '/')
			return bad(opt, v, "the container path must be absolute");
		strlist_push(&spec->volumes, v);
		return 0;
	}
	if (c1 == v)
		return bad(opt, v, "empty source");
	if (c1[1] != '/')
		return bad(opt, v, "the container path must be absolute");
	/* A source without a leading '/' is a volume name, which has no '/'. */
	if (v[0] != '/' && (memchr(v, '/', (size_t)(c1 - v)) || v[0] == '.'))
		return bad(opt, v, "a relative host path; use an absolute one");
	{
		const char *c2 = strchr(c1 + 1, ':');

		if (c2) {
			/* Options: ro, rw, z, Z, nocopy, propagation modes. */
			char *o = xstrdup(c2 + 1), *tok, *save = NULL;
			int ret = 0;

			for (tok = strtok_r(o, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
				static const char *const ok[] = { "ro", "rw", "z", "Z", "nocopy",
								   "private", "rprivate", "shared",
								   "rshared", "slave", "rslave",
								   "consistent", "cached", "delegated" };
				bool known = false;

				for (size_t i = 0; i < ARRAY_SIZE(ok); i++)
					known |= !strcmp(tok, ok[i]);
				if (!known) {
					ret = bad(opt, v, "unknown volume option");
					break;
				}
			}
			free(o);
			if (ret < 0)
				return ret;
		}
	}
	strlist_push(&spec->binds, v);
	return 0;
}

static int opt_mount(struct container_spec *spec, const char *opt, const char *v)
{
	/* type=bind|volume|tmpfs,source=..,target=..,readonly */
	char *o = xstrdup(v), *tok, *save = NULL;
	char *type = NULL, *src = NULL, *dst = NULL;
	bool ro = false;
	int ret = 0;

	for (tok = strtok_r(o, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		const char *val = eq ? eq + 1 : "";

		if (eq)
			*eq = '\0';
		if (!strcmp(tok, "type"))
			type = xstrdup(val);
		else if (!strcmp(tok, "source") || !strcmp(tok, "src"))
			src = xstrdup(val);
		else if (!strcmp(tok, "target") || !strcmp(tok, "destination") || !strcmp(tok, "dst"))
			dst = xstrdup(val);
		else if (!strcmp(tok, "readonly") || !strcmp(tok, "ro"))
			ro = !eq || !strcmp(val, "true") || !strcmp(val, "1");
		else {
			ret = bad(opt, v, "only type, source, target and readonly are supported");
			goto out;
		}
	}
	if (!dst || dst[0] != '/') {
		ret = bad(opt, v, "an absolute target is required");
		goto out;
	}
	if (!type || !strcmp(type, "volume")) {
		if (src)
			strlist_pushf(&spec->binds, "%s:%s%s", src, dst, ro ? ":ro" : "");
		else
			strlist_push(&spec->volumes, dst);
	} else if (!strcmp(type, "bind")) {
		if (!src || src[0] != '/') {
			ret = bad(opt, v, "a bind mount needs an absolute source");
			goto out;
		}
		strlist_pushf(&spec->binds, "%s:%s%s", src, dst, ro ? ":ro" : "");
	} else if (!strcmp(type, "tmpfs")) {
		strlist_pushf(&spec->tmpfs, "%s|", dst);
	} else {
		ret = bad(opt, v, "mount type must be bind, volume or tmpfs");
	}
out:
	free(type);
	free(src);
	free(dst);
	free(o);
	return ret;
}

static int opt_tmpfs(struct container_spec *spec, const char *opt, const char *v)
{
	const char *colon = strchr(v, ':');

	if (v[0] != '/')
		return bad(opt, v, "the path must be absolute");
	if (colon)
		strlist_pushf(&spec->tmpfs, "%.*s|%s", (int)(colon - v), v, colon + 1);
	else
		strlist_pushf(&spec->tmpfs, "%s|", v);
	return 0;
}

static int opt_entrypoint(struct container_spec *spec, const char *opt, const char *v)
{
	(void)opt;
	strlist_clear(&spec->entrypoint);
	spec->entrypoint_set = true;
	/* The CLI takes one word; "" resets the image's entrypoint. */
	if (*v)
		strlist_push(&spec->entrypoint, v);
	return 0;
}

static int opt_network(struct container_spec *spec, const char *opt, const char *v)
{
	if (!*v)
		return bad(opt, v, "empty network");
	set_str(&spec->network, v);
	return 0;
}

static int opt_link(struct container_spec *spec, const char *opt, const char *v)
{
	const char *colon = strchr(v, ':');

	if (!*v || colon == v)
		return bad(opt, v, "expected NAME[:ALIAS]");
	if (colon)
		strlist_push(&spec->links, v);
	else
		strlist_pushf(&spec->links, "%s:%s", v, v);
	return 0;
}

static int opt_simple_str(char **dst, const char *opt, const char *v)
{
	if (!*v)
		return bad(opt, v, "empty value");
	set_str(dst, v);
	return 0;
}

static int opt_name(struct container_spec *spec, const char *opt, const char *v)
{
	for (const char *p = v; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_.-", *p))
			return bad(opt, v, "a name may hold only [a-zA-Z0-9_.-]");
	return opt_simple_str(&spec->name, opt, v);
}

static int opt_user(struct container_spec *spec, const char *opt, const char *v)
{
	return opt_simple_str(&spec->user, opt, v);
}

static int opt_workdir(struct container_spec *spec, const char *opt, const char *v)
{
	if (v[0] != '/')
		return bad(opt, v, "the working directory must be absolute");
	return opt_simple_str(&spec->workdir, opt, v);
}

static int opt_hostname(struct container_spec *spec, const char *opt, const char *v)
{
	return opt_simple_str(&spec->hostname, opt, v);
}

static int opt_label(struct container_spec *spec, const char *opt, const char *v)
{
	if (!*v || *v == '=')
		return bad(opt, v, "expected KEY[=VALUE]");
	if (!strncmp(v, CONTAINER_RUN_LABEL, strlen(CONTAINER_RUN_LABEL)))
		return bad(opt, v, "the label " CONTAINER_RUN_LABEL " is confine's own");
	strlist_push(&spec->labels, v);
	return 0;
}

static int opt_cap_add(struct container_spec *spec, const char *opt, const char *v)
{
	if (!*v)
		return bad(opt, v, "empty capability");
	strlist_push(&spec->cap_add, v);
	return 0;
}

static int opt_cap_drop(struct container_spec *spec, const char *opt, const char *v)
{
	if (!*v)
		return bad(opt, v, "empty capability");
	strlist_push(&spec->cap_drop, v);
	return 0;
}

static int opt_security(struct container_spec *spec, const char *opt, const char *v)
{
	if (!strncmp(v, "seccomp", 7))
		return bad(opt, v, "confine sets the seccomp profile itself");
	if (!strcmp(v, "systempaths=unconfined"))
		return bad(opt, v, "not supported");
	strlist_push(&spec->security_opt, v);
	return 0;
}

static int opt_add_host(struct container_spec *spec, const char *opt, const char *v)
{
	if (!strchr(v, ':'))
		return bad(opt, v, "expected HOST:IP");
	strlist_push(&spec->extra_hosts, v);
	return 0;
}

static int opt_dns(struct container_spec *spec, const char *opt, const char *v)
{
	if (!*v)
		return bad(opt, v, "empty address");
	strlist_push(&spec->dns, v);
	return 0;
}

static int opt_group_add(struct container_spec *spec, const char *opt, const char *v)
{
	if (!*v)
		return bad(opt, v, "empty group");
	strlist_push(&spec->group_add, v);
	return 0;
}

static int opt_device(struct container_spec *spec, const char *opt, const char *v)
{
	if (v[0] != '/')
		return bad(opt, v, "expected /dev/HOST[:/dev/CONTAINER[:PERMS]]");
	strlist_push(&spec->devices, v);
	return 0;
}

static int opt_ulimit(struct container_spec *spec, const char *opt, const char *v)
{
	const char *eq = strchr(v, '=');
	char *end;

	if (!eq || eq == v)
		return bad(opt, v, "expected NAME=SOFT[:HARD]");
	strtoll(eq + 1, &end, 10);
	if (end == eq + 1)
		return bad(opt, v, "limits must be numbers");
	if (*end == ':') {
		const char *h = end + 1;

		strtoll(h, &end, 10);
		if (end == h)
			return bad(opt, v, "limits must be numbers");
	}
	if (*end)
		return bad(opt, v, "limits must be numbers");
	strlist_push(&spec->ulimits, v);
	return 0;
}

static int opt_sysctl(struct container_spec *spec, const char *opt, const char *v)
{
	if (!strchr(v, '=') || *v == '=')
		return bad(opt, v, "expected KEY=VALUE");
	strlist_push(&spec->sysctls, v);
	return 0;
}

static int opt_ns(char **dst, const char *opt, const char *v)
{
	if (!strcmp(v, "host") && !strcmp(opt, "--pid"))
		return bad(opt, v, "confine cannot tell the container's processes from the host's");
	return opt_simple_str(dst, opt, v);
}

static int opt_ipc(struct container_spec *spec, const char *opt, const char *v)
{
	return opt_ns(&spec->ipc, opt, v);
}

static int opt_pid(struct container_spec *spec, const char *opt, const char *v)
{
	return opt_ns(&spec->pid_mode, opt, v);
}

static int opt_uts(struct container_spec *spec, const char *opt, const char *v)
{
	return opt_ns(&spec->uts, opt, v);
}

static int opt_stop_signal(struct container_spec *spec, const char *opt, const char *v)
{
	return opt_simple_str(&spec->stop_signal, opt, v);
}

static int opt_stop_timeout(struct container_spec *spec, const char *opt, const char *v)
{
	char *end;
	long t = strtol(v, &end, 10);

	if (end == v || *end || t < 0 || t > 3600)
		return bad(opt, v, "expected seconds 0-3600");
	spec->stop_timeout = (int)t;
	return 0;
}

static int opt_size(int64_t *dst, const char *opt, const char *v)
{
	if (runopts_parse_size(v, dst) < 0)
		return bad(opt, v, "expected a size such as 64m or 1g");
	return 0;
}

static int opt_shm(struct container_spec *spec, const char *opt, const char *v)
{
	return opt_size(&spec->shm_size, opt, v);
}

static int opt_memory(struct container_spec *spec, const char *opt, const char *v)
{
	return opt_size(&spec->memory, opt, v);
}

static int opt_cpus(struct container_spec *spec, const char *opt, const char *v)
{
	char *end;
	double c = strtod(v, &end);

	if (end == v || *end || !(c > 0) || c > 4096)
		return bad(opt, v, "expected a number of CPUs such as 0.5 or 2");
	spec->nano_cpus = (int64_t)(c * 1e9);
	return 0;
}

static int opt_restart(struct container_spec *spec, const char *opt, const char *v)
{
	(void)spec;
	if (strcmp(v, "no") != 0)
		return bad(opt, v, "confine controls the container's lifetime; only 'no' is accepted");
	return 0;
}

static int opt_platform(struct container_spec *spec, const char *opt, const char *v)
{
	(void)spec;
	if (strcmp(v, "linux/amd64") && strcmp(v, "amd64") && strcmp(v, "linux/x86_64"))
		return bad(opt, v, "only linux/amd64 images are analysed");
	return 0;
}

static int opt_health_cmd(struct container_spec *spec, const char *opt, const char *v)
{
	if (!*v)
		return bad(opt, v, "empty command");
	strlist_clear(&spec->health_cmd);
	strlist_push(&spec->health_cmd, v);
	return 0;
}

static int opt_ignore(struct container_spec *spec, const char *opt, const char *v)
{
	(void)spec;
	(void)opt;
	(void)v;
	return 0;
}

/* Boolean options. */
static int flag_rm(struct container_spec *spec) { (void)spec; return 0; }
static int flag_publish_all(struct container_spec *spec) { spec->publish_all = true; return 0; }
static int flag_read_only(struct container_spec *spec) { spec->read_only = true; return 0; }
static int flag_init(struct container_spec *spec) { spec->init = true; return 0; }
static int flag_tty(struct container_spec *spec) { spec->tty = true; return 0; }
static int flag_interactive(struct container_spec *spec) { spec->open_stdin = true; return 0; }
static int flag_no_healthcheck(struct container_spec *spec) { spec->no_healthcheck = true; return 0; }

struct runopt {
	const char *name;  /* "--env" */
	char short_name;   /* 'e' or 0 */
	int (*with_value)(struct container_spec *, const char *opt, const char *v);
	int (*flag)(struct container_spec *);
	const char *reject; /* non-NULL: rejected, with this reason */
};

static const struct runopt runopts[] = {
	{ "--add-host", 0, opt_add_host, NULL, NULL },
	{ "--attach", 'a', opt_ignore, NULL, NULL },
	{ "--cap-add", 0, opt_cap_add, NULL, NULL },
	{ "--cap-drop", 0, opt_cap_drop, NULL, NULL },
	{ "--cgroup-parent", 0, NULL, NULL, "confine finds the container's processes by its own cgroup" },
	{ "--cidfile", 0, opt_ignore, NULL, NULL },
	{ "--cpus", 0, opt_cpus, NULL, NULL },
	{ "--detach", 'd', NULL, flag_rm, NULL },
	{ "--device", 0, opt_device, NULL, NULL },
	{ "--dns", 0, opt_dns, NULL, NULL },
	{ "--entrypoint", 0, opt_entrypoint, NULL, NULL },
	{ "--env", 'e', opt_env, NULL, NULL },
	{ "--env-file", 0, opt_env_file, NULL, NULL },
	{ "--expose", 0, opt_expose, NULL, NULL },
	{ "--gpus", 0, NULL, NULL, "GPU access is not supported" },
	{ "--group-add", 0, opt_group_add, NULL, NULL },
	{ "--health-cmd", 0, opt_health_cmd, NULL, NULL },
	{ "--health-interval", 0, opt_ignore, NULL, NULL },
	{ "--health-retries", 0, opt_ignore, NULL, NULL },
	{ "--health-start-period", 0, opt_ignore, NULL, NULL },
	{ "--health-timeout", 0, opt_ignore, NULL, NULL },
	{ "--hostname", 'h', opt_hostname, NULL, NULL },
	{ "--init", 0, NULL, flag_init, NULL },
	{ "--interactive", 'i', NULL, flag_interactive, NULL },
	{ "--ipc", 0, opt_ipc, NULL, NULL },
	{ "--label", 'l', opt_label, NULL, NULL },
	{ "--link", 0, opt_link, NULL, NULL },
	{ "--memory", 'm', opt_memory, NULL, NULL },
	{ "--mount", 0, opt_mount, NULL, NULL },
	{ "--name", 0, opt_name, NULL, NULL },
	{ "--net", 0, opt_network, NULL, NULL },
	{ "--network", 0, opt_network, NULL, NULL },
	{ "--no-healthcheck", 0, NULL, flag_no_healthcheck, NULL },
	{ "--pid", 0, opt_pid, NULL, NULL },
	{ "--platform", 0, opt_platform, NULL, NULL },
	{ "--privileged", 0, NULL, NULL, "it turns seccomp off, so no profile could be checked" },
	{ "--publish", 'p', opt_publish, NULL, NULL },
	{ "--publish-all", 'P', NULL, flag_publish_all, NULL },
	{ "--pull", 0, NULL, NULL, "confine never pulls; pull or build the image first" },
	{ "--read-only", 0, NULL, flag_read_only, NULL },
	{ "--restart", 0, opt_restart, NULL, NULL },
	{ "--rm", 0, NULL, flag_rm, NULL },
	{ "--runtime", 0, NULL, NULL, "confine uses the engine's default runtime (its syscall set is known per runtime)" },
	{ "--security-opt", 0, opt_security, NULL, NULL },
	{ "--shm-size", 0, opt_shm, NULL, NULL },
	{ "--stop-signal", 0, opt_stop_signal, NULL, NULL },
	{ "--stop-timeout", 0, opt_stop_timeout, NULL, NULL },
	{ "--sysctl", 0, opt_sysctl, NULL, NULL },
	{ "--tmpfs", 0, opt_tmpfs, NULL, NULL },
	{ "--tty", 't', NULL, flag_tty, NULL },
	{ "--ulimit", 0, opt_ulimit, NULL, NULL },
	{ "--user", 'u', opt_user, NULL, NULL },
	{ "--userns", 0, NULL, NULL, "user namespace modes are not supported" },
	{ "--uts", 0, opt_uts, NULL, NULL },
	{ "--volume", 'v', opt_volume, NULL, NULL },
	{ "--volumes-from", 0, NULL, NULL, "not supported; name the volumes with -v" },
	{ "--workdir", 'w', opt_workdir, NULL, NULL },
};

static const struct runopt *find_long(const char *name, size_t n)
{
	for (size_t i = 0; i < ARRAY_SIZE(runopts); i++)
		if (strlen(runopts[i].name) == n && !strncmp(runopts[i].name, name, n))
			return &runopts[i];
	return NULL;
}

static const struct runopt *find_short(char c)
{
	for (size_t i = 0; i < ARRAY_SIZE(runopts); i++)
		if (runopts[i].short_name == c)
			return &runopts[i];
	return NULL;
}

static int apply(const struct runopt *o, const char *shown, const char *value,
		 struct container_spec *spec)
{
	if (o->reject)
		return err_set(EINVAL, "docker run option '%s' is not supported: %s", shown, o->reject);
	if (o->flag)
		return o->flag(spec);
	return o->with_value(spec, shown, value);
}

int runopts_parse_argv(int argc, char **argv, struct container_spec *spec)
{
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const struct runopt *o;
		int ret;

		if (a[0] != '-' || !a[1])
			return err_set(EINVAL,
				       "unexpected argument '%s' in docker run options (the image and its "
				       "arguments are given separately)",
				       a);
		if (a[1] == '-') {
			const char *eq = strchr(a, '=');
			size_t n = eq ? (size_t)(eq - a) : strlen(a);

			o = find_long(a, n);
			if (!o)
				return err_set(EINVAL, "unknown docker run option '%.*s'", (int)n, a);
			if (o->flag || o->reject) {
				if (eq && !o->reject) {
					/* --rm=true / --read-only=false */
					if (!strcmp(eq + 1, "false"))
						continue;
					if (strcmp(eq + 1, "true"))
						return err_set(EINVAL, "docker run option '%s': expected true or false", a);
				}
				ret = apply(o, o->name, NULL, spec);
			} else if (eq) {
				ret = apply(o, o->name, eq + 1, spec);
			} else {
				if (i + 1 >= argc)
					return err_set(EINVAL, "docker run option '%s' needs a value", a);
				ret = apply(o, o->name, argv[++i], spec);
			}
			if (ret < 0)
				return ret;
			continue;
		}
		/* Short options: "-it", "-e K=V", "-eK=V", "-p=80". */
		for (const char *p = a + 1; *p; p++) {
			char shown[3] = { '-', *p, '\0' };

			o = find_short(*p);
			if (!o)
				return err_set(EINVAL, "unknown docker run option '-%c'", *p);
			if (o->flag) {
				ret = apply(o, shown, NULL, spec);
			} else {
				const char *v = p + 1;

				if (*v == '=')
					v++;
				if (!*v) {
					if (i + 1 >= argc)
						return err_set(EINVAL, "docker run option '%s' needs a value",
							       shown);
					v = argv[++i];
				}
				ret = apply(o, shown, v, spec);
				if (ret < 0)
					return ret;
				break;
			}
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}

int runopts_args(const char *args, struct container_spec *spec)
{
	char **argv = NULL;
	int argc = 0, ret = words_split(args, &argv, &argc);

	if (ret)
		return ret;
	spec->cmd_set = true;
	strlist_clear(&spec->cmd);
	for (int i = 0; i < argc; i++)
		strlist_push(&spec->cmd, argv[i]);
	words_free(argv);
	return 0;
}

int runopts_parse(const char *opts, struct container_spec *spec)
{
	char **argv;
	int argc, ret;

	if (!opts)
		return 0;
	ret = words_split(opts, &argv, &argc);
	if (ret < 0)
		return ret;
	ret = runopts_parse_argv(argc, argv, spec);
	words_free(argv);
	return ret;
}
