#include "cve/cve.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cve/cvetext.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/strmap.h"
#include "util/xalloc.h"

#define FILTERFILE_CAP ((size_t)256 << 20)
#define DETAILS_FIELDS 8
#define DETAILS_NAME 1
#define DETAILS_COUNT 2
#define DETAILS_BLOCKED 7

void cve_blocked_from_allowed(const struct sysset *allowed, struct sysset *blocked)
{
	const struct syscall_info *tbl;
	size_t n;

	sysset_clear(blocked);
	tbl = syscall_table(SYS_ARCH_X86_64, &n);
	for (size_t i = 0; i < n; i++)
		if (!sysset_has(allowed, tbl[i].nr))
			sysset_add(blocked, tbl[i].nr);
}

void cve_image_list_release(struct cve_image_list *l)
{
	for (size_t i = 0; i < l->nr; i++)
		free((char *)l->v[i].name);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

struct blocked_ctx {
	struct sysset *set;
	const char *file;
	size_t lineno;
	const char *image;
	size_t count;
};

static int collect_blocked(const char *item, size_t n, void *ctx)
{
	struct blocked_ctx *c = ctx;
	struct cvetext_field f = cvetext_trim((struct cvetext_field){ item, n });
	char *name;
	int nr;

	c->count++;
	if (!f.len)
		return err_set(EINVAL, "%s:%zu: empty syscall name in the blocked set", c->file,
			       c->lineno);
	name = xstrndup(f.p, f.len);
	nr = syscall_number(SYS_ARCH_X86_64, name);
	if (nr < 0)
		warn_add("%s:%zu: image '%s': unknown x86_64 syscall '%s' in the blocked set; "
			 "ignored", c->file, c->lineno, c->image, name);
	else
		sysset_add(c->set, nr);
	free(name);
	return 0;
}

static struct cve_image_input *image_get(struct cve_image_list *l, struct strmap *seen,
					 const char *name)
{
	uintptr_t pos = (uintptr_t)strmap_get(seen, name);
	struct cve_image_input *in;

	if (pos)
		return &l->v[pos - 1];
	ALLOC_GROW(l->v, l->nr + 1, l->alloc);
	in = &l->v[l->nr++];
	in->name = xstrdup(name);
	sysset_clear(&in->blocked);
	strmap_put(seen, name, (void *)(uintptr_t)l->nr);
	return in;
}

int cve_images_parse(struct cve_image_list *out, const char *buf, size_t len, const char *name)
{
	struct cvetext_cursor cur;
	struct cvetext_line l;
	struct strmap seen = STRMAP_INIT;
	size_t rows = 0;
	int ret = 0;

	for (size_t i = 0; i < out->nr; i++)
		strmap_put(&seen, out->v[i].name, (void *)(uintptr_t)(i + 1));
	cvetext_start(&cur, buf, len);
	while (cvetext_next(&cur, &l)) {
		struct cvetext_field f[DETAILS_FIELDS], img;
		struct sysset set;
		struct blocked_ctx bc;
		const char *why;
		char *image;
		size_t nf;

		if (cvetext_blank(l.p, l.len))
			continue;
		if (cvetext_has_nul(l.p, l.len)) {
			ret = err_set(EINVAL, "%s:%zu: line contains a NUL byte", name, l.lineno);
			goto out;
		}
		nf = cvetext_split(l.p, l.len, ';', f, DETAILS_FIELDS);
		if (nf < DETAILS_FIELDS) {
			ret = err_set(EINVAL, "%s:%zu: expected at least %d ';'-separated fields "
				      "(id;image;...;{blocked syscalls}), got %zu", name, l.lineno,
				      DETAILS_FIELDS, nf);
			goto out;
		}
		if (nf > DETAILS_FIELDS) {
			/* Newer layouts may append columns; the set stays field 8. */
			struct cvetext_field all[DETAILS_FIELDS + 1];

			cvetext_split(l.p, l.len, ';', all, DETAILS_FIELDS + 1);
			f[DETAILS_BLOCKED] = all[DETAILS_BLOCKED];
		}
		img = cvetext_trim(f[DETAILS_NAME]);
		if (!img.len) {
			ret = err_set(EINVAL, "%s:%zu: empty image name (field 2)", name, l.lineno);
			goto out;
		}
		image = xstrndup(img.p, img.len);
		sysset_clear(&set);
		bc = (struct blocked_ctx){ &set, name, l.lineno, image, 0 };
		ret = cvetext_pystrings(f[DETAILS_BLOCKED].p, f[DETAILS_BLOCKED].len,
					collect_blocked, &bc, &why);
		if (ret) {
			if (ret == -EINVAL && why)
				ret = err_set(EINVAL, "%s:%zu: blocked syscall set (field 8): %s", name,
					      l.lineno, why);
			free(image);
			goto out;
		}
		{
			struct cvetext_field c = cvetext_trim(f[DETAILS_COUNT]);
			char num[24];
			char *end;
			unsigned long long v;

			if (c.len && c.len < sizeof(num)) {
				memcpy(num, c.p, c.len);
				num[c.len] = '\0';
				v = strtoull(num, &end, 10);
				if (*end == '\0' && v != bc.count)
					warn_add("%s:%zu: image '%s': field 3 says %llu blocked syscalls "
						 "but the set has %zu", name, l.lineno, image, v,
						 bc.count);
			}
		}
		sysset_union(&image_get(out, &seen, image)->blocked, &set);
		free(image);
		rows++;
	}
	if (!rows)
		ret = err_set(EINVAL, "%s: no image rows (an empty filter file)", name);
out:
	strmap_release(&seen, NULL);
	return ret;
}

int cve_images_load(struct cve_image_list *out, const char *path)
{
	char *data = NULL;
	size_t len = 0;
	int ret;

	ret = fs_read_file(path, FILTERFILE_CAP, &data, &len);
	if (ret < 0)
		return err_wrap(ret, "cannot read filter file");
	ret = cve_images_parse(out, data, len, path);
	free(data);
	return ret;
}

/* Blocked under 'set': every entry point known and in the set. */
static bool all_blocked(const struct cve_entry *e, const struct sysset *set)
{
	if (e->has_unknown || e->nr_syscalls == 0)
		return false;
	for (size_t i = 0; i < SYSSET_NR / 64; i++)
		if ((e->entry.bits[i] & set->bits[i]) != e->entry.bits[i])
			return false;
	return true;
}

static const struct cve_db *sort_db;

static int cmp_entry_idx(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return cve_id_cmp(sort_db->entries[x].id, sort_db->entries[y].id);
}

static const struct cve_image_input *sort_images;

static int cmp_image_idx(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return strcmp(sort_images[x].name, sort_images[y].name);
}

int cve_report_build(const struct cve_db *db, const struct cve_image_input *images, size_t n,
		     struct cve_report **out)
{
	struct cve_report *r;
	size_t *order, *img_order;
	size_t i, j, nimg = 0;

	*out = NULL;
	r = xcalloc(1, sizeof(*r));
	r->has_docker = db->has_docker;
	r->docker_source = db->docker_source;
	if (db->has_docker)
		r->docker_blocked = sysset_count(&db->docker_blocked);

	/* Images sorted by name; duplicate names are merged (union). */
	img_order = xcalloc(n ? n : 1, sizeof(*img_order));
	for (i = 0; i < n; i++)
		img_order[i] = i;
	sort_images = images;
	if (n)
		qsort(img_order, n, sizeof(*img_order), cmp_image_idx);
	r->images = xcalloc(n ? n : 1, sizeof(*r->images));
	{
		struct sysset *sets = xcalloc(n ? n : 1, sizeof(*sets));

		for (i = 0; i < n; i++) {
			const struct cve_image_input *in = &images[img_order[i]];

			if (!nimg || strcmp(r->images[nimg - 1].name, in->name)) {
				r->images[nimg].name = xstrdup(in->name);
				sysset_clear(&sets[nimg]);
				nimg++;
			}
			sysset_union(&sets[nimg - 1], &in->blocked);
		}
		r->nr_images = nimg;

		order = xcalloc(db->nr ? db->nr : 1, sizeof(*order));
		for (i = 0; i < db->nr; i++)
			order[i] = i;
		sort_db = db;
		if (db->nr)
			qsort(order, db->nr, sizeof(*order), cmp_entry_idx);

		r->rows = xcalloc(db->nr ? db->nr : 1, sizeof(*r->rows));
		for (i = 0; i < nimg; i++)
			r->images[i].blocked = sysset_count(&sets[i]);
		for (i = 0; i < db->nr; i++) {
			const struct cve_entry *e = &db->entries[order[i]];
			const struct cve_types *t;
			struct cve_report_row *row;
			size_t hits = 0;

			if (!e->nr_syscalls)
				continue;
			r->nr_cves++;
			if (db->has_docker && all_blocked(e, &db->docker_blocked))
				r->docker_mitigated++;
			for (j = 0; j < nimg; j++)
				if (all_blocked(e, &sets[j]))
					hits++;
			if (!hits)
				continue;
			row = &r->rows[r->nr_rows];
			row->id = e->id;
			row->syscalls = (const char *const *)e->syscalls;
			row->nr_syscalls = e->nr_syscalls;
			t = cve_db_types(db, e->id);
			row->types_known = t && t->nr;
			row->types = row->types_known ? (const char *const *)t->names : NULL;
			row->nr_types = row->types_known ? t->nr : 0;
			row->affected = e->affected;
			row->source = e->source;
			row->docker_default = db->has_docker && all_blocked(e, &db->docker_blocked);
			row->images = xcalloc(hits, sizeof(*row->images));
			for (j = 0; j < nimg; j++) {
				if (!all_blocked(e, &sets[j]))
					continue;
				row->images[row->nr_images++] = j;
				ALLOC_GROW(r->images[j].rows, r->images[j].nr_rows + 1,
					   r->images[j].rows_alloc);
				r->images[j].rows[r->images[j].nr_rows++] = r->nr_rows;
				if (!row->docker_default)
					r->images[j].beyond_default++;
			}
			if (!row->docker_default)
				r->beyond_default++;
			r->nr_rows++;
		}
		free(sets);
	}
	free(order);
	free(img_order);
	*out = r;
	return 0;
}

void cve_report_free(struct cve_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nr_rows; i++)
		free(r->rows[i].images);
	for (size_t i = 0; i < r->nr_images; i++) {
		free(r->images[i].name);
		free(r->images[i].rows);
	}
	free(r->rows);
	free(r->images);
	free(r);
}

