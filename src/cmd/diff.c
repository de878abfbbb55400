/*
 * confine diff A B: which system calls profile B allows that A does not
 * (added) and the reverse (removed).  Both may be any layout
 * profile_read_file() knows, so a Confine deny list compares with a
 * confine allowlist.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "profile/profile.h"
#include "util/error.h"
#include "util/xalloc.h"

static const char usage[] =
	"usage: confine diff [--json] [--exit-code] A.json B.json\n"
	"\n"
	"Compare two seccomp profiles (Docker/OCI JSON, Confine's deny lists or its\n"
	"{\"default\": [...]} file) by what they allow on x86_64.\n"
	"  +NAME   allowed by B, not by A (added)\n"
	"  -NAME   allowed by A, not by B (removed)\n"
	"\n"
	"  --exit-code   exit 1 when the profiles differ (like git diff --exit-code)\n"
	"  -j, --json    {\"a\", \"b\", \"added\", \"removed\", \"a_allowed\", \"b_allowed\"}\n";

static const char *kind_name(enum profile_kind k)
{
	switch (k) {
	case PROFILE_KIND_ALLOWLIST:
		return "allowlist";
	case PROFILE_KIND_DENYLIST:
		return "denylist";
	case PROFILE_KIND_CONFINE_DEFAULT:
		return "confine-default";
	}
	return "?";
}

/* Names of the table's syscalls in 'in' but not in 'not_in' (table order is by number). */
static json_t *only_in(const struct sysset *in, const struct sysset *not_in)
{
	const struct syscall_info *tab;
	size_t n, i;
	json_t *a = json_array();

	tab = syscall_table(SYS_ARCH_X86_64, &n);
	for (i = 0; i < n; i++)
		if (sysset_has(in, tab[i].nr) && !sysset_has(not_in, tab[i].nr))
			json_array_append_new(a, json_string(tab[i].name));
	return a;
}

static int cmp_json_str(const void *a, const void *b)
{
	return strcmp(json_string_value(*(json_t *const *)a),
		      json_string_value(*(json_t *const *)b));
}

/* Sort a JSON array of strings in place (deterministic output). */
static void sort_names(json_t *a)
{
	size_t n = json_array_size(a), i;
	json_t **v = xcalloc(n + 1, sizeof(*v));

	for (i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(a, i));
	qsort(v, n, sizeof(*v), cmp_json_str);
	json_array_clear(a);
	for (i = 0; i < n; i++)
		json_array_append_new(a, v[i]);
	free(v);
}

static void warn_unknown(const char *file, const struct profile *p)
{
	size_t i;

	for (i = 0; i < p->unknown_nr; i++)
		warn_add("%s: syscall name '%s' is unknown on x86_64 (ignored)", file,
			 p->unknown[i]);
}

int cmd_diff(int argc, char **argv)
{
	struct profile a, b;
	enum profile_kind ka, kb;
	bool exit_code = false;
	json_t *added = NULL, *removed = NULL;
	const char *files[2] = { NULL, NULL };
	size_t nfiles = 0, i;
	int ret = 1;

	argc = cmd_parse_common(argc, argv, usage);
	for (i = 1; i < (size_t)argc; i++) {
		if (!strcmp(argv[i], "--exit-code")) {
			exit_code = true;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			p_err("diff: unknown option '%s'", argv[i]);
			fputs(usage, stderr);
			return 2;
		} else if (nfiles < 2) {
			files[nfiles++] = argv[i];
		} else {
			nfiles++;
		}
	}
	if (nfiles != 2) {
		p_err("diff: needs exactly two profiles");
		fputs(usage, stderr);
		return 2;
	}
	profile_init(&a, SYS_ARCH_X86_64);
	profile_init(&b, SYS_ARCH_X86_64);
	if (profile_read_file(files[0], &a, &ka) || profile_read_file(files[1], &b, &kb)) {
		p_err_last();
		goto out;
	}
	warn_unknown(files[0], &a);
	warn_unknown(files[1], &b);
	added = only_in(&b.allow, &a.allow);
	removed = only_in(&a.allow, &b.allow);
	sort_names(added);
	sort_names(removed);
	if (cmd_opts.json) {
		json_t *o = json_object();

		json_object_set_new(o, "a", json_string(files[0]));
		json_object_set_new(o, "b", json_string(files[1]));
		json_object_set_new(o, "a_kind", json_string(kind_name(ka)));
		json_object_set_new(o, "b_kind", json_string(kind_name(kb)));
		json_object_set_new(o, "a_allowed", json_integer((json_int_t)sysset_count(&a.allow)));
		json_object_set_new(o, "b_allowed", json_integer((json_int_t)sysset_count(&b.allow)));
		json_object_set_new(o, "added", json_incref(added));
		json_object_set_new(o, "removed", json_incref(removed));
		json_object_set_new(o, "warnings", p_warnings_json());
		json_dumpf(o, stdout, JSON_PRESERVE_ORDER | JSON_INDENT(2));
		fputc('\n', stdout);
		json_decref(o);
	} else {
		json_t *v;

		json_array_foreach(removed, i, v)
			printf("-%s\n", json_string_value(v));
		json_array_foreach(added, i, v)
			printf("+%s\n", json_string_value(v));
		p_warnings();
		if (!cmd_opts.quiet)
			fprintf(stderr, "%s (%s): %zu allowed; %s (%s): %zu allowed; %zu added, %zu removed\n",
				files[0], kind_name(ka), sysset_count(&a.allow), files[1],
				kind_name(kb), sysset_count(&b.allow), json_array_size(added),
				json_array_size(removed));
	}
	ret = exit_code && (json_array_size(added) || json_array_size(removed)) ? 1 : 0;
out:
	json_decref(added);
	json_decref(removed);
	profile_release(&a);
	profile_release(&b);
	return ret;
}
