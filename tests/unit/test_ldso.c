/*
 * elf/ldso: library resolution inside a rootfs built here from the host's
 * glibc and musl plus libraries compiled at test time: RPATH (inherited
 * along the loader chain) vs RUNPATH (not inherited), $ORIGIN and $LIB,
 * LD_LIBRARY_PATH, ld.so.cache made by the real ldconfig (new, old and
 * compat formats), ld.so.conf(.d) when there is no cache, wrong-class
 * candidates skipped, /etc/ld.so.preload, unresolved libraries, musl's
 * path file and default path.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "elf/elf.h"
#include "elf/ldso.h"
#include "image/image.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/xalloc.h"

static char tmpdir[] = "/tmp/confine-test-ldso.XXXXXX";
static bool ready, have_musl;

/* Builds B/ (objects) and the rootfs folders R (glibc) and M (musl). */
static const char fixture_sh[] =
	"set -e\n"
	"cd \"$1\"; mkdir -p B R M\n"
	"cat > B/lib.c <<'EOF'\n"
	"int LIBFN(void) { return 1; }\n"
	"EOF\n"
	"cat > B/app.c <<'EOF'\n"
	"int main(void) { return 0; }\n"
	"EOF\n"
	"cc() { gcc -O0 \"$@\"; }\n"
	"cc -shared -fPIC -DLIBFN=bar -Wl,-soname,libbar.so -o B/libbar.so B/lib.c\n"
	"cc -shared -fPIC -DLIBFN=foo -Wl,-soname,libfoo.so -o B/libfoo.so B/lib.c -LB "
	"-Wl,--no-as-needed -l:libbar.so\n"
	"cc -shared -fPIC -DLIBFN=cachefn -Wl,-soname,libcache.so -o B/libcache.so B/lib.c\n"
	"cc -shared -fPIC -DLIBFN=envfn -Wl,-soname,libenv.so -o B/libenv.so B/lib.c\n"
	"cc -shared -fPIC -DLIBFN=pre -Wl,-soname,libpre.so -o B/libpre.so B/lib.c\n"
	"cc -shared -fPIC -DLIBFN=nothere -Wl,-soname,libnothere.so -o B/libnothere.so B/lib.c\n"
	"cc -shared -fPIC -DLIBFN=libdir -Wl,-soname,liblibdir.so -o B/liblibdir.so B/lib.c\n"
	"L='-Wl,--no-as-needed'\n"
	"cc $L -Wl,--disable-new-dtags -Wl,-rpath,'$ORIGIN/../rlib' -o B/app_rpath B/app.c -LB -l:libfoo.so\n"
	"cc $L -Wl,--enable-new-dtags -Wl,-rpath,'$ORIGIN/../rlib' -o B/app_runpath B/app.c -LB -l:libfoo.so\n"
	"cc $L -Wl,--disable-new-dtags -Wl,-rpath,'${ORIGIN}/../rlib32:$ORIGIN/../rlib' -o B/app_skip B/app.c -LB -l:libfoo.so\n"
	"cc $L -Wl,--enable-new-dtags -Wl,-rpath,'/opt/$LIB' -o B/app_lib B/app.c -LB -l:liblibdir.so\n"
	"cc $L -o B/app_cache B/app.c -LB -l:libcache.so\n"
	"cc $L -o B/app_env B/app.c -LB -l:libenv.so\n"
	"cc $L -o B/app_missing B/app.c -LB -l:libnothere.so -l:libcache.so\n"
	"cc -static -o B/app_static B/app.c\n"
	/* glibc rootfs: merged /usr, /lib64 an absolute symlink */
	"mkdir -p R/usr/lib/x86_64-linux-gnu R/lib64 R/opt/app/bin R/opt/app/rlib R/opt/app/rlib32 "
	"R/opt/cachelib R/opt/envlib R/opt/pre R/opt/lib/x86_64-linux-gnu R/etc/ld.so.conf.d\n"
	"ln -s usr/lib R/lib\n"
	"cp -L /usr/lib/x86_64-linux-gnu/libc.so.6 /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "
	"R/usr/lib/x86_64-linux-gnu/\n"
	"ln -s /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 R/lib64/ld-linux-x86-64.so.2\n"
	"cp B/app_* R/opt/app/bin/\n"
	"cp B/libfoo.so B/libbar.so R/opt/app/rlib/\n"
	/* an ELF32 decoy earlier in app_skip's RPATH */
	"printf '\\177ELF\\001\\001\\001\\000\\000\\000\\000\\000\\000\\000\\000\\000\\003\\000\\003\\000"
	"\\001\\000\\000\\000' > R/opt/app/rlib32/libfoo.so\n"
	"head -c 100 /dev/zero >> R/opt/app/rlib32/libfoo.so\n"
	"cp B/libcache.so R/opt/cachelib/\n"
	"cp B/libenv.so R/opt/envlib/\n"
	"cp B/libpre.so R/opt/pre/\n"
	"cp B/liblibdir.so R/opt/lib/x86_64-linux-gnu/\n"
	"echo 'include /etc/ld.so.conf.d/*.conf' > R/etc/ld.so.conf\n"
	"echo '/opt/cachelib' > R/etc/ld.so.conf.d/cache.conf\n"
	"echo '/opt/pre/libpre.so' > R/etc/ld.so.preload\n"
	"cp -a R Rconf\n"
	"rm Rconf/etc/ld.so.preload\n"
	"cp -a Rconf Rold\n"
	"cp -a Rconf Rcompat\n"
	"/sbin/ldconfig -r R -C /etc/ld.so.cache -X\n"
	"/sbin/ldconfig -r Rold -C /etc/ld.so.cache -X -c old\n"
	"/sbin/ldconfig -r Rcompat -C /etc/ld.so.cache -X -c compat\n"
	"test -s R/etc/ld.so.cache\n"
	/* H: hostile configuration and dependency loops */
	"cc -shared -fPIC -DLIBFN=la -Wl,-soname,libA.so -o B/libA.so B/lib.c\n"
	"cc -shared -fPIC -DLIBFN=lb -Wl,-soname,libB.so -o B/libB.so B/lib.c -LB -Wl,--no-as-needed -l:libA.so\n"
	"cc -shared -fPIC -DLIBFN=la -Wl,-soname,libA.so -o B/libA.so B/lib.c -LB -Wl,--no-as-needed -l:libB.so\n"
	"cc -shared -fPIC -DLIBFN=ls -Wl,-soname,libself.so -o B/libself.so B/lib.c\n"
	"cc -shared -fPIC -DLIBFN=ls -Wl,-soname,libself.so -o B/libself2.so B/lib.c -LB -Wl,--no-as-needed -l:libself.so\n"
	"mv B/libself2.so B/libself.so\n"
	"cc -shared -fPIC -DLIBFN=lx -Wl,-soname,libx.so -o B/libx.so B/lib.c\n"
	"cc $L -o B/app_loops B/app.c -LB -l:libA.so -l:libself.so -l:libx.so\n"
	"cp -a Rconf H\n"
	"mkdir -p H/opt/loops H/opt/links\n"
	"cp B/libA.so B/libB.so B/libself.so H/opt/loops/\n"
	"cp B/app_loops H/opt/app/bin/\n"
	"ln -s libx.so H/opt/links/libx.so\n"
	"printf 'include /etc/ld.so.conf\\ninclude ld.so.conf.d/*.conf\\n/opt/links\\n' > H/etc/ld.so.conf\n"
	"for i in 1 2 3 4 5 6 7 8; do printf 'include /etc/ld.so.conf.d/*.conf\\ninclude ../ld.so.conf\\n/opt/loops\\n' > H/etc/ld.so.conf.d/$i.conf; done\n"
	"printf 'glibc-ld.so.cache1.1\\377\\377\\377\\177garbage' > H/etc/ld.so.cache\n"
	"echo '/opt/no-such-preload.so' > H/etc/ld.so.preload\n";

