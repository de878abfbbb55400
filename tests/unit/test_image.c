/*
 * image/: layers, whiteouts, links, resolution, every transport but docker:
 * (that one needs the engine: tests/integration), and hostile archives.  The
 * tars are written here byte by byte so the hostile ones can say anything.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

/* The tar tables below list only the fields each entry needs. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include "image/image.h"
#include "image/layer.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/sha256.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

static char scratch[64];

/* ---- writing tars --------------------------------------------------- */

struct ent {
	const char *name;
	char type;           /* '0' file, '5' dir, '2' symlink, '1' hard link */
	const char *data;    /* file content (NUL-terminated) */
	const char *link;
	unsigned mode;       /* 0: 0644 / 0755 */
	uint64_t declared;   /* header size when non-zero (no data written) */
};

static void tar_octal(char *field, size_t width, uint64_t v)
{
	char tmp[32];

	snprintf(tmp, sizeof(tmp), "%0*llo", (int)width - 1, (unsigned long long)v);
	memcpy(field, tmp, width - 1);
}

static void tar_add(struct strbuf *t, const struct ent *e)
{
	char h[512] = { 0 };
	size_t len = e->data ? strlen(e->data) : 0;
	unsigned sum = 0, mode = e->mode ? e->mode : (e->type == '5' ? 0755 : 0644);

	assert_true(strlen(e->name) < 100);
	memcpy(h, e->name, strlen(e->name));
	tar_octal(h + 100, 8, mode);
	tar_octal(h + 108, 8, 0);
	tar_octal(h + 116, 8, 0);
	tar_octal(h + 124, 12, e->declared ? e->declared : len);
	tar_octal(h + 136, 12, 0);
	h[156] = e->type;
	if (e->link)
		memcpy(h + 157, e->link, strlen(e->link));
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memset(h + 148, ' ', 8);
	for (size_t i = 0; i < 512; i++)
		sum += (unsigned char)h[i];
	snprintf(h + 148, 8, "%06o", sum);
	strbuf_add(t, h, 512);
	if (len && !e->declared) {
		static const char zeros[512];

		strbuf_add(t, e->data, len);
		strbuf_add(t, zeros, (512 - len % 512) % 512);
	}
}

static void tar_build(struct strbuf *t, const struct ent *ents, size_t n)
{
	static const char zeros[1024];

	strbuf_init(t, 0);
	for (size_t i = 0; i < n; i++)
		tar_add(t, &ents[i]);
	strbuf_add(t, zeros, sizeof(zeros));
}

static void compress_buf(const struct strbuf *in, struct strbuf *out, bool zstd)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	size_t used = 0, cap = in->len + 4096;
	char *buf = xmalloc(cap);

	if (zstd)
		assert_int_equal(archive_write_add_filter_zstd(a), ARCHIVE_OK);
	else
		archive_write_add_filter_gzip(a);
	/*
	 * gzip's header holds the time it was written unless told not to: a
	 * layer compressed again across a second's turn got another digest
	 * (test_truncated_gzip failed so, now and then).
	 */
	if (!zstd)
		assert_int_equal(archive_write_set_filter_option(a, "gzip", "timestamp", NULL), ARCHIVE_OK);
	archive_write_set_format_raw(a);
	archive_write_set_bytes_in_last_block(a, 1);
	assert_int_equal(archive_write_open_memory(a, buf, cap, &used), ARCHIVE_OK);
	archive_entry_set_filetype(e, AE_IFREG);
	assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	assert_int_equal(archive_write_data(a, in->buf, in->len), (la_ssize_t)in->len);
	archive_write_close(a);
	archive_write_free(a);
	archive_entry_free(e);
	strbuf_init(out, 0);
	strbuf_add(out, buf, used);
	free(buf);
}

static void gzip_buf(const struct strbuf *in, struct strbuf *out)
{
	compress_buf(in, out, false);
}

