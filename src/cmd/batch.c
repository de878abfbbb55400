/*
 * Confine's batch run, command line unchanged:
 *
 *   confine -l glibc.callgraph -m musllibc.callgraph -i myimages.json \
 *           -o output/ -p default.seccomp.json -r results/ -g go.syscalls/
 *
 * For each enabled image of the images JSON: start its dependencies, run the
 * pipeline (monitor, analysis, profile, validation) printing the tutorial's
 * phase lines, write results/IMAGE.seccomp.json and Confine's report rows,
 * and finally the CVE report when CVE data is available.
 */
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis/confine_compat.h"
#include "analysis/imagesjson.h"
#include "cmd/cmd.h"
#include "cmd/pipeline.h"
#include "cmd/report_html.h"
#include "cve/cve.h"
#include "cve/cvedb.h"
#include "engine/container.h"
#include "engine/runopts.h"
#include "profile/profile.h"
#include "util/dockerapi.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

static const char usage[] =
	"usage: confine [batch] -i IMAGES.json -o OUTPUT/ -r RESULTS/ [-p PROFILE]\n"
	"                       [-l GLIBC.callgraph] [-m MUSL.callgraph] [-g GO.syscalls/] [options]\n"
	"\n"
	"Confine's batch run (its command line works unchanged).  For every image the\n"
	"images JSON enables: monitor it, analyse its programs, write\n"
	"RESULTS/IMAGE.seccomp.json, validate it in Docker, copy the analysed ELF files\n"
	"to OUTPUT/IMAGE/, and add rows to RESULTS/profile.report.csv and\n"
	"RESULTS/profile.report.details.csv (Confine's columns).\n"
	"\n"
	"  -i, --input FILE         images JSON (Confine's format; see README)\n"
	"  -o, --outputfolder DIR   where the analysed ELF files are copied\n"
	"  -r, --reportfolder DIR   profiles and reports\n"
	"  -p, --defaultprofile F   the comparison profile: Confine's {\"default\": [...]}\n"
	"                           or a Docker profile (default: Docker's default profile)\n"
	"  -l, --libccfginput F     Confine's glibc call graph  } optional: the details report\n"
	"  -m, --muslcfginput F     Confine's musl call graph   } then shows what Confine's\n"
	"  -g, --gofolder DIR       Confine's Go syscall lists  } method would allow\n"
	"      --repair             add syscalls validation finds missing and revalidate\n"
	"      --no-monitor         skip the monitor run (static analysis only)\n"
	"      --no-validate        skip validation\n"
	"      --timeout SEC        longest monitor/validation run per image (default 10)\n"
	"      --all-binaries       analyse every executable of each image (Confine's --allbinaries)\n"
	"      --skip               skip images already in RESULTS/profile.report.csv\n"
	"      --no-cve             no CVE report\n"
	"  -d, --debug              accepted for compatibility (see --verbose)\n"
	"  -j, --json               per-image results and the CVE summary as JSON on stdout\n"
	"  -q, --quiet              no progress or phase messages\n";

struct batch_opts {
	const char *input, *outdir, *resdir, *defprofile, *glibc, *musl, *godir;
	bool repair, no_monitor, no_validate, all_binaries, skip, no_cve;
	long timeout_ms;
};

/* What Confine's method gives, when -l/-m are given. */
struct batch_compat {
	struct confine_graph *glibc, *musl;
};

static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
	if (*i + 1 >= argc) {
		p_err("option '%s' needs a value", name);
		return NULL;
	}
	return argv[++*i];
}