static const char musl_sh[] =
	"set -e\n"
	"cd \"$1\"\n"
	"musl-gcc -shared -fPIC -DLIBFN=mfoo -Wl,-soname,libmfoo.so -o B/libmfoo.so B/lib.c\n"
	"musl-gcc -Wl,--no-as-needed -o B/app_musl B/app.c -LB -l:libmfoo.so -lpthread -lm\n"
	"mkdir -p M/lib M/usr/local/lib M/bin M/opt/mlib M/etc\n"
	"cp -L /lib/ld-musl-x86_64.so.1 M/lib/ld-musl-x86_64.so.1\n"
	"cp B/app_musl M/bin/\n"
	"cp B/libmfoo.so M/usr/local/lib/\n"
	"cp -a M Mpath\n"
	"mv Mpath/usr/local/lib/libmfoo.so Mpath/opt/mlib/\n"
	"echo '/opt/mlib' > Mpath/etc/ld-musl-x86_64.path\n";

static int run_script(const char *script)
{
	char *path = xasprintf("%s/script.sh", tmpdir), *cmd;
	int ret;

	if (fs_write_atomic(path, script, strlen(script), 0644) < 0) {
		free(path);
		return -1;
	}
	cmd = xasprintf("sh %s %s >%s/script.log 2>&1", path, tmpdir, tmpdir);
	ret = system(cmd);
	free(cmd);
	free(path);
	return ret;
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(tmpdir))
		return -1;
	if (system("command -v gcc >/dev/null && test -x /sbin/ldconfig && "
		   "test -e /usr/lib/x86_64-linux-gnu/libc.so.6") != 0)
		return 0;
	ready = run_script(fixture_sh) == 0;
	if (!ready) {
		char *cmd = xasprintf("cat %s/script.log >&2", tmpdir);

		if (system(cmd) != 0)
			ready = false;
		free(cmd);
	}
	have_musl = ready && system("command -v musl-gcc >/dev/null && test -e /lib/ld-musl-x86_64.so.1") == 0 &&
		    run_script(musl_sh) == 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fs_remove_tree(tmpdir);
	return 0;
}

