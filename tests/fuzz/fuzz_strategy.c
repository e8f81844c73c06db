/*
 * fuzz_strategy: libFuzzer target for the strategy loader
 * (core/strategy.h: strategy_parse validates a strategy-v1 document).
 * The input is the document's bytes, in a buffer of exactly that size.
 * Checks besides the sanitizers: an accepted definition has an entry
 * rule, 1..STRATEGY_MAX_ASSETS assets and parses the same way twice; a
 * refused one leaves a one-line message; strategy_lookback answers for
 * every accepted definition.
 *
 *   make fuzz FUZZ_SECONDS=60
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strategy.h"

static void check(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "fuzz_strategy: %s\n", what);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strategy s, again;
	char err[512], err2[512];
	char *buf = malloc(size ? size : 1);
	int rc, rc2;

	memcpy(buf, data, size);
	err[0] = '\0';
	memset(&s, 0, sizeof(s));
	rc = strategy_parse(&s, buf, size, err, sizeof(err));
	if (rc) {
		check(rc == -1, "strategy_parse returned neither 0 nor -1");
		check(err[0] != '\0', "refused without a message");
		check(strchr(err, '\n') == NULL, "message of more than one line");
	} else {
		check(s.entry != NULL, "accepted without an entry rule");
		check(s.nassets >= 1 && s.nassets <= STRATEGY_MAX_ASSETS, "asset count out of range");
		(void)strategy_lookback(&s);
		memset(&again, 0, sizeof(again));
		rc2 = strategy_parse(&again, buf, size, err2, sizeof(err2));
		check(rc2 == 0, "second parse of the same text failed");
		check(again.nassets == s.nassets, "second parse differs");
		strategy_release(&again);
	}
	strategy_release(&s);
	strategy_release(&s);   /* releasing twice is harmless */
	free(buf);
	return 0;
}
