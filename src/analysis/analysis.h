#ifndef CONFINE_ANALYSIS_ANALYSIS_H
#define CONFINE_ANALYSIS_ANALYSIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "syscalls/syscalls.h"
#include "util/progress.h"

/*
 * Which system calls can each program of an image (or a host file) make?
 *
 * Per ELF object a summary is computed once (functions, call edges, syscall
 * sites with their numbers, wrappers "number = argument k", imports,
 * exports, roots, address-taken code) and cached on disk keyed by build-id
 * (else SHA-256 of the file) and ANALYSIS_VERSION.  Per program the objects
 * are linked the way the loader would (load order, interposition,
 * /etc/ld.so.preload), and the syscall set is what is reachable from the
 * entry point, every object's init/fini code and address-taken functions.
 *
 * Unresolved sites (a syscall whose number is not a constant, a wrapper
 * reached with an unknown number, code that cannot be analysed) are always
 * reported.  What they do to the set is the policy below; the default is
 * sound.
 *
 * What the analysis assumes (each is a place where it could be wrong):
 *  - code is what a linear sweep of each function range decodes; bytes no
 *    control flow reaches (no entry, no branch, no jump table in the
 *    function) are data: syscall instructions there are ignored;
 *  - a value reaching a join is kept only when every incoming edge agrees;
 *    blocks reached only by indirect jumps start unknown, but a block that
 *    is both a fall-through successor and a jump-table target is seen with
 *    the fall-through state only;
 *  - callee-saved registers survive calls in C code (all are clobbered in
 *    Go code); stack slots in the caller's frame survive calls; in Go,
 *    spilled arguments survive calls;
 *  - functions with no ret, no indirect jump, no jump out and no way to
 *    run off their end never return, nor do abort(), exit() and friends;
 *  - Go: a package variable nothing stores to, takes the address of, or
 *    takes the address of up to 32 bytes below, keeps its initial value;
 *    runtime.runPerThreadSyscall repeats numbers doAllThreadsSyscall makes
 *    itself; methods named by the runtime type data are roots;
 *  - glibc's set*id broadcast site takes one of the set*id numbers;
 *  - every function whose address is in relocated data, or in aligned
 *    data words of a position-dependent object, is a root of any process
 *    loading the object (coarse, sound); exports of an object are roots
 *    only when it is named with --dlopen or is a program without entry;
 *  - NSS modules named by the root's nsswitch.conf are loaded by programs
 *    importing an NSS function; other dlopen()s must be named (--dlopen).
 *  - every program's set contains execve (it is started by one).
 */

struct image;
struct langsys;
struct program_set;
struct pycode;

#define ANALYSIS_VERSION 12

enum analysis_policy {
	/* Default, sound: an unresolved reachable site makes the program's set every syscall. */
	ANALYSIS_UNRESOLVED_ALL = 0,
	/* Unsound: report unresolved sites but add nothing for them (for measurements). */
	ANALYSIS_UNRESOLVED_IGNORE,
};

struct analysis_opts {
	enum analysis_policy policy;
	/*
	 * Extra objects every program may dlopen(): paths inside the root (or
	 * host paths for analysis_files()).  They are linked after the
	 * program's own objects and their init code and exports become roots.
	 */
	const char *const *dlopen;
	size_t dlopen_nr;
	/*
	 * analysis_files(): the environment the programs run with (NAME=VALUE)
	 * and their working folder (NULL: "/").  LD_LIBRARY_PATH and LD_PRELOAD
	 * reach the loader, the run-time module rules' variables (PYTHONPATH,
	 * OPENSSL_ENGINES ...) the rules.  analysis_image() takes them from the
	 * program set instead.
	 */
	char *const *env;
	size_t env_nr;
	const char *workdir;
	/*
	 * analysis_files() with one path: the arguments it runs with, argv[0]
	 * first (the rules read them: uWSGI's --plugin, slapd's -F, perl's -I
	 * and -e, collectd's -C).  NULL: not known.
	 */
	char *const *argv;
	size_t argc;
	bool no_cache;       /* neither read nor write the summary cache */
	unsigned threads;    /* per-object workers; 0: number of CPUs; at most 8 */
	const struct progress *progress;
};

struct analysis_unresolved {
	char *object;        /* path of the object holding the site */
	uint64_t address;    /* vaddr of the site (or call site) in that object */
	char *function;      /* containing function's name, or NULL */
	uint64_t function_start; /* its start (names it when it has no name: analysis_function_label) */
	char *reason;        /* "syscall number not constant", ... */
};

