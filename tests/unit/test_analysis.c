/*
 * The per-process link on hand-built summaries: wrapper resolution
 * ("number = argument k") through a chain and across objects, interposition,
 * unresolved policy, dead code, witnesses; and the summary cache format
 * (round trip, corruption detected).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "analysis/link.h"
#include "analysis/objsum.h"
#include "disasm/disasm.h"
#include "elf/elf.h"
#include "util/fs.h"
#include "util/xalloc.h"

/* A tiny builder for summaries. */
struct sb {
	struct objsum *s;
};

static uint32_t sb_str(struct objsum *s, const char *str)
{
	size_t len = strlen(str) + 1;
	uint32_t off = s->strs_len;

	s->strs = xrealloc(s->strs, s->strs_len + len);
	memcpy(s->strs + off, str, len);
	s->strs_len += (uint32_t)len;
	return off;
}

static struct objsum *sum_new(void)
{
	struct objsum *s = xcalloc(1, sizeof(*s));

	s->analysable = true;
	s->entry = OSUM_NONE;
	return s;
}

static uint32_t add_func(struct objsum *s, const char *name, uint32_t wrap)
{
	uint32_t i = s->funcs_nr++;

	s->funcs = xrealloc_array(s->funcs, s->funcs_nr, sizeof(*s->funcs));
	s->funcs[i] = (struct osum_func){ .start = 0x1000 + 0x100 * i, .end = 0x1100 + 0x100 * i,
					  .name = name ? sb_str(s, name) : OSUM_NONE, .edges = s->edges_nr, .sys = s->sys_nr,
					  .unres = s->unres_nr, .wrap = wrap };
	return i;
}

/* Edges, sites must be added right after their function (contiguous ranges). */
static void add_call(struct objsum *s, uint32_t target, int nargs, ...)
{
	va_list ap;
	struct osum_edge *e;

	s->edges = xrealloc_array(s->edges, s->edges_nr + 1, sizeof(*s->edges));
	e = &s->edges[s->edges_nr++];
	*e = (struct osum_edge){ .addr = s->funcs[s->funcs_nr - 1].start + 4, .target = target,
				 .args = s->args_nr, .kind = OSUM_EDGE_CALL };
	va_start(ap, nargs);
	for (int i = 0; i < nargs; i++) {
		int loc = va_arg(ap, int), is_entry = va_arg(ap, int), value = va_arg(ap, int);

		s->args = xrealloc_array(s->args, s->args_nr + 1, sizeof(*s->args));
		s->args[s->args_nr++] = (struct osum_arg){ (uint8_t)loc, (uint8_t)is_entry, (uint16_t)value };
		e->args_nr++;
	}
	va_end(ap);
	s->funcs[s->funcs_nr - 1].edges_nr++;
}

static void add_sys(struct objsum *s, uint32_t nr)
{
	s->sys = xrealloc_array(s->sys, s->sys_nr + 1, sizeof(*s->sys));
	s->sys[s->sys_nr++] = (struct osum_sys){ s->funcs[s->funcs_nr - 1].start + 8, nr };
	s->funcs[s->funcs_nr - 1].sys_nr++;
}

static void add_unres(struct objsum *s)
{
	s->unres = xrealloc_array(s->unres, s->unres_nr + 1, sizeof(*s->unres));
	s->unres[s->unres_nr++] = (struct osum_unres){ s->funcs[s->funcs_nr - 1].start + 12, OSUM_R_NOT_CONST };
	s->funcs[s->funcs_nr - 1].unres_nr++;
}

static uint32_t add_import(struct objsum *s, const char *name, const char *ver)
{
	s->imports = xrealloc_array(s->imports, s->imports_nr + 1, sizeof(*s->imports));
	s->imports[s->imports_nr] = (struct osum_import){ sb_str(s, name), ver ? sb_str(s, ver) : OSUM_NONE };
	return OSUM_IMPORT_BIT | s->imports_nr++;
}

