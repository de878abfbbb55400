/* Placeholder until the issue that builds 'validate' lands; replaced wholesale. */
#include "cmd/cmd.h"

int cmd_validate(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	p_err("'validate' is not built yet");
	return 2;
}
