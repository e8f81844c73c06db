/*
 * testutil_json: assertions on jansson values for the tests of JSON
 * writers (run_json, status_json): a key's type and exact value.
 */
#ifndef TESTS_TESTUTIL_JSON_H
#define TESTS_TESTUTIL_JSON_H

#include <jansson.h>

#include "testutil.h"

static inline void assert_str(const json_t *obj, const char *key, const char *want)
{
	json_t *v = json_object_get(obj, key);
	if (!json_is_string(v))
		fail_msg("\"%s\" is not a string", key);
	assert_string_equal(json_string_value(v), want);
}

static inline void assert_int(const json_t *obj, const char *key, json_int_t want)
{
	json_t *v = json_object_get(obj, key);
	if (!json_is_integer(v))
		fail_msg("\"%s\" is not an integer", key);
	assert_int_equal(json_integer_value(v), want);
}

#endif
