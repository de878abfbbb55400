/*
 * confine inventory IMAGE [--json] [--all-binaries]
 *
 * Every ELF file of an image and how it links, the programs the image runs
 * (Entrypoint/Cmd resolved on its PATH) and, for each, the libraries the
 * image's own loader would load.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/program.h"
#include "cmd/cmd.h"
#include "elf/elf.h"
#include "elf/ldso.h"
#include "image/image.h"
#include "util/error.h"
#include "util/xalloc.h"

static const char usage[] =
	"usage: confine inventory IMAGE [--json] [--all-binaries] [--options STR] [--args STR]\n"
	"\n"
	"List every ELF file in IMAGE (path, class/arch, type, static or dynamic,\n"
	"interpreter, DT_NEEDED, RPATH/RUNPATH, build-id, Go), the programs the\n"
	"image runs (Entrypoint/Cmd resolved on the image's PATH, '#!' scripts\n"
	"resolved to their interpreter) and, for each program, the libraries the\n"
	"image's own dynamic loader would load.\n"
	"\n"
	"IMAGE is docker:NAME[:TAG], docker-archive:FILE[:NAME[:TAG]|:@N], oci:DIR[:REF],\n"
	"oci-archive:FILE[:REF] or dir:ROOTFS.\n"
	"\n"
	"  -j, --json        machine-readable output on stdout\n"
	"      --all-binaries  treat every ELF executable as a program\n"
	"      --options STR  docker run options the container runs with (--entrypoint,\n"
	"                     -e, -w change the programs and how they load)\n"
	"      --args STR     the arguments after the image (they replace its Cmd)\n"
	"  -q, --quiet       no progress\n";

/* One ELF file of the image (borrowed from the ldso cache). */
struct inv_file {
	const char *path;
	const struct elf_file *elf; /* NULL when it could not be parsed */
	char *error;
};

struct inv {
	struct image *img;
	struct program_set ps;
	struct inv_file *files;
	size_t files_nr, files_alloc;
	size_t n_exec, n_shared, n_static, n_go, n_other;
};

static const char *linking_name(const struct elf_file *e)
{
	if (!e->analysable)
		return "unknown";
	if (e->is_static)
		return "static";
	if (e->is_dynamic)
		return "dynamic";
	return "none";
}

static void scan_files(struct inv *inv)
{
	const struct rootfs *fs = inv->img->rootfs;
	const struct progress *prog = cmd_progress();
	size_t total = rootfs_count(fs);
	const struct rootfs_node *n;

	for (size_t i = 0; (n = rootfs_at(fs, i)); i++) {
		struct inv_file *f;
		const struct elf_file *elf = NULL;

		if ((i & 63) == 0)
			progress_update(prog, "scanning ELF files", i, total);
		if (n->type != ROOTFS_REG || !n->is_elf)
			continue;
		ALLOC_GROW(inv->files, inv->files_nr + 1, inv->files_alloc);
		f = &inv->files[inv->files_nr++];
		memset(f, 0, sizeof(*f));
		f->path = n->path;
		if (ldso_open(inv->ps.ld, n->path, &elf, NULL) < 0) {
			f->error = xstrdup(err_msg());
			err_clear();
			inv->n_other++;
			continue;
		}
		f->elf = elf;
		if (elf->type == ELF_TYPE_EXEC || elf->type == ELF_TYPE_PIE)
			inv->n_exec++;
		else if (elf->type == ELF_TYPE_SHARED)
			inv->n_shared++;
		else
			inv->n_other++;
		if (elf->is_static)
			inv->n_static++;
		if (elf->is_go)
			inv->n_go++;
	}
	progress_update(prog, "scanning ELF files", total, total);
}

/* ---- JSON ------------------------------------------------------------- */

static json_t *jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *jstrv(char *const *v, size_t nr)
{
	json_t *a = json_array();

	for (size_t i = 0; i < nr; i++)
		json_array_append_new(a, json_string(v[i] ? v[i] : ""));
	return a;
}