static void add_export(struct objsum *s, const char *name, const char *ver, uint32_t f, bool hidden)
{
	s->exports = xrealloc_array(s->exports, s->exports_nr + 1, sizeof(*s->exports));
	s->exports[s->exports_nr++] =
		(struct osum_export){ sb_str(s, name), ver ? sb_str(s, ver) : OSUM_NONE, f, hidden };
}

static void add_root(struct objsum *s, uint32_t f)
{
	s->roots = xrealloc_array(s->roots, s->roots_nr + 1, sizeof(*s->roots));
	s->roots[s->roots_nr++] = (struct osum_root){ 0, f, OSUM_NONE };
}

static void *xmemdup_helper(const void *p, size_t n)
{
	void *q = xmalloc(n ? n : 1);

	memcpy(q, p, n);
	return q;
}

#define RDI DIS_RDI
#define RSI DIS_RSI

/*
 * main: calls w2(rsi = 39) and a function pointer target is a root;
 * w2 -> w1 (passes its rsi as rdi) -> syscall@libc (number = rdi).
 * dead: reboot, never reached.
 */
static struct objsum *make_main(bool unknown_arg)
{
	struct objsum *s = sum_new();
	uint32_t imp = add_import(s, "syscall", "GLIBC_2.2.5");

	add_func(s, "main", 0);
	if (unknown_arg)
		add_call(s, 1, 0);
	else
		add_call(s, 1, 1, RSI, 0, 39);
	add_func(s, "w2", 0);
	add_call(s, 2, 1, RSI, 1, RSI);
	add_func(s, "w1", 0);
	add_call(s, imp, 1, RDI, 1, RSI);
	add_func(s, "dead", 0);
	add_sys(s, 169);
	add_func(s, "callback", 0);
	add_sys(s, 102);
	s->entry = 0;
	add_root(s, 4); /* address taken in data */
	return s;
}

static struct objsum *make_libc(const char *tag)
{
	struct objsum *s = sum_new();

	add_func(s, tag, 1u << RDI);
	add_export(s, "syscall", "GLIBC_2.2.5", 0, false);
	add_func(s, "exit", 0);
	add_sys(s, 231);
	add_export(s, "exit", NULL, 1, false);
	return s;
}

static void free_prog(struct analysis_program *p)
{
	for (size_t i = 0; i < p->imports_used_nr; i++)
		free(p->imports_used[i]);
	free(p->imports_used);
	for (size_t i = 0; i < p->unresolved_nr; i++) {
		free(p->unresolved[i].object);
		free(p->unresolved[i].function);
		free(p->unresolved[i].reason);
	}
	free(p->unresolved);
	link_priv_free(p->priv);
	memset(p, 0, sizeof(*p));
}

static void test_wrapper_chain(void **state)
{
	struct objsum *m = make_main(false), *c = make_libc("syscall");
	struct link_obj objs[] = { { "/bin/m", m, true, false, false, NULL, 0, NULL, NULL, 0 }, { "/lib/libc.so.6", c, false, false, false, NULL, 0, NULL, NULL, 0 } };
	struct analysis_program p = { 0 };
	struct analysis_step *st;
	int n;

	(void)state;
	link_program(objs, 2, ANALYSIS_UNRESOLVED_ALL, SYS_ARCH_X86_64, &p);
	assert_int_equal(p.unresolved_nr, 0);
	assert_false(p.all_syscalls);
	assert_true(sysset_has(&p.syscalls, 39));   /* getpid through w2 -> w1 -> syscall() */
	assert_true(sysset_has(&p.syscalls, 102));  /* data-taken callback is a root */
	assert_true(sysset_has(&p.syscalls, 59));   /* execve: it is started by one */
	assert_false(sysset_has(&p.syscalls, 169)); /* dead code */
	assert_false(sysset_has(&p.syscalls, 231)); /* exit: exported, never called */
	assert_int_equal(sysset_count(&p.syscalls), 3);
	assert_int_equal(p.imports_used_nr, 1);
	assert_string_equal(p.imports_used[0], "syscall");

	n = link_witness(&p, 39, &st);
	/* main, its call site, w2, w1, libc's syscall */
	assert_int_equal(n, 5);
	assert_string_equal(st[0].function, "main");
	assert_int_equal(st[0].function_start, m->funcs[0].start);
	assert_string_equal(st[1].function, "main");
	assert_int_equal(st[1].address, m->funcs[0].start + 4);
	assert_int_equal(st[1].function_start, m->funcs[0].start);
	assert_string_equal(st[2].function, "w2");
	assert_string_equal(st[3].function, "w1");
	assert_string_equal(st[n - 1].object, "/lib/libc.so.6");
	assert_string_equal(st[n - 1].function, "syscall");
	free(st);
	assert_int_equal(link_witness(&p, 169, &st), 0);
	assert_int_equal(link_witness(&p, 5000, &st), -EINVAL);
	free_prog(&p);
	objsum_free(m);
	objsum_free(c);
}

