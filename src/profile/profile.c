#include "profile/profile.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/error.h"
#include "util/fs.h"
#include "util/xalloc.h"

#define PROFILE_FILE_CAP (16u << 20)
#define PROFILE_NAMES_MAX 100000
#define PROFILE_NAME_LEN_MAX 128

void profile_init(struct profile *p, enum sys_arch arch)
{
	memset(p, 0, sizeof(*p));
	p->arch = arch;
	sysset_clear(&p->allow);
}

void profile_release(struct profile *p)
{
	size_t i;

	for (i = 0; i < p->unknown_nr; i++)
		free(p->unknown[i]);
	free(p->unknown);
	free(p->name);
	profile_init(p, p->arch);
}

void profile_set_name(struct profile *p, const char *name)
{
	free(p->name);
	p->name = name ? xstrdup(name) : NULL;
}

int profile_allow_name(struct profile *p, const char *name)
{
	int nr = syscall_number(p->arch, name);

	if (nr < 0)
		return -ENOENT;
	sysset_add(&p->allow, nr);
	return 0;
}

static int cmp_str(const void *a, const void *b);

int profile_allow_abis(struct profile *p, unsigned abis)
{
	const struct syscall_info *tab;
	size_t n;

	if (!abis)
		return 0;
	if (p->arch != SYS_ARCH_X86_64)
		return -EINVAL;
	p->abis |= abis & (PROFILE_ABI_I386 | PROFILE_ABI_X32);
	tab = syscall_table(p->arch, &n);
	for (size_t i = 0; i < n; i++)
		sysset_add(&p->allow, tab[i].nr);
	return 0;
}

/* The seccomp architectures of the profile's ABIs after its own: libseccomp's names. */
static size_t abi_arch_names(const struct profile *p, const char *out[3])
{
	size_t n = 0;

	out[n++] = profile_scmp_arch_name(p->arch);
	if (p->arch == SYS_ARCH_X86_64 && (p->abis & PROFILE_ABI_I386))
		out[n++] = "SCMP_ARCH_X86";
	if (p->arch == SYS_ARCH_X86_64 && (p->abis & PROFILE_ABI_X32))
		out[n++] = "SCMP_ARCH_X32";
	return n;
}

static json_t *json_arches(const struct profile *p)
{
	const char *v[3];
	size_t n = abi_arch_names(p, v);
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

/*
 * The names of i386 calls the x86_64 table lacks (mmap2, socketcall,
 * _llseek...), from libseccomp's i386 table, sorted; owned strings.
 * Empty unless the profile admits the i386 ABI.
 */
static char **i386_only_names(const struct profile *p, size_t *count)
{
	char **v = NULL;
	size_t n = 0, alloc = 0;

	*count = 0;
	if (p->arch != SYS_ARCH_X86_64 || !(p->abis & PROFILE_ABI_I386))
		return NULL;
	for (int nr = 0; nr < 1024; nr++) {
		char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86, nr);

		if (!name)
			continue;
		if (syscall_number(SYS_ARCH_X86_64, name) >= 0) {
			free(name);
			continue;
		}
		ALLOC_GROW(v, n + 1, alloc);
		v[n++] = name;
	}
	qsort(v, n, sizeof(*v), cmp_str);
	*count = n;
	return v;
}

static void free_names(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void add_unknown(struct profile *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->unknown_nr; i++)
		if (!strcmp(p->unknown[i], name))
			return;
	ALLOC_GROW(p->unknown, p->unknown_nr + 1, p->unknown_alloc);
	p->unknown[p->unknown_nr++] = xstrdup(name);
}

static const struct {
	const char *name;
	enum profile_format fmt;
} format_names[] = {
	{ "docker", PROFILE_DOCKER },
	{ "oci", PROFILE_DOCKER },
	{ "json", PROFILE_DOCKER },
	{ "k8s", PROFILE_K8S },
	{ "kubernetes", PROFILE_K8S },
	{ "confine-deny", PROFILE_CONFINE_DENY },
	{ "deny", PROFILE_CONFINE_DENY },
	{ "bpf", PROFILE_BPF },
};

int profile_format_parse(const char *s, enum profile_format *out)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(format_names); i++) {
		if (!strcmp(s, format_names[i].name)) {
			*out = format_names[i].fmt;
			return 0;
		}
	}
	return err_set(EINVAL, "unknown profile format '%s' (docker, k8s, confine-deny, bpf)", s);
}

