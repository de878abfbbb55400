#include "disasm/disasm.h"

#include <Zydis/Zydis.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disasm/insn.h"
#include "util/search.h"
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

static void escape_val(struct dis_val v);
struct scratch;
static bool inner_branch(const struct scratch *sc, const struct insn *I, bool go_abi);

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
	if (v.kind == DIS_UNKNOWN)
		return;
	/*
	 * Full: forget the slot farthest above rsp, unless that is this one.
	 * A call's stack arguments are stored right above rsp, after the
	 * spills of a big frame (Go's register-ABI functions spill every
	 * argument register to the caller's frame): dropping the new store
	 * instead lost podman's getpid number, [rsp] = 39, behind 16 spills.
	 */
	if (st->slots == SLOT_MAX) {
		unsigned far = 0;

		for (unsigned i = 1; i < st->slots; i++)
			if (st->slot_off[i] > st->slot_off[far])
				far = i;
		if (st->slot_off[far] <= off)
			return;
		slot_drop(st, far);
	}
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

struct dis_val dis_state_arg_tail(const struct dis_state *st, unsigned loc)
{
	if (!st)
		return unknown_val;
	if (loc < DIS_REG_NR)
		return st->reg[loc];
	if (loc < DIS_LOC_NR)
		return slot_get(st, 8 + 8 * (int64_t)(loc - DIS_LOC_SLOT0));
	return unknown_val;
}

/* The code address value v may be (see DIS_PASS), or 0. */
static uint64_t code_addr_val(struct dis_val v, bool imm_addrs)
{
	if (v.kind == DIS_ADDRESS || (v.kind == DIS_CONST && imm_addrs && v.value >= 0x1000))
		return v.value;
	return 0;
}

size_t dis_state_code_addrs(const struct dis_state *st, uint32_t regs, bool imm_addrs, uint64_t *out)
{
	size_t n = 0;
	uint64_t a;

	_Static_assert(DIS_STATE_VALS_MAX >= DIS_REG_NR + SLOT_MAX, "room for every register and slot");
	if (!st)
		return 0;
	for (unsigned r = 0; r < DIS_REG_NR; r++)
		if ((regs >> r & 1) && (a = code_addr_val(st->reg[r], imm_addrs)))
			out[n++] = a;
	for (unsigned i = 0; i < st->slots; i++)
		if ((a = code_addr_val(st->slot_val[i], imm_addrs)))
			out[n++] = a;
	return n;
}

bool dis_state_may_tail(const struct dis_state *st)
{
	return !st || !st->rsp_known || st->rsp_off == 0;
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
	if (width != 32 || v.kind == DIS_LOADED || v.kind == DIS_ADDRESS)
		return unknown_val;
	if (v.kind == DIS_CONST)
		v.value &= 0xffffffffu;
	/* An entry value truncated to 32 bits still names the same argument. */
	return v;
}

static bool is_rsp_mem(const struct op *op)
{
	return op->type == ZYDIS_OPERAND_TYPE_MEMORY && op->mem.base == ZYDIS_REGISTER_RSP &&
	       op->mem.index == ZYDIS_REGISTER_NONE && op->mem.segment != ZYDIS_REGISTER_FS &&
	       op->mem.segment != ZYDIS_REGISTER_GS;
}

static bool is_rip_mem(const struct op *op)
{
	return op->type == ZYDIS_OPERAND_TYPE_MEMORY && op->mem.base == ZYDIS_REGISTER_RIP;
}

static uint64_t rip_target(const struct insn_hdr *in, uint64_t addr,
			   const struct op *op)
{
	return addr + in->length + (uint64_t)op->mem.disp.value;
}

static struct dis_val operand_value(const struct dis_state *st, const struct op *op)
{
	if (op->type == ZYDIS_OPERAND_TYPE_IMMEDIATE) {
		uint64_t v = op->imm.is_signed ? (uint64_t)op->imm.value.s : op->imm.value.u;

		if (op->size == 32)
			v &= 0xffffffffu;
		if (v > 0xffffffffu)
			return unknown_val;
		return (struct dis_val){ DIS_CONST, 0, (uint32_t)v };
	}
	if (op->type == ZYDIS_OPERAND_TYPE_REGISTER) {
		int r = op->reg.gpr;

		if (r < 0)
			return unknown_val;
		return narrow(st->reg[r], op->reg.width);
	}
	if (is_rsp_mem(op) && st->rsp_known && (op->size == 64 || op->size == 32))
		return narrow(slot_get(st, op->mem.disp.value), op->size);
	return unknown_val;
}

static bool is_high_byte(unsigned r)
{
	return r == ZYDIS_REGISTER_AH || r == ZYDIS_REGISTER_BH || r == ZYDIS_REGISTER_CH ||
	       r == ZYDIS_REGISTER_DH;
}

static void set_reg(struct dis_state *st, const struct op *op, struct dis_val v)
{
	int i = op->reg.gpr;

	if (i < 0)
		return;
	if (i == DIS_RSP) {
		rsp_lost(st);
		return;
	}
	/* "xor eax,eax; mov al,0x38" (musl's clone): a byte into a known constant. */
	if (op->reg.width == 8 && !is_high_byte(op->reg.value) && v.kind == DIS_CONST &&
	    st->reg[i].kind == DIS_CONST) {
		st->reg[i].value = (st->reg[i].value & ~0xffu) | (v.value & 0xffu);
		return;
	}
	st->reg[i] = narrow(v, op->reg.width);
}

/* Everything the instruction writes that the cases below did not model. */
static void generic_writes(struct dis_state *st, const struct op *ops, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		const struct op *op = &ops[i];

		if (!(op->actions & ZYDIS_OPERAND_ACTION_MASK_WRITE))
			continue;
		if (op->type == ZYDIS_OPERAND_TYPE_REGISTER) {
			int r = op->reg.gpr;

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

/* Register number -> general register number (or -1) and width, filled once. */
static int8_t reg_gpr_tab[ZYDIS_REGISTER_MAX_VALUE + 1];
static uint16_t reg_width_tab[ZYDIS_REGISTER_MAX_VALUE + 1];
static pthread_once_t reg_tab_once = PTHREAD_ONCE_INIT;

static void reg_tab_fill(void)
{
	for (int r = 0; r <= ZYDIS_REGISTER_MAX_VALUE; r++) {
		reg_gpr_tab[r] = (int8_t)reg_index((ZydisRegister)r);
		reg_width_tab[r] = (uint16_t)reg_width((ZydisRegister)r);
	}
}

static int8_t tab_gpr(ZydisRegister r)
{
	return (unsigned)r <= ZYDIS_REGISTER_MAX_VALUE ? reg_gpr_tab[r] : (int8_t)reg_index(r);
}

/*
 * Copy one operand; false for a hidden operand that is no general register
 * (flags, rip, x87 state...): nothing here reads those.
 */
static bool compact_op(struct op *o, const ZydisDecodedOperand *z, bool visible)
{
	o->type = (uint8_t)z->type;
	o->actions = (uint8_t)z->actions;
	o->size = z->size;
	switch (z->type) {
	case ZYDIS_OPERAND_TYPE_REGISTER:
		memset(&o->imm, 0, sizeof(o->imm));
		o->reg.value = (uint16_t)z->reg.value;
		if ((unsigned)z->reg.value <= ZYDIS_REGISTER_MAX_VALUE) {
			o->reg.gpr = reg_gpr_tab[z->reg.value];
			o->reg.width = reg_width_tab[z->reg.value];
		} else {
			o->reg.gpr = (int8_t)reg_index(z->reg.value);
			o->reg.width = (uint16_t)reg_width(z->reg.value);
		}
		return visible || o->reg.gpr >= 0;
	case ZYDIS_OPERAND_TYPE_MEMORY:
		o->mem.base = (uint16_t)z->mem.base;
		o->mem.index = (uint16_t)z->mem.index;
		o->mem.segment = (uint16_t)z->mem.segment;
		o->mem.base_gpr = tab_gpr(z->mem.base);
		o->mem.index_gpr = tab_gpr(z->mem.index);
		o->mem.disp.value = z->mem.disp.value;
		return true;
	case ZYDIS_OPERAND_TYPE_IMMEDIATE:
		memset(&o->imm, 0, sizeof(o->imm));
		o->imm.is_signed = z->imm.is_signed;
		o->imm.is_relative = z->imm.is_relative;
		o->imm.value.u = z->imm.value.u;
		return true;
	default:
		memset(&o->imm, 0, sizeof(o->imm));
		return true;
	}
}

/* The registers a call of the C ABI may change (and read: arguments, al, r10). */
static const uint8_t clobbered[] = { DIS_RAX, DIS_RCX, DIS_RDX, DIS_RSI, DIS_RDI,
				     DIS_R8,  DIS_R9,  DIS_R10, DIS_R11 };

#define ALL_REGS ((1u << DIS_REG_NR) - 1)
/* What a return leaves visible to the caller: all but the C ABI's scratch registers. */
#define C_SCRATCH ((1u << DIS_RCX) | (1u << DIS_RSI) | (1u << DIS_RDI) | (1u << DIS_R8) | (1u << DIS_R9) | \
		   (1u << DIS_R10) | (1u << DIS_R11))
#define C_CALLEE_SAVED ((1u << DIS_RBX) | (1u << DIS_RBP) | (1u << DIS_R12) | (1u << DIS_R13) | \
			(1u << DIS_R14) | (1u << DIS_R15))

static void after_call(struct dis_state *st, bool go_abi)
{
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
		bool keep = st->rsp_known && st->slot_off[i] + st->rsp_off >= 8;

		/*
		 * Go keeps values live across a call in its own frame, never in
		 * the outgoing argument area the callee may write; the compiler
		 * spills incoming register arguments there (syscall.Syscall
		 * spills the trap number around entersyscall).  Keep spilled
		 * arguments; constants stored in the frame may be outgoing
		 * arguments overwritten by stack results, so drop those.
		 */
		if (!keep && go_abi && st->rsp_known && st->slot_val[i].kind == DIS_ENTRY)
			keep = true;
		if (!keep)
			slot_drop(st, i);
		else
			i++;
	}
}

/*
 * The pre-pass's instructions over its code ranges, so each function is
 * decoded once.  A function's linear sweep from its start gives the same
 * instructions as the range's sweep as soon as it starts on one of the
 * range's instruction boundaries: decoding depends only on the bytes of the
 * instruction (more bytes after it change nothing), and an undecodable
 * position is undecodable with fewer bytes too.  Only an instruction
 * crossing the function's end differs, so that tail is decoded afresh.
 */
struct dd_range {
	uint64_t vaddr;
	const uint8_t *code;
	size_t len;
	uint32_t first, nr;       /* instructions */
};

struct dis_decoded {
	struct dd_range *ranges;
	size_t ranges_nr, ranges_alloc;
	uint32_t *bad;            /* indexes of the undecodable positions, ascending */
	size_t bad_nr, bad_alloc;
	struct insn *insns;
	size_t insns_nr, insns_alloc;
	struct op *ops;
	size_t ops_nr, ops_alloc;
	bool full;                /* over the caps: keep no more */
	uint32_t max_insns, max_ops; /* the caps, for this object */
};

/*
 * Caps on what the pre-pass keeps, per thread.  An object of up to ~1 Mi
 * instructions (4 MiB of code: libcrypto, the largest library of usual
 * images, has 0.65 Mi) is kept whole: decoding it again would cost more
 * than the memory.  A larger one (Go programs, libLLVM: 5-12 Mi) keeps
 * its first 256 Ki instructions (6 MiB) and 1 Mi operands (24 MiB), and
 * the functions past them decode on their own: what the whole would hold
 * (~80 bytes an instruction, memory touched for the first time, which in
 * a VM costs as much as decoding what it holds) buys little when most of
 * the object is past any cap anyway.  Measured (bench/README-analysis.md,
 * session 19): large Go programs and libLLVM ~30% less peak memory and
 * 10-24% less time than with a 2 Mi cap for every object.
 */
#define DD_WHOLE_CODE (4u << 20)
#define DD_WHOLE_INSNS (1u << 20)
#define DD_WHOLE_OPS (1u << 22)
#define DD_MAX_INSNS (1u << 18)
#define DD_MAX_OPS (1u << 20)
/* dis_keep_limit's cap for every object, with four operands an instruction (0: the above). */
static uint32_t dd_limit_insns;

void dis_keep_limit(uint32_t insns)
{
	dd_limit_insns = insns;
}

struct block {
	uint32_t first, last;     /* instruction indexes, inclusive */
	uint32_t succ[2];
	uint8_t succ_nr;
	bool seen;                /* entry state valid */
	bool queued;
	bool recorded;            /* rec_first/rec_nr/ft hold its last fixpoint pass */
	bool ft;                  /* that pass fell through its last instruction */
	bool ijump;               /* ends in an indirect jump that may stay inside (a jump table) */
	uint32_t table;           /* its jump table when its cases are known exactly (sc->tabs), or UINT32_MAX */
	uint32_t rec_first, rec_nr;
	struct dis_state st;      /* state on entry */
};

/*
 * A record the fixpoint pass over a block produced, kept so the block need
 * not be stepped again to report it: the state it carried is in the
 * snapshot arena at 'snap' (UINT32_MAX: none, see dis_rec.st).
 */
struct prec {
	uint64_t addr, target;
	uint32_t snap;
	uint8_t kind, len;
};

/* Per-thread scratch space, reused across functions. */
/* A 64-bit load from a rip-relative slot in the function being analysed. */
struct got_load {
	uint32_t slot;
	uint8_t len;
	int8_t reg;               /* the register loaded */
	uint64_t addr;
};

struct scratch {
	const struct insn *iv;    /* the function's instructions: insns, or a pre-pass's */
	struct insn *insns;
	size_t insns_alloc;
	struct op *ops;
	size_t ops_alloc;
	uint32_t *block_of;       /* instruction -> block */
	size_t block_of_alloc;
	struct block *blocks;
	size_t blocks_alloc;
	uint32_t *work;
	size_t work_alloc;
	uint32_t *at;             /* see at_fill */
	size_t at_alloc, at_len;
	uint64_t at_base;
	struct prec *recs;        /* see struct prec */
	size_t recs_nr, recs_alloc;
	uint64_t *snaps;
	size_t snaps_nr, snaps_alloc;
	bool recs_full;           /* past the 32-bit indexes: blocks are stepped again instead */
	/*
	 * Pointers loaded from rip-relative slots ("mov r15, [rip+GOT]"): the
	 * loads, and the slots whose value escapes (see escape()).
	 */
	struct got_load *loads;
	size_t loads_nr, loads_alloc;
	uint32_t *esc;
	size_t esc_nr, esc_alloc;
	/* The followed pointers callee-saved registers held (what a landing pad may see). */
	struct held {
		uint32_t slot;
		uint8_t reg;
	} *held;
	size_t held_nr, held_alloc;
	/* Registers live where each block starts (compute_live: LIVE_LOW8 bits too), valid when live_ok. */
	uint32_t *live;
	size_t live_alloc;
	bool live_ok;
	/* The meet of the states at the function's indirect jumps (see jump_anywhere). */
	struct dis_state sw;
	bool sw_seen;
	/* Case labels read from jump tables (see read_table): instruction indexes. */
	uint32_t *tt;
	size_t tt_nr, tt_alloc;
	/* The instructions direct branches of the function go to (see only_fallthrough). */
	uint32_t *btgt;
	size_t btgt_nr, btgt_alloc;
	/* The jump tables read: which jump, its labels in tt, and whether they are all of them. */
	struct table {
		uint32_t jmp;         /* the indirect jump */
		uint32_t load;        /* the instruction indexing the table (the jump itself, non-PIC) */
		int8_t idx;           /* the index register */
		bool exact;           /* tt[first, first + nr) are all its cases (table_bound) */
		uint32_t first, nr;
	} *tabs;
	size_t tabs_nr, tabs_alloc;
};