/*
 * main -> helper -> getuid@libc (getuid: 102), and libc's cb, whose
 * address is in data, calls getuid directly: the shorter chain starts at a
 * root of another kind, the witness at the entry all the same.  libc's
 * init code reaches sync (162), cb2, whose address is in the variable
 * "handlers", reaches getgid (104).  getpid (39): m's on_event (in its
 * variable "events") -> relay -> getpid, and libc's cb3 -> getpid.
 */
static void test_witness_roots(void **state)
{
	struct objsum *m = sum_new(), *c = sum_new();
	uint32_t imp = add_import(m, "getuid", NULL);
	struct link_obj objs[] = { { "/bin/m", m, true, false, false, NULL, 0, NULL, NULL, 0 },
				   { "/lib/libc.so.6", c, false, false, false, NULL, 0, NULL, NULL, 0 } };
	struct analysis_program p = { 0 };
	struct analysis_step *st;
	int n;

	(void)state;
	add_func(m, "main", 0);
	add_call(m, 1, 0);
	add_func(m, "helper", 0);
	add_call(m, imp, 0);
	add_func(m, "on_event", 0);
	add_call(m, 3, 0);
	add_func(m, "relay", 0);
	add_call(m, add_import(m, "getpid", NULL), 0);
	add_root(m, 2);
	m->roots[0].at = 0x6000;
	m->roots[0].at_name = sb_str(m, "events");
	m->entry = 0;
	add_func(c, "getuid", 0);
	add_sys(c, 102);
	add_export(c, "getuid", NULL, 0, false);
	add_func(c, "cb", 0);
	add_call(c, 0, 0);
	add_func(c, "init", 0);
	add_call(c, 3, 0);
	add_func(c, "sync", 0);
	add_sys(c, 162);
	add_func(c, "cb2", 0);
	add_sys(c, 104);
	add_func(c, "getpid", 0);
	add_sys(c, 39);
	add_export(c, "getpid", NULL, 5, false);
	add_func(c, "cb3", 0);
	add_call(c, 5, 0);
	add_root(c, 2); /* init code first */
	c->roots_init_nr = 1;
	add_root(c, 1);
	add_root(c, 4);
	add_root(c, 6);
	c->roots[0].at = 0x4010; /* init's is in .init_array */
	c->roots[0].at_name = sb_str(c, ".init_array");
	c->roots[2].at = 0x5008; /* cb2's address is in the variable "handlers" */
	c->roots[2].at_name = sb_str(c, "handlers");
	link_program(objs, 2, ANALYSIS_UNRESOLVED_ALL, SYS_ARCH_X86_64, &p);
	assert_true(sysset_has(&p.syscalls, 102));

	n = link_witness(&p, 102, &st);
	/* main, helper, getuid, the site */
	assert_int_equal(n, 4);
	assert_string_equal(st[0].function, "main");
	assert_non_null(st[0].root);
	assert_non_null(strstr(st[0].root, "entry point"));
	assert_int_equal(st[0].root_at, 0);
	assert_string_equal(st[1].function, "helper");
	assert_null(st[1].root);
	assert_string_equal(st[2].function, "getuid");
	free(st);

	/* getpid: from the program's own callback rather than from libc's, though that is shorter. */
	n = link_witness(&p, 39, &st);
	assert_int_equal(n, 4);
	assert_string_equal(st[0].object, "/bin/m");
	assert_string_equal(st[0].function, "on_event");
	assert_non_null(strstr(st[0].root, "stored in data"));
	assert_string_equal(st[0].root_in, "events");
	assert_string_equal(st[1].function, "relay");
	assert_string_equal(st[2].function, "getpid");
	free(st);

	n = link_witness(&p, 162, &st);
	assert_int_equal(n, 3);
	assert_string_equal(st[0].function, "init");
	assert_non_null(strstr(st[0].root, "loaded or unloaded"));
	assert_int_equal(st[0].root_at, 0x4010);
	assert_string_equal(st[0].root_in, ".init_array");
	free(st);

	n = link_witness(&p, 104, &st);
	assert_int_equal(n, 2);
	assert_string_equal(st[0].function, "cb2");
	assert_non_null(strstr(st[0].root, "stored in data"));
	assert_int_equal(st[0].root_at, 0x5008);
	assert_string_equal(st[0].root_in, "handlers");
	{
		char *phrase = analysis_root_phrase(&st[0]);

		assert_string_equal(phrase, "callable through a pointer: its address is stored in data, at 0x5008 in handlers");
		free(phrase);
		phrase = analysis_root_phrase(&st[1]);
		assert_null(phrase);
	}
	free(st);
	free_prog(&p);
	objsum_free(m);
	objsum_free(c);
}

