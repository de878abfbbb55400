#include "engine/monitor.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/xalloc.h"

#define PROC_FILE_CAP (4u << 20)
#define PIDS_MAX 65536
#define PATHS_MAX 100000
#define LOGS_CAP (8u << 20)

/* Small /proc and /sys files: read into 'buf', NUL-terminated. */
static ssize_t read_small(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, cap - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return n;
}

/* The first candidate file that exists, for a cgroup 'rel' path. */
static char *cgroup_file(const char *ctrl, const char *rel, const char *file)
{
	char *p = ctrl ? xasprintf("/sys/fs/cgroup/%s%s/%s", ctrl, rel, file)
		       : xasprintf("/sys/fs/cgroup%s/%s", rel, file);

	if (access(p, R_OK) == 0)
		return p;
	free(p);
	return NULL;
}

int procwatch_init(struct procwatch *w, int init_pid)
{
	char path[64], buf[8192];
	char *line, *save = NULL;

	memset(w, 0, sizeof(*w));
	strmap_init(&w->exes);
	strmap_init(&w->libs);
	w->init_pid = init_pid;
	snprintf(path, sizeof(path), "/proc/%d/cgroup", init_pid);
	if (read_small(path, buf, sizeof(buf)) < 0)
		return 0; /* gone already: nothing to watch, not an error */
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		/* "ID:CONTROLLERS:PATH" */
		char *c1 = strchr(line, ':'), *c2, *ctrls;

		if (!c1)
			continue;
		c2 = strchr(c1 + 1, ':');
		if (!c2)
			continue;
		*c2 = '\0';
		ctrls = c1 + 1;
		if (!strcmp(line, "0") || !*ctrls) {
			/* cgroup v2, or the v2 hierarchy of a hybrid setup. */
			if (!w->procs_path)
				w->procs_path = cgroup_file(NULL, c2 + 1, "cgroup.procs");
			if (!w->procs_path)
				w->procs_path = cgroup_file("unified", c2 + 1, "cgroup.procs");
			if (!w->cpu_path)
				w->cpu_path = cgroup_file(NULL, c2 + 1, "cpu.stat");
		} else if (strstr(ctrls, "pids")) {
			free(w->procs_path);
			w->procs_path = cgroup_file("pids", c2 + 1, "cgroup.procs");
		} else if (strstr(ctrls, "cpuacct")) {
			free(w->cpu_path);
			w->cpu_path = cgroup_file(ctrls, c2 + 1, "cpuacct.usage");
		}
	}
	return 0;
}

void procwatch_release(struct procwatch *w)
{
	strmap_release(&w->exes, NULL);
	strmap_release(&w->libs, NULL);
	for (size_t i = 0; i < w->pids_nr; i++)
		free(w->comms[i]);
	free(w->comms);
	free(w->pids);
	free(w->procs_path);
	free(w->cpu_path);
	memset(w, 0, sizeof(*w));
}

