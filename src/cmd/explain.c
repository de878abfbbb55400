/*
 * confine explain IMAGE [SYSCALL] [--all-binaries] [--program PATH] [--json]
 *
 * Why does the image's profile allow SYSCALL?  For every program of the
 * image's program set that can make it: a witness chain from the
 * program's entry (or another root) through the functions it calls to the
 * site, or the unresolved sites that made the set "everything".
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "analysis/program.h"
#include "analysis/pycode.h"
#include "cmd/cmd.h"
#include "cmd/pipeline.h"
#include "image/image.h"
#include "syscalls/syscalls.h"
#include "util/error.h"
#include "util/xalloc.h"

static const char usage[] =
	"usage: confine explain IMAGE [SYSCALL] [--all-binaries] [--program PATH]...\n"
	"                       [--dlopen PATH]... [--options STR] [--args STR] [--json]\n"
	"\n"
	"Show why SYSCALL (a name, or a number) is in IMAGE's system call set: for\n"
	"each program that can make it, why the program is in the set (the\n"
	"entrypoint, a command a script runs, a program another executes ...) and\n"
	"one call chain from the program's entry (or another root: init code, an\n"
	"address-taken function) to the site; then why every profile of the image\n"
	"allows it besides (the container runtime calls it, the kernel makes it).\n"
	"Without SYSCALL: every call a profile of the image allows, one line each\n"
	"(the first program that makes it and its chain, or the other reason).\n"
	"\n"
	"IMAGE is docker:NAME[:TAG], docker-archive:FILE[:NAME[:TAG]|:@N], oci:DIR[:REF],\n"
	"oci-archive:FILE[:REF] or dir:ROOTFS.\n"
	"\n"
	"      --all-binaries  analyse every ELF executable of the image\n"
	"      --program PATH  add a program (path inside the image); repeatable\n"
	"      --dlopen PATH   a plugin the programs dlopen() (path inside the image)\n"
	"      --options STR   docker run options the container runs with (\"-e A=B\n"
	"                      --entrypoint X -w DIR\"): they change what is analysed\n"
	"      --args STR      the arguments after the image (they replace its Cmd)\n"
	"  -j, --json         machine-readable output on stdout\n"
	"  -q, --quiet        no progress\n";

static int parse_syscall(const char *s, int *nr)
{
	char *end;
	long v;

	*nr = syscall_number(SYS_ARCH_X86_64, s);
	if (*nr >= 0)
		return 0;
	v = strtol(s, &end, 10);
	if (*s && !*end && v >= 0 && v < SYSSET_NR && syscall_name(SYS_ARCH_X86_64, (int)v)) {
		*nr = (int)v;
		return 0;
	}
	return err_set(EINVAL, "unknown system call '%s' for x86_64", s);
}

/* Is the chain's first step a function the program's Python code names for ctypes or cffi (pycode.h)? */
static bool ffi_named(const struct analysis_program *p, const struct analysis_step *first)
{
	return p->ffi && p->ffi->first && first->function && strmap_contains(&p->ffi->names, first->function);
}

/* Each step's object, function and address, and why its object is loaded. */
static json_t *chain_json(const struct analysis_program *p, const struct analysis_step *st, int n)
{
	json_t *a = json_array();

	for (int i = 0; i < n; i++) {
		char addr[32], start[32];
		int why = analysis_object_why(p, st[i].object);
		json_t *step;

		snprintf(addr, sizeof(addr), "0x%llx", (unsigned long long)st[i].address);
		snprintf(start, sizeof(start), "0x%llx", (unsigned long long)st[i].function_start);
		step = json_pack("{s:s, s:s?, s:s, s:s, s:s, s:s?, s:s?}", "object", st[i].object, "function",
				 st[i].function, "function_start", start, "address", addr, "loaded",
				 why >= 0 ? analysis_load_name(why) : "?", "number_from", st[i].note, "root", st[i].root);

		if (st[i].root_at) {
			char at[32];

			snprintf(at, sizeof(at), "0x%llx", (unsigned long long)st[i].root_at);
			json_object_set_new(step, "root_at", json_string(at));
			json_object_set_new(step, "root_in", st[i].root_in ? json_string(st[i].root_in) : json_null());
		}
		json_array_append_new(a, step);
	}
	if (n > 1 && ffi_named(p, &st[0]))
		json_object_set_new(json_array_get(a, 0), "called_by_name_from", json_string(p->ffi->first));
	return a;
}

