/* Decoding and constant tracking on hand-assembled x86-64 byte sequences. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "disasm/disasm.h"
#include "util/xalloc.h"

#define BASE 0x401000u

struct seen {
	int syscalls;
	struct dis_val nr;      /* rax at the last syscall */
	int calls;
	struct dis_val arg;     /* location 'want_loc' at the last call */
	unsigned want_loc;
	uint64_t last_target[16];
	enum dis_kind last_kind[16];
	int recs;
};

static void collect(const struct dis_rec *r, void *ctx)
{
	struct seen *s = ctx;

	if (s->recs < 16) {
		s->last_kind[s->recs] = r->kind;
		s->last_target[s->recs] = r->target;
	}
	s->recs++;
	if (r->kind == DIS_SYSCALL) {
		s->syscalls++;
		s->nr = dis_state_arg(r->st, DIS_RAX);
	} else if (r->kind == DIS_CALL || r->kind == DIS_CALL_IND || r->kind == DIS_JUMP) {
		s->calls++;
		s->arg = dis_state_arg(r->st, s->want_loc);
	}
}

static void count_sites(const struct dis_rec *r, void *ctx)
{
	int *c = ctx;

	if (r->kind == DIS_SYSCALL || r->kind == DIS_INT80 || r->kind == DIS_SYSENTER) {
		c[0]++;
		c[1] += r->reached;
	}
}

static void run(const uint8_t *code, size_t len, bool go, unsigned want_loc, struct seen *s)
{
	struct dis_targets t = { 0 };
	struct dis_opts o = { 0 };
	struct dis_result res;

	memset(s, 0, sizeof(*s));
	s->want_loc = want_loc;
	dis_collect_targets(code, len, BASE, &t);
	dis_targets_sort(&t);
	o.joins = t.jumps;
	o.join_srcs = t.jump_srcs;
	o.joins_nr = t.jumps_nr;
	o.go_abi = go;
	assert_int_equal(dis_function(code, len, BASE, &o, collect, s, &res), 0);
	assert_int_equal(res.bytes, len);
	dis_targets_release(&t);
}

#define B(...) (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ })

