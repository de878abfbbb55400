#include "cmd/pipeline.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "analysis/analysis.h"
#include "analysis/confine_compat.h"
#include "analysis/program.h"
#include "cmd/cmd.h"
#include "elf/elf.h"
#include "elf/ldso.h"
#include "engine/validate.h"
#include "engine/container.h"
#include "engine/monitor.h"
#include "engine/probe.h"
#include "engine/runopts.h"
#include "engine/runtime.h"
#include "image/image.h"
#include "trace/exectrace.h"
#include "util/dockerapi.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/strbuf.h"
#include "util/strmap.h"
#include "util/xalloc.h"

#define STARS "************************************************************************************"

static struct dockerapi the_api;
static bool api_ready;

/* The engine handle, set up on first use.  NULL with a message when unreachable. */
static struct dockerapi *engine(void)
{
	if (!api_ready) {
		if (dockerapi_init(&the_api, NULL))
			return NULL;
		if (dockerapi_ping(&the_api)) {
			dockerapi_release(&the_api);
			return NULL;
		}
		api_ready = true;
	}
	return &the_api;
}

/*
 * The runtime's own set: the one 'api' names as its default runtime, or
 * the newest known runc set when there is no engine (or it does not say).
 */
static int runtime_set(struct dockerapi *api, struct sysset *set, char **name)
{
	struct runtime_info info = { 0 };
	bool detected = api && !runtime_detect(api, &info);
	int ret = runtime_sysset(detected ? &info : NULL, SYS_ARCH_X86_64, set);

	if (!ret)
		*name = detected ? xasprintf("%s %s", info.name, info.version) : xstrdup("runc (newest known set)");
	runtime_info_release(&info);
	return ret;
}

int pipeline_runtime_set(bool docker, struct sysset *set, char **name)
{
	return runtime_set(docker ? engine() : NULL, set, name);
}

char *pipeline_runtime_reason(const char *runtime)
{
	return xasprintf("the container runtime (%s) calls it after installing the filter", runtime);
}

const char *pipeline_kernel_reason(int nr)
{
	/*
	 * No code makes restart_syscall: the kernel does, on the program's
	 * behalf, to resume a nanosleep, clock_nanosleep, poll or futex wait
	 * that a signal it had no handler for interrupted (SIGSTOP and
	 * SIGCONT, a cgroup freeze such as 'docker pause').  The filter sees
	 * it like any other call, so every profile allows it.
	 */
	if (nr >= 0 && nr == syscall_number(SYS_ARCH_X86_64, "restart_syscall"))
		return "the kernel makes it to resume a sleeping call (nanosleep, poll, futex...) "
		       "that a signal without a handler interrupted";
	return NULL;
}

