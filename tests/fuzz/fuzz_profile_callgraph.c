/* libFuzzer target: Confine's call-graph and Go-list formats (confine_compat). */
#include <stddef.h>
#include <stdint.h>

#include "analysis/confine_compat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const starts[] = { "main", "fopen", "a", "", "syscall(1)" };
	const char *sep = size && (data[0] & 1) ? "->" : size && (data[0] & 2) ? ":" : NULL;
	struct confine_graph *g = NULL;
	struct sysset s;

	if (confine_graph_parse((const char *)data, size, sep, "fuzz", &g))
		return 0;
	sysset_clear(&s);
	confine_graph_syscalls(g, starts, sizeof(starts) / sizeof(starts[0]), &s);
	confine_graph_free(g);
	return 0;
}
