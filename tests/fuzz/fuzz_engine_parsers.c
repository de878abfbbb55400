/*
 * libFuzzer target for engine/'s parsers of untrusted text: seccomp audit
 * records (kernel log lines), docker run options strings (images JSON),
 * the engine's multiplexed log stream, log normalisation, and the profile
 * transforms validation applies to a user's profile.  The first byte picks
 * the parser.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/audit.h"
#include "engine/container.h"
#include "engine/runopts.h"
#include "engine/validate.h"
#include "util/error.h"
#include "util/strbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size < 1 || size > (1u << 16))
		return 0;
	s = malloc(size);
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	switch (data[0] % 5) {
	case 0: {
		struct audit_record r;
		char id[65];

		(void)audit_parse_seccomp((const char *)data + 1, size - 1, &r);
		(void)audit_cgroup_container_id(s, id);
		break;
	}
	case 1: {
		struct container_spec spec;

		container_spec_init(&spec);
		spec.image = strdup("x");
		if (runopts_parse(s, &spec) == 0)
			free(container_spec_json(&spec, "fuzz"));
		container_spec_release(&spec);
		break;
	}
	case 2: {
		struct strbuf out, err;

		strbuf_init(&out, 1u << 20);
		strbuf_init(&err, 1u << 20);
		(void)container_demux(data + 1, size - 1, &out, &err);
		strbuf_release(&out);
		strbuf_release(&err);
		break;
	}
	case 3: {
		char *norm = validate_normalize_log((const char *)data + 1, size - 1);

		free(validate_canon_line(norm));
		free(norm);
		break;
	}
	case 4: {
		char *out = NULL;
		struct strlist ex = { 0 };
		char *names[] = { "read", "accept4" };

		if (validate_audit_profile(s, &out, &ex) == 0)
			free(out);
		strlist_clear(&ex);
		if (validate_profile_add(s, names, 2, &out) == 0)
			free(out);
		break;
	}
	}
	err_clear();
	free(s);
	return 0;
}