static const struct {
	const char *what;
	const uint8_t *code;
	size_t len;
	bool go;
	uint8_t kind;   /* expected rax at the syscall */
	uint64_t value; /* constant, or entry location */
} syscall_cases[] = {
	{ "mov eax, imm", B(0xb8, 0x27, 0, 0, 0, 0x0f, 0x05), false, DIS_CONST, 0x27 },
	{ "xor eax, eax", B(0x31, 0xc0, 0x0f, 0x05), false, DIS_CONST, 0 },
	{ "mov rax, imm64", B(0x48, 0xc7, 0xc0, 0xe7, 0, 0, 0, 0x0f, 0x05), false, DIS_CONST, 231 },
	{ "mov rax, rdi (wrapper)", B(0x48, 0x89, 0xf8, 0x0f, 0x05), false, DIS_ENTRY, DIS_RDI },
	{ "mov eax, edi (32-bit alias)", B(0x89, 0xf8, 0x0f, 0x05), false, DIS_ENTRY, DIS_RDI },
	{ "register copy chain", B(0xb9, 0x3c, 0, 0, 0, 0x89, 0xc8, 0x0f, 0x05), false, DIS_CONST, 60 },
	{ "push imm; pop rax", B(0x6a, 0x3c, 0x58, 0x0f, 0x05), false, DIS_CONST, 60 },
	{ "stack argument", B(0x48, 0x8b, 0x44, 0x24, 0x08, 0x0f, 0x05), false, DIS_ENTRY, DIS_LOC_SLOT0 },
	{ "clobbered by call", B(0xb8, 1, 0, 0, 0, 0xe8, 0, 0, 0, 0, 0x0f, 0x05), false, DIS_UNKNOWN, 0 },
	{ "callee-saved survives call", B(0xbb, 1, 0, 0, 0, 0xe8, 0, 0, 0, 0, 0x89, 0xd8, 0x0f, 0x05),
	  false, DIS_CONST, 1 },
	{ "go: no callee-saved", B(0xbb, 1, 0, 0, 0, 0xe8, 0, 0, 0, 0, 0x89, 0xd8, 0x0f, 0x05),
	  true, DIS_UNKNOWN, 0 },
	{ "arithmetic is unknown", B(0xb8, 5, 0, 0, 0, 0x83, 0xc0, 0x01, 0x0f, 0x05), false, DIS_UNKNOWN, 0 },
	{ "byte into a known constant", B(0xb8, 5, 1, 0, 0, 0xb0, 0x07, 0x0f, 0x05), false, DIS_CONST, 0x107 },
	{ "xor; mov al (musl clone)", B(0x31, 0xc0, 0xb0, 0x38, 0x0f, 0x05), false, DIS_CONST, 0x38 },
	{ "high byte is unknown", B(0xb8, 5, 0, 0, 0, 0xb4, 0x07, 0x0f, 0x05), false, DIS_UNKNOWN, 0 },
	{ "byte into unknown is unknown", B(0xb0, 0x07, 0x0f, 0x05), false, DIS_UNKNOWN, 0 },
	/* test eax,eax; je L; mov eax,1; L: syscall -- rax is 0 on the jump, 1 on the other path */
	{ "zero on the je edge", B(0x85, 0xc0, 0x74, 0x05, 0xb8, 1, 0, 0, 0, 0x0f, 0x05), false, DIS_UNKNOWN, 0 },
	/* test eax,eax; jne L; syscall; L: ret -- fall-through knows rax == 0 */
	{ "zero on the jne fall-through", B(0x85, 0xc0, 0x75, 0x02, 0x0f, 0x05, 0xc3), false, DIS_CONST, 0 },
	/* mov eax,1; je L; mov eax,2; L: syscall -- two paths join at L */
	{ "join drops constants", B(0xb8, 1, 0, 0, 0, 0x74, 0x05, 0xb8, 2, 0, 0, 0, 0x0f, 0x05), false,
	  DIS_UNKNOWN, 0 },
	/* mov eax,1; je L; L2: syscall; L: ... conditional fall-through keeps it */
	{ "fall-through past jcc", B(0xb8, 1, 0, 0, 0, 0x74, 0x02, 0x0f, 0x05, 0xc3), false, DIS_CONST, 1 },
	/* go: sub rsp,0x18; mov [rsp+0x20],rax; call; mov rax,[rsp+0x20]; syscall */
	{ "go spill slot across call",
	  B(0x48, 0x83, 0xec, 0x18, 0x48, 0x89, 0x44, 0x24, 0x20, 0xe8, 0, 0, 0, 0, 0x48, 0x8b, 0x44, 0x24,
	    0x20, 0x0f, 0x05),
	  true, DIS_ENTRY, DIS_RAX },
	/* c: local slot in own frame does not survive a call */
	{ "own frame slot dropped at call",
	  B(0x48, 0x83, 0xec, 0x18, 0x48, 0xc7, 0x04, 0x24, 0x27, 0, 0, 0, 0xe8, 0, 0, 0, 0, 0x48, 0x8b, 0x04,
	    0x24, 0x0f, 0x05),
	  false, DIS_UNKNOWN, 0 },
	/* same without the call: the slot is exact */
	{ "own frame slot",
	  B(0x48, 0x83, 0xec, 0x18, 0x48, 0xc7, 0x04, 0x24, 0x27, 0, 0, 0, 0x48, 0x8b, 0x04, 0x24, 0x0f, 0x05),
	  false, DIS_CONST, 0x27 },
	/* after jmp, the next instruction is unreachable unless a target: unknown */
	{ "dead after jmp", B(0xb8, 1, 0, 0, 0, 0xeb, 0x02, 0x0f, 0x05, 0xc3), false, DIS_UNKNOWN, 0 },
	/* a jump carries the state to its target */
	{ "jump carries state", B(0xb8, 1, 0, 0, 0, 0xeb, 0x00, 0x0f, 0x05), false, DIS_CONST, 1 },
	/* mov esi,0xe7; jmp L; ud2; L: mov eax,esi; syscall (glibc _exit's shape) */
	{ "constant through a jump", B(0xbe, 0xe7, 0, 0, 0, 0xeb, 0x02, 0x0f, 0x0b, 0x89, 0xf0, 0x0f, 0x05),
	  false, DIS_CONST, 0xe7 },
	/* loop: mov eax,1; L: syscall; (rax clobbered) jne L -- the back edge kills the constant */
	{ "loop back edge", B(0xb8, 1, 0, 0, 0, 0x0f, 0x05, 0x75, 0xfc), false, DIS_UNKNOWN, 0 },
};

