#ifndef CONFINE_SYSCALLS_TABLE_H
#define CONFINE_SYSCALLS_TABLE_H

#include <stddef.h>

#include "syscalls/syscalls.h"

/* The generated tables (src/syscalls/table.c, by tools/gen-syscalls). */
extern const struct syscall_info syscall_table_x86_64[];
extern const size_t syscall_table_x86_64_nr;
extern const unsigned short syscall_index_x86_64[];
extern const struct syscall_info syscall_table_aarch64[];
extern const size_t syscall_table_aarch64_nr;
extern const unsigned short syscall_index_aarch64[];

#endif
