#include "analysis/program.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/shwords.h"
#include "elf/elf.h"
#include "image/image.h"
#include "util/error.h"
#include "util/path.h"
#include "util/words.h"
#include "util/xalloc.h"

/* Docker's PATH when the image sets none. */
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
/* The kernel follows at most this many nested '#!' interpreters. */
#define SCRIPT_DEPTH_MAX 4
#define SHEBANG_MAX 256
/* Longer shell scripts are not read for the commands they run. */
#define SCRIPT_SCAN_MAX (1 << 20)
/* A larger package.json is not read for its scripts. */
#define PACKAGE_JSON_MAX (4 << 20)

const char *program_origin_name(enum program_origin o)
{
	switch (o) {
	case PROGRAM_ENTRYPOINT:
		return "entrypoint";
	case PROGRAM_CMD:
		return "cmd";
	case PROGRAM_INTERPRETER:
		return "interpreter";
	case PROGRAM_MONITOR:
		return "monitor";
	case PROGRAM_ALL_BINARIES:
		return "all-binaries";
	case PROGRAM_SCRIPT:
		return "script";
	case PROGRAM_EXEC:
		return "exec";
	case PROGRAM_HEALTHCHECK:
		return "healthcheck";
	case PROGRAM_CONFIG:
		return "config";
	default:
		return "added";
	}
}

void program_set_init(struct program_set *ps, const struct rootfs *fs,
		      const struct image_config *cfg)
{
	const char *path = NULL;

	memset(ps, 0, sizeof(*ps));
	ps->fs = fs;
	if (cfg) {
		ps->env = cfg->env;
		ps->env_nr = cfg->env_nr;
		path = env_lookup(cfg->env, cfg->env_nr, "PATH");
	}
	ps->path_var = xstrdup(path ? path : DEFAULT_PATH);
	ps->workdir = xstrdup(cfg && cfg->working_dir && cfg->working_dir[0] == '/' ?
				      cfg->working_dir :
				      "/");
	ps->ld = ldso_new(fs, ps->env, ps->env_nr, ps->workdir);
}

static void program_release(struct program *p)
{
	free(p->path);
	free(p->real);
	free(p->reason);
	free(p->interpreter);
	free(p->env_target);
	free(p->libs_err_msg);
	ldso_result_release(&p->libs);
}

void program_set_release(struct program_set *ps)
{
	for (size_t i = 0; i < ps->nr; i++)
		program_release(&ps->progs[i]);
	free(ps->progs);
	for (size_t i = 0; i < ps->argc; i++)
		free(ps->argv[i]);
	free(ps->argv);
	for (size_t i = 0; i < ps->unresolved_nr; i++)
		free(ps->unresolved[i]);
	free(ps->unresolved);
	ldso_free(ps->ld);
	free(ps->path_var);
	free(ps->workdir);
	memset(ps, 0, sizeof(*ps));
}

/* An executable regular file at 'path' (symlinks followed)? */
static bool is_executable(struct program_set *ps, const char *path)
{
	const struct rootfs_node *node;
	char *real = NULL;
	bool ok;

	if (rootfs_resolve(ps->fs, path, true, &node, &real) < 0)
		return false;
	free(real);
	ok = node->type == ROOTFS_REG && (node->mode & 0111);
	return ok;
}

/* A path name as the image sees it: absolute, relative ones from the working folder, tidied. */
static char *abs_in_image(const struct program_set *ps, const char *name)
{
	char *joined = name[0] == '/' ? xstrdup(name) : fs_join(ps->workdir, name);
	char *abs = path_tidy(joined, strlen(joined));

	free(joined);
	return abs;
}

