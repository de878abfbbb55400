#include "elf/ehpads.h"

#include <stdlib.h>
#include <string.h>

#include "elf/elf.h"
#include "util/search.h"
#include "util/xalloc.h"

/*
 * Formats: the System V x86-64 psABI and LSB ("Exception Frames": CIE and
 * FDE records, the 'z', 'L', 'P', 'R', 'S' augmentations, DW_EH_PE_*
 * pointer encodings) and the LSDA header and call-site table GCC's and
 * LLVM's personality routines read (lpstart, type table, call sites).
 */

#define PE_OMIT 0xff
#define PE_FORMAT 0x0f
#define PE_APPLY 0x70
#define PE_INDIRECT 0x80
#define PE_ABSPTR 0x00
#define PE_PCREL 0x10

/* A bounded cursor over bytes that live at 'addr' in the process. */
struct cur {
	const uint8_t *p, *end;
	uint64_t addr;    /* address of *p */
	bool bad;
};

static void skip(struct cur *c, size_t n)
{
	if (c->bad || (size_t)(c->end - c->p) < n) {
		c->bad = true;
		c->p = c->end;
		return;
	}
	c->p += n;
	c->addr += n;
}

static uint64_t fixed(struct cur *c, unsigned n)
{
	uint64_t v = 0;

	if (c->bad || (size_t)(c->end - c->p) < n) {
		c->bad = true;
		return 0;
	}
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)c->p[i] << (8 * i);
	skip(c, n);
	return v;
}

static uint64_t leb(struct cur *c, bool is_signed)
{
	uint64_t v = 0;
	unsigned shift = 0;
	uint8_t b;

	do {
		if (c->bad || c->p == c->end || shift >= 64) {
			c->bad = true;
			return 0;
		}
		b = *c->p;
		skip(c, 1);
		v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
	} while (b & 0x80);
	if (is_signed && shift < 64 && (b & 0x40))
		v |= ~(uint64_t)0 << shift;
	return v;
}

static uint64_t sext(uint64_t v, unsigned bits)
{
	uint64_t m = (uint64_t)1 << (bits - 1);

	return (v ^ m) - m;
}

/*
 * A pointer in encoding 'enc'.  Absolute and pc-relative values only: the
 * others (text-, data-, function-relative, aligned, indirect) are not
 * emitted for x86-64 .eh_frame by GCC or LLVM and make the record bad.
 */
static uint64_t encoded(struct cur *c, uint8_t enc)
{
	uint64_t at = c->addr, v;

	if ((enc & PE_INDIRECT) || ((enc & PE_APPLY) != PE_ABSPTR && (enc & PE_APPLY) != PE_PCREL)) {
		c->bad = true;
		return 0;
	}
	switch (enc & PE_FORMAT) {
	case 0x00: v = fixed(c, 8); break;
	case 0x01: v = leb(c, false); break;
	case 0x02: v = fixed(c, 2); break;
	case 0x03: v = fixed(c, 4); break;
	case 0x04: v = fixed(c, 8); break;
	case 0x09: v = leb(c, true); break;
	case 0x0a: v = sext(fixed(c, 2), 16); break;
	case 0x0b: v = sext(fixed(c, 4), 32); break;
	case 0x0c: v = fixed(c, 8); break;
	default:
		c->bad = true;
		return 0;
	}
	/* As the unwinder reads them: a zero stays zero (no LSDA, an FDE for nothing). */
	return (enc & PE_APPLY) == PE_PCREL && v ? v + at : v;
}

/* Skip a pointer of encoding 'enc' whose value is not needed (the personality). */
static void skip_encoded(struct cur *c, uint8_t enc)
{
	if (enc != PE_OMIT)
		(void)encoded(c, (uint8_t)(enc & (PE_FORMAT | PE_PCREL)));
}

struct cie {
	uint64_t off;       /* offset in .eh_frame, UINT64_MAX: none parsed */
	bool z;             /* has augmentation data (and so FDE augmentation lengths) */
	uint8_t fde_enc, lsda_enc;
};