static void test_unresolved_policy(void **state)
{
	struct objsum *m = make_main(true), *c = make_libc("syscall");
	struct link_obj objs[] = { { "/bin/m", m, true, false, false, NULL, 0, NULL, NULL, 0 }, { "/lib/libc.so.6", c, false, false, false, NULL, 0, NULL, NULL, 0 } };
	struct analysis_program p = { 0 };

	(void)state;
	link_program(objs, 2, ANALYSIS_UNRESOLVED_ALL, SYS_ARCH_X86_64, &p);
	assert_int_equal(p.unresolved_nr, 1);
	assert_string_equal(p.unresolved[0].object, "/bin/m");
	assert_string_equal(p.unresolved[0].function, "main");
	assert_non_null(strstr(p.unresolved[0].reason, "unknown number"));
	assert_true(p.all_syscalls);
	assert_true(sysset_has(&p.syscalls, 169)); /* everything, soundly */
	free_prog(&p);

	link_program(objs, 2, ANALYSIS_UNRESOLVED_IGNORE, SYS_ARCH_X86_64, &p);
	assert_int_equal(p.unresolved_nr, 1);
	assert_false(p.all_syscalls);
	assert_false(sysset_has(&p.syscalls, 169));
	free_prog(&p);
	objsum_free(m);
	objsum_free(c);
}