static _Thread_local struct scratch scratch;
/* The operands of the instructions being analysed (scratch's, or a pre-pass's). */
static _Thread_local const struct op *cur_ops;
/* An instruction without operands may come from a function with none at all. */
#define OPS(I) (cur_ops ? cur_ops + (I)->op0 : NULL)
/* Whether the block being reported is reachable (see dis_rec.reached). */
static _Thread_local bool cur_reached;
/* The block being stepped is one the fixpoint never reached (its state is unknown). */
static _Thread_local bool cur_unseen;
static _Thread_local bool cur_compare_only;
/* The function being analysed: [cur_lo, cur_hi). */
static _Thread_local uint64_t cur_lo, cur_hi;

/*
 * "mov r15, [rip+GOT(syscall)]; ... call r15" calls syscall() as surely as
 * "call *GOT(%rip)" does: the load takes the function's address only when
 * the value can go anywhere but a call or jump target, a test or compare,
 * or a 64-bit register copy (still tracked).  Everything else lets it
 * escape: any other read (a store, arithmetic, an address), a call's
 * clobbered registers (the callee may read them), the kernel, leaving the
 * function (ret, tail jumps, branches out), and a join or a bad byte that
 * forgets it.  A write over it, even of a byte, leaves nothing callable.  Escaped slots are reported as
 * DIS_MEMREF records at their loads when the function is done.
 */
/* Is 'slot' one the function loads a followed pointer from? */
static bool followed_slot(uint32_t slot)
{
	const struct scratch *sc = &scratch;

	for (size_t i = 0; i < sc->loads_nr; i++)
		if (sc->loads[i].slot == slot)
			return true;
	return false;
}

static void escape_val(struct dis_val v)
{
	struct scratch *sc = &scratch;

	if (v.kind != DIS_LOADED || !sc->loads_nr || (sc->esc_nr && sc->esc[sc->esc_nr - 1] == v.value) ||
	    !followed_slot(v.value))
		return;
	ALLOC_GROW(sc->esc, sc->esc_nr + 1, sc->esc_alloc);
	sc->esc[sc->esc_nr++] = v.value;
}

/* Callee-saved register 'reg' holds the followed pointer loaded from 'slot'. */
static void note_held(uint32_t slot, int reg)
{
	struct scratch *sc = &scratch;

	if (!followed_slot(slot))
		return;
	for (size_t i = 0; i < sc->held_nr; i++)
		if (sc->held[i].slot == slot && sc->held[i].reg == reg)
			return;
	ALLOC_GROW(sc->held, sc->held_nr + 1, sc->held_alloc);
	sc->held[sc->held_nr++] = (struct held){ slot, (uint8_t)reg };
}

/* Every loaded pointer 'st' holds escapes, but those in register 'keep' (-1: none) and the 'dead' ones (a mask). */
static void escape_all_but(const struct dis_state *st, int keep, uint32_t dead)
{
	for (int i = 0; i < DIS_REG_NR; i++)
		if (i != keep && !(dead & (1u << i)))
			escape_val(st->reg[i]);
	for (unsigned i = 0; i < st->slots; i++)
		escape_val(st->slot_val[i]);
}

static void escape_all(const struct dis_state *st, int keep)
{
	escape_all_but(st, keep, 0);
}

/*
 * May the callee of call I read register r as the call leaves it (see
 * dis_opts.call_reads)?  Only a direct call or one through a rip-relative
 * slot names its callee.
 */
static bool call_may_read(const struct insn *I, const struct op *ops, const struct dis_opts *opts, int r)
{
	const struct op *op = &ops[0];

	if (!opts->call_reads)
		return true;
	if (op->type == ZYDIS_OPERAND_TYPE_IMMEDIATE && op->imm.is_relative)
		return opts->call_reads(opts->noreturn_ctx, I->addr + I->in.length + (uint64_t)op->imm.value.s,
					false, r);
	if (is_rip_mem(op))
		return opts->call_reads(opts->noreturn_ctx, rip_target(&I->in, I->addr, op), true, r);
	return true;
}

/* Whether operand k's read of a loaded pointer keeps it tracked. */
static bool tracked_use(const struct insn_hdr *in, const struct op *ops, unsigned k)
{
	switch (in->mnemonic) {
	case ZYDIS_MNEMONIC_CALL:
	case ZYDIS_MNEMONIC_JMP:
		return k == 0;
	case ZYDIS_MNEMONIC_TEST:
	case ZYDIS_MNEMONIC_CMP:
		return k < in->operand_count_visible;
	case ZYDIS_MNEMONIC_MOV:
		return k == 1 && ops[0].type == ZYDIS_OPERAND_TYPE_REGISTER && ops[0].reg.width == 64 &&
		       ops[1].reg.width == 64 && ops[0].reg.gpr >= 0 && ops[0].reg.gpr != DIS_RSP;
	default:
		return false;
	}
}

/* Is I the jump of a table whose cases are all known (the flow follows them as edges)? */
static bool exact_table_jump(const struct scratch *sc, const struct insn *I)
{
	for (size_t k = 0; k < sc->tabs_nr; k++)
		if (sc->tabs[k].exact && &sc->iv[sc->tabs[k].jmp] == I)
			return true;
	return false;
}

/* The loaded pointers instruction I lets escape from state 'st' (before it runs). */
static void escapes_of(const struct dis_state *st, const struct insn *I, const struct op *ops,
		       const struct dis_opts *opts)
{
	const struct insn_hdr *in = &I->in;
	uint16_t mn = in->mnemonic;

	if (I->bad) {
		escape_all(st, -1);
		return;
	}
	/* Padding: "nopw 0(%rax,%rax)" names registers and reads nothing. */
	if (mn == ZYDIS_MNEMONIC_NOP)
		return;
	/*
	 * What a landing pad entered from here would see: a call that
	 * throws, or with -fnon-call-exceptions any instruction that traps.
	 */
	for (uint32_t m = opts->go_abi ? 0 : C_CALLEE_SAVED; m; m &= m - 1)
		if (st->reg[__builtin_ctz(m)].kind == DIS_LOADED)
			note_held(st->reg[__builtin_ctz(m)].value, __builtin_ctz(m));
	/* A return leaves the C ABI's scratch registers to a caller that counts them as clobbered. */
	if (mn == ZYDIS_MNEMONIC_RET && !opts->go_abi) {
		escape_all_but(st, -1, C_SCRATCH);
		return;
	}
	if (mn == ZYDIS_MNEMONIC_RET || mn == ZYDIS_MNEMONIC_SYSCALL || mn == ZYDIS_MNEMONIC_SYSENTER ||
	    mn == ZYDIS_MNEMONIC_INT || mn == ZYDIS_MNEMONIC_INT1 || mn == ZYDIS_MNEMONIC_INT3 ||
	    mn == ZYDIS_MNEMONIC_INTO || mn == ZYDIS_MNEMONIC_IRET || mn == ZYDIS_MNEMONIC_IRETD ||
	    mn == ZYDIS_MNEMONIC_IRETQ || mn == ZYDIS_MNEMONIC_SYSRET || mn == ZYDIS_MNEMONIC_SYSEXIT) {
		escape_all(st, -1);
		return;
	}
	if (mn == ZYDIS_MNEMONIC_CALL) {
		/* The target itself is called, not passed. */
		int target = ops[0].type == ZYDIS_OPERAND_TYPE_REGISTER ? ops[0].reg.gpr : -1;

		if (opts->go_abi)
			escape_all(st, target);
		for (size_t i = 0; i < ARRAY_SIZE(clobbered); i++)
			if (clobbered[i] != target && st->reg[clobbered[i]].kind == DIS_LOADED &&
			    (opts->go_abi || call_may_read(I, ops, opts, clobbered[i])))
				escape_val(st->reg[clobbered[i]]);
	} else if (in->meta.category == ZYDIS_CATEGORY_COND_BR || mn == ZYDIS_MNEMONIC_JMP) {
		/*
		 * Anything but an edge of the function's blocks leaves what the
		 * data flow follows; so does a jump table whose cases are not
		 * all known (table_bound).
		 */
		if (!inner_branch(&scratch, I, opts->go_abi) && !exact_table_jump(&scratch, I))
			escape_all(st, mn == ZYDIS_MNEMONIC_JMP && ops[0].type == ZYDIS_OPERAND_TYPE_REGISTER
						? ops[0].reg.gpr : -1);
	}
	for (unsigned k = 0; k < in->operand_count; k++) {
		const struct op *op = &ops[k];

		if (op->type == ZYDIS_OPERAND_TYPE_REGISTER && op->reg.gpr >= 0 &&
		    st->reg[op->reg.gpr].kind == DIS_LOADED) {
			/* A write, even of a byte, leaves no callable pointer: only reads count. */
			if ((op->actions & ZYDIS_OPERAND_ACTION_MASK_READ) && !tracked_use(in, ops, k))
				escape_val(st->reg[op->reg.gpr]);
		} else if (op->type == ZYDIS_OPERAND_TYPE_MEMORY) {
			if (op->mem.base_gpr >= 0)
				escape_val(st->reg[op->mem.base_gpr]);
			if (op->mem.index_gpr >= 0)
				escape_val(st->reg[op->mem.index_gpr]);
		}
	}
}

/* Which records carry the state (see dis_rec.st). */
static bool rec_has_state(enum dis_kind kind, uint64_t target)
{
	switch (kind) {
	case DIS_SYSCALL:
	case DIS_CALL:
	case DIS_CALL_IND:
	case DIS_JUMP_IND:
		return true;
	case DIS_JUMP:
	case DIS_BRANCH:
		return target < cur_lo || target >= cur_hi;
	default:
		return false;
	}
}

static void emit(dis_fn fn, void *ctx, enum dis_kind kind, uint64_t addr, uint64_t target,
		 uint8_t len, const struct dis_state *st)
{
	struct dis_rec r;

	if (!fn)
		return;
	r = (struct dis_rec){ kind, addr, target, len, cur_reached, kind == DIS_ADDR && cur_compare_only,
			      rec_has_state(kind, target) ? st : NULL };
	fn(&r, ctx);
}

/* A store of 'val' to 'mem' (not rip-relative: the object's own data) hands a code address to any object. */
static void stored_code_addr(dis_fn fn, void *ctx, const struct dis_state *st, const struct insn *I,
			     const struct op *mem, const struct op *val, const struct dis_opts *opts)
{
	uint64_t a;

	if (mem->type == ZYDIS_OPERAND_TYPE_MEMORY && !is_rip_mem(mem) && mem->size == 64 &&
	    (a = code_addr_val(operand_value(st, val), opts->imm_addrs)))
		emit(fn, ctx, DIS_PASS, I->addr, a, I->in.length, st);
}

static bool is_terminator(const struct insn *I)
{
	if (I->bad)
		return true;
	switch (I->in.mnemonic) {
	case ZYDIS_MNEMONIC_JMP:
	case ZYDIS_MNEMONIC_RET:
	case ZYDIS_MNEMONIC_HLT:
	case ZYDIS_MNEMONIC_UD0:
	case ZYDIS_MNEMONIC_UD1:
	case ZYDIS_MNEMONIC_UD2:
		return true;
	default:
		return false;
	}
}

/* A call the caller says never returns ends its block like a jmp. */
static bool is_noreturn_call(const struct insn *I, const struct dis_opts *o)
{
	const struct op *op = &OPS(I)[0];

	if (I->bad || I->in.mnemonic != ZYDIS_MNEMONIC_CALL || !o->noreturn)
		return false;
	if (op->type == ZYDIS_OPERAND_TYPE_IMMEDIATE && op->imm.is_relative)
		return o->noreturn(o->noreturn_ctx, I->addr + I->in.length + (uint64_t)op->imm.value.s, false);
	if (is_rip_mem(op))
		return o->noreturn(o->noreturn_ctx, rip_target(&I->in, I->addr, op), true);
	return false;
}

static bool direct_target(const struct insn *I, uint64_t *target)
{
	const struct op *op = &OPS(I)[0];

	if (I->bad || I->in.operand_count_visible < 1 || op->type != ZYDIS_OPERAND_TYPE_IMMEDIATE ||
	    !op->imm.is_relative)
		return false;
	*target = I->addr + I->in.length + (uint64_t)op->imm.value.s;
	return true;
}

/*
 * The memory slot an indirect call/jump reads its target from: its own
 * rip-relative operand, or the slot a register was loaded from ("mov rax,
 * [rip+GOT]; call rax", as crt's __gmon_start__ call and -fno-plt code do).
 */
static uint64_t indirect_slot(const struct dis_state *st, const struct insn_hdr *in, uint64_t addr,
			      const struct op *op)
{
	int r;

	if (is_rip_mem(op))
		return rip_target(in, addr, op);
	if (op->type == ZYDIS_OPERAND_TYPE_REGISTER && (r = op->reg.gpr) >= 0 &&
	    st->reg[r].kind == DIS_LOADED)
		return st->reg[r].value;
	return 0;
}

/*
 * The slot "mov r64, [rip+slot]" loads a tracked pointer from (a slot
 * below 4 GiB whose bytes are not a known constant), or -1.
 */
static int64_t pointer_load(const struct insn_hdr *in, const struct op *ops, uint64_t addr,
			    const struct dis_opts *opts)
{
	uint64_t t;
	uint32_t c;

	if (in->mnemonic != ZYDIS_MNEMONIC_MOV || in->operand_count_visible < 2 ||
	    ops[0].type != ZYDIS_OPERAND_TYPE_REGISTER || ops[0].reg.gpr < 0 || ops[0].reg.gpr == DIS_RSP ||
	    ops[0].reg.width != 64 || !is_rip_mem(&ops[1]) || ops[1].size != 64 ||
	    (t = rip_target(in, addr, &ops[1])) > 0xffffffffu)
		return -1;
	if (opts->load_const && opts->load_const(opts->noreturn_ctx, t, 8, &c))
		return -1;
	return (int64_t)t;
}

static void note_load(uint32_t slot, uint64_t addr, uint8_t len, int reg)
{
	struct scratch *sc = &scratch;

	for (size_t i = 0; i < sc->loads_nr; i++)
		if (sc->loads[i].addr == addr)
			return;
	ALLOC_GROW(sc->loads, sc->loads_nr + 1, sc->loads_alloc);
	sc->loads[sc->loads_nr++] = (struct got_load){ slot, len, (int8_t)reg, addr };
}

