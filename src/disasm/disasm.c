#include "disasm/disasm.h"

#include <Zydis/Zydis.h>
#include <string.h>

#include "util/xalloc.h"

/*
 * Stack slots are tracked by their offset from the current rsp, so pushes
 * and pops shift them; 'rsp_off' is rsp relative to its value on entry and
 * tells which slots live in the caller's frame (and so survive calls).
 */
#define SLOT_MAX 32

struct dis_state {
	struct dis_val reg[DIS_REG_NR];
	int64_t slot_off[SLOT_MAX];
	struct dis_val slot_val[SLOT_MAX];
	unsigned slots;
	int64_t rsp_off;
	bool rsp_known;
};

static const struct dis_val unknown_val = { DIS_UNKNOWN, 0, 0 };

static void state_entry(struct dis_state *st)
{
	for (unsigned i = 0; i < DIS_REG_NR; i++)
		st->reg[i] = (struct dis_val){ DIS_ENTRY, (uint8_t)i, 0 };
	st->slots = 0;
	for (unsigned k = 0; k < DIS_ARG_SLOTS; k++) {
		st->slot_off[st->slots] = 8 + 8 * (int64_t)k;
		st->slot_val[st->slots] = (struct dis_val){ DIS_ENTRY, (uint8_t)(DIS_LOC_SLOT0 + k), 0 };
		st->slots++;
	}
	st->rsp_off = 0;
	st->rsp_known = true;
}

/* A join or unreachable point: nothing is known about values. */
static void state_forget(struct dis_state *st)
{
	for (unsigned i = 0; i < DIS_REG_NR; i++)
		st->reg[i] = unknown_val;
	st->slots = 0;
}

static int slot_find(const struct dis_state *st, int64_t off)
{
	for (unsigned i = 0; i < st->slots; i++)
		if (st->slot_off[i] == off)
			return (int)i;
	return -1;
}

static void slot_drop(struct dis_state *st, unsigned i)
{
	st->slots--;
	st->slot_off[i] = st->slot_off[st->slots];
	st->slot_val[i] = st->slot_val[st->slots];
}

/* Forget every slot overlapping [off, off+size). */
static void slot_clobber(struct dis_state *st, int64_t off, int64_t size)
{
	for (unsigned i = 0; i < st->slots;) {
		if (st->slot_off[i] < off + size && off < st->slot_off[i] + 8)
			slot_drop(st, i);
		else
			i++;
	}
}

static void slot_set(struct dis_state *st, int64_t off, struct dis_val v)
{
	slot_clobber(st, off, 8);
	if (v.kind == DIS_UNKNOWN || st->slots == SLOT_MAX)
		return;
	st->slot_off[st->slots] = off;
	st->slot_val[st->slots] = v;
	st->slots++;
}

static struct dis_val slot_get(const struct dis_state *st, int64_t off)
{
	int i = slot_find(st, off);

	return i < 0 ? unknown_val : st->slot_val[i];
}

static void rsp_adjust(struct dis_state *st, int64_t delta)
{
	for (unsigned i = 0; i < st->slots;) {
		st->slot_off[i] -= delta;
		/* Below rsp is dead (and the red zone is not used for this). */
		if (st->slot_off[i] < -128)
			slot_drop(st, i);
		else
			i++;
	}
	st->rsp_off += delta;
}

static void rsp_lost(struct dis_state *st)
{
	st->rsp_known = false;
	st->slots = 0;
}

struct dis_val dis_state_arg(const struct dis_state *st, unsigned loc)
{
	if (!st)
		return unknown_val;
	if (loc < DIS_REG_NR)
		return st->reg[loc];
	if (loc < DIS_LOC_NR)
		return slot_get(st, 8 * (int64_t)(loc - DIS_LOC_SLOT0));
	return unknown_val;
}

