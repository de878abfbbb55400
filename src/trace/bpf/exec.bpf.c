// SPDX-License-Identifier: GPL-2.0
/*
 * The monitor's kernel half: every program a task executes and every file
 * it maps executable (mmap or mprotect with PROT_EXEC), with the path as
 * the task sees it (from its own root, across the mounts in between), its
 * comm and the name of its cgroup.  User space keeps the events of one
 * container's cgroup; the rest of the machine's are dropped there.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "trace/bpf/exec_event.h"

char LICENSE[] SEC("license") = "GPL";

#define PROT_EXEC 0x4
#define PARTS_MAX 40
#define NAME_MAX 255

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} events SEC(".maps");

/* [0]: events lost to a full ring buffer. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

/* One event is sent once per (file, task root, cgroup). */
struct seen_key {
	__u64 dentry, mnt, root, cgroup;
	__u32 kind, pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct seen_key);
	__type(value, __u8);
} seen SEC(".maps");

struct walk {
	struct dentry *dentry, *root_dentry;
	struct vfsmount *vmnt, *root_mnt;
	struct mount *mnt;
	__u32 n, pos, flags;
};

/*
 * The recorder's: the calls of each mount namespace but ours, per CPU (no
 * atomics; user space ORs the CPUs' bits).  Loaded only to record.
 */
const volatile __u32 host_mntns = 0;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct calls_key);
	__type(value, struct calls_bits);
} calls SEC(".maps");

struct scratch {
	struct walk w; /* the walk's state: kept here, its values are unknown to the verifier, so its loops converge */
	struct exec_event ev;
	char tail[NAME_MAX + 1];
	const unsigned char *names[PARTS_MAX];
	__u32 lens[PARTS_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch_map SEC(".maps");

static bool cgroup_is_root(struct cgroup *cg)
{
	return BPF_CORE_READ(cg, level) == 0;
}

struct cgroup_pick {
	struct css_set *cset;
	struct cgroup *cg;
};

static long pick_step(__u32 i, void *ctx)
{
	struct cgroup_pick *p = ctx;
	struct css_set *cset = p->cset;

	struct cgroup_subsys_state *css;
	struct cgroup *cg;

	if (i >= bpf_core_field_size(cset->subsys) / sizeof(cset->subsys[0]))
		return 1;
	css = BPF_CORE_READ(cset, subsys[i & 15]);
	if (!css)
		return 0;
	cg = BPF_CORE_READ(css, cgroup);
	if (cg && !cgroup_is_root(cg)) {
		p->cg = cg;
		return 1;
	}
	return 0;
}

/* The task's cgroup that is not a hierarchy's root: the default one, else a v1 controller's. */
static struct cgroup *task_cgroup(struct task_struct *task)
{
	struct css_set *cset = BPF_CORE_READ(task, cgroups);
	struct cgroup *cg = BPF_CORE_READ(cset, dfl_cgrp);
	struct cgroup_pick p = { cset, 0 };

	if (cg && !cgroup_is_root(cg))
		return cg;
	bpf_loop(16, pick_step, &p, 0);
	return p.cg;
}

static void count_lost(void)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&lost, &k);

	if (v)
		__sync_fetch_and_add(v, 1);
}


/*
 * One step up from the file toward the task's root, crossing mounts; the
 * names come out leaf first.  A bpf_loop callback: the verifier checks it
 * once rather than once per step.
 */
static long walk_step(__u32 i, void *ctx)
{
	__u32 zero = 0;
	struct scratch *s = bpf_map_lookup_elem(&scratch_map, &zero);
	struct walk *w;
	struct dentry *dentry, *parent;
	struct vfsmount *vmnt;
	struct mount *mnt;
	__u32 n;

	if (!s)
		return 1;
	w = &s->w;
	dentry = w->dentry;
	vmnt = w->vmnt;
	mnt = w->mnt;
	n = w->n;
	if (dentry == w->root_dentry && vmnt == w->root_mnt) {
		w->flags = 0;
		return 1;
	}
	if (dentry == BPF_CORE_READ(vmnt, mnt_root)) {
		struct mount *up = BPF_CORE_READ(mnt, mnt_parent);

		if (up == mnt) {
			/* A root that is not the task's: outside its view (runc's memfd). */
			w->flags = EXEC_EVENT_OUTSIDE;
			return 1;
		}
		w->dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
		w->mnt = up;
		w->vmnt = (struct vfsmount *)((void *)up + bpf_core_field_offset(struct mount, mnt));
		return 0;
	}
	parent = BPF_CORE_READ(dentry, d_parent);
	if (parent == dentry) {
		w->flags = EXEC_EVENT_OUTSIDE;
		return 1;
	}
	if (n >= PARTS_MAX)
		return 1;
	s->names[n] = BPF_CORE_READ(dentry, d_name.name);
	s->lens[n] = BPF_CORE_READ(dentry, d_name.len);
	w->n = n + 1;
	w->dentry = parent;
	return 0;
}