static void count_warning(const char *msg, void *ctx)
{
	(void)msg;
	(*(unsigned *)ctx)++;
}

struct fixture {
	struct image *img;
	struct ldso *ld;
	struct ldso_result res;
};

static void open_root(struct fixture *fx, const char *root, char *const *env, size_t env_nr)
{
	char *ref = xasprintf("dir:%s/%s", tmpdir, root);
	int ret = image_open(ref, NULL, &fx->img);

	if (ret < 0)
		fail_msg("image_open(%s): %s", ref, err_msg());
	fx->ld = ldso_new(fx->img->rootfs, env, env_nr, "/");
	memset(&fx->res, 0, sizeof(fx->res));
	free(ref);
}

static void close_root(struct fixture *fx)
{
	ldso_result_release(&fx->res);
	ldso_free(fx->ld);
	image_free(fx->img);
}

static const struct ldso_lib *find_lib(const struct ldso_result *r, const char *name)
{
	for (size_t i = 0; i < r->libs_nr; i++)
		if (strcmp(r->libs[i].name, name) == 0)
			return &r->libs[i];
	return NULL;
}

/* One expectation: library NAME resolves to REAL (NULL: unresolved) via HOW. */
struct expect {
	const char *name;
	const char *real;
	enum ldso_how how;
};

struct resolve_case {
	const char *root;
	const char *program;
	const char *env;          /* one KEY=VALUE or NULL */
	enum ldso_flavor flavor;
	size_t unresolved;
	struct expect libs[6];
};

#define LIBC "/usr/lib/x86_64-linux-gnu/libc.so.6"
#define LDSO "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"

