#include "cve/dockerdefault.h"

#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <string.h>

#include "util/error.h"

/* The capability set a container gets without --cap-add/--cap-drop. */
const char *const docker_default_caps[] = {
	"CAP_CHOWN",  "CAP_DAC_OVERRIDE", "CAP_FSETID",	      "CAP_FOWNER",
	"CAP_MKNOD",  "CAP_NET_RAW",	  "CAP_SETGID",	      "CAP_SETUID",
	"CAP_SETFCAP", "CAP_SETPCAP",	  "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
	"CAP_KILL",   "CAP_AUDIT_WRITE",  NULL,
};

enum verdict { V_ALLOW, V_BLOCK, V_BAD };

static enum verdict action_verdict(const char *a)
{
	static const char *const block[] = { "SCMP_ACT_ERRNO", "SCMP_ACT_KILL",
					     "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
					     "SCMP_ACT_TRAP" };
	static const char *const allow[] = { "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_TRACE",
					     "SCMP_ACT_NOTIFY" };

	for (size_t i = 0; i < sizeof(block) / sizeof(block[0]); i++)
		if (!strcmp(a, block[i]))
			return V_BLOCK;
	for (size_t i = 0; i < sizeof(allow) / sizeof(allow[0]); i++)
		if (!strcmp(a, allow[i]))
			return V_ALLOW;
	return V_BAD;
}

static bool default_cap(const char *c)
{
	/* Profiles may spell them with or without the CAP_ prefix. */
	for (size_t i = 0; docker_default_caps[i]; i++)
		if (!strcasecmp(c, docker_default_caps[i]) ||
		    !strcasecmp(c, docker_default_caps[i] + 4))
			return true;
	return false;
}

static bool amd64(const char *a)
{
	return !strcmp(a, "amd64") || !strcmp(a, "x86_64") || !strcmp(a, "SCMP_ARCH_X86_64");
}

/* Is any string of array 'arr' accepted by 'pred'?  Non-strings are errors. */
static int any_of(json_t *arr, bool (*pred)(const char *), bool *res)
{
	size_t i;
	json_t *v;

	*res = false;
	if (!arr)
		return 0;
	if (json_is_null(arr))
		return 0;
	if (!json_is_array(arr))
		return -EINVAL;
	json_array_foreach(arr, i, v) {
		if (!json_is_string(v))
			return -EINVAL;
		if (pred(json_string_value(v)))
			*res = true;
	}
	return 0;
}

static bool not_default_cap(const char *c)
{
	return !default_cap(c);
}

/* Does the rule apply to a default amd64 container?  <0 on a malformed rule. */
static int rule_applies(json_t *rule, bool *applies)
{
	json_t *inc = json_object_get(rule, "includes");
	json_t *exc = json_object_get(rule, "excludes");
	bool r;

	*applies = false;
	if (inc && !json_is_null(inc)) {
		json_t *arches, *caps;

		if (!json_is_object(inc))
			return -EINVAL;
		arches = json_object_get(inc, "arches");
		caps = json_object_get(inc, "caps");
		if (arches && json_is_array(arches) && json_array_size(arches)) {
			if (any_of(arches, amd64, &r) < 0)
				return -EINVAL;
			if (!r)
				return 0;
		} else if (arches && !json_is_array(arches) && !json_is_null(arches)) {
			return -EINVAL;
		}
		if (caps && json_is_array(caps) && json_array_size(caps)) {
			if (any_of(caps, not_default_cap, &r) < 0)
				return -EINVAL;
			if (r)
				return 0;
		} else if (caps && !json_is_array(caps) && !json_is_null(caps)) {
			return -EINVAL;
		}
		/* minKernel: assumed satisfied (more rules apply = fewer claims). */
	}
	if (exc && !json_is_null(exc)) {
		if (!json_is_object(exc))
			return -EINVAL;
		if (any_of(json_object_get(exc, "arches"), amd64, &r) < 0)
			return -EINVAL;
		if (r)
			return 0;
		if (any_of(json_object_get(exc, "caps"), default_cap, &r) < 0)
			return -EINVAL;
		if (r)
			return 0;
	}
	*applies = true;
	return 0;
}

