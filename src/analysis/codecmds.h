#ifndef CONFINE_ANALYSIS_CODECMDS_H
#define CONFINE_ANALYSIS_CODECMDS_H

#include <stdbool.h>
#include <stddef.h>

#include "util/strmap.h"

/*
 * The commands an interpreted language's code runs, as its readers find
 * them (pycode.h for Python, runcode.h for Perl, Ruby and JavaScript):
 * what the analysis adds to the image's program set, each with the first
 * file that names it.
 */
enum code_cmd_kind {
	CODE_CMD_PATH,  /* an absolute path */
	CODE_CMD_WORD,  /* a program name (PATH) */
	CODE_CMD_SHELL, /* shell text */
};

struct code_cmd {
	enum code_cmd_kind kind;
	char *text; /* owned */
	char *file; /* the first file naming it (owned) */
};

/* Most commands kept (the rest are dropped, with a note), longest one. */
#define CODE_CMDS_MAX 1024
#define CODE_CMD_LEN 4096

/* The commands, in the order read, no two alike. */
struct code_cmds {
	struct code_cmd *v;
	size_t nr, alloc;
	struct strmap seen;
	size_t files; /* files that run programs */
	bool cut;     /* more than CODE_CMDS_MAX */
};

void code_cmds_init(struct code_cmds *cc);
void code_cmds_release(struct code_cmds *cc);

/*
 * Add the command s (n bytes) of 'kind', named by 'file' (copied), unless
 * it is already there or cannot be one (empty, too long, a NUL; a path or
 * a name with a newline).
 */
void code_cmds_put(struct code_cmds *cc, enum code_cmd_kind kind, const char *s, size_t n, const char *file);

/*
 * Add the program s (n bytes) names: its first word, a path when it
 * starts with '/', else a name PATH finds when it is made of a program
 * name's characters ("$cmd" or "${X}" is none).
 */
void code_cmds_put_word(struct code_cmds *cc, const char *s, size_t n, const char *file);

#endif