static void test_direct_unresolved_and_interposition(void **state)
{
	struct objsum *m = make_main(false), *pre = make_libc("preload_syscall"), *c = make_libc("syscall");
	struct link_obj objs[] = {
		{ "/bin/m", m, true, false, false, NULL, 0, NULL, NULL, 0 },
		{ "/lib/preload.so", pre, false, false, false, NULL, 0, NULL, NULL, 0 },
		{ "/lib/libc.so.6", c, false, false, false, NULL, 0, NULL, NULL, 0 },
	};
	struct analysis_program p = { 0 };
	struct analysis_step *st;
	int n;

	(void)state;
	link_program(objs, 3, ANALYSIS_UNRESOLVED_ALL, SYS_ARCH_X86_64, &p);
	n = link_witness(&p, 39, &st);
	assert_true(n > 0);
	/* The first object defining the symbol wins. */
	assert_string_equal(st[n - 1].object, "/lib/preload.so");
	free(st);
	free_prog(&p);

	/* An unresolved site in reachable code is reported with object, address and function. */
	add_func(c, "weird", 0);
	add_unres(c);
	add_root(c, c->funcs_nr - 1);
	link_program(objs, 3, ANALYSIS_UNRESOLVED_ALL, SYS_ARCH_X86_64, &p);
	assert_int_equal(p.unresolved_nr, 1);
	assert_string_equal(p.unresolved[0].object, "/lib/libc.so.6");
	assert_string_equal(p.unresolved[0].function, "weird");
	assert_int_equal(p.unresolved[0].address, c->funcs[c->funcs_nr - 1].start + 12);
	assert_int_equal(p.unresolved[0].function_start, c->funcs[c->funcs_nr - 1].start);
	assert_true(p.all_syscalls);
	free_prog(&p);

	/* A function without a symbol is named by its start. */
	{
		char lb[32], want[32];

		add_func(c, NULL, 0);
		add_unres(c);
		add_root(c, c->funcs_nr - 1);
		link_program(objs, 3, ANALYSIS_UNRESOLVED_ALL, SYS_ARCH_X86_64, &p);
		assert_int_equal(p.unresolved_nr, 2);
		for (size_t i = 0; i < p.unresolved_nr; i++) {
			if (p.unresolved[i].function)
				continue;
			assert_int_equal(p.unresolved[i].function_start, c->funcs[c->funcs_nr - 1].start);
			snprintf(want, sizeof(want), "sub_%llx", (unsigned long long)c->funcs[c->funcs_nr - 1].start);
			assert_string_equal(analysis_function_label(p.unresolved[i].function,
								    p.unresolved[i].function_start, lb, sizeof(lb)),
					    want);
		}
		assert_string_equal(analysis_function_label("weird", 0x1000, lb, sizeof(lb)), "weird");
		free_prog(&p);
	}
	objsum_free(m);
	objsum_free(pre);
	objsum_free(c);
}

static void test_wrapper_as_root(void **state)
{
	struct objsum *c = make_libc("syscall");
	struct link_obj objs[] = { { "/lib/plugin.so", c, false, false, true, NULL, 0, NULL, NULL, 0 } };
	struct analysis_program p = { 0 };

	(void)state;
	/* A dlopen()ed object's exports are roots: its syscall() may get any number. */
	link_program(objs, 1, ANALYSIS_UNRESOLVED_ALL, SYS_ARCH_X86_64, &p);
	assert_true(p.unresolved_nr >= 1);
	assert_true(p.all_syscalls);
	free_prog(&p);
	objsum_free(c);
}

