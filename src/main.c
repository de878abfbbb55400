/*
 * confine: least-privilege seccomp profiles for container images.
 *
 * Dispatch only: each subcommand lives in cmd/NAME.c.  With no subcommand
 * and Confine's own flags (-i myimages.json ...), the seed tutorial's batch
 * command line runs unchanged.
 */
#include <malloc.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "util/xalloc.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
	bool analyses;          /* runs the binary analysis: wants malloc_huge_pages() */
};

static const struct command commands[] = {
	{ "inventory", cmd_inventory, "list the ELF files of an image and how they link", false },
	{ "analyze", cmd_analyze, "per-program system calls found by binary analysis", true },
	{ "explain", cmd_explain, "why a system call (or each one) is allowed: its call chains", true },
	{ "profile", cmd_profile, "write the seccomp profile for an image", true },
	{ "validate", cmd_validate, "run an image with and without a profile and compare", true },
	{ "record", cmd_record, "run an image and record the system calls it makes (eBPF)", false },
	{ "batch", cmd_batch, "Confine's batch run over an images JSON file", true },
	{ "cve", cmd_cve, "kernel CVEs that profiles shut out", false },
	{ "diff", cmd_diff, "compare two profiles", false },
};

/*
 * "COMM/=VALUE" or "COMM/-": the process name (what ps, pgrep and the sweep
 * of stale containers, container_sweep, know confine by) and the caller's
 * GLIBC_TUNABLES, or none.
 */
#define THP_SAVED "CONFINE_TUNABLES_SAVED"

/* Back to how the caller started us; 'saved' is THP_SAVED's value. */
static void tunables_restore(const char *saved)
{
	const char *slash = strchr(saved, '/');
	char comm[16];

	if (slash && (size_t)(slash - saved) < sizeof(comm)) {
		/* The name the caller gave it (a symlink's, say), not the binary's. */
		memcpy(comm, saved, (size_t)(slash - saved));
		comm[slash - saved] = '\0';
		prctl(PR_SET_NAME, comm, 0, 0, 0);
		saved = slash + 1;
	}
	if (saved[0] == '=')
		setenv("GLIBC_TUNABLES", saved + 1, 1);
	else
		unsetenv("GLIBC_TUNABLES");
	unsetenv(THP_SAVED);
}

/*
 * glibc's malloc backs its heaps with transparent huge pages only when
 * GLIBC_TUNABLES says so (glibc.malloc.hugetlb=1), which ld.so reads
 * before main() runs.  The analysis fills 100-200 MB of heap: 4 KiB at a
 * time that was 50,000 page faults in a cold run over the nginx image's
 * 749 files, and a fault costs microseconds in a VM.  With huge pages
 * (where the kernel gives them on request: THP mode "madvise") the cold
 * run is ~22% faster and a warm one ~25%.  So an analysing command
 * re-executes itself once with the tunable added; the re-executed process
 * puts the caller's GLIBC_TUNABLES back before anything else runs, so the
 * programs confine starts (docker, strace, containers) never see it.  When
 * re-executing is not possible (no /proc), it runs as it is.
 */
static void malloc_huge_pages(char **argv)
{
	const char *saved = getenv(THP_SAVED), *cur = getenv("GLIBC_TUNABLES");
	char mode[128] = "", comm[17] = "", self[4096], *keep, *tun;
	ssize_t n;
	FILE *f;

	if (saved) {
		tunables_restore(saved);
		return;
	}
	if (cur && strstr(cur, "glibc.malloc.hugetlb"))
		return; /* the caller chose */
	f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
	if (!f)
		return;
	if (!fgets(mode, sizeof(mode), f))
		mode[0] = '\0';
	fclose(f);
	/* "[always]": every heap has them already; "[never]": none to have. */
	if (!strstr(mode, "[madvise]"))
		return;
	if (prctl(PR_GET_NAME, comm, 0, 0, 0) != 0 || strchr(comm, '/'))
		return;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return;
	self[n] = '\0';
	keep = cur ? xasprintf("%s/=%s", comm, cur) : xasprintf("%s/-", comm);
	tun = xasprintf("%s%sglibc.malloc.hugetlb=1", cur ? cur : "", cur && *cur ? ":" : "");
	setenv(THP_SAVED, keep, 1);
	setenv("GLIBC_TUNABLES", tun, 1);
	/*
	 * By its own path: the kernel names a process after the file it
	 * executes, and /proc/self/exe would make it "exe" until
	 * tunables_restore renames it (a moment in which a concurrent run's
	 * sweep takes it for a dead run).  A binary deleted since it started
	 * ("... (deleted)") runs on as it is.
	 */
	if (!strstr(self, " (deleted)"))
		execv(self, argv);
	tunables_restore(keep);
	free(keep);
	free(tun);
}

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: confine [-j|--json] [-q|--quiet] COMMAND [ARGS]\n"
		     "       confine -i IMAGES.json -o OUTPUT/ -r RESULTS/ [-p PROFILE] "
		     "[-l GLIBC.cg] [-m MUSL.cg] [-g GO.syscalls/]\n\n"
		     "IMAGE is docker:NAME[:TAG], docker-archive:FILE, oci:DIR, "
		     "oci-archive:FILE or dir:ROOTFS.\n\ncommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\nRun 'confine COMMAND --help' for a command's options.\n");
}

int main(int argc, char **argv)
{
	size_t i;
	int first = 1;

	/*
	 * The analysis allocates and frees large blocks for every object (its
	 * instructions, states, summaries).  By default glibc maps each block
	 * over 128 KiB afresh and returns freed memory at once, so every object
	 * faulted its pages in again: about 14,000 page faults in a cold run of
	 * bench/analysis.sh, 8-10% of its time.  Keep the memory for reuse.
	 */
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	mallopt(M_TRIM_THRESHOLD, 128 << 20);
	mallopt(M_TOP_PAD, 16 << 20);
	cmd_opts.tty = isatty(STDERR_FILENO);
	/* Global options before the subcommand. */
	while (first < argc) {
		const char *a = argv[first];

		if (!strcmp(a, "-j") || !strcmp(a, "--json"))
			cmd_opts.json = true;
		else if (!strcmp(a, "-q") || !strcmp(a, "--quiet"))
			cmd_opts.quiet = true;
		else if (!strcmp(a, "--verbose"))
			cmd_opts.verbose++;
		else
			break;
		first++;
	}
	if (first >= argc) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[first], "-h") || !strcmp(argv[first], "--help") ||
	    !strcmp(argv[first], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[first], "--version") || !strcmp(argv[first], "version")) {
		printf("confine %s\n", CONFINE_VERSION);
		return 0;
	}
	/* The seed's command line: flags only, no subcommand. */
	if (argv[first][0] == '-') {
		malloc_huge_pages(argv);
		argv[first - 1] = "batch";
		return cmd_batch(argc - first + 1, argv + first - 1);
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!strcmp(argv[first], commands[i].name)) {
			if (commands[i].analyses)
				malloc_huge_pages(argv);
			return commands[i].fn(argc - first, argv + first);
		}
	}
	fprintf(stderr, "confine: unknown command '%s'\n\n", argv[first]);
	usage(stderr);
	return 2;
}
