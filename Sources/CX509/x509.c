#include "CX509.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>
#include <string.h>
#include <time.h>

/// What the passphrase callback was asked, so "encrypted, no passphrase" and "wrong
/// passphrase" can be told apart.
typedef struct {
    const char *passphrase;
    int asked;
} passphrase_request;

static int passphrase_callback(char *buffer, int size, int rwflag, void *userdata) {
    (void)rwflag;
    passphrase_request *request = userdata;
    request->asked = 1;
    if (request->passphrase == NULL) return -1;
    size_t length = strlen(request->passphrase);
    if (length > (size_t)size) return -1;
    memcpy(buffer, request->passphrase, length);
    return (int)length;
}

static long long seconds_of(const ASN1_TIME *time) {
    struct tm parts;
    memset(&parts, 0, sizeof parts);
    if (time == NULL || ASN1_TIME_to_tm(time, &parts) != 1) return 0;
    return (long long)timegm(&parts);
}

static void describe(X509 *leaf, apictl_x509_info *info) {
    memset(info, 0, sizeof *info);
    info->not_before = seconds_of(X509_get0_notBefore(leaf));
    info->not_after = seconds_of(X509_get0_notAfter(leaf));
    unsigned int length = 0;
    X509_digest(leaf, EVP_sha256(), info->sha256, &length);
    BIO *out = BIO_new(BIO_s_mem());
    if (out != NULL) {
        X509_NAME_print_ex(out, X509_get_subject_name(leaf), 0, XN_FLAG_RFC2253);
        BIO_read(out, info->subject, sizeof info->subject - 1);
        BIO_free(out);
    }
    out = BIO_new(BIO_s_mem());
    if (out != NULL) {
        X509_NAME_print_ex(out, X509_get_issuer_name(leaf), 0, XN_FLAG_RFC2253);
        BIO_read(out, info->issuer, sizeof info->issuer - 1);
        BIO_free(out);
    }
    info->self_signed = X509_NAME_cmp(X509_get_subject_name(leaf), X509_get_issuer_name(leaf)) == 0;
}

/// The bytes a memory BIO holds, copied out for the caller.
static int take_bytes(BIO *bio, unsigned char **out, size_t *length) {
    char *data = NULL;
    long count = BIO_get_mem_data(bio, &data);
    if (count <= 0 || data == NULL) return 0;
    *out = OPENSSL_malloc((size_t)count);
    if (*out == NULL) return 0;
    memcpy(*out, data, (size_t)count);
    *length = (size_t)count;
    return 1;
}

static int is_pem(const unsigned char *bytes, size_t length) {
    static const char marker[] = "-----BEGIN ";
    if (length < sizeof marker - 1) return 0;
    for (size_t i = 0; i + sizeof marker - 1 <= length; i++) {
        if (memcmp(bytes + i, marker, sizeof marker - 1) == 0) return 1;
    }
    return 0;
}

/// The leaf, the rest of the chain and any key from a PEM file.
static int read_pem(const unsigned char *bytes, size_t length, passphrase_request *request,
                    X509 **leaf, STACK_OF(X509) *chain, EVP_PKEY **key) {
    BIO *in = BIO_new_mem_buf(bytes, (int)length);
    if (in == NULL) return APICTL_X509_CERT_UNREADABLE;
    X509 *cert;
    while ((cert = PEM_read_bio_X509(in, NULL, NULL, NULL)) != NULL) {
        if (*leaf == NULL) *leaf = cert;
        else if (!sk_X509_push(chain, cert)) X509_free(cert);
    }
    BIO_free(in);
    ERR_clear_error();
    if (*leaf == NULL) return APICTL_X509_CERT_UNREADABLE;
    if (key != NULL) {
        in = BIO_new_mem_buf(bytes, (int)length);
        if (in != NULL) {
            *key = PEM_read_bio_PrivateKey(in, NULL, passphrase_callback, request);
            BIO_free(in);
            ERR_clear_error();
        }
    }
    return APICTL_X509_OK;
}

/// A key libcurl's OpenSSL (at its default security level) presents: RSA of 2048 bits or more,
/// EC on P-256, P-384 or P-521, Ed25519 or Ed448.
static int usable_key(EVP_PKEY *key) {
    switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA: case EVP_PKEY_RSA_PSS: return EVP_PKEY_get_bits(key) >= 2048;
    case EVP_PKEY_ED25519: case EVP_PKEY_ED448: return 1;
    case EVP_PKEY_EC: {
        char curve[64] = {0};
        size_t length = 0;
        if (!EVP_PKEY_get_group_name(key, curve, sizeof curve, &length)) return 0;
        return strcmp(curve, "prime256v1") == 0 || strcmp(curve, "secp384r1") == 0 || strcmp(curve, "secp521r1") == 0;
    }
    default: return 0;
    }
}