static int parse_args(int argc, char **argv, struct batch_opts *b)
{
	static const char *const ignored_flags[] = { "--finegrain", "--strictmode" };
	int i;

	memset(b, 0, sizeof(*b));
	b->timeout_ms = 10000;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], **slot = NULL;
		size_t k;

		if (!strcmp(a, "-i") || !strcmp(a, "--input"))
			slot = &b->input;
		else if (!strcmp(a, "-o") || !strcmp(a, "--outputfolder"))
			slot = &b->outdir;
		else if (!strcmp(a, "-r") || !strcmp(a, "--reportfolder"))
			slot = &b->resdir;
		else if (!strcmp(a, "-p") || !strcmp(a, "--defaultprofile"))
			slot = &b->defprofile;
		else if (!strcmp(a, "-l") || !strcmp(a, "--libccfginput"))
			slot = &b->glibc;
		else if (!strcmp(a, "-m") || !strcmp(a, "--muslcfginput"))
			slot = &b->musl;
		else if (!strcmp(a, "-g") || !strcmp(a, "--gofolder"))
			slot = &b->godir;
		if (slot) {
			if (!(*slot = opt_value(argc, argv, &i, a)))
				return -1;
			continue;
		}
		if (!strcmp(a, "-f") || !strcmp(a, "--libcfuncpath") || !strcmp(a, "-n") ||
		    !strcmp(a, "--muslfuncpath") || !strcmp(a, "--othercfgfolder") ||
		    !strcmp(a, "-s")) {
			/* Confine's strict/fine-grained inputs: confine analyses libc itself. */
			if (!opt_value(argc, argv, &i, a))
				return -1;
			warn_add("option '%s' is accepted for compatibility and ignored: confine "
				 "analyses the image's own libraries", a);
			continue;
		}
		for (k = 0; k < ARRAY_SIZE(ignored_flags); k++)
			if (!strcmp(a, ignored_flags[k]))
				break;
		if (k < ARRAY_SIZE(ignored_flags)) {
			warn_add("option '%s' is accepted for compatibility and ignored", a);
			continue;
		}
		if (!strcmp(a, "--repair"))
			b->repair = true;
		else if (!strcmp(a, "--no-monitor"))
			b->no_monitor = true;
		else if (!strcmp(a, "--no-validate"))
			b->no_validate = true;
		else if (!strcmp(a, "--all-binaries") || !strcmp(a, "--allbinaries"))
			b->all_binaries = true;
		else if (!strcmp(a, "--skip"))
			b->skip = true;
		else if (!strcmp(a, "--no-cve"))
			b->no_cve = true;
		else if (!strcmp(a, "-d") || !strcmp(a, "--debug"))
			cmd_opts.verbose++;
		else if (!strcmp(a, "--timeout")) {
			const char *v = opt_value(argc, argv, &i, a);
			char *end;
			long s;

			if (!v)
				return -1;
			s = strtol(v, &end, 10);
			if (*end || s < 1 || s > 3600) {
				p_err("--timeout needs seconds (1..3600), not '%s'", v);
				return -1;
			}
			b->timeout_ms = s * 1000;
		} else {
			p_err("unknown option '%s'", a);
			return -1;
		}
	}
	if (!b->input || !b->outdir || !b->resdir) {
		p_err("options -i, -o and -r are required (-p, -l, -m, -g are optional)");
		return -1;
	}
	return 0;
}

/* A folder to write into: created when missing; an existing file is an error. */
static int ensure_dir(const char *path, const char *flag)
{
	struct stat st;

	if (!stat(path, &st)) {
		if (!S_ISDIR(st.st_mode))
			return err_set(ENOTDIR, "the folder given to %s ('%s') exists and is a file",
				       flag, path);
		return 0;
	}
	return err_wrap(fs_mkdir_p(path, 0755), "cannot create the %s folder", flag);
}

/* ---- Confine's report files -------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Python's repr of a set of strings: {'a', 'b'}, or set() when empty; sorted. */
static void py_set(struct strbuf *sb, const char **names, size_t n)
{
	size_t i;

	if (!n) {
		strbuf_addstr(sb, "set()");
		return;
	}
	qsort(names, n, sizeof(*names), cmp_str);
	strbuf_addch(sb, '{');
	for (i = 0; i < n; i++)
		strbuf_addf(sb, "%s'%s'", i ? ", " : "", names[i]);
	strbuf_addch(sb, '}');
}

/* Names of the table's syscalls in 'a' and not in 'b' (b may be NULL). */
static const char **set_names(const struct sysset *a, const struct sysset *b, size_t *n)
{
	const struct syscall_info *tab;
	const char **v;
	size_t nt, i, k = 0;

	tab = syscall_table(SYS_ARCH_X86_64, &nt);
	v = xcalloc(nt + 1, sizeof(*v));
	for (i = 0; i < nt; i++)
		if (sysset_has(a, tab[i].nr) && !(b && sysset_has(b, tab[i].nr)))
			v[k++] = tab[i].name;
	*n = k;
	return v;
}

/*
 * Rewrite results/FILE with the rows of other images kept (Confine appends
 * over runs; the CVE step reads every image hardened so far) and this
 * image's row replaced.  Atomic: a reader never sees half a file.
 */