static int cmp_load(const void *a, const void *b)
{
	const struct got_load *x = a, *y = b;

	if (x->slot != y->slot)
		return x->slot < y->slot ? -1 : 1;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The function is done: each slot whose loaded pointer escaped is reported
 * once, as a DIS_MEMREF at its first load (all of them when the function
 * may run into the next one).
 */
static void report_escapes(dis_fn fn, void *ctx, bool falls_off)
{
	struct scratch *sc = &scratch;
	size_t e = 0;

	if (!sc->loads_nr)
		return;
	qsort(sc->loads, sc->loads_nr, sizeof(*sc->loads), cmp_load);
	if (falls_off)
		for (size_t i = 0; i < sc->loads_nr; i++)
			escape_val((struct dis_val){ DIS_LOADED, 0, sc->loads[i].slot });
	if (!sc->esc_nr)
		return;
	qsort(sc->esc, sc->esc_nr, sizeof(*sc->esc), cmp_u32);
	for (size_t i = 0; i < sc->loads_nr; i++) {
		const struct got_load *L = &sc->loads[i];

		if (i && sc->loads[i - 1].slot == L->slot)
			continue;
		while (e < sc->esc_nr && sc->esc[e] < L->slot)
			e++;
		if (e < sc->esc_nr && sc->esc[e] == L->slot)
			emit(fn, ctx, DIS_MEMREF, L->addr, L->slot, L->len, NULL);
	}
}

/*
 * Apply one instruction to 'st'; with fn non-NULL also report its records.
 * Returns false when control does not fall through to the next instruction.
 */
static bool step(struct dis_state *st, const struct insn *I, const struct dis_opts *opts, dis_fn fn,
		 void *ctx)
{
	const struct insn_hdr *in = &I->in;
	const struct op *ops = OPS(I);
	uint64_t addr = I->addr;
	unsigned nops = in->operand_count;
	unsigned nvis = in->operand_count_visible;
	bool fallthrough = true;
	int64_t loaded = pointer_load(in, ops, addr, opts);
	bool followed = loaded >= 0 && opts->fn_slot && opts->fn_slot(opts->noreturn_ctx, (uint64_t)loaded);

	/* No followed pointer before the first followed load. */
	if (scratch.loads_nr)
		escapes_of(st, I, ops, opts);
	if (I->bad) {
		state_forget(st);
		return true;
	}
	/*
	 * A followed pointer's load is reported at the end, if the pointer
	 * escapes.  One loaded in a block the fixpoint never reached (a jump
	 * table case) is not followed into the blocks after it: it escapes.
	 */
	if (followed) {
		note_load((uint32_t)loaded, addr, in->length, ops[0].reg.gpr);
		if (cur_unseen)
			escape_val((struct dis_val){ DIS_LOADED, 0, (uint32_t)loaded });
	}
	/* Rip-relative operands and immediates: GOT slots and taken addresses. */
	for (unsigned i = 0; fn && i < nvis; i++) {
		if (followed && i == 1)
			continue;
		if (is_rip_mem(&ops[i]) && in->mnemonic != ZYDIS_MNEMONIC_CALL &&
		    in->mnemonic != ZYDIS_MNEMONIC_JMP)
			emit(fn, ctx, in->mnemonic == ZYDIS_MNEMONIC_LEA ? DIS_ADDR : DIS_MEMREF, addr,
			     rip_target(in, addr, &ops[i]), in->length, st);
		else if (ops[i].type == ZYDIS_OPERAND_TYPE_IMMEDIATE && !ops[i].imm.is_relative &&
			 ops[i].size >= 32 && ops[i].imm.value.u >= 0x1000 &&
			 (in->mnemonic == ZYDIS_MNEMONIC_MOV || in->mnemonic == ZYDIS_MNEMONIC_PUSH))
			emit(fn, ctx, DIS_ADDR, addr, ops[i].imm.value.u, in->length, st);
	}

	switch (in->mnemonic) {
	case ZYDIS_MNEMONIC_SYSCALL:
		emit(fn, ctx, DIS_SYSCALL, addr, 0, in->length, st);
		st->reg[DIS_RAX] = st->reg[DIS_RCX] = st->reg[DIS_R11] = unknown_val;
		break;
	case ZYDIS_MNEMONIC_SYSENTER:
		emit(fn, ctx, DIS_SYSENTER, addr, 0, in->length, st);
		state_forget(st);
		break;
	case ZYDIS_MNEMONIC_INT:
		if (ops[0].type == ZYDIS_OPERAND_TYPE_IMMEDIATE && ops[0].imm.value.u == 0x80)
			emit(fn, ctx, DIS_INT80, addr, 0, in->length, st);
		st->reg[DIS_RAX] = unknown_val;
		break;
	case ZYDIS_MNEMONIC_CALL:
		if (ops[0].type == ZYDIS_OPERAND_TYPE_IMMEDIATE && ops[0].imm.is_relative)
			emit(fn, ctx, DIS_CALL, addr, addr + in->length + (uint64_t)ops[0].imm.value.s,
			     in->length, st);
		else
			emit(fn, ctx, DIS_CALL_IND, addr, indirect_slot(st, in, addr, &ops[0]), in->length, st);
		after_call(st, opts->go_abi);
		break;
	case ZYDIS_MNEMONIC_JMP:
		if (ops[0].type == ZYDIS_OPERAND_TYPE_IMMEDIATE && ops[0].imm.is_relative)
			emit(fn, ctx, DIS_JUMP, addr, addr + in->length + (uint64_t)ops[0].imm.value.s,
			     in->length, st);
		else
			emit(fn, ctx, DIS_JUMP_IND, addr, indirect_slot(st, in, addr, &ops[0]), in->length, st);
		fallthrough = false;
		break;
	case ZYDIS_MNEMONIC_RET:
		/* A code address returned (rax, rdx) may be called by the caller, in whatever object. */
		for (unsigned k = 0; k < 2; k++) {
			uint64_t a = code_addr_val(st->reg[k ? DIS_RDX : DIS_RAX], opts->imm_addrs);

			if (a)
				emit(fn, ctx, DIS_PASS, addr, a, in->length, st);
		}
		emit(fn, ctx, DIS_RET, addr, 0, in->length, st);
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
			struct dis_val v = operand_value(st, &ops[1]);
			uint32_t c;

			if (in->mnemonic != ZYDIS_MNEMONIC_MOV && v.kind == DIS_CONST)
				v = unknown_val; /* extension of a narrower constant: not modelled */
			/* pointer_load already asked load_const about its loads. */
			if (loaded >= 0)
				v = (struct dis_val){ DIS_LOADED, 0, (uint32_t)loaded };
			else if (in->mnemonic == ZYDIS_MNEMONIC_MOV && is_rip_mem(&ops[1]) && opts->load_const &&
				 (ops[1].size == 32 || ops[1].size == 64) &&
				 opts->load_const(opts->noreturn_ctx, rip_target(in, addr, &ops[1]), ops[1].size / 8, &c))
				v = (struct dis_val){ DIS_CONST, 0, c };
			set_reg(st, &ops[0], v);
		} else if (is_rsp_mem(&ops[0]) && in->mnemonic == ZYDIS_MNEMONIC_MOV) {
			if (ops[0].size == 64 || ops[0].size == 32)
				slot_set(st, ops[0].mem.disp.value, narrow(operand_value(st, &ops[1]), ops[0].size));
			else
				slot_clobber(st, ops[0].mem.disp.value, ops[0].size / 8);
		} else {
			stored_code_addr(fn, ctx, st, I, &ops[0], &ops[1], opts);
			generic_writes(st, ops, nops);
		}
		break;
	case ZYDIS_MNEMONIC_LEA: {
		/* Addresses above 4 GiB are not tracked (values are 32 bits wide). */
		uint64_t t = is_rip_mem(&ops[1]) ? rip_target(in, addr, &ops[1]) : UINT64_MAX;

		if (ops[0].type == ZYDIS_OPERAND_TYPE_REGISTER && ops[0].reg.width == 64 && t <= 0xffffffffu)
			set_reg(st, &ops[0], (struct dis_val){ DIS_ADDRESS, 0, (uint32_t)t });
		else
			generic_writes(st, ops, nops);
		break;
	}
	case ZYDIS_MNEMONIC_XOR:
	case ZYDIS_MNEMONIC_SUB:
		if (ops[0].type == ZYDIS_OPERAND_TYPE_REGISTER && ops[1].type == ZYDIS_OPERAND_TYPE_REGISTER &&
		    ops[0].reg.value == ops[1].reg.value && ops[0].reg.width >= 32) {
			set_reg(st, &ops[0], (struct dis_val){ DIS_CONST, 0, 0 });
			break;
		}
		if (in->mnemonic == ZYDIS_MNEMONIC_SUB && ops[0].type == ZYDIS_OPERAND_TYPE_REGISTER &&
		    ops[0].reg.value == ZYDIS_REGISTER_RSP && ops[1].type == ZYDIS_OPERAND_TYPE_IMMEDIATE) {
			rsp_adjust(st, -ops[1].imm.value.s);
			break;
		}
		generic_writes(st, ops, nops);
		break;
	case ZYDIS_MNEMONIC_ADD:
		if (ops[0].type == ZYDIS_OPERAND_TYPE_REGISTER && ops[0].reg.value == ZYDIS_REGISTER_RSP &&
		    ops[1].type == ZYDIS_OPERAND_TYPE_IMMEDIATE) {
			rsp_adjust(st, ops[1].imm.value.s);
			break;
		}
		generic_writes(st, ops, nops);
		break;
	case ZYDIS_MNEMONIC_PUSH: {
		struct dis_val v = operand_value(st, &ops[0]);

		if (ops[0].type == ZYDIS_OPERAND_TYPE_REGISTER && ops[0].reg.gpr == DIS_RSP)
			v = unknown_val;
		rsp_adjust(st, -8);
		slot_set(st, 0, v);
		break;
	}
	case ZYDIS_MNEMONIC_POP:
		if (ops[0].type == ZYDIS_OPERAND_TYPE_REGISTER && ops[0].reg.gpr != DIS_RSP) {
			struct dis_val v = slot_get(st, 0);

			rsp_adjust(st, 8);
			set_reg(st, &ops[0], v);
		} else {
			generic_writes(st, ops, nops);
		}
		break;
	case ZYDIS_MNEMONIC_XCHG:
	case ZYDIS_MNEMONIC_CMPXCHG:
	case ZYDIS_MNEMONIC_MOVNTI:
		/* Other stores of a register (the stack slots they write are not tracked: those too). */
		for (unsigned k = 0; k < 2 && nvis >= 2; k++)
			if (ops[1 - k].type == ZYDIS_OPERAND_TYPE_REGISTER)
				stored_code_addr(fn, ctx, st, I, &ops[k], &ops[1 - k], opts);
		generic_writes(st, ops, nops);
		break;
	default:
		if (in->meta.category == ZYDIS_CATEGORY_COND_BR && ops[0].type == ZYDIS_OPERAND_TYPE_IMMEDIATE &&
		    ops[0].imm.is_relative)
			emit(fn, ctx, DIS_BRANCH, addr, addr + in->length + (uint64_t)ops[0].imm.value.s,
			     in->length, st);
		generic_writes(st, ops, nops);
		break;
	}
	return fallthrough;
}

static bool val_eq(struct dis_val a, struct dis_val b)
{
	return a.kind == b.kind && (a.kind == DIS_UNKNOWN ||
				    (a.kind == DIS_ENTRY ? a.loc == b.loc : a.value == b.value));
}

/* dst = meet(dst, src); returns true when dst changed. */
static bool state_meet(struct dis_state *dst, const struct dis_state *src)
{
	bool changed = false;

	for (unsigned i = 0; i < DIS_REG_NR; i++)
		if (dst->reg[i].kind != DIS_UNKNOWN && !val_eq(dst->reg[i], src->reg[i])) {
			dst->reg[i] = unknown_val;
			changed = true;
		}
	if (dst->rsp_known && (!src->rsp_known || src->rsp_off != dst->rsp_off)) {
		dst->rsp_known = false;
		dst->slots = 0;
		return true;
	}
	for (unsigned i = 0; i < dst->slots;) {
		int j = slot_find(src, dst->slot_off[i]);

		if (j < 0 || !val_eq(dst->slot_val[i], src->slot_val[j])) {
			slot_drop(dst, i);
			changed = true;
		} else {
			i++;
		}
	}
	return changed;
}

/*
 * A state into the scratch's snapshot arena, as words: the registers, then
 * slots | rsp_known << 8, rsp_off, and the live slots' offsets and values.
 */
static uint32_t snap_save(struct scratch *sc, const struct dis_state *st)
{
	size_t need = DIS_REG_NR + 2 + 2 * (size_t)st->slots, at = sc->snaps_nr;
	uint64_t *w;

	ALLOC_GROW(sc->snaps, at + need, sc->snaps_alloc);
	w = sc->snaps + at;
	memcpy(w, st->reg, sizeof(st->reg));
	w += DIS_REG_NR;
	*w++ = st->slots | (uint64_t)st->rsp_known << 8;
	*w++ = (uint64_t)st->rsp_off;
	for (unsigned i = 0; i < st->slots; i++) {
		*w++ = (uint64_t)st->slot_off[i];
		memcpy(w++, &st->slot_val[i], sizeof(uint64_t));
	}
	sc->snaps_nr += need;
	return (uint32_t)at;
}

static void snap_load(const struct scratch *sc, uint32_t at, struct dis_state *st)
{
	const uint64_t *w = sc->snaps + at;

	memcpy(st->reg, w, sizeof(st->reg));
	w += DIS_REG_NR;
	st->slots = (unsigned)(*w & 0xff);
	st->rsp_known = *w++ >> 8 & 1;
	st->rsp_off = (int64_t)*w++;
	for (unsigned i = 0; i < st->slots; i++) {
		st->slot_off[i] = (int64_t)*w++;
		memcpy(&st->slot_val[i], w++, sizeof(uint64_t));
	}
}

static bool replay_enabled = true;

void dis_replay_enable(bool on)
{
	replay_enabled = on;
}

/* dis_fn of the fixpoint pass: keep the record (see struct prec). */
static void keep_rec(const struct dis_rec *r, void *ctx)
{
	struct scratch *sc = ctx;
	uint32_t snap;

	if (sc->recs_full || sc->recs_nr >= UINT32_MAX - 1 ||
	    sc->snaps_nr + DIS_REG_NR + 2 + 2 * SLOT_MAX >= UINT32_MAX) {
		sc->recs_full = true;
		return;
	}
	snap = r->st ? snap_save(sc, r->st) : UINT32_MAX;
	ALLOC_GROW(sc->recs, sc->recs_nr + 1, sc->recs_alloc);
	sc->recs[sc->recs_nr++] = (struct prec){ r->addr, r->target, snap, (uint8_t)r->kind, r->len };
}

/* Index of the instruction starting at addr, or UINT32_MAX (see at_fill). */
static uint32_t insn_at(const struct scratch *sc, uint64_t addr)
{
	if (addr < sc->at_base || addr - sc->at_base >= sc->at_len)
		return UINT32_MAX;
	return sc->at[addr - sc->at_base];
}

/* Byte offset -> instruction index over the function, for insn_at. */
static void at_fill(struct scratch *sc, uint64_t vaddr, size_t len, uint32_t n)
{
	ALLOC_GROW(sc->at, len, sc->at_alloc);
	memset(sc->at, 0xff, len * sizeof(*sc->at));
	for (uint32_t i = 0; i < n; i++)
		sc->at[sc->iv[i].addr - vaddr] = i;
	sc->at_base = vaddr;
	sc->at_len = len;
}

#define MAX_FUNC_INSNS (1u << 20)

/*
 * A block ending "test r,r; je/jne" (r of 32 or 64 bits): returns r and in
 * *succ which successor index is reached when r is zero, else -1.
 */
static int zero_test(const struct scratch *sc, const struct block *B, int *succ)
{
	const struct insn *J = &sc->iv[B->last], *T;
	int r;

	if (B->last == B->first || J->bad || B->succ_nr != 2)
		return -1;
	T = &sc->iv[B->last - 1];
	if (T->bad || T->in.mnemonic != ZYDIS_MNEMONIC_TEST || OPS(T)[0].type != ZYDIS_OPERAND_TYPE_REGISTER ||
	    OPS(T)[1].type != ZYDIS_OPERAND_TYPE_REGISTER || OPS(T)[0].reg.value != OPS(T)[1].reg.value ||
	    OPS(T)[0].reg.width < 32)
		return -1;
	r = OPS(T)[0].reg.gpr;
	if (r < 0 || r == DIS_RSP)
		return -1;
	/* succ[0] is the branch target, succ[1] the fall-through (see above). */
	if (J->in.mnemonic == ZYDIS_MNEMONIC_JZ)
		*succ = 0;
	else if (J->in.mnemonic == ZYDIS_MNEMONIC_JNZ)
		*succ = 1;
	else
		return -1;
	return r;
}

static void state_unknown(struct dis_state *st)
{
	state_entry(st);
	state_forget(st);
}

/*
 * Liveness masks: bit r, register r's bits above its low byte; bit r +
 * LIVE_LOW8, its low byte.  Writing the low byte ("setb %bl") leaves the
 * rest as it was; reading it ("or %r14b, %bl") reads only that byte.
 */
#define LIVE_LOW8 16
#define BOTH(m) ((uint32_t)(m) | ((uint32_t)(m) << LIVE_LOW8))