void pipeline_cleanup(void)
{
	if (api_ready)
		container_cleanup_all(&the_api);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void pipeline_result_init(struct pipeline_result *r)
{
	memset(r, 0, sizeof(*r));
	profile_init(&r->profile, SYS_ARCH_X86_64);
	sysset_clear(&r->analysed);
	sysset_clear(&r->runtime);
	sysset_clear(&r->repaired);
	sysset_clear(&r->missing);
	sysset_clear(&r->direct);
}

static char **copy_list(char *const *v, size_t nr)
{
	char **out = xcalloc(nr ? nr : 1, sizeof(*out));

	for (size_t i = 0; i < nr; i++)
		out[i] = xstrdup(v[i]);
	return out;
}

static void free_list(char **v, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		free(v[i]);
	free(v);
}

/* {"executables": [...], "libraries": [...]} */
static json_t *paths_json(char *const *exes, size_t exes_nr, char *const *libs, size_t libs_nr)
{
	json_t *o = json_object();

	json_object_set_new(o, "executables", cmd_strings_json(exes, exes_nr));
	json_object_set_new(o, "libraries", cmd_strings_json(libs, libs_nr));
	return o;
}

void pipeline_result_release(struct pipeline_result *r)
{
	size_t i;

	profile_release(&r->profile);
	free(r->runtime_name);
	free(r->error);
	free(r->baseline.check);
	for (i = 0; i < r->imports_nr; i++)
		free(r->imports[i]);
	free(r->imports);
	free_list(r->monitor_exes, r->monitor_exes_nr);
	free_list(r->monitor_libs, r->monitor_libs_nr);
	free_list(r->traced_exes, r->traced_exes_nr);
	free_list(r->traced_libs, r->traced_libs_nr);
	for (i = 0; i < SYSSET_NR; i++) {
		free(r->why[i]);
		free(r->missing_by[i]);
	}
	memset(r, 0, sizeof(*r));
}

static void seed(const struct pipeline_opts *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void seed(const struct pipeline_opts *o, const char *fmt, ...)
{
	char buf[4096];
	va_list ap;

	if (!o->seed_messages)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	p_info("%s", buf);
}

static char *join_names(const struct sysset *s, size_t max)
{
	const struct syscall_info *tab;
	struct strbuf sb = STRBUF_INIT;
	size_t n, i, k = 0;

	tab = syscall_table(SYS_ARCH_X86_64, &n);
	for (i = 0; i < n; i++) {
		if (!sysset_has(s, tab[i].nr))
			continue;
		if (k == max) {
			strbuf_addstr(&sb, ", ...");
			break;
		}
		strbuf_addf(&sb, "%s%s", k ? ", " : "", tab[i].name);
		k++;
	}
	return strbuf_detach(&sb, NULL);
}

/* ---- why each syscall is allowed ---------------------------------------- */

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

char *pipeline_why_line(const struct analysis *an, int nr)
{
	struct analysis_step *steps = NULL;
	struct strbuf sb = STRBUF_INIT;
	size_t i;
	int n;

	if (nr < 0 || nr >= SYSSET_NR || !sysset_has(&an->syscalls, nr))
		return NULL;
	for (i = 0; i < an->programs_nr; i++)
		if (sysset_has(&an->programs[i].syscalls, nr))
			break;
	if (i == an->programs_nr)
		return NULL;
	strbuf_addf(&sb, "%s: ", an->programs[i].path);
	n = analysis_witness(an, i, nr, &steps);
	if (n > 0) {
		/* The last step is the site; it often lies in the previous function. */
		int shown = n;

		if (n >= 2 && steps[n - 1].function_start == steps[n - 2].function_start &&
		    !strcmp(steps[n - 1].object, steps[n - 2].object))
			shown = n - 1;
		for (int k = 0; k < shown; k++) {
			char lb[32];
			char *root;

			/* A call site is a step of its own: the line names each function once. */
			if (k && steps[k].function_start == steps[k - 1].function_start &&
			    !strcmp(steps[k].object, steps[k - 1].object))
				continue;
			root = analysis_root_phrase(&steps[k]);
			strbuf_addf(&sb, "%s%s!%s", k ? " -> " : "", base_name(steps[k].object),
				    analysis_function_label(steps[k].function, steps[k].function_start, lb, sizeof(lb)));
			if (root)
				strbuf_addf(&sb, " (%s)", root);
			free(root);
		}
		strbuf_addf(&sb, " (site 0x%llx)", (unsigned long long)steps[n - 1].address);
	} else if (an->programs[i].all_syscalls && an->programs[i].unresolved_nr) {
		const struct analysis_program *ap = &an->programs[i];

		strbuf_addf(&sb, "every syscall assumed: %zu unresolved site%s, e.g. %s 0x%llx (%s)",
			    ap->unresolved_nr, ap->unresolved_nr == 1 ? "" : "s", base_name(ap->unresolved[0].object),
			    (unsigned long long)ap->unresolved[0].address, ap->unresolved[0].reason);
	} else if (an->programs[i].error) {
		strbuf_addstr(&sb, "not analysable: every syscall assumed");
	} else {
		strbuf_addstr(&sb, "reachable (no chain recorded)");
	}
	free(steps);
	return strbuf_detach(&sb, NULL);
}

/* ---- copying the analysed files into output/IMAGE ---------------------- */

/*
 * Open (creating) each folder of 'rel' below 'dirfd' without following a
 * symlink anywhere: a planted link in output/ cannot redirect the copy.
 */
static int open_below(int dirfd, const char *rel, int *out)
{
	const char *p = rel;
	int fd = dup(dirfd), ret = 0;

	*out = -1;
	if (fd < 0)
		return -errno;
	while (*p) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);
		char *part;
		int next;

		if (!len) {
			p++;
			continue;
		}
		part = xstrndup(p, len);
		p += len;
		if (!strcmp(part, "..") || !strcmp(part, ".")) {
			free(part);
			ret = -EINVAL;
			break;
		}
		if (mkdirat(fd, part, 0755) && errno != EEXIST) {
			ret = -errno;
			free(part);
			break;
		}
		next = openat(fd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		free(part);
		if (next < 0) {
			ret = -errno;
			break;
		}
		close(fd);
		fd = next;
	}
	if (ret) {
		close(fd);
		return ret;
	}
	*out = fd;
	return 0;
}

/* Write 'data' to dirfd/name atomically (temporary + rename), never through a link. */
static int write_at(int dirfd, const char *name, const void *data, size_t len, unsigned mode)
{
	char *tmp = xasprintf(".%s.confine-tmp", name);
	const char *p = data;
	int fd, ret = 0;

	unlinkat(dirfd, tmp, 0);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode & 0755);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		p += w;
		len -= (size_t)w;
	}
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && renameat(dirfd, tmp, dirfd, name))
		ret = -errno;
	if (ret)
		unlinkat(dirfd, tmp, 0);
out:
	free(tmp);
	return ret;
}

static int copy_one(const struct rootfs *fs, int basefd, const char *path, const char *outdir)
{
	const struct rootfs_node *node = NULL;
	char *real = NULL, *dir, *slash;
	struct fs_map map;
	int dfd = -1, ret;

	ret = rootfs_resolve(fs, path, true, &node, &real);
	if (ret || node->type != ROOTFS_REG || !node->blob) {
		free(real);
		return 0; /* nothing kept to copy (not an ELF file, or absent) */
	}
	dir = xstrdup(real);
	slash = strrchr(dir, '/');
	*slash = '\0';
	ret = open_below(basefd, dir[0] ? dir + 1 : "", &dfd);
	if (ret) {
		ret = err_set(-ret, "cannot create folder '%s%s' in '%s': %s", outdir, dir,
			      outdir, strerror(-ret));
		goto out;
	}
	ret = fs_map_file(node->blob, &map);
	if (!ret) {
		ret = write_at(dfd, slash + 1, map.data, map.size, node->mode);
		if (ret)
			ret = err_set(-ret, "cannot write '%s%s': %s", outdir, real, strerror(-ret));
		fs_unmap(&map);
	}
	close(dfd);
out:
	free(dir);
	free(real);
	return ret;
}

#define OUTPUT_MARKER ".confine-output"

static bool dir_is_empty(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool empty = true;

	if (!d)
		return true;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			empty = false;
			break;
		}
	}
	closedir(d);
	return empty;
}

/*
 * output/IMAGE is confine's own folder: one holding files but no marker is
 * someone else's and is refused; confine's own is emptied and refilled.
 * On success *fd is an O_NOFOLLOW handle on the folder.
 */