static const struct resolve_case cases[] = {
	/* RPATH is inherited: libfoo (no RPATH) finds libbar through app's RPATH. */
	{ "R", "/opt/app/bin/app_rpath", NULL, LDSO_GLIBC, 0,
	  { { "libfoo.so", "/opt/app/rlib/libfoo.so", LDSO_HOW_RPATH },
	    { "libbar.so", "/opt/app/rlib/libbar.so", LDSO_HOW_RPATH },
	    { "libc.so.6", LIBC, LDSO_HOW_CACHE },
	    { "/opt/pre/libpre.so", "/opt/pre/libpre.so", LDSO_HOW_PRELOAD },
	    { "/lib64/ld-linux-x86-64.so.2", LDSO, LDSO_HOW_INTERP } } },
	/* RUNPATH is not: libbar stays unresolved. */
	{ "R", "/opt/app/bin/app_runpath", NULL, LDSO_GLIBC, 1,
	  { { "libfoo.so", "/opt/app/rlib/libfoo.so", LDSO_HOW_RUNPATH },
	    { "libbar.so", NULL, LDSO_HOW_UNRESOLVED } } },
	/* An ELF32 file of the right name is skipped like ld.so does. */
	{ "R", "/opt/app/bin/app_skip", NULL, LDSO_GLIBC, 0,
	  { { "libfoo.so", "/opt/app/rlib/libfoo.so", LDSO_HOW_RPATH } } },
	/* $LIB is Debian's multiarch folder. */
	{ "R", "/opt/app/bin/app_lib", NULL, LDSO_GLIBC, 0,
	  { { "liblibdir.so", "/opt/lib/x86_64-linux-gnu/liblibdir.so", LDSO_HOW_RUNPATH } } },
	{ "R", "/opt/app/bin/app_cache", NULL, LDSO_GLIBC, 0,
	  { { "libcache.so", "/opt/cachelib/libcache.so", LDSO_HOW_CACHE } } },
	{ "Rold", "/opt/app/bin/app_cache", NULL, LDSO_GLIBC, 0,
	  { { "libcache.so", "/opt/cachelib/libcache.so", LDSO_HOW_CACHE },
	    { "libc.so.6", LIBC, LDSO_HOW_CACHE } } },
	{ "Rcompat", "/opt/app/bin/app_cache", NULL, LDSO_GLIBC, 0,
	  { { "libcache.so", "/opt/cachelib/libcache.so", LDSO_HOW_CACHE } } },
	/* No cache: ld.so.conf and its includes stand in. */
	{ "Rconf", "/opt/app/bin/app_cache", NULL, LDSO_GLIBC, 0,
	  { { "libcache.so", "/opt/cachelib/libcache.so", LDSO_HOW_CONF },
	    { "libc.so.6", LIBC, LDSO_HOW_DEFAULT } } },
	{ "R", "/opt/app/bin/app_env", NULL, LDSO_GLIBC, 1,
	  { { "libenv.so", NULL, LDSO_HOW_UNRESOLVED } } },
	{ "R", "/opt/app/bin/app_env", "LD_LIBRARY_PATH=/nonexistent:/opt/envlib", LDSO_GLIBC, 0,
	  { { "libenv.so", "/opt/envlib/libenv.so", LDSO_HOW_LD_LIBRARY_PATH } } },
	{ "Rconf", "/opt/app/bin/app_env", "LD_PRELOAD=/opt/envlib/libenv.so", LDSO_GLIBC, 0,
	  { { "/opt/envlib/libenv.so", "/opt/envlib/libenv.so", LDSO_HOW_PRELOAD } } },
	{ "R", "/opt/app/bin/app_missing", NULL, LDSO_GLIBC, 1,
	  { { "libnothere.so", NULL, LDSO_HOW_UNRESOLVED },
	    { "libcache.so", "/opt/cachelib/libcache.so", LDSO_HOW_CACHE } } },
	{ "R", "/opt/app/bin/app_static", NULL, LDSO_NONE, 0, { { NULL, NULL, 0 } } },
	{ "M", "/bin/app_musl", NULL, LDSO_MUSL, 0,
	  { { "libmfoo.so", "/usr/local/lib/libmfoo.so", LDSO_HOW_MUSL_PATH },
	    { "/lib/ld-musl-x86_64.so.1", "/lib/ld-musl-x86_64.so.1", LDSO_HOW_INTERP } } },
	/* A shared object (as dlopen() would load it): the image's loader decides. */
	{ "R", "/opt/app/rlib/libfoo.so", NULL, LDSO_GLIBC, 1,
	  { { "libbar.so", NULL, LDSO_HOW_UNRESOLVED }, { "libc.so.6", LIBC, LDSO_HOW_CACHE } } },
	{ "M", "/usr/local/lib/libmfoo.so", NULL, LDSO_MUSL, 0, { { NULL, NULL, 0 } } },
	{ "Mpath", "/bin/app_musl", NULL, LDSO_MUSL, 0,
	  { { "libmfoo.so", "/opt/mlib/libmfoo.so", LDSO_HOW_MUSL_PATH } } },
};