const char *profile_format_name(enum profile_format f)
{
	switch (f) {
	case PROFILE_DOCKER:
		return "docker";
	case PROFILE_K8S:
		return "k8s";
	case PROFILE_CONFINE_DENY:
		return "confine-deny";
	case PROFILE_BPF:
		return "bpf";
	}
	return "?";
}

unsigned profile_scmp_arch(enum sys_arch arch)
{
	switch (arch) {
	case SYS_ARCH_X86_64:
		return SCMP_ARCH_X86_64;
	case SYS_ARCH_AARCH64:
		return SCMP_ARCH_AARCH64;
	}
	return 0;
}

const char *profile_scmp_arch_name(enum sys_arch arch)
{
	switch (arch) {
	case SYS_ARCH_X86_64:
		return "SCMP_ARCH_X86_64";
	case SYS_ARCH_AARCH64:
		return "SCMP_ARCH_AARCH64";
	}
	return "?";
}

/*
 * Syscalls with a well-known userspace fallback on ENOSYS.  They are all
 * newer than Linux 3.2, so the 'since' rule below covers them too; the list
 * keeps the behaviour right when the table lacks version data.
 */
static const char *const enosys_names[] = {
	"cachestat", "clone3", "close_range", "copy_file_range", "epoll_pwait2",
	"faccessat2", "fchmodat2", "futex_waitv", "getrandom", "io_uring_enter",
	"io_uring_register", "io_uring_setup", "landlock_add_rule",
	"landlock_create_ruleset", "landlock_restrict_self", "membarrier",
	"memfd_create", "memfd_secret", "mlock2", "mount_setattr", "openat2",
	"pidfd_getfd", "pidfd_open", "pidfd_send_signal", "preadv2",
	"process_madvise", "process_mrelease", "pwritev2", "renameat2", "rseq",
	"statx",
};

/* True when kernel version 'v' ("4.11", "2.6.27") is newer than 3.2. */
static bool newer_than_3_2(const char *v)
{
	unsigned long major, minor = 0;
	char *end;

	if (!v || !isdigit((unsigned char)*v))
		return false;
	major = strtoul(v, &end, 10);
	if (*end == '.')
		minor = strtoul(end + 1, NULL, 10);
	return major > 3 || (major == 3 && minor > 2);
}

int profile_deny_errno(enum sys_arch arch, int nr)
{
	const struct syscall_info *tab;
	size_t n, i;
	const char *name = syscall_name(arch, nr);

	if (!name)
		return ENOSYS;
	for (i = 0; i < ARRAY_SIZE(enosys_names); i++)
		if (!strcmp(name, enosys_names[i]))
			return ENOSYS;
	tab = syscall_table(arch, &n);
	for (i = 0; i < n; i++)
		if (tab[i].nr == nr)
			return newer_than_3_2(tab[i].since) ? ENOSYS : EPERM;
	return EPERM;
}

size_t profile_blocked_count(const struct profile *p)
{
	const struct syscall_info *tab;
	size_t n, i, blocked = 0;

	tab = syscall_table(p->arch, &n);
	for (i = 0; i < n; i++)
		if (!sysset_has(&p->allow, tab[i].nr))
			blocked++;
	return blocked;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * Sorted names of the table's syscalls in one class: allowed (which = 0),
 * denied with EPERM (1), denied with ENOSYS (2), denied at all (3).
 */
static const char **names_of(const struct profile *p, int which, size_t *count)
{
	const struct syscall_info *tab;
	const char **out;
	size_t n, i, k = 0;

	tab = syscall_table(p->arch, &n);
	out = xcalloc(n + 1, sizeof(*out));
	for (i = 0; i < n; i++) {
		bool allowed = sysset_has(&p->allow, tab[i].nr);
		int e = allowed ? 0 : profile_deny_errno(p->arch, tab[i].nr);
		bool take;

		switch (which) {
		case 0:
			take = allowed;
			break;
		case 1:
			take = !allowed && e != ENOSYS;
			break;
		case 2:
			take = !allowed && e == ENOSYS;
			break;
		default:
			take = !allowed;
			break;
		}
		if (take)
			out[k++] = tab[i].name;
	}
	qsort(out, k, sizeof(*out), cmp_str);
	*count = k;
	return out;
}

/*
 * The allowed names, with the i386-only ones when the profile admits that
 * ABI, sorted; *extra holds the owned strings to free (free_names).
 */
static const char **allowed_names(const struct profile *p, size_t *count, char ***extra, size_t *extra_nr)
{
	size_t n;
	const char **allow = names_of(p, 0, &n);

	*extra = i386_only_names(p, extra_nr);
	if (*extra_nr) {
		allow = xrealloc_array(allow, n + *extra_nr + 1, sizeof(*allow));
		for (size_t i = 0; i < *extra_nr; i++)
			allow[n++] = (*extra)[i];
		qsort(allow, n, sizeof(*allow), cmp_str);
	}
	*count = n;
	return allow;
}

static json_t *json_names(const char **names, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string(names[i]));
	return a;
}

