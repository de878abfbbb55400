#include "analysis/confine_compat.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disasm/disasm.h"
#include "elf/elf.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/strmap.h"
#include "util/xalloc.h"

#define GRAPH_FILE_CAP (512u << 20)
#define GRAPH_NODES_MAX (16u << 20)
#define GO_FILE_CAP (1u << 20)
#define CONFINE_MAX_NR 400 /* Confine only ever considers numbers below this */

struct cg_node {
	uint32_t *out; /* callee node indexes */
	size_t out_nr, out_alloc;
	int syscall;   /* leaf "syscall(N)": N, else -1 */
};

struct confine_graph {
	struct strmap index; /* name -> node index + 1 (as a pointer-sized int) */
	struct cg_node *nodes;
	size_t nodes_nr, nodes_alloc;
	size_t edges;
};

/* "syscall ( 12 )", "syscall( 12 )", "syscall(12)": 12; else -1. */
static int leaf_number(const char *s, size_t len)
{
	const char *p = s, *end = s + len;
	long n = 0;
	bool digits = false;

	if (len < 9 || strncmp(s, "syscall", 7))
		return -1;
	p += 7;
	while (p < end && *p == ' ')
		p++;
	if (p == end || *p++ != '(')
		return -1;
	while (p < end && *p == ' ')
		p++;
	while (p < end && isdigit((unsigned char)*p)) {
		n = n * 10 + (*p++ - '0');
		digits = true;
		if (n >= 100000)
			return -1;
	}
	while (p < end && *p == ' ')
		p++;
	if (!digits || p == end || *p++ != ')' || p != end)
		return -1;
	return (int)n;
}

static int node_of(struct confine_graph *g, const char *name, size_t len, uint32_t *idx)
{
	char buf[1024];
	void *v;
	struct cg_node *n;

	if (len >= sizeof(buf))
		len = sizeof(buf) - 1; /* absurd names are truncated, not fatal */
	memcpy(buf, name, len);
	buf[len] = '\0';
	v = strmap_get(&g->index, buf);
	if (v) {
		*idx = (uint32_t)((uintptr_t)v - 1);
		return 0;
	}
	if (g->nodes_nr >= GRAPH_NODES_MAX)
		return -E2BIG;
	ALLOC_GROW(g->nodes, g->nodes_nr + 1, g->nodes_alloc);
	n = &g->nodes[g->nodes_nr];
	memset(n, 0, sizeof(*n));
	n->syscall = leaf_number(buf, len);
	*idx = (uint32_t)g->nodes_nr++;
	strmap_put(&g->index, buf, (void *)(uintptr_t)(*idx + 1));
	return 0;
}

static void trim(const char **s, size_t *len)
{
	while (*len && isspace((unsigned char)**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len && isspace((unsigned char)(*s)[*len - 1]))
		(*len)--;
}

/* Count occurrences of 'sep' in [s, s+len). */
static size_t count_sep(const char *s, size_t len, const char *sep, const char **first)
{
	size_t n = 0, sl = strlen(sep), i;

	*first = NULL;
	for (i = 0; i + sl <= len; i++) {
		if (!memcmp(s + i, sep, sl)) {
			if (!n)
				*first = s + i;
			n++;
			i += sl - 1;
		}
	}
	return n;
}

int confine_graph_parse(const char *buf, size_t len, const char *sep, const char *what,
			struct confine_graph **out)
{
	struct confine_graph *g = xcalloc(1, sizeof(*g));
	const char *p = buf, *end = buf + len;
	int ret = 0;

	strmap_init(&g->index);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *line = p, *at = NULL, *a, *b;
		size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p), la, lb, sl = 0;
		uint32_t ia, ib;
		struct cg_node *n;

		p = nl ? nl + 1 : end;
		if (!ll || line[0] == '#')
			continue;
		if (sep) {
			if (count_sep(line, ll, sep, &at) != 1)
				continue;
			sl = strlen(sep);
		} else if (count_sep(line, ll, "->", &at) == 1) {
			sl = 2;
		} else if (count_sep(line, ll, "->", &at) == 0 && count_sep(line, ll, ":", &at) == 1) {
			sl = 1;
		} else {
			continue;
		}
		a = line;
		la = (size_t)(at - line);
		b = at + sl;
		lb = ll - la - sl;
		trim(&a, &la);
		trim(&b, &lb);
		if (lb && b[0] == '@') {
			b++;
			lb--;
		}
		ret = node_of(g, a, la, &ia);
		if (!ret)
			ret = node_of(g, b, lb, &ib);
		if (ret) {
			ret = err_set(E2BIG, "%s: call graph has too many functions", what);
			goto fail;
		}
		n = &g->nodes[ia];
		ALLOC_GROW(n->out, n->out_nr + 1, n->out_alloc);
		n->out[n->out_nr++] = ib;
		g->edges++;
	}
	*out = g;
	return 0;
