#ifndef CONFINE_DISASM_DISASM_H
#define CONFINE_DISASM_DISASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Linear-sweep decoding of one function's bytes (Zydis 4, x86-64) into
 * architecture-neutral records: direct calls and jumps with their targets,
 * indirect calls/jumps, rip-relative memory references (GOT slots), code
 * addresses taken by lea / mov imm, syscall / int 0x80 / sysenter sites and
 * returns.  Alongside, a constant propagation over the function's basic
 * blocks follows what each register and stack slot holds: a constant, the
 * value a location had on function entry (an argument), or unknown.  At a
 * join the states of all predecessors meet (a value survives only when it
 * is the same on every incoming edge); blocks entered from outside the
 * function, or reachable only through indirect jumps, start unknown.  So
 * every value reported holds on every path reaching the instruction.
 *
 * Locations: 0..15 are the general registers in encoding order (rax, rcx,
 * rdx, rbx, rsp, rbp, rsi, rdi, r8..r15); DIS_LOC_SLOT0 + k is the k-th
 * stack argument, the qword at [rsp + 8 + 8k] on entry.
 */

enum {
	DIS_RAX = 0, DIS_RCX, DIS_RDX, DIS_RBX, DIS_RSP, DIS_RBP, DIS_RSI, DIS_RDI,
	DIS_R8, DIS_R9, DIS_R10, DIS_R11, DIS_R12, DIS_R13, DIS_R14, DIS_R15,
	DIS_REG_NR,
};
#define DIS_ARG_SLOTS 8
#define DIS_LOC_SLOT0 DIS_REG_NR
#define DIS_LOC_NR (DIS_REG_NR + DIS_ARG_SLOTS)

enum dis_val_kind {
	DIS_UNKNOWN = 0,
	DIS_CONST,   /* 'value' (constants wider than 32 bits are not tracked: unknown) */
	DIS_ENTRY,   /* what location 'loc' held on function entry */
	DIS_LOADED,  /* the 64-bit value at rip-relative address 'value' (a GOT slot, say) */
	DIS_ADDRESS, /* the object's address 'value', from a rip-relative lea (a string's, say) */
};

struct dis_val {
	uint8_t kind;
	uint8_t loc;
	uint32_t value;
};

enum dis_kind {
	DIS_CALL,        /* direct call: target */
	DIS_JUMP,        /* direct unconditional jump: target */
	DIS_BRANCH,      /* direct conditional jump: target */
	DIS_CALL_IND,    /* call through register/memory (target: the rip-relative slot it reads, or 0) */
	DIS_JUMP_IND,    /* jmp through register/memory (target: the rip-relative slot it reads, or 0) */
	DIS_MEMREF,      /* other rip-relative memory operand: target is the address */
	DIS_ADDR,        /* address materialised: lea rip-relative, or an immediate */
	DIS_SYSCALL,     /* syscall instruction */
	DIS_INT80,       /* int 0x80 (i386 ABI) */
	DIS_SYSENTER,
	DIS_RET,
	/*
	 * A code address leaves the function's sight: stored through a
	 * pointer (a mov to memory neither rsp- nor rip-relative; xchg,
	 * cmpxchg or movnti to memory not rip-relative), or in rax or rdx at
	 * a return.  target: the address (a lea's, or with dis_opts.imm_addrs
	 * a constant's).
	 */
	DIS_PASS,
};

struct dis_state;

struct dis_rec {
	enum dis_kind kind;
	uint64_t addr;       /* instruction address */
	uint64_t target;
	uint8_t len;
	/*
	 * False for code no known control flow reaches: not the entry, not a
	 * branch target, in a function without indirect jumps (so no jump
	 * table can reach it either).  Data embedded in .text decodes as such.
	 */
	bool reached;
	/*
	 * DIS_ADDR of a lea whose result is only compared and then dead
	 * (musl's cancellation handler compares the interrupted pc with
	 * __cp_begin/__cp_end): the address is not taken for a call.
	 */
	bool compare_only;
	/*
	 * State before the instruction, for the records that pass values on:
	 * DIS_SYSCALL, calls, indirect jumps, and jumps and branches leaving
	 * the function.  NULL for the others.
	 */
	const struct dis_state *st;
};

/*
 * The value a callee entered now would find in location 'loc' (registers
 * as they are; stack argument k as the qword at [rsp + 8k] right now).
 */
struct dis_val dis_state_arg(const struct dis_state *st, unsigned loc);
/* The same for a callee entered by a jump (tail call): no return address pushed. */
struct dis_val dis_state_arg_tail(const struct dis_state *st, unsigned loc);
/*
 * The code addresses (see DIS_PASS) that registers 'regs' (a mask of enum
 * dis_reg) and the stack slots the state tracks hold, into out[]: at most
 * DIS_STATE_VALS_MAX.  Returns how many.
 */
#define DIS_STATE_VALS_MAX 48
size_t dis_state_code_addrs(const struct dis_state *st, uint32_t regs, bool imm_addrs, uint64_t *out);
/* False when the stack frame is certainly not torn down (rsp below its entry value): no tail call. */
bool dis_state_may_tail(const struct dis_state *st);

