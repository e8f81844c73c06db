/*
 * hash: SHA-256 hex over libsodium; see hash.h.
 */
#include "util/hash.h"

#include <stdio.h>
#include <stdlib.h>

/* sodium_init is idempotent and cheap after the first call */
static void ensure_init(void)
{
	if (sodium_init() < 0) {
		fputs("fatal: libsodium cannot be initialised\n", stderr);
		abort();
	}
}

void hash_init(struct hash_ctx *h)
{
	ensure_init();
	crypto_hash_sha256_init(&h->st);
}

void hash_update(struct hash_ctx *h, const void *data, size_t len)
{
	crypto_hash_sha256_update(&h->st, data, len);
}

void hash_final_hex(struct hash_ctx *h, char hex[HASH_HEX_LEN + 1])
{
	unsigned char out[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_final(&h->st, out);
	sodium_bin2hex(hex, HASH_HEX_LEN + 1, out, sizeof(out));
}

void hash_sha256_hex(const void *data, size_t len, char hex[HASH_HEX_LEN + 1])
{
	struct hash_ctx h;
	hash_init(&h);
	hash_update(&h, data, len);
	hash_final_hex(&h, hex);
}