static void digest_of(const struct strbuf *b, char out[SHA256_HEX_LEN + 8])
{
	char hex[SHA256_HEX_LEN + 1];

	sha256_hex(b->buf, b->len, hex);
	snprintf(out, SHA256_HEX_LEN + 8, "sha256:%s", hex);
}

static char *spath(const char *name)
{
	return xasprintf("%s/%s", scratch, name);
}

static void write_file(const char *path, const void *data, size_t len)
{
	assert_int_equal(fs_write_atomic(path, data, len, 0644), 0);
}

/* Layers of the standard test image. */
static const struct ent layer1[] = {
	{ "./", '5' },
	{ "bin/", '5' },
	{ "bin/tool", '0', "\x7f" "ELF fake", NULL, 0755 },
	{ "bin/run.sh", '0', "#!/bin/sh\necho hi\n", NULL, 0755 },
	{ "bin/tool2", '1', NULL, "bin/tool" },
	{ "etc/", '5' },
	{ "etc/hostname", '0', "box\n" },
	{ "usr/share/doc/readme", '0', "not kept" },
	{ "lib", '2', NULL, "usr/lib" },
	{ "usr/lib/", '5' },
	{ "usr/lib/libc.so.6", '0', "\x7f" "ELF libc" },
	{ "var/old/a", '0', "x" },
	{ "var/keep/b", '0', "y" },
	{ "gone", '0', "z" },
	{ "escape", '2', NULL, "../../../../etc/hostname" },
	{ "abs", '2', NULL, "/usr/lib/../../../bin/tool" },
	{ "loop1", '2', NULL, "loop2" },
	{ "loop2", '2', NULL, "loop1" },
};

static const struct ent layer2[] = {
	{ ".wh.gone", '0', "" },
	{ "var/old/.wh..wh..opq", '0', "" },
	{ "var/old/new", '0', "n" },
	{ "lib/libm.so.6", '0', "\x7f" "ELF libm" },  /* through the lib -> usr/lib link */
	{ "etc/hostname", '0', "box2\n" },
};

struct img_opts {
	bool gzip;           /* OCI layers gzip-compressed */
	bool zstd;           /* OCI layers zstd-compressed */
	bool bad_diff_id;    /* config names the wrong diff_id for layer 2 */
	bool missing_layer;  /* manifest names a layer that is absent */
	bool bad_blob_digest;/* OCI manifest digest differs from content */
	bool corrupt_blob;   /* OCI layer 2's file holds layer 1's bytes */
	bool docker_manifest;/* also write docker's manifest.json (docker >= 25 layout) */
	const struct ent *l2;
	size_t l2_nr;
};

static char *config_json(const char *diff1, const char *diff2)
{
	return xasprintf("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{"
			 "\"Entrypoint\":[\"/bin/run.sh\"],\"Cmd\":[\"-x\"],"
			 "\"Env\":[\"PATH=/usr/bin:/bin\"],\"WorkingDir\":\"/var\",\"User\":\"1000\","
			 "\"ExposedPorts\":{\"80/tcp\":{},\"443/tcp\":{}},"
			 "\"Healthcheck\":{\"Test\":[\"CMD\",\"/bin/tool\"],\"Interval\":30000000000,\"Retries\":3}},"
			 "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"%s\",\"%s\"]}}",
			 diff1, diff2);
}

