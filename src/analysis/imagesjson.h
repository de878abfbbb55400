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
 * healthcheck: "http://127.0.0.1:80/" (HTTP GET, 2xx/3xx passes),
 * "tcp://127.0.0.1:6379" (connect), any other string or an array (a
 * command run inside the container, exit 0 passes), or an object
 * {"http"|"tcp"|"cmd": ..., "timeout": seconds}.
 * workload: a host command (string: run by /bin/sh -c; array: argv) that
 * exercises the running container during the monitor and validation runs,
 * e.g. "curl -sf http://127.0.0.1/"; it must exit 0.
 *
 * Parsing is strict: a wrong type is an error naming the file, the image
 * key and the field; unknown fields are warnings (warn_add).
 */
enum health_kind {
	HEALTH_NONE,
	HEALTH_HTTP,
	HEALTH_TCP,
	HEALTH_CMD,
};

struct images_health {
	enum health_kind kind;
	char *target;    /* URL for HTTP, "host:port" for TCP, shell string for CMD */
	char **argv;     /* CMD given as an array (NULL-terminated), else NULL */
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
	struct images_health health;
	char *workload;    /* shell string, or NULL */
	char **workload_argv; /* NULL-terminated, or NULL */
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
