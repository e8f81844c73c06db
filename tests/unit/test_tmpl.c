/*
 * test_tmpl: the C bridge to ctemplate (render/tmpl.h). Small templates
 * are written into a fresh directory (mkdtemp) that becomes the template
 * root; each template has a name of its own, since ctemplate caches
 * templates by name for the life of the process.
 *
 *   - variables: tmpl_set (NULL -> ""), tmpl_setf, tmpl_set_int; unset
 *     ones expand to nothing; rendering appends;
 *   - sections: hidden unless shown; tmpl_show shows once with the
 *     parent's values; tmpl_add_section repeats, each repetition with its
 *     own values over its parent's; nested sections;
 *   - includes: rendered with their own dictionary (the parent's values
 *     are not seen), once per tmpl_add_include, nothing without one;
 *   - {{%AUTOESCAPE context="HTML"}}: text and quoted attributes are
 *     HTML-escaped ('<script>' -> '&lt;script&gt;', quotes -> &quot; and
 *     &#39;), in sections and includes too; a javascript: URL in href is
 *     replaced by "#";
 *   - a missing template (or include, or a syntax error) returns -1 with a
 *     message naming the file and leaves the output as it was;
 *   - freeing only the root frees every child (the ASan build checks no
 *     leak); freeing a child or NULL does nothing.
 */
#include "testutil.h"

#include <sys/stat.h>

#include "render/tmpl.h"
#include "util/strbuf.h"

#define PRAGMA "{{%AUTOESCAPE context=\"HTML\"}}\n"

static char root[4096];
static char written[64][128];
static size_t nwritten;

/* Write root/name: the autoescape pragma line, then body. */
static void write_tpl(const char *name, const char *body)
{
	char path[4096 + 130];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, name);
	f = fopen(path, "w");
	if (!f)
		fail_msg("cannot write %s: %s", path, strerror(errno));
	fputs(PRAGMA, f);
	fputs(body, f);
	fclose(f);
	if (nwritten < sizeof(written) / sizeof(written[0]))
		snprintf(written[nwritten++], sizeof(written[0]), "%s", name);
}

/* The last render(); released by the group teardown. */
static struct strbuf rendered = STRBUF_INIT;

/* Render name with d; it must succeed. Returns the text (until the next call). */
static const char *render(const char *name, struct tmpl_dict *d)
{
	struct strbuf *out = &rendered;
	char err[512] = "";

	strbuf_reset(out);
	if (tmpl_render(name, d, out, err, sizeof(err)))
		fail_msg("tmpl_render %s: %s", name, err);
	return out->buf;
}

static void expect(const char *name, struct tmpl_dict *d, const char *want)
{
	const char *got = render(name, d);
	if (strcmp(got, want))
		fail_msg("%s\n  got:      \"%s\"\n  expected: \"%s\"", name, got, want);
}

static int setup_group(void **state)
{
	const char *tmp = getenv("TMPDIR");
	char err[256] = "";

	(void)state;
	snprintf(root, sizeof(root), "%s/test_tmpl_XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(root)) {
		fprintf(stderr, "mkdtemp %s: %s\n", root, strerror(errno));
		return -1;
	}
	if (tmpl_set_root(root, err, sizeof(err))) {
		fprintf(stderr, "tmpl_set_root: %s\n", err);
		return -1;
	}
	return 0;
}

static int teardown_group(void **state)
{
	char path[4096 + 130];
	size_t i;

	(void)state;
	for (i = 0; i < nwritten; i++) {
		if (snprintf(path, sizeof(path), "%s/%s", root, written[i]) < (int)sizeof(path))
			unlink(path);
	}
	rmdir(root);
	strbuf_release(&rendered);
	return 0;
}

/* ------------------------------------------------------- variables */

