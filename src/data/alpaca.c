/*
 * alpaca: the Alpaca Market Data source (see alpaca.h for the contract).
 *
 * A fetch splits the request's symbols into stocks and crypto (a '/' in
 * the symbol: BTC/USD) and sends each group as ONE batched request
 * sequence: symbols=A,B,C with limit=10000 bars per page (counted across
 * the symbols), following next_page_token until it is null. Alpaca orders
 * a multi-symbol answer by symbol, then time, so a page can end in the
 * middle of a symbol and the next one continue it; bars are appended to
 * their symbol page after page. A symbol missing from the answer, or
 * "bars": null, simply has no bars in the range.
 *
 * Time stamps, as the documentation and the provider's own examples show:
 *
 *   stocks 1Day  "t" is midnight America/New_York of the session, written
 *                in UTC: 04:00Z under EDT, 05:00Z under EST. Sources:
 *                the Market Data OpenAPI example of GET /v2/stocks/bars
 *                (AAPL "t": "2022-02-28T05:00:00Z", a winter date) and the
 *                Market Data FAQ, docs.alpaca.markets/docs/market-data-faq
 *                (AAPL 1Day "t": "2023-09-29T04:00:00Z", a summer date).
 *                We take the New York calendar date of t (US DST rule
 *                written out below, no tz database) and stamp the bar at
 *                midnight UTC of that date, the project's convention.
 *   crypto 1Day  Alpaca first stamped daily crypto bars at midnight
 *                America/Chicago (docs example of /v1beta3/crypto/us
 *                snapshots: dailyBar "t": "2022-05-31T05:00:00Z";
 *                alpacahq/alpaca-py issue #169: "2022-01-01 06:00:00+00:00"
 *                in winter), and in mid-2025 moved them to midnight UTC
 *                (Lumiwealth/lumibot PR #826, "Alpaca changed the way it
 *                returns crypto daily bars, now sending them at midnight
 *                UTC"). Under both conventions the UTC calendar date of t
 *                is the date the bar is labelled with (05:00Z/06:00Z and
 *                00:00Z of day D are all on UTC day D), so that is what we
 *                keep: midnight UTC of t's UTC date.
 *   1Hour        the bar's start, already UTC: kept as it is.
 *
 * Only finished bars are kept: a bar whose period has not ended by the
 * clamped end (now - 15 min, the free feeds' delay) is a partial day or
 * hour that tomorrow's run would see with other numbers; the demo source
 * likewise only has bars whose period ended by `now`. A daily stock bar
 * ends at the 16:00 New York close (early closes are not modelled: they
 * only matter on the afternoon itself).
 *
 * Failures. A batch that fails after the HTTP layer's retries (a 5xx that
 * did not go away, another 4xx, malformed JSON) is retried one symbol per
 * request sequence (res->fallback = 1), so one symbol that upsets the
 * provider costs only itself. Failures that concern every request alike
 * are not retried that way, since N more requests would fail the same:
 * missing keys (no request is sent), 401/403 (credentials or plan), 429
 * after all retries (rate limit) and no HTTP answer at all (unreachable,
 * timed out). fetch returns -1 only when every symbol failed for such a
 * global cause.
 *
 * load (one symbol's whole history) is a fetch from 2000-01-01 to the
 * wall clock, for callers that do not go through fetch; the nightly path
 * uses fetch with --now.
 */
#include "data/alpaca.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/date.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#define ALPACA_DELAY_SECONDS (15 * 60)   /* free feeds: 15 min behind */
#define ALPACA_PAGE_LIMIT 10000           /* the API's maximum page */
#define ALPACA_SYMBOLS_MAX_BYTES 4000     /* keeps URLs under common limits */
#define ALPACA_MAX_PAGES 100000           /* a runaway page_token loop stops */
#define BODY_IN_MESSAGE_MAX 300
#define MSG_MAX 1024                      /* one failure message */

static const char STOCKS_PATH[] = "/v2/stocks/bars";
static const char CRYPTO_PATH[] = "/v1beta3/crypto/us/bars";
static const char KEYS_MISSING[] =
	"alpaca: APCA key id/secret not set (environment variables named by "
	"[alpaca] key_id_env / secret_key_env)";
static const char PLAN_HINT[] =
	" (your Alpaca plan does not include this feed: set [alpaca] feed = iex, "
	"or upgrade the subscription)";
static const char AUTH_HINT[] =
	" (Alpaca refused the APCA key id/secret: check the environment variables "
	"named by [alpaca] key_id_env / secret_key_env)";

