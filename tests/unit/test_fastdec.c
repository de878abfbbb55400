/*
 * The pre-pass's fast decoder against Zydis: every instruction of real
 * binaries, hand-picked encodings and random bytes must decode to the same
 * records either way, and the pre-pass must find the same targets.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <Zydis/Zydis.h>
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disasm/disasm.h"
#include "util/fs.h"

struct corpus_stats {
	size_t insns, handled, files;
};

/* Check every instruction (Zydis' linear sweep) of [code, code+len). */
static void check_range(const char *file, const uint8_t *code, size_t len, struct corpus_stats *st)
{
	ZydisDecoder dec;
	size_t pos = 0;
	char why[256];

	ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
	while (pos < len) {
		ZydisDecodedInstruction in;
		int r = dis_fastdec_check(code + pos, len - pos, why, sizeof(why));

		if (r < 0)
			fail_msg("%s at +%#zx: %s", file, pos, why);
		st->handled += r == 1;
		if (ZYAN_FAILED(ZydisDecoderDecodeInstruction(&dec, NULL, code + pos, len - pos, &in))) {
			pos++;
			continue;
		}
		st->insns++;
		pos += in.length;
	}
}

/* The executable sections of an ELF file, or false when it is none we can read. */
static bool for_each_text(const char *path, void (*fn)(const char *, const uint8_t *, size_t, void *), void *ctx)
{
	struct fs_map m;
	const Elf64_Ehdr *eh;
	const Elf64_Shdr *sh;

	if (fs_map_file(path, &m) != 0)
		return false;
	eh = (const Elf64_Ehdr *)m.data;
	if (m.size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_machine != EM_X86_64 || eh->e_shoff > m.size ||
	    (size_t)eh->e_shnum * sizeof(*sh) > m.size - eh->e_shoff) {
		fs_unmap(&m);
		return false;
	}
	sh = (const Elf64_Shdr *)((const uint8_t *)m.data + eh->e_shoff);
	for (unsigned i = 0; i < eh->e_shnum; i++)
		if (sh[i].sh_type == SHT_PROGBITS && (sh[i].sh_flags & SHF_EXECINSTR) && sh[i].sh_offset <= m.size &&
		    sh[i].sh_size <= m.size - sh[i].sh_offset)
			fn(path, (const uint8_t *)m.data + sh[i].sh_offset, sh[i].sh_size, ctx);
	fs_unmap(&m);
	return true;
}

static void check_cb(const char *path, const uint8_t *code, size_t len, void *ctx)
{
	check_range(path, code, len, ctx);
}

static const char *const corpus[] = {
	"/usr/lib/x86_64-linux-gnu/libc.so.6",
	"/usr/lib/x86_64-linux-gnu/libcrypto.so.3",
	"/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
	"/usr/lib/x86_64-linux-gnu/libm.so.6",
	"/usr/bin/bash",
	"/usr/bin/perl",
	"/usr/bin/python3",
	"/usr/bin/gdb",
	"/usr/bin/runc",
	"/usr/bin/containerd",
	"/usr/sbin/dockerd",
	"/var/tmp/confine-fixtures/rootfs-nginx/usr/sbin/nginx",
};

/* Real code: several million instructions, none may differ. */
static void test_corpus(void **state)
{
	struct corpus_stats st = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(corpus) / sizeof(corpus[0]); i++)
		st.files += for_each_text(corpus[i], check_cb, &st);
	assert_true(st.files >= 3);
	print_message("fast decoder: %zu files, %zu instructions, %.1f%% decoded without Zydis\n", st.files,
		      st.insns, 100.0 * (double)st.handled / (double)(st.insns ? st.insns : 1));
	/* It is only worth having if it takes most of the work. */
	assert_true(st.handled * 10 >= st.insns * 8);
}