static void test_syscall_numbers(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(syscall_cases); i++) {
		struct seen s;

		run(syscall_cases[i].code, syscall_cases[i].len, syscall_cases[i].go, DIS_RDI, &s);
		if (s.syscalls != 1)
			fail_msg("%s: %d syscall sites", syscall_cases[i].what, s.syscalls);
		if (s.nr.kind != syscall_cases[i].kind)
			fail_msg("%s: kind %d, want %d", syscall_cases[i].what, s.nr.kind, syscall_cases[i].kind);
		if (s.nr.kind == DIS_CONST && s.nr.value != syscall_cases[i].value)
			fail_msg("%s: value %llu", syscall_cases[i].what, (unsigned long long)s.nr.value);
		if (s.nr.kind == DIS_ENTRY && s.nr.loc != syscall_cases[i].value)
			fail_msg("%s: loc %s", syscall_cases[i].what, dis_reg_name(s.nr.loc));
	}
}

static void test_call_arguments(void **state)
{
	struct seen s;

	(void)state;
	/* mov edi, 5; call rel */
	run(B(0xbf, 5, 0, 0, 0, 0xe8, 0x10, 0, 0, 0), false, DIS_RDI, &s);
	assert_int_equal(s.calls, 1);
	assert_int_equal(s.arg.kind, DIS_CONST);
	assert_int_equal(s.arg.value, 5);
	assert_int_equal(s.last_kind[0], DIS_CALL);
	assert_int_equal(s.last_target[0], BASE + 10 + 0x10);

	/* mov edi, esi; jmp rel (tail call passes the caller's argument) */
	run(B(0x89, 0xf7, 0xe9, 0, 0, 0, 0), false, DIS_RDI, &s);
	assert_int_equal(s.arg.kind, DIS_ENTRY);
	assert_int_equal(s.arg.loc, DIS_RSI);

	/* push 0x27 (7th argument on the stack); call */
	run(B(0x6a, 0x27, 0xe8, 0, 0, 0, 0), false, DIS_LOC_SLOT0, &s);
	assert_int_equal(s.arg.kind, DIS_CONST);
	assert_int_equal(s.arg.value, 0x27);

	/* lea rsi, [rip+0x100]; xor edi, edi; call rel (dlsym(RTLD_DEFAULT, "name")) */
	run(B(0x48, 0x8d, 0x35, 0, 1, 0, 0, 0x31, 0xff, 0xe8, 0, 0, 0, 0), false, DIS_RSI, &s);
	assert_int_equal(s.arg.kind, DIS_ADDRESS);
	assert_int_equal(s.arg.value, BASE + 7 + 0x100);

	/* the same through a copy and the stack: lea rax; push rax; pop rsi; call */
	run(B(0x48, 0x8d, 0x05, 0, 1, 0, 0, 0x50, 0x5e, 0xe8, 0, 0, 0, 0), false, DIS_RSI, &s);
	assert_int_equal(s.arg.kind, DIS_ADDRESS);
	assert_int_equal(s.arg.value, BASE + 7 + 0x100);

	/* only the whole register holds the address: lea esi, [rip+0x100]; call */
	run(B(0x8d, 0x35, 0, 1, 0, 0, 0xe8, 0, 0, 0, 0), false, DIS_RSI, &s);
	assert_int_equal(s.arg.kind, DIS_UNKNOWN);
	/* lea rsi, [rdi+8] is not an address of the object */
	run(B(0x48, 0x8d, 0x77, 0x08, 0xe8, 0, 0, 0, 0), false, DIS_RSI, &s);
	assert_int_equal(s.arg.kind, DIS_UNKNOWN);
}

/*
 * A big frame (sub rsp, 0x400) whose function spills argument registers
 * to NSPILL slots of its caller's frame, then stores a call's stack
 * argument at [rsp]: the argument is known at the call, however many
 * spills came first (the slots are bounded; the farthest go first).
 */
