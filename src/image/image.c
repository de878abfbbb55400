#include "image/image.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <linux/magic.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "image/blobstore.h"
#include "image/layer.h"
#include "image/rootfs.h"
#include "util/dockerapi.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/strmap.h"
#include "util/xalloc.h"

#define JSON_BLOB_MAX (16u << 20)   /* one manifest / config / index */
#define JSON_TOTAL_MAX (64u << 20)  /* all JSON held from one archive */
#define MAX_LAYERS 1024
#define INDEX_DEPTH 4
#define DIR_MAX_DEPTH 1024

static const struct {
	const char *prefix;
	enum image_transport t;
} transports[] = {
	{ "docker-archive:", IMAGE_DOCKER_ARCHIVE },
	{ "docker-daemon:", IMAGE_DOCKER },
	{ "docker:", IMAGE_DOCKER },
	{ "oci-archive:", IMAGE_OCI_ARCHIVE },
	{ "oci:", IMAGE_OCI },
	{ "dir:", IMAGE_DIR },
};

const char *image_transport_name(enum image_transport t)
{
	switch (t) {
	case IMAGE_DOCKER:
		return "docker";
	case IMAGE_DOCKER_ARCHIVE:
		return "docker-archive";
	case IMAGE_OCI:
		return "oci";
	case IMAGE_OCI_ARCHIVE:
		return "oci-archive";
	case IMAGE_DIR:
		return "dir";
	}
	return "?";
}

int image_ref_parse(const char *s, struct image_ref *ref)
{
	memset(ref, 0, sizeof(*ref));
	for (size_t i = 0; i < ARRAY_SIZE(transports); i++) {
		size_t n = strlen(transports[i].prefix);

		if (strncmp(s, transports[i].prefix, n))
			continue;
		if (!s[n])
			return err_set(EINVAL, "image reference '%s' names nothing after '%s'", s,
				       transports[i].prefix);
		ref->transport = transports[i].t;
		ref->name = xstrdup(s + n);
		return 0;
	}
	return err_set(EINVAL,
		       "image reference '%s' has no transport prefix (docker:, docker-archive:, oci:, oci-archive:, dir:)",
		       s);
}

void image_ref_release(struct image_ref *ref)
{
	free(ref->name);
	ref->name = NULL;
}

/* ---- image config ---------------------------------------------------- */

void image_config_release(struct image_config *c)
{
	free_strv(c->entrypoint, c->entrypoint_nr);
	free_strv(c->cmd, c->cmd_nr);
	free_strv(c->env, c->env_nr);
	free_strv(c->exposed_ports, c->exposed_ports_nr);
	free_strv(c->healthcheck.test, c->healthcheck.test_nr);
	free(c->working_dir);
	free(c->user);
	free(c->architecture);
	free(c->os);
	memset(c, 0, sizeof(*c));
}

void image_config_copy(struct image_config *dst, const struct image_config *src)
{
	*dst = *src;
	dst->entrypoint = strv_dup(src->entrypoint, src->entrypoint_nr);
	dst->cmd = strv_dup(src->cmd, src->cmd_nr);
	dst->env = strv_dup(src->env, src->env_nr);
	dst->exposed_ports = strv_dup(src->exposed_ports, src->exposed_ports_nr);
	dst->healthcheck.test = strv_dup(src->healthcheck.test, src->healthcheck.test_nr);
	dst->working_dir = xstrdup_or_null(src->working_dir);
	dst->user = xstrdup_or_null(src->user);
	dst->architecture = xstrdup_or_null(src->architecture);
	dst->os = xstrdup_or_null(src->os);
}

/* A JSON array of strings (non-strings are skipped with a warning). */
static void take_strv(json_t *arr, char ***out, size_t *nr, const char *what)
{
	size_t i;
	json_t *v;

	*out = NULL;
	*nr = 0;
	if (json_is_string(arr)) {
		/* Some tools write a shell-form string instead of an array. */
		*out = xcalloc(1, sizeof(char *));
		(*out)[0] = xstrdup(json_string_value(arr));
		*nr = 1;
		return;
	}
	if (!json_is_array(arr))
		return;
	*out = xcalloc(json_array_size(arr) + 1, sizeof(char *));
	json_array_foreach(arr, i, v) {
		if (!json_is_string(v)) {
			warn_add("image config %s[%zu] is not a string; ignored", what, i);
			continue;
		}
		(*out)[(*nr)++] = xstrdup(json_string_value(v));
	}
}

static char *take_str(json_t *v)
{
	const char *s = json_string_value(v);

	return s && *s ? xstrdup(s) : NULL;
}

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * 'root' is an image config (docker/OCI: {"architecture", "os", "config":
 * {...}}) or an engine inspect answer ({"Architecture", "Os", "Config"}).
 */
static void config_parse(json_t *root, struct image_config *c)
{
	json_t *cfg = json_object_get(root, "config");
	json_t *ports, *hc;

	if (!cfg)
		cfg = json_object_get(root, "Config");
	c->architecture = take_str(json_object_get(root, "architecture"));
	if (!c->architecture)
		c->architecture = take_str(json_object_get(root, "Architecture"));
	c->os = take_str(json_object_get(root, "os"));
	if (!c->os)
		c->os = take_str(json_object_get(root, "Os"));
	if (!json_is_object(cfg))
		return;
	take_strv(json_object_get(cfg, "Entrypoint"), &c->entrypoint, &c->entrypoint_nr, "Entrypoint");
	take_strv(json_object_get(cfg, "Cmd"), &c->cmd, &c->cmd_nr, "Cmd");
	take_strv(json_object_get(cfg, "Env"), &c->env, &c->env_nr, "Env");
	c->working_dir = take_str(json_object_get(cfg, "WorkingDir"));
	c->user = take_str(json_object_get(cfg, "User"));
	ports = json_object_get(cfg, "ExposedPorts");
	if (json_is_object(ports) && json_object_size(ports)) {
		const char *key;
		json_t *v;

		c->exposed_ports = xcalloc(json_object_size(ports), sizeof(char *));
		json_object_foreach(ports, key, v)
			c->exposed_ports[c->exposed_ports_nr++] = xstrdup(key);
		qsort(c->exposed_ports, c->exposed_ports_nr, sizeof(char *), cmp_strp);
	}
	hc = json_object_get(cfg, "Healthcheck");
	if (json_is_object(hc)) {
		take_strv(json_object_get(hc, "Test"), &c->healthcheck.test, &c->healthcheck.test_nr,
			  "Healthcheck.Test");
		c->healthcheck.interval_ns = json_integer_value(json_object_get(hc, "Interval"));
		c->healthcheck.timeout_ns = json_integer_value(json_object_get(hc, "Timeout"));
		c->healthcheck.start_period_ns = json_integer_value(json_object_get(hc, "StartPeriod"));
		c->healthcheck.retries = (int)json_integer_value(json_object_get(hc, "Retries"));
	}
}

