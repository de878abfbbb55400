#ifndef CONFINE_DISASM_INSN_H
#define CONFINE_DISASM_INSN_H

/*
 * Internal to disasm/: the compact instruction records the data flow reads,
 * filled from Zydis (disasm.c) or by the fast decoder of the commonest
 * instruction forms (fastdec.c).  Not for other layers.
 */

#include <Zydis/Zydis.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Compact copies of what the analysis reads from Zydis' decoded
 * instruction and operands (field names kept).  Zydis' own structs are
 * over a kilobyte per instruction with operands; copying just these keeps
 * a function's instructions in cache, and general-register numbers are
 * looked up once at decode time instead of on every fixpoint pass.
 */
struct op {
	uint8_t type;             /* ZydisOperandType */
	uint8_t actions;          /* ZydisOperandActions */
	uint16_t size;
	union {
		struct {
			uint16_t value;   /* ZydisRegister */
			int8_t gpr;       /* general register number, or -1 */
			uint16_t width;
		} reg;
		struct {
			uint16_t base, index, segment;
			int8_t base_gpr, index_gpr;
			struct {
				int64_t value;
			} disp;
		} mem;
		struct {
			bool is_signed, is_relative;
			union {
				uint64_t u;
				int64_t s;
			} value;
		} imm;
	};
};

struct insn_hdr {
	uint16_t mnemonic;        /* ZydisMnemonic */
	uint8_t length;
	uint8_t operand_count;    /* hidden operands that are not general registers are dropped */
	uint8_t operand_count_visible;
	struct {
		uint8_t category; /* ZydisInstructionCategory */
	} meta;
};

/* One decoded instruction of the function being analysed. */
struct insn {
	uint64_t addr;
	uint32_t op0;             /* first operand in the operand array */
	struct insn_hdr in;
	bool bad;                 /* undecodable byte */
	bool rel;                 /* raw relative immediate (dis_may_return's view of a direct branch) */
	int32_t rel_disp;         /* ... and its value */
};

/*
 * What the pre-pass reads of an instruction besides its record: Zydis'
 * raw fields, the same for either decoder.
 */
struct insn_raw {
	bool relative;            /* ZYDIS_ATTRIB_IS_RELATIVE: relative branch or rip-relative operand */
	bool riprel_modrm;        /* ModRM mod=00 rm=101 (with 'relative': rip-relative) */
	uint8_t opcode;
	uint8_t imm0_size;        /* bits of the first encoded immediate, 0 without one */
	bool imm0_relative;
	uint64_t imm0;            /* its value, sign-extended when signed */
	int64_t disp;             /* encoded displacement */
};

/*
 * Decode the instruction at 'code' (at most 'avail' bytes) into *I, its
 * kept operands into 'ops' (room for ZYDIS_MAX_OPERAND_COUNT) and *raw,
 * exactly as Zydis would (I->addr and I->op0 are left to the caller).
 * Returns false for anything but the common forms it knows; the caller
 * then decodes with Zydis.
 */
bool fastdec_insn(const uint8_t *code, size_t avail, struct insn *I, struct op *ops, struct insn_raw *raw);

#endif