static int dump_json(json_t *doc, struct strbuf *out)
{
	char *s = json_dumps(doc, JSON_PRESERVE_ORDER | JSON_INDENT(2));
	int ret;

	if (!s)
		return err_set(ENOMEM, "cannot serialise profile");
	ret = strbuf_addstr(out, s);
	if (!ret)
		ret = strbuf_addch(out, '\n');
	free(s);
	return ret;
}

static int render_docker(const struct profile *p, struct strbuf *out)
{
	const char **allow, **enosys;
	char **extra;
	size_t nallow, nenosys, nextra;
	json_t *doc, *rules, *rule;
	int ret;

	allow = allowed_names(p, &nallow, &extra, &nextra);
	enosys = names_of(p, 2, &nenosys);
	doc = json_object();
	json_object_set_new(doc, "defaultAction", json_string("SCMP_ACT_ERRNO"));
	json_object_set_new(doc, "defaultErrnoRet", json_integer(EPERM));
	json_object_set_new(doc, "architectures", json_arches(p));
	rules = json_array();
	rule = json_object();
	json_object_set_new(rule, "names", json_names(allow, nallow));
	json_object_set_new(rule, "action", json_string("SCMP_ACT_ALLOW"));
	json_array_append_new(rules, rule);
	if (nenosys) {
		rule = json_object();
		json_object_set_new(rule, "names", json_names(enosys, nenosys));
		json_object_set_new(rule, "action", json_string("SCMP_ACT_ERRNO"));
		json_object_set_new(rule, "errnoRet", json_integer(ENOSYS));
		json_array_append_new(rules, rule);
	}
	json_object_set_new(doc, "syscalls", rules);
	ret = dump_json(doc, out);
	json_decref(doc);
	free(allow);
	free(enosys);
	free_names(extra, nextra);
	return ret;
}

/* Confine's layout: default allow, one entry per blocked name. */
static int render_deny(const struct profile *p, struct strbuf *out)
{
	const char **deny;
	size_t ndeny, i;
	json_t *doc, *rules;
	int ret;

	deny = names_of(p, 3, &ndeny);
	doc = json_object();
	json_object_set_new(doc, "defaultAction", json_string("SCMP_ACT_ALLOW"));
	json_object_set_new(doc, "architectures", json_arches(p));
	rules = json_array();
	for (i = 0; i < ndeny; i++) {
		int nr = syscall_number(p->arch, deny[i]);
		json_t *r = json_object();

		json_object_set_new(r, "name", json_string(deny[i]));
		json_object_set_new(r, "action", json_string("SCMP_ACT_ERRNO"));
		if (profile_deny_errno(p->arch, nr) == ENOSYS)
			json_object_set_new(r, "errnoRet", json_integer(ENOSYS));
		json_object_set_new(r, "args", json_array());
		json_array_append_new(rules, r);
	}
	json_object_set_new(doc, "syscalls", rules);
	ret = dump_json(doc, out);
	json_decref(doc);
	free(deny);
	return ret;
}

/* A DNS-1123 subdomain for metadata.name. */
static char *k8s_name(const char *name)
{
	struct strbuf sb = STRBUF_INIT;
	const char *s;

	strbuf_addstr(&sb, "confine-");
	for (s = name ? name : "profile"; *s && sb.len < 200; s++) {
		unsigned char c = (unsigned char)tolower((unsigned char)*s);

		if (isalnum(c) || c == '.')
			strbuf_addch(&sb, c);
		else if (sb.len && sb.buf[sb.len - 1] != '-')
			strbuf_addch(&sb, '-');
	}
	while (sb.len && (sb.buf[sb.len - 1] == '-' || sb.buf[sb.len - 1] == '.'))
		sb.buf[--sb.len] = '\0';
	return strbuf_detach(&sb, NULL);
}

