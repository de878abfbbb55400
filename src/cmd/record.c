/*
 * confine record IMAGE: run the image once with every system call allowed
 * and record, with the eBPF tracer, each call its processes make (the
 * observed set; with --profile, the calls a profile would deny).
 */
#include <errno.h>
#include <jansson.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "engine/container.h"
#include "engine/monitor.h"
#include "engine/probe.h"
#include "profile/profile.h"
#include "trace/exectrace.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

static const char usage[] =
	"usage: confine record [options] IMAGE [-- CMD [ARG...]]\n"
	"\n"
	"Run IMAGE (docker:NAME[:TAG] or NAME[:TAG]) once with every system call allowed,\n"
	"until it is idle (or --timeout), and record with eBPF every system call its\n"
	"processes make (not the runtime's own).  Needs root and a kernel with BTF.\n"
	"\n"
	"options:\n"
	"  --workload SPEC      run once it is idle: http://127.0.0.1:PORT/PATH,\n"
	"                       tcp:127.0.0.1:PORT, cmd:SHELL-CMD or exec:ARGV (in the\n"
	"                       container), host:SHELL-CMD (default: the image's HEALTHCHECK);\n"
	"                       --healthcheck is the same\n"
	"  --options STR        docker run options for the container (\"-e K=V --network host\")\n"
	"  --timeout S          longest run in seconds (default 10)\n"
	"  --idle MS            idle after MS with nothing new (default 1000)\n"
	"  --profile FILE       compare with a profile: the calls it does not allow\n"
	"  -j, --json           JSON report on stdout\n"
	"  -q, --quiet          no progress or informational messages\n"
	"\n"
	"Exit status: 0 recorded (and the profile allows every call), 1 the profile does\n"
	"not allow some, or the run failed, 2 usage.\n";

/* Every call allowed: a call the engine's default profile denies is made, and seen. */
static const char allow_all[] = "{\"defaultAction\":\"SCMP_ACT_ALLOW\"}";

static struct dockerapi api;
static bool api_ready;

static json_t *names_json(const struct sysset *s, bool compat)
{
	json_t *a = json_array();

	for (int nr = 0; nr < SYSSET_NR; nr++) {
		char *i386 = NULL;
		const char *name;

		if (!sysset_has(s, nr))
			continue;
		name = compat ? (i386 = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86, nr))
			      : syscall_name(SYS_ARCH_X86_64, nr);
		if (name)
			json_array_append_new(a, json_string(name));
		else
			json_array_append_new(a, json_integer(nr));
		free(i386);
	}
	return a;
}

static void names_text(struct strbuf *sb, const struct sysset *s)
{
	for (int nr = 0; nr < SYSSET_NR; nr++) {
		const char *name;

		if (!sysset_has(s, nr))
			continue;
		name = syscall_name(SYS_ARCH_X86_64, nr);
		if (sb->len)
			strbuf_addstr(sb, " ");
		if (name)
			strbuf_addstr(sb, name);
		else
			strbuf_addf(sb, "%d", nr);
	}
}

static int parse_args(int argc, char **argv, const char **image_arg, const char **healthcheck,
		      const char **options, const char **profile_path, long *timeout_s, long *idle_ms,
		      int *cmd_start)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			*cmd_start = i + 1;
			break;
		}
		if (!strcmp(a, "--healthcheck") || !strcmp(a, "--workload") || !strcmp(a, "--options") ||
		    !strcmp(a, "--timeout") ||
		    !strcmp(a, "--idle") || !strcmp(a, "--profile")) {
			const char *v;

			if (i + 1 >= argc)
				return err_set(EINVAL, "option '%s' needs a value", a);
			v = argv[++i];
			if (!strcmp(a, "--healthcheck") || !strcmp(a, "--workload")) {
				*healthcheck = v;
			} else if (!strcmp(a, "--options")) {
				*options = v;
			} else if (!strcmp(a, "--profile")) {
				*profile_path = v;
			} else {
				char *end;
				long n = strtol(v, &end, 10);

				if (end == v || *end || n <= 0 || n > 3600000)
					return err_set(EINVAL, "option '%s': bad number '%s'", a, v);
				*(!strcmp(a, "--timeout") ? timeout_s : idle_ms) = n;
			}
		} else if (a[0] == '-' && a[1]) {
			return err_set(EINVAL, "unknown option '%s'\n%s", a, usage);
		} else if (*image_arg) {
			return err_set(EINVAL, "unexpected argument '%s'\n%s", a, usage);
		} else {
			*image_arg = a;
		}
	}
	if (!*image_arg)
		return err_set(EINVAL, "expected IMAGE\n%s", usage);
	return 0;
}