static json_t *file_json(const struct inv_file *f)
{
	const struct elf_file *e = f->elf;
	json_t *o = json_object();
	json_t *needed = json_array();

	json_object_set_new(o, "path", json_string(f->path));
	json_object_set_new(o, "class", jstr(e ? elf_class_name(e->elf_class) : NULL));
	json_object_set_new(o, "arch", jstr(e ? elf_arch_name(e) : NULL));
	json_object_set_new(o, "type", jstr(e ? elf_type_name(e->type) : NULL));
	json_object_set_new(o, "linking", jstr(e ? linking_name(e) : NULL));
	json_object_set_new(o, "interpreter", jstr(e ? e->interp : NULL));
	for (size_t i = 0; e && i < e->dyn.needed_nr; i++)
		json_array_append_new(needed, json_string(e->dyn.needed[i]));
	json_object_set_new(o, "needed", needed);
	json_object_set_new(o, "soname", jstr(e ? e->dyn.soname : NULL));
	json_object_set_new(o, "rpath", jstr(e ? e->dyn.rpath : NULL));
	json_object_set_new(o, "runpath", jstr(e ? e->dyn.runpath : NULL));
	json_object_set_new(o, "build_id", jstr(e ? e->build_id_hex : NULL));
	json_object_set_new(o, "go", json_boolean(e && e->is_go));
	json_object_set_new(o, "go_version", jstr(e ? e->go_version : NULL));
	json_object_set_new(o, "error", jstr(f->error));
	return o;
}

static json_t *program_json(const struct program *p)
{
	json_t *o = json_object(), *libs = json_array(), *unres = json_array();
	const struct ldso_result *r = &p->libs;

	json_object_set_new(o, "path", json_string(p->path));
	json_object_set_new(o, "real", json_string(p->real));
	json_object_set_new(o, "origin", json_string(program_origin_name(p->origin)));
	json_object_set_new(o, "reason", json_string(p->reason));
	json_object_set_new(o, "kind",
			    json_string(p->is_elf ? "elf" : p->is_script ? "script" : "other"));
	json_object_set_new(o, "script_interpreter", jstr(p->interpreter));
	json_object_set_new(o, "loader",
			    p->is_elf && p->libs_done && !p->libs_err ?
				    json_string(ldso_flavor_name(r->flavor)) :
				    json_null());
	for (size_t i = 1; i < r->libs_nr; i++) {
		const struct ldso_lib *l = &r->libs[i];
		json_t *lo = json_object();

		json_object_set_new(lo, "name", json_string(l->name));
		json_object_set_new(lo, "needed_by", json_string(r->libs[l->needed_by].real ?
									 r->libs[l->needed_by].real :
									 r->libs[l->needed_by].name));
		if (!l->path) {
			json_array_append_new(unres, lo);
			continue;
		}
		json_object_set_new(lo, "path", json_string(l->path));
		json_object_set_new(lo, "real", json_string(l->real));
		json_object_set_new(lo, "how", json_string(ldso_how_name(l->how)));
		json_array_append_new(libs, lo);
	}
	json_object_set_new(o, "libraries", libs);
	json_object_set_new(o, "unresolved", unres);
	json_object_set_new(o, "error", jstr(p->libs_err_msg));
	return o;
}