/* One link of a witness chain: a function of an object. */
struct analysis_step {
	const char *object;  /* owned by the analysis */
	const char *function;/* name or NULL (then function_start identifies it) */
	uint64_t address;    /* function start, or the site for the last step */
	uint64_t function_start;
	/*
	 * The last step of a call an interpreter's syscall builtin makes:
	 * where its language's code gives the number ("syscall(&SYS_gettid)
	 * at /usr/share/perl5/X.pm:12"); else NULL.  Owned by the analysis.
	 */
	const char *note;
	/*
	 * The first step only: why the chain starts there ("the program's
	 * entry point", "its address is stored in data: ..."), a static
	 * string; else NULL.
	 */
	const char *root;
	/*
	 * When the chain starts at a function whose address is in data (an
	 * init/fini array, a variable): where (0 when not known), and the
	 * variable or section there (owned by the analysis, or NULL).
	 */
	uint64_t root_at;
	const char *root_in;
};

/*
 * How reports name a function: its symbol, else "sub_" and its start in
 * hex, as disassemblers name code without symbols.  Returns 'name' or buf.
 */
const char *analysis_function_label(const char *name, uint64_t start, char *buf, size_t len);

/* Why an object is in a program's process (analysis_load_name() names it). */
enum analysis_load {
	ANALYSIS_LOAD_PROGRAM = 0,
	ANALYSIS_LOAD_NEEDED,         /* DT_NEEDED of an object before it */
	ANALYSIS_LOAD_INTERP,         /* the program's interpreter (ld.so) */
	ANALYSIS_LOAD_PRELOAD,        /* /etc/ld.so.preload or LD_PRELOAD */
	ANALYSIS_LOAD_NAMED,          /* named with --dlopen, or seen by the monitor */
	ANALYSIS_LOAD_NSS,            /* an NSS module nsswitch.conf names */
	ANALYSIS_LOAD_PAM,            /* a PAM module the PAM configuration names */
	ANALYSIS_LOAD_JDK,            /* the JDK's libjvm or a native library (libjli loads them) */
	ANALYSIS_LOAD_PYTHON,         /* a Python extension module */
	ANALYSIS_LOAD_NODE,           /* a Node.js native addon (NAME.node) */
	ANALYSIS_LOAD_MODULE,         /* a server's module (nginx load_module, Apache LoadModule) */
	ANALYSIS_LOAD_SASL,           /* a SASL plugin (libsasl2 loads its folder's) */
	ANALYSIS_LOAD_XTABLES,        /* an iptables extension (libxtables loads it by name) */
	ANALYSIS_LOAD_SUDO,           /* a sudo plugin (sudo.conf names it) */
	ANALYSIS_LOAD_LUA,            /* a Lua C module (require() loads it) */
	ANALYSIS_LOAD_POSTGRES,       /* a PostgreSQL module of the server's $libdir */
	ANALYSIS_LOAD_PHP,            /* a PHP extension (its ini files name it) */
	ANALYSIS_LOAD_OPENSSL,        /* an OpenSSL engine or provider (libcrypto loads it by name) */
	ANALYSIS_LOAD_ERLANG,         /* an Erlang NIF or driver (from an application's priv folder) */
	ANALYSIS_LOAD_MYSQL,          /* a MySQL or MariaDB plugin (server or client) */
	ANALYSIS_LOAD_GIO,            /* a GIO module (libgio loads its module folder's) */
	ANALYSIS_LOAD_PIXBUF,         /* a gdk-pixbuf image loader */
	ANALYSIS_LOAD_GST,            /* a GStreamer plugin */
	ANALYSIS_LOAD_KRB5,           /* a Kerberos plugin (MIT libkrb5's) */
	ANALYSIS_LOAD_MAGICK,         /* an ImageMagick coder or filter module */
	ANALYSIS_LOAD_SWIPL,          /* a SWI-Prolog foreign library */
	ANALYSIS_LOAD_TCL,            /* a Tcl package's library (package require) */
	ANALYSIS_LOAD_R,              /* an R package's shared library (library()) */
	ANALYSIS_LOAD_PERL,           /* a Perl XS module (DynaLoader: use/require) */
	ANALYSIS_LOAD_RUBY,           /* a Ruby C extension (require) */
	ANALYSIS_LOAD_LITERAL,        /* dlopen()ed by a name in an object's strings */
	ANALYSIS_LOAD_CTYPES,         /* loaded by Python code through ctypes or cffi (pycode.h) */
	ANALYSIS_LOAD_NR
};

/* Short stable name ("needed", "pam", ...), and a phrase for text output. */
const char *analysis_load_name(enum analysis_load why);
const char *analysis_load_phrase(enum analysis_load why);