int cmd_record(int argc, char **argv)
{
	const char *image_arg = NULL, *healthcheck = NULL, *options = NULL, *profile_path = NULL;
	long timeout_s = 10, idle_ms = 0;
	int cmd_start = -1, status = 1, ret, nsets;
	struct container_spec spec;
	struct probe probe = { 0 };
	struct profile prof;
	struct monitor_result mr;
	struct monitor_tracer tracer;
	struct exectrace *xt = NULL;
	struct sysset calls, compat, denied;
	size_t ncalls = 0, ndenied = 0, nallowed = 0;
	const char *image;

	argc = cmd_parse_common(argc, argv, usage);
	container_spec_init(&spec);
	monitor_result_init(&mr);
	profile_init(&prof, SYS_ARCH_X86_64);
	memset(&denied, 0, sizeof(denied));
	if (parse_args(argc, argv, &image_arg, &healthcheck, &options, &profile_path, &timeout_s, &idle_ms,
		       &cmd_start) < 0) {
		p_err_last();
		status = 2;
		goto out;
	}
	if (!strncmp(image_arg, "oci:", 4) || !strncmp(image_arg, "oci-archive:", 12) ||
	    !strncmp(image_arg, "dir:", 4) || !strncmp(image_arg, "docker-archive:", 15)) {
		p_err("cannot record '%s': recording runs a container, so the image must be docker:NAME",
		      image_arg);
		goto out;
	}
	image = !strncmp(image_arg, "docker:", 7) ? image_arg + 7 : image_arg;
	if (!*image) {
		p_err("empty image name");
		status = 2;
		goto out;
	}
	if (profile_path && profile_read_file(profile_path, &prof, NULL) < 0) {
		p_err_last();
		goto out;
	}
	spec.image = xstrdup(image);
	spec.seccomp = xstrdup(allow_all);
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
	if (exectrace_start(&xt, EXECTRACE_SYSCALLS) < 0) {
		p_err("cannot record: %s", err_msg());
		goto out;
	}
	if (cmd_engine_open(&api, image, healthcheck != NULL, &probe) < 0) {
		p_err_last();
		goto out;
	}
	api_ready = true;

	p_info("recording %s", image);
	exectrace_monitor_tracer(xt, &tracer);
	{
		struct monitor_opts mo = {
			.max_ms = timeout_s * 1000,
			.idle_ms = idle_ms,
			.collect_maps = true,
			.tracer = &tracer,
			.probe = probe.kind != PROBE_NONE ? &probe : NULL,
			.progress = cmd_progress(),
			.phase = "record",
		};

		ret = monitor_run(&api, &spec, &mo, &mr);
		cmd_progress_done();
	}
	if (ret < 0) {
		p_err("cannot run %s: %s", image, err_msg());
		goto out;
	}
	if (!mr.started) {
		p_err("%s did not start: %s", image, mr.start_error ? mr.start_error : "unknown reason");
		goto out;
	}
	nsets = exectrace_syscalls(xt, &calls, &compat);
	if (nsets < 0) {
		p_err_last();
		goto out;
	}
	if (!nsets)
		warn_add("%s: none of the container's processes was seen; nothing was recorded", image);
	if (mr.probe_ran && mr.probe_status)
		warn_add("%s: the workload failed: %s", image, mr.probe_error ? mr.probe_error : "failed");
	else if (probe.kind != PROBE_NONE && !mr.probe_ran && mr.exited)
		warn_add("%s: the workload never ran: the container exited (code %d) after %.1f s", image,
			 mr.exit_code, (double)mr.ran_ms / 1000.0);
	/*
	 * Every call was allowed, so a failing container failed by itself: the
	 * record holds what it did before it gave up, not what it does.
	 */
	if (mr.exited && mr.exit_code != 0)
		warn_add("%s: the container exited with code %d%s (every call was allowed): its command or "
			 "options may be wrong, and the record holds only what it did until then",
			 image, mr.exit_code, mr.oom_killed ? ", killed for memory" : "");
	for (int nr = 0; nr < SYSSET_NR; nr++) {
		if (!sysset_has(&calls, nr))
			continue;
		ncalls++;
		if (profile_path && !sysset_has(&prof.allow, nr)) {
			sysset_add(&denied, nr);
			ndenied++;
		}
	}
	if (profile_path)
		for (int nr = 0; nr < SYSSET_NR; nr++)
			nallowed += sysset_has(&prof.allow, nr);

	if (cmd_opts.json) {
		json_t *o = json_object();

		json_object_set_new(o, "image", json_string(image));
		json_object_set_new(o, "seconds", json_real((double)mr.ran_ms / 1000.0));
		json_object_set_new(o, "exited", json_boolean(mr.exited));
		if (mr.exited)
			json_object_set_new(o, "exit_code", json_integer(mr.exit_code));
		if (mr.probe_ran)
			json_object_set_new(o, "health_check", json_boolean(mr.probe_status == 0));
		json_object_set_new(o, "syscalls", names_json(&calls, false));
		json_object_set_new(o, "compat_syscalls", names_json(&compat, true));
		json_object_set_new(o, "executables", cmd_strings_json(mr.exes, mr.exes_nr));
		json_object_set_new(o, "libraries", cmd_strings_json(mr.libs, mr.libs_nr));
		if (profile_path) {
			json_t *pj = json_object();

			json_object_set_new(pj, "path", json_string(profile_path));
			json_object_set_new(pj, "allowed", json_integer((json_int_t)nallowed));
			json_object_set_new(pj, "ratio", ncalls ? json_real((double)nallowed / (double)ncalls)
							       : json_null());
			json_object_set_new(pj, "not_allowed", names_json(&denied, false));
			json_object_set_new(o, "profile", pj);
		}
		json_object_set_new(o, "warnings", p_warnings_json());
		json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
		fputc('\n', stdout);
		json_decref(o);
	} else {
		struct strbuf sb = STRBUF_INIT;

		names_text(&sb, &calls);
		printf("%s: %zu system calls in %.1f s (%zu program%s, %zu librar%s)%s\n", image, ncalls,
		       (double)mr.ran_ms / 1000.0, mr.exes_nr, mr.exes_nr == 1 ? "" : "s", mr.libs_nr,
		       mr.libs_nr == 1 ? "y" : "ies", mr.exited ? ", then it exited" : "");
		printf("  %s\n", strbuf_str(&sb));
		strbuf_release(&sb);
		for (int nr = 0; nr < SYSSET_NR; nr++)
			if (sysset_has(&compat, nr)) {
				printf("  and 32-bit calls (int 0x80): see --json\n");
				break;
			}
		if (profile_path) {
			printf("%s allows %zu (%.2fx the calls made); ", profile_path, nallowed,
			       ncalls ? (double)nallowed / (double)ncalls : 0.0);
			if (ndenied) {
				strbuf_init(&sb, 0);
				names_text(&sb, &denied);
				printf("it does NOT allow %zu made: %s\n", ndenied, strbuf_str(&sb));
				strbuf_release(&sb);
			} else {
				printf("it allows every call made\n");
			}
		}
	}
	status = ndenied ? 1 : 0;
out:
	p_warnings();
	if (api_ready) {
		container_cleanup_all(&api);
		err_clear();
		dockerapi_release(&api);
		api_ready = false;
	}
	if (container_interrupted)
		status = 130;
	exectrace_free(xt);
	monitor_result_release(&mr);
	profile_release(&prof);
	probe_release(&probe);
	container_spec_release(&spec);
	return status;
}
