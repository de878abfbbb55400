/* Placeholder until the issue that builds 'diff' lands; replaced wholesale. */
#include "cmd/cmd.h"

int cmd_diff(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	p_err("'diff' is not built yet");
	return 2;
}