/* Legacy `docker save` layout, manifest.json last as docker writes it. */
static char *make_docker_archive(const char *name, const struct img_opts *o)
{
	struct strbuf l1, l2, outer;
	char d1[80], d2[80], cfgd[80];
	char *cfg, *man, *path, *cfgname;
	struct strbuf cfgb;
	const struct ent *l2e = o && o->l2 ? o->l2 : layer2;
	size_t l2n = o && o->l2 ? o->l2_nr : ARRAY_SIZE(layer2);

	tar_build(&l1, layer1, ARRAY_SIZE(layer1));
	tar_build(&l2, l2e, l2n);
	digest_of(&l1, d1);
	digest_of(&l2, d2);
	cfg = config_json(d1, o && o->bad_diff_id ? d1 : d2);
	strbuf_init(&cfgb, 0);
	strbuf_addstr(&cfgb, cfg);
	digest_of(&cfgb, cfgd);
	cfgname = xasprintf("%s.json", cfgd + 7);
	man = xasprintf("[{\"Config\":\"%s\",\"RepoTags\":[\"test/img:latest\"],"
			"\"Layers\":[\"aaa/layer.tar\",\"%s/layer.tar\"]}]",
			cfgname, o && o->missing_layer ? "zzz" : "bbb");
	{
		const struct ent outer_ents[] = {
			{ "aaa/", '5' },
			{ "aaa/VERSION", '0', "1.0" },
			{ "bbb/", '5' },
			{ cfgname, '0', cfg },
			{ "repositories", '0', "{}" },
			{ "manifest.json", '0', man },
		};
		static const char zeros[1024];

		/* Layer bodies are binary: add them with hand-made headers. */
		strbuf_init(&outer, 0);
		tar_add(&outer, &outer_ents[0]);
		tar_add(&outer, &outer_ents[1]);
		{
			struct ent e = { "aaa/layer.tar", '0', NULL, NULL, 0, l1.len };

			tar_add(&outer, &e);
			strbuf_add(&outer, l1.buf, l1.len);
			strbuf_add(&outer, zeros, (512 - l1.len % 512) % 512);
		}
		tar_add(&outer, &outer_ents[2]);
		{
			struct ent e = { "bbb/layer.tar", '0', NULL, NULL, 0, l2.len };

			tar_add(&outer, &e);
			strbuf_add(&outer, l2.buf, l2.len);
			strbuf_add(&outer, zeros, (512 - l2.len % 512) % 512);
		}
		for (size_t i = 3; i < ARRAY_SIZE(outer_ents); i++)
			tar_add(&outer, &outer_ents[i]);
		strbuf_add(&outer, zeros, sizeof(zeros));
	}
	path = spath(name);
	write_file(path, outer.buf, outer.len);
	strbuf_release(&l1);
	strbuf_release(&l2);
	strbuf_release(&outer);
	strbuf_release(&cfgb);
	free(cfg);
	free(man);
	free(cfgname);
	return path;
}

static void put_blob(const char *dir, const struct strbuf *b, char digest[80])
{
	char *p;

	digest_of(b, digest);
	p = xasprintf("%s/blobs/sha256/%s", dir, digest + 7);
	write_file(p, b->buf, b->len);
	free(p);
}