struct analysis_program {
	char *path;          /* as given (path inside the root for images) */
	char *root;          /* rootfs folder, or NULL for host files */
	struct sysset syscalls;
	bool all_syscalls;   /* the policy widened the set to every syscall */
	bool calls_dlopen;   /* reaches dlopen()/dlmopen(): what it loads by computed names is not in the set */
	bool dlsym_computed; /* reaches a dlsym() call with a computed name: what that finds is not in the set */
	char **imports_used; /* sorted, unique: "read", "write@GLIBC_2.2.5" style names */
	size_t imports_used_nr;
	struct analysis_unresolved *unresolved;
	size_t unresolved_nr;
	char **objects;      /* paths in load order: program first */
	uint8_t *object_why; /* per object: enum analysis_load */
	size_t objects_nr;
	double time_ms;
	/*
	 * System call ABIs besides x86_64 its process may use (enum
	 * analysis_abi bits): a 32-bit x86 program (i386; x32), or int 0x80 /
	 * sysenter in reachable 64-bit code (i386).  Such calls reach
	 * seccomp as another architecture: a profile must list it.
	 */
	unsigned abis;
	/*
	 * Its process runs Perl or Ruby: what the root's code of that
	 * language gives the interpreter's syscall builtin (langsys.h), by
	 * enum langsys_lang; NULL for a language it does not run.  Owned by
	 * the analysis.
	 */
	const struct langsys *lang[2];
	/*
	 * Its process's Python loads ctypes or cffi: the root's Python code
	 * that uses them, whose names are in the set (pycode.h); NULL
	 * otherwise.  Owned by the analysis.
	 */
	const struct pycode *ffi;
	int error;           /* 0, or -errno when the program could not be analysed */
	char *error_msg;     /* message for 'error' (then syscalls is every syscall) */
	void *priv;          /* link graph kept for witness lookups */
};

enum analysis_abi {
	ANALYSIS_ABI_I386 = 1u << 0, /* int 0x80 and 32-bit x86 code (seccomp: SCMP_ARCH_X86) */
	ANALYSIS_ABI_X32 = 1u << 1,  /* x32 code (SCMP_ARCH_X32) */
};

/* "i386", "x32" for one enum analysis_abi bit. */
const char *analysis_abi_name(unsigned abi);
/* The ABI bits of an object by its ELF header (class, e_machine): 0 for x86_64 and others. */
unsigned analysis_abi_of(unsigned elf_class, unsigned machine);

struct analysis {
	enum sys_arch arch;
	struct analysis_program *programs;
	size_t programs_nr;
	struct sysset syscalls;   /* union over programs */
	void *priv;
};

/*
 * Analyse every program of 'ps' inside the image's rootfs.  On success *out
 * is a new analysis the caller frees with analysis_free().  A program that
 * cannot be analysed is recorded (error set, every syscall assumed: sound)
 * rather than failing the whole call.  Returns 0 or a negative errno.
 */
int analysis_image(struct image *img, struct program_set *ps, const struct analysis_opts *opts,
		   struct analysis **out);

/*
 * Analyse the given files.  With 'root' non-NULL, paths are inside that
 * folder (symlinks resolved within it) and libraries are searched there with
 * its /etc/ld.so.conf; otherwise they are host paths.  Returns 0 (with *out
 * set, freed by analysis_free()) or a negative errno (message set).
 */
int analysis_files(const char *const *paths, size_t nr, const char *root,
		   const struct analysis_opts *opts, struct analysis **out);

void analysis_free(struct analysis *a);

/*
 * A witness chain for syscall 'nr' in program 'prog': steps from the
 * program's entry (or another root) through called functions to the site.
 * *steps is a new array the caller frees (the strings stay owned by the
 * analysis).  Returns the number of steps, 0 when the syscall is not in the
 * set via any site (e.g. only through the unresolved policy), or -errno.
 */
int analysis_witness(const struct analysis *a, size_t prog, int nr, struct analysis_step **steps);

/*
 * Why a chain starts at its first step, in words: its root text and, for
 * a function whose address is in data, where ("... stored in data, at
 * 0x11da40 in ngx_thread_pool_module").  NULL for a step that is not a chain's root;
 * else a new string the caller frees.
 */
char *analysis_root_phrase(const struct analysis_step *step);
/* Why 'object' (a path of prog->objects) is in the program's process, or -1 when it is not. */
int analysis_object_why(const struct analysis_program *prog, const char *object);

/* The workers opts->threads asks for: 1-8, the number of CPUs for 0. */
unsigned analysis_threads(const struct analysis_opts *opts);
const char *analysis_policy_name(enum analysis_policy p);
/* Parses "all" / "ignore"; returns 0 or -EINVAL. */
int analysis_policy_parse(const char *s, enum analysis_policy *p);

#endif