static int emit_json(struct inv *inv, const char *ref)
{
	json_t *root = json_object(), *cfg = json_object(), *progs = json_array();
	json_t *files = json_array(), *sum = json_object();
	const struct image_config *c = &inv->img->config;
	size_t unresolved = 0;
	int ret;

	json_object_set_new(root, "image", json_string(ref));
	json_object_set_new(root, "id", jstr(inv->img->id));
	json_object_set_new(cfg, "entrypoint", jstrv(c->entrypoint, c->entrypoint_nr));
	json_object_set_new(cfg, "cmd", jstrv(c->cmd, c->cmd_nr));
	json_object_set_new(cfg, "working_dir", jstr(inv->ps.workdir));
	json_object_set_new(cfg, "path", jstr(inv->ps.path_var));
	json_object_set_new(root, "config", cfg);
	for (size_t i = 0; i < inv->ps.nr; i++) {
		json_array_append_new(progs, program_json(&inv->ps.progs[i]));
		unresolved += inv->ps.progs[i].libs.unresolved_nr;
	}
	json_object_set_new(root, "programs", progs);
	json_object_set_new(root, "unresolved_programs",
			    jstrv(inv->ps.unresolved, inv->ps.unresolved_nr));
	for (size_t i = 0; i < inv->files_nr; i++)
		json_array_append_new(files, file_json(&inv->files[i]));
	json_object_set_new(root, "elf_files", files);
	json_object_set_new(sum, "elf_files", json_integer((json_int_t)inv->files_nr));
	json_object_set_new(sum, "executables", json_integer((json_int_t)inv->n_exec));
	json_object_set_new(sum, "shared_objects", json_integer((json_int_t)inv->n_shared));
	json_object_set_new(sum, "other", json_integer((json_int_t)inv->n_other));
	json_object_set_new(sum, "static", json_integer((json_int_t)inv->n_static));
	json_object_set_new(sum, "go", json_integer((json_int_t)inv->n_go));
	json_object_set_new(sum, "programs", json_integer((json_int_t)inv->ps.nr));
	json_object_set_new(sum, "unresolved_libraries", json_integer((json_int_t)unresolved));
	json_object_set_new(root, "summary", sum);
	json_object_set_new(root, "warnings", p_warnings_json());
	ret = json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
	json_decref(root);
	return ret < 0 || fflush(stdout) != 0 ? -EIO : 0;
}

/* ---- human output ----------------------------------------------------- */

/* Shell-style: arguments with blanks or quotes are single-quoted. */
static void print_argv(char *const *v, size_t nr)
{
	for (size_t i = 0; i < nr; i++) {
		const char *a = v[i] ? v[i] : "";

		if (i)
			putchar(' ');
		if (a[0] && !strpbrk(a, " \t\n'\"\\$;&|<>*?()`")) {
			fputs(a, stdout);
			continue;
		}
		putchar('\'');
		for (; *a; a++) {
			if (*a == '\'')
				fputs("'\\''", stdout);
			else
				putchar(*a);
		}
		putchar('\'');
	}
}

static void print_human(struct inv *inv, const char *ref)
{
	size_t width = 4;

	printf("Image %s%s%s\n", ref, inv->img->id ? "  " : "", inv->img->id ? inv->img->id : "");
	printf("Runs: ");
	if (inv->ps.argc)
		print_argv(inv->ps.argv, inv->ps.argc);
	else
		printf("(no Entrypoint or Cmd)");
	printf("\n\nPrograms (%zu)\n", inv->ps.nr);
	for (size_t i = 0; i < inv->ps.nr; i++) {
		const struct program *p = &inv->ps.progs[i];
		const struct ldso_result *r = &p->libs;
		size_t lw = 4;

		printf("  %s", p->path);
		if (strcmp(p->path, p->real) != 0)
			printf(" -> %s", p->real);
		printf("  [%s", p->reason);
		if (p->is_script)
			printf(", script: %s", p->interpreter);
		else if (p->is_elf && p->libs_done && !p->libs_err)
			printf(", %s", ldso_flavor_name(r->flavor));
		printf("]\n");
		if (p->libs_err_msg)
			printf("    error: %s\n", p->libs_err_msg);
		for (size_t j = 1; j < r->libs_nr; j++)
			if (strlen(r->libs[j].name) > lw)
				lw = strlen(r->libs[j].name);
		for (size_t j = 1; j < r->libs_nr; j++) {
			const struct ldso_lib *l = &r->libs[j];

			if (l->path)
				printf("    %-*s  %s  (%s)\n", (int)lw, l->name, l->path,
				       ldso_how_name(l->how));
			else
				printf("    %-*s  NOT FOUND  (needed by %s)\n", (int)lw, l->name,
				       r->libs[l->needed_by].real ? r->libs[l->needed_by].real :
								    r->libs[l->needed_by].name);
		}
	}
	for (size_t i = 0; i < inv->ps.unresolved_nr; i++)
		printf("  %s  NOT FOUND\n", inv->ps.unresolved[i]);

	printf("\nELF files (%zu: %zu executables, %zu shared objects, %zu other; %zu static, %zu Go)\n",
	       inv->files_nr, inv->n_exec, inv->n_shared, inv->n_other, inv->n_static, inv->n_go);
	for (size_t i = 0; i < inv->files_nr; i++)
		if (strlen(inv->files[i].path) > width)
			width = strlen(inv->files[i].path);
	if (width > 60)
		width = 60;
	printf("  %-*s  %-6s  %-7s  %-7s  %-12s  %s\n", (int)width, "PATH", "TYPE", "ARCH", "LINK",
	       "BUILD-ID", "NEEDED / NOTES");
	for (size_t i = 0; i < inv->files_nr; i++) {
		const struct inv_file *f = &inv->files[i];
		const struct elf_file *e = f->elf;
		char bid[13];

		if (!e) {
			printf("  %-*s  error: %s\n", (int)width, f->path, f->error);
			continue;
		}
		snprintf(bid, sizeof(bid), "%s", e->build_id_hex ? e->build_id_hex : "-");
		printf("  %-*s  %-6s  %-7s  %-7s  %-12s ", (int)width, f->path, elf_type_name(e->type),
		       elf_arch_name(e), linking_name(e), bid);
		for (size_t j = 0; j < e->dyn.needed_nr; j++)
			printf(" %s", e->dyn.needed[j]);
		if (e->elf_class != ELF_CLASS_64)
			printf(" [%s]", elf_class_name(e->elf_class));
		if (e->dyn.rpath)
			printf(" [RPATH=%s]", e->dyn.rpath);
		if (e->dyn.runpath)
			printf(" [RUNPATH=%s]", e->dyn.runpath);
		if (e->is_go)
			printf(" [Go%s%s]", e->go_version ? " " : "", e->go_version ? e->go_version : "");
		putchar('\n');
	}
}

