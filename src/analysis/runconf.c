#include "analysis/runconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

void runconf_list_release(struct runconf_list *l)
{
	for (size_t i = 0; i < l->nr; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Append name unless it is there already or the list holds 'cap' names. */
static void list_add(struct runconf_list *l, const char *name, size_t cap)
{
	for (size_t i = 0; i < l->nr; i++)
		if (!strcmp(l->v[i], name))
			return;
	if (l->nr >= cap)
		return;
	ALLOC_GROW(l->v, l->nr + 1, l->alloc);
	l->v[l->nr++] = xstrdup(name);
}

/* The text's lines with '#' comments cut, one at a time (the copy is modified). */
static char *next_line(char **save, char *copy)
{
	char *line = strtok_r(copy, "\n", save), *hash;

	if (line && (hash = strchr(line, '#')))
		*hash = '\0';
	return line;
}

void runconf_nss(const char *text, struct runconf_list *out)
{
	char *copy = xstrdup(text ? text : ""), *save = NULL;

	for (char *line = next_line(&save, copy); line; line = next_line(&save, NULL)) {
		char *colon = strchr(line, ':'), *wsave = NULL;
		bool action = false;

		if (!colon)
			continue;
		for (char *w = strtok_r(colon + 1, " \t\r", &wsave); w; w = strtok_r(NULL, " \t\r", &wsave)) {
			/* "[NOTFOUND=return]", "[ !UNAVAIL=return ]": actions, not services. */
			if (w[0] == '[' || action) {
				action = !strchr(w, ']');
				continue;
			}
			if (!strchr(w, ']') && !strchr(w, '/') && strlen(w) <= 64)
				list_add(out, w, 64);
		}
	}
	free(copy);
}

void runconf_pam(const char *text, bool with_service, struct runconf_list *out)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./+-";
	char *copy = xstrdup(text ? text : ""), *save = NULL;

	for (char *line = next_line(&save, copy); line; line = next_line(&save, NULL)) {
		char *wsave = NULL, *w = strtok_r(line, " \t\r", &wsave);

		if (w && with_service)
			w = strtok_r(NULL, " \t\r", &wsave);
		if (!w || w[0] == '@')
			continue;
		w = strtok_r(NULL, " \t\r", &wsave);
		if (w && w[0] == '[')
			while (w && !strchr(w, ']'))
				w = strtok_r(NULL, " \t\r", &wsave);
		w = w ? strtok_r(NULL, " \t\r", &wsave) : NULL;
		if (w && strlen(w) <= 255 && !w[strspn(w, ok)])
			list_add(out, w, 256);
	}
	free(copy);
}

void runconf_jvm_cfg(const char *text, struct runconf_list *out)
{
	char *copy = xstrdup(text ? text : ""), *save = NULL;

	for (char *line = next_line(&save, copy); line; line = next_line(&save, NULL)) {
		char name[64], kind[32];

		if (sscanf(line, " -%63[A-Za-z0-9_] %31s", name, kind) == 2 && !strcmp(kind, "KNOWN"))
			list_add(out, name, 16);
	}
	free(copy);
}

/* s without the blanks around it, and without one pair of quotes. */
static char *trimmed(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
	if (n >= 2 && (s[0] == '"' || s[0] == '\'') && s[n - 1] == s[0]) {
		s[n - 1] = '\0';
		s++;
	}
	return s;
}

void runconf_openssl(const char *text, struct runconf_list *modules, struct runconf_list *includes)
{
	char *copy = xstrdup(text ? text : ""), *save = NULL;

	for (char *line = next_line(&save, copy); line; line = next_line(&save, NULL)) {
		char *l = trimmed(line), *eq;

		if (!strncmp(l, ".include", 8) && (l[8] == ' ' || l[8] == '\t' || l[8] == '=')) {
			char *path = l + 8;

			while (*path == ' ' || *path == '\t')
				path++;
			if (*path == '=')
				path++;
			path = trimmed(path);
			if (path[0] == '/' && strlen(path) <= 4096)
				list_add(includes, path, 16);
			continue;
		}
		eq = strchr(l, '=');
		if (!eq)
			continue;
		*eq = '\0';
		{
			char *key = trimmed(l), *value = trimmed(eq + 1);

			if ((!strcmp(key, "dynamic_path") || !strcmp(key, "module")) && value[0] == '/' &&
			    strlen(value) <= 4096)
				list_add(modules, value, 64);
		}
	}
	free(copy);
}

void runconf_php(const char *text, struct runconf_list *dirs, struct runconf_list *modules)
{
	char *copy = xstrdup(text ? text : ""), *save = NULL;

	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *semi = strchr(line, ';'), *eq, *key, *value; /* ';' starts an ini comment */

		if (semi)
			*semi = '\0';
		eq = strchr(line, '=');
		if (!eq)
			continue;
		*eq = '\0';
		key = trimmed(line);
		value = trimmed(eq + 1);
		if (value[0] != '/' || strlen(value) > 4096)
			continue;
		if (!strcmp(key, "extension_dir"))
			list_add(dirs, value, 64);
		else if (!strcmp(key, "extension") || !strcmp(key, "zend_extension"))
			list_add(modules, value, 64);
	}
	free(copy);
}
