#include "disasm/insn.h"

#include <string.h>

/*
 * A decoder for the instruction forms that make up most x86-64 code (mov,
 * lea, call, jmp, jcc, push, pop, ret, the ALU group, test, movzx/movsx,
 * nop, endbr64): over the nginx image's 10 million instructions these are
 * more than nine in ten, and Zydis spends ~100 ns on each.  Only an
 * optional REX prefix is accepted; every other prefix, opcode or encoding
 * goes to Zydis.  The records must be exactly what Zydis would give
 * (operands, their order, sizes, actions, hidden stack operands); a unit
 * test compares the two over every instruction of real binaries and a
 * fuzz target over random bytes.
 */

enum { ACT_R = ZYDIS_OPERAND_ACTION_READ, ACT_W = ZYDIS_OPERAND_ACTION_WRITE,
       ACT_RW = ZYDIS_OPERAND_ACTION_READ | ZYDIS_OPERAND_ACTION_WRITE };

#define NO_REG (-1)
#define RIP_REG (-2)

/* A decoded ModRM (+ SIB + displacement). */
struct modrm {
	uint8_t mod, reg, rm;     /* reg and rm with the REX bits */
	int base, index;          /* memory form: general register, NO_REG or RIP_REG */
	int64_t disp;
	bool riprel;
};

static bool imm_read(const uint8_t *p, size_t avail, size_t *i, unsigned bytes, int64_t *v)
{
	uint64_t u = 0;

	if (*i + bytes > avail)
		return false;
	for (unsigned k = 0; k < bytes; k++)
		u |= (uint64_t)p[*i + k] << (8 * k);
	*i += bytes;
	if (bytes == 1)
		*v = (int8_t)u;
	else if (bytes == 4)
		*v = (int32_t)u;
	else
		*v = (int64_t)u;
	return true;
}

static bool modrm_parse(const uint8_t *p, size_t avail, size_t *i, uint8_t rex, struct modrm *m)
{
	uint8_t b, sib;

	if (*i >= avail)
		return false;
	b = p[(*i)++];
	m->mod = b >> 6;
	m->reg = (uint8_t)(((b >> 3) & 7) | (rex & 4 ? 8 : 0));
	m->rm = b & 7;
	m->disp = 0;
	m->riprel = false;
	m->base = m->index = NO_REG;
	if (m->mod == 3) {
		m->rm |= rex & 1 ? 8 : 0;
		return true;
	}
	if (m->rm == 4) {
		unsigned idx;

		if (*i >= avail)
			return false;
		sib = p[(*i)++];
		idx = ((sib >> 3) & 7) | (rex & 2 ? 8 : 0);
		m->index = idx == 4 ? NO_REG : (int)idx;
		if ((sib & 7) == 5 && m->mod == 0) {
			/* No base: a disp32 follows. */
			m->base = NO_REG;
			return imm_read(p, avail, i, 4, &m->disp);
		}
		m->base = (sib & 7) | (rex & 1 ? 8 : 0);
	} else if (m->rm == 5 && m->mod == 0) {
		m->base = RIP_REG;
		m->riprel = true;
		return imm_read(p, avail, i, 4, &m->disp);
	} else {
		m->base = m->rm | (rex & 1 ? 8 : 0);
	}
	if (m->mod == 1)
		return imm_read(p, avail, i, 1, &m->disp);
	if (m->mod == 2)
		return imm_read(p, avail, i, 4, &m->disp);
	return true;
}

/* The Zydis register of general register n at 'size' bits (byte registers 4-7 are ah..bh without REX). */
static ZydisRegister gpr(unsigned n, unsigned size, bool rex)
{
	switch (size) {
	case 64:
		return (ZydisRegister)(ZYDIS_REGISTER_RAX + n);
	case 32:
		return (ZydisRegister)(ZYDIS_REGISTER_EAX + n);
	case 16:
		return (ZydisRegister)(ZYDIS_REGISTER_AX + n);
	default:
		if (n >= 4 && n < 8 && !rex)
			return (ZydisRegister)(ZYDIS_REGISTER_AH + (n - 4));
		return (ZydisRegister)(n < 4 ? ZYDIS_REGISTER_AL + n : ZYDIS_REGISTER_SPL + (n - 4));
	}
}