static void test_resolve(void **state)
{
	(void)state;
	if (!ready)
		skip();
	/* musl cases must not be skipped silently where musl-tools are installed */
	if (system("command -v musl-gcc >/dev/null") == 0)
		assert_true(have_musl);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct resolve_case *c = &cases[i];
		char *env[1] = { (char *)c->env };
		struct fixture fx;
		int ret;

		if (c->flavor == LDSO_MUSL && !have_musl)
			continue;
		open_root(&fx, c->root, env, c->env ? 1 : 0);
		ret = ldso_resolve(fx.ld, c->program, &fx.res);
		if (ret < 0)
			fail_msg("case %zu %s: %s", i, c->program, err_msg());
		if (fx.res.flavor != c->flavor)
			fail_msg("case %zu %s: flavor %s", i, c->program, ldso_flavor_name(fx.res.flavor));
		assert_string_equal(fx.res.libs[0].real, c->program);
		assert_int_equal(fx.res.libs[0].how, LDSO_HOW_MAIN);
		if (fx.res.unresolved_nr != c->unresolved)
			fail_msg("case %zu %s: %zu unresolved", i, c->program, fx.res.unresolved_nr);
		for (size_t j = 0; j < ARRAY_SIZE(c->libs) && c->libs[j].name; j++) {
			const struct expect *e = &c->libs[j];
			const struct ldso_lib *l = find_lib(&fx.res, e->name);

			if (!l)
				fail_msg("case %zu %s: %s not in the set", i, c->program, e->name);
			if (!e->real) {
				assert_null(l->path);
				assert_null(l->elf);
			} else {
				if (!l->real || strcmp(l->real, e->real) != 0)
					fail_msg("case %zu %s: %s -> %s, expected %s", i, c->program,
						 e->name, l->real ? l->real : "(none)", e->real);
				assert_non_null(l->elf);
			}
			if (l->how != e->how)
				fail_msg("case %zu %s: %s found by %s, expected %s", i, c->program,
					 e->name, ldso_how_name(l->how), ldso_how_name(e->how));
		}
		if (c->flavor == LDSO_NONE)
			assert_int_equal(fx.res.libs_nr, 1);
		close_root(&fx);
	}
}

/* Order: main, preload, then breadth-first DT_NEEDED; ld.so after libc needs it. */
static void test_order(void **state)
{
	struct fixture fx;
	static const char *const want[] = { "/opt/app/bin/app_rpath", "/opt/pre/libpre.so",
					    "/opt/app/rlib/libfoo.so", LIBC,
					    "/opt/app/rlib/libbar.so", LDSO };

	(void)state;
	if (!ready)
		skip();
	open_root(&fx, "R", NULL, 0);
	assert_int_equal(ldso_resolve(fx.ld, "/opt/app/bin/app_rpath", &fx.res), 0);
	assert_int_equal(fx.res.libs_nr, ARRAY_SIZE(want));
	for (size_t i = 0; i < ARRAY_SIZE(want); i++)
		if (strcmp(fx.res.libs[i].real, want[i]) != 0)
			fail_msg("position %zu: %s, expected %s", i, fx.res.libs[i].real, want[i]);
	assert_string_equal(fx.res.libs[fx.res.interp].real, LDSO);
	/* libbar was needed by libfoo; ld.so by libc. */
	assert_string_equal(fx.res.libs[fx.res.libs[4].needed_by].real, "/opt/app/rlib/libfoo.so");
	assert_string_equal(fx.res.libs[fx.res.libs[5].needed_by].real, LIBC);
	assert_string_equal(ldso_cache_kind(fx.ld), "cache");
	close_root(&fx);
}

/* The real ld.so of the fixture agrees (run it on the host: same glibc). */
static void test_against_ld_so(void **state)
{
	char *cmd, *out = NULL, *path;
	size_t len;

	(void)state;
	if (!ready)
		skip();
	path = xasprintf("%s/ldlist.txt", tmpdir);
	cmd = xasprintf("%s/R/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 --list "
			"%s/R/opt/app/bin/app_rpath > %s 2>&1",
			tmpdir, tmpdir, path);
	if (system(cmd) != 0) {
		free(cmd);
		free(path);
		skip();
	}
	assert_int_equal(fs_read_file(path, 1 << 20, &out, &len), 0);
	/* The host loader finds libfoo and libbar through the inherited RPATH too. */
	assert_non_null(strstr(out, "R/opt/app/bin/../rlib/libfoo.so"));
	assert_non_null(strstr(out, "R/opt/app/bin/../rlib/libbar.so"));
	free(out);
	free(cmd);
	free(path);
}