static json_t *json_parse(const char *data, size_t len, const char *what, int *ret)
{
	json_error_t jerr;
	json_t *root = json_loadb(data, len, 0, &jerr);

	*ret = 0;
	if (!root)
		*ret = err_set(EINVAL, "%s is not valid JSON: %s (line %d)", what, jerr.text, jerr.line);
	else if (!json_is_object(root) && !json_is_array(root)) {
		json_decref(root);
		root = NULL;
		*ret = err_set(EINVAL, "%s is not a JSON object", what);
	}
	return root;
}

/* ---- shared state while opening ------------------------------------- */

struct opener {
	const char *input;            /* "docker-archive:FILE", for messages */
	struct image_open_opts opts;
	struct blobstore bs;
	uint64_t total;
	uint64_t done;
	struct layer_limits lim;
	struct image *img;
	/*
	 * Which image of several: oci:DIR:REF / oci-archive:FILE:REF (a
	 * ref.name annotation) or docker-archive:FILE:NAME[:TAG] (a RepoTag),
	 * or "@N" for the N-th (from 0) in either; NULL when not given.
	 */
	const char *pick_ref;
	const char *hint;             /* how to name one: "docker-archive:FILE" */
};

static bool digest_ok(const char *d)
{
	size_t i;

	if (!d || strncmp(d, "sha256:", 7) || strlen(d) != 7 + SHA256_HEX_LEN)
		return false;
	for (i = 7; d[i]; i++)
		if (!((d[i] >= '0' && d[i] <= '9') || (d[i] >= 'a' && d[i] <= 'f')))
			return false;
	return true;
}

/* ---- archives: docker save (both layouts) and oci-archive ------------ */

struct arc_file {
	char *json;            /* small JSON-looking files, kept whole */
	size_t json_len;
	char digest[SHA256_HEX_LEN + 8];
	struct layer *layer;   /* parsed layer blobs */
	char *error;           /* why this file is not a usable layer */
	char *alias;           /* symlink/hard link inside the archive */
};

struct arc {
	struct opener *o;
	struct strmap files;   /* normalised member path -> struct arc_file */
	size_t json_total;
};

static void arc_file_free(void *p)
{
	struct arc_file *f = p;

	if (!f)
		return;
	free(f->json);
	if (f->layer) {
		layer_release(f->layer);
		free(f->layer);
	}
	free(f->error);
	free(f->alias);
	free(f);
}

/* Feeds a member's bytes to layer_parse, starting with the block already sniffed. */
struct member_src {
	struct archive *outer;
	const void *head;
	size_t head_len;
	bool head_done;
	int err;
};

static ssize_t member_read(void *ctx, const void **buf)
{
	struct member_src *m = ctx;
	size_t size;
	la_int64_t off;
	int r;

	if (!m->head_done) {
		m->head_done = true;
		if (m->head_len) {
			*buf = m->head;
			return (ssize_t)m->head_len;
		}
	}
	r = archive_read_data_block(m->outer, buf, &size, &off);
	if (r == ARCHIVE_EOF)
		return 0;
	if (r < ARCHIVE_WARN) {
		m->err = err_set(archive_errno(m->outer) > 0 ? archive_errno(m->outer) : EIO,
				 "cannot read the archive: %s",
				 archive_error_string(m->outer) ? archive_error_string(m->outer)
								: "read error");
		return m->err;
	}
	return (ssize_t)size;
}

/*
 * Members are told apart by content, since the manifest naming them may come
 * last: a tar header or a compressor's magic is a layer, '{' or '[' a JSON
 * document (manifest, index, config), anything else is tried as a layer and
 * only fails if something references it.
 */
static bool looks_layer(const unsigned char *p, size_t len)
{
	return (len >= 262 && !memcmp(p + 257, "ustar", 5)) ||
	       (len >= 2 && p[0] == 0x1f && p[1] == 0x8b) ||
	       (len >= 4 && !memcmp(p, "\x28\xb5\x2f\xfd", 4)) ||
	       (len >= 6 && !memcmp(p, "\xfd" "7zXZ", 5)) ||
	       (len >= 3 && !memcmp(p, "BZh", 3));
}

static bool looks_json(const void *data, size_t len, const char *path)
{
	const unsigned char *p = data;
	size_t i = 0;

	if (!strcmp(path, "oci-layout") || !strcmp(path, "repositories"))
		return true;
	if (looks_layer(p, len))
		return false;
	while (i < len && (p[i] == ' ' || p[i] == '\n' || p[i] == '\r' || p[i] == '\t'))
		i++;
	return i < len && (p[i] == '{' || p[i] == '[');
}

static struct arc_file *arc_put(struct arc *a, const char *path)
{
	struct arc_file *f = xcalloc(1, sizeof(*f));

	arc_file_free(strmap_put(&a->files, path, f));
	return f;
}

/* "a/b/../c" -> "a/c"; '..' stops at the top, so the result stays inside. */
static char *lexical_norm(const char *in)
{
	size_t n = strlen(in), len = 0;
	char *out = xmalloc(n + 1);
	const char *p = in;

	while (*p) {
		const char *c = p;
		size_t cl;

		while (*p && *p != '/')
			p++;
		cl = (size_t)(p - c);
		if (*p == '/')
			p++;
		if (!cl || (cl == 1 && c[0] == '.'))
			continue;
		if (cl == 2 && c[0] == '.' && c[1] == '.') {
			while (len && out[len - 1] != '/')
				len--;
			if (len)
				len--;
			continue;
		}
		if (len)
			out[len++] = '/';
		memcpy(out + len, c, cl);
		len += cl;
	}
	out[len] = '\0';
	return out;
}

