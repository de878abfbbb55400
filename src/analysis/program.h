#ifndef CONFINE_ANALYSIS_PROGRAM_H
#define CONFINE_ANALYSIS_PROGRAM_H

#include <stdbool.h>
#include <stddef.h>

#include "elf/ldso.h"
#include "util/progress.h"

/*
 * The program set of an image: the executables a container of it can run,
 * each with the library set the image's own loader would give it.
 *
 * Seeded from the image config (Entrypoint + Cmd resolved on the image's
 * PATH, relative names against WorkingDir; a '#!' script adds its
 * interpreter, '/usr/bin/env NAME' adds NAME from PATH; 'sh -c "CMD ..."'
 * adds CMD's first word; when an Entrypoint is followed by a Cmd, Cmd[0]
 * is added too when it names an executable, since entrypoint scripts
 * conventionally exec "$@").  Later stages add programs seen by a monitor
 * run or every ELF executable (--all-binaries).
 */

struct rootfs;
struct image_config;

enum program_origin {
	PROGRAM_ENTRYPOINT = 0, /* argv[0] of Entrypoint+Cmd */
	PROGRAM_CMD,            /* Cmd[0] handed to an entrypoint, or a 'sh -c' command */
	PROGRAM_INTERPRETER,    /* '#!' interpreter (or env's target) of another program */
	PROGRAM_MONITOR,        /* seen executing in a monitor run */
	PROGRAM_ALL_BINARIES,   /* --all-binaries */
	PROGRAM_SCRIPT,         /* a command a shell script of the set runs (analysis/shwords.h) */
	PROGRAM_EXEC,           /* named in an object of a program's process that can execute programs */
	PROGRAM_ADDED,          /* added by a caller for another reason */
	PROGRAM_HEALTHCHECK,    /* the health check's command (HEALTHCHECK, --health-cmd, an exec: probe) */
	PROGRAM_CONFIG,         /* a command a server's configuration names (analysis/confprogs.h) */
};

const char *program_origin_name(enum program_origin o);

struct program {
	char *path;             /* absolute path inside the image, as resolved on PATH */
	char *real;             /* canonical path (symlinks resolved) */
	enum program_origin origin;
	char *reason;           /* human detail: "entrypoint", "interpreter of /x.sh" */
	bool is_elf;
	bool is_script;
	char *interpreter;      /* '#!' interpreter path as written, or NULL */
	char *env_target;       /* '#!/usr/bin/env [-S] NAME': NAME as written, or NULL */
	/* Library set (valid when libs_done and libs_err == 0). */
	bool libs_done;
	int libs_err;
	char *libs_err_msg;
	struct ldso_result libs;
};

struct program_set {
	const struct rootfs *fs;
	char **env;             /* borrowed from the image config */
	size_t env_nr;
	char *path_var;         /* PATH used for lookups */
	char *workdir;
	struct ldso *ld;        /* owned; shared by every program */

	struct program *progs;  /* in the order added; unique by 'real' */
	size_t nr, alloc;

	char **argv;            /* Entrypoint + Cmd as the runtime runs it (owned) */
	size_t argc;
	size_t cmd_at;          /* where Cmd starts in argv (after the Entrypoint) */
	/* Names from the config that did not resolve to a file (owned). */
	char **unresolved;
	size_t unresolved_nr, unresolved_alloc;
};

/*
 * Set up an empty set for 'fs' with the config's Env/WorkingDir ('cfg' may
 * be NULL: PATH defaults to Docker's, WorkingDir to "/").  Both must
 * outlive the set.  Release with program_set_release().
 */
void program_set_init(struct program_set *ps, const struct rootfs *fs,
		      const struct image_config *cfg);
void program_set_release(struct program_set *ps);

/*
 * Add the config's Entrypoint+Cmd programs (and their interpreters).
 * Names that do not resolve are recorded in ps->unresolved with a warning.
 * Returns the number of programs added (>= 0).
 */
int program_set_add_config(struct program_set *ps, const struct image_config *cfg);

/*
 * Add the programs a health check runs in the container, under the same
 * profile: 'test' is a HEALTHCHECK's Test (["CMD", prog, args...] or
 * ["CMD-SHELL", "command"]; ["NONE"] adds nothing).  program_set_add_config
 * adds the config's.  Returns the number of programs added.
 */
int program_set_add_healthcheck(struct program_set *ps, char *const *test, size_t nr);

/*
 * A command line another program runs, named by its configuration
 * (analysis/confprogs.h), with origin PROGRAM_CONFIG and reason 'why':
 * by the shell ('shell': /bin/sh -c TEXT: the shell and the commands of
 * TEXT), or split into words and executed (the first word on PATH, or,
 * for 'sh -c STRING', the shell and STRING's commands).  A name not found
 * in the image is warned about.  Returns how many programs were added.
 */
int program_set_add_command(struct program_set *ps, const char *text, bool shell, const char *why);
/*
 * A shell command template an object holds ("exec gcc ... -o %o %s"), with
 * origin PROGRAM_EXEC: when a command of it is in the image, the shell and
 * its commands; else nothing, quietly (a string that only looks like one:
 * exim's "exec of %s failed").  Returns how many programs were added.
 */
int program_set_add_template(struct program_set *ps, const char *text, const char *why);

/*
 * The same for any check that runs in the container (a workload or health
 * check given as cmd: or exec:): 'what' names it in the programs' reasons
 * ("the workload (cmd:)").
 */
int program_set_add_check(struct program_set *ps, char *const *test, size_t nr, const char *what);

/*
 * The arguments program ps->progs[idx] is known to run with (argv[0]
 * first): Entrypoint + Cmd for the program they run, Cmd for the command
 * handed to an entrypoint; 0 (and *argv NULL) for any other.
 */
size_t program_set_args(const struct program_set *ps, size_t idx, char *const **argv);

/*
 * Add one program by name: a path (absolute, or relative to WorkingDir) or
 * a bare name looked up on PATH; '#!' interpreters follow.  Returns the
 * index in ps->progs (an existing entry when already present), or
 * -ENOENT / -EACCES with a message set.
 */
int program_set_add(struct program_set *ps, const char *name, enum program_origin origin,
		    const char *reason);

/*
 * Add the file at 'path' (absolute inside the image) as a program, origin
 * PROGRAM_EXEC, when it is one: a regular file with an execute bit that is
 * an ELF executable (not a shared object) or a '#!' script.  Returns its
 * index (an existing entry when already present), or -ENOENT / -ENOEXEC
 * with no message and no warning: callers try names that may be anything.
 */
int program_set_add_executable(struct program_set *ps, const char *path, const char *reason);

/* Add every ELF executable (exec or PIE, not shared objects). Returns the count added. */
int program_set_add_all_binaries(struct program_set *ps, const struct progress *progress);

/*
 * Resolve the library set of every ELF program not done yet.  Failures are
 * per program (libs_err/libs_err_msg), never fatal.
 */
void program_set_resolve_libs(struct program_set *ps, const struct progress *progress);

/*
 * Look up 'name' on the set's PATH (or as a path when it has a '/').  On
 * success *out is the absolute path inside the image (caller frees).
 * Returns 0, -ENOENT.
 */
int program_set_which(struct program_set *ps, const char *name, char **out);

#endif