static int add_joined(struct strbuf *sb, const char *const *v, size_t n)
{
	int ret = 0;

	for (size_t i = 0; i < n && !ret; i++) {
		if (i)
			ret = strbuf_addstr(sb, ", ");
		if (!ret)
			ret = strbuf_addstr(sb, v[i]);
	}
	return ret;
}

int cve_report_csv(const struct cve_report *r, struct strbuf *out)
{
	int ret = 0;

	for (size_t i = 0; i < r->nr_rows && !ret; i++) {
		const struct cve_report_row *row = &r->rows[i];

		ret = strbuf_addf(out, "%s;", row->id);
		if (!ret)
			ret = add_joined(out, row->syscalls, row->nr_syscalls);
		if (!ret)
			ret = strbuf_addch(out, ';');
		if (!ret)
			ret = row->types_known ? add_joined(out, row->types, row->nr_types)
					       : strbuf_addstr(out, "None");
		if (!ret)
			ret = strbuf_addf(out, ";%s;%zu;", row->docker_default ? "True" : "False",
					  row->nr_images);
		for (size_t j = 0; j < row->nr_images && !ret; j++) {
			if (j)
				ret = strbuf_addstr(out, ", ");
			if (!ret)
				ret = strbuf_addstr(out, r->images[row->images[j]].name);
		}
		if (!ret)
			ret = strbuf_addch(out, '\n');
	}
	if (ret)
		return err_set(-ret, "cannot format the CVE report: %s", strerror(-ret));
	return 0;
}