static bool low_byte(const struct op *op)
{
	return op->reg.width == 8 && op->reg.value != ZYDIS_REGISTER_AH && op->reg.value != ZYDIS_REGISTER_BH &&
	       op->reg.value != ZYDIS_REGISTER_CH && op->reg.value != ZYDIS_REGISTER_DH;
}

/* What I (with operands 'ops') reads (*read) and overwrites (*kill), as liveness masks. */
static void insn_live_masks(const struct insn *I, const struct op *ops, uint32_t *read, uint32_t *kill)
{
	*read = *kill = 0;
	if (I->in.mnemonic == ZYDIS_MNEMONIC_SYSCALL)
		*kill = BOTH((1u << DIS_RCX) | (1u << DIS_R11));
	for (unsigned k = 0; k < I->in.operand_count; k++) {
		const struct op *op = &ops[k];

		if (op->type == ZYDIS_OPERAND_TYPE_REGISTER && op->reg.gpr >= 0) {
			uint32_t r = 1u << op->reg.gpr;

			if (op->actions & ZYDIS_OPERAND_ACTION_MASK_READ)
				*read |= low_byte(op) ? r << LIVE_LOW8 : BOTH(r);
			if ((op->actions & ZYDIS_OPERAND_ACTION_WRITE) &&
			    !(op->actions & ZYDIS_OPERAND_ACTION_MASK_READ) && I->in.mnemonic != ZYDIS_MNEMONIC_SYSCALL)
				*kill |= op->reg.width >= 32 ? BOTH(r) : low_byte(op) || op->reg.width == 16 ? r << LIVE_LOW8 : 0;
		} else if (op->type == ZYDIS_OPERAND_TYPE_MEMORY) {
			if (op->mem.base_gpr >= 0)
				*read |= BOTH(1u << op->mem.base_gpr);
			if (op->mem.index_gpr >= 0)
				*read |= BOTH(1u << op->mem.index_gpr);
		}
	}
}

/* The registers instruction I reads (any part) / writes whole, a bit per register. */
static uint32_t insn_read_mask(const struct insn *I)
{
	uint32_t read, kill;

	insn_live_masks(I, OPS(I), &read, &kill);
	return (read | read >> LIVE_LOW8) & ALL_REGS;
}

static uint32_t insn_kill_mask(const struct insn *I)
{
	uint32_t read, kill;

	insn_live_masks(I, OPS(I), &read, &kill);
	return kill & ALL_REGS;
}

/* Is r dead from instruction i on (written before read, or a return that does not return it)? */
static bool dead_from(const struct scratch *sc, uint32_t n, uint32_t i, int r)
{
	for (; i < n; i++) {
		const struct insn *I = &sc->iv[i];

		if (I->bad || (insn_read_mask(I) >> r & 1))
			return false;
		if (insn_kill_mask(I) >> r & 1)
			return true;
		if (I->in.mnemonic == ZYDIS_MNEMONIC_RET)
			return r != DIS_RAX && r != DIS_RDX;
		if (I->in.meta.category == ZYDIS_CATEGORY_COND_BR || I->in.meta.category == ZYDIS_CATEGORY_UNCOND_BR ||
		    I->in.mnemonic == ZYDIS_MNEMONIC_CALL)
			return false;
	}
	return false;
}

/*
 * Is I a direct branch to an instruction of the function: an edge of its
 * blocks?  Go jumps back to its entry only after morestack restored the
 * arguments: that jump is no edge.
 */
static bool inner_branch(const struct scratch *sc, const struct insn *I, bool go_abi)
{
	uint64_t t;

	return !I->bad && direct_target(I, &t) && t >= cur_lo && t < cur_hi && insn_at(sc, t) != UINT32_MAX &&
	       !(go_abi && t == cur_lo);
}

/*
 * Which registers may still be used where each block starts (sc->live, a
 * bit per register): read before they are written on some path, or left
 * visible to code outside.  A backward fixpoint over the blocks, computed
 * once per function when the escape rules first ask.  Visible outside:
 * a return (all but the C ABI's scratch registers), a jump out, an
 * indirect jump, a bad byte, running off the function's end; a call
 * (Go: every register; C: the callee-saved registers, which it
 * preserves, and of the others those the callee may read, see
 * dis_opts.call_reads).  A register copy ("mov %r8, %rbx") reads its
 * source only when its destination is still used (a value only copied
 * around is not used).  ud2 and hlt end a path: nothing after them runs
 * (int3 does not: a SIGTRAP handler may return to the next instruction).
 */
static uint32_t block_live_in(const struct scratch *sc, const struct block *B, uint32_t out,
			      const struct dis_opts *opts)
{
	bool go_abi = opts->go_abi;
	uint32_t live = out;

	/* The last block running off the function's end. */
	if (!B->succ_nr && !is_terminator(&sc->iv[B->last]))
		live = BOTH(ALL_REGS);
	for (uint32_t i = B->last + 1; i-- > B->first;) {
		const struct insn *I = &sc->iv[i];
		uint16_t mn = I->in.mnemonic;
		uint32_t read, kill;

		if (I->bad) {
			live = BOTH(ALL_REGS);
			continue;
		}
		/* Padding: "nopw 0(%rax,%rax)" names registers and reads nothing. */
		if (mn == ZYDIS_MNEMONIC_NOP)
			continue;
		if (mn == ZYDIS_MNEMONIC_RET) {
			live = BOTH(go_abi ? ALL_REGS : ALL_REGS & ~C_SCRATCH);
		} else if (is_terminator(I) && mn != ZYDIS_MNEMONIC_JMP) {
			live = 0;
		} else if (mn == ZYDIS_MNEMONIC_CALL) {
			uint32_t args = go_abi ? ALL_REGS : 0;

			for (size_t k = 0; !go_abi && k < ARRAY_SIZE(clobbered); k++)
				if (call_may_read(I, OPS(I), opts, clobbered[k]))
					args |= 1u << clobbered[k];
			if (i == B->last && is_noreturn_call(I, opts))
				live = 0;
			live = (live & BOTH(go_abi ? 0 : C_CALLEE_SAVED)) | BOTH(args);
		} else if ((I->in.meta.category == ZYDIS_CATEGORY_COND_BR ||
			    I->in.meta.category == ZYDIS_CATEGORY_UNCOND_BR) &&
			   !inner_branch(sc, I, go_abi) && !(i == B->last && B->table != UINT32_MAX)) {
			/* Leaving the function (a table whose cases are known goes to them: the successors). */
			live = BOTH(ALL_REGS);
		}
		insn_live_masks(I, OPS(I), &read, &kill);
		/* A copy into a register nothing uses reads nothing. */
		if (mn == ZYDIS_MNEMONIC_MOV && I->in.operand_count_visible == 2 &&
		    OPS(I)[0].type == ZYDIS_OPERAND_TYPE_REGISTER && OPS(I)[1].type == ZYDIS_OPERAND_TYPE_REGISTER &&
		    OPS(I)[0].reg.gpr >= 0 && OPS(I)[1].reg.gpr >= 0 && OPS(I)[0].reg.gpr != OPS(I)[1].reg.gpr &&
		    !(live & BOTH(1u << OPS(I)[0].reg.gpr)))
			read &= ~BOTH(1u << OPS(I)[1].reg.gpr);
		live = (live & ~kill) | read;
	}
	return live;
}

static void compute_live(struct scratch *sc, uint32_t nb, const struct dis_opts *opts)
{
	uint32_t *live;
	bool changed = true;

	ALLOC_GROW(sc->live, (size_t)nb, sc->live_alloc);
	live = sc->live;
	memset(live, 0, (size_t)nb * sizeof(*live));
	while (changed) {
		changed = false;
		for (uint32_t b = nb; b-- > 0;) {
			const struct block *B = &sc->blocks[b];
			uint32_t out = 0, v;

			for (unsigned s = 0; s < B->succ_nr; s++)
				out |= live[B->succ[s]];
			if (B->table != UINT32_MAX) {
				const struct table *T = &sc->tabs[B->table];

				for (uint32_t k = 0; k < T->nr; k++)
					out |= live[sc->block_of[sc->tt[T->first + k]]];
			}
			v = block_live_in(sc, B, out, opts);
			if ((v | live[b]) != live[b]) { /* monotone: v only grows with 'out' */
				live[b] |= v;
				changed = true;
			}
		}
	}
	sc->live_ok = true;
}

/* May register r's value where block b starts still be used (see compute_live)? */
static bool live_at(struct scratch *sc, uint32_t nb, uint32_t b, int r, const struct dis_opts *opts)
{
	if (!sc->live_ok)
		compute_live(sc, nb, opts);
	return (sc->live[b] & BOTH(1u << r)) != 0;
}

/*
 * Alignment padding between an unconditional jump and a loop head or
 * a label ("jmp L; nopw 0(%rax,%rax); L2: ...") is a block of NOPs (int3
 * with lld) no edge reaches.  Nothing enters it: jumps, jump tables and
 * landing pads all name the code after it.
 */
static bool padding_block(const struct scratch *sc, const struct block *B)
{
	for (uint32_t i = B->first; i <= B->last; i++)
		if (sc->iv[i].bad ||
		    (sc->iv[i].in.mnemonic != ZYDIS_MNEMONIC_NOP && sc->iv[i].in.mnemonic != ZYDIS_MNEMONIC_INT3))
			return false;
	return true;
}

/*
 * A join that forgets a loaded pointer ('into' and 'from' hold different
 * values) lets it escape, unless it is dead where block b starts.
 */
static void join_escapes(struct scratch *sc, uint32_t nb, uint32_t b, const struct dis_state *into,
			 const struct dis_state *from, const struct dis_opts *opts)
{
	if (!sc->loads_nr)
		return;
	for (int r = 0; r < DIS_REG_NR; r++)
		if (((into->reg[r].kind == DIS_LOADED && followed_slot(into->reg[r].value)) ||
		     (from->reg[r].kind == DIS_LOADED && followed_slot(from->reg[r].value))) &&
		    !val_eq(into->reg[r], from->reg[r]) && live_at(sc, nb, b, r, opts)) {
			escape_val(into->reg[r]);
			escape_val(from->reg[r]);
		}
}

/*
 * "lea r,[rip+X]; cmp r,s (or s,r); jcc L" with r dead on both edges: X is
 * only compared.  Anything else counts as taking X's address.
 */
static bool lea_compare_only(const struct scratch *sc, uint32_t n, uint32_t i)
{
	const struct insn *L = &sc->iv[i], *C, *J;
	uint64_t t;
	uint32_t k;
	int r;

	if (L->bad || L->in.mnemonic != ZYDIS_MNEMONIC_LEA || !is_rip_mem(&OPS(L)[1]) || i + 2 >= n)
		return false;
	r = OPS(L)[0].reg.gpr;
	C = &sc->iv[i + 1];
	J = &sc->iv[i + 2];
	if (r < 0 || C->bad || J->bad || C->in.mnemonic != ZYDIS_MNEMONIC_CMP ||
	    J->in.meta.category != ZYDIS_CATEGORY_COND_BR || !direct_target(J, &t))
		return false;
	k = insn_at(sc, t);
	return k != UINT32_MAX && dead_from(sc, n, i + 3, r) && dead_from(sc, n, k, r);
}

static void insn_set_bad(struct insn *I)
{
	I->bad = true;
	I->rel = false;
	I->rel_disp = 0;
	I->in = (struct insn_hdr){ 0 };
}

/* Fill I from Zydis' decoding; its operands go to 'ops'.  Returns how many were kept. */
static unsigned insn_set(struct insn *I, const ZydisDecodedInstruction *zin, const ZydisDecodedOperand *zops,
			 struct op *ops)
{
	unsigned kept = 0;

	I->bad = false;
	I->rel = (zin->attributes & ZYDIS_ATTRIB_IS_RELATIVE) && zin->raw.imm[0].is_relative;
	I->rel_disp = I->rel ? (int32_t)zin->raw.imm[0].value.s : 0;
	I->in = (struct insn_hdr){ (uint16_t)zin->mnemonic, zin->length, 0, zin->operand_count_visible,
				   { (uint8_t)zin->meta.category } };
	for (unsigned k = 0; k < zin->operand_count; k++)
		if (compact_op(&ops[kept], &zops[k], k < zin->operand_count_visible))
			kept++;
	I->in.operand_count = (uint8_t)kept;
	return kept;
}

/*
 * The first of the instructions [lo, hi) at or after 'addr' (they are in
 * address order), searched from lo by doubling steps: functions are looked
 * up in address order, so the answer is usually close to where the last
 * lookup ended.
 */
static uint32_t dd_lower_bound(const struct dis_decoded *dd, uint32_t lo, uint32_t hi, uint64_t addr)
{
	uint32_t step = 1;

	while (lo < hi && dd->insns[lo].addr < addr) {
		uint32_t probe = hi - lo > step ? lo + step : hi - 1;

		if (dd->insns[probe].addr >= addr) {
			hi = probe;
			break;
		}
		lo = probe + 1;
		step *= 2;
	}
	_Static_assert(offsetof(struct insn, addr) == 0, "addr_lower_bound reads the first member");
	return lo + (uint32_t)addr_lower_bound(dd->insns + lo, hi - lo, sizeof(*dd->insns), addr);
}

/* Where this thread's last dd_find ended, to start the next one from. */
static _Thread_local const struct dis_decoded *dd_hint_of;
static _Thread_local uint32_t dd_hint;

/*
 * The pre-pass's instructions of [vaddr, vaddr+len) at 'code': index of the
 * first, and in *nr how many lie wholly inside (see struct dis_decoded).
 * Returns false when the function does not start on a kept boundary.
 */
static bool dd_find(const struct dis_decoded *dd, const uint8_t *code, size_t len, uint64_t vaddr,
		    uint32_t *first, uint32_t *nr, size_t *covered)
{
	const struct dd_range *r = NULL;
	uint64_t end = vaddr + len;
	uint32_t lo, hi, j;

	if (!dd)
		return false;
	for (size_t i = 0; i < dd->ranges_nr && !r; i++) {
		const struct dd_range *c = &dd->ranges[i];

		if (vaddr >= c->vaddr && vaddr - c->vaddr < c->len && len <= c->len - (vaddr - c->vaddr) &&
		    code == c->code + (vaddr - c->vaddr))
			r = c;
	}
	if (!r || !r->nr)
		return false;
	hi = r->first + r->nr;
	lo = r->first;
	if (dd_hint_of == dd && dd_hint > lo && dd_hint < hi && dd->insns[dd_hint].addr <= vaddr)
		lo = dd_hint;
	lo = dd_lower_bound(dd, lo, hi, vaddr);
	if (lo == hi || dd->insns[lo].addr != vaddr)
		return false;
	/* The instructions starting before end; only the last of them can cross it. */
	j = dd_lower_bound(dd, lo, hi, end);
	dd_hint_of = dd;
	dd_hint = j;
	if (j > lo && !dd->insns[j - 1].bad && dd->insns[j - 1].addr + dd->insns[j - 1].in.length > end)
		j--;
	*first = lo;
	*nr = j - lo;
	*covered = j < r->first + r->nr ? (size_t)(dd->insns[j].addr - vaddr) : len;
	if (*covered > len)
		*covered = len;
	return true;
}

