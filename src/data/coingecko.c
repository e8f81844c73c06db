/*
 * coingecko: daily market capitalisations from CoinGecko's
 * /coins/{id}/market_chart (see coingecko.h for the contract).
 *
 * With interval=daily the answer's "market_caps" is [[ms, value], ...]:
 * one sample at 00:00 UTC per day, then, last, the current value at the
 * moment of the request (CoinGecko's API reference, "Coin Historical Chart
 * Data by ID": "above 90 days from current time = daily data (00:00 UTC)";
 * its example ends with [1711983682000, ...], a non-midnight stamp). Only
 * midnight samples are kept, so that sample, which is not a finished day,
 * never becomes one; any other stray non-midnight sample goes the same way
 * rather than being guessed onto a date. A null value (a day CoinGecko has
 * no cap for) is skipped as well.
 */
#include "data/coingecko.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/date.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#define BODY_IN_MESSAGE_MAX 300

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Parse market_caps into out; -1 with the reason in why. */
static int take_caps(json_t *caps, int64_t now, struct bars *out,
		     char *why, size_t whylen)
{
	size_t i;
	json_t *pt;
	if (!json_is_array(caps)) {
		snprintf(why, whylen, "\"market_caps\" is %s",
			 caps ? "not an array" : "missing");
		return -1;
	}
	json_array_foreach(caps, i, pt) {
		json_t *ms = json_array_get(pt, 0), *val = json_array_get(pt, 1);
		double msv;
		int64_t t;
		if (!json_is_array(pt) || json_array_size(pt) != 2 || !json_is_number(ms) ||
		    !(json_is_number(val) || json_is_null(val))) {
			snprintf(why, whylen, "market_caps[%zu] is not [ms, value]", i);
			return -1;
		}
		if (json_is_null(val))
			continue;
		msv = json_number_value(ms);
		if (msv != floor(msv) || fabs(msv) > 9.0e15) {
			snprintf(why, whylen, "market_caps[%zu]: bad time %g", i, msv);
			return -1;
		}
		/* keep whole UTC days only: the last, current, sample is not one */
		if (fmod(msv, 86400000.0) != 0)
			continue;
		t = (int64_t)msv / 1000;
		if (t > now)
			continue;
		if (out->n && t <= out->time[out->n - 1])
			continue;   /* a repeated day: the first one stands */
		bars_append(out, t, NAN, NAN, NAN, NAN, NAN, json_number_value(val));
	}
	return 0;
}

