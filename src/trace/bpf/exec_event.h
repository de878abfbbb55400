#ifndef CONFINE_TRACE_EXEC_EVENT_H
#define CONFINE_TRACE_EXEC_EVENT_H

/* One record of the monitor's BPF program (trace/bpf/exec.bpf.c), shared with user space. */

#define EXEC_PATH_MAX 4096
#define EXEC_CGROUP_MAX 128

enum {
	EXEC_EVENT_EXEC = 1, /* the task executed the file */
	EXEC_EVENT_MAP = 2,  /* the task mapped the file executable */
	EXEC_EVENT_NAME = 3, /* the name the task's execve was given (a script's, a link's) */
};

enum {
	EXEC_EVENT_OUTSIDE = 1,   /* the file is not under the task's root */
	EXEC_EVENT_TRUNCATED = 2, /* the path was too deep or long to send whole */
};

/* The system calls one mount namespace's tasks made (the recorder). */
#define CALLS_WORDS 16 /* numbers 0..1023 */

enum {
	CALLS_RUNTIME = 1, /* made by the runtime's stages (comm "runc:[...") */
	CALLS_COMPAT = 2,  /* 32-bit calls (int 0x80...): i386 numbers */
};

struct calls_key {
	__u32 mntns;
	__u32 flags;
};

struct calls_bits {
	__u64 w[CALLS_WORDS];
};

struct exec_event {
	__u32 kind;
	__u32 flags;
	__u32 pid;
	__u32 path_len;
	__u32 mntns; /* the task's mount namespace (its inode number) */
	__u32 pad;
	char comm[16];
	char cgroup[EXEC_CGROUP_MAX];
	char path[EXEC_PATH_MAX];
};

#endif
