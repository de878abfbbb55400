#ifndef CONFINE_TRACE_EXECTRACE_H
#define CONFINE_TRACE_EXECTRACE_H

#include <stdbool.h>
#include <stdint.h>

/*
 * The monitor's eBPF tracer: every program a container's processes
 * execute and every file they map executable, caught in the kernel as it
 * happens (a process that lives a millisecond is seen as well as a server),
 * with the path as the process sees it from its own root.
 *
 * Built when clang, bpftool, libbpf and the build machine's kernel BTF are
 * there (CONFINE_BPF); it needs root (CAP_BPF and CAP_PERFMON) and a kernel
 * with BTF and fentry (5.5 or later) at run time.
 */
struct exectrace;

#include "engine/monitor.h"
#include "syscalls/syscalls.h"

enum {
	EXECTRACE_SYSCALLS = 1, /* record the system calls too (exectrace_syscalls) */
};

/* Is this build able to trace at all? */
bool exectrace_built(void);

/*
 * Load and attach the BPF program and start reading its events.  Returns 0
 * and a tracer the caller frees, or a negative errno with the reason set
 * (not built with BPF, not allowed, no BTF...).
 */
int exectrace_start(struct exectrace **out, unsigned flags);

/* Keep the events of the cgroup named after this container id (64 hex digits). */
void exectrace_watch(struct exectrace *t, const char *container_id);

/*
 * Once the container's processes are gone: read what is left, stop, and
 * hand each distinct path (exe: executed, else mapped executable) with the
 * comm of the first process that had it.  *lost gets the number of events
 * the kernel could not queue (a full buffer), *cut those whose path was too
 * long to send.  Call once.
 */
void exectrace_collect(struct exectrace *t,
		       void (*add)(void *ctx, bool exe, const char *path, const char *comm), void *ctx,
		       uint64_t *lost, uint64_t *cut);

/*
 * After exectrace_collect, with EXECTRACE_SYSCALLS: every system call the
 * container's processes made (its mount namespaces'; the runtime's
 * stages' left out), x86_64 numbers in *native, i386 ones (int 0x80) in
 * *compat.  Returns how many mount namespaces of the container were seen
 * (0: none, nothing recorded), or a negative errno.
 */
int exectrace_syscalls(struct exectrace *t, struct sysset *native, struct sysset *compat);

/* The tracer as the monitor takes it (engine/monitor.h), borrowing t. */
void exectrace_monitor_tracer(struct exectrace *t, struct monitor_tracer *out);

void exectrace_free(struct exectrace *t);

#endif