static void test_cache_format(void **state)
{
	struct objsum *m = make_main(false), *back;
	void *blob, *copy;
	size_t len;

	(void)state;
	assert_int_equal(objsum_serialize(m, &blob, &len), 0);
	copy = xmalloc(len);
	memcpy(copy, blob, len);
	back = objsum_deserialize(blob, len);
	assert_non_null(back);
	assert_int_equal(back->funcs_nr, m->funcs_nr);
	assert_int_equal(back->edges_nr, m->edges_nr);
	assert_int_equal(back->args_nr, m->args_nr);
	assert_memory_equal(back->funcs, m->funcs, m->funcs_nr * sizeof(*m->funcs));
	assert_string_equal(objsum_str(back, back->funcs[2].name), "w1");
	objsum_free(back);

	/* Every single flipped byte is detected (header fields or checksum). */
	for (size_t i = 0; i < len; i += 7) {
		void *bad = xmalloc(len);

		memcpy(bad, copy, len);
		((uint8_t *)bad)[i] ^= 0x40;
		back = objsum_deserialize(bad, len);
		if (back) {
			/* Only padding bytes may go unnoticed, and then the content is intact. */
			assert_int_equal(back->funcs_nr, m->funcs_nr);
			objsum_free(back);
		} else {
			assert_int_equal(errno, EINVAL);
			free(bad);
		}
	}
	/* Truncated. */
	{
		void *half = xmemdup_helper(copy, len / 2);

		back = objsum_deserialize(half, len / 2);
		assert_null(back);
		free(half);
	}

	/*
	 * The same summary is the same bytes whatever its struct padding held
	 * in memory, and a copy serialises to them too.
	 */
	for (uint32_t i = 0; i < m->edges_nr; i++) {
		struct osum_edge *e = &m->edges[i];
		size_t tail = offsetof(struct osum_edge, args_nr) + sizeof(e->args_nr);

		memset((uint8_t *)e + tail, 0xa5, sizeof(*e) - tail);
	}
	assert_int_equal(objsum_serialize(m, &blob, &len), 0);
	assert_memory_equal(blob, copy, len);
	free(blob);
	back = objsum_copy(m);
	assert_non_null(back);
	assert_int_equal(objsum_serialize(back, &blob, &len), 0);
	assert_memory_equal(blob, copy, len);
	free(blob);
	objsum_free(back);
	free(copy);

	/*
	 * Consistent blobs (the checksum matches) that name what is not there:
	 * a root's data symbol past the strings, more load-time roots than roots.
	 */
	m->roots[0].at = 0x5000;
	m->roots[0].at_name = m->strs_len + 3;
	assert_int_equal(objsum_serialize(m, &blob, &len), 0);
	assert_null(objsum_deserialize(blob, len));
	assert_int_equal(errno, EINVAL);
	free(blob);
	m->roots[0].at_name = OSUM_NONE;
	m->roots_init_nr = m->roots_nr + 1;
	assert_int_equal(objsum_serialize(m, &blob, &len), 0);
	assert_null(objsum_deserialize(blob, len));
	free(blob);
	m->roots_init_nr = m->roots_nr;
	/* An edge of a kind past the last one (OSUM_EDGE_PASSED). */
	if (m->edges_nr) {
		uint8_t kind = m->edges[0].kind;

		m->edges[0].kind = OSUM_EDGE_PASSED + 1;
		assert_int_equal(objsum_serialize(m, &blob, &len), 0);
		assert_null(objsum_deserialize(blob, len));
		assert_int_equal(errno, EINVAL);
		free(blob);
		m->edges[0].kind = kind;
	}
	assert_int_equal(objsum_serialize(m, &blob, &len), 0);
	back = objsum_deserialize(blob, len);
	assert_non_null(back);
	assert_int_equal(back->roots[0].at, 0x5000);
	assert_int_equal(back->roots_init_nr, m->roots_nr);
	objsum_free(back);
	objsum_free(m);
}

