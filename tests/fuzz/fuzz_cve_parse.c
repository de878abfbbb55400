/*
 * libFuzzer target for the CVE layer's parsers: the first byte picks the
 * format (Confine's start-node, manual, type and details files, confine's
 * own table, a Docker profile), the rest is the file.  Whatever parses is
 * run through the report and its writers.  Hostile input must give an error
 * or warnings, never a crash, leak or sanitizer report.
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cve/cve.h"
#include "cve/dockerdefault.h"
#include "util/error.h"
#include "util/strbuf.h"

static void drop(const char *msg, void *ctx)
{
	(void)msg;
	(void)ctx;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cve_db db;
	struct cve_image_list images = { 0 };
	struct cve_report *r = NULL;
	char *copy;
	size_t len;
	unsigned sel;

	if (size < 1)
		return 0;
	sel = data[0] % 6;
	len = size - 1;
	/* A private, unterminated copy so reads past the end are caught. */
	copy = malloc(len ? len : 1);
	if (!copy)
		return 0;
	memcpy(copy, data + 1, len);
	cve_db_init(&db);
	switch (sel) {
	case 0:
		(void)cve_db_parse_startnodes(&db, copy, len, "fuzz");
		break;
	case 1:
		(void)cve_db_parse_manual(&db, copy, len, "fuzz");
		break;
	case 2:
		(void)cve_db_parse_types(&db, copy, len, "fuzz");
		break;
	case 3:
		(void)cve_db_parse_builtin(&db, copy, len, "fuzz");
		break;
	case 4:
		(void)cve_images_parse(&images, copy, len, "fuzz");
		break;
	case 5:
		(void)docker_default_blocked(copy, len, "fuzz", &db.docker_blocked);
		db.has_docker = true;
		break;
	}
	if (sel != 4) {
		/* A fixed image so parsed CVEs reach the report writers. */
		static const char one[] = "1;img;3;0;0;0;0;{'keyctl', 'add_key', 'waitid'}\n";

		(void)cve_images_parse(&images, one, sizeof(one) - 1, "fixed");
	}
	if (cve_report_build(&db, images.v, images.nr, &r) == 0) {
		struct strbuf sb;
		json_t *j;

		strbuf_init(&sb, 0);
		(void)cve_report_csv(r, &sb);
		(void)cve_report_summary(r, &sb, 3);
		strbuf_release(&sb);
		j = cve_report_json(r);
		json_decref(j);
		cve_report_free(r);
	}
	cve_image_list_release(&images);
	cve_db_release(&db);
	free(copy);
	warn_drain(drop, NULL);
	err_clear();
	return 0;
}
