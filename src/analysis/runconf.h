#ifndef CONFINE_ANALYSIS_RUNCONF_H
#define CONFINE_ANALYSIS_RUNCONF_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Parsers of the configuration files that decide which modules a process
 * loads at run time, by names no program holds: nsswitch.conf (glibc's NSS
 * services), the PAM configuration (libpam's modules) and a JDK's jvm.cfg
 * (the JVMs libjli may load), openssl.cnf (the engines and providers
 * libcrypto loads by path), PHP's ini files.  The text is untrusted (it comes from the
 * image): lines are taken apart without limits on their length, names are
 * checked and the lists are capped.
 */

/* Unique names in the order first seen; the strings are the list's. */
struct runconf_list {
	char **v;
	size_t nr, alloc;
};

void runconf_list_release(struct runconf_list *l);

/* nsswitch.conf: the services named after "database:" ("files", "systemd"...), at most 64. */
void runconf_nss(const char *text, struct runconf_list *out);

/*
 * One PAM configuration file: the module paths of lines "[service] type
 * control module-path [args]" (the service column only in /etc/pam.conf:
 * with_service), a type with a leading '-' too, a control "[value=action
 * ...]" possibly with blanks; "@include" lines are skipped (the caller
 * reads every file).  At most 256 in the list.
 */
void runconf_pam(const char *text, bool with_service, struct runconf_list *out);

/* jvm.cfg: the JVMs marked KNOWN ("-server KNOWN" gives "server"), at most 16. */
void runconf_jvm_cfg(const char *text, struct runconf_list *out);

/*
 * An OpenSSL configuration file (openssl.cnf): the absolute paths its
 * engine sections' "dynamic_path = PATH" and provider sections' "module =
 * PATH" name (quotes removed), at most 64, into 'modules'; the files or
 * folders its ".include [=] PATH" lines name, at most 16, into 'includes'.
 */
void runconf_openssl(const char *text, struct runconf_list *modules, struct runconf_list *includes);

/*
 * A PHP ini file: the folders its "extension_dir = PATH" lines name, and
 * the modules its "extension = PATH" and "zend_extension = PATH" lines
 * name by an absolute path (quotes removed), at most 64 each.
 */
void runconf_php(const char *text, struct runconf_list *dirs, struct runconf_list *modules);

#endif
