/*
 * test_hash: SHA-256 as lowercase hex (util/hash.h) against the FIPS
 * 180-2 test vectors ("", "abc", the 448-bit message, a million 'a'),
 * and incremental hashing equal to one-shot whatever the split.
 */
#include "testutil.h"

#include "util/hash.h"

#define EMPTY  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define ABC    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define MSG448 "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
#define H448   "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
#define MILLION_A "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"

static void test_known_vectors(void **state)
{
	char hex[HASH_HEX_LEN + 1];
	(void)state;

	memset(hex, 'X', sizeof(hex));
	hash_sha256_hex("", 0, hex);
	assert_string_equal(hex, EMPTY);
	assert_int_equal(strlen(hex), HASH_HEX_LEN);
	hash_sha256_hex(NULL, 0, hex);   /* no bytes: the pointer is not read */
	assert_string_equal(hex, EMPTY);
	hash_sha256_hex("abc", 3, hex);
	assert_string_equal(hex, ABC);
	hash_sha256_hex(MSG448, strlen(MSG448), hex);
	assert_string_equal(hex, H448);
	/* only len bytes count */
	hash_sha256_hex("abcdef", 3, hex);
	assert_string_equal(hex, ABC);
}

static void test_incremental_equals_one_shot(void **state)
{
	const char *msg = MSG448;
	size_t len = strlen(msg), cut, cut2;
	char one[HASH_HEX_LEN + 1], inc[HASH_HEX_LEN + 1];
	(void)state;

	hash_sha256_hex(msg, len, one);
	for (cut = 0; cut <= len; cut++) {
		for (cut2 = cut; cut2 <= len; cut2 += 5) {
			struct hash_ctx h;
			hash_init(&h);
			hash_update(&h, msg, cut);
			hash_update(&h, msg + cut, cut2 - cut);
			hash_update(&h, msg + cut2, len - cut2);
			hash_final_hex(&h, inc);
			assert_string_equal(inc, one);
		}
	}
	/* nothing fed at all */
	{
		struct hash_ctx h;
		hash_init(&h);
		hash_final_hex(&h, inc);
		assert_string_equal(inc, EMPTY);
	}
}

static void test_million_a(void **state)
{
	char chunk[1000], hex[HASH_HEX_LEN + 1];
	struct hash_ctx h;
	char *all;
	int i;
	(void)state;

	memset(chunk, 'a', sizeof(chunk));
	hash_init(&h);
	for (i = 0; i < 1000; i++)
		hash_update(&h, chunk, sizeof(chunk));
	hash_final_hex(&h, hex);
	assert_string_equal(hex, MILLION_A);

	all = malloc(1000000);
	memset(all, 'a', 1000000);
	hash_sha256_hex(all, 1000000, hex);
	assert_string_equal(hex, MILLION_A);
	free(all);
}

static void test_contexts_are_independent(void **state)
{
	struct hash_ctx a, b;
	char ha[HASH_HEX_LEN + 1], hb[HASH_HEX_LEN + 1];
	(void)state;

	hash_init(&a);
	hash_init(&b);
	hash_update(&a, "a", 1);
	hash_update(&b, "", 0);
	hash_update(&a, "bc", 2);
	hash_final_hex(&b, hb);
	hash_final_hex(&a, ha);
	assert_string_equal(ha, ABC);
	assert_string_equal(hb, EMPTY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_vectors),
		cmocka_unit_test(test_incremental_equals_one_shot),
		cmocka_unit_test(test_million_a),
		cmocka_unit_test(test_contexts_are_independent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