static bool has_args(json_t *rule)
{
	json_t *args = json_object_get(rule, "args");

	return args && json_is_array(args) && json_array_size(args) > 0;
}

int docker_default_blocked(const char *buf, size_t len, const char *name, struct sysset *blocked)
{
	struct sysset allowed, denied;
	json_error_t jerr;
	json_t *root, *rules, *rule, *def;
	enum verdict dv;
	size_t i, nr_tbl;
	const struct syscall_info *tbl;
	int ret = 0;

	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return err_set(EINVAL, "%s:%d: invalid JSON: %s", name, jerr.line, jerr.text);
	if (!json_is_object(root)) {
		ret = err_set(EINVAL, "%s: not a seccomp profile (expected a JSON object)", name);
		goto out;
	}
	def = json_object_get(root, "defaultAction");
	if (!json_is_string(def)) {
		ret = err_set(EINVAL, "%s: missing \"defaultAction\"", name);
		goto out;
	}
	dv = action_verdict(json_string_value(def));
	if (dv == V_BAD) {
		ret = err_set(EINVAL, "%s: unknown defaultAction '%s'", name, json_string_value(def));
		goto out;
	}
	rules = json_object_get(root, "syscalls");
	if (rules && !json_is_array(rules) && !json_is_null(rules)) {
		ret = err_set(EINVAL, "%s: \"syscalls\" is not an array", name);
		goto out;
	}
	sysset_clear(&allowed);
	sysset_clear(&denied);
	json_array_foreach(rules, i, rule) {
		json_t *names, *one, *act;
		enum verdict v;
		bool applies;
		size_t j;

		if (!json_is_object(rule)) {
			ret = err_set(EINVAL, "%s: syscalls[%zu] is not an object", name, i);
			goto out;
		}
		act = json_object_get(rule, "action");
		if (!json_is_string(act)) {
			ret = err_set(EINVAL, "%s: syscalls[%zu] has no \"action\"", name, i);
			goto out;
		}
		v = action_verdict(json_string_value(act));
		if (v == V_BAD) {
			ret = err_set(EINVAL, "%s: syscalls[%zu]: unknown action '%s'", name, i,
				      json_string_value(act));
			goto out;
		}
		if (rule_applies(rule, &applies) < 0) {
			ret = err_set(EINVAL, "%s: syscalls[%zu]: malformed includes/excludes", name, i);
			goto out;
		}
		if (!applies)
			continue;
		names = json_object_get(rule, "names");
		one = json_object_get(rule, "name");
		if (names && !json_is_array(names)) {
			ret = err_set(EINVAL, "%s: syscalls[%zu]: \"names\" is not an array", name, i);
			goto out;
		}
		if (one && !json_is_string(one)) {
			ret = err_set(EINVAL, "%s: syscalls[%zu]: \"name\" is not a string", name, i);
			goto out;
		}
		for (j = 0; j < (names ? json_array_size(names) : 0) + (one ? 1 : 0); j++) {
			json_t *n = names && j < json_array_size(names) ? json_array_get(names, j) : one;
			int nr;

			if (!json_is_string(n)) {
				ret = err_set(EINVAL, "%s: syscalls[%zu]: a name is not a string", name, i);
				goto out;
			}
			nr = syscall_number(SYS_ARCH_X86_64, json_string_value(n));
			if (nr < 0)
				continue;
			if (v == V_ALLOW)
				sysset_add(&allowed, nr);
			else if (!has_args(rule))
				sysset_add(&denied, nr);
		}
	}
	sysset_clear(blocked);
	tbl = syscall_table(SYS_ARCH_X86_64, &nr_tbl);
	for (i = 0; i < nr_tbl; i++) {
		int nr = tbl[i].nr;
		bool b = dv == V_BLOCK ? !sysset_has(&allowed, nr)
				       : sysset_has(&denied, nr) && !sysset_has(&allowed, nr);

		if (b)
			sysset_add(blocked, nr);
	}
out:
	json_decref(root);
	return ret;
}
