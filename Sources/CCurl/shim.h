// Typed one-line wrappers over libcurl's variadic setopt/getinfo, which Swift cannot call.
#ifndef APICTL_CCURL_SHIM_H
#define APICTL_CCURL_SHIM_H
#include <curl/curl.h>

typedef size_t (*apictl_curl_data_fn)(char *, size_t, size_t, void *);

static inline CURLcode apictl_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode apictl_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode apictl_setopt_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode apictl_setopt_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode apictl_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
/* libcurl copies the bytes (CURL_BLOB_COPY): the caller's may go at once. */
static inline CURLcode apictl_setopt_blob(CURL *h, CURLoption o, const void *data, size_t length) {
    struct curl_blob blob = { (void *)data, length, CURL_BLOB_COPY };
    return curl_easy_setopt(h, o, &blob);
}
static inline CURLcode apictl_setopt_data_fn(CURL *h, CURLoption o, apictl_curl_data_fn v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode apictl_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLMcode apictl_multi_setopt_long(CURLM *m, CURLMoption o, long v) { return curl_multi_setopt(m, o, v); }
/* The transfer a finished message is about, and how it ended: CURLMsg's union is not Swift's to read. */
static inline CURL *apictl_msg_handle(const CURLMsg *m) { return m->easy_handle; }
static inline CURLcode apictl_msg_result(const CURLMsg *m) { return m->data.result; }
#endif