static int reg_index(ZydisRegister r)
{
	ZydisRegister big = ZydisRegisterGetLargestEnclosing(ZYDIS_MACHINE_MODE_LONG_64, r);

	if (big >= ZYDIS_REGISTER_RAX && big <= ZYDIS_REGISTER_R15)
		return (int)(big - ZYDIS_REGISTER_RAX);
	return -1;
}

static unsigned reg_width(ZydisRegister r)
{
	return ZydisRegisterGetWidth(ZYDIS_MACHINE_MODE_LONG_64, r);
}

/* Value written into a register of 'width' bits from 'v'. */
static struct dis_val narrow(struct dis_val v, unsigned width)
{
	if (width == 64)
		return v;
	if (width != 32)
		return unknown_val;
	if (v.kind == DIS_CONST)
		v.value &= 0xffffffffu;
	/* An entry value truncated to 32 bits still names the same argument. */
	return v;
}

static bool is_rsp_mem(const ZydisDecodedOperand *op)
{
	return op->type == ZYDIS_OPERAND_TYPE_MEMORY && op->mem.base == ZYDIS_REGISTER_RSP &&
	       op->mem.index == ZYDIS_REGISTER_NONE && op->mem.segment != ZYDIS_REGISTER_FS &&
	       op->mem.segment != ZYDIS_REGISTER_GS;
}

static bool is_rip_mem(const ZydisDecodedOperand *op)
{
	return op->type == ZYDIS_OPERAND_TYPE_MEMORY && op->mem.base == ZYDIS_REGISTER_RIP;
}

static uint64_t rip_target(const ZydisDecodedInstruction *in, uint64_t addr,
			   const ZydisDecodedOperand *op)
{
	return addr + in->length + (uint64_t)op->mem.disp.value;
}

static struct dis_val operand_value(const struct dis_state *st, const ZydisDecodedOperand *op)
{
	if (op->type == ZYDIS_OPERAND_TYPE_IMMEDIATE) {
		uint64_t v = op->imm.is_signed ? (uint64_t)op->imm.value.s : op->imm.value.u;

		return (struct dis_val){ DIS_CONST, 0, v };
	}
	if (op->type == ZYDIS_OPERAND_TYPE_REGISTER) {
		int r = reg_index(op->reg.value);

		if (r < 0)
			return unknown_val;
		return narrow(st->reg[r], reg_width(op->reg.value));
	}
	if (is_rsp_mem(op) && st->rsp_known && (op->size == 64 || op->size == 32))
		return narrow(slot_get(st, op->mem.disp.value), op->size);
	return unknown_val;
}

static void set_reg(struct dis_state *st, ZydisRegister r, struct dis_val v)
{
	int i = reg_index(r);

	if (i < 0)
		return;
	if (i == DIS_RSP) {
		rsp_lost(st);
		return;
	}
	st->reg[i] = narrow(v, reg_width(r));
}

/* Everything the instruction writes that the cases below did not model. */
static void generic_writes(struct dis_state *st, const ZydisDecodedOperand *ops, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		const ZydisDecodedOperand *op = &ops[i];

		if (!(op->actions & ZYDIS_OPERAND_ACTION_MASK_WRITE))
			continue;
		if (op->type == ZYDIS_OPERAND_TYPE_REGISTER) {
			int r = reg_index(op->reg.value);

			if (r == DIS_RSP)
				rsp_lost(st);
			else if (r >= 0)
				st->reg[r] = unknown_val;
		} else if (op->type == ZYDIS_OPERAND_TYPE_MEMORY) {
			if (op->mem.base == ZYDIS_REGISTER_RSP && op->mem.index == ZYDIS_REGISTER_NONE)
				slot_clobber(st, op->mem.disp.value, op->size ? op->size / 8 : 8);
			else if (op->mem.base == ZYDIS_REGISTER_RSP)
				st->slots = 0;
		}
	}
}

