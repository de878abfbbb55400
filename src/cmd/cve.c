/* Placeholder until the issue that builds 'cve' lands; replaced wholesale. */
#include "cmd/cmd.h"

int cmd_cve(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	p_err("'cve' is not built yet");
	return 2;
}