static void op_reg(struct op *o, uint8_t act, unsigned size, unsigned n, bool rex)
{
	memset(o, 0, sizeof(*o));
	o->type = ZYDIS_OPERAND_TYPE_REGISTER;
	o->actions = act;
	o->size = (uint16_t)size;
	o->reg.value = (uint16_t)gpr(n, size, rex);
	o->reg.gpr = (int8_t)(size == 8 && n >= 4 && n < 8 && !rex ? n - 4 : n);
	o->reg.width = (uint16_t)size;
}

static ZydisRegister mem_reg(int r)
{
	if (r == RIP_REG)
		return ZYDIS_REGISTER_RIP;
	return r == NO_REG ? ZYDIS_REGISTER_NONE : (ZydisRegister)(ZYDIS_REGISTER_RAX + r);
}

static void op_mem(struct op *o, uint8_t act, unsigned size, int base, int index, int64_t disp)
{
	memset(o, 0, sizeof(*o));
	o->type = ZYDIS_OPERAND_TYPE_MEMORY;
	o->actions = act;
	o->size = (uint16_t)size;
	o->mem.base = (uint16_t)mem_reg(base);
	o->mem.index = (uint16_t)mem_reg(index);
	o->mem.segment = (uint16_t)(base == 4 || base == 5 ? ZYDIS_REGISTER_SS : ZYDIS_REGISTER_DS);
	o->mem.base_gpr = (int8_t)(base >= 0 ? base : -1);
	o->mem.index_gpr = (int8_t)(index >= 0 ? index : -1);
	o->mem.disp.value = disp;
}

/* The r/m operand of a ModRM: a register or memory. */
static void op_rm(struct op *o, uint8_t act, unsigned size, const struct modrm *m, bool rex)
{
	if (m->mod == 3)
		op_reg(o, act, size, m->rm, rex);
	else
		op_mem(o, act, size, m->base, m->index, m->disp);
}

static void op_imm(struct op *o, unsigned size, int64_t value, bool relative)
{
	memset(o, 0, sizeof(*o));
	o->type = ZYDIS_OPERAND_TYPE_IMMEDIATE;
	o->actions = ACT_R;
	o->size = (uint16_t)size;
	o->imm.is_signed = true;
	o->imm.is_relative = relative;
	o->imm.value.s = value;
}

/* The hidden rsp and [rsp] operands of push/pop/call/ret; returns how many. */
static unsigned op_stack(struct op *o, uint8_t mem_act)
{
	op_reg(&o[0], ACT_RW, 64, 4, false);
	op_mem(&o[1], mem_act, 64, 4, NO_REG, 0);
	return 2;
}


static const uint16_t alu_mnemonic[8] = {
	ZYDIS_MNEMONIC_ADD, ZYDIS_MNEMONIC_OR,  ZYDIS_MNEMONIC_ADC, ZYDIS_MNEMONIC_SBB,
	ZYDIS_MNEMONIC_AND, ZYDIS_MNEMONIC_SUB, ZYDIS_MNEMONIC_XOR, ZYDIS_MNEMONIC_CMP,
};