static size_t pid_pos(const struct procwatch *w, int pid, bool *found)
{
	size_t lo = 0, hi = w->pids_nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (w->pids[mid] < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < w->pids_nr && w->pids[lo] == pid;
	return lo;
}

bool procwatch_saw_pid(const struct procwatch *w, int pid)
{
	bool found;

	pid_pos(w, pid, &found);
	return found;
}

bool procwatch_saw_comm(const struct procwatch *w, const char *comm)
{
	for (size_t i = 0; i < w->pids_nr; i++)
		if (w->comms[i] && !strcmp(w->comms[i], comm))
			return true;
	return false;
}

/* Remember pid; returns true when new.  A pid's latest comm is kept. */
static bool note_pid(struct procwatch *w, int pid, const char *comm)
{
	bool found;
	size_t pos = pid_pos(w, pid, &found);

	if (found) {
		if (comm && (!w->comms[pos] || strcmp(w->comms[pos], comm))) {
			/* exec changed it: keep the latest (the one that matters from now on) */
			free(w->comms[pos]);
			w->comms[pos] = xstrdup(comm);
			return true;
		}
		return false;
	}
	if (w->pids_nr >= PIDS_MAX)
		return false;
	if (w->pids_nr + 1 > w->pids_alloc) {
		size_t n = w->pids_alloc ? w->pids_alloc * 2 : 32;

		w->pids = xrealloc_array(w->pids, n, sizeof(*w->pids));
		w->comms = xrealloc_array(w->comms, n, sizeof(*w->comms));
		w->pids_alloc = n;
	}
	memmove(w->pids + pos + 1, w->pids + pos, (w->pids_nr - pos) * sizeof(*w->pids));
	memmove(w->comms + pos + 1, w->comms + pos, (w->pids_nr - pos) * sizeof(*w->comms));
	w->pids[pos] = pid;
	w->comms[pos] = comm ? xstrdup(comm) : NULL;
	w->pids_nr++;
	return true;
}

/*
 * Paths the kernel prints that are not files of the image ("/" alone is
 * what runc's init shows as its executable once it is inside the container).
 */
static bool image_path(const char *p)
{
	return p[0] == '/' && p[1] && strncmp(p, "/memfd:", 7) != 0 && strncmp(p, "/dev/", 5) != 0 &&
	       strncmp(p, "/proc/", 6) != 0;
}

static bool add_path(struct strmap *m, char *p)
{
	size_t n = strlen(p);
	static const char deleted[] = " (deleted)";

	if (n > sizeof(deleted) - 1 && !strcmp(p + n - (sizeof(deleted) - 1), deleted))
		p[n - (sizeof(deleted) - 1)] = '\0';
	if (!image_path(p) || strmap_contains(m, p) || m->nr >= PATHS_MAX)
		return false;
	strmap_put(m, p, NULL);
	return true;
}

static bool scan_maps(struct procwatch *w, int pid)
{
	char path[64], *data = NULL, *line, *save = NULL;
	size_t len;
	bool changed = false;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	if (fs_read_file(path, PROC_FILE_CAP, &data, &len) < 0) {
		err_clear();
		return false;
	}
	for (line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		/* "start-end perms offset dev inode   path" */
		char *perms = strchr(line, ' '), *p;
		int field = 1;

		if (!perms || strlen(perms) < 5 || perms[3] != 'x')
			continue;
		/* The path starts after the fifth field. */
		for (p = perms; *p && field < 5; field++) {
			while (*p == ' ')
				p++;
			while (*p && *p != ' ')
				p++;
		}
		while (*p == ' ')
			p++;
		if (*p == '/')
			changed |= add_path(&w->libs, p);
	}
	free(data);
	return changed;
}

/*
 * runc's own stages ("runc:[0:PARENT]", "runc:[1:CHILD]", "runc:[2:INIT]")
 * run in the container's cgroup while it starts a process there (the
 * entrypoint, and every docker exec).  Their executable and mappings are
 * the host's runc and its libraries (libseccomp...), not the image's: a
 * poll that catches one must not take them for the container's.
 */
static bool runtime_stage(const char *comm)
{
	return !strncmp(comm, "runc:[", 6);
}

static bool scan_pid(struct procwatch *w, int pid, bool collect)
{
	char path[64], comm[64] = "", exe[4096];
	ssize_t n;
	bool changed;

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	if (read_small(path, comm, sizeof(comm)) > 0)
		comm[strcspn(comm, "\n")] = '\0';
	changed = note_pid(w, pid, comm[0] ? comm : NULL);
	if (!collect || runtime_stage(comm))
		return changed;
	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	n = readlink(path, exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		changed |= add_path(&w->exes, exe);
	}
	changed |= scan_maps(w, pid);
	return changed;
}

/* Without a cgroup file: the init process and its descendants. */
static void collect_children(int pid, int **out, size_t *nr, size_t *alloc, int depth)
{
	char path[64];
	DIR *d;
	struct dirent *de;

	ALLOC_GROW(*out, *nr + 1, *alloc);
	(*out)[(*nr)++] = pid;
	if (depth > 64 || *nr >= PIDS_MAX)
		return;
	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		char cpath[128], buf[4096], *p, *end;

		if (de->d_name[0] == '.')
			continue;
		snprintf(cpath, sizeof(cpath), "/proc/%d/task/%.16s/children", pid, de->d_name);
		if (read_small(cpath, buf, sizeof(buf)) <= 0)
			continue;
		for (p = buf;; p = end) {
			long c = strtol(p, &end, 10);

			if (end == p)
				break;
			if (c > 0)
				collect_children((int)c, out, nr, alloc, depth + 1);
		}
	}
	closedir(d);
}

static uint64_t read_cpu_ns(const struct procwatch *w)
{
	char buf[4096];
	const char *u;

	if (!w->cpu_path || read_small(w->cpu_path, buf, sizeof(buf)) <= 0)
		return 0;
	u = strstr(buf, "usage_usec ");
	if (u)
		return strtoull(u + 11, NULL, 10) * 1000;
	return strtoull(buf, NULL, 10);
}

