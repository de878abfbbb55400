/*
 * confine profile IMAGE: the container-wide allowlist (every program of the
 * image, plus the runtime's own syscalls) in the format a runtime reads.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/pipeline.h"
#include "engine/container.h"
#include "profile/profile.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/xalloc.h"

static const char usage[] =
	"usage: confine profile IMAGE [-o FILE] [--format docker|k8s|confine-deny|bpf] [options]\n"
	"\n"
	"Write the seccomp profile for IMAGE (docker:NAME, docker-archive:FILE, oci:DIR,\n"
	"oci-archive:FILE, dir:ROOTFS): allow what the image's programs and the container\n"
	"runtime can call, deny everything else (EPERM; ENOSYS for calls libc falls back from).\n"
	"\n"
	"  -o, --output FILE    write there atomically (default: stdout); an existing file\n"
	"                       is replaced only when it is a seccomp profile (or --force)\n"
	"  -f, --format FMT     docker (Docker/OCI JSON, default), k8s (security-profiles-\n"
	"                       operator SeccompProfile), confine-deny (Confine's deny list),\n"
	"                       bpf (raw BPF program from libseccomp)\n"
	"      --monitor        run the container first and add what it executes and maps\n"
	"      --validate       run the image under the profile and check it (docker: only)\n"
	"      --repair         with --validate: add syscalls the audit run saw denied, retry\n"
	"      --options STR    docker run options the container runs with (\"-e A=B -p 80:80\");\n"
	"                       --entrypoint, -e and -w also change what is analysed\n"
	"      --args STR       the arguments after the image (they replace its Cmd)\n"
	"      --health PROBE   http://127.0.0.1:80/, tcp:HOST:PORT, cmd:COMMAND, exec:ARGV\n"
	"                       (cmd: and exec: run in the container), host:COMMAND;\n"
	"                       default: the container's HEALTHCHECK, if any\n"
	"      --workload PROBE exercised during monitor and validation runs\n"
	"      --timeout SEC    longest monitor/validation run (default 10)\n"
	"      --all-binaries   analyse every executable of the image, not just the entrypoint\n"
	"      --program PATH   add a program (path inside the image, or a name on its PATH;\n"
	"                       repeatable)\n"
	"      --dlopen PATH    a plugin the programs dlopen() (path inside the image; repeatable)\n"
	"      --no-runtime     leave the runtime's own syscalls out\n"
	"      --deny NAME      deny NAME whatever the analysis found (repeatable)\n"
	"      --unresolved P   sites whose syscall number is unknown (an interpreter's\n"
	"                       syscall builtin): all (default, sound: the program may make\n"
	"                       every call), ignore (unsound: report them, add nothing;\n"
	"                       validate the profile)\n"
	"      --force          replace an existing -o file whatever it holds\n"
	"  -j, --json           summary as JSON on stdout (the profile goes to -o)\n"
	"  -q, --quiet          no progress or messages\n";

static void on_signal_cleanup(void)
{
	pipeline_cleanup();
}

int cmd_profile(int argc, char **argv)
{
	struct pipeline_opts o;
	struct pipeline_result r;
	enum profile_format fmt = PROFILE_DOCKER;
	const char *image = NULL, *output = NULL;
	char **deny = NULL;
	size_t deny_nr = 0, deny_alloc = 0;
	const char **programs = NULL, **plugins = NULL;
	size_t programs_nr = 0, programs_alloc = 0, plugins_nr = 0, plugins_alloc = 0;
	bool force = false;
	int i, ret, status = 1;

	memset(&o, 0, sizeof(o));
	o.monitor_max_ms = 10000;
	o.probe_timeout_ms = 5000;
	argc = cmd_parse_common(argc, argv, usage);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		bool takes = true;

		if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
			output = val;
		} else if (!strcmp(a, "-f") || !strcmp(a, "--format")) {
			if (val && profile_format_parse(val, &fmt)) {
				p_err_last();
				goto usage_err;
			}
		} else if (!strcmp(a, "--options")) {
			o.run_options = val;
		} else if (!strcmp(a, "--args")) {
			o.run_args = val;
		} else if (!strcmp(a, "--health")) {
			o.health = val;
		} else if (!strcmp(a, "--workload")) {
			o.workload = val;
		} else if (!strcmp(a, "--timeout")) {
			char *end;
			long s = val ? strtol(val, &end, 10) : 0;

			if (!val || *end || s < 1 || s > 3600) {
				p_err("profile: --timeout needs seconds (1..3600)");
				goto usage_err;
			}
			o.monitor_max_ms = s * 1000;
		} else if (!strcmp(a, "--unresolved")) {
			if (val && analysis_policy_parse(val, &o.policy) != 0) {
				p_err("profile: --unresolved: '%s' is not all or ignore", val);
				goto usage_err;
			}
		} else if (!strcmp(a, "--program")) {
			ALLOC_GROW(programs, programs_nr + 1, programs_alloc);
			programs[programs_nr++] = val;
		} else if (!strcmp(a, "--dlopen")) {
			ALLOC_GROW(plugins, plugins_nr + 1, plugins_alloc);
			plugins[plugins_nr++] = val;
		} else if (!strcmp(a, "--deny")) {
			if (val && syscall_number(SYS_ARCH_X86_64, val) < 0) {
				p_err("profile: --deny: unknown syscall '%s'", val);
				goto usage_err;
			}
			ALLOC_GROW(deny, deny_nr + 1, deny_alloc);
			deny[deny_nr++] = (char *)val;
		} else {
			takes = false;
			if (!strcmp(a, "--monitor"))
				o.monitor = true;
			else if (!strcmp(a, "--validate"))
				o.validate = true;
			else if (!strcmp(a, "--repair"))
				o.repair = o.validate = true;
			else if (!strcmp(a, "--all-binaries"))
				o.all_binaries = true;
			else if (!strcmp(a, "--no-runtime"))
				o.no_runtime = true;
			else if (!strcmp(a, "--force"))
				force = true;
			else if (a[0] == '-' && a[1]) {
				p_err("profile: unknown option '%s'", a);
				goto usage_err;
			} else if (!image)
				image = a;
			else {
				p_err("profile: more than one IMAGE given ('%s', '%s')", image, a);
				goto usage_err;
			}
		}
		if (takes) {
			if (!val) {
				p_err("profile: option '%s' needs a value", a);
				goto usage_err;
			}
			i++;
		}
	}
	if (!image) {
		p_err("profile: no IMAGE given");
		goto usage_err;
	}
	if (cmd_opts.json && !output && fmt != PROFILE_DOCKER) {
		p_err("profile: --json with --format %s needs -o FILE", profile_format_name(fmt));
		goto usage_err;
	}
	if (output && pipeline_check_output(output, force)) {
		p_err_last();
		status = 1;
		goto out_args;
	}
	o.ref = image;
	o.name = image;
	o.deny = deny;
	o.deny_nr = deny_nr;
	o.programs = programs;
	o.programs_nr = programs_nr;
	o.dlopen = plugins;
	o.dlopen_nr = plugins_nr;
	container_install_signals();
	atexit(on_signal_cleanup);
	pipeline_result_init(&r);
	ret = pipeline_run(&o, &r);
	cmd_progress_done();
	if (ret) {
		if (!cmd_opts.json)
			p_warnings();
		p_err_last();
		goto out;
	}
	if (output) {
		ret = profile_write(&r.profile, fmt, output);
		if (ret) {
			p_err_last();
			goto out;
		}
	}
	if (cmd_opts.json) {
		json_t *j = pipeline_result_json(&r, image);

		json_object_set_new(j, "format", json_string(profile_format_name(fmt)));
		json_object_set_new(j, "output", output ? json_string(output) : json_null());
		if (!output) {
			struct strbuf sb = STRBUF_INIT;

			profile_render(&r.profile, PROFILE_DOCKER, &sb);
			json_object_set_new(j, "profile", json_loads(sb.buf, 0, NULL));
			strbuf_release(&sb);
		}
		json_dumpf(j, stdout, JSON_PRESERVE_ORDER | JSON_INDENT(2));
		fputc('\n', stdout);
		json_decref(j);
	} else {
		if (!output) {
			struct strbuf sb = STRBUF_INIT;

			if (fmt == PROFILE_BPF && isatty(STDOUT_FILENO)) {
				p_err("profile: not writing a binary BPF program to a terminal; use -o");
				goto out;
			}
			ret = profile_render(&r.profile, fmt, &sb);
			if (ret) {
				p_err_last();
				strbuf_release(&sb);
				goto out;
			}
			fwrite(sb.buf, 1, sb.len, stdout);
			fflush(stdout);
			strbuf_release(&sb);
		}
		p_warnings();
		if (!cmd_opts.quiet)
			fprintf(stderr, "%s: %zu syscalls allowed, %zu blocked (%zu programs, %zu "
					"objects%s%s)%s%s\n",
				image, sysset_count(&r.profile.allow),
				profile_blocked_count(&r.profile), r.programs_nr, r.objects_nr,
				r.runtime_name ? "; runtime " : "",
				r.runtime_name ? r.runtime_name : "",
				output ? "; written to " : "", output ? output : "");
		if (r.validated && !cmd_opts.quiet) {
			char *why = r.error ? r.error : NULL;

			if (r.hardened)
				fprintf(stderr, "validation: passed%s\n",
					sysset_count(&r.repaired) ? " after repair" : "");
			else
				fprintf(stderr, "validation: FAILED: %s\n", why ? why : "see above");
		}
		if (r.validated && !r.hardened && sysset_count(&r.missing)) {
			const struct syscall_info *tab;
			size_t n, k;

			tab = syscall_table(SYS_ARCH_X86_64, &n);
			fprintf(stderr, "missing syscalls:");
			for (k = 0; k < n; k++)
				if (sysset_has(&r.missing, tab[k].nr))
					fprintf(stderr, " %s%s%s%s", tab[k].name, r.missing_by[tab[k].nr] ? " (by " : "",
						r.missing_by[tab[k].nr] ? r.missing_by[tab[k].nr] : "",
						r.missing_by[tab[k].nr] ? ")" : "");
			fputc('\n', stderr);
		}
	}
	status = r.validated && !r.hardened ? 1 : 0;
out:
	pipeline_result_release(&r);
	pipeline_cleanup();
out_args:
	free(deny);
	free(programs);
	free(plugins);
	return status;
usage_err:
	fputs(usage, stderr);
	status = 2;
	goto out_args;
}
