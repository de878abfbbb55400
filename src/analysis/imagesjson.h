#ifndef CONFINE_ANALYSIS_IMAGESJSON_H
#define CONFINE_ANALYSIS_IMAGESJSON_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Confine's images JSON (the file behind -i): an object whose keys name
 * images and whose values describe how to run them:
 *
 *   "nginx": {
 *       "enable": "true",              "true"/"false" strings or booleans
 *       "image-name": "nginx",         name used for outputs (default: the key)
 *       "image-url": "nginx",          docker image, or a transport-prefixed ref
 *       "options": "-e A=B -p 80:80",  docker run options
 *       "args": "",                    arguments after the image
 *       "dependencies": { "db": { "image-name", "image-url", "options", "link" } },
 *       "id": "15", "category": [...], "pull-count": N, "official": true,
 *       "healthcheck": ...,            confine's own (see below)
 *       "workload": ...                confine's own (see below)
 *   }
 *
 * healthcheck and workload are probes in the engine's probe syntax
 * (engine/probe.h): "http://127.0.0.1:80/" (HTTP GET, 2xx/3xx passes),
 * "tcp:127.0.0.1:6379" (also "tcp://..."; a connection is accepted),
 * "cmd:COMMAND" (sh -c inside the container, exit 0), "exec:ARG0 ARG1",
 * "host:COMMAND" (sh -c on the host, exit 0); any other string is a shell
 * command run in the container ("cmd:"), an array is an argv run in the
 * container ("exec:").  An object {"http"|"tcp"|"cmd"|"host": ...,
 * "timeout": seconds} is accepted too.
 * The healthcheck decides validation; the workload exercises the container
 * during the monitor run (and validation) and must pass as well.
 *
 * Parsing is strict: a wrong type is an error naming the file, the image
 * key and the field; unknown fields are warnings (warn_add).
 */
struct images_probe {
	char *spec;      /* probe spec as above, normalised; NULL: none */
	int timeout_s;   /* 0: caller's default */
};

struct images_dep {
	char *key;
	char *image_name;
	char *image_url;
	char *options;
	bool link;
};

struct images_entry {
	char *key;
	bool enable;
	char *image_name;  /* never NULL (defaults to key) */
	char *image_url;   /* never NULL (defaults to image_name) */
	char *options;     /* never NULL ("" when absent) */
	char *args;        /* never NULL */
	char *id;          /* "-1" when absent, as Confine's report prints */
	char **category;   /* NULL-terminated; ["Other"] when absent */
	size_t category_nr;
	struct images_dep *deps;
	size_t deps_nr;
	struct images_probe health;
	struct images_probe workload;
};

struct images_file {
	struct images_entry *entries; /* in file order */
	size_t nr;
};

/*
 * Parse 'buf' ('what' names it in messages).  On success *out holds the
 * entries; release with images_file_release().  Returns 0 or -EINVAL with a
 * message "FILE: image 'KEY': FIELD: problem".
 */
int images_parse(const char *buf, size_t len, const char *what, struct images_file *out);
int images_load(const char *path, struct images_file *out);
void images_file_release(struct images_file *f);

/* An image reference confine can open: "docker:URL" unless URL has a transport. */
char *images_ref(const char *image_url);

/*
 * A file-name-safe form of an image name, as Confine names its outputs:
 * '/' becomes '-'.  Names that would escape a folder ("..", empty) are
 * rejected by images_parse(), so the result is always a plain name.
 */
char *images_file_name(const char *image_name);

#endif
