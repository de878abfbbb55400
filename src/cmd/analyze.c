/*
 * confine analyze FILE... [--root ROOTFS] [--json] [--dlopen FILE]...
 *                 [-e NAME=VALUE]... [-w DIR]
 *                 [--unresolved all|ignore] [--no-cache] [--threads N]
 *
 * Per program: the system calls it (and every library it loads) can make,
 * the imports it uses, every site whose number could not be resolved, and
 * the time taken.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "analysis/langsys.h"
#include "analysis/pycode.h"
#include "cmd/cmd.h"
#include "syscalls/syscalls.h"
#include "util/error.h"
#include "util/words.h"
#include "util/xalloc.h"

static const char usage[] =
	"usage: confine analyze FILE... [--root ROOTFS] [--json] [--dlopen FILE]...\n"
	"                       [-e NAME=VALUE]... [-w DIR] [--args STR]\n"
	"                       [--unresolved all|ignore] [--no-cache] [--threads N]\n"
	"\n"
	"Compute, by binary analysis, the system calls each program FILE can make\n"
	"together with every library its loader would load (DT_NEEDED closure,\n"
	"RPATH/RUNPATH, /etc/ld.so.conf, /etc/ld.so.preload).\n"
	"\n"
	"  -r, --root ROOTFS     FILEs (and their libraries) are paths inside ROOTFS\n"
	"  -j, --json            machine-readable output on stdout\n"
	"      --dlopen FILE     also load FILE as a dlopen()ed plugin (repeatable)\n"
	"  -e, --env NAME=VALUE  the programs run with this variable (repeatable):\n"
	"                        LD_LIBRARY_PATH, LD_PRELOAD and the run-time module\n"
	"                        rules' (PYTHONPATH, OPENSSL_ENGINES ...) count\n"
	"  -w, --workdir DIR     the programs' working folder (relative folders), default /\n"
	"      --args STR        the arguments the one FILE runs with (shell words): the\n"
	"                        rules read them (uwsgi --plugin, slapd -F, perl -I/-e ...)\n"
	"      --unresolved P    policy for sites whose number is unknown:\n"
	"                          all     (default, sound) the program may make any syscall\n"
	"                          ignore  report them only (unsound, for measurements)\n"
	"      --no-cache        do not read or write the per-object summary cache\n"
	"      --threads N       per-object analysis workers (default: CPUs, max 8)\n"
	"  -q, --quiet           no progress\n";

/* Add NAME=VALUE to env (a later NAME replaces an earlier one, as with docker run -e). */
static int env_add(char **env, size_t *nr, char *kv)
{
	const char *eq = strchr(kv, '=');
	size_t len;

	if (!eq || eq == kv)
		return err_set(EINVAL, "invalid --env '%s': expected NAME=VALUE", kv);
	len = (size_t)(eq - kv) + 1;
	for (size_t i = 0; i < *nr; i++)
		if (!strncmp(env[i], kv, len)) {
			env[i] = kv;
			return 0;
		}
	env[(*nr)++] = kv;
	return 0;
}

/* Names of the set, sorted; the caller frees the array (not the strings). */
static const char **sorted_names(const struct sysset *s, enum sys_arch arch, size_t *n)
{
	size_t tn;
	const char **v;

	(void)syscall_table(arch, &tn);
	v = xcalloc(tn ? tn : 1, sizeof(char *));
	*n = sysset_names(s, arch, v);
	return v;
}

/*
 * What the code of the interpreters it runs gives their syscall builtins:
 * {"perl": {"files": N, "calls": N, "known": true, "syscalls": [...]}}, or
 * "unknown": the reason, when a number is computed.
 */
static json_t *lang_json(const struct analysis *a, const struct analysis_program *p)
{
	json_t *o = json_object();

	for (unsigned l = 0; l < LANGSYS_NR; l++) {
		const struct langsys *ls = p->lang[l];
		json_t *names;
		size_t n;
		const char **v;

		if (!ls)
			continue;
		names = json_array();
		v = sorted_names(&ls->set, a->arch, &n);
		for (size_t i = 0; i < n; i++)
			json_array_append_new(names, json_string(v[i]));
		free(v);
		json_object_set_new(o, langsys_lang_name(ls->lang),
				    json_pack("{s:I, s:I, s:b, s:o, s:s?}", "files", (json_int_t)ls->files, "calls",
					      (json_int_t)ls->calls, "known", ls->known, "syscalls", names, "unknown",
					      ls->unknown));
	}
	return o;
}

/* The Python code that calls C through ctypes or cffi: {"files": N, "names": N, "libraries": [...]}, or null. */
static json_t *ffi_json(const struct analysis_program *p)
{
	json_t *libs;
	const char **v;
	size_t n;

	if (!p->ffi)
		return json_null();
	libs = json_array();
	v = pycode_libs(p->ffi, &n);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(libs, json_string(v[i]));
	free(v);
	return json_pack("{s:I, s:I, s:o, s:b}", "files", (json_int_t)p->ffi->files, "names",
			 (json_int_t)p->ffi->names.nr, "libraries", libs, "names_cut", p->ffi->names_cut);
}

