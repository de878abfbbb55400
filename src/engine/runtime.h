#ifndef CONFINE_ENGINE_RUNTIME_H
#define CONFINE_ENGINE_RUNTIME_H

#include <stddef.h>

#include "syscalls/syscalls.h"
#include "util/dockerapi.h"

/*
 * The container runtime's own system calls: runc (and crun) install the
 * container's seccomp filter before they finish their own setup, so every
 * profile must allow what the runtime still calls afterwards.  The sets are
 * data, measured per runtime and version (tools/measure-runtime-syscalls.sh)
 * and kept in data/runtime/NAME-MAJOR.MINOR.json with a reason per entry.
 */
struct runtime_info {
	char *name;    /* "runc", "crun" */
	char *version; /* "1.1.5+ds1" */
};

/*
 * Ask the engine which runtime it uses by default and its version
 * (GET /info: DefaultRuntime; GET /version: Components).  Returns 0 or a
 * negative errno (message set).
 */
int runtime_detect(struct dockerapi *api, struct runtime_info *info);
void runtime_info_release(struct runtime_info *info);

/*
 * The runtime's syscall names for 'info' (NULL: the newest known runc set),
 * sorted.  When no data file matches the version, the newest set for that
 * runtime (or for runc) is used and a warning added.  *names is a
 * NULL-terminated array the caller frees with runtime_names_free();
 * *source (may be NULL) gets the data file used (caller frees).
 */
int runtime_syscall_names(const struct runtime_info *info, char ***names, size_t *nr,
			  char **source);
void runtime_names_free(char **names);

/* The same set as numbers for 'arch'; names unknown to the table are warned about. */
int runtime_sysset(const struct runtime_info *info, enum sys_arch arch, struct sysset *set);

/*
 * The data folder: $CONFINE_DATA_DIR, else the source tree's data/, else the
 * installed share/confine.  Returned string is static.
 */
const char *runtime_data_dir(void);

#endif