static int replace_row(const char *resdir, const char *file, const char *image,
		       const char *row)
{
	char *path = fs_join(resdir, file), *data = NULL;
	struct strbuf out = STRBUF_INIT;
	size_t len = 0;
	int ret;

	if (fs_exists(path)) {
		ret = fs_read_file(path, 256u << 20, &data, &len);
		if (ret)
			goto out;
	}
	for (const char *p = data, *end = data ? data + len : NULL; p && p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *f1 = memchr(p, ';', ll), *f2;
		bool same = false;

		if (f1) {
			f2 = memchr(f1 + 1, ';', ll - (size_t)(f1 + 1 - p));
			same = f2 && (size_t)(f2 - f1 - 1) == strlen(image) &&
			       !memcmp(f1 + 1, image, strlen(image));
		}
		if (ll && !same) {
			strbuf_add(&out, p, ll);
			strbuf_addch(&out, '\n');
		}
		p = nl ? nl + 1 : end;
	}
	if (row)
		strbuf_addstr(&out, row);
	ret = fs_write_atomic(path, out.buf ? out.buf : "", out.len, 0644);
out:
	free(data);
	free(path);
	strbuf_release(&out);
	return ret;
}

/* Names already in profile.report.csv (for --skip). */
static bool reported_before(const char *resdir, const char *image)
{
	char *path = fs_join(resdir, "profile.report.csv"), *data = NULL, *needle;
	size_t len;
	bool found = false;

	if (fs_exists(path) && !fs_read_file(path, 256u << 20, &data, &len)) {
		needle = xasprintf(";%s;", image);
		for (char *p = data; p && *p;) {
			char *nl = strchr(p, '\n'), *semi = strchr(p, ';');

			if (semi && (!nl || semi < nl) && !strncmp(semi, needle, strlen(needle)))
				found = true;
			p = nl ? nl + 1 : NULL;
		}
		free(needle);
	}
	free(data);
	free(path);
	return found;
}

struct image_report {
	const struct images_entry *e;
	struct pipeline_result *r;
	bool have_compat;
	struct sysset compat_allowed; /* what Confine's method allows */
	size_t compat_libc;           /* syscalls Confine's graph gives for the imports */
};

/*
 * The comparison profile's blocked names ("defaultSyscallSet" in Confine):
 * the table syscalls it denies plus, for Confine's own file, the names it
 * lists that the table does not know (Confine counts those too).
 */
struct default_set {
	const char **names; /* table names borrowed; unknown ones also in 'owned' */
	size_t nr;
	char **owned;
	size_t owned_nr;
	struct sysset blocked;
};

static bool name_in(const char **v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}