static void after_call(struct dis_state *st, bool go_abi)
{
	static const uint8_t clobbered[] = { DIS_RAX, DIS_RCX, DIS_RDX, DIS_RSI, DIS_RDI,
					     DIS_R8,  DIS_R9,  DIS_R10, DIS_R11 };

	if (go_abi) {
		for (unsigned i = 0; i < DIS_REG_NR; i++)
			if (i != DIS_RSP && i != DIS_RBP)
				st->reg[i] = unknown_val;
	} else {
		for (size_t i = 0; i < ARRAY_SIZE(clobbered); i++)
			st->reg[clobbered[i]] = unknown_val;
	}
	/*
	 * A callee may write its own stack arguments (our outgoing area) but
	 * not our caller's frame: keep only slots at or above our entry rsp.
	 */
	for (unsigned i = 0; i < st->slots;) {
		if (!st->rsp_known || st->slot_off[i] + st->rsp_off < 8)
			slot_drop(st, i);
		else
			i++;
	}
}

static void emit(dis_fn fn, void *ctx, enum dis_kind kind, uint64_t addr, uint64_t target,
		 uint8_t len, const struct dis_state *st)
{
	struct dis_rec r = { kind, addr, target, len, st };

	fn(&r, ctx);
}

static bool is_join(const struct dis_opts *o, size_t *cursor, uint64_t addr)
{
	while (*cursor < o->joins_nr && o->joins[*cursor] < addr)
		(*cursor)++;
	return *cursor < o->joins_nr && o->joins[*cursor] == addr;
}