static int arc_member(struct arc *a, struct archive *outer, struct archive_entry *ae)
{
	const char *raw = archive_entry_pathname(ae);
	const char *hard = archive_entry_hardlink(ae);
	struct arc_file *f;
	struct member_src m = { .outer = outer };
	char *path = NULL;
	size_t size;
	la_int64_t off;
	int r, ret = 0;

	if (!raw || layer_norm_path(raw, &path) < 0) {
		err_clear();
		warn_add("%s: ignoring archive member '%s' (unsafe name)", a->o->input,
			 raw ? raw : "(null)");
		return 0;
	}
	if (hard || archive_entry_filetype(ae) == AE_IFLNK) {
		/* Docker >= 25 links legacy layer paths to blobs/sha256/... */
		const char *t = hard ? hard : archive_entry_symlink(ae);
		char *full = NULL, *norm = NULL;

		if (t && !hard && t[0] != '/') {
			const char *slash = strrchr(path, '/');

			full = slash ? xasprintf("%.*s/%s", (int)(slash - path), path, t) : xstrdup(t);
		} else {
			full = xstrdup(t ? t : "");
		}
		norm = lexical_norm(full);
		free(full);
		f = arc_put(a, path);
		f->alias = norm;
		free(path);
		return 0;
	}
	if (archive_entry_filetype(ae) != AE_IFREG) {
		free(path);
		return 0;
	}
	r = archive_read_data_block(outer, &m.head, &size, &off);
	if (r == ARCHIVE_EOF) {
		m.head_len = 0;
		m.head = NULL;
	} else if (r < ARCHIVE_WARN) {
		ret = err_set(EIO, "cannot read '%s': %s", path,
			      archive_error_string(outer) ? archive_error_string(outer) : "read error");
		goto out;
	} else {
		m.head_len = size;
	}
	f = arc_put(a, path);
	if (looks_json(m.head, m.head_len, path)) {
		struct strbuf sb;
		struct sha256 h;
		char hex[SHA256_HEX_LEN + 1];
		const void *buf;
		ssize_t n;

		strbuf_init(&sb, JSON_BLOB_MAX);
		sha256_init(&h);
		m.head_done = false;
		while ((n = member_read(&m, &buf)) > 0) {
			sha256_update(&h, buf, (size_t)n);
			if (strbuf_add(&sb, buf, (size_t)n) < 0) {
				ret = err_set(EFBIG, "'%s' is larger than %u bytes", path, JSON_BLOB_MAX);
				break;
			}
		}
		sha256_final_hex(&h, hex);
		if (n < 0)
			ret = (int)n;
		if (ret == 0 && a->json_total + sb.len > JSON_TOTAL_MAX)
			ret = err_set(EFBIG, "more than %u bytes of JSON documents", JSON_TOTAL_MAX);
		if (ret < 0) {
			strbuf_release(&sb);
			goto out;
		}
		a->json_total += sb.len;
		snprintf(f->digest, sizeof(f->digest), "sha256:%s", hex);
		f->json = strbuf_detach(&sb, &f->json_len);
		goto out;
	}
	f->layer = xcalloc(1, sizeof(*f->layer));
	ret = layer_parse(f->layer, path, member_read, &m, &a->o->lim);
	if (ret < 0) {
		/* A broken archive or a size limit stops everything; otherwise the
		 * member just is not a layer, which matters only if referenced. */
		if (m.err || ret == -EFBIG) {
			ret = err_wrap(ret, "layer '%s'", path);
			goto out;
		}
		f->error = xstrdup(err_msg());
		err_clear();
		layer_release(f->layer);
		free(f->layer);
		f->layer = NULL;
		ret = 0;
		goto out;
	}
	memcpy(f->digest, f->layer->digest, sizeof(f->digest));
out:
	free(path);
	return ret;
}

/* A member by path, following in-archive links; *final (may be NULL) gets the target path. */
static struct arc_file *arc_get_final(const struct arc *a, const char *path, const char **final)
{
	struct arc_file *f = strmap_get(&a->files, path);
	int hops = 0;

	while (f && f->alias && hops++ < 8) {
		path = f->alias;
		f = strmap_get(&a->files, path);
	}
	if (final)
		*final = path;
	return f && !f->alias ? f : NULL;
}

static struct arc_file *arc_get(const struct arc *a, const char *path)
{
	return arc_get_final(a, path, NULL);
}

/* The member 'path' as a checked layer; 'expect' (may be NULL) is its stored digest. */
static int arc_layer(struct arc *a, const char *path, const char *expect, struct layer **out)
{
	const char *final;
	struct arc_file *f = arc_get_final(a, path, &final);
	const char *blob_hex;

	*out = NULL;
	if (!f)
		return err_set(ENOENT, "the manifest names layer '%s', which the archive does not contain",
			       path);
	if (f->json)
		return err_set(EINVAL, "layer '%s' is a JSON document, not a layer", path);
	if (!f->layer)
		return err_set(EINVAL, "layer '%s': %s", path, f->error ? f->error : "not a layer");
	/* blobs/sha256/HEX must hash to HEX. */
	blob_hex = strncmp(final, "blobs/sha256/", 13) ? NULL : final + 13;
	if (blob_hex && strcmp(f->layer->digest + 7, blob_hex))
		return err_set(EINVAL, "layer '%s': digest mismatch: content is %s", path,
			       f->layer->digest);
	if (expect && strcmp(f->layer->digest, expect))
		return err_set(EINVAL, "layer '%s': digest mismatch: manifest says %s, content is %s",
			       path, expect, f->layer->digest);
	*out = f->layer;
	return 0;
}

static int arc_json(struct arc *a, const char *path, const char *expect, json_t **out)
{
	struct arc_file *f = arc_get(a, path);
	int ret;

	*out = NULL;
	if (!f || !f->json)
		return err_set(ENOENT, "'%s' is missing from the archive", path);
	if (expect && strcmp(f->digest, expect))
		return err_set(EINVAL, "'%s': digest mismatch: expected %s, content is %s", path, expect,
			       f->digest);
	*out = json_parse(f->json, f->json_len, path, &ret);
	return ret;
}

/* ---- resolving the image from manifests ----------------------------- */

/* Source of OCI blobs by digest: archive members or files of a layout folder. */
struct blob_src {
	int (*json)(void *ctx, const char *digest, json_t **out);
	int (*layer)(void *ctx, const char *digest, struct layer **out);
	void *ctx;
	const char *what; /* "index.json", for messages */
};

static int apply_layers(struct opener *o, struct layer **layers, size_t nr, json_t *config)
{
	json_t *diff_ids = json_object_get(json_object_get(config, "rootfs"), "diff_ids");
	struct image *img = o->img;
	char what[256];
	int ret;

	if (!json_is_array(diff_ids))
		return err_set(EINVAL, "image config has no rootfs.diff_ids");
	if (json_array_size(diff_ids) != nr)
		return err_set(EINVAL, "image config lists %zu layer diff_ids but the manifest %zu layers",
			       json_array_size(diff_ids), nr);
	img->rootfs = rootfs_new();
	for (size_t i = 0; i < nr; i++) {
		const char *want = json_string_value(json_array_get(diff_ids, i));

		snprintf(what, sizeof(what), "layer %zu (%s)", i + 1, layers[i]->name);
		if (!want || strcmp(want, layers[i]->diff_id))
			return err_set(EINVAL, "%s: diff_id mismatch: config says %s, content is %s", what,
				       want ? want : "(none)", layers[i]->diff_id);
		ret = rootfs_apply_layer(img->rootfs, layers[i], what);
		if (ret < 0)
			return ret;
	}
	img->layers_nr = nr;
	rootfs_finish(img->rootfs);
	return 0;
}