static int prepare_copy_dir(const char *dir, int *fd)
{
	char *marker = fs_join(dir, OUTPUT_MARKER);
	struct stat st;
	int ret = 0;

	if (!lstat(dir, &st)) {
		if (!S_ISDIR(st.st_mode)) {
			ret = err_set(ENOTDIR, "output folder '%s' exists and is not a folder", dir);
			goto out;
		}
		if (!fs_exists(marker) && !dir_is_empty(dir)) {
			ret = err_set(EEXIST,
				      "output folder '%s' holds files confine did not write; "
				      "remove it or choose another -o", dir);
			goto out;
		}
		ret = fs_remove_tree(dir);
		if (ret)
			goto out;
	}
	ret = fs_mkdir_p(dir, 0755);
	if (ret)
		goto out;
	*fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (*fd < 0) {
		ret = err_set(errno, "cannot open output folder '%s': %s", dir, strerror(errno));
		goto out;
	}
	ret = write_at(*fd, OUTPUT_MARKER, "confine output folder\n", 22, 0644);
	if (ret) {
		close(*fd);
		ret = err_set(-ret, "cannot write '%s': %s", marker, strerror(-ret));
	}
out:
	free(marker);
	return ret;
}

/* Every object of every program, unique by canonical path, sorted. */
static const char **program_objects(const struct program_set *ps, struct strmap *seen,
				    size_t *nr)
{
	size_t i, j;

	for (i = 0; i < ps->nr; i++) {
		const struct program *pg = &ps->progs[i];

		if (pg->real)
			strmap_put(seen, pg->real, (void *)pg);
		if (!pg->libs_done || pg->libs_err)
			continue;
		for (j = 0; j < pg->libs.libs_nr; j++)
			if (pg->libs.libs[j].real)
				strmap_put(seen, pg->libs.libs[j].real, (void *)&pg->libs.libs[j]);
	}
	*nr = seen->nr;
	return strmap_sorted_keys(seen);
}

/*
 * The names programs and the loader use for an object ("/usr/bin/redis-server",
 * "/lib/x86_64-linux-gnu/libc.so.6") when they differ from its canonical
 * path: alias -> real, both borrowed from the program set.
 */
static void program_aliases(const struct program_set *ps, struct strmap *aliases)
{
	size_t i, j;

	for (i = 0; i < ps->nr; i++) {
		const struct program *pg = &ps->progs[i];

		if (pg->path && pg->real && strcmp(pg->path, pg->real))
			strmap_put(aliases, pg->path, pg->real);
		if (!pg->libs_done || pg->libs_err)
			continue;
		for (j = 0; j < pg->libs.libs_nr; j++) {
			const struct ldso_lib *l = &pg->libs.libs[j];

			if (l->path && l->real && strcmp(l->path, l->real))
				strmap_put(aliases, l->path, l->real);
		}
	}
}

/*
 * Make output/IMAGE/ALIAS a relative symlink to output/IMAGE/REAL, as the
 * image has it, so the copy can be browsed by the names the programs use.
 * The link stays inside the output folder: its target climbs exactly the
 * folders below the output root that hold it.  An existing regular file is
 * never replaced.
 */
static int link_alias(int basefd, const char *alias, const char *real, const char *outdir)
{
	const char *name = strrchr(alias, '/'), *p;
	char *dir = xstrndup(alias, (size_t)(name - alias));
	struct strbuf target = STRBUF_INIT;
	struct stat st;
	int dfd = -1, ret;

	ret = open_below(basefd, dir[0] ? dir + 1 : "", &dfd);
	if (ret) {
		ret = err_set(-ret, "cannot create folder '%s%s': %s", outdir, dir, strerror(-ret));
		goto out;
	}
	for (p = dir; *p; p++)
		if (*p == '/')
			strbuf_addstr(&target, "../");
	strbuf_addstr(&target, real + 1);
	if (!fstatat(dfd, name + 1, &st, AT_SYMLINK_NOFOLLOW)) {
		if (!S_ISLNK(st.st_mode))
			goto out; /* a real copy already stands there */
		unlinkat(dfd, name + 1, 0);
	}
	if (symlinkat(strbuf_str(&target), dfd, name + 1))
		ret = err_set(errno, "cannot link '%s%s': %s", outdir, alias, strerror(errno));
out:
	if (dfd >= 0)
		close(dfd);
	strbuf_release(&target);
	free(dir);
	return ret;
}

/*
 * Copy objs into the output folder: a fresh one (prepare_copy_dir), or with
 * 'more' the one an earlier call of this run wrote.
 */