/* The condition-code families, by the low nibble of the opcode. */
enum { CC_JCC, CC_CMOV, CC_SET };
static const uint16_t cc_mnemonic[3][16] = {
	{ ZYDIS_MNEMONIC_JO, ZYDIS_MNEMONIC_JNO, ZYDIS_MNEMONIC_JB, ZYDIS_MNEMONIC_JNB, ZYDIS_MNEMONIC_JZ,
	  ZYDIS_MNEMONIC_JNZ, ZYDIS_MNEMONIC_JBE, ZYDIS_MNEMONIC_JNBE, ZYDIS_MNEMONIC_JS, ZYDIS_MNEMONIC_JNS,
	  ZYDIS_MNEMONIC_JP, ZYDIS_MNEMONIC_JNP, ZYDIS_MNEMONIC_JL, ZYDIS_MNEMONIC_JNL, ZYDIS_MNEMONIC_JLE,
	  ZYDIS_MNEMONIC_JNLE },
	{ ZYDIS_MNEMONIC_CMOVO, ZYDIS_MNEMONIC_CMOVNO, ZYDIS_MNEMONIC_CMOVB, ZYDIS_MNEMONIC_CMOVNB,
	  ZYDIS_MNEMONIC_CMOVZ, ZYDIS_MNEMONIC_CMOVNZ, ZYDIS_MNEMONIC_CMOVBE, ZYDIS_MNEMONIC_CMOVNBE,
	  ZYDIS_MNEMONIC_CMOVS, ZYDIS_MNEMONIC_CMOVNS, ZYDIS_MNEMONIC_CMOVP, ZYDIS_MNEMONIC_CMOVNP,
	  ZYDIS_MNEMONIC_CMOVL, ZYDIS_MNEMONIC_CMOVNL, ZYDIS_MNEMONIC_CMOVLE, ZYDIS_MNEMONIC_CMOVNLE },
	{ ZYDIS_MNEMONIC_SETO, ZYDIS_MNEMONIC_SETNO, ZYDIS_MNEMONIC_SETB, ZYDIS_MNEMONIC_SETNB, ZYDIS_MNEMONIC_SETZ,
	  ZYDIS_MNEMONIC_SETNZ, ZYDIS_MNEMONIC_SETBE, ZYDIS_MNEMONIC_SETNBE, ZYDIS_MNEMONIC_SETS,
	  ZYDIS_MNEMONIC_SETNS, ZYDIS_MNEMONIC_SETP, ZYDIS_MNEMONIC_SETNP, ZYDIS_MNEMONIC_SETL,
	  ZYDIS_MNEMONIC_SETNL, ZYDIS_MNEMONIC_SETLE, ZYDIS_MNEMONIC_SETNLE },
};

static uint8_t alu_category(unsigned op)
{
	return op == 1 || op == 4 || op == 6 ? ZYDIS_CATEGORY_LOGICAL : ZYDIS_CATEGORY_BINARY;
}

static void hdr(struct insn *I, uint16_t mnemonic, uint8_t category, size_t len, unsigned kept, unsigned visible)
{
	I->bad = false;
	I->rel = false;
	I->rel_disp = 0;
	I->in = (struct insn_hdr){ mnemonic, (uint8_t)len, (uint8_t)kept, (uint8_t)visible, { category } };
}

/* What the pre-pass reads of a ModRM memory operand, an immediate, a relative branch. */
static void raw_mem(struct insn_raw *raw, const struct modrm *m)
{
	raw->riprel_modrm = raw->relative = m->riprel;
	raw->disp = m->disp;
}

static void raw_imm(struct insn_raw *raw, unsigned bits, int64_t imm)
{
	raw->imm0_size = (uint8_t)bits;
	raw->imm0 = (uint64_t)imm;
}

static void rel_branch(struct insn *I, struct insn_raw *raw, unsigned bits, int64_t imm)
{
	I->rel = true;
	I->rel_disp = (int32_t)imm;
	raw->relative = raw->imm0_relative = true;
	raw_imm(raw, bits, imm);
}

