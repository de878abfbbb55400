/* The run-time loading configuration parsers: nsswitch.conf, PAM files, jvm.cfg, openssl.cnf, PHP ini files. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/runconf.h"
#include "util/strbuf.h"

/* The list joined with ' '. */
static char *joined(const struct runconf_list *l)
{
	size_t len = 1;
	char *s;

	for (size_t i = 0; i < l->nr; i++)
		len += strlen(l->v[i]) + 1;
	s = calloc(1, len);
	for (size_t i = 0; i < l->nr; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, l->v[i]);
	}
	return s;
}

enum kind { NSS, PAM, PAM_CONF, JVM };

static const struct {
	const char *what;
	enum kind kind;
	const char *text;
	const char *want;
} cases[] = {
	{ "nss services", NSS, "passwd: files systemd\ngroup: files\nhosts: files dns\n", "files systemd dns" },
	{ "nss actions and comments", NSS,
	  "# hosts: mdns\nhosts: files [NOTFOUND=return] mdns4_minimal [ NOTFOUND=return ] dns # resolve\n",
	  "files mdns4_minimal dns" },
	{ "nss no colon, paths", NSS, "files dns\nhosts: /lib/evil.so db\n", "db" },
	{ "pam forms", PAM,
	  "# auth required pam_commented.so\n"
	  "auth\t[success=1 default=ignore]\tpam_unix.so nullok\n"
	  "account    required     pam_permit.so\n"
	  "-session   optional     pam_systemd.so\n"
	  "@include common-auth\n"
	  "password required /opt/pam_x.so # absolute\n"
	  "session [default=1 ignore=ignore] pam_permit.so\n",
	  "pam_unix.so pam_permit.so pam_systemd.so /opt/pam_x.so" },
	{ "pam odd names and short lines", PAM,
	  "auth required pam_$(evil).so\nauth required\nauth\nauth [unclosed pam_a.so\n",
	  "" },
	{ "pam.conf service column", PAM_CONF, "other auth required pam_deny.so\nlogin session optional pam_motd.so\n",
	  "pam_deny.so pam_motd.so" },
	{ "jvm.cfg", JVM,
	  "# -bogus KNOWN\n-server KNOWN\n-client IGNORE\n-zero KNOWN\n-green ALIASED_TO -server\n-server KNOWN\n",
	  "server zero" },
	{ "empty", NSS, "", "" },
};

static void test_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct runconf_list l = { 0 };
		char *got;

		switch (cases[i].kind) {
		case NSS:
			runconf_nss(cases[i].text, &l);
			break;
		case PAM:
			runconf_pam(cases[i].text, false, &l);
			break;
		case PAM_CONF:
			runconf_pam(cases[i].text, true, &l);
			break;
		case JVM:
			runconf_jvm_cfg(cases[i].text, &l);
			break;
		}
		got = joined(&l);
		if (strcmp(got, cases[i].want))
			fail_msg("%s: got '%s', want '%s'", cases[i].what, got, cases[i].want);
		free(got);
		runconf_list_release(&l);
	}
}

/* Lists are capped and names unique, whatever the input's size. */
static void test_caps(void **state)
{
	struct runconf_list l = { 0 };
	struct strbuf sb;

	(void)state;
	strbuf_init(&sb, 1 << 24);
	for (int i = 0; i < 1000; i++) {
		char line[64];

		snprintf(line, sizeof(line), "auth required pam_%d.so\nhosts: s%d s%d\n", i, i, i);
		strbuf_addstr(&sb, line);
	}
	runconf_pam(sb.buf, false, &l);
	assert_int_equal(l.nr, 256);
	runconf_list_release(&l);
	runconf_nss(sb.buf, &l);
	assert_int_equal(l.nr, 64);
	runconf_list_release(&l);
	runconf_pam(NULL, false, &l);
	assert_int_equal(l.nr, 0);
	strbuf_release(&sb);
}

/* openssl.cnf: dynamic_path and module paths, .include files and folders. */
static void test_openssl(void **state)
{
	static const char text[] =
		"openssl_conf = c\n"
		".include /etc/ssl/conf.d\n"
		".include=/etc/ssl/x.cnf # a comment\n"
		".include relative.cnf\n"
		"[c]\nengines = e\nproviders = p\n"
		"[e]\n  dynamic_path = \"/opt/eng/pkcs11.so\"\t\n"
		"[p]\nmodule=/opt/prov/tpm2.so\nmodule = $dir/rel.so\n"
		"# dynamic_path = /commented.so\n"
		"dynamic_path_x = /not.so\n"
		"[t]\ndynamic_path = /opt/eng/pkcs11.so\n";
	struct runconf_list mods = { 0 }, incs = { 0 };
	struct strbuf sb;
	char *m, *i;

	(void)state;
	runconf_openssl(text, &mods, &incs);
	m = joined(&mods);
	i = joined(&incs);
	assert_string_equal(m, "/opt/eng/pkcs11.so /opt/prov/tpm2.so");
	assert_string_equal(i, "/etc/ssl/conf.d /etc/ssl/x.cnf");
	free(m);
	free(i);
	runconf_list_release(&mods);
	runconf_list_release(&incs);
	/* Caps: 64 modules, 16 includes. */
	strbuf_init(&sb, 1 << 20);
	for (int k = 0; k < 1000; k++)
		strbuf_addf(&sb, "module = /m/%d.so\n.include /i/%d\n", k, k);
	runconf_openssl(sb.buf, &mods, &incs);
	assert_int_equal(mods.nr, 64);
	assert_int_equal(incs.nr, 16);
	runconf_list_release(&mods);
	runconf_list_release(&incs);
	runconf_openssl(NULL, &mods, &incs);
	assert_int_equal(mods.nr + incs.nr, 0);
	strbuf_release(&sb);
}

/* PHP ini: extension_dir folders, extensions by absolute path; ';' comments. */
static void test_php(void **state)
{
	static const char text[] = "[PHP]\nextension_dir = \"/opt/ext\" ; its own\nextension=redis\n"
				   "zend_extension = /z/xdebug.so\n;extension=/off.so\nextension='/q/a.so'\n"
				   "extension_dir=relative\nmemory_limit = 128M\n";
	struct runconf_list dirs = { 0 }, mods = { 0 };
	char *d, *m;

	(void)state;
	runconf_php(text, &dirs, &mods);
	d = joined(&dirs);
	m = joined(&mods);
	assert_string_equal(d, "/opt/ext");
	assert_string_equal(m, "/z/xdebug.so /q/a.so");
	free(d);
	free(m);
	runconf_list_release(&dirs);
	runconf_list_release(&mods);
	runconf_php(NULL, &dirs, &mods);
	assert_int_equal(dirs.nr + mods.nr, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_openssl),
		cmocka_unit_test(test_php),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