/* musl's own loader, run in a chroot of the musl rootfs, loads the same files. */
static void test_against_musl(void **state)
{
	static const char *const roots[] = { "M", "Mpath" };

	(void)state;
	if (!have_musl || geteuid() != 0)
		skip();
	for (size_t r = 0; r < ARRAY_SIZE(roots); r++) {
		char *cmd, *out = NULL, *path, *line, *save = NULL;
		size_t len, seen = 0;
		struct fixture fx;

		path = xasprintf("%s/musl-list.txt", tmpdir);
		cmd = xasprintf("chroot %s/%s /lib/ld-musl-x86_64.so.1 --list /bin/app_musl > %s 2>&1",
				tmpdir, roots[r], path);
		assert_int_equal(system(cmd), 0);
		assert_int_equal(fs_read_file(path, 1 << 20, &out, &len), 0);
		open_root(&fx, roots[r], NULL, 0);
		assert_int_equal(ldso_resolve(fx.ld, "/bin/app_musl", &fx.res), 0);
		/* Lines: "\t/lib/ld-musl... (0x..)" or "\tNAME => PATH (0x..)". */
		for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char *arrow = strstr(line, "=> "), *file = arrow ? arrow + 3 : line, *sp;
			bool found = false;

			while (*file == '\t' || *file == ' ')
				file++;
			sp = strchr(file, ' ');
			if (sp)
				*sp = '\0';
			for (size_t i = 1; i < fx.res.libs_nr; i++)
				found |= fx.res.libs[i].real && strcmp(fx.res.libs[i].real, file) == 0;
			if (!found)
				fail_msg("%s: musl loads %s, we do not", roots[r], file);
			seen++;
		}
		assert_true(seen >= 2);
		/* and nothing more: libmfoo and the loader */
		assert_int_equal(fx.res.libs_nr, 3);
		close_root(&fx);
		free(out);
		free(cmd);
		free(path);
	}
}

/* Include cycles, a corrupt cache, NEEDED cycles, symlink loops: all finish. */
static void test_hostile(void **state)
{
	struct fixture fx;
	const struct ldso_lib *l;
	unsigned warnings = 0;

	(void)state;
	if (!ready)
		skip();
	open_root(&fx, "H", NULL, 0);
	assert_int_equal(ldso_resolve(fx.ld, "/opt/app/bin/app_loops", &fx.res), 0);
	l = find_lib(&fx.res, "libA.so");
	assert_non_null(l);
	assert_string_equal(l->real, "/opt/loops/libA.so");
	assert_int_equal(l->how, LDSO_HOW_CONF);
	assert_non_null(find_lib(&fx.res, "libB.so"));
	assert_non_null(find_lib(&fx.res, "libself.so"));
	/* libx.so is a symlink to itself: not found, listed. */
	l = find_lib(&fx.res, "libx.so");
	assert_non_null(l);
	assert_null(l->path);
	l = find_lib(&fx.res, "/opt/no-such-preload.so");
	assert_non_null(l);
	assert_null(l->path);
	assert_int_equal(fx.res.unresolved_nr, 2);
	/* each library once */
	for (size_t i = 0; i < fx.res.libs_nr; i++)
		for (size_t j = i + 1; j < fx.res.libs_nr; j++)
			if (fx.res.libs[i].real && fx.res.libs[j].real)
				assert_string_not_equal(fx.res.libs[i].real, fx.res.libs[j].real);
	assert_string_equal(ldso_cache_kind(fx.ld), "conf");
	close_root(&fx);
	warn_drain(count_warning, &warnings);
	assert_true(warnings >= 1); /* the corrupt cache */
}

static void test_errors(void **state)
{
	struct fixture fx;

	(void)state;
	if (!ready)
		skip();
	open_root(&fx, "R", NULL, 0);
	assert_int_equal(ldso_resolve(fx.ld, "/no/such/program", &fx.res), -ENOENT);
	assert_non_null(strstr(err_msg(), "/no/such/program"));
	err_clear();
	/* An ELF32 file: recognised, refused with a reason. */
	assert_int_equal(ldso_resolve(fx.ld, "/opt/app/rlib32/libfoo.so", &fx.res), -ENOEXEC);
	assert_non_null(strstr(err_msg(), "ELF32"));
	err_clear();
	assert_int_equal(ldso_resolve(fx.ld, "/etc/ld.so.conf", &fx.res), -ENOEXEC);
	err_clear();
	assert_int_equal(ldso_resolve(fx.ld, "/opt", &fx.res), -EISDIR);
	err_clear();
	close_root(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_against_ld_so),
		cmocka_unit_test(test_against_musl),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