static int write_reports(const struct batch_opts *b, const struct image_report *ir,
			 const struct default_set *def)
{
	const struct pipeline_result *r = ir->r;
	const struct images_entry *e = ir->e;
	struct sysset blocked;
	const char **cur, **uni;
	size_t ncur, nuni = 0, i, remaining = 0;
	struct strbuf row = STRBUF_INIT, set = STRBUF_INIT;
	char err[512];
	int ret;

	sysset_clear(&blocked);
	{
		const struct syscall_info *tab;
		size_t n;

		tab = syscall_table(SYS_ARCH_X86_64, &n);
		for (i = 0; i < n; i++)
			if (!sysset_has(&r->profile.allow, tab[i].nr))
				sysset_add(&blocked, tab[i].nr);
	}
	cur = set_names(&blocked, NULL, &ncur);
	/* union = blocked by confine or by the comparison profile */
	uni = xcalloc(ncur + def->nr + 1, sizeof(*uni));
	for (i = 0; i < ncur; i++)
		uni[nuni++] = cur[i];
	for (i = 0; i < def->nr; i++) {
		if (!name_in(cur, ncur, def->names[i])) {
			uni[nuni++] = def->names[i];
			remaining++;
		}
	}
	snprintf(err, sizeof(err), "%s", r->hardened ? "" : r->error ? r->error : "");
	for (char *p = err; *p; p++)
		if (*p == ';' || *p == '\n')
			*p = ',';
	if (!r->validated)
		snprintf(err, sizeof(err), "not validated");

	/* profile.report.csv: Confine's 16 columns. */
	strbuf_addf(&row, "%s;%s;%s;%s;False;%zu;0;%zu;%zu;%s;%s;%zu;%zu;%.3f;{'%s'};%zd\n", e->id,
		    e->image_name, r->launched || !r->monitored ? "True" : "False",
		    r->stays_running || !r->monitored ? "True" : "False", ncur, nuni - def->nr,
		    nuni, r->hardened ? "True" : "False", err, sysset_count(&r->analysed),
		    ir->compat_libc, r->total_s, r->is_go ? "GO" : "CCPP",
		    (ssize_t)remaining - 1);
	ret = replace_row(b->resdir, "profile.report.csv", e->image_name, row.buf);
	if (ret)
		goto out;

	/*
	 * profile.report.details.csv: Confine's 8 columns (only for images
	 * whose profile is usable: validated, or validation not run), then
	 * confine's own: allowed count, and against Confine's method (when
	 * -l/-m were given) its blocked count, what it blocks that confine
	 * allows, and what confine blocks that it allows.
	 */
	strbuf_reset(&row);
	if (r->hardened || !r->validated) {
		py_set(&set, cur, ncur);
		strbuf_addf(&row, "%s;%s;%zu;%zu;%zu;%zu;%zu;%s;%zu", e->id, e->image_name, ncur,
			    nuni - def->nr, nuni, sysset_count(&r->analysed), ir->compat_libc,
			    set.buf, sysset_count(&r->profile.allow));
		if (ir->have_compat) {
			const char **v;
			size_t n;
			struct sysset cblocked;
			const struct syscall_info *tab;
			size_t nt;

			sysset_clear(&cblocked);
			tab = syscall_table(SYS_ARCH_X86_64, &nt);
			for (i = 0; i < nt; i++)
				if (!sysset_has(&ir->compat_allowed, tab[i].nr))
					sysset_add(&cblocked, tab[i].nr);
			strbuf_addf(&row, ";%zu;", sysset_count(&cblocked));
			v = set_names(&cblocked, &blocked, &n);
			strbuf_reset(&set);
			py_set(&set, v, n);
			strbuf_addf(&row, "%s;", set.buf);
			free(v);
			v = set_names(&blocked, &cblocked, &n);
			strbuf_reset(&set);
			py_set(&set, v, n);
			strbuf_addstr(&row, set.buf);
			free(v);
		} else {
			strbuf_addstr(&row, ";;;");
		}
		strbuf_addch(&row, '\n');
	}
	ret = replace_row(b->resdir, "profile.report.details.csv", e->image_name,
			  row.len ? row.buf : NULL);
out:
	free(cur);
	free(uni);
	strbuf_release(&row);
	strbuf_release(&set);
	return ret;
}

/* Confine's per-run summary files (rewritten each run, as Confine does). */
static int write_stats(const struct batch_opts *b, const struct image_report *reps, size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	size_t total = 0, launch = 0, up = 0, ok = 0, i, c;
	size_t lang[2][2] = { { 0, 0 }, { 0, 0 } };
	char *path;
	int ret;

	for (i = 0; i < n; i++) {
		const struct pipeline_result *r = reps[i].r;

		total++;
		launch += r->launched;
		up += r->stays_running;
		ok += r->hardened;
		if (r->launched && r->stays_running)
			lang[r->is_go][r->hardened]++;
	}
	strbuf_addf(&sb, "%zu,%zu,%zu,%zu\n", total, launch, up, ok);
	path = fs_join(b->resdir, "container.stats.csv");
	ret = fs_write_atomic(path, sb.buf, sb.len, 0644);
	free(path);
	if (ret)
		goto out;
	strbuf_reset(&sb);
	for (i = 0; i < n; i++) {
		size_t blocked = profile_blocked_count(&reps[i].r->profile);

		if (!reps[i].r->hardened)
			continue;
		for (c = 0; c < reps[i].e->category_nr; c++)
			strbuf_addf(&sb, "%s,%zu\n", reps[i].e->category[c], blocked);
	}
	path = fs_join(b->resdir, "syscall.categorized.csv");
	ret = fs_write_atomic(path, sb.buf ? sb.buf : "", sb.len, 0644);
	free(path);
	if (ret)
		goto out;
	strbuf_reset(&sb);
	for (i = 0; i < 2; i++)
		for (c = 0; c < 2; c++)
			if (lang[i][c])
				strbuf_addf(&sb, "%s,%s,%zu\n", i ? "GO" : "CCPP", c ? "True" : "False",
					    lang[i][c]);
	path = fs_join(b->resdir, "container.language.stats.csv");
	ret = fs_write_atomic(path, sb.buf ? sb.buf : "", sb.len, 0644);
	free(path);
out:
	strbuf_release(&sb);
	return ret;
}

