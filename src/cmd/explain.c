/* Placeholder until the issue that builds 'explain' lands; replaced wholesale. */
#include "cmd/cmd.h"

int cmd_explain(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	p_err("'explain' is not built yet");
	return 2;
}