/*
 * The chain, one step a line; then, for each object of it that the
 * program's loader did not load by itself (a module loaded at run time),
 * why it is in the process.
 */
static void chain_text(const struct analysis_program *p, const struct analysis_step *st, int n)
{
	for (int i = 0; i < n; i++) {
		const char *obj = strrchr(st[i].object, '/');
		char lb[32], *root = analysis_root_phrase(&st[i]);

		printf("    %s%s %s!%s 0x%llx%s%s%s\n", i ? "-> " : "   ", i + 1 == n ? "site" : "",
		       obj ? obj + 1 : st[i].object,
		       analysis_function_label(st[i].function, st[i].function_start, lb, sizeof(lb)),
		       (unsigned long long)st[i].address, root ? " (" : "", root ? root : "", root ? ")" : "");
		free(root);
		if (st[i].note)
			printf("        the number from the code it runs: %s\n", st[i].note);
		if (i == 0 && n > 1 && ffi_named(p, &st[0]))
			printf("        its Python code may call it by name through ctypes or cffi (%s%s)\n",
			       p->ffi->first, p->ffi->files > 1 ? " and other files" : "");
	}
	for (int i = 0; i < n; i++) {
		int why = analysis_object_why(p, st[i].object);
		bool first = true;

		for (int k = 0; k < i; k++)
			first &= strcmp(st[k].object, st[i].object) != 0;
		if (first && why >= ANALYSIS_LOAD_PRELOAD)
			printf("    (%s: %s)\n", st[i].object, analysis_load_phrase(why));
	}
}

/* The set's entry for the analysed program at 'path' (NULL when none). */
static const struct program *set_program(const struct program_set *ps, const char *path)
{
	for (size_t i = 0; i < ps->nr; i++)
		if (!strcmp(ps->progs[i].path, path))
			return &ps->progs[i];
	return NULL;
}

/*
 * What every profile of the image allows whatever its programs do
 * (pipeline.h): the container runtime's own calls (the engine's runtime
 * for a docker: image) and the kernel's.
 */
struct extra {
	struct sysset runtime;
	char *runtime_name;
};

/* Why every profile allows nr besides its programs: up to two new strings in why[], how many. */
static size_t extra_reasons(const struct extra *x, int nr, char *why[2])
{
	size_t n = 0;

	if (pipeline_kernel_reason(nr))
		why[n++] = xstrdup(pipeline_kernel_reason(nr));
	if (sysset_has(&x->runtime, nr))
		why[n++] = pipeline_runtime_reason(x->runtime_name);
	return n;
}