static void spills_then_stack_arg(unsigned nspill, struct seen *s)
{
	uint8_t code[7 + 8 * 64 + 8 + 5];
	size_t n = 0;

	assert_true(nspill <= 64);
	memcpy(code + n, (const uint8_t[]){ 0x48, 0x81, 0xec, 0x00, 0x04, 0, 0 }, 7); /* sub rsp, 0x400 */
	n += 7;
	for (unsigned k = 0; k < nspill; k++) {
		uint32_t disp = 0x408 + 8 * k;                                      /* mov [rsp+disp], rdi */

		memcpy(code + n, (const uint8_t[]){ 0x48, 0x89, 0xbc, 0x24 }, 4);
		memcpy(code + n + 4, &disp, 4);
		n += 8;
	}
	memcpy(code + n, (const uint8_t[]){ 0x48, 0xc7, 0x04, 0x24, 0x27, 0, 0, 0 }, 8); /* mov qword [rsp], 0x27 */
	n += 8;
	memcpy(code + n, (const uint8_t[]){ 0xe8, 0, 0, 0, 0 }, 5);                  /* call */
	n += 5;
	run(code, n, true, DIS_LOC_SLOT0, s);
}

static void test_spilled_frame(void **state)
{
	static const unsigned spills[] = { 0, 8, 16, 40, 64 };
	struct seen s;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(spills); i++) {
		spills_then_stack_arg(spills[i], &s);
		assert_int_equal(s.calls, 1);
		if (s.arg.kind != DIS_CONST || s.arg.value != 0x27)
			fail_msg("after %u spills: stack argument 0 is kind %d value %#x, not 0x27", spills[i],
				 s.arg.kind, s.arg.value);
	}
}

static void test_records(void **state)
{
	struct seen s;

	(void)state;
	/* call [rip+0x100] */
	run(B(0xff, 0x15, 0, 1, 0, 0), false, DIS_RDI, &s);
	assert_int_equal(s.last_kind[0], DIS_CALL_IND);
	assert_int_equal(s.last_target[0], BASE + 6 + 0x100);
	/* lea rdi, [rip+0x10] */
	run(B(0x48, 0x8d, 0x3d, 0x10, 0, 0, 0), false, DIS_RDI, &s);
	assert_int_equal(s.last_kind[0], DIS_ADDR);
	assert_int_equal(s.last_target[0], BASE + 7 + 0x10);
	/* mov rax, [rip+0x20] (GOT load) */
	run(B(0x48, 0x8b, 0x05, 0x20, 0, 0, 0), false, DIS_RDI, &s);
	assert_int_equal(s.last_kind[0], DIS_MEMREF);
	assert_int_equal(s.last_target[0], BASE + 7 + 0x20);
	/* mov edi, 0x401234 (non-PIE function pointer) */
	run(B(0xbf, 0x34, 0x12, 0x40, 0x00), false, DIS_RDI, &s);
	assert_int_equal(s.last_kind[0], DIS_ADDR);
	assert_int_equal(s.last_target[0], 0x401234);
	/* int 0x80; sysenter; ret */
	run(B(0xcd, 0x80, 0x0f, 0x34, 0xc3), false, DIS_RDI, &s);
	assert_int_equal(s.recs, 3);
	assert_int_equal(s.last_kind[0], DIS_INT80);
	assert_int_equal(s.last_kind[1], DIS_SYSENTER);
	assert_int_equal(s.last_kind[2], DIS_RET);
}

static void test_garbage(void **state)
{
	uint8_t buf[4096];
	struct dis_result res;
	struct seen s;

	(void)state;
	srand(1);
	for (int round = 0; round < 50; round++) {
		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = (uint8_t)rand();
		memset(&s, 0, sizeof(s));
		assert_int_equal(dis_function(buf, sizeof(buf), BASE, NULL, collect, &s, &res), 0);
		assert_true(res.bytes <= sizeof(buf));
	}
	/* a truncated instruction at the end */
	assert_int_equal(dis_function((const uint8_t[]){ 0x48, 0x8b }, 2, BASE, NULL, collect, &s, &res), 0);
	assert_int_equal(res.bad, 2);
}

/* The syscall-like records a function's bytes give, and how many of them count as reached. */
static void reached_sites(const uint8_t *code, size_t len, int *sites, int *reached)
{
	struct dis_targets t = { 0 };
	struct dis_opts o = { 0 };
	struct dis_result res;
	struct {
		int sites, reached;
	} c = { 0, 0 };

	dis_collect_targets(code, len, BASE, &t);
	dis_targets_sort(&t);
	o.joins = t.jumps;
	o.join_srcs = t.jump_srcs;
	o.joins_nr = t.jumps_nr;
	assert_int_equal(dis_function(code, len, BASE, &o, count_sites, &c, &res), 0);
	dis_targets_release(&t);
	*sites = c.sites;
	*reached = c.reached;
}

