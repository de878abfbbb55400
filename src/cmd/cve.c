/*
 * confine cve: which kernel CVEs the generated profiles shut out.
 * Confine's filterProfileToCve.py flags, its input and output formats, and
 * confine's own CVE table and Docker default profile when -c is not given.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cve/cve.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

static const char usage_text[] =
	"usage: confine cve -f FILTERFILE [-o PREFIX] [-c CVEFILE] [-v TYPEFILE]\n"
	"                   [--manualcvefile FILE] [--manualtypefile FILE]\n"
	"                   [--docker-profile FILE] [-d] [-j|--json] [-q]\n"
	"       confine cve --docker-blocked [--docker-profile FILE]\n"
	"\n"
	"Kernel CVEs whose every syscall entry point an image's profile blocks.\n"
	"\n"
	"  -f, --filterfile FILE   results/profile.report.details.csv (Confine format)\n"
	"  -o, --output PREFIX     write PREFIX.container.csv\n"
	"  -c, --cvefile FILE      CVE -> kernel start nodes (CVE;[nodes];0|1); without it\n"
	"                          confine's own table data/cve/kernel-cves.csv is used\n"
	"  -v, --vulntypefile FILE CVE -> vulnerability types (CVE;{'type', ...})\n"
	"      --manualcvefile FILE   CVE;__x64_sys_a, __x64_sys_b (fills in CVEs -c lacks)\n"
	"      --manualtypefile FILE  types for the manual CVEs (overrides -v)\n"
	"      --docker-profile FILE  Docker default profile to compare with\n"
	"                          (default: data/docker-default.seccomp.json, moby 20.10)\n"
	"      --docker-blocked    print the syscalls the Docker default blocks, and exit\n"
	"  -d, --debug             explain each step on stderr\n"
	"  -j, --json              the report as JSON on stdout\n"
	"\n"
	"Output rows: cveid;syscalls;types;mitigated-by-docker-default;number-of-images;images\n";

static bool debug;

static void dbg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void dbg(const char *fmt, ...)
{
	va_list ap;

	if (!debug)
		return;
	va_start(ap, fmt);
	fputs("confine: debug: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static int print_docker_blocked(const struct cve_db *db)
{
	size_t n;
	json_t *arr = json_array();

	(void)syscall_table(SYS_ARCH_X86_64, &n);
	/* By name, like every other list confine prints. */
	{
		const char **names = xcalloc(n ? n : 1, sizeof(*names));
		size_t k = sysset_names(&db->docker_blocked, SYS_ARCH_X86_64, names);

		for (size_t i = 0; i < k; i++) {
			if (cmd_opts.json)
				json_array_append_new(arr, json_string(names[i]));
			else
				printf("%s\n", names[i]);
		}
		free(names);
	}
	if (cmd_opts.json) {
		json_t *o = json_object();

		json_object_set_new(o, "profile", json_string(db->docker_source));
		json_object_set_new(o, "blocked", arr);
		json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(o);
	} else {
		json_decref(arr);
	}
	return 0;
}

struct cve_args {
	const char *cvefile, *filterfile, *typefile, *manualcve, *manualtype;
	const char *output, *docker;
	bool docker_blocked;
};

enum {
	OPT_MANUALCVE = 256,
	OPT_MANUALTYPE,
	OPT_DOCKER,
	OPT_DOCKER_BLOCKED,
};

static int parse_args(int argc, char **argv, struct cve_args *a)
{
	static const struct option opts[] = {
		{ "cvefile", required_argument, NULL, 'c' },
		{ "filterfile", required_argument, NULL, 'f' },
		{ "vulntypefile", required_argument, NULL, 'v' },
		{ "output", required_argument, NULL, 'o' },
		{ "debug", no_argument, NULL, 'd' },
		{ "manualcvefile", required_argument, NULL, OPT_MANUALCVE },
		{ "manualtypefile", required_argument, NULL, OPT_MANUALTYPE },
		{ "docker-profile", required_argument, NULL, OPT_DOCKER },
		{ "docker-blocked", no_argument, NULL, OPT_DOCKER_BLOCKED },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:f:v:o:d", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			a->cvefile = optarg;
			break;
		case 'f':
			a->filterfile = optarg;
			break;
		case 'v':
			a->typefile = optarg;
			break;
		case 'o':
			a->output = optarg;
			break;
		case 'd':
			debug = true;
			break;
		case OPT_MANUALCVE:
			a->manualcve = optarg;
			break;
		case OPT_MANUALTYPE:
			a->manualtype = optarg;
			break;
		case OPT_DOCKER:
			a->docker = optarg;
			break;
		case OPT_DOCKER_BLOCKED:
			a->docker_blocked = true;
			break;
		case ':':
			p_err("cve: option '%s' needs a value", argv[optind - 1]);
			return -1;
		default:
			p_err("cve: unknown option '%s' (see 'confine cve --help')", argv[optind - 1]);
			return -1;
		}
	}
	if (optind < argc) {
		p_err("cve: unexpected argument '%s' (see 'confine cve --help')", argv[optind]);
		return -1;
	}
	if (!a->docker_blocked && !a->filterfile) {
		p_err("cve: -f FILTERFILE is required (results/profile.report.details.csv)");
		return -1;
	}
	if (a->output && !*a->output) {
		p_err("cve: -o needs a non-empty prefix");
		return -1;
	}
	return 0;
}

