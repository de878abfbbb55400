#include "image/archrt.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/dlsyms.h"
#include "util/error.h"

#define ARCHRT_LIB "libarchive.so.13"

/* The library's functions, by the names confine calls. */
static struct {
	__typeof__(archive_read_new) *read_new;
	__typeof__(archive_read_free) *read_free;
	__typeof__(archive_read_support_filter_bzip2) *support_filter_bzip2;
	__typeof__(archive_read_support_filter_gzip) *support_filter_gzip;
	__typeof__(archive_read_support_filter_xz) *support_filter_xz;
	__typeof__(archive_read_support_filter_zstd) *support_filter_zstd;
	__typeof__(archive_read_support_format_raw) *support_format_raw;
	__typeof__(archive_read_support_format_tar) *support_format_tar;
	__typeof__(archive_read_open) *read_open;
	__typeof__(archive_read_open_filename) *read_open_filename;
	__typeof__(archive_read_next_header) *read_next_header;
	__typeof__(archive_read_data) *read_data;
	__typeof__(archive_read_data_block) *read_data_block;
	__typeof__(archive_errno) *errno_;
	__typeof__(archive_error_string) *error_string;
	__typeof__(archive_set_error) *set_error;
	__typeof__(archive_entry_filetype) *entry_filetype;
	__typeof__(archive_entry_gid) *entry_gid;
	__typeof__(archive_entry_hardlink) *entry_hardlink;
	__typeof__(archive_entry_mode) *entry_mode;
	__typeof__(archive_entry_pathname) *entry_pathname;
	__typeof__(archive_entry_perm) *entry_perm;
	__typeof__(archive_entry_size) *entry_size;
	__typeof__(archive_entry_symlink) *entry_symlink;
	__typeof__(archive_entry_uid) *entry_uid;
} fns;

static const struct dlsym_want wanted[] = {
	{ "archive_read_new", (void **)&fns.read_new },
	{ "archive_read_free", (void **)&fns.read_free },
	{ "archive_read_support_filter_bzip2", (void **)&fns.support_filter_bzip2 },
	{ "archive_read_support_filter_gzip", (void **)&fns.support_filter_gzip },
	{ "archive_read_support_filter_xz", (void **)&fns.support_filter_xz },
	{ "archive_read_support_filter_zstd", (void **)&fns.support_filter_zstd },
	{ "archive_read_support_format_raw", (void **)&fns.support_format_raw },
	{ "archive_read_support_format_tar", (void **)&fns.support_format_tar },
	{ "archive_read_open", (void **)&fns.read_open },
	{ "archive_read_open_filename", (void **)&fns.read_open_filename },
	{ "archive_read_next_header", (void **)&fns.read_next_header },
	{ "archive_read_data", (void **)&fns.read_data },
	{ "archive_read_data_block", (void **)&fns.read_data_block },
	{ "archive_errno", (void **)&fns.errno_ },
	{ "archive_error_string", (void **)&fns.error_string },
	{ "archive_set_error", (void **)&fns.set_error },
	{ "archive_entry_filetype", (void **)&fns.entry_filetype },
	{ "archive_entry_gid", (void **)&fns.entry_gid },
	{ "archive_entry_hardlink", (void **)&fns.entry_hardlink },
	{ "archive_entry_mode", (void **)&fns.entry_mode },
	{ "archive_entry_pathname", (void **)&fns.entry_pathname },
	{ "archive_entry_perm", (void **)&fns.entry_perm },
	{ "archive_entry_size", (void **)&fns.entry_size },
	{ "archive_entry_symlink", (void **)&fns.entry_symlink },
	{ "archive_entry_uid", (void **)&fns.entry_uid },
};

static pthread_once_t once = PTHREAD_ONCE_INIT;
static bool loaded;
static char why[512];

static void load(void)
{
	loaded = dlsyms_load(ARCHRT_LIB, wanted, sizeof(wanted) / sizeof(wanted[0]), why, sizeof(why)) != NULL;
}

int archrt_load(void)
{
	pthread_once(&once, load);
	if (!loaded)
		return err_set(ELIBACC, "cannot load %s (the tar reader confine uses for image archives and layers): %s",
			       ARCHRT_LIB, why);
	return 0;
}

/*
 * The loaded functions.  Only an object archive_read_new made reaches the
 * others, so the library is loaded by then; a program that also links
 * libarchive (the unit tests write archives) may reach them from inside
 * the library itself, first: they load it too.
 */
static const __typeof__(fns) *lib(void)
{
	if (archrt_load() != 0) {
		fprintf(stderr, "confine: %s\n", err_msg());
		abort();
	}
	return &fns;
}

struct archive *archive_read_new(void)
{
	if (archrt_load() != 0)
		return NULL;
	return fns.read_new();
}

int archive_read_free(struct archive *a)
{
	return lib()->read_free(a);
}

int archive_read_support_filter_bzip2(struct archive *a)
{
	return lib()->support_filter_bzip2(a);
}

int archive_read_support_filter_gzip(struct archive *a)
{
	return lib()->support_filter_gzip(a);
}

int archive_read_support_filter_xz(struct archive *a)
{
	return lib()->support_filter_xz(a);
}

int archive_read_support_filter_zstd(struct archive *a)
{
	return lib()->support_filter_zstd(a);
}

int archive_read_support_format_raw(struct archive *a)
{
	return lib()->support_format_raw(a);
}

int archive_read_support_format_tar(struct archive *a)
{
	return lib()->support_format_tar(a);
}

int archive_read_open(struct archive *a, void *data, archive_open_callback *open_cb, archive_read_callback *read_cb,
		      archive_close_callback *close_cb)
{
	return lib()->read_open(a, data, open_cb, read_cb, close_cb);
}

int archive_read_open_filename(struct archive *a, const char *filename, size_t block_size)
{
	return lib()->read_open_filename(a, filename, block_size);
}

int archive_read_next_header(struct archive *a, struct archive_entry **entry)
{
	return lib()->read_next_header(a, entry);
}

la_ssize_t archive_read_data(struct archive *a, void *buf, size_t len)
{
	return lib()->read_data(a, buf, len);
}

int archive_read_data_block(struct archive *a, const void **buf, size_t *size, la_int64_t *offset)
{
	return lib()->read_data_block(a, buf, size, offset);
}

int archive_errno(struct archive *a)
{
	return lib()->errno_(a);
}

const char *archive_error_string(struct archive *a)
{
	return lib()->error_string(a);
}

void archive_set_error(struct archive *a, int err, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	lib()->set_error(a, err, "%s", msg);
}

__LA_MODE_T archive_entry_filetype(struct archive_entry *e)
{
	return lib()->entry_filetype(e);
}

la_int64_t archive_entry_gid(struct archive_entry *e)
{
	return lib()->entry_gid(e);
}

const char *archive_entry_hardlink(struct archive_entry *e)
{
	return lib()->entry_hardlink(e);
}

__LA_MODE_T archive_entry_mode(struct archive_entry *e)
{
	return lib()->entry_mode(e);
}

const char *archive_entry_pathname(struct archive_entry *e)
{
	return lib()->entry_pathname(e);
}

__LA_MODE_T archive_entry_perm(struct archive_entry *e)
{
	return lib()->entry_perm(e);
}

la_int64_t archive_entry_size(struct archive_entry *e)
{
	return lib()->entry_size(e);
}

const char *archive_entry_symlink(struct archive_entry *e)
{
	return lib()->entry_symlink(e);
}

la_int64_t archive_entry_uid(struct archive_entry *e)
{
	return lib()->entry_uid(e);
}