/* The document on stdout, with the run's warnings; it is released. */
static void print_json(json_t *out)
{
	json_object_set_new(out, "warnings", p_warnings_json());
	json_dumpf(out, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
	json_decref(out);
}

/* One syscall: every program that can make it with a chain, then the other reasons. */
static void explain_one(const struct analysis *a, const struct program_set *ps, const struct extra *x,
			const char *image, int nr)
{
	json_t *out = NULL, *list = NULL;
	char *why[2];
	size_t found = 0, why_nr = extra_reasons(x, nr, why);

	if (cmd_opts.json) {
		out = json_object();
		list = json_array();
		json_object_set_new(out, "image", json_string(image));
		json_object_set_new(out, "syscall", json_string(syscall_name(SYS_ARCH_X86_64, nr)));
		json_object_set_new(out, "number", json_integer(nr));
	} else {
		p_warnings();
		printf("%s (%d) in %s:\n", syscall_name(SYS_ARCH_X86_64, nr), nr, image);
	}
	for (size_t i = 0; i < a->programs_nr; i++) {
		const struct analysis_program *p = &a->programs[i];
		const struct program *pr = set_program(ps, p->path);
		struct analysis_step *steps = NULL;
		int n;

		if (!sysset_has(&p->syscalls, nr))
			continue;
		found++;
		n = analysis_witness(a, i, nr, &steps);
		if (cmd_opts.json) {
			json_t *o = json_object(), *un = json_array();

			json_object_set_new(o, "program", json_string(p->path));
			if (pr) {
				json_object_set_new(o, "origin", json_string(program_origin_name(pr->origin)));
				json_object_set_new(o, "reason", json_string(pr->reason));
			}
			json_object_set_new(o, "chain", n > 0 ? chain_json(p, steps, n) : json_array());
			json_object_set_new(o, "all_syscalls", json_boolean(p->all_syscalls));
			for (size_t k = 0; p->all_syscalls && k < p->unresolved_nr; k++)
				json_array_append_new(un, p_unresolved_json(&p->unresolved[k]));
			json_object_set_new(o, "unresolved", un);
			if (p->error_msg)
				json_object_set_new(o, "error", json_string(p->error_msg));
			json_array_append_new(list, o);
		} else {
			if (pr && strcmp(pr->reason, program_origin_name(pr->origin)))
				printf("  %s (%s: %s)\n", p->path, program_origin_name(pr->origin), pr->reason);
			else
				printf("  %s (%s)\n", p->path, pr ? program_origin_name(pr->origin) : "?");
			if (n > 0)
				chain_text(p, steps, n);
			else if (p->error_msg)
				printf("    not analysable (%s): every syscall assumed\n", p->error_msg);
			else if (p->all_syscalls)
				printf("    only because of %zu unresolved site(s), e.g. %s 0x%llx: %s\n",
				       p->unresolved_nr, p->unresolved_nr ? p->unresolved[0].object : "?",
				       p->unresolved_nr ? (unsigned long long)p->unresolved[0].address : 0ULL,
				       p->unresolved_nr ? p->unresolved[0].reason : "?");
		}
		free(steps);
	}
	if (cmd_opts.json) {
		json_t *more = json_array();

		for (size_t i = 0; i < why_nr; i++)
			json_array_append_new(more, json_string(why[i]));
		json_object_set_new(out, "programs", list);
		json_object_set_new(out, "profile_reasons", more);
		print_json(out);
	} else {
		if (!found)
			printf("  no program of the image can make it\n");
		for (size_t i = 0; i < why_nr; i++)
			printf("  the profile %sallows it: %s\n", found || i ? "also " : "", why[i]);
	}
	for (size_t i = 0; i < why_nr; i++)
		free(why[i]);
}

static int cmp_name(const void *x, const void *y)
{
	return strcmp(syscall_name(SYS_ARCH_X86_64, *(const int *)x), syscall_name(SYS_ARCH_X86_64, *(const int *)y));
}

/*
 * Every call a profile of the image allows, by name, one line each: the
 * first program that makes it with its chain (pipeline_why_line), and the
 * reasons every profile has.
 */
static void explain_all(const struct analysis *a, const struct extra *x, const char *image)
{
	size_t tn, nr = 0;
	const struct syscall_info *tab = syscall_table(SYS_ARCH_X86_64, &tn);
	int *v = xcalloc(tn ? tn : 1, sizeof(*v));
	json_t *out = NULL, *list = NULL;

	for (size_t i = 0; i < tn; i++)
		if (sysset_has(&a->syscalls, tab[i].nr) || sysset_has(&x->runtime, tab[i].nr) ||
		    pipeline_kernel_reason(tab[i].nr))
			v[nr++] = tab[i].nr;
	qsort(v, nr, sizeof(*v), cmp_name);
	if (cmd_opts.json) {
		out = json_object();
		list = json_array();
		json_object_set_new(out, "image", json_string(image));
	} else {
		p_warnings();
		printf("%s: %zu system calls allowed (%zu made by its programs, %zu by the container runtime %s)\n",
		       image, nr, sysset_count(&a->syscalls), sysset_count(&x->runtime), x->runtime_name);
	}
	for (size_t i = 0; i < nr; i++) {
		char *line = pipeline_why_line(a, v[i]), *why[2];
		size_t why_nr = extra_reasons(x, v[i], why);

		if (cmd_opts.json) {
			json_t *o = json_object(), *more = json_array();

			for (size_t k = 0; k < why_nr; k++)
				json_array_append_new(more, json_string(why[k]));
			json_object_set_new(o, "syscall", json_string(syscall_name(SYS_ARCH_X86_64, v[i])));
			json_object_set_new(o, "number", json_integer(v[i]));
			json_object_set_new(o, "program", line ? json_string(line) : json_null());
			json_object_set_new(o, "profile_reasons", more);
			json_array_append_new(list, o);
		} else {
			printf("  %-20s %s\n", syscall_name(SYS_ARCH_X86_64, v[i]), line ? line : why[0]);
			for (size_t k = line ? 0 : 1; k < why_nr; k++)
				printf("  %-20s %s%s\n", "", line || k ? "also: " : "", why[k]);
		}
		free(line);
		for (size_t k = 0; k < why_nr; k++)
			free(why[k]);
	}
	if (cmd_opts.json) {
		json_object_set_new(out, "syscalls", list);
		print_json(out);
	}
	free(v);
}

int cmd_explain(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "all-binaries", no_argument, NULL, 'a' },
		{ "program", required_argument, NULL, 'p' },
		{ "dlopen", required_argument, NULL, 'd' },
		{ "options", required_argument, NULL, 'o' },
		{ "args", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	struct image_open_opts iopts = { 0 };
	struct analysis_opts aopts = { 0 };
	struct image *img = NULL;
	struct program_set ps;
	struct image_config cfg = { 0 };
	struct analysis *a = NULL;
	const char *options = NULL, *args = NULL;
	const char **progs, **dl;
	size_t progs_nr = 0, dl_nr = 0;
	bool all = false, ps_init = false;
	struct extra x = { 0 };
	int c, nr = -1, ret, status = 1;

	argc = cmd_parse_common(argc, argv, usage);
	progs = xcalloc((size_t)argc + 1, sizeof(char *));
	dl = xcalloc((size_t)argc + 1, sizeof(char *));
	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			all = true;
			break;
		case 'p':
			progs[progs_nr++] = optarg;
			break;
		case 'd':
			dl[dl_nr++] = optarg;
			break;
		case 'o':
			options = optarg;
			break;
		case 'r':
			args = optarg;
			break;
		default:
			fputs(usage, stderr);
			status = 2;
			goto out;
		}
	}
	if (argc - optind != 1 && argc - optind != 2) {
		p_err("explain: expected IMAGE and, optionally, SYSCALL");
		fputs(usage, stderr);
		status = 2;
		goto out;
	}
	if (argc - optind == 2 && parse_syscall(argv[optind + 1], &nr) != 0) {
		p_err_last();
		status = 2;
		goto out;
	}
	iopts.progress = cmd_progress();
	ret = image_open(argv[optind], &iopts, &img);
	if (ret) {
		p_err_last();
		goto out;
	}
	if (cmd_run_config(options, args, &img->config, &cfg) != 0) {
		p_err_last();
		status = 2;
		goto out;
	}
	program_set_init(&ps, img->rootfs, &cfg);
	ps_init = true;
	program_set_add_config(&ps, &cfg);
	for (size_t i = 0; i < progs_nr; i++)
		if (program_set_add(&ps, progs[i], PROGRAM_ADDED, "named with --program") < 0) {
			p_err_last();
			goto out;
		}
	if (all)
		program_set_add_all_binaries(&ps, cmd_progress());
	aopts.dlopen = dl;
	aopts.dlopen_nr = dl_nr;
	aopts.progress = cmd_progress();
	ret = analysis_image(img, &ps, &aopts, &a);
	cmd_progress_done();
	if (ret) {
		p_err_last();
		goto out;
	}
	if (pipeline_runtime_set(!strncmp(argv[optind], "docker:", 7), &x.runtime, &x.runtime_name) != 0) {
		p_err_last();
		goto out;
	}
	if (argc - optind == 2)
		explain_one(a, &ps, &x, argv[optind], nr);
	else
		explain_all(a, &x, argv[optind]);
	status = 0;
out:
	free(x.runtime_name);
	analysis_free(a);
	if (ps_init)
		program_set_release(&ps);
	image_config_release(&cfg);
	image_free(img);
	free(progs);
	free(dl);
	return status;
}