static json_t *program_json(const struct analysis *a, const struct analysis_program *p)
{
	json_t *o = json_object(), *names = json_array(), *nums = json_array();
	json_t *imps = json_array(), *unres = json_array(), *objs = json_array(), *whys = json_array();
	size_t n;
	const char **v = sorted_names(&p->syscalls, a->arch, &n);

	for (size_t i = 0; i < n; i++)
		json_array_append_new(names, json_string_nocheck(v[i])); /* the table's: ASCII */
	free(v);
	for (int i = 0; i < SYSSET_NR; i++)
		if (sysset_has(&p->syscalls, i))
			json_array_append_new(nums, json_integer(i));
	for (size_t i = 0; i < p->imports_used_nr; i++)
		json_array_append_new(imps, json_string(p->imports_used[i]));
	for (size_t i = 0; i < p->unresolved_nr; i++)
		json_array_append_new(unres, p_unresolved_json(&p->unresolved[i]));
	for (size_t i = 0; i < p->objects_nr; i++) {
		json_array_append_new(objs, json_string(p->objects[i]));
		json_array_append_new(whys, json_string(p->object_why ? analysis_load_name(p->object_why[i]) : "?"));
	}
	json_object_set_new(o, "path", json_string(p->path));
	json_object_set_new(o, "root", p->root ? json_string(p->root) : json_null());
	json_object_set_new(o, "syscalls", names);
	json_object_set_new(o, "syscall_numbers", nums);
	json_object_set_new(o, "imports_used", imps);
	json_object_set_new(o, "unresolved", unres);
	json_object_set_new(o, "objects", objs);
	json_object_set_new(o, "object_reasons", whys);
	json_object_set_new(o, "time_ms", json_real((double)(long long)(p->time_ms * 1000) / 1000));
	json_object_set_new(o, "all_syscalls", json_boolean(p->all_syscalls));
	json_object_set_new(o, "calls_dlopen", json_boolean(p->calls_dlopen));
	json_object_set_new(o, "dlsym_computed", json_boolean(p->dlsym_computed));
	json_object_set_new(o, "compat_abis", p_abis_json(p->abis));
	json_object_set_new(o, "interpreter_code", lang_json(a, p));
	json_object_set_new(o, "ffi_code", ffi_json(p));
	if (p->error_msg)
		json_object_set_new(o, "error", json_string(p->error_msg));
	return o;
}

static json_t *program_item(size_t i, void *ctx)
{
	const struct analysis *a = ctx;

	return program_json(a, &a->programs[i]);
}

static void program_text(const struct analysis *a, const struct analysis_program *p)
{
	size_t n;
	const char **v = sorted_names(&p->syscalls, a->arch, &n);

	printf("%s%s%s: %zu syscalls%s, %zu imports used, %zu unresolved, %.1f ms\n", p->path,
	       p->root ? " in " : "", p->root ? p->root : "", n,
	       p->all_syscalls ? " (all: unresolved sites)" : "", p->imports_used_nr, p->unresolved_nr,
	       p->time_ms);
	if (p->error_msg)
		printf("  error: %s\n", p->error_msg);
	if (!p->all_syscalls) {
		printf("  syscalls:");
		for (size_t i = 0; i < n; i++)
			printf("%s%s", i % 8 ? " " : "\n    ", v[i]);
		printf("\n");
	}
	for (size_t i = 0; i < p->unresolved_nr && i < 20; i++) {
		const struct analysis_unresolved *u = &p->unresolved[i];
		char lb[32];

		printf("  unresolved: %s 0x%llx %s: %s\n", u->object, (unsigned long long)u->address,
		       analysis_function_label(u->function, u->function_start, lb, sizeof(lb)), u->reason);
	}
	if (p->unresolved_nr > 20)
		printf("  ... %zu more unresolved sites (see --json)\n", p->unresolved_nr - 20);
	/* Names it holds as string literals, and glibc's NSS modules, are in; computed ones are not. */
	if (p->abis) {
		char ab[32];

		printf("  note: also makes %s system calls (32-bit x86 code, or int 0x80): a profile must "
		       "admit that architecture\n", p_abis_text(p->abis, ab, sizeof(ab)));
	}
	for (unsigned l = 0; l < LANGSYS_NR; l++) {
		const struct langsys *ls = p->lang[l];

		if (!ls)
			continue;
		printf("  note: runs %s: its syscall builtin makes the calls %zu file%s of %s code give", langsys_lang_name(l),
		       ls->files, ls->files == 1 ? "" : "s", l == LANGSYS_PERL ? "Perl" : "Ruby");
		if (!ls->known) {
			printf(": every call, %s\n", ls->unknown);
			continue;
		}
		printf(" (%zu call%s%s", ls->calls, ls->calls == 1 ? "" : "s",
		       ls->calls && !sysset_count(&ls->set) ? ", of names x86_64 lacks" : "");
		for (int nr = 0; nr < SYSSET_NR; nr++)
			if (sysset_has(&ls->set, nr))
				printf(" %s", syscall_name(a->arch, nr));
		printf(")\n");
	}
	if (p->calls_dlopen)
		printf("  note: calls dlopen(); a library it loads by a computed name is not in this set "
		       "(name it with --dlopen)\n");
	if (p->ffi)
		printf("  note: runs Python with ctypes or cffi: the C functions %zu file%s of its code name%s are in\n",
		       p->ffi->files, p->ffi->files == 1 ? "" : "s", p->ffi->files ? "" : " (none found)");
	/* A name it passes as a literal is followed; a computed one is not. */
	if (p->dlsym_computed)
		printf("  note: calls dlsym() with a computed name; a function it finds that way is not "
		       "in this set\n");
	free(v);
}