static void set_repo_tags(struct image *img, json_t *tags)
{
	size_t i;
	json_t *v;

	if (!json_is_array(tags) || img->repo_tags)
		return;
	img->repo_tags = xcalloc(json_array_size(tags) + 1, sizeof(char *));
	json_array_foreach(tags, i, v)
		if (json_is_string(v))
			img->repo_tags[img->repo_tags_nr++] = xstrdup(json_string_value(v));
}

static bool layer_media_ok(const char *mt)
{
	return !mt || strstr(mt, "tar") || !strcmp(mt, "application/vnd.docker.image.rootfs.diff.tar");
}

static int oci_from_manifest(struct opener *o, const struct blob_src *src, json_t *manifest)
{
	json_t *cfgdesc = json_object_get(manifest, "config");
	json_t *layers = json_object_get(manifest, "layers");
	const char *cfgdigest = json_string_value(json_object_get(cfgdesc, "digest"));
	struct layer **ls = NULL;
	json_t *config = NULL, *d;
	size_t i, nr;
	int ret;

	if (!digest_ok(cfgdigest))
		return err_set(EINVAL, "manifest has no valid config digest");
	if (!json_is_array(layers))
		return err_set(EINVAL, "manifest has no layers array");
	nr = json_array_size(layers);
	if (nr > MAX_LAYERS)
		return err_set(EFBIG, "manifest lists %zu layers (limit %d)", nr, MAX_LAYERS);
	ret = src->json(src->ctx, cfgdigest, &config);
	if (ret < 0)
		return err_wrap(ret, "config %s", cfgdigest);
	ls = xcalloc(nr + 1, sizeof(*ls));
	json_array_foreach(layers, i, d) {
		const char *dg = json_string_value(json_object_get(d, "digest"));
		const char *mt = json_string_value(json_object_get(d, "mediaType"));

		if (!digest_ok(dg)) {
			ret = err_set(EINVAL, "manifest layer %zu has no valid sha256 digest", i + 1);
			goto out;
		}
		if (!layer_media_ok(mt)) {
			ret = err_set(EINVAL, "manifest layer %zu (%s) has unsupported media type '%s'",
				      i + 1, dg, mt);
			goto out;
		}
		ret = src->layer(src->ctx, dg, &ls[i]);
		if (ret < 0)
			goto out;
	}
	config_parse(config, &o->img->config);
	o->img->id = xstrdup(cfgdigest);
	ret = apply_layers(o, ls, nr, config);
out:
	free(ls);
	json_decref(config);
	return ret;
}

static bool is_index(json_t *doc, const char *mt)
{
	const char *own = json_string_value(json_object_get(doc, "mediaType"));

	if ((mt && strstr(mt, "index")) || (mt && strstr(mt, "manifest.list")))
		return true;
	if (own && (strstr(own, "index") || strstr(own, "manifest.list")))
		return true;
	return json_is_array(json_object_get(doc, "manifests")) && !json_object_get(doc, "layers");
}

/* ---- several images in one input: which one -------------------------- */

/* "@N" names the N-th image (from 0): N, or -1 when 'ref' is not that form. */
static long pick_index(const char *ref)
{
	char *end;
	long n;

	if (!ref || ref[0] != '@' || ref[1] < '0' || ref[1] > '9')
		return -1;
	errno = 0;
	n = strtol(ref + 1, &end, 10);
	return *end || errno || n > INT32_MAX ? -1 : n;
}

/*
 * A Docker reference as `docker save` spells its RepoTags: "nginx",
 * "library/nginx" and "docker.io/library/nginx" are all "nginx:latest".
 */
static char *repo_tag_norm(const char *r)
{
	const char *slash, *colon;

	if (!strncmp(r, "docker.io/", 10))
		r += 10;
	else if (!strncmp(r, "index.docker.io/", 16))
		r += 16;
	if (!strncmp(r, "library/", 8) && !strchr(r + 8, '/'))
		r += 8;
	slash = strrchr(r, '/');
	colon = strrchr(slash ? slash : r, ':');
	return colon ? xstrdup(r) : xasprintf("%s:latest", r);
}

/* What an error lists: "@0 a:latest, @1 b:v2 (+1 more tags), @2 (untagged)". */
static void names_add(struct strbuf *sb, size_t i, const char *name, size_t more)
{
	if (sb->len > 400) {
		if (!strstr(strbuf_str(sb), ", ..."))
			strbuf_addstr(sb, ", ...");
		return;
	}
	if (sb->len)
		strbuf_addstr(sb, ", ");
	strbuf_addf(sb, "@%zu %s", i, name ? name : "(untagged)");
	if (more)
		strbuf_addf(sb, " (+%zu more tags)", more);
}

static char *docker_names(json_t *list)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;
	json_t *m;

	json_array_foreach(list, i, m) {
		json_t *tags = json_object_get(m, "RepoTags");
		size_t n = json_array_size(tags);

		names_add(&sb, i, json_string_value(json_array_get(tags, 0)), n > 1 ? n - 1 : 0);
	}
	return strbuf_detach(&sb, NULL);
}

/*
 * The entry of docker save's manifest.json to open: the only one, or the
 * one o->pick_ref names (a RepoTag, or @N).  Several and none named is an
 * error listing them: which one the tool would take is not the user's choice.
 */
static int docker_pick(struct opener *o, json_t *list, json_t **out)
{
	size_t nr = json_array_size(list), i, k;
	long at = pick_index(o->pick_ref);
	char *want, *names;
	json_t *m, *t;
	int ret;

	*out = NULL;
	if (!o->pick_ref && nr == 1) {
		*out = json_array_get(list, 0);
		return 0;
	}
	if (o->pick_ref && at >= 0 && (size_t)at < nr) {
		*out = json_array_get(list, (size_t)at);
		return 0;
	}
	if (o->pick_ref && o->pick_ref[0] != '@') {
		want = repo_tag_norm(o->pick_ref);
		json_array_foreach(list, i, m) {
			json_array_foreach(json_object_get(m, "RepoTags"), k, t) {
				char *have = json_is_string(t) ? repo_tag_norm(json_string_value(t)) : NULL;
				bool same = have && !strcmp(have, want);

				free(have);
				if (same) {
					*out = m;
					free(want);
					return 0;
				}
			}
		}
		free(want);
	}
	names = docker_names(list);
	if (!o->pick_ref)
		ret = err_set(EINVAL, "the archive holds %zu images (%s): name one, as %s:NAME[:TAG] or %s:@N", nr,
			      names, o->hint, o->hint);
	else if (o->pick_ref[0] == '@' && at < 0)
		ret = err_set(EINVAL, "'%s' is no image number (@0, @1, ...)", o->pick_ref);
	else
		ret = err_set(ENOENT, "the archive has no image %s%s%s (it holds %s)", o->pick_ref[0] == '@' ? "" : "'",
			      o->pick_ref, o->pick_ref[0] == '@' ? "" : "'", names);
	free(names);
	return ret;
}