static char *make_oci_dir(const char *name, const struct img_opts *o)
{
	struct strbuf l1, l2, z1, z2, cfgb, manb, idxb;
	char d1[80], d2[80], s1[80], s2[80], cfgd[80], mand[80];
	char *dir = spath(name), *blobs, *p, *cfg;
	const char *media;

	blobs = xasprintf("%s/blobs/sha256", dir);
	assert_int_equal(fs_mkdir_p(blobs, 0755), 0);
	tar_build(&l1, layer1, ARRAY_SIZE(layer1));
	tar_build(&l2, layer2, ARRAY_SIZE(layer2));
	digest_of(&l1, d1);
	digest_of(&l2, d2);
	if (o && (o->gzip || o->zstd)) {
		compress_buf(&l1, &z1, o->zstd);
		compress_buf(&l2, &z2, o->zstd);
	} else {
		strbuf_init(&z1, 0);
		strbuf_add(&z1, l1.buf, l1.len);
		strbuf_init(&z2, 0);
		strbuf_add(&z2, l2.buf, l2.len);
	}
	put_blob(dir, &z1, s1);
	put_blob(dir, &z2, s2);
	cfg = config_json(d1, d2);
	strbuf_init(&cfgb, 0);
	strbuf_addstr(&cfgb, cfg);
	put_blob(dir, &cfgb, cfgd);
	if (o && o->bad_blob_digest)
		s2[10] = s2[10] == 'a' ? 'b' : 'a';
	media = o && o->gzip ? "+gzip" : o && o->zstd ? "+zstd" : "";
	strbuf_init(&manb, 0);
	strbuf_addf(&manb,
		    "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
		    "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"%s\",\"size\":%zu},"
		    "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar%s\",\"digest\":\"%s\",\"size\":%zu},"
		    "{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar%s\",\"digest\":\"%s\",\"size\":%zu}]}",
		    cfgd, cfgb.len, media, s1, z1.len, media, s2, z2.len);
	put_blob(dir, &manb, mand);
	if (o && o->corrupt_blob) {
		p = xasprintf("%s/%s", blobs, s2 + 7);
		unlink(p);
		write_file(p, z1.buf, z1.len);
		free(p);
	}
	if (o && o->docker_manifest) {
		char *legacy = xasprintf("%s/legacy", dir), *link;

		/* Layer 1 through a legacy-path symlink, layer 2 by blob path. */
		assert_int_equal(fs_mkdir_p(legacy, 0755), 0);
		link = xasprintf("%s/layer.tar", legacy);
		p = xasprintf("../blobs/sha256/%s", s1 + 7);
		assert_int_equal(symlink(p, link), 0);
		free(p);
		p = xasprintf("[{\"Config\":\"blobs/sha256/%s\",\"RepoTags\":[\"t:1\"],"
			      "\"Layers\":[\"legacy/layer.tar\",\"blobs/sha256/%s\"]}]",
			      cfgd + 7, s2 + 7);
		free(link);
		link = xasprintf("%s/manifest.json", dir);
		write_file(link, p, strlen(p));
		free(p);
		free(link);
		free(legacy);
	}
	strbuf_init(&idxb, 0);
	/* An arm64 decoy first: the linux/amd64 one must be picked. */
	strbuf_addf(&idxb,
		    "{\"schemaVersion\":2,\"manifests\":["
		    "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:%064d\",\"size\":1,"
		    "\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\"}},"
		    "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"%s\",\"size\":%zu,"
		    "\"annotations\":{\"org.opencontainers.image.ref.name\":\"v1\"},"
		    "\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}}]}",
		    0, mand, manb.len);
	p = xasprintf("%s/index.json", dir);
	write_file(p, idxb.buf, idxb.len);
	free(p);
	p = xasprintf("%s/oci-layout", dir);
	write_file(p, "{\"imageLayoutVersion\":\"1.0.0\"}", 30);
	free(p);
	strbuf_release(&l1);
	strbuf_release(&l2);
	strbuf_release(&z1);
	strbuf_release(&z2);
	strbuf_release(&cfgb);
	strbuf_release(&manb);
	strbuf_release(&idxb);
	free(cfg);
	free(blobs);
	return dir;
}

/* An oci-archive: the layout folder as a tar, via libarchive's disk reader. */
static char *make_oci_archive(const char *name, const char *dir)
{
	char *path = spath(name);
	char *cmd = xasprintf("tar -C '%s' -cf '%s' .", dir, path);

	assert_int_equal(system(cmd), 0);
	free(cmd);
	return path;
}

/* ---- checks ------------------------------------------------------------ */

static struct image *open_ok(const char *ref)
{
	struct image *img = NULL;
	int ret = image_open(ref, NULL, &img);

	if (ret < 0)
		fail_msg("image_open(%s): %s", ref, err_msg());
	return img;
}

static void expect_open_fail(const char *ref, const struct image_open_opts *opts, const char *needle)
{
	struct image *img = NULL;
	int ret = image_open(ref, opts, &img);

	if (ret == 0)
		fail_msg("image_open(%s) succeeded; expected '%s'", ref, needle);
	assert_null(img);
	if (!strstr(err_msg(), needle))
		fail_msg("image_open(%s): '%s' lacks '%s'", ref, err_msg(), needle);
	/* The message names the input. */
	assert_non_null(strstr(err_msg(), ref));
	print_message("  expected error: %s\n", err_msg());
}