/* ---- dependencies ------------------------------------------------------ */

struct dep_run {
	struct container c;
	char *name;
	bool created;
};

static char *dep_container_name(const char *key)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "confine-dep-%d-", (int)getpid());
	for (const char *p = key; *p && sb.len < 100; p++)
		strbuf_addch(&sb, (isalnum((unsigned char)*p) || *p == '-' || *p == '_' || *p == '.') ? *p : '-');
	return strbuf_detach(&sb, NULL);
}

/*
 * Start an image's dependencies (unconfined, as Confine does) and return
 * the --link entries for the ones marked "link".
 */
static int start_deps(struct dockerapi *api, const struct images_entry *e, struct dep_run *runs,
		      char **links, size_t *links_nr)
{
	size_t i;
	int ret = 0;

	*links_nr = 0;
	for (i = 0; i < e->deps_nr; i++) {
		const struct images_dep *d = &e->deps[i];
		struct container_spec spec;
		const char *url = d->image_url;
		int waited;

		if (!strncmp(url, "docker:", 7))
			url += 7;
		else if (strchr(url, ':') && strstr(url, "archive:"))
			return err_set(EINVAL, "image '%s': dependency '%s' must be a docker image",
				       e->key, d->key);
		container_spec_init(&spec);
		spec.image = xstrdup(url);
		runs[i].name = dep_container_name(d->key);
		spec.name = xstrdup(runs[i].name);
		ret = runopts_parse(d->options, &spec);
		if (ret) {
			ret = err_wrap(ret, "image '%s': dependency '%s': \"options\"", e->key, d->key);
			container_spec_release(&spec);
			return ret;
		}
		p_info("Starting dependency %s (%s) as container %s", d->key, url, runs[i].name);
		ret = container_create(api, &spec, &runs[i].c);
		container_spec_release(&spec);
		if (ret)
			return err_wrap(ret, "image '%s': dependency '%s'", e->key, d->key);
		runs[i].created = true;
		ret = container_start(api, &runs[i].c);
		if (ret)
			return err_wrap(ret, "image '%s': dependency '%s'", e->key, d->key);
		/* Give it a moment to come up; services that need longer should use a healthcheck. */
		for (waited = 0; waited < 20; waited++) {
			struct container_state st = { 0 };
			bool up = !container_inspect(api, &runs[i].c, &st) && st.running;

			container_state_release(&st);
			if (!up)
				return err_set(EIO, "image '%s': dependency '%s' stopped right after "
						    "starting", e->key, d->key);
			if (waited >= 10)
				break;
			usleep(100 * 1000);
		}
		if (d->link)
			links[(*links_nr)++] = xasprintf("%s:%s", runs[i].name, d->key);
	}
	return 0;
}

static void stop_deps(struct dockerapi *api, struct dep_run *runs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (runs[i].created)
			container_remove(api, &runs[i].c);
		container_release(&runs[i].c);
		free(runs[i].name);
	}
}

/* ---- Confine's method -------------------------------------------------- */

static void confine_method(const struct batch_opts *b, const struct batch_compat *cg,
			   const struct images_entry *e, struct image_report *ir)
{
	const struct pipeline_result *r = ir->r;
	struct confine_graph *g = r->uses_musl && cg->musl ? cg->musl : cg->glibc;
	struct sysset needed;

	if (!g && !b->godir)
		return;
	sysset_clear(&needed);
	if (g) {
		confine_graph_syscalls(g, (const char *const *)r->imports, r->imports_nr, &needed);
		ir->compat_libc = sysset_count(&needed);
	}
	sysset_union(&needed, &r->direct);
	if (b->godir) {
		int ret = confine_go_syscalls(b->godir, e->image_name, &needed);

		if (ret && ret != -ENOENT)
			warn_add("%s", err_msg());
	}
	confine_method_allowed(SYS_ARCH_X86_64, &needed, &ir->compat_allowed);
	ir->have_compat = true;
}

/* ---- the run ------------------------------------------------------------ */