static void test_variables(void **state)
{
	struct tmpl_dict *d;

	(void)state;
	write_tpl("vars.tpl", "[{{NAME}}] n={{N}} neg={{NEG}} zero={{ZERO}} "
		  "f={{F}} null=[{{NUL}}] unset=[{{UNSET}}]\n");
	d = tmpl_dict_new("vars");
	tmpl_set(d, "NAME", "first");
	tmpl_set(d, "NAME", "Golden cross");     /* the last value wins */
	tmpl_set_int(d, "N", 42);
	tmpl_set_int(d, "NEG", -1234567890L);
	tmpl_set_int(d, "ZERO", 0);
	tmpl_setf(d, "F", "%s-%03d/%.2f%%", "run", 7, 12.345);
	tmpl_set(d, "NUL", NULL);
	expect("vars.tpl", d, "[Golden cross] n=42 neg=-1234567890 zero=0 "
	       "f=run-007/12.35% null=[] unset=[]\n");
	tmpl_dict_free(d);
}

static void test_setf_long_value(void **state)
{
	struct tmpl_dict *d;
	char val[901];
	char want[1000];

	(void)state;
	memset(val, 'a', 900);
	val[900] = '\0';
	write_tpl("setf_long.tpl", "{{V}}|\n");
	d = tmpl_dict_new(NULL);
	tmpl_setf(d, "V", "<%s>", val);
	snprintf(want, sizeof(want), "&lt;%s&gt;|\n", val);
	expect("setf_long.tpl", d, want);
	tmpl_dict_free(d);
}

static void test_render_appends(void **state)
{
	struct strbuf out = STRBUF_INIT;
	struct tmpl_dict *d;
	char err[256] = "";

	(void)state;
	write_tpl("append.tpl", "<b>{{X}}</b>\n");
	d = tmpl_dict_new("append");
	tmpl_set(d, "X", "1");
	strbuf_addstr(&out, "before;");
	assert_int_equal(tmpl_render("append.tpl", d, &out, err, sizeof(err)), 0);
	tmpl_set(d, "X", "2");
	assert_int_equal(tmpl_render("append.tpl", d, &out, err, sizeof(err)), 0);
	assert_string_equal(out.buf, "before;<b>1</b>\n<b>2</b>\n");
	strbuf_release(&out);
	tmpl_dict_free(d);
}

/* -------------------------------------------------------- sections */

static void test_section_hidden_and_shown(void **state)
{
	struct tmpl_dict *d;

	(void)state;
	write_tpl("show.tpl", "a{{#S}}[in {{V}}]{{/S}}b{{#EMPTY}}never{{/EMPTY}}c\n");
	d = tmpl_dict_new("show");
	tmpl_set(d, "V", "parent");
	expect("show.tpl", d, "abc\n");           /* hidden by default */
	tmpl_show(d, "S");
	expect("show.tpl", d, "a[in parent]bc\n");
	tmpl_show(d, "S");                        /* still once */
	expect("show.tpl", d, "a[in parent]bc\n");
	tmpl_dict_free(d);
}

static void test_section_repeated(void **state)
{
	struct tmpl_dict *d, *row;
	int i;

	(void)state;
	write_tpl("rows.tpl", "<ul>{{#ROW}}<li>{{I}}:{{NAME}}@{{SITE}}</li>{{/ROW}}</ul>"
		  "{{#NONE}}no rows{{/NONE}}\n");
	d = tmpl_dict_new("rows");
	tmpl_set(d, "SITE", "nightly");
	for (i = 1; i <= 3; i++) {
		row = tmpl_add_section(d, "ROW");
		assert_non_null(row);
		tmpl_set_int(row, "I", i);
		tmpl_setf(row, "NAME", "s%d", i * 10);
	}
	/* a row's own value hides its parent's */
	row = tmpl_add_section(d, "ROW");
	tmpl_set_int(row, "I", 4);
	tmpl_set(row, "SITE", "own");
	expect("rows.tpl", d, "<ul><li>1:s10@nightly</li><li>2:s20@nightly</li>"
	       "<li>3:s30@nightly</li><li>4:@own</li></ul>\n");
	tmpl_dict_free(d);

	/* no rows: the empty-state section instead */
	d = tmpl_dict_new("rows");
	tmpl_show(d, "NONE");
	expect("rows.tpl", d, "<ul></ul>no rows\n");
	tmpl_dict_free(d);
}

