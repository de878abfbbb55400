#ifndef CONFINE_ELF_EHPADS_H
#define CONFINE_ELF_EHPADS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Exception landing pads: where the unwinder enters a function's code
 * when an exception (C++ throw, Rust panic, pthread_cancel) passes
 * through one of its calls.  Read from .eh_frame (the FDEs, and the CIEs
 * that say how their fields are encoded) and the language-specific data
 * areas the FDEs point to (.gcc_except_table, GCC/LLVM format): each
 * call-site record names its landing pad.
 *
 * The analysis needs them to tell which code that no branch reaches may
 * still run: a landing pad may, anything else the FDEs cover may not.
 * Code no FDE covers is unknown.  Every offset is bounds-checked; a
 * record that cannot be read makes the whole object's answer unknown
 * rather than partial.
 */

struct elf_file;

struct ehpads_range {
	uint64_t lo, hi;          /* [lo, hi) */
};

struct ehpads {
	bool known;               /* false: .eh_frame or an LSDA could not be read */
	uint64_t *pads;           /* landing pads, sorted, unique */
	size_t pads_nr;
	struct ehpads_range *fdes; /* the code FDEs cover, sorted by lo */
	size_t fdes_nr;
};

enum ehpads_kind {
	EH_NOT_ENTERED,           /* covered by an FDE and not a landing pad */
	EH_LANDING_PAD,
	EH_UNKNOWN,               /* no FDE covers it, or the tables were unreadable */
};

/*
 * Read elf's landing pads into *out (out->known says whether the tables
 * could be read; an object without .eh_frame has none and covers nothing).
 * The arrays are the caller's, given back with ehpads_release().
 */
void ehpads_load(const struct elf_file *elf, struct ehpads *out);
void ehpads_release(struct ehpads *p);

/* How the unwinder may enter the code at 'addr'. */
enum ehpads_kind ehpads_entry(const struct ehpads *p, uint64_t addr);

#endif
