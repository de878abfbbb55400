#include "util/cachefile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"
#include "util/xalloc.h"

int cachefile_write(const char *path, const void *data, size_t len, unsigned mode)
{
	char *tmp = xasprintf("%s.tmp.XXXXXX", path);
	const char *p = data;
	int fd, ret = 0;

	fd = mkstemp(tmp);
	if (fd < 0) {
		ret = err_set(errno, "cannot create '%s': %s", tmp, strerror(errno));
		goto out_free;
	}
	for (size_t left = len; left;) {
		ssize_t n = write(fd, p, left);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = err_set(n < 0 ? errno : EIO, "cannot write '%s': %s", tmp,
				      strerror(n < 0 ? errno : EIO));
			goto out_unlink;
		}
		p += n;
		left -= (size_t)n;
	}
	if (fchmod(fd, mode)) {
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