static const char BANNER[] = "////////////////////////////////////////////////////////////////////////";
static const char BANNER2[] =
	"///////////////////////////////////////////////////////////////////////////////////////";

static int load_default(const struct batch_opts *b, struct default_set *def)
{
	struct profile p;
	enum profile_kind kind;
	char *path = NULL;
	const char *src = b->defprofile;
	const struct syscall_info *tab;
	size_t n, i;
	int ret;

	if (!src) {
		path = cve_data_path("docker-default.seccomp.json");
		if (!path)
			path = xasprintf("%s/docker-default.seccomp.json", CONFINE_DATADIR);
		src = path;
	}
	profile_init(&p, SYS_ARCH_X86_64);
	ret = profile_read_file(src, &p, &kind);
	if (ret) {
		ret = err_wrap(ret, "-p");
		goto out;
	}
	tab = syscall_table(SYS_ARCH_X86_64, &n);
	def->names = xcalloc(n + p.unknown_nr + 1, sizeof(*def->names));
	sysset_clear(&def->blocked);
	for (i = 0; i < n; i++) {
		if (!sysset_has(&p.allow, tab[i].nr)) {
			def->names[def->nr++] = tab[i].name;
			sysset_add(&def->blocked, tab[i].nr);
		}
	}
	/* Confine counts the unknown names of its own file (e.g. "move_apges"). */
	if (kind == PROFILE_KIND_CONFINE_DEFAULT && p.unknown_nr) {
		def->owned = xcalloc(p.unknown_nr, sizeof(*def->owned));
		for (i = 0; i < p.unknown_nr; i++) {
			def->owned[def->owned_nr++] = xstrdup(p.unknown[i]);
			def->names[def->nr++] = def->owned[i];
		}
	}
out:
	profile_release(&p);
	free(path);
	return ret;
}

static void print_header(const char *name)
{
	p_info("------------------------------------------------------------------------");
	p_info("%s", BANNER);
	p_info("----->Starting analysis for image: %s<-----", name);
	p_info("%s\n", BANNER);
}

static void print_footer(const char *name)
{
	p_info("%s", BANNER2);
	p_info("----->Finished extracting system calls for %s<-----", name);
	p_info("%s", BANNER2);
	p_info("---------------------------------------------------------------------------------------\n");
}

/* What Confine's method would have done, beside confine's own result. */
static void print_compat(const struct image_report *ir)
{
	const struct syscall_info *tab;
	struct strbuf sb = STRBUF_INIT;
	size_t n, i, cblocked = 0, unsound = 0;

	tab = syscall_table(SYS_ARCH_X86_64, &n);
	for (i = 0; i < n; i++) {
		if (sysset_has(&ir->compat_allowed, tab[i].nr))
			continue;
		cblocked++;
		if (sysset_has(&ir->r->analysed, tab[i].nr)) {
			if (unsound < 20)
				strbuf_addf(&sb, "%s%s", unsound ? ", " : "", tab[i].name);
			unsound++;
		}
	}
	p_info("Confine's method (libc call graph + direct syscalls + Go list) would block %zu "
	       "syscalls; %zu of them are reachable in this image%s%s%s", cblocked, unsound,
	       unsound ? ": " : "", strbuf_str(&sb), unsound > 20 ? ", ..." : "");
	strbuf_release(&sb);
}

/* results/report.html: every image's syscalls, why, beside Docker's default; the CVEs. */
static int write_html(const struct batch_opts *b, const struct image_report *reps, size_t n,
		      const struct default_set *def, const struct cve_report *rep)
{
	struct report_html_image *im = xcalloc(n + 1, sizeof(*im));
	char *path = fs_join(b->resdir, "report.html");
	int ret;

	for (size_t i = 0; i < n; i++) {
		im[i].name = reps[i].e->image_name;
		im[i].r = reps[i].r;
	}
	ret = report_html_write(path, im, n, &def->blocked, rep);
	if (!ret)
		p_info("HTML report: %s", path);
	free(path);
	free(im);
	return ret;
}

