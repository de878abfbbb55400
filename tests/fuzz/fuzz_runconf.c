/*
 * libFuzzer target: the run-time loading configuration parsers
 * (nsswitch.conf, PAM, jvm.cfg, openssl.cnf, PHP ini) and the shell script
 * reader (shwords).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/runconf.h"
#include "analysis/shwords.h"
#include "util/xalloc.h"

struct fuzz_input {
	const uint8_t *data;
	size_t size;
};

/* At most SHWORDS_MAX names, none empty or longer than a word; released here. */
static void check_commands(char **cmds, size_t n)
{
	if (n > SHWORDS_MAX)
		abort();
	for (size_t i = 0; i < n; i++)
		if (!cmds[i][0] || strlen(cmds[i]) > 256)
			abort();
	free_strv(cmds, n);
}

static char *fuzz_read(void *arg, const char *path, size_t *len)
{
	const struct fuzz_input *in = arg;
	char *t = xmalloc(in->size + 1);

	(void)path;
	memcpy(t, in->data, in->size);
	t[in->size] = '\0';
	*len = in->size;
	return t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct runconf_list l = { 0 };

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	runconf_nss(text, &l);
	runconf_pam(text, false, &l);
	runconf_pam(text, true, &l);
	runconf_jvm_cfg(text, &l);
	{
		struct runconf_list mods = { 0 }, incs = { 0 };

		runconf_openssl(text, &mods, &incs);
		if (mods.nr > 64 || incs.nr > 16)
			abort();
		runconf_list_release(&mods);
		runconf_list_release(&incs);
		runconf_php(text, &mods, &incs);
		if (mods.nr > 64 || incs.nr > 64)
			abort();
		runconf_list_release(&mods);
		runconf_list_release(&incs);
	}
	/* Names are unique and within the caps (64 + 256 + 16 at most). */
	if (l.nr > 64 + 256 + 16)
		abort();
	for (size_t i = 0; i < l.nr; i++)
		for (size_t k = i + 1; k < l.nr; k++)
			if (!strcmp(l.v[i], l.v[k]))
				abort();
	runconf_list_release(&l);
	{
		char **cmds;
		size_t n = shwords_commands((const char *)data, size, &cmds); /* not NUL-terminated */

		check_commands(cmds, n);
	}
	{
		/* With an environment and sourced files (each one the input again): variables resolve. */
		static char *const env[] = { "PATH=/usr/bin:/bin", "APP=/bin/app", "EMPTY=" };
		struct fuzz_input in = { data, size };
		struct shwords_env e = { env, 3, fuzz_read, &in };
		char **cmds;
		size_t n = shwords_commands_env((const char *)data, size, &e, &cmds);

		check_commands(cmds, n);
	}
	free(text);
	return 0;
}