/* Step i writes "/" and the name i-th from the root. */
static long build_step(__u32 i, void *ctx)
{
	__u32 zero = 0, k, len, pos;
	struct scratch *s = bpf_map_lookup_elem(&scratch_map, &zero);
	struct walk *w;

	if (!s)
		return 1;
	w = &s->w;
	pos = w->pos;
	if (i >= w->n)
		return 1;
	k = w->n - 1 - i;
	if (k >= PARTS_MAX)
		return 1;
	len = s->lens[k];
	if (len > NAME_MAX || pos + 1 + len >= EXEC_PATH_MAX) {
		w->flags |= EXEC_EVENT_TRUNCATED;
		return 1;
	}
	s->ev.path[pos & (EXEC_PATH_MAX - 1)] = '/';
	pos++;
	bpf_probe_read_kernel(&s->ev.path[pos & (EXEC_PATH_MAX - 1)], len & NAME_MAX, s->names[k]);
	w->pos = pos + len;
	return 0;
}

static int emit(__u32 kind, struct file *file)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task_btf();
	struct path root = BPF_CORE_READ(task, fs, root);
	struct dentry *dentry = BPF_CORE_READ(file, f_path.dentry);
	struct vfsmount *vmnt = BPF_CORE_READ(file, f_path.mnt);
	struct cgroup *cg = task_cgroup(task);
	struct walk *w;
	struct seen_key key = { 0 };
	__u8 one = 1;
	__u32 zero = 0, pos;
	struct scratch *s;

	if (!dentry || !vmnt)
		return 0;
	key.dentry = (__u64)dentry;
	key.mnt = (__u64)vmnt;
	key.root = (__u64)root.mnt;
	key.cgroup = (__u64)cg;
	key.kind = kind;
	if (bpf_map_update_elem(&seen, &key, &one, BPF_NOEXIST))
		return 0;
	s = bpf_map_lookup_elem(&scratch_map, &zero);
	if (!s)
		return 0;
	w = &s->w;
	w->dentry = dentry;
	w->vmnt = vmnt;
	w->mnt = (struct mount *)((void *)vmnt - bpf_core_field_offset(struct mount, mnt));
	w->root_dentry = root.dentry;
	w->root_mnt = root.mnt;
	w->n = 0;
	w->pos = 0;
	w->flags = EXEC_EVENT_TRUNCATED; /* unless the walk ends at a root */
	bpf_loop(PARTS_MAX * 2, walk_step, NULL, 0);
	bpf_loop(PARTS_MAX, build_step, NULL, 0);
	pos = w->pos;
	if (!w->n) {
		s->ev.path[0] = '/';
		pos = 1;
	}
	s->ev.path[pos & (EXEC_PATH_MAX - 1)] = '\0';
	s->ev.kind = kind;
	s->ev.flags = w->flags;
	s->ev.pid = bpf_get_current_pid_tgid() >> 32;
	s->ev.mntns = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);
	s->ev.path_len = pos & (EXEC_PATH_MAX - 1);
	bpf_get_current_comm(s->ev.comm, sizeof(s->ev.comm));
	s->ev.cgroup[0] = '\0';
	if (cg)
		bpf_probe_read_kernel_str(s->ev.cgroup, sizeof(s->ev.cgroup), BPF_CORE_READ(cg, kn, name));
	if (bpf_ringbuf_output(&events, &s->ev,
			       offsetof(struct exec_event, path) + (s->ev.path_len & (EXEC_PATH_MAX - 1)) + 1,
			       0)) {
		/* Sent again when the file is next mapped. */
		bpf_map_delete_elem(&seen, &key);
		count_lost();
	}
	return 0;
}

/*
 * The name execve was given: a script's own path, where the executed file
 * is its interpreter.  Not deduplicated (a name is no file to key on);
 * execs are few beside mappings.
 */