int cmd_analyze(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "dlopen", required_argument, NULL, 'd' },
		{ "unresolved", required_argument, NULL, 'u' },
		{ "no-cache", no_argument, NULL, 'n' },
		{ "threads", required_argument, NULL, 't' },
		{ "env", required_argument, NULL, 'e' },
		{ "workdir", required_argument, NULL, 'w' },
		{ "args", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	struct analysis_opts opts = { 0 };
	const char *root = NULL;
	const char **dl = NULL;
	char **env = NULL, **words = NULL, **pargv = NULL;
	const char *args = NULL;
	size_t dl_nr = 0, env_nr = 0;
	struct analysis *a = NULL;
	int c, ret, status = 0;

	argc = cmd_parse_common(argc, argv, usage);
	dl = xcalloc((size_t)argc + 1, sizeof(char *));
	env = xcalloc((size_t)argc + 1, sizeof(char *));
	optind = 1;
	while ((c = getopt_long(argc, argv, "r:e:w:", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			root = optarg;
			break;
		case 'e':
			if (env_add(env, &env_nr, optarg) != 0) {
				p_err_last();
				status = 2;
				goto out;
			}
			break;
		case 'w':
			if (optarg[0] != '/') {
				p_err("invalid --workdir '%s': not an absolute folder", optarg);
				status = 2;
				goto out;
			}
			opts.workdir = optarg;
			break;
		case 'a':
			args = optarg;
			break;
		case 'd':
			dl[dl_nr++] = optarg;
			break;
		case 'u':
			if (analysis_policy_parse(optarg, &opts.policy) != 0) {
				p_err_last();
				status = 2;
				goto out;
			}
			break;
		case 'n':
			opts.no_cache = true;
			break;
		case 't': {
			char *end;
			long v = strtol(optarg, &end, 10);

			if (*end || v < 1 || v > 64) {
				p_err("invalid --threads '%s' (1-64)", optarg);
				status = 2;
				goto out;
			}
			opts.threads = (unsigned)v;
			break;
		}
		default:
			fputs(usage, stderr);
			status = 2;
			goto out;
		}
	}
	if (optind >= argc) {
		p_err("analyze: no FILE given");
		fputs(usage, stderr);
		status = 2;
		goto out;
	}
	if (args) {
		int nw = 0;

		if (argc - optind != 1) {
			p_err("analyze: --args names the arguments of one program: give one FILE");
			status = 2;
			goto out;
		}
		if (words_split(args, &words, &nw) != 0) {
			p_err("invalid --args: %s", err_msg());
			status = 2;
			goto out;
		}
		/* argv[0] is the program as given. */
		pargv = xcalloc((size_t)nw + 2, sizeof(*pargv));
		pargv[0] = argv[optind];
		memcpy(pargv + 1, words, (size_t)nw * sizeof(*pargv));
		opts.argv = pargv;
		opts.argc = (size_t)nw + 1;
	}
	opts.dlopen = dl;
	opts.dlopen_nr = dl_nr;
	opts.env = env;
	opts.env_nr = env_nr;
	opts.progress = cmd_progress();
	ret = analysis_files((const char *const *)argv + optind, (size_t)(argc - optind), root, &opts, &a);
	cmd_progress_done();
	if (ret < 0) {
		p_err_last();
		status = 1;
		goto out;
	}
	/* A FILE that cannot be analysed fails the command, with no partial output. */
	for (size_t i = 0; i < a->programs_nr; i++)
		if (a->programs[i].error) {
			p_warnings();
			p_err("%s", a->programs[i].error_msg ? a->programs[i].error_msg : "analysis failed");
			status = 1;
			goto out;
		}
	if (cmd_opts.json) {
		json_t *rest = json_object();

		json_object_set_new(rest, "policy", json_string(analysis_policy_name(opts.policy)));
		json_object_set_new(rest, "arch", json_string(sys_arch_name(a->arch)));
		json_object_set_new(rest, "warnings", p_warnings_json());
		p_json_stream(stdout, "programs", a->programs_nr, program_item, a, rest, analysis_threads(&opts));
		fputc('\n', stdout);
		json_decref(rest);
	} else {
		p_warnings();
		for (size_t i = 0; i < a->programs_nr; i++)
			program_text(a, &a->programs[i]);
		if (opts.policy == ANALYSIS_UNRESOLVED_IGNORE)
			p_info("note: --unresolved ignore is unsound: unresolved sites add nothing");
	}
out:
	analysis_free(a);
	free(dl);
	free(env);
	free(pargv);
	words_free(words);
	return status;
}