static size_t dd_bad_below(const struct dis_decoded *dd, uint32_t idx)
{
	size_t lo = 0, hi = dd->bad_nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (dd->bad[mid] < idx)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Undecodable positions among the kept instructions [from, to). */
static size_t dd_bad_between(const struct dis_decoded *dd, uint32_t from, uint32_t to)
{
	return dd->bad_nr ? dd_bad_below(dd, to) - dd_bad_below(dd, from) : 0;
}

/*
 * Start dis_function's decoding from the pre-pass: when it has the whole
 * function, point the scratch at its instructions (returns true); when only
 * a head, copy that and leave *pos where decoding must go on.
 */
static bool dd_take(struct scratch *sc, const struct dis_decoded *dd, const uint8_t *code, size_t len,
		    uint64_t vaddr, uint32_t *n, uint32_t *nops, size_t *pos, struct dis_result *res)
{
	uint32_t first, nr, ops = 0;
	size_t covered;

	*n = *nops = 0;
	*pos = 0;
	if (!dd_find(dd, code, len, vaddr, &first, &nr, &covered))
		return false;
	if (nr > MAX_FUNC_INSNS)
		nr = MAX_FUNC_INSNS;
	if (nr) {
		const struct insn *L = &dd->insns[first + nr - 1];
		size_t bad = dd_bad_between(dd, first, first + nr);

		/* The instructions are contiguous: good ones' bytes plus one per bad position. */
		res->bad += bad;
		res->insns += nr - bad;
		res->bytes += L->addr + (L->bad ? 1 : L->in.length) - vaddr - bad;
	}
	if (covered == len || nr == MAX_FUNC_INSNS) {
		sc->iv = dd->insns + first;
		cur_ops = dd->ops;
		*n = nr;
		*pos = len;
		return true;
	}
	ALLOC_GROW(sc->insns, nr + 1, sc->insns_alloc);
	for (uint32_t i = 0; i < nr; i++) {
		const struct insn *I = &dd->insns[first + i];

		ALLOC_GROW(sc->ops, ops + I->in.operand_count, sc->ops_alloc);
		sc->insns[i] = *I;
		sc->insns[i].op0 = ops;
		if (I->in.operand_count)
			memcpy(sc->ops + ops, dd->ops + I->op0, I->in.operand_count * sizeof(*sc->ops));
		ops += I->in.operand_count;
	}
	*n = nr;
	*nops = ops;
	*pos = covered;
	return false;
}

/* Tests compare the fast decoder's records with Zydis' by turning it off. */
static bool fastdec_enabled = true;

static int zydis_one(const ZydisDecoder *dec, const uint8_t *code, size_t len, struct op *ops, struct insn *I,
		     struct insn_raw *raw);

/*
 * One instruction outside the pre-pass's kept ones, decoded as the
 * pre-pass does (the fast decoder, else Zydis) into *I and 'ops' (room for
 * ZYDIS_MAX_OPERAND_COUNT).  False for an undecodable byte.
 */
static bool decode_one(const ZydisDecoder *dec, const uint8_t *code, size_t avail, struct insn *I, struct op *ops)
{
	struct insn_raw raw;

	if (fastdec_enabled && fastdec_insn(code, avail, I, ops, &raw))
		return true;
	return zydis_one(dec, code, avail, ops, I, &raw) == 1;
}

#define READS_INSNS_MAX 512 /* instructions dis_reads_before_write() looks at */
#define READS_STARTS_MAX 64 /* paths it follows */

/* Does I read register r (or, a syscall, pass it to the kernel), and does it write all of it? */
static void reg_use(const struct insn *I, const struct op *ops, int r, bool *reads, bool *writes)
{
	static const int8_t sys_args[] = { DIS_RAX, DIS_RDI, DIS_RSI, DIS_RDX, DIS_R10, DIS_R8, DIS_R9 };
	uint16_t mn = I->in.mnemonic;

	*reads = *writes = false;
	if (mn == ZYDIS_MNEMONIC_SYSCALL || mn == ZYDIS_MNEMONIC_SYSENTER || mn == ZYDIS_MNEMONIC_INT) {
		for (size_t i = 0; i < ARRAY_SIZE(sys_args); i++)
			*reads |= sys_args[i] == r;
		return;
	}
	/* "xor %r8d, %r8d" zeroes it: a write, not a read. */
	if ((mn == ZYDIS_MNEMONIC_XOR || mn == ZYDIS_MNEMONIC_SUB) && I->in.operand_count_visible == 2 &&
	    ops[0].type == ZYDIS_OPERAND_TYPE_REGISTER && ops[1].type == ZYDIS_OPERAND_TYPE_REGISTER &&
	    ops[0].reg.value == ops[1].reg.value && ops[0].reg.gpr == r) {
		*writes = ops[0].reg.width >= 32;
		return;
	}
	for (unsigned k = 0; k < I->in.operand_count; k++) {
		const struct op *op = &ops[k];

		if (op->type == ZYDIS_OPERAND_TYPE_REGISTER && op->reg.gpr == r) {
			*reads |= (op->actions & ZYDIS_OPERAND_ACTION_MASK_READ) != 0;
			*writes |= (op->actions & ZYDIS_OPERAND_ACTION_MASK_WRITE) && op->reg.width >= 32 &&
				   !(op->actions & ZYDIS_OPERAND_ACTION_CONDWRITE);
		} else if (op->type == ZYDIS_OPERAND_TYPE_MEMORY && (op->mem.base_gpr == r || op->mem.index_gpr == r)) {
			*reads = true;
		}
	}
	if (*reads)
		*writes = false;
}

bool dis_reads_before_write(const struct dis_opts *opts, uint64_t entry, int reg)
{
	uint64_t starts[READS_STARTS_MAX];
	size_t starts_nr = 0, next = 0, insns = 0;
	ZydisDecoder dec;

	if (!opts->read_data || reg < 0 || reg >= DIS_REG_NR)
		return true;
	ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
	starts[starts_nr++] = entry;
	while (next < starts_nr) {
		uint64_t addr = starts[next++];

		for (;;) {
			struct op ops[ZYDIS_MAX_OPERAND_COUNT];
			struct insn I = { .addr = addr };
			const uint8_t *p;
			size_t avail = 0;
			bool reads, writes;
			uint16_t mn;

			if (++insns > READS_INSNS_MAX || !(p = opts->read_data(opts->noreturn_ctx, addr, &avail)) ||
			    !decode_one(&dec, p, avail, &I, ops))
				return true;
			mn = I.in.mnemonic;
			reg_use(&I, ops, reg, &reads, &writes);
			if (reads)
				return true;
			if (writes || mn == ZYDIS_MNEMONIC_RET || mn == ZYDIS_MNEMONIC_UD2 || mn == ZYDIS_MNEMONIC_HLT)
				break;
			if (mn == ZYDIS_MNEMONIC_CALL) {
				/* What the callee reads (it may leave the register as it is for the code after). */
				if (call_may_read(&I, ops, opts, reg))
					return true;
			} else if (mn == ZYDIS_MNEMONIC_JMP && is_rip_mem(&ops[0])) {
				/* A tail jump through a slot: what its function reads. */
				if (call_may_read(&I, ops, opts, reg))
					return true;
				break;
			}
			if (mn == ZYDIS_MNEMONIC_JMP || I.in.meta.category == ZYDIS_CATEGORY_COND_BR) {
				uint64_t to;
				bool seen = false;

				if (ops[0].type != ZYDIS_OPERAND_TYPE_IMMEDIATE || !ops[0].imm.is_relative)
					return true;
				to = addr + I.in.length + (uint64_t)ops[0].imm.value.s;
				for (size_t i = 0; i < starts_nr && !seen; i++)
					seen = starts[i] == to;
				if (!seen) {
					if (starts_nr == READS_STARTS_MAX)
						return true;
					starts[starts_nr++] = to;
				}
				if (mn == ZYDIS_MNEMONIC_JMP)
					break;
			}
			addr += I.in.length;
		}
	}
	return false;
}

/*
 * The last instruction in [lo, i) that writes register r (any part), or
 * UINT32_MAX: also when a bad byte, or (with 'calls') a call, comes first.
 */
static uint32_t writer_in(const struct scratch *sc, uint32_t lo, uint32_t i, int r, bool calls)
{
	while (i-- > lo) {
		const struct insn *I = &sc->iv[i];

		if (I->bad || (calls && I->in.mnemonic == ZYDIS_MNEMONIC_CALL))
			return UINT32_MAX;
		for (unsigned k = 0; k < I->in.operand_count; k++) {
			const struct op *op = &OPS(I)[k];

			if (op->type == ZYDIS_OPERAND_TYPE_REGISTER && op->reg.gpr == r &&
			    (op->actions & ZYDIS_OPERAND_ACTION_MASK_WRITE))
				return i;
		}
	}
	return UINT32_MAX;
}

/* The instruction of block B before 'i' that writes r, with no call between. */
static uint32_t def_before(const struct scratch *sc, const struct block *B, uint32_t i, int r)
{
	return writer_in(sc, B->first, i, r, true);
}

/*
 * Does instruction i (in block B) define its destination as a pointer
 * read from a structure or a variable, with no table index on the way?
 * "mov r64, [base + disp]" (the base alike, or from outside the block),
 * possibly demangled as glibc does (PTR_DEMANGLE: "ror $0x11, r; xor
 * %fs:0x30, r").
 */
static bool plain_pointer(const struct scratch *sc, const struct block *B, uint32_t i, unsigned depth)
{
	const struct insn *I = &sc->iv[i];
	const struct op *ops = OPS(I);
	uint32_t d;

	if (I->bad || depth > 8 || I->in.operand_count_visible != 2 || ops[0].type != ZYDIS_OPERAND_TYPE_REGISTER ||
	    ops[0].reg.width != 64 || ops[0].reg.gpr < 0)
		return false;
	switch (I->in.mnemonic) {
	case ZYDIS_MNEMONIC_MOV:
		if (ops[1].type != ZYDIS_OPERAND_TYPE_MEMORY || ops[1].mem.index_gpr >= 0)
			return false;
		if (ops[1].mem.base_gpr < 0 || is_rip_mem(&ops[1]))
			return true;
		d = def_before(sc, B, i, ops[1].mem.base_gpr);
		return d == UINT32_MAX || plain_pointer(sc, B, d, depth + 1);
	case ZYDIS_MNEMONIC_ROR:
	case ZYDIS_MNEMONIC_ROL:
		if (ops[1].type != ZYDIS_OPERAND_TYPE_IMMEDIATE)
			return false;
		break;
	case ZYDIS_MNEMONIC_XOR:
		if (ops[1].type != ZYDIS_OPERAND_TYPE_MEMORY || ops[1].mem.segment != ZYDIS_REGISTER_FS ||
		    ops[1].mem.base_gpr >= 0 || ops[1].mem.index_gpr >= 0)
			return false;
		break;
	default:
		return false;
	}
	d = def_before(sc, B, i, ops[0].reg.gpr);
	return d != UINT32_MAX && plain_pointer(sc, B, d, depth + 1);
}

/*
 * Is instruction i of block B, which defines the base register of a
 * "jmp *disp(%base)", free of table indexing?  A plain pointer load, or
 * a constant, or the register moved by a constant or copied from one
 * that is free of it or comes from outside the block (GHC: "mov
 * %rax,%rbx; ... jmp *(%rbx)", "add $0x18,%rbp; jmp *0x0(%rbp)", "and
 * $-8,%rbx; jmp *(%rbx)": a tag cleared off a pointer).
 */
static bool plain_base(const struct scratch *sc, const struct block *B, uint32_t i, unsigned depth)
{
	const struct insn *I = &sc->iv[i];
	const struct op *ops = OPS(I);
	int from = -1;
	uint32_t d;

	if (I->bad || depth > 8 || I->in.operand_count_visible != 2 || ops[0].type != ZYDIS_OPERAND_TYPE_REGISTER ||
	    ops[0].reg.gpr < 0)
		return false;
	/* A constant address ("mov $0xa5857d0,%ebx": a static closure) is one slot, not a table. */
	if (I->in.mnemonic == ZYDIS_MNEMONIC_MOV && ops[1].type == ZYDIS_OPERAND_TYPE_IMMEDIATE)
		return ops[0].reg.width >= 32;
	if (ops[0].reg.width != 64)
		return false;
	switch (I->in.mnemonic) {
	case ZYDIS_MNEMONIC_MOV:
		if (ops[1].type == ZYDIS_OPERAND_TYPE_REGISTER && ops[1].reg.width == 64)
			from = ops[1].reg.gpr;
		break;
	case ZYDIS_MNEMONIC_ADD:
	case ZYDIS_MNEMONIC_SUB:
	case ZYDIS_MNEMONIC_AND:
		if (ops[1].type == ZYDIS_OPERAND_TYPE_IMMEDIATE)
			from = ops[0].reg.gpr;
		break;
	case ZYDIS_MNEMONIC_LEA:
		if (ops[1].mem.index_gpr >= 0)
			return false;
		if (is_rip_mem(&ops[1]))
			return true;
		from = ops[1].mem.base_gpr;
		break;
	default:
		break;
	}
	if (from < 0 || from == DIS_RSP)
		return plain_pointer(sc, B, i, depth);
	d = def_before(sc, B, i, from);
	return d == UINT32_MAX || plain_base(sc, B, d, depth + 1);
}

/*
 * May block B's indirect jump be a jump table (or a computed goto) into
 * this function?  No only for what reads like a tail call through a
 * function pointer: "jmp *%r" with r loaded so in the block, or "jmp
 * *disp(%base)" with the base from outside the block or loaded or copied
 * so in it, with no scaled index anywhere on the way.  Compilers index
 * jump tables ("jmp *T(,%rax,8)", "movslq (%rdx,%rax,4),%rax; add
 * %rdx,%rax; jmp *%rax"); anything unclear counts as a table.  A jump
 * through memory goes to a code address stored there; the addresses
 * stored (relocations, data words, lea and immediates) start functions
 * of their own, so such a jump leaves this one.
 */
static bool table_like(const struct scratch *sc, const struct block *B)
{
	const struct op *op = &OPS(&sc->iv[B->last])[0];
	uint32_t d;

	if (op->type == ZYDIS_OPERAND_TYPE_MEMORY) {
		if (is_rip_mem(op) || op->mem.index_gpr >= 0)
			return !is_rip_mem(op);
		if (op->mem.base_gpr < 0)
			return true;
		d = def_before(sc, B, B->last, op->mem.base_gpr);
		return d != UINT32_MAX && !plain_base(sc, B, d, 0);
	}
	if (op->type != ZYDIS_OPERAND_TYPE_REGISTER || op->reg.gpr < 0)
		return true;
	d = def_before(sc, B, B->last, op->reg.gpr);
	return d == UINT32_MAX || !plain_pointer(sc, B, d, 0);
}

/* Does the indirect jump I, from state 'st', possibly stay in the function (not a loaded import)? */
static bool table_jump(const struct dis_state *st, const struct insn *I)
{
	const struct op *op = &OPS(I)[0];

	return !(op->type == ZYDIS_OPERAND_TYPE_REGISTER && op->reg.gpr >= 0 &&
		 st->reg[op->reg.gpr].kind == DIS_LOADED && followed_slot(st->reg[op->reg.gpr].value));
}


/*
 * The case labels of the jump table of the indirect jump at instruction
 * i, in the two forms GCC and clang emit for x86-64 switches:
 *   position-independent: "lea T(%rip),%rB ... movslq (%rB,%rI,4),%rX;
 *     add %rB,%rX; jmp *%rX", entries T + int32;
 *   position-dependent: "jmp *T(,%rI,8)", entries absolute 64-bit.
 * They start blocks: a case the previous one falls through into is
 * entered at its label with the jump's state (jump_anywhere gives that
 * state to every block).  Entries are taken while they start an
 * instruction of the function (the table's length is not read from the
 * bound check; reading past its end only splits blocks).
 */
static void read_table(struct scratch *sc, uint32_t i, const struct dis_opts *opts)
{
	const struct op *op = &OPS(&sc->iv[i])[0];
	const uint8_t *data;
	uint64_t table;
	size_t avail = 0;
	unsigned width;
	struct table tab = { i, i, -1, false, (uint32_t)sc->tt_nr, 0 };

	if (!opts->read_data)
		return;
	if (op->type == ZYDIS_OPERAND_TYPE_MEMORY) {
		if (op->mem.base_gpr >= 0 || op->mem.index_gpr < 0 || op->size != 64 || op->mem.disp.value <= 0)
			return;
		table = (uint64_t)op->mem.disp.value;
		width = 8;
		tab.idx = (int8_t)op->mem.index_gpr;
	} else if (op->type == ZYDIS_OPERAND_TYPE_REGISTER && op->reg.gpr >= 0) {
		/* add: the jump register's last write before the jump; movslq: the one before that. */
		int x = op->reg.gpr, base;
		uint32_t a = writer_in(sc, i > 8 ? i - 8 : 0, i, x, true);
		uint32_t m = a != UINT32_MAX ? writer_in(sc, a > 8 ? a - 8 : 0, a, x, true) : UINT32_MAX;
		const struct insn *A, *M, *L;
		const struct op *ao, *mo;
		uint32_t l;

		if (m == UINT32_MAX)
			return;
		A = &sc->iv[a];
		M = &sc->iv[m];
		ao = OPS(A);
		mo = OPS(M);
		if (!ao || !mo || A->bad || M->bad || A->in.mnemonic != ZYDIS_MNEMONIC_ADD ||
		    M->in.mnemonic != ZYDIS_MNEMONIC_MOVSXD || A->in.operand_count_visible != 2 ||
		    M->in.operand_count_visible != 2 || ao[0].type != ZYDIS_OPERAND_TYPE_REGISTER ||
		    ao[0].reg.gpr != x || ao[1].type != ZYDIS_OPERAND_TYPE_REGISTER ||
		    mo[0].type != ZYDIS_OPERAND_TYPE_REGISTER || mo[0].reg.gpr != x ||
		    mo[1].type != ZYDIS_OPERAND_TYPE_MEMORY || mo[1].mem.index_gpr < 0 || mo[1].mem.disp.value != 0 ||
		    (base = mo[1].mem.base_gpr) < 0 || ao[1].reg.gpr != base ||
		    writer_in(sc, m, a, base, false) != UINT32_MAX)
			return;
		/* The table's address, loaded shortly before (in address order). */
		l = writer_in(sc, m > 64 ? m - 64 : 0, m, base, false);
		if (l == UINT32_MAX)
			return;
		L = &sc->iv[l];
		if (L->in.mnemonic != ZYDIS_MNEMONIC_LEA || !is_rip_mem(&OPS(L)[1]))
			return;
		table = rip_target(&L->in, L->addr, &OPS(L)[1]);
		width = 4;
		tab.load = m;
		tab.idx = (int8_t)mo[1].mem.index_gpr;
	} else {
		return;
	}
	data = opts->read_data(opts->noreturn_ctx, table, &avail);
	for (uint32_t k = 0; data && k < 65536 && ((size_t)k + 1) * width <= avail; k++) {
		const uint8_t *e = data + (size_t)k * width;
		uint64_t t;
		uint32_t at;

		if (width == 8) {
			memcpy(&t, e, 8);
		} else {
			int32_t d;

			memcpy(&d, e, 4);
			t = table + (uint64_t)(int64_t)d;
		}
		if (t < cur_lo || t >= cur_hi || (at = insn_at(sc, t)) == UINT32_MAX)
			break;
		ALLOC_GROW(sc->tt, sc->tt_nr + 1, sc->tt_alloc);
		sc->tt[sc->tt_nr++] = at;
	}
	tab.nr = (uint32_t)sc->tt_nr - tab.first;
	ALLOC_GROW(sc->tabs, sc->tabs_nr + 1, sc->tabs_alloc);
	sc->tabs[sc->tabs_nr++] = tab;
}

/* The first instruction of i's block (leaders are marked in block_of while blocks are formed). */
static uint32_t leader_of(const struct scratch *sc, uint32_t i)
{
	while (i > 0 && sc->block_of[i] != UINT32_MAX)
		i--;
	return i;
}

/*
 * Is instruction L entered only by falling into it (no branch, table or
 * other function jumps there, and the unwinder does not land there)?
 */
static bool only_fallthrough(const struct scratch *sc, uint32_t L, const struct dis_opts *opts)
{
	uint64_t a = sc->iv[L].addr;
	size_t j = u64_lower_bound(opts->joins, opts->joins_nr, a);

	if (j < opts->joins_nr && opts->joins[j] == a)
		return false;
	if (opts->entered && opts->entered(opts->noreturn_ctx, a) == DIS_ENTRY_LANDING_PAD)
		return false;
	for (size_t k = 0; k < sc->tt_nr; k++)
		if (sc->tt[k] == L)
			return false;
	for (size_t k = 0; k < sc->btgt_nr; k++)
		if (sc->btgt[k] == L)
			return false;
	return true;
}

/* Does instruction I write register r as its first operand, 'width' bits wide? */
static bool writes_reg(const struct insn *I, int r, unsigned width)
{
	const struct op *o = OPS(I);

	return !I->bad && o && I->in.operand_count_visible >= 1 && o[0].type == ZYDIS_OPERAND_TYPE_REGISTER &&
	       o[0].reg.gpr == r && o[0].reg.width == width && (o[0].actions & ZYDIS_OPERAND_ACTION_MASK_WRITE);
}

/*
 * The last instruction in [lo, i) that writes register r, UINT32_MAX when
 * none does; *bad is set when a call or an undecodable byte comes first.
 */
static uint32_t last_write(const struct scratch *sc, uint32_t lo, uint32_t i, int r, bool *bad)
{
	*bad = false;
	while (i-- > lo) {
		const struct insn *I = &sc->iv[i];

		if (I->bad || I->in.mnemonic == ZYDIS_MNEMONIC_CALL) {
			*bad = true;
			return UINT32_MAX;
		}
		for (unsigned k = 0; k < I->in.operand_count; k++)
			if (OPS(I)[k].type == ZYDIS_OPERAND_TYPE_REGISTER && OPS(I)[k].reg.gpr == r &&
			    (OPS(I)[k].actions & ZYDIS_OPERAND_ACTION_MASK_WRITE))
				return i;
	}
	return UINT32_MAX;
}

/*
 * How many entries the table T (indexed at instruction T->load by register
 * T->idx) can have, when the code bounds its index on every way to the
 * jump, else 0.  Within the load's block (from its first instruction to
 * the jump: one way in, no call):
 *   "and $mask, idx" as the index's last write (Rust's state machines);
 *   or no write to the index but a zero extension ("mov %eI, %eI"), and
 *   "cmp $N, idx; ja default" (jae) right before the block, which nothing
 *   enters but that fall-through (nor the ja but the compare); a 32-bit
 *   compare bounds the register
 *   only if its upper half is clear: a zero extension after it, or a
 *   32-bit write of it earlier in the compare's block.
 */
static uint32_t table_bound(const struct scratch *sc, const struct table *T, const struct dis_opts *opts)
{
	uint32_t L, w;
	const struct insn *J, *C;
	const struct op *co;
	bool bad, zext = false;

	if (T->idx < 0)
		return 0;
	for (uint32_t k = T->load + 1; k <= T->jmp; k++)
		if (sc->block_of[k] == UINT32_MAX || sc->iv[k].bad || sc->iv[k].in.mnemonic == ZYDIS_MNEMONIC_CALL)
			return 0;
	L = leader_of(sc, T->load);
	w = last_write(sc, L, T->load, T->idx, &bad);
	if (bad)
		return 0;
	if (w != UINT32_MAX) {
		const struct insn *A = &sc->iv[w];
		const struct op *ao = OPS(A);

		if (A->in.mnemonic == ZYDIS_MNEMONIC_AND && A->in.operand_count_visible == 2 &&
		    (writes_reg(A, T->idx, 32) || writes_reg(A, T->idx, 64)) && ao[1].type == ZYDIS_OPERAND_TYPE_IMMEDIATE &&
		    ao[1].imm.value.s >= 0 && ao[1].imm.value.s < 4096)
			return (uint32_t)ao[1].imm.value.s + 1;
		if (A->in.mnemonic != ZYDIS_MNEMONIC_MOV || !writes_reg(A, T->idx, 32) ||
		    ao[1].type != ZYDIS_OPERAND_TYPE_REGISTER || ao[1].reg.gpr != T->idx ||
		    last_write(sc, L, w, T->idx, &bad) != UINT32_MAX || bad)
			return 0;
		zext = true;
	}
	if (L < 2)
		return 0;
	J = &sc->iv[L - 1];
	C = &sc->iv[L - 2];
	co = OPS(C);
	/* The jcc must take its flags from the compare: nothing jumps to it. */
	if (sc->block_of[L - 1] == UINT32_MAX || J->bad || C->bad || !co || (J->in.mnemonic != ZYDIS_MNEMONIC_JNBE && J->in.mnemonic != ZYDIS_MNEMONIC_JNB) ||
	    C->in.mnemonic != ZYDIS_MNEMONIC_CMP || C->in.operand_count_visible != 2 ||
	    co[0].type != ZYDIS_OPERAND_TYPE_REGISTER || co[0].reg.gpr != T->idx || co[0].reg.width < 32 ||
	    co[1].type != ZYDIS_OPERAND_TYPE_IMMEDIATE || co[1].imm.value.s < 0 || co[1].imm.value.s >= 65536 ||
	    !only_fallthrough(sc, L, opts))
		return 0;
	if (co[0].reg.width == 32 && !zext) {
		uint32_t d = last_write(sc, leader_of(sc, L - 2), L - 2, T->idx, &bad);

		if (bad || d == UINT32_MAX || !writes_reg(&sc->iv[d], T->idx, 32))
			return 0;
	}
	return (uint32_t)co[1].imm.value.s + (J->in.mnemonic == ZYDIS_MNEMONIC_JNBE ? 1 : 0);
}/* The edge into block b carries state 'out': meet it into b's entry state, queue b when that changed. */
static void flow(struct scratch *sc, uint32_t nb, uint32_t b, const struct dis_state *out, uint32_t *wn,
		 const struct dis_opts *opts)
{
	struct block *S = &sc->blocks[b];
	bool changed;

	if (!S->seen) {
		S->st = *out;
		S->seen = true;
		changed = true;
	} else {
		join_escapes(sc, nb, b, &S->st, out, opts);
		changed = state_meet(&S->st, out);
	}
	if (changed && !S->queued) {
		S->queued = true;
		sc->work[(*wn)++] = b;
	}
}

/*
 * A jump table's targets are not known (no bound on its index: see
 * table_bound), and any block of the function may be one: each starts from the state at the indirect jump too (the
 * meet of all such jumps' states, so that a function full of them, a
 * computed-goto interpreter, costs one pass over its blocks per change).
 * Without it, a case that sets a syscall number or a wrapper's argument
 * and jumps to code another path also reaches would be lost there.
 */
static void jump_anywhere(struct scratch *sc, uint32_t nb, const struct dis_state *st, uint32_t *wn,
			  const struct dis_opts *opts)
{
	if (!sc->sw_seen) {
		sc->sw = *st;
		sc->sw_seen = true;
	} else if (!state_meet(&sc->sw, st)) {
		return;
	}
	for (uint32_t b = 0; b < nb; b++) {
		struct block *S = &sc->blocks[b];
		bool changed;

		/*
		 * No table names alignment padding, nor the function's first
		 * instruction: a case that starts the function again jumps
		 * there directly (an edge), and an empty one ("continue" in
		 * "for (;;) switch") would loop forever.
		 */
		if (b == 0 || padding_block(sc, S))
			continue;
		if (!S->seen) {
			S->st = sc->sw;
			S->seen = true;
			changed = true;
		} else {
			join_escapes(sc, nb, b, &S->st, &sc->sw, opts);
			changed = state_meet(&S->st, &sc->sw);
		}
		if (changed && !S->queued) {
			S->queued = true;
			sc->work[(*wn)++] = b;
		}
	}
}

/* Where execution goes after instruction I, the function ending at 'end': past it when I crosses it. */
static uint64_t insn_end(const struct insn *I, uint64_t end)
{
	uint64_t e = I->addr + I->in.length;

	return e > end ? e : end;
}

int dis_function(const uint8_t *code, size_t len, uint64_t vaddr, const struct dis_opts *opts,
		 dis_fn fn, void *ctx, struct dis_result *res)
{
	static const struct dis_opts no_opts;
	struct scratch *sc = &scratch;
	ZydisDecoder dec;
	uint32_t n = 0, nb = 0, wn = 0, nops = 0;
	bool hit;
	size_t pos = 0, j;
	uint64_t end = vaddr + len;

	if (!opts)
		opts = &no_opts;
	pthread_once(&reg_tab_once, reg_tab_fill);
	cur_lo = vaddr;
	cur_hi = end;
	sc->recs_nr = sc->snaps_nr = 0;
	sc->recs_full = false;
	sc->loads_nr = sc->esc_nr = sc->held_nr = sc->tt_nr = sc->tabs_nr = sc->btgt_nr = 0;
	sc->live_ok = sc->sw_seen = false;
	memset(res, 0, sizeof(*res));
	ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);

	/* 1. Decode (or take the pre-pass's instructions). */
	hit = dd_take(sc, opts->decoded ? opts->decoded->decoded : NULL, code, len, vaddr, &n, &nops, &pos, res);
	while (pos < len && n < MAX_FUNC_INSNS) {
		struct insn *I;

		ALLOC_GROW(sc->insns, n + 1, sc->insns_alloc);
		ALLOC_GROW(sc->ops, nops + ZYDIS_MAX_OPERAND_COUNT, sc->ops_alloc);
		I = &sc->insns[n];
		if (!decode_one(&dec, code + pos, (opts->avail > len ? opts->avail : len) - pos, I, sc->ops + nops)) {
			insn_set_bad(I);
			I->addr = vaddr + pos;
			I->op0 = nops;
			res->bad++;
			pos++;
			n++;
			continue;
		}
		I->addr = vaddr + pos;
		I->op0 = nops;
		nops += I->in.operand_count;
		res->insns++;
		res->bytes += I->in.length;
		pos += I->in.length;
		n++;
	}
	if (!hit) {
		sc->iv = sc->insns;
		cur_ops = sc->ops;
	}
	if (!n)
		return 0;
	at_fill(sc, vaddr, len, n);

	/* 2. Basic blocks: the entry, in-function branch targets, what follows a branch. */
	ALLOC_GROW(sc->block_of, n, sc->block_of_alloc);
	for (uint32_t i = 0; i < n; i++)
		sc->block_of[i] = 0;
	sc->block_of[0] = UINT32_MAX; /* leader mark */
	for (uint32_t i = 0; i < n; i++) {
		const struct insn *I = &sc->iv[i];
		uint64_t t;
		bool branch = !I->bad && (I->in.meta.category == ZYDIS_CATEGORY_COND_BR ||
					  I->in.meta.category == ZYDIS_CATEGORY_UNCOND_BR);

		if ((branch || is_terminator(I) || is_noreturn_call(I, opts)) && i + 1 < n)
			sc->block_of[i + 1] = UINT32_MAX;
		if (branch && direct_target(I, &t) && t >= vaddr && t < end) {
			uint32_t k = insn_at(sc, t);

			if (k != UINT32_MAX) {
				sc->block_of[k] = UINT32_MAX;
				ALLOC_GROW(sc->btgt, sc->btgt_nr + 1, sc->btgt_alloc);
				sc->btgt[sc->btgt_nr++] = k;
			}
		}
	}
	/* The cases of the jump tables it can read. */
	for (uint32_t i = 0; i < n; i++)
		if (!sc->iv[i].bad && sc->iv[i].in.mnemonic == ZYDIS_MNEMONIC_JMP &&
		    OPS(&sc->iv[i])[0].type != ZYDIS_OPERAND_TYPE_IMMEDIATE && !is_rip_mem(&OPS(&sc->iv[i])[0]))
			read_table(sc, i, opts);
	for (size_t k = 0; k < sc->tt_nr; k++)
		sc->block_of[sc->tt[k]] = UINT32_MAX;
	/* Targets of branches from elsewhere in the object are leaders too. */
	j = u64_lower_bound(opts->joins, opts->joins_nr, vaddr);
	for (size_t k = j; k < opts->joins_nr && opts->joins[k] < end; k++) {
		uint32_t i = insn_at(sc, opts->joins[k]);

		if (i != UINT32_MAX)
			sc->block_of[i] = UINT32_MAX;
	}
	/* With every leader known: the tables whose cases are all known (the rest may go anywhere). */
	for (size_t k = 0; k < sc->tabs_nr; k++) {
		struct table *T = &sc->tabs[k];
		uint32_t bound = table_bound(sc, T, opts);

		T->exact = bound && bound <= T->nr;
		if (T->exact)
			T->nr = bound;
	}
	for (uint32_t i = 0; i < n; i++) {
		if (sc->block_of[i] == UINT32_MAX) {
			ALLOC_GROW(sc->blocks, nb + 1, sc->blocks_alloc);
			sc->blocks[nb].first = sc->blocks[nb].last = i;
			sc->blocks[nb].succ_nr = 0;
			sc->blocks[nb].seen = sc->blocks[nb].queued = sc->blocks[nb].recorded = false;
			sc->blocks[nb].ijump = false;
			sc->blocks[nb].table = UINT32_MAX;
			nb++;
		}
		sc->block_of[i] = nb - 1;
		sc->blocks[nb - 1].last = i;
	}
	for (uint32_t b = 0; b < nb; b++) {
		struct block *B = &sc->blocks[b];
		const struct insn *I = &sc->iv[B->last];
		uint64_t t = 0; /* inner_branch() holds only for a direct target */
		bool cond = !I->bad && I->in.meta.category == ZYDIS_CATEGORY_COND_BR;
		bool jmp = !I->bad && I->in.mnemonic == ZYDIS_MNEMONIC_JMP;

		if ((cond || jmp) && inner_branch(sc, I, opts->go_abi)) {
			(void)direct_target(I, &t);
			B->succ[B->succ_nr++] = sc->block_of[insn_at(sc, t)];
		}
		if (!is_terminator(I) && !is_noreturn_call(I, opts) && b + 1 < nb)
			B->succ[B->succ_nr++] = b + 1;
		B->ijump = jmp && OPS(I)[0].type != ZYDIS_OPERAND_TYPE_IMMEDIATE && table_like(sc, B);
		for (size_t k = 0; B->ijump && k < sc->tabs_nr; k++)
			if (sc->tabs[k].jmp == B->last && sc->tabs[k].exact)
				B->table = (uint32_t)k;
	}

	/* 3. Fixpoint, seeded by the entry and by blocks entered from outside. */
	ALLOC_GROW(sc->work, nb + 1, sc->work_alloc);
	state_entry(&sc->blocks[0].st);
	sc->blocks[0].seen = true;
	sc->blocks[0].queued = true;
	sc->work[wn++] = 0;
	for (size_t k = j; k < opts->joins_nr && opts->joins[k] < end; k++) {
		uint32_t i = insn_at(sc, opts->joins[k]);
		struct block *B;
		struct dis_state u;

		if (i == UINT32_MAX)
			continue;
		if (opts->join_srcs && opts->join_srcs[k] >= vaddr && opts->join_srcs[k] < end)
			continue;
		/* A jump from elsewhere to the entry is a tail call: it passes arguments. */
		if (i == 0)
			continue;
		B = &sc->blocks[sc->block_of[i]];
		state_unknown(&u);
		if (!B->seen) {
			B->st = u;
			B->seen = true;
		} else {
			state_meet(&B->st, &u);
		}
		if (!B->queued) {
			B->queued = true;
			sc->work[wn++] = sc->block_of[i];
		}
	}
	while (wn) {
		uint32_t b = sc->work[--wn];
		struct block *B = &sc->blocks[b];
		struct dis_state st, zst;
		int zreg, zsucc;

		B->queued = false;
		/* Only successors use the state at the block's end. */
		if (!B->succ_nr && !B->ijump)
			continue;
		st = B->st;
		/*
		 * The last pass over a block starts from its final entry state
		 * (a change to that state queues the block again), so its
		 * records are the ones the report below would produce.
		 */
		B->rec_first = (uint32_t)sc->recs_nr;
		for (uint32_t i = B->first; i <= B->last; i++)
			B->ft = step(&st, &sc->iv[i], opts, fn && replay_enabled ? keep_rec : NULL, sc);
		B->rec_nr = (uint32_t)(sc->recs_nr - B->rec_first);
		B->recorded = fn && replay_enabled && !sc->recs_full;
		zreg = zero_test(sc, B, &zsucc);
		for (unsigned s = 0; s < B->succ_nr; s++) {
			const struct dis_state *out = &st;

			/* "test r,r; je L": r is 0 on the way to L. */
			if (zreg >= 0 && (int)s == zsucc) {
				zst = st;
				zst.reg[zreg] = (struct dis_val){ DIS_CONST, 0, 0 };
				out = &zst;
			}
			flow(sc, nb, B->succ[s], out, &wn, opts);
		}
		if (B->ijump && table_jump(&st, &sc->iv[B->last])) {
			const struct table *T = B->table != UINT32_MAX ? &sc->tabs[B->table] : NULL;

			if (!T)
				jump_anywhere(sc, nb, &st, &wn, opts);
			for (uint32_t k = 0; T && k < T->nr; k++)
				flow(sc, nb, sc->block_of[sc->tt[T->first + k]], &st, &wn, opts);
		}
	}

	/* 4. Report each block from its fixpoint state (unknown when no known edge reaches it). */
	bool indirect = false;

	/*
	 * Code no edge reaches runs only when a jump table whose cases are
	 * not all known lands there: one of the function's indirect jumps
	 * that may stay in it (table_like: not a tail call through a
	 * pointer read from memory, which goes where stored addresses go,
	 * and those are function starts), in code the entry reaches.  GHC's
	 * info tables sit between functions that end in "jmp *(%rbx)" and
	 * decode as anything, syscall and int 0x80 included.
	 */
	for (uint32_t b = 0; b < nb && !indirect; b++)
		indirect = sc->blocks[b].seen && sc->blocks[b].ijump && sc->blocks[b].table == UINT32_MAX;
	for (uint32_t b = 0; b < nb; b++) {
		struct block *B = &sc->blocks[b];
		struct dis_state st;
		bool ft = true;

		if (B->recorded) {
			for (uint32_t k = B->rec_first; k < B->rec_first + B->rec_nr; k++) {
				const struct prec *P = &sc->recs[k];
				struct dis_rec r = { P->kind, P->addr, P->target, P->len, true, false, NULL };

				if (P->kind == DIS_ADDR && insn_at(sc, P->addr) != UINT32_MAX)
					r.compare_only = lea_compare_only(sc, n, insn_at(sc, P->addr));
				if (P->snap != UINT32_MAX) {
					snap_load(sc, P->snap, &st);
					r.st = &st;
				}
				fn(&r, ctx);
			}
			if (b + 1 == nb)
				res->falls_off = B->ft && !is_terminator(&sc->iv[B->last]) &&
						 !is_noreturn_call(&sc->iv[B->last], opts);
			continue;
		}
		if (B->seen)
			st = B->st;
		else
			state_unknown(&st);
		cur_reached = B->seen || indirect;
		cur_unseen = !B->seen;
		for (uint32_t i = B->first; i <= B->last; i++) {
			cur_compare_only = lea_compare_only(sc, n, i);
			ft = step(&st, &sc->iv[i], opts, fn, ctx);
		}
		cur_compare_only = false;
		cur_unseen = false;
		/* Only code the entry reaches can run into the next function. */
		if (b + 1 == nb)
			res->falls_off = B->seen && ft && !is_terminator(&sc->iv[B->last]) &&
					 !is_noreturn_call(&sc->iv[B->last], opts);
	}
	if (res->falls_off)
		res->next = insn_end(&sc->iv[sc->blocks[nb - 1].last], end);
	if (fn && sc->loads_nr) {
		/*
		 * The unwinder enters a landing pad with the callee-saved
		 * registers as the instruction that threw left them (it sets
		 * the others): one using such a register may use any pointer
		 * it held.  A block no edge reaches is a landing pad,
		 * a jump table case (an indirect jump already let every
		 * loaded pointer escape), padding or dead code; when the
		 * object's unwind tables do not say which, it may be a pad.
		 */
		for (uint32_t b = 0; b < nb && sc->held_nr; b++) {
			const struct block *B = &sc->blocks[b];
			enum dis_entry e = opts->entered ? opts->entered(opts->noreturn_ctx, sc->iv[B->first].addr)
							 : DIS_ENTRY_UNKNOWN;

			if (e == DIS_ENTRY_NONE || (e == DIS_ENTRY_UNKNOWN && (B->seen || padding_block(sc, B))))
				continue;
			for (size_t k = 0; k < sc->held_nr; k++)
				if (live_at(sc, nb, b, sc->held[k].reg, opts))
					escape_val((struct dis_val){ DIS_LOADED, 0, sc->held[k].slot });
		}
		report_escapes(fn, ctx, res->falls_off);
	}
	return 0;
}