int dis_function(const uint8_t *code, size_t len, uint64_t vaddr, const struct dis_opts *opts,
		 dis_fn fn, void *ctx, struct dis_result *res)
{
	ZydisDecoder dec;
	ZydisDecodedInstruction in;
	ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
	struct dis_state st;
	size_t pos = 0, cursor = 0;
	bool fallthrough = true;
	static const struct dis_opts no_opts;

	if (!opts)
		opts = &no_opts;
	memset(res, 0, sizeof(*res));
	ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
	state_entry(&st);
	while (pos < len) {
		uint64_t addr = vaddr + pos;

		if (is_join(opts, &cursor, addr) && !(pos == 0 && opts->go_abi))
			state_forget(&st);
		else if (!fallthrough)
			state_forget(&st);
		if (ZYAN_FAILED(ZydisDecoderDecodeFull(&dec, code + pos, len - pos, &in, ops))) {
			res->bad++;
			pos++;
			fallthrough = true;
			state_forget(&st);
			continue;
		}
		res->insns++;
		fallthrough = true;
		unsigned nops = in.operand_count;
		unsigned nvis = in.operand_count_visible;

		/* Rip-relative operands and immediates: GOT slots and taken addresses. */
		for (unsigned i = 0; i < nvis; i++) {
			if (is_rip_mem(&ops[i]) && in.mnemonic != ZYDIS_MNEMONIC_CALL &&
			    in.mnemonic != ZYDIS_MNEMONIC_JMP)
				emit(fn, ctx, in.mnemonic == ZYDIS_MNEMONIC_LEA ? DIS_ADDR : DIS_MEMREF,
				     addr, rip_target(&in, addr, &ops[i]), in.length, &st);
			else if (ops[i].type == ZYDIS_OPERAND_TYPE_IMMEDIATE && !ops[i].imm.is_relative &&
				 ops[i].size >= 32 && ops[i].imm.value.u >= 0x1000 &&
				 (in.mnemonic == ZYDIS_MNEMONIC_MOV || in.mnemonic == ZYDIS_MNEMONIC_PUSH))
				emit(fn, ctx, DIS_ADDR, addr, ops[i].imm.value.u, in.length, &st);
		}

		switch (in.mnemonic) {
		case ZYDIS_MNEMONIC_SYSCALL:
			emit(fn, ctx, DIS_SYSCALL, addr, 0, in.length, &st);
			st.reg[DIS_RAX] = st.reg[DIS_RCX] = st.reg[DIS_R11] = unknown_val;
			break;
		case ZYDIS_MNEMONIC_SYSENTER:
			emit(fn, ctx, DIS_SYSENTER, addr, 0, in.length, &st);
			state_forget(&st);
			break;
		case ZYDIS_MNEMONIC_INT:
			if (ops[0].type == ZYDIS_OPERAND_TYPE_IMMEDIATE && ops[0].imm.value.u == 0x80)
				emit(fn, ctx, DIS_INT80, addr, 0, in.length, &st);
			st.reg[DIS_RAX] = unknown_val;
			break;
		case ZYDIS_MNEMONIC_CALL:
			if (ops[0].type == ZYDIS_OPERAND_TYPE_IMMEDIATE && ops[0].imm.is_relative)
				emit(fn, ctx, DIS_CALL, addr, addr + in.length + (uint64_t)ops[0].imm.value.s,
				     in.length, &st);
			else
				emit(fn, ctx, DIS_CALL_IND, addr,
				     is_rip_mem(&ops[0]) ? rip_target(&in, addr, &ops[0]) : 0, in.length, &st);
			after_call(&st, opts->go_abi);
			break;
		case ZYDIS_MNEMONIC_JMP:
			if (ops[0].type == ZYDIS_OPERAND_TYPE_IMMEDIATE && ops[0].imm.is_relative)
				emit(fn, ctx, DIS_JUMP, addr, addr + in.length + (uint64_t)ops[0].imm.value.s,
				     in.length, &st);
			else
				emit(fn, ctx, DIS_JUMP_IND, addr,
				     is_rip_mem(&ops[0]) ? rip_target(&in, addr, &ops[0]) : 0, in.length, &st);
			fallthrough = false;
			break;
		case ZYDIS_MNEMONIC_RET:
			emit(fn, ctx, DIS_RET, addr, 0, in.length, &st);
			fallthrough = false;
			break;
		case ZYDIS_MNEMONIC_HLT:
		case ZYDIS_MNEMONIC_UD0:
		case ZYDIS_MNEMONIC_UD1:
		case ZYDIS_MNEMONIC_UD2:
			fallthrough = false;
			break;
		case ZYDIS_MNEMONIC_MOV:
		case ZYDIS_MNEMONIC_MOVSXD:
		case ZYDIS_MNEMONIC_MOVZX:
			if (ops[0].type == ZYDIS_OPERAND_TYPE_REGISTER) {
				struct dis_val v = operand_value(&st, &ops[1]);

				if (in.mnemonic != ZYDIS_MNEMONIC_MOV && v.kind == DIS_CONST)
					v = unknown_val; /* extension of a narrower constant: not modelled */
				set_reg(&st, ops[0].reg.value, v);
			} else if (is_rsp_mem(&ops[0]) && in.mnemonic == ZYDIS_MNEMONIC_MOV) {
				if (ops[0].size == 64 || ops[0].size == 32)
					slot_set(&st, ops[0].mem.disp.value,
						 narrow(operand_value(&st, &ops[1]), ops[0].size));
				else
					slot_clobber(&st, ops[0].mem.disp.value, ops[0].size / 8);
			} else {
				generic_writes(&st, ops, nops);
			}
			break;
		case ZYDIS_MNEMONIC_XOR:
		case ZYDIS_MNEMONIC_SUB:
			if (ops[0].type == ZYDIS_OPERAND_TYPE_REGISTER &&
			    ops[1].type == ZYDIS_OPERAND_TYPE_REGISTER && ops[0].reg.value == ops[1].reg.value &&
			    reg_width(ops[0].reg.value) >= 32) {
				set_reg(&st, ops[0].reg.value, (struct dis_val){ DIS_CONST, 0, 0 });
				break;
			}
			if (in.mnemonic == ZYDIS_MNEMONIC_SUB && ops[0].type == ZYDIS_OPERAND_TYPE_REGISTER &&
			    ops[0].reg.value == ZYDIS_REGISTER_RSP && ops[1].type == ZYDIS_OPERAND_TYPE_IMMEDIATE) {
				rsp_adjust(&st, -ops[1].imm.value.s);
				break;
			}
			generic_writes(&st, ops, nops);
			break;
		case ZYDIS_MNEMONIC_ADD:
			if (ops[0].type == ZYDIS_OPERAND_TYPE_REGISTER && ops[0].reg.value == ZYDIS_REGISTER_RSP &&
			    ops[1].type == ZYDIS_OPERAND_TYPE_IMMEDIATE) {
				rsp_adjust(&st, ops[1].imm.value.s);
				break;
			}
			generic_writes(&st, ops, nops);
			break;
		case ZYDIS_MNEMONIC_PUSH: {
			struct dis_val v = operand_value(&st, &ops[0]);

			if (ops[0].type == ZYDIS_OPERAND_TYPE_REGISTER && reg_index(ops[0].reg.value) == DIS_RSP)
				v = unknown_val;
			rsp_adjust(&st, -8);
			slot_set(&st, 0, v);
			break;
		}
		case ZYDIS_MNEMONIC_POP:
			if (ops[0].type == ZYDIS_OPERAND_TYPE_REGISTER && reg_index(ops[0].reg.value) != DIS_RSP) {
				struct dis_val v = slot_get(&st, 0);

				rsp_adjust(&st, 8);
				set_reg(&st, ops[0].reg.value, v);
			} else {
				generic_writes(&st, ops, nops);
			}
			break;
		default:
			if (in.meta.category == ZYDIS_CATEGORY_COND_BR) {
				if (ops[0].type == ZYDIS_OPERAND_TYPE_IMMEDIATE && ops[0].imm.is_relative)
					emit(fn, ctx, DIS_BRANCH, addr,
					     addr + in.length + (uint64_t)ops[0].imm.value.s, in.length, &st);
				generic_writes(&st, ops, nops);
				break;
			}
			generic_writes(&st, ops, nops);
			break;
		}
		pos += in.length;
		res->bytes += in.length;
	}
	res->falls_off = fallthrough;
	return 0;
}