static void check_content(const struct rootfs *fs, const char *path, const char *want)
{
	const struct rootfs_node *n = rootfs_lookup(fs, path);
	char *data;
	size_t len;

	assert_non_null(n);
	if (!want) {
		assert_null(n->blob);
		assert_int_equal(rootfs_read(fs, n, 1024, &data, &len), -ENODATA);
		return;
	}
	assert_non_null(n->blob);
	assert_int_equal(rootfs_read(fs, n, 1024, &data, &len), 0);
	assert_int_equal(len, strlen(want));
	assert_memory_equal(data, want, len);
	free(data);
}

static void check_merged(const struct image *img)
{
	const struct rootfs *fs = img->rootfs;
	const struct rootfs_node *n;
	char *res;

	assert_int_equal(img->layers_nr, 2);
	assert_string_equal(img->config.entrypoint[0], "/bin/run.sh");
	assert_int_equal(img->config.cmd_nr, 1);
	assert_string_equal(img->config.env[0], "PATH=/usr/bin:/bin");
	assert_string_equal(img->config.working_dir, "/var");
	assert_string_equal(img->config.user, "1000");
	assert_int_equal(img->config.exposed_ports_nr, 2);
	assert_string_equal(img->config.exposed_ports[0], "443/tcp");
	assert_string_equal(img->config.healthcheck.test[1], "/bin/tool");
	assert_int_equal(img->config.healthcheck.retries, 3);
	assert_true(img->config.healthcheck.interval_ns == 30000000000LL);
	assert_string_equal(img->config.architecture, "amd64");

	/* Whiteouts: a file, and an opaque folder keeping only the new layer's entry. */
	assert_null(rootfs_lookup(fs, "/gone"));
	assert_null(rootfs_lookup(fs, "/var/old/a"));
	assert_non_null(rootfs_lookup(fs, "/var/old/new"));
	assert_non_null(rootfs_lookup(fs, "/var/keep/b"));
	/* Kept content: ELF, scripts, /etc (upper layer wins); not the rest. */
	check_content(fs, "/bin/tool", "\x7f" "ELF fake");
	check_content(fs, "/bin/run.sh", "#!/bin/sh\necho hi\n");
	check_content(fs, "/etc/hostname", "box2\n");
	check_content(fs, "/usr/share/doc/readme", NULL);
	n = rootfs_lookup(fs, "/bin/tool");
	assert_true(n->is_elf);
	assert_int_equal(n->mode, 0755);
	assert_true(rootfs_lookup(fs, "/bin/run.sh")->is_script);
	/* Hard link: same content and attributes. */
	n = rootfs_lookup(fs, "/bin/tool2");
	assert_non_null(n);
	assert_int_equal(n->type, ROOTFS_REG);
	assert_true(n->is_elf);
	assert_string_equal(n->blob, rootfs_lookup(fs, "/bin/tool")->blob);
	/* A later layer's file under the lib -> usr/lib link lands in usr/lib. */
	assert_int_equal(rootfs_resolve(fs, "/lib/libm.so.6", true, &n, &res), 0);
	assert_string_equal(res, "/usr/lib/libm.so.6");
	free(res);
	assert_non_null(rootfs_lookup(fs, "/usr/lib/libm.so.6"));
	/* Symlinks never leave the root. */
	assert_int_equal(rootfs_resolve(fs, "/escape", true, &n, &res), 0);
	assert_string_equal(res, "/etc/hostname");
	free(res);
	assert_int_equal(rootfs_resolve(fs, "/abs", true, &n, &res), 0);
	assert_string_equal(res, "/bin/tool");
	free(res);
	assert_int_equal(rootfs_resolve(fs, "/escape", false, &n, &res), 0);
	assert_string_equal(res, "/escape");
	assert_int_equal(n->type, ROOTFS_SYMLINK);
	free(res);
	assert_int_equal(rootfs_resolve(fs, "/loop1", true, &n, NULL), -ELOOP);
	assert_int_equal(rootfs_resolve(fs, "/loop1", false, &n, NULL), 0);
	assert_int_equal(rootfs_resolve(fs, "/bin/tool/x", true, &n, NULL), -ENOTDIR);
	assert_int_equal(rootfs_resolve(fs, "/nope", true, &n, NULL), -ENOENT);
	assert_int_equal(rootfs_resolve(fs, "/../../bin/./tool", true, &n, &res), 0);
	assert_string_equal(res, "/bin/tool");
	free(res);
	/* Iteration is in path order. */
	for (size_t i = 1; i < rootfs_count(fs); i++)
		assert_true(strcmp(rootfs_at(fs, i - 1)->path, rootfs_at(fs, i)->path) < 0);
	assert_string_equal(rootfs_at(fs, 0)->path, "/");
}