int procwatch_poll(struct procwatch *w, bool *changed, uint64_t *cpu_delta_ns, bool *alive)
{
	int *pids = NULL;
	size_t nr = 0, alloc = 0;
	uint64_t cpu;

	*changed = false;
	if (w->procs_path) {
		char *data = NULL, *p, *end;
		size_t len;

		if (fs_read_file(w->procs_path, PROC_FILE_CAP, &data, &len) == 0) {
			for (p = data;; p = end) {
				long v = strtol(p, &end, 10);

				if (end == p)
					break;
				if (v > 0 && nr < PIDS_MAX) {
					ALLOC_GROW(pids, nr + 1, alloc);
					pids[nr++] = (int)v;
				}
			}
			free(data);
		} else {
			err_clear();
		}
	} else if (w->init_pid > 0 && kill(w->init_pid, 0) == 0) {
		collect_children(w->init_pid, &pids, &nr, &alloc, 0);
	}
	for (size_t i = 0; i < nr; i++)
		*changed |= scan_pid(w, pids[i], true);
	*alive = nr > 0;
	free(pids);
	cpu = read_cpu_ns(w);
	*cpu_delta_ns = cpu > w->cpu_ns ? cpu - w->cpu_ns : 0;
	w->cpu_ns = cpu;
	return 0;
}

void monitor_result_init(struct monitor_result *r)
{
	memset(r, 0, sizeof(*r));
	strbuf_init(&r->out, LOGS_CAP);
	strbuf_init(&r->err, LOGS_CAP);
	strmap_init(&r->watch.exes);
	strmap_init(&r->watch.libs);
}

static void free_list(char **v, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		free(v[i]);
	free(v);
}

void monitor_result_release(struct monitor_result *r)
{
	free(r->start_error);
	free(r->probe_error);
	free(r->container_id);
	strbuf_release(&r->out);
	strbuf_release(&r->err);
	free_list(r->exes, r->exes_nr);
	free_list(r->libs, r->libs_nr);
	free_list(r->traced_exes, r->traced_exes_nr);
	free_list(r->traced_libs, r->traced_libs_nr);
	procwatch_release(&r->watch);
	memset(r, 0, sizeof(*r));
}

static char **sorted_copy(const struct strmap *m, size_t *nr)
{
	const char **keys = strmap_sorted_keys(m);
	char **out = xcalloc(m->nr ? m->nr : 1, sizeof(*out));

	for (size_t i = 0; i < m->nr; i++)
		out[i] = xstrdup(keys[i]);
	*nr = m->nr;
	free(keys);
	return out;
}

static void defaults(struct monitor_opts *o, const struct monitor_opts *in)
{
	*o = *in;
	if (o->min_ms <= 0)
		o->min_ms = 500;
	if (o->max_ms <= 0)
		o->max_ms = 10000;
	if (o->max_ms < o->min_ms)
		o->max_ms = o->min_ms;
	if (o->idle_ms <= 0)
		o->idle_ms = 1000;
	if (o->poll_ms <= 0)
		o->poll_ms = 50;
	if (o->stop_timeout_s < 0)
		o->stop_timeout_s = 0;
	if (!in->stop_timeout_s)
		o->stop_timeout_s = 1;
	if (o->probe_timeout_ms <= 0)
		o->probe_timeout_ms = 5000;
	if (!o->phase)
		o->phase = "monitor";
}

/* How long a container with no process left may take to be reported exited. */
#define EXIT_GRACE_MS 2000

/* Watch until idle (or exit, or the deadline); returns -EINTR when interrupted. */
static int watch(struct dockerapi *api, struct container *c, struct procwatch *w,
		 const struct monitor_opts *o, long start, long min_until, long *idle_since,
		 bool *exited)
{
	long last_inspect = 0, empty_since = 0;

	for (;;) {
		bool changed, alive;
		uint64_t cpu;
		long now;

		procwatch_poll(w, &changed, &cpu, &alive);
		now = clock_now_ms();
		/* Busy: something new, or more than 10% of a core since the last poll. */
		if (changed || cpu > (uint64_t)o->poll_ms * 100000ull)
			*idle_since = now;
		progress_update(o->progress, o->phase, (uint64_t)(now - start), (uint64_t)o->max_ms);
		if (!alive || now - last_inspect >= 250) {
			struct container_state st;

			last_inspect = now;
			if (container_inspect(api, c, &st) == 0) {
				bool gone = !st.running;

				container_state_release(&st);
				if (gone) {
					*exited = true;
					return 0;
				}
			}
		}
		if (container_interrupted)
			return err_set(EINTR, "interrupted");
		if (now - start >= o->max_ms)
			return 0;
		/*
		 * No process left: the container is exiting, and the engine
		 * reports it a little later (later still on a busy machine).
		 * Wait for that rather than stop it and lose its exit code.
		 */
		if (alive)
			empty_since = 0;
		else if (!empty_since)
			empty_since = now;
		if (now >= min_until && now - *idle_since >= o->idle_ms &&
		    (!empty_since || now - empty_since >= EXIT_GRACE_MS))
			return 0;
		clock_sleep_ms(o->poll_ms);
	}
}

