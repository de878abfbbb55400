#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"
#include "util/xalloc.h"

static int write_replace(const char *path, const void *data, size_t len, unsigned mode,
			 bool sync)
{
	char *tmp = xasprintf("%s.tmp.XXXXXX", path);
	const char *p = data;
	int fd, ret = 0;

	fd = mkstemp(tmp);
	if (fd < 0) {
		ret = err_set(errno, "cannot create '%s': %s", tmp, strerror(errno));
		goto out_free;
	}
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = err_set(errno, "cannot write '%s': %s", tmp, strerror(errno));
			goto out_unlink;
		}
		p += n;
		len -= (size_t)n;
	}
	if (fchmod(fd, mode) || (sync && fsync(fd))) {
		ret = err_set(errno, "cannot write '%s': %s", tmp, strerror(errno));
		goto out_unlink;
	}
	if (close(fd)) {
		fd = -1;
		ret = err_set(errno, "cannot write '%s': %s", tmp, strerror(errno));
		goto out_unlink;
	}
	fd = -1;
	if (rename(tmp, path)) {
		ret = err_set(errno, "cannot rename '%s' to '%s': %s", tmp, path, strerror(errno));
		goto out_unlink;
	}
	goto out_free;
out_unlink:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
out_free:
	free(tmp);
	return ret;
}

int fs_write_atomic(const char *path, const void *data, size_t len, unsigned mode)
{
	return write_replace(path, data, len, mode, true);
}

int fs_write_cache(const char *path, const void *data, size_t len, unsigned mode)
{
	return write_replace(path, data, len, mode, false);
}

int fs_mkdir_p(const char *path, unsigned mode)
{
	char *p = xstrdup(path), *s;
	int ret = 0;

	for (s = p + 1;; s++) {
		char c = *s;

		if (c != '/' && c != '\0')
			continue;
		*s = '\0';
		if (mkdir(p, mode) && errno != EEXIST) {
			ret = err_set(errno, "cannot create folder '%s': %s", p, strerror(errno));
			break;
		}
		*s = c;
		if (!c)
			break;
	}
	if (!ret) {
		struct stat st;

		if (stat(path, &st) || !S_ISDIR(st.st_mode))
			ret = err_set(ENOTDIR, "cannot create folder '%s': not a folder", path);
	}
	free(p);
	return ret;
}

