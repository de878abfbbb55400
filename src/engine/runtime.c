#include "engine/runtime.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/error.h"
#include "util/fs.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#define DATA_CAP (1u << 20)
#define NAMES_MAX 1024

const char *runtime_data_dir(void)
{
	const char *env = getenv("CONFINE_DATA_DIR");

	if (env && *env)
		return env;
	if (access(CONFINE_DATADIR "/runtime", R_OK) == 0)
		return CONFINE_DATADIR;
	return CONFINE_INSTALL_DATADIR;
}

static int get_json(struct dockerapi *api, const char *path, json_t **out)
{
	struct strbuf sb;
	json_error_t jerr;
	int ret;

	strbuf_init(&sb, 4u << 20);
	ret = dockerapi_request(api, "GET", path, NULL, &sb, NULL);
	if (ret == 0) {
		*out = json_loadb(sb.buf ? sb.buf : "", sb.len, 0, &jerr);
		if (!*out)
			ret = err_set(EBADMSG, "GET %s: invalid JSON: %s", path, jerr.text);
	}
	strbuf_release(&sb);
	return ret;
}

int runtime_detect(struct dockerapi *api, struct runtime_info *info)
{
	json_t *inf = NULL, *ver = NULL, *comp;
	const char *name;
	size_t i;
	int ret;

	memset(info, 0, sizeof(*info));
	ret = get_json(api, "/info", &inf);
	if (ret < 0)
		return err_wrap(ret, "cannot ask the engine for its runtime");
	name = json_string_value(json_object_get(inf, "DefaultRuntime"));
	/* Runtimes maps a name to a binary ("io.containerd.runc.v2" -> runc). */
	{
		json_t *rt = json_object_get(json_object_get(inf, "Runtimes"), name ? name : "");
		const char *path = json_string_value(json_object_get(rt, "path"));

		if (path) {
			const char *base = strrchr(path, '/');

			info->name = xstrdup(base ? base + 1 : path);
		} else if (name) {
			info->name = xstrdup(name);
		} else {
			info->name = xstrdup("runc");
		}
	}
	ret = get_json(api, "/version", &ver);
	if (ret == 0) {
		json_array_foreach(json_object_get(ver, "Components"), i, comp) {
			const char *cn = json_string_value(json_object_get(comp, "Name"));
			const char *cv = json_string_value(json_object_get(comp, "Version"));

			if (cn && cv && !strcmp(cn, info->name))
				info->version = xstrdup(cv);
		}
	} else {
		err_clear();
		ret = 0;
	}
	if (!info->version) {
		/* Older engines only give the commit of runc. */
		const char *id = json_string_value(
			json_object_get(json_object_get(inf, "RuncCommit"), "ID"));

		if (id && !strcmp(info->name, "runc"))
			info->version = xstrdup(id);
	}
	json_decref(inf);
	json_decref(ver);
	return ret;
}

void runtime_info_release(struct runtime_info *info)
{
	free(info->name);
	free(info->version);
	memset(info, 0, sizeof(*info));
}

/* "1.1.5+ds1" -> major 1, minor 1.  Returns false when not a version. */
static bool major_minor(const char *v, long *maj, long *min)
{
	char *end;

	if (!v)
		return false;
	if (*v == 'v')
		v++;
	*maj = strtol(v, &end, 10);
	if (end == v || *end != '.')
		return false;
	v = end + 1;
	*min = strtol(v, &end, 10);
	return end != v;
}

