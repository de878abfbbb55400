#include "engine/audit.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/error.h"
#include "util/xalloc.h"

#ifndef AUDIT_NLGRP_READLOG
#define AUDIT_NLGRP_READLOG 1
#endif

#define RECORDS_MAX 1000000 /* beyond this, count as lost: bounded memory */
#define KMSG_LINE_MAX 16384

/* Value of 'key=' in the record, up to the next blank; NULL when absent. */
static const char *field(const char *text, size_t len, const char *key, size_t *vlen)
{
	size_t kl = strlen(key);

	for (size_t i = 0; i + kl < len; i++) {
		if ((i == 0 || text[i - 1] == ' ') && !memcmp(text + i, key, kl) &&
		    text[i + kl] == '=') {
			const char *v = text + i + kl + 1;
			size_t n = 0, room = len - i - kl - 1;

			if (room && *v == '"') {
				const char *q = memchr(v + 1, '"', room - 1);

				if (!q)
					return NULL;
				*vlen = (size_t)(q - v) + 1;
				return v;
			}
			while (n < room && v[n] != ' ' && v[n] != '\n')
				n++;
			*vlen = n;
			return v;
		}
	}
	return NULL;
}

static bool parse_u64(const char *v, size_t n, int base, uint64_t *out)
{
	uint64_t r = 0;

	if (!n)
		return false;
	if (base == 16 && n > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
		v += 2;
		n -= 2;
	}
	for (size_t i = 0; i < n; i++) {
		int d;

		if (isdigit((unsigned char)v[i]))
			d = v[i] - '0';
		else if (base == 16 && isxdigit((unsigned char)v[i]))
			d = tolower((unsigned char)v[i]) - 'a' + 10;
		else
			return false;
		if (r > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			return false;
		r = r * (uint64_t)base + (uint64_t)d;
	}
	*out = r;
	return true;
}

/* comm="x" or comm=6869 (audit hex-encodes strings with odd bytes). */
static void copy_string(const char *v, size_t n, char *dst, size_t cap)
{
	size_t o = 0;

	if (n >= 2 && v[0] == '"') {
		for (size_t i = 1; i + 1 < n && o + 1 < cap; i++)
			dst[o++] = v[i];
	} else if (n % 2 == 0) {
		for (size_t i = 0; i + 1 < n && o + 1 < cap; i += 2) {
			uint64_t b;

			if (!parse_u64(v + i, 2, 16, &b))
				break;
			dst[o++] = b >= 0x20 && b < 0x7f ? (char)b : '?';
		}
	}
	dst[o] = '\0';
}

int audit_parse_seccomp(const char *text, size_t len, struct audit_record *rec)
{
	const char *a = memmem(text, len, "audit(", 6), *v;
	size_t n, rest;
	uint64_t u;

	memset(rec, 0, sizeof(*rec));
	if (!a)
		return -ENOMSG;
	/* kmsg lines carry the type; netlink payloads do not (it is in the header). */
	{
		const char *t = memmem(text, len, "type=", 5);

		if (t && t < a && strncmp(t, "type=1326 ", 10) != 0)
			return -ENOMSG;
	}
	rest = len - (size_t)(a - text);
	{
		const char *colon = memchr(a, ':', rest), *close = memchr(a, ')', rest);

		if (colon && close && colon < close &&
		    parse_u64(colon + 1, (size_t)(close - colon - 1), 10, &u))
			rec->serial = u;
	}
	v = field(a, rest, "syscall", &n);
	if (!v || !parse_u64(v, n, 10, &u) || u > 100000)
		return v ? -EBADMSG : -ENOMSG;
	rec->syscall = (int)u;
	v = field(a, rest, "pid", &n);
	if (!v || !parse_u64(v, n, 10, &u) || u > 0x7fffffff)
		return -EBADMSG;
	rec->pid = (int)u;
	v = field(a, rest, "arch", &n);
	if (!v || !parse_u64(v, n, 16, &u) || u > UINT32_MAX)
		return -EBADMSG;
	rec->arch = (uint32_t)u;
	v = field(a, rest, "code", &n);
	if (v && parse_u64(v, n, 16, &u) && u <= UINT32_MAX)
		rec->code = (uint32_t)u;
	v = field(a, rest, "comm", &n);
	if (v)
		copy_string(v, n, rec->comm, sizeof(rec->comm));
	v = field(a, rest, "exe", &n);
	if (v)
		copy_string(v, n, rec->exe, sizeof(rec->exe));
	return 0;
}

bool audit_cgroup_container_id(const char *text, char id[65])
{
	size_t run = 0;

	/* The longest-lived convention: ".../docker/<64 hex>" or "docker-<64 hex>.scope". */
	for (const char *p = text;; p++) {
		if (*p && isxdigit((unsigned char)*p) && !isupper((unsigned char)*p)) {
			run++;
			continue;
		}
		if (run == 64) {
			memcpy(id, p - 64, 64);
			id[64] = '\0';
			return true;
		}
		run = 0;
		if (!*p)
			return false;
	}
}

struct audit_reader {
	enum audit_source source;
	int fd;
	int cn_fd; /* proc connector, -1 when unavailable */
	struct audit_fork *forks;
	size_t forks_nr, forks_alloc;
	pthread_t thread;
	atomic_bool stop;
	pthread_mutex_t lock;
	struct audit_record *recs;
	size_t nr, alloc;
	uint64_t lost;
};

static void lookup_container(struct audit_record *rec)
{
	char path[64], buf[4096];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", rec->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	audit_cgroup_container_id(buf, rec->container_id);
}

static void add_record(struct audit_reader *r, const char *text, size_t len)
{
	struct audit_record rec;

	if (audit_parse_seccomp(text, len, &rec) < 0)
		return;
	/* Read the cgroup now, while the process most likely still lives. */
	lookup_container(&rec);
	pthread_mutex_lock(&r->lock);
	if (r->nr >= RECORDS_MAX) {
		r->lost++;
	} else {
		ALLOC_GROW(r->recs, r->nr + 1, r->alloc);
		r->recs[r->nr++] = rec;
	}
	pthread_mutex_unlock(&r->lock);
}

static void count_lost(struct audit_reader *r, uint64_t n)
{
	pthread_mutex_lock(&r->lock);
	r->lost += n;
	pthread_mutex_unlock(&r->lock);
}

static void read_forks(struct audit_reader *r, char *buf, size_t cap)
{
	ssize_t n = recv(r->cn_fd, buf, cap, 0);
	size_t off = 0;

	if (n < 0) {
		if (errno == ENOBUFS)
			count_lost(r, 1);
		return;
	}
	while (off + sizeof(struct nlmsghdr) <= (size_t)n) {
		struct nlmsghdr *h = (struct nlmsghdr *)(buf + off);
		size_t mlen = h->nlmsg_len;
		struct cn_msg *cn;
		struct proc_event ev;

		if (mlen < sizeof(*h) || !range_ok(off, mlen, (size_t)n))
			break;
		cn = (struct cn_msg *)NLMSG_DATA(h);
		if (mlen >= NLMSG_HDRLEN + sizeof(*cn) + offsetof(struct proc_event, event_data) +
				    sizeof(ev.event_data.fork)) {
			memcpy(&ev, cn->data, offsetof(struct proc_event, event_data) +
						      sizeof(ev.event_data.fork));
			/* Processes only: a new thread has child_pid != child_tgid. */
			if (ev.what == PROC_EVENT_FORK &&
			    ev.event_data.fork.child_pid == ev.event_data.fork.child_tgid) {
				pthread_mutex_lock(&r->lock);
				if (r->forks_nr < RECORDS_MAX) {
					ALLOC_GROW(r->forks, r->forks_nr + 1, r->forks_alloc);
					r->forks[r->forks_nr].parent = ev.event_data.fork.parent_tgid;
					r->forks[r->forks_nr].child = ev.event_data.fork.child_tgid;
					r->forks_nr++;
				}
				pthread_mutex_unlock(&r->lock);
			}
		}
		off += NLMSG_ALIGN(mlen);
	}
}

static void *reader_main(void *arg)
{
	struct audit_reader *r = arg;
	char *buf = xmalloc(KMSG_LINE_MAX + 1);

	while (!atomic_load(&r->stop)) {
		struct pollfd pfd[2] = { { .fd = r->fd, .events = POLLIN },
					 { .fd = r->cn_fd, .events = POLLIN } };
		ssize_t n;

		if (poll(pfd, r->cn_fd >= 0 ? 2 : 1, 20) <= 0)
			continue;
		/*
		 * A pending error (ENOBUFS: records dropped) is read like data,
		 * which clears it; a hang-up would wake poll at once, forever.
		 */
		if (!((pfd[0].revents | pfd[1].revents) & (POLLIN | POLLERR))) {
			usleep(20000);
			continue;
		}
		if (r->cn_fd >= 0 && (pfd[1].revents & (POLLIN | POLLERR)))
			read_forks(r, buf, KMSG_LINE_MAX);
		if (!(pfd[0].revents & (POLLIN | POLLERR)))
			continue;
		n = read(r->fd, buf, KMSG_LINE_MAX);
		if (n < 0) {
			/* Netlink: ENOBUFS = records dropped; kmsg: EPIPE = overwritten. */
			if (errno == ENOBUFS || errno == EPIPE)
				count_lost(r, 1);
			continue;
		}
		if (n == 0)
			continue;
		buf[n] = '\0';
		if (r->source == AUDIT_SOURCE_NETLINK) {
			size_t off = 0;

			while (off + sizeof(struct nlmsghdr) <= (size_t)n) {
				struct nlmsghdr *h = (struct nlmsghdr *)(buf + off);
				size_t mlen = h->nlmsg_len;

				if (mlen < sizeof(*h) || !range_ok(off, mlen, (size_t)n))
					break;
				if (h->nlmsg_type == AUDIT_SECCOMP)
					add_record(r, buf + off + NLMSG_HDRLEN, mlen - NLMSG_HDRLEN);
				off += NLMSG_ALIGN(mlen);
			}
		} else {
			const char *semi = memchr(buf, ';', (size_t)n);
			const char *msg = semi ? semi + 1 : buf;
			size_t mlen = (size_t)n - (size_t)(msg - buf);
			const char *sup;

			/* "audit: 123 callbacks suppressed": those records are gone. */
			if ((sup = memmem(msg, mlen, " callbacks suppressed", 21)) &&
			    memmem(msg, mlen, "audit", 5)) {
				const char *d = sup;

				while (d > msg && isdigit((unsigned char)d[-1]))
					d--;
				count_lost(r, strtoull(d, NULL, 10));
			} else if (memmem(msg, mlen, "audit: type=1326", 16)) {
				add_record(r, msg, mlen);
			}
		}
	}
	free(buf);
	return NULL;
}

static int open_netlink(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1u << (AUDIT_NLGRP_READLOG - 1) };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_AUDIT);
	int sz = 8 << 20;

	if (fd < 0)
		return -errno;
	/* A burst of LOG records must not overflow the default buffer. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

/* The proc connector's fork events; -errno when unavailable (not root). */
static int open_connector(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = CN_IDX_PROC,
				  .nl_pid = 0 };
	/* nlmsghdr + cn_msg + the op, laid out by hand (cn_msg ends in a flexible array). */
	union {
		struct nlmsghdr align;
		char b[NLMSG_LENGTH(sizeof(struct cn_msg) + sizeof(enum proc_cn_mcast_op))];
	} u;
	char *msg = u.b;
	struct nlmsghdr *h = &u.align;
	struct cn_msg *cn = (struct cn_msg *)NLMSG_DATA(h);
	enum proc_cn_mcast_op op = PROC_CN_MCAST_LISTEN;
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_CONNECTOR);
	int sz = 8 << 20;

	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto fail;
	memset(&u, 0, sizeof(u));
	h->nlmsg_len = sizeof(u.b);
	h->nlmsg_type = NLMSG_DONE;
	h->nlmsg_pid = (uint32_t)getpid();
	cn->id.idx = CN_IDX_PROC;
	cn->id.val = CN_VAL_PROC;
	cn->len = sizeof(op);
	memcpy(cn->data, &op, sizeof(op));
	if (send(fd, msg, sizeof(u.b), 0) < 0)
		goto fail;
	return fd;