struct alpaca_source {
	struct source base;
	char *data_url, *key_id, *secret_key, *feed, *adjustment;
	struct http_client *http;
};

enum failure { FAIL_NONE = 0, FAIL_LOCAL, FAIL_GLOBAL };

/* What one request sequence needs besides its symbols. */
struct query {
	int crypto;
	enum timeframe tf;
	int64_t qstart, qend;     /* sent as start/end */
	int64_t keep_start, keep_end; /* mapped bar times kept (request's range) */
	int64_t done_by;          /* a bar must have ended by then: now - 15 min */
	const char *const *headers;
};

static char *dup_or_null(const char *s)
{
	return s && *s ? xstrdup(s) : NULL;
}

/* New York's offset from UTC at instant t (-4 h or -5 h). */
static int64_t ny_utc_offset(int64_t t)
{
	return date_utc_to_ny(t) - t;
}

/*
 * Map a bar stamp to the project's bar time (see the top of the file) and
 * give the instant its period ends.
 */
static int64_t map_time(const struct query *q, int64_t t, int64_t *ends)
{
	int64_t day;
	if (q->tf == TF_1H) {
		*ends = t + 3600;
		return t;
	}
	if (q->crypto) {
		*ends = t + DATE_DAY_SECONDS;
		return date_utc_day(t) * DATE_DAY_SECONDS;
	}
	day = date_ny_day(t) * DATE_DAY_SECONDS;
	/* the 16:00 close; 20:00Z is 15:00 or 16:00 in New York, same offset */
	*ends = day + 16 * 3600 - ny_utc_offset(day + 20 * 3600);
	return day;
}

/* Append ", " + body to msg, on one line and at most BODY_IN_MESSAGE_MAX. */
static void add_body(struct strbuf *msg, const struct strbuf *body)
{
	size_t n = body->len, i;
	while (n && (body->buf[n - 1] == '\n' || body->buf[n - 1] == '\r' ||
		     body->buf[n - 1] == ' '))
		n--;
	if (!n)
		return;
	strbuf_addch(msg, ' ');
	for (i = 0; i < n && i < BODY_IN_MESSAGE_MAX; i++) {
		char ch = body->buf[i];
		strbuf_addch(msg, ch == '\n' || ch == '\r' || ch == '\t' ? ' ' : ch);
	}
	if (n > BODY_IN_MESSAGE_MAX)
		strbuf_addstr(msg, "...");
}

static void build_url(struct strbuf *url, const struct alpaca_source *a,
		      const struct query *q, const struct fetch_request *req,
		      const size_t *idx, size_t n, const char *token)
{
	char t[32];
	size_t i;
	strbuf_reset(url);
	strbuf_addstr(url, a->data_url);
	strbuf_addstr(url, q->crypto ? CRYPTO_PATH : STOCKS_PATH);
	strbuf_addstr(url, "?symbols=");
	for (i = 0; i < n; i++) {
		if (i)
			strbuf_addch(url, ',');
		http_url_encode(url, req->symbols[idx[i]]);
	}
	strbuf_addstr(url, q->tf == TF_1H ? "&timeframe=1Hour" : "&timeframe=1Day");
	date_format_time(q->qstart, t);
	strbuf_addstr(url, "&start=");
	http_url_encode(url, t);
	date_format_time(q->qend, t);
	strbuf_addstr(url, "&end=");
	http_url_encode(url, t);
	strbuf_addf(url, "&limit=%d", ALPACA_PAGE_LIMIT);
	if (!q->crypto && a->adjustment) {
		strbuf_addstr(url, "&adjustment=");
		http_url_encode(url, a->adjustment);
	}
	if (!q->crypto && a->feed) {
		strbuf_addstr(url, "&feed=");
		http_url_encode(url, a->feed);
	}
	strbuf_addstr(url, "&sort=asc");
	if (token) {
		strbuf_addstr(url, "&page_token=");
		http_url_encode(url, token);
	}
}

static int bar_number(json_t *bar, const char *key, double *out)
{
	json_t *v = json_object_get(bar, key);
	if (!json_is_number(v))
		return -1;
	*out = json_number_value(v);
	return 0;
}

/*
 * Append the bars of one symbol's array (one page's worth) to b.
 * Returns 0, or -1 with the reason in why.
 */