/* Hand-picked forms, including ones it must leave to Zydis. */
static void test_forms(void **state)
{
	static const struct {
		const char *hex;
		int want; /* 1 handled, 0 left to Zydis */
	} cases[] = {
		{ "4889df", 1 },           /* mov rdi, rbx */
		{ "88e0", 1 },             /* mov al, ah */
		{ "4088c7", 1 },           /* mov dil, al */
		{ "8a05aabbccdd", 1 },     /* mov al, [rip+..] */
		{ "498b0424", 1 },         /* mov rax, [r12] */
		{ "498b4500", 1 },         /* mov rax, [r13+0] */
		{ "8b04e5aabbccdd", 1 },   /* mov eax, [rsp*8+..]: index none */
		{ "4a8b04e5aabbccdd", 1 }, /* mov rax, [r12*8+..] */
		{ "8b0425aabbccdd", 1 },   /* absolute disp32 */
		{ "488d3d10000000", 1 },   /* lea rdi, [rip+16] */
		{ "8d0424", 1 },           /* lea eax, [rsp] */
		{ "8dc0", 0 },             /* lea with a register: invalid */
		{ "c745f8ffffffff", 1 },   /* mov dword [rbp-8], -1 */
		{ "48c7c0ffffffff", 1 },   /* mov rax, -1 */
		{ "c7c800000000", 0 },     /* c7 /1: not mov */
		{ "b83c000000", 1 },       /* mov eax, 60 */
		{ "b8ffffffff", 1 },
		{ "48b8efcdab8967452301", 1 },
		{ "41b0ff", 1 },           /* mov r8b, 0xff */
		{ "b4ff", 1 },             /* mov ah, 0xff */
		{ "e8aabbccdd", 1 },
		{ "e9aabbccdd", 1 },
		{ "eb80", 1 },
		{ "7410", 1 },
		{ "0f84aabbccdd", 1 },
		{ "48e8aabbccdd", 0 },     /* REX on a branch: left to Zydis */
		{ "c3", 1 },
		{ "c20800", 0 },           /* ret imm16 */
		{ "f3c3", 0 },             /* rep ret */
		{ "55", 1 },
		{ "4155", 1 },
		{ "4855", 0 },
		{ "5d", 1 },
		{ "415f", 1 },
		{ "68aabbccdd", 1 },
		{ "6a80", 1 },
		{ "90", 1 },
		{ "6690", 1 },
		{ "0f1f440000", 1 },
		{ "660f1f440000", 1 },
		{ "f30f1efa", 1 },         /* endbr64 */
		{ "85c0", 1 },
		{ "4885ff", 1 },
		{ "a801", 1 },
		{ "f6c101", 1 },
		{ "3c10", 1 },
		{ "4883f801", 1 },
		{ "4883c080", 1 },
		{ "4881ec00100000", 1 },
		{ "31c0", 1 },
		{ "4801d8", 1 },
		{ "1001", 1 },             /* adc [rcx], al */
		{ "19d0", 1 },             /* sbb eax, edx */
		{ "2501000080", 1 },       /* and eax, imm32 */
		{ "483d00100000", 1 },     /* cmp rax, imm32 */
		{ "0fb6c0", 1 },
		{ "480fb7c0", 1 },
		{ "0fbe00", 1 },
		{ "0fbfc0", 1 },
		{ "4863c2", 1 },
		{ "63c2", 0 },
		{ "ff5018", 1 },
		{ "ff15aabbccdd", 1 },
		{ "41ff5508", 1 },
		{ "41ffd3", 1 },           /* call r11 */
		{ "ff24c5aabbccdd", 1 },
		{ "ffe0", 1 },
		{ "48ffe0", 1 },
		{ "ffc0", 1 },             /* inc */
		{ "fec8", 1 },             /* dec al */
		{ "662e0f1f840000000000", 1 },
		{ "66662e0f1f840000000000", 1 },
		{ "48c1ee3f", 1 },         /* shr rsi, 63 */
		{ "48c1c720", 1 },         /* rol rdi, 32 */
		{ "48d3e0", 1 },           /* shl rax, cl */
		{ "d1e8", 1 },             /* shr eax, 1 */
		{ "c0e803", 1 },
		{ "c1f003", 0 },           /* c1 /6 */
		{ "c1d003", 0 },           /* rcl */
		{ "400f94c5", 1 },         /* setz bpl */
		{ "0f95c8", 1 },
		{ "480f44c2", 1 },         /* cmovz rax, rdx */
		{ "0f44c2", 1 },
		{ "f7da", 1 },             /* neg edx */
		{ "f7d0", 1 },             /* not eax */
		{ "f7f1", 0 },             /* div */
		{ "ff35caef0000", 1 },     /* push [rip+..] */
		{ "490fafe8", 1 },         /* imul rbp, r8 */
		{ "f390", 0 },             /* pause */
		{ "2e90", 0 },
		{ "6689c0", 0 },           /* mov ax, ax */
		{ "f0ff00", 0 },           /* lock prefix */
		{ "67488b00", 0 },         /* address-size prefix */
		{ "c5f877", 0 },           /* vzeroupper */
		{ "48", 0 },               /* a lone REX */
		{ "4889", 0 },             /* cut short */
		{ "e8aabb", 0 },
		{ "8b05aabb", 0 },
	};
	char why[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t b[16];
		size_t n = strlen(cases[i].hex) / 2;
		int r;

		for (size_t k = 0; k < n; k++)
			sscanf(cases[i].hex + 2 * k, "%2hhx", &b[k]);
		r = dis_fastdec_check(b, n, why, sizeof(why));
		if (r < 0)
			fail_msg("%s: %s", cases[i].hex, why);
		if (r != cases[i].want)
			fail_msg("%s: %s", cases[i].hex, r ? "decoded by the fast decoder" : "left to Zydis");
	}
}