static void test_nested_sections(void **state)
{
	struct tmpl_dict *d, *row, *cell;
	int r, c;

	(void)state;
	write_tpl("nested.tpl",
		  "<table>\n"
		  "{{#ROW}}\n"
		  "<tr id=\"r{{R}}\">{{#CELL}}<td>{{R}}.{{C}} {{T}}</td>{{/CELL}}"
		  "{{#NO_CELLS}}<td>-</td>{{/NO_CELLS}}</tr>\n"
		  "{{/ROW}}\n"
		  "</table>\n");
	d = tmpl_dict_new("nested");
	tmpl_set(d, "T", "t");
	for (r = 1; r <= 2; r++) {
		row = tmpl_add_section(d, "ROW");
		tmpl_set_int(row, "R", r);
		for (c = 1; c <= r; c++) {
			cell = tmpl_add_section(row, "CELL");
			tmpl_set_int(cell, "C", c);
		}
	}
	row = tmpl_add_section(d, "ROW");
	tmpl_set_int(row, "R", 3);
	tmpl_show(row, "NO_CELLS");
	/* cells see their row's and the root's values */
	expect("nested.tpl", d,
	       "<table>\n"
	       "<tr id=\"r1\"><td>1.1 t</td></tr>\n"
	       "<tr id=\"r2\"><td>2.1 t</td><td>2.2 t</td></tr>\n"
	       "<tr id=\"r3\"><td>-</td></tr>\n"
	       "</table>\n");
	tmpl_dict_free(d);
}

/* -------------------------------------------------------- includes */

static void test_includes(void **state)
{
	struct tmpl_dict *d, *inc, *row;

	(void)state;
	write_tpl("inc_head.tpl", "<h1>{{TITLE}}</h1>[{{PAGE}}]");
	write_tpl("inc_page.tpl", "{{>HEAD}}<main>{{PAGE}}</main>{{>FOOT}}\n");
	d = tmpl_dict_new("page");
	tmpl_set(d, "PAGE", "index");
	tmpl_set(d, "TITLE", "parent title");
	inc = tmpl_add_include(d, "HEAD", "inc_head.tpl");
	assert_non_null(inc);
	tmpl_set(inc, "TITLE", "Strategies");
	/* own dictionary: PAGE of the parent is not seen; no FOOT: nothing */
	expect("inc_page.tpl", d, "<h1>Strategies</h1>[]<main>index</main>\n");

	/* a second include dictionary renders it again */
	inc = tmpl_add_include(d, "HEAD", "inc_head.tpl");
	tmpl_set(inc, "TITLE", "Again");
	tmpl_set(inc, "PAGE", "own");
	expect("inc_page.tpl", d,
	       "<h1>Strategies</h1>[]<h1>Again</h1>[own]<main>index</main>\n");
	tmpl_dict_free(d);

	/* an include inside a repeated section, and an include in an include */
	write_tpl("inc_leaf.tpl", "({{L}})");
	write_tpl("inc_mid.tpl", "<{{M}}{{>LEAF}}>");
	write_tpl("inc_outer.tpl", "{{#ROW}}{{>MID}};{{/ROW}}\n");
	d = tmpl_dict_new("outer");
	row = tmpl_add_section(d, "ROW");
	inc = tmpl_add_include(row, "MID", "inc_mid.tpl");
	tmpl_set(inc, "M", "m1");
	tmpl_set(tmpl_add_include(inc, "LEAF", "inc_leaf.tpl"), "L", "leaf");
	row = tmpl_add_section(d, "ROW");
	inc = tmpl_add_include(row, "MID", "inc_mid.tpl");
	tmpl_set(inc, "M", "m2");
	expect("inc_outer.tpl", d, "<m1(leaf)>;<m2>;\n");
	tmpl_dict_free(d);
}

