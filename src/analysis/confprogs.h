#ifndef CONFINE_ANALYSIS_CONFPROGS_H
#define CONFINE_ANALYSIS_CONFPROGS_H

#include <stdbool.h>
#include <stddef.h>

#include "analysis/runtimes.h"

/*
 * Programs a server runs because its configuration names them, read from
 * the configuration files without running anything:
 *  - lighttpd: "bin-path" of FastCGI/SCGI backends it spawns,
 *    include_shell commands (run at start, their output is configuration),
 *    cgi.assign's interpreters, and piped logs (accesslog.filename,
 *    server.errorlog = "|COMMAND"); from -f FILE, else
 *    /etc/lighttpd/lighttpd.conf, following include (globs too);
 *  - h2o: piped logs (access-log, error-log, path: "|COMMAND") and
 *    fastcgi.spawn's commands; from -c FILE, else /etc/h2o/h2o.conf,
 *    following !file;
 *  - Apache httpd: piped logs (CustomLog, ErrorLog, TransferLog,
 *    GlobalLog "|COMMAND"; "||COMMAND" without the shell), RewriteMap's
 *    prg: programs, ExtFilterDefine's cmd=, and every executable of a
 *    ScriptAlias folder (CGI programs); from -f FILE (under -d ROOT),
 *    else Debian's /etc/apache2/apache2.conf or httpd.conf under upstream's
 *    and Red Hat's roots, following Include and IncludeOptional (globs,
 *    folders);
 *  - HAProxy: external-check command, and the command of each program
 *    section (master-worker mode); from each -f FILE or folder (its
 *    .cfg files), else /etc/haproxy/haproxy.cfg or the official image's
 *    /usr/local/etc/haproxy/haproxy.cfg;
 *  - Postfix (the postfix command and master, linking libpostfix-global):
 *    master, postfix-script and the other scripts of daemon_directory,
 *    every service master.cf runs (in daemon_directory, or a path), and
 *    the argv= program of pipe and spawn services; from -c DIR,
 *    MAIL_CONFIG or /etc/postfix, daemon_directory from main.cf (else
 *    /usr/lib/postfix/sbin, Debian's, or /usr/libexec/postfix);
 *  - supervisord: the command of every [program:X], [eventlistener:X]
 *    and [fcgi-program:X]; from -c FILE, else the first of its search
 *    list, following [include] files (globs too), with %(ENV_X)s,
 *    %(here)s, %(program_name)s and %(process_num)d expanded.
 * The server's arguments, when known (the image's Entrypoint/Cmd), pick the
 * configuration file.
 */

enum confprogs_server {
	CONFPROGS_NONE = 0,
	CONFPROGS_LIGHTTPD,
	CONFPROGS_H2O,
	CONFPROGS_SUPERVISORD,
	CONFPROGS_APACHE,
	CONFPROGS_HAPROXY,
	CONFPROGS_POSTFIX,
};

/* A command a configuration names. */
struct confprog {
	char *text; /* the command line */
	bool shell; /* run as /bin/sh -c TEXT; else split into words and executed */
	bool file;  /* TEXT is a file the server runs when it is an executable (a CGI folder's) */
	char *why;  /* "bin-path in /etc/lighttpd/conf-enabled/15-fastcgi-php.conf, run by lighttpd" */
};

/* At most this many commands, and files read, for one server. */
#define CONFPROGS_MAX 128
#define CONFPROGS_FILES_MAX 64

/*
 * The server a program is: by the symbols its ELF file exports
 * (elf_dynsym_has), or the library it links and its name (Postfix's
 * postfix and master, at 'path'); or by a script's name.
 */
enum confprogs_server confprogs_server_elf(const struct elf_file *elf, const char *path);
enum confprogs_server confprogs_server_script(const char *path);

/*
 * The commands server s's configuration names, for the process p (its
 * given path, arguments, environment, working folder; the objects are not
 * used).  Returns how many *out holds; release with confprogs_release.
 */
size_t confprogs_find(enum confprogs_server s, const struct root_reader *rr, const struct runtimes_process *p,
		      struct confprog **out);
void confprogs_release(struct confprog *v, size_t n);

#endif