static void emit_name(const char *name)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task_btf();
	struct cgroup *cg = task_cgroup(task);
	__u32 zero = 0;
	struct scratch *s = bpf_map_lookup_elem(&scratch_map, &zero);
	long n;

	if (!s || !cg)
		return;
	n = bpf_probe_read_kernel_str(s->ev.path, EXEC_PATH_MAX, name);
	if (n <= 1 || s->ev.path[0] != '/')
		return;
	s->ev.kind = EXEC_EVENT_NAME;
	s->ev.flags = 0;
	s->ev.pid = bpf_get_current_pid_tgid() >> 32;
	s->ev.mntns = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);
	s->ev.path_len = (n - 1) & (EXEC_PATH_MAX - 1);
	bpf_get_current_comm(s->ev.comm, sizeof(s->ev.comm));
	bpf_probe_read_kernel_str(s->ev.cgroup, sizeof(s->ev.cgroup), BPF_CORE_READ(cg, kn, name));
	if (bpf_ringbuf_output(&events, &s->ev,
			       offsetof(struct exec_event, path) + (s->ev.path_len & (EXEC_PATH_MAX - 1)) + 1,
			       0))
		count_lost();
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	emit_name(BPF_CORE_READ(bprm, filename));
	return emit(EXEC_EVENT_EXEC, BPF_CORE_READ(bprm, file));
}

/* The file a descriptor of the current task names, or NULL. */
static struct file *fd_file(struct task_struct *task, long fd)
{
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds;
	struct file *f = 0;

	if (fd < 0 || !fdt || fd >= BPF_CORE_READ(fdt, max_fds))
		return 0;
	fds = BPF_CORE_READ(fdt, fd);
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return f;
}

/*
 * Syscall tracepoints rather than fentry on security_mmap_file: they work
 * where the kernel lets no trampoline be attached (some virtual machines'
 * kernels).  What they miss is the kernel's own mapping of a program's
 * ELF interpreter, which the analysis reads from the program anyway.
 */
SEC("tracepoint/syscalls/sys_enter_mmap")
int on_mmap(struct trace_event_raw_sys_enter *ctx)
{
	unsigned long prot = ctx->args[2];
	struct file *file;

	if (!(prot & PROT_EXEC))
		return 0;
	file = fd_file((struct task_struct *)bpf_get_current_task_btf(), (long)(int)ctx->args[4]);
	if (!file)
		return 0;
	return emit(EXEC_EVENT_MAP, file);
}

static long vma_file(struct task_struct *task, struct vm_area_struct *vma, void *ctx)
{
	struct file **out = ctx;

	*out = BPF_CORE_READ(vma, vm_file);
	return 0;
}

static int on_protect(unsigned long addr, unsigned long prot)
{
	struct file *file = 0;

	if (!(prot & PROT_EXEC))
		return 0;
	if (bpf_find_vma(bpf_get_current_task_btf(), addr, vma_file, &file, 0) || !file)
		return 0;
	return emit(EXEC_EVENT_MAP, file);
}

SEC("tracepoint/syscalls/sys_enter_mprotect")
int on_mprotect(struct trace_event_raw_sys_enter *ctx)
{
	return on_protect(ctx->args[0], ctx->args[2]);
}

SEC("tracepoint/syscalls/sys_enter_pkey_mprotect")
int on_pkey_mprotect(struct trace_event_raw_sys_enter *ctx)
{
	return on_protect(ctx->args[0], ctx->args[2]);
}

/* x86's thread_info status bit of a task in a 32-bit system call. */
#define TS_COMPAT 0x0002

SEC("tp_btf/sys_enter")
int BPF_PROG(on_sys_enter, struct pt_regs *regs, long id)
{
	struct task_struct *task = bpf_get_current_task_btf();
	/*
	 * Plain loads through BTF pointers, not BPF_CORE_READ's three
	 * bpf_probe_read_kernel() calls: this runs for every system call on
	 * the machine, and most return at the next line.  A fault (an exiting
	 * task's NULL nsproxy) reads 0.
	 */
	struct calls_key key = { task->nsproxy->mnt_ns->ns.inum, 0 };
	static const struct calls_bits zero_bits;
	struct calls_bits *v;
	char comm[16];

	if (!key.mntns || key.mntns == host_mntns || id < 0 || id >= CALLS_WORDS * 64)
		return 0;
	bpf_get_current_comm(comm, sizeof(comm));
	if (comm[0] == 'r' && comm[1] == 'u' && comm[2] == 'n' && comm[3] == 'c' && comm[4] == ':' &&
	    comm[5] == '[')
		key.flags |= CALLS_RUNTIME;
	if (bpf_core_field_exists(task->thread_info.status) &&
	    (BPF_CORE_READ(task, thread_info.status) & TS_COMPAT))
		key.flags |= CALLS_COMPAT;
	v = bpf_map_lookup_elem(&calls, &key);
	if (!v) {
		bpf_map_update_elem(&calls, &key, &zero_bits, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&calls, &key);
		if (!v)
			return 0;
	}
	v->w[(id >> 6) & (CALLS_WORDS - 1)] |= 1ull << (id & 63);
	return 0;
}
