/*
 * confine validate IMAGE PROFILE: run the image under the profile and
 * compare with a run where nothing is denied (see engine/validate.h).
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "engine/container.h"
#include "engine/probe.h"
#include "engine/runopts.h"
#include "engine/runtime.h"
#include "engine/validate.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/xalloc.h"

#define REPAIR_ROUNDS 5

static const char usage[] =
	"usage: confine validate [options] IMAGE PROFILE [-- CMD [ARG...]]\n"
	"\n"
	"Run IMAGE (docker:NAME[:TAG] or NAME[:TAG]) under the seccomp PROFILE (Docker/OCI\n"
	"JSON) and check it still works: an audit run (the profile with SCMP_ACT_LOG instead\n"
	"of denying; also the baseline) names every system call the profile would deny, and\n"
	"a hardened run must behave like the baseline: up at the end of the window (or exited\n"
	"with the same code), same logs after normalising numbers, health check passing.\n"
	"\n"
	"options:\n"
	"  --healthcheck SPEC   http://127.0.0.1:PORT/PATH, tcp:127.0.0.1:PORT, cmd:SHELL-CMD\n"
	"                       or exec:ARGV (in the container), host:SHELL-CMD (on the\n"
	"                       host; default: the image's HEALTHCHECK, if any)\n"
	"  --options STR        docker run options for the containers (\"-e K=V --network host\")\n"
	"  --timeout S          longest observation per run in seconds (default 10)\n"
	"  --idle MS            the container counts as settled after MS idle (default 800)\n"
	"  --separate-baseline  an extra baseline run under seccomp=unconfined\n"
	"  --repair             add the missing system calls to the profile and revalidate\n"
	"  -o FILE              where --repair writes the profile (default: PROFILE itself)\n"
	"  --audit-only         only the audit run: list what the profile would deny\n"
	"  -j, --json           JSON report on stdout\n"
	"  -q, --quiet          no progress or informational messages\n"
	"\n"
	"Exit status: 0 the profile passed, 1 it failed (or validation could not run), 2 usage.\n";

static struct dockerapi api;
static bool api_ready;

static void cleanup(void)
{
	if (!api_ready)
		return;
	container_cleanup_all(&api);
	err_clear();
}

static json_t *run_json(const struct validate_run *v)
{
	json_t *o = json_object();

	json_object_set_new(o, "ran", json_boolean(v->ran));
	json_object_set_new(o, "started", json_boolean(v->started));
	json_object_set_new(o, "exited", json_boolean(v->exited));
	json_object_set_new(o, "exit_code", json_integer(v->exit_code));
	json_object_set_new(o, "seconds", json_real((double)v->ms / 1000.0));
	json_object_set_new(o, "log_lines", json_integer((json_int_t)v->log_lines));
	if (v->probe_ran)
		json_object_set_new(o, "health_check", json_boolean(v->probe_ok));
	if (v->start_error)
		json_object_set_new(o, "start_error", json_string(v->start_error));
	if (v->probe_error)
		json_object_set_new(o, "health_error", json_string(v->probe_error));
	return o;
}

static json_t *missing_json(const struct validate_result *r, bool explicit_rule)
{
	json_t *a = json_array();

	for (size_t i = 0; i < r->missing_nr; i++) {
		const struct validate_missing *m = &r->missing[i];
		json_t *o;

		if (m->explicit_rule != explicit_rule)
			continue;
		o = json_object();
		json_object_set_new(o, "name", m->name ? json_string(m->name) : json_null());
		json_object_set_new(o, "nr", json_integer(m->nr));
		json_object_set_new(o, "arch", json_string(m->arch == AUDIT_ARCH_X86_64_ID ? "x86_64"
							  : m->arch == AUDIT_ARCH_I386_ID ? "x86"
											  : "other"));
		json_object_set_new(o, "count", json_integer((json_int_t)m->count));
		json_object_set_new(o, "comms", json_string(m->comms ? m->comms : ""));
		json_object_set_new(o, "exes", json_string(m->exes ? m->exes : ""));
		json_object_set_new(o, "runtime", json_boolean(m->by_runtime));
		json_array_append_new(a, o);
	}
	return a;
}

static void describe_run(const char *what, const struct validate_run *v)
{
	if (!v->ran)
		return;
	if (!v->started) {
		p_info("%s: did not start: %s", what, v->start_error ? v->start_error : "?");
		return;
	}
	p_info("%s: %s after %.1f s%s, %zu log lines", what, v->exited ? "exited" : "running",
	       (double)v->ms / 1000.0,
	       v->probe_ran ? (v->probe_ok ? ", health check passed" : ", health check FAILED") : "",
	       v->log_lines);
	if (v->exited)
		p_info("  exit code %d", v->exit_code);
}

static void describe_missing(const struct validate_result *r)
{
	for (size_t i = 0; i < r->missing_nr; i++) {
		const struct validate_missing *m = &r->missing[i];

		if (m->explicit_rule)
			continue;
		if (m->name)
			p_info("  denied: %-16s (nr %d, %llu call%s by %s)%s", m->name, m->nr,
			       (unsigned long long)m->count, m->count == 1 ? "" : "s",
			       m->exes ? m->exes : m->comms ? m->comms : "?",
			       m->by_runtime ? " -- the container runtime needs it" : "");
		else
			p_info("  denied: syscall %d on arch %#x (%llu calls by %s)", m->nr, m->arch,
			       (unsigned long long)m->count, m->exes ? m->exes : m->comms ? m->comms : "?");
	}
}

int cmd_validate(int argc, char **argv)
{
	const char *healthcheck = NULL, *options = NULL, *out_path = NULL;
	const char *image_arg, *profile_path;
	char *profile = NULL, *image = NULL;
	long timeout_s = 10, idle_ms = 0;
	bool separate = false, repair = false, audit_only = false;
	struct container_spec spec;
	struct probe probe = { 0 };
	struct validate_result res;
	struct strlist repaired = { 0 };
	char **pos = NULL;
	size_t pos_nr = 0, pos_alloc = 0, len;
	int i, ret, status = 1, cmd_start = -1, rounds = 0;

	argc = cmd_parse_common(argc, argv, usage);
	container_spec_init(&spec);
	validate_result_init(&res);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			cmd_start = i + 1;
			break;
		}
		if (!strcmp(a, "--separate-baseline")) {
			separate = true;
		} else if (!strcmp(a, "--repair")) {
			repair = true;
		} else if (!strcmp(a, "--audit-only")) {
			audit_only = true;
		} else if (!strcmp(a, "--healthcheck") || !strcmp(a, "--options") ||
			   !strcmp(a, "--timeout") || !strcmp(a, "--idle") || !strcmp(a, "-o")) {
			char *end;

			if (i + 1 >= argc) {
				p_err("option '%s' needs a value", a);
				status = 2;
				goto out;
			}
			const char *v = argv[++i];

			if (!strcmp(a, "--healthcheck")) {
				healthcheck = v;
			} else if (!strcmp(a, "--options")) {
				options = v;
			} else if (!strcmp(a, "-o")) {
				out_path = v;
			} else {
				long n = strtol(v, &end, 10);

				if (end == v || *end || n <= 0 || n > 3600000) {
					p_err("option '%s': bad number '%s'", a, v);
					status = 2;
					goto out;
				}
				if (!strcmp(a, "--timeout"))
					timeout_s = n;
				else
					idle_ms = n;
			}
		} else if (a[0] == '-' && a[1]) {
			p_err("unknown option '%s'\n%s", a, usage);
			status = 2;
			goto out;
		} else {
			ALLOC_GROW(pos, pos_nr + 1, pos_alloc);
			pos[pos_nr++] = argv[i];
		}
	}
	if (pos_nr != 2) {
		p_err("expected IMAGE and PROFILE\n%s", usage);
		status = 2;
		goto out;
	}
	image_arg = pos[0];
	profile_path = pos[1];
	if (!strncmp(image_arg, "docker:", 7)) {
		image = xstrdup(image_arg + 7);
	} else if (!strncmp(image_arg, "oci:", 4) || !strncmp(image_arg, "oci-archive:", 12) ||
		   !strncmp(image_arg, "dir:", 4) || !strncmp(image_arg, "docker-archive:", 15)) {
		p_err("cannot validate '%s': validation runs containers, so the image must be docker:NAME",
		      image_arg);
		goto out;
	} else {
		image = xstrdup(image_arg);
	}
	if (!*image) {
		p_err("empty image name");
		status = 2;
		goto out;
	}
	ret = fs_read_file(profile_path, 8u << 20, &profile, &len);
	if (ret < 0) {
		p_err("cannot read profile '%s': %s", profile_path, err_msg());
		goto out;
	}
	{
		/* Check the profile before any container runs. */
		char *tmp = NULL;

		ret = validate_audit_profile(profile, &tmp, NULL);
		free(tmp);
		if (ret < 0) {
			p_err("profile '%s': %s", profile_path, err_msg());
			goto out;
		}
	}
	spec.image = xstrdup(image);
	if (cmd_spec_args(&spec, options, argc, argv, cmd_start) < 0) {
		p_err_last();
		status = 2;
		goto out;
	}
	if (healthcheck && probe_parse(healthcheck, &probe) < 0) {
		p_err_last();
		status = 2;
		goto out;
	}

	if (cmd_engine_open(&api, image, healthcheck != NULL, &probe) < 0) {
		p_err_last();
		goto out;
	}
	api_ready = true;

	{
		/* Say up front when the runtime itself will be refused. */
		struct runtime_info info;
		char **names = NULL;
		size_t n = 0;

		if (runtime_detect(&api, &info) == 0) {
			if (runtime_syscall_names(&info, &names, &n, NULL) == 0) {
				struct strbuf miss;

				strbuf_init(&miss, 0);
				if (validate_not_allowed(profile, names, n, &miss))
					warn_add("the profile does not allow what %s %s calls after loading "
						 "it (%s): the container may fail to start under it",
						 info.name, info.version ? info.version : "", miss.buf);
				strbuf_release(&miss);
				runtime_names_free(names);
			}
			runtime_info_release(&info);
		}
		err_clear();
	}
	p_info("validating %s with %s", image, profile_path);
	for (;;) {
		struct validate_opts vo = {
			.profile_json = profile,
			.probe = probe.kind != PROBE_NONE ? &probe : NULL,
			.timeout_ms = timeout_s * 1000,
			.idle_ms = idle_ms,
			.separate_baseline = separate,
			.audit_only = audit_only,
			.progress = cmd_progress(),
		};
		struct sysset miss;
		char **names;
		size_t n, k = 0;
		char *fixed = NULL;
		struct strbuf list;

		validate_result_release(&res);
		validate_result_init(&res);
		ret = validate_profile(&api, &spec, &vo, &res);
		cmd_progress_done();
		if (ret < 0) {
			p_err("validation of %s could not run: %s", image, err_msg());
			goto out;
		}
		if (res.ok || !repair || audit_only || rounds >= REPAIR_ROUNDS)
			break;
		n = validate_missing_set(&res, &miss);
		if (!n)
			break;
		names = xcalloc(n, sizeof(*names));
		strbuf_init(&list, 0);
		for (int nr = 0; nr < SYSSET_NR; nr++) {
			const char *nm;

			if (!sysset_has(&miss, nr) || !(nm = syscall_name(SYS_ARCH_X86_64, nr)))
				continue;
			names[k++] = (char *)nm;
			strlist_push(&repaired, nm);
			strbuf_addf(&list, "%s%s", list.len ? ", " : "", nm);
		}
		ret = validate_profile_add(profile, names, k, &fixed);
		free(names);
		if (ret < 0) {
			strbuf_release(&list);
			p_err_last();
			goto out;
		}
		p_info("repair: adding %s; revalidating", list.buf);
		strbuf_release(&list);
		free(profile);
		profile = fixed;
		rounds++;
	}
	if (repair && rounds) {
		const char *dst = out_path ? out_path : profile_path;

		ret = fs_write_atomic(dst, profile, strlen(profile), 0644);
		if (ret < 0) {
			p_err("cannot write the repaired profile: %s", err_msg());
			goto out;
		}
		p_info("repair: wrote %s", dst);
	}

	if (cmd_opts.json) {
		json_t *o = json_object(), *runs = json_object(), *reasons = json_array(), *au;

		json_object_set_new(o, "image", json_string(image));
		json_object_set_new(o, "profile", json_string(profile_path));
		json_object_set_new(o, "ok", json_boolean(res.ok));
		json_object_set_new(o, "seconds", json_real((double)res.total_ms / 1000.0));
		json_object_set_new(runs, "baseline", run_json(&res.baseline));
		json_object_set_new(runs, "hardened", run_json(&res.hardened));
		json_object_set_new(runs, "audit", run_json(&res.audit));
		json_object_set_new(o, "baseline_is_audit_run", json_boolean(res.baseline_is_audit));
		json_object_set_new(o, "runs", runs);
		json_object_set_new(o, "logs_equal", json_boolean(res.logs_equal));
		if (res.log_diff)
			json_object_set_new(o, "log_diff", json_string(res.log_diff));
		json_object_set_new(o, "missing", missing_json(&res, false));
		json_object_set_new(o, "denied_by_enosys_rules", missing_json(&res, true));
		au = json_object();
		json_object_set_new(au, "source", json_string(res.audit_source == AUDIT_SOURCE_NETLINK ? "netlink"
							      : res.audit_source == AUDIT_SOURCE_KMSG  ? "kmsg"
													: "none"));
		json_object_set_new(au, "records", json_integer((json_int_t)res.audit_records));
		json_object_set_new(au, "foreign_records", json_integer((json_int_t)res.audit_foreign));
		json_object_set_new(au, "lost", json_integer((json_int_t)res.audit_lost));
		json_object_set_new(o, "audit", au);
		for (size_t r = 0; r < res.reasons.nr; r++)
			json_array_append_new(reasons, json_string(res.reasons.v[r]));
		json_object_set_new(o, "reasons", reasons);
		{
			json_t *rep = json_array();

			for (size_t r = 0; r < repaired.nr; r++)
				json_array_append_new(rep, json_string(repaired.v[r]));
			json_object_set_new(o, "repaired", rep);
		}
		json_object_set_new(o, "warnings", p_warnings_json());
		json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
		fputc('\n', stdout);
		json_decref(o);
	} else {
		describe_run(res.baseline_is_audit ? "audit run (baseline)" : "baseline run",
			     &res.baseline);
		if (!res.baseline_is_audit)
			describe_run("audit run", &res.audit);
		describe_run("hardened run", &res.hardened);
		describe_missing(&res);
		if (res.ok) {
			if (!cmd_opts.quiet)
				printf("%s hardened SUCCESSFULLY! (%.1f s)\n", image,
				       (double)res.total_ms / 1000.0);
		} else {
			printf("%s: validation FAILED (%.1f s)\n", image, (double)res.total_ms / 1000.0);
			for (size_t r = 0; r < res.reasons.nr; r++)
				printf("  - %s\n", res.reasons.v[r]);
		}
	}
	status = res.ok ? 0 : 1;
out:
	p_warnings();
	cleanup();
	if (api_ready) {
		dockerapi_release(&api);
		api_ready = false;
	}
	if (container_interrupted)
		status = 130;
	validate_result_release(&res);
	strlist_clear(&repaired);
	probe_release(&probe);
	container_spec_release(&spec);
	free(pos);
	free(profile);
	free(image);
	return status;
}
