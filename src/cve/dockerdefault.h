#ifndef CONFINE_CVE_DOCKERDEFAULT_H
#define CONFINE_CVE_DOCKERDEFAULT_H

#include <stddef.h>

#include "syscalls/syscalls.h"

/*
 * Which x86_64 system calls a Docker/moby seccomp profile (JSON: "names" or
 * legacy "name" rules, includes/excludes, args) blocks for a container
 * started the default way: `docker run` on amd64 with Docker's default
 * capability set.  The answer must support the claim "Docker's default
 * blocks it", so every doubt resolves towards "allowed":
 *   - a rule that allows only with certain argument values allows the call;
 *   - includes.minKernel is assumed satisfied;
 *   - includes.caps applies only when all caps are in Docker's default set,
 *     excludes.caps skips a rule when one of them is; includes/excludes
 *     arches are evaluated for amd64;
 *   - SCMP_ACT_ERRNO, SCMP_ACT_KILL_* and SCMP_ACT_TRAP block, every other action allows;
 *   - a blocking rule with args does not block.
 * Names without an x86_64 number (32-bit or other-arch calls) are skipped.
 * Returns 0 or -EINVAL with "NAME: problem" set.
 */
int docker_default_blocked(const char *buf, size_t len, const char *name, struct sysset *blocked);

/* Docker's default capabilities (moby oci/caps/defaults.go), NULL-ended. */
extern const char *const docker_default_caps[];

#endif
