/* Placeholder until the issue that builds 'profile' lands; replaced wholesale. */
#include "cmd/cmd.h"

int cmd_profile(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	p_err("'profile' is not built yet");
	return 2;
}