static const char *ref_name_of(json_t *desc)
{
	return json_string_value(
		json_object_get(json_object_get(desc, "annotations"), "org.opencontainers.image.ref.name"));
}

/* The same for an OCI index's manifests, by their ref.name annotations. */
static char *index_names(json_t *ms)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;
	json_t *d;

	json_array_foreach(ms, i, d)
		names_add(&sb, i, ref_name_of(d), 0);
	return strbuf_detach(&sb, NULL);
}

/*
 * Pick one manifest from an index: the one o->pick_ref names (its ref.name
 * annotation, or @N), else the only one, else linux/amd64; manifests of
 * different names and none named is an error listing them.
 */
static int oci_from_index(struct opener *o, const struct blob_src *src, json_t *index, int depth)
{
	json_t *ms = json_object_get(index, "manifests"), *d, *pick = NULL, *doc = NULL;
	size_t i, candidates = 0;
	bool named = false;
	const char *dg, *mt;
	int ret;

	if (depth > INDEX_DEPTH)
		return err_set(ELOOP, "image indexes nested deeper than %d", INDEX_DEPTH);
	if (!json_is_array(ms) || !json_array_size(ms))
		return err_set(EINVAL, "image index lists no manifests");
	if (depth == 0 && o->pick_ref && o->pick_ref[0] == '@') {
		long at = pick_index(o->pick_ref);

		if (at < 0)
			return err_set(EINVAL, "'%s' is no manifest number (@0, @1, ...)", o->pick_ref);
		if ((size_t)at >= json_array_size(ms))
			return err_set(ENOENT, "image index has no manifest %s: it lists %zu", o->pick_ref,
				       json_array_size(ms));
		pick = json_array_get(ms, (size_t)at);
		candidates = 1;
		goto chosen;
	}
	json_array_foreach(ms, i, d) {
		json_t *plat = json_object_get(d, "platform");
		const char *arch = json_string_value(json_object_get(plat, "architecture"));
		const char *os = json_string_value(json_object_get(plat, "os"));
		const char *m = json_string_value(json_object_get(d, "mediaType"));

		/* Attestation manifests (buildx) are not images. */
		if (arch && !strcmp(arch, "unknown"))
			continue;
		if (depth == 0 && o->pick_ref) {
			const char *rn = ref_name_of(d);

			if (!rn || strcmp(rn, o->pick_ref))
				continue;
		}
		if (m && strstr(m, "attestation"))
			continue;
		if (depth == 0 && !o->pick_ref && pick && ref_name_of(d) && ref_name_of(pick) &&
		    strcmp(ref_name_of(d), ref_name_of(pick)))
			named = true;
		candidates++;
		if (!pick)
			pick = d;
		if ((!arch || !strcmp(arch, "amd64")) && (!os || !strcmp(os, "linux"))) {
			if (!plat && json_object_get(pick, "platform"))
				continue;
			pick = d;
			if (plat)
				break;
		}
	}
	if ((!pick && depth == 0 && o->pick_ref) || named) {
		char *names = index_names(ms);

		if (named)
			ret = err_set(EINVAL, "image index holds several images (%s): name one, as %s:REF or %s:@N",
				      names, o->hint, o->hint);
		else
			ret = err_set(ENOENT, "image index has no manifest named '%s' (it lists %s)", o->pick_ref,
				      names);
		free(names);
		return ret;
	}
	if (!pick)
		return err_set(EINVAL, "image index lists no usable manifest");
	if (candidates > 1) {
		json_t *plat = json_object_get(pick, "platform");
		const char *arch = json_string_value(json_object_get(plat, "architecture"));

		if (arch && strcmp(arch, "amd64"))
			return err_set(EINVAL, "image index has no linux/amd64 manifest");
	}
chosen:
	dg = json_string_value(json_object_get(pick, "digest"));
	mt = json_string_value(json_object_get(pick, "mediaType"));
	if (!digest_ok(dg))
		return err_set(EINVAL, "image index entry has no valid sha256 digest");
	ret = src->json(src->ctx, dg, &doc);
	if (ret < 0)
		return err_wrap(ret, "manifest %s", dg);
	if (is_index(doc, mt))
		ret = oci_from_index(o, src, doc, depth + 1);
	else
		ret = oci_from_manifest(o, src, doc);
	json_decref(doc);
	return ret;
}

static int arc_src_json(void *ctx, const char *digest, json_t **out)
{
	char *path = xasprintf("blobs/sha256/%s", digest + 7);
	int ret = arc_json(ctx, path, digest, out);

	free(path);
	return ret;
}

static int arc_src_layer(void *ctx, const char *digest, struct layer **out)
{
	char *path = xasprintf("blobs/sha256/%s", digest + 7);
	int ret = arc_layer(ctx, path, digest, out);

	free(path);
	return ret;
}

/* docker save's manifest.json: [{"Config", "RepoTags", "Layers"}]. */
static int docker_from_manifest(struct opener *o, struct arc *a, json_t *list)
{
	json_t *m, *layers, *config = NULL, *v;
	const char *cfgpath;
	struct arc_file *cf;
	struct layer **ls = NULL;
	size_t i, nr;
	int ret;

	if (!json_is_array(list) || !json_array_size(list))
		return err_set(EINVAL, "manifest.json is not a list of images");
	ret = docker_pick(o, list, &m);
	if (ret < 0)
		return ret;
	if (!json_is_object(m))
		return err_set(EINVAL, "manifest.json is not a list of images");
	cfgpath = json_string_value(json_object_get(m, "Config"));
	layers = json_object_get(m, "Layers");
	if (!cfgpath || !json_is_array(layers))
		return err_set(EINVAL, "manifest.json lacks Config or Layers");
	nr = json_array_size(layers);
	if (nr > MAX_LAYERS)
		return err_set(EFBIG, "manifest.json lists %zu layers (limit %d)", nr, MAX_LAYERS);
	ret = arc_json(a, cfgpath, NULL, &config);
	if (ret < 0)
		return err_wrap(ret, "image config");
	ls = xcalloc(nr + 1, sizeof(*ls));
	json_array_foreach(layers, i, v) {
		const char *lp = json_string_value(v);
		char *norm = NULL;

		if (!lp || layer_norm_path(lp, &norm) < 0) {
			ret = err_set(EINVAL, "manifest.json layer %zu has an invalid path", i + 1);
			goto out;
		}
		ret = arc_layer(a, norm, NULL, &ls[i]);
		free(norm);
		if (ret < 0)
			goto out;
	}
	cf = arc_get(a, cfgpath);
	config_parse(config, &o->img->config);
	o->img->id = xstrdup(cf->digest);
	set_repo_tags(o->img, json_object_get(m, "RepoTags"));
	ret = apply_layers(o, ls, nr, config);
out:
	free(ls);
	json_decref(config);
	return ret;
}

