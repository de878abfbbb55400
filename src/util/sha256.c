#include "util/sha256.h"

#include <string.h>

#include <nettle/sha2.h>

/* nettle/sha2.h names its functions after ours (sha256_init is a macro for nettle_sha256_init). */
#undef sha256_init
#undef sha256_update
#undef sha256_digest

_Static_assert(sizeof(struct sha256_ctx) <= sizeof(((struct sha256 *)0)->ctx), "struct sha256 holds a sha256_ctx");
_Static_assert(_Alignof(struct sha256_ctx) <= 8, "struct sha256 is aligned for a sha256_ctx");

static struct sha256_ctx *ctx_of(struct sha256 *h)
{
	return (struct sha256_ctx *)(void *)h->ctx;
}

void sha256_init(struct sha256 *h)
{
	nettle_sha256_init(ctx_of(h));
}

void sha256_update(struct sha256 *h, const void *data, size_t len)
{
	nettle_sha256_update(ctx_of(h), len, data);
}

void sha256_final_hex(struct sha256 *h, char hex[SHA256_HEX_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	uint8_t md[SHA256_LEN];

	nettle_sha256_digest(ctx_of(h), SHA256_LEN, md);
	for (unsigned i = 0; i < SHA256_LEN; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[SHA256_HEX_LEN] = '\0';
	sha256_release(h);
}

void sha256_release(struct sha256 *h)
{
	memset(h->ctx, 0, sizeof(h->ctx));
}

void sha256_hex(const void *data, size_t len, char hex[SHA256_HEX_LEN + 1])
{
	struct sha256 h;

	sha256_init(&h);
	sha256_update(&h, data, len);
	sha256_final_hex(&h, hex);
}
