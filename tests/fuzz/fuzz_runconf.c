/* libFuzzer target: the run-time loading configuration parsers (nsswitch.conf, PAM, jvm.cfg). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/runconf.h"

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
	/* Names are unique and within the caps (64 + 256 + 16 at most). */
	if (l.nr > 64 + 256 + 16)
		abort();
	for (size_t i = 0; i < l.nr; i++)
		for (size_t k = i + 1; k < l.nr; k++)
			if (!strcmp(l.v[i], l.v[k]))
				abort();
	runconf_list_release(&l);
	free(text);
	return 0;
}