uint64_t dis_collect_targets(const uint8_t *code, size_t len, uint64_t vaddr, uint64_t **targets,
			     size_t *nr, size_t *alloc)
{
	ZydisDecoder dec;
	ZydisDecodedInstruction in;
	size_t pos = 0;
	uint64_t bytes = 0;

	ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
	while (pos < len) {
		if (ZYAN_FAILED(ZydisDecoderDecodeInstruction(&dec, NULL, code + pos, len - pos, &in))) {
			pos++;
			continue;
		}
		if ((in.meta.category == ZYDIS_CATEGORY_COND_BR ||
		     in.meta.category == ZYDIS_CATEGORY_UNCOND_BR) &&
		    (in.attributes & ZYDIS_ATTRIB_IS_RELATIVE) && in.raw.imm[0].is_relative) {
			ALLOC_GROW(*targets, *nr + 1, *alloc);
			(*targets)[(*nr)++] = vaddr + pos + in.length + (uint64_t)in.raw.imm[0].value.s;
		}
		pos += in.length;
		bytes += in.length;
	}
	return bytes;
}

const char *dis_reg_name(unsigned loc)
{
	static const char *const names[DIS_REG_NR] = {
		"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
		"r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15",
	};
	static const char *const slots[DIS_ARG_SLOTS] = {
		"stack0", "stack1", "stack2", "stack3", "stack4", "stack5", "stack6", "stack7",
	};

	if (loc < DIS_REG_NR)
		return names[loc];
	if (loc < DIS_LOC_NR)
		return slots[loc - DIS_LOC_SLOT0];
	return "?";
}