static void push_target(uint64_t **a, size_t *nr, size_t *alloc, uint64_t v)
{
	ALLOC_GROW(*a, *nr + 1, *alloc);
	(*a)[(*nr)++] = v;
}

/*
 * A pre-pass's arrays kept for the next object this thread summarises,
 * when they are small (most objects of an image).  Larger ones go back to
 * malloc for anything to reuse: holding 30 MiB a thread for the next
 * large object cost the nginx files' cold run 20 MB more fresh memory.
 */
#define DD_SPARE_MAX (16u << 20)
static _Thread_local struct dis_decoded *dd_spare;

static void dd_free(struct dis_decoded *dd)
{
	if (!dd)
		return;
	free(dd->ranges);
	free(dd->bad);
	free(dd->insns);
	free(dd->ops);
	free(dd);
}

/* Grow one kept array to hold 'need' records, doubling but never past 'cap' (unless 'need' is). */
static void *dd_grow(void *a, size_t *alloc, size_t need, size_t cap, size_t size)
{
	size_t n = *alloc < 8 ? 16 : *alloc * 2;

	if (need <= *alloc)
		return a;
	if (n > cap)
		n = cap;
	if (n < need)
		n = need;
	*alloc = n;
	return xrealloc_array(a, n, size);
}

/* Room for 'insns' instructions and 'ops' operands in all, within the caps where they allow. */
static void dd_reserve(struct dis_decoded *dd, size_t insns, size_t ops)
{
	/* The common case, once per instruction decoded: room already. */
	if (insns <= dd->insns_alloc && ops <= dd->ops_alloc)
		return;
	if (insns > dd->max_insns)
		insns = dd->max_insns;
	if (ops > dd->max_ops)
		ops = dd->max_ops;
	dd->insns = dd_grow(dd->insns, &dd->insns_alloc, insns, dd->max_insns, sizeof(*dd->insns));
	dd->ops = dd_grow(dd->ops, &dd->ops_alloc, ops, dd->max_ops, sizeof(*dd->ops));
}