bool fastdec_insn(const uint8_t *p, size_t avail, struct insn *I, struct op *ops, struct insn_raw *raw)
{
	size_t i = 0;
	uint8_t rex = 0, b;
	bool w, pfx = false, p66 = false;
	unsigned osz, n = 0;
	struct modrm m;
	int64_t imm;

	if (!avail)
		return false;
	memset(raw, 0, sizeof(*raw));
	if (avail >= 4 && p[0] == 0xf3 && p[1] == 0x0f && p[2] == 0x1e && p[3] == 0xfa) {
		hdr(I, ZYDIS_MNEMONIC_ENDBR64, ZYDIS_CATEGORY_CET, 4, 0, 0);
		raw->opcode = 0x1e;
		return true;
	}
	/*
	 * Operand-size and (ignored) CS prefixes: only the padding nops
	 * (66 90, 66 2e 0f 1f 84 ...) are taken with prefixes.
	 */
	while (i < avail && i < 4 && (p[i] == 0x66 || p[i] == 0x2e)) {
		p66 |= p[i] == 0x66;
		pfx = true;
		i++;
	}
	if (i < avail && (p[i] & 0xf0) == 0x40)
		rex = p[i++];
	if (i >= avail)
		return false;
	b = p[i++];
	raw->opcode = b;
	w = rex & 8;
	osz = w ? 64 : p66 ? 16 : 32;
	if (pfx) {
		if (b == 0x90 && !rex && p66 && i == 2) {
			hdr(I, ZYDIS_MNEMONIC_NOP, ZYDIS_CATEGORY_NOP, i, 0, 0);
			return true;
		}
		if (b != 0x0f || i >= avail || p[i] != 0x1f)
			return false;
	}

	/* ALU group: add/or/adc/sbb/and/sub/xor/cmp in their six forms each. */
	if (b < 0x40 && (b & 7) < 6) {
		unsigned op = b >> 3, size = b & 1 ? osz : 8;
		uint8_t dact = op == 7 ? ACT_R : ACT_RW;

		if ((b & 7) < 4) {
			if (!modrm_parse(p, avail, &i, rex, &m))
				return false;
			if (b & 2) {
				op_reg(&ops[0], dact, size, m.reg, rex);
				op_rm(&ops[1], ACT_R, size, &m, rex);
			} else {
				op_rm(&ops[0], dact, size, &m, rex);
				op_reg(&ops[1], ACT_R, size, m.reg, rex);
			}
			raw_mem(raw, &m);
		} else {
			if (!imm_read(p, avail, &i, size == 8 ? 1 : 4, &imm))
				return false;
			op_reg(&ops[0], dact, size, 0, rex);
			op_imm(&ops[1], size == 8 ? 8 : 32, imm, false);
			raw_imm(raw, size == 8 ? 8 : 32, imm);
		}
		hdr(I, alu_mnemonic[op], alu_category(op), i, 2, 2);
		return true;
	}

	switch (b) {
	case 0x50: case 0x51: case 0x52: case 0x53: case 0x54: case 0x55: case 0x56: case 0x57:
	case 0x58: case 0x59: case 0x5a: case 0x5b: case 0x5c: case 0x5d: case 0x5e: case 0x5f: {
		bool push = b < 0x58;

		if (rex & ~1 & 0x0f)
			return false;
		op_reg(&ops[0], push ? ACT_R : ACT_W, 64, (b & 7) | (rex & 1 ? 8 : 0), false);
		n = 1 + op_stack(&ops[1], push ? ACT_W : ACT_R);
		hdr(I, push ? ZYDIS_MNEMONIC_PUSH : ZYDIS_MNEMONIC_POP, push ? ZYDIS_CATEGORY_PUSH : ZYDIS_CATEGORY_POP,
		    i, n, 1);
		return true;
	}
	case 0x63:
		if (!w || !modrm_parse(p, avail, &i, rex, &m))
			return false;
		op_reg(&ops[0], ACT_W, 64, m.reg, rex);
		op_rm(&ops[1], ACT_R, 32, &m, rex);
		raw_mem(raw, &m);
		hdr(I, ZYDIS_MNEMONIC_MOVSXD, ZYDIS_CATEGORY_DATAXFER, i, 2, 2);
		return true;
	case 0x68:
	case 0x6a:
		if (rex)
			return false;
		if (!imm_read(p, avail, &i, b == 0x68 ? 4 : 1, &imm))
			return false;
		op_imm(&ops[0], b == 0x68 ? 32 : 8, imm, false);
		n = 1 + op_stack(&ops[1], ACT_W);
		raw_imm(raw, b == 0x68 ? 32 : 8, imm);
		hdr(I, ZYDIS_MNEMONIC_PUSH, ZYDIS_CATEGORY_PUSH, i, n, 1);
		return true;
	case 0x70: case 0x71: case 0x72: case 0x73: case 0x74: case 0x75: case 0x76: case 0x77:
	case 0x78: case 0x79: case 0x7a: case 0x7b: case 0x7c: case 0x7d: case 0x7e: case 0x7f:
	case 0xeb:
	case 0xe8:
	case 0xe9: {
		unsigned bytes = b == 0xe8 || b == 0xe9 ? 4 : 1;

		if (rex || !imm_read(p, avail, &i, bytes, &imm))
			return false;
		op_imm(&ops[0], bytes * 8, imm, true);
		n = 1;
		if (b == 0xe8) {
			n += op_stack(&ops[1], ACT_W);
			hdr(I, ZYDIS_MNEMONIC_CALL, ZYDIS_CATEGORY_CALL, i, n, 1);
		} else if (b >= 0xe9) {
			hdr(I, ZYDIS_MNEMONIC_JMP, ZYDIS_CATEGORY_UNCOND_BR, i, n, 1);
		} else {
			hdr(I, cc_mnemonic[CC_JCC][b & 15], ZYDIS_CATEGORY_COND_BR, i, n, 1);
		}
		rel_branch(I, raw, bytes * 8, imm);
		return true;
	}
	case 0x84:
	case 0x85:
	case 0x88:
	case 0x89:
	case 0x8a:
	case 0x8b: {
		unsigned size = b & 1 ? osz : 8;
		bool test = b < 0x88;

		if (!modrm_parse(p, avail, &i, rex, &m))
			return false;
		if (test) {
			op_rm(&ops[0], ACT_R, size, &m, rex);
			op_reg(&ops[1], ACT_R, size, m.reg, rex);
		} else if (b & 2) {
			op_reg(&ops[0], ACT_W, size, m.reg, rex);
			op_rm(&ops[1], ACT_R, size, &m, rex);
		} else {
			op_rm(&ops[0], ACT_W, size, &m, rex);
			op_reg(&ops[1], ACT_R, size, m.reg, rex);
		}
		raw_mem(raw, &m);
		hdr(I, test ? ZYDIS_MNEMONIC_TEST : ZYDIS_MNEMONIC_MOV,
		    test ? ZYDIS_CATEGORY_LOGICAL : ZYDIS_CATEGORY_DATAXFER, i, 2, 2);
		return true;
	}
	case 0x8d:
		if (!modrm_parse(p, avail, &i, rex, &m) || m.mod == 3)
			return false;
		op_reg(&ops[0], ACT_W, osz, m.reg, rex);
		op_mem(&ops[1], 0, 64, m.base, m.index, m.disp);
		raw_mem(raw, &m);
		hdr(I, ZYDIS_MNEMONIC_LEA, ZYDIS_CATEGORY_MISC, i, 2, 2);
		return true;
	case 0xa8:
	case 0xa9: {
		unsigned size = b & 1 ? osz : 8;

		if (!imm_read(p, avail, &i, size == 8 ? 1 : 4, &imm))
			return false;
		op_reg(&ops[0], ACT_R, size, 0, rex);
		op_imm(&ops[1], size == 8 ? 8 : 32, imm, false);
		raw_imm(raw, size == 8 ? 8 : 32, imm);
		hdr(I, ZYDIS_MNEMONIC_TEST, ZYDIS_CATEGORY_LOGICAL, i, 2, 2);
		return true;
	}
	case 0xf6:
	case 0xf7: {
		unsigned size = b & 1 ? osz : 8, op;

		if (!modrm_parse(p, avail, &i, rex, &m))
			return false;
		op = m.reg & 7;
		raw_mem(raw, &m);
		if (op == 2 || op == 3) {
			op_rm(&ops[0], ACT_RW, size, &m, rex);
			hdr(I, op == 2 ? ZYDIS_MNEMONIC_NOT : ZYDIS_MNEMONIC_NEG,
			    op == 2 ? ZYDIS_CATEGORY_LOGICAL : ZYDIS_CATEGORY_BINARY, i, 1, 1);
			return true;
		}
		if (op != 0 || !imm_read(p, avail, &i, size == 8 ? 1 : 4, &imm))
			return false;
		op_rm(&ops[0], ACT_R, size, &m, rex);
		op_imm(&ops[1], size == 8 ? 8 : 32, imm, false);
		raw_imm(raw, size == 8 ? 8 : 32, imm);
		hdr(I, ZYDIS_MNEMONIC_TEST, ZYDIS_CATEGORY_LOGICAL, i, 2, 2);
		return true;
	}
	case 0xc0:
	case 0xc1:
	case 0xd0:
	case 0xd1:
	case 0xd2:
	case 0xd3: {
		static const uint16_t shift_mnemonic[8] = {
			ZYDIS_MNEMONIC_ROL, ZYDIS_MNEMONIC_ROR, 0, 0, ZYDIS_MNEMONIC_SHL, ZYDIS_MNEMONIC_SHR, 0,
			ZYDIS_MNEMONIC_SAR,
		};
		unsigned size = b & 1 ? osz : 8, op;

		if (!modrm_parse(p, avail, &i, rex, &m))
			return false;
		op = m.reg & 7;
		if (!shift_mnemonic[op])
			return false;
		op_rm(&ops[0], ACT_RW, size, &m, rex);
		if (b < 0xd0) {
			if (!imm_read(p, avail, &i, 1, &imm))
				return false;
			op_imm(&ops[1], 8, (uint8_t)imm, false);
			ops[1].imm.is_signed = false;
			raw_imm(raw, 8, (uint8_t)imm);
		} else if (b < 0xd2) {
			op_imm(&ops[1], 8, 1, false);
			ops[1].imm.is_signed = false;
		} else {
			op_reg(&ops[1], ACT_R, 8, 1, false);
		}
		raw_mem(raw, &m);
		hdr(I, shift_mnemonic[op], op < 2 ? ZYDIS_CATEGORY_ROTATE : ZYDIS_CATEGORY_SHIFT, i, 2, 2);
		return true;
	}
	case 0xfe:
		if (!modrm_parse(p, avail, &i, rex, &m) || (m.reg & 7) > 1)
			return false;
		op_rm(&ops[0], ACT_RW, 8, &m, rex);
		raw_mem(raw, &m);
		hdr(I, m.reg & 7 ? ZYDIS_MNEMONIC_DEC : ZYDIS_MNEMONIC_INC, ZYDIS_CATEGORY_BINARY, i, 1, 1);
		return true;
	case 0x90:
		if (rex)
			return false;
		hdr(I, ZYDIS_MNEMONIC_NOP, ZYDIS_CATEGORY_NOP, i, 0, 0);
		return true;
	case 0xb8: case 0xb9: case 0xba: case 0xbb: case 0xbc: case 0xbd: case 0xbe: case 0xbf:
	case 0xb0: case 0xb1: case 0xb2: case 0xb3: case 0xb4: case 0xb5: case 0xb6: case 0xb7: {
		unsigned size = b >= 0xb8 ? osz : 8;

		if (!imm_read(p, avail, &i, size / 8 > 4 ? 8 : size / 8, &imm))
			return false;
		op_reg(&ops[0], ACT_W, size, (b & 7) | (rex & 1 ? 8 : 0), rex);
		op_imm(&ops[1], size, imm, false);
		raw_imm(raw, (uint8_t)size, imm);
		hdr(I, ZYDIS_MNEMONIC_MOV, ZYDIS_CATEGORY_DATAXFER, i, 2, 2);
		return true;
	}
	case 0xc3:
		if (rex)
			return false;
		n = op_stack(&ops[0], ACT_R);
		hdr(I, ZYDIS_MNEMONIC_RET, ZYDIS_CATEGORY_RET, i, n, 0);
		return true;
	case 0xc6:
	case 0xc7: {
		unsigned size = b & 1 ? osz : 8;

		if (!modrm_parse(p, avail, &i, rex, &m) || (m.reg & 7))
			return false;
		if (!imm_read(p, avail, &i, size == 8 ? 1 : 4, &imm))
			return false;
		op_rm(&ops[0], ACT_W, size, &m, rex);
		op_imm(&ops[1], size == 8 ? 8 : 32, imm, false);
		raw_mem(raw, &m);
		raw_imm(raw, size == 8 ? 8 : 32, imm);
		hdr(I, ZYDIS_MNEMONIC_MOV, ZYDIS_CATEGORY_DATAXFER, i, 2, 2);
		return true;
	}
	case 0x80:
	case 0x81:
	case 0x83: {
		unsigned size = b == 0x80 ? 8 : osz, op;

		if (!modrm_parse(p, avail, &i, rex, &m))
			return false;
		op = m.reg & 7;
		if (!imm_read(p, avail, &i, b == 0x81 ? 4 : 1, &imm))
			return false;
		op_rm(&ops[0], op == 7 ? ACT_R : ACT_RW, size, &m, rex);
		op_imm(&ops[1], b == 0x81 ? 32 : 8, imm, false);
		raw_mem(raw, &m);
		raw_imm(raw, b == 0x81 ? 32 : 8, imm);
		hdr(I, alu_mnemonic[op], alu_category(op), i, 2, 2);
		return true;
	}
	case 0xff: {
		unsigned op;

		if (!modrm_parse(p, avail, &i, rex, &m))
			return false;
		op = m.reg & 7;
		raw_mem(raw, &m);
		if (op == 2) {
			op_rm(&ops[0], ACT_R, 64, &m, rex);
			n = 1 + op_stack(&ops[1], ACT_W);
			hdr(I, ZYDIS_MNEMONIC_CALL, ZYDIS_CATEGORY_CALL, i, n, 1);
			return true;
		}
		if (op == 4) {
			op_rm(&ops[0], ACT_R, 64, &m, rex);
			hdr(I, ZYDIS_MNEMONIC_JMP, ZYDIS_CATEGORY_UNCOND_BR, i, 1, 1);
			return true;
		}
		if (op == 6) {
			op_rm(&ops[0], ACT_R, 64, &m, rex);
			n = 1 + op_stack(&ops[1], ACT_W);
			hdr(I, ZYDIS_MNEMONIC_PUSH, ZYDIS_CATEGORY_PUSH, i, n, 1);
			return true;
		}
		if (op <= 1) {
			op_rm(&ops[0], ACT_RW, osz, &m, rex);
			hdr(I, op ? ZYDIS_MNEMONIC_DEC : ZYDIS_MNEMONIC_INC, ZYDIS_CATEGORY_BINARY, i, 1, 1);
			return true;
		}
		return false;
	}
	case 0x0f:
		break;
	default:
		return false;
	}

	/* Two-byte opcodes. */
	if (i >= avail)
		return false;
	b = p[i++];
	raw->opcode = b;
	if (b >= 0x80 && b <= 0x8f) {
		if (rex || !imm_read(p, avail, &i, 4, &imm))
			return false;
		op_imm(&ops[0], 32, imm, true);
		hdr(I, cc_mnemonic[CC_JCC][b & 15], ZYDIS_CATEGORY_COND_BR, i, 1, 1);
		rel_branch(I, raw, 32, imm);
		return true;
	}
	if ((b & 0xf0) == 0x40 || (b & 0xf0) == 0x90) {
		bool set = b >= 0x90;

		if (!modrm_parse(p, avail, &i, rex, &m))
			return false;
		if (set) {
			op_rm(&ops[0], ACT_W, 8, &m, rex);
		} else {
			op_reg(&ops[0], ZYDIS_OPERAND_ACTION_CONDWRITE, osz, m.reg, rex);
			op_rm(&ops[1], ACT_R, osz, &m, rex);
		}
		raw_mem(raw, &m);
		hdr(I, cc_mnemonic[set ? CC_SET : CC_CMOV][b & 15], set ? ZYDIS_CATEGORY_SETCC : ZYDIS_CATEGORY_CMOV, i,
		    set ? 1 : 2, set ? 1 : 2);
		return true;
	}
	switch (b) {
	case 0xaf:
		if (!modrm_parse(p, avail, &i, rex, &m))
			return false;
		op_reg(&ops[0], ACT_RW, osz, m.reg, rex);
		op_rm(&ops[1], ACT_R, osz, &m, rex);
		raw_mem(raw, &m);
		hdr(I, ZYDIS_MNEMONIC_IMUL, ZYDIS_CATEGORY_BINARY, i, 2, 2);
		return true;
	case 0xb6:
	case 0xb7:
	case 0xbe:
	case 0xbf:
		if (!modrm_parse(p, avail, &i, rex, &m))
			return false;
		op_reg(&ops[0], ACT_W, osz, m.reg, rex);
		op_rm(&ops[1], ACT_R, b & 1 ? 16 : 8, &m, rex);
		raw_mem(raw, &m);
		hdr(I, b < 0xbe ? ZYDIS_MNEMONIC_MOVZX : ZYDIS_MNEMONIC_MOVSX, ZYDIS_CATEGORY_DATAXFER, i, 2, 2);
		return true;
	case 0x1f:
		if (!modrm_parse(p, avail, &i, rex, &m) || (m.reg & 7))
			return false;
		op_rm(&ops[0], ACT_R, osz, &m, rex);
		op_reg(&ops[1], ACT_R, osz, m.reg, rex);
		raw_mem(raw, &m);
		hdr(I, ZYDIS_MNEMONIC_NOP, ZYDIS_CATEGORY_WIDENOP, i, 2, 2);
		return true;
	default:
		return false;
	}
}
