#ifndef CONFINE_IMAGE_ARCHRT_H
#define CONFINE_IMAGE_ARCHRT_H

/*
 * libarchive, loaded when first needed (dlopen of libarchive.so.13) rather
 * than linked: with the libraries it brings (libxml2, ICU, libstdc++, the
 * compressors) it made every command start ~8 ms later, and only reading
 * image archives and layers uses it.
 *
 * archrt.c defines the libarchive functions confine calls, with their own
 * names and prototypes (<archive.h>), each forwarding to the loaded
 * library, so callers read as plain libarchive code.  The one rule: call
 * archrt_load() before archive_read_new(); every other function takes an
 * object that only exists once it succeeded.
 */

/* Load it once (thread-safe).  0, or -ELIBACC with the error set naming the library and why. */
int archrt_load(void);

#endif