static int take_bars(const struct query *q, json_t *arr, struct bars *b,
		     const char *symbol, char *why, size_t whylen)
{
	static const char *const fields[] = { "o", "h", "l", "c", "v" };
	size_t k, f;
	json_t *bar;
	if (json_is_null(arr))
		return 0;
	if (!json_is_array(arr)) {
		snprintf(why, whylen, "bars of %s: not an array", symbol);
		return -1;
	}
	json_array_foreach(arr, k, bar) {
		double v[5];
		const char *ts;
		int64_t t, mapped, ends;
		if (!json_is_object(bar)) {
			snprintf(why, whylen, "bar %zu of %s: not an object", k, symbol);
			return -1;
		}
		ts = json_string_value(json_object_get(bar, "t"));
		if (!ts || date_parse_rfc3339(ts, &t)) {
			snprintf(why, whylen, "bar %zu of %s: missing or bad \"t\"", k, symbol);
			return -1;
		}
		for (f = 0; f < 5; f++) {
			if (bar_number(bar, fields[f], &v[f])) {
				snprintf(why, whylen, "bar %zu of %s: missing or non-numeric \"%s\"",
					 k, symbol, fields[f]);
				return -1;
			}
		}
		mapped = map_time(q, t, &ends);
		if (mapped < q->keep_start || mapped > q->keep_end || ends > q->done_by)
			continue;
		if (b->n && mapped <= b->time[b->n - 1]) {
			snprintf(why, whylen, "bars of %s out of order at %s", symbol, ts);
			return -1;
		}
		bars_append(b, mapped, v[0], v[1], v[2], v[3], v[4], NAN);
	}
	return 0;
}

/*
 * One batched request sequence (all pages) for the symbols idx[0..n).
 * Bars go to res->bars[idx[i]]. Returns FAIL_NONE, or the failure's class
 * with its message in err (bars possibly half filled: the caller resets).
 */
static enum failure run_sequence(struct alpaca_source *a, const struct query *q,
				 const struct fetch_request *req, const size_t *idx,
				 size_t n, struct fetch_result *res,
				 char *err, size_t errlen)
{
	const char *path = q->crypto ? CRYPTO_PATH : STOCKS_PATH;
	struct strbuf url = STRBUF_INIT, token = STRBUF_INIT, msg = STRBUF_INIT;
	struct http_response r;
	enum failure fail = FAIL_NONE;
	long page;
	char herr[512];

	http_response_init(&r);
	for (page = 0; page < ALPACA_MAX_PAGES; page++) {
		json_error_t je;
		json_t *root, *bars, *next, *arr;
		const char *sym;
		char why[256] = "";

		build_url(&url, a, q, req, idx, n, page ? token.buf : NULL);
		if (http_get(a->http, url.buf, q->headers, &r, herr, sizeof(herr))) {
			snprintf(err, errlen, "alpaca: %s", herr);
			fail = FAIL_GLOBAL;
			break;
		}
		if (r.status < 200 || r.status > 299) {
			strbuf_reset(&msg);
			strbuf_addf(&msg, "alpaca: GET %s: %ld", path, r.status);
			add_body(&msg, &r.body);
			if (r.status == 403 && strstr(r.body.buf, "subscription does not permit"))
				strbuf_addstr(&msg, PLAN_HINT);
			else if (r.status == 401 || r.status == 403)
				strbuf_addstr(&msg, AUTH_HINT);
			snprintf(err, errlen, "%s", msg.buf);
			fail = r.status == 401 || r.status == 403 || r.status == 429
			       ? FAIL_GLOBAL : FAIL_LOCAL;
			break;
		}
		root = json_loadb(r.body.buf, r.body.len, 0, &je);
		if (!root) {
			snprintf(err, errlen, "alpaca: malformed JSON from %s: %s", path, je.text);
			fail = FAIL_LOCAL;
			break;
		}
		bars = json_object_get(root, "bars");
		if (!json_is_object(root)) {
			snprintf(why, sizeof(why), "not an object");
		} else if (bars && !json_is_null(bars) && !json_is_object(bars)) {
			snprintf(why, sizeof(why), "\"bars\" is not an object");
		} else if (json_is_object(bars)) {
			json_object_foreach(bars, sym, arr) {
				size_t i;
				/* every slot of that symbol (a request may name it twice) */
				for (i = 0; i < n && !why[0]; i++)
					if (strcmp(req->symbols[idx[i]], sym) == 0)
						take_bars(q, arr, &res->bars[idx[i]], sym, why,
							  sizeof(why));
				if (why[0])
					break;
			}
		}
		next = json_is_object(root) ? json_object_get(root, "next_page_token") : NULL;
		if (!why[0] && next && !json_is_null(next) && !json_is_string(next))
			snprintf(why, sizeof(why), "\"next_page_token\" is not a string");
		if (!why[0] && json_is_string(next) && page && strcmp(json_string_value(next), token.buf) == 0)
			snprintf(why, sizeof(why), "next_page_token repeats");
		if (why[0]) {
			snprintf(err, errlen, "alpaca: malformed JSON from %s: %s", path, why);
			json_decref(root);
			fail = FAIL_LOCAL;
			break;
		}
		if (!json_is_string(next) || !*json_string_value(next)) {
			json_decref(root);
			break;
		}
		strbuf_reset(&token);
		strbuf_addstr(&token, json_string_value(next));
		json_decref(root);
	}
	if (page == ALPACA_MAX_PAGES) {
		snprintf(err, errlen, "alpaca: %s: more than %d pages", path, ALPACA_MAX_PAGES);
		fail = FAIL_LOCAL;
	}
	http_response_release(&r);
	strbuf_release(&url);
	strbuf_release(&token);
	strbuf_release(&msg);
	return fail;
}

