#include "trace/exectrace.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/strmap.h"
#include "util/xalloc.h"

#ifdef CONFINE_HAVE_BPF

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>
#include <sys/stat.h>

#include "exec.skel.h"
#include "trace/bpf/exec_event.h"

/* Paths kept for one container, at most (a container mapping more is not sane). */
#define PATHS_MAX 100000

struct exectrace {
	struct exec_bpf *skel;
	struct ring_buffer *rb;
	pthread_t thread;
	bool thread_started;
	atomic_bool stop;
	pthread_mutex_t lock;
	char *id;              /* the container's, NULL until watched */
	ino_t host_mntns;      /* ours: a task still in it is the runtime's, not the container's */
	struct strmap exes;    /* path -> comm (owned) */
	struct strmap libs;    /* path -> comm (owned) */
	uint64_t cut;
	__u32 mntns[64];       /* the container's mount namespaces seen */
	size_t mntns_nr;
};

bool exectrace_built(void)
{
	return true;
}

static void note_mntns(struct exectrace *t, __u32 ns)
{
	for (size_t i = 0; i < t->mntns_nr; i++)
		if (t->mntns[i] == ns)
			return;
	if (t->mntns_nr < sizeof(t->mntns) / sizeof(t->mntns[0]))
		t->mntns[t->mntns_nr++] = ns;
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct exectrace *t = ctx;
	const struct exec_event *ev = data;
	size_t head = offsetof(struct exec_event, path);
	char cgroup[EXEC_CGROUP_MAX + 1], comm[sizeof(ev->comm) + 1];
	struct strmap *m;

	if (size < head + 1 || ev->path_len >= size - head)
		return 0;
	memcpy(cgroup, ev->cgroup, EXEC_CGROUP_MAX);
	cgroup[EXEC_CGROUP_MAX] = '\0';
	pthread_mutex_lock(&t->lock);
	/* docker's cgroupfs driver names it ID, systemd's docker-ID.scope. */
	if (!t->id || !strstr(cgroup, t->id))
		goto out;
	if (ev->flags & EXEC_EVENT_TRUNCATED) {
		t->cut++;
		goto out;
	}
	/*
	 * The runtime's first stage (runc init, before it makes the
	 * container's namespaces) may join the cgroup while it still maps the
	 * host's runc libraries in the host's mount namespace.
	 */
	if (t->host_mntns && ev->mntns == t->host_mntns)
		goto out;
	note_mntns(t, ev->mntns);
	if (ev->flags & EXEC_EVENT_OUTSIDE)
		goto out;
	/* A name execve was given names a file too, as the task sees it from its root. */
	m = ev->kind == EXEC_EVENT_MAP ? &t->libs : &t->exes;
	if (m->nr >= PATHS_MAX)
		goto out;
	{
		char *path = xmalloc(ev->path_len + 1);

		memcpy(path, ev->path, ev->path_len);
		path[ev->path_len] = '\0';
		if (!strmap_contains(m, path)) {
			memcpy(comm, ev->comm, sizeof(ev->comm));
			comm[sizeof(ev->comm)] = '\0';
			strmap_put(m, path, xstrdup(comm));
		}
		free(path);
	}
out:
	pthread_mutex_unlock(&t->lock);
	return 0;
}

static void *reader_main(void *arg)
{
	struct exectrace *t = arg;

	while (!atomic_load(&t->stop)) {
		int n = ring_buffer__poll(t->rb, 100);

		if (n < 0 && n != -EINTR)
			break;
	}
	return NULL;
}

/* libbpf explains a failure in its own words on stderr; the error set here says it once. */
static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

int exectrace_start(struct exectrace **out, unsigned flags)
{
	struct exectrace *t = xcalloc(1, sizeof(*t));
	int ret;

	libbpf_set_print(quiet_print);
	strmap_init(&t->exes);
	strmap_init(&t->libs);
	pthread_mutex_init(&t->lock, NULL);
	atomic_init(&t->stop, false);
	{
		struct stat st;

		if (stat("/proc/self/ns/mnt", &st) == 0)
			t->host_mntns = st.st_ino;
	}
	t->skel = exec_bpf__open();
	if (!t->skel) {
		ret = -errno;
		err_set(-ret, "cannot open the eBPF monitor: %s", strerror(-ret));
		goto fail;
	}
	t->skel->rodata->host_mntns = (__u32)t->host_mntns;
	/* Every system call of the machine passes the recorder: only when asked. */
	if (!(flags & EXECTRACE_SYSCALLS))
		bpf_program__set_autoload(t->skel->progs.on_sys_enter, false);
	ret = exec_bpf__load(t->skel);
	if (ret < 0) {
		err_set(-ret, "cannot load the eBPF monitor: %s%s", strerror(-ret),
			-ret == EPERM ? " (run as root)" : "");
		goto fail;
	}
	ret = exec_bpf__attach(t->skel);
	if (ret < 0) {
		err_set(-ret, "cannot attach the eBPF monitor: %s", strerror(-ret));
		goto fail;
	}
	t->rb = ring_buffer__new(bpf_map__fd(t->skel->maps.events), on_event, t, NULL);
	if (!t->rb) {
		ret = -errno;
		err_set(-ret, "cannot read the eBPF monitor's events: %s", strerror(-ret));
		goto fail;
	}
	ret = pthread_create(&t->thread, NULL, reader_main, t);
	if (ret) {
		err_set(ret, "cannot start the eBPF monitor's thread: %s", strerror(ret));
		ret = -ret;
		goto fail;
	}
	t->thread_started = true;
	*out = t;
	return 0;
fail:
	exectrace_free(t);
	*out = NULL;
	return ret;
}

