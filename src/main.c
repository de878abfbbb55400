/*
 * confine: least-privilege seccomp profiles for container images.
 *
 * Dispatch only: each subcommand lives in cmd/NAME.c.  With no subcommand
 * and Confine's own flags (-i myimages.json ...), the seed tutorial's batch
 * command line runs unchanged.
 */
#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "inventory", cmd_inventory, "list the ELF files of an image and how they link" },
	{ "analyze", cmd_analyze, "per-program system calls found by binary analysis" },
	{ "explain", cmd_explain, "why a system call is allowed: its call chains" },
	{ "profile", cmd_profile, "write the seccomp profile for an image" },
	{ "validate", cmd_validate, "run an image with and without a profile and compare" },
	{ "batch", cmd_batch, "Confine's batch run over an images JSON file" },
	{ "cve", cmd_cve, "kernel CVEs that profiles shut out" },
	{ "diff", cmd_diff, "compare two profiles" },
};

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
		argv[first - 1] = "batch";
		return cmd_batch(argc - first + 1, argv + first - 1);
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!strcmp(argv[first], commands[i].name))
			return commands[i].fn(argc - first, argv + first);
	}
	fprintf(stderr, "confine: unknown command '%s'\n\n", argv[first]);
	usage(stderr);
	return 2;
}
