#ifndef CONFINE_ENGINE_AUDIT_H
#define CONFINE_ENGINE_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The kernel's seccomp audit records (type 1326, AUDIT_SECCOMP): one per
 * system call that hit a SCMP_ACT_LOG (or kill) action, e.g.
 *
 *   audit(1795901558.995:2): auid=4294967295 uid=0 gid=0 ses=4294967295
 *   pid=25175 comm="runc:[2:INIT]" exe="/" sig=0 arch=c000003e syscall=257
 *   compat=0 ip=0x40828e code=0x7ffc0000
 *
 * They are read from the audit netlink multicast group (every record, needs
 * CAP_AUDIT_READ, works beside auditd), or else from /dev/kmsg, where the
 * kernel rate-limits them (10 per 5 s by default): the reader then counts
 * suppressed records in 'lost' so a caller never mistakes a gap for silence.
 */
#define AUDIT_ARCH_X86_64_ID 0xc000003eu
#define AUDIT_ARCH_I386_ID 0x40000003u

struct audit_record {
	int pid;           /* host pid (thread group id) */
	int syscall;
	uint32_t arch;     /* AUDIT_ARCH_* */
	uint32_t code;     /* seccomp action, 0x7ffc0000 for LOG */
	uint64_t serial;
	char comm[64];
	char exe[256];
	/*
	 * The 64-hex container id found in /proc/PID/cgroup when the record was
	 * read, "" when the process was already gone or is not in a container.
	 */
	char container_id[65];
	bool ours; /* set by audit_attribute() */
};

/* A process creation seen by the kernel's proc connector (thread group ids). */
struct audit_fork {
	int parent, child;
};

/*
 * Parse one record's text (a netlink payload "audit(...): ..." or a kmsg
 * line "...;audit: type=1326 audit(...): ...").  Returns 0, or -ENOMSG for
 * a line that is not a seccomp record, -EBADMSG for a malformed one.
 */
int audit_parse_seccomp(const char *text, size_t len, struct audit_record *rec);

enum audit_source {
	AUDIT_SOURCE_NETLINK,
	AUDIT_SOURCE_KMSG,
	AUDIT_SOURCE_NONE, /* no records could be read */
};

struct audit_reader;

/*
 * Start collecting records in a background thread from now on.  Returns 0
 * and *out, or a negative errno with a message when neither the audit
 * netlink group nor /dev/kmsg can be read.
 */
int audit_reader_start(struct audit_reader **out);
enum audit_source audit_reader_source(const struct audit_reader *r);

/*
 * Copy the records collected so far into a new array (*recs, caller frees)
 * and clear the reader's buffer.  *lost gets the number of records the
 * kernel or the socket dropped since the last call.
 */
int audit_reader_take(struct audit_reader *r, struct audit_record **recs, size_t *nr,
		      uint64_t *lost);
/* How many records the reader holds now (they keep coming while it runs). */
size_t audit_reader_count(struct audit_reader *r);

/*
 * The fork events seen so far (the reader also listens to the kernel's proc
 * connector when it can, so that records of processes that lived too short
 * for /proc can still be traced to the container).  Same ownership rules as
 * audit_reader_take().  *nr is 0 when the connector was not available.
 */
int audit_reader_take_forks(struct audit_reader *r, struct audit_fork **forks, size_t *nr);

/*
 * Mark (rec->ours) the records of container 'cid': those whose cgroup named
 * it when read; then every pid such a record or known_pid() vouches for,
 * and, through the fork events, all descendants of those pids.
 * Returns the number of records marked.
 */
size_t audit_attribute(struct audit_record *recs, size_t nr, const struct audit_fork *forks,
		       size_t forks_nr, const char *cid, bool (*known_pid)(void *ctx, int pid),
		       void *ctx);

/* Stop the thread and free.  NULL is allowed. */
void audit_reader_stop(struct audit_reader *r);

/*
 * Find the 64-hex container id in the text of a /proc/PID/cgroup file;
 * copies it to 'id' (65 bytes).  Returns true when found.
 */
bool audit_cgroup_container_id(const char *text, char id[65]);

#endif
