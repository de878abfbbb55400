/*
 * The batch's HTML report: one self-contained page (no scripts, no external
 * resources) a reviewer can open to see, per image, what the profile allows
 * and why, next to Docker's default profile, and the CVEs it shuts out.
 */
#include "cmd/report_html.h"

#include <stdarg.h>
#include <string.h>

#include "util/error.h"
#include "util/fs.h"
#include "util/strbuf.h"

static void esc(struct strbuf *sb, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&':
			strbuf_addstr(sb, "&amp;");
			break;
		case '<':
			strbuf_addstr(sb, "&lt;");
			break;
		case '>':
			strbuf_addstr(sb, "&gt;");
			break;
		case '"':
			strbuf_addstr(sb, "&quot;");
			break;
		default:
			strbuf_addch(sb, *s);
		}
	}
}

static const char style[] =
	"body{font-family:sans-serif;margin:2em;color:#222}"
	"table{border-collapse:collapse;margin:1em 0}"
	"td,th{border:1px solid #ccc;padding:2px 8px;text-align:left;vertical-align:top}"
	"th{background:#eee}td.a{color:#060}td.b{color:#a00}"
	"td.why{font-family:monospace;font-size:90%}"
	"tr.beyond td{background:#fff4e0}";

static void image_section(struct strbuf *sb, const struct report_html_image *im,
			  const struct sysset *docker_blocked)
{
	const struct pipeline_result *r = im->r;
	const struct syscall_info *tab;
	size_t n, i, allowed = 0, blocked = 0, beyond = 0;

	tab = syscall_table(SYS_ARCH_X86_64, &n);
	for (i = 0; i < n; i++) {
		bool allow = sysset_has(&r->profile.allow, tab[i].nr);

		allowed += allow;
		blocked += !allow;
		beyond += !allow && !sysset_has(docker_blocked, tab[i].nr);
	}
	strbuf_addstr(sb, "<h2 id=\"");
	esc(sb, im->name);
	strbuf_addstr(sb, "\">");
	esc(sb, im->name);
	strbuf_addstr(sb, "</h2>\n<p>");
	strbuf_addf(sb, "%zu system calls allowed, %zu blocked (%zu of them allowed by Docker's "
		    "default). %zu programs, %zu objects analysed; %zu unresolved syscall sites.",
		    allowed, blocked, beyond, r->programs_nr, r->objects_nr, r->unresolved_nr);
	if (r->validated)
		strbuf_addf(sb, " Validation: %s.", r->hardened ? "hardened successfully" : "FAILED");
	if (r->runtime_name) {
		strbuf_addstr(sb, " Runtime: ");
		esc(sb, r->runtime_name);
		strbuf_addch(sb, '.');
	}
	strbuf_addstr(sb, "</p>\n<table><tr><th>#</th><th>system call</th><th>confine</th>"
			  "<th>Docker default</th><th>why confine allows it</th></tr>\n");
	for (i = 0; i < n; i++) {
		int nr = tab[i].nr;
		bool allow = sysset_has(&r->profile.allow, nr);
		bool dblock = sysset_has(docker_blocked, nr);

		strbuf_addf(sb, "<tr%s><td>%d</td><td>", !allow && !dblock ? " class=\"beyond\"" : "",
			    nr);
		esc(sb, tab[i].name);
		strbuf_addf(sb, "</td><td class=\"%s\">%s</td><td class=\"%s\">%s</td><td class=\"why\">",
			    allow ? "a" : "b", allow ? "allowed" : "blocked", dblock ? "b" : "a",
			    dblock ? "blocked" : "allowed");
		if (allow)
			esc(sb, r->why[nr] ? r->why[nr] : "");
		strbuf_addstr(sb, "</td></tr>\n");
	}
	strbuf_addstr(sb, "</table>\n");
}

static void cve_section(struct strbuf *sb, const struct cve_report *rep)
{
	size_t i, j;

	strbuf_addf(sb, "<h2 id=\"cves\">Kernel CVEs shut out</h2>\n<p>%zu CVEs with known "
		    "syscall entry points; %zu mitigated by at least one image's profile, %zu of "
		    "them left open by Docker's default profile.</p>\n",
		    rep->nr_cves, rep->nr_rows, rep->beyond_default);
	strbuf_addstr(sb, "<table><tr><th>CVE</th><th>system calls</th><th>types</th>"
			  "<th>Docker default mitigates</th><th>images</th></tr>\n");
	for (i = 0; i < rep->nr_rows; i++) {
		const struct cve_report_row *row = &rep->rows[i];

		strbuf_addstr(sb, "<tr><td>");
		if (row->source) {
			strbuf_addstr(sb, "<a href=\"");
			esc(sb, row->source);
			strbuf_addstr(sb, "\">");
		}
		esc(sb, row->id);
		strbuf_addstr(sb, row->source ? "</a></td><td>" : "</td><td>");
		for (j = 0; j < row->nr_syscalls; j++) {
			strbuf_addstr(sb, j ? ", " : "");
			esc(sb, row->syscalls[j]);
		}
		strbuf_addstr(sb, "</td><td>");
		for (j = 0; row->types && j < row->nr_types; j++) {
			strbuf_addstr(sb, j ? ", " : "");
			esc(sb, row->types[j]);
		}
		strbuf_addf(sb, "</td><td>%s</td><td>", row->docker_default ? "yes" : "no");
		for (j = 0; j < row->nr_images; j++) {
			strbuf_addstr(sb, j ? ", " : "");
			esc(sb, rep->images[row->images[j]].name);
		}
		strbuf_addstr(sb, "</td></tr>\n");
	}
	strbuf_addstr(sb, "</table>\n");
}

int report_html_write(const char *path, const struct report_html_image *images, size_t n,
		      const struct sysset *docker_blocked, const struct cve_report *cves)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;
	int ret;

	strbuf_addf(&sb, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
		    "<title>confine report</title><style>%s</style></head><body>\n"
		    "<h1>confine: seccomp profiles</h1>\n<ul>\n", style);
	for (i = 0; i < n; i++) {
		strbuf_addstr(&sb, "<li><a href=\"#");
		esc(&sb, images[i].name);
		strbuf_addstr(&sb, "\">");
		esc(&sb, images[i].name);
		strbuf_addstr(&sb, "</a></li>\n");
	}
	if (cves)
		strbuf_addstr(&sb, "<li><a href=\"#cves\">kernel CVEs</a></li>\n");
	strbuf_addstr(&sb, "</ul>\n<p>Rows shaded are system calls confine blocks that Docker's "
			   "default profile allows.</p>\n");
	for (i = 0; i < n; i++)
		image_section(&sb, &images[i], docker_blocked);
	if (cves)
		cve_section(&sb, cves);
	strbuf_addstr(&sb, "</body></html>\n");
	ret = fs_write_atomic(path, sb.buf, sb.len, 0644);
	strbuf_release(&sb);
	return ret;
}
