/*
 * libFuzzer target over the run-time module rules that read an image's
 * files as data: every file the rules read is the input (SBCL's cores,
 * appended ones with their offset words included, and contrib fasls;
 * slapd's slapd.conf and cn=config entries; collectd's configuration and
 * what it Includes (named by -C); pkgIndex.tcl folders; the
 * configuration files of the other rules), for a process whose objects
 * carry every runtime's mark; and the servers' configurations that name
 * programs (confprogs.h: lighttpd, h2o, supervisord).  Must never crash, hang or leak, and the
 * names and modules found stay within their caps.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/confprogs.h"
#include "analysis/runtimes.h"
#include "util/xalloc.h"

struct input {
	const uint8_t *data;
	size_t size;
};

static char *in_read(const void *ctx, const char *path, size_t cap, size_t *len)
{
	const struct input *in = ctx;
	size_t n = in->size < cap ? in->size : cap;
	char *out = xmalloc(n + 1);

	(void)path;
	memcpy(out, in->data, n);
	out[n] = '\0';
	if (len)
		*len = n;
	return out;
}

static size_t in_list(const void *ctx, const char *dir, char ***paths)
{
	(void)ctx;
	*paths = xcalloc(2, sizeof(**paths));
	(*paths)[0] = xasprintf("%s/entry", dir);
	return 1;
}

/* Every folder holds one file of each kind the rules look for. */
static size_t in_walk(const void *ctx, const char *dir, unsigned depth, const char *suffix, char ***paths)
{
	(void)ctx;
	(void)depth;
	*paths = xcalloc(3, sizeof(**paths));
	(*paths)[0] = xasprintf("%s/pkg/cn=module{0}%s", dir, suffix);
	(*paths)[1] = xasprintf("%s/x%s", dir, suffix);
	return 2;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct input in = { data, size };
	const struct root_reader rr = { in_read, in_list, in_walk, &in };
	const struct runtimes_object every = { ~0u, { "/opt/a", "/opt/b", "/opt/c" }, "/opt/plugins" };
	const struct runtimes_object *const objs[] = { &every };
	const char *const paths[] = { "/usr/bin/prog" };
	char *env[] = { "SBCL_HOME=/sb", "TCLLIBPATH=/t1 {/t2} /t3", "R_LIBS=/r1:/r2", "SWI_HOME_DIR=rel",
			"RSYSLOG_MODDIR=/rs", "PYTHONPATH=/py", "GDK_PIXBUF_MODULE_FILE=/c" };
	char *argv[] = { "/usr/local/bin/prog", "-f", "-C", "conf/c.conf", "--ini", "u.ini:uwsgi", "--plugin", "a,b" };
	const struct runtimes_process p = { .given = "/usr/local/bin/prog", .paths = paths, .objs = objs, .nr = 1,
					    .whole_root = false, .env = env, .env_nr = sizeof(env) / sizeof(env[0]),
					    .workdir = "/srv", .argv = argv, .argc = sizeof(argv) / sizeof(argv[0]) };
	struct runtimes_module *mods;
	char **names;
	size_t n;

	n = runtimes_find(&rr, &p, &mods);
	if (n > RUNTIMES_MAX)
		abort();
	runtimes_release(mods, n);
	n = runtimes_dlsym_names(&rr, &p, &names);
	if (n > RUNTIMES_NAMES_MAX)
		abort();
	for (size_t i = 0; i < n; i++)
		if (!names[i][0] || strlen(names[i]) > 128)
			abort();
	runtimes_names_release(names, n);
	for (enum confprogs_server s = CONFPROGS_LIGHTTPD; s <= CONFPROGS_POSTFIX; s++) {
		struct confprog *cmds;

		n = confprogs_find(s, &rr, &p, &cmds);
		if (n > CONFPROGS_MAX)
			abort();
		for (size_t i = 0; i < n; i++)
			if (!cmds[i].text[0] || !cmds[i].why)
				abort();
		confprogs_release(cmds, n);
	}
	return 0;
}
