#ifndef CONFINE_ANALYSIS_LANGSYS_H
#define CONFINE_ANALYSIS_LANGSYS_H

#include <stdbool.h>
#include <stddef.h>

#include "syscalls/syscalls.h"

/*
 * The numbers a language's own code hands its syscall builtin.  Perl's
 * syscall(NUMBER, LIST) and Ruby's Kernel#syscall(NUMBER, ...) pass the
 * kernel whatever number the script gives, so the interpreter's call of
 * syscall() has no constant and a process running Perl or Ruby was "every
 * call".  The code such an interpreter runs is the image's (its modules,
 * its scripts, the code in other scripts' command lines), so reading that
 * code for the builtin's calls gives the numbers: Perl's syscall.ph names
 * (syscall(&SYS_gettid)) and literals.  A call whose number is computed
 * (a variable, an expression) leaves the builtin unknown: every call.
 *
 * What is read: every file whose name says it is code of the language
 * (.pm .pl .ph .pmc .al .cgi .psgi .plx; .rb .ru .rake .gemspec, Gemfile,
 * Rakefile), every '#!' script of its interpreter, and other '#!' scripts
 * (shell...) that name both the interpreter and "syscall" (perl -e
 * '...').  POD, =begin/=end blocks, comments and what follows __END__ or
 * __DATA__ are not code.  Not seen: code the program reads at run time
 * from elsewhere (a volume, the network, stdin), a string eval()ed after
 * being built, and Ruby's send(:syscall) with a computed name (a
 * literal :syscall symbol counts as a computed number).
 */

enum langsys_lang {
	LANGSYS_PERL = 0,
	LANGSYS_RUBY,
	LANGSYS_NR
};

/* Bits of langsys_file_langs(): 1 << enum langsys_lang, and: */
#define LANGSYS_OTHER_SCRIPT (1u << LANGSYS_NR) /* a '#!' script of another interpreter */

/* Most bytes of code one scan reads; past it the builtin is unknown. */
#define LANGSYS_MAX_BYTES (1024u << 20)
/* Largest file read (a larger one makes the builtin unknown). */
#define LANGSYS_MAX_FILE (32u << 20)

struct langsys_note {
	int nr;
	char *where; /* "syscall(&SYS_gettid) at /usr/share/perl5/X.pm:12" */
};

/* What one language's code in a root says of its syscall builtin. */
struct langsys {
	enum langsys_lang lang;
	/* Every call's number was read; false: the builtin may make any call. */
	bool known;
	struct sysset set;          /* the calls the code names (on x86_64) */
	char *unknown;              /* !known: why ("a computed number at FILE:LINE") */
	struct langsys_note *notes; /* the first call of each number, by number */
	size_t notes_nr, notes_alloc;
	size_t files;               /* files read */
	size_t bytes;
	size_t calls;               /* calls of the builtin found (known or not) */
};

void langsys_init(struct langsys *ls, enum langsys_lang lang);
void langsys_release(struct langsys *ls);
/* A deep copy of src into dst (initialised here). */
void langsys_copy(struct langsys *dst, const struct langsys *src);

/* "perl", "ruby". */
const char *langsys_lang_name(enum langsys_lang lang);
/*
 * The interpreter function holding the builtin's syscall() calls:
 * "Perl_pp_syscall", "rb_f_syscall".  Stripped objects keep Perl's (an
 * export) but not Ruby's (static): langsys_anonymous() says whether a
 * function without a name may be it.
 */
const char *langsys_function(enum langsys_lang lang);
bool langsys_anonymous(enum langsys_lang lang);

/*
 * Which languages' code a file may hold (LANGSYS bits): its '#!' line
 * decides when it has one ('head': its first bytes, 'head_len' of them;
 * NULL when it has none), else its name.
 */
unsigned langsys_file_langs(const char *path, const char *head, size_t head_len);

/*
 * Read 'text' (len bytes), the content of 'path' whose langsys_file_langs()
 * is 'langs', into ls[lang] for each language of 'want' (bits) it holds
 * code of (ls has LANGSYS_NR entries, in enum order).
 */
void langsys_scan_file(struct langsys *ls, unsigned want, unsigned langs, const char *path, const char *text,
		       size_t len);

/* Does a command line starting with argv0 run lang's interpreter (perl, perl5.36, ruby3.1...)? */
bool langsys_argv_runs(const char *argv0, enum langsys_lang lang);
/* Read a command line of ls's interpreter (argv, argc words: perl -e 'CODE') into ls. */
void langsys_scan_argv(struct langsys *ls, char *const *argv, size_t argc);

/* Mark ls unknown for 'why' (a file too large, too much code); the first reason is kept. */
void langsys_set_unknown(struct langsys *ls, const char *why);

/* Where the first call of number nr was read, or NULL. */
const char *langsys_note(const struct langsys *ls, int nr);

#endif