int cmd_inventory(int argc, char **argv)
{
	struct image_open_opts opts;
	struct inv inv;
	bool all_binaries = false;
	const char *ref = NULL, *options = NULL, *args = NULL;
	struct image_config cfg = { 0 };
	int ret, status = 1;

	argc = cmd_parse_common(argc, argv, usage);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--all-binaries") == 0) {
			all_binaries = true;
		} else if (strcmp(argv[i], "--options") == 0 && i + 1 < argc) {
			options = argv[++i];
		} else if (strcmp(argv[i], "--args") == 0 && i + 1 < argc) {
			args = argv[++i];
		} else if (strcmp(argv[i], "--") == 0) {
			continue;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			p_err("inventory: unknown option '%s'", argv[i]);
			fputs(usage, stderr);
			return 2;
		} else if (!ref) {
			ref = argv[i];
		} else {
			p_err("inventory: one IMAGE expected, got '%s' too", argv[i]);
			return 2;
		}
	}
	if (!ref) {
		p_err("inventory: IMAGE missing");
		fputs(usage, stderr);
		return 2;
	}

	memset(&inv, 0, sizeof(inv));
	memset(&opts, 0, sizeof(opts));
	opts.progress = cmd_progress();
	ret = image_open(ref, &opts, &inv.img);
	if (ret < 0) {
		cmd_progress_done();
		p_err_last();
		return 1;
	}
	if (cmd_run_config(options, args, &inv.img->config, &cfg) != 0) {
		cmd_progress_done();
		p_err_last();
		image_free(inv.img);
		return 2;
	}
	program_set_init(&inv.ps, inv.img->rootfs, &cfg);
	scan_files(&inv);
	program_set_add_config(&inv.ps, &cfg);
	if (all_binaries)
		program_set_add_all_binaries(&inv.ps, cmd_progress());
	program_set_resolve_libs(&inv.ps, cmd_progress());
	cmd_progress_done();

	if (cmd_opts.json) {
		if (emit_json(&inv, ref) < 0) {
			p_err("inventory: cannot write output: %s", strerror(errno));
			goto out;
		}
	} else {
		print_human(&inv, ref);
		if (fflush(stdout) != 0) {
			p_err("inventory: cannot write output: %s", strerror(errno));
			goto out;
		}
		p_warnings();
	}
	status = 0;
out:
	for (size_t i = 0; i < inv.files_nr; i++)
		free(inv.files[i].error);
	free(inv.files);
	program_set_release(&inv.ps);
	image_config_release(&cfg);
	image_free(inv.img);
	return status;
}