/* Keep an undecodable position of the pre-pass (the arrays have room: see dis_collect_targets). */
static void dd_keep_bad(struct dis_decoded *dd, uint64_t addr)
{
	struct insn *I = &dd->insns[dd->insns_nr];

	insn_set_bad(I);
	I->addr = addr;
	I->op0 = (uint32_t)dd->ops_nr;
	ALLOC_GROW(dd->bad, dd->bad_nr + 1, dd->bad_alloc);
	dd->bad[dd->bad_nr++] = (uint32_t)dd->insns_nr++;
}

/*
 * Decode one instruction with Zydis into *I (header always; operands into
 * 'ops' unless NULL) and *raw.  Returns -1 when undecodable, 0 when its
 * operands could not be decoded (header and raw only), 1 otherwise.
 */
static int zydis_one(const ZydisDecoder *dec, const uint8_t *code, size_t len, struct op *ops, struct insn *I,
		     struct insn_raw *raw)
{
	ZydisDecoderContext zctx;
	ZydisDecodedInstruction in;
	ZydisDecodedOperand zops[ZYDIS_MAX_OPERAND_COUNT];
	int ret = 1;

	if (ZYAN_FAILED(ZydisDecoderDecodeInstruction(dec, &zctx, code, len, &in)))
		return -1;
	if (ops) {
		if (ZYAN_FAILED(ZydisDecoderDecodeOperands(dec, &zctx, &in, zops, in.operand_count)))
			ret = 0;
		else
			insn_set(I, &in, zops, ops);
	}
	*raw = (struct insn_raw){
		.relative = in.attributes & ZYDIS_ATTRIB_IS_RELATIVE,
		.riprel_modrm = in.raw.modrm.mod == 0 && in.raw.modrm.rm == 5,
		.opcode = in.opcode,
		.imm0_size = in.raw.imm[0].size,
		.imm0_relative = in.raw.imm[0].is_relative,
		.imm0 = in.raw.imm[0].value.u,
		.disp = in.raw.disp.value,
	};
	I->in.mnemonic = (uint16_t)in.mnemonic;
	I->in.length = in.length;
	I->in.meta.category = (uint8_t)in.meta.category;
	return ret;
}

static bool op_same(const struct op *a, const struct op *b)
{
	return a->type == b->type && a->actions == b->actions && a->size == b->size &&
	       !memcmp(&a->imm, &b->imm, sizeof(a->imm) > sizeof(a->mem) ? sizeof(a->imm) : sizeof(a->mem));
}

int dis_fastdec_check(const uint8_t *code, size_t len, char *why, size_t why_len)
{
	ZydisDecoder dec;
	struct insn fi = { 0 }, zi = { 0 };
	struct op fops[ZYDIS_MAX_OPERAND_COUNT], zops[ZYDIS_MAX_OPERAND_COUNT];
	struct insn_raw fraw, zraw;
	const char *what = NULL;

	pthread_once(&reg_tab_once, reg_tab_fill);
	if (!fastdec_insn(code, len, &fi, fops, &fraw))
		return 0;
	ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
	if (zydis_one(&dec, code, len, zops, &zi, &zraw) != 1)
		what = "Zydis cannot decode it";
	else if (memcmp(&fi.in, &zi.in, sizeof(fi.in)))
		what = "instruction header";
	else if (fi.bad != zi.bad || fi.rel != zi.rel || fi.rel_disp != zi.rel_disp)
		what = "relative branch";
	else if (fraw.relative != zraw.relative || fraw.riprel_modrm != zraw.riprel_modrm ||
		 fraw.opcode != zraw.opcode || fraw.imm0_size != zraw.imm0_size ||
		 fraw.imm0_relative != zraw.imm0_relative || fraw.imm0 != zraw.imm0 || fraw.disp != zraw.disp)
		what = "raw fields";
	for (unsigned k = 0; !what && k < fi.in.operand_count; k++)
		if (!op_same(&fops[k], &zops[k]))
			what = "an operand";
	if (!what)
		return 1;
	if (why && why_len) {
		size_t n = 0;

		n += (size_t)snprintf(why + n, why_len - n, "%s differs:", what);
		for (size_t k = 0; k < fi.in.length && k < 15 && n < why_len; k++)
			n += (size_t)snprintf(why + n, why_len - n, " %02x", code[k]);
		if (n < why_len)
			snprintf(why + n, why_len - n, " (len %u/%u ops %u/%u)", fi.in.length, zi.in.length,
				 fi.in.operand_count, zi.in.operand_count);
	}
	return -1;
}

void dis_fastdec_enable(bool on)
{
	fastdec_enabled = on;
}

static bool is_store_candidate(const struct insn_hdr *in, const struct insn_raw *raw)
{
	uint16_t mn = in->mnemonic;

	return raw->relative && raw->riprel_modrm && mn != ZYDIS_MNEMONIC_LEA &&
	       !(mn == ZYDIS_MNEMONIC_MOV && raw->opcode == 0x8b) &&
	       !(mn == ZYDIS_MNEMONIC_CMP || mn == ZYDIS_MNEMONIC_TEST || mn == ZYDIS_MNEMONIC_CALL ||
		 mn == ZYDIS_MNEMONIC_JMP);
}