/* ------------------------------------------------------ autoescape */

#define NASTY "<script>alert(\"x\")</script> & 'y'"
#define NASTY_HTML "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"

static void test_escape_text_and_attributes(void **state)
{
	struct tmpl_dict *d;

	(void)state;
	write_tpl("esc.tpl",
		  "<p>{{V}}</p>\n"
		  "<a title=\"{{V}}\" class='{{V}}' href=\"{{U}}\">{{V}}</a>\n"
		  "<a href=\"{{ROOT}}{{HREF}}\">ok</a>\n");
	d = tmpl_dict_new("esc");
	tmpl_set(d, "V", NASTY);
	tmpl_set(d, "U", "javascript:alert(1)");
	tmpl_set(d, "ROOT", "../");
	tmpl_set(d, "HREF", "runs/12.html?a=1&b=2");
	expect("esc.tpl", d,
	       "<p>" NASTY_HTML "</p>\n"
	       "<a title=\"" NASTY_HTML "\" class='" NASTY_HTML "' href=\"#\">"
	       NASTY_HTML "</a>\n"
	       "<a href=\"../runs/12.html?a=1&amp;b=2\">ok</a>\n");
	tmpl_dict_free(d);

	/* the exact words of the brief */
	write_tpl("esc_script.tpl", "{{V}}|<i title=\"{{Q}}\"></i>\n");
	d = tmpl_dict_new("esc");
	tmpl_set(d, "V", "<script>");
	tmpl_set(d, "Q", "say \"hi\"");
	expect("esc_script.tpl", d, "&lt;script&gt;|<i title=\"say &quot;hi&quot;\"></i>\n");
	tmpl_dict_free(d);

	/* tmpl_setf and tmpl_set_int values are escaped the same way */
	write_tpl("esc_setf.tpl", "{{F}} {{I}}\n");
	d = tmpl_dict_new("esc");
	tmpl_setf(d, "F", "<%s>", "b");
	tmpl_set_int(d, "I", -3);
	expect("esc_setf.tpl", d, "&lt;b&gt; -3\n");
	tmpl_dict_free(d);
}

static void test_escape_in_sections_and_includes(void **state)
{
	struct tmpl_dict *d, *row, *inc;

	(void)state;
	write_tpl("esc_inc.tpl", "<em data-n=\"{{N}}\">{{N}}</em>");
	write_tpl("esc_rows.tpl", "{{#ROW}}<td title=\"{{N}}\">{{N}}</td>{{/ROW}}{{>INC}}\n");
	d = tmpl_dict_new("esc_rows");
	row = tmpl_add_section(d, "ROW");
	tmpl_set(row, "N", "<b>\"bold\"</b>");
	inc = tmpl_add_include(d, "INC", "esc_inc.tpl");
	tmpl_set(inc, "N", "a<b");
	expect("esc_rows.tpl", d,
	       "<td title=\"&lt;b&gt;&quot;bold&quot;&lt;/b&gt;\">"
	       "&lt;b&gt;&quot;bold&quot;&lt;/b&gt;</td>"
	       "<em data-n=\"a&lt;b\">a&lt;b</em>\n");
	tmpl_dict_free(d);
}

/* ---------------------------------------------------------- errors */

static void test_missing_template(void **state)
{
	struct strbuf out = STRBUF_INIT;
	struct tmpl_dict *d;
	char err[512] = "";

	(void)state;
	d = tmpl_dict_new("missing");
	tmpl_set(d, "X", "1");
	strbuf_addstr(&out, "kept");
	assert_int_equal(tmpl_render("no_such_page.tpl", d, &out, err, sizeof(err)), -1);
	if (!strstr(err, "no_such_page.tpl"))
		fail_msg("message does not name the template: %s", err);
	assert_null(strchr(err, '\n'));
	assert_string_equal(out.buf, "kept");
	tmpl_dict_free(d);
	strbuf_release(&out);
}