int fs_read_file(const char *path, size_t cap, char **data, size_t *len)
{
	struct stat st;
	char *buf = NULL;
	size_t have = 0, alloc = 0;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(errno, "cannot open '%s': %s", path, strerror(errno));
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		ret = err_set(EISDIR, "cannot read '%s': is a folder", path);
		goto out;
	}
	/*
	 * A regular file's size is known: read it into a buffer that size
	 * (and two: the NUL, and room to see the end) rather than doubling one
	 * from 4 KiB, copying a 4 MB summary ten times.
	 */
	if (S_ISREG(st.st_mode) && st.st_size > 0 && (uint64_t)st.st_size <= cap) {
		alloc = (size_t)st.st_size + 2;
		buf = xmalloc(alloc);
	}
	for (;;) {
		ssize_t n;

		if (have + 1 >= alloc) {
			if (alloc > cap) {
				ret = err_set(EFBIG, "cannot read '%s': larger than %zu bytes", path, cap);
				goto out;
			}
			alloc = alloc ? alloc * 2 : 4096;
			buf = xrealloc(buf, alloc);
		}
		n = read(fd, buf + have, alloc - have - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = err_set(errno, "cannot read '%s': %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		have += (size_t)n;
		if (have > cap) {
			ret = err_set(EFBIG, "cannot read '%s': larger than %zu bytes", path, cap);
			goto out;
		}
	}
	if (!buf)
		buf = xmalloc(1);
	buf[have] = '\0';
	*data = buf;
	*len = have;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return ret;
}

int fs_map_file(const char *path, struct fs_map *map)
{
	struct stat st;
	void *p;
	int fd;

	map->data = NULL;
	map->size = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(errno, "cannot open '%s': %s", path, strerror(errno));
	if (fstat(fd, &st)) {
		int e = errno;

		close(fd);
		return err_set(e, "cannot stat '%s': %s", path, strerror(e));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(EINVAL, "cannot map '%s': not a regular file", path);
	}
	if (st.st_size == 0) {
		close(fd);
		map->data = (const uint8_t *)"";
		return 0;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return err_set(errno, "cannot map '%s': %s", path, strerror(errno));
	map->data = p;
	map->size = (size_t)st.st_size;
	return 0;
}

void fs_unmap(struct fs_map *map)
{
	if (map->size)
		munmap((void *)map->data, map->size);
	map->data = NULL;
	map->size = 0;
}

/*
 * Smaller mappings keep their pages: each madvise() flushes the TLB of
 * every CPU the process runs on (an interrupt to each), and the nginx
 * image's 749 files, most of them a few KiB, made 766 such calls, while
 * its 530 files under 64 KiB are 15 MB together.
 */
#define DROP_MIN (64u << 10)

void fs_map_drop_pages(const struct fs_map *map)
{
	/* A private read-only file mapping: the pages come back from the file if read again. */
	if (map->size >= DROP_MIN)
		(void)madvise((void *)map->data, map->size, MADV_DONTNEED);
}

#define ARENA_RESERVE (64ull << 30) /* address space only: nothing is committed */

void *fs_arena_map(struct fs_arena *a, int fd, size_t size, bool *in_arena)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), span = (size + page - 1) & ~(page - 1);
	void *p;

	*in_arena = false;
	if (!a->base && !a->failed) {
		struct rlimit rl;
		size_t want = ARENA_RESERVE;

		/* Under ulimit -v the reservation counts: take at most a quarter of it. */
		if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur / 4 < want)
			want = (size_t)(rl.rlim_cur / 4) & ~(page - 1);
		p = want ? mmap(NULL, want, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0) : MAP_FAILED;
		a->failed = p == MAP_FAILED;
		if (!a->failed) {
			a->base = p;
			a->size = want;
		}
	}
	if (a->base && span && span <= a->size - a->used) {
		p = mmap(a->base + a->used, size, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0);
		if (p != MAP_FAILED) {
			a->used += span;
			*in_arena = true;
			return p;
		}
		/*
		 * A failed MAP_FIXED may have unmapped the stretch (older kernels):
		 * reserve it again, or else never unmap the arena whole, which
		 * could take a mapping someone else got in the hole.
		 */
		if (mmap(a->base + a->used, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED,
			 -1, 0) == MAP_FAILED)
			a->leak = true;
		a->used += span;
	}
	p = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	return p == MAP_FAILED ? NULL : p;
}

void fs_arena_unmap(struct fs_arena *a, void *p, size_t size, bool in_arena)
{
	(void)a;
	if (!in_arena)
		munmap(p, size);
	else
		/* Its pages go; the stretch stays ours until release. */
		(void)madvise(p, size, MADV_DONTNEED);
}

void fs_arena_release(struct fs_arena *a)
{
	if (a->base && !a->leak)
		munmap(a->base, a->size);
	a->base = NULL;
	a->size = a->used = 0;
}

static char *cache_dir;

const char *fs_cache_dir(void)
{
	const char *env;
	char *dir;

	if (cache_dir)
		return cache_dir;
	env = getenv("CONFINE_CACHE_DIR");
	if (env && *env) {
		dir = xstrdup(env);
	} else if ((env = getenv("XDG_CACHE_HOME")) && *env) {
		dir = fs_join(env, "confine");
	} else {
		const char *home = getenv("HOME");

		if (!home || !*home) {
			struct passwd *pw = getpwuid(getuid());

			home = pw ? pw->pw_dir : "/tmp";
		}
		dir = xasprintf("%s/.cache/confine", home);
	}
	if (fs_mkdir_p(dir, 0700)) {
		free(dir);
		return NULL;
	}
	cache_dir = dir;
	return cache_dir;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(path) ? -1 : 0;
	return unlink(path) ? -1 : 0;
}

int fs_remove_tree(const char *path)
{
	struct stat st;

	if (lstat(path, &st))
		return errno == ENOENT ? 0 : err_set(errno, "cannot remove '%s': %s", path, strerror(errno));
	if (nftw(path, rm_one, 32, FTW_DEPTH | FTW_PHYS))
		return err_set(errno, "cannot remove '%s': %s", path, strerror(errno));
	return 0;
}

char *fs_join(const char *a, const char *b)
{
	size_t la = strlen(a);

	while (la > 1 && a[la - 1] == '/')
		la--;
	while (*b == '/')
		b++;
	return xasprintf("%.*s/%s", (int)la, a, b);
}

bool fs_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}