/* The CVE report (unless --no-cve or no data) and the HTML report. */
static int finish_reports(const struct batch_opts *b, const struct image_report *reps, size_t n,
			  const struct default_set *def, json_t *jout)
{
	struct cve_db db;
	struct cve_image_input *in;
	struct cve_report *rep = NULL;
	size_t i, k = 0;
	char *path;
	int ret;

	cve_db_init(&db);
	if (b->no_cve)
		goto html;
	ret = cve_db_load_defaults(&db, true, true);
	if (ret) {
		warn_add("no CVE report: %s", err_msg());
		goto html;
	}
	in = xcalloc(n + 1, sizeof(*in));
	for (i = 0; i < n; i++) {
		if (reps[i].r->validated && !reps[i].r->hardened)
			continue;
		in[k].name = reps[i].e->image_name;
		cve_blocked_from_allowed(&reps[i].r->profile.allow, &in[k].blocked);
		k++;
	}
	ret = k ? cve_report_build(&db, in, k, &rep) : 0;
	free(in);
	if (ret)
		goto out;
	if (rep) {
		path = fs_join(b->resdir, "cve.container.csv");
		ret = cve_report_write_csv(rep, path);
		if (!ret && jout) {
			json_object_set_new(jout, "cve", cve_report_json(rep));
		} else if (!ret) {
			struct strbuf sb = STRBUF_INIT;

			cve_report_summary(rep, &sb, 10);
			p_info("Kernel CVEs the profiles shut out (%s):\n%s", path, strbuf_str(&sb));
			strbuf_release(&sb);
		}
		free(path);
		if (ret)
			goto out;
	}
html:
	ret = write_html(b, reps, n, def, rep);
out:
	cve_report_free(rep);
	cve_db_release(&db);
	return ret;
}