static void test_missing_include(void **state)
{
	struct strbuf out = STRBUF_INIT;
	struct tmpl_dict *d;
	char err[512] = "";

	(void)state;
	write_tpl("inc_missing.tpl", "a{{>PART}}b\n");
	d = tmpl_dict_new("inc_missing");
	tmpl_add_include(d, "PART", "no_such_part.tpl");
	assert_int_equal(tmpl_render("inc_missing.tpl", d, &out, err, sizeof(err)), -1);
	if (!strstr(err, "inc_missing.tpl"))
		fail_msg("message does not name the template: %s", err);
	assert_int_equal(out.len, 0);
	tmpl_dict_free(d);
	strbuf_release(&out);
}

static void test_syntax_error(void **state)
{
	struct strbuf out = STRBUF_INIT;
	struct tmpl_dict *d;
	char err[512] = "";

	(void)state;
	write_tpl("bad_syntax.tpl", "{{#OPEN}}never closed\n");
	d = tmpl_dict_new("bad");
	assert_int_equal(tmpl_render("bad_syntax.tpl", d, &out, err, sizeof(err)), -1);
	if (!strstr(err, "bad_syntax.tpl"))
		fail_msg("message does not name the template: %s", err);
	assert_int_equal(out.len, 0);
	tmpl_dict_free(d);
	strbuf_release(&out);
}

/* ------------------------------------------------------- ownership */

static void test_free_root_frees_all(void **state)
{
	struct tmpl_dict *d, *row = NULL, *cell = NULL, *inc = NULL;
	const char *out;
	char *first;
	int r, c;

	(void)state;
	write_tpl("own_inc.tpl", "{{#X}}{{V}}{{/X}}");
	write_tpl("own.tpl", "{{#ROW}}{{#CELL}}{{V}}{{>INC}}{{/CELL}}{{/ROW}}\n");
	d = tmpl_dict_new("own");
	for (r = 0; r < 20; r++) {
		row = tmpl_add_section(d, "ROW");
		tmpl_setf(row, "V", "r%d", r);
		for (c = 0; c < 5; c++) {
			cell = tmpl_add_section(row, "CELL");
			inc = tmpl_add_include(cell, "INC", "own_inc.tpl");
			tmpl_set(tmpl_add_section(inc, "X"), "V", "x");
		}
	}
	/* per cell: the row's V ("r0".."r19") and the include's "x" */
	out = render("own.tpl", d);
	assert_int_equal(strlen(out), 10 * 5 * (2 + 1) + 10 * 5 * (3 + 1) + 1);
	assert_true(!strncmp(out, "r0xr0xr0xr0xr0xr1x", 18));
	first = strdup(out);
	/* freeing a child does nothing; the root is still whole */
	tmpl_dict_free(row);
	tmpl_dict_free(cell);
	tmpl_dict_free(inc);
	tmpl_dict_free(NULL);
	assert_string_equal(render("own.tpl", d), first);
	free(first);
	tmpl_dict_free(d);   /* ASan: no leak, no double free */

	/* a root never rendered, with children, frees cleanly too */
	d = tmpl_dict_new(NULL);
	tmpl_set(tmpl_add_section(d, "A"), "K", "v");
	tmpl_add_include(tmpl_add_section(d, "B"), "C", "own_inc.tpl");
	tmpl_dict_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_variables),
		cmocka_unit_test(test_setf_long_value),
		cmocka_unit_test(test_render_appends),
		cmocka_unit_test(test_section_hidden_and_shown),
		cmocka_unit_test(test_section_repeated),
		cmocka_unit_test(test_nested_sections),
		cmocka_unit_test(test_includes),
		cmocka_unit_test(test_escape_text_and_attributes),
		cmocka_unit_test(test_escape_in_sections_and_includes),
		cmocka_unit_test(test_missing_template),
		cmocka_unit_test(test_missing_include),
		cmocka_unit_test(test_syntax_error),
		cmocka_unit_test(test_free_root_frees_all),
	};
	return cmocka_run_group_tests(tests, setup_group, teardown_group);
}