static void test_ref_parse(void **state)
{
	static const struct {
		const char *in;
		int ret;
		enum image_transport t;
		const char *name;
	} cases[] = {
		{ "docker:nginx:1.25", 0, IMAGE_DOCKER, "nginx:1.25" },
		{ "docker-archive:/tmp/x.tar", 0, IMAGE_DOCKER_ARCHIVE, "/tmp/x.tar" },
		{ "oci:dir", 0, IMAGE_OCI, "dir" },
		{ "oci-archive:a.tar", 0, IMAGE_OCI_ARCHIVE, "a.tar" },
		{ "dir:/", 0, IMAGE_DIR, "/" },
		{ "nginx", -EINVAL, 0, NULL },
		{ "docker:", -EINVAL, 0, NULL },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct image_ref r;

		assert_int_equal(image_ref_parse(cases[i].in, &r), cases[i].ret);
		if (cases[i].ret == 0) {
			assert_int_equal(r.transport, cases[i].t);
			assert_string_equal(r.name, cases[i].name);
		}
		image_ref_release(&r);
	}
}

static void test_norm_path(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "./a//b/", "a/b" }, { "./", "" }, { "a/./b", "a/b" }, { "..", NULL },
		{ "a/../b", NULL },   { "/etc/passwd", NULL }, { "", NULL }, { "a/..b", "a/..b" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *out;
		int ret = layer_norm_path(cases[i].in, &out);

		if (cases[i].out) {
			assert_int_equal(ret, 0);
			assert_string_equal(out, cases[i].out);
			free(out);
		} else {
			assert_true(ret < 0);
		}
	}
}

static void test_docker_archive(void **state)
{
	char *path = make_docker_archive("img.tar", NULL);
	char *ref = xasprintf("docker-archive:%s", path);
	struct image *img;

	(void)state;
	img = open_ok(ref);
	check_merged(img);
	assert_int_equal(img->repo_tags_nr, 1);
	assert_string_equal(img->repo_tags[0], "test/img:latest");
	assert_non_null(img->id);
	image_free(img);
	/* A second open finds the blobs in place. */
	img = open_ok(ref);
	check_merged(img);
	image_free(img);
	free(ref);
	free(path);
}