int program_set_which(struct program_set *ps, const char *name, char **out)
{
	char *copy, *p;

	*out = NULL;
	if (!name || !name[0])
		return -ENOENT;
	if (strchr(name, '/')) {
		char *abs = abs_in_image(ps, name);

		if (is_executable(ps, abs)) {
			*out = abs;
			return 0;
		}
		free(abs);
		return -ENOENT;
	}
	copy = xstrdup(ps->path_var);
	for (p = copy; p;) {
		char *colon = strchr(p, ':'), *cand, *base;

		if (colon)
			*colon = '\0';
		/* execvp: an empty PATH entry is the current folder. */
		base = p[0] == '/' ? xstrdup(p) : fs_join(ps->workdir, p[0] ? p : ".");
		cand = fs_join(base, name);
		free(base);
		base = cand;
		cand = path_tidy(base, strlen(base));
		free(base);
		if (is_executable(ps, cand)) {
			*out = cand;
			free(copy);
			return 0;
		}
		free(cand);
		p = colon ? colon + 1 : NULL;
	}
	free(copy);
	return -ENOENT;
}

static void add_unresolved(struct program_set *ps, const char *name)
{
	for (size_t i = 0; i < ps->unresolved_nr; i++)
		if (strcmp(ps->unresolved[i], name) == 0)
			return;
	ALLOC_GROW(ps->unresolved, ps->unresolved_nr + 1, ps->unresolved_alloc);
	ps->unresolved[ps->unresolved_nr++] = xstrdup(name);
}

/*
 * Parse a '#!' line: *interp and *arg (the single optional argument, as
 * Linux passes it: everything after the interpreter, trimmed).  Returns
 * true when the file starts with '#!' and names an interpreter.
 */
static bool parse_shebang(const uint8_t *data, size_t len, char **interp, char **arg)
{
	size_t n = len < SHEBANG_MAX ? len : SHEBANG_MAX, i = 2, start;

	*interp = *arg = NULL;
	if (n < 3 || data[0] != '#' || data[1] != '!')
		return false;
	while (i < n && (data[i] == ' ' || data[i] == '\t'))
		i++;
	start = i;
	while (i < n && data[i] != ' ' && data[i] != '\t' && data[i] != '\n' && data[i] != '\0')
		i++;
	if (i == start)
		return false;
	*interp = xstrndup((const char *)data + start, i - start);
	while (i < n && (data[i] == ' ' || data[i] == '\t'))
		i++;
	start = i;
	while (i < n && data[i] != '\n' && data[i] != '\0')
		i++;
	while (i > start && (data[i - 1] == ' ' || data[i - 1] == '\t' || data[i - 1] == '\r'))
		i--;
	if (i > start)
		*arg = xstrndup((const char *)data + start, i - start);
	return true;
}

