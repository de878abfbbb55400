/* Placeholder until the issue that builds 'analyze' lands; replaced wholesale. */
#include "cmd/cmd.h"

int cmd_analyze(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	p_err("'analyze' is not built yet");
	return 2;
}
