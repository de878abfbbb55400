/* Placeholder until the issue that builds 'batch' lands; replaced wholesale. */
#include "cmd/cmd.h"

int cmd_batch(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	p_err("'batch' is not built yet");
	return 2;
}