static bool parse_cie(const uint8_t *base, size_t size, uint64_t secaddr, uint64_t off, struct cie *out)
{
	struct cur c = { base + off, base + size, secaddr + off, false };
	uint64_t len = fixed(&c, 4), id;
	const char *aug;
	size_t alen;
	uint8_t version;

	if (len == 0xffffffffu)
		len = fixed(&c, 8);
	if (c.bad || len > (size_t)(c.end - c.p))
		return false;
	c.end = c.p + len;
	id = fixed(&c, 4);
	version = (uint8_t)fixed(&c, 1);
	if (c.bad || id != 0 || (version != 1 && version != 3))
		return false;
	aug = (const char *)c.p;
	alen = strnlen(aug, (size_t)(c.end - c.p));
	skip(&c, alen + 1);
	(void)leb(&c, false);                 /* code alignment */
	(void)leb(&c, true);                  /* data alignment */
	if (version == 1)
		skip(&c, 1);                  /* return address register */
	else
		(void)leb(&c, false);
	*out = (struct cie){ off, false, 0, PE_OMIT };
	if (c.bad)
		return false;
	if (alen == 0)
		return true;
	if (aug[0] != 'z')
		return false;                 /* "eh" (gcc 2.x) and other old forms */
	out->z = true;
	(void)leb(&c, false);                 /* augmentation data length */
	for (size_t i = 1; i < alen && !c.bad; i++) {
		switch (aug[i]) {
		case 'L': out->lsda_enc = (uint8_t)fixed(&c, 1); break;
		case 'R': out->fde_enc = (uint8_t)fixed(&c, 1); break;
		case 'P': {
			uint8_t penc = (uint8_t)fixed(&c, 1);

			skip_encoded(&c, penc);
			break;
		}
		case 'S':
		case 'B':
		case 'G':
			break;
		default:
			return false;
		}
	}
	return !c.bad;
}


/* The landing pads of the LSDA at 'lsda', for the FDE starting at pc_begin. */
static bool parse_lsda(const struct elf_file *elf, uint64_t lsda, uint64_t pc_begin, uint64_t **pads,
		       size_t *nr, size_t *alloc)
{
	uint64_t off, avail, lpstart = pc_begin, cs_len;
	const uint8_t *p;
	struct cur c;
	uint8_t lp_enc, tt_enc, cs_enc;

	if (!elf_vaddr_to_offset(elf, lsda, &off, &avail) || !avail || !(p = elf_vaddr_bytes(elf, lsda, avail)))
		return false;
	c = (struct cur){ p, p + avail, lsda, false };
	lp_enc = (uint8_t)fixed(&c, 1);
	if (lp_enc != PE_OMIT)
		lpstart = encoded(&c, lp_enc);
	tt_enc = (uint8_t)fixed(&c, 1);
	if (tt_enc != PE_OMIT)
		(void)leb(&c, false);
	cs_enc = (uint8_t)fixed(&c, 1);
	cs_len = leb(&c, false);
	if (c.bad || (cs_enc & PE_APPLY) != PE_ABSPTR || cs_len > (size_t)(c.end - c.p))
		return false;
	c.end = c.p + cs_len;
	while (c.p < c.end && !c.bad) {
		uint64_t lp;

		(void)encoded(&c, cs_enc);    /* start */
		(void)encoded(&c, cs_enc);    /* length */
		lp = encoded(&c, cs_enc);
		(void)leb(&c, false);         /* action */
		if (!c.bad && lp) {
			ALLOC_GROW(*pads, *nr + 1, *alloc);
			(*pads)[(*nr)++] = lpstart + lp;
		}
	}
	return !c.bad;
}

