#ifndef CONFINE_UTIL_SHA256_H
#define CONFINE_UTIL_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32
#define SHA256_HEX_LEN 64

/*
 * Incremental SHA-256 (Nettle's, with the CPU's SHA instructions where it
 * has them; Nettle's start-up costs nothing, OpenSSL's libcrypto 4-5 ms).
 * 'ctx' holds Nettle's struct sha256_ctx (sha256.c checks the size).
 */
struct sha256 {
	_Alignas(8) unsigned char ctx[128];
};

void sha256_init(struct sha256 *h);
void sha256_update(struct sha256 *h, const void *data, size_t len);
/* Writes 64 hex digits and a NUL into hex[65]; releases the context. */
void sha256_final_hex(struct sha256 *h, char hex[SHA256_HEX_LEN + 1]);
void sha256_release(struct sha256 *h);
/* One-shot helper. */
void sha256_hex(const void *data, size_t len, char hex[SHA256_HEX_LEN + 1]);

#endif
