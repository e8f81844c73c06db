// tmpl: the C bridge to ctemplate (see tmpl.h), the project's only C++.
// A wrapper struct per dictionary; the root owns its ctemplate dictionary
// (which owns the section and include dictionaries) and the wrappers of
// all its descendants, so C code frees only the root.
#include <cstdarg>
#include <cstdio>
#include <string>
#include <vector>

#include <ctemplate/template.h>

extern "C" {
#include "render/tmpl.h"
}

struct tmpl_dict {
	ctemplate::TemplateDictionary *d;
	tmpl_dict *root;                       // itself for a root
	std::vector<tmpl_dict *> children;     // roots only
};

static std::string root_dir = "templates/";
static bool root_set = false;

extern "C" int tmpl_set_root(const char *dir, char *err, size_t errlen)
{
	root_dir = dir;
	if (!root_dir.empty() && root_dir.back() != '/')
		root_dir += '/';
	root_set = ctemplate::mutable_default_template_cache()->SetTemplateRootDirectory(root_dir);
	if (!root_set) {
		snprintf(err, errlen, "templates: cannot use %s", dir);
		return -1;
	}
	return 0;
}

extern "C" struct tmpl_dict *tmpl_dict_new(const char *name)
{
	if (!root_set)
		root_set = ctemplate::mutable_default_template_cache()->SetTemplateRootDirectory(root_dir);
	tmpl_dict *w = new tmpl_dict;
	w->d = new ctemplate::TemplateDictionary(name ? name : "root");
	w->root = w;
	return w;
}

extern "C" void tmpl_dict_free(struct tmpl_dict *d)
{
	if (!d || d->root != d)
		return;
	for (tmpl_dict *c : d->children)
		delete c;
	delete d->d;
	delete d;
}

static tmpl_dict *wrap_child(tmpl_dict *parent, ctemplate::TemplateDictionary *child)
{
	tmpl_dict *w = new tmpl_dict;
	w->d = child;
	w->root = parent->root;
	parent->root->children.push_back(w);
	return w;
}

extern "C" void tmpl_set(struct tmpl_dict *d, const char *key, const char *value)
{
	d->d->SetValue(key, value ? value : "");
}

extern "C" void tmpl_setf(struct tmpl_dict *d, const char *key, const char *fmt, ...)
{
	char small[256];
	va_list ap, again;
	int n;

	va_start(ap, fmt);
	va_copy(again, ap);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		va_end(again);
		return;
	}
	if ((size_t)n < sizeof(small)) {
		va_end(again);
		d->d->SetValue(key, ctemplate::TemplateString(small, (size_t)n));
		return;
	}
	/* longer than the stack buffer: format again into the right size */
	std::string big((size_t)n + 1, '\0');
	vsnprintf(&big[0], big.size(), fmt, again);
	va_end(again);
	big.resize((size_t)n);
	d->d->SetValue(key, big);
}

extern "C" void tmpl_set_int(struct tmpl_dict *d, const char *key, long value)
{
	d->d->SetIntValue(key, value);
}

extern "C" void tmpl_show(struct tmpl_dict *d, const char *section)
{
	d->d->ShowSection(section);
}

extern "C" struct tmpl_dict *tmpl_add_section(struct tmpl_dict *d, const char *section)
{
	return wrap_child(d, d->d->AddSectionDictionary(section));
}

extern "C" struct tmpl_dict *tmpl_add_include(struct tmpl_dict *d, const char *name,
					      const char *file)
{
	ctemplate::TemplateDictionary *c = d->d->AddIncludeDictionary(name);
	c->SetFilename(file);
	return wrap_child(d, c);
}

extern "C" int tmpl_render(const char *file, struct tmpl_dict *d, struct strbuf *out,
			   char *err, size_t errlen)
{
	std::string s;
	if (!ctemplate::ExpandTemplate(file, ctemplate::STRIP_BLANK_LINES, d->d, &s)) {
		snprintf(err, errlen, "templates: cannot expand %s%s (missing, or a syntax error)",
			 root_dir.c_str(), file);
		return -1;
	}
	strbuf_add(out, s.data(), s.size());
	return 0;
}
