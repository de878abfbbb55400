#ifndef CONFINE_IMAGE_ROOTFS_H
#define CONFINE_IMAGE_ROOTFS_H

#include "image/image.h"
#include "image/layer.h"

/*
 * Building the merged filesystem (image.h has the read side).  The tree
 * lives in memory; paths inside a layer are applied with their parent
 * folders resolved inside the rootfs, so a layer cannot reach outside it.
 */

/* A new rootfs holding only "/".  Never NULL. */
struct rootfs *rootfs_new(void);
void rootfs_free(struct rootfs *fs);

/*
 * Apply one layer: its whiteouts first (they hide lower layers only), then
 * its entries in order.  Errors name the layer ('what') and the entry.
 */
int rootfs_apply_layer(struct rootfs *fs, const struct layer *L, const char *what);

/* Apply a single entry (LAYER_NODE or LAYER_HARDLINK); the strings are copied. */
int rootfs_apply_entry(struct rootfs *fs, const struct layer_entry *e, const char *what);

/* Build the sorted index behind rootfs_at(); call once all layers are in. */
void rootfs_finish(struct rootfs *fs);

#endif