/* Bookkeeping of the failures of one fetch, for its return value. */
struct tally {
	size_t failed, global;
	char first_global[MSG_MAX];
};

static void fail_symbol(struct fetch_result *res, struct tally *t, size_t i,
			const char *msg, enum failure kind)
{
	fetch_result_fail(res, i, msg);
	t->failed++;
	if (kind == FAIL_GLOBAL) {
		if (!t->global)
			snprintf(t->first_global, sizeof(t->first_global), "%s", msg);
		t->global++;
	}
}

/* One chunk of a group: a batch, and one sequence per symbol if it fails. */
static void fetch_chunk(struct alpaca_source *a, const struct query *q,
			const struct fetch_request *req, const size_t *idx, size_t n,
			struct fetch_result *res, struct tally *t)
{
	char msg[MSG_MAX];
	enum failure f;
	size_t i;

	f = run_sequence(a, q, req, idx, n, res, msg, sizeof(msg));
	if (f == FAIL_NONE)
		return;
	for (i = 0; i < n; i++)
		bars_release(&res->bars[idx[i]]);
	if (f == FAIL_GLOBAL || n == 1) {
		for (i = 0; i < n; i++)
			fail_symbol(res, t, idx[i], msg, f);
		return;
	}
	res->fallback = 1;
	for (i = 0; i < n; i++) {
		f = run_sequence(a, q, req, &idx[i], 1, res, msg, sizeof(msg));
		if (f == FAIL_NONE)
			continue;
		bars_release(&res->bars[idx[i]]);
		fail_symbol(res, t, idx[i], msg, f);
		if (f == FAIL_GLOBAL) {
			/* the others would fail the same way: do not ask */
			for (i++; i < n; i++)
				fail_symbol(res, t, idx[i], msg, f);
		}
	}
}

static int alpaca_fetch(struct source *src, const struct fetch_request *req,
			struct fetch_result *res, char *err, size_t errlen)
{
	struct alpaca_source *a = (struct alpaca_source *)src;
	const struct http_stats *st = http_client_stats(a->http);
	long calls0 = st->calls, retries0 = st->retries;
	struct strbuf hid = STRBUF_INIT, hsecret = STRBUF_INIT;
	const char *keyed[3] = { NULL, NULL, NULL };
	int have_keys = a->key_id && a->secret_key;
	struct tally tally;
	size_t *idx = xmalloc_array(req->nsymbols ? req->nsymbols : 1, sizeof(*idx));
	int64_t now = req->now > 0 ? req->now : (int64_t)time(NULL);
	int crypto;