/* 'env [-S] [-i] [NAME=V]... PROG': the program env runs, or NULL. */
static char *env_target(const char *arg)
{
	char *copy = xstrdup(arg), *tok, *save = NULL, *res = NULL;

	for (tok = strtok_r(copy, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (tok[0] == '-' || strchr(tok, '='))
			continue;
		res = xstrdup(tok);
		break;
	}
	free(copy);
	return res;
}

/* Why a program named by its path is not one (program_set_which found none there). */
static int not_executable(struct program_set *ps, const char *name)
{
	const struct rootfs_node *node;
	char *abs = abs_in_image(ps, name);
	int ret;

	if (rootfs_resolve(ps->fs, abs, true, &node, NULL) < 0)
		ret = err_set(ENOENT, "cannot find program '%s' in the image: no such file", abs);
	else if (node->type != ROOTFS_REG)
		ret = err_set(ENOENT, "program '%s' in the image is not a regular file", abs);
	else
		ret = err_set(ENOENT, "program '%s' in the image is not executable (mode %04o)%s", abs,
			      (unsigned)(node->mode & 07777),
			      node->is_elf ? ": a library is analysed as a plugin with --dlopen" : "");
	free(abs);
	return ret;
}

static int add_depth(struct program_set *ps, const char *name, enum program_origin origin,
		     const char *reason, int depth);

static bool is_shell(const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	return strcmp(base, "sh") == 0 || strcmp(base, "bash") == 0 || strcmp(base, "dash") == 0 ||
	       strcmp(base, "ash") == 0 || strcmp(base, "zsh") == 0;
}

/*
 * The command string of a shell command line: STRING in 'sh -c STRING',
 * 'bash -ec STRING', 'sh -x -c STRING'; NULL for another command line.
 */
static const char *shell_string(char *const *argv, size_t argc)
{
	if (argc < 3 || !argv[0] || !is_shell(argv[0]))
		return NULL;
	for (size_t i = 1; i + 1 < argc && argv[i] && argv[i][0] == '-' && strcmp(argv[i], "--"); i++)
		if (argv[i][1] != '-' && strchr(argv[i], 'c'))
			return argv[i + 1];
	return NULL;
}

/* A file a script sources ('. /etc/apache2/envvars'), from the image. */
static char *script_read(void *arg, const char *path, size_t *len)
{
	const struct program_set *ps = arg;
	const struct rootfs_node *node;
	struct fs_map map = { NULL, 0 };
	char *text = NULL;

	if (rootfs_resolve(ps->fs, path, true, &node, NULL) < 0 || rootfs_map(ps->fs, node, &map) < 0) {
		err_clear();
		return NULL;
	}
	if (map.size <= SCRIPT_SCAN_MAX && !elf_probe(map.data, map.size)) {
		text = xmalloc(map.size + 1);
		memcpy(text, map.data, map.size);
		text[map.size] = '\0';
		*len = map.size;
	}
	fs_unmap(&map);
	return text;
}

/* The commands of a script that runs with the container's environment. */
static size_t script_commands(struct program_set *ps, const char *text, size_t len, char ***names)
{
	struct shwords_env e = { ps->env, ps->env_nr, script_read, ps };

	return shwords_commands_env(text, len, &e, names);
}

static void package_scripts_in_text(struct program_set *ps, const char *text, size_t len, int *added);

/*
 * The commands a shell script runs (analysis/shwords.h) run in the
 * container too: each one found on PATH is a program of the set.  A name
 * not found is left out silently: a function the script defines in a way
 * the reader does not see, a program installed at run time; only the
 * monitor can tell those.
 */
static void add_script_commands(struct program_set *ps, const char *script, const char *text, size_t len,
				int depth)
{
	char **names, *why = xasprintf("run by script %s", script);
	size_t n = script_commands(ps, text, len, &names);

	for (size_t i = 0; i < n; i++)
		if (add_depth(ps, names[i], PROGRAM_SCRIPT, why, depth + 1) < 0)
			err_clear();
	free_strv(names, n);
	free(why);
	{
		int added = 0;

		package_scripts_in_text(ps, text, len, &added);
	}
}

/* Look at a new program's content: ELF, or '#!' (then add its interpreter). */
static void inspect_program(struct program_set *ps, size_t idx, int depth)
{
	const struct rootfs_node *node;
	struct fs_map map = { NULL, 0 };
	char *real = NULL, *interp = NULL, *arg = NULL;
	char *path;

	if (rootfs_resolve(ps->fs, ps->progs[idx].real, true, &node, &real) < 0)
		return;
	free(real);
	if (rootfs_map(ps->fs, node, &map) < 0) {
		err_clear();
		warn_add("program '%s': content not available", ps->progs[idx].path);
		return;
	}
	if (elf_probe(map.data, map.size)) {
		ps->progs[idx].is_elf = true;
		fs_unmap(&map);
		return;
	}
	if (!parse_shebang(map.data, map.size, &interp, &arg)) {
		fs_unmap(&map);
		warn_add("program '%s' is neither ELF nor a '#!' script", ps->progs[idx].path);
		return;
	}
	ps->progs[idx].is_script = true;
	ps->progs[idx].interpreter = xstrdup(interp);
	path = xstrdup(ps->progs[idx].path);
	if (depth >= SCRIPT_DEPTH_MAX) {
		warn_add("program '%s': '#!' interpreters nested deeper than %d", path,
			 SCRIPT_DEPTH_MAX);
	} else {
		char *why = xasprintf("interpreter of %s", path);
		const char *base = strrchr(interp, '/');
		bool shell = is_shell(interp);

		if (add_depth(ps, interp, PROGRAM_INTERPRETER, why, depth + 1) < 0) {
			err_clear();
			add_unresolved(ps, interp);
			warn_add("program '%s': interpreter '%s' not found in the image", path,
				 interp);
		}
		/* '#!/usr/bin/env NAME': the program that really runs is NAME. */
		if (base && strcmp(base + 1, "env") == 0 && arg) {
			char *target = env_target(arg);

			if (target && add_depth(ps, target, PROGRAM_INTERPRETER, why, depth + 1) < 0) {
				err_clear();
				add_unresolved(ps, target);
				warn_add("program '%s': '%s' (via env) not found on PATH", path,
					 target);
			}
			shell = target && is_shell(target);
			ps->progs[idx].env_target = target; /* idx: ps->progs may have moved */
		}
		if (shell && map.size <= SCRIPT_SCAN_MAX)
			add_script_commands(ps, path, (const char *)map.data, map.size, depth);
		free(why);
	}
	fs_unmap(&map);
	free(path);
	free(interp);
	free(arg);
}

static int add_depth(struct program_set *ps, const char *name, enum program_origin origin,
		     const char *reason, int depth)
{
	const struct rootfs_node *node;
	char *path = NULL, *real = NULL;
	struct program *p;
	size_t idx;
	int ret;

	ret = program_set_which(ps, name, &path);
	if (ret < 0 && strchr(name, '/'))
		return not_executable(ps, name);
	if (ret < 0)
		return err_set(ENOENT, "cannot find program '%s' in the image (PATH=%s)", name,
			       ps->path_var);
	ret = rootfs_resolve(ps->fs, path, true, &node, &real);
	if (ret < 0) {
		free(path);
		return err_set(-ret, "cannot resolve program '%s' in the image: %s", name,
			       strerror(-ret));
	}
	for (size_t i = 0; i < ps->nr; i++) {
		if (strcmp(ps->progs[i].real, real) == 0) {
			free(path);
			free(real);
			return (int)i;
		}
	}
	ALLOC_GROW(ps->progs, ps->nr + 1, ps->alloc);
	idx = ps->nr++;
	p = &ps->progs[idx];
	memset(p, 0, sizeof(*p));
	p->path = path;
	p->real = real;
	p->origin = origin;
	p->reason = xstrdup(reason ? reason : program_origin_name(origin));
	inspect_program(ps, idx, depth);
	return (int)idx;
}

int program_set_add(struct program_set *ps, const char *name, enum program_origin origin,
		    const char *reason)
{
	return add_depth(ps, name, origin, reason, 0);
}

static void try_add(struct program_set *ps, const char *name, enum program_origin origin,
		    const char *reason, int *added)
{
	size_t before = ps->nr;

	if (program_set_add(ps, name, origin, reason) < 0) {
		err_clear();
		add_unresolved(ps, name);
		warn_add("%s '%s' not found in the image", reason, name);
		return;
	}
	*added += (int)(ps->nr - before);
}

/* The reason of the Cmd program an entrypoint script is handed (program_set_args). */
#define CMD_PASSED "cmd passed to the entrypoint"

/*
 * The script of package.json that a Node.js package manager's command
 * line runs: `npm start` ("start"), `npm run NAME`, `yarn NAME`, `pnpm
 * run NAME`...  Returns it (borrowed from argv) and the package's folder
 * in *dir (owned: --prefix, --cwd, -C, else the working folder), or NULL;
 * *named is false for yarn's and pnpm's NAME, which may be a built-in
 * command (yarn install) rather than a script.
 */
static const char *package_script(const struct program_set *ps, char *const *argv, size_t argc, char **dir,
				  bool *named)
{
	static const char *const direct[] = { "start", "stop", "restart", "test", "t", "tst" };
	const char *base, *tool, *script = NULL;
	const char *where = NULL;
	size_t i = 1;

	*dir = NULL;
	*named = true;
	if (!argc || !argv[0])
		return NULL;
	base = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	/* node /usr/lib/node_modules/npm/bin/npm-cli.js start */
	if (!strncmp(base, "node", 4) && argc > 1 && argv[1] && strstr(argv[1], "npm-cli.js"))
		base = "npm", i = 2;
	if (!strcmp(base, "npm") || !strcmp(base, "yarn") || !strcmp(base, "pnpm"))
		tool = base;
	else
		return NULL;
	for (; i < argc && argv[i]; i++) {
		const char *a = argv[i];

		if ((!strcmp(a, "--prefix") || !strcmp(a, "--cwd") || !strcmp(a, "--dir") || !strcmp(a, "-C")) &&
		    i + 1 < argc && argv[i + 1]) {
			where = argv[++i];
			continue;
		}
		if (!strncmp(a, "--prefix=", 9) || !strncmp(a, "--cwd=", 6) || !strncmp(a, "--dir=", 6)) {
			where = strchr(a, '=') + 1;
			continue;
		}
		if (a[0] == '-')
			continue;
		if (!strcmp(a, "run") || !strcmp(a, "run-script") || !strcmp(a, "rum") || !strcmp(a, "urn")) {
			while (++i < argc && argv[i] && argv[i][0] == '-')
				;
			script = i < argc ? argv[i] : NULL;
			break;
		}
		for (size_t k = 0; k < sizeof(direct) / sizeof(direct[0]) && !script; k++)
			if (!strcmp(a, direct[k]))
				script = k >= 3 ? "test" : a;
		/* yarn NAME and pnpm NAME run a script of that name (a built-in command has none). */
		if (!script && strcmp(tool, "npm")) {
			script = a;
			*named = false;
		}
		break;
	}
	if (!script || !script[0])
		return NULL;
	if (where) {
		char *joined = where[0] == '/' ? xstrdup(where) : fs_join(ps->workdir, where);

		*dir = path_tidy(joined, strlen(joined));
		free(joined);
	} else {
		*dir = xstrdup(ps->workdir ? ps->workdir : "/");
	}
	return script;
}

static void add_package_scripts(struct program_set *ps, char *const *argv, size_t argc, int *added);

/* Is w a shell variable assignment (NAME=value)? */
static bool is_assignment(const char *w)
{
	size_t n = strspn(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789");

	return n && w[n] == '=' && !(w[0] >= '0' && w[0] <= '9');
}

/*
 * `exec npm start` in an entrypoint script, `sh -c "npm run migrate && npm
 * start"`: each simple command of shell text (split at newlines, ';',
 * '&', '|', parentheses) that runs a package manager, after `exec` and
 * variable assignments.
 */
static void package_scripts_in_text(struct program_set *ps, const char *text, size_t len, int *added)
{
	size_t i = 0;

	if (!memmem(text, len, "npm", 3) && !memmem(text, len, "yarn", 4) && !memmem(text, len, "npx", 3))
		return;
	while (i < len) {
		size_t j = i;
		char *seg, **words = NULL;
		int nw = 0;

		while (j < len && !strchr("\n;&|()", text[j]))
			j++;
		seg = xstrndup(text + i, j - i);
		if ((strstr(seg, "npm") || strstr(seg, "yarn") || strstr(seg, "npx")) &&
		    words_split(seg, &words, &nw) == 0) {
			int k = 0;

			while (k < nw && (!strcmp(words[k], "exec") || is_assignment(words[k])))
				k++;
			if (k < nw)
				add_package_scripts(ps, words + k, (size_t)(nw - k), added);
		}
		err_clear();
		if (words)
			words_free(words);
		free(seg);
		i = j + 1;
	}
}

/* Put DIR/node_modules/.bin first on the set's PATH, as npm does; returns the PATH to put back. */
static char *path_push_bin(struct program_set *ps, const char *dir)
{
	char *old = ps->path_var;

	ps->path_var = xasprintf("%s/node_modules/.bin:%s", dir && strcmp(dir, "/") ? dir : "", old);
	return old;
}

static void path_pop(struct program_set *ps, char *old)
{
	free(ps->path_var);
	ps->path_var = old;
}

/*
 * `npx NAME ARGS`: the package's own node_modules/.bin/NAME (the working
 * folder's), else NAME on PATH (npx would download a package it cannot
 * find: nothing the image holds).
 */
static void add_npx(struct program_set *ps, char *const *argv, size_t argc, int *added)
{
	const char *base = argc && argv[0] ? strrchr(argv[0], '/') : NULL;
	char *path_var;
	size_t i = 1;

	base = base ? base + 1 : argc && argv[0] ? argv[0] : "";
	if (strcmp(base, "npx"))
		return;
	while (i < argc && argv[i] && argv[i][0] == '-')
		i++;
	if (i >= argc || !argv[i] || !argv[i][0])
		return;
	path_var = path_push_bin(ps, ps->workdir);
	try_add(ps, argv[i], PROGRAM_CMD, "run by npx", added);
	path_pop(ps, path_var);
}

/*
 * The package manager runs the script with /bin/sh -c, after its "pre"
 * script and before its "post" one (npm restart: stop, then start), with
 * the package's node_modules/.bin first on PATH: their commands are
 * programs of the set.
 */
static void add_package_scripts(struct program_set *ps, char *const *argv, size_t argc, int *added)
{
	char *dir, *file, *text = NULL, *path_var, *why;
	bool named;
	const char *script;
	const struct rootfs_node *node;
	json_t *doc, *scripts;
	json_error_t jerr;
	size_t len;

	add_npx(ps, argv, argc, added);
	script = package_script(ps, argv, argc, &dir, &named);
	if (!script)
		return;
	file = fs_join(dir, "package.json");
	if (rootfs_resolve(ps->fs, file, true, &node, NULL) < 0 || node->type != ROOTFS_REG ||
	    rootfs_read(ps->fs, node, PACKAGE_JSON_MAX, &text, &len) < 0) {
		err_clear();
		if (named)
			warn_add("'%s' runs script '%s' of '%s', which the image does not have (or it is over "
				 "%d MiB): its commands are not in the program set", argv[0], script, file,
				 PACKAGE_JSON_MAX >> 20);
		goto out;
	}
	doc = json_loadb(text, len, 0, &jerr);
	if (!doc) {
		warn_add("cannot parse '%s' (line %d): %s: the commands of its script '%s' are not in the program set",
			 file, jerr.line, jerr.text, script);
		goto out;
	}
	scripts = json_object_get(doc, "scripts");
	if (!json_is_object(scripts)) {
		if (named)
			warn_add("'%s' runs script '%s' of '%s', which has no \"scripts\" object", argv[0], script,
				 file);
		json_decref(doc);
		goto out;
	}
	path_var = path_push_bin(ps, dir);
	why = xasprintf("script '%s' of %s, run by %s", script, file, argv[0]);
	try_add(ps, "/bin/sh", PROGRAM_CMD, why, added);
	for (int pass = 0; pass < 2; pass++) {
		/* npm restart runs stop then start, each with its pre and post scripts. */
		const char *name = !strcmp(script, "restart") ? (pass ? "start" : "stop") : pass ? NULL : script;

		for (int k = 0; name && k < 3; k++) {
			char *key = xasprintf("%s%s", k == 0 ? "pre" : k == 2 ? "post" : "", name);
			const char *cmd = json_string_value(json_object_get(scripts, key));

			if (cmd) {
				char **names;
				size_t n = script_commands(ps, cmd, strlen(cmd), &names);

				for (size_t w = 0; w < n; w++)
					try_add(ps, names[w], PROGRAM_CMD, why, added);
				free_strv(names, n);
			} else if (k == 1 && named && !strcmp(name, script)) {
				warn_add("'%s' has no script '%s' (run by %s)", file, name, argv[0]);
			}
			free(key);
		}
	}
	free(why);
	path_pop(ps, path_var);
	json_decref(doc);
out:
	free(text);
	free(file);
	free(dir);
}

int program_set_add_config(struct program_set *ps, const struct image_config *cfg)
{
	const char *text;
	int added = 0;

	if (!cfg)
		return 0;
	for (size_t i = 0; i < ps->argc; i++)
		free(ps->argv[i]);
	free(ps->argv);
	ps->argc = cfg->entrypoint_nr + cfg->cmd_nr;
	ps->cmd_at = cfg->entrypoint_nr;
	ps->argv = xcalloc(ps->argc ? ps->argc : 1, sizeof(*ps->argv));
	for (size_t i = 0; i < cfg->entrypoint_nr; i++)
		ps->argv[i] = xstrdup(cfg->entrypoint[i] ? cfg->entrypoint[i] : "");
	for (size_t i = 0; i < cfg->cmd_nr; i++)
		ps->argv[cfg->entrypoint_nr + i] = xstrdup(cfg->cmd[i] ? cfg->cmd[i] : "");
	if (!ps->argc || !ps->argv[0][0]) {
		warn_add("image config names no Entrypoint or Cmd");
		return 0;
	}
	try_add(ps, ps->argv[0], PROGRAM_ENTRYPOINT, cfg->entrypoint_nr ? "entrypoint" : "cmd",
		&added);
	/* 'sh -c "exec prog ..."': prog runs too. */
	if ((text = shell_string(ps->argv, ps->argc))) {
		char **words;
		size_t n = script_commands(ps, text, strlen(text), &words);

		for (size_t i = 0; i < n; i++)
			try_add(ps, words[i], PROGRAM_CMD, "command of sh -c", &added);
		free_strv(words, n);
		package_scripts_in_text(ps, text, strlen(text), &added);
	}
	/* Entrypoint scripts conventionally end in 'exec "$@"'. */
	if (cfg->entrypoint_nr && cfg->cmd_nr && cfg->cmd[0] && cfg->cmd[0][0] &&
	    cfg->cmd[0][0] != '-') {
		char *path = NULL;

		if (program_set_which(ps, cfg->cmd[0], &path) == 0)
			try_add(ps, path, PROGRAM_CMD, CMD_PASSED, &added);
		free(path);
		add_package_scripts(ps, ps->argv + ps->cmd_at, ps->argc - ps->cmd_at, &added);
	}
	add_package_scripts(ps, ps->argv, ps->argc, &added);
	added += program_set_add_healthcheck(ps, cfg->healthcheck.test, cfg->healthcheck.test_nr);
	return added;
}

size_t program_set_args(const struct program_set *ps, size_t idx, char *const **argv)
{
	const struct program *p = &ps->progs[idx];

	*argv = NULL;
	if (p->origin == PROGRAM_ENTRYPOINT && ps->argc) {
		*argv = ps->argv;
		return ps->argc;
	}
	if (p->origin == PROGRAM_CMD && ps->cmd_at && ps->cmd_at < ps->argc && p->reason &&
	    !strcmp(p->reason, CMD_PASSED)) {
		*argv = ps->argv + ps->cmd_at;
		return ps->argc - ps->cmd_at;
	}
	return 0;
}

int program_set_add_check(struct program_set *ps, char *const *test, size_t nr, const char *what)
{
	int added = 0;

	if (nr >= 2 && test[0] && test[1] && !strcmp(test[0], "CMD") && test[1][0]) {
		/* ["CMD", "sh", "-c", "curl -f http://localhost/ || exit 1"]: the string's commands run too. */
		const char *text = shell_string(test + 1, nr - 1);

		try_add(ps, test[1], PROGRAM_HEALTHCHECK, what, &added);
		if (text) {
			char *command = xasprintf("command of %s", what), **words;
			size_t n = script_commands(ps, text, strlen(text), &words);

			for (size_t i = 0; i < n; i++)
				try_add(ps, words[i], PROGRAM_HEALTHCHECK, command, &added);
			free_strv(words, n);
			free(command);
		}
	} else if (nr >= 2 && test[0] && test[1] && !strcmp(test[0], "CMD-SHELL")) {
		/* The engine runs it with the image's shell, /bin/sh -c by default. */
		char *shell = xasprintf("%s shell", what), *command = xasprintf("command of %s", what);
		char **words;
		size_t n = script_commands(ps, test[1], strlen(test[1]), &words);

		try_add(ps, "/bin/sh", PROGRAM_HEALTHCHECK, shell, &added);
		for (size_t i = 0; i < n; i++)
			try_add(ps, words[i], PROGRAM_HEALTHCHECK, command, &added);
		free_strv(words, n);
		free(shell);
		free(command);
	}
	return added;
}

int program_set_add_healthcheck(struct program_set *ps, char *const *test, size_t nr)
{
	return program_set_add_check(ps, test, nr, "healthcheck");
}

int program_set_add_command(struct program_set *ps, const char *text, bool shell, const char *why)
{
	char **words = NULL, **names;
	int nw = 0, added = 0;
	size_t n;

	if (shell) {
		try_add(ps, "/bin/sh", PROGRAM_CONFIG, why, &added);
	} else if (words_split(text, &words, &nw) == 0 && nw >= 3 && shell_string(words, (size_t)nw)) {
		try_add(ps, words[0], PROGRAM_CONFIG, why, &added);
		text = shell_string(words, (size_t)nw);
	}
	err_clear();
	n = script_commands(ps, text, strlen(text), &names);
	for (size_t i = 0; i < n; i++)
		try_add(ps, names[i], PROGRAM_CONFIG, why, &added);
	free_strv(names, n);
	if (words)
		words_free(words);
	return added;
}

int program_set_add_template(struct program_set *ps, const char *text, const char *why)
{
	char **names, *path = NULL;
	int added = 0;
	size_t n = script_commands(ps, text, strlen(text), &names);
	bool found = false;

	for (size_t i = 0; i < n; i++) {
		found |= program_set_which(ps, names[i], &path) == 0;
		free(path);
		path = NULL;
		err_clear();
	}
	if (found) {
		try_add(ps, "/bin/sh", PROGRAM_EXEC, why, &added);
		for (size_t i = 0; i < n; i++)
			try_add(ps, names[i], PROGRAM_EXEC, why, &added);
	}
	free_strv(names, n);
	return added;
}

/* An ELF executable (exec or PIE, not a shared object) the loader can open. */
static bool elf_executable(struct program_set *ps, const char *path)
{
	const struct elf_file *elf;

	if (ldso_open(ps->ld, path, &elf, NULL) < 0) {
		err_clear();
		return false;
	}
	return elf->type == ELF_TYPE_EXEC || elf->type == ELF_TYPE_PIE;
}

int program_set_add_executable(struct program_set *ps, const char *path, const char *reason)
{
	const struct rootfs_node *n;
	int ret;

	if (path[0] != '/' || rootfs_resolve(ps->fs, path, true, &n, NULL) < 0) {
		err_clear();
		return -ENOENT;
	}
	if (n->type != ROOTFS_REG || !(n->mode & 0111) || (!n->is_script && !n->is_elf) ||
	    (n->is_elf && !elf_executable(ps, n->path)))
		return -ENOEXEC;
	ret = program_set_add(ps, path, PROGRAM_EXEC, reason);
	if (ret < 0)
		err_clear();
	return ret;
}

int program_set_add_all_binaries(struct program_set *ps, const struct progress *progress)
{
	const struct rootfs_node *n;
	size_t total = rootfs_count(ps->fs);
	int added = 0;

	for (size_t i = 0; (n = rootfs_at(ps->fs, i)); i++) {
		size_t before = ps->nr;

		if ((i & 255) == 0)
			progress_update(progress, "finding executables", i, total);
		if (n->type != ROOTFS_REG || !n->is_elf || !elf_executable(ps, n->path))
			continue;
		if (program_set_add(ps, n->path, PROGRAM_ALL_BINARIES, "all-binaries") < 0) {
			err_clear();
			continue;
		}
		added += (int)(ps->nr - before);
	}
	progress_update(progress, "finding executables", total, total);
	return added;
}

void program_set_resolve_libs(struct program_set *ps, const struct progress *progress)
{
	for (size_t i = 0; i < ps->nr; i++) {
		struct program *p = &ps->progs[i];

		progress_update(progress, "resolving libraries", i, ps->nr);
		if (p->libs_done || !p->is_elf)
			continue;
		p->libs_done = true;
		p->libs_err = ldso_resolve(ps->ld, p->real, &p->libs);
		if (p->libs_err < 0) {
			p->libs_err_msg = xstrdup(err_msg());
			err_clear();
		}
	}
	progress_update(progress, "resolving libraries", ps->nr, ps->nr);
}
