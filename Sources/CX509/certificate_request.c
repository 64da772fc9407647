#include "CX509.h"

#include <curl/curl.h>
#include <openssl/ssl.h>
#include <pthread.h>

/// An ex_data slot of apictl's own on the SSL_CTX, so libcurl's own uses of the context are untouched.
static int asked_index = -1;
static pthread_once_t asked_index_once = PTHREAD_ONCE_INIT;

static void make_asked_index(void) { asked_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL); }

/// OpenSSL calls this when the server sends a CertificateRequest and no certificate is set:
/// note it, and give none (the handshake goes on as it would have).
static int note_request(SSL *ssl, X509 **certificate, EVP_PKEY **key) {
    (void)certificate; (void)key;
    int *asked = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), asked_index);
    if (asked != NULL) *asked = 1;
    return 0;
}

static CURLcode install(CURL *handle, void *context, void *asked) {
    (void)handle;
    if (asked_index >= 0) {
        SSL_CTX_set_ex_data((SSL_CTX *)context, asked_index, asked);
        SSL_CTX_set_client_cert_cb((SSL_CTX *)context, note_request);
    }
    return CURLE_OK;
}

void apictl_curl_note_certificate_request(void *handle, int *asked) {
    pthread_once(&asked_index_once, make_asked_index);
    curl_easy_setopt((CURL *)handle, CURLOPT_SSL_CTX_FUNCTION, install);
    curl_easy_setopt((CURL *)handle, CURLOPT_SSL_CTX_DATA, asked);
}