fail:
	{
		int e = errno;

		close(fd);
		return -e;
	}
}

static int open_kmsg(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	/* Only what is logged from now on. */
	if (lseek(fd, 0, SEEK_END) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

int audit_reader_start(struct audit_reader **out)
{
	struct audit_reader *r = xcalloc(1, sizeof(*r));
	int fd = -1, nl_err, km_err = 0, ret;

	fd = open_netlink();
	nl_err = fd < 0 ? -fd : 0;
	if (fd >= 0) {
		r->source = AUDIT_SOURCE_NETLINK;
	} else {
		fd = open_kmsg();
		km_err = fd < 0 ? -fd : 0;
		r->source = AUDIT_SOURCE_KMSG;
	}
	if (fd < 0) {
		free(r);
		return err_set(km_err, "cannot read the kernel's seccomp audit records: audit netlink: %s; "
				       "/dev/kmsg: %s (run as root or with CAP_AUDIT_READ)",
			       strerror(nl_err), strerror(km_err));
	}
	if (r->source == AUDIT_SOURCE_KMSG)
		warn_add("reading seccomp audit records from /dev/kmsg (audit netlink: %s): the kernel "
			 "rate-limits them there",
			 strerror(nl_err));
	r->fd = fd;
	r->cn_fd = open_connector();
	if (r->cn_fd < 0)
		r->cn_fd = -1;
	pthread_mutex_init(&r->lock, NULL);
	atomic_init(&r->stop, false);
	ret = pthread_create(&r->thread, NULL, reader_main, r);
	if (ret) {
		close(fd);
		if (r->cn_fd >= 0)
			close(r->cn_fd);
		pthread_mutex_destroy(&r->lock);
		free(r);
		return err_set(ret, "cannot start the audit reader thread: %s", strerror(ret));
	}
	/*
	 * A record's pid says through its cgroup which container made it,
	 * and a short-lived process (runc's init execs a command that may
	 * exit at once) is gone when this thread runs late on a busy machine.
	 * Ahead of ordinary tasks (where allowed: root) it reads the cgroup
	 * within microseconds; otherwise it runs as it is.
	 */
	{
		struct sched_param sp = { .sched_priority = 1 };

		(void)pthread_setschedparam(r->thread, SCHED_FIFO, &sp);
	}
	*out = r;
	return 0;
}

enum audit_source audit_reader_source(const struct audit_reader *r)
{
	return r->source;
}

int audit_reader_take(struct audit_reader *r, struct audit_record **recs, size_t *nr,
		      uint64_t *lost)
{
	pthread_mutex_lock(&r->lock);
	*recs = r->recs;
	*nr = r->nr;
	if (lost)
		*lost = r->lost;
	r->recs = NULL;
	r->nr = r->alloc = 0;
	r->lost = 0;
	pthread_mutex_unlock(&r->lock);
	return 0;
}

size_t audit_reader_count(struct audit_reader *r)
{
	size_t n;

	pthread_mutex_lock(&r->lock);
	n = r->nr;
	pthread_mutex_unlock(&r->lock);
	return n;
}

int audit_reader_take_forks(struct audit_reader *r, struct audit_fork **forks, size_t *nr)
{
	pthread_mutex_lock(&r->lock);
	*forks = r->forks;
	*nr = r->forks_nr;
	r->forks = NULL;
	r->forks_nr = r->forks_alloc = 0;
	pthread_mutex_unlock(&r->lock);
	return 0;
}

void audit_reader_stop(struct audit_reader *r)
{
	if (!r)
		return;
	atomic_store(&r->stop, true);
	pthread_join(r->thread, NULL);
	close(r->fd);
	if (r->cn_fd >= 0)
		close(r->cn_fd);
	pthread_mutex_destroy(&r->lock);
	free(r->recs);
	free(r->forks);
	free(r);
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static bool in_sorted(const int *v, size_t nr, int x)
{
	return nr && bsearch(&x, v, nr, sizeof(*v), cmp_int) != NULL;
}

size_t audit_attribute(struct audit_record *recs, size_t nr, const struct audit_fork *forks,
		       size_t forks_nr, const char *cid, bool (*known_pid)(void *ctx, int pid),
		       void *ctx)
{
	int *pids = xcalloc(nr + 2 * forks_nr + 1, sizeof(*pids));
	size_t pids_nr = 0, marked = 0;
	bool grew = true;

	/* Seeds: pids the cgroup or the caller vouch for. */
	for (size_t i = 0; i < nr; i++) {
		bool c = recs[i].container_id[0] && !strcmp(recs[i].container_id, cid);

		if (c || (!recs[i].container_id[0] && known_pid && known_pid(ctx, recs[i].pid)))
			pids[pids_nr++] = recs[i].pid;
	}
	for (size_t i = 0; i < forks_nr; i++)
		if (known_pid && known_pid(ctx, forks[i].parent))
			pids[pids_nr++] = forks[i].parent;
	qsort(pids, pids_nr, sizeof(*pids), cmp_int);
	/* Descendants, to a fixed point (events are in order, so this is quick). */
	while (grew) {
		grew = false;
		for (size_t i = 0; i < forks_nr; i++) {
			if (in_sorted(pids, pids_nr, forks[i].parent) &&
			    !in_sorted(pids, pids_nr, forks[i].child)) {
				pids[pids_nr++] = forks[i].child;
				qsort(pids, pids_nr, sizeof(*pids), cmp_int);
				grew = true;
			}
		}
	}
	for (size_t i = 0; i < nr; i++) {
		struct audit_record *a = &recs[i];

		/* A live process whose cgroup is another container's is never ours. */
		if (a->container_id[0])
			a->ours = !strcmp(a->container_id, cid);
		else
			a->ours = in_sorted(pids, pids_nr, a->pid);
		marked += a->ours;
	}
	free(pids);
	return marked;
}
