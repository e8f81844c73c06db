/*
 * hash: SHA-256 (libsodium) as lowercase hex, one-shot or incremental.
 * Used for strategy content hashes and the checksum of the bars a run
 * used, so a result can be tied to exactly the data behind it.
 */
#ifndef UTIL_HASH_H
#define UTIL_HASH_H

#include <sodium.h>
#include <stddef.h>

#define HASH_HEX_LEN 64

struct hash_ctx {
	crypto_hash_sha256_state st;
};

void hash_init(struct hash_ctx *h);
void hash_update(struct hash_ctx *h, const void *data, size_t len);
/* Finish into hex[65] (NUL-terminated). */
void hash_final_hex(struct hash_ctx *h, char hex[HASH_HEX_LEN + 1]);
/* One shot. */
void hash_sha256_hex(const void *data, size_t len, char hex[HASH_HEX_LEN + 1]);

#endif