static int arc_resolve(struct opener *o, struct arc *a, bool prefer_oci)
{
	bool has_docker = arc_get(a, "manifest.json") != NULL;
	bool has_oci = arc_get(a, "index.json") != NULL;
	json_t *doc = NULL;
	int ret;

	if (!has_docker && !has_oci)
		return err_set(EINVAL, "not an image archive: no manifest.json or index.json");
	if (has_docker && (!prefer_oci || !has_oci)) {
		ret = arc_json(a, "manifest.json", NULL, &doc);
		if (ret == 0)
			ret = docker_from_manifest(o, a, doc);
	} else {
		struct blob_src src = { arc_src_json, arc_src_layer, a, "index.json" };

		ret = arc_json(a, "index.json", NULL, &doc);
		if (ret == 0)
			ret = oci_from_index(o, &src, doc, 0);
	}
	json_decref(doc);
	return ret;
}

/* Stream an archive once, then resolve it.  'outer' is opened by the caller. */
static int arc_read(struct opener *o, struct archive *outer, bool prefer_oci)
{
	struct arc a = { .o = o };
	struct archive_entry *ae;
	size_t members = 0;
	int r, ret = 0;

	strmap_init(&a.files);
	for (;;) {
		r = archive_read_next_header(outer, &ae);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN) {
			ret = err_set(archive_errno(outer) > 0 ? archive_errno(outer) : EIO, "%s: %s",
				      members ? "cannot read the archive" : "not a tar archive",
				      archive_error_string(outer) ? archive_error_string(outer)
								  : "read error");
			goto out;
		}
		if (++members > 1000000) {
			ret = err_set(EFBIG, "archive has more than 1000000 members");
			goto out;
		}
		ret = arc_member(&a, outer, ae);
		if (ret < 0)
			goto out;
	}
	ret = arc_resolve(o, &a, prefer_oci);
out:
	strmap_release(&a.files, arc_file_free);
	return ret;
}

static struct archive *outer_new(void)
{
	struct archive *a = archive_read_new();

	if (!a)
		return NULL; /* libarchive not loaded: the error says why (archrt.h) */
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_filter_xz(a);
	archive_read_support_format_tar(a);
	return a;
}