/*
 * The bytes a rip-relative access to 'target' reaches, from its operand
 * (NULL: unknown); 0 when they are not known to be just the operand's.
 */
static uint64_t store_size(const struct insn_hdr *in, const struct op *ops)
{
	const struct op *m = NULL;

	for (unsigned k = 0; ops && k < in->operand_count; k++)
		if (ops[k].type == ZYDIS_OPERAND_TYPE_MEMORY && ops[k].mem.base == ZYDIS_REGISTER_RIP)
			m = &ops[k];
	if (!m || !m->size || m->size % 8 || m->size > 512)
		return 0;
	/* A register bit offset addresses memory anywhere from the operand. */
	if (in->mnemonic == ZYDIS_MNEMONIC_BTS || in->mnemonic == ZYDIS_MNEMONIC_BTR ||
	    in->mnemonic == ZYDIS_MNEMONIC_BTC || in->mnemonic == ZYDIS_MNEMONIC_BT)
		for (unsigned k = 0; k < in->operand_count; k++)
			if (ops[k].type == ZYDIS_OPERAND_TYPE_REGISTER && (ops[k].actions & ZYDIS_OPERAND_ACTION_READ) &&
			    k < in->operand_count_visible)
				return 0;
	return m->size / 8;
}

/* Note the targets of one instruction of the pre-pass ('ops': its operands, or NULL when not decoded). */
static void collect_one(struct dis_targets *t, uint64_t addr, const struct insn_hdr *in, const struct insn_raw *raw,
			const struct op *ops)
{
	uint16_t mn = in->mnemonic;

	if (raw->relative && raw->imm0_relative) {
		uint64_t target = addr + in->length + raw->imm0;

		if (in->meta.category == ZYDIS_CATEGORY_CALL)
			push_target(&t->calls, &t->calls_nr, &t->calls_alloc, target);
		else if (in->meta.category == ZYDIS_CATEGORY_COND_BR ||
			 in->meta.category == ZYDIS_CATEGORY_UNCOND_BR) {
			size_t alloc = t->jumps_alloc;

			push_target(&t->jumps, &t->jumps_nr, &t->jumps_alloc, target);
			if (alloc != t->jumps_alloc)
				t->jump_srcs = xrealloc_array(t->jump_srcs, t->jumps_alloc, sizeof(uint64_t));
			t->jump_srcs[t->jumps_nr - 1] = addr;
		}
	} else if (mn == ZYDIS_MNEMONIC_LEA && raw->relative) {
		push_target(&t->addrs, &t->addrs_nr, &t->addrs_alloc, addr + in->length + (uint64_t)raw->disp);
		push_target(&t->touched, &t->touched_nr, &t->touched_alloc, addr + in->length + (uint64_t)raw->disp);
	} else if ((mn == ZYDIS_MNEMONIC_MOV || mn == ZYDIS_MNEMONIC_PUSH) && raw->imm0_size >= 32 &&
		   !raw->imm0_relative) {
		uint64_t v = raw->imm0;

		if (raw->imm0_size == 32)
			v &= 0xffffffffu;
		if (v >= 0x1000)
			push_target(&t->imms, &t->imms_nr, &t->imms_alloc, v);
	}
	/* Anything but a plain load may write (or leak) the location. */
	if (is_store_candidate(in, raw)) {
		uint64_t target = addr + in->length + (uint64_t)raw->disp, size = store_size(in, ops);

		if (size) {
			ALLOC_GROW(t->stores, t->stores_nr + 1, t->stores_alloc);
			t->stores[t->stores_nr++] = (struct dis_store){ target, size };
		} else {
			push_target(&t->stores_wide, &t->stores_wide_nr, &t->stores_wide_alloc, target);
		}
	}
}

uint64_t dis_collect_targets(const uint8_t *code, size_t len, uint64_t vaddr, struct dis_targets *t)
{
	ZydisDecoder dec;
	size_t pos = 0;
	uint64_t bytes = 0;
	struct dis_decoded *dd;
	uint32_t first;
	uint8_t *starts;

	pthread_once(&reg_tab_once, reg_tab_fill);
	if (!t->decoded) {
		t->decoded = dd_spare ? dd_spare : xcalloc(1, sizeof(*t->decoded));
		dd_spare = NULL;
		if (dd_limit_insns) {
			t->decoded->max_insns = dd_limit_insns;
			t->decoded->max_ops = dd_limit_insns * 4;
		} else if (t->code_bytes && t->code_bytes <= DD_WHOLE_CODE) {
			t->decoded->max_insns = DD_WHOLE_INSNS;
			t->decoded->max_ops = DD_WHOLE_OPS;
		} else {
			t->decoded->max_insns = DD_MAX_INSNS;
			t->decoded->max_ops = DD_MAX_OPS;
		}
	}
	dd = t->decoded;
	first = (uint32_t)dd->insns_nr;
	/* x86-64 code averages about 4 bytes and 2.5 kept operands an instruction. */
	if (!dd->full)
		dd_reserve(dd, dd->insns_nr + len / 3, dd->ops_nr + len / 4 * 3);
	ALLOC_GROW(t->starts, t->starts_nr + 1, t->starts_alloc);
	starts = xcalloc(len / 8 + 1, 1);
	t->starts[t->starts_nr++] = (struct dis_starts){ vaddr, code, len, starts };
	ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
	while (pos < len) {
		uint64_t addr = vaddr + pos;
		struct insn spare, *I = &spare;
		struct op spare_ops[ZYDIS_MAX_OPERAND_COUNT], *ops = spare_ops;
		struct insn_raw raw;
		uint8_t ilen;
		bool have_ops = true;

		starts[pos / 8] |= (uint8_t)(1u << (pos % 8));
		/* Decode straight into the kept arrays while there is room. */
		if (!dd->full && (dd->insns_nr >= dd->max_insns || dd->ops_nr + ZYDIS_MAX_OPERAND_COUNT > dd->max_ops))
			dd->full = true;
		if (!dd->full) {
			dd_reserve(dd, dd->insns_nr + 1, dd->ops_nr + ZYDIS_MAX_OPERAND_COUNT);
			I = &dd->insns[dd->insns_nr];
			ops = dd->ops + dd->ops_nr;
		}
		if (!fastdec_enabled || !fastdec_insn(code + pos, len - pos, I, ops, &raw)) {
			int ret = zydis_one(&dec, code + pos, len - pos, dd->full ? NULL : ops, I, &raw);

			if (ret < 0) {
				if (!dd->full)
					dd_keep_bad(dd, addr);
				pos++;
				continue;
			}
			if (ret == 0)
				dd->full = true;
			have_ops = ret == 1 && ops != spare_ops;
		}
		/* Past the caps Zydis decodes without operands: a store's size needs them. */
		if (!have_ops && is_store_candidate(&I->in, &raw) && I == &spare) {
			struct insn_raw again;

			ops = spare_ops;
			have_ops = zydis_one(&dec, code + pos, len - pos, ops, I, &again) == 1;
		}
		if (!dd->full) {
			I->addr = addr;
			I->op0 = (uint32_t)dd->ops_nr;
			dd->insns_nr++;
			dd->ops_nr += I->in.operand_count;
		}
		ilen = I->in.length;
		collect_one(t, addr, &I->in, &raw, have_ops ? ops : NULL);
		pos += ilen;
		bytes += ilen;
	}
	if (!dd->full) {
		ALLOC_GROW(dd->ranges, dd->ranges_nr + 1, dd->ranges_alloc);
		dd->ranges[dd->ranges_nr++] = (struct dd_range){ vaddr, code, len, first,
								  (uint32_t)(dd->insns_nr - first) };
	}
	return bytes;
}

struct pair {
	uint64_t target, src;
};

/* One stable counting-sort pass of 'in' into 'out' on 11 bits of the target or the source. */
static void radix_pass(const struct pair *in, struct pair *out, size_t n, unsigned shift, bool by_src)
{
	size_t count[1u << 11] = { 0 };
	size_t sum = 0;

	for (size_t i = 0; i < n; i++)
		count[((by_src ? in[i].src : in[i].target) >> shift) & 0x7ff]++;
	for (size_t d = 0; d < ARRAY_SIZE(count); d++) {
		size_t c = count[d];

		count[d] = sum;
		sum += c;
	}
	for (size_t i = 0; i < n; i++)
		out[count[((by_src ? in[i].src : in[i].target) >> shift) & 0x7ff]++] = in[i];
}

/*
 * Sorted by target, then source: stable radix passes over the source
 * (skipped when already in order, as a sweep leaves them) and then over the
 * target, on only as many bits as the largest value has.
 */
void dis_targets_sort(struct dis_targets *t)
{
	size_t n = t->jumps_nr;
	struct pair *p, *q;
	uint64_t max_t = 0, max_s = 0;
	bool src_sorted = true;

	if (n < 2)
		return;
	p = xcalloc(n, sizeof(*p));
	q = xcalloc(n, sizeof(*q));
	for (size_t i = 0; i < n; i++) {
		p[i] = (struct pair){ t->jumps[i], t->jump_srcs[i] };
		max_t |= p[i].target;
		max_s |= p[i].src;
		if (i && p[i].src < p[i - 1].src)
			src_sorted = false;
	}
	for (unsigned sh = 0; !src_sorted && sh < 64 && (max_s >> sh); sh += 11) {
		struct pair *x = p;

		radix_pass(p, q, n, sh, true);
		p = q;
		q = x;
	}
	for (unsigned sh = 0; sh < 64 && (max_t >> sh); sh += 11) {
		struct pair *x = p;

		radix_pass(p, q, n, sh, false);
		p = q;
		q = x;
	}
	for (size_t i = 0; i < n; i++) {
		t->jumps[i] = p[i].target;
		t->jump_srcs[i] = p[i].src;
	}
	free(p);
	free(q);
}

void dis_targets_release(struct dis_targets *t)
{
	free(t->jumps);
	free(t->jump_srcs);
	free(t->calls);
	free(t->addrs);
	free(t->imms);
	for (size_t i = 0; i < t->starts_nr; i++)
		free(t->starts[i].bits);
	free(t->starts);
	free(t->touched);
	free(t->stores);
	free(t->stores_wide);
	if (t->decoded && !dd_spare &&
	    t->decoded->insns_alloc * sizeof(struct insn) + t->decoded->ops_alloc * sizeof(struct op) +
		    t->decoded->bad_alloc * sizeof(uint32_t) <= DD_SPARE_MAX) {
		/* Keep the arrays for this thread's next object: their pages are already mapped. */
		dd_spare = t->decoded;
		dd_spare->ranges_nr = dd_spare->insns_nr = dd_spare->ops_nr = dd_spare->bad_nr = 0;
		dd_spare->full = false;
	} else {
		dd_free(t->decoded);
	}
	memset(t, 0, sizeof(*t));
}

/*
 * One instruction of the walk dis_may_return and dis_targets_may_return
 * make over a function [vaddr, vaddr + len): true when it shows the
 * function may return (a return, an indirect jump, a branch leaving it);
 * else *last_ends tells whether it could end the function's code.
 */
static bool may_return_at(const struct insn_hdr *in, bool rel, int64_t disp, uint64_t addr, uint64_t vaddr,
			  size_t len, bool *last_ends)
{
	switch (in->mnemonic) {
	case ZYDIS_MNEMONIC_RET:
	case ZYDIS_MNEMONIC_IRET:
	case ZYDIS_MNEMONIC_IRETD:
	case ZYDIS_MNEMONIC_IRETQ:
	case ZYDIS_MNEMONIC_SYSRET:
		return true;
	default:
		break;
	}
	if (in->meta.category == ZYDIS_CATEGORY_COND_BR || in->meta.category == ZYDIS_CATEGORY_UNCOND_BR) {
		uint64_t t;

		if (!rel)
			return true; /* indirect jump */
		t = addr + in->length + (uint64_t)disp;
		if (t < vaddr || t >= vaddr + len)
			return true; /* tail call */
	}
	*last_ends = in->mnemonic == ZYDIS_MNEMONIC_JMP || in->mnemonic == ZYDIS_MNEMONIC_HLT ||
		     in->mnemonic == ZYDIS_MNEMONIC_UD2 || in->mnemonic == ZYDIS_MNEMONIC_CALL ||
		     in->mnemonic == ZYDIS_MNEMONIC_NOP || in->mnemonic == ZYDIS_MNEMONIC_INT3;
	return false;
}

bool dis_may_return(const uint8_t *code, size_t len, uint64_t vaddr)
{
	ZydisDecoder dec;
	size_t pos = 0;
	bool last_ends = false;

	ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
	while (pos < len) {
		struct insn I;
		struct op ops[ZYDIS_MAX_OPERAND_COUNT];
		struct insn_raw raw;

		/* The fast decoder where it can: functions past the pre-pass's caps come here. */
		if ((!fastdec_enabled || !fastdec_insn(code + pos, len - pos, &I, ops, &raw)) &&
		    zydis_one(&dec, code + pos, len - pos, NULL, &I, &raw) < 0)
			return true;
		if (may_return_at(&I.in, raw.relative && raw.imm0_relative, (int64_t)raw.imm0, vaddr + pos, vaddr, len,
				  &last_ends))
			return true;
		pos += I.in.length;
	}
	/*
	 * Trailing padding after a final call is fine: the call itself never
	 * returned into it (else there would be a ret somewhere).
	 */
	return !last_ends;
}

static bool starts_at(const struct dis_starts *r, uint64_t off)
{
	return r->bits[off / 8] & (1u << (off % 8));
}

bool dis_targets_inside_insn(const struct dis_targets *t, uint64_t addr)
{
	for (size_t i = 0; t && i < t->starts_nr; i++) {
		const struct dis_starts *r = &t->starts[i];
		uint64_t off = addr - r->vaddr, s = off;

		if (addr < r->vaddr || off >= r->len)
			continue;
		if (starts_at(r, off))
			return false;
		if (addr & 15)
			return true;
		/* The instruction holding addr: one that starts with zero bytes up to it is padding. */
		while (s > 0 && off - s < 15 && !starts_at(r, s))
			s--;
		if (!starts_at(r, s))
			return true;
		for (uint64_t k = s; k < off; k++)
			if (r->code[k])
				return true;
		return false;
	}
	return false;
}

bool dis_targets_may_return(const struct dis_targets *t, const uint8_t *code, size_t len, uint64_t vaddr)
{
	const struct dis_decoded *dd = t ? t->decoded : NULL;
	uint32_t first, nr;
	size_t covered;
	bool last_ends = false;

	if (!dd_find(dd, code, len, vaddr, &first, &nr, &covered))
		return dis_may_return(code, len, vaddr);
	/* Same walk as dis_may_return; an instruction crossing the end does not decode there. */
	for (uint32_t i = first; i < first + nr; i++) {
		const struct insn *I = &dd->insns[i];

		if (I->bad || may_return_at(&I->in, I->rel, I->rel_disp, I->addr, vaddr, len, &last_ends))
			return true;
	}
	if (covered < len)
		return true;
	return !last_ends;
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

const char *dis_build_stamp(void)
{
	return __DATE__ " " __TIME__;
}

void dis_thread_release(void)
{
	free(scratch.insns);
	free(scratch.ops);
	free(scratch.block_of);
	free(scratch.blocks);
	free(scratch.work);
	free(scratch.at);
	free(scratch.recs);
	free(scratch.snaps);
	free(scratch.loads);
	free(scratch.esc);
	free(scratch.held);
	free(scratch.live);
	free(scratch.tt);
	free(scratch.tabs);
	free(scratch.btgt);
	memset(&scratch, 0, sizeof(scratch));
	dd_free(dd_spare);
	dd_spare = NULL;
}