int coingecko_market_caps(struct http_client *c, const char *base_url,
			  const char *api_key, const char *coin_id, int days,
			  int64_t now, struct bars *out, char *err, size_t errlen)
{
	struct strbuf url = STRBUF_INIT, hdr = STRBUF_INIT, path = STRBUF_INIT;
	const char *headers[2] = { NULL, NULL };
	struct http_response r;
	json_t *root = NULL;
	json_error_t je;
	char herr[512], why[256];
	int rc = -1;
	size_t n;

	strbuf_addstr(&path, "/coins/");
	http_url_encode(&path, coin_id);
	strbuf_addstr(&path, "/market_chart");
	strbuf_addstr(&url, base_url);
	n = url.len;
	while (n && url.buf[n - 1] == '/')
		n--;
	strbuf_setlen(&url, n);
	strbuf_addf(&url, "%s?vs_currency=usd&days=%d&interval=daily", path.buf,
		    days > 0 ? days : 1);
	if (api_key && *api_key) {
		strbuf_addf(&hdr, "x-cg-demo-api-key: %s", api_key);
		headers[0] = hdr.buf;
	}
	http_response_init(&r);
	if (http_get(c, url.buf, headers, &r, herr, sizeof(herr))) {
		snprintf(err, errlen, "coingecko: %s", herr);
		goto out;
	}
	if (r.status < 200 || r.status > 299) {
		/* provider error bodies verbatim, on one line, bounded */
		struct strbuf msg = STRBUF_INIT;
		size_t i, len = r.body.len;
		while (len && (r.body.buf[len - 1] == '\n' || r.body.buf[len - 1] == '\r'))
			len--;
		strbuf_addf(&msg, "coingecko: GET %s: %ld", path.buf, r.status);
		if (len)
			strbuf_addch(&msg, ' ');
		for (i = 0; i < len && i < BODY_IN_MESSAGE_MAX; i++)
			strbuf_addch(&msg, r.body.buf[i] == '\n' || r.body.buf[i] == '\r'
				     ? ' ' : r.body.buf[i]);
		if (len > BODY_IN_MESSAGE_MAX)
			strbuf_addstr(&msg, "...");
		snprintf(err, errlen, "%s", msg.buf);
		strbuf_release(&msg);
		goto out;
	}
	root = json_loadb(r.body.buf, r.body.len, 0, &je);
	if (!root) {
		snprintf(err, errlen, "coingecko: malformed JSON from %s: %s", path.buf, je.text);
		goto out;
	}
	bars_release(out);
	if (take_caps(json_is_object(root) ? json_object_get(root, "market_caps") : NULL,
		      now, out, why, sizeof(why))) {
		snprintf(err, errlen, "coingecko: malformed JSON from %s: %s", path.buf, why);
		bars_release(out);   /* nothing half-read is handed out */
		goto out;
	}
	rc = 0;
out:
	json_decref(root);
	http_response_release(&r);
	strbuf_release(&url);
	strbuf_release(&hdr);
	strbuf_release(&path);
	return rc;
}

size_t coingecko_attach_mcap(struct bars *b, const struct bars *caps)
{
	size_t i, matched = 0;
	if (!b->n)
		return 0;
	if (!b->mcap) {
		/* an owning bars gets the array; a view (alloc 0) cannot */
		if (!b->alloc)
			return 0;
		b->mcap = xmalloc_array(b->alloc, sizeof(double));
	}
	for (i = 0; i < b->n; i++) {
		int64_t d = floor_div(b->time[i], DATE_DAY_SECONDS) * DATE_DAY_SECONDS;
		size_t k = bars_lower_bound(caps, d);
		if (k < caps->n && caps->time[k] == d && caps->mcap && !isnan(caps->mcap[k])) {
			b->mcap[i] = caps->mcap[k];
			matched++;
		} else {
			b->mcap[i] = NAN;
		}
	}
	return matched;
}

static const char *coin_id(const struct coingecko_options *o, const char *symbol)
{
	size_t i;
	for (i = 0; i < o->nids; i++)
		if (!strcmp(o->ids[2 * i], symbol))
			return o->ids[2 * i + 1];
	return NULL;
}

long coingecko_fill(const struct coingecko_options *o, struct fetch_result *set,
		    int64_t now, struct strbuf *warnings)
{
	struct http_client *c = NULL;
	long calls = 0;
	size_t i;

	for (i = 0; i < set->n; i++) {
		struct bars *b = &set->bars[i];
		struct bars caps;
		const char *id;
		char err[512];
		int days;

		if (set->errors[i] || !b->n || b->mcap || b->tf != TF_1D)
			continue;
		if (!(id = coin_id(o, b->symbol)))
			continue;
		if (!c)
			c = http_client_new(&o->http);
		days = (int)((now - b->time[0]) / DATE_DAY_SECONDS) + 2;
		bars_init(&caps, b->symbol, TF_1D);
		if (coingecko_market_caps(c, o->url, o->api_key, id, days, now, &caps,
					  err, sizeof(err)))
			strbuf_addf(warnings, "market caps of %s (%s): %s\n", b->symbol, id, err);
		else
			coingecko_attach_mcap(b, &caps);
		bars_release(&caps);
	}
	if (c) {
		calls = http_client_stats(c)->calls;
		http_client_free(c);
	}
	return calls;
}