static int copy_objects(const struct pipeline_opts *o, const struct image *img,
			const struct program_set *ps, const char *const *objs, size_t nr, bool more)
{
	struct strmap aliases = STRMAP_INIT;
	const char **names = NULL;
	int fd = -1, ret = 0;
	size_t i;

	if (!more) {
		ret = prepare_copy_dir(o->copy_dir, &fd);
	} else {
		fd = open(o->copy_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			ret = err_set(errno, "cannot open output folder '%s': %s", o->copy_dir, strerror(errno));
	}
	if (ret)
		return ret;
	for (i = 0; i < nr && !ret; i++) {
		ret = copy_one(img->rootfs, fd, objs[i], o->copy_dir);
		progress_update(cmd_progress(), "copying", i + 1, nr);
	}
	program_aliases(ps, &aliases);
	names = strmap_sorted_keys(&aliases);
	for (i = 0; i < aliases.nr && !ret; i++)
		ret = link_alias(fd, names[i], strmap_get(&aliases, names[i]), o->copy_dir);
	free(names);
	strmap_release(&aliases, NULL);
	close(fd);
	return ret;
}

/* Imports of every object, for Confine's method. */
static void collect_imports(const struct program_set *ps, bool direct, struct pipeline_result *r)
{
	struct strmap names = STRMAP_INIT, done = STRMAP_INIT;
	const char **keys;
	size_t i, j, k;

	for (i = 0; i < ps->nr; i++) {
		const struct program *pg = &ps->progs[i];

		if (!pg->libs_done || pg->libs_err)
			continue;
		for (j = 0; j < pg->libs.libs_nr; j++) {
			const struct ldso_lib *l = &pg->libs.libs[j];

			if (!l->elf || !l->real || strmap_contains(&done, l->real))
				continue;
			strmap_put(&done, l->real, NULL);
			if (l->elf->is_go)
				r->is_go = true;
			if (strstr(l->real, "musl"))
				r->uses_musl = true;
			if (direct)
				confine_direct_syscalls(l->elf, l->real, &r->direct);
			for (k = 1; k < l->elf->dynsym.nr; k++) {
				const struct elf_symbol *s = &l->elf->dynsym.syms[k];

				if (!s->defined && s->name[0])
					strmap_put(&names, s->name, NULL);
			}
		}
	}
	keys = strmap_sorted_keys(&names);
	for (i = 0; i < names.nr; i++) {
		ALLOC_GROW(r->imports, r->imports_nr + 1, r->imports_alloc);
		r->imports[r->imports_nr++] = xstrdup(keys[i]);
	}
	free(keys);
	strmap_release(&names, NULL);
	strmap_release(&done, NULL);
}

/* ---- containers ---------------------------------------------------------- */

/*
 * The container the run options and arguments describe (for any image: the
 * analysis reads its entrypoint, arguments, environment and folder too).
 */
static int build_spec(const struct pipeline_opts *o, struct container_spec *spec)
{
	size_t i;
	int ret;

	container_spec_init(spec);
	if (!strncmp(o->ref, "docker:", 7))
		spec->image = xstrdup(o->ref + strlen("docker:"));
	if (o->run_options && *o->run_options) {
		ret = runopts_parse(o->run_options, spec);
		if (ret)
			return err_wrap(ret, "image '%s': \"options\"", o->name);
	}
	if (o->run_args && *o->run_args) {
		ret = runopts_args(o->run_args, spec);
		if (ret)
			return err_wrap(ret, "image '%s': \"args\"", o->name);
	}
	for (i = 0; i < o->links_nr; i++)
		strlist_push(&spec->links, o->links[i]);
	return 0;
}

/*
 * An exec: workload or health check runs in the container ('docker exec'),
 * under the profile: its program is one of the image's.
 */
static void add_probe_programs(const struct pipeline_opts *o, struct program_set *ps)
{
	const char *specs[] = { o->workload, o->health };
	const char *names[] = { "the workload", "the health check" };

	for (size_t i = 0; i < ARRAY_SIZE(specs); i++) {
		bool shell = specs[i] && !strncmp(specs[i], "cmd:", 4);
		char kind_cmd[] = "CMD", kind_shell[] = "CMD-SHELL";
		char *what, **test;
		size_t argc = 0;
		struct probe pr;

		if (!specs[i] || (!shell && strncmp(specs[i], "exec:", 5)) ||
		    probe_parse(specs[i], &pr) != 0) {
			err_clear();
			continue;
		}
		/*
		 * cmd: runs "/bin/sh -c TEXT" in the container, exec: its ARGV
		 * (whole: "exec:sh -c 'dig ... | grep ...'" runs dig and grep).
		 */
		if (pr.kind == PROBE_EXEC && pr.argv && pr.argv[0]) {
			while (pr.argv[argc])
				argc++;
			test = xcalloc(argc + 2, sizeof(*test));
			test[0] = shell ? kind_shell : kind_cmd;
			if (shell)
				test[1] = pr.argv[2];
			else
				memcpy(test + 1, pr.argv, argc * sizeof(*test));
			what = xasprintf("%s (%s)", names[i], shell ? "cmd:" : "exec:");
			program_set_add_check(ps, test, shell ? 2 : argc + 1, what);
			free(what);
			free(test);
		}
		probe_release(&pr);
	}
}

/*
 * The probe a run uses: the workload when given, else --health, else the
 * container's own HEALTHCHECK (the image's, or --health-cmd from the run
 * options), as 'confine validate' does.
 */
static int pick_probe(const struct pipeline_opts *o, const struct image_config *cfg,
		      struct probe *pr, bool *have)
{
	const char *spec = o->workload ? o->workload : o->health;
	int ret;

	memset(pr, 0, sizeof(*pr));
	*have = false;
	ret = spec ? probe_parse(spec, pr)
		   : probe_from_healthcheck(cfg->healthcheck.test, cfg->healthcheck.test_nr, pr);
	if (ret)
		return err_wrap(ret, "image '%s'", o->name);
	*have = pr->kind != PROBE_NONE;
	return 0;
}

/* ---- validation ------------------------------------------------------- */

static char *reasons_text(const struct validate_result *vr)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; i < vr->reasons.nr; i++)
		strbuf_addf(&sb, "%s%s", i ? "; " : "", vr->reasons.v[i]);
	return strbuf_detach(&sb, NULL);
}

static int validate_once(const struct pipeline_opts *o, struct dockerapi *api,
			 const struct container_spec *spec, const struct probe *probe,
			 struct pipeline_result *r, struct validate_result *vr)
{
	struct validate_opts vo;
	struct strbuf sb = STRBUF_INIT;
	int ret;

	ret = profile_render(&r->profile, PROFILE_DOCKER, &sb);
	if (ret)
		return ret;
	memset(&vo, 0, sizeof(vo));
	vo.profile_json = sb.buf;
	vo.probe = probe;
	vo.timeout_ms = o->monitor_max_ms;
	vo.progress = cmd_progress();
	ret = validate_profile(api, spec, &vo, vr);
	strbuf_release(&sb);
	return ret;
}

static int run_validation(const struct pipeline_opts *o, struct dockerapi *api,
			  const struct container_spec *spec, const struct probe *probe,
			  struct pipeline_result *r)
{
	int round, rounds = o->repair_rounds > 0 ? o->repair_rounds : 3;
	int ret = 0;