static bool parse_eh_frame(const struct elf_file *elf, const struct elf_section *sec, struct ehpads *out)
{
	const uint8_t *base;
	size_t size, pos = 0, pads_alloc = 0, fdes_alloc = 0;
	struct cie cie = { UINT64_MAX, false, 0, PE_OMIT };

	if (elf_section_data(elf, sec, &base, &size) != 0)
		return false;
	while (pos + 4 <= size) {
		struct cur c = { base + pos, base + size, sec->addr + pos, false };
		uint64_t len = fixed(&c, 4), id_at, id, lo, range, next;

		if (len == 0)
			break;                        /* terminator */
		if (len == 0xffffffffu)
			len = fixed(&c, 8);
		if (c.bad || len < 4 || len > (size_t)(c.end - c.p))
			return false;
		next = (uint64_t)(c.p - base) + len;
		c.end = c.p + len;
		id_at = (uint64_t)(c.p - base);
		id = fixed(&c, 4);
		pos = next;
		if (id == 0)
			continue;                     /* a CIE: parsed when an FDE names it */
		if (id > id_at)
			return false;
		if (cie.off != id_at - id && !parse_cie(base, size, sec->addr, id_at - id, &cie))
			return false;
		lo = encoded(&c, cie.fde_enc);
		range = encoded(&c, (uint8_t)(cie.fde_enc & PE_FORMAT));
		if (c.bad)
			return false;
		if (cie.z) {
			uint64_t alen = leb(&c, false);

			if (c.bad || alen > (size_t)(c.end - c.p))
				return false;
			if (cie.lsda_enc != PE_OMIT && alen) {
				uint64_t lsda = encoded(&c, cie.lsda_enc);

				if (c.bad || (lsda && !parse_lsda(elf, lsda, lo, &out->pads, &out->pads_nr, &pads_alloc)))
					return false;
			}
		}
		/* An FDE for nothing (a discarded function's leftover) covers nothing. */
		if (!lo || !range)
			continue;
		ALLOC_GROW(out->fdes, out->fdes_nr + 1, fdes_alloc);
		out->fdes[out->fdes_nr++] = (struct ehpads_range){ lo, lo + range };
	}
	return true;
}

static int cmp_range(const void *a, const void *b)
{
	const struct ehpads_range *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

void ehpads_load(const struct elf_file *elf, struct ehpads *out)
{
	const struct elf_section *sec = elf_section_by_name(elf, ".eh_frame");
	size_t k = 0;

	*out = (struct ehpads){ 0 };
	if (!sec) {
		out->known = true;
		return;
	}
	if (!parse_eh_frame(elf, sec, out)) {
		ehpads_release(out);
		return;
	}
	if (out->pads_nr)
		qsort(out->pads, out->pads_nr, sizeof(*out->pads), u64_cmp);
	for (size_t i = 0; i < out->pads_nr; i++)
		if (!k || out->pads[k - 1] != out->pads[i])
			out->pads[k++] = out->pads[i];
	out->pads_nr = k;
	if (out->fdes_nr)
		qsort(out->fdes, out->fdes_nr, sizeof(*out->fdes), cmp_range);
	out->known = true;
}

void ehpads_release(struct ehpads *p)
{
	free(p->pads);
	free(p->fdes);
	*p = (struct ehpads){ 0 };
}

enum ehpads_kind ehpads_entry(const struct ehpads *p, uint64_t addr)
{
	size_t i;
	bool covered = false;

	if (!p->known)
		return EH_UNKNOWN;
	i = u64_lower_bound(p->pads, p->pads_nr, addr);
	if (i < p->pads_nr && p->pads[i] == addr)
		return EH_LANDING_PAD;
	/* FDEs do not overlap in linked objects; look at the last one starting at or below addr. */
	i = addr == UINT64_MAX ? p->fdes_nr : addr_lower_bound(p->fdes, p->fdes_nr, sizeof(*p->fdes), addr + 1);
	covered = i > 0 && addr < p->fdes[i - 1].hi;
	return covered ? EH_NOT_ENTERED : EH_UNKNOWN;
}