static void note_branch(const struct dis_rec *r, void *ctx)
{
	uint64_t *t = ctx;

	if (r->kind == DIS_BRANCH)
		*t = r->target;
}

/*
 * A function whose last instruction another start cuts (test %edi,%edi;
 * je +0x10, cut after 4 of the je's 6 bytes): with the bytes past the end
 * the je decodes, its target is a branch out, and the code falls off past
 * the end, not at it.  Without them the je is undecodable and the code
 * after it was lost.
 */
static void test_cut_last_insn(void **state)
{
	static const uint8_t code[] = { 0x85, 0xff, 0x0f, 0x84, 0x10, 0x00, 0x00, 0x00, 0x0f, 0x05, 0xc3 };
	struct dis_opts o = { 0 };
	struct dis_result res;
	uint64_t target = 0;

	(void)state;
	o.avail = sizeof(code);
	assert_int_equal(dis_function(code, 4, BASE, &o, note_branch, &target, &res), 0);
	assert_int_equal(res.bad, 0);
	assert_true(res.falls_off);
	assert_int_equal(res.next, BASE + 8);
	assert_int_equal(target, BASE + 8 + 0x10);
	/* Without avail: never reads past len, and says the cut bytes are undecodable. */
	target = 0;
	assert_int_equal(dis_function(code, 4, BASE, NULL, note_branch, &target, &res), 0);
	assert_true(res.bad > 0);
	assert_int_equal(target, 0);
}

/*
 * Bytes after an indirect jump that no edge reaches run only if the jump
 * may be a jump table of the function.  A jump through a pointer read
 * from memory at a base with no table index on the way goes to a stored
 * code address, which starts a function of its own: GHC's info tables
 * after "jmp *(%rbx)" are not code, even when they hold 0f 05 or cd 80.
 * An indexed base, or "jmp *%reg", may be a table: what follows counts.
 */
static void test_reached_after_indirect_jump(void **state)
{
	const struct {
		const char *what;
		const uint8_t *code;
		size_t len;
		int reached;
	} cases[] = {
		/* mov %rax,%rbx; jmp *(%rbx); syscall; int 0x80 */
		{ "copied base", B(0x48, 0x89, 0xc3, 0xff, 0x23, 0x0f, 0x05, 0xcd, 0x80), 0 },
		/* jmp *(%rbx) with the base from outside */
		{ "base from outside", B(0xff, 0x23, 0x0f, 0x05), 0 },
		/* add $0x18,%rbp; jmp *0x0(%rbp) (a return to a continuation) */
		{ "base moved by a constant", B(0x48, 0x83, 0xc5, 0x18, 0xff, 0x65, 0x00, 0x0f, 0x05), 0 },
		/* and $-8,%rbx; jmp *(%rbx) (a pointer tag cleared) */
		{ "tag cleared", B(0x48, 0x83, 0xe3, 0xf8, 0xff, 0x23, 0x0f, 0x05), 0 },
		/* mov $0x401100,%ebx; jmp *(%rbx) (a static closure) */
		{ "constant base", B(0xbb, 0x00, 0x11, 0x40, 0x00, 0xff, 0x23, 0x0f, 0x05), 0 },
		/* mov 0x8(%rdi),%rbx; jmp *0x10(%rbx) */
		{ "loaded base", B(0x48, 0x8b, 0x5f, 0x08, 0xff, 0x63, 0x10, 0x0f, 0x05), 0 },
		/* lea (%rbx,%rcx,8),%rbx; jmp *(%rbx): an indexed base */
		{ "indexed lea base", B(0x48, 0x8d, 0x1c, 0xcb, 0xff, 0x23, 0x0f, 0x05), 1 },
		/* add %rcx,%rbx; jmp *(%rbx): a variable offset */
		{ "register added to base", B(0x48, 0x01, 0xcb, 0xff, 0x23, 0x0f, 0x05), 1 },
		/* jmp *(%rbx,%rcx,8) */
		{ "indexed operand", B(0xff, 0x24, 0xcb, 0x0f, 0x05), 1 },
		/* jmp *%rax with rax from outside (a PIC table's computed target) */
		{ "register target", B(0xff, 0xe0, 0x0f, 0x05), 1 },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int sites, reached;

		reached_sites(cases[i].code, cases[i].len, &sites, &reached);
		if (sites < 1 || (reached > 0) != cases[i].reached)
			fail_msg("%s: %d sites, %d reached, expected %s", cases[i].what, sites, reached,
				 cases[i].reached ? "reached" : "none reached");
	}
}