int cmd_batch(int argc, char **argv)
{
	struct batch_opts b;
	struct batch_compat cg = { NULL, NULL };
	struct images_file imgs = { 0 };
	struct default_set def = { 0 };
	struct image_report *reps = NULL;
	struct pipeline_result *results = NULL;
	json_t *jout = NULL, *jimages = NULL;
	size_t i, nrep = 0, failed = 0;
	int status = 1;

	argc = cmd_parse_common(argc, argv, usage);
	if (parse_args(argc, argv, &b)) {
		fputs(usage, stderr);
		return 2;
	}
	if (images_load(b.input, &imgs) || load_default(&b, &def)) {
		p_err_last();
		goto out;
	}
	if ((b.glibc && confine_graph_load(b.glibc, ":", &cg.glibc)) ||
	    (b.musl && confine_graph_load(b.musl, "->", &cg.musl))) {
		p_err_last();
		goto out;
	}
	if (b.godir && !fs_exists(b.godir)) {
		p_err("-g: folder '%s' does not exist", b.godir);
		goto out;
	}
	if (ensure_dir(b.resdir, "-r") || ensure_dir(b.outdir, "-o")) {
		p_err_last();
		goto out;
	}
	container_install_signals();
	atexit(pipeline_cleanup);
	if (cmd_opts.json) {
		jout = json_object();
		jimages = json_array();
	}
	reps = xcalloc(imgs.nr + 1, sizeof(*reps));
	results = xcalloc(imgs.nr + 1, sizeof(*results));
	p_warnings();
	for (i = 0; i < imgs.nr; i++) {
		const struct images_entry *e = &imgs.entries[i];
		struct pipeline_opts o;
		struct pipeline_result *r = &results[nrep];
		struct dep_run *deps = NULL;
		char **links = NULL, *fname, *ref, *copy_dir, *prof_file, *prof_path;
		size_t links_nr = 0;
		struct dockerapi api;
		bool api_ok = false;
		int ret;

		if (!e->enable)
			continue;
		if (b.skip && reported_before(b.resdir, e->image_name)) {
			p_info("Skipping %s: already in the report of %s (--skip)", e->image_name,
			       b.resdir);
			continue;
		}
		print_header(e->image_name);
		fname = images_file_name(e->image_name);
		ref = images_ref(e->image_url);
		copy_dir = fs_join(b.outdir, fname);
		prof_file = xasprintf("%s.seccomp.json", fname);
		prof_path = fs_join(b.resdir, prof_file);
		memset(&o, 0, sizeof(o));
		o.ref = ref;
		o.name = e->image_name;
		o.run_options = e->options;
		o.run_args = e->args;
		o.health = e->health.spec;
		o.workload = e->workload.spec;
		o.probe_timeout_ms = (e->workload.timeout_s ? e->workload.timeout_s
							    : e->health.timeout_s ? e->health.timeout_s : 5) *
				     1000L;
		o.monitor = !b.no_monitor;
		o.monitor_max_ms = b.timeout_ms;
		o.all_binaries = b.all_binaries;
		o.validate = !b.no_validate;
		o.repair = b.repair;
		o.seed_messages = true;
		o.confine_direct = cg.glibc || cg.musl || b.godir;
		o.copy_dir = copy_dir;
		o.profile_path = prof_path;
		pipeline_result_init(r);
		ret = pipeline_check_output(prof_path, false);
		if (!ret && e->deps_nr && !strncmp(ref, "docker:", 7) && (o.monitor || o.validate)) {
			ret = dockerapi_init(&api, NULL);
			if (!ret)
				api_ok = true;
			deps = xcalloc(e->deps_nr, sizeof(*deps));
			links = xcalloc(e->deps_nr + 1, sizeof(*links));
			if (!ret)
				ret = start_deps(&api, e, deps, links, &links_nr);
			o.links = links;
			o.links_nr = links_nr;
		}
		if (!ret)
			ret = pipeline_run(&o, r);
		if (deps) {
			if (api_ok)
				stop_deps(&api, deps, e->deps_nr);
			free(deps);
		}
		if (api_ok)
			dockerapi_release(&api);
		for (size_t k = 0; k < links_nr; k++)
			free(links[k]);
		free(links);
		cmd_progress_done();
		if (ret == -EINTR) {
			p_err("interrupted");
			pipeline_result_release(r);
			free(fname), free(ref), free(copy_dir), free(prof_file), free(prof_path);
			goto out;
		}
		if (ret) {
			p_err("Tried hardening container: %s failed: %s", e->image_name, err_msg());
			failed++;
			pipeline_result_release(r);
		} else {
			struct image_report *ir = &reps[nrep++];

			ir->e = e;
			ir->r = r;
			confine_method(&b, &cg, e, ir);
			if (write_reports(&b, ir, &def))
				p_err_last();
			if (ir->have_compat && !cmd_opts.json)
				print_compat(ir);
			if (r->validated && !r->hardened)
				failed++;
			if (jimages) {
				json_t *j = pipeline_result_json(r, e->image_name);

				json_object_set_new(j, "profile", json_string(prof_path));
				json_object_set_new(j, "output", json_string(copy_dir));
				if (ir->have_compat)
					json_object_set_new(j, "confine_method_allowed",
							    json_integer((json_int_t)sysset_count(
								    &ir->compat_allowed)));
				json_array_append_new(jimages, j);
			}
			if (!cmd_opts.json) {
				p_warnings();
				p_info("Profile: %s (%zu syscalls allowed, %zu blocked); ELF files: %s/",
				       prof_path, sysset_count(&r->profile.allow),
				       profile_blocked_count(&r->profile), copy_dir);
				p_info("Phases: image %.1f s, monitor %.1f s, analysis %.1f s, "
				       "validation %.1f s; total %.1f s", r->image_s, r->monitor_s,
				       r->analysis_s, r->validation_s, r->total_s);
			}
			print_footer(e->image_name);
		}
		free(fname);
		free(ref);
		free(copy_dir);
		free(prof_file);
		free(prof_path);
	}
	if (write_stats(&b, reps, nrep))
		p_err_last();
	if (nrep && finish_reports(&b, reps, nrep, &def, jout))
		p_err_last();
	if (!cmd_opts.json) {
		p_warnings();
		char *r1 = fs_join(b.resdir, "profile.report.csv");
		char *r2 = fs_join(b.resdir, "profile.report.details.csv");

		p_info("Reports: %s, %s", r1, r2);
		free(r1);
		free(r2);
	} else {
		json_object_set_new(jout, "images", jimages);
		jimages = NULL;
		json_object_set_new(jout, "warnings", p_warnings_json());
		json_dumpf(jout, stdout, JSON_PRESERVE_ORDER | JSON_INDENT(2));
		fputc('\n', stdout);
	}
	status = failed ? 1 : 0;
out:
	for (i = 0; i < nrep; i++)
		pipeline_result_release(reps[i].r);
	free(results);
	free(reps);
	json_decref(jimages);
	json_decref(jout);
	free(def.names);
	for (i = 0; i < def.owned_nr; i++)
		free(def.owned[i]);
	free(def.owned);
	confine_graph_free(cg.glibc);
	confine_graph_free(cg.musl);
	images_file_release(&imgs);
	pipeline_cleanup();
	return status;
}
