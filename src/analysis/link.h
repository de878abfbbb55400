#ifndef CONFINE_ANALYSIS_LINK_H
#define CONFINE_ANALYSIS_LINK_H

#include <stdbool.h>
#include <stddef.h>

#include "analysis/analysis.h"
#include "analysis/langsys.h"
#include "analysis/objsum.h"

/*
 * The per-process step: bind imports to exports over the objects of one
 * process in load order, solve wrappers ("number = argument k") to a
 * fixpoint, walk what is reachable from the roots and collect the syscall
 * set, unresolved sites and witnesses.
 */
struct link_obj {
	const char *path;          /* borrowed; must outlive the result */
	const struct objsum *sum;  /* borrowed; must outlive the result */
	bool is_main;
	bool is_interp;
	bool is_dlopen;            /* named to the analysis: exports are roots */
	/*
	 * Names the process looks up with dlsym() from data it reads
	 * (runtimes_dlsym_names; the program's entry only): the first
	 * definition of each in load order is a root.  Borrowed.
	 */
	const char *const *names;
	size_t names_nr;
	/*
	 * The object is an interpreter whose syscall builtin (the function
	 * langsys_function() names) makes the calls its language's code
	 * gives: its sites of unknown number there take lang's numbers (or
	 * stay unresolved, with lang's reason, when lang is not known).
	 * Borrowed; NULL for other objects.
	 */
	const struct langsys *lang;
	/*
	 * Names the process's Python code calls through ctypes or cffi
	 * (pycode.h; the program's entry only): every loaded object's
	 * function of each name is a root, as dlsym() on any handle may find
	 * it.  Borrowed.
	 */
	const char *const *ffi_names;
	size_t ffi_names_nr;
};

/*
 * Fill prog->syscalls, all_syscalls, imports_used, unresolved and priv
 * (witness data, freed by link_priv_free()).  'objs' is copied.
 */
void link_program(const struct link_obj *objs, size_t nr, enum analysis_policy policy,
		  enum sys_arch arch, struct analysis_program *prog);

int link_witness(const struct analysis_program *prog, int nr, struct analysis_step **steps);
void link_priv_free(void *priv);

#endif