static int read_pkcs12(const unsigned char *bytes, size_t length, const char *passphrase,
                       X509 **leaf, STACK_OF(X509) **chain, EVP_PKEY **key) {
    BIO *in = BIO_new_mem_buf(bytes, (int)length);
    if (in == NULL) return APICTL_X509_CERT_UNREADABLE;
    PKCS12 *p12 = d2i_PKCS12_bio(in, NULL);
    BIO_free(in);
    if (p12 == NULL) { ERR_clear_error(); return APICTL_X509_CERT_UNREADABLE; }
    int status = APICTL_X509_OK;
    // A file made without a password opens with an empty one (or none), whatever was given.
    const char *password = passphrase;
    if (PKCS12_mac_present(p12) && !PKCS12_verify_mac(p12, passphrase, -1)) {
        if (PKCS12_verify_mac(p12, "", 0)) password = "";
        else if (PKCS12_verify_mac(p12, NULL, 0)) password = NULL;
    }
    if (!PKCS12_mac_present(p12) || PKCS12_verify_mac(p12, password, -1)) {
        if (!PKCS12_parse(p12, password, key, leaf, chain)) {
            status = APICTL_X509_CERT_UNREADABLE;
        } else if (*leaf == NULL && *key == NULL && *chain != NULL && sk_X509_num(*chain) > 0) {
            *leaf = sk_X509_shift(*chain);   // without a key, OpenSSL puts every certificate with the CAs
        }
        if (status == APICTL_X509_OK && *leaf == NULL) status = APICTL_X509_CERT_UNREADABLE;
    } else if (passphrase == NULL || passphrase[0] == 0) {
        status = APICTL_X509_NEEDS_PASSPHRASE;
    } else {
        status = APICTL_X509_BAD_PASSPHRASE;
    }
    PKCS12_free(p12);
    ERR_clear_error();
    return status;
}

int apictl_x509_load(const unsigned char *cert, size_t cert_len, const unsigned char *key, size_t key_len,
                     const char *passphrase, int require_key, apictl_x509_info *info,
                     unsigned char **chain_pem, size_t *chain_len, unsigned char **key_pem, size_t *key_len_out) {
    *chain_pem = NULL; *key_pem = NULL; *chain_len = 0; *key_len_out = 0;
    if (cert_len > (1 << 24) || key_len > (1 << 24)) return APICTL_X509_CERT_UNREADABLE;
    passphrase_request request = { passphrase, 0 };
    X509 *leaf = NULL;
    STACK_OF(X509) *chain = sk_X509_new_null();
    EVP_PKEY *pkey = NULL;
    int status;
    if (is_pem(cert, cert_len)) {
        status = read_pem(cert, cert_len, &request, &leaf, chain, key == NULL ? &pkey : NULL);
    } else {
        sk_X509_pop_free(chain, X509_free);
        chain = NULL;
        status = read_pkcs12(cert, cert_len, passphrase, &leaf, &chain, &pkey);
        if (chain == NULL) chain = sk_X509_new_null();
    }
    if (status == APICTL_X509_OK && key != NULL) {
        BIO *in = BIO_new_mem_buf(key, (int)key_len);
        if (in != NULL) {
            pkey = PEM_read_bio_PrivateKey(in, NULL, passphrase_callback, &request);
            BIO_free(in);
        }
        ERR_clear_error();
        if (pkey == NULL) {
            status = !request.asked ? APICTL_X509_KEY_UNREADABLE
                   : passphrase == NULL ? APICTL_X509_NEEDS_PASSPHRASE : APICTL_X509_BAD_PASSPHRASE;
        }
    }
    if (status == APICTL_X509_OK && pkey == NULL) {
        status = request.asked ? (passphrase == NULL ? APICTL_X509_NEEDS_PASSPHRASE : APICTL_X509_BAD_PASSPHRASE)
                               : APICTL_X509_NO_KEY;
    }
    if (leaf != NULL) describe(leaf, info);
    if (status == APICTL_X509_OK && X509_check_private_key(leaf, pkey) != 1) status = APICTL_X509_KEY_MISMATCH;
    if (status == APICTL_X509_OK && !usable_key(pkey)) status = APICTL_X509_WEAK_KEY;
    ERR_clear_error();
    if (status == APICTL_X509_OK || (status == APICTL_X509_NO_KEY && !require_key)) {
        BIO *out = BIO_new(BIO_s_mem());
        int written = out != NULL && PEM_write_bio_X509(out, leaf);
        for (int i = 0; written && chain != NULL && i < sk_X509_num(chain); i++) {
            written = PEM_write_bio_X509(out, sk_X509_value(chain, i));
        }
        if (!written || !take_bytes(out, chain_pem, chain_len)) status = APICTL_X509_CERT_UNREADABLE;
        BIO_free(out);
        if (status == APICTL_X509_OK) {
            BIO *keyOut = BIO_new(BIO_s_secmem());
            if (keyOut == NULL || !PEM_write_bio_PKCS8PrivateKey(keyOut, pkey, NULL, NULL, 0, NULL, NULL)
                || !take_bytes(keyOut, key_pem, key_len_out)) status = APICTL_X509_KEY_UNREADABLE;
            BIO_free(keyOut);
        }
    }
    EVP_PKEY_free(pkey);
    X509_free(leaf);
    sk_X509_pop_free(chain, X509_free);
    ERR_clear_error();
    return status;
}

void apictl_x509_free_secret(unsigned char *bytes, size_t length) {
    if (bytes != NULL) OPENSSL_clear_free(bytes, length);
}