fail:
	confine_graph_free(g);
	return ret;
}

int confine_graph_load(const char *path, const char *sep, struct confine_graph **out)
{
	char *data = NULL;
	size_t len;
	int ret;

	ret = fs_read_file(path, GRAPH_FILE_CAP, &data, &len);
	if (ret)
		return err_wrap(ret, "cannot read call graph");
	ret = confine_graph_parse(data, len, sep, path, out);
	free(data);
	return ret;
}

void confine_graph_free(struct confine_graph *g)
{
	size_t i;

	if (!g)
		return;
	for (i = 0; i < g->nodes_nr; i++)
		free(g->nodes[i].out);
	free(g->nodes);
	strmap_release(&g->index, NULL);
	free(g);
}

size_t confine_graph_edges(const struct confine_graph *g)
{
	return g->edges;
}

size_t confine_graph_nodes(const struct confine_graph *g)
{
	return g->nodes_nr;
}

size_t confine_graph_syscalls(const struct confine_graph *g, const char *const *starts,
			      size_t nstarts, struct sysset *out)
{
	uint8_t *seen = xcalloc(g->nodes_nr ? g->nodes_nr : 1, 1);
	uint32_t *stack = NULL;
	size_t sp = 0, salloc = 0, found = 0, i;

	for (i = 0; i < nstarts; i++) {
		void *v = strmap_get(&g->index, starts[i]);
		uint32_t s;

		if (!v)
			continue;
		found++;
		s = (uint32_t)((uintptr_t)v - 1);
		/* Confine: a start without outgoing edges yields nothing. */
		if (!g->nodes[s].out_nr || seen[s])
			continue;
		ALLOC_GROW(stack, sp + 1, salloc);
		stack[sp++] = s;
		seen[s] = 1;
		while (sp) {
			const struct cg_node *n = &g->nodes[stack[--sp]];
			size_t j;

			if (!n->out_nr) {
				if (n->syscall >= 0 && n->syscall < CONFINE_MAX_NR)
					sysset_add(out, n->syscall);
				continue;
			}
			for (j = 0; j < n->out_nr; j++) {
				uint32_t c = n->out[j];

				if (seen[c])
					continue;
				seen[c] = 1;
				ALLOC_GROW(stack, sp + 1, salloc);
				stack[sp++] = c;
			}
		}
	}
	free(stack);
	free(seen);
	return found;
}

int confine_go_syscalls(const char *folder, const char *name, struct sysset *out)
{
	char *file = xasprintf("%s.syscalls", name), *path = fs_join(folder, file);
	char *data = NULL, *p, *end;
	size_t len, lineno = 0;
	int ret;

	free(file);
	if (!fs_exists(path)) {
		free(path);
		return -ENOENT;
	}
	ret = fs_read_file(path, GO_FILE_CAP, &data, &len);
	if (ret)
		goto out;
	p = data;
	end = data + len;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *s = p;
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
		long n = 0;
		size_t k;

		p = nl ? nl + 1 : end;
		lineno++;
		trim(&s, &l);
		if (!l)
			continue;
		for (k = 0; k < l; k++) {
			if (!isdigit((unsigned char)s[k]) || n > SYSSET_NR) {
				ret = err_set(EINVAL, "%s:%zu: not a system call number", path, lineno);
				goto out;
			}
			n = n * 10 + (s[k] - '0');
		}
		if (n >= SYSSET_NR) {
			ret = err_set(EINVAL, "%s:%zu: system call number %ld out of range", path,
				      lineno, n);
			goto out;
		}
		sysset_add(out, (int)n);
	}
out:
	free(data);
	free(path);
	return ret;
}

/* Confine's exception list (containerProfiler.py), by name. */
static const char *const except_names[] = {
	"access", "alarm", "arch_prctl", "brk", "capget", "capset", "chdir", "clone",
	"close", "epoll_pwait", "execve", "exit_group", "fchown", "fcntl", "fstat",
	"futex", "getdents", "getdents64", "geteuid", "getpgrp", "getpid", "getppid",
	"getrandom", "getresgid", "getresuid", "getsid", "io_setup", "lseek", "lstat",
	"mmap", "mprotect", "munmap", "newfstatat", "openat", "prctl", "prlimit64",
	"read", "readlinkat", "rt_sigaction", "rt_sigprocmask", "set_robust_list",
	"set_tid_address", "setgid", "setgroups", "setns", "setresgid", "setresuid",
	"setuid", "sigaltstack", "stat", "statfs", "vfork", "write",
};