/*
 * What the pre-pass notes of rip-relative stores: the bytes each reaches
 * (Go package variables next to them may still be read as constants), or
 * "anything above" when that is not known.  The same with every operand
 * decoded afresh past the kept instructions (dis_keep_limit).
 */
static void test_store_sizes(void **state)
{
	/* disp32 0x100 everywhere: each target is the next instruction's address + 0x100. */
	static const struct {
		const char *what;
		uint8_t bytes[12];
		size_t len;
		uint64_t size; /* 0: wide, UINT64_MAX: not a store */
	} cases[] = {
		{ "movq $1, x(%rip)", { 0x48, 0xc7, 0x05, 0, 1, 0, 0, 1, 0, 0, 0 }, 11, 8 },
		{ "movb $1, x(%rip)", { 0xc6, 0x05, 0, 1, 0, 0, 1 }, 7, 1 },
		{ "mov %eax, x(%rip)", { 0x89, 0x05, 0, 1, 0, 0 }, 6, 4 },
		{ "vmovdqu %ymm0, x(%rip)", { 0xc5, 0xfe, 0x7f, 0x05, 0, 1, 0, 0 }, 8, 32 },
		{ "vmovdqu64 %zmm0, x(%rip)", { 0x62, 0xf1, 0xfe, 0x48, 0x7f, 0x05, 0, 1, 0, 0 }, 10, 64 },
		{ "btsq $5, x(%rip)", { 0x48, 0x0f, 0xba, 0x2d, 0, 1, 0, 0, 5 }, 9, 8 },
		{ "bts %rax, x(%rip)", { 0x48, 0x0f, 0xab, 0x05, 0, 1, 0, 0 }, 8, 0 },
		{ "xsave x(%rip)", { 0x0f, 0xae, 0x25, 0, 1, 0, 0 }, 7, 0 },
		{ "fxsave x(%rip)", { 0x0f, 0xae, 0x05, 0, 1, 0, 0 }, 7, 0 },
		{ "mov x(%rip), %rax", { 0x48, 0x8b, 0x05, 0, 1, 0, 0 }, 7, UINT64_MAX },
	};

	(void)state;
	for (int limit = 0; limit < 2; limit++) {
		dis_keep_limit(limit ? 1 : 0);
		for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
			/* A nop first, so that with limit 1 the case itself is past the kept ones. */
			uint8_t code[16] = { 0x90 };
			struct dis_targets t = { 0 };
			uint64_t target = BASE + 1 + cases[i].len + 0x100;

			memcpy(code + 1, cases[i].bytes, cases[i].len);
			dis_collect_targets(code, 1 + cases[i].len, BASE, &t);
			if (cases[i].size == UINT64_MAX) {
				assert_int_equal(t.stores_nr + t.stores_wide_nr, 0);
			} else if (cases[i].size == 0) {
				if (t.stores_nr || t.stores_wide_nr != 1 || t.stores_wide[0] != target)
					fail_msg("%s: expected a store of unknown size", cases[i].what);
			} else if (t.stores_wide_nr || t.stores_nr != 1 || t.stores[0].addr != target ||
				   t.stores[0].size != cases[i].size) {
				fail_msg("%s: expected a %llu-byte store (got %zu, %zu of unknown size)", cases[i].what,
					 (unsigned long long)cases[i].size, t.stores_nr, t.stores_wide_nr);
			}
			dis_targets_release(&t);
		}
	}
	dis_keep_limit(0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syscall_numbers),
		cmocka_unit_test(test_call_arguments),
		cmocka_unit_test(test_spilled_frame),
		cmocka_unit_test(test_records),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_reached_after_indirect_jump),
		cmocka_unit_test(test_cut_last_insn),
		cmocka_unit_test(test_store_sizes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