static int render_k8s(const struct profile *p, struct strbuf *out)
{
	const char **allow, **enosys, *arches[3];
	char **extra;
	size_t nallow, nenosys, nextra, narches = abi_arch_names(p, arches), i;
	char *name = k8s_name(p->name);
	int ret = 0;

	allow = allowed_names(p, &nallow, &extra, &nextra);
	enosys = names_of(p, 2, &nenosys);
	ret |= strbuf_addf(out,
			   "apiVersion: security-profiles-operator.x-k8s.io/v1beta1\n"
			   "kind: SeccompProfile\n"
			   "metadata:\n"
			   "  name: %s\n"
			   "spec:\n"
			   "  defaultAction: SCMP_ACT_ERRNO\n"
			   "  architectures:\n",
			   name);
	for (i = 0; i < narches; i++)
		ret |= strbuf_addf(out, "  - %s\n", arches[i]);
	ret |= strbuf_addstr(out, "  syscalls:\n"
				  "  - action: SCMP_ACT_ALLOW\n"
				  "    names:\n");
	for (i = 0; i < nallow; i++)
		ret |= strbuf_addf(out, "    - %s\n", allow[i]);
	if (nenosys) {
		ret |= strbuf_addf(out, "  - action: SCMP_ACT_ERRNO\n    errnoRet: %d\n    names:\n",
				   ENOSYS);
		for (i = 0; i < nenosys; i++)
			ret |= strbuf_addf(out, "    - %s\n", enosys[i]);
	}
	free(name);
	free(allow);
	free(enosys);
	free_names(extra, nextra);
	return ret ? err_set(EFBIG, "cannot render profile: output too large") : 0;
}

static int render_bpf(const struct profile *p, struct strbuf *out)
{
	const struct syscall_info *tab;
	uint32_t arch = profile_scmp_arch(p->arch);
	scmp_filter_ctx ctx;
	size_t n, i;
	int fd = -1, ret;
	off_t size;

	ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	if (!ctx)
		return err_set(ENOMEM, "cannot create libseccomp filter");
	if (arch != seccomp_arch_native()) {
		ret = seccomp_arch_add(ctx, arch);
		if (!ret)
			ret = seccomp_arch_remove(ctx, SCMP_ARCH_NATIVE);
		if (ret) {
			ret = err_set(-ret, "libseccomp cannot build a filter for %s",
				      profile_scmp_arch_name(p->arch));
			goto out_ctx;
		}
	}
	if (p->arch == SYS_ARCH_X86_64 && (p->abis & PROFILE_ABI_I386) && (ret = seccomp_arch_add(ctx, SCMP_ARCH_X86)) &&
	    ret != -EEXIST) {
		ret = err_set(-ret, "libseccomp cannot add the i386 architecture");
		goto out_ctx;
	}
	if (p->arch == SYS_ARCH_X86_64 && (p->abis & PROFILE_ABI_X32) && (ret = seccomp_arch_add(ctx, SCMP_ARCH_X32)) &&
	    ret != -EEXIST) {
		ret = err_set(-ret, "libseccomp cannot add the x32 architecture");
		goto out_ctx;
	}
	{
		/* i386 calls x86_64 lacks: libseccomp's pseudo numbers place them on i386 alone. */
		size_t nextra;
		char **extra = i386_only_names(p, &nextra);

		ret = 0;
		for (i = 0; i < nextra && !ret; i++) {
			int snr = seccomp_syscall_resolve_name(extra[i]);

			if (snr != __NR_SCMP_ERROR && (ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, snr, 0)))
				ret = err_set(-ret, "libseccomp rejects a rule for '%s'", extra[i]);
		}
		free_names(extra, nextra);
		if (ret)
			goto out_ctx;
	}
	tab = syscall_table(p->arch, &n);
	for (i = 0; i < n; i++) {
		int snr = seccomp_syscall_resolve_name_arch(arch, tab[i].name);
		uint32_t action;

		if (snr == __NR_SCMP_ERROR || snr < 0)
			continue; /* profile_check_names() warns about these */
		if (sysset_has(&p->allow, tab[i].nr))
			action = SCMP_ACT_ALLOW;
		else if (profile_deny_errno(p->arch, tab[i].nr) == ENOSYS)
			action = SCMP_ACT_ERRNO(ENOSYS);
		else
			continue;
		ret = seccomp_rule_add(ctx, action, snr, 0);
		if (ret) {
			ret = err_set(-ret, "libseccomp rejects a rule for '%s'", tab[i].name);
			goto out_ctx;
		}
	}
	fd = memfd_create("confine-bpf", MFD_CLOEXEC);
	if (fd < 0) {
		ret = err_set(errno, "cannot create memory file for the BPF program: %s",
			      strerror(errno));
		goto out_ctx;
	}
	ret = seccomp_export_bpf(ctx, fd);
	if (ret) {
		ret = err_set(-ret, "libseccomp cannot export the BPF program");
		goto out_fd;
	}
	size = lseek(fd, 0, SEEK_END);
	if (size < 0 || lseek(fd, 0, SEEK_SET) < 0) {
		ret = err_set(errno, "cannot read back the BPF program");
		goto out_fd;
	}
	while (size > 0) {
		char buf[8192];
		ssize_t r = read(fd, buf, sizeof(buf));

		if (r <= 0) {
			ret = err_set(r < 0 ? errno : EIO, "cannot read back the BPF program");
			goto out_fd;
		}
		ret = strbuf_add(out, buf, (size_t)r);
		if (ret)
			goto out_fd;
		size -= r;
	}
	ret = 0;