struct dis_targets;

/* How code may run without a branch to it (see dis_opts.entered). */
enum dis_entry {
	DIS_ENTRY_NONE,           /* it may not: dead code, or reached only from code that is */
	DIS_ENTRY_LANDING_PAD,    /* the unwinder enters it */
	DIS_ENTRY_UNKNOWN,
};

struct dis_opts {
	/*
	 * Branch targets anywhere in the object sorted by target, with the
	 * address of the branch (from dis_collect_targets + dis_targets_sort):
	 * a target inside the function reached from outside it starts unknown.
	 */
	const uint64_t *joins;
	const uint64_t *join_srcs;
	size_t joins_nr;
	/* Go code: calls clobber every register (no callee-saved ones). */
	bool go_abi;
	/*
	 * Code that is not position-independent: a constant of 0x1000 or more
	 * may be a code address (for DIS_PASS).  Without it only a lea's
	 * address is one.
	 */
	bool imm_addrs;
	/*
	 * Optional: true when a call to 'target' (direct) or through the
	 * memory slot 'target' (via_slot) never returns, so the call ends its
	 * block.  Only claim it when it is certain.
	 */
	bool (*noreturn)(const void *ctx, uint64_t target, bool via_slot);
	const void *noreturn_ctx;
	/*
	 * Optional: the value a "mov reg, [rip+X]" load of 'size' bytes
	 * always reads (a variable nothing writes).  Returns true with
	 * *value set when that is certain.  Same ctx as noreturn.
	 */
	bool (*load_const)(const void *ctx, uint64_t addr, unsigned size, uint32_t *value);
	/*
	 * Optional: is the 8-byte slot at 'addr' a GOT slot bound to a
	 * function?  A pointer loaded from one is followed: its load is
	 * reported (DIS_MEMREF, "address taken") only if the value escapes
	 * the function; without this, every load is reported where it is.
	 */
	bool (*fn_slot)(const void *ctx, uint64_t addr);
	/*
	 * Optional: may the function a call reaches (at 'target', or through
	 * the GOT slot 'target' when via_slot) read register 'reg' (enum
	 * dis_reg: an argument register, rax, r10 or r11) as the call left
	 * it?  Answer false only when certain (a known C function whose
	 * parameters do not include it).  Without it, every one may be read.
	 * Same ctx as noreturn.
	 */
	bool (*call_reads)(const void *ctx, uint64_t target, bool via_slot, int reg);
	/*
	 * Optional: how the code at 'addr' may run without a branch to it
	 * (enum dis_entry).  Without it, any block no branch reaches may be
	 * an exception landing pad.  Same ctx as noreturn.
	 */
	enum dis_entry (*entered)(const void *ctx, uint64_t addr);
	/*
	 * Optional, for reading jump tables' case labels: the object's file
	 * image at 'addr', *avail bytes of it (NULL when not there).  Same ctx
	 * as noreturn.  Without it a case label in the middle of a block is
	 * not modelled (see jump_anywhere in disasm.c).
	 */
	const uint8_t *(*read_data)(const void *ctx, uint64_t addr, size_t *avail);
	/*
	 * Optional: the pre-pass of the same object (dis_collect_targets over
	 * the very bytes 'code' points into); a function it decoded is not
	 * decoded again.  Results are the same with or without it.
	 */
	const struct dis_targets *decoded;
	/*
	 * Optional: how many bytes 'code' holds (at least len).  The last
	 * instruction may then cross the end, when another function's start
	 * cuts it (the bytes past the end complete it; no other instruction
	 * starts there): its branch and its fall-through leave the function.
	 */
	size_t avail;
};

struct dis_result {
	uint64_t bytes;      /* bytes decoded */
	size_t insns;
	size_t bad;          /* undecodable positions skipped */
	bool falls_off;      /* the last instruction may fall through past the end */
	uint64_t next;       /* then where: the end, or past it when the last instruction crosses it */
};

typedef void (*dis_fn)(const struct dis_rec *rec, void *ctx);

/*
 * Decode [vaddr, vaddr+len) from 'code', calling fn for every record in
 * address order.  Never reads outside 'code' (its first opts->avail bytes).
 * Returns 0.
 */
int dis_function(const uint8_t *code, size_t len, uint64_t vaddr, const struct dis_opts *opts,
		 dis_fn fn, void *ctx, struct dis_result *res);

/*
 * May the function at 'entry' read register 'reg' (enum dis_reg) before
 * writing all of it (32 or 64 bits)?  Follows its code from the entry
 * through branches and direct jumps (read with opts->read_data), asking
 * opts->call_reads about the calls and tail jumps on the way; a return
 * ends a path.  True when it may, or when it cannot tell (an indirect
 * branch, an undecodable byte, more than a few hundred instructions).
 */
bool dis_reads_before_write(const struct dis_opts *opts, uint64_t entry, int reg);

struct dis_decoded;