	for (round = 0;; round++) {
		struct validate_result vr;
		struct sysset add;
		size_t n;

		validate_result_init(&vr);
		ret = validate_once(o, api, spec, probe, r, &vr);
		if (ret) {
			validate_result_release(&vr);
			return ret;
		}
		r->validated = true;
		r->hardened = vr.ok;
		r->baseline.started = vr.baseline.started;
		r->baseline.exited = vr.baseline.exited;
		r->baseline.oom_killed = vr.baseline.oom_killed;
		r->baseline.probe_ran = vr.baseline.probe_ran;
		r->baseline.probe_ok = vr.baseline.probe_ok;
		r->baseline.exit_code = vr.baseline.exit_code;
		r->baseline.ms = vr.baseline.ms;
		free(r->baseline.check);
		r->baseline.check = probe ? xstrdup(probe->spec) : NULL;
		if (!r->launched && vr.baseline.started)
			r->launched = true;
		if (vr.baseline.started && (!vr.baseline.exited || vr.baseline.exit_code == 0))
			r->stays_running = true;
		sysset_clear(&add);
		n = validate_missing_set(&vr, &add);
		sysset_clear(&r->missing);
		sysset_union(&r->missing, &add);
		for (int nr = 0; nr < SYSSET_NR; nr++) {
			free(r->missing_by[nr]);
			r->missing_by[nr] = NULL;
		}
		for (size_t i = 0; i < vr.missing_nr; i++) {
			const struct validate_missing *m = &vr.missing[i];
			const char *by = m->exes ? m->exes : m->comms;

			if (sysset_has(&add, m->nr) && m->arch == AUDIT_ARCH_X86_64_ID && by && !r->missing_by[m->nr])
				r->missing_by[m->nr] = xstrdup(by);
		}
		free(r->error);
		r->error = vr.ok ? NULL : reasons_text(&vr);
		validate_result_release(&vr);
		if (r->hardened || !o->repair || !n || round + 1 >= rounds)
			break;
		{
			char *names = join_names(&add, 50);

			p_info("Repair: the audit run saw %zu syscall%s denied: %s; adding %s and "
			       "validating again", n, n == 1 ? "" : "s", names, n == 1 ? "it" : "them");
			free(names);
		}
		for (int nr = 0; nr < SYSSET_NR; nr++)
			if (sysset_has(&add, nr) && !r->why[nr])
				r->why[nr] = xstrdup("added by --repair: the audit run saw it denied");
		sysset_union(&r->profile.allow, &add);
		sysset_union(&r->repaired, &add);
		if (o->profile_path) {
			ret = profile_write(&r->profile, PROFILE_DOCKER, o->profile_path);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/* ---- the pipeline ------------------------------------------------------ */

int pipeline_run(const struct pipeline_opts *o, struct pipeline_result *r)
{
	struct image_open_opts iopts = { 0 };
	struct image *img = NULL;
	struct program_set ps;
	struct image_config cfg;
	struct analysis_opts aopts = { 0 };
	struct analysis *an = NULL;
	struct container_spec spec;
	struct probe probe;
	struct monitor_result mr;
	struct exectrace *xt = NULL;
	struct dockerapi *api = NULL;
	struct strmap objs_seen = STRMAP_INIT;
	const char **objs = NULL, **plugins = NULL;
	bool is_docker = !strncmp(o->ref, "docker:", 7), have_probe = false;
	double t0 = now_s(), t;
	size_t i, nobjs = 0;
	int ret;

	container_spec_init(&spec);
	monitor_result_init(&mr);
	memset(&probe, 0, sizeof(probe));
	iopts.progress = cmd_progress();
	ret = image_open(o->ref, &iopts, &img);
	r->image_s = now_s() - t0;
	if (ret)
		goto out_nothing;
	ret = build_spec(o, &spec);
	if (ret) {
		image_free(img);
		goto out_nothing;
	}
	/* The programs as this run starts them: the image's config with the run options applied. */
	container_spec_config(&spec, &img->config, &cfg);
	program_set_init(&ps, img->rootfs, &cfg);
	program_set_add_config(&ps, &cfg);
	add_probe_programs(o, &ps);
	for (i = 0; i < o->programs_nr; i++) {
		ret = program_set_add(&ps, o->programs[i], PROGRAM_ADDED, "named with --program");
		if (ret < 0)
			goto out;
	}
	if (o->all_binaries)
		program_set_add_all_binaries(&ps, cmd_progress());

	if ((o->monitor || o->validate) && is_docker) {
		api = engine();
		if (!api) {
			ret = err_wrap(-ECONNREFUSED, "the monitor and validation phases need the "
						      "Docker engine");
			goto out;
		}
		ret = pick_probe(o, &cfg, &probe, &have_probe);
		if (ret)
			goto out;
	} else if (o->monitor || o->validate) {
		warn_add("%s: monitor and validation need a docker: image; skipped", o->ref);
	}

	/* MONITOR */
	if (o->monitor && api) {
		struct monitor_opts mo = { 0 };
		struct monitor_tracer tracer;

		if (o->copy_dir) {
			char *marker = fs_join(o->copy_dir, OUTPUT_MARKER);

			if (!fs_exists(marker))
				seed(o, "Cache doesn't exist, must extract binaries and libraries");
			free(marker);
		}
		if (exectrace_start(&xt, 0) == 0) {
			exectrace_monitor_tracer(xt, &tracer);
			mo.tracer = &tracer;
			r->monitor_tracer = "ebpf";
		} else {
			if (exectrace_built())
				warn_add("%s: monitor: %s; only /proc is watched, so what a "
					 "short-lived process maps may be missed",
					 o->name, err_msg());
			err_clear();
		}
		seed(o, "--->Starting MONITOR phase:");
		seed(o, "Running the container until it is idle (at most %ld s), watching its "
			"processes through %s", (o->monitor_max_ms ? o->monitor_max_ms : 10000) / 1000,
		     xt ? "eBPF and /proc" : "/proc");
		t = now_s();
		mo.max_ms = o->monitor_max_ms;
		mo.collect_maps = true;
		mo.probe = have_probe ? &probe : NULL;
		mo.probe_timeout_ms = o->probe_timeout_ms;
		mo.progress = cmd_progress();
		ret = monitor_run(api, &spec, &mo, &mr);
		exectrace_free(xt);
		xt = NULL;
		r->monitor_s = now_s() - t;
		if (ret)
			goto out;
		r->monitored = true;
		r->launched = mr.started;
		r->stays_running = mr.started && (!mr.exited || mr.exit_code == 0);
		r->monitor_exes = copy_list(mr.exes, r->monitor_exes_nr = mr.exes_nr);
		r->monitor_libs = copy_list(mr.libs, r->monitor_libs_nr = mr.libs_nr);
		r->traced_exes = copy_list(mr.traced_exes, r->traced_exes_nr = mr.traced_exes_nr);
		r->traced_libs = copy_list(mr.traced_libs, r->traced_libs_nr = mr.traced_libs_nr);
		if (!mr.started)
			warn_add("%s: the container did not start: %s", o->name,
				 mr.start_error ? mr.start_error : "unknown reason");
		if (mr.probe_ran && mr.probe_status)
			warn_add("%s: probe '%s' failed in the monitor run: %s", o->name,
				 probe.spec ? probe.spec : "?",
				 mr.probe_error ? mr.probe_error : "failed");
		for (i = 0; i < mr.exes_nr; i++)
			if (program_set_add(&ps, mr.exes[i], PROGRAM_MONITOR, "seen running") < 0)
				warn_add("%s: monitored executable '%s' not usable: %s", o->name,
					 mr.exes[i], err_msg());
		seed(o, "Container: %s ran %.1f s%s; extracted psList with %zu elements "
			"(%zu executables, %zu mapped libraries)", o->name, (double)mr.ran_ms / 1000,
			mr.exited ? " and exited" : "", mr.exes_nr + mr.libs_nr, mr.exes_nr,
			mr.libs_nr);
		if (o->seed_messages && !cmd_opts.quiet && !cmd_opts.json) {
			struct strbuf sb = STRBUF_INIT;

			for (i = 0; i < mr.exes_nr; i++)
				strbuf_addf(&sb, "%s'%s'", i ? ", " : "", mr.exes[i]);
			p_info("Container: %s PS List: {%s}", o->name, strbuf_str(&sb));
			strbuf_release(&sb);
		}
	}

	program_set_resolve_libs(&ps, cmd_progress());
	/*
	 * The plugins named with --dlopen and the libraries the monitor saw
	 * mapped are analysed (dlopen) and copied too.
	 */
	plugins = xcalloc(o->dlopen_nr + mr.libs_nr + 1, sizeof(*plugins));
	for (i = 0; i < o->dlopen_nr + mr.libs_nr; i++) {
		const struct rootfs_node *node;
		char *real = NULL;

		plugins[i] = i < o->dlopen_nr ? o->dlopen[i] : mr.libs[i - o->dlopen_nr];
		if (!rootfs_resolve(img->rootfs, plugins[i], true, &node, &real))
			strmap_put(&objs_seen, real, NULL);
		free(real);
	}
	aopts.dlopen = plugins;
	aopts.dlopen_nr = o->dlopen_nr + mr.libs_nr;
	objs = program_objects(&ps, &objs_seen, &nobjs);
	r->programs_nr = ps.nr;
	r->objects_nr = nobjs;
	if (o->copy_dir) {
		seed(o, "Starting to copy identified binaries and libraries (This can take some "
			"time...)");
		ret = copy_objects(o, img, &ps, objs, nobjs, false);
		if (ret)
			goto out;
		seed(o, "Finished copying identified binaries and libraries");
	}
	if (o->monitor && api)
		seed(o, "<---Finished MONITOR phase\n");

	/* Direct Syscall Extraction + ANALYZE: the binary analysis does both. */
	seed(o, "--->Starting Direct Syscall Extraction");
	seed(o, "Extracting direct system call invocations (%zu programs, %zu objects)", ps.nr,
	     nobjs);
	t = now_s();
	aopts.progress = cmd_progress();
	aopts.policy = o->policy;
	ret = analysis_image(img, &ps, &aopts, &an);
	r->analysis_s = now_s() - t;
	if (ret)
		goto out;
	if (ps.nr > r->programs_nr) {
		/* The analysis added the programs the others execute (origin "exec"). */
		struct strmap all = STRMAP_INIT;
		const char **now, **more = NULL;
		size_t n_now, n_more = 0;

		now = program_objects(&ps, &all, &n_now);
		more = xcalloc(n_now + 1, sizeof(*more));
		for (i = 0; i < n_now; i++)
			if (!strmap_contains(&objs_seen, now[i]))
				more[n_more++] = now[i];
		r->programs_nr = ps.nr;
		r->objects_nr += n_more;
		ret = o->copy_dir && n_more ? copy_objects(o, img, &ps, more, n_more, true) : 0;
		free(more);
		free(now);
		strmap_release(&all, NULL);
		if (ret)
			goto out;
	}
	seed(o, "<---Finished Direct Syscall Extraction\n");
	seed(o, "--->Starting ANALYZE phase");
	seed(o, "Linking each program with its libraries and following calls from its entry "
		"points, init code and address-taken functions");
	sysset_union(&r->analysed, &an->syscalls);
	for (i = 0; i < an->programs_nr; i++) {
		const struct analysis_program *ap = &an->programs[i];

		r->unresolved_nr += ap->unresolved_nr;
		if (ap->abis) {
			char ab[32];

			r->abis |= ap->abis;
			warn_add("%s: '%s' makes %s system calls (32-bit x86 code, or int 0x80): the profile "
				 "admits that architecture, and so every call (a profile's names hold for all "
				 "its architectures)", o->name, ap->path, p_abis_text(ap->abis, ab, sizeof(ab)));
		}
		if (ap->error) {
			r->programs_failed++;
			warn_add("%s: cannot analyse '%s' (all syscalls assumed): %s", o->name,
				 ap->path, ap->error_msg ? ap->error_msg : "failed");
		} else if (ap->all_syscalls) {
			warn_add("%s: '%s' has %zu unresolved syscall site%s: all syscalls assumed "
				 "for it (see 'confine analyze'; the first: %s)", o->name, ap->path,
				 ap->unresolved_nr, ap->unresolved_nr == 1 ? "" : "s",
				 ap->unresolved_nr ? ap->unresolved[0].reason : "?");
		} else if (ap->unresolved_nr && o->policy == ANALYSIS_UNRESOLVED_IGNORE) {
			warn_add("%s: '%s' has %zu unresolved syscall site%s, ignored (--unresolved ignore): "
				 "the profile may deny calls they make; validate it", o->name, ap->path,
				 ap->unresolved_nr, ap->unresolved_nr == 1 ? "" : "s");
		}
	}
	for (int nr = 0; nr < SYSSET_NR; nr++)
		r->why[nr] = pipeline_why_line(an, nr);
	collect_imports(&ps, o->confine_direct, r);
	seed(o, "%zu system calls reachable; %zu unresolved site%s; %zu imported functions",
	     sysset_count(&r->analysed), r->unresolved_nr, r->unresolved_nr == 1 ? "" : "s",
	     r->imports_nr);
	seed(o, "<---Finished ANALYZE phase\n");

	/* INTEGRATE */
	seed(o, "--->Starting INTEGRATE phase, extracting the list required system calls");
	if (!o->no_runtime) {
		ret = runtime_set(api ? api : is_docker ? engine() : NULL, &r->runtime, &r->runtime_name);
		if (ret)
			goto out;
		seed(o, "Adding the %zu system calls the runtime (%s) makes after installing the "
			"filter", sysset_count(&r->runtime), r->runtime_name);
	}
	seed(o, "Generating final system call filter list");
	for (i = 0; i < SYSSET_NR; i++)
		if (sysset_has(&r->runtime, (int)i) && !r->why[i])
			r->why[i] = pipeline_runtime_reason(r->runtime_name);
	sysset_union(&r->profile.allow, &r->analysed);
	sysset_union(&r->profile.allow, &r->runtime);
	for (i = 0; i < SYSSET_NR; i++) {
		if (!pipeline_kernel_reason((int)i))
			continue;
		sysset_add(&r->profile.allow, (int)i);
		if (!r->why[i])
			r->why[i] = xstrdup(pipeline_kernel_reason((int)i));
	}
	_Static_assert((unsigned)ANALYSIS_ABI_I386 == (unsigned)PROFILE_ABI_I386 &&
			       (unsigned)ANALYSIS_ABI_X32 == (unsigned)PROFILE_ABI_X32,
		       "analysis and profile ABI bits differ");
	if (r->abis) {
		for (i = 0; i < SYSSET_NR; i++)
			if (!sysset_has(&r->profile.allow, (int)i) && !r->why[i])
				r->why[i] = xstrdup("32-bit x86 code (or int 0x80) runs: the profile admits the "
						    "i386 or x32 architecture, whose calls are not analysed, and "
						    "names hold for every architecture");
		profile_allow_abis(&r->profile, r->abis);
	}
	for (i = 0; i < o->deny_nr; i++) {
		int nr = syscall_number(SYS_ARCH_X86_64, o->deny[i]);

		if (nr < 0) {
			ret = err_set(EINVAL, "--deny: unknown syscall '%s'", o->deny[i]);
			goto out;
		}
		sysset_del(&r->profile.allow, nr);
	}
	profile_set_name(&r->profile, o->name);
	profile_check_names(&r->profile);
	seed(o, STARS);
	seed(o, "Container Name: %s Num of filtered syscalls (original): %zu", o->name,
	     profile_blocked_count(&r->profile));
	seed(o, STARS);
	seed(o, "<---Finished INTEGRATE phase\n");
	if (o->profile_path) {
		ret = profile_write(&r->profile, PROFILE_DOCKER, o->profile_path);
		if (ret)
			goto out;
	}

	/* Validation */
	if (o->validate && api) {
		seed(o, "--->Validating generated Seccomp profile: %s",
		     o->profile_path ? o->profile_path : "(in memory)");
		t = now_s();
		ret = run_validation(o, api, &spec, have_probe ? &probe : NULL, r);
		r->validation_s = now_s() - t;
		if (ret)
			goto out;
		if (r->hardened) {
			seed(o, STARS);
			seed(o, "Finished validation. Container for image: %s was hardened "
				"SUCCESSFULLY!", o->name);
			seed(o, STARS);
		} else {
			char *names = join_names(&r->missing, 50);

			seed(o, "Container for image: %s was hardened with problems: %s%s%s", o->name,
			     r->error ? r->error : "validation failed",
			     sysset_count(&r->missing) ? "; denied syscalls: " : "", names);
			free(names);
		}
	}
	ret = 0;
out:
	free(objs);
	free(plugins);
	strmap_release(&objs_seen, NULL);
	analysis_free(an);
	program_set_release(&ps);
	image_config_release(&cfg);
	image_free(img);
out_nothing:
	r->total_s = now_s() - t0;
	probe_release(&probe);
	monitor_result_release(&mr);
	container_spec_release(&spec);
	return ret;
}

/* ---- JSON ------------------------------------------------------------ */

/* Sorted names of a set (JSON array, new reference). */
json_t *pipeline_names_json(const struct sysset *s)
{
	json_t *a = json_array();
	const char **v;
	size_t n, i, k;

	(void)syscall_table(SYS_ARCH_X86_64, &n);
	v = xcalloc(n + 1, sizeof(*v));
	k = sysset_names(s, SYS_ARCH_X86_64, v);
	for (i = 0; i < k; i++)
		json_array_append_new(a, json_string(v[i]));
	free(v);
	return a;
}

/* The validation run where nothing was denied: how the container fared on its own. */
static json_t *baseline_json(const struct pipeline_result *r)
{
	json_t *b = json_object();

	json_object_set_new(b, "started", json_boolean(r->baseline.started));
	json_object_set_new(b, "exited", json_boolean(r->baseline.exited));
	json_object_set_new(b, "exit_code", r->baseline.exited ? json_integer(r->baseline.exit_code) : json_null());
	json_object_set_new(b, "oom_killed", json_boolean(r->baseline.oom_killed));
	json_object_set_new(b, "seconds", json_real((double)r->baseline.ms / 1000.0));
	json_object_set_new(b, "check", r->baseline.check ? json_string(r->baseline.check) : json_null());
	json_object_set_new(b, "health_check",
			    r->baseline.probe_ran ? json_boolean(r->baseline.probe_ok) : json_null());
	return b;
}

json_t *pipeline_result_json(const struct pipeline_result *r, const char *image)
{
	json_t *o = json_object(), *v;

	json_object_set_new(o, "image", json_string(image));
	json_object_set_new(o, "allowed", json_integer((json_int_t)sysset_count(&r->profile.allow)));
	json_object_set_new(o, "blocked", json_integer((json_int_t)profile_blocked_count(&r->profile)));
	json_object_set_new(o, "programs", json_integer((json_int_t)r->programs_nr));
	json_object_set_new(o, "objects", json_integer((json_int_t)r->objects_nr));
	json_object_set_new(o, "programs_failed", json_integer((json_int_t)r->programs_failed));
	json_object_set_new(o, "unresolved_sites", json_integer((json_int_t)r->unresolved_nr));
	json_object_set_new(o, "compat_abis", p_abis_json(r->abis));
	json_object_set_new(o, "runtime", r->runtime_name ? json_string(r->runtime_name) : json_null());
	json_object_set_new(o, "runtime_syscalls", pipeline_names_json(&r->runtime));
	json_object_set_new(o, "syscalls", pipeline_names_json(&r->profile.allow));
	v = json_object();
	for (int nr = 0; nr < SYSSET_NR; nr++) {
		const char *name = syscall_name(SYS_ARCH_X86_64, nr);

		if (name && r->why[nr] && sysset_has(&r->profile.allow, nr))
			json_object_set_new(v, name, json_string(r->why[nr]));
	}
	json_object_set_new(o, "why", v);
	if (r->monitored) {
		v = json_object();
		json_object_set_new(v, "launched", json_boolean(r->launched));
		json_object_set_new(v, "stays_running", json_boolean(r->stays_running));
		json_object_set_new(v, "executables", json_integer((json_int_t)r->monitor_exes_nr));
		json_object_set_new(v, "libraries", json_integer((json_int_t)r->monitor_libs_nr));
		json_object_set_new(v, "tracer", json_string(r->monitor_tracer ? r->monitor_tracer : "proc"));
		json_object_set_new(v, "seen", paths_json(r->monitor_exes, r->monitor_exes_nr, r->monitor_libs,
							  r->monitor_libs_nr));
		if (r->monitor_tracer)
			json_object_set_new(v, "traced_only",
					    paths_json(r->traced_exes, r->traced_exes_nr, r->traced_libs,
						       r->traced_libs_nr));
		json_object_set_new(o, "monitor", v);
	}
	if (r->validated) {
		v = json_object();
		json_object_set_new(v, "hardened", json_boolean(r->hardened));
		json_object_set_new(v, "missing", pipeline_names_json(&r->missing));
		{
			json_t *by = json_object();

			for (int nr = 0; nr < SYSSET_NR; nr++) {
				const char *name = syscall_name(SYS_ARCH_X86_64, nr);

				if (sysset_has(&r->missing, nr) && r->missing_by[nr] && name)
					json_object_set_new(by, name, json_string(r->missing_by[nr]));
			}
			json_object_set_new(v, "missing_by", by);
		}
		json_object_set_new(v, "repaired", pipeline_names_json(&r->repaired));
		json_object_set_new(v, "error", r->error ? json_string(r->error) : json_null());
		json_object_set_new(v, "baseline", baseline_json(r));
		json_object_set_new(o, "validation", v);
	}
	v = json_object();
	json_object_set_new(v, "image", json_real(r->image_s));
	json_object_set_new(v, "monitor", json_real(r->monitor_s));
	json_object_set_new(v, "analysis", json_real(r->analysis_s));
	json_object_set_new(v, "validation", json_real(r->validation_s));
	json_object_set_new(v, "total", json_real(r->total_s));
	json_object_set_new(o, "seconds", v);
	json_object_set_new(o, "warnings", p_warnings_json());
	return o;
}


/* ---- outputs -------------------------------------------------------------- */

int pipeline_check_output(const char *path, bool force)
{
	struct profile p;
	size_t len = strlen(path);
	int ret;

	if (force || !fs_exists(path))
		return 0;
	if (len > 4 && !strcmp(path + len - 4, ".bpf"))
		return 0;
	profile_init(&p, SYS_ARCH_X86_64);
	ret = profile_read_file(path, &p, NULL);
	profile_release(&p);
	if (ret)
		return err_set(EEXIST, "'%s' exists and is not a seccomp profile; not replacing it",
			       path);
	return 0;
}