out_fd:
	close(fd);
out_ctx:
	seccomp_release(ctx);
	return ret;
}

int profile_render(const struct profile *p, enum profile_format fmt, struct strbuf *out)
{
	switch (fmt) {
	case PROFILE_DOCKER:
		return render_docker(p, out);
	case PROFILE_K8S:
		return render_k8s(p, out);
	case PROFILE_CONFINE_DENY:
		return render_deny(p, out);
	case PROFILE_BPF:
		return render_bpf(p, out);
	}
	return err_set(EINVAL, "unknown profile format %d", (int)fmt);
}

int profile_write(const struct profile *p, enum profile_format fmt, const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	int ret;

	ret = profile_render(p, fmt, &sb);
	if (!ret)
		ret = fs_write_atomic(path, sb.buf ? sb.buf : "", sb.len, 0644);
	strbuf_release(&sb);
	return ret;
}

size_t profile_check_names(const struct profile *p)
{
	const struct syscall_info *tab;
	uint32_t arch = profile_scmp_arch(p->arch);
	struct strbuf names = STRBUF_INIT;
	size_t n, i, bad = 0;

	tab = syscall_table(p->arch, &n);
	for (i = 0; i < n; i++) {
		int snr;

		if (!sysset_has(&p->allow, tab[i].nr))
			continue;
		snr = seccomp_syscall_resolve_name_arch(arch, tab[i].name);
		if (snr == __NR_SCMP_ERROR || snr < 0) {
			strbuf_addf(&names, "%s%s", bad ? ", " : "", tab[i].name);
			bad++;
		}
	}
	if (bad)
		warn_add("libseccomp %u.%u.%u does not know %zu allowed syscall%s on %s (%s): "
			 "Docker drops such names silently, so they stay denied",
			 seccomp_version()->major, seccomp_version()->minor,
			 seccomp_version()->micro, bad, bad == 1 ? "" : "s",
			 profile_scmp_arch_name(p->arch), strbuf_str(&names));
	strbuf_release(&names);
	for (i = 0; i < p->unknown_nr; i++) {
		warn_add("syscall '%s' is unknown on %s (the kernel has no such call)",
			 p->unknown[i], profile_scmp_arch_name(p->arch));
		bad++;
	}
	return bad;
}

/* ---- reading ---------------------------------------------------------- */

enum act_class { ACT_ALLOWS, ACT_DENIES, ACT_BAD };

static enum act_class action_class(const char *a)
{
	static const char *const allows[] = { "SCMP_ACT_ALLOW", "SCMP_ACT_LOG" };
	static const char *const denies[] = {
		"SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD",
		"SCMP_ACT_KILL_PROCESS", "SCMP_ACT_TRAP", "SCMP_ACT_TRACE",
		"SCMP_ACT_NOTIFY",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(allows); i++)
		if (!strcmp(a, allows[i]))
			return ACT_ALLOWS;
	for (i = 0; i < ARRAY_SIZE(denies); i++)
		if (!strcmp(a, denies[i]))
			return ACT_DENIES;
	return ACT_BAD;
}