static int open_archive_file(struct opener *o, const char *path, bool prefer_oci)
{
	struct archive *a;
	struct stat st;
	int ret;

	if (stat(path, &st) < 0)
		return err_set(errno, "cannot open '%s': %s", path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return err_set(EISDIR, "'%s' is a folder, not an archive", path);
	o->lim.progress_total = (uint64_t)st.st_size;
	a = outer_new();
	if (!a)
		return -ELIBACC;
	if (archive_read_open_filename(a, path, 1u << 20) != ARCHIVE_OK) {
		ret = err_set(archive_errno(a) > 0 ? archive_errno(a) : EIO, "not a tar archive: %s",
			      archive_error_string(a) ? archive_error_string(a) : "open failed");
		archive_read_free(a);
		return ret;
	}
	ret = arc_read(o, a, prefer_oci);
	archive_read_free(a);
	return ret;
}

/* ---- docker: the engine's export, streamed ---------------------------- */

static ssize_t stream_cb(struct archive *a, void *ctx, const void **buf)
{
	ssize_t n = dockerapi_stream_read(ctx, buf);

	if (n < 0) {
		archive_set_error(a, (int)-n, "%s", err_msg());
		return -1;
	}
	return n;
}

static int open_docker(struct opener *o, const char *name)
{
	struct dockerapi api;
	struct dockerapi_stream *s = NULL;
	struct strbuf sb = STRBUF_INIT;
	struct archive *a = NULL;
	json_t *inspect = NULL;
	char *esc, *path;
	const char *id;
	int ret;

	ret = dockerapi_init(&api, o->opts.docker_socket);
	if (ret < 0)
		return ret;
	esc = dockerapi_escape(name);
	path = xasprintf("/images/%s/json", esc);
	ret = dockerapi_request(&api, "GET", path, NULL, &sb, NULL);
	free(path);
	if (ret == -ENOENT) {
		ret = err_set(ENOENT, "no such image '%s' in the Docker engine at %s", name,
			      dockerapi_endpoint(&api));
		goto out;
	}
	if (ret < 0)
		goto out;
	inspect = json_parse(sb.buf ? sb.buf : "", sb.len, "the engine's image inspect answer", &ret);
	if (ret < 0)
		goto out;
	id = json_string_value(json_object_get(inspect, "Id"));
	/* The export's length is not known up front (Size is the unpacked size). */
	o->lim.progress_total = 0;
	set_repo_tags(o->img, json_object_get(inspect, "RepoTags"));
	/* Export by ID, so a tag moved meanwhile cannot swap the image. */
	path = xasprintf("/images/%s/get", id && digest_ok(id) ? id + 7 : esc);
	ret = dockerapi_stream_open(&api, path, &s);
	free(path);
	if (ret < 0)
		goto out;
	a = outer_new();
	if (!a) {
		ret = -ELIBACC;
		goto out;
	}
	if (archive_read_open(a, s, NULL, stream_cb, NULL) != ARCHIVE_OK) {
		ret = err_set(EIO, "the engine's export is not a tar archive: %s",
			      archive_error_string(a) ? archive_error_string(a) : "?");
		goto out;
	}
	ret = arc_read(o, a, false);
	if (ret == 0 && id && o->img->id && strcmp(id, o->img->id))
		ret = err_set(EINVAL, "the exported image %s is not the inspected image %s", o->img->id,
			      id);
out:
	if (a)
		archive_read_free(a);
	dockerapi_stream_close(s);
	json_decref(inspect);
	strbuf_release(&sb);
	free(esc);
	dockerapi_release(&api);
	return ret;
}

/* ---- oci:DIR ---------------------------------------------------------- */

struct oci_dir {
	struct opener *o;
	const char *dir;
	struct layer **layers;  /* parsed so far, owned */
	size_t layers_nr, layers_alloc;
};

static char *blob_path(const struct oci_dir *d, const char *digest)
{
	return xasprintf("%s/blobs/sha256/%s", d->dir, digest + 7);
}

static int oci_dir_json(void *ctx, const char *digest, json_t **out)
{
	struct oci_dir *d = ctx;
	char *path = blob_path(d, digest), *data = NULL;
	char hex[SHA256_HEX_LEN + 1];
	size_t len;
	int ret;

	*out = NULL;
	ret = fs_read_file(path, JSON_BLOB_MAX, &data, &len);
	if (ret < 0) {
		ret = err_set(-ret, "blob %s: cannot read '%s': %s", digest, path,
			      ret == -EFBIG ? "too large" : strerror(-ret));
		goto out;
	}
	sha256_hex(data, len, hex);
	if (strcmp(hex, digest + 7)) {
		ret = err_set(EINVAL, "blob '%s': digest mismatch: content is sha256:%s", path, hex);
		goto out;
	}
	*out = json_parse(data, len, path, &ret);
out:
	free(data);
	free(path);
	return ret;
}

struct fd_src {
	int fd;
	char *buf;
	const char *path;
};

static ssize_t fd_read(void *ctx, const void **buf)
{
	struct fd_src *s = ctx;
	ssize_t n;

	do
		n = read(s->fd, s->buf, 1u << 20);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return err_set(errno, "cannot read '%s': %s", s->path, strerror(errno));
	*buf = s->buf;
	return n;
}

static int oci_dir_layer(void *ctx, const char *digest, struct layer **out)
{
	struct oci_dir *d = ctx;
	struct layer *L;
	struct fd_src s;
	char *path = blob_path(d, digest);
	int ret;

	*out = NULL;
	for (size_t i = 0; i < d->layers_nr; i++) {
		if (!strcmp(d->layers[i]->digest, digest)) {
			*out = d->layers[i];
			free(path);
			return 0;
		}
	}
	s.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (s.fd < 0) {
		ret = err_set(errno, "the manifest names layer %s, but '%s' cannot be opened: %s", digest,
			      path, strerror(errno));
		free(path);
		return ret;
	}
	s.buf = xmalloc(1u << 20);
	s.path = path;
	L = xcalloc(1, sizeof(*L));
	ret = layer_parse(L, path + strlen(d->dir) + 1, fd_read, &s, &d->o->lim);
	close(s.fd);
	free(s.buf);
	if (ret == 0 && strcmp(L->digest, digest))
		ret = err_set(EINVAL, "digest mismatch: manifest says %s, content is %s", digest,
			      L->digest);
	if (ret < 0) {
		ret = err_wrap(ret, "layer '%s'", L->name);
		layer_release(L);
		free(L);
		free(path);
		return ret;
	}
	free(path);
	ALLOC_GROW(d->layers, d->layers_nr + 1, d->layers_alloc);
	d->layers[d->layers_nr++] = L;
	*out = L;
	return 0;
}

static int open_oci_dir(struct opener *o, const char *name)
{
	struct oci_dir d = { .o = o, .dir = name };
	struct blob_src src = { oci_dir_json, oci_dir_layer, &d, "index.json" };
	char *path = NULL, *data = NULL;
	json_t *index = NULL;
	struct stat st;
	size_t len;
	int ret;

	if (stat(name, &st) < 0)
		return err_set(errno, "cannot open '%s': %s", name, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return err_set(ENOTDIR, "'%s' is not an OCI layout folder", name);
	path = fs_join(name, "index.json");
	ret = fs_read_file(path, JSON_BLOB_MAX, &data, &len);
	if (ret < 0) {
		ret = err_set(-ret, "not an OCI image layout: cannot read '%s': %s", path,
			      ret == -EFBIG ? "too large" : strerror(-ret));
		goto out;
	}
	index = json_parse(data, len, path, &ret);
	if (ret == 0)
		ret = oci_from_index(o, &src, index, 0);
out:
	for (size_t i = 0; i < d.layers_nr; i++) {
		layer_release(d.layers[i]);
		free(d.layers[i]);
	}
	free(d.layers);
	json_decref(index);
	free(data);
	free(path);
	return ret;
}

/* ---- dir:ROOTFS --------------------------------------------------------- */

static enum rootfs_type type_of_mode(mode_t m)
{
	if (S_ISDIR(m))
		return ROOTFS_DIR;
	if (S_ISLNK(m))
		return ROOTFS_SYMLINK;
	if (S_ISCHR(m))
		return ROOTFS_CHR;
	if (S_ISBLK(m))
		return ROOTFS_BLK;
	if (S_ISFIFO(m))
		return ROOTFS_FIFO;
	if (S_ISSOCK(m))
		return ROOTFS_SOCK;
	return ROOTFS_REG;
}

/*
 * The name of the kernel's file system folder fd is on (proc, sysfs,
 * tracefs ...), or NULL.  Their files are not an image's, and reading
 * some blocks (tracefs's trace_pipe_raw waits for events): dir:/ keeps
 * such a folder but not what it holds.
 */
static const char *kernel_fs(int fd)
{
	static const struct {
		unsigned long magic;
		const char *name;
	} kinds[] = {
		{ PROC_SUPER_MAGIC, "proc" },
		{ SYSFS_MAGIC, "sysfs" },
		{ TRACEFS_MAGIC, "tracefs" },
		{ DEBUGFS_MAGIC, "debugfs" },
		{ SECURITYFS_MAGIC, "securityfs" },
		{ CGROUP_SUPER_MAGIC, "cgroup" },
		{ CGROUP2_SUPER_MAGIC, "cgroup2" },
		{ BPF_FS_MAGIC, "bpf" },
		{ PSTOREFS_MAGIC, "pstore" },
		{ DEVPTS_SUPER_MAGIC, "devpts" },
		{ EFIVARFS_MAGIC, "efivarfs" },
		{ BINFMTFS_MAGIC, "binfmt_misc" },
		{ NSFS_MAGIC, "nsfs" },
		{ 0x62656570, "configfs" },
		{ 0x19800202, "mqueue" },
		{ 0x65735543, "fusectl" },
	};
	struct statfs sf;

	if (fstatfs(fd, &sf) < 0)
		return NULL;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if ((unsigned long)sf.f_type == kinds[i].magic)
			return kinds[i].name;
	return NULL;
}

static int dir_walk(struct opener *o, int dfd, const char *host, const char *rel, int depth)
{
	DIR *dh;
	struct dirent *de;
	int ret = 0;

	if (depth > DIR_MAX_DEPTH)
		return err_set(ELOOP, "'%s' is nested deeper than %d folders", host, DIR_MAX_DEPTH);
	dh = fdopendir(dfd);
	if (!dh) {
		ret = err_set(errno, "cannot list '%s': %s", host, strerror(errno));
		close(dfd);
		return ret;
	}
	while ((de = readdir(dh))) {
		struct layer_entry e = { 0 };
		struct stat st;
		char *hpath, *rpath;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (fstatat(dirfd(dh), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			warn_add("cannot stat '%s/%s': %s; skipped", host, de->d_name, strerror(errno));
			continue;
		}
		hpath = xasprintf("%s/%s", host, de->d_name);
		rpath = *rel ? xasprintf("%s/%s", rel, de->d_name) : xstrdup(de->d_name);
		e.path = rpath;
		e.kind = LAYER_NODE;
		e.type = type_of_mode(st.st_mode);
		e.mode = st.st_mode & 07777;
		e.uid = st.st_uid;
		e.gid = st.st_gid;
		if (e.type == ROOTFS_SYMLINK) {
			char target[PATH_MAX];
			ssize_t n = readlinkat(dirfd(dh), de->d_name, target, sizeof(target) - 1);

			target[n > 0 ? n : 0] = '\0';
			e.link = xstrdup(target);
		} else if (e.type == ROOTFS_REG) {
			/* O_NONBLOCK: a file that is not one (a device's, a pseudo file) must not stall us. */
			int fd = openat(dirfd(dh), de->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
			unsigned char head[4];
			ssize_t n = 0;

			e.size = (uint64_t)st.st_size;
			if (fd >= 0) {
				n = read(fd, head, sizeof(head));
				close(fd);
				e.blob = hpath;
			} else {
				warn_add("cannot read '%s': %s", hpath, strerror(errno));
			}
			e.is_elf = n == 4 && !memcmp(head, "\x7f" "ELF", 4);
			e.is_script = n >= 2 && head[0] == '#' && head[1] == '!';
		}
		o->total += e.size;
		if (e.size > o->lim.max_file_size || o->total > o->lim.max_total_size)
			ret = err_set(EFBIG, "'%s' is over the size limit", hpath);
		if (ret == 0)
			ret = rootfs_apply_entry(o->img->rootfs, &e, "dir");
		if (ret == 0 && e.type == ROOTFS_DIR) {
			int sub = openat(dirfd(dh), de->d_name,
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			const char *kfs = sub < 0 ? NULL : kernel_fs(sub);

			if (sub < 0) {
				warn_add("cannot open folder '%s': %s; skipped", hpath, strerror(errno));
			} else if (kfs) {
				warn_add("'%s' is the kernel's %s file system: its content skipped", hpath, kfs);
				close(sub);
			} else {
				ret = dir_walk(o, sub, hpath, rpath, depth + 1);
			}
		}
		free(e.link);
		free(hpath);
		free(rpath);
		if (ret < 0)
			break;
	}
	closedir(dh);
	return ret;
}

static int open_dir(struct opener *o, const char *name)
{
	char *real = realpath(name, NULL);
	struct stat st;
	int fd, ret;

	if (!real)
		return err_set(errno, "cannot open '%s': %s", name, strerror(errno));
	if (stat(real, &st) < 0 || !S_ISDIR(st.st_mode)) {
		free(real);
		return err_set(ENOTDIR, "'%s' is not a folder", name);
	}
	fd = open(real, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		ret = err_set(errno, "cannot open '%s': %s", name, strerror(errno));
		free(real);
		return ret;
	}
	o->img->rootfs = rootfs_new();
	ret = dir_walk(o, fd, strcmp(real, "/") ? real : "", "", 0);
	free(real);
	if (ret == 0)
		rootfs_finish(o->img->rootfs);
	return ret;
}

/* ---- entry points -------------------------------------------------------- */

/*
 * The longest part of 'name' before a ':' that is an existing path (newly
 * allocated), with *rest set to what follows that ':'; NULL when none is.
 */
static char *input_prefix(const char *name, const char **rest)
{
	for (size_t at = strlen(name); at-- > 1;) {
		char *prefix;

		if (name[at] != ':' || !name[at + 1])
			continue;
		prefix = xstrndup(name, at);
		if (fs_exists(prefix)) {
			*rest = name + at + 1;
			return prefix;
		}
		free(prefix);
	}
	return NULL;
}

int image_open(const char *ref, const struct image_open_opts *opts, struct image **out)
{
	struct opener o = { .input = ref };
	struct image *img;
	const char *target;
	char *split = NULL;
	int ret;

	*out = NULL;
	if (opts)
		o.opts = *opts;
	if (!o.opts.max_file_size)
		o.opts.max_file_size = 4ull << 30;
	if (!o.opts.max_total_size)
		o.opts.max_total_size = 64ull << 30;
	img = xcalloc(1, sizeof(*img));
	o.img = img;
	ret = image_ref_parse(ref, &img->ref);
	if (ret < 0)
		goto out_free;
	o.lim = (struct layer_limits){
		.bs = &o.bs,
		.keep_all = o.opts.keep_all,
		.max_file_size = o.opts.max_file_size,
		.max_total_size = o.opts.max_total_size,
		.total = &o.total,
		.progress = o.opts.progress,
		.progress_done = &o.done,
	};
	target = img->ref.name;
	o.hint = img->ref.transport == IMAGE_OCI ? "oci:DIR"
		 : img->ref.transport == IMAGE_OCI_ARCHIVE ? "oci-archive:FILE"
							     : "docker-archive:FILE";
	if (img->ref.transport != IMAGE_DIR) {
		ret = blobstore_init(&o.bs);
		if (ret < 0)
			goto out_wrap;
	}
	/*
	 * skopeo's oci:DIR:REF, oci-archive:FILE:REF and
	 * docker-archive:FILE:NAME[:TAG] (or :@N), when the whole is no path:
	 * the longest prefix before a ':' that is one names the input.
	 */
	if ((img->ref.transport == IMAGE_OCI || img->ref.transport == IMAGE_OCI_ARCHIVE ||
	     img->ref.transport == IMAGE_DOCKER_ARCHIVE) &&
	    !fs_exists(img->ref.name)) {
		split = input_prefix(img->ref.name, &o.pick_ref);
		if (split)
			target = split;
	}
	switch (img->ref.transport) {
	case IMAGE_DOCKER:
		ret = open_docker(&o, img->ref.name);
		break;
	case IMAGE_DOCKER_ARCHIVE:
		ret = open_archive_file(&o, target, false);
		break;
	case IMAGE_OCI_ARCHIVE:
		ret = open_archive_file(&o, target, true);
		break;
	case IMAGE_OCI:
		ret = open_oci_dir(&o, target);
		break;
	case IMAGE_DIR:
		ret = open_dir(&o, img->ref.name);
		break;
	}
	blobstore_release(&o.bs);
	free(split);
out_wrap:
	if (ret < 0) {
		ret = err_wrap(ret, "cannot open image '%s'", ref);
		goto out_free;
	}
	*out = img;
	return 0;
out_free:
	image_free(img);
	return ret;
}

void image_free(struct image *img)
{
	if (!img)
		return;
	image_ref_release(&img->ref);
	free(img->id);
	free_strv(img->repo_tags, img->repo_tags_nr);
	image_config_release(&img->config);
	rootfs_free(img->rootfs);
	free(img);
}
