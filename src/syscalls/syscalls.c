#include "syscalls/syscalls.h"

#include <string.h>

#include "syscalls/table.h"

struct arch_tables {
	const struct syscall_info *table;
	const size_t *nr;
	const unsigned short *by_name;
	const char *name;
};

static const struct arch_tables arches[] = {
	[SYS_ARCH_X86_64] = { syscall_table_x86_64, &syscall_table_x86_64_nr,
			      syscall_index_x86_64, "x86_64" },
	[SYS_ARCH_AARCH64] = { syscall_table_aarch64, &syscall_table_aarch64_nr,
			       syscall_index_aarch64, "aarch64" },
};

static const struct arch_tables *tables(enum sys_arch arch)
{
	if ((size_t)arch >= sizeof(arches) / sizeof(arches[0]))
		return NULL;
	return &arches[arch];
}

const char *syscall_name(enum sys_arch arch, int nr)
{
	const struct arch_tables *t = tables(arch);
	size_t lo = 0, hi;

	if (!t)
		return NULL;
	hi = *t->nr;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->table[mid].nr == nr)
			return t->table[mid].name;
		if (t->table[mid].nr < nr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int syscall_number(enum sys_arch arch, const char *name)
{
	const struct arch_tables *t = tables(arch);
	size_t lo = 0, hi;

	if (!t || !name)
		return -1;
	hi = *t->nr;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct syscall_info *s = &t->table[t->by_name[mid]];
		int c = strcmp(s->name, name);

		if (c == 0)
			return s->nr;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

const struct syscall_info *syscall_table(enum sys_arch arch, size_t *nr)
{
	const struct arch_tables *t = tables(arch);

	if (!t) {
		*nr = 0;
		return NULL;
	}
	*nr = *t->nr;
	return t->table;
}

size_t sysset_names(const struct sysset *s, enum sys_arch arch, const char **out)
{
	const struct arch_tables *t = tables(arch);
	size_t n = 0;

	for (size_t i = 0; t && i < *t->nr; i++) {
		const struct syscall_info *si = &t->table[t->by_name[i]];

		if (sysset_has(s, si->nr))
			out[n++] = si->name;
	}
	return n;
}

const char *sys_arch_name(enum sys_arch arch)
{
	const struct arch_tables *t = tables(arch);

	return t ? t->name : "unknown";
}