/* Go's GOARCH names, as Docker's includes/excludes "arches" spell them. */
static const char *goarch(enum sys_arch arch)
{
	return arch == SYS_ARCH_AARCH64 ? "arm64" : "amd64";
}

static bool str_in_array(json_t *a, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach(a, i, v)
		if (json_is_string(v) && !strcmp(json_string_value(v), s))
			return true;
	return false;
}

/*
 * Whether a Docker rule applies to a default container on 'arch':
 * includes.caps gates it on capabilities containers lack by default;
 * includes.arches / excludes.arches on the architecture.
 */
static bool rule_applies(json_t *rule, enum sys_arch arch)
{
	json_t *inc = json_object_get(rule, "includes");
	json_t *exc = json_object_get(rule, "excludes");
	json_t *a;

	if (json_is_object(inc)) {
		a = json_object_get(inc, "caps");
		if (json_is_array(a) && json_array_size(a))
			return false;
		a = json_object_get(inc, "arches");
		if (json_is_array(a) && json_array_size(a) && !str_in_array(a, goarch(arch)))
			return false;
	}
	if (json_is_object(exc)) {
		a = json_object_get(exc, "arches");
		if (json_is_array(a) && str_in_array(a, goarch(arch)))
			return false;
	}
	return true;
}

static int check_name(json_t *v, const char *what, size_t idx)
{
	const char *s;
	size_t len;

	if (!json_is_string(v))
		return err_set(EINVAL, "%s: syscalls[%zu]: names must be strings", what, idx);
	s = json_string_value(v);
	len = json_string_length(v);
	if (!len || len > PROFILE_NAME_LEN_MAX || strlen(s) != len)
		return err_set(EINVAL, "%s: syscalls[%zu]: invalid syscall name", what, idx);
	return 0;
}

/* Collects the names of one rule ("names" array or "name" string). */
static int rule_names(json_t *rule, const char *what, size_t idx, json_t **out)
{
	json_t *names = json_object_get(rule, "names");
	json_t *name = json_object_get(rule, "name");
	json_t *a = json_array();
	size_t i;
	json_t *v;
	int ret;

	if (names && !json_is_array(names)) {
		ret = err_set(EINVAL, "%s: syscalls[%zu]: \"names\" must be an array", what, idx);
		goto fail;
	}
	if (!names && !name) {
		ret = err_set(EINVAL, "%s: syscalls[%zu]: rule has neither \"names\" nor \"name\"",
			      what, idx);
		goto fail;
	}
	json_array_foreach(names, i, v) {
		ret = check_name(v, what, idx);
		if (ret)
			goto fail;
		json_array_append(a, v);
	}
	if (name) {
		ret = check_name(name, what, idx);
		if (ret)
			goto fail;
		json_array_append(a, name);
	}
	*out = a;
	return 0;
fail:
	json_decref(a);
	return ret;
}

static void allow_all(struct profile *p)
{
	const struct syscall_info *tab;
	size_t n, i;

	tab = syscall_table(p->arch, &n);
	for (i = 0; i < n; i++)
		sysset_add(&p->allow, tab[i].nr);
}

static void mark(struct profile *p, const char *name, bool allow)
{
	int nr = syscall_number(p->arch, name);

	if (nr < 0) {
		/* An i386 call the x86_64 table lacks (mmap2) is known to a profile admitting i386. */
		if ((p->abis & PROFILE_ABI_I386) && seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86, name) >= 0)
			return;
		add_unknown(p, name);
		return;
	}
	if (allow)
		sysset_add(&p->allow, nr);
	else
		sysset_del(&p->allow, nr);
}

static int read_confine_default(json_t *def, const char *what, struct profile *p)
{
	size_t i;
	json_t *v;

	if (!json_is_array(def))
		return err_set(EINVAL, "%s: \"default\" must be an array of syscall names", what);
	if (json_array_size(def) > PROFILE_NAMES_MAX)
		return err_set(E2BIG, "%s: too many names", what);
	allow_all(p);
	json_array_foreach(def, i, v) {
		if (!json_is_string(v) || !json_string_length(v) ||
		    json_string_length(v) > PROFILE_NAME_LEN_MAX)
			return err_set(EINVAL, "%s: \"default\"[%zu] is not a syscall name", what, i);
		mark(p, json_string_value(v), false);
	}
	return 0;
}