/* Load every CVE source in Confine's order; the error message is set. */
static int load_db(struct cve_db *db, const struct cve_args *a)
{
	int ret;

	if (a->cvefile) {
		ret = cve_db_load_startnodes(db, a->cvefile);
		if (ret < 0)
			return ret;
		dbg("%s: %zu CVEs with x86_64 entry points, %zu lines flagged 0 dropped, "
		    "%zu CVEs without __x64_sys_ nodes", a->cvefile, db->nr, db->lines_dropped,
		    db->lines_no_entry);
	} else {
		ret = cve_db_load_defaults(db, true, false);
		if (ret < 0)
			return ret;
		dbg("built-in CVE table: %zu CVEs", db->nr);
	}
	if (a->manualcve) {
		size_t before = db->nr;

		ret = cve_db_load_manual(db, a->manualcve);
		if (ret < 0)
			return ret;
		dbg("%s: %zu CVEs added", a->manualcve, db->nr - before);
	}
	if (a->typefile) {
		ret = cve_db_load_types(db, a->typefile);
		if (ret < 0)
			return ret;
	}
	if (a->manualtype) {
		ret = cve_db_load_types(db, a->manualtype);
		if (ret < 0)
			return ret;
	}
	dbg("types known for %zu CVEs", db->types.nr);
	if (a->docker)
		ret = cve_db_load_docker_default(db, a->docker);
	else
		ret = cve_db_load_defaults(db, false, true);
	if (ret < 0)
		return ret;
	dbg("Docker default (%s) blocks %zu x86_64 syscalls", db->docker_source,
	    sysset_count(&db->docker_blocked));
	return 0;
}

static void debug_rows(const struct cve_report *r)
{
	if (!debug)
		return;
	for (size_t i = 0; i < r->nr_images; i++) {
		const struct cve_report_image *im = &r->images[i];
		struct strbuf sb;

		strbuf_init(&sb, 0);
		for (size_t j = 0; j < im->nr_rows; j++)
			if (!r->rows[im->rows[j]].docker_default)
				strbuf_addf(&sb, " %s", r->rows[im->rows[j]].id);
		dbg("image %s: %zu syscalls blocked, %zu CVEs mitigated, %zu beyond Docker's "
		    "default:%s", im->name, im->blocked, im->nr_rows, im->beyond_default,
		    sb.len ? strbuf_str(&sb) : " none");
		strbuf_release(&sb);
	}
}

int cmd_cve(int argc, char **argv)
{
	struct cve_args a = { 0 };
	struct cve_db db;
	struct cve_image_list images = { 0 };
	struct cve_report *report = NULL;
	char *csv_path = NULL;
	int status = 1;

	argc = cmd_parse_common(argc, argv, usage_text);
	if (parse_args(argc, argv, &a) < 0)
		return 2;
	cve_db_init(&db);
	if (a.docker_blocked) {
		int ret = a.docker ? cve_db_load_docker_default(&db, a.docker)
				   : cve_db_load_defaults(&db, false, true);

		if (ret < 0) {
			p_err_last();
			goto out;
		}
		status = print_docker_blocked(&db);
		goto out;
	}
	if (load_db(&db, &a) < 0) {
		p_err_last();
		goto out;
	}
	if (cve_images_load(&images, a.filterfile) < 0) {
		p_err_last();
		goto out;
	}
	dbg("%s: %zu images", a.filterfile, images.nr);
	if (cve_report_build(&db, images.v, images.nr, &report) < 0) {
		p_err_last();
		goto out;
	}
	debug_rows(report);
	if (a.output) {
		csv_path = xasprintf("%s.container.csv", a.output);
		if (cve_report_write_csv(report, csv_path) < 0) {
			p_err_last();
			goto out;
		}
	}
	if (cmd_opts.json) {
		json_t *j = cve_report_json(report);

		json_object_set_new(j, "output", csv_path ? json_string(csv_path) : json_null());
		json_object_set_new(j, "warnings", p_warnings_json());
		json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(j);
	} else {
		struct strbuf sb;

		p_warnings();
		strbuf_init(&sb, 0);
		if (cve_report_summary(report, &sb, 0) < 0) {
			strbuf_release(&sb);
			p_err_last();
			goto out;
		}
		fputs(strbuf_str(&sb), stdout);
		strbuf_release(&sb);
		if (csv_path)
			p_info("wrote %s (%zu rows)", csv_path, report->nr_rows);
	}
	status = 0;
out:
	if (status)
		p_warnings();
	free(csv_path);
	cve_report_free(report);
	cve_image_list_release(&images);
	cve_db_release(&db);
	return status;
}
