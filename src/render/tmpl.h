/*
 * tmpl: a small C API over ctemplate, Google's C++ template library (the
 * project's one C++ file is tmpl.cc). Templates live in templates/ and
 * start with {{%AUTOESCAPE context="HTML"}}, so every variable is escaped
 * for where it stands (text, attribute, URL, script) and no strategy name
 * or error text can inject markup.
 *
 * A dictionary is a tree: sections ({{#ROWS}}...{{/ROWS}}) repeat once per
 * child dictionary added with tmpl_add_section; includes ({{>HEADER}})
 * render another template with their own dictionary. Child dictionaries
 * belong to their parent: free only the root.
 */
#ifndef RENDER_TMPL_H
#define RENDER_TMPL_H

#include <stddef.h>

#include "util/strbuf.h"

struct tmpl_dict;

/* Where templates are read from (call once; "templates" by default). */
int tmpl_set_root(const char *dir, char *err, size_t errlen);

struct tmpl_dict *tmpl_dict_new(const char *name);
void tmpl_dict_free(struct tmpl_dict *d);

/* Set a variable (value copied; NULL means ""). */
void tmpl_set(struct tmpl_dict *d, const char *key, const char *value);
void tmpl_setf(struct tmpl_dict *d, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void tmpl_set_int(struct tmpl_dict *d, const char *key, long value);
/* Show a section once with the parent's values. */
void tmpl_show(struct tmpl_dict *d, const char *section);
/* One more repetition of section; returns its dictionary. */
struct tmpl_dict *tmpl_add_section(struct tmpl_dict *d, const char *section);
/* Fill {{>name}} with the template file (under the root). */
struct tmpl_dict *tmpl_add_include(struct tmpl_dict *d, const char *name, const char *file);

/*
 * Render the template file (under the root) with d, appending to out.
 * Returns 0, or -1 with a message (missing template, syntax error).
 */
int tmpl_render(const char *file, struct tmpl_dict *d, struct strbuf *out,
		char *err, size_t errlen);

#endif