	memset(&tally, 0, sizeof(tally));
	if (have_keys) {
		strbuf_addf(&hid, "APCA-API-KEY-ID: %s", a->key_id);
		strbuf_addf(&hsecret, "APCA-API-SECRET-KEY: %s", a->secret_key);
		keyed[0] = hid.buf;
		keyed[1] = hsecret.buf;
	}
	for (crypto = 0; crypto <= 1; crypto++) {
		struct query q;
		size_t n = 0, i, from;

		for (i = 0; i < req->nsymbols; i++)
			if ((strchr(req->symbols[i], '/') != NULL) == crypto)
				idx[n++] = i;
		if (!n)
			continue;
		if (!crypto && !have_keys) {
			for (i = 0; i < n; i++)
				fail_symbol(res, &tally, idx[i], KEYS_MISSING, FAIL_GLOBAL);
			continue;
		}
		memset(&q, 0, sizeof(q));
		q.crypto = crypto;
		q.tf = req->tf;
		q.keep_start = req->start;
		q.keep_end = req->end;
		q.done_by = now - ALPACA_DELAY_SECONDS;
		q.qstart = req->start;
		q.qend = req->end < q.done_by ? req->end : q.done_by;
		/*
		 * A daily bar of date D is stamped later on D (04:00Z, 05:00Z...):
		 * ask up to the end of the last date, still no later than done_by
		 * (written so that a far-future end cannot overflow).
		 */
		if (req->tf == TF_1D && q.qend == req->end)
			q.qend = q.done_by - req->end >= DATE_DAY_SECONDS - 1
				 ? req->end + DATE_DAY_SECONDS - 1 : q.done_by;
		/* crypto is public; keys, when there are some, raise the rate limit */
		q.headers = have_keys ? keyed : NULL;
		if (q.qend < q.qstart)
			continue;   /* nothing can be in range: no request */

		/* chunks whose symbols= value stays under ALPACA_SYMBOLS_MAX_BYTES */
		for (from = 0; from < n;) {
			size_t to = from, bytes = 0;
			while (to < n) {
				size_t b = strlen(req->symbols[idx[to]]) * 3 + 1;
				if (to > from && bytes + b > ALPACA_SYMBOLS_MAX_BYTES)
					break;
				bytes += b;
				to++;
			}
			fetch_chunk(a, &q, req, idx + from, to - from, res, &tally);
			from = to;
		}
	}
	res->calls += st->calls - calls0;
	res->retries += st->retries - retries0;
	free(idx);
	strbuf_release(&hid);
	strbuf_release(&hsecret);
	if (req->nsymbols && tally.failed == req->nsymbols && tally.global == tally.failed) {
		snprintf(err, errlen, "%s", tally.first_global);
		return -1;
	}
	return 0;
}

static int alpaca_load(struct source *src, const char *symbol, enum timeframe tf,
		       struct bars *out, struct strbuf *warnings,
		       char *err, size_t errlen)
{
	const char *syms[1];
	struct fetch_request req;
	struct fetch_result res;
	int rc;

	(void)warnings;  /* nothing is skipped silently: bad data is an error */
	syms[0] = symbol;
	memset(&req, 0, sizeof(req));
	req.symbols = syms;
	req.nsymbols = 1;
	req.tf = tf;
	req.now = (int64_t)time(NULL);
	req.start = date_days_from_civil(2000, 1, 1) * DATE_DAY_SECONDS;
	req.end = req.now;
	fetch_result_init(&res, &req);
	rc = alpaca_fetch(src, &req, &res, err, errlen);
	if (!rc && res.errors[0]) {
		snprintf(err, errlen, "%s: %s", symbol, res.errors[0]);
		rc = -1;
	} else if (rc) {
		char *tmp = xstrdup(err);
		snprintf(err, errlen, "%s: %s", symbol, tmp);
		free(tmp);
	}
	if (rc) {
		bars_init(out, symbol, tf);
	} else {
		*out = res.bars[0];   /* hand the arrays over */
		bars_init(&res.bars[0], symbol, tf);
	}
	fetch_result_release(&res);
	return rc;
}

static void alpaca_free(struct source *src)
{
	struct alpaca_source *a = (struct alpaca_source *)src;
	http_client_free(a->http);
	free(a->data_url);
	free(a->key_id);
	free(a->secret_key);
	free(a->feed);
	free(a->adjustment);
	free(a);
}

struct source *source_alpaca_new(const struct alpaca_options *opt)
{
	struct alpaca_source *a = xcalloc(1, sizeof(*a));
	size_t n;

	a->data_url = xstrdup(opt->data_url ? opt->data_url : "https://data.alpaca.markets");
	/* "https://host/" and "https://host" must build the same URLs */
	n = strlen(a->data_url);
	while (n && a->data_url[n - 1] == '/')
		a->data_url[--n] = '\0';
	a->key_id = dup_or_null(opt->key_id);
	a->secret_key = dup_or_null(opt->secret_key);
	a->feed = dup_or_null(opt->feed);
	a->adjustment = dup_or_null(opt->adjustment);
	a->http = http_client_new(&opt->http);
	a->base.name = "alpaca";
	a->base.remote = 1;
	a->base.load = alpaca_load;
	a->base.fetch = alpaca_fetch;
	a->base.free = alpaca_free;
	return &a->base;
}