/* Allow everything; log the calls whose records name a program. */
static const char exec_log_profile[] =
	"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"execve\",\"execveat\","
	"\"exit_group\"],\"action\":\"SCMP_ACT_LOG\"}]}";

static bool watch_knows(void *ctx, int pid)
{
	return procwatch_saw_pid(ctx, pid);
}

/*
 * kauditd delivers records asynchronously, and later when the machine is
 * busy: after the container is gone, wait until none has come for
 * AUDIT_QUIET_MS (at least 50 ms, at most AUDIT_SETTLE_MAX_MS; the whole
 * time when none came at all, since every container execs at least once).
 */
#define AUDIT_QUIET_MS 150
#define AUDIT_SETTLE_MAX_MS 1500

static void audit_settle(struct audit_reader *reader)
{
	const struct timespec step = { 0, 25 * 1000000L };
	long start = clock_now_ms(), quiet_since = start;
	size_t seen = audit_reader_count(reader);

	for (long now = start; now - start < AUDIT_SETTLE_MAX_MS; now = clock_now_ms()) {
		size_t n;

		nanosleep(&step, NULL);
		n = audit_reader_count(reader);
		if (n != seen) {
			seen = n;
			quiet_since = clock_now_ms();
		} else if (seen && clock_now_ms() - quiet_since >= AUDIT_QUIET_MS &&
			   clock_now_ms() - start >= 50) {
			break;
		}
	}
}

/* Programs named by the audit records of this container's processes. */
static void add_audit_exes(struct monitor_result *r, struct audit_record *recs, size_t nr,
			   const struct audit_fork *forks, size_t forks_nr)
{
	audit_attribute(recs, nr, forks, forks_nr, r->container_id, watch_knows, &r->watch);
	for (size_t i = 0; i < nr; i++) {
		const struct audit_record *a = &recs[i];
		char exe[sizeof(a->exe)];

		/* runc's init runs from a memfd copy: its exe is not the image's. */
		if (!a->ours || runtime_stage(a->comm) || a->exe[0] != '/' || !a->exe[1])
			continue;
		memcpy(exe, a->exe, sizeof(exe));
		if (add_path(&r->watch.exes, exe))
			r->audit_exes++;
	}
}

struct traced {
	struct procwatch *w;
	struct strmap exes, libs; /* new to the poll's */
};

static void add_traced(void *ctx, bool exe, const char *path, const char *comm)
{
	struct traced *t = ctx;
	char *p;

	/* runc's stages run in the container's namespaces too. */
	if (runtime_stage(comm))
		return;
	p = xstrdup(path);
	if (add_path(exe ? &t->w->exes : &t->w->libs, p))
		strmap_put(exe ? &t->exes : &t->libs, p, NULL);
	free(p);
}

static void collect_traced(struct monitor_result *r, const struct monitor_tracer *tr)
{
	struct traced t = { &r->watch, STRMAP_INIT, STRMAP_INIT };
	uint64_t lost = 0, cut = 0;

	tr->collect(tr->ctx, add_traced, &t, &lost, &cut);
	r->traced_exes = sorted_copy(&t.exes, &r->traced_exes_nr);
	r->traced_libs = sorted_copy(&t.libs, &r->traced_libs_nr);
	strmap_release(&t.exes, NULL);
	strmap_release(&t.libs, NULL);
	if (lost)
		warn_add("monitor: %s lost %llu events (its buffer was full); programs and "
			 "libraries may be missing",
			 tr->name, (unsigned long long)lost);
	if (cut)
		warn_add("monitor: %s saw %llu paths too long to send; those files are missing",
			 tr->name, (unsigned long long)cut);
}