int cve_report_write_csv(const struct cve_report *r, const char *path)
{
	struct strbuf sb;
	int ret;

	strbuf_init(&sb, 0);
	ret = cve_report_csv(r, &sb);
	if (!ret)
		ret = fs_write_atomic(path, sb.buf ? sb.buf : "", sb.len, 0644);
	strbuf_release(&sb);
	return ret;
}

static json_t *str_array(const char *const *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static json_t *opt_string(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *cve_report_json(const struct cve_report *r)
{
	json_t *root = json_object(), *summary = json_object(), *docker = json_object();
	json_t *images = json_array(), *cves = json_array();

	json_object_set_new(summary, "images", json_integer((json_int_t)r->nr_images));
	json_object_set_new(summary, "cves_considered", json_integer((json_int_t)r->nr_cves));
	json_object_set_new(summary, "cves_mitigated", json_integer((json_int_t)r->nr_rows));
	json_object_set_new(summary, "cves_mitigated_beyond_docker_default",
			    json_integer((json_int_t)r->beyond_default));
	json_object_set_new(root, "summary", summary);

	json_object_set_new(docker, "available", json_boolean(r->has_docker));
	json_object_set_new(docker, "profile", opt_string(r->docker_source));
	json_object_set_new(docker, "blocked_syscalls", json_integer((json_int_t)r->docker_blocked));
	json_object_set_new(docker, "cves_mitigated", json_integer((json_int_t)r->docker_mitigated));
	json_object_set_new(root, "docker_default", docker);

	for (size_t i = 0; i < r->nr_images; i++) {
		const struct cve_report_image *im = &r->images[i];
		json_t *o = json_object(), *mit = json_array(), *open = json_array();

		for (size_t j = 0; j < im->nr_rows; j++) {
			const struct cve_report_row *row = &r->rows[im->rows[j]];

			json_array_append_new(mit, json_string(row->id));
			if (!row->docker_default)
				json_array_append_new(open, json_string(row->id));
		}
		json_object_set_new(o, "name", json_string(im->name));
		json_object_set_new(o, "blocked_syscalls", json_integer((json_int_t)im->blocked));
		json_object_set_new(o, "cves_mitigated", json_integer((json_int_t)im->nr_rows));
		json_object_set_new(o, "cves_mitigated_beyond_docker_default",
				    json_integer((json_int_t)im->beyond_default));
		json_object_set_new(o, "mitigated", mit);
		json_object_set_new(o, "left_open_by_docker_default", open);
		json_array_append_new(images, o);
	}
	json_object_set_new(root, "images", images);

	for (size_t i = 0; i < r->nr_rows; i++) {
		const struct cve_report_row *row = &r->rows[i];
		json_t *o = json_object(), *names = json_array();

		for (size_t j = 0; j < row->nr_images; j++)
			json_array_append_new(names, json_string(r->images[row->images[j]].name));
		json_object_set_new(o, "id", json_string(row->id));
		json_object_set_new(o, "syscalls", str_array(row->syscalls, row->nr_syscalls));
		json_object_set_new(o, "types", row->types_known ? str_array(row->types, row->nr_types)
								  : json_null());
		json_object_set_new(o, "mitigated_by_docker_default",
				    json_boolean(row->docker_default));
		json_object_set_new(o, "images", names);
		json_object_set_new(o, "affected", opt_string(row->affected));
		json_object_set_new(o, "source", opt_string(row->source));
		json_array_append_new(cves, o);
	}
	json_object_set_new(root, "cves", cves);
	return root;
}

int cve_report_summary(const struct cve_report *r, struct strbuf *out, size_t max_images)
{
	size_t width = 5, shown;
	int ret;

	ret = strbuf_addf(out, "%zu image%s, %zu CVEs with known syscall entry points\n",
			  r->nr_images, r->nr_images == 1 ? "" : "s", r->nr_cves);
	if (!ret && r->has_docker)
		ret = strbuf_addf(out, "Docker's default profile blocks %zu syscalls and "
				  "mitigates %zu of those CVEs\n", r->docker_blocked,
				  r->docker_mitigated);
	if (!ret)
		ret = strbuf_addf(out, "%zu CVEs mitigated by at least one image's profile, "
				  "%zu of them left open by Docker's default\n", r->nr_rows,
				  r->beyond_default);
	if (ret || !r->nr_images)
		goto out;
	for (size_t i = 0; i < r->nr_images; i++) {
		size_t l = strlen(r->images[i].name);

		if (l > width)
			width = l > 40 ? 40 : l;
	}
	shown = max_images && max_images < r->nr_images ? max_images : r->nr_images;
	ret = strbuf_addf(out, "  %-*s %8s %6s %15s\n", (int)width, "image", "blocked", "CVEs",
			  "beyond-default");
	for (size_t i = 0; i < shown && !ret; i++) {
		const struct cve_report_image *im = &r->images[i];

		ret = strbuf_addf(out, "  %-*.*s %8zu %6zu %15zu\n", (int)width, (int)width, im->name,
				  im->blocked, im->nr_rows, im->beyond_default);
	}
	if (!ret && shown < r->nr_images)
		ret = strbuf_addf(out, "  ... and %zu more images\n", r->nr_images - shown);
out:
	if (ret)
		return err_set(-ret, "cannot format the CVE summary: %s", strerror(-ret));
	return 0;
}
