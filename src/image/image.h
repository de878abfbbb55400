#ifndef CONFINE_IMAGE_IMAGE_H
#define CONFINE_IMAGE_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/fs.h"
#include "util/progress.h"

/*
 * A container image opened from any transport, as one merged root
 * filesystem (layers applied with whiteouts) plus its config.
 *
 *   docker:NAME[:TAG]      the Docker Engine API on its Unix socket
 *   docker-archive:FILE    `docker save` output (legacy or OCI variant)
 *   oci:DIR[:REF]          an OCI image layout folder (REF: the manifest's
 *                          org.opencontainers.image.ref.name, else the only
 *                          or the linux/amd64 manifest)
 *   oci-archive:FILE[:REF] a tar of an OCI image layout
 *   dir:ROOTFS             a plain root filesystem folder
 *
 * ("docker-daemon:" is accepted as a synonym of "docker:".)  Layer blobs are
 * checked against their manifest digest and the config's diff_ids; file
 * content that is kept lives in a content-addressed store under
 * fs_cache_dir()/blobs, which rootfs_node.blob names (for dir:, the file
 * itself).
 */
enum image_transport {
	IMAGE_DOCKER,
	IMAGE_DOCKER_ARCHIVE,
	IMAGE_OCI,
	IMAGE_OCI_ARCHIVE,
	IMAGE_DIR,
};

struct image_ref {
	enum image_transport transport;
	char *name; /* what follows the prefix */
};

/* Parses "TRANSPORT:REST".  Returns 0 or -EINVAL (message set). */
int image_ref_parse(const char *s, struct image_ref *ref);
void image_ref_release(struct image_ref *ref);
const char *image_transport_name(enum image_transport t);

struct image_healthcheck {
	char **test; /* ["CMD", ...], ["CMD-SHELL", "..."], ["NONE"] or NULL */
	size_t test_nr;
	int64_t interval_ns, timeout_ns, start_period_ns;
	int retries;
};

struct image_config {
	char **entrypoint;
	size_t entrypoint_nr;
	char **cmd;
	size_t cmd_nr;
	char **env; /* "KEY=VALUE" */
	size_t env_nr;
	char *working_dir;
	char *user;
	char **exposed_ports; /* "80/tcp" */
	size_t exposed_ports_nr;
	struct image_healthcheck healthcheck;
	char *architecture; /* "amd64" */
	char *os;
};

enum rootfs_type {
	ROOTFS_REG,
	ROOTFS_DIR,
	ROOTFS_SYMLINK,
	ROOTFS_CHR,
	ROOTFS_BLK,
	ROOTFS_FIFO,
	ROOTFS_SOCK,
};

/* One path of the merged filesystem.  Owned by the rootfs. */
struct rootfs_node {
	const char *path;      /* absolute, normalised: "/usr/bin/ls" */
	enum rootfs_type type;
	uint32_t mode;         /* permission bits incl. setuid etc. */
	uint32_t uid, gid;
	uint64_t size;
	const char *link;      /* symlink target as stored, or NULL */
	/*
	 * A host file holding the content, or NULL when the content was not
	 * kept.  Content is kept for ELF files, '#!' scripts, and files under
	 * /etc (and any file when image_open_opts.keep_all is set).
	 */
	const char *blob;
	bool is_elf;           /* starts with \x7fELF */
	bool is_script;        /* starts with #! */
};

/* A deep copy of 'src' into 'dst'; release with image_config_release(). */
void image_config_copy(struct image_config *dst, const struct image_config *src);
void image_config_release(struct image_config *c);

struct rootfs;

struct image {
	struct image_ref ref;
	char *id;              /* config digest "sha256:...", or NULL for dir: */
	char **repo_tags;
	size_t repo_tags_nr;
	struct image_config config;
	struct rootfs *rootfs;
	uint64_t layers_nr;
};

struct image_open_opts {
	const char *docker_socket;   /* default /var/run/docker.sock or $DOCKER_HOST unix:// */
	bool keep_all;               /* keep every file's content */
	uint64_t max_file_size;      /* 0: default 4 GiB */
	uint64_t max_total_size;     /* 0: default 64 GiB uncompressed */
	const struct progress *progress;
};

/*
 * Open an image.  On success *out is a new image the caller frees with
 * image_free().  Returns 0 or a negative errno with a message naming the
 * input and the cause (err_msg()).
 */
int image_open(const char *ref, const struct image_open_opts *opts, struct image **out);
void image_free(struct image *img);

/* Look up a path without following a final symlink (parents are followed). */
const struct rootfs_node *rootfs_lookup(const struct rootfs *fs, const char *path);

/*
 * Resolve 'path' inside the rootfs the way the kernel would with the rootfs
 * as '/': symlinks followed (absolute targets re-rooted, '..' never above
 * the root, at most 40 links: -ELOOP), the final one too when follow_last.
 * On success *node is set and, when 'resolved' is non-NULL, *resolved gets
 * the canonical path (caller frees).  Returns 0, -ENOENT, -ELOOP, -ENOTDIR.
 */
int rootfs_resolve(const struct rootfs *fs, const char *path, bool follow_last,
		   const struct rootfs_node **node, char **resolved);

/* Read a file's kept content (at most 'cap' bytes; -EFBIG past it). */
int rootfs_read(const struct rootfs *fs, const struct rootfs_node *node, size_t cap,
		char **data, size_t *len);
/* Map a file's kept content read-only; -ENODATA when it was not kept. */
int rootfs_map(const struct rootfs *fs, const struct rootfs_node *node, struct fs_map *map);

/* Iterate all nodes in path order: for (i = 0; (n = rootfs_at(fs, i)); i++). */
const struct rootfs_node *rootfs_at(const struct rootfs *fs, size_t i);
size_t rootfs_count(const struct rootfs *fs);

#endif
