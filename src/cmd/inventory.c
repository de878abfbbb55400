/* Placeholder until the issue that builds 'inventory' lands; replaced wholesale. */
#include "cmd/cmd.h"

int cmd_inventory(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	p_err("'inventory' is not built yet");
	return 2;
}