static void test_oci(void **state)
{
	static const struct img_opts gz = { .gzip = true, .docker_manifest = true };
	static const struct img_opts zs = { .zstd = true };
	char *dir = make_oci_dir("oci-plain", NULL), *dirz = make_oci_dir("oci-gz", &gz);
	char *dirzs = make_oci_dir("oci-zstd", &zs);
	char *arc = make_oci_archive("oci.tar", dirz);
	char *r1 = xasprintf("oci:%s", dir), *r2 = xasprintf("oci:%s", dirz);
	char *r3 = xasprintf("oci-archive:%s", arc);
	char *r4 = xasprintf("docker-archive:%s", arc);
	char *r5 = xasprintf("oci:%s", dirzs);
	char *r6 = xasprintf("oci:%s:v1", dir), *r7 = xasprintf("oci-archive:%s:v1", arc);
	char *bad = xasprintf("oci:%s:v2", dir);
	const char *refs[] = { r1, r2, r3, r4, r5, r6, r7 };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(refs); i++) {
		struct image *img = open_ok(refs[i]);

		check_merged(img);
		assert_true(!strncmp(img->id, "sha256:", 7));
		image_free(img);
	}
	free(r1);
	free(r2);
	free(r3);
	expect_open_fail(bad, NULL, "no manifest named 'v2'");
	free(bad);
	free(r6);
	free(r7);
	free(r4);
	free(r5);
	free(dirzs);
	free(arc);
	free(dir);
	free(dirz);
}

static void test_bad_images(void **state)
{
	static const struct img_opts bad_diff = { .bad_diff_id = true };
	static const struct img_opts missing = { .missing_layer = true };
	static const struct img_opts bad_blob = { .bad_blob_digest = true };
	static const struct img_opts corrupt = { .corrupt_blob = true };
	static const struct ent dotdot[] = { { "a/../../x", '0', "x" } };
	static const struct ent absolute[] = { { "/etc/x", '0', "x" } };
	static const struct ent huge[] = { { "big", '0', NULL, NULL, 0, 077777777777ull } };
	static const struct ent hardmiss[] = { { "h", '1', NULL, "no/such" } };
	const struct img_opts dd = { .l2 = dotdot, .l2_nr = 1 };
	const struct img_opts ab = { .l2 = absolute, .l2_nr = 1 };
	const struct img_opts hg = { .l2 = huge, .l2_nr = 1 };
	const struct img_opts hm = { .l2 = hardmiss, .l2_nr = 1 };
	struct {
		const char *file;
		const struct img_opts *o;
		bool oci;
		const char *needle;
	} cases[] = {
		{ "diff.tar", &bad_diff, false, "diff_id mismatch" },
		{ "missing.tar", &missing, false, "does not contain" },
		{ "dotdot.tar", &dd, false, "contains '..'" },
		{ "abs.tar", &ab, false, "absolute member name '/etc/x'" },
		{ "huge.tar", &hg, false, "over the 4294967296-byte limit per file" },
		{ "hardmiss.tar", &hm, false, "hard link 'h' points to missing 'no/such'" },
		{ "badblob", &bad_blob, true, "cannot be opened" },
		{ "corrupt", &corrupt, true, "digest mismatch" },
	};
	char *p, *ref;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		p = cases[i].oci ? make_oci_dir(cases[i].file, cases[i].o)
				 : make_docker_archive(cases[i].file, cases[i].o);
		ref = xasprintf("%s:%s", cases[i].oci ? "oci" : "docker-archive", p);
		expect_open_fail(ref, NULL, cases[i].needle);
		free(ref);
		free(p);
	}

	/* Not an image at all, and a tar that is not an image. */
	p = spath("text.txt");
	write_file(p, "hello\n", 6);
	ref = xasprintf("docker-archive:%s", p);
	expect_open_fail(ref, NULL, "not a tar archive");
	free(ref);
	free(p);
	{
		struct strbuf t;
		static const struct ent one[] = { { "hello", '0', "x" } };

		tar_build(&t, one, 1);
		p = spath("plain.tar");
		write_file(p, t.buf, t.len);
		strbuf_release(&t);
		ref = xasprintf("oci-archive:%s", p);
		expect_open_fail(ref, NULL, "no manifest.json or index.json");
		free(ref);
		free(p);
	}
	expect_open_fail("oci:/nonexistent/layout", NULL, "No such file");
	expect_open_fail("dir:/nonexistent/rootfs", NULL, "No such file");
}