void exectrace_watch(struct exectrace *t, const char *container_id)
{
	pthread_mutex_lock(&t->lock);
	free(t->id);
	t->id = xstrdup(container_id);
	pthread_mutex_unlock(&t->lock);
}

static void hand(const struct strmap *m, bool exe,
		 void (*add)(void *ctx, bool exe, const char *path, const char *comm), void *ctx)
{
	const char **keys = strmap_sorted_keys(m);

	for (size_t i = 0; i < m->nr; i++)
		add(ctx, exe, keys[i], strmap_get(m, keys[i]));
	free(keys);
}

void exectrace_collect(struct exectrace *t,
		       void (*add)(void *ctx, bool exe, const char *path, const char *comm), void *ctx,
		       uint64_t *lost, uint64_t *cut)
{
	__u32 k = 0;
	__u64 v = 0;

	if (t->thread_started) {
		atomic_store(&t->stop, true);
		pthread_join(t->thread, NULL);
		t->thread_started = false;
	}
	/* The events are queued when they happen: all of a stopped container's are in. */
	ring_buffer__consume(t->rb);
	if (bpf_map_lookup_elem(bpf_map__fd(t->skel->maps.lost), &k, &v) < 0)
		v = 0;
	*lost = v;
	*cut = t->cut;
	hand(&t->exes, true, add, ctx);
	hand(&t->libs, false, add, ctx);
}

int exectrace_syscalls(struct exectrace *t, struct sysset *native, struct sysset *compat)
{
	int fd = bpf_map__fd(t->skel->maps.calls), ncpu = libbpf_num_possible_cpus();
	struct calls_key key, next, *prev = NULL;
	struct calls_bits *vals;

	memset(native, 0, sizeof(*native));
	memset(compat, 0, sizeof(*compat));
	if (ncpu <= 0)
		return err_set(-ncpu, "cannot count the CPUs: %s", strerror(-ncpu));
	vals = xcalloc((size_t)ncpu, sizeof(*vals));
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		bool ours = false;

		key = next;
		prev = &key;
		for (size_t i = 0; i < t->mntns_nr; i++)
			ours |= t->mntns[i] == key.mntns;
		if (!ours || (key.flags & CALLS_RUNTIME) || bpf_map_lookup_elem(fd, &key, vals) < 0)
			continue;
		for (int c = 0; c < ncpu; c++)
			for (int w = 0; w < CALLS_WORDS && w < SYSSET_NR / 64; w++)
				((key.flags & CALLS_COMPAT) ? compat : native)->bits[w] |= vals[c].w[w];
	}
	free(vals);
	return (int)t->mntns_nr;
}

void exectrace_free(struct exectrace *t)
{
	if (!t)
		return;
	if (t->thread_started) {
		atomic_store(&t->stop, true);
		pthread_join(t->thread, NULL);
	}
	ring_buffer__free(t->rb);
	exec_bpf__destroy(t->skel);
	strmap_release(&t->exes, free);
	strmap_release(&t->libs, free);
	pthread_mutex_destroy(&t->lock);
	free(t->id);
	free(t);
}

#endif

static void tracer_watch(void *ctx, const char *container_id)
{
	exectrace_watch(ctx, container_id);
}

static void tracer_collect(void *ctx, void (*add)(void *actx, bool exe, const char *path, const char *comm),
			   void *actx, uint64_t *lost, uint64_t *cut)
{
	exectrace_collect(ctx, add, actx, lost, cut);
}

void exectrace_monitor_tracer(struct exectrace *t, struct monitor_tracer *out)
{
	out->name = "the eBPF tracer";
	out->watch = tracer_watch;
	out->collect = tracer_collect;
	out->ctx = t;
}

#ifndef CONFINE_HAVE_BPF

struct exectrace {
	int unused;
};

bool exectrace_built(void)
{
	return false;
}

int exectrace_start(struct exectrace **out, unsigned flags)
{
	*out = NULL;
	return err_set(ENOTSUP, "this confine was built without eBPF (CONFINE_BPF=OFF)");
}

void exectrace_watch(struct exectrace *t, const char *container_id)
{
}

void exectrace_collect(struct exectrace *t,
		       void (*add)(void *ctx, bool exe, const char *path, const char *comm), void *ctx,
		       uint64_t *lost, uint64_t *cut)
{
	*lost = 0;
	*cut = 0;
}

int exectrace_syscalls(struct exectrace *t, struct sysset *native, struct sysset *compat)
{
	return err_set(ENOTSUP, "this confine was built without eBPF (CONFINE_BPF=OFF)");
}

void exectrace_free(struct exectrace *t)
{
}

#endif