/* Two names of one file (a hard link) are analysed once and get the same result. */
static void test_hard_link(void **state)
{
	char dir[] = "/tmp/confine-test-XXXXXX", a[64], b[64], cmd[512];
	const char *paths[2] = { a, b };
	struct analysis_opts opts = { .no_cache = true, .threads = 2 };
	struct analysis *an = NULL;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(a, sizeof(a), "%s/true", dir);
	snprintf(b, sizeof(b), "%s/true-link", dir);
	snprintf(cmd, sizeof(cmd), "cp /usr/bin/true %s && ln %s %s", a, a, b);
	if (system(cmd) != 0)
		skip();
	assert_int_equal(analysis_files(paths, 2, NULL, &opts, &an), 0);
	assert_int_equal(an->programs_nr, 2);
	assert_int_equal(an->programs[0].error, 0);
	assert_int_equal(an->programs[1].error, 0);
	assert_true(sysset_count(&an->programs[0].syscalls) > 5);
	assert_memory_equal(&an->programs[0].syscalls, &an->programs[1].syscalls, sizeof(struct sysset));
	analysis_free(an);

	/*
	 * Hostile: a file claiming true's build-id, with the same size but its
	 * code zeroed, is not given true's summary: its zeroed code calls none
	 * of the library functions true calls.
	 */
	snprintf(b, sizeof(b), "%s/forged", dir);
	snprintf(cmd, sizeof(cmd),
		 "cp %s %s && set -- $(readelf -SW %s | sed -n 's/^ *\\[ *[0-9]*\\] *//p' | awk '$1 == \".text\" { print $4, $5 }') && "
		 "[ -n \"$2\" ] && dd if=/dev/zero of=%s bs=1 seek=$((0x$1)) count=$((0x$2)) conv=notrunc status=none",
		 a, b, a, b);
	if (system(cmd) != 0)
		skip();
	assert_int_equal(analysis_files(paths, 2, NULL, &opts, &an), 0);
	assert_int_equal(an->programs[1].error, 0);
	assert_true(sysset_count(&an->programs[0].syscalls) > 5);
	assert_true(an->programs[0].imports_used_nr > 3);
	assert_true(an->programs[1].imports_used_nr < an->programs[0].imports_used_nr);
	analysis_free(an);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/*
 * Blocks are reported from the records of the fixpoint's last pass over
 * them: real objects get the same summary, byte for byte, as when every
 * block is stepped again (dis_replay_enable(false)).  So do they when the
 * pre-pass keeps only the first 5000 instructions and functions past them
 * decode on their own (objects over the caps, dis_keep_limit).
 */
static void test_replay(void **state)
{
	static const char *const paths[] = {
		"/usr/lib/x86_64-linux-gnu/libc.so.6", "/usr/bin/bash", "/usr/sbin/runc", "/usr/bin/python3",
	};
	int done = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		struct fs_map map;
		struct elf_file *elf = NULL;
		void *blob[3];
		size_t len[3];

		if (fs_map_file(paths[i], &map) != 0)
			continue;
		assert_int_equal(elf_open_mem(&map, paths[i], &elf), 0);
		for (int k = 0; k < 3; k++) {
			struct objsum *s;

			/* 0: as in use; 1: no replay; 2: most functions decoded on their own. */
			dis_replay_enable(k != 1);
			dis_keep_limit(k == 2 ? 5000 : 0);
			s = objsum_compute(elf);
			assert_true(s->funcs_nr > 100);
			assert_true(s->edges_nr > 1000);
			assert_int_equal(objsum_serialize(s, &blob[k], &len[k]), 0);
			objsum_free(s);
		}
		dis_replay_enable(true);
		dis_keep_limit(0);
		for (int k = 1; k < 3; k++) {
			assert_int_equal(len[0], len[k]);
			if (memcmp(blob[0], blob[k], len[0]))
				fail_msg("%s: the summaries differ (%s)", paths[i],
					 k == 1 ? "without replay" : "decoding past the kept instructions");
		}
		for (int k = 0; k < 3; k++)
			free(blob[k]);
		elf_free(elf);
		fs_unmap(&map);
		done++;
	}
	if (!done)
		skip();
	assert_true(done >= 2);
}

static void test_policy_names(void **state)
{
	enum analysis_policy p;

	(void)state;
	assert_int_equal(analysis_policy_parse("all", &p), 0);
	assert_int_equal(p, ANALYSIS_UNRESOLVED_ALL);
	assert_int_equal(analysis_policy_parse("ignore", &p), 0);
	assert_int_equal(p, ANALYSIS_UNRESOLVED_IGNORE);
	assert_int_equal(analysis_policy_parse("some", &p), -EINVAL);
	assert_string_equal(analysis_policy_name(ANALYSIS_UNRESOLVED_ALL), "all");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wrapper_chain),
		cmocka_unit_test(test_witness_roots),
		cmocka_unit_test(test_unresolved_policy),
		cmocka_unit_test(test_direct_unresolved_and_interposition),
		cmocka_unit_test(test_wrapper_as_root),
		cmocka_unit_test(test_cache_format),
		cmocka_unit_test(test_hard_link),
		cmocka_unit_test(test_policy_names),
		cmocka_unit_test(test_replay),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