static void test_limits(void **state)
{
	char *p = make_docker_archive("limits.tar", NULL);
	char *ref = xasprintf("docker-archive:%s", p);
	struct image_open_opts o = { .max_file_size = 8 };
	struct image *img;

	(void)state;
	expect_open_fail(ref, &o, "over the 8-byte limit per file");
	o.max_file_size = 0;
	o.max_total_size = 20;
	expect_open_fail(ref, &o, "over the 20-byte limit for all files");
	/* keep_all keeps even documentation. */
	o.max_total_size = 0;
	o.keep_all = true;
	assert_int_equal(image_open(ref, &o, &img), 0);
	check_content(img->rootfs, "/usr/share/doc/readme", "not kept");
	image_free(img);
	free(ref);
	free(p);
}

static void test_truncated_gzip(void **state)
{
	static const struct img_opts gz = { .gzip = true };
	char *dir = make_oci_dir("oci-trunc", &gz);
	char *blobs = xasprintf("%s/blobs/sha256", dir), *ref = xasprintf("oci:%s", dir);
	struct strbuf l1;
	char d[80];
	struct stat st;
	char *p;

	(void)state;
	/* Truncate layer 1's blob in place: the digest then fails first, so
	 * rename it to its new digest and fix nothing else. */
	tar_build(&l1, layer1, ARRAY_SIZE(layer1));
	{
		struct strbuf z;

		gzip_buf(&l1, &z);
		digest_of(&z, d);
		p = xasprintf("%s/%s", blobs, d + 7);
		assert_int_equal(stat(p, &st), 0);
		assert_int_equal(truncate(p, st.st_size / 2), 0);
		free(p);
		strbuf_release(&z);
	}
	expect_open_fail(ref, NULL, "layer");
	assert_true(strstr(err_msg(), "runcat") || strstr(err_msg(), "ruerr") ||
		    strstr(err_msg(), "truncated") || strstr(err_msg(), "Truncated") ||
		    strstr(err_msg(), "premature") || strstr(err_msg(), "Premature"));
	strbuf_release(&l1);
	free(ref);
	free(blobs);
	free(dir);
}

static void test_dir(void **state)
{
	char *root = spath("rootfs");
	char *p;
	struct image *img;
	const struct rootfs_node *n;
	char *res;

	(void)state;
	p = xasprintf("%s/usr/bin", root);
	assert_int_equal(fs_mkdir_p(p, 0755), 0);
	free(p);
	p = xasprintf("%s/usr/bin/prog", root);
	write_file(p, "\x7f" "ELF!", 5);
	free(p);
	p = xasprintf("%s/bin", root);
	assert_int_equal(symlink("usr/bin", p), 0);
	free(p);
	/* A link that points at the host's /etc/passwd must stay inside. */
	p = xasprintf("%s/out", root);
	assert_int_equal(symlink("../../../../../../etc/passwd", p), 0);
	free(p);
	p = xasprintf("dir:%s", root);
	img = open_ok(p);
	free(p);
	assert_int_equal(rootfs_resolve(img->rootfs, "/bin/prog", true, &n, &res), 0);
	assert_string_equal(res, "/usr/bin/prog");
	assert_true(n->is_elf);
	assert_non_null(n->blob);
	free(res);
	assert_int_equal(rootfs_resolve(img->rootfs, "/out", true, &n, NULL), -ENOENT);
	image_free(img);
	free(root);
}

static int setup(void **state)
{
	char *cache;

	(void)state;
	snprintf(scratch, sizeof(scratch), "/tmp/confine-image.XXXXXX");
	if (!mkdtemp(scratch))
		return -1;
	cache = xasprintf("%s/cache", scratch);
	setenv("CONFINE_CACHE_DIR", cache, 1);
	free(cache);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fs_remove_tree(scratch);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ref_parse),
		cmocka_unit_test(test_norm_path),
		cmocka_unit_test(test_docker_archive),
		cmocka_unit_test(test_oci),
		cmocka_unit_test(test_bad_images),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_truncated_gzip),
		cmocka_unit_test(test_dir),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
