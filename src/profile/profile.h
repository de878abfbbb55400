#ifndef CONFINE_PROFILE_PROFILE_H
#define CONFINE_PROFILE_PROFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "syscalls/syscalls.h"
#include "util/strbuf.h"

/*
 * A seccomp profile as confine thinks of it: the set of system calls a
 * container may make (an allowlist) for one architecture.  Everything not
 * allowed is denied with an errno chosen per syscall (profile_deny_errno()).
 * The writers turn it into the formats runtimes read; every writer is
 * byte-deterministic (names sorted, fixed key order).
 */
enum profile_format {
	PROFILE_DOCKER,       /* Docker / OCI seccomp JSON, allowlist */
	PROFILE_K8S,          /* security-profiles-operator SeccompProfile YAML */
	PROFILE_CONFINE_DENY, /* Confine's published deny-list JSON layout */
	PROFILE_BPF,          /* raw classic BPF program (libseccomp export) */
};

/*
 * System call ABIs of an x86_64 profile besides x86_64 (bits): 32-bit x86
 * code and int 0x80 make i386 calls, x32 code x32 calls.  seccomp sees
 * them as other architectures, which a profile must list or the kernel
 * kills the caller.  Their code is not analysed, and the formats name
 * calls for every listed architecture at once: such a profile allows
 * every call (profile_allow_abis()).
 */
enum profile_abi {
	PROFILE_ABI_I386 = 1u << 0, /* SCMP_ARCH_X86 */
	PROFILE_ABI_X32 = 1u << 1,  /* SCMP_ARCH_X32 */
};

struct profile {
	enum sys_arch arch;
	unsigned abis;        /* enum profile_abi bits (x86_64 profiles only) */
	struct sysset allow;
	/*
	 * Names a profile read from a file allowed (or denied, for deny
	 * lists) that the syscall table does not know; kept so diff and
	 * warnings can show them.  Owned.
	 */
	char **unknown;
	size_t unknown_nr, unknown_alloc;
	/* Name used where a format wants one (k8s metadata.name).  Owned, may be NULL. */
	char *name;
};

void profile_init(struct profile *p, enum sys_arch arch);
void profile_release(struct profile *p);
/* Set the profile's name (copied). */
void profile_set_name(struct profile *p, const char *name);
/* Allow a syscall by name; -ENOENT (no message) when the table lacks it. */
int profile_allow_name(struct profile *p, const char *name);
/*
 * Admit the ABIs 'abis' (enum profile_abi) besides x86_64: every call of
 * them, and so every x86_64 call too (the names a profile lists hold for
 * all its architectures).  -EINVAL for a profile of another arch.
 */
int profile_allow_abis(struct profile *p, unsigned abis);

/* "docker", "k8s", "confine-deny", "bpf" (also "oci", "kubernetes", "deny"). */
int profile_format_parse(const char *s, enum profile_format *out);
const char *profile_format_name(enum profile_format f);

/*
 * The errno a denied syscall gets.  EPERM (1) normally; ENOSYS (38) for
 * syscalls that libc and common programs probe and fall back from when the
 * kernel lacks them (clone3, faccessat2, close_range, statx, rseq, ...): the
 * fallback only runs on ENOSYS, so EPERM would turn "not allowed, use the
 * old way" into a hard failure.  The rule: every syscall added to Linux
 * after 3.2 (glibc's minimum supported kernel on x86_64, so glibc itself
 * must cope with ENOSYS for each of them), plus a short named list.
 */
int profile_deny_errno(enum sys_arch arch, int nr);

/* Number of syscalls the table knows that the profile denies. */
size_t profile_blocked_count(const struct profile *p);

/*
 * Render the profile in 'fmt' into 'out' (appended).  BPF output is binary.
 * Returns 0 or a negative errno (message set).
 */
int profile_render(const struct profile *p, enum profile_format fmt, struct strbuf *out);

/*
 * Render and write to 'path' atomically (temporary file + rename), so a
 * reader never sees a half-written profile.  Returns 0 or -errno.
 */
int profile_write(const struct profile *p, enum profile_format fmt, const char *path);

/*
 * Adds a warning (warn_add) for each allowed name libseccomp cannot resolve
 * for the architecture: Docker silently drops such names, so the profile
 * would deny what it seems to allow.  Returns the number of such names.
 */
size_t profile_check_names(const struct profile *p);

/* The libseccomp architecture token for 'arch' (SCMP_ARCH_*), 0 if none. */
unsigned profile_scmp_arch(enum sys_arch arch);
/* "SCMP_ARCH_X86_64" etc. */
const char *profile_scmp_arch_name(enum sys_arch arch);

/*
 * What a profile file allowed, as read by profile_read_file().  'kind'
 * says which layout it had.
 */
enum profile_kind {
	PROFILE_KIND_ALLOWLIST,      /* defaultAction denies; rules allow */
	PROFILE_KIND_DENYLIST,       /* defaultAction allows; rules deny */
	PROFILE_KIND_CONFINE_DEFAULT /* Confine's {"default": [...]} blocked names */
};

/*
 * Read a profile: Docker/OCI JSON (rules with "names" or the older
 * one-entry-per-syscall "name" layout, allowlists and deny lists) or
 * Confine's {"default": [names blocked by Docker's default]} file.  The
 * result's 'allow' holds what the profile lets through on 'arch' (a rule
 * with argument filters counts as allowing; a rule gated on capabilities
 * ("includes": {"caps": ...}) does not, since containers lack them by
 * default).  'p' must be initialised; *kind (may be NULL) gets the layout.
 * Returns 0 or a negative errno with a message naming the file and the
 * problem.
 */
int profile_read_file(const char *path, struct profile *p, enum profile_kind *kind);
/* Same, from a buffer; 'what' names it in messages. */
int profile_read_buf(const char *buf, size_t len, const char *what, struct profile *p,
		     enum profile_kind *kind);

#endif