/* The data file for runtime 'name', version 'ver'; newest of 'name' when no exact match. */
static char *pick_file(const char *dir, const char *name, const char *ver, bool *exact)
{
	char *rdir = fs_join(dir, "runtime"), *best = NULL;
	long want_maj = -1, want_min = -1, best_maj = -1, best_min = -1;
	size_t nl = strlen(name);
	DIR *d;
	struct dirent *de;

	*exact = false;
	major_minor(ver, &want_maj, &want_min);
	d = opendir(rdir);
	if (!d) {
		free(rdir);
		return NULL;
	}
	while ((de = readdir(d))) {
		long maj, min;
		size_t n = strlen(de->d_name);

		if (strncmp(de->d_name, name, nl) || de->d_name[nl] != '-' || n < 5 ||
		    strcmp(de->d_name + n - 5, ".json"))
			continue;
		if (!major_minor(de->d_name + nl + 1, &maj, &min))
			continue;
		if (maj == want_maj && min == want_min) {
			free(best);
			best = fs_join(rdir, de->d_name);
			*exact = true;
			break;
		}
		if (maj > best_maj || (maj == best_maj && min > best_min)) {
			best_maj = maj;
			best_min = min;
			free(best);
			best = fs_join(rdir, de->d_name);
		}
	}
	closedir(d);
	free(rdir);
	return best;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int runtime_syscall_names(const struct runtime_info *info, char ***names, size_t *nr,
			  char **source)
{
	const char *name = info && info->name ? info->name : "runc";
	const char *ver = info ? info->version : NULL;
	const char *dir = runtime_data_dir();
	char *file, *data = NULL;
	bool exact;
	json_t *root = NULL, *e;
	json_error_t jerr;
	size_t len, i;
	char **out = NULL;
	size_t out_nr = 0, alloc = 0;
	int ret;

	file = pick_file(dir, name, ver, &exact);
	if (!file && strcmp(name, "runc")) {
		warn_add("no system call data for runtime '%s'; using runc's", name);
		file = pick_file(dir, "runc", NULL, &exact);
		exact = true; /* already warned */
	}
	if (!file)
		return err_set(ENOENT, "no runtime system call data in '%s/runtime'", dir);
	if (!exact)
		warn_add("no system call data for %s %s; using the newest known set (%s)", name,
			 ver ? ver : "(unknown version)", file);
	ret = fs_read_file(file, DATA_CAP, &data, &len);
	if (ret < 0)
		goto out;
	root = json_loadb(data, len, 0, &jerr);
	if (!root) {
		ret = err_set(EINVAL, "cannot parse '%s': line %d: %s", file, jerr.line, jerr.text);
		goto out;
	}
	json_array_foreach(json_object_get(root, "syscalls"), i, e) {
		const char *n = json_string_value(json_object_get(e, "name"));

		if (!n || !*n || out_nr >= NAMES_MAX) {
			ret = err_set(EINVAL, "'%s': syscalls[%zu] has no name", file, i);
			goto out;
		}
		ALLOC_GROW(out, out_nr + 2, alloc);
		out[out_nr++] = xstrdup(n);
	}
	if (!out_nr) {
		ret = err_set(EINVAL, "'%s' lists no syscalls", file);
		goto out;
	}
	qsort(out, out_nr, sizeof(*out), cmp_str);
	out[out_nr] = NULL;
	*names = out;
	*nr = out_nr;
	out = NULL;
	if (source) {
		*source = file;
		file = NULL;
	}
out:
	if (out) {
		out[out_nr] = NULL;
		runtime_names_free(out);
	}
	json_decref(root);
	free(data);
	free(file);
	return ret;
}

void runtime_names_free(char **names)
{
	if (!names)
		return;
	for (size_t i = 0; names[i]; i++)
		free(names[i]);
	free(names);
}

int runtime_sysset(const struct runtime_info *info, enum sys_arch arch, struct sysset *set)
{
	char **names;
	size_t nr;
	int ret = runtime_syscall_names(info, &names, &nr, NULL);

	if (ret < 0)
		return ret;
	sysset_clear(set);
	for (size_t i = 0; i < nr; i++) {
		int n = syscall_number(arch, names[i]);

		if (n < 0)
			warn_add("runtime system call '%s' is unknown on %s", names[i],
				 sys_arch_name(arch));
		else
			sysset_add(set, n);
	}
	runtime_names_free(names);
	return 0;
}