void confine_except_set(enum sys_arch arch, struct sysset *out)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(except_names); i++)
		sysset_add(out, syscall_number(arch, except_names[i]));
}

void confine_method_allowed(enum sys_arch arch, const struct sysset *needed,
			    struct sysset *allowed)
{
	const struct syscall_info *tab;
	struct sysset except;
	size_t n, i;

	sysset_clear(&except);
	confine_except_set(arch, &except);
	sysset_clear(allowed);
	tab = syscall_table(arch, &n);
	for (i = 0; i < n; i++) {
		int nr = tab[i].nr;
		bool blocked = nr >= 1 && nr < CONFINE_MAX_NR && !sysset_has(needed, nr) &&
			       !sysset_has(&except, nr);

		if (!blocked)
			sysset_add(allowed, nr);
	}
}

size_t confine_elf_imports(const void *data, size_t len, const char *what, char ***names,
			   size_t *nr, size_t *alloc)
{
	struct fs_map map = { data, len };
	struct elf_file *elf = NULL;
	size_t i, added = 0;

	if (!elf_probe(data, len) || elf_open_mem(&map, what, &elf))
		return 0;
	for (i = 1; i < elf->dynsym.nr; i++) {
		const struct elf_symbol *s = &elf->dynsym.syms[i];

		if (s->defined || !s->name[0])
			continue;
		ALLOC_GROW(*names, *nr + 2, *alloc);
		(*names)[(*nr)++] = xstrdup(s->name);
		(*names)[*nr] = NULL;
		added++;
	}
	elf_free(elf);
	return added;
}

/* Confine's exception list for direct-syscall extraction, by normalised name. */
static const char *const direct_except[] = {
	"ld.so", "libc.so", "libdl.so", "libcrypt.so", "libnss_compat.so", "libnsl.so",
	"libnss_files.so", "libnss_nis.so", "libpthread.so", "libm.so", "libresolv.so",
	"librt.so", "libutil.so", "libnss_dns.so", "gosu",
};

/*
 * Confine's normalisation: "libc-2.31.so" and "libc.so.6" become
 * "libc.so"; "ld-linux-x86-64.so.2" becomes "ld.so".
 */
static bool direct_skipped(const char *path)
{
	const char *base = strrchr(path, '/');
	char name[256];
	char *so, *dash;
	size_t i;

	base = base ? base + 1 : path;
	snprintf(name, sizeof(name), "%s", base);
	so = strstr(name, ".so");
	if (so) {
		so[3] = '\0';
		dash = strchr(name, '-');
		if (dash && dash < so)
			memmove(dash, so, strlen(so) + 1);
	}
	for (i = 0; i < ARRAY_SIZE(direct_except); i++)
		if (!strcmp(name, direct_except[i]))
			return true;
	return false;
}

struct direct_ctx {
	struct sysset *out;
	size_t sites;
};

static void direct_rec(const struct dis_rec *rec, void *ctx)
{
	struct direct_ctx *d = ctx;
	struct dis_val v;

	if (rec->kind != DIS_SYSCALL)
		return;
	d->sites++;
	v = dis_state_arg(rec->st, DIS_RAX);
	if (v.kind == DIS_CONST && v.value < CONFINE_MAX_NR)
		sysset_add(d->out, (int)v.value);
}

size_t confine_direct_syscalls(const struct elf_file *elf, const char *path, struct sysset *out)
{
	struct direct_ctx d = { out, 0 };
	size_t i;

	if (!elf || !elf->analysable || elf->arch != ELF_ARCH_X86_64 || direct_skipped(path))
		return 0;
	for (i = 0; i < elf->sections_nr; i++) {
		const struct elf_section *sec = &elf->sections[i];
		const uint8_t *code;
		size_t len;
		struct dis_opts opts;
		struct dis_result res;

		if (!(sec->flags & 0x4 /* SHF_EXECINSTR */) || !sec->in_file)
			continue;
		if (elf_section_data(elf, sec, &code, &len))
			continue;
		memset(&opts, 0, sizeof(opts));
		opts.go_abi = elf->is_go;
		dis_function(code, len, sec->addr, &opts, direct_rec, &d, &res);
	}
	return d.sites;
}