int profile_read_buf(const char *buf, size_t len, const char *what, struct profile *p,
		     enum profile_kind *kind)
{
	json_error_t jerr;
	json_t *doc, *def, *rules, *rule;
	const char *dflt;
	enum act_class dclass;
	size_t i, total = 0;
	int ret = 0;

	doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc)
		return err_set(EINVAL, "%s: invalid JSON at line %d: %s", what, jerr.line, jerr.text);
	if (!json_is_object(doc)) {
		ret = err_set(EINVAL, "%s: a profile must be a JSON object", what);
		goto out;
	}
	sysset_clear(&p->allow);
	p->abis = 0;
	def = json_object_get(doc, "default");
	if (def && !json_object_get(doc, "defaultAction")) {
		ret = read_confine_default(def, what, p);
		if (!ret && kind)
			*kind = PROFILE_KIND_CONFINE_DEFAULT;
		goto out;
	}
	if (!json_is_string(json_object_get(doc, "defaultAction"))) {
		ret = err_set(EINVAL, "%s: missing \"defaultAction\" (not a seccomp profile)", what);
		goto out;
	}
	{
		json_t *arches = json_object_get(doc, "architectures"), *v;
		size_t k;

		json_array_foreach(arches, k, v) {
			if (!json_is_string(v))
				continue;
			if (!strcmp(json_string_value(v), "SCMP_ARCH_X86"))
				p->abis |= PROFILE_ABI_I386;
			else if (!strcmp(json_string_value(v), "SCMP_ARCH_X32"))
				p->abis |= PROFILE_ABI_X32;
		}
	}
	dflt = json_string_value(json_object_get(doc, "defaultAction"));
	dclass = action_class(dflt);
	if (dclass == ACT_BAD) {
		ret = err_set(EINVAL, "%s: unknown defaultAction '%s'", what, dflt);
		goto out;
	}
	if (dclass == ACT_ALLOWS)
		allow_all(p);
	rules = json_object_get(doc, "syscalls");
	if (rules && !json_is_array(rules) && !json_is_null(rules)) {
		ret = err_set(EINVAL, "%s: \"syscalls\" must be an array", what);
		goto out;
	}
	json_array_foreach(rules, i, rule) {
		json_t *names = NULL, *act, *args, *v;
		const char *action;
		enum act_class c;
		bool conditional;
		size_t j;

		if (!json_is_object(rule)) {
			ret = err_set(EINVAL, "%s: syscalls[%zu] must be an object", what, i);
			goto out;
		}
		act = json_object_get(rule, "action");
		if (!json_is_string(act)) {
			ret = err_set(EINVAL, "%s: syscalls[%zu]: missing \"action\"", what, i);
			goto out;
		}
		action = json_string_value(act);
		c = action_class(action);
		if (c == ACT_BAD) {
			ret = err_set(EINVAL, "%s: syscalls[%zu]: unknown action '%s'", what, i,
				      action);
			goto out;
		}
		ret = rule_names(rule, what, i, &names);
		if (ret)
			goto out;
		total += json_array_size(names);
		if (total > PROFILE_NAMES_MAX) {
			json_decref(names);
			ret = err_set(E2BIG, "%s: too many syscall names", what);
			goto out;
		}
		args = json_object_get(rule, "args");
		conditional = json_is_array(args) && json_array_size(args) > 0;
		/*
		 * A rule with argument filters only partly changes the
		 * default; count the syscall as allowed either way (it can
		 * be made), which is what a "may it run at all" set needs.
		 */
		if (rule_applies(rule, p->arch) && c != dclass) {
			json_array_foreach(names, j, v) {
				if (c == ACT_ALLOWS)
					mark(p, json_string_value(v), true);
				else if (!conditional)
					mark(p, json_string_value(v), false);
			}
		}
		json_decref(names);
	}
	if (kind)
		*kind = dclass == ACT_ALLOWS ? PROFILE_KIND_DENYLIST : PROFILE_KIND_ALLOWLIST;
out:
	json_decref(doc);
	return ret;
}

int profile_read_file(const char *path, struct profile *p, enum profile_kind *kind)
{
	char *data = NULL;
	size_t len;
	int ret;

	ret = fs_read_file(path, PROFILE_FILE_CAP, &data, &len);
	if (ret)
		return err_wrap(ret, "cannot read profile");
	ret = profile_read_buf(data, len, path, p, kind);
	free(data);
	return ret;
}