/* Random bytes behind the opcodes it knows: every ModRM/SIB/REX/immediate combination in the long run. */
static void test_random(void **state)
{
	static const uint8_t first[] = { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x10, 0x19, 0x2b, 0x31, 0x38, 0x3d,
					 0x50, 0x5f, 0x63, 0x68, 0x6a, 0x74, 0x7f, 0x80, 0x81, 0x83, 0x84, 0x85,
					 0x88, 0x89, 0x8a, 0x8b, 0x8d, 0x90, 0xa8, 0xa9, 0xb0, 0xb7, 0xb8, 0xbf,
					 0xc0, 0xc1, 0xc3, 0xc6, 0xc7, 0xd0, 0xd1, 0xd2, 0xd3, 0xe8, 0xe9, 0xeb,
					 0xf6, 0xf7, 0xfe, 0xff, 0x0f, 0x66, 0x2e };
	static const uint8_t second[] = { 0xb6, 0xb7, 0xbe, 0xbf, 0x1f, 0xaf, 0x44, 0x4f, 0x90, 0x95, 0x9f, 0x1e };
	uint64_t x = 0x9e3779b97f4a7c15ull;
	size_t handled = 0;
	char why[256];

	(void)state;
	for (unsigned iter = 0; iter < 1000000; iter++) {
		uint8_t b[15];
		size_t k = 0, n;

		for (size_t j = 0; j < sizeof(b); j++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			b[j] = (uint8_t)x;
		}
		if (b[0] & 1)
			b[k++] = (uint8_t)(0x40 | (b[1] & 15));
		b[k] = first[b[14] % sizeof(first)];
		if (b[k] == 0x0f)
			b[k + 1] = (uint8_t)(b[2] & 1 ? 0x80 + (b[3] & 15) : second[b[3] % sizeof(second)]);
		n = 1 + (size_t)(b[13] % sizeof(b));
		if (dis_fastdec_check(b, n, why, sizeof(why)) < 0)
			fail_msg("random case %u: %s", iter, why);
		handled++;
	}
	assert_true(handled > 0);
}

/* The whole pre-pass over libc: the same targets with and without the fast decoder. */
struct prepass {
	struct dis_targets t[2];
};

static void prepass_cb(const char *path, const uint8_t *code, size_t len, void *ctx)
{
	struct prepass *p = ctx;

	(void)path;
	for (int k = 0; k < 2; k++) {
		dis_fastdec_enable(k == 0);
		dis_collect_targets(code, len, 0x100000, &p->t[k]);
	}
	dis_fastdec_enable(true);
}

static void same_array(const uint64_t *a, size_t an, const uint64_t *b, size_t bn)
{
	assert_int_equal(an, bn);
	if (an)
		assert_memory_equal(a, b, an * sizeof(*a));
}

static void test_prepass(void **state)
{
	struct prepass p = { 0 };

	(void)state;
	if (!for_each_text("/usr/lib/x86_64-linux-gnu/libc.so.6", prepass_cb, &p))
		skip();
	assert_true(p.t[0].calls_nr > 1000);
	same_array(p.t[0].calls, p.t[0].calls_nr, p.t[1].calls, p.t[1].calls_nr);
	same_array(p.t[0].jumps, p.t[0].jumps_nr, p.t[1].jumps, p.t[1].jumps_nr);
	same_array(p.t[0].jump_srcs, p.t[0].jumps_nr, p.t[1].jump_srcs, p.t[1].jumps_nr);
	same_array(p.t[0].addrs, p.t[0].addrs_nr, p.t[1].addrs, p.t[1].addrs_nr);
	same_array(p.t[0].touched, p.t[0].touched_nr, p.t[1].touched, p.t[1].touched_nr);
	same_array(p.t[0].stores_wide, p.t[0].stores_wide_nr, p.t[1].stores_wide, p.t[1].stores_wide_nr);
	assert_true(p.t[0].stores_nr > 100);
	assert_int_equal(p.t[0].stores_nr, p.t[1].stores_nr);
	assert_memory_equal(p.t[0].stores, p.t[1].stores, p.t[0].stores_nr * sizeof(*p.t[0].stores));
	dis_targets_release(&p.t[0]);
	dis_targets_release(&p.t[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_prepass),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