/* A store's bytes: [addr, addr + size). */
struct dis_store {
	uint64_t addr;
	uint64_t size;
};

/* Addresses found by the pre-pass over whole code ranges. */
struct dis_targets {
	uint64_t *jumps;     /* direct jump / conditional branch targets */
	uint64_t *jump_srcs; /* the branch instruction of each */
	size_t jumps_nr, jumps_alloc;
	uint64_t *calls;     /* direct call targets */
	size_t calls_nr, calls_alloc;
	uint64_t *addrs;     /* lea rip-relative targets */
	size_t addrs_nr, addrs_alloc;
	/*
	 * mov/push immediates >= 0x1000: addresses only in code that is not
	 * position-independent, and even there often plain numbers.
	 */
	uint64_t *imms;
	size_t imms_nr, imms_alloc;
	/* Addresses taken by lea rip-relative (may be written through, with any offset). */
	uint64_t *touched;
	size_t touched_nr, touched_alloc;
	/*
	 * Rip-relative operands accessed other than by a plain load (stores,
	 * read-modify-write): those whose bytes are known (the operand's size,
	 * at most 64), and the rest (xsave, fxsave, bts with a register bit
	 * offset...), which may reach anything above their address.
	 */
	struct dis_store *stores;
	size_t stores_nr, stores_alloc;
	uint64_t *stores_wide;
	size_t stores_wide_nr, stores_wide_alloc;
	/*
	 * Set before the first dis_collect_targets: the bytes of code all of
	 * the object's calls will sweep (0: not known), which decides how much
	 * of it the pre-pass keeps decoded.
	 */
	size_t code_bytes;
	/* The instructions decoded, kept for dis_function / dis_targets_may_return. */
	struct dis_decoded *decoded;
	/* Per range swept, a bit per byte: an instruction (or an undecodable byte) starts there. */
	struct dis_starts {
		uint64_t vaddr;
		const uint8_t *code;
		size_t len;
		uint8_t *bits;
	} *starts;
	size_t starts_nr, starts_alloc;
};

/*
 * Append the targets found in [vaddr, vaddr+len) to *t (arrays grown as
 * needed; release with dis_targets_release()).  The decoded instructions
 * are kept in *t too, so 'code' must stay mapped until then.  Returns the
 * number of bytes decoded.
 */
uint64_t dis_collect_targets(const uint8_t *code, size_t len, uint64_t vaddr, struct dis_targets *t);
void dis_targets_release(struct dis_targets *t);
/*
 * Whether 'addr' lies strictly inside an instruction the pre-pass decoded
 * (past its first byte): no code that the sweep decodes the way the CPU
 * does starts there.  Not when 'addr' is on a 16-byte boundary and every
 * byte of that instruction before it is zero: that is padding the sweep
 * ran on from into the next function (Free Pascal pads with zeros, and
 * "00 53" decodes as an add), not an instruction.  False outside the ranges swept.  The answer does
 * not depend on how many instructions the pre-pass kept.
 */
bool dis_targets_inside_insn(const struct dis_targets *t, uint64_t addr);
/* Sort jumps (with their sources) by target, for dis_opts.joins. */
void dis_targets_sort(struct dis_targets *t);

/*
 * Can the function [vaddr, vaddr+len) return to its caller?  False only
 * when it has no ret, no indirect jump, no jump leaving the range and
 * cannot run off its end (undecodable bytes count as "may return"): such a
 * function only leaves through calls that never come back.  Cheap (no
 * operand decoding).
 */
bool dis_may_return(const uint8_t *code, size_t len, uint64_t vaddr);
/* The same answer, from the instructions the pre-pass 't' kept when it can. */
bool dis_targets_may_return(const struct dis_targets *t, const uint8_t *code, size_t len, uint64_t vaddr);

const char *dis_reg_name(unsigned loc);

/*
 * Testing: the pre-pass decodes the commonest instruction forms itself and
 * the rest with Zydis.  dis_fastdec_enable(false) makes it use Zydis for
 * all (not thread-safe: set it before decoding).  dis_fastdec_check()
 * decodes the instruction at 'code' both ways: 1 when the records are the
 * same, 0 when the fast decoder leaves it to Zydis, -1 with a description
 * in 'why' when they differ.
 */
void dis_fastdec_enable(bool on);
int dis_fastdec_check(const uint8_t *code, size_t len, char *why, size_t why_len);

/*
 * Testing: dis_function reports a block from the records its last
 * fixpoint pass kept; dis_replay_enable(false) steps every block again
 * instead, as it did before (not thread-safe: set it before analysing).
 */
void dis_replay_enable(bool on);

/*
 * Testing: keep at most 'insns' instructions of the pre-pass for
 * dis_function (0: the default caps); functions past them decode on their
 * own, with the same results (not thread-safe: set it before analysing).
 */
void dis_keep_limit(uint32_t insns);

/* Free this thread's decoding scratch space (call before a worker thread exits). */
void dis_thread_release(void);

/* Identifies this build of the decoder logic (part of summary cache keys). */
const char *dis_build_stamp(void);

#endif