int monitor_run(struct dockerapi *api, const struct container_spec *spec,
		const struct monitor_opts *in, struct monitor_result *r)
{
	struct monitor_opts o;
	struct container c = { 0 };
	struct container_state st = { 0 };
	struct container_spec logged;
	struct audit_reader *reader = NULL;
	long start, idle_since;
	bool exited = false;
	int ret;

	defaults(&o, in);
	if (!o.no_audit_exec && !spec->seccomp && audit_reader_start(&reader) == 0) {
		container_spec_copy(&logged, spec);
		logged.seccomp = xstrdup(exec_log_profile);
		ret = container_create(api, &logged, &c);
		container_spec_release(&logged);
	} else {
		err_clear();
		ret = container_create(api, spec, &c);
	}
	if (ret < 0) {
		audit_reader_stop(reader);
		return ret;
	}
	r->container_id = xstrdup(c.id);
	if (o.collect_maps && o.tracer)
		o.tracer->watch(o.tracer->ctx, c.id);
	ret = container_start(api, &c);
	if (ret < 0) {
		/* The engine reports runc's failure (e.g. a profile that is too tight). */
		r->started = false;
		r->start_error = xstrdup(err_msg());
		err_clear();
		ret = 0;
		goto logs;
	}
	r->started = true;
	start = clock_now_ms();
	idle_since = start;
	ret = container_inspect(api, &c, &st);
	if (ret < 0)
		goto out;
	procwatch_release(&r->watch);
	procwatch_init(&r->watch, st.running ? st.pid : 0);
	if (o.on_start)
		o.on_start(o.ctx, &c, st.pid);
	container_state_release(&st);

	ret = watch(api, &c, &r->watch, &o, start, start + o.min_ms, &idle_since, &exited);
	if (ret < 0)
		goto out;
	if (!exited && o.probe && o.probe->kind != PROBE_NONE) {
		long t = clock_now_ms();

		r->probe_ran = true;
		r->probe_status = probe_run(o.probe, api, &c, o.probe_timeout_ms);
		r->probe_ms = clock_now_ms() - t;
		if (r->probe_status < 0) {
			r->probe_error = xstrdup(err_msg());
			err_clear();
			/* The verdict is in; a failing server may spin, so do not wait for idle. */
			goto stop;
		}
		/*
		 * The workload may start work (workers, modules): watch until idle
		 * again, for half as long (the program has settled once already).
		 */
		struct monitor_opts after = o;

		after.idle_ms = o.idle_ms / 2 > 200 ? o.idle_ms / 2 : 200;
		idle_since = clock_now_ms();
		ret = watch(api, &c, &r->watch, &after, start, clock_now_ms() + o.poll_ms * 2, &idle_since,
			    &exited);
		if (ret < 0)
			goto out;
	}
stop:
	r->exited = exited;
	r->ran_ms = clock_now_ms() - start;
	/*
	 * Logs as of the end of the observation: what a program prints while
	 * being stopped depends on timing (nginx's SIGCHLD notices), so it
	 * would make two runs differ for no reason.
	 */
	if (!exited) {
		if (container_logs(api, &c, LOGS_CAP, &r->out, &r->err, &r->logs_truncated) < 0)
			err_clear();
		r->logs_taken = true;
	}
	if (!exited) {
		int code;

		container_stop(api, &c, (int)o.stop_timeout_s);
		err_clear();
		if (container_wait(api, &c, (o.stop_timeout_s + 5) * 1000, &code) < 0) {
			container_kill(api, &c, "KILL");
			err_clear();
		}
	}
logs:
	if (container_inspect(api, &c, &st) == 0) {
		r->exit_code = st.exit_code;
		r->oom_killed = st.oom_killed;
		if (!r->started && st.error && !r->start_error)
			r->start_error = xstrdup(st.error);
		container_state_release(&st);
	}
	if (!r->logs_taken &&
	    container_logs(api, &c, LOGS_CAP, &r->out, &r->err, &r->logs_truncated) < 0)
		err_clear();
	if (reader) {
		struct audit_record *recs = NULL;
		size_t nr = 0;
		uint64_t lost = 0;
		struct audit_fork *forks = NULL;
		size_t forks_nr = 0;

		audit_settle(reader);
		audit_reader_take(reader, &recs, &nr, &lost);
		audit_reader_take_forks(reader, &forks, &forks_nr);
		add_audit_exes(r, recs, nr, forks, forks_nr);
		free(forks);
		if (lost)
			warn_add("monitor: %llu seccomp audit records were lost; short-lived programs "
				 "may be missing",
				 (unsigned long long)lost);
		free(recs);
	}
	if (o.collect_maps && o.tracer)
		collect_traced(r, o.tracer);
	if (o.collect_maps) {
		r->exes = sorted_copy(&r->watch.exes, &r->exes_nr);
		r->libs = sorted_copy(&r->watch.libs, &r->libs_nr);
	}
out:
	{
		/* Removal must not clobber the message of an earlier failure. */
		char *saved = ret < 0 ? xstrdup(err_msg()) : NULL;
		int rm = container_remove(api, &c);

		if (rm < 0 && ret == 0)
			ret = rm;
		if (saved) {
			err_set(-ret, "%s", saved);
			free(saved);
		}
	}
	audit_reader_stop(reader);
	container_release(&c);
	return ret;
}
