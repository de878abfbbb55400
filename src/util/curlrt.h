#ifndef CONFINE_UTIL_CURLRT_H
#define CONFINE_UTIL_CURLRT_H

#include <curl/curl.h>

/*
 * libcurl, loaded when first needed (dlopen of libcurl.so.4) rather than
 * linked: with the libraries it brings (TLS, Kerberos, LDAP, SSH...) it
 * made every command start 16 ms later, and only the Docker Engine API and
 * HTTP health probes use it.
 */
struct curlrt {
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *c, CURLoption opt, ...);
	CURLcode (*easy_perform)(CURL *c);
	CURLcode (*easy_getinfo)(CURL *c, CURLINFO info, ...);
	void (*easy_cleanup)(CURL *c);
	void (*easy_reset)(CURL *c);
	const char *(*easy_strerror)(CURLcode rc);
	struct curl_slist *(*slist_append)(struct curl_slist *l, const char *s);
	void (*slist_free_all)(struct curl_slist *l);
};

/*
 * The functions, loaded and curl_global_init()ed once (thread-safe).  NULL
 * with the error set (naming the library and why) when it cannot be loaded.
 */
const struct curlrt *curlrt(void);

#endif
