#ifndef CONFINE_CMD_REPORT_HTML_H
#define CONFINE_CMD_REPORT_HTML_H

#include <stddef.h>

#include "cmd/pipeline.h"
#include "cve/cve.h"
#include "syscalls/syscalls.h"

struct report_html_image {
	const char *name;
	const struct pipeline_result *r;
};

/*
 * Write the batch's HTML report to 'path' (atomically): per image, every
 * x86_64 system call with confine's verdict beside Docker's default and
 * why confine allows it; then the CVEs the profiles shut out ('cves' may be
 * NULL).  'docker_blocked' is what the comparison profile blocks.
 * Returns 0 or a negative errno (message set).
 */
int report_html_write(const char *path, const struct report_html_image *images, size_t n,
		      const struct sysset *docker_blocked, const struct cve_report *cves);

#endif
